//! The cultivation pool and the proposals its re-evaluation makes.

use hatchery_core::workflow::{ExitCause, ProposalKind};
use hatchery_store::workflow::{
    Acting, MemberEffect, MemberStatus, NewProposal, Paged, PoolFilter, PoolMember, PoolProposal,
    ProposalDecision, ProposalFilter, ProposalStatus, ProposalsRecorded, WorkflowError,
};
use jiff::civil::Date;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool};

use super::audit::append;
use super::codec::{
    Instant, cell, corrupt, db, filed_under, from_json, get_date, get_enterprise, get_instant,
    get_opt_account, get_opt_date, get_opt_instant, get_placement, json, record, unsigned,
};
use super::{page_limit, scope_condition};
use crate::codec::Day;

fn decode_member(row: &PgRow) -> Result<PoolMember, WorkflowError> {
    let status: &str = cell(row, "status")?;
    let cause: Option<&str> = cell(row, "exit_cause")?;
    Ok(PoolMember {
        id: cell(row, "id")?,
        enterprise: get_enterprise(row, "enterprise")?,
        tier: cell(row, "tier")?,
        rule_set: cell(row, "rule_set")?,
        rule_set_version: cell(row, "rule_set_version")?,
        cycle: cell(row, "cycle")?,
        placement: get_placement(row)?,
        declaration: cell::<Option<i64>>(row, "declaration_id")?
            .map(hatchery_core::workflow::DeclarationId),
        valid_from: get_date(row, "valid_from")?,
        valid_until: get_date(row, "valid_until")?,
        status: MemberStatus::parse(status).ok_or_else(|| corrupt("member status", status))?,
        exit_cause: cause
            .map(|c| ExitCause::parse(c).ok_or_else(|| corrupt("exit cause", c)))
            .transpose()?,
        exited_on: get_opt_date(row, "exited_on")?,
        version: cell(row, "version")?,
    })
}

pub(crate) async fn member(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<PoolMember>, WorkflowError> {
    sqlx::query("SELECT * FROM wf_pool_members WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(db)?
        .as_ref()
        .map(decode_member)
        .transpose()
}

pub(crate) async fn members(
    pool: &PgPool,
    filter: &PoolFilter,
) -> Result<Paged<PoolMember>, WorkflowError> {
    let (scope, scope_value) = scope_condition(&filter.scope, "m", 1);
    let condition = format!(
        "{scope} AND ($2::text IS NULL OR m.status = $2) AND ($3::text IS NULL OR m.tier = $3) \
         AND ($4::smallint IS NULL OR m.cycle = $4) AND ($5::text IS NULL OR m.province = $5)"
    );
    let status = filter.status.map(MemberStatus::as_str);
    let tier = filter.tier.as_deref();
    let province = filter.province.map(|p| p.to_string());
    macro_rules! bind_filter {
        ($query:expr) => {
            $query
                .bind(&scope_value)
                .bind(status)
                .bind(tier)
                .bind(filter.cycle)
                .bind(&province)
        };
    }
    let total: i64 = bind_filter!(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM wf_pool_members m WHERE {condition}"
    )))
    .fetch_one(pool)
    .await
    .map_err(db)?;
    let (limit, offset) = page_limit(filter.page);
    let rows = bind_filter!(sqlx::query(&format!(
        "SELECT * FROM wf_pool_members m WHERE {condition} ORDER BY m.id LIMIT $6 OFFSET $7"
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(Paged {
        items: rows.iter().map(decode_member).collect::<Result<_, _>>()?,
        total: unsigned("member count", total)?,
    })
}

const PROPOSAL_COLUMNS: &str = "p.id, p.member_id, p.kind, p.decision, p.as_of, p.status, \
     p.created_at, p.decided_by, p.decided_at, p.reason, p.version, m.enterprise, m.province, \
     m.city, m.district, m.zone";

fn decode_proposal(row: &PgRow) -> Result<PoolProposal, WorkflowError> {
    let kind: &str = cell(row, "kind")?;
    let decision: &str = cell(row, "decision")?;
    let status: &str = cell(row, "status")?;
    Ok(PoolProposal {
        id: cell(row, "id")?,
        member: cell(row, "member_id")?,
        enterprise: get_enterprise(row, "enterprise")?,
        placement: get_placement(row)?,
        kind: from_json::<ProposalKind>("proposal kind", kind)?,
        decision: from_json("decision", decision)?,
        as_of: get_date(row, "as_of")?,
        status: ProposalStatus::parse(status).ok_or_else(|| corrupt("proposal status", status))?,
        created_at: get_instant(row, "created_at")?,
        decided_by: get_opt_account(row, "decided_by")?,
        decided_at: get_opt_instant(row, "decided_at")?,
        reason: cell(row, "reason")?,
        version: cell(row, "version")?,
    })
}

pub(crate) async fn proposal(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<PoolProposal>, WorkflowError> {
    sqlx::query(&format!(
        "SELECT {PROPOSAL_COLUMNS} FROM wf_proposals p JOIN wf_pool_members m \
         ON m.id = p.member_id WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
    .map_err(db)?
    .as_ref()
    .map(decode_proposal)
    .transpose()
}

pub(crate) async fn proposals(
    pool: &PgPool,
    filter: &ProposalFilter,
) -> Result<Paged<PoolProposal>, WorkflowError> {
    let (scope, scope_value) = scope_condition(&filter.scope, "m", 1);
    let condition = format!("{scope} AND ($2::text IS NULL OR p.status = $2)");
    let status = filter.status.map(ProposalStatus::as_str);
    let from = "FROM wf_proposals p JOIN wf_pool_members m ON m.id = p.member_id";
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {from} WHERE {condition}"))
        .bind(&scope_value)
        .bind(status)
        .fetch_one(pool)
        .await
        .map_err(db)?;
    let (limit, offset) = page_limit(filter.page);
    let rows = sqlx::query(&format!(
        "SELECT {PROPOSAL_COLUMNS} {from} WHERE {condition} ORDER BY p.id DESC LIMIT $3 OFFSET $4"
    ))
    .bind(&scope_value)
    .bind(status)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(Paged {
        items: rows.iter().map(decode_proposal).collect::<Result<_, _>>()?,
        total: unsigned("proposal count", total)?,
    })
}

pub(crate) async fn record_proposals(
    conn: &mut PgConnection,
    as_of: Date,
    proposals: &[NewProposal],
    acting: &Acting,
) -> Result<ProposalsRecorded, WorkflowError> {
    let mut recorded = ProposalsRecorded::default();
    let at = Instant(acting.at);
    let mut ids = Vec::new();
    for proposal in proposals {
        // The partial unique index keeps one pending proposal per member,
        // whichever process records it. The `NOT EXISTS` only saves an id:
        // a conflicting insert would draw one from the sequence and leave a
        // gap, where SQLite leaves none.
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO wf_proposals (member_id, kind, decision, as_of, status, created_at, \
             version) SELECT $1, $2, $3, $4, 'pending', $5, 1 WHERE NOT EXISTS \
             (SELECT 1 FROM wf_proposals WHERE member_id = $1 AND status = 'pending') \
             ON CONFLICT (member_id) WHERE status = 'pending' DO NOTHING RETURNING id",
        )
        .bind(proposal.member)
        .bind(json(&proposal.kind))
        .bind(json(&proposal.decision))
        .bind(Day(as_of))
        .bind(at)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
        match id {
            Some(id) => {
                recorded.created += 1;
                ids.push(id);
            }
            None => recorded.already_pending.push(proposal.member),
        }
    }
    let as_of_text = hatchery_core::date::format_date(as_of);
    append(
        conn,
        record(
            acting,
            "pool.reevaluate",
            format!("pool:{as_of_text}"),
            "CN".to_owned(),
            None::<&()>,
            Some(&serde_json::json!({ "as_of": as_of_text, "proposals": ids,
                "already_pending": recorded.already_pending })),
        ),
    )
    .await?;
    Ok(recorded)
}

pub(crate) async fn decide(
    conn: &mut PgConnection,
    id: i64,
    expected_version: i64,
    decision: &ProposalDecision,
    acting: &Acting,
) -> Result<PoolProposal, WorkflowError> {
    let before = proposal(conn, id).await?.ok_or(WorkflowError::NotFound)?;
    let done = sqlx::query(
        "UPDATE wf_proposals SET status = $1, decided_by = $2, decided_at = $3, reason = $4, \
         version = version + 1 WHERE id = $5 AND version = $6 AND status = 'pending'",
    )
    .bind(decision.status.as_str())
    .bind(acting.actor.map(|a| a.0))
    .bind(Instant(acting.at))
    .bind(&decision.reason)
    .bind(id)
    .bind(expected_version)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(WorkflowError::VersionConflict {
            expected: expected_version,
            actual: super::accounts::version_of(conn, "wf_proposals", id).await?,
        });
    }
    let member_before = member(conn, before.member)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    // Each guarded by `status = 'active'`: a member superseded or exited by
    // a write that committed first is left alone, and the decision fails.
    let member_id = before.member;
    let update = match &decision.effect {
        MemberEffect::None => None,
        MemberEffect::SetTier(tier) => Some(
            sqlx::query(
                "UPDATE wf_pool_members SET tier = $2, version = version + 1 \
                 WHERE id = $1 AND status = 'active'",
            )
            .bind(member_id)
            .bind(tier.as_str()),
        ),
        MemberEffect::Exit { cause, on } => Some(
            sqlx::query(
                "UPDATE wf_pool_members SET status = 'exited', exit_cause = $2, exited_on = $3, \
                 version = version + 1 WHERE id = $1 AND status = 'active'",
            )
            .bind(member_id)
            .bind(cause.as_str())
            .bind(Day(*on)),
        ),
        MemberEffect::Renew { valid_until } => Some(
            sqlx::query(
                "UPDATE wf_pool_members SET valid_until = $2, version = version + 1 \
                 WHERE id = $1 AND status = 'active'",
            )
            .bind(member_id)
            .bind(Day(*valid_until)),
        ),
    };
    if let Some(update) = update {
        let done = update.execute(&mut *conn).await.map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(WorkflowError::Duplicate(
                "the member is no longer active: the proposal cannot be accepted".into(),
            ));
        }
    }
    let after = proposal(conn, id).await?.ok_or(WorkflowError::NotFound)?;
    let member_after = member(conn, before.member)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    append(
        conn,
        record(
            acting,
            &format!("pool.proposal.{}", decision.status.as_str()),
            format!("proposal:{id}"),
            filed_under(&after.placement),
            Some(&serde_json::json!({ "proposal": before, "member": member_before })),
            Some(&serde_json::json!({ "proposal": after, "member": member_after })),
        ),
    )
    .await?;
    Ok(after)
}
