//! What an import will write, decided before anything is written. Reads only
//! the stored rows the dataset touches (a statement per twenty thousand keys,
//! none per row; none at all when the store is empty) and collects every
//! conflict, so a rejected import reports all its problems and leaves no
//! trace.

use std::collections::{HashMap, HashSet};

use hatchery_core::{Amount, Currency, Dataset, Enterprise, Financials, FxRate};
use hatchery_store::{ImportOutcome, Rejection, RowRef, StoreError};
use jiff::civil::Date;
use sqlx::SqliteConnection;

use crate::codec::{EnterpriseRecord, Figures, FinancialsRecord, FxRecord, enterprise_cells};
use crate::database;
use crate::json::{self, Text};

/// An enterprise row to write: a new enterprise (revision 1) or a stored
/// one's next revision.
#[derive(Debug)]
pub(super) struct EnterpriseWrite<'d> {
    pub key: i64,
    pub revision: i64,
    pub enterprise: &'d Enterprise,
}

/// Everything an import writes.
#[derive(Debug)]
pub(super) struct Plan<'d> {
    /// New enterprises and new revisions, in dataset order.
    pub enterprises: Vec<EnterpriseWrite<'d>>,
    /// Stored enterprises getting a new revision: their current rows move
    /// to the history first.
    pub replaced: Vec<i64>,
    /// Stored enterprises whose credit code changes: their old codes are
    /// released before any row is written, so codes can move between
    /// enterprises without tripping the unique index halfway.
    pub released_codes: Vec<i64>,
    /// The enterprise key of each of the dataset's events.
    pub event_keys: Vec<i64>,
    /// Rates not stored yet.
    pub fx: Vec<&'d FxRate>,
    /// Financials to add or replace, with their enterprise's key.
    pub financials: Vec<(i64, &'d Financials)>,
    /// The counts known before writing (all but the events').
    pub outcome: ImportOutcome,
}

/// A stored enterprise's current row.
struct Stored {
    key: i64,
    revision: i64,
    enterprise: Enterprise,
}

/// Rejections, reported in dataset order.
#[derive(Default)]
struct Rejections(Vec<Rejection>);

impl Rejections {
    fn add(&mut self, row: RowRef, column: &'static str, message: String) {
        self.0.push(Rejection {
            row,
            column,
            message,
        });
    }

    fn into_result(mut self) -> Result<(), StoreError> {
        if self.0.is_empty() {
            return Ok(());
        }
        self.0.sort_by_key(|r| match r.row {
            RowRef::Enterprise(i) => (0, i),
            RowRef::Event(i) => (1, i),
            RowRef::Fx(i) => (2, i),
            RowRef::Financials(i) => (3, i),
        });
        Err(StoreError::Rejected(self.0))
    }
}

/// Decides what importing `dataset` writes, or rejects it.
pub(super) async fn plan<'d>(
    conn: &mut SqliteConnection,
    dataset: &'d Dataset,
) -> Result<Plan<'d>, StoreError> {
    let mut rejections = Rejections::default();
    let mut outcome = ImportOutcome::default();

    // Keys are dense from 1, so this is also "is any enterprise stored": an
    // empty store has nothing to look up, which makes a first import cheap.
    let last_key: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(key), 0) FROM enterprises")
        .fetch_one(&mut *conn)
        .await
        .map_err(database)?;
    let stored = last_key > 0;

    let unique = unique_enterprises(dataset, &mut rejections, &mut outcome);
    let EnterprisePlan {
        writes: enterprises,
        replaced,
        released_codes,
        mut keys,
    } = plan_enterprises(conn, stored, &unique, last_key, &mut outcome).await?;
    let coded = codes_within(&unique, &mut rejections);
    if stored {
        check_stored_codes(conn, &unique, &coded, &mut rejections).await?;
    }
    let event_keys = resolve_references(conn, stored, dataset, &mut keys, &mut rejections).await?;
    let fx = plan_fx(conn, dataset, &mut rejections, &mut outcome).await?;
    let financials =
        plan_financials(conn, stored, dataset, &keys, &mut rejections, &mut outcome).await?;

    rejections.into_result()?;
    Ok(Plan {
        enterprises,
        replaced,
        released_codes,
        event_keys,
        fx,
        financials,
        outcome,
    })
}

/// The dataset's enterprises with each id once, with their positions. A
/// repeated equal row is harmless; a repeated id with other values is
/// rejected, since neither row can be said to be the enterprise.
fn unique_enterprises<'d>(
    dataset: &'d Dataset,
    rejections: &mut Rejections,
    outcome: &mut ImportOutcome,
) -> Vec<(usize, &'d Enterprise)> {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(dataset.enterprises.len());
    let mut unique = Vec::with_capacity(dataset.enterprises.len());
    for (at, enterprise) in dataset.enterprises.iter().enumerate() {
        match first.get(enterprise.id.as_str()) {
            None => {
                first.insert(enterprise.id.as_str(), at);
                unique.push((at, enterprise));
            }
            Some(&earlier) if dataset.enterprises[earlier] == *enterprise => {
                outcome.enterprises_unchanged += 1;
            }
            Some(_) => rejections.add(
                RowRef::Enterprise(at),
                "id",
                format!(
                    "enterprise '{}' appears twice in the dataset with different values",
                    enterprise.id
                ),
            ),
        }
    }
    unique
}

/// What becomes of the dataset's enterprises (see [`Plan`]).
struct EnterprisePlan<'d> {
    writes: Vec<EnterpriseWrite<'d>>,
    replaced: Vec<i64>,
    released_codes: Vec<i64>,
    /// The key of every enterprise the dataset lists, new ones included.
    keys: HashMap<&'d str, i64>,
}

/// Sorts the enterprises into new, changed and unchanged, giving new ones
/// the keys after the largest stored one.
async fn plan_enterprises<'d>(
    conn: &mut SqliteConnection,
    anything_stored: bool,
    unique: &[(usize, &'d Enterprise)],
    last_key: i64,
    outcome: &mut ImportOutcome,
) -> Result<EnterprisePlan<'d>, StoreError> {
    let stored = if anything_stored {
        let ids: Vec<&str> = unique.iter().map(|(_, e)| e.id.as_str()).collect();
        stored_enterprises(conn, &ids).await?
    } else {
        HashMap::new()
    };
    let mut next_key = last_key + 1;

    let mut writes = Vec::new();
    let mut replaced = Vec::new();
    let mut released = Vec::new();
    let mut keys = HashMap::with_capacity(unique.len());
    for &(_, enterprise) in unique {
        let key = match stored.get(enterprise.id.as_str()) {
            Some(old) if old.enterprise == *enterprise => {
                outcome.enterprises_unchanged += 1;
                old.key
            }
            Some(old) => {
                outcome.enterprises_updated += 1;
                replaced.push(old.key);
                if old.enterprise.uscc.is_some() && old.enterprise.uscc != enterprise.uscc {
                    released.push(old.key);
                }
                writes.push(EnterpriseWrite {
                    key: old.key,
                    revision: old.revision + 1,
                    enterprise,
                });
                old.key
            }
            None => {
                outcome.enterprises_added += 1;
                let key = next_key;
                next_key += 1;
                writes.push(EnterpriseWrite {
                    key,
                    revision: 1,
                    enterprise,
                });
                key
            }
        };
        keys.insert(enterprise.id.as_str(), key);
    }
    Ok(EnterprisePlan {
        writes,
        replaced,
        released_codes: released,
        keys,
    })
}

/// The current rows of the stored enterprises among `ids`, by id.
async fn stored_enterprises(
    conn: &mut SqliteConnection,
    ids: &[&str],
) -> Result<HashMap<String, Stored>, StoreError> {
    let mut stored = HashMap::new();
    json::lookup(
        conn,
        concat!(
            "SELECT json_group_array(json_array(key, revision, import_id, id, ",
            enterprise_cells!(),
            ")) FROM enterprises WHERE id IN (SELECT value FROM json_each(?1))"
        ),
        ids,
        |page| {
            for record in json::rows::<EnterpriseRecord>(page, "enterprises")? {
                let (key, revision) = (record.key, record.revision);
                let enterprise = record.decode()?;
                stored.insert(
                    String::from(enterprise.id.clone()),
                    Stored {
                        key,
                        revision,
                        enterprise,
                    },
                );
            }
            Ok(())
        },
    )
    .await?;
    Ok(stored)
}

/// A credit code of the dataset: the row giving it, its enterprise, the code.
type Coded<'d> = (usize, &'d Enterprise, &'d str);

/// Rejects a credit code given to two enterprises of the dataset; returns
/// each code with the first enterprise given it.
fn codes_within<'d>(
    unique: &[(usize, &'d Enterprise)],
    rejections: &mut Rejections,
) -> Vec<Coded<'d>> {
    let mut holders: HashMap<&str, &str> = HashMap::new();
    let mut coded = Vec::new();
    for &(at, enterprise) in unique {
        let Some(code) = &enterprise.uscc else {
            continue;
        };
        match holders.get(code.as_str()) {
            Some(other) => rejections.add(
                RowRef::Enterprise(at),
                "uscc",
                format!("credit code {code} is also given to enterprise '{other}' in this dataset"),
            ),
            None => {
                holders.insert(code.as_str(), enterprise.id.as_str());
                coded.push((at, enterprise, code.as_str()));
            }
        }
    }
    coded
}

/// Rejects a credit code held by a stored enterprise that keeps it: one the
/// dataset does not list (a listed one gets the dataset's code).
async fn check_stored_codes(
    conn: &mut SqliteConnection,
    unique: &[(usize, &Enterprise)],
    coded: &[Coded<'_>],
    rejections: &mut Rejections,
) -> Result<(), StoreError> {
    let in_dataset: HashSet<&str> = unique.iter().map(|(_, e)| e.id.as_str()).collect();
    let codes: Vec<&str> = coded.iter().map(|&(_, _, code)| code).collect();
    let mut kept: HashMap<String, String> = HashMap::new();
    json::lookup(
        conn,
        "SELECT json_group_array(json_array(uscc, id)) FROM enterprises \
         WHERE uscc IN (SELECT value FROM json_each(?1))",
        &codes,
        |page| {
            for (code, holder) in json::rows::<(Text, Text)>(page, "enterprises")? {
                if !in_dataset.contains(&*holder) {
                    kept.insert(code.into_owned(), holder.into_owned());
                }
            }
            Ok(())
        },
    )
    .await?;
    for &(at, enterprise, code) in coded {
        if let Some(holder) = kept.get(code) {
            rejections.add(
                RowRef::Enterprise(at),
                "uscc",
                format!(
                    "credit code {code} is held by stored enterprise '{holder}', not '{}'",
                    enterprise.id
                ),
            );
        }
    }
    Ok(())
}

/// Adds the keys of stored enterprises that events and financials name but
/// the dataset does not list, and rejects rows naming neither; returns the
/// key of each event's enterprise.
async fn resolve_references<'d>(
    conn: &mut SqliteConnection,
    anything_stored: bool,
    dataset: &'d Dataset,
    keys: &mut HashMap<&'d str, i64>,
    rejections: &mut Rejections,
) -> Result<Vec<i64>, StoreError> {
    let named = dataset
        .events
        .iter()
        .map(|e| e.enterprise.as_str())
        .chain(dataset.financials.iter().map(|f| f.enterprise.as_str()));
    let mut missing: Vec<&'d str> = Vec::new();
    let mut seen = HashSet::new();
    let mut previous = None;
    for id in named {
        // Rows of one enterprise usually follow each other: skip the hashing.
        if previous == Some(id) {
            continue;
        }
        previous = Some(id);
        if !keys.contains_key(id) && seen.insert(id) {
            missing.push(id);
        }
    }
    let mut found: HashMap<String, i64> = HashMap::new();
    if anything_stored {
        json::lookup(
            conn,
            "SELECT json_group_array(json_array(id, key)) FROM enterprises \
             WHERE id IN (SELECT value FROM json_each(?1))",
            &missing,
            |page| {
                for (id, key) in json::rows::<(Text, i64)>(page, "enterprises")? {
                    found.insert(id.into_owned(), key);
                }
                Ok(())
            },
        )
        .await?;
    }
    for id in missing {
        if let Some(&key) = found.get(id) {
            keys.insert(id, key);
        }
    }
    let unknown = |id: &str| format!("no enterprise '{id}' in this dataset or the store");
    let mut event_keys = Vec::with_capacity(dataset.events.len());
    let mut previous: Option<(&str, i64)> = None;
    for (at, event) in dataset.events.iter().enumerate() {
        let id = event.enterprise.as_str();
        let key = match previous {
            Some((last, key)) if last == id => Some(key),
            _ => keys.get(id).copied(),
        };
        match key {
            Some(key) => {
                previous = Some((id, key));
                event_keys.push(key);
            }
            None => {
                // Never written: the rejection stops the import.
                event_keys.push(0);
                rejections.add(RowRef::Event(at), "enterprise", unknown(id));
            }
        }
    }
    for (at, row) in dataset.financials.iter().enumerate() {
        if !keys.contains_key(row.enterprise.as_str()) {
            rejections.add(
                RowRef::Financials(at),
                "enterprise",
                unknown(row.enterprise.as_str()),
            );
        }
    }
    Ok(event_keys)
}

/// New rates; a rate differing from a stored one, or given twice with
/// different values, is rejected. Rates are compared as numbers: `7.08` and
/// `7.080` are the same rate.
async fn plan_fx<'d>(
    conn: &mut SqliteConnection,
    dataset: &'d Dataset,
    rejections: &mut Rejections,
    outcome: &mut ImportOutcome,
) -> Result<Vec<&'d FxRate>, StoreError> {
    if dataset.fx.is_empty() {
        return Ok(Vec::new());
    }
    let currencies: Vec<&str> = dataset
        .fx
        .iter()
        .map(|r| r.currency.as_str())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut stored: HashMap<(Currency, Date), Amount> = HashMap::new();
    json::lookup(
        conn,
        "SELECT json_group_array(json_array(currency, date, per_usd)) FROM fx_rates \
         WHERE currency IN (SELECT value FROM json_each(?1))",
        &currencies,
        |page| {
            for record in json::rows::<FxRecord>(page, "fx_rates")? {
                let rate = record.decode()?;
                stored.insert((rate.currency, rate.date), rate.per_usd);
            }
            Ok(())
        },
    )
    .await?;

    let mut new = Vec::new();
    let mut seen: HashMap<(Currency, Date), &Amount> = HashMap::new();
    for (at, rate) in dataset.fx.iter().enumerate() {
        let slot = (rate.currency, rate.date);
        let conflict = |other: &Amount, whose: &str| {
            format!(
                "{} on {} is {} here but {other} {whose}",
                rate.currency, rate.date, rate.per_usd
            )
        };
        if let Some(earlier) = seen.get(&slot) {
            if earlier.value() == rate.per_usd.value() {
                outcome.fx_unchanged += 1;
            } else {
                let message = conflict(earlier, "earlier in this dataset");
                rejections.add(RowRef::Fx(at), "per_usd", message);
            }
            continue;
        }
        seen.insert(slot, &rate.per_usd);
        match stored.get(&slot) {
            Some(known) if known.value() == rate.per_usd.value() => outcome.fx_unchanged += 1,
            Some(known) => {
                let message = conflict(known, "in the store");
                rejections.add(RowRef::Fx(at), "per_usd", message);
            }
            None => {
                outcome.fx_added += 1;
                new.push(rate);
            }
        }
    }
    Ok(new)
}

/// Financials to add or replace; a row given twice with different figures,
/// or with more employees than the store can hold, is rejected.
async fn plan_financials<'d>(
    conn: &mut SqliteConnection,
    anything_stored: bool,
    dataset: &'d Dataset,
    keys: &HashMap<&'d str, i64>,
    rejections: &mut Rejections,
    outcome: &mut ImportOutcome,
) -> Result<Vec<(i64, &'d Financials)>, StoreError> {
    if dataset.financials.is_empty() {
        return Ok(Vec::new());
    }
    // Only enterprises stored before this import can have stored financials.
    let enterprise_keys: Vec<i64> = if anything_stored {
        dataset
            .financials
            .iter()
            .filter_map(|f| keys.get(f.enterprise.as_str()).copied())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    let mut stored: HashMap<(i64, i16), Figures> = HashMap::new();
    json::lookup(
        conn,
        "SELECT json_group_array(json_array(enterprise_key, year, currency, revenue, \
         rd_expense, employees)) FROM financials \
         WHERE enterprise_key IN (SELECT value FROM json_each(?1))",
        &enterprise_keys,
        |page| {
            for record in json::rows::<FinancialsRecord>(page, "financials")? {
                let figures = record.decode()?;
                stored.insert((record.enterprise_key, figures.year), figures);
            }
            Ok(())
        },
    )
    .await?;

    let mut writes = Vec::new();
    let mut seen: HashMap<(i64, i16), &Financials> = HashMap::new();
    for (at, row) in dataset.financials.iter().enumerate() {
        // Rows for unknown enterprises were rejected already.
        let Some(&key) = keys.get(row.enterprise.as_str()) else {
            continue;
        };
        if row.employees.is_some_and(|n| i64::try_from(n).is_err()) {
            rejections.add(
                RowRef::Financials(at),
                "employees",
                "too large to store".to_owned(),
            );
            continue;
        }
        if let Some(earlier) = seen.get(&(key, row.year)) {
            if *earlier == row {
                outcome.financials_unchanged += 1;
            } else {
                rejections.add(
                    RowRef::Financials(at),
                    "year",
                    format!(
                        "{} for {} is given twice in this dataset with different figures",
                        row.year, row.enterprise
                    ),
                );
            }
            continue;
        }
        seen.insert((key, row.year), row);
        let incoming = Figures {
            year: row.year,
            currency: row.currency,
            revenue: row.revenue.clone(),
            rd_expense: row.rd_expense.clone(),
            employees: row.employees,
        };
        match stored.get(&(key, row.year)) {
            Some(known) if *known == incoming => outcome.financials_unchanged += 1,
            Some(_) => {
                outcome.financials_updated += 1;
                writes.push((key, row));
            }
            None => {
                outcome.financials_added += 1;
                writes.push((key, row));
            }
        }
    }
    Ok(writes)
}
