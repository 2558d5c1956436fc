//! Declarations, their steps, objections, evidence and the quotas that bound
//! recommendations.

use hatchery_core::DivisionCode;
use hatchery_core::workflow::declaration::ObjectionChange;
use hatchery_core::workflow::{
    ActionKind, DeclarationForm, DeclarationId, DeclarationState, EvidenceId, EvidenceType,
    ObjectionId, PublicObjector,
};
use jiff::Timestamp;

use super::audit::append;
use super::codec::{
    conflict, corrupt, count, division, filed_under, from_json, get_account, get_enterprise,
    get_key, get_opt_account, get_placement, get_state, json, page_limit, placement_values, record,
    scope_condition, unique, unsigned,
};
use crate::binds;
use crate::workflow::engine::{Lock, Row, Session, Value};
use crate::workflow::{
    Acting, AttachmentRecord, Declaration, DeclarationFilter, Evidence, MemberStatus,
    NewDeclaration, NewEvidence, Objection, Page, Paged, Quota, Step, StepRequest, WorkflowError,
};

fn decode(row: &impl Row) -> Result<Declaration, WorkflowError> {
    let notice = match (row.get("notice_first")?, row.get("notice_last")?) {
        (Some(first), Some(last)) => Some((first, last)),
        _ => None,
    };
    Ok(Declaration {
        id: DeclarationId(row.get("id")?),
        enterprise: get_enterprise(row, "enterprise")?,
        cycle: row.get("cycle")?,
        tier: row.get("tier")?,
        rule_set: row.get("rule_set")?,
        rule_set_version: row.get("rule_set_version")?,
        state: get_state(row, "state")?,
        form: from_json::<DeclarationForm>("declaration form", &row.get::<String>("form")?)?,
        placement: get_placement(row)?,
        precheck: row
            .get::<Option<String>>("precheck")?
            .map(|p| from_json::<serde_json::Value>("precheck", &p))
            .transpose()?,
        notice,
        created_by: get_account(row, "created_by")?,
        submitted_by: get_opt_account(row, "submitted_by")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

#[tracing::instrument(skip_all, fields(id = id.0))]
pub(crate) async fn get(
    s: &mut impl Session,
    id: DeclarationId,
) -> Result<Option<Declaration>, WorkflowError> {
    s.fetch_optional("SELECT * FROM wf_declarations WHERE id = $1", binds![id.0])
        .await?
        .as_ref()
        .map(decode)
        .transpose()
}

async fn must_get(s: &mut impl Session, id: DeclarationId) -> Result<Declaration, WorkflowError> {
    get(s, id).await?.ok_or(WorkflowError::NotFound)
}

fn acting_account(acting: &Acting) -> Result<i64, WorkflowError> {
    acting.actor.map(|a| a.0).ok_or_else(|| {
        WorkflowError::Corrupt("a declaration is changed only by a signed-in account".into())
    })
}

async fn audit(
    s: &mut impl Session,
    acting: &Acting,
    action: &str,
    before: Option<&Declaration>,
    after: &Declaration,
) -> Result<(), WorkflowError> {
    append(
        s,
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
    s: &mut impl Session,
    id: DeclarationId,
    action: ActionKind,
    (from, to): (DeclarationState, DeclarationState),
    reason: Option<&str>,
    acting: &Acting,
) -> Result<(), WorkflowError> {
    s.execute(
        "INSERT INTO wf_steps (declaration_id, action, from_state, to_state, actor_id, \
         actor_name, at, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        binds![
            id.0,
            action.as_str(),
            from.as_str(),
            to.as_str(),
            acting.actor.map(|a| a.0),
            &acting.actor_name,
            acting.at,
            reason,
        ],
    )
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(enterprise = new.enterprise.as_str(), cycle = new.cycle))]
pub(crate) async fn create(
    s: &mut impl Session,
    new: &NewDeclaration,
    acting: &Acting,
) -> Result<Declaration, WorkflowError> {
    let [province, city, district, zone] = placement_values(&new.placement);
    let binds = [
        new.enterprise.as_str().into(),
        new.cycle.into(),
        Value::from(&new.tier),
        (&new.rule_set).into(),
        (&new.rule_set_version).into(),
        json(&new.form).into(),
        province,
        city,
        district,
        zone,
        acting_account(acting)?.into(),
        acting.at.into(),
    ];
    // The partial unique index decides between two writers creating one
    // enterprise's declaration at once: the second waits, then fails here.
    let row = s
        .fetch_optional(
            "INSERT INTO wf_declarations (enterprise, cycle, tier, rule_set, rule_set_version, \
             state, form, province, city, district, zone, created_by, created_at, updated_at, \
             version) VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10, $11, $12, $12, 1) \
             RETURNING id",
            &binds,
        )
        .await
        .map_err(unique(
            "the enterprise already has a declaration for this cycle that is neither rejected nor withdrawn",
        ))?
        .ok_or(WorkflowError::NotFound)?;
    let id = DeclarationId(row.get("id")?);
    let draft = DeclarationState::Draft;
    add_step(s, id, ActionKind::Create, (draft, draft), None, acting).await?;
    let created = must_get(s, id).await?;
    audit(s, acting, "declaration.create", None, &created).await?;
    Ok(created)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    s: &mut impl Session,
    filter: &DeclarationFilter,
) -> Result<Paged<Declaration>, WorkflowError> {
    let (scope, scope_value) = scope_condition(&filter.scope, "d", 1);
    let condition = format!(
        "{scope} AND (CAST($2 AS SMALLINT) IS NULL OR d.cycle = $2) \
         AND (CAST($3 AS TEXT) IS NULL OR d.state = $3) \
         AND (CAST($4 AS TEXT) IS NULL OR d.tier = $4) \
         AND (CAST($5 AS TEXT) IS NULL OR d.enterprise = $5)"
    );
    let [limit, offset] = page_limit(filter.page);
    let binds = [
        scope_value,
        filter.cycle.into(),
        filter.state.map(DeclarationState::as_str).into(),
        filter.tier.as_deref().into(),
        filter.enterprise.as_ref().map(|e| e.as_str()).into(),
        limit,
        offset,
    ];
    let total = count(
        s,
        &format!("SELECT COUNT(*) AS n FROM wf_declarations d WHERE {condition}"),
        &binds[..5],
    )
    .await?;
    let rows = s
        .fetch_all(
            &format!(
                "SELECT * FROM wf_declarations d WHERE {condition} \
                 ORDER BY d.id DESC LIMIT $6 OFFSET $7"
            ),
            &binds,
        )
        .await?;
    Ok(Paged {
        items: rows.iter().map(decode).collect::<Result<_, _>>()?,
        total,
    })
}

/// Bumps the version from `expected`, or says why it cannot. A concurrent
/// writer holding the row makes this wait for its commit, then see the
/// version it left.
async fn compare_and_set(
    s: &mut impl Session,
    id: DeclarationId,
    expected: i64,
    at: Timestamp,
) -> Result<(), WorkflowError> {
    let done = s
        .execute(
            "UPDATE wf_declarations SET version = version + 1, updated_at = $1 \
             WHERE id = $2 AND version = $3",
            binds![at, id.0, expected],
        )
        .await?;
    if done == 1 {
        return Ok(());
    }
    Err(conflict(s, "wf_declarations", id.0, expected).await)
}

#[tracing::instrument(skip_all, fields(id = id.0, expected_version))]
pub(crate) async fn edit(
    s: &mut impl Session,
    id: DeclarationId,
    expected_version: i64,
    form: &DeclarationForm,
    acting: &Acting,
) -> Result<Declaration, WorkflowError> {
    let before = must_get(s, id).await?;
    compare_and_set(s, id, expected_version, acting.at).await?;
    s.execute(
        "UPDATE wf_declarations SET form = $1 WHERE id = $2",
        binds![json(form), id.0],
    )
    .await?;
    let state = (before.state, before.state);
    add_step(s, id, ActionKind::Edit, state, None, acting).await?;
    let after = must_get(s, id).await?;
    audit(s, acting, "declaration.edit", Some(&before), &after).await?;
    Ok(after)
}

/// The lock that serialises everything counting against, or changing, one
/// province's quota for a cycle and tier.
async fn lock_quota(
    s: &mut impl Session,
    province: DivisionCode,
    cycle: i16,
    tier: &str,
) -> Result<(), WorkflowError> {
    let name = format!("quota:{province}:{cycle}:{tier}");
    s.lock(Lock::Named(&name)).await?;
    Ok(())
}

async fn used_quota(
    s: &mut impl Session,
    province: DivisionCode,
    cycle: i16,
    tier: &str,
) -> Result<u32, WorkflowError> {
    let counted: Vec<&str> = DeclarationState::ALL
        .into_iter()
        .filter(|s| s.counts_against_quota())
        .map(DeclarationState::as_str)
        .collect();
    let placeholders: Vec<String> = (0..counted.len()).map(|i| format!("${}", i + 4)).collect();
    let sql = format!(
        "SELECT COUNT(*) AS n FROM wf_declarations WHERE province = $1 AND cycle = $2 \
         AND tier = $3 AND state IN ({})",
        placeholders.join(", ")
    );
    let mut binds = vec![province.to_string().into(), cycle.into(), Value::from(tier)];
    binds.extend(counted.into_iter().map(Value::from));
    let used = count(s, &sql, &binds).await?;
    Ok(u32::try_from(used).unwrap_or(u32::MAX))
}

#[tracing::instrument(skip_all, fields(id = id.0, expected_version, action = %step.transition.action))]
pub(crate) async fn apply_step(
    s: &mut impl Session,
    id: DeclarationId,
    expected_version: i64,
    step: &StepRequest,
    acting: &Acting,
) -> Result<Declaration, WorkflowError> {
    let before = must_get(s, id).await?;
    let transition = &step.transition;
    compare_and_set(s, id, expected_version, acting.at).await?;
    // Two reviewers racing for a province's last place take turns here; the
    // count that follows starts after the other's commit, so it sees the
    // place taken.
    if let (Some(limit), Some(province)) = (step.quota_limit, before.placement.province) {
        lock_quota(s, province, before.cycle, &before.tier).await?;
        if used_quota(s, province, before.cycle, &before.tier).await? >= limit {
            return Err(WorkflowError::QuotaExhausted { limit });
        }
    }
    let submitted_by = (transition.action == ActionKind::Submit).then(|| acting.actor.map(|a| a.0));
    s.execute(
        "UPDATE wf_declarations SET state = $1, \
         precheck = COALESCE($2, precheck), \
         notice_first = COALESCE($3, notice_first), notice_last = COALESCE($4, notice_last), \
         submitted_by = CASE WHEN $5 THEN $6 ELSE submitted_by END \
         WHERE id = $7",
        binds![
            transition.to.as_str(),
            step.precheck.as_ref().map(json),
            transition.notice.map(|(first, _)| first),
            transition.notice.map(|(_, last)| last),
            submitted_by.is_some(),
            submitted_by.flatten(),
            id.0,
        ],
    )
    .await?;
    add_step(
        s,
        id,
        transition.action,
        (transition.from, transition.to),
        transition.reason.as_deref(),
        acting,
    )
    .await?;
    match &transition.objection {
        Some(ObjectionChange::Lodge { text }) => {
            // An account objects as itself; the public names who objects.
            let public = step.public_objection.as_ref();
            if public.is_none() {
                acting_account(acting)?;
            }
            let attachment = public.and_then(|p| p.attachment.as_ref());
            s.execute(
                "INSERT INTO wf_objections (declaration_id, lodged_by, lodged_at, text, \
                 objector_name, objector_contact, attachment_name, attachment_content_type, \
                 attachment_sha256, attachment) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                binds![
                    id.0,
                    acting.actor.map(|a| a.0),
                    acting.at,
                    text.as_str(),
                    public.map(|p| p.objector.name.as_str()),
                    public.map(|p| p.objector.contact.as_str()),
                    attachment.map(|a| a.name.as_str()),
                    attachment.map(|a| a.kind.media_type()),
                    attachment.map(|a| a.sha256.as_str()),
                    attachment.map(|a| a.content.as_slice()),
                ],
            )
            .await?;
        }
        Some(ObjectionChange::Resolve {
            id: objection,
            upheld,
        }) => {
            let done = s
                .execute(
                    "UPDATE wf_objections SET resolved_by = $1, resolved_at = $2, upheld = $3, \
                     resolution = $4 WHERE id = $5 AND declaration_id = $6 \
                     AND resolved_at IS NULL",
                    binds![
                        acting_account(acting)?,
                        acting.at,
                        *upheld,
                        &transition.reason,
                        objection.0,
                        id.0,
                    ],
                )
                .await?;
            if done == 0 {
                return Err(WorkflowError::NotFound);
            }
        }
        None => {}
    }
    if let Some((valid_from, valid_until)) = transition.membership {
        // Another confirmation for this enterprise may be committing: take
        // turns, so the update below sees its membership and supersedes it.
        let name = format!("pool:{}", before.enterprise);
        s.lock(Lock::Named(&name)).await?;
        s.execute(
            "UPDATE wf_pool_members SET status = $1, version = version + 1 \
             WHERE enterprise = $2 AND status = 'active'",
            binds![
                MemberStatus::Superseded.as_str(),
                before.enterprise.as_str()
            ],
        )
        .await?;
        let [province, city, district, zone] = placement_values(&before.placement);
        let binds = [
            before.enterprise.as_str().into(),
            Value::from(&before.tier),
            (&before.rule_set).into(),
            (&before.rule_set_version).into(),
            before.cycle.into(),
            province,
            city,
            district,
            zone,
            id.0.into(),
            valid_from.into(),
            valid_until.into(),
        ];
        s.execute(
            "INSERT INTO wf_pool_members (enterprise, tier, rule_set, rule_set_version, cycle, \
             province, city, district, zone, declaration_id, valid_from, valid_until, status, \
             version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active', 1)",
            &binds,
        )
        .await?;
    }
    let after = must_get(s, id).await?;
    let action = format!("declaration.{}", transition.action);
    audit(s, acting, &action, Some(&before), &after).await?;
    Ok(after)
}

#[tracing::instrument(skip_all, fields(id = id.0))]
pub(crate) async fn steps(
    s: &mut impl Session,
    id: DeclarationId,
) -> Result<Vec<Step>, WorkflowError> {
    s.fetch_all(
        "SELECT * FROM wf_steps WHERE declaration_id = $1 ORDER BY id",
        binds![id.0],
    )
    .await?
    .iter()
    .map(|row| {
        Ok(Step {
            seq: row.get("id")?,
            action: get_key(row, "action", "action", ActionKind::parse)?,
            from: get_state(row, "from_state")?,
            to: get_state(row, "to_state")?,
            actor: get_opt_account(row, "actor_id")?,
            actor_name: row.get("actor_name")?,
            at: row.get("at")?,
            reason: row.get("reason")?,
        })
    })
    .collect()
}

#[tracing::instrument(skip_all, fields(id = id.0))]
pub(crate) async fn objections(
    s: &mut impl Session,
    id: DeclarationId,
) -> Result<Vec<Objection>, WorkflowError> {
    let sql = format!(
        "SELECT {OBJECTION_COLUMNS} FROM wf_objections WHERE declaration_id = $1 ORDER BY id"
    );
    s.fetch_all(&sql, binds![id.0])
        .await?
        .iter()
        .map(decode_objection)
        .collect()
}

const OBJECTION_COLUMNS: &str = "id, declaration_id, lodged_by, lodged_at, text, resolved_by, \
     resolved_at, upheld, resolution, objector_name, objector_contact, attachment_name, \
     attachment_content_type, attachment_sha256, \
     CAST(COALESCE(LENGTH(attachment), 0) AS BIGINT) AS attachment_size";

fn decode_objection(row: &impl Row) -> Result<Objection, WorkflowError> {
    let objector = match (
        row.get::<Option<String>>("objector_name")?,
        row.get::<Option<String>>("objector_contact")?,
    ) {
        (Some(name), Some(contact)) => Some(PublicObjector { name, contact }),
        _ => None,
    };
    let attachment = match row.get::<Option<String>>("attachment_name")? {
        Some(name) => Some(AttachmentRecord {
            name,
            kind: get_key(
                row,
                "attachment_content_type",
                "attachment type",
                EvidenceType::from_media_type,
            )?,
            size: unsigned("attachment size", row.get("attachment_size")?)?,
            sha256: row.get("attachment_sha256")?,
        }),
        None => None,
    };
    Ok(Objection {
        id: ObjectionId(row.get("id")?),
        declaration: DeclarationId(row.get("declaration_id")?),
        lodged_by: get_opt_account(row, "lodged_by")?,
        objector,
        attachment,
        lodged_at: row.get("lodged_at")?,
        text: row.get("text")?,
        resolved_by: get_opt_account(row, "resolved_by")?,
        resolved_at: row.get("resolved_at")?,
        upheld: row.get("upheld")?,
        resolution: row.get("resolution")?,
    })
}

#[tracing::instrument(skip_all, fields(id = id.0, objection = objection.0))]
pub(crate) async fn objection_attachment(
    s: &mut impl Session,
    id: DeclarationId,
    objection: ObjectionId,
) -> Result<Option<(AttachmentRecord, Vec<u8>)>, WorkflowError> {
    let sql = format!(
        "SELECT {OBJECTION_COLUMNS}, attachment FROM wf_objections \
         WHERE declaration_id = $1 AND id = $2 AND attachment IS NOT NULL"
    );
    let Some(row) = s.fetch_optional(&sql, binds![id.0, objection.0]).await? else {
        return Ok(None);
    };
    let content: Vec<u8> = row.get("attachment")?;
    Ok(decode_objection(&row)?
        .attachment
        .map(|record| (record, content)))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn notices(
    s: &mut impl Session,
    page: Page,
) -> Result<Paged<Declaration>, WorkflowError> {
    let total = count(
        s,
        "SELECT COUNT(*) AS n FROM wf_declarations WHERE state = 'public_notice'",
        &[],
    )
    .await?;
    let rows = s
        .fetch_all(
            "SELECT * FROM wf_declarations WHERE state = 'public_notice' \
             ORDER BY notice_last, id LIMIT $1 OFFSET $2",
            &page_limit(page),
        )
        .await?;
    Ok(Paged {
        items: rows.iter().map(decode).collect::<Result<_, _>>()?,
        total,
    })
}

const EVIDENCE_COLUMNS: &str =
    "id, declaration_id, name, kind, size, sha256, uploaded_by, uploaded_at";

fn decode_evidence(row: &impl Row) -> Result<Evidence, WorkflowError> {
    Ok(Evidence {
        id: EvidenceId(row.get("id")?),
        declaration: DeclarationId(row.get("declaration_id")?),
        name: row.get("name")?,
        kind: get_key(row, "kind", "evidence type", EvidenceType::from_media_type)?,
        size: unsigned("evidence size", row.get("size")?)?,
        sha256: row.get("sha256")?,
        uploaded_by: get_account(row, "uploaded_by")?,
        uploaded_at: row.get("uploaded_at")?,
    })
}

#[tracing::instrument(skip_all, fields(id = id.0, expected_version, size = evidence.content.len()))]
pub(crate) async fn add_evidence(
    s: &mut impl Session,
    id: DeclarationId,
    expected_version: i64,
    evidence: &NewEvidence,
    max_files: u32,
    acting: &Acting,
) -> Result<(Evidence, Declaration), WorkflowError> {
    // The compare-and-set holds the declaration's row until commit, so two
    // uploads cannot both count one free place.
    compare_and_set(s, id, expected_version, acting.at).await?;
    let stored = count(
        s,
        "SELECT COUNT(*) AS n FROM wf_evidence WHERE declaration_id = $1",
        binds![id.0],
    )
    .await?;
    if stored >= u64::from(max_files) {
        return Err(WorkflowError::LimitReached(format!(
            "a declaration holds at most {max_files} evidence files"
        )));
    }
    let size = i64::try_from(evidence.content.len())
        .map_err(|_| WorkflowError::LimitReached("the file is too large".into()))?;
    let sql = format!(
        "INSERT INTO wf_evidence (declaration_id, name, kind, size, sha256, content, \
         uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         RETURNING {EVIDENCE_COLUMNS}"
    );
    let row = s
        .fetch_optional(
            &sql,
            binds![
                id.0,
                &evidence.name,
                evidence.kind.media_type(),
                size,
                &evidence.sha256,
                &evidence.content,
                acting_account(acting)?,
                acting.at,
            ],
        )
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let stored = decode_evidence(&row)?;
    let after = must_get(s, id).await?;
    append(
        s,
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

#[tracing::instrument(skip_all, fields(id = id.0))]
pub(crate) async fn evidence(
    s: &mut impl Session,
    id: DeclarationId,
) -> Result<Vec<Evidence>, WorkflowError> {
    let sql =
        format!("SELECT {EVIDENCE_COLUMNS} FROM wf_evidence WHERE declaration_id = $1 ORDER BY id");
    s.fetch_all(&sql, binds![id.0])
        .await?
        .iter()
        .map(decode_evidence)
        .collect()
}

#[tracing::instrument(skip_all, fields(id = id.0, evidence))]
pub(crate) async fn evidence_content(
    s: &mut impl Session,
    id: DeclarationId,
    evidence: EvidenceId,
) -> Result<Option<(Evidence, Vec<u8>)>, WorkflowError> {
    let sql = format!(
        "SELECT {EVIDENCE_COLUMNS}, content FROM wf_evidence \
         WHERE declaration_id = $1 AND id = $2"
    );
    match s.fetch_optional(&sql, binds![id.0, evidence.0]).await? {
        Some(row) => Ok(Some((decode_evidence(&row)?, row.get("content")?))),
        None => Ok(None),
    }
}

#[tracing::instrument(skip_all, fields(%province, cycle, tier))]
pub(crate) async fn quota(
    s: &mut impl Session,
    province: DivisionCode,
    cycle: i16,
    tier: &str,
) -> Result<Option<Quota>, WorkflowError> {
    let row = s
        .fetch_optional(
            "SELECT quota FROM wf_quotas WHERE province = $1 AND cycle = $2 AND tier = $3",
            binds![province.to_string(), cycle, tier],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let limit: i64 = row.get("quota")?;
    Ok(Some(Quota {
        province,
        cycle,
        tier: tier.to_owned(),
        limit: u32::try_from(limit).map_err(|_| corrupt("quota", &limit.to_string()))?,
        used: used_quota(s, province, cycle, tier).await?,
    }))
}

/// Every quota of a cycle; `s` should be a snapshot, so that every quota
/// and its use are of one moment.
#[tracing::instrument(skip_all, fields(cycle))]
pub(crate) async fn quotas(s: &mut impl Session, cycle: i16) -> Result<Vec<Quota>, WorkflowError> {
    let keys = s
        .fetch_all(
            "SELECT province, tier FROM wf_quotas WHERE cycle = $1 ORDER BY province, tier",
            binds![cycle],
        )
        .await?
        .iter()
        .map(|row| Ok((row.get::<String>("province")?, row.get::<String>("tier")?)))
        .collect::<Result<Vec<_>, WorkflowError>>()?;
    let mut found = Vec::with_capacity(keys.len());
    for (province, tier) in keys {
        if let Some(q) = quota(s, division(&province)?, cycle, &tier).await? {
            found.push(q);
        }
    }
    Ok(found)
}

#[tracing::instrument(skip_all, fields(%province, cycle, tier, limit))]
pub(crate) async fn set_quota(
    s: &mut impl Session,
    province: DivisionCode,
    cycle: i16,
    tier: &str,
    limit: Option<u32>,
    acting: &Acting,
) -> Result<Option<Quota>, WorkflowError> {
    lock_quota(s, province, cycle, tier).await?;
    let before = quota(s, province, cycle, tier).await?;
    match limit {
        Some(limit) => {
            s.execute(
                "INSERT INTO wf_quotas (province, cycle, tier, quota) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (province, cycle, tier) DO UPDATE SET quota = excluded.quota",
                binds![province.to_string(), cycle, tier, limit],
            )
            .await?;
        }
        None => {
            s.execute(
                "DELETE FROM wf_quotas WHERE province = $1 AND cycle = $2 AND tier = $3",
                binds![province.to_string(), cycle, tier],
            )
            .await?;
        }
    }
    let after = quota(s, province, cycle, tier).await?;
    append(
        s,
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
