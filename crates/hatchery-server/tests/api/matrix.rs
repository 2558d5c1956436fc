//! The authorization matrix: every endpoint × every role × an account in the
//! jurisdiction of the thing asked about ("own") and one elsewhere ("other").
//! Each cell states the exact answer: the operation's own status when the
//! account may do it (a harmless variant of the request is sent, e.g. with
//! a stale version, so allowed writes change nothing), 403 when the role may
//! never do it, 404 when the thing is outside the account's jurisdiction.

use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::{Value, json};

use crate::helpers::{PDF, TestApp, User, dataset, enterprise, event};

const ROLES: [&str; 9] = [
    "ministry_admin",
    "ministry_reviewer",
    "province_reviewer",
    "city_reviewer",
    "zone_reviewer",
    "enterprise",
    "investor",
    "analyst",
    "auditor",
];

/// Who asks: a role, and whether the account's jurisdiction holds the
/// Shenzhen enterprise `alpha` that every request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Who {
    role: &'static str,
    own: bool,
}

impl Who {
    fn is(&self, roles: &[&str]) -> bool {
        roles.contains(&self.role)
    }

    fn ministry(&self) -> bool {
        self.is(&["ministry_admin", "ministry_reviewer"])
    }

    /// 200-class `yes` when the thing is in scope, else 404.
    fn scoped(&self, yes: u16) -> u16 {
        if self.ministry() || self.own {
            yes
        } else {
            404
        }
    }
}

type Policy = Box<dyn Fn(Who) -> u16>;

struct Cell {
    label: &'static str,
    method: Method,
    path: String,
    body: Option<Vec<u8>>,
    content_type: &'static str,
    policy: Policy,
}

fn cell(
    label: &'static str,
    method: Method,
    path: String,
    body: Option<Value>,
    policy: impl Fn(Who) -> u16 + 'static,
) -> Cell {
    Cell {
        label,
        method,
        path,
        body: body.map(|b| b.to_string().into_bytes()),
        content_type: "application/json",
        policy: Box::new(policy),
    }
}

fn only(roles: &'static [&'static str], yes: u16) -> impl Fn(Who) -> u16 {
    move |who: Who| if who.is(roles) { yes } else { 403 }
}

/// The city and zone officials check registrations in their own
/// jurisdiction (`yes`), see none elsewhere (404); no one else may (403).
fn checks_registrations(yes: u16) -> impl Fn(Who) -> u16 {
    move |who: Who| match (who.is(&["city_reviewer", "zone_reviewer"]), who.own) {
        (true, true) => yes,
        (true, false) => 404,
        _ => 403,
    }
}

struct World {
    app: TestApp,
    accounts: Vec<(Who, User)>,
    own_zone: String,
    city_own: i64,
    declaration: i64,
    evidence: i64,
    notice: i64,
    member: i64,
    proposal: i64,
    registration: i64,
    request: i64,
    steward: i64,
    contact: i64,
    provider: i64,
    menu: i64,
    policy: i64,
    policy_match: i64,
}

async fn world() -> Option<World> {
    let app = TestApp::spawn().await?;
    let (own_zone, own_zone_name) = app.zone_of("440300").await;
    let (other_zone, _) = app.zone_of("440100").await;
    app.import(dataset(
        vec![
            enterprise(
                "alpha",
                "深圳甲",
                "2021-06-01",
                "440305",
                Some(&own_zone_name),
            ),
            enterprise("gamma", "北京丙", "2021-06-01", "110108", None),
        ],
        vec![
            event(
                "alpha",
                "2022-01-10",
                "funding",
                json!({"amount": "20000000", "valuation": "300000000", "currency": "USD"}),
            ),
            event(
                "gamma",
                "2022-01-10",
                "funding",
                json!({"amount": "20000000", "valuation": "300000000", "currency": "USD"}),
            ),
        ],
    ))
    .await;
    let mut accounts = Vec::new();
    let jurisdictions = |role: &str| -> (String, String) {
        match role {
            "ministry_admin" | "ministry_reviewer" => ("CN".into(), "CN".into()),
            "city_reviewer" => ("440300".into(), "440100".into()),
            "zone_reviewer" => (format!("zone:{own_zone}"), format!("zone:{other_zone}")),
            _ => ("440000".into(), "110000".into()),
        }
    };
    for role in ROLES {
        for own in [true, false] {
            let who = Who { role, own };
            let name = format!(
                "{}.{}",
                role.replace('_', "-"),
                if own { "own" } else { "other" }
            );
            let user = match role {
                "ministry_admin" if own => app.admin.clone(),
                "enterprise" => {
                    app.enterprise_user(&name, if own { "alpha" } else { "gamma" })
                        .await
                }
                _ => {
                    let (mine, theirs) = jurisdictions(role);
                    app.user(&name, role, if own { &mine } else { &theirs })
                        .await
                }
            };
            accounts.push((who, user));
        }
    }
    let by = |role: &str| {
        accounts
            .iter()
            .find(|(w, _)| w.role == role && w.own)
            .unwrap()
            .1
            .clone()
    };
    let (declarant, city, province, ministry) = (
        by("enterprise"),
        by("city_reviewer"),
        by("province_reviewer"),
        by("ministry_reviewer"),
    );
    let city_own = city.id;

    // A pending registration of an enterprise in Shenzhen, in the own zone.
    let registration = app
        .post(
            "/api/registrations",
            &crate::helpers::Auth::None,
            crate::registrations::registration(
                &crate::registrations::uscc("MATRX001"),
                "440305",
                Some(&own_zone),
                "matrix-registrant",
            ),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();

    // A member of the pool (cycle 2023) with a pending proposal.
    let member_declaration = crate::helpers::submitted(&app, &declarant, "alpha", 2023).await;
    for (who, action) in [
        (&city, "approve"),
        (&province, "recommend"),
        (&ministry, "accept"),
    ] {
        app.act(member_declaration, who, json!({ "action": action }))
            .await
            .expect(200);
    }
    app.set_time("2025-03-11T02:00:00Z");
    app.act(
        member_declaration,
        &ministry,
        json!({ "action": "confirm" }),
    )
    .await
    .expect(200);
    let member = app
        .get("/api/pool", &ministry.auth())
        .await
        .expect(200)
        .json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    // Re-evaluated when the membership has run out (at most a year ahead
    // of the clock), then back to the present.
    app.set_time("2030-12-31T02:00:00Z");
    app.post(
        "/api/pool/reevaluations",
        &ministry.auth(),
        json!({ "as_of": "2031-01-01" }),
    )
    .await
    .expect(200);
    app.set_time("2025-03-11T02:00:00Z");
    let proposal = app
        .get("/api/pool/proposals", &ministry.auth())
        .await
        .expect(200)
        .json()["items"][0]["id"]
        .as_i64()
        .unwrap();

    // A declaration under public notice (cycle 2024).
    let notice = crate::helpers::submitted(&app, &declarant, "alpha", 2024).await;
    for (who, action) in [
        (&city, "approve"),
        (&province, "recommend"),
        (&ministry, "accept"),
    ] {
        app.act(notice, who, json!({ "action": action }))
            .await
            .expect(200);
    }

    // A submitted declaration with evidence (cycle 2025).
    let draft = app
        .post(
            "/api/declarations",
            &declarant.auth(),
            json!({ "enterprise": "alpha", "cycle": 2025, "tier": "potential", "summary": "s", "contact_name": "c" }),
        )
        .await
        .expect(201)
        .json();
    let declaration = draft["id"].as_i64().unwrap();
    let upload = Request::post(format!(
        "/api/declarations/{declaration}/evidence?version={}&name=a.pdf",
        draft["version"]
    ))
    .header(header::AUTHORIZATION, format!("Bearer {}", declarant.token))
    .header(header::CONTENT_TYPE, "application/pdf")
    .body(Body::from(PDF))
    .unwrap();
    let evidence = app.raw(upload).await.expect(201).json()["id"]
        .as_i64()
        .unwrap();
    app.act(declaration, &declarant, json!({ "action": "submit" }))
        .await
        .expect(200);

    // A request (诉求) the enterprise filed, awaiting the city's acceptance.
    let request = app
        .post(
            "/api/requests",
            &declarant.auth(),
            json!({ "enterprise": "alpha", "class": "general", "title": "t", "body": "b" }),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();

    // A government steward of the pool member, assigned by the city.
    let steward = app
        .post(
            "/api/enterprises/alpha/stewards",
            &city.auth(),
            json!({ "role": "government", "department": "市工信局", "name": "王敏", "phone": "13800138000", "starts_on": "2025-03-01" }),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();

    // A contact with alpha, recorded by the city.
    let contact = app
        .post(
            "/api/enterprises/alpha/contacts",
            &city.auth(),
            json!({ "steward": steward, "contacted_on": "2025-03-03", "channel": "visit", "topics": "融资需求" }),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();

    // A provider and a draft menu of Shenzhen, registered by the city.
    let provider = app
        .post(
            "/api/providers",
            &city.auth(),
            json!({ "name": "深圳市中小企业服务中心", "kind": "public_institution", "contact": "0755-1" }),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let menu = app
        .post(
            "/api/menus",
            &city.auth(),
            json!({ "title": "深圳 服务菜单", "label": "1.0" }),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();

    // A policy of Shenzhen for enterprises registered there, published by
    // the city: publishing matches alpha.
    let policy = app
        .post(
            "/api/policies",
            &city.auth(),
            json!({
                "issuer": "深圳市工业和信息化局", "document_number": "深工信〔2025〕1号",
                "title": "研发投入奖补", "published_on": "2025-02-20",
                "valid_from": "2025-03-01", "valid_until": "2027-12-31",
            }),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    app.post(
        &format!("/api/policies/{policy}/items"),
        &city.auth(),
        json!({
            "version": 1, "title": "研发投入奖补", "class": "award",
            "amount": { "kind": "capped", "cap": "500000", "rule": "研发投入的 10%" },
            "mode": "fast_application",
            "eligibility": "key = \"sz-rd\"\nversion = \"1\"\ntitle = \"研发\"\ntitle_en = \"R&D\"\n\n[[tiers]]\nkey = \"eligible\"\nname = \"符合\"\nname_en = \"Eligible\"\nwhen = [ { region_prefix = [\"4403\"] } ]\n",
        }),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/policies/{policy}/publish"),
        &city.auth(),
        json!({ "version": 2 }),
    )
    .await
    .expect(200);
    let policy_match = app
        .get("/api/policy-matches", &city.auth())
        .await
        .expect(200)
        .json()["items"][0]["id"]
        .as_i64()
        .expect("alpha is matched");

    Some(World {
        app,
        accounts,
        own_zone,
        city_own,
        declaration,
        evidence,
        notice,
        member,
        proposal,
        registration,
        request,
        steward,
        contact,
        provider,
        menu,
        policy,
        policy_match,
    })
}

fn cells(w: &World) -> Vec<Cell> {
    use Method as M;
    let d = w.declaration;
    let everyone = |status: u16| move |_: Who| status;
    let reads_declarations = |who: Who| {
        if who.is(&["investor", "analyst"]) {
            403
        } else {
            who.scoped(200)
        }
    };
    // Visible declaration, then the right to declare, then the stale version.
    let declares = |who: Who| {
        if who.is(&["investor", "analyst"]) || who.ministry() {
            403
        } else if !who.own {
            404
        } else if who.is(&["enterprise", "zone_reviewer"]) {
            409
        } else {
            403
        }
    };
    let reads_requests_anywhere = |who: Who| {
        if who.is(&["investor", "analyst"]) {
            403
        } else {
            200
        }
    };
    // Stewards: read by all but investors and analysts, in scope;
    // assigned, ended and contacts recorded by the officials in scope.
    let reads_stewards = |who: Who| {
        if who.is(&["investor", "analyst"]) {
            403
        } else {
            who.scoped(200)
        }
    };
    let manages_stewards = |yes: u16| {
        move |who: Who| {
            if !who.is(&[
                "city_reviewer",
                "zone_reviewer",
                "province_reviewer",
                "ministry_reviewer",
            ]) {
                403
            } else {
                who.scoped(yes)
            }
        }
    };
    // The catalogue: managed by the officials; Shenzhen's provider and
    // (draft) menu are within view of the city, the province and the
    // ministry; a zone in Shenzhen sees the city's provider and its
    // published menus, never a draft.
    const MANAGES_CATALOGUE: &[&str] = &[
        "city_reviewer",
        "zone_reviewer",
        "province_reviewer",
        "ministry_reviewer",
    ];
    let manages_shenzhen = |yes: u16| {
        move |who: Who| {
            if !who.is(MANAGES_CATALOGUE) {
                403
            } else if who.role == "zone_reviewer" {
                404
            } else {
                who.scoped(yes)
            }
        }
    };
    // Shenzhen's policy or provider: written by the officials of Shenzhen's
    // chain; a zone in Shenzhen sees it (it serves the zone's enterprises)
    // but may not write it.
    let writes_shenzhens = |yes: u16| {
        move |who: Who| match (who.role, who.own) {
            ("zone_reviewer", true) => 403,
            _ => manages_shenzhen(yes)(who),
        }
    };
    let reads_enterprises = |who: Who| {
        if who.role == "analyst" {
            403
        } else {
            who.scoped(200)
        }
    };
    const READS_PROPOSALS: [&str; 4] = [
        "ministry_admin",
        "ministry_reviewer",
        "province_reviewer",
        "auditor",
    ];
    let reads_proposals = READS_PROPOSALS;
    vec![
        cell("whoami", M::GET, "/api/session".into(), None, everyone(200)),
        cell(
            "list tokens",
            M::GET,
            "/api/tokens".into(),
            None,
            everyone(200),
        ),
        cell(
            "revoke someone's token",
            M::DELETE,
            "/api/tokens/1".into(),
            None,
            everyone(404),
        ),
        cell(
            "jurisdictions",
            M::GET,
            "/api/jurisdictions".into(),
            None,
            everyone(200),
        ),
        cell(
            "jurisdiction",
            M::GET,
            "/api/jurisdictions/440300".into(),
            None,
            everyone(200),
        ),
        cell("zones", M::GET, "/api/zones".into(), None, everyone(200)),
        cell(
            "zone",
            M::GET,
            format!("/api/zones/{}", w.own_zone),
            None,
            everyone(200),
        ),
        cell(
            "add zone",
            M::POST,
            "/api/zones".into(),
            Some(json!({ "id": "Bad Id", "name": "x", "kind": "high_tech", "city": "440300" })),
            only(&["ministry_admin"], 422),
        ),
        cell(
            "correct zone",
            M::PATCH,
            format!("/api/zones/{}", w.own_zone),
            Some(json!({ "version": 999 })),
            only(&["ministry_admin"], 409),
        ),
        cell(
            "rule sets",
            M::GET,
            "/api/rulesets".into(),
            None,
            everyone(200),
        ),
        cell(
            "rule set",
            M::GET,
            "/api/rulesets/gei".into(),
            None,
            everyone(200),
        ),
        cell(
            "add rule set",
            M::POST,
            "/api/rulesets".into(),
            Some(json!({ "source": "not toml" })),
            only(&["ministry_admin"], 422),
        ),
        cell(
            "accounts",
            M::GET,
            "/api/accounts".into(),
            None,
            only(&["ministry_admin", "auditor"], 200),
        ),
        cell(
            "account",
            M::GET,
            format!("/api/accounts/{}", w.city_own),
            None,
            |who: Who| match who.role {
                "ministry_admin" => 200,
                "auditor" => who.scoped(200),
                _ => 403,
            },
        ),
        cell(
            "create account",
            M::POST,
            "/api/accounts".into(),
            Some(
                json!({ "username": "X", "display_name": "x", "role": "analyst", "jurisdiction": "CN", "password": "long enough password" }),
            ),
            only(&["ministry_admin"], 422),
        ),
        cell(
            "change account",
            M::PATCH,
            format!("/api/accounts/{}", w.city_own),
            Some(json!({ "version": 999 })),
            only(&["ministry_admin"], 409),
        ),
        cell(
            "enterprises",
            M::GET,
            "/api/enterprises".into(),
            None,
            |who: Who| if who.role == "analyst" { 403 } else { 200 },
        ),
        cell(
            "enterprise",
            M::GET,
            "/api/enterprises/alpha".into(),
            None,
            reads_enterprises,
        ),
        cell(
            "tier",
            M::GET,
            "/api/enterprises/alpha/tier?as_of=2025-01-01".into(),
            None,
            reads_enterprises,
        ),
        cell(
            "timeline",
            M::GET,
            "/api/enterprises/alpha/timeline".into(),
            None,
            reads_enterprises,
        ),
        cell(
            "pool history",
            M::GET,
            "/api/enterprises/alpha/pool-history".into(),
            None,
            reads_enterprises,
        ),
        cell(
            "profile",
            M::GET,
            "/api/enterprises/alpha/profile".into(),
            None,
            reads_enterprises,
        ),
        // The right to correct (the enterprise and the officials), then the
        // enterprise's visibility, then the unknown field: nothing changes.
        cell(
            "correct profile",
            M::POST,
            "/api/enterprises/alpha/profile/corrections".into(),
            Some(json!({ "field": "favourite_colour", "value": "red" })),
            |who: Who| {
                if !who.is(&[
                    "enterprise",
                    "city_reviewer",
                    "zone_reviewer",
                    "province_reviewer",
                    "ministry_reviewer",
                ]) {
                    403
                } else {
                    who.scoped(422)
                }
            },
        ),
        cell(
            "audit trail",
            M::GET,
            "/api/enterprises/alpha/audit".into(),
            None,
            reads_enterprises,
        ),
        cell(
            "tier statistics",
            M::GET,
            "/api/statistics/tiers".into(),
            None,
            |who: Who| if who.role == "enterprise" { 403 } else { 200 },
        ),
        cell(
            "pool statistics",
            M::GET,
            "/api/statistics/pool".into(),
            None,
            |who: Who| if who.role == "enterprise" { 403 } else { 200 },
        ),
        cell(
            "import",
            M::POST,
            "/api/imports".into(),
            Some(json!({})),
            only(&["ministry_admin"], 422),
        ),
        cell(
            "declarations",
            M::GET,
            "/api/declarations".into(),
            None,
            |who: Who| {
                if who.is(&["investor", "analyst"]) {
                    403
                } else {
                    200
                }
            },
        ),
        cell(
            "declaration",
            M::GET,
            format!("/api/declarations/{d}"),
            None,
            reads_declarations,
        ),
        cell(
            "draft",
            M::POST,
            "/api/declarations".into(),
            Some(json!({ "enterprise": "alpha", "cycle": 1999, "tier": "potential" })),
            |who: Who| {
                if who.is(&["enterprise", "zone_reviewer"]) {
                    if who.own { 422 } else { 404 }
                } else {
                    403
                }
            },
        ),
        cell(
            "edit",
            M::PATCH,
            format!("/api/declarations/{d}"),
            Some(json!({ "version": 999 })),
            declares,
        ),
        cell(
            "approve",
            M::POST,
            format!("/api/declarations/{d}/actions"),
            Some(json!({ "version": 999, "action": "approve" })),
            |who: Who| {
                if who.is(&["investor", "analyst"]) || who.ministry() {
                    403
                } else if !who.own {
                    404
                } else if who.is(&["city_reviewer", "zone_reviewer"]) {
                    409
                } else {
                    403
                }
            },
        ),
        Cell {
            label: "upload evidence",
            method: M::POST,
            path: format!("/api/declarations/{d}/evidence?version=999&name=a.pdf"),
            body: Some(PDF.to_vec()),
            content_type: "application/pdf",
            policy: Box::new(declares),
        },
        cell(
            "download evidence",
            M::GET,
            format!("/api/declarations/{d}/evidence/{}", w.evidence),
            None,
            reads_declarations,
        ),
        cell(
            "notices",
            M::GET,
            "/api/notices".into(),
            None,
            everyone(200),
        ),
        cell(
            "object",
            M::POST,
            format!("/api/notices/{}/objections", w.notice),
            Some(json!({ "version": 999, "reason": "异议" })),
            |who: Who| {
                if who.is(&["analyst", "auditor"]) || (who.role == "enterprise" && who.own) {
                    403
                } else {
                    409
                }
            },
        ),
        cell(
            "objection attachment",
            M::GET,
            format!("/api/declarations/{d}/objections/1/attachment"),
            None,
            // Readers of the declaration learn only that there is no such
            // file (the notice's objections are not on this declaration).
            move |who: Who| match reads_declarations(who) {
                200 => 404,
                other => other,
            },
        ),
        cell(
            "public notices",
            M::GET,
            "/api/public/notices".into(),
            None,
            everyone(200),
        ),
        cell(
            "object publicly",
            M::POST,
            format!("/api/public/notices/{}/objections", w.notice),
            Some(json!({ "version": 999, "name": "李四", "contact": "lisi@example.cn",
                         "grounds": "异议", "truthful": true })),
            everyone(409),
        ),
        cell(
            "register",
            M::POST,
            "/api/registrations".into(),
            Some(json!({})),
            everyone(422),
        ),
        cell(
            "registrations",
            M::GET,
            "/api/registrations".into(),
            None,
            only(&["city_reviewer", "zone_reviewer"], 200),
        ),
        cell(
            "registration",
            M::GET,
            format!("/api/registrations/{}", w.registration),
            None,
            checks_registrations(200),
        ),
        cell(
            "activate registration",
            M::POST,
            format!("/api/registrations/{}/activate", w.registration),
            Some(json!({ "version": 999 })),
            checks_registrations(409),
        ),
        cell(
            "reject registration",
            M::POST,
            format!("/api/registrations/{}/reject", w.registration),
            Some(json!({ "version": 999, "reason": "核实不符" })),
            checks_registrations(409),
        ),
        cell(
            "quotas",
            M::GET,
            "/api/quotas?cycle=2025".into(),
            None,
            only(
                &["ministry_admin", "ministry_reviewer", "province_reviewer"],
                200,
            ),
        ),
        cell(
            "set quota",
            M::PUT,
            "/api/quotas/2025/440000/potential".into(),
            Some(json!({ "limit": 10 })),
            only(&["ministry_admin"], 200),
        ),
        cell("pool", M::GET, "/api/pool".into(), None, |who: Who| {
            if who.role == "analyst" { 403 } else { 200 }
        }),
        cell(
            "member",
            M::GET,
            format!("/api/pool/{}", w.member),
            None,
            reads_enterprises,
        ),
        cell(
            "re-evaluate",
            M::POST,
            "/api/pool/reevaluations".into(),
            Some(json!({ "as_of": "someday" })),
            only(&["ministry_admin", "ministry_reviewer"], 400),
        ),
        cell(
            "proposals",
            M::GET,
            "/api/pool/proposals".into(),
            None,
            only(&READS_PROPOSALS, 200),
        ),
        cell(
            "proposal",
            M::GET,
            format!("/api/pool/proposals/{}", w.proposal),
            None,
            move |who: Who| {
                if who.is(&reads_proposals) {
                    who.scoped(200)
                } else {
                    403
                }
            },
        ),
        cell(
            "decide proposal",
            M::POST,
            format!("/api/pool/proposals/{}/decision", w.proposal),
            Some(json!({ "version": 999, "accept": true })),
            move |who: Who| {
                if !who.is(&reads_proposals) || who.ministry() {
                    403
                } else if !who.own {
                    404
                } else if who.role == "province_reviewer" {
                    409
                } else {
                    403
                }
            },
        ),
        cell(
            "audit log",
            M::GET,
            "/api/audit".into(),
            None,
            only(&["ministry_admin", "auditor"], 200),
        ),
        cell(
            "verify audit",
            M::GET,
            "/api/audit/verify".into(),
            None,
            only(&["ministry_admin"], 200),
        ),
        cell(
            "audit log filtered",
            M::GET,
            "/api/audit?action=account.&actor=admin".into(),
            None,
            only(&["ministry_admin", "auditor"], 200),
        ),
        // The report covers the nation, a province, a city or a zone: an
        // enterprise has none here.
        cell(
            "tracking report",
            M::GET,
            "/api/reports/tracking?as_of=2024-12-31&format=json".into(),
            None,
            |who: Who| {
                if who.is(&["enterprise"]) {
                    403
                } else {
                    200
                }
            },
        ),
        // Targets: officials and the ministry; a target is seen by the
        // officials whose jurisdiction holds its own (Shenzhen's: the
        // province and the city, not a zone within the city).
        cell(
            "targets",
            M::GET,
            "/api/targets".into(),
            None,
            only(
                &[
                    "ministry_admin",
                    "ministry_reviewer",
                    "province_reviewer",
                    "city_reviewer",
                    "zone_reviewer",
                ],
                200,
            ),
        ),
        cell(
            "target progress",
            M::GET,
            "/api/targets/shenzhen-2027-unicorns/progress?as_of=2025-06-30".into(),
            None,
            |who: Who| {
                if who.ministry() {
                    200
                } else if who.is(&["province_reviewer", "city_reviewer"]) {
                    if who.own { 200 } else { 404 }
                } else if who.is(&["zone_reviewer"]) {
                    404
                } else {
                    403
                }
            },
        ),
        Cell {
            label: "list upload",
            method: M::POST,
            path: "/api/lists".into(),
            body: Some(
                b"--b\r\nContent-Disposition: form-data; name=\"profile\"\r\n\r\ncbinsights-2022\r\n--b\r\nContent-Disposition: form-data; name=\"list_date\"\r\n\r\n2022-02-24\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"l.csv\"\r\n\r\nName\r\nx\r\n--b--\r\n"
                    .to_vec(),
            ),
            content_type: "multipart/form-data; boundary=b",
            policy: Box::new(only(&["ministry_admin"], 422)),
        },
        cell(
            "requests",
            M::GET,
            "/api/requests".into(),
            None,
            reads_requests_anywhere,
        ),
        cell(
            "request figures",
            M::GET,
            "/api/requests/figures?from=2025-01-01&to=2025-12-31".into(),
            None,
            reads_requests_anywhere,
        ),
        cell(
            "requests to revisit",
            M::GET,
            "/api/requests/revisits?from=2025-01-01&to=2025-12-31".into(),
            None,
            |who: Who| {
                if who.is(&[
                    "city_reviewer",
                    "zone_reviewer",
                    "province_reviewer",
                    "ministry_reviewer",
                ]) {
                    200
                } else {
                    403
                }
            },
        ),
        cell(
            "request clocks",
            M::GET,
            "/api/requests/clocks".into(),
            None,
            reads_requests_anywhere,
        ),
        cell(
            "request",
            M::GET,
            format!("/api/requests/{}", w.request),
            None,
            |who: Who| {
                if who.is(&["investor", "analyst"]) {
                    403
                } else {
                    who.scoped(200)
                }
            },
        ),
        // The right to file, then the enterprise's visibility, then the
        // empty title.
        cell(
            "file request",
            M::POST,
            "/api/requests".into(),
            Some(json!({ "enterprise": "alpha", "class": "general", "title": "", "body": "" })),
            |who: Who| match (
                who.is(&["enterprise", "city_reviewer", "zone_reviewer"]),
                who.own,
            ) {
                (true, true) => 422,
                (true, false) => 404,
                _ => 403,
            },
        ),
        // Visible request, then the right to accept at its level (the
        // city's or zone's office), then the stale version.
        cell(
            "act on request",
            M::POST,
            format!("/api/requests/{}/actions", w.request),
            Some(json!({ "version": 999, "action": "accept" })),
            |who: Who| {
                if who.is(&["investor", "analyst"]) {
                    403
                } else if !who.own && !who.ministry() {
                    404
                } else if who.is(&["city_reviewer", "zone_reviewer"]) {
                    409
                } else {
                    403
                }
            },
        ),
        cell(
            "enterprise stewards",
            M::GET,
            "/api/enterprises/alpha/stewards".into(),
            None,
            reads_stewards,
        ),
        // The right to assign, then the enterprise's visibility, then the
        // empty department.
        cell(
            "assign steward",
            M::POST,
            "/api/enterprises/alpha/stewards".into(),
            Some(json!({ "role": "government", "department": "", "name": "x", "phone": "12345" })),
            manages_stewards(422),
        ),
        // The right, then the assignment's visibility, then the stale version.
        cell(
            "end steward",
            M::POST,
            format!("/api/stewards/{}/end", w.steward),
            Some(json!({ "version": 999 })),
            manages_stewards(409),
        ),
        cell(
            "enterprise contacts",
            M::GET,
            "/api/enterprises/alpha/contacts".into(),
            None,
            reads_stewards,
        ),
        // The right, then the visibility, then the empty topics.
        cell(
            "record contact",
            M::POST,
            "/api/enterprises/alpha/contacts".into(),
            Some(json!({ "steward": w.steward, "contacted_on": "2025-03-10", "channel": "visit", "topics": "" })),
            manages_stewards(422),
        ),
        cell(
            "contact",
            M::GET,
            format!("/api/contacts/{}", w.contact),
            None,
            reads_stewards,
        ),
        cell(
            "stewards with figures",
            M::GET,
            "/api/stewards".into(),
            None,
            reads_requests_anywhere,
        ),
        cell(
            "contacts",
            M::GET,
            "/api/contacts?from=2025-01-01&to=2025-12-31".into(),
            None,
            reads_requests_anywhere,
        ),
        cell(
            "providers",
            M::GET,
            "/api/providers".into(),
            None,
            only(MANAGES_CATALOGUE, 200),
        ),
        // The right, then the defaulted jurisdiction (the caller's), then the empty name.
        cell(
            "register provider",
            M::POST,
            "/api/providers".into(),
            Some(json!({ "name": "", "kind": "firm", "contact": "x" })),
            only(MANAGES_CATALOGUE, 422),
        ),
        // The right, then Shenzhen's provider within view and managed, then the stale version.
        cell(
            "provider flags",
            M::POST,
            format!("/api/providers/{}/flags", w.provider),
            Some(json!({ "version": 999, "dishonest": false, "reason": "复核" })),
            writes_shenzhens(409),
        ),
        cell(
            "menus",
            M::GET,
            "/api/menus".into(),
            None,
            only(MANAGES_CATALOGUE, 200),
        ),
        cell(
            "create menu",
            M::POST,
            "/api/menus".into(),
            Some(json!({ "title": "", "label": "1.0" })),
            only(MANAGES_CATALOGUE, 422),
        ),
        cell(
            "menu",
            M::GET,
            format!("/api/menus/{}", w.menu),
            None,
            manages_shenzhen(200),
        ),
        cell(
            "add menu item",
            M::POST,
            format!("/api/menus/{}/items", w.menu),
            Some(json!({ "version": 999, "category": "legal", "title": "t", "description": "d",
                         "provider": w.provider, "tiers": ["seed"], "delivery": "online", "fee": "free" })),
            manages_shenzhen(409),
        ),
        // A draft without items is not published.
        cell(
            "publish menu",
            M::POST,
            format!("/api/menus/{}/publish", w.menu),
            Some(json!({ "version": 999 })),
            manages_shenzhen(409),
        ),
        // A draft has no next version.
        cell(
            "next menu version",
            M::POST,
            format!("/api/menus/{}/versions", w.menu),
            Some(json!({ "title": "深圳 服务菜单", "label": "2.0" })),
            manages_shenzhen(409),
        ),
        cell(
            "enterprise services",
            M::GET,
            "/api/enterprises/alpha/services".into(),
            None,
            reads_stewards,
        ),
        cell(
            "enterprise packages",
            M::GET,
            "/api/enterprises/alpha/packages".into(),
            None,
            reads_stewards,
        ),
        // The right, then the enterprise's visibility, then the year.
        cell(
            "compose package",
            M::POST,
            "/api/enterprises/alpha/packages".into(),
            Some(json!({ "year": 1999, "items": [1] })),
            manages_stewards(422),
        ),
        // Policies: read by all but analysts (an enterprise: those that
        // reach it); written, published, withdrawn and matched by the
        // officials of Shenzhen's chain; read too by the officials of a zone
        // in Shenzhen (the city's policy reaches the zone's enterprises).
        cell(
            "policies",
            M::GET,
            "/api/policies".into(),
            None,
            |who: Who| if who.role == "analyst" { 403 } else { 200 },
        ),
        cell(
            "create policy",
            M::POST,
            "/api/policies".into(),
            Some(json!({ "issuer": "", "document_number": "x", "title": "", "published_on": "2025-02-20", "valid_from": "2025-03-01" })),
            only(MANAGES_CATALOGUE, 422),
        ),
        cell(
            "policy",
            M::GET,
            format!("/api/policies/{}", w.policy),
            None,
            |who: Who| match who.role {
                "analyst" => 403,
                _ => who.scoped(200),
            },
        ),
        cell(
            "add policy item",
            M::POST,
            format!("/api/policies/{}/items", w.policy),
            Some(json!({ "version": 999, "title": "t", "class": "award",
                         "amount": { "kind": "capped", "cap": "1", "rule": "r" },
                         "mode": "fast_application", "eligibility": "x" })),
            // An eligibility that does not parse: 422 once seen and allowed.
            writes_shenzhens(422),
        ),
        cell(
            "publish policy",
            M::POST,
            format!("/api/policies/{}/publish", w.policy),
            Some(json!({ "version": 999 })),
            writes_shenzhens(409),
        ),
        cell(
            "withdraw policy",
            M::POST,
            format!("/api/policies/{}/withdraw", w.policy),
            Some(json!({ "version": 999, "reason": "复核" })),
            writes_shenzhens(409),
        ),
        cell(
            "match policy",
            M::POST,
            format!("/api/policies/{}/match", w.policy),
            Some(json!({})),
            writes_shenzhens(200),
        ),
        cell(
            "policy matches",
            M::GET,
            "/api/policy-matches".into(),
            None,
            reads_requests_anywhere,
        ),
        cell(
            "policy match",
            M::GET,
            format!("/api/policy-matches/{}", w.policy_match),
            None,
            reads_stewards,
        ),
        cell(
            "enterprise policy matches",
            M::GET,
            "/api/enterprises/alpha/policy-matches".into(),
            None,
            reads_stewards,
        ),
        cell(
            "read policy match",
            M::POST,
            format!("/api/policy-matches/{}/read", w.policy_match),
            None,
            reads_stewards,
        ),
        cell(
            "act on policy match",
            M::POST,
            format!("/api/policy-matches/{}/actions", w.policy_match),
            Some(json!({ "version": 999, "action": "push" })),
            // Seen, then the right to push (the enterprise applies, it does
            // not push), then the stale version.
            |who: Who| {
                if who.is(&["investor", "analyst"]) {
                    403
                } else if who.is(MANAGES_CATALOGUE) {
                    who.scoped(409)
                } else if who.ministry() || who.own {
                    403
                } else {
                    404
                }
            },
        ),
        cell(
            "rule set comparison",
            M::GET,
            "/api/rulesets/gei/comparison?with=hurun&as_of=2024-12-31".into(),
            None,
            |who: Who| if who.role == "analyst" { 403 } else { 200 },
        ),
    ]
}

#[tokio::test]
async fn every_endpoint_every_role_own_and_other_jurisdiction() {
    let Some(w) = world().await else {
        return;
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for cell in cells(&w) {
        let body = || cell.body.clone().map_or_else(Body::empty, Body::from);
        for (who, user) in &w.accounts {
            let expected = (cell.policy)(*who);
            let mut request = Request::builder()
                .method(cell.method.clone())
                .uri(&cell.path)
                .header(header::AUTHORIZATION, format!("Bearer {}", user.token));
            if cell.body.is_some() {
                request = request.header(header::CONTENT_TYPE, cell.content_type);
            }
            let reply = w.app.raw(request.body(body()).unwrap()).await;
            checked += 1;
            if reply.status.as_u16() != expected {
                failures.push(format!(
                    "{:<24} {:<18} {:<5} expected {expected}, got {} {}",
                    cell.label,
                    who.role,
                    if who.own { "own" } else { "other" },
                    reply.status.as_u16(),
                    String::from_utf8_lossy(&reply.bytes)
                        .chars()
                        .take(120)
                        .collect::<String>()
                ));
            }
            if matches!(reply.status.as_u16(), 401 | 403 | 404 | 409 | 422 | 400) {
                assert!(
                    reply.json()["error"]["code"].is_string(),
                    "{} answered outside the error shape",
                    cell.label
                );
            }
        }
        // Without credentials, nothing but 401 (registering is public: an
        // empty registration is every problem, 422; so are the notices and
        // objecting to one: a stale version, 409).
        let public = match cell.label {
            "register" => 422,
            "public notices" => 200,
            "object publicly" => 409,
            _ => 401,
        };
        let anonymous = w
            .app
            .raw(
                Request::builder()
                    .method(cell.method.clone())
                    .uri(&cell.path)
                    .header(header::CONTENT_TYPE, cell.content_type)
                    .body(body())
                    .unwrap(),
            )
            .await;
        if anonymous.status.as_u16() != public {
            failures.push(format!(
                "{:<24} anonymous expected {public}, got {}",
                cell.label, anonymous.status
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 600, "{checked}");
}

/// Objectors are protected: every account that may read the declaration
/// under notice sees that an objection exists; officials in
/// scope also see who lodged it, the enterprise never does — not in the
/// objection, not in the steps, not anywhere in the answer.
#[tokio::test]
async fn who_objected_is_seen_by_officials_never_by_the_enterprise() {
    let Some(w) = world().await else {
        return;
    };
    let (objector_who, objector) = w
        .accounts
        .iter()
        .find(|(who, _)| who.role == "enterprise" && !who.own)
        .unwrap()
        .clone();
    assert!(!objector_who.own);
    // The notice runs from the working day after the ministry accepted.
    w.app.set_time("2025-03-12T02:00:00Z");
    let version = w.app.version(w.notice, &w.app.admin.auth()).await;
    w.app
        .post(
            &format!("/api/notices/{}/objections", w.notice),
            &objector.auth(),
            json!({ "version": version, "reason": "估值数据存疑" }),
        )
        .await
        .expect(201);
    let mut failures = Vec::new();
    for (who, user) in &w.accounts {
        let reply = w
            .app
            .get(&format!("/api/declarations/{}", w.notice), &user.auth())
            .await;
        if reply.status.as_u16() != 200 {
            continue;
        }
        let body = reply.json();
        let objection = &body["objections"][0];
        let step = body["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["action"] == "object")
            .cloned()
            .unwrap_or(Value::Null);
        let label = format!("{} {}", who.role, if who.own { "own" } else { "other" });
        if objection.is_null() || step.is_null() {
            failures.push(format!("{label}: the objection is missing"));
        }
        // Officials read the grounds as lodged; the enterprise only what
        // they write in the resolution.
        let grounds_seen = objection["text"] == "估值数据存疑";
        if grounds_seen == (who.role == "enterprise") {
            failures.push(format!(
                "{label}: the grounds are {}",
                if grounds_seen { "shown" } else { "missing" }
            ));
        }
        let text = body.to_string();
        if who.role == "enterprise" {
            let hidden = objection["lodged_by"].is_null()
                && !text.contains("估值数据存疑")
                && step["actor"].is_null()
                && step["actor_name"].is_null()
                && !text.contains("enterprise.other");
            if !hidden {
                failures.push(format!("{label}: sees who objected: {text}"));
            }
        } else if objection["lodged_by"] != objector.id
            || step["actor"] != objector.id
            || step["actor_name"] != "enterprise.other"
        {
            failures.push(format!("{label}: does not see who objected: {text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An enterprise's histories: its tier at each year's end under every rule
/// set, its memberships and proposals, and the audit entries about it that
/// the log's scope rule shows the caller — who acted only to auditors, and
/// who objected to no one.
#[tokio::test]
async fn an_enterprise_has_its_timeline_pool_history_and_audit_trail() {
    let Some(w) = world().await else {
        return;
    };
    let account = |role: &str, own: bool| {
        w.accounts
            .iter()
            .find(|(who, _)| who.role == role && who.own == own)
            .unwrap()
            .1
            .clone()
    };
    let ministry = account("ministry_reviewer", true);
    let objector = account("enterprise", false);
    w.app.set_time("2025-03-12T02:00:00Z");
    let version = w.app.version(w.notice, &w.app.admin.auth()).await;
    w.app
        .post(
            &format!("/api/notices/{}/objections", w.notice),
            &objector.auth(),
            json!({ "version": version, "reason": "估值数据存疑" }),
        )
        .await
        .expect(201);

    // The timeline: founded 2021, so 2021-12-31 … 2024-12-31 and today,
    // the configured rule set first, each cell the engine's tier that day.
    let timeline = w
        .app
        .get("/api/enterprises/alpha/timeline", &ministry.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(
        timeline["dates"],
        json!([
            "2021-12-31",
            "2022-12-31",
            "2023-12-31",
            "2024-12-31",
            "2025-03-12"
        ])
    );
    let rows = timeline["rows"].as_array().unwrap();
    assert!(rows.len() >= 2, "several rule sets side by side: {rows:?}");
    assert_eq!(rows[0]["rule_set"], "gei");
    for row in rows {
        let key = row["rule_set"].as_str().unwrap();
        for (i, date) in timeline["dates"].as_array().unwrap().iter().enumerate() {
            let tier = w
                .app
                .get(
                    &format!(
                        "/api/enterprises/alpha/tier?as_of={}&rules={key}",
                        date.as_str().unwrap()
                    ),
                    &ministry.auth(),
                )
                .await
                .expect(200)
                .json()["tier"]
                .clone();
            assert_eq!(row["tiers"][i], tier, "{key} on {date}");
        }
    }
    assert!(rows[0]["tiers"][0].is_null(), "no tier before any funding");
    assert!(
        !rows[0]["tiers"][1].is_null(),
        "a tier after the 2022 round"
    );
    w.app
        .get(
            "/api/enterprises/alpha/timeline?rules=nonesuch",
            &ministry.auth(),
        )
        .await
        .expect_error(400, "unknown_rule_set");

    // The pool history: the membership confirmed in 2025 and the
    // re-evaluation's proposal; the enterprise sees its membership only.
    let history = w
        .app
        .get("/api/enterprises/alpha/pool-history", &ministry.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(history["memberships"][0]["id"], w.member);
    assert_eq!(history["memberships"][0]["cycle"], 2023);
    assert_eq!(history["memberships"][0]["valid_from"], "2025-03-11");
    assert_eq!(history["proposals"][0]["id"], w.proposal);
    let own = account("enterprise", true);
    let theirs = w
        .app
        .get("/api/enterprises/alpha/pool-history", &own.auth())
        .await
        .expect(200)
        .json();
    assert_eq!(theirs["memberships"][0]["id"], w.member);
    assert!(theirs["proposals"].is_null());

    // The audit trail, newest first, about alpha's declarations only.
    let trail = |user: &User| {
        let auth = user.auth();
        let app = &w.app;
        async move {
            app.get("/api/enterprises/alpha/audit", &auth)
                .await
                .expect(200)
                .json()
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let auditor = trail(&account("auditor", true)).await;
    let subjects: Vec<&str> = auditor
        .iter()
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert!(subjects.contains(&format!("declaration:{}", w.notice).as_str()));
    assert!(subjects.contains(&format!("declaration:{}", w.declaration).as_str()));
    let seqs: Vec<i64> = auditor.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|p| p[0] > p[1]),
        "newest first: {seqs:?}"
    );
    let objection = auditor
        .iter()
        .find(|e| e["action"] == "declaration.object")
        .expect("the objection is in the trail");
    assert!(
        objection["actor_name"].is_null(),
        "who objected is not told"
    );
    assert!(
        auditor
            .iter()
            .any(|e| e["action"] == "declaration.confirm"
                && e["actor_name"] == "ministry-reviewer.own"),
        "auditors see who acted"
    );
    let city = trail(&account("city_reviewer", true)).await;
    assert_eq!(city.len(), auditor.len());
    assert!(city.iter().all(|e| e["actor_name"].is_null()));
    // The enterprise's own page: the log's scope rule shows an enterprise
    // account no entry, so nobody who objected either.
    let enterprise = trail(&own).await;
    assert!(enterprise.is_empty(), "{enterprise:?}");
    let everything = w
        .app
        .get("/api/enterprises/alpha/audit", &own.auth())
        .await
        .expect(200);
    assert!(!String::from_utf8_lossy(&everything.bytes).contains("enterprise.other"));
    // Another province's official: not found.
    w.app
        .get(
            "/api/enterprises/alpha/audit",
            &account("city_reviewer", false).auth(),
        )
        .await
        .expect(404);
}
