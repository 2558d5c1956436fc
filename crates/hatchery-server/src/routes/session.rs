//! Signing in and out, the current account, password changes and API tokens.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hatchery_core::workflow::{CredentialId, Language, Username};
use hatchery_store::workflow::{Account, AccountChange, CredentialKind, NewCredential};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, SESSION_COOKIE, new_secret, secret_hash};
use crate::client::client_address;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path};
use crate::password::check_policy;
use crate::state::AppState;
use crate::throttle::{Ticket, normalise_username, tag};
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
    /// 12 to 128 characters, not only spaces, not containing the username,
    /// not a common password, not the current one.
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
    #[schema(value_type = i64)]
    pub id: CredentialId,
    pub name: String,
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    pub expires_at: Timestamp,
}

/// The `Set-Cookie` value of a session secret (empty with `max_age` 0: the
/// cookie is removed): HttpOnly, SameSite=Strict, `Secure` per
/// `auth.cookie_secure`.
pub fn session_cookie(
    state: &AppState,
    value: &str,
    max_age: i64,
) -> Result<HeaderValue, ApiError> {
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

/// The client's address, as throttling sees it.
pub fn client_of(
    state: &AppState,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
) -> Option<std::net::IpAddr> {
    client_address(
        connect.map(|c| (c.0).0),
        headers,
        &state.settings.auth.trusted_proxies,
    )
}

/// Checks `password` against `hash` (`None`: a decoy check) in a hashing
/// slot. When no slot comes free the attempt is forgotten — no password was
/// checked — and the answer is 503 with `Retry-After`.
async fn verify_counted(
    state: &AppState,
    ticket: Ticket,
    password: String,
    hash: Option<String>,
) -> Result<(bool, Ticket), ApiError> {
    match state.passwords.verify_async(password, hash).await {
        Ok(verified) => Ok((verified, ticket)),
        Err(busy) => {
            state.throttle.forget(state.db.as_ref(), ticket).await?;
            Err(busy.into())
        }
    }
}

/// Sign in: starts a browser session.
#[utoipa::path(
    post, path = "/api/session", tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set. When `account.must_change_password`, only the password change and sign-out answer until it is changed", body = SessionView),
        (status = 401, description = "Wrong username or password", body = ErrorBody),
        (status = 403, description = "The username and password of a registration not activated yet (`registration_pending`) or rejected (`registration_rejected`, the reason in `details.reason`)", body = ErrorBody),
        (status = 413, description = "The body is larger than a sign-in can be", body = ErrorBody),
        (status = 422, description = "The username is longer than any username", body = ErrorBody),
        (status = 429, description = "Too many failed attempts at the account or from the address; see Retry-After", body = ErrorBody),
        (status = 503, description = "Too many passwords being checked; see Retry-After", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Json(request): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let client = client_of(&state, connect, &headers);
    let session = sign_in(&state, client, &request.username, request.password).await?;
    let scope = session.account.scope();
    let body = SessionView {
        account: (&session.account).into(),
        scope: (&scope).into(),
        csrf_token: session.csrf_token,
        expires_at: session.expires_at,
    };
    let mut response = Json(body).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&state, &session.secret, session.max_age_seconds)?,
    );
    Ok(response)
}

/// A session just started by [`sign_in`].
#[derive(Debug)]
pub struct NewSession {
    pub account: Account,
    /// The cookie's value (shown this once; the store keeps its hash).
    pub secret: String,
    /// The session's CSRF token (likewise).
    pub csrf_token: String,
    pub expires_at: Timestamp,
    /// The cookie's `Max-Age`.
    pub max_age_seconds: i64,
}

/// Signs in with a username and password: throttled per username and per
/// client address, checked in a hashing slot, and a session created. The
/// API's `POST /api/session` and the web sign-in page both call this.
pub async fn sign_in(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    username: &str,
    password: String,
) -> Result<NewSession, ApiError> {
    let now = state.clock.now();
    let auth = &state.settings.auth;
    let username = normalise_username(username)?;
    let keys = state.throttle.keys(&username, client);
    let ticket = state.throttle.begin(state.db.as_ref(), &keys, now).await?;
    let found = match Username::parse(&username) {
        Ok(username) => state.db.account_for_login(&username).await?,
        Err(_) => None,
    };
    // No account yet: a registration under the name may be waiting for its
    // official, or rejected; its registrant (the right password) is told.
    let registration = match (&found, Username::parse(&username)) {
        (None, Ok(name)) => state.db.registration_for_login(&name).await?,
        _ => None,
    };
    let (account, hash) = match found {
        Some((account, hash)) => (Some(account), Some(hash)),
        None => (
            None,
            registration.as_ref().and_then(|(_, hash)| hash.clone()),
        ),
    };
    let (verified, ticket) = verify_counted(state, ticket, password, hash).await?;
    if let (None, Some((registration, _)), true) = (&account, &registration, verified) {
        state.throttle.forget(state.db.as_ref(), ticket).await?;
        return Err(registration_refusal(registration));
    }
    let account = match account {
        Some(account) if verified && !account.disabled => account,
        other => {
            // The attempt stays counted. The log names the account if there
            // is one, else the key's start: never the text sent.
            tracing::info!(
                key = %tag(&keys[0].key),
                account = ?other.map(|a| a.id.0),
                "failed sign-in"
            );
            return Err(ApiError::unauthenticated("wrong username or password"));
        }
    };
    state.throttle.forget(state.db.as_ref(), ticket).await?;
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
    Ok(NewSession {
        account,
        secret,
        csrf_token: csrf,
        expires_at,
        max_age_seconds: lifetime.as_secs(),
    })
}

/// Why a registrant cannot sign in yet: 403 `registration_pending` while
/// the official has not checked it, `registration_rejected` with the
/// official's reason in `details.reason`.
fn registration_refusal(registration: &hatchery_store::workflow::Registration) -> ApiError {
    use hatchery_core::workflow::RegistrationState;
    match registration.state {
        RegistrationState::Rejected => ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "registration_rejected",
            format!(
                "your registration was rejected: {}",
                registration.reason.as_deref().unwrap_or("")
            ),
        )
        .with_details(serde_json::json!({ "reason": registration.reason })),
        _ => ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "registration_pending",
            "your registration awaits the check of your city or zone; you can sign in once it is activated",
        ),
    }
}

/// Ends the session (or revokes the token) `caller` used.
pub async fn sign_out(state: &AppState, caller: &Caller) -> Result<(), ApiError> {
    state
        .db
        .revoke_credential(caller.account.id, caller.credential, state.clock.now())
        .await?;
    state.credentials.forget_all();
    Ok(())
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
        via: via_name(caller.via),
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
    sign_out(&state, &caller).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0)?);
    Ok(response)
}

/// Changes one's own password; every session and token of the account is
/// revoked. Attempts are throttled like sign-ins, under the same keys.
#[utoipa::path(
    post, path = "/api/session/password", tag = "session",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; sign in again"),
        (status = 401, description = "Not signed in, or the current password is wrong", body = ErrorBody),
        (status = 422, description = "The new password breaks the policy", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = ErrorBody),
        (status = 503, description = "Too many passwords being checked; see Retry-After", body = ErrorBody),
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Json(change): Json<PasswordChange>,
) -> Result<Response, ApiError> {
    let client = client_of(&state, connect, &headers);
    change_own_password(&state, &caller, client, change).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0)?);
    Ok(response)
}

/// Changes the caller's own password after checking the current one
/// (throttled like sign-ins, under the same keys) and the policy; every
/// session and token of the account is revoked. The API's
/// `POST /api/session/password` and the web page both call this.
pub async fn change_own_password(
    state: &AppState,
    caller: &Caller,
    client: Option<std::net::IpAddr>,
    change: PasswordChange,
) -> Result<(), ApiError> {
    let username = caller.account.username.as_str();
    check_policy(&change.new_password, Some(username))?;
    if change.new_password == change.current_password {
        return Err(ApiError::invalid(
            "weak_password",
            "the new password must differ from the current one",
        ));
    }
    let now = state.clock.now();
    let keys = state.throttle.keys(username, client);
    let ticket = state.throttle.begin(state.db.as_ref(), &keys, now).await?;
    let (account, hash) = state
        .db
        .account_for_login(&caller.account.username)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let (verified, ticket) =
        verify_counted(state, ticket, change.current_password, Some(hash)).await?;
    if !verified {
        tracing::info!(account = %account.id, "failed password change");
        return Err(ApiError::unauthenticated("the current password is wrong"));
    }
    state.throttle.forget(state.db.as_ref(), ticket).await?;
    let new_hash = state
        .passwords
        .hash_async(change.new_password, username)
        .await?;
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
    Ok(())
}

/// The language an account reads pages in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageChoice {
    /// `zh-CN` or `en`; `null` forgets the choice (pages then follow the
    /// browser's own, else Chinese).
    pub language: Option<Language>,
}

/// Remembers the language the caller reads pages in, for every browser it
/// signs in from. Audited as `account.language`.
#[utoipa::path(
    put, path = "/api/session/language", tag = "session",
    request_body = LanguageChoice,
    responses(
        (status = 200, description = "Remembered", body = WhoAmI),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "Not a language pages are written in", body = ErrorBody),
    )
)]
pub async fn choose_language(
    State(state): State<AppState>,
    caller: Caller,
    Json(choice): Json<LanguageChoice>,
) -> Result<Json<WhoAmI>, ApiError> {
    let account = set_own_language(&state, &caller, choice.language).await?;
    Ok(Json(WhoAmI {
        account: (&account).into(),
        scope: (&caller.scope).into(),
        via: via_name(caller.via),
    }))
}

/// Remembers the caller's language (nothing is written when it is already
/// the one chosen). The API's `PUT /api/session/language` and the web
/// page's language switch both call this.
pub async fn set_own_language(
    state: &AppState,
    caller: &Caller,
    language: Option<Language>,
) -> Result<Account, ApiError> {
    if caller.account.language == language {
        return Ok(caller.account.clone());
    }
    let current = state
        .db
        .account(caller.account.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if current.language == language {
        return Ok(current);
    }
    let account = state
        .db
        .update_account(
            current.id,
            current.version,
            &AccountChange {
                language: Some(language),
                ..AccountChange::default()
            },
            &caller.acting(state.clock.now()),
        )
        .await?;
    // Cached callers carry the account: the next request reads the choice.
    state.credentials.forget_all();
    Ok(account)
}

fn via_name(via: CredentialKind) -> String {
    match via {
        CredentialKind::Session => "session".into(),
        CredentialKind::ApiToken => "api_token".into(),
    }
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
    Path(id): Path<CredentialId>,
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
