//! The same generated national dataset, imported the same way into SQLite and
//! PostgreSQL, gives the same store: equal outcomes import by import, equal
//! exports, equal revisions and equal classifications on every date under
//! every shipped rule set. And the same script of workflow calls gets the
//! same answers from both, call by call.

mod common;

use hatchery_core::criteria::builtin_names;
use hatchery_core::{Dataset, Ledger, RuleSet};
use hatchery_sqlite::SqliteStore;
use hatchery_store::conformance::workflow::script;
use hatchery_store::{ImportOutcome, ImportSource, Store};
use hatchery_synth::{Generator, GeneratorConfig};
use jiff::civil::date;

/// Enough enterprises for every kind of event and several tiers, few enough
/// for a quick test.
const ENTERPRISES: usize = 4_000;

fn source(origin: &str) -> ImportSource {
    ImportSource {
        origin: origin.to_owned(),
        at: "2024-06-30T09:00:00+08:00".to_owned(),
    }
}

/// The imports both stores receive, in order: the first 60% of the
/// enterprises with their events and financials; then the whole dataset
/// (repeats and newcomers together); then every tenth enterprise renamed,
/// and the whole dataset again.
fn imports(dataset: &Dataset) -> Vec<(&'static str, Dataset)> {
    let cut = dataset.enterprises.len() * 3 / 5;
    let early: std::collections::HashSet<&str> = dataset.enterprises[..cut]
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    let first = Dataset {
        enterprises: dataset.enterprises[..cut].to_vec(),
        events: dataset
            .events
            .iter()
            .filter(|e| early.contains(e.enterprise.as_str()))
            .cloned()
            .collect(),
        fx: dataset.fx.clone(),
        financials: dataset
            .financials
            .iter()
            .filter(|f| early.contains(f.enterprise.as_str()))
            .cloned()
            .collect(),
    };
    let renamed = Dataset {
        enterprises: dataset
            .enterprises
            .iter()
            .step_by(10)
            .map(|e| hatchery_core::Enterprise {
                name: format!("{}（更名）", e.name),
                ..e.clone()
            })
            .collect(),
        ..Dataset::default()
    };
    vec![
        ("first part", first),
        ("whole", dataset.clone()),
        ("renamed", renamed),
        ("whole again", dataset.clone()),
    ]
}

async fn run(store: &dyn Store, steps: &[(&'static str, Dataset)]) -> Vec<ImportOutcome> {
    let mut outcomes = Vec::new();
    for (origin, dataset) in steps {
        let outcome = store
            .import(dataset, &source(origin))
            .await
            .unwrap_or_else(|e| panic!("import '{origin}': {e}"));
        outcomes.push(outcome);
    }
    outcomes
}

#[tokio::test]
async fn the_workflow_script_answers_alike_on_both() {
    let Some(postgres) = common::fresh_store().await else {
        return;
    };
    let folder = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", folder.path().join("h.db").display());
    let sqlite = SqliteStore::open(&url).await.expect("open SQLite");
    let expected = script(&sqlite).await;
    let ours = script(&*postgres).await;
    for (at, (ours, theirs)) in ours.0.iter().zip(&expected.0).enumerate() {
        assert_eq!(ours, theirs, "call #{at}");
    }
    assert_eq!(ours.0.len(), expected.0.len());
}

#[tokio::test]
async fn sqlite_and_postgres_store_the_same_ledger() {
    let Some(postgres) = common::fresh_store().await else {
        return;
    };
    let folder = tempfile::tempdir().expect("a temporary folder");
    let sqlite_url = format!("sqlite://{}", folder.path().join("h.db").display());
    let sqlite = SqliteStore::open(&sqlite_url).await.expect("open SQLite");

    let generator = Generator::new(GeneratorConfig::new(ENTERPRISES, 7)).expect("generator");
    let dataset = generator.dataset();
    let steps = imports(&dataset);
    let on_sqlite = run(&sqlite, &steps).await;
    let on_postgres = run(&*postgres, &steps).await;
    assert_eq!(on_postgres, on_sqlite, "import outcomes");
    assert!(on_postgres[1].events_duplicate > 0 && on_postgres[1].events_added > 0);
    assert!(on_postgres[2].enterprises_updated > 0);
    assert!(on_postgres[3].enterprises_updated > 0, "the names go back");

    let exported = postgres.export().await.expect("export PostgreSQL");
    assert_eq!(exported, sqlite.export().await.expect("export SQLite"));
    assert_eq!(exported.events.len(), dataset.events.len());
    assert_eq!(
        postgres.counts().await.expect("counts"),
        sqlite.counts().await.expect("counts")
    );
    for enterprise in dataset.enterprises.iter().step_by(97) {
        let id = &enterprise.id;
        let (ours, theirs) = (
            postgres.revisions(id).await.expect("revisions"),
            sqlite.revisions(id).await.expect("revisions"),
        );
        // Import ids are each store's own; the rows and their order are not.
        let rows = |revisions: &[hatchery_store::Revision]| {
            revisions
                .iter()
                .map(|r| (r.number, r.enterprise.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(rows(&ours), rows(&theirs), "revisions of {id}");
        assert_eq!(
            postgres.enterprise(id).await.expect("lookup"),
            sqlite.enterprise(id).await.expect("lookup"),
        );
    }

    let (ours, theirs) = (
        postgres.load_ledger().await.expect("ledger"),
        sqlite.load_ledger().await.expect("ledger"),
    );
    assert_eq!(ours.enterprises(), theirs.enterprises());
    assert_eq!(ours.event_count(), theirs.event_count());
    let replay = Ledger::from_dataset(&exported);
    let dates: Vec<_> = (2010..=2023).map(|year| date(year, 12, 31)).collect();
    let mut tiered = 0;
    for name in builtin_names() {
        let rules = RuleSet::builtin(name).expect("shipped rule set");
        let classification = ours.classify(&rules, &dates);
        assert_eq!(
            classification,
            theirs.classify(&rules, &dates),
            "rule set {name}"
        );
        assert_eq!(
            classification,
            replay.classify(&rules, &dates),
            "rule set {name}"
        );
        tiered += (0..ours.len())
            .filter(|&at| classification.of(at).iter().any(Option::is_some))
            .count();
    }
    assert!(
        tiered > 10,
        "the data reaches tiers, so the comparison means something"
    );
    postgres.close().await;
    sqlite.close().await;
}

/// Two processes importing overlapping datasets at the same moment: the
/// imports take turns, so the store ends as one of the two orders would
/// leave it on SQLite, with every event once and no key or `seq` reused.
#[tokio::test]
async fn concurrent_imports_take_turns() {
    let Some(first) = common::fresh_store().await else {
        return;
    };
    let second = hatchery_postgres::PgStore::open(first.url())
        .await
        .expect("a second store");
    let dataset = Generator::new(GeneratorConfig::new(1_500, 11))
        .expect("generator")
        .dataset();
    let part = |range: std::ops::Range<usize>, renamed: bool| {
        let enterprises: Vec<_> = dataset.enterprises[range]
            .iter()
            .map(|e| hatchery_core::Enterprise {
                name: if renamed {
                    format!("{}（新）", e.name)
                } else {
                    e.name.clone()
                },
                ..e.clone()
            })
            .collect();
        let ids: std::collections::HashSet<&str> =
            enterprises.iter().map(|e| e.id.as_str()).collect();
        let events = dataset
            .events
            .iter()
            .filter(|e| ids.contains(e.enterprise.as_str()))
            .cloned()
            .collect();
        Dataset {
            enterprises: enterprises.clone(),
            events,
            fx: dataset.fx.clone(),
            ..Dataset::default()
        }
    };
    let (a, b) = (part(0..1_000, false), part(500..1_500, true));

    let (from_a, from_b) = (source("a"), source("b"));
    let (left, right) = tokio::join!(first.import(&a, &from_a), second.import(&b, &from_b));
    left.expect("import a");
    right.expect("import b");
    let exported = first.export().await.expect("export");

    let mut orders = Vec::new();
    for order in [[&a, &b], [&b, &a]] {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", folder.path().join("h.db").display());
        let sqlite = SqliteStore::open(&url).await.expect("open SQLite");
        for (n, dataset) in order.into_iter().enumerate() {
            sqlite
                .import(dataset, &source(&n.to_string()))
                .await
                .expect("import");
        }
        orders.push(sqlite.export().await.expect("export"));
        sqlite.close().await;
    }
    assert!(
        exported == orders[0] || exported == orders[1],
        "the concurrent imports left a state no order of them gives"
    );
    assert_eq!(exported.events.len(), dataset.events.len());
    second.close().await;
}
