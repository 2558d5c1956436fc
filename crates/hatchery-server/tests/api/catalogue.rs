//! The service catalogue through the API: a city office registers
//! providers, composes and publishes a menu; the enterprise sees the items
//! for its tier and never a flagged provider's; a published menu is frozen,
//! its next version supersedes it; packages and requests name only items
//! the enterprise may use.

use serde_json::{Value, json};

use crate::helpers::{TestApp, User, shenzhen_enterprise};

async fn provider(app: &TestApp, city: &User, name: &str) -> Value {
    app.post(
        "/api/providers",
        &city.auth(),
        json!({"name": name, "kind": "public_institution", "contact": "0755-12345678"}),
    )
    .await
    .expect(201)
    .json()
}

fn item(version: &Value, provider: &Value, title: &str, tiers: Value) -> Value {
    json!({
        "version": version, "category": "financing", "title": title,
        "description": "首贷贴息与科创贷对接", "provider": provider["id"],
        "tiers": tiers, "delivery": "online", "fee": "fixed",
        "fee_amount_cny": "1999.90", "fee_note": "首次免费", "time_limit_days": 5,
    })
}

#[tokio::test]
async fn a_published_menu_reaches_the_enterprise_without_flagged_providers() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    shenzhen_enterprise(&app, "alpha").await;
    let enterprise = app.enterprise_user("alpha.user", "alpha").await;
    let city = app.user("sz.officer", "city_reviewer", "440300").await;
    let beijing = app.user("bj.officer", "city_reviewer", "110000").await;

    // The enterprise's tier under the default rule set today.
    let services = app
        .get("/api/enterprises/alpha/services", &enterprise.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(services["tier"], "potential");
    assert_eq!(services["menus"], json!([]));

    let clean = provider(&app, &city, "深圳市中小企业服务中心").await;
    let doomed = provider(&app, &city, "某咨询公司").await;
    let bad_uscc = app
        .post(
            "/api/providers",
            &city.auth(),
            json!({"name": "x", "kind": "firm", "uscc": "91440300MA5XXXXX0X", "contact": "1"}),
        )
        .await
        .expect(422)
        .json();
    assert_eq!(bad_uscc["error"]["details"]["field"], "uscc");

    let menu = app
        .post(
            "/api/menus",
            &city.auth(),
            json!({"title": "深圳 独角兽服务菜单", "label": "1.0"}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(menu["state"], "draft");
    let id = menu["id"].as_i64().expect("id");
    let detail = app
        .post(
            &format!("/api/menus/{id}/items"),
            &city.auth(),
            item(
                &menu["version"],
                &clean,
                "科创贷对接",
                json!(["potential", "unicorn"]),
            ),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(detail["items"][0]["fee_amount_cny"], "1999.9");
    let version = detail["menu"]["version"].clone();
    // A stale version is a conflict.
    app.post(
        &format!("/api/menus/{id}/items"),
        &city.auth(),
        item(&menu["version"], &clean, "重复", json!(["seed"])),
    )
    .await
    .expect(409);
    let missing_tier = app
        .post(
            &format!("/api/menus/{id}/items"),
            &city.auth(),
            item(&version, &clean, "无对象", json!([])),
        )
        .await
        .expect(422)
        .json();
    assert_eq!(missing_tier["error"]["details"]["field"], "tiers");
    let detail = app
        .post(
            &format!("/api/menus/{id}/items"),
            &city.auth(),
            item(&version, &doomed, "融资路演", json!(["potential"])),
        )
        .await
        .expect(201)
        .json();
    let detail = app
        .post(
            &format!("/api/menus/{id}/items"),
            &city.auth(),
            item(
                &detail["menu"]["version"],
                &clean,
                "上市辅导",
                json!(["unicorn"]),
            ),
        )
        .await
        .expect(201)
        .json();
    // Another city's office neither sees nor publishes it.
    app.post(
        &format!("/api/menus/{id}/publish"),
        &beijing.auth(),
        json!({"version": detail["menu"]["version"]}),
    )
    .await
    .expect(404);
    let published = app
        .post(
            &format!("/api/menus/{id}/publish"),
            &city.auth(),
            json!({"version": detail["menu"]["version"]}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(published["state"], "published");
    // Frozen.
    app.post(
        &format!("/api/menus/{id}/items"),
        &city.auth(),
        item(&published["version"], &clean, "新增", json!(["seed"])),
    )
    .await
    .expect(409);

    // The provider is found on the dishonest-entity list.
    let flags = app
        .post(
            &format!("/api/providers/{}/flags", doomed["id"]),
            &city.auth(),
            json!({
                "version": doomed["version"], "dishonest": true,
                "checked_on": "2026-11-02", "check_source": "信用中国",
                "complaints": 2, "reason": "列入失信被执行人名单",
            }),
        )
        .await
        .expect(200)
        .json();
    assert!(
        flags["flags"]["hidden_because"]
            .as_str()
            .expect("hidden")
            .contains("信用中国")
    );
    let undated = app
        .post(
            &format!("/api/providers/{}/flags", doomed["id"]),
            &city.auth(),
            json!({"version": flags["version"], "dishonest": true, "reason": "复核"}),
        )
        .await
        .expect(422)
        .json();
    assert_eq!(undated["error"]["details"]["field"], "checked_on");

    // The enterprise sees the potential-tier item of the clean provider only.
    let services = app
        .get("/api/enterprises/alpha/services", &enterprise.auth())
        .await
        .expect(200)
        .json();
    let titles: Vec<&str> = services["menus"][0]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles, vec!["科创贷对接"]);
    let usable = services["menus"][0]["items"][0]["id"].as_i64().expect("id");
    let all = app
        .get(&format!("/api/menus/{id}"), &city.auth())
        .await
        .expect(200)
        .json();
    let doomed_item = all["items"][1]["id"].as_i64().expect("id");
    let unicorn_item = all["items"][2]["id"].as_i64().expect("id");
    assert!(all["items"][1]["withdrawn_because"].is_string());

    // A request names an item the enterprise may use, and no other.
    let filed = app
        .post(
            "/api/requests",
            &enterprise.auth(),
            json!({"enterprise": "alpha", "class": "general", "title": "申请科创贷对接",
                   "body": "请对接", "catalogue_item": usable}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(filed["catalogue_item"], usable);
    for other in [doomed_item, unicorn_item] {
        let refused = app
            .post(
                "/api/requests",
                &enterprise.auth(),
                json!({"enterprise": "alpha", "class": "general", "title": "x",
                       "body": "y", "catalogue_item": other}),
            )
            .await
            .expect(422)
            .json();
        assert_eq!(refused["error"]["details"]["field"], "catalogue_item");
    }

    // A package; the enterprise reads it, not composes it.
    let package = app
        .post(
            "/api/enterprises/alpha/packages",
            &city.auth(),
            json!({"year": 2026, "items": [usable], "note": "重点服务企业"}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(package["items"][0]["title"], "科创贷对接");
    app.post(
        "/api/enterprises/alpha/packages",
        &city.auth(),
        json!({"year": 2027, "items": [doomed_item]}),
    )
    .await
    .expect(422);
    app.post(
        "/api/enterprises/alpha/packages",
        &enterprise.auth(),
        json!({"year": 2027, "items": [usable]}),
    )
    .await
    .expect(403);
    let mine = app
        .get("/api/enterprises/alpha/packages", &enterprise.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(mine[0]["year"], 2026);

    // The next version copies the items and supersedes version 1 when published.
    let v2 = app
        .post(
            &format!("/api/menus/{id}/versions"),
            &city.auth(),
            json!({"title": "深圳 独角兽服务菜单", "label": "2.0"}),
        )
        .await
        .expect(201)
        .json();
    let v2_id = v2["id"].as_i64().expect("id");
    let v2_detail = app
        .get(&format!("/api/menus/{v2_id}"), &city.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(v2_detail["items"].as_array().expect("items").len(), 3);
    app.post(
        &format!("/api/menus/{v2_id}/publish"),
        &city.auth(),
        json!({"version": v2["version"]}),
    )
    .await
    .expect(200);
    let v1 = app
        .get(&format!("/api/menus/{id}"), &city.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(v1["menu"]["state"], "superseded");
    let services = app
        .get("/api/enterprises/alpha/services", &enterprise.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(services["menus"].as_array().expect("menus").len(), 1);
    assert_eq!(services["menus"][0]["menu"]["id"], v2_id);
}

/// A member of the pool is served at the tier it was confirmed at, even
/// once its figures no longer reach it: alpha, founded 1 June 2021 and
/// confirmed as a potential unicorn in March 2025, is past the potential
/// tier's five years on 1 July 2026, and is still offered the
/// potential-tier items.
#[tokio::test]
async fn a_pool_member_is_served_at_the_tier_it_was_confirmed_at() {
    let Some(crate::stewards::Cast {
        app,
        enterprise,
        city,
        ..
    }) = crate::stewards::cast().await
    else {
        return;
    };
    let clean = provider(&app, &city, "深圳市中小企业服务中心").await;
    let menu = app
        .post(
            "/api/menus",
            &city.auth(),
            json!({"title": "深圳 独角兽服务菜单", "label": "1.0"}),
        )
        .await
        .expect(201)
        .json();
    let id = menu["id"].as_i64().unwrap();
    let detail = app
        .post(
            &format!("/api/menus/{id}/items"),
            &city.auth(),
            item(&menu["version"], &clean, "科创贷对接", json!(["potential"])),
        )
        .await
        .expect(201)
        .json();
    app.post(
        &format!("/api/menus/{id}/publish"),
        &city.auth(),
        json!({"version": detail["menu"]["version"]}),
    )
    .await
    .expect(200);
    app.set_time("2026-07-01T02:00:00Z");
    let today = app
        .get("/api/enterprises/alpha/tier", &city.auth())
        .await
        .expect(200)
        .json();
    assert!(today["tier"].is_null(), "no tier by its figures: {today}");
    let services = app
        .get("/api/enterprises/alpha/services", &enterprise.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(services["tier"], "potential", "{services}");
    assert!(services.to_string().contains("科创贷对接"), "{services}");
}

#[tokio::test]
async fn a_zone_office_sees_its_citys_providers_and_published_menus_never_a_draft() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let city = app.user("sz.officer", "city_reviewer", "440300").await;
    let (zone, _) = app.zone_of("440300").await;
    let zone_office = app
        .user("szhz.officer", "zone_reviewer", &format!("zone:{zone}"))
        .await;
    let (guangzhou_zone, _) = app.zone_of("440100").await;
    let other_zone = app
        .user(
            "gzhz.officer",
            "zone_reviewer",
            &format!("zone:{guangzhou_zone}"),
        )
        .await;
    let clean = provider(&app, &city, "深圳市中小企业服务中心").await;
    let menu = app
        .post(
            "/api/menus",
            &city.auth(),
            json!({"title": "深圳 独角兽服务菜单", "label": "1.0"}),
        )
        .await
        .expect(201)
        .json();
    let id = menu["id"].as_i64().expect("id");
    let detail = app
        .post(
            &format!("/api/menus/{id}/items"),
            &city.auth(),
            item(&menu["version"], &clean, "科创贷对接", json!(["potential"])),
        )
        .await
        .expect(201)
        .json();
    let ids = |list: Value| -> Vec<i64> {
        list.as_array()
            .expect("a list")
            .iter()
            .map(|m| m["id"].as_i64().expect("id"))
            .collect()
    };

    // A draft stays within the city.
    app.get(&format!("/api/menus/{id}"), &zone_office.auth())
        .await
        .expect(404);
    let listed = app.get("/api/menus", &zone_office.auth()).await.expect(200);
    assert!(!ids(listed.json()).contains(&id));

    app.post(
        &format!("/api/menus/{id}/publish"),
        &city.auth(),
        json!({"version": detail["menu"]["version"]}),
    )
    .await
    .expect(200);
    // Published, it serves the zone's enterprises: the zone's office reads
    // it and the city's provider, and may write neither.
    let listed = app.get("/api/menus", &zone_office.auth()).await.expect(200);
    assert!(ids(listed.json()).contains(&id));
    app.get(&format!("/api/menus/{id}"), &zone_office.auth())
        .await
        .expect(200);
    let providers = app
        .get("/api/providers", &zone_office.auth())
        .await
        .expect(200);
    assert!(ids(providers.json()).contains(&clean["id"].as_i64().expect("id")));
    app.post(
        &format!("/api/menus/{id}/versions"),
        &zone_office.auth(),
        json!({"title": "深圳 独角兽服务菜单", "label": "2.0"}),
    )
    .await
    .expect(403);
    // A zone in another city sees none of it.
    let listed = app.get("/api/menus", &other_zone.auth()).await.expect(200);
    assert!(!ids(listed.json()).contains(&id));
    app.get(&format!("/api/menus/{id}"), &other_zone.auth())
        .await
        .expect(404);
}
