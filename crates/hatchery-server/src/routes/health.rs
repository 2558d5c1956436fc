//! Liveness and readiness, for load balancers and orchestrators.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::state::AppState;

/// A health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    pub status: String,
    /// Enterprises in the ledger held in memory (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprises: Option<u64>,
}

/// The process is up.
#[utoipa::path(
    get, path = "/health/live", tag = "health",
    responses((status = 200, description = "Alive", body = Health))
)]
pub async fn live() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        enterprises: None,
    })
}

/// The database answers and would take a write, and the ledger is loaded.
#[utoipa::path(
    get, path = "/health/ready", tag = "health",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Not ready: the database does not answer, cannot take writes, or the ledger cannot be loaded", body = ErrorBody),
    )
)]
pub async fn ready(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    // "Would take a write": SQLite's write lock can be had within a quarter
    // of a second (or a write of this server holds it: later ones queue
    // behind it); PostgreSQL is not a standby and its transactions are not
    // read-only. A server that can only read answers 503, so that a load
    // balancer sends writers elsewhere rather than to errors.
    if let Err(error) = state.db.ping().await {
        tracing::warn!(%error, "readiness: the database does not answer");
        return Err(ApiError::unavailable("the database does not answer"));
    }
    if let Err(error) = state.db.writable().await {
        tracing::warn!(%error, "readiness: the database cannot take writes");
        return Err(ApiError::unavailable("the database cannot take writes"));
    }
    let view = state
        .ledger()
        .await
        .map_err(|_| ApiError::unavailable("the ledger cannot be loaded"))?;
    Ok(Json(Health {
        status: "ready".into(),
        enterprises: Some(view.ledger.len() as u64),
    }))
}
