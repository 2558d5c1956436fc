//! The ledger snapshot is only ever a faster way to the same ledger: after
//! every kind of import, `load_ledger` equals the ledger scanned from the
//! tables, and a failed import leaves the snapshot as it was.

use hatchery_core::{Dataset, Enterprise, Ledger};
use hatchery_sqlite::SqliteStore;
use hatchery_store::conformance::fixtures::source;
use hatchery_store::{Store, StoreError};
use hatchery_synth::{Generator, GeneratorConfig};
use sqlx::Connection;

async fn same_ledger(store: &SqliteStore, step: &str) -> Ledger {
    let loaded = store.load_ledger().await.expect("load");
    let scanned = store.load_ledger_by_scanning().await.expect("scan");
    assert!(
        loaded == scanned,
        "{step}: the snapshot and the tables differ"
    );
    loaded
}

#[tokio::test]
async fn every_import_keeps_the_snapshot_equal_to_the_tables() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}", dir.path().join("ledger.db").display());
    let store = SqliteStore::open(&url).await.expect("open");
    let dataset = Generator::new(GeneratorConfig::new(3_000, 5))
        .expect("a generator")
        .dataset();
    assert!(dataset.events.len() > 10_000);

    let cut = dataset.enterprises.len() / 2;
    let first = Dataset {
        enterprises: dataset.enterprises[..cut].to_vec(),
        events: dataset
            .events
            .iter()
            .filter(|e| {
                dataset.enterprises[..cut]
                    .iter()
                    .any(|x| x.id == e.enterprise)
            })
            .cloned()
            .collect(),
        fx: dataset.fx.clone(),
        financials: Vec::new(),
    };
    // Into an empty store: the import writes the snapshot itself.
    store
        .import(&first, &source("half"))
        .await
        .expect("first half");
    let ledger = same_ledger(&store, "after the first import").await;
    assert_eq!(ledger.len(), cut);

    // The whole dataset on top: new enterprises, events already stored.
    store
        .import(&dataset, &source("whole"))
        .await
        .expect("whole");
    same_ledger(&store, "after an import into a full store").await;
    // Read again: now from the snapshot the last load kept.
    let ledger = same_ledger(&store, "loaded twice").await;
    assert_eq!(ledger.len(), dataset.enterprises.len());

    // An import that changes nothing carries the snapshot forward.
    let outcome = store
        .import(&dataset, &source("again"))
        .await
        .expect("again");
    assert!(!outcome.changed_anything());
    same_ledger(&store, "after an import that changed nothing").await;

    // Enterprises moved: the snapshot must not keep the old regions.
    let moved = Dataset {
        enterprises: dataset
            .enterprises
            .iter()
            .step_by(7)
            .map(|e| Enterprise {
                region: "110108".parse().ok(),
                ..e.clone()
            })
            .collect(),
        ..Dataset::default()
    };
    store.import(&moved, &source("moved")).await.expect("moved");
    let ledger = same_ledger(&store, "after moves").await;
    let first_moved = ledger
        .position(moved.enterprises[0].id.as_str())
        .expect("still there");
    assert_eq!(
        ledger.enterprises()[first_moved].region,
        "110108".parse().ok()
    );

    // A rejected import leaves everything, the snapshot too, as it was.
    let before = store.load_ledger().await.expect("load");
    let mut bad = moved.clone();
    bad.events.push(hatchery_core::Event {
        enterprise: "nobody-at-all".parse().unwrap(),
        ..dataset.events[0].clone()
    });
    let refused = store.import(&bad, &source("bad")).await;
    assert!(
        matches!(refused, Err(StoreError::Rejected(_))),
        "{refused:?}"
    );
    assert!(store.load_ledger().await.expect("load") == before);
    same_ledger(&store, "after a rejected import").await;
}

/// Into an empty store the import writes the dataset's own snapshot: on a
/// multi-thread runtime encoded beside the writes, on a single thread after
/// them. A repeated event, which the store drops, must be dropped from the
/// snapshot too.
async fn an_empty_store_takes_the_snapshot_of_what_it_stored() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}", dir.path().join("ledger.db").display());
    for repeated in [false, true] {
        let file = format!("{url}-{repeated}");
        let store = SqliteStore::open(&file).await.expect("open");
        let mut dataset = Generator::new(GeneratorConfig::new(500, 9))
            .expect("a generator")
            .dataset();
        let distinct = dataset.events.len();
        if repeated {
            dataset.events.push(dataset.events[0].clone());
        }
        let outcome = store
            .import(&dataset, &source("empty"))
            .await
            .expect("import");
        assert_eq!(outcome.events_duplicate, u64::from(repeated));
        let mut conn = sqlx::SqliteConnection::connect(&file)
            .await
            .expect("a second connection");
        let parts: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ledger_snapshot \
             WHERE import_id = (SELECT MAX(id) FROM imports)",
        )
        .fetch_one(&mut conn)
        .await
        .expect("count the snapshot's parts");
        assert!(
            parts > 0,
            "the import wrote no snapshot (repeated: {repeated})"
        );
        let ledger = same_ledger(&store, "after an import into an empty store").await;
        assert_eq!(ledger.event_count(), distinct, "repeated: {repeated}");
    }
}

#[tokio::test]
async fn an_empty_store_takes_the_snapshot_of_what_it_stored_on_one_thread() {
    an_empty_store_takes_the_snapshot_of_what_it_stored().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_store_takes_the_snapshot_of_what_it_stored_on_many_threads() {
    an_empty_store_takes_the_snapshot_of_what_it_stored().await;
}
