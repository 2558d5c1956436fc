//! 企业注册: an enterprise registers itself (`/register`, no sign-in), and
//! the city or zone official checks the registrations in their
//! jurisdiction (`/registrations`): activates one — its account is created,
//! bound to its ledger record — or rejects it with a written reason. Both
//! go through the API's own functions (`register`, `list_registrations`,
//! `activate_registration`, `reject_registration`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use hatchery_core::workflow::RegistrationState;
use hatchery_server::ApiError;
use hatchery_server::AppState;
use hatchery_server::auth::{cookie, new_secret};
use hatchery_server::extract::{Json, Path, Query as ApiQuery};
use hatchery_server::routes::registrations::{
    Activate, Register, RegistrationQuery, RegistrationView, Reject, activate_registration,
    get_registration, list_registrations, register, reject_registration,
};
use hatchery_server::routes::session::client_of;
use serde::{Deserialize, Serialize};

use super::{division_name, failure, refusal};
use crate::format;
use crate::i18n::Lang;
use crate::session::{Member, Visitor};
use crate::site::{Chrome, Site};

/// The sign-up form's own CSRF cookie (no session yet), for `/register` only.
pub const REGISTER_COOKIE: &str = "hatchery_register";

/// The sign-up form as posted (and as shown again).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct RegisterForm {
    #[serde(default)]
    pub uscc: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub zone: String,
    #[serde(default)]
    pub founded: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub username: String,
    /// Never shown again.
    #[serde(default, skip_serializing)]
    pub password: String,
    #[serde(default)]
    pub truthful: String,
    #[serde(default, skip_serializing)]
    pub csrf: String,
}

#[derive(Debug, Serialize)]
struct RegisterPage {
    form: RegisterForm,
    /// A problem with the whole form (its key).
    problem: Option<&'static str>,
    /// Problems by field, as message keys.
    errors: BTreeMap<String, &'static str>,
    /// The form's own CSRF token.
    token: String,
    /// Filed: the registration's number and username.
    filed: Option<(i64, String)>,
}

/// The message key of a registration problem's code.
fn problem_key(code: &str) -> &'static str {
    match code {
        "required" => "register.required",
        "invalid_uscc" => "register.invalid_uscc",
        "registered_uscc" | "duplicate" => "register.registered_uscc",
        "invalid_name" | "invalid_contact_name" => "register.invalid_text",
        "invalid_region" => "register.invalid_region",
        "invalid_zone" => "register.invalid_zone",
        "invalid_founded" => "register.invalid_founded",
        "invalid_phone" => "register.invalid_phone",
        "invalid_email" => "register.invalid_email",
        "invalid_username" => "register.invalid_username",
        "taken_username" => "register.taken_username",
        "weak_password" => "register.weak_password",
        "declaration_required" => "register.truthful_required",
        "invalid_reason" => "register.check.reason_required",
        _ => "register.invalid_text",
    }
}

/// Every field the API named in `details.problems`, with its message key.
fn problems(error: &ApiError) -> BTreeMap<String, &'static str> {
    let mut fields = BTreeMap::new();
    if let Some(list) = error
        .details()
        .and_then(|d| d.get("problems"))
        .and_then(|p| p.as_array())
    {
        for p in list {
            let field = p.get("field").and_then(|f| f.as_str()).unwrap_or("");
            let code = p.get("code").and_then(|c| c.as_str()).unwrap_or("");
            fields
                .entry(field.to_owned())
                .or_insert_with(|| problem_key(code));
        }
    }
    fields
}

fn render(
    site: &Site,
    state: &AppState,
    lang: Lang,
    page: RegisterPage,
    status: StatusCode,
) -> Response {
    let chrome = Chrome::new(lang, "register.title", "register", "/register");
    let token = page.token.clone();
    site.pre_session_form(
        state,
        status,
        "register.html",
        chrome,
        page,
        &token,
        REGISTER_COOKIE,
        "/register",
    )
}

/// `GET /register`.
pub async fn form(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    visitor: Visitor,
) -> Response {
    let page = RegisterPage {
        form: RegisterForm::default(),
        problem: None,
        errors: BTreeMap::new(),
        token: new_secret(),
        filed: None,
    };
    render(&site, &state, visitor.lang, page, StatusCode::OK)
}

/// `POST /register`: the API's own registration (checks, throttling), then
/// the page saying what happens next; a refused form comes back with every
/// problem beside its field and everything typed but the password.
pub async fn submit(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    visitor: Visitor,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<RegisterForm>,
) -> Response {
    let mut page = RegisterPage {
        form: form.clone(),
        problem: None,
        errors: BTreeMap::new(),
        token: new_secret(),
        filed: None,
    };
    let expected = cookie(&headers, REGISTER_COOKIE);
    if form.csrf.is_empty() || expected.as_deref() != Some(form.csrf.as_str()) {
        page.problem = Some("register.expired_form");
        return render(&site, &state, visitor.lang, page, StatusCode::FORBIDDEN);
    }
    let client = client_of(&state, connect, &headers);
    let zone = form.zone.trim();
    let request = Register {
        uscc: form.uscc.clone(),
        name: form.name.clone(),
        region: form.region.clone(),
        zone: (!zone.is_empty()).then(|| zone.to_owned()),
        founded: form.founded.clone(),
        contact_name: form.contact_name.clone(),
        contact_phone: form.contact_phone.clone(),
        contact_email: Some(form.contact_email.clone()),
        username: form.username.clone(),
        password: form.password,
        truthful: !form.truthful.is_empty(),
    };
    match register(&state, client, request).await {
        Ok(registration) => {
            page.form = RegisterForm::default();
            page.filed = Some((registration.id.0, registration.username.to_string()));
            render(&site, &state, visitor.lang, page, StatusCode::OK)
        }
        Err(error) => {
            error.log_if_server_error();
            let status = error.status();
            page.errors = problems(&error);
            if page.errors.is_empty() {
                page.problem = Some(match error.code() {
                    "too_many_attempts" => "register.throttled",
                    _ if status == StatusCode::SERVICE_UNAVAILABLE => "signin.busy",
                    _ => "error.internal_text",
                });
            } else {
                page.problem = Some("register.correct_below");
            }
            render(&site, &state, visitor.lang, page, status)
        }
    }
}

// ------------------------------------------------------------ the official

/// Which registrations to show.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// `all`: every registration, not only the pending ones.
    #[serde(default)]
    pub view: String,
    /// What was just done: `activated`, `rejected`.
    #[serde(default)]
    pub done: String,
}

/// An activation or rejection as posted.
#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    /// `activate` or `reject`.
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub csrf: String,
}

#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    version: i64,
    uscc: String,
    name: String,
    region: String,
    zone: String,
    founded: String,
    contact: String,
    username: String,
    /// The state's message key.
    state: String,
    pending: bool,
    reason: String,
    enterprise: String,
    filed: String,
}

#[derive(Debug, Serialize)]
struct ListPage {
    rows: Vec<Row>,
    all: bool,
    /// One registration only (its own page).
    single: bool,
    done: Option<&'static str>,
    problem: Option<&'static str>,
    /// The registration a refused decision was about, with what was typed.
    failed: Option<i64>,
    typed: String,
    errors: BTreeMap<String, &'static str>,
}

fn row(r: &RegistrationView, lang: Lang) -> Row {
    let contact = [
        r.contact_name.as_str(),
        r.contact_phone.as_str(),
        r.contact_email.as_deref().unwrap_or(""),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    Row {
        id: r.id,
        version: r.version,
        uscc: r.uscc.clone(),
        name: r.name.clone(),
        region: division_name(&r.region, lang),
        zone: r.zone.clone().unwrap_or_default(),
        founded: r.founded.clone(),
        contact,
        username: r.username.clone(),
        state: format!("register.check.state_{}", r.state.as_str()),
        pending: r.state == RegistrationState::Pending,
        reason: r.reason.clone().unwrap_or_default(),
        enterprise: r.enterprise.clone().unwrap_or_default(),
        filed: format::date(r.created_at.to_zoned(jiff::tz::TimeZone::UTC).date(), lang),
    }
}

fn blank(all: bool) -> ListPage {
    ListPage {
        rows: Vec::new(),
        all,
        single: false,
        done: None,
        problem: None,
        failed: None,
        typed: String::new(),
        errors: BTreeMap::new(),
    }
}

async fn render_list(
    state: &AppState,
    site: &Site,
    member: &Member,
    mut page: ListPage,
    only: Option<i64>,
    status: StatusCode,
) -> Response {
    let chrome = Chrome::member(member, "register.check.title", "registrations");
    let lang = member.lang;
    if let Some(id) = only {
        match get_registration(State(state.clone()), member.caller.clone(), Path(id)).await {
            Ok(Json(one)) => page.rows = vec![row(&one, lang)],
            Err(error) => return failure(site, &chrome, &error),
        }
        page.single = true;
    } else {
        let listed = list_registrations(
            State(state.clone()),
            member.caller.clone(),
            ApiQuery(RegistrationQuery {
                state: (!page.all).then_some(RegistrationState::Pending),
                page: None,
                per_page: Some(100.min(state.settings.limits.max_page_size)),
            }),
        )
        .await;
        match listed {
            Ok(Json(listed)) => page.rows = listed.items.iter().map(|r| row(r, lang)).collect(),
            Err(error) => return failure(site, &chrome, &error),
        }
    }
    site.page(status, "registrations.html", &chrome, page)
}

/// `GET /registrations`: the pending registrations in the official's
/// jurisdiction (`?view=all`: every one).
pub async fn list(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<ListQuery>,
) -> Response {
    let mut page = blank(query.view == "all");
    page.done = match query.done.as_str() {
        "activated" => Some("register.check.activated"),
        "rejected" => Some("register.check.rejected"),
        _ => None,
    };
    render_list(&state, &site, &member, page, None, StatusCode::OK).await
}

/// `GET /registrations/{id}`: one registration (the not-found page outside
/// the jurisdiction).
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Response {
    render_list(
        &state,
        &site,
        &member,
        blank(true),
        Some(id),
        StatusCode::OK,
    )
    .await
}

/// `POST /registrations/{id}/decide`: activate, or reject with a reason.
pub async fn decide(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Response {
    if !member.csrf_ok(&form.csrf) {
        let chrome = Chrome::member(&member, "error.forbidden", "");
        return super::error_page(&site, &chrome, StatusCode::FORBIDDEN);
    }
    let version: i64 = form.version.parse().unwrap_or(-1);
    let caller = member.caller.clone();
    let outcome = match form.decision.as_str() {
        "activate" => activate_registration(
            State(state.clone()),
            caller,
            Path(id),
            Json(Activate { version }),
        )
        .await
        .map(|_| "activated"),
        _ => reject_registration(
            State(state.clone()),
            caller,
            Path(id),
            Json(Reject {
                version,
                reason: form.reason.clone(),
            }),
        )
        .await
        .map(|_| "rejected"),
    };
    match outcome {
        Ok(done) => Redirect::to(&format!("/registrations?done={done}")).into_response(),
        Err(error)
            if error.status() == StatusCode::NOT_FOUND
                || error.status() == StatusCode::FORBIDDEN =>
        {
            let chrome = Chrome::member(&member, "register.check.title", "registrations");
            failure(&site, &chrome, &error)
        }
        Err(error) => {
            let mut page = blank(false);
            page.failed = Some(id);
            page.typed = form.reason;
            page.errors = problems(&error);
            page.problem = Some(if page.errors.is_empty() {
                refusal(&error)
            } else {
                "register.correct_below"
            });
            render_list(&state, &site, &member, page, Some(id), error.status()).await
        }
    }
}
