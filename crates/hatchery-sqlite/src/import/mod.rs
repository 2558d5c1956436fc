//! Importing a dataset in one transaction: first a plan that reads only what
//! the dataset touches and finds every conflict, then, when there is none,
//! the writes.

mod plan;
mod write;

use std::time::Instant;

use hatchery_core::{Dataset, Ledger};
use hatchery_store::{ImportOutcome, ImportSource, StoreError};
use sqlx::{Connection, SqliteConnection};

use crate::{database, snapshot};

/// Writes the plan, and keeps the ledger snapshot current (see
/// [`crate::snapshot`]).
async fn write_with_snapshot(
    tx: &mut SqliteConnection,
    dataset: &Dataset,
    plan: plan::Plan<'_>,
    source: &ImportSource,
) -> Result<ImportOutcome, StoreError> {
    let previous = snapshot::latest_import(tx).await?;
    let was_empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM enterprises)")
        .fetch_one(&mut *tx)
        .await
        .map_err(database)?;
    let outcome = write::write(tx, dataset, plan, source).await?;
    let this = snapshot::latest_import(tx).await?;
    if !outcome.changed_anything() {
        snapshot::carry_forward(tx, previous, this).await?;
    } else if was_empty && outcome.enterprises_added as usize == dataset.enterprises.len() {
        // Into an empty store, the ledger is the dataset's own.
        let started = Instant::now();
        let ledger = if outcome.events_duplicate == 0 {
            Ledger::from_distinct_dataset(dataset)
        } else {
            Ledger::from_dataset(dataset)
        };
        snapshot::write(tx, this, &ledger).await?;
        tracing::debug!(elapsed = ?started.elapsed(), "ledger snapshot written");
    } else {
        snapshot::forget(tx).await?;
    }
    Ok(outcome)
}

/// Imports `dataset` in one transaction on `conn`: all of it, or on `Err`
/// nothing.
pub(crate) async fn run(
    conn: &mut SqliteConnection,
    dataset: &Dataset,
    source: &ImportSource,
) -> Result<ImportOutcome, StoreError> {
    // IMMEDIATE takes the write lock before the first read, so what the plan
    // checks cannot change before it is written.
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(database)?;
    let started = Instant::now();
    let written = match plan::plan(&mut tx, dataset).await {
        Ok(plan) => write_with_snapshot(&mut tx, dataset, plan, source).await,
        Err(error) => Err(error),
    };
    let outcome = match written {
        Ok(outcome) => outcome,
        Err(error) => {
            // Dropping the transaction would roll back too; doing it here
            // lets a failure to do so be seen.
            if let Err(failed) = tx.rollback().await {
                tracing::warn!(error = %failed, "rolling back a failed import");
            }
            return Err(error);
        }
    };
    let written = started.elapsed();
    // With WAL, committing also copies the pages into the database file
    // once the log has grown (SQLite's automatic checkpoint).
    tx.commit().await.map_err(database)?;
    tracing::debug!(
        ?written,
        total = ?started.elapsed(),
        origin = %source.origin,
        ?outcome,
        "import committed"
    );
    Ok(outcome)
}
