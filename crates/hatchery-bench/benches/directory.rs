//! `cargo bench -p hatchery-bench --bench directory`: the web directory's
//! search, `GET /api/enterprises` through the real router (session cookie,
//! JSON body read whole), on a generated ledger of N enterprises imported
//! into SQLite. `DIRECTORY_SIZES=100000,1000000` picks the sizes (default
//! 100,000).
//!
//! - `uncached`: the **baseline**, every request on a new as-of day, so the
//!   request computes every enterprise's tier (and placement and valuation)
//!   itself, as every directory request did before the index was cached;
//! - `first_page`: the first page by id, the index cached;
//! - `sorted_valuation_desc_page_50`: page 50 by latest valuation, highest
//!   first (the order computed once, then cached with the index);
//! - `sorted_name_page_1`: by name in pinyin order;
//! - `zone_and_industry`: Shenzhen's first high-tech zone and `fintech`;
//! - `text_search`: `q=科技` (part of the name), by tier;
//! - `dashboard_report_uncached`: the **report's baseline**, the national
//!   tracking report on twelve dates as the ministry's dashboard asks for
//!   it, on a new day each request, so built whole each time;
//! - `dashboard_report_12_dates`: the same report asked again, kept by the
//!   ledger view;
//! - `compare_rule_sets_new_day`: the **comparison's baseline**, `gei`
//!   against `hurun` (`GET /api/rulesets/gei/comparison`) on a day no
//!   request asked for yet, so both rule sets' tiers are computed;
//! - `compare_rule_sets`: the same comparison asked again (both rule sets'
//!   directory indexes kept by the ledger view);
//! - `compare_rule_sets_today_built_ahead`: the same comparison on today
//!   (the page's default day) once the server has built ahead for it;
//! - `dashboard_page_new_day`: the **dashboard page's baseline**, the web
//!   interface's 工作台 (`GET /`) as the ministry on a new day each request,
//!   with nothing built ahead: the request builds the day's directory index
//!   (its tier counts) and the nation's report itself;
//! - `dashboard_page_built_ahead`: the same page on a new day once the
//!   server has built ahead for it (`hatchery_server::warm::warm`, what
//!   `hatchery serve` runs in the background at a day's change and after
//!   an import): the first request of the day and the ones after it;
//! - `province_dashboard_page_new_day`: the baseline for a province,
//!   Guangdong's reviewer's dashboard on a new day, nothing built ahead;
//! - `province_dashboard_page_first_built_ahead`: Guangdong's first
//!   dashboard of a day built ahead for the nation: its own report is
//!   built by the request, from the classification built ahead.
//!
//! The ratio of each to `uncached`, measured in the same run, is the figure
//! docs/PERFORMANCE.md reports.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hatchery_server::admin::{NewUser, create_account};
use hatchery_server::routes::router_with;
use hatchery_server::settings::Argon2Settings;
use hatchery_server::{AppState, DatabaseUrl, ManualClock, Settings};
use hatchery_store::ImportSource;
use hatchery_synth::{Generator, GeneratorConfig};
use http_body_util::BodyExt;
use tower::ServiceExt;

const SEED: u64 = 42;
const PASSWORD: &str = "directory bench password";

struct App {
    router: Router,
    state: AppState,
    clock: Arc<ManualClock>,
    cookie: String,
    /// Guangdong's province reviewer's session.
    province_cookie: String,
    zone: String,
    _dir: tempfile::TempDir,
}

async fn get(router: &Router, path: &str, cookie: &str) -> (StatusCode, Vec<u8>) {
    let request = Request::get(path)
        .header(header::COOKIE, format!("hatchery_session={cookie}"))
        .body(Body::empty())
        .expect("a request");
    let response = router.clone().oneshot(request).await.expect("an answer");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes()
        .to_vec();
    (status, body)
}

/// Signs `username` in through the API: its session cookie.
async fn sign_in(router: &Router, username: &str) -> String {
    let body = serde_json::json!({ "username": username, "password": PASSWORD }).to_string();
    let request = Request::post("/api/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("a request");
    let response = router.clone().oneshot(request).await.expect("an answer");
    assert_eq!(response.status(), StatusCode::OK, "{username} signed in");
    response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .and_then(|v| v.strip_prefix("hatchery_session="))
        .expect("a session cookie")
        .to_owned()
}

async fn app(enterprises: usize) -> App {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = DatabaseUrl::new(format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ));
    let db = hatchery_server::open_backend(&url)
        .await
        .expect("a fresh store");
    {
        let data = Generator::new(GeneratorConfig::new(enterprises, SEED))
            .expect("a valid generator configuration")
            .dataset();
        let source = ImportSource {
            origin: "hatchery-bench".to_owned(),
            at: "2024-01-01T00:00:00Z".to_owned(),
        };
        db.import(&data, &source)
            .await
            .expect("the dataset imports");
    }
    let clock = Arc::new(ManualClock::new(
        "2024-06-01T01:00:00Z".parse().expect("an instant"),
    ));
    hatchery_server::service::seed_shipped_zones(
        db.as_ref(),
        &hatchery_server::startup::system(clock.as_ref(), "seed"),
    )
    .await
    .expect("zones seed");
    let argon2 = Argon2Settings {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };
    create_account(
        db.as_ref(),
        clock.as_ref(),
        argon2,
        NewUser {
            username: "admin".into(),
            display_name: "admin".into(),
            role: "ministry_admin".into(),
            jurisdiction: "CN".into(),
            enterprise: None,
            password: PASSWORD.into(),
        },
    )
    .await
    .expect("an administrator");
    create_account(
        db.as_ref(),
        clock.as_ref(),
        argon2,
        NewUser {
            username: "guangdong".into(),
            display_name: "广东省工信厅".into(),
            role: "province_reviewer".into(),
            jurisdiction: "440000".into(),
            enterprise: None,
            password: PASSWORD.into(),
        },
    )
    .await
    .expect("a province reviewer");
    let mut settings = Settings::default();
    settings.auth.argon2 = argon2;
    settings.auth.cookie_secure = false;
    // The dashboard cases move the clock a day a request: the session must
    // outlast the journey.
    settings.auth.session_hours = 24 * 3650;
    settings.auth.idle_minutes = 60 * 24 * 3650;
    let state = AppState::new(settings, db, clock.clone())
        .await
        .expect("the state");
    let pages = hatchery_web::pages().expect("the web pages");
    let router = router_with(state.clone(), Some(pages));
    let cookie = sign_in(&router, "admin").await;
    let province_cookie = sign_in(&router, "guangdong").await;
    let (_, zones) = get(&router, "/api/zones?city=440300&kind=high_tech", &cookie).await;
    let zones: serde_json::Value = serde_json::from_slice(&zones).expect("zones");
    let zone = zones[0]["id"].as_str().expect("a zone").to_owned();
    App {
        router,
        state,
        clock,
        cookie,
        province_cookie,
        zone,
        _dir: dir,
    }
}

/// The dates the dashboard's report is on, as the query writes them.
fn dashboard_dates(today: jiff::civil::Date) -> String {
    hatchery_server::warm::dashboard_dates(today)
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn sizes() -> Vec<usize> {
    std::env::var("DIRECTORY_SIZES")
        .unwrap_or_else(|_| "100000".to_owned())
        .split(',')
        .map(|n| n.trim().parse().expect("sizes are numbers"))
        .collect()
}

fn directory(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    for enterprises in sizes() {
        let app = runtime.block_on(app(enterprises));
        let mut group = c.benchmark_group(format!("directory_search/{enterprises}"));
        let day = AtomicU32::new(0);
        group.bench_function(BenchmarkId::from_parameter("uncached"), |b| {
            b.iter(|| {
                // A day no request asked for yet: no index to reuse.
                let n = day.fetch_add(1, Ordering::Relaxed);
                let as_of = jiff::civil::date(2010, 1, 1)
                    .checked_add(jiff::Span::new().days(i64::from(n)))
                    .expect("a day");
                let path = format!("/api/enterprises?rules=gei&as_of={as_of}");
                let (status, body) = runtime.block_on(get(&app.router, &path, &app.cookie));
                assert_eq!(status, StatusCode::OK);
                black_box(body)
            });
        });
        // The dashboard's report on dates no request asked for yet: built
        // whole, as every request did before the view kept reports.
        let report_day = AtomicU32::new(0);
        group.bench_function(
            BenchmarkId::from_parameter("dashboard_report_uncached"),
            |b| {
                b.iter(|| {
                    let n = report_day.fetch_add(1, Ordering::Relaxed);
                    let today = jiff::civil::date(2024, 1, 1)
                        .checked_add(jiff::Span::new().days(i64::from(n)))
                        .expect("a day");
                    let path = format!(
                        "/api/reports/tracking?format=json&as_of={}",
                        dashboard_dates(today)
                    );
                    let (status, body) = runtime.block_on(get(&app.router, &path, &app.cookie));
                    assert_eq!(status, StatusCode::OK);
                    black_box(body)
                });
            },
        );
        let cached = [
            (
                "first_page",
                "/api/enterprises?rules=gei&as_of=2023-12-31".to_owned(),
            ),
            (
                "sorted_valuation_desc_page_50",
                "/api/enterprises?rules=gei&as_of=2023-12-31&sort=valuation&order=desc&page=50"
                    .to_owned(),
            ),
            (
                "sorted_name_page_1",
                "/api/enterprises?rules=gei&as_of=2023-12-31&sort=name".to_owned(),
            ),
            (
                "zone_and_industry",
                format!(
                    "/api/enterprises?rules=gei&as_of=2023-12-31&zone={}&industry=fintech",
                    app.zone
                ),
            ),
            (
                "text_search",
                "/api/enterprises?rules=gei&as_of=2023-12-31&sort=tier&q=%E7%A7%91%E6%8A%80"
                    .to_owned(),
            ),
            (
                // What the dashboard asks for: the national report on the
                // last eleven year-ends and today, kept by the ledger view.
                "dashboard_report_12_dates",
                format!(
                    "/api/reports/tracking?format=json&as_of={}",
                    dashboard_dates(jiff::civil::date(2024, 6, 1))
                ),
            ),
            (
                "compare_rule_sets",
                "/api/rulesets/gei/comparison?with=hurun&as_of=2023-12-31".to_owned(),
            ),
        ];
        // Two rule sets on a day no request asked for yet.
        let compare_day = AtomicU32::new(0);
        group.bench_function(
            BenchmarkId::from_parameter("compare_rule_sets_new_day"),
            |b| {
                b.iter(|| {
                    let n = compare_day.fetch_add(1, Ordering::Relaxed);
                    let as_of = jiff::civil::date(2012, 1, 1)
                        .checked_add(jiff::Span::new().days(i64::from(n)))
                        .expect("a day");
                    let path = format!("/api/rulesets/gei/comparison?with=hurun&as_of={as_of}");
                    let (status, body) = runtime.block_on(get(&app.router, &path, &app.cookie));
                    assert_eq!(status, StatusCode::OK);
                    black_box(body)
                });
            },
        );
        for (name, path) in cached {
            // The first request computes the index (and the order): not timed.
            let (status, body) = runtime.block_on(get(&app.router, &path, &app.cookie));
            assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
            group.bench_function(BenchmarkId::from_parameter(name), |b| {
                b.iter(|| {
                    let (status, body) = runtime.block_on(get(&app.router, &path, &app.cookie));
                    assert_eq!(status, StatusCode::OK);
                    black_box(body)
                });
            });
        }
        dashboard_page(&runtime, &app, &mut group);
        group.finish();
    }
}

/// The web dashboard as the ministry on a new day: built by the request
/// (the baseline), then built ahead. Last, since it moves the clock.
fn dashboard_page(
    runtime: &tokio::runtime::Runtime,
    app: &App,
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
) {
    let next_day = || app.clock.advance(jiff::SignedDuration::from_hours(24));
    let page = |cookie: &str| {
        let (status, body) = runtime.block_on(get(&app.router, "/", cookie));
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        body
    };
    let build_ahead = || {
        runtime
            .block_on(hatchery_server::warm::warm(&app.state))
            .expect("built ahead");
    };
    group.bench_function(BenchmarkId::from_parameter("dashboard_page_new_day"), |b| {
        b.iter(|| {
            next_day();
            black_box(page(&app.cookie))
        });
    });
    group.bench_function(
        BenchmarkId::from_parameter("province_dashboard_page_new_day"),
        |b| {
            b.iter(|| {
                next_day();
                black_box(page(&app.province_cookie))
            });
        },
    );
    next_day();
    build_ahead();
    group.bench_function(
        BenchmarkId::from_parameter("dashboard_page_built_ahead"),
        |b| b.iter(|| black_box(page(&app.cookie))),
    );
    // The comparison page's default day (today), built ahead.
    group.bench_function(
        BenchmarkId::from_parameter("compare_rule_sets_today_built_ahead"),
        |b| {
            b.iter(|| {
                let path = "/api/rulesets/gei/comparison?with=hurun";
                let (status, body) = runtime.block_on(get(&app.router, path, &app.cookie));
                assert_eq!(status, StatusCode::OK);
                black_box(body)
            });
        },
    );
    // A province's first dashboard of a day: its own report is not built
    // ahead, but the classification and the index it reads are. Each
    // iteration is a new day built ahead (not timed), then the request.
    group.sampling_mode(criterion::SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(1));
    group.bench_function(
        BenchmarkId::from_parameter("province_dashboard_page_first_built_ahead"),
        |b| {
            b.iter_custom(|iterations| {
                let mut timed = Duration::ZERO;
                for _ in 0..iterations {
                    next_day();
                    build_ahead();
                    let started = std::time::Instant::now();
                    black_box(page(&app.province_cookie));
                    timed += started.elapsed();
                }
                timed
            });
        },
    );
}

fn settings() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
}

criterion_group! {
    name = benches;
    config = settings();
    targets = directory
}
criterion_main!(benches);
