//! Builds the tracking report of a generated national dataset and writes it
//! in every format and both languages, with timings.
//!
//! ```text
//! cargo run --release -p hatchery-report --example national_report -- [ENTERPRISES] [OUT] [SCOPE]
//! ```
//!
//! Defaults: 100000 enterprises, `target/report-national`, no scope.

#[path = "../tests/common/random.rs"]
mod random;

use std::path::PathBuf;
use std::time::Instant;

use hatchery_core::{Ledger, RuleSet};
use hatchery_report::{Format, Lang, ReportOptions, Scope, build, render};
use jiff::civil::date;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let enterprises: usize = args.next().map_or(Ok(100_000), |n| n.parse())?;
    let out = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "target/report-national".into()),
    );
    let scope = args.next().map(|s| Scope::parse(&s)).transpose()?;

    let started = Instant::now();
    let data = random::dataset(2024, enterprises);
    let ledger = Ledger::from_dataset(&data);
    println!(
        "{} enterprises, {} events generated in {:.2?}",
        ledger.len(),
        ledger.event_count(),
        started.elapsed()
    );
    let rules = RuleSet::builtin("gei")?;
    let dates: Vec<_> = (2017..=2023).map(|y| date(y, 12, 31)).collect();
    for lang in [Lang::Zh, Lang::En] {
        let options = ReportOptions {
            scope: scope.clone(),
            lang,
            ..ReportOptions::default()
        };
        let started = Instant::now();
        let report = build(&ledger, &rules, &dates, &options)?;
        println!("{lang}: built in {:.2?}", started.elapsed());
        for format in Format::ALL {
            let started = Instant::now();
            let path = match format {
                Format::Csv => out.join(format!("csv-{lang}")),
                f => out.join(format!("report-{lang}.{f}")),
            };
            render(&report, format, &path)?;
            println!(
                "{lang}: {format} in {:.2?} → {}",
                started.elapsed(),
                path.display()
            );
        }
    }
    Ok(())
}
