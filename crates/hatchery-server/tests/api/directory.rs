//! The enterprise search's filters by zone and industry and its orders.

use serde_json::{Value, json};

use crate::helpers::{TestApp, dataset, enterprise, event};

/// Four enterprises founded in 2021, as of 2025-03-03 under `gei`:
/// - `a` 中科甲: Shenzhen, in its high-tech zone, fintech, valued US$300 m
///   (potential unicorn);
/// - `b` 阿里乙: Shenzhen, no zone, ai, US$2 bn (unicorn);
/// - `c` 百度丙: Beijing, fintech, no valuation (no tier);
/// - `d` 蔚来丁: Shenzhen, in the zone, ai, US$500 m (potential unicorn).
async fn seeded() -> Option<(TestApp, String)> {
    let app = TestApp::spawn().await?;
    let (zone, _) = app.zone_of("440300").await;
    let with = |mut row: Value, industry: &str| {
        row["industries"] = json!([industry]);
        row
    };
    let funded = |id: &str, valuation: &str| {
        event(
            id,
            "2022-01-10",
            "funding",
            json!({"amount": "20000000", "valuation": valuation, "currency": "USD"}),
        )
    };
    app.import(dataset(
        vec![
            with(
                enterprise("a", "中科甲", "2021-06-01", "440305", Some(&zone)),
                "fintech",
            ),
            with(
                enterprise("b", "阿里乙", "2021-06-01", "440305", None),
                "ai",
            ),
            with(
                enterprise("c", "百度丙", "2021-06-01", "110108", None),
                "fintech",
            ),
            with(
                enterprise("d", "蔚来丁", "2021-06-01", "440305", Some(&zone)),
                "ai",
            ),
        ],
        vec![
            funded("a", "300000000"),
            funded("b", "2000000000"),
            event(
                "c",
                "2022-01-10",
                "funding",
                json!({"amount": "1000000", "currency": "USD"}),
            ),
            funded("d", "500000000"),
        ],
    ))
    .await;
    Some((app, zone))
}

/// The ids of a search, in the order given, and the total.
async fn ids(app: &TestApp, query: &str) -> (Vec<String>, u64) {
    let page = app
        .get(&format!("/api/enterprises?{query}"), &app.admin.auth())
        .await
        .expect(200)
        .json();
    let ids = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, page["total"].as_u64().unwrap())
}

#[tokio::test]
async fn enterprises_filter_by_zone_and_industry() {
    let Some((app, zone)) = seeded().await else {
        return;
    };
    assert_eq!(
        ids(&app, &format!("zone={zone}")).await,
        (vec!["a".into(), "d".into()], 2)
    );
    // An industry as listed, in any case and spelling of its key.
    assert_eq!(
        ids(&app, "industry=Fintech").await,
        (vec!["a".into(), "c".into()], 2)
    );
    assert_eq!(
        ids(&app, &format!("industry=ai&zone={zone}")).await,
        (vec!["d".into()], 1)
    );
    assert_eq!(ids(&app, "industry=biotech").await, (vec![], 0));
    // Scoped as before: Shenzhen's reviewer sees Shenzhen's fintech only,
    // and both of its zone's enterprises.
    let shenzhen = app.user("sz.reviewer", "city_reviewer", "440300").await;
    let page = app
        .get("/api/enterprises?industry=fintech", &shenzhen.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(page["total"], 1, "Beijing's 百度丙 is not Shenzhen's");
    assert_eq!(page["items"][0]["id"], "a");
    assert_eq!(
        app.get(&format!("/api/enterprises?zone={zone}"), &shenzhen.auth())
            .await
            .expect(200)
            .json()["total"],
        2
    );
    app.get("/api/enterprises?industry=%20-%20", &app.admin.auth())
        .await
        .expect_error(400, "invalid_query");
}

#[tokio::test]
async fn enterprises_sort_by_each_column_both_ways_stably_across_pages() {
    let Some((app, _)) = seeded().await else {
        return;
    };
    let order = |query: &'static str| {
        let app = &app;
        async move { ids(app, query).await.0 }
    };
    // Pinyin: a li, bai du, wei lai, zhong ke (not code point order).
    assert_eq!(order("sort=name").await, ["b", "c", "d", "a"]);
    assert_eq!(order("sort=name&order=desc").await, ["a", "d", "c", "b"]);
    // Valued ones by value; the one without a valuation last either way.
    assert_eq!(order("sort=valuation").await, ["a", "d", "b", "c"]);
    assert_eq!(
        order("sort=valuation&order=desc").await,
        ["b", "d", "a", "c"]
    );
    // The highest tier first; ties by id; no tier last.
    assert_eq!(order("sort=tier").await, ["b", "a", "d", "c"]);
    // Beijing (110108) before Shenzhen (440305).
    assert_eq!(order("sort=region").await, ["c", "a", "b", "d"]);
    assert_eq!(order("sort=founded").await, ["a", "b", "c", "d"]);
    // Pages of one order join up into the whole of it.
    let mut paged = Vec::new();
    for page in 1..=2 {
        let (ids, total) = ids(
            &app,
            &format!("sort=valuation&order=desc&per_page=2&page={page}"),
        )
        .await;
        assert_eq!(total, 4);
        paged.extend(ids);
    }
    assert_eq!(paged, ["b", "d", "a", "c"]);
    // Each summary carries the valuation it is sorted by.
    let page = app
        .get(
            "/api/enterprises?sort=valuation&order=desc&per_page=1",
            &app.admin.auth(),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(page["items"][0]["valuation_usd"], "2000000000");
    assert_eq!(page["items"][0]["tier"], "unicorn");
    app.get("/api/enterprises?sort=colour", &app.admin.auth())
        .await
        .expect_error(400, "invalid_query");
    app.get("/api/enterprises?sort=name&order=up", &app.admin.auth())
        .await
        .expect_error(400, "invalid_query");
}

#[tokio::test]
async fn an_import_refreshes_the_directory_index() {
    let Some((app, _)) = seeded().await else {
        return;
    };
    assert_eq!(ids(&app, "sort=valuation&order=desc").await.0[0], "b");
    // A new valuation for `d` above `b`'s: the cached order must not hide it.
    let (zone, _) = app.zone_of("440300").await;
    let mut d = enterprise("d", "蔚来丁", "2021-06-01", "440305", Some(&zone));
    d["industries"] = json!(["ai"]);
    app.import(dataset(
        vec![d],
        vec![event(
            "d",
            "2024-05-01",
            "valuation",
            json!({"valuation": "3000000000", "currency": "USD"}),
        )],
    ))
    .await;
    let (order, _) = ids(&app, "sort=valuation&order=desc").await;
    assert_eq!(order, ["d", "b", "a", "c"]);
}
