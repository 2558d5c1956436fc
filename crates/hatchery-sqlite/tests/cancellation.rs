//! A write whose future is dropped part-way (a request whose client went
//! away, a timeout) leaves no transaction open: the import is whole or
//! absent, and another connection can take SQLite's write lock at once.

use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use hatchery_sqlite::SqliteStore;
use hatchery_store::Store;
use hatchery_store::conformance::fixtures::source;
use hatchery_synth::{Generator, GeneratorConfig};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};

/// Whether a connection of another "process" (one outside the store's
/// pool, waiting for no one) gets SQLite's write lock within `patience`.
async fn write_lock_free(options: &SqliteConnectOptions, patience: Duration) -> bool {
    let started = Instant::now();
    loop {
        let mut conn = SqliteConnection::connect_with(options)
            .await
            .expect("a connection");
        let taken = sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut conn)
            .await
            .is_ok();
        if taken {
            sqlx::query("ROLLBACK")
                .execute(&mut conn)
                .await
                .expect("rollback");
        }
        conn.close().await.expect("closed");
        if taken {
            return true;
        }
        if started.elapsed() > patience {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_dropped_at_any_point_holds_no_write_lock() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("ledger.db");
    let store = SqliteStore::open(&format!("sqlite://{}", path.display()))
        .await
        .expect("open");
    let dataset = Generator::new(GeneratorConfig::new(2_000, 5))
        .expect("a generator")
        .dataset();
    let outsider = SqliteConnectOptions::new()
        .filename(&path)
        .busy_timeout(Duration::ZERO);

    // Polled once more each time before it is dropped, the import is cut
    // at each of its awaits in turn: taking the writer's turn, a
    // connection, `BEGIN IMMEDIATE`, the plan, the writes, the commit.
    let mut completed = None;
    let dropped = source("dropped");
    for polls in 1..=60 {
        {
            let mut import = pin!(store.import(&dataset, &dropped));
            for _ in 0..polls {
                if let Poll::Ready(done) = futures::poll!(import.as_mut()) {
                    done.expect("an import that runs to its end succeeds");
                    completed.get_or_insert(polls);
                    break;
                }
                tokio::time::sleep(Duration::from_micros(300)).await;
            }
        }
        assert!(
            write_lock_free(&outsider, Duration::from_secs(2)).await,
            "after dropping the import at poll {polls}, the write lock is still held"
        );
        let enterprises = store.counts().await.expect("counts").enterprises;
        assert!(
            enterprises == 0 || enterprises == dataset.enterprises.len() as u64,
            "after dropping the import at poll {polls}: {enterprises} enterprises"
        );
    }
    assert!(
        completed.is_some_and(|polls| polls > 3),
        "the import never ran to its end, or never awaited anything: {completed:?}"
    );
    // And the store's own writes go on.
    store
        .import(&dataset, &source("after"))
        .await
        .expect("an import after the dropped ones");
    assert_eq!(
        store.counts().await.expect("counts").enterprises,
        dataset.enterprises.len() as u64
    );
}
