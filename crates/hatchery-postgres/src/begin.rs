//! Opening transactions that survive their caller being cancelled.
//!
//! sqlx 0.8's `PgTransactionManager::begin` counts a transaction as open
//! only after the `BEGIN` round trip. A caller dropped in that window — a
//! client that gives up mid-request drops its handler's future — leaves the
//! connection inside a transaction nothing rolls back, and the pool hands it
//! to the next borrower, whose statements then run inside it (sqlx issues
//! 4385 and 4393): "there is already a transaction in progress", and after a
//! read-only snapshot, writes refused as "cannot execute INSERT in a
//! read-only transaction". The soak on PostgreSQL met exactly that.
//!
//! So the `BEGIN` runs as a task of its own: it always finishes, and a
//! transaction nobody claims any more is dropped as a counted one, which
//! queues its `ROLLBACK` before the connection is used again.

use sqlx::{PgPool, Postgres, Transaction};

/// `BEGIN` (or `statement`, such as `BEGIN … READ ONLY`) on a connection of
/// `pool`, safe against the caller being dropped while it runs.
pub(crate) async fn begin(
    pool: &PgPool,
    statement: Option<&'static str>,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let pool = pool.clone();
    tokio::spawn(async move {
        match statement {
            Some(statement) => pool.begin_with(statement).await,
            None => pool.begin().await,
        }
    })
    .await
    .map_err(|joined| sqlx::Error::Io(std::io::Error::other(joined)))?
}

/// A snapshot: one consistent moment, nothing written.
pub(crate) const READ_ONLY_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
