//! `hatchery explain ID --as-of DATE [--rules NAME] [--format text|json]`.

use std::fmt::Write as _;

use anyhow::Context;
use hatchery_core::criteria::{Check, Decision};
use hatchery_core::ledger::LedgerEnterprise;
use hatchery_core::{
    Enterprise, EnterpriseId, Event, FxTable, Ledger, LedgerBuilder, criteria::LedgerEvent,
};
use hatchery_store::Store;

use crate::cli::{ExplainArgs, ExplainFormat};
use crate::error::{CliError, CliResult};

pub async fn run(store: &dyn Store, args: &ExplainArgs) -> CliResult {
    let rules = crate::rules::resolve(&args.rules)?;
    let not_found =
        || CliError::NotFound(format!("no enterprise with id '{}' in the store", args.id));
    let id = EnterpriseId::parse(&args.id).map_err(|_| not_found())?;
    let (enterprise, events) = store.enterprise(&id).await?.ok_or_else(not_found)?;
    let fx = FxTable::new(&store.fx_rates().await?);
    let ledger = single_enterprise_ledger(&enterprise, &events, fx);
    let decision = rules.decide(&ledger.as_of(0, args.as_of));

    match args.format {
        ExplainFormat::Json => {
            let value = serde_json::json!({
                "enterprise": { "id": enterprise.id, "name": enterprise.name, "name_en": enterprise.name_en },
                "decision": decision,
            });
            println!("{}", serde_json::to_string_pretty(&value).context("json")?);
        }
        ExplainFormat::Text => print!("{}", render(&enterprise.name, &id, &decision, &rules)),
    }
    Ok(())
}

/// A ledger of one enterprise, its events in import order, and the rates.
pub fn single_enterprise_ledger(enterprise: &Enterprise, events: &[Event], fx: FxTable) -> Ledger {
    let mut builder = LedgerBuilder::with_capacity(1, events.len());
    builder.enterprise(LedgerEnterprise::from_enterprise(enterprise));
    for (order, event) in events.iter().enumerate() {
        builder.event(
            enterprise.id.as_str(),
            order as u64,
            LedgerEvent::from_event(event),
        );
    }
    builder.fx(fx);
    builder.build()
}

fn mark(check: &Check) -> &'static str {
    if check.passed { "✓" } else { "✗" }
}

fn render_check(out: &mut String, indent: &str, check: &Check) {
    let _ = writeln!(
        out,
        "{indent}{} {:<58} found: {}",
        mark(check),
        check.requirement,
        check.found
    );
}

/// The decision as a person reads it: the verdict first, then every reason.
pub fn render(
    name: &str,
    id: &EnterpriseId,
    decision: &Decision,
    rules: &hatchery_core::RuleSet,
) -> String {
    let mut out = String::new();
    let verdict = match decision.tier.as_deref().and_then(|k| rules.tier_index(k)) {
        Some(index) => {
            let tier = rules.tier(index);
            format!("{} {} ({})", tier.name, tier.name_en, tier.key)
        }
        None => "no tier / 未达到任何等级".to_owned(),
    };
    let _ = writeln!(out, "{name} [{id}]");
    let _ = writeln!(
        out,
        "as of {} under {} ({})",
        decision.as_of,
        rules.label(),
        rules.title_en
    );
    let _ = writeln!(out, "tier: {verdict}\n");
    let _ = writeln!(out, "required for every tier:");
    for check in &decision.requirements {
        render_check(&mut out, "  ", check);
    }
    for tier in &decision.tiers {
        let state = if tier.matched {
            "MATCHED"
        } else if decision.requirements.iter().all(|c| c.passed) {
            "not met"
        } else {
            "not eligible"
        };
        let _ = writeln!(
            out,
            "\n{} {} ({}): {state}",
            tier.name, tier.name_en, tier.tier
        );
        for clause in &tier.clauses {
            let indent = match &clause.label {
                Some(label) => {
                    let holds = if clause.holds { "holds" } else { "fails" };
                    let _ = writeln!(out, "  clause {label}: {holds}");
                    "    "
                }
                None => "  ",
            };
            for check in &clause.checks {
                render_check(&mut out, indent, check);
            }
        }
    }
    out
}
