//! Recommendation quotas: how many declarations a province may recommend
//! for a cycle and tier.

use axum::extract::State;
use hatchery_core::DivisionCode;
use hatchery_core::division::DivisionLevel;
use hatchery_core::workflow::{Capability, Placement};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use crate::views::QuotaView;

/// Which cycle's quotas.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QuotaQuery {
    pub cycle: i16,
}

/// A quota to set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetQuota {
    /// Most recommendations; null removes the quota.
    pub limit: Option<u32>,
}

fn may_read(caller: &Caller) -> Result<(), ApiError> {
    let roles = [
        Capability::ManageQuotas,
        Capability::Recommend,
        Capability::ReviewNationally,
    ];
    if roles.iter().any(|c| c.granted_to(caller.account.role)) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "a {} account does not read quotas",
            caller.account.role
        )))
    }
}

/// A cycle's quotas within the caller's jurisdiction.
#[utoipa::path(
    get, path = "/api/quotas", tag = "quotas",
    params(QuotaQuery),
    responses(
        (status = 200, description = "Quotas with their use", body = Vec<QuotaView>),
        (status = 403, description = "The role does not read quotas", body = ErrorBody),
    )
)]
pub async fn list_quotas(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<QuotaQuery>,
) -> Result<Json<Vec<QuotaView>>, ApiError> {
    may_read(&caller)?;
    let quotas = state.db.quotas(query.cycle).await?;
    Ok(Json(
        quotas
            .iter()
            .filter(|q| {
                caller
                    .scope
                    .covers_place(&Placement::of(Some(q.province), None))
            })
            .map(QuotaView::from)
            .collect(),
    ))
}

/// Sets or removes a province's quota for a cycle and tier.
#[utoipa::path(
    put, path = "/api/quotas/{cycle}/{province}/{tier}", tag = "quotas",
    params(
        ("cycle" = i16, Path, description = "The cycle (year)"),
        ("province" = String, Path, description = "The province's code"),
        ("tier" = String, Path, description = "The tier's key"),
    ),
    request_body = SetQuota,
    responses(
        (status = 200, description = "The quota now (null when removed)", body = Option<QuotaView>),
        (status = 403, description = "Only the ministry administrator sets quotas", body = ErrorBody),
        (status = 422, description = "Not a province, or a bad tier", body = ErrorBody),
    )
)]
pub async fn set_quota(
    State(state): State<AppState>,
    caller: Caller,
    Path((cycle, province, tier)): Path<(i16, String, String)>,
    Json(request): Json<SetQuota>,
) -> Result<Json<Option<QuotaView>>, ApiError> {
    caller.require(Capability::ManageQuotas)?;
    let province = DivisionCode::parse(&province)
        .ok()
        .filter(|p| p.level() == DivisionLevel::Province && p.name().is_some())
        .ok_or_else(|| {
            ApiError::invalid("invalid_province", format!("{province} is not a province"))
        })?;
    if !(2000..=2100).contains(&cycle) {
        return Err(ApiError::invalid(
            "invalid_cycle",
            "a cycle is a year from 2000 to 2100",
        ));
    }
    if tier.is_empty() || tier.len() > 64 {
        return Err(ApiError::invalid(
            "invalid_tier",
            "a tier key has 1 to 64 characters",
        ));
    }
    let quota = state
        .db
        .set_quota(
            province,
            cycle,
            &tier,
            request.limit,
            &caller.acting(state.clock.now()),
        )
        .await?;
    Ok(Json(quota.as_ref().map(QuotaView::from)))
}
