//! Lists imported end to end into a real store (SQLite in a temporary
//! file): a second list updates the same enterprises, the same list twice
//! changes nothing, namesakes stay apart, the default is all or nothing,
//! `--skip-invalid` writes the rejected rows unchanged, a dry run writes
//! nothing, and a Hurun-style list goes on top of the CB Insights 2022 list.

use std::path::{Path, PathBuf};

use hatchery_core::{Amount, Currency, Dataset, EventKind, FxRate, RuleSet};
use hatchery_lists::{
    Action, ListError, ListOptions, ListSummary, Note, Profile, Reason, import_list, plan,
    read_list,
};
use hatchery_sqlite::SqliteStore;
use hatchery_store::Store;
use jiff::civil::{Date, date};
use tempfile::TempDir;

const CB_HEADER: &str = "Company,Valuation ($B),Date Joined,Country,City,Industry,Select Inverstors,Founded Year,Total Raised,Financial Stage,Investors Count,Deal Terms,Portfolio Exits";

/// Six rows in the CB Insights 2022 layout, read with the shipped profile.
const LIST_2022: &str = r#"Bytedance,$140 ,4/7/2017,China,Beijing,Artificial intelligence,"Sequoia Capital China, SIG Asia Investments",2012,$7.44B,IPO,28,8,5
Bolt,$11 ,10/8/2021,United States,San Francisco,Fintech,"Activant Capital, Tribe Capital",2014,$963M,None,37,3,None
Bolt,$8.40 ,5/29/2018,Estonia,Tallinn,Auto & transportation,"Didi Chuxing, Diamler",2013,$1.971B,None,28,5,None
Fabric,$1.50 ,2/24/2022,United States,Bellevue,E-commerce & direct-to-consumer,"Redpoint Ventures, Norwest Venture Partners",2017,$140M,None,5,1,None
Fabric,$1 ,10/26/2021,United States,New York,"Supply chain, logistics, & delivery","Innovation Endeavors, Aleph",1999,None,None,1,1,None
Stripe,$95 ,1/23/2014,United States,San Francisco,Fintech,"Khosla Ventures, LowercaseCapital",2010,$2.901B,Asset,39,12,1
"#;

/// A later list in another layout: valuations with their own suffix,
/// two-digit months, investors as JSON arrays, no founding year. ByteDance
/// is now spelt with a capital D; Stripe is absent; SHEIN is new.
const PROFILE_2023: &str = r#"
key = "cb-style-2023"
title = "A 2023 unicorn list"
[fields.name]
column = "Company"
[fields.valuation]
column = "Valuation"
[fields.date_joined]
column = "Date Joined"
order = "month-first"
[fields.country]
column = "Country"
[fields.city]
column = "City"
[fields.industry]
column = "Industry"
[fields.investors]
column = "Investors"
[fields.founded]
if_missing = "latest-possible"
"#;

const LIST_2023: &str = r#"Company,Valuation,Date Joined,Country,City,Industry,Investors
ByteDance,$225B,04/07/2017,China,Beijing,Artificial Intelligence,"[""Sequoia Capital China"", ""SIG Asia Investments""]"
Bolt,$11B,10/08/2021,United States,San Francisco,Fintech,"[""Activant Capital""]"
Bolt,$7.4B,05/29/2018,Estonia,Tallinn,Auto & transportation,[]
Fabric,$1.5B,02/24/2022,United States,Bellevue,E-commerce & direct-to-consumer,[]
Fabric,$1B,10/26/2021,United States,New York,"Supply chain, logistics, & delivery",[]
SHEIN,$66B,07/03/2018,China,Shenzhen,E-commerce & direct-to-consumer,[]
"#;

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

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn cb_2022(&self) -> PathBuf {
        self.file("cb-2022.csv", &format!("{CB_HEADER}\n{LIST_2022}"))
    }

    async fn import(
        &self,
        path: &Path,
        profile: &Profile,
        options: &ListOptions,
    ) -> Result<ListSummary, ListError> {
        import_list(&self.store, path, profile, options).await
    }

    async fn enterprise_count(&self) -> u64 {
        self.store.counts().await.unwrap().enterprises
    }

    /// The valuations of an enterprise, `(date, valuation, currency)`.
    async fn valuations(&self, id: &str) -> Vec<(Date, String, String)> {
        let id = id.parse().unwrap();
        let (_, events) = self.store.enterprise(&id).await.unwrap().unwrap();
        events
            .iter()
            .filter(|e| e.kind == EventKind::Valuation)
            .map(|e| {
                (
                    e.date,
                    e.valuation.as_ref().unwrap().to_string(),
                    e.currency.unwrap().to_string(),
                )
            })
            .collect()
    }
}

fn options(list_date: Date) -> ListOptions {
    ListOptions {
        list_date,
        source: None,
        skip_invalid: None,
        dry_run: false,
        now: jiff::Timestamp::UNIX_EPOCH,
    }
}

fn cb_profile() -> Profile {
    Profile::load("cbinsights-2022").unwrap()
}

fn ids(summary: &ListSummary, action: fn(&Action) -> bool) -> Vec<String> {
    summary
        .rows
        .iter()
        .filter(|r| action(&r.action))
        .map(|r| r.id.to_string())
        .collect()
}

const L2022: Date = date(2022, 2, 28);
const L2023: Date = date(2023, 6, 30);

#[tokio::test]
async fn a_second_list_updates_the_same_enterprises() {
    let fx = Fixture::new().await;
    let first = fx
        .import(&fx.cb_2022(), &cb_profile(), &options(L2022))
        .await
        .unwrap();
    assert_eq!(
        ids(&first, |a| *a == Action::New),
        [
            "bytedance-cn",
            "bolt-us",
            "bolt-ee",
            "fabric-us-bellevue",
            "fabric-us-new-york",
            "stripe-us"
        ]
    );

    let later = fx.file("later.csv", LIST_2023);
    let profile = Profile::from_toml(PROFILE_2023).unwrap();
    let second = fx.import(&later, &profile, &options(L2023)).await.unwrap();
    assert!(second.rejected.is_empty(), "{second}");
    assert_eq!(second.counts(), (1, 5, 0));
    assert_eq!(ids(&second, |a| *a == Action::New), ["shein-cn"]);
    assert_eq!(
        ids(&second, |a| matches!(a, Action::Updated { .. })),
        [
            "bytedance-cn",
            "bolt-us",
            "bolt-ee",
            "fabric-us-bellevue",
            "fabric-us-new-york"
        ]
    );
    let absent: Vec<&str> = second.absent.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(absent, ["stripe-us"]);
    assert_eq!(fx.enterprise_count().await, 7);

    // Each namesake got its own valuation.
    let latest = |v: Vec<(Date, String, String)>| v.into_iter().max().unwrap();
    assert_eq!(
        latest(fx.valuations("bytedance-cn").await),
        (L2023, "225000000000".into(), "USD".into())
    );
    assert_eq!(latest(fx.valuations("bolt-us").await).1, "11000000000");
    assert_eq!(latest(fx.valuations("bolt-ee").await).1, "7400000000");
    assert_eq!(
        latest(fx.valuations("fabric-us-bellevue").await).1,
        "1500000000"
    );
    assert_eq!(
        latest(fx.valuations("fabric-us-new-york").await).1,
        "1000000000"
    );

    // ByteDance keeps its name and founding year; it is now on both lists.
    let (bytedance, _) = fx
        .store
        .enterprise(&"bytedance-cn".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bytedance.name, "Bytedance");
    assert_eq!(bytedance.founded.to_string(), "2012");
    assert_eq!(
        bytedance.tags,
        [
            "list:cbinsights-2022:2022-02-28",
            "list:cb-style-2023:2023-06-30"
        ]
    );
}

#[tokio::test]
async fn importing_the_same_list_again_changes_nothing() {
    let fx = Fixture::new().await;
    let path = fx.cb_2022();
    fx.import(&path, &cb_profile(), &options(L2022))
        .await
        .unwrap();
    let counts = fx.store.counts().await.unwrap();
    let again = fx
        .import(&path, &cb_profile(), &options(L2022))
        .await
        .unwrap();
    assert_eq!(again.counts(), (0, 0, 6));
    assert!(again.absent.is_empty());
    assert_eq!((again.enterprises_planned, again.events_planned), (0, 0));
    assert_eq!(again.outcome, None);
    assert_eq!(fx.store.counts().await.unwrap(), counts);
    assert!(again.to_string().contains("6 unchanged"));
}

#[tokio::test]
async fn a_namesake_the_row_cannot_tell_apart_is_rejected_not_merged() {
    let fx = Fixture::new().await;
    fx.import(&fx.cb_2022(), &cb_profile(), &options(L2022))
        .await
        .unwrap();
    let path = fx.file(
        "no-city.csv",
        &format!("{CB_HEADER}\nFabric,$2 ,2/24/2022,United States,None,Other,None,2017,None,None,1,1,None\n"),
    );
    let dry = ListOptions {
        dry_run: true,
        ..options(date(2022, 6, 30))
    };
    let summary = fx.import(&path, &cb_profile(), &dry).await.unwrap();
    assert_eq!(summary.rows.len(), 0);
    assert_eq!(
        summary.rejected[0].reasons,
        [Reason::Ambiguous {
            candidates: vec![
                "fabric-us-bellevue".parse().unwrap(),
                "fabric-us-new-york".parse().unwrap()
            ]
        }]
    );
    // A Fabric in a third city could be either of them, moved: not guessed either.
    let row = |city: &str| {
        format!("Fabric,$2 ,2/24/2022,United States,{city},Other,None,2017,None,None,1,1,None")
    };
    let path = fx.file("austin.csv", &format!("{CB_HEADER}\n{}\n", row("Austin")));
    let summary = fx.import(&path, &cb_profile(), &dry).await.unwrap();
    assert!(matches!(
        summary.rejected[0].reasons[..],
        [Reason::Ambiguous { .. }]
    ));
    // Listed beside both of them, it is a third company, and said so.
    let three = [row("Bellevue"), row("New York"), row("Austin")].join("\n");
    let path = fx.file("three.csv", &format!("{CB_HEADER}\n{three}\n"));
    let summary = fx
        .import(&path, &cb_profile(), &options(date(2022, 6, 30)))
        .await
        .unwrap();
    assert!(summary.rejected.is_empty(), "{summary}");
    assert_eq!(ids(&summary, |a| *a == Action::New), ["fabric-us-austin"]);
    assert_eq!(summary.counts(), (1, 2, 0));
    let austin: Vec<&Note> = summary
        .notes
        .iter()
        .filter(|n| n.line == 4)
        .map(|n| &n.note)
        .collect();
    assert!(
        matches!(austin[..], [Note::SharesName { .. }]),
        "{austin:?}"
    );
}

const WITH_BAD_ROWS: &str = r#"Bytedance,$140 ,4/7/2017,China,Beijing,Artificial intelligence,"Sequoia Capital China",2012,$7.44B,IPO,28,8,5
Mystery Co,n/a ,4/7/2017,Narnia,Cair Paravel,Other,None,2012,None,None,1,1,None
Stripe,$95 ,1/23/2014,United States,San Francisco,Fintech,"Khosla Ventures",2010,$2.901B,Asset,39,12,1
"#;

#[tokio::test]
async fn by_default_the_import_is_all_or_nothing() {
    let fx = Fixture::new().await;
    let path = fx.file("bad.csv", &format!("{CB_HEADER}\n{WITH_BAD_ROWS}"));
    let error = fx
        .import(&path, &cb_profile(), &options(L2022))
        .await
        .unwrap_err();
    let ListError::Rejected(summary) = error else {
        panic!("expected a rejection, got {error}");
    };
    assert_eq!(summary.rejected.len(), 1);
    let row = &summary.rejected[0];
    assert_eq!((row.line, row.name.as_deref()), (3, Some("Mystery Co")));
    // Every problem of the row is said, not just the first.
    assert!(matches!(
        row.reasons[..],
        [Reason::Cell { .. }, Reason::UnknownCountry(_)]
    ));
    let text = summary.to_string();
    assert!(
        text.contains("row 3 Mystery Co: Valuation ($B) (valuation): 'n/a'"),
        "{text}"
    );
    assert!(text.contains("Nothing was imported."), "{text}");
    assert_eq!(fx.enterprise_count().await, 0);
}

#[tokio::test]
async fn skip_invalid_imports_the_good_rows_and_writes_the_others_unchanged() {
    let fx = Fixture::new().await;
    let path = fx.file("bad.csv", &format!("{CB_HEADER}\n{WITH_BAD_ROWS}"));
    let rejects = fx.dir.path().join("rejects.csv");
    let skipping = ListOptions {
        skip_invalid: Some(rejects.clone()),
        ..options(L2022)
    };
    let summary = fx.import(&path, &cb_profile(), &skipping).await.unwrap();
    assert_eq!(summary.counts(), (2, 0, 0));
    assert_eq!(summary.rejected.len(), 1);
    assert_eq!(summary.outcome.as_ref().unwrap().enterprises_added, 2);
    assert_eq!(fx.enterprise_count().await, 2);

    let written = std::fs::read_to_string(&rejects).unwrap();
    let bad_row = WITH_BAD_ROWS.lines().nth(1).unwrap();
    assert_eq!(written, format!("\u{feff}{CB_HEADER}\n{bad_row}\n"));
    // The rejects file reads back with the same profile, and is rejected the same way.
    let again = read_list(&rejects, &cb_profile(), &options(L2022)).unwrap();
    assert_eq!(again.rejected[0].reasons, summary.rejected[0].reasons);
}

#[tokio::test]
async fn a_dry_run_writes_nothing() {
    let fx = Fixture::new().await;
    let dry = ListOptions {
        dry_run: true,
        skip_invalid: Some(fx.dir.path().join("rejects.csv")),
        ..options(L2022)
    };
    let summary = fx.import(&fx.cb_2022(), &cb_profile(), &dry).await.unwrap();
    assert_eq!(summary.counts(), (6, 0, 0));
    // Three per row, and a funding event for each of the five totals raised
    // (the New York Fabric's is None).
    assert_eq!(summary.events_planned, 3 * 6 + 5);
    assert_eq!(summary.outcome, None);
    assert_eq!(fx.enterprise_count().await, 0);
    assert!(!fx.dir.path().join("rejects.csv").exists());
    assert!(summary.to_string().contains("dry run, nothing written"));
}

fn cb_2022_full() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/Unicorn_Companies.csv")
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn hurun_profile() -> Profile {
    Profile::load(data("hurun-style.toml").to_str().unwrap()).unwrap()
}

const L_HURUN: Date = date(2022, 12, 31);

#[tokio::test]
async fn a_hurun_style_list_on_top_of_the_2022_list() {
    let fx = Fixture::new().await;
    let first = fx
        .import(&cb_2022_full(), &cb_profile(), &options(L2022))
        .await
        .unwrap();
    assert_eq!(first.counts(), (1037, 0, 0));

    let summary = fx
        .import(
            &data("hurun-style-2022.csv"),
            &hurun_profile(),
            &options(L_HURUN),
        )
        .await
        .unwrap();
    assert!(summary.rejected.is_empty(), "{summary}");
    assert_eq!((summary.rows_read, summary.footer_rows), (8, 1));
    assert_eq!(
        ids(&summary, |a| matches!(a, Action::Updated { .. })),
        [
            "bytedance-cn",
            "spacex-us",
            "shein-cn",
            "yuanqi-senlin-cn",
            "klook-hk",
            "bolt-ee"
        ]
    );
    assert_eq!(
        ids(&summary, |a| *a == Action::New),
        ["changxin-memory-cn", "china-satnet-cn"]
    );
    assert_eq!(summary.absent.len(), 1037 - 6);
    assert_eq!(summary.fx_added.get(&Currency::CNY), Some(&45));
    assert_eq!(fx.enterprise_count().await, 1039);

    let changxin = &summary.rows[3];
    assert_eq!(changxin.region.unwrap().to_string(), "340100");
    assert_eq!(
        summary.unresolved_cities().keys().collect::<Vec<_>>(),
        ["雄安新区"]
    );
    // SHEIN moved: the stored city is kept and the difference reported.
    assert!(
        summary
            .notes
            .iter()
            .any(|n| n.name == "希音" && matches!(n.note, Note::PlaceDiffers { .. }))
    );
    assert!(
        summary
            .notes
            .iter()
            .any(|n| n.name == "客路" && matches!(n.note, Note::CountryFromCity { .. }))
    );

    assert_eq!(
        fx.valuations("bytedance-cn")
            .await
            .into_iter()
            .max()
            .unwrap(),
        (L_HURUN, "1380000000000".into(), "CNY".into())
    );

    // An English name is filled in where it says more than the name.
    let enterprises = fx.store.enterprises().await.unwrap();
    let name_en = |id: &str| {
        let e = enterprises.iter().find(|e| e.id.as_str() == id).unwrap();
        e.name_en.clone()
    };
    assert_eq!(name_en("bytedance-cn").as_deref(), Some("ByteDance"));
    assert_eq!(name_en("spacex-us"), None);

    // Yuan valuations convert with the rates added: 950亿 yuan is a decacorn.
    let ledger = fx.store.load_ledger().await.unwrap();
    let rules = RuleSet::builtin("cbinsights").unwrap();
    let tiers = ledger.classify(&rules, &[L_HURUN]);
    let tier = |id: &str| {
        let at = ledger.position(id).unwrap();
        tiers.tier(at, 0).map(|t| rules.tier(t).key.clone())
    };
    assert_eq!(tier("yuanqi-senlin-cn").as_deref(), Some("decacorn"));
    assert_eq!(tier("china-satnet-cn").as_deref(), Some("unicorn"));
    assert_eq!(tier("klook-hk").as_deref(), Some("unicorn"));

    let again = fx
        .import(
            &data("hurun-style-2022.csv"),
            &hurun_profile(),
            &options(L_HURUN),
        )
        .await
        .unwrap();
    assert_eq!(again.counts(), (0, 0, 8));
}

#[test]
fn the_documented_example_profile_is_the_tested_one() {
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/LIST-PROFILES.md"),
    )
    .unwrap();
    let profile = std::fs::read_to_string(data("hurun-style.toml")).unwrap();
    assert!(
        docs.contains(profile.trim()),
        "docs/LIST-PROFILES.md must show tests/data/hurun-style.toml as it is"
    );
}

#[test]
fn rates_are_added_only_for_currencies_the_store_lacks() {
    let parsed = read_list(
        &data("hurun-style-2022.csv"),
        &hurun_profile(),
        &options(L_HURUN),
    )
    .unwrap();
    let fresh = plan(&parsed, &Dataset::default());
    assert_eq!(fresh.dataset.fx.len(), 45);
    assert!(fresh.dataset.fx.iter().all(|r| r.currency == Currency::CNY));

    let with_rates = Dataset {
        fx: vec![FxRate {
            date: date(2022, 12, 30),
            currency: Currency::CNY,
            per_usd: Amount::parse("6.9646").unwrap(),
        }],
        ..Dataset::default()
    };
    let planned = plan(&parsed, &with_rates);
    assert!(planned.dataset.fx.is_empty());
    assert!(planned.fx_added.is_empty());
}

#[test]
fn a_currency_without_rates_rejects_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gbp.csv");
    std::fs::write(
        &path,
        format!("{CB_HEADER}\nRevolut,£25B,7/26/2018,United Kingdom,London,Fintech,None,2015,None,None,1,1,None\n"),
    )
    .unwrap();
    let parsed = read_list(&path, &cb_profile(), &options(L2022)).unwrap();
    let planned = plan(&parsed, &Dataset::default());
    assert!(planned.rows.is_empty());
    assert_eq!(
        planned.rejected[0].reasons,
        [Reason::NoRates {
            currency: Currency::parse("GBP").unwrap()
        }]
    );
}

#[tokio::test]
async fn the_fixed_rejected_rows_imported_alone_give_a_truthful_summary() {
    let fx = Fixture::new().await;
    fx.import(&fx.cb_2022(), &cb_profile(), &options(L2022))
        .await
        .unwrap();
    let profile = Profile::from_toml(PROFILE_2023).unwrap();
    let later = fx.file(
        "later.csv",
        "Company,Valuation,Date Joined,Country,City,Industry,Investors\n\
         ByteDance,$225B,04/07/2017,China,Beijing,Artificial Intelligence,[]\n\
         Bolt,n/a,10/08/2021,United States,San Francisco,Fintech,[]\n\
         SHEIN,$66B,07/03/2018,China,Shenzhen,E-commerce & direct-to-consumer,[]\n",
    );
    let rejects = fx.dir.path().join("rejects.csv");
    let partial = ListOptions {
        skip_invalid: Some(rejects.clone()),
        ..options(L2023)
    };
    let first = fx.import(&later, &profile, &partial).await.unwrap();
    assert_eq!(first.rejected.len(), 1);
    let absent =
        |s: &ListSummary| -> Vec<String> { s.absent.iter().map(|a| a.id.to_string()).collect() };
    // Bolt's row was rejected before it could be matched: it is named
    // absent, and the summary says why that may be so.
    assert!(absent(&first).contains(&"bolt-us".to_owned()));
    assert!(
        first
            .to_string()
            .contains("1 rows were rejected: an absent company may be one of them"),
        "{first}"
    );

    // The rejects file, fixed, imported alone with the same profile and date.
    let fixed = std::fs::read_to_string(&rejects)
        .unwrap()
        .replace(",n/a,", ",$11B,");
    std::fs::write(&rejects, fixed).unwrap();
    let second = fx
        .import(&rejects, &profile, &options(L2023))
        .await
        .unwrap();
    assert!(second.rejected.is_empty(), "{second}");
    assert_eq!(
        ids(&second, |a| matches!(a, Action::Updated { .. })),
        ["bolt-us"]
    );
    // ByteDance and SHEIN were tagged by the first import of this list: not
    // absent. Only the 2022 companies that are on neither part are.
    assert_eq!(
        absent(&second),
        [
            "bolt-ee",
            "fabric-us-bellevue",
            "fabric-us-new-york",
            "stripe-us"
        ]
    );
    let text = second.to_string();
    assert!(!text.contains("bytedance-cn ("), "{text}");
    assert!(!text.contains("may be one of them"), "{text}");
}
