//! `hatchery demo`: a store built from data shipped in the binary — the
//! Chinese companies of CB Insights' 2022 list, taken through the real list
//! importer, and a few illustrative enterprises that show every tier — then
//! what a newcomer should see first.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use hatchery_app::DatabaseUrl;
use hatchery_core::criteria::builtin_names;
use hatchery_core::{DivisionCode, EnterpriseId, Ledger, RuleSet};
use hatchery_lists::{ListOptions, Profile, import_list};
use hatchery_store::Store;
use jiff::civil::{Date, date};

use crate::cli::DemoArgs;
use crate::commands::import_dataset;
use crate::error::CliResult;
use crate::output::Table;

/// The rows of `Unicorn_Companies.csv` whose country is China, unchanged.
const CHINESE_LIST: &str = include_str!("../../demo/cbinsights-2022-china.csv");
/// The day CB Insights' list describes.
const LIST_DATE: Date = date(2022, 2, 24);
/// Illustrative enterprises for the tiers a published unicorn list cannot show.
const EXTRAS: [(&str, &str); 3] = [
    (
        "enterprises.csv",
        include_str!("../../demo/extras/enterprises.csv"),
    ),
    ("events.csv", include_str!("../../demo/extras/events.csv")),
    ("fx.csv", include_str!("../../demo/extras/fx.csv")),
];
/// The enterprise whose decision the demo explains.
const EXPLAINED: &str = "demo-pengcheng-bci";

pub async fn run(store: &dyn Store, db: &DatabaseUrl, args: &DemoArgs) -> CliResult {
    let work = tempfile::tempdir().context("cannot create a temporary folder")?;
    println!("Building the demo store {db} …");

    let list = work.path().join("cbinsights-2022-china.csv");
    std::fs::write(&list, CHINESE_LIST).context("cannot write the demo list")?;
    let profile = Profile::load("cbinsights-2022").context("the shipped profile")?;
    let options = ListOptions {
        list_date: LIST_DATE,
        source: None,
        skip_invalid: Some(work.path().join("rejects.csv")),
        dry_run: false,
        now: jiff::Timestamp::now(),
    };
    let summary = import_list(store, &list, &profile, &options)
        .await
        .context("importing the demo list")?;
    let (new, updated, unchanged) = summary.counts();
    println!(
        "  CB Insights list, Chinese companies as of {LIST_DATE}: {new} new, {updated} updated, {unchanged} unchanged"
    );

    let extras = work.path().join("extras");
    write_files(&extras, &EXTRAS)?;
    let outcome = import_dataset(store, &extras, false).await?;
    println!(
        "  illustrative enterprises: {} new, {} unchanged",
        outcome.enterprises_added, outcome.enterprises_unchanged
    );

    if let Some(enterprises) = args.enterprises {
        let national = work.path().join("national");
        let written = crate::commands::generate::write(enterprises, args.seed, &national)?;
        let outcome = import_dataset(store, &national, false).await?;
        println!(
            "  generated national dataset (seed {}): {} enterprises and {} events written, {} new, {} unchanged",
            args.seed,
            written.enterprises,
            written.events,
            outcome.enterprises_added,
            outcome.enterprises_unchanged
        );
    }

    let ledger = store.load_ledger().await?;
    println!(
        "  the store holds {} enterprises and {} events\n",
        ledger.len(),
        ledger.event_count()
    );

    let gei = RuleSet::builtin("gei")?;
    print_yearly_counts(&ledger, &gei);
    print_rule_sets_side_by_side(&ledger, date(2023, 12, 31))?;
    print_top_cities(&ledger, &gei, date(2023, 12, 31));
    print_explained(store, EXPLAINED, date(2023, 12, 31)).await?;

    println!("\nTry next:");
    println!("  hatchery classify --as-of 2023-12-31");
    println!("  hatchery classify --as-of 2022-02-24 --rules cbinsights --format csv");
    println!("  hatchery explain {EXPLAINED} --as-of 2021-12-31 --rules shenzhen");
    println!("  hatchery rules list");
    Ok(())
}

fn write_files(dir: &Path, files: &[(&str, &str)]) -> CliResult {
    std::fs::create_dir_all(dir).context("cannot create the demo folder")?;
    for (name, text) in files {
        std::fs::write(dir.join(name), text).with_context(|| format!("cannot write {name}"))?;
    }
    Ok(())
}

fn year_ends() -> Vec<Date> {
    (2016..=2023).map(|year| date(year, 12, 31)).collect()
}

fn print_yearly_counts(ledger: &Ledger, rules: &RuleSet) {
    println!("{} — {} / {}", rules.label(), rules.title, rules.title_en);
    let dates = year_ends();
    let classification = ledger.classify(rules, &dates);
    let mut table = Table::new(["as of", "super_unicorn", "unicorn", "potential", "total"]);
    for (d, day) in dates.iter().enumerate() {
        let mut counts = vec![0usize; rules.tiers.len()];
        for e in 0..ledger.len() {
            if let Some(tier) = classification.tier(e, d) {
                counts[usize::from(tier.0)] += 1;
            }
        }
        let total: usize = counts.iter().sum();
        let count = |key: &str| {
            rules
                .tier_index(key)
                .map_or(0, |t| counts[usize::from(t.0)])
                .to_string()
        };
        table.row([
            day.to_string(),
            count("super_unicorn"),
            count("unicorn"),
            count("potential"),
            total.to_string(),
        ]);
    }
    println!("{table}");
}

fn print_rule_sets_side_by_side(ledger: &Ledger, day: Date) -> CliResult {
    println!("Every shipped rule set as of {day}:");
    let mut table = Table::new(["rule set", "tiers (highest first)"]);
    for name in builtin_names() {
        let rules = RuleSet::builtin(name)?;
        let classification = ledger.classify(&rules, &[day]);
        let mut counts = vec![0usize; rules.tiers.len()];
        for e in 0..ledger.len() {
            if let Some(tier) = classification.tier(e, 0) {
                counts[usize::from(tier.0)] += 1;
            }
        }
        let tiers: Vec<String> = rules
            .tiers
            .iter()
            .zip(&counts)
            .map(|(tier, n)| format!("{} {n}", tier.name))
            .collect();
        table.row([rules.label(), tiers.join(" · ")]);
    }
    println!("{table}");
    Ok(())
}

fn print_top_cities(ledger: &Ledger, rules: &RuleSet, day: Date) {
    let classification = ledger.classify(rules, &[day]);
    let mut by_city: BTreeMap<DivisionCode, usize> = BTreeMap::new();
    let mut total = 0usize;
    for e in 0..ledger.len() {
        if classification.tier(e, 0).is_none() {
            continue;
        }
        total += 1;
        if let Some(region) = ledger.as_of(e, day).region() {
            *by_city.entry(region.city()).or_default() += 1;
        }
    }
    let mut cities: Vec<(DivisionCode, usize)> = by_city.into_iter().collect();
    cities.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!(
        "Top cities by enterprises with a {} tier as of {day}:",
        rules.key
    );
    let mut table = Table::new(["city", "code", "enterprises", "share"]);
    for (city, n) in cities.into_iter().take(8) {
        let share = (n * 1000).checked_div(total).unwrap_or(0);
        table.row([
            city.display_name(),
            city.to_string(),
            n.to_string(),
            format!("{}.{}%", share / 10, share % 10),
        ]);
    }
    println!("{table}");
}

async fn print_explained(store: &dyn Store, id: &str, day: Date) -> CliResult {
    let rules = RuleSet::builtin("shenzhen")?;
    let id = EnterpriseId::parse(id).context("demo id")?;
    let Some((enterprise, events)) = store.enterprise(&id).await? else {
        return Ok(());
    };
    let fx = hatchery_core::FxTable::new(&store.fx_rates().await?);
    let ledger = super::explain::single_enterprise_ledger(&enterprise, &events, fx);
    let decision = rules.decide(&ledger.as_of(0, day));
    println!("One decision, explained:");
    print!(
        "{}",
        super::explain::render(&enterprise.name, &id, &decision, &rules)
    );
    Ok(())
}
