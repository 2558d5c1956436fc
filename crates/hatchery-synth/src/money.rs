//! Writing modelled dollar figures as the exact decimals a dataset holds.
//!
//! The model thinks in floats; a dataset holds exact decimal text. Figures
//! are converted at the dataset's own rate for the day and rounded the way
//! published figures are (three significant digits: ¥35,600,000), with a few
//! written to the cent. Near the reference thresholds some valuations are
//! snapped to *exactly* the threshold's equivalent (US$1bn written as
//! ¥6,572,600,000 at 6.5726), or one cent below it, so that inclusive,
//! exact comparisons are exercised by every dataset.

use hatchery_core::{Amount, Currency};
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::fx::Rates;
use crate::sample::Draw;

/// US-dollar thresholds of the `gei` and `gei-2024` rule sets.
const USD_THRESHOLDS: [i64; 4] = [100_000_000, 500_000_000, 1_000_000_000, 10_000_000_000];
/// Yuan thresholds of the `shenzhen` rule set.
const CNY_THRESHOLDS: [i64; 5] = [
    300_000_000,
    700_000_000,
    3_500_000_000,
    7_000_000_000,
    70_000_000_000,
];
/// How close (as a ratio) a valuation must be to a threshold to be snapped onto it.
const SNAP_WINDOW: f64 = 0.12;
/// The share of valuations within the window that are snapped.
const SNAP_ODDS: f64 = 0.3;

/// Turns modelled figures into exact amounts in a currency.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Writer<'a> {
    pub(crate) rates: &'a Rates,
}

impl Writer<'_> {
    /// Whether figures in `currency` can be written on `date`.
    pub(crate) fn has_rate(&self, currency: Currency, date: Date) -> bool {
        self.rates.per_usd(currency, date).is_some()
    }

    /// `usd` dollars in `currency` at the rate of `date`, as published
    /// figures are written. `None` when the currency has no rate.
    pub(crate) fn amount(
        &self,
        draw: &mut Draw,
        usd: f64,
        currency: Currency,
        date: Date,
    ) -> Option<Amount> {
        let rate = self.rates.per_usd_f64(currency, date)?;
        let value = usd * rate;
        let decimal = if draw.chance(0.03) {
            to_cents(value)
        } else {
            significant(value, 3)
        };
        Amount::from_decimal(decimal?.max(Decimal::ONE)).ok()
    }

    /// A valuation: as [`Writer::amount`], except that one near a reference
    /// threshold is sometimes written as exactly that threshold, or a cent below.
    pub(crate) fn valuation(
        &self,
        draw: &mut Draw,
        usd: f64,
        currency: Currency,
        date: Date,
    ) -> Option<Amount> {
        let rate = self.rates.per_usd(currency, date)?;
        let rate_f64 = self.rates.per_usd_f64(currency, date)?;
        let near =
            |value: f64, threshold: i64| (value / threshold as f64 - 1.0).abs() < SNAP_WINDOW;
        let usd_threshold = USD_THRESHOLDS.iter().find(|&&t| near(usd, t));
        let local_threshold = (currency == Currency::CNY)
            .then(|| CNY_THRESHOLDS.iter().find(|&&t| near(usd * rate_f64, t)))
            .flatten();
        let exact = match (usd_threshold, local_threshold) {
            // A yuan threshold is exact in yuan; a dollar one at the day's rate.
            (_, Some(&cny)) => Some(Decimal::from(cny)),
            (Some(&usd), None) => Some(Decimal::from(usd) * rate),
            (None, None) => None,
        };
        if let Some(exact) = exact.filter(|_| draw.chance(SNAP_ODDS)) {
            let value = if draw.chance(0.3) {
                exact - Decimal::new(1, 2)
            } else {
                exact
            };
            return Amount::from_decimal(value.normalize()).ok();
        }
        self.amount(draw, usd, currency, date)
    }

    /// The same text with two more decimals (`150000000` → `150000000.00`):
    /// equal in value, a different row.
    pub(crate) fn rewritten(amount: &Amount) -> Option<Amount> {
        let text = amount.as_str();
        let longer = if text.contains('.') {
            format!("{text}00")
        } else {
            format!("{text}.00")
        };
        Amount::parse(&longer).ok()
    }
}

/// `value` rounded to `digits` significant digits, as a whole number.
fn significant(value: f64, digits: i32) -> Option<Decimal> {
    if !value.is_finite() || value <= 0.0 {
        return None;
    }
    let magnitude = value.log10().floor() as i32;
    let unit = 10f64.powi((magnitude + 1 - digits).max(0));
    let rounded = (value / unit).round() * unit;
    // Exact below 2^53, far above any modelled figure.
    (rounded < 9.0e15).then(|| Decimal::from(rounded as i64))
}

/// `value` to the cent.
fn to_cents(value: f64) -> Option<Decimal> {
    let cents = (value * 100.0).round();
    (value.is_finite() && value >= 0.0 && cents < 9.0e15).then(|| Decimal::new(cents as i64, 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::GeneratorConfig;
    use crate::fx::fx_rates;
    use jiff::civil::date;

    #[test]
    fn figures_are_rounded_like_published_ones() {
        assert_eq!(
            significant(35_612_345.0, 3),
            Some(Decimal::from(35_600_000))
        );
        assert_eq!(significant(999.6, 3), Some(Decimal::from(1000)));
        assert_eq!(significant(42.0, 3), Some(Decimal::from(42)));
        assert_eq!(significant(0.0, 3), None);
        assert_eq!(significant(f64::NAN, 3), None);
        assert_eq!(to_cents(12.345), Some(Decimal::new(1235, 2)));
    }

    #[test]
    fn snapped_valuations_are_exactly_on_the_threshold() {
        let rates = Rates::new(&fx_rates(&GeneratorConfig::default()));
        let writer = Writer { rates: &rates };
        let day = date(2016, 1, 15);
        let rate = rates.per_usd(Currency::CNY, day).unwrap();
        let mut draw = Draw::new(&Draw::base(9), 0);
        let mut exact = 0;
        let mut below = 0;
        for _ in 0..400 {
            let hkd = Currency::parse("HKD").unwrap();
            let hkd_rate = rates.per_usd(hkd, day).unwrap();
            let amount = writer.valuation(&mut draw, 1.05e9, hkd, day).unwrap();
            let in_usd = amount.value() / hkd_rate;
            if amount.value() == Decimal::from(1_000_000_000) * hkd_rate {
                exact += 1;
                assert_eq!(in_usd, Decimal::from(1_000_000_000));
            } else if amount.value() == Decimal::from(1_000_000_000) * hkd_rate - Decimal::new(1, 2)
            {
                below += 1;
            }
        }
        assert!(
            exact > 50 && below > 15,
            "{exact} exact, {below} a cent below"
        );
        // Yuan near a yuan threshold snap onto the yuan figure itself.
        let usd = 7.1e9 / rate.to_string().parse::<f64>().unwrap();
        let snapped = (0..200)
            .filter_map(|_| writer.valuation(&mut draw, usd, Currency::CNY, day))
            .filter(|a| a.as_str() == "7000000000")
            .count();
        assert!(snapped > 20, "{snapped}");
    }

    #[test]
    fn rewritten_amounts_keep_their_value() {
        let a = Amount::parse("150000000").unwrap();
        let b = Writer::rewritten(&a).unwrap();
        assert_eq!(b.as_str(), "150000000.00");
        assert_eq!(a.value(), b.value());
        let c = Writer::rewritten(&Amount::parse("1.5").unwrap()).unwrap();
        assert_eq!(c.as_str(), "1.500");
    }
}
