//! Every backend-neutral story of `hatchery_store::conformance`, the
//! ledger's and the workflow's, each on a fresh temp-file database of its own.

use std::ops::Deref;

use hatchery_sqlite::SqliteStore;
use tempfile::TempDir;

/// A store in a temporary folder, removed when the test ends.
struct TestStore {
    store: SqliteStore,
    url: String,
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
    TestStore {
        store,
        url,
        _dir: dir,
    }
}

/// A second store on the test's file: to SQLite, another process.
async fn again(store: &TestStore) -> Box<SqliteStore> {
    Box::new(SqliteStore::open(&store.url).await.expect("open it again"))
}

hatchery_store::conformance_tests!(fresh);
hatchery_store::workflow_conformance_tests!(fresh, again);
