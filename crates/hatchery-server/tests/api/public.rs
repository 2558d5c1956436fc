//! What anyone may do without an account — read the public notices and
//! object to one, naming themselves and attaching a file — and what only
//! officials see of it; and the language an account chooses, remembered.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, header};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::helpers::{Auth, PDF, Reply, TestApp, shenzhen_enterprise, submitted, test_settings};

/// An objection from `address`, as a browser-less client sends it.
async fn object_from(app: &TestApp, address: &str, id: i64, body: &Value) -> Reply {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/public/notices/{id}/objections"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap();
    let peer: SocketAddr = format!("{address}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    app.raw(request).await
}

fn objection(version: &Value) -> Value {
    json!({
        "version": version,
        "name": "李四",
        "contact": "lisi@example.cn",
        "grounds": "该企业的核心专利登记在关联公司名下。",
        "truthful": true,
        "attachment": {
            "file_name": "专利登记簿.pdf",
            "media_type": "application/pdf",
            "content_base64": base64::engine::general_purpose::STANDARD.encode(PDF),
        },
    })
}

fn problem_fields(reply: &Reply) -> Vec<String> {
    let body = reply.json();
    body["error"]["details"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems listed: {body}"))
        .iter()
        .map(|p| p["field"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn anyone_objects_without_an_account_and_only_officials_see_who() {
    let mut settings = test_settings();
    settings.auth.max_public_objections_per_address = 1;
    let Some(app) = TestApp::spawn_with(settings).await else {
        return;
    };
    shenzhen_enterprise(&app, "alpha").await;
    let alpha = app.enterprise_user("alpha.user", "alpha").await;
    let city = app.user("sz.reviewer", "city_reviewer", "440300").await;
    let province = app.user("gd.reviewer", "province_reviewer", "440000").await;
    let ministry = app.user("moe.reviewer", "ministry_reviewer", "CN").await;
    let id = submitted(&app, &alpha, "alpha", 2024).await;
    for (user, action) in [
        (&city, "approve"),
        (&province, "recommend"),
        (&ministry, "accept"),
    ] {
        app.act(id, user, json!({ "action": action, "reason": "材料齐全" }))
            .await
            .expect(200);
    }
    app.set_time("2025-03-05T02:00:00Z");

    // The notice is public: no sign-in to read it.
    let notices = app
        .get("/api/public/notices", &Auth::None)
        .await
        .expect(200)
        .json();
    assert_eq!(notices["total"], 1);
    let version = notices["items"][0]["version"].clone();

    // Every problem at once, each with its field; nothing is kept.
    let mut bad = objection(&version);
    bad["name"] = json!(" ");
    bad["contact"] = json!("call me");
    bad["grounds"] = json!("");
    bad["truthful"] = json!(false);
    bad["attachment"]["media_type"] = json!("image/png");
    let refused = object_from(&app, "203.0.113.7", id, &bad).await.expect(422);
    let mut fields = problem_fields(&refused);
    fields.sort();
    assert_eq!(
        fields,
        ["attachment", "contact", "grounds", "name", "truthful"]
    );
    let detail = |auth: Auth| {
        let app = &app;
        async move {
            app.get(&format!("/api/declarations/{id}"), &auth)
                .await
                .expect(200)
                .json()
        }
    };
    assert_eq!(detail(ministry.auth()).await["objections"], json!([]));

    // A stale notice is refused; the current one takes the objection.
    object_from(&app, "203.0.113.7", id, &objection(&json!(1)))
        .await
        .expect_error(409, "version_conflict");
    let lodged = object_from(&app, "203.0.113.7", id, &objection(&version))
        .await
        .expect(201)
        .json();
    // One objection per address per window here; refused ones did not count.
    object_from(&app, "203.0.113.7", id, &objection(&lodged["version"]))
        .await
        .expect_error(429, "too_many_attempts");

    // The officials see who objected and the file; no account is named.
    let seen = detail(ministry.auth()).await;
    let lodged = &seen["objections"][0];
    assert!(lodged["lodged_by"].is_null());
    assert_eq!(
        lodged["objector"],
        json!({"name": "李四", "contact": "lisi@example.cn"})
    );
    assert_eq!(lodged["attachment"]["name"], "专利登记簿.pdf");
    assert_eq!(lodged["attachment"]["size"], PDF.len());
    let last_step = seen["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last_step["action"], &last_step["actor_name"]),
        (&json!("object"), &json!("public"))
    );
    assert!(last_step["actor"].is_null());
    let objection_id = lodged["id"].as_i64().unwrap();
    let file = format!("/api/declarations/{id}/objections/{objection_id}/attachment");
    let download = app.get(&file, &ministry.auth()).await.expect(200);
    assert_eq!(download.bytes, PDF);
    assert_eq!(download.headers[header::CONTENT_TYPE], "application/pdf");
    app.get(&file, &city.auth()).await.expect(200);

    // The enterprise sees that an objection exists, never who lodged it nor
    // the grounds as lodged (officials tell it what they decide to in
    // their resolution).
    let own = detail(alpha.auth()).await;
    assert!(own["objections"][0]["lodged_at"].is_string(), "{own}");
    assert!(own["objections"][0]["text"].is_null(), "{own}");
    assert!(
        !own.to_string()
            .contains("该企业的核心专利登记在关联公司名下")
    );
    assert!(own["objections"][0]["objector"].is_null());
    assert!(own["objections"][0]["attachment"].is_null());
    app.get(&file, &alpha.auth())
        .await
        .expect_error(404, "not_found");

    // After the notice, no more objections; confirmation waits for this one.
    app.set_time("2025-03-11T02:00:00Z");
    let current = seen["declaration"]["version"].clone();
    object_from(&app, "198.51.100.9", id, &objection(&current))
        .await
        .expect_error(409, "notice_closed");
    app.act(id, &ministry, json!({ "action": "confirm" }))
        .await
        .expect_error(409, "open_objections");
    app.act(
        id,
        &ministry,
        json!({ "action": "resolve_objection", "objection": objection_id, "upheld": false, "reason": "专利已转让至企业，核实无误" }),
    )
    .await
    .expect(200);
    app.act(id, &ministry, json!({ "action": "confirm" }))
        .await
        .expect(200);
}

#[tokio::test]
async fn an_account_remembers_its_language_and_the_change_is_audited() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let analyst = app.user("analyst", "analyst", "CN").await;
    let me = app
        .get("/api/session", &analyst.auth())
        .await
        .expect(200)
        .json();
    assert!(me["account"]["language"].is_null(), "not chosen yet");
    let chosen = app
        .send(
            Method::PUT,
            "/api/session/language",
            &analyst.auth(),
            Some(json!({ "language": "en" })),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(chosen["account"]["language"], "en");
    let me = app
        .get("/api/session", &analyst.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(me["account"]["language"], "en");
    app.send(
        Method::PUT,
        "/api/session/language",
        &analyst.auth(),
        Some(json!({ "language": "fr" })),
    )
    .await
    .expect(422);
    let log = app
        .get("/api/audit?action=account.language", &app.admin.auth())
        .await
        .expect(200)
        .json();
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 1, "{log}");
    let after: Value = serde_json::from_str(entries[0]["after"].as_str().unwrap()).unwrap();
    assert_eq!(after["language"], "en");
    // Forgotten again with null.
    app.send(
        Method::PUT,
        "/api/session/language",
        &analyst.auth(),
        Some(json!({ "language": null })),
    )
    .await
    .expect(200);
    let me = app
        .get("/api/session", &analyst.auth())
        .await
        .expect(200)
        .json();
    assert!(me["account"]["language"].is_null());
}
