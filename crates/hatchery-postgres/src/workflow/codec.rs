//! Workflow values to cells and back. A cell that does not parse means the
//! database was changed behind Hatchery's back: [`WorkflowError::Corrupt`].

use hatchery_core::workflow::audit::AuditRecord;
use hatchery_core::workflow::{
    AccountId, DeclarationState, Jurisdiction, Placement, ZoneId, truncate_instant,
};
use hatchery_core::{DivisionCode, EnterpriseId};
use hatchery_store::workflow::{Acting, WorkflowError};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgRow, PgTypeInfo, PgValueFormat, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Row, Type};

use crate::codec::Day;

/// Wraps a driver error.
pub(crate) fn db(error: sqlx::Error) -> WorkflowError {
    WorkflowError::Database(Box::new(error))
}

/// Maps a unique-constraint violation to [`WorkflowError::Duplicate`] with
/// `message`, anything else to a database error.
pub(crate) fn unique(message: &str) -> impl Fn(sqlx::Error) -> WorkflowError + '_ {
    move |error| match error.as_database_error() {
        Some(e) if e.is_unique_violation() => WorkflowError::Duplicate(message.to_owned()),
        _ => db(error),
    }
}

pub(crate) fn corrupt(what: &str, value: &str) -> WorkflowError {
    WorkflowError::Corrupt(format!("{what} '{value}'"))
}

// ---------------------------------------------------------------- instants

/// A `timestamptz` column or parameter: microseconds since
/// 2000-01-01T00:00:00Z in PostgreSQL's binary format, the precision the
/// workflow keeps its instants at (finer parts are truncated, as SQLite's
/// six fractional digits are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Instant(pub Timestamp);

/// `timestamptz`, a built-in type whose oid never changes.
const TIMESTAMPTZ_OID: Oid = Oid(1184);

/// Microseconds from the Unix epoch to PostgreSQL's.
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

impl Type<Postgres> for Instant {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(TIMESTAMPTZ_OID)
    }
}

impl<'r> Decode<'r, Postgres> for Instant {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        match value.format() {
            PgValueFormat::Binary => {
                let bytes: [u8; 8] = value.as_bytes()?.try_into()?;
                let micros = i64::from_be_bytes(bytes)
                    .checked_add(PG_EPOCH_MICROS)
                    .ok_or("timestamptz out of range")?;
                Ok(Instant(Timestamp::from_microsecond(micros)?))
            }
            // sqlx asks for every result in binary.
            PgValueFormat::Text => Err("timestamptz arrived as text, not binary".into()),
        }
    }
}

impl Encode<'_, Postgres> for Instant {
    fn encode_by_ref(
        &self,
        buf: &mut PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, BoxDynError> {
        let micros = truncate_instant(self.0).as_microsecond() - PG_EPOCH_MICROS;
        buf.extend_from_slice(&micros.to_be_bytes());
        Ok(sqlx::encode::IsNull::No)
    }
}

// ------------------------------------------------------------------ JSON

pub(crate) fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("workflow values serialise to JSON")
}

pub(crate) fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T, WorkflowError> {
    serde_json::from_str(text).map_err(|_| corrupt(what, text))
}

// ------------------------------------------------------------------- cells

pub(crate) fn cell<'r, T>(row: &'r PgRow, column: &str) -> Result<T, WorkflowError>
where
    T: Decode<'r, Postgres> + Type<Postgres>,
{
    row.try_get(column).map_err(|e| match e {
        sqlx::Error::ColumnDecode { .. } => WorkflowError::Corrupt(format!("{column}: {e}")),
        other => db(other),
    })
}

pub(crate) fn get_instant(row: &PgRow, column: &str) -> Result<Timestamp, WorkflowError> {
    Ok(cell::<Instant>(row, column)?.0)
}

pub(crate) fn get_opt_instant(
    row: &PgRow,
    column: &str,
) -> Result<Option<Timestamp>, WorkflowError> {
    Ok(cell::<Option<Instant>>(row, column)?.map(|i| i.0))
}

pub(crate) fn get_date(row: &PgRow, column: &str) -> Result<Date, WorkflowError> {
    Ok(cell::<Day>(row, column)?.0)
}

pub(crate) fn get_opt_date(row: &PgRow, column: &str) -> Result<Option<Date>, WorkflowError> {
    Ok(cell::<Option<Day>>(row, column)?.map(|d| d.0))
}

pub(crate) fn get_enterprise(row: &PgRow, column: &str) -> Result<EnterpriseId, WorkflowError> {
    let text: &str = cell(row, column)?;
    EnterpriseId::parse(text).map_err(|_| corrupt("enterprise id", text))
}

pub(crate) fn get_account(row: &PgRow, column: &str) -> Result<AccountId, WorkflowError> {
    Ok(AccountId(cell(row, column)?))
}

pub(crate) fn get_opt_account(
    row: &PgRow,
    column: &str,
) -> Result<Option<AccountId>, WorkflowError> {
    Ok(cell::<Option<i64>>(row, column)?.map(AccountId))
}

pub(crate) fn get_state(row: &PgRow, column: &str) -> Result<DeclarationState, WorkflowError> {
    let text: &str = cell(row, column)?;
    DeclarationState::parse(text).ok_or_else(|| corrupt("declaration state", text))
}

pub(crate) fn division(text: &str) -> Result<DivisionCode, WorkflowError> {
    DivisionCode::parse(text).map_err(|_| corrupt("division code", text))
}

pub(crate) fn get_opt_division(
    row: &PgRow,
    column: &str,
) -> Result<Option<DivisionCode>, WorkflowError> {
    cell::<Option<&str>>(row, column)?.map(division).transpose()
}

/// Reads the `province, city, district, zone` columns.
pub(crate) fn get_placement(row: &PgRow) -> Result<Placement, WorkflowError> {
    Ok(Placement {
        province: get_opt_division(row, "province")?,
        city: get_opt_division(row, "city")?,
        district: get_opt_division(row, "district")?,
        zone: cell::<Option<&str>>(row, "zone")?
            .map(|t| ZoneId::parse(t).map_err(|_| corrupt("zone id", t)))
            .transpose()?,
    })
}

/// The placement's cells, in `province, city, district, zone` order.
pub(crate) fn placement_cells(placement: &Placement) -> [Option<String>; 4] {
    [
        placement.province.map(|c| c.to_string()),
        placement.city.map(|c| c.to_string()),
        placement.district.map(|c| c.to_string()),
        placement.zone.as_ref().map(ZoneId::to_string),
    ]
}

pub(crate) fn get_jurisdiction(row: &PgRow, column: &str) -> Result<Jurisdiction, WorkflowError> {
    let text: &str = cell(row, column)?;
    Jurisdiction::parse(text).map_err(|_| corrupt("jurisdiction", text))
}

/// A count from `COUNT(*)` or a size column, which cannot be negative.
pub(crate) fn unsigned(what: &str, value: i64) -> Result<u64, WorkflowError> {
    u64::try_from(value).map_err(|_| corrupt(what, &value.to_string()))
}

// ------------------------------------------------------------------- audit

/// The jurisdiction an audit entry about something placed there is filed under:
/// its most specific division, else its zone, else the nation.
pub(crate) fn filed_under(placement: &Placement) -> String {
    match (placement.division(), &placement.zone) {
        (Some(code), _) => code.to_string(),
        (None, Some(zone)) => format!("zone:{zone}"),
        (None, None) => "CN".to_owned(),
    }
}

/// An audit record of a write.
pub(crate) fn record<B: Serialize, A: Serialize>(
    acting: &Acting,
    action: &str,
    subject: String,
    jurisdiction: String,
    before: Option<&B>,
    after: Option<&A>,
) -> AuditRecord {
    AuditRecord {
        at: truncate_instant(acting.at),
        actor: acting.actor,
        actor_name: acting.actor_name.clone(),
        jurisdiction,
        action: action.to_owned(),
        subject,
        before: before.map(json),
        after: after.map(json),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_epochs_are_thirty_years_apart() {
        let y2k: Timestamp = "2000-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(y2k.as_microsecond(), PG_EPOCH_MICROS);
    }
}
