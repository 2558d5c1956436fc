//! Jurisdictions (the nation, a province, city or district, a national zone),
//! where an enterprise or a declaration sits among them, and the scope an
//! account's reads and writes are filtered by.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::zone::{Zone, ZoneId, ZoneIdError};
use crate::division::{DivisionCode, DivisionCodeError, DivisionLevel};
use crate::ids::EnterpriseId;

/// A node of the jurisdiction tree. Written as text: `CN` for the nation, a
/// six-digit division code (`440000`, `440300`, `440305`), or `zone:ID`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Jurisdiction {
    /// The whole country: the ministry.
    Nation,
    /// A province, city or district, by its GB/T 2260 code.
    Division(DivisionCode),
    /// A national high-tech or development zone.
    Zone(ZoneId),
}

/// Why a text is not a jurisdiction. The message says what is wrong with
/// the code itself too, so the inner error is not also given as the source
/// (a reporter walking the chain would print it twice).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JurisdictionError {
    #[error("a jurisdiction is CN, a six-digit division code or zone:ID: {0}")]
    Division(DivisionCodeError),
    #[error("a jurisdiction is CN, a six-digit division code or zone:ID: {0}")]
    Zone(ZoneIdError),
    #[error("division code {0} is not in the GB/T 2260 table")]
    UnknownDivision(DivisionCode),
}

impl From<DivisionCodeError> for JurisdictionError {
    fn from(error: DivisionCodeError) -> Self {
        Self::Division(error)
    }
}

impl From<ZoneIdError> for JurisdictionError {
    fn from(error: ZoneIdError) -> Self {
        Self::Zone(error)
    }
}

impl Jurisdiction {
    /// Parses `CN`, a known division code, or `zone:ID`.
    pub fn parse(text: &str) -> Result<Self, JurisdictionError> {
        if text == "CN" {
            return Ok(Self::Nation);
        }
        if let Some(zone) = text.strip_prefix("zone:") {
            return Ok(Self::Zone(ZoneId::parse(zone)?));
        }
        let code = DivisionCode::parse(text)?;
        if code.name().is_none() && !code.is_municipality() {
            return Err(JurisdictionError::UnknownDivision(code));
        }
        Ok(Self::Division(code))
    }

    /// What reads and writes of an account bound here are filtered by.
    pub fn scope(&self) -> Scope {
        match self {
            Self::Nation => Scope::All,
            Self::Division(code) => match code.level() {
                DivisionLevel::Province => Scope::Province(*code),
                DivisionLevel::City => Scope::City(*code),
                DivisionLevel::District => Scope::District(*code),
            },
            Self::Zone(zone) => Scope::Zone(zone.clone()),
        }
    }

    /// The province this jurisdiction lies in, if it lies in one (a zone's
    /// province is known only with the zone's record).
    pub fn province(&self) -> Option<DivisionCode> {
        match self {
            Self::Division(code) => Some(code.province()),
            Self::Nation | Self::Zone(_) => None,
        }
    }
}

impl fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Nation => f.write_str("CN"),
            Self::Division(code) => code.fmt(f),
            Self::Zone(zone) => write!(f, "zone:{zone}"),
        }
    }
}

impl FromStr for Jurisdiction {
    type Err = JurisdictionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Jurisdiction {
    type Error = JurisdictionError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Jurisdiction> for String {
    fn from(value: Jurisdiction) -> Self {
        value.to_string()
    }
}

/// Where something sits in the jurisdiction tree: every level it belongs to.
/// Derived from the effective region and, failing that, from the zone's city.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Placement {
    pub province: Option<DivisionCode>,
    pub city: Option<DivisionCode>,
    pub district: Option<DivisionCode>,
    pub zone: Option<ZoneId>,
}

impl Placement {
    /// The placement of an enterprise whose effective region and zone are these.
    /// The region decides the divisions; a zone fills them in only when the
    /// region is unknown.
    pub fn of(region: Option<DivisionCode>, zone: Option<&Zone>) -> Self {
        let mut placement = match region {
            Some(region) => Self::of_division(region),
            None => match zone {
                Some(zone) => {
                    let mut from_zone = Self::of_division(zone.district.unwrap_or(zone.city));
                    from_zone.city = Some(zone.city);
                    from_zone
                }
                None => Self::default(),
            },
        };
        placement.zone = zone.map(|z| z.id.clone());
        placement
    }

    fn of_division(code: DivisionCode) -> Self {
        let level = code.level();
        Self {
            province: Some(code.province()),
            city: (level != DivisionLevel::Province || code.is_municipality()).then(|| code.city()),
            district: (level == DivisionLevel::District).then_some(code),
            zone: None,
        }
    }

    /// The most specific division, for the record (`None` for an enterprise
    /// outside China or without a region).
    pub fn division(&self) -> Option<DivisionCode> {
        self.district.or(self.city).or(self.province)
    }
}

/// What an account may see and touch.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Scope {
    /// Everything: the ministry.
    All,
    Province(DivisionCode),
    City(DivisionCode),
    District(DivisionCode),
    Zone(ZoneId),
    /// One enterprise's own records: an enterprise account.
    Enterprise(EnterpriseId),
}

impl Scope {
    /// Whether this scope covers the enterprise placed there.
    pub fn covers(&self, enterprise: &EnterpriseId, placement: &Placement) -> bool {
        match self {
            Self::Enterprise(id) => id == enterprise,
            _ => self.covers_place(placement),
        }
    }

    /// Whether this scope covers everything placed there (an enterprise's
    /// scope covers no place, only itself).
    pub fn covers_place(&self, placement: &Placement) -> bool {
        match self {
            Self::All => true,
            Self::Province(code) => placement.province == Some(*code),
            Self::City(code) => placement.city == Some(*code),
            Self::District(code) => placement.district == Some(*code),
            Self::Zone(zone) => placement.zone.as_ref() == Some(zone),
            Self::Enterprise(_) => false,
        }
    }

    /// Whether this scope covers everything another account's scope covers.
    pub fn contains(&self, other: &Scope) -> bool {
        match (self, other) {
            (Self::All, _) => true,
            (_, Self::All) => false,
            (Self::Province(p), Self::Province(q) | Self::City(q) | Self::District(q)) => {
                q.province() == *p
            }
            (Self::City(c), Self::City(q) | Self::District(q)) => q.city() == *c,
            (Self::District(d), Self::District(q)) => d == q,
            (Self::Zone(z), Self::Zone(y)) => z == y,
            (Self::Enterprise(e), Self::Enterprise(f)) => e == f,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::zone::ZoneKind;

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    fn id(text: &str) -> EnterpriseId {
        EnterpriseId::parse(text).unwrap()
    }

    #[test]
    fn jurisdictions_round_trip_as_text() {
        for text in [
            "CN",
            "440000",
            "440300",
            "440305",
            "110000",
            "zone:hz-440300-1",
        ] {
            assert_eq!(Jurisdiction::parse(text).unwrap().to_string(), text);
        }
        for bad in ["cn", "", "4403", "zone:", "zone:HZ", "990100"] {
            assert!(Jurisdiction::parse(bad).is_err(), "{bad}");
        }
        let json = serde_json::to_string(&Jurisdiction::parse("440300").unwrap()).unwrap();
        assert_eq!(json, "\"440300\"");
    }

    #[test]
    fn placements_follow_the_region_then_the_zone() {
        let nanshan = Placement::of(Some(code("440305")), None);
        assert_eq!(nanshan.province, Some(code("440000")));
        assert_eq!(nanshan.city, Some(code("440300")));
        assert_eq!(nanshan.district, Some(code("440305")));
        let haidian = Placement::of(Some(code("110108")), None);
        assert_eq!(haidian.city, Some(code("110000")));
        let guangdong = Placement::of(Some(code("440000")), None);
        assert_eq!(guangdong.city, None);
        let zone = Zone {
            id: ZoneId::parse("hz-440300-1").unwrap(),
            name: "深圳市高新技术产业园区".into(),
            kind: ZoneKind::HighTech,
            city: code("440300"),
            district: None,
            aliases: vec![],
        };
        let in_zone = Placement::of(None, Some(&zone));
        assert_eq!(in_zone.province, Some(code("440000")));
        assert_eq!(in_zone.city, Some(code("440300")));
        assert_eq!(in_zone.zone, Some(zone.id.clone()));
        assert_eq!(Placement::of(None, None), Placement::default());
    }

    #[test]
    fn scopes_cover_their_own_and_nothing_else() {
        let e = id("e1");
        let placement = Placement::of(Some(code("440305")), None);
        let covers = |j: &str| {
            Jurisdiction::parse(j)
                .unwrap()
                .scope()
                .covers(&e, &placement)
        };
        assert!(covers("CN"));
        assert!(covers("440000"));
        assert!(covers("440300"));
        assert!(covers("440305"));
        assert!(!covers("110000"));
        assert!(!covers("440100"));
        assert!(!covers("440304"));
        assert!(!covers("zone:hz-440300-1"));
        assert!(Scope::Enterprise(e.clone()).covers(&e, &placement));
        assert!(!Scope::Enterprise(id("e2")).covers(&e, &placement));
        assert!(!Scope::Province(code("440000")).covers(&e, &Placement::default()));
    }

    #[test]
    fn containment_follows_the_tree() {
        let p = Scope::Province(code("440000"));
        assert!(p.contains(&Scope::City(code("440300"))));
        assert!(!p.contains(&Scope::City(code("110000"))));
        assert!(!p.contains(&Scope::All));
        assert!(Scope::All.contains(&p));
        assert!(Scope::City(code("440300")).contains(&Scope::District(code("440305"))));
    }
}
