//! The July 2021 list (`shared/data/unicorns-2021-07.csv`, beside the
//! repository) read with the shipped profile `cbinsights-2021-07`: the
//! `Location` cell split into city and country, `$140B` valuations, and
//! every row taken or rejected with its reason; then imported into a store
//! and, on top of it, the February 2022 list.

use std::path::{Path, PathBuf};

use hatchery_core::{Dataset, EventKind};
use hatchery_lists::{
    FOUNDED_ESTIMATED, ListOptions, ListSummary, Note, Profile, import_list, plan, read_list,
};
use hatchery_sqlite::SqliteStore;
use hatchery_store::Store;
use jiff::civil::{Date, date};

fn data(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: the repository expects shared/ beside it",
        path.display()
    );
    path
}

/// The latest day the file dates a company's arrival on the list.
const L2021: Date = date(2021, 7, 13);

fn options(list_date: Date) -> ListOptions {
    ListOptions {
        list_date,
        source: None,
        skip_invalid: None,
        dry_run: false,
        now: jiff::Timestamp::UNIX_EPOCH,
    }
}

fn profile() -> Profile {
    Profile::load("cbinsights-2021-07").unwrap()
}

#[test]
fn every_row_is_taken_with_its_location_split() {
    let parsed = read_list(&data("unicorns-2021-07.csv"), &profile(), &options(L2021)).unwrap();
    assert_eq!(parsed.rows_read(), 759);
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    assert_eq!(parsed.unused_columns, ["Website"]);
    let planned = plan(&parsed, &Dataset::default());
    let summary = ListSummary::new(&parsed, &planned, true, false);
    assert_eq!(summary.counts(), (759, 0, 0));
    let countries = summary.countries();
    let count = |iso: &str| countries[&iso.parse().unwrap()];
    assert_eq!(
        (
            count("US"),
            count("CN"),
            count("IN"),
            count("HK"),
            count("SG")
        ),
        (384, 155, 34, 5, 6)
    );

    let row = |name: &str| parsed.rows.iter().find(|r| r.name == name).unwrap();
    // `Beijing @ China`, row 2 of the file (the file ends its lines in CRLF).
    let bytedance = row("Bytedance");
    assert_eq!(bytedance.line, 2);
    assert_eq!(bytedance.country.to_string(), "CN");
    assert_eq!(bytedance.region.unwrap().to_string(), "110000");
    assert_eq!(bytedance.valuation.to_string(), "140,000,000,000 USD");
    assert_eq!(bytedance.joined, Some(date(2017, 4, 7)));
    assert_eq!(row("Yunxuetang").region.unwrap().to_string(), "320500");
    assert_eq!(row("Klarna").city.as_deref(), Some("Stockholm"));
    // `@ Singapore`: the country alone, no city.
    let carro = row("Carro");
    assert_eq!(
        (carro.country.to_string(), carro.city.as_deref()),
        ("SG".into(), None)
    );
    // The rows keep their cells as written, for a rejects file.
    assert_eq!(bytedance.cells[4], "Beijing @ China");

    // No founding year anywhere: each estimated, and said once as a group.
    let text = summary.to_string();
    assert!(
        text.contains("  founding year estimated: 759 rows (2, 3, 4,"),
        "{text}"
    );
    assert!(
        planned.notes.iter().all(|n| matches!(
            n.note,
            Note::FoundedEstimated { .. } | Note::EmptyName { .. }
        )),
        "{text}"
    );
}

#[test]
fn a_location_that_does_not_split_or_names_no_country_is_rejected_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.csv");
    std::fs::write(
        &path,
        "Company,Website,Valuation,Date joined,Location,Industry,Select investors\r\n\
         Bytedance,bytedance.com,$140B,4/7/2017,Beijing China,Artificial intelligence,Sequoia\r\n\
         Darktrace,,$2B,4/7/2018,Cambridge @ ,Cybersecurity,KKR\r\n\
         Trax,,$1.3B,7/22/2019, @ Singapore,Retail,Hopu\r\n\
         Hopin,,$5.65B,11/10/2020,Menlo Park @,Internet software & services,Accel\r\n",
    )
    .unwrap();
    let parsed = read_list(&path, &profile(), &options(L2021)).unwrap();
    let rejected: Vec<String> = parsed.rejected.iter().map(ToString::to_string).collect();
    assert_eq!(
        rejected,
        [
            "row 2 Bytedance: Location 'Beijing China' does not split at '@' into 2 parts (City, Country)",
            "row 3 Darktrace: Country is empty and City 'Cambridge' is a place in CA, GB, NZ, US: write the country",
        ]
    );
    let taken: Vec<(String, String)> = parsed
        .rows
        .iter()
        .map(|r| (r.name.clone(), r.country.to_string()))
        .collect();
    assert_eq!(
        taken,
        [("Trax".into(), "SG".into()), ("Hopin".into(), "US".into())]
    );
}

#[tokio::test]
async fn imported_whole_then_the_2022_list_on_top() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("hatchery.db").display());
    let store = SqliteStore::open(&url).await.unwrap();
    let first = import_list(
        &store,
        &data("unicorns-2021-07.csv"),
        &profile(),
        &options(L2021),
    )
    .await
    .unwrap();
    assert_eq!(first.outcome.as_ref().unwrap().enterprises_added, 759);
    let (_, events) = store
        .enterprise(&"bytedance-cn".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let valued: Vec<(Date, String)> = events
        .iter()
        .filter(|e| e.kind == EventKind::Valuation)
        .map(|e| (e.date, e.valuation.as_ref().unwrap().to_string()))
        .collect();
    assert_eq!(
        valued,
        [
            (date(2017, 4, 7), "1000000000".into()),
            (L2021, "140000000000".into())
        ]
    );

    let second = import_list(
        &store,
        &data("Unicorn_Companies.csv"),
        &Profile::load("cbinsights-2022").unwrap(),
        &options(date(2022, 2, 28)),
    )
    .await
    .unwrap();
    // Every 2022 row is taken; 675 companies of July 2021 are found again by
    // name and country. The 84 of July 2021 not found are listed as absent:
    // gone from the list, or renamed or moved (matching those is for later).
    assert!(second.rejected.is_empty(), "{second}");
    assert_eq!(second.counts(), (362, 675, 0));
    assert_eq!(second.absent.len(), 84);
    assert_eq!(store.counts().await.unwrap().enterprises, 759 + 362);
    // The 2022 list's founding year replaces the July list's estimate.
    let (bytedance, _) = store
        .enterprise(&"bytedance-cn".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bytedance.founded.to_string(), "2012");
    assert!(!bytedance.extra.contains_key(FOUNDED_ESTIMATED));
    assert_eq!(
        bytedance.tags,
        [
            "list:cbinsights-2021-07:2021-07-13",
            "list:cbinsights-2022:2022-02-28"
        ]
    );
}
