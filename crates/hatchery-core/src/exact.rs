//! Exact comparisons of converted money with thresholds.
//!
//! A value in currency A on day t, expressed in currency C, is `a × rC / rA`
//! (both rates per US dollar). Comparing sums of such quotients with a
//! threshold must be exact (¥7,082,700,000 at 7.0827 is exactly US$1bn), yet
//! the ledger holds millions of events. So each comparison is first made with
//! 28-digit decimals and an error bound; only when the threshold lies inside
//! that bound is it settled with arbitrary-precision rationals.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;
use rust_decimal::Decimal;

/// One converted amount: `amount × numerator / denominator`, all positive or zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub amount: Decimal,
    pub numerator: Decimal,
    pub denominator: Decimal,
}

impl Term {
    /// An amount that needs no conversion.
    pub fn plain(amount: Decimal) -> Self {
        Self {
            amount,
            numerator: Decimal::ONE,
            denominator: Decimal::ONE,
        }
    }

    /// The quotient to 28 significant digits, for display and the fast path.
    pub fn approximate(self) -> Decimal {
        if self.numerator == self.denominator {
            return self.amount;
        }
        let scaled = self
            .amount
            .checked_mul(self.numerator)
            .unwrap_or_else(|| self.amount / self.denominator * self.numerator);
        scaled.checked_div(self.denominator).unwrap_or(Decimal::MAX)
    }

    fn exact(self) -> BigRational {
        rational(self.amount) * rational(self.numerator) / rational(self.denominator)
    }
}

fn rational(value: Decimal) -> BigRational {
    BigRational::new(
        BigInt::from(value.mantissa()),
        BigInt::from(10u8).pow(value.scale()),
    )
}

/// Compares the sum of `terms` with `threshold`, exactly.
pub fn compare_sum<I>(terms: impl Fn() -> I, threshold: Decimal) -> Ordering
where
    I: Iterator<Item = Term>,
{
    let mut approximate = Decimal::ZERO;
    let mut inexact = false;
    for term in terms() {
        inexact |= term.numerator != term.denominator;
        match approximate.checked_add(term.approximate()) {
            Some(sum) => approximate = sum,
            None => return compare_exactly(terms(), threshold),
        }
    }
    if !inexact {
        return approximate.cmp(&threshold);
    }
    // Each quotient is within one unit of its 28th significant digit; 1e-20
    // of the larger magnitude covers the sum of those errors many times over.
    let magnitude = approximate.abs().max(threshold.abs()).max(Decimal::ONE);
    let bound = magnitude * Decimal::new(1, 20);
    let difference = approximate - threshold;
    if difference > bound {
        Ordering::Greater
    } else if difference < -bound {
        Ordering::Less
    } else {
        compare_exactly(terms(), threshold)
    }
}

fn compare_exactly(terms: impl Iterator<Item = Term>, threshold: Decimal) -> Ordering {
    let sum = terms.fold(BigRational::zero(), |sum, term| sum + term.exact());
    sum.cmp(&rational(threshold))
}

/// Compares two converted amounts exactly.
pub fn compare_terms(left: Term, right: Term) -> Ordering {
    // a/b·c vs d/e·f  ⇔  a·c·e vs d·f·b (rates are positive)
    let product = |x: Decimal, y: Decimal, z: Decimal| {
        let p = x.checked_mul(y)?.checked_mul(z)?;
        (p.scale() == x.scale() + y.scale() + z.scale()).then_some(p)
    };
    let l = product(left.amount, left.numerator, right.denominator);
    let r = product(right.amount, right.numerator, left.denominator);
    match (l, r) {
        (Some(l), Some(r)) => l.cmp(&r),
        _ => left.exact().cmp(&right.exact()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn to_usd(amount: &str, rate: &str) -> Term {
        Term {
            amount: d(amount),
            numerator: Decimal::ONE,
            denominator: d(rate),
        }
    }

    #[test]
    fn the_spec_example_is_exactly_one_billion() {
        let term = to_usd("7082700000", "7.0827");
        assert_eq!(
            compare_sum(|| std::iter::once(term), d("1000000000")),
            Ordering::Equal
        );
        let below = to_usd("7082699999.99", "7.0827");
        assert_eq!(
            compare_sum(|| std::iter::once(below), d("1000000000")),
            Ordering::Less
        );
    }

    #[test]
    fn sums_of_repeating_quotients_meet_the_threshold_exactly() {
        // 1/3 + 2/3 of a dollar, each a repeating decimal, is exactly 1.
        let terms = [to_usd("1", "3"), to_usd("2", "3")];
        assert_eq!(
            compare_sum(|| terms.iter().copied(), Decimal::ONE),
            Ordering::Equal
        );
        assert_eq!(
            compare_sum(|| terms.iter().copied(), d("0.9999999999")),
            Ordering::Greater
        );
    }

    #[test]
    fn terms_compare_by_value_not_by_number() {
        let cny = to_usd("7000", "7");
        let usd = Term::plain(d("1000"));
        assert_eq!(compare_terms(cny, usd), Ordering::Equal);
        assert_eq!(compare_terms(to_usd("7001", "7"), usd), Ordering::Greater);
    }
}
