//! Who is looking at a page: a visitor (maybe signed in) or a member (must
//! be). Sessions are the API's own — the same cookie, the same store rows,
//! the same checks (`hatchery_server::auth::live_credential`) — with what a
//! browser adds: the CSRF token in a hidden field of every form, an idle
//! timeout, and a redirect to the sign-in page that remembers where the
//! browser was going.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_core::workflow::CredentialId;
use hatchery_server::AppState;
use hatchery_server::auth::{
    Caller, SESSION_COOKIE, caller_of, cookie, csrf_matches, live_credential,
};
use hatchery_store::workflow::{Credential, CredentialKind};
use jiff::{SignedDuration, Timestamp};

use crate::i18n::Lang;
use crate::site::Site;

/// The cookie carrying the session's CSRF token to the server that renders
/// forms (HttpOnly: scripts never read it; pages put it in hidden fields).
pub const CSRF_COOKIE: &str = "hatchery_csrf";

/// The cookie remembering the chosen language.
pub const LANG_COOKIE: &str = "hatchery_lang";

/// The cookie of the sign-in form's own CSRF token (there is no session yet).
pub const SIGNIN_COOKIE: &str = "hatchery_signin";

/// The hidden field every form posts its CSRF token in.
pub const CSRF_FIELD: &str = "csrf";

/// When each browser session last asked for a page, to end idle ones.
///
/// Kept in this process: a server restart forgets it (the next request
/// counts as activity), and servers sharing a database each time a session
/// by the requests they see. An idle session is revoked in the store, so it
/// ends everywhere.
#[derive(Debug, Default)]
pub struct IdleClock {
    seen: Mutex<HashMap<CredentialId, Timestamp>>,
}

impl IdleClock {
    /// Records activity at `now`; false when the session had been idle longer
    /// than `limit` (it is then forgotten).
    pub fn touch(&self, credential: CredentialId, now: Timestamp, limit: SignedDuration) -> bool {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let idle = seen
            .get(&credential)
            .is_some_and(|last| now.duration_since(*last) > limit);
        if idle {
            seen.remove(&credential);
        } else {
            seen.insert(credential, now);
        }
        !idle
    }

    /// Forgets a session that ended.
    pub fn forget(&self, credential: CredentialId) {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&credential);
    }
}

/// The language of a request before its account is known: the cookie's,
/// else Chinese.
pub fn lang_of(parts: &Parts) -> Lang {
    cookie(&parts.headers, LANG_COOKIE)
        .and_then(|tag| Lang::parse(&tag))
        .unwrap_or_default()
}

/// Whether `next` is a page of this site to go back to after signing in:
/// a path starting with one `/`, no scheme, no host, no backslash, no
/// control character, not the API.
pub fn safe_next(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && !next.starts_with("/api")
        && next.len() <= 2000
}

/// The path and query a request asked for.
fn wanted(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned())
}

/// The sign-in page, remembering `next` when it is safe.
pub fn signin_redirect(next: &str, why: Option<&str>) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if safe_next(next) && next != "/" {
        query.append_pair("next", next);
    }
    if let Some(why) = why {
        query.append_pair("why", why);
    }
    let query = query.finish();
    let target = if query.is_empty() {
        "/signin".to_owned()
    } else {
        format!("/signin?{query}")
    };
    Redirect::to(&target).into_response()
}

/// `Set-Cookie` for a cookie of this site: HttpOnly, SameSite=Strict,
/// `Secure` per `auth.cookie_secure`; `max_age` 0 removes it.
pub fn set_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    path: &str,
    max_age: i64,
) -> Option<HeaderValue> {
    let secure = if state.settings.auth.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; HttpOnly; SameSite=Strict; Path={path}; Max-Age={max_age}{secure}"
    ))
    .ok()
}

/// Adds the cookies that end a session in this browser.
pub fn clear_session_cookies(state: &AppState, response: &mut Response) {
    for name in [SESSION_COOKIE, CSRF_COOKIE] {
        if let Some(value) = set_cookie(state, name, "", "/", 0) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
}

/// Anyone: signed in or not.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub lang: Lang,
    /// The signed-in member, if any (and if the password need not change first).
    pub member: Option<Member>,
    /// The path and query asked for.
    pub path: String,
}

/// A signed-in account with a live, recently used session.
#[derive(Debug, Clone)]
pub struct Member {
    pub caller: Caller,
    pub credential: Credential,
    /// The session's CSRF token, for the hidden field of every form.
    pub csrf: String,
    pub lang: Lang,
    pub path: String,
}

impl Member {
    /// Whether a posted form's CSRF token is this session's.
    pub fn csrf_ok(&self, sent: &str) -> bool {
        csrf_matches(&self.credential, Some(sent))
    }
}

/// Why a request has no member.
enum Absent {
    /// No cookie, or a dead session.
    SignedOut,
    /// The session had been idle too long (now revoked).
    Idle,
    /// The password must be changed first.
    MustChangePassword(Box<Member>),
}

async fn member_of(parts: &Parts, state: &AppState, site: &Site) -> Result<Member, Absent> {
    let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Err(Absent::SignedOut);
    };
    let (credential, account) = live_credential(state, &secret, CredentialKind::Session)
        .await
        .map_err(|_| Absent::SignedOut)?;
    let now = state.clock.now();
    let limit = SignedDuration::from_mins(i64::from(state.settings.auth.idle_minutes));
    if !site.idle.touch(credential.id, now, limit) {
        let caller = caller_of(&credential, account);
        if let Err(error) = hatchery_server::routes::session::sign_out(state, &caller).await {
            error.log_if_server_error();
        }
        tracing::info!(account = %caller.account.id, "idle session ended");
        return Err(Absent::Idle);
    }
    let csrf = cookie(&parts.headers, CSRF_COOKIE).unwrap_or_default();
    let must_change = account.must_change_password;
    // The account's own choice wins over this browser's cookie.
    let lang = account.language.map_or_else(|| lang_of(parts), Lang::of);
    let member = Member {
        caller: caller_of(&credential, account),
        credential,
        csrf,
        lang,
        path: wanted(parts),
    };
    if must_change {
        Err(Absent::MustChangePassword(Box::new(member)))
    } else {
        Ok(member)
    }
}

fn site_of(parts: &Parts) -> Option<Arc<Site>> {
    parts.extensions.get::<Arc<Site>>().cloned()
}

impl FromRequestParts<AppState> for Member {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(site) = site_of(parts) else {
            return Err(axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response());
        };
        match member_of(parts, state, &site).await {
            Ok(member) => Ok(member),
            Err(Absent::SignedOut) => Err(signin_redirect(&wanted(parts), None)),
            Err(Absent::Idle) => {
                let mut response = signin_redirect(&wanted(parts), Some("idle"));
                clear_session_cookies(state, &mut response);
                Err(response)
            }
            Err(Absent::MustChangePassword(_)) => {
                Err(Redirect::to("/account/password").into_response())
            }
        }
    }
}

/// A member whose password an administrator set: only the password page
/// and sign-out take it.
#[derive(Debug, Clone)]
pub struct PasswordChanger(pub Member);

impl FromRequestParts<AppState> for PasswordChanger {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(site) = site_of(parts) else {
            return Err(axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response());
        };
        match member_of(parts, state, &site).await {
            Ok(member) => Ok(Self(member)),
            Err(Absent::MustChangePassword(member)) => Ok(Self(*member)),
            Err(Absent::SignedOut) => Err(signin_redirect(&wanted(parts), None)),
            Err(Absent::Idle) => {
                let mut response = signin_redirect(&wanted(parts), Some("idle"));
                clear_session_cookies(state, &mut response);
                Err(response)
            }
        }
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let member = match site_of(parts) {
            Some(site) => member_of(parts, state, &site).await.ok(),
            None => None,
        };
        Ok(Self {
            lang: member.as_ref().map_or_else(|| lang_of(parts), |m| m.lang),
            member,
            path: wanted(parts),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_sites_pages_are_gone_back_to() {
        for good in ["/", "/enterprises?q=%E5%AD%97", "/enterprises/alpha"] {
            assert!(safe_next(good), "{good}");
        }
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "evil",
            "",
            "/api/session",
            "/a\nb",
        ] {
            assert!(!safe_next(bad), "{bad}");
        }
    }

    #[test]
    fn an_idle_session_ends() {
        let clock = IdleClock::default();
        let id = CredentialId(7);
        let limit = SignedDuration::from_mins(30);
        let start: Timestamp = "2025-03-03T01:00:00Z".parse().unwrap();
        assert!(clock.touch(id, start, limit));
        let later = start.checked_add(SignedDuration::from_mins(29)).unwrap();
        assert!(clock.touch(id, later, limit), "used within the limit");
        let much_later = later.checked_add(SignedDuration::from_mins(31)).unwrap();
        assert!(!clock.touch(id, much_later, limit), "idle past the limit");
    }
}
