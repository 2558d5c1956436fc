//! Whether a scope names something that exists: a province or city of the
//! division table, or a zone that an enterprise of the ledger carries or
//! the zone catalog names. An unknown scope is refused with the known
//! codes or zones nearest to it, rather than answered with an empty report.

use std::collections::BTreeSet;

use hatchery_core::division::{DivisionLevel, all_divisions};
use hatchery_core::{DivisionCode, Ledger};

use crate::error::ScopeError;
use crate::names;
use crate::options::Scope;

/// How many near matches an error names.
const NEAREST: usize = 3;

/// Refuses a province or city code the division table lacks, and a zone
/// that no enterprise of `ledger` carries and no catalog names.
pub(crate) fn check_scope(scope: &Scope, ledger: &Ledger) -> Result<(), ScopeError> {
    match scope {
        Scope::Province(code) | Scope::City(code) if code.name().is_some() => Ok(()),
        Scope::Province(code) => Err(ScopeError::UnknownDivision {
            code: code.to_string(),
            nearest: nearest_divisions(*code, DivisionLevel::Province),
        }),
        Scope::City(code) => Err(ScopeError::UnknownDivision {
            code: code.to_string(),
            nearest: nearest_divisions(*code, DivisionLevel::City),
        }),
        Scope::Zone(id) => {
            let mut known: BTreeSet<&str> = ledger
                .enterprises()
                .iter()
                .filter_map(|e| e.zone.as_deref())
                .map(names::zone_key)
                .collect();
            if known.contains(id.as_str()) || names::zone_known(id) {
                return Ok(());
            }
            for key in names::zone_keys() {
                known.insert(key);
            }
            Err(ScopeError::UnknownZone {
                zone: id.clone(),
                nearest: nearest_zones(id, known),
            })
        }
    }
}

/// The codes of `level` nearest to `code`: those of the same province
/// first, then numerically nearest (ties: lower code first), as `CODE name`
/// joined by commas. Cities include the divisions that are their own city
/// (municipalities, Hong Kong, Macao).
fn nearest_divisions(code: DivisionCode, level: DivisionLevel) -> String {
    let mut candidates: Vec<(bool, u32, DivisionCode, &str)> = all_divisions()
        .filter(|d| match level {
            DivisionLevel::City => {
                d.level == DivisionLevel::City
                    || (d.level == DivisionLevel::Province
                        && (d.code.is_municipality()
                            || matches!(d.code.province_prefix(), 81 | 82)))
            }
            other => d.level == other,
        })
        .map(|d| {
            (
                d.code.province() != code.province(),
                d.code.value().abs_diff(code.value()),
                d.code,
                d.name,
            )
        })
        .collect();
    candidates.sort_unstable_by_key(|&(other, distance, code, _)| (other, distance, code.value()));
    candidates
        .iter()
        .take(NEAREST)
        .map(|(_, _, code, name)| format!("{code} {name}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The known zone ids nearest to `zone` by edit distance, to the id or to
/// either of its catalog names (ties: by id), joined by commas; `none`
/// when no zone is known.
fn nearest_zones<'k>(zone: &str, known: impl IntoIterator<Item = &'k str>) -> String {
    let wanted = zone.to_lowercase();
    let mut ranked: Vec<(usize, &str)> = known
        .into_iter()
        .map(|id| {
            let by_name = names::zone_names(id)
                .into_iter()
                .map(|name| edit_distance(&wanted, &name.to_lowercase()))
                .min()
                .unwrap_or(usize::MAX);
            (edit_distance(&wanted, id).min(by_name), id)
        })
        .collect();
    ranked.sort_unstable();
    let nearest: Vec<String> = ranked
        .iter()
        .take(NEAREST)
        .map(|&(_, id)| match names::zone_names(id).first() {
            Some(name) => format!("{id} ({name})"),
            None => id.to_owned(),
        })
        .collect();
    if nearest.is_empty() {
        "none".to_owned()
    } else {
        nearest.join(", ")
    }
}

/// Levenshtein distance over characters (not bytes: names are Chinese).
fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("zgc", "zgc"), 0);
        assert_eq!(edit_distance("中关村", "中关村科技园"), 3);
    }

    #[test]
    fn an_unknown_province_names_the_nearest_ones() {
        let ledger = Ledger::default();
        let err = check_scope(&Scope::parse("99").unwrap(), &ledger).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("990000"), "{text}");
        assert!(
            text.contains("820000 澳门特别行政区, 810000 香港特别行政区, 710000 台湾省"),
            "{text}"
        );
        assert!(check_scope(&Scope::parse("44").unwrap(), &ledger).is_ok());
    }

    #[test]
    fn an_unknown_city_names_the_nearest_cities() {
        let ledger = Ledger::default();
        let err = check_scope(&Scope::parse("4499").unwrap(), &ledger).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("449900"), "{text}");
        assert!(text.contains("445300 云浮市"), "{text}");
        assert!(check_scope(&Scope::parse("4403").unwrap(), &ledger).is_ok());
        assert!(check_scope(&Scope::parse("1101").unwrap(), &ledger).is_ok());
    }
}
