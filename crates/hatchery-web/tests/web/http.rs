//! The web interface over plain HTTP: what a browser is sent (cookies,
//! headers, redirects) and what a forged or stale request gets.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};

use crate::support::{PASSWORD, Scene, set_scene};

/// A client that follows no redirect and keeps no cookie by itself.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `name=value` of each `Set-Cookie`, with its attributes.
fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn cookie_value(cookies: &[String], name: &str) -> Option<String> {
    cookies.iter().find_map(|c| {
        let (pair, _) = c.split_once(';').unwrap_or((c, ""));
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.to_owned())
    })
}

/// Signs in through the form; the session's and its CSRF cookie's values.
pub(crate) async fn sign_in(scene: &Scene, username: &str) -> (String, String) {
    let http = client();
    let form = http
        .get(format!("{}/signin", scene.base))
        .send()
        .await
        .unwrap();
    let token = cookie_value(&set_cookies(&form), "hatchery_signin").expect("a form token");
    let signed = http
        .post(format!("{}/signin", scene.base))
        .header("cookie", format!("hatchery_signin={token}"))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("csrf", &token),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    let cookies = set_cookies(&signed);
    (
        cookie_value(&cookies, "hatchery_session").unwrap(),
        cookie_value(&cookies, "hatchery_csrf").unwrap(),
    )
}

#[tokio::test]
async fn cookies_forms_and_redirects_are_safe() {
    let scene = set_scene(true).await;
    let http = client();
    let base = &scene.base;

    // The session cookie: HttpOnly, SameSite=Strict, Secure per the setting.
    let form = http.get(format!("{base}/signin")).send().await.unwrap();
    let token = cookie_value(&set_cookies(&form), "hatchery_signin").unwrap();
    let signed = http
        .post(format!("{base}/signin"))
        .header("cookie", format!("hatchery_signin={token}"))
        .form(&[
            ("username", "admin"),
            ("password", PASSWORD),
            ("csrf", token.as_str()),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        signed.headers()[LOCATION],
        "/",
        "another site is never gone to"
    );
    let cookies = set_cookies(&signed);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("hatchery_session="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(session.contains(attribute), "{session} lacks {attribute}");
    }

    // A sign-in form posted without its own token (a forged form) is refused.
    let forged = http
        .post(format!("{base}/signin"))
        .form(&[
            ("username", "admin"),
            ("password", PASSWORD),
            ("csrf", "guess"),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(cookie_value(&set_cookies(&forged), "hatchery_session").is_none());

    // Sign-out without the session's CSRF token does nothing.
    let (session, csrf) = sign_in(&scene, "admin").await;
    let cookie = format!("hatchery_session={session}; hatchery_csrf={csrf}");
    let refused = http
        .post(format!("{base}/signout"))
        .header("cookie", &cookie)
        .form(&[("csrf", "not the token")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let still = http
        .get(format!("{base}/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), StatusCode::OK, "the session lives on");
    let out = http
        .post(format!("{base}/signout"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = http
        .get(format!("{base}/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        after.status(),
        StatusCode::SEE_OTHER,
        "signed out everywhere"
    );
    assert_eq!(after.headers()[LOCATION], "/signin");

    // The API keeps its own JSON answers; pages their HTML ones.
    let api = http
        .get(format!("{base}/api/no-such-thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    assert!(
        api.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let page = http
        .get(format!("{base}/no-such-page"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("未找到"));

    // Public notices need no sign-in; ECharts is embedded, and not loaded
    // by pages without a chart.
    let public = http.get(format!("{base}/publicity")).send().await.unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    assert!(!public.text().await.unwrap().contains("echarts"));
    let echarts = http
        .get(format!("{base}/static/echarts.min.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(echarts.status(), StatusCode::OK);
    assert!(echarts.bytes().await.unwrap().len() > 500_000);

    // A form's address opened as a page (a reload after a refusal, the
    // language switch on a form shown again) leads to the page the form
    // belongs to, up as many levels as it takes; other methods still 405.
    for (form, page) in [
        ("/requests/7/act", "/requests/7"),
        ("/declarations/recommend", "/declarations"),
        ("/signout", "/"),
    ] {
        let opened = http.get(format!("{base}{form}")).send().await.unwrap();
        assert_eq!(opened.status(), StatusCode::SEE_OTHER, "GET {form}");
        assert_eq!(opened.headers()[LOCATION], page, "GET {form}");
    }
    let put = http
        .put(format!("{base}/requests/7/act"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::METHOD_NOT_ALLOWED);
}

/// A server with its pages over an empty store holding one administrator,
/// its clock offset by `days` (0: a true clock); its address, and what
/// keeps it alive.
async fn server_with_clock_offset(
    days: i64,
) -> (String, tempfile::TempDir, tokio::sync::oneshot::Sender<()>) {
    use hatchery_app::accounts::{NewUser, create_account};
    use hatchery_app::{DatabaseUrl, ManualClock, Opening, open_backend};

    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::new(format!(
        "sqlite://{}",
        dir.path().join("clock.db").display()
    ));
    let db = open_backend(&url, Opening::CreateOrMigrate).await.unwrap();
    let clock = std::sync::Arc::new(ManualClock::new(
        crate::support::START.parse::<jiff::Timestamp>().unwrap(),
    ));
    create_account(
        db.as_ref(),
        clock.as_ref(),
        crate::support::cheap_argon2(),
        NewUser {
            username: "admin".into(),
            display_name: "部管理员".into(),
            role: "ministry_admin".into(),
            jurisdiction: "CN".into(),
            enterprise: None,
            password: PASSWORD.into(),
        },
    )
    .await
    .unwrap();
    let mut settings = hatchery_server::Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: url,
        ..hatchery_server::Settings::default()
    };
    settings.production = false;
    settings.clock_offset_days = days;
    settings.auth.argon2 = crate::support::cheap_argon2();
    settings.auth.cookie_secure = false;
    let app = hatchery_server::Application::build_with(settings, db, clock)
        .await
        .unwrap()
        .with_pages(hatchery_web::pages().unwrap());
    let base = format!("http://{}", app.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel();
    tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    (base, dir, stop)
}

/// A demo or staging server whose clock is offset says so on every page —
/// before and after sign-in, on the not-found page, in the page's
/// language, with the offset and the time it takes to be now — as its
/// header says it to programs; a server with a true clock shows no banner.
#[tokio::test]
async fn an_offset_clock_is_shown_on_every_page_and_a_true_one_is_not() {
    for days in [30, 0] {
        let (base, _dir, _stop) = server_with_clock_offset(days).await;
        let http = client();
        let signed = http
            .post(format!("{base}/api/session"))
            .json(&serde_json::json!({ "username": "admin", "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(signed.status(), StatusCode::OK);
        let session = cookie_value(&set_cookies(&signed), "hatchery_session").unwrap();
        // START is 2025-06-10 10:00 in China; 30 days on, 2025-07-10.
        for (path, cookie, banner) in [
            (
                "/signin",
                String::new(),
                "本服务器时钟已偏移 +30 天，当前按 2025年7月10日 10:00 计时",
            ),
            ("/no-such-page", String::new(), "本服务器时钟已偏移 +30 天"),
            (
                "/publicity",
                "hatchery_lang=en".to_owned(),
                "clock is offset by +30 days and takes now to be 2025-07-10 10:00",
            ),
            (
                "/",
                format!("hatchery_session={session}"),
                "本服务器时钟已偏移 +30 天",
            ),
        ] {
            let page = http
                .get(format!("{base}{path}"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            assert_ne!(page.status(), StatusCode::SEE_OTHER, "{path}: signed in");
            let header = page
                .headers()
                .get("x-hatchery-clock")
                .map(|v| v.to_str().unwrap().to_owned());
            let html = page.text().await.unwrap();
            if days == 0 {
                assert_eq!(header, None, "{path}");
                assert!(!html.contains("clock-banner"), "{path}: {html}");
            } else {
                assert!(header.unwrap().ends_with("(offset +30d)"), "{path}");
                assert!(html.contains("class=\"clock-banner\""), "{path}: {html}");
                assert!(html.contains(banner), "{path}: {html}");
            }
        }
    }
}
