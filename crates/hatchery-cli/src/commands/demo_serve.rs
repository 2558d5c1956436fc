//! `hatchery demo` (without `--no-serve`): after building the demo store,
//! a living workflow — accounts of every role, declarations in every state,
//! a public notice with an objection, members of the cultivation pool —
//! made through the JSON API as its users would, then the web interface
//! served on 127.0.0.1 until Ctrl-C.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};

use anyhow::{Context, anyhow, bail};
use hatchery_app::accounts::{AccountError, NewUser, create_account};
use hatchery_app::{DatabaseUrl, Opening, SystemClock, open_backend};
use hatchery_server::{Application, Settings};
use hatchery_store::workflow::WorkflowError;
use serde_json::{Value, json};

mod cultivation;
mod services;

use crate::cli::DemoArgs;
use crate::error::CliResult;

/// Every demo account's password.
pub const DEMO_PASSWORD: &str = "hatchery demo 2025";
/// The password the administrator gives; each account replaces it.
const GIVEN: &str = "given by the demo administrator";
/// A one-page PDF a member of the public attaches to their objection.
const DEMO_ATTACHMENT: &str = "JVBERi0xLjQKJSBkZW1vIGF0dGFjaG1lbnQKMSAwIG9iaiA8PCA+PiBlbmRvYmoKdHJhaWxlciA8PCAvUm9vdCAxIDAgUiA+PgolJUVPRgo=";
/// The first port tried when none is asked for.
const FIRST_PORT: u16 = 8080;

/// One demo account per role: username, role, jurisdiction.
const ACCOUNTS: [(&str, &str, &str); 8] = [
    ("demo.ministry", "ministry_reviewer", "CN"),
    ("demo.guangdong", "province_reviewer", "440000"),
    ("demo.shenzhen", "city_reviewer", "440300"),
    ("demo.nanshan", "city_reviewer", "440305"),
    ("demo.investor", "investor", "CN"),
    ("demo.analyst", "analyst", "CN"),
    ("demo.auditor", "auditor", "CN"),
    ("demo.gd-auditor", "auditor", "440000"),
];

/// The address to serve on: the one asked for, else 127.0.0.1:8080 or the
/// next free port.
fn address(args: &DemoArgs) -> CliResult<SocketAddr> {
    if let Some(listen) = args.listen {
        return Ok(listen);
    }
    (FIRST_PORT..FIRST_PORT + 100)
        .map(|port| SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .find(|address| TcpListener::bind(address).is_ok())
        .ok_or_else(|| anyhow!("no free port from {FIRST_PORT} to {}", FIRST_PORT + 99).into())
}

/// The JSON API of a running demo server.
struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        auth: &[(&str, &str)],
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        for (name, value) in auth {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.with_context(|| path.to_owned())?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("{path}: {status} {body}");
        }
        Ok(body)
    }

    /// Signs in; the session cookie and its CSRF token.
    async fn session(&self, username: &str, password: &str) -> anyhow::Result<(String, String)> {
        let response = self
            .http
            .post(format!("{}/api/session", self.base))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("signing in {username}: {}", response.status());
        }
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
            .ok_or_else(|| anyhow!("no session cookie for {username}"))?
            .to_owned();
        let body: Value = response.json().await?;
        let csrf = body["csrf_token"]
            .as_str()
            .ok_or_else(|| anyhow!("no CSRF token for {username}"))?
            .to_owned();
        Ok((cookie, csrf))
    }

    /// Signs in and makes an API token.
    async fn token(&self, username: &str) -> anyhow::Result<String> {
        let (cookie, csrf) = self.session(username, DEMO_PASSWORD).await?;
        let made = self
            .send(
                reqwest::Method::POST,
                "/api/tokens",
                &[("cookie", &cookie), ("x-csrf-token", &csrf)],
                Some(json!({"name": "demo"})),
            )
            .await?;
        made["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("no token for {username}"))
    }

    async fn get(&self, token: &str, path: &str) -> anyhow::Result<Value> {
        let bearer = format!("Bearer {token}");
        self.send(
            reqwest::Method::GET,
            path,
            &[("authorization", &bearer)],
            None,
        )
        .await
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> anyhow::Result<Value> {
        let bearer = format!("Bearer {token}");
        self.send(
            reqwest::Method::POST,
            path,
            &[("authorization", &bearer)],
            Some(body),
        )
        .await
    }

    /// The administrator creates an account; its owner signs in and
    /// replaces the given password with [`DEMO_PASSWORD`].
    async fn account(&self, admin: &str, mut body: Value) -> anyhow::Result<()> {
        body["password"] = json!(GIVEN);
        body["display_name"] = body["username"].clone();
        self.post(admin, "/api/accounts", body.clone()).await?;
        let username = body["username"].as_str().unwrap_or_default();
        let (cookie, csrf) = self.session(username, GIVEN).await?;
        self.send(
            reqwest::Method::POST,
            "/api/session/password",
            &[("cookie", &cookie), ("x-csrf-token", &csrf)],
            Some(json!({"current_password": GIVEN, "new_password": DEMO_PASSWORD})),
        )
        .await?;
        Ok(())
    }

    /// Takes a declaration's step at the version it is at.
    async fn act(
        &self,
        token: &str,
        id: i64,
        action: &str,
        reason: Option<&str>,
    ) -> anyhow::Result<()> {
        let current = self.get(token, &format!("/api/declarations/{id}")).await?;
        let version = current["declaration"]["version"].as_i64().unwrap_or(0);
        self.post(
            token,
            &format!("/api/declarations/{id}/actions"),
            json!({"version": version, "action": action, "reason": reason}),
        )
        .await?;
        Ok(())
    }
}

/// A server on the demo store, with the clock `offset_days` away, serving
/// the pages too; its API, and how to stop it.
async fn start(
    db: &DatabaseUrl,
    listen: SocketAddr,
    offset_days: i64,
) -> CliResult<(
    Api,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
)> {
    let mut settings = Settings {
        listen,
        database_url: db.clone(),
        ..Settings::default()
    };
    // A demo, not production: its workflow is played on earlier days.
    settings.production = false;
    settings.clock_offset_days = offset_days;
    // Served on 127.0.0.1 over plain HTTP: the cookie cannot be `Secure`.
    settings.auth.cookie_secure = false;
    let pages = hatchery_web::pages().context("assembling the web pages")?;
    let application = Application::build(settings)
        .await
        .context("starting the demo server")?
        .with_pages(pages);
    let address = application.local_addr().context("the listening address")?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(async move {
        let stopped = async {
            let _ = stopped.await;
        };
        if let Err(error) = application.run_until(stopped).await {
            tracing::error!(%error, "the demo server stopped");
        }
    });
    let api = Api {
        base: format!("http://{address}"),
        http: reqwest::Client::new(),
    };
    Ok((api, stop, running))
}

/// A step of a declaration: the action and its reason.
type Step = (&'static str, Option<&'static str>);

/// The declaration form of a demo declaration.
fn form(enterprise: &str, cycle: i16, summary: &str) -> Value {
    json!({"enterprise": enterprise, "cycle": cycle, "tier": "potential", "summary": summary,
           "contact_name": "李华", "contact_phone": "0755-88886666"})
}

/// Shenzhen's enterprises the demo declares for (at least one).
async fn shenzhen_enterprises(api: &Api, admin: &str) -> anyhow::Result<Vec<String>> {
    let found = api
        .get(admin, "/api/enterprises?city=440300&per_page=5")
        .await?;
    let ids: Vec<String> = found["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["id"].as_str().map(str::to_owned))
        .collect();
    if ids.is_empty() {
        bail!("the demo store has no enterprise in Shenzhen");
    }
    Ok(ids)
}

/// What the living workflow made, for the summary.
#[derive(Debug, Default)]
struct Made {
    accounts: usize,
    declarations: Vec<(i64, &'static str)>,
    requests: usize,
}

/// Plays one day of the services for Shenzhen's enterprises.
async fn services_on<T>(
    api: &Api,
    day: impl AsyncFnOnce(&Api, &[String]) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let admin = api.token("demo.admin").await?;
    let enterprises = shenzhen_enterprises(api, &admin).await?;
    day(api, &enterprises).await
}

/// Declares for the enterprise in `cycle` and takes the declaration through
/// every review to the public notice, which opens the next working day.
async fn to_notice(api: &Api, enterprise: &str, cycle: i16, summary: &str) -> anyhow::Result<i64> {
    let declarant = api.token("demo.enterprise").await?;
    let drafted = api
        .post(
            &declarant,
            "/api/declarations",
            form(enterprise, cycle, summary),
        )
        .await?;
    let id = drafted["id"].as_i64().unwrap_or_default();
    api.act(&declarant, id, "submit", None).await?;
    api.act(
        &api.token("demo.shenzhen").await?,
        id,
        "approve",
        Some("材料齐全"),
    )
    .await?;
    api.act(&api.token("demo.guangdong").await?, id, "recommend", None)
        .await?;
    api.act(&api.token("demo.ministry").await?, id, "accept", None)
        .await?;
    Ok(id)
}

/// Thirty days ago: the accounts, and a declaration whose public notice has
/// long closed, so that today it can be confirmed into the pool.
async fn month_ago(api: &Api, made: &mut Made) -> anyhow::Result<i64> {
    let admin = api.token("demo.admin").await?;
    let ids = shenzhen_enterprises(api, &admin).await?;
    for (username, role, jurisdiction) in ACCOUNTS {
        api.account(
            &admin,
            json!({"username": username, "role": role, "jurisdiction": jurisdiction}),
        )
        .await?;
        made.accounts += 1;
    }
    let zones = api
        .get(&admin, "/api/zones?city=440300&kind=high_tech")
        .await?;
    if let Some(zone) = zones[0]["id"].as_str() {
        api.account(
            &admin,
            json!({"username": "demo.zone", "role": "zone_reviewer", "jurisdiction": format!("zone:{zone}")}),
        )
        .await?;
        made.accounts += 1;
    }
    api.account(
        &admin,
        json!({"username": "demo.enterprise", "role": "enterprise", "enterprise": ids[0]}),
    )
    .await?;
    made.accounts += 1;
    to_notice(api, &ids[0], 2024, "2024 年度培育申报：工业智能平台").await
}

/// Four days ago: a declaration whose public notice is open today.
async fn days_ago(api: &Api) -> anyhow::Result<i64> {
    let admin = api.token("demo.admin").await?;
    let ids = shenzhen_enterprises(api, &admin).await?;
    to_notice(api, &ids[0], 2020, "2020 年度培育申报：具身智能").await
}

/// Today: the first declaration confirmed into the pool, an objection to
/// the open notice, and one declaration in every other state.
async fn today(api: &Api, confirmed: i64, noticed: i64, made: &mut Made) -> anyhow::Result<()> {
    let admin = api.token("demo.admin").await?;
    let ids = shenzhen_enterprises(api, &admin).await?;
    let enterprise = api.token("demo.enterprise").await?;
    let city = api.token("demo.shenzhen").await?;
    let province = api.token("demo.guangdong").await?;
    let ministry = api.token("demo.ministry").await?;
    api.act(&ministry, confirmed, "confirm", None).await?;
    made.declarations.push((confirmed, "confirmed"));
    let current = api
        .get(&admin, &format!("/api/declarations/{noticed}"))
        .await?;
    let version = current["declaration"]["version"].as_i64().unwrap_or(0);
    api.post(
        &api.token("demo.investor").await?,
        &format!("/api/notices/{noticed}/objections"),
        json!({"version": version, "reason": "估值依据的融资轮次尚未完成交割，请核实。"}),
    )
    .await?;
    // A member of the public objects too, without an account, with a file.
    let current = api
        .get(&admin, &format!("/api/declarations/{noticed}"))
        .await?;
    let version = current["declaration"]["version"].as_i64().unwrap_or(0);
    api.send(
        reqwest::Method::POST,
        &format!("/api/public/notices/{noticed}/objections"),
        &[],
        Some(json!({
            "version": version,
            "name": "王五",
            "contact": "wangwu@example.cn",
            "grounds": "该企业宣传的核心专利登记在关联公司名下，请核实专利归属。",
            "truthful": true,
            "attachment": {
                "file_name": "专利登记簿副本.pdf",
                "media_type": "application/pdf",
                "content_base64": DEMO_ATTACHMENT,
            },
        })),
    )
    .await?;
    made.declarations.push((
        noticed,
        "public_notice (with two objections, one from the public)",
    ));
    // The enterprise declares for itself, one cycle each (an enterprise has
    // one live declaration per cycle).
    let steps: [(&'static str, i16, &[Step]); 7] = [
        ("draft", 2026, &[]),
        ("submitted", 2025, &[("submit", None)]),
        (
            "returned",
            2023,
            &[("submit", None), ("return", Some("请补充融资证明"))],
        ),
        (
            "locally_approved",
            2022,
            &[("submit", None), ("approve", Some("材料齐全"))],
        ),
        (
            "recommended",
            2021,
            &[
                ("submit", None),
                ("approve", Some("材料齐全")),
                ("recommend", None),
            ],
        ),
        (
            "rejected",
            2019,
            &[("submit", None), ("reject", Some("不符合申报条件"))],
        ),
        ("withdrawn", 2018, &[("submit", None), ("withdraw", None)]),
    ];
    for (state, cycle, actions) in steps {
        let drafted = api
            .post(
                &enterprise,
                "/api/declarations",
                form(&ids[0], cycle, &format!("{cycle} 年度培育申报")),
            )
            .await?;
        let id = drafted["id"].as_i64().unwrap_or_default();
        for (action, reason) in actions {
            let who = match *action {
                "submit" | "withdraw" => &enterprise,
                "approve" | "return" | "reject" => &city,
                _ => &province,
            };
            api.act(who, id, action, *reason).await?;
        }
        made.declarations.push((id, state));
    }
    pending_registration(api).await
}

/// The username of the demo's pending registration.
const REGISTRANT: &str = "demo.registrant";

/// An enterprise new to the ledger registers itself in Nanshan, Shenzhen:
/// pending, for demo.shenzhen to check and activate at `/registrations`.
async fn pending_registration(api: &Api) -> anyhow::Result<()> {
    let organisation = hatchery_core::uscc::organisation_code("MA5DEMQ1")
        .context("the demo's organisation code")?;
    let uscc = hatchery_core::uscc::with_check_symbol(&format!("91440300{organisation}"))
        .context("the demo's credit code")?;
    api.send(
        reqwest::Method::POST,
        "/api/registrations",
        &[],
        Some(json!({
            "uscc": uscc,
            "name": "深圳星火智能科技有限公司",
            "region": "440305",
            "founded": "2021-03",
            "contact_name": "李明",
            "contact_phone": "0755-8888 6666",
            "contact_email": "liming@example.cn",
            "username": REGISTRANT,
            "password": DEMO_PASSWORD,
            "truthful": true,
        })),
    )
    .await?;
    Ok(())
}

/// Adds the living workflow (once per store), then serves until Ctrl-C.
pub async fn serve(db: &DatabaseUrl, args: &DemoArgs) -> CliResult {
    let store = open_backend(db, Opening::CreateOrMigrate).await?;
    let created = create_account(
        store.as_ref(),
        &SystemClock,
        Settings::default().auth.argon2,
        NewUser {
            username: "demo.admin".into(),
            display_name: "演示管理员".into(),
            role: "ministry_admin".into(),
            jurisdiction: "CN".into(),
            enterprise: None,
            password: DEMO_PASSWORD.into(),
        },
    )
    .await;
    drop(store);
    let fresh = match created {
        Ok(_) => true,
        // Made by an earlier `demo` on this store: its workflow is there.
        Err(AccountError::Workflow(WorkflowError::Duplicate(_))) => false,
        Err(other) => return Err(other.into()),
    };
    let listen = address(args)?;
    if fresh {
        println!("\nAdding a living workflow through the API …");
        let mut made = Made::default();
        // The workflow runs over weeks: a server whose clock is set back
        // plays each earlier day, through the same API.
        let any = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let (api, stop, running) = start(db, any, -30).await?;
        let confirmed = month_ago(&api, &mut made).await;
        let requests_then = match &confirmed {
            Ok(_) => services_on(&api, services::month_ago).await,
            Err(_) => Ok(0),
        };
        let catalogue = match &requests_then {
            Ok(_) => cultivation::month_ago(&api).await,
            Err(_) => Err(anyhow::anyhow!("not reached")),
        };
        let _ = stop.send(());
        let _ = running.await;
        let confirmed = confirmed.context("the workflow of a month ago")?;
        made.requests += requests_then.context("the requests of a month ago")?;
        let catalogue = catalogue.context("the service menu and policy of a month ago")?;
        let (api, stop, running) = start(db, any, -4).await?;
        let noticed = days_ago(&api).await;
        let requests_then = services_on(&api, services::days_ago).await;
        let _ = stop.send(());
        let _ = running.await;
        let noticed = noticed.context("the workflow of four days ago")?;
        made.requests += requests_then.context("the requests of four days ago")?;
        let (api, stop, running) = start(db, any, 0).await?;
        let mut done = today(&api, confirmed, noticed, &mut made).await;
        if done.is_ok() {
            done = services_on(&api, services::today)
                .await
                .map(|filed| made.requests += filed);
        }
        let mut cultivated = Ok((0, 0));
        if done.is_ok() {
            cultivated = services_on(&api, async |api: &Api, enterprises: &[String]| {
                cultivation::today_for(api, &enterprises[0], &catalogue).await
            })
            .await;
        }
        let _ = stop.send(());
        let _ = running.await;
        done.context("today's workflow")?;
        let cultivated = cultivated.context("today's stewards, package and policy")?;
        println!("  {} accounts, one per role and more", made.accounts + 1);
        for (id, state) in &made.declarations {
            println!("  declaration {id}: {state}");
        }
        println!(
            "  one member of the cultivation pool; two objections to a public notice, one from the public"
        );
        println!(
            "  one enterprise registration awaiting demo.shenzhen's check ({REGISTRANT}, signs in once activated)"
        );
        println!("{}", services::summary(made.requests));
        println!("{}", cultivation::summary(cultivated));
    } else {
        println!("\nThe store already holds the demo's workflow.");
    }
    let (api, stop, running) = start(db, listen, 0).await?;
    println!("\nServing the web interface at {}/", api.base);
    println!("Sign in with (password \"{DEMO_PASSWORD}\" for each):");
    println!("  demo.admin          ministry_admin (CN)");
    for (username, role, jurisdiction) in ACCOUNTS
        .iter()
        .filter(|(u, _, _)| *u != "demo.nanshan" && *u != "demo.gd-auditor")
    {
        println!("  {username:<19} {role} ({jurisdiction})");
    }
    println!("  demo.zone           zone_reviewer (Shenzhen's high-tech zone)");
    println!("  demo.enterprise     enterprise");
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    let _ = stop.send(());
    let _ = running.await;
    Ok(())
}
