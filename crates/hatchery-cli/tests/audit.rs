//! The audit commands through the real binary, on each backend: every
//! `hatchery import` leaves its audit entry and a rejected one leaves
//! neither data nor entry; `audit keygen` makes a private key it never
//! overwrites; `audit checkpoint` signs a verified log; `audit verify`
//! reproduces a checkpoint with the trusted public key and refuses one that
//! was altered or signed by another key.

mod support;

use std::path::Path;

use hatchery_app::{DatabaseUrl, Opening, open_backend};
use hatchery_core::workflow::Scope;
use hatchery_core::workflow::audit::AuditEntry;
use hatchery_store::workflow::AuditFilter;
use predicates::prelude::*;
use predicates::str::contains;
use support::Workspace;

const ENTERPRISES: &str = "\
id,name,founded,region,country
alpha,阿尔法科技,2015-03-01,440305,
";

const FX: &str = "\
date,currency,per_usd
2018-07-01,CNY,6.6
";

/// The same day's rate, different: the store rejects the whole import.
const FX_CONFLICT: &str = "\
date,currency,per_usd
2018-07-01,CNY,7.1
";

const NEW_ENTERPRISE: &str = "\
id,name,founded,region,country
beta,贝塔科技,2016-03-01,440305,
";

/// The store's audit log and enterprises, read in process.
fn stored(ws: &Workspace) -> (Vec<AuditEntry>, Vec<String>) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let db = open_backend(&DatabaseUrl::new(ws.db()), Opening::Existing)
                .await
                .unwrap();
            let log = db
                .audit_entries(&AuditFilter {
                    scope: Scope::All,
                    after: 0,
                    limit: 10_000,
                })
                .await
                .unwrap();
            let ids = db
                .enterprises()
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.id.as_str().to_owned())
                .collect();
            (log, ids)
        })
}

#[test]
fn every_import_is_audited_and_a_rejected_one_leaves_nothing() {
    for ws in Workspace::each_backend() {
        let first = ws.dataset("first", &[("enterprises.csv", ENTERPRISES), ("fx.csv", FX)]);
        ws.hatchery().arg("import").arg(&first).assert().success();
        let (log, ids) = stored(&ws);
        let imports: Vec<&AuditEntry> = log
            .iter()
            .filter(|e| e.record.action == "ledger.import")
            .collect();
        assert_eq!(imports.len(), 1, "{:?}: {log:?}", ws.backend());
        let entry = imports[0];
        assert_eq!(entry.record.actor_name, "system:cli");
        assert_eq!(entry.record.subject, format!("import:{}", first.display()));
        let after: serde_json::Value =
            serde_json::from_str(entry.record.after.as_deref().unwrap()).unwrap();
        assert_eq!(after["enterprises_added"], 1);
        assert_eq!(ids, ["alpha"]);

        // Rejected by the store inside its transaction: no data, no entry.
        let conflicting = ws.dataset(
            "conflicting",
            &[("enterprises.csv", NEW_ENTERPRISE), ("fx.csv", FX_CONFLICT)],
        );
        ws.hatchery()
            .arg("import")
            .arg(&conflicting)
            .assert()
            .code(1)
            .stderr(contains("nothing was imported"));
        let (after_log, after_ids) = stored(&ws);
        assert_eq!(after_log, log, "{:?}: no audit entry", ws.backend());
        assert_eq!(after_ids, ["alpha"], "{:?}: no data", ws.backend());

        ws.hatchery()
            .args(["audit", "verify"])
            .assert()
            .success()
            .stdout(contains("every workflow record explained"));
    }
}

fn key_file(dir: &Path) -> std::path::PathBuf {
    dir.join("audit.key")
}

#[test]
fn a_key_is_private_and_never_overwritten() {
    let ws = Workspace::sqlite();
    let key = key_file(ws.dir());
    ws.hatchery()
        .args(["audit", "keygen", "--out"])
        .arg(&key)
        .assert()
        .success()
        .stdout(contains("public key: "));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only its owner reads the key");
    }
    let written = std::fs::read(&key).unwrap();
    ws.hatchery()
        .args(["audit", "keygen", "--out"])
        .arg(&key)
        .assert()
        .code(1)
        .stderr(contains("exists; it is not overwritten"));
    assert_eq!(std::fs::read(&key).unwrap(), written);
    assert!(
        !ws.path("hatchery.db").exists(),
        "making a key opens no store"
    );
}

#[test]
fn checkpoints_verify_with_the_trusted_key_and_forgeries_are_refused() {
    for ws in Workspace::each_backend() {
        let first = ws.dataset("first", &[("enterprises.csv", ENTERPRISES)]);
        ws.hatchery().arg("import").arg(&first).assert().success();
        let key = key_file(ws.dir());
        let public = ws.path("audit.key.pub");
        ws.hatchery()
            .args(["audit", "keygen", "--out"])
            .arg(&key)
            .assert()
            .success();
        let checkpoint = ws.path("checkpoint-1.json");
        ws.hatchery()
            .args(["audit", "checkpoint", "--key"])
            .arg(&key)
            .arg("--out")
            .arg(&checkpoint)
            .assert()
            .success()
            .stdout(contains("entry #1 hash"));

        // More work, then a second checkpoint that checks the first.
        let more = ws.dataset("more", &[("enterprises.csv", NEW_ENTERPRISE)]);
        ws.hatchery().arg("import").arg(&more).assert().success();
        let second = ws.path("checkpoint-2.json");
        ws.hatchery()
            .args(["audit", "checkpoint", "--key"])
            .arg(&key)
            .arg("--out")
            .arg(&second)
            .arg("--checkpoint")
            .arg(&checkpoint)
            .assert()
            .success()
            .stdout(contains("entry #2 hash"));

        ws.hatchery()
            .args(["audit", "verify", "--checkpoint"])
            .arg(&checkpoint)
            .arg("--checkpoint")
            .arg(&second)
            .arg("--public-key")
            .arg(&public)
            .assert()
            .success()
            .stdout(contains("2 entries verified").and(contains("all 2 checkpoints reproduced")));

        // A checkpoint whose head was changed is refused before anything is read.
        let text = std::fs::read_to_string(&checkpoint).unwrap();
        let signed: serde_json::Value = serde_json::from_str(&text).unwrap();
        let head = signed["head"].as_str().unwrap();
        let flipped = if head.starts_with('0') { "1" } else { "0" };
        let altered = ws.path("altered.json");
        std::fs::write(
            &altered,
            text.replacen(head, &format!("{flipped}{}", &head[1..]), 1),
        )
        .unwrap();
        ws.hatchery()
            .args(["audit", "verify", "--checkpoint"])
            .arg(&altered)
            .arg("--public-key")
            .arg(&public)
            .assert()
            .code(1)
            .stderr(contains("altered or forged").and(contains("1 checkpoint refused")));

        // One signed by another key, naming that key, is refused too.
        let other = ws.path("other.key");
        ws.hatchery()
            .args(["audit", "keygen", "--out"])
            .arg(&other)
            .assert()
            .success();
        let forged = ws.path("forged.json");
        ws.hatchery()
            .args(["audit", "checkpoint", "--key"])
            .arg(&other)
            .arg("--out")
            .arg(&forged)
            .assert()
            .success();
        ws.hatchery()
            .args(["audit", "verify", "--checkpoint"])
            .arg(&forged)
            .arg("--public-key")
            .arg(&public)
            .assert()
            .code(1)
            .stderr(contains("not by the trusted key"));

        // A checkpoint is only ever checked against a key given to verify.
        ws.hatchery()
            .args(["audit", "verify", "--checkpoint"])
            .arg(&checkpoint)
            .assert()
            .code(2);
        // An existing checkpoint file is kept.
        ws.hatchery()
            .args(["audit", "checkpoint", "--key"])
            .arg(&key)
            .arg("--out")
            .arg(&checkpoint)
            .assert()
            .code(1)
            .stderr(contains("not overwritten"));
    }
}
