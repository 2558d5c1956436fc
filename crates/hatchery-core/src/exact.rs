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

/// `x × y`, when a decimal holds it exactly: the multiplication rounds a
/// product it cannot hold to fewer decimal places, which shows in its scale.
fn exact_product(x: Decimal, y: Decimal) -> Option<Decimal> {
    let p = x.checked_mul(y)?;
    (p.scale() == x.scale() + y.scale()).then_some(p)
}

/// Compares one converted amount with `threshold`, exactly. The engine asks
/// this of every valuation on every date: `a·n/d` vs `t` is `a·n` vs `t·d`
/// (rates are positive), two multiplications where a quotient would take a
/// division and an error bound.
pub fn compare_term(term: Term, threshold: Decimal) -> Ordering {
    match (
        exact_product(term.amount, term.numerator),
        exact_product(threshold, term.denominator),
    ) {
        (Some(left), Some(right)) => left.cmp(&right),
        _ => compare_sum(|| std::iter::once(term), threshold),
    }
}

/// Compares two converted amounts exactly.
pub fn compare_terms(left: Term, right: Term) -> Ordering {
    // a/b·c vs d/e·f  ⇔  a·c·e vs d·f·b (rates are positive)
    let product = |x: Decimal, y: Decimal, z: Decimal| exact_product(exact_product(x, y)?, z);
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

    #[test]
    fn one_term_compares_as_the_exact_rational_does() {
        let cases = [
            ("7082700000", "7.0827", "1000000000"),
            ("7082699999.9999", "7.0827", "1000000000"),
            ("70827000000.0001", "7.0827", "10000000000"),
            ("1", "3", "0.3333333333333333333333333333"),
            ("0", "7.1", "0"),
            // Products beyond 28 digits leave the fast path.
            ("79228162514264337593543950335", "7.0827", "1000000000"),
            ("1000000000", "0.0000000000000000000000000001", "1000000000"),
            (
                "0.0000000000000000000000000001",
                "3",
                "0.0000000000000000000000000001",
            ),
        ];
        for (amount, rate, threshold) in cases {
            let term = to_usd(amount, rate);
            let exact = term.exact().cmp(&rational(d(threshold)));
            assert_eq!(
                compare_term(term, d(threshold)),
                exact,
                "{amount} / {rate} vs {threshold}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn one_term_agrees_with_the_sum_of_one(
            amount in 0u64..u64::MAX, amount_scale in 0u32..8,
            rate in 1u64..100_000_000, rate_scale in 0u32..8,
            threshold in 0u64..u64::MAX, threshold_scale in 0u32..8,
        ) {
            let term = Term {
                amount: Decimal::new(amount as i64 & i64::MAX, amount_scale),
                numerator: Decimal::new(rate as i64, rate_scale),
                denominator: Decimal::new(7_082_700, 6),
            };
            let threshold = Decimal::new(threshold as i64 & i64::MAX, threshold_scale);
            proptest::prop_assert_eq!(
                compare_term(term, threshold),
                term.exact().cmp(&rational(threshold))
            );
        }
    }
}
