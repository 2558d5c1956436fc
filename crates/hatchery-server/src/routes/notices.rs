//! Public notices (公示): declarations that passed the ministry's review are
//! shown to everyone, and anyone but the enterprise itself may object — an
//! account as itself, a member of the public with a name, a way to reach
//! them and, if they wish, a file (throttled per client address).

use std::net::{IpAddr, SocketAddr};

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use hatchery_core::workflow::{
    Command, DeclarationId, DeclarationState, PublicObjectorForm, check_evidence,
};
use hatchery_store::workflow::{NewAttachment, PublicObjection};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Paged, Path, Query, page_window};
use crate::routes::declarations::{take_public_objection, take_step};
use crate::routes::named::{named, named_page};
use crate::routes::registrations::{Problem, problems_error};
use crate::routes::session::client_of;
use crate::state::AppState;
use crate::throttle::AnonymousAct;
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

/// An objection from a member of the public, without an account.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicObjectionRequest {
    /// The version shown in the notice.
    #[serde(default)]
    pub version: i64,
    /// Who objects: a person's or an organisation's name (up to 100 characters).
    #[serde(default)]
    pub name: String,
    /// A telephone number or an e-mail address to reach them at.
    #[serde(default)]
    pub contact: String,
    /// What is objected to, and why (up to 2,000 characters).
    #[serde(default)]
    pub grounds: String,
    /// The objector declares that what they say is true (must be `true`).
    #[serde(default)]
    pub truthful: bool,
    /// A supporting file (PDF, PNG or JPEG), if any.
    #[serde(default)]
    pub attachment: Option<AttachmentUpload>,
}

/// A file sent inside a JSON body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentUpload {
    /// The file's name, as the objector's computer knows it.
    pub file_name: String,
    /// `application/pdf`, `image/png` or `image/jpeg`.
    pub media_type: String,
    /// The content, base64 (standard alphabet, padded).
    pub content_base64: String,
}

/// An attachment's bytes, decoded (the web form sends them as a file).
#[derive(Debug, Clone)]
pub struct AttachmentBytes {
    pub file_name: String,
    pub media_type: String,
    pub content: Vec<u8>,
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
    notices_page(&state, &query).await.map(Json)
}

async fn notices_page(
    state: &AppState,
    query: &NoticeQuery,
) -> Result<Paged<NoticeView>, ApiError> {
    let window = page_window(
        query.page,
        query.per_page,
        state.settings.limits.max_page_size,
    )?;
    public_notices(state, window).await
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

/// Declarations under public notice, closing soonest first, for anyone
/// (no sign-in: the notice is public).
#[utoipa::path(
    get, path = "/api/public/notices", tag = "notices",
    params(NoticeQuery),
    responses(
        (status = 200, description = "A page of notices", body = Paged<NoticeView>),
        (status = 422, description = "A page or page size out of range", body = ErrorBody),
    )
)]
pub async fn list_public_notices(
    State(state): State<AppState>,
    Query(query): Query<NoticeQuery>,
) -> Result<Json<Paged<NoticeView>>, ApiError> {
    notices_page(&state, &query).await.map(Json)
}

/// Lodges an objection without an account (no sign-in): who objects, how to
/// reach them, the grounds, a declaration of truthfulness and, if any, a
/// file. The objector is shown to the officials who resolve the objection,
/// never to the enterprise.
#[utoipa::path(
    post, path = "/api/public/notices/{id}/objections", tag = "notices",
    params(("id" = i64, Path, description = "The declaration's id")),
    request_body = PublicObjectionRequest,
    responses(
        (status = 201, description = "Lodged; the notice after it", body = NoticeView),
        (status = 404, description = "No such declaration under public notice", body = ErrorBody),
        (status = 409, description = "Changed since read, or outside the notice period", body = ErrorBody),
        (status = 422, description = "Every problem, each with its field (`details.problems`)", body = ErrorBody),
        (status = 429, description = "Too many objections from this address; wait `Retry-After` seconds", body = ErrorBody),
    )
)]
pub async fn lodge_public_objection_route(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(request): Json<PublicObjectionRequest>,
) -> Result<(StatusCode, Json<NoticeView>), ApiError> {
    let client = client_of(&state, connect, &headers);
    let attachment = match &request.attachment {
        None => None,
        Some(upload) => Some(AttachmentBytes {
            file_name: upload.file_name.clone(),
            media_type: upload.media_type.clone(),
            content: base64::engine::general_purpose::STANDARD
                .decode(upload.content_base64.trim())
                .map_err(|e| {
                    problems_error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &[(
                            "attachment",
                            "invalid_attachment",
                            format!("the content is not base64: {e}"),
                        )],
                    )
                })?,
        }),
    };
    let view = lodge_public_objection(&state, client, id, &request, attachment).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Lodges an objection from a member of the public: the API's and the web
/// form's one way in. Every problem with who objects, the grounds and the
/// file comes back at once with its field (422); past the limit of
/// objections from one address, 429.
pub async fn lodge_public_objection(
    state: &AppState,
    client: Option<IpAddr>,
    id: i64,
    request: &PublicObjectionRequest,
    attachment: Option<AttachmentBytes>,
) -> Result<NoticeView, ApiError> {
    let declaration = noticed(state, id).await?;
    let keys = state
        .throttle
        .anonymous_keys(AnonymousAct::PublicObjection, client);
    let now = state.clock.now();
    let ticket = if keys.is_empty() {
        None
    } else {
        Some(state.throttle.begin(state.db.as_ref(), &keys, now).await?)
    };
    let lodged = lodge_checked(state, &declaration, request, attachment).await;
    // Only objections that reached the store count against the address.
    if lodged.is_err()
        && let Some(ticket) = ticket
    {
        state.throttle.forget(state.db.as_ref(), ticket).await?;
    }
    let applied = lodged?;
    named(state, &applied, NoticeView::new).await
}

async fn lodge_checked(
    state: &AppState,
    declaration: &Declaration,
    request: &PublicObjectionRequest,
    attachment: Option<AttachmentBytes>,
) -> Result<Declaration, ApiError> {
    let mut problems: Vec<Problem> = Vec::new();
    let objector = PublicObjectorForm {
        name: request.name.clone(),
        contact: request.contact.clone(),
        truthful: request.truthful,
    }
    .check()
    .map_err(|found| {
        for p in found {
            let code = match (p.field, p.problem.as_str()) {
                (_, "required") => "required",
                ("contact", _) => "invalid_contact",
                ("truthful", _) => "not_declared_truthful",
                _ => "invalid_name",
            };
            problems.push((p.field, code, p.problem));
        }
    })
    .ok();
    if request.grounds.trim().is_empty() {
        problems.push(("grounds", "required", "required".to_owned()));
    }
    let limit = state.settings.workflow.max_evidence_bytes;
    let attachment = match attachment {
        None => None,
        Some(file) => match check_evidence(&file.file_name, &file.media_type, &file.content, limit)
        {
            Ok(checked) => Some(NewAttachment {
                name: checked.name,
                kind: checked.kind,
                sha256: checked.sha256,
                content: file.content,
            }),
            Err(e) => {
                problems.push(("attachment", "invalid_attachment", e.to_string()));
                None
            }
        },
    };
    let Some(objector) = objector.filter(|_| problems.is_empty()) else {
        return Err(problems_error(StatusCode::UNPROCESSABLE_ENTITY, &problems));
    };
    take_public_objection(
        state,
        declaration,
        request.version,
        &request.grounds,
        PublicObjection {
            objector,
            attachment,
        },
    )
    .await
}
