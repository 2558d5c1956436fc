//! 异议: the objection form of a public notice, for anyone. A signed-in
//! account objects as itself (any role but the analyst's and the auditor's;
//! never the enterprise's own); anyone else gives a name, a way to be
//! reached, the grounds, a declaration that it is true and, if they wish, a
//! file — no account needed. Either way the objector is shown to the
//! officials who resolve it, never to the enterprise. Lodged through the
//! API's `lodge_objection` or `lodge_public_objection`, at the version of
//! the notice shown.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{ConnectInfo, Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_server::auth::{cookie, new_secret};
use hatchery_server::extract::{Json, Path};
use hatchery_server::routes::enterprises::rule_set;
use hatchery_server::routes::notices::{
    AttachmentBytes, LodgeObjection, PublicObjectionRequest, lodge_objection,
    lodge_public_objection, public_notice,
};
use hatchery_server::routes::session::client_of;
use hatchery_server::views::NoticeView;
use hatchery_server::{ApiError, AppState};
use serde::{Deserialize, Serialize};

use super::{division_name, failure, field_problems, refusal, tier_name, visitor_chrome};
use crate::format;
use crate::i18n::Lang;
use crate::session::{Member, Visitor};
use crate::site::{Chrome, Site};

/// The public form's own CSRF cookie (no session), for `/publicity` only.
pub const OBJECTION_COOKIE: &str = "hatchery_objection";

/// Whether the objection was just lodged.
#[derive(Debug, Default, Deserialize)]
pub struct LodgedQuery {
    #[serde(default)]
    pub done: String,
}

/// What a member of the public typed (shown again when refused).
#[derive(Debug, Default, Clone, Serialize)]
struct Typed {
    name: String,
    contact: String,
    grounds: String,
    truthful: bool,
}

#[derive(Debug, Serialize)]
struct ObjectionPage {
    id: i64,
    version: i64,
    enterprise: String,
    tier: String,
    province: String,
    cycle: i16,
    period: String,
    /// Who lodges it when signed in: the account; `None`: the public form.
    who: Option<String>,
    typed: Typed,
    done: bool,
    problem: Option<&'static str>,
    errors: BTreeMap<String, &'static str>,
}

async fn page_of(
    state: &AppState,
    lang: Lang,
    member: Option<&Member>,
    notice: &NoticeView,
) -> Result<ObjectionPage, ApiError> {
    let rules = rule_set(state, None, None).await?.rules;
    Ok(ObjectionPage {
        id: notice.declaration,
        version: notice.version,
        enterprise: notice
            .enterprise_name
            .clone()
            .unwrap_or_else(|| notice.enterprise.clone()),
        tier: tier_name(&rules, &notice.tier, lang),
        province: notice
            .province
            .as_deref()
            .map(|p| division_name(p, lang))
            .unwrap_or_default(),
        cycle: notice.cycle,
        period: match (notice.notice_first, notice.notice_last) {
            (Some(first), Some(last)) => crate::i18n::catalog(lang).format(
                "publicity.from_to",
                &[
                    ("first", format::date(first, lang)),
                    ("last", format::date(last, lang)),
                ],
            ),
            _ => String::new(),
        },
        who: member.map(|m| m.caller.account.display_name.clone()),
        typed: Typed::default(),
        done: false,
        problem: None,
        errors: BTreeMap::new(),
    })
}

fn chrome(visitor: &Visitor) -> Chrome {
    visitor_chrome(visitor, "objection.form_title", "publicity")
}

/// Renders the page; the public form carries a fresh token of its own.
fn render(
    site: &Site,
    state: &AppState,
    visitor: &Visitor,
    page: ObjectionPage,
    status: StatusCode,
) -> Response {
    let chrome = chrome(visitor);
    if visitor.member.is_some() {
        return site.page(status, "objection.html", &chrome, page);
    }
    site.pre_session_form(
        state,
        status,
        "objection.html",
        chrome,
        page,
        &new_secret(),
        OBJECTION_COOKIE,
        "/publicity",
    )
}

/// `GET /publicity/{id}/object`.
pub async fn form(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(query): Query<LodgedQuery>,
) -> Response {
    let notice = match public_notice(&state, id).await {
        Ok(notice) => notice,
        Err(error) => return failure(&site, &chrome(&visitor), &error),
    };
    match page_of(&state, visitor.lang, visitor.member.as_ref(), &notice).await {
        Ok(mut page) => {
            page.done = query.done == "1";
            render(&site, &state, &visitor, page, StatusCode::OK)
        }
        Err(error) => failure(&site, &chrome(&visitor), &error),
    }
}

/// A posted form: its text fields and the file, if one was chosen.
#[derive(Debug, Default)]
struct Posted {
    fields: HashMap<String, String>,
    file: Option<AttachmentBytes>,
    /// The body could not be read whole (too large, or cut off).
    unreadable: bool,
}

impl Posted {
    fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

async fn read(mut multipart: Multipart) -> Posted {
    let mut posted = Posted::default();
    loop {
        match multipart.next_field().await {
            Ok(Some(part)) => {
                let name = part.name().unwrap_or_default().to_owned();
                let file_name = part.file_name().map(str::to_owned);
                let media_type = part.content_type().unwrap_or_default().to_owned();
                let Ok(bytes) = part.bytes().await else {
                    posted.unreadable = true;
                    break;
                };
                if name == "file" {
                    // A file input left empty still sends a part, nameless.
                    if let Some(file_name) = file_name.filter(|f| !f.is_empty()) {
                        posted.file = Some(AttachmentBytes {
                            file_name,
                            media_type,
                            content: bytes.to_vec(),
                        });
                    }
                } else {
                    posted
                        .fields
                        .insert(name, String::from_utf8_lossy(&bytes).into_owned());
                }
            }
            Ok(None) => break,
            Err(_) => {
                posted.unreadable = true;
                break;
            }
        }
    }
    posted
}

/// `POST /publicity/{id}/object` (multipart: `csrf`, `version`, `grounds`;
/// from the public also `name`, `contact`, `truthful` and `file`).
pub async fn lodge(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    visitor: Visitor,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Response {
    let notice = match public_notice(&state, id).await {
        Ok(notice) => notice,
        Err(error) => return failure(&site, &chrome(&visitor), &error),
    };
    let mut page = match page_of(&state, visitor.lang, visitor.member.as_ref(), &notice).await {
        Ok(page) => page,
        Err(error) => return failure(&site, &chrome(&visitor), &error),
    };
    let posted = read(multipart).await;
    page.typed = Typed {
        name: posted.text("name"),
        contact: posted.text("contact"),
        grounds: posted.text("grounds"),
        truthful: !posted.text("truthful").is_empty(),
    };
    let csrf = posted.text("csrf");
    let csrf_ok = match &visitor.member {
        Some(member) => member.csrf_ok(&csrf),
        None => {
            !csrf.is_empty() && cookie(&headers, OBJECTION_COOKIE).as_deref() == Some(csrf.as_str())
        }
    };
    if !csrf_ok {
        page.problem = Some("form.expired");
        return render(&site, &state, &visitor, page, StatusCode::FORBIDDEN);
    }
    if posted.unreadable {
        page.problem = Some("workflow.too_large");
        page.errors.insert("file".into(), "workflow.too_large");
        return render(&site, &state, &visitor, page, StatusCode::PAYLOAD_TOO_LARGE);
    }
    let version = posted.text("version").trim().parse().unwrap_or(-1);
    let lodged = match &visitor.member {
        Some(member) => lodge_objection(
            State(state.clone()),
            member.caller.clone(),
            Path(id),
            Json(LodgeObjection {
                version,
                reason: page.typed.grounds.clone(),
            }),
        )
        .await
        .map(|_| ()),
        None => {
            let client = client_of(&state, connect, &headers);
            let request = PublicObjectionRequest {
                version,
                name: page.typed.name.clone(),
                contact: page.typed.contact.clone(),
                grounds: page.typed.grounds.clone(),
                truthful: page.typed.truthful,
                attachment: None,
            };
            lodge_public_objection(&state, client, id, &request, posted.file)
                .await
                .map(|_| ())
        }
    };
    match lodged {
        Ok(()) => Redirect::to(&format!("/publicity/{id}/object?done=1")).into_response(),
        Err(error) => {
            let status = error.status();
            page.errors = field_problems(&error)
                .into_keys()
                .map(|field| {
                    let key = field_key(&field);
                    (field, key)
                })
                .collect();
            if error.code() == "invalid_reason" {
                page.errors
                    .insert("grounds".into(), "objection.grounds_required");
            }
            page.problem = Some(if !page.errors.is_empty() {
                "workflow.fix_below"
            } else {
                match error.code() {
                    "forbidden" => "objection.not_yours",
                    "too_many_attempts" => "objection.throttled",
                    _ => refusal(&error),
                }
            });
            render(&site, &state, &visitor, page, status)
        }
    }
}

/// The message beside a field the API found a problem with.
fn field_key(field: &str) -> &'static str {
    match field {
        "name" => "objection.name_required",
        "contact" => "objection.contact_invalid",
        "truthful" => "objection.truthful_required",
        "attachment" => "objection.attachment_invalid",
        _ => "objection.grounds_required",
    }
}
