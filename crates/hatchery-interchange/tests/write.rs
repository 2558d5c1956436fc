//! Writing datasets: the exact CSV produced, round trips through CSV and
//! XLSX (for fixed and generated datasets), and rows the writers refuse.

mod common;

use std::fs;

use common::{read_err, read_ok};
use hatchery_core::date::PartialDate;
use hatchery_core::{
    Amount, Country, Currency, Dataset, DivisionCode, Enterprise, EnterpriseId, Event, EventKind,
    Exchange, Financials, FxRate, Uscc,
};
use hatchery_interchange::{
    DatasetWriter, ExtraColumns, FileKind, WriteError, write_dataset, write_dataset_xlsx,
};
use jiff::civil::{Date, date};
use proptest::prelude::*;

fn enterprise(id: &str, name: &str, founded: &str) -> Enterprise {
    Enterprise {
        id: EnterpriseId::parse(id).unwrap(),
        name: name.to_owned(),
        name_en: None,
        uscc: None,
        founded: PartialDate::parse(founded).unwrap(),
        country: Country::CN,
        region: None,
        city: None,
        zone: None,
        industries: Vec::new(),
        tags: Vec::new(),
        extra: Default::default(),
    }
}

fn event(id: &str, on: Date, kind: EventKind) -> Event {
    Event::new(EnterpriseId::parse(id).unwrap(), on, kind)
}

fn amount(text: &str) -> Option<Amount> {
    Some(Amount::parse(text).unwrap())
}

/// A dataset that uses every column, quoting and extra columns.
fn sample() -> Dataset {
    let mut byte = enterprise("byte", "字节跳动, \"ByteDance\"\nBeijing", "2012-03-09");
    byte.name_en = Some("ByteDance".to_owned());
    byte.uscc = Some(Uscc::parse("914403001922038216").unwrap());
    byte.region = DivisionCode::parse("110108").ok();
    byte.zone = Some("hz-110000-1".to_owned());
    byte.industries = vec!["ai".to_owned(), "media".to_owned()];
    byte.tags = vec!["future:6g".to_owned()];
    byte.extra
        .insert("x_source".to_owned(), "GEI 2023".to_owned());
    let mut acme = enterprise("acme", "Acme", "2015-07");
    acme.country = Country::parse("US").unwrap();
    acme.city = Some("Boston".to_owned());
    acme.extra
        .insert("x_alias".to_owned(), "ACME Corp".to_owned());

    let mut funding = event("byte", date(2017, 4, 1), EventKind::Funding);
    funding.round = Some("pre-IPO".to_owned());
    funding.amount = amount("100.00");
    funding.valuation = amount("20000000000");
    funding.currency = Some(Currency::USD);
    funding.investors = Some("Sequoia; SoftBank".to_owned());
    funding.source = Some("https://example.org/a,b".to_owned());
    funding.extra.insert("x_note".to_owned(), "big".to_owned());
    let mut listing = event("acme", date(2021, 5, 5), EventKind::Listing);
    listing.exchange = Exchange::parse("NASDAQ").ok();
    let mut moved = event("byte", date(2020, 1, 1), EventKind::Relocated);
    moved.region = DivisionCode::parse("310115").ok();

    Dataset {
        enterprises: vec![byte, acme],
        events: vec![
            funding,
            listing,
            moved,
            event("stored", date(2022, 1, 1), EventKind::Closed),
        ],
        fx: vec![
            FxRate {
                date: date(2023, 12, 29),
                currency: Currency::CNY,
                per_usd: Amount::parse("7.0827").unwrap(),
            },
            FxRate {
                date: date(2023, 12, 29),
                currency: Currency::USD,
                per_usd: Amount::parse("1").unwrap(),
            },
        ],
        financials: vec![Financials {
            enterprise: EnterpriseId::parse("byte").unwrap(),
            year: 2022,
            currency: Currency::CNY,
            revenue: amount("85000000000.50"),
            rd_expense: None,
            employees: Some(110_000),
        }],
    }
}

#[test]
fn csv_output_has_the_format_s_columns_then_sorted_extras() {
    let dir = tempfile::tempdir().unwrap();
    write_dataset(dir.path(), &sample()).unwrap();
    let enterprises = fs::read_to_string(dir.path().join("enterprises.csv")).unwrap();
    assert_eq!(
        enterprises,
        "id,name,name_en,uscc,founded,country,region,city,zone,industries,tags,x_alias,x_source\n\
         byte,\"字节跳动, \"\"ByteDance\"\"\nBeijing\",ByteDance,914403001922038216,2012-03-09,CN,110108,,hz-110000-1,ai;media,future:6g,,GEI 2023\n\
         acme,Acme,,,2015-07,US,,Boston,,,,ACME Corp,\n"
    );
    let events = fs::read_to_string(dir.path().join("events.csv")).unwrap();
    assert_eq!(
        events.lines().next(),
        Some(
            "enterprise,date,kind,round,amount,valuation,currency,investors,exchange,region,source,x_note"
        )
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("fx.csv")).unwrap(),
        "date,currency,per_usd\n2023-12-29,CNY,7.0827\n2023-12-29,USD,1\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("financials.csv")).unwrap(),
        "enterprise,year,currency,revenue,rd_expense,employees\nbyte,2022,CNY,85000000000.50,,110000\n"
    );
}

#[test]
fn a_written_folder_reads_back_equal() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = sample();
    write_dataset(dir.path(), &dataset).unwrap();
    let read = read_ok(dir.path());
    assert_eq!(read.dataset, dataset);
    assert_eq!(
        read.external_ids(),
        [EnterpriseId::parse("stored").unwrap()]
    );
}

#[test]
fn a_written_workbook_reads_back_equal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dataset.xlsx");
    let dataset = sample();
    write_dataset_xlsx(&path, &dataset).unwrap();
    let read = read_ok(&path);
    assert_eq!(read.dataset, dataset);
    assert_eq!(read.lines.events.file, "dataset.xlsx[events]");
    assert_eq!(read.lines.events.lines, [2, 3, 4, 5]);
}

#[test]
fn workbook_problems_name_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.xlsx");
    let mut dataset = sample();
    dataset.fx[1].per_usd = Amount::parse("7").unwrap();
    // The writer refuses a USD rate other than 1, so build the sheet by hand.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet().set_name("enterprises").unwrap();
    for (col, text) in ["id", "name", "founded", "x_note"].iter().enumerate() {
        sheet.write_string(0, col as u16, *text).unwrap();
    }
    sheet.write_string(1, 0, "a").unwrap();
    sheet.write_string(1, 1, "Alpha").unwrap();
    sheet.write_number(1, 2, 2015).unwrap();
    sheet.write_string(2, 0, "b").unwrap();
    sheet.write_string(2, 1, "Beta").unwrap();
    sheet.write_string(2, 2, "2015-02-30").unwrap();
    let fx = workbook.add_worksheet().set_name("fx").unwrap();
    for (col, text) in ["date", "currency", "per_usd"].iter().enumerate() {
        fx.write_string(0, col as u16, *text).unwrap();
    }
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2023, 12, 29).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    fx.write_datetime_with_format(1, 0, &day, &format).unwrap();
    fx.write_string(1, 1, "CNY").unwrap();
    fx.write_number(1, 2, 7.0827).unwrap();
    fx.write_datetime_with_format(2, 0, &day, &format).unwrap();
    fx.write_string(2, 1, "USD").unwrap();
    fx.write_number(2, 2, 7).unwrap();
    workbook.add_worksheet().set_name("notes").unwrap();
    workbook.save(&path).unwrap();
    assert_eq!(
        read_err(&path),
        [
            "book.xlsx: unknown sheet 'notes'; a dataset workbook has the sheets enterprises, events, fx and financials, and extra sheets start with 'x_'",
            "book.xlsx[enterprises]:3:founded: '2015-02-30' is not a day of the calendar",
            "book.xlsx[fx]:3:per_usd: '7' for USD: the US dollar is the base, its rate is 1",
        ]
    );
}

#[test]
fn a_file_of_a_folder_may_be_a_workbook_with_typed_cells() {
    let dir = tempfile::tempdir().unwrap();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, text) in ["id", "name", "founded", "region"].iter().enumerate() {
        sheet.write_string(0, col as u16, *text).unwrap();
    }
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2015, 7, 1).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_number(1, 0, 42).unwrap();
    sheet.write_string(1, 1, "  Answer  ").unwrap();
    sheet
        .write_datetime_with_format(1, 2, &day, &format)
        .unwrap();
    sheet.write_number(1, 3, 110108).unwrap();
    // A blank row is skipped like a blank line.
    sheet.write_string(3, 0, "b").unwrap();
    sheet.write_string(3, 1, "Beta").unwrap();
    sheet.write_number(3, 2, 2016).unwrap();
    workbook.save(dir.path().join("enterprises.xlsx")).unwrap();
    let read = read_ok(dir.path());
    let [answer, beta] = &read.dataset.enterprises[..] else {
        panic!("two enterprises");
    };
    assert_eq!(answer.id.as_str(), "42");
    assert_eq!(answer.name, "Answer");
    assert_eq!(answer.founded.to_string(), "2015-07-01");
    assert_eq!(answer.region, DivisionCode::parse("110108").ok());
    assert_eq!(beta.founded.to_string(), "2016");
    assert_eq!(read.lines.enterprises.file, "enterprises.xlsx");
    assert_eq!(read.lines.enterprises.lines, [2, 4]);
}

#[test]
fn a_value_beyond_the_header_of_a_sheet_is_a_wrong_width_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, text) in ["id", "name", "founded"].iter().enumerate() {
        sheet.write_string(0, col as u16, *text).unwrap();
    }
    for (col, text) in ["a", "Alpha", "2015", "", "stray"].iter().enumerate() {
        sheet.write_string(1, col as u16, *text).unwrap();
    }
    workbook.save(dir.path().join("enterprises.xlsx")).unwrap();
    assert_eq!(
        read_err(dir.path()),
        ["enterprises.xlsx:2: the row has 5 cells, the header has 3"]
    );
}

#[test]
fn a_streamed_folder_reads_back_equal() {
    let dir = tempfile::tempdir().unwrap();
    let mut dataset = sample();
    let extra = ExtraColumns::of(&dataset);
    let mut writer = DatasetWriter::with_extra_columns(dir.path(), extra).unwrap();
    for e in &dataset.enterprises {
        writer.enterprise(e).unwrap();
    }
    for e in &dataset.events {
        writer.event(e).unwrap();
    }
    for r in &dataset.fx {
        writer.fx(r).unwrap();
    }
    for f in &dataset.financials {
        writer.financials(f).unwrap();
    }
    writer.finish().unwrap();
    assert_eq!(read_ok(dir.path()).dataset, dataset);

    // Without declared extra columns, records carrying one are refused.
    let plain = tempfile::tempdir().unwrap();
    let mut writer = DatasetWriter::create(plain.path()).unwrap();
    let refused = writer.enterprise(&dataset.enterprises[0]).unwrap_err();
    assert!(matches!(
        refused,
        WriteError::Unrepresentable { file: FileKind::Enterprises, record: 1, ref column, .. } if column == "x_source"
    ));
    for e in &mut dataset.enterprises {
        e.extra.clear();
    }
    for e in &dataset.enterprises {
        writer.enterprise(e).unwrap();
    }
    writer.finish().unwrap();
    assert_eq!(
        read_ok(plain.path()).dataset.enterprises,
        dataset.enterprises
    );
}

/// A change that spoils a valid dataset.
type Spoil = fn(&mut Dataset);

#[test]
fn rows_that_would_not_read_back_equal_are_refused() {
    let cases: [(Spoil, &str); 9] = [
        (|d| d.enterprises[0].name = " padded".to_owned(), "name"),
        (|d| d.enterprises[0].name = "名".repeat(201), "name"),
        (|d| d.enterprises[0].city = Some(String::new()), "city"),
        (|d| d.enterprises[0].tags = vec!["a;b".to_owned()], "tags"),
        (|d| d.events[0].currency = None, "currency"),
        (|d| d.events[1].exchange = None, "exchange"),
        (|d| d.fx[0].per_usd = Amount::parse("0").unwrap(), "per_usd"),
        (|d| d.financials[0].year = -1, "year"),
        (
            |d| {
                d.enterprises[0]
                    .extra
                    .insert("x_blank".to_owned(), String::new());
            },
            "x_blank",
        ),
    ];
    for (change, expected) in cases {
        let mut dataset = sample();
        change(&mut dataset);
        let dir = tempfile::tempdir().unwrap();
        match write_dataset(dir.path(), &dataset) {
            Err(WriteError::Unrepresentable { column, .. }) => assert_eq!(column, expected),
            other => panic!("{expected}: {other:?}"),
        }
        let book = dir.path().join("book.xlsx");
        match write_dataset_xlsx(&book, &dataset) {
            Err(WriteError::Unrepresentable { column, .. }) => assert_eq!(column, expected),
            other => panic!("{expected}: {other:?}"),
        }
    }
    let mut dataset = sample();
    dataset.events[0]
        .extra
        .insert("note".to_owned(), "x".to_owned());
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        write_dataset(dir.path(), &dataset),
        Err(WriteError::ExtraColumn {
            file: FileKind::Events,
            ..
        })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn generated_datasets_round_trip_through_csv(dataset in common::generate::any_dataset()) {
        let dir = tempfile::tempdir().unwrap();
        write_dataset(dir.path(), &dataset).unwrap();
        prop_assert_eq!(read_ok(dir.path()).dataset, dataset);
    }

    #[test]
    fn generated_datasets_round_trip_through_xlsx(dataset in common::generate::any_dataset()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dataset.xlsx");
        write_dataset_xlsx(&path, &dataset).unwrap();
        prop_assert_eq!(read_ok(&path).dataset, dataset);
    }
}
