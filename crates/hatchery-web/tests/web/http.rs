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
}
