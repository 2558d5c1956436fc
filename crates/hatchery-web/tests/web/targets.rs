//! Regional targets (培育目标, issue 15) in the browser: Shenyang's city
//! office opens 培育目标 from the navigation, finds Shenyang's targets with
//! their counts and sources, and opens the total target as of a day: the
//! count the ledger gives (an enterprise that moved away before the period
//! does not count), the status, the pace, the enterprises that count and
//! the nearest candidate with what it lacks. Both pages are recorded in
//! both languages. An investor gets no entry and a 403 page.

use serde_json::{Value, json};

use crate::browser::{Tour, browser_available, screenshot_dir, start_browser};
use crate::support::{Api, PASSWORD, add_account, set_scene};

fn enterprise(id: &str, name: &str, name_en: &str, founded: &str, region: &str) -> Value {
    json!({
        "id": id, "name": name, "name_en": name_en, "uscc": null, "founded": founded,
        "country": "CN", "region": region, "city": null, "zone": null,
        "industries": ["robotics"], "tags": [],
    })
}

fn event(enterprise: &str, date: &str, kind: &str, fields: Value) -> Value {
    let mut row = json!({
        "enterprise": enterprise, "date": date, "kind": kind, "round": null,
        "amount": null, "valuation": null, "currency": null, "investors": null,
        "exchange": null, "region": null, "source": null,
    });
    for (key, value) in fields.as_object().unwrap() {
        row[key] = value.clone();
    }
    row
}

fn shenyang() -> Value {
    let funding =
        |valuation: &str| json!({"amount": "20000000", "valuation": valuation, "currency": "USD"});
    json!({
        "enterprises": [
            enterprise("sy-unicorn", "沈阳甲机器人有限公司", "Shenyang Jia Robotics", "2020-03-01", "210102"),
            enterprise("sy-potential", "沈阳乙智能装备有限公司", "Shenyang Yi Intelligent Equipment", "2022-03-01", "210106"),
            enterprise("sy-moved", "沈阳丙科技有限公司", "Shenyang Bing Technology", "2022-03-01", "210102"),
            enterprise("sy-small", "沈阳丁精密制造有限公司", "Shenyang Ding Precision", "2023-03-01", "210102"),
        ],
        "events": [
            event("sy-unicorn", "2024-11-01", "funding", funding("2000000000")),
            event("sy-potential", "2023-05-01", "funding", funding("150000000")),
            event("sy-moved", "2023-05-01", "funding", funding("150000000")),
            event("sy-moved", "2024-01-15", "relocated", json!({"region": "110108"})),
            event("sy-small", "2024-05-01", "funding", funding("60000000")),
        ],
        "fx": [], "financials": [],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shenyang_target_and_its_progress_in_the_browser() {
    if !browser_available() {
        return;
    }
    let mut scene = set_scene(false).await;
    let api = Api {
        base: scene.base.clone(),
        http: reqwest::Client::new(),
    };
    let admin = api.token("admin").await;
    api.post(&admin, "/api/imports?origin=targets-test", shenyang())
        .await;
    add_account(
        &api,
        &admin,
        "sy.city",
        "city_reviewer",
        json!({"jurisdiction": "210100"}),
    )
    .await;
    add_account(
        &api,
        &admin,
        "sy.investor",
        "investor",
        json!({"jurisdiction": "210000"}),
    )
    .await;
    let (mut driver, client) = start_browser().await;
    let shots = screenshot_dir();
    std::fs::create_dir_all(&shots).unwrap();
    let tour = Tour {
        client: client.clone(),
        base: scene.base.clone(),
        shots,
    };
    let walked = tokio::spawn(async move { walk(&tour).await }).await;
    let _ = client.close().await;
    let _ = driver.kill().await;
    if let Some(stop) = scene.stop.take() {
        let _ = stop.send(());
    }
    if let Err(error) = walked {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn walk(tour: &Tour) {
    tour.go("/signin").await;
    tour.sign_in("sy.city", PASSWORD).await;
    tour.click("nav a[href='/targets']").await;
    assert_eq!(tour.path().await, "/targets");
    let table = tour.text("#targets").await;
    assert!(table.contains("沈阳：到2025年底累计培育"), "{table}");
    assert!(!table.contains("深圳"), "only Shenyang's targets: {table}");
    assert!(
        tour.text("#target-shenyang-2025-total")
            .await
            .contains("已核实")
    );
    tour.both("targets-list", "zh-CN").await;

    tour.go("/targets/shenyang-2025-total?as_of=2025-06-30")
        .await;
    assert_eq!(tour.text("#count").await, "2");
    assert_eq!(tour.text("#status").await, "落后");
    let counted = tour.text("#counted-table").await;
    assert!(
        counted.contains("沈阳甲机器人有限公司") && counted.contains("沈阳乙智能装备有限公司"),
        "{counted}"
    );
    assert!(
        !counted.contains("沈阳丙"),
        "moved away before the period: {counted}"
    );
    let candidates = tour.text("#candidates-table").await;
    assert!(
        candidates.contains("沈阳丁精密制造有限公司"),
        "{candidates}"
    );
    assert!(
        candidates.contains("估值"),
        "what it lacks, from the engine: {candidates}"
    );
    assert!(
        tour.text("#source")
            .await
            .contains("沈阳市加快独角兽企业培育行动计划")
    );
    assert!(tour.text("#note").await.contains("推断"));
    tour.both("target-shenyang", "zh-CN").await;
    tour.click("a.lang").await;
    assert_eq!(tour.text("#status").await, "Behind");
    assert!(
        tour.text("#counted-table")
            .await
            .contains("Shenyang Jia Robotics")
    );
    tour.click("a.lang").await;
    tour.sign_out().await;

    // An investor: no entry in the navigation, and the page is refused.
    tour.go("/signin").await;
    tour.sign_in("sy.investor", PASSWORD).await;
    let nav = tour
        .script("return document.querySelectorAll(\"nav a[href='/targets']\").length;")
        .await;
    assert_eq!(nav, json!(0));
    tour.go("/targets").await;
    assert!(!tour.body().await.contains("沈阳：到2025年底"));
    tour.sign_out().await;
}
