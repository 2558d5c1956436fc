//! Unified Social Credit Code (统一社会信用代码), GB 32100-2015.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The 31 symbols of GB 32100-2015, in value order (no I, O, S, V, Z).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1..=17: 3^(i-1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// GB 11714 organisation-code weights for its first eight symbols.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// An 18-symbol Unified Social Credit Code whose check symbols are valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

/// Why a text is not a valid Unified Social Credit Code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("a credit code has 18 symbols, found {0}")]
    Length(usize),
    #[error(
        "'{symbol}' at position {position} is not a credit-code symbol (0-9 and A-Y without I, O, S, V, Z)"
    )]
    Symbol { symbol: char, position: usize },
    #[error("check symbol is '{found}', the code's first 17 symbols give '{expected}'")]
    CheckSymbol { found: char, expected: char },
    #[error(
        "the embedded organisation code (symbols 9-17) has check '{found}', expected '{expected}'"
    )]
    OrganisationCheck { found: char, expected: char },
}

fn symbol_value(symbol: u8) -> Option<u32> {
    ALPHABET.iter().position(|&s| s == symbol).map(|p| p as u32)
}

/// The GB 11714 check character of an organisation code's first eight symbols,
/// or `None` when a symbol falls outside 0-9/A-Z.
fn organisation_check(body: &[u8]) -> Option<char> {
    let mut sum = 0;
    for (symbol, weight) in body.iter().zip(ORG_WEIGHTS) {
        let value = match symbol {
            b'0'..=b'9' => u32::from(symbol - b'0'),
            b'A'..=b'Z' => u32::from(symbol - b'A') + 10,
            _ => return None,
        };
        sum += value * weight;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from_digit(c, 10).expect("c < 10"),
    })
}

impl Uscc {
    /// Parses and verifies a code: length, symbol set, the GB 32100 check symbol and,
    /// for codes that embed one, the GB 11714 organisation-code check.
    pub fn parse(text: &str) -> Result<Self, UsccError> {
        let upper = text.to_ascii_uppercase();
        let bytes = upper.as_bytes();
        let count = upper.chars().count();
        if count != 18 || bytes.len() != 18 {
            return Err(UsccError::Length(count));
        }
        let mut sum = 0;
        for (position, &symbol) in bytes.iter().enumerate() {
            let value = symbol_value(symbol).ok_or(UsccError::Symbol {
                symbol: char::from(symbol),
                position: position + 1,
            })?;
            if position < 17 {
                sum += value * WEIGHTS[position];
            }
        }
        let expected = ALPHABET[((31 - sum % 31) % 31) as usize];
        if bytes[17] != expected {
            return Err(UsccError::CheckSymbol {
                found: char::from(bytes[17]),
                expected: char::from(expected),
            });
        }
        // Symbols 9-17 are the organisation code; codes issued after the 2015 reform
        // (e.g. `MA…`) still carry a valid GB 11714 check there.
        let organisation = &bytes[8..17];
        if let Some(expected) = organisation_check(&organisation[..8]) {
            let found = char::from(organisation[8]);
            if found != expected {
                return Err(UsccError::OrganisationCheck { found, expected });
            }
        }
        Ok(Self(upper))
    }

    /// The code as 18 upper-case symbols.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Symbols 3-8: the division code of the registering authority.
    pub fn registration_division(&self) -> &str {
        &self.0[2..8]
    }
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Uscc> for String {
    fn from(value: Uscc) -> Self {
        value.0
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Completes 17 symbols with their check symbol; used by generators and tests.
pub fn with_check_symbol(first17: &str) -> Option<String> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (position, &symbol) in bytes.iter().enumerate() {
        sum += symbol_value(symbol)? * WEIGHTS[position];
    }
    let mut code = first17.to_owned();
    code.push(char::from(ALPHABET[((31 - sum % 31) % 31) as usize]));
    Some(code)
}

/// Completes an eight-symbol organisation-code body with its GB 11714 check.
pub fn organisation_code(body8: &str) -> Option<String> {
    if body8.len() != 8 {
        return None;
    }
    let check = organisation_check(body8.as_bytes())?;
    Some(format!("{body8}{check}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_codes_verify() {
        for code in [
            "914403001922038216",
            "91440300708461136T",
            "91330100716105852F",
            "91330782MAE50WWN6A",
        ] {
            let parsed = Uscc::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(parsed.as_str(), code);
        }
    }

    #[test]
    fn wrong_check_symbols_are_rejected() {
        assert!(matches!(
            Uscc::parse("914403001922038217"),
            Err(UsccError::CheckSymbol { expected: '6', .. })
        ));
        assert!(Uscc::parse("91330100799655058C").is_err());
    }

    #[test]
    fn length_and_symbols_are_checked() {
        assert_eq!(Uscc::parse("9144030019220382"), Err(UsccError::Length(16)));
        assert!(matches!(
            Uscc::parse("9144030019220382I6"),
            Err(UsccError::Symbol {
                symbol: 'I',
                position: 17
            })
        ));
        assert!(Uscc::parse("91440300192203821六").is_err());
    }

    #[test]
    fn lower_case_is_accepted_and_normalised() {
        assert_eq!(
            Uscc::parse("91440300708461136t").unwrap().as_str(),
            "91440300708461136T"
        );
    }

    fn org_body() -> impl Strategy<Value = String> {
        "[0-9A-HJ-NP-RTUWXY]{8}"
    }

    proptest! {
        #[test]
        fn generated_codes_round_trip(prefix in "[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}", body in org_body()) {
            let org = organisation_code(&body).unwrap();
            // An organisation check of 'X' is fine: X is in the credit-code alphabet.
            let code = with_check_symbol(&format!("{prefix}{org}")).unwrap();
            let parsed = Uscc::parse(&code).unwrap();
            prop_assert_eq!(parsed.to_string(), code.clone());
            prop_assert_eq!(parsed.to_string().parse::<Uscc>().unwrap(), parsed);
        }

        #[test]
        fn any_single_symbol_change_is_detected(prefix in "[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}", body in org_body(), position in 0usize..18, replacement in 0usize..31) {
            let org = organisation_code(&body).unwrap();
            let code = with_check_symbol(&format!("{prefix}{org}")).unwrap();
            let mut bytes = code.into_bytes();
            let new = ALPHABET[replacement];
            prop_assume!(bytes[position] != new);
            bytes[position] = new;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(Uscc::parse(&changed).is_err());
        }
    }
}
