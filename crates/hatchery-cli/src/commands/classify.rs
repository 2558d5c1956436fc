//! `hatchery classify --as-of DATE [--rules NAME|PATH] [--format table|csv|json|xlsx]`.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Context;
use hatchery_core::{Ledger, RuleSet, TierIndex};
use hatchery_store::Store;
use serde::Serialize;

use crate::cli::{ClassifyArgs, ClassifyFormat};
use crate::error::{CliError, CliResult};
use crate::output::Table;
use crate::progress::spinner;

/// One classified enterprise.
struct Row<'a> {
    id: &'a str,
    tier: TierIndex,
}

pub async fn run(store: &dyn Store, args: &ClassifyArgs) -> CliResult {
    let rules = crate::rules::resolve(&args.rules)?;
    let loading = spinner("loading the ledger");
    let ledger = store.load_ledger().await?;
    if let Some(bar) = loading {
        bar.finish_and_clear();
    }
    let classification = ledger.classify(&rules, &[args.as_of]);
    let rows: Vec<Row<'_>> = ledger
        .enterprises()
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            classification.tier(i, 0).map(|tier| Row {
                id: e.id.as_str(),
                tier,
            })
        })
        .collect();
    match args.format {
        ClassifyFormat::Csv => write_out(args, &csv_text(&rules, &rows)?),
        ClassifyFormat::Json => write_out(args, &json_text(&rules, args, &rows)?),
        ClassifyFormat::Table => {
            let names = names(store).await?;
            write_out(args, &table_text(&rules, args, &ledger, &rows, &names))
        }
        ClassifyFormat::Xlsx => {
            let out = args.out.as_ref().ok_or_else(|| {
                CliError::Usage("--format xlsx writes a file: add --out FILE.xlsx".into())
            })?;
            let names = names(store).await?;
            let mut table = Vec::with_capacity(rows.len());
            for row in &rows {
                let tier = rules.tier(row.tier);
                table.push([
                    row.id.to_owned(),
                    names.get(row.id).cloned().unwrap_or_default(),
                    tier.key.clone(),
                    tier.name.clone(),
                    tier.name_en.clone(),
                ]);
            }
            crate::output::write_xlsx(
                out,
                "classification",
                &["id", "name", "tier", "名称", "tier name"],
                &table,
            )
            .context("cannot write the workbook")?;
            Ok(())
        }
    }
}

async fn names(store: &dyn Store) -> CliResult<HashMap<String, String>> {
    Ok(store
        .enterprises()
        .await?
        .into_iter()
        .map(|e| (e.id.to_string(), e.name))
        .collect())
}

fn write_out(args: &ClassifyArgs, text: &str) -> CliResult {
    match &args.out {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .context("cannot write to standard output")?;
        }
    }
    Ok(())
}

/// `id,tier`, one row per enterprise with a tier, sorted by id in byte order
/// (the ledger's own order).
fn csv_text(rules: &RuleSet, rows: &[Row<'_>]) -> CliResult<String> {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    writer.write_record(["id", "tier"]).context("csv")?;
    for row in rows {
        writer
            .write_record([row.id, rules.tier(row.tier).key.as_str()])
            .context("csv")?;
    }
    let bytes = writer.into_inner().context("csv")?;
    Ok(String::from_utf8(bytes).context("csv is UTF-8")?)
}

fn counts(rules: &RuleSet, rows: &[Row<'_>]) -> Vec<(String, usize)> {
    let mut counts = vec![0usize; rules.tiers.len()];
    for row in rows {
        counts[usize::from(row.tier.0)] += 1;
    }
    rules
        .tiers
        .iter()
        .zip(counts)
        .map(|(tier, n)| (tier.key.clone(), n))
        .collect()
}

fn json_text(rules: &RuleSet, args: &ClassifyArgs, rows: &[Row<'_>]) -> CliResult<String> {
    #[derive(Serialize)]
    struct Entry<'a> {
        id: &'a str,
        tier: &'a str,
    }
    #[derive(Serialize)]
    struct Output<'a> {
        rule_set: &'a str,
        rule_set_version: &'a str,
        as_of: String,
        counts: serde_json::Map<String, serde_json::Value>,
        enterprises: Vec<Entry<'a>>,
    }
    let output = Output {
        rule_set: &rules.key,
        rule_set_version: &rules.version,
        as_of: args.as_of.to_string(),
        counts: counts(rules, rows)
            .into_iter()
            .map(|(k, n)| (k, n.into()))
            .collect(),
        enterprises: rows
            .iter()
            .map(|r| Entry {
                id: r.id,
                tier: &rules.tier(r.tier).key,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&output).context("json")?;
    text.push('\n');
    Ok(text)
}

fn table_text(
    rules: &RuleSet,
    args: &ClassifyArgs,
    ledger: &Ledger,
    rows: &[Row<'_>],
    names: &HashMap<String, String>,
) -> String {
    let summary: Vec<String> = counts(rules, rows)
        .into_iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    let mut text = format!(
        "{} ({}) as of {}: {} of {} enterprises have a tier — {}\n\n",
        rules.label(),
        rules.title,
        args.as_of,
        rows.len(),
        ledger.len(),
        summary.join(", ")
    );
    let mut table = Table::new(["id", "tier", "等级", "name"]);
    for row in rows {
        let tier = rules.tier(row.tier);
        table.row([
            row.id.to_owned(),
            tier.key.clone(),
            tier.name.clone(),
            names.get(row.id).cloned().unwrap_or_default(),
        ]);
    }
    text.push_str(&table.to_string());
    text
}
