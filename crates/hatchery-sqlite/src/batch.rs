//! Multi-row `INSERT` statements: one round trip to SQLite per thousand rows
//! instead of one per row, with the next rows encoded while SQLite writes.

use hatchery_store::StoreError;
use sqlx::error::BoxDynError;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, SqliteConnection};

use crate::database;

/// A statement's parameters. Owned: sqlx copies borrowed parameters before
/// handing them to SQLite's thread anyway, and owned ones can be encoded
/// while the previous statement runs.
pub(crate) type Args = SqliteArguments<'static>;

/// Appends one value to a statement's parameters.
pub(crate) fn push<T>(args: &mut Args, value: T) -> Result<(), BoxDynError>
where
    T: 'static + sqlx::Encode<'static, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    args.add(value)
}

/// The most parameters one statement may carry (SQLite's
/// `SQLITE_MAX_VARIABLE_NUMBER` since 3.32).
const MAX_PARAMETERS: usize = 32_766;

/// Rows per statement at most, whatever their width: beyond this, longer
/// statements only cost more to prepare.
const MAX_ROWS: usize = 1_000;

/// An `INSERT` that writes many rows per statement.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Insert {
    /// Everything up to and including `VALUES`.
    pub head: &'static str,
    /// Everything after the rows (e.g. an `ON CONFLICT` clause), or "".
    pub tail: &'static str,
    /// Parameters per row.
    pub columns: usize,
}

impl Insert {
    /// How many rows one statement takes.
    pub fn rows_per_statement(&self) -> usize {
        (MAX_PARAMETERS / self.columns).min(MAX_ROWS)
    }

    fn sql(&self, rows: usize) -> String {
        let mut row = String::with_capacity(2 * self.columns + 1);
        row.push('(');
        for column in 0..self.columns {
            row.push_str(if column == 0 { "?" } else { ",?" });
        }
        row.push(')');
        let mut sql = String::with_capacity(self.head.len() + rows * (row.len() + 1) + 64);
        sql.push_str(self.head);
        sql.push(' ');
        for at in 0..rows {
            if at > 0 {
                sql.push(',');
            }
            sql.push_str(&row);
        }
        if !self.tail.is_empty() {
            sql.push(' ');
            sql.push_str(self.tail);
        }
        sql
    }

    /// Writes one row for each of `items`, its cells appended by `encode`
    /// (given the item's position in `items`) in the order of the column
    /// list; returns how many rows the statements inserted or changed (rows
    /// skipped by a conflict clause do not count). The next statement's
    /// parameters are encoded while SQLite executes the current one.
    pub async fn run<'d, T>(
        &self,
        conn: &mut SqliteConnection,
        items: &'d [T],
        encode: impl Fn(usize, &'d T, &mut Args) -> Result<(), BoxDynError>,
    ) -> Result<u64, StoreError> {
        let per_statement = self.rows_per_statement();
        // Every full statement has the same text, so SQLite prepares it once
        // and the connection's statement cache reuses it.
        let full = self.sql(per_statement);
        let encode_chunk = |(at, chunk): (usize, &'d [T])| -> Result<(usize, Args), StoreError> {
            let mut args = Args::default();
            args.reserve(chunk.len() * self.columns, 0);
            for (offset, item) in chunk.iter().enumerate() {
                encode(at * per_statement + offset, item, &mut args)
                    .map_err(StoreError::Database)?;
            }
            Ok((chunk.len(), args))
        };
        let mut chunks = items.chunks(per_statement).enumerate();
        let Some(first) = chunks.next() else {
            return Ok(0);
        };
        let mut current = encode_chunk(first)?;
        let mut affected = 0;
        loop {
            let (rows, args) = current;
            let partial;
            let sql = if rows == per_statement {
                &full
            } else {
                partial = self.sql(rows);
                &partial
            };
            let next = chunks.next();
            // `join!` polls the statement first, which hands it to SQLite's
            // thread, then encodes the next rows on this one.
            let (written, encoded) =
                futures::join!(sqlx::query_with(sql, args).execute(&mut *conn), async {
                    next.map(encode_chunk).transpose()
                });
            affected += written.map_err(database)?.rows_affected();
            match encoded? {
                Some(next) => current = next,
                None => return Ok(affected),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Insert;

    #[test]
    fn statements_list_one_placeholder_per_cell() {
        let insert = Insert {
            head: "INSERT INTO t (a, b) VALUES",
            tail: "ON CONFLICT DO NOTHING",
            columns: 2,
        };
        assert_eq!(
            insert.sql(3),
            "INSERT INTO t (a, b) VALUES (?,?),(?,?),(?,?) ON CONFLICT DO NOTHING"
        );
    }

    #[test]
    fn statements_stay_within_the_parameter_limit() {
        for columns in [1, 2, 14, 40] {
            let insert = Insert {
                head: "",
                tail: "",
                columns,
            };
            let rows = insert.rows_per_statement();
            assert!(rows >= 1 && rows * columns <= super::MAX_PARAMETERS);
        }
    }
}
