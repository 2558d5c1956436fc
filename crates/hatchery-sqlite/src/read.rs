//! Reading the store. Reads that span tables run in one transaction, so they
//! see one moment even while an import commits beside them. Rows arrive in
//! JSON pages (see [`crate::json`]).

use std::collections::HashSet;

use hatchery_core::{
    Dataset, Enterprise, EnterpriseId, Event, Financials, FxRate, FxTable, Ledger, LedgerBuilder,
};
use hatchery_store::{
    ImportOutcome, ImportRecord, ImportSource, Revision, StoreCounts, StoreError,
};
use serde::Deserialize;
use sqlx::{SqliteConnection, SqlitePool};

use crate::codec::{
    EnterpriseRecord, EventRecord, FinancialsRecord, FxRecord, LedgerEnterpriseRecord,
    LedgerEventRecord, count, enterprise_cells, event_cells,
};
use crate::database;
use crate::json::{self, Text};
use crate::snapshot;

// Scans over a range of enterprise keys, for `json::scan`.

/// `enterprises` rows, as [`EnterpriseRecord`]s.
const ENTERPRISE_PAGES: &str = concat!(
    "SELECT json_group_array(json_array(key, revision, import_id, id, ",
    enterprise_cells!(),
    ")) FROM enterprises WHERE key > ?1 AND key <= ?2"
);

/// `events` rows, as [`EventRecord`]s.
const EVENT_PAGES: &str = concat!(
    "SELECT json_group_array(json_array(enterprise_key, seq, ",
    event_cells!(),
    ")) FROM events WHERE enterprise_key > ?1 AND enterprise_key <= ?2"
);

/// `financials` rows, as [`FinancialsRecord`]s.
const FINANCIALS_PAGES: &str = "SELECT json_group_array(json_array(enterprise_key, year, \
     currency, revenue, rd_expense, employees)) FROM financials \
     WHERE enterprise_key > ?1 AND enterprise_key <= ?2";

/// What the ledger reads of `enterprises`, as [`LedgerEnterpriseRecord`]s.
const LEDGER_ENTERPRISE_PAGES: &str = "SELECT json_group_array(json_array(key, id, founded, \
     country, region, zone, industries, tags)) FROM enterprises WHERE key > ?1 AND key <= ?2";

/// What the ledger reads of `events`, as [`LedgerEventRecord`]s.
const LEDGER_EVENT_PAGES: &str = "SELECT json_group_array(json_array(enterprise_key, seq, date, \
     kind, amount, valuation, currency, exchange, region)) FROM events \
     WHERE enterprise_key > ?1 AND enterprise_key <= ?2";

/// Every rate, as [`FxRecord`]s, by currency then date.
const ALL_FX: &str = "SELECT json_group_array(json_array(currency, date, per_usd) \
     ORDER BY currency, date) FROM fx_rates";

/// Enterprise ids by key, filled while reading `enterprises`: other tables
/// name enterprises by key, and keys are dense, so a vector indexes them.
#[derive(Debug, Default)]
struct Ids(Vec<Option<EnterpriseId>>);

impl Ids {
    fn insert(&mut self, key: i64, id: EnterpriseId) -> Result<(), StoreError> {
        let at = slot(key)?;
        if self.0.len() <= at {
            self.0.resize(at + 1, None);
        }
        self.0[at] = Some(id);
        Ok(())
    }

    fn get(&self, key: i64) -> Result<&EnterpriseId, StoreError> {
        slot(key)
            .ok()
            .and_then(|at| self.0.get(at))
            .and_then(Option::as_ref)
            .ok_or_else(|| StoreError::Corrupt(format!("no enterprise has key {key}")))
    }
}

fn slot(key: i64) -> Result<usize, StoreError> {
    usize::try_from(key).map_err(|_| StoreError::Corrupt(format!("enterprise key {key}")))
}

pub(crate) async fn existing_ids(
    pool: &SqlitePool,
    ids: &[EnterpriseId],
) -> Result<HashSet<EnterpriseId>, StoreError> {
    let mut conn = pool.acquire().await.map_err(database)?;
    let texts: Vec<&str> = ids.iter().map(EnterpriseId::as_str).collect();
    let mut found = HashSet::new();
    json::lookup(
        &mut conn,
        "SELECT json_group_array(id) FROM enterprises \
         WHERE id IN (SELECT value FROM json_each(?1))",
        &texts,
        |page| {
            for id in json::rows::<Text>(page, "enterprises")? {
                found.insert(
                    EnterpriseId::parse(&id).map_err(|e| {
                        StoreError::Corrupt(format!("enterprises.id '{}': {e}", &*id))
                    })?,
                );
            }
            Ok(())
        },
    )
    .await?;
    Ok(found)
}

/// The largest enterprise key, which bounds every scan.
async fn last_key(conn: &mut SqliteConnection) -> Result<i64, StoreError> {
    sqlx::query_scalar("SELECT COALESCE(MAX(key), 0) FROM enterprises")
        .fetch_one(conn)
        .await
        .map_err(database)
}

/// Every enterprise as the engine sees it, every event reduced to what the
/// criteria read, and every rate: three scans, no query per enterprise.
///
/// With `use_snapshot`, the snapshot of the latest import is read instead
/// when there is one. Returns the latest import's id too when the tables
/// were scanned, so that the caller can keep a snapshot for it.
pub(crate) async fn load_ledger(
    pool: &SqlitePool,
    use_snapshot: bool,
) -> Result<(Ledger, Option<i64>), StoreError> {
    let mut tx = pool.begin().await.map_err(database)?;
    let import = snapshot::latest_import(&mut tx).await?;
    if use_snapshot && let Some(ledger) = snapshot::read(&mut tx, import).await? {
        tx.commit().await.map_err(database)?;
        return Ok((ledger, None));
    }
    let (last, events): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COALESCE(MAX(key), 0) FROM enterprises), \
                (SELECT COUNT(*) FROM events)",
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(database)?;
    let hint = |n: i64| usize::try_from(n).unwrap_or(0);
    let mut builder = LedgerBuilder::with_capacity(hint(last), hint(events));
    let mut ids = Ids(Vec::with_capacity(hint(last) + 1));

    json::scan(&mut tx, LEDGER_ENTERPRISE_PAGES, last, |page| {
        for record in json::rows::<LedgerEnterpriseRecord>(page, "enterprises")? {
            let key = record.key;
            let enterprise = record.decode()?;
            ids.insert(key, enterprise.id.clone())?;
            builder.enterprise(enterprise);
        }
        Ok(())
    })
    .await?;
    json::scan(&mut tx, LEDGER_EVENT_PAGES, last, |page| {
        for record in json::rows::<LedgerEventRecord>(page, "events")? {
            let id = ids.get(record.enterprise_key)?;
            let seq = count("events", "seq", record.seq)?;
            builder.event(id.as_str(), seq, record.decode()?);
        }
        Ok(())
    })
    .await?;
    let mut fx = FxTable::default();
    for rate in all_fx(&mut tx).await? {
        fx.insert(rate.currency, rate.date, rate.per_usd.value());
    }
    tx.commit().await.map_err(database)?;
    builder.fx(fx);
    Ok((builder.build(), Some(import)))
}

pub(crate) async fn export(pool: &SqlitePool) -> Result<Dataset, StoreError> {
    let mut tx = pool.begin().await.map_err(database)?;
    let last = last_key(&mut tx).await?;
    let mut ids = Ids::default();
    let enterprises = current_enterprises(&mut tx, last, &mut ids).await?;

    let mut events = Vec::new();
    let mut order = Vec::new();
    json::scan(&mut tx, EVENT_PAGES, last, |page| {
        for record in json::rows::<EventRecord>(page, "events")? {
            let id = ids.get(record.enterprise_key)?.clone();
            order.push(record.seq);
            events.push(record.decode(id)?);
        }
        Ok(())
    })
    .await?;
    let events = in_import_order(events, &order);

    let fx = all_fx(&mut tx).await?;

    let mut financials = Vec::new();
    json::scan(&mut tx, FINANCIALS_PAGES, last, |page| {
        for record in json::rows::<FinancialsRecord>(page, "financials")? {
            let figures = record.decode()?;
            financials.push(Financials {
                enterprise: ids.get(record.enterprise_key)?.clone(),
                year: figures.year,
                currency: figures.currency,
                revenue: figures.revenue,
                rd_expense: figures.rd_expense,
                employees: figures.employees,
            });
        }
        Ok(())
    })
    .await?;
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

/// Every enterprise's current row, by id in byte order; notes their keys in `ids`.
async fn current_enterprises(
    conn: &mut SqliteConnection,
    last: i64,
    ids: &mut Ids,
) -> Result<Vec<Enterprise>, StoreError> {
    let mut enterprises = Vec::new();
    json::scan(conn, ENTERPRISE_PAGES, last, |page| {
        for record in json::rows::<EnterpriseRecord>(page, "enterprises")? {
            let key = record.key;
            let enterprise = record.decode()?;
            ids.insert(key, enterprise.id.clone())?;
            enterprises.push(enterprise);
        }
        Ok(())
    })
    .await?;
    enterprises.sort_unstable_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    Ok(enterprises)
}

async fn all_fx(conn: &mut SqliteConnection) -> Result<Vec<FxRate>, StoreError> {
    let page: String = sqlx::query_scalar(ALL_FX)
        .fetch_one(conn)
        .await
        .map_err(database)?;
    json::rows::<FxRecord>(&page, "fx_rates")?
        .iter()
        .map(FxRecord::decode)
        .collect()
}

pub(crate) async fn enterprise(
    pool: &SqlitePool,
    id: &EnterpriseId,
) -> Result<Option<(Enterprise, Vec<Event>)>, StoreError> {
    let mut tx = pool.begin().await.map_err(database)?;
    let page: String = sqlx::query_scalar(concat!(
        "SELECT json_group_array(json_array(key, revision, import_id, id, ",
        enterprise_cells!(),
        ")) FROM enterprises WHERE id = ?1"
    ))
    .bind(id.as_str())
    .fetch_one(&mut *tx)
    .await
    .map_err(database)?;
    let Some(record) = json::rows::<EnterpriseRecord>(&page, "enterprises")?.pop() else {
        return Ok(None);
    };
    let key = record.key;
    let enterprise = record.decode()?;
    let page: String = sqlx::query_scalar(concat!(
        "SELECT json_group_array(json_array(enterprise_key, seq, ",
        event_cells!(),
        ") ORDER BY seq) FROM events WHERE enterprise_key = ?1"
    ))
    .bind(key)
    .fetch_one(&mut *tx)
    .await
    .map_err(database)?;
    tx.commit().await.map_err(database)?;
    let events = json::rows::<EventRecord>(&page, "events")?
        .into_iter()
        .map(|record| record.decode(id.clone()))
        .collect::<Result<_, _>>()?;
    Ok(Some((enterprise, events)))
}

pub(crate) async fn enterprises(pool: &SqlitePool) -> Result<Vec<Enterprise>, StoreError> {
    let mut tx = pool.begin().await.map_err(database)?;
    let last = last_key(&mut tx).await?;
    let enterprises = current_enterprises(&mut tx, last, &mut Ids::default()).await?;
    tx.commit().await.map_err(database)?;
    Ok(enterprises)
}

pub(crate) async fn fx_rates(pool: &SqlitePool) -> Result<Vec<FxRate>, StoreError> {
    let mut conn = pool.acquire().await.map_err(database)?;
    all_fx(&mut conn).await
}

pub(crate) async fn counts(pool: &SqlitePool) -> Result<StoreCounts, StoreError> {
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
    pool: &SqlitePool,
    id: &EnterpriseId,
) -> Result<Vec<Revision>, StoreError> {
    let (history, current): (String, String) = sqlx::query_as(concat!(
        "SELECT (SELECT json_group_array(json_array(r.enterprise_key, r.revision, r.import_id, ",
        "e.id, r.name, r.name_en, r.uscc, r.founded, r.country, r.region, r.city, r.zone, ",
        "r.industries, r.tags, r.extra) ORDER BY r.revision) ",
        "FROM enterprise_revisions AS r JOIN enterprises AS e ON e.key = r.enterprise_key ",
        "WHERE e.id = ?1), ",
        "(SELECT json_group_array(json_array(key, revision, import_id, id, ",
        enterprise_cells!(),
        ")) FROM enterprises WHERE id = ?1)"
    ))
    .bind(id.as_str())
    .fetch_one(pool)
    .await
    .map_err(database)?;
    let mut records = json::rows::<EnterpriseRecord>(&history, "enterprise_revisions")?;
    records.extend(json::rows::<EnterpriseRecord>(&current, "enterprises")?);
    records
        .into_iter()
        .map(|record| {
            Ok(Revision {
                number: count("enterprise_revisions", "revision", record.revision)?,
                import: record.import_id,
                enterprise: record.decode()?,
            })
        })
        .collect()
}

/// An `imports` row: `json_array(id, origin, at, outcome)`.
#[derive(Deserialize)]
struct ImportRow<'a> {
    id: i64,
    #[serde(borrow)]
    origin: Text<'a>,
    #[serde(borrow)]
    at: Text<'a>,
    #[serde(borrow)]
    outcome: Text<'a>,
}

pub(crate) async fn imports(pool: &SqlitePool) -> Result<Vec<ImportRecord>, StoreError> {
    let page: String = sqlx::query_scalar(
        "SELECT json_group_array(json_array(id, origin, at, outcome) ORDER BY id) FROM imports",
    )
    .fetch_one(pool)
    .await
    .map_err(database)?;
    json::rows::<ImportRow>(&page, "imports")?
        .into_iter()
        .map(|row| {
            let outcome = serde_json::from_str::<ImportOutcome>(&row.outcome).map_err(|e| {
                StoreError::Corrupt(format!("imports.outcome of import {}: {e}", row.id))
            })?;
            Ok(ImportRecord {
                id: row.id,
                source: ImportSource {
                    origin: row.origin.into_owned(),
                    at: row.at.into_owned(),
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
    fn keys_map_to_ids() {
        let mut ids = Ids::default();
        let id = EnterpriseId::parse("e7").unwrap();
        ids.insert(7, id.clone()).unwrap();
        assert_eq!(ids.get(7).unwrap(), &id);
        assert!(matches!(ids.get(3), Err(StoreError::Corrupt(_))));
        assert!(matches!(ids.get(70), Err(StoreError::Corrupt(_))));
        assert!(matches!(ids.get(-1), Err(StoreError::Corrupt(_))));
    }
}
