//! Opening the store named by `--db`: the backend follows the URL's scheme.

use std::sync::Arc;

use hatchery_store::{Store, StoreError};

/// Opens (creating and migrating if needed) the store at `url`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        let store = hatchery_sqlite::SqliteStore::open(url).await?;
        return Ok(Arc::new(store));
    }
    Err(StoreError::UnsupportedUrl(redact(url)))
}

/// The URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://hatch:s3cret@db.example/hatchery"),
            "postgres://hatch:***@db.example/hatchery"
        );
        assert_eq!(redact("sqlite://hatchery.db"), "sqlite://hatchery.db");
        assert_eq!(redact("postgres://hatch@db/h"), "postgres://hatch@db/h");
    }
}
