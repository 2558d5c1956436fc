//! Stories every [`Store`] must pass, whatever database is behind it. Each is
//! an async function taking an empty store and panicking on the first
//! broken promise; [`conformance_tests!`](crate::conformance_tests) turns
//! them all into one `#[tokio::test]` each for a backend's test suite:
//!
//! ```text
//! async fn fresh() -> TestStore { /* an empty store of its own */ }
//! hatchery_store::conformance_tests!(fresh);
//! ```

mod catalogue;
pub mod fixtures;
mod policies;
mod requests;
mod stewards;
pub mod workflow;

use std::collections::HashSet;

use hatchery_core::criteria::builtin_names;
use hatchery_core::{Dataset, Enterprise, Event, EventKind, Ledger, RuleSet};

use crate::{ImportOutcome, Rejection, RowRef, Store, StoreCounts, StoreError};
use fixtures::*;

/// One test per story, each on the fresh store that `$fresh().await` returns
/// (anything that dereferences to a `Store`, e.g. a guard that also owns a
/// temporary directory). The calling crate needs tokio with `macros` and `rt`.
///
/// For a backend that needs a server the test machine may not have,
/// `conformance_tests!(optional fresh)` takes a `fresh` returning an
/// `Option` of the store: `None` ends the test at once (and `fresh` says why
/// on stderr, or panics where the server is required).
#[macro_export]
macro_rules! conformance_tests {
    (@each $fresh:path; $($story:ident),+ $(,)?) => {
        $(
            #[::tokio::test]
            async fn $story() {
                let store = $fresh().await;
                $crate::conformance::$story(&*store).await;
            }
        )+
    };
    (@each_optional $fresh:path; $($story:ident),+ $(,)?) => {
        $(
            #[::tokio::test]
            async fn $story() {
                let Some(store) = $fresh().await else {
                    return;
                };
                $crate::conformance::$story(&*store).await;
            }
        )+
    };
    (@stories [$($mode:tt)+] $fresh:path) => {
        $crate::conformance_tests!($($mode)+ $fresh;
            empty_store_holds_nothing,
            export_reproduces_the_import,
            importing_twice_adds_nothing,
            rejected_import_changes_nothing,
            changed_enterprise_gets_a_new_revision,
            same_day_relocations_keep_import_order,
            equal_events_are_stored_once,
            conflicting_fx_rate_is_rejected,
            equal_fx_rate_is_not_a_conflict,
            credit_code_held_by_another_is_rejected,
            credit_code_may_move_within_one_import,
            unknown_enterprises_are_rejected,
            conflicting_repeats_in_one_dataset_are_rejected,
            financials_are_added_replaced_and_kept,
            ledger_classifies_like_the_export,
            counts_match_what_is_stored,
            existing_ids_names_stored_ids_only,
            enterprise_lists_events_in_import_order,
            imports_are_recorded,
            bulk_import_round_trips,
        );
    };
    (optional $fresh:path) => {
        $crate::conformance_tests!(@stories [@each_optional] $fresh);
    };
    ($fresh:path) => {
        $crate::conformance_tests!(@stories [@each] $fresh);
    };
}

async fn import(store: &dyn Store, dataset: &Dataset, origin: &str) -> ImportOutcome {
    match store.import(dataset, &source(origin)).await {
        Ok(outcome) => outcome,
        Err(StoreError::Rejected(rejections)) => {
            panic!("import '{origin}' was rejected: {rejections:#?}")
        }
        Err(error) => panic!("import '{origin}' failed: {error}"),
    }
}

/// Imports a dataset that must be rejected; returns the rejections.
async fn rejected(store: &dyn Store, dataset: &Dataset, origin: &str) -> Vec<Rejection> {
    match store.import(dataset, &source(origin)).await {
        Err(StoreError::Rejected(rejections)) => rejections,
        Ok(outcome) => panic!("import '{origin}' should be rejected, but it did {outcome:?}"),
        Err(error) => panic!("import '{origin}' should be rejected, but it failed: {error}"),
    }
}

/// Where the rejections point.
fn places(rejections: &[Rejection]) -> Vec<(RowRef, &'static str)> {
    rejections.iter().map(|r| (r.row, r.column)).collect()
}

async fn export(store: &dyn Store) -> Dataset {
    store.export().await.expect("export")
}

async fn counts(store: &dyn Store) -> StoreCounts {
    store.counts().await.expect("counts")
}

async fn ledger(store: &dyn Store) -> Ledger {
    store.load_ledger().await.expect("load the ledger")
}

/// A dataset with just these parts; the rest empty.
fn only(enterprises: Vec<Enterprise>, events: Vec<Event>) -> Dataset {
    Dataset {
        enterprises,
        events,
        ..Dataset::default()
    }
}

/// A new store holds nothing and answers every question with nothing.
pub async fn empty_store_holds_nothing(store: &dyn Store) {
    assert_eq!(counts(store).await, StoreCounts::default());
    assert_eq!(export(store).await, Dataset::default());
    assert!(ledger(store).await.is_empty());
    assert!(store.enterprises().await.expect("enterprises").is_empty());
    assert!(store.fx_rates().await.expect("fx").is_empty());
    assert!(store.imports().await.expect("imports").is_empty());
    assert_eq!(store.enterprise(&id("alpha")).await.expect("lookup"), None);
    assert!(
        store
            .revisions(&id("alpha"))
            .await
            .expect("revisions")
            .is_empty()
    );
    let none = store.existing_ids(&[id("alpha")]).await.expect("ids");
    assert!(none.is_empty());
}

/// An export gives back exactly what was imported: every column, events in
/// import order, amounts with the text they came with (`100` and `100.00`).
pub async fn export_reproduces_the_import(store: &dyn Store) {
    let dataset = sample();
    import(store, &dataset, "sample").await;
    assert_eq!(export(store).await, dataset);
    assert_eq!(store.fx_rates().await.expect("fx"), dataset.fx);
    assert_eq!(
        store.enterprises().await.expect("enterprises"),
        dataset.enterprises
    );
}

/// The same dataset a second time adds nothing, and the outcome says so.
pub async fn importing_twice_adds_nothing(store: &dyn Store) {
    let dataset = sample();
    let first = import(store, &dataset, "first").await;
    assert_eq!(
        first,
        ImportOutcome {
            enterprises_added: 5,
            events_added: 15,
            fx_added: 4,
            financials_added: 3,
            ..ImportOutcome::default()
        }
    );
    let before = counts(store).await;
    let second = import(store, &dataset, "second").await;
    assert!(!second.changed_anything(), "{second:?}");
    assert_eq!(
        second,
        ImportOutcome {
            enterprises_unchanged: 5,
            events_duplicate: 15,
            fx_unchanged: 4,
            financials_unchanged: 3,
            ..ImportOutcome::default()
        }
    );
    assert_eq!(
        counts(store).await,
        StoreCounts {
            imports: before.imports + 1,
            ..before
        }
    );
    assert_eq!(export(store).await, dataset);
}

/// A rejected import writes nothing at all, not even the rows that were fine,
/// and the store goes on working.
pub async fn rejected_import_changes_nothing(store: &dyn Store) {
    import(store, &sample(), "sample").await;
    let before = (export(store).await, counts(store).await);

    let mut alpha = sample().enterprises[1].clone();
    alpha.name = "Renamed".to_owned();
    let bad = Dataset {
        enterprises: vec![alpha, enterprise("delta", "德尔塔", "2020-02-02")],
        events: vec![
            funding("delta", "2021-01-01", "5000000", "USD"),
            funding("alpha", "2024-01-01", "5000000", "USD"),
        ],
        fx: vec![
            rate("EUR", "2023-12-29", "0.9050"),
            rate("CNY", "2023-12-29", "7.1"),
        ],
        financials: vec![figures("delta", 2023, "CNY", "1000")],
    };
    let rejections = rejected(store, &bad, "bad").await;
    assert_eq!(places(&rejections), [(RowRef::Fx(1), "per_usd")]);
    assert_eq!((export(store).await, counts(store).await), before);

    // The same rows without the conflict go in.
    let good = Dataset {
        fx: vec![bad.fx[0].clone()],
        ..bad
    };
    let outcome = import(store, &good, "good").await;
    assert_eq!(
        (
            outcome.enterprises_added,
            outcome.enterprises_updated,
            outcome.events_added
        ),
        (1, 1, 2)
    );
}

/// A changed enterprise row becomes a new revision; the old one is kept, the
/// new one is what export, lookups and the ledger see.
pub async fn changed_enterprise_gets_a_new_revision(store: &dyn Store) {
    let dataset = sample();
    import(store, &dataset, "sample").await;
    let old = dataset.enterprises[1].clone();
    let mut new = old.clone();
    new.name = "阿尔法集团".to_owned();
    new.region = Some(region("310115"));
    new.tags.push("专精特新".to_owned());

    let outcome = import(store, &only(vec![new.clone()], vec![]), "rename").await;
    assert_eq!(
        outcome,
        ImportOutcome {
            enterprises_updated: 1,
            ..ImportOutcome::default()
        }
    );
    let revisions = store.revisions(&id("alpha")).await.expect("revisions");
    let imports = store.imports().await.expect("imports");
    assert_eq!(revisions.len(), 2);
    assert_eq!((revisions[0].number, &revisions[0].enterprise), (1, &old));
    assert_eq!((revisions[1].number, &revisions[1].enterprise), (2, &new));
    assert_eq!(revisions[0].import, imports[0].id);
    assert_eq!(revisions[1].import, imports[1].id);

    let (current, events) = store
        .enterprise(&id("alpha"))
        .await
        .expect("lookup")
        .expect("alpha is stored");
    assert_eq!(current, new);
    assert_eq!(events.len(), 5, "a new revision keeps the events");
    let exported = export(store).await;
    assert_eq!(exported.enterprises[1], new);
    let ledger = ledger(store).await;
    let at = ledger.position("alpha").expect("alpha in the ledger");
    assert_eq!(ledger.enterprises()[at].region, Some(region("310115")));
    assert_eq!(ledger.enterprises()[at].tags, new.tags);

    // Going back to the old row is a change too, and history keeps all three.
    import(store, &only(vec![old.clone()], vec![]), "revert").await;
    let revisions = store.revisions(&id("alpha")).await.expect("revisions");
    let numbers: Vec<u32> = revisions.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(revisions[2].enterprise, old);
    assert_eq!(counts(store).await.enterprises, 5);
}

/// Several relocations on one day: the one imported last decides, within one
/// dataset (the later row) and across imports; a relocation equal to a stored
/// one is dropped and does not count as imported again.
pub async fn same_day_relocations_keep_import_order(store: &dyn Store) {
    let moving = Enterprise {
        region: Some(region("110108")),
        ..enterprise("mover", "迁移科技", "2015-01-01")
    };
    let to = |code: &str| relocated("mover", "2020-05-01", code);
    let region_on = |ledger: &Ledger, date: &str| {
        let at = ledger.position("mover").expect("mover in the ledger");
        ledger.as_of(at, day(date)).region()
    };

    import(
        store,
        &only(vec![moving], vec![to("310115"), to("440305")]),
        "first",
    )
    .await;
    let first = ledger(store).await;
    assert_eq!(region_on(&first, "2020-04-30"), Some(region("110108")));
    assert_eq!(region_on(&first, "2020-05-01"), Some(region("440305")));

    import(store, &only(vec![], vec![to("330106")]), "second").await;
    assert_eq!(
        region_on(&ledger(store).await, "2020-05-01"),
        Some(region("330106"))
    );

    let again = import(store, &only(vec![], vec![to("310115")]), "third").await;
    assert_eq!((again.events_added, again.events_duplicate), (0, 1));
    let ledger = ledger(store).await;
    assert_eq!(region_on(&ledger, "2020-05-01"), Some(region("330106")));

    let (_, events) = store
        .enterprise(&id("mover"))
        .await
        .expect("lookup")
        .expect("mover is stored");
    let order: Vec<_> = events.iter().filter_map(|e| e.region).collect();
    assert_eq!(
        order,
        [region("310115"), region("440305"), region("330106")]
    );
    let replay = Ledger::from_dataset(&export(store).await);
    assert_eq!(region_on(&replay, "2020-05-01"), Some(region("330106")));
}

/// Events are the same event when every format column is equal as text:
/// repeats within a dataset and of stored events are dropped, `100` and
/// `100.00` are two events, and `x_` extras do not make an event new.
pub async fn equal_events_are_stored_once(store: &dyn Store) {
    let company = enterprise("e1", "壹号", "2019-01-01");
    let round = funding("e1", "2020-01-01", "100", "CNY");
    let same_with_extras = Event {
        extra: [("x_seen".to_owned(), "twice".to_owned())].into(),
        ..round.clone()
    };
    let other_text = funding("e1", "2020-01-01", "100.00", "CNY");
    let outcome = import(
        store,
        &only(
            vec![company],
            vec![round.clone(), round.clone(), other_text.clone()],
        ),
        "first",
    )
    .await;
    assert_eq!((outcome.events_added, outcome.events_duplicate), (2, 1));

    let later = funding("e1", "2021-01-01", "200", "CNY");
    let outcome = import(
        store,
        &only(vec![], vec![same_with_extras, later.clone()]),
        "second",
    )
    .await;
    assert_eq!((outcome.events_added, outcome.events_duplicate), (1, 1));
    assert_eq!(export(store).await.events, [round, other_text, later]);
}

/// A rate for a stored currency and date with another value rejects the
/// import at that row, as does one given twice in a dataset with two values.
pub async fn conflicting_fx_rate_is_rejected(store: &dyn Store) {
    import(store, &sample(), "sample").await;
    let conflict = Dataset {
        fx: vec![
            rate("EUR", "2023-12-29", "0.9050"),
            rate("CNY", "2023-12-29", "7.1"),
        ],
        ..Dataset::default()
    };
    let rejections = rejected(store, &conflict, "conflict").await;
    assert_eq!(places(&rejections), [(RowRef::Fx(1), "per_usd")]);
    assert!(
        rejections[0].message.contains("7.0827"),
        "the message names the stored rate: {}",
        rejections[0].message
    );

    let twice = Dataset {
        fx: vec![
            rate("EUR", "2023-12-29", "0.9050"),
            rate("EUR", "2023-12-29", "0.9051"),
        ],
        ..Dataset::default()
    };
    let rejections = rejected(store, &twice, "twice").await;
    assert_eq!(places(&rejections), [(RowRef::Fx(1), "per_usd")]);
    assert_eq!(store.fx_rates().await.expect("fx"), sample().fx);
}

/// Rates are numbers: `7.08270` repeats the stored `7.0827`, changes nothing
/// and leaves the stored text as it was.
pub async fn equal_fx_rate_is_not_a_conflict(store: &dyn Store) {
    import(store, &sample(), "sample").await;
    let again = Dataset {
        fx: vec![
            rate("CNY", "2023-12-29", "7.08270"),
            rate("EUR", "2023-12-29", "0.905"),
            rate("EUR", "2023-12-29", "0.9050"),
        ],
        ..Dataset::default()
    };
    let outcome = import(store, &again, "again").await;
    assert_eq!((outcome.fx_added, outcome.fx_unchanged), (1, 2));
    let rates = store.fx_rates().await.expect("fx");
    assert!(rates.contains(&rate("CNY", "2023-12-29", "7.0827")));
    assert!(rates.contains(&rate("EUR", "2023-12-29", "0.905")));
    assert_eq!(rates.len(), 5);
}

/// A credit code may belong to one enterprise only: giving it to another, in
/// the dataset or while a stored enterprise keeps it, is rejected.
pub async fn credit_code_held_by_another_is_rejected(store: &dyn Store) {
    import(store, &sample(), "sample").await;
    let before = export(store).await;

    let newcomer = Enterprise {
        uscc: Some(uscc(CODES[0])),
        ..enterprise("delta", "德尔塔", "2020-02-02")
    };
    let rejections = rejected(store, &only(vec![newcomer], vec![]), "newcomer").await;
    assert_eq!(places(&rejections), [(RowRef::Enterprise(0), "uscc")]);
    assert!(
        rejections[0].message.contains("alpha"),
        "the message names the holder: {}",
        rejections[0].message
    );

    let mut beta = before.enterprises[2].clone();
    beta.uscc = Some(uscc(CODES[0]));
    let rejections = rejected(store, &only(vec![beta], vec![]), "taken").await;
    assert_eq!(places(&rejections), [(RowRef::Enterprise(0), "uscc")]);

    let twins = vec![
        Enterprise {
            uscc: Some(uscc(CODES[3])),
            ..enterprise("twin-1", "双胞胎一", "2020-01-01")
        },
        Enterprise {
            uscc: Some(uscc(CODES[3])),
            ..enterprise("twin-2", "双胞胎二", "2020-01-01")
        },
    ];
    let rejections = rejected(store, &only(twins, vec![]), "twins").await;
    assert_eq!(places(&rejections), [(RowRef::Enterprise(1), "uscc")]);
    assert_eq!(export(store).await, before);
}

/// The code check looks at the result of the import, so one import may move
/// a code from one enterprise to another, or swap two.
pub async fn credit_code_may_move_within_one_import(store: &dyn Store) {
    let dataset = sample();
    import(store, &dataset, "sample").await;
    let mut alpha = dataset.enterprises[1].clone();
    let mut beta = dataset.enterprises[2].clone();

    alpha.uscc = Some(uscc(CODES[3]));
    beta.uscc = Some(uscc(CODES[0]));
    let outcome = import(
        store,
        &only(vec![alpha.clone(), beta.clone()], vec![]),
        "move",
    )
    .await;
    assert_eq!(outcome.enterprises_updated, 2);

    std::mem::swap(&mut alpha.uscc, &mut beta.uscc);
    import(
        store,
        &only(vec![beta.clone(), alpha.clone()], vec![]),
        "swap",
    )
    .await;
    let stored = store.enterprises().await.expect("enterprises");
    assert_eq!(stored[1], alpha);
    assert_eq!(stored[2], beta);
}

/// Events and financials must name an enterprise of the dataset or of the
/// store; an event may name a stored enterprise the dataset does not list.
pub async fn unknown_enterprises_are_rejected(store: &dyn Store) {
    import(store, &sample(), "sample").await;
    let before = export(store).await;
    let ghostly = Dataset {
        enterprises: vec![enterprise("delta", "德尔塔", "2020-02-02")],
        events: vec![
            funding("delta", "2021-01-01", "1", "USD"),
            funding("ghost", "2021-01-01", "1", "USD"),
            funding("alpha", "2021-01-01", "1", "USD"),
            valuation("ghost", "2022-01-01", "1", "USD"),
        ],
        financials: vec![figures("ghost", 2023, "CNY", "1")],
        ..Dataset::default()
    };
    let rejections = rejected(store, &ghostly, "ghost").await;
    assert_eq!(
        places(&rejections),
        [
            (RowRef::Event(1), "enterprise"),
            (RowRef::Event(3), "enterprise"),
            (RowRef::Financials(0), "enterprise"),
        ]
    );
    assert_eq!(export(store).await, before);

    let known = only(vec![], vec![funding("alpha", "2021-01-01", "1", "USD")]);
    assert_eq!(import(store, &known, "known").await.events_added, 1);
}

/// One id, or one enterprise and year, given twice with different values is
/// rejected at the second row; given twice alike it is simply one row.
pub async fn conflicting_repeats_in_one_dataset_are_rejected(store: &dyn Store) {
    let first = enterprise("e1", "壹号", "2019-01-01");
    let renamed = Enterprise {
        name: "壹号集团".to_owned(),
        ..first.clone()
    };
    let rejections = rejected(store, &only(vec![first.clone(), renamed], vec![]), "ids").await;
    assert_eq!(places(&rejections), [(RowRef::Enterprise(1), "id")]);

    let figures_twice = Dataset {
        enterprises: vec![first.clone()],
        financials: vec![
            figures("e1", 2023, "CNY", "100"),
            figures("e1", 2023, "CNY", "200"),
        ],
        ..Dataset::default()
    };
    let rejections = rejected(store, &figures_twice, "figures").await;
    assert_eq!(places(&rejections), [(RowRef::Financials(1), "year")]);
    assert_eq!(counts(store).await, StoreCounts::default());

    let alike = Dataset {
        enterprises: vec![first.clone(), first.clone()],
        financials: vec![
            figures("e1", 2023, "CNY", "100"),
            figures("e1", 2023, "CNY", "100"),
        ],
        ..Dataset::default()
    };
    let outcome = import(store, &alike, "alike").await;
    assert_eq!(
        (outcome.enterprises_added, outcome.financials_added),
        (1, 1)
    );
    assert_eq!(
        export(store).await,
        Dataset {
            enterprises: vec![first],
            financials: vec![figures("e1", 2023, "CNY", "100")],
            ..Dataset::default()
        }
    );
}

/// Financials are matched by enterprise and year: new ones are added, a
/// different row replaces the stored one, an equal one changes nothing.
pub async fn financials_are_added_replaced_and_kept(store: &dyn Store) {
    let dataset = sample();
    import(store, &dataset, "sample").await;
    let mut revised = dataset.financials[0].clone();
    revised.revenue = Some(amount("150000000.5"));
    let next = figures("alpha", 2024, "CNY", "210000000");
    let update = Dataset {
        financials: vec![revised.clone(), dataset.financials[1].clone(), next.clone()],
        ..Dataset::default()
    };
    let outcome = import(store, &update, "figures").await;
    assert_eq!(
        (
            outcome.financials_added,
            outcome.financials_updated,
            outcome.financials_unchanged
        ),
        (1, 1, 1)
    );
    assert_eq!(
        export(store).await.financials,
        [
            revised,
            dataset.financials[1].clone(),
            next,
            dataset.financials[2].clone()
        ]
    );
}

/// The ledger loaded from the store classifies every enterprise on every date,
/// under every shipped rule set, exactly as a ledger built from its export.
pub async fn ledger_classifies_like_the_export(store: &dyn Store) {
    let dataset = sample();
    import(store, &dataset, "sample").await;
    // A second import puts events of one day in two imports.
    let late = only(
        vec![],
        vec![
            valuation("beta", "2019-05-01", "690000000", "USD"),
            relocated("alpha", "2017-06-01", "330106"),
        ],
    );
    import(store, &late, "late").await;

    let stored = ledger(store).await;
    let replay = Ledger::from_dataset(&export(store).await);
    assert_eq!(stored.enterprises(), replay.enterprises());
    for at in 0..replay.len() {
        assert_eq!(
            stored.events_of(at),
            replay.events_of(at),
            "events of #{at}"
        );
    }
    assert_eq!(stored.fx.len(), replay.fx.len());

    let dates: Vec<_> = [
        "2012-12-31",
        "2016-12-31",
        "2017-06-01",
        "2019-05-01",
        "2019-12-31",
        "2021-06-30",
        "2023-12-31",
    ]
    .into_iter()
    .map(day)
    .collect();
    let mut tiers_seen = HashSet::new();
    for name in builtin_names() {
        let rules = RuleSet::builtin(name).expect("shipped rule set");
        let ours = stored.classify(&rules, &dates);
        assert_eq!(ours, replay.classify(&rules, &dates), "rule set {name}");
        for at in 0..stored.len() {
            tiers_seen.extend(ours.of(at).iter().flatten().copied());
        }
    }
    assert!(
        tiers_seen.len() >= 2,
        "the sample reaches several tiers, so the comparison means something"
    );
}

/// Counts are the numbers of stored rows.
pub async fn counts_match_what_is_stored(store: &dyn Store) {
    import(store, &sample(), "sample").await;
    let more = only(
        vec![enterprise("delta", "德尔塔", "2020-02-02")],
        vec![event("delta", "2021-01-01", EventKind::Funding)],
    );
    import(store, &more, "more").await;
    assert_eq!(
        counts(store).await,
        StoreCounts {
            enterprises: 6,
            events: 16,
            fx_rates: 4,
            financials: 3,
            imports: 2,
        }
    );
}

/// `existing_ids` answers with the stored ids among those asked about.
pub async fn existing_ids_names_stored_ids_only(store: &dyn Store) {
    import(store, &sample(), "sample").await;
    let asked = [id("alpha"), id("ghost"), id("字节跳动"), id("ALPHA")];
    let found = store.existing_ids(&asked).await.expect("ids");
    assert_eq!(found, HashSet::from([id("alpha"), id("字节跳动")]));
    assert!(store.existing_ids(&[]).await.expect("ids").is_empty());
}

/// One enterprise comes back with its events in import order, not date order.
pub async fn enterprise_lists_events_in_import_order(store: &dyn Store) {
    let dataset = sample();
    import(store, &dataset, "sample").await;
    let later = funding("alpha", "2015-12-01", "1000000", "USD");
    import(store, &only(vec![], vec![later.clone()]), "later").await;

    let (alpha, events) = store
        .enterprise(&id("alpha"))
        .await
        .expect("lookup")
        .expect("alpha is stored");
    assert_eq!(alpha, dataset.enterprises[1]);
    let mut expected: Vec<_> = dataset
        .events
        .iter()
        .filter(|e| e.enterprise.as_str() == "alpha")
        .cloned()
        .collect();
    expected.push(later);
    assert_eq!(events, expected);
    assert_eq!(store.enterprise(&id("ghost")).await.expect("lookup"), None);
}

/// Every successful import is recorded with its source and outcome, in
/// order; a rejected one is not.
pub async fn imports_are_recorded(store: &dyn Store) {
    let first = import(store, &sample(), "first").await;
    let conflict = Dataset {
        fx: vec![rate("CNY", "2023-12-29", "9")],
        ..Dataset::default()
    };
    rejected(store, &conflict, "rejected").await;
    let second = import(store, &sample(), "second").await;
    let records = store.imports().await.expect("imports");
    let summary: Vec<(&str, &ImportOutcome)> = records
        .iter()
        .map(|r| (r.source.origin.as_str(), &r.outcome))
        .collect();
    assert_eq!(summary, [("first", &first), ("second", &second)]);
    assert!(records[0].id < records[1].id);
    assert_eq!(records[0].source, source("first"));
}

/// Thousands of rows, more than any one statement of a batching backend holds,
/// go in and come out whole and in order.
pub async fn bulk_import_round_trips(store: &dyn Store) {
    let dataset = bulk(2_500, 3);
    let outcome = import(store, &dataset, "bulk").await;
    assert_eq!(
        (outcome.enterprises_added, outcome.events_added),
        (2_500, 7_500)
    );
    assert_eq!(export(store).await, dataset);
    let ledger = ledger(store).await;
    assert_eq!((ledger.len(), ledger.event_count()), (2_500, 7_500));
    let again = import(store, &dataset, "bulk again").await;
    assert_eq!(
        (again.enterprises_unchanged, again.events_duplicate),
        (2_500, 7_500)
    );
}
