//! Every backend-neutral story of `hatchery_store::conformance`, each on a
//! fresh temp-file database of its own.

use std::ops::Deref;

use hatchery_sqlite::SqliteStore;
use tempfile::TempDir;

/// A store in a temporary folder, removed when the test ends.
struct TestStore {
    store: SqliteStore,
    _dir: TempDir,
}

impl Deref for TestStore {
    type Target = SqliteStore;
    fn deref(&self) -> &SqliteStore {
        &self.store
    }
}

async fn fresh() -> TestStore {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("hatchery.db").display());
    let store = SqliteStore::open(&url).await.expect("open a fresh store");
    TestStore { store, _dir: dir }
}

hatchery_store::conformance_tests!(fresh);
