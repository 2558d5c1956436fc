//! The whole chain, as new users would walk it: accounts at the four
//! levels; an enterprise declares; the city returns it for revision; it
//! resubmits; the city approves; the province recommends; the ministry
//! reviews; public notice with an objection that is resolved; confirmation
//! into the pool. A year later a re-evaluation proposes a promotion and an
//! exit on listing, and the province confirms both.

use axum::body::Body;
use axum::http::{Request, header};
use serde_json::json;

use crate::helpers::{PDF, TestApp, dataset, enterprise, event};

#[tokio::test]
async fn a_declaration_goes_from_draft_to_the_pool_and_the_pool_moves_on() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let (zone_id, zone_name) = app.zone_of("440300").await;

    // The ledger: two young Shenzhen enterprises with potential-unicorn valuations.
    app.import(dataset(
        vec![
            enterprise("alpha", "深圳甲科技有限公司", "2021-06-01", "440305", Some(&zone_name)),
            enterprise("beta", "深圳乙智能有限公司", "2020-01-01", "440306", None),
        ],
        vec![
            event("alpha", "2022-01-10", "funding", json!({"round": "B", "amount": "20000000", "valuation": "300000000", "currency": "USD"})),
            event("beta", "2021-05-01", "funding", json!({"round": "C", "amount": "50000000", "valuation": "400000000", "currency": "USD"})),
        ],
    ))
    .await;

    // Accounts at the four levels, and the enterprises' own.
    let ministry = app.user("moe.reviewer", "ministry_reviewer", "CN").await;
    let province = app.user("gd.reviewer", "province_reviewer", "440000").await;
    let city = app.user("sz.reviewer", "city_reviewer", "440300").await;
    let zone = app
        .user("szhz.reviewer", "zone_reviewer", &format!("zone:{zone_id}"))
        .await;
    let alpha = app.enterprise_user("alpha.user", "alpha").await;
    let beta = app.enterprise_user("beta.user", "beta").await;
    let investor = app.user("vc.partner", "investor", "CN").await;
    let auditor = app.user("audit.office", "auditor", "CN").await;

    // The enterprise sees itself, with its tier and the reasons.
    let tier = app
        .get(
            "/api/enterprises/alpha/tier?as_of=2025-03-03",
            &alpha.auth(),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(tier["tier"], "potential");
    assert!(!tier["requirements"].as_array().unwrap().is_empty());
    app.get("/api/enterprises/beta", &alpha.auth())
        .await
        .expect_error(404, "not_found");

    // Alpha drafts a declaration and attaches evidence.
    let draft = app
        .post(
            "/api/declarations",
            &alpha.auth(),
            json!({ "enterprise": "alpha", "cycle": 2025, "tier": "potential", "summary": "工业AI平台" }),
        )
        .await
        .expect(201)
        .json();
    let id = draft["id"].as_i64().unwrap();
    assert_eq!(draft["state"], "draft");
    assert_eq!(draft["placement"]["zone"], zone_id.as_str());
    let upload = Request::post(format!(
        "/api/declarations/{id}/evidence?version={}&name=%E5%AE%A1%E8%AE%A1%E6%8A%A5%E5%91%8A.pdf",
        draft["version"]
    ))
    .header(header::AUTHORIZATION, format!("Bearer {}", alpha.token))
    .header(header::CONTENT_TYPE, "application/pdf")
    .body(Body::from(PDF))
    .unwrap();
    let evidence = app.raw(upload).await.expect(201).json();
    assert_eq!(evidence["name"], "审计报告.pdf");
    assert_eq!(evidence["sha256"].as_str().unwrap().len(), 64);

    // Submitting without a contact is refused; with one it goes to the city.
    app.act(id, &alpha, json!({ "action": "submit" }))
        .await
        .expect_error(422, "incomplete");
    let version = app.version(id, &alpha.auth()).await;
    app.patch(
        &format!("/api/declarations/{id}"),
        &alpha.auth(),
        json!({ "version": version, "contact_name": "张三", "contact_phone": "0755-12345678" }),
    )
    .await
    .expect(200);
    let submitted = app
        .act(id, &alpha, json!({ "action": "submit" }))
        .await
        .expect(200)
        .json();
    assert_eq!(submitted["state"], "submitted");
    assert_eq!(
        submitted["precheck"]["tier"], "potential",
        "the engine's pre-check is attached"
    );

    // The city returns it for revision; the enterprise revises and resubmits.
    app.act(
        id,
        &city,
        json!({ "action": "return", "reason": "请补充2024年审计报告" }),
    )
    .await
    .expect(200);
    let version = app.version(id, &alpha.auth()).await;
    app.patch(
        &format!("/api/declarations/{id}"),
        &alpha.auth(),
        json!({ "version": version, "summary": "工业AI平台；已补充2024年审计报告" }),
    )
    .await
    .expect(200);
    app.act(id, &alpha, json!({ "action": "submit" }))
        .await
        .expect(200);

    // The zone's reviewer sees it too; the city approves; the province recommends.
    app.get(&format!("/api/declarations/{id}"), &zone.auth())
        .await
        .expect(200);
    app.act(
        id,
        &city,
        json!({ "action": "approve", "reason": "材料齐全" }),
    )
    .await
    .expect(200);
    app.act(id, &province, json!({ "action": "recommend" }))
        .await
        .expect(200);

    // The ministry's review passes: the public notice opens for five working days.
    let noticed = app
        .act(id, &ministry, json!({ "action": "accept" }))
        .await
        .expect(200)
        .json();
    assert_eq!(noticed["state"], "public_notice");
    assert_eq!(noticed["notice_first"], "2025-03-04");
    assert_eq!(noticed["notice_last"], "2025-03-10");

    // The public sees the notice; an investor objects during it.
    app.set_time("2025-03-05T02:00:00Z");
    let notices = app
        .get("/api/notices", &investor.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(notices["total"], 1);
    assert_eq!(notices["items"][0]["enterprise_name"], "深圳甲科技有限公司");
    let version = notices["items"][0]["version"].clone();
    app.post(
        &format!("/api/notices/{id}/objections"),
        &alpha.auth(),
        json!({ "version": version, "reason": "我们自己" }),
    )
    .await
    .expect_error(403, "forbidden");
    app.post(
        &format!("/api/notices/{id}/objections"),
        &investor.auth(),
        json!({ "version": version, "reason": "估值数据来源不明" }),
    )
    .await
    .expect(201);

    // After the notice, confirmation waits for the objection to be resolved.
    app.set_time("2025-03-11T02:00:00Z");
    app.act(id, &ministry, json!({ "action": "confirm" }))
        .await
        .expect_error(409, "open_objections");
    let detail = app
        .get(&format!("/api/declarations/{id}"), &ministry.auth())
        .await
        .expect(200)
        .json();
    let objection = detail["objections"][0]["id"].as_i64().unwrap();
    app.act(
        id,
        &ministry,
        json!({ "action": "resolve_objection", "objection": objection, "upheld": false, "reason": "估值来自B轮融资协议，已核实" }),
    )
    .await
    .expect(200);
    let confirmed = app
        .act(
            id,
            &ministry,
            json!({ "action": "confirm", "reason": "公示无异议" }),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(confirmed["state"], "confirmed");

    // Every step named its actor, time and reason.
    let detail = app
        .get(&format!("/api/declarations/{id}"), &alpha.auth())
        .await
        .expect(200)
        .json();
    let steps: Vec<(String, String)> = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["action"].as_str().unwrap().to_owned(),
                // The enterprise is not told who objected (nor who resolved it).
                s["actor_name"].as_str().unwrap_or("(hidden)").to_owned(),
            )
        })
        .collect();
    let actions: Vec<&str> = steps.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "create",
            "edit",
            "submit",
            "return",
            "edit",
            "submit",
            "approve",
            "recommend",
            "accept",
            "object",
            "resolve_objection",
            "confirm"
        ]
    );
    assert_eq!(steps[3].1, "sz.reviewer");
    assert_eq!(steps[9].1, "(hidden)");
    assert!(detail["objections"][0]["lodged_by"].is_null());
    assert_eq!(detail["steps"][3]["reason"], "请补充2024年审计报告");
    assert_eq!(detail["objections"][0]["upheld"], false);

    // The pool: the national view, the province's view, and nobody else's.
    let pool = app
        .get("/api/pool", &ministry.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(pool["total"], 1);
    let member = &pool["items"][0];
    assert_eq!(member["tier"], "potential");
    assert_eq!(member["valid_from"], "2025-03-11");
    assert_eq!(member["valid_until"], "2028-03-11");
    let province_view = app
        .get("/api/pool?province=440000", &province.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(province_view["total"], 1);
    let beijing = app.user("bj.reviewer", "province_reviewer", "110000").await;
    assert_eq!(
        app.get("/api/pool", &beijing.auth())
            .await
            .expect(200)
            .json()["total"],
        0
    );
    app.get(&format!("/api/pool/{}", member["id"]), &beijing.auth())
        .await
        .expect_error(404, "not_found");

    // Beta goes the short way.
    let beta_id = app
        .post("/api/declarations", &beta.auth(), json!({ "enterprise": "beta", "cycle": 2025, "tier": "potential", "summary": "机器人", "contact_name": "李四" }))
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    app.act(beta_id, &beta, json!({ "action": "submit" }))
        .await
        .expect(200);
    app.act(beta_id, &city, json!({ "action": "approve" }))
        .await
        .expect(200);
    app.act(beta_id, &province, json!({ "action": "recommend" }))
        .await
        .expect(200);
    app.act(beta_id, &ministry, json!({ "action": "accept" }))
        .await
        .expect(200);
    app.set_time("2025-03-19T02:00:00Z");
    app.act(beta_id, &ministry, json!({ "action": "confirm" }))
        .await
        .expect(200);
    assert_eq!(
        app.get("/api/pool", &ministry.auth())
            .await
            .expect(200)
            .json()["total"],
        2
    );

    // A year on: alpha is valued at US$1.5bn, beta listed on the SSE.
    app.import(dataset(
        vec![],
        vec![
            event(
                "alpha",
                "2026-02-01",
                "valuation",
                json!({"valuation": "1500000000", "currency": "USD"}),
            ),
            event("beta", "2026-01-15", "listing", json!({"exchange": "SSE"})),
        ],
    ))
    .await;
    app.set_time("2026-03-12T02:00:00Z");
    let report = app
        .post(
            "/api/pool/reevaluations",
            &ministry.auth(),
            json!({ "as_of": "2026-03-12" }),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(report["members"], 2);
    assert_eq!(report["proposed"], json!({ "exit": 1, "promotion": 1 }));

    // The proposals go to the province, which confirms both.
    let proposals = app
        .get("/api/pool/proposals?status=pending", &province.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(proposals["total"], 2);
    for proposal in proposals["items"].as_array().unwrap() {
        match proposal["enterprise"].as_str().unwrap() {
            "alpha" => {
                assert_eq!(
                    proposal["proposal"],
                    json!({ "kind": "promotion", "from": "potential", "to": "unicorn" })
                );
                assert_eq!(proposal["decision"]["tier"], "unicorn");
            }
            "beta" => assert_eq!(
                proposal["proposal"],
                json!({ "kind": "exit", "cause": "listed" })
            ),
            other => panic!("unexpected proposal for {other}"),
        }
        app.post(
            &format!("/api/pool/proposals/{}/decision", proposal["id"]),
            &province.auth(),
            json!({ "version": proposal["version"], "accept": true, "reason": "同意" }),
        )
        .await
        .expect(200);
    }
    let active = app
        .get("/api/pool", &ministry.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(active["total"], 1);
    assert_eq!(active["items"][0]["enterprise"], "alpha");
    assert_eq!(active["items"][0]["tier"], "unicorn");
    let exited = app
        .get("/api/pool?status=exited", &ministry.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(exited["items"][0]["enterprise"], "beta");
    assert_eq!(exited["items"][0]["exit_cause"], "listed");

    // A second run proposes nothing new for members already decided.
    let again = app
        .post(
            "/api/pool/reevaluations",
            &ministry.auth(),
            json!({ "as_of": "2026-03-12" }),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(again["members"], 1);
    assert_eq!(again["unchanged"], 1);

    // And the whole story is in an intact audit chain.
    let verdict = app
        .get("/api/audit/verify", &auditor.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(verdict["ok"], true, "{verdict}");
    let log = app
        .get("/api/audit?limit=1000", &auditor.auth())
        .await
        .expect(200)
        .json();
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "account.create",
        "ledger.import",
        "declaration.submit",
        "declaration.confirm",
        "pool.reevaluate",
        "pool.proposal.accepted",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
}

#[tokio::test]
async fn a_province_recommends_within_its_quota() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    for id in ["q1", "q2"] {
        crate::helpers::shenzhen_enterprise(&app, id).await;
    }
    let city = app.user("sz.reviewer", "city_reviewer", "440300").await;
    let province = app.user("gd.reviewer", "province_reviewer", "440000").await;
    let mut ids = Vec::new();
    for id in ["q1", "q2"] {
        let declarant = app.enterprise_user(&format!("{id}.user"), id).await;
        let declaration = crate::helpers::submitted(&app, &declarant, id, 2025).await;
        app.act(declaration, &city, json!({ "action": "approve" }))
            .await
            .expect(200);
        ids.push(declaration);
    }
    let quota = app
        .send(
            axum::http::Method::PUT,
            "/api/quotas/2025/440000/potential",
            &app.admin.auth(),
            Some(json!({ "limit": 1 })),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        quota,
        json!({ "province": "440000", "cycle": 2025, "tier": "potential", "limit": 1, "used": 0 })
    );
    app.act(ids[0], &province, json!({ "action": "recommend" }))
        .await
        .expect(200);
    app.act(ids[1], &province, json!({ "action": "recommend" }))
        .await
        .expect_error(409, "quota_exhausted");
    let quotas = app
        .get("/api/quotas?cycle=2025", &province.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(quotas[0]["used"], 1);
}

#[tokio::test]
async fn an_upheld_objection_rejects_the_declaration() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    crate::helpers::shenzhen_enterprise(&app, "alpha").await;
    let declarant = app.enterprise_user("alpha.user", "alpha").await;
    let city = app.user("sz.reviewer", "city_reviewer", "440300").await;
    let province = app.user("gd.reviewer", "province_reviewer", "440000").await;
    let ministry = app.user("moe.reviewer", "ministry_reviewer", "CN").await;
    let rival = app.user("bj.investor", "investor", "110000").await;
    let id = crate::helpers::submitted(&app, &declarant, "alpha", 2025).await;
    for (who, action) in [
        (&city, "approve"),
        (&province, "recommend"),
        (&ministry, "accept"),
    ] {
        app.act(id, who, json!({ "action": action }))
            .await
            .expect(200);
    }
    app.set_time("2025-03-04T02:00:00Z");
    let notice = app
        .get("/api/notices", &rival.auth())
        .await
        .expect(200)
        .json();
    app.post(
        &format!("/api/notices/{id}/objections"),
        &rival.auth(),
        json!({ "version": notice["items"][0]["version"], "reason": "该企业已被收购" }),
    )
    .await
    .expect(201);
    let detail = app
        .get(&format!("/api/declarations/{id}"), &ministry.auth())
        .await
        .expect(200)
        .json();
    let objection = detail["objections"][0]["id"].as_i64().unwrap();
    let rejected = app
        .act(
            id,
            &ministry,
            json!({ "action": "resolve_objection", "objection": objection, "upheld": true, "reason": "经核实，异议成立" }),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(rejected["state"], "rejected");
    assert_eq!(
        app.get("/api/pool", &ministry.auth())
            .await
            .expect(200)
            .json()["total"],
        0
    );
    // Rejected, the enterprise may declare again for the same cycle.
    app.post(
        "/api/declarations",
        &declarant.auth(),
        json!({ "enterprise": "alpha", "cycle": 2025, "tier": "potential" }),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn a_notice_the_calendar_cannot_count_is_refused_and_names_the_year() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    crate::helpers::shenzhen_enterprise(&app, "alpha").await;
    let declarant = app.enterprise_user("alpha.user", "alpha").await;
    let city = app.user("sz.reviewer", "city_reviewer", "440300").await;
    let province = app.user("gd.reviewer", "province_reviewer", "440000").await;
    let ministry = app.user("moe.reviewer", "ministry_reviewer", "CN").await;
    let id = crate::helpers::submitted(&app, &declarant, "alpha", 2026).await;
    for (who, action) in [(&city, "approve"), (&province, "recommend")] {
        app.act(id, who, json!({ "action": action }))
            .await
            .expect(200);
    }
    // Five working days from Monday 28 December 2026 run into 2027, whose
    // holidays are not yet in the calendar: weekdays alone are not counted.
    app.set_time("2026-12-28T02:00:00Z");
    let refused = app
        .act(id, &ministry, json!({ "action": "accept" }))
        .await
        .expect_error(503, "calendar_missing")
        .json();
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2027"),
        "{refused}"
    );
    let detail = app
        .get(&format!("/api/declarations/{id}"), &ministry.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(detail["declaration"]["state"], "recommended");
}
