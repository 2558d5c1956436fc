//! Building a report from the ledger in one pass over its enterprises.

mod arith;
mod flows;
mod ranks;
mod tally;
mod time_to_tier;

use std::borrow::Cow;

use hatchery_core::criteria::{RuleSet, TierIndex};
use hatchery_core::{Classification, Ledger};
use jiff::civil::Date;

use crate::error::ReportError;
#[cfg(doc)]
use crate::error::ScopeError;
use crate::highlights::highlights;
use crate::known::check_scope;
use crate::model::{
    RegionInfo, Report, RuleSetInfo, SCHEMA, ScopeInfo, ScopeKind, TierInfo, TierKeys,
};
use crate::names::division_name;
use crate::options::{Lang, ReportOptions, Scope};
use crate::regions::Regions;
pub(crate) use arith::share;
use flows::{CauseJudge, FlowTally};
use tally::DateTally;
pub use time_to_tier::FirstReached;
use time_to_tier::TimeTally;

/// Builds the report of `ledger` under `rules` on `dates` (sorted and
/// de-duplicated here; at least one).
///
/// A scope must name something that exists: a province or city of the
/// division table, or a zone that an enterprise of the ledger carries or the
/// zone catalog names; otherwise [`ScopeError::UnknownDivision`] or
/// [`ScopeError::UnknownZone`] says which known ones are nearest.
///
/// The tiers of every enterprise on every date come from one call to
/// [`Ledger::classify`]; enterprises that hold no tier on any date are then
/// skipped in the counts and flows, and the others are read once, date by
/// date, with no allocation beyond the first sight of a province, city,
/// zone, industry or tag. Time to tier reads every enterprise's own event
/// days up to the last date, whatever the dates in between.
pub fn build(
    ledger: &Ledger,
    rules: &RuleSet,
    dates: &[Date],
    options: &ReportOptions,
) -> Result<Report, ReportError> {
    let mut dates = dates.to_vec();
    dates.sort_unstable();
    dates.dedup();
    if dates.is_empty() {
        return Err(ReportError::NoDates);
    }
    if let Some(scope) = &options.scope {
        check_scope(scope, ledger)?;
    }
    build_classified(ledger, rules, &ledger.classify(rules, &dates), options)
}

/// [`build`] from a classification already made: `classification` must be
/// `ledger.classify(rules, dates)` with the report's dates, ascending and
/// distinct. Classifying is most of a report's work and does not depend
/// on its scope or language, so a server that builds the reports of many
/// jurisdictions on the same dates classifies once.
pub fn build_classified(
    ledger: &Ledger,
    rules: &RuleSet,
    classification: &Classification,
    options: &ReportOptions,
) -> Result<Report, ReportError> {
    let reached = FirstReached::compute(ledger, rules);
    build_reached(ledger, rules, classification, &reached, options)
}

/// [`build_classified`] with the first days each enterprise reached each
/// tier already computed: `reached` must be
/// `FirstReached::compute(ledger, rules)`. It too is the same for every
/// report under the rule set, so a server computes it once per ledger.
pub fn build_reached(
    ledger: &Ledger,
    rules: &RuleSet,
    classification: &Classification,
    reached: &FirstReached,
    options: &ReportOptions,
) -> Result<Report, ReportError> {
    let dates = &classification.dates;
    if dates.is_empty() {
        return Err(ReportError::NoDates);
    }
    if !dates.windows(2).all(|pair| pair[0] < pair[1]) {
        return Err(ReportError::UnorderedDates);
    }
    if rules.tiers.is_empty() {
        return Err(ReportError::NoTiers(rules.key.clone()));
    }
    let regions = match &options.regions {
        Some(regions) => Cow::Borrowed(regions),
        None => Cow::Owned(Regions::builtin()?),
    };
    let lang = options.lang;
    let keys = TierKeys::new(rules.tiers.iter().map(|t| t.key.clone()).collect());
    let tier_count = keys.len();

    let judge = CauseJudge::new(rules);
    let mut tallies: Vec<DateTally<'_>> = dates
        .iter()
        .map(|&date| DateTally::new(date, tier_count, regions.len()))
        .collect();
    let mut flows: Vec<FlowTally> = dates.iter().map(|_| FlowTally::new(tier_count)).collect();
    let mut times = TimeTally::new(tier_count);
    let mut national: Vec<ranks::NationalTally<'_>> = dates
        .iter()
        .map(|_| ranks::NationalTally::default())
        .collect();
    // The enterprise's state (tier in scope) per date, reused across enterprises.
    let mut states: Vec<Option<TierIndex>> = vec![None; dates.len()];

    let last = dates[dates.len() - 1];
    for (position, enterprise) in ledger.enterprises().iter().enumerate() {
        times.record(ledger, reached, position, last, options.scope.as_ref())?;
        let row = classification.of(position);
        if row.iter().all(Option::is_none) {
            continue;
        }
        for (at, (&date, &tier)) in dates.iter().zip(row).enumerate() {
            let before = at.checked_sub(1).and_then(|b| states[b]);
            if tier.is_none() && before.is_none() {
                states[at] = None;
                continue;
            }
            let facts = ledger.as_of(position, date);
            let region = facts.region();
            let in_scope = options
                .scope
                .as_ref()
                .is_none_or(|s| s.contains(region, enterprise.zone.as_deref()));
            if let (Some(scope), Some(_)) = (&options.scope, tier) {
                national[at].record(scope, region, enterprise.zone.as_deref());
            }
            let now = tier.filter(|_| in_scope);
            states[at] = now;
            if let Some(t) = now {
                tallies[at].add(usize::from(t.0), enterprise, &facts, region, &regions)?;
            }
            flows[at].record(before, now, || judge.judge(&facts, in_scope));
        }
    }

    let mut snapshots: Vec<_> = tallies
        .into_iter()
        .map(|t| t.finish(&keys, lang, &regions, options.top_cities))
        .collect();
    ranks::annotate(&mut snapshots);
    let context = options.scope.as_ref().map(|scope| {
        let code = match scope {
            Scope::Province(code) | Scope::City(code) => code.to_string(),
            Scope::Zone(id) => id.clone(),
        };
        ranks::context(&code, &snapshots, &national)
    });
    let flows = flows
        .into_iter()
        .enumerate()
        .map(|(at, f)| f.finish(at.checked_sub(1).map(|b| dates[b]), dates[at], &keys))
        .collect();
    let mut report = Report {
        schema: SCHEMA,
        lang,
        rule_set: RuleSetInfo {
            key: rules.key.clone(),
            version: rules.version.clone(),
            title: match lang {
                Lang::Zh => rules.title.clone(),
                Lang::En => rules.title_en.clone(),
            },
        },
        scope: options.scope.as_ref().map(|s| scope_info(s, lang)),
        tiers: rules
            .tiers
            .iter()
            .map(|t| TierInfo {
                key: t.key.clone(),
                name: match lang {
                    Lang::Zh => t.name.clone(),
                    Lang::En => t.name_en.clone(),
                },
            })
            .collect(),
        regions: regions
            .iter()
            .map(|r| RegionInfo {
                key: r.key.clone(),
                name: r.name_in(lang).to_owned(),
                include: r.include(),
                exclude: r.exclude(),
            })
            .collect(),
        dates: dates.clone(),
        snapshots,
        flows,
        time_to_tier: times.finish(&keys),
        highlights: Vec::new(),
        context,
    };
    report.highlights = highlights(&report);
    Ok(report)
}

fn scope_info(scope: &Scope, lang: Lang) -> ScopeInfo {
    match scope {
        Scope::Province(code) => ScopeInfo {
            kind: ScopeKind::Province,
            code: code.to_string(),
            name: division_name(*code, lang),
        },
        Scope::City(code) => ScopeInfo {
            kind: ScopeKind::City,
            code: code.to_string(),
            name: division_name(*code, lang),
        },
        Scope::Zone(id) => ScopeInfo {
            kind: ScopeKind::Zone,
            code: id.clone(),
            name: crate::names::shown_name(crate::names::KeyKind::Zone, id, lang),
        },
    }
}
