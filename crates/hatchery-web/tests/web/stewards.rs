//! Stewards (服务管家) and the contact log (走访) in the browser and over
//! HTTP (issue 14). Beta, confirmed into the pool, gets a government
//! steward and a contact through the enterprise page's forms from
//! Shenzhen's city reviewer — each form first refused beside its fields
//! with what was typed kept and nothing changed —, both then seen on
//! `/stewards` and on the enterprise page; beta's own account finds the
//! steward and the contact (without the officials' internal note) on its
//! dashboard card. Over plain HTTP: a role that reads stewards but may not
//! manage them gets no form and its posts change nothing; a role that
//! reads none gets no section; a forged or stale form changes nothing.

use std::sync::Arc;

use hatchery_app::ManualClock;
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::browser::{Tour, browser_available, screenshot_dir, start_browser};
use crate::http::{client, sign_in};
use crate::support::{Api, PASSWORD, Scene, add_account, set_scene};

/// Beta's declaration (the scene's second) is confirmed after its public
/// notice: beta joins the pool, eight days after the scene's start.
async fn beta_in_the_pool(api: &Api, clock: &ManualClock) {
    clock.advance(SignedDuration::from_hours(24 * 8));
    let moe = api.token("moe.reviewer").await;
    api.act(&moe, 2, "confirm", None).await;
}

/// Beta's assignments as the API lists them for an official.
async fn assignments(api: &Api, token: &str) -> Vec<Value> {
    api.call(
        token,
        reqwest::Method::GET,
        "/api/enterprises/beta/stewards?all=true",
        Value::Null,
    )
    .await
    .as_array()
    .expect("a list")
    .clone()
}

/// Beta's contacts as the API counts them.
async fn contacts(api: &Api, token: &str) -> u64 {
    api.call(
        token,
        reqwest::Method::GET,
        "/api/enterprises/beta/contacts",
        Value::Null,
    )
    .await["total"]
        .as_u64()
        .expect("a total")
}

async fn sign_in_as(tour: &Tour, username: &str) {
    tour.go("/signin").await;
    tour.sign_in(username, PASSWORD).await;
    assert_eq!(tour.path().await, "/", "{username} signed in");
}

/// The text of `css` with its white space made single spaces.
async fn flat(tour: &Tour, css: &str) -> String {
    tour.text(css)
        .await
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

async fn has(tour: &Tour, css: &str) -> bool {
    tour.client
        .find(fantoccini::Locator::Css(css))
        .await
        .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steward_assigned_and_a_contact_recorded_through_the_pages() {
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
    let clock = scene.clock.clone();
    let walked = tokio::spawn(async move { walk(&tour, &api, clock).await }).await;
    let _ = client.close().await;
    let _ = driver.kill().await;
    if let Some(stop) = scene.stop.take() {
        let _ = stop.send(());
    }
    if let Err(error) = walked {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn walk(tour: &Tour, api: &Api, clock: Arc<ManualClock>) {
    beta_in_the_pool(api, &clock).await;
    // Beta has a request open, to be named as raised in the contact.
    let beta = api.token("beta.user").await;
    let filed = api
        .post(
            &beta,
            "/api/requests",
            json!({"enterprise": "beta", "class": "general", "title": "中试场地", "body": "需要 2000 平方米中试场地"}),
        )
        .await;
    let request = filed["id"].as_i64().unwrap();
    let city = api.token("sz.api").await;

    // ── Shenzhen's city reviewer on beta's page: no steward yet. ──
    sign_in_as(tour, "sz.api").await;
    tour.go("/enterprises/beta").await;
    assert!(tour.text("#no-stewards").await.contains("还没有指派"));
    assert!(tour.text("#no-contacts").await.contains("还没有走访记录"));
    assert!(
        !has(tour, "#record-contact").await,
        "no contact to record without a serving steward"
    );
    // Assigned without a name, telephone or e-mail: refused beside the
    // fields, what was typed kept, nothing assigned.
    tour.script("document.getElementById('assign-role').value = 'government';")
        .await;
    tour.fill("#assign-department", "深圳市工业和信息化局")
        .await;
    tour.click("#do-assign").await;
    assert_eq!(tour.path().await, "/enterprises/beta/stewards");
    assert!(tour.text("#assign-problem").await.contains("请更正"));
    assert_eq!(
        tour.text("#assign-name-error").await,
        "请填写管家姓名。",
        "the first problem the API names"
    );
    assert_eq!(
        tour.value("#assign-department").await,
        "深圳市工业和信息化局"
    );
    assert_eq!(tour.value("#assign-role").await, "government");
    assert!(has(tour, "#no-stewards").await, "nothing assigned");
    assert!(assignments(api, &city).await.is_empty());
    tour.record("stewards-enterprise-errors", "zh-CN").await;
    // The name given, still no way to reach the steward.
    tour.fill("#assign-name", "王敏").await;
    tour.click("#do-assign").await;
    assert_eq!(
        tour.text("#assign-phone-error").await,
        "电话和电子邮箱至少填写一项。"
    );
    assert_eq!(tour.value("#assign-name").await, "王敏");
    // In English (the switch opens the page afresh): the same refusal.
    tour.click("a.lang").await;
    tour.script("document.getElementById('assign-role').value = 'government';")
        .await;
    tour.fill("#assign-department", "深圳市工业和信息化局")
        .await;
    tour.fill("#assign-name", "王敏").await;
    tour.click("#do-assign").await;
    assert_eq!(
        tour.text("#assign-phone-error").await,
        "Give a telephone number or an e-mail address."
    );
    tour.record("stewards-enterprise-errors", "en").await;
    tour.fill("#assign-phone", "0755-8888 6666").await;
    tour.click("#do-assign").await;
    assert_eq!(tour.path().await, "/enterprises/beta?done=steward_assigned");
    assert_eq!(
        tour.text("#stewards-done").await,
        "The steward is assigned."
    );
    tour.click("a.lang").await;
    let listed = assignments(api, &city).await;
    assert_eq!(listed.len(), 1);
    let steward = listed[0]["id"].as_i64().unwrap();
    let row = flat(tour, &format!("#steward-{steward}")).await;
    for part in [
        "王敏",
        "政府管家",
        "市级",
        "深圳市工业和信息化局",
        "0755-8888 6666",
        "2025年6月18日",
        "在任",
    ] {
        assert!(row.contains(part), "{part} in {row}");
    }

    // ── A contact: without topics refused, then recorded. ──
    assert!(has(tour, "#record-contact").await);
    assert_eq!(tour.value("#contact-contacted_on").await, "2025-06-18");
    tour.script("document.getElementById('contact-channel').value = 'phone';")
        .await;
    tour.tick(&format!("#contact-request-{request}")).await;
    tour.fill("#contact-follow_up", "两周内回访场地落实情况")
        .await;
    tour.click("#do-record").await;
    assert_eq!(tour.text("#contact-topics-error").await, "请填写走访内容。");
    assert_eq!(tour.value("#contact-channel").await, "phone");
    assert_eq!(
        tour.value("#contact-follow_up").await,
        "两周内回访场地落实情况"
    );
    let ticked = tour
        .script(&format!(
            "return document.getElementById('contact-request-{request}').checked;"
        ))
        .await;
    assert_eq!(ticked, Value::Bool(true), "the request ticked stays ticked");
    assert_eq!(contacts(api, &city).await, 0, "nothing recorded");
    tour.fill("#contact-topics", "入库后的服务对接：中试场地、上市辅导")
        .await;
    tour.click("#do-record").await;
    assert_eq!(tour.path().await, "/enterprises/beta?done=contact_recorded");
    assert_eq!(tour.text("#stewards-done").await, "已登记走访。");
    let log = flat(tour, "#enterprise-contacts").await;
    for part in [
        "2025年6月18日",
        "王敏",
        "电话",
        "中试场地、上市辅导",
        "内部跟进：两周内回访场地落实情况",
        &format!("#{request}"),
    ] {
        assert!(log.contains(part), "{part} in {log}");
    }
    tour.both("stewards-enterprise", "zh-CN").await;

    // ── The contact corrected: a new record, the old one kept. ──
    let first = api
        .call(
            &city,
            reqwest::Method::GET,
            "/api/enterprises/beta/contacts",
            Value::Null,
        )
        .await["items"][0]["id"]
        .as_i64()
        .unwrap();
    tour.click(&format!("#correct-{first}")).await;
    assert_eq!(
        tour.path().await,
        format!("/enterprises/beta/contacts/{first}/correct")
    );
    // The form starts from the record as it stands.
    assert_eq!(
        tour.value("#correct-topics").await,
        "入库后的服务对接：中试场地、上市辅导"
    );
    assert_eq!(tour.value("#correct-channel").await, "phone");
    assert_eq!(tour.value("#correct-contacted_on").await, "2025-06-18");
    assert_eq!(tour.value("#correct-steward").await, steward.to_string());
    // Without topics: refused beside the field, the rest kept, nothing added.
    tour.fill("#correct-topics", "").await;
    tour.script("document.getElementById('correct-channel').value = 'visit';")
        .await;
    tour.click("#do-correct").await;
    assert_eq!(tour.text("#correct-topics-error").await, "请填写走访内容。");
    assert!(tour.text("#correct-problem").await.contains("请更正"));
    assert_eq!(tour.value("#correct-channel").await, "visit");
    assert_eq!(contacts(api, &city).await, 1, "nothing recorded");
    tour.record("stewards-correct-errors", "zh-CN").await;
    tour.fill(
        "#correct-topics",
        "入库后的服务对接：中试场地、上市辅导、人才公寓",
    )
    .await;
    tour.click("#do-correct").await;
    assert_eq!(
        tour.path().await,
        "/enterprises/beta?done=contact_corrected"
    );
    assert!(tour.text("#stewards-done").await.contains("已登记更正"));
    assert_eq!(contacts(api, &city).await, 2, "a new record, the old kept");
    let old = flat(tour, &format!("#enterprise-contacts-{first}")).await;
    for part in ["已更正", "sz.api", "电话", "中试场地、上市辅导"] {
        assert!(old.contains(part), "{part} in {old}");
    }
    assert!(
        !has(tour, &format!("#correct-{first}")).await,
        "a corrected record is not corrected again"
    );
    let log = flat(tour, "#enterprise-contacts").await;
    assert!(log.contains("人才公寓") && log.contains(&format!("更正第 {first} 条记录")));
    tour.both("stewards-corrected", "zh-CN").await;
    // Its correction page now says so, with no form.
    tour.go(&format!("/enterprises/beta/contacts/{first}/correct"))
        .await;
    assert!(tour.text("#correct-problem").await.contains("已被更正过"));
    assert!(!has(tour, "#correct-contact").await);
    tour.go(&format!("/enterprises/beta/contacts/{}/correct", first + 1))
        .await;
    tour.both("stewards-correct", "zh-CN").await;
    tour.go("/enterprises/beta").await;

    // ── /stewards: the assignment with its last contact, and the log. ──
    tour.click("nav a[href='/stewards']").await;
    let row = flat(tour, &format!("#assignment-{steward}")).await;
    for part in [
        "深圳乙智能有限公司",
        "王敏",
        "政府管家",
        "市级",
        "深圳市工业和信息化局",
        "2025年6月18日",
        "在任",
    ] {
        assert!(row.contains(part), "{part} in {row}");
    }
    let contacts_listed = flat(tour, "#contacts").await;
    assert!(
        contacts_listed.contains("深圳乙智能有限公司")
            && contacts_listed.contains("中试场地、上市辅导"),
        "{contacts_listed}"
    );
    tour.tick("#active").await;
    tour.click("#filter").await;
    assert!(tour.path().await.contains("active=1"));
    assert!(has(tour, &format!("#assignment-{steward}")).await);
    tour.both("stewards", "zh-CN").await;
    // An enterprise without stewards: none listed, no contacts.
    tour.go("/stewards?enterprise=alpha").await;
    assert!(has(tour, "#no-assignments").await && has(tour, "#no-contacts").await);
    tour.sign_out().await;

    // ── Beta's own account: the card on its dashboard. ──
    sign_in_as(tour, "beta.user").await;
    let card = flat(tour, "#my-stewards").await;
    for part in [
        "我的服务管家",
        "王敏",
        "政府管家",
        "深圳市工业和信息化局",
        "0755-8888 6666",
        "中试场地、上市辅导",
        "电话",
    ] {
        assert!(card.contains(part), "{part} in {card}");
    }
    assert!(
        !card.contains("两周内回访"),
        "the internal note is the officials': {card}"
    );
    tour.both("dashboard-stewards", "zh-CN").await;
    // Its own page: the steward and the log, no form.
    tour.click("#my-stewards a[href='/enterprises/beta#stewards']")
        .await;
    assert!(flat(tour, "#stewards").await.contains("王敏"));
    assert!(!tour.body().await.contains("两周内回访"));
    assert!(!has(tour, "#assign-steward").await && !has(tour, "#record-contact").await);
    assert!(!has(tour, &format!("#end-{steward}")).await);
    tour.sign_out().await;
}

/// A session of `username` signed in through the form, as a cookie header
/// with its CSRF token.
async fn browser_session(scene: &Scene, username: &str) -> (String, String) {
    let (session, csrf) = sign_in(scene, username).await;
    (
        format!("hatchery_session={session}; hatchery_csrf={csrf}"),
        csrf,
    )
}

async fn get_page(
    http: &reqwest::Client,
    scene: &Scene,
    cookie: &str,
    path: &str,
) -> (StatusCode, String) {
    let response = http
        .get(format!("{}{path}", scene.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn post_form(
    http: &reqwest::Client,
    scene: &Scene,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let response = http
        .post(format!("{}{path}", scene.base))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Over plain HTTP: who gets which form, and that a refused post changes
/// nothing.
#[tokio::test]
async fn only_the_roles_that_may_get_the_forms_and_refused_posts_change_nothing() {
    let scene = set_scene(true).await;
    let api = Api {
        base: scene.base.clone(),
        http: reqwest::Client::new(),
    };
    beta_in_the_pool(&api, &scene.clock).await;
    let city = api.token("sz.api").await;
    let made = api
        .post(
            &city,
            "/api/enterprises/beta/stewards",
            json!({"role": "commissioner", "department": "深圳市中小企业服务局", "name": "陈立", "phone": "13800138000"}),
        )
        .await;
    let steward = made["id"].as_i64().unwrap();
    let version = made["version"].as_i64().unwrap().to_string();
    let steward_text = steward.to_string();
    let end_path = format!("/enterprises/beta/stewards/{steward}/end");
    let http = client();

    // The city reviewer has all three forms.
    let (official, official_csrf) = browser_session(&scene, "sz.api").await;
    let (status, html) = get_page(&http, &scene, &official, "/enterprises/beta").await;
    assert_eq!(status, StatusCode::OK);
    for form in [
        "id=\"assign-steward\"",
        "id=\"record-contact\"",
        &format!("id=\"end-{steward}\""),
    ] {
        assert!(html.contains(form), "{form} for the city");
    }

    // The ministry's administrator reads stewards but manages none: the
    // section without a form; each post refused in words, nothing changed.
    let admin = api.token("admin").await;
    let (reader, reader_csrf) = browser_session(&scene, "admin").await;
    let (status, html) = get_page(&http, &scene, &reader, "/enterprises/beta").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"stewards\"") && html.contains("陈立"));
    for form in ["assign-steward", "record-contact", "do-end-"] {
        assert!(!html.contains(form), "no {form} for the administrator");
    }
    let refused = [
        (
            "/enterprises/beta/stewards".to_owned(),
            vec![
                ("role", "government"),
                ("department", "国家部委"),
                ("name", "李四"),
                ("phone", "010-12345678"),
            ],
        ),
        (
            end_path.clone(),
            vec![("version", version.as_str()), ("ends_on", "")],
        ),
        (
            "/enterprises/beta/contacts".to_owned(),
            vec![
                ("steward", steward_text.as_str()),
                ("contacted_on", "2025-06-18"),
                ("channel", "visit"),
                ("topics", "部里来看看"),
            ],
        ),
    ];
    for (path, fields) in &refused {
        let mut form = vec![("csrf", reader_csrf.as_str())];
        form.extend(fields.iter().copied());
        let (status, html) = post_form(&http, &scene, &reader, path, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            html.contains("id=\"stewards-problem\"")
                && html.contains("您的角色不能查看或执行此操作"),
            "{path}: in words on the enterprise's page: {html}"
        );
    }
    let after = assignments(&api, &admin).await;
    assert_eq!(after.len(), 1, "nothing assigned");
    assert_eq!(after[0]["active"], json!(true), "nothing ended");
    assert_eq!(contacts(&api, &admin).await, 0, "nothing recorded");

    // An investor reads no stewards: no section, no list.
    add_account(
        &api,
        &admin,
        "vc.partner",
        "investor",
        json!({"jurisdiction": "440000"}),
    )
    .await;
    let (investor, _) = browser_session(&scene, "vc.partner").await;
    let (_, html) = get_page(&http, &scene, &investor, "/enterprises/beta").await;
    assert!(
        !html.contains("id=\"stewards\""),
        "no section for an investor"
    );
    let (status, _) = get_page(&http, &scene, &investor, "/stewards").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The city, with a forged token: refused, nothing ended.
    let (status, _) = post_form(
        &http,
        &scene,
        &official,
        &end_path,
        &[("csrf", "guess"), ("version", &version), ("ends_on", "")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(assignments(&api, &city).await[0]["active"], json!(true));

    // Ended plainly: back to the enterprise's page, saying so.
    let ended = http
        .post(format!("{}{end_path}", scene.base))
        .header("cookie", &official)
        .form(&[
            ("csrf", official_csrf.as_str()),
            ("version", &version),
            ("ends_on", "2025-06-18"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        ended.headers()["location"],
        "/enterprises/beta?done=steward_ended#stewards"
    );
    // Again at the version read before: the conflict in words, the date
    // typed kept, the assignment as it stands.
    let (status, html) = post_form(
        &http,
        &scene,
        &official,
        &end_path,
        &[
            ("csrf", official_csrf.as_str()),
            ("version", &version),
            ("ends_on", "2025-06-17"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("其他人已先一步修改了这项任职"), "{html}");
    assert!(html.contains("value=\"2025-06-17\""), "the date typed kept");
    let now = &assignments(&api, &city).await[0];
    assert_eq!(now["ends_on"], json!("2025-06-18"), "ended once: {now}");
}
