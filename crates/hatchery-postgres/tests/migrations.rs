//! Opening a store migrates only what is missing: an up-to-date schema is
//! only read (so read-only roles, standbys and poolers can open it), and a
//! migration changed since it was applied is refused.

mod common;

use hatchery_postgres::PgStore;
use hatchery_store::{ImportSource, Store, StoreError};
use sqlx::{Connection, Executor, PgConnection};

#[tokio::test]
async fn an_up_to_date_schema_is_only_read() {
    let Some(store) = common::fresh_store().await else {
        return;
    };
    let mut conn = PgConnection::connect(store.url()).await.expect("connect");
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut conn)
        .await
        .expect("name");
    conn.execute(
        format!(r#"ALTER DATABASE "{name}" SET default_transaction_read_only = on"#).as_str(),
    )
    .await
    .expect("make new sessions read-only");

    let reader = PgStore::open(store.url())
        .await
        .expect("an up-to-date schema opens without writing");
    assert_eq!(reader.counts().await.expect("counts"), Default::default());
    let source = ImportSource::default();
    let refused = reader.import(&Default::default(), &source).await;
    assert!(
        matches!(refused, Err(StoreError::Database(_))),
        "{refused:?}"
    );
    reader.close().await;
    conn.close().await.expect("close");
}

#[tokio::test]
async fn a_changed_migration_is_refused() {
    let Some(store) = common::fresh_store().await else {
        return;
    };
    let mut conn = PgConnection::connect(store.url()).await.expect("connect");
    conn.execute("UPDATE _sqlx_migrations SET checksum = '\\x00' WHERE version = 1")
        .await
        .expect("tamper with the record");
    let error = PgStore::open(store.url())
        .await
        .expect_err("the changed migration is noticed");
    assert!(
        error.to_string().contains("modified"),
        "the migrator names the change: {error}"
    );
    conn.close().await.expect("close");
}

#[tokio::test]
async fn pool_settings_in_the_url_are_not_sent_to_the_server() {
    let Some(store) = common::fresh_store().await else {
        return;
    };
    let url = format!(
        "{}?max_connections=2&acquire_timeout=5&migrate=false",
        store.url()
    );
    let tuned = PgStore::open(&url).await.expect("open with pool settings");
    tuned.counts().await.expect("counts");
    tuned.close().await;
}
