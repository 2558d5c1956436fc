//! Regional cultivation targets (培育目标) and their progress as of a day,
//! computed from the server's ledger view with the criteria engine (the
//! same computation as `hatchery targets progress`). Targets are the ones
//! shipped in the binary; they are read-only here, so nothing is audited.
//! Officials read the targets within their jurisdiction, the ministry all.

use std::sync::OnceLock;

use axum::extract::State;
use hatchery_core::targets::{
    Cluster, CountingRule, Quantity, SourceDocument, Target, TargetArea, TargetSet, TargetStatus,
};
use hatchery_core::workflow::{Capability, Scope};
use hatchery_report::target_progress;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::routes::enterprises::{day, rule_set};
use crate::state::AppState;

/// The most candidates one answer lists.
pub const MAX_CANDIDATES: usize = 50;

fn shipped() -> Result<&'static TargetSet, ApiError> {
    static SET: OnceLock<Result<TargetSet, String>> = OnceLock::new();
    SET.get_or_init(|| TargetSet::builtin().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ApiError::internal(shipped_error(e)))
}

fn shipped_error(message: &str) -> std::io::Error {
    std::io::Error::other(message.to_owned())
}

/// The caller's area, for officials and the ministry; 403 for anyone else.
fn official_area(caller: &Caller) -> Result<TargetArea, ApiError> {
    caller.require(Capability::ReadTargets)?;
    match &caller.scope {
        Scope::All => Ok(TargetArea::Nation),
        Scope::Province(code) | Scope::City(code) | Scope::District(code) => {
            Ok(TargetArea::Division(*code))
        }
        Scope::Zone(zone) => Ok(TargetArea::Zone(zone.as_str().to_owned())),
        Scope::Enterprise(_) => Err(ApiError::forbidden(
            "targets are read by officials and the ministry",
        )),
    }
}

/// A target as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetView {
    pub id: String,
    pub version: String,
    pub title: String,
    pub title_en: String,
    /// `CN`, a six-digit division code or `zone:ID`.
    pub jurisdiction: String,
    /// The key industrial cluster (a set of industry keys), if any.
    pub cluster: Option<Cluster>,
    /// The rule set counted under.
    pub rules: String,
    /// The tiers counted.
    pub tiers: Vec<String>,
    pub counting: CountingRule,
    pub quantity: Quantity,
    #[schema(value_type = String, format = Date)]
    pub start: Date,
    #[schema(value_type = String, format = Date)]
    pub deadline: Date,
    pub source: SourceDocument,
    pub note: String,
    pub note_en: String,
}

impl From<&Target> for TargetView {
    fn from(t: &Target) -> Self {
        Self {
            id: t.id.clone(),
            version: t.version.clone(),
            title: t.title.clone(),
            title_en: t.title_en.clone(),
            jurisdiction: t.jurisdiction.to_string(),
            cluster: t.cluster.clone(),
            rules: t.rules.clone(),
            tiers: t.tiers.clone(),
            counting: t.counting,
            quantity: t.quantity,
            start: t.start,
            deadline: t.deadline,
            source: t.source.clone(),
            note: t.note.clone(),
            note_en: t.note_en.clone(),
        }
    }
}

/// Paces per month (a month is 365.25 / 12 days), as decimal text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaceView {
    /// The count on the start day.
    pub baseline: u32,
    pub months_elapsed: String,
    pub months_left: String,
    /// `(count − baseline) / months elapsed`; null on or before the start.
    pub so_far: Option<String>,
    /// `(min − count) / months left`; `0` when met; null once the deadline passed unmet.
    pub needed: Option<String>,
}

/// An enterprise that counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountedView {
    pub id: String,
    pub name: Option<String>,
    pub name_en: Option<String>,
    /// Its tier on the day (null: counted cumulatively, no tier now).
    pub tier: Option<String>,
    /// The first day it held the target's lowest tier or a higher one.
    #[schema(value_type = Option<String>, format = Date)]
    pub reached: Option<Date>,
    /// Its division code on the day.
    pub region: Option<String>,
}

/// One condition a candidate fails, from the engine's reasons.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LackView {
    pub condition: String,
    pub requirement: String,
    pub found: String,
    pub requirement_zh: String,
    pub found_zh: String,
}

/// A nearest candidate: one tier below, not counted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandidateView {
    pub id: String,
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub tier: Option<String>,
    /// How many conditions fail.
    pub failed: usize,
    /// The share of a valuation threshold still missing, as decimal text.
    pub valuation_shortfall: Option<String>,
    pub lacking: Vec<LackView>,
}

/// A target's progress on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgressView {
    pub target: TargetView,
    #[schema(value_type = String, format = Date)]
    pub as_of: Date,
    /// `key@version` of the rule set counted under.
    pub rules: String,
    pub count: u32,
    pub status: TargetStatus,
    pub pace: PaceView,
    pub counted: Vec<CountedView>,
    pub candidates: Vec<CandidateView>,
}

/// The targets within the caller's jurisdiction.
pub fn visible_targets(caller: &Caller) -> Result<Vec<TargetView>, ApiError> {
    let area = official_area(caller)?;
    Ok(shipped()?
        .targets
        .iter()
        .filter(|t| t.jurisdiction.within(&area))
        .map(TargetView::from)
        .collect())
}

/// One target's progress for the caller: 404 when it is not within the
/// caller's jurisdiction (or does not exist).
pub async fn progress_of(
    state: &AppState,
    caller: &Caller,
    id: &str,
    as_of: Option<&str>,
    candidates: usize,
) -> Result<ProgressView, ApiError> {
    let area = official_area(caller)?;
    let target = shipped()?
        .get(id)
        .filter(|t| t.jurisdiction.within(&area))
        .ok_or_else(ApiError::not_found)?
        .clone();
    let as_of = day(state, as_of)?;
    let rules = rule_set(state, Some(&target.rules), None).await?.rules;
    let view = state.ledger().await?;
    let limit = candidates.min(MAX_CANDIDATES);
    // CPU work over the whole ledger: off the async workers.
    tokio::task::spawn_blocking(move || {
        let reached = view.first_reached(&rules);
        let progress = target_progress(&view.ledger, &rules, &reached, &target, as_of, limit)
            .map_err(|e| ApiError::bad_request("invalid_target", e.to_string()))?;
        let names = |id: &str| {
            view.ledger
                .position(id)
                .and_then(|p| view.names(p))
                .map(|n| (n.name.to_string(), n.name_en.as_deref().map(str::to_owned)))
        };
        let text = |d: rust_decimal::Decimal| d.normalize().to_string();
        Ok(ProgressView {
            target: TargetView::from(&target),
            as_of,
            rules: progress.rules,
            count: progress.count,
            status: progress.status,
            pace: PaceView {
                baseline: progress.pace.baseline,
                months_elapsed: text(progress.pace.months_elapsed),
                months_left: text(progress.pace.months_left),
                so_far: progress.pace.so_far.map(text),
                needed: progress.pace.needed.map(text),
            },
            counted: progress
                .counted
                .into_iter()
                .map(|c| {
                    let (name, name_en) = names(&c.id).unzip();
                    CountedView {
                        name,
                        name_en: name_en.flatten(),
                        id: c.id,
                        tier: c.tier,
                        reached: c.reached,
                        region: c.region,
                    }
                })
                .collect(),
            candidates: progress
                .candidates
                .into_iter()
                .map(|c| {
                    let (name, name_en) = names(&c.id).unzip();
                    CandidateView {
                        name,
                        name_en: name_en.flatten(),
                        id: c.id,
                        tier: c.tier,
                        failed: c.failed,
                        valuation_shortfall: c.valuation_shortfall.map(text),
                        lacking: c
                            .lacking
                            .into_iter()
                            .map(|k| LackView {
                                condition: k.condition,
                                requirement: k.requirement,
                                found: k.found,
                                requirement_zh: k.requirement_zh,
                                found_zh: k.found_zh,
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
    })
    .await
    .map_err(ApiError::internal)?
}

/// The regional cultivation targets within the caller's jurisdiction.
#[utoipa::path(
    get, path = "/api/targets", tag = "targets",
    responses(
        (status = 200, description = "The targets within the caller's jurisdiction, each with its source", body = [TargetView]),
        (status = 403, description = "Not an official or the ministry", body = ErrorBody),
    )
)]
pub async fn list_targets(caller: Caller) -> Result<Json<Vec<TargetView>>, ApiError> {
    Ok(Json(visible_targets(&caller)?))
}

/// When and how many candidates.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProgressQuery {
    /// The day, `YYYY-MM-DD` (default today).
    pub as_of: Option<String>,
    /// How many nearest candidates to list (default 10, at most 50).
    pub candidates: Option<usize>,
}

/// A target's progress as of a day, computed from the ledger: the count
/// under its counting rule, the status, the pace needed against the pace so
/// far, the enterprises that count and the nearest candidates with what
/// they lack.
#[utoipa::path(
    get, path = "/api/targets/{id}/progress", tag = "targets",
    params(("id" = String, Path, description = "The target's id"), ProgressQuery),
    responses(
        (status = 200, description = "The progress", body = ProgressView),
        (status = 400, description = "A bad date", body = ErrorBody),
        (status = 403, description = "Not an official or the ministry", body = ErrorBody),
        (status = 404, description = "No such target within the caller's jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_progress(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<ProgressQuery>,
) -> Result<Json<ProgressView>, ApiError> {
    Ok(Json(
        progress_of(
            &state,
            &caller,
            &id,
            query.as_of.as_deref(),
            query.candidates.unwrap_or(10),
        )
        .await?,
    ))
}
