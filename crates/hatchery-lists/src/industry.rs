//! Industry keys: the list's industry names, case-folded and hyphenated
//! (`Artificial Intelligence` and `Artificial intelligence` are both
//! `artificial-intelligence`), after the profile's corrections of known
//! misspellings (`Finttech` → `Fintech`).

use std::collections::BTreeMap;

use crate::cells::fold_width;

/// An industry cell read as a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Industry {
    /// The key stored on the enterprise.
    pub key: String,
    /// The correction applied, `(as written, as meant)`, if any.
    pub corrected: Option<(String, String)>,
}

/// The key of an industry name: lower case, runs of anything but letters
/// and digits as one `-` (`Supply chain, logistics, & delivery` →
/// `supply-chain-logistics-delivery`). `None` when nothing is left.
pub fn industry_key(name: &str) -> Option<String> {
    let folded = fold_width(name).to_lowercase();
    let key = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    (!key.is_empty()).then_some(key)
}

/// Reads an industry cell, applying the first correction whose spelling
/// has the same key as the cell.
pub fn read_industry(cell: &str, corrections: &BTreeMap<String, String>) -> Option<Industry> {
    let written = cell.trim();
    let key = industry_key(written)?;
    let correction = corrections
        .iter()
        .find(|(wrong, _)| industry_key(wrong).as_deref() == Some(key.as_str()));
    Some(match correction {
        Some((_, meant)) => Industry {
            key: industry_key(meant).unwrap_or(key),
            corrected: Some((written.to_owned(), meant.clone())),
        },
        None => Industry {
            key,
            corrected: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_and_punctuation() {
        assert_eq!(
            industry_key("Artificial Intelligence"),
            industry_key("Artificial intelligence")
        );
        assert_eq!(
            industry_key("Supply chain, logistics, & delivery").unwrap(),
            "supply-chain-logistics-delivery"
        );
        assert_eq!(
            industry_key("E-commerce & direct-to-consumer").unwrap(),
            "e-commerce-direct-to-consumer"
        );
        assert_eq!(industry_key("金融科技").unwrap(), "金融科技");
        assert_eq!(industry_key(" & "), None);
    }

    #[test]
    fn corrections_are_applied_and_told() {
        let corrections = BTreeMap::from([("Finttech".to_owned(), "Fintech".to_owned())]);
        let typo = read_industry("Finttech ", &corrections).unwrap();
        assert_eq!(typo.key, "fintech");
        assert_eq!(
            typo.corrected,
            Some(("Finttech".to_owned(), "Fintech".to_owned()))
        );
        let plain = read_industry("Fintech", &corrections).unwrap();
        assert_eq!(plain.key, "fintech");
        assert_eq!(plain.corrected, None);
        assert_eq!(
            read_industry("FINTTECH", &corrections).unwrap().key,
            "fintech"
        );
    }
}
