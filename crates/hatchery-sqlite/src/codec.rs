//! Records to rows and back. Cells hold the interchange format's own text, so
//! encoding writes each value as the format writes it, and decoding parses it
//! again with the domain's own parsers: a cell that does not parse means the
//! database was changed behind Hatchery's back, and is reported as corrupt.

use std::collections::BTreeMap;
use std::fmt::Display;

use hatchery_core::criteria::LedgerEvent;
use hatchery_core::date::{PartialDate, format_date, parse_date};
use hatchery_core::model::Extra;
use hatchery_core::{
    Amount, Country, Currency, DivisionCode, Enterprise, EnterpriseId, Event, EventKind, Exchange,
    FxRate, LedgerEnterprise, Money, Uscc,
};
use hatchery_store::StoreError;
use rust_decimal::Decimal;
use serde::Deserialize;
use sqlx::error::BoxDynError;

use crate::batch::{Args, push};
use crate::json::Text;

/// An enterprise's cells after its key, in `enterprises` and
/// `enterprise_revisions` alike.
macro_rules! enterprise_cells {
    () => {
        "name, name_en, uscc, founded, country, region, city, zone, industries, tags, extra"
    };
}

/// An event's format cells, in `events`.
macro_rules! event_cells {
    () => {
        "date, kind, round, amount, valuation, currency, investors, exchange, region, source, extra"
    };
}

pub(crate) use {enterprise_cells, event_cells};

// ---------------------------------------------------------------- encoding

/// Appends an enterprise's [`enterprise_cells!`], in order.
pub(crate) fn push_enterprise_cells(
    args: &mut Args,
    enterprise: &Enterprise,
) -> Result<(), BoxDynError> {
    push(args, enterprise.name.clone())?;
    push(args, enterprise.name_en.clone())?;
    push(
        args,
        enterprise.uscc.as_ref().map(|c| c.as_str().to_owned()),
    )?;
    push(args, enterprise.founded.to_string())?;
    push(args, enterprise.country.as_str().to_owned())?;
    push(args, enterprise.region.map(|r| r.to_string()))?;
    push(args, enterprise.city.clone())?;
    push(args, enterprise.zone.clone())?;
    push(args, list(&enterprise.industries))?;
    push(args, list(&enterprise.tags))?;
    push(args, extra(&enterprise.extra))
}

/// Appends an event's [`event_cells!`], in order.
pub(crate) fn push_event_cells(args: &mut Args, event: &Event) -> Result<(), BoxDynError> {
    let text = |amount: &Option<Amount>| amount.as_ref().map(|a| a.as_str().to_owned());
    push(args, format_date(event.date))?;
    push(args, event.kind.as_str())?;
    push(args, event.round.clone())?;
    push(args, text(&event.amount))?;
    push(args, text(&event.valuation))?;
    push(args, event.currency.map(String::from))?;
    push(args, event.investors.clone())?;
    push(args, event.exchange.map(String::from))?;
    push(args, event.region.map(|r| r.to_string()))?;
    push(args, event.source.clone())?;
    push(args, extra(&event.extra))
}

/// A list as a JSON array; `None` when empty.
fn list(items: &[String]) -> Option<String> {
    (!items.is_empty()).then(|| json(items))
}

/// `x_` extras as a JSON object; `None` when there are none.
fn extra(extra: &Extra) -> Option<String> {
    (!extra.is_empty()).then(|| json(extra))
}

fn json(value: &(impl serde::Serialize + ?Sized)) -> String {
    serde_json::to_string(value).expect("lists and maps of strings always serialise")
}

// ---------------------------------------------------------------- decoding

/// Parses one cell, naming table and column when it does not parse.
fn cell<T, E: Display>(
    table: &str,
    column: &str,
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    parse(text).map_err(|e| StoreError::Corrupt(format!("{table}.{column} '{text}': {e}")))
}

/// Parses a cell that may be empty.
fn optional<T, E: Display>(
    table: &str,
    column: &str,
    text: Option<&Text<'_>>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    text.map(|t| cell(table, column, t, parse)).transpose()
}

fn owned(text: Option<Text<'_>>) -> Option<String> {
    text.map(Text::into_owned)
}

fn json_list(
    table: &str,
    column: &str,
    text: Option<&Text<'_>>,
) -> Result<Vec<String>, StoreError> {
    let parse = |text: &str| serde_json::from_str::<Vec<String>>(text);
    Ok(optional(table, column, text, parse)?.unwrap_or_default())
}

fn json_extra(table: &str, text: Option<&Text<'_>>) -> Result<Extra, StoreError> {
    let parse = |text: &str| serde_json::from_str::<BTreeMap<String, String>>(text);
    Ok(optional(table, "extra", text, parse)?.unwrap_or_default())
}

/// A non-negative integer column (a count or a revision number).
pub(crate) fn count<T: TryFrom<i64>>(
    table: &str,
    column: &str,
    value: i64,
) -> Result<T, StoreError> {
    T::try_from(value)
        .map_err(|_| StoreError::Corrupt(format!("{table}.{column}: {value} is out of range")))
}

/// An enterprise row as the reads select it: `json_array(key, revision,
/// import_id, id,` then [`enterprise_cells!`]`)`.
#[derive(Debug, Deserialize)]
pub(crate) struct EnterpriseRecord<'a> {
    pub key: i64,
    pub revision: i64,
    pub import_id: i64,
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    name_en: Option<Text<'a>>,
    #[serde(borrow)]
    uscc: Option<Text<'a>>,
    #[serde(borrow)]
    founded: Text<'a>,
    #[serde(borrow)]
    country: Text<'a>,
    #[serde(borrow)]
    region: Option<Text<'a>>,
    #[serde(borrow)]
    city: Option<Text<'a>>,
    #[serde(borrow)]
    zone: Option<Text<'a>>,
    #[serde(borrow)]
    industries: Option<Text<'a>>,
    #[serde(borrow)]
    tags: Option<Text<'a>>,
    #[serde(borrow)]
    extra: Option<Text<'a>>,
}

impl EnterpriseRecord<'_> {
    pub fn id(&self) -> Result<EnterpriseId, StoreError> {
        cell("enterprises", "id", &self.id, EnterpriseId::parse)
    }

    pub fn decode(self) -> Result<Enterprise, StoreError> {
        const T: &str = "enterprises";
        Ok(Enterprise {
            id: self.id()?,
            founded: cell(T, "founded", &self.founded, PartialDate::parse)?,
            country: cell(T, "country", &self.country, Country::parse)?,
            uscc: optional(T, "uscc", self.uscc.as_ref(), Uscc::parse)?,
            region: optional(T, "region", self.region.as_ref(), DivisionCode::parse)?,
            industries: json_list(T, "industries", self.industries.as_ref())?,
            tags: json_list(T, "tags", self.tags.as_ref())?,
            extra: json_extra(T, self.extra.as_ref())?,
            name: self.name.into_owned(),
            name_en: owned(self.name_en),
            city: owned(self.city),
            zone: owned(self.zone),
        })
    }
}

/// What the ledger needs of an enterprise: `json_array(key, id, founded,
/// country, region, zone, industries, tags)`.
#[derive(Debug, Deserialize)]
pub(crate) struct LedgerEnterpriseRecord<'a> {
    pub key: i64,
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    founded: Text<'a>,
    #[serde(borrow)]
    country: Text<'a>,
    #[serde(borrow)]
    region: Option<Text<'a>>,
    #[serde(borrow)]
    zone: Option<Text<'a>>,
    #[serde(borrow)]
    industries: Option<Text<'a>>,
    #[serde(borrow)]
    tags: Option<Text<'a>>,
}

impl LedgerEnterpriseRecord<'_> {
    pub fn decode(self) -> Result<LedgerEnterprise, StoreError> {
        const T: &str = "enterprises";
        Ok(LedgerEnterprise::new(
            cell(T, "id", &self.id, EnterpriseId::parse)?,
            cell(T, "founded", &self.founded, PartialDate::parse)?.first_day(),
            cell(T, "country", &self.country, Country::parse)?,
            optional(T, "region", self.region.as_ref(), DivisionCode::parse)?,
            owned(self.zone),
            json_list(T, "industries", self.industries.as_ref())?,
            json_list(T, "tags", self.tags.as_ref())?,
        ))
    }
}

/// An event row: `json_array(enterprise_key, seq,` then [`event_cells!`]`)`.
#[derive(Debug, Deserialize)]
pub(crate) struct EventRecord<'a> {
    pub enterprise_key: i64,
    pub seq: i64,
    #[serde(borrow)]
    date: Text<'a>,
    #[serde(borrow)]
    kind: Text<'a>,
    #[serde(borrow)]
    round: Option<Text<'a>>,
    #[serde(borrow)]
    amount: Option<Text<'a>>,
    #[serde(borrow)]
    valuation: Option<Text<'a>>,
    #[serde(borrow)]
    currency: Option<Text<'a>>,
    #[serde(borrow)]
    investors: Option<Text<'a>>,
    #[serde(borrow)]
    exchange: Option<Text<'a>>,
    #[serde(borrow)]
    region: Option<Text<'a>>,
    #[serde(borrow)]
    source: Option<Text<'a>>,
    #[serde(borrow)]
    extra: Option<Text<'a>>,
}

impl EventRecord<'_> {
    pub fn decode(self, enterprise: EnterpriseId) -> Result<Event, StoreError> {
        const T: &str = "events";
        Ok(Event {
            enterprise,
            date: cell(T, "date", &self.date, parse_date)?,
            kind: cell(T, "kind", &self.kind, str::parse::<EventKind>)?,
            amount: optional(T, "amount", self.amount.as_ref(), Amount::parse)?,
            valuation: optional(T, "valuation", self.valuation.as_ref(), Amount::parse)?,
            currency: optional(T, "currency", self.currency.as_ref(), Currency::parse)?,
            exchange: optional(T, "exchange", self.exchange.as_ref(), Exchange::parse)?,
            region: optional(T, "region", self.region.as_ref(), DivisionCode::parse)?,
            extra: json_extra(T, self.extra.as_ref())?,
            round: owned(self.round),
            investors: owned(self.investors),
            source: owned(self.source),
        })
    }
}

/// What the criteria read of an event: `json_array(enterprise_key, seq,
/// date, kind, amount, valuation, currency, exchange, region)`.
#[derive(Debug, Deserialize)]
pub(crate) struct LedgerEventRecord<'a> {
    pub enterprise_key: i64,
    pub seq: i64,
    #[serde(borrow)]
    date: Text<'a>,
    #[serde(borrow)]
    kind: Text<'a>,
    #[serde(borrow)]
    amount: Option<Text<'a>>,
    #[serde(borrow)]
    valuation: Option<Text<'a>>,
    #[serde(borrow)]
    currency: Option<Text<'a>>,
    #[serde(borrow)]
    exchange: Option<Text<'a>>,
    #[serde(borrow)]
    region: Option<Text<'a>>,
}

impl LedgerEventRecord<'_> {
    /// As `LedgerEvent::from_event`, without building the `Event`: amounts
    /// are read straight into decimals (their text was checked on import),
    /// and a figure without a currency is no money.
    pub fn decode(&self) -> Result<LedgerEvent, StoreError> {
        const T: &str = "events";
        let currency = optional(T, "currency", self.currency.as_ref(), Currency::parse)?;
        let money = |column: &str, text: Option<&Text<'_>>| -> Result<Option<Money>, StoreError> {
            let Some(currency) = currency else {
                return Ok(None);
            };
            let amount = optional(T, column, text, Decimal::from_str_exact)?;
            Ok(amount.map(|amount| Money::new(amount, currency)))
        };
        Ok(LedgerEvent {
            date: cell(T, "date", &self.date, parse_date)?,
            kind: cell(T, "kind", &self.kind, str::parse::<EventKind>)?,
            amount: money("amount", self.amount.as_ref())?,
            valuation: money("valuation", self.valuation.as_ref())?,
            exchange: optional(T, "exchange", self.exchange.as_ref(), Exchange::parse)?,
            region: optional(T, "region", self.region.as_ref(), DivisionCode::parse)?,
        })
    }
}

/// A rate: `json_array(currency, date, per_usd)`.
#[derive(Debug, Deserialize)]
pub(crate) struct FxRecord<'a> {
    #[serde(borrow)]
    currency: Text<'a>,
    #[serde(borrow)]
    date: Text<'a>,
    #[serde(borrow)]
    per_usd: Text<'a>,
}

impl FxRecord<'_> {
    pub fn decode(&self) -> Result<FxRate, StoreError> {
        const T: &str = "fx_rates";
        Ok(FxRate {
            currency: cell(T, "currency", &self.currency, Currency::parse)?,
            date: cell(T, "date", &self.date, parse_date)?,
            per_usd: cell(T, "per_usd", &self.per_usd, Amount::parse)?,
        })
    }
}

/// Financials: `json_array(enterprise_key, year, currency, revenue,
/// rd_expense, employees)`.
#[derive(Debug, Deserialize)]
pub(crate) struct FinancialsRecord<'a> {
    pub enterprise_key: i64,
    pub year: i64,
    #[serde(borrow)]
    currency: Text<'a>,
    #[serde(borrow)]
    revenue: Option<Text<'a>>,
    #[serde(borrow)]
    rd_expense: Option<Text<'a>>,
    employees: Option<i64>,
}

/// A financials row's figures, decoded.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Figures {
    pub year: i16,
    pub currency: Currency,
    pub revenue: Option<Amount>,
    pub rd_expense: Option<Amount>,
    pub employees: Option<u64>,
}

impl FinancialsRecord<'_> {
    pub fn decode(&self) -> Result<Figures, StoreError> {
        const T: &str = "financials";
        Ok(Figures {
            year: count(T, "year", self.year)?,
            currency: cell(T, "currency", &self.currency, Currency::parse)?,
            revenue: optional(T, "revenue", self.revenue.as_ref(), Amount::parse)?,
            rd_expense: optional(T, "rd_expense", self.rd_expense.as_ref(), Amount::parse)?,
            employees: self
                .employees
                .map(|n| count(T, "employees", n))
                .transpose()?,
        })
    }
}
