//! The workflow store in PostgreSQL: the statements of
//! [`hatchery_store::workflow`]'s operations, run through sqlx. The
//! operations, and every rule in them, are written once there; this is only
//! how PostgreSQL runs a statement, stores a value, reads a cell and takes
//! the locks that keep the rules true when many server processes write at
//! once. Nothing relies on a lock in this process:
//!
//! - a write is one transaction (READ COMMITTED); a compare-and-set waits
//!   on the row a concurrent writer holds, then sees the version it left;
//! - [`Lock::AuditChain`] is `LOCK TABLE wf_audit_head IN EXCLUSIVE MODE`:
//!   taken last in every write and held to commit, so entries chain one
//!   after another while plain reads go on;
//! - [`Lock::Named`] is a transaction-scoped advisory lock named after what
//!   it guards (a province's quota, an enterprise's active membership);
//! - a snapshot is a `REPEATABLE READ READ ONLY` transaction.
//!
//! Every lock is transaction-scoped, so this works through PgBouncer in
//! transaction mode. Instants are `timestamptz` (microseconds), days `date`.

use hatchery_core::workflow::truncate_instant;
use hatchery_store::workflow::WorkflowError;
use hatchery_store::workflow::engine::{
    Access, Cell, Kind, Lock, Row, Session, StatementError, Value, WorkflowEngine,
};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgRow, PgTypeInfo, PgValueFormat, PgValueRef};
use sqlx::{Column as _, Decode, Encode, Postgres, Row as _, Type, TypeInfo as _};

use crate::PgStore;
use crate::codec::Day;

hatchery_store::sqlx_session! {
    database: Postgres,
    session: PgSession,
    within: PgWithin,
    cells: PgCells(PgRow),
    instant: Instant,
    day: Day,
    lock: take_lock,
}

/// The advisory lock key of `name`: the start of its SHA-256 under a prefix
/// of ours. The same in every process, and a collision with another name
/// (or another application's key) only makes one wait for the other.
fn advisory_key(name: &str) -> i64 {
    let digest = Sha256::new()
        .chain_update(b"hatchery/advisory-lock/v1\0")
        .chain_update(name.as_bytes())
        .finalize();
    let mut key = [0u8; 8];
    key.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(key)
}

/// Takes `lock` until the transaction ends.
async fn take_lock<S: Session>(session: &mut S, lock: Lock<'_>) -> Result<(), StatementError> {
    match lock {
        // Under READ COMMITTED a statement sees what committed before it
        // began: the appender after this one waits here, then reads the head
        // this one wrote.
        Lock::AuditChain => {
            session
                .execute("LOCK TABLE wf_audit_head IN EXCLUSIVE MODE", &[])
                .await?;
        }
        Lock::Named(name) => {
            let key = Value::from(advisory_key(name));
            session
                .execute("SELECT pg_advisory_xact_lock($1)", &[key])
                .await?;
        }
    }
    Ok(())
}

impl PgCells {
    /// An integer column of whatever width it was declared with.
    fn integer(&self, column: &str) -> Result<Option<i64>, WorkflowError> {
        let width = self
            .0
            .try_column(column)
            .map_err(database)?
            .type_info()
            .name();
        Ok(match width {
            "INT2" => self.decode::<Option<i16>>(column)?.map(i64::from),
            "INT4" => self.decode::<Option<i32>>(column)?.map(i64::from),
            _ => self.decode::<Option<i64>>(column)?,
        })
    }
}

impl Row for PgCells {
    fn cell(&self, column: &str, kind: Kind) -> Result<Option<Cell>, WorkflowError> {
        Ok(match kind {
            Kind::Int => self.integer(column)?.map(Cell::Int),
            Kind::Bool => self.decode::<Option<bool>>(column)?.map(Cell::Bool),
            Kind::Text => self.decode::<Option<String>>(column)?.map(Cell::Text),
            Kind::Bytes => self.decode::<Option<Vec<u8>>>(column)?.map(Cell::Bytes),
            Kind::Instant => self
                .decode::<Option<Instant>>(column)?
                .map(|i| Cell::Instant(i.0)),
            Kind::Day => self.decode::<Option<Day>>(column)?.map(|d| Cell::Day(d.0)),
        })
    }
}

impl WorkflowEngine for PgStore {
    type Session = PgSession;

    async fn session(&self, access: Access) -> Result<PgSession, WorkflowError> {
        Ok(match access {
            Access::Direct => PgSession::direct(&self.pool).await?,
            Access::Snapshot => PgSession::transaction(
                crate::begin::begin(&self.pool, Some(crate::begin::READ_ONLY_SNAPSHOT))
                    .await
                    .map_err(database)?,
                None,
            ),
            Access::Write => PgSession::transaction(
                crate::begin::begin(&self.pool, None)
                    .await
                    .map_err(database)?,
                None,
            ),
        })
    }

    async fn writable(&self) -> Result<(), WorkflowError> {
        // A standby refuses every write; a session whose transactions are
        // read-only by default (`default_transaction_read_only`, set on the
        // database or the role, as a failover script may) refuses ours.
        let (standby, read_only): (bool, String) =
            sqlx::query_as("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")
                .fetch_one(&self.pool)
                .await
                .map_err(database)?;
        let refusal = if standby {
            "the server is a standby in recovery"
        } else if read_only == "on" {
            "transactions are read-only on this database"
        } else {
            return Ok(());
        };
        Err(WorkflowError::Database(refusal.into()))
    }
}

// ---------------------------------------------------------------- instants

/// A `timestamptz` column or parameter: microseconds since
/// 2000-01-01T00:00:00Z in PostgreSQL's binary format, the precision the
/// workflow keeps its instants at (finer parts are truncated, as SQLite's
/// six fractional digits are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Instant(Timestamp);

/// `timestamptz`, a built-in type whose oid never changes.
const TIMESTAMPTZ_OID: Oid = Oid(1184);

/// Microseconds from the Unix epoch to PostgreSQL's.
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

impl Type<Postgres> for Instant {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(TIMESTAMPTZ_OID)
    }
}

impl<'r> Decode<'r, Postgres> for Instant {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        match value.format() {
            PgValueFormat::Binary => {
                let bytes: [u8; 8] = value.as_bytes()?.try_into()?;
                let micros = i64::from_be_bytes(bytes)
                    .checked_add(PG_EPOCH_MICROS)
                    .ok_or("timestamptz out of range")?;
                Ok(Instant(Timestamp::from_microsecond(micros)?))
            }
            // sqlx asks for every result in binary.
            PgValueFormat::Text => Err("timestamptz arrived as text, not binary".into()),
        }
    }
}

impl Encode<'_, Postgres> for Instant {
    fn encode_by_ref(
        &self,
        buf: &mut PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, BoxDynError> {
        let micros = truncate_instant(self.0).as_microsecond() - PG_EPOCH_MICROS;
        buf.extend_from_slice(&micros.to_be_bytes());
        Ok(sqlx::encode::IsNull::No)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_epochs_are_thirty_years_apart() {
        let y2k: Timestamp = "2000-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(y2k.as_microsecond(), PG_EPOCH_MICROS);
    }
}
