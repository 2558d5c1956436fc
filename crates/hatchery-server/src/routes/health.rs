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

/// The database answers and the ledger is loaded.
#[utoipa::path(
    get, path = "/health/ready", tag = "health",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Not ready", body = ErrorBody),
    )
)]
pub async fn ready(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    if let Err(error) = state.db.ping().await {
        tracing::warn!(%error, "readiness: the database does not answer");
        return Err(ApiError::unavailable("the database does not answer"));
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
