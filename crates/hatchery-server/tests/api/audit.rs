//! `hatchery audit verify` (the library call behind it) passes on an honest
//! log and names the first tampered entry after rows are changed directly in
//! the database; a rewrite that recomputes every hash is caught against a
//! signed checkpoint; a workflow row changed without a log entry is named by
//! record; an import and its audit entry commit together.

use crate::helpers::{self, Auth, TestApp, shenzhen_enterprise, submitted};
use hatchery_core::workflow::Scope;
use hatchery_core::workflow::audit::{GENESIS_HASH, entry_hash};
use hatchery_core::workflow::checkpoint::SigningKey;
use hatchery_server::service::{
    CheckpointRefused, take_checkpoint, verify_audit, verify_audit_against,
};
use hatchery_store::workflow::AuditFilter;
use serde_json::json;

/// Removes the log's insert-only guard, then runs `statements` directly.
async fn tamper(app: &TestApp, statements: &[&str]) {
    app.db.execute(app.db.drop_audit_guards()).await;
    app.db.execute(statements).await;
}

async fn seeded() -> Option<TestApp> {
    let app = TestApp::spawn().await?;
    shenzhen_enterprise(&app, "alpha").await;
    let declarant = app.enterprise_user("alpha.user", "alpha").await;
    submitted(&app, &declarant, "alpha", 2025).await;
    Some(app)
}

#[tokio::test]
async fn an_honest_log_verifies_and_an_edited_row_is_named() {
    let Some(app) = seeded().await else {
        return;
    };
    let honest = verify_audit(app.state.db.as_ref()).await.unwrap();
    assert!(honest.ok);
    assert!(honest.entries >= 6, "{}", honest.entries);

    // The log refuses changes through SQL as it stands…
    for statement in [
        "UPDATE wf_audit SET actor_name = 'x' WHERE seq = 3",
        "DELETE FROM wf_audit WHERE seq = 3",
    ] {
        let refused = app.db.try_execute(statement).await;
        assert!(
            refused.is_err(),
            "the insert-only trigger holds: {statement}"
        );
    }

    // …so a tamperer drops the guard first, then rewrites entry 3.
    tamper(
        &app,
        &["UPDATE wf_audit SET actor_name = 'someone.else' WHERE seq = 3"],
    )
    .await;
    let verdict = verify_audit(app.state.db.as_ref()).await.unwrap();
    assert!(!verdict.ok);
    let bad = verdict.first_bad.unwrap();
    assert_eq!(bad.seq, 3);
    assert_eq!(
        serde_json::to_value(&bad).unwrap(),
        json!({ "seq": 3, "problem": "edited" })
    );
    assert_eq!(verdict.entries, 2, "entries before the bad one");
}

#[tokio::test]
async fn deleted_and_reordered_rows_are_named() {
    let Some(app) = seeded().await else {
        return;
    };
    tamper(&app, &["DELETE FROM wf_audit WHERE seq = 4"]).await;
    let verdict = verify_audit(app.state.db.as_ref()).await.unwrap();
    assert_eq!(
        serde_json::to_value(verdict.first_bad.unwrap()).unwrap(),
        json!({ "seq": 5, "problem": "missing", "expected": 4 })
    );

    let Some(app) = seeded().await else {
        return;
    };
    // Swap two entries' contents while keeping their positions.
    tamper(
        &app,
        &[
            "UPDATE wf_audit SET seq = -1 WHERE seq = 2",
            "UPDATE wf_audit SET seq = 2 WHERE seq = 3",
            "UPDATE wf_audit SET seq = 3 WHERE seq = -1",
        ],
    )
    .await;
    let verdict = verify_audit(app.state.db.as_ref()).await.unwrap();
    assert_eq!(verdict.first_bad.unwrap().seq, 2);

    let Some(app) = seeded().await else {
        return;
    };
    let head = app.db.fetch_i64("SELECT seq FROM wf_audit_head").await;
    let delete_last = format!("DELETE FROM wf_audit WHERE seq = {head}");
    tamper(&app, &[&delete_last]).await;
    let verdict = verify_audit(app.state.db.as_ref()).await.unwrap();
    assert_eq!(
        serde_json::to_value(verdict.first_bad.unwrap()).unwrap(),
        json!({ "seq": head, "problem": "truncated", "head": head })
    );
}

#[tokio::test]
async fn only_national_auditors_and_the_administrator_verify_over_the_api() {
    let Some(app) = seeded().await else {
        return;
    };
    let national = app.user("audit.cn", "auditor", "CN").await;
    let provincial = app.user("audit.gd", "auditor", "440000").await;
    let verdict = app
        .get("/api/audit/verify", &national.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(verdict["ok"], true);
    app.get("/api/audit/verify", &provincial.auth())
        .await
        .expect_error(403, "forbidden");
    // A provincial auditor reads its province's entries only.
    let entries = app
        .get("/api/audit?limit=1000", &provincial.auth())
        .await
        .expect(200)
        .json();
    for entry in entries.as_array().unwrap() {
        assert!(
            entry["jurisdiction"].as_str().unwrap().starts_with("44"),
            "{entry}"
        );
    }
    assert!(!entries.as_array().unwrap().is_empty());
}

/// Rewrites the chain from entry `from` on as a tamperer who can write the
/// database would: every hash recomputed after the edit, and the head.
async fn recompute_chain(app: &TestApp, from: i64) {
    let entries = app
        .state
        .db
        .audit_entries(&AuditFilter {
            scope: Scope::All,
            after: 0,
            limit: 100_000,
        })
        .await
        .unwrap();
    let mut previous = GENESIS_HASH.to_owned();
    let mut statements = Vec::new();
    for entry in &entries {
        if entry.seq < from {
            previous.clone_from(&entry.hash);
            continue;
        }
        let hash = entry_hash(entry.seq, &entry.record, &previous);
        statements.push(format!(
            "UPDATE wf_audit SET prev_hash = '{previous}', hash = '{hash}' WHERE seq = {}",
            entry.seq
        ));
        previous = hash;
    }
    let last = entries.last().unwrap().seq;
    statements.push(format!(
        "UPDATE wf_audit_head SET seq = {last}, hash = '{previous}'"
    ));
    let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
    app.db.execute(&statements).await;
}

/// The checkpoint key of these tests (a real one comes from `audit keygen`).
fn key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

#[tokio::test]
async fn a_rewritten_chain_passes_alone_but_not_against_a_checkpoint() {
    let Some(app) = seeded().await else {
        return;
    };
    let signed = take_checkpoint(
        app.state.db.as_ref(),
        &[],
        &key(),
        "2025-03-04T00:00:00Z".parse().unwrap(),
    )
    .await
    .unwrap();
    let checkpoint = signed.verify(&key().verifying_key()).unwrap();
    let head = app.db.fetch_i64("SELECT seq FROM wf_audit_head").await;
    assert_eq!(checkpoint.seq, head, "the checkpoint names the last entry");
    let honest = verify_audit_against(app.state.db.as_ref(), std::slice::from_ref(&checkpoint))
        .await
        .unwrap();
    assert!(honest.ok, "{honest:?}");
    assert!(honest.checkpoints[0].ok);

    // Work goes on after the checkpoint…
    app.enterprise_user("alpha.second", "alpha").await;
    assert!(app.db.fetch_i64("SELECT seq FROM wf_audit_head").await > head);

    // …then someone with the database rewrites entry 3 and every hash after it.
    tamper(
        &app,
        &["UPDATE wf_audit SET actor_name = 'someone.else' WHERE seq = 3"],
    )
    .await;
    recompute_chain(&app, 3).await;
    let alone = verify_audit(app.state.db.as_ref()).await.unwrap();
    assert!(
        alone.ok,
        "the chain alone cannot see a recomputed rewrite: {alone:?}"
    );

    let against = verify_audit_against(app.state.db.as_ref(), &[checkpoint])
        .await
        .unwrap();
    assert!(!against.ok);
    assert_eq!(against.first_bad, None, "the chain itself is consistent");
    let check = &against.checkpoints[0];
    assert!(!check.ok);
    assert_eq!(check.seq, head);
    let problem = check.problem.as_deref().unwrap();
    assert!(problem.contains("rewritten"), "{problem}");

    // A checkpoint is not taken of a log that fails its earlier checkpoint.
    let refused = take_checkpoint(
        app.state.db.as_ref(),
        std::slice::from_ref(&signed.verify(&key().verifying_key()).unwrap()),
        &key(),
        "2025-03-05T00:00:00Z".parse().unwrap(),
    )
    .await;
    assert!(matches!(refused, Err(CheckpointRefused::Unverified(_))));
}

#[tokio::test]
async fn removing_entries_after_a_checkpoint_is_caught_even_with_the_head_rewritten() {
    let Some(app) = seeded().await else {
        return;
    };
    let signed = take_checkpoint(
        app.state.db.as_ref(),
        &[],
        &key(),
        "2025-03-04T00:00:00Z".parse().unwrap(),
    )
    .await
    .unwrap();
    let checkpoint = signed.verify(&key().verifying_key()).unwrap();
    let head = checkpoint.seq;
    // The last two entries go, and the head is set back to match.
    let delete = format!("DELETE FROM wf_audit WHERE seq > {}", head - 2);
    tamper(&app, &[delete.as_str()]).await;
    recompute_chain(&app, 1).await;
    let verdict = verify_audit_against(app.state.db.as_ref(), &[checkpoint])
        .await
        .unwrap();
    assert!(!verdict.ok);
    let problem = verdict.checkpoints[0].problem.as_deref().unwrap();
    assert!(
        problem.contains(&format!("ends at entry #{}", head - 2)),
        "{problem}"
    );
}

#[tokio::test]
async fn a_row_changed_without_a_log_entry_is_named_by_record() {
    let Some(app) = seeded().await else {
        return;
    };
    let declaration = app
        .db
        .fetch_i64("SELECT MAX(id) FROM wf_declarations")
        .await;
    let account = app
        .db
        .fetch_i64("SELECT id FROM wf_accounts WHERE username = 'alpha.user'")
        .await;
    let honest = verify_audit(app.state.db.as_ref()).await.unwrap();
    assert!(honest.ok, "{:?}", honest.unexplained);
    assert!(honest.unexplained.is_empty());

    // No trigger guards these tables: a plain UPDATE changes them silently.
    app.db
        .execute(&[
            &format!("UPDATE wf_declarations SET tier = 'unicorn' WHERE id = {declaration}"),
            &format!(
                "UPDATE wf_accounts SET display_name = 'Mallory', disabled = TRUE WHERE id = {account}"
            ),
        ])
        .await;
    let verdict = verify_audit(app.state.db.as_ref()).await.unwrap();
    assert!(!verdict.ok);
    assert_eq!(verdict.first_bad, None, "the chain itself is intact");
    let named = |record: &str| {
        verdict
            .unexplained
            .iter()
            .find(|u| u.record == record)
            .unwrap_or_else(|| panic!("{record} in {:?}", verdict.unexplained))
            .problem
            .clone()
    };
    let declaration_problem = named(&format!("declaration:{declaration}"));
    assert!(
        declaration_problem.contains(r#"tier is "unicorn", the log says "potential""#),
        "{declaration_problem}"
    );
    let account_problem = named(&format!("account:{account}"));
    assert!(
        account_problem.contains("display_name"),
        "{account_problem}"
    );
    assert!(account_problem.contains("disabled"), "{account_problem}");
    assert_eq!(verdict.unexplained.len(), 2, "{:?}", verdict.unexplained);

    // A row the log never heard of, and one it says still exists, removed.
    app.db
        .execute(&[
            &format!("DELETE FROM wf_steps WHERE declaration_id = {declaration}"),
            "INSERT INTO wf_rule_sets (key, version, source, added_by, added_at) \
             VALUES ('forged', '1', 'x', NULL, '2025-03-03T01:00:00.000000Z')",
        ])
        .await;
    let verdict = verify_audit(app.state.db.as_ref()).await.unwrap();
    let records: Vec<&str> = verdict
        .unexplained
        .iter()
        .map(|u| u.record.as_str())
        .collect();
    assert!(records.contains(&"rule_set:forged@1"), "{records:?}");
    assert!(
        verdict
            .unexplained
            .iter()
            .any(|u| u.record == format!("declaration:{declaration}")
                && u.problem.contains("its history has 0 steps")),
        "{:?}",
        verdict.unexplained
    );
}

/// Registrations, service requests with their steps, and objections from
/// the public are held to the log like the older tables: a row changed
/// behind the application's back is named by record.
#[tokio::test]
async fn a_registration_request_or_objection_changed_without_a_log_entry_is_named() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    shenzhen_enterprise(&app, "alpha").await;
    let alpha = app.enterprise_user("alpha.user", "alpha").await;
    let city = app.user("sz.reviewer", "city_reviewer", "440300").await;
    let province = app.user("gd.reviewer", "province_reviewer", "440000").await;
    let ministry = app.user("moe.reviewer", "ministry_reviewer", "CN").await;
    let declaration = submitted(&app, &alpha, "alpha", 2025).await;
    for (user, action) in [
        (&city, "approve"),
        (&province, "recommend"),
        (&ministry, "accept"),
    ] {
        app.act(
            declaration,
            user,
            json!({ "action": action, "reason": "材料齐全" }),
        )
        .await
        .expect(200);
    }
    app.set_time("2025-03-05T02:00:00Z");
    let notices = app
        .get("/api/public/notices", &Auth::None)
        .await
        .expect(200)
        .json();
    app.post(
        &format!("/api/public/notices/{declaration}/objections"),
        &Auth::None,
        json!({ "version": notices["items"][0]["version"], "name": "李四",
                "contact": "lisi@example.cn", "grounds": "核心专利登记在关联公司名下。",
                "truthful": true }),
    )
    .await
    .expect(201);
    app.post(
        "/api/registrations",
        &Auth::None,
        crate::registrations::registration(
            &crate::registrations::uscc("FUTURE01"),
            "440305",
            None,
            "future",
        ),
    )
    .await
    .expect(201);
    app.post(
        "/api/requests",
        &alpha.auth(),
        json!({ "enterprise": "alpha", "class": "general",
                "title": "需要中试场地", "body": "我们需要 2000 平方米的中试场地。" }),
    )
    .await
    .expect(201);
    let honest = verify_audit(app.state.db.as_ref()).await.unwrap();
    assert!(honest.ok, "{:?}", honest.unexplained);

    let registration = app
        .db
        .fetch_i64("SELECT MAX(id) FROM wf_registrations")
        .await;
    let request = app.db.fetch_i64("SELECT MAX(id) FROM svc_requests").await;
    let objection = app.db.fetch_i64("SELECT MAX(id) FROM wf_objections").await;
    let official = app
        .db
        .fetch_i64("SELECT id FROM wf_accounts WHERE username = 'sz.reviewer'")
        .await;
    app.db
        .execute(&[
            &format!(
                "UPDATE wf_registrations SET contact_phone = '+86 10 0000 0000' WHERE id = {registration}"
            ),
            &format!("UPDATE svc_requests SET shared = TRUE WHERE id = {request}"),
            &format!("UPDATE svc_request_steps SET actor_id = NULL WHERE request_id = {request}"),
            &format!("UPDATE wf_objections SET lodged_by = {official} WHERE id = {objection}"),
        ])
        .await;
    let verdict = verify_audit(app.state.db.as_ref()).await.unwrap();
    assert!(!verdict.ok);
    assert_eq!(verdict.first_bad, None, "the chain itself is intact");
    let said = |record: String, words: &str| {
        assert!(
            verdict
                .unexplained
                .iter()
                .any(|u| u.record == record && u.problem.contains(words)),
            "{record} with '{words}' in {:?}",
            verdict.unexplained
        );
    };
    said(format!("registration:{registration}"), "contact_phone");
    said(
        format!("request:{request}"),
        "shared is true, the log says false",
    );
    said(
        format!("request:{request}"),
        "by no account, the log says file",
    );
    said(
        format!("objection:{objection}"),
        &format!("by account {official}, the log says at"),
    );
    assert_eq!(verdict.unexplained.len(), 4, "{:?}", verdict.unexplained);
}

#[tokio::test]
async fn an_import_and_its_audit_entry_commit_together_or_not_at_all() {
    let Some(app) = seeded().await else {
        return;
    };
    let imports = || app.db.fetch_i64("SELECT COUNT(*) FROM imports");
    let logged = || {
        app.db
            .fetch_i64("SELECT COUNT(*) FROM wf_audit WHERE action = 'ledger.import'")
    };
    let (imports_before, logged_before) = (imports().await, logged().await);
    assert_eq!(imports_before, logged_before, "every import is logged");

    // The log refuses the entry: the import's data must go with it.
    app.db.execute(app.db.refuse_audit_inserts()).await;
    app.post(
        "/api/imports",
        &app.admin.auth(),
        helpers::dataset(
            vec![helpers::enterprise(
                "gamma",
                "伽马有限公司",
                "2021-06-01",
                "440305",
                None,
            )],
            vec![],
        ),
    )
    .await
    .expect(500);
    assert_eq!(imports().await, imports_before);
    assert_eq!(
        app.db
            .fetch_i64("SELECT COUNT(*) FROM enterprises WHERE id = 'gamma'")
            .await,
        0,
        "nothing of the import was written"
    );
    assert_eq!(logged().await, logged_before);
}
