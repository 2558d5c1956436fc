//! What is particular to the SQLite store: URLs, files, memory databases,
//! concurrent imports, and data changed behind its back.

use std::path::Path;
use std::sync::Arc;

use hatchery_core::Dataset;
use hatchery_sqlite::SqliteStore;
use hatchery_store::conformance::fixtures::{enterprise, funding, sample, source};
use hatchery_store::{Store, StoreError};

fn url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

#[tokio::test]
async fn a_memory_database_lives_as_long_as_its_store() {
    let store = SqliteStore::open("sqlite::memory:").await.expect("open");
    store
        .import(&sample(), &source("memory"))
        .await
        .expect("import");
    // Reads after the write see it: the one connection is never recycled.
    assert_eq!(store.export().await.expect("export"), sample());
    assert_eq!(store.load_ledger().await.expect("ledger").len(), 5);

    let other = SqliteStore::open("sqlite::memory:").await.expect("open");
    assert_eq!(other.counts().await.expect("counts").enterprises, 0);
}

#[tokio::test]
async fn a_file_is_created_migrated_and_reopened() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("ledger.db");
    let store = SqliteStore::open(&url(&path)).await.expect("create");
    store
        .import(&sample(), &source("first"))
        .await
        .expect("import");
    // Writes go through the write-ahead log while the store is open.
    assert!(dir.path().join("ledger.db-wal").exists());
    store.close().await;

    // Opening again finds the schema up to date and the data in place.
    let again = SqliteStore::open(&url(&path)).await.expect("reopen");
    assert_eq!(again.export().await.expect("export"), sample());
    assert_eq!(again.imports().await.expect("imports").len(), 1);
}

/// The migration versions a store records, in order.
async fn recorded_versions(path: &Path) -> Vec<i64> {
    let pool = sqlx::SqlitePool::connect(&url(path))
        .await
        .expect("connect");
    let versions = sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&pool)
        .await
        .expect("versions");
    pool.close().await;
    versions
}

#[tokio::test]
async fn a_store_made_before_the_renumbering_opens_and_keeps_its_data() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("old.db");
    let store = SqliteStore::open(&url(&path)).await.expect("create");
    store
        .import(&sample(), &source("first"))
        .await
        .expect("import");
    store.close().await;
    assert_eq!(
        recorded_versions(&path).await,
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    );
    // As the releases before the renumbering recorded the same files.
    for (new, old) in [(2, 20261128100000_i64), (3, 20261128120000)] {
        let sql = format!("UPDATE _sqlx_migrations SET version = {old} WHERE version = {new}");
        tamper(&path, &sql).await;
    }
    assert_eq!(
        recorded_versions(&path).await,
        [
            1,
            4,
            5,
            6,
            7,
            8,
            9,
            10,
            11,
            12,
            13,
            20261128100000,
            20261128120000
        ]
    );

    let reopened = SqliteStore::open(&url(&path)).await.expect("reopen");
    assert_eq!(reopened.export().await.expect("export"), sample());
    reopened.close().await;
    assert_eq!(
        recorded_versions(&path).await,
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    );
}

#[tokio::test]
async fn other_urls_are_refused() {
    for url in [
        "postgres://hatch@db/hatchery",
        "hatchery.db",
        "mysql://db",
        "",
    ] {
        let result = SqliteStore::open(url).await;
        assert!(
            matches!(result, Err(StoreError::UnsupportedUrl(ref u)) if u == url),
            "{url}: {result:?}"
        );
    }
}

#[tokio::test]
async fn a_missing_folder_is_a_database_error() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("no/such/folder/ledger.db");
    let result = SqliteStore::open(&url(&path)).await;
    assert!(matches!(result, Err(StoreError::Database(_))), "{result:?}");
}

/// A connection of its own to the store's file, as another program would have.
async fn tamper(path: &Path, sql: &str) {
    let pool = sqlx::SqlitePool::connect(&url(path))
        .await
        .expect("connect");
    sqlx::query(sql).execute(&pool).await.expect("tamper");
    pool.close().await;
}

#[tokio::test]
async fn cells_changed_behind_its_back_are_reported_as_corrupt() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("ledger.db");
    let store = SqliteStore::open(&url(&path)).await.expect("open");
    store
        .import(&sample(), &source("sample"))
        .await
        .expect("import");

    tamper(
        &path,
        "UPDATE enterprises SET founded = 'someday' WHERE id = 'alpha'",
    )
    .await;
    let error = store
        .export()
        .await
        .expect_err("a founding date that is no date");
    assert!(
        matches!(&error, StoreError::Corrupt(m) if m.contains("enterprises.founded") && m.contains("someday")),
        "{error}"
    );

    tamper(
        &path,
        "UPDATE enterprises SET founded = '2015' WHERE id = 'alpha'",
    )
    .await;
    tamper(
        &path,
        "UPDATE events SET amount = '1e9' WHERE amount = '100'",
    )
    .await;
    let error = store
        .load_ledger()
        .await
        .expect_err("an amount that is no plain decimal");
    assert!(
        matches!(&error, StoreError::Corrupt(m) if m.contains("events.amount")),
        "{error}"
    );
}

#[tokio::test]
async fn imports_from_many_tasks_take_turns() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = Arc::new(
        SqliteStore::open(&url(&dir.path().join("ledger.db")))
            .await
            .expect("open"),
    );
    let tasks: Vec<_> = (0..4)
        .map(|n| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let id = format!("task-{n}");
                let dataset = Dataset {
                    enterprises: vec![enterprise(&id, "并发企业", "2020-01-01")],
                    events: (0..50)
                        .map(|k| funding(&id, "2021-01-01", &format!("{k}"), "USD"))
                        .collect(),
                    ..Dataset::default()
                };
                store.import(&dataset, &source(&id)).await
            })
        })
        .collect();
    for task in tasks {
        let outcome = task.await.expect("task").expect("import");
        assert_eq!(outcome.events_added, 50);
    }
    let counts = store.counts().await.expect("counts");
    assert_eq!(
        (counts.enterprises, counts.events, counts.imports),
        (4, 200, 4)
    );
    // Each import's events are numbered after the previous import's.
    let exported = store.export().await.expect("export");
    let mut runs = exported
        .events
        .chunk_by(|a, b| a.enterprise == b.enterprise);
    assert!(runs.all(|run| run.len() == 50));
}
