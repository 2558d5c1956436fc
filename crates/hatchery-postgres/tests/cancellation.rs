//! A client that gives up drops its request's future wherever it is, even
//! in the middle of opening a transaction. The connection must go back to
//! the pool clean: the soak on PostgreSQL once saw a dropped read's
//! read-only snapshot still open on the connection the next import borrowed
//! ("cannot execute INSERT in a read-only transaction").

mod common;

use hatchery_core::Dataset;
use hatchery_postgres::PgStore;
use hatchery_store::Store;
use hatchery_store::conformance::fixtures::{enterprise, source};

#[tokio::test]
async fn reads_dropped_while_opening_leave_no_transaction_behind() {
    let Some(database) = common::fresh_database().await else {
        return;
    };
    // One connection: whatever a dropped read leaves on it, the import
    // below meets.
    let separator = if database.url().contains('?') {
        '&'
    } else {
        '?'
    };
    let store = PgStore::open(&format!("{}{separator}max_connections=1", database.url()))
        .await
        .expect("open");
    let first = Dataset {
        enterprises: vec![enterprise("alpha", "阿尔法", "2015")],
        ..Dataset::default()
    };
    store
        .import(&first, &source("first"))
        .await
        .expect("import");
    let alpha = hatchery_core::EnterpriseId::parse("alpha").expect("an id");
    // Drop a read at each point of its first round trips, from before the
    // `BEGIN` is sent to after it is answered (a whole read takes about 200
    // polls here; timers are too coarse to land inside a loopback round trip),
    // and import right after it on the same connection.
    let mut refused = Vec::new();
    for polls in 0..300usize {
        let mut read = Box::pin(store.enterprise(&alpha));
        for _ in 0..polls {
            if futures::poll!(read.as_mut()).is_ready() {
                break;
            }
            tokio::task::yield_now().await;
        }
        drop(read);
        let id = format!("e{polls}");
        let next = Dataset {
            enterprises: vec![enterprise(&id, "企业", "2016")],
            ..Dataset::default()
        };
        if let Err(error) = store.import(&next, &source(&id)).await {
            refused.push(format!("after {polls} polls: {error}"));
        }
    }
    assert!(refused.is_empty(), "{refused:#?}");
    let ledger = store.load_ledger().await.expect("ledger");
    assert_eq!(ledger.len(), 301);
}
