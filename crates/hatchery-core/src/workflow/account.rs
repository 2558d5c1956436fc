//! Accounts: who someone is (a role) and where (a jurisdiction, or one
//! enterprise for an enterprise user).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::jurisdiction::{Jurisdiction, Scope};
use crate::division::DivisionLevel;
use crate::ids::EnterpriseId;

/// An account's number, as the store assigns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(pub i64);

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A login name: 3–64 characters, lower-case ASCII letters, digits, `.`, `_`
/// or `-`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

/// Why a text is not a username.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a username is 3-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit, found '{0}'"
)]
pub struct UsernameError(pub String);

impl Username {
    /// Parses a username.
    pub fn parse(text: &str) -> Result<Self, UsernameError> {
        let b = text.as_bytes();
        let valid = (3..=64).contains(&b.len())
            && b[0].is_ascii_alphanumeric()
            && b.iter().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-')
            });
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(UsernameError(text.to_owned()))
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Username {
    type Err = UsernameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Username {
    type Error = UsernameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> Self {
        value.0
    }
}

/// What an account is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// Ministry administrator: accounts, zones, rule sets, imports, quotas.
    MinistryAdmin,
    /// Ministry reviewer: national review, public notice, confirmation.
    MinistryReviewer,
    /// Provincial reviewer: recommendation, pool proposals of the province.
    ProvinceReviewer,
    /// City (or district) reviewer: first review of declarations.
    CityReviewer,
    /// National zone reviewer: first review, and declaring on an enterprise's behalf.
    ZoneReviewer,
    /// An enterprise's own user, bound to that enterprise.
    Enterprise,
    /// An investor: reads enterprises and the pool within a jurisdiction.
    Investor,
    /// An analyst: read-only statistics.
    Analyst,
    /// An auditor: read-only, and the audit log.
    Auditor,
}

/// Why a role cannot be bound where it was asked to be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindingError {
    #[error("a {role} account is bound to {expected}, not {found}")]
    Jurisdiction {
        role: Role,
        expected: &'static str,
        found: Jurisdiction,
    },
    #[error("an enterprise account names the enterprise it belongs to")]
    MissingEnterprise,
    #[error("only enterprise accounts are bound to an enterprise")]
    UnexpectedEnterprise,
    #[error("{0} is counted for statistics only: no account can be bound there")]
    StatisticsOnly(Jurisdiction),
}

impl Role {
    /// Every role, in the order the API lists them.
    pub const ALL: [Self; 9] = [
        Self::MinistryAdmin,
        Self::MinistryReviewer,
        Self::ProvinceReviewer,
        Self::CityReviewer,
        Self::ZoneReviewer,
        Self::Enterprise,
        Self::Investor,
        Self::Analyst,
        Self::Auditor,
    ];

    /// The key used in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MinistryAdmin => "ministry_admin",
            Self::MinistryReviewer => "ministry_reviewer",
            Self::ProvinceReviewer => "province_reviewer",
            Self::CityReviewer => "city_reviewer",
            Self::ZoneReviewer => "zone_reviewer",
            Self::Enterprise => "enterprise",
            Self::Investor => "investor",
            Self::Analyst => "analyst",
            Self::Auditor => "auditor",
        }
    }

    /// Parses [`Role::as_str`]'s output.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Checks that an account of this role may be bound to `jurisdiction`
    /// (and, for an enterprise account, to `enterprise`).
    pub fn check_binding(
        self,
        jurisdiction: &Jurisdiction,
        enterprise: Option<&EnterpriseId>,
    ) -> Result<(), BindingError> {
        match (self, enterprise) {
            (Self::Enterprise, None) => return Err(BindingError::MissingEnterprise),
            (Self::Enterprise, Some(_)) => return Ok(()),
            (_, Some(_)) => return Err(BindingError::UnexpectedEnterprise),
            (_, None) => {}
        }
        if let Jurisdiction::Division(code) = jurisdiction
            && matches!(code.province_prefix(), 71 | 81 | 82)
        {
            return Err(BindingError::StatisticsOnly(jurisdiction.clone()));
        }
        let level = match jurisdiction {
            Jurisdiction::Division(code) => Some(code.level()),
            _ => None,
        };
        let is_municipality =
            matches!(jurisdiction, Jurisdiction::Division(code) if code.is_municipality());
        let (ok, expected) = match self {
            Self::MinistryAdmin | Self::MinistryReviewer => {
                (*jurisdiction == Jurisdiction::Nation, "the nation (CN)")
            }
            Self::ProvinceReviewer => (
                level == Some(DivisionLevel::Province),
                "a province (e.g. 440000)",
            ),
            Self::CityReviewer => (
                matches!(level, Some(DivisionLevel::City | DivisionLevel::District))
                    || is_municipality,
                "a city or district (e.g. 440300, 440305, or a municipality such as 110000)",
            ),
            Self::ZoneReviewer => (
                matches!(jurisdiction, Jurisdiction::Zone(_)),
                "a national zone (zone:ID)",
            ),
            Self::Investor | Self::Analyst | Self::Auditor | Self::Enterprise => (true, ""),
        };
        if ok {
            Ok(())
        } else {
            Err(BindingError::Jurisdiction {
                role: self,
                expected,
                found: jurisdiction.clone(),
            })
        }
    }

    /// The scope of an account of this role bound to `jurisdiction`.
    pub fn scope(self, jurisdiction: &Jurisdiction, enterprise: Option<&EnterpriseId>) -> Scope {
        match (self, enterprise) {
            (Self::Enterprise, Some(id)) => Scope::Enterprise(id.clone()),
            _ => jurisdiction.scope(),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The language an account reads pages in, remembered so that every browser
/// it signs in from opens in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Language {
    /// Simplified Chinese, the pages' default.
    #[serde(rename = "zh-CN")]
    Chinese,
    /// English.
    #[serde(rename = "en")]
    English,
}

impl Language {
    /// Both, the default first.
    pub const ALL: [Self; 2] = [Self::Chinese, Self::English];

    /// The BCP 47 tag it is stored and sent as.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Chinese => "zh-CN",
            Self::English => "en",
        }
    }

    /// The language a stored or sent tag names; `None` for others.
    pub fn parse(tag: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.tag() == tag)
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(text: &str) -> Jurisdiction {
        Jurisdiction::parse(text).unwrap()
    }

    #[test]
    fn usernames_are_plain_and_bounded() {
        assert!(Username::parse("gd.reviewer-1").is_ok());
        for bad in ["ab", "Admin", "-x1", "名字abc", "a b c", &"a".repeat(65)] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn bindings_match_the_level_of_each_role() {
        use Role::*;
        let e = EnterpriseId::parse("e1").unwrap();
        assert!(MinistryAdmin.check_binding(&j("CN"), None).is_ok());
        assert!(MinistryAdmin.check_binding(&j("440000"), None).is_err());
        assert!(ProvinceReviewer.check_binding(&j("440000"), None).is_ok());
        assert!(ProvinceReviewer.check_binding(&j("440300"), None).is_err());
        assert!(ProvinceReviewer.check_binding(&j("810000"), None).is_err());
        assert!(CityReviewer.check_binding(&j("440300"), None).is_ok());
        assert!(CityReviewer.check_binding(&j("440305"), None).is_ok());
        assert!(CityReviewer.check_binding(&j("110000"), None).is_ok());
        assert!(CityReviewer.check_binding(&j("440000"), None).is_err());
        assert!(ZoneReviewer.check_binding(&j("zone:hz-1"), None).is_ok());
        assert!(ZoneReviewer.check_binding(&j("440300"), None).is_err());
        assert!(Enterprise.check_binding(&j("CN"), Some(&e)).is_ok());
        assert!(Enterprise.check_binding(&j("CN"), None).is_err());
        assert!(Analyst.check_binding(&j("440300"), Some(&e)).is_err());
        assert!(Auditor.check_binding(&j("CN"), None).is_ok());
        assert_eq!(Enterprise.scope(&j("CN"), Some(&e)), Scope::Enterprise(e));
    }

    #[test]
    fn a_language_is_stored_by_its_tag() {
        for language in Language::ALL {
            assert_eq!(Language::parse(language.tag()), Some(language));
            let sent = serde_json::to_string(&language).unwrap();
            assert_eq!(sent, format!("\"{}\"", language.tag()));
        }
        assert_eq!(Language::parse("fr"), None);
    }
}
