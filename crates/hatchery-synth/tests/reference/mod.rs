//! A second, deliberately plain evaluator of the interchange spec's
//! classification semantics, written from the spec's text (and, for
//! `shenzhen`, from `rulesets/shenzhen.toml`) and nothing else of the
//! engine: it reads the dataset's rows and does all money arithmetic with
//! exact rationals. It favours being obviously right over being fast.

pub mod rules;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Deref;
use std::rc::Rc;

use hatchery_core::{Dataset, Event, EventKind};
use jiff::civil::Date;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};

/// A plain decimal's text (`7.0827`, `150000000`) as an exact rational.
pub fn rational(text: &str) -> BigRational {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits: BigInt = format!("{whole}{fraction}")
        .parse()
        .expect("a plain decimal");
    let scale = BigInt::from(10u8).pow(fraction.len() as u32);
    BigRational::new(digits, scale)
}

/// A whole number of units as a rational.
pub fn units(n: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(n))
}

/// The `years`-th anniversary of `date`; 29 February becomes 28 February
/// in years without one.
pub fn anniversary(date: Date, years: i16) -> Date {
    let year = date.year() + years;
    Date::new(year, date.month(), date.day())
        .or_else(|_| Date::new(year, date.month(), 28))
        .expect("the 28th exists")
}

/// `fx.csv`, per currency, by date.
#[derive(Debug, Default)]
pub struct Rates {
    rows: HashMap<String, BTreeMap<Date, BigRational>>,
}

/// How a conversion found its rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// US dollars, or a row dated on or before the day.
    OnOrBefore,
    /// No row on or before the day: the currency's earliest row.
    Earliest,
}

impl Rates {
    pub fn new(dataset: &Dataset) -> Self {
        let mut rates = Self::default();
        for row in &dataset.fx {
            let previous = rates
                .rows
                .entry(row.currency.to_string())
                .or_default()
                .insert(row.date, rational(row.per_usd.as_str()));
            assert!(previous.is_none(), "two rates for one currency and day");
        }
        rates
    }

    /// Units of `currency` per dollar on `day`, per the spec.
    pub fn per_usd(&self, currency: &str, day: Date) -> Option<(BigRational, Lookup)> {
        if currency == "USD" {
            return Some((BigRational::one(), Lookup::OnOrBefore));
        }
        let rows = self.rows.get(currency)?;
        if let Some((_, rate)) = rows.range(..=day).next_back() {
            return Some((rate.clone(), Lookup::OnOrBefore));
        }
        rows.values().next().map(|r| (r.clone(), Lookup::Earliest))
    }
}

/// Money in the rows, converted once.
#[derive(Debug, Clone)]
pub struct Converted {
    pub currency: String,
    /// In dollars and in yuan, each at the row's own date; `None` when a rate is missing.
    pub usd: Option<BigRational>,
    pub cny: Option<BigRational>,
    /// Whether a conversion fell back to a currency's earliest row.
    pub used_earliest: bool,
}

fn convert(rates: &Rates, text: &str, currency: &str, day: Date) -> Converted {
    let amount = rational(text);
    let from = rates.per_usd(currency, day);
    let cny = rates.per_usd("CNY", day);
    let usd = from.as_ref().map(|(rate, _)| &amount / rate);
    let in_cny = match (&usd, &cny) {
        (Some(usd), Some((rate, _))) => Some(usd * rate),
        _ => None,
    };
    let used_earliest = [from, cny]
        .iter()
        .flatten()
        .any(|(_, lookup)| *lookup == Lookup::Earliest);
    Converted {
        currency: currency.to_owned(),
        usd,
        cny: in_cny,
        used_earliest,
    }
}

/// One `events.csv` row as the reference reads it.
#[derive(Debug, Clone)]
pub struct Row {
    pub date: Date,
    pub kind: EventKind,
    pub amount: Option<Converted>,
    pub valuation: Option<Converted>,
    pub exchange: Option<String>,
    pub region: Option<String>,
}

/// One enterprise: its row and its distinct event rows in file order.
#[derive(Debug, Clone)]
pub struct Subject {
    pub founded: Date,
    pub leap_day: bool,
    pub partial: bool,
    pub country: String,
    pub region: Option<String>,
    pub rows: Vec<Row>,
}

/// Every enterprise of a dataset, by id.
pub fn subjects(dataset: &Dataset) -> HashMap<String, Subject> {
    let rates = Rates::new(dataset);
    let mut subjects: HashMap<String, Subject> = dataset
        .enterprises
        .iter()
        .map(|e| {
            let founded = e.founded.first_day();
            let subject = Subject {
                founded,
                leap_day: founded.month() == 2 && founded.day() == 29,
                partial: e.founded.to_string().len() < 10,
                country: e.country.to_string(),
                region: e.region.map(|r| r.to_string()),
                rows: Vec::new(),
            };
            (e.id.to_string(), subject)
        })
        .collect();
    // "Two rows are the same event when every column is equal: the second is dropped."
    let mut seen: HashSet<Vec<String>> = HashSet::new();
    for event in &dataset.events {
        if !seen.insert(cells(event)) {
            continue;
        }
        let subject = subjects
            .get_mut(event.enterprise.as_str())
            .expect("every event's enterprise is in the dataset");
        let currency = event.currency.map(|c| c.to_string()).unwrap_or_default();
        let money = |value: Option<&hatchery_core::Amount>| {
            value.map(|v| convert(&rates, v.as_str(), &currency, event.date))
        };
        subject.rows.push(Row {
            date: event.date,
            kind: event.kind,
            amount: money(event.amount.as_ref()),
            valuation: money(event.valuation.as_ref()),
            exchange: event.exchange.map(|x| x.to_string()),
            region: event.region.map(|r| r.to_string()),
        });
    }
    subjects
}

/// Every format column of an event, as text.
fn cells(event: &Event) -> Vec<String> {
    let text = |v: Option<String>| v.unwrap_or_default();
    vec![
        event.enterprise.to_string(),
        event.date.to_string(),
        event.kind.to_string(),
        text(event.round.clone()),
        text(event.amount.as_ref().map(|a| a.as_str().to_owned())),
        text(event.valuation.as_ref().map(|a| a.as_str().to_owned())),
        text(event.currency.map(|c| c.to_string())),
        text(event.investors.clone()),
        text(event.exchange.map(|x| x.to_string())),
        text(event.region.map(|r| r.to_string())),
        text(event.source.clone()),
    ]
}

/// The valuation in force on a day.
#[derive(Debug, Clone, PartialEq)]
pub enum Valuation {
    /// No row on or before the day carries one.
    None,
    /// The latest day's valuations are all in currencies without rates.
    Unknown { date: Date },
    /// The highest, in dollars, of the latest day's valuations.
    Known {
        date: Date,
        usd: BigRational,
        cny: Option<BigRational>,
        currency: String,
        /// How many valuations that day had, in how many currencies.
        that_day: usize,
        currencies: usize,
        /// Whether the highest is not the last of the day's rows.
        highest_not_last: bool,
    },
}

/// What the spec's conditions read, for one subject at the end of one day.
#[derive(Debug, Clone)]
pub struct Facts {
    pub day: Date,
    pub founded: Date,
    pub exists: bool,
    /// What the rows dated on or before the day say.
    pub seen: Rc<Seen>,
}

impl Facts {
    /// On or before the `years`-th anniversary of founding.
    pub fn age_within(&self, years: i16) -> bool {
        self.day <= anniversary(self.founded, years)
    }
}

impl Deref for Facts {
    type Target = Seen;
    fn deref(&self) -> &Seen {
        &self.seen
    }
}

/// What a subject's row and its event rows dated on or before a day say.
#[derive(Debug, Clone)]
pub struct Seen {
    pub country: String,
    pub funded: bool,
    /// A listing on an exchange other than NEEQ.
    pub listed: bool,
    pub on_neeq: bool,
    pub gone: bool,
    pub region: Option<String>,
    pub valuation: Valuation,
    /// `None` when a round's amount cannot be converted.
    pub raised_usd: Option<BigRational>,
    pub raised_cny: Option<BigRational>,
    // What the rows exercised, for the coverage counts.
    pub rows_before_founding: bool,
    pub round_without_amount: bool,
    pub used_earliest_rate: bool,
    pub relocations_on_latest_day: usize,
    /// The highest valuation of any earlier day exceeds the one in force.
    pub marked_down: bool,
}

/// Evaluates one subject on many days.
#[derive(Debug)]
pub struct Evaluator<'a> {
    subject: &'a Subject,
    /// The rows on or before a day only grow with the day, so their number
    /// identifies them: days that see the same rows share one evaluation.
    memo: HashMap<usize, Rc<Seen>>,
}

impl<'a> Evaluator<'a> {
    pub fn new(subject: &'a Subject) -> Self {
        Self {
            subject,
            memo: HashMap::new(),
        }
    }

    /// The facts of the subject at the end of `day`.
    pub fn facts(&mut self, day: Date) -> Facts {
        let subject = self.subject;
        let seen: Vec<&Row> = subject.rows.iter().filter(|r| r.date <= day).collect();
        let seen = self
            .memo
            .entry(seen.len())
            .or_insert_with(|| Rc::new(read(subject, &seen)))
            .clone();
        Facts {
            day,
            founded: subject.founded,
            exists: subject.founded <= day,
            seen,
        }
    }
}

/// What `subject`'s row and the rows `seen` say.
fn read(subject: &Subject, seen: &[&Row]) -> Seen {
    let any = |kind: EventKind| seen.iter().any(|r| r.kind == kind);
    let listed_on = |neeq: bool| {
        seen.iter().any(|r| {
            r.kind == EventKind::Listing
                && r.exchange.as_deref().is_some_and(|x| (x == "NEEQ") == neeq)
        })
    };

    // Region: the latest relocation; on a day with several, the last row.
    let relocations: Vec<&&Row> = seen
        .iter()
        .filter(|r| r.kind == EventKind::Relocated)
        .collect();
    let latest_move = relocations.iter().map(|r| r.date).max();
    let moves_that_day = relocations
        .iter()
        .filter(|r| Some(r.date) == latest_move)
        .collect::<Vec<_>>();
    let region = match moves_that_day.last() {
        Some(row) => row.region.clone(),
        None => subject.region.clone(),
    };

    // Valuation: the latest day that has any; the highest that converts.
    let valued: Vec<&&Row> = seen.iter().filter(|r| r.valuation.is_some()).collect();
    let latest_valued = valued.iter().map(|r| r.date).max();
    let valuation = match latest_valued {
        None => Valuation::None,
        Some(date) => {
            let that_day: Vec<&Converted> = valued
                .iter()
                .filter(|r| r.date == date)
                .filter_map(|r| r.valuation.as_ref())
                .collect();
            // The highest in dollars; on a tie the first keeps it (the value is the same).
            let mut best: Option<(usize, &Converted, &BigRational)> = None;
            for (at, value) in that_day.iter().enumerate() {
                if let Some(usd) = &value.usd
                    && best.is_none_or(|(_, _, highest)| usd > highest)
                {
                    best = Some((at, value, usd));
                }
            }
            let currencies: HashSet<&str> = that_day.iter().map(|v| v.currency.as_str()).collect();
            match best {
                None => Valuation::Unknown { date },
                Some((at, value, usd)) => Valuation::Known {
                    date,
                    usd: usd.clone(),
                    cny: value.cny.clone(),
                    currency: value.currency.clone(),
                    that_day: that_day.len(),
                    currencies: currencies.len(),
                    highest_not_last: at + 1 != that_day.len(),
                },
            }
        }
    };
    let marked_down = match &valuation {
        Valuation::Known { date, usd, .. } => valued
            .iter()
            .filter(|r| r.date < *date)
            .filter_map(|r| r.valuation.as_ref().and_then(|v| v.usd.as_ref()))
            .any(|earlier| earlier > usd),
        _ => false,
    };

    // Raised: every round's amount, each at its own date; unknown if one cannot convert.
    let amounts: Vec<&Converted> = seen
        .iter()
        .filter(|r| r.kind == EventKind::Funding)
        .filter_map(|r| r.amount.as_ref())
        .collect();
    let sum = |pick: fn(&Converted) -> Option<&BigRational>| {
        amounts
            .iter()
            .try_fold(BigRational::zero(), |total, a| Some(total + pick(a)?))
    };
    let raised_usd = sum(|a| a.usd.as_ref());
    let raised_cny = sum(|a| a.cny.as_ref());

    Seen {
        country: subject.country.clone(),
        funded: any(EventKind::Funding),
        listed: listed_on(false),
        on_neeq: listed_on(true),
        gone: any(EventKind::Acquired) || any(EventKind::Closed),
        region,
        valuation,
        raised_usd,
        raised_cny,
        rows_before_founding: seen.iter().any(|r| r.date < subject.founded),
        round_without_amount: seen
            .iter()
            .any(|r| r.kind == EventKind::Funding && r.amount.is_none()),
        used_earliest_rate: seen.iter().any(|r| {
            [&r.amount, &r.valuation]
                .into_iter()
                .flatten()
                .any(|c| c.used_earliest)
        }),
        relocations_on_latest_day: moves_that_day.len(),
        marked_down,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn decimals_and_anniversaries() {
        assert_eq!(
            rational("7.0827") * units(1_000_000_000),
            units(7_082_700_000)
        );
        assert_eq!(rational("100.00"), units(100));
        assert_eq!(anniversary(date(2016, 2, 29), 5), date(2021, 2, 28));
        assert_eq!(anniversary(date(2016, 2, 29), 4), date(2020, 2, 29));
    }
}
