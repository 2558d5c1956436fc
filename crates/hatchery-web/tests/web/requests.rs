//! An enterprise's request (诉求) walked through its whole life in the
//! browser: filed by the enterprise, accepted, dispatched, started,
//! answered and closed by Shenzhen, reopened by the enterprise, escalated
//! to Guangdong, handled and closed there, confirmed (not solved) by the
//! enterprise; then counted on the figures page. At each step what a user
//! relies on is checked: the state, who owns it, the reasons the
//! enterprise reads, the history — and that the enterprise never gets an
//! official's form. A missing reason is refused beside its field; a step
//! on a version read before someone else's is refused in words. Every page
//! is recorded in both languages at both widths.

use fantoccini::Locator;
use hatchery_app::ManualClock;
use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::browser::{Tour, browser_available, screenshot_dir, start_browser};
use crate::http::{client, sign_in};
use crate::support::{Api, INITIAL, PASSWORD, set_scene};

/// Changes `username`'s password from the initial one to [`PASSWORD`].
async fn set_password(api: &Api, username: &str) {
    let (cookie, csrf) = api.session(username, INITIAL).await;
    let changed = api
        .http
        .post(format!("{}/api/session/password", api.base))
        .header("cookie", cookie)
        .header("x-csrf-token", csrf)
        .json(&json!({"current_password": INITIAL, "new_password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(changed.status().is_success(), "{username}");
}

async fn sign_in_as(tour: &Tour, username: &str) {
    tour.go("/signin").await;
    tour.sign_in(username, PASSWORD).await;
    assert_eq!(tour.path().await, "/", "{username} signed in");
}

/// The request id at the end of the browser's path `/requests/ID…`.
fn id_in(path: &str) -> i64 {
    path.trim_start_matches("/requests/")
        .split(['?', '/'])
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no request in {path}"))
}

/// Whether the page has an element matching `css`.
async fn has(tour: &Tour, css: &str) -> bool {
    tour.client.find(Locator::Css(css)).await.is_ok()
}

/// The step buttons on the page, in order (`do-accept`…).
async fn steps_offered(tour: &Tour) -> Vec<String> {
    let ids = tour
        .script("return [...document.querySelectorAll('button[id^=do-]')].map(b => b.id);")
        .await;
    ids.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// The text of `css` with its white space (table cells' tabs) made single spaces.
async fn flat(tour: &Tour, css: &str) -> String {
    tour.text(css)
        .await
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lets some working time pass between two steps (less than the idle
/// limit of a session).
fn later(clock: &ManualClock) {
    clock.advance(SignedDuration::from_mins(20));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_walked_through_the_browser_from_filing_to_confirmation() {
    if !browser_available() {
        return;
    }
    let mut scene = set_scene(false).await;
    let api = Api {
        base: scene.base.clone(),
        http: reqwest::Client::new(),
    };
    set_password(&api, "sz.reviewer").await;
    let (mut driver, client) = start_browser().await;
    let shots = screenshot_dir();
    std::fs::create_dir_all(&shots).unwrap();
    let tour = Tour {
        client: client.clone(),
        base: scene.base.clone(),
        shots,
    };
    let clock = scene.clock.clone();
    let walked = tokio::spawn(async move { walk(&tour, &api, &clock).await }).await;
    let _ = client.close().await;
    let _ = driver.kill().await;
    if let Some(stop) = scene.stop.take() {
        let _ = stop.send(());
    }
    if let Err(error) = walked {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn walk(tour: &Tour, api: &Api, clock: &ManualClock) {
    // ── The enterprise files a general request, in Chinese. ──
    sign_in_as(tour, "alpha.user").await;
    tour.click("nav a[href='/requests']").await;
    assert!(tour.text("#count").await.contains("共 0 件诉求"));
    assert!(
        !has(tour, "#figures-link").await,
        "the figures are the officials'"
    );
    tour.record("requests-empty", "zh-CN").await;
    tour.click("#file-request").await;
    assert_eq!(tour.path().await, "/requests/new");
    assert!(
        !has(tour, "#enterprise").await && !has(tour, "#channel").await,
        "an enterprise files for itself, on the platform"
    );
    let clocks = tour.text("#clocks").await;
    assert!(
        clocks.contains("一般诉求") && clocks.contains("3个工作日") && clocks.contains("2小时"),
        "each class's clocks: {clocks}"
    );
    assert_eq!(tour.value("#class").await, "general");
    tour.both("request-new", "zh-CN").await;
    // No title: refused beside it, the text typed kept, nothing filed.
    tour.fill(
        "#body",
        "我司新引进的 12 名研发人员申请人才公寓，已提交材料两个月未有回复。",
    )
    .await;
    tour.click("#file").await;
    assert_eq!(tour.text("#title-error").await, "请填写标题。");
    assert!(tour.value("#body").await.contains("12 名研发人员"));
    tour.record("request-new-errors", "zh-CN").await;
    tour.fill("#title", "人才公寓配租进度").await;
    tour.click("#file").await;
    let path = tour.path().await;
    assert!(
        path.ends_with("?done=file"),
        "{path}: {}",
        tour.body().await
    );
    let id = id_in(&path);
    let page = format!("/requests/{id}");
    assert!(tour.text("#done").await.contains("提出诉求"));
    assert_eq!(tour.text("#state").await, "待签收");
    assert_eq!(tour.text("#owner").await, "市（园区）级 · 深圳市");
    let due = tour.text("#due").await;
    assert!(
        due.contains("签收期限") && due.contains("2025年6月10日 12:00"),
        "two hours to accept, in China time: {due}"
    );
    assert!(!has(tour, "#overdue").await);
    assert!(tour.text("#clock-set").await.starts_with("national@"));
    assert_eq!(
        steps_offered(tour).await,
        ["do-withdraw"],
        "the enterprise may only withdraw it now"
    );
    assert!(tour.text("#history").await.contains("提出诉求"));
    tour.both("request-filed", "zh-CN").await;
    tour.go("/requests").await;
    let listed = tour.text("#requests").await;
    assert!(
        listed.contains("人才公寓配租进度") && listed.contains("待签收"),
        "{listed}"
    );
    tour.sign_out().await;

    // ── Shenzhen's city reviewer: in its queue; accepts, dispatches,
    // starts, answers and closes it. ──
    later(clock);
    sign_in_as(tour, "sz.reviewer").await;
    tour.go("/requests").await;
    tour.tick("#mine").await;
    tour.click("#filter").await;
    assert!(tour.path().await.contains("mine=1"));
    let row = flat(tour, &format!("#request-{id}")).await;
    assert!(
        row.contains("深圳甲科技有限公司")
            && row.contains("一般诉求")
            && row.contains("市（园区）级 · 深圳市")
            && row.contains("签收期限"),
        "{row}"
    );
    assert!(has(tour, "#figures-link").await && has(tour, "#file-request").await);
    tour.both("requests", "zh-CN").await;
    // The enterprise's page leads to the form, filled in for it.
    tour.go("/enterprises/alpha").await;
    tour.click("#file-request").await;
    assert_eq!(tour.path().await, "/requests/new?enterprise=alpha");
    assert_eq!(tour.value("#enterprise").await, "alpha");
    assert_eq!(tour.value("#channel").await, "steward");
    assert!(tour.text("h1").await.contains("深圳甲科技有限公司"));
    tour.both("request-new-official", "zh-CN").await;

    tour.go(&page).await;
    assert_eq!(
        steps_offered(tour).await,
        ["do-accept", "do-escalate"],
        "the city accepts or escalates"
    );
    tour.click("#do-accept").await;
    assert!(tour.text("#done").await.contains("签收"));
    assert_eq!(tour.text("#state").await, "已签收");
    assert!(tour.text("#due").await.contains("答复期限"));
    later(clock);
    tour.fill("#dispatch-department", "市人才住房服务中心")
        .await;
    tour.fill("#dispatch-note", "请核实配租资格").await;
    tour.click("#do-dispatch").await;
    assert_eq!(tour.text("#state").await, "已派发");
    assert_eq!(tour.text("#department").await, "市人才住房服务中心");
    later(clock);
    tour.click("#do-start").await;
    assert_eq!(tour.text("#state").await, "办理中");
    later(clock);
    tour.fill(
        "#answer-answer",
        "经核实，12 名人员均符合配租条件，已列入 7 月批次。",
    )
    .await;
    tour.click("#do-answer").await;
    assert_eq!(tour.text("#state").await, "已答复");
    assert!(tour.text("#due").await.contains("办结期限"));
    // Closing without a reason: refused beside the field, nothing changes.
    let history_before = tour.text("#history").await;
    tour.click("#do-close").await;
    assert_eq!(tour.text("#close-reason-error").await, "请写明理由。");
    assert!(tour.text("#problem").await.contains("请更正"));
    assert_eq!(tour.text("#state").await, "已答复", "nothing changed");
    assert_eq!(tour.text("#history").await, history_before);
    let focused = tour.script("return document.activeElement.id;").await;
    assert_eq!(focused, "close-reason", "the field to fix has the focus");
    tour.record("request-errors", "zh-CN").await;
    tour.click("a.lang").await;
    tour.click("#do-close").await;
    assert_eq!(tour.text("#close-reason-error").await, "Give a reason.");
    tour.record("request-errors", "en").await;
    tour.click("a.lang").await;
    tour.fill("#close-reason", "已答复并列入 7 月配租批次，予以办结。")
        .await;
    tour.click("#do-close").await;
    assert_eq!(tour.text("#state").await, "已办结");
    assert!(tour.text("#due").await.contains("不再计时"));
    // Someone else acts first: the other city reviewer calls back through
    // the API while this one has the page open.
    let sz_api = api.token("sz.api").await;
    let current = api
        .call(
            &sz_api,
            reqwest::Method::GET,
            &format!("/api/requests/{id}"),
            Value::Null,
        )
        .await;
    api.post(
        &sz_api,
        &format!("/api/requests/{id}/actions"),
        json!({"version": current["request"]["version"], "action": "revisit", "note": "电话回访，企业知悉"}),
    )
    .await;
    tour.fill("#revisit-note", "我也回访了").await;
    tour.click("#do-revisit").await;
    let problem = tour.text("#problem").await;
    assert!(
        problem.contains("其他人已先一步办理了这件诉求") && problem.contains("已办结"),
        "plainly, with the state now: {problem}"
    );
    assert_eq!(tour.value("#revisit-note").await, "我也回访了", "kept");
    tour.record("request-conflict", "zh-CN").await;
    tour.sign_out().await;

    // ── The enterprise reads the answer and the reason, and reopens it. ──
    later(clock);
    sign_in_as(tour, "alpha.user").await;
    tour.go(&page).await;
    assert_eq!(tour.text("#state").await, "已办结");
    assert!(tour.text("#answer").await.contains("已列入 7 月批次"));
    assert!(tour.text("#close-reason-text").await.contains("予以办结"));
    let history = tour.text("#history").await;
    for entry in [
        "签收",
        "派发",
        "开始办理",
        "答复",
        "办结",
        "回访",
        "市人才住房服务中心",
    ] {
        assert!(history.contains(entry), "{entry} in {history}");
    }
    assert_eq!(
        steps_offered(tour).await,
        ["do-reopen", "do-confirm"],
        "no official's form for the enterprise"
    );
    tour.both("request-closed", "zh-CN").await;
    tour.click("#do-reopen").await;
    assert_eq!(tour.text("#reopen-reason-error").await, "请写明理由。");
    assert_eq!(tour.text("#state").await, "已办结");
    tour.fill(
        "#reopen-reason",
        "7 月批次只有 5 套房源，其余 7 人仍无着落。",
    )
    .await;
    tour.click("#do-reopen").await;
    assert_eq!(tour.text("#state").await, "重新办理");
    assert_eq!(steps_offered(tour).await, ["do-withdraw"]);
    tour.sign_out().await;

    // ── The city starts again, then escalates it to the province. ──
    later(clock);
    sign_in_as(tour, "sz.reviewer").await;
    tour.go(&page).await;
    assert!(tour.text("#history").await.contains("其余 7 人仍无着落"));
    tour.click("#do-start").await;
    assert_eq!(tour.text("#state").await, "办理中");
    later(clock);
    tour.fill("#escalate-reason", "市级房源不足，需省级统筹。")
        .await;
    tour.tick("#escalate-shared").await;
    tour.click("#do-escalate").await;
    assert_eq!(tour.text("#state").await, "已提级");
    assert_eq!(tour.text("#owner").await, "省级 · 广东省");
    assert!(tour.body().await.contains("多家企业共同反映"));
    assert!(
        steps_offered(tour).await.is_empty(),
        "the province's now: {:?}",
        steps_offered(tour).await
    );
    tour.sign_out().await;

    // ── Guangdong accepts, dispatches, starts, answers and closes it, in
    // English. ──
    later(clock);
    sign_in_as(tour, "gd.reviewer").await;
    tour.go(&page).await;
    tour.click("a.lang").await;
    assert_eq!(tour.text("#state").await, "Escalated");
    assert!(
        tour.text("#owner")
            .await
            .starts_with("Province · Guangdong")
    );
    assert!(tour.text("#due").await.contains("Accept by (escalated)"));
    tour.both("request-escalated", "en").await;
    tour.click("#do-accept").await;
    assert!(tour.text("#done").await.contains("Done: Accept."));
    later(clock);
    tour.fill("#dispatch-department", "省住房和城乡建设厅")
        .await;
    tour.click("#do-dispatch").await;
    tour.click("#do-start").await;
    later(clock);
    tour.fill("#answer-answer", "省级统筹调剂 7 套人才住房，8 月交付。")
        .await;
    tour.click("#do-answer").await;
    tour.fill("#close-reason", "已调剂房源，予以办结。").await;
    tour.click("#do-close").await;
    assert_eq!(tour.text("#state").await, "Closed");
    assert_eq!(tour.text("#department").await, "省住房和城乡建设厅");
    tour.click("a.lang").await; // Chinese again for the next account
    tour.sign_out().await;

    // ── The enterprise confirms: not solved, satisfaction 2. ──
    later(clock);
    sign_in_as(tour, "alpha.user").await;
    tour.go(&page).await;
    assert!(tour.text("#close-reason-text").await.contains("已调剂房源"));
    assert_eq!(tour.text("#owner").await, "省级 · 广东省");
    assert!(
        tour.text("#history")
            .await
            .contains("市级房源不足，需省级统筹。")
    );
    assert_eq!(steps_offered(tour).await, ["do-reopen", "do-confirm"]);
    // A confirmation without its choices: each asked for beside it.
    tour.click("#do-confirm").await;
    assert!(
        tour.text("#confirm-solved-error")
            .await
            .contains("是否已解决")
    );
    assert!(
        tour.text("#confirm-satisfaction-error")
            .await
            .contains("满意度")
    );
    assert_eq!(tour.text("#state").await, "已办结");
    tour.tick("#confirm-solved-no").await;
    tour.script("document.getElementById('confirm-satisfaction').value = '2';")
        .await;
    tour.fill("#confirm-comment", "只解决了一部分，交付时间太晚。")
        .await;
    tour.click("#do-confirm").await;
    assert_eq!(tour.text("#state").await, "已确认");
    assert_eq!(tour.text("#confirmation").await, "未解决，满意度 2/5");
    assert!(tour.text("#history").await.contains("交付时间太晚"));
    assert!(steps_offered(tour).await.is_empty());
    tour.both("request-confirmed", "zh-CN").await;
    tour.sign_out().await;

    // ── The figures count it. ──
    sign_in_as(tour, "sz.reviewer").await;
    tour.go("/requests").await;
    tour.click("#figures-link").await;
    assert_eq!(tour.path().await, "/requests/figures");
    assert_eq!(tour.value("#from").await, "2025-06-01");
    assert_eq!(tour.value("#to").await, "2025-06-10");
    let overall = flat(tour, "#overall").await;
    for figure in [
        "诉求数 1",
        "及时响应率 100.0% (1/1)",
        "按时办结率 100.0% (1/1)",
        "办结率 100.0% (1/1)",
        "解决率 0.0% (0/1)",
        "满意率 0.0% (0/1)",
        "重新办理率 100.0% (1/1)",
        "逾期件数 0",
    ] {
        assert!(overall.contains(figure), "{figure} in {overall}");
    }
    let by_class = flat(tour, "#by_class").await;
    assert!(by_class.contains("紧急诉求 0 — —"), "{by_class}");
    assert!(flat(tour, "#by_level").await.contains("省级 1"));
    let stays = flat(tour, "#stays").await;
    assert!(
        stays.contains("待签收") && stays.contains("20分"),
        "{stays}"
    );
    assert!(tour.text("#definitions").await.contains("分母为 0"));
    // Confirmed unsolved, and already revisited by the other reviewer:
    // counted, and no longer on the list of those to revisit.
    assert!(overall.contains("回访率 100.0% (1/1)"), "{overall}");
    assert!(overall.contains("不满意件回访率 100.0% (1/1)"), "{overall}");
    assert!(tour.text("#no-revisits").await.contains("没有待回访"));
    // Where the enterprise sits and who handled it.
    assert!(flat(tour, "#by_city").await.contains("深圳市 1"));
    assert!(flat(tour, "#by_province").await.contains("广东省 1"));
    // The same tables as a workbook Excel opens, rates as percentages.
    let workbook = figures_workbook(tour).await;
    assert_eq!(workbook.content_type, XLSX_TYPE);
    let overall = workbook.sheet("总体");
    assert_eq!(overall[0][0], "指标");
    assert_eq!(overall[1][1], "1");
    assert_eq!(overall[1][2], "1", "response in time, 1 of 1, is 100 %");
    assert_eq!(overall[1][3], "1/1");
    let cities = workbook.sheet("按城市");
    assert_eq!(
        (cities[1][0].as_str(), cities[1][1].as_str()),
        ("深圳市", "1")
    );
    tour.both("request-figures", "zh-CN").await;
    // A period that ends before it starts: said beside the field.
    tour.fill("#from", "2025-06-10").await;
    tour.fill("#to", "2025-06-01").await;
    tour.click("#show").await;
    assert!(tour.text("#to-error").await.contains("不能早于"));
    assert_eq!(tour.value("#to").await, "2025-06-01");
    tour.sign_out().await;
}

/// The version a request page's forms carry.
fn version_in(html: &str) -> String {
    let needle = "name=\"version\" value=\"";
    let at = html.find(needle).expect("a version field") + needle.len();
    html[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

/// Without JavaScript: forms post plainly; a forged one changes nothing; a
/// stale one is refused in words with the text typed kept.
#[tokio::test]
async fn a_forged_or_stale_request_step_changes_nothing() {
    let scene = set_scene(true).await;
    let api = Api {
        base: scene.base.clone(),
        http: reqwest::Client::new(),
    };
    let alpha = api.token("alpha.user").await;
    let filed = api
        .post(
            &alpha,
            "/api/requests",
            json!({"enterprise": "alpha", "class": "urgent", "title": "停电", "body": "园区停电影响生产"}),
        )
        .await;
    let id = filed["id"].as_i64().unwrap();
    let http = client();
    let (session, csrf) = sign_in(&scene, "sz.api").await;
    let cookie = format!("hatchery_session={session}; hatchery_csrf={csrf}");
    let page = |path: String| {
        http.get(format!("{}{path}", scene.base))
            .header("cookie", &cookie)
            .send()
    };
    let post = |form: Vec<(&str, String)>| {
        http.post(format!("{}/requests/{id}/act", scene.base))
            .header("cookie", &cookie)
            .form(&form)
            .send()
    };
    let html = page(format!("/requests/{id}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let version = version_in(&html);
    assert!(html.contains("id=\"do-accept\""), "the city may accept");

    // A form without the session's token: refused, nothing taken.
    let forged = post(vec![
        ("csrf", "guess".into()),
        ("version", version.clone()),
        ("action", "accept".into()),
    ])
    .await
    .unwrap();
    assert_eq!(forged.status(), reqwest::StatusCode::FORBIDDEN);
    let html = page(format!("/requests/{id}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(version_in(&html), version, "nothing changed");

    // Accepted plainly: a redirect to the request.
    let accepted = post(vec![
        ("csrf", csrf.clone()),
        ("version", version.clone()),
        ("action", "accept".into()),
    ])
    .await
    .unwrap();
    assert_eq!(accepted.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(
        accepted.headers()["location"],
        format!("/requests/{id}?done=accept").as_str()
    );

    // At the version read before the acceptance: the conflict, in words.
    let stale = post(vec![
        ("csrf", csrf.clone()),
        ("version", version.clone()),
        ("action", "escalate".into()),
        ("reason", "需省级协调".into()),
    ])
    .await
    .unwrap();
    assert_eq!(stale.status(), reqwest::StatusCode::CONFLICT);
    let html = stale.text().await.unwrap();
    assert!(html.contains("其他人已先一步办理了这件诉求"), "{html}");
    assert!(html.contains("已签收"), "the state now");
    assert!(
        html.contains(">需省级协调</textarea>"),
        "the reason typed is kept"
    );

    // The enterprise's own step is not the city's: refused.
    let html = page(format!("/requests/{id}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let withdraw = post(vec![
        ("csrf", csrf.clone()),
        ("version", version_in(&html)),
        ("action", "withdraw".into()),
    ])
    .await
    .unwrap();
    assert_eq!(withdraw.status(), reqwest::StatusCode::FORBIDDEN);
    let after = page(format!("/requests/{id}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(version_in(&after), version_in(&html), "nothing changed");

    // Three hours on, the urgent request's two hours to answer are past:
    // the list says so in words, and its "overdue only" filter keeps it.
    scene.clock.advance(jiff::SignedDuration::from_hours(3));
    let (session, _) = sign_in(&scene, "sz.api").await;
    let list = http
        .get(format!("{}/requests?overdue=1", scene.base))
        .header("cookie", format!("hatchery_session={session}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("共 1 件诉求"), "{list}");
    assert!(
        list.contains("<strong class=\"overdue\">已逾期</strong>"),
        "{list}"
    );
}

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The figures page's workbook as downloaded by the page's own link.
struct Workbook {
    content_type: String,
    sheets: Vec<(String, Vec<Vec<String>>)>,
}

impl Workbook {
    /// The sheet named `name`, each cell as text (numbers as Excel keeps
    /// them: `1`, a percentage as its fraction).
    fn sheet(&self, name: &str) -> &Vec<Vec<String>> {
        &self
            .sheets
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| {
                let names: Vec<&String> = self.sheets.iter().map(|(n, _)| n).collect();
                panic!("no sheet {name} among {names:?}")
            })
            .1
    }
}

async fn figures_workbook(tour: &Tour) -> Workbook {
    use calamine::{Data, Reader, Xlsx};
    let fetched = tour
        .client
        .execute_async(
            "const done = arguments[0];
             const link = document.querySelector('#figures-xlsx').getAttribute('href');
             fetch(link).then(r => r.arrayBuffer().then(b => done({type: r.headers.get('content-type'), bytes: [...new Uint8Array(b)]})));",
            vec![],
        )
        .await
        .unwrap();
    let bytes: Vec<u8> = fetched["bytes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_u64().unwrap() as u8)
        .collect();
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let names = book.sheet_names();
    let sheets = names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|row| {
                    row.iter()
                        .map(|cell| match cell {
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect();
    Workbook {
        content_type: fetched["type"].as_str().unwrap_or_default().to_owned(),
        sheets,
    }
}
