//! The workflow store's promises, checked directly on SQLite: compare-and-set
//! writes, one live declaration per cycle, scope filtering, idempotency
//! claims, and an audit chain that stays linear and verifiable.

use hatchery_core::DivisionCode;
use hatchery_core::EnterpriseId;
use hatchery_core::workflow::audit::{AuditRecord, verify};
use hatchery_core::workflow::declaration::Transition;
use hatchery_core::workflow::{
    AccountId, ActionKind, DeclarationForm, DeclarationState, Jurisdiction, Placement, Role, Scope,
    Username,
};
use hatchery_sqlite::SqliteStore;
use hatchery_store::workflow::{
    Acting, AuditFilter, DeclarationFilter, IdempotencyClaim, NewAccount, NewDeclaration, Page,
    StepRequest, StoredResponse, WorkflowError, WorkflowStore,
};
use jiff::Timestamp;

async fn store() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("w.db").display());
    (SqliteStore::open(&url).await.unwrap(), dir)
}

fn at(second: i64) -> Timestamp {
    Timestamp::from_second(1_741_000_000 + second).unwrap()
}

async fn account(store: &SqliteStore) -> Acting {
    let created = store
        .create_account(
            &NewAccount {
                username: Username::parse("sz.reviewer").unwrap(),
                display_name: "深圳".into(),
                role: Role::CityReviewer,
                jurisdiction: Jurisdiction::parse("440300").unwrap(),
                enterprise: None,
                placement: Placement::of(Some(DivisionCode::parse("440300").unwrap()), None),
                password_hash: "$argon2id$not-a-real-hash".into(),
            },
            &Acting {
                at: at(0),
                actor: None,
                actor_name: "system:test".into(),
            },
        )
        .await
        .unwrap();
    Acting {
        at: at(1),
        actor: Some(created.id),
        actor_name: "sz.reviewer".into(),
    }
}

fn draft(enterprise: &str, region: &str) -> NewDeclaration {
    NewDeclaration {
        enterprise: EnterpriseId::parse(enterprise).unwrap(),
        cycle: 2025,
        tier: "potential".into(),
        rule_set: "gei".into(),
        rule_set_version: "2023".into(),
        form: DeclarationForm::default(),
        placement: Placement::of(Some(DivisionCode::parse(region).unwrap()), None),
    }
}

fn submit() -> StepRequest {
    StepRequest {
        transition: Transition {
            action: ActionKind::Submit,
            from: DeclarationState::Draft,
            to: DeclarationState::Submitted,
            reason: None,
            notice: None,
            objection: None,
            membership: None,
        },
        precheck: None,
        quota_limit: None,
    }
}

#[tokio::test]
async fn steps_compare_and_set_on_the_version() {
    let (store, _dir) = store().await;
    let acting = account(&store).await;
    let created = store
        .create_declaration(&draft("alpha", "440305"), &acting)
        .await
        .unwrap();
    assert_eq!(created.version, 1);
    let moved = store
        .apply_step(created.id, 1, &submit(), &acting)
        .await
        .unwrap();
    assert_eq!(
        (moved.state, moved.version),
        (DeclarationState::Submitted, 2)
    );
    assert_eq!(moved.submitted_by, acting.actor);
    // The same step from the same stale read is refused and writes nothing.
    let again = store.apply_step(created.id, 1, &submit(), &acting).await;
    assert!(matches!(
        again,
        Err(WorkflowError::VersionConflict {
            expected: 1,
            actual: 2
        })
    ));
    assert_eq!(
        store.steps(created.id).await.unwrap().len(),
        2,
        "create and submit only"
    );
    let missing = store
        .apply_step(
            hatchery_core::workflow::DeclarationId(999),
            1,
            &submit(),
            &acting,
        )
        .await;
    assert!(matches!(missing, Err(WorkflowError::NotFound)));
}

#[tokio::test]
async fn one_live_declaration_per_enterprise_and_cycle_and_lists_follow_scope() {
    let (store, _dir) = store().await;
    let acting = account(&store).await;
    store
        .create_declaration(&draft("alpha", "440305"), &acting)
        .await
        .unwrap();
    let second = store
        .create_declaration(&draft("alpha", "440305"), &acting)
        .await;
    assert!(matches!(second, Err(WorkflowError::Duplicate(_))));
    store
        .create_declaration(&draft("gamma", "110108"), &acting)
        .await
        .unwrap();
    let list = |scope: Scope| {
        let store = &store;
        async move {
            store
                .declarations(&DeclarationFilter {
                    scope,
                    cycle: Some(2025),
                    state: None,
                    tier: None,
                    enterprise: None,
                    page: Page {
                        offset: 0,
                        limit: 10,
                    },
                })
                .await
                .unwrap()
                .total
        }
    };
    assert_eq!(list(Scope::All).await, 2);
    assert_eq!(
        list(Scope::City(DivisionCode::parse("440300").unwrap())).await,
        1
    );
    assert_eq!(
        list(Scope::Province(DivisionCode::parse("110000").unwrap())).await,
        1
    );
    assert_eq!(
        list(Scope::District(DivisionCode::parse("440304").unwrap())).await,
        0
    );
    assert_eq!(
        list(Scope::Enterprise(EnterpriseId::parse("gamma").unwrap())).await,
        1
    );
}

#[tokio::test]
async fn idempotency_keys_are_claimed_once() {
    let (store, _dir) = store().await;
    let acting = account(&store).await;
    let me = acting.actor.unwrap();
    let claim =
        |fingerprint: &'static str| store.claim_idempotency_key(me, "k", fingerprint, at(5));
    assert_eq!(claim("f1").await.unwrap(), IdempotencyClaim::Claimed);
    assert_eq!(claim("f1").await.unwrap(), IdempotencyClaim::InProgress);
    assert_eq!(claim("f2").await.unwrap(), IdempotencyClaim::Mismatch);
    let response = StoredResponse {
        status: 200,
        content_type: Some("application/json".into()),
        body: b"{}".to_vec(),
    };
    store
        .complete_idempotency_key(me, "k", &response)
        .await
        .unwrap();
    assert_eq!(
        claim("f1").await.unwrap(),
        IdempotencyClaim::Replay(response)
    );
    // Another account's "k" is another key.
    let other = AccountId(me.0 + 1);
    assert_eq!(
        store
            .claim_idempotency_key(other, "k", "f1", at(5))
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
    store.release_idempotency_key(other, "k").await.unwrap();
    assert_eq!(
        store
            .claim_idempotency_key(other, "k", "f1", at(6))
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
}

#[tokio::test]
async fn every_write_extends_one_verifiable_chain() {
    let (store, _dir) = store().await;
    let acting = account(&store).await;
    let created = store
        .create_declaration(&draft("alpha", "440305"), &acting)
        .await
        .unwrap();
    store
        .apply_step(created.id, 1, &submit(), &acting)
        .await
        .unwrap();
    // A failed write leaves no entry.
    let _ = store.apply_step(created.id, 1, &submit(), &acting).await;
    store
        .append_audit(&AuditRecord {
            at: at(9),
            actor: None,
            actor_name: "system:test".into(),
            jurisdiction: "CN".into(),
            action: "ledger.import".into(),
            subject: "import:test".into(),
            before: None,
            after: Some("{}".into()),
        })
        .await
        .unwrap();
    let entries = store
        .audit_entries(&AuditFilter {
            scope: Scope::All,
            after: 0,
            limit: 100,
        })
        .await
        .unwrap();
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
    let head = store.audit_head().await.unwrap().unwrap();
    assert_eq!(verify(&entries, Some((head.0, head.1.as_str()))), Ok(4));
    let shenzhen = store
        .audit_entries(&AuditFilter {
            scope: Scope::City(DivisionCode::parse("440300").unwrap()),
            after: 0,
            limit: 100,
        })
        .await
        .unwrap();
    assert_eq!(shenzhen.len(), 3, "the import is filed under the nation");
}
