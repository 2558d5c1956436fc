//! Records to rows and back. Text columns hold the interchange format's own
//! text, so encoding writes each value as the format writes it and decoding
//! parses it again with the domain's parsers: a cell that does not parse
//! means the database was changed behind Hatchery's back, and is reported as
//! corrupt, naming table and column.

use std::collections::BTreeMap;
use std::fmt::Display;

use hatchery_core::criteria::LedgerEvent;
use hatchery_core::date::PartialDate;
use hatchery_core::model::Extra;
use hatchery_core::{
    Amount, Country, Currency, DivisionCode, Enterprise, EnterpriseId, Event, EventKind, Exchange,
    LedgerEnterprise, Money, Uscc,
};
use hatchery_store::StoreError;
use jiff::civil::Date;
use rust_decimal::Decimal;
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{
    PgArgumentBuffer, PgHasArrayType, PgRow, PgTypeInfo, PgValueFormat, PgValueRef,
};
use sqlx::{Decode, Encode, Postgres, Row, Type};

use crate::copy::{self, date_from_days};

/// An enterprise's cells after its key, revision and import, in
/// `enterprises` and `enterprise_revisions` alike, as written.
pub(crate) const ENTERPRISE_CELLS: &str =
    "name, name_en, uscc, founded, country, region, city, zone, industries, tags, extra";

/// [`ENTERPRISE_CELLS`] as read, for [`enterprise`].
pub(crate) const ENTERPRISE_READ: &str =
    "name, name_en, uscc, founded, country, region, city, zone, industries, tags, extra::text";

/// An event's format cells, as written.
pub(crate) const EVENT_CELLS: &str =
    "date, kind, round, amount, valuation, currency, investors, exchange, region, source, extra";

/// [`EVENT_CELLS`] as read, for [`event`].
pub(crate) const EVENT_READ: &str = "date, kind, round, amount, valuation, currency, investors, \
     exchange, region, source, extra::text";

// ------------------------------------------------------------------ dates

/// A `date` column or parameter. sqlx knows PostgreSQL dates only through
/// chrono or time; the binary value is simply days since 2000-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Day(pub Date);

/// `date`, a built-in type whose oid never changes.
const DATE_OID: Oid = Oid(1082);
/// `date[]`.
const DATE_ARRAY_OID: Oid = Oid(1182);

impl Type<Postgres> for Day {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(DATE_OID)
    }
}

impl PgHasArrayType for Day {
    fn array_type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(DATE_ARRAY_OID)
    }
}

impl<'r> Decode<'r, Postgres> for Day {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        match value.format() {
            PgValueFormat::Binary => {
                let bytes: [u8; 4] = value.as_bytes()?.try_into()?;
                let days = i32::from_be_bytes(bytes);
                date_from_days(days)
                    .map(Day)
                    .ok_or_else(|| format!("{days} days from 2000-01-01 is out of range").into())
            }
            // sqlx asks for every result in binary.
            PgValueFormat::Text => Err("date arrived as text, not binary".into()),
        }
    }
}

impl Encode<'_, Postgres> for Day {
    fn encode_by_ref(
        &self,
        buf: &mut PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, BoxDynError> {
        buf.extend_from_slice(&copy::days_since_epoch(self.0).to_be_bytes());
        Ok(sqlx::encode::IsNull::No)
    }
}

// ------------------------------------------------------------- encoding

/// `x_` extras as JSON text for a `jsonb` column; `None` when there are none.
pub(crate) fn extra_json(extra: &Extra) -> Option<String> {
    (!extra.is_empty())
        .then(|| serde_json::to_string(extra).expect("a map of strings always serialises"))
}

/// Writes the cells named by [`ENTERPRISE_CELLS`], in order.
pub(crate) fn write_enterprise_cells(row: &mut copy::Row<'_>, enterprise: &Enterprise) {
    row.text(&enterprise.name)
        .opt_text(enterprise.name_en.as_deref())
        .opt_text(enterprise.uscc.as_ref().map(Uscc::as_str))
        .text(&enterprise.founded.to_string())
        .text(enterprise.country.as_str())
        .opt_text(enterprise.region.map(|r| r.to_string()).as_deref())
        .opt_text(enterprise.city.as_deref())
        .opt_text(enterprise.zone.as_deref())
        .text_array(&enterprise.industries)
        .text_array(&enterprise.tags)
        .opt_jsonb(extra_json(&enterprise.extra).as_deref());
}

/// Writes the cells named by [`EVENT_CELLS`], in order.
pub(crate) fn write_event_cells(row: &mut copy::Row<'_>, event: &Event) {
    row.date(event.date)
        .text(event.kind.as_str())
        .opt_text(event.round.as_deref())
        .opt_text(event.amount.as_ref().map(Amount::as_str))
        .opt_text(event.valuation.as_ref().map(Amount::as_str))
        .opt_text(event.currency.as_ref().map(Currency::as_str))
        .opt_text(event.investors.as_deref())
        .opt_text(event.exchange.as_ref().map(Exchange::as_str))
        .opt_text(event.region.map(|r| r.to_string()).as_deref())
        .opt_text(event.source.as_deref())
        .opt_jsonb(extra_json(&event.extra).as_deref());
}

// ------------------------------------------------------------- decoding

/// Column `at` of `row`, as `T`.
pub(crate) fn get<'r, T>(row: &'r PgRow, at: usize, table: &str) -> Result<T, StoreError>
where
    T: Decode<'r, Postgres> + Type<Postgres>,
{
    row.try_get(at).map_err(|e| {
        let column = row
            .try_column(at)
            .map(|c| sqlx::Column::name(c).to_owned())
            .unwrap_or_else(|_| format!("#{at}"));
        StoreError::Corrupt(format!("{table}.{column}: {e}"))
    })
}

/// Parses one cell, naming table and column when it does not parse.
pub(crate) fn cell<T, E: Display>(
    table: &str,
    column: &str,
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    parse(text).map_err(|e| StoreError::Corrupt(format!("{table}.{column} '{text}': {e}")))
}

/// Parses a cell that may be empty.
pub(crate) fn optional<T, E: Display>(
    table: &str,
    column: &str,
    text: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    text.map(|t| cell(table, column, t, parse)).transpose()
}

/// A non-negative integer column (a count, a revision number, a year).
pub(crate) fn count<T: TryFrom<i64>>(
    table: &str,
    column: &str,
    value: i64,
) -> Result<T, StoreError> {
    T::try_from(value)
        .map_err(|_| StoreError::Corrupt(format!("{table}.{column}: {value} is out of range")))
}

fn json_extra(table: &str, text: Option<&str>) -> Result<Extra, StoreError> {
    let parse = |text: &str| serde_json::from_str::<BTreeMap<String, String>>(text);
    Ok(optional(table, "extra", text, parse)?.unwrap_or_default())
}

/// An enterprise from `row`, whose column `at` is its `id` and the next
/// ones [`ENTERPRISE_READ`].
pub(crate) fn enterprise(row: &PgRow, at: usize, table: &str) -> Result<Enterprise, StoreError> {
    let text = |n: usize| get::<&str>(row, at + n, table);
    let maybe = |n: usize| get::<Option<&str>>(row, at + n, table);
    Ok(Enterprise {
        id: cell(table, "id", text(0)?, EnterpriseId::parse)?,
        name: text(1)?.to_owned(),
        name_en: maybe(2)?.map(str::to_owned),
        uscc: optional(table, "uscc", maybe(3)?, Uscc::parse)?,
        founded: cell(table, "founded", text(4)?, PartialDate::parse)?,
        country: cell(table, "country", text(5)?, Country::parse)?,
        region: optional(table, "region", maybe(6)?, DivisionCode::parse)?,
        city: maybe(7)?.map(str::to_owned),
        zone: maybe(8)?.map(str::to_owned),
        industries: get(row, at + 9, table)?,
        tags: get(row, at + 10, table)?,
        extra: json_extra(table, maybe(11)?)?,
    })
}

/// What the ledger needs of an enterprise, from `key, id, founded, country,
/// region, zone, industries, tags`; returns the key too.
pub(crate) fn ledger_enterprise(row: &PgRow) -> Result<(i64, LedgerEnterprise), StoreError> {
    const T: &str = "enterprises";
    let text = |n: usize| get::<&str>(row, n, T);
    let maybe = |n: usize| get::<Option<&str>>(row, n, T);
    let enterprise = LedgerEnterprise::new(
        cell(T, "id", text(1)?, EnterpriseId::parse)?,
        cell(T, "founded", text(2)?, PartialDate::parse)?.first_day(),
        cell(T, "country", text(3)?, Country::parse)?,
        optional(T, "region", maybe(4)?, DivisionCode::parse)?,
        maybe(5)?.map(str::to_owned),
        get(row, 6, T)?,
        get(row, 7, T)?,
    );
    Ok((get(row, 0, T)?, enterprise))
}

/// An event of `enterprise` from `row`, whose column `at` is the first of
/// [`EVENT_READ`].
pub(crate) fn event(row: &PgRow, at: usize, enterprise: EnterpriseId) -> Result<Event, StoreError> {
    const T: &str = "events";
    let maybe = |n: usize| get::<Option<&str>>(row, at + n, T);
    Ok(Event {
        enterprise,
        date: get::<Day>(row, at, T)?.0,
        kind: cell(
            T,
            "kind",
            get::<&str>(row, at + 1, T)?,
            str::parse::<EventKind>,
        )?,
        round: maybe(2)?.map(str::to_owned),
        amount: optional(T, "amount", maybe(3)?, Amount::parse)?,
        valuation: optional(T, "valuation", maybe(4)?, Amount::parse)?,
        currency: optional(T, "currency", maybe(5)?, Currency::parse)?,
        investors: maybe(6)?.map(str::to_owned),
        exchange: optional(T, "exchange", maybe(7)?, Exchange::parse)?,
        region: optional(T, "region", maybe(8)?, DivisionCode::parse)?,
        source: maybe(9)?.map(str::to_owned),
        extra: json_extra(T, maybe(10)?)?,
    })
}

/// What the criteria read of an event, from `enterprise_key, seq, date,
/// kind, amount, valuation, currency, exchange, region`: as
/// `LedgerEvent::from_event` without building the `Event`. Amounts go
/// straight into decimals (their text was checked on import), and a figure
/// without a currency is no money.
pub(crate) fn ledger_event(row: &PgRow) -> Result<(i64, i64, LedgerEvent), StoreError> {
    const T: &str = "events";
    let maybe = |n: usize| get::<Option<&str>>(row, n, T);
    let currency = optional(T, "currency", maybe(6)?, Currency::parse)?;
    let money = |column: &str, text: Option<&str>| -> Result<Option<Money>, StoreError> {
        let Some(currency) = currency else {
            return Ok(None);
        };
        let amount = optional(T, column, text, Decimal::from_str_exact)?;
        Ok(amount.map(|amount| Money::new(amount, currency)))
    };
    let event = LedgerEvent {
        date: get::<Day>(row, 2, T)?.0,
        kind: cell(T, "kind", get::<&str>(row, 3, T)?, str::parse::<EventKind>)?,
        amount: money("amount", maybe(4)?)?,
        valuation: money("valuation", maybe(5)?)?,
        exchange: optional(T, "exchange", maybe(7)?, Exchange::parse)?,
        region: optional(T, "region", maybe(8)?, DivisionCode::parse)?,
    };
    Ok((get(row, 0, T)?, get(row, 1, T)?, event))
}
