//! Who is calling: a browser session (cookie, with a CSRF token on writes)
//! or an API token (`Authorization: Bearer`). Both are random secrets of
//! which the database keeps only a SHA-256, so they can be revoked there and
//! checked by any server sharing it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use hatchery_core::EnterpriseId;
use hatchery_core::workflow::{Capability, CredentialId, Placement, Scope};
use hatchery_store::workflow::{Account, Acting, Credential, CredentialKind};
use jiff::Timestamp;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// The cookie holding a browser session's secret.
pub const SESSION_COOKIE: &str = "hatchery_session";

/// The header a cookie-authenticated write must carry, with the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A new random secret: 32 bytes, hex.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// How a secret is kept: its SHA-256, hex.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The authenticated account making a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
    pub scope: Scope,
    /// The session or token used.
    pub credential: CredentialId,
    pub via: CredentialKind,
}

impl Caller {
    /// Fails with 403 unless the account's role has `capability`.
    pub fn require(&self, capability: Capability) -> Result<(), ApiError> {
        if capability.granted_to(self.account.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "a {} account cannot do this",
                self.account.role
            )))
        }
    }

    /// Whether the enterprise placed there is within the account's scope.
    pub fn sees(&self, enterprise: &EnterpriseId, placement: &Placement) -> bool {
        self.scope.covers(enterprise, placement)
    }

    /// The actor of a write made now.
    pub fn acting(&self, at: Timestamp) -> Acting {
        Acting {
            at,
            actor: Some(self.account.id),
            actor_name: self.account.username.to_string(),
        }
    }
}

/// The secret a request presents, and as what.
pub fn presented(headers: &HeaderMap) -> Option<(String, CredentialKind)> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        // The scheme is case-insensitive (RFC 9110 §11.1): `bearer` too.
        let (scheme, token) = value.to_str().ok()?.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        return Some((token.trim().to_owned(), CredentialKind::ApiToken));
    }
    cookie(headers, SESSION_COOKIE).map(|secret| (secret, CredentialKind::Session))
}

/// The value of cookie `name`.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// What an account whose password an administrator set may do before it
/// changes it: change it, or sign out.
fn allowed_before_password_change(parts: &Parts) -> bool {
    matches!(
        (&parts.method, parts.uri.path()),
        (&Method::POST, "/api/session/password") | (&Method::DELETE, "/api/session")
    )
}

/// The live session or token whose secret is `secret`, with its account,
/// or 401. Expiry, revocation, a disabled account and the kind presented are
/// checked here, for the API and the web pages alike.
pub async fn live_credential(
    state: &AppState,
    secret: &str,
    kind: CredentialKind,
) -> Result<(Credential, Account), ApiError> {
    let invalid = || ApiError::unauthenticated("the session or token is not valid; sign in again");
    // Secrets are 64 hex digits; anything else cannot be one and is not looked up.
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let Some((credential, account)) = state
        .credentials
        .lookup(state.db.as_ref(), &secret_hash(secret))
        .await?
    else {
        return Err(invalid());
    };
    if credential.kind != kind || !credential.is_live(state.clock.now()) || account.disabled {
        return Err(invalid());
    }
    Ok((credential, account))
}

/// Whether `sent` is the CSRF token of the session `credential`.
pub fn csrf_matches(credential: &Credential, sent: Option<&str>) -> bool {
    let sent = sent.map(secret_hash);
    sent.is_some() && sent == credential.csrf_hash
}

/// The caller a live credential stands for.
pub fn caller_of(credential: &Credential, account: Account) -> Caller {
    Caller {
        scope: account.scope(),
        account,
        credential: credential.id,
        via: credential.kind,
    }
}

/// Authenticates a request from its parts.
pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    let Some((secret, kind)) = presented(&parts.headers) else {
        return Err(ApiError::unauthenticated(
            "sign in first: send the session cookie or an Authorization: Bearer token",
        ));
    };
    let (credential, account) = live_credential(state, &secret, kind).await?;
    if kind == CredentialKind::Session && is_write(&parts.method) {
        let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if !csrf_matches(&credential, sent) {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "csrf_failed",
                "a write with a session cookie needs the session's X-CSRF-Token header",
            ));
        }
    }
    if account.must_change_password && !allowed_before_password_change(parts) {
        return Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "password_change_required",
            "the password was set by someone else (an administrator or the operator): change it first (POST /api/session/password)",
        ));
    }
    Ok(caller_of(&credential, account))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // The idempotency layer may have authenticated the request already.
        let caller = match parts.extensions.get::<Caller>() {
            Some(caller) => caller.clone(),
            None => {
                let caller = authenticate(parts, state).await?;
                parts.extensions.insert(caller.clone());
                caller
            }
        };
        // The request's span (see `routes::router`) names who asked.
        tracing::Span::current().record("account", caller.account.id.0);
        Ok(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn bearer_tokens_win_over_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; hatchery_session=abc"),
        );
        assert_eq!(
            presented(&headers),
            Some(("abc".to_owned(), CredentialKind::Session))
        );
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer xyz"),
        );
        assert_eq!(
            presented(&headers),
            Some(("xyz".to_owned(), CredentialKind::ApiToken))
        );
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  xyz "),
        );
        assert_eq!(
            presented(&headers),
            Some(("xyz".to_owned(), CredentialKind::ApiToken))
        );
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("BEARER xyz"),
        );
        assert!(presented(&headers).is_some());
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic xyz"));
        assert_eq!(presented(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearerxyz"));
        assert_eq!(presented(&headers), None);
    }

    #[test]
    fn secrets_are_long_and_hashed() {
        let secret = new_secret();
        assert_eq!(secret.len(), 64);
        assert_ne!(secret, new_secret());
        assert_eq!(secret_hash(&secret).len(), 64);
        assert_ne!(secret_hash(&secret), secret);
    }
}
