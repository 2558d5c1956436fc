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
    /// Only entries whose action starts with this (e.g. `account.`).
    pub action: Option<String>,
    /// Only entries by this account (its username).
    pub actor: Option<String>,
}

/// How many entries one filtered read scans at most (a filter that matches
/// nothing stops there rather than reading the whole chain).
const SCAN_LIMIT: u64 = 20_000;

impl AuditQuery {
    fn filter_text(text: Option<&str>) -> Result<Option<String>, ApiError> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) if t.chars().count() <= 100 && !t.chars().any(char::is_control) => {
                Ok(Some(t.to_owned()))
            }
            Some(_) => Err(ApiError::bad_request(
                "invalid_query",
                "a filter is at most 100 printable characters",
            )),
        }
    }
}

/// Audit entries within the caller's jurisdiction after `after`, in chain
/// order, those matching the filters, at most `limit`: what the route and
/// the web interface's audit page show.
pub async fn audit_entries(
    state: &AppState,
    caller: &Caller,
    query: &AuditQuery,
) -> Result<Vec<AuditEntryView>, ApiError> {
    caller.require(Capability::ReadAudit)?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("invalid_query", "limit is 1 to 1000"));
    }
    let action = AuditQuery::filter_text(query.action.as_deref())?;
    let actor = AuditQuery::filter_text(query.actor.as_deref())?;
    let wanted = |e: &AuditEntry| {
        action
            .as_deref()
            .is_none_or(|a| e.record.action.starts_with(a))
            && actor.as_deref().is_none_or(|a| e.record.actor_name == a)
    };
    let filtered = action.is_some() || actor.is_some();
    let mut after = query.after.unwrap_or(0).max(0);
    let mut found = Vec::new();
    let mut scanned = 0;
    loop {
        let batch = state
            .db
            .audit_entries(&AuditFilter {
                scope: caller.scope.clone(),
                after,
                limit: if filtered { 1000 } else { limit },
            })
            .await?;
        scanned += batch.len() as u64;
        let done = batch.len() < if filtered { 1000 } else { limit as usize };
        for entry in &batch {
            after = entry.seq;
            if wanted(entry) {
                found.push(AuditEntryView::from(entry));
                if found.len() as u64 == limit {
                    return Ok(found);
                }
            }
        }
        if !filtered || done || scanned >= SCAN_LIMIT {
            return Ok(found);
        }
    }
}

/// Audit entries within the caller's jurisdiction, in chain order; with
/// `action` or `actor`, those matching (at most 20,000 entries are scanned
/// per request: ask again after the last one returned).
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
    Ok(Json(audit_entries(&state, &caller, &query).await?))
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
