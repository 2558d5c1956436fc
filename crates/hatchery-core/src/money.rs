//! Currencies and exact decimal amounts.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code: three upper-case ASCII letters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

/// Why a text is not a currency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a currency is an ISO 4217 code of three upper-case letters (USD, CNY, HKD…), found '{0}'")]
pub struct CurrencyError(pub String);

impl Currency {
    /// The US dollar, in which every rate is quoted.
    pub const USD: Self = Self(*b"USD");
    /// The Chinese yuan.
    pub const CNY: Self = Self(*b"CNY");

    /// Parses three upper-case ASCII letters.
    pub fn parse(text: &str) -> Result<Self, CurrencyError> {
        let bytes = text.as_bytes();
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Self([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err(CurrencyError(text.to_owned()))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII letters")
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = CurrencyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = CurrencyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.as_str().to_owned()
    }
}

/// A non-negative decimal number written plainly (`150000000`, `7.0827`), kept
/// together with the exact text it was read from, because the interchange format
/// tells rows apart by their text (`100` and `100.00` are different rows).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Amount {
    text: String,
    value: Decimal,
}

/// Why a text is not a plain non-negative decimal number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("'{0}' is negative; amounts and valuations are zero or more")]
    Negative(String),
    #[error(
        "'{0}' is not a plain decimal number (digits with an optional '.' and decimals; no separators, signs, suffixes or exponents)"
    )]
    NotPlainDecimal(String),
    #[error("'{0}' is too large to hold exactly")]
    TooLarge(String),
}

impl Amount {
    /// Parses a plain decimal: digits, optionally `.` and more digits.
    pub fn parse(text: &str) -> Result<Self, AmountError> {
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let plain = digits(whole) && fraction.is_none_or(digits);
        if !plain {
            if text
                .strip_prefix('-')
                .is_some_and(|unsigned| Self::parse(unsigned).is_ok())
            {
                return Err(AmountError::Negative(text.to_owned()));
            }
            return Err(AmountError::NotPlainDecimal(text.to_owned()));
        }
        let value =
            Decimal::from_str_exact(text).map_err(|_| AmountError::TooLarge(text.to_owned()))?;
        Ok(Self {
            text: text.to_owned(),
            value,
        })
    }

    /// Wraps a decimal, writing it in its canonical form; negative values are refused.
    pub fn from_decimal(value: Decimal) -> Result<Self, AmountError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(AmountError::Negative(value.to_string()));
        }
        Ok(Self {
            text: value.to_string(),
            value,
        })
    }

    /// The exact value.
    pub fn value(&self) -> Decimal {
        self.value
    }

    /// The text it was written as.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Amount {
    type Err = AmountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Amount {
    type Error = AmountError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Amount> for String {
    fn from(value: Amount) -> Self {
        value.text
    }
}

/// An exact amount of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", group_thousands(self.amount), self.currency)
    }
}

/// `1234567.5` → `1,234,567.5`, for people reading reasons and reports.
pub fn group_thousands(value: Decimal) -> String {
    let text = value.normalize().to_string();
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_decimals_parse_and_keep_their_text() {
        let a = Amount::parse("100.00").unwrap();
        assert_eq!(a.as_str(), "100.00");
        assert_eq!(a.value(), Decimal::from(100));
        assert_ne!(a, Amount::parse("100").unwrap());
    }

    #[test]
    fn everything_else_is_rejected() {
        for bad in [
            "2.5E8", "1,000", "$5", "", ".5", "5.", "+5", "1e9", "5B", " 5", "NaN",
        ] {
            assert!(
                matches!(Amount::parse(bad), Err(AmountError::NotPlainDecimal(_))),
                "{bad}"
            );
        }
        assert!(matches!(Amount::parse("-5"), Err(AmountError::Negative(_))));
        assert!(matches!(
            Amount::parse("99999999999999999999999999999999"),
            Err(AmountError::TooLarge(_))
        ));
    }

    #[test]
    fn currencies_are_three_upper_case_letters() {
        assert_eq!(Currency::parse("CNY").unwrap(), Currency::CNY);
        for bad in ["cny", "CN", "CNYY", "C1Y", ""] {
            assert!(Currency::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(
            group_thousands(Decimal::from(1_000_000_000)),
            "1,000,000,000"
        );
        assert_eq!(group_thousands(Decimal::new(12345, 1)), "1,234.5");
        assert_eq!(group_thousands(Decimal::from(999)), "999");
    }

    proptest! {
        #[test]
        fn amount_text_round_trips(text in "[0-9]{1,15}(\\.[0-9]{1,6})?") {
            let amount = Amount::parse(&text).unwrap();
            prop_assert_eq!(amount.to_string(), text.clone());
            prop_assert_eq!(amount.value(), Decimal::from_str_exact(&text).unwrap());
        }

        #[test]
        fn currency_round_trips(text in "[A-Z]{3}") {
            prop_assert_eq!(Currency::parse(&text).unwrap().to_string(), text);
        }
    }
}
