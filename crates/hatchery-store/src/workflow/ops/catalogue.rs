//! The service catalogue: providers and their flags, menu versions and
//! their items, yearly packages. Every write is audited in its own
//! transaction; menus and providers change by compare-and-set on their
//! version. The rules that protect enterprises are checked here again,
//! under the provider's lock, whatever the caller checked before: a frozen
//! menu takes no item, a flagged provider goes into no new item or package.

use hatchery_core::EnterpriseId;
use hatchery_core::services::catalogue::{
    DeliveryForm, FeeKind, FeeTerms, ItemForm, ItemId, MenuForm, MenuId, MenuState, PackageForm,
    PackageId, ProviderFlags, ProviderForm, ProviderId, ProviderKind, ServiceCategory, ServiceTier,
    jurisdiction_chain,
};
use hatchery_core::workflow::Jurisdiction;
use hatchery_core::{Uscc, workflow::Placement};
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::audit::append;
use super::codec::{
    conflict, corrupt, filed_under, get_account, get_enterprise, get_jurisdiction, get_key,
    get_opt_parsed, get_placement, placement_values, record, unique, unsigned,
};
use crate::binds;
use crate::workflow::catalogue::{Menu, MenuItem, NewPackage, Package, Provider};
use crate::workflow::engine::{Lock, Row, Session, Value};
use crate::workflow::{Acting, WorkflowError};

fn created_by(acting: &Acting) -> Result<i64, WorkflowError> {
    acting.actor.map(|a| a.0).ok_or_else(|| {
        WorkflowError::Corrupt("the catalogue is changed only by a signed-in account".into())
    })
}

fn refused(field: &'static str, problem: impl Into<String>) -> WorkflowError {
    WorkflowError::Refused {
        field,
        problem: problem.into(),
    }
}

// ------------------------------------------------------------ providers

fn decode_provider(row: &impl Row) -> Result<Provider, WorkflowError> {
    Ok(Provider {
        id: ProviderId(row.get("id")?),
        jurisdiction: get_jurisdiction(row, "jurisdiction")?,
        form: ProviderForm {
            name: row.get("name")?,
            kind: get_key(row, "kind", "provider kind", ProviderKind::parse)?,
            uscc: get_opt_parsed(row, "uscc", "credit code", Uscc::parse)?,
            contact: row.get("contact")?,
        },
        flags: ProviderFlags {
            dishonest: row.get("dishonest")?,
            checked_on: row.get("checked_on")?,
            check_source: row.get("check_source")?,
            complaints: u32::try_from(unsigned("complaints", row.get("complaints")?)?)
                .unwrap_or(u32::MAX),
            suspended: row.get("suspended_reason")?,
        },
        flags_reason: row.get("flags_reason")?,
        created_by: get_account(row, "created_by")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

pub(crate) async fn provider(
    s: &mut impl Session,
    id: ProviderId,
) -> Result<Option<Provider>, WorkflowError> {
    s.fetch_optional("SELECT * FROM svc_providers WHERE id = $1", binds![id.0])
        .await?
        .as_ref()
        .map(decode_provider)
        .transpose()
}

async fn must_provider(s: &mut impl Session, id: ProviderId) -> Result<Provider, WorkflowError> {
    provider(s, id).await?.ok_or(WorkflowError::NotFound)
}

/// Every provider, by id. There are hundreds at most; the caller filters
/// them by what its scope sees.
pub(crate) async fn providers(s: &mut impl Session) -> Result<Vec<Provider>, WorkflowError> {
    s.fetch_all("SELECT * FROM svc_providers ORDER BY id", &[])
        .await?
        .iter()
        .map(decode_provider)
        .collect()
}

fn provider_subject(id: ProviderId) -> String {
    format!("provider:{id}")
}

#[tracing::instrument(skip_all)]
pub(crate) async fn create_provider(
    s: &mut impl Session,
    jurisdiction: &Jurisdiction,
    form: &ProviderForm,
    acting: &Acting,
) -> Result<Provider, WorkflowError> {
    let row = s
        .fetch_optional(
            "INSERT INTO svc_providers (jurisdiction, name, kind, uscc, contact, dishonest, \
             complaints, created_by, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $8, 1) RETURNING id",
            binds![
                jurisdiction.to_string(),
                &form.name,
                form.kind.as_str(),
                form.uscc.as_ref().map(|u| u.as_str()),
                &form.contact,
                false,
                created_by(acting)?,
                acting.at,
            ],
        )
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let created = must_provider(s, ProviderId(row.get("id")?)).await?;
    append(
        s,
        record::<Provider, _>(
            acting,
            "provider.create",
            provider_subject(created.id),
            jurisdiction.to_string(),
            None,
            Some(&created),
        ),
    )
    .await?;
    Ok(created)
}

/// Sets a provider's flags from `expected_version`, with the reason.
#[tracing::instrument(skip_all, fields(id = id.0, expected_version))]
pub(crate) async fn set_flags(
    s: &mut impl Session,
    id: ProviderId,
    expected_version: i64,
    flags: &ProviderFlags,
    reason: &str,
    acting: &Acting,
) -> Result<Provider, WorkflowError> {
    s.lock(Lock::Named(&provider_subject(id))).await?;
    let before = must_provider(s, id).await?;
    let done = s
        .execute(
            "UPDATE svc_providers SET dishonest = $1, checked_on = $2, check_source = $3, \
             complaints = $4, suspended_reason = $5, flags_reason = $6, updated_at = $7, \
             version = version + 1 WHERE id = $8 AND version = $9",
            binds![
                flags.dishonest,
                flags.checked_on,
                flags.check_source.as_deref(),
                flags.complaints,
                flags.suspended.as_deref(),
                reason,
                acting.at,
                id.0,
                expected_version,
            ],
        )
        .await?;
    if done != 1 {
        return Err(conflict(s, "svc_providers", id.0, expected_version).await);
    }
    let after = must_provider(s, id).await?;
    append(
        s,
        record(
            acting,
            "provider.flags",
            provider_subject(id),
            before.jurisdiction.to_string(),
            Some(&before),
            Some(&after),
        ),
    )
    .await?;
    Ok(after)
}

/// The provider, locked against a change of its flags to the end of the
/// transaction, refused if it is flagged.
async fn offerable(s: &mut impl Session, id: ProviderId) -> Result<Provider, WorkflowError> {
    s.lock(Lock::Named(&provider_subject(id))).await?;
    let provider = provider(s, id)
        .await?
        .ok_or_else(|| refused("provider", format!("no provider {id}")))?;
    if let Some(reason) = provider.flags.withdrawal() {
        return Err(refused(
            "provider",
            format!("provider {id} is flagged ({reason}); it cannot be offered"),
        ));
    }
    Ok(provider)
}

// ------------------------------------------------------------ menus

fn decode_menu(row: &impl Row) -> Result<Menu, WorkflowError> {
    Ok(Menu {
        id: MenuId(row.get("id")?),
        series: MenuId(row.get("series")?),
        number: row.get("number")?,
        jurisdiction: get_jurisdiction(row, "jurisdiction")?,
        form: MenuForm {
            title: row.get("title")?,
            label: row.get("label")?,
        },
        state: get_key(row, "state", "menu state", MenuState::parse)?,
        published_on: row.get("published_on")?,
        created_by: get_account(row, "created_by")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

fn tiers_text(tiers: &[ServiceTier]) -> String {
    tiers
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn decode_item(row: &impl Row) -> Result<MenuItem, WorkflowError> {
    let tiers: String = row.get("tiers")?;
    let tiers = tiers
        .split(',')
        .map(|t| ServiceTier::parse(t).ok_or_else(|| corrupt("service tier", t)))
        .collect::<Result<Vec<_>, _>>()?;
    let kind = get_key(row, "fee_kind", "fee kind", FeeKind::parse)?;
    let amount = get_opt_parsed(row, "fee_amount", "fee amount", str::parse::<Decimal>)?;
    let fee = FeeTerms::new(kind, amount).map_err(|_| corrupt("fee terms", kind.as_str()))?;
    Ok(MenuItem {
        id: ItemId(row.get("id")?),
        menu: MenuId(row.get("menu_id")?),
        form: ItemForm {
            category: get_key(row, "category", "service category", ServiceCategory::parse)?,
            title: row.get("title")?,
            description: row.get("description")?,
            provider: ProviderId(row.get("provider_id")?),
            tiers,
            delivery: get_key(row, "delivery", "delivery form", DeliveryForm::parse)?,
            fee,
            fee_note: row.get("fee_note")?,
            time_limit_days: row
                .get::<Option<i64>>("time_limit_days")?
                .map(|d| u16::try_from(d).map_err(|_| corrupt("time limit", &d.to_string())))
                .transpose()?,
        },
    })
}

pub(crate) async fn menu(s: &mut impl Session, id: MenuId) -> Result<Option<Menu>, WorkflowError> {
    s.fetch_optional("SELECT * FROM svc_menus WHERE id = $1", binds![id.0])
        .await?
        .as_ref()
        .map(decode_menu)
        .transpose()
}

async fn must_menu(s: &mut impl Session, id: MenuId) -> Result<Menu, WorkflowError> {
    menu(s, id).await?.ok_or(WorkflowError::NotFound)
}

/// Every menu version, newest first within each series. Tens per
/// jurisdiction; the caller filters them by scope.
pub(crate) async fn menus(s: &mut impl Session) -> Result<Vec<Menu>, WorkflowError> {
    s.fetch_all("SELECT * FROM svc_menus ORDER BY series, number DESC", &[])
        .await?
        .iter()
        .map(decode_menu)
        .collect()
}

pub(crate) async fn items(
    s: &mut impl Session,
    id: MenuId,
) -> Result<Vec<MenuItem>, WorkflowError> {
    s.fetch_all(
        "SELECT * FROM svc_menu_items WHERE menu_id = $1 ORDER BY id",
        binds![id.0],
    )
    .await?
    .iter()
    .map(decode_item)
    .collect()
}

pub(crate) async fn item(
    s: &mut impl Session,
    id: ItemId,
) -> Result<Option<MenuItem>, WorkflowError> {
    s.fetch_optional("SELECT * FROM svc_menu_items WHERE id = $1", binds![id.0])
        .await?
        .as_ref()
        .map(decode_item)
        .transpose()
}

fn menu_subject(id: MenuId) -> String {
    format!("menu:{id}")
}

async fn audit_menu(
    s: &mut impl Session,
    acting: &Acting,
    action: &str,
    before: Option<&Menu>,
    after: &Menu,
) -> Result<(), WorkflowError> {
    append(
        s,
        record(
            acting,
            action,
            menu_subject(after.id),
            after.jurisdiction.to_string(),
            before,
            Some(after),
        ),
    )
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub(crate) async fn create_menu(
    s: &mut impl Session,
    jurisdiction: &Jurisdiction,
    form: &MenuForm,
    acting: &Acting,
) -> Result<Menu, WorkflowError> {
    // The series is the first version's own id: inserted as 0, then set.
    let row = s
        .fetch_optional(
            "INSERT INTO svc_menus (series, number, jurisdiction, title, label, state, \
             created_by, created_at, updated_at, version) \
             VALUES (0, 1, $1, $2, $3, $4, $5, $6, $6, 1) RETURNING id",
            binds![
                jurisdiction.to_string(),
                &form.title,
                &form.label,
                MenuState::Draft.as_str(),
                created_by(acting)?,
                acting.at,
            ],
        )
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let id: i64 = row.get("id")?;
    s.execute("UPDATE svc_menus SET series = $1 WHERE id = $1", binds![id])
        .await?;
    let created = must_menu(s, MenuId(id)).await?;
    audit_menu(s, acting, "menu.create", None, &created).await?;
    Ok(created)
}

/// Moves a draft menu on from `expected_version` (its items are changing):
/// refused once it is not a draft, a conflict if it moved on.
async fn touch_draft(
    s: &mut impl Session,
    id: MenuId,
    expected_version: i64,
    acting: &Acting,
) -> Result<Menu, WorkflowError> {
    let before = must_menu(s, id).await?;
    if before.version == expected_version && before.state != MenuState::Draft {
        return Err(refused(
            "menu",
            format!(
                "menu {id} is {}: its items are frozen; make a new version to change them",
                before.state
            ),
        ));
    }
    let done = s
        .execute(
            "UPDATE svc_menus SET updated_at = $1, version = version + 1 \
             WHERE id = $2 AND version = $3 AND state = $4",
            binds![acting.at, id.0, expected_version, MenuState::Draft.as_str()],
        )
        .await?;
    if done != 1 {
        return Err(conflict(s, "svc_menus", id.0, expected_version).await);
    }
    Ok(before)
}

async fn insert_item(
    s: &mut impl Session,
    menu: MenuId,
    form: &ItemForm,
) -> Result<ItemId, WorkflowError> {
    let row = s
        .fetch_optional(
            "INSERT INTO svc_menu_items (menu_id, category, title, description, provider_id, \
             tiers, delivery, fee_kind, fee_amount, fee_note, time_limit_days) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            binds![
                menu.0,
                form.category.as_str(),
                &form.title,
                &form.description,
                form.provider.0,
                tiers_text(&form.tiers),
                form.delivery.as_str(),
                form.fee.kind().as_str(),
                form.fee.amount().map(|a| a.to_string()),
                form.fee_note.as_deref(),
                form.time_limit_days.map(i64::from),
            ],
        )
        .await?
        .ok_or(WorkflowError::NotFound)?;
    Ok(ItemId(row.get("id")?))
}

/// Adds an item to a draft menu, from `expected_version`.
#[tracing::instrument(skip_all, fields(menu = id.0, expected_version))]
pub(crate) async fn add_item(
    s: &mut impl Session,
    id: MenuId,
    expected_version: i64,
    form: &ItemForm,
    acting: &Acting,
) -> Result<(Menu, MenuItem), WorkflowError> {
    offerable(s, form.provider).await?;
    let before = touch_draft(s, id, expected_version, acting).await?;
    let item_id = insert_item(s, id, form).await?;
    let after = must_menu(s, id).await?;
    let added = item(s, item_id).await?.ok_or(WorkflowError::NotFound)?;
    append(
        s,
        record(
            acting,
            "menu.add_item",
            menu_subject(id),
            after.jurisdiction.to_string(),
            Some(&before),
            Some(&added),
        ),
    )
    .await?;
    Ok((after, added))
}

/// Publishes a draft from `expected_version` on `on`; the version of the
/// same menu in force until now is superseded.
#[tracing::instrument(skip_all, fields(menu = id.0, expected_version))]
pub(crate) async fn publish(
    s: &mut impl Session,
    id: MenuId,
    expected_version: i64,
    on: Date,
    acting: &Acting,
) -> Result<Menu, WorkflowError> {
    let before = must_menu(s, id).await?;
    if before.version == expected_version && before.state != MenuState::Draft {
        return Err(refused(
            "menu",
            format!("menu {id} is {}; only a draft is published", before.state),
        ));
    }
    let superseded = s
        .fetch_all(
            "SELECT * FROM svc_menus WHERE series = $1 AND state = $2 AND id <> $3",
            binds![before.series.0, MenuState::Published.as_str(), id.0],
        )
        .await?
        .iter()
        .map(decode_menu)
        .collect::<Result<Vec<_>, _>>()?;
    let done = s
        .execute(
            "UPDATE svc_menus SET state = $1, published_on = $2, updated_at = $3, \
             version = version + 1 WHERE id = $4 AND version = $5 AND state = $6",
            binds![
                MenuState::Published.as_str(),
                on,
                acting.at,
                id.0,
                expected_version,
                MenuState::Draft.as_str(),
            ],
        )
        .await?;
    if done != 1 {
        return Err(conflict(s, "svc_menus", id.0, expected_version).await);
    }
    let items: i64 = s
        .fetch_optional(
            "SELECT COUNT(*) AS n FROM svc_menu_items WHERE menu_id = $1",
            binds![id.0],
        )
        .await?
        .map(|row| row.get("n"))
        .transpose()?
        .unwrap_or(0);
    if items == 0 {
        return Err(refused(
            "menu",
            format!("menu {id} has no items; add at least one before publishing"),
        ));
    }
    for old in &superseded {
        s.execute(
            "UPDATE svc_menus SET state = $1, updated_at = $2, version = version + 1 \
             WHERE id = $3",
            binds![MenuState::Superseded.as_str(), acting.at, old.id.0],
        )
        .await?;
        let after = must_menu(s, old.id).await?;
        audit_menu(s, acting, "menu.supersede", Some(old), &after).await?;
    }
    let after = must_menu(s, id).await?;
    audit_menu(s, acting, "menu.publish", Some(&before), &after).await?;
    Ok(after)
}

/// A new draft version of the menu `from` (published or superseded),
/// labelled `label`, with copies of its items.
#[tracing::instrument(skip_all, fields(from = from.0))]
pub(crate) async fn next_version(
    s: &mut impl Session,
    from: MenuId,
    form: &MenuForm,
    acting: &Acting,
) -> Result<Menu, WorkflowError> {
    let source = must_menu(s, from).await?;
    if source.state == MenuState::Draft {
        return Err(refused(
            "menu",
            format!("menu {from} is a draft; publish it before making its next version"),
        ));
    }
    s.lock(Lock::Named(&menu_subject(source.series))).await?;
    let number: i64 = s
        .fetch_optional(
            "SELECT MAX(number) AS n FROM svc_menus WHERE series = $1",
            binds![source.series.0],
        )
        .await?
        .map(|row| row.get::<Option<i64>>("n"))
        .transpose()?
        .flatten()
        .unwrap_or(0);
    let row = s
        .fetch_optional(
            "INSERT INTO svc_menus (series, number, jurisdiction, title, label, state, \
             created_by, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 1) RETURNING id",
            binds![
                source.series.0,
                number + 1,
                source.jurisdiction.to_string(),
                &form.title,
                &form.label,
                MenuState::Draft.as_str(),
                created_by(acting)?,
                acting.at,
            ],
        )
        .await
        .map_err(|error| {
            if error.is_unique_violation() {
                WorkflowError::Duplicate(
                    "this menu already has a draft version, or that label is taken".into(),
                )
            } else {
                error.into()
            }
        })?
        .ok_or(WorkflowError::NotFound)?;
    let id = MenuId(row.get("id")?);
    s.execute(
        "INSERT INTO svc_menu_items (menu_id, category, title, description, provider_id, \
         tiers, delivery, fee_kind, fee_amount, fee_note, time_limit_days) \
         SELECT $1, category, title, description, provider_id, tiers, delivery, fee_kind, \
         fee_amount, fee_note, time_limit_days FROM svc_menu_items WHERE menu_id = $2 \
         ORDER BY id",
        binds![id.0, from.0],
    )
    .await?;
    let created = must_menu(s, id).await?;
    audit_menu(s, acting, "menu.new_version", Some(&source), &created).await?;
    Ok(created)
}

// ------------------------------------------------------------ packages

async fn decode_package(s: &mut impl Session, row: &impl Row) -> Result<Package, WorkflowError> {
    let id: i64 = row.get("id")?;
    let items = s
        .fetch_all(
            "SELECT item_id FROM svc_package_items WHERE package_id = $1 ORDER BY item_id",
            binds![id],
        )
        .await?
        .iter()
        .map(|r| Ok(ItemId(r.get("item_id")?)))
        .collect::<Result<Vec<_>, WorkflowError>>()?;
    let year: i64 = row.get("year")?;
    Ok(Package {
        id: PackageId(id),
        enterprise: get_enterprise(row, "enterprise")?,
        placement: get_placement(row)?,
        form: PackageForm {
            year: i16::try_from(year).map_err(|_| corrupt("year", &year.to_string()))?,
            items,
            note: row.get("note")?,
        },
        created_by: get_account(row, "created_by")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

/// An enterprise's packages, newest year first.
pub(crate) async fn packages(
    s: &mut impl Session,
    enterprise: &EnterpriseId,
) -> Result<Vec<Package>, WorkflowError> {
    let rows = s
        .fetch_all(
            "SELECT * FROM svc_packages WHERE enterprise = $1 ORDER BY year DESC",
            binds![enterprise.as_str()],
        )
        .await?;
    let mut packages = Vec::with_capacity(rows.len());
    for row in &rows {
        packages.push(decode_package(s, row).await?);
    }
    Ok(packages)
}

/// Whether `item` is in a published menu of the chain of `placement`, from
/// a provider that is not flagged: what a package and a request may name.
pub(crate) async fn check_offered(
    s: &mut impl Session,
    item_id: ItemId,
    placement: &Placement,
    field: &'static str,
) -> Result<MenuItem, WorkflowError> {
    let found = item(s, item_id)
        .await?
        .ok_or_else(|| refused(field, format!("no catalogue item {item_id}")))?;
    let menu = must_menu(s, found.menu).await?;
    if menu.state != MenuState::Published {
        return Err(refused(
            field,
            format!("item {item_id} is not in a published menu"),
        ));
    }
    if !jurisdiction_chain(placement).contains(&menu.jurisdiction) {
        return Err(refused(
            field,
            format!("item {item_id} is in a menu of another jurisdiction"),
        ));
    }
    offerable(s, found.form.provider)
        .await
        .map_err(|error| match error {
            WorkflowError::Refused { problem, .. } => refused(field, problem),
            other => other,
        })?;
    Ok(found)
}

#[tracing::instrument(skip_all, fields(enterprise = new.enterprise.as_str()))]
pub(crate) async fn compose_package(
    s: &mut impl Session,
    new: &NewPackage,
    acting: &Acting,
) -> Result<Package, WorkflowError> {
    for item_id in &new.form.items {
        check_offered(s, *item_id, &new.placement, "items").await?;
    }
    let [province, city, district, zone] = placement_values(&new.placement);
    let binds = [
        new.enterprise.as_str().into(),
        province,
        city,
        district,
        zone,
        i64::from(new.form.year).into(),
        Value::from(new.form.note.as_deref()),
        created_by(acting)?.into(),
        acting.at.into(),
    ];
    let row = s
        .fetch_optional(
            "INSERT INTO svc_packages (enterprise, province, city, district, zone, year, note, \
             created_by, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1) RETURNING id",
            &binds,
        )
        .await
        .map_err(unique(
            "year: the enterprise already has a package for that year",
        ))?
        .ok_or(WorkflowError::NotFound)?;
    let id: i64 = row.get("id")?;
    for item_id in &new.form.items {
        s.execute(
            "INSERT INTO svc_package_items (package_id, item_id) VALUES ($1, $2)",
            binds![id, item_id.0],
        )
        .await?;
    }
    let row = s
        .fetch_optional("SELECT * FROM svc_packages WHERE id = $1", binds![id])
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let created = decode_package(s, &row).await?;
    append(
        s,
        record::<Package, _>(
            acting,
            "package.compose",
            format!("package:{id}"),
            filed_under(&new.placement),
            None,
            Some(&created),
        ),
    )
    .await?;
    Ok(created)
}
