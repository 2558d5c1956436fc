//! "Enter once" through the API: the profile shows every value held with its
//! source and date; a correction is a new dated fact that the profile then
//! shows as "corrected by" its account, audited; a region correction is a
//! move the statistics see from its day and not before; bad input names its
//! field and changes nothing.

use serde_json::{Value, json};

use crate::helpers::{TestApp, User, shenzhen_enterprise};

fn held<'p>(profile: &'p Value, field: &str) -> &'p Value {
    profile["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["field"] == field)
        .unwrap_or_else(|| panic!("no {field} in {profile}"))
}

async fn profile(app: &TestApp, who: &User) -> Value {
    app.get("/api/enterprises/alpha/profile", &who.auth())
        .await
        .expect(200)
        .json()
}

async fn correct(app: &TestApp, who: &User, body: Value) -> crate::helpers::Reply {
    app.post(
        "/api/enterprises/alpha/profile/corrections",
        &who.auth(),
        body,
    )
    .await
}

#[tokio::test]
async fn a_correction_appears_in_the_profile_with_its_source_and_date() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    shenzhen_enterprise(&app, "alpha").await;
    let own = app.enterprise_user("alpha.user", "alpha").await;
    let before = profile(&app, &own).await;
    assert_eq!(held(&before, "name")["value"], "alpha 有限公司");
    assert_eq!(held(&before, "name")["source"], "ledger_import");
    assert_eq!(held(&before, "region")["value"], "440305");
    assert_eq!(held(&before, "latest_round")["source"], "ledger_event");
    assert_eq!(held(&before, "latest_round")["date"], "2022-01-10");
    assert_eq!(held(&before, "name_en")["value"], "");
    assert_eq!(held(&before, "name_en")["correctable"], true);
    assert_eq!(held(&before, "tier")["source"], "engine");

    let fact = correct(
        &app,
        &own,
        json!({ "field": "name_en", "value": "Alpha Robotics Ltd." }),
    )
    .await
    .expect(201)
    .json();
    assert_eq!(fact["recorded_by"], "alpha.user");
    assert_eq!(fact["effective_on"], "2025-03-03");
    correct(
        &app,
        &own,
        json!({ "field": "revenue", "year": 2024, "value": "125000000.00", "currency": "CNY" }),
    )
    .await
    .expect(201);
    correct(
        &app,
        &own,
        json!({ "field": "contact_phone", "value": "0755-8888 6666" }),
    )
    .await
    .expect(201);

    let after = profile(&app, &own).await;
    let name_en = held(&after, "name_en");
    assert_eq!(name_en["value"], "Alpha Robotics Ltd.");
    assert_eq!(name_en["source"], "correction");
    assert_eq!(name_en["source_label"], "alpha.user");
    assert_eq!(name_en["date"], "2025-03-03");
    let revenue = held(&after, "revenue");
    assert_eq!(revenue["value"], "125000000.00");
    assert_eq!(revenue["year"], 2024);
    assert_eq!(revenue["currency"], "CNY");
    assert_eq!(revenue["source"], "correction");
    assert_eq!(held(&after, "contact_phone")["value"], "0755-8888 6666");
    assert_eq!(after["facts"].as_array().unwrap().len(), 3);
    // The name is the ledger's: nothing was written over.
    assert_eq!(held(&after, "name")["source"], "ledger_import");

    // A second correction of the same field is a new fact, not an update.
    correct(
        &app,
        &own,
        json!({ "field": "name_en", "value": "Alpha Robotics Co., Ltd." }),
    )
    .await
    .expect(201);
    let later = profile(&app, &own).await;
    assert_eq!(held(&later, "name_en")["value"], "Alpha Robotics Co., Ltd.");
    let facts = later["facts"].as_array().unwrap();
    assert_eq!(facts.len(), 4);
    assert_eq!(facts[0]["value"], "Alpha Robotics Ltd.");
    assert_eq!(facts[3]["previous"], "Alpha Robotics Ltd.");

    // Each is in the hash-chained audit log, and the chain holds.
    let audit = app
        .get("/api/audit?action=profile.correct", &app.admin.auth())
        .await
        .expect(200)
        .json();
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 4, "{audit}");
    assert!(entries.iter().all(|e| e["subject"] == "enterprise:alpha"));
    let verdict = app
        .get("/api/audit/verify", &app.admin.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(verdict["ok"], true, "{verdict}");
}

#[tokio::test]
async fn a_region_correction_moves_the_enterprise_from_its_day_and_not_before() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    shenzhen_enterprise(&app, "alpha").await;
    let city = app.user("sz.officer", "city_reviewer", "440300").await;
    let ministry = app.user("mi.officer", "ministry_reviewer", "CN").await;
    let provinces = |as_of: &'static str| {
        let app = &app;
        let auth = ministry.auth();
        async move {
            app.get(&format!("/api/statistics/tiers?as_of={as_of}"), &auth)
                .await
                .expect(200)
                .json()["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["province"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(provinces("2024-07-01").await, ["440000"]);

    // The Shenzhen office records the move to Beijing on 1 July 2024.
    let fact = correct(
        &app,
        &city,
        json!({ "field": "region", "value": "110108", "effective_on": "2024-07-01" }),
    )
    .await
    .expect(201)
    .json();
    assert_eq!(fact["previous"], "440305");

    assert_eq!(provinces("2024-06-30").await, ["440000"], "not before");
    assert_eq!(provinces("2024-07-01").await, ["110000"], "from its day");
    let moved = profile(&app, &ministry).await;
    let region = held(&moved, "region");
    assert_eq!(region["value"], "110108");
    assert_eq!(region["source"], "correction");
    assert_eq!(region["source_label"], "sz.officer");
    assert_eq!(region["date"], "2024-07-01");
    // In the ledger: a `relocated` event of that day.
    let detail = app
        .get("/api/enterprises/alpha", &ministry.auth())
        .await
        .expect(200)
        .json();
    let relocation = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "relocated")
        .expect("a relocated event");
    assert_eq!(relocation["date"], "2024-07-01");
    assert_eq!(relocation["region"], "110108");
    assert_eq!(relocation["source"], "corrected by sz.officer");
    // The enterprise is now Beijing's: the Shenzhen office no longer sees it.
    app.get("/api/enterprises/alpha/profile", &city.auth())
        .await
        .expect(404);
}

#[tokio::test]
async fn bad_corrections_name_their_field_and_change_nothing() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    shenzhen_enterprise(&app, "alpha").await;
    let own = app.enterprise_user("alpha.user", "alpha").await;
    let before = profile(&app, &own).await;
    let events_before = app
        .get("/api/enterprises/alpha", &own.auth())
        .await
        .expect(200)
        .json()["events"]
        .clone();
    for (body, field) in [
        (
            json!({ "field": "favourite_colour", "value": "red" }),
            "field",
        ),
        (
            json!({ "field": "region", "value": "440106", "effective_on": "2024-13-01" }),
            "effective_on",
        ),
        (json!({ "field": "region", "value": "999999" }), "value"),
        (json!({ "field": "region", "value": "44030" }), "value"),
        (
            json!({ "field": "region", "value": "440106", "effective_on": "2020-01-01" }),
            "effective_on",
        ),
        (
            json!({ "field": "region", "value": "440106", "effective_on": "2026-01-01" }),
            "effective_on",
        ),
        (json!({ "field": "revenue", "value": "100" }), "year"),
        (
            json!({ "field": "revenue", "year": 2024, "value": "a lot" }),
            "value",
        ),
        (
            json!({ "field": "revenue", "year": 2024, "value": "100", "currency": "XX" }),
            "currency",
        ),
        (
            json!({ "field": "employees", "year": 2024, "value": "-3" }),
            "value",
        ),
        (
            json!({ "field": "industries", "value": "ai; nonesuch-industry" }),
            "value",
        ),
        (
            json!({ "field": "contact_email", "value": "not an address" }),
            "value",
        ),
        (json!({ "field": "name_en", "value": "" }), "value"),
    ] {
        let reply = correct(&app, &own, body.clone())
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(reply.json()["error"]["details"]["field"], field, "{body}");
    }
    // A key the body does not have is refused too.
    let reply = correct(
        &app,
        &own,
        json!({ "field": "name_en", "value": "A", "colour": "red" }),
    )
    .await;
    assert!(reply.status.is_client_error(), "{:?}", reply.status);

    assert_eq!(
        profile(&app, &own).await,
        before,
        "the profile is unchanged"
    );
    assert_eq!(
        app.get("/api/enterprises/alpha", &own.auth())
            .await
            .expect(200)
            .json()["events"],
        events_before,
        "the ledger is unchanged"
    );
    let audit = app
        .get("/api/audit?action=profile.correct", &app.admin.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(audit.as_array().unwrap().len(), 0, "{audit}");
}
