//! What an import will write, decided before anything is written. Reads only
//! the stored rows the dataset touches (one statement per kind of lookup,
//! the keys bound as one array) and collects every conflict, so a rejected
//! import reports all its problems and leaves no trace.
//!
//! The decisions are the SQLite store's, rule for rule (the conformance
//! stories hold both to them); the one rule of PostgreSQL's own is that text
//! cannot hold the NUL character, so a cell with one is rejected here rather
//! than failing the `COPY` without saying which row.

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;
use hatchery_core::{Amount, Currency, Dataset, Enterprise, Event, Financials, FxRate};
use hatchery_store::{ImportOutcome, Rejection, RowRef, StoreError};
use jiff::civil::Date;
use sqlx::PgConnection;

use crate::codec::{self, Day, ENTERPRISE_READ, cell, get};
use crate::database;
use crate::read::Figures;

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
    /// Enterprises not stored before, in dataset order, keyed after every
    /// stored one.
    pub added: Vec<EnterpriseWrite<'d>>,
    /// Stored enterprises' next revisions, in dataset order.
    pub revised: Vec<EnterpriseWrite<'d>>,
    /// Stored enterprises whose credit code changes: their old codes are
    /// released before any row is written, so codes can move between
    /// enterprises without tripping the unique index halfway.
    pub released_codes: Vec<i64>,
    /// The largest key stored before this import: larger keys are the
    /// import's own new enterprises, which have no stored events.
    pub last_stored_key: i64,
    /// The key of every enterprise the dataset names.
    pub keys: HashMap<&'d str, i64>,
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
        // Stable: several problems of one row keep the order they were found in.
        self.0.sort_by_key(|r| match r.row {
            RowRef::Enterprise(i) => (0, i),
            RowRef::Event(i) => (1, i),
            RowRef::Fx(i) => (2, i),
            RowRef::Financials(i) => (3, i),
        });
        Err(StoreError::Rejected(self.0))
    }
}

/// Decides what importing `dataset` writes, or rejects it. The caller holds
/// the import lock.
pub(super) async fn plan<'d>(
    conn: &mut PgConnection,
    dataset: &'d Dataset,
) -> Result<Plan<'d>, StoreError> {
    let mut rejections = Rejections::default();
    let mut outcome = ImportOutcome::default();

    let last_key: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(key), 0) FROM enterprises")
        .fetch_one(&mut *conn)
        .await
        .map_err(database)?;
    // Nothing stored, nothing to look up: a first import reads nothing more.
    let anything_stored = last_key > 0;

    let unique = unique_enterprises(dataset, &mut rejections, &mut outcome);
    let stored = if anything_stored {
        stored_enterprises(conn, &unique).await?
    } else {
        HashMap::new()
    };
    let (added, revised, released_codes, mut keys) =
        plan_enterprises(&unique, &stored, last_key, &mut rejections, &mut outcome);
    let coded = codes_within(&unique, &mut rejections);
    if anything_stored {
        check_stored_codes(conn, &unique, &coded, &mut rejections).await?;
    }
    resolve_references(conn, anything_stored, dataset, &mut keys, &mut rejections).await?;
    check_events(dataset, &mut rejections);
    let fx = plan_fx(conn, dataset, &mut rejections, &mut outcome).await?;
    let financials = plan_financials(
        conn,
        last_key,
        dataset,
        &keys,
        &mut rejections,
        &mut outcome,
    )
    .await?;

    rejections.into_result()?;
    Ok(Plan {
        added,
        revised,
        released_codes,
        last_stored_key: last_key,
        keys,
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

/// The current rows of the stored enterprises the dataset lists, by id.
async fn stored_enterprises(
    conn: &mut PgConnection,
    unique: &[(usize, &Enterprise)],
) -> Result<HashMap<String, Stored>, StoreError> {
    let ids: Vec<&str> = unique.iter().map(|(_, e)| e.id.as_str()).collect();
    let sql =
        format!("SELECT key, revision, id, {ENTERPRISE_READ} FROM enterprises WHERE id = ANY($1)");
    let mut rows = sqlx::query(&sql).bind(&ids).fetch(conn);
    let mut stored = HashMap::new();
    while let Some(row) = rows.try_next().await.map_err(database)? {
        let enterprise = codec::enterprise(&row, 2, "enterprises")?;
        stored.insert(
            String::from(enterprise.id.clone()),
            Stored {
                key: get(&row, 0, "enterprises")?,
                revision: get(&row, 1, "enterprises")?,
                enterprise,
            },
        );
    }
    Ok(stored)
}

/// New enterprises, new revisions, keys whose code is released, and every
/// listed enterprise's key.
type EnterprisePlan<'d> = (
    Vec<EnterpriseWrite<'d>>,
    Vec<EnterpriseWrite<'d>>,
    Vec<i64>,
    HashMap<&'d str, i64>,
);

/// Sorts the enterprises into new, changed and unchanged, giving new ones
/// the keys after the largest stored one; rejects text PostgreSQL cannot hold
/// in the rows to write.
fn plan_enterprises<'d>(
    unique: &[(usize, &'d Enterprise)],
    stored: &HashMap<String, Stored>,
    last_key: i64,
    rejections: &mut Rejections,
    outcome: &mut ImportOutcome,
) -> EnterprisePlan<'d> {
    let mut next_key = last_key + 1;
    let mut added = Vec::new();
    let mut revised = Vec::new();
    let mut released = Vec::new();
    let mut keys = HashMap::with_capacity(unique.len());
    for &(at, enterprise) in unique {
        let key = match stored.get(enterprise.id.as_str()) {
            Some(old) if old.enterprise == *enterprise => {
                outcome.enterprises_unchanged += 1;
                old.key
            }
            Some(old) => {
                outcome.enterprises_updated += 1;
                check_enterprise_text(at, enterprise, rejections);
                if old.enterprise.uscc.is_some() && old.enterprise.uscc != enterprise.uscc {
                    released.push(old.key);
                }
                revised.push(EnterpriseWrite {
                    key: old.key,
                    revision: old.revision + 1,
                    enterprise,
                });
                old.key
            }
            None => {
                outcome.enterprises_added += 1;
                check_enterprise_text(at, enterprise, rejections);
                let key = next_key;
                next_key += 1;
                added.push(EnterpriseWrite {
                    key,
                    revision: 1,
                    enterprise,
                });
                key
            }
        };
        keys.insert(enterprise.id.as_str(), key);
    }
    (added, revised, released, keys)
}

/// Why a text cell cannot be stored, if it cannot: PostgreSQL's `text`
/// refuses the NUL character, which SQLite and the CSV format allow.
fn unstorable(text: &str) -> Option<&'static str> {
    text.contains('\0')
        .then_some("contains the NUL character (U+0000), which PostgreSQL cannot store")
}

fn check_enterprise_text(at: usize, enterprise: &Enterprise, rejections: &mut Rejections) {
    let mut check = |column: &'static str, text: &str| {
        if let Some(problem) = unstorable(text) {
            rejections.add(RowRef::Enterprise(at), column, problem.to_owned());
        }
    };
    check("name", &enterprise.name);
    for (column, text) in [
        ("name_en", &enterprise.name_en),
        ("city", &enterprise.city),
        ("zone", &enterprise.zone),
    ] {
        if let Some(text) = text {
            check(column, text);
        }
    }
    if let Some(item) = enterprise
        .industries
        .iter()
        .find(|i| unstorable(i).is_some())
    {
        check("industries", item);
    }
    if let Some(item) = enterprise.tags.iter().find(|t| unstorable(t).is_some()) {
        check("tags", item);
    }
    check_extra(RowRef::Enterprise(at), &enterprise.extra, rejections);
}

/// Rejects `x_` extras holding NUL. The rejection's column is `x_*`, since
/// a rejection names its column with a fixed string; the message names it.
fn check_extra(row: RowRef, extra: &hatchery_core::model::Extra, rejections: &mut Rejections) {
    for (column, value) in extra {
        if let Some(problem) = unstorable(column).or_else(|| unstorable(value)) {
            rejections.add(row, "x_*", format!("{column}: {problem}"));
        }
    }
}

/// Rejects events with text PostgreSQL cannot hold.
fn check_events(dataset: &Dataset, rejections: &mut Rejections) {
    for (at, event) in dataset.events.iter().enumerate() {
        let Event {
            round,
            investors,
            source,
            extra,
            ..
        } = event;
        for (column, text) in [
            ("round", round),
            ("investors", investors),
            ("source", source),
        ] {
            if let Some(problem) = text.as_deref().and_then(unstorable) {
                rejections.add(RowRef::Event(at), column, problem.to_owned());
            }
        }
        check_extra(RowRef::Event(at), extra, rejections);
    }
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
    conn: &mut PgConnection,
    unique: &[(usize, &Enterprise)],
    coded: &[Coded<'_>],
    rejections: &mut Rejections,
) -> Result<(), StoreError> {
    if coded.is_empty() {
        return Ok(());
    }
    let in_dataset: HashSet<&str> = unique.iter().map(|(_, e)| e.id.as_str()).collect();
    let codes: Vec<&str> = coded.iter().map(|&(_, _, code)| code).collect();
    let mut rows = sqlx::query("SELECT uscc, id FROM enterprises WHERE uscc = ANY($1)")
        .bind(&codes)
        .fetch(conn);
    let mut kept: HashMap<String, String> = HashMap::new();
    while let Some(row) = rows.try_next().await.map_err(database)? {
        let holder: &str = get(&row, 1, "enterprises")?;
        if !in_dataset.contains(holder) {
            kept.insert(
                get::<&str>(&row, 0, "enterprises")?.to_owned(),
                holder.to_owned(),
            );
        }
    }
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
/// the dataset does not list, and rejects rows naming neither.
async fn resolve_references<'d>(
    conn: &mut PgConnection,
    anything_stored: bool,
    dataset: &'d Dataset,
    keys: &mut HashMap<&'d str, i64>,
    rejections: &mut Rejections,
) -> Result<(), StoreError> {
    let named = dataset
        .events
        .iter()
        .map(|e| e.enterprise.as_str())
        .chain(dataset.financials.iter().map(|f| f.enterprise.as_str()));
    let mut missing: Vec<&'d str> = Vec::new();
    let mut seen = HashSet::new();
    for id in named {
        if !keys.contains_key(id) && seen.insert(id) {
            missing.push(id);
        }
    }
    if anything_stored && !missing.is_empty() {
        let mut rows = sqlx::query("SELECT id, key FROM enterprises WHERE id = ANY($1)")
            .bind(&missing)
            .fetch(&mut *conn);
        let mut found: HashMap<String, i64> = HashMap::new();
        while let Some(row) = rows.try_next().await.map_err(database)? {
            found.insert(
                get::<&str>(&row, 0, "enterprises")?.to_owned(),
                get(&row, 1, "enterprises")?,
            );
        }
        drop(rows);
        for id in missing {
            if let Some(&key) = found.get(id) {
                keys.insert(id, key);
            }
        }
    }
    let unknown = |id: &str| format!("no enterprise '{id}' in this dataset or the store");
    for (at, event) in dataset.events.iter().enumerate() {
        if !keys.contains_key(event.enterprise.as_str()) {
            rejections.add(
                RowRef::Event(at),
                "enterprise",
                unknown(event.enterprise.as_str()),
            );
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
    Ok(())
}

/// New rates; a rate differing from a stored one, or given twice with
/// different values, is rejected. Rates are compared as numbers: `7.08` and
/// `7.080` are the same rate.
async fn plan_fx<'d>(
    conn: &mut PgConnection,
    dataset: &'d Dataset,
    rejections: &mut Rejections,
    outcome: &mut ImportOutcome,
) -> Result<Vec<&'d FxRate>, StoreError> {
    if dataset.fx.is_empty() {
        return Ok(Vec::new());
    }
    const T: &str = "fx_rates";
    let currencies: Vec<&str> = dataset
        .fx
        .iter()
        .map(|r| r.currency.as_str())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut rows =
        sqlx::query("SELECT currency, date, per_usd FROM fx_rates WHERE currency = ANY($1)")
            .bind(&currencies)
            .fetch(conn);
    let mut stored: HashMap<(Currency, Date), Amount> = HashMap::new();
    while let Some(row) = rows.try_next().await.map_err(database)? {
        let currency = cell(T, "currency", get::<&str>(&row, 0, T)?, Currency::parse)?;
        let per_usd = cell(T, "per_usd", get::<&str>(&row, 2, T)?, Amount::parse)?;
        stored.insert((currency, get::<Day>(&row, 1, T)?.0), per_usd);
    }
    drop(rows);

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
    conn: &mut PgConnection,
    last_key: i64,
    dataset: &'d Dataset,
    keys: &HashMap<&'d str, i64>,
    rejections: &mut Rejections,
    outcome: &mut ImportOutcome,
) -> Result<Vec<(i64, &'d Financials)>, StoreError> {
    if dataset.financials.is_empty() {
        return Ok(Vec::new());
    }
    // Only enterprises stored before this import can have stored financials.
    let stored_keys: Vec<i64> = dataset
        .financials
        .iter()
        .filter_map(|f| keys.get(f.enterprise.as_str()).copied())
        .filter(|&key| key <= last_key)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut stored: HashMap<(i64, i16), Figures> = HashMap::new();
    if !stored_keys.is_empty() {
        let mut rows = sqlx::query(
            "SELECT enterprise_key, year, currency, revenue, rd_expense, employees \
             FROM financials WHERE enterprise_key = ANY($1)",
        )
        .bind(&stored_keys)
        .fetch(conn);
        while let Some(row) = rows.try_next().await.map_err(database)? {
            let (key, figures) = Figures::decode(&row)?;
            stored.insert((key, figures.year), figures);
        }
    }

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
        match stored.get(&(key, row.year)) {
            Some(known) if *known == Figures::of(row) => outcome.financials_unchanged += 1,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_the_one_character_postgresql_refuses() {
        assert!(unstorable("阿尔法\u{1}").is_none());
        assert!(unstorable("a\0b").is_some());
    }
}
