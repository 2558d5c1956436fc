//! The ledger's records: enterprises, their dated events, exchange rates and
//! yearly financials, exactly as the interchange format defines them.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::date::PartialDate;
use crate::division::DivisionCode;
use crate::ids::{Country, EnterpriseId, Exchange};
use crate::money::{Amount, Currency, Money};
use crate::uscc::Uscc;

/// Columns beyond the format's own, prefixed `x_`, kept as they came.
pub type Extra = BTreeMap<String, String>;

/// An enterprise as the ledger knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enterprise {
    pub id: EnterpriseId,
    pub name: String,
    pub name_en: Option<String>,
    pub uscc: Option<Uscc>,
    pub founded: PartialDate,
    /// `CN` when not given, as in the interchange format.
    #[serde(default)]
    pub country: Country,
    /// Registered address at founding; relocations move it later.
    pub region: Option<DivisionCode>,
    /// Free-text city, for enterprises without a `region`.
    pub city: Option<String>,
    /// The national high-tech zone it is registered in.
    pub zone: Option<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: Extra,
}

/// What kind of fact an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Funding,
    Valuation,
    Listing,
    Acquired,
    Closed,
    Relocated,
}

impl EventKind {
    pub const ALL: [Self; 6] = [
        Self::Funding,
        Self::Valuation,
        Self::Listing,
        Self::Acquired,
        Self::Closed,
        Self::Relocated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Funding => "funding",
            Self::Valuation => "valuation",
            Self::Listing => "listing",
            Self::Acquired => "acquired",
            Self::Closed => "closed",
            Self::Relocated => "relocated",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a text is not an event kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an event kind (funding, valuation, listing, acquired, closed, relocated)")]
pub struct EventKindError(pub String);

impl FromStr for EventKind {
    type Err = EventKindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| EventKindError(s.to_owned()))
    }
}

/// A dated fact about one enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Event {
    pub enterprise: EnterpriseId,
    pub date: Date,
    pub kind: EventKind,
    pub round: Option<String>,
    pub amount: Option<Amount>,
    pub valuation: Option<Amount>,
    pub currency: Option<Currency>,
    /// `;`-separated names, kept as written.
    pub investors: Option<String>,
    pub exchange: Option<Exchange>,
    pub region: Option<DivisionCode>,
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: Extra,
}

impl Event {
    /// An event with only what every event has: whose, when and what.
    pub fn new(enterprise: EnterpriseId, date: Date, kind: EventKind) -> Self {
        Self {
            enterprise,
            date,
            kind,
            round: None,
            amount: None,
            valuation: None,
            currency: None,
            investors: None,
            exchange: None,
            region: None,
            source: None,
            extra: Extra::new(),
        }
    }

    /// The money raised in the round, with its currency.
    pub fn amount_money(&self) -> Option<Money> {
        Some(Money::new(self.amount.as_ref()?.value(), self.currency?))
    }

    /// The post-money valuation, with its currency.
    pub fn valuation_money(&self) -> Option<Money> {
        Some(Money::new(self.valuation.as_ref()?.value(), self.currency?))
    }

    /// The investors as a list.
    pub fn investor_names(&self) -> Vec<&str> {
        split_list(self.investors.as_deref().unwrap_or(""))
    }

    /// The text of every format column, in a fixed order: two events are the
    /// same event exactly when these are equal.
    /// What [`Event::identity_cells`] compares, borrowed: equal exactly
    /// when the cells are, and cheap to hash — for dropping repeated rows
    /// of a large dataset without a string per cell.
    pub fn identity_key(&self) -> impl std::hash::Hash + Eq + '_ {
        (
            self.enterprise.as_str(),
            self.date,
            self.kind,
            text(self.round.as_deref()),
            text(self.amount.as_ref().map(Amount::as_str)),
            text(self.valuation.as_ref().map(Amount::as_str)),
            self.currency,
            text(self.investors.as_deref()),
            self.exchange,
            self.region,
            text(self.source.as_deref()),
        )
    }

    /// Each of [`Event::identity_cells`] in order, without a string per
    /// cell: what a store's fingerprint of the event hashes.
    pub fn for_each_identity_cell(&self, mut cell: impl FnMut(&str)) {
        cell(self.enterprise.as_str());
        cell(&crate::date::format_date(self.date));
        cell(self.kind.as_str());
        cell(text(self.round.as_deref()));
        cell(text(self.amount.as_ref().map(Amount::as_str)));
        cell(text(self.valuation.as_ref().map(Amount::as_str)));
        cell(self.currency.as_ref().map_or("", Currency::as_str));
        cell(text(self.investors.as_deref()));
        cell(self.exchange.as_ref().map_or("", Exchange::as_str));
        match self.region {
            Some(region) => cell(&region.to_string()),
            None => cell(""),
        }
        cell(text(self.source.as_deref()));
    }

    pub fn identity_cells(&self) -> [String; 11] {
        let mut cells: [String; 11] = Default::default();
        let mut at = 0;
        self.for_each_identity_cell(|cell| {
            cells[at] = cell.to_owned();
            at += 1;
        });
        cells
    }
}

/// An optional cell's text, empty when absent.
fn text(cell: Option<&str>) -> &str {
    cell.unwrap_or("")
}

/// Splits a `;`-separated list, trimming each item and dropping empty ones.
pub fn split_list(text: &str) -> Vec<&str> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Units of `currency` per one US dollar on `date`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FxRate {
    pub date: Date,
    pub currency: Currency,
    /// Always greater than zero.
    pub per_usd: Amount,
}

/// One enterprise's figures for one calendar year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Financials {
    pub enterprise: EnterpriseId,
    pub year: i16,
    pub currency: Currency,
    pub revenue: Option<Amount>,
    pub rd_expense: Option<Amount>,
    pub employees: Option<u64>,
}

/// A whole dataset: what an import brings or an export writes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dataset {
    pub enterprises: Vec<Enterprise>,
    #[serde(default)]
    pub events: Vec<Event>,
    #[serde(default)]
    pub fx: Vec<FxRate>,
    #[serde(default)]
    pub financials: Vec<Financials>,
}
