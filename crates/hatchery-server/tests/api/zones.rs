//! One identity for a national zone: the API stores and filters by the
//! zone's one id whatever spelling an imported row uses.

use crate::helpers::{TestApp, dataset, enterprise};

#[tokio::test]
async fn spellings_of_one_zone_are_one_zone_in_the_api() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let (zone, name) = app.zone_of("440300").await;
    assert_eq!(zone, "hz-440300-1");
    assert_eq!(name, "深圳市高新技术产业园区");
    app.import(dataset(
        vec![
            enterprise("a", "甲", "2021-06-01", "440305", Some("shenzhen-hitech")),
            enterprise("b", "乙", "2021-06-01", "440305", Some("深圳高新区")),
            enterprise("c", "丙", "2021-06-01", "440305", Some("hz-440300-1")),
            enterprise("d", "丁", "2021-06-01", "110108", Some("中关村")),
            enterprise("e", "戊", "2021-06-01", "110108", Some("a-private-park")),
        ],
        vec![],
    ))
    .await;
    // Stored as the id, whatever the spelling; an unknown value as written.
    for (id, stored) in [
        ("a", "hz-440300-1"),
        ("b", "hz-440300-1"),
        ("d", "hz-110000-1"),
        ("e", "a-private-park"),
    ] {
        let got = app
            .get(&format!("/api/enterprises/{id}"), &app.admin.auth())
            .await
            .expect(200)
            .json();
        assert_eq!(got["zone_text"], stored, "{id}: {got}");
        let placed = if stored == "a-private-park" {
            serde_json::Value::Null
        } else {
            stored.into()
        };
        assert_eq!(got["placement"]["zone"], placed, "{id}: {got}");
    }
    // The filter takes the id or an alias.
    for query in ["zone=hz-440300-1", "zone=shenzhen-hitech"] {
        let page = app
            .get(&format!("/api/enterprises?{query}"), &app.admin.auth())
            .await
            .expect(200)
            .json();
        assert_eq!(page["total"], 3, "{query}: {page}");
    }
    // The zone's own reviewer sees the three.
    let reviewer = app
        .user("sz.zone", "zone_reviewer", "zone:hz-440300-1")
        .await;
    let page = app
        .get("/api/enterprises", &reviewer.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(page["total"], 3, "{page}");
}
