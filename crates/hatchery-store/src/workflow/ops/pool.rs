//! The cultivation pool and the proposals its re-evaluation makes.

use hatchery_core::workflow::{DeclarationId, ExitCause, PoolMemberId, ProposalId, ProposalKind};
use jiff::civil::Date;

use super::audit::append;
use super::codec::{
    conflict, count, filed_under, from_json, get_enterprise, get_json, get_key, get_opt_account,
    get_placement, json, page_limit, record, scope_condition,
};
use crate::binds;
use crate::workflow::engine::{Row, Session, Value};
use crate::workflow::{
    Acting, MemberEffect, MemberStatus, NewProposal, Paged, PoolFilter, PoolMember, PoolProposal,
    ProposalDecision, ProposalFilter, ProposalStatus, ProposalsRecorded, WorkflowError,
};

fn decode_member(row: &impl Row) -> Result<PoolMember, WorkflowError> {
    Ok(PoolMember {
        id: PoolMemberId(row.get("id")?),
        enterprise: get_enterprise(row, "enterprise")?,
        tier: row.get("tier")?,
        rule_set: row.get("rule_set")?,
        rule_set_version: row.get("rule_set_version")?,
        cycle: row.get("cycle")?,
        placement: get_placement(row)?,
        declaration: row.get::<Option<i64>>("declaration_id")?.map(DeclarationId),
        valid_from: row.get("valid_from")?,
        valid_until: row.get("valid_until")?,
        status: get_key(row, "status", "member status", MemberStatus::parse)?,
        exit_cause: match row.get::<Option<String>>("exit_cause")? {
            Some(cause) => Some(
                ExitCause::parse(&cause)
                    .ok_or_else(|| super::codec::corrupt("exit cause", &cause))?,
            ),
            None => None,
        },
        exited_on: row.get("exited_on")?,
        version: row.get("version")?,
    })
}

#[tracing::instrument(skip_all, fields(id))]
pub(crate) async fn member(
    s: &mut impl Session,
    id: PoolMemberId,
) -> Result<Option<PoolMember>, WorkflowError> {
    s.fetch_optional("SELECT * FROM wf_pool_members WHERE id = $1", binds![id.0])
        .await?
        .as_ref()
        .map(decode_member)
        .transpose()
}

#[tracing::instrument(skip_all)]
pub(crate) async fn members(
    s: &mut impl Session,
    filter: &PoolFilter,
) -> Result<Paged<PoolMember>, WorkflowError> {
    let (scope, scope_value) = scope_condition(&filter.scope, "m", 1);
    let condition = format!(
        "{scope} AND (CAST($2 AS TEXT) IS NULL OR m.status = $2) \
         AND (CAST($3 AS TEXT) IS NULL OR m.tier = $3) \
         AND (CAST($4 AS SMALLINT) IS NULL OR m.cycle = $4) \
         AND (CAST($5 AS TEXT) IS NULL OR m.province = $5)"
    );
    let [limit, offset] = page_limit(filter.page);
    let binds = [
        scope_value,
        filter.status.map(MemberStatus::as_str).into(),
        filter.tier.as_deref().into(),
        filter.cycle.into(),
        filter.province.map(|p| p.to_string()).into(),
        limit,
        offset,
    ];
    let total = count(
        s,
        &format!("SELECT COUNT(*) AS n FROM wf_pool_members m WHERE {condition}"),
        &binds[..5],
    )
    .await?;
    let rows = s
        .fetch_all(
            &format!(
                "SELECT * FROM wf_pool_members m WHERE {condition} \
                 ORDER BY m.id LIMIT $6 OFFSET $7"
            ),
            &binds,
        )
        .await?;
    Ok(Paged {
        items: rows.iter().map(decode_member).collect::<Result<_, _>>()?,
        total,
    })
}

const PROPOSAL_COLUMNS: &str = "p.id, p.member_id, p.kind, p.decision, p.as_of, p.status, \
     p.created_at, p.decided_by, p.decided_at, p.reason, p.version, m.enterprise, m.province, \
     m.city, m.district, m.zone";

fn decode_proposal(row: &impl Row) -> Result<PoolProposal, WorkflowError> {
    Ok(PoolProposal {
        id: ProposalId(row.get("id")?),
        member: PoolMemberId(row.get("member_id")?),
        enterprise: get_enterprise(row, "enterprise")?,
        placement: get_placement(row)?,
        kind: from_json::<ProposalKind>("proposal kind", &row.get::<String>("kind")?)?,
        decision: get_json(row, "decision")?,
        as_of: row.get("as_of")?,
        status: get_key(row, "status", "proposal status", ProposalStatus::parse)?,
        created_at: row.get("created_at")?,
        decided_by: get_opt_account(row, "decided_by")?,
        decided_at: row.get("decided_at")?,
        reason: row.get("reason")?,
        version: row.get("version")?,
    })
}

#[tracing::instrument(skip_all, fields(id))]
pub(crate) async fn proposal(
    s: &mut impl Session,
    id: ProposalId,
) -> Result<Option<PoolProposal>, WorkflowError> {
    let sql = format!(
        "SELECT {PROPOSAL_COLUMNS} FROM wf_proposals p JOIN wf_pool_members m \
         ON m.id = p.member_id WHERE p.id = $1"
    );
    s.fetch_optional(&sql, binds![id.0])
        .await?
        .as_ref()
        .map(decode_proposal)
        .transpose()
}

async fn must_get(s: &mut impl Session, id: ProposalId) -> Result<PoolProposal, WorkflowError> {
    proposal(s, id).await?.ok_or(WorkflowError::NotFound)
}

async fn must_get_member(
    s: &mut impl Session,
    id: PoolMemberId,
) -> Result<PoolMember, WorkflowError> {
    member(s, id).await?.ok_or(WorkflowError::NotFound)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn proposals(
    s: &mut impl Session,
    filter: &ProposalFilter,
) -> Result<Paged<PoolProposal>, WorkflowError> {
    let (scope, scope_value) = scope_condition(&filter.scope, "m", 1);
    let condition = format!("{scope} AND (CAST($2 AS TEXT) IS NULL OR p.status = $2)");
    let from = "FROM wf_proposals p JOIN wf_pool_members m ON m.id = p.member_id";
    let [limit, offset] = page_limit(filter.page);
    let binds = [
        scope_value,
        filter.status.map(ProposalStatus::as_str).into(),
        limit,
        offset,
    ];
    let total = count(
        s,
        &format!("SELECT COUNT(*) AS n {from} WHERE {condition}"),
        &binds[..2],
    )
    .await?;
    let rows = s
        .fetch_all(
            &format!(
                "SELECT {PROPOSAL_COLUMNS} {from} WHERE {condition} \
                 ORDER BY p.id DESC LIMIT $3 OFFSET $4"
            ),
            &binds,
        )
        .await?;
    Ok(Paged {
        items: rows.iter().map(decode_proposal).collect::<Result<_, _>>()?,
        total,
    })
}

#[tracing::instrument(skip_all, fields(%as_of, proposals = proposals.len()))]
pub(crate) async fn record_proposals(
    s: &mut impl Session,
    as_of: Date,
    proposals: &[NewProposal],
    acting: &Acting,
) -> Result<ProposalsRecorded, WorkflowError> {
    let mut recorded = ProposalsRecorded::default();
    let mut ids = Vec::new();
    for proposal in proposals {
        // The partial unique index keeps one pending proposal per member,
        // whichever writer records it. The `NOT EXISTS` saves an id: in
        // PostgreSQL a conflicting insert would draw one from the sequence
        // and leave a gap.
        let row = s
            .fetch_optional(
                "INSERT INTO wf_proposals (member_id, kind, decision, as_of, status, \
                 created_at, version) SELECT $1, $2, $3, $4, 'pending', $5, 1 WHERE NOT EXISTS \
                 (SELECT 1 FROM wf_proposals WHERE member_id = $1 AND status = 'pending') \
                 ON CONFLICT (member_id) WHERE status = 'pending' DO NOTHING RETURNING id",
                binds![
                    proposal.member.0,
                    json(&proposal.kind),
                    json(&proposal.decision),
                    as_of,
                    acting.at,
                ],
            )
            .await?;
        match row {
            Some(row) => {
                recorded.created += 1;
                ids.push(ProposalId(row.get("id")?));
            }
            None => recorded.already_pending.push(proposal.member),
        }
    }
    let as_of_text = hatchery_core::date::format_date(as_of);
    append(
        s,
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

#[tracing::instrument(skip_all, fields(id, expected_version, status = decision.status.as_str()))]
pub(crate) async fn decide(
    s: &mut impl Session,
    id: ProposalId,
    expected_version: i64,
    decision: &ProposalDecision,
    acting: &Acting,
) -> Result<PoolProposal, WorkflowError> {
    let before = must_get(s, id).await?;
    let done = s
        .execute(
            "UPDATE wf_proposals SET status = $1, decided_by = $2, decided_at = $3, reason = $4, \
             version = version + 1 WHERE id = $5 AND version = $6 AND status = 'pending'",
            binds![
                decision.status.as_str(),
                acting.actor.map(|a| a.0),
                acting.at,
                &decision.reason,
                id.0,
                expected_version,
            ],
        )
        .await?;
    if done == 0 {
        return Err(conflict(s, "wf_proposals", id.0, expected_version).await);
    }
    let member_before = must_get_member(s, before.member).await?;
    // Each guarded by `status = 'active'`: a member superseded or exited by
    // a write that committed first is left alone, and the decision fails.
    let member = Value::from(before.member.0);
    let update = match &decision.effect {
        MemberEffect::None => None,
        MemberEffect::SetTier(tier) => Some((
            "UPDATE wf_pool_members SET tier = $2, version = version + 1 \
             WHERE id = $1 AND status = 'active'",
            vec![member, Value::from(tier.as_str())],
        )),
        MemberEffect::Exit { cause, on } => Some((
            "UPDATE wf_pool_members SET status = 'exited', exit_cause = $2, exited_on = $3, \
             version = version + 1 WHERE id = $1 AND status = 'active'",
            vec![member, cause.as_str().into(), (*on).into()],
        )),
        MemberEffect::Renew { valid_until } => Some((
            "UPDATE wf_pool_members SET valid_until = $2, version = version + 1 \
             WHERE id = $1 AND status = 'active'",
            vec![member, (*valid_until).into()],
        )),
    };
    if let Some((sql, binds)) = update
        && s.execute(sql, &binds).await? == 0
    {
        return Err(WorkflowError::Duplicate(
            "the member is no longer active: the proposal cannot be accepted".into(),
        ));
    }
    let after = must_get(s, id).await?;
    let member_after = must_get_member(s, before.member).await?;
    append(
        s,
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
