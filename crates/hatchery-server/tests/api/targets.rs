//! Regional targets through the API: the ministry lists every shipped
//! target with its source, a Shenyang official only Shenyang's; the
//! progress of Shenyang's target as of a day counts the enterprises the
//! ledger says (one that moved away before the period does not count),
//! names the nearest candidate with what it lacks, and is hidden from an
//! official elsewhere (404) and from non-officials (403).

use serde_json::json;

use crate::helpers::{TestApp, dataset, enterprise, event};

#[tokio::test]
async fn shenyang_progress_is_computed_from_the_ledger() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let funding =
        |valuation: &str| json!({"amount": "20000000", "valuation": valuation, "currency": "USD"});
    app.import(dataset(
        vec![
            enterprise(
                "sy-unicorn",
                "沈阳甲科技有限公司",
                "2020-03-01",
                "210102",
                None,
            ),
            enterprise(
                "sy-potential",
                "沈阳乙科技有限公司",
                "2022-03-01",
                "210106",
                None,
            ),
            enterprise(
                "sy-moved",
                "沈阳丙科技有限公司",
                "2022-03-01",
                "210102",
                None,
            ),
            enterprise(
                "sy-small",
                "沈阳丁科技有限公司",
                "2023-03-01",
                "210102",
                None,
            ),
            enterprise(
                "dl-unicorn",
                "大连戊科技有限公司",
                "2020-03-01",
                "210202",
                None,
            ),
        ],
        vec![
            event("sy-unicorn", "2024-11-01", "funding", funding("2000000000")),
            event(
                "sy-potential",
                "2023-05-01",
                "funding",
                funding("150000000"),
            ),
            event("sy-moved", "2023-05-01", "funding", funding("150000000")),
            event(
                "sy-moved",
                "2024-01-15",
                "relocated",
                json!({"region": "110108"}),
            ),
            event("sy-small", "2024-05-01", "funding", funding("60000000")),
            event("dl-unicorn", "2024-11-01", "funding", funding("2000000000")),
        ],
    ))
    .await;

    // The ministry sees every target, each with its source and its status.
    let all = app
        .get("/api/targets", &app.admin.auth())
        .await
        .expect(200)
        .json();
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    for id in [
        "shenyang-2025-total",
        "shenzhen-2027-unicorns",
        "wuhan-2025-unicorns",
        "shanghai-2027-unicorns",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .all(|t| t["source"]["status"] == "verified" || t["source"]["status"] == "unverified")
    );

    // A Shenyang official: Shenyang's targets only.
    let shenyang = app.user("sy.city", "city_reviewer", "210100").await;
    let mine = app
        .get("/api/targets", &shenyang.auth())
        .await
        .expect(200)
        .json();
    assert!(!mine.as_array().unwrap().is_empty());
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|t| t["jurisdiction"] == "210100")
    );

    let progress = app
        .get(
            "/api/targets/shenyang-2025-total/progress?as_of=2025-06-30",
            &shenyang.auth(),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(progress["count"], 2, "{progress:#}");
    let counted: Vec<&str> = progress["counted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(counted, ["sy-potential", "sy-unicorn"]);
    assert_eq!(progress["counted"][1]["name"], "沈阳甲科技有限公司");
    assert_eq!(progress["counted"][1]["reached"], "2024-11-01");
    assert_eq!(progress["status"], "behind");
    assert_eq!(
        progress["pace"]["baseline"], 1,
        "sy-potential held its tier on the start day"
    );
    assert_eq!(progress["candidates"][0]["id"], "sy-small");
    assert!(
        progress["candidates"][0]["lacking"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["condition"] == "valuation_at_least")
    );
    assert_eq!(progress["target"]["source"]["status"], "verified");

    // Before the unicorn's round: one.
    let before = app
        .get(
            "/api/targets/shenyang-2025-total/progress?as_of=2024-10-31",
            &app.admin.auth(),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(before["count"], 1);

    // Elsewhere: not found; not an official: forbidden; a bad day: 400.
    let shenzhen = app.user("sz.city", "city_reviewer", "440300").await;
    app.get(
        "/api/targets/shenyang-2025-total/progress?as_of=2025-06-30",
        &shenzhen.auth(),
    )
    .await
    .expect(404);
    let analyst = app.user("sy.analyst", "analyst", "210000").await;
    app.get("/api/targets", &analyst.auth()).await.expect(403);
    app.get("/api/targets/shenyang-2025-total/progress", &analyst.auth())
        .await
        .expect(403);
    app.get(
        "/api/targets/shenyang-2025-total/progress?as_of=2025-13-01",
        &shenyang.auth(),
    )
    .await
    .expect(400);
    app.get("/api/targets/nope/progress", &app.admin.auth())
        .await
        .expect(404);
}
