//! `hatchery backup` and `hatchery restore` with the real binary: a backup
//! taken while a running server takes writes as fast as it can restores to
//! a store whose audit chain verifies and whose data is whole (every
//! import there with its enterprise); a restore refuses a store in use, a
//! store holding data unless forced, and a file that is not a store; a
//! PostgreSQL store is sent to PostgreSQL's own tools.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hatchery_sqlite::SqliteStore;
use hatchery_store::Store;
use predicates::prelude::*;
use predicates::str::contains;
use serde_json::json;
use support::Workspace;
use support::server::{INITIAL_PASSWORD, PASSWORD, Server, call, first_sign_in, ok, token};

/// The store's counts of enterprises and of imports, read directly.
fn counts(url: &str) -> (u64, u64) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let store = SqliteStore::open(url).await.unwrap();
            let counts = store.counts().await.unwrap();
            store.close().await;
            (counts.enterprises, counts.imports)
        })
}

fn create_admin(ws: &Workspace) {
    ws.hatchery()
        .env("HATCHERY_PASSWORD", INITIAL_PASSWORD)
        .args(["admin", "create-user", "--username", "admin"])
        .args(["--role", "ministry_admin"])
        .assert()
        .success();
}

/// One enterprise per import, and an account now and then: each a write
/// with its audit entry.
fn write_continuously(server: &Server, admin: &str, stop: &AtomicBool, written: &AtomicU64) {
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let id = format!("e{n}");
        let dataset = json!({
            "enterprises": [{ "id": id, "name": format!("{id} 有限公司"), "founded": "2020-06-01",
                              "region": "440305" }],
            "events": [{ "enterprise": id, "date": "2024-01-10", "kind": "valuation",
                         "valuation": "300000000", "currency": "USD" }],
        });
        ok(
            call(server, admin, "POST", "/api/imports", Some(dataset)),
            200,
        );
        if n.is_multiple_of(5) {
            let account = json!({ "username": format!("reviewer.{n}"), "display_name": "审核员",
                                  "role": "city_reviewer", "jurisdiction": "440300",
                                  "password": PASSWORD });
            ok(
                call(server, admin, "POST", "/api/accounts", Some(account)),
                201,
            );
        }
        written.store(n, Ordering::Relaxed);
    }
}

fn wait_for(written: &AtomicU64, at_least: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while written.load(Ordering::Relaxed) < at_least {
        assert!(Instant::now() < deadline, "the writer stalled");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_backup_taken_during_writes_restores_to_a_verified_whole_store() {
    let ws = Workspace::sqlite();
    ws.hatchery().arg("migrate").assert().success();
    create_admin(&ws);
    let server = Arc::new(Server::start(&ws));
    first_sign_in(&server, "admin");
    let admin = token(&server, "admin");
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let writer = {
        let (server, stop, written) = (server.clone(), stop.clone(), written.clone());
        std::thread::spawn(move || write_continuously(&server, &admin, &stop, &written))
    };

    wait_for(&written, 20);
    let before = written.load(Ordering::Relaxed);
    let backup = ws.path("backup.db");
    ws.hatchery()
        .args(["backup", "--out"])
        .arg(&backup)
        .assert()
        .success()
        .stdout(contains("backed up").and(contains("audit entries")));
    let during = written.load(Ordering::Relaxed);
    // The writes went on while the backup ran, and after it.
    wait_for(&written, during + 10);

    // A second backup to the same file is refused: a backup is never overwritten.
    ws.hatchery()
        .args(["backup", "--out"])
        .arg(&backup)
        .assert()
        .code(1)
        .stderr(contains("already exists"));
    // The store is in use: restoring over it is refused, forced or not.
    ws.hatchery()
        .args(["restore", "--force"])
        .arg(&backup)
        .assert()
        .code(1)
        .stderr(contains("in use"));

    stop.store(true, Ordering::Relaxed);
    writer.join().expect("the writer never failed a write");
    drop(Arc::into_inner(server).expect("the writer is done with the server"));

    // Restored into a new place, the backup is a store of its own: the
    // audit chain verifies, and every import has its enterprise.
    let restored = Workspace::sqlite();
    restored
        .hatchery()
        .arg("restore")
        .arg(&backup)
        .assert()
        .success()
        .stdout(contains("restored"));
    restored
        .hatchery()
        .args(["audit", "verify"])
        .assert()
        .success();
    let (enterprises, imports) = counts(&restored.db());
    assert_eq!(enterprises, imports, "an import without its enterprise");
    // The one writer may have had one write committed but not yet answered
    // when the backup finished: the backup may hold it.
    assert!(
        (before..=during + 1).contains(&enterprises),
        "the backup holds {enterprises} enterprises; {before} were written before it and {during} (one more in flight) by its end"
    );
    let (live, _) = counts(&ws.db());
    assert!(
        live > enterprises,
        "the writes after the backup are not in it"
    );

    // Over the live store, which holds data: only with --force, and then
    // the store is the backup again.
    ws.hatchery()
        .arg("restore")
        .arg(&backup)
        .assert()
        .code(1)
        .stderr(contains("holds data").and(contains("--force")));
    assert_eq!(
        counts(&ws.db()).0,
        live,
        "a refused restore changed the store"
    );
    ws.hatchery()
        .args(["restore", "--force"])
        .arg(&backup)
        .assert()
        .success();
    assert_eq!(counts(&ws.db()).0, enterprises);
    ws.hatchery().args(["audit", "verify"]).assert().success();
}

#[test]
fn restore_refuses_what_is_not_a_hatchery_store() {
    let ws = Workspace::sqlite();
    let not_sqlite = ws.path("notes.txt");
    std::fs::write(&not_sqlite, "not a database").unwrap();
    ws.hatchery()
        .arg("restore")
        .arg(&not_sqlite)
        .assert()
        .code(1)
        .stderr(contains("is not a Hatchery store"));
    ws.hatchery()
        .arg("restore")
        .arg(ws.path("missing.db"))
        .assert()
        .code(1)
        .stderr(contains("no store at"));
    assert!(
        !ws.path("hatchery.db").exists(),
        "a refused restore made a store"
    );
    ws.hatchery()
        .args(["backup", "--out"])
        .arg(ws.path("b.db"))
        .assert()
        .code(1)
        .stderr(contains("no store at"));
}

#[test]
fn a_postgresql_store_is_backed_up_with_postgresql_tools() {
    let Some(ws) = Workspace::postgres() else {
        return;
    };
    for command in [&["backup", "--out", "b.dump"][..], &["restore", "b.dump"]] {
        ws.hatchery()
            .args(command)
            .assert()
            .code(1)
            .stderr(contains("pg_dump").and(contains("pg_restore")));
    }
}
