//! Policies for enterprises (惠企政策) through the API: a city writes a policy
//! whose item's eligibility is a rule set, publishes it (matched as of
//! today by the criteria engine), matches again as of another day (no
//! duplicates); the enterprises read their matches with the reasons and
//! apply; the city rejects one with a written reason and approves and pays
//! another; two officials at one version: one wins, the other gets 409 with
//! the match as it is; another city sees nothing of it.

use serde_json::{Value, json};

use crate::helpers::{Auth, TestApp, User, dataset, enterprise, event};

/// Unicorns under gei, registered in Shenzhen, within 10 years.
const ELIGIBILITY: &str = r#"key = "sz-first-loan"
version = "1"
title = "首贷贴息"
title_en = "First-loan interest subsidy"

[[tiers]]
key = "eligible"
name = "符合"
name_en = "Eligible"
when = [
  { tier = { rules = "gei", in = ["unicorn", "super_unicorn"] } },
  { region_prefix = ["4403"] },
  { age_within_years = 10 },
]
"#;

struct Cast {
    app: TestApp,
    city: User,
    city2: User,
    other_city: User,
    alpha: User,
    delta: User,
}

async fn cast() -> Option<Cast> {
    let app = TestApp::spawn().await?;
    let unicorn = json!({"amount": "100000000", "valuation": "2000000000", "currency": "USD"});
    app.import(dataset(
        vec![
            enterprise("alpha", "甲科技有限公司", "2016-06-01", "440305", None),
            enterprise("beta", "乙科技有限公司", "2021-06-01", "440305", None),
            enterprise("delta", "丁科技有限公司", "2018-01-01", "440304", None),
            enterprise("gamma", "丙科技有限公司", "2018-01-01", "440106", None),
        ],
        vec![
            event("alpha", "2022-01-10", "funding", unicorn.clone()),
            event(
                "beta",
                "2022-01-10",
                "funding",
                json!({"amount": "20000000", "valuation": "300000000", "currency": "USD"}),
            ),
            event("delta", "2022-01-10", "funding", unicorn.clone()),
            event("gamma", "2022-01-10", "funding", unicorn),
        ],
    ))
    .await;
    let city = app.user("sz.policy", "city_reviewer", "440300").await;
    let city2 = app.user("sz.policy2", "city_reviewer", "440300").await;
    let other_city = app.user("gz.policy", "city_reviewer", "440100").await;
    let alpha = app.enterprise_user("alpha.user", "alpha").await;
    let delta = app.enterprise_user("delta.user", "delta").await;
    Some(Cast {
        app,
        city,
        city2,
        other_city,
        alpha,
        delta,
    })
}

async fn draft(app: &TestApp, city: &User) -> Value {
    app.post(
        "/api/policies",
        &city.auth(),
        json!({
            "issuer": "深圳市人民政府办公厅",
            "document_number": "深府办〔2025〕3号",
            "title": "深圳市支持独角兽企业发展若干措施",
            "source_url": "https://www.sz.gov.cn/",
            "published_on": "2025-02-20",
            "valid_from": "2025-03-01",
            "valid_until": "2027-12-31",
        }),
    )
    .await
    .expect(201)
    .json()
}

fn item(eligibility: &str, version: &Value) -> Value {
    json!({
        "version": version,
        "title": "首贷贴息",
        "class": "award",
        "amount": { "kind": "capped", "cap": "500000", "rule": "首笔贷款利息的 50%" },
        "mode": "fast_application",
        "eligibility": eligibility,
    })
}

async fn matches_of(app: &TestApp, auth: &Auth) -> Vec<Value> {
    app.get("/api/policy-matches", auth)
        .await
        .expect(200)
        .json()["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn act(app: &TestApp, id: &Value, who: &User, body: Value) -> crate::helpers::Reply {
    let current = matches_of(app, &who.auth())
        .await
        .into_iter()
        .find(|m| m["id"] == *id)
        .expect("the match is listed");
    let mut body = body;
    body["version"] = current["version"].clone();
    app.post(
        &format!("/api/policy-matches/{id}/actions"),
        &who.auth(),
        body,
    )
    .await
}

#[tokio::test]
async fn a_policy_is_matched_by_the_engine_and_redeemed() {
    let Some(Cast {
        app,
        city,
        city2,
        other_city,
        alpha,
        delta,
    }) = cast().await
    else {
        return;
    };
    let policy = draft(&app, &city).await;
    let id = policy["id"].as_i64().unwrap();
    assert_eq!(
        (policy["state"].clone(), policy["jurisdiction"].clone()),
        (json!("draft"), json!("440300"))
    );
    // Drafts are the city's: an enterprise does not read them.
    app.get(&format!("/api/policies/{id}"), &alpha.auth())
        .await
        .expect(404);

    // An eligibility that does not parse names the field and the line;
    // nothing is stored.
    let broken = ELIGIBILITY.replace("when = [", "when = [[");
    let refused = app
        .post(
            &format!("/api/policies/{id}/items"),
            &city.auth(),
            item(&broken, &policy["version"]),
        )
        .await
        .expect_error(422, "invalid_field")
        .json();
    assert_eq!(refused["error"]["details"]["field"], "eligibility");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line "),
        "{refused}"
    );
    let detail = app
        .get(&format!("/api/policies/{id}"), &city.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(detail["items"], json!([]));
    assert_eq!(detail["policy"]["version"], 1);
    // Publishing without an item is refused.
    app.post(
        &format!("/api/policies/{id}/publish"),
        &city.auth(),
        json!({ "version": 1 }),
    )
    .await
    .expect_error(422, "no_items");

    let added = app
        .post(
            &format!("/api/policies/{id}/items"),
            &city.auth(),
            item(ELIGIBILITY, &json!(1)),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(added["payment_limit_days"], 60, "快申快享's default");
    // Another city cannot write it (it does not even read a Shenzhen draft).
    app.post(
        &format!("/api/policies/{id}/publish"),
        &other_city.auth(),
        json!({ "version": 2 }),
    )
    .await
    .expect(404);
    let published = app
        .post(
            &format!("/api/policies/{id}/publish"),
            &city.auth(),
            json!({ "version": 2 }),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(published["state"], "published");

    // Published on Monday 3 March 2025: alpha (8 years old) and delta are
    // gei unicorns in Shenzhen; beta is a potential unicorn; gamma is in
    // Guangzhou, outside the city.
    let found = matches_of(&app, &city.auth()).await;
    let mut ids: Vec<&str> = found
        .iter()
        .map(|m| m["enterprise"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["alpha", "delta"]);
    // Matching again, as of today, adds nothing.
    let again = app
        .post(
            &format!("/api/policies/{id}/match"),
            &city.auth(),
            json!({}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        (
            again["items"][0]["created"].clone(),
            again["items"][0]["already"].clone()
        ),
        (json!(0), json!(2))
    );
    // As of 2026-07-01 alpha is past gei's 10 years: the engine no longer
    // finds it; delta still is one. Nothing new is recorded.
    let later = app
        .post(
            &format!("/api/policies/{id}/match"),
            &city.auth(),
            json!({ "as_of": "2026-07-01" }),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(later["items"][0]["eligible"], 1);
    assert_eq!(later["items"][0]["created"], 0);
    assert_eq!(matches_of(&app, &city.auth()).await.len(), 2);

    // Scoping: each enterprise reads its own; another city reads none.
    let mine = matches_of(&app, &alpha.auth()).await;
    assert_eq!(mine.len(), 1);
    let alpha_match = mine[0].clone();
    assert_eq!(alpha_match["enterprise"], "alpha");
    assert_eq!(alpha_match["state"], "matched");
    assert_eq!(
        alpha_match["policy_title"],
        "深圳市支持独角兽企业发展若干措施"
    );
    let checks = &alpha_match["decision"]["tiers"][0]["clauses"][0]["checks"];
    assert_eq!(checks[0]["condition"], "tier");
    assert_eq!(checks[0]["found_zh"], "gei@2023 下为 unicorn");
    assert_eq!(checks[1]["passed"], true);
    assert!(matches_of(&app, &other_city.auth()).await.is_empty());
    app.get(
        &format!("/api/policy-matches/{}", alpha_match["id"]),
        &other_city.auth(),
    )
    .await
    .expect(404);
    // The enterprise reads the published policy that reaches it.
    app.get(&format!("/api/policies/{id}"), &alpha.auth())
        .await
        .expect(200);
    let delta_match = matches_of(&app, &delta.auth()).await[0].clone();

    // Nothing to apply for before the push; the enterprise cannot push.
    act(
        &app,
        &alpha_match["id"],
        &alpha,
        json!({ "action": "apply" }),
    )
    .await
    .expect_error(409, "invalid_transition");
    act(
        &app,
        &alpha_match["id"],
        &alpha,
        json!({ "action": "push" }),
    )
    .await
    .expect_error(403, "forbidden");
    for m in [&alpha_match, &delta_match] {
        act(&app, &m["id"], &city, json!({ "action": "push" }))
            .await
            .expect(200);
    }
    // Two officials at one version: exactly one wins; the other is told the
    // current state.
    let seen = matches_of(&app, &alpha.auth()).await[0].clone();
    assert_eq!(seen["actions"], json!(["apply"]));
    let applied = act(
        &app,
        &alpha_match["id"],
        &alpha,
        json!({ "action": "apply", "note": "材料已齐" }),
    )
    .await
    .expect(200)
    .json();
    assert_eq!(applied["state"], "applied");
    assert_eq!(applied["clock"]["limit_days"], 60);
    let version = applied["version"].clone();
    let path = format!("/api/policy-matches/{}/actions", alpha_match["id"]);
    let first = app
        .post(
            &path,
            &city.auth(),
            json!({ "version": version, "action": "review" }),
        )
        .await;
    let second = app
        .post(
            &path,
            &city2.auth(),
            json!({ "version": version, "action": "review" }),
        )
        .await;
    let mut statuses = [first.status.as_u16(), second.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    let lost = if first.status.as_u16() == 409 {
        first
    } else {
        second
    }
    .json();
    assert_eq!(lost["error"]["code"], "version_conflict");
    assert_eq!(lost["error"]["details"]["current"]["state"], "under_review");

    // A rejection needs a written reason; the enterprise reads it.
    act(
        &app,
        &alpha_match["id"],
        &city,
        json!({ "action": "reject" }),
    )
    .await
    .expect_error(422, "invalid_field");
    act(
        &app,
        &alpha_match["id"],
        &city,
        json!({ "action": "reject", "reason": "首笔贷款发生在政策有效期之前" }),
    )
    .await
    .expect(200);
    let read = matches_of(&app, &alpha.auth()).await[0].clone();
    assert_eq!(read["state"], "rejected");
    assert_eq!(read["reason"], "首笔贷款发生在政策有效期之前");
    assert_eq!(read["actions"], json!([]));
    // Paid only after an approval.
    act(&app, &alpha_match["id"], &city, json!({ "action": "pay" }))
        .await
        .expect_error(409, "invalid_transition");

    // Delta applies on Monday 3 March; approved and paid on Friday 7
    // March: four working days.
    act(
        &app,
        &delta_match["id"],
        &delta,
        json!({ "action": "apply" }),
    )
    .await
    .expect(200);
    for action in ["review", "approve"] {
        act(&app, &delta_match["id"], &city, json!({ "action": action }))
            .await
            .expect(200);
    }
    app.set_time("2025-03-07T02:00:00Z");
    let paid = act(&app, &delta_match["id"], &city, json!({ "action": "pay" }))
        .await
        .expect(200)
        .json();
    assert_eq!(paid["state"], "paid");
    assert_eq!(paid["paid_on"], "2025-03-07");
    assert_eq!(paid["clock"]["working_days"], 4);
    assert_eq!(paid["clock"]["overdue"], false);
    let detail = app
        .get(
            &format!("/api/policy-matches/{}", delta_match["id"]),
            &delta.auth(),
        )
        .await
        .expect(200)
        .json();
    let steps: Vec<&str> = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["push", "apply", "review", "approve", "pay"]);

    // Withdrawing needs a reason; the matches stay, and stop moving.
    app.post(
        &format!("/api/policies/{id}/withdraw"),
        &city.auth(),
        json!({ "version": 3, "reason": " " }),
    )
    .await
    .expect_error(422, "invalid_field");
    app.post(
        &format!("/api/policies/{id}/withdraw"),
        &city.auth(),
        json!({ "version": 3, "reason": "被新政策替代" }),
    )
    .await
    .expect(200);
    assert_eq!(matches_of(&app, &city.auth()).await.len(), 2);
}

/// Officials read an enterprise's matches on its own list (only within
/// their jurisdiction); the enterprise reads its own and no other's. A
/// pushed match is new to each account until that account reads it.
#[tokio::test]
async fn an_enterprises_matches_are_listed_for_it_and_read_per_account() {
    let Some(Cast {
        app,
        city,
        city2,
        other_city,
        alpha,
        delta: _,
    }) = cast().await
    else {
        return;
    };
    let policy = draft(&app, &city).await;
    let id = policy["id"].as_i64().unwrap();
    app.post(
        &format!("/api/policies/{id}/items"),
        &city.auth(),
        item(ELIGIBILITY, &json!(1)),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/policies/{id}/publish"),
        &city.auth(),
        json!({ "version": 2 }),
    )
    .await
    .expect(200);

    let of = |who: &User, enterprise: &str| {
        let path = format!("/api/enterprises/{enterprise}/policy-matches");
        let auth = who.auth();
        let app = &app;
        async move { app.get(&path, &auth).await }
    };
    let listed = of(&city, "alpha").await.expect(200).json();
    assert_eq!(listed["total"], 1, "{listed}");
    let matched = listed["items"][0].clone();
    assert_eq!(matched["enterprise"], "alpha");
    assert_eq!(matched["state"], "matched");
    assert_eq!(matched["new"], false, "not pushed: new to nobody");
    // delta's match is not on alpha's list.
    assert_eq!(of(&city, "delta").await.expect(200).json()["total"], 1);
    assert_ne!(
        of(&city, "delta").await.expect(200).json()["items"][0]["id"],
        matched["id"]
    );
    // Another city does not see alpha; alpha does not see delta's list.
    of(&other_city, "alpha").await.expect(404);
    of(&alpha, "delta").await.expect(404);
    assert_eq!(of(&alpha, "alpha").await.expect(200).json()["total"], 1);
    app.get("/api/enterprises/nobody/policy-matches", &city.auth())
        .await
        .expect(404);

    // Pushed: new to every account that reads it, until each reads it.
    act(&app, &matched["id"], &city, json!({ "action": "push" }))
        .await
        .expect(200);
    let new_to = |who: &User| {
        let auth = who.auth();
        let app = &app;
        async move {
            app.get("/api/enterprises/alpha/policy-matches", &auth)
                .await
                .expect(200)
                .json()["items"][0]["new"]
                .clone()
        }
    };
    assert_eq!(new_to(&alpha).await, true);
    assert_eq!(new_to(&city2).await, true);
    let read = app
        .post(
            &format!("/api/policy-matches/{}/read", matched["id"]),
            &alpha.auth(),
            json!({}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(read["new"], false);
    assert_eq!(new_to(&alpha).await, false, "read by alpha's account");
    assert_eq!(new_to(&city2).await, true, "not read by the official");
    // Reading it again changes nothing; the match itself did not move.
    app.post(
        &format!("/api/policy-matches/{}/read", matched["id"]),
        &alpha.auth(),
        json!({}),
    )
    .await
    .expect(200);
    let detail = app
        .get(
            &format!("/api/policy-matches/{}", matched["id"]),
            &city2.auth(),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(detail["version"], 2, "reading is not a redemption step");
    assert_eq!(detail["new"], true, "GET does not mark read: the page does");
    // Another city's official cannot mark it.
    app.post(
        &format!("/api/policy-matches/{}/read", matched["id"]),
        &other_city.auth(),
        json!({}),
    )
    .await
    .expect(404);
}
