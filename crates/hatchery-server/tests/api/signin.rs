//! Sign-in hardening (issue 20): what a failed attempt stores, throttling
//! under concurrency and behind proxies, back-off instead of a lock-out,
//! bounded password hashing, the password policy and the first change,
//! names that lie about themselves, absurd dates, and the offset clock.

use axum::body::Body;
use axum::http::{Request, header};
use hatchery_server::settings::Argon2Settings;
use jiff::SignedDuration;
use serde_json::json;

use crate::helpers::{
    Auth, INITIAL_PASSWORD, PASSWORD, PDF, Reply, TestApp, session_cookie, shenzhen_enterprise,
    test_settings,
};
use crate::http::Running;

async fn sign_in(app: &TestApp, username: &str, password: &str) -> Reply {
    app.post(
        "/api/session",
        &Auth::None,
        json!({ "username": username, "password": password }),
    )
    .await
}

async fn attempt_rows(db: &crate::helpers::TestDb) -> i64 {
    db.fetch_i64("SELECT COUNT(*) FROM wf_login_failures").await
}

fn seconds(app: &TestApp, seconds: i64) {
    app.clock.advance(SignedDuration::from_secs(seconds));
}

#[tokio::test]
async fn a_failed_sign_in_stores_a_bounded_keyed_hash_never_the_username() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    // Ten megabytes of username: refused before anything is read whole or stored.
    let huge = json!({ "username": "a".repeat(10 * 1024 * 1024), "password": "x" });
    app.post("/api/session", &Auth::None, huge)
        .await
        .expect_error(413, "body_too_large");
    // Longer than any username: refused before anything is stored.
    sign_in(&app, &"b".repeat(65), "whatever it is")
        .await
        .expect_error(422, "invalid_username");
    assert_eq!(attempt_rows(&app.db).await, 0);

    // A failure is stored as one fixed-size keyed hash of the trimmed,
    // case-folded name: " Nobody.Here " and "nobody.here" count together.
    sign_in(&app, " Nobody.Here ", "whatever it is")
        .await
        .expect_error(401, "unauthenticated");
    sign_in(&app, "nobody.here", "whatever it is")
        .await
        .expect_error(401, "unauthenticated");
    assert_eq!(attempt_rows(&app.db).await, 2);
    assert_eq!(
        app.db
            .fetch_i64("SELECT COUNT(DISTINCT key) FROM wf_login_failures")
            .await,
        1
    );
    assert_eq!(
        app.db
            .fetch_i64("SELECT MAX(LENGTH(key)) FROM wf_login_failures")
            .await,
        69
    );
    assert_eq!(
        app.db
            .fetch_i64("SELECT COUNT(*) FROM wf_login_failures WHERE LOWER(key) LIKE '%nobody%'")
            .await,
        0
    );
    // Failures older than the window are purged.
    app.advance_hours(1);
    sign_in(&app, "someone.else", "whatever it is")
        .await
        .expect_error(401, "unauthenticated");
    assert_eq!(attempt_rows(&app.db).await, 1);
}

#[tokio::test]
async fn an_account_backs_off_instead_of_locking_its_owner_out() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    for _ in 0..5 {
        guess_wrong(&app).await;
    }
    // The sixth try waits a second, not a quarter of an hour…
    assert_eq!(refused_for(&app, PASSWORD).await, "1");
    seconds(&app, 1);
    guess_wrong(&app).await;
    // …each further failure doubles the wait…
    assert_eq!(refused_for(&app, PASSWORD).await, "2");
    seconds(&app, 2);
    // …and the owner gets in as soon as it is over.
    sign_in(&app, "admin", PASSWORD).await.expect(200);
    // The success wipes out no failure: the back-off goes on from six.
    guess_wrong(&app).await;
    assert_eq!(refused_for(&app, "wrong password!").await, "4");
}

/// A wrong password for `admin`, checked and refused.
async fn guess_wrong(app: &TestApp) {
    sign_in(app, "admin", "wrong password!")
        .await
        .expect_error(401, "unauthenticated");
}

/// A sign-in as `admin` refused unchecked while backing off: its Retry-After.
async fn refused_for(app: &TestApp, password: &str) -> String {
    let refused = sign_in(app, "admin", password)
        .await
        .expect_error(429, "too_many_attempts");
    refused.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn concurrent_sign_ins_check_at_most_the_limit_of_passwords() {
    let mut settings = test_settings();
    settings.auth.max_failures_per_address = 1000;
    let Some(server) = Running::start_with(settings).await else {
        return;
    };
    let client = reqwest::Client::new();
    let url = format!("{}/api/session", server.base);
    let before = server.state.passwords.stats().verifications();
    let attempts = (0..100).map(|i| {
        let password = if i == 50 {
            PASSWORD
        } else {
            "not the password"
        };
        let request = client
            .post(&url)
            .json(&json!({ "username": "admin", "password": password }))
            .send();
        async move { (i, request.await.unwrap().status().as_u16()) }
    });
    let answers = futures_join_all(attempts).await;
    let verified = server.state.passwords.stats().verifications() - before;
    let count = |status: u16| answers.iter().filter(|(_, s)| *s == status).count() as u64;
    // Only admitted attempts reach the password check: at most five wrong
    // ones, and the owner's right one only if it came before the limit (a
    // success forgets its own attempt, so it may let one more be judged).
    assert_eq!(verified, count(200) + count(401), "{answers:?}");
    assert!(count(401) <= 5, "{verified} passwords checked: {answers:?}");
    assert!(count(200) <= 1 && verified <= 6, "{answers:?}");
    assert!(verified >= 5, "{answers:?}");
    assert_eq!(count(429), 100 - verified, "{answers:?}");
    server.shutdown().await;
}

/// Runs every future at once and collects their outputs.
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(handles.len());
    for handle in handles {
        outputs.push(handle.await.unwrap());
    }
    outputs
}

#[tokio::test]
async fn password_hashing_runs_in_a_bounded_number_of_slots() {
    let mut settings = test_settings();
    // Costly enough that unbounded hashes would overlap.
    settings.auth.argon2 = Argon2Settings {
        memory_kib: 8 * 1024,
        iterations: 2,
        parallelism: 1,
    };
    settings.auth.max_concurrent_hashes = 2;
    settings.auth.max_failures_per_address = 1000;
    settings.auth.hash_wait_ms = 60_000;
    let Some(server) = Running::start_with(settings).await else {
        return;
    };
    let client = reqwest::Client::new();
    let url = format!("{}/api/session", server.base);
    let attempts = (0..24).map(|i| {
        let request = client
            .post(&url)
            .json(&json!({ "username": format!("guess{i}"), "password": "not the password" }))
            .send();
        async move { request.await.unwrap().status().as_u16() }
    });
    let answers = futures_join_all(attempts).await;
    assert!(answers.iter().all(|s| *s == 401), "{answers:?}");
    let stats = server.state.passwords.stats();
    assert!(stats.verifications() >= 24);
    assert!(
        (1..=2).contains(&stats.peak()),
        "{} hashes ran at once",
        stats.peak()
    );
    server.shutdown().await;
}

#[tokio::test]
async fn no_hashing_slot_in_time_is_503_with_retry_after() {
    let mut settings = test_settings();
    settings.auth.max_concurrent_hashes = 1;
    settings.auth.hash_wait_ms = 100;
    let Some(app) = TestApp::spawn_with(settings).await else {
        return;
    };
    let held = app.state.passwords.slot().await.unwrap();
    let busy = sign_in(&app, "admin", PASSWORD)
        .await
        .expect_error(503, "unavailable");
    assert_eq!(busy.headers[header::RETRY_AFTER], "1");
    // No password was checked: the attempt is not counted against anyone.
    assert_eq!(attempt_rows(&app.db).await, 0);
    drop(held);
    sign_in(&app, "admin", PASSWORD).await.expect(200);
}

async fn guess_from(server: &Running, forwarded_for: &str, guess: usize) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/api/session", server.base))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "username": format!("guess{guess}"), "password": "not the password" }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_address_is_throttled_on_its_own() {
    let mut settings = test_settings();
    settings.auth.max_failures_per_address = 3;
    settings.auth.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    let Some(server) = Running::start_with(settings).await else {
        return;
    };
    for guess in 0..3 {
        assert_eq!(guess_from(&server, "203.0.113.1", guess).await, 401);
    }
    assert_eq!(guess_from(&server, "203.0.113.1", 3).await, 429);
    // A client that writes someone else's address first gains nothing: the
    // address the proxy appended is the one counted.
    assert_eq!(
        guess_from(&server, "198.51.100.9, 203.0.113.1", 4).await,
        429
    );
    // Another client behind the same balancer is not locked out.
    assert_eq!(guess_from(&server, "203.0.113.2", 5).await, 401);
    server.shutdown().await;
}

#[tokio::test]
async fn an_untrusted_peer_cannot_choose_its_address() {
    let mut settings = test_settings();
    settings.auth.max_failures_per_address = 3;
    let Some(server) = Running::start_with(settings).await else {
        return;
    };
    for guess in 0..3 {
        let forged = format!("203.0.113.{guess}");
        assert_eq!(guess_from(&server, &forged, guess).await, 401);
    }
    assert_eq!(guess_from(&server, "203.0.113.99", 3).await, 429);
    server.shutdown().await;
}

#[tokio::test]
async fn an_initial_password_must_be_changed_before_anything_else() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let made = app
        .post(
            "/api/accounts",
            &app.admin.auth(),
            json!({ "username": "new.analyst", "display_name": "分析员", "role": "analyst",
                    "jurisdiction": "CN", "password": INITIAL_PASSWORD }),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(made["must_change_password"], true);
    let reply = sign_in(&app, "new.analyst", INITIAL_PASSWORD)
        .await
        .expect(200);
    assert_eq!(reply.json()["account"]["must_change_password"], true);
    let session = Auth::Session {
        cookie: session_cookie(&reply),
        csrf: Some(reply.json()["csrf_token"].as_str().unwrap().to_owned()),
    };
    for path in ["/api/session", "/api/statistics/tiers", "/api/tokens"] {
        app.get(path, &session)
            .await
            .expect_error(403, "password_change_required");
    }
    app.post("/api/tokens", &session, json!({ "name": "x" }))
        .await
        .expect_error(403, "password_change_required");

    // The policy: length, not blank, not the username, not a common one, not the same.
    let change = |new: &str| json!({ "current_password": INITIAL_PASSWORD, "new_password": new });
    for weak in [
        "short",
        "                ",
        "my name is New.Analyst",
        "Password1234",
        "qwertyuiopasdf",
        INITIAL_PASSWORD,
    ] {
        app.post("/api/session/password", &session, change(weak))
            .await
            .expect_error(422, "weak_password");
    }
    app.post("/api/session/password", &session, change(PASSWORD))
        .await
        .expect(204);
    let (cookie, _) = app.sign_in("new.analyst").await;
    let me = app
        .get("/api/session", &Auth::Session { cookie, csrf: None })
        .await
        .expect(200)
        .json();
    assert_eq!(me["account"]["must_change_password"], false);

    // A password an administrator resets must be changed again.
    let reset = app
        .patch(
            &format!("/api/accounts/{}", me["account"]["id"]),
            &app.admin.auth(),
            json!({ "version": me["account"]["version"], "password": "reset by the ministry" }),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(reset["must_change_password"], true);
    // The administrator's own accounts' passwords follow the policy too.
    app.post(
        "/api/accounts",
        &app.admin.auth(),
        json!({ "username": "weak.one", "display_name": "x", "role": "analyst",
                "jurisdiction": "CN", "password": "            " }),
    )
    .await
    .expect_error(422, "weak_password");
}

#[tokio::test]
async fn password_changes_are_throttled_like_sign_ins() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let change =
        json!({ "current_password": "not the password", "new_password": "a brand new passphrase" });
    for _ in 0..5 {
        app.post("/api/session/password", &app.admin.auth(), change.clone())
            .await
            .expect_error(401, "unauthenticated");
    }
    app.post("/api/session/password", &app.admin.auth(), change)
        .await
        .expect_error(429, "too_many_attempts");
    // The same count stands against signing in.
    sign_in(&app, "admin", PASSWORD)
        .await
        .expect_error(429, "too_many_attempts");
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let request = Request::get("/api/session")
            .header(
                header::AUTHORIZATION,
                format!("{scheme} {}", app.admin.token),
            )
            .body(Body::empty())
            .unwrap();
        app.raw(request).await.expect(200);
    }
}

#[tokio::test]
async fn names_that_read_other_than_they_are_are_refused() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    for name in ["invoice\u{202E}fdp.exe", "a\u{2066}b", "two\nlines"] {
        app.post(
            "/api/accounts",
            &app.admin.auth(),
            json!({ "username": "spoof", "display_name": name, "role": "analyst",
                    "jurisdiction": "CN", "password": INITIAL_PASSWORD }),
        )
        .await
        .expect_error(422, "invalid_display_name");
    }
    shenzhen_enterprise(&app, "alpha").await;
    let declarant = app.enterprise_user("alpha.user", "alpha").await;
    let draft = app
        .post(
            "/api/declarations",
            &declarant.auth(),
            json!({ "enterprise": "alpha", "cycle": 2025, "tier": "potential",
                    "summary": "s", "contact_name": "c" }),
        )
        .await
        .expect(201)
        .json();
    let upload = |name: &str| {
        Request::post(format!(
            "/api/declarations/{}/evidence?version={}&name={name}",
            draft["id"], draft["version"]
        ))
        .header(header::AUTHORIZATION, format!("Bearer {}", declarant.token))
        .header(header::CONTENT_TYPE, "application/pdf")
        .body(Body::from(PDF))
        .unwrap()
    };
    app.raw(upload("invoice%E2%80%AEfdp.exe"))
        .await
        .expect_error(422, "invalid_evidence");
    app.raw(upload("invoice.pdf")).await.expect(201);
}

#[tokio::test]
async fn a_reevaluation_more_than_a_year_ahead_is_refused() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let refused = app
        .post(
            "/api/pool/reevaluations",
            &app.admin.auth(),
            json!({ "as_of": "9999-12-31" }),
        )
        .await
        .expect_error(422, "invalid_date");
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("9999-12-31")
    );
    app.post(
        "/api/pool/reevaluations",
        &app.admin.auth(),
        json!({ "as_of": "2026-03-03" }),
    )
    .await
    .expect(200);
    app.post(
        "/api/pool/reevaluations",
        &app.admin.auth(),
        json!({ "as_of": "2026-03-04" }),
    )
    .await
    .expect_error(422, "invalid_date");
}

#[tokio::test]
async fn an_offset_clock_is_refused_in_production_and_announced_elsewhere() {
    let mut settings = test_settings();
    settings.clock_offset_days = 30;
    let Some(db) = crate::helpers::TestDb::fresh().await else {
        return;
    };
    let clock = std::sync::Arc::new(hatchery_server::ManualClock::new(
        crate::helpers::START.parse().unwrap(),
    ));
    let refused = hatchery_server::AppState::new(settings.clone(), db.open().await, clock)
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("production"), "{refused}");
    settings.production = false;
    let Some(app) = TestApp::spawn_with(settings).await else {
        return;
    };
    for path in ["/health/live", "/api/no-such-thing"] {
        let reply = app.get(path, &Auth::None).await;
        assert_eq!(
            reply.headers["x-hatchery-clock"], "2025-04-02T01:00:00Z (offset +30d)",
            "{path}"
        );
    }
    // The server lives on the offset clock: a session made now expires
    // eight hours after the time it shows.
    let session = sign_in(&app, "admin", PASSWORD).await.expect(200).json();
    assert_eq!(session["expires_at"], "2025-04-02T09:00:00Z");
    let plain = TestApp::spawn().await.unwrap();
    let reply = plain.get("/health/live", &Auth::None).await;
    assert!(reply.headers.get("x-hatchery-clock").is_none());
}
