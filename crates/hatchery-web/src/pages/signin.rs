//! Signing in and out, and the language switch.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use hatchery_server::AppState;
use hatchery_server::auth::{cookie, new_secret};
use hatchery_server::routes::session::{
    client_of, session_cookie, set_own_language, sign_in, sign_out as end_session,
};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::session::{
    CSRF_COOKIE, LANG_COOKIE, Member, SIGNIN_COOKIE, Visitor, clear_session_cookies, safe_next,
    set_cookie, signin_redirect,
};
use crate::site::{Chrome, Site};

/// The sign-in page's query.
#[derive(Debug, Default, Deserialize)]
pub struct SigninQuery {
    /// Where to go once signed in.
    #[serde(default)]
    pub next: String,
    /// Why the browser is here: `idle`, `signed_out`, `password_changed`.
    #[serde(default)]
    pub why: String,
}

/// The sign-in form as posted.
#[derive(Debug, Deserialize)]
pub struct SigninForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub next: String,
    #[serde(default)]
    pub csrf: String,
}

#[derive(Debug, Serialize)]
struct SigninPage {
    username: String,
    next: String,
    /// A notice key (why the browser is here), if any.
    notice: Option<&'static str>,
    /// A problem with the whole form (its key).
    problem: Option<String>,
    /// Problems by field, as message keys.
    errors: BTreeMap<&'static str, &'static str>,
    /// The official's reason, when the account's registration was rejected.
    reason: Option<String>,
    /// The form's own CSRF token.
    token: String,
}

fn notice(why: &str) -> Option<&'static str> {
    match why {
        "idle" => Some("signin.idle"),
        "signed_out" => Some("signin.signed_out"),
        "password_changed" => Some("signin.password_changed"),
        _ => None,
    }
}

fn render(
    site: &Site,
    state: &AppState,
    lang: Lang,
    page: SigninPage,
    status: StatusCode,
) -> Response {
    let chrome = Chrome::new(lang, "signin.title", "signin", "/signin");
    let token = page.token.clone();
    site.pre_session_form(
        state,
        status,
        "signin.html",
        chrome,
        page,
        &token,
        SIGNIN_COOKIE,
        "/signin",
    )
}

/// `GET /signin`.
pub async fn form(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    visitor: Visitor,
    Query(query): Query<SigninQuery>,
) -> Response {
    let next = if safe_next(&query.next) {
        query.next
    } else {
        String::new()
    };
    if visitor.member.is_some() {
        return Redirect::to(if next.is_empty() { "/" } else { &next }).into_response();
    }
    let page = SigninPage {
        username: String::new(),
        next,
        notice: notice(&query.why),
        problem: None,
        errors: BTreeMap::new(),
        reason: None,
        token: new_secret(),
    };
    render(&site, &state, visitor.lang, page, StatusCode::OK)
}

/// `POST /signin`: the API's own sign-in (throttling included), then the
/// session's cookies and the page it wanted.
pub async fn submit(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    visitor: Visitor,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<SigninForm>,
) -> Response {
    let next = if safe_next(&form.next) {
        form.next.clone()
    } else {
        String::new()
    };
    let mut page = SigninPage {
        username: form.username.clone(),
        next: next.clone(),
        notice: None,
        problem: None,
        errors: BTreeMap::new(),
        reason: None,
        token: new_secret(),
    };
    let expected = cookie(&headers, SIGNIN_COOKIE);
    if form.csrf.is_empty() || expected.as_deref() != Some(form.csrf.as_str()) {
        page.problem = Some("signin.expired_form".into());
        return render(&site, &state, visitor.lang, page, StatusCode::FORBIDDEN);
    }
    if form.username.trim().is_empty() {
        page.errors.insert("username", "signin.username_required");
    }
    if form.password.is_empty() {
        page.errors.insert("password", "signin.password_required");
    }
    if !page.errors.is_empty() {
        return render(
            &site,
            &state,
            visitor.lang,
            page,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let client = client_of(&state, connect, &headers);
    let session = match sign_in(&state, client, &form.username, form.password).await {
        Ok(session) => session,
        Err(error) => {
            error.log_if_server_error();
            let status = error.status();
            page.reason = error
                .details()
                .and_then(|d| d.get("reason"))
                .and_then(|r| r.as_str())
                .map(str::to_owned);
            page.problem = Some(
                match error.code() {
                    "unauthenticated" => "signin.wrong",
                    "too_many_attempts" => "signin.throttled",
                    "invalid_username" => "signin.wrong",
                    "registration_pending" => "register.pending_signin",
                    "registration_rejected" => "register.rejected_signin",
                    _ if status == StatusCode::SERVICE_UNAVAILABLE => "signin.busy",
                    _ => "error.internal_text",
                }
                .into(),
            );
            return render(&site, &state, visitor.lang, page, status);
        }
    };
    let target = if session.account.must_change_password {
        "/account/password".to_owned()
    } else if next.is_empty() {
        "/".to_owned()
    } else {
        next
    };
    let mut response = Redirect::to(&target).into_response();
    let cookies = [
        session_cookie(&state, &session.secret, session.max_age_seconds).ok(),
        set_cookie(
            &state,
            CSRF_COOKIE,
            &session.csrf_token,
            "/",
            session.max_age_seconds,
        ),
        set_cookie(&state, SIGNIN_COOKIE, "", "/signin", 0),
        // The account's language stays with this browser after sign-out.
        session
            .account
            .language
            .and_then(|language| lang_cookie(&state, Lang::of(language))),
    ];
    for value in cookies.into_iter().flatten() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// A form that posts only its CSRF token.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /signout`: ends the session everywhere.
pub async fn sign_out(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Form(form): Form<TokenForm>,
) -> Response {
    if !member.csrf_ok(&form.csrf) {
        let chrome = Chrome::member(&member, "error.forbidden", "");
        return super::error_page(&site, &chrome, StatusCode::FORBIDDEN);
    }
    if let Err(error) = end_session(&state, &member.caller).await {
        let chrome = Chrome::member(&member, "error.internal", "");
        return super::failure(&site, &chrome, &error);
    }
    site.idle.forget(member.credential.id);
    let mut response = signin_redirect("/", Some("signed_out"));
    clear_session_cookies(&state, &mut response);
    response
}

/// The language switch's query.
#[derive(Debug, Deserialize)]
pub struct SwitchQuery {
    #[serde(default)]
    pub next: String,
}

/// `GET /lang/{tag}`: remembers the language — in this browser, and for a
/// signed-in account in the account, for every browser it signs in from —
/// then goes back. A link, not a form: the session cookie is
/// `SameSite=Strict`, so another site cannot make a signed-in browser
/// follow it as the account.
pub async fn switch_language(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(tag): Path<String>,
    Query(query): Query<SwitchQuery>,
) -> Response {
    let Some(lang) = Lang::parse(&tag) else {
        return Redirect::to("/").into_response();
    };
    if let Some(member) = &visitor.member
        && let Err(error) = set_own_language(&state, &member.caller, Some(lang.language())).await
    {
        // The browser still switches; the account keeps its old choice.
        error.log_if_server_error();
    }
    let target = if safe_next(&query.next) {
        query.next.as_str()
    } else {
        "/"
    };
    let mut response = Redirect::to(target).into_response();
    if let Some(value) = lang_cookie(&state, lang) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The cookie remembering a language in this browser: a year; Lax, so that
/// a link from elsewhere still opens in the language.
fn lang_cookie(state: &AppState, lang: Lang) -> Option<axum::http::HeaderValue> {
    let secure = if state.settings.auth.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    axum::http::HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; SameSite=Lax; Path=/; Max-Age=31536000{secure}",
        lang.tag()
    ))
    .ok()
}
