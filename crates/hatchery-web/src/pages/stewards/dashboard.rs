//! 我的服务管家: the enterprise account's card on its dashboard — the
//! stewards serving it now, with how to reach them as the API gives it,
//! and its last contacts (without the officials' internal notes, which the
//! API leaves out for it).

use axum::extract::State;
use hatchery_core::workflow::{Capability, Role};
use hatchery_server::extract::{Json, Path, Query as ApiQuery};
use hatchery_server::routes::stewards::{
    ContactQuery, EnterpriseStewardsQuery, list_enterprise_contacts, list_enterprise_stewards,
};
use hatchery_server::{ApiError, AppState};
use serde::Serialize;

use super::{ContactRow, StewardRow};
use crate::session::Member;

/// The last contacts the card shows.
const CONTACTS_SHOWN: u64 = 3;

/// What an enterprise account's dashboard shows of its stewards, rendered
/// by `stewards/dashboard_section.html`.
#[derive(Debug, Serialize)]
pub(crate) struct DashboardSection {
    /// The enterprise's own page.
    enterprise: String,
    stewards: Vec<StewardRow>,
    contacts: Vec<ContactRow>,
}

/// This area's card on the dashboard: the enterprise account's own
/// stewards; `None` for every other role (officials have `/stewards`).
pub(crate) async fn dashboard_section(
    state: &AppState,
    member: &Member,
) -> Result<Option<DashboardSection>, ApiError> {
    let account = &member.caller.account;
    let (Role::Enterprise, Some(enterprise)) = (account.role, &account.enterprise) else {
        return Ok(None);
    };
    if !Capability::ReadStewards.granted_to(account.role) {
        return Ok(None);
    }
    let lang = member.lang;
    let id = enterprise.to_string();
    let Json(views) = list_enterprise_stewards(
        State(state.clone()),
        member.caller.clone(),
        Path(id.clone()),
        ApiQuery(EnterpriseStewardsQuery::default()),
    )
    .await?;
    let Json(contacts) = list_enterprise_contacts(
        State(state.clone()),
        member.caller.clone(),
        Path(id.clone()),
        ApiQuery(ContactQuery {
            per_page: Some(CONTACTS_SHOWN.min(state.settings.limits.max_page_size)),
            ..ContactQuery::default()
        }),
    )
    .await?;
    let today = state.today();
    Ok(Some(DashboardSection {
        enterprise: id,
        stewards: views
            .iter()
            .map(|v| StewardRow::of(v, today, lang))
            .collect(),
        contacts: contacts
            .items
            .iter()
            .map(|c| ContactRow::of(c, lang))
            .collect(),
    }))
}
