//! Names in the report's language: of provinces and cities (Chinese from
//! the core's division table, English from `data/divisions-en.csv`), and of
//! industries, high-tech zones and tags (both from `data/names.toml`).

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use hatchery_core::DivisionCode;
use hatchery_core::workflow::ZoneResolver;
use serde::Deserialize;

use crate::options::Lang;

const ENGLISH_CSV: &str = include_str!("../data/divisions-en.csv");
const CATALOG_TOML: &str = include_str!("../data/names.toml");

/// What kind of key a name is looked up for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// An industry key, e.g. `semiconductors`.
    Industry,
    /// A national high-tech zone id, e.g. `zgc`.
    Zone,
    /// A tag, e.g. `future:bci`.
    Tag,
}

/// A key's names in both languages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Names {
    zh: String,
    en: String,
}

/// The shipped catalog of names.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalog {
    industries: BTreeMap<String, Names>,
    zones: BTreeMap<String, Names>,
    tags: BTreeMap<String, Names>,
}

fn parse_catalog() -> Result<Catalog, toml::de::Error> {
    toml::from_str(CATALOG_TOML)
}

/// The catalog; a test holds the shipped file to parsing, so an empty one
/// stands in only for a file that cannot be.
fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        parse_catalog().unwrap_or_else(|_| Catalog {
            industries: BTreeMap::new(),
            zones: BTreeMap::new(),
            tags: BTreeMap::new(),
        })
    })
}

fn section(kind: KeyKind) -> &'static BTreeMap<String, Names> {
    let catalog = catalog();
    match kind {
        KeyKind::Industry => &catalog.industries,
        KeyKind::Zone => &catalog.zones,
        KeyKind::Tag => &catalog.tags,
    }
}

/// The one id of the national zone `text` names (an id, a name or an
/// alias such as `深圳高新区` or `shenzhen-hitech`), or `text` itself when
/// no zone of the shipped table answers to it.
pub fn zone_key(text: &str) -> &str {
    ZoneResolver::shipped().canonical(text)
}

/// The catalog's name of an industry, zone or tag in `lang`; `None` for a
/// key the catalog lacks. A zone's name comes from the zone table (its
/// official name, or its English name where known) before the catalog.
pub fn key_name(kind: KeyKind, key: &str, lang: Lang) -> Option<&'static str> {
    if kind == KeyKind::Zone
        && let Some(zone) = ZoneResolver::shipped().resolve(key)
    {
        return Some(match (lang, &zone.name_en) {
            (Lang::En, Some(english)) => english.as_str(),
            _ => zone.name.as_str(),
        });
    }
    section(kind).get(key).map(|names| match lang {
        Lang::Zh => names.zh.as_str(),
        Lang::En => names.en.as_str(),
    })
}

/// The name to show for a key: the catalog's, else the key itself.
pub(crate) fn shown_name(kind: KeyKind, key: &str, lang: Lang) -> String {
    key_name(kind, key, lang).unwrap_or(key).to_owned()
}

/// Whether the zone table or the catalog names this zone.
pub(crate) fn zone_known(id: &str) -> bool {
    ZoneResolver::shipped().resolve(id).is_some() || catalog().zones.contains_key(id)
}

/// Every zone id the zone table and the catalog name.
pub(crate) fn zone_keys() -> impl Iterator<Item = &'static str> {
    ZoneResolver::shipped()
        .entries()
        .iter()
        .map(|e| e.id.as_str())
        .chain(
            catalog()
                .zones
                .keys()
                .map(String::as_str)
                .filter(|k| ZoneResolver::shipped().resolve(k).is_none()),
        )
}

/// A zone's names, Chinese then English (when known), then its aliases;
/// empty for an unknown id.
pub(crate) fn zone_names(id: &str) -> Vec<&'static str> {
    if let Some(zone) = ZoneResolver::shipped().get(id) {
        return std::iter::once(zone.name.as_str())
            .chain(zone.name_en.as_deref())
            .chain(zone.aliases.iter().map(String::as_str))
            .collect();
    }
    catalog()
        .zones
        .get(id)
        .map(|n| vec![n.zh.as_str(), n.en.as_str()])
        .unwrap_or_default()
}

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
    fn the_catalog_parses_and_every_name_is_filled_in() {
        let catalog = parse_catalog().unwrap();
        for (kind, section) in [
            ("industries", &catalog.industries),
            ("zones", &catalog.zones),
            ("tags", &catalog.tags),
        ] {
            assert!(!section.is_empty(), "{kind}");
            for (key, names) in section {
                assert!(
                    !names.zh.trim().is_empty() && !names.en.trim().is_empty(),
                    "{kind}.{key}"
                );
            }
        }
        assert_eq!(
            key_name(KeyKind::Industry, "semiconductors", Lang::Zh),
            Some("集成电路")
        );
        assert_eq!(
            key_name(KeyKind::Zone, "zgc", Lang::En),
            Some("Zhongguancun Science Park")
        );
        assert_eq!(key_name(KeyKind::Tag, "no-such-tag", Lang::Zh), None);
        assert_eq!(
            shown_name(KeyKind::Tag, "no-such-tag", Lang::Zh),
            "no-such-tag"
        );
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
