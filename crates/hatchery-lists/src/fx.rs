//! Yearly exchange rates shipped with the crate (`data/fx-annual.csv`, see
//! `data/README.md`), added to an import whose valuations are in a currency
//! the store has no rates for.

use std::sync::OnceLock;

use hatchery_core::date::parse_date;
use hatchery_core::{Amount, Currency, FxRate};

const FX_CSV: &str = include_str!("../data/fx-annual.csv");

fn shipped() -> &'static [FxRate] {
    static RATES: OnceLock<Vec<FxRate>> = OnceLock::new();
    RATES.get_or_init(|| {
        let mut reader = csv::Reader::from_reader(FX_CSV.as_bytes());
        reader
            .records()
            .map(|record| {
                let record = record.expect("the shipped rates are valid CSV");
                FxRate {
                    date: parse_date(&record[0]).expect("shipped dates are valid"),
                    currency: Currency::parse(&record[1])
                        .expect("shipped currencies are ISO codes"),
                    per_usd: Amount::parse(&record[2]).expect("shipped rates are plain decimals"),
                }
            })
            .collect()
    })
}

/// The shipped yearly rates of one currency, oldest first; empty when none
/// are shipped.
pub fn shipped_rates(currency: Currency) -> Vec<FxRate> {
    shipped()
        .iter()
        .filter(|rate| rate.currency == currency)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_rates_are_shipped_per_year() {
        let rates = shipped_rates(Currency::CNY);
        assert!(rates.windows(2).all(|w| w[0].date < w[1].date));
        let y2023 = rates
            .iter()
            .find(|r| r.date == parse_date("2023-01-01").unwrap())
            .unwrap();
        assert_eq!(y2023.per_usd.as_str(), "7.0809");
        assert!(!shipped_rates(Currency::parse("EUR").unwrap()).is_empty());
        assert!(!shipped_rates(Currency::parse("HKD").unwrap()).is_empty());
    }

    #[test]
    fn currencies_without_a_table_have_no_rates() {
        assert!(shipped_rates(Currency::USD).is_empty());
        assert!(shipped_rates(Currency::parse("GBP").unwrap()).is_empty());
        assert!(shipped_rates(Currency::parse("VES").unwrap()).is_empty());
    }
}
