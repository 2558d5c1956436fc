//! The audit log: read it, and verify its hash chain and the workflow's
//! tables against it.

use axum::extract::State;
use hatchery_core::workflow::Capability;
use hatchery_core::workflow::Scope;
use hatchery_core::workflow::audit::AuditEntry;
use hatchery_store::workflow::AuditFilter;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::state::AppState;
use hatchery_app::audit::{AuditVerification, verify_audit};

/// An entry of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: Option<i64>,
    pub actor_name: String,
    pub jurisdiction: String,
    pub action: String,
    pub subject: String,
    /// The subject before, as JSON text.
    pub before: Option<String>,
    /// The subject after, as JSON text.
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<&AuditEntry> for AuditEntryView {
    fn from(e: &AuditEntry) -> Self {
        let r = &e.record;
        Self {
            seq: e.seq,
            at: r.at,
            actor: r.actor.map(|a| a.0),
            actor_name: r.actor_name.clone(),
            jurisdiction: r.jurisdiction.clone(),
            action: r.action.clone(),
            subject: r.subject.clone(),
            before: r.before.clone(),
            after: r.after.clone(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        }
    }
}

/// Which entries to read.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Entries after this position (default 0: from the start).
    pub after: Option<i64>,
    /// Most entries (default 100, at most 1000).
    pub limit: Option<u64>,
}

/// Audit entries within the caller's jurisdiction, in chain order.
#[utoipa::path(
    get, path = "/api/audit", tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "Entries", body = Vec<AuditEntryView>),
        (status = 400, description = "Bad paging", body = ErrorBody),
        (status = 403, description = "Only auditors and the ministry administrator read the log", body = ErrorBody),
    )
)]
pub async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntryView>>, ApiError> {
    caller.require(Capability::ReadAudit)?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("invalid_query", "limit is 1 to 1000"));
    }
    let entries = state
        .db
        .audit_entries(&AuditFilter {
            scope: caller.scope.clone(),
            after: query.after.unwrap_or(0).max(0),
            limit,
        })
        .await?;
    Ok(Json(entries.iter().map(AuditEntryView::from).collect()))
}

/// Verifies the whole chain and names the first bad entry, and checks every
/// workflow record against the last image the log holds for it, naming each
/// row no logged step explains (checkpoints are checked from the command
/// line: `hatchery audit verify --checkpoint`).
#[utoipa::path(
    get, path = "/api/audit/verify", tag = "audit",
    responses(
        (status = 200, description = "The verdict", body = AuditVerification),
        (status = 403, description = "Only a national auditor or the ministry administrator verifies", body = ErrorBody),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<AuditVerification>, ApiError> {
    caller.require(Capability::ReadAudit)?;
    if caller.scope != Scope::All {
        return Err(ApiError::forbidden(
            "the whole chain is verified by a national auditor",
        ));
    }
    Ok(Json(verify_audit(state.db.as_ref()).await?))
}
