//! One identity for a national zone everywhere: `import` stores a zone's
//! one id whatever spelling a row uses (and reports the values that name no
//! zone), the report counts one zone once, and `report --scope <zone id>`
//! gives that zone's counts.

mod support;

use std::path::PathBuf;

use predicates::prelude::*;
use serde_json::Value;

use support::Workspace;

/// Three spellings of the Shenzhen High-tech Industrial Park, one of
/// Zhongguancun, and a park no table knows.
const ENTERPRISES: &str = "id,name,founded,region,zone\n\
    a,甲,2018-01-01,440305,shenzhen-hitech\n\
    b,乙,2019-01-01,440305,深圳市高新技术产业园区\n\
    c,丙,2019-06-01,440305,深圳高新区\n\
    d,丁,2019-01-01,110108,中关村\n\
    e,戊,2019-01-01,110108,some-private-park\n";

/// Every one a unicorn by the end of 2023.
const EVENTS: &str = "enterprise,date,kind,round,amount,valuation,currency\n\
    a,2022-01-01,funding,B,100000000,1500000000,USD\n\
    b,2022-01-01,funding,B,100000000,2000000000,USD\n\
    c,2022-01-01,funding,B,100000000,1200000000,USD\n\
    d,2022-01-01,funding,B,100000000,1100000000,USD\n\
    e,2022-01-01,funding,B,100000000,1300000000,USD\n";

fn report_json(ws: &Workspace, extra: &[&str]) -> Value {
    let out = ws.path("report.json");
    ws.hatchery()
        .args(["report", "--as-of", "2023-12-31", "--format", "json"])
        .arg("--out")
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

/// `(key, total)` of the zone rows of the report's last snapshot.
fn zone_rows(report: &Value) -> Vec<(String, u64)> {
    let snapshot = report["snapshots"].as_array().unwrap().last().unwrap();
    snapshot["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["key"].as_str().unwrap().to_owned(),
                row["total"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn total(report: &Value) -> u64 {
    report["snapshots"].as_array().unwrap().last().unwrap()["total"]
        .as_u64()
        .unwrap()
}

#[test]
fn spellings_of_one_zone_count_as_one_zone_and_unknown_zones_are_reported() {
    for ws in Workspace::each_backend() {
        let data = ws.dataset(
            "data",
            &[("enterprises.csv", ENTERPRISES), ("events.csv", EVENTS)],
        );
        ws.hatchery()
            .arg("import")
            .arg(&data)
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "enterprises.csv:6:zone: 'some-private-park' is no known national zone",
            ))
            .stdout(predicate::str::contains(
                "1 value named no known national zone",
            ));

        let report = report_json(&ws, &[]);
        assert_eq!(
            zone_rows(&report),
            vec![
                ("hz-440300-1".to_owned(), 3),
                ("hz-110000-1".to_owned(), 1),
                ("some-private-park".to_owned(), 1),
            ],
            "{:?}",
            ws.backend()
        );
        let snapshot = report["snapshots"].as_array().unwrap().last().unwrap();
        assert_eq!(snapshot["zones"][0]["name"], "深圳市高新技术产业园区");

        // The zone's id, its name and an alias all scope the same report.
        for scope in [
            "hz-440300-1",
            "zone:hz-440300-1",
            "深圳高新区",
            "zone:shenzhen-hitech",
        ] {
            let scoped = report_json(&ws, &["--scope", scope]);
            assert_eq!(total(&scoped), 3, "--scope {scope}");
            assert_eq!(scoped["scope"]["code"], "hz-440300-1", "--scope {scope}");
        }

        // The export carries the one id.
        let out = ws.path("export");
        ws.hatchery().arg("export").arg(&out).assert().success();
        let exported = std::fs::read_to_string(out.join("enterprises.csv")).unwrap();
        assert_eq!(exported.matches("hz-440300-1").count(), 3, "{exported}");
        assert!(!exported.contains("深圳高新区"), "{exported}");
    }
}

fn demo_extras() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/demo/extras"))
}

#[test]
fn a_zone_scope_on_the_demo_gives_the_zone_its_counts() {
    let ws = Workspace::sqlite();
    ws.hatchery()
        .arg("import")
        .arg(demo_extras())
        .assert()
        .success();
    let report = report_json(&ws, &["--scope", "hz-440300-1"]);
    assert!(total(&report) > 0, "{}", report["snapshots"]);
    assert_eq!(report["scope"]["kind"], "zone");
    // Every demo zone cell resolved: the zones table shows ids only.
    let whole = report_json(&ws, &[]);
    let rows = zone_rows(&whole);
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|(key, _)| key.starts_with("hz-")),
        "{rows:?}"
    );
}
