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
