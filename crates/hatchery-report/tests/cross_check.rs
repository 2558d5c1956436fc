//! The report's numbers against a second, deliberately naive implementation
//! of the spec, on a seeded random dataset: counts per date, tier, province
//! and city (read back from the JSON, as the acceptance check reads them),
//! entries and exits by cause, regions, zones and concentration, under
//! several scopes. Only the tier of an enterprise on a date comes from the
//! criteria engine; regions, scopes, causes and counts are recomputed here
//! from the dataset's rows.

#[path = "common/random.rs"]
mod random;

use std::collections::{BTreeMap, HashMap};

use hatchery_core::{Dataset, EventKind, Ledger, RuleSet};
use hatchery_report::{ReportError, ReportOptions, Scope, build, build_classified, write_json};
use jiff::ToSpan;
use jiff::civil::{Date, date};
use serde_json::Value;

/// One enterprise's facts as the naive implementation reads them: its row
/// and events straight from the dataset, events in row order.
struct Naive<'d> {
    data: &'d Dataset,
    /// Event rows per enterprise id.
    events: HashMap<&'d str, Vec<usize>>,
}

impl<'d> Naive<'d> {
    fn new(data: &'d Dataset) -> Self {
        let mut events: HashMap<&str, Vec<usize>> = HashMap::new();
        for (row, event) in data.events.iter().enumerate() {
            events
                .entry(event.enterprise.as_str())
                .or_default()
                .push(row);
        }
        Self { data, events }
    }

    fn rows(&self, id: &str) -> impl Iterator<Item = &'d hatchery_core::Event> + '_ {
        self.events
            .get(id)
            .into_iter()
            .flatten()
            .map(|&row| &self.data.events[row])
    }

    /// The region of the latest relocation on or before `day` (the later
    /// row on a tie), else the enterprise's own, as a six-digit string.
    fn region(&self, e: &hatchery_core::Enterprise, day: Date) -> Option<String> {
        let mut best: Option<(Date, String)> = None;
        for event in self.rows(e.id.as_str()) {
            // Rows come in file order: on a tie the later row wins.
            if event.kind == EventKind::Relocated
                && event.date <= day
                && best.as_ref().is_none_or(|(d, _)| event.date >= *d)
            {
                best = Some((event.date, event.region.unwrap().to_string()));
            }
        }
        best.map(|(_, r)| r)
            .or_else(|| e.region.map(|r| r.to_string()))
    }

    /// The exit cause by the rules written in the spec and the report docs,
    /// for `gei` (every clause has an age window; the widest is ten years).
    fn cause(&self, e: &hatchery_core::Enterprise, day: Date, in_scope: bool) -> &'static str {
        let seen: Vec<_> = self
            .rows(e.id.as_str())
            .filter(|ev| ev.date <= day)
            .collect();
        if seen
            .iter()
            .any(|ev| ev.kind == EventKind::Listing && ev.exchange.unwrap().to_string() != "NEEQ")
        {
            return "listed";
        }
        let gone = seen
            .iter()
            .filter(|ev| matches!(ev.kind, EventKind::Acquired | EventKind::Closed))
            .min_by_key(|ev| ev.date);
        if let Some(gone) = gone {
            return if gone.kind == EventKind::Acquired {
                "acquired"
            } else {
                "closed"
            };
        }
        if !in_scope {
            return "moved_out";
        }
        let founded = e.founded.first_day();
        if day > founded.checked_add(10.years()).unwrap() {
            return "aged_out";
        }
        "below_threshold"
    }
}

fn province(region: &str) -> String {
    format!("{}0000", &region[..2])
}

fn city(region: &str) -> String {
    match &region[..2] {
        "11" | "12" | "31" | "50" | "81" | "82" => province(region),
        _ => format!("{}00", &region[..4]),
    }
}

/// Region membership as the issue states it.
fn regions_of(region: &str) -> Vec<&'static str> {
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| region.starts_with(p));
    let mut out = Vec::new();
    if starts(&["11", "12", "13"]) {
        out.push("jing-jin-ji");
    }
    if starts(&["31", "32", "33", "34"]) {
        out.push("yangtze-delta");
    }
    if starts(&[
        "4401", "4403", "4404", "4406", "4407", "4412", "4413", "4419", "4420", "81", "82",
    ]) {
        out.push("greater-bay-area");
    }
    let circle = [
        "50", "5101", "5103", "5105", "5106", "5107", "5109", "5110", "5111", "5113", "5114",
        "5115", "5116", "5117", "5118", "5120",
    ];
    let left_out = ["510726", "510727", "511781", "511825", "511827"];
    if starts(&circle) && !left_out.contains(&region) {
        out.push("chengdu-chongqing");
    }
    out
}

#[derive(Default, Debug, PartialEq)]
struct Expected {
    /// (date, tier, "province" | "city", code) → count
    areas: BTreeMap<(String, String, &'static str, String), u64>,
    /// (date, tier) → count
    tiers: BTreeMap<(String, String), u64>,
    /// (date, tier, what) → count, what being start/new/…/a cause/end
    flows: BTreeMap<(String, String, String), u64>,
    /// (date, region, tier) → count
    regions: BTreeMap<(String, String, String), u64>,
    /// (date, zone, tier) → count
    zones: BTreeMap<(String, String, String), u64>,
    /// date → city sizes, all tiers
    city_sizes: BTreeMap<String, BTreeMap<String, u64>>,
}

fn expected(
    data: &Dataset,
    ledger: &Ledger,
    rules: &RuleSet,
    dates: &[Date],
    scope: Option<&str>,
) -> Expected {
    let naive = Naive::new(data);
    let keys: Vec<&str> = rules.tiers.iter().map(|t| t.key.as_str()).collect();
    let mut out = Expected::default();
    for e in &data.enterprises {
        let position = ledger.position(e.id.as_str()).unwrap();
        let mut before: Option<usize> = None;
        for &day in dates {
            let d = day.to_string();
            let region = naive.region(e, day);
            let in_scope = match scope {
                None => true,
                Some(zone) if zone.starts_with("zone:") => e.zone.as_deref() == Some(&zone[5..]),
                Some(prefix) if prefix.len() == 2 => {
                    region.as_deref().is_some_and(|r| r.starts_with(prefix))
                }
                Some(c) => region
                    .as_deref()
                    .is_some_and(|r| city(r) == format!("{c}00")),
            };
            let tier = rules
                .classify(&ledger.as_of(position, day))
                .map(|t| usize::from(t.0));
            let now = tier.filter(|_| in_scope);
            let mut bump = |tier: usize, what: &str| {
                *out.flows
                    .entry((d.clone(), keys[tier].to_owned(), what.to_owned()))
                    .or_default() += 1;
            };
            match (before, now) {
                (None, Some(b)) => bump(b, "new"),
                (Some(a), None) => bump(a, naive.cause(e, day, in_scope)),
                (Some(a), Some(b)) if b < a => {
                    bump(b, "promoted_in");
                    bump(a, "promoted_out");
                }
                (Some(a), Some(b)) if b > a => {
                    bump(b, "demoted_in");
                    bump(a, "demoted_out");
                }
                _ => {}
            }
            if let Some(a) = before {
                bump(a, "start");
            }
            if let Some(t) = now {
                bump(t, "end");
                let key = keys[t].to_owned();
                *out.tiers.entry((d.clone(), key.clone())).or_default() += 1;
                if let Some(r) = &region {
                    *out.areas
                        .entry((d.clone(), key.clone(), "province", province(r)))
                        .or_default() += 1;
                    *out.areas
                        .entry((d.clone(), key.clone(), "city", city(r)))
                        .or_default() += 1;
                    *out.city_sizes
                        .entry(d.clone())
                        .or_default()
                        .entry(city(r))
                        .or_default() += 1;
                    for name in regions_of(r) {
                        *out.regions
                            .entry((d.clone(), name.to_owned(), key.clone()))
                            .or_default() += 1;
                    }
                }
                if let Some(zone) = &e.zone {
                    *out.zones
                        .entry((d.clone(), zone.clone(), key.clone()))
                        .or_default() += 1;
                }
            }
            before = now;
        }
    }
    out
}

/// The same figures, read from the report's JSON text.
fn from_json(json: &Value) -> Expected {
    let mut out = Expected::default();
    let n = |v: &Value| v.as_u64().unwrap();
    for s in json["snapshots"].as_array().unwrap() {
        let d = s["date"].as_str().unwrap().to_owned();
        for t in s["tiers"].as_array().unwrap() {
            if n(&t["count"]) > 0 {
                out.tiers.insert(
                    (d.clone(), t["tier"].as_str().unwrap().to_owned()),
                    n(&t["count"]),
                );
            }
        }
        for (field, level) in [("by_province", "province"), ("by_city", "city")] {
            for (tier, codes) in s[field].as_object().unwrap() {
                for (code, count) in codes.as_object().unwrap() {
                    out.areas
                        .insert((d.clone(), tier.clone(), level, code.clone()), n(count));
                }
            }
        }
        for (rows, into) in [("regions", &mut out.regions), ("zones", &mut out.zones)] {
            for row in s[rows].as_array().unwrap() {
                let key = row["key"].as_str().unwrap();
                for (tier, count) in row["counts"].as_object().unwrap() {
                    if n(count) > 0 {
                        into.insert((d.clone(), key.to_owned(), tier.clone()), n(count));
                    }
                }
            }
        }
        for c in s["cities"].as_array().unwrap() {
            out.city_sizes
                .entry(d.clone())
                .or_default()
                .insert(c["code"].as_str().unwrap().to_owned(), n(&c["total"]));
        }
    }
    for f in json["flows"].as_array().unwrap() {
        let d = f["to"].as_str().unwrap().to_owned();
        for t in f["tiers"].as_array().unwrap() {
            let tier = t["tier"].as_str().unwrap();
            let mut put = |what: &str, value: &Value| {
                if n(value) > 0 {
                    out.flows
                        .insert((d.clone(), tier.to_owned(), what.to_owned()), n(value));
                }
            };
            for what in [
                "start",
                "new",
                "promoted_in",
                "demoted_in",
                "promoted_out",
                "demoted_out",
                "end",
            ] {
                put(what, &t[what]);
            }
            for (cause, value) in t["exits"].as_object().unwrap() {
                put(cause, value);
            }
        }
    }
    out
}

fn dates() -> Vec<Date> {
    (2017..=2023).map(|y| date(y, 12, 31)).collect()
}

#[test]
fn counts_match_a_naive_implementation_under_every_scope() {
    let data = random::dataset(20_240_601, 4000);
    let ledger = Ledger::from_dataset(&data);
    let rules = RuleSet::builtin("gei").unwrap();
    // One classification, as a server keeps it, serves every scope.
    let classification = ledger.classify(&rules, &dates());
    for scope in [
        None,
        Some("44"),
        Some("4403"),
        Some("11"),
        Some("zone:z-sz"),
    ] {
        let options = ReportOptions {
            scope: scope.map(|s| Scope::parse(s).unwrap()),
            ..ReportOptions::default()
        };
        let report = build(&ledger, &rules, &dates(), &options).unwrap();
        let mut text = Vec::new();
        write_json(&report, &mut text).unwrap();
        let json: Value = serde_json::from_slice(&text).unwrap();
        let shared = build_classified(&ledger, &rules, &classification, &options).unwrap();
        let mut shared_text = Vec::new();
        write_json(&shared, &mut shared_text).unwrap();
        assert!(
            shared_text == text,
            "built from the shared classification, scope {scope:?}"
        );
        let got = from_json(&json);
        let want = expected(&data, &ledger, &rules, &dates(), scope);
        assert!(
            !want.tiers.is_empty(),
            "the dataset gives tiers under {scope:?}"
        );
        assert_eq!(got.tiers, want.tiers, "tier counts, scope {scope:?}");
        assert_eq!(
            got.areas, want.areas,
            "province and city counts, scope {scope:?}"
        );
        assert_eq!(got.flows, want.flows, "flows, scope {scope:?}");
        assert_eq!(got.regions, want.regions, "regions, scope {scope:?}");
        assert_eq!(got.zones, want.zones, "zones, scope {scope:?}");
        assert_eq!(
            got.city_sizes, want.city_sizes,
            "city totals, scope {scope:?}"
        );

        // Concentration over all tiers, in floating point for a change.
        for s in json["snapshots"].as_array().unwrap() {
            let d = s["date"].as_str().unwrap();
            let sizes: Vec<u64> = want
                .city_sizes
                .get(d)
                .map(|m| m.values().copied().collect())
                .unwrap_or_default();
            let total: u64 = sizes.iter().sum();
            let mut sorted = sizes.clone();
            sorted.sort_unstable_by(|a, b| b.cmp(a));
            let top5: u64 = sorted.iter().take(5).sum();
            let hhi: f64 = sizes
                .iter()
                .map(|&x| (x as f64 / total as f64).powi(2))
                .sum();
            let all = s["concentration"].as_array().unwrap().last().unwrap();
            assert_eq!(all["tier"], Value::Null);
            assert_eq!(all["enterprises"].as_u64(), Some(total));
            assert_eq!(all["top5"].as_u64(), Some(top5));
            if total > 0 {
                let got_hhi: f64 = all["hhi"].as_str().unwrap().parse().unwrap();
                let got_top5: f64 = all["top5_share"].as_str().unwrap().parse().unwrap();
                assert!(
                    (got_hhi - hhi).abs() <= 5e-7 + 1e-12,
                    "{d} hhi {got_hhi} vs {hhi}"
                );
                assert!((got_top5 - top5 as f64 / total as f64).abs() <= 5e-7 + 1e-12);
            }
        }
    }
}

#[test]
fn a_classification_out_of_date_order_is_refused() {
    let data = random::dataset(7, 50);
    let ledger = Ledger::from_dataset(&data);
    let rules = RuleSet::builtin("gei").unwrap();
    let backwards = ledger.classify(&rules, &[date(2023, 12, 31), date(2017, 12, 31)]);
    let built = build_classified(&ledger, &rules, &backwards, &ReportOptions::default());
    assert!(
        matches!(built, Err(ReportError::UnorderedDates)),
        "{built:?}"
    );
}

#[test]
fn time_to_tier_matches_a_day_by_day_scan() {
    let data = random::dataset(7, 300);
    let ledger = Ledger::from_dataset(&data);
    let rules = RuleSet::builtin("gei").unwrap();
    let dates = dates();
    let last = *dates.last().unwrap();
    // Per enterprise, every day from founding to the last date (or until
    // the highest tier is reached): the first day of each tier or a higher one.
    let mut firsts: Vec<(usize, Vec<Option<Date>>)> = Vec::new();
    for position in 0..ledger.len() {
        let mut first = vec![None; rules.tiers.len()];
        let mut day = ledger.enterprises()[position].founded;
        while day <= last && first[0].is_none() {
            if let Some(tier) = rules.classify(&ledger.as_of(position, day)) {
                for slot in &mut first[usize::from(tier.0)..] {
                    slot.get_or_insert(day);
                }
            }
            day = day.tomorrow().unwrap();
        }
        firsts.push((position, first));
    }
    for scope in [None, Some("44")] {
        let options = ReportOptions {
            scope: scope.map(|s| Scope::parse(s).unwrap()),
            ..ReportOptions::default()
        };
        let report = build(&ledger, &rules, &dates, &options).unwrap();
        let mut ages: Vec<Vec<i64>> = vec![Vec::new(); rules.tiers.len()];
        for (position, first) in &firsts {
            let founded = ledger.enterprises()[*position].founded;
            for (t, day) in first.iter().enumerate() {
                let Some(day) = *day else { continue };
                // In scope on the day it first got there, by its region that day.
                let region = ledger.as_of(*position, day).region();
                if scope.is_some_and(|_| region.is_none_or(|r| !r.has_prefix("44"))) {
                    continue;
                }
                ages[t].push(i64::from(founded.until(day).unwrap().get_days()));
            }
        }
        assert_time_to_tier(&report, ages, scope);
    }
}

fn assert_time_to_tier(report: &hatchery_report::Report, ages: Vec<Vec<i64>>, scope: Option<&str>) {
    for (tier, mut ages) in report.time_to_tier.iter().zip(ages) {
        ages.sort_unstable();
        assert_eq!(
            tier.enterprises,
            ages.len() as u64,
            "{} under {scope:?}",
            tier.tier
        );
        if ages.is_empty() {
            assert!(tier.days.is_none());
            continue;
        }
        // Quartiles by the textbook formula, in floating point.
        let quantile = |p: f64| {
            let h = (ages.len() - 1) as f64 * p;
            let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
            ages[lo] as f64 + (h - h.floor()) * (ages[hi] - ages[lo]) as f64
        };
        let days = tier.days.unwrap();
        let got: Vec<f64> = [days.min, days.q1, days.median, days.q3, days.max]
            .iter()
            .map(|d| d.to_string().parse().unwrap())
            .collect();
        let want = [0.0, 0.25, 0.5, 0.75, 1.0].map(quantile);
        assert_eq!(got, want, "{} under {scope:?}", tier.tier);
    }
}

#[test]
fn time_to_tier_does_not_depend_on_the_dates_in_between() {
    let data = random::dataset(20_240_601, 2000);
    let ledger = Ledger::from_dataset(&data);
    let rules = RuleSet::builtin("gei").unwrap();
    let all = dates();
    let (first, last) = (all[0], *all.last().unwrap());
    let every = |options: &ReportOptions| build(&ledger, &rules, &all, options).unwrap();
    let ends = |options: &ReportOptions| build(&ledger, &rules, &[first, last], options).unwrap();
    let middle =
        |options: &ReportOptions| build(&ledger, &rules, &[first, all[3], last], options).unwrap();
    for scope in [None, Some("44"), Some("zone:z-sz")] {
        let options = ReportOptions {
            scope: scope.map(|s| Scope::parse(s).unwrap()),
            ..ReportOptions::default()
        };
        let want = every(&options).time_to_tier;
        assert!(
            want.iter().all(|t| t.enterprises > 0),
            "every tier is reached under {scope:?}: {want:?}"
        );
        assert_eq!(ends(&options).time_to_tier, want, "{scope:?}");
        assert_eq!(middle(&options).time_to_tier, want, "{scope:?}");
    }
    // An earlier last date counts fewer.
    let earlier = build(&ledger, &rules, &[first, all[3]], &ReportOptions::default()).unwrap();
    let now = every(&ReportOptions::default());
    assert!(earlier.time_to_tier[2].enterprises < now.time_to_tier[2].enterprises);
}
