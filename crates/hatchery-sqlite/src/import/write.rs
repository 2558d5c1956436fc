//! The second half of an import: writing a plan with multi-row statements.

use std::time::Instant;

use hatchery_core::date::format_date;
use hatchery_core::{Amount, Dataset};
use hatchery_store::{EventIdentity, ImportOutcome, ImportSource, StoreError};
use sqlx::SqliteConnection;

use super::plan::Plan;
use crate::batch::{Insert, push};
use crate::codec::{enterprise_cells, event_cells, push_enterprise_cells, push_event_cells};
use crate::database;
use crate::json;

/// New enterprises are inserted; a new revision overwrites the current row
/// (which was first copied to `enterprise_revisions`).
const CURRENT: Insert = Insert {
    head: concat!(
        "INSERT INTO enterprises (key, id, revision, import_id, ",
        enterprise_cells!(),
        ") VALUES"
    ),
    tail: "ON CONFLICT (key) DO UPDATE SET revision = excluded.revision, \
           import_id = excluded.import_id, name = excluded.name, name_en = excluded.name_en, \
           uscc = excluded.uscc, founded = excluded.founded, country = excluded.country, \
           region = excluded.region, city = excluded.city, zone = excluded.zone, \
           industries = excluded.industries, tags = excluded.tags, extra = excluded.extra",
    columns: 15,
};

/// Moves the current rows of the enterprises in `?1` (a JSON array of keys)
/// to the history, as they are.
const KEEP_REPLACED: &str = concat!(
    "INSERT INTO enterprise_revisions (enterprise_key, revision, import_id, ",
    enterprise_cells!(),
    ") SELECT key, revision, import_id, ",
    enterprise_cells!(),
    " FROM enterprises WHERE key IN (SELECT value FROM json_each(?1))"
);

/// Rows equal to a stored event of their enterprise (or to an earlier row
/// of the same statement) are skipped by the primary key.
const EVENTS: Insert = Insert {
    head: concat!(
        "INSERT INTO events (enterprise_key, identity, seq, ",
        event_cells!(),
        ") VALUES"
    ),
    tail: "ON CONFLICT (enterprise_key, identity) DO NOTHING",
    columns: 14,
};

const FX: Insert = Insert {
    head: "INSERT INTO fx_rates (currency, date, per_usd, import_id) VALUES",
    tail: "",
    columns: 4,
};

const FINANCIALS: Insert = Insert {
    head: "INSERT INTO financials \
           (enterprise_key, year, currency, revenue, rd_expense, employees, import_id) VALUES",
    tail: "ON CONFLICT (enterprise_key, year) DO UPDATE SET currency = excluded.currency, \
           revenue = excluded.revenue, rd_expense = excluded.rd_expense, \
           employees = excluded.employees, import_id = excluded.import_id",
    columns: 7,
};

/// Keys per statement for the statements that take a JSON list of keys.
const KEYS_PER_STATEMENT: usize = 20_000;

/// Writes `plan`, recording the import; returns the complete outcome.
pub(super) async fn write(
    conn: &mut SqliteConnection,
    dataset: &Dataset,
    plan: Plan<'_>,
    source: &ImportSource,
) -> Result<ImportOutcome, StoreError> {
    let Plan {
        enterprises,
        replaced,
        released_codes,
        event_keys,
        fx,
        financials,
        mut outcome,
    } = plan;
    let import = sqlx::query("INSERT INTO imports (origin, at) VALUES (?1, ?2)")
        .bind(source.origin.as_str())
        .bind(source.at.as_str())
        .execute(&mut *conn)
        .await
        .map_err(database)?
        .last_insert_rowid();

    let started = Instant::now();
    for chunk in replaced.chunks(KEYS_PER_STATEMENT) {
        execute_with_keys(conn, KEEP_REPLACED, chunk).await?;
    }
    // Released first, so that a code can move to another enterprise without
    // two rows holding it for a moment.
    for chunk in released_codes.chunks(KEYS_PER_STATEMENT) {
        execute_with_keys(
            conn,
            "UPDATE enterprises SET uscc = NULL WHERE key IN (SELECT value FROM json_each(?1))",
            chunk,
        )
        .await?;
    }
    CURRENT
        .run(conn, &enterprises, |_, write, args| {
            push(args, write.key)?;
            push(args, write.enterprise.id.to_string())?;
            push(args, write.revision)?;
            push(args, import)?;
            push_enterprise_cells(args, write.enterprise)
        })
        .await?;
    tracing::debug!(elapsed = ?started.elapsed(), rows = enterprises.len(), "enterprises written");

    // Events are numbered after every stored one, in dataset order; a
    // dropped duplicate leaves its number unused.
    let started = Instant::now();
    let last_seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(last_seq), 0) FROM imports")
        .fetch_one(&mut *conn)
        .await
        .map_err(database)?;
    let added = EVENTS
        .run(conn, &dataset.events, |at, event, args| {
            let key = event_keys
                .get(at)
                .ok_or("the plan has no key for this event")?;
            push(args, *key)?;
            push(args, EventIdentity::of(event).as_bytes().to_vec())?;
            push(args, last_seq + 1 + i64::try_from(at)?)?;
            push_event_cells(args, event)
        })
        .await?;
    tracing::debug!(elapsed = ?started.elapsed(), rows = dataset.events.len(), "events written");
    outcome.events_added = added;
    outcome.events_duplicate = dataset.events.len() as u64 - added;

    FX.run(conn, &fx, |_, rate, args| {
        push(args, rate.currency.as_str().to_owned())?;
        push(args, format_date(rate.date))?;
        push(args, rate.per_usd.as_str().to_owned())?;
        push(args, import)
    })
    .await?;
    FINANCIALS
        .run(conn, &financials, |_, &(key, row), args| {
            let text = |amount: &Option<Amount>| amount.as_ref().map(|a| a.as_str().to_owned());
            push(args, key)?;
            push(args, row.year)?;
            push(args, row.currency.as_str().to_owned())?;
            push(args, text(&row.revenue))?;
            push(args, text(&row.rd_expense))?;
            // The plan rejected counts beyond i64.
            push(args, row.employees.map(i64::try_from).transpose()?)?;
            push(args, import)
        })
        .await?;

    let recorded =
        serde_json::to_string(&outcome).map_err(|e| StoreError::Database(Box::new(e)))?;
    sqlx::query("UPDATE imports SET outcome = ?1, last_seq = ?2 WHERE id = ?3")
        .bind(recorded)
        .bind(last_seq + i64::try_from(dataset.events.len()).unwrap_or(i64::MAX))
        .bind(import)
        .execute(&mut *conn)
        .await
        .map_err(database)?;
    Ok(outcome)
}

/// Runs `sql` with `keys` bound as one JSON array (`?1`).
async fn execute_with_keys(
    conn: &mut SqliteConnection,
    sql: &'static str,
    keys: &[i64],
) -> Result<(), StoreError> {
    sqlx::query(sql)
        .bind(json::array(keys))
        .execute(conn)
        .await
        .map_err(database)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each insert's parameter count is the length of its column list.
    #[test]
    fn inserts_bind_one_parameter_per_column() {
        for insert in [CURRENT, EVENTS, FX, FINANCIALS] {
            let list = insert
                .head
                .split_once('(')
                .and_then(|(_, rest)| rest.split_once(')'))
                .map(|(list, _)| list)
                .unwrap_or_default();
            assert_eq!(list.split(',').count(), insert.columns, "{}", insert.head);
        }
    }
}
