//! `hatchery targets progress` through the binary, on a generated dataset
//! imported into a store: its counts are those the library computes on the
//! same dataset read straight from the generator; a bad targets file is
//! refused with its file, line and field.

mod support;

use std::fs;

use hatchery_core::targets::TargetSet;
use hatchery_core::{Dataset, Ledger, RuleSet};
use hatchery_report::{FirstReached, target_progress};
use hatchery_synth::{GeneratorConfig, generate};
use jiff::civil::date;
use predicates::prelude::*;
use serde_json::Value;

use support::Workspace;

fn dataset() -> Dataset {
    let enterprises = generate(&GeneratorConfig::new(3_000, 7)).unwrap();
    let fx = enterprises.generator().fx_rates().to_vec();
    let mut data = Dataset {
        fx,
        ..Dataset::default()
    };
    for generated in enterprises {
        data.enterprises.push(generated.enterprise);
        data.events.extend(generated.events);
    }
    data
}

#[test]
fn progress_is_computed_from_the_store() {
    let ws = Workspace::sqlite();
    let out = ws.path("national");
    ws.hatchery()
        .args(["generate", "--enterprises", "3000", "--seed", "7", "--out"])
        .arg(&out)
        .assert()
        .success();
    ws.hatchery().arg("import").arg(&out).assert().success();

    let output = ws
        .hatchery()
        .args([
            "targets",
            "progress",
            "--as-of",
            "2025-06-30",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let set = TargetSet::builtin().unwrap();
    assert_eq!(rows.len(), set.targets.len(), "every shipped target");
    assert!(
        rows.iter()
            .all(|r| r["target"]["source"]["status"].is_string())
    );

    // The same numbers from the library on the generator's own rows.
    let ledger = Ledger::from_dataset(&dataset());
    let mut total = 0;
    for row in &rows {
        let target = set.get(row["target"]["id"].as_str().unwrap()).unwrap();
        let rules = RuleSet::builtin(&target.rules).unwrap();
        let reached = FirstReached::compute(&ledger, &rules);
        let expected =
            target_progress(&ledger, &rules, &reached, target, date(2025, 6, 30), 5).unwrap();
        assert_eq!(row["progress"]["count"], expected.count, "{}", target.id);
        let ids: Vec<&str> = row["progress"]["counted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        let wanted: Vec<&str> = expected.counted.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, wanted);
        assert_eq!(row["progress"]["status"], expected.status.key());
        total += expected.count;
    }
    assert!(total > 0, "the comparison means something: someone counts");

    // --scope keeps the targets within it: Shenyang's.
    let output = ws
        .hatchery()
        .args([
            "targets",
            "progress",
            "--as-of",
            "2025-06-30",
            "--scope",
            "2101",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r["target"]["jurisdiction"] == "210100"));

    // Text: one block per target with its status and its source.
    ws.hatchery()
        .args(["targets", "progress", "--as-of", "2025-06-30"])
        .assert()
        .success()
        .stdout(predicate::str::contains("shenyang-2025-total"))
        .stdout(predicate::str::contains("status "))
        .stdout(predicate::str::contains("counts: syn-"))
        .stdout(predicate::str::contains("source (verified)"));

    // A bad scope is a usage error.
    ws.hatchery()
        .args([
            "targets",
            "progress",
            "--as-of",
            "2025-06-30",
            "--scope",
            "shenyang",
        ])
        .assert()
        .code(2);

    // A targets file with a range the wrong way round: file, line, field.
    let file = ws.path("mine.toml");
    fs::write(
        &file,
        "[[target]]\nid = \"x\"\nversion = \"1\"\ntitle = \"t\"\ntitle_en = \"t\"\njurisdiction = \"210100\"\nrules = \"gei\"\ntiers = [\"unicorn\"]\ncounting = \"standing\"\nquantity = { min = 3, max = 2 }\nstart = \"2024-01-01\"\ndeadline = \"2025-12-31\"\n[target.source]\ntitle = \"s\"\nstatus = \"unverified\"\n",
    )
    .unwrap();
    ws.hatchery()
        .args(["targets", "progress", "--as-of", "2025-06-30", "--file"])
        .arg(&file)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "mine.toml:10: field `quantity.max`",
        ));
}

#[test]
fn the_demo_shows_shenyang_progress() {
    let ws = Workspace::sqlite();
    ws.hatchery()
        .args(["demo", "--no-serve"])
        .assert()
        .success();
    let output = ws
        .hatchery()
        .args([
            "targets",
            "progress",
            "--as-of",
            "2025-06-30",
            "--target",
            "shenyang-2025-total",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let progress = &rows[0]["progress"];
    let counted: Vec<&str> = progress["counted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        counted,
        ["demo-hunnan-atomic", "demo-shenbei-robotics"],
        "{progress:#}"
    );
    assert_eq!(progress["status"], "behind");
    assert_eq!(progress["candidates"][0]["id"], "demo-tiexi-equipment");
}
