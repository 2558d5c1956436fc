//! The web interface driven in a real headless Chromium (chromedriver over
//! WebDriver, through fantoccini), against the real server on a random
//! port over a real SQLite store, with a clock the test moves.
//!
//! Without Chromium and chromedriver the test says so and passes, unless
//! `HATCHERY_REQUIRE_BROWSER=1` (CI), where it fails. Screenshots of every
//! page in both languages, at 1366×768 and 375 px wide, are written to
//! `target/ui-screenshots/`, each page checked at both widths by axe-core
//! too (a serious or critical violation fails), its answer written beside.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hatchery_app::ManualClock;
use jiff::SignedDuration;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::support::{INITIAL, PASSWORD, set_scene};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// axe-core, vendored as a test asset (`tests/assets/axe-core/`): injected
/// into every recorded page by [`Tour::axe`]. Never part of the binary.
const AXE: &str = include_str!("../assets/axe-core/axe.min.js");

/// The impacts that fail a test; `moderate` and `minor` are only written
/// down (in the page's JSON beside its screenshots).
const FAILING_IMPACTS: [&str; 2] = ["serious", "critical"];

/// Where the screenshots go: `target/ui-screenshots/` of the workspace.
pub(crate) fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("ui-screenshots")
}

/// Whether the browser is here; `None` (with a message) to skip.
pub(crate) fn browser_available() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        let required = std::env::var("HATCHERY_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "HATCHERY_REQUIRE_BROWSER=1 but {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "skipping the browser tests: {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)"
        );
    }
    present
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// chromedriver on a free port, and a headless Chromium session through it.
pub(crate) async fn start_browser() -> (Child, Client) {
    let port = free_port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromedriver starts");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1366,768", "--lang=zh-CN", "--hide-scrollbars"]
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session");
    (driver, client)
}

/// The browser and what it is looking at.
pub(crate) struct Tour {
    pub(crate) client: Client,
    pub(crate) base: String,
    pub(crate) shots: PathBuf,
}

impl Tour {
    pub(crate) async fn go(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    pub(crate) async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    pub(crate) async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    pub(crate) async fn body(&self) -> String {
        self.text("body").await
    }

    pub(crate) async fn value(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    pub(crate) async fn fill(&self, css: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Clicks a control that stays on the page (a checkbox, a radio button).
    pub(crate) async fn tick(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Clicks a link or a form's button and waits for the page it leads
    /// to: WebDriver's click may return before a form's answer has loaded
    /// (under load it did), so the old document is marked and the click
    /// counts as done once a new, complete document has replaced it.
    pub(crate) async fn click(&self, css: &str) {
        // A link in a closed menu group (服务 ▾) is opened first, by its
        // name, as a person would.
        let selector = serde_json::to_string(css).unwrap();
        self.script(&format!(
            "const d = document.querySelector({selector})?.closest('details'); \
             if (d && !d.open) {{ d.querySelector('summary').click(); }}"
        ))
        .await;
        self.click_on(Locator::Css(css), css).await;
    }

    /// [`Tour::click`] for a control found by any locator (an XPath that
    /// picks the button in one table row, say); `what` names it in failures.
    pub(crate) async fn click_on(&self, locator: Locator<'_>, what: &str) {
        self.script("window.hatcheryOldPage = true;").await;
        self.client
            .find(locator)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"))
            .click()
            .await
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let loaded = self
                .client
                .execute(
                    "return window.hatcheryOldPage !== true && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .is_ok_and(|v| v == Value::Bool(true));
            if loaded {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "clicking {what} led to no new page within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub(crate) async fn script(&self, js: &str) -> Value {
        self.client.execute(js, vec![]).await.unwrap()
    }

    /// What every page must be: `lang` set, every control labelled, no
    /// horizontal scrolling of the page itself.
    pub(crate) async fn check_page(&self, lang: &str) {
        // A window just resized has a resize event to handle (the charts
        // redraw at the new width): let the page settle first.
        for _ in 0..20 {
            let overflow = self
                .script("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
                .await;
            if overflow.as_i64().unwrap_or(0) <= 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let found = self
            .script(
                "const unlabelled = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                   .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name);
                 const nameless = [...document.querySelectorAll('button, a')].filter(e => !e.textContent.trim()).length;
                 return {lang: document.documentElement.lang, unlabelled, nameless,
                         overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};",
            )
            .await;
        let path = self.path().await;
        assert_eq!(found["lang"], lang, "{path}: <html lang>");
        assert_eq!(
            found["unlabelled"],
            json!([]),
            "{path}: controls without a label"
        );
        assert_eq!(
            found["nameless"], 0,
            "{path}: buttons or links without text"
        );
        assert!(
            found["overflow"].as_i64().unwrap() <= 0,
            "{path}: the page scrolls sideways by {}",
            found["overflow"]
        );
    }

    /// A screenshot of the whole page at `width`, named `name-LANG-WIDTH.png`.
    pub(crate) async fn shoot(&self, name: &str, lang: &str, width: u32) {
        let height = self
            .script("return document.documentElement.scrollHeight;")
            .await
            .as_u64()
            .unwrap_or(768);
        let height = u32::try_from(height).unwrap_or(768).clamp(600, 4000);
        self.client.set_window_size(width, height).await.unwrap();
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}-{lang}-{width}.png")), png).unwrap();
        self.client.set_window_size(width, 768).await.unwrap();
    }

    /// Runs axe-core on the page as it is now (injected once per page),
    /// writes its whole answer to `name-LANG-WIDTH.axe.json` beside the
    /// screenshots, and fails on any violation of serious or critical
    /// impact, naming the rule, its impact and the elements.
    pub(crate) async fn axe(&self, name: &str, lang: &str, width: u32) {
        let present = self.script("return typeof window.axe === 'object';").await;
        if present != Value::Bool(true) {
            self.client
                .execute(AXE, vec![])
                .await
                .expect("axe-core loads into the page");
        }
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 // Two frames first: what the page does after a resize
                 // (its resize observers) has happened, as for a person.
                 requestAnimationFrame(() => requestAnimationFrame(() =>
                   axe.run(document, {resultTypes: ['violations']})
                     .then(r => done(r), e => done({error: String(e)}))));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        let path = self.path().await;
        assert!(
            result.get("error").is_none(),
            "{path}: axe-core failed: {}",
            result["error"]
        );
        std::fs::write(
            self.shots.join(format!("{name}-{lang}-{width}.axe.json")),
            serde_json::to_string_pretty(&result).unwrap(),
        )
        .unwrap();
        let failing: Vec<String> = result["violations"]
            .as_array()
            .expect("axe-core's violations")
            .iter()
            .filter(|v| FAILING_IMPACTS.contains(&v["impact"].as_str().unwrap_or("")))
            .map(|v| {
                let targets: Vec<String> = v["nodes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|n| n["target"].to_string())
                    .collect();
                format!(
                    "{} ({}): {} — {}",
                    v["id"].as_str().unwrap_or("?"),
                    v["impact"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or(""),
                    targets.join(", ")
                )
            })
            .collect();
        assert!(
            failing.is_empty(),
            "{path} ({lang}, {width} px): axe-core finds serious or critical violations:\n{}",
            failing.join("\n")
        );
    }

    /// Whether the chart in `css` has a canvas with something drawn on it
    /// (waits up to five seconds for ECharts).
    pub(crate) async fn chart_drawn(&self, css: &str) -> bool {
        for _ in 0..50 {
            let drawn = self
                .script(&format!(
                    "const c = document.querySelector('{css} canvas');
                     if (!c || c.width === 0 || c.height === 0) return false;
                     const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                     for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
                     return false;"
                ))
                .await;
            if drawn == Value::Bool(true) {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    }

    /// Checks the page (the checks of [`Tour::check_page`] and axe-core's)
    /// and shoots it, at 1366 and at 375 px wide.
    pub(crate) async fn record(&self, name: &str, lang: &str) {
        self.check_page(lang).await;
        self.axe(name, lang, 1366).await;
        self.shoot(name, lang, 1366).await;
        self.client.set_window_size(375, 768).await.unwrap();
        self.check_page(lang).await;
        self.axe(name, lang, 375).await;
        self.shoot(name, lang, 375).await;
        self.client.set_window_size(1366, 768).await.unwrap();
    }

    /// Records the page in the language it is in, then in the other one
    /// (the language switch), and switches back.
    pub(crate) async fn both(&self, name: &str, first: &str) {
        let second = if first == "zh-CN" { "en" } else { "zh-CN" };
        self.record(name, first).await;
        self.click("a.lang").await;
        self.record(name, second).await;
        self.click("a.lang").await;
    }

    pub(crate) async fn sign_in(&self, username: &str, password: &str) {
        self.fill("#username", username).await;
        self.fill("#password", password).await;
        self.click("form[action='/signin'] button[type=submit]")
            .await;
    }

    pub(crate) async fn sign_out(&self) {
        self.click("form[action='/signout'] button").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_interface_in_a_real_browser() {
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
    let clock = scene.clock.clone();
    // The walk runs in a task of its own, so that the browser is closed and
    // chromedriver stopped even when an assertion fails.
    let walked = tokio::spawn(async move { walk(&tour, &clock).await }).await;
    let _ = client.close().await;
    let _ = driver.kill().await;
    if let Some(stop) = scene.stop.take() {
        let _ = stop.send(());
    }
    if let Err(error) = walked {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn walk(tour: &Tour, clock: &ManualClock) {
    // Signed out, a page asked for lands on the sign-in page, remembered.
    tour.go("/enterprises?q=%E7%A7%91%E6%8A%80").await;
    assert_eq!(
        tour.path().await,
        "/signin?next=%2Fenterprises%3Fq%3D%25E7%25A7%2591%25E6%258A%2580"
    );
    tour.record("signin", "zh-CN").await;
    // The first Tab reaches the skip link, with a visible focus ring.
    tour.client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("\u{e004}")
        .await
        .unwrap();
    let focus = tour
        .script("const e = document.activeElement; return {cls: e.className, outline: getComputedStyle(e).outlineStyle};")
        .await;
    assert_eq!(focus["cls"], "skip");
    assert_ne!(focus["outline"], "none");

    // A wrong password: the problem is said and the username kept.
    tour.sign_in("sz.reviewer", "not the password").await;
    assert!(tour.body().await.contains("用户名或密码错误"));
    assert_eq!(tour.value("#username").await, "sz.reviewer");
    // An empty password: the problem beside its field.
    tour.fill("#password", "").await;
    tour.click("form[action='/signin'] button[type=submit]")
        .await;
    assert_eq!(tour.text("#password-error").await, "请输入密码。");
    assert_eq!(tour.value("#username").await, "sz.reviewer");

    // The administrator set this password: it must be changed first.
    tour.sign_in("sz.reviewer", INITIAL).await;
    assert_eq!(tour.path().await, "/account/password");
    tour.go("/enterprises").await;
    assert_eq!(
        tour.path().await,
        "/account/password",
        "nothing else opens before the change"
    );
    tour.fill("#current", INITIAL).await;
    tour.fill("#new", "short").await;
    tour.fill("#confirm", "different").await;
    tour.click("form[action='/account/password'] button[type=submit]")
        .await;
    assert_eq!(tour.text("#new-error").await, "密码须为 12 至 128 个字符。");
    assert_eq!(
        tour.text("#confirm-error").await,
        "两次输入的新密码不一致。"
    );
    tour.record("password", "zh-CN").await;
    tour.fill("#current", INITIAL).await;
    tour.fill("#new", PASSWORD).await;
    tour.fill("#confirm", PASSWORD).await;
    tour.click("form[action='/account/password'] button[type=submit]")
        .await;
    assert_eq!(tour.path().await, "/signin?why=password_changed");
    tour.sign_in("sz.reviewer", PASSWORD).await;
    assert_eq!(tour.path().await, "/");

    // The dashboard: Shenzhen's tiers, and alpha's declaration waiting.
    let body = tour.body().await;
    assert!(body.contains("工作台") && body.contains("深圳市"), "{body}");
    assert!(body.contains("待我处理的申报"));
    assert!(
        tour.text("#queue-h + div table")
            .await
            .contains("深圳甲科技有限公司")
    );
    assert!(body.contains("2025年6月10日"), "dates in Chinese");
    // The trend by year is drawn (ECharts on a canvas), its table beside.
    assert!(
        tour.chart_drawn("#chart-trend").await,
        "the trend chart is drawn"
    );
    // The table is folded under the chart: read it whole.
    let trend = tour
        .script("return document.querySelector('#trend-table').textContent;")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        trend.contains("2024年12月31日") && trend.contains("2025年6月10日"),
        "{trend}"
    );
    // The top lists, by name: Shenzhen, its zone, the industry.
    assert!(tour.text("#top-cities").await.contains("深圳市"));
    assert!(
        tour.text("#top-zones")
            .await
            .contains("深圳市高新技术产业园区")
    );
    assert!(tour.text("#top-industries").await.contains("ai"));
    // Beta's public notice ends on 17 June: ending soon.
    let ending = tour.text("#ending").await;
    assert!(
        ending.contains("深圳乙智能有限公司") && ending.contains("2025年6月17日"),
        "{ending}"
    );
    assert!(tour.body().await.contains("没有逾期事项"));
    tour.record("dashboard", "zh-CN").await;

    // The directory, scoped: ByteDance is in Beijing, not Shenzhen's.
    tour.go("/enterprises?q=%E5%AD%97%E8%8A%82").await;
    assert!(tour.body().await.contains("共 0 家企业"));
    tour.go("/enterprises?q=%E7%A7%91%E6%8A%80").await; // 科技
    let body = tour.body().await;
    assert!(
        body.contains("共 23 家企业"),
        "alpha and the 22 of Nanshan's neighbour: {body}"
    );
    assert!(!body.contains("广州丙"), "Guangzhou is not Shenzhen's");
    assert!(
        tour.client.find(Locator::Css("a[rel=next]")).await.is_ok(),
        "23 rows make two pages"
    );
    tour.record("directory", "zh-CN").await;
    // The CSV export of the current view, from the browser's own session.
    let csv = tour
        .client
        .execute_async(
            "const done = arguments[0];
             fetch('/enterprises.csv?q=%E7%94%B2').then(r => r.arrayBuffer()).then(b => {
               const u = new Uint8Array(b);
               done({bom: u[0] === 0xEF && u[1] === 0xBB && u[2] === 0xBF, text: new TextDecoder().decode(u)});
             });",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(csv["bom"], true, "a BOM for Excel");
    let text = csv["text"].as_str().unwrap();
    assert!(
        text.contains("深圳甲科技有限公司") && text.lines().count() == 2,
        "{text}"
    );
    // Sorted by a column header: valuation, ascending then descending
    // (alpha's US$600m above the 22 at US$550m); the exports follow the
    // view's order.
    tour.go("/enterprises?q=%E7%A7%91%E6%8A%80").await;
    tour.click("th a.sort[href*='sort=valuation']").await;
    tour.click("th a.sort[href*='sort=valuation']").await;
    assert_eq!(
        tour.script("return document.querySelector(\"th a.sort[href*='sort=valuation']\").parentElement.getAttribute('aria-sort');")
            .await,
        "descending"
    );
    assert!(
        tour.text("table tbody tr:first-child")
            .await
            .contains("深圳甲科技有限公司")
    );
    tour.record("directory-sorted", "zh-CN").await;
    let exports = tour
        .client
        .execute_async(
            "const done = arguments[0];
             const csv = document.querySelector('a[href^=\"/enterprises.csv\"]').getAttribute('href');
             const xlsx = document.querySelector('a[href^=\"/enterprises.xlsx\"]').getAttribute('href');
             Promise.all([fetch(csv).then(r => r.text()),
                          fetch(xlsx).then(r => r.arrayBuffer().then(b => [r.headers.get('content-type'), [...new Uint8Array(b).slice(0, 4)]]))])
               .then(([text, [type, magic]]) => done({csv: text, xlsx, type, magic}));",
            vec![],
        )
        .await
        .unwrap();
    let first_row = exports["csv"]
        .as_str()
        .unwrap()
        .lines()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    assert!(
        first_row.contains("深圳甲科技有限公司"),
        "the CSV in the view's order: {first_row}"
    );
    assert!(
        exports["xlsx"].as_str().unwrap().contains("sort=valuation"),
        "{exports}"
    );
    assert_eq!(
        exports["type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        exports["magic"],
        json!([0x50, 0x4b, 0x03, 0x04]),
        "an XLSX is a ZIP"
    );
    // Filtered by zone and industry: Shenzhen's high-tech zone holds alpha.
    tour.go("/enterprises").await;
    tour.script(
        "const zone = document.querySelector('#zone');
         zone.value = [...zone.options].find(o => o.text.includes('深圳市高新技术产业园区')).value;
         document.querySelector('#industry').value = 'ai';",
    )
    .await;
    tour.click("form[role=search] button[type=submit]").await;
    let path = tour.path().await;
    assert!(
        path.contains("zone=") && path.contains("industry=ai"),
        "{path}"
    );
    let body = tour.body().await;
    assert!(
        body.contains("共 1 家企业") && body.contains("深圳甲科技有限公司"),
        "{body}"
    );
    tour.record("directory-filtered", "zh-CN").await;

    // Bad input: each problem beside its field, everything typed still there.
    tour.go("/enterprises").await;
    tour.fill("#q", "科技").await;
    tour.fill("#region", "44AB").await;
    tour.fill("#as_of", "2024-13-45").await;
    tour.click("form[role=search] button[type=submit]").await;
    assert!(
        tour.text("#region-error")
            .await
            .contains("6 位行政区划代码")
    );
    assert!(tour.text("#as_of-error").await.contains("YYYY-MM-DD"));
    assert_eq!(tour.value("#q").await, "科技");
    assert_eq!(tour.value("#region").await, "44AB");
    assert_eq!(tour.value("#as_of").await, "2024-13-45");
    let focused = tour.script("return document.activeElement.id;").await;
    assert_eq!(focused, "region", "the first wrong field has the focus");
    tour.shoot("directory-errors", "zh-CN", 1366).await;

    // Another jurisdiction's enterprise, by its URL: the not-found page.
    tour.go("/enterprises/bytedance").await;
    assert!(tour.body().await.contains("您管辖范围内没有这个页面或记录"));
    assert!(!tour.body().await.contains("字节"));
    tour.record("not-found", "zh-CN").await;

    // The enterprise page: identity, the decision with every condition, events.
    tour.go("/enterprises/alpha?as_of=2025-06-10&rules=gei")
        .await;
    let body = tour.body().await;
    assert!(
        body.contains("深圳甲科技有限公司") && body.contains("南山区"),
        "{body}"
    );
    assert!(body.contains("2025年6月10日，按规则集 gei@"), "{body}");
    assert!(body.contains("6亿美元"), "US$600m in 亿: {body}");
    assert!(body.contains("36氪 2022-01-10"), "the event's source");
    assert!(
        tour.client
            .find_all(Locator::Css("table.checks tbody tr"))
            .await
            .unwrap()
            .len()
            >= 3
    );
    assert!(tour.text("#declarations-h + div").await.contains("已提交"));
    // The tier timeline: one row per rule set, the national standard
    // first; a column per year's end from its founding (2021), then today.
    let rows = tour
        .script(
            "return [...document.querySelectorAll('#timeline tbody tr')].map(r =>
               [...r.querySelectorAll('td')].map(c => [c.innerText.trim(), c.querySelector('a').getAttribute('href')]));",
        )
        .await;
    let rows = rows.as_array().unwrap();
    assert!(rows.len() >= 2, "several rule sets side by side: {rows:?}");
    assert_eq!(rows[0].as_array().unwrap().len(), 5, "2021–2024 and today");
    assert_eq!(rows[0][0][0], "未入层", "no tier before its first round");
    assert_ne!(rows[0][1][0], "未入层", "a tier after the 2022 round");
    assert_eq!(
        rows[0][1][1],
        "/enterprises/alpha?as_of=2022-12-31&rules=gei#decision-h"
    );
    let heads = tour.text("#timeline thead").await;
    assert!(
        heads.contains("2021") && heads.contains("2025年6月10日"),
        "{heads}"
    );
    // Never in the pool; its audit trail: created and submitted, by whom
    // not said to a city official.
    assert!(tour.text("#pool-h + p").await.contains("从未入选培育库"));
    let trail = tour.text("#audit-trail tbody").await;
    assert!(
        trail.contains("declaration.create") && trail.contains("declaration.submit"),
        "{trail}"
    );
    assert!(!trail.contains("alpha.user"), "{trail}");
    tour.record("enterprise", "zh-CN").await;
    // A cell opens the decision for its day and rule set.
    tour.click("#timeline tbody tr:first-child td:nth-of-type(2) a")
        .await;
    assert!(tour.body().await.contains("2022年12月31日，按规则集 gei@"));
    tour.fill("#as_of", "2025-02-30").await;
    tour.click("#decision-h + form button").await;
    assert!(tour.text("#as_of-error").await.contains("YYYY-MM-DD"));
    assert_eq!(tour.value("#as_of").await, "2025-02-30");

    // English, remembered.
    tour.go("/enterprises/alpha?as_of=2025-06-10").await;
    tour.click("a.lang").await;
    assert_eq!(tour.path().await, "/enterprises/alpha?as_of=2025-06-10");
    let body = tour.body().await;
    assert!(
        body.contains("US$600 m") && body.contains("On 2025-06-10, under rule set gei@"),
        "{body}"
    );
    assert!(tour.text("#timeline tbody").await.contains("No tier"));
    assert!(tour.text("#trail-h").await.contains("Audit trail"));
    tour.record("enterprise", "en").await;
    tour.go("/").await;
    assert!(
        tour.body()
            .await
            .contains("Declarations awaiting my action")
    );
    assert!(tour.chart_drawn("#chart-trend").await);
    assert!(
        tour.text("#ending")
            .await
            .contains("notice ends 2025-06-17")
    );
    assert!(tour.text("#top-cities").await.contains("Shenzhen"));
    tour.record("dashboard", "en").await;
    tour.go("/enterprises?q=%E7%A7%91%E6%8A%80").await;
    assert!(tour.body().await.contains("23 enterprises"));
    tour.record("directory", "en").await;
    tour.go("/enterprises/gz").await;
    assert!(
        tour.body()
            .await
            .contains("There is no such page or record within your jurisdiction")
    );
    tour.record("not-found", "en").await;
    tour.go("/account/password").await;
    tour.record("password", "en").await;

    // Idle for longer than the limit: signed out, and back where it was.
    clock.advance(SignedDuration::from_mins(31));
    tour.go("/enterprises?q=alpha").await;
    assert_eq!(
        tour.path().await,
        "/signin?next=%2Fenterprises%3Fq%3Dalpha&why=idle"
    );
    assert!(
        tour.body()
            .await
            .contains("signed out after a period without activity")
    );
    tour.record("signin", "en").await;
    tour.sign_in("sz.reviewer", PASSWORD).await;
    assert_eq!(tour.path().await, "/enterprises?q=alpha");

    // Signed out, the public notices are open to anyone.
    tour.sign_out().await;
    assert_eq!(tour.path().await, "/signin?why=signed_out");
    tour.go("/publicity").await;
    let body = tour.body().await;
    assert!(
        body.contains("深圳乙智能有限公司") && body.contains("2025-06-11 to 2025-06-17"),
        "{body}"
    );
    tour.record("publicity", "en").await;
    tour.click("a.lang").await;
    assert!(tour.body().await.contains("2025年6月11日 至 2025年6月17日"));
    tour.record("publicity", "zh-CN").await;

    // The language is the account's own: sz.reviewer chose English while
    // signed in, so it reads English from a browser set to Chinese; the
    // browser keeps it after signing out.
    tour.go("/signin").await;
    assert!(tour.body().await.contains("登录"));
    tour.sign_in("sz.reviewer", PASSWORD).await;
    assert!(
        tour.body()
            .await
            .contains("Declarations awaiting my action"),
        "the account's English"
    );
    tour.sign_out().await;
    assert!(tour.body().await.contains("Sign in"));
    tour.click("a.lang").await; // Chinese again for the next account

    // The ministry sees the whole country: by a part of the name, the
    // English name, the credit code; and Beijing's enterprise page.
    tour.go("/signin").await;
    tour.sign_in("admin", PASSWORD).await;
    for query in [
        "%E5%AD%97%E8%8A%82",
        "bytedance%20ltd",
        "914403001922038216",
    ] {
        tour.go(&format!("/enterprises?q={query}")).await;
        let body = tour.body().await;
        assert!(
            body.contains("共 1 家企业") && body.contains("北京字节跳动科技有限公司"),
            "{query}: {body}"
        );
    }
    tour.go("/enterprises/bytedance").await;
    assert!(tour.body().await.contains("北京字节跳动科技有限公司"));
    tour.sign_out().await;

    // ── An enterprise registers itself; its city activates it. ──
    tour.go("/register").await;
    tour.click("#register").await;
    assert!(tour.text("#name-error").await.contains("此项必填"));
    assert!(tour.text("#uscc-error").await.contains("统一社会信用代码"));
    assert!(tour.text("#truthful-error").await.contains("请勾选"));
    tour.record("register-errors", "zh-CN").await;
    let organisation = hatchery_core::uscc::organisation_code("FUTURE01").unwrap();
    let uscc = hatchery_core::uscc::with_check_symbol(&format!("91440300{organisation}")).unwrap();
    for (field, value) in [
        ("#uscc", uscc.as_str()),
        ("#name", "深圳未来科技有限公司"),
        ("#region", "440305"),
        ("#founded", "2019-05"),
        ("#contact_name", "张三"),
        ("#contact_phone", "+86 755 1234 5678"),
        ("#contact_email", "zhang@example.cn"),
        ("#username", "future.tech"),
        ("#password", PASSWORD),
    ] {
        tour.fill(field, value).await;
    }
    tour.tick("#truthful").await;
    tour.click("#register").await;
    assert!(
        tour.text("#filed").await.contains("future.tech"),
        "{}",
        tour.body().await
    );
    tour.both("register", "zh-CN").await;
    // Before the check, signing in says it waits.
    tour.go("/signin").await;
    tour.sign_in("future.tech", PASSWORD).await;
    assert!(
        tour.body()
            .await
            .contains("正在等待所在城市或高新区主管部门核实")
    );
    // The city official (who reads English) activates it…
    tour.sign_in("sz.reviewer", PASSWORD).await;
    tour.go("/registrations").await;
    assert!(tour.body().await.contains("深圳未来科技有限公司"));
    tour.record("registrations", "en").await;
    tour.click("button[id^=activate-]").await;
    assert!(
        tour.text("#done")
            .await
            .contains("the enterprise account was created")
    );
    tour.sign_out().await;
    // …and the enterprise signs in.
    tour.sign_in("future.tech", PASSWORD).await;
    assert_eq!(tour.path().await, "/");
}
