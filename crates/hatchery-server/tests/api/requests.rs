//! Enterprises' requests (诉求) through the API: the whole life cycle with a
//! reopening and an escalation, the clocks the system enforces by itself,
//! the lists and the figures computed from the timestamps.

use serde_json::{Value, json};

use crate::helpers::{Auth, TestApp, User, shenzhen_enterprise};

struct Cast {
    app: TestApp,
    enterprise: User,
    city: User,
    province: User,
}

async fn cast() -> Option<Cast> {
    let app = TestApp::spawn().await?;
    shenzhen_enterprise(&app, "alpha").await;
    let enterprise = app.enterprise_user("alpha.user", "alpha").await;
    let city = app.user("sz.officer", "city_reviewer", "440300").await;
    let province = app.user("gd.officer", "province_reviewer", "440000").await;
    Some(Cast {
        app,
        enterprise,
        city,
        province,
    })
}

async fn file(app: &TestApp, who: &User, class: &str) -> Value {
    app.post(
        "/api/requests",
        &who.auth(),
        json!({
            "enterprise": "alpha", "class": class,
            "title": "需要中试场地", "body": "我们需要 2000 平方米的中试场地。",
        }),
    )
    .await
    .expect(201)
    .json()
}

async fn get(app: &TestApp, id: i64, auth: &Auth) -> Value {
    app.get(&format!("/api/requests/{id}"), auth)
        .await
        .expect(200)
        .json()
}

/// Takes a step at the request's current version; the reply.
async fn step(app: &TestApp, id: i64, who: &User, mut body: Value) -> crate::helpers::Reply {
    let version = get(app, id, &who.auth()).await["request"]["version"].clone();
    body["version"] = version;
    app.post(&format!("/api/requests/{id}/actions"), &who.auth(), body)
        .await
}

fn actions(detail: &Value) -> Vec<&str> {
    detail["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_request_lives_through_a_reopening_and_an_escalation() {
    let Some(Cast {
        app,
        enterprise,
        city,
        province,
    }) = cast().await
    else {
        return;
    };
    // Monday 3 March 2025, 09:00 in Beijing.
    let filed = file(&app, &enterprise, "general").await;
    let id = filed["id"].as_i64().unwrap();
    assert_eq!(filed["state"], "submitted");
    assert_eq!(filed["channel"], "platform");
    assert_eq!(
        (filed["level"].clone(), filed["owner"].clone()),
        (json!("local"), json!("440300"))
    );
    assert_eq!(filed["next_due"]["deadline"], "accept");
    assert_eq!(
        filed["next_due"]["at"], "2025-03-03T03:00:00Z",
        "2 h to accept"
    );
    // 3 working days to answer (Tue–Thu), 5 to close (to Monday 10th).
    assert_eq!(filed["dues"]["answer"], "2025-03-06T16:00:00Z");
    assert_eq!(filed["dues"]["close"], "2025-03-10T16:00:00Z");
    assert_eq!(filed["clock_set"], "national");

    // The enterprise waits; the city's office moves it on.
    let seen = get(&app, id, &enterprise.auth()).await;
    assert_eq!(actions(&seen), ["withdraw"]);
    assert_eq!(
        actions(&get(&app, id, &city.auth()).await),
        ["accept", "escalate"]
    );
    step(&app, id, &enterprise, json!({ "action": "accept" }))
        .await
        .expect(403);
    step(&app, id, &province, json!({ "action": "accept" }))
        .await
        .expect(403);
    // A stale version changes nothing.
    app.post(
        &format!("/api/requests/{id}/actions"),
        &city.auth(),
        json!({ "version": 99, "action": "accept" }),
    )
    .await
    .expect_error(409, "version_conflict");
    step(&app, id, &city, json!({ "action": "accept" }))
        .await
        .expect(200);
    // A dispatch names its department: missing, refused naming the field.
    let refused = step(&app, id, &city, json!({ "action": "dispatch" }))
        .await
        .expect_error(422, "invalid_field");
    assert_eq!(refused.json()["error"]["details"]["field"], "department");
    assert_eq!(
        get(&app, id, &city.auth()).await["request"]["state"],
        "accepted"
    );
    for body in [
        json!({ "action": "dispatch", "department": "市工业和信息化局" }),
        json!({ "action": "start" }),
        json!({ "action": "answer", "answer": "已协调南山区中试基地。" }),
        json!({ "action": "close", "reason": "场地已对接" }),
    ] {
        step(&app, id, &city, body).await.expect(200);
    }
    let closed = get(&app, id, &enterprise.auth()).await;
    assert_eq!(closed["request"]["state"], "closed");
    assert_eq!(
        closed["request"]["close_reason"], "场地已对接",
        "the enterprise reads why"
    );
    assert_eq!(closed["request"]["answer"], "已协调南山区中试基地。");
    assert_eq!(closed["request"]["department"], "市工业和信息化局");
    assert_eq!(actions(&closed), ["reopen", "confirm"]);

    // Not satisfied: reopened, with a reason.
    step(&app, id, &enterprise, json!({ "action": "reopen" }))
        .await
        .expect_error(422, "invalid_field");
    step(
        &app,
        id,
        &enterprise,
        json!({ "action": "reopen", "reason": "场地面积不够" }),
    )
    .await
    .expect(200);
    step(&app, id, &city, json!({ "action": "start" }))
        .await
        .expect(200);
    // Escalated to the province as a problem many enterprises share.
    let escalated = step(
        &app,
        id,
        &city,
        json!({ "action": "escalate", "reason": "需省级协调", "shared": true }),
    )
    .await
    .expect(200)
    .json();
    assert_eq!(
        (
            escalated["state"].clone(),
            escalated["level"].clone(),
            escalated["owner"].clone()
        ),
        (json!("escalated"), json!("province"), json!("440000"))
    );
    assert_eq!(escalated["shared"], true);
    assert!(
        actions(&get(&app, id, &city.auth()).await).is_empty(),
        "no longer the city's"
    );
    for body in [
        json!({ "action": "accept" }),
        json!({ "action": "dispatch", "department": "省工业和信息化厅" }),
        json!({ "action": "start" }),
        json!({ "action": "answer", "answer": "省内统筹场地。" }),
        json!({ "action": "close", "reason": "已统筹" }),
    ] {
        step(&app, id, &province, body).await.expect(200);
    }
    // The enterprise confirms: not solved, 2 of 5.
    step(
        &app,
        id,
        &enterprise,
        json!({ "action": "confirm", "solved": false, "satisfaction": 9 }),
    )
    .await
    .expect_error(422, "invalid_field");
    let confirmed = step(
        &app,
        id,
        &enterprise,
        json!({ "action": "confirm", "solved": false, "satisfaction": 2, "comment": "仍不够" }),
    )
    .await
    .expect(200)
    .json();
    assert_eq!(confirmed["state"], "confirmed");
    assert_eq!(
        (
            confirmed["solved"].clone(),
            confirmed["satisfaction"].clone()
        ),
        (json!(false), json!(2))
    );
    assert_eq!(confirmed["reopened"], 1);

    let history = get(&app, id, &enterprise.auth()).await;
    let steps: Vec<&str> = history["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "file", "accept", "dispatch", "start", "answer", "close", "reopen", "start",
            "escalate", "accept", "dispatch", "start", "answer", "close", "confirm"
        ]
    );
    assert_eq!(history["steps"][6]["text"], "场地面积不够");
    // Every step is in the audit log.
    let audit = app
        .get("/api/audit?action=request.&limit=1000", &app.admin.auth())
        .await
        .expect(200)
        .json();
    let logged = audit.to_string();
    for action in [
        "request.file",
        "request.reopen",
        "request.escalate",
        "request.confirm",
    ] {
        assert!(logged.contains(action), "{action} in {logged}");
    }
}

#[tokio::test]
async fn a_request_nobody_accepts_goes_up_by_itself() {
    let Some(Cast {
        app,
        enterprise,
        province,
        ..
    }) = cast().await
    else {
        return;
    };
    let id = file(&app, &enterprise, "urgent").await["id"]
        .as_i64()
        .unwrap();
    app.advance_hours(11);
    let escalate = || hatchery_server::routes::requests::escalate_overdue(&app.state);
    assert_eq!(escalate().await.unwrap(), 0, "12 h not yet passed");
    app.advance_hours(2);
    assert_eq!(escalate().await.unwrap(), 1);
    let up = get(&app, id, &province.auth()).await;
    assert_eq!(
        (
            up["request"]["state"].clone(),
            up["request"]["level"].clone()
        ),
        (json!("escalated"), json!("province"))
    );
    let last = up["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["actor_name"], "system:clock");
    assert_eq!(last["actor"], Value::Null);
    assert_eq!(
        escalate().await.unwrap(),
        0,
        "the province has its own 12 h"
    );
    app.advance_hours(13);
    assert_eq!(escalate().await.unwrap(), 1);
    let top = get(&app, id, &app.admin.auth()).await;
    assert_eq!(top["request"]["level"], "nation");
    app.advance_hours(48);
    assert_eq!(
        escalate().await.unwrap(),
        0,
        "nothing is above the ministry"
    );
    // It is overdue, and listed so.
    let overdue = app
        .get("/api/requests?overdue=true", &province.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(overdue["total"], 1);
}

#[tokio::test]
async fn lists_and_figures_follow_the_jurisdiction_and_the_timestamps() {
    let Some(Cast {
        app,
        enterprise,
        city,
        ..
    }) = cast().await
    else {
        return;
    };
    // Filed Monday 3 March 09:00; accepted within 1 h, answered and closed
    // the same day.
    let quick = file(&app, &enterprise, "consultation").await["id"]
        .as_i64()
        .unwrap();
    app.advance_hours(1);
    for body in [
        json!({ "action": "accept" }),
        json!({ "action": "dispatch", "department": "政策科" }),
        json!({ "action": "start" }),
        json!({ "action": "answer", "answer": "见附件政策。" }),
        json!({ "action": "close", "reason": "已答复" }),
    ] {
        step(&app, quick, &city, body).await.expect(200);
    }
    // Filed at 10:00, never accepted.
    let slow = file(&app, &enterprise, "general").await["id"]
        .as_i64()
        .unwrap();
    // A Beijing official sees neither.
    let beijing = app.user("bj.officer", "city_reviewer", "110100").await;
    let theirs = app
        .get("/api/requests", &beijing.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(theirs["total"], 0);
    app.get(&format!("/api/requests/{slow}"), &beijing.auth())
        .await
        .expect(404);
    // The city's queue holds the unaccepted one; the enterprise's the closed one.
    let queue = app
        .get("/api/requests?mine=true", &city.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(
        (queue["total"].clone(), queue["items"][0]["id"].clone()),
        (json!(1), json!(slow))
    );
    let own = app
        .get("/api/requests?mine=true", &enterprise.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(own["items"][0]["id"], quick);

    // Three hours later: the slow one is past its 2 h to accept.
    app.advance_hours(3);
    let figures = app
        .get(
            "/api/requests/figures?from=2025-03-01&to=2025-03-31",
            &city.auth(),
        )
        .await
        .expect(200)
        .json();
    let all = &figures["all"];
    assert_eq!(all["requests"], 2);
    // Accepted in time: quick (1 h of 2); slow is late and unaccepted.
    assert_eq!(
        all["response_in_time"],
        json!({ "numerator": 1, "denominator": 2 })
    );
    // Closed on time: quick; slow's closure is not yet due.
    assert_eq!(
        all["closed_on_time"],
        json!({ "numerator": 1, "denominator": 1 })
    );
    assert_eq!(all["closure"], json!({ "numerator": 1, "denominator": 2 }));
    assert_eq!(all["overdue"], 1);
    let consultation = figures["by_class"]
        .as_array()
        .unwrap()
        .iter()
        .find(|pair| pair[0] == "consultation")
        .unwrap()[1]
        .clone();
    assert_eq!(consultation["requests"], 1);
    // By department: the one dispatched to 政策科 (closed on time), and the
    // one never dispatched (overdue).
    let departments = figures["by_department"].as_array().unwrap();
    assert_eq!(departments.len(), 2, "{departments:?}");
    let policy_desk = departments.iter().find(|pair| pair[0] == "政策科").unwrap();
    assert_eq!(
        (
            policy_desk[1]["requests"].clone(),
            policy_desk[1]["overdue"].clone()
        ),
        (json!(1), json!(0))
    );
    let undispatched = departments.iter().find(|pair| pair[0].is_null()).unwrap();
    assert_eq!(undispatched[1]["overdue"], 1);
    // By place: both in Shenzhen, Guangdong.
    assert_eq!(figures["by_city"][0][0], "440300");
    assert_eq!(figures["by_city"][0][1]["requests"], 2);
    assert_eq!(figures["by_province"][0][0], "440000");
    assert_eq!(figures["by_province"].as_array().unwrap().len(), 1);
    // A period before either was filed counts nothing.
    let before = app
        .get(
            "/api/requests/figures?from=2025-02-01&to=2025-02-28",
            &city.auth(),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(before["all"]["requests"], 0);
    app.get(
        "/api/requests/figures?from=2025-03-31&to=2025-03-01",
        &city.auth(),
    )
    .await
    .expect_error(400, "invalid_query");
    // Analysts read statistics, not requests.
    let analyst = app.user("an.alyst", "analyst", "CN").await;
    app.get("/api/requests", &analyst.auth()).await.expect(403);
}

#[tokio::test]
async fn unsatisfied_requests_and_the_least_share_are_due_for_a_revisit() {
    let Some(Cast {
        app,
        enterprise,
        city,
        ..
    }) = cast().await
    else {
        return;
    };
    let mut closed = Vec::new();
    for _ in 0..11 {
        let id = file(&app, &enterprise, "consultation").await["id"]
            .as_i64()
            .unwrap();
        for body in [
            json!({ "action": "accept" }),
            json!({ "action": "dispatch", "department": "政策科" }),
            json!({ "action": "start" }),
            json!({ "action": "answer", "answer": "已答复。" }),
            json!({ "action": "close", "reason": "已答复" }),
        ] {
            step(&app, id, &city, body).await.expect(200);
        }
        app.advance_hours(1);
        closed.push(id);
    }
    // The last one confirmed solved but rated 3: unsatisfied.
    let unhappy = closed[10];
    step(
        &app,
        unhappy,
        &enterprise,
        json!({ "action": "confirm", "solved": true, "satisfaction": 3 }),
    )
    .await
    .expect(200);
    // 11 closed at the national 10 %: ⌈1.1⌉ = 2 to revisit. The unsatisfied
    // one, and the earliest closed of the rest.
    assert_eq!(
        revisits_due(&app, &city).await,
        [(unhappy, json!("unsatisfied")), (closed[0], json!("share"))]
    );
    // A revisit needs its note; with it, the request leaves the list.
    step(&app, unhappy, &city, json!({ "action": "revisit" }))
        .await
        .expect_error(422, "invalid_field");
    step(
        &app,
        unhappy,
        &city,
        json!({ "action": "revisit", "note": "电话回访：企业希望答复附政策原文。" }),
    )
    .await
    .expect(200);
    assert_eq!(
        revisits_due(&app, &city).await,
        [(closed[0], json!("share"))]
    );
    let figures = app
        .get(
            "/api/requests/figures?from=2025-03-01&to=2025-03-31",
            &city.auth(),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        figures["all"]["revisit"],
        json!({ "numerator": 1, "denominator": 11 })
    );
    assert_eq!(
        figures["all"]["unsatisfied_revisited"],
        json!({ "numerator": 1, "denominator": 1 })
    );
    // The enterprise reads its requests but keeps no revisit list.
    app.get(
        "/api/requests/revisits?from=2025-03-01&to=2025-03-31",
        &enterprise.auth(),
    )
    .await
    .expect(403);
}

/// The requests the figures' period (March 2025) has due for a revisit:
/// (id, reason).
async fn revisits_due(app: &TestApp, who: &User) -> Vec<(i64, Value)> {
    let listed = app
        .get(
            "/api/requests/revisits?from=2025-03-01&to=2025-03-31",
            &who.auth(),
        )
        .await
        .expect(200)
        .json();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["request"]["id"].as_i64().unwrap(), d["reason"].clone()))
        .collect()
}
