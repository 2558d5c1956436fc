//! A target's progress against an independent count on a generated national
//! dataset: for each counting rule (standing, cumulative, new), several
//! areas (the nation, a province, a city, a zone, a cluster) and several
//! dates, the count `target_progress` gives equals the count made here by
//! classifying every enterprise on every day of the period with the engine
//! directly, with regions read from the dataset's relocation rows.

use std::collections::{BTreeSet, HashMap};

use hatchery_core::targets::{CountingRule, TargetSet};
use hatchery_core::{Dataset, EventKind, Ledger, RuleSet};
use hatchery_report::{FirstReached, counted_positions, target_progress};
use hatchery_synth::{GeneratorConfig, generate};
use jiff::ToSpan;
use jiff::civil::{Date, date};

const START: Date = date(2022, 1, 1);
const DATES: [Date; 4] = [
    date(2022, 1, 1),
    date(2023, 6, 30),
    date(2024, 12, 31),
    date(2025, 12, 31),
];

fn dataset() -> Dataset {
    let enterprises = generate(&GeneratorConfig::new(3_000, 15)).unwrap();
    let fx = enterprises.generator().fx_rates().to_vec();
    let mut data = Dataset {
        fx,
        ..Dataset::default()
    };
    for generated in enterprises {
        data.enterprises.push(generated.enterprise);
        data.events.extend(generated.events);
    }
    data
}

/// The region on `day` from the dataset's rows: the latest relocation on or
/// before the day (the later row on a tie), else the enterprise's own.
fn region_on(data: &Dataset, rows: &[usize], own: Option<String>, day: Date) -> Option<String> {
    let mut best: Option<(Date, String)> = None;
    for &row in rows {
        let event = &data.events[row];
        if event.kind == EventKind::Relocated
            && event.date <= day
            && best.as_ref().is_none_or(|(d, _)| event.date >= *d)
        {
            best = Some((event.date, event.region.unwrap().to_string()));
        }
    }
    best.map(|(_, r)| r).or(own)
}

/// The area as a prefix test on six-digit codes, or a zone.
enum Area {
    Prefix(String),
    Zone(String),
}

fn target_text(id: &str, area: &str, tiers: &str, counting: &str, cluster: Option<&str>) -> String {
    let cluster = cluster.map_or(String::new(), |industries| {
        format!(
            "cluster = {{ key = \"c\", name = \"c\", name_en = \"c\", industries = [{industries}] }}\n"
        )
    });
    format!(
        "[[target]]\nid = \"{id}\"\nversion = \"1\"\ntitle = \"t\"\ntitle_en = \"t\"\njurisdiction = \"{area}\"\n{cluster}rules = \"gei\"\ntiers = [{tiers}]\ncounting = \"{counting}\"\nquantity = {{ min = 5 }}\nstart = \"{START}\"\ndeadline = \"2026-12-31\"\n[target.source]\ntitle = \"s\"\nstatus = \"unverified\"\n\n"
    )
}

#[test]
fn progress_equals_an_independent_count_for_every_counting_rule() {
    let data = dataset();
    let ledger = Ledger::from_dataset(&data);
    let rules = RuleSet::builtin("gei").unwrap();
    let reached = FirstReached::compute(&ledger, &rules);

    // The busiest zone of the dataset, for a zone target.
    let mut zones: HashMap<&str, usize> = HashMap::new();
    for e in &data.enterprises {
        if let Some(zone) = &e.zone {
            *zones.entry(zone.as_str()).or_default() += 1;
        }
    }
    let zone = zones
        .iter()
        .max_by_key(|(z, n)| (**n, *z))
        .map(|(z, _)| *z)
        .unwrap();

    let areas: Vec<(String, Area)> = vec![
        ("CN".into(), Area::Prefix(String::new())),
        ("440000".into(), Area::Prefix("44".into())),
        ("110000".into(), Area::Prefix("11".into())),
        ("330100".into(), Area::Prefix("3301".into())),
        (format!("zone:{zone}"), Area::Zone(zone.to_owned())),
    ];
    let tier_sets = [
        (
            r#""super_unicorn", "unicorn", "potential""#,
            vec![0usize, 1, 2],
        ),
        (r#""unicorn""#, vec![1]),
    ];
    let mut text = String::new();
    let mut cases = Vec::new();
    for (a, (area, _)) in areas.iter().enumerate() {
        for (t, (tiers, _)) in tier_sets.iter().enumerate() {
            for counting in ["standing", "cumulative", "new"] {
                let id = format!("a{a}-t{t}-{counting}");
                text.push_str(&target_text(&id, area, tiers, counting, None));
                cases.push((id, a, t, None));
            }
        }
    }
    // A cluster: enterprises with an AI or semiconductor industry, nationally.
    for counting in ["standing", "cumulative", "new"] {
        let id = format!("cluster-{counting}");
        text.push_str(&target_text(
            &id,
            "CN",
            tier_sets[0].0,
            counting,
            Some(r#""ai", "semiconductors""#),
        ));
        cases.push((id, 0, 0, Some(["ai", "semiconductors"])));
    }
    let set = TargetSet::from_toml("generated.toml", &text, &|k| RuleSet::builtin(k).ok()).unwrap();

    // Every day from a decade before the start to the last date, classified
    // with the engine directly, for the first days and the windows.
    let first_day = date(2010, 1, 1);
    let last = DATES[DATES.len() - 1];
    let mut days = Vec::new();
    let mut day = first_day;
    while day <= last {
        days.push(day);
        day = day.checked_add(1.day()).unwrap();
    }
    let classification = ledger.classify(&rules, &days);
    let start_index = days.iter().position(|d| *d == START).unwrap();

    let mut rows: HashMap<&str, Vec<usize>> = HashMap::new();
    for (row, event) in data.events.iter().enumerate() {
        rows.entry(event.enterprise.as_str()).or_default().push(row);
    }
    let empty = Vec::new();

    // Whether an enterprise founded before the first classified day held
    // the tier (or a higher one) on some day before it: a daily scan.
    let reached_before = |position: usize, lowest: usize| {
        let founded = ledger.enterprises()[position].founded;
        let mut day = founded;
        while day < first_day {
            if rules
                .classify(&ledger.as_of(position, day))
                .is_some_and(|t| usize::from(t.0) <= lowest)
            {
                return true;
            }
            day = day.checked_add(1.day()).unwrap();
        }
        false
    };
    let mut nonzero = BTreeSet::new();
    for (id, a, t, cluster) in &cases {
        let target = set.get(id).unwrap();
        let area = &areas[*a].1;
        let tiers = &tier_sets[*t].1;
        let lowest = *tiers.iter().max().unwrap();
        for &as_of in &DATES {
            let as_of_index = days.iter().position(|d| *d == as_of).unwrap();
            let mut expected = BTreeSet::new();
            for e in &data.enterprises {
                if let Some(industries) = cluster
                    && !e
                        .industries
                        .iter()
                        .any(|i| industries.contains(&i.as_str()))
                {
                    continue;
                }
                let position = ledger.position(e.id.as_str()).unwrap();
                let own = e.region.map(|r| r.to_string());
                let event_rows = rows.get(e.id.as_str()).unwrap_or(&empty);
                let in_area = |day: Date| match area {
                    // The nation holds every enterprise, a region known or not.
                    Area::Prefix(prefix) if prefix.is_empty() => true,
                    Area::Prefix(prefix) => region_on(&data, event_rows, own.clone(), day)
                        .is_some_and(|r| r.starts_with(prefix.as_str())),
                    Area::Zone(zone) => e.zone.as_deref() == Some(zone.as_str()),
                };
                let tier = |i: usize| classification.tier(position, i).map(|t| usize::from(t.0));
                let counts = match target.counting {
                    CountingRule::Standing => {
                        tier(as_of_index).is_some_and(|t| tiers.contains(&t)) && in_area(as_of)
                    }
                    CountingRule::Cumulative => (start_index..=as_of_index)
                        .any(|i| tier(i).is_some_and(|t| t <= lowest) && in_area(days[i])),
                    CountingRule::New => {
                        let first =
                            (0..=as_of_index).find(|&i| tier(i).is_some_and(|t| t <= lowest));
                        first.is_some_and(|i| {
                            i >= start_index
                                && in_area(days[i])
                                && !(i == 0 && reached_before(position, lowest))
                        })
                    }
                };
                if counts {
                    expected.insert(e.id.as_str().to_owned());
                }
            }
            let progress = target_progress(&ledger, &rules, &reached, target, as_of, 5).unwrap();
            let got: BTreeSet<String> = progress.counted.iter().map(|c| c.id.clone()).collect();
            assert_eq!(got, expected, "target {id} on {as_of}");
            assert_eq!(progress.count as usize, expected.len());
            assert_eq!(
                counted_positions(&ledger, &rules, &reached, target, as_of)
                    .unwrap()
                    .len(),
                expected.len()
            );
            if !expected.is_empty() {
                nonzero.insert(id.clone());
            }
            // Candidates: not counted, in the tier just below (none here:
            // potential is GEI's last tier, so untiered), nearest first.
            for pair in progress.candidates.windows(2) {
                assert!(pair[0].failed <= pair[1].failed);
            }
            for candidate in &progress.candidates {
                assert!(!got.contains(&candidate.id));
                if lowest == 2 {
                    assert_eq!(candidate.tier, None);
                } else {
                    assert_eq!(candidate.tier.as_deref(), Some("potential"));
                }
                assert_eq!(candidate.failed, candidate.lacking.len());
                assert!(candidate.failed > 0);
            }
        }
    }
    // The comparison means something: most targets count someone.
    assert!(nonzero.len() * 4 >= cases.len() * 3, "{nonzero:?}");
}

#[test]
fn the_shipped_targets_compute_on_generated_data() {
    let data = dataset();
    let ledger = Ledger::from_dataset(&data);
    let set = TargetSet::builtin().unwrap();
    for target in &set.targets {
        let rules = RuleSet::builtin(&target.rules).unwrap();
        let reached = FirstReached::compute(&ledger, &rules);
        let progress =
            target_progress(&ledger, &rules, &reached, target, date(2025, 6, 30), 10).unwrap();
        assert_eq!(
            progress.count as usize,
            progress.counted.len(),
            "{}",
            target.id
        );
        assert!(progress.candidates.len() <= 10);
        // The wrong rule set is refused.
        let other = RuleSet::builtin(if target.rules == "hurun" {
            "gei"
        } else {
            "hurun"
        })
        .unwrap();
        assert!(target_progress(&ledger, &other, &reached, target, date(2025, 6, 30), 1).is_err());
    }
}
