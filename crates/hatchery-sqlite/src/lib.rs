//! The embedded default store: one SQLite file (or memory), through sqlx.
//!
//! Schema in `migrations/`, applied on open. Every query is runtime SQL with
//! bind parameters; imports write with multi-row statements inside one
//! `BEGIN IMMEDIATE` transaction, and bulk reads such as
//! [`Store::load_ledger`] stream pages of rows straight into their result
//! (a [`LedgerBuilder`](hatchery_core::LedgerBuilder) for the ledger).
#![forbid(unsafe_code)]

pub mod backup;
mod batch;
mod codec;
mod connect;
mod import;
mod json;
mod profile;
mod read;
mod snapshot;
mod workflow;

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use hatchery_core::{Dataset, Enterprise, EnterpriseId, Event, FxRate, Ledger};
use hatchery_store::workflow::Acting;
use hatchery_store::{
    ImportOutcome, ImportRecord, ImportSource, Revision, Store, StoreCounts, StoreError,
};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqlitePool};
use tokio::sync::Mutex;

/// Hatchery's store in a SQLite database.
#[derive(Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// How the readiness probe connects (`None` for a memory database).
    probe: Option<SqliteConnectOptions>,
    /// Imports and workflow writes in this process wait their turn here
    /// instead of failing on SQLite's single write lock once its busy
    /// timeout runs out.
    writer: Arc<Mutex<()>>,
}

impl SqliteStore {
    /// Opens the database at `url` — `sqlite://PATH` (a relative path starts
    /// in the current folder) or `sqlite::memory:` — creating the file and
    /// bringing its schema up to date on first use.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let connect::Opened { pool, probe } = connect::pool(url).await?;
        Ok(Self {
            pool,
            probe,
            writer: Arc::new(Mutex::new(())),
        })
    }

    /// The ledger read from every table row, never from the snapshot: what
    /// [`Store::load_ledger`] must equal. For tests and benchmarks.
    #[doc(hidden)]
    pub async fn load_ledger_by_scanning(&self) -> Result<Ledger, StoreError> {
        Ok(read::load_ledger(&self.pool, false).await?.0)
    }

    /// Writes the snapshot of `ledger`, read for `import`, unless an import
    /// is running or has happened since. Best effort: the tables hold the
    /// truth, and a failure only means the next load scans them again.
    async fn keep_snapshot(&self, import: i64, ledger: &Ledger) {
        let Ok(_turn) = self.writer.try_lock() else {
            return;
        };
        let kept = async {
            let mut conn = self.pool.acquire().await.map_err(database)?;
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(database)?;
            if snapshot::latest_import(&mut tx).await? == import {
                snapshot::write(&mut tx, import, ledger).await?;
            }
            tx.commit().await.map_err(database)
        }
        .await;
        if let Err(error) = kept {
            tracing::warn!(%error, "could not keep the ledger snapshot");
        }
    }

    /// An import, audited when `acting` is given (see [`import::run`]).
    async fn import_with(
        &self,
        dataset: &Dataset,
        source: &ImportSource,
        acting: Option<&Acting>,
    ) -> Result<ImportOutcome, StoreError> {
        let _turn = self.writer.lock().await;
        let mut conn = self.pool.acquire().await.map_err(database)?;
        set_cache(&mut conn, connect::IMPORT_CACHE_KIB).await?;
        let imported = import::run(&mut conn, dataset, source, acting).await;
        // Give the memory back before the connection returns to the pool; a
        // connection that cannot is closed rather than kept large.
        if let Err(error) = set_cache(&mut conn, connect::CACHE_KIB).await {
            tracing::warn!(%error, "closing a connection whose cache could not shrink");
            conn.close_on_drop();
        }
        imported
    }

    /// Closes every connection, waiting for work in progress to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Sets the connection's page cache, in KiB.
async fn set_cache(conn: &mut sqlx::SqliteConnection, kib: i64) -> Result<(), StoreError> {
    // A pragma takes no bound parameters; `kib` is one of our constants.
    sqlx::query(&format!("PRAGMA cache_size = -{kib}"))
        .execute(conn)
        .await
        .map_err(database)?;
    Ok(())
}

/// Wraps a driver error, keeping it as the source.
pub(crate) fn database(error: sqlx::Error) -> StoreError {
    StoreError::Database(Box::new(error))
}

#[async_trait]
impl Store for SqliteStore {
    async fn existing_ids(
        &self,
        ids: &[EnterpriseId],
    ) -> Result<HashSet<EnterpriseId>, StoreError> {
        read::existing_ids(&self.pool, ids).await
    }

    async fn import(
        &self,
        dataset: &Dataset,
        source: &ImportSource,
    ) -> Result<ImportOutcome, StoreError> {
        self.import_with(dataset, source, None).await
    }

    async fn import_audited(
        &self,
        dataset: &Dataset,
        source: &ImportSource,
        acting: &Acting,
    ) -> Result<ImportOutcome, StoreError> {
        self.import_with(dataset, source, Some(acting)).await
    }

    async fn load_ledger(&self) -> Result<Ledger, StoreError> {
        let (ledger, scanned_for) = read::load_ledger(&self.pool, true).await?;
        if let Some(import) = scanned_for {
            self.keep_snapshot(import, &ledger).await;
        }
        Ok(ledger)
    }

    async fn export(&self) -> Result<Dataset, StoreError> {
        read::export(&self.pool).await
    }

    async fn enterprise(
        &self,
        id: &EnterpriseId,
    ) -> Result<Option<(Enterprise, Vec<Event>)>, StoreError> {
        read::enterprise(&self.pool, id).await
    }

    async fn enterprises(&self) -> Result<Vec<Enterprise>, StoreError> {
        read::enterprises(&self.pool).await
    }

    async fn fx_rates(&self) -> Result<Vec<FxRate>, StoreError> {
        read::fx_rates(&self.pool).await
    }

    async fn counts(&self) -> Result<StoreCounts, StoreError> {
        read::counts(&self.pool).await
    }

    async fn revisions(&self, id: &EnterpriseId) -> Result<Vec<Revision>, StoreError> {
        read::revisions(&self.pool, id).await
    }

    async fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        read::imports(&self.pool).await
    }

    async fn profile_records(
        &self,
        id: &EnterpriseId,
    ) -> Result<hatchery_store::profile::ProfileRecords, StoreError> {
        profile::records(self, id).await
    }

    async fn append_profile_fact(
        &self,
        fact: &hatchery_store::profile::NewProfileFact,
        acting: &Acting,
    ) -> Result<hatchery_store::profile::ProfileFact, StoreError> {
        profile::append(self, fact, acting).await
    }
}
