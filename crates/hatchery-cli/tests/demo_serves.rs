//! `hatchery demo` serves the web interface: the real binary builds the
//! demo store and its workflow, prints the address and an account per role,
//! and a browser-like client signs in with a printed account.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use support::Workspace;

/// The value of the hidden input `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("the hidden field") + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn demo_serves_the_web_interface_and_a_printed_account_signs_in() {
    let ws = Workspace::sqlite();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let mut child = Command::cargo_bin("hatchery")
        .unwrap()
        .env_remove("HATCHERY_DB")
        .args([
            "--db",
            &ws.db(),
            "demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("hatchery demo starts");
    let stdout = child.stdout.take().unwrap();
    let (lines, printed) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let mut output = Vec::new();
    let mut base = None;
    let mut ready = false;
    while !ready {
        let line = printed
            .recv_timeout(Duration::from_secs(600))
            .unwrap_or_else(|_| panic!("demo printed: {}", output.join("\n")));
        if let Some(url) = line.strip_prefix("Serving the web interface at ") {
            base = Some(url.trim().trim_end_matches('/').to_owned());
        }
        ready = line.starts_with("Press Ctrl-C");
        output.push(line);
    }
    let text = output.join("\n");
    let base = base.expect("the URL is printed");
    assert_eq!(base, format!("http://127.0.0.1:{port}"));
    assert!(
        text.contains("declaration")
            && text.contains("public_notice")
            && text.contains("one from the public"),
        "{text}"
    );
    // One account per role, with the password.
    for role in [
        "ministry_reviewer",
        "province_reviewer",
        "city_reviewer",
        "zone_reviewer",
        "investor",
        "analyst",
        "auditor",
        "enterprise",
    ] {
        assert!(text.contains(role), "{role}: {text}");
    }
    let password = text
        .split("password \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the password is printed")
        .to_owned();

    let browser = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let home = browser.get(format!("{base}/")).send().unwrap();
    assert!(
        home.url().path().starts_with("/signin"),
        "signed out: {}",
        home.url()
    );
    let page = home.text().unwrap();
    let signed_in = browser
        .post(format!("{base}/signin"))
        .form(&[
            ("csrf", hidden(&page, "csrf").as_str()),
            ("next", "/"),
            ("username", "demo.shenzhen"),
            ("password", password.as_str()),
        ])
        .send()
        .unwrap();
    assert_eq!(signed_in.url().path(), "/", "signed in");
    let dashboard = signed_in.text().unwrap();
    assert!(
        dashboard.contains("工作台") && dashboard.contains("demo.shenzhen"),
        "{dashboard}"
    );
    // A month of requests: the summary says so, and the city's list holds
    // them.
    assert!(text.contains("10 requests (诉求)"), "{text}");
    let requests = browser
        .get(format!("{base}/requests"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(requests.contains("共 10 件诉求"), "{requests}");
    assert!(dashboard.contains("requests-card"), "{dashboard}");
    // Stewards, the menu and the policy: the summary says so, and the
    // city reads them through the API with the same session.
    assert!(text.contains("2 stewards (服务管家)"), "{text}");
    let api = |path: &str| -> serde_json::Value {
        browser
            .get(format!("{base}{path}"))
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let matches = api("/api/policy-matches");
    assert_eq!(matches["items"][0]["state"], "applied", "{matches}");
    let stewards = api("/api/stewards");
    assert_eq!(
        stewards["stewards"].as_array().map(Vec::len),
        Some(2),
        "{stewards}"
    );
    let menus = api("/api/menus");
    assert!(
        menus.to_string().contains("深圳市独角兽企业服务菜单"),
        "{menus}"
    );
    let _ = child.kill();
    let _ = child.wait();
}
