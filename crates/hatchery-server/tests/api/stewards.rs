//! Stewards (服务管家) and the contact log (走访记录) through the API: an
//! official assigns a government and a market steward to a pool
//! enterprise, a second assignment of the same person in the same role is
//! refused, a stale end conflicts, contacts stay within their assignment
//! and their enterprise, the enterprise sees its stewards without the
//! internal notes, and the figures flag a quiet enterprise.

use serde_json::{Value, json};

use crate::helpers::{TestApp, User, shenzhen_enterprise, submitted};

pub(crate) struct Cast {
    pub app: TestApp,
    pub enterprise: User,
    pub city: User,
    pub elsewhere: User,
}

/// `alpha` in Shenzhen, confirmed into the pool on 11 March 2025; `beta`
/// in Shenzhen but outside the pool.
pub(crate) async fn cast() -> Option<Cast> {
    let app = TestApp::spawn().await?;
    shenzhen_enterprise(&app, "alpha").await;
    shenzhen_enterprise(&app, "beta").await;
    let enterprise = app.enterprise_user("alpha.user", "alpha").await;
    let city = app.user("sz.officer", "city_reviewer", "440300").await;
    let province = app.user("gd.officer", "province_reviewer", "440000").await;
    let ministry = app.user("mi.officer", "ministry_reviewer", "CN").await;
    let elsewhere = app.user("gz.officer", "city_reviewer", "440100").await;
    let declaration = submitted(&app, &enterprise, "alpha", 2023).await;
    for (who, action) in [
        (&city, "approve"),
        (&province, "recommend"),
        (&ministry, "accept"),
    ] {
        app.act(declaration, who, json!({ "action": action }))
            .await
            .expect(200);
    }
    app.set_time("2025-03-11T02:00:00Z");
    app.act(declaration, &ministry, json!({ "action": "confirm" }))
        .await
        .expect(200);
    Some(Cast {
        app,
        enterprise,
        city,
        elsewhere,
    })
}

fn government(starts_on: &str) -> Value {
    json!({
        "role": "government", "department": "深圳市工业和信息化局", "name": "王敏",
        "phone": "0755-8888 6666", "starts_on": starts_on,
    })
}

async fn assign(app: &TestApp, who: &User, enterprise: &str, body: Value) -> crate::helpers::Reply {
    app.post(
        &format!("/api/enterprises/{enterprise}/stewards"),
        &who.auth(),
        body,
    )
    .await
}

fn field(reply: crate::helpers::Reply) -> String {
    let reply = reply.expect_error(422, "invalid_field");
    reply.json()["error"]["details"]["field"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn officials_assign_stewards_and_the_enterprise_sees_them() {
    let Some(Cast {
        app,
        enterprise,
        city,
        elsewhere,
    }) = cast().await
    else {
        return;
    };
    // Outside the pool, outside the jurisdiction, a bad address: refused.
    assert_eq!(
        field(assign(&app, &city, "beta", government("2025-03-01")).await),
        "enterprise"
    );
    assign(&app, &elsewhere, "alpha", government("2025-03-01"))
        .await
        .expect_error(404, "not_found");
    assign(&app, &enterprise, "alpha", government("2025-03-01"))
        .await
        .expect_error(403, "forbidden");
    let mut bad = government("2025-03-01");
    bad["email"] = json!("wang at sz");
    assert_eq!(field(assign(&app, &city, "alpha", bad).await), "email");
    let mut backwards = government("2025-03-01");
    backwards["ends_on"] = json!("2025-02-01");
    assert_eq!(
        field(assign(&app, &city, "alpha", backwards).await),
        "ends_on"
    );

    let wang = assign(&app, &city, "alpha", government("2025-03-01"))
        .await
        .expect(201)
        .json();
    assert_eq!(
        (
            &wang["role"],
            &wang["level"],
            &wang["active"],
            &wang["version"]
        ),
        (
            &json!("government"),
            &json!("city"),
            &json!(true),
            &json!(1)
        )
    );
    let market = assign(
        &app,
        &city,
        "alpha",
        json!({
            "role": "market", "department": "深创投", "name": "陈立",
            "email": "chen.li@example.cn", "starts_on": "2025-03-05",
        }),
    )
    .await
    .expect(201)
    .json();
    // The same person in the same role again: refused, nothing added.
    assign(&app, &city, "alpha", government("2025-03-10"))
        .await
        .expect_error(409, "duplicate");

    // The enterprise sees both, with their contacts.
    let seen = app
        .get("/api/enterprises/alpha/stewards", &enterprise.auth())
        .await
        .expect(200)
        .json();
    let names: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["王敏", "陈立"]);
    assert_eq!(seen[1]["email"], "chen.li@example.cn");

    // Ending: a stale version conflicts and changes nothing; then ended.
    let id = market["id"].as_i64().unwrap();
    app.post(
        &format!("/api/stewards/{id}/end"),
        &city.auth(),
        json!({ "version": 0, "ends_on": "2025-03-10" }),
    )
    .await
    .expect_error(409, "version_conflict");
    app.post(
        &format!("/api/stewards/{id}/end"),
        &elsewhere.auth(),
        json!({ "version": 1, "ends_on": "2025-03-10" }),
    )
    .await
    .expect_error(404, "not_found");
    let ended = app
        .post(
            &format!("/api/stewards/{id}/end"),
            &city.auth(),
            json!({ "version": 1, "ends_on": "2025-03-10" }),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        (&ended["active"], &ended["version"]),
        (&json!(false), &json!(2))
    );
    let seen = app
        .get("/api/enterprises/alpha/stewards", &enterprise.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(seen.as_array().unwrap().len(), 1, "{seen}");
    let all = app
        .get("/api/enterprises/alpha/stewards?all=true", &city.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(wang["id"], all[0]["id"]);
}

#[tokio::test]
async fn contacts_keep_to_their_assignment_and_the_enterprise_reads_no_notes() {
    let Some(Cast {
        app,
        enterprise,
        city,
        elsewhere,
    }) = cast().await
    else {
        return;
    };
    let wang = assign(&app, &city, "alpha", government("2025-03-01"))
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let own_request = app
        .post(
            "/api/requests",
            &enterprise.auth(),
            json!({ "enterprise": "alpha", "class": "general", "title": "用地", "body": "中试用地" }),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let beta_request = app
        .post(
            "/api/requests",
            &city.auth(),
            json!({ "enterprise": "beta", "class": "general", "title": "融资", "body": "对接基金" }),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let contact = |on: &str, requests: Value| {
        json!({
            "steward": wang, "contacted_on": on, "channel": "visit",
            "topics": "中试场地与人才公寓", "requests": requests,
            "follow_up": "内部：两周内协调区里",
        })
    };
    let record = |body: Value| {
        let app = &app;
        let city = &city;
        async move {
            app.post("/api/enterprises/alpha/contacts", &city.auth(), body)
                .await
        }
    };
    // Today is 11 March 2025.
    assert_eq!(
        field(record(contact("2025-02-28", json!([]))).await),
        "contacted_on"
    );
    assert_eq!(
        field(record(contact("2025-03-12", json!([]))).await),
        "contacted_on"
    );
    assert_eq!(
        field(record(contact("2025-03-10", json!([own_request, beta_request]))).await),
        "requests"
    );
    let mut empty = contact("2025-03-10", json!([]));
    empty["topics"] = json!("  ");
    assert_eq!(field(record(empty).await), "topics");
    app.post(
        "/api/enterprises/alpha/contacts",
        &elsewhere.auth(),
        contact("2025-03-10", json!([])),
    )
    .await
    .expect_error(404, "not_found");
    app.post(
        "/api/enterprises/alpha/contacts",
        &enterprise.auth(),
        contact("2025-03-10", json!([])),
    )
    .await
    .expect_error(403, "forbidden");

    let first = record(contact("2025-03-10", json!([own_request])))
        .await
        .expect(201)
        .json();
    assert_eq!(first["requests"], json!([own_request]));
    assert_eq!(first["steward_name"], "王敏");
    let mut fix = contact("2025-03-09", json!([own_request]));
    fix["corrects"] = first["id"].clone();
    fix["channel"] = json!("phone");
    let correction = record(fix).await.expect(201).json();
    // The corrected record is kept, said corrected, by whom and when.
    let old = app
        .get(&format!("/api/contacts/{}", first["id"]), &city.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(old["channel"], "visit", "the old record is unchanged");
    assert_eq!(old["corrected_by"], correction["id"]);
    assert_eq!(old["corrected_by_name"], correction["recorded_by"]);
    assert_eq!(old["corrected_at"], correction["recorded_at"]);
    assert_eq!(
        app.get(
            &format!("/api/contacts/{}", first["id"]),
            &enterprise.auth()
        )
        .await
        .expect(200)
        .json()["follow_up"],
        Value::Null,
        "the enterprise reads no internal note"
    );
    app.get(&format!("/api/contacts/{}", first["id"]), &elsewhere.auth())
        .await
        .expect_error(404, "not_found");
    // Corrected once: a second correction goes through the correction.
    let mut again = contact("2025-03-08", json!([]));
    again["corrects"] = first["id"].clone();
    assert_eq!(field(record(again).await), "corrects");

    // The enterprise reads dates, channels and topics, not the notes.
    let seen = app
        .get("/api/enterprises/alpha/contacts", &enterprise.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(seen["total"], 2);
    assert!(
        seen["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["follow_up"].is_null())
    );
    assert_eq!(seen["items"][0]["corrected_by"], correction["id"]);
    let official = app
        .get("/api/contacts?from=2025-03-10&to=2025-03-31", &city.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(official["total"], 1);
    assert_eq!(official["items"][0]["follow_up"], "内部：两周内协调区里");
    let none_elsewhere = app
        .get("/api/contacts", &elsewhere.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(none_elsewhere["total"], 0);

    // The figures: one contact counted (the correction replaces the
    // record it corrects), two days since; quiet after 90 days.
    let figures = app
        .get("/api/stewards?from=2025-03-01&to=2025-03-31", &city.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(figures["stale_after_days"], 90);
    let wang_figures = &figures["stewards"][0];
    assert_eq!(wang_figures["name"], "王敏");
    assert_eq!(wang_figures["contacts_in_period"], 1);
    assert_eq!(wang_figures["served"][0]["last_contact"], "2025-03-09");
    assert_eq!(wang_figures["served"][0]["days_since"], 2);
    assert_eq!(wang_figures["served"][0]["stale"], false);
    app.set_time("2025-06-10T02:00:00Z");
    let later = app
        .get("/api/stewards", &city.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(later["stewards"][0]["served"][0]["days_since"], 93);
    assert_eq!(later["stewards"][0]["stale"], 1);
    let nothing = app
        .get("/api/stewards", &elsewhere.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(nothing["stewards"], json!([]));
}

/// The request figures count a request for every steward assigned to its
/// enterprise on the day it was filed: the government steward from
/// 12 March sees both requests, the market steward from 14 March only the
/// later one.
#[tokio::test]
async fn request_figures_are_broken_down_by_the_stewards_of_the_filing_day() {
    let Some(Cast {
        app,
        enterprise,
        city,
        ..
    }) = cast().await
    else {
        return;
    };
    assign(&app, &city, "alpha", government("2025-03-12"))
        .await
        .expect(201);
    let mut market = government("2025-03-14");
    market["role"] = json!("market");
    market["name"] = json!("李强");
    market["department"] = json!("深圳市创新投资集团");
    assign(&app, &city, "alpha", market).await.expect(201);
    let file = |day: &'static str| {
        let app = &app;
        let enterprise = &enterprise;
        async move {
            app.set_time(day);
            app.post(
                "/api/requests",
                &enterprise.auth(),
                json!({
                    "enterprise": "alpha", "class": "general",
                    "title": "需要中试场地", "body": "我们需要 2000 平方米的中试场地。",
                }),
            )
            .await
            .expect(201);
        }
    };
    file("2025-03-12T02:00:00Z").await; // Wednesday 12 March, 10:00
    file("2025-03-14T02:00:00Z").await; // Friday 14 March, 10:00
    let figures = app
        .get(
            "/api/requests/figures?from=2025-03-01&to=2025-03-31",
            &city.auth(),
        )
        .await
        .expect(200)
        .json();
    let by_steward: Vec<(String, u64)> = figures["by_steward"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            let steward = pair[0].as_str().unwrap();
            let name = steward.split_once(" — ").unwrap().1.to_owned();
            (name, pair[1]["requests"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        by_steward,
        vec![("王敏".to_owned(), 2), ("李强".to_owned(), 1)],
        "{figures}"
    );
    assert_eq!(figures["all"]["requests"], 2);
}
