//! `hatchery targets progress --as-of D [--scope CODE] [--format text|json]`:
//! each regional target's progress, computed from the ledger.

use std::collections::HashMap;

use anyhow::Context;
use hatchery_core::RuleSet;
use hatchery_core::targets::{Target, TargetArea, TargetSet};
use hatchery_report::{FirstReached, TargetProgress, target_progress};
use hatchery_store::Store;
use serde::Serialize;

use crate::cli::TargetsProgressArgs;
use crate::error::{CliError, CliResult};

/// `CN`, `zone:ID`, a six-digit code, or a province's (`21`) or city's
/// (`2101`) short prefix.
fn scope_area(text: &str) -> Result<TargetArea, String> {
    let text = text.trim();
    let six = match text.len() {
        2 if text.bytes().all(|b| b.is_ascii_digit()) => format!("{text}0000"),
        4 if text.bytes().all(|b| b.is_ascii_digit()) => format!("{text}00"),
        _ => text.to_owned(),
    };
    TargetArea::parse(&six).map_err(|e| format!("--scope: {e}"))
}

fn targets(args: &TargetsProgressArgs) -> CliResult<TargetSet> {
    match &args.file {
        None => TargetSet::builtin().map_err(|e| CliError::Other(anyhow::anyhow!("{e}"))),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            TargetSet::from_toml(&path.display().to_string(), &text, &|key| {
                crate::rules::resolve(key).ok()
            })
            .map_err(|e| CliError::Rejected {
                summary: format!("targets file {} is not valid", path.display()),
                problems: vec![e.to_string()],
            })
        }
    }
}

#[derive(Serialize)]
struct Row<'a> {
    target: &'a Target,
    progress: TargetProgress,
}

pub async fn progress(store: &dyn Store, args: &TargetsProgressArgs) -> CliResult {
    let set = targets(args)?;
    let scope = args
        .scope
        .as_deref()
        .map(scope_area)
        .transpose()
        .map_err(CliError::Usage)?;
    let chosen: Vec<&Target> = set
        .targets
        .iter()
        .filter(|t| scope.as_ref().is_none_or(|s| t.jurisdiction.within(s)))
        .filter(|t| args.target.as_deref().is_none_or(|id| t.id == id))
        .collect();
    if let Some(id) = &args.target
        && chosen.is_empty()
    {
        return Err(CliError::NotFound(format!(
            "no target '{id}' in that scope"
        )));
    }
    let ledger = store.load_ledger().await?;
    let mut rule_sets: HashMap<String, (RuleSet, FirstReached)> = HashMap::new();
    let mut rows = Vec::new();
    for target in chosen {
        if !rule_sets.contains_key(&target.rules) {
            let rules = crate::rules::resolve(&target.rules)?;
            let reached = FirstReached::compute(&ledger, &rules);
            rule_sets.insert(target.rules.clone(), (rules, reached));
        }
        let (rules, reached) = &rule_sets[&target.rules];
        let progress =
            target_progress(&ledger, rules, reached, target, args.as_of, args.candidates)
                .map_err(|e| CliError::Other(e.into()))?;
        rows.push(Row { target, progress });
    }
    if args.format == "json" {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).context("writing JSON")?
        );
        return Ok(());
    }
    if rows.is_empty() {
        println!("no targets in that scope");
    }
    for row in &rows {
        print_text(row);
    }
    Ok(())
}

fn print_text(row: &Row<'_>) {
    let (t, p) = (row.target, &row.progress);
    println!("{} ({})", t.title_en, t.id);
    println!("  {}", t.title);
    let cluster = t
        .cluster
        .as_ref()
        .map_or(String::new(), |c| format!(", cluster {}", c.key));
    println!(
        "  jurisdiction {}{cluster}; {} of [{}] under {}; {} from {} to {}",
        t.jurisdiction,
        t.counting.key(),
        t.tiers.join(", "),
        p.rules,
        t.quantity,
        t.start,
        t.deadline
    );
    let verified = match t.source.status {
        hatchery_core::targets::SourceStatus::Verified => "verified",
        hatchery_core::targets::SourceStatus::Unverified => "UNVERIFIED",
    };
    println!(
        "  source ({verified}): {}{}",
        t.source.title,
        t.source
            .url
            .as_deref()
            .map_or(String::new(), |u| format!(" <{u}>"))
    );
    if !t.note_en.is_empty() {
        println!("  note: {}", t.note_en);
    }
    let show = |d: Option<rust_decimal::Decimal>| d.map_or("—".to_owned(), |d| d.to_string());
    println!(
        "  as of {}: {} counted, status {}; pace per month: so far {}, needed {} (baseline {} on {}, {} months left)",
        p.as_of,
        p.count,
        p.status.key(),
        show(p.pace.so_far),
        show(p.pace.needed),
        p.pace.baseline,
        t.start,
        p.pace.months_left
    );
    for c in &p.counted {
        println!(
            "    counts: {} ({}, reached {}, region {})",
            c.id,
            c.tier.as_deref().unwrap_or("no tier now"),
            c.reached.map_or("—".to_owned(), |d| d.to_string()),
            c.region.as_deref().unwrap_or("—")
        );
    }
    for c in &p.candidates {
        let lacking: Vec<String> = c
            .lacking
            .iter()
            .map(|k| format!("{} (found {})", k.requirement, k.found))
            .collect();
        println!(
            "    candidate: {} ({}), lacks {}",
            c.id,
            c.tier.as_deref().unwrap_or("no tier"),
            lacking.join("; ")
        );
    }
    println!();
}
