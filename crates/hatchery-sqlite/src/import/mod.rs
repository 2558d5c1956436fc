//! Importing a dataset in one transaction: first a plan that reads only what
//! the dataset touches and finds every conflict, then, when there is none,
//! the writes.

mod plan;
mod write;

use std::time::Instant;

use hatchery_core::{Dataset, Ledger};
use hatchery_store::workflow::{Acting, append_audit_within};
use hatchery_store::{ImportOutcome, ImportSource, StoreError, import_audit_record};
use sqlx::{Connection, SqliteConnection};
use tokio::runtime::{Handle, RuntimeFlavor};

use crate::workflow::SqliteWithin;
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
    // Into an empty store, the ledger is the dataset's own: its snapshot is
    // encoded on a second thread while SQLite writes the rows.
    let (outcome, encoded) = if was_empty {
        let encode = || {
            let started = Instant::now();
            let parts = hatchery_core::snapshot::encode(&Ledger::from_distinct_dataset(dataset));
            tracing::debug!(elapsed = ?started.elapsed(), "ledger snapshot encoded");
            parts
        };
        let (outcome, parts) = alongside(encode, write::write(tx, dataset, plan, source)).await;
        (outcome?, Some(parts))
    } else {
        (write::write(tx, dataset, plan, source).await?, None)
    };
    let this = snapshot::latest_import(tx).await?;
    let whole_dataset =
        was_empty && outcome.enterprises_added as usize == dataset.enterprises.len();
    match encoded {
        _ if !outcome.changed_anything() => snapshot::carry_forward(tx, previous, this).await?,
        // The store dropped no event as a repeat, so the events are distinct.
        Some(parts) if whole_dataset && outcome.events_duplicate == 0 => {
            snapshot::write_parts(tx, this, parts).await?;
        }
        _ if whole_dataset => {
            let ledger = Ledger::from_dataset(dataset);
            snapshot::write(tx, this, &ledger).await?;
        }
        _ => snapshot::forget(tx).await?,
    }
    Ok(outcome)
}

/// Runs `write` to its end and `work` beside it on a thread of its own, when
/// the runtime can spare this task's thread for that long (a multi-thread
/// runtime: other tasks move to other workers); else one after the other.
async fn alongside<T: Send, W: Future>(
    work: impl FnOnce() -> T + Send,
    write: W,
) -> (W::Output, T) {
    let multi_thread = Handle::try_current()
        .is_ok_and(|runtime| runtime.runtime_flavor() == RuntimeFlavor::MultiThread);
    if !multi_thread {
        let written = write.await;
        return (written, work());
    }
    tokio::task::block_in_place(|| {
        std::thread::scope(|scope| {
            let worker = scope.spawn(work);
            let written = Handle::current().block_on(write);
            match worker.join() {
                Ok(done) => (written, done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    })
}

/// Imports `dataset` in one transaction on `conn`: all of it, or on `Err`
/// nothing. With `acting`, the import's audit entry is appended last in the
/// same transaction.
pub(crate) async fn run(
    conn: &mut SqliteConnection,
    dataset: &Dataset,
    source: &ImportSource,
    acting: Option<&Acting>,
) -> Result<ImportOutcome, StoreError> {
    // IMMEDIATE takes the write lock before the first read, so what the plan
    // checks cannot change before it is written.
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(database)?;
    let started = Instant::now();
    let written = match plan::plan(&mut tx, dataset).await {
        Ok(plan) => write_with_snapshot(&mut tx, dataset, plan, source).await,
        Err(error) => Err(error),
    };
    let written = match (written, acting) {
        (Ok(outcome), Some(acting)) => {
            let record = import_audit_record(acting, source, &outcome);
            append_audit_within(&mut SqliteWithin(&mut tx), record)
                .await
                .map(|_| outcome)
                .map_err(StoreError::from_audit)
        }
        (written, _) => written,
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

/// Plans and writes `dataset` (keeping the snapshot current) within a
/// transaction the caller owns and commits: a profile correction's ledger
/// part ([`crate::profile`]).
pub(crate) async fn write_within(
    tx: &mut SqliteConnection,
    dataset: &Dataset,
    source: &ImportSource,
) -> Result<ImportOutcome, StoreError> {
    let plan = plan::plan(tx, dataset).await?;
    write_with_snapshot(tx, dataset, plan, source).await
}
