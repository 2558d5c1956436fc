//! Two reviewers acting on the same declaration at the same moment: exactly
//! one wins, the other gets 409 and nothing of theirs is written.

use axum::http::Method;
use serde_json::json;

use crate::helpers::{TestApp, shenzhen_enterprise, submitted};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_simultaneous_approvals_exactly_one_wins() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    shenzhen_enterprise(&app, "alpha").await;
    let declarant = app.enterprise_user("alpha.user", "alpha").await;
    let first = app.user("sz.one", "city_reviewer", "440300").await;
    let second = app.user("sz.two", "city_reviewer", "440300").await;
    // Several rounds, so that a lucky interleaving cannot pass for correctness.
    for cycle in 2020..2026 {
        let id = submitted(&app, &declarant, "alpha", cycle).await;
        let version = app.version(id, &first.auth()).await;
        let path = format!("/api/declarations/{id}/actions");
        let approve = |reviewer: &crate::helpers::User, reason: &str| {
            let app = &app;
            let path = path.clone();
            let auth = reviewer.auth();
            let body = json!({ "version": version, "action": "approve", "reason": reason });
            async move { app.send(Method::POST, &path, &auth, Some(body)).await }
        };
        let (a, b) = tokio::join!(approve(&first, "一号审核"), approve(&second, "二号审核"));
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "cycle {cycle}: {a:?} / {b:?}");
        let loser = if a.status.as_u16() == 409 { &a } else { &b };
        assert!(
            ["version_conflict", "invalid_transition"].contains(&loser.code().as_str()),
            "{}",
            loser.code()
        );
        let detail = app
            .get(&format!("/api/declarations/{id}"), &first.auth())
            .await
            .expect(200)
            .json();
        assert_eq!(detail["declaration"]["state"], "locally_approved");
        let approvals = detail["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["action"] == "approve")
            .count();
        assert_eq!(approvals, 1, "the loser's step was not written");
        // Past the city, the declarant can no longer withdraw it.
        app.act(id, &declarant, json!({ "action": "withdraw" }))
            .await
            .expect_error(409, "invalid_transition");
    }
}
