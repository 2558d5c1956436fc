//! Times both stores on the same generated national dataset:
//!
//! ```text
//! cargo run --release -p hatchery-postgres --example postgres_bench -- [ENTERPRISES] [POSTGRES_URL]
//! ```
//!
//! Defaults: 100 000 enterprises (about 600 000 events), seed 2024, and the
//! server of the tests (`HATCHERY_TEST_POSTGRES`, else
//! `postgres://postgres@127.0.0.1:5432/postgres`), on which a database
//! `hatchery_bench` is created afresh and dropped at the end (kept, for a
//! look with `psql`, when `HATCHERY_BENCH_KEEP=1`). The SQLite
//! database lives in a temporary folder. Prints, for each backend, a first
//! import, the same import again (which adds nothing), `load_ledger` and
//! `export`, then the ratios.

use std::time::{Duration, Instant};

use hatchery_core::Dataset;
use hatchery_postgres::{PgStore, redact};
use hatchery_sqlite::SqliteStore;
use hatchery_store::{ImportSource, Store};
use hatchery_synth::{Generator, GeneratorConfig};
use sqlx::{Connection, Executor, PgConnection};

const DATABASE: &str = "hatchery_bench";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // RUST_LOG=hatchery_postgres=debug shows the phases of each import.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let mut args = std::env::args().skip(1);
    let enterprises: usize = args.next().map_or(Ok(100_000), |a| a.parse())?;
    let server = args.next().unwrap_or_else(|| {
        std::env::var("HATCHERY_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
    });

    let started = Instant::now();
    let dataset = Generator::new(GeneratorConfig::new(enterprises, 2024))?.dataset();
    println!(
        "generated {} enterprises, {} events, {} financials in {:.2?}",
        dataset.enterprises.len(),
        dataset.events.len(),
        dataset.financials.len(),
        started.elapsed()
    );

    let folder = tempfile::tempdir()?;
    let sqlite_url = format!("sqlite://{}", folder.path().join("bench.db").display());
    let sqlite = SqliteStore::open(&sqlite_url).await?;
    let on_sqlite = measure("sqlite", &sqlite, &dataset).await?;
    sqlite.close().await;

    let mut admin = PgConnection::connect(&server).await?;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)").as_str())
        .await?;
    admin
        .execute(format!("CREATE DATABASE {DATABASE}").as_str())
        .await?;
    let url = match server.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{DATABASE}"),
        None => return Err(format!("no database in {}", redact(&server)).into()),
    };
    let postgres = PgStore::open(&url).await?;
    let on_postgres = measure("postgres", &postgres, &dataset).await?;
    postgres.close().await;
    if std::env::var("HATCHERY_BENCH_KEEP").is_ok_and(|v| v == "1") {
        println!("\nkept the database {DATABASE}");
    } else {
        admin
            .execute(format!("DROP DATABASE {DATABASE} WITH (FORCE)").as_str())
            .await?;
    }

    println!("\npostgres / sqlite:");
    for (step, (p, s)) in STEPS.iter().zip(on_postgres.iter().zip(&on_sqlite)) {
        println!(
            "  {step:<13} {:>5.2}×  ({:.2?} / {:.2?})",
            p.as_secs_f64() / s.as_secs_f64(),
            p,
            s
        );
    }
    Ok(())
}

const STEPS: [&str; 4] = ["import", "import again", "load_ledger", "export"];

/// Times the steps on `store`, checking each did what it should.
async fn measure(
    name: &str,
    store: &dyn Store,
    dataset: &Dataset,
) -> Result<Vec<Duration>, Box<dyn std::error::Error>> {
    println!("\n{name}");
    let source = ImportSource {
        origin: "bench".to_owned(),
        at: "2024-01-01T00:00:00+08:00".to_owned(),
    };
    let mut times = Vec::new();

    let timed = Instant::now();
    let outcome = store.import(dataset, &source).await?;
    times.push(timed.elapsed());
    println!(
        "  import:       {:>8.2?}  ({} enterprises, {} events added)",
        times[0], outcome.enterprises_added, outcome.events_added
    );

    let timed = Instant::now();
    let again = store.import(dataset, &source).await?;
    times.push(timed.elapsed());
    println!(
        "  import again: {:>8.2?}  (changed anything: {})",
        times[1],
        again.changed_anything()
    );

    let timed = Instant::now();
    let ledger = store.load_ledger().await?;
    times.push(timed.elapsed());
    println!(
        "  load_ledger:  {:>8.2?}  ({} enterprises, {} events)",
        times[2],
        ledger.len(),
        ledger.event_count()
    );

    let timed = Instant::now();
    let exported = store.export().await?;
    times.push(timed.elapsed());
    println!(
        "  export:       {:>8.2?}  ({} events)",
        times[3],
        exported.events.len()
    );
    Ok(times)
}
