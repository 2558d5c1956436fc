//! `GeneratorConfig::relocation_quirks`: the rarer relocation cases of the
//! interchange spec, added without changing anything else of the dataset.

use hatchery_core::{Dataset, EventKind};
use hatchery_synth::{Generator, GeneratorConfig};

const ENTERPRISES: usize = 4_000;
const SEED: u64 = 42;

fn dataset(quirks: bool) -> Dataset {
    Generator::new(GeneratorConfig {
        relocation_quirks: quirks,
        ..GeneratorConfig::new(ENTERPRISES, SEED)
    })
    .unwrap()
    .dataset()
}

#[test]
fn the_cases_only_add_relocations() {
    assert!(!GeneratorConfig::default().relocation_quirks);
    let (plain, quirky) = (dataset(false), dataset(true));
    assert_eq!(plain.enterprises, quirky.enterprises);
    assert_eq!(plain.financials, quirky.financials);
    assert_eq!(plain.fx, quirky.fx);
    let others = |d: &Dataset| {
        d.events
            .iter()
            .filter(|e| e.kind != EventKind::Relocated)
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(others(&plain), others(&quirky));
    // The plain relocations are still there, in order, among the added ones.
    let mut added = quirky
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Relocated);
    for kept in plain
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Relocated)
    {
        assert!(added.any(|e| e == kept), "{kept:?} lost");
    }
    let relocations = |d: &Dataset| {
        d.events
            .iter()
            .filter(|e| e.kind == EventKind::Relocated)
            .count()
    };
    assert!(relocations(&quirky) > relocations(&plain) * 2);
    // Each enterprise's rows stay in date order.
    for pair in quirky.events.windows(2) {
        if pair[0].enterprise == pair[1].enterprise {
            assert!(pair[0].date <= pair[1].date, "{pair:?}");
        }
    }
}

#[test]
fn every_case_occurs() {
    let data = dataset(true);
    let founded = |id: &hatchery_core::EnterpriseId| {
        let e = data.enterprises.iter().find(|e| &e.id == id).unwrap();
        (e.founded.first_day(), e.region)
    };
    let (mut repeated, mut repeated_with_source, mut year_end, mut before_founding) = (0, 0, 0, 0);
    let (mut with_exit, mut with_round, mut other_province) = (0, 0, 0);
    let mut at = 0;
    while at < data.events.len() {
        // The rows of one enterprise and day.
        let first = &data.events[at];
        let mut end = at;
        while end < data.events.len()
            && data.events[end].enterprise == first.enterprise
            && data.events[end].date == first.date
        {
            end += 1;
        }
        let day = &data.events[at..end];
        let moves: Vec<_> = day
            .iter()
            .filter(|e| e.kind == EventKind::Relocated)
            .collect();
        // A, B, A: a row equal to an earlier one with another region between.
        for (i, later) in moves.iter().enumerate() {
            for (j, earlier) in moves[..i].iter().enumerate() {
                let between = moves[j + 1..i].iter().any(|m| m.region != later.region);
                if between && earlier.region == later.region {
                    if earlier == later {
                        repeated += 1;
                    } else if earlier.source != later.source {
                        repeated_with_source += 1;
                    }
                }
            }
        }
        if !moves.is_empty() {
            let (founded_on, _) = founded(&first.enterprise);
            year_end += usize::from(first.date.month() == 12 && first.date.day() == 31);
            before_founding += usize::from(first.date < founded_on);
            let has = |f: fn(EventKind) -> bool| day.iter().any(|e| f(e.kind));
            with_exit += usize::from(has(|k| {
                matches!(
                    k,
                    EventKind::Listing | EventKind::Acquired | EventKind::Closed
                )
            }));
            with_round += usize::from(has(|k| matches!(k, EventKind::Funding)));
        }
        at = end;
    }
    // Moves to another province than the enterprise's own.
    for e in data
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Relocated)
    {
        let (_, home) = founded(&e.enterprise);
        if let (Some(home), Some(to)) = (home, e.region) {
            other_province += usize::from(home.province() != to.province());
        }
    }
    let seen = [
        ("A, B, A with the repeat equal", repeated),
        (
            "A, B, A with the repeat from another source",
            repeated_with_source,
        ),
        ("on a year-end", year_end),
        ("before founding", before_founding),
        ("on the day of a listing or exit", with_exit),
        ("on the day of a round", with_round),
        ("to another province", other_province),
    ];
    for (what, n) in seen {
        assert!(
            n >= 10,
            "relocations {what}: only {n} in {ENTERPRISES} enterprises"
        );
    }
}
