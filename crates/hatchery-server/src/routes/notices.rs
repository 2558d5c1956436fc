//! Public notices (公示): declarations that passed the ministry's review are
//! shown to every account, and anyone but the enterprise itself may object.

use axum::extract::State;
use axum::http::StatusCode;
use hatchery_core::workflow::{Command, DeclarationId, DeclarationState};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Paged, Path, Query, page_window};
use crate::routes::declarations::take_step;
use crate::routes::named::{named, named_page};
use crate::state::AppState;
use crate::views::NoticeView;
use hatchery_store::workflow::{Declaration, Page};

/// Which page of notices.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NoticeQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// An objection to lodge.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LodgeObjection {
    /// The version shown in the notice.
    pub version: i64,
    /// What is objected to, and why.
    pub reason: String,
}

/// Declarations under public notice, closing soonest first.
#[utoipa::path(
    get, path = "/api/notices", tag = "notices",
    params(NoticeQuery),
    responses(
        (status = 200, description = "A page of notices", body = Paged<NoticeView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn list_notices(
    State(state): State<AppState>,
    _caller: Caller,
    Query(query): Query<NoticeQuery>,
) -> Result<Json<Paged<NoticeView>>, ApiError> {
    let window = page_window(
        query.page,
        query.per_page,
        state.settings.limits.max_page_size,
    )?;
    public_notices(&state, window).await.map(Json)
}

/// The declarations under public notice, closing soonest first, as the
/// public sees them. The API lists them to any account; the web's public
/// 公示 page lists them to anyone.
pub async fn public_notices(state: &AppState, window: Page) -> Result<Paged<NoticeView>, ApiError> {
    let page = state.db.notices(window).await?;
    named_page(state, page, window, NoticeView::new)
        .await
        .map(|Json(paged)| paged)
}

/// The declaration `id` if it is under public notice, else 404.
async fn noticed(state: &AppState, id: i64) -> Result<Declaration, ApiError> {
    state
        .db
        .declaration(DeclarationId(id))
        .await?
        .filter(|d| d.state == DeclarationState::PublicNotice)
        .ok_or_else(ApiError::not_found)
}

/// One declaration under public notice, as the public sees it (404 when it
/// is not under notice): what the web's objection form shows.
pub async fn public_notice(state: &AppState, id: i64) -> Result<NoticeView, ApiError> {
    let declaration = noticed(state, id).await?;
    named(state, &declaration, NoticeView::new).await
}

/// Lodges an objection against a declaration under public notice.
#[utoipa::path(
    post, path = "/api/notices/{id}/objections", tag = "notices",
    params(("id" = i64, Path, description = "The declaration's id")),
    request_body = LodgeObjection,
    responses(
        (status = 201, description = "Lodged; the notice after it", body = NoticeView),
        (status = 403, description = "The role does not object, or it is the enterprise's own", body = ErrorBody),
        (status = 404, description = "No such declaration under public notice", body = ErrorBody),
        (status = 409, description = "Changed since read, or outside the notice period", body = ErrorBody),
        (status = 422, description = "No reason given", body = ErrorBody),
    )
)]
pub async fn lodge_objection(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(request): Json<LodgeObjection>,
) -> Result<(StatusCode, Json<NoticeView>), ApiError> {
    let declaration = noticed(&state, id).await?;
    let applied = take_step(
        &state,
        &caller,
        &declaration,
        request.version,
        &Command::Object {
            reason: request.reason,
        },
    )
    .await?;
    let view = named(&state, &applied, NoticeView::new).await?;
    Ok((StatusCode::CREATED, Json(view)))
}
