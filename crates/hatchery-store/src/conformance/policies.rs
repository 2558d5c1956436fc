//! Stories of policies (惠企政策) every [`WorkflowStore`] must pass: run by
//! [`workflow_conformance_tests!`](crate::workflow_conformance_tests) with
//! the workflow's own.

use futures::future::join_all;
use hatchery_core::services::policy::{
    AmountRule, ItemClass, ItemForm, MatchState, PolicyForm, PolicyState, RedemptionAction,
    RedemptionMode, RedemptionTransition,
};
use hatchery_core::workflow::{Jurisdiction, Placement, Role, Scope};
use hatchery_core::{DivisionCode, EnterpriseId};
use jiff::civil::date;
use rust_decimal::Decimal;

use super::workflow::{acting, assert_chain_holds, new_account};
use crate::workflow::{
    Acting, MatchFilter, NewPolicy, NewPolicyItem, NewPolicyMatch, Page, Policy, PolicyFilter,
    WorkflowError, WorkflowStore,
};

fn code(text: &str) -> DivisionCode {
    DivisionCode::parse(text).expect("fixture")
}

fn placed(region: &str) -> Placement {
    Placement::of(Some(code(region)), None)
}

const PAGE: Page = Page {
    offset: 0,
    limit: 100,
};

async fn official(db: &dyn WorkflowStore) -> Acting {
    let created = db
        .create_account(
            &new_account(
                "sy.policy",
                Role::CityReviewer,
                Jurisdiction::Division(code("210100")),
                placed("210100"),
            ),
            &acting(None, "system:test", 0),
        )
        .await
        .expect("account");
    acting(Some(created.id), "sy.policy", 1)
}

fn shenyang_policy() -> NewPolicy {
    NewPolicy {
        jurisdiction: Jurisdiction::Division(code("210100")),
        form: PolicyForm {
            issuer: "沈阳市人民政府办公室".into(),
            document_number: "沈政办发〔2024〕12号".into(),
            title: "沈阳市加快独角兽企业培育若干政策".into(),
            source_url: Some("https://www.shenyang.gov.cn/".into()),
            published_on: date(2024, 10, 15),
            valid_from: date(2024, 10, 15),
            valid_until: Some(date(2027, 12, 31)),
        },
    }
}

fn item() -> NewPolicyItem {
    NewPolicyItem {
        form: ItemForm {
            title: "首贷贴息".into(),
            class: ItemClass::Award,
            amount: AmountRule::Capped {
                cap: Decimal::new(50_000_000, 2),
                rule: "贷款利息的 50%".into(),
            },
            mode: RedemptionMode::FastApplication,
            payment_limit_days: None,
            eligibility: "key = \"x\"".into(),
        },
        payment_limit_days: Some(60),
    }
}

fn matched(enterprise: &str, region: &str) -> NewPolicyMatch {
    NewPolicyMatch {
        enterprise: EnterpriseId::parse(enterprise).expect("fixture"),
        placement: placed(region),
        decision: serde_json::json!({ "tier": "eligible" }),
    }
}

fn step(action: RedemptionAction, from: MatchState, to: MatchState) -> RedemptionTransition {
    RedemptionTransition {
        action,
        from,
        to,
        text: None,
    }
}

async fn published(db: &dyn WorkflowStore, by: &Acting) -> (Policy, crate::workflow::PolicyItem) {
    let draft = db
        .create_policy(&shenyang_policy(), by)
        .await
        .expect("create");
    assert_eq!((draft.state, draft.version), (PolicyState::Draft, 1));
    let item = db
        .add_policy_item(draft.id, 1, &item(), by)
        .await
        .expect("item");
    let policy = db
        .set_policy_state(draft.id, 2, PolicyState::Published, None, by)
        .await
        .expect("publish");
    (policy, item)
}

/// A policy with an item is written, published and matched twice: the
/// second run adds nothing; lists follow scope (the officials below and
/// the enterprise reached read it, another city does not); redemption
/// moves by compare-and-set and keeps its dates and reason.
pub async fn policy_matches_are_recorded_once_and_follow_scope(db: &dyn WorkflowStore) {
    let by = official(db).await;
    let (policy, item) = published(db, &by).await;
    assert_eq!(policy.version, 3);
    let stored_item = db.policy_items(policy.id).await.expect("items");
    assert_eq!(stored_item, vec![item.clone()]);
    assert_eq!(item.payment_limit_days, Some(60));
    assert_eq!(
        item.form.amount,
        AmountRule::Capped {
            cap: Decimal::new(500_000, 0),
            rule: "贷款利息的 50%".into()
        }
    );
    // An item cannot be added at a stale version.
    assert!(matches!(
        db.add_policy_item(policy.id, 1, &crate::conformance::policies::item(), &by)
            .await,
        Err(WorkflowError::VersionConflict {
            expected: 1,
            actual: 3
        })
    ));

    let read = |within: Option<Scope>, above: Vec<Jurisdiction>, published_only| PolicyFilter {
        within,
        above,
        published_only,
        page: PAGE,
    };
    let city = db
        .policies(&read(Some(Scope::City(code("210100"))), vec![], false))
        .await
        .expect("list");
    assert_eq!(city.total, 1);
    let other_city = db
        .policies(&read(
            Some(Scope::City(code("210200"))),
            vec![Jurisdiction::Nation, Jurisdiction::Division(code("210000"))],
            false,
        ))
        .await
        .expect("list");
    assert_eq!(
        other_city.total, 0,
        "Dalian does not read Shenyang's policy"
    );
    let district = db
        .policies(&read(
            Some(Scope::District(code("210102"))),
            vec![
                Jurisdiction::Nation,
                Jurisdiction::Division(code("210000")),
                Jurisdiction::Division(code("210100")),
            ],
            false,
        ))
        .await
        .expect("list");
    assert_eq!(district.total, 1, "a district reads its city's policy");
    let province = db
        .policies(&read(Some(Scope::Province(code("210000"))), vec![], false))
        .await
        .expect("list");
    assert_eq!(province.total, 1, "the province reads its cities' policies");

    let run = [matched("alpha", "210102"), matched("beta", "210103")];
    let first = db
        .record_policy_matches(item.id, date(2025, 6, 30), &run, &by)
        .await
        .expect("match");
    assert_eq!((first.created, first.already), (2, 0));
    let again = db
        .record_policy_matches(
            item.id,
            date(2025, 7, 31),
            &[matched("alpha", "210102"), matched("gamma", "210104")],
            &by,
        )
        .await
        .expect("match again");
    assert_eq!((again.created, again.already), (1, 1));
    let listing = |scope: Scope| MatchFilter {
        scope,
        enterprise: None,
        policy: Some(policy.id),
        item: None,
        states: vec![],
        page: PAGE,
    };
    let all = db
        .policy_matches(&listing(Scope::City(code("210100"))))
        .await
        .expect("matches");
    assert_eq!(all.total, 3, "no duplicate for alpha");
    let alpha = db
        .policy_matches(&listing(Scope::Enterprise(
            EnterpriseId::parse("alpha").expect("fixture"),
        )))
        .await
        .expect("own");
    assert_eq!(alpha.total, 1, "an enterprise reads only its own");
    let alpha = alpha.items[0].clone();
    assert_eq!(alpha.as_of, date(2025, 6, 30), "the first run's day stays");
    assert_eq!(alpha.state, MatchState::Matched);
    assert_eq!(
        db.policy_matches(&listing(Scope::City(code("210200"))))
            .await
            .expect("other")
            .total,
        0
    );

    let walk = [
        (
            RedemptionAction::Push,
            MatchState::Matched,
            MatchState::Pushed,
        ),
        (
            RedemptionAction::Apply,
            MatchState::Pushed,
            MatchState::Applied,
        ),
        (
            RedemptionAction::Review,
            MatchState::Applied,
            MatchState::UnderReview,
        ),
    ];
    let mut version = alpha.version;
    for (n, (action, from, to)) in walk.into_iter().enumerate() {
        let moved = db
            .apply_policy_match_step(
                alpha.id,
                version,
                &step(action, from, to),
                date(2025, 9, 26 + n as i8),
                &by,
            )
            .await
            .expect("step");
        version = moved.version;
        assert_eq!(moved.state, to);
    }
    let stale = db
        .apply_policy_match_step(
            alpha.id,
            1,
            &step(
                RedemptionAction::Approve,
                MatchState::UnderReview,
                MatchState::Approved,
            ),
            date(2025, 10, 9),
            &by,
        )
        .await;
    assert!(matches!(
        stale,
        Err(WorkflowError::VersionConflict {
            expected: 1,
            actual: 4
        })
    ));
    let rejected = db
        .apply_policy_match_step(
            alpha.id,
            version,
            &RedemptionTransition {
                text: Some("营业收入未达标".into()),
                ..step(
                    RedemptionAction::Reject,
                    MatchState::UnderReview,
                    MatchState::Rejected,
                )
            },
            date(2025, 10, 9),
            &by,
        )
        .await
        .expect("reject");
    assert_eq!(rejected.reason.as_deref(), Some("营业收入未达标"));
    assert_eq!(rejected.pushed_on, Some(date(2025, 9, 26)));
    assert_eq!(rejected.applied_on, Some(date(2025, 9, 27)));
    assert_eq!(rejected.decided_on, Some(date(2025, 10, 9)));
    let steps = db.policy_match_steps(alpha.id).await.expect("steps");
    assert_eq!(steps.len(), 4);
    assert_eq!(steps[3].text.as_deref(), Some("营业收入未达标"));
    // account, policy, item, publish, two runs, four steps.
    assert_chain_holds(db, Some(10)).await;
}

/// Two officials acting on one match at once, from two stores: exactly one
/// wins, the other is told the version moved on.
pub async fn of_officials_racing_on_a_match_one_wins(
    first: &dyn WorkflowStore,
    second: &dyn WorkflowStore,
) {
    let by = official(first).await;
    let (_, item) = published(first, &by).await;
    first
        .record_policy_matches(
            item.id,
            date(2025, 6, 30),
            &[matched("alpha", "210102")],
            &by,
        )
        .await
        .expect("match");
    let found = first
        .policy_matches(&MatchFilter {
            scope: Scope::All,
            enterprise: None,
            policy: None,
            item: Some(item.id),
            states: vec![MatchState::Matched],
            page: PAGE,
        })
        .await
        .expect("list");
    let id = found.items[0].id;
    let stores = [first, second];
    let push = step(
        RedemptionAction::Push,
        MatchState::Matched,
        MatchState::Pushed,
    );
    let racers = (0..8).map(|n| {
        let push = push.clone();
        let at = acting(by.actor, "sy.policy", 10 + n as i64);
        async move {
            stores[n % 2]
                .apply_policy_match_step(id, 1, &push, date(2025, 7, 1), &at)
                .await
        }
    });
    let mut won = 0;
    for outcome in join_all(racers).await {
        match outcome {
            Ok(moved) => {
                won += 1;
                assert_eq!(moved.version, 2);
            }
            Err(WorkflowError::VersionConflict {
                expected: 1,
                actual: 2,
            }) => {}
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(first.policy_match_steps(id).await.expect("steps").len(), 1);
}

/// Matches are listed by enterprise within a scope; a match is read once
/// per account: the first reading is kept and audited, a second changes
/// nothing, and another account's reading is its own.
pub async fn a_match_is_read_once_per_account_and_listed_by_enterprise(db: &dyn WorkflowStore) {
    let by = official(db).await;
    let (policy, item) = published(db, &by).await;
    db.record_policy_matches(
        item.id,
        date(2025, 6, 30),
        &[matched("alpha", "210102"), matched("gamma", "210104")],
        &by,
    )
    .await
    .expect("match");
    let of = |scope: Scope, enterprise: &str| MatchFilter {
        scope,
        enterprise: Some(EnterpriseId::parse(enterprise).expect("fixture")),
        policy: None,
        item: None,
        states: vec![],
        page: PAGE,
    };
    let alpha = db
        .policy_matches(&of(Scope::City(code("210100")), "alpha"))
        .await
        .expect("alpha's");
    assert_eq!(alpha.total, 1);
    assert_eq!(alpha.items[0].enterprise.as_str(), "alpha");
    assert_eq!(
        db.policy_matches(&of(Scope::City(code("210200")), "alpha"))
            .await
            .expect("elsewhere")
            .total,
        0,
        "another city does not list alpha's matches"
    );
    let gamma = db
        .policy_matches(&of(Scope::All, "gamma"))
        .await
        .expect("gamma's")
        .items[0]
        .id;
    let alpha = alpha.items[0].id;
    let account = by.actor.expect("an account");
    let before = assert_chain_holds(db, None).await;
    assert!(
        db.policy_matches_read(account, &[alpha, gamma])
            .await
            .expect("reads")
            .is_empty()
    );
    assert!(db.mark_policy_match_read(alpha, &by).await.expect("read"));
    assert!(
        !db.mark_policy_match_read(alpha, &acting(by.actor, "sy.policy", 5))
            .await
            .expect("read again"),
        "a second reading is not a first"
    );
    assert_eq!(
        db.policy_matches_read(account, &[alpha, gamma])
            .await
            .expect("reads"),
        vec![alpha]
    );
    assert_eq!(
        assert_chain_holds(db, None).await,
        before + 1,
        "the first reading is audited, the second is not"
    );
    assert_eq!(
        db.policy_matches_read(account, &[gamma])
            .await
            .expect("reads"),
        vec![]
    );
    let other = db
        .create_account(
            &new_account(
                "sy.other",
                Role::CityReviewer,
                Jurisdiction::Division(code("210100")),
                placed("210100"),
            ),
            &acting(None, "system:test", 6),
        )
        .await
        .expect("account");
    assert!(
        db.policy_matches_read(other.id, &[alpha, gamma])
            .await
            .expect("reads")
            .is_empty(),
        "one account's reading is not another's"
    );
    let missing = db
        .mark_policy_match_read(hatchery_core::services::policy::PolicyMatchId(999_999), &by)
        .await;
    assert!(
        matches!(missing, Err(WorkflowError::NotFound)),
        "{missing:?}"
    );
    assert_eq!(policy.state, PolicyState::Published);
}
