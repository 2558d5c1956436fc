//! A declaration walked entirely through the browser, from the enterprise
//! to a confirmed member of the pool: pre-filled from the ledger, checked
//! by the engine, evidence attached, reviewed by the city, recommended in
//! a batch by the province, accepted by the ministry, objected to during
//! its public notice, the objection resolved, confirmed; then the yearly
//! re-evaluation's proposal decided by the province. In Chinese and in
//! English, every new page recorded in both. Bad values keep what was
//! typed; a reviewer who comes second is told so plainly.

use std::path::PathBuf;

use fantoccini::Locator;
use hatchery_app::ManualClock;
use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::browser::{Tour, browser_available, screenshot_dir, start_browser};
use crate::http::{client, sign_in};
use crate::support::{Api, INITIAL, PASSWORD, set_scene};

/// Signs in on the sign-in page the browser is on.
async fn sign_in_here(tour: &Tour, username: &str) {
    tour.fill("#username", username).await;
    tour.fill("#password", PASSWORD).await;
    tour.click("form[action='/signin'] button[type=submit]")
        .await;
}

/// Signs out, waiting for the sign-in page.
async fn sign_out(tour: &Tour) {
    tour.click("form[action='/signout'] button").await;
}

/// An account made by the administrator, its password then set by itself.
async fn account(api: &Api, admin: &str, username: &str, role: &str, binding: Value) {
    let mut body =
        json!({"username": username, "display_name": username, "role": role, "password": INITIAL});
    for (k, v) in binding.as_object().unwrap() {
        body[k] = v.clone();
    }
    api.post(admin, "/api/accounts", body).await;
    set_password(api, username).await;
}

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

/// The declaration id at the end of the browser's path `/declarations/ID…`.
fn id_in(path: &str) -> i64 {
    path.trim_start_matches("/declarations/")
        .split(['?', '/'])
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no declaration in {path}"))
}

/// A file to upload, written to a temporary directory.
fn file(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declaration_walked_through_the_browser_into_the_pool() {
    if !browser_available() {
        return;
    }
    let mut scene = set_scene(false).await;
    let api = Api {
        base: scene.base.clone(),
        http: reqwest::Client::new(),
    };
    let admin = api.token("admin").await;
    // The enterprise that declares: one of Shenzhen's (US$550m, founded
    // 2020: a potential unicorn by clause b). The second city reviewer
    // gets a password of its own.
    account(
        &api,
        &admin,
        "sz01.user",
        "enterprise",
        json!({"enterprise": "sz01"}),
    )
    .await;
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

async fn sign_in_as(tour: &Tour, username: &str) {
    tour.go("/signin").await;
    sign_in_here(tour, username).await;
    assert_eq!(tour.path().await, "/", "{username} signed in");
}

async fn walk(tour: &Tour, api: &Api, clock: &ManualClock) {
    let files = tempfile::tempdir().unwrap();

    // ── The enterprise, in Chinese: the form starts from what is held. ──
    sign_in_as(tour, "sz01.user").await;
    tour.go("/declarations").await;
    tour.click("a[href='/declarations/new']").await;
    assert_eq!(tour.path().await, "/declarations/new");
    let held = tour.text("#held").await;
    assert!(
        held.contains("深圳第1号科技有限公司") && held.contains("台账导入"),
        "{held}"
    );
    assert!(
        held.contains("5.5亿美元") && held.contains("2023年1月1日") && held.contains("test"),
        "the valuation with its source and date: {held}"
    );
    assert!(held.contains("潜在独角兽"), "the engine's tier: {held}");
    let tier = tour.text("#held-tier").await;
    assert!(
        tier.contains("潜在独角兽") && !tier.contains("potential"),
        "the tier by its name, not its key: {tier}"
    );
    assert!(
        tour.client
            .find(Locator::Css("#correct-contact_phone"))
            .await
            .is_ok(),
        "the contact is corrected from the same table as the request form's"
    );
    assert_eq!(tour.value("#tier").await, "potential", "pre-selected");
    assert_eq!(tour.value("#cycle").await, "2025");
    let precheck = tour
        .text("#precheck-h + p + p, #precheck-h ~ p.verdict")
        .await;
    assert!(precheck.contains("潜在独角兽"), "{precheck}");
    assert!(
        tour.client
            .find_all(Locator::Css("#precheck-h ~ div table.checks tbody tr, #precheck-h ~ details table.checks tbody tr"))
            .await
            .unwrap()
            .len()
            >= 5,
        "every condition: required, found, pass"
    );
    tour.both("declaration-new", "zh-CN").await;

    // Bad values: each problem beside its field, everything typed kept,
    // nothing saved.
    tour.fill("#cycle", "1999").await;
    tour.script("document.getElementById('summary').value = '长'.repeat(4001);")
        .await;
    tour.fill("#contact_name", "李四").await;
    tour.fill("#contact_phone", "0755-87654321").await;
    tour.click("#save").await;
    assert!(
        tour.text("#cycle-error").await.contains("2000 至 2100"),
        "the cycle's problem beside it"
    );
    assert!(tour.text("#summary-error").await.contains("过长"));
    assert_eq!(tour.value("#cycle").await, "1999");
    assert_eq!(tour.value("#contact_name").await, "李四");
    assert_eq!(tour.value("#contact_phone").await, "0755-87654321");
    assert_eq!(tour.value("#summary").await.chars().count(), 4001);
    tour.record("declaration-new-errors", "zh-CN").await;
    let sz01 = api.token("sz01.user").await;
    let listed = api
        .call(
            &sz01,
            reqwest::Method::GET,
            "/api/declarations?enterprise=sz01",
            Value::Null,
        )
        .await;
    assert_eq!(listed["total"], 0, "nothing half-saved");

    tour.fill("#cycle", "2025").await;
    tour.fill("#summary", "面向制造业的视觉检测平台，已服务 300 家工厂。")
        .await;
    tour.click("#save").await;
    let path = tour.path().await;
    assert_ne!(path, "/declarations/new", "{}", tour.body().await);
    let id = id_in(&path);
    assert!(tour.text("#state").await.contains("草稿"));
    assert!(
        tour.body().await.contains("按今天的企业库数据实时判定"),
        "the live pre-check before submitting"
    );

    // Evidence: a file whose content is not its type is refused beside
    // the field; a real PDF is attached.
    let fake = file(&files, "假材料.pdf", b"not a pdf at all");
    tour.client
        .find(Locator::Css("#file"))
        .await
        .unwrap()
        .send_keys(fake.to_str().unwrap())
        .await
        .unwrap();
    tour.click("#upload").await;
    assert!(tour.text("#file-error").await.contains("PDF"));
    tour.record("declaration-evidence-error", "zh-CN").await;
    let pdf = file(&files, "营业执照.pdf", b"%PDF-1.4\n%hatchery test\n%%EOF\n");
    tour.client
        .find(Locator::Css("#file"))
        .await
        .unwrap()
        .send_keys(pdf.to_str().unwrap())
        .await
        .unwrap();
    tour.click("#upload").await;
    assert!(tour.text("#evidence-h + ul").await.contains("营业执照.pdf"));
    tour.click("#do-submit").await;
    assert!(tour.text("#done").await.contains("提交审核"));
    assert!(tour.text("#state").await.contains("已提交"));
    assert!(tour.body().await.contains("提交时随申报存档的判定结果"));
    tour.both("declaration", "zh-CN").await;
    sign_out(tour).await;

    // ── The city, in Chinese: its inbox, a reason required to return. ──
    sign_in_as(tour, "sz.api").await;
    tour.click("nav a[href='/declarations']").await;
    let inbox = tour.body().await;
    assert!(
        inbox.contains("深圳第1号科技有限公司") && inbox.contains("深圳甲科技有限公司"),
        "{inbox}"
    );
    tour.both("declarations", "zh-CN").await;
    tour.go(&format!("/declarations/{id}")).await;
    tour.click("#do-return").await;
    assert_eq!(tour.text("#reason-error").await, "请写明理由。");
    tour.fill("#reason", "材料齐全，同意").await;
    tour.click("#do-approve").await;
    assert!(tour.text("#state").await.contains("市级已通过"));
    assert!(tour.text("#history").await.contains("材料齐全，同意"));

    // Someone else acts first: the other city reviewer approves alpha's
    // declaration (through the API) while this one has it open.
    tour.go("/declarations/1").await;
    assert!(tour.text("#state").await.contains("已提交"));
    api.act(&api.token("sz.reviewer").await, 1, "approve", Some("同意"))
        .await;
    tour.fill("#reason", "我也同意").await;
    tour.click("#do-approve").await;
    let problem = tour.text("#problem").await;
    assert!(
        problem.contains("其他人已先一步办理了这份申报") && problem.contains("市级已通过"),
        "plainly, with the state now: {problem}"
    );
    tour.record("declaration-conflict", "zh-CN").await;

    // ── The province: a batch with nothing selected says so… ──
    sign_out(tour).await;
    sign_in_as(tour, "gd.reviewer").await;
    tour.go("/declarations").await;
    tour.click("#recommend-selected").await;
    assert!(tour.body().await.contains("请至少选择一件申报"));
    tour.record("batch", "zh-CN").await;

    // …and in English, both approved declarations recommended in one post.
    tour.go("/declarations").await;
    tour.click("a.lang").await;
    assert!(tour.body().await.contains("Approved by the city"));
    tour.record("declarations-province", "en").await;
    tour.tick("#pick-1").await;
    tour.tick(&format!("#pick-{id}")).await;
    tour.fill("#batch-reason", "Recommended by Guangdong").await;
    tour.click("#recommend-selected").await;
    let outcomes = tour.text("#outcomes").await;
    assert!(
        tour.body()
            .await
            .contains("2 recommended, 0 not recommended"),
        "{outcomes}"
    );
    assert_eq!(outcomes.matches("Recommended by the province").count(), 2);
    tour.record("batch", "en").await;
    sign_out(tour).await;

    // ── The ministry accepts: the public notice opens. ──
    sign_in_as(tour, "moe.reviewer").await;
    tour.go(&format!("/declarations/{id}")).await;
    tour.click("#do-accept").await;
    assert!(tour.text("#state").await.contains("Under public notice"));
    assert!(tour.body().await.contains("2025-06-11 – 2025-06-17"));
    sign_out(tour).await;

    // ── The next day, a member of the public objects without an account,
    // in English: every problem beside its field, what was typed kept. ──
    clock.advance(SignedDuration::from_hours(24));
    tour.go("/publicity").await;
    tour.click(&format!("#object-{id}")).await;
    assert_eq!(tour.path().await, format!("/publicity/{id}/object"));
    assert!(tour.body().await.contains("No account is needed"));
    tour.fill("#contact", "call me maybe").await;
    tour.click("#lodge").await;
    assert_eq!(
        tour.text("#name-error").await,
        "Give your name or your organisation's (at most 100 characters)."
    );
    assert!(
        tour.text("#contact-error")
            .await
            .contains("telephone number")
    );
    assert!(
        tour.text("#truthful-error")
            .await
            .contains("Tick the declaration")
    );
    assert_eq!(tour.value("#contact").await, "call me maybe");
    tour.record("objection-public-errors", "en").await;
    tour.click("a.lang").await; // Chinese from here
    tour.fill("#name", "李四").await;
    tour.fill("#contact", "lisi@example.cn").await;
    tour.fill(
        "#grounds",
        "该企业宣传的核心专利登记在关联公司名下，请核实。",
    )
    .await;
    let proof = file(
        &files,
        "专利登记簿.pdf",
        b"%PDF-1.4\n%public objection\n%%EOF\n",
    );
    tour.client
        .find(Locator::Css("#file"))
        .await
        .unwrap()
        .send_keys(proof.to_str().unwrap())
        .await
        .unwrap();
    tour.tick("#truthful").await;
    tour.record("objection-public", "zh-CN").await;
    tour.click("#lodge").await;
    assert!(tour.text("#done").await.contains("您的异议已提交"));

    // ── An account objects as itself (signing in on the way). ──
    tour.go(&format!("/signin?next=/publicity/{id}/object"))
        .await;
    sign_in_here(tour, "beta.user").await;
    assert_eq!(
        tour.path().await,
        format!("/publicity/{id}/object"),
        "{}",
        tour.body().await
    );
    tour.click("a.lang").await;
    assert!(tour.body().await.contains("Lodged as beta.user"));
    tour.click("#lodge").await;
    assert_eq!(
        tour.text("#grounds-error").await,
        "State the facts and grounds."
    );
    tour.both("objection", "en").await;
    tour.click("a.lang").await; // Chinese from here
    tour.fill(
        "#grounds",
        "估值数据仅有单一来源，请核实。联系电话 020-12345678",
    )
    .await;
    tour.click("#lodge").await;
    assert!(tour.text("#done").await.contains("您的异议已提交"));
    sign_out(tour).await;

    // ── The ministry resolves both: it sees who objected and the file;
    // a resolution needs a reason. ──
    sign_in_as(tour, "moe.reviewer").await;
    tour.go(&format!("/declarations/{id}")).await;
    let objections = tour.text("#objections-h").await;
    assert!(objections.contains("公示异议"));
    let body = tour.body().await;
    assert!(body.contains("估值数据仅有单一来源"));
    assert!(
        body.contains("提出人（公众）：李四，联系方式：lisi@example.cn"),
        "{body}"
    );
    assert!(
        tour.text("a[id^=objection-file-]")
            .await
            .contains("专利登记簿.pdf")
    );
    assert!(
        tour.client.find(Locator::Css("#do-confirm")).await.is_err(),
        "no confirmation while the notice runs"
    );
    tour.both("declaration-objection", "zh-CN").await;
    tour.tick("input[name=upheld][value=no]").await;
    tour.click("button[id^=resolve-]").await;
    assert!(tour.text("#resolution-error").await.contains("请写明理由"));
    let kept = tour
        .script("return document.querySelector('input[name=upheld][value=no]').checked;")
        .await;
    assert_eq!(kept, true, "the outcome chosen is kept");
    tour.fill("textarea[id^=resolution-]", "经核查，专利已转让至该企业。")
        .await;
    tour.click("button[id^=resolve-]").await;
    assert!(
        tour.text("#objections-h + article")
            .await
            .contains("异议不成立")
    );
    tour.tick("input[name=upheld][value=no]").await;
    tour.fill(
        "textarea[id^=resolution-]",
        "经核查，估值另有公开报道佐证。",
    )
    .await;
    tour.click("button[id^=resolve-]").await;
    assert!(
        tour.client
            .find(Locator::Css("button[id^=resolve-]"))
            .await
            .is_err(),
        "both resolved"
    );
    sign_out(tour).await;

    // ── After the notice: confirmed into the pool. ──
    clock.advance(SignedDuration::from_hours(24 * 7));
    sign_in_as(tour, "moe.reviewer").await;
    tour.go(&format!("/declarations/{id}")).await;
    tour.click("#do-confirm").await;
    assert!(tour.text("#state").await.contains("已入库"));
    // Beta's notice ended too: confirmed as a potential unicorn, though
    // its US$1.5bn makes it a unicorn now.
    tour.go("/declarations/2").await;
    tour.click("#do-confirm").await;
    assert!(tour.text("#state").await.contains("已入库"));
    tour.click("nav a[href='/pool']").await;
    let members = tour.text("#members").await;
    assert!(
        members.contains("深圳第1号科技有限公司") && members.contains("深圳乙智能有限公司"),
        "{members}"
    );
    tour.both("pool", "zh-CN").await;
    tour.click("#reevaluate").await;
    assert!(tour.path().await.starts_with("/pool/proposals?ran=1"));
    assert!(tour.body().await.contains("建议升级：潜在独角兽 → 独角兽"));
    sign_out(tour).await;

    // ── The member's province decides the proposal, in the English its
    // reviewer chose for the batch: remembered by the account, though the
    // browser was switched to Chinese since. ──
    sign_in_as(tour, "gd.reviewer").await;
    tour.go("/pool/proposals").await;
    assert!(
        tour.body()
            .await
            .contains("Promotion: Potential unicorn → Unicorn")
    );
    tour.both("proposals", "en").await;
    tour.click("button[id^=accept-]").await;
    assert!(tour.text("#done").await.contains("decided"));
    assert!(tour.body().await.contains("Accepted"));
    tour.go("/pool?tier=unicorn").await;
    assert!(tour.text("#members").await.contains("深圳乙智能有限公司"));
    sign_out(tour).await;
}

/// The version a declaration page's forms carry.
fn version_in(html: &str) -> String {
    let needle = "name=\"version\" value=\"";
    let at = html.find(needle).expect("a version field") + needle.len();
    html[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

#[tokio::test]
async fn a_forged_or_stale_step_changes_nothing() {
    let scene = set_scene(true).await;
    let http = client();
    let (session, csrf) = sign_in(&scene, "sz.api").await;
    let cookie = format!("hatchery_session={session}; hatchery_csrf={csrf}");
    let page = |path: &str| {
        http.get(format!("{}{path}", scene.base))
            .header("cookie", &cookie)
            .send()
    };
    let post = |path: &str, form: Vec<(&str, String)>| {
        http.post(format!("{}{path}", scene.base))
            .header("cookie", &cookie)
            .form(&form)
            .send()
    };
    // Alpha's declaration waits for the city.
    let html = page("/declarations/1").await.unwrap().text().await.unwrap();
    let version = version_in(&html);
    assert!(html.contains("id=\"do-approve\""), "the city may approve");

    // A form without the session's token: refused, nothing taken.
    let forged = post(
        "/declarations/1/act",
        vec![
            ("csrf", "guess".into()),
            ("version", version.clone()),
            ("action", "approve".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(forged.status(), reqwest::StatusCode::FORBIDDEN);
    let forged_batch = post(
        "/declarations/recommend",
        vec![("csrf", "guess".into()), ("pick", format!("1:{version}"))],
    )
    .await
    .unwrap();
    assert_eq!(forged_batch.status(), reqwest::StatusCode::FORBIDDEN);
    let html = page("/declarations/1").await.unwrap().text().await.unwrap();
    assert_eq!(version_in(&html), version, "nothing changed");

    // A version read before someone else's step: the conflict, in words.
    let stale = post(
        "/declarations/1/act",
        vec![
            ("csrf", csrf.clone()),
            ("version", (version.parse::<i64>().unwrap() - 1).to_string()),
            ("action", "approve".into()),
            ("reason", "同意".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(stale.status(), reqwest::StatusCode::CONFLICT);
    let html = stale.text().await.unwrap();
    assert!(html.contains("其他人已先一步办理了这份申报"), "{html}");
    assert!(
        html.contains(">同意</textarea>"),
        "the reason typed is kept"
    );
    let html = page("/declarations/1").await.unwrap().text().await.unwrap();
    assert_eq!(version_in(&html), version, "nothing changed");
}
