//! Counts by province and tier, within the caller's jurisdiction.

use std::collections::BTreeMap;

use axum::extract::State;
use hatchery_core::workflow::Capability;
use hatchery_store::workflow::{MemberStatus, Page, PoolFilter};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::routes::enterprises::{day, rule_set};
use crate::state::AppState;

/// One cell of a count table.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountRow {
    /// Province code, or null for enterprises without one.
    pub province: Option<String>,
    pub province_name: Option<String>,
    pub tier: String,
    pub count: u64,
}

/// Enterprises by province and tier.
#[derive(Debug, Serialize, ToSchema)]
pub struct TierStatistics {
    pub as_of: Date,
    /// `key@version`.
    pub rule_set: String,
    pub rows: Vec<CountRow>,
    /// Enterprises with a tier.
    pub total: u64,
}

/// Active pool members by province and tier.
#[derive(Debug, Serialize, ToSchema)]
pub struct PoolStatistics {
    pub rows: Vec<CountRow>,
    pub total: u64,
}

/// The day and rule set of the counts.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatisticsQuery {
    /// `YYYY-MM-DD` (default today).
    pub as_of: Option<String>,
    /// A rule set key (default the configured one).
    pub rules: Option<String>,
}

fn rows(counts: BTreeMap<(Option<String>, String), u64>) -> Vec<CountRow> {
    counts
        .into_iter()
        .map(|((province, tier), count)| CountRow {
            province_name: province.as_deref().and_then(|p| {
                hatchery_core::DivisionCode::parse(p)
                    .ok()
                    .map(|c| c.display_name())
            }),
            province,
            tier,
            count,
        })
        .collect()
}

/// Enterprises with a tier, by province and tier, as of a day.
#[utoipa::path(
    get, path = "/api/statistics/tiers", tag = "statistics",
    params(StatisticsQuery),
    responses(
        (status = 200, description = "Counts", body = TierStatistics),
        (status = 400, description = "Bad date or rule set", body = ErrorBody),
        (status = 403, description = "The role does not read statistics", body = ErrorBody),
    )
)]
pub async fn tier_statistics(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<StatisticsQuery>,
) -> Result<Json<TierStatistics>, ApiError> {
    caller.require(Capability::ReadStatistics)?;
    let as_of = day(&state, query.as_of.as_deref())?;
    let rules = rule_set(&state, query.rules.as_deref(), None).await?.rules;
    let view = state.ledger().await?;
    let today = state.today();
    let label = rules.label();
    // The tiers come from the directory's index for the day (computed once
    // per view, rule set and day, and built ahead for today), so counting
    // is one pass over it, off the async workers.
    let (counts, total) = tokio::task::spawn_blocking(move || {
        let index = view.directory(&rules, as_of, today);
        let mut counts = BTreeMap::new();
        let mut total = 0;
        for (position, e) in view.ledger.enterprises().iter().enumerate() {
            let Some(tier) = index.tiers[position] else {
                continue;
            };
            if !caller.sees(&e.id, &index.placements[position]) {
                continue;
            }
            // Statistics count an enterprise where it is on the day counted.
            let region = view.ledger.as_of(position, as_of).region();
            let province = region.map(|r| r.province().to_string());
            *counts
                .entry((province, rules.tier(tier).key.clone()))
                .or_insert(0) += 1;
            total += 1;
        }
        (counts, total)
    })
    .await
    .map_err(ApiError::internal)?;
    Ok(Json(TierStatistics {
        as_of,
        rule_set: label,
        rows: rows(counts),
        total,
    }))
}

/// Active members of the cultivation pool, by province and tier.
#[utoipa::path(
    get, path = "/api/statistics/pool", tag = "statistics",
    responses(
        (status = 200, description = "Counts", body = PoolStatistics),
        (status = 403, description = "The role does not read statistics", body = ErrorBody),
    )
)]
pub async fn pool_statistics(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<PoolStatistics>, ApiError> {
    caller.require(Capability::ReadStatistics)?;
    let mut counts = BTreeMap::new();
    let mut total = 0;
    let mut offset = 0;
    loop {
        let page = state
            .db
            .pool_members(&PoolFilter {
                scope: caller.scope.clone(),
                status: Some(MemberStatus::Active),
                tier: None,
                cycle: None,
                province: None,
                page: Page {
                    offset,
                    limit: 1000,
                },
            })
            .await?;
        for member in &page.items {
            let province = member.placement.province.map(|p| p.to_string());
            *counts.entry((province, member.tier.clone())).or_insert(0) += 1;
            total += 1;
        }
        offset += page.items.len() as u64;
        if page.items.is_empty() || offset >= page.total {
            break;
        }
    }
    Ok(Json(PoolStatistics {
        rows: rows(counts),
        total,
    }))
}
