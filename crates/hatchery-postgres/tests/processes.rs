//! The workflow store on PostgreSQL with writers in separate OS processes:
//! what the conformance stories check with two pools in one process (one
//! linear audit chain, one winner per version) holds across processes too,
//! for the locks it relies on are the database's.

mod common;

use std::collections::HashSet;

use hatchery_postgres::PgStore;
use hatchery_store::conformance::workflow::{acting, assert_chain_holds, zone};
use hatchery_store::workflow::{WorkflowError, WorkflowStore};

/// Set in the child processes of the test below: the database URL and the
/// child's number.
const WORKER: &str = "HATCHERY_TEST_AUDIT_WORKER";

/// Writes per child process.
const WRITES: usize = 15;

/// Three OS processes write at once (zones created, and all of them racing
/// to rename one zone at version 1); the audit chain comes out linear and
/// verified, with every write in it and exactly one rename.
#[tokio::test]
async fn writers_in_several_processes_keep_one_chain() {
    if let Ok(job) = std::env::var(WORKER) {
        return child(&job).await;
    }
    let Some(store) = common::fresh_store().await else {
        return;
    };
    let shared = zone("shared", "共享园区", "440300", None);
    store
        .seed_zones(
            std::slice::from_ref(&shared),
            &acting(None, "system:test", 0),
        )
        .await
        .expect("seed");

    let exe = std::env::current_exe().expect("the test binary");
    let children: Vec<_> = (0..3)
        .map(|n| {
            std::process::Command::new(&exe)
                .args([
                    "writers_in_several_processes_keep_one_chain",
                    "--exact",
                    "--nocapture",
                ])
                .env(WORKER, format!("{n} {}", store.url()))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start a writer process")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("a writer process");
        assert!(
            output.status.success(),
            "writer failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    // The seed, every zone created, and the one rename that won.
    assert_chain_holds(&*store, Some(1 + 3 * WRITES as u64 + 1)).await;
    let renamed = store.zone(&shared.id).await.expect("zone").expect("stored");
    assert_eq!(renamed.version, 2);
    let zones: HashSet<String> = store
        .zones()
        .await
        .expect("zones")
        .into_iter()
        .map(|z| z.zone.id.to_string())
        .collect();
    assert_eq!(zones.len(), 1 + 3 * WRITES);
}

/// One writer process's work: its zones, interleaved with a try at renaming
/// the shared zone.
async fn child(job: &str) {
    let (number, url) = job.split_once(' ').expect("WORKER is 'N URL'");
    let db = PgStore::open(url).await.expect("open the shared database");
    for n in 0..WRITES {
        let id = format!("p{number}-zone-{n}");
        db.create_zone(
            &zone(&id, &format!("园区 {id}"), "440300", None),
            &acting(None, &format!("system:writer-{number}"), n as i64),
        )
        .await
        .expect("create a zone");
        if n == WRITES / 2 {
            let renamed = zone("shared", &format!("共享园区（{number}）"), "440300", None);
            match db
                .update_zone(&renamed, 1, &acting(None, "system:rename", 0))
                .await
            {
                Ok(_) | Err(WorkflowError::VersionConflict { .. }) => {}
                Err(other) => panic!("rename: {other}"),
            }
        }
    }
    db.close().await;
}
