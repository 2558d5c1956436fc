//! The rest of the interface walked in a real headless Chromium, each walk
//! over a scene of its own: the roles not signed in elsewhere (zone
//! reviewer, investor, analyst) on their own dashboards and navigation; a
//! declaration returned, revised, resubmitted, then rejected with a reason
//! its enterprise reads; a zone reviewer's inbox; a re-evaluation proposal
//! declined; the directory's tier filter; a registration rejected with a
//! reason its registrant reads; a disabled account's open session ended on
//! its next page; a published list uploaded as XLSX, dry run then import.
//! New pages are recorded in both languages.

use std::future::Future;
use std::sync::Arc;

use fantoccini::Locator;
use hatchery_app::ManualClock;
use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::browser::{Tour, browser_available, screenshot_dir, start_browser};
use crate::support::{Api, PASSWORD, add_account, set_scene, shenzhen_zone};

/// Sets the scene, opens the browser, runs `walk` in a task of its own
/// (so that the browser is closed and chromedriver stopped even when an
/// assertion fails), then tears everything down and passes the failure on.
async fn in_browser<F, Fut>(walk: F)
where
    F: FnOnce(Tour, Api, Arc<ManualClock>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    if !browser_available() {
        return;
    }
    let mut scene = set_scene(false).await;
    let api = Api {
        base: scene.base.clone(),
        http: reqwest::Client::new(),
    };
    let (mut driver, client) = start_browser().await;
    let shots = screenshot_dir();
    std::fs::create_dir_all(&shots).unwrap();
    let tour = Tour {
        client: client.clone(),
        base: scene.base.clone(),
        shots,
    };
    let walked = tokio::spawn(walk(tour, api, scene.clock.clone())).await;
    let _ = client.close().await;
    let _ = driver.kill().await;
    if let Some(stop) = scene.stop.take() {
        let _ = stop.send(());
    }
    if let Err(error) = walked {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// Signs `username` in from the sign-in page, landing on the dashboard.
async fn sign_in_as(tour: &Tour, username: &str) {
    tour.go("/signin").await;
    tour.sign_in(username, PASSWORD).await;
    assert_eq!(tour.path().await, "/", "{username} lands on the dashboard");
}

/// The links of the page's navigation, sorted.
async fn navigation(tour: &Tour) -> Vec<String> {
    let links = tour
        .script("return [...document.querySelectorAll('header nav a')].map(a => a.getAttribute('href'));")
        .await;
    let mut links: Vec<String> = links
        .as_array()
        .expect("the navigation's links")
        .iter()
        .map(|l| l.as_str().unwrap_or_default().to_owned())
        .collect();
    links.sort();
    links
}

fn sorted(links: &[&str]) -> Vec<String> {
    let mut links: Vec<String> = links.iter().map(|&l| l.to_owned()).collect();
    links.sort();
    links
}

/// Whether the page is the "not allowed" page.
async fn refused(tour: &Tour) -> bool {
    tour.body().await.contains("您的角色不能查看或执行此操作")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zone_reviewer_an_investor_and_an_analyst_sign_in_to_their_own_pages() {
    in_browser(|tour, api, _clock| async move {
        let admin = api.token("admin").await;
        let (zone, _) = shenzhen_zone(&api, &admin).await;
        add_account(
            &api,
            &admin,
            "szhz.reviewer",
            "zone_reviewer",
            json!({"jurisdiction": format!("zone:{zone}")}),
        )
        .await;
        add_account(
            &api,
            &admin,
            "vc.partner",
            "investor",
            json!({"jurisdiction": "440000"}),
        )
        .await;
        add_account(
            &api,
            &admin,
            "stats.analyst",
            "analyst",
            json!({"jurisdiction": "440000"}),
        )
        .await;

        // The zone reviewer: first review and registrations of its zone,
        // requests; no imports, accounts or audit.
        sign_in_as(&tour, "szhz.reviewer").await;
        assert_eq!(tour.text(".who .role").await, "园区审核员");
        assert_eq!(
            navigation(&tour).await,
            sorted(&[
                "/",
                "/enterprises",
                "/declarations",
                "/requests",
                "/pool",
                "/stewards",
                "/services",
                "/policies",
                "/registrations",
                "/reports",
                "/rulesets",
                "/targets",
                "/publicity",
            ])
        );
        assert!(tour.body().await.contains("工作台"));
        tour.both("dashboard-zone", "zh-CN").await;
        for closed in ["/lists", "/admin/accounts", "/admin/audit"] {
            tour.go(closed).await;
            assert!(refused(&tour).await, "{closed} is not a zone reviewer's");
        }
        tour.sign_out().await;

        // The investor: enterprises, the pool and statistics;
        // no declarations, requests or administration.
        sign_in_as(&tour, "vc.partner").await;
        assert_eq!(tour.text(".who .role").await, "投资机构");
        assert_eq!(
            navigation(&tour).await,
            sorted(&[
                "/",
                "/enterprises",
                "/pool",
                "/policies",
                "/reports",
                "/rulesets",
                "/publicity",
            ])
        );
        tour.both("dashboard-investor", "zh-CN").await;
        tour.go("/enterprises?q=%E7%A7%91%E6%8A%80").await; // 科技
        let body = tour.body().await;
        assert!(
            body.contains("深圳甲科技有限公司") && !body.contains("北京字节跳动"),
            "Guangdong's enterprises only: {body}"
        );
        for closed in ["/declarations", "/registrations", "/lists"] {
            tour.go(closed).await;
            assert!(refused(&tour).await, "{closed} is not an investor's");
        }
        tour.sign_out().await;

        // The analyst: statistics only, not one enterprise by name.
        sign_in_as(&tour, "stats.analyst").await;
        assert_eq!(tour.text(".who .role").await, "分析人员");
        assert_eq!(
            navigation(&tour).await,
            sorted(&["/", "/reports", "/publicity"])
        );
        tour.both("dashboard-analyst", "zh-CN").await;
        for closed in [
            "/enterprises",
            "/enterprises/alpha",
            "/pool",
            "/declarations",
        ] {
            tour.go(closed).await;
            let body = tour.body().await;
            assert!(
                refused(&tour).await || body.contains("您管辖范围内没有这个页面或记录"),
                "{closed} is not an analyst's: {body}"
            );
            assert!(!body.contains("深圳甲科技有限公司"), "{closed}: {body}");
        }
        tour.go("/reports?rules=gei").await;
        assert!(tour.body().await.contains("广东省"));
        assert!(tour.chart_drawn("#chart-tiers").await);
        tour.sign_out().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declaration_returned_revised_resubmitted_then_rejected_in_its_zone() {
    in_browser(|tour, api, _clock| async move {
        let admin = api.token("admin").await;
        let (zone, _) = shenzhen_zone(&api, &admin).await;
        add_account(
            &api,
            &admin,
            "szhz.reviewer",
            "zone_reviewer",
            json!({"jurisdiction": format!("zone:{zone}")}),
        )
        .await;
        // A Shenzhen enterprise outside the zone declares too.
        add_account(
            &api,
            &admin,
            "sz01.user",
            "enterprise",
            json!({"enterprise": "sz01"}),
        )
        .await;
        let sz01 = api.token("sz01.user").await;
        let drafted = api
            .post(
                &sz01,
                "/api/declarations",
                json!({"enterprise": "sz01", "cycle": 2025, "tier": "potential",
                       "summary": "视觉检测", "contact_name": "赵六", "contact_phone": "0755-11112222"}),
            )
            .await;
        let outside = drafted["id"].as_i64().unwrap();
        api.act(&sz01, outside, "submit", None).await;

        // ── The zone's inbox: alpha (in the zone), not sz01 nor beta. ──
        sign_in_as(&tour, "szhz.reviewer").await;
        tour.click("nav a[href='/declarations']").await;
        let inbox = tour.text("main").await;
        assert!(inbox.contains("深圳甲科技有限公司"), "{inbox}");
        assert!(
            !inbox.contains("深圳第1号科技有限公司") && !inbox.contains("深圳乙智能有限公司"),
            "only the zone's declarations: {inbox}"
        );
        tour.both("declarations-zone", "zh-CN").await;
        tour.go(&format!("/declarations/{outside}")).await;
        assert!(
            tour.body()
                .await
                .contains("您管辖范围内没有这个页面或记录"),
            "another office's declaration, by its URL"
        );

        // Returned for revision: a reason is required, then given.
        tour.go("/declarations/1").await;
        tour.click("#do-return").await;
        assert_eq!(tour.text("#reason-error").await, "请写明理由。");
        tour.fill("#reason", "请补充2024年审计报告。").await;
        tour.click("#do-return").await;
        assert!(tour.text("#state").await.contains("已退回"));
        tour.sign_out().await;

        // ── The enterprise reads why, edits and resubmits. ──
        sign_in_as(&tour, "alpha.user").await;
        tour.go("/declarations/1").await;
        assert!(tour.text("#state").await.contains("已退回"));
        assert!(
            tour.text("#history")
                .await
                .contains("请补充2024年审计报告。"),
            "the enterprise reads the reason"
        );
        tour.click("a[href='/declarations/1/edit']").await;
        assert_eq!(tour.path().await, "/declarations/1/edit");
        assert_eq!(tour.value("#summary").await, "工业AI平台");
        assert!(
            tour.text("#held").await.contains("深圳甲科技有限公司"),
            "the ledger's facts beside the form"
        );
        tour.both("declaration-edit", "zh-CN").await;
        tour.fill("#summary", "工业AI平台；已补充2024年审计报告。")
            .await;
        tour.fill("#contact_phone", "0755-87654321").await;
        tour.click("#save").await;
        assert_eq!(tour.path().await, "/declarations/1?done=edit");
        assert!(
            tour.body()
                .await
                .contains("工业AI平台；已补充2024年审计报告。")
        );
        assert!(tour.body().await.contains("0755-87654321"));
        tour.click("#do-submit").await;
        assert!(tour.text("#state").await.contains("已提交"));
        // Submitted, it can no longer be edited: its edit page says so
        // instead of offering a form that cannot be saved.
        tour.go("/declarations/1/edit").await;
        assert!(
            tour.client.find(Locator::Css("#save")).await.is_err(),
            "no form to save: {}",
            tour.body().await
        );
        tour.sign_out().await;

        // ── Rejected, with a reason. ──
        sign_in_as(&tour, "szhz.reviewer").await;
        tour.go("/declarations/1").await;
        tour.fill("#reason", "估值仅有单一来源，不符合本年度申报条件。")
            .await;
        tour.click("#do-reject").await;
        assert!(tour.text("#state").await.contains("未通过"));
        tour.sign_out().await;

        // ── The enterprise reads the rejection and its reason. ──
        sign_in_as(&tour, "alpha.user").await;
        tour.go("/declarations/1").await;
        assert!(tour.text("#state").await.contains("未通过"));
        let history = tour.text("#history").await;
        assert!(
            history.contains("估值仅有单一来源，不符合本年度申报条件。")
                && history.contains("请补充2024年审计报告。"),
            "{history}"
        );
        for gone in ["#do-submit", "a[href='/declarations/1/edit']", "#upload"] {
            assert!(
                tour.client.find(Locator::Css(gone)).await.is_err(),
                "{gone} on a rejected declaration"
            );
        }
        tour.both("declaration-rejected", "zh-CN").await;
        tour.click("a.lang").await;
        assert!(tour.text("#state").await.contains("Rejected"));
        tour.click("a.lang").await;
        tour.sign_out().await;
    })
    .await;
}

/// A registration filed through the public API: its id.
async fn register(api: &Api, body8: &str, name: &str, username: &str) -> i64 {
    let organisation = hatchery_core::uscc::organisation_code(body8).unwrap();
    let uscc = hatchery_core::uscc::with_check_symbol(&format!("91440300{organisation}")).unwrap();
    let response = api
        .http
        .post(format!("{}/api/registrations", api.base))
        .json(
            &json!({"uscc": uscc, "name": name, "region": "440305", "founded": "2020-03",
                      "contact_name": "王五", "contact_phone": "0755-66668888",
                      "username": username, "password": PASSWORD, "truthful": true}),
        )
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "registration: {status} {body}");
    body["id"].as_i64().expect("a registration id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officials_decline_a_proposal_filter_by_tier_reject_a_registration_and_end_a_session() {
    in_browser(|tour, api, clock| async move {
        // ── Beta's notice ends; confirmed; the re-evaluation proposes it
        // a unicorn; its province declines. ──
        clock.advance(SignedDuration::from_hours(24 * 8));
        let moe = api.token("moe.reviewer").await;
        api.act(&moe, 2, "confirm", None).await;
        let admin = api.token("admin").await;
        api.post(&admin, "/api/pool/reevaluations", json!({})).await;
        sign_in_as(&tour, "gd.reviewer").await;
        tour.go("/pool/proposals").await;
        let section = tour.text("section[id^=proposal-]").await;
        assert!(
            section.contains("深圳乙智能有限公司")
                && section.contains("建议升级：潜在独角兽 → 独角兽"),
            "{section}"
        );
        tour.fill("textarea[id^=reason-]", "待下一轮融资核实后再议。")
            .await;
        tour.click("button[id^=decline-]").await;
        assert_eq!(tour.path().await, "/pool/proposals?done=1");
        assert!(tour.text("#done").await.contains("已处理该建议"));
        let section = tour.text("section[id^=proposal-]").await;
        assert!(
            section.contains("未采纳") && section.contains("待下一轮融资核实后再议。"),
            "{section}"
        );
        assert!(
            tour.client
                .find(Locator::Css("button[id^=decline-]"))
                .await
                .is_err(),
            "decided once"
        );
        tour.both("proposals-declined", "zh-CN").await;
        // Declined: beta stays a potential unicorn in the pool.
        tour.go("/pool?tier=potential").await;
        assert!(tour.text("#members").await.contains("深圳乙智能有限公司"));
        tour.go("/pool?tier=unicorn").await;
        assert!(!tour.text("main").await.contains("深圳乙智能有限公司"));
        tour.sign_out().await;

        // ── The directory by tier, in Shenzhen: beta alone is a unicorn;
        // alpha and the 22 are potential unicorns. ──
        sign_in_as(&tour, "sz.api").await;
        tour.go("/enterprises").await;
        tour.script("document.querySelector('#tier').value = 'unicorn';")
            .await;
        tour.click("form[role=search] button[type=submit]").await;
        assert!(tour.path().await.contains("tier=unicorn"));
        let body = tour.text("main").await;
        assert!(
            body.contains("共 1 家企业") && body.contains("深圳乙智能有限公司"),
            "{body}"
        );
        assert!(!body.contains("深圳甲科技有限公司"), "{body}");
        assert_eq!(tour.value("#tier").await, "unicorn", "the filter kept");
        tour.both("directory-tier", "zh-CN").await;
        tour.go("/enterprises?tier=potential").await;
        let body = tour.text("main").await;
        assert!(
            body.contains("共 23 家企业") && !body.contains("深圳乙智能有限公司"),
            "{body}"
        );

        // ── A registration rejected with a reason its registrant reads. ──
        let id = register(&api, "MA5DQT01", "深圳可疑科技有限公司", "doubtful.tech").await;
        tour.go("/registrations").await;
        assert!(tour.text("main").await.contains("深圳可疑科技有限公司"));
        tour.click(&format!("a[href='/registrations/{id}']")).await;
        assert_eq!(tour.path().await, format!("/registrations/{id}"));
        assert!(tour.text(&format!("#state-{id}")).await.contains("待审核"));
        tour.both("registration", "zh-CN").await;
        tour.click(&format!("#reject-{id}")).await;
        assert!(
            tour.text("#reason-error").await.contains("驳回须填写理由"),
            "{}",
            tour.body().await
        );
        tour.fill(&format!("#reason-{id}"), "信用代码与营业执照不一致。")
            .await;
        tour.click(&format!("#reject-{id}")).await;
        assert_eq!(tour.path().await, "/registrations?done=rejected");
        assert!(tour.text("#done").await.contains("注册已驳回"));
        tour.go(&format!("/registrations/{id}")).await;
        let card = tour.text(&format!("#registration-{id}")).await;
        assert!(
            card.contains("已驳回") && card.contains("信用代码与营业执照不一致。"),
            "{card}"
        );
        tour.go("/registrations?view=all").await;
        tour.both("registrations-all", "zh-CN").await;
        tour.sign_out().await;
        tour.sign_in("doubtful.tech", PASSWORD).await;
        let problem = tour.text("#form-problem").await;
        assert!(
            problem.contains("您的注册未通过核实")
                && problem.contains("信用代码与营业执照不一致。"),
            "{problem}"
        );

        // ── A disabled account's open session ends on its next page. ──
        let temp = add_account(
            &api,
            &admin,
            "sz.temp",
            "city_reviewer",
            json!({"jurisdiction": "440300"}),
        )
        .await;
        sign_in_as(&tour, "sz.temp").await;
        tour.go("/declarations").await;
        assert!(tour.text("main").await.contains("深圳甲科技有限公司"));
        let account = api
            .call(
                &admin,
                reqwest::Method::GET,
                &format!("/api/accounts/{temp}"),
                Value::Null,
            )
            .await;
        api.call(
            &admin,
            reqwest::Method::PATCH,
            &format!("/api/accounts/{temp}"),
            json!({"version": account["version"], "disabled": true}),
        )
        .await;
        tour.go("/declarations/1").await;
        assert_eq!(
            tour.path().await,
            "/signin?next=%2Fdeclarations%2F1",
            "the session ended"
        );
        assert!(!tour.body().await.contains("深圳甲科技有限公司"));
        tour.sign_in("sz.temp", PASSWORD).await;
        assert!(tour.path().await.starts_with("/signin"));
        assert!(
            tour.text("#form-problem")
                .await
                .contains("用户名或密码错误")
        );
    })
    .await;
}

/// CB Insights' columns, as its published file has them.
const LIST_HEADER: [&str; 13] = [
    "Company",
    "Valuation ($B)",
    "Date Joined",
    "Country",
    "City",
    "Industry",
    "Select Inverstors",
    "Founded Year",
    "Total Raised",
    "Financial Stage",
    "Investors Count",
    "Deal Terms",
    "Portfolio Exits",
];

/// The list as a workbook saved from Excel: text where the export has
/// text, real date and number cells where a spreadsheet makes them.
fn unicorn_workbook() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, title) in (0u16..).zip(LIST_HEADER) {
        sheet.write_string(0, column, title).unwrap();
    }
    let date = Format::new().set_num_format("m/d/yyyy");
    let rows = [
        (
            "Qianhai Quantum",
            "$1.5 ",
            (2021, 7, 1),
            "Shenzhen",
            "Hardware",
            2019,
        ),
        (
            "Baiyun Genomics",
            "$3 ",
            (2022, 1, 15),
            "Guangzhou",
            "Health",
            2017,
        ),
    ];
    for (row, (name, valuation, (y, m, d), city, industry, founded)) in (1u32..).zip(rows) {
        sheet.write_string(row, 0, name).unwrap();
        sheet.write_string(row, 1, valuation).unwrap();
        let joined = ExcelDateTime::from_ymd(y, m, d).unwrap();
        sheet
            .write_datetime_with_format(row, 2, &joined, &date)
            .unwrap();
        sheet.write_string(row, 3, "China").unwrap();
        sheet.write_string(row, 4, city).unwrap();
        sheet.write_string(row, 5, industry).unwrap();
        sheet.write_string(row, 6, "Sequoia Capital China").unwrap();
        sheet.write_number(row, 7, f64::from(founded)).unwrap();
        sheet.write_string(row, 8, "$400M").unwrap();
        sheet.write_string(row, 9, "None").unwrap();
        sheet.write_number(row, 10, 3.0).unwrap();
        sheet.write_number(row, 11, 2.0).unwrap();
        sheet.write_string(row, 12, "None").unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

/// Uploads the workbook at `path` on the list page and asks for the dry run.
async fn dry_run(tour: &Tour, path: &std::path::Path) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_list_uploaded_as_xlsx_is_dry_run_then_imported() {
    in_browser(|tour, _api, _clock| async move {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("独角兽榜单.xlsx");
        std::fs::write(&path, unicorn_workbook()).unwrap();
        sign_in_as(&tour, "admin").await;
        tour.click("nav a[href='/lists']").await;
        dry_run(&tour, &path).await;
        let body = tour.text("main").await;
        assert!(
            tour.text("#plan-h")
                .await
                .contains("独角兽榜单.xlsx 的试运行"),
            "{body}"
        );
        assert!(
            tour.client.find(Locator::Css("#rejected")).await.is_err(),
            "every row taken: {body}"
        );
        let changes = tour.text("#changes").await;
        assert!(
            changes.contains("Qianhai Quantum") && changes.contains("Baiyun Genomics"),
            "{changes}"
        );
        let counts = tour.text("#plan-counts").await;
        assert!(
            counts.contains("新增\n2") || counts.contains("新增 2"),
            "{counts}"
        );
        tour.record("lists-xlsx", "zh-CN").await;
        // A dry run writes nothing.
        tour.go("/enterprises?q=Baiyun").await;
        assert!(tour.text("main").await.contains("共 0 家企业"));
        // Again in English (the dry run is a form's answer: a language
        // switch reloads the empty form), then imported.
        tour.go("/lists").await;
        tour.click("a.lang").await;
        dry_run(&tour, &path).await;
        assert!(
            tour.text("#plan-h")
                .await
                .contains("Dry run of 独角兽榜单.xlsx")
        );
        tour.record("lists-xlsx", "en").await;
        tour.click("#confirm").await;
        assert!(
            tour.text("#plan-h")
                .await
                .contains("独角兽榜单.xlsx was imported"),
            "{}",
            tour.body().await
        );
        assert!(
            tour.client.find(Locator::Css("#confirm")).await.is_err(),
            "imported once"
        );
        tour.go("/enterprises?q=Baiyun").await;
        let body = tour.text("main").await;
        assert!(
            body.contains("1 enterprise") && body.contains("Baiyun Genomics"),
            "{body}"
        );
    })
    .await;
}
