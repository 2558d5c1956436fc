//! The HTML report printed: the shipped headless Chromium prints it to PDF
//! (national and `--scope 44`, in Chinese and English), poppler's
//! `pdftoppm` renders every page to PNG for people to look at, and
//! `pdftotext` shows what the print holds: every as-of date's tables, not
//! only the latest (they are folded away on screen).
//!
//! Skipped when Chromium or poppler-utils is missing, unless
//! `HATCHERY_REQUIRE_BROWSER=1`. The PDFs and PNGs are kept in
//! `target/tmp/report-print/` (`<scope>-<lang>.pdf`, `<scope>-<lang>-N.png`).

#[path = "common/random.rs"]
mod random;

use std::path::{Path, PathBuf};
use std::process::Command;

use hatchery_core::{Ledger, RuleSet};
use hatchery_report::{Format, Lang, ReportOptions, Scope, build, render};
use jiff::civil::date;

fn found(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

/// Chromium and the poppler tools, or `None` (the test is skipped) when one
/// is missing and a browser is not required.
fn tools() -> Option<PathBuf> {
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find_map(found);
    let poppler = found("pdftoppm").is_some() && found("pdftotext").is_some();
    match chromium {
        Some(chromium) if poppler => Some(chromium),
        _ if std::env::var("HATCHERY_REQUIRE_BROWSER").as_deref() == Ok("1") => {
            panic!("HATCHERY_REQUIRE_BROWSER=1 but chromium or pdftoppm/pdftotext is missing")
        }
        _ => {
            eprintln!("skipped: chromium or poppler-utils (pdftoppm, pdftotext) is missing");
            None
        }
    }
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("the program starts");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Prints `html` to `pdf` as a person would from the browser.
fn print(chromium: &Path, html: &Path, pdf: &Path) {
    run(Command::new(chromium).args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-pdf-header-footer",
        "--window-size=1366,900",
        "--virtual-time-budget=10000",
        &format!("--print-to-pdf={}", pdf.display()),
        &format!("file://{}", html.display()),
    ]));
}

#[test]
fn the_printed_report_holds_every_date_in_both_languages() {
    let Some(chromium) = tools() else {
        return;
    };
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-print");
    std::fs::create_dir_all(&out).unwrap();
    let ledger = Ledger::from_dataset(&random::dataset(2024, 3000));
    let rules = RuleSet::builtin("gei").unwrap();
    let dates: Vec<_> = (2019..=2023).map(|y| date(y, 12, 31)).collect();
    for (scope, name) in [(None, "national"), (Some("44"), "scope-44")] {
        for lang in [Lang::Zh, Lang::En] {
            let options = ReportOptions {
                scope: scope.map(|s| Scope::parse(s).unwrap()),
                lang,
                ..ReportOptions::default()
            };
            let report = build(&ledger, &rules, &dates, &options).unwrap();
            let stem = format!("{name}-{lang}");
            let html = out.join(format!("{stem}.html"));
            let pdf = out.join(format!("{stem}.pdf"));
            render(&report, Format::Html, &html).unwrap();
            let _ = std::fs::remove_file(&pdf);
            print(&chromium, &html, &pdf);
            let png = out.join(&stem);
            run(Command::new("pdftoppm")
                .args(["-r", "60", "-png"])
                .arg(&pdf)
                .arg(&png));
            let text = run(Command::new("pdftotext").arg(&pdf).arg("-"));
            // The date heading of each table of each date, earlier ones included.
            let heading = match lang {
                Lang::Zh => "截至日期",
                Lang::En => "As of",
            };
            for day in &dates {
                let wanted = format!("{heading} {day}");
                assert!(
                    text.matches(&wanted).count() >= 5,
                    "{stem}: the print lacks the tables of {day}"
                );
            }
            // The charts' captions are printed (with their charts: see the PNGs).
            let captions = match lang {
                Lang::Zh => ["各层级企业数", "进入与退出（按原因）"],
                Lang::En => ["Enterprises per tier", "Entries and exits by cause"],
            };
            for caption in captions {
                assert!(text.contains(caption), "{stem}: {caption}");
            }
            // The scoped print says where the province stands nationally.
            if scope.is_some() {
                let rank = match lang {
                    Lang::Zh => "全国排名",
                    Lang::En => "National rank",
                };
                assert!(text.contains(rank), "{stem}");
            }
        }
    }
}
