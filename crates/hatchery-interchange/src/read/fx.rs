//! Rows of `fx.csv`.

use std::collections::HashMap;

use hatchery_core::date::{format_date, parse_date};
use hatchery_core::{Amount, Currency, FxRate};
use jiff::civil::Date;

use super::row::RowReader;
use crate::rules;

/// The rates read so far; one per currency and day.
#[derive(Debug, Default)]
pub(crate) struct Rates {
    pub rows: Vec<FxRate>,
    pub lines: Vec<u64>,
    seen: HashMap<(Currency, Date), u64>,
}

impl Rates {
    /// Reads one row.
    pub(crate) fn read(&mut self, mut row: RowReader<'_>) {
        let line = row.line();
        let date = row.required("date", parse_date);
        let currency = row.required("currency", Currency::parse);
        let per_usd = row.required("per_usd", Amount::parse);
        if let Some(per_usd) = &per_usd
            && let Some(problem) = rules::per_usd_problem(currency, per_usd)
        {
            row.problem("per_usd", problem);
        }
        if let (Some(date), Some(currency)) = (date, currency) {
            if let Some(first) = self.seen.get(&(currency, date)) {
                row.problem(
                    "date",
                    format!(
                        "a second {currency} rate for {}; the first is on line {first}",
                        format_date(date)
                    ),
                );
            } else {
                self.seen.insert((currency, date), line);
            }
        }
        let (Some(date), Some(currency), Some(per_usd)) = (date, currency, per_usd) else {
            return;
        };
        if row.failed() {
            return;
        }
        self.rows.push(FxRate {
            date,
            currency,
            per_usd,
        });
        self.lines.push(line);
    }
}
