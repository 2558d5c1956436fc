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
    Access, Cell, Kind, Lock, Row, Session, StatementError, WorkflowEngine,
};
use std::time::Duration;

use sqlx::sqlite::SqliteRow;
use sqlx::{Connection, Sqlite, SqliteConnection};

use crate::SqliteStore;

hatchery_store::sqlx_session! {
    database: Sqlite,
    session: SqliteSession,
    within: SqliteWithin,
    cells: SqliteCells(SqliteRow),
    instant: format_instant,
    day: format_date,
    lock: no_lock,
}

/// A write is alone already (see the module's notes): it takes no lock.
async fn no_lock<S: Session>(_: &mut S, _: Lock<'_>) -> Result<(), StatementError> {
    Ok(())
}

impl SqliteCells {
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
    fn cell(&self, column: &str, kind: Kind) -> Result<Option<Cell>, WorkflowError> {
        Ok(match kind {
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
        })
    }
}

impl WorkflowEngine for SqliteStore {
    type Session = SqliteSession;

    async fn session(&self, access: Access) -> Result<SqliteSession, WorkflowError> {
        Ok(match access {
            Access::Direct => SqliteSession::direct(&self.pool).await?,
            Access::Snapshot => {
                SqliteSession::transaction(self.pool.begin().await.map_err(database)?, None)
            }
            Access::Write => {
                let turn = self.writer.clone().lock_owned().await;
                let tx = self
                    .pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(database)?;
                SqliteSession::transaction(tx, Some(Box::new(turn)))
            }
        })
    }

    async fn writable(&self) -> Result<(), WorkflowError> {
        let Some(options) = &self.probe else {
            // A memory database: only this process writes it.
            return Ok(());
        };
        // A write of this server that holds the turn longer than this is
        // in progress: later writes queue behind it rather than fail, so
        // the store counts as writable.
        let Ok(_turn) = tokio::time::timeout(PROBE_TURN_WAIT, self.writer.lock()).await else {
            return Ok(());
        };
        // A connection of its own with a short busy timeout, so that the
        // pool's stay as they are; `BEGIN IMMEDIATE` takes SQLite's write
        // lock as a write would, and the rollback gives it back unused.
        let probe = async {
            let mut conn = SqliteConnection::connect_with(options).await?;
            let tx = conn.begin_with("BEGIN IMMEDIATE").await?;
            tx.rollback().await?;
            conn.close().await
        };
        probe
            .await
            .map_err(|error| WorkflowError::Database(Box::new(error)))
    }
}

/// How long the readiness probe waits for a write of this server to end.
const PROBE_TURN_WAIT: Duration = Duration::from_secs(1);
