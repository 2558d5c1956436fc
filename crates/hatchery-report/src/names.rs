//! Names of provinces and cities in the report's language: Chinese from the
//! core's division table, English from `data/divisions-en.csv`.

use std::collections::HashMap;
use std::sync::OnceLock;

use hatchery_core::DivisionCode;

use crate::options::Lang;

const ENGLISH_CSV: &str = include_str!("../data/divisions-en.csv");

/// English names by six-digit code. Rows that do not parse are skipped; a
/// test holds the shipped file to parsing whole.
fn english() -> &'static HashMap<u32, &'static str> {
    static TABLE: OnceLock<HashMap<u32, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| english_rows().filter_map(Result::ok).collect())
}

/// Each data row of the English table: `code,name,name_en`.
fn english_rows() -> impl Iterator<Item = Result<(u32, &'static str), &'static str>> {
    ENGLISH_CSV.lines().skip(1).map(|line| {
        let mut cells = line.splitn(3, ',');
        let code = cells.next().and_then(|c| DivisionCode::parse(c).ok());
        let english = cells.nth(1).filter(|n| !n.is_empty() && !n.contains('"'));
        match (code, english) {
            (Some(code), Some(english)) => Ok((code.value(), english)),
            _ => Err(line),
        }
    })
}

/// The name of a province or city code in `lang`. An English name missing
/// from the table falls back to the Chinese one, and a code missing from
/// both to the code itself.
pub fn division_name(code: DivisionCode, lang: Lang) -> String {
    match lang {
        Lang::Zh => code.display_name(),
        Lang::En => english()
            .get(&code.value())
            .map_or_else(|| code.display_name(), |name| (*name).to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hatchery_core::division::{DivisionLevel, all_divisions};

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    #[test]
    fn the_english_table_parses_whole() {
        let bad: Vec<&str> = english_rows().filter_map(Result::err).collect();
        assert!(bad.is_empty(), "unparsed rows: {bad:?}");
    }

    #[test]
    fn every_province_and_city_has_an_english_name() {
        let missing: Vec<String> = all_divisions()
            .filter(|d| d.level != DivisionLevel::District)
            .filter(|d| !english().contains_key(&d.code.value()))
            .map(|d| format!("{} {}", d.code, d.name))
            .collect();
        assert!(missing.is_empty(), "no English name: {missing:?}");
    }

    #[test]
    fn names_follow_the_language() {
        assert_eq!(division_name(code("440300"), Lang::Zh), "深圳市");
        assert_eq!(division_name(code("440300"), Lang::En), "Shenzhen");
        assert_eq!(division_name(code("110000"), Lang::En), "Beijing");
        assert_eq!(division_name(code("810000"), Lang::Zh), "香港特别行政区");
        assert_eq!(division_name(code("810000"), Lang::En), "Hong Kong");
        assert_eq!(division_name(code("230100"), Lang::En), "Harbin");
        // A code no table knows is shown as itself.
        assert_eq!(division_name(code("990100"), Lang::En), "990100");
    }
}
