//! `hatchery audit verify` (the library call behind it) passes on an honest
//! log and names the first tampered entry after rows are changed directly in
//! the database.

use crate::helpers::{TestApp, shenzhen_enterprise, submitted};
use hatchery_server::service::verify_audit;
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
