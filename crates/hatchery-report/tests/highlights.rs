//! The headline sentences quote the report's own figures: every number in
//! a sentence (dates aside) is the one its tables hold, in both languages,
//! nationally and for a province.

#[path = "common/random.rs"]
mod random;

use hatchery_core::{Ledger, RuleSet};
use hatchery_report::{Lang, Report, ReportOptions, Scope, Snapshot, build};
use jiff::civil::{Date, date};
use rust_decimal::{Decimal, RoundingStrategy};

/// The numbers of a sentence, in order, once the report's dates are taken out.
fn numbers(text: &str, dates: &[Date]) -> Vec<Decimal> {
    let mut text = text.to_owned();
    for d in dates {
        text = text.replace(&d.to_string(), " ");
        text = text.replace(&format!("{}年{}月{}日", d.year(), d.month(), d.day()), " ");
    }
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain([' ']) {
        if c.is_ascii_digit() || (c == '.' && !current.is_empty()) {
            current.push(c);
        } else if !current.is_empty() {
            out.push(current.trim_end_matches('.').parse().unwrap());
            current.clear();
        }
    }
    out
}

fn at_or_above(s: &Snapshot, at: usize) -> u64 {
    s.tiers[..=at].iter().map(|t| t.count).sum()
}

/// The change's figures as a sentence gives them: nothing when unchanged,
/// else the difference and, when there was a before, the percentage.
fn change(now: u64, before: u64) -> Vec<Decimal> {
    if now == before {
        return Vec::new();
    }
    let mut out = vec![Decimal::from(now.abs_diff(before))];
    if before > 0 {
        let diff = Decimal::from(now.abs_diff(before));
        out.push(
            (diff * Decimal::ONE_HUNDRED / Decimal::from(before))
                .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero),
        );
    }
    out
}

fn check(report: &Report) {
    let now = report.snapshots.last().unwrap();
    let before = &report.snapshots[report.snapshots.len() - 2];
    let flow = report.flows.last().unwrap();
    let unicorn = report
        .tiers
        .iter()
        .position(|t| t.key == "unicorn")
        .unwrap();
    let divisor = match report.lang {
        Lang::Zh => Decimal::from(100_000_000),
        Lang::En => Decimal::from(1_000_000_000),
    };
    for h in &report.highlights {
        let got = numbers(&h.text, &report.dates);
        let want: Vec<Decimal> = match h.topic.as_str() {
            "headline" => {
                let n = at_or_above(now, unicorn);
                let mut want = vec![Decimal::from(n)];
                want.extend((0..unicorn).map(|t| Decimal::from(now.tiers[t].count)));
                want.extend(change(n, at_or_above(before, unicorn)));
                want
            }
            "valuation" => {
                let tiers = &now.tiers[..=unicorn];
                let sum: Decimal = tiers.iter().map(|t| t.valuation_usd).sum();
                let mut want = vec![
                    (sum / divisor)
                        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
                ];
                let unknown: u64 = tiers.iter().map(|t| t.valuation_unknown).sum();
                if unknown > 0 {
                    want.push(Decimal::from(unknown));
                }
                want
            }
            "flows" => {
                let promoted: u64 = flow.tiers.iter().map(|t| t.promoted_in).sum();
                [flow.new, promoted, flow.exits.total(), flow.exits.listed]
                    .map(Decimal::from)
                    .to_vec()
            }
            "cities" => now
                .top_cities
                .iter()
                .take(3)
                .map(|c| Decimal::from(c.total))
                .collect(),
            topic => {
                let key = topic.strip_prefix("tier:").expect("a known topic");
                let at = report.tiers.iter().position(|t| t.key == key).unwrap();
                let mut want = vec![Decimal::from(now.tiers[at].count)];
                want.extend(change(now.tiers[at].count, before.tiers[at].count));
                want
            }
        };
        assert_eq!(got, want, "{}: {}", h.topic, h.text);
    }
    let topics: Vec<&str> = report.highlights.iter().map(|h| h.topic.as_str()).collect();
    assert_eq!(
        topics,
        ["headline", "valuation", "tier:potential", "flows", "cities"],
        "{:?}",
        report.highlights
    );
}

#[test]
fn every_figure_of_a_headline_is_the_tables_figure() {
    let data = random::dataset(20_240_601, 3000);
    let ledger = Ledger::from_dataset(&data);
    let rules = RuleSet::builtin("gei").unwrap();
    for dates in [
        vec![date(2021, 12, 31), date(2022, 12, 31), date(2023, 12, 31)],
        vec![date(2020, 12, 31), date(2023, 6, 30)],
    ] {
        for scope in [None, Some("44")] {
            for lang in [Lang::Zh, Lang::En] {
                let options = ReportOptions {
                    scope: scope.map(|s| Scope::parse(s).unwrap()),
                    lang,
                    ..ReportOptions::default()
                };
                let report = build(&ledger, &rules, &dates, &options).unwrap();
                assert!(report.snapshots.last().unwrap().tiers[1].count > 0);
                check(&report);
            }
        }
    }
}

#[test]
fn the_headline_reads_as_a_press_release_would_quote_it() {
    let data = random::dataset(20_240_601, 3000);
    let ledger = Ledger::from_dataset(&data);
    let rules = RuleSet::builtin("gei").unwrap();
    let dates = [date(2022, 12, 31), date(2023, 12, 31)];
    let zh = build(&ledger, &rules, &dates, &ReportOptions::default()).unwrap();
    let headline = &zh.highlights[0].text;
    assert!(
        headline.starts_with("截至2023年12月31日，全国共有独角兽 "),
        "{headline}"
    );
    assert!(headline.contains("（含超级独角兽 "), "{headline}");
    assert!(headline.contains("较上年"), "{headline}");
    let en = build(
        &ledger,
        &rules,
        &dates,
        &ReportOptions {
            lang: Lang::En,
            ..ReportOptions::default()
        },
    )
    .unwrap();
    let headline = &en.highlights[0].text;
    assert!(
        headline.starts_with("Nationwide, as of 2023-12-31: Unicorn "),
        "{headline}"
    );
    assert!(headline.contains("on a year earlier"), "{headline}");
}
