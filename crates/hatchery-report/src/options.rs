//! What a report is asked for: its language, its scope and its regions.

use std::fmt;
use std::str::FromStr;

use hatchery_core::DivisionCode;
use hatchery_core::division::DivisionLevel;
use serde::{Deserialize, Serialize};

use crate::error::ScopeError;
use crate::regions::Regions;

/// The language of a report's titles, headers and division names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 tag, as HTML's `lang` attribute wants it.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }
}

/// Why a text is not a language of the report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a report language (zh or en)")]
pub struct LangError(pub String);

impl FromStr for Lang {
    type Err = LangError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" => Ok(Self::Zh),
            "en" => Ok(Self::En),
            _ => Err(LangError(text.to_owned())),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Zh => "zh",
            Self::En => "en",
        })
    }
}

/// What a report is restricted to. On each as-of date an enterprise is in a
/// province or city scope when its effective region (after relocations) is
/// in it, and in a zone scope when it carries that zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// A province, held as its `NN0000` code.
    Province(DivisionCode),
    /// A city, held as its `NNNN00` code (the `NN0000` code for the four
    /// municipalities, Hong Kong and Macao, whose city is the province).
    City(DivisionCode),
    /// A national zone, by its one id (`hz-440300-1`): a name or alias
    /// given to [`Scope::parse`] is resolved to it, and an enterprise is in
    /// scope when its `zone` resolves to it. A text no zone answers to is
    /// kept, and matches enterprises that carry that same text.
    Zone(String),
}

impl Scope {
    /// Parses `44` or `440000` (a province), `4403` or `440300` (a city),
    /// `zone:ID` or any text that is not all digits (a zone id, name or
    /// alias, resolved to the zone's id).
    pub fn parse(text: &str) -> Result<Self, ScopeError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ScopeError::Empty);
        }
        if let Some(zone) = text.strip_prefix("zone:") {
            let zone = zone.trim();
            return if zone.is_empty() {
                Err(ScopeError::Empty)
            } else {
                Ok(Self::Zone(crate::names::zone_key(zone).to_owned()))
            };
        }
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Self::Zone(crate::names::zone_key(text).to_owned()));
        }
        let not_division = || ScopeError::NotProvinceOrCity(text.to_owned());
        let six = match text.len() {
            2 => format!("{text}0000"),
            4 if !text.ends_with("00") => format!("{text}00"),
            6 => text.to_owned(),
            _ => return Err(not_division()),
        };
        let code = DivisionCode::parse(&six).map_err(|_| not_division())?;
        if code.value() < 10_000 {
            return Err(not_division());
        }
        match code.level() {
            DivisionLevel::Province => Ok(Self::Province(code)),
            // `1101` (Beijing's districts) and `110100` both mean the city of
            // Beijing, whose city code is the province code.
            DivisionLevel::City => Ok(Self::City(code.city())),
            DivisionLevel::District => Err(not_division()),
        }
    }

    /// Whether an enterprise with this effective region and zone is in scope.
    pub fn contains(&self, region: Option<DivisionCode>, zone: Option<&str>) -> bool {
        match self {
            Self::Province(code) => region.is_some_and(|r| r.province() == *code),
            Self::City(code) => region.is_some_and(|r| r.city() == *code),
            Self::Zone(id) => zone.is_some_and(|z| crate::names::zone_key(z) == id.as_str()),
        }
    }

    /// Whether membership depends on the region, which relocations change.
    pub fn needs_region(&self) -> bool {
        !matches!(self, Self::Zone(_))
    }
}

impl FromStr for Scope {
    type Err = ScopeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Province(code) | Self::City(code) => code.fmt(f),
            Self::Zone(id) => write!(f, "zone:{id}"),
        }
    }
}

/// Everything a report can be asked for besides the data, the rules and the dates.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Restrict every figure to one province, city or zone.
    pub scope: Option<Scope>,
    /// The language of names, titles and headers.
    pub lang: Lang,
    /// How many cities the "top cities" table lists.
    pub top_cities: usize,
    /// Region definitions; `None` uses the ones shipped in the crate.
    pub regions: Option<Regions>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            scope: None,
            lang: Lang::Zh,
            top_cities: 10,
            regions: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    #[test]
    fn provinces_cities_and_zones_parse() {
        assert_eq!(Scope::parse("44"), Ok(Scope::Province(code("440000"))));
        assert_eq!(Scope::parse("440000"), Ok(Scope::Province(code("440000"))));
        assert_eq!(Scope::parse("4403"), Ok(Scope::City(code("440300"))));
        assert_eq!(Scope::parse(" 440300 "), Ok(Scope::City(code("440300"))));
        assert_eq!(Scope::parse("1101"), Ok(Scope::City(code("110000"))));
        // A zone's alias or name scopes by the zone's one id.
        assert_eq!(
            Scope::parse("zhongguancun"),
            Ok(Scope::Zone("hz-110000-1".into()))
        );
        assert_eq!(
            Scope::parse("zone:深圳高新区"),
            Ok(Scope::Zone("hz-440300-1".into()))
        );
        assert_eq!(
            Scope::parse("hz-440300-1"),
            Ok(Scope::Zone("hz-440300-1".into()))
        );
        // A text no zone answers to is kept as the key enterprises carry.
        assert_eq!(Scope::parse("z-park"), Ok(Scope::Zone("z-park".into())));
        assert_eq!(Scope::parse("zone:4403"), Ok(Scope::Zone("4403".into())));
        let zone = Scope::parse("hz-440300-1").unwrap();
        assert!(zone.contains(None, Some("shenzhen-hitech")));
        assert!(zone.contains(None, Some("深圳市高新技术产业园区")));
        assert!(!zone.contains(None, Some("zgc")));
    }

    #[test]
    fn districts_and_odd_lengths_are_refused() {
        for bad in ["440305", "4", "440", "4400", "44030", "000000", "", "zone:"] {
            assert!(Scope::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn membership_follows_the_effective_region() {
        let shenzhen = Scope::parse("4403").unwrap();
        assert!(shenzhen.contains(Some(code("440305")), None));
        assert!(!shenzhen.contains(Some(code("440106")), None));
        assert!(!shenzhen.contains(None, Some("4403")));
        let beijing = Scope::parse("110000").unwrap();
        assert!(beijing.contains(Some(code("110108")), None));
        let beijing_city = Scope::parse("1101").unwrap();
        assert!(beijing_city.contains(Some(code("110108")), None));
        let zone = Scope::parse("zone:z1").unwrap();
        assert!(zone.contains(None, Some("z1")));
        assert!(!zone.contains(Some(code("110108")), Some("z2")));
    }

    #[test]
    fn languages_parse_and_display() {
        assert_eq!("zh".parse(), Ok(Lang::Zh));
        assert_eq!("EN".parse(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().is_err());
        assert_eq!(Lang::En.to_string(), "en");
    }
}
