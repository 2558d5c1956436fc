//! Regional cultivation targets (培育目标): how many enterprises of which
//! tiers a jurisdiction means to have by a deadline, under a named rule set
//! and a counting rule, with the document that sets it.
//!
//! A target is declarative, versioned data written in TOML, like a rule set:
//! the published ones ship inside the binary ([`TargetSet::builtin`]) and
//! more can be read from a file ([`TargetSet::from_toml`]). Progress is never
//! typed in: `hatchery-report` computes it from the ledger and the criteria
//! engine. This module holds the definitions and the arithmetic of pace and
//! status, which need no ledger.
//!
//! Track assignments do not exist yet (issue 15): a target's cluster is, for
//! now, a named set of industry keys.

mod parse;

use std::fmt;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::division::{DivisionCode, DivisionLevel};

pub use parse::{TargetError, builtin_source};

/// Where a target applies: the nation, a division of GB/T 2260 (province,
/// city or district) or a national zone by its id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum TargetArea {
    /// The whole country (`CN`).
    Nation,
    /// A province (`NN0000`), a city (`NNNN00`) or a district.
    Division(DivisionCode),
    /// A national zone (`zone:ID`), as enterprises carry it.
    Zone(String),
}

impl TargetArea {
    /// Parses `CN`, a six-digit division code or `zone:ID`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("cn") {
            return Ok(Self::Nation);
        }
        if let Some(zone) = text.strip_prefix("zone:") {
            let zone = zone.trim();
            if zone.is_empty()
                || zone.len() > 64
                || !zone
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_.".contains(c))
            {
                return Err(format!("'{zone}' is not a zone id"));
            }
            return Ok(Self::Zone(zone.to_owned()));
        }
        let code = DivisionCode::parse(text)
            .map_err(|_| format!("'{text}' is not CN, a six-digit division code or zone:ID"))?;
        if code.value() < 10_000 {
            return Err(format!("'{text}' is not a division code"));
        }
        Ok(Self::Division(code))
    }

    /// Whether an enterprise whose effective region on a day is `region` and
    /// which carries `zone` lies in the area on that day.
    pub fn contains(&self, region: Option<DivisionCode>, zone: Option<&str>) -> bool {
        match self {
            Self::Nation => true,
            Self::Division(code) => region.is_some_and(|r| match code.level() {
                DivisionLevel::Province => r.province() == *code,
                DivisionLevel::City => r.city() == code.city(),
                DivisionLevel::District => r == *code,
            }),
            Self::Zone(id) => zone == Some(id.as_str()),
        }
    }

    /// Whether membership reads the region, which relocations change.
    pub fn needs_region(&self) -> bool {
        matches!(self, Self::Division(_))
    }

    /// Whether this area lies within `other` (an area always lies within itself).
    pub fn within(&self, other: &TargetArea) -> bool {
        match (self, other) {
            (_, Self::Nation) => true,
            (Self::Division(mine), Self::Division(_)) => other.contains(Some(*mine), None),
            (Self::Zone(mine), Self::Zone(theirs)) => mine == theirs,
            _ => false,
        }
    }
}

impl fmt::Display for TargetArea {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Nation => f.write_str("CN"),
            Self::Division(code) => write!(f, "{code}"),
            Self::Zone(id) => write!(f, "zone:{id}"),
        }
    }
}

impl From<TargetArea> for String {
    fn from(area: TargetArea) -> Self {
        area.to_string()
    }
}

impl TryFrom<String> for TargetArea {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

/// How a target counts enterprises on a day `D`; `start` is the target's
/// start date. See `docs/TRACKS-AND-TARGETS.md` for the exact definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CountingRule {
    /// Holds one of the target's tiers at the end of `D`, in the area on `D`.
    Standing,
    /// Held the lowest of the target's tiers or a higher one on some day of
    /// `[start, D]`, in the area on that day: graduates still count.
    Cumulative,
    /// First reached the lowest of the target's tiers or a higher one (ever)
    /// on a day of `[start, D]`, in the area on that day.
    New,
}

impl CountingRule {
    /// The key as TOML and JSON write it.
    pub fn key(self) -> &'static str {
        match self {
            Self::Standing => "standing",
            Self::Cumulative => "cumulative",
            Self::New => "new",
        }
    }

    /// Parses `standing`, `cumulative` or `new`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "standing" => Some(Self::Standing),
            "cumulative" => Some(Self::Cumulative),
            "new" => Some(Self::New),
            _ => None,
        }
    }
}

/// How many: at least `min`, or between `min` and `max` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quantity {
    pub min: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(max) if max != self.min => write!(f, "{}–{max}", self.min),
            Some(max) => write!(f, "{max}"),
            None => write!(f, "≥ {}", self.min),
        }
    }
}

/// Whether a source document's text was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SourceStatus {
    /// The cited page states the target.
    Verified,
    /// Not checked against a published text: shown as unverified.
    Unverified,
}

/// The document that sets a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceDocument {
    /// Its title, as published (usually Chinese).
    pub title: String,
    /// Where it (or a repost of it) can be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When it was issued, as far as known (text: a year may be inferred).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<String>,
    pub status: SourceStatus,
}

/// A named set of industry keys a target is restricted to (a key industrial
/// cluster, 重点产业集群). A stand-in until track assignments exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cluster {
    pub key: String,
    pub name: String,
    pub name_en: String,
    /// An enterprise is in the cluster when one of its industries is here.
    pub industries: Vec<String>,
}

impl Cluster {
    /// Whether an enterprise with these industry keys is in the cluster.
    pub fn contains(&self, industries: &[String]) -> bool {
        industries.iter().any(|i| self.industries.contains(i))
    }
}

/// A regional cultivation target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Unique key, e.g. `shenyang-2025-total`.
    pub id: String,
    /// The version of this definition (changed when it is corrected).
    pub version: String,
    pub title: String,
    pub title_en: String,
    pub jurisdiction: TargetArea,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<Cluster>,
    /// The rule set whose tiers are counted.
    pub rules: String,
    /// The tiers counted, keys of `rules`.
    pub tiers: Vec<String>,
    pub counting: CountingRule,
    pub quantity: Quantity,
    /// The first day of the target's period.
    pub start: Date,
    /// The last day by which the quantity is to be reached.
    pub deadline: Date,
    pub source: SourceDocument,
    /// What a reader should know: a proxy rule set, an inferred date.
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub note_en: String,
}

/// The state of a target on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TargetStatus {
    /// The count is within the quantity.
    Met,
    /// Not yet met, and at the pace so far it would be by the deadline.
    OnTrack,
    /// Not met, and the pace so far is short of the pace needed (or the
    /// deadline has passed).
    Behind,
    /// A range's maximum is exceeded.
    AboveRange,
}

impl TargetStatus {
    /// The key as JSON writes it.
    pub fn key(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::OnTrack => "on_track",
            Self::Behind => "behind",
            Self::AboveRange => "above_range",
        }
    }
}

/// The pace of a target, per month (a month being 365.25 / 12 = 30.4375 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pace {
    /// The count on the start day.
    pub baseline: u32,
    /// Months from the start day to the day.
    pub months_elapsed: Decimal,
    /// Months from the day to the deadline (0 once it has passed).
    pub months_left: Decimal,
    /// `(count − baseline) / months_elapsed`; `None` on the start day or before.
    pub so_far: Option<Decimal>,
    /// `(min − count) / months_left`, 0 when met; `None` once the deadline
    /// has passed unmet.
    pub needed: Option<Decimal>,
}

/// Days in a month, for paces: 365.25 / 12.
const MONTH_DAYS: Decimal = Decimal::from_parts(304_375, 0, 0, false, 4);

fn months(from: Date, to: Date) -> Decimal {
    let days = from.until(to).map_or(0, |span| span.get_days());
    if days <= 0 {
        return Decimal::ZERO;
    }
    (Decimal::from(days) / MONTH_DAYS).round_dp(2)
}

impl Target {
    /// The position in `tier_keys` (a rule set's tiers, highest first) of the
    /// lowest tier the target counts: "reached" means holding it or a
    /// higher one.
    pub fn lowest_tier(&self, tier_keys: &[String]) -> Option<usize> {
        self.tiers
            .iter()
            .filter_map(|t| tier_keys.iter().position(|k| k == t))
            .max()
    }

    /// The pace and the status of a count on `day`, given the count on the
    /// start day.
    pub fn assess(&self, day: Date, count: u32, baseline: u32) -> (TargetStatus, Pace) {
        let elapsed = months(self.start, day);
        let left = months(day, self.deadline);
        let so_far = (elapsed > Decimal::ZERO)
            .then(|| ((Decimal::from(count) - Decimal::from(baseline)) / elapsed).round_dp(2));
        let missing = self.quantity.min.saturating_sub(count);
        let needed = if missing == 0 {
            Some(Decimal::ZERO)
        } else if day >= self.deadline {
            None
        } else {
            Some((Decimal::from(missing) / left.max(Decimal::new(1, 2))).round_dp(2))
        };
        let status = if self.quantity.max.is_some_and(|max| count > max) {
            TargetStatus::AboveRange
        } else if missing == 0 {
            TargetStatus::Met
        } else {
            match (so_far, needed) {
                (Some(so_far), Some(needed)) if so_far >= needed => TargetStatus::OnTrack,
                _ => TargetStatus::Behind,
            }
        };
        (
            status,
            Pace {
                baseline,
                months_elapsed: elapsed,
                months_left: left,
                so_far,
                needed,
            },
        )
    }
}

/// Targets read from one file (or the shipped set), in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetSet {
    pub targets: Vec<Target>,
}

impl TargetSet {
    /// The target with this id.
    pub fn get(&self, id: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.id == id)
    }

    /// Adds the targets of `other`; an id already present is an error.
    pub fn extend(&mut self, other: TargetSet) -> Result<(), String> {
        for target in other.targets {
            if self.get(&target.id).is_some() {
                return Err(format!("target '{}' is defined twice", target.id));
            }
            self.targets.push(target);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn areas_parse_and_contain() {
        let city = TargetArea::parse("210100").unwrap();
        let district = DivisionCode::parse("210102").unwrap();
        assert!(city.contains(Some(district), None));
        assert!(!city.contains(DivisionCode::parse("220102").ok(), None));
        assert!(
            TargetArea::parse("210000")
                .unwrap()
                .contains(Some(district), None)
        );
        assert!(TargetArea::parse("CN").unwrap().contains(None, None));
        let zone = TargetArea::parse("zone:hz-440300-1").unwrap();
        assert!(zone.contains(None, Some("hz-440300-1")));
        assert!(!zone.contains(Some(district), Some("hz-440300-2")));
        assert!(TargetArea::parse("21").is_err());
        assert!(TargetArea::parse("zone:").is_err());
        assert!(city.within(&TargetArea::parse("210000").unwrap()));
        assert!(!TargetArea::parse("210000").unwrap().within(&city));
        assert_eq!(zone.to_string(), "zone:hz-440300-1");
    }

    #[test]
    fn pace_and_status() {
        let set = TargetSet::builtin().unwrap();
        let target = set.get("shenyang-2025-total").unwrap().clone();
        // Met.
        let (status, pace) = target.assess(date("2025-06-30"), 15, 3);
        assert_eq!(status, TargetStatus::Met);
        assert_eq!(pace.needed, Some(Decimal::ZERO));
        // Behind: 2 gained over the months so far, many more needed.
        let (status, pace) = target.assess(date("2025-06-30"), 5, 3);
        assert_eq!(status, TargetStatus::Behind);
        assert!(pace.so_far.unwrap() < pace.needed.unwrap());
        // Deadline passed unmet.
        let (status, pace) = target.assess(date("2026-01-31"), 14, 3);
        assert_eq!(status, TargetStatus::Behind);
        assert_eq!(pace.needed, None);
        assert_eq!(pace.months_left, Decimal::ZERO);
        // On track: fast enough.
        let (status, _) = target.assess(date("2025-01-15"), 10, 0);
        assert_eq!(status, TargetStatus::OnTrack);
    }

    #[test]
    fn a_range_can_be_exceeded() {
        let set = TargetSet::builtin().unwrap();
        let target = set
            .targets
            .iter()
            .find(|t| t.quantity.max.is_some())
            .unwrap();
        let max = target.quantity.max.unwrap();
        assert_eq!(
            target.assess(target.deadline, max + 1, 0).0,
            TargetStatus::AboveRange
        );
        assert_eq!(target.assess(target.deadline, max, 0).0, TargetStatus::Met);
    }
}
