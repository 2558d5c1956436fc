//! Hatchery's store in PostgreSQL, for a whole country: many server processes
//! on one database, behind a connection pooler if need be. [`PgStore`]
//! implements both [`Store`] (the ledger) and
//! [`WorkflowStore`](hatchery_store::workflow::WorkflowStore).
//!
//! The same observable behaviour as the embedded SQLite store (both pass the
//! stories of `hatchery_store::conformance`, and the same scripted workflow
//! gives the same answers and the same audit hashes), built for PostgreSQL:
//!
//! - **Imports** run in one transaction that first takes a lock only imports
//!   take (`LOCK TABLE imports IN SHARE ROW EXCLUSIVE MODE`): imports from any
//!   number of processes queue there, while reads go on. The plan reads only
//!   the stored rows the dataset touches (events: only the identities of
//!   the enterprises they name), so every new row is known before writing
//!   and is streamed by binary `COPY`; rows replacing stored ones go through
//!   a temporary table and one set-based statement.
//! - **Reads** that span tables run in one `REPEATABLE READ READ ONLY`
//!   transaction, so they see one moment while imports commit beside them;
//!   [`Store::load_ledger`] streams each table once, with no query per
//!   enterprise.
//! - **The workflow** relies on the database for every rule that must hold
//!   across processes: see the `workflow` module.
//! - Every query is runtime SQL with `$n` parameters; lists go in as one
//!   array parameter (`= ANY($1)`). Session state never outlives a
//!   transaction (transaction-scoped locks, `ON COMMIT DROP` temporary
//!   tables), so PgBouncer in transaction mode is fine (1.21 or later, for
//!   sqlx's named prepared statements); only applying migrations takes a
//!   session-level advisory lock, on a direct connection.
#![forbid(unsafe_code)]

mod begin;
mod codec;
mod connect;
mod copy;
mod import;
mod profile;
mod read;
mod workflow;

#[cfg(feature = "testing")]
pub mod testing;

use std::collections::HashSet;

use async_trait::async_trait;
use hatchery_core::{Dataset, Enterprise, EnterpriseId, Event, FxRate, Ledger};
use hatchery_store::workflow::Acting;
use hatchery_store::{
    ImportOutcome, ImportRecord, ImportSource, Revision, Store, StoreCounts, StoreError,
};
use sqlx::PgPool;

pub use connect::PoolOptions;
pub use hatchery_store::redact_url as redact;

/// The schema, embedded at build time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Hatchery's store in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`,
    /// with libpq's query parameters such as `sslmode`, and the pool's own:
    /// see [`PoolOptions`]) and, unless `migrate=false`, brings the schema
    /// up to date.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let (url, options) = PoolOptions::from_url(url)?;
        Self::open_with(&url, &options).await
    }

    /// As [`PgStore::open`], with the pool's options given here instead of
    /// in the URL.
    pub async fn open_with(url: &str, options: &PoolOptions) -> Result<Self, StoreError> {
        let store = Self {
            pool: connect::pool(url, options).await?,
        };
        if options.migrate {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// Applies the migrations this version has and the database lacks.
    ///
    /// When none is missing it only reads `_sqlx_migrations`: no DDL and no
    /// lock, so an application role without rights on the schema, a hot
    /// standby, or a connection through PgBouncer can open the store. When
    /// some are missing, sqlx's migrator applies them under a session-level
    /// advisory lock (processes take turns): run that on a direct
    /// connection to the primary, as the schema's owner (`hatchery migrate`).
    /// A standby is never written: it fails, naming what the primary lacks.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let (pending, standby) = self.pending_migrations().await?;
        if pending.is_empty() {
            return Ok(());
        }
        if standby {
            return Err(StoreError::Database(Box::new(StandbyBehind {
                missing: pending,
            })));
        }
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Database(Box::new(e)))
    }

    /// The versions of this release's migrations not applied (or applied
    /// with another checksum, which the migrator then reports), and whether
    /// the database is a read-only standby.
    async fn pending_migrations(&self) -> Result<(Vec<i64>, bool), StoreError> {
        let (standby, recorded): (bool, bool) = sqlx::query_as(
            "SELECT pg_is_in_recovery(), to_regclass('_sqlx_migrations') IS NOT NULL",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(database)?;
        let applied: Vec<(i64, Vec<u8>)> = if recorded {
            sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await
                .map_err(database)?
        } else {
            Vec::new()
        };
        let pending = MIGRATOR
            .iter()
            .filter(|m| {
                !applied
                    .iter()
                    .any(|(version, checksum)| *version == m.version && **checksum == *m.checksum)
            })
            .map(|m| m.version)
            .collect();
        Ok((pending, standby))
    }

    /// Closes every connection, waiting for work in progress to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A read-only standby whose schema lacks migrations this version needs.
#[derive(Debug, thiserror::Error)]
#[error(
    "the database is a read-only standby without migrations {missing:?}: \
     run `hatchery migrate` against the primary"
)]
struct StandbyBehind {
    missing: Vec<i64>,
}

/// Wraps a driver error, keeping it as the source.
pub(crate) fn database(error: sqlx::Error) -> StoreError {
    StoreError::Database(Box::new(error))
}

#[async_trait]
impl Store for PgStore {
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
        import::run(&self.pool, dataset, source, None).await
    }

    async fn import_audited(
        &self,
        dataset: &Dataset,
        source: &ImportSource,
        acting: &Acting,
    ) -> Result<ImportOutcome, StoreError> {
        import::run(&self.pool, dataset, source, Some(acting)).await
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
