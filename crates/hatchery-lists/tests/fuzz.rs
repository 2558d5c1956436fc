//! The list importer fuzzed on the stable toolchain: each cell parser with
//! list-like and odd text, profiles with their TOML damaged, and whole list
//! files damaged the ways real exports are (see [`hatchery_fuzz::Mutation`]).
//! Whatever it is given, nothing panics; a refused profile says where (the
//! TOML line and column, or the key it concerns); a refused file names
//! itself; a rejected row has its line and at least one reason naming the
//! column; and a message echoes at most a short cut of any cell.
//!
//! `HATCHERY_FUZZ_CASES=100000 cargo test -p hatchery-lists
//! --test fuzz` is the long run (`docs/SECURITY.md`).

use std::collections::BTreeMap;
use std::path::Path;

use hatchery_core::{Country, Currency, DivisionCode};
use hatchery_fuzz::{config, damaged_toml, mutate, mutations, odd_text};
use hatchery_lists::cells::{
    CellError, fold_width, parse_date, parse_founded, parse_money, split_names,
};
use hatchery_lists::city::resolve_city;
use hatchery_lists::country::resolve_country;
use hatchery_lists::industry::{industry_key, read_industry};
use hatchery_lists::names::{match_key, match_keys, slug};
use hatchery_lists::profile::{ColumnRef, DateOrder, MoneyField, Split, Unit};
use hatchery_lists::{ListError, ListOptions, Profile, ProfileError, Reason, read_list};
use jiff::civil::date;
use proptest::prelude::*;

/// Longest message a refusal may have: its own words and one cut cell.
const MESSAGE_LIMIT: usize = 600;

const CB_PROFILE: &str = include_str!("../profiles/cbinsights-2022.toml");
const HURUN_PROFILE: &str = include_str!("data/hurun-style.toml");
const HURUN_LIST: &str = include_str!("data/hurun-style-2022.csv");
const CB_LIST: &str = "Company,Valuation ($B),Date Joined,Country,City,Industry,Select Inverstors,Founded Year,Total Raised,Financial Stage,Investors Count,Deal Terms,Portfolio Exits
Bytedance,$140 ,4/7/2017,China,Beijing,Artificial intelligence,\"Sequoia Capital China, SIG Asia Investments\",2012,$7.44B,IPO,28,8,5
Bolt,$8.40 ,5/29/2018,Estonia,Tallinn,Auto & transportation,\"Didi Chuxing, Diamler\",2013,$1.971B,None,28,5,None
Fabric,$1 ,10/26/2021,United States,New York,\"Supply chain, logistics, & delivery\",\"Innovation Endeavors, Aleph\",1999,None,None,1,1,None
Stripe,$95 ,1/23/2014,United States,San Francisco,Fintech,\"Khosla Ventures, LowercaseCapital\",2010,$2.901B,Asset,39,12,1
";

fn check_message(message: &str) -> Result<(), TestCaseError> {
    prop_assert!(!message.trim().is_empty(), "an empty message");
    prop_assert!(
        message.chars().count() <= MESSAGE_LIMIT,
        "the message echoes too much ({} characters): {}…",
        message.chars().count(),
        message.chars().take(200).collect::<String>()
    );
    Ok(())
}

fn check_cell_error(error: &CellError) -> Result<(), TestCaseError> {
    check_message(&error.to_string())
}

/// Text as list cells write money, dates and names, with odd pieces mixed in.
fn list_cell() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => odd_text(),
        2 => "[0-9]{1,4}([,.][0-9]{1,4}){0,3}",
        1 => proptest::sample::select(vec![
            "$", "US$", "HK$", "¥", "￥", "€", "RMB", "USD ", "CNY", "-", "−", "B", "M", "K",
            "bn", "亿", "万", "万亿", "元", "美元", "million", "mil", "\u{212A}", "İ", "年",
            "月", "日", "/", ".", "-", " ", "T00:00:00", " 0:00", "[", "]", "'", "\"", ",",
            "、", ";", "，",
        ])
        .prop_map(str::to_owned),
    ];
    proptest::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
}

fn money_field() -> impl Strategy<Value = MoneyField> {
    (
        proptest::sample::select(vec!["USD", "CNY", "JPY", "HKD", "EUR"]),
        proptest::sample::select(vec![
            Unit::One,
            Unit::Thousand,
            Unit::Million,
            Unit::Billion,
            Unit::Wan,
            Unit::Yi,
        ]),
    )
        .prop_map(|(currency, unit)| MoneyField {
            column: ColumnRef::Position(1),
            currency: Currency::parse(currency).unwrap(),
            unit,
            at_least: None,
            counts_as_raised: false,
        })
}

/// Values the profile's own keys take, in the wrong places.
const PROFILE_VALUES: &[&str] = &[
    "\"month-first\"",
    "\"day-first\"",
    "\"亿\"",
    "\"billion\"",
    "\"latest-possible\"",
    "\"json\"",
    "\"semicolon\"",
    "\"XXX\"",
    "\"CN\"",
    "\"0 USD\"",
    "\"-5 USD\"",
    "\"1e9 USD\"",
    "\"1000000000\"",
    "\"gb18030\"",
    "\"klingon\"",
    "\"\\t\"",
    "\"字\"",
    "\"name\"",
    "\"valuation\"",
    "{ \"大陆\" = \"XX\" }",
    "{ Suzhou = \"999999\" }",
    "18446744073709551615",
];

fn check_profile_error(error: &ProfileError) -> Result<(), TestCaseError> {
    let message = error.to_string();
    match error {
        // The TOML parser's message points at the line and column.
        ProfileError::Syntax(_) => prop_assert!(
            message.contains("line ") && message.contains("column "),
            "a syntax error without its place: {message}"
        ),
        ProfileError::Invalid { problem, .. } => check_message(problem)?,
        other => prop_assert!(false, "from_toml cannot fail this way: {other}"),
    }
    Ok(())
}

fn options() -> ListOptions {
    ListOptions {
        list_date: date(2022, 2, 28),
        source: None,
        skip_invalid: None,
        dry_run: true,
        now: jiff::Timestamp::UNIX_EPOCH,
    }
}

/// Reads a list file and checks what came out.
fn check_list(path: &Path, profile: &Profile) -> Result<(), TestCaseError> {
    match read_list(path, profile, &options()) {
        Ok(parsed) => {
            for rejected in &parsed.rejected {
                prop_assert!(
                    rejected.line >= 1,
                    "a rejected row without its line: {rejected}"
                );
                prop_assert!(
                    !rejected.reasons.is_empty(),
                    "rejected for no reason: {rejected}"
                );
                for reason in &rejected.reasons {
                    check_message(&reason.to_string())?;
                    if let Reason::Cell { column, .. } | Reason::Missing { column, .. } = reason {
                        prop_assert!(!column.is_empty(), "a cell problem without its column");
                    }
                }
            }
            for note in &parsed.notes {
                prop_assert!(note.line >= 1, "a note without its line: {note}");
            }
        }
        Err(error) => {
            let message = error.to_string();
            prop_assert!(
                message.contains(&path.display().to_string()),
                "a refusal that does not name the file: {message}"
            );
            if let ListError::File { message, .. } = &error {
                check_message(message)?;
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn money_cells(text in list_cell(), field in money_field()) {
        match parse_money(&text, &field) {
            Ok(money) => prop_assert!(!money.amount.is_sign_negative() || money.amount.is_zero()),
            Err(error) => check_cell_error(&error)?,
        }
    }

    #[test]
    fn date_cells(
        text in list_cell(),
        order in proptest::option::of(prop_oneof![
            Just(DateOrder::MonthFirst),
            Just(DateOrder::DayFirst),
        ]),
    ) {
        match parse_date(&text, order) {
            Ok(day) => {
                prop_assert!(day.first_day() <= day.last_day());
                let _ = day.as_partial();
            }
            Err(error) => check_cell_error(&error)?,
        }
        if let Err(error) = parse_founded(&text) {
            check_cell_error(&error)?;
        }
    }

    #[test]
    fn names_and_places(
        text in list_cell(),
        split in proptest::sample::select(vec![Split::Auto, Split::Comma, Split::Semicolon, Split::Json]),
    ) {
        match split_names(&text, split) {
            Ok(names) => prop_assert!(names.names.iter().all(|n| !n.is_empty() && !n.contains(';'))),
            Err(error) => check_cell_error(&error)?,
        }
        let city_aliases: BTreeMap<String, DivisionCode> =
            [("Suzhou".to_owned(), DivisionCode::parse("320500").unwrap())].into();
        let _ = resolve_city(&text, &city_aliases);
        let country_aliases: BTreeMap<String, Country> = [("大陆".to_owned(), Country::CN)].into();
        let _ = resolve_country(&text, &country_aliases);
        let corrections: BTreeMap<String, String> =
            [("Finttech".to_owned(), "Fintech".to_owned())].into();
        let _ = (industry_key(&text), read_industry(&text, &corrections));
        let _ = (match_key(&text), match_keys(&text), slug(&text), fold_width(&text));
    }

    #[test]
    fn damaged_profiles(
        text in prop_oneof![
            damaged_toml(CB_PROFILE, PROFILE_VALUES),
            damaged_toml(HURUN_PROFILE, PROFILE_VALUES),
        ],
    ) {
        match Profile::from_toml(&text) {
            // A profile that parses must read a list without panicking.
            Ok(profile) => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("list.csv");
                std::fs::write(&path, HURUN_LIST).unwrap();
                check_list(&path, &profile)?;
                std::fs::write(&path, CB_LIST).unwrap();
                check_list(&path, &profile)?;
            }
            Err(error) => check_profile_error(&error)?,
        }
    }

    #[test]
    fn arbitrary_profiles(text in "\\PC{0,200}") {
        if let Err(error) = Profile::from_toml(&text) {
            check_profile_error(&error)?;
        }
    }

    #[test]
    fn damaged_list_files(
        hurun in any::<bool>(),
        mutations in mutations(5),
        extension in proptest::sample::select(vec!["csv", "tsv", "txt"]),
    ) {
        let (profile, list) = if hurun {
            (HURUN_PROFILE, HURUN_LIST)
        } else {
            (CB_PROFILE, CB_LIST)
        };
        let profile = Profile::from_toml(profile).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("list.{extension}"));
        std::fs::write(&path, mutate(list.as_bytes(), &mutations, b',')).unwrap();
        check_list(&path, &profile)?;
    }

    #[test]
    fn arbitrary_list_files(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        encoding in proptest::option::of(proptest::sample::select(vec!["gb18030", "utf-16le", "big5", "utf-8"])),
    ) {
        let mut profile = Profile::from_toml(CB_PROFILE).unwrap();
        profile.file.encoding = encoding.map(str::to_owned);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.csv");
        std::fs::write(&path, &bytes).unwrap();
        check_list(&path, &profile)?;
    }
}

proptest! {
    #![proptest_config(config())]

    /// A list as a spreadsheet with bytes of the file changed or the file
    /// cut short: refused with the file named, never a panic.
    #[test]
    fn damaged_spreadsheets(
        flips in proptest::collection::vec((any::<proptest::sample::Index>(), 1u8..=255), 0..4),
        cut in proptest::option::of(any::<proptest::sample::Index>()),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.xlsx");
        spreadsheet(&path, CB_LIST);
        let mut bytes = std::fs::read(&path).unwrap();
        for (at, mask) in &flips {
            let at = at.index(bytes.len());
            bytes[at] ^= mask;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        std::fs::write(&path, &bytes).unwrap();
        check_list(&path, &Profile::from_toml(CB_PROFILE).unwrap())?;
    }
}

/// Writes a CSV text's cells as a one-sheet workbook, all text cells.
fn spreadsheet(path: &Path, csv: &str) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes());
    for (row, record) in reader.records().enumerate() {
        for (col, cell) in record.unwrap().iter().enumerate() {
            sheet.write_string(row as u32, col as u16, cell).unwrap();
        }
    }
    book.save(path).unwrap();
}

/// Found by `damaged_spreadsheets`: a cell naming a shared string the
/// workbook does not have made calamine 0.31 index out of bounds and panic.
#[test]
fn a_cell_naming_a_missing_shared_string_is_an_error_with_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.xlsx");
    spreadsheet(&good, CB_LIST);
    let bad = dir.path().join("bad.xlsx");
    hatchery_fuzz::rewrite_workbook(&good, &bad, |name, xml| {
        if name.starts_with("xl/worksheets/") {
            xml.replace("t=\"s\"><v>0</v>", "t=\"s\"><v>9999</v>")
        } else {
            xml
        }
    })
    .unwrap();
    let profile = Profile::from_toml(CB_PROFILE).unwrap();
    let error = read_list(&bad, &profile, &options()).unwrap_err();
    assert!(
        matches!(&error, ListError::File { message, .. } if message.starts_with("the spreadsheet is damaged")),
        "{error}"
    );
}
