//! Backups of a store while it is in use, and restoring one.
//!
//! A backup is `VACUUM INTO` on a connection of its own: one read
//! transaction, so the copy is the store as it was at one instant, however
//! busy the writers are (WAL lets them go on meanwhile). It is written to a
//! temporary file beside the destination, checked (`PRAGMA integrity_check`
//! and the schema's migrations), flushed to disk, and only then given its
//! name, so a backup that exists is whole.
//!
//! A restore checks the backup the same way, copies it beside the store,
//! and renames it over the store while holding the store's exclusive lock,
//! which a running server would hold a share of: a store in use is never
//! replaced under it. A store that holds data is replaced only when asked.

use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteLockingMode};
use sqlx::{Connection, Row, SqliteConnection};

/// The schema this build knows, to recognise a store and refuse one
/// written by a newer build. The same files `SqliteStore::open` applies.
static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long to wait for a busy store before giving up.
const BUSY_WAIT: Duration = Duration::from_secs(10);

/// How long a restore waits for the store's exclusive lock: a running
/// server holds it for as long as it runs, so waiting longer is pointless.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// What a backup holds, or what a restore put in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// The file written: the backup, or the restored store.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Enterprises in it.
    pub enterprises: u64,
    /// Entries of its audit log.
    pub audit_entries: u64,
}

/// Why a backup or a restore did not happen. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The URL does not name a SQLite file.
    #[error("{0} does not name a SQLite file (sqlite://PATH): there is nothing to copy")]
    NotAFile(String),
    /// There is no store at the path.
    #[error("no store at {}", .0.display())]
    NoStore(PathBuf),
    /// The backup's destination is taken.
    #[error("{} already exists: write the backup to a new file", .0.display())]
    Exists(PathBuf),
    /// The file is not a whole Hatchery store of a schema this build knows.
    #[error("{} is not a Hatchery store this version can restore: {reason}", path.display())]
    NotAStore {
        /// The file examined.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The store to restore over holds data, and `force` was not given.
    #[error(
        "the store at {} holds data (in {tables}); restoring would replace it: pass --force to do so",
        path.display()
    )]
    NotEmpty {
        /// The store.
        path: PathBuf,
        /// Tables that have rows.
        tables: String,
    },
    /// Another process has the store open.
    #[error(
        "the store at {} is in use (is `hatchery serve` running on it?): stop it before restoring",
        .0.display()
    )]
    InUse(PathBuf),
    /// The file system refused.
    #[error("cannot write {}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// SQLite refused.
    #[error("database error on {}", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

fn db_error(path: &Path) -> impl FnOnce(sqlx::Error) -> BackupError + '_ {
    move |source| BackupError::Database {
        path: path.to_owned(),
        source,
    }
}

/// The file a `sqlite:` URL names; a memory database or another scheme has none.
pub fn store_file(url: &str) -> Result<PathBuf, BackupError> {
    let not_a_file = || BackupError::NotAFile(url.to_owned());
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return Err(not_a_file());
    }
    let options = SqliteConnectOptions::from_str(url).map_err(|_| not_a_file())?;
    Ok(options.get_filename().to_owned())
}

/// Copies the store at `url` to a new file `out`, consistent as of one
/// instant even while a server writes to the store.
pub async fn backup(url: &str, out: &Path) -> Result<BackupSummary, BackupError> {
    let source = store_file(url)?;
    if !source.is_file() {
        return Err(BackupError::NoStore(source));
    }
    if out.exists() {
        return Err(BackupError::Exists(out.to_owned()));
    }
    let partial = partial_file(out)?;
    let mut conn = connect(&source, true).await?;
    check_schema(&mut conn, &source).await?;
    vacuum_into(&mut conn, &source, partial.path()).await?;
    conn.close().await.map_err(db_error(&source))?;
    let mut summary = examine(partial.path()).await?;
    sync(partial.path())?;
    partial
        .persist_noclobber(out)
        .map_err(|e| BackupError::Io {
            path: out.to_owned(),
            source: e.error,
        })?;
    sync_folder(out)?;
    summary.path = out.to_owned();
    Ok(summary)
}

/// Replaces the store at `url` with the backup `file`, after checking that
/// the backup is a whole Hatchery store. Refuses while the store is in use,
/// and, unless `force`, when it holds any data. The store is replaced in one
/// rename: it is either the old store or the backup, never a mixture.
pub async fn restore(file: &Path, url: &str, force: bool) -> Result<BackupSummary, BackupError> {
    let target = store_file(url)?;
    if !file.is_file() {
        return Err(BackupError::NoStore(file.to_owned()));
    }
    examine(file).await?;
    // A clean copy beside the store: `VACUUM INTO` takes in anything the
    // backup's own write-ahead log holds, which copying the file would miss.
    let partial = partial_file(&target)?;
    let mut conn = connect(file, true).await?;
    vacuum_into(&mut conn, file, partial.path()).await?;
    conn.close().await.map_err(db_error(file))?;
    sync(partial.path())?;

    let guard = if target.exists() {
        Some(take_over(&target, force).await?)
    } else {
        None
    };
    let (_, partial_path) = partial.keep().map_err(|e| BackupError::Io {
        path: target.clone(),
        source: e.error,
    })?;
    let renamed = std::fs::rename(&partial_path, &target);
    if renamed.is_ok() {
        // The old store's log and index were emptied under the lock; files
        // left by a crash must not be read as the new store's.
        for sidecar in ["-wal", "-shm"] {
            let mut name = target.clone().into_os_string();
            name.push(sidecar);
            let _ = std::fs::remove_file(name);
        }
    } else {
        let _ = std::fs::remove_file(&partial_path);
    }
    if let Some(guard) = guard {
        guard.close().await.map_err(db_error(&target))?;
    }
    renamed.map_err(io_error(&target))?;
    sync_folder(&target)?;
    examine(&target).await
}

/// Opens a connection of its own to an existing database file.
async fn connect(path: &Path, read_only: bool) -> Result<SqliteConnection, BackupError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .busy_timeout(BUSY_WAIT);
    SqliteConnection::connect_with(&options)
        .await
        .map_err(db_error(path))
}

/// An empty file beside `path` that becomes it, or is removed if dropped.
fn partial_file(path: &Path) -> Result<tempfile::NamedTempFile, BackupError> {
    let folder = folder_of(path);
    tempfile::Builder::new()
        .prefix(".hatchery-")
        .suffix(".partial")
        .tempfile_in(folder)
        .map_err(io_error(folder))
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

async fn vacuum_into(
    conn: &mut SqliteConnection,
    source: &Path,
    into: &Path,
) -> Result<(), BackupError> {
    let into_text = into.to_str().ok_or_else(|| BackupError::Io {
        path: into.to_owned(),
        source: io::Error::new(io::ErrorKind::InvalidInput, "the path is not UTF-8"),
    })?;
    sqlx::query("VACUUM INTO ?")
        .bind(into_text)
        .execute(conn)
        .await
        .map_err(db_error(source))?;
    Ok(())
}

/// Checks a database file whole and reads what it holds.
async fn examine(path: &Path) -> Result<BackupSummary, BackupError> {
    let not_a_store = |reason: String| BackupError::NotAStore {
        path: path.to_owned(),
        reason,
    };
    let mut conn = connect(path, true)
        .await
        .map_err(|e| not_a_store(e.to_string()))?;
    let problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| not_a_store(format!("SQLite cannot read it ({e})")))?;
    if problems != ["ok"] {
        let first = problems.into_iter().next().unwrap_or_default();
        return Err(not_a_store(format!("it is damaged: {first}")));
    }
    check_schema(&mut conn, path).await?;
    let row =
        sqlx::query("SELECT (SELECT count(*) FROM enterprises), (SELECT count(*) FROM wf_audit)")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| not_a_store(format!("it lacks Hatchery's tables ({e})")))?;
    let count = |i: usize| row.get::<i64, _>(i).max(0).unsigned_abs();
    let (enterprises, audit_entries) = (count(0), count(1));
    conn.close().await.map_err(db_error(path))?;
    let bytes = std::fs::metadata(path).map_err(io_error(path))?.len();
    Ok(BackupSummary {
        path: path.to_owned(),
        bytes,
        enterprises,
        audit_entries,
    })
}

/// Checks that every migration the database records is one this build
/// knows, unchanged: it is a Hatchery store, not from a newer version.
async fn check_schema(conn: &mut SqliteConnection, path: &Path) -> Result<(), BackupError> {
    let not_a_store = |reason: String| BackupError::NotAStore {
        path: path.to_owned(),
        reason,
    };
    let applied: Vec<(i64, Vec<u8>, bool)> =
        sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await
            .map_err(|_| not_a_store("it has no Hatchery schema".to_owned()))?;
    if applied.is_empty() {
        return Err(not_a_store("it has no Hatchery schema".to_owned()));
    }
    for (version, checksum, success) in applied {
        if !success {
            return Err(not_a_store(format!(
                "its migration {version} failed part way"
            )));
        }
        let known = MIGRATIONS
            .iter()
            .find(|m| m.version == version && !m.migration_type.is_down_migration());
        match known {
            Some(migration) if *migration.checksum == *checksum => {}
            Some(_) => {
                return Err(not_a_store(format!(
                    "its migration {version} differs from this version's"
                )));
            }
            None => {
                return Err(not_a_store(format!(
                    "its migration {version} is unknown to this version (made by a newer Hatchery?)"
                )));
            }
        }
    }
    Ok(())
}

/// Takes the store's exclusive lock for the rename, after checking that it
/// may be replaced; the returned connection holds the lock until closed.
async fn take_over(target: &Path, force: bool) -> Result<SqliteConnection, BackupError> {
    let options = SqliteConnectOptions::new()
        .filename(target)
        .busy_timeout(LOCK_WAIT)
        .locking_mode(SqliteLockingMode::Exclusive);
    let in_use = |error: sqlx::Error| {
        let busy = error
            .as_database_error()
            .and_then(|e| e.code())
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| matches!(code & 0xff, 5 | 6));
        if busy {
            BackupError::InUse(target.to_owned())
        } else {
            BackupError::Database {
                path: target.to_owned(),
                source: error,
            }
        }
    };
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(in_use)?;
    // Reading takes the lock, which exclusive mode keeps until the
    // connection closes; a server with the store open holds a share of it.
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(in_use)?;
    if !force {
        let mut holding = Vec::new();
        for table in tables {
            let quoted = format!("\"{}\"", table.replace('"', "\"\""));
            let any: bool = sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {quoted})"))
                .fetch_one(&mut conn)
                .await
                .map_err(in_use)?;
            if any {
                holding.push(table);
            }
        }
        if !holding.is_empty() {
            return Err(BackupError::NotEmpty {
                path: target.to_owned(),
                tables: holding.join(", "),
            });
        }
    }
    // Leaving WAL empties the log into the old file and needs the write
    // lock, which proves no one else is using the store.
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode = DELETE")
        .fetch_one(&mut conn)
        .await
        .map_err(in_use)?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(BackupError::InUse(target.to_owned()));
    }
    Ok(conn)
}

fn sync(path: &Path) -> Result<(), BackupError> {
    std::fs::File::open(path)
        .and_then(|file| file.sync_all())
        .map_err(io_error(path))
}

/// Makes a rename in the folder of `path` durable.
fn sync_folder(path: &Path) -> Result<(), BackupError> {
    let folder = folder_of(path);
    // Folders cannot be opened for syncing everywhere; where they cannot,
    // the rename is as durable as the platform makes it.
    if let Ok(handle) = std::fs::File::open(folder) {
        handle.sync_all().map_err(io_error(folder))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteStore;

    async fn plain_database(path: &Path, sql: &str) {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
        sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    }

    fn url(path: &Path) -> String {
        format!("sqlite://{}", path.display())
    }

    #[test]
    fn only_sqlite_files_have_a_file() {
        assert_eq!(
            store_file("sqlite://data/h.db").unwrap(),
            Path::new("data/h.db")
        );
        for url in [
            "sqlite::memory:",
            "sqlite://h.db?mode=memory",
            "postgres://x/y",
        ] {
            assert!(
                matches!(store_file(url), Err(BackupError::NotAFile(_))),
                "{url}"
            );
        }
    }

    #[tokio::test]
    async fn a_database_that_is_not_a_current_store_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = url(&dir.path().join("store.db"));

        let foreign = dir.path().join("foreign.db");
        plain_database(&foreign, "CREATE TABLE t (x)").await;
        let refused = restore(&foreign, &target, false).await.unwrap_err();
        assert!(
            refused.to_string().contains("no Hatchery schema"),
            "{refused}"
        );

        // A store with a migration this build does not know: a newer one.
        let newer = dir.path().join("newer.db");
        SqliteStore::open(&url(&newer)).await.unwrap().close().await;
        plain_database(
            &newer,
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99990101000000, 'future', 1, x'00', 0)",
        )
        .await;
        let refused = restore(&newer, &target, false).await.unwrap_err();
        assert!(refused.to_string().contains("newer Hatchery"), "{refused}");

        // Damaged: the second page (a table's root) overwritten.
        let damaged = dir.path().join("damaged.db");
        SqliteStore::open(&url(&damaged))
            .await
            .unwrap()
            .close()
            .await;
        // The pool's connections may close (and checkpoint) after `close`
        // returns: move every page out of the write-ahead log first, so the
        // bytes damaged below are the store's own.
        plain_database(&damaged, "PRAGMA wal_checkpoint(TRUNCATE)").await;
        let mut bytes = std::fs::read(&damaged).unwrap();
        assert!(bytes.len() >= 16384, "a store of {} bytes", bytes.len());
        bytes[8192..16384].fill(0xA5);
        std::fs::write(&damaged, bytes).unwrap();
        assert!(matches!(
            restore(&damaged, &target, false).await,
            Err(BackupError::NotAStore { .. })
        ));
        assert!(!dir.path().join("store.db").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[tokio::test]
    async fn an_empty_store_is_replaced_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let source = url(&dir.path().join("source.db"));
        let store = SqliteStore::open(&source).await.unwrap();
        store.close().await;
        let copy = dir.path().join("copy.db");
        let summary = backup(&source, &copy).await.unwrap();
        assert_eq!((summary.enterprises, summary.audit_entries), (0, 0));
        // A freshly migrated store has no rows: it may be replaced.
        let target = url(&dir.path().join("target.db"));
        SqliteStore::open(&target).await.unwrap().close().await;
        restore(&copy, &target, false).await.unwrap();
    }
}
