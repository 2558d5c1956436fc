//! Exchange rates shipped with the generator.
//!
//! `data/fx.csv` is in interchange format. It was derived from the project's
//! reference data (`shared/data/fx/`): monthly CNY and HKD rates for
//! 2000-01 to 2025-12 from `monthly.csv`, and yearly EUR, JPY, SGD and INR
//! rates for 2000–2025 from `annual.csv`, copied digit for digit.
//!
//! The generator converts with exactly the rows it writes to `fx.csv`, looked
//! up the way the interchange spec says (latest row on or before the day,
//! else the earliest), so an amount it meant to sit exactly on a threshold
//! does so for every reader of the dataset.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use hatchery_core::date::parse_date;
use hatchery_core::{Amount, Currency, FxRate};
use jiff::civil::Date;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::config::GeneratorConfig;

const SHIPPED: &str = include_str!("../data/fx.csv");

fn shipped() -> &'static [FxRate] {
    static ROWS: OnceLock<Vec<FxRate>> = OnceLock::new();
    ROWS.get_or_init(|| {
        SHIPPED
            .lines()
            .skip(1)
            .filter(|line| !line.is_empty())
            .map(|line| {
                let mut cells = line.split(',');
                let mut next = || cells.next().expect("shipped fx rows have three cells");
                FxRate {
                    date: parse_date(next()).expect("shipped fx dates are valid"),
                    currency: Currency::parse(next()).expect("shipped currencies are valid"),
                    per_usd: Amount::parse(next()).expect("shipped rates are plain decimals"),
                }
            })
            .collect()
    })
}

/// The first and last year the shipped rates cover.
pub(crate) fn covered_years() -> (i16, i16) {
    let years = shipped().iter().map(|r| r.date.year());
    let first = years.clone().min().unwrap_or(0);
    let last = years.max().unwrap_or(0);
    (first, last)
}

/// The exchange rates of a dataset: the shipped rows dated within the
/// configured years, ordered by currency and date. Years outside the shipped
/// table give no rows.
pub fn fx_rates(config: &GeneratorConfig) -> Vec<FxRate> {
    let mut rows: Vec<FxRate> = shipped()
        .iter()
        .filter(|r| (config.start_year..=config.end_year).contains(&r.date.year()))
        .cloned()
        .collect();
    rows.sort_by_key(|r| (r.currency, r.date));
    rows
}

/// The rates the generator converts with: those of the dataset.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rates {
    series: BTreeMap<Currency, Vec<(Date, Decimal)>>,
}

impl Rates {
    pub(crate) fn new(rows: &[FxRate]) -> Self {
        let mut series: BTreeMap<Currency, Vec<(Date, Decimal)>> = BTreeMap::new();
        for row in rows {
            series
                .entry(row.currency)
                .or_default()
                .push((row.date, row.per_usd.value()));
        }
        for rows in series.values_mut() {
            rows.sort_by_key(|&(date, _)| date);
        }
        Self { series }
    }

    /// Units of `currency` per US dollar on `date`, or `None` without rows.
    pub(crate) fn per_usd(&self, currency: Currency, date: Date) -> Option<Decimal> {
        if currency == Currency::USD {
            return Some(Decimal::ONE);
        }
        let rows = self.series.get(&currency)?;
        let after = rows.partition_point(|&(d, _)| d <= date);
        rows.get(after.saturating_sub(1)).map(|&(_, rate)| rate)
    }

    /// The same rate as a float, for the model's arithmetic.
    pub(crate) fn per_usd_f64(&self, currency: Currency, date: Date) -> Option<f64> {
        self.per_usd(currency, date)?.to_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn shipped_rates_parse_and_cover_the_default_years() {
        assert_eq!(covered_years(), (2000, 2025));
        let rows = fx_rates(&GeneratorConfig::default());
        assert!(rows.iter().all(|r| (2004..=2023).contains(&r.date.year())));
        let cny = Currency::CNY;
        // 20 years of monthly CNY and HKD rows, yearly rows for four others.
        assert_eq!(rows.iter().filter(|r| r.currency == cny).count(), 240);
        assert_eq!(rows.len(), 240 * 2 + 20 * 4);
        assert!(rows.iter().all(|r| r.per_usd.value() > Decimal::ZERO));
        let mut keys: Vec<_> = rows.iter().map(|r| (r.currency, r.date)).collect();
        keys.dedup();
        assert_eq!(keys.len(), rows.len(), "one row per currency and date");
    }

    #[test]
    fn lookups_follow_the_spec() {
        let rates = Rates::new(&fx_rates(&GeneratorConfig::default()));
        let cny = Currency::CNY;
        let at = |d| rates.per_usd(cny, d).unwrap().to_string();
        assert_eq!(at(date(2023, 12, 31)), "7.1402");
        assert_eq!(at(date(2023, 12, 1)), "7.1402");
        assert_eq!(at(date(2023, 11, 30)), "7.2226");
        // Before the first row: the earliest row.
        assert_eq!(at(date(2001, 5, 1)), at(date(2004, 1, 1)));
        assert_eq!(
            rates.per_usd(Currency::USD, date(1990, 1, 1)),
            Some(Decimal::ONE)
        );
        assert_eq!(
            rates.per_usd(Currency::parse("XYZ").unwrap(), date(2020, 1, 1)),
            None
        );
    }
}
