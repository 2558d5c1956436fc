//! What an operator meets when something is wrong, through the real binary:
//! which store `serve` opens, the exit code of every kind of failure, a
//! missing store refused by the commands that only read, accounts checked
//! against the ledger, and each cause said once.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command as Process, Stdio};

use assert_cmd::Command;
use assert_cmd::cargo::CommandCargoExt;
use predicates::prelude::*;
use support::Workspace;

const PASSWORD: &str = "correct horse battery staple";

const ENTERPRISES: &str = "\
id,name,founded,region,country
alpha,阿尔法科技,2015-03-01,440305,
";

const EVENTS: &str = "\
enterprise,date,kind,round,amount,valuation,currency,exchange,region
alpha,2018-07-01,funding,C,200000000,1200000000,USD,,
";

/// The binary with no store named: neither `--db` nor `HATCHERY_DB`.
fn bare(dir: &Path) -> Process {
    let mut command = Process::cargo_bin("hatchery").unwrap();
    command.env_remove("HATCHERY_DB").current_dir(dir);
    command
}

/// Runs `command` (a `serve`) until it says where it listens, then stops it.
fn serve_once(mut command: Process) {
    let mut child = command
        .env("HATCHERY_COOKIE_SECURE", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hatchery serve starts");
    let lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut said = Vec::new();
    for line in lines {
        let line = line.unwrap();
        if line.starts_with("hatchery serving on ") {
            break;
        }
        said.push(line);
    }
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(running, "serve stopped early: {said:?}");
}

#[test]
fn serve_takes_the_store_from_the_db_flag_then_the_environment_then_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let from_file = dir.path().join("from-file.db");
    let config = dir.path().join("hatchery.toml");
    std::fs::write(
        &config,
        format!("database_url = \"sqlite://{}\"\n", from_file.display()),
    )
    .unwrap();
    let default = dir.path().join("hatchery.db");

    // The file alone: its database_url, not the command line's default.
    serve_once(command_with_config(dir.path(), &config, None, None));
    assert!(from_file.exists(), "the file's database_url is used");
    assert!(!default.exists(), "the default store is not created");
    std::fs::remove_file(&from_file).unwrap();

    // --db wins over the file.
    let from_flag = dir.path().join("from-flag.db");
    serve_once(command_with_config(
        dir.path(),
        &config,
        Some(&from_flag),
        None,
    ));
    assert!(from_flag.exists(), "--db is used");
    assert!(!from_file.exists(), "the file's store is not touched");

    // HATCHERY_DB wins over the file too.
    let from_env = dir.path().join("from-env.db");
    serve_once(command_with_config(
        dir.path(),
        &config,
        None,
        Some(&from_env),
    ));
    assert!(from_env.exists(), "HATCHERY_DB is used");
    assert!(!from_file.exists(), "the file's store is not touched");
    assert!(!default.exists());
}

/// `hatchery [--db FLAG] serve --listen 127.0.0.1:0 --config CONFIG`, with
/// `HATCHERY_DB=ENV` if given.
fn command_with_config(
    dir: &Path,
    config: &Path,
    flag: Option<&Path>,
    env: Option<&Path>,
) -> Process {
    let mut command = bare(dir);
    if let Some(path) = flag {
        command
            .arg("--db")
            .arg(format!("sqlite://{}", path.display()));
    }
    if let Some(path) = env {
        command.env("HATCHERY_DB", format!("sqlite://{}", path.display()));
    }
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(config);
    command
}

#[test]
fn commands_that_read_refuse_a_store_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo.db");
    let db = format!("sqlite://{}", missing.display());
    let out = dir.path().join("out");
    let reads: [&[&str]; 6] = [
        &["classify", "--as-of", "2023-12-31"],
        &["explain", "alpha", "--as-of", "2023-12-31"],
        &["export", out.to_str().unwrap()],
        &[
            "report",
            "--as-of",
            "2023-12-31",
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ],
        &["audit", "verify"],
        &["pool", "reevaluate", "--as-of", "2023-12-31"],
    ];
    for args in reads {
        Command::from_std(bare(dir.path()))
            .arg("--db")
            .arg(&db)
            .args(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "no store at {}; import into it first",
                missing.display()
            )));
        assert!(!missing.exists(), "{args:?} created the store");
    }
}

#[test]
fn failures_exit_1_and_wrong_command_lines_exit_2() {
    let ws = Workspace::sqlite();
    let fail = |args: &[&str], db: &str, said: &str| {
        Command::from_std(bare(ws.dir()))
            .arg("--db")
            .arg(db)
            .args(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(said));
    };
    // An unsupported URL, for a command that reads and one that writes.
    for args in [
        &["classify", "--as-of", "2023-12-31"][..],
        &["import", "."][..],
        &["migrate"][..],
    ] {
        fail(args, "mysql://db/h", "unsupported database URL");
    }
    // A database that cannot be opened: a folder that does not exist.
    let unreachable = format!("sqlite://{}", ws.path("no/such/folder/h.db").display());
    fail(&["migrate"], &unreachable, "opening the database");
    fail(&["import", "."], &unreachable, "opening the database");

    // A rule set file that is missing is a failure, and says so…
    ws.hatchery().arg("migrate").assert().success();
    ws.hatchery()
        .args([
            "classify",
            "--as-of",
            "2023-12-31",
            "--rules",
            "my/rules.toml",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "rule set file my/rules.toml does not exist",
        ));
    // …an unknown rule set name, or a date that is not a date, a wrong
    // command line.
    ws.hatchery()
        .args(["classify", "--as-of", "2023-12-31", "--rules", "no-such"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule set named 'no-such'"));
    ws.hatchery()
        .args([
            "report",
            "--as-of",
            "2023-13-01",
            "--format",
            "json",
            "--out",
            "x",
        ])
        .assert()
        .code(2);
}

/// An account made on the command line has a password its operator chose:
/// at first sign-in the server asks for a new one and refuses anything else
/// until it is changed (issue 20 §10), the first administrator included.
#[test]
fn an_account_made_on_the_command_line_changes_its_password_at_first_sign_in() {
    let ws = Workspace::sqlite();
    ws.hatchery()
        .env("HATCHERY_PASSWORD", support::server::INITIAL_PASSWORD)
        .args(["admin", "create-user", "--username", "admin"])
        .args(["--role", "ministry_admin"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "its owner changes the password at first sign-in",
        ));
    let server = support::server::Server::start(&ws);
    support::server::first_sign_in(&server, "admin");
    // Changed once: the account now works as any other.
    let token = support::server::token(&server, "admin");
    let (status, _) = support::server::call(&server, &token, "GET", "/api/accounts", None);
    assert_eq!(status, 200);
}

#[test]
fn accounts_fail_with_1_and_unknown_roles_with_2() {
    let ws = Workspace::sqlite();
    let dataset = ws.dataset(
        "data",
        &[("enterprises.csv", ENTERPRISES), ("events.csv", EVENTS)],
    );
    ws.hatchery().arg("import").arg(&dataset).assert().success();
    let create = |extra: &[&str]| {
        let mut command = ws.hatchery();
        command
            .env("HATCHERY_PASSWORD", PASSWORD)
            .args(["admin", "create-user"])
            .args(extra);
        command
    };
    create(&["--username", "admin", "--role", "ministry_admin"])
        .assert()
        .success()
        .stdout(predicate::str::contains("created account admin"));
    // Taken: rejected input, 1 — not a wrong command line.
    create(&["--username", "admin", "--role", "ministry_admin"])
        .assert()
        .code(1);
    // An enterprise that is not in the ledger.
    create(&[
        "--username",
        "ghost.user",
        "--role",
        "enterprise",
        "--enterprise",
        "no-such",
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("there is no enterprise no-such"));
    // One that is.
    create(&[
        "--username",
        "alpha.user",
        "--role",
        "enterprise",
        "--enterprise",
        "alpha",
        "--jurisdiction",
        "440305",
    ])
    .assert()
    .success();
    // A role the help offered once but the store never knew.
    create(&["--username", "someone", "--role", "enterprise_user"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("enterprise_user"));
    // A password piped on standard input (no terminal): read, not prompted.
    ws.hatchery()
        .env_remove("HATCHERY_PASSWORD")
        .args([
            "admin",
            "create-user",
            "--username",
            "piped",
            "--role",
            "auditor",
        ])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .success();
    ws.hatchery()
        .args(["admin", "create-user", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ministry_admin"))
        .stdout(predicate::str::contains("enterprise_user").not());
}

#[test]
fn an_os_reason_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let output = bare(dir.path())
        .args(["serve", "--config", "missing.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("cannot read missing.toml"), "{stderr}");
    assert_eq!(stderr.matches("os error 2").count(), 1, "{stderr}");
}

#[test]
fn scopes_take_six_digit_codes_and_their_prefixes_alike() {
    let ws = Workspace::sqlite();
    let dataset = ws.dataset(
        "data",
        &[("enterprises.csv", ENTERPRISES), ("events.csv", EVENTS)],
    );
    ws.hatchery().arg("import").arg(&dataset).assert().success();
    let report = |scope: &str| {
        let out = ws.path(&format!("report-{scope}.json"));
        ws.hatchery()
            .args(["report", "--as-of", "2023-12-31", "--format", "json"])
            .args(["--scope", scope, "--out"])
            .arg(&out)
            .assert()
            .success();
        std::fs::read_to_string(out).unwrap()
    };
    assert_eq!(report("440000"), report("44"));
    assert_eq!(report("440300"), report("4403"));
}

#[test]
fn a_reevaluation_more_than_a_year_ahead_is_refused_with_1() {
    let ws = Workspace::sqlite();
    ws.hatchery().arg("migrate").assert().success();
    // The same rule as the API's, from the same place (`hatchery-app`).
    ws.hatchery()
        .args(["pool", "reevaluate", "--as-of", "9999-12-31"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "as of 9999-12-31 is more than a year after today",
        ));
    // A day in range runs.
    ws.hatchery()
        .args(["pool", "reevaluate", "--as-of", "2023-12-31"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"members\": 0"));
}
