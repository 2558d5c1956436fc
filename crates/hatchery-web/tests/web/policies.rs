//! Policies (惠企政策, issue 14) in the browser and over HTTP.
//!
//! In the browser: Shenzhen's city office drafts a policy through the form
//! (a last day before the first refused beside its field), adds an item
//! whose eligibility first does not parse (said in words naming the line,
//! the text kept) and then does, publishes it — the criteria engine
//! matches Shenzhen's potential unicorns and unicorns —, runs the matching
//! again as of another day (no duplicates), and pushes alpha's match, which
//! the city then finds on alpha's page with its state. Alpha sees it marked
//! new on its dashboard until it opens it, finds the application
//! pre-filled with what the system holds (each value with its source and
//! date, the tier by its name) and corrects a value from it, and applies
//! from the dashboard; the city
//! starts the review and rejects it, first without a reason (refused beside
//! the field), then with one; alpha reads the reason. Every page is
//! recorded in both languages.
//!
//! Over HTTP: a role without the capability gets no form, and its posted
//! form is refused and changes nothing; a forged token changes nothing.

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::browser::{Tour, browser_available, screenshot_dir, start_browser};
use crate::http::{client, sign_in};
use crate::support::{Api, PASSWORD, add_account, set_scene};

/// Shenzhen's potential unicorns and unicorns: alpha, beta and the 22.
const ELIGIBILITY: &str = r#"key = "sz-growth-award"
version = "1"
title = "成长奖补"
title_en = "Growth award"

[[tiers]]
key = "eligible"
name = "符合"
name_en = "Eligible"
when = [
  { tier = { rules = "gei", in = ["potential", "unicorn"] } },
  { region_prefix = ["4403"] },
]"#;

/// The same with line 3 broken (an unclosed string).
const BROKEN: &str = "key = \"sz-growth-award\"\nversion = \"1\"\ntitle = \"成长奖补\n\n[[tiers]]\nkey = \"eligible\"\n";

async fn sign_in_as(tour: &Tour, username: &str) {
    tour.go("/signin").await;
    tour.sign_in(username, PASSWORD).await;
    assert_eq!(tour.path().await, "/", "{username} signed in");
}

async fn has(tour: &Tour, css: &str) -> bool {
    tour.client.find(Locator::Css(css)).await.is_ok()
}

/// Sets a form control's value by script (date inputs take no typing
/// that is the same in every locale).
async fn set(tour: &Tour, css: &str, value: &str) {
    tour.script(&format!(
        "document.querySelector({}).value = {};",
        json!(css),
        json!(value)
    ))
    .await;
}

/// The step buttons on the page, in order.
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

/// The id of `enterprise`'s match of policy `policy`, through the API.
async fn match_of(api: &Api, token: &str, policy: i64, enterprise: &str) -> i64 {
    let listed = api
        .call(
            token,
            reqwest::Method::GET,
            &format!("/api/policy-matches?policy={policy}&per_page=100"),
            Value::Null,
        )
        .await;
    listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["enterprise"] == enterprise)
        .and_then(|m| m["id"].as_i64())
        .unwrap_or_else(|| panic!("no match of {enterprise}: {listed}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_written_matched_pushed_applied_for_and_rejected_in_the_browser() {
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
    let walked = tokio::spawn(async move { walk(&tour, &api).await }).await;
    let _ = client.close().await;
    let _ = driver.kill().await;
    if let Some(stop) = scene.stop.take() {
        let _ = stop.send(());
    }
    if let Err(error) = walked {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn walk(tour: &Tour, api: &Api) {
    // ── The city drafts a policy. ──
    sign_in_as(tour, "sz.api").await;
    tour.click("nav a[href='/policies']").await;
    assert!(tour.text("#count").await.contains("共 0 项政策"));
    tour.fill("#title", "深圳市支持独角兽企业发展若干措施")
        .await;
    tour.fill("#issuer", "深圳市人民政府办公厅").await;
    tour.fill("#document_number", "深府办〔2025〕3号").await;
    tour.fill("#source_url", "https://www.sz.gov.cn/").await;
    set(tour, "#published_on", "2025-05-20").await;
    set(tour, "#valid_from", "2025-06-01").await;
    set(tour, "#valid_until", "2025-05-31").await;
    tour.click("#create").await;
    assert_eq!(
        tour.text("#valid_until-error").await,
        "失效日期不能早于生效日期。"
    );
    assert_eq!(
        tour.value("#title").await,
        "深圳市支持独角兽企业发展若干措施"
    );
    assert!(
        tour.text("#count").await.contains("共 0 项政策"),
        "nothing written"
    );
    // A form's answer: a language switch reloads the page without it.
    tour.record("policies-refused", "zh-CN").await;
    set(tour, "#valid_until", "2027-12-31").await;
    tour.click("#create").await;
    let path = tour.path().await;
    assert!(
        path.ends_with("?done=create"),
        "{path}: {}",
        tour.text("main").await
    );
    let policy: i64 = path
        .trim_start_matches("/policies/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(tour.text("#state").await.contains("草稿"));
    assert!(
        tour.text("#validity")
            .await
            .contains("2025年6月1日 至 2027年12月31日")
    );

    // ── An item whose eligibility does not parse: said, naming the line. ──
    tour.fill("#title", "成长奖补").await;
    set(tour, "#amount_kind", "capped").await;
    tour.fill("#amount", "500000").await;
    tour.fill("#amount_rule", "研发投入的 10%").await;
    set(tour, "#mode", "fast_application").await;
    set(tour, "#eligibility", BROKEN).await;
    tour.click("#do-item").await;
    let said = tour.text("#eligibility-error").await;
    assert!(said.contains("第 3 行有误"), "{said}");
    assert_eq!(
        tour.value("#title").await,
        "成长奖补",
        "what was typed is kept"
    );
    assert!(
        tour.value("#eligibility")
            .await
            .contains("title = \"成长奖补")
    );
    assert!(
        !has(tour, "article[id^=item-]").await,
        "no item added: {}",
        tour.body().await
    );
    // A form's answer: a language switch reloads the page without it.
    tour.record("policy-item-refused", "zh-CN").await;
    set(tour, "#eligibility", ELIGIBILITY).await;
    tour.click("#do-item").await;
    assert!(tour.path().await.ends_with("?done=item"));
    let item = tour.text("article[id^=item-]").await;
    assert!(
        item.contains("奖补")
            && item.contains("最高50万元（研发投入的 10%）")
            && item.contains("快申快享")
            && item.contains("60 个工作日内兑付")
            && item.contains("region_prefix = [\"4403\"]"),
        "{item}"
    );
    tour.both("policy-draft", "zh-CN").await;

    // ── Published: matched as of today; matched again as of another day. ──
    tour.click("#do-publish").await;
    assert!(tour.path().await.ends_with("?done=publish"));
    assert!(tour.text("#state").await.contains("已发布"));
    assert!(tour.text("#matches-count").await.contains("共 24 条匹配"));
    assert!(
        !has(tour, "#form-item").await,
        "no item added once published"
    );
    set(tour, "#as_of", "2025-06-01").await;
    tour.click("#do-match").await;
    let run = tour.text("#run").await;
    assert!(
        run.contains("截至 2025年6月1日")
            && run.contains("成长奖补：24 家企业符合条件，其中新匹配 0 家，此前已匹配 24 家"),
        "{run}"
    );
    tour.both("policy-published", "zh-CN").await;
    tour.go("/policies").await;
    let row = tour.text(&format!("#policy-{policy}")).await;
    assert!(
        row.contains("深府办〔2025〕3号") && row.contains("已发布"),
        "{row}"
    );
    tour.both("policies", "zh-CN").await;

    // ── Alpha's match pushed. ──
    let city = api.token("sz.api").await;
    let id = match_of(api, &city, policy, "alpha").await;
    tour.go(&format!("/policies/matches/{id}")).await;
    assert!(tour.text("#state").await.contains("已匹配"));
    assert_eq!(tour.text("#owner").await, "深圳市");
    assert_eq!(steps_offered(tour).await, ["do-push"]);
    tour.click("#do-push").await;
    assert!(tour.text("#state").await.contains("已推送"));
    assert_eq!(
        tour.text("#owner").await,
        "深圳甲科技有限公司（待企业申请）"
    );
    assert!(
        steps_offered(tour).await.is_empty(),
        "the enterprise applies"
    );
    tour.both("policy-match-pushed", "zh-CN").await;
    // ── The city on alpha's page: its matches with their state. ──
    tour.go("/enterprises/alpha").await;
    let section = tour.text("#policies-section").await;
    assert!(
        section.contains("该企业的政策匹配与兑现") && section.contains("本辖区内共 1 条匹配"),
        "{section}"
    );
    let row = tour.text(&format!("#enterprise-matches-{id}")).await;
    assert!(
        row.contains("成长奖补") && row.contains("已推送") && row.contains("深府办〔2025〕3号"),
        "{row}"
    );
    assert!(
        !has(tour, &format!("#new-{id}")).await,
        "the city opened it: not unread to the city"
    );
    assert!(
        !has(tour, &format!("#apply-{id}")).await,
        "officials do not apply"
    );
    tour.both("enterprise-policy-matches", "zh-CN").await;
    // The section alone as well (the whole page is taller than a shot).
    let only_section = "document.querySelectorAll('main > *').forEach(e => { \
         if (e.id !== 'policies-section' && e.tagName !== 'H1') e.remove(); });";
    tour.script(only_section).await;
    tour.record("enterprise-policy-matches-section", "zh-CN")
        .await;
    tour.click("a.lang").await;
    tour.script(only_section).await;
    tour.record("enterprise-policy-matches-section", "en").await;
    tour.click("a.lang").await;
    // Beta's page lists none of alpha's.
    tour.go("/enterprises/beta").await;
    assert!(!has(tour, &format!("#enterprise-matches-{id}")).await);
    tour.go("/enterprises/alpha").await;
    tour.click(&format!(
        "#enterprise-matches-{id} a[href='/policies/matches/{id}']"
    ))
    .await;
    assert_eq!(tour.path().await, format!("/policies/matches/{id}"));
    tour.sign_out().await;

    // ── The enterprise: new on its dashboard; applies from there. ──
    sign_in_as(tour, "alpha.user").await;
    assert!(
        tour.text("#policies-new")
            .await
            .contains("有 1 项政策新推送给您")
    );
    let card = tour.text("#policies-card").await;
    assert!(
        card.contains("成长奖补") && card.contains("新推送") && card.contains("已推送"),
        "{card}"
    );
    assert!(has(tour, &format!("#new-{id}")).await);
    tour.both("dashboard-policies", "zh-CN").await;
    tour.go("/enterprises/alpha").await;
    assert!(tour.text("#policies-section").await.contains("成长奖补"));
    assert!(
        has(tour, &format!("#new-{id}")).await,
        "not yet read by alpha's account"
    );
    // Opened: read by this account, no longer new, still to apply for.
    tour.go(&format!("/policies/matches/{id}")).await;
    assert!(tour.text("#state").await.contains("已推送"));
    // The application is pre-filled with what the system holds ("enter
    // once"), each value with its source and date, the tier by its name.
    let name = tour.text("#held-name").await;
    assert!(
        name.contains("深圳甲科技有限公司") && name.contains("台账导入 browser-test"),
        "{name}"
    );
    let tier = tour.text("#held-tier").await;
    assert!(
        tier.contains("独角兽") && !tier.contains("potential") && !tier.contains("unicorn"),
        "the tier by its name, not its key: {tier}"
    );
    // Names, never keys: the zone, the industries, the round's money.
    let zone = tour.text("#held-zone").await;
    assert!(
        zone.contains("深圳市高新技术产业园区") && !zone.contains("hz-440300-1"),
        "{zone}"
    );
    let industries = tour.text("#held-industries").await;
    assert!(industries.contains("人工智能"), "{industries}");
    let round = tour.text("#held-latest_round").await;
    assert!(
        round.contains("万美元") && !round.contains("60000000"),
        "{round}"
    );
    let contact = tour.text("#held-contact_phone").await;
    assert!(
        contact.contains("0755-12345678") && contact.contains("申报"),
        "{contact}"
    );
    tour.both("policy-apply-held", "zh-CN").await;
    // Corrected from the application: back on the match, still to apply
    // for, the new value shown as corrected by the account.
    tour.tick("#held-contact_phone summary").await;
    tour.fill("#correct-contact_phone-value", "0755-11112222")
        .await;
    tour.click("#correct-contact_phone button[value=correct]")
        .await;
    assert_eq!(tour.path().await, format!("/policies/matches/{id}"));
    let contact = tour.text("#held-contact_phone").await;
    assert!(
        contact.contains("0755-11112222") && contact.contains("由 alpha.user 更正"),
        "{contact}"
    );
    assert!(tour.text("#state").await.contains("已推送"));
    assert!(has(tour, "#form-apply").await, "still to apply for");
    tour.both("policy-apply-corrected", "zh-CN").await;
    tour.go("/").await;
    assert!(!has(tour, "#policies-new").await, "read: no longer new");
    assert!(!has(tour, &format!("#new-{id}")).await);
    assert!(has(tour, &format!("#apply-{id}")).await);
    tour.go("/policies").await;
    assert!(
        !has(tour, "#create-policy").await,
        "an enterprise writes no policy"
    );
    assert!(
        tour.text(&format!("#policy-{policy}"))
            .await
            .contains("深府办〔2025〕3号")
    );
    tour.go("/").await;
    tour.click(&format!("#apply-{id}")).await;
    assert_eq!(
        tour.path().await,
        format!("/policies/matches/{id}?done=apply")
    );
    assert!(tour.text("#state").await.contains("已申请"));
    assert_eq!(tour.text("#owner").await, "深圳市");
    assert!(tour.text("#clock").await.contains("已 0 个工作日"));
    tour.go("/").await;
    assert!(!has(tour, "#policies-new").await, "applied: no longer new");
    tour.sign_out().await;

    // ── The city reviews and rejects, a reason required. ──
    sign_in_as(tour, "sz.api").await;
    tour.go(&format!("/policies/matches/{id}")).await;
    tour.click("#do-review").await;
    assert!(tour.text("#state").await.contains("审核中"));
    assert_eq!(steps_offered(tour).await, ["do-approve", "do-reject"]);
    tour.click("#do-reject").await;
    assert_eq!(tour.text("#reject-reason-error").await, "请写明理由。");
    assert!(
        tour.text("#state").await.contains("审核中"),
        "nothing changed"
    );
    // A form's answer: a language switch reloads the page without it.
    tour.record("policy-match-reason-missing", "zh-CN").await;
    tour.fill(
        "#reject-reason",
        "2024年度研发投入未达到申报条件规定的 1000 万元。",
    )
    .await;
    tour.click("#do-reject").await;
    assert!(tour.text("#state").await.contains("未通过"));
    assert_eq!(tour.text("#owner").await, "已办结");
    tour.sign_out().await;

    // ── The enterprise reads the reason. ──
    sign_in_as(tour, "alpha.user").await;
    tour.go(&format!("/policies/matches/{id}")).await;
    assert!(tour.text("#state").await.contains("未通过"));
    assert_eq!(
        tour.text("#reason-text").await,
        "2024年度研发投入未达到申报条件规定的 1000 万元。"
    );
    assert!(steps_offered(tour).await.is_empty());
    let history = tour.text("#history").await;
    assert!(
        history.contains("推送给企业") && history.contains("申请") && history.contains("不予通过"),
        "{history}"
    );
    tour.both("policy-match-rejected", "zh-CN").await;
    tour.click("a.lang").await;
    assert!(tour.text("#state").await.contains("Rejected"));
    tour.click("a.lang").await;
    tour.sign_out().await;
}

/// The version the first form of a page carries.
fn version_in(html: &str) -> String {
    let needle = "name=\"version\" value=\"";
    let at = html.find(needle).expect("a version field") + needle.len();
    html[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

/// A role without the capability gets no form and its posted form changes
/// nothing; a form without the session's token changes nothing.
#[tokio::test]
async fn a_role_without_the_capability_gets_no_form_and_its_post_changes_nothing() {
    let scene = set_scene(true).await;
    let api = Api {
        base: scene.base.clone(),
        http: reqwest::Client::new(),
    };
    let admin = api.token("admin").await;
    add_account(
        &api,
        &admin,
        "vc.partner",
        "investor",
        json!({"jurisdiction": "440000"}),
    )
    .await;
    let city = api.token("sz.api").await;
    let form = json!({"issuer": "深圳市人民政府办公厅", "document_number": "深府办〔2025〕3号",
        "title": "深圳市支持独角兽企业发展若干措施", "published_on": "2025-05-20",
        "valid_from": "2025-06-01"});
    let published = api.post(&city, "/api/policies", form.clone()).await;
    let published_id = published["id"].as_i64().unwrap();
    let item = |version: &Value| {
        json!({"version": version, "title": "成长奖补", "class": "award",
               "amount": {"kind": "fixed", "amount": "100000"}, "mode": "regular",
               "eligibility": ELIGIBILITY})
    };
    api.post(
        &city,
        &format!("/api/policies/{published_id}/items"),
        item(&published["version"]),
    )
    .await;
    let policy = |id: i64| {
        let api = &api;
        let city = &city;
        async move {
            api.call(
                city,
                reqwest::Method::GET,
                &format!("/api/policies/{id}"),
                Value::Null,
            )
            .await
        }
    };
    let version = policy(published_id).await["policy"]["version"].clone();
    api.post(
        &city,
        &format!("/api/policies/{published_id}/publish"),
        json!({"version": version}),
    )
    .await;
    let draft = api.post(&city, "/api/policies", form).await;
    let draft_id = draft["id"].as_i64().unwrap();
    let count = || async {
        api.call(&city, reqwest::Method::GET, "/api/policies", Value::Null)
            .await["total"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(count().await, 2);

    let http = client();
    for username in ["alpha.user", "vc.partner"] {
        let (session, csrf) = sign_in(&scene, username).await;
        let cookie = format!("hatchery_session={session}; hatchery_csrf={csrf}");
        // No form to write a policy, nor to manage one.
        let list = http
            .get(format!("{}/policies", scene.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(list.status(), reqwest::StatusCode::OK);
        let html = list.text().await.unwrap();
        assert!(html.contains("深府办〔2025〕3号"), "{username}: {html}");
        assert!(!html.contains("id=\"create-policy\""), "{username}: {html}");
        let page = http
            .get(format!("{}/policies/{published_id}", scene.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("成长奖补"), "{username}: {page}");
        for form in ["form-withdraw", "form-match", "form-item", "form-publish"] {
            assert!(
                !page.contains(&format!("id=\"{form}\"")),
                "{username}: {form}"
            );
        }
        // Posted anyway, with the session's own token: refused in words.
        let posted = http
            .post(format!("{}/policies", scene.base))
            .header("cookie", &cookie)
            .form(&[
                ("csrf", csrf.as_str()),
                ("title", "冒名政策"),
                ("issuer", "某机关"),
                ("document_number", "某〔2025〕1号"),
                ("published_on", "2025-06-01"),
                ("valid_from", "2025-06-01"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            posted.status(),
            reqwest::StatusCode::FORBIDDEN,
            "{username}"
        );
        assert!(
            posted
                .text()
                .await
                .unwrap()
                .contains("您的角色不能查看或执行此操作"),
            "{username}"
        );
        // The page has no version field for these roles: the API's.
        let current = policy(published_id).await["policy"]["version"].to_string();
        let withdrawn = http
            .post(format!("{}/policies/{published_id}/withdraw", scene.base))
            .header("cookie", &cookie)
            .form(&[
                ("csrf", csrf.as_str()),
                ("version", current.as_str()),
                ("reason", "撤回"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            withdrawn.status(),
            reqwest::StatusCode::FORBIDDEN,
            "{username}"
        );
    }
    assert_eq!(count().await, 2, "no policy written");
    assert_eq!(
        policy(published_id).await["policy"]["state"],
        "published",
        "not withdrawn"
    );

    // The city itself, with a forged token: nothing published.
    let (session, csrf) = sign_in(&scene, "sz.api").await;
    let cookie = format!("hatchery_session={session}; hatchery_csrf={csrf}");
    let page = http
        .get(format!("{}/policies/{draft_id}", scene.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"form-publish\""), "the city may publish");
    let forged = http
        .post(format!("{}/policies/{draft_id}/publish", scene.base))
        .header("cookie", &cookie)
        .form(&[("csrf", "guess"), ("version", version_in(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), reqwest::StatusCode::FORBIDDEN);
    assert!(forged.text().await.unwrap().contains("表单已过期"));
    assert_eq!(policy(draft_id).await["policy"]["state"], "draft");
}
