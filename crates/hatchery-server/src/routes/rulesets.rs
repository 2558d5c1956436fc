//! Rule sets: the built-in ones and those the ministry adds.

use axum::extract::State;
use axum::http::StatusCode;
use hatchery_core::criteria::RuleSet;
use hatchery_core::workflow::Capability;
use hatchery_store::workflow::StoredRuleSet;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::routes::enterprises::{day, rule_set};
use crate::state::{AppState, RuleEntry};

/// A tier of a rule set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TierSummary {
    pub key: String,
    pub name: String,
    pub name_en: String,
}

/// A rule set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleSetSummary {
    pub key: String,
    pub version: String,
    pub title: String,
    pub title_en: String,
    pub description: String,
    /// Division-code prefixes a local rule set applies to (empty: everywhere).
    pub scope: Vec<String>,
    /// Shipped with Hatchery, or added by an administrator.
    pub builtin: bool,
    /// Highest first.
    pub tiers: Vec<TierSummary>,
}

/// A rule set with its TOML source.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleSetDetail {
    #[serde(flatten)]
    pub summary: RuleSetSummary,
    pub source: String,
}

/// A rule set to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddRuleSet {
    /// The rule set in TOML, as `hatchery rules show` prints one.
    pub source: String,
}

/// Which version of a rule set.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    pub version: Option<String>,
}

fn summary(rules: &RuleSet, builtin: bool) -> RuleSetSummary {
    RuleSetSummary {
        key: rules.key.clone(),
        version: rules.version.clone(),
        title: rules.title.clone(),
        title_en: rules.title_en.clone(),
        description: rules.description.clone(),
        scope: rules.scope.clone(),
        builtin,
        tiers: rules
            .tiers
            .iter()
            .map(|t| TierSummary {
                key: t.key.clone(),
                name: t.name.clone(),
                name_en: t.name_en.clone(),
            })
            .collect(),
    }
}

fn of(entry: &RuleEntry) -> RuleSetSummary {
    summary(&entry.rules, entry.stored.is_none())
}

/// Every rule set.
#[utoipa::path(
    get, path = "/api/rulesets", tag = "rulesets",
    responses(
        (status = 200, description = "Built-in rule sets first", body = Vec<RuleSetSummary>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn list_rule_sets(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Vec<RuleSetSummary>>, ApiError> {
    state.rules.refresh(state.db.as_ref()).await?;
    Ok(Json(state.rules.all().iter().map(of).collect()))
}

/// One rule set with its source.
#[utoipa::path(
    get, path = "/api/rulesets/{key}", tag = "rulesets",
    params(("key" = String, Path, description = "The rule set's key"), VersionQuery),
    responses(
        (status = 200, description = "The rule set", body = RuleSetDetail),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such rule set", body = ErrorBody),
    )
)]
pub async fn get_rule_set(
    State(state): State<AppState>,
    _caller: Caller,
    Path(key): Path<String>,
    Query(query): Query<VersionQuery>,
) -> Result<Json<RuleSetDetail>, ApiError> {
    let entry = state
        .rules
        .resolve(state.db.as_ref(), &key, query.version.as_deref())
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(RuleSetDetail {
        summary: of(&entry),
        source: entry.source.clone(),
    }))
}

/// Adds a rule set (a new key, or a new version of an added one).
#[utoipa::path(
    post, path = "/api/rulesets", tag = "rulesets",
    request_body = AddRuleSet,
    responses(
        (status = 201, description = "Added", body = RuleSetSummary),
        (status = 403, description = "Only the ministry administrator adds rule sets", body = ErrorBody),
        (status = 409, description = "That key and version exist", body = ErrorBody),
        (status = 422, description = "Not a valid rule set", body = ErrorBody),
    )
)]
pub async fn add_rule_set(
    State(state): State<AppState>,
    caller: Caller,
    Json(request): Json<AddRuleSet>,
) -> Result<(StatusCode, Json<RuleSetSummary>), ApiError> {
    caller.require(Capability::ManageRuleSets)?;
    if request.source.len() > 256 * 1024 {
        return Err(ApiError::invalid(
            "invalid_rule_set",
            "a rule set is at most 256 KiB",
        ));
    }
    let rules = RuleSet::from_toml(&request.source)
        .map_err(|e| ApiError::invalid("invalid_rule_set", e.to_string()))?;
    if state
        .rules
        .find(&rules.key, Some(&rules.version))
        .is_some_and(|e| e.stored.is_none())
    {
        return Err(ApiError::conflict(
            "duplicate",
            format!("{} is built in", rules.label()),
        ));
    }
    let now = state.clock.now();
    state
        .db
        .add_rule_set(
            &StoredRuleSet {
                key: rules.key.clone(),
                version: rules.version.clone(),
                source: request.source,
                added_by: Some(caller.account.id),
                added_at: now,
            },
            &caller.acting(now),
        )
        .await?;
    state.rules.refresh(state.db.as_ref()).await?;
    Ok((StatusCode::CREATED, Json(summary(&rules, false))))
}

/// Which rule set to compare with, on which day.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CompareQuery {
    /// The other rule set's key.
    pub with: String,
    /// `YYYY-MM-DD` (default today).
    pub as_of: Option<String>,
}

/// An enterprise whose tier differs between the two rule sets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TierChange {
    pub enterprise: String,
    pub name: String,
    /// Its tier under the first rule set (null: none).
    pub from: Option<TierSummary>,
    /// Its tier under the other (null: none).
    pub to: Option<TierSummary>,
}

/// Two rule sets applied to the caller's enterprises on one day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleSetComparison {
    pub as_of: jiff::civil::Date,
    pub left: RuleSetSummary,
    pub right: RuleSetSummary,
    /// Enterprises compared (those within the caller's jurisdiction).
    pub compared: u64,
    /// Enterprises with a tier under the first rule set.
    pub tiered_left: u64,
    /// Enterprises with a tier under the other.
    pub tiered_right: u64,
    /// Enterprises whose tier differs.
    pub changed: u64,
    /// The first [`COMPARISON_ROWS`] of them, by id.
    pub changes: Vec<TierChange>,
}

/// The most changes a comparison lists (all are counted).
pub const COMPARISON_ROWS: usize = 500;

fn tier_summary(
    rules: &RuleSet,
    index: Option<hatchery_core::criteria::TierIndex>,
) -> Option<TierSummary> {
    index.map(|i| {
        let t = rules.tier(i);
        TierSummary {
            key: t.key.clone(),
            name: t.name.clone(),
            name_en: t.name_en.clone(),
        }
    })
}

/// Classifies the caller's enterprises under both rule sets on one day.
pub async fn compare(
    state: &AppState,
    caller: &Caller,
    key: &str,
    query: &CompareQuery,
) -> Result<RuleSetComparison, ApiError> {
    caller.require(Capability::ReadEnterprises)?;
    let as_of = day(state, query.as_of.as_deref())?;
    let left = state
        .rules
        .resolve(state.db.as_ref(), key, None)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let right = rule_set(state, Some(query.with.trim()), None).await?;
    let view = state.ledger().await?;
    let today = state.today();
    let caller = caller.clone();
    // Each rule set's tiers on the day and the placements of today are
    // kept by the view (built ahead for today), so comparing is one pass;
    // it runs off the async workers.
    tokio::task::spawn_blocking(move || {
        let placements = view.placements(today);
        let from_tiers = view.classification(&left.rules, &[as_of]);
        let to_tiers = view.classification(&right.rules, &[as_of]);
        let mut comparison = RuleSetComparison {
            as_of,
            left: of(&left),
            right: of(&right),
            compared: 0,
            tiered_left: 0,
            tiered_right: 0,
            changed: 0,
            changes: Vec::new(),
        };
        for (position, e) in view.ledger.enterprises().iter().enumerate() {
            if !caller.sees(&e.id, &placements[position]) {
                continue;
            }
            comparison.compared += 1;
            let from = tier_summary(&left.rules, from_tiers.tier(position, 0));
            let to = tier_summary(&right.rules, to_tiers.tier(position, 0));
            comparison.tiered_left += u64::from(from.is_some());
            comparison.tiered_right += u64::from(to.is_some());
            let key_of = |t: &Option<TierSummary>| t.as_ref().map(|t| t.key.clone());
            if key_of(&from) != key_of(&to) {
                comparison.changed += 1;
                if comparison.changes.len() < COMPARISON_ROWS {
                    comparison.changes.push(TierChange {
                        enterprise: e.id.to_string(),
                        name: view
                            .names(position)
                            .map(|r| r.name.to_string())
                            .unwrap_or_default(),
                        from,
                        to,
                    });
                }
            }
        }
        comparison
            .changes
            .sort_by(|a, b| a.enterprise.cmp(&b.enterprise));
        comparison
    })
    .await
    .map_err(ApiError::internal)
}

/// Applies two rule sets to the caller's enterprises on one day: how many
/// change tier, and which.
#[utoipa::path(
    get, path = "/api/rulesets/{key}/comparison", tag = "rulesets",
    params(("key" = String, Path, description = "The first rule set's key"), CompareQuery),
    responses(
        (status = 200, description = "The enterprises whose tier differs", body = RuleSetComparison),
        (status = 400, description = "Bad date or unknown other rule set", body = ErrorBody),
        (status = 403, description = "The role reads no enterprises", body = ErrorBody),
        (status = 404, description = "No such rule set", body = ErrorBody),
    )
)]
pub async fn compare_rule_sets(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Query(query): Query<CompareQuery>,
) -> Result<Json<RuleSetComparison>, ApiError> {
    Ok(Json(compare(&state, &caller, &key, &query).await?))
}
