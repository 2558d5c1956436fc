//! A fresh PostgreSQL database for every test, dropped when the test ends,
//! failed or not: for this crate's tests and every other crate's that runs
//! its suite on PostgreSQL too (feature `testing`).
//!
//! The server comes from `HATCHERY_TEST_POSTGRES` (default
//! [`DEFAULT_SERVER`]); tests need a role that may create databases. When
//! the server cannot be reached, tests fail if `HATCHERY_REQUIRE_POSTGRES=1`
//! (as in CI) and otherwise say so on stderr and pass without running.

use std::io::Write;
use std::ops::Deref;
use std::time::Duration;

use crate::{PgStore, redact};
use sqlx::{Connection, Executor, PgConnection};

/// Where tests look for PostgreSQL when the environment does not say.
pub const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// How long to wait for the server before calling it unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A store on a database of its own.
#[derive(Debug)]
pub struct TestStore {
    store: PgStore,
    // Declared after the store, so dropped after it.
    database: TestDatabase,
}

impl TestStore {
    /// The URL of the test's database.
    pub fn url(&self) -> &str {
        &self.database.url
    }
}

impl Deref for TestStore {
    type Target = PgStore;
    fn deref(&self) -> &PgStore {
        &self.store
    }
}

/// A database created for one test; dropping it drops the database.
#[derive(Debug)]
pub struct TestDatabase {
    server: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// The URL of the database.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop cannot await, and may run inside the test's runtime (or while
        // a failed test unwinds): a thread of its own, with a runtime of its
        // own, does the work. FORCE ends the store's connections still open.
        let (server, name) = (self.server.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&server)
                    .await
                    .map_err(|e| e.to_string())?;
                admin
                    .execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str())
                    .await
                    .map_err(|e| e.to_string())?;
                admin.close().await.map_err(|e| e.to_string())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("could not drop test database {}: {error}", self.name),
            Err(_) => eprintln!(
                "could not drop test database {}: the thread panicked",
                self.name
            ),
        }
    }
}

/// The server tests use.
pub fn server() -> String {
    std::env::var("HATCHERY_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_SERVER.to_owned())
}

/// Creates an empty database on the test server, or `None` (having said
/// why) when the server cannot be reached and is not required.
pub async fn fresh_database() -> Option<TestDatabase> {
    let server = server();
    let required = std::env::var("HATCHERY_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let connected = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect(&server)).await;
    let mut admin = match connected {
        Ok(Ok(admin)) => admin,
        failed => {
            let why = match failed {
                Ok(Err(error)) => error.to_string(),
                _ => format!("no answer in {CONNECT_TIMEOUT:?}"),
            };
            let message = format!("PostgreSQL not reachable at {} ({why})", redact(&server));
            assert!(!required, "{message}, and HATCHERY_REQUIRE_POSTGRES=1");
            // Straight to stderr, past the test harness's capture: a skipped
            // test passes, and would otherwise not show the line at all.
            let _ = writeln!(std::io::stderr(), "{message}: skipped");
            return None;
        }
    };
    let name = format!("hatchery_test_{:016x}", rand::random::<u64>());
    admin
        .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
        .await
        .unwrap_or_else(|e| panic!("create test database {name}: {e}"));
    admin.close().await.expect("close the admin connection");
    let url = with_database(&server, &name);
    Some(TestDatabase { server, name, url })
}

/// A migrated store on a fresh database; see [`fresh_database`].
pub async fn fresh_store() -> Option<TestStore> {
    let database = fresh_database().await?;
    let store = PgStore::open(&database.url)
        .await
        .unwrap_or_else(|e| panic!("open {}: {e}", redact(&database.url)));
    Some(TestStore { store, database })
}

/// `url` naming the database `name` instead of its own.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let authority = rest
        .split_once('/')
        .map_or(rest, |(authority, _)| authority);
    match query {
        Some(query) => format!("{scheme}://{authority}/{name}?{query}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

#[cfg(test)]
#[test]
fn test_databases_replace_the_servers_database() {
    assert_eq!(
        with_database("postgres://p@h:5432/postgres", "t1"),
        "postgres://p@h:5432/t1"
    );
    assert_eq!(with_database("postgres://p@h", "t1"), "postgres://p@h/t1");
    assert_eq!(
        with_database("postgresql://p:pw@h/db?sslmode=disable", "t1"),
        "postgresql://p:pw@h/t1?sslmode=disable"
    );
}
