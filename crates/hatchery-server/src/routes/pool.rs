//! The national cultivation pool, each province's view of it, and its
//! dynamic management: re-evaluation proposes, the member's province decides.

use axum::extract::State;
use hatchery_core::DivisionCode;
use hatchery_core::date::anniversary;
use hatchery_core::workflow::{Capability, ExitCause, PoolMemberId, ProposalId, ProposalKind};
use hatchery_store::workflow::{
    MemberEffect, MemberStatus, PoolFilter, PoolProposal, ProposalDecision, ProposalFilter,
    ProposalStatus,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Paged, Path, Query, page_window};
use crate::routes::enterprises::day;
use crate::routes::named::{named, named_page};
use crate::state::AppState;
use crate::views::{MemberView, ProposalStatusKey, ProposalView};
use hatchery_app::pool::{ReevaluationReport, reevaluate_pool};

/// Which memberships to list: a status, or all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatusFilter {
    Active,
    Exited,
    Superseded,
    All,
}

impl MemberStatusFilter {
    /// The status to filter by (`None`: every status).
    fn status(self) -> Option<MemberStatus> {
        match self {
            Self::Active => Some(MemberStatus::Active),
            Self::Exited => Some(MemberStatus::Exited),
            Self::Superseded => Some(MemberStatus::Superseded),
            Self::All => None,
        }
    }
}

/// Filters of the pool.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PoolQuery {
    /// Default `active`.
    pub status: Option<MemberStatusFilter>,
    pub tier: Option<String>,
    pub cycle: Option<i16>,
    /// Province code: one province's view of the pool.
    pub province: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// Filters of the proposals.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProposalQuery {
    /// Default all.
    pub status: Option<ProposalStatusKey>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// A re-evaluation to run.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reevaluate {
    /// `YYYY-MM-DD` (default today), at most a year ahead.
    pub as_of: Option<String>,
}

/// The province's decision on a proposal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideProposal {
    /// The version read.
    pub version: i64,
    /// Accept applies the proposal. For a re-review, accept renews the
    /// membership and refusing ends it (`re_review_failed`).
    pub accept: bool,
    pub reason: Option<String>,
}

/// The cultivation pool within the caller's jurisdiction.
#[utoipa::path(
    get, path = "/api/pool", tag = "pool",
    params(PoolQuery),
    responses(
        (status = 200, description = "A page of members", body = Paged<MemberView>),
        (status = 400, description = "Bad filter", body = ErrorBody),
        (status = 403, description = "The role reads statistics only", body = ErrorBody),
    )
)]
pub async fn list_members(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<PoolQuery>,
) -> Result<Json<Paged<MemberView>>, ApiError> {
    caller.require(Capability::ReadPool)?;
    let window = page_window(
        query.page,
        query.per_page,
        state.settings.limits.max_page_size,
    )?;
    let status = query.status.unwrap_or(MemberStatusFilter::Active).status();
    let province = query
        .province
        .as_deref()
        .map(DivisionCode::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request("invalid_query", e.to_string()))?;
    let page = state
        .db
        .pool_members(&PoolFilter {
            scope: caller.scope.clone(),
            status,
            tier: query.tier,
            cycle: query.cycle,
            province,
            page: window,
        })
        .await?;
    named_page(&state, page, window, MemberView::new).await
}

/// One member of the pool.
#[utoipa::path(
    get, path = "/api/pool/{id}", tag = "pool",
    params(("id" = i64, Path, description = "The membership's id")),
    responses(
        (status = 200, description = "The member", body = MemberView),
        (status = 403, description = "The role reads statistics only", body = ErrorBody),
        (status = 404, description = "No such member within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<PoolMemberId>,
) -> Result<Json<MemberView>, ApiError> {
    caller.require(Capability::ReadPool)?;
    let member = state
        .db
        .pool_member(id)
        .await?
        .filter(|m| caller.sees(&m.enterprise, &m.placement))
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(named(&state, &member, MemberView::new).await?))
}

/// Re-runs the engine for every active member and proposes changes to
/// their provinces.
#[utoipa::path(
    post, path = "/api/pool/reevaluations", tag = "pool",
    request_body = Reevaluate,
    responses(
        (status = 200, description = "What was proposed", body = ReevaluationReport),
        (status = 400, description = "Bad date", body = ErrorBody),
        (status = 403, description = "Only the ministry re-evaluates", body = ErrorBody),
        (status = 422, description = "The date is more than a year ahead", body = ErrorBody),
    )
)]
pub async fn run_reevaluation(
    State(state): State<AppState>,
    caller: Caller,
    Json(request): Json<Reevaluate>,
) -> Result<Json<ReevaluationReport>, ApiError> {
    caller.require(Capability::Reevaluate)?;
    // At most a year ahead: `reevaluate_pool` refuses later days.
    let as_of = day(&state, request.as_of.as_deref())?;
    let ledger = state.ledger().await?;
    state.rules.refresh(state.db.as_ref()).await?;
    let report = reevaluate_pool(
        state.db.as_ref(),
        &ledger.ledger,
        &state.rules,
        as_of,
        &caller.acting(state.clock.now()),
    )
    .await?;
    Ok(Json(report))
}

/// Proposals for members within the caller's jurisdiction, newest first.
#[utoipa::path(
    get, path = "/api/pool/proposals", tag = "pool",
    params(ProposalQuery),
    responses(
        (status = 200, description = "A page of proposals", body = Paged<ProposalView>),
        (status = 400, description = "Bad filter", body = ErrorBody),
        (status = 403, description = "The role does not read proposals", body = ErrorBody),
    )
)]
pub async fn list_proposals(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ProposalQuery>,
) -> Result<Json<Paged<ProposalView>>, ApiError> {
    caller.require(Capability::ReadProposals)?;
    let window = page_window(
        query.page,
        query.per_page,
        state.settings.limits.max_page_size,
    )?;
    let status = query.status.map(ProposalStatus::from);
    let page = state
        .db
        .proposals(&ProposalFilter {
            scope: caller.scope.clone(),
            status,
            page: window,
        })
        .await?;
    named_page(&state, page, window, ProposalView::new).await
}

async fn visible_proposal(
    state: &AppState,
    caller: &Caller,
    id: ProposalId,
) -> Result<PoolProposal, ApiError> {
    caller.require(Capability::ReadProposals)?;
    state
        .db
        .proposal(id)
        .await?
        .filter(|p| caller.sees(&p.enterprise, &p.placement))
        .ok_or_else(ApiError::not_found)
}

/// One proposal.
#[utoipa::path(
    get, path = "/api/pool/proposals/{id}", tag = "pool",
    params(("id" = i64, Path, description = "The proposal's id")),
    responses(
        (status = 200, description = "The proposal", body = ProposalView),
        (status = 403, description = "The role does not read proposals", body = ErrorBody),
        (status = 404, description = "No such proposal within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_proposal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ProposalId>,
) -> Result<Json<ProposalView>, ApiError> {
    let proposal = visible_proposal(&state, &caller, id).await?;
    Ok(Json(named(&state, &proposal, ProposalView::new).await?))
}

/// The member's province accepts or dismisses a proposal.
#[utoipa::path(
    post, path = "/api/pool/proposals/{id}/decision", tag = "pool",
    params(("id" = i64, Path, description = "The proposal's id")),
    request_body = DecideProposal,
    responses(
        (status = 200, description = "Decided", body = ProposalView),
        (status = 403, description = "Only the member's province decides", body = ErrorBody),
        (status = 404, description = "No such proposal within your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since read, already decided, or the member left", body = ErrorBody),
    )
)]
pub async fn decide_proposal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ProposalId>,
    Json(request): Json<DecideProposal>,
) -> Result<Json<ProposalView>, ApiError> {
    let proposal = visible_proposal(&state, &caller, id).await?;
    caller.require(Capability::DecideProposals)?;
    if proposal.status != ProposalStatus::Pending {
        return Err(ApiError::conflict(
            "already_decided",
            format!("the proposal is already {}", proposal.status.as_str()),
        ));
    }
    let reason = request
        .reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > 2000) {
        return Err(ApiError::invalid(
            "invalid_reason",
            "a reason has at most 2000 characters",
        ));
    }
    let today = state.today();
    let effect = match (&proposal.kind, request.accept) {
        (ProposalKind::Promotion { to, .. } | ProposalKind::Demotion { to, .. }, true) => {
            MemberEffect::SetTier(to.clone())
        }
        (ProposalKind::Exit { cause }, true) => MemberEffect::Exit {
            cause: *cause,
            on: today,
        },
        (ProposalKind::ReReview { .. }, true) => MemberEffect::Renew {
            valid_until: anniversary(today, state.settings.workflow.validity_years),
        },
        (ProposalKind::ReReview { .. }, false) => MemberEffect::Exit {
            cause: ExitCause::ReReviewFailed,
            on: today,
        },
        (_, false) => MemberEffect::None,
    };
    let decided = state
        .db
        .decide_proposal(
            id,
            request.version,
            &ProposalDecision {
                status: if request.accept {
                    ProposalStatus::Accepted
                } else {
                    ProposalStatus::Dismissed
                },
                reason,
                effect,
            },
            &caller.acting(state.clock.now()),
        )
        .await?;
    Ok(Json(named(&state, &decided, ProposalView::new).await?))
}
