//! The workflow store in SQLite: the statements of
//! [`hatchery_store::workflow`]'s operations, run through sqlx. The
//! operations themselves, and every rule in them, are written once there;
//! this is only how SQLite runs a statement, stores a value and reads a cell.
//!
//! - A write takes the store's writer turn, then runs in one
//!   `BEGIN IMMEDIATE` transaction: writers in this process queue on the
//!   turn, writers in other processes on SQLite's own write lock (within the
//!   busy timeout). Every write is therefore alone, and takes no
//!   [`Lock`] of its own.
//! - Instants are UTC text with exactly six fractional digits
//!   (`2025-03-06T08:00:00.000000Z`, so text order is time order), days
//!   `YYYY-MM-DD`, flags 0 and 1.

use hatchery_core::date::{format_date, parse_date};
use hatchery_core::workflow::{format_instant, parse_instant};
use hatchery_store::workflow::WorkflowError;
use hatchery_store::workflow::engine::{
    Access, Cell, Kind, Lock, Row, Session, StatementError, Value, WorkflowEngine,
};
use sqlx::pool::PoolConnection;
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Decode, Row as _, Sqlite, SqliteConnection, Transaction, Type};
use tokio::sync::OwnedMutexGuard;

use crate::SqliteStore;

/// A connection of the store's pool, or a transaction on one.
#[derive(Debug)]
pub struct SqliteSession {
    connection: Connection,
    /// Held by a write until it ends.
    _turn: Option<OwnedMutexGuard<()>>,
}

#[derive(Debug)]
enum Connection {
    Direct(PoolConnection<Sqlite>),
    Transaction(Transaction<'static, Sqlite>),
}

impl SqliteSession {
    fn connection(&mut self) -> &mut SqliteConnection {
        match &mut self.connection {
            Connection::Direct(conn) => conn,
            Connection::Transaction(tx) => tx,
        }
    }

    async fn end(self, commit: bool) -> Result<(), StatementError> {
        match self.connection {
            Connection::Direct(_) => Ok(()),
            Connection::Transaction(tx) if commit => tx.commit().await.map_err(failed),
            Connection::Transaction(tx) => tx.rollback().await.map_err(failed),
        }
    }
}

fn failed(error: sqlx::Error) -> StatementError {
    let unique = error
        .as_database_error()
        .is_some_and(|e| e.is_unique_violation());
    StatementError::new(Box::new(error), unique)
}

/// `sql` with `binds` bound to `$1`, `$2`, … in SQLite's encodings.
fn query<'q>(sql: &'q str, binds: &'q [Value<'_>]) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    binds
        .iter()
        .fold(sqlx::query(sql), |query, value| match value {
            Value::Int(v) => query.bind(*v),
            Value::Bool(v) => query.bind(*v),
            Value::Text(v) => query.bind(v.as_deref()),
            Value::Bytes(v) => query.bind(*v),
            Value::Instant(v) => query.bind(v.map(format_instant)),
            Value::Day(v) => query.bind(v.map(format_date)),
        })
}

impl Session for SqliteSession {
    type Row = SqliteCells;

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
    ) -> Result<Vec<SqliteCells>, StatementError> {
        let rows = query(sql, binds)
            .fetch_all(self.connection())
            .await
            .map_err(failed)?;
        Ok(rows.into_iter().map(SqliteCells).collect())
    }

    async fn fetch_optional(
        &mut self,
        sql: &str,
        binds: &[Value<'_>],
    ) -> Result<Option<SqliteCells>, StatementError> {
        let row = query(sql, binds)
            .fetch_optional(self.connection())
            .await
            .map_err(failed)?;
        Ok(row.map(SqliteCells))
    }

    async fn lock(&mut self, _: Lock<'_>) -> Result<(), StatementError> {
        // A write is alone already: see the module's notes.
        Ok(())
    }

    async fn commit(self) -> Result<(), StatementError> {
        self.end(true).await
    }

    async fn rollback(self) -> Result<(), StatementError> {
        self.end(false).await
    }
}

/// A row, read in SQLite's encodings.
pub struct SqliteCells(SqliteRow);

impl std::fmt::Debug for SqliteCells {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteCells")
            .field("columns", &self.0.len())
            .finish()
    }
}

impl SqliteCells {
    fn decode<'r, T: Decode<'r, Sqlite> + Type<Sqlite>>(
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

    /// A text cell that `parse` must understand.
    fn parsed<T>(
        &self,
        column: &str,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, WorkflowError> {
        self.decode::<Option<String>>(column)?
            .map(|text| {
                parse(&text)
                    .ok_or_else(|| WorkflowError::Corrupt(format!("{column}: {what} '{text}'")))
            })
            .transpose()
    }
}

impl Row for SqliteCells {
    fn cell(&self, column: &str, kind: Kind) -> Result<Cell, WorkflowError> {
        let cell = match kind {
            Kind::Int => self.decode::<Option<i64>>(column)?.map(Cell::Int),
            Kind::Bool => self.decode::<Option<bool>>(column)?.map(Cell::Bool),
            Kind::Text => self.decode::<Option<String>>(column)?.map(Cell::Text),
            Kind::Bytes => self.decode::<Option<Vec<u8>>>(column)?.map(Cell::Bytes),
            Kind::Instant => self
                .parsed(column, "instant", parse_instant)?
                .map(Cell::Instant),
            Kind::Day => self
                .parsed(column, "date", |t| parse_date(t).ok())?
                .map(Cell::Day),
        };
        Ok(cell.unwrap_or(Cell::Null))
    }
}

impl WorkflowEngine for SqliteStore {
    type Session = SqliteSession;

    async fn session(&self, access: Access) -> Result<SqliteSession, WorkflowError> {
        let database = |e| WorkflowError::Database(Box::new(e));
        let (connection, turn) = match access {
            Access::Direct => (
                Connection::Direct(self.pool.acquire().await.map_err(database)?),
                None,
            ),
            Access::Snapshot => (
                Connection::Transaction(self.pool.begin().await.map_err(database)?),
                None,
            ),
            Access::Write => {
                let turn = self.writer.clone().lock_owned().await;
                let tx = self
                    .pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(database)?;
                (Connection::Transaction(tx), Some(turn))
            }
        };
        Ok(SqliteSession {
            connection,
            _turn: turn,
        })
    }
}
