//! The same generated national dataset, imported into SQLite and into
//! PostgreSQL, gives byte-identical classifications, reports and exports.

mod support;

use std::fs;

use support::Workspace;

const DATES: [&str; 4] = ["2016-12-31", "2019-02-28", "2020-02-29", "2023-12-31"];

/// Every output a user takes away, by name.
fn outputs(ws: &Workspace) -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    for date in DATES {
        for rules in ["gei", "gei-2024", "shenzhen"] {
            for format in ["csv", "json"] {
                let out = ws.stdout(&[
                    "classify", "--as-of", date, "--rules", rules, "--format", format,
                ]);
                all.push((
                    format!("classify {date} {rules} {format}"),
                    out.into_bytes(),
                ));
            }
        }
    }
    let json = ws.path("report.json");
    let csv = ws.path("report-csv");
    for (format, out) in [("json", &json), ("csv", &csv)] {
        ws.hatchery()
            .args([
                "report",
                "--as-of",
                &DATES.join(","),
                "--format",
                format,
                "--out",
            ])
            .arg(out)
            .assert()
            .success();
    }
    all.push(("report json".to_owned(), fs::read(&json).unwrap()));
    // The CSV report is a folder of tables.
    let mut tables: Vec<_> = fs::read_dir(&csv)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    tables.sort();
    assert!(tables.len() >= 5, "{tables:?}");
    for table in tables {
        let name = table.file_name().unwrap().to_string_lossy().into_owned();
        all.push((format!("report csv {name}"), fs::read(&table).unwrap()));
    }
    let exported = ws.path("exported");
    ws.hatchery()
        .arg("export")
        .arg(&exported)
        .assert()
        .success();
    for file in ["enterprises.csv", "events.csv", "fx.csv", "financials.csv"] {
        all.push((
            format!("export {file}"),
            fs::read(exported.join(file)).unwrap(),
        ));
    }
    all
}

#[test]
fn sqlite_and_postgres_give_byte_identical_results() {
    let Some(postgres) = Workspace::postgres() else {
        return;
    };
    let sqlite = Workspace::sqlite();
    let dataset = sqlite.path("national");
    sqlite
        .hatchery()
        .args(["generate", "--enterprises", "3000", "--seed", "11", "--out"])
        .arg(&dataset)
        .assert()
        .success();
    for ws in [&sqlite, &postgres] {
        ws.hatchery().arg("import").arg(&dataset).assert().success();
    }
    let (left, right) = (outputs(&sqlite), outputs(&postgres));
    assert_eq!(left.len(), right.len());
    for ((name, a), (_, b)) in left.iter().zip(&right) {
        assert!(a.len() > 10, "{name} is not empty");
        assert!(a == b, "{name} differs between SQLite and PostgreSQL");
    }
}
