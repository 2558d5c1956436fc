//! Workflow values to cells and back, and the pieces every operation shares.
//! A cell that does not parse means the database was changed behind
//! Hatchery's back: [`WorkflowError::Corrupt`].

use hatchery_core::workflow::audit::AuditRecord;
use hatchery_core::workflow::{
    AccountId, DeclarationState, Jurisdiction, Placement, Scope, ZoneId, truncate_instant,
};
use hatchery_core::{DivisionCode, EnterpriseId};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::workflow::engine::{Row, Session, StatementError, Value};
use crate::workflow::{Acting, Page, WorkflowError};

/// Maps a unique-constraint violation to [`WorkflowError::Duplicate`] with
/// `message`, anything else to a database error.
pub(crate) fn unique(message: &str) -> impl Fn(StatementError) -> WorkflowError + '_ {
    move |error| {
        if error.is_unique_violation() {
            WorkflowError::Duplicate(message.to_owned())
        } else {
            error.into()
        }
    }
}

pub(crate) fn corrupt(what: &str, value: &str) -> WorkflowError {
    WorkflowError::Corrupt(format!("{what} '{value}'"))
}

/// A workflow value as JSON text. Every one of them serialises (plain
/// structs, strings and numbers); were one not to, its text would be `null`
/// and reading it back would report the cell as corrupt.
pub(crate) fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

pub(crate) fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T, WorkflowError> {
    serde_json::from_str(text).map_err(|_| corrupt(what, text))
}

/// A JSON cell.
pub(crate) fn get_json<T: DeserializeOwned>(
    row: &impl Row,
    column: &str,
) -> Result<T, WorkflowError> {
    from_json(column, &row.get::<String>(column)?)
}

/// A text cell parsed by `parse`.
pub(crate) fn get_parsed<T, E>(
    row: &impl Row,
    column: &str,
    what: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<T, WorkflowError> {
    let text: String = row.get(column)?;
    parse(&text).map_err(|_| corrupt(what, &text))
}

/// An optional text cell parsed by `parse`.
pub(crate) fn get_opt_parsed<T, E>(
    row: &impl Row,
    column: &str,
    what: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, WorkflowError> {
    row.get::<Option<String>>(column)?
        .map(|text| parse(&text).map_err(|_| corrupt(what, &text)))
        .transpose()
}

/// A text cell holding a key that `parse` recognises.
pub(crate) fn get_key<T>(
    row: &impl Row,
    column: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, WorkflowError> {
    get_parsed(row, column, what, |t| parse(t).ok_or(()))
}

pub(crate) fn get_enterprise(row: &impl Row, column: &str) -> Result<EnterpriseId, WorkflowError> {
    get_parsed(row, column, "enterprise id", EnterpriseId::parse)
}

pub(crate) fn get_account(row: &impl Row, column: &str) -> Result<AccountId, WorkflowError> {
    Ok(AccountId(row.get(column)?))
}

pub(crate) fn get_opt_account(
    row: &impl Row,
    column: &str,
) -> Result<Option<AccountId>, WorkflowError> {
    Ok(row.get::<Option<i64>>(column)?.map(AccountId))
}

pub(crate) fn get_state(row: &impl Row, column: &str) -> Result<DeclarationState, WorkflowError> {
    get_key(row, column, "declaration state", DeclarationState::parse)
}

pub(crate) fn get_jurisdiction(
    row: &impl Row,
    column: &str,
) -> Result<Jurisdiction, WorkflowError> {
    get_parsed(row, column, "jurisdiction", Jurisdiction::parse)
}

pub(crate) fn division(text: &str) -> Result<DivisionCode, WorkflowError> {
    DivisionCode::parse(text).map_err(|_| corrupt("division code", text))
}

/// A count or size, which cannot be negative.
pub(crate) fn unsigned(what: &str, value: i64) -> Result<u64, WorkflowError> {
    u64::try_from(value).map_err(|_| corrupt(what, &value.to_string()))
}

/// Reads the `province, city, district, zone` columns.
pub(crate) fn get_placement(row: &impl Row) -> Result<Placement, WorkflowError> {
    let code = |column| get_opt_parsed(row, column, "division code", DivisionCode::parse);
    Ok(Placement {
        province: code("province")?,
        city: code("city")?,
        district: code("district")?,
        zone: get_opt_parsed(row, "zone", "zone id", ZoneId::parse)?,
    })
}

/// The placement's values, in `province, city, district, zone` order.
pub(crate) fn placement_values(placement: &Placement) -> [Value<'static>; 4] {
    [
        placement.province.map(|c| c.to_string()).into(),
        placement.city.map(|c| c.to_string()).into(),
        placement.district.map(|c| c.to_string()).into(),
        placement.zone.as_ref().map(ZoneId::to_string).into(),
    ]
}

/// A condition restricting rows to a scope, on parameter `$n`, and the value
/// to bind to it: `ALIAS.COLUMN = $n`, or for everything `$n IS NULL` with
/// `NULL` (one parameter either way keeps the numbering fixed).
pub(crate) fn scope_condition(scope: &Scope, alias: &str, n: usize) -> (String, Value<'static>) {
    let (column, value) = match scope {
        Scope::All => return (format!("CAST(${n} AS TEXT) IS NULL"), Value::Text(None)),
        Scope::Province(code) => ("province", code.to_string()),
        Scope::City(code) => ("city", code.to_string()),
        Scope::District(code) => ("district", code.to_string()),
        Scope::Zone(zone) => ("zone", zone.to_string()),
        Scope::Enterprise(id) => ("enterprise", id.to_string()),
    };
    (format!("{alias}.{column} = ${n}"), value.into())
}

/// `LIMIT` and `OFFSET` for a page.
pub(crate) fn page_limit(page: Page) -> [Value<'static>; 2] {
    [
        i64::try_from(page.limit).unwrap_or(i64::MAX).into(),
        i64::try_from(page.offset).unwrap_or(i64::MAX).into(),
    ]
}

/// What a counting statement (`SELECT COUNT(*) AS n …`) counted.
pub(crate) async fn count(
    s: &mut impl Session,
    sql: &str,
    binds: &[Value<'_>],
) -> Result<u64, WorkflowError> {
    let counted: i64 = match s.fetch_optional(sql, binds).await? {
        Some(row) => row.get("n")?,
        None => 0,
    };
    unsigned("count", counted)
}

/// The version a row is at, for telling a conflict from a missing row.
/// `table` is one of ours, never input.
pub(crate) async fn version_of(
    s: &mut impl Session,
    table: &'static str,
    id: i64,
) -> Result<i64, WorkflowError> {
    let sql = format!("SELECT version FROM {table} WHERE id = $1");
    match s.fetch_optional(&sql, crate::binds![id]).await? {
        Some(row) => row.get("version"),
        None => Err(WorkflowError::NotFound),
    }
}

/// The conflict of a compare-and-set on `table` that changed nothing.
pub(crate) async fn conflict(
    s: &mut impl Session,
    table: &'static str,
    id: i64,
    expected: i64,
) -> WorkflowError {
    match version_of(s, table, id).await {
        Ok(actual) => WorkflowError::VersionConflict { expected, actual },
        Err(error) => error,
    }
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
