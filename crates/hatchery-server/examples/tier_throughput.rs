//! Tier look-ups per second through the whole router (authentication by API
//! token, scope check, the engine's explained decision, JSON), in process.
//!
//! `cargo run --release -p hatchery-server --example tier_throughput [ENTERPRISES] [REQUESTS]`

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, header};
use hatchery_core::date::PartialDate;
use hatchery_core::{
    Amount, Country, Currency, Dataset, DivisionCode, Enterprise, EnterpriseId, Event, EventKind,
};
use hatchery_server::admin::{NewUser, create_account};
use hatchery_server::auth::{new_secret, secret_hash};
use hatchery_server::settings::Argon2Settings;
use hatchery_server::{AppState, Backend, DatabaseUrl, Settings, SystemClock, router};
use hatchery_store::ImportSource;
use hatchery_store::workflow::{CredentialKind, NewCredential};
use tower::ServiceExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let enterprises: usize = args.next().map_or(Ok(10_000), |a| a.parse())?;
    let requests: usize = args.next().map_or(Ok(50_000), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let db: Arc<dyn Backend> = hatchery_server::open_backend(&DatabaseUrl::new(url)).await?;
    let mut dataset = Dataset::default();
    for n in 0..enterprises {
        let id = EnterpriseId::parse(&format!("e{n:06}"))?;
        dataset.enterprises.push(Enterprise {
            id: id.clone(),
            name: format!("企业{n}"),
            name_en: None,
            uscc: None,
            founded: PartialDate::parse("2019-05-01")?,
            country: Country::CN,
            region: Some(DivisionCode::parse("440305")?),
            city: None,
            zone: None,
            industries: vec![],
            tags: vec![],
            extra: Default::default(),
        });
        dataset.events.push(Event {
            enterprise: id,
            date: hatchery_core::date::parse_date("2022-01-10")?,
            kind: EventKind::Funding,
            round: None,
            amount: Some(Amount::parse("20000000")?),
            valuation: Some(Amount::parse(&format!("{}", 100_000_000 + n * 100_000))?),
            currency: Some(Currency::USD),
            investors: None,
            exchange: None,
            region: None,
            source: None,
            extra: Default::default(),
        });
    }
    db.import(
        &dataset,
        &ImportSource {
            origin: "bench".into(),
            at: "now".into(),
        },
    )
    .await?;
    let clock = Arc::new(SystemClock);
    let cheap = Argon2Settings {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };
    let admin = create_account(
        db.as_ref(),
        clock.as_ref(),
        cheap,
        NewUser {
            username: "bench".into(),
            display_name: "bench".into(),
            role: "ministry_reviewer".into(),
            jurisdiction: "CN".into(),
            enterprise: None,
            password: "a long bench password".into(),
        },
    )
    .await?;
    let token = new_secret();
    let now = jiff::Timestamp::now();
    db.create_credential(&NewCredential {
        kind: CredentialKind::ApiToken,
        account: admin.id,
        secret_hash: secret_hash(&token),
        csrf_hash: None,
        name: Some("bench".into()),
        created_at: now,
        expires_at: now.checked_add(jiff::SignedDuration::from_hours(1))?,
    })
    .await?;
    let mut settings = Settings::default();
    settings.auth.argon2 = cheap;
    let app = router(AppState::new(settings, db, clock).await?);
    let workers = 16;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..workers {
        let app = app.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            for n in (worker..requests).step_by(workers) {
                let request = Request::get(format!(
                    "/api/enterprises/e{:06}/tier?as_of=2024-06-30",
                    n % enterprises
                ))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .expect("a request");
                let response = app.clone().oneshot(request).await.expect("an answer");
                assert_eq!(response.status(), 200);
                let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await;
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let elapsed = started.elapsed();
    println!(
        "{requests} tier look-ups over {enterprises} enterprises in {elapsed:.2?}: {:.0}/s",
        requests as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}
