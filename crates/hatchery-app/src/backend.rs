//! The backend and the one place that opens it from a database URL.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use hatchery_store::workflow::WorkflowStore;
use hatchery_store::{Store, StoreError};
use serde::Deserialize;

/// The store used when none is named: a SQLite file in the working folder.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://hatchery.db";

/// A database that stores both the ledger and the workflow.
pub trait Backend: Store + WorkflowStore {}

impl<T: Store + WorkflowStore> Backend for T {}

/// A database URL whose `Debug` and `Display` hide the password.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL itself, password included: for connecting only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        hatchery_store::redact_url(&self.0)
    }

    /// The file of a `sqlite:` URL (`None` for another engine or an
    /// in-memory database).
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        let rest = self.0.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let memory = path.is_empty()
            || path == ":memory:"
            || query.split('&').any(|pair| pair == "mode=memory");
        (!memory).then(|| PathBuf::from(path))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Whether opening may create the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// Create the store if it is missing and bring its schema up to date:
    /// for the server and for commands that write.
    CreateOrMigrate,
    /// The store must already exist (a SQLite file that is not there is
    /// refused rather than created empty): for commands that only read,
    /// where an empty store would give a plausible, wrong answer.
    Existing,
}

/// Why a backend could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// A read was asked of a SQLite file that does not exist.
    #[error("no store at {}; import into it first", .0.display())]
    Missing(PathBuf),
    /// The URL names no engine Hatchery has.
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://…")]
    Unsupported(String),
    /// The engine refused or failed.
    #[error("opening the database {url}")]
    Database {
        url: DatabaseUrl,
        #[source]
        source: StoreError,
    },
}

/// Opens the database a URL names: the embedded SQLite file
/// (`sqlite://PATH`) or a PostgreSQL database (`postgres://…`, pool settings
/// in the query: see `hatchery_postgres::PoolOptions`), migrating its schema.
pub async fn open_backend(
    url: &DatabaseUrl,
    opening: Opening,
) -> Result<Arc<dyn Backend>, OpenError> {
    let failed = |source| OpenError::Database {
        url: url.clone(),
        source,
    };
    let raw = url.expose();
    if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
        let store = hatchery_postgres::PgStore::open(raw)
            .await
            .map_err(failed)?;
        return Ok(Arc::new(store));
    }
    if raw.starts_with("sqlite:") {
        if opening == Opening::Existing
            && let Some(file) = url.sqlite_file()
            && !file.exists()
        {
            return Err(OpenError::Missing(file));
        }
        let store = hatchery_sqlite::SqliteStore::open(raw)
            .await
            .map_err(failed)?;
        return Ok(Arc::new(store));
    }
    Err(OpenError::Unsupported(url.redacted()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_files_are_found_in_their_urls() {
        let file = |url: &str| DatabaseUrl::new(url).sqlite_file();
        assert_eq!(file("sqlite://data/h.db"), Some(PathBuf::from("data/h.db")));
        assert_eq!(file("sqlite:///srv/h.db"), Some(PathBuf::from("/srv/h.db")));
        assert_eq!(file("sqlite:h.db?mode=rwc"), Some(PathBuf::from("h.db")));
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("sqlite://h.db?mode=memory"), None);
        assert_eq!(file("postgres://db/h"), None);
    }

    #[tokio::test]
    async fn a_missing_file_is_refused_for_reading_and_created_for_writing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let url = DatabaseUrl::new(format!("sqlite://{}", path.display()));
        let refused = open_backend(&url, Opening::Existing).await.err().unwrap();
        assert_eq!(
            refused.to_string(),
            format!("no store at {}; import into it first", path.display())
        );
        assert!(!path.exists(), "refusing leaves nothing behind");
        open_backend(&url, Opening::CreateOrMigrate).await.unwrap();
        assert!(path.exists());
        open_backend(&url, Opening::Existing).await.unwrap();
    }

    #[tokio::test]
    async fn other_schemes_are_unsupported_and_passwords_stay_hidden() {
        let url = DatabaseUrl::new("mysql://u:secret@db/h");
        let error = open_backend(&url, Opening::CreateOrMigrate)
            .await
            .err()
            .unwrap();
        assert!(matches!(error, OpenError::Unsupported(_)));
        assert!(!error.to_string().contains("secret"), "{error}");
    }
}
