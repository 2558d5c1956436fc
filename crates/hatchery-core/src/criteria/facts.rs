//! What is true of one enterprise at the end of a given day.

use std::cell::Cell;
use std::cmp::Ordering;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::date::anniversary;
use crate::division::DivisionCode;
use crate::exact::{Term, compare_sum, compare_term, compare_terms};
use crate::fx::FxTable;
use crate::ids::{Country, Exchange};
use crate::model::EventKind;
use crate::money::{Currency, Money};

/// An event reduced to what the criteria read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerEvent {
    pub date: Date,
    pub kind: EventKind,
    pub amount: Option<Money>,
    pub valuation: Option<Money>,
    pub exchange: Option<Exchange>,
    pub region: Option<DivisionCode>,
}

/// An enterprise as the engine sees it: its row and its events in the order
/// they happened (by date, and on one day in the order they were imported).
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub founded: Date,
    pub country: Country,
    pub region: Option<DivisionCode>,
    pub industries: &'a [String],
    pub tags: &'a [String],
    pub events: &'a [LedgerEvent],
}

/// The latest valuation on or before the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValuationFact {
    /// No event on or before the day carries a valuation.
    None,
    /// The latest day's valuations are all in currencies without rates.
    Unconvertible { date: Date },
    /// The highest (in US dollars) of the latest day's valuations.
    Known { date: Date, value: Money },
}

/// An enterprise's tier under another rule set on the day, as the caller
/// classified it (with the same engine) for a `tier` condition to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierStanding {
    /// The other rule set's key, e.g. `gei`.
    pub rules: String,
    /// How decisions cite it, `key@version`.
    pub label: String,
    /// The tier's key, or `None` when no tier applies.
    pub tier: Option<String>,
}

/// A membership of the national cultivation pool that holds on the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolStanding {
    pub tier: String,
    pub valid_until: Date,
}

/// What is true of an enterprise on the day beyond its ledger rows: its
/// tiers under other rule sets, its pool membership, its national zone.
/// The engine reads no store: whoever evaluates gathers these and passes
/// them in. Without a standing, the conditions that ask for one never hold
/// and say the fact was not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standing {
    /// Tiers under other rule sets (a rule set not listed is unknown).
    pub tiers: Vec<TierStanding>,
    /// The pool membership holding on the day (`None`: not a member).
    pub pool: Option<PoolStanding>,
    /// The id of the national zone it lies in (`None`: none).
    pub zone: Option<String>,
}

impl Standing {
    /// The tier under the rule set keyed `rules`, if it was given.
    pub fn tier_under(&self, rules: &str) -> Option<&TierStanding> {
        self.tiers.iter().find(|t| t.rules == rules)
    }
}

/// A subject at the end of one day.
#[derive(Debug, Clone)]
pub struct AsOf<'a> {
    pub subject: Subject<'a>,
    pub date: Date,
    pub fx: &'a FxTable,
    /// What is known beyond the ledger, when the caller gives it.
    standing: Option<&'a Standing>,
    /// Events dated on or before `date`.
    seen: &'a [LedgerEvent],
    /// The valuation, once asked for: a rule set asks for it in several
    /// tiers' conditions, and finding it converts every valuation of a day.
    valuation: Cell<Option<ValuationFact>>,
}

impl<'a> AsOf<'a> {
    pub fn new(subject: Subject<'a>, date: Date, fx: &'a FxTable) -> Self {
        let seen = subject.events.partition_point(|e| e.date <= date);
        Self {
            subject,
            date,
            fx,
            seen: &subject.events[..seen],
            valuation: Cell::new(None),
            standing: None,
        }
    }

    /// The same day, with what is known beyond the ledger.
    pub fn with_standing(mut self, standing: &'a Standing) -> Self {
        self.standing = Some(standing);
        self
    }

    /// What is known beyond the ledger, if it was given.
    pub fn standing(&self) -> Option<&'a Standing> {
        self.standing
    }

    /// Events on or before the day, in order.
    pub fn events(&self) -> &'a [LedgerEvent] {
        self.seen
    }

    pub fn exists(&self) -> bool {
        self.subject.founded <= self.date
    }

    /// Whether the day is on or before the `years`-th anniversary of founding.
    pub fn age_within(&self, years: i16) -> bool {
        self.date <= anniversary(self.subject.founded, years)
    }

    pub fn funded(&self) -> bool {
        self.seen.iter().any(|e| e.kind == EventKind::Funding)
    }

    /// The first listing on an exchange not in `ignored`.
    pub fn listing(&self, ignored: &[Exchange]) -> Option<&'a LedgerEvent> {
        self.seen.iter().find(|e| {
            e.kind == EventKind::Listing && e.exchange.is_some_and(|x| !ignored.contains(&x))
        })
    }

    /// The first listing on one of `exchanges`.
    pub fn listing_on(&self, exchanges: &[Exchange]) -> Option<&'a LedgerEvent> {
        self.seen.iter().find(|e| {
            e.kind == EventKind::Listing && e.exchange.is_some_and(|x| exchanges.contains(&x))
        })
    }

    /// The first acquisition or closure.
    pub fn gone(&self) -> Option<&'a LedgerEvent> {
        self.seen
            .iter()
            .find(|e| matches!(e.kind, EventKind::Acquired | EventKind::Closed))
    }

    /// The region of the latest relocation, else the enterprise's own.
    pub fn region(&self) -> Option<DivisionCode> {
        self.seen
            .iter()
            .rev()
            .find(|e| e.kind == EventKind::Relocated)
            .and_then(|e| e.region)
            .or(self.subject.region)
    }

    fn convert(&self, money: Money, date: Date, target: Currency) -> Option<Term> {
        let from = self.fx.per_usd(money.currency, date)?;
        let to = self.fx.per_usd(target, date)?;
        Some(Term {
            amount: money.amount,
            numerator: to,
            denominator: from,
        })
    }

    /// The highest convertible valuation on the latest day that has any.
    pub fn valuation(&self) -> ValuationFact {
        if let Some(known) = self.valuation.get() {
            return known;
        }
        let found = self.find_valuation();
        self.valuation.set(Some(found));
        found
    }

    fn find_valuation(&self) -> ValuationFact {
        let Some(latest) = self.seen.iter().rev().find(|e| e.valuation.is_some()) else {
            return ValuationFact::None;
        };
        let date = latest.date;
        let mut best: Option<(Money, Term)> = None;
        let same_day = self
            .seen
            .iter()
            .rev()
            .skip_while(|e| e.date > date)
            .take_while(|e| e.date == date);
        for event in same_day {
            let Some(value) = event.valuation else {
                continue;
            };
            let Some(usd) = self.convert(value, date, Currency::USD) else {
                continue;
            };
            if best.is_none_or(|(_, b)| compare_terms(usd, b) == Ordering::Greater) {
                best = Some((value, usd));
            }
        }
        match best {
            Some((value, _)) => ValuationFact::Known { date, value },
            None => ValuationFact::Unconvertible { date },
        }
    }

    /// Compares the valuation, expressed in the threshold's currency at the
    /// valuation's own date, with the threshold; `None` when it is unknown.
    pub fn compare_valuation(&self, threshold: Money) -> Option<Ordering> {
        let ValuationFact::Known { date, value } = self.valuation() else {
            return None;
        };
        let term = self.convert(value, date, threshold.currency)?;
        Some(compare_term(term, threshold.amount))
    }

    /// The valuation in `currency`, to 28 digits, for showing.
    pub fn valuation_in(&self, currency: Currency) -> Option<Decimal> {
        let ValuationFact::Known { date, value } = self.valuation() else {
            return None;
        };
        Some(self.convert(value, date, currency)?.approximate())
    }

    fn raised_terms(&self, currency: Currency) -> Option<impl Fn() -> RaisedTerms<'a> + '_> {
        // Every amount must convert, or the sum is unknown.
        for event in self.seen {
            if let (EventKind::Funding, Some(amount)) = (event.kind, event.amount) {
                self.convert(amount, event.date, currency)?;
            }
        }
        Some(move || RaisedTerms {
            events: self.seen.iter(),
            fx: self.fx,
            currency,
        })
    }

    /// Compares the money raised, each round converted into the threshold's
    /// currency at its own date, with the threshold; `None` when unknown.
    pub fn compare_raised(&self, threshold: Money) -> Option<Ordering> {
        let terms = self.raised_terms(threshold.currency)?;
        Some(compare_sum(terms, threshold.amount))
    }

    /// The money raised in `currency`, to 28 digits, for showing.
    pub fn raised_in(&self, currency: Currency) -> Option<Decimal> {
        let terms = self.raised_terms(currency)?;
        Some(terms().map(Term::approximate).sum())
    }
}

/// The converted amounts of the funding rounds seen so far.
struct RaisedTerms<'a> {
    events: std::slice::Iter<'a, LedgerEvent>,
    fx: &'a FxTable,
    currency: Currency,
}

impl Iterator for RaisedTerms<'_> {
    type Item = Term;
    fn next(&mut self) -> Option<Term> {
        for event in self.events.by_ref() {
            if let (EventKind::Funding, Some(amount)) = (event.kind, event.amount) {
                let from = self.fx.per_usd(amount.currency, event.date)?;
                let to = self.fx.per_usd(self.currency, event.date)?;
                return Some(Term {
                    amount: amount.amount,
                    numerator: to,
                    denominator: from,
                });
            }
        }
        None
    }
}
