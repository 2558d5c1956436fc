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
use sqlx::pool::PoolConnection;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgArguments, PgRow, PgTypeInfo, PgValueFormat, PgValueRef};
use sqlx::query::Query;
use sqlx::{
    Column as _, Decode, Encode, PgConnection, Postgres, Row as _, Transaction, Type, TypeInfo as _,
};

use crate::PgStore;
use crate::codec::Day;

/// A connection of the store's pool, or a transaction on one.
#[derive(Debug)]
pub enum PgSession {
    Direct(PoolConnection<Postgres>),
    Transaction(Transaction<'static, Postgres>),
}

impl PgSession {
    fn connection(&mut self) -> &mut PgConnection {
        match self {
            Self::Direct(conn) => conn,
            Self::Transaction(tx) => tx,
        }
    }

    async fn end(self, commit: bool) -> Result<(), StatementError> {
        match self {
            Self::Direct(_) => Ok(()),
            Self::Transaction(tx) if commit => tx.commit().await.map_err(failed),
            Self::Transaction(tx) => tx.rollback().await.map_err(failed),
        }
    }
}

fn failed(error: sqlx::Error) -> StatementError {
    let unique = error
        .as_database_error()
        .is_some_and(|e| e.is_unique_violation());
    StatementError::new(Box::new(error), unique)
}

/// `sql` with `binds` bound to `$1`, `$2`, …, each typed (a `NULL` too).
fn query<'q>(sql: &'q str, binds: &'q [Value<'_>]) -> Query<'q, Postgres, PgArguments> {
    binds
        .iter()
        .fold(sqlx::query(sql), |query, value| match value {
            Value::Int(v) => query.bind(*v),
            Value::Bool(v) => query.bind(*v),
            Value::Text(v) => query.bind(v.as_deref()),
            Value::Bytes(v) => query.bind(*v),
            Value::Instant(v) => query.bind(v.map(Instant)),
            Value::Day(v) => query.bind(v.map(Day)),
        })
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

impl Session for PgSession {
    type Row = PgCells;

    async fn execute(&mut self, sql: &str, binds: &[Value<'_>]) -> Result<u64, StatementError> {
        let done = query(sql, binds)
            .execute(self.connection())
            .await
            .map_err(failed)?;
        Ok(done.rows_affected())
    }

    async fn fetch_all(
        &mut self,
        sql: &str,
        binds: &[Value<'_>],
    ) -> Result<Vec<PgCells>, StatementError> {
        let rows = query(sql, binds)
            .fetch_all(self.connection())
            .await
            .map_err(failed)?;
        Ok(rows.into_iter().map(PgCells).collect())
    }

    async fn fetch_optional(
        &mut self,
        sql: &str,
        binds: &[Value<'_>],
    ) -> Result<Option<PgCells>, StatementError> {
        let row = query(sql, binds)
            .fetch_optional(self.connection())
            .await
            .map_err(failed)?;
        Ok(row.map(PgCells))
    }

    async fn lock(&mut self, lock: Lock<'_>) -> Result<(), StatementError> {
        match lock {
            // Under READ COMMITTED a statement sees what committed before it
            // began: the appender after this one waits here, then reads the
            // head this one wrote.
            Lock::AuditChain => {
                self.execute("LOCK TABLE wf_audit_head IN EXCLUSIVE MODE", &[])
                    .await?;
            }
            Lock::Named(name) => {
                let key = Value::from(advisory_key(name));
                self.execute("SELECT pg_advisory_xact_lock($1)", &[key])
                    .await?;
            }
        }
        Ok(())
    }

    async fn commit(self) -> Result<(), StatementError> {
        self.end(true).await
    }

    async fn rollback(self) -> Result<(), StatementError> {
        self.end(false).await
    }
}

/// A row, read in PostgreSQL's types.
pub struct PgCells(PgRow);

impl std::fmt::Debug for PgCells {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgCells")
            .field("columns", &self.0.len())
            .finish()
    }
}

impl PgCells {
    fn decode<'r, T: Decode<'r, Postgres> + Type<Postgres>>(
        &'r self,
        column: &str,
    ) -> Result<T, WorkflowError> {
        self.0.try_get(column).map_err(|error| match error {
            sqlx::Error::ColumnDecode { .. } => {
                WorkflowError::Corrupt(format!("{column}: {error}"))
            }
            other => WorkflowError::Database(Box::new(other)),
        })
    }

    /// An integer column of whatever width it was declared with.
    fn integer(&self, column: &str) -> Result<Option<i64>, WorkflowError> {
        let width = self
            .0
            .try_column(column)
            .map_err(|e| WorkflowError::Database(Box::new(e)))?
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
    fn cell(&self, column: &str, kind: Kind) -> Result<Cell, WorkflowError> {
        let cell = match kind {
            Kind::Int => self.integer(column)?.map(Cell::Int),
            Kind::Bool => self.decode::<Option<bool>>(column)?.map(Cell::Bool),
            Kind::Text => self.decode::<Option<String>>(column)?.map(Cell::Text),
            Kind::Bytes => self.decode::<Option<Vec<u8>>>(column)?.map(Cell::Bytes),
            Kind::Instant => self
                .decode::<Option<Instant>>(column)?
                .map(|i| Cell::Instant(i.0)),
            Kind::Day => self.decode::<Option<Day>>(column)?.map(|d| Cell::Day(d.0)),
        };
        Ok(cell.unwrap_or(Cell::Null))
    }
}

impl WorkflowEngine for PgStore {
    type Session = PgSession;

    async fn session(&self, access: Access) -> Result<PgSession, WorkflowError> {
        let database = |e| WorkflowError::Database(Box::new(e));
        Ok(match access {
            Access::Direct => PgSession::Direct(self.pool.acquire().await.map_err(database)?),
            Access::Snapshot => PgSession::Transaction(
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
                    .map_err(database)?,
            ),
            Access::Write => PgSession::Transaction(self.pool.begin().await.map_err(database)?),
        })
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
