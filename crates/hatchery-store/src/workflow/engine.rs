//! What a database engine provides for the workflow store to be written once:
//! sessions that run one statement at a time, values to bind, and rows to
//! read cells from. Every [`WorkflowEngine`] is a
//! [`WorkflowStore`](super::WorkflowStore) through one blanket
//! implementation; the operations and their rules live in this crate, the
//! engine only runs statements.
//!
//! Statements are written once for every engine: `$n` placeholders (a
//! placeholder may repeat), `CAST(x AS …)` rather than `::`, `RETURNING`,
//! `ON CONFLICT`. What differs between engines stays behind this layer:
//!
//! - how an instant or a day is stored ([`Value::Instant`], [`Kind::Day`]);
//! - how writers are serialised ([`Access::Write`], [`Lock`]);
//! - how a unique violation is recognised ([`StatementError::is_unique_violation`]).

use std::borrow::Cow;
use std::future::Future;

use jiff::Timestamp;
use jiff::civil::Date;

use super::WorkflowError;

/// What a session is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Statements on their own: each sees what committed before it, and a
    /// write commits by itself (reads, and single-statement writes that
    /// keep no audit entry, such as a credential or a login failure).
    Direct,
    /// Reads that must all see one moment.
    Snapshot,
    /// One transaction of writes (and the reads they depend on), committed
    /// whole by [`Session::commit`] or not at all. The engine serialises
    /// whatever its locks require (SQLite: one writer at a time).
    Write,
}

/// A lock a write takes before it reads what it is about to change, held
/// to the end of its transaction. An engine whose writes are serialised
/// anyway (SQLite) takes none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock<'a> {
    /// The audit chain's head: appenders take turns, so the chain stays
    /// linear. Taken last in every write.
    AuditChain,
    /// Everything guarded by this name (e.g. one province's quota).
    Named(&'a str),
}

/// A value bound to a statement's `$n`. `None` is SQL `NULL`, typed, so an
/// engine that types its parameters (PostgreSQL) knows what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    Int(Option<i64>),
    Bool(Option<bool>),
    Text(Option<Cow<'a, str>>),
    Bytes(Option<&'a [u8]>),
    /// Kept to the microsecond.
    Instant(Option<Timestamp>),
    Day(Option<Date>),
}

macro_rules! value_from {
    ($($t:ty => |$v:ident| $e:expr),+ $(,)?) => {
        $(
            impl<'a> From<$t> for Value<'a> {
                fn from($v: $t) -> Self {
                    $e
                }
            }
        )+
    };
}

value_from! {
    i64 => |v| Value::Int(Some(v)),
    i16 => |v| Value::Int(Some(i64::from(v))),
    u32 => |v| Value::Int(Some(i64::from(v))),
    Option<i64> => |v| Value::Int(v),
    Option<i16> => |v| Value::Int(v.map(i64::from)),
    bool => |v| Value::Bool(Some(v)),
    Option<bool> => |v| Value::Bool(v),
    &'a str => |v| Value::Text(Some(Cow::Borrowed(v))),
    &'a String => |v| Value::Text(Some(Cow::Borrowed(v))),
    String => |v| Value::Text(Some(Cow::Owned(v))),
    Option<&'a str> => |v| Value::Text(v.map(Cow::Borrowed)),
    Option<String> => |v| Value::Text(v.map(Cow::Owned)),
    &'a Option<String> => |v| Value::Text(v.as_deref().map(Cow::Borrowed)),
    &'a [u8] => |v| Value::Bytes(Some(v)),
    Option<&'a [u8]> => |v| Value::Bytes(v),
    &'a Vec<u8> => |v| Value::Bytes(Some(v)),
    Timestamp => |v| Value::Instant(Some(v)),
    Option<Timestamp> => |v| Value::Instant(v),
    Date => |v| Value::Day(Some(v)),
    Option<Date> => |v| Value::Day(v),
}

/// The values for a statement's `$1`, `$2`, …, in order.
#[macro_export]
#[doc(hidden)]
macro_rules! binds {
    ($($value:expr),* $(,)?) => {
        &[$($crate::workflow::engine::Value::from($value)),*]
    };
}

/// What a cell is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any integer column, whatever its width.
    Int,
    Bool,
    Text,
    Bytes,
    Instant,
    Day,
}

/// One cell that is not `NULL`, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Int(i64),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
    Instant(Timestamp),
    Day(Date),
}

/// A row a statement returned.
pub trait Row: Send + Sync {
    /// The cell of `column` read as `kind`: `None` for `NULL`, else the
    /// variant `kind` names. A cell that cannot be read so is
    /// [`WorkflowError::Corrupt`], naming the column.
    fn cell(&self, column: &str, kind: Kind) -> Result<Option<Cell>, WorkflowError>;

    /// The cell of `column` as a Rust value: `row.get::<String>("name")`.
    fn get<T: FromCell>(&self, column: &str) -> Result<T, WorkflowError>
    where
        Self: Sized,
    {
        T::from_cell(self.cell(column, T::KIND)?, column)
    }
}

/// A Rust value a cell can be read as.
pub trait FromCell: Sized {
    /// What to ask the engine for.
    const KIND: Kind;
    /// The value of a cell of [`FromCell::KIND`] (`None`: `NULL`).
    fn from_cell(cell: Option<Cell>, column: &str) -> Result<Self, WorkflowError>;
}

fn unexpected(column: &str, cell: &Option<Cell>) -> WorkflowError {
    WorkflowError::Corrupt(format!("{column}: unexpected {cell:?}"))
}

macro_rules! from_cell {
    ($($t:ty, $kind:ident, |$v:ident, $column:ident| $e:expr);+ $(;)?) => {
        $(
            impl FromCell for $t {
                const KIND: Kind = Kind::$kind;
                fn from_cell(cell: Option<Cell>, $column: &str) -> Result<Self, WorkflowError> {
                    match cell {
                        Some(Cell::$kind($v)) => $e,
                        other => Err(unexpected($column, &other)),
                    }
                }
            }
        )+
    };
}

from_cell! {
    i64, Int, |v, _column| Ok(v);
    i32, Int, |v, column| i32::try_from(v).map_err(|_| unexpected(column, &Some(Cell::Int(v))));
    i16, Int, |v, column| i16::try_from(v).map_err(|_| unexpected(column, &Some(Cell::Int(v))));
    bool, Bool, |v, _column| Ok(v);
    String, Text, |v, _column| Ok(v);
    Vec<u8>, Bytes, |v, _column| Ok(v);
    Timestamp, Instant, |v, _column| Ok(v);
    Date, Day, |v, _column| Ok(v);
}

impl<T: FromCell> FromCell for Option<T> {
    const KIND: Kind = T::KIND;
    fn from_cell(cell: Option<Cell>, column: &str) -> Result<Self, WorkflowError> {
        match cell {
            None => Ok(None),
            some => T::from_cell(some, column).map(Some),
        }
    }
}

/// A statement failed in the database.
#[derive(Debug, thiserror::Error)]
#[error("{source}")]
pub struct StatementError {
    unique_violation: bool,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl StatementError {
    /// The driver's error, and whether it is a unique-constraint violation.
    pub fn new(source: Box<dyn std::error::Error + Send + Sync>, unique_violation: bool) -> Self {
        Self {
            unique_violation,
            source,
        }
    }

    /// Whether a uniqueness rule of the schema refused the statement.
    pub fn is_unique_violation(&self) -> bool {
        self.unique_violation
    }
}

impl From<StatementError> for WorkflowError {
    fn from(error: StatementError) -> Self {
        WorkflowError::Database(error.source)
    }
}

/// A connection, or a transaction on one, that runs statements. Dropped
/// without [`Session::commit`], a write is rolled back.
pub trait Session: Send {
    /// The rows its statements return.
    type Row: Row;

    /// Runs a statement; how many rows it changed.
    fn execute(
        &mut self,
        sql: &str,
        binds: &[Value<'_>],
    ) -> impl Future<Output = Result<u64, StatementError>> + Send;

    /// Every row a statement returns.
    fn fetch_all(
        &mut self,
        sql: &str,
        binds: &[Value<'_>],
    ) -> impl Future<Output = Result<Vec<Self::Row>, StatementError>> + Send;

    /// The first row a statement returns, if any.
    fn fetch_optional(
        &mut self,
        sql: &str,
        binds: &[Value<'_>],
    ) -> impl Future<Output = Result<Option<Self::Row>, StatementError>> + Send;

    /// Takes `lock` until the transaction ends (see [`Lock`]).
    fn lock(&mut self, lock: Lock<'_>) -> impl Future<Output = Result<(), StatementError>> + Send;

    /// Commits a transaction; ends any other session.
    fn commit(self) -> impl Future<Output = Result<(), StatementError>> + Send;

    /// Rolls a transaction back; ends any other session.
    fn rollback(self) -> impl Future<Output = Result<(), StatementError>> + Send;
}

/// A database the workflow store can live in. Implementing this is all an
/// engine does: every [`WorkflowStore`](super::WorkflowStore) operation is
/// written once, over it.
pub trait WorkflowEngine: Send + Sync + std::fmt::Debug {
    /// What runs its statements.
    type Session: Session;

    /// A session for `access`; for [`Access::Write`], once the engine's
    /// turn for writers (if it has one) is this caller's.
    fn session(
        &self,
        access: Access,
    ) -> impl Future<Output = Result<Self::Session, WorkflowError>> + Send;

    /// Whether the database would take a write now: `Err` saying why not
    /// when another process holds the write lock beyond a short wait, or
    /// the database is read-only or a standby. Quick enough for a readiness
    /// probe, and it writes nothing.
    fn writable(&self) -> impl Future<Output = Result<(), WorkflowError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    struct One(Option<Cell>);

    impl Row for One {
        fn cell(&self, _: &str, _: Kind) -> Result<Option<Cell>, WorkflowError> {
            Ok(self.0.clone())
        }
    }

    #[test]
    fn cells_read_as_rust_values_or_name_the_column() {
        assert_eq!(
            One(Some(Cell::Int(2024))).get::<i16>("cycle").unwrap(),
            2024
        );
        assert_eq!(One(None).get::<Option<i16>>("cycle").unwrap(), None);
        let too_wide = One(Some(Cell::Int(1 << 20)))
            .get::<i16>("cycle")
            .unwrap_err();
        assert!(too_wide.to_string().contains("cycle"), "{too_wide}");
        let null = One(None).get::<String>("name").unwrap_err();
        assert!(matches!(null, WorkflowError::Corrupt(m) if m.contains("name")));
    }
}
