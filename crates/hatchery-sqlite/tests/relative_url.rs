//! `sqlite://NAME` names a file in the current folder. Alone in its test
//! binary, because it changes the process's current folder.

use hatchery_sqlite::SqliteStore;
use hatchery_store::Store;
use hatchery_store::conformance::fixtures::{sample, source};

#[tokio::test]
async fn a_relative_path_starts_in_the_current_folder() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::env::set_current_dir(dir.path()).expect("enter the folder");
    let store = SqliteStore::open("sqlite://hatchery.db")
        .await
        .expect("open");
    store
        .import(&sample(), &source("here"))
        .await
        .expect("import");
    store.close().await;
    assert!(dir.path().join("hatchery.db").is_file());
}
