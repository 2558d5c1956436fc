//! `hatchery-soak`: mixed reads and writes from every role against a
//! running `hatchery serve`, with clients that give up at random, for a
//! bounded time; then a check that the store holds exactly what was
//! acknowledged. Driven by `bench/soak.sh`.
//!
//! - **Setup** (as the administrator named by `--admin`): one import of
//!   `--enterprises` Shenzhen enterprises, accounts for a city, a province
//!   and the ministry's reviewer, a reader (an investor) and one enterprise
//!   account per enterprise used for declarations, each through its first
//!   sign-in and password change, each with an API token.
//! - **Baseline**: one reader alone for `--baseline` seconds, the figures
//!   the soak's reads are compared with.
//! - **Soak**: for `--duration` seconds, virtual users in closed loops —
//!   enterprises draft, edit and submit declarations (and resubmit returned
//!   ones); the city approves or returns what is submitted; the province
//!   recommends; the ministry's reviewer accepts (opening the public
//!   notice); the administrator imports new events with an
//!   `Idempotency-Key` and re-evaluates the pool; readers list and look up
//!   enterprises, tiers, notices, the pool and statistics. Any request may
//!   be abandoned by its client (`--abort-rate`): it is sent with a timeout
//!   of a few milliseconds and its connection dropped when that runs out.
//! - **Check**: every abandoned import is sent again with its key (the
//!   answer is the first one's, or the import happens now), then each
//!   enterprise must hold exactly its base event plus every imported one
//!   (whole or nothing, and never twice), and every declaration at least
//!   the version its last acknowledged step gave it.
//!
//! The last line of standard output is machine-readable:
//! `soak requests=N aborted=A five_xx=F p50_ms=X p99_ms=Y consistent=true|false`.
//! The exit status is 1 when a 5xx was answered or the check failed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use clap::Parser;
use hdrhistogram::Histogram;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Soak test of a running Hatchery server.
#[derive(Debug, Parser)]
#[command(name = "hatchery-soak", version, about)]
struct Args {
    /// The server, `http://127.0.0.1:PORT` (loopback only).
    #[arg(long)]
    url: String,
    /// The ministry administrator's username.
    #[arg(long, default_value = "admin")]
    admin: String,
    /// Its password.
    #[arg(long, env = "HATCHERY_PASSWORD", hide_env_values = true)]
    password: String,
    /// Soak time, in seconds.
    #[arg(long, default_value_t = 600.0)]
    duration: f64,
    /// Time of the baseline (one reader alone), in seconds.
    #[arg(long, default_value_t = 20.0)]
    baseline: f64,
    /// Enterprises imported at setup (each gets an enterprise account).
    #[arg(long, default_value_t = 60)]
    enterprises: usize,
    /// Virtual users per declaring, reviewing and reading role.
    #[arg(long, default_value_t = 2)]
    users: usize,
    /// Share of requests whose client gives up after a few milliseconds.
    #[arg(long, default_value_t = 0.05)]
    abort_rate: f64,
    /// Seed of the random choices.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// The password every soak account is given and then changes to.
const INITIAL: &str = "soak initial passphrase 2026";
const PASSWORD: &str = "soak passphrase that is long enough";

// ------------------------------------------------------------------ figures

/// Figures of one kind of request.
#[derive(Debug, Clone)]
struct Kind {
    statuses: BTreeMap<u16, u64>,
    aborted: u64,
    transport: u64,
    latency: Histogram<u64>,
}

impl Kind {
    fn new() -> Self {
        Self {
            statuses: BTreeMap::new(),
            aborted: 0,
            transport: 0,
            // 1 µs to 10 min, three significant digits.
            latency: Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid bounds"),
        }
    }
}

/// Figures by kind of request.
#[derive(Debug, Default)]
struct Figures(Mutex<BTreeMap<&'static str, Kind>>);

impl Figures {
    fn record(&self, kind: &'static str, outcome: &Outcome, elapsed: Duration) {
        let mut kinds = self.0.lock().expect("figures lock");
        let entry = kinds.entry(kind).or_insert_with(Kind::new);
        match outcome {
            Outcome::Answered(status, _) => {
                *entry.statuses.entry(*status).or_default() += 1;
                let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
                entry.latency.saturating_record(micros.max(1));
            }
            Outcome::Aborted => entry.aborted += 1,
            Outcome::Failed(_) => entry.transport += 1,
        }
    }

    fn snapshot(&self) -> BTreeMap<&'static str, Kind> {
        self.0.lock().expect("figures lock").clone()
    }
}

fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

// ------------------------------------------------------------------ client

/// What a request came to.
#[derive(Debug)]
enum Outcome {
    Answered(u16, Value),
    /// The client gave up on purpose.
    Aborted,
    /// The connection failed without our giving up.
    Failed(String),
}

impl Outcome {
    fn ok(&self) -> Option<&Value> {
        match self {
            Self::Answered(status, body) if (200..300).contains(status) => Some(body),
            _ => None,
        }
    }
}

/// A user of the API with a token, sharing the run's figures.
#[derive(Clone)]
struct User {
    http: reqwest::Client,
    base: String,
    token: String,
    figures: Arc<Figures>,
    abort_rate: f64,
}

impl User {
    async fn send(
        &self,
        rng: &mut SmallRng,
        kind: &'static str,
        method: Method,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Outcome {
        let abort = rng.random_bool(self.abort_rate);
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        request = if abort {
            request.timeout(Duration::from_millis(rng.random_range(1..40)))
        } else {
            request.timeout(Duration::from_secs(120))
        };
        let started = Instant::now();
        let outcome = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                match response.bytes().await {
                    Ok(bytes) => Outcome::Answered(
                        status,
                        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                    ),
                    Err(error) if error.is_timeout() && abort => Outcome::Aborted,
                    Err(error) => Outcome::Failed(error.to_string()),
                }
            }
            Err(error) if error.is_timeout() && abort => Outcome::Aborted,
            Err(error) => Outcome::Failed(error.to_string()),
        };
        if let Outcome::Answered(status, body) = &outcome
            && *status >= 500
        {
            eprintln!("{kind}: {status} {body}");
        }
        if let Outcome::Failed(error) = &outcome {
            eprintln!("{kind}: transport error: {error}");
        }
        self.figures.record(kind, &outcome, started.elapsed());
        outcome
    }
}

/// Signs in with a password: a client holding the session cookie, and the
/// CSRF token.
async fn sign_in(
    base: &str,
    username: &str,
    password: &str,
) -> anyhow::Result<(reqwest::Client, String, Value)> {
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let reply = http
        .post(format!("{base}/api/session"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await?;
    ensure!(
        reply.status() == StatusCode::OK,
        "signing in as {username}: {}",
        reply.status()
    );
    let session: Value = reply.json().await?;
    let csrf = session["csrf_token"]
        .as_str()
        .context("a CSRF token")?
        .to_owned();
    Ok((http, csrf, session))
}

/// Signs in, changes the initial password when asked to, and makes a token.
async fn token(base: &str, username: &str, password: &str) -> anyhow::Result<String> {
    let (mut http, mut csrf, session) = sign_in(base, username, password).await?;
    if session["account"]["must_change_password"] == true {
        let changed = http
            .post(format!("{base}/api/session/password"))
            .header("x-csrf-token", &csrf)
            .json(&json!({ "current_password": password, "new_password": PASSWORD }))
            .send()
            .await?;
        ensure!(
            changed.status().is_success(),
            "changing {username}'s password: {}",
            changed.status()
        );
        (http, csrf, _) = sign_in(base, username, PASSWORD).await?;
    }
    let made = http
        .post(format!("{base}/api/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "name": "soak" }))
        .send()
        .await?;
    ensure!(
        made.status() == StatusCode::CREATED,
        "a token for {username}: {}",
        made.status()
    );
    let body: Value = made.json().await?;
    Ok(body["token"].as_str().context("a token")?.to_owned())
}

// ------------------------------------------------------------------ the run

/// What the run must find in the store at the end.
#[derive(Debug, Default)]
struct Expected {
    /// Events each enterprise must hold, by index.
    events: Vec<u64>,
    /// Imports whose answer was lost, to be sent again at the end.
    pending_imports: Vec<PendingImport>,
    /// Each declaration's version after its last acknowledged step.
    declarations: BTreeMap<i64, i64>,
}

/// An import whose answer was lost: its idempotency key, its body, and the
/// events it adds per enterprise (by index).
#[derive(Debug)]
struct PendingImport {
    key: String,
    body: Value,
    added: Vec<(usize, u64)>,
}

struct Run {
    args: Args,
    stop: AtomicBool,
    expected: Mutex<Expected>,
    import_counter: AtomicU64,
}

impl Run {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn acknowledged(&self, declaration: &Value) {
        if let (Some(id), Some(version)) =
            (declaration["id"].as_i64(), declaration["version"].as_i64())
        {
            let mut expected = self.expected.lock().expect("expected lock");
            let entry = expected.declarations.entry(id).or_default();
            *entry = (*entry).max(version);
        }
    }
}

fn enterprise_id(i: usize) -> String {
    format!("soak-{i:04}")
}

fn enterprise_row(i: usize) -> Value {
    json!({
        "id": enterprise_id(i), "name": format!("浸泡测试{i}科技有限公司"), "name_en": null,
        "uscc": null, "founded": "2021-06-01", "country": "CN", "region": "440305",
        "city": null, "zone": null, "industries": ["ai"], "tags": [],
    })
}

fn funding(i: usize, date: &str, amount: u64) -> Value {
    json!({
        "enterprise": enterprise_id(i), "date": date, "kind": "funding", "round": null,
        "amount": amount.to_string(), "valuation": "300000000", "currency": "USD",
        "investors": null, "exchange": null, "region": null, "source": null,
    })
}

fn dataset(enterprises: Vec<Value>, events: Vec<Value>) -> Value {
    json!({ "enterprises": enterprises, "events": events, "fx": [], "financials": [] })
}

async fn setup(run: &Run, admin: &User) -> anyhow::Result<Vec<(String, User)>> {
    let mut rng = SmallRng::seed_from_u64(run.args.seed);
    let n = run.args.enterprises;
    let base = dataset(
        (0..n).map(enterprise_row).collect(),
        (0..n)
            .map(|i| funding(i, "2022-01-10", 20_000_000))
            .collect(),
    );
    let quiet = User {
        abort_rate: 0.0,
        ..admin.clone()
    };
    let imported = quiet
        .send(
            &mut rng,
            "setup",
            Method::POST,
            "/api/imports?origin=soak",
            Some(&base),
            Some("soak-base"),
        )
        .await;
    ensure!(imported.ok().is_some(), "the base import: {imported:?}");
    run.expected.lock().expect("expected lock").events = vec![1; n];

    let mut accounts = vec![
        (
            "soak.city".to_owned(),
            json!({"role": "city_reviewer", "jurisdiction": "440300"}),
        ),
        (
            "soak.province".to_owned(),
            json!({"role": "province_reviewer", "jurisdiction": "440000"}),
        ),
        (
            "soak.ministry".to_owned(),
            json!({"role": "ministry_reviewer", "jurisdiction": "CN"}),
        ),
        (
            "soak.reader".to_owned(),
            json!({"role": "investor", "jurisdiction": "CN"}),
        ),
    ];
    for i in 0..n {
        accounts.push((
            format!("soak.ent{i}"),
            json!({"role": "enterprise", "enterprise": enterprise_id(i)}),
        ));
    }
    let mut users = Vec::new();
    for (username, mut account) in accounts {
        account["username"] = json!(username);
        account["display_name"] = json!(username);
        account["password"] = json!(INITIAL);
        let made = quiet
            .send(
                &mut rng,
                "setup",
                Method::POST,
                "/api/accounts",
                Some(&account),
                None,
            )
            .await;
        ensure!(made.ok().is_some(), "creating {username}: {made:?}");
        let token = token(&admin.base, &username, INITIAL).await?;
        users.push((
            username,
            User {
                token,
                ..admin.clone()
            },
        ));
    }
    Ok(users)
}

/// An enterprise's user: drafts, edits and submits a declaration per
/// cycle, and resubmits what the city returned.
async fn declarant(run: Arc<Run>, user: User, enterprise: usize, seed: u64) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut cycle = 2000;
    while !run.stopped() && cycle <= 2100 {
        let returned = user
            .send(
                &mut rng,
                "list declarations",
                Method::GET,
                "/api/declarations?state=returned&per_page=5",
                None,
                None,
            )
            .await;
        if let Some(item) = returned
            .ok()
            .and_then(|b| b["items"].as_array())
            .and_then(|i| i.first())
            .cloned()
        {
            let id = item["id"].as_i64().unwrap_or_default();
            let action = json!({ "version": item["version"], "action": "submit" });
            let submitted = user
                .send(
                    &mut rng,
                    "resubmit",
                    Method::POST,
                    &format!("/api/declarations/{id}/actions"),
                    Some(&action),
                    None,
                )
                .await;
            if let Some(body) = submitted.ok() {
                run.acknowledged(body);
            }
            continue;
        }
        let draft = json!({
            "enterprise": enterprise_id(enterprise), "cycle": cycle, "tier": "potential",
            "summary": "浸泡测试申报", "contact_name": "测试员",
        });
        cycle += 1;
        let created = user
            .send(
                &mut rng,
                "declare",
                Method::POST,
                "/api/declarations",
                Some(&draft),
                None,
            )
            .await;
        let Some(created) = created.ok().cloned() else {
            continue;
        };
        run.acknowledged(&created);
        let id = created["id"].as_i64().unwrap_or_default();
        let mut version = created["version"].as_i64().unwrap_or_default();
        if rng.random_bool(0.3) {
            let edit = json!({ "version": version, "summary": "浸泡测试申报（修改）" });
            let edited = user
                .send(
                    &mut rng,
                    "edit",
                    Method::PATCH,
                    &format!("/api/declarations/{id}"),
                    Some(&edit),
                    None,
                )
                .await;
            match edited.ok() {
                Some(body) => {
                    run.acknowledged(body);
                    version = body["version"].as_i64().unwrap_or(version);
                }
                None => continue,
            }
        }
        let action = json!({ "version": version, "action": "submit" });
        let submitted = user
            .send(
                &mut rng,
                "submit",
                Method::POST,
                &format!("/api/declarations/{id}/actions"),
                Some(&action),
                None,
            )
            .await;
        if let Some(body) = submitted.ok() {
            run.acknowledged(body);
        }
    }
}

/// A reviewer: takes the oldest declaration in `state` and acts on it.
async fn reviewer(run: Arc<Run>, user: User, state: &'static str, kind: &'static str, seed: u64) {
    let mut rng = SmallRng::seed_from_u64(seed);
    while !run.stopped() {
        let listed = user
            .send(
                &mut rng,
                "list declarations",
                Method::GET,
                &format!("/api/declarations?state={state}&per_page=20"),
                None,
                None,
            )
            .await;
        let items = listed
            .ok()
            .and_then(|b| b["items"].as_array().cloned())
            .unwrap_or_default();
        if items.is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        let item = &items[rng.random_range(0..items.len())];
        let id = item["id"].as_i64().unwrap_or_default();
        let action = match kind {
            "approve" if rng.random_bool(0.2) => {
                json!({ "version": item["version"], "action": "return", "reason": "请补充材料" })
            }
            "approve" => {
                json!({ "version": item["version"], "action": "approve", "reason": "材料齐全" })
            }
            other => json!({ "version": item["version"], "action": other }),
        };
        let acted = user
            .send(
                &mut rng,
                kind,
                Method::POST,
                &format!("/api/declarations/{id}/actions"),
                Some(&action),
                None,
            )
            .await;
        if let Some(body) = acted.ok() {
            run.acknowledged(body);
        }
    }
}

/// The administrator: imports new events with an `Idempotency-Key`, and
/// now and then re-evaluates the pool and reads the audit log.
async fn administrator(run: Arc<Run>, user: User, seed: u64) {
    let mut rng = SmallRng::seed_from_u64(seed);
    while !run.stopped() {
        let roll: f64 = rng.random();
        if roll < 0.1 {
            user.send(
                &mut rng,
                "reevaluate",
                Method::POST,
                "/api/pool/reevaluations",
                Some(&json!({})),
                None,
            )
            .await;
            continue;
        }
        if roll < 0.3 {
            user.send(
                &mut rng,
                "read audit",
                Method::GET,
                "/api/audit?limit=20",
                None,
                None,
            )
            .await;
            continue;
        }
        let number = run.import_counter.fetch_add(1, Ordering::Relaxed);
        let mut added = BTreeMap::<usize, u64>::new();
        let events: Vec<Value> = (0..rng.random_range(1..=20))
            .map(|k| {
                let i = rng.random_range(0..run.args.enterprises);
                *added.entry(i).or_default() += 1;
                // Distinct rows: the import number and position in the amount.
                funding(i, "2023-06-01", 1_000_000 + number * 100 + k)
            })
            .collect();
        let body = dataset(Vec::new(), events);
        let key = format!("soak-import-{number}");
        let added: Vec<(usize, u64)> = added.into_iter().collect();
        let outcome = user
            .send(
                &mut rng,
                "import",
                Method::POST,
                "/api/imports?origin=soak",
                Some(&body),
                Some(&key),
            )
            .await;
        let mut expected = run.expected.lock().expect("expected lock");
        match outcome {
            Outcome::Answered(200, _) => {
                for (i, n) in added {
                    expected.events[i] += n;
                }
            }
            // Refused outright: nothing was written.
            Outcome::Answered(status, _) if status < 500 => {}
            _ => expected
                .pending_imports
                .push(PendingImport { key, body, added }),
        }
    }
}

/// A reader: lists and looks up what an investor may see.
async fn reader(run: Arc<Run>, user: User, seed: u64, until: Option<Instant>) {
    let mut rng = SmallRng::seed_from_u64(seed);
    while !run.stopped() && until.is_none_or(|t| Instant::now() < t) {
        let i = rng.random_range(0..run.args.enterprises);
        let (kind, path) = match rng.random_range(0..6) {
            0 => (
                "read enterprises",
                format!(
                    "/api/enterprises?per_page=20&page={}",
                    rng.random_range(1..4)
                ),
            ),
            1 => (
                "read enterprise",
                format!("/api/enterprises/{}", enterprise_id(i)),
            ),
            2 => (
                "read tier",
                format!(
                    "/api/enterprises/{}/tier?rules=gei&as_of=2025-12-31",
                    enterprise_id(i)
                ),
            ),
            3 => ("read notices", "/api/notices".to_owned()),
            4 => ("read pool", "/api/pool".to_owned()),
            _ => (
                "read statistics",
                "/api/statistics/tiers?as_of=2025-12-31".to_owned(),
            ),
        };
        user.send(&mut rng, kind, Method::GET, &path, None, None)
            .await;
    }
}

/// Sends every import whose answer was lost again, then compares the store
/// with what was acknowledged. Returns the problems found.
async fn check(run: &Run, admin: &User) -> anyhow::Result<Vec<String>> {
    let mut rng = SmallRng::seed_from_u64(0);
    let quiet = User {
        abort_rate: 0.0,
        ..admin.clone()
    };
    let pending = std::mem::take(&mut run.expected.lock().expect("expected lock").pending_imports);
    let mut problems = Vec::new();
    for PendingImport { key, body, added } in pending {
        // An import still running is answered 409 until it ends.
        let mut answer = None;
        for _ in 0..50 {
            let outcome = quiet
                .send(
                    &mut rng,
                    "check: import again",
                    Method::POST,
                    "/api/imports?origin=soak",
                    Some(&body),
                    Some(&key),
                )
                .await;
            match outcome {
                Outcome::Answered(409, _) => tokio::time::sleep(Duration::from_millis(200)).await,
                other => {
                    answer = Some(other);
                    break;
                }
            }
        }
        match answer {
            Some(Outcome::Answered(200, _)) => {
                let mut expected = run.expected.lock().expect("expected lock");
                for (i, n) in added {
                    expected.events[i] += n;
                }
            }
            other => problems.push(format!("import {key} sent again: {other:?}")),
        }
    }
    let expected = std::mem::take(&mut *run.expected.lock().expect("expected lock"));
    for (i, want) in expected.events.iter().enumerate() {
        let got = quiet
            .send(
                &mut rng,
                "check: enterprise",
                Method::GET,
                &format!("/api/enterprises/{}", enterprise_id(i)),
                None,
                None,
            )
            .await;
        let held = got
            .ok()
            .and_then(|b| b["events"].as_array())
            .map(|e| e.len() as u64);
        if held != Some(*want) {
            problems.push(format!(
                "{} holds {held:?} events, {want} acknowledged",
                enterprise_id(i)
            ));
        }
    }
    for (id, version) in &expected.declarations {
        let got = quiet
            .send(
                &mut rng,
                "check: declaration",
                Method::GET,
                &format!("/api/declarations/{id}"),
                None,
                None,
            )
            .await;
        // The detail answer holds the declaration beside its steps.
        let held = got.ok().and_then(|b| b["declaration"]["version"].as_i64());
        if held.is_none_or(|held| held < *version) {
            problems.push(format!(
                "declaration {id} is at version {held:?}, {version} acknowledged"
            ));
        }
    }
    Ok(problems)
}

fn print_table(title: &str, figures: &Figures) -> (u64, u64, u64, Histogram<u64>) {
    println!("\n{title}\n");
    println!("| kind | answered | by status | aborted | transport errors | p50 ms | p99 ms |");
    println!("|---|---:|---|---:|---:|---:|---:|");
    let mut all = Histogram::<u64>::new_with_bounds(1, 600_000_000, 3).expect("valid bounds");
    let (mut answered_all, mut aborted_all, mut five_xx) = (0, 0, 0);
    for (kind, figures) in figures.snapshot() {
        let Kind {
            statuses,
            aborted,
            transport,
            latency,
        } = figures;
        let answered: u64 = statuses.values().sum();
        let by_status = statuses
            .iter()
            .map(|(s, n)| format!("{s}×{n}"))
            .collect::<Vec<_>>()
            .join(" ");
        five_xx += statuses
            .iter()
            .filter(|(s, _)| **s >= 500)
            .map(|(_, n)| n)
            .sum::<u64>()
            + transport;
        println!(
            "| {kind} | {answered} | {by_status} | {aborted} | {transport} | {:.2} | {:.2} |",
            ms(latency.value_at_quantile(0.5)),
            ms(latency.value_at_quantile(0.99)),
        );
        if !kind.starts_with("check") && kind != "setup" {
            all.add(&latency).expect("same bounds");
            answered_all += answered;
            aborted_all += aborted;
        }
    }
    (answered_all, aborted_all, five_xx, all)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let host = args
        .url
        .strip_prefix("http://")
        .and_then(|rest| rest.split(':').next())
        .unwrap_or_default();
    if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
        bail!(
            "the soak test runs against a loopback address only, not {}",
            args.url
        );
    }
    let figures = Arc::new(Figures::default());
    let baseline_figures = Arc::new(Figures::default());
    let base = args.url.trim_end_matches('/').to_owned();
    let admin = User {
        http: reqwest::Client::new(),
        base: base.clone(),
        token: token(&base, &args.admin, &args.password).await?,
        figures: figures.clone(),
        abort_rate: args.abort_rate,
    };
    let run = Arc::new(Run {
        args,
        stop: AtomicBool::new(false),
        expected: Mutex::new(Expected::default()),
        import_counter: AtomicU64::new(0),
    });
    let started = Instant::now();
    let users = setup(&run, &admin).await?;
    println!(
        "setup: {} accounts in {:.1} s",
        users.len(),
        started.elapsed().as_secs_f64()
    );
    let find = |name: &str| {
        users
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, u)| u.clone())
            .context("a setup account")
    };

    // The baseline: one reader, alone, never giving up.
    let lone = User {
        figures: baseline_figures.clone(),
        abort_rate: 0.0,
        ..find("soak.reader")?
    };
    let baseline_for = Duration::from_secs_f64(run.args.baseline);
    reader(
        run.clone(),
        lone,
        run.args.seed,
        Some(Instant::now() + baseline_for),
    )
    .await;

    let mut tasks = tokio::task::JoinSet::new();
    let seed = run.args.seed;
    let mut next_seed = {
        let mut n = seed.wrapping_mul(1000);
        move || {
            n += 1;
            n
        }
    };
    for v in 0..run.args.users {
        // The enterprises are shared out among the declaring users.
        let mut enterprise = v;
        while enterprise < run.args.enterprises {
            let user = find(&format!("soak.ent{enterprise}"))?;
            tasks.spawn(declarant(run.clone(), user, enterprise, next_seed()));
            enterprise += run.args.users;
        }
        tasks.spawn(reviewer(
            run.clone(),
            find("soak.city")?,
            "submitted",
            "approve",
            next_seed(),
        ));
        tasks.spawn(reviewer(
            run.clone(),
            find("soak.province")?,
            "locally_approved",
            "recommend",
            next_seed(),
        ));
        tasks.spawn(reviewer(
            run.clone(),
            find("soak.ministry")?,
            "recommended",
            "accept",
            next_seed(),
        ));
        tasks.spawn(reader(run.clone(), find("soak.reader")?, next_seed(), None));
    }
    tasks.spawn(administrator(run.clone(), admin.clone(), next_seed()));
    let soak_started = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(run.args.duration)).await;
    run.stop.store(true, Ordering::Relaxed);
    while tasks.join_next().await.is_some() {}
    let soaked = soak_started.elapsed();

    let problems = check(&run, &admin).await?;
    println!("\nsoak of {:.0} s against {base}", soaked.as_secs_f64());
    let (_, _, _, baseline_all) = print_table("baseline: one reader alone", &baseline_figures);
    let (answered, aborted, five_xx, all) =
        print_table("soak: every role, clients giving up at random", &figures);
    let baseline_reads = baseline_figures.snapshot();
    println!("\nreads under the soak against the baseline (same kind, same server)\n");
    println!("| kind | p50 ratio | p99 ratio |");
    println!("|---|---:|---:|");
    for (kind, Kind { latency, .. }) in figures.snapshot() {
        if let Some(Kind { latency: alone, .. }) = baseline_reads.get(kind)
            && !alone.is_empty()
            && !latency.is_empty()
        {
            println!(
                "| {kind} | {:.1}× | {:.1}× |",
                latency.value_at_quantile(0.5) as f64 / alone.value_at_quantile(0.5) as f64,
                latency.value_at_quantile(0.99) as f64 / alone.value_at_quantile(0.99) as f64,
            );
        }
    }
    if !baseline_all.is_empty() {
        println!(
            "\nbaseline reads: p50 {:.2} ms, p99 {:.2} ms",
            ms(baseline_all.value_at_quantile(0.5)),
            ms(baseline_all.value_at_quantile(0.99))
        );
    }
    for problem in &problems {
        println!("inconsistent: {problem}");
    }
    println!(
        "soak requests={answered} aborted={aborted} five_xx={five_xx} rps={:.1} p50_ms={:.2} p99_ms={:.2} consistent={}",
        answered as f64 / soaked.as_secs_f64(),
        ms(all.value_at_quantile(0.5)),
        ms(all.value_at_quantile(0.99)),
        problems.is_empty()
    );
    if five_xx > 0 || !problems.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}
