//! Ledger imports over the API: a whole dataset as JSON, all or nothing.

use axum::extract::State;
use hatchery_core::Dataset;
use hatchery_core::workflow::Capability;
use hatchery_store::workflow::Acting;
use hatchery_store::{ImportOutcome, ImportSource};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// Where an import came from.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// A label recorded with the import (default `api`).
    pub origin: Option<String>,
}

/// A dataset in the interchange format's JSON form: `enterprises`, `events`,
/// `fx` and `financials`, each a list of records with the CSV columns as fields.
#[derive(Debug, ToSchema)]
#[schema(value_type = Object)]
pub struct DatasetBody(pub serde_json::Value);

/// What an import changed.
#[derive(Debug, ToSchema)]
#[schema(value_type = Object)]
pub struct ImportOutcomeBody(pub serde_json::Value);

/// Imports a dataset into the ledger.
#[utoipa::path(
    post, path = "/api/imports", tag = "imports",
    params(ImportQuery),
    request_body = DatasetBody,
    responses(
        (status = 200, description = "Imported; what changed", body = ImportOutcomeBody),
        (status = 403, description = "Only the ministry administrator imports", body = ErrorBody),
        (status = 422, description = "Invalid or conflicting data; nothing was written", body = ErrorBody),
    )
)]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ImportQuery>,
    dataset: Result<Json<Dataset>, ApiError>,
) -> Result<Json<ImportOutcome>, ApiError> {
    // The right to import is checked before a possibly large body is parsed.
    caller.require(Capability::ImportData)?;
    let Json(mut dataset) = dataset?;
    // A zone's name or alias is stored as the zone's one id, as `hatchery
    // import` stores it; a value no zone answers to is kept as written.
    let zones = hatchery_core::workflow::ZoneResolver::shipped();
    for enterprise in &mut dataset.enterprises {
        if let Some(zone) = enterprise.zone.as_mut()
            && let Some(entry) = zones.resolve(zone)
        {
            *zone = entry.id.to_string();
        }
    }
    let origin = query.origin.unwrap_or_else(|| "api".to_owned());
    if origin.chars().count() > 200 || origin.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "invalid_query",
            "origin is at most 200 printable characters",
        ));
    }
    let acting = Acting {
        at: state.clock.now(),
        actor: Some(caller.account.id),
        actor_name: caller.account.username.to_string(),
    };
    // The data and its audit entry commit in one transaction: neither is
    // ever there without the other.
    let outcome = state
        .db
        .import_audited(
            &dataset,
            &ImportSource {
                origin,
                at: acting.at.to_string(),
            },
            &acting,
        )
        .await?;
    state.ledger.invalidate();
    Ok(Json(outcome))
}
