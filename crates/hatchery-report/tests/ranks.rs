//! Ranks with rank change, changes on the previous date and a scoped
//! report's national context, on a small dataset worked out by hand.
//!
//! Every enterprise is a unicorn (US$2bn, founded 2018, a US$10m round):
//!
//! | id | region | zone | industries | unicorn from | leaves |
//! |---|---|---|---|---|---|
//! | sz | 440305 Shenzhen | hz-440300-1 | ai | 2021-06-01 | |
//! | gz | 440106 Guangzhou | | ai | 2022-06-01 | |
//! | bj | 110108 Beijing | | fintech | 2021-06-01 | |
//! | sh1 | 310104 Shanghai | hz-310000-1 | ai | 2023-03-01 | |
//! | sh2 | 310104 Shanghai | | | 2023-03-01 | |
//! | sh3 | 310115 Shanghai | | | 2023-05-01 | |
//! | hz | 330106 Hangzhou | | fintech | 2021-06-01 | acquired 2023-01-01 |
//!
//! On 2022-12-31: 4 unicorns; provinces 44 (2), 11 (1), 33 (1).
//! On 2023-12-31: 6 unicorns; provinces 31 (3), 44 (2), 11 (1).

mod common;

use common::{Fixture, day};
use hatchery_core::RuleSet;
use hatchery_report::{
    AreaRow, Change, Format, KeyRow, Lang, Report, ReportOptions, Scope, build, render,
};
use rust_decimal::Decimal;

fn fixture() -> Fixture {
    let mut f = Fixture::new();
    let ten_million = Some(("10000000", "USD"));
    for (id, region, zone, industries, from) in [
        (
            "sz",
            "440305",
            Some("hz-440300-1"),
            &["ai"][..],
            "2021-06-01",
        ),
        ("gz", "440106", None, &["ai"][..], "2022-06-01"),
        ("bj", "110108", None, &["fintech"][..], "2021-06-01"),
        (
            "sh1",
            "310104",
            Some("hz-310000-1"),
            &["ai"][..],
            "2023-03-01",
        ),
        ("sh2", "310104", None, &[][..], "2023-03-01"),
        ("sh3", "310115", None, &[][..], "2023-05-01"),
        ("hz", "330106", None, &["fintech"][..], "2021-06-01"),
    ] {
        let e = f.enterprise(id, "2018-01-01", Some(region));
        e.zone = zone.map(str::to_owned);
        e.industries = industries.iter().map(|&i| i.to_owned()).collect();
        f.funding(id, "2018-01-01", ten_million)
            .valuation(id, from, "2000000000");
    }
    f.acquired("hz", "2023-01-01");
    f
}

fn report(scope: Option<Scope>) -> Report {
    let options = ReportOptions {
        scope,
        ..ReportOptions::default()
    };
    build(
        &fixture().ledger(),
        &RuleSet::builtin("gei").unwrap(),
        &[day("2022-12-31"), day("2023-12-31")],
        &options,
    )
    .unwrap()
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// `(code, rank, previous rank, rank change)` in code order.
fn ranks(rows: &[AreaRow]) -> Vec<(&str, u64, Option<u64>, Option<i64>)> {
    rows.iter()
        .map(|r| (r.code.as_str(), r.rank, r.previous_rank, r.rank_change))
        .collect()
}

fn change(previous: u64, delta: i64, ratio: Option<&str>) -> Option<Change> {
    Some(Change {
        previous,
        delta,
        ratio: ratio.map(dec),
    })
}

#[test]
fn provinces_and_cities_rank_by_count_then_code() {
    let r = report(None);
    let [first, last] = &r.snapshots[..] else {
        panic!("two dates")
    };
    // 2022: 44 has 2; 11 and 33 have 1 each, 11 first by code.
    assert_eq!(
        ranks(&first.provinces),
        [
            ("110000", 2, None, None),
            ("330000", 3, None, None),
            ("440000", 1, None, None)
        ]
    );
    // 2023: 31 (3) overtakes 44 (2); 11 (1) is third; 33 has left.
    assert_eq!(
        ranks(&last.provinces),
        [
            ("110000", 3, Some(2), Some(-1)),
            ("310000", 1, None, None),
            ("440000", 2, Some(1), Some(-1))
        ]
    );
    // Cities of one each rank by code: 110000, 440100, 440300.
    assert_eq!(
        ranks(&last.cities),
        [
            ("110000", 2, Some(1), Some(-1)),
            ("310000", 1, None, None),
            ("440100", 3, Some(3), Some(0)),
            ("440300", 4, Some(4), Some(0))
        ]
    );
    // Top cities carry the same standing.
    assert_eq!(last.top_cities[0].code, "310000");
    assert_eq!(last.top_cities[3].rank_change, Some(0));
    let sh = last.provinces.iter().find(|p| p.code == "310000").unwrap();
    assert_eq!(sh.change, change(0, 3, None));
    assert_eq!(sh.share, dec("0.500000"));
    let gd = last.provinces.iter().find(|p| p.code == "440000").unwrap();
    assert_eq!(gd.change, change(2, 0, Some("0.000000")));
    assert_eq!(first.provinces[0].change, None);
}

#[test]
fn headline_counts_change_on_the_previous_date() {
    let r = report(None);
    let [first, last] = &r.snapshots[..] else {
        panic!("two dates")
    };
    assert_eq!(first.change, None);
    assert!(first.tiers.iter().all(|t| t.change.is_none()));
    assert_eq!(last.change, change(4, 2, Some("0.500000")));
    let unicorn = last.tiers.iter().find(|t| t.tier == "unicorn").unwrap();
    assert_eq!(unicorn.change, change(4, 2, Some("0.500000")));
    let sup = last
        .tiers
        .iter()
        .find(|t| t.tier == "super_unicorn")
        .unwrap();
    assert_eq!(sup.change, change(0, 0, None));
}

fn keyed(rows: &[KeyRow]) -> Vec<(&str, u64, u64, Option<u64>, Decimal)> {
    rows.iter()
        .map(|r| (r.key.as_str(), r.total, r.rank, r.previous_rank, r.share))
        .collect()
}

#[test]
fn zones_and_industries_rank_with_shares_of_all() {
    let r = report(None);
    let last = &r.snapshots[1];
    // ai: sz, gz, sh1 = 3 of 6; fintech: bj = 1 (hz left).
    assert_eq!(
        keyed(&last.industries),
        [
            ("ai", 3, 1, Some(1), dec("0.500000")),
            ("fintech", 1, 2, Some(2), dec("0.166667"))
        ]
    );
    assert_eq!(last.industries[1].change, change(2, -1, Some("-0.500000")));
    // Two zones of one each: by key.
    assert_eq!(
        keyed(&last.zones),
        [
            ("hz-310000-1", 1, 1, None, dec("0.166667")),
            ("hz-440300-1", 1, 2, Some(1), dec("0.166667"))
        ]
    );
    assert_eq!(last.zones[1].rank_change, Some(-1));
}

#[test]
fn a_province_report_stands_in_its_national_context() {
    let r = report(Some(Scope::parse("44").unwrap()));
    let context = r.context.as_ref().expect("a scoped report has context");
    let [first, last] = &context[..] else {
        panic!("two dates")
    };
    // 2022: Guangdong first of 3 with 2 of 4.
    assert_eq!(
        (
            first.total,
            first.rank,
            first.of,
            first.national,
            first.share
        ),
        (2, Some(1), 3, 4, dec("0.500000"))
    );
    assert_eq!((first.previous_rank, first.change), (None, None));
    // 2023: second of 3 with 2 of 6.
    assert_eq!(
        (last.total, last.rank, last.of, last.national, last.share),
        (2, Some(2), 3, 6, dec("0.333333"))
    );
    assert_eq!(last.previous_rank, Some(1));
    assert_eq!(last.rank_change, Some(-1));
    assert_eq!(last.change, change(2, 0, Some("0.000000")));
    // The scope's own figures agree with the national report's row.
    let national = report(None);
    let row = national.snapshots[1]
        .provinces
        .iter()
        .find(|p| p.code == "440000")
        .unwrap();
    assert_eq!((row.rank, row.share), (2, last.share));
    assert!(report(None).context.is_none());
}

#[test]
fn a_city_and_a_zone_report_stand_in_their_national_context() {
    let city = report(Some(Scope::parse("4403").unwrap()));
    let last = &city.context.as_ref().unwrap()[1];
    // Cities on 2023: 310000 (3), then 110000, 440100, 440300 (1 each).
    assert_eq!(
        (last.rank, last.of, last.share),
        (Some(4), 4, dec("0.166667"))
    );
    let zone = report(Some(Scope::Zone("hz-440300-1".into())));
    let context = zone.context.as_ref().unwrap();
    // 2022: the only zone with an enterprise; 2023: second by id.
    assert_eq!((context[0].rank, context[0].of), (Some(1), 1));
    assert_eq!(
        (
            context[1].rank,
            context[1].of,
            context[1].national,
            context[1].share
        ),
        (Some(2), 2, 6, dec("0.166667"))
    );
}

#[test]
fn tables_list_provinces_by_rank_with_their_change() {
    let dir = tempfile::tempdir().unwrap();
    render(&report(None), Format::Csv, dir.path()).unwrap();
    let text = std::fs::read_to_string(dir.path().join("provinces.csv")).unwrap();
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("2023-12-31"))
        .collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(
        rows[0].starts_with("2023-12-31,310000,上海市,0,3,0,3,0.500000,1,,,3,"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].ends_with(",2,0.333333,2,1,-1,0,0.000000"),
        "{}",
        rows[1]
    );
    let md = {
        let path = dir.path().join("report.md");
        let options = ReportOptions {
            lang: Lang::En,
            ..ReportOptions::default()
        };
        let r = build(
            &fixture().ledger(),
            &RuleSet::builtin("gei").unwrap(),
            &[day("2022-12-31"), day("2023-12-31")],
            &options,
        )
        .unwrap();
        render(&r, Format::Md, &path).unwrap();
        std::fs::read_to_string(path).unwrap()
    };
    // The tiers' change on 2022: +2 unicorns, +50.0 %.
    assert!(md.contains("| +2 | +50.0% |"), "{md}");
}

#[test]
fn a_province_report_draws_no_empty_region_bars() {
    let bars = |r: &Report| -> Vec<String> {
        let chart = hatchery_report::chart_options(r)
            .into_iter()
            .find(|c| c.id == "chart-regions")
            .unwrap();
        chart.option["yAxis"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let guangdong = report(Some(Scope::parse("44").unwrap()));
    let last = guangdong.snapshots.last().unwrap();
    let with_enterprises: Vec<&str> = last
        .regions
        .iter()
        .filter(|r| r.total > 0)
        .map(|r| r.name.as_str())
        .collect();
    assert!(with_enterprises.len() < last.regions.len());
    let mut drawn = bars(&guangdong);
    drawn.reverse(); // drawn bottom up
    assert_eq!(drawn, with_enterprises);
    assert!(bars(&report(None)).len() > drawn.len());
}

#[test]
fn csv_holds_the_highlights_and_a_scoped_reports_context() {
    let dir = tempfile::tempdir().unwrap();
    let r = report(Some(Scope::parse("44").unwrap()));
    render(&r, Format::Csv, dir.path()).unwrap();
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let highlights = read("highlights.csv");
    assert!(
        highlights.starts_with("\u{feff}主题,要点\r\n"),
        "{highlights}"
    );
    for h in &r.highlights {
        assert!(highlights.contains(&h.text), "{}", h.text);
    }
    // 2023: second of three provinces, 2 of 6 enterprises with a region.
    let context = read("context.csv");
    assert!(
        context.contains("2023-12-31,2,2,3,1,-1,0,0.000000,6,0.333333"),
        "{context}"
    );
    // A national report has no context table.
    let national = tempfile::tempdir().unwrap();
    render(&report(None), Format::Csv, national.path()).unwrap();
    assert!(!national.path().join("context.csv").exists());
    assert!(national.path().join("highlights.csv").exists());
}

#[test]
fn the_workbooks_first_sheet_holds_every_highlight() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let r = report(Some(Scope::parse("44").unwrap()));
    render(&r, Format::Xlsx, &path).unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names()[..2], ["报告说明", "在全国的位置"]);
    let about = book.worksheet_range("报告说明").unwrap();
    let texts: Vec<String> = (0..about.height())
        .filter(|&row| about.get((row, 0)) == Some(&Data::String("要点".into())))
        .filter_map(|row| match about.get((row, 1)) {
            Some(Data::String(text)) => Some(text.clone()),
            _ => None,
        })
        .collect();
    let want: Vec<String> = r.highlights.iter().map(|h| h.text.clone()).collect();
    assert!(!want.is_empty());
    assert_eq!(texts, want);
}
