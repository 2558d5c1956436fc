//! Country names as lists write them (`United States`, `South Korea`,
//! `美国`, `USA`) resolved to ISO 3166-1 alpha-2 codes, from the table in
//! `data/countries.csv` (see `data/README.md` for where it comes from).

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use hatchery_core::Country;

use crate::cells::fold_width;

const COUNTRIES_CSV: &str = include_str!("../data/countries.csv");

/// Names lists use that the ISO and CLDR names leave out. Chinese lists
/// write Hong Kong, Macao and Taiwan with a 中国 prefix.
const MORE_NAMES: [(&str, &str); 8] = [
    ("UAE", "AE"),
    ("Korea", "KR"),
    ("中国香港", "HK"),
    ("中國香港", "HK"),
    ("中国澳门", "MO"),
    ("中國澳門", "MO"),
    ("中国台湾", "TW"),
    ("中國台灣", "TW"),
];

/// The comparison form of a country name: width-folded, case-folded,
/// letters and digits only, without a leading "the".
fn comparable(name: &str) -> String {
    let folded = fold_width(name).to_lowercase();
    let trimmed = folded.trim();
    let trimmed = trimmed.strip_prefix("the ").unwrap_or(trimmed);
    trimmed.chars().filter(|c| c.is_alphanumeric()).collect()
}

fn index() -> &'static HashMap<String, Country> {
    static INDEX: OnceLock<HashMap<String, Country>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        let mut reader = csv::Reader::from_reader(COUNTRIES_CSV.as_bytes());
        for record in reader.records() {
            let record = record.expect("the shipped country table is valid CSV");
            let code = Country::parse(&record[0]).expect("the shipped table holds ISO codes");
            let names = record[3].split('|').chain([&record[0], &record[1]]);
            for name in names {
                index.entry(comparable(name)).or_insert(code);
            }
        }
        for (name, code) in MORE_NAMES {
            index.insert(comparable(name), Country::parse(code).expect("an ISO code"));
        }
        index
    })
}

/// The ISO code of a country name, alpha-2 or alpha-3 code; a profile's
/// aliases are tried first.
pub fn resolve_country(name: &str, aliases: &BTreeMap<String, Country>) -> Option<Country> {
    let key = comparable(name);
    if key.is_empty() {
        return None;
    }
    aliases
        .iter()
        .find(|(alias, _)| comparable(alias) == key)
        .map(|(_, code)| *code)
        .or_else(|| index().get(&key).copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(name: &str) -> Option<String> {
        resolve_country(name, &BTreeMap::new()).map(|c| c.to_string())
    }

    #[test]
    fn every_country_of_the_2022_list_resolves() {
        let expected = [
            ("United States", "US"),
            ("China", "CN"),
            ("Hong Kong", "HK"),
            ("South Korea", "KR"),
            ("Czech Republic", "CZ"),
            ("Turkey", "TR"),
            ("United Arab Emirates", "AE"),
            ("United Kingdom", "GB"),
            ("Bahamas", "BS"),
            ("Vietnam", "VN"),
            ("Bermuda", "BM"),
            ("Senegal", "SN"),
        ];
        for (name, iso) in expected {
            assert_eq!(code(name).as_deref(), Some(iso), "{name}");
        }
    }

    #[test]
    fn chinese_names_codes_and_variants() {
        for (name, iso) in [
            ("美国", "US"),
            ("中国", "CN"),
            ("中國", "CN"),
            ("英国", "GB"),
            ("韩国", "KR"),
            ("中国香港", "HK"),
            ("  united  states  ", "US"),
            ("The Netherlands", "NL"),
            ("USA", "US"),
            ("usa", "US"),
            ("DE", "DE"),
            ("ＵＳ", "US"),
            ("UAE", "AE"),
        ] {
            assert_eq!(code(name).as_deref(), Some(iso), "{name}");
        }
        assert_eq!(code("Narnia"), None);
        assert_eq!(code(""), None);
        assert_eq!(code("--"), None);
    }

    #[test]
    fn aliases_come_first() {
        let aliases = BTreeMap::from([("大陆".to_owned(), Country::CN)]);
        assert_eq!(resolve_country("大陆", &aliases), Some(Country::CN));
        let override_ = BTreeMap::from([("Korea".to_owned(), Country::parse("KP").unwrap())]);
        assert_eq!(
            resolve_country("korea", &override_).unwrap().to_string(),
            "KP"
        );
    }
}
