//! Country names as lists write them (`United States`, `South Korea`,
//! `美国`, `USA`) resolved to ISO 3166-1 alpha-2 codes, from the table in
//! `data/countries.csv` (see `data/README.md` for where it comes from); and
//! the country of a city, for rows that name a city but no country: a
//! city-state or territory (`Singapore`, `Hong Kong`), or a place the
//! offline gazetteer `data/cities.csv` knows in one country only.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use hatchery_core::{Country, DivisionCode};
use unicode_normalization::UnicodeNormalization;

use crate::cells::fold_width;
use crate::city::{CityMatch, resolve_city};

const COUNTRIES_CSV: &str = include_str!("../data/countries.csv");
const CITIES_CSV: &str = include_str!("../data/cities.csv");

/// Cities that are a whole country or territory: their name says the
/// country whatever else shares it (the gazetteer also has a Macau in Brazil).
const CITY_STATES: [(&str, &str); 19] = [
    ("Singapore", "SG"),
    ("新加坡", "SG"),
    ("Hong Kong", "HK"),
    ("Hongkong", "HK"),
    ("香港", "HK"),
    ("Macao", "MO"),
    ("Macau", "MO"),
    ("澳门", "MO"),
    ("澳門", "MO"),
    ("Monaco", "MC"),
    ("Monte Carlo", "MC"),
    ("摩纳哥", "MC"),
    ("Luxembourg", "LU"),
    ("Luxembourg City", "LU"),
    ("卢森堡", "LU"),
    ("Vatican City", "VA"),
    ("San Marino", "SM"),
    ("Gibraltar", "GI"),
    ("Liechtenstein", "LI"),
];

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

/// What a city says of its country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CityCountry {
    /// A city-state or territory: the city is the country.
    CityState(Country),
    /// The gazetteer (and the Chinese division table) know the name in this
    /// country only.
    Gazetteer(Country),
    /// Places of that name are in several countries.
    Ambiguous(Vec<Country>),
    /// No place of that name is known.
    Unknown,
}

/// The comparison form of a place name: width- and case-folded, accents
/// dropped (`Zürich` = `Zurich`), letters and digits only.
fn place_key(name: &str) -> String {
    fold_width(name)
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn city_states() -> &'static HashMap<String, Country> {
    static INDEX: OnceLock<HashMap<String, Country>> = OnceLock::new();
    INDEX.get_or_init(|| {
        CITY_STATES
            .iter()
            .map(|(name, code)| (place_key(name), Country::parse(code).expect("an ISO code")))
            .collect()
    })
}

/// The gazetteer: a place name's key → the countries with a place of that name.
fn gazetteer() -> &'static HashMap<String, BTreeSet<Country>> {
    static INDEX: OnceLock<HashMap<String, BTreeSet<Country>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: HashMap<String, BTreeSet<Country>> = HashMap::new();
        let mut reader = csv::Reader::from_reader(CITIES_CSV.as_bytes());
        for record in reader.records() {
            let record = record.expect("the shipped gazetteer is valid CSV");
            // GeoNames codes a few places with codes that are not ISO
            // 3166-1 (XK, Kosovo): those are left out.
            if let Ok(country) = Country::parse(&record[1]) {
                index
                    .entry(place_key(&record[0]))
                    .or_default()
                    .insert(country);
            }
        }
        index
    })
}

/// The country of a Chinese division: Hong Kong, Macao and Taiwan have their own.
fn country_of_division(code: DivisionCode) -> Option<Country> {
    let iso = match code.province_prefix() {
        81 => "HK",
        82 => "MO",
        71 => "TW",
        _ => "CN",
    };
    Country::parse(iso).ok()
}

/// What a city name says of its country: a city-state's name is its
/// country; otherwise every place of that name in the gazetteer (GeoNames
/// places of 15,000 people or more) and every Chinese division it can be
/// (with the profile's city `aliases`) count, and one country among them
/// all is the answer. Several are [`CityCountry::Ambiguous`]: `Cambridge`
/// is in the UK, the US, Canada and New Zealand.
pub fn country_of_city(city: &str, aliases: &BTreeMap<String, DivisionCode>) -> CityCountry {
    let key = place_key(city);
    if key.is_empty() {
        return CityCountry::Unknown;
    }
    if let Some(country) = city_states().get(&key) {
        return CityCountry::CityState(*country);
    }
    let mut countries = gazetteer().get(&key).cloned().unwrap_or_default();
    let divisions = match resolve_city(city, aliases) {
        CityMatch::City(code) | CityMatch::Province(code) => vec![code],
        CityMatch::Ambiguous(codes) => codes,
        CityMatch::Unknown => Vec::new(),
    };
    countries.extend(divisions.into_iter().filter_map(country_of_division));
    let mut countries = countries.into_iter();
    match (countries.next(), countries.len()) {
        (None, _) => CityCountry::Unknown,
        (Some(country), 0) => CityCountry::Gazetteer(country),
        (Some(first), _) => {
            CityCountry::Ambiguous(std::iter::once(first).chain(countries).collect())
        }
    }
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

    fn of_city(name: &str) -> CityCountry {
        country_of_city(name, &BTreeMap::new())
    }

    fn iso(code: &str) -> Country {
        Country::parse(code).unwrap()
    }

    #[test]
    fn city_states_are_their_country() {
        for (city, country) in [
            ("Singapore", "SG"),
            ("Hong Kong", "HK"),
            ("香港", "HK"),
            // The gazetteer also has a Macau in Brazil: the territory wins.
            ("Macau", "MO"),
            ("Macao", "MO"),
            ("Monaco", "MC"),
            ("Luxembourg", "LU"),
            ("  SINGAPORE ", "SG"),
        ] {
            assert_eq!(
                of_city(city),
                CityCountry::CityState(iso(country)),
                "{city}"
            );
        }
    }

    #[test]
    fn the_gazetteer_answers_when_one_country_has_the_name() {
        for (city, country) in [
            ("Menlo Park", "US"),
            ("Bengaluru", "IN"),
            ("Stockholm", "SE"),
            ("Zurich", "CH"),
            ("Zürich", "CH"),
            ("Beijing", "CN"),
            ("深圳", "CN"),
            ("Suzhou", "CN"),
            ("Taipei", "TW"),
        ] {
            assert_eq!(
                of_city(city),
                CityCountry::Gazetteer(iso(country)),
                "{city}"
            );
        }
    }

    #[test]
    fn a_name_of_several_countries_is_ambiguous_and_an_unknown_one_unknown() {
        assert_eq!(
            of_city("Cambridge"),
            CityCountry::Ambiguous(vec![iso("CA"), iso("GB"), iso("NZ"), iso("US")])
        );
        assert!(matches!(of_city("London"), CityCountry::Ambiguous(_)));
        assert_eq!(of_city("Cair Paravel"), CityCountry::Unknown);
        assert_eq!(of_city("--"), CityCountry::Unknown);
    }
}
