//! The ledger snapshot (`hatchery_core::snapshot`) in `ledger_snapshot`,
//! valid for one import: loading the ledger reads it while that import is
//! still the latest, instead of scanning every row.
//!
//! Kept current by the writers: an import into an empty store writes the
//! snapshot of what it imported, in its own transaction; an import that
//! changes nothing carries the snapshot forward; any other import drops it,
//! and the next load, having scanned the tables, writes it again. A row
//! changed or deleted behind the store's back drops it (by trigger).

use futures::TryStreamExt;
use hatchery_core::Ledger;
use hatchery_core::snapshot::{self, Decoder};
use hatchery_store::StoreError;
use sqlx::{Row, SqliteConnection};

use crate::database;

/// The latest import's id (0 when there is none).
pub(crate) async fn latest_import(conn: &mut SqliteConnection) -> Result<i64, StoreError> {
    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM imports")
        .fetch_one(conn)
        .await
        .map_err(database)
}

/// The ledger from the snapshot, when there is one for `import`. A snapshot
/// that cannot be read is reported and ignored: the tables hold the truth.
pub(crate) async fn read(
    conn: &mut SqliteConnection,
    import: i64,
) -> Result<Option<Ledger>, StoreError> {
    let valid: Option<i64> =
        sqlx::query_scalar("SELECT import_id FROM ledger_snapshot WHERE part = 0")
            .fetch_optional(&mut *conn)
            .await
            .map_err(database)?;
    if valid != Some(import) {
        return Ok(None);
    }
    // One part at a time: the ledger grows while at most one part is held.
    let mut parts = sqlx::query("SELECT part, data FROM ledger_snapshot ORDER BY part").fetch(conn);
    let mut decoder: Option<Decoder> = None;
    let mut expected = 0i64;
    let decoded: Result<(), String> = async {
        while let Some(row) = parts.try_next().await.map_err(|e| e.to_string())? {
            let part: i64 = row.try_get("part").map_err(|e| e.to_string())?;
            if part != expected {
                return Err(format!("part {expected} is missing"));
            }
            expected += 1;
            let data: &[u8] = row.try_get("data").map_err(|e| e.to_string())?;
            match decoder.as_mut() {
                None => decoder = Some(Decoder::new(data).map_err(|e| e.to_string())?),
                Some(decoder) => decoder.part(data).map_err(|e| e.to_string())?,
            }
        }
        Ok(())
    }
    .await;
    drop(parts);
    let ledger = decoded.and_then(|()| {
        decoder
            .ok_or_else(|| "no header".to_owned())?
            .finish()
            .map_err(|e| e.to_string())
    });
    match ledger {
        Ok(ledger) => Ok(Some(ledger)),
        Err(problem) => {
            tracing::warn!(%problem, "the ledger snapshot is unreadable; scanning the tables");
            Ok(None)
        }
    }
}

/// Replaces the snapshot with `ledger`'s, valid for `import`.
pub(crate) async fn write(
    conn: &mut SqliteConnection,
    import: i64,
    ledger: &Ledger,
) -> Result<(), StoreError> {
    write_parts(conn, import, snapshot::encode(ledger)).await
}

/// Replaces the snapshot with `parts`, as [`snapshot::encode`] gives them,
/// valid for `import`.
pub(crate) async fn write_parts(
    conn: &mut SqliteConnection,
    import: i64,
    parts: Vec<Vec<u8>>,
) -> Result<(), StoreError> {
    forget(conn).await?;
    for (part, data) in parts.into_iter().enumerate() {
        sqlx::query("INSERT INTO ledger_snapshot (part, import_id, data) VALUES (?1, ?2, ?3)")
            .bind(i64::try_from(part).unwrap_or(i64::MAX))
            .bind(import)
            .bind(data)
            .execute(&mut *conn)
            .await
            .map_err(database)?;
    }
    Ok(())
}

/// Drops the snapshot.
pub(crate) async fn forget(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM ledger_snapshot")
        .execute(conn)
        .await
        .map_err(database)?;
    Ok(())
}

/// Declares the snapshot of import `from` valid for `to`, which changed
/// nothing the ledger holds.
pub(crate) async fn carry_forward(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE ledger_snapshot SET import_id = ?2 WHERE import_id = ?1")
        .bind(from)
        .bind(to)
        .execute(conn)
        .await
        .map_err(database)?;
    Ok(())
}
