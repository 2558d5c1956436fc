//! The embedded default store: one SQLite file (or memory), through sqlx.
//!
//! Schema in `migrations/`, applied on open. Every query is runtime SQL with
//! bind parameters; imports write with multi-row statements inside one
//! `BEGIN IMMEDIATE` transaction, and bulk reads such as
//! [`Store::load_ledger`] stream pages of rows straight into their result
//! (a [`LedgerBuilder`](hatchery_core::LedgerBuilder) for the ledger).
#![forbid(unsafe_code)]

mod batch;
mod codec;
mod connect;
mod import;
mod json;
mod read;
mod workflow;

use std::collections::HashSet;

use async_trait::async_trait;
use hatchery_core::{Dataset, Enterprise, EnterpriseId, Event, FxRate, Ledger};
use hatchery_store::{
    ImportOutcome, ImportRecord, ImportSource, Revision, Store, StoreCounts, StoreError,
};
use sqlx::SqlitePool;
use tokio::sync::Mutex;

/// Hatchery's store in a SQLite database.
#[derive(Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Imports in this process wait their turn here instead of failing on
    /// SQLite's single write lock once its busy timeout runs out.
    writer: Mutex<()>,
}

impl SqliteStore {
    /// Opens the database at `url` — `sqlite://PATH` (a relative path starts
    /// in the current folder) or `sqlite::memory:` — creating the file and
    /// bringing its schema up to date on first use.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = connect::pool(url).await?;
        Ok(Self {
            pool,
            writer: Mutex::new(()),
        })
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
        let _turn = self.writer.lock().await;
        let mut conn = self.pool.acquire().await.map_err(database)?;
        set_cache(&mut conn, connect::IMPORT_CACHE_KIB).await?;
        let imported = import::run(&mut conn, dataset, source).await;
        // Give the memory back before the connection returns to the pool; a
        // connection that cannot is closed rather than kept large.
        if let Err(error) = set_cache(&mut conn, connect::CACHE_KIB).await {
            tracing::warn!(%error, "closing a connection whose cache could not shrink");
            conn.close_on_drop();
        }
        imported
    }

    async fn load_ledger(&self) -> Result<Ledger, StoreError> {
        read::load_ledger(&self.pool).await
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
}
