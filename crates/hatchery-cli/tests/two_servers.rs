//! Two `hatchery serve` processes on one PostgreSQL database act as one
//! system: accounts, tokens and declarations made through one are there
//! through the other, an import through one reaches the other's ledger, and
//! of two conflicting transitions sent to both at once exactly one wins.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::Workspace;
use support::server::{
    INITIAL_PASSWORD, PASSWORD, Server, call, first_sign_in, ok, sign_in, token,
};

/// The administrator creates an account; at its first sign-in its owner
/// replaces the administrator's password with [`PASSWORD`].
fn create_account(server: &Server, admin: &str, account: Value) {
    const INITIAL: &str = "given by the administrator";
    let mut account = account;
    account["password"] = json!(INITIAL);
    account["display_name"] = account["username"].clone();
    let username = account["username"].clone();
    ok(
        call(server, admin, "POST", "/api/accounts", Some(account)),
        201,
    );
    let (browser, csrf) = sign_in(server, &username, INITIAL);
    browser
        .post(server.url("/api/session/password"))
        .header("x-csrf-token", csrf)
        .json(&json!({ "current_password": INITIAL, "new_password": PASSWORD }))
        .send()
        .unwrap()
        .error_for_status()
        .unwrap();
}

fn enterprise(id: &str, founded: &str) -> Value {
    json!({ "id": id, "name": format!("{id} 有限公司"), "founded": founded, "region": "440305" })
}

fn funding(id: &str, date: &str, valuation: &str) -> Value {
    json!({ "enterprise": id, "date": date, "kind": "funding", "amount": "20000000",
            "valuation": valuation, "currency": "USD" })
}

#[test]
fn two_servers_on_one_database_act_as_one_system() {
    let Some(ws) = Workspace::postgres() else {
        return;
    };
    ws.hatchery().arg("migrate").assert().success();
    ws.hatchery()
        .env("HATCHERY_PASSWORD", INITIAL_PASSWORD)
        .args([
            "admin",
            "create-user",
            "--username",
            "admin",
            "--role",
            "ministry_admin",
        ])
        .assert()
        .success();
    let a = Server::start(&ws);
    let b = Server::start(&ws);
    // The operator chose the administrator's password: it changes first.
    first_sign_in(&a, "admin");

    // An account made through A signs in through B, and a token made
    // through B is accepted by A: sessions and tokens live in the database.
    let admin_a = token(&a, "admin");
    create_account(
        &a,
        &admin_a,
        json!({ "username": "sz.one", "role": "city_reviewer", "jurisdiction": "440300" }),
    );
    create_account(
        &a,
        &admin_a,
        json!({ "username": "sz.two", "role": "city_reviewer", "jurisdiction": "440300" }),
    );
    let admin_b = token(&b, "admin");
    let one = token(&b, "sz.one");
    let two = token(&a, "sz.two");
    ok(call(&a, &one, "GET", "/api/session", None), 200);

    // An import through A reaches B's ledger.
    let this_year = jiff::Zoned::now().year();
    let founded = format!("{}-06-01", this_year - 3);
    let funded = format!("{}-01-10", this_year - 1);
    ok(
        call(
            &a,
            &admin_a,
            "POST",
            "/api/imports",
            Some(json!({
                "enterprises": [enterprise("alpha", &founded)],
                "events": [funding("alpha", &funded, "300000000")],
            })),
        ),
        200,
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = call(&b, &admin_b, "GET", "/api/enterprises/alpha", None);
        if status == 200 {
            assert_eq!(body["id"], "alpha", "{body}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "B never saw A's import: {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    create_account(
        &b,
        &admin_b,
        json!({ "username": "alpha.user", "role": "enterprise", "enterprise": "alpha" }),
    );
    let declarant = token(&a, "alpha.user");

    // Several rounds, so that a lucky interleaving cannot pass for correctness.
    for cycle in (this_year - 4)..=this_year {
        let created = ok(
            call(
                &a,
                &declarant,
                "POST",
                "/api/declarations",
                Some(json!({
                    "enterprise": "alpha", "cycle": cycle, "tier": "potential",
                    "summary": "申报材料", "contact_name": "联系人",
                })),
            ),
            201,
        );
        let id = created["id"].as_i64().unwrap();
        let path = format!("/api/declarations/{id}/actions");
        ok(
            call(
                &b,
                &declarant,
                "POST",
                &path,
                Some(json!({ "action": "submit", "version": created["version"] })),
            ),
            200,
        );
        // Submitted through B, seen through A at once.
        let detail = ok(
            call(&a, &one, "GET", &format!("/api/declarations/{id}"), None),
            200,
        );
        assert_eq!(detail["declaration"]["state"], "submitted", "{detail}");
        let version = detail["declaration"]["version"].clone();

        let approve = |server: &Server, token: &str, reason: &str| {
            let body = json!({ "version": version, "action": "approve", "reason": reason });
            call(server, token, "POST", &path, Some(body))
        };
        let (first, second) = std::thread::scope(|scope| {
            let first = scope.spawn(|| approve(&a, &one, "一号审核"));
            let second = scope.spawn(|| approve(&b, &two, "二号审核"));
            (first.join().unwrap(), second.join().unwrap())
        });
        let mut statuses = [first.0, second.0];
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            [200, 409],
            "cycle {cycle}: {first:?} / {second:?}"
        );
        let loser = if first.0 == 409 { &first.1 } else { &second.1 };
        let code = loser["error"]["code"].as_str().unwrap_or_default();
        assert!(
            ["version_conflict", "invalid_transition"].contains(&code),
            "{loser}"
        );

        for server in [&a, &b] {
            let detail = ok(
                call(
                    server,
                    &one,
                    "GET",
                    &format!("/api/declarations/{id}"),
                    None,
                ),
                200,
            );
            assert_eq!(detail["declaration"]["state"], "locally_approved");
            let approvals = detail["steps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|step| step["action"] == "approve")
                .count();
            assert_eq!(approvals, 1, "the loser's step was not written");
        }
    }

    // Both servers wrote to one audit chain, and it holds.
    ws.hatchery().args(["audit", "verify"]).assert().success();
}
