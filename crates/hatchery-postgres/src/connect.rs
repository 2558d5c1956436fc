//! From a database URL to a connection pool: the pool's own settings, which
//! may ride in the URL's query, and a password that never reaches a message.

use std::str::FromStr;
use std::time::Duration;

use hatchery_store::{StoreError, redact_url as redact};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

use crate::database;

/// How the store's connection pool behaves.
///
/// [`PgStore::open`](crate::PgStore::open) reads these from the URL's query,
/// where they sit beside libpq's own parameters and are removed before the
/// URL reaches the driver:
///
/// ```text
/// postgres://hatchery@db.example/hatchery?sslmode=require&max_connections=20&acquire_timeout=10
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolOptions {
    /// Connections the pool opens at most (`max_connections`). Behind
    /// PgBouncer this is per process, and the bouncer's pool is the real limit.
    pub max_connections: u32,
    /// Connections kept open when idle (`min_connections`).
    pub min_connections: u32,
    /// How long a request waits for a free connection before failing
    /// (`acquire_timeout`, in seconds).
    pub acquire_timeout: Duration,
    /// Whether opening the store brings the schema up to date (`migrate`,
    /// `true` or `false`); see [`PgStore::migrate`](crate::PgStore::migrate).
    /// An up-to-date schema is only read either way; `false` skips even that.
    pub migrate: bool,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(30),
            migrate: true,
        }
    }
}

/// The query parameters that are ours, not the driver's.
const OURS: [&str; 4] = [
    "max_connections",
    "min_connections",
    "acquire_timeout",
    "migrate",
];

impl PoolOptions {
    /// Splits `url` into the URL the driver sees and the pool options its
    /// query gives (defaults for the rest).
    pub fn from_url(url: &str) -> Result<(String, Self), StoreError> {
        let mut options = Self::default();
        let Some((base, query)) = url.split_once('?') else {
            return Ok((url.to_owned(), options));
        };
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if !OURS.contains(&key) {
                kept.push(pair);
                continue;
            }
            let bad = || {
                StoreError::UnsupportedUrl(format!(
                    "{} ({key} must be {}, not '{value}')",
                    redact(url),
                    if key == "migrate" {
                        "true or false"
                    } else {
                        "a whole number"
                    },
                ))
            };
            match key {
                "max_connections" => options.max_connections = value.parse().map_err(|_| bad())?,
                "min_connections" => options.min_connections = value.parse().map_err(|_| bad())?,
                "acquire_timeout" => {
                    let seconds: u64 = value.parse().map_err(|_| bad())?;
                    options.acquire_timeout = Duration::from_secs(seconds);
                }
                _ => options.migrate = value.parse().map_err(|_| bad())?,
            }
        }
        if options.max_connections == 0 || options.min_connections > options.max_connections {
            return Err(StoreError::UnsupportedUrl(format!(
                "{} (max_connections must be at least 1 and at least min_connections)",
                redact(url)
            )));
        }
        let url = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        Ok((url, options))
    }
}

/// Opens a pool on `url` (which must not carry our own parameters any more).
///
/// One connection is made straight away, outside the pool, so that a wrong
/// host, password or database name fails at once with the server's own
/// reason; the pool itself would keep retrying until `acquire_timeout` and
/// then report only that it timed out.
pub(crate) async fn pool(url: &str, options: &PoolOptions) -> Result<PgPool, StoreError> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(StoreError::UnsupportedUrl(redact(url)));
    }
    let connect = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::UnsupportedUrl(format!("{} ({e})", redact(url))))?
        .application_name("hatchery");
    let unreachable = |source| {
        StoreError::Database(Box::new(Unreachable {
            url: redact(url),
            source,
        }))
    };
    let first = match tokio::time::timeout(
        options.acquire_timeout,
        PgConnection::connect_with(&connect),
    )
    .await
    {
        Ok(connected) => connected.map_err(unreachable)?,
        Err(_) => {
            return Err(unreachable(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no answer in {:?}", options.acquire_timeout),
            ))));
        }
    };
    first.close().await.map_err(database)?;
    Ok(PgPoolOptions::new()
        .max_connections(options.max_connections)
        .min_connections(options.min_connections)
        .acquire_timeout(options.acquire_timeout)
        .connect_lazy_with(connect))
}

/// The server named by a URL did not let us in, and why.
#[derive(Debug, thiserror::Error)]
#[error("cannot connect to {url}: {source}")]
struct Unreachable {
    /// Redacted.
    url: String,
    source: sqlx::Error,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_settings_leave_the_url() {
        let (url, options) = PoolOptions::from_url(
            "postgres://h@db/x?sslmode=require&max_connections=20&acquire_timeout=5&migrate=false",
        )
        .unwrap();
        assert_eq!(url, "postgres://h@db/x?sslmode=require");
        assert_eq!(
            options,
            PoolOptions {
                max_connections: 20,
                acquire_timeout: Duration::from_secs(5),
                migrate: false,
                ..PoolOptions::default()
            }
        );
        let (url, options) = PoolOptions::from_url("postgres://h@db/x").unwrap();
        assert_eq!(
            (url.as_str(), options),
            ("postgres://h@db/x", PoolOptions::default())
        );
        let (url, _) = PoolOptions::from_url("postgres://h@db/x?min_connections=2").unwrap();
        assert_eq!(url, "postgres://h@db/x");
    }

    #[test]
    fn bad_pool_settings_are_refused_without_the_password() {
        for url in [
            "postgres://h:pw@db/x?max_connections=many",
            "postgres://h:pw@db/x?max_connections=0",
            "postgres://h:pw@db/x?max_connections=2&min_connections=3",
            "postgres://h:pw@db/x?migrate=perhaps",
        ] {
            match PoolOptions::from_url(url) {
                Err(StoreError::UnsupportedUrl(message)) => {
                    assert!(!message.contains("pw"), "{message}");
                }
                other => panic!("{url}: {other:?}"),
            }
        }
    }
}
