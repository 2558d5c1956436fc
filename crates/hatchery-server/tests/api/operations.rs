//! The routes behind the web interface's operations pages: the tracking
//! report for the caller's jurisdiction in every format, two rule sets
//! compared on one day, and the audit log filtered.

use serde_json::json;

use crate::helpers::{TestApp, dataset, enterprise, event};

/// Shenzhen's alpha (US$600m, founded 2021: gei's potential unicorn,
/// Hurun's gazelle), Shenzhen's beta (US$1.5bn: a unicorn under both; in
/// Shenzhen's national high-tech zone) and Beijing's gamma (US$600m).
async fn seeded() -> Option<TestApp> {
    let app = TestApp::spawn().await?;
    let funding = |id: &str, valuation: &str| {
        event(
            id,
            "2023-01-10",
            "funding",
            json!({"amount": "20000000", "valuation": valuation, "currency": "USD"}),
        )
    };
    let (zone, _) = app.zone_of("440300").await;
    app.import(dataset(
        vec![
            enterprise("alpha", "深圳甲", "2021-06-01", "440305", None),
            enterprise("beta", "深圳乙", "2020-01-15", "440305", Some(&zone)),
            enterprise("gamma", "北京丙", "2021-06-01", "110108", None),
        ],
        vec![
            funding("alpha", "600000000"),
            funding("beta", "1500000000"),
            funding("gamma", "600000000"),
        ],
    ))
    .await;
    Some(app)
}

#[tokio::test]
async fn the_report_is_the_callers_jurisdictions_in_every_format() {
    let Some(app) = seeded().await else {
        return;
    };
    let city = app.user("sz.city", "city_reviewer", "440300").await;
    let path = "/api/reports/tracking?as_of=2024-12-31,2023-12-31&rules=gei";
    let report = app
        .get(&format!("{path}&format=json"), &city.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(report["scope"]["code"], "440300");
    assert_eq!(
        report["dates"],
        json!(["2023-12-31", "2024-12-31"]),
        "sorted"
    );
    assert_eq!(
        report["snapshots"][1]["total"], 2,
        "alpha and beta; Beijing's gamma is not Shenzhen's"
    );
    let national = app
        .get(&format!("{path}&format=json"), &app.admin.auth())
        .await
        .expect(200)
        .json();
    assert!(national["scope"].is_null());
    assert_eq!(national["snapshots"][1]["total"], 3);
    // The same report again (kept by the server) until an import changes
    // the ledger: then the new enterprise counts.
    let again = app
        .get(&format!("{path}&format=json"), &city.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(again, report);
    app.import(dataset(
        vec![enterprise("delta", "深圳丁", "2021-06-01", "440305", None)],
        vec![event(
            "delta",
            "2023-01-10",
            "funding",
            json!({"amount": "20000000", "valuation": "700000000", "currency": "USD"}),
        )],
    ))
    .await;
    let after = app
        .get(&format!("{path}&format=json"), &city.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(after["snapshots"][1]["total"], 3, "delta now counts");
    for (format, media, magic) in [
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &b"PK"[..],
        ),
        ("csv", "application/zip", &b"PK"[..]),
        ("html", "text/html; charset=utf-8", &b"<!DOCTYPE html>"[..]),
    ] {
        let reply = app
            .get(&format!("{path}&format={format}&lang=en"), &city.auth())
            .await
            .expect(200);
        assert_eq!(reply.headers["content-type"], media, "{format}");
        assert!(reply.bytes.starts_with(magic), "{format}");
        assert!(
            reply.headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment"),
            "{format}"
        );
    }
    app.get(&format!("{path}&format=pdf"), &city.auth())
        .await
        .expect_error(400, "invalid_query");
    let many: Vec<String> = (1..=13).map(|d| format!("2024-01-{d:02}")).collect();
    app.get(
        &format!("/api/reports/tracking?as_of={}", many.join(",")),
        &city.auth(),
    )
    .await
    .expect_error(400, "invalid_query");
    // A zone's reviewer: the enterprises carrying the zone.
    let (zone, _) = app.zone_of("440300").await;
    let reviewer = app
        .user("sz.zone", "zone_reviewer", &format!("zone:{zone}"))
        .await;
    let report = app
        .get(&format!("{path}&format=json"), &reviewer.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(report["scope"]["code"], zone.as_str());
    assert_eq!(report["snapshots"][1]["total"], 1, "beta only");
    let district = app.user("ns.city", "city_reviewer", "440305").await;
    app.get(path, &district.auth()).await.expect(403);
}

#[tokio::test]
async fn two_rule_sets_compared_within_the_jurisdiction() {
    let Some(app) = seeded().await else {
        return;
    };
    let city = app.user("sz.city", "city_reviewer", "440300").await;
    let found = app
        .get(
            "/api/rulesets/gei/comparison?with=hurun&as_of=2024-12-31",
            &city.auth(),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(found["compared"], 2, "{found}");
    assert_eq!(found["changed"], 1);
    assert_eq!(found["changes"][0]["enterprise"], "alpha");
    assert_eq!(found["changes"][0]["from"]["key"], "potential");
    assert_eq!(found["changes"][0]["to"]["key"], "gazelle");
    let national = app
        .get(
            "/api/rulesets/gei/comparison?with=hurun&as_of=2024-12-31",
            &app.admin.auth(),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(national["changed"], 2, "alpha and gamma: {national}");
    app.get("/api/rulesets/nope/comparison?with=hurun", &city.auth())
        .await
        .expect(404);
    app.get("/api/rulesets/gei/comparison?with=nope", &city.auth())
        .await
        .expect_error(400, "unknown_rule_set");
}

#[tokio::test]
async fn the_audit_log_filtered_by_action_and_account() {
    let Some(app) = seeded().await else {
        return;
    };
    app.user("sz.city", "city_reviewer", "440300").await;
    let all = app
        .get("/api/audit?limit=1000", &app.admin.auth())
        .await
        .expect(200)
        .json();
    let accounts = app
        .get("/api/audit?action=account.", &app.admin.auth())
        .await
        .expect(200)
        .json();
    let accounts = accounts.as_array().unwrap();
    assert!(!accounts.is_empty());
    assert!(
        accounts
            .iter()
            .all(|e| e["action"].as_str().unwrap().starts_with("account.")),
        "{accounts:?}"
    );
    let expected = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("account."))
        .count();
    assert_eq!(accounts.len(), expected);
    let nobody = app
        .get("/api/audit?actor=nobody", &app.admin.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(nobody, json!([]));
    app.get(
        &format!("/api/audit?action={}", "x".repeat(101)),
        &app.admin.auth(),
    )
    .await
    .expect_error(400, "invalid_query");
}

/// CB Insights' columns, as its published file has them.
const LIST_HEADER: &str = "Company,Valuation ($B),Date Joined,Country,City,Industry,Select Inverstors,Founded Year,Total Raised,Financial Stage,Investors Count,Deal Terms,Portfolio Exits";
const GOOD_ROWS: &str = "Pengcheng Robotics,$1.2 ,3/1/2021,China,Shenzhen,Hardware,\"Sequoia Capital China\",2019,$300M,None,3,2,None\nLianhua Bio,$2 ,5/1/2021,China,Guangzhou,Health,\"IDG Capital\",2018,$500M,None,4,2,None";
const BAD_ROW: &str =
    "Broken Co,$abc ,5/1/2021,China,Shenzhen,Hardware,\"X\",2018,$5M,None,1,1,None";

/// A multipart form with a list file and its fields.
fn list_form(file: &str, dry_run: &str) -> (String, Vec<u8>) {
    let boundary = "hatchery-test-boundary";
    let mut body = String::new();
    for (name, value) in [
        ("profile", "cbinsights-2022"),
        ("list_date", "2022-02-24"),
        ("dry_run", dry_run),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"unicorns.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
    ));
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

async fn upload(
    app: &TestApp,
    auth: &crate::helpers::Auth,
    file: &str,
    dry_run: &str,
) -> crate::helpers::Reply {
    let (content_type, body) = list_form(file, dry_run);
    let mut request = axum::http::Request::builder()
        .method("POST")
        .uri("/api/lists")
        .header("content-type", content_type);
    if let crate::helpers::Auth::Bearer(token) = auth {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    app.raw(request.body(axum::body::Body::from(body)).unwrap())
        .await
}

#[tokio::test]
async fn a_list_is_planned_then_imported_as_the_callers_and_a_refused_one_writes_nothing() {
    let Some(app) = seeded().await else {
        return;
    };
    let admin = app.admin.auth();
    let enterprises = || async {
        app.get("/api/enterprises?per_page=1", &app.admin.auth())
            .await
            .expect(200)
            .json()["total"]
            .clone()
    };
    let audit_length = || async {
        app.get("/api/audit?limit=1000", &app.admin.auth())
            .await
            .expect(200)
            .json()
            .as_array()
            .unwrap()
            .len()
    };
    let before = (enterprises().await, audit_length().await);

    // A dry run: what would happen, every rejected row with its line.
    let bad = format!("{LIST_HEADER}\n{GOOD_ROWS}\n{BAD_ROW}\n");
    let plan = upload(&app, &admin, &bad, "true").await.expect(200).json();
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["imported"], false);
    assert_eq!(plan["new"], 2, "{plan}");
    assert_eq!(plan["rejected"][0]["line"], 4, "{plan}");
    assert_eq!(plan["rejected"][0]["name"], "Broken Co");
    assert!(
        !plan["rejected"][0]["reasons"][0]
            .as_str()
            .unwrap()
            .is_empty()
    );

    // Imported with a rejected row: refused, and the store is as it was.
    upload(&app, &admin, &bad, "false")
        .await
        .expect_error(422, "rejected_rows");
    assert_eq!((enterprises().await, audit_length().await), before);

    // Only the ministry administrator imports.
    let city = app.user("sz.city", "city_reviewer", "440300").await;
    upload(&app, &city.auth(), &bad, "true").await.expect(403);
    let before = (enterprises().await, audit_length().await);

    // The good list imports, audited as the administrator's.
    let good = format!("{LIST_HEADER}\n{GOOD_ROWS}\n");
    let done = upload(&app, &admin, &good, "false")
        .await
        .expect(200)
        .json();
    assert_eq!(done["imported"], true, "{done}");
    assert_eq!(
        enterprises().await,
        json!(before.0.as_u64().unwrap() + 2),
        "two new enterprises"
    );
    let log = app
        .get("/api/audit?action=ledger.import", &admin)
        .await
        .expect(200)
        .json();
    let last = log.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["actor_name"], "admin", "{last}");
    assert!(
        last["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("upload unicorns.csv"),
        "{last}"
    );
    // The same list again: nothing new.
    let again = upload(&app, &admin, &good, "true").await.expect(200).json();
    assert_eq!(again["new"], 0);
    assert_eq!(again["unchanged"], 2, "{again}");
    // A file the reader cannot take.
    upload(&app, &admin, "Name,Other\nx,y\n", "true")
        .await
        .expect_error(422, "invalid_list");
}
