//! How a story is written down as `events.csv` rows: in which currency, how
//! much is disclosed, by whom it is reported.
//!
//! The quirks of real, merged data are deliberate: rounds without amounts,
//! a round's valuation reported the same day in a second currency, the same
//! round reported by two sources and written differently (`150000000` and
//! `150000000.00` are different rows, so both count), events dated before
//! the founding date, two relocations filed on one day.

use hatchery_core::{Currency, EnterpriseId, Event, EventKind, Exchange};
use jiff::civil::Date;

use crate::money::Writer;
use crate::naming;
use crate::sample::Draw;
use crate::story::{Happening, What};

/// The currency of Hong Kong listings and some pre-IPO rounds.
pub(crate) fn hkd() -> Currency {
    Currency::parse("HKD").expect("HKD is a currency code")
}

/// Who the events belong to and how they tend to be denominated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Books<'a> {
    pub(crate) id: &'a EnterpriseId,
    pub(crate) chinese: bool,
    /// An offshore (red-chip) structure raises mostly in dollars.
    pub(crate) offshore: bool,
    /// The currency of a foreign enterprise's home market, if it has rates.
    pub(crate) local: Option<Currency>,
    pub(crate) writer: Writer<'a>,
}

impl Books<'_> {
    fn blank(&self, date: Date, kind: EventKind) -> Event {
        Event::new(self.id.clone(), date, kind)
    }

    /// `preferred`, or US dollars when it has no rate on `date`.
    fn usable(&self, preferred: Currency, date: Date) -> Currency {
        if self.writer.has_rate(preferred, date) {
            preferred
        } else {
            Currency::USD
        }
    }

    fn round_currency(&self, draw: &mut Draw, label: &str, date: Date) -> Currency {
        let currency = if self.chinese {
            let hkd_odds = if label == "pre-IPO" { 0.3 } else { 0.04 };
            if draw.chance(hkd_odds) {
                hkd()
            } else if draw.chance(if self.offshore { 0.8 } else { 0.1 }) {
                Currency::USD
            } else {
                Currency::CNY
            }
        } else {
            match self.local {
                Some(local) if draw.chance(0.3) => local,
                _ => Currency::USD,
            }
        };
        self.usable(currency, date)
    }

    /// Valuation reports quote dollars more often than not.
    fn report_currency(&self, draw: &mut Draw, date: Date) -> Currency {
        let home = if self.chinese {
            Some(Currency::CNY)
        } else {
            self.local
        };
        match home {
            Some(home) if draw.chance(0.35) => self.usable(home, date),
            _ => Currency::USD,
        }
    }

    fn listing_currency(&self, exchange: &str, date: Date) -> Currency {
        let currency = match exchange {
            "SSE" | "SZSE" | "BSE" | "NEEQ" => Currency::CNY,
            "HKEX" => hkd(),
            "NASDAQ" | "NYSE" => Currency::USD,
            _ => self.local.unwrap_or(Currency::USD),
        };
        self.usable(currency, date)
    }

    fn source(&self, draw: &mut Draw, ordinal: usize) -> Option<String> {
        draw.chance(0.35)
            .then(|| format!("https://example.org/news/{}/{ordinal}", self.id))
    }
}

/// The rows of one story, in date order.
pub(crate) fn events(draw: &mut Draw, books: &Books<'_>, story: &[Happening]) -> Vec<Event> {
    let mut rows: Vec<Event> = Vec::with_capacity(story.len() + 2);
    for happening in story {
        let date = happening.date;
        match &happening.what {
            What::Round {
                label,
                raised_usd,
                post_usd,
            } => round(draw, books, &mut rows, date, label, *raised_usd, *post_usd),
            What::Valuation { usd } => {
                let currency = books.report_currency(draw, date);
                let mut event = books.blank(date, EventKind::Valuation);
                event.valuation = books.writer.valuation(draw, *usd, currency, date);
                event.currency = event.valuation.is_some().then_some(currency);
                event.source = books.source(draw, rows.len());
                if event.valuation.is_some() {
                    rows.push(event);
                }
            }
            What::Listing { exchange, usd } => {
                let mut event = books.blank(date, EventKind::Listing);
                event.exchange = Exchange::parse(exchange).ok();
                if let Some(usd) = usd {
                    let currency = books.listing_currency(exchange, date);
                    event.valuation = books.writer.amount(draw, *usd, currency, date);
                    event.currency = event.valuation.is_some().then_some(currency);
                }
                event.source = books.source(draw, rows.len());
                rows.push(event);
            }
            What::Acquired { usd } => {
                let mut event = books.blank(date, EventKind::Acquired);
                if let Some(usd) = usd {
                    let currency = books.report_currency(draw, date);
                    event.valuation = books.writer.amount(draw, *usd, currency, date);
                    event.currency = event.valuation.is_some().then_some(currency);
                }
                event.source = books.source(draw, rows.len());
                rows.push(event);
            }
            What::Closed => rows.push(books.blank(date, EventKind::Closed)),
            What::Relocated { to } => {
                let mut event = books.blank(date, EventKind::Relocated);
                event.region = Some(*to);
                rows.push(event);
            }
        }
    }
    rows
}

fn round(
    draw: &mut Draw,
    books: &Books<'_>,
    rows: &mut Vec<Event>,
    date: Date,
    label: &str,
    raised_usd: f64,
    post_usd: f64,
) {
    let currency = books.round_currency(draw, label, date);
    let mut event = books.blank(date, EventKind::Funding);
    event.round = Some(label.to_owned());
    // Most rounds disclose the amount ("undisclosed" and "tens of millions
    // of yuan" are common in Chinese deal news); fewer disclose the valuation.
    if draw.chance(0.8) {
        event.amount = books.writer.amount(draw, raised_usd, currency, date);
    }
    if draw.chance(0.7) {
        event.valuation = books.writer.valuation(draw, post_usd, currency, date);
    }
    if event.amount.is_some() || event.valuation.is_some() {
        event.currency = Some(currency);
    }
    if draw.chance(0.6) {
        event.investors = Some(naming::investors(draw, books.chinese));
    }
    event.source = books.source(draw, rows.len());
    let same_day_report = event.valuation.is_some() && draw.chance(0.06);
    let reported_twice = event.amount.is_some() && draw.chance(0.015);
    let twice = reported_twice.then(|| {
        let mut again = event.clone();
        again.amount = event.amount.as_ref().and_then(Writer::rewritten);
        again.source = Some(format!(
            "https://example.com/deals/{}/{}",
            books.id,
            rows.len()
        ));
        again
    });
    rows.push(event);
    if same_day_report {
        // The same valuation, reported in another currency with the report's own rounding.
        let other = if currency == Currency::USD {
            if books.chinese {
                Currency::CNY
            } else {
                books.local.unwrap_or(hkd())
            }
        } else {
            Currency::USD
        };
        let other = books.usable(other, date);
        let usd = post_usd * draw.log_normal(0.0, 0.04);
        let mut report = books.blank(date, EventKind::Valuation);
        report.valuation = books.writer.valuation(draw, usd, other, date);
        report.currency = report.valuation.is_some().then_some(other);
        report.source = Some(format!("https://example.org/lists/{}", date.year()));
        if report.valuation.is_some() {
            rows.push(report);
        }
    }
    rows.extend(twice);
}
