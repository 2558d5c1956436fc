//! PostgreSQL's one limit beyond the format's: `text` cannot hold the NUL
//! character. Such a cell rejects the import at its own row and column, like
//! every other rejection, instead of failing the bulk write unlocated.

mod common;

use hatchery_core::Dataset;
use hatchery_store::conformance::fixtures::{enterprise, funding, source};
use hatchery_store::{RowRef, Store, StoreCounts, StoreError};

#[tokio::test]
async fn text_postgresql_cannot_hold_is_rejected_at_its_row() {
    let Some(store) = common::fresh_store().await else {
        return;
    };
    let mut alpha = enterprise("alpha", "阿尔法\0科技", "2015");
    alpha.tags = vec!["fine".to_owned(), "bad\0".to_owned()];
    let beta = enterprise("beta", "贝塔", "2016");
    let mut round = funding("beta", "2020-01-01", "1", "USD");
    round.round = Some("A\0".to_owned());
    round.extra.insert("x_note".to_owned(), "\0".to_owned());
    let dataset = Dataset {
        enterprises: vec![alpha, beta],
        events: vec![funding("beta", "2019-01-01", "1", "USD"), round],
        ..Dataset::default()
    };

    let rejections = match store.import(&dataset, &source("nul")).await {
        Err(StoreError::Rejected(rejections)) => rejections,
        other => panic!("should be rejected: {other:?}"),
    };
    let places: Vec<_> = rejections.iter().map(|r| (r.row, r.column)).collect();
    assert_eq!(
        places,
        [
            (RowRef::Enterprise(0), "name"),
            (RowRef::Enterprise(0), "tags"),
            (RowRef::Event(1), "round"),
            (RowRef::Event(1), "x_*"),
        ]
    );
    assert!(
        rejections[3].message.starts_with("x_note:"),
        "{rejections:?}"
    );
    assert_eq!(
        store.counts().await.expect("counts"),
        StoreCounts::default()
    );
}
