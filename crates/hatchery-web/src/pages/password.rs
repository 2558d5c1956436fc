//! Changing one's own password: forced at the first sign-in of an account
//! whose password an administrator set.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Extension, Form};
use hatchery_server::AppState;
use hatchery_server::password::{PasswordError, check_policy};
use hatchery_server::routes::session::{PasswordChange, change_own_password, client_of};
use serde::{Deserialize, Serialize};

use crate::session::{PasswordChanger, clear_session_cookies, signin_redirect};
use crate::site::{Chrome, Site};

/// The form as posted.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub current: String,
    #[serde(default)]
    pub new: String,
    #[serde(default)]
    pub confirm: String,
    #[serde(default)]
    pub csrf: String,
}

#[derive(Debug, Serialize, Default)]
struct PasswordPage {
    /// Whether the change is forced (the administrator set the password).
    forced: bool,
    problem: Option<&'static str>,
    errors: BTreeMap<&'static str, &'static str>,
}

fn chrome(changer: &PasswordChanger) -> Chrome {
    Chrome::member(&changer.0, "password.title", "password")
}

/// `GET /account/password`.
pub async fn form(Extension(site): Extension<Arc<Site>>, changer: PasswordChanger) -> Response {
    let page = PasswordPage {
        forced: changer.0.caller.account.must_change_password,
        ..PasswordPage::default()
    };
    site.page(StatusCode::OK, "password.html", &chrome(&changer), page)
}

/// The message key for a password the policy refuses.
fn policy_problem(error: &PasswordError) -> &'static str {
    match error {
        PasswordError::Length => "password.length",
        PasswordError::Blank => "password.blank",
        PasswordError::HasUsername => "password.has_username",
        PasswordError::Common => "password.common",
        _ => "password.refused",
    }
}

/// `POST /account/password`: the API's own password change; every session
/// ends, and the browser signs in again with the new password.
pub async fn submit(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    changer: PasswordChanger,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let member = &changer.0;
    let mut page = PasswordPage {
        forced: member.caller.account.must_change_password,
        ..PasswordPage::default()
    };
    if !member.csrf_ok(&form.csrf) {
        page.problem = Some("form.expired");
        return site.page(
            StatusCode::FORBIDDEN,
            "password.html",
            &chrome(&changer),
            page,
        );
    }
    if form.current.is_empty() {
        page.errors.insert("current", "password.current_required");
    }
    // The policy is the API's own (`check_policy`), asked here only to say
    // which rule the new password breaks, beside its field.
    if let Err(error) = check_policy(&form.new, Some(member.caller.account.username.as_str())) {
        page.errors.insert("new", policy_problem(&error));
    } else if form.new == form.current {
        page.errors.insert("new", "password.same");
    }
    if form.confirm != form.new {
        page.errors.insert("confirm", "password.mismatch");
    }
    if !page.errors.is_empty() {
        return site.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "password.html",
            &chrome(&changer),
            page,
        );
    }
    let client = client_of(&state, connect, &headers);
    let change = PasswordChange {
        current_password: form.current,
        new_password: form.new,
    };
    match change_own_password(&state, &member.caller, client, change).await {
        Ok(()) => {
            site.idle.forget(member.credential.id);
            let mut response = signin_redirect("/", Some("password_changed"));
            clear_session_cookies(&state, &mut response);
            response
        }
        Err(error) => {
            error.log_if_server_error();
            let status = error.status();
            match error.code() {
                "unauthenticated" => {
                    page.errors.insert("current", "password.current_wrong");
                }
                "too_many_attempts" => page.problem = Some("signin.throttled"),
                "weak_password" => {
                    page.errors.insert("new", "password.refused");
                }
                _ => page.problem = Some("error.internal_text"),
            }
            site.page(status, "password.html", &chrome(&changer), page)
        }
    }
}
