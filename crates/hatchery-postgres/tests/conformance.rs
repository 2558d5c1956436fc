//! Every backend-neutral story of `hatchery_store::conformance`, the
//! ledger's and the workflow's, each on a fresh PostgreSQL database of its own.

mod common;

use hatchery_postgres::PgStore;

/// A second store on the test's database, with a pool of its own: to the
/// server, another process.
async fn again(store: &common::TestStore) -> Box<PgStore> {
    Box::new(PgStore::open(store.url()).await.expect("open it again"))
}

hatchery_store::conformance_tests!(optional common::fresh_store);
hatchery_store::workflow_conformance_tests!(optional common::fresh_store, again);
