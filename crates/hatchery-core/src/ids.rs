//! Identifiers: enterprise ids, countries, exchanges.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An enterprise's stable key in a dataset: 1–128 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EnterpriseId(String);

/// Why a text is not an enterprise id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnterpriseIdError {
    #[error("an id has 1 to 128 characters, found {0}")]
    Length(usize),
    #[error("an id has no control characters")]
    ControlCharacter,
}

impl EnterpriseId {
    pub fn parse(text: &str) -> Result<Self, EnterpriseIdError> {
        let count = text.chars().count();
        if !(1..=128).contains(&count) {
            return Err(EnterpriseIdError::Length(count));
        }
        if text.chars().any(char::is_control) {
            return Err(EnterpriseIdError::ControlCharacter);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EnterpriseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for EnterpriseId {
    type Err = EnterpriseIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for EnterpriseId {
    type Error = EnterpriseIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EnterpriseId> for String {
    fn from(value: EnterpriseId) -> Self {
        value.0
    }
}

impl std::borrow::Borrow<str> for EnterpriseId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// An ISO 3166-1 alpha-2 country code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Country([u8; 2]);

/// Why a text is not a country code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a country is an ISO 3166-1 alpha-2 code of two upper-case letters (CN, US…), found '{0}'")]
pub struct CountryError(pub String);

impl Country {
    /// China, the default country of an enterprise.
    pub const CN: Self = Self(*b"CN");

    pub fn parse(text: &str) -> Result<Self, CountryError> {
        let b = text.as_bytes();
        if b.len() == 2 && b.iter().all(u8::is_ascii_uppercase) {
            Ok(Self([b[0], b[1]]))
        } else {
            Err(CountryError(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII letters")
    }
}

impl Default for Country {
    fn default() -> Self {
        Self::CN
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Country {
    type Err = CountryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Country {
    type Error = CountryError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Country> for String {
    fn from(value: Country) -> Self {
        value.as_str().to_owned()
    }
}

/// A stock exchange code (`SSE`, `SZSE`, `BSE`, `HKEX`, `NASDAQ`, `NYSE`, `NEEQ`, …):
/// 1–15 upper-case letters or digits, held inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Exchange {
    bytes: [u8; 15],
    len: u8,
}

/// Why a text is not an exchange code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "an exchange is an upper-case code of up to 15 letters or digits (SSE, SZSE, HKEX, NASDAQ, NEEQ…), found '{0}'"
)]
pub struct ExchangeError(pub String);

impl Exchange {
    pub fn parse(text: &str) -> Result<Self, ExchangeError> {
        let b = text.as_bytes();
        let valid = !b.is_empty()
            && b.len() <= 15
            && b[0].is_ascii_uppercase()
            && b.iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !valid {
            return Err(ExchangeError(text.to_owned()));
        }
        let mut bytes = [0; 15];
        bytes[..b.len()].copy_from_slice(b);
        Ok(Self {
            bytes,
            len: b.len() as u8,
        })
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).expect("ASCII")
    }
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Exchange {
    type Err = ExchangeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Exchange {
    type Error = ExchangeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Exchange> for String {
    fn from(value: Exchange) -> Self {
        value.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ids_are_bounded_and_printable() {
        assert!(EnterpriseId::parse("字节跳动").is_ok());
        assert!(EnterpriseId::parse("").is_err());
        assert!(EnterpriseId::parse(&"x".repeat(129)).is_err());
        assert!(EnterpriseId::parse(&"字".repeat(128)).is_ok());
        assert!(EnterpriseId::parse("a\tb").is_err());
    }

    #[test]
    fn exchanges_are_upper_case_codes() {
        assert_eq!(Exchange::parse("NEEQ").unwrap().as_str(), "NEEQ");
        for bad in ["neeq", "", "N-Q", "1SSE", "ABCDEFGHIJKLMNOP"] {
            assert!(Exchange::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn id_round_trips(text in "[^\\p{Cc}]{1,128}") {
            let id = EnterpriseId::parse(&text).unwrap();
            prop_assert_eq!(id.to_string(), text);
        }

        #[test]
        fn exchange_round_trips(text in "[A-Z][A-Z0-9]{0,14}") {
            prop_assert_eq!(Exchange::parse(&text).unwrap().to_string(), text);
        }

        #[test]
        fn country_round_trips(text in "[A-Z]{2}") {
            prop_assert_eq!(Country::parse(&text).unwrap().to_string(), text);
        }
    }
}
