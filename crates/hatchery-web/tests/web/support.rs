//! The scene every web test plays in: the real server on a random port
//! over a temporary SQLite store, with a clock the test moves, a ledger
//! spanning Beijing, Shenzhen and Guangzhou, accounts at each level, and
//! declarations in flight — set up through the JSON API, as users would.

use std::sync::Arc;

use hatchery_app::accounts::{NewUser, create_account};
use hatchery_app::password::Argon2Settings;
use hatchery_app::{DatabaseUrl, ManualClock, Opening, open_backend};
use hatchery_server::{Application, Settings};
use jiff::Timestamp;
use serde_json::{Value, json};

/// Every account's password once set.
pub const PASSWORD: &str = "correct horse battery staple";
/// The password the administrator gives the city reviewer.
pub const INITIAL: &str = "given by the administrator";
/// Tuesday 10 June 2025, 10:00 in Beijing.
pub const START: &str = "2025-06-10T02:00:00Z";

pub fn cheap_argon2() -> Argon2Settings {
    Argon2Settings {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    }
}

/// A client of the JSON API, for setting the scene.
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
}

impl Api {
    /// Signs in `username` with `password` through the API: the session
    /// cookie (sent by hand: a `Secure` cookie travels over plain HTTP here)
    /// and its CSRF token.
    pub async fn session(&self, username: &str, password: &str) -> (String, String) {
        let response = self
            .http
            .post(format!("{}/api/session", self.base))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        let cookie = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| {
                c.split(';')
                    .next()
                    .filter(|p| p.starts_with("hatchery_session="))
            })
            .expect("a session cookie")
            .to_owned();
        let session: Value = response.json().await.unwrap();
        let csrf = session["csrf_token"]
            .as_str()
            .expect("signed in")
            .to_owned();
        (cookie, csrf)
    }

    /// Signs in `username` and returns an API token.
    pub async fn token(&self, username: &str) -> String {
        let (cookie, csrf) = self.session(username, PASSWORD).await;
        let token: Value = self
            .http
            .post(format!("{}/api/tokens", self.base))
            .header("cookie", cookie)
            .header("x-csrf-token", csrf)
            .json(&json!({"name": "web test"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        token["token"].as_str().expect("a token").to_owned()
    }

    pub async fn call(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> Value {
        let response = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Value {
        self.call(token, reqwest::Method::POST, path, body).await
    }

    /// Takes a declaration's step at the version it is at.
    pub async fn act(&self, token: &str, id: i64, action: &str, reason: Option<&str>) {
        let current = self
            .call(
                token,
                reqwest::Method::GET,
                &format!("/api/declarations/{id}"),
                Value::Null,
            )
            .await;
        let version = current["declaration"]["version"].as_i64().unwrap();
        self.post(
            token,
            &format!("/api/declarations/{id}/actions"),
            json!({"version": version, "action": action, "reason": reason}),
        )
        .await;
    }
}

fn enterprise(
    id: &str,
    name: &str,
    name_en: Option<&str>,
    uscc: Option<&str>,
    region: &str,
    zone: Option<&str>,
    founded: &str,
) -> Value {
    json!({"id": id, "name": name, "name_en": name_en, "uscc": uscc, "founded": founded,
           "country": "CN", "region": region, "city": null, "zone": zone,
           "industries": ["ai"], "tags": []})
}

fn valuation(id: &str, date: &str, amount: &str, valuation: &str, source: &str) -> Value {
    json!({"enterprise": id, "date": date, "kind": "funding", "round": "B",
           "amount": amount, "valuation": valuation, "currency": "USD", "investors": "某资本",
           "exchange": null, "region": null, "source": source})
}

/// The ledger: ByteDance in Beijing, two in Shenzhen's zone, one in
/// Guangzhou, and 22 more in Shenzhen to page through.
fn dataset() -> Value {
    let mut enterprises = vec![
        enterprise(
            "bytedance",
            "北京字节跳动科技有限公司",
            Some("ByteDance Ltd."),
            Some("914403001922038216"),
            "110108",
            None,
            "2017-03-09",
        ),
        enterprise(
            "alpha",
            "深圳甲科技有限公司",
            Some("Shenzhen Alpha Tech"),
            None,
            "440305",
            Some("深圳市高新技术产业园区"),
            "2021-06-01",
        ),
        enterprise(
            "beta",
            "深圳乙智能有限公司",
            None,
            None,
            "440305",
            None,
            "2020-01-15",
        ),
        enterprise(
            "gz",
            "广州丙科技有限公司",
            None,
            None,
            "440106",
            None,
            "2019-05-20",
        ),
    ];
    let mut events = vec![
        valuation(
            "bytedance",
            "2023-03-01",
            "2000000000",
            "22000000000",
            "https://example.org/bytedance-2023",
        ),
        valuation(
            "alpha",
            "2022-01-10",
            "60000000",
            "600000000",
            "36氪 2022-01-10",
        ),
        valuation("beta", "2023-08-01", "150000000", "1500000000", "公司公告"),
        valuation("gz", "2022-11-01", "80000000", "1100000000", "投资界"),
    ];
    for n in 1..=22 {
        let id = format!("sz{n:02}");
        enterprises.push(enterprise(
            &id,
            &format!("深圳第{n}号科技有限公司"),
            None,
            None,
            "440304",
            None,
            "2020-02-02",
        ));
        events.push(valuation(
            &id,
            "2023-01-01",
            "50000000",
            "550000000",
            "test",
        ));
    }
    json!({"enterprises": enterprises, "events": events, "fx": [], "financials": []})
}

/// The scene: the server with its data, accounts and declarations.
/// `cookie_secure` is the setting (a plain-HTTP browser needs it off).
pub struct Scene {
    pub base: String,
    pub clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
    pub stop: Option<tokio::sync::oneshot::Sender<()>>,
}

pub async fn set_scene(cookie_secure: bool) -> Scene {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::new(format!("sqlite://{}", dir.path().join("ui.db").display()));
    let db = open_backend(&url, Opening::CreateOrMigrate).await.unwrap();
    let clock = Arc::new(ManualClock::new(START.parse::<Timestamp>().unwrap()));
    create_account(
        db.as_ref(),
        clock.as_ref(),
        cheap_argon2(),
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
    let mut settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: url,
        ..Settings::default()
    };
    settings.auth.argon2 = cheap_argon2();
    settings.auth.cookie_secure = cookie_secure;
    settings.ledger.refresh_seconds = 0;
    settings.auth.credential_cache_seconds = 0;
    let app = Application::build_with(settings, db, clock.clone())
        .await
        .unwrap()
        .with_pages(hatchery_web::pages().unwrap());
    let base = format!("http://{}", app.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel();
    tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let api = Api {
        base: base.clone(),
        http: reqwest::Client::new(),
    };
    let admin = api.token("admin").await;
    api.post(&admin, "/api/imports?origin=browser-test", dataset())
        .await;
    // Accounts made by the administrator: the city reviewer of the browser
    // keeps the initial password (the browser changes it); the others are
    // set for the scene through the API's own password change.
    let accounts = [
        (
            "sz.reviewer",
            "city_reviewer",
            json!({"jurisdiction": "440300"}),
        ),
        ("sz.api", "city_reviewer", json!({"jurisdiction": "440300"})),
        (
            "gd.reviewer",
            "province_reviewer",
            json!({"jurisdiction": "440000"}),
        ),
        (
            "moe.reviewer",
            "ministry_reviewer",
            json!({"jurisdiction": "CN"}),
        ),
        ("alpha.user", "enterprise", json!({"enterprise": "alpha"})),
        ("beta.user", "enterprise", json!({"enterprise": "beta"})),
    ];
    for (username, role, binding) in &accounts {
        let mut body = json!({"username": username, "display_name": username, "role": role, "password": INITIAL});
        for (k, v) in binding.as_object().unwrap() {
            body[k] = v.clone();
        }
        api.post(&admin, "/api/accounts", body).await;
        if *username != "sz.reviewer" {
            let (cookie, csrf) = api.session(username, INITIAL).await;
            let changed = api
                .http
                .post(format!("{base}/api/session/password"))
                .header("cookie", cookie)
                .header("x-csrf-token", csrf)
                .json(&json!({"current_password": INITIAL, "new_password": PASSWORD}))
                .send()
                .await
                .unwrap();
            assert!(
                changed.status().is_success(),
                "{username}: {}",
                changed.status()
            );
        }
    }
    let form = |summary: &str| {
        json!({"cycle": 2025, "tier": "potential", "summary": summary,
        "contact_name": "张三", "contact_phone": "0755-12345678"})
    };
    // Alpha's declaration waits for the city.
    let alpha = api.token("alpha.user").await;
    let mut body = form("工业AI平台");
    body["enterprise"] = json!("alpha");
    let drafted = api.post(&alpha, "/api/declarations", body).await;
    let alpha_id = drafted["id"].as_i64().unwrap();
    api.act(&alpha, alpha_id, "submit", None).await;
    // Beta's goes through to the public notice.
    let beta = api.token("beta.user").await;
    let mut body = form("智能制造");
    body["enterprise"] = json!("beta");
    let drafted = api.post(&beta, "/api/declarations", body).await;
    let beta_id = drafted["id"].as_i64().unwrap();
    api.act(&beta, beta_id, "submit", None).await;
    api.act(
        &api.token("sz.api").await,
        beta_id,
        "approve",
        Some("材料齐全"),
    )
    .await;
    api.act(&api.token("gd.reviewer").await, beta_id, "recommend", None)
        .await;
    api.act(&api.token("moe.reviewer").await, beta_id, "accept", None)
        .await;
    Scene {
        base,
        clock,
        _dir: dir,
        stop: Some(stop),
    }
}

/// An account the administrator (`admin`, an API token) makes, its password
/// then changed by its owner to [`PASSWORD`] through the API, as a person
/// would at first sign-in: its id.
pub async fn add_account(
    api: &Api,
    admin: &str,
    username: &str,
    role: &str,
    binding: Value,
) -> i64 {
    let mut body =
        json!({"username": username, "display_name": username, "role": role, "password": INITIAL});
    for (k, v) in binding.as_object().expect("a binding object") {
        body[k] = v.clone();
    }
    let created = api.post(admin, "/api/accounts", body).await;
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
    assert!(
        changed.status().is_success(),
        "{username}: {}",
        changed.status()
    );
    created["id"].as_i64().expect("the account's id")
}

/// Shenzhen's national high-tech zone, as the server seeded it: its id and
/// its name (the name alpha's ledger record gives).
pub async fn shenzhen_zone(api: &Api, admin: &str) -> (String, String) {
    let zones = api
        .call(
            admin,
            reqwest::Method::GET,
            "/api/zones?city=440300&kind=high_tech",
            Value::Null,
        )
        .await;
    let zone = &zones[0];
    (
        zone["id"].as_str().expect("a zone id").to_owned(),
        zone["name"].as_str().expect("a zone name").to_owned(),
    )
}
