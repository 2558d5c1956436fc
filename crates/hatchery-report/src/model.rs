//! The report as data: every number, in the structure its JSON form has.
//! `docs/REPORT-JSON.md` documents that structure; changing a field's name,
//! type or meaning is a new [`SCHEMA`] version.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::options::Lang;

/// The version of the report's JSON structure.
pub const SCHEMA: &str = "hatchery-report/1";

/// The tier keys of a report, in rule-set order (highest tier first), shared
/// by every [`PerTier`] of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierKeys(Arc<[String]>);

impl TierKeys {
    /// Keys in rule-set order.
    pub fn new(keys: Vec<String>) -> Self {
        Self(keys.into())
    }

    /// How many tiers there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no tier.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The keys, highest tier first.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// One value per tier, in rule-set order. In JSON an object keyed by tier
/// key, in rule-set order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerTier<T> {
    keys: TierKeys,
    values: Vec<T>,
}

impl<T> PerTier<T> {
    /// Pairs values with keys; `values` has one entry per key.
    pub(crate) fn new(keys: &TierKeys, values: Vec<T>) -> Self {
        debug_assert_eq!(keys.len(), values.len());
        Self {
            keys: keys.clone(),
            values,
        }
    }

    /// The values, highest tier first.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// The value of the tier with this key.
    pub fn get(&self, key: &str) -> Option<&T> {
        let at = self.keys.as_slice().iter().position(|k| k == key)?;
        self.values.get(at)
    }
}

impl PerTier<u64> {
    /// The sum over tiers.
    pub fn total(&self) -> u64 {
        self.values.iter().sum()
    }
}

impl<T: Serialize> Serialize for PerTier<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.values.len()))?;
        for (key, value) in self.keys.as_slice().iter().zip(&self.values) {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The language names and titles are in.
    pub lang: Lang,
    /// The rule set that decided the tiers.
    pub rule_set: RuleSetInfo,
    /// What the report is restricted to; `None` for the whole ledger.
    pub scope: Option<ScopeInfo>,
    /// The as-of dates, ascending.
    pub dates: Vec<Date>,
    /// The tiers, highest first.
    pub tiers: Vec<TierInfo>,
    /// The regions counted in [`Snapshot::regions`].
    pub regions: Vec<RegionInfo>,
    /// One per as-of date.
    pub snapshots: Vec<Snapshot>,
    /// One per as-of date: the changes since the previous date (for the
    /// first date, since "no tier").
    pub flows: Vec<Flow>,
    /// One per tier: the age at which enterprises first reached it.
    pub time_to_tier: Vec<TimeToTier>,
    /// Headline sentences in the report's language, written from the
    /// figures of the last date and its change on the previous one.
    pub highlights: Vec<Highlight>,
    /// For a scoped report, one per as-of date: where the scope stands
    /// among all provinces, cities or zones of the whole ledger; `None`
    /// for a national report.
    pub context: Option<Vec<ContextRow>>,
}

/// The change of a count on the previous as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The count on the previous date (0 when it was not counted then).
    pub previous: u64,
    /// This date's count minus `previous`.
    pub delta: i64,
    /// `delta / previous`, six decimals, rounded half away from zero;
    /// `None` when `previous` is 0.
    pub ratio: Option<Decimal>,
}

impl Change {
    /// The change from `previous` to `now`.
    pub(crate) fn between(previous: u64, now: u64) -> Self {
        let delta = now as i64 - previous as i64;
        let ratio = (previous > 0).then(|| {
            let magnitude = crate::compute::share(delta.unsigned_abs(), previous);
            if delta < 0 { -magnitude } else { magnitude }
        });
        Self {
            previous,
            delta,
            ratio,
        }
    }
}

/// A scoped report's scope among its peers nationally, on one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextRow {
    /// The as-of date.
    pub date: Date,
    /// Enterprises of the scope holding any tier (the snapshot's `total`).
    pub total: u64,
    /// The scope's rank among the provinces (cities, zones) of the whole
    /// ledger with at least one enterprise, most first, ties by code;
    /// `None` when the scope has none.
    pub rank: Option<u64>,
    /// How many provinces (cities, zones) were ranked.
    pub of: u64,
    /// The rank on the previous date, when there was one.
    pub previous_rank: Option<u64>,
    /// `previous_rank - rank` (positive: moved up), when both exist.
    pub rank_change: Option<i64>,
    /// The national denominator: enterprises with a region (for a province
    /// or city) or all enterprises (for a zone), holding any tier.
    pub national: u64,
    /// `total / national`, six decimals, half up.
    pub share: Decimal,
    /// The change of `total` on the previous date; `None` on the first.
    pub change: Option<Change>,
}

/// A headline sentence of the report ("要点").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Highlight {
    /// What it is about: `headline` (the unicorn tier with every higher
    /// one, or the highest tier), `valuation`, `tier:KEY` (a lower tier),
    /// `flows` (since the previous date) or `cities`.
    pub topic: String,
    /// The sentence.
    pub text: String,
}

/// The rule set, as the report cites it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSetInfo {
    /// Short name, e.g. `gei`.
    pub key: String,
    /// Its version, e.g. `2023`.
    pub version: String,
    /// Its title in the report's language.
    pub title: String,
}

/// The kind of a report's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// A province (or municipality).
    Province,
    /// A city.
    City,
    /// A national high-tech zone.
    Zone,
}

/// The scope a report is restricted to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeInfo {
    /// Province, city or zone.
    pub kind: ScopeKind,
    /// The six-digit division code, or the zone id.
    pub code: String,
    /// The division's name in the report's language, or the zone id.
    pub name: String,
}

/// A tier of the rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierInfo {
    /// Machine key, e.g. `unicorn`.
    pub key: String,
    /// Name in the report's language.
    pub name: String,
}

/// A region's definition as the report used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionInfo {
    /// Machine key, e.g. `greater-bay-area`.
    pub key: String,
    /// Name in the report's language.
    pub name: String,
    /// Division-code prefixes that are in.
    pub include: Vec<String>,
    /// Division-code prefixes that are out even though `include` matches.
    pub exclude: Vec<String>,
}

/// Every figure as of one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// The as-of date.
    pub date: Date,
    /// Enterprises holding any tier (in scope).
    pub total: u64,
    /// Totals per tier, highest first.
    pub tiers: Vec<TierTotals>,
    /// Per tier, the count per six-digit province code; codes with no
    /// enterprise of the tier are absent.
    pub by_province: PerTier<BTreeMap<String, u64>>,
    /// Per tier, the count per six-digit city code; codes with no
    /// enterprise of the tier are absent.
    pub by_city: PerTier<BTreeMap<String, u64>>,
    /// Provinces with at least one enterprise, by code.
    pub provinces: Vec<AreaRow>,
    /// Cities with at least one enterprise, by code.
    pub cities: Vec<AreaRow>,
    /// The cities with the most enterprises (ties by code), at most
    /// `top_cities` of them.
    pub top_cities: Vec<AreaRow>,
    /// How concentrated enterprises are over cities: one entry per tier,
    /// then one for all tiers together (`tier` is `null`).
    pub concentration: Vec<Concentration>,
    /// One per region, in definition order.
    pub regions: Vec<RegionRow>,
    /// Zones with at least one enterprise, most enterprises first (ties by id).
    pub zones: Vec<KeyRow>,
    /// Industries, most enterprises first (ties by key). An enterprise
    /// counts under each of its industries.
    pub industries: Vec<KeyRow>,
    /// Tags, as industries.
    pub tags: Vec<KeyRow>,
    /// The change of `total` on the previous date; `None` on the first.
    pub change: Option<Change>,
}

/// One tier's totals on one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierTotals {
    /// Tier key.
    pub tier: String,
    /// Enterprises holding the tier.
    pub count: u64,
    /// Sum of their valuations in US dollars, each converted as the criteria
    /// do and rounded to the cent (half away from zero) before adding.
    pub valuation_usd: Decimal,
    /// Enterprises of the tier whose valuation is unknown (not in the sum).
    pub valuation_unknown: u64,
    /// Sum of the money they raised in US dollars, rounded as valuations.
    pub raised_usd: Decimal,
    /// Enterprises of the tier whose amount raised is unknown (not in the sum).
    pub raised_unknown: u64,
    /// Enterprises of the tier without a region (in no province or city).
    pub no_region: u64,
    /// Provinces with at least one enterprise of the tier.
    pub provinces: u64,
    /// Cities with at least one enterprise of the tier.
    pub cities: u64,
    /// Enterprises of the tier registered in a national high-tech zone.
    pub in_zones: u64,
    /// `in_zones / count`, six decimals, half up; 0 when `count` is 0.
    pub in_zones_share: Decimal,
    /// The change of `count` on the previous date; `None` on the first.
    pub change: Option<Change>,
}

/// A province or city on one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaRow {
    /// Six-digit division code.
    pub code: String,
    /// Name in the report's language.
    pub name: String,
    /// The province's six-digit code (equal to `code` for a province).
    pub province: String,
    /// Enterprises per tier.
    pub counts: PerTier<u64>,
    /// Enterprises of any tier.
    pub total: u64,
    /// `total` over all enterprises with a province (for provinces) or a
    /// city (for cities), six decimals, half up.
    pub share: Decimal,
    /// Rank on this date: 1 for the most enterprises, ties by code.
    pub rank: u64,
    /// Rank on the previous date, when it was ranked then.
    pub previous_rank: Option<u64>,
    /// `previous_rank - rank`: positive when it moved up.
    pub rank_change: Option<i64>,
    /// The change of `total` on the previous date; `None` on the first.
    pub change: Option<Change>,
}

/// Concentration over cities, for one tier or for all tiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Concentration {
    /// Tier key; `null` for all tiers together.
    pub tier: Option<String>,
    /// Cities with at least one enterprise.
    pub cities: u64,
    /// Enterprises with a city (N).
    pub enterprises: u64,
    /// Enterprises in the five cities with the most.
    pub top5: u64,
    /// `top5 / N`, six decimals, half up; 0 when N is 0.
    pub top5_share: Decimal,
    /// Herfindahl–Hirschman index over cities, `Σ (nᵢ/N)²` on a 0–1 scale,
    /// computed exactly and rounded to six decimals, half up; 0 when N is 0.
    pub hhi: Decimal,
}

/// A region on one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionRow {
    /// Region key.
    pub key: String,
    /// Name in the report's language.
    pub name: String,
    /// Enterprises per tier.
    pub counts: PerTier<u64>,
    /// Enterprises of any tier.
    pub total: u64,
    /// `total` over the snapshot's `total`, six decimals, half up.
    pub share: Decimal,
}

/// A zone, industry or tag on one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRow {
    /// The zone id, industry key or tag.
    pub key: String,
    /// Its name in the report's language, from the catalog of names; the
    /// key itself when the catalog lacks it.
    pub name: String,
    /// Enterprises per tier.
    pub counts: PerTier<u64>,
    /// Enterprises of any tier.
    pub total: u64,
    /// `total` over the snapshot's `total`, six decimals, half up (an
    /// enterprise with several industries or tags counts under each).
    pub share: Decimal,
    /// Rank on this date: 1 for the most enterprises, ties by key.
    pub rank: u64,
    /// Rank on the previous date, when it was ranked then.
    pub previous_rank: Option<u64>,
    /// `previous_rank - rank`: positive when it moved up.
    pub rank_change: Option<i64>,
    /// The change of `total` on the previous date; `None` on the first.
    pub change: Option<Change>,
}

/// Why an enterprise that held a tier holds none now. Each exit has one
/// cause, the first that applies in this order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ExitCauses {
    /// Listed on a counted exchange: a graduation.
    pub listed: u64,
    /// Acquired.
    pub acquired: u64,
    /// Closed.
    pub closed: u64,
    /// Its effective region left the report's scope, or the rule set's own
    /// region requirement.
    pub moved_out: u64,
    /// Past the age window of every clause of every tier.
    pub aged_out: u64,
    /// Anything else: valuation or amount raised no longer enough (or no
    /// longer known).
    pub below_threshold: u64,
}

impl ExitCauses {
    /// All exits, whatever the cause.
    pub fn total(&self) -> u64 {
        self.listed
            + self.acquired
            + self.closed
            + self.moved_out
            + self.aged_out
            + self.below_threshold
    }

    /// The exits with this cause.
    pub fn get(&self, cause: ExitCause) -> u64 {
        match cause {
            ExitCause::Listed => self.listed,
            ExitCause::Acquired => self.acquired,
            ExitCause::Closed => self.closed,
            ExitCause::MovedOut => self.moved_out,
            ExitCause::AgedOut => self.aged_out,
            ExitCause::BelowThreshold => self.below_threshold,
        }
    }

    pub(crate) fn add(&mut self, cause: ExitCause) {
        let slot = match cause {
            ExitCause::Listed => &mut self.listed,
            ExitCause::Acquired => &mut self.acquired,
            ExitCause::Closed => &mut self.closed,
            ExitCause::MovedOut => &mut self.moved_out,
            ExitCause::AgedOut => &mut self.aged_out,
            ExitCause::BelowThreshold => &mut self.below_threshold,
        };
        *slot += 1;
    }
}

impl std::ops::AddAssign for ExitCauses {
    fn add_assign(&mut self, other: Self) {
        self.listed += other.listed;
        self.acquired += other.acquired;
        self.closed += other.closed;
        self.moved_out += other.moved_out;
        self.aged_out += other.aged_out;
        self.below_threshold += other.below_threshold;
    }
}

/// One exit's cause; see [`ExitCauses`] for the order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitCause {
    /// Listed on a counted exchange.
    Listed,
    /// Acquired.
    Acquired,
    /// Closed.
    Closed,
    /// Out of the report's scope or the rule set's region.
    MovedOut,
    /// Past every age window.
    AgedOut,
    /// Valuation or amount raised no longer enough.
    BelowThreshold,
}

impl ExitCause {
    /// Every cause, in order of precedence.
    pub const ALL: [Self; 6] = [
        Self::Listed,
        Self::Acquired,
        Self::Closed,
        Self::MovedOut,
        Self::AgedOut,
        Self::BelowThreshold,
    ];
}

/// The changes from one as-of date to the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flow {
    /// The previous as-of date; `null` for the first date, compared with "no tier".
    pub from: Option<Date>,
    /// The as-of date.
    pub to: Date,
    /// Per tier, highest first.
    pub tiers: Vec<TierFlow>,
    /// Enterprises with a tier now and none before.
    pub new: u64,
    /// Exits by cause, over all tiers.
    pub exits: ExitCauses,
    /// Every change of state (tier or `null` for none), with its count;
    /// unchanged states are left out. Ordered by `from`, then `to`, `null` first.
    pub matrix: Vec<Transition>,
}

/// One tier's changes between two dates. `end = start + new + promoted_in
/// + demoted_in - promoted_out - demoted_out - exits.total()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierFlow {
    /// Tier key.
    pub tier: String,
    /// Enterprises holding the tier on the previous date.
    pub start: u64,
    /// Entries: the tier now, and no tier or a lower one before (`new + promoted_in`).
    pub entries: u64,
    /// The tier now, no tier before.
    pub new: u64,
    /// The tier now, a lower tier before.
    pub promoted_in: u64,
    /// The tier now, a higher tier before.
    pub demoted_in: u64,
    /// This tier before, a higher one now.
    pub promoted_out: u64,
    /// This tier before, a lower one now.
    pub demoted_out: u64,
    /// This tier before, no tier now, by cause.
    pub exits: ExitCauses,
    /// Enterprises holding the tier on this date.
    pub end: u64,
}

/// A change of state between two dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    /// Tier key before, `null` for none.
    pub from: Option<String>,
    /// Tier key after, `null` for none.
    pub to: Option<String>,
    /// How many enterprises made the change.
    pub count: u64,
}

/// The age at which enterprises first reached a tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeToTier {
    /// Tier key.
    pub tier: String,
    /// Enterprises that first held this tier or a higher one on or before
    /// the report's last date, and were in scope on that first day. The
    /// other as-of dates play no part.
    pub enterprises: u64,
    /// Their ages in days on the first day they held this tier or a higher
    /// one; `null` when there is none.
    pub days: Option<Quartiles>,
    /// The same in years of 365.25 days, two decimals, half away from zero.
    pub years: Option<Quartiles>,
}

/// Minimum, quartiles and maximum; quartiles interpolate linearly between
/// order statistics (Hyndman–Fan type 7, as spreadsheets' `QUARTILE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Quartiles {
    /// The smallest value.
    pub min: Decimal,
    /// First quartile.
    pub q1: Decimal,
    /// Median.
    pub median: Decimal,
    /// Third quartile.
    pub q3: Decimal,
    /// The largest value.
    pub max: Decimal,
}
