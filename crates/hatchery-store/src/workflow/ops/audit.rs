//! Appending to the audit chain and reading it back.

use hatchery_core::workflow::audit::{AuditEntry, AuditRecord};

use super::codec::get_opt_account;
use crate::binds;
use crate::workflow::engine::{Lock, Row, Session};
use crate::workflow::{AuditFilter, WorkflowError};

/// The chain's head as recorded beside it.
#[tracing::instrument(skip_all)]
pub(crate) async fn head(s: &mut impl Session) -> Result<Option<(i64, String)>, WorkflowError> {
    match s
        .fetch_optional("SELECT seq, hash FROM wf_audit_head WHERE id = 1", &[])
        .await?
    {
        Some(row) => Ok(Some((row.get("seq")?, row.get("hash")?))),
        None => Ok(None),
    }
}

/// Chains `record` after the head and writes it. Runs inside the write
/// transaction of the change it records, as its last step.
///
/// The [`Lock::AuditChain`] is what serialises appenders (in PostgreSQL,
/// across processes): each waits for the one before to commit, then reads
/// the head that one wrote. Taken last, it is never held while waiting for
/// another lock.
#[tracing::instrument(skip_all, fields(action = %record.action, subject = %record.subject))]
pub(crate) async fn append(
    s: &mut impl Session,
    record: AuditRecord,
) -> Result<AuditEntry, WorkflowError> {
    s.lock(Lock::AuditChain).await?;
    let previous = head(s).await?;
    let entry = AuditEntry::chain(previous.as_ref().map(|(s, h)| (*s, h.as_str())), record);
    let r = &entry.record;
    s.execute(
        "INSERT INTO wf_audit (seq, at, actor_id, actor_name, jurisdiction, action, subject, \
         before, after, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        binds![
            entry.seq,
            r.at,
            r.actor.map(|a| a.0),
            &r.actor_name,
            &r.jurisdiction,
            &r.action,
            &r.subject,
            &r.before,
            &r.after,
            &entry.prev_hash,
            &entry.hash,
        ],
    )
    .await?;
    s.execute(
        "INSERT INTO wf_audit_head (id, seq, hash) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        binds![entry.seq, &entry.hash],
    )
    .await?;
    Ok(entry)
}

fn decode(row: &impl Row) -> Result<AuditEntry, WorkflowError> {
    Ok(AuditEntry {
        seq: row.get("seq")?,
        record: AuditRecord {
            at: row.get("at")?,
            actor: get_opt_account(row, "actor_id")?,
            actor_name: row.get("actor_name")?,
            jurisdiction: row.get("jurisdiction")?,
            action: row.get("action")?,
            subject: row.get("subject")?,
            before: row.get("before")?,
            after: row.get("after")?,
        },
        prev_hash: row.get("prev_hash")?,
        hash: row.get("hash")?,
    })
}

/// The entries `filter` selects, in chain order.
#[tracing::instrument(skip_all, fields(after = filter.after, limit = filter.limit))]
pub(crate) async fn entries(
    s: &mut impl Session,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>, WorkflowError> {
    let mut found = Vec::new();
    let mut after = filter.after;
    let limit = usize::try_from(filter.limit).unwrap_or(usize::MAX);
    loop {
        let rows = s
            .fetch_all(
                "SELECT * FROM wf_audit WHERE seq > $1 ORDER BY seq LIMIT $2",
                binds![after, AuditFilter::BATCH],
            )
            .await?;
        let exhausted = (rows.len() as i64) < AuditFilter::BATCH;
        for row in &rows {
            let entry = decode(row)?;
            after = entry.seq;
            if entry.record.visible_to(&filter.scope) {
                found.push(entry);
                if found.len() >= limit {
                    return Ok(found);
                }
            }
        }
        if exhausted {
            return Ok(found);
        }
    }
}
