//! Retried writes with the same idempotency key act once.

use axum::body::Body;
use axum::http::{Request, header};
use serde_json::json;

use crate::helpers::{TestApp, shenzhen_enterprise, submitted};

fn approve(id: i64, token: &str, key: &str, version: i64, reason: &str) -> Request<Body> {
    Request::post(format!("/api/declarations/{id}/actions"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", key)
        .body(Body::from(
            json!({ "version": version, "action": "approve", "reason": reason }).to_string(),
        ))
        .unwrap()
}

#[tokio::test]
async fn a_retried_action_is_answered_again_not_done_again() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    shenzhen_enterprise(&app, "alpha").await;
    let declarant = app.enterprise_user("alpha.user", "alpha").await;
    let city = app.user("sz.reviewer", "city_reviewer", "440300").await;
    let id = submitted(&app, &declarant, "alpha", 2025).await;
    let version = app.version(id, &city.auth()).await;

    let first = app
        .raw(approve(id, &city.token, "k-1", version, "同意"))
        .await
        .expect(200);
    let retry = app
        .raw(approve(id, &city.token, "k-1", version, "同意"))
        .await
        .expect(200);
    assert_eq!(retry.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(first.json(), retry.json());
    assert!(first.headers.get("idempotent-replayed").is_none());

    // The same key for a different request is refused.
    app.raw(approve(id, &city.token, "k-1", version, "另一个理由"))
        .await
        .expect_error(422, "idempotency_key_reused");
    // A new key with the stale version is a conflict, as without keys.
    app.raw(approve(id, &city.token, "k-2", version, "同意"))
        .await
        .expect_error(409, "version_conflict");
    // Keys are the account's own: another reviewer's "k-1" is a different key.
    let other = app.user("sz.other", "city_reviewer", "440300").await;
    app.raw(approve(id, &other.token, "k-1", version, "同意"))
        .await
        .expect_error(409, "version_conflict");

    let detail = app
        .get(&format!("/api/declarations/{id}"), &city.auth())
        .await
        .expect(200)
        .json();
    let approvals = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["action"] == "approve")
        .count();
    assert_eq!(approvals, 1);

    // Keys must be printable and bounded.
    app.raw(approve(id, &city.token, &"x".repeat(129), version, "同意"))
        .await
        .expect_error(400, "invalid_idempotency_key");
}
