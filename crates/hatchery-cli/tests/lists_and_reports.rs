//! `import-list` on the real published list and `report` on what it built,
//! through the binary, as an analyst would run them, on SQLite and on
//! PostgreSQL.

mod support;

use std::fs;
use std::path::PathBuf;

use predicates::prelude::*;

use support::Workspace;

fn shared(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")).join(path)
}

#[test]
fn the_2022_list_imports_whole_and_every_company_counts_on_its_date() {
    for ws in Workspace::each_backend() {
        let list = shared("data/Unicorn_Companies.csv");
        let list = list.to_str().expect("UTF-8 path");
        ws.hatchery()
            .args([
                "import-list",
                list,
                "--list-date",
                "2022-02-24",
                "--dry-run",
            ])
            .assert()
            .success()
            .stdout(predicate::str::contains("1037 new"));
        // A dry run wrote nothing.
        assert_eq!(
            ws.stdout(&["classify", "--as-of", "2022-02-24", "--format", "csv"]),
            "id,tier\n"
        );

        ws.hatchery()
            .args(["import-list", list, "--list-date", "2022-02-24"])
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "Rows: 1037 read, 1037 taken, 0 rejected",
            ));
        let csv = ws.stdout(&[
            "classify",
            "--as-of",
            "2022-02-24",
            "--rules",
            "cbinsights",
            "--format",
            "csv",
        ]);
        assert_eq!(csv.lines().count(), 1 + 1037);

        // The same list again changes nothing.
        ws.hatchery()
            .args(["import-list", list, "--list-date", "2022-02-24"])
            .assert()
            .success()
            .stdout(predicate::str::contains("0 new, 0 updated, 1037 unchanged"));

        // The report counts the Chinese cities the list names.
        let out = ws.dir().join("report.json");
        ws.hatchery()
            .args([
                "report",
                "--as-of",
                "2022-02-24",
                "--rules",
                "cbinsights",
                "--format",
                "json",
            ])
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let report: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&out).expect("report")).expect("json");
        let by_city = &report["snapshots"][0]["by_city"];
        let enterprises_in = |city: &str| -> u64 {
            by_city
                .as_object()
                .expect("tiers")
                .values()
                .filter_map(|tier| tier[city].as_u64())
                .sum()
        };
        for (city, count) in [
            ("110000", 63),
            ("310000", 43),
            ("440300", 18),
            ("330100", 14),
            ("440100", 5),
        ] {
            assert_eq!(enterprises_in(city), count, "{city}");
        }
    }
}

#[test]
fn a_list_with_a_bad_row_imports_nothing_unless_told_to_skip_it() {
    for ws in Workspace::each_backend() {
        let list = ws.dir().join("list.csv");
        fs::write(
            &list,
            "Company,Valuation ($B),Date Joined,Country,City,Industry,Select Inverstors,Founded Year,Total Raised,Financial Stage,Investors Count,Deal Terms,Portfolio Exits\n\
             Good Co,$2 ,4/7/2017,China,Beijing,Fintech,\"A, B\",2012,$1B,None,2,1,None\n\
             Bad Co,lots,4/7/2017,China,Beijing,Fintech,\"A, B\",2012,$1B,None,2,1,None\n",
        )
        .expect("list");
        ws.hatchery()
            .arg("import-list")
            .arg(&list)
            .args(["--list-date", "2022-02-24"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("row 3"))
            .stderr(predicate::str::contains("nothing was imported"));
        assert_eq!(
            ws.stdout(&["classify", "--as-of", "2022-02-24", "--format", "csv"]),
            "id,tier\n"
        );

        let rejects = ws.dir().join("rejects.csv");
        ws.hatchery()
            .arg("import-list")
            .arg(&list)
            .args(["--list-date", "2022-02-24", "--skip-invalid"])
            .arg(&rejects)
            .assert()
            .success();
        let rejected = fs::read_to_string(&rejects).expect("rejects written");
        assert!(rejected.contains("Bad Co,lots"), "{rejected}");
        let csv = ws.stdout(&[
            "classify",
            "--as-of",
            "2022-02-24",
            "--rules",
            "cbinsights",
            "--format",
            "csv",
        ]);
        assert_eq!(csv.lines().count(), 2, "{csv}");
    }
}

#[test]
fn reports_are_written_in_every_format() {
    for ws in Workspace::each_backend() {
        ws.hatchery()
            .args(["demo", "--no-serve"])
            .assert()
            .success();
        for (format, name) in [
            ("html", "r.html"),
            ("xlsx", "r.xlsx"),
            ("csv", "r-csv"),
            ("json", "r.json"),
            ("md", "r.md"),
        ] {
            let out = ws.dir().join(name);
            ws.hatchery()
                .args([
                    "report",
                    "--as-of",
                    "2021-12-31,2023-12-31",
                    "--format",
                    format,
                    "--lang",
                    "en",
                ])
                .arg("--out")
                .arg(&out)
                .assert()
                .success();
            assert!(out.exists(), "{format} written");
        }
        let html = fs::read_to_string(ws.dir().join("r.html")).expect("html");
        assert!(!html.contains("src=\"http"), "the HTML must open offline");
        ws.hatchery()
            .args([
                "report",
                "--as-of",
                "2023-12-31",
                "--format",
                "pdf",
                "--out",
                "x",
            ])
            .assert()
            .code(2);
    }
}

#[test]
fn the_demo_grows_to_national_scale_with_a_generated_dataset() {
    // The demo's own exchange rates and the generator's are the same
    // reference rates: the generated dataset lands on top of the demo
    // store instead of being refused for conflicting rates.
    let ws = Workspace::sqlite();
    ws.hatchery()
        .args(["demo", "--no-serve", "--enterprises", "300"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "generated national dataset (seed 1): 300 enterprises",
        ))
        .stdout(predicate::str::contains("the store holds 479 enterprises"));
}
