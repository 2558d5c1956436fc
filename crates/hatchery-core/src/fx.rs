//! Exchange rates against the US dollar, looked up as the spec says: the row
//! with the latest date on or before the day, else the currency's earliest row.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::model::FxRate;
use crate::money::Currency;

/// Every known rate, per currency, in date order.
///
/// A handful of currencies at most, looked up for every valuation on every
/// date: a short list searched in order beats hashing the code each time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FxTable {
    rates: Vec<(Currency, Vec<(Date, Decimal)>)>,
}

impl FxTable {
    /// Builds the table; rows for the same currency and date keep the last one.
    pub fn new<'a>(rows: impl IntoIterator<Item = &'a FxRate>) -> Self {
        let mut table = Self::default();
        for row in rows {
            table.insert(row.currency, row.date, row.per_usd.value());
        }
        table
    }

    fn series(&self, currency: Currency) -> Option<&[(Date, Decimal)]> {
        self.rates
            .iter()
            .find(|(c, _)| *c == currency)
            .map(|(_, series)| series.as_slice())
    }

    /// Adds one rate.
    pub fn insert(&mut self, currency: Currency, date: Date, per_usd: Decimal) {
        let at = match self.rates.binary_search_by_key(&currency, |(c, _)| *c) {
            Ok(at) => at,
            Err(at) => {
                self.rates.insert(at, (currency, Vec::new()));
                at
            }
        };
        let series = &mut self.rates[at].1;
        match series.binary_search_by_key(&date, |&(d, _)| d) {
            Ok(at) => series[at].1 = per_usd,
            Err(at) => series.insert(at, (date, per_usd)),
        }
    }

    /// Units of `currency` per US dollar on `date`; `None` for a currency with no rows.
    pub fn per_usd(&self, currency: Currency, date: Date) -> Option<Decimal> {
        if currency == Currency::USD {
            return Some(Decimal::ONE);
        }
        let series = self.series(currency)?;
        let after = series.partition_point(|&(d, _)| d <= date);
        let at = after.saturating_sub(1);
        series.get(at).map(|&(_, rate)| rate)
    }

    /// The currencies that have rows, in code order.
    pub fn currencies(&self) -> impl Iterator<Item = Currency> + '_ {
        self.rates.iter().map(|(currency, _)| *currency)
    }

    /// Every rate, by currency then date.
    pub fn rows(&self) -> impl Iterator<Item = (Currency, Date, Decimal)> + '_ {
        self.rates.iter().flat_map(|(currency, series)| {
            series
                .iter()
                .map(move |&(date, rate)| (*currency, date, rate))
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rates.iter().map(|(_, series)| series.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.rates.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn cny() -> Currency {
        Currency::CNY
    }

    #[test]
    fn latest_on_or_before_else_earliest() {
        let mut table = FxTable::default();
        table.insert(cny(), date(2020, 1, 1), dec("7.0"));
        table.insert(cny(), date(2021, 1, 1), dec("6.5"));
        assert_eq!(
            table.per_usd(cny(), date(2019, 6, 1)),
            Some(dec("7.0")),
            "earliest fallback"
        );
        assert_eq!(table.per_usd(cny(), date(2020, 1, 1)), Some(dec("7.0")));
        assert_eq!(table.per_usd(cny(), date(2020, 12, 31)), Some(dec("7.0")));
        assert_eq!(table.per_usd(cny(), date(2021, 1, 1)), Some(dec("6.5")));
        assert_eq!(table.per_usd(cny(), date(2030, 1, 1)), Some(dec("6.5")));
        assert_eq!(
            table.per_usd(Currency::parse("HKD").unwrap(), date(2020, 1, 1)),
            None
        );
        assert_eq!(
            table.per_usd(Currency::USD, date(1900, 1, 1)),
            Some(Decimal::ONE)
        );
    }
}
