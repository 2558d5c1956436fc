//! How cells read as text: plainly for CSV, with separators and percent
//! signs for people (Markdown and HTML). Fixed decimals, no floats.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::tables::Cell;

/// `value` with exactly `dp` decimals, rounded half away from zero.
pub(crate) fn fixed(value: Decimal, dp: u32) -> String {
    let mut rounded = value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(dp);
    if rounded.is_zero() {
        rounded.set_sign_positive(true);
    }
    rounded.to_string()
}

/// Digits grouped by thousands with commas: `1234567.5` → `1,234,567.5`.
fn grouped(number: &str) -> String {
    let (sign, unsigned) = number
        .strip_prefix('-')
        .map_or(("", number), |rest| ("-", rest));
    let (whole, fraction) = unsigned
        .split_once('.')
        .map_or((unsigned, None), |(w, f)| (w, Some(f)));
    let mut out = String::with_capacity(number.len() + whole.len() / 3);
    out.push_str(sign);
    for (at, digit) in whole.chars().enumerate() {
        if at > 0 && (whole.len() - at).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// A cell as CSV writes it: numbers plain (shares as fractions), dates ISO.
pub(crate) fn plain(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Number { value, dp } => fixed(*value, *dp),
        Cell::Share(share) => share.to_string(),
        Cell::Date(date) => date.to_string(),
        Cell::Signed(n) => n.to_string(),
        Cell::SignedShare(share) => share.to_string(),
        Cell::Empty => String::new(),
    }
}

/// A cell as people read it: thousands separators, shares as percentages.
pub(crate) fn display(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Int(n) => grouped(&n.to_string()),
        Cell::Number { value, dp } => grouped(&fixed(*value, *dp)),
        Cell::Share(share) => format!("{}%", fixed(*share * Decimal::ONE_HUNDRED, 2)),
        Cell::Date(date) => date.to_string(),
        Cell::Signed(n) => signed(*n > 0, grouped(&n.to_string())),
        Cell::SignedShare(share) => signed(
            share.is_sign_positive() && !share.is_zero(),
            format!("{}%", fixed(*share * Decimal::ONE_HUNDRED, 1)),
        ),
        Cell::Empty => "–".to_owned(),
    }
}

/// A number with a plus sign when it is above zero.
fn signed(positive: bool, number: String) -> String {
    if positive {
        format!("+{number}")
    } else {
        number
    }
}

/// Whether a cell holds a number, to be aligned right.
pub(crate) fn is_numeric(cell: &Cell) -> bool {
    matches!(
        cell,
        Cell::Int(_)
            | Cell::Number { .. }
            | Cell::Share(_)
            | Cell::Signed(_)
            | Cell::SignedShare(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn numbers_read_the_same_everywhere() {
        assert_eq!(fixed(dec("2.345"), 2), "2.35");
        assert_eq!(fixed(dec("2"), 2), "2.00");
        assert_eq!(fixed(dec("-0.001"), 2), "0.00");
        assert_eq!(display(&Cell::Int(1_234_567)), "1,234,567");
        assert_eq!(display(&Cell::Int(999)), "999");
        assert_eq!(display(&Cell::money(dec("12345.678"))), "12,345.68");
        assert_eq!(display(&Cell::Share(dec("0.123456"))), "12.35%");
        assert_eq!(plain(&Cell::Share(dec("0.123456"))), "0.123456");
        assert_eq!(plain(&Cell::money(dec("12345.678"))), "12345.68");
        assert_eq!(display(&Cell::Signed(1234)), "+1,234");
        assert_eq!(display(&Cell::Signed(-3)), "-3");
        assert_eq!(display(&Cell::Signed(0)), "0");
        assert_eq!(display(&Cell::SignedShare(dec("0.043750"))), "+4.4%");
        assert_eq!(display(&Cell::SignedShare(dec("-0.666667"))), "-66.7%");
        assert_eq!(plain(&Cell::SignedShare(dec("-0.666667"))), "-0.666667");
    }
}
