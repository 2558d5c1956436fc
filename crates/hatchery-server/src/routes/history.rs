//! One enterprise over time: its tier at the end of each year under every
//! rule set side by side, its memberships of the cultivation pool with the
//! re-evaluations' proposals, and the audit entries about it. Each is
//! scoped as the enterprise itself: out of the caller's jurisdiction is
//! not found.

use std::collections::BTreeSet;

use axum::extract::State;
use hatchery_core::EnterpriseId;
use hatchery_core::workflow::{Capability, Scope};
use hatchery_store::workflow::{AuditFilter, DeclarationFilter, Page, PoolFilter, ProposalFilter};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::routes::enterprises::visible;
use crate::routes::named::name_of;
use crate::state::AppState;
use crate::views::{MemberView, ProposalView};

/// The most years a timeline shows (the latest ones).
pub const MAX_TIMELINE_YEARS: usize = 40;

/// The most memberships, proposals or audit entries one history lists.
const MAX_HISTORY: u64 = 500;

/// Which rule sets a timeline compares.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    /// Rule set keys, comma-separated (default every rule set the server
    /// holds, the configured one first).
    pub rules: Option<String>,
}

/// One rule set's row of a timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineRow {
    pub rule_set: String,
    pub version: String,
    /// The rule set's Chinese title.
    pub title: String,
    pub title_en: String,
    /// The tier key on each of the timeline's dates (`null`: no tier).
    pub tiers: Vec<Option<String>>,
}

/// An enterprise's tier on 31 December of each year from its founding (or
/// its first event, if earlier) and today, under several rule sets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineView {
    pub enterprise: String,
    /// Ascending: 31 December of each past year, then today.
    pub dates: Vec<Date>,
    /// One per rule set, the configured one first.
    pub rows: Vec<TimelineRow>,
}

/// The enterprise's memberships and the proposals about them.
#[derive(Debug, Serialize, ToSchema)]
pub struct PoolHistoryView {
    pub enterprise: String,
    /// Every membership, newest first: entered (tier, cycle, valid from),
    /// renewed, superseded or exited (with its cause and day).
    pub memberships: Vec<MemberView>,
    /// The re-evaluations' proposals about it, newest first; `null` for a
    /// role that does not read proposals.
    pub proposals: Option<Vec<ProposalView>>,
}

/// An audit entry about an enterprise, as its page shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditTrailEntry {
    pub seq: i64,
    pub at: Timestamp,
    /// Who acted: only for roles that read the audit log, and never for an
    /// objection (who objects is not told here).
    pub actor_name: Option<String>,
    pub action: String,
    /// `declaration:ID` or `proposal:ID`.
    pub subject: String,
}

/// The days of a timeline: 31 December of each year from `start`'s year to
/// last year (at most the latest [`MAX_TIMELINE_YEARS`]), then `today`.
pub fn timeline_dates(start: Date, today: Date) -> Vec<Date> {
    let mut dates: Vec<Date> = (start.year()..today.year())
        .filter_map(|year| Date::new(year, 12, 31).ok())
        .collect();
    if dates.len() > MAX_TIMELINE_YEARS {
        dates.drain(..dates.len() - MAX_TIMELINE_YEARS);
    }
    dates.push(today);
    dates
}

/// The keys asked for, or every rule set held with the configured one first.
fn timeline_keys(state: &AppState, text: Option<&str>) -> Result<Vec<String>, ApiError> {
    let default = &state.settings.workflow.default_rule_set;
    let mut keys: Vec<String> = match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => text.split(',').map(|k| k.trim().to_owned()).collect(),
        None => {
            let held: BTreeSet<String> = state
                .rules
                .all()
                .into_iter()
                .map(|e| e.rules.key.clone())
                .collect();
            let mut keys: Vec<String> = held.into_iter().filter(|k| k != default).collect();
            keys.insert(0, default.clone());
            keys
        }
    };
    let mut seen = BTreeSet::new();
    keys.retain(|k| seen.insert(k.clone()));
    if keys.len() > 20 {
        return Err(ApiError::bad_request(
            "invalid_query",
            "a timeline compares at most 20 rule sets",
        ));
    }
    Ok(keys)
}

/// The timeline of an enterprise the caller may see: what the route and the
/// enterprise page show.
pub async fn enterprise_timeline(
    state: &AppState,
    caller: &Caller,
    id: &str,
    query: &TimelineQuery,
) -> Result<TimelineView, ApiError> {
    caller.require(Capability::ReadEnterprises)?;
    let view = state.ledger().await?;
    let today = state.today();
    let (position, _) = visible(&view, caller, id, today)?;
    let keys = timeline_keys(state, query.rules.as_deref())?;
    let mut entries = Vec::with_capacity(keys.len());
    for key in &keys {
        entries.push(crate::routes::enterprises::rule_set(state, Some(key), None).await?);
    }
    let enterprise = &view.ledger.enterprises()[position];
    let start = view
        .ledger
        .events_of(position)
        .iter()
        .map(|e| e.date)
        .min()
        .map_or(enterprise.founded, |first| first.min(enterprise.founded));
    let dates = timeline_dates(start.min(today), today);
    let snapshots: Vec<_> = dates
        .iter()
        .map(|&d| view.ledger.as_of(position, d))
        .collect();
    let rows = entries
        .iter()
        .map(|entry| {
            let rules = &entry.rules;
            TimelineRow {
                rule_set: rules.key.clone(),
                version: rules.version.clone(),
                title: rules.title.clone(),
                title_en: rules.title_en.clone(),
                tiers: snapshots
                    .iter()
                    .map(|s| rules.classify(s).map(|t| rules.tier(t).key.clone()))
                    .collect(),
            }
        })
        .collect();
    Ok(TimelineView {
        enterprise: enterprise.id.to_string(),
        dates,
        rows,
    })
}

/// An enterprise's tier at the end of each year under several rule sets.
#[utoipa::path(
    get, path = "/api/enterprises/{id}/timeline", tag = "enterprises",
    params(("id" = String, Path, description = "The enterprise's id"), TimelineQuery),
    responses(
        (status = 200, description = "The tiers by year and rule set", body = TimelineView),
        (status = 400, description = "Unknown rule set, or more than 20", body = ErrorBody),
        (status = 403, description = "The role reads statistics only", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<TimelineQuery>,
) -> Result<Json<TimelineView>, ApiError> {
    Ok(Json(
        enterprise_timeline(&state, &caller, &id, &query).await?,
    ))
}

/// The enterprise (visible to the caller) a history is about.
async fn enterprise_in_scope(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(EnterpriseId, Option<String>), ApiError> {
    let view = state.ledger().await?;
    let (position, _) = visible(&view, caller, id, state.today())?;
    let enterprise = view.ledger.enterprises()[position].id.clone();
    let name = name_of(&view, &enterprise);
    Ok((enterprise, name))
}

const WHOLE: Page = Page {
    offset: 0,
    limit: MAX_HISTORY,
};

/// The pool history of an enterprise the caller may see: what the route and
/// the enterprise page show.
pub async fn enterprise_pool_history(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<PoolHistoryView, ApiError> {
    caller.require(Capability::ReadPool)?;
    let (enterprise, name) = enterprise_in_scope(state, caller, id).await?;
    // The enterprise's own records, each still judged by its placement.
    let of_enterprise = Scope::Enterprise(enterprise.clone());
    let memberships = state
        .db
        .pool_members(&PoolFilter {
            scope: of_enterprise.clone(),
            status: None,
            tier: None,
            cycle: None,
            province: None,
            page: WHOLE,
        })
        .await?
        .items
        .iter()
        .filter(|m| caller.sees(&m.enterprise, &m.placement))
        .map(|m| MemberView::new(m, name.clone()))
        .collect();
    let proposals = if Capability::ReadProposals.granted_to(caller.account.role) {
        Some(
            state
                .db
                .proposals(&ProposalFilter {
                    scope: of_enterprise,
                    status: None,
                    page: WHOLE,
                })
                .await?
                .items
                .iter()
                .filter(|p| caller.sees(&p.enterprise, &p.placement))
                .map(|p| ProposalView::new(p, name.clone()))
                .collect(),
        )
    } else {
        None
    };
    Ok(PoolHistoryView {
        enterprise: enterprise.to_string(),
        memberships,
        proposals,
    })
}

/// An enterprise's memberships of the cultivation pool (entered, at what
/// tier, renewed, exited and why) and the re-evaluations' proposals.
#[utoipa::path(
    get, path = "/api/enterprises/{id}/pool-history", tag = "enterprises",
    params(("id" = String, Path, description = "The enterprise's id")),
    responses(
        (status = 200, description = "Memberships and proposals", body = PoolHistoryView),
        (status = 403, description = "The role does not read the pool", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_pool_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<PoolHistoryView>, ApiError> {
    Ok(Json(enterprise_pool_history(&state, &caller, &id).await?))
}

/// The audit entries about an enterprise the caller may see, newest first:
/// those about its declarations and proposals that the audit log's scope
/// rule (`AuditRecord::visible_to`) shows the caller. What the route and the
/// enterprise page show.
pub async fn enterprise_audit_trail(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Vec<AuditTrailEntry>, ApiError> {
    caller.require(Capability::ReadEnterprises)?;
    let (enterprise, _) = enterprise_in_scope(state, caller, id).await?;
    let of_enterprise = Scope::Enterprise(enterprise.clone());
    let mut subjects = BTreeSet::new();
    let declarations = state
        .db
        .declarations(&DeclarationFilter {
            scope: of_enterprise.clone(),
            cycle: None,
            state: None,
            tier: None,
            enterprise: Some(enterprise),
            page: WHOLE,
        })
        .await?;
    subjects.extend(
        declarations
            .items
            .iter()
            .map(|d| format!("declaration:{}", d.id)),
    );
    let proposals = state
        .db
        .proposals(&ProposalFilter {
            scope: of_enterprise,
            status: None,
            page: WHOLE,
        })
        .await?;
    subjects.extend(proposals.items.iter().map(|p| format!("proposal:{}", p.id)));
    if subjects.is_empty() {
        return Ok(Vec::new());
    }
    let shows_actors = Capability::ReadAudit.granted_to(caller.account.role);
    let mut found = Vec::new();
    let mut after = 0;
    loop {
        // The store keeps only the entries the caller's scope may see.
        let batch = state
            .db
            .audit_entries(&AuditFilter {
                scope: caller.scope.clone(),
                after,
                limit: 1000,
            })
            .await?;
        for entry in &batch {
            after = entry.seq;
            let r = &entry.record;
            if subjects.contains(&r.subject) {
                found.push(AuditTrailEntry {
                    seq: entry.seq,
                    at: r.at,
                    actor_name: (shows_actors && r.action != "declaration.object")
                        .then(|| r.actor_name.clone()),
                    action: r.action.clone(),
                    subject: r.subject.clone(),
                });
            }
        }
        if batch.len() < 1000 {
            break;
        }
    }
    found.reverse();
    found.truncate(MAX_HISTORY as usize);
    Ok(found)
}

/// The audit entries about an enterprise's declarations and proposals that
/// the caller's scope may see (as `GET /api/audit` judges them), newest
/// first, at most 500. Who acted is shown to auditors and the ministry
/// administrator only, and never who lodged an objection.
#[utoipa::path(
    get, path = "/api/enterprises/{id}/audit", tag = "enterprises",
    params(("id" = String, Path, description = "The enterprise's id")),
    responses(
        (status = 200, description = "Entries, newest first", body = Vec<AuditTrailEntry>),
        (status = 403, description = "The role reads statistics only", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_audit_trail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<AuditTrailEntry>>, ApiError> {
    Ok(Json(enterprise_audit_trail(&state, &caller, &id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeline_ends_each_year_then_today() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        assert_eq!(
            timeline_dates(d(2022, 5, 1), d(2024, 3, 2)),
            vec![d(2022, 12, 31), d(2023, 12, 31), d(2024, 3, 2)]
        );
        assert_eq!(
            timeline_dates(d(2024, 1, 1), d(2024, 3, 2)),
            vec![d(2024, 3, 2)]
        );
        let long = timeline_dates(d(1900, 1, 1), d(2024, 3, 2));
        assert_eq!(long.len(), MAX_TIMELINE_YEARS + 1);
        assert_eq!(long[0], d(1984, 12, 31));
    }
}
