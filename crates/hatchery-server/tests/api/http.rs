//! A few tests over real HTTP: the server bound on 127.0.0.1:0 by the same
//! `Application::build_with` that `hatchery serve` uses, and a client that
//! keeps cookies as a browser does.

use std::sync::Arc;

use hatchery_server::admin::{NewUser, create_account};
use hatchery_server::{Application, Backend, ManualClock};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::helpers::{PASSWORD, START, TestDb, cheap_argon2, test_settings};

/// A server running over real HTTP on 127.0.0.1.
pub struct Running {
    pub base: String,
    /// Its shared state (the hashing counters, the database).
    pub state: hatchery_server::AppState,
    stop: Option<oneshot::Sender<()>>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
    /// Its database, to reach behind its back.
    pub db: TestDb,
}

impl Running {
    pub async fn start() -> Option<Self> {
        Self::start_with(test_settings()).await
    }

    /// A server with these settings (its address is 127.0.0.1:0 whatever
    /// they say) and a first administrator `admin` made as the command line
    /// does it.
    pub async fn start_with(mut settings: hatchery_server::Settings) -> Option<Self> {
        let test_db = TestDb::fresh().await?;
        let db: Arc<dyn Backend> = test_db.open().await;
        let clock = Arc::new(ManualClock::new(START.parse().unwrap()));
        create_account(
            db.as_ref(),
            clock.as_ref(),
            cheap_argon2(),
            NewUser {
                username: "admin".into(),
                display_name: "部管理员".into(),
                role: "ministry_admin".into(),
                jurisdiction: "CN".into(),
                enterprise: None,
                password: PASSWORD.into(),
            },
        )
        .await
        .unwrap();
        settings.listen = "127.0.0.1:0".parse().unwrap();
        let app = Application::build_with(settings, db, clock).await.unwrap();
        let base = format!("http://{}", app.local_addr().unwrap());
        let state = app.state().clone();
        let (stop, stopped) = oneshot::channel();
        let served = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        Some(Self {
            base,
            state,
            stop: Some(stop),
            served,
            db: test_db,
        })
    }

    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.served).await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn a_browser_session_over_http() {
    let Some(server) = Running::start().await else {
        return;
    };
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let url = |path: &str| format!("{}{path}", server.base);

    let live = client.get(url("/health/live")).send().await.unwrap();
    assert_eq!(live.status(), 200);
    let ready: Value = client
        .get(url("/health/ready"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready");
    assert!(
        client
            .get(url("/health/ready"))
            .send()
            .await
            .unwrap()
            .headers()
            .contains_key("x-request-id")
    );

    let login = client
        .post(url("/api/session"))
        .json(&json!({ "username": "admin", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session: Value = login.json().await.unwrap();
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();

    // The cookie alone reads…
    let me: Value = client
        .get(url("/api/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["account"]["username"], "admin");
    assert_eq!(me["via"], "session");
    // …but writes need the CSRF token as well.
    let zone =
        json!({ "id": "hz-demo-1", "name": "示范高新区", "kind": "high_tech", "city": "440300" });
    let refused = client
        .post(url("/api/zones"))
        .json(&zone)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "csrf_failed");
    let created = client
        .post(url("/api/zones"))
        .header("x-csrf-token", &csrf)
        .json(&zone)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    // Signing out revokes the session on the server and clears the cookie.
    let out = client
        .delete(url("/api/session"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert_eq!(
        client
            .get(url("/api/session"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    let openapi: Value = client
        .get(url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3.1"));
    server.shutdown().await;
}

#[tokio::test]
async fn an_address_that_keeps_guessing_is_throttled() {
    let Some(server) = Running::start().await else {
        return;
    };
    let client = reqwest::Client::new();
    let url = format!("{}/api/session", server.base);
    // Different usernames, one address: the per-address limit applies.
    let mut statuses = Vec::new();
    for attempt in 0..52 {
        let response = client
            .post(&url)
            .json(&json!({ "username": format!("guess{attempt}"), "password": "not the password" }))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert!(statuses[..50].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(statuses[50..], [429, 429]);
    server.shutdown().await;
}
