//! Exact arithmetic for shares, indices and quantiles: integers all the
//! way, rounded once, half up, so every platform prints the same digits.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::model::Quartiles;

/// Decimal places of shares and indices.
pub(crate) const SHARE_DP: u32 = 6;

/// `numerator / denominator` rounded half up to `dp` decimals (at most 9);
/// zero when the denominator is zero.
pub(crate) fn ratio(numerator: u128, denominator: u128, dp: u32) -> Decimal {
    if denominator == 0 {
        return Decimal::new(0, dp);
    }
    let scaled = numerator.saturating_mul(10u128.pow(dp));
    let mut quotient = scaled / denominator;
    if (scaled % denominator).saturating_mul(2) >= denominator {
        quotient += 1;
    }
    // Counts of enterprises keep the quotient far below 2^96.
    Decimal::try_from_i128_with_scale(quotient as i128, dp).unwrap_or(Decimal::MAX)
}

/// `part / whole` as a share with [`SHARE_DP`] decimals.
pub(crate) fn share(part: u64, whole: u64) -> Decimal {
    ratio(u128::from(part), u128::from(whole), SHARE_DP)
}

/// Minimum, quartiles and maximum of values sorted ascending, by linear
/// interpolation between order statistics (Hyndman–Fan type 7): the
/// p-quantile sits at position `(n - 1) p`.
pub(crate) fn quartiles(sorted: &[i64]) -> Option<Quartiles> {
    let (&first, &last) = (sorted.first()?, sorted.last()?);
    let n = sorted.len() as u64;
    // Positions are multiples of a quarter: work in quarter units.
    let at = |quarters: u64| -> Decimal {
        let h4 = (n - 1) * quarters;
        let lo = (h4 / 4) as usize;
        let fraction = (h4 % 4) as i64;
        let low = sorted[lo];
        let high = sorted.get(lo + 1).copied().unwrap_or(low);
        let quarter_units = 4 * low + (high - low) * fraction;
        Decimal::new(quarter_units * 25, 2)
    };
    Some(Quartiles {
        min: Decimal::new(first * 100, 2),
        q1: at(1),
        median: at(2),
        q3: at(3),
        max: Decimal::new(last * 100, 2),
    })
}

/// Days (a multiple of a quarter day) as years of 365.25 days, two
/// decimals, half away from zero.
pub(crate) fn days_to_years(days: Decimal) -> Decimal {
    // days × 4 is a whole number of quarter days; a year is 1461 of them.
    let quarter_days = (days * Decimal::from(4)).trunc().to_i128().unwrap_or(0);
    let years = ratio(quarter_days.unsigned_abs(), 1461, 2);
    if quarter_days < 0 { -years } else { years }
}

/// The quartiles of ages in days, expressed in years.
pub(crate) fn in_years(days: &Quartiles) -> Quartiles {
    Quartiles {
        min: days_to_years(days.min),
        q1: days_to_years(days.q1),
        median: days_to_years(days.median),
        q3: days_to_years(days.q3),
        max: days_to_years(days.max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn ratios_round_half_up_once() {
        assert_eq!(ratio(1, 3, 6), dec("0.333333"));
        assert_eq!(ratio(2, 3, 6), dec("0.666667"));
        assert_eq!(ratio(1, 8, 2), dec("0.13"));
        assert_eq!(ratio(5, 5, 6).to_string(), "1.000000");
        assert_eq!(ratio(1, 0, 6).to_string(), "0.000000");
        assert_eq!(share(18, 100).to_string(), "0.180000");
    }

    #[test]
    fn quartiles_interpolate_between_order_statistics() {
        // n = 4: positions 0.75, 1.5, 2.25.
        let q = quartiles(&[10, 20, 30, 50]).unwrap();
        assert_eq!(
            (q.min, q.q1, q.median, q.q3, q.max),
            (dec("10"), dec("17.5"), dec("25"), dec("35"), dec("50"))
        );
        let single = quartiles(&[7]).unwrap();
        assert_eq!(
            (single.q1, single.median, single.q3),
            (dec("7"), dec("7"), dec("7"))
        );
        // n = 5: positions 1, 2, 3 fall on order statistics.
        let q = quartiles(&[1, 2, 3, 4, 100]).unwrap();
        assert_eq!((q.q1, q.median, q.q3), (dec("2"), dec("3"), dec("4")));
        assert!(quartiles(&[]).is_none());
    }

    #[test]
    fn days_become_years_of_365_25_days() {
        assert_eq!(days_to_years(dec("1461")), dec("4.00"));
        assert_eq!(days_to_years(dec("365.25")), dec("1.00"));
        // 1000 days = 2.7378... years.
        assert_eq!(days_to_years(dec("1000")), dec("2.74"));
        assert_eq!(days_to_years(dec("-365.25")), dec("-1.00"));
    }
}
