//! Enterprises register themselves; their city or zone official activates
//! or rejects the registration; the registrant signs in only once activated.

use serde_json::{Value, json};

use crate::helpers::{Auth, PASSWORD, TestApp, dataset, enterprise};

/// A valid credit code registered in Shenzhen (4403), whose organisation
/// code starts with `body` (8 symbols).
pub fn uscc(body: &str) -> String {
    let organisation = hatchery_core::uscc::organisation_code(body).unwrap();
    hatchery_core::uscc::with_check_symbol(&format!("91440300{organisation}")).unwrap()
}

/// A complete registration.
pub fn registration(uscc: &str, region: &str, zone: Option<&str>, username: &str) -> Value {
    json!({
        "uscc": uscc,
        "name": "深圳未来科技有限公司",
        "region": region,
        "zone": zone,
        "founded": "2019-05",
        "contact_name": "张三",
        "contact_phone": "+86 755 1234 5678",
        "contact_email": "zhang@example.cn",
        "username": username,
        "password": PASSWORD,
        "truthful": true,
    })
}

async fn sign_in_reply(app: &TestApp, username: &str) -> crate::helpers::Reply {
    app.post(
        "/api/session",
        &Auth::None,
        json!({ "username": username, "password": PASSWORD }),
    )
    .await
}

#[tokio::test]
async fn a_registration_is_activated_by_its_city_and_binds_to_the_ledger_record() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let code = uscc("FUTURE01");
    // The ledger already holds the enterprise under its credit code.
    let mut row = enterprise("futr", "深圳未来科技", "2019-05-01", "440305", None);
    row["uscc"] = json!(code);
    app.import(dataset(vec![row], vec![])).await;
    let filed = app
        .post(
            "/api/registrations",
            &Auth::None,
            registration(&code, "440305", None, "future"),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(filed["state"], "pending");
    assert!(filed.get("password").is_none() && filed.get("password_hash").is_none());
    let id = filed["id"].as_i64().unwrap();

    // Before activation: the registrant is told it is pending, a wrong
    // password is just wrong.
    sign_in_reply(&app, "future")
        .await
        .expect_error(403, "registration_pending");
    app.post(
        "/api/session",
        &Auth::None,
        json!({ "username": "future", "password": "not the right one at all" }),
    )
    .await
    .expect_error(401, "unauthenticated");

    // The same credit code or username again: 409, naming the field.
    let again = app
        .post(
            "/api/registrations",
            &Auth::None,
            registration(&code, "440305", None, "future2"),
        )
        .await
        .expect(409)
        .json();
    assert_eq!(again["error"]["details"]["problems"][0]["field"], "uscc");
    let again = app
        .post(
            "/api/registrations",
            &Auth::None,
            registration(&uscc("FUTURE02"), "440305", None, "future"),
        )
        .await
        .expect(409)
        .json();
    assert_eq!(
        again["error"]["details"]["problems"][0]["field"],
        "username"
    );
    let taken = app
        .post(
            "/api/registrations",
            &Auth::None,
            registration(&uscc("FUTURE03"), "440305", None, "admin"),
        )
        .await
        .expect(409)
        .json();
    assert_eq!(
        taken["error"]["details"]["problems"][0]["field"],
        "username"
    );

    // Guangzhou's city official sees nothing and cannot act; Shenzhen's does.
    let guangzhou = app.user("gz.city", "city_reviewer", "440100").await;
    let shenzhen = app.user("sz.city", "city_reviewer", "440300").await;
    let province = app.user("gd.province", "province_reviewer", "440000").await;
    let listed = app
        .get("/api/registrations?state=pending", &guangzhou.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(listed["total"], 0);
    app.get(&format!("/api/registrations/{id}"), &guangzhou.auth())
        .await
        .expect(404);
    app.post(
        &format!("/api/registrations/{id}/activate"),
        &guangzhou.auth(),
        json!({ "version": 1 }),
    )
    .await
    .expect(404);
    app.get("/api/registrations", &province.auth())
        .await
        .expect(403);
    let listed = app
        .get("/api/registrations?state=pending", &shenzhen.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["uscc"], code);

    let activated = app
        .post(
            &format!("/api/registrations/{id}/activate"),
            &shenzhen.auth(),
            json!({ "version": 1 }),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(activated["registration"]["state"], "active");
    assert_eq!(activated["registration"]["enterprise"], "futr");
    assert_eq!(activated["account"]["role"], "enterprise");
    assert_eq!(activated["account"]["enterprise"], "futr");
    assert_eq!(activated["account"]["must_change_password"], false);
    // Acting twice: someone acted first.
    app.post(
        &format!("/api/registrations/{id}/reject"),
        &shenzhen.auth(),
        json!({ "version": 1, "reason": "late" }),
    )
    .await
    .expect_error(409, "version_conflict");

    // Now the registrant signs in and sees its own enterprise.
    let (cookie, _) = app.sign_in("future").await;
    let auth = Auth::Session { cookie, csrf: None };
    let own = app
        .get("/api/enterprises/futr", &auth)
        .await
        .expect(200)
        .json();
    assert_eq!(own["name"], "深圳未来科技");

    // Every step is in the audit log.
    let admin = app.admin.auth();
    let audit = app
        .get("/api/audit?limit=200", &admin)
        .await
        .expect(200)
        .json();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "registration.create",
        "registration.activate",
        "account.create",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn an_enterprise_the_ledger_lacks_is_created_and_a_rejection_gives_its_reason() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let (zone, _) = app.zone_of("440300").await;
    let zone_official = app
        .user("sz.zone", "zone_reviewer", &format!("zone:{zone}"))
        .await;
    let code = uscc("NEWCQ001");
    let id = app
        .post(
            "/api/registrations",
            &Auth::None,
            registration(&code, "440305", Some(&zone), "newco"),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let activated = app
        .post(
            &format!("/api/registrations/{id}/activate"),
            &zone_official.auth(),
            json!({ "version": 1 }),
        )
        .await
        .expect(200)
        .json();
    let enterprise = activated["registration"]["enterprise"].as_str().unwrap();
    assert_eq!(enterprise, code);
    let record = app
        .get(
            &format!("/api/enterprises/{enterprise}"),
            &zone_official.auth(),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(record["uscc"], code);
    app.sign_in("newco").await;

    // A rejection needs a reason, and its registrant is told it.
    let other = app
        .post(
            "/api/registrations",
            &Auth::None,
            registration(&uscc("NEWCQ002"), "440305", Some(&zone), "shaky"),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let refused = app
        .post(
            &format!("/api/registrations/{other}/reject"),
            &zone_official.auth(),
            json!({ "version": 1, "reason": "  " }),
        )
        .await
        .expect(422)
        .json();
    assert_eq!(
        refused["error"]["details"]["problems"][0]["field"],
        "reason"
    );
    app.post(
        &format!("/api/registrations/{other}/reject"),
        &zone_official.auth(),
        json!({ "version": 1, "reason": "营业执照与名称不符" }),
    )
    .await
    .expect(200);
    let told = sign_in_reply(&app, "shaky")
        .await
        .expect_error(403, "registration_rejected")
        .json();
    assert_eq!(told["error"]["details"]["reason"], "营业执照与名称不符");
}

#[tokio::test]
async fn every_problem_comes_back_with_its_field() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let reply = app
        .post(
            "/api/registrations",
            &Auth::None,
            json!({
                "uscc": "91440300MA5FUTURE0",
                "name": "",
                "region": "449999",
                "zone": "hz-nowhere",
                "founded": "2019-13",
                "contact_name": "张三",
                "contact_phone": "call me",
                "contact_email": "nobody",
                "username": "X",
                "password": "short",
                "truthful": false,
            }),
        )
        .await
        .expect(422)
        .json();
    let fields: Vec<&str> = reply["error"]["details"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    for field in [
        "uscc",
        "name",
        "region",
        "founded",
        "contact_phone",
        "contact_email",
        "zone",
        "username",
        "password",
        "truthful",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
}
