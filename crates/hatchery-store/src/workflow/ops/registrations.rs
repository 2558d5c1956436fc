//! Enterprises' registrations: filed by anyone, checked by the city or zone
//! official, activated (the enterprise account created) or rejected.

use hatchery_core::date::PartialDate;
use hatchery_core::workflow::{RegistrationId, RegistrationState, Role, Username};
use hatchery_core::{DivisionCode, Uscc};

use super::accounts;
use super::audit::append;
use super::codec::{
    conflict, count, filed_under, get_key, get_opt_account, get_opt_parsed, get_parsed,
    get_placement, page_limit, placement_values, record, scope_condition, unique,
};
use crate::binds;
use crate::workflow::engine::{Row, Session, Value};
use crate::workflow::{
    Account, Acting, Activation, NewAccount, NewRegistration, Paged, REGISTERED_USCC, Registration,
    RegistrationFilter, TAKEN_USERNAME, WorkflowError,
};

const COLUMNS: &str = "id, uscc, name, region, founded, contact_name, contact_phone, \
     contact_email, username, province, city, district, zone, state, reason, enterprise, account, \
     decided_by, created_at, updated_at, version";

fn decode(row: &impl Row) -> Result<Registration, WorkflowError> {
    Ok(Registration {
        id: RegistrationId(row.get("id")?),
        uscc: get_parsed(row, "uscc", "credit code", Uscc::parse)?,
        name: row.get("name")?,
        region: get_parsed(row, "region", "division code", DivisionCode::parse)?,
        founded: get_parsed(row, "founded", "founding date", PartialDate::parse)?,
        contact_name: row.get("contact_name")?,
        contact_phone: row.get("contact_phone")?,
        contact_email: row.get("contact_email")?,
        username: get_parsed(row, "username", "username", Username::parse)?,
        placement: get_placement(row)?,
        state: get_key(row, "state", "registration state", RegistrationState::parse)?,
        reason: row.get("reason")?,
        enterprise: get_opt_parsed(
            row,
            "enterprise",
            "enterprise id",
            hatchery_core::EnterpriseId::parse,
        )?,
        account: get_opt_account(row, "account")?,
        decided_by: get_opt_account(row, "decided_by")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

#[tracing::instrument(skip_all, fields(id = id.0))]
pub(crate) async fn get(
    s: &mut impl Session,
    id: RegistrationId,
) -> Result<Option<Registration>, WorkflowError> {
    let sql = format!("SELECT {COLUMNS} FROM wf_registrations WHERE id = $1");
    s.fetch_optional(&sql, binds![id.0])
        .await?
        .as_ref()
        .map(decode)
        .transpose()
}

async fn must_get(s: &mut impl Session, id: RegistrationId) -> Result<Registration, WorkflowError> {
    get(s, id).await?.ok_or(WorkflowError::NotFound)
}

#[tracing::instrument(skip_all, fields(uscc = registration.uscc.as_str()))]
pub(crate) async fn create(
    s: &mut impl Session,
    registration: &NewRegistration,
    acting: &Acting,
) -> Result<Registration, WorkflowError> {
    // The unique indexes hold these across processes; the reads before them
    // say which rule was broken.
    let live = s
        .fetch_optional(
            "SELECT id FROM wf_registrations WHERE uscc = $1 AND state <> 'rejected'",
            binds![registration.uscc.as_str()],
        )
        .await?;
    if live.is_some() {
        return Err(WorkflowError::Duplicate(REGISTERED_USCC.into()));
    }
    let username = registration.username.as_str();
    let taken = s
        .fetch_optional(
            "SELECT id FROM wf_accounts WHERE username = $1 \
             UNION ALL SELECT id FROM wf_registrations WHERE username = $1 AND state = 'pending'",
            binds![username],
        )
        .await?;
    if taken.is_some() {
        return Err(WorkflowError::Duplicate(TAKEN_USERNAME.into()));
    }
    let [province, city, district, zone] = placement_values(&registration.placement);
    let binds = [
        registration.uscc.as_str().into(),
        Value::from(&registration.name),
        registration.region.to_string().into(),
        registration.founded.to_string().into(),
        Value::from(&registration.contact_name),
        Value::from(&registration.contact_phone),
        Value::from(&registration.contact_email),
        username.into(),
        Value::from(&registration.password_hash),
        province,
        city,
        district,
        zone,
        acting.at.into(),
    ];
    let row = s
        .fetch_optional(
            "INSERT INTO wf_registrations (uscc, name, region, founded, contact_name, \
             contact_phone, contact_email, username, password_hash, province, city, district, \
             zone, state, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'pending', $14, $14, 1) \
             RETURNING id",
            &binds,
        )
        .await
        .map_err(unique("that credit code or username is already registered"))?
        .ok_or(WorkflowError::NotFound)?;
    let created = must_get(s, RegistrationId(row.get("id")?)).await?;
    append(
        s,
        record(
            acting,
            "registration.create",
            format!("registration:{}", created.id),
            filed_under(&created.placement),
            None::<&Registration>,
            Some(&created),
        ),
    )
    .await?;
    Ok(created)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    s: &mut impl Session,
    filter: &RegistrationFilter,
) -> Result<Paged<Registration>, WorkflowError> {
    let (condition, value) = scope_condition(&filter.scope, "r", 1);
    let [limit, offset] = page_limit(filter.page);
    let state = filter.state.map(RegistrationState::as_str);
    let binds = [value, state.into(), limit, offset];
    let condition = format!("{condition} AND (CAST($2 AS TEXT) IS NULL OR r.state = $2)");
    let total = count(
        s,
        &format!("SELECT COUNT(*) AS n FROM wf_registrations r WHERE {condition}"),
        &binds[..2],
    )
    .await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM wf_registrations r WHERE {condition} \
         ORDER BY id LIMIT $3 OFFSET $4"
    );
    let rows = s.fetch_all(&sql, &binds).await?;
    Ok(Paged {
        items: rows.iter().map(decode).collect::<Result<_, _>>()?,
        total,
    })
}

#[tracing::instrument(skip_all)]
pub(crate) async fn for_login(
    s: &mut impl Session,
    username: &Username,
) -> Result<Option<(Registration, Option<String>)>, WorkflowError> {
    let sql = format!(
        "SELECT {COLUMNS}, password_hash FROM wf_registrations \
         WHERE username = $1 AND state <> 'active' ORDER BY id DESC LIMIT 1"
    );
    match s.fetch_optional(&sql, binds![username.as_str()]).await? {
        Some(row) => Ok(Some((decode(&row)?, row.get("password_hash")?))),
        None => Ok(None),
    }
}

/// Moves a pending registration at `expected_version` on, or says why not:
/// a conflict when it moved on (another official acted first, or it is no
/// longer pending), not found when there is none.
async fn decide(
    s: &mut impl Session,
    id: RegistrationId,
    expected_version: i64,
    to: RegistrationState,
    acting: &Acting,
) -> Result<(), WorkflowError> {
    let updated = s
        .execute(
            "UPDATE wf_registrations SET state = $1, decided_by = $2, updated_at = $3, \
             version = version + 1 WHERE id = $4 AND version = $5 AND state = 'pending'",
            binds![
                to.as_str(),
                acting.actor.map(|a| a.0),
                acting.at,
                id.0,
                expected_version
            ],
        )
        .await?;
    if updated == 1 {
        return Ok(());
    }
    match conflict(s, "wf_registrations", id.0, expected_version).await {
        // At the version expected but not pending: it was decided long ago.
        WorkflowError::VersionConflict { expected, actual } if expected == actual => {
            Err(WorkflowError::VersionConflict {
                expected,
                actual: actual + 1,
            })
        }
        other => Err(other),
    }
}

#[tracing::instrument(skip_all, fields(id = id.0, expected_version))]
pub(crate) async fn activate(
    s: &mut impl Session,
    id: RegistrationId,
    expected_version: i64,
    activation: &Activation,
    acting: &Acting,
) -> Result<(Registration, Account), WorkflowError> {
    let before = must_get(s, id).await?;
    decide(s, id, expected_version, RegistrationState::Active, acting).await?;
    let hash: Option<String> = s
        .fetch_optional(
            "SELECT password_hash FROM wf_registrations WHERE id = $1",
            binds![id.0],
        )
        .await?
        .map(|row| row.get("password_hash"))
        .transpose()?
        .flatten();
    let password_hash = hash.ok_or_else(|| {
        WorkflowError::Corrupt(format!("registration {id} is pending without a password"))
    })?;
    let account = accounts::create(
        s,
        &NewAccount {
            username: before.username.clone(),
            display_name: before.name.clone(),
            role: Role::Enterprise,
            jurisdiction: activation.jurisdiction.clone(),
            enterprise: Some(activation.enterprise.clone()),
            placement: activation.placement.clone(),
            password_hash,
            // The registrant chose it.
            must_change_password: false,
        },
        acting,
    )
    .await?;
    s.execute(
        "UPDATE wf_registrations SET enterprise = $1, account = $2, password_hash = NULL \
         WHERE id = $3",
        binds![activation.enterprise.as_str(), account.id.0, id.0],
    )
    .await
    .map_err(unique(REGISTERED_USCC))?;
    let after = must_get(s, id).await?;
    append(
        s,
        record(
            acting,
            "registration.activate",
            format!("registration:{id}"),
            filed_under(&after.placement),
            Some(&before),
            Some(&after),
        ),
    )
    .await?;
    Ok((after, account))
}

#[tracing::instrument(skip_all, fields(id = id.0, expected_version))]
pub(crate) async fn reject(
    s: &mut impl Session,
    id: RegistrationId,
    expected_version: i64,
    reason: &str,
    acting: &Acting,
) -> Result<Registration, WorkflowError> {
    let before = must_get(s, id).await?;
    decide(s, id, expected_version, RegistrationState::Rejected, acting).await?;
    s.execute(
        "UPDATE wf_registrations SET reason = $1 WHERE id = $2",
        binds![reason, id.0],
    )
    .await?;
    let after = must_get(s, id).await?;
    append(
        s,
        record(
            acting,
            "registration.reject",
            format!("registration:{id}"),
            filed_under(&after.placement),
            Some(&before),
            Some(&after),
        ),
    )
    .await?;
    Ok(after)
}
