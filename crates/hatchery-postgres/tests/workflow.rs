//! The workflow store on PostgreSQL: the same script of calls gives the same
//! answers as on SQLite, down to the audit chain's hashes; and what must hold
//! when many server processes write at once does hold — one winner per
//! version, quotas kept, one claim per idempotency key, one linear audit
//! chain — with writers in separate pools and in separate OS processes.

mod common;

use std::collections::HashSet;
use std::fmt::Debug;
use std::sync::Arc;

use hatchery_core::workflow::audit::{AuditRecord, verify};
use hatchery_core::workflow::declaration::{ObjectionChange, Transition};
use hatchery_core::workflow::{
    AccountId, ActionKind, DeclarationForm, DeclarationState, EvidenceType, ExitCause,
    Jurisdiction, Placement, ProposalKind, Role, Scope, Username, Zone, ZoneId, ZoneKind,
};
use hatchery_core::{DivisionCode, EnterpriseId};
use hatchery_postgres::PgStore;
use hatchery_sqlite::SqliteStore;
use hatchery_store::workflow::{
    AccountChange, Acting, AuditFilter, CredentialKind, DeclarationFilter, IdempotencyClaim,
    MemberEffect, MemberStatus, NewAccount, NewCredential, NewDeclaration, NewEvidence,
    NewProposal, Page, PoolFilter, ProposalDecision, ProposalFilter, ProposalStatus, StepRequest,
    StoredResponse, StoredRuleSet, WorkflowError, WorkflowStore,
};
use jiff::Timestamp;
use jiff::civil::date;

fn division(code: &str) -> DivisionCode {
    DivisionCode::parse(code).expect("fixture division")
}

fn enterprise(id: &str) -> EnterpriseId {
    EnterpriseId::parse(id).expect("fixture id")
}

fn zone_id(id: &str) -> ZoneId {
    ZoneId::parse(id).expect("fixture zone id")
}

/// An instant `second` seconds into the script, with nanoseconds the store
/// must cut to microseconds.
fn instant(second: i64) -> Timestamp {
    let base: Timestamp = "2025-03-06T08:00:00.123456789Z".parse().expect("instant");
    base.checked_add(jiff::SignedDuration::from_secs(second))
        .expect("instant")
}

fn acting(actor: Option<AccountId>, name: &str, second: i64) -> Acting {
    Acting {
        at: instant(second),
        actor,
        actor_name: name.to_owned(),
    }
}

fn zone(id: &str, name: &str, city: &str, district: Option<&str>) -> Zone {
    Zone {
        id: zone_id(id),
        name: name.to_owned(),
        kind: ZoneKind::HighTech,
        city: division(city),
        district: district.map(division),
        aliases: vec![format!("{name}（简称）")],
    }
}

fn new_account(
    name: &str,
    role: Role,
    jurisdiction: Jurisdiction,
    placement: Placement,
) -> NewAccount {
    NewAccount {
        username: Username::parse(name).expect("fixture username"),
        display_name: format!("{name} 显示名"),
        role,
        jurisdiction,
        enterprise: None,
        placement,
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1${name}"),
    }
}

fn step(action: ActionKind, from: DeclarationState, to: DeclarationState) -> Transition {
    Transition {
        action,
        from,
        to,
        reason: None,
        notice: None,
        objection: None,
        membership: None,
    }
}

fn request(transition: Transition) -> StepRequest {
    StepRequest {
        transition,
        precheck: None,
        quota_limit: None,
    }
}

fn declaration_of(id: &str, placement: Placement) -> NewDeclaration {
    NewDeclaration {
        enterprise: enterprise(id),
        cycle: 2024,
        tier: "unicorn".to_owned(),
        rule_set: "gei".to_owned(),
        rule_set_version: "2024.1".to_owned(),
        form: DeclarationForm {
            summary: format!("{id} 的申报材料\n第二行"),
            contact_name: "张三".to_owned(),
            contact_phone: "+86 755 0000 0000".to_owned(),
        },
        placement,
    }
}

fn shenzhen() -> Placement {
    Placement::of(Some(division("440305")), None)
}

/// Everything a script call answered, in order, as text to compare.
#[derive(Default)]
struct Trace(Vec<String>);

impl Trace {
    fn note<T: Debug>(&mut self, what: &str, value: &T) {
        self.0.push(format!("{what}: {value:?}"));
    }

    /// Notes `result` and hands back its value; a failure is a broken script.
    fn ok<T: Debug>(&mut self, what: &str, result: Result<T, WorkflowError>) -> T {
        self.note(what, &result);
        result.unwrap_or_else(|e| panic!("{what}: {e}"))
    }
}

/// Drives every call of the workflow store through a declaration's life,
/// the pool and the audit chain. Failing calls come last: PostgreSQL spends
/// an id on an insert that fails and SQLite does not, and ids must agree
/// for the traces (and the audit hashes, which cover them) to be equal.
async fn script(db: &dyn WorkflowStore) -> Trace {
    let mut t = Trace::default();
    let system = |second| acting(None, "system:cli", second);
    t.ok("has accounts", db.has_accounts().await);

    let admin = t.ok(
        "create admin",
        db.create_account(
            &new_account(
                "admin",
                Role::MinistryAdmin,
                Jurisdiction::Nation,
                Placement::default(),
            ),
            &system(1),
        )
        .await,
    );
    let as_admin = |second| acting(Some(admin.id), "admin", second);
    let province = t.ok(
        "create province reviewer",
        db.create_account(
            &new_account(
                "gd.reviewer",
                Role::ProvinceReviewer,
                Jurisdiction::Division(division("440000")),
                Placement::of(Some(division("440000")), None),
            ),
            &as_admin(2),
        )
        .await,
    );
    let city = t.ok(
        "create city reviewer",
        db.create_account(
            &new_account(
                "sz.reviewer",
                Role::CityReviewer,
                Jurisdiction::Division(division("440300")),
                Placement::of(Some(division("440300")), None),
            ),
            &as_admin(3),
        )
        .await,
    );
    let ministry = t.ok(
        "create ministry reviewer",
        db.create_account(
            &new_account(
                "moj.reviewer",
                Role::MinistryReviewer,
                Jurisdiction::Nation,
                Placement::default(),
            ),
            &as_admin(4),
        )
        .await,
    );
    let owner = t.ok(
        "create enterprise user",
        db.create_account(
            &NewAccount {
                enterprise: Some(enterprise("alpha")),
                ..new_account(
                    "alpha.user",
                    Role::Enterprise,
                    Jurisdiction::Division(division("440305")),
                    shenzhen(),
                )
            },
            &as_admin(5),
        )
        .await,
    );
    t.ok("has accounts", db.has_accounts().await);
    t.ok("account", db.account(city.id).await);
    t.ok("account missing", db.account(AccountId(999)).await);
    t.ok(
        "for login",
        db.account_for_login(&Username::parse("sz.reviewer").expect("name"))
            .await,
    );
    let page = Page {
        offset: 0,
        limit: 2,
    };
    t.ok("accounts, all", db.accounts(&Scope::All, page).await);
    t.ok(
        "accounts, second page",
        db.accounts(
            &Scope::All,
            Page {
                offset: 2,
                limit: 10,
            },
        )
        .await,
    );
    t.ok(
        "accounts, Guangdong",
        db.accounts(&Scope::Province(division("440000")), page)
            .await,
    );
    let renamed = t.ok(
        "rename",
        db.update_account(
            city.id,
            city.version,
            &AccountChange {
                display_name: Some("深圳市审核员".to_owned()),
                ..AccountChange::default()
            },
            &as_admin(6),
        )
        .await,
    );

    // Credentials, throttling, idempotency.
    let credential = |kind, secret: &str, second| NewCredential {
        kind,
        account: renamed.id,
        secret_hash: format!("{secret:0>64}"),
        csrf_hash: (kind == CredentialKind::Session).then(|| format!("{secret:f>64}")),
        name: (kind == CredentialKind::ApiToken).then(|| "nightly export".to_owned()),
        created_at: instant(second),
        expires_at: instant(second + 3600),
    };
    t.ok(
        "session",
        db.create_credential(&credential(CredentialKind::Session, "a1", 7))
            .await,
    );
    let token = t.ok(
        "token",
        db.create_credential(&credential(CredentialKind::ApiToken, "b2", 8))
            .await,
    );
    t.ok(
        "second token",
        db.create_credential(&credential(CredentialKind::ApiToken, "c3", 9))
            .await,
    );
    t.ok("credential", db.credential(&format!("{:0>64}", "a1")).await);
    t.ok("unknown credential", db.credential(&"0".repeat(64)).await);
    t.ok("tokens", db.api_tokens(renamed.id, instant(10)).await);
    t.ok(
        "revoke",
        db.revoke_credential(renamed.id, token.id, instant(11))
            .await,
    );
    t.ok(
        "revoke again",
        db.revoke_credential(renamed.id, token.id, instant(12))
            .await,
    );
    t.ok("tokens", db.api_tokens(renamed.id, instant(13)).await);
    t.ok(
        "password change",
        db.update_account(
            renamed.id,
            renamed.version,
            &AccountChange {
                password_hash: Some("$argon2id$v=19$new".to_owned()),
                ..AccountChange::default()
            },
            &as_admin(14),
        )
        .await,
    );
    t.ok(
        "revoked by the password change",
        db.credential(&format!("{:0>64}", "a1")).await,
    );
    t.ok("purge none", db.purge_credentials(instant(15)).await);
    t.ok("purge all", db.purge_credentials(instant(99_999)).await);

    let keys = ["user:sz.reviewer".to_owned(), "ip:10.0.0.1".to_owned()];
    t.ok("failure", db.record_login_failure(&keys, instant(20)).await);
    t.ok(
        "failure",
        db.record_login_failure(&keys[..1], instant(21)).await,
    );
    t.ok("failures", db.login_failures(&keys[0], instant(20)).await);
    t.ok(
        "recent failures",
        db.login_failures(&keys[0], instant(21)).await,
    );
    t.ok("clear", db.clear_login_failures(&keys[0]).await);
    t.ok(
        "failures cleared",
        db.login_failures(&keys[0], instant(0)).await,
    );
    t.ok(
        "other key kept",
        db.login_failures(&keys[1], instant(0)).await,
    );

    let who = owner.id;
    t.ok(
        "claim",
        db.claim_idempotency_key(who, "k1", "fp", instant(22)).await,
    );
    t.ok(
        "claim again",
        db.claim_idempotency_key(who, "k1", "fp", instant(22)).await,
    );
    t.ok(
        "complete",
        db.complete_idempotency_key(
            who,
            "k1",
            &StoredResponse {
                status: 201,
                content_type: Some("application/json".to_owned()),
                body: b"{\"id\":1}".to_vec(),
            },
        )
        .await,
    );
    t.ok(
        "replay",
        db.claim_idempotency_key(who, "k1", "fp", instant(23)).await,
    );
    t.ok(
        "mismatch",
        db.claim_idempotency_key(who, "k1", "other", instant(23))
            .await,
    );
    t.ok(
        "claim k2",
        db.claim_idempotency_key(who, "k2", "fp", instant(24)).await,
    );
    t.ok("release k2", db.release_idempotency_key(who, "k2").await);
    t.ok(
        "claim k2 again",
        db.claim_idempotency_key(who, "k2", "fp", instant(25)).await,
    );
    t.ok("purge keys", db.purge_idempotency_keys(instant(24)).await);

    // Zones and rule sets.
    let zones = [
        zone(
            "shenzhen-hightech",
            "深圳市高新技术产业园区",
            "440300",
            Some("440305"),
        ),
        zone("zgc", "中关村科技园区", "110000", None),
    ];
    t.ok("seed", db.seed_zones(&zones, &system(30)).await);
    t.ok("seed again", db.seed_zones(&zones, &system(31)).await);
    let created = t.ok(
        "create zone",
        db.create_zone(
            &zone(
                "guangzhou-hightech",
                "广州高新技术产业开发区",
                "440100",
                None,
            ),
            &as_admin(32),
        )
        .await,
    );
    let mut changed = created.zone.clone();
    changed.name = "广州高新区".to_owned();
    t.ok(
        "update zone",
        db.update_zone(&changed, created.version, &as_admin(33))
            .await,
    );
    t.ok("zone", db.zone(&zone_id("zgc")).await);
    t.ok("zones", db.zones().await);
    let rules = StoredRuleSet {
        key: "provincial".to_owned(),
        version: "2024.1".to_owned(),
        source: "[rule_set]\nkey = \"provincial\"\n".to_owned(),
        added_by: Some(admin.id),
        added_at: instant(34),
    };
    t.ok("add rule set", db.add_rule_set(&rules, &as_admin(34)).await);
    t.ok("rule sets", db.rule_sets().await);

    // A declaration's whole life.
    let guangdong = division("440000");
    t.ok(
        "set quota",
        db.set_quota(guangdong, 2024, "unicorn", Some(1), &as_admin(40))
            .await,
    );
    t.ok(
        "set quota elsewhere",
        db.set_quota(division("110000"), 2024, "unicorn", Some(5), &as_admin(41))
            .await,
    );
    t.ok(
        "remove it",
        db.set_quota(division("110000"), 2024, "unicorn", None, &as_admin(42))
            .await,
    );
    t.ok("quota", db.quota(guangdong, 2024, "unicorn").await);
    let as_owner = |second| acting(Some(owner.id), "alpha.user", second);
    let d = t.ok(
        "create declaration",
        db.create_declaration(&declaration_of("alpha", shenzhen()), &as_owner(50))
            .await,
    );
    let mut form = d.form.clone();
    form.summary.push_str("，补充");
    let d = t.ok(
        "edit",
        db.edit_declaration(d.id, d.version, &form, &as_owner(51))
            .await,
    );
    let (_, d) = t.ok(
        "evidence",
        db.add_evidence(
            d.id,
            d.version,
            &NewEvidence {
                name: "营业执照.pdf".to_owned(),
                kind: EvidenceType::Pdf,
                sha256: "ab".repeat(32),
                content: b"%PDF-1.7 fixture".to_vec(),
            },
            1,
            &as_owner(52),
        )
        .await,
    );
    let d = t.ok(
        "submit",
        db.apply_step(
            d.id,
            d.version,
            &StepRequest {
                precheck: Some(serde_json::json!({"tier": "unicorn", "reasons": [1.5, "≥ 1e9"]})),
                ..request(step(
                    ActionKind::Submit,
                    DeclarationState::Draft,
                    DeclarationState::Submitted,
                ))
            },
            &as_owner(53),
        )
        .await,
    );
    let as_city = |second| acting(Some(city.id), "sz.reviewer", second);
    let d = t.ok(
        "approve",
        db.apply_step(
            d.id,
            d.version,
            &request(step(
                ActionKind::Approve,
                DeclarationState::Submitted,
                DeclarationState::LocallyApproved,
            )),
            &as_city(54),
        )
        .await,
    );
    let as_province = |second| acting(Some(province.id), "gd.reviewer", second);
    let d = t.ok(
        "recommend",
        db.apply_step(
            d.id,
            d.version,
            &StepRequest {
                quota_limit: Some(1),
                ..request(step(
                    ActionKind::Recommend,
                    DeclarationState::LocallyApproved,
                    DeclarationState::Recommended,
                ))
            },
            &as_province(55),
        )
        .await,
    );
    t.ok("quota used", db.quotas(2024).await);
    let as_ministry = |second| acting(Some(ministry.id), "moj.reviewer", second);
    let d = t.ok(
        "accept",
        db.apply_step(
            d.id,
            d.version,
            &request(Transition {
                notice: Some((date(2025, 3, 7), date(2025, 3, 13))),
                ..step(
                    ActionKind::Accept,
                    DeclarationState::Recommended,
                    DeclarationState::PublicNotice,
                )
            }),
            &as_ministry(56),
        )
        .await,
    );
    t.ok(
        "notices",
        db.notices(Page {
            offset: 0,
            limit: 10,
        })
        .await,
    );
    let d = t.ok(
        "object",
        db.apply_step(
            d.id,
            d.version,
            &request(Transition {
                objection: Some(ObjectionChange::Lodge {
                    text: "估值存疑".to_owned(),
                }),
                ..step(
                    ActionKind::Object,
                    DeclarationState::PublicNotice,
                    DeclarationState::PublicNotice,
                )
            }),
            &as_province(57),
        )
        .await,
    );
    let objections = t.ok("objections", db.objections(d.id).await);
    let d = t.ok(
        "resolve",
        db.apply_step(
            d.id,
            d.version,
            &request(Transition {
                reason: Some("已核实".to_owned()),
                objection: Some(ObjectionChange::Resolve {
                    id: objections[0].id,
                    upheld: false,
                }),
                ..step(
                    ActionKind::ResolveObjection,
                    DeclarationState::PublicNotice,
                    DeclarationState::PublicNotice,
                )
            }),
            &as_ministry(58),
        )
        .await,
    );
    let d = t.ok(
        "confirm",
        db.apply_step(
            d.id,
            d.version,
            &request(Transition {
                membership: Some((date(2025, 3, 14), date(2028, 3, 13))),
                ..step(
                    ActionKind::Confirm,
                    DeclarationState::PublicNotice,
                    DeclarationState::Confirmed,
                )
            }),
            &as_ministry(59),
        )
        .await,
    );
    t.ok("declaration", db.declaration(d.id).await);
    t.ok("steps", db.steps(d.id).await);
    t.ok("objections", db.objections(d.id).await);
    t.ok("evidence list", db.evidence(d.id).await);
    let files = db.evidence(d.id).await.expect("evidence");
    t.ok(
        "evidence content",
        db.evidence_content(d.id, files[0].id).await,
    );
    t.ok("no such evidence", db.evidence_content(d.id, 999).await);
    for (name, filter) in [
        ("declarations, all", Scope::All),
        ("declarations, Guangdong", Scope::Province(guangdong)),
        ("declarations, Beijing", Scope::Province(division("110000"))),
        (
            "declarations, alpha",
            Scope::Enterprise(enterprise("alpha")),
        ),
    ] {
        t.ok(
            name,
            db.declarations(&DeclarationFilter {
                scope: filter,
                cycle: Some(2024),
                state: Some(DeclarationState::Confirmed),
                tier: None,
                enterprise: None,
                page: Page {
                    offset: 0,
                    limit: 10,
                },
            })
            .await,
        );
    }

    // The pool.
    let members = t.ok(
        "members",
        db.pool_members(&PoolFilter {
            scope: Scope::Province(guangdong),
            status: Some(MemberStatus::Active),
            tier: None,
            cycle: Some(2024),
            province: None,
            page: Page {
                offset: 0,
                limit: 10,
            },
        })
        .await,
    );
    let member = members.items[0].id;
    t.ok("member", db.pool_member(member).await);
    let proposal = NewProposal {
        member,
        kind: ProposalKind::Promotion {
            from: "unicorn".to_owned(),
            to: "super_unicorn".to_owned(),
        },
        decision: serde_json::json!({"tier": "super_unicorn"}),
    };
    t.ok(
        "propose",
        db.record_proposals(
            date(2025, 12, 31),
            std::slice::from_ref(&proposal),
            &system(60),
        )
        .await,
    );
    t.ok(
        "propose again",
        db.record_proposals(date(2025, 12, 31), &[proposal], &system(61))
            .await,
    );
    let pending = t.ok(
        "proposals",
        db.proposals(&ProposalFilter {
            scope: Scope::All,
            status: Some(ProposalStatus::Pending),
            page: Page {
                offset: 0,
                limit: 10,
            },
        })
        .await,
    );
    let p = &pending.items[0];
    t.ok("proposal", db.proposal(p.id).await);
    t.ok(
        "promote",
        db.decide_proposal(
            p.id,
            p.version,
            &ProposalDecision {
                status: ProposalStatus::Accepted,
                reason: Some("估值达标".to_owned()),
                effect: MemberEffect::SetTier("super_unicorn".to_owned()),
            },
            &as_province(62),
        )
        .await,
    );
    t.ok(
        "propose an exit",
        db.record_proposals(
            date(2026, 6, 30),
            &[NewProposal {
                member,
                kind: ProposalKind::Exit {
                    cause: ExitCause::Listed,
                },
                decision: serde_json::json!({"listed": "SSE"}),
            }],
            &system(63),
        )
        .await,
    );
    t.ok(
        "audit an import",
        db.append_audit(&AuditRecord {
            at: instant(64),
            actor: Some(admin.id),
            actor_name: "admin".to_owned(),
            jurisdiction: "CN".to_owned(),
            action: "ledger.import".to_owned(),
            subject: "import:1".to_owned(),
            before: None,
            after: Some("{\"events_added\":15}".to_owned()),
        })
        .await,
    );
    let beta = t.ok(
        "second declaration",
        db.create_declaration(&declaration_of("beta", shenzhen()), &as_owner(65))
            .await,
    );

    // What must fail, and how; nothing is inserted after this.
    t.note(
        "taken username",
        &db.create_account(
            &new_account(
                "admin",
                Role::MinistryAdmin,
                Jurisdiction::Nation,
                Placement::default(),
            ),
            &system(70),
        )
        .await,
    );
    t.note(
        "stale account version",
        &db.update_account(
            city.id,
            city.version,
            &AccountChange::default(),
            &as_admin(71),
        )
        .await,
    );
    t.note(
        "missing account",
        &db.update_account(AccountId(999), 1, &AccountChange::default(), &as_admin(71))
            .await,
    );
    t.note(
        "second live declaration",
        &db.create_declaration(&declaration_of("alpha", shenzhen()), &as_owner(72))
            .await,
    );
    t.note(
        "stale declaration version",
        &db.edit_declaration(d.id, d.version - 1, &form, &as_owner(73))
            .await,
    );
    t.note(
        "evidence limit",
        &db.add_evidence(
            beta.id,
            beta.version,
            &NewEvidence {
                name: "a.png".to_owned(),
                kind: EvidenceType::Png,
                sha256: "cd".repeat(32),
                content: vec![0x89, b'P', b'N', b'G'],
            },
            0,
            &as_owner(74),
        )
        .await,
    );
    t.note(
        "quota used up",
        &db.apply_step(
            beta.id,
            beta.version,
            &StepRequest {
                quota_limit: Some(1),
                ..request(step(
                    ActionKind::Recommend,
                    DeclarationState::LocallyApproved,
                    DeclarationState::Recommended,
                ))
            },
            &as_province(75),
        )
        .await,
    );
    t.note(
        "decided already",
        &db.decide_proposal(
            p.id,
            p.version,
            &ProposalDecision {
                status: ProposalStatus::Dismissed,
                reason: None,
                effect: MemberEffect::None,
            },
            &as_province(76),
        )
        .await,
    );
    t.note(
        "stale zone",
        &db.update_zone(&changed, created.version, &as_admin(77))
            .await,
    );
    t.note(
        "taken zone id",
        &db.create_zone(&zones[1], &as_admin(78)).await,
    );
    t.note(
        "taken rule set",
        &db.add_rule_set(&rules, &as_admin(79)).await,
    );

    // The whole chain, as a ministry and as a province see it.
    let everything = AuditFilter {
        scope: Scope::All,
        after: 0,
        limit: 1_000,
    };
    t.ok("audit", db.audit_entries(&everything).await);
    t.ok(
        "audit, Guangdong",
        db.audit_entries(&AuditFilter {
            scope: Scope::Province(guangdong),
            after: 3,
            limit: 4,
        })
        .await,
    );
    t.ok("head", db.audit_head().await);
    t
}

#[tokio::test]
async fn the_workflow_script_answers_as_on_sqlite() {
    let Some(postgres) = common::fresh_store().await else {
        return;
    };
    let folder = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", folder.path().join("h.db").display());
    let sqlite = SqliteStore::open(&url).await.expect("open SQLite");

    let expected = script(&sqlite).await;
    let ours = script(&*postgres).await;
    for (at, (ours, theirs)) in ours.0.iter().zip(&expected.0).enumerate() {
        assert_eq!(ours, theirs, "call #{at}");
    }
    assert_eq!(ours.0.len(), expected.0.len());

    let entries = postgres
        .audit_entries(&AuditFilter {
            scope: Scope::All,
            after: 0,
            limit: 1_000,
        })
        .await
        .expect("audit");
    let head = postgres.audit_head().await.expect("head");
    let verified = verify(
        &entries,
        head.as_ref().map(|(seq, hash)| (*seq, hash.as_str())),
    );
    assert_eq!(verified, Ok(entries.len() as u64));
}

// ------------------------------------------------------------ concurrency

/// Two stores with pools of their own: to the server, two processes.
async fn two_stores() -> Option<(common::TestStore, PgStore)> {
    let first = common::fresh_store().await?;
    let second = PgStore::open(first.url()).await.expect("a second store");
    Some((first, second))
}

async fn admin(db: &dyn WorkflowStore) -> AccountId {
    db.create_account(
        &new_account(
            "admin",
            Role::MinistryAdmin,
            Jurisdiction::Nation,
            Placement::default(),
        ),
        &acting(None, "system:test", 0),
    )
    .await
    .expect("admin")
    .id
}

#[tokio::test]
async fn of_writers_at_one_version_exactly_one_wins() {
    let Some((first, second)) = two_stores().await else {
        return;
    };
    let admin = admin(&*first).await;
    let stores: [Arc<dyn WorkflowStore>; 2] = [Arc::new((*first).clone()), Arc::new(second)];
    let racers = (0..12).map(|n| {
        let db = Arc::clone(&stores[n % 2]);
        tokio::spawn(async move {
            db.update_account(
                admin,
                1,
                &AccountChange {
                    display_name: Some(format!("writer {n}")),
                    ..AccountChange::default()
                },
                &acting(Some(admin), "admin", n as i64),
            )
            .await
        })
    });
    let outcomes = futures::future::join_all(racers).await;
    let mut won = 0;
    for outcome in outcomes {
        match outcome.expect("task") {
            Ok(account) => {
                won += 1;
                assert_eq!(account.version, 2);
            }
            Err(WorkflowError::VersionConflict {
                expected: 1,
                actual: 2,
            }) => {}
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    assert_eq!(won, 1);
    assert_chain_holds(&*first, 2).await;
}

#[tokio::test]
async fn racing_recommendations_keep_the_quota() {
    let Some((first, second)) = two_stores().await else {
        return;
    };
    let admin = admin(&*first).await;
    let as_admin = acting(Some(admin), "admin", 1);
    let guangdong = division("440000");
    first
        .set_quota(guangdong, 2024, "unicorn", Some(3), &as_admin)
        .await
        .expect("quota");
    let mut ready = Vec::new();
    for n in 0..10 {
        let d = first
            .create_declaration(&declaration_of(&format!("e{n}"), shenzhen()), &as_admin)
            .await
            .expect("declaration");
        ready.push(d);
    }
    let stores: [Arc<dyn WorkflowStore>; 2] = [Arc::new((*first).clone()), Arc::new(second)];
    let racers = ready.into_iter().enumerate().map(|(n, d)| {
        let db = Arc::clone(&stores[n % 2]);
        tokio::spawn(async move {
            db.apply_step(
                d.id,
                d.version,
                &StepRequest {
                    quota_limit: Some(3),
                    ..request(step(
                        ActionKind::Recommend,
                        DeclarationState::Draft,
                        DeclarationState::Recommended,
                    ))
                },
                &acting(Some(admin), "admin", 2),
            )
            .await
        })
    });
    let mut recommended = 0;
    for outcome in futures::future::join_all(racers).await {
        match outcome.expect("task") {
            Ok(_) => recommended += 1,
            Err(WorkflowError::QuotaExhausted { limit: 3 }) => {}
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    assert_eq!(recommended, 3);
    let quota = first
        .quota(guangdong, 2024, "unicorn")
        .await
        .expect("quota")
        .expect("set");
    assert_eq!((quota.used, quota.limit), (3, 3));
    assert_chain_holds(&*first, 1 + 1 + 10 + 3).await;
}

#[tokio::test]
async fn an_idempotency_key_is_claimed_once() {
    let Some((first, second)) = two_stores().await else {
        return;
    };
    let admin = admin(&*first).await;
    let stores: [Arc<dyn WorkflowStore>; 2] = [Arc::new((*first).clone()), Arc::new(second)];
    let claims = (0..16).map(|n| {
        let db = Arc::clone(&stores[n % 2]);
        tokio::spawn(async move {
            db.claim_idempotency_key(admin, "retry-me", "fingerprint", instant(0))
                .await
        })
    });
    let outcomes: Vec<_> = futures::future::join_all(claims)
        .await
        .into_iter()
        .map(|o| o.expect("task").expect("claim"))
        .collect();
    let claimed = outcomes
        .iter()
        .filter(|o| **o == IdempotencyClaim::Claimed)
        .count();
    assert_eq!(claimed, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, IdempotencyClaim::Claimed | IdempotencyClaim::InProgress))
    );
}

/// The chain verifies, has `entries` entries, and ends at the head.
async fn assert_chain_holds(db: &dyn WorkflowStore, entries: u64) {
    let all = db
        .audit_entries(&AuditFilter {
            scope: Scope::All,
            after: 0,
            limit: u64::MAX,
        })
        .await
        .expect("audit");
    let head = db.audit_head().await.expect("head");
    let verified = verify(&all, head.as_ref().map(|(seq, hash)| (*seq, hash.as_str())));
    assert_eq!(verified, Ok(entries));
}

/// Set in the child processes of the test below: the database URL and the
/// child's number.
const WORKER: &str = "HATCHERY_TEST_AUDIT_WORKER";

/// Writes per child process.
const WRITES: usize = 15;

/// Three OS processes write at once (zones created, and all of them racing
/// to rename one zone at version 1); the audit chain comes out linear and
/// verified, with every write in it and exactly one rename.
#[tokio::test]
async fn writers_in_several_processes_keep_one_chain() {
    if let Ok(job) = std::env::var(WORKER) {
        return child(&job).await;
    }
    let Some(store) = common::fresh_store().await else {
        return;
    };
    let shared = zone("shared", "共享园区", "440300", None);
    store
        .seed_zones(
            std::slice::from_ref(&shared),
            &acting(None, "system:test", 0),
        )
        .await
        .expect("seed");

    let exe = std::env::current_exe().expect("the test binary");
    let children: Vec<_> = (0..3)
        .map(|n| {
            std::process::Command::new(&exe)
                .args([
                    "writers_in_several_processes_keep_one_chain",
                    "--exact",
                    "--nocapture",
                ])
                .env(WORKER, format!("{n} {}", store.url()))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start a writer process")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("a writer process");
        assert!(
            output.status.success(),
            "writer failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    // The seed, every zone created, and the one rename that won.
    assert_chain_holds(&*store, 1 + 3 * WRITES as u64 + 1).await;
    let renamed = store.zone(&shared.id).await.expect("zone").expect("stored");
    assert_eq!(renamed.version, 2);
    let zones: HashSet<String> = store
        .zones()
        .await
        .expect("zones")
        .into_iter()
        .map(|z| z.zone.id.to_string())
        .collect();
    assert_eq!(zones.len(), 1 + 3 * WRITES);
}

/// One writer process's work: its zones, interleaved with a try at renaming
/// the shared zone.
async fn child(job: &str) {
    let (number, url) = job.split_once(' ').expect("WORKER is 'N URL'");
    let db = PgStore::open(url).await.expect("open the shared database");
    for n in 0..WRITES {
        let id = format!("p{number}-zone-{n}");
        db.create_zone(
            &zone(&id, &format!("园区 {id}"), "440300", None),
            &acting(None, &format!("system:writer-{number}"), n as i64),
        )
        .await
        .expect("create a zone");
        if n == WRITES / 2 {
            let renamed = zone("shared", &format!("共享园区（{number}）"), "440300", None);
            match db
                .update_zone(&renamed, 1, &acting(None, "system:rename", 0))
                .await
            {
                Ok(_) | Err(WorkflowError::VersionConflict { .. }) => {}
                Err(other) => panic!("rename: {other}"),
            }
        }
    }
    db.close().await;
}

#[test]
fn instants_carry_nanoseconds_for_the_store_to_cut() {
    assert_ne!(instant(0).subsec_nanosecond() % 1_000, 0);
}
