//! Signing in and out, the current account, password changes and API tokens.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hatchery_core::workflow::Username;
use hatchery_store::workflow::{AccountChange, CredentialKind, NewCredential};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, SESSION_COOKIE, new_secret, secret_hash};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::views::{AccountView, ScopeView, TokenView};

/// Credentials to sign in with.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// A new browser session. The session itself travels in an HttpOnly cookie.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub account: AccountView,
    pub scope: ScopeView,
    /// Send this as `X-CSRF-Token` with every write made with the cookie.
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// The account making the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhoAmI {
    pub account: AccountView,
    pub scope: ScopeView,
    /// `session` or `api_token`.
    pub via: String,
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// 12 to 128 characters.
    pub new_password: String,
}

/// An API token to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// What the token is for (1–100 characters).
    pub name: String,
    /// Days it lasts (default and maximum: the configured token lifetime).
    pub days: Option<u32>,
}

/// A new API token: the secret is shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    pub name: String,
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    pub expires_at: Timestamp,
}

fn session_cookie(state: &AppState, value: &str, max_age: i64) -> Result<HeaderValue, ApiError> {
    let secure = if state.settings.auth.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    ))
    .map_err(ApiError::internal)
}

/// Throttling keys of a login attempt: the username, and the client address
/// when the server knows it.
fn throttle_keys(username: &str, peer: Option<std::net::SocketAddr>) -> Vec<String> {
    let mut keys = vec![format!("user:{username}")];
    if let Some(peer) = peer {
        keys.push(format!("ip:{}", peer.ip()));
    }
    keys
}

/// Sign in: starts a browser session.
#[utoipa::path(
    post, path = "/api/session", tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SessionView),
        (status = 401, description = "Wrong username or password", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    connect: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    Json(request): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let auth = &state.settings.auth;
    let window = SignedDuration::from_mins(i64::from(auth.throttle_minutes));
    let since = now.checked_sub(window).unwrap_or(now);
    let keys = throttle_keys(&request.username, connect.map(|c| (c.0).0));
    for key in &keys {
        let limit = if key.starts_with("user:") {
            auth.max_failures_per_user
        } else {
            auth.max_failures_per_address
        };
        if state.db.login_failures(key, since).await? >= limit {
            return Err(ApiError::too_many(
                "too many failed sign-ins; wait before trying again",
                window.as_secs().unsigned_abs(),
            ));
        }
    }
    let found = match Username::parse(&request.username) {
        Ok(username) => state.db.account_for_login(&username).await?,
        Err(_) => None,
    };
    let (account, hash) = match found {
        Some((account, hash)) => (Some(account), Some(hash)),
        None => (None, None),
    };
    let verified = state.passwords.verify_async(request.password, hash).await;
    let account = match account {
        Some(account) if verified && !account.disabled => account,
        _ => {
            state.db.record_login_failure(&keys, now).await?;
            tracing::info!(username = %request.username, "failed sign-in");
            return Err(ApiError::unauthenticated("wrong username or password"));
        }
    };
    state.db.clear_login_failures(&keys[0]).await?;
    let secret = new_secret();
    let csrf = new_secret();
    let lifetime = SignedDuration::from_hours(i64::from(auth.session_hours));
    let expires_at = now.checked_add(lifetime).map_err(ApiError::internal)?;
    state
        .db
        .create_credential(&NewCredential {
            kind: CredentialKind::Session,
            account: account.id,
            secret_hash: secret_hash(&secret),
            csrf_hash: Some(secret_hash(&csrf)),
            name: None,
            created_at: now,
            expires_at,
        })
        .await?;
    tracing::info!(account = %account.id, "signed in");
    let scope = account.scope();
    let body = SessionView {
        account: (&account).into(),
        scope: (&scope).into(),
        csrf_token: csrf,
        expires_at,
    };
    let mut response = Json(body).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&state, &secret, lifetime.as_secs())?,
    );
    Ok(response)
}

/// The account making the request.
#[utoipa::path(
    get, path = "/api/session", tag = "session",
    responses(
        (status = 200, description = "The signed-in account", body = WhoAmI),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn whoami(caller: Caller) -> Json<WhoAmI> {
    Json(WhoAmI {
        account: (&caller.account).into(),
        scope: (&caller.scope).into(),
        via: match caller.via {
            CredentialKind::Session => "session".into(),
            CredentialKind::ApiToken => "api_token".into(),
        },
    })
}

/// Sign out: revokes the session (or the token) used for this request.
#[utoipa::path(
    delete, path = "/api/session", tag = "session",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    state
        .db
        .revoke_credential(caller.account.id, caller.credential, state.clock.now())
        .await?;
    state.credentials.forget_all();
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0)?);
    Ok(response)
}

/// Changes one's own password; every session and token of the account is revoked.
#[utoipa::path(
    post, path = "/api/session/password", tag = "session",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; sign in again"),
        (status = 401, description = "Not signed in, or the current password is wrong", body = ErrorBody),
        (status = 422, description = "The new password breaks the policy", body = ErrorBody),
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    Json(change): Json<PasswordChange>,
) -> Result<Response, ApiError> {
    let (account, hash) = state
        .db
        .account_for_login(&caller.account.username)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !state
        .passwords
        .verify_async(change.current_password, Some(hash))
        .await
    {
        return Err(ApiError::unauthenticated("the current password is wrong"));
    }
    let new_hash = state
        .passwords
        .hash_async(change.new_password)
        .await
        .map_err(|e| ApiError::invalid("weak_password", e.to_string()))?;
    let now = state.clock.now();
    state
        .db
        .update_account(
            account.id,
            account.version,
            &AccountChange {
                password_hash: Some(new_hash),
                ..AccountChange::default()
            },
            &caller.acting(now),
        )
        .await?;
    state.credentials.forget_all();
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0)?);
    Ok(response)
}

/// One's own live API tokens.
#[utoipa::path(
    get, path = "/api/tokens", tag = "session",
    responses(
        (status = 200, description = "Live tokens", body = Vec<TokenView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    let tokens = state
        .db
        .api_tokens(caller.account.id, state.clock.now())
        .await?;
    Ok(Json(tokens.iter().map(TokenView::from).collect()))
}

/// Creates an API token for the calling account.
#[utoipa::path(
    post, path = "/api/tokens", tag = "session",
    request_body = TokenRequest,
    responses(
        (status = 201, description = "Created; the token is shown this once", body = CreatedToken),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "Bad name or lifetime", body = ErrorBody),
    )
)]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Json(request): Json<TokenRequest>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let name = request.name.trim().to_owned();
    if !(1..=100).contains(&name.chars().count()) || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "invalid_name",
            "a token's name has 1 to 100 printable characters",
        ));
    }
    let max = state.settings.auth.token_days;
    let days = request.days.unwrap_or(max);
    if !(1..=max).contains(&days) {
        return Err(ApiError::invalid(
            "invalid_lifetime",
            format!("a token lasts 1 to {max} days"),
        ));
    }
    let now = state.clock.now();
    let expires_at = now
        .checked_add(SignedDuration::from_hours(24 * i64::from(days)))
        .map_err(ApiError::internal)?;
    let secret = new_secret();
    let credential = state
        .db
        .create_credential(&NewCredential {
            kind: CredentialKind::ApiToken,
            account: caller.account.id,
            secret_hash: secret_hash(&secret),
            csrf_hash: None,
            name: Some(name.clone()),
            created_at: now,
            expires_at,
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id: credential.id,
            name,
            token: secret,
            expires_at,
        }),
    ))
}

/// Revokes one of one's own API tokens.
#[utoipa::path(
    delete, path = "/api/tokens/{id}", tag = "session",
    params(("id" = i64, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such live token of yours", body = ErrorBody),
    )
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let tokens = state
        .db
        .api_tokens(caller.account.id, state.clock.now())
        .await?;
    // Only API tokens are revoked here; sessions end with DELETE /api/session.
    if !tokens.iter().any(|t| t.id == id) {
        return Err(ApiError::not_found());
    }
    if state
        .db
        .revoke_credential(caller.account.id, id, state.clock.now())
        .await?
    {
        state.credentials.forget_all();
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}
