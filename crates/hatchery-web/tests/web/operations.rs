//! The operations pages in a real headless Chromium, over their own scene:
//! the tracking report with its charts and downloads, rule sets read and
//! compared, accounts managed and scoped, the audit log verified.

use fantoccini::Locator;
use serde_json::Value;

use crate::browser::{Tour, browser_available, screenshot_dir, start_browser};
use crate::support::{INITIAL, PASSWORD, set_scene};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operations_pages_in_a_real_browser() {
    if !browser_available() {
        return;
    }
    let mut scene = set_scene(false).await;
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

/// Fetches `path` with the browser's own session: status, type and the
/// first bytes (hex) and text of the body.
async fn fetch(tour: &Tour, path: &str) -> Value {
    tour.client
        .execute_async(
            "const [path, done] = arguments;
             fetch(path).then(r => r.arrayBuffer().then(b => {
               const u = new Uint8Array(b);
               done({status: r.status, type: r.headers.get('content-type'),
                     magic: [...u.slice(0, 4)].map(x => x.toString(16).padStart(2, '0')).join(''),
                     text: new TextDecoder().decode(u)});
             }));",
            vec![Value::String(path.to_owned())],
        )
        .await
        .unwrap()
}

async fn walk(tour: &Tour) {
    // The province reviewer's report: Guangdong's, with charts drawn.
    tour.go("/signin").await;
    tour.sign_in("gd.reviewer", PASSWORD).await;
    tour.go("/reports?as_of=2024-12-31%2C2025-06-10&rules=gei")
        .await;
    let body = tour.body().await;
    assert!(
        body.contains("跟踪报告") && body.contains("广东省"),
        "{body}"
    );
    assert!(body.contains("2025年6月10日"), "{body}");
    assert!(!body.contains("北京"), "Beijing is not Guangdong's: {body}");
    // The report's headline sentences (要点), Guangdong's own; its cities
    // ranked by name; its national rank and share.
    let highlights = tour.text("#highlights").await;
    assert!(
        highlights.contains("要点") && highlights.contains("截至2025年6月10日，广东省共有"),
        "{highlights}"
    );
    let cities = tour.text("#cities").await;
    assert!(
        cities.contains("各城市排名（2025年6月10日）") && cities.contains("深圳市"),
        "{cities}"
    );
    assert!(!cities.contains("440300"), "names, never codes: {cities}");
    assert!(
        tour.text("#context-summary").await.contains("居全国第"),
        "the province's national rank"
    );
    assert!(
        tour.script("return document.querySelector('#provinces') === null;")
            .await
            .as_bool()
            .unwrap(),
        "a province's report ranks no provinces"
    );
    assert!(
        tour.chart_drawn("#chart-tiers").await,
        "the tier chart is drawn on a canvas"
    );
    let scripts = tour
        .script("return [...document.scripts].map(s => s.src).filter(s => s).join(' ');")
        .await;
    assert!(scripts.as_str().unwrap().contains("echarts.min.js"));
    // Every format the command line writes, for the same report.
    let xlsx = tour.text("a[href*='format=xlsx']").await;
    assert!(xlsx.contains("XLSX"));
    let href = |format: &str| {
        format!(
            "/api/reports/tracking?as_of=2024-12-31%2C2025-06-10&rules=gei&format={format}&lang=zh"
        )
    };
    let workbook = fetch(tour, &href("xlsx")).await;
    assert_eq!(workbook["status"], 200);
    assert_eq!(workbook["magic"], "504b0304", "an XLSX is a ZIP");
    let csv = fetch(tour, &href("csv")).await;
    assert_eq!(csv["type"], "application/zip");
    assert_eq!(csv["magic"], "504b0304");
    let html = fetch(tour, &href("html")).await;
    assert!(html["text"].as_str().unwrap().contains("广东省"));
    let json = fetch(tour, &href("json")).await;
    let report: Value = serde_json::from_str(json["text"].as_str().unwrap()).unwrap();
    assert_eq!(report["scope"]["code"], "440000", "{report}");
    assert_eq!(report["dates"].as_array().unwrap().len(), 2);
    assert!(tour.text("a[href*='format=md']").await.contains("Markdown"));
    let markdown = fetch(tour, &href("md")).await;
    assert_eq!(markdown["status"], 200);
    assert_eq!(markdown["type"], "text/markdown; charset=utf-8");
    let text = markdown["text"].as_str().unwrap();
    assert!(text.starts_with("# 独角兽企业培育跟踪报告\n"), "{text}");
    tour.record("reports", "zh-CN").await;
    // A wrong date: said beside its field, the text kept.
    tour.go("/reports?as_of=2025-02-30").await;
    assert!(tour.text("#as_of-error").await.contains("YYYY-MM-DD"));
    assert_eq!(tour.value("#as_of").await, "2025-02-30");
    // Other pages do not load ECharts.
    tour.go("/enterprises").await;
    let scripts = tour
        .script("return [...document.scripts].map(s => s.src).join(' ');")
        .await;
    assert!(!scripts.as_str().unwrap().contains("echarts"));
    tour.sign_out().await;

    // A Shenzhen city reviewer compares two rule sets on one day: alpha and
    // the 22 of Nanshan's neighbour are potential unicorns under gei and
    // gazelles under Hurun's; beta is a unicorn under both.
    tour.go("/signin").await;
    tour.sign_in("sz.api", PASSWORD).await;
    tour.go("/rulesets").await;
    assert!(tour.body().await.contains("hurun@"));
    tour.record("rulesets", "zh-CN").await;
    tour.go("/rulesets/gei").await;
    let body = tour.body().await;
    assert!(
        body.contains("valuation_at_least = \"1000000000 USD\"") && body.contains("潜在独角兽"),
        "{body}"
    );
    tour.record("ruleset", "zh-CN").await;
    tour.click("a[href^='/rulesets/compare']").await;
    tour.client
        .find(Locator::Css("#right option[value='hurun']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tour.fill("#as_of", "2025-06-10").await;
    tour.click("form[action='/rulesets/compare'] button[type=submit]")
        .await;
    let summary = tour.text("#compare-summary").await;
    assert!(
        summary.contains("24 家企业中，有 23 家"),
        "alpha, beta and 22 in Shenzhen; all but beta change: {summary}"
    );
    let changes = tour.text("#changes").await;
    assert!(
        changes.contains("深圳甲科技有限公司")
            && changes.contains("潜在独角兽")
            && changes.contains("瞪羚"),
        "{changes}"
    );
    assert!(
        !changes.contains("深圳乙智能有限公司"),
        "beta keeps its tier"
    );
    assert!(!changes.contains("广州丙"), "Guangzhou is not Shenzhen's");
    tour.record("ruleset-compare", "zh-CN").await;
    tour.click("a.lang").await;
    assert!(
        tour.text("#compare-summary")
            .await
            .contains("23 of the 24 enterprises")
    );
    tour.record("ruleset-compare", "en").await;
    tour.go("/rulesets/gei").await;
    tour.record("ruleset", "en").await;
    tour.go("/rulesets").await;
    tour.record("rulesets", "en").await;
    // A city reviewer administers nothing: the pages say not allowed.
    tour.go("/admin/accounts").await;
    assert!(tour.body().await.contains("Not allowed"));
    tour.go("/admin/audit").await;
    assert!(tour.body().await.contains("Not allowed"));
    tour.sign_out().await;

    // The administrator: a wrong account is refused field by field, a good
    // one created; the audit log verifies.
    tour.go("/signin").await;
    tour.sign_in("admin", PASSWORD).await;
    tour.go("/reports?rules=gei").await;
    assert!(tour.body().await.contains("Nationwide"));
    assert!(tour.chart_drawn("#chart-tiers").await);
    let highlights = tour.text("#highlights").await;
    assert!(
        highlights.contains("Highlights") && highlights.contains("Nationwide, as of"),
        "{highlights}"
    );
    let provinces = tour.text("#provinces tbody").await;
    assert!(
        provinces.contains("Guangdong") && provinces.contains("Beijing"),
        "{provinces}"
    );
    assert!(
        !provinces.contains("440000"),
        "names, never codes: {provinces}"
    );
    tour.record("reports", "en").await;
    tour.go("/admin/accounts").await;
    assert!(tour.text("#accounts").await.contains("moe.reviewer"));
    tour.fill("#username", "X").await;
    tour.fill("#display_name", "广东审计").await;
    tour.client
        .find(Locator::Css("#role option[value='auditor']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tour.fill("#jurisdiction", "440000").await;
    tour.fill("#password", INITIAL).await;
    tour.click("form[action='/admin/accounts'] button[type=submit]")
        .await;
    assert!(
        tour.text("#username-error")
            .await
            .contains("lower-case letters")
    );
    assert_eq!(tour.value("#display_name").await, "广东审计");
    assert_eq!(tour.value("#jurisdiction").await, "440000");
    tour.fill("#username", "gd.auditor").await;
    tour.fill("#password", INITIAL).await;
    tour.click("form[action='/admin/accounts'] button[type=submit]")
        .await;
    assert_eq!(tour.path().await, "/admin/accounts?done=created");
    assert!(tour.text("#accounts").await.contains("gd.auditor"));
    tour.record("accounts", "en").await;
    // Disabling an account ends it; enabling brings it back.
    let row = "//tr[td[1][text()='beta.user']]";
    let disable = format!("{row}//button[@value='disable']");
    tour.click_on(Locator::XPath(&disable), &disable).await;
    assert_eq!(tour.path().await, "/admin/accounts?done=disable");
    let state = tour
        .client
        .find(Locator::XPath(&format!("{row}/td[5]")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(state.contains("Disabled"), "{state}");
    lists(tour).await;
    tour.go("/admin/audit?action=account.").await;
    let entries = tour.text("#entries").await;
    assert!(
        entries.contains("gd.auditor") || entries.contains("account."),
        "{entries}"
    );
    tour.click("#verify").await;
    assert!(
        tour.text("#verdict").await.contains("The chain is intact"),
        "{}",
        tour.text("#verdict").await
    );
    tour.record("audit", "en").await;
    tour.click("a.lang").await;
    assert!(tour.text("#verdict").await.contains("哈希链完好"));
    tour.record("audit", "zh-CN").await;
    tour.go("/lists").await;
    assert!(tour.body().await.contains("上传公开发布的榜单"));
    tour.record("lists", "zh-CN").await;
    tour.go("/admin/accounts").await;
    tour.record("accounts", "zh-CN").await;
    tour.sign_out().await;

    // The province's auditor sees the accounts of Guangdong only.
    tour.go("/signin").await;
    tour.sign_in("gd.auditor", INITIAL).await;
    assert_eq!(tour.path().await, "/account/password");
    tour.fill("#current", INITIAL).await;
    tour.fill("#new", PASSWORD).await;
    tour.fill("#confirm", PASSWORD).await;
    tour.click("form[action='/account/password'] button[type=submit]")
        .await;
    tour.sign_in("gd.auditor", PASSWORD).await;
    tour.go("/admin/accounts").await;
    let listed = tour.text("#accounts").await;
    for inside in ["gd.reviewer", "sz.reviewer", "sz.api", "gd.auditor"] {
        assert!(listed.contains(inside), "{inside}: {listed}");
    }
    for outside in ["moe.reviewer", "admin"] {
        assert!(
            !listed.split_whitespace().any(|w| w == outside),
            "{outside} is not Guangdong's: {listed}"
        );
    }
    assert!(
        tour.client
            .find(Locator::Css("form[action='/admin/accounts']"))
            .await
            .is_err(),
        "an auditor creates no account"
    );
    tour.record("accounts-auditor", "zh-CN").await;
}

/// CB Insights' columns, as its published file has them.
const LIST_HEADER: &str = "Company,Valuation ($B),Date Joined,Country,City,Industry,Select Inverstors,Founded Year,Total Raised,Financial Stage,Investors Count,Deal Terms,Portfolio Exits";
const GOOD_ROWS: &str = "Pengcheng Robotics,$1.2 ,3/1/2021,China,Shenzhen,Hardware,\"Sequoia Capital China\",2019,$300M,None,3,2,None\nLianhua Bio,$2 ,5/1/2021,China,Guangzhou,Health,\"IDG Capital\",2018,$500M,None,4,2,None";
const BAD_ROW: &str =
    "Broken Co,$abc ,5/1/2021,China,Shenzhen,Hardware,\"X\",2018,$5M,None,1,1,None";

/// Uploads `text` as `name` on the list page and asks for the dry run.
async fn check_list(tour: &Tour, folder: &std::path::Path, name: &str, text: &str) {
    let path = folder.join(name);
    std::fs::write(&path, text).unwrap();
    tour.go("/lists").await;
    tour.client
        .find(Locator::Css("#file"))
        .await
        .unwrap()
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    tour.fill("#list_date", "2022-02-24").await;
    tour.click("form[action='/lists'] button[type=submit]")
        .await;
}

/// The administrator uploads a list: a row that cannot be taken is named
/// with its line and reason, and nothing can be imported; the corrected
/// list's dry run says what it would do, and the confirmation imports it.
async fn lists(tour: &Tour) {
    let folder = tempfile::tempdir().unwrap();
    check_list(
        tour,
        folder.path(),
        "unicorns.csv",
        &format!("{LIST_HEADER}\n{GOOD_ROWS}\n{BAD_ROW}\n"),
    )
    .await;
    let rejected = tour.text("#rejected").await;
    assert!(
        rejected.contains("Broken Co") && rejected.contains('4'),
        "{rejected}"
    );
    assert!(
        tour.client.find(Locator::Css("#confirm")).await.is_err(),
        "a list with a rejected row cannot be imported"
    );
    tour.record("lists-rejected", "en").await;
    check_list(
        tour,
        folder.path(),
        "unicorns.csv",
        &format!("{LIST_HEADER}\n{GOOD_ROWS}\n"),
    )
    .await;
    let counts = tour.text("#plan-counts").await;
    assert!(
        counts.contains("New\n2") || counts.contains("New 2"),
        "{counts}"
    );
    assert!(tour.body().await.contains("Dry run of unicorns.csv"));
    let directory = fetch(tour, "/enterprises?q=Pengcheng").await;
    assert!(
        directory["text"]
            .as_str()
            .unwrap()
            .contains("0 enterprises"),
        "a dry run writes nothing"
    );
    tour.record("lists", "en").await;
    tour.click("#confirm").await;
    assert!(tour.body().await.contains("unicorns.csv was imported"));
    tour.go("/enterprises?q=Pengcheng").await;
    assert!(
        tour.body().await.contains("1 enterprise"),
        "{}",
        tour.body().await
    );
}
