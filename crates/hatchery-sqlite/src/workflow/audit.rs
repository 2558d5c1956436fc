//! Appending to the audit chain and reading it back.

use hatchery_core::workflow::audit::{AuditEntry, AuditRecord};
use hatchery_store::workflow::{AuditFilter, WorkflowError};
use sqlx::sqlite::SqliteRow;
use sqlx::{SqliteConnection, SqlitePool};

use super::codec::{cell, db, get_instant, get_opt_account, text_instant};

/// The chain's head as recorded beside it.
pub(crate) async fn head(
    conn: &mut SqliteConnection,
) -> Result<Option<(i64, String)>, WorkflowError> {
    sqlx::query_as::<_, (i64, String)>("SELECT seq, hash FROM wf_audit_head WHERE id = 1")
        .fetch_optional(conn)
        .await
        .map_err(db)
}

/// Chains `record` after the head and writes it. Must run inside the write
/// transaction of the change it records: the writer turn serialises appends.
pub(crate) async fn append(
    conn: &mut SqliteConnection,
    record: AuditRecord,
) -> Result<AuditEntry, WorkflowError> {
    let previous = head(conn).await?;
    let entry = AuditEntry::chain(previous.as_ref().map(|(s, h)| (*s, h.as_str())), record);
    let r = &entry.record;
    sqlx::query(
        "INSERT INTO wf_audit (seq, at, actor_id, actor_name, jurisdiction, action, subject, \
         before, after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(entry.seq)
    .bind(text_instant(r.at))
    .bind(r.actor.map(|a| a.0))
    .bind(&r.actor_name)
    .bind(&r.jurisdiction)
    .bind(&r.action)
    .bind(&r.subject)
    .bind(&r.before)
    .bind(&r.after)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    sqlx::query(
        "INSERT INTO wf_audit_head (id, seq, hash) VALUES (1, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )
    .bind(entry.seq)
    .bind(&entry.hash)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(entry)
}

fn decode(row: &SqliteRow) -> Result<AuditEntry, WorkflowError> {
    Ok(AuditEntry {
        seq: cell(row, "seq")?,
        record: AuditRecord {
            at: get_instant(row, "at")?,
            actor: get_opt_account(row, "actor_id")?,
            actor_name: cell(row, "actor_name")?,
            jurisdiction: cell(row, "jurisdiction")?,
            action: cell(row, "action")?,
            subject: cell(row, "subject")?,
            before: cell(row, "before")?,
            after: cell(row, "after")?,
        },
        prev_hash: cell(row, "prev_hash")?,
        hash: cell(row, "hash")?,
    })
}

/// The entries `filter` selects, in chain order.
pub(crate) async fn entries(
    pool: &SqlitePool,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>, WorkflowError> {
    filter
        .collect(|after, batch| async move {
            let rows = sqlx::query("SELECT * FROM wf_audit WHERE seq > ? ORDER BY seq LIMIT ?")
                .bind(after)
                .bind(batch)
                .fetch_all(pool)
                .await
                .map_err(db)?;
            rows.iter().map(decode).collect()
        })
        .await
}
