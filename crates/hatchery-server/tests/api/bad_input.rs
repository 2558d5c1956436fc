//! Bad input and abuse: each gets a clear 4xx in the one error shape, never
//! a 500, and changes nothing.

use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::json;

use crate::helpers::{Auth, PDF, TestApp, shenzhen_enterprise, submitted, test_settings};

async fn audit_length(app: &TestApp) -> usize {
    app.get("/api/audit?limit=1000", &app.admin.auth())
        .await
        .expect(200)
        .json()
        .as_array()
        .unwrap()
        .len()
}

fn json_request(method: Method, path: &str, token: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn malformed_bodies_are_refused_in_the_one_shape() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    shenzhen_enterprise(&app, "alpha").await;
    let declarant = app.enterprise_user("alpha.user", "alpha").await;
    let before = audit_length(&app).await;
    let token = &declarant.token;
    let create = |body: &str| json_request(Method::POST, "/api/declarations", token, body);

    app.raw(create("{\"enterprise\": \"alpha\","))
        .await
        .expect_error(400, "malformed_json");
    app.raw(create(
        "{\"enterprise\": \"alpha\", \"cycle\": \"2025\", \"tier\": \"potential\"}",
    ))
    .await
    .expect_error(422, "invalid_body");
    app.raw(create(
        "{\"enterprise\": \"alpha\", \"cycle\": 2025, \"tier\": \"potential\", \"admin\": true}",
    ))
    .await
    .expect_error(422, "invalid_body");
    app.raw(create("[1, 2, 3]"))
        .await
        .expect_error(422, "invalid_body");
    let no_type = Request::post("/api/declarations")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from("{}"))
        .unwrap();
    app.raw(no_type)
        .await
        .expect_error(415, "unsupported_media_type");
    app.raw(create(
        "{\"enterprise\": \"alpha\", \"cycle\": 1999, \"tier\": \"potential\"}",
    ))
    .await
    .expect_error(422, "invalid_cycle");
    app.raw(create(
        "{\"enterprise\": \"alpha\", \"cycle\": 2025, \"tier\": \"dragon\"}",
    ))
    .await
    .expect_error(422, "invalid_tier");
    let long = format!(
        "{{\"enterprise\": \"alpha\", \"cycle\": 2025, \"tier\": \"potential\", \"summary\": \"{}\"}}",
        "字".repeat(4001)
    );
    app.raw(create(&long))
        .await
        .expect_error(422, "invalid_form");

    // Paths and queries.
    app.get("/api/declarations/abc", &declarant.auth())
        .await
        .expect_error(400, "invalid_path");
    app.get("/api/enterprises?per_page=100000", &declarant.auth())
        .await
        .expect_error(400, "invalid_query");
    app.get(
        "/api/enterprises/alpha/tier?as_of=2025-02-30",
        &declarant.auth(),
    )
    .await
    .expect_error(400, "invalid_query");
    app.get("/api/enterprises?colour=red", &declarant.auth())
        .await
        .expect_error(400, "invalid_query");
    app.get("/api/nowhere", &declarant.auth())
        .await
        .expect_error(404, "no_route");
    app.send(Method::PUT, "/api/declarations", &declarant.auth(), None)
        .await
        .expect_error(405, "method_not_allowed");

    assert_eq!(audit_length(&app).await, before, "nothing was written");
}

#[tokio::test]
async fn oversize_bodies_and_bad_uploads_are_refused() {
    let mut settings = test_settings();
    settings.limits.max_json_bytes = 4 * 1024;
    settings.workflow.max_evidence_bytes = 1024;
    let Some(app) = TestApp::spawn_with(settings).await else {
        return;
    };
    shenzhen_enterprise(&app, "alpha").await;
    let declarant = app.enterprise_user("alpha.user", "alpha").await;
    let draft = app
        .post(
            "/api/declarations",
            &declarant.auth(),
            json!({ "enterprise": "alpha", "cycle": 2025, "tier": "potential" }),
        )
        .await
        .expect(201)
        .json();
    let id = draft["id"].as_i64().unwrap();
    let version = draft["version"].as_i64().unwrap();
    let before = audit_length(&app).await;

    let big = format!(
        "{{\"version\": {version}, \"summary\": \"{}\"}}",
        "x".repeat(8 * 1024)
    );
    app.raw(json_request(
        Method::PATCH,
        &format!("/api/declarations/{id}"),
        &declarant.token,
        &big,
    ))
    .await
    .expect_error(413, "body_too_large");

    let upload = |content_type: &str, body: Vec<u8>, name: &str| {
        Request::post(format!(
            "/api/declarations/{id}/evidence?version={version}&name={name}"
        ))
        .header(header::AUTHORIZATION, format!("Bearer {}", declarant.token))
        .header(header::CONTENT_TYPE, content_type.to_owned())
        .body(Body::from(body))
        .unwrap()
    };
    let mut huge = PDF.to_vec();
    huge.resize(2048, b' ');
    app.raw(upload("application/pdf", huge, "a.pdf"))
        .await
        .expect_error(413, "body_too_large");
    app.raw(upload(
        "application/pdf",
        b"MZ\x90\x00 not a pdf".to_vec(),
        "a.pdf",
    ))
    .await
    .expect_error(422, "invalid_evidence");
    app.raw(upload(
        "application/x-msdownload",
        b"MZ\x90\x00".to_vec(),
        "a.exe",
    ))
    .await
    .expect_error(422, "invalid_evidence");
    app.raw(upload("application/pdf", PDF.to_vec(), "..%2Fetc%2Fpasswd"))
        .await
        .expect_error(422, "invalid_evidence");
    app.raw(upload("application/pdf", Vec::new(), "a.pdf"))
        .await
        .expect_error(422, "invalid_evidence");
    assert_eq!(audit_length(&app).await, before, "nothing was written");
}

#[tokio::test]
async fn invalid_transitions_and_stale_versions_change_nothing() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    shenzhen_enterprise(&app, "alpha").await;
    let declarant = app.enterprise_user("alpha.user", "alpha").await;
    let city = app.user("sz.reviewer", "city_reviewer", "440300").await;
    let ministry = app.user("moe.reviewer", "ministry_reviewer", "CN").await;
    let id = submitted(&app, &declarant, "alpha", 2025).await;
    let before = audit_length(&app).await;

    app.act(id, &ministry, json!({ "action": "confirm" }))
        .await
        .expect_error(409, "invalid_transition");
    app.act(id, &declarant, json!({ "action": "submit" }))
        .await
        .expect_error(409, "invalid_transition");
    app.act(id, &city, json!({ "action": "return" }))
        .await
        .expect_error(422, "invalid_action");
    app.act(id, &city, json!({ "action": "return", "reason": "   " }))
        .await
        .expect_error(422, "invalid_reason");
    app.act(id, &city, json!({ "action": "fly" }))
        .await
        .expect_error(422, "invalid_action");
    app.act(id, &city, json!({ "action": "approve", "objection": 1 }))
        .await
        .expect_error(422, "invalid_action");
    app.act(id, &declarant, json!({ "action": "approve" }))
        .await
        .expect_error(403, "forbidden");
    let stale = json!({ "version": 1, "action": "approve" });
    app.post(
        &format!("/api/declarations/{id}/actions"),
        &city.auth(),
        stale,
    )
    .await
    .expect_error(409, "version_conflict");
    // Editing after submission is refused too.
    let version = app.version(id, &declarant.auth()).await;
    app.patch(
        &format!("/api/declarations/{id}"),
        &declarant.auth(),
        json!({ "version": version, "summary": "改" }),
    )
    .await
    .expect_error(409, "invalid_transition");
    // A second live declaration for the cycle is a conflict.
    app.post(
        "/api/declarations",
        &declarant.auth(),
        json!({ "enterprise": "alpha", "cycle": 2025, "tier": "potential" }),
    )
    .await
    .expect_error(409, "duplicate");
    assert_eq!(audit_length(&app).await, before, "nothing was written");
}

#[tokio::test]
async fn forged_expired_and_cross_site_credentials_are_refused() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    shenzhen_enterprise(&app, "alpha").await;
    let before = audit_length(&app).await;
    let create_zone =
        json!({ "id": "hz-test-1", "name": "测试区", "kind": "high_tech", "city": "440300" });

    app.get("/api/session", &Auth::None)
        .await
        .expect_error(401, "unauthenticated");
    app.get("/api/session", &Auth::Bearer("f".repeat(64)))
        .await
        .expect_error(401, "unauthenticated");
    app.get("/api/session", &Auth::Bearer("not even hex".into()))
        .await
        .expect_error(401, "unauthenticated");
    app.get(
        "/api/session",
        &Auth::Session {
            cookie: "0".repeat(64),
            csrf: None,
        },
    )
    .await
    .expect_error(401, "unauthenticated");

    // A session cookie without (or with a wrong) CSRF token cannot write.
    let (cookie, csrf) = app.sign_in("admin").await;
    let no_csrf = Auth::Session {
        cookie: cookie.clone(),
        csrf: None,
    };
    app.post("/api/zones", &no_csrf, create_zone.clone())
        .await
        .expect_error(403, "csrf_failed");
    let wrong = Auth::Session {
        cookie: cookie.clone(),
        csrf: Some("0".repeat(64)),
    };
    app.post("/api/zones", &wrong, create_zone.clone())
        .await
        .expect_error(403, "csrf_failed");
    // A token presented as a cookie is not a session.
    let as_cookie = Auth::Session {
        cookie: app.admin.token.clone(),
        csrf: Some(csrf.clone()),
    };
    app.get("/api/session", &as_cookie)
        .await
        .expect_error(401, "unauthenticated");
    // The session reads fine until it expires.
    app.get("/api/session", &no_csrf).await.expect(200);
    app.advance_hours(9);
    app.get("/api/session", &no_csrf)
        .await
        .expect_error(401, "unauthenticated");

    // Wrong passwords, then too many of them.
    for _ in 0..5 {
        app.post(
            "/api/session",
            &Auth::None,
            json!({ "username": "admin", "password": "wrong password!" }),
        )
        .await
        .expect_error(401, "unauthenticated");
    }
    let locked = app
        .post(
            "/api/session",
            &Auth::None,
            json!({ "username": "admin", "password": crate::helpers::PASSWORD }),
        )
        .await
        .expect_error(429, "too_many_attempts");
    assert!(locked.headers.get(header::RETRY_AFTER).is_some());
    app.post(
        "/api/session",
        &Auth::None,
        json!({ "username": "nobody", "password": "whatever it is" }),
    )
    .await
    .expect_error(401, "unauthenticated");
    app.post("/api/session", &Auth::None, json!({ "username": "admin" }))
        .await
        .expect_error(422, "invalid_body");
    assert_eq!(audit_length(&app).await, before, "nothing was written");
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_tokens() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let city = app.user("sz.reviewer", "city_reviewer", "440300").await;
    let (cookie, _) = app.sign_in("sz.reviewer").await;
    let session = Auth::Session { cookie, csrf: None };
    app.get("/api/session", &city.auth()).await.expect(200);
    app.get("/api/session", &session).await.expect(200);
    let account = app
        .get(&format!("/api/accounts/{}", city.id), &app.admin.auth())
        .await
        .expect(200)
        .json();
    app.patch(
        &format!("/api/accounts/{}", city.id),
        &app.admin.auth(),
        json!({ "version": account["version"], "disabled": true }),
    )
    .await
    .expect(200);
    app.get("/api/session", &city.auth())
        .await
        .expect_error(401, "unauthenticated");
    app.get("/api/session", &session)
        .await
        .expect_error(401, "unauthenticated");
    app.post(
        "/api/session",
        &Auth::None,
        json!({ "username": "sz.reviewer", "password": crate::helpers::PASSWORD }),
    )
    .await
    .expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn a_new_declaration_names_every_problem_with_its_field() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    shenzhen_enterprise(&app, "alpha").await;
    let declarant = app.enterprise_user("alpha.user", "alpha").await;
    let before = audit_length(&app).await;
    let reply = app
        .post(
            "/api/declarations",
            &declarant.auth(),
            json!({"enterprise": "alpha", "cycle": 1999, "tier": "dragon",
                   "summary": "字".repeat(4001), "contact_name": "张三"}),
        )
        .await
        .expect_error(422, "invalid_cycle");
    let problems = reply.json()["error"]["details"]["problems"].clone();
    let fields: Vec<&str> = problems
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["cycle", "tier", "summary"], "{problems}");
    assert_eq!(problems[1]["code"], "invalid_tier");
    assert_eq!(audit_length(&app).await, before, "nothing saved");
}

#[tokio::test]
async fn a_declaration_lists_the_steps_open_to_its_reader() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    shenzhen_enterprise(&app, "alpha").await;
    let declarant = app.enterprise_user("alpha.user", "alpha").await;
    let city = app.user("sz.reviewer", "city_reviewer", "440300").await;
    let province = app.user("gd.reviewer", "province_reviewer", "440000").await;
    let id = submitted(&app, &declarant, "alpha", 2025).await;
    let path = format!("/api/declarations/{id}");
    let actions = |reply: crate::helpers::Reply| reply.json()["actions"].clone();
    assert_eq!(
        actions(app.get(&path, &city.auth()).await.expect(200)),
        json!(["approve", "return", "reject"])
    );
    assert_eq!(
        actions(app.get(&path, &declarant.auth()).await.expect(200)),
        json!(["withdraw"])
    );
    assert_eq!(
        actions(app.get(&path, &province.auth()).await.expect(200)),
        json!([]),
        "not at the province's stage yet"
    );
}
