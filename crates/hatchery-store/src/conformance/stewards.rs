//! Stories of stewards (服务管家) and the contact log (走访记录) every
//! [`WorkflowStore`] must pass: run by
//! [`workflow_conformance_tests!`](crate::workflow_conformance_tests) with
//! the workflow's own.

use hatchery_core::services::request::RequestId;
use hatchery_core::services::steward::{
    ContactChannel, ContactForm, StewardForm, StewardLevel, StewardRole,
};
use hatchery_core::services::{Dues, RequestChannel, RequestClass, RequestForm};
use hatchery_core::workflow::declaration::Transition;
use hatchery_core::workflow::{
    ActionKind, DeclarationForm, DeclarationState, Jurisdiction, Placement, Role, Scope,
};
use hatchery_core::{DivisionCode, EnterpriseId};
use jiff::civil::{Date, date};

use super::workflow::{acting, assert_chain_holds, instant, new_account};
use crate::workflow::{
    Acting, ContactFilter, NewDeclaration, NewServiceRequest, NewStewardAssignment, Page,
    StepRequest, StewardFilter, WorkflowError, WorkflowStore,
};

fn code(text: &str) -> DivisionCode {
    DivisionCode::parse(text).expect("fixture")
}

fn placed(region: &str) -> Placement {
    Placement::of(Some(code(region)), None)
}

fn id(text: &str) -> EnterpriseId {
    EnterpriseId::parse(text).expect("fixture")
}

const PAGE: Page = Page {
    offset: 0,
    limit: 50,
};

/// A city official of Shenzhen, signed in.
async fn official(db: &dyn WorkflowStore) -> Acting {
    let created = db
        .create_account(
            &new_account(
                "sz.steward-office",
                Role::CityReviewer,
                Jurisdiction::Division(code("440300")),
                placed("440300"),
            ),
            &acting(None, "system:test", 0),
        )
        .await
        .expect("account");
    acting(Some(created.id), "sz.steward-office", 1)
}

/// Brings `enterprise` into the pool, placed in `region`.
async fn pooled(db: &dyn WorkflowStore, enterprise: &str, region: &str, by: &Acting) {
    let declaration = db
        .create_declaration(
            &NewDeclaration {
                enterprise: id(enterprise),
                cycle: 2025,
                tier: "potential".to_owned(),
                rule_set: "gei".to_owned(),
                rule_set_version: "2024.1".to_owned(),
                form: DeclarationForm::default(),
                placement: placed(region),
            },
            by,
        )
        .await
        .expect("declaration");
    db.apply_step(
        declaration.id,
        declaration.version,
        &StepRequest {
            transition: Transition {
                action: ActionKind::Confirm,
                from: DeclarationState::PublicNotice,
                to: DeclarationState::Confirmed,
                reason: None,
                notice: None,
                objection: None,
                membership: Some((date(2025, 1, 1), date(2027, 12, 31))),
            },
            precheck: None,
            quota_limit: None,
            public_objection: None,
        },
        by,
    )
    .await
    .expect("confirmed into the pool");
}

fn steward(role: StewardRole, name: &str, phone: &str, starts_on: Date) -> StewardForm {
    StewardForm {
        role,
        department: "深圳市工业和信息化局".to_owned(),
        name: name.to_owned(),
        phone: Some(phone.to_owned()),
        email: None,
        account: None,
        starts_on,
        ends_on: None,
    }
}

fn assigning(enterprise: &str, region: &str, form: StewardForm) -> NewStewardAssignment {
    NewStewardAssignment {
        enterprise: id(enterprise),
        placement: placed(region),
        level: StewardLevel::City,
        form,
    }
}

fn refused_on(result: &Result<impl std::fmt::Debug, WorkflowError>, field: &str) -> bool {
    matches!(result, Err(WorkflowError::Refused { field: f, .. }) if *f == field)
}

fn stewards_in(scope: Scope) -> StewardFilter {
    StewardFilter {
        scope,
        enterprise: None,
        active_on: None,
        account: None,
        page: PAGE,
    }
}

/// Stewards go to pool enterprises only; one enterprise may have a
/// government and a market steward at once (双管家) but not the same
/// person twice in one role over one period; an assignment ends by
/// compare-and-set on its version, never before it started; lists follow
/// scope and the day asked about.
pub async fn stewards_serve_pool_enterprises_and_end_by_version(db: &dyn WorkflowStore) {
    let by = official(db).await;
    let start = date(2025, 3, 1);
    let wang = steward(StewardRole::Government, "王敏", "0755-8888 6666", start);
    let outside = db
        .assign_steward(&assigning("alpha", "440305", wang.clone()), &by)
        .await;
    assert!(refused_on(&outside, "enterprise"), "{outside:?}");

    pooled(db, "alpha", "440305", &by).await;
    pooled(db, "gamma", "110108", &by).await;
    let government = db
        .assign_steward(&assigning("alpha", "440305", wang.clone()), &by)
        .await
        .expect("government steward");
    assert_eq!(
        (
            government.role,
            government.level,
            government.version,
            government.ends_on
        ),
        (StewardRole::Government, StewardLevel::City, 1, None)
    );
    assert_eq!(government.person, "person:王敏|075588886666");
    let market = db
        .assign_steward(
            &assigning(
                "alpha",
                "440305",
                steward(StewardRole::Market, "陈立", "13800138000", start),
            ),
            &by,
        )
        .await
        .expect("a market steward beside the government one (双管家)");
    // The same person, written differently, in the same role: refused.
    let twice = db
        .assign_steward(
            &assigning(
                "alpha",
                "440305",
                StewardForm {
                    name: "王 敏".to_owned(),
                    phone: Some("075588886666".to_owned()),
                    starts_on: date(2025, 5, 1),
                    ..wang.clone()
                },
            ),
            &by,
        )
        .await;
    assert!(
        matches!(twice, Err(WorkflowError::Duplicate(_))),
        "{twice:?}"
    );
    // The same person in another role is another assignment.
    db.assign_steward(
        &assigning(
            "alpha",
            "440305",
            StewardForm {
                role: StewardRole::Commissioner,
                ..wang.clone()
            },
        ),
        &by,
    )
    .await
    .expect("the same person as commissioner");

    // Ending: a stale version conflicts, an end before the start is
    // refused, the right version ends it; nothing in between changed it.
    let later = acting(by.actor, "sz.steward-office", 600);
    let stale = db
        .end_steward(government.id, 0, date(2025, 6, 30), &later)
        .await;
    assert!(
        matches!(
            stale,
            Err(WorkflowError::VersionConflict {
                expected: 0,
                actual: 1
            })
        ),
        "{stale:?}"
    );
    let early = db
        .end_steward(government.id, 1, date(2025, 2, 1), &later)
        .await;
    assert!(refused_on(&early, "ends_on"), "{early:?}");
    let ended = db
        .end_steward(government.id, 1, date(2025, 6, 30), &later)
        .await
        .expect("ended");
    assert_eq!((ended.ends_on, ended.version), (Some(date(2025, 6, 30)), 2));
    let again = db
        .end_steward(government.id, 1, date(2025, 7, 31), &later)
        .await;
    assert!(
        matches!(again, Err(WorkflowError::VersionConflict { actual: 2, .. })),
        "{again:?}"
    );
    // After the end, the same person may take the role again.
    db.assign_steward(
        &assigning(
            "alpha",
            "440305",
            StewardForm {
                starts_on: date(2025, 7, 1),
                ..wang
            },
        ),
        &by,
    )
    .await
    .expect("a new period after the end");
    db.assign_steward(
        &assigning(
            "gamma",
            "110108",
            steward(StewardRole::Government, "赵京", "01066554433", start),
        ),
        &by,
    )
    .await
    .expect("in Beijing");

    let listed = |scope| async move { db.stewards(&stewards_in(scope)).await.expect("list") };
    assert_eq!(listed(Scope::All).await.total, 5);
    assert_eq!(listed(Scope::City(code("440300"))).await.total, 4);
    assert_eq!(listed(Scope::City(code("110000"))).await.total, 1);
    assert_eq!(listed(Scope::Enterprise(id("gamma"))).await.total, 1);
    assert_eq!(
        listed(Scope::Zone("sz-hitech".parse().expect("zone")))
            .await
            .total,
        0
    );
    let active = db
        .stewards(&StewardFilter {
            enterprise: Some(id("alpha")),
            active_on: Some(date(2025, 6, 30)),
            ..stewards_in(Scope::All)
        })
        .await
        .expect("active");
    let ids: Vec<_> = active.items.iter().map(|s| s.id).collect();
    assert!(ids.contains(&government.id) && ids.contains(&market.id));
    assert_eq!(active.total, 3);
    let after_end = db
        .stewards(&StewardFilter {
            enterprise: Some(id("alpha")),
            active_on: Some(date(2025, 7, 1)),
            ..stewards_in(Scope::All)
        })
        .await
        .expect("active later");
    assert!(after_end.items.iter().all(|s| s.id != government.id));
    assert_eq!(db.steward(government.id).await.expect("read"), Some(ended));
    assert_chain_holds(db, None).await;
}

fn contact(steward: hatchery_core::services::steward::StewardId, on: Date) -> ContactForm {
    ContactForm {
        steward,
        contacted_on: on,
        channel: ContactChannel::Visit,
        topics: "中试场地与人才公寓".to_owned(),
        requests: Vec::new(),
        follow_up: Some("两周内回复".to_owned()),
        corrects: None,
    }
}

fn contacts_in(scope: Scope) -> ContactFilter {
    ContactFilter {
        scope,
        enterprise: None,
        steward: None,
        person: None,
        from: None,
        to: None,
        page: PAGE,
    }
}

async fn request_of(
    db: &dyn WorkflowStore,
    enterprise: &str,
    region: &str,
    by: &Acting,
) -> RequestId {
    let at = instant(0);
    db.file_request(
        &NewServiceRequest {
            enterprise: id(enterprise),
            placement: placed(region),
            form: RequestForm {
                class: RequestClass::General,
                channel: RequestChannel::Visit,
                title: "用地".to_owned(),
                body: "需要中试用地".to_owned(),
            },
            clock_set: "national".to_owned(),
            clock_version: "2025.1".to_owned(),
            dues: Dues {
                accept: at,
                answer: at,
                close: at,
                escalate: at,
            },
        },
        by,
    )
    .await
    .expect("request")
    .id
}

/// A contact is dated within its assignment, links requests of its own
/// enterprise only, is never changed (a correction is a new record naming
/// the old one), and lists follow scope, steward and period.
pub async fn contacts_keep_to_their_assignment_and_enterprise(db: &dyn WorkflowStore) {
    let by = official(db).await;
    pooled(db, "alpha", "440305", &by).await;
    pooled(db, "gamma", "110108", &by).await;
    let start = date(2025, 3, 1);
    let alpha = db
        .assign_steward(
            &assigning(
                "alpha",
                "440305",
                steward(StewardRole::Commissioner, "王敏", "13800138000", start),
            ),
            &by,
        )
        .await
        .expect("alpha's steward");
    let gamma = db
        .assign_steward(
            &assigning(
                "gamma",
                "110108",
                steward(StewardRole::Government, "赵京", "01066554433", start),
            ),
            &by,
        )
        .await
        .expect("gamma's steward");
    let own_request = request_of(db, "alpha", "440305", &by).await;
    let their_request = request_of(db, "gamma", "110108", &by).await;

    let before = db
        .record_contact(&contact(alpha.id, date(2025, 2, 28)), &by)
        .await;
    assert!(refused_on(&before, "contacted_on"), "{before:?}");
    let foreign = db
        .record_contact(
            &ContactForm {
                requests: vec![own_request, their_request],
                ..contact(alpha.id, date(2025, 4, 2))
            },
            &by,
        )
        .await;
    assert!(refused_on(&foreign, "requests"), "{foreign:?}");
    let missing = db
        .record_contact(
            &contact(hatchery_core::services::steward::StewardId(999), start),
            &by,
        )
        .await;
    assert!(
        matches!(missing, Err(WorkflowError::NotFound)),
        "{missing:?}"
    );
    assert_eq!(
        db.contacts(&contacts_in(Scope::All))
            .await
            .expect("none")
            .total,
        0,
        "a refused contact leaves nothing behind"
    );

    let first = db
        .record_contact(
            &ContactForm {
                requests: vec![own_request],
                ..contact(alpha.id, date(2025, 4, 2))
            },
            &by,
        )
        .await
        .expect("recorded");
    assert_eq!(
        (
            first.enterprise.as_str(),
            first.requests.clone(),
            first.corrected_by
        ),
        ("alpha", vec![own_request], None)
    );
    assert_eq!(first.placement, placed("440305"));
    let not_theirs = db
        .record_contact(
            &ContactForm {
                corrects: Some(first.id),
                ..contact(gamma.id, date(2025, 4, 3))
            },
            &by,
        )
        .await;
    assert!(refused_on(&not_theirs, "corrects"), "{not_theirs:?}");
    let correction = db
        .record_contact(
            &ContactForm {
                channel: ContactChannel::Phone,
                corrects: Some(first.id),
                ..contact(alpha.id, date(2025, 4, 1))
            },
            &by,
        )
        .await
        .expect("a correction");
    db.record_contact(&contact(gamma.id, date(2025, 5, 20)), &by)
        .await
        .expect("gamma's contact");

    let all = db.contacts(&contacts_in(Scope::All)).await.expect("all");
    assert_eq!(all.total, 3);
    let old = all
        .items
        .iter()
        .find(|c| c.id == first.id)
        .expect("the corrected record is kept");
    assert_eq!(old.corrected_by, Some(correction.id));
    assert_eq!(old.channel, ContactChannel::Visit);
    assert_eq!(
        (old.corrected_name.as_deref(), old.corrected_at),
        (
            Some(correction.recorded_name.as_str()),
            Some(correction.recorded_at)
        ),
        "who corrected it, and when"
    );
    assert_eq!(
        db.contact(first.id).await.expect("by id").as_ref(),
        Some(old)
    );
    assert_eq!(
        db.contact(hatchery_core::services::steward::ContactId(999_999))
            .await
            .expect("none"),
        None
    );
    // A corrected record is not corrected a second time: its correction is.
    let twice = db
        .record_contact(
            &ContactForm {
                corrects: Some(first.id),
                ..contact(alpha.id, date(2025, 4, 1))
            },
            &by,
        )
        .await;
    assert!(refused_on(&twice, "corrects"), "{twice:?}");
    let audited = db
        .audit_entries(&crate::workflow::AuditFilter {
            scope: Scope::All,
            after: 0,
            limit: u64::MAX,
        })
        .await
        .expect("audit");
    assert!(
        audited.iter().any(|e| e.record.action == "contact.correct"
            && e.record.subject == format!("contact:{}", correction.id)),
        "a correction is audited as one"
    );
    let in_shenzhen = db
        .contacts(&contacts_in(Scope::City(code("440300"))))
        .await
        .expect("scoped");
    assert_eq!(in_shenzhen.total, 2);
    let own = db
        .contacts(&contacts_in(Scope::Enterprise(id("gamma"))))
        .await
        .expect("own");
    assert_eq!(own.total, 1);
    let april = db
        .contacts(&ContactFilter {
            from: Some(date(2025, 4, 2)),
            to: Some(date(2025, 4, 30)),
            ..contacts_in(Scope::All)
        })
        .await
        .expect("period");
    assert_eq!(
        april.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![first.id]
    );
    let by_steward = db
        .contacts(&ContactFilter {
            steward: Some(gamma.id),
            ..contacts_in(Scope::All)
        })
        .await
        .expect("steward");
    assert_eq!(by_steward.total, 1);
    let by_person = db
        .contacts(&ContactFilter {
            person: Some(alpha.person.clone()),
            ..contacts_in(Scope::All)
        })
        .await
        .expect("person");
    assert_eq!(by_person.total, 2);
    assert_chain_holds(db, None).await;
}
