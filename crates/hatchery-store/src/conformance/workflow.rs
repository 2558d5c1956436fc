//! Stories every [`WorkflowStore`] must pass, whatever database is behind it,
//! like the ledger's in the parent module. Each takes an empty store (the
//! concurrent ones two stores on one database: to the database, two server
//! processes) and panics on the first broken promise;
//! [`workflow_conformance_tests!`](crate::workflow_conformance_tests) turns
//! them into one `#[tokio::test]` each:
//!
//! ```text
//! async fn fresh() -> TestStore { /* an empty store of its own */ }
//! async fn again(store: &TestStore) -> OtherStore { /* a second store on its database */ }
//! hatchery_store::workflow_conformance_tests!(fresh, again);
//! ```
//!
//! [`script`] drives every call once; its [`Trace`] is what a backend
//! answered, for comparing two backends call by call.

use std::collections::HashSet;
use std::fmt::Debug;

use futures::future::join_all;
use hatchery_core::workflow::audit::{AuditRecord, verify};
use hatchery_core::workflow::declaration::{ObjectionChange, Transition};
use hatchery_core::workflow::{
    AccountId, ActionKind, DeclarationForm, DeclarationId, DeclarationState, EvidenceId,
    EvidenceType, ExitCause, Jurisdiction, Placement, ProposalKind, PublicObjector, Role, Scope,
    Username, Zone, ZoneId, ZoneKind,
};
use hatchery_core::{DivisionCode, EnterpriseId};
use jiff::Timestamp;
use jiff::civil::date;

use crate::workflow::{
    AccountChange, Acting, AttemptTally, AuditFilter, CredentialKind, DeclarationFilter,
    IdempotencyClaim, LoginAttempt, MemberEffect, MemberStatus, NewAccount, NewAttachment,
    NewCredential, NewDeclaration, NewEvidence, NewProposal, Page, PoolFilter, ProposalDecision,
    ProposalFilter, ProposalStatus, PublicObjection, StepRequest, StoredResponse, StoredRuleSet,
    WorkflowError, WorkflowStore,
};

/// One test per workflow story. `$fresh().await` gives an empty store
/// (anything that dereferences to a `WorkflowStore`); `$again(&store).await`
/// a second store on the same database, with connections of its own. The
/// calling crate needs tokio with `macros` and `rt-multi-thread`.
///
/// `workflow_conformance_tests!(optional fresh, again)` takes a `fresh`
/// returning an `Option`, as [`conformance_tests!`](crate::conformance_tests) does.
#[macro_export]
macro_rules! workflow_conformance_tests {
    (@open optional $fresh:path) => {
        match $fresh().await {
            Some(store) => store,
            None => return,
        }
    };
    (@open required $fresh:path) => {
        $fresh().await
    };
    (@stories $mode:tt $fresh:path, $again:path) => {
        $crate::workflow_conformance_tests!(@one $mode $fresh;
            the_workflow_script_keeps_its_promises,
            steps_compare_and_set_on_the_version,
            one_live_declaration_per_cycle_and_lists_follow_scope,
            idempotency_keys_are_claimed_once_per_account,
            every_write_extends_one_verifiable_chain,
            a_request_keeps_its_clocks_and_moves_by_compare_and_set,
            a_menu_publishes_supersedes_and_keeps_flagged_providers_out,
            stewards_serve_pool_enterprises_and_end_by_version,
            contacts_keep_to_their_assignment_and_enterprise,
            policy_matches_are_recorded_once_and_follow_scope,
            a_match_is_read_once_per_account_and_listed_by_enterprise,
        );
        $crate::workflow_conformance_tests!(@two $mode $fresh, $again;
            of_writers_at_one_version_exactly_one_wins,
            racing_recommendations_keep_the_quota,
            a_raced_idempotency_key_is_claimed_once,
            concurrent_writers_keep_one_chain,
            of_officials_racing_on_a_request_one_wins,
            of_officials_racing_on_a_menu_one_wins,
            of_officials_racing_on_a_match_one_wins,
        );
    };
    (@one $mode:tt $fresh:path; $($story:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $story() {
                let store = $crate::workflow_conformance_tests!(@open $mode $fresh);
                $crate::conformance::workflow::$story(&*store).await;
            }
        )+
    };
    (@two $mode:tt $fresh:path, $again:path; $($story:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $story() {
                let store = $crate::workflow_conformance_tests!(@open $mode $fresh);
                let other = $again(&store).await;
                $crate::conformance::workflow::$story(&*store, &*other).await;
            }
        )+
    };
    (optional $fresh:path, $again:path) => {
        $crate::workflow_conformance_tests!(@stories optional $fresh, $again);
    };
    ($fresh:path, $again:path) => {
        $crate::workflow_conformance_tests!(@stories required $fresh, $again);
    };
}

// ------------------------------------------------------------------ stories

pub use super::catalogue::{
    a_menu_publishes_supersedes_and_keeps_flagged_providers_out,
    of_officials_racing_on_a_menu_one_wins,
};
pub use super::policies::{
    a_match_is_read_once_per_account_and_listed_by_enterprise,
    of_officials_racing_on_a_match_one_wins, policy_matches_are_recorded_once_and_follow_scope,
};
pub use super::requests::{
    a_request_keeps_its_clocks_and_moves_by_compare_and_set,
    of_officials_racing_on_a_request_one_wins,
};
pub use super::stewards::{
    contacts_keep_to_their_assignment_and_enterprise,
    stewards_serve_pool_enterprises_and_end_by_version,
};

/// The audit head the [`script`] leaves: its hash covers every write's
/// before and after images, ids and instants, so every backend must reach
/// exactly this one.
const SCRIPT_HEAD: (i64, &str) = (
    32,
    "1f798b0eec6ba46a230407468b2daa0c8e8b15e87a375955d1f01e1ed4b0b1bc",
);

/// Every call of the store, through a declaration's whole life, the pool
/// and the audit chain: each answers, each failure is the one expected, and
/// the chain verifies and ends where every backend's ends.
pub async fn the_workflow_script_keeps_its_promises(db: &dyn WorkflowStore) {
    script(db).await;
    let entries = assert_chain_holds(db, None).await;
    let head = db.audit_head().await.expect("head").expect("a head");
    assert_eq!(u64::try_from(head.0), Ok(entries));
    assert_eq!(
        (head.0, head.1.as_str()),
        SCRIPT_HEAD,
        "the chain differs from the one every backend writes"
    );
}

fn draft(enterprise_id: &str, region: &str) -> NewDeclaration {
    NewDeclaration {
        cycle: 2025,
        tier: "potential".into(),
        form: DeclarationForm::default(),
        ..declaration_of(enterprise_id, Placement::of(Some(division(region)), None))
    }
}

fn submit() -> StepRequest {
    request(step(
        ActionKind::Submit,
        DeclarationState::Draft,
        DeclarationState::Submitted,
    ))
}

/// A city reviewer, acting one second later.
async fn reviewer(db: &dyn WorkflowStore) -> Acting {
    let created = db
        .create_account(
            &NewAccount {
                must_change_password: false,
                ..new_account(
                    "sz.reviewer",
                    Role::CityReviewer,
                    Jurisdiction::Division(division("440300")),
                    Placement::of(Some(division("440300")), None),
                )
            },
            &acting(None, "system:test", 0),
        )
        .await
        .expect("account");
    acting(Some(created.id), "sz.reviewer", 1)
}

/// A step applies only at the version it was decided at; a stale one
/// writes nothing.
pub async fn steps_compare_and_set_on_the_version(db: &dyn WorkflowStore) {
    let acting = reviewer(db).await;
    let created = db
        .create_declaration(&draft("alpha", "440305"), &acting)
        .await
        .expect("create");
    assert_eq!(created.version, 1);
    let moved = db
        .apply_step(created.id, 1, &submit(), &acting)
        .await
        .expect("submit");
    assert_eq!(
        (moved.state, moved.version),
        (DeclarationState::Submitted, 2)
    );
    assert_eq!(moved.submitted_by, acting.actor);
    let again = db.apply_step(created.id, 1, &submit(), &acting).await;
    assert!(
        matches!(
            again,
            Err(WorkflowError::VersionConflict {
                expected: 1,
                actual: 2
            })
        ),
        "{again:?}"
    );
    let steps = db.steps(created.id).await.expect("steps");
    assert_eq!(steps.len(), 2, "create and submit only");
    let missing = db
        .apply_step(DeclarationId(999), 1, &submit(), &acting)
        .await;
    assert!(
        matches!(missing, Err(WorkflowError::NotFound)),
        "{missing:?}"
    );
}

/// A second live declaration for one enterprise and cycle is refused, and
/// lists hold what their scope covers.
pub async fn one_live_declaration_per_cycle_and_lists_follow_scope(db: &dyn WorkflowStore) {
    let acting = reviewer(db).await;
    db.create_declaration(&draft("alpha", "440305"), &acting)
        .await
        .expect("first");
    let second = db
        .create_declaration(&draft("alpha", "440305"), &acting)
        .await;
    assert!(
        matches!(second, Err(WorkflowError::Duplicate(_))),
        "{second:?}"
    );
    db.create_declaration(&draft("gamma", "110108"), &acting)
        .await
        .expect("another enterprise");
    let page = Page {
        offset: 0,
        limit: 10,
    };
    let list = move |scope: Scope| async move {
        db.declarations(&DeclarationFilter {
            scope,
            cycle: Some(2025),
            state: None,
            tier: None,
            enterprise: None,
            page,
        })
        .await
        .expect("list")
        .total
    };
    assert_eq!(list(Scope::All).await, 2);
    assert_eq!(list(Scope::City(division("440300"))).await, 1);
    assert_eq!(list(Scope::Province(division("110000"))).await, 1);
    assert_eq!(list(Scope::District(division("440304"))).await, 0);
    assert_eq!(list(Scope::Enterprise(enterprise("gamma"))).await, 1);
    let accounts = db
        .accounts(&Scope::Province(division("110000")), page)
        .await
        .expect("accounts");
    assert_eq!(accounts.total, 0, "the reviewer sits in Guangdong");
}

/// A key is claimed once, replays its response once complete, refuses
/// another request, and is another key for another account.
pub async fn idempotency_keys_are_claimed_once_per_account(db: &dyn WorkflowStore) {
    let me = reviewer(db).await.actor.expect("an account");
    let claim =
        move |fingerprint: &'static str| db.claim_idempotency_key(me, "k", fingerprint, instant(5));
    assert_eq!(claim("f1").await.expect("claim"), IdempotencyClaim::Claimed);
    assert_eq!(
        claim("f1").await.expect("claim"),
        IdempotencyClaim::InProgress
    );
    assert_eq!(
        claim("f2").await.expect("claim"),
        IdempotencyClaim::Mismatch
    );
    let response = StoredResponse {
        status: 200,
        content_type: Some("application/json".into()),
        body: b"{}".to_vec(),
    };
    db.complete_idempotency_key(me, "k", &response)
        .await
        .expect("complete");
    assert_eq!(
        claim("f1").await.expect("claim"),
        IdempotencyClaim::Replay(response)
    );
    let other = AccountId(me.0 + 1);
    let claim_other = move || db.claim_idempotency_key(other, "k", "f1", instant(6));
    assert_eq!(
        claim_other().await.expect("claim"),
        IdempotencyClaim::Claimed
    );
    db.release_idempotency_key(other, "k")
        .await
        .expect("release");
    assert_eq!(
        claim_other().await.expect("claim"),
        IdempotencyClaim::Claimed
    );
}

/// Every write, and only a write that happened, extends one chain that
/// verifies; a scope sees the entries filed under it.
pub async fn every_write_extends_one_verifiable_chain(db: &dyn WorkflowStore) {
    let acting = reviewer(db).await;
    let created = db
        .create_declaration(&draft("alpha", "440305"), &acting)
        .await
        .expect("create");
    db.apply_step(created.id, 1, &submit(), &acting)
        .await
        .expect("submit");
    let failed = db.apply_step(created.id, 1, &submit(), &acting).await;
    assert!(failed.is_err(), "a stale step fails");
    db.append_audit(&AuditRecord {
        at: instant(9),
        actor: None,
        actor_name: "system:test".into(),
        jurisdiction: "CN".into(),
        action: "ledger.import".into(),
        subject: "import:test".into(),
        before: None,
        after: Some("{}".into()),
    })
    .await
    .expect("append");
    let entries = db
        .audit_entries(&AuditFilter {
            scope: Scope::All,
            after: 0,
            limit: 100,
        })
        .await
        .expect("audit");
    let actions: Vec<&str> = entries.iter().map(|e| e.record.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "account.create",
            "declaration.create",
            "declaration.submit",
            "ledger.import"
        ]
    );
    assert_eq!(assert_chain_holds(db, Some(4)).await, 4);
    let shenzhen = db
        .audit_entries(&AuditFilter {
            scope: Scope::City(division("440300")),
            after: 0,
            limit: 100,
        })
        .await
        .expect("audit");
    assert_eq!(shenzhen.len(), 3, "the import is filed under the nation");
}

async fn admin(db: &dyn WorkflowStore) -> AccountId {
    db.create_account(
        &NewAccount {
            must_change_password: false,
            ..new_account(
                "admin",
                Role::MinistryAdmin,
                Jurisdiction::Nation,
                Placement::default(),
            )
        },
        &acting(None, "system:test", 0),
    )
    .await
    .expect("admin")
    .id
}

/// Of many writers at one version, from two stores at once, exactly one
/// wins; the others are told the version moved on.
pub async fn of_writers_at_one_version_exactly_one_wins(
    first: &dyn WorkflowStore,
    second: &dyn WorkflowStore,
) {
    let admin = admin(first).await;
    let stores = [first, second];
    let racers = (0..12).map(|n| async move {
        let change = AccountChange {
            display_name: Some(format!("writer {n}")),
            ..AccountChange::default()
        };
        let acting = acting(Some(admin), "admin", n as i64);
        stores[n % 2]
            .update_account(admin, 1, &change, &acting)
            .await
    });
    let mut won = 0;
    for outcome in join_all(racers).await {
        match outcome {
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
    assert_chain_holds(first, Some(2)).await;
}

/// Recommendations racing for a province's last places, from two stores at
/// once, take exactly the quota.
pub async fn racing_recommendations_keep_the_quota(
    first: &dyn WorkflowStore,
    second: &dyn WorkflowStore,
) {
    let admin = admin(first).await;
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
    let stores = [first, second];
    let recommend = StepRequest {
        quota_limit: Some(3),
        public_objection: None,
        ..request(step(
            ActionKind::Recommend,
            DeclarationState::Draft,
            DeclarationState::Recommended,
        ))
    };
    let as_admin = acting(Some(admin), "admin", 2);
    let racers = ready
        .iter()
        .enumerate()
        .map(|(n, d)| stores[n % 2].apply_step(d.id, d.version, &recommend, &as_admin));
    let mut recommended = 0;
    for outcome in join_all(racers).await {
        match outcome {
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
    assert_chain_holds(first, Some(1 + 1 + 10 + 3)).await;
}

/// Of many requests with one key, from two stores at once, one claims it.
pub async fn a_raced_idempotency_key_is_claimed_once(
    first: &dyn WorkflowStore,
    second: &dyn WorkflowStore,
) {
    let admin = admin(first).await;
    let stores = [first, second];
    let claims = (0..16)
        .map(|n| stores[n % 2].claim_idempotency_key(admin, "retry-me", "fingerprint", instant(0)));
    let outcomes: Vec<_> = join_all(claims)
        .await
        .into_iter()
        .map(|o| o.expect("claim"))
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

/// Writes per store in [`concurrent_writers_keep_one_chain`].
const WRITES: usize = 10;

/// Two stores write at once (zones created, and both racing to rename one
/// zone at version 1); the audit chain comes out linear and verified, with
/// every write in it and exactly one rename.
pub async fn concurrent_writers_keep_one_chain(
    first: &dyn WorkflowStore,
    second: &dyn WorkflowStore,
) {
    let shared = zone("shared", "共享园区", "440300", None);
    first
        .seed_zones(
            std::slice::from_ref(&shared),
            &acting(None, "system:test", 0),
        )
        .await
        .expect("seed");
    futures::join!(write_zones("first", first), write_zones("second", second));
    assert_chain_holds(first, Some(1 + 2 * WRITES as u64 + 1)).await;
    let renamed = first.zone(&shared.id).await.expect("zone").expect("stored");
    assert_eq!(renamed.version, 2);
    let zones: HashSet<String> = second
        .zones()
        .await
        .expect("zones")
        .into_iter()
        .map(|z| z.zone.id.to_string())
        .collect();
    assert_eq!(zones.len(), 1 + 2 * WRITES);
}

/// One writer's work in [`concurrent_writers_keep_one_chain`]: its zones,
/// with a try at renaming the shared zone halfway.
async fn write_zones(name: &str, store: &dyn WorkflowStore) {
    for n in 0..WRITES {
        let id = format!("{name}-zone-{n}");
        store
            .create_zone(
                &zone(&id, &format!("园区 {id}"), "440300", None),
                &acting(None, &format!("system:{name}"), n as i64),
            )
            .await
            .expect("create a zone");
        if n == WRITES / 2 {
            let renamed = zone("shared", &format!("共享园区（{name}）"), "440300", None);
            match store
                .update_zone(&renamed, 1, &acting(None, "system:rename", 0))
                .await
            {
                Ok(_) | Err(WorkflowError::VersionConflict { .. }) => {}
                Err(other) => panic!("rename: {other}"),
            }
        }
    }
}

/// The chain verifies and ends at the head; it has `entries` entries if
/// given. Returns how many it has.
pub async fn assert_chain_holds(db: &dyn WorkflowStore, entries: Option<u64>) -> u64 {
    let all = db
        .audit_entries(&AuditFilter {
            scope: Scope::All,
            after: 0,
            limit: u64::MAX,
        })
        .await
        .expect("audit");
    let head = db.audit_head().await.expect("head");
    let verified = verify(&all, head.as_ref().map(|(seq, hash)| (*seq, hash.as_str())))
        .unwrap_or_else(|e| panic!("the chain does not verify: {e:?}"));
    if let Some(entries) = entries {
        assert_eq!(verified, entries);
    }
    verified
}

// ------------------------------------------------------------------ fixtures

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
pub fn instant(second: i64) -> Timestamp {
    let base: Timestamp = "2025-03-06T08:00:00.123456789Z".parse().expect("instant");
    base.checked_add(jiff::SignedDuration::from_secs(second))
        .expect("instant")
}

/// `at` as a store keeps it: cut to the microsecond.
pub(crate) fn as_stored(at: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(at.as_microsecond()).expect("an instant in range")
}

pub fn acting(actor: Option<AccountId>, name: &str, second: i64) -> Acting {
    Acting {
        at: instant(second),
        actor,
        actor_name: name.to_owned(),
    }
}

pub fn zone(id: &str, name: &str, city: &str, district: Option<&str>) -> Zone {
    Zone {
        id: zone_id(id),
        name: name.to_owned(),
        kind: ZoneKind::HighTech,
        city: division(city),
        district: district.map(division),
        aliases: vec![format!("{name}（简称）")],
    }
}

pub(crate) fn new_account(
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
        // As an official creating it through the API.
        must_change_password: true,
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
        public_objection: None,
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
#[derive(Debug, Default)]
pub struct Trace(pub Vec<String>);

impl Trace {
    fn note<T: Debug>(&mut self, what: &str, value: &T) {
        self.0.push(format!("{what}: {value:?}"));
    }

    /// Notes `result` and hands back its value; a failure is a broken script.
    fn ok<T: Debug>(&mut self, what: &str, result: Result<T, WorkflowError>) -> T {
        self.note(what, &result);
        result.unwrap_or_else(|e| panic!("{what}: {e}"))
    }

    /// Notes `result`, which must be the failure `expected` recognises.
    fn fails<T: Debug>(
        &mut self,
        what: &str,
        expected: impl Fn(&WorkflowError) -> bool,
        result: Result<T, WorkflowError>,
    ) {
        self.note(what, &result);
        match &result {
            Err(error) if expected(error) => {}
            other => panic!("{what}: not the expected failure: {other:?}"),
        }
    }
}

/// Drives every call of the workflow store through a declaration's life,
/// the pool and the audit chain. Failing calls come last: PostgreSQL spends
/// an id on an insert that fails and SQLite does not, and ids must agree
/// for the traces (and the audit hashes, which cover them) to be equal.
pub async fn script(db: &dyn WorkflowStore) -> Trace {
    let mut t = Trace::default();
    let system = |second| acting(None, "system:cli", second);
    t.ok("has accounts", db.has_accounts().await);

    let admin = t.ok(
        "create admin",
        db.create_account(
            // A fixture whose password is its own, as the demo's are.
            &NewAccount {
                must_change_password: false,
                ..new_account(
                    "admin",
                    Role::MinistryAdmin,
                    Jurisdiction::Nation,
                    Placement::default(),
                )
            },
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

    // Sign-in attempts: counted before the password check, under every key;
    // refused past the limit without being recorded; a success forgets its
    // own rows only.
    let keys = ["user:4f2a".to_owned(), "ip:9c1e".to_owned()];
    let below_two = |tallies: &[AttemptTally]| tallies.iter().all(|t| t.attempts < 2);
    for (ticket, at, admitted, counted) in [
        ("t1", 20, true, 0),
        ("t2", 21, true, 1),
        ("t3", 22, false, 2),
    ] {
        let attempt = LoginAttempt {
            ticket,
            keys: &keys,
            since: instant(20),
            at: instant(at),
        };
        let (admit, tallies) = t.ok("attempt", db.login_attempt(&attempt, &below_two).await);
        assert_eq!(admit, admitted, "attempt {ticket}");
        assert!(
            tallies.iter().all(|t| t.attempts == counted),
            "{ticket}: {tallies:?}"
        );
    }
    t.ok("forget", db.forget_login_attempt("t1").await);
    let attempt = LoginAttempt {
        ticket: "t4",
        keys: &keys[1..],
        since: instant(20),
        at: instant(23),
    };
    // t1's success left t2 under the address: one attempt, admitted.
    let (admit, tallies) = t.ok(
        "attempt after a success",
        db.login_attempt(&attempt, &below_two).await,
    );
    assert!(admit && tallies[0].attempts == 1, "{tallies:?}");
    assert_eq!(tallies[0].latest, Some(as_stored(instant(21))));
    let attempt = LoginAttempt {
        ticket: "t5",
        keys: &keys,
        since: instant(22),
        at: instant(24),
    };
    // From instant 22 on, only t4 (at 23, under the address) is counted.
    let (admit, tallies) = t.ok(
        "attempt once the window moved",
        db.login_attempt(&attempt, &below_two).await,
    );
    assert!(admit, "{tallies:?}");
    assert_eq!(
        tallies.iter().map(|t| t.attempts).collect::<Vec<_>>(),
        [0, 1]
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
                public_objection: None,
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
    let notices = t.ok(
        "notices",
        db.notices(Page {
            offset: 0,
            limit: 10,
        })
        .await,
    );
    assert_eq!(notices.total, 1, "the accepted declaration is under notice");
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
    // A member of the public objects without an account, naming themselves
    // and attaching a file.
    let pdf = b"%PDF-1.4\n% an objector's evidence\n".to_vec();
    let d = t.ok(
        "object publicly",
        db.apply_step(
            d.id,
            d.version,
            &StepRequest {
                public_objection: Some(PublicObjection {
                    objector: PublicObjector {
                        name: "李四".to_owned(),
                        contact: "lisi@example.cn".to_owned(),
                    },
                    attachment: Some(NewAttachment {
                        name: "专利证书.pdf".to_owned(),
                        kind: EvidenceType::Pdf,
                        sha256: "0".repeat(64),
                        content: pdf.clone(),
                    }),
                }),
                ..request(Transition {
                    objection: Some(ObjectionChange::Lodge {
                        text: "专利归属存疑".to_owned(),
                    }),
                    ..step(
                        ActionKind::Object,
                        DeclarationState::PublicNotice,
                        DeclarationState::PublicNotice,
                    )
                })
            },
            &acting(None, "public", 57),
        )
        .await,
    );
    let objections = t.ok("objections", db.objections(d.id).await);
    assert_eq!(objections.len(), 2);
    assert_eq!(objections[0].lodged_by, Some(province.id));
    assert_eq!(
        (&objections[0].objector, &objections[0].attachment),
        (&None, &None)
    );
    assert_eq!(objections[1].lodged_by, None, "the public has no account");
    assert_eq!(
        objections[1].objector.as_ref().map(|o| o.contact.as_str()),
        Some("lisi@example.cn")
    );
    let listed = objections[1]
        .attachment
        .clone()
        .expect("the attachment listed");
    assert_eq!(
        (listed.size, listed.kind),
        (pdf.len() as u64, EvidenceType::Pdf)
    );
    let (_, content) = t
        .ok(
            "objection attachment",
            db.objection_attachment(d.id, objections[1].id).await,
        )
        .expect("the attachment kept");
    assert_eq!(content, pdf);
    assert!(
        t.ok(
            "no attachment",
            db.objection_attachment(d.id, objections[0].id).await
        )
        .is_none()
    );
    let public_steps = t.ok("steps", db.steps(d.id).await);
    assert_eq!(public_steps.last().map(|s| s.actor), Some(None));
    let d = t.ok(
        "resolve the public objection",
        db.apply_step(
            d.id,
            d.version,
            &request(Transition {
                reason: Some("专利权属清楚".to_owned()),
                objection: Some(ObjectionChange::Resolve {
                    id: objections[1].id,
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
    t.ok(
        "no such evidence",
        db.evidence_content(d.id, EvidenceId(999)).await,
    );
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
    let again = t.ok(
        "propose again",
        db.record_proposals(date(2025, 12, 31), &[proposal], &system(61))
            .await,
    );
    assert_eq!((again.created, again.already_pending), (0, vec![member]));
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
    t.fails(
        "taken username",
        |e| matches!(e, WorkflowError::Duplicate(_)),
        db.create_account(
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
    t.fails(
        "stale account version",
        |e| matches!(e, WorkflowError::VersionConflict { .. }),
        db.update_account(
            city.id,
            city.version,
            &AccountChange::default(),
            &as_admin(71),
        )
        .await,
    );
    t.fails(
        "missing account",
        |e| matches!(e, WorkflowError::NotFound),
        db.update_account(AccountId(999), 1, &AccountChange::default(), &as_admin(71))
            .await,
    );
    t.fails(
        "second live declaration",
        |e| matches!(e, WorkflowError::Duplicate(_)),
        db.create_declaration(&declaration_of("alpha", shenzhen()), &as_owner(72))
            .await,
    );
    t.fails(
        "stale declaration version",
        |e| matches!(e, WorkflowError::VersionConflict { .. }),
        db.edit_declaration(d.id, d.version - 1, &form, &as_owner(73))
            .await,
    );
    t.fails(
        "evidence limit",
        |e| matches!(e, WorkflowError::LimitReached(_)),
        db.add_evidence(
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
    t.fails(
        "quota used up",
        |e| matches!(e, WorkflowError::QuotaExhausted { limit: 1 }),
        db.apply_step(
            beta.id,
            beta.version,
            &StepRequest {
                quota_limit: Some(1),
                public_objection: None,
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
    t.fails(
        "decided already",
        |e| matches!(e, WorkflowError::VersionConflict { .. }),
        db.decide_proposal(
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
    t.fails(
        "stale zone",
        |e| matches!(e, WorkflowError::VersionConflict { .. }),
        db.update_zone(&changed, created.version, &as_admin(77))
            .await,
    );
    t.fails(
        "taken zone id",
        |e| matches!(e, WorkflowError::Duplicate(_)),
        db.create_zone(&zones[1], &as_admin(78)).await,
    );
    t.fails(
        "taken rule set",
        |e| matches!(e, WorkflowError::Duplicate(_)),
        db.add_rule_set(&rules, &as_admin(79)).await,
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

#[test]
fn instants_carry_nanoseconds_for_the_store_to_cut() {
    assert_ne!(instant(0).subsec_nanosecond() % 1_000, 0);
}
