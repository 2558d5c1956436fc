//! "Enter once" in PostgreSQL: profile facts appended with their ledger
//! part and audit entry in one transaction, and what a profile reads beyond
//! the enterprise's row and events.

use std::str::FromStr;

use hatchery_core::date::{format_date, parse_date};
use hatchery_core::workflow::{AccountId, format_instant, parse_instant, truncate_instant};
use hatchery_core::{Amount, Currency, EnterpriseId, Financials};
use hatchery_store::profile::{
    NewProfileFact, ProfileFact, ProfileField, ProfileRecords, StoredFinancials, fact_audit_record,
};
use hatchery_store::workflow::{Acting, append_audit_within};
use hatchery_store::{ImportSource, StoreError};
use sqlx::Row;

use crate::workflow::PgWithin;
use crate::{PgStore, database, import};

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("profile_facts: {what}"))
}

/// Appends `fact` (see [`hatchery_store::Store::append_profile_fact`]).
pub(crate) async fn append(
    store: &PgStore,
    fact: &NewProfileFact,
    acting: &Acting,
) -> Result<ProfileFact, StoreError> {
    let mut tx = crate::begin::begin(&store.pool, None)
        .await
        .map_err(database)?;
    let at = truncate_instant(acting.at);
    let result = async {
        if fact.has_ledger_part() {
            let source = ImportSource {
                origin: fact.ledger_origin(&acting.actor_name),
                at: at.to_string(),
            };
            import::write_within(&mut tx, &fact.ledger, &source).await?;
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO profile_facts (enterprise, field, value, previous, effective_on, year, \
             currency, confirms, recorded_by, recorded_name, recorded_at) \
             VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8, $9, $10, $11::timestamptz) RETURNING id",
        )
        .bind(fact.enterprise.as_str())
        .bind(fact.field.as_str())
        .bind(&fact.value)
        .bind(fact.previous.as_deref())
        .bind(format_date(fact.effective_on))
        .bind(fact.year)
        .bind(fact.currency.as_deref())
        .bind(fact.confirms)
        .bind(acting.actor.map(|a| a.0))
        .bind(&acting.actor_name)
        .bind(format_instant(at))
        .fetch_one(&mut *tx)
        .await
        .map_err(database)?;
        let stored = fact.stored(id, acting, at);
        append_audit_within(
            &mut PgWithin(&mut tx),
            fact_audit_record(acting, &stored, &fact.filed_under),
        )
        .await
        .map_err(StoreError::from_audit)?;
        Ok::<_, StoreError>(stored)
    }
    .await;
    match result {
        Ok(stored) => {
            tx.commit().await.map_err(database)?;
            Ok(stored)
        }
        Err(error) => {
            if let Err(failed) = tx.rollback().await {
                tracing::warn!(error = %failed, "rolling back a failed profile fact");
            }
            Err(error)
        }
    }
}

/// What a profile reads (see [`hatchery_store::Store::profile_records`]).
pub(crate) async fn records(
    store: &PgStore,
    id: &EnterpriseId,
) -> Result<ProfileRecords, StoreError> {
    let mut conn = crate::begin::begin(&store.pool, Some(crate::begin::READ_ONLY_SNAPSHOT))
        .await
        .map_err(database)?;
    let rows = sqlx::query(
        "SELECT id, field, value, previous, effective_on::text AS effective_on, year, currency, confirms, \
         recorded_by, recorded_name, \
         to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS recorded_at \
         FROM profile_facts \
         WHERE enterprise = $1 ORDER BY id",
    )
    .bind(id.as_str())
    .fetch_all(&mut *conn)
    .await
    .map_err(database)?;
    let mut facts = Vec::with_capacity(rows.len());
    for row in rows {
        let field: String = row.get("field");
        let effective: String = row.get("effective_on");
        let recorded_at: String = row.get("recorded_at");
        facts.push(ProfileFact {
            id: row.get("id"),
            enterprise: id.clone(),
            field: ProfileField::from_str(&field).map_err(corrupt)?,
            value: row.get("value"),
            previous: row.get("previous"),
            effective_on: parse_date(&effective).map_err(corrupt)?,
            year: row.get("year"),
            currency: row.get("currency"),
            confirms: row.get("confirms"),
            recorded_by: row.get::<Option<i64>, _>("recorded_by").map(AccountId),
            recorded_name: row.get("recorded_name"),
            recorded_at: parse_instant(&recorded_at)
                .ok_or_else(|| corrupt(format!("recorded_at '{recorded_at}'")))?,
        });
    }
    let rows = sqlx::query(
        "SELECT f.year, f.currency, f.revenue, f.rd_expense, f.employees, i.origin, i.at \
         FROM financials AS f JOIN enterprises AS e ON e.key = f.enterprise_key \
         JOIN imports AS i ON i.id = f.import_id WHERE e.id = $1 ORDER BY f.year",
    )
    .bind(id.as_str())
    .fetch_all(&mut *conn)
    .await
    .map_err(database)?;
    let mut financials = Vec::with_capacity(rows.len());
    for row in rows {
        let currency: String = row.get("currency");
        let amount = |column: &str| -> Result<Option<Amount>, StoreError> {
            row.get::<Option<String>, _>(column)
                .map(|text| Amount::parse(&text).map_err(|e| corrupt(format!("{column}: {e}"))))
                .transpose()
        };
        financials.push(StoredFinancials {
            row: Financials {
                enterprise: id.clone(),
                year: row.get("year"),
                currency: Currency::parse(&currency).map_err(corrupt)?,
                revenue: amount("revenue")?,
                rd_expense: amount("rd_expense")?,
                employees: row
                    .get::<Option<i64>, _>("employees")
                    .map(|n| u64::try_from(n).map_err(corrupt))
                    .transpose()?,
            },
            origin: row.get("origin"),
            at: row.get("at"),
        });
    }
    let row_origin = sqlx::query(
        "SELECT i.origin, i.at FROM enterprises AS e JOIN imports AS i ON i.id = e.import_id \
         WHERE e.id = $1",
    )
    .bind(id.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(database)?
    .map(|row| (row.get("origin"), row.get("at")));
    conn.commit().await.map_err(database)?;
    Ok(ProfileRecords {
        facts,
        financials,
        row_origin,
    })
}
