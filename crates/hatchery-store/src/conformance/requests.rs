//! Stories of enterprises' requests (诉求) every
//! [`WorkflowStore`] must pass: run by
//! [`workflow_conformance_tests!`](crate::workflow_conformance_tests) with
//! the workflow's own.

use futures::future::join_all;
use hatchery_core::services::request::{RequestAction, RequestState, RequestTransition};
use hatchery_core::services::{Dues, Level, RequestChannel, RequestClass, RequestForm};
use hatchery_core::workflow::{Jurisdiction, Placement, Role, Scope};
use hatchery_core::{DivisionCode, EnterpriseId};
use jiff::SignedDuration;

use super::workflow::{acting, as_stored, assert_chain_holds, instant, new_account};
use crate::workflow::{
    Acting, NewServiceRequest, Page, RequestFilter, ServiceRequest, WorkflowError, WorkflowStore,
};

fn placed(region: &str) -> Placement {
    Placement::of(Some(DivisionCode::parse(region).expect("fixture")), None)
}

fn dues(second: i64) -> Dues {
    let at = |hours: i64| as_stored(instant(second)) + SignedDuration::from_hours(hours);
    Dues {
        accept: at(2),
        answer: at(24),
        close: at(72),
        escalate: at(12),
    }
}

fn filed(enterprise: &str, region: &str) -> NewServiceRequest {
    NewServiceRequest {
        enterprise: EnterpriseId::parse(enterprise).expect("fixture"),
        placement: placed(region),
        form: RequestForm {
            class: RequestClass::General,
            channel: RequestChannel::Platform,
            title: format!("{enterprise} 需要中试场地"),
            body: "第一行\n第二行".to_owned(),
        },
        clock_set: "national".to_owned(),
        clock_version: "2025.1".to_owned(),
        dues: dues(0),
    }
}

fn moving(action: RequestAction, from: RequestState, to: RequestState) -> RequestTransition {
    RequestTransition {
        action,
        from,
        to,
        level: Level::Local,
        text: None,
        department: None,
        shared: false,
        confirmation: None,
        dues: None,
    }
}

async fn officer(db: &dyn WorkflowStore) -> Acting {
    let created = db
        .create_account(
            &new_account(
                "sz.officer",
                Role::CityReviewer,
                Jurisdiction::Division(DivisionCode::parse("440300").expect("fixture")),
                placed("440300"),
            ),
            &acting(None, "system:test", 0),
        )
        .await
        .expect("account");
    acting(Some(created.id), "sz.officer", 1)
}

fn everything(scope: Scope) -> RequestFilter {
    RequestFilter {
        scope,
        states: Vec::new(),
        level: None,
        class: None,
        enterprise: None,
        overdue_at: None,
        filed: None,
        page: Page {
            offset: 0,
            limit: 50,
        },
    }
}

/// A request is filed with its deadlines, moves only from the version it
/// was read at, keeps its first acceptance, answer and closure, its
/// steps and audit entries; lists follow scope, state and "overdue".
pub async fn a_request_keeps_its_clocks_and_moves_by_compare_and_set(db: &dyn WorkflowStore) {
    let by = officer(db).await;
    let request = db
        .file_request(&filed("alpha", "440305"), &by)
        .await
        .expect("file");
    assert_eq!(
        (request.state, request.level, request.version),
        (RequestState::Submitted, Level::Local, 1)
    );
    assert_eq!(request.dues, dues(0));
    assert_eq!(request.filed_dues, dues(0));
    assert_eq!(request.form.body, "第一行\n第二行");
    db.file_request(&filed("gamma", "110108"), &by)
        .await
        .expect("file in Beijing");

    let accept = moving(
        RequestAction::Accept,
        RequestState::Submitted,
        RequestState::Accepted,
    );
    let later = acting(by.actor, "sz.officer", 3 * 3600);
    let accepted = db
        .apply_request_step(request.id, 1, &accept, &later)
        .await
        .expect("accept");
    assert_eq!(accepted.accepted_at, Some(as_stored(instant(3 * 3600))));
    assert_eq!(accepted.version, 2);
    let stale = db.apply_request_step(request.id, 1, &accept, &later).await;
    assert!(
        matches!(
            stale,
            Err(WorkflowError::VersionConflict {
                expected: 1,
                actual: 2
            })
        ),
        "{stale:?}"
    );

    // Dispatched, started, suspended (the clocks stop), resumed with its
    // deadlines moved on, answered, closed with a reason, confirmed.
    let mut dispatch = moving(
        RequestAction::Dispatch,
        RequestState::Accepted,
        RequestState::Dispatched,
    );
    dispatch.department = Some("市工信局".to_owned());
    let steps = [
        dispatch,
        moving(
            RequestAction::Start,
            RequestState::Dispatched,
            RequestState::InProgress,
        ),
        moving(
            RequestAction::Suspend,
            RequestState::InProgress,
            RequestState::Suspended,
        ),
        RequestTransition {
            dues: Some(dues(3600)),
            ..moving(
                RequestAction::Resume,
                RequestState::Suspended,
                RequestState::InProgress,
            )
        },
        RequestTransition {
            text: Some("已协调场地".to_owned()),
            ..moving(
                RequestAction::Answer,
                RequestState::InProgress,
                RequestState::Answered,
            )
        },
        RequestTransition {
            text: Some("场地已落实".to_owned()),
            ..moving(
                RequestAction::Close,
                RequestState::Answered,
                RequestState::Closed,
            )
        },
        RequestTransition {
            confirmation: Some((true, 5)),
            ..moving(
                RequestAction::Confirm,
                RequestState::Closed,
                RequestState::Confirmed,
            )
        },
    ];
    let mut current: ServiceRequest = accepted;
    for (n, step) in steps.iter().enumerate() {
        let at = acting(by.actor, "sz.officer", 4 * 3600 + n as i64 * 60);
        current = db
            .apply_request_step(request.id, current.version, step, &at)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", step.action));
        if step.action == RequestAction::Suspend {
            assert_eq!(current.suspended_since, Some(as_stored(at.at)));
        }
    }
    assert_eq!(current.state, RequestState::Confirmed);
    assert_eq!(current.department.as_deref(), Some("市工信局"));
    assert_eq!(current.suspended_since, None);
    assert_eq!(current.dues, dues(3600), "moved on by the resumption");
    assert_eq!(current.filed_dues, dues(0), "as filed");
    assert_eq!(current.answer.as_deref(), Some("已协调场地"));
    assert_eq!(current.close_reason.as_deref(), Some("场地已落实"));
    assert_eq!(current.confirmation, Some((true, 5)));
    assert_eq!(current.accepted_at, Some(as_stored(instant(3 * 3600))));
    let history = db.request_steps(request.id).await.expect("steps");
    assert_eq!(
        history.iter().map(|s| s.action).collect::<Vec<_>>(),
        [
            RequestAction::File,
            RequestAction::Accept,
            RequestAction::Dispatch,
            RequestAction::Start,
            RequestAction::Suspend,
            RequestAction::Resume,
            RequestAction::Answer,
            RequestAction::Close,
            RequestAction::Confirm,
        ]
    );
    assert_eq!(history[2].department.as_deref(), Some("市工信局"));
    assert_eq!(history[6].text.as_deref(), Some("已协调场地"));

    // Lists: Shenzhen's office sees its own; the ministry sees both.
    let shenzhen = Scope::City(DivisionCode::parse("440300").expect("fixture"));
    let own = db
        .service_requests(&everything(shenzhen.clone()))
        .await
        .expect("list");
    assert_eq!((own.total, own.items[0].id), (1, request.id));
    assert_eq!(
        db.service_requests(&everything(Scope::All))
            .await
            .expect("all")
            .total,
        2
    );
    // The Beijing one, unaccepted, is overdue two hours after filing; the
    // confirmed one never is.
    let overdue = |second: i64| RequestFilter {
        overdue_at: Some(instant(second)),
        ..everything(Scope::All)
    };
    assert_eq!(
        db.service_requests(&overdue(3600)).await.expect("").total,
        0
    );
    let late = db.service_requests(&overdue(3 * 3600)).await.expect("late");
    assert_eq!(late.total, 1);
    assert_eq!(late.items[0].enterprise.as_str(), "gamma");
    // And waits for escalation once its escalation deadline has passed.
    let due = db
        .requests_due_for_escalation(instant(13 * 3600), 10)
        .await
        .expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].enterprise.as_str(), "gamma");
    let filed_steps = db
        .request_steps_filed(&shenzhen, (instant(0), instant(10)))
        .await
        .expect("steps filed");
    assert_eq!(filed_steps.len(), 9);
    assert!(filed_steps.iter().all(|(id, _)| *id == request.id));
    // Two filings and nine steps, each audited, plus the account.
    assert_chain_holds(db, Some(11)).await;
}

/// Two officials acting on one request at once, from two stores: exactly
/// one wins, the other is told the version moved on.
pub async fn of_officials_racing_on_a_request_one_wins(
    first: &dyn WorkflowStore,
    second: &dyn WorkflowStore,
) {
    let by = officer(first).await;
    let request = first
        .file_request(&filed("alpha", "440305"), &by)
        .await
        .expect("file");
    let stores = [first, second];
    let accept = moving(
        RequestAction::Accept,
        RequestState::Submitted,
        RequestState::Accepted,
    );
    let racers = (0..8).map(|n| {
        let accept = accept.clone();
        let at = acting(by.actor, "sz.officer", 10 + n as i64);
        async move {
            stores[n % 2]
                .apply_request_step(request.id, 1, &accept, &at)
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
    assert_eq!(
        first.request_steps(request.id).await.expect("steps").len(),
        2,
        "filed and accepted once"
    );
    assert_chain_holds(first, Some(3)).await;
}
