//! The conditions a rule set can state, and how each is checked and explained.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::decision::Check;
use super::facts::{AsOf, ValuationFact};
use crate::date::{PartialDate, format_date};
use crate::ids::{Country, Exchange};
use crate::money::{Currency, Money, group_thousands};

/// An amount of money a condition compares with, written `"1000000000 USD"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Threshold(pub Money);

impl FromStr for Threshold {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let (amount, currency) = text.trim().split_once(' ').ok_or_else(|| {
            format!("'{text}': write a threshold as '<amount> <currency>', e.g. '1000000000 USD'")
        })?;
        let amount = Decimal::from_str_exact(amount.trim())
            .map_err(|_| format!("'{amount}' is not a decimal amount"))?;
        if amount.is_sign_negative() {
            return Err(format!("threshold '{text}' is negative"));
        }
        let currency = Currency::parse(currency.trim()).map_err(|e| e.to_string())?;
        Ok(Self(Money::new(amount, currency)))
    }
}

impl TryFrom<String> for Threshold {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        value.parse()
    }
}

impl From<Threshold> for String {
    fn from(value: Threshold) -> Self {
        format!("{} {}", value.0.amount, value.0.currency)
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One condition of a rule set. In TOML each is a one-key inline table,
/// e.g. `{ age_within_years = 10 }` or `{ valuation_at_least = "1000000000 USD" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// Founded on or before the day (`true`), or not yet (`false`).
    Exists(bool),
    /// The enterprise's country is one of these.
    Country(Vec<Country>),
    /// The day is on or before the N-th anniversary of founding.
    AgeWithinYears(i16),
    /// Founded on or after this date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    FoundedFrom(PartialDate),
    /// At least one funding round on or before the day.
    Funded(bool),
    /// Listed on an exchange other than the rule set's `unlisted_exchanges`.
    Listed(bool),
    /// Listed on one of these exchanges.
    ListedOn(Vec<Exchange>),
    /// Acquired or closed.
    Gone(bool),
    /// The latest valuation is at least this much.
    ValuationAtLeast(Threshold),
    /// The latest valuation is known and below this much.
    ValuationBelow(Threshold),
    /// The money raised so far is at least this much.
    RaisedAtLeast(Threshold),
    /// The effective region's code starts with one of these prefixes.
    RegionPrefix(Vec<String>),
    /// The enterprise is in one of these industries.
    Industry(Vec<String>),
    /// The enterprise carries one of these tags.
    Tag(Vec<String>),
}

fn show_money(value: Decimal, currency: Currency) -> String {
    format!("{} {currency}", group_thousands(value.round_dp(2)))
}

fn show_list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Condition {
    /// A short machine name for the kind of condition.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Exists(_) => "exists",
            Self::Country(_) => "country",
            Self::AgeWithinYears(_) => "age_within_years",
            Self::FoundedFrom(_) => "founded_from",
            Self::Funded(_) => "funded",
            Self::Listed(_) => "listed",
            Self::ListedOn(_) => "listed_on",
            Self::Gone(_) => "gone",
            Self::ValuationAtLeast(_) => "valuation_at_least",
            Self::ValuationBelow(_) => "valuation_below",
            Self::RaisedAtLeast(_) => "raised_at_least",
            Self::RegionPrefix(_) => "region_prefix",
            Self::Industry(_) => "industry",
            Self::Tag(_) => "tag",
        }
    }

    /// Whether the condition holds. `unlisted` are the exchanges whose
    /// listings do not count as listed.
    pub fn holds(&self, facts: &AsOf<'_>, unlisted: &[Exchange]) -> bool {
        let at_least = |o: Option<Ordering>| o.is_some_and(Ordering::is_ge);
        match self {
            Self::Exists(want) => facts.exists() == *want,
            Self::Country(countries) => countries.contains(&facts.subject.country),
            Self::AgeWithinYears(years) => facts.age_within(*years),
            Self::FoundedFrom(from) => facts.subject.founded >= from.first_day(),
            Self::Funded(want) => facts.funded() == *want,
            Self::Listed(want) => facts.listing(unlisted).is_some() == *want,
            Self::ListedOn(exchanges) => facts.listing_on(exchanges).is_some(),
            Self::Gone(want) => facts.gone().is_some() == *want,
            Self::ValuationAtLeast(t) => at_least(facts.compare_valuation(t.0)),
            Self::ValuationBelow(t) => facts.compare_valuation(t.0) == Some(Ordering::Less),
            Self::RaisedAtLeast(t) => at_least(facts.compare_raised(t.0)),
            Self::RegionPrefix(prefixes) => facts
                .region()
                .is_some_and(|r| prefixes.iter().any(|p| r.has_prefix(p))),
            Self::Industry(keys) => facts.subject.industries.iter().any(|i| keys.contains(i)),
            Self::Tag(keys) => facts.subject.tags.iter().any(|t| keys.contains(t)),
        }
    }

    /// The check with what was required and what was found, for people.
    pub fn explain(&self, facts: &AsOf<'_>, unlisted: &[Exchange]) -> Check {
        let passed = self.holds(facts, unlisted);
        let (requirement, found) = match self {
            Self::Exists(want) => (
                if *want {
                    format!("founded on or before {}", format_date(facts.date))
                } else {
                    format!("not yet founded on {}", format_date(facts.date))
                },
                format!("founded {}", format_date(facts.subject.founded)),
            ),
            Self::Country(countries) => (
                format!("country in {}", show_list(countries)),
                facts.subject.country.to_string(),
            ),
            Self::AgeWithinYears(years) => (
                format!("age within {years} years (on or before the {years}th anniversary)"),
                format!(
                    "founded {}, {years}th anniversary {}",
                    format_date(facts.subject.founded),
                    format_date(crate::date::anniversary(facts.subject.founded, *years))
                ),
            ),
            Self::FoundedFrom(from) => (
                format!("founded on or after {}", format_date(from.first_day())),
                format!("founded {}", format_date(facts.subject.founded)),
            ),
            Self::Funded(want) => {
                let rounds = facts
                    .events()
                    .iter()
                    .filter(|e| e.kind == crate::model::EventKind::Funding)
                    .count();
                (
                    if *want {
                        "at least one funding round"
                    } else {
                        "no funding round"
                    }
                    .to_owned(),
                    format!("{rounds} funding round(s)"),
                )
            }
            Self::Listed(want) => (
                {
                    let state = if *want { "listed" } else { "not listed" };
                    if unlisted.is_empty() {
                        state.to_owned()
                    } else {
                        format!("{state} (listings on {} do not count)", show_list(unlisted))
                    }
                },
                describe_listing(facts.listing(unlisted), facts, unlisted),
            ),
            Self::ListedOn(exchanges) => (
                format!("listed on {}", show_list(exchanges)),
                describe_listing(facts.listing_on(exchanges), facts, &[]),
            ),
            Self::Gone(want) => (
                if *want {
                    "acquired or closed"
                } else {
                    "neither acquired nor closed"
                }
                .to_owned(),
                match facts.gone() {
                    Some(e) => format!("{} on {}", e.kind, format_date(e.date)),
                    None => "neither acquired nor closed".to_owned(),
                },
            ),
            Self::ValuationAtLeast(t) | Self::ValuationBelow(t) => {
                let op = if matches!(self, Self::ValuationAtLeast(_)) {
                    "≥"
                } else {
                    "<"
                };
                (
                    format!("valuation {op} {t}"),
                    describe_valuation(facts, t.0.currency),
                )
            }
            Self::RaisedAtLeast(t) => (
                format!("raised ≥ {t}"),
                match facts.raised_in(t.0.currency) {
                    Some(v) => format!("raised {}", show_money(v, t.0.currency)),
                    None => format!(
                        "unknown: a round's amount cannot be converted into {}",
                        t.0.currency
                    ),
                },
            ),
            Self::RegionPrefix(prefixes) => (
                format!("registered in {}", show_list(prefixes)),
                match facts.region() {
                    Some(r) => format!("{r} {}", r.display_name()),
                    None => "no region".to_owned(),
                },
            ),
            Self::Industry(keys) => (
                format!("industry in {}", show_list(keys)),
                show_list(facts.subject.industries),
            ),
            Self::Tag(keys) => (
                format!("tag in {}", show_list(keys)),
                show_list(facts.subject.tags),
            ),
        };
        Check {
            condition: self.key().to_owned(),
            requirement,
            found,
            passed,
        }
    }

    /// Currencies this condition converts into.
    pub fn currency(&self) -> Option<Currency> {
        match self {
            Self::ValuationAtLeast(t) | Self::ValuationBelow(t) | Self::RaisedAtLeast(t) => {
                Some(t.0.currency)
            }
            _ => None,
        }
    }
}

fn describe_listing(
    listing: Option<&super::facts::LedgerEvent>,
    facts: &AsOf<'_>,
    ignored: &[Exchange],
) -> String {
    if let Some(e) = listing {
        let exchange = e.exchange.map(|x| x.to_string()).unwrap_or_default();
        return format!("listed on {exchange} on {}", format_date(e.date));
    }
    let ignored_listings: Vec<String> = facts
        .events()
        .iter()
        .filter(|e| e.kind == crate::model::EventKind::Listing)
        .filter(|e| e.exchange.is_some_and(|x| ignored.contains(&x)))
        .map(|e| {
            format!(
                "{} on {} (does not count)",
                e.exchange.map(|x| x.to_string()).unwrap_or_default(),
                format_date(e.date)
            )
        })
        .collect();
    if ignored_listings.is_empty() {
        "not listed".to_owned()
    } else {
        format!("not listed; {}", ignored_listings.join(", "))
    }
}

fn describe_valuation(facts: &AsOf<'_>, currency: Currency) -> String {
    match facts.valuation() {
        ValuationFact::None => "no valuation on or before this date".to_owned(),
        ValuationFact::Unconvertible { date } => format!(
            "unknown: the valuations of {} have no exchange rate",
            format_date(date)
        ),
        ValuationFact::Known { date, value } => {
            let original = show_money(value.amount, value.currency);
            match facts.valuation_in(currency) {
                Some(converted) if value.currency != currency => format!(
                    "{original} on {} = {}",
                    format_date(date),
                    show_money(converted, currency)
                ),
                Some(_) => format!("{original} on {}", format_date(date)),
                None => format!(
                    "{original} on {}; no exchange rate for {currency}",
                    format_date(date)
                ),
            }
        }
    }
}
