//! Reading the store. Reads that span tables run in one `REPEATABLE READ
//! READ ONLY` transaction, so they see one moment even while an import
//! commits beside them. Bulk reads stream each table once, decoding rows as
//! they arrive.

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;
use hatchery_core::{
    Amount, Currency, Dataset, Enterprise, EnterpriseId, Event, Financials, FxRate, FxTable,
    Ledger, LedgerBuilder,
};
use hatchery_store::{
    ImportOutcome, ImportRecord, ImportSource, Revision, StoreCounts, StoreError,
};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use crate::codec::{self, Day, ENTERPRISE_READ, EVENT_READ, cell, count, get, optional};
use crate::database;

/// Opens a read-only transaction on one snapshot.
pub(crate) async fn snapshot(pool: &PgPool) -> Result<Transaction<'static, Postgres>, StoreError> {
    crate::begin::begin(pool, Some(crate::begin::READ_ONLY_SNAPSHOT))
        .await
        .map_err(database)
}

/// Enterprise ids by key, filled while reading `enterprises`: other tables
/// name enterprises by key.
#[derive(Debug, Default)]
struct Ids(HashMap<i64, EnterpriseId>);

impl Ids {
    fn get(&self, key: i64) -> Result<&EnterpriseId, StoreError> {
        self.0
            .get(&key)
            .ok_or_else(|| StoreError::Corrupt(format!("no enterprise has key {key}")))
    }
}

/// A row count or a bound, as a capacity hint.
fn hint(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

pub(crate) async fn existing_ids(
    pool: &PgPool,
    ids: &[EnterpriseId],
) -> Result<HashSet<EnterpriseId>, StoreError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let texts: Vec<&str> = ids.iter().map(EnterpriseId::as_str).collect();
    let mut rows = sqlx::query("SELECT id FROM enterprises WHERE id = ANY($1)")
        .bind(&texts)
        .fetch(pool);
    let mut found = HashSet::new();
    while let Some(row) = rows.try_next().await.map_err(database)? {
        let id = get::<&str>(&row, 0, "enterprises")?;
        found.insert(cell("enterprises", "id", id, EnterpriseId::parse)?);
    }
    Ok(found)
}

/// Every enterprise as the engine sees it, every event reduced to what the
/// criteria read, and every rate: one pass over each table.
pub(crate) async fn load_ledger(pool: &PgPool) -> Result<Ledger, StoreError> {
    let started = std::time::Instant::now();
    let mut tx = snapshot(pool).await?;
    // Sizes, for capacity only: keys are handed out densely; for events the
    // planner's estimate (`last_seq` would overshoot by every duplicate ever
    // imported, and a count would scan the table once more).
    let (enterprises, events): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COALESCE(MAX(key), 0) FROM enterprises), \
                (SELECT GREATEST(reltuples, 0)::bigint FROM pg_class \
                 WHERE oid = 'events'::regclass)",
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(database)?;
    let mut builder = LedgerBuilder::with_capacity(hint(enterprises), hint(events));
    let mut ids = Ids(HashMap::with_capacity(hint(enterprises)));

    let mut rows = sqlx::query(
        "SELECT key, id, founded, country, region, zone, industries, tags FROM enterprises",
    )
    .fetch(&mut *tx);
    while let Some(row) = rows.try_next().await.map_err(database)? {
        let (key, enterprise) = codec::ledger_enterprise(&row)?;
        ids.0.insert(key, enterprise.id.clone());
        builder.enterprise(enterprise);
    }
    drop(rows);
    tracing::debug!(elapsed = ?started.elapsed(), "ledger: enterprises read");

    let mut rows = sqlx::query(
        "SELECT enterprise_key, seq, date, kind, amount, valuation, currency, exchange, region \
         FROM events",
    )
    .fetch(&mut *tx);
    while let Some(row) = rows.try_next().await.map_err(database)? {
        let (key, seq, event) = codec::ledger_event(&row)?;
        let seq = count("events", "seq", seq)?;
        builder.event(ids.get(key)?.as_str(), seq, event);
    }
    drop(rows);
    tracing::debug!(elapsed = ?started.elapsed(), "ledger: events read");

    let mut fx = FxTable::default();
    for rate in all_fx(&mut tx).await? {
        fx.insert(rate.currency, rate.date, rate.per_usd.value());
    }
    tx.commit().await.map_err(database)?;
    builder.fx(fx);
    let ledger = builder.build();
    tracing::debug!(elapsed = ?started.elapsed(), "ledger built");
    Ok(ledger)
}

/// The whole store as a dataset, in the orders [`Store::export`] promises.
///
/// [`Store::export`]: hatchery_store::Store::export
pub(crate) async fn export(pool: &PgPool) -> Result<Dataset, StoreError> {
    let mut tx = snapshot(pool).await?;
    let mut ids = Ids::default();
    let enterprises = current_enterprises(&mut tx, Some(&mut ids)).await?;

    // Sorted here rather than by the server: a sort of every event would
    // spill to disk under the default `work_mem`, while the rows arrive
    // in whatever order is cheapest.
    let mut events = Vec::new();
    let mut order = Vec::new();
    let sql = format!("SELECT enterprise_key, seq, {EVENT_READ} FROM events");
    let mut rows = sqlx::query(&sql).fetch(&mut *tx);
    while let Some(row) = rows.try_next().await.map_err(database)? {
        let key: i64 = get(&row, 0, "events")?;
        order.push(get::<i64>(&row, 1, "events")?);
        events.push(codec::event(&row, 2, ids.get(key)?.clone())?);
    }
    drop(rows);
    let events = in_import_order(events, &order);

    let fx = all_fx(&mut tx).await?;

    let mut financials = Vec::new();
    let mut rows = sqlx::query(
        "SELECT enterprise_key, year, currency, revenue, rd_expense, employees FROM financials",
    )
    .fetch(&mut *tx);
    while let Some(row) = rows.try_next().await.map_err(database)? {
        let (key, figures) = Figures::decode(&row)?;
        financials.push(figures.of_enterprise(ids.get(key)?.clone()));
    }
    drop(rows);
    tx.commit().await.map_err(database)?;
    financials.sort_unstable_by(|a, b| {
        (a.enterprise.as_str(), a.year).cmp(&(b.enterprise.as_str(), b.year))
    });
    Ok(Dataset {
        enterprises,
        events,
        fx,
        financials,
    })
}

/// `events` reordered by `seq` (`seq[i]` is the import order of `events[i]`).
/// Sorts positions rather than the events, which are large to move.
fn in_import_order(events: Vec<Event>, seq: &[i64]) -> Vec<Event> {
    let mut positions: Vec<usize> = (0..events.len()).collect();
    positions.sort_unstable_by_key(|&at| seq[at]);
    let mut slots: Vec<Option<Event>> = events.into_iter().map(Some).collect();
    positions
        .into_iter()
        .filter_map(|at| slots[at].take())
        .collect()
}

/// A `financials` row's figures, everything but its enterprise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Figures {
    pub year: i16,
    pub currency: Currency,
    pub revenue: Option<Amount>,
    pub rd_expense: Option<Amount>,
    pub employees: Option<u64>,
}

impl Figures {
    /// The figures of `row`.
    pub fn of(row: &Financials) -> Self {
        Self {
            year: row.year,
            currency: row.currency,
            revenue: row.revenue.clone(),
            rd_expense: row.rd_expense.clone(),
            employees: row.employees,
        }
    }

    /// Reads `enterprise_key, year, currency, revenue, rd_expense,
    /// employees`; returns the key too.
    pub fn decode(row: &PgRow) -> Result<(i64, Self), StoreError> {
        const T: &str = "financials";
        let maybe = |n: usize| get::<Option<&str>>(row, n, T);
        let figures = Self {
            year: get(row, 1, T)?,
            currency: cell(T, "currency", get::<&str>(row, 2, T)?, Currency::parse)?,
            revenue: optional(T, "revenue", maybe(3)?, Amount::parse)?,
            rd_expense: optional(T, "rd_expense", maybe(4)?, Amount::parse)?,
            employees: get::<Option<i64>>(row, 5, T)?
                .map(|n| count(T, "employees", n))
                .transpose()?,
        };
        Ok((get(row, 0, T)?, figures))
    }

    fn of_enterprise(self, enterprise: EnterpriseId) -> Financials {
        Financials {
            enterprise,
            year: self.year,
            currency: self.currency,
            revenue: self.revenue,
            rd_expense: self.rd_expense,
            employees: self.employees,
        }
    }
}

/// Every enterprise's current row, by id in byte order; notes their keys in
/// `ids` when given.
async fn current_enterprises(
    conn: &mut PgConnection,
    mut ids: Option<&mut Ids>,
) -> Result<Vec<Enterprise>, StoreError> {
    let mut enterprises = Vec::new();
    // `id` is COLLATE "C", so its index is in byte order.
    let sql = format!("SELECT key, id, {ENTERPRISE_READ} FROM enterprises ORDER BY id");
    let mut rows = sqlx::query(&sql).fetch(conn);
    while let Some(row) = rows.try_next().await.map_err(database)? {
        let enterprise = codec::enterprise(&row, 1, "enterprises")?;
        if let Some(ids) = ids.as_deref_mut() {
            ids.0
                .insert(get(&row, 0, "enterprises")?, enterprise.id.clone());
        }
        enterprises.push(enterprise);
    }
    Ok(enterprises)
}

/// Every rate, by currency then date.
async fn all_fx(conn: &mut PgConnection) -> Result<Vec<FxRate>, StoreError> {
    const T: &str = "fx_rates";
    let rows = sqlx::query("SELECT currency, date, per_usd FROM fx_rates ORDER BY currency, date")
        .fetch_all(conn)
        .await
        .map_err(database)?;
    rows.iter()
        .map(|row| {
            Ok(FxRate {
                currency: cell(T, "currency", get::<&str>(row, 0, T)?, Currency::parse)?,
                date: get::<Day>(row, 1, T)?.0,
                per_usd: cell(T, "per_usd", get::<&str>(row, 2, T)?, Amount::parse)?,
            })
        })
        .collect()
}

pub(crate) async fn enterprise(
    pool: &PgPool,
    id: &EnterpriseId,
) -> Result<Option<(Enterprise, Vec<Event>)>, StoreError> {
    let mut tx = snapshot(pool).await?;
    let row = sqlx::query(&format!(
        "SELECT key, id, {ENTERPRISE_READ} FROM enterprises WHERE id = $1"
    ))
    .bind(id.as_str())
    .fetch_optional(&mut *tx)
    .await
    .map_err(database)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let key: i64 = get(&row, 0, "enterprises")?;
    let enterprise = codec::enterprise(&row, 1, "enterprises")?;
    let rows = sqlx::query(&format!(
        "SELECT {EVENT_READ} FROM events WHERE enterprise_key = $1 ORDER BY seq"
    ))
    .bind(key)
    .fetch_all(&mut *tx)
    .await
    .map_err(database)?;
    tx.commit().await.map_err(database)?;
    let events = rows
        .iter()
        .map(|row| codec::event(row, 0, id.clone()))
        .collect::<Result<_, _>>()?;
    Ok(Some((enterprise, events)))
}

pub(crate) async fn enterprises(pool: &PgPool) -> Result<Vec<Enterprise>, StoreError> {
    let mut conn = pool.acquire().await.map_err(database)?;
    current_enterprises(&mut conn, None).await
}

pub(crate) async fn fx_rates(pool: &PgPool) -> Result<Vec<FxRate>, StoreError> {
    let mut conn = pool.acquire().await.map_err(database)?;
    all_fx(&mut conn).await
}

pub(crate) async fn counts(pool: &PgPool) -> Result<StoreCounts, StoreError> {
    let (enterprises, events, fx_rates, financials, imports): (i64, i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM enterprises), (SELECT COUNT(*) FROM events), \
                    (SELECT COUNT(*) FROM fx_rates), (SELECT COUNT(*) FROM financials), \
                    (SELECT COUNT(*) FROM imports)",
        )
        .fetch_one(pool)
        .await
        .map_err(database)?;
    Ok(StoreCounts {
        enterprises: count("enterprises", "COUNT(*)", enterprises)?,
        events: count("events", "COUNT(*)", events)?,
        fx_rates: count("fx_rates", "COUNT(*)", fx_rates)?,
        financials: count("financials", "COUNT(*)", financials)?,
        imports: count("imports", "COUNT(*)", imports)?,
    })
}

/// The replaced revisions from `enterprise_revisions`, then the current one.
pub(crate) async fn revisions(
    pool: &PgPool,
    id: &EnterpriseId,
) -> Result<Vec<Revision>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT r.revision, r.import_id, e.id, {history} \
         FROM enterprise_revisions AS r JOIN enterprises AS e ON e.key = r.enterprise_key \
         WHERE e.id = $1 \
         UNION ALL \
         SELECT revision, import_id, id, {ENTERPRISE_READ} FROM enterprises WHERE id = $1 \
         ORDER BY 1",
        history = prefixed("r.", ENTERPRISE_READ),
    ))
    .bind(id.as_str())
    .fetch_all(pool)
    .await
    .map_err(database)?;
    rows.iter()
        .map(|row| {
            const T: &str = "enterprise_revisions";
            Ok(Revision {
                number: count(T, "revision", get::<i64>(row, 0, T)?)?,
                import: get(row, 1, T)?,
                enterprise: codec::enterprise(row, 2, T)?,
            })
        })
        .collect()
}

/// `columns` (comma separated) each prefixed with `prefix`.
fn prefixed(prefix: &str, columns: &str) -> String {
    columns
        .split(", ")
        .map(|column| format!("{prefix}{column}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) async fn imports(pool: &PgPool) -> Result<Vec<ImportRecord>, StoreError> {
    const T: &str = "imports";
    let rows = sqlx::query("SELECT id, origin, at, outcome::text FROM imports ORDER BY id")
        .fetch_all(pool)
        .await
        .map_err(database)?;
    rows.iter()
        .map(|row| {
            let id: i64 = get(row, 0, T)?;
            let outcome = get::<Option<&str>>(row, 3, T)?.ok_or_else(|| {
                StoreError::Corrupt(format!("imports.outcome of import {id} is empty"))
            })?;
            let outcome = serde_json::from_str::<ImportOutcome>(outcome)
                .map_err(|e| StoreError::Corrupt(format!("imports.outcome of import {id}: {e}")))?;
            Ok(ImportRecord {
                id,
                source: ImportSource {
                    origin: get::<&str>(row, 1, T)?.to_owned(),
                    at: get::<&str>(row, 2, T)?.to_owned(),
                },
                outcome,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_columns_are_qualified() {
        assert_eq!(prefixed("r.", "name, extra::text"), "r.name, r.extra::text");
    }

    #[test]
    fn unknown_keys_are_corrupt() {
        let ids = Ids::default();
        assert!(matches!(ids.get(3), Err(StoreError::Corrupt(_))));
    }
}
