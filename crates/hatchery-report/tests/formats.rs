//! The five output formats of the story's report: what each must hold, and
//! that the same report always gives the same bytes.

mod common;

use std::fs;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{story, story_dates};
use hatchery_core::RuleSet;
use hatchery_report::{Format, Lang, Report, ReportOptions, build, render};

const TABLES: [&str; 11] = [
    "tiers",
    "flows",
    "provinces",
    "cities",
    "top_cities",
    "concentration",
    "regions",
    "zones",
    "industries",
    "tags",
    "time_to_tier",
];

fn report(lang: Lang) -> Report {
    let options = ReportOptions {
        lang,
        ..ReportOptions::default()
    };
    build(
        &story().ledger(),
        &RuleSet::builtin("gei").unwrap(),
        &story_dates(),
        &options,
    )
    .unwrap()
}

fn out(dir: &Path, format: Format) -> std::path::PathBuf {
    dir.join(match format {
        Format::Csv => "csv".to_owned(),
        f => format!("report.{f}"),
    })
}

/// Every file under `path` (itself when a file), with its bytes, by name.
fn files(path: &Path) -> Vec<(String, Vec<u8>)> {
    if path.is_file() {
        return vec![(path.display().to_string(), fs::read(path).unwrap())];
    }
    let mut all: Vec<(String, Vec<u8>)> = fs::read_dir(path)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect();
    all.sort();
    all
}

#[test]
fn every_format_gives_the_same_bytes_twice() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for lang in [Lang::Zh, Lang::En] {
        for format in Format::ALL {
            // Built afresh each time: nothing may depend on the run.
            render(&report(lang), format, &out(a.path(), format)).unwrap();
            render(&report(lang), format, &out(b.path(), format)).unwrap();
            let (first, second) = (files(&out(a.path(), format)), files(&out(b.path(), format)));
            assert!(!first.is_empty());
            let strip = |v: Vec<(String, Vec<u8>)>| {
                v.into_iter().map(|(_, bytes)| bytes).collect::<Vec<_>>()
            };
            assert!(
                strip(first) == strip(second),
                "{format} ({lang}) differs between runs"
            );
        }
    }
}

#[test]
fn json_holds_counts_per_province_and_city_by_code() {
    let dir = tempfile::tempdir().unwrap();
    let path = out(dir.path(), Format::Json);
    render(&report(Lang::Zh), Format::Json, &path).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.ends_with("}\n"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["schema"], "hatchery-report/1");
    assert_eq!(json["dates"][0], "2020-12-31");
    let first = &json["snapshots"][0];
    assert_eq!(first["by_province"]["potential"]["440000"], 3);
    assert_eq!(first["by_city"]["unicorn"]["440100"], 1);
    // Tier maps keep the rule set's order, highest first, in the file.
    let by_city = &text[text.find("\"by_city\"").unwrap()..];
    let at = |key: &str| by_city.find(&format!("\"{key}\": {{")).unwrap();
    assert!(at("super_unicorn") < at("unicorn") && at("unicorn") < at("potential"));
    assert_eq!(first["tiers"][1]["valuation_usd"], "4700000000.00");
    assert_eq!(first["concentration"][3]["hhi"], "0.185185");
    assert_eq!(json["flows"][1]["tiers"][1]["exits"]["listed"], 1);
    assert_eq!(json["flows"][0]["from"], serde_json::Value::Null);
}

#[test]
fn csv_is_a_folder_of_bom_prefixed_tables() {
    let dir = tempfile::tempdir().unwrap();
    let folder = out(dir.path(), Format::Csv);
    render(&report(Lang::Zh), Format::Csv, &folder).unwrap();
    let names: Vec<String> = files(&folder).into_iter().map(|(n, _)| n).collect();
    let mut want: Vec<String> = TABLES.iter().map(|t| format!("{t}.csv")).collect();
    want.push("highlights.csv".to_owned());
    want.sort();
    assert_eq!(names, want);
    let tiers = fs::read(folder.join("tiers.csv")).unwrap();
    assert!(tiers.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(tiers[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("截至日期,层级,企业数,估值合计（亿美元）")
    );
    // 2020: unicorns worth US$4.7bn = 47 亿美元.
    assert!(text.contains("2020-12-31,独角兽,3,47.00,0,0.30,"), "{text}");
    let cities = fs::read_to_string(folder.join("cities.csv")).unwrap();
    assert!(
        cities.contains("2020-12-31,440300,深圳市,广东省,0,0,3,3,0.333333"),
        "{cities}"
    );
}

#[test]
fn xlsx_has_a_sheet_per_table_with_numbers_as_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = out(dir.path(), Format::Xlsx);
    render(&report(Lang::En), Format::Xlsx, &path).unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let sheets = book.sheet_names();
    assert_eq!(sheets.len(), TABLES.len() + 1, "{sheets:?}");
    assert_eq!(sheets[0], "About this report");
    assert_eq!(sheets[1], "Enterprises per tier");
    let tiers = book.worksheet_range("Enterprises per tier").unwrap();
    assert_eq!(tiers.get((0, 2)), Some(&Data::String("Enterprises".into())));
    // Row 2 is 2020's unicorns: a count, then US$ bn.
    assert_eq!(tiers.get((2, 1)), Some(&Data::String("Unicorn".into())));
    assert_eq!(tiers.get((2, 2)), Some(&Data::Float(3.0)));
    assert_eq!(tiers.get((2, 3)), Some(&Data::Float(4.7)));
    assert!(matches!(tiers.get((2, 0)), Some(Data::DateTime(_))));
    let shares = book.worksheet_range("Concentration").unwrap();
    let hhi = (0..shares.height())
        .find_map(|r| match (shares.get((r, 1)), shares.get((r, 6))) {
            (Some(Data::String(t)), Some(Data::Float(h))) if t == "All tiers" => Some(*h),
            _ => None,
        })
        .unwrap();
    assert!((hhi - 0.185185).abs() < 1e-12);
}

#[test]
fn html_is_one_offline_page_in_the_reports_language() {
    let dir = tempfile::tempdir().unwrap();
    for (lang, title, tier) in [
        (Lang::Zh, "独角兽企业培育跟踪报告", "潜在独角兽"),
        (
            Lang::En,
            "Unicorn cultivation tracking report",
            "Potential unicorn",
        ),
    ] {
        let path = out(dir.path(), Format::Html);
        render(&report(lang), Format::Html, &path).unwrap();
        let html = fs::read_to_string(&path).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(title) && html.contains(tier));
        assert!(html.contains(&format!("<html lang=\"{}\">", lang.tag())));
        // Nothing is fetched: no external script, style, image or font.
        for needle in [
            "src=\"http",
            "href=\"http",
            "src=\"//",
            "@import",
            "url(http",
        ] {
            assert!(!html.contains(needle), "{needle}");
        }
        assert!(html.contains("echarts"));
        for id in [
            "chart-tiers",
            "chart-flows",
            "chart-cities",
            "chart-regions",
            "chart-industries",
        ] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
        }
        for table in TABLES {
            assert!(
                html.contains(&format!("<section id=\"{table}\">")),
                "{table}"
            );
        }
    }
}

#[test]
fn markdown_has_a_table_per_date() {
    let dir = tempfile::tempdir().unwrap();
    let path = out(dir.path(), Format::Md);
    render(&report(Lang::En), Format::Md, &path).unwrap();
    let md = fs::read_to_string(&path).unwrap();
    assert!(md.starts_with("# Unicorn cultivation tracking report\n"));
    assert!(md.contains("## By city\n"));
    assert!(md.contains("### 2021-12-31\n"));
    assert!(
        md.contains("| 440300 | Shenzhen | Guangdong | 0 | 0 | 3 | 3 | 33.33% |"),
        "{md}"
    );
    assert!(md.contains("| Tier | Enterprises | Min (years) |"));
}

#[test]
fn formats_parse_by_name() {
    for format in Format::ALL {
        assert_eq!(format.as_str().parse::<Format>(), Ok(format));
    }
    assert_eq!("markdown".parse::<Format>(), Ok(Format::Md));
    assert!("pdf".parse::<Format>().is_err());
}
