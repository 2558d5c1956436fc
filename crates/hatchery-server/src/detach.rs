//! Writes finish even when their client goes away.
//!
//! hyper drops a request's future when its client disconnects, and a future
//! dropped mid-write could leave a transaction, SQLite's write lock, an
//! idempotency key's reservation or an import without its audit entry
//! behind it. Every write (`POST`, `PUT`, `PATCH`, `DELETE`) is therefore
//! run as a task of its own: the request only waits for it, and if the
//! request is dropped the task still runs to its commit or its rollback,
//! releasing what it holds. Reads stay in the request: dropping one frees
//! its connection sooner, and nothing of it needs finishing.

use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::error::ApiError;

/// Runs a write request to its end whatever its client does.
pub async fn detach_writes(request: Request, next: Next) -> Response {
    let is_write = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if !is_write {
        return next.run(request).await;
    }
    let task = tokio::spawn(next.run(request).in_current_span());
    match task.await {
        Ok(response) => response,
        // The panic layer outside makes its usual 500 of it.
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // Only a runtime shutting down cancels the task.
        Err(_) => ApiError::unavailable("the server is shutting down").into_response(),
    }
}
