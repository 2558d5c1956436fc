//! Idempotency keys: a write carrying `Idempotency-Key` is done once. A retry
//! with the same key and the same request gets the first response again
//! (marked `Idempotent-Replayed: true`); the same key on a different request
//! is refused. Keys belong to the account and live in the database, so a
//! retry landing on another server is recognised too.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hatchery_store::workflow::{IdempotencyClaim, StoredResponse};
use sha2::{Digest, Sha256};

use crate::auth::{authenticate, presented};
use crate::error::ApiError;
use crate::state::AppState;

/// The request header naming the key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The response header marking a replay.
pub const REPLAYED: &str = "idempotent-replayed";

fn valid_key(key: &str) -> bool {
    (1..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Applies idempotency keys to writes.
pub async fn idempotency(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match run(state, request, next).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn run(state: AppState, request: Request, next: Next) -> Result<Response, ApiError> {
    let is_write = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let key = request
        .headers()
        .get(IDEMPOTENCY_KEY)
        .map(|v| v.to_str().map(str::to_owned));
    // Anonymous requests (signing in) and reads pass through untouched.
    let (Some(key), true, Some(_)) = (key, is_write, presented(request.headers())) else {
        return Ok(next.run(request).await);
    };
    let key = key.ok().filter(|k| valid_key(k)).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_idempotency_key",
            "an Idempotency-Key is 1 to 128 visible ASCII characters",
        )
    })?;
    let (mut parts, body) = request.into_parts();
    let caller = authenticate(&parts, &state).await?;
    parts.extensions.insert(caller.clone());
    let limit = state
        .settings
        .limits
        .max_json_bytes
        .max(state.settings.workflow.max_evidence_bytes);
    let bytes = to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "the request body is larger than allowed",
        )
    })?;
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str().as_bytes());
    hasher.update([0]);
    hasher.update(parts.uri.to_string().as_bytes());
    hasher.update([0]);
    if let Some(content_type) = parts.headers.get(header::CONTENT_TYPE) {
        hasher.update(content_type.as_bytes());
    }
    hasher.update([0]);
    hasher.update(&bytes);
    let fingerprint = hex::encode(hasher.finalize());
    let account = caller.account.id;
    match state
        .db
        .claim_idempotency_key(account, &key, &fingerprint, state.clock.now())
        .await?
    {
        IdempotencyClaim::Claimed => {}
        IdempotencyClaim::Replay(stored) => return Ok(replay(stored)),
        IdempotencyClaim::InProgress => {
            return Err(ApiError::conflict(
                "idempotency_in_progress",
                "a request with this Idempotency-Key is still being handled; retry shortly",
            ));
        }
        IdempotencyClaim::Mismatch => {
            return Err(ApiError::invalid(
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request",
            ));
        }
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (parts, body) = response.into_parts();
    // Our own responses: JSON, or an evidence file within the upload limit.
    let body = match to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(error) => {
            state.db.release_idempotency_key(account, &key).await?;
            return Err(ApiError::internal(error));
        }
    };
    if parts.status.is_server_error() {
        // Worth retrying: let the key go.
        state.db.release_idempotency_key(account, &key).await?;
    } else {
        state
            .db
            .complete_idempotency_key(
                account,
                &key,
                &StoredResponse {
                    status: parts.status.as_u16(),
                    content_type: parts
                        .headers
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                    body: body.to_vec(),
                },
            )
            .await?;
    }
    Ok(Response::from_parts(parts, Body::from(body)))
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    if let Some(value) = stored
        .content_type
        .and_then(|c| HeaderValue::from_str(&c).ok())
    {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}
