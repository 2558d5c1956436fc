//! Opening the store named by `--db`: the backend follows the URL's scheme.

use std::sync::Arc;

pub use hatchery_store::redact_url as redact;
use hatchery_store::{Store, StoreError};

/// Opens (creating and migrating if needed) the store at `url`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        let store = hatchery_sqlite::SqliteStore::open(url).await?;
        return Ok(Arc::new(store));
    }
    // Pool settings ride in the query (`max_connections`, `acquire_timeout`,
    // `migrate=false`); see `hatchery_postgres::PoolOptions`.
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = hatchery_postgres::PgStore::open(url).await?;
        return Ok(Arc::new(store));
    }
    Err(StoreError::UnsupportedUrl(redact(url)))
}
