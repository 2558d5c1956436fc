//! Reading datasets: what the format accepts, and every bad-input rule with
//! the exact location it is reported at.

mod common;

use std::collections::HashSet;

use common::{ENTERPRISES, folder, read_err, read_ok, text_folder};
use hatchery_core::date::PartialDate;
use hatchery_core::{Amount, Country, Currency, DivisionCode, EnterpriseId, EventKind, Exchange};
use hatchery_interchange::{
    ECHO_LIMIT, FileKind, NoProgress, Progress, Reference, check_external_refs, read_dataset,
};
use jiff::civil::date;

const CHECKED_USCC: &str = "914403001922038216";

fn id(text: &str) -> EnterpriseId {
    EnterpriseId::parse(text).unwrap()
}

#[test]
fn a_full_dataset_reads_into_typed_records() {
    let dir = text_folder(&[
        (
            "enterprises.csv",
            "id,name,name_en,uscc,founded,country,region,city,zone,industries,tags\n\
             byte,字节跳动,ByteDance,914403001922038216,2012-03-09,,110108,,zgc,ai; media;;,future:6g\n\
             acme,Acme,,,2015-07,US,,Boston,,,\n",
        ),
        (
            "events.csv",
            "enterprise,date,kind,round,amount,valuation,currency,investors,exchange,region,source\n\
             byte,2017-04-01,funding,D,1000000000,20000000000,USD,Sequoia;SoftBank,,,https://example.org\n\
             byte,2020-01-01,relocated,,,,,,,310115,\n\
             acme,2021-05-05,listing,,,,,,NASDAQ,,\n",
        ),
        (
            "fx.csv",
            "date,currency,per_usd\n2023-12-29,CNY,7.0827\n2023-12-29,USD,1\n",
        ),
        (
            "financials.csv",
            "enterprise,year,currency,revenue,rd_expense,employees\nbyte,2022,CNY,85000000000.50,,110000\n",
        ),
    ]);
    let read = read_ok(dir.path());
    let [byte, acme] = &read.dataset.enterprises[..] else {
        panic!("two enterprises");
    };
    assert_eq!(byte.id, id("byte"));
    assert_eq!(byte.name, "字节跳动");
    assert_eq!(byte.name_en.as_deref(), Some("ByteDance"));
    assert_eq!(byte.uscc.as_ref().map(|u| u.as_str()), Some(CHECKED_USCC));
    assert_eq!(byte.founded.first_day(), date(2012, 3, 9));
    assert_eq!(byte.country, Country::CN, "country defaults to CN");
    assert_eq!(byte.region, Some(DivisionCode::parse("110108").unwrap()));
    // A zone's alias is stored as the zone's one id.
    assert_eq!(byte.zone.as_deref(), Some("hz-110000-1"));
    assert_eq!(byte.industries, ["ai", "media"]);
    assert_eq!(byte.tags, ["future:6g"]);
    assert_eq!(acme.founded, PartialDate::parse("2015-07").unwrap());
    assert_eq!(acme.country, Country::parse("US").unwrap());
    assert_eq!(acme.city.as_deref(), Some("Boston"));
    assert_eq!(acme.name_en, None);

    let [funding, relocation, listing] = &read.dataset.events[..] else {
        panic!("three events");
    };
    assert_eq!(funding.kind, EventKind::Funding);
    assert_eq!(funding.round.as_deref(), Some("D"));
    assert_eq!(funding.amount, Some(Amount::parse("1000000000").unwrap()));
    assert_eq!(
        funding.valuation,
        Some(Amount::parse("20000000000").unwrap())
    );
    assert_eq!(funding.currency, Some(Currency::USD));
    assert_eq!(funding.investor_names(), ["Sequoia", "SoftBank"]);
    assert_eq!(funding.source.as_deref(), Some("https://example.org"));
    assert_eq!(
        relocation.region,
        Some(DivisionCode::parse("310115").unwrap())
    );
    assert_eq!(listing.exchange, Some(Exchange::parse("NASDAQ").unwrap()));
    assert_eq!(listing.date, date(2021, 5, 5));

    assert_eq!(read.dataset.fx.len(), 2);
    assert_eq!(read.dataset.fx[0].per_usd.as_str(), "7.0827");
    let figures = &read.dataset.financials[0];
    assert_eq!(figures.year, 2022);
    assert_eq!(
        figures.revenue.as_ref().map(Amount::as_str),
        Some("85000000000.50")
    );
    assert_eq!(figures.rd_expense, None);
    assert_eq!(figures.employees, Some(110_000));

    assert!(read.external_refs.is_empty());
    assert_eq!(read.duplicate_events_dropped, 0);
    assert_eq!(read.lines.enterprises.lines, [2, 3]);
    assert_eq!(read.lines.events.lines, [2, 3, 4]);
    assert_eq!(read.lines.fx.file, "fx.csv");
}

#[test]
fn bom_and_crlf_read_like_plain_lf() {
    let plain = text_folder(&[
        ("enterprises.csv", ENTERPRISES),
        ("events.csv", "enterprise,date,kind\na,2020-01-01,funding\n"),
    ]);
    let windows = text_folder(&[
        (
            "enterprises.csv",
            &format!("\u{feff}{}", ENTERPRISES.replace('\n', "\r\n")),
        ),
        (
            "events.csv",
            "\u{feff}enterprise,date,kind\r\na,2020-01-01,funding\r\n",
        ),
    ]);
    let (plain, windows) = (read_ok(plain.path()), read_ok(windows.path()));
    assert_eq!(plain, windows);
    assert_eq!(windows.lines.events.lines, [2]);
}

#[test]
fn columns_come_in_any_order_and_x_columns_are_kept() {
    let dir = text_folder(&[
        (
            "enterprises.csv",
            "founded,x_source,name,id\n2015,list A,Alpha,a\n2016,,Beta,b\n",
        ),
        (
            "events.csv",
            "kind,x_note,date,enterprise\nfunding,seed round,2020-01-01,a\n",
        ),
        (
            "fx.csv",
            "per_usd,x_origin,currency,date\n7.1,PBoC,CNY,2020-01-01\n",
        ),
    ]);
    let read = read_ok(dir.path());
    let alpha = &read.dataset.enterprises[0];
    assert_eq!(alpha.name, "Alpha");
    assert_eq!(
        alpha.extra.get("x_source").map(String::as_str),
        Some("list A")
    );
    assert!(
        read.dataset.enterprises[1].extra.is_empty(),
        "an empty x_ cell is absent"
    );
    assert_eq!(
        read.dataset.events[0]
            .extra
            .get("x_note")
            .map(String::as_str),
        Some("seed round")
    );
    assert_eq!(read.dataset.fx[0].currency, Currency::parse("CNY").unwrap());
}

#[test]
fn spaces_are_trimmed_from_cells_and_header_names_but_tabs_are_not() {
    let dir = text_folder(&[
        (
            "enterprises.csv",
            " id , name ,founded\n  a ,  Alpha Co  , 2015 \n",
        ),
        (
            "events.csv",
            "enterprise,date,kind,currency,amount\na, 2020-01-01 ,funding,\tCNY,5\n",
        ),
    ]);
    let problems = read_err(dir.path());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("events.csv:2:currency: "),
        "{problems:?}"
    );

    let dir = text_folder(&[(
        "enterprises.csv",
        " id , name ,founded\n  a ,  Alpha Co  , 2015 \n",
    )]);
    let read = read_ok(dir.path());
    assert_eq!(read.dataset.enterprises[0].id, id("a"));
    assert_eq!(read.dataset.enterprises[0].name, "Alpha Co");
}

#[test]
fn header_only_files_are_valid_and_empty() {
    let dir = text_folder(&[
        ("enterprises.csv", "id,name,founded\n"),
        ("events.csv", "enterprise,date,kind"),
    ]);
    let read = read_ok(dir.path());
    assert!(read.dataset.enterprises.is_empty());
    assert!(read.dataset.events.is_empty());
}

#[test]
fn empty_files_are_refused() {
    for content in [&b""[..], &b"\xEF\xBB\xBF"[..]] {
        let dir = folder(&[
            ("enterprises.csv", ENTERPRISES.as_bytes()),
            ("fx.csv", content),
        ]);
        assert_eq!(
            read_err(dir.path()),
            ["fx.csv: empty file: expected a header row"]
        );
    }
}

#[test]
fn a_missing_or_unusable_folder_is_refused() {
    let parent = tempfile::tempdir().unwrap();
    let missing = parent.path().join("nowhere");
    let problems = read_err(&missing);
    assert_eq!(problems, [format!("{}: no such folder", missing.display())]);

    let file = parent.path().join("enterprises.csv");
    std::fs::write(&file, ENTERPRISES).unwrap();
    let problems = read_err(&file);
    assert_eq!(problems.len(), 1);
    assert!(problems[0].starts_with(&format!("{}: not a folder", file.display())));

    let empty = tempfile::tempdir().unwrap();
    assert_eq!(
        read_err(empty.path()),
        ["enterprises.csv: missing: every dataset has this file"]
    );
}

#[test]
fn files_that_cannot_be_read_are_refused_by_name() {
    let dir = text_folder(&[("events.xlsx", "not a workbook")]);
    std::fs::create_dir(dir.path().join("enterprises.csv")).unwrap();
    let problems = read_err(dir.path());
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].starts_with("enterprises.csv: cannot read the file: "),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with("events.xlsx: cannot read the workbook: "),
        "{problems:?}"
    );
}

#[test]
fn unknown_duplicate_unnamed_and_missing_columns_are_reported_at_line_1() {
    let dir = text_folder(&[
        (
            "enterprises.csv",
            "id,name,colour,founded,name,x_a,x_a,\na,Alpha,red,2015,A,1,2,\n",
        ),
        (
            "events.csv",
            "enterprise,date\na,2020-01-01\na,2020-01-02\n",
        ),
    ]);
    assert_eq!(
        read_err(dir.path()),
        [
            "enterprises.csv:1:colour: unknown column; enterprises.csv has id, name, name_en, uscc, founded, country, region, city, zone, industries, tags, and extra columns start with 'x_'",
            "enterprises.csv:1:name: the column appears twice in the header (cells 2 and 5)",
            "enterprises.csv:1:x_a: the column appears twice in the header (cells 6 and 7)",
            "enterprises.csv:1: header cell 8 is empty; every column needs a name",
            // The missing column is reported once, not on every row.
            "events.csv:1:kind: required column is missing from the header",
        ]
    );
}

#[test]
fn rows_of_the_wrong_width_are_reported_with_their_line() {
    let dir = text_folder(&[(
        "enterprises.csv",
        "id,name,founded\na,Alpha,2015\nb,Beta\nc,\"Gamma\nCo\",2016,extra\nd,Delta,2017\n",
    )]);
    assert_eq!(
        read_err(dir.path()),
        [
            "enterprises.csv:3: the row has 2 cells, the header has 3",
            "enterprises.csv:4: the row has 4 cells, the header has 3",
        ]
    );
}

#[test]
fn lines_are_physical_lines_even_after_multi_line_cells_and_blank_lines() {
    // The last cell of `a` ends in a quoted line break; `c` ends the file
    // without one.
    let lf =
        "id,founded,name\n\na,2015,\"Alpha\nLine two\n\"\n\n\nb,2015-13,Beta\nc,2016-13,\"Gamma\"";
    let crlf = lf.replace('\n', "\r\n");
    for text in [lf, &crlf] {
        let dir = text_folder(&[("enterprises.csv", text)]);
        assert_eq!(
            read_err(dir.path()),
            [
                "enterprises.csv:8:founded: '2015-13' is not a day of the calendar",
                "enterprises.csv:9:founded: '2016-13' is not a day of the calendar",
            ],
            "{text:?}"
        );
    }
}

/// The reader looks back at the bytes before a record's end to find its
/// first line; those bytes may sit just before the CSV parser's 8 KiB buffer
/// was refilled. Shift a quoted line break, its closing quote and the line
/// end across that boundary.
#[test]
fn record_lines_hold_across_the_reader_s_buffer_boundary() {
    let header = "id,name,founded,x_note\n";
    let start = format!("{header}a,A,2015,\"");
    for boundary in [8192, 16384] {
        for shift in 0..6 {
            // The closing quote lands at `boundary - 3 + shift`.
            let padding = boundary - 3 + shift - 1 - start.len();
            let text = format!("{start}{}\n\"\nb,B,2015,\n", "p".repeat(padding));
            let dir = text_folder(&[("enterprises.csv", &text)]);
            assert_eq!(
                read_ok(dir.path()).lines.enterprises.lines,
                [2, 4],
                "{boundary} {shift}"
            );
        }
    }
}

#[test]
fn a_quote_left_open_is_reported_where_it_opens() {
    let lf = "id,name,founded\na,Alpha,2015\nb,\"Beta,2015\nc,Gamma,2016\n";
    let crlf = lf.replace('\n', "\r\n");
    for text in [lf, &crlf] {
        let dir = text_folder(&[("enterprises.csv", text)]);
        assert_eq!(
            read_err(dir.path()),
            ["enterprises.csv:3: the row has 2 cells, the header has 3"],
            "{text:?}"
        );
    }
}

#[test]
fn cells_that_are_not_utf8_are_located_by_line_and_column() {
    let dir = folder(&[
        (
            "enterprises.csv",
            b"id,name,founded\na,Al\xFFpha,2015\nb,Beta,2016\n",
        ),
        ("events.csv", b"enterprise,date,kind,x_\xC3\n"),
    ]);
    assert_eq!(
        read_err(dir.path()),
        [
            "enterprises.csv:2:name: not valid UTF-8: byte 0xFF at byte 3 of the cell",
            "events.csv:1: header cell 4: not valid UTF-8: byte 0xC3 at byte 3 of the cell",
        ]
    );
}

#[test]
fn every_problem_in_every_file_is_reported_sorted_by_file_then_line() {
    let dir = text_folder(&[
        (
            "enterprises.csv",
            "id,name,founded,uscc,region\n\
             a,Alpha,2015,914403001922038217,\n\
             b,,2016-02-30,,1101\n\
             a,Again,2017,,\n",
        ),
        (
            "events.csv",
            "enterprise,date,kind,amount,valuation,currency,exchange,region\n\
             a,2023-02-30,funding,,,,,\n\
             b,2023-01-01,ipo,,,,,\n\
             a,2023-01-01,valuation,,-5,USD,,\n\
             a,2023-01-01,funding,2.5E8,,USD,,\n\
             a,2023-01-01,funding,\"1,000\",,USD,,\n\
             a,2023-01-01,valuation,,100,,,\n\
             a,2023-01-01,valuation,,,,,\n\
             a,2023-01-01,listing,,,,,\n\
             a,2023-01-01,relocated,,,,,11010\n",
        ),
    ]);
    assert_eq!(
        read_err(dir.path()),
        [
            "enterprises.csv:2:uscc: check symbol is '7', the code's first 17 symbols give '6'",
            "enterprises.csv:3:name: required, but the cell is empty",
            "enterprises.csv:3:founded: '2016-02-30' is not a day of the calendar",
            "enterprises.csv:3:region: a division code is six digits (GB/T 2260, e.g. 110108), found '1101'",
            "enterprises.csv:4:id: duplicate id 'a' (first on line 2)",
            "events.csv:2:date: '2023-02-30' is not a day of the calendar",
            "events.csv:3:kind: 'ipo' is not an event kind (funding, valuation, listing, acquired, closed, relocated)",
            "events.csv:4:valuation: '-5' is negative; amounts and valuations are zero or more",
            "events.csv:5:amount: '2.5E8' is not a plain decimal number (digits with an optional '.' and decimals; no separators, signs, suffixes or exponents)",
            "events.csv:6:amount: '1,000' is not a plain decimal number (digits with an optional '.' and decimals; no separators, signs, suffixes or exponents)",
            "events.csv:7:currency: required when amount or valuation is given",
            "events.csv:8:valuation: required for kind 'valuation'",
            "events.csv:9:exchange: required for kind 'listing'",
            // A present but malformed region is not reported as missing too.
            "events.csv:10:region: a division code is six digits (GB/T 2260, e.g. 110108), found '11010'",
        ]
    );
}

#[test]
fn names_and_credit_codes_are_checked() {
    let long = "名".repeat(201);
    let just_right = "名".repeat(200);
    let dir = text_folder(&[(
        "enterprises.csv",
        &format!(
            "id,name,founded,uscc\n\
             a,{just_right},2015,{CHECKED_USCC}\n\
             b,{long},2015,\n\
             c,Gamma,2015,{}\n\
             d,Delta,2015,91440300192203821\n",
            CHECKED_USCC.to_lowercase()
        ),
    )]);
    assert_eq!(
        read_err(dir.path()),
        [
            "enterprises.csv:3:name: a name has 1 to 200 characters, found 201",
            // Credit codes are compared as normalised, upper-case codes.
            "enterprises.csv:4:uscc: duplicate credit code '914403001922038216' (first on line 2)",
            "enterprises.csv:5:uscc: a credit code has 18 symbols, found 17",
        ]
    );
}

#[test]
fn founding_dates_may_be_partial_but_event_dates_may_not() {
    let dir = text_folder(&[
        (
            "enterprises.csv",
            "id,name,founded\na,A,2015-07-01\nb,B,2015-07\nc,C,2015\nd,D,15\n",
        ),
        ("events.csv", "enterprise,date,kind\na,2020-01,funding\n"),
    ]);
    assert_eq!(
        read_err(dir.path()),
        [
            "enterprises.csv:5:founded: '15' is not a date of the form YYYY-MM-DD, YYYY-MM or YYYY",
            "events.csv:2:date: '2020-01' is not a date of the form YYYY-MM-DD",
        ]
    );
}

#[test]
fn exact_duplicate_events_are_dropped_and_counted() {
    let dir = text_folder(&[
        ("enterprises.csv", ENTERPRISES),
        (
            "events.csv",
            "enterprise,date,kind,amount,currency,x_note\n\
             a,2020-01-01,funding,100,USD,first\n\
             a, 2020-01-01 ,funding,100 ,USD,second\n\
             a,2020-01-01,funding,100.00,USD,\n\
             b,2020-01-01,funding,100,USD,\n\
             a,2020-01-01,funding,100,USD,third\n",
        ),
    ]);
    let read = read_ok(dir.path());
    assert_eq!(read.duplicate_events_dropped, 2);
    let amounts: Vec<_> = read
        .dataset
        .events
        .iter()
        .map(|e| (e.enterprise.as_str(), e.amount.as_ref().map(Amount::as_str)))
        .collect();
    // `100` and `100.00` are different rows; the first of the equal rows is kept.
    assert_eq!(
        amounts,
        [
            ("a", Some("100")),
            ("a", Some("100.00")),
            ("b", Some("100"))
        ]
    );
    assert_eq!(
        read.dataset.events[0]
            .extra
            .get("x_note")
            .map(String::as_str),
        Some("first")
    );
    assert_eq!(read.lines.events.lines, [2, 4, 5]);
}

#[test]
fn references_to_enterprises_outside_the_dataset_are_left_to_the_caller() {
    let dir = text_folder(&[
        ("enterprises.csv", ENTERPRISES),
        (
            "events.csv",
            "enterprise,date,kind\na,2020-01-01,funding\nstored,2020-01-01,funding\nghost,2020-01-02,funding\nghost,2020-01-03,closed\n",
        ),
        (
            "financials.csv",
            "enterprise,year,currency\nghost,2021,CNY\nb,2021,CNY\n",
        ),
    ]);
    let read = read_ok(dir.path());
    assert_eq!(read.external_ids(), [id("stored"), id("ghost")]);
    assert_eq!(
        read.external_refs[1].uses,
        [
            Reference {
                file: FileKind::Events,
                line: 4
            },
            Reference {
                file: FileKind::Events,
                line: 5
            },
            Reference {
                file: FileKind::Financials,
                line: 2
            },
        ]
    );
    let stored: HashSet<_> = [id("stored")].into();
    let problems: Vec<_> = check_external_refs(&read, &stored)
        .iter()
        .map(ToString::to_string)
        .collect();
    let unknown =
        "enterprise: unknown enterprise 'ghost' (not in enterprises.csv nor in the store)";
    assert_eq!(
        problems,
        [
            format!("events.csv:4:{unknown}"),
            format!("events.csv:5:{unknown}"),
            format!("financials.csv:2:{unknown}"),
        ]
    );
    let everything: HashSet<_> = [id("stored"), id("ghost")].into();
    assert!(check_external_refs(&read, &everything).is_empty());
}

#[test]
fn exchange_rates_are_positive_unique_and_usd_is_one() {
    let dir = text_folder(&[
        ("enterprises.csv", ENTERPRISES),
        (
            "fx.csv",
            "date,currency,per_usd\n\
             2023-12-29,CNY,7.0827\n\
             2023-12-29,HKD,0\n\
             2023-12-29,EUR,-0.9\n\
             2023-12-29,USD,1.000\n\
             2023-12-28,USD,1.01\n\
             2023-12-29,CNY,7.1\n",
        ),
    ]);
    assert_eq!(
        read_err(dir.path()),
        [
            "fx.csv:3:per_usd: '0' must be greater than zero",
            "fx.csv:4:per_usd: '-0.9' is negative; amounts and valuations are zero or more",
            "fx.csv:6:per_usd: '1.01' for USD: the US dollar is the base, its rate is 1",
            "fx.csv:7:date: a second CNY rate for 2023-12-29; the first is on line 2",
        ]
    );
}

#[test]
fn financials_have_four_digit_years_whole_employees_and_one_row_a_year() {
    let dir = text_folder(&[
        ("enterprises.csv", ENTERPRISES),
        (
            "financials.csv",
            "enterprise,year,currency,revenue,rd_expense,employees\n\
             a,2022,CNY,100,5,12\n\
             a,22,CNY,,,\n\
             b,2022,CNY,,,1.5\n\
             b,2021,cny,,,\"1,000\"\n\
             a,2022,USD,,,\n",
        ),
    ]);
    assert_eq!(
        read_err(dir.path()),
        [
            "financials.csv:3:year: '22' is not a year of the form YYYY",
            "financials.csv:4:employees: '1.5' is not a whole number (digits only, no separators)",
            "financials.csv:5:currency: a currency is an ISO 4217 code of three upper-case letters (USD, CNY, HKD…), found 'cny'",
            "financials.csv:5:employees: '1,000' is not a whole number (digits only, no separators)",
            "financials.csv:6:year: a second row for 'a' in 2022; the first is on line 2",
        ]
    );
}

/// A line of several megabytes stands in for the 200 MB lines the reader
/// must survive: reading is linear in the line's length (the suite keeps to
/// a few megabytes to stay fast), and messages stay short.
#[test]
fn a_huge_line_is_refused_with_short_messages() {
    const SIZE: usize = 8 * 1024 * 1024;
    let huge_digits = "9".repeat(SIZE);
    let huge_name = "x".repeat(SIZE);
    let dir = text_folder(&[
        (
            "enterprises.csv",
            &format!("id,name,founded\na,{huge_name},{huge_digits}\n"),
        ),
        (
            "events.csv",
            &format!(
                "enterprise,date,kind,valuation,currency\na,2020-01-01,valuation,{huge_digits},USD\n"
            ),
        ),
    ]);
    let started = std::time::Instant::now();
    let problems = read_err(dir.path());
    assert!(
        started.elapsed().as_secs() < 30,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        problems.len(),
        3,
        "{:?}",
        problems
            .iter()
            .map(|p| &p[..100.min(p.len())])
            .collect::<Vec<_>>()
    );
    assert!(
        problems[0]
            .starts_with("enterprises.csv:2:name: a name has 1 to 200 characters, found 8388608")
    );
    assert!(problems[1].starts_with("enterprises.csv:2:founded: '999"));
    assert!(problems[2].starts_with("events.csv:2:valuation: '999"));
    for problem in &problems {
        assert!(problem.len() < ECHO_LIMIT + 200, "{problem}");
    }
}

#[test]
fn a_file_given_as_both_csv_and_xlsx_is_refused() {
    let dir = text_folder(&[("enterprises.csv", ENTERPRISES), ("enterprises.xlsx", "")]);
    assert_eq!(
        read_err(dir.path()),
        ["enterprises.xlsx: enterprises.csv is also present; keep only one of them"]
    );
}

#[test]
fn row_lines_locate_complaints_about_records_by_position() {
    let dir = text_folder(&[
        ("enterprises.csv", ENTERPRISES),
        (
            "events.csv",
            "enterprise,date,kind\na,2020-01-01,funding\n\nb,2020-01-01,funding\n",
        ),
    ]);
    let read = read_ok(dir.path());
    assert_eq!(
        read.lines
            .problem(FileKind::Events, 1, "enterprise", "conflicts")
            .to_string(),
        "events.csv:4:enterprise: conflicts"
    );
    assert_eq!(
        read.lines
            .problem(FileKind::Fx, 0, "rate", "conflicts")
            .to_string(),
        "fx.csv: conflicts"
    );
}

#[derive(Debug, Default)]
struct Recorder(Vec<String>);

impl Progress for Recorder {
    fn file_started(&mut self, file: &str, bytes: u64) {
        self.0.push(format!("start {file} {bytes}"));
    }
    fn advanced(&mut self, bytes: u64) {
        self.0.push(format!("at {bytes}"));
    }
    fn file_finished(&mut self) {
        self.0.push("end".to_owned());
    }
}

#[test]
fn progress_follows_each_file_to_its_end() {
    let events = "enterprise,date,kind\na,2020-01-01,funding\n";
    let dir = text_folder(&[("enterprises.csv", ENTERPRISES), ("events.csv", events)]);
    let mut progress = Recorder::default();
    assert!(read_dataset(dir.path(), &mut progress).is_ok());
    let (e, v) = (ENTERPRISES.len(), events.len());
    assert_eq!(
        progress.0,
        [
            format!("start enterprises.csv {e}"),
            format!("at {e}"),
            "end".to_owned(),
            format!("start events.csv {v}"),
            format!("at {v}"),
            "end".to_owned(),
        ]
    );
    assert!(read_dataset(dir.path(), &mut NoProgress).is_ok());
}

proptest::proptest! {
    /// Rows with blank lines before them and quoted last cells spanning
    /// lines (some ending in a line break), padded so that files cross the
    /// reader's 8 KiB buffer at many different places.
    #[test]
    fn record_lines_are_the_lines_records_start_on(
        shapes in proptest::collection::vec(
            (0usize..3, 1usize..4, proptest::bool::ANY, 0usize..3000),
            1..12,
        ),
        crlf in proptest::bool::ANY,
        final_break in proptest::bool::ANY,
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = format!("id,name,founded,x_note{eol}");
        let mut line = 2;
        let mut expected = Vec::new();
        for (index, &(blanks, spans, break_at_end, padding)) in shapes.iter().enumerate() {
            text.push_str(&eol.repeat(blanks));
            line += blanks as u64;
            expected.push(line);
            let mut note = (0..spans).map(|i| format!("n{i}")).collect::<Vec<_>>().join(eol);
            note.insert_str(0, &"p".repeat(padding));
            if break_at_end {
                note.push_str(eol);
            }
            text.push_str(&format!("e{index},Name,2015,\"{note}\""));
            line += (spans - 1 + usize::from(break_at_end)) as u64;
            if index + 1 < shapes.len() || final_break {
                text.push_str(eol);
                line += 1;
            }
        }
        let dir = text_folder(&[("enterprises.csv", &text)]);
        let read = read_ok(dir.path());
        proptest::prop_assert_eq!(&read.lines.enterprises.lines, &expected);
    }
}

#[test]
fn zone_cells_resolve_to_one_id_and_unknown_ones_are_kept_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("enterprises.csv"),
        "id,name,founded,zone\n\
         a,甲,2020,hz-440300-1\n\
         b,乙,2020,深圳市高新技术产业园区\n\
         c,丙,2020, 深圳高新区 \n\
         d,丁,2020,shenzhen-hitech\n\
         e,戊,2020,shenzen-hitec\n\
         f,己,2020,\n",
    )
    .unwrap();
    let read = read_dataset(dir.path(), &mut NoProgress).unwrap();
    let zones: Vec<Option<&str>> = read
        .dataset
        .enterprises
        .iter()
        .map(|e| e.zone.as_deref())
        .collect();
    assert_eq!(
        zones,
        [
            Some("hz-440300-1"),
            Some("hz-440300-1"),
            Some("hz-440300-1"),
            Some("hz-440300-1"),
            Some("shenzen-hitec"),
            None
        ]
    );
    assert_eq!(read.unresolved_zones.len(), 1);
    let text = read.unresolved_zones[0].to_string();
    assert!(
        text.starts_with("enterprises.csv:6:zone: 'shenzen-hitec' is no known national zone"),
        "{text}"
    );
    assert!(
        text.contains("hz-440300-1 (深圳市高新技术产业园区)"),
        "{text}"
    );
}
