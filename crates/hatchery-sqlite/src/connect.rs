//! From a database URL to a migrated connection pool.

use std::str::FromStr;
use std::time::Duration;

use hatchery_store::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection, SqlitePool};

use crate::database;

/// The schema, embedded at build time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connections for a file: WAL lets readers work beside the one writer.
const FILE_CONNECTIONS: u32 = 4;

/// Size the write-ahead log is cut back to after a checkpoint, in bytes.
const WAL_LIMIT_BYTES: i64 = 64 * 1024 * 1024;

/// Page cache per connection, in KiB (SQLite's negative `cache_size`).
pub(crate) const CACHE_KIB: i64 = 64 * 1024;

/// Page cache of the connection running an import, in KiB. A large import
/// touches more pages than the usual cache holds, and a page pushed out
/// mid-transaction must be read back from the WAL; but every page still in
/// the cache at commit is written then, on the importer's critical path.
/// The pages read back are those of the `enterprises` indexes (tens of MiB
/// at a million enterprises); measured at a million, 256 MiB commits in
/// half the time 1 GiB took, and the whole import is 15 % faster. SQLite
/// allocates the cache only as pages are used, and the import gives it back
/// afterwards.
pub(crate) const IMPORT_CACHE_KIB: i64 = 256 * 1024;

/// How long the readiness probe's own connection waits for SQLite's write
/// lock before it reports that the store cannot take writes.
const PROBE_BUSY: Duration = Duration::from_millis(250);

/// A pool, and for a file the options of the readiness probe's connection.
pub(crate) struct Opened {
    pub(crate) pool: SqlitePool,
    /// `None` for a memory database, which only this process can write.
    pub(crate) probe: Option<SqliteConnectOptions>,
}

/// Opens the pool for `url` and brings the schema up to date.
pub(crate) async fn pool(url: &str) -> Result<Opened, StoreError> {
    let unsupported = || StoreError::UnsupportedUrl(url.to_owned());
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return Err(unsupported());
    };
    let memory = is_memory(rest);
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|_| unsupported())?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // Applies when the file is created: larger pages make shallower,
        // cheaper B-trees for tables of millions of rows (measured: about a
        // fifth less time to insert events than with 4 KiB pages).
        .page_size(8192)
        .pragma("cache_size", format!("-{CACHE_KIB}"))
        .pragma("temp_store", "memory")
        // Keeps the planner's statistics fresh at little cost, as SQLite advises.
        .optimize_on_close(true, 1000);
    let (pool, probe) = if memory {
        // A memory database lives only as long as a connection to it: keep
        // exactly one, for ever.
        let pool = SqlitePoolOptions::new()
            .min_connections(1)
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await;
        (pool, None)
    } else {
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL is safe against corruption; a power cut
            // can lose only the last commits.
            .synchronous(SqliteSynchronous::Normal)
            // A large import grows the log to the size of what it
            // wrote; once checkpointed, shrink it back.
            .pragma("journal_size_limit", WAL_LIMIT_BYTES.to_string());
        let probe = options
            .clone()
            .create_if_missing(false)
            .busy_timeout(PROBE_BUSY)
            .optimize_on_close(false, None);
        let pool = SqlitePoolOptions::new()
            .max_connections(FILE_CONNECTIONS)
            .after_release(|conn, _| Box::pin(reusable(conn)))
            .connect_with(options)
            .await;
        (pool, Some(probe))
    };
    let pool = pool.map_err(database)?;
    renumber_migrations(&pool).await?;
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|e| StoreError::Database(Box::new(e)))?;
    Ok(Opened { pool, probe })
}

/// Whether a connection coming back to the pool may serve again: not while
/// it is still inside a transaction that no one will end. sqlx's SQLite
/// driver leaves one behind when a `BEGIN` is cancelled after SQLite ran it
/// but before the driver handed back its `Transaction` (a request dropped
/// by its client at that moment): such a connection would hold SQLite's
/// write lock while it sat idle, and every other writer would fail with
/// "database is locked". Closing it rolls the transaction back and frees
/// the lock. (Memory databases keep their one connection: closing it would
/// lose the database, and nothing else can want its lock.)
async fn reusable(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    // The driver's worker answers a ping only after every command queued
    // before it, the rollback of a dropped `Transaction` included.
    conn.ping().await?;
    let idle = !conn.is_in_transaction();
    if !idle {
        tracing::warn!("closing a connection left inside a transaction by a cancelled write");
    }
    Ok(idle)
}

/// Versions the migrations were once applied under, and the versions of the
/// same files now: every backend numbers its migrations `0001_`, `0002_`, …
/// (see `docs/ARCHITECTURE.md`), and these two were first released with
/// timestamps. Their contents, and so their checksums, did not change.
const RENUMBERED: [(i64, i64); 2] = [(20261128100000, 2), (20261128120000, 3)];

/// Rewrites the versions recorded by a store made before the renumbering,
/// so that the migrator finds its migrations applied rather than missing.
async fn renumber_migrations(pool: &SqlitePool) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.map_err(database)?;
    let recorded: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(database)?;
    if recorded.is_some() {
        for (old, new) in RENUMBERED {
            sqlx::query("UPDATE _sqlx_migrations SET version = $2 WHERE version = $1")
                .bind(old)
                .bind(new)
                .execute(&mut *tx)
                .await
                .map_err(database)?;
        }
    }
    tx.commit().await.map_err(database)
}

/// Whether the part of a `sqlite:` URL after the scheme names a memory database.
fn is_memory(rest: &str) -> bool {
    let (database, params) = rest.split_once('?').unwrap_or((rest, ""));
    let database = database.strip_prefix("//").unwrap_or(database);
    database == ":memory:" || params.split('&').any(|p| p == "mode=memory")
}

#[cfg(test)]
mod tests {
    use super::is_memory;

    #[test]
    fn memory_urls_are_recognised() {
        for url in [
            ":memory:",
            "//:memory:",
            "//?mode=memory",
            "//x.db?mode=memory",
        ] {
            assert!(is_memory(url), "{url}");
        }
        for url in ["//hatchery.db", "///tmp/memory.db", "//:memory:.db"] {
            assert!(!is_memory(url), "{url}");
        }
    }
}
