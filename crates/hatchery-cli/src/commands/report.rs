//! `hatchery report --as-of D1[,D2,…] --format html|xlsx|csv|json|md --out PATH …`.

use anyhow::Context;
use hatchery_report::{Format, Lang, Regions, ReportError, ReportOptions, Scope, build, render};
use hatchery_store::Store;

use crate::cli::ReportArgs;
use crate::error::{CliError, CliResult};
use crate::progress::spinner;

pub async fn run(store: &dyn Store, args: &ReportArgs) -> CliResult {
    let rules = crate::rules::resolve(&args.rules)?;
    let usage = |e: &dyn std::fmt::Display| CliError::Usage(e.to_string());
    let format: Format = args.format.parse().map_err(|e| usage(&e))?;
    let lang: Lang = args.lang.parse().map_err(|e| usage(&e))?;
    let scope = match &args.scope {
        Some(text) => Some(Scope::parse(text).map_err(|e| usage(&e))?),
        None => None,
    };
    let regions = match &args.regions {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Some(Regions::from_toml(&text).map_err(|e| CliError::Rejected {
                summary: format!("{} is not a valid region file", path.display()),
                problems: vec![format!("{}: {e}", path.display())],
            })?)
        }
        None => None,
    };
    let options = ReportOptions {
        scope,
        lang,
        regions,
        ..ReportOptions::default()
    };

    let working = spinner("building the report");
    let ledger = store.load_ledger().await?;
    let report = build(&ledger, &rules, &args.as_of, &options).map_err(|e| match e {
        // An unknown province, city or zone is a wrong command line.
        ReportError::Scope(scope) => usage(&scope),
        other => CliError::Other(anyhow::Error::new(other).context("building the report")),
    })?;
    render(&report, format, &args.out).context("cannot write the report")?;
    if let Some(bar) = working {
        bar.finish_and_clear();
    }
    for (date, times) in repeated(&args.as_of) {
        eprintln!("note: {date} was given {times} times; the report has it once");
    }
    println!(
        "wrote the {} report for {} date(s) under {} to {}",
        args.format,
        report.dates.len(),
        rules.label(),
        args.out.display()
    );
    Ok(())
}

/// The dates given more than once, with how often, in date order.
fn repeated(dates: &[jiff::civil::Date]) -> Vec<(jiff::civil::Date, usize)> {
    let mut counts = std::collections::BTreeMap::new();
    for &date in dates {
        *counts.entry(date).or_insert(0_usize) += 1;
    }
    counts.into_iter().filter(|&(_, n)| n > 1).collect()
}
