//! GB/T 2260 administrative division codes and the names that go with them.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// A six-digit GB/T 2260 administrative division code, e.g. `110108` (海淀区).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DivisionCode(u32);

/// Why a text is not a division code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a division code is six digits (GB/T 2260, e.g. 110108), found '{0}'")]
pub struct DivisionCodeError(pub String);

/// The level of a division code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    Province,
    City,
    District,
}

/// Provinces whose capital city is the province itself (直辖市).
const MUNICIPALITIES: [u32; 4] = [11, 12, 31, 50];

impl DivisionCode {
    /// Parses exactly six ASCII digits.
    pub fn parse(text: &str) -> Result<Self, DivisionCodeError> {
        if text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(text.parse().expect("six digits")))
        } else {
            Err(DivisionCodeError(text.to_owned()))
        }
    }

    /// The code as a number, e.g. `110108`.
    pub fn value(self) -> u32 {
        self.0
    }

    /// Builds a code from its numeric value; `None` above 999999.
    pub fn from_value(value: u32) -> Option<Self> {
        (value <= 999_999).then_some(Self(value))
    }

    /// The two-digit province part, e.g. `11`.
    pub fn province_prefix(self) -> u32 {
        self.0 / 10_000
    }

    /// The province: first two digits followed by `0000`.
    pub fn province(self) -> Self {
        Self(self.province_prefix() * 10_000)
    }

    /// Whether the province is one of the four municipalities (直辖市).
    pub fn is_municipality(self) -> bool {
        MUNICIPALITIES.contains(&self.province_prefix())
    }

    /// The city: first four digits followed by `00`; for the four municipalities
    /// (and Hong Kong and Macao) the province code is the city.
    pub fn city(self) -> Self {
        if self.is_municipality() || matches!(self.province_prefix(), 81 | 82) {
            self.province()
        } else {
            Self(self.0 / 100 * 100)
        }
    }

    /// What this code names.
    pub fn level(self) -> DivisionLevel {
        if self.0.is_multiple_of(10_000) {
            DivisionLevel::Province
        } else if self.0.is_multiple_of(100) {
            DivisionLevel::City
        } else {
            DivisionLevel::District
        }
    }

    /// Whether the code's digits start with `prefix` (e.g. `4403`, `44`, `440305`).
    pub fn has_prefix(self, prefix: &str) -> bool {
        self.to_string().starts_with(prefix)
    }

    /// The code's name in the division table, or `None` for a code the table lacks.
    pub fn name(self) -> Option<&'static str> {
        divisions().names.get(&self.0).map(String::as_str)
    }

    /// A readable name for this code at its own level; falls back to the code itself.
    pub fn display_name(self) -> String {
        match self.level() {
            DivisionLevel::City if self.is_municipality() => self.province().display_name(),
            _ => self.name().map_or_else(|| self.to_string(), str::to_owned),
        }
    }
}

impl FromStr for DivisionCode {
    type Err = DivisionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for DivisionCode {
    type Error = DivisionCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DivisionCode> for String {
    fn from(value: DivisionCode) -> Self {
        value.to_string()
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

/// One row of the division table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Division {
    pub code: DivisionCode,
    pub name: &'static str,
    pub level: DivisionLevel,
}

struct DivisionTable {
    names: HashMap<u32, String>,
    ordered: Vec<u32>,
}

const PROVINCES_CSV: &str = include_str!("../data/divisions/provinces.csv");
const CITIES_CSV: &str = include_str!("../data/divisions/cities.csv");
const AREAS_CSV: &str = include_str!("../data/divisions/areas.csv");

/// Codes the mainland table leaves out but statistics need.
const SPECIAL_REGIONS: [(u32, &str); 3] = [
    (710_000, "台湾省"),
    (810_000, "香港特别行政区"),
    (820_000, "澳门特别行政区"),
];

fn read_table(csv_text: &str, pad: u32, names: &mut HashMap<u32, String>, ordered: &mut Vec<u32>) {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    for record in reader.records() {
        let record = record.expect("shipped division table is valid CSV");
        let code: u32 = record[0]
            .parse()
            .expect("shipped division codes are numeric");
        let full = code * pad;
        let name = record[1].to_owned();
        // 市辖区 / 县 are placeholders for a municipality's own districts: the
        // municipality's name is the one a reader expects.
        if !(name == "市辖区" || name == "县") {
            names.insert(full, name);
            ordered.push(full);
        }
    }
}

fn divisions() -> &'static DivisionTable {
    static TABLE: OnceLock<DivisionTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut names = HashMap::new();
        let mut ordered = Vec::new();
        read_table(PROVINCES_CSV, 10_000, &mut names, &mut ordered);
        read_table(CITIES_CSV, 100, &mut names, &mut ordered);
        read_table(AREAS_CSV, 1, &mut names, &mut ordered);
        for (code, name) in SPECIAL_REGIONS {
            names.insert(code, name.to_owned());
            ordered.push(code);
        }
        ordered.sort_unstable();
        ordered.dedup();
        DivisionTable { names, ordered }
    })
}

/// Every division in the shipped table, in code order.
pub fn all_divisions() -> impl Iterator<Item = Division> {
    let table = divisions();
    table.ordered.iter().map(move |&code| {
        let code = DivisionCode(code);
        Division {
            code,
            name: table.names[&code.0].as_str(),
            level: code.level(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn province_and_city_derivation() {
        let haidian = DivisionCode::parse("110108").unwrap();
        assert_eq!(haidian.province().to_string(), "110000");
        assert_eq!(haidian.city().to_string(), "110000");
        let nanshan = DivisionCode::parse("440305").unwrap();
        assert_eq!(nanshan.province().to_string(), "440000");
        assert_eq!(nanshan.city().to_string(), "440300");
        assert_eq!(nanshan.level(), DivisionLevel::District);
        assert!(nanshan.has_prefix("4403"));
        assert!(!nanshan.has_prefix("4401"));
        let chongqing_county = DivisionCode::parse("500229").unwrap();
        assert_eq!(chongqing_county.city().to_string(), "500000");
    }

    #[test]
    fn names_come_from_the_shipped_table() {
        assert_eq!(
            DivisionCode::parse("440300").unwrap().display_name(),
            "深圳市"
        );
        assert_eq!(
            DivisionCode::parse("110000").unwrap().display_name(),
            "北京市"
        );
        assert_eq!(
            DivisionCode::parse("110108").unwrap().display_name(),
            "海淀区"
        );
        assert_eq!(
            DivisionCode::parse("810000").unwrap().display_name(),
            "香港特别行政区"
        );
        assert_eq!(
            DivisionCode::parse("990100").unwrap().display_name(),
            "990100"
        );
        assert!(all_divisions().count() > 3000);
    }

    #[test]
    fn malformed_codes_are_rejected() {
        for bad in ["11010", "1101088", "11010a", "", "１１０１０８"] {
            assert!(DivisionCode::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parse_display_round_trip(value in 0u32..1_000_000) {
            let text = format!("{value:06}");
            let code = DivisionCode::parse(&text).unwrap();
            prop_assert_eq!(code.to_string(), text);
            prop_assert_eq!(code.value(), value);
        }
    }
}
