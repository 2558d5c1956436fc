//! The `hatchery` binary driven as a user drives it: real files, a real
//! store in a temporary folder, exit codes and output checked; every story
//! on SQLite and on PostgreSQL.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

use support::Workspace;

const ENTERPRISES: &str = "\
id,name,founded,region,country
alpha,阿尔法科技,2015-03-01,110108,
beta,贝塔智能,2019-02,440305,CN
gamma,伽马生物,2012,310115,
delta,Delta Robotics,2016-02-29,,US
";

const EVENTS: &str = "\
enterprise,date,kind,round,amount,valuation,currency,exchange,region
alpha,2016-05-01,funding,A,10000000,80000000,USD,,
alpha,2018-07-01,funding,C,200000000,1200000000,USD,,
beta,2020-01-10,funding,A,70000000,708270000,CNY,,
gamma,2014-01-01,funding,B,50000000,600000000,USD,,
gamma,2020-06-01,listing,,,,,SSE,
delta,2018-01-01,funding,B,30000000,2000000000,USD,,
";

const FX: &str = "\
date,currency,per_usd
2019-12-31,CNY,7.0827
";

fn good_dataset(ws: &Workspace) -> PathBuf {
    ws.dataset(
        "good",
        &[
            ("enterprises.csv", ENTERPRISES),
            ("events.csv", EVENTS),
            ("fx.csv", FX),
        ],
    )
}

#[test]
fn import_then_classify_as_csv() {
    for ws in Workspace::each_backend() {
        let dataset = good_dataset(&ws);
        ws.hatchery()
            .arg("import")
            .arg(&dataset)
            .assert()
            .success()
            .stdout(predicate::str::contains("enterprises 4 new"));

        // alpha: unicorn (≤10 y, $1.2bn); beta: ¥708,270,000 / 7.0827 = exactly $100m
        // within 5 years → potential; gamma listed in 2020; delta is not Chinese.
        let csv = ws.stdout(&["classify", "--as-of", "2020-12-31", "--format", "csv"]);
        assert_eq!(csv, "id,tier\nalpha,unicorn\nbeta,potential\n");

        // In 2019 gamma (founded 2012, $600m) is within 9 years: potential clause b.
        let csv = ws.stdout(&["classify", "--as-of", "2019-12-31", "--format", "csv"]);
        assert_eq!(csv, "id,tier\nalpha,unicorn\ngamma,potential\n");

        let csv = ws.stdout(&[
            "classify",
            "--as-of",
            "2020-12-31",
            "--rules",
            "cbinsights",
            "--format",
            "csv",
        ]);
        assert_eq!(csv, "id,tier\nalpha,unicorn\ndelta,unicorn\n");
    }
}

#[test]
fn importing_twice_adds_nothing() {
    for ws in Workspace::each_backend() {
        let dataset = good_dataset(&ws);
        ws.hatchery().arg("import").arg(&dataset).assert().success();
        ws.hatchery()
            .arg("import")
            .arg(&dataset)
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "enterprises 0 new, 0 updated, 4 unchanged",
            ))
            .stdout(predicate::str::contains("events 0 new, 6 already stored"));
    }
}

#[test]
fn bad_input_is_located_and_leaves_the_store_unchanged() {
    for ws in Workspace::each_backend() {
        ws.hatchery()
            .arg("import")
            .arg(good_dataset(&ws))
            .assert()
            .success();
        let before = ws.stdout(&["classify", "--as-of", "2020-12-31", "--format", "csv"]);

        let bad = ws.dataset(
            "bad",
            &[
                (
                    "enterprises.csv",
                    "id,name,founded,uscc\nnew,新企业,2020-01-01,914403001922038217\n",
                ),
                (
                    "events.csv",
                    "enterprise,date,kind,valuation,currency\nnew,2023-02-30,funding,,\nnew,2021-01-01,valuation,-5,USD\nghost,2021-01-01,funding,,\n",
                ),
            ],
        );
        ws.hatchery()
            .arg("import")
            .arg(&bad)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("enterprises.csv:2:uscc:"))
            .stderr(predicate::str::contains("events.csv:2:date:"))
            .stderr(predicate::str::contains("events.csv:3:valuation:"))
            .stderr(predicate::str::contains("nothing was imported"));

        // A dataset whose only fault is an unknown enterprise is refused too.
        let dangling = ws.dataset(
            "dangling",
            &[
                (
                    "enterprises.csv",
                    "id,name,founded\nnew,新企业,2020-01-01\n",
                ),
                (
                    "events.csv",
                    "enterprise,date,kind\nghost,2021-01-01,funding\n",
                ),
            ],
        );
        ws.hatchery()
            .arg("import")
            .arg(&dangling)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("events.csv:2:enterprise:"));

        let after = ws.stdout(&["classify", "--as-of", "2020-12-31", "--format", "csv"]);
        assert_eq!(before, after);
        let table = ws.stdout(&["classify", "--as-of", "2020-12-31"]);
        assert!(table.contains("of 4 enterprises"), "{table}");
    }
}

#[test]
fn a_missing_folder_and_bad_arguments_are_reported() {
    for ws in Workspace::each_backend() {
        ws.hatchery()
            .args(["import", "no-such-folder"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("no-such-folder"));
        ws.hatchery()
            .args(["classify", "--as-of", "2023-02-30"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("2023-02-30"));
        ws.hatchery()
            .args([
                "classify",
                "--as-of",
                "2023-12-31",
                "--rules",
                "no-such-rules",
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "no rule set named 'no-such-rules'",
            ));
    }
}

#[test]
fn export_round_trips() {
    for ws in Workspace::each_backend() {
        ws.hatchery()
            .arg("import")
            .arg(good_dataset(&ws))
            .assert()
            .success();
        let first = ws.path("first");
        ws.hatchery().arg("export").arg(&first).assert().success();

        let other = ws.sibling();
        other
            .hatchery()
            .arg("import")
            .arg(&first)
            .assert()
            .success();
        let second = other.path("second");
        other
            .hatchery()
            .arg("export")
            .arg(&second)
            .assert()
            .success();

        for file in ["enterprises.csv", "events.csv", "fx.csv", "financials.csv"] {
            assert_eq!(read(&first, file), read(&second, file), "{file} differs");
        }
        for date in ["2016-12-31", "2019-12-31", "2020-12-31", "2023-12-31"] {
            let args = ["classify", "--as-of", date, "--format", "csv"];
            assert_eq!(ws.stdout(&args), other.stdout(&args), "{date}");
        }
    }
}

fn read(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn explain_gives_every_reason() {
    for ws in Workspace::each_backend() {
        ws.hatchery()
            .arg("import")
            .arg(good_dataset(&ws))
            .assert()
            .success();
        let text = ws.stdout(&["explain", "beta", "--as-of", "2020-12-31"]);
        assert!(
            text.contains("tier: 潜在独角兽 Potential unicorn (potential)"),
            "{text}"
        );
        assert!(
            text.contains("708,270,000 CNY on 2020-01-10 = 100,000,000 USD"),
            "{text}"
        );
        assert!(text.contains("✗ valuation ≥ 1,000,000,000 USD"), "{text}");

        let json = ws.stdout(&[
            "explain",
            "gamma",
            "--as-of",
            "2020-12-31",
            "--format",
            "json",
        ]);
        let value: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(value["decision"]["tier"], serde_json::Value::Null);
        let listed = value["decision"]["requirements"]
            .as_array()
            .expect("requirements")
            .iter()
            .find(|c| c["condition"] == "listed")
            .expect("listed check");
        assert_eq!(listed["passed"], false);
        assert!(
            listed["found"]
                .as_str()
                .unwrap_or("")
                .contains("SSE on 2020-06-01")
        );

        ws.hatchery()
            .args(["explain", "nobody", "--as-of", "2020-12-31"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("no enterprise with id 'nobody'"));
    }
}

#[test]
fn rule_sets_are_listed_and_shown() {
    for ws in Workspace::each_backend() {
        let list = ws.stdout(&["rules", "list"]);
        for name in [
            "gei",
            "gei-2024",
            "cbinsights",
            "hurun",
            "shenzhen",
            "wuhan-donghu",
        ] {
            assert!(list.contains(name), "{name} missing from {list}");
        }
        let shown = ws.stdout(&["rules", "show", "shenzhen"]);
        assert!(shown.contains("7000000000 CNY"), "{shown}");

        let custom = ws.path("custom.toml");
        fs::write(
            &custom,
            "key='mine'\nversion='1'\ntitle='我的'\ntitle_en='Mine'\n[[tiers]]\nkey='big'\nname='大'\nname_en='Big'\nwhen=[{ valuation_at_least = '1000000000 USD' }]\n",
        )
        .expect("rule file");
        ws.hatchery()
            .arg("import")
            .arg(good_dataset(&ws))
            .assert()
            .success();
        let csv = ws.stdout(&[
            "classify",
            "--as-of",
            "2020-12-31",
            "--rules",
            custom.to_str().expect("utf-8 path"),
            "--format",
            "csv",
        ]);
        assert_eq!(csv, "id,tier\nalpha,big\ndelta,big\n");
    }
}

#[test]
fn generated_datasets_are_deterministic_and_import_cleanly() {
    for ws in Workspace::each_backend() {
        let first = ws.path("gen-a");
        let second = ws.path("gen-b");
        for dir in [&first, &second] {
            ws.hatchery()
                .args(["generate", "--enterprises", "300", "--seed", "7", "--out"])
                .arg(dir)
                .assert()
                .success()
                .stdout(predicate::str::contains("wrote 300 enterprises"));
        }
        for file in ["enterprises.csv", "events.csv", "fx.csv", "financials.csv"] {
            assert_eq!(read(&first, file), read(&second, file), "{file}");
        }
        ws.hatchery().arg("import").arg(&first).assert().success();
        let table = ws.stdout(&["classify", "--as-of", "2023-12-31"]);
        assert!(table.contains("of 300 enterprises"), "{table}");
    }
}

#[test]
fn workbooks_work_wherever_csv_does() {
    for ws in Workspace::each_backend() {
        ws.hatchery()
            .arg("import")
            .arg(good_dataset(&ws))
            .assert()
            .success();
        let book = ws.path("store.xlsx");
        ws.hatchery().arg("export").arg(&book).assert().success();
        let classified = ws.path("tiers.xlsx");
        ws.hatchery()
            .args([
                "classify",
                "--as-of",
                "2020-12-31",
                "--format",
                "xlsx",
                "--out",
            ])
            .arg(&classified)
            .assert()
            .success();
        assert!(fs::metadata(&classified).expect("workbook written").len() > 0);

        // The exported workbook imports into a fresh store with the same tiers.
        let other = ws.sibling();
        other.hatchery().arg("import").arg(&book).assert().success();
        let args = ["classify", "--as-of", "2020-12-31", "--format", "csv"];
        assert_eq!(ws.stdout(&args), other.stdout(&args));
    }
}
