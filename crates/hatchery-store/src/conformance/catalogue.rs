//! Stories of the service catalogue every [`WorkflowStore`] must pass: run
//! by [`workflow_conformance_tests!`](crate::workflow_conformance_tests)
//! with the workflow's own.

use futures::future::join_all;
use hatchery_core::services::catalogue::{
    DeliveryForm, FeeKind, FeeTerms, ItemForm, MenuForm, MenuState, PackageForm, ProviderFlags,
    ProviderForm, ProviderKind, ServiceCategory, ServiceTier,
};
use hatchery_core::services::{Dues, RequestChannel, RequestClass, RequestForm};
use hatchery_core::workflow::{Jurisdiction, Placement, Role};
use hatchery_core::{DivisionCode, EnterpriseId};
use jiff::civil::Date;

use super::workflow::{acting, assert_chain_holds, instant, new_account};
use crate::workflow::catalogue::NewPackage;
use crate::workflow::{Acting, NewServiceRequest, WorkflowError, WorkflowStore};

fn shanghai() -> Jurisdiction {
    Jurisdiction::Division(DivisionCode::parse("310000").expect("fixture"))
}

fn placed(region: &str) -> Placement {
    Placement::of(Some(DivisionCode::parse(region).expect("fixture")), None)
}

async fn official(db: &dyn WorkflowStore) -> Acting {
    let created = db
        .create_account(
            &new_account(
                "sh.officer",
                Role::CityReviewer,
                shanghai(),
                placed("310000"),
            ),
            &acting(None, "system:test", 0),
        )
        .await
        .expect("account");
    acting(Some(created.id), "sh.officer", 1)
}

fn provider_form(name: &str) -> ProviderForm {
    ProviderForm::new(name, ProviderKind::PublicInstitution, None, "021-12345678").expect("form")
}

fn item(provider: hatchery_core::services::catalogue::ProviderId, title: &str) -> ItemForm {
    ItemForm {
        category: ServiceCategory::Listing,
        title: title.to_owned(),
        description: "上市辅导与后备库入库".to_owned(),
        provider,
        tiers: vec![ServiceTier::Unicorn, ServiceTier::SuperUnicorn],
        delivery: DeliveryForm::OnSite,
        fee: FeeTerms::new(FeeKind::Fixed, Some("1999.90".parse().expect("amount"))).expect("fee"),
        fee_note: Some("首次免费".to_owned()),
        time_limit_days: Some(10),
    }
    .normalised()
    .expect("item")
}

fn refused_field(result: Result<impl std::fmt::Debug, WorkflowError>) -> &'static str {
    match result {
        Err(WorkflowError::Refused { field, .. }) => field,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A menu is composed as a draft, published, frozen; its next version is a
/// copy that supersedes it when published; a stale version is a conflict;
/// a flagged provider goes into no new item, package or request; every
/// write is in the audit chain.
pub async fn a_menu_publishes_supersedes_and_keeps_flagged_providers_out(db: &dyn WorkflowStore) {
    let by = official(db).await;
    let clean = db
        .create_provider(&shanghai(), &provider_form("上海市企业服务中心"), &by)
        .await
        .expect("provider");
    let doomed = db
        .create_provider(&shanghai(), &provider_form("某咨询公司"), &by)
        .await
        .expect("provider");
    assert_eq!(clean.flags, ProviderFlags::default());

    let menu = db
        .create_menu(
            &shanghai(),
            &MenuForm::new("上海 独角兽服务菜单", "1.0").expect("menu"),
            &by,
        )
        .await
        .expect("menu");
    assert_eq!(
        (menu.state, menu.number, menu.series),
        (MenuState::Draft, 1, menu.id)
    );
    let (menu, listing) = db
        .add_menu_item(menu.id, menu.version, &item(clean.id, "上市辅导"), &by)
        .await
        .expect("item");
    assert_eq!(listing.form, item(clean.id, "上市辅导"));
    assert_eq!(
        listing.form.fee.amount(),
        Some("1999.9".parse().expect("amount"))
    );
    let (menu, doomed_item) = db
        .add_menu_item(menu.id, menu.version, &item(doomed.id, "融资路演"), &by)
        .await
        .expect("item");
    // A stale version is a conflict, and nothing is added.
    let stale = db
        .add_menu_item(menu.id, menu.version - 1, &item(clean.id, "重复"), &by)
        .await;
    assert!(
        matches!(stale, Err(WorkflowError::VersionConflict { .. })),
        "{stale:?}"
    );
    assert_eq!(db.menu_items(menu.id).await.expect("items").len(), 2);

    let day = Date::constant(2026, 3, 1);
    let v1 = db
        .publish_menu(
            menu.id,
            menu.version,
            day,
            &acting(by.actor, "sh.officer", 5),
        )
        .await
        .expect("publish");
    assert_eq!(
        (v1.state, v1.published_on),
        (MenuState::Published, Some(day))
    );
    // Frozen: no item, no second publication.
    assert_eq!(
        refused_field(
            db.add_menu_item(v1.id, v1.version, &item(clean.id, "x"), &by)
                .await
        ),
        "menu"
    );
    assert_eq!(
        refused_field(db.publish_menu(v1.id, v1.version, day, &by).await),
        "menu"
    );

    // The next version copies the items; a second draft of it is refused.
    let v2 = db
        .next_menu_version(
            v1.id,
            &MenuForm::new("上海 独角兽服务菜单", "2.0").expect("menu"),
            &by,
        )
        .await
        .expect("next version");
    assert_eq!(
        (v2.series, v2.number, v2.state),
        (v1.id, 2, MenuState::Draft)
    );
    let copied = db.menu_items(v2.id).await.expect("items");
    assert_eq!(
        copied.iter().map(|i| i.form.clone()).collect::<Vec<_>>(),
        vec![item(clean.id, "上市辅导"), item(doomed.id, "融资路演")]
    );
    assert!(copied.iter().all(|i| i.menu == v2.id && i.id != listing.id));
    let again = db
        .next_menu_version(
            v1.id,
            &MenuForm::new("上海 独角兽服务菜单", "2.1").expect("m"),
            &by,
        )
        .await;
    assert!(
        matches!(again, Err(WorkflowError::Duplicate(_))),
        "{again:?}"
    );

    // The flag change is versioned; then the provider is refused.
    let flags = ProviderFlags {
        dishonest: true,
        checked_on: Some(Date::constant(2026, 3, 2)),
        check_source: Some("信用中国".to_owned()),
        complaints: 3,
        suspended: None,
    };
    let flagged = db
        .set_provider_flags(
            doomed.id,
            doomed.version,
            &flags,
            "列入失信被执行人名单",
            &by,
        )
        .await
        .expect("flags");
    assert_eq!((flagged.flags.clone(), flagged.version), (flags.clone(), 2));
    assert_eq!(
        flagged.flags_reason.as_deref(),
        Some("列入失信被执行人名单")
    );
    let stale = db
        .set_provider_flags(doomed.id, 1, &ProviderFlags::default(), "撤销", &by)
        .await;
    assert!(matches!(
        stale,
        Err(WorkflowError::VersionConflict {
            expected: 1,
            actual: 2
        })
    ));
    assert_eq!(
        refused_field(
            db.add_menu_item(v2.id, v2.version, &item(doomed.id, "新"), &by)
                .await
        ),
        "provider"
    );

    // Publishing version 2 supersedes version 1.
    let v2 = db
        .publish_menu(v2.id, v2.version, day, &by)
        .await
        .expect("publish v2");
    let v1 = db.menu(v1.id).await.expect("read").expect("v1");
    assert_eq!(
        (v1.state, v2.state),
        (MenuState::Superseded, MenuState::Published)
    );
    assert_eq!(db.menus().await.expect("menus").len(), 2);

    // Packages and requests take published items of the enterprise's chain
    // from providers not flagged.
    let pudong = placed("310115");
    let enterprise = EnterpriseId::parse("e-sh-1").expect("id");
    let v2_items = db.menu_items(v2.id).await.expect("items");
    let package = |items: Vec<_>, year| NewPackage {
        enterprise: enterprise.clone(),
        placement: pudong.clone(),
        form: PackageForm::new(year, &items, Some("重点服务")).expect("package"),
    };
    assert_eq!(
        refused_field(
            db.compose_package(&package(vec![v2_items[1].id], 2026), &by)
                .await
        ),
        "items"
    );
    // The superseded version's item is no longer offered.
    assert_eq!(
        refused_field(
            db.compose_package(&package(vec![listing.id], 2026), &by)
                .await
        ),
        "items"
    );
    let composed = db
        .compose_package(&package(vec![v2_items[0].id], 2026), &by)
        .await
        .expect("package");
    assert_eq!(composed.form.items, vec![v2_items[0].id]);
    let twice = db
        .compose_package(&package(vec![v2_items[0].id], 2026), &by)
        .await;
    assert!(
        matches!(twice, Err(WorkflowError::Duplicate(_))),
        "{twice:?}"
    );
    assert_eq!(
        db.packages(&enterprise).await.expect("packages"),
        vec![composed]
    );
    let beijing = NewPackage {
        placement: placed("110108"),
        ..package(vec![v2_items[0].id], 2027)
    };
    assert_eq!(
        refused_field(db.compose_package(&beijing, &by).await),
        "items"
    );

    let request = |placement: Placement| NewServiceRequest {
        enterprise: enterprise.clone(),
        placement,
        form: RequestForm {
            class: RequestClass::General,
            channel: RequestChannel::Platform,
            title: "申请上市辅导".to_owned(),
            body: "请安排".to_owned(),
        },
        clock_set: "national".to_owned(),
        clock_version: "2025.1".to_owned(),
        dues: Dues {
            accept: instant(7200),
            answer: instant(86_400),
            close: instant(400_000),
            escalate: instant(43_200),
        },
    };
    let filed = db
        .file_request_naming(&request(pudong.clone()), v2_items[0].id, &by)
        .await
        .expect("request naming an item");
    assert_eq!(filed.catalogue_item, Some(v2_items[0].id));
    assert_eq!(
        db.service_request(filed.id)
            .await
            .expect("read")
            .expect("request")
            .catalogue_item,
        Some(v2_items[0].id)
    );
    for (placement, item_id) in [
        (pudong.clone(), v2_items[1].id),
        (pudong.clone(), doomed_item.id),
        (placed("110108"), v2_items[0].id),
    ] {
        assert_eq!(
            refused_field(
                db.file_request_naming(&request(placement), item_id, &by)
                    .await
            ),
            "catalogue_item"
        );
    }
    // The account, 2 providers, the menu and its 2 items, its
    // publication, the next version, the flags, the second publication with
    // the supersession, the package and the request.
    assert_chain_holds(db, Some(13)).await;
}

/// Two officials publish one draft at one version: exactly one wins, the
/// other gets a conflict with the current version.
pub async fn of_officials_racing_on_a_menu_one_wins(
    db: &dyn WorkflowStore,
    other: &dyn WorkflowStore,
) {
    let by = official(db).await;
    let provider = db
        .create_provider(&shanghai(), &provider_form("上海市知识产权服务中心"), &by)
        .await
        .expect("provider");
    let menu = db
        .create_menu(
            &shanghai(),
            &MenuForm::new("上海 服务菜单", "1.0").expect("m"),
            &by,
        )
        .await
        .expect("menu");
    let (menu, _) = db
        .add_menu_item(menu.id, menu.version, &item(provider.id, "专利导航"), &by)
        .await
        .expect("item");
    let day = Date::constant(2026, 4, 1);
    let outcomes = join_all([
        db.publish_menu(menu.id, menu.version, day, &by),
        other.publish_menu(menu.id, menu.version, day, &by),
    ])
    .await;
    let won = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(won, 1, "{outcomes:?}");
    assert!(outcomes.iter().any(|o| matches!(
        o,
        Err(WorkflowError::VersionConflict { actual, .. }) if *actual == menu.version + 1
    )));
    assert_chain_holds(db, None).await;
}
