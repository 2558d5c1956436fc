//! Clients that give up: over real HTTP, imports with an `Idempotency-Key`
//! abandoned by their client at every stage leave the store whole or
//! untouched and writable at once, and readiness says when the store cannot
//! take writes.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{BackendKind, PASSWORD, dataset, enterprise, event};
use crate::http::Running;

/// Enterprises in the dataset the tests import: enough that an import is
/// still running when its client gives up a few milliseconds in.
const ENTERPRISES: usize = 3000;

fn large_dataset() -> Value {
    let enterprises = (0..ENTERPRISES)
        .map(|i| {
            enterprise(
                &format!("cancel-{i:05}"),
                &format!("放弃测试 {i} 有限公司"),
                "2021-06-01",
                "440305",
                None,
            )
        })
        .collect();
    let events = (0..ENTERPRISES)
        .map(|i| {
            event(
                &format!("cancel-{i:05}"),
                "2022-01-10",
                "funding",
                json!({"amount": "20000000", "valuation": "300000000", "currency": "USD"}),
            )
        })
        .collect();
    dataset(enterprises, events)
}

/// Signs in as `admin` and makes an API token.
async fn admin_token(client: &reqwest::Client, server: &Running) -> String {
    let login = client
        .post(format!("{}/api/session", server.base))
        .json(&json!({ "username": "admin", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let csrf = login.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let token: Value = client
        .post(format!("{}/api/tokens", server.base))
        .header("x-csrf-token", csrf)
        .json(&json!({ "name": "cancellation" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["token"].as_str().unwrap().to_owned()
}

async fn enterprises(server: &Running) -> u64 {
    server.state.db.counts().await.unwrap().enterprises
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_abandoned_by_their_clients_leave_the_store_whole_and_writable() {
    let Some(server) = Running::start().await else {
        return;
    };
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let token = admin_token(&client, &server).await;
    let body = serde_json::to_vec(&large_dataset()).unwrap();
    let import = |key: String, timeout: Duration| {
        client
            .post(format!("{}/api/imports", server.base))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(body.clone())
            .timeout(timeout)
            .send()
    };

    // Each client gives up after a few milliseconds: while sending the
    // body, while the import is planned or written, or while it commits.
    let mut abandoned = 0;
    for attempt in 0..8u64 {
        let gave_up = import(
            format!("abandoned-{attempt}"),
            Duration::from_millis(2 + 12 * attempt),
        )
        .await
        .is_err();
        abandoned += u32::from(gave_up);
        let now = enterprises(&server).await;
        assert!(
            now == 0 || now == ENTERPRISES as u64,
            "a partial import is visible: {now} enterprises"
        );
    }
    assert!(abandoned > 0, "no client gave up: the test proves nothing");

    // Another write goes through at once, not after SQLite's busy timeout
    // (10 s) or with "database is locked".
    let started = Instant::now();
    let zone = client
        .post(format!("{}/api/zones", server.base))
        .bearer_auth(&token)
        .json(&json!({ "id": "hz-cancel-1", "name": "放弃后高新区", "kind": "high_tech", "city": "440300" }))
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .unwrap();
    assert_eq!(zone.status(), 201, "{}", zone.text().await.unwrap());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the write waited {:?}",
        started.elapsed()
    );

    // Each abandoned key, retried with the same request, has an answer:
    // the first one's, or (when the body never arrived whole) a first one.
    // An import still running on its own answers "in progress" meanwhile.
    for attempt in 0..8u64 {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let retried = import(format!("abandoned-{attempt}"), Duration::from_secs(60))
                .await
                .unwrap();
            let status = retried.status();
            let body: Value = retried.json().await.unwrap_or(Value::Null);
            if status == 409
                && body["error"]["code"] == "idempotency_in_progress"
                && Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            assert_eq!(status, 200, "{body}");
            break;
        }
    }
    assert_eq!(enterprises(&server).await, ENTERPRISES as u64);
    server.shutdown().await;
}

async fn readiness(client: &reqwest::Client, server: &Running) -> (u16, Value) {
    let reply = client
        .get(format!("{}/health/ready", server.base))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    (reply.status().as_u16(), reply.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_fails_while_the_store_cannot_take_writes() {
    let Some(server) = Running::start().await else {
        return;
    };
    let client = reqwest::Client::new();
    assert_eq!(readiness(&client, &server).await.0, 200);

    match crate::BACKEND {
        // Another process holds SQLite's write lock.
        BackendKind::Sqlite => {
            use sqlx::Connection;
            let mut holder = server.db.connect().await.unwrap();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut holder)
                .await
                .unwrap();
            let (status, body) = readiness(&client, &server).await;
            assert_eq!(status, 503, "{body}");
            assert_eq!(body["error"]["message"], "the database cannot take writes");
            sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
            holder.close().await.unwrap();
        }
        // The database is made read-only, as a failover script might.
        BackendKind::Postgres => {
            let reconnect = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                             WHERE datname = current_database() AND pid <> pg_backend_pid()";
            server
                .db
                .execute(&[
                    "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET \
                     default_transaction_read_only = on', current_database()); END $$",
                    reconnect,
                ])
                .await;
            // The pool finds its connections gone and opens read-only ones.
            let mut last = (0, Value::Null);
            for _ in 0..3 {
                last = readiness(&client, &server).await;
                if last.0 == 503 && last.1["error"]["message"] == "the database cannot take writes"
                {
                    break;
                }
            }
            assert_eq!(last.0, 503, "{}", last.1);
            assert_eq!(
                last.1["error"]["message"],
                "the database cannot take writes"
            );
            server
                .db
                .execute(&[
                    "SET default_transaction_read_only = off",
                    "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET \
                     default_transaction_read_only', current_database()); END $$",
                    reconnect,
                ])
                .await;
        }
    }
    let mut status = 0;
    for _ in 0..3 {
        status = readiness(&client, &server).await.0;
        if status == 200 {
            break;
        }
    }
    assert_eq!(status, 200, "readiness did not come back");
    server.shutdown().await;
}
