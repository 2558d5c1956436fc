//! Times the store on a synthetic ledger built in memory:
//!
//! ```text
//! cargo run --release -p hatchery-sqlite --example sqlite_bench -- [ENTERPRISES] [EVENTS_PER_ENTERPRISE] [DB_PATH]
//! ```
//!
//! Defaults: 100 000 enterprises, 6 events each, a database in a temporary
//! folder. Prints the time of a first import, a repeated import (which adds
//! nothing), `load_ledger`, a classification on three dates, and `export`.

use std::time::Instant;

use hatchery_core::date::PartialDate;
use hatchery_core::uscc::{organisation_code, with_check_symbol};
use hatchery_core::{
    Amount, Country, Currency, Dataset, DivisionCode, Enterprise, EnterpriseId, Event, EventKind,
    Exchange, FxRate, RuleSet, Uscc,
};
use hatchery_sqlite::SqliteStore;
use hatchery_store::{ImportSource, Store};
use jiff::civil::{Date, date};

const REGIONS: [&str; 6] = ["110108", "310115", "440305", "330106", "510107", "420111"];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // RUST_LOG=hatchery_sqlite=debug shows the phases of each import.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let mut args = std::env::args().skip(1);
    let enterprises: usize = args.next().map_or(Ok(100_000), |a| a.parse())?;
    let per: usize = args.next().map_or(Ok(6), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let path = args
        .next()
        .unwrap_or_else(|| dir.path().join("bench.db").display().to_string());

    let started = Instant::now();
    let dataset = synthetic(enterprises, per)?;
    println!(
        "built {} enterprises, {} events in {:.2?}",
        dataset.enterprises.len(),
        dataset.events.len(),
        started.elapsed()
    );

    let store = SqliteStore::open(&format!("sqlite://{path}")).await?;
    let source = ImportSource {
        origin: "bench".to_owned(),
        at: "2024-01-01T00:00:00+08:00".to_owned(),
    };
    let timed = Instant::now();
    let cpu = ThreadCpu::now();
    let outcome = store.import(&dataset, &source).await?;
    println!(
        "import:        {:>8.2?}  ({} enterprises, {} events added) {}",
        timed.elapsed(),
        outcome.enterprises_added,
        outcome.events_added,
        cpu.since()
    );

    let timed = Instant::now();
    let cpu = ThreadCpu::now();
    let again = store.import(&dataset, &source).await?;
    println!(
        "import again:  {:>8.2?}  (changed anything: {}) {}",
        timed.elapsed(),
        again.changed_anything(),
        cpu.since()
    );

    let timed = Instant::now();
    let cpu = ThreadCpu::now();
    let ledger = store.load_ledger().await?;
    println!(
        "load_ledger:   {:>8.2?}  ({} enterprises, {} events) {}",
        timed.elapsed(),
        ledger.len(),
        ledger.event_count(),
        cpu.since()
    );

    let rules = RuleSet::builtin("gei")?;
    let dates = [date(2019, 12, 31), date(2021, 12, 31), date(2023, 12, 31)];
    let timed = Instant::now();
    let classification = ledger.classify(&rules, &dates);
    let tiered = (0..ledger.len())
        .filter(|&at| classification.tier(at, 2).is_some())
        .count();
    println!(
        "classify ×3:   {:>8.2?}  ({tiered} with a tier at the end of 2023)",
        timed.elapsed()
    );

    let timed = Instant::now();
    let cpu = ThreadCpu::now();
    let exported = store.export().await?;
    println!(
        "export:        {:>8.2?}  (equal to the input: {}) {}",
        timed.elapsed(),
        exported == dataset,
        cpu.since()
    );
    let size = std::fs::metadata(&path)?.len();
    println!("database file: {:.1} MiB", size as f64 / 1024.0 / 1024.0);
    store.close().await;
    Ok(())
}

/// CPU time so far of SQLite's threads and of the others, from Linux's
/// `/proc` (empty elsewhere). On a busy machine wall time is no measure of
/// the work, and with two threads working in parallel the larger of the two
/// CPU times is roughly what the step takes on an idle one.
struct ThreadCpu {
    sqlite: f64,
    rest: f64,
}

impl ThreadCpu {
    fn now() -> Self {
        let mut cpu = Self {
            sqlite: 0.0,
            rest: 0.0,
        };
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return cpu;
        };
        for task in tasks.flatten() {
            let path = task.path();
            let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
            let stat = std::fs::read_to_string(path.join("stat")).unwrap_or_default();
            // Fields after the parenthesised name: utime and stime are the
            // 12th and 13th, in clock ticks of 1/100 s.
            let fields: Vec<&str> = stat
                .rsplit_once(')')
                .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
            let ticks: f64 = [11, 12]
                .iter()
                .filter_map(|&i| fields.get(i)?.parse::<f64>().ok())
                .sum();
            if name.starts_with("sqlx-sqlite") {
                cpu.sqlite += ticks / 100.0;
            } else {
                cpu.rest += ticks / 100.0;
            }
        }
        cpu
    }

    fn since(&self) -> String {
        let now = Self::now();
        format!(
            "[cpu: sqlite {:.1}s, rest {:.1}s]",
            now.sqlite - self.sqlite,
            now.rest - self.rest
        )
    }
}

/// A deterministic ledger: ids in export order, events of several kinds with
/// amounts in three currencies.
fn synthetic(enterprises: usize, per: usize) -> Result<Dataset, Box<dyn std::error::Error>> {
    let usd = Currency::USD;
    let cny = Currency::CNY;
    let mut dataset = Dataset {
        fx: vec![
            FxRate {
                date: date(2015, 1, 1),
                currency: cny,
                per_usd: Amount::parse("6.2")?,
            },
            FxRate {
                date: date(2020, 1, 1),
                currency: cny,
                per_usd: Amount::parse("6.9762")?,
            },
        ],
        ..Dataset::default()
    };
    for n in 0..enterprises {
        let id = EnterpriseId::parse(&format!("E{n:08}"))?;
        let organisation = organisation_code(&format!("{n:08}")).ok_or("organisation code")?;
        let code = with_check_symbol(&format!("91110108{organisation}")).ok_or("credit code")?;
        let founded = date(
            2010 + (n % 12) as i16,
            1 + (n % 12) as i8,
            1 + (n % 28) as i8,
        );
        dataset.enterprises.push(Enterprise {
            id: id.clone(),
            name: format!("合成企业{n}有限公司"),
            name_en: None,
            uscc: Some(Uscc::parse(&code)?),
            founded: PartialDate::day(founded),
            country: Country::CN,
            region: Some(DivisionCode::parse(REGIONS[n % REGIONS.len()])?),
            city: None,
            zone: None,
            industries: vec!["ai".to_owned()],
            tags: Vec::new(),
            extra: Default::default(),
        });
        for k in 0..per {
            dataset.events.push(event(&id, founded, n, k, usd, cny)?);
        }
    }
    Ok(dataset)
}

fn event(
    id: &EnterpriseId,
    founded: Date,
    n: usize,
    k: usize,
    usd: Currency,
    cny: Currency,
) -> Result<Event, Box<dyn std::error::Error>> {
    let date = founded
        .checked_add(jiff::Span::new().days(200 * k as i64 + (n % 97) as i64))?
        .min(date(2024, 6, 30));
    let mut event = Event {
        enterprise: id.clone(),
        date,
        kind: EventKind::Funding,
        round: Some(["angel", "A", "B", "C", "D", "pre-IPO"][k % 6].to_owned()),
        amount: None,
        valuation: None,
        currency: Some(if n.is_multiple_of(3) { usd } else { cny }),
        investors: Some("红杉中国;IDG资本".to_owned()),
        exchange: None,
        region: None,
        source: None,
        extra: Default::default(),
    };
    let scale = 1 + (n % 50) * (k + 1);
    match k % 6 {
        0 | 2 | 4 => {
            event.amount = Some(Amount::parse(&format!("{}", scale * 1_000_000))?);
            event.valuation = Some(Amount::parse(&format!("{}", scale * 20_000_000))?);
        }
        1 | 3 => {
            event.kind = EventKind::Valuation;
            event.round = None;
            event.valuation = Some(Amount::parse(&format!("{}.5", scale * 25_000_000))?);
        }
        _ if n.is_multiple_of(10) => {
            event.kind = EventKind::Listing;
            event.round = None;
            event.currency = None;
            event.investors = None;
            event.exchange = Some(Exchange::parse("SSE")?);
        }
        _ => {
            event.kind = EventKind::Relocated;
            event.round = None;
            event.currency = None;
            event.investors = None;
            event.region = Some(DivisionCode::parse(REGIONS[(n + 1) % REGIONS.len()])?);
        }
    }
    Ok(event)
}
