//! `report` on input it cannot honour: an unknown scope is a wrong command
//! line (exit 2) naming the known ones nearest to it, and a repeated date
//! is reported once, with a note.

mod support;

use predicates::prelude::*;

use support::Workspace;

const ENTERPRISES: &str = "id,name,founded,region,zone\n\
    a,甲,2018-01-01,440305,shenzhen-hitech\n\
    b,乙,2019-01-01,110108,zgc\n";

fn workspace() -> Workspace {
    let ws = Workspace::sqlite();
    let data = ws.dataset("data", &[("enterprises.csv", ENTERPRISES)]);
    ws.hatchery().arg("import").arg(&data).assert().success();
    ws
}

fn report(ws: &Workspace, extra: &[&str]) -> assert_cmd::assert::Assert {
    ws.hatchery()
        .args(["report", "--as-of", "2023-12-31", "--format", "json"])
        .arg("--out")
        .arg(ws.path("r.json"))
        .args(extra)
        .assert()
}

#[test]
fn an_unknown_scope_exits_2_and_names_the_nearest_known_ones() {
    let ws = workspace();
    report(&ws, &["--scope", "99"])
        .code(2)
        .stderr(predicate::str::contains("990000"))
        .stderr(predicate::str::contains("820000 澳门特别行政区"));
    report(&ws, &["--scope", "4499"])
        .code(2)
        .stderr(predicate::str::contains("445300 云浮市"));
    report(&ws, &["--scope", "zone:shenzen-hitech"])
        .code(2)
        .stderr(predicate::str::contains(
            "hz-440300-1 (深圳市高新技术产业园区)",
        ));
    assert!(!ws.path("r.json").exists(), "no report is written");
    // A zone the catalog names is a report even when no enterprise carries it.
    report(&ws, &["--scope", "zone:hefei-hitech"]).success();
    report(&ws, &["--scope", "44"]).success();
}

#[test]
fn a_repeated_date_is_reported_once_with_a_note() {
    let ws = workspace();
    ws.hatchery()
        .args([
            "report",
            "--as-of",
            "2023-12-31,2023-12-31",
            "--format",
            "json",
        ])
        .arg("--out")
        .arg(ws.path("r.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains("for 1 date(s)"))
        .stderr(predicate::str::contains(
            "2023-12-31 was given 2 times; the report has it once",
        ));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.path("r.json")).unwrap()).unwrap();
    assert_eq!(json["dates"], serde_json::json!(["2023-12-31"]));
}
