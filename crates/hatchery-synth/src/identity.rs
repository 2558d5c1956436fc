//! Unified Social Credit Codes that pass GB 32100-2015's checks and are
//! unique in a dataset.
//!
//! A code is `9` (registered with market regulation) `1` (enterprise), the
//! six-digit division of the registering authority, a nine-symbol
//! organisation code with its GB 11714 check, and the GB 32100 check symbol.
//! The organisation code's body is the enterprise's index, scrambled by a
//! bijection, so two enterprises of one dataset never share a code.

use hatchery_core::uscc::{organisation_code, with_check_symbol};
use hatchery_core::{DivisionCode, Uscc};

/// Credit-code symbols in value order (GB 32100: no I, O, S, V, Z).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Distinct six-symbol tails of post-reform (`MA…`) bodies: 31^6.
const NEW_BODIES: u64 = 887_503_681;
/// Distinct all-digit bodies of pre-reform organisation codes.
const OLD_BODIES: u64 = 100_000_000;

/// Scrambles `index` below `modulus`; a bijection because the multiplier is
/// coprime with both moduli (it is prime and neither 2, 5 nor 31).
fn scramble(index: u64, modulus: u64) -> u64 {
    const MULTIPLIER: u128 = 1_000_003;
    const OFFSET: u128 = 7_919;
    ((u128::from(index) * MULTIPLIER + OFFSET) % u128::from(modulus)) as u64
}

/// The credit code of enterprise `index`, registered in `division`. Codes
/// issued since the 2015 reform carry an `MA…` organisation code, older
/// ones an all-digit one. `None` when the index is beyond the distinct codes.
pub(crate) fn credit_code(index: u64, division: DivisionCode, post_reform: bool) -> Option<Uscc> {
    let body = if post_reform {
        if index >= NEW_BODIES {
            return None;
        }
        let mut n = scramble(index, NEW_BODIES);
        let mut tail = [b'0'; 6];
        for slot in tail.iter_mut().rev() {
            *slot = ALPHABET[(n % 31) as usize];
            n /= 31;
        }
        format!("MA{}", std::str::from_utf8(&tail).ok()?)
    } else {
        if index >= OLD_BODIES {
            return None;
        }
        format!("{:08}", scramble(index, OLD_BODIES))
    };
    let organisation = organisation_code(&body)?;
    let code = with_check_symbol(&format!("91{division}{organisation}"))?;
    Uscc::parse(&code).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_verify_and_are_unique() {
        let division = DivisionCode::parse("110108").unwrap();
        let mut seen = HashSet::new();
        for index in 0..20_000 {
            for post_reform in [false, true] {
                let code = credit_code(index, division, post_reform).expect("in range");
                assert_eq!(code.registration_division(), "110108");
                assert_eq!(&code.as_str()[8..10] == "MA", post_reform, "{code}");
                assert!(seen.insert(code.to_string()), "{code} twice");
                assert_eq!(Uscc::parse(code.as_str()).unwrap(), code);
            }
        }
    }

    #[test]
    fn scrambling_is_a_bijection_on_small_moduli_too() {
        // The multiplier is coprime with 31^k and 10^k for every k.
        for modulus in [31u64, 961, 29_791, 100, 1_000] {
            let images: HashSet<u64> = (0..modulus).map(|i| scramble(i, modulus)).collect();
            assert_eq!(images.len() as u64, modulus);
        }
    }

    #[test]
    fn indexes_beyond_the_code_space_get_no_code() {
        let division = DivisionCode::parse("440305").unwrap();
        assert!(credit_code(OLD_BODIES, division, false).is_none());
        assert!(credit_code(NEW_BODIES, division, true).is_none());
        assert!(credit_code(OLD_BODIES, division, true).is_some());
    }
}
