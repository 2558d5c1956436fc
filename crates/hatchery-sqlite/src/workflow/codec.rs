//! Workflow values to cells and back. A cell that does not parse means the
//! database was changed behind Hatchery's back: [`WorkflowError::Corrupt`].

use hatchery_core::workflow::{
    AccountId, DeclarationState, Jurisdiction, Placement, ZoneId, format_instant, parse_instant,
};
use hatchery_core::{DivisionCode, EnterpriseId};
use hatchery_store::workflow::{Acting, WorkflowError};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use hatchery_core::workflow::audit::AuditRecord;
use hatchery_core::workflow::truncate_instant;

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

pub(crate) fn instant(text: &str) -> Result<Timestamp, WorkflowError> {
    parse_instant(text).ok_or_else(|| corrupt("instant", text))
}

pub(crate) fn text_instant(at: Timestamp) -> String {
    format_instant(at)
}

pub(crate) fn date(text: &str) -> Result<Date, WorkflowError> {
    hatchery_core::date::parse_date(text).map_err(|_| corrupt("date", text))
}

pub(crate) fn text_date(day: Date) -> String {
    hatchery_core::date::format_date(day)
}

pub(crate) fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("workflow values serialise to JSON")
}

pub(crate) fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T, WorkflowError> {
    serde_json::from_str(text).map_err(|_| corrupt(what, text))
}

pub(crate) fn cell<'r, T>(row: &'r SqliteRow, column: &str) -> Result<T, WorkflowError>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(column).map_err(db)
}

pub(crate) fn get_instant(row: &SqliteRow, column: &str) -> Result<Timestamp, WorkflowError> {
    instant(&cell::<String>(row, column)?)
}

pub(crate) fn get_opt_instant(
    row: &SqliteRow,
    column: &str,
) -> Result<Option<Timestamp>, WorkflowError> {
    cell::<Option<String>>(row, column)?
        .map(|t| instant(&t))
        .transpose()
}

pub(crate) fn get_date(row: &SqliteRow, column: &str) -> Result<Date, WorkflowError> {
    date(&cell::<String>(row, column)?)
}

pub(crate) fn get_opt_date(row: &SqliteRow, column: &str) -> Result<Option<Date>, WorkflowError> {
    cell::<Option<String>>(row, column)?
        .map(|t| date(&t))
        .transpose()
}

pub(crate) fn get_enterprise(row: &SqliteRow, column: &str) -> Result<EnterpriseId, WorkflowError> {
    let text: String = cell(row, column)?;
    EnterpriseId::parse(&text).map_err(|_| corrupt("enterprise id", &text))
}

pub(crate) fn get_account(row: &SqliteRow, column: &str) -> Result<AccountId, WorkflowError> {
    Ok(AccountId(cell(row, column)?))
}

pub(crate) fn get_opt_account(
    row: &SqliteRow,
    column: &str,
) -> Result<Option<AccountId>, WorkflowError> {
    Ok(cell::<Option<i64>>(row, column)?.map(AccountId))
}

pub(crate) fn get_state(row: &SqliteRow, column: &str) -> Result<DeclarationState, WorkflowError> {
    let text: String = cell(row, column)?;
    DeclarationState::parse(&text).ok_or_else(|| corrupt("declaration state", &text))
}

fn division(text: &str) -> Result<DivisionCode, WorkflowError> {
    DivisionCode::parse(text).map_err(|_| corrupt("division code", text))
}

pub(crate) fn get_opt_division(
    row: &SqliteRow,
    column: &str,
) -> Result<Option<DivisionCode>, WorkflowError> {
    cell::<Option<String>>(row, column)?
        .map(|t| division(&t))
        .transpose()
}

/// Reads the `province, city, district, zone` columns.
pub(crate) fn get_placement(row: &SqliteRow) -> Result<Placement, WorkflowError> {
    Ok(Placement {
        province: get_opt_division(row, "province")?,
        city: get_opt_division(row, "city")?,
        district: get_opt_division(row, "district")?,
        zone: cell::<Option<String>>(row, "zone")?
            .map(|t| ZoneId::parse(&t).map_err(|_| corrupt("zone id", &t)))
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

pub(crate) fn get_jurisdiction(
    row: &SqliteRow,
    column: &str,
) -> Result<Jurisdiction, WorkflowError> {
    let text: String = cell(row, column)?;
    Jurisdiction::parse(&text).map_err(|_| corrupt("jurisdiction", &text))
}

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
