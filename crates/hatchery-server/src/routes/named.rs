//! Workflow records shown with the name the ledger gives their enterprise:
//! the store keeps only the enterprise's id on a declaration, a membership
//! or a proposal, and every view of one names the enterprise.

use hatchery_core::EnterpriseId;
use hatchery_store::workflow::{Declaration, Page, PoolMember, PoolProposal, ServiceRequest};

use crate::error::ApiError;
use crate::extract::{Json, Paged};
use crate::state::{AppState, LedgerView};

/// A record about one enterprise.
pub(crate) trait AboutEnterprise {
    fn enterprise(&self) -> &EnterpriseId;
}

impl AboutEnterprise for Declaration {
    fn enterprise(&self) -> &EnterpriseId {
        &self.enterprise
    }
}

impl AboutEnterprise for PoolMember {
    fn enterprise(&self) -> &EnterpriseId {
        &self.enterprise
    }
}

impl AboutEnterprise for ServiceRequest {
    fn enterprise(&self) -> &EnterpriseId {
        &self.enterprise
    }
}

impl AboutEnterprise for PoolProposal {
    fn enterprise(&self) -> &EnterpriseId {
        &self.enterprise
    }
}

/// The enterprise's name in the ledger, if the ledger holds it.
pub(crate) fn name_of(view: &LedgerView, enterprise: &EnterpriseId) -> Option<String> {
    view.position(enterprise)
        .and_then(|p| view.names(p))
        .map(|r| r.name.to_string())
}

/// `record` as `view` shows it, given its enterprise's name.
pub(crate) async fn named<T: AboutEnterprise, V>(
    state: &AppState,
    record: &T,
    view: impl Fn(&T, Option<String>) -> V,
) -> Result<V, ApiError> {
    let ledger = state.ledger().await?;
    Ok(view(record, name_of(&ledger, record.enterprise())))
}

/// A page of records from the store, each as `view` shows it.
pub(crate) async fn named_page<T: AboutEnterprise, V>(
    state: &AppState,
    page: hatchery_store::workflow::Paged<T>,
    window: Page,
    view: impl Fn(&T, Option<String>) -> V,
) -> Result<Json<Paged<V>>, ApiError> {
    let ledger = state.ledger().await?;
    let items = page
        .items
        .iter()
        .map(|record| view(record, name_of(&ledger, record.enterprise())))
        .collect();
    Ok(Json(Paged::new(items, page.total, window)))
}
