//! A list's total raised counts as money raised (`counts_as_raised`, on in
//! the shipped `cbinsights-2022` profile): the part of the total that the
//! enterprise's earlier funding rounds do not account for becomes a
//! `funding` event on the list's date, in the same all-or-nothing import;
//! nothing when the known rounds reach the total; nothing more on a second
//! import; and a total that cannot be read stops the import naming
//! `file:line:column`. Imported end to end into SQLite.

use std::path::{Path, PathBuf};

use hatchery_core::date::PartialDate;
use hatchery_core::model::Extra;
use hatchery_core::{
    Amount, Country, Currency, Dataset, Enterprise, Event, EventKind, FxRate, Ledger, RuleSet,
};
use hatchery_lists::{ListError, ListOptions, Profile, Reason, import_list};
use hatchery_sqlite::SqliteStore;
use hatchery_store::{ImportSource, Store};
use jiff::civil::{Date, date};
use tempfile::TempDir;

const CB_HEADER: &str = "Company,Valuation ($B),Date Joined,Country,City,Industry,Select Inverstors,Founded Year,Total Raised,Financial Stage,Investors Count,Deal Terms,Portfolio Exits";

/// Three rows in the CB Insights 2022 layout: Total Raised is column 9.
const LIST: &str = r#"Bytedance,$140 ,4/7/2017,China,Beijing,Artificial intelligence,"Sequoia Capital China, SIG Asia Investments",2012,$7.44B,IPO,28,8,5
Bolt,$11 ,10/8/2021,United States,San Francisco,Fintech,"Activant Capital, Tribe Capital",2014,$963M,None,37,3,None
Stripe,$95 ,1/23/2014,United States,San Francisco,Fintech,"Khosla Ventures, LowercaseCapital",2010,$2.901B,Asset,39,12,1
"#;

const L: Date = date(2022, 2, 28);

struct Fixture {
    dir: TempDir,
    store: SqliteStore,
}

impl Fixture {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("hatchery.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        Self { dir, store }
    }

    fn file(&self, text: &str) -> PathBuf {
        let path = self.dir.path().join("cb-2022.csv");
        std::fs::write(&path, format!("{CB_HEADER}\n{text}")).unwrap();
        path
    }

    async fn import(&self, path: &Path) -> Result<hatchery_lists::ListSummary, ListError> {
        let profile = Profile::load("cbinsights-2022").unwrap();
        let options = ListOptions {
            list_date: L,
            source: None,
            skip_invalid: None,
            dry_run: false,
            now: jiff::Timestamp::UNIX_EPOCH,
        };
        import_list(&self.store, path, &profile, &options).await
    }

    /// The funding events with an amount: `(date, amount, currency, source)`.
    async fn rounds(&self, id: &str) -> Vec<(Date, String, String, String)> {
        let (_, events) = self
            .store
            .enterprise(&id.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        events
            .iter()
            .filter(|e| e.kind == EventKind::Funding && e.amount.is_some())
            .map(|e| {
                (
                    e.date,
                    e.amount.as_ref().unwrap().to_string(),
                    e.currency.unwrap().to_string(),
                    e.source.clone().unwrap_or_default(),
                )
            })
            .collect()
    }
}

fn enterprise(id: &str, name: &str, country: &str) -> Enterprise {
    Enterprise {
        id: id.parse().unwrap(),
        name: name.to_owned(),
        name_en: None,
        uscc: None,
        founded: PartialDate::parse("2012").unwrap(),
        country: Country::parse(country).unwrap(),
        region: None,
        city: None,
        zone: None,
        industries: Vec::new(),
        tags: Vec::new(),
        extra: Extra::new(),
    }
}

fn round(id: &str, day: Date, amount: &str, currency: &str) -> Event {
    Event {
        amount: Some(Amount::parse(amount).unwrap()),
        currency: Some(Currency::parse(currency).unwrap()),
        source: Some("earlier ledger".into()),
        ..Event::new(id.parse().unwrap(), day, EventKind::Funding)
    }
}

/// Bytedance has raised $3B + $1.5B + ¥700m (at 7 yuan a dollar: $100m)
/// before the list's date, and $10B after it; Stripe $3B.
async fn seed(fx: &Fixture) {
    let dataset = Dataset {
        enterprises: vec![
            enterprise("bytedance-cn", "Bytedance", "CN"),
            enterprise("stripe-us", "Stripe", "US"),
        ],
        events: vec![
            round("bytedance-cn", date(2018, 10, 1), "3000000000", "USD"),
            round("bytedance-cn", date(2019, 6, 1), "700000000", "CNY"),
            round("bytedance-cn", date(2020, 3, 1), "1500000000", "USD"),
            round("bytedance-cn", date(2023, 1, 1), "10000000000", "USD"),
            round("stripe-us", date(2021, 3, 14), "3000000000", "USD"),
        ],
        fx: vec![FxRate {
            date: date(2019, 1, 1),
            currency: Currency::parse("CNY").unwrap(),
            per_usd: Amount::parse("7").unwrap(),
        }],
        financials: Vec::new(),
    };
    let source = ImportSource {
        origin: "seed".into(),
        at: "1970-01-01T00:00:00Z".into(),
    };
    fx.store.import(&dataset, &source).await.unwrap();
}

#[tokio::test]
async fn the_part_of_the_total_not_yet_known_becomes_a_funding_event_on_the_list_date() {
    let fx = Fixture::new().await;
    seed(&fx).await;
    let path = fx.file(LIST);
    fx.import(&path).await.unwrap();

    // $7.44B − ($3B + ¥700m / 7 + $1.5B) = $2.84B; the 2023 round is later
    // than the list and does not count.
    let bytedance = fx.rounds("bytedance-cn").await;
    assert_eq!(bytedance.len(), 5, "{bytedance:#?}");
    let derived: Vec<_> = bytedance.iter().filter(|r| r.0 == L).collect();
    assert_eq!(derived.len(), 1, "{bytedance:#?}");
    assert_eq!(
        (derived[0].1.as_str(), derived[0].2.as_str()),
        ("2840000000", "USD")
    );
    assert!(
        derived[0]
            .3
            .contains("derived from the list's total raised of 7440000000 USD"),
        "{}",
        derived[0].3
    );
    assert!(
        derived[0].3.contains("4600000000 USD known"),
        "{}",
        derived[0].3
    );

    // Nothing known: the whole total.
    let bolt = fx.rounds("bolt-us").await;
    assert_eq!(bolt.len(), 1);
    assert_eq!((bolt[0].0, bolt[0].1.as_str()), (L, "963000000"));

    // Known $3B already reaches the total of $2.901B: nothing added.
    let stripe = fx.rounds("stripe-us").await;
    assert_eq!(stripe.len(), 1, "{stripe:#?}");
    assert_eq!(stripe[0].0, date(2021, 3, 14));
}

#[tokio::test]
async fn raised_at_least_rules_see_the_total() {
    // A Chinese company founded 2018, valued $2B, that raised $120M: a
    // unicorn under gei-2024 (US$50m floor) only when its total counts.
    let row = "Acme Robotics,$2 ,5/1/2021,China,Beijing,Hardware,\"Sequoia Capital China\",2018,$120M,None,3,1,None\n";
    let unicorn_with = async |counts: bool| {
        let fx = Fixture::new().await;
        let mut profile = Profile::load("cbinsights-2022").unwrap();
        profile
            .fields
            .total_raised
            .as_mut()
            .unwrap()
            .counts_as_raised = counts;
        let options = ListOptions {
            list_date: L,
            source: None,
            skip_invalid: None,
            dry_run: false,
            now: jiff::Timestamp::UNIX_EPOCH,
        };
        import_list(&fx.store, &fx.file(row), &profile, &options)
            .await
            .unwrap();
        let ledger = Ledger::from_dataset(&fx.store.export().await.unwrap());
        let rules = RuleSet::builtin("gei-2024").unwrap();
        let at = ledger.position("acme-robotics-cn").unwrap();
        ledger.classify(&rules, &[L]).tier(at, 0) == rules.tier_index("unicorn")
    };
    assert!(unicorn_with(true).await);
    assert!(!unicorn_with(false).await);
}

#[tokio::test]
async fn importing_the_list_again_adds_nothing() {
    let fx = Fixture::new().await;
    seed(&fx).await;
    let path = fx.file(LIST);
    fx.import(&path).await.unwrap();
    let counts = fx.store.counts().await.unwrap();
    let again = fx.import(&path).await.unwrap();
    assert_eq!(again.counts(), (0, 0, 3));
    assert_eq!((again.enterprises_planned, again.events_planned), (0, 0));
    assert_eq!(fx.store.counts().await.unwrap(), counts);
    assert_eq!(fx.rounds("bytedance-cn").await.len(), 5);
}

#[tokio::test]
async fn a_total_that_cannot_be_read_stops_the_import_naming_its_place() {
    let fx = Fixture::new().await;
    let bad = LIST.replace("$963M", "$963 Mio");
    let path = fx.file(&bad);
    let error = fx.import(&path).await.unwrap_err();
    let ListError::Rejected(summary) = error else {
        panic!("expected a rejection, got {error}");
    };
    assert_eq!(summary.rejected.len(), 1);
    assert!(matches!(
        summary.rejected[0].reasons[..],
        [Reason::RaisedUnreadable { .. }]
    ));
    let text = summary.to_string();
    // Bolt is line 3 of the file; Total Raised is its ninth column.
    let place = format!("{}:3:9: Total Raised", path.display());
    assert!(text.contains(&place), "{text}");
    assert!(text.contains("Nothing was imported."), "{text}");
    assert_eq!(fx.store.counts().await.unwrap().enterprises, 0);
}
