//! Importing a dataset in one transaction: first a plan that reads only what
//! the dataset touches and finds every conflict, then, when there is none,
//! the writes.

mod plan;
mod write;

use std::time::Instant;

use hatchery_core::Dataset;
use hatchery_store::workflow::{Acting, append_audit_within};
use hatchery_store::{ImportOutcome, ImportSource, StoreError, import_audit_record};
use sqlx::PgPool;

use crate::database;
use crate::workflow::PgWithin;

/// Imports `dataset`, whole or not at all. With `acting`, the import's
/// audit entry is appended last in the same transaction (taking the
/// chain's lock only then, so imports do not hold up workflow writes
/// while they plan and write).
pub(crate) async fn run(
    pool: &PgPool,
    dataset: &Dataset,
    source: &ImportSource,
    acting: Option<&Acting>,
) -> Result<ImportOutcome, StoreError> {
    let started = Instant::now();
    let mut tx = crate::begin::begin(pool, None).await.map_err(database)?;
    // Imports take turns, whichever process runs them: what the plan reads
    // (the largest key, the last `seq`, stored rows) must not change before
    // the writes. The mode conflicts with itself and with every write, but
    // not with reads, and is released at commit or rollback.
    sqlx::query("LOCK TABLE imports IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .map_err(database)?;
    let waited = started.elapsed();
    let result = async {
        let plan = plan::plan(&mut tx, dataset).await?;
        let planned = started.elapsed();
        let outcome = write::write(&mut tx, dataset, plan, source).await?;
        if let Some(acting) = acting {
            let record = import_audit_record(acting, source, &outcome);
            append_audit_within(&mut PgWithin(&mut tx), record)
                .await
                .map_err(StoreError::from_audit)?;
        }
        Ok::<_, StoreError>((planned, outcome))
    }
    .await;
    match result {
        Ok((planned, outcome)) => {
            tx.commit().await.map_err(database)?;
            tracing::debug!(
                ?waited,
                ?planned,
                total = ?started.elapsed(),
                origin = %source.origin,
                ?outcome,
                "import written"
            );
            Ok(outcome)
        }
        Err(error) => {
            // The error that stopped the import is the one worth reporting.
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(%rollback, "rolling back a failed import");
            }
            Err(error)
        }
    }
}

/// Plans and writes `dataset` within a transaction the caller owns and
/// commits, taking the imports' turn first: a profile correction's ledger
/// part ([`crate::profile`]).
pub(crate) async fn write_within(
    tx: &mut sqlx::PgConnection,
    dataset: &Dataset,
    source: &ImportSource,
) -> Result<ImportOutcome, StoreError> {
    sqlx::query("LOCK TABLE imports IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .map_err(database)?;
    let plan = plan::plan(tx, dataset).await?;
    write::write(tx, dataset, plan, source).await
}
