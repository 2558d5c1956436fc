//! The service catalogue in the browser and over HTTP (issue 14).
//!
//! In the browser, Shenzhen's city reviewer registers two providers (a
//! wrong credit code refused beside its field first), creates a menu (a
//! blank version refused), adds three items (a fixed fee without its
//! amount refused; one item only for super unicorns), publishes it (not
//! before it has an item), flags the second provider as dishonest (a
//! missing check date refused) — its item then withdrawn — composes
//! alpha's package for the year from the enterprise's page (a second one
//! for the same year refused) and starts the menu's next version. Alpha's
//! account then sees its package on the dashboard, the items for its tier
//! (never the flagged provider's, never the super unicorns') and its
//! package on 服务目录, and names an item in a request. Every page is
//! recorded in both languages at both widths.
//!
//! Over HTTP: roles without the capability get no form, and their POSTs
//! (or a forged one) are refused in words and change nothing.

use fantoccini::Locator;
use reqwest::StatusCode;
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

/// Whether the page has an element matching `css`.
async fn has(tour: &Tour, css: &str) -> bool {
    tour.client.find(Locator::Css(css)).await.is_ok()
}

/// Sets a `<select>`'s value.
async fn choose(tour: &Tour, css: &str, value: &str) {
    tour.script(&format!(
        "document.querySelector({css:?}).value = {value:?};"
    ))
    .await;
    assert_eq!(tour.value(css).await, value, "{css} has the option {value}");
}

/// The id at the end of a path `/services/menus/ID…`.
fn menu_in(path: &str) -> i64 {
    path.trim_start_matches("/services/menus/")
        .split(['?', '/'])
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no menu in {path}"))
}

/// The id of the provider called `name`, through the API.
async fn provider_id(api: &Api, token: &str, name: &str) -> i64 {
    let providers = api
        .call(token, reqwest::Method::GET, "/api/providers", Value::Null)
        .await;
    providers
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["id"].as_i64())
        .unwrap_or_else(|| panic!("no provider {name}: {providers}"))
}

/// The id of menu `menu`'s item titled `title`, through the API.
async fn item_id(api: &Api, token: &str, menu: i64, title: &str) -> i64 {
    let detail = api
        .call(
            token,
            reqwest::Method::GET,
            &format!("/api/menus/{menu}"),
            Value::Null,
        )
        .await;
    detail["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == title)
        .and_then(|i| i["id"].as_i64())
        .unwrap_or_else(|| panic!("no item {title}: {detail}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_catalogue_walked_through_the_browser() {
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

/// Adds an item through the menu page's form.
async fn add_item(tour: &Tour, item: (&str, &str, &str, i64, &[&str], &str, &str)) {
    let (category, title, description, provider, tiers, fee, amount) = item;
    choose(tour, "#item-category", category).await;
    tour.fill("#item-title", title).await;
    tour.fill("#item-description", description).await;
    choose(tour, "#item-provider", &provider.to_string()).await;
    for tier in tiers {
        tour.tick(&format!("#tier-{tier}")).await;
    }
    choose(tour, "#item-delivery", "online").await;
    choose(tour, "#item-fee", fee).await;
    tour.fill("#item-fee_amount", amount).await;
    tour.fill("#item-time_limit_days", "10").await;
    tour.click("#add-item").await;
}

async fn walk(tour: &Tour, api: &Api) {
    let city = api.token("sz.api").await;

    // ── Shenzhen's city reviewer: no menu yet; registers two providers. ──
    sign_in_as(tour, "sz.reviewer").await;
    tour.click("nav a[href='/services']").await;
    assert_eq!(tour.path().await, "/services");
    assert!(tour.text("#no-menus").await.contains("还没有服务菜单"));
    tour.both("services-empty", "zh-CN").await;
    tour.click("#providers-link").await;
    assert_eq!(tour.path().await, "/services/providers");
    assert!(has(tour, "#no-providers").await);
    tour.fill("#provider-name", "深圳市中小企业服务中心").await;
    choose(tour, "#provider-kind", "public_institution").await;
    tour.fill("#provider-uscc", "91440300123").await;
    tour.fill("#provider-contact", "0755-8888 1234").await;
    tour.click("#register").await;
    assert!(
        tour.text("#provider-uscc-error")
            .await
            .contains("统一社会信用代码无效"),
        "{}",
        tour.body().await
    );
    assert_eq!(tour.value("#provider-name").await, "深圳市中小企业服务中心");
    assert_eq!(tour.value("#provider-kind").await, "public_institution");
    assert!(has(tour, "#no-providers").await, "nothing registered");
    tour.record("providers-errors", "zh-CN").await;
    tour.fill("#provider-uscc", "").await;
    tour.click("#register").await;
    assert_eq!(tour.path().await, "/services/providers?done=registered");
    assert!(tour.text("#done").await.contains("已登记"));
    tour.fill("#provider-name", "某咨询服务有限公司").await;
    choose(tour, "#provider-kind", "firm").await;
    tour.fill("#provider-contact", "0755-8888 4321").await;
    tour.click("#register").await;
    let clean = provider_id(api, &city, "深圳市中小企业服务中心").await;
    let doubtful = provider_id(api, &city, "某咨询服务有限公司").await;
    let row = tour.text(&format!("#provider-{doubtful}")).await;
    assert!(
        row.contains("企业") && row.contains("尚未核查") && row.contains("可见"),
        "{row}"
    );

    // ── A menu: a blank version refused, then a draft. ──
    tour.go("/services").await;
    tour.fill("#menu-title", "深圳市独角兽企业服务菜单").await;
    tour.click("#create-menu").await;
    assert_eq!(tour.text("#menu-label-error").await, "此项必填。");
    assert_eq!(tour.value("#menu-title").await, "深圳市独角兽企业服务菜单");
    tour.record("services-errors", "zh-CN").await;
    tour.fill("#menu-label", "1.0").await;
    tour.click("#create-menu").await;
    let path = tour.path().await;
    assert!(path.ends_with("?done=created"), "{path}");
    let menu = menu_in(&path);
    assert_eq!(tour.text("#menu-state").await, "草稿");
    // Publishing an empty draft is refused in words.
    tour.click("#publish").await;
    assert!(
        tour.text("#publish-problem")
            .await
            .contains("还没有服务事项")
    );
    assert_eq!(tour.text("#menu-state").await, "草稿");
    // A fixed fee without its amount: refused beside it, the rest kept.
    add_item(
        tour,
        (
            "financing",
            "科创贷与首贷对接",
            "银行、担保与创投机构一对一对接",
            clean,
            &["potential", "unicorn"],
            "fixed",
            "",
        ),
    )
    .await;
    assert!(
        tour.text("#item-fee_amount-error")
            .await
            .contains("固定收费须填写金额")
    );
    assert_eq!(tour.value("#item-title").await, "科创贷与首贷对接");
    assert!(has(tour, "#no-items").await, "nothing added");
    tour.record("menu-item-errors", "zh-CN").await;
    tour.fill("#item-fee_amount", "1200.50").await;
    tour.click("#add-item").await;
    assert!(tour.path().await.ends_with("?done=item"));
    add_item(
        tour,
        (
            "legal",
            "知识产权与合规咨询",
            "合规体检与专利布局",
            doubtful,
            &["seed", "potential", "unicorn", "super_unicorn"],
            "negotiated",
            "",
        ),
    )
    .await;
    add_item(
        tour,
        (
            "listing",
            "境外上市辅导",
            "境外交易所上市前的一对一辅导",
            clean,
            &["super_unicorn"],
            "free",
            "",
        ),
    )
    .await;
    let financing = item_id(api, &city, menu, "科创贷与首贷对接").await;
    let legal = item_id(api, &city, menu, "知识产权与合规咨询").await;
    let listing = item_id(api, &city, menu, "境外上市辅导").await;
    let row = tour.text(&format!("#menu-items-{listing}")).await;
    assert!(row.contains("超级独角兽") && row.contains("免费"), "{row}");
    let row = tour.text(&format!("#menu-items-{financing}")).await;
    assert!(
        row.contains("融资服务")
            && row.contains("深圳市中小企业服务中心")
            && row.contains("潜在独角兽、独角兽")
            && row.contains("固定收费 1,200.50元")
            && row.contains("10个工作日"),
        "{row}"
    );
    tour.both("menu-draft", "zh-CN").await;
    tour.click("#publish").await;
    assert!(tour.path().await.ends_with("?done=published"));
    assert_eq!(tour.text("#menu-state").await, "已发布");
    assert!(
        !has(tour, "#item-form").await,
        "a published menu's items are frozen"
    );
    assert!(has(tour, "#next-form").await);
    tour.both("menu-published", "zh-CN").await;
    tour.go("/services").await;
    let listed = tour.text(&format!("#menu-{menu}")).await;
    assert!(
        listed.contains("深圳市独角兽企业服务菜单")
            && listed.contains("已发布")
            && listed.contains('3'),
        "{listed}"
    );
    tour.both("services", "zh-CN").await;

    // ── The second provider is found on the dishonest-entity list. ──
    tour.go("/services/providers").await;
    tour.tick(&format!("#flags-{doubtful} summary")).await;
    let x = format!("#flags-{doubtful}-");
    tour.tick(&format!("{x}dishonest")).await;
    tour.fill(&format!("{x}check_source"), "信用中国").await;
    tour.fill(&format!("{x}reason"), "列入失信被执行人名单")
        .await;
    tour.click(&format!("{x}save")).await;
    assert!(
        tour.text(&format!("{x}checked_on-error"))
            .await
            .contains("核查日期"),
        "{}",
        tour.body().await
    );
    assert_eq!(
        tour.value(&format!("{x}reason")).await,
        "列入失信被执行人名单"
    );
    assert!(
        !has(tour, &format!("#hidden-{doubtful}")).await,
        "not flagged yet"
    );
    tour.record("providers-flag-errors", "zh-CN").await;
    tour.script(&format!(
        "document.querySelector('{x}checked_on').value = '2025-06-08';"
    ))
    .await;
    tour.click(&format!("{x}save")).await;
    assert!(tour.path().await.contains("done=flags"));
    assert_eq!(tour.text(&format!("#hidden-{doubtful}")).await, "已隐藏");
    let row = tour.text(&format!("#provider-{doubtful}")).await;
    assert!(
        row.contains("列入失信名单（信用中国，2025年6月8日）"),
        "{row}"
    );
    tour.both("providers", "zh-CN").await;
    tour.go(&format!("/services/menus/{menu}")).await;
    assert!(
        tour.text(&format!("#menu-items-{legal}"))
            .await
            .contains("已下架")
    );

    // ── Alpha's package, from its page. ──
    tour.go("/enterprises/alpha").await;
    let usable = tour.text("#services").await;
    assert!(usable.contains("科创贷与首贷对接"), "{usable}");
    assert!(
        !usable.contains("知识产权与合规咨询"),
        "a flagged provider's item is hidden: {usable}"
    );
    assert!(
        !usable.contains("境外上市辅导"),
        "an item for another tier is not offered: {usable}"
    );
    assert!(has(tour, "#services-no-packages").await);
    assert_eq!(tour.value("#package-year").await, "2025");
    tour.tick(&format!("#pick-{financing}")).await;
    tour.fill("#package-note", "入库企业年度服务包").await;
    tour.click("#compose").await;
    assert_eq!(tour.path().await, "/services/packages/alpha?done=composed");
    assert!(
        tour.text("#package-2025")
            .await
            .contains("科创贷与首贷对接")
    );
    // A second package for the same year: refused beside the year.
    tour.tick(&format!("#pick-{financing}")).await;
    tour.click("#compose").await;
    assert_eq!(
        tour.text("#package-year-error").await,
        "该企业这一年度已有服务包。"
    );
    assert!(
        tour.script(&format!(
            "return document.getElementById('pick-{financing}').checked;"
        ))
        .await
            == Value::Bool(true),
        "the ticked item is still ticked"
    );
    tour.both("package", "zh-CN").await;
    tour.go("/enterprises/alpha").await;
    assert!(
        tour.text("#services-package-2025")
            .await
            .contains("科创贷与首贷对接")
    );
    tour.both("enterprise-services", "zh-CN").await;

    // ── The next version of the menu: a draft with the items copied. ──
    tour.go(&format!("/services/menus/{menu}")).await;
    tour.fill("#next-label", "2.0").await;
    tour.click("#make-next").await;
    let path = tour.path().await;
    assert!(path.ends_with("?done=version"), "{path}");
    assert_ne!(menu_in(&path), menu);
    assert_eq!(tour.text("#menu-state").await, "草稿");
    assert!(has(tour, "#item-form").await);
    assert!(
        !tour
            .text("#item-provider")
            .await
            .contains("某咨询服务有限公司"),
        "a flagged provider is not offered for new items"
    );
    tour.sign_out().await;

    // ── Alpha's account: its package, its items, a request naming one. ──
    sign_in_as(tour, "alpha.user").await;
    let card = tour.text("#package-card").await;
    assert!(
        card.contains("服务包（2025年）") && card.contains("科创贷与首贷对接"),
        "{card}"
    );
    tour.both("dashboard-package", "zh-CN").await;
    tour.click("nav a[href='/services']").await;
    let usable = tour.text("#usable").await;
    assert!(usable.contains("当前梯度"), "{usable}");
    assert!(usable.contains("科创贷与首贷对接"), "{usable}");
    assert!(
        !usable.contains("知识产权与合规咨询") && !usable.contains("境外上市辅导"),
        "{usable}"
    );
    assert!(tour.text("#packages").await.contains("2025年服务包"));
    assert!(
        !has(tour, "#menu-form").await,
        "an enterprise composes no menu"
    );
    tour.both("services-enterprise", "zh-CN").await;
    tour.click("#file-request").await;
    assert_eq!(tour.path().await, "/requests/new");
    let options = tour.text("#catalogue_item").await;
    assert!(
        options.contains("科创贷与首贷对接") && !options.contains("知识产权与合规咨询"),
        "{options}"
    );
    assert_eq!(tour.value("#catalogue_item").await, "");
    choose(tour, "#catalogue_item", &financing.to_string()).await;
    tour.both("request-new-item", "zh-CN").await;
    choose(tour, "#catalogue_item", &financing.to_string()).await;
    tour.fill("#title", "首贷对接进度").await;
    tour.fill("#body", "希望尽快对接两家银行的科创贷。").await;
    tour.click("#file").await;
    let path = tour.path().await;
    assert!(
        path.ends_with("?done=file"),
        "{path}: {}",
        tour.body().await
    );
    let request: i64 = path
        .trim_start_matches("/requests/")
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap();
    let alpha = api.token("alpha.user").await;
    let filed = api
        .call(
            &alpha,
            reqwest::Method::GET,
            &format!("/api/requests/{request}"),
            Value::Null,
        )
        .await;
    assert_eq!(
        filed["request"]["catalogue_item"].as_i64(),
        Some(financing),
        "{filed}"
    );
    // The request's page says what it was filed against.
    let item = tour.text("#catalogue-item").await;
    for part in [
        "科创贷与首贷对接",
        "深圳市独角兽企业服务菜单 1.0",
        "深圳市中小企业服务中心",
        "10 个工作日",
    ] {
        assert!(item.contains(part), "{part} in {item}");
    }
    tour.both("request-catalogue-item", "zh-CN").await;
    // The enterprise is led to its services, where the menus' items are.
    tour.click("#catalogue-menu-link").await;
    assert_eq!(tour.path().await, "/services");
    tour.sign_out().await;
    // The city is led to the menu itself.
    sign_in_as(tour, "sz.reviewer").await;
    tour.go(&format!("/requests/{request}")).await;
    assert!(
        tour.text("#catalogue-item")
            .await
            .contains("科创贷与首贷对接")
    );
    tour.click("#catalogue-menu-link").await;
    assert_eq!(tour.path().await, format!("/services/menus/{menu}"));
    tour.sign_out().await;
}

// ------------------------------------------------------------ HTTP

/// A GET or form POST as the signed-in `(session, csrf)`: status and body.
async fn page(
    base: &str,
    signed: &(String, String),
    path: &str,
    form: Option<&[(&str, &str)]>,
) -> (StatusCode, String) {
    let http = client();
    let cookie = format!("hatchery_session={}; hatchery_csrf={}", signed.0, signed.1);
    let request = match form {
        Some(form) => http.post(format!("{base}{path}")).form(form),
        None => http.get(format!("{base}{path}")),
    };
    let response = request.header("cookie", cookie).send().await.unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn roles_without_the_capability_get_no_form_and_change_nothing() {
    let scene = set_scene(true).await;
    let base = &scene.base;
    let api = Api {
        base: base.clone(),
        http: reqwest::Client::new(),
    };
    let city = api.token("sz.api").await;
    let menus = || async {
        api.call(&city, reqwest::Method::GET, "/api/menus", Value::Null)
            .await
    };
    let providers = || async {
        api.call(&city, reqwest::Method::GET, "/api/providers", Value::Null)
            .await
    };

    // An enterprise reads its services: no menu form, no providers page.
    let alpha = sign_in(&scene, "alpha.user").await;
    let (status, body) = page(base, &alpha, "/services", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("id=\"usable\""), "its services");
    assert!(!body.contains("action=\"/services/menus\""), "no menu form");
    let (status, body) = page(base, &alpha, "/services/providers", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!body.contains("action=\"/services/providers\""));
    // Its POSTs, with a good token, are refused in words and change nothing.
    let (status, body) = page(
        base,
        &alpha,
        "/services/menus",
        Some(&[
            ("csrf", &alpha.1),
            ("title", "企业自建菜单"),
            ("label", "1.0"),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("id=\"problem\""), "said in words: {body}");
    let (status, _) = page(
        base,
        &alpha,
        "/services/providers",
        Some(&[
            ("csrf", &alpha.1),
            ("name", "某机构"),
            ("kind", "firm"),
            ("contact", "123"),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(menus().await, json!([]));
    assert_eq!(providers().await, json!([]));

    // The ministry's administrator reads the catalogue but keeps no menu.
    let admin = sign_in(&scene, "admin").await;
    let (status, body) = page(base, &admin, "/services", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("id=\"read-only\""));
    assert!(!body.contains("<form method=\"post\" action=\"/services"));

    // An official's forged or invalid POSTs change nothing either.
    let official = sign_in(&scene, "sz.api").await;
    let (status, body) = page(base, &official, "/services", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("action=\"/services/menus\""), "the menu form");
    let (status, body) = page(
        base,
        &official,
        "/services/menus",
        Some(&[("csrf", "forged"), ("title", "深圳菜单"), ("label", "1.0")]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("表单已过期"), "{body}");
    let (status, body) = page(
        base,
        &official,
        "/services/menus",
        Some(&[("csrf", &official.1), ("title", "深圳菜单"), ("label", " ")]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("id=\"menu-label-error\""), "{body}");
    assert!(
        body.contains("value=\"深圳菜单\""),
        "what was typed is kept"
    );
    assert_eq!(menus().await, json!([]));

    // Alpha may not compose its own package.
    let (status, body) = page(
        base,
        &alpha,
        "/services/packages/alpha",
        Some(&[("csrf", &alpha.1), ("year", "2025"), ("item", "1")]),
    )
    .await;
    assert!(status.is_client_error(), "{status}");
    assert!(body.contains("id=\"problem\""), "said in words: {body}");
    let packages = api
        .call(
            &city,
            reqwest::Method::GET,
            "/api/enterprises/alpha/packages",
            Value::Null,
        )
        .await;
    assert_eq!(packages, json!([]));
}
