//! Declarations, their steps, objections, evidence and the quotas that bound
//! recommendations.

use hatchery_core::DivisionCode;
use hatchery_core::workflow::declaration::ObjectionChange;
use hatchery_core::workflow::{
    ActionKind, DeclarationForm, DeclarationId, DeclarationState, EvidenceType,
};
use hatchery_store::workflow::{
    Acting, Declaration, DeclarationFilter, Evidence, MemberStatus, NewDeclaration, NewEvidence,
    Objection, Page, Paged, Quota, Step, StepRequest, WorkflowError,
};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool};

use super::audit::append;
use super::codec::{
    Instant, cell, corrupt, db, division, filed_under, from_json, get_account, get_enterprise,
    get_instant, get_opt_account, get_opt_date, get_opt_instant, get_placement, get_state, json,
    placement_cells, record, unique, unsigned,
};
use super::{lock_named, page_limit, scope_condition};
use crate::codec::Day;

fn decode(row: &PgRow) -> Result<Declaration, WorkflowError> {
    let form: &str = cell(row, "form")?;
    let precheck: Option<&str> = cell(row, "precheck")?;
    let notice = match (
        get_opt_date(row, "notice_first")?,
        get_opt_date(row, "notice_last")?,
    ) {
        (Some(first), Some(last)) => Some((first, last)),
        _ => None,
    };
    Ok(Declaration {
        id: DeclarationId(cell(row, "id")?),
        enterprise: get_enterprise(row, "enterprise")?,
        cycle: cell(row, "cycle")?,
        tier: cell(row, "tier")?,
        rule_set: cell(row, "rule_set")?,
        rule_set_version: cell(row, "rule_set_version")?,
        state: get_state(row, "state")?,
        form: from_json::<DeclarationForm>("declaration form", form)?,
        placement: get_placement(row)?,
        precheck: precheck
            .map(|p| from_json::<serde_json::Value>("precheck", p))
            .transpose()?,
        notice,
        created_by: get_account(row, "created_by")?,
        submitted_by: get_opt_account(row, "submitted_by")?,
        created_at: get_instant(row, "created_at")?,
        updated_at: get_instant(row, "updated_at")?,
        version: cell(row, "version")?,
    })
}

pub(crate) async fn get(
    conn: &mut PgConnection,
    id: DeclarationId,
) -> Result<Option<Declaration>, WorkflowError> {
    sqlx::query("SELECT * FROM wf_declarations WHERE id = $1")
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(db)?
        .as_ref()
        .map(decode)
        .transpose()
}

fn acting_account(acting: &Acting) -> Result<i64, WorkflowError> {
    acting.actor.map(|a| a.0).ok_or_else(|| {
        WorkflowError::Corrupt("a declaration is changed only by a signed-in account".into())
    })
}

async fn audit(
    conn: &mut PgConnection,
    acting: &Acting,
    action: &str,
    before: Option<&Declaration>,
    after: &Declaration,
) -> Result<(), WorkflowError> {
    append(
        conn,
        record(
            acting,
            action,
            format!("declaration:{}", after.id),
            filed_under(&after.placement),
            before,
            Some(after),
        ),
    )
    .await?;
    Ok(())
}

async fn add_step(
    conn: &mut PgConnection,
    id: DeclarationId,
    action: ActionKind,
    from: DeclarationState,
    to: DeclarationState,
    reason: Option<&str>,
    acting: &Acting,
) -> Result<(), WorkflowError> {
    sqlx::query(
        "INSERT INTO wf_steps (declaration_id, action, from_state, to_state, actor_id, \
         actor_name, at, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.0)
    .bind(action.as_str())
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(acting_account(acting)?)
    .bind(&acting.actor_name)
    .bind(Instant(acting.at))
    .bind(reason)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn create(
    conn: &mut PgConnection,
    new: &NewDeclaration,
    acting: &Acting,
) -> Result<Declaration, WorkflowError> {
    let [province, city, district, zone] = placement_cells(&new.placement);
    // The partial unique index decides between two processes creating one
    // enterprise's declaration at once: the second waits, then fails here.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO wf_declarations (enterprise, cycle, tier, rule_set, rule_set_version, \
         state, form, province, city, district, zone, created_by, created_at, updated_at, \
         version) VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10, $11, $12, $12, 1) \
         RETURNING id",
    )
    .bind(new.enterprise.as_str())
    .bind(new.cycle)
    .bind(&new.tier)
    .bind(&new.rule_set)
    .bind(&new.rule_set_version)
    .bind(json(&new.form))
    .bind(province)
    .bind(city)
    .bind(district)
    .bind(zone)
    .bind(acting_account(acting)?)
    .bind(Instant(acting.at))
    .fetch_one(&mut *conn)
    .await
    .map_err(unique(
        "the enterprise already has a declaration for this cycle that is neither rejected nor withdrawn",
    ))?;
    let id = DeclarationId(id);
    add_step(
        conn,
        id,
        ActionKind::Create,
        DeclarationState::Draft,
        DeclarationState::Draft,
        None,
        acting,
    )
    .await?;
    let created = get(conn, id).await?.ok_or(WorkflowError::NotFound)?;
    audit(conn, acting, "declaration.create", None, &created).await?;
    Ok(created)
}

pub(crate) async fn list(
    pool: &PgPool,
    filter: &DeclarationFilter,
) -> Result<Paged<Declaration>, WorkflowError> {
    let (scope, scope_value) = scope_condition(&filter.scope, "d", 1);
    let condition = format!(
        "{scope} AND ($2::smallint IS NULL OR d.cycle = $2) \
         AND ($3::text IS NULL OR d.state = $3) AND ($4::text IS NULL OR d.tier = $4) \
         AND ($5::text IS NULL OR d.enterprise = $5)"
    );
    let state = filter.state.map(DeclarationState::as_str);
    let tier = filter.tier.as_deref();
    let enterprise = filter.enterprise.as_ref().map(|e| e.as_str());
    macro_rules! bind_filter {
        ($query:expr) => {
            $query
                .bind(&scope_value)
                .bind(filter.cycle)
                .bind(state)
                .bind(tier)
                .bind(enterprise)
        };
    }
    let total: i64 = bind_filter!(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM wf_declarations d WHERE {condition}"
    )))
    .fetch_one(pool)
    .await
    .map_err(db)?;
    let (limit, offset) = page_limit(filter.page);
    let rows = bind_filter!(sqlx::query(&format!(
        "SELECT * FROM wf_declarations d WHERE {condition} ORDER BY d.id DESC LIMIT $6 OFFSET $7"
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(Paged {
        items: rows.iter().map(decode).collect::<Result<_, _>>()?,
        total: unsigned("declaration count", total)?,
    })
}

/// Bumps the version from `expected`, or says why it cannot. A concurrent
/// writer holding the row makes this wait for its commit, then see the
/// version it left.
async fn compare_and_set(
    conn: &mut PgConnection,
    id: DeclarationId,
    expected: i64,
    at: Instant,
) -> Result<(), WorkflowError> {
    let done = sqlx::query(
        "UPDATE wf_declarations SET version = version + 1, updated_at = $1 \
         WHERE id = $2 AND version = $3",
    )
    .bind(at)
    .bind(id.0)
    .bind(expected)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    Err(WorkflowError::VersionConflict {
        expected,
        actual: super::accounts::version_of(conn, "wf_declarations", id.0).await?,
    })
}

pub(crate) async fn edit(
    conn: &mut PgConnection,
    id: DeclarationId,
    expected_version: i64,
    form: &DeclarationForm,
    acting: &Acting,
) -> Result<Declaration, WorkflowError> {
    let before = get(conn, id).await?.ok_or(WorkflowError::NotFound)?;
    compare_and_set(conn, id, expected_version, Instant(acting.at)).await?;
    sqlx::query("UPDATE wf_declarations SET form = $1 WHERE id = $2")
        .bind(json(form))
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    add_step(
        conn,
        id,
        ActionKind::Edit,
        before.state,
        before.state,
        None,
        acting,
    )
    .await?;
    let after = get(conn, id).await?.ok_or(WorkflowError::NotFound)?;
    audit(conn, acting, "declaration.edit", Some(&before), &after).await?;
    Ok(after)
}

/// The advisory lock that serialises everything counting against, or
/// changing, one province's quota for a cycle and tier.
async fn lock_quota(
    conn: &mut PgConnection,
    province: DivisionCode,
    cycle: i16,
    tier: &str,
) -> Result<(), WorkflowError> {
    lock_named(conn, &format!("quota:{province}:{cycle}:{tier}")).await
}

async fn used_quota(
    conn: &mut PgConnection,
    province: DivisionCode,
    cycle: i16,
    tier: &str,
) -> Result<u32, WorkflowError> {
    let counted: Vec<&str> = DeclarationState::ALL
        .into_iter()
        .filter(|s| s.counts_against_quota())
        .map(DeclarationState::as_str)
        .collect();
    let used: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM wf_declarations WHERE province = $1 AND cycle = $2 AND tier = $3 \
         AND state = ANY($4)",
    )
    .bind(province.to_string())
    .bind(cycle)
    .bind(tier)
    .bind(&counted)
    .fetch_one(conn)
    .await
    .map_err(db)?;
    Ok(u32::try_from(used).unwrap_or(u32::MAX))
}

pub(crate) async fn apply_step(
    conn: &mut PgConnection,
    id: DeclarationId,
    expected_version: i64,
    step: &StepRequest,
    acting: &Acting,
) -> Result<Declaration, WorkflowError> {
    let before = get(conn, id).await?.ok_or(WorkflowError::NotFound)?;
    let transition = &step.transition;
    let at = Instant(acting.at);
    compare_and_set(conn, id, expected_version, at).await?;
    // Two reviewers racing for a province's last place, from any processes,
    // take turns here; the count that follows starts after the other's
    // commit, so it sees the place taken.
    if let (Some(limit), Some(province)) = (step.quota_limit, before.placement.province) {
        lock_quota(conn, province, before.cycle, &before.tier).await?;
        if used_quota(conn, province, before.cycle, &before.tier).await? >= limit {
            return Err(WorkflowError::QuotaExhausted { limit });
        }
    }
    let submitted_by = (transition.action == ActionKind::Submit).then(|| acting.actor.map(|a| a.0));
    sqlx::query(
        "UPDATE wf_declarations SET state = $1, \
         precheck = COALESCE($2, precheck), \
         notice_first = COALESCE($3, notice_first), notice_last = COALESCE($4, notice_last), \
         submitted_by = CASE WHEN $5 THEN $6 ELSE submitted_by END \
         WHERE id = $7",
    )
    .bind(transition.to.as_str())
    .bind(step.precheck.as_ref().map(json))
    .bind(transition.notice.map(|(first, _)| Day(first)))
    .bind(transition.notice.map(|(_, last)| Day(last)))
    .bind(submitted_by.is_some())
    .bind(submitted_by.flatten())
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    add_step(
        conn,
        id,
        transition.action,
        transition.from,
        transition.to,
        transition.reason.as_deref(),
        acting,
    )
    .await?;
    match &transition.objection {
        Some(ObjectionChange::Lodge { text }) => {
            sqlx::query(
                "INSERT INTO wf_objections (declaration_id, lodged_by, lodged_at, text) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id.0)
            .bind(acting_account(acting)?)
            .bind(at)
            .bind(text)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
        Some(ObjectionChange::Resolve {
            id: objection,
            upheld,
        }) => {
            let done = sqlx::query(
                "UPDATE wf_objections SET resolved_by = $1, resolved_at = $2, upheld = $3, \
                 resolution = $4 WHERE id = $5 AND declaration_id = $6 AND resolved_at IS NULL",
            )
            .bind(acting_account(acting)?)
            .bind(at)
            .bind(upheld)
            .bind(&transition.reason)
            .bind(objection)
            .bind(id.0)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
            if done.rows_affected() == 0 {
                return Err(WorkflowError::NotFound);
            }
        }
        None => {}
    }
    if let Some((valid_from, valid_until)) = transition.membership {
        // Another confirmation for this enterprise may be committing: take
        // turns, so the update below sees its membership and supersedes it.
        lock_named(conn, &format!("pool:{}", before.enterprise)).await?;
        sqlx::query(
            "UPDATE wf_pool_members SET status = $1, version = version + 1 \
             WHERE enterprise = $2 AND status = 'active'",
        )
        .bind(MemberStatus::Superseded.as_str())
        .bind(before.enterprise.as_str())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        let [province, city, district, zone] = placement_cells(&before.placement);
        sqlx::query(
            "INSERT INTO wf_pool_members (enterprise, tier, rule_set, rule_set_version, cycle, \
             province, city, district, zone, declaration_id, valid_from, valid_until, status, \
             version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active', 1)",
        )
        .bind(before.enterprise.as_str())
        .bind(&before.tier)
        .bind(&before.rule_set)
        .bind(&before.rule_set_version)
        .bind(before.cycle)
        .bind(province)
        .bind(city)
        .bind(district)
        .bind(zone)
        .bind(id.0)
        .bind(Day(valid_from))
        .bind(Day(valid_until))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    let after = get(conn, id).await?.ok_or(WorkflowError::NotFound)?;
    let action = format!("declaration.{}", transition.action);
    audit(conn, acting, &action, Some(&before), &after).await?;
    Ok(after)
}

pub(crate) async fn steps(pool: &PgPool, id: DeclarationId) -> Result<Vec<Step>, WorkflowError> {
    let rows = sqlx::query("SELECT * FROM wf_steps WHERE declaration_id = $1 ORDER BY id")
        .bind(id.0)
        .fetch_all(pool)
        .await
        .map_err(db)?;
    rows.iter()
        .map(|row| {
            let action: &str = cell(row, "action")?;
            Ok(Step {
                seq: cell(row, "id")?,
                action: ActionKind::parse(action).ok_or_else(|| corrupt("action", action))?,
                from: get_state(row, "from_state")?,
                to: get_state(row, "to_state")?,
                actor: get_account(row, "actor_id")?,
                actor_name: cell(row, "actor_name")?,
                at: get_instant(row, "at")?,
                reason: cell(row, "reason")?,
            })
        })
        .collect()
}

pub(crate) async fn objections(
    pool: &PgPool,
    id: DeclarationId,
) -> Result<Vec<Objection>, WorkflowError> {
    let rows = sqlx::query("SELECT * FROM wf_objections WHERE declaration_id = $1 ORDER BY id")
        .bind(id.0)
        .fetch_all(pool)
        .await
        .map_err(db)?;
    rows.iter()
        .map(|row| {
            Ok(Objection {
                id: cell(row, "id")?,
                declaration: DeclarationId(cell(row, "declaration_id")?),
                lodged_by: get_account(row, "lodged_by")?,
                lodged_at: get_instant(row, "lodged_at")?,
                text: cell(row, "text")?,
                resolved_by: get_opt_account(row, "resolved_by")?,
                resolved_at: get_opt_instant(row, "resolved_at")?,
                upheld: cell(row, "upheld")?,
                resolution: cell(row, "resolution")?,
            })
        })
        .collect()
}

pub(crate) async fn notices(
    pool: &PgPool,
    page: Page,
) -> Result<Paged<Declaration>, WorkflowError> {
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM wf_declarations WHERE state = 'public_notice'")
            .fetch_one(pool)
            .await
            .map_err(db)?;
    let (limit, offset) = page_limit(page);
    let rows = sqlx::query(
        "SELECT * FROM wf_declarations WHERE state = 'public_notice' \
         ORDER BY notice_last, id LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(Paged {
        items: rows.iter().map(decode).collect::<Result<_, _>>()?,
        total: unsigned("notice count", total)?,
    })
}

const EVIDENCE_COLUMNS: &str =
    "id, declaration_id, name, kind, size, sha256, uploaded_by, uploaded_at";

fn decode_evidence(row: &PgRow) -> Result<Evidence, WorkflowError> {
    let kind: &str = cell(row, "kind")?;
    Ok(Evidence {
        id: cell(row, "id")?,
        declaration: DeclarationId(cell(row, "declaration_id")?),
        name: cell(row, "name")?,
        kind: EvidenceType::from_media_type(kind).ok_or_else(|| corrupt("evidence type", kind))?,
        size: unsigned("evidence size", cell(row, "size")?)?,
        sha256: cell(row, "sha256")?,
        uploaded_by: get_account(row, "uploaded_by")?,
        uploaded_at: get_instant(row, "uploaded_at")?,
    })
}

pub(crate) async fn add_evidence(
    conn: &mut PgConnection,
    id: DeclarationId,
    expected_version: i64,
    evidence: &NewEvidence,
    max_files: u32,
    acting: &Acting,
) -> Result<(Evidence, Declaration), WorkflowError> {
    let at = Instant(acting.at);
    // The compare-and-set holds the declaration's row until commit, so two
    // uploads cannot both count one free place.
    compare_and_set(conn, id, expected_version, at).await?;
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM wf_evidence WHERE declaration_id = $1")
            .bind(id.0)
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
    if count >= i64::from(max_files) {
        return Err(WorkflowError::LimitReached(format!(
            "a declaration holds at most {max_files} evidence files"
        )));
    }
    let size = i64::try_from(evidence.content.len())
        .map_err(|_| WorkflowError::LimitReached("the file is too large".into()))?;
    let row = sqlx::query(&format!(
        "INSERT INTO wf_evidence (declaration_id, name, kind, size, sha256, content, \
         uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         RETURNING {EVIDENCE_COLUMNS}"
    ))
    .bind(id.0)
    .bind(&evidence.name)
    .bind(evidence.kind.media_type())
    .bind(size)
    .bind(&evidence.sha256)
    .bind(&evidence.content)
    .bind(acting_account(acting)?)
    .bind(at)
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    let stored = decode_evidence(&row)?;
    let after = get(conn, id).await?.ok_or(WorkflowError::NotFound)?;
    append(
        conn,
        record(
            acting,
            "declaration.evidence",
            format!("declaration:{id}"),
            filed_under(&after.placement),
            None::<&()>,
            Some(&stored),
        ),
    )
    .await?;
    Ok((stored, after))
}

pub(crate) async fn evidence(
    pool: &PgPool,
    id: DeclarationId,
) -> Result<Vec<Evidence>, WorkflowError> {
    sqlx::query(&format!(
        "SELECT {EVIDENCE_COLUMNS} FROM wf_evidence WHERE declaration_id = $1 ORDER BY id"
    ))
    .bind(id.0)
    .fetch_all(pool)
    .await
    .map_err(db)?
    .iter()
    .map(decode_evidence)
    .collect()
}

pub(crate) async fn evidence_content(
    pool: &PgPool,
    id: DeclarationId,
    evidence: i64,
) -> Result<Option<(Evidence, Vec<u8>)>, WorkflowError> {
    let row = sqlx::query(&format!(
        "SELECT {EVIDENCE_COLUMNS}, content FROM wf_evidence \
         WHERE declaration_id = $1 AND id = $2"
    ))
    .bind(id.0)
    .bind(evidence)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.map(|row| Ok((decode_evidence(&row)?, cell(&row, "content")?)))
        .transpose()
}

pub(crate) async fn quota(
    conn: &mut PgConnection,
    province: DivisionCode,
    cycle: i16,
    tier: &str,
) -> Result<Option<Quota>, WorkflowError> {
    let limit: Option<i64> = sqlx::query_scalar(
        "SELECT quota FROM wf_quotas WHERE province = $1 AND cycle = $2 AND tier = $3",
    )
    .bind(province.to_string())
    .bind(cycle)
    .bind(tier)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    let Some(limit) = limit else { return Ok(None) };
    Ok(Some(Quota {
        province,
        cycle,
        tier: tier.to_owned(),
        limit: u32::try_from(limit).map_err(|_| corrupt("quota", &limit.to_string()))?,
        used: used_quota(conn, province, cycle, tier).await?,
    }))
}

pub(crate) async fn quotas(pool: &PgPool, cycle: i16) -> Result<Vec<Quota>, WorkflowError> {
    // One snapshot for every quota and its use.
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(db)?;
    let keys: Vec<(String, String)> = sqlx::query_as(
        "SELECT province, tier FROM wf_quotas WHERE cycle = $1 ORDER BY province, tier",
    )
    .bind(cycle)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let mut found = Vec::with_capacity(keys.len());
    for (province, tier) in keys {
        if let Some(q) = quota(&mut tx, division(&province)?, cycle, &tier).await? {
            found.push(q);
        }
    }
    tx.commit().await.map_err(db)?;
    Ok(found)
}

pub(crate) async fn set_quota(
    conn: &mut PgConnection,
    province: DivisionCode,
    cycle: i16,
    tier: &str,
    limit: Option<u32>,
    acting: &Acting,
) -> Result<Option<Quota>, WorkflowError> {
    lock_quota(conn, province, cycle, tier).await?;
    let before = quota(conn, province, cycle, tier).await?;
    match limit {
        Some(limit) => {
            sqlx::query(
                "INSERT INTO wf_quotas (province, cycle, tier, quota) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (province, cycle, tier) DO UPDATE SET quota = excluded.quota",
            )
            .bind(province.to_string())
            .bind(cycle)
            .bind(tier)
            .bind(i64::from(limit))
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
        None => {
            sqlx::query("DELETE FROM wf_quotas WHERE province = $1 AND cycle = $2 AND tier = $3")
                .bind(province.to_string())
                .bind(cycle)
                .bind(tier)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
        }
    }
    let after = quota(conn, province, cycle, tier).await?;
    append(
        conn,
        record(
            acting,
            "quota.set",
            format!("quota:{province}:{cycle}:{tier}"),
            province.to_string(),
            before.as_ref(),
            after.as_ref(),
        ),
    )
    .await?;
    Ok(after)
}
