//! A regional target's progress as of a day, computed from the ledger and
//! the criteria engine: the count under the target's counting rule, the
//! status and pace, the enterprises that count and the nearest candidates
//! with what they lack.
//!
//! The counting rules (defined in `docs/TRACKS-AND-TARGETS.md`):
//!
//! - **standing** on `D`: the enterprise holds one of the target's tiers at
//!   the end of `D` and lies in the area on `D`;
//! - **cumulative** on `D`: on some day of `[start, D]` it held the target's
//!   lowest tier or a higher one and lay in the area;
//! - **new** on `D`: the first day it ever held the lowest tier or a higher
//!   one ([`FirstReached`]) lies in `[start, D]`, and it lay in the area on
//!   that day.
//!
//! Between an enterprise's founding and event days only its age changes,
//! and growing older only closes age windows; its region changes only by a
//! relocation, an event. So whether it held a tier in the area on some day
//! of an interval is decided on the interval's first day and the event days
//! inside it: a few evaluations per enterprise that ever reached the tier.

use hatchery_core::Ledger;
use hatchery_core::criteria::{Check, Condition, RuleSet};
use hatchery_core::targets::{CountingRule, Pace, Target, TargetStatus};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::compute::FirstReached;

/// Why a target's progress cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetProgressError {
    /// The rule set given is not the one the target names.
    #[error("target '{target}' is counted under rule set '{wanted}', not '{given}'")]
    WrongRuleSet {
        target: String,
        wanted: String,
        given: String,
    },
    /// A tier the target counts is not in the rule set (a changed rule set).
    #[error("target '{target}': rule set '{rules}' has no tier '{tier}'")]
    UnknownTier {
        target: String,
        rules: String,
        tier: String,
    },
}

/// An enterprise that counts towards a target on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedEnterprise {
    pub id: String,
    /// Its tier on the day (`None`: it counts cumulatively but holds none now).
    pub tier: Option<String>,
    /// The first day it ever held the target's lowest tier or a higher one.
    pub reached: Option<Date>,
    /// Its effective region on the day.
    pub region: Option<String>,
}

/// An enterprise of the area one tier below, not counted, with what it lacks
/// for the target's lowest tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    /// Its tier on the day (`None`: none).
    pub tier: Option<String>,
    /// How many conditions fail, in its nearest clause of the lowest tier
    /// together with the conditions every tier requires.
    pub failed: usize,
    /// The share of a valuation threshold still missing (0.25: a quarter),
    /// when a valuation condition fails.
    pub valuation_shortfall: Option<Decimal>,
    /// The failing checks, from the engine's reasons.
    pub lacking: Vec<Check>,
}

/// A target's progress on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetProgress {
    pub target: String,
    pub version: String,
    pub as_of: Date,
    /// `key@version` of the rule set counted under.
    pub rules: String,
    pub counting: CountingRule,
    pub count: u32,
    pub status: TargetStatus,
    pub pace: Pace,
    /// The enterprises that count, by id.
    pub counted: Vec<CountedEnterprise>,
    /// The nearest candidates, nearest first.
    pub candidates: Vec<Candidate>,
}

/// What a target reads of a rule set: indices of its tiers.
struct Tiers {
    set: Vec<usize>,
    lowest: usize,
}

fn tiers(target: &Target, rules: &RuleSet) -> Result<Tiers, TargetProgressError> {
    if rules.key != target.rules {
        return Err(TargetProgressError::WrongRuleSet {
            target: target.id.clone(),
            wanted: target.rules.clone(),
            given: rules.key.clone(),
        });
    }
    let mut set = Vec::new();
    for tier in &target.tiers {
        let index = rules
            .tier_index(tier)
            .ok_or_else(|| TargetProgressError::UnknownTier {
                target: target.id.clone(),
                rules: rules.key.clone(),
                tier: tier.clone(),
            })?;
        set.push(usize::from(index.0));
    }
    let lowest = set.iter().copied().max().unwrap_or(0);
    Ok(Tiers { set, lowest })
}

/// Whether the enterprise can ever be in the target's area and cluster
/// (its zone and industries do not change).
fn eligible(ledger: &Ledger, target: &Target, position: usize) -> bool {
    let enterprise = &ledger.enterprises()[position];
    if let Some(cluster) = &target.cluster
        && !cluster.contains(&enterprise.industries)
    {
        return false;
    }
    target.jurisdiction.needs_region()
        || target
            .jurisdiction
            .contains(None, enterprise.zone.as_deref())
}

fn in_area(ledger: &Ledger, target: &Target, position: usize, day: Date) -> bool {
    let region = if target.jurisdiction.needs_region() {
        ledger.as_of(position, day).region()
    } else {
        None
    };
    target
        .jurisdiction
        .contains(region, ledger.enterprises()[position].zone.as_deref())
}

fn counts(
    ledger: &Ledger,
    rules: &RuleSet,
    reached: &FirstReached,
    target: &Target,
    tiers: &Tiers,
    position: usize,
    day: Date,
) -> bool {
    if day < target.start && target.counting != CountingRule::Standing {
        return false;
    }
    match target.counting {
        CountingRule::Standing => {
            let Some(tier) = rules.classify(&ledger.as_of(position, day)) else {
                return false;
            };
            tiers.set.contains(&usize::from(tier.0)) && in_area(ledger, target, position, day)
        }
        CountingRule::New => reached
            .first_day(position, tiers.lowest)
            .is_some_and(|first| {
                first >= target.start && first <= day && in_area(ledger, target, position, first)
            }),
        CountingRule::Cumulative => {
            let Some(first) = reached.first_day(position, tiers.lowest) else {
                return false;
            };
            if first > day {
                return false;
            }
            let from = first.max(target.start);
            let founded = ledger.enterprises()[position].founded;
            let mut days = vec![from];
            days.extend(
                ledger
                    .events_of(position)
                    .iter()
                    .map(|e| e.date.max(founded))
                    .filter(|&d| d > from && d <= day),
            );
            days.sort_unstable();
            days.dedup();
            days.into_iter().any(|d| {
                rules
                    .classify(&ledger.as_of(position, d))
                    .is_some_and(|t| usize::from(t.0) <= tiers.lowest)
                    && in_area(ledger, target, position, d)
            })
        }
    }
}

/// The ledger positions of the enterprises that count towards `target` on
/// `day`. `reached` must be `FirstReached::compute(ledger, rules)`.
pub fn counted_positions(
    ledger: &Ledger,
    rules: &RuleSet,
    reached: &FirstReached,
    target: &Target,
    day: Date,
) -> Result<Vec<usize>, TargetProgressError> {
    let tiers = tiers(target, rules)?;
    Ok((0..ledger.len())
        .filter(|&p| eligible(ledger, target, p))
        .filter(|&p| counts(ledger, rules, reached, target, &tiers, p, day))
        .collect())
}

/// The share of a failing valuation threshold still missing.
fn shortfall(
    ledger: &Ledger,
    position: usize,
    day: Date,
    checks: &[(&Condition, &Check)],
) -> Option<Decimal> {
    let facts = ledger.as_of(position, day);
    checks
        .iter()
        .find_map(|(condition, check)| match condition {
            Condition::ValuationAtLeast(threshold) if !check.passed => {
                let wanted = threshold.0.amount;
                if wanted <= Decimal::ZERO {
                    return None;
                }
                let have = facts
                    .valuation_in(threshold.0.currency)
                    .unwrap_or(Decimal::ZERO);
                Some(((wanted - have) / wanted).max(Decimal::ZERO).round_dp(4))
            }
            _ => None,
        })
}

/// The nearest candidates on `day`: enterprises in the area (and cluster)
/// that do not count, holding the tier just below the target's lowest (or,
/// when the lowest is the rule set's last, no tier), ordered by how many
/// conditions fail for the lowest tier, then by the valuation still missing,
/// then by id.
fn candidates(
    ledger: &Ledger,
    rules: &RuleSet,
    target: &Target,
    tiers: &Tiers,
    day: Date,
    counted: &[usize],
    limit: usize,
) -> Vec<Candidate> {
    let below = tiers.lowest + 1;
    let below_exists = below < rules.tiers.len();
    let lowest = &rules.tiers[tiers.lowest];
    let mut found: Vec<Candidate> = Vec::new();
    for position in 0..ledger.len() {
        if counted.binary_search(&position).is_ok()
            || !eligible(ledger, target, position)
            || ledger.enterprises()[position].founded > day
            || !in_area(ledger, target, position, day)
        {
            continue;
        }
        let facts = ledger.as_of(position, day);
        let tier = rules.classify(&facts).map(|t| usize::from(t.0));
        let wanted = if below_exists { Some(below) } else { None };
        if tier != wanted {
            continue;
        }
        let decision = rules.decide(&facts);
        let Some(outcome) = decision.tiers.iter().find(|t| t.tier == lowest.key) else {
            continue;
        };
        let required: Vec<(&Condition, &Check)> =
            rules.requires.iter().zip(&decision.requirements).collect();
        // The nearest clause: the fewest failing conditions.
        let Some((clause, outcome)) = lowest
            .clauses
            .iter()
            .zip(&outcome.clauses)
            .min_by_key(|(_, o)| o.checks.iter().filter(|c| !c.passed).count())
        else {
            continue;
        };
        let mut checks = required.clone();
        checks.extend(clause.when.iter().zip(&outcome.checks));
        let lacking: Vec<Check> = checks
            .iter()
            .filter(|(_, c)| !c.passed)
            .map(|(_, c)| (*c).clone())
            .collect();
        found.push(Candidate {
            id: ledger.enterprises()[position].id.as_str().to_owned(),
            tier: tier.map(|t| rules.tiers[t].key.clone()),
            failed: lacking.len(),
            valuation_shortfall: shortfall(ledger, position, day, &checks),
            lacking,
        });
    }
    found.sort_by(|a, b| {
        a.failed
            .cmp(&b.failed)
            .then_with(|| {
                a.valuation_shortfall
                    .unwrap_or(Decimal::ONE)
                    .cmp(&b.valuation_shortfall.unwrap_or(Decimal::ONE))
            })
            .then_with(|| a.id.cmp(&b.id))
    });
    found.truncate(limit);
    found
}

/// The progress of `target` on `day`, with at most `candidate_limit`
/// candidates. `rules` must be the rule set the target names and `reached`
/// `FirstReached::compute(ledger, rules)`.
pub fn target_progress(
    ledger: &Ledger,
    rules: &RuleSet,
    reached: &FirstReached,
    target: &Target,
    day: Date,
    candidate_limit: usize,
) -> Result<TargetProgress, TargetProgressError> {
    let tier_set = tiers(target, rules)?;
    let counted = counted_positions(ledger, rules, reached, target, day)?;
    let baseline = if day >= target.start {
        counted_positions(ledger, rules, reached, target, target.start)?.len()
    } else {
        counted.len()
    };
    let count = u32::try_from(counted.len()).unwrap_or(u32::MAX);
    let (status, pace) = target.assess(day, count, u32::try_from(baseline).unwrap_or(u32::MAX));
    let counted_rows = counted
        .iter()
        .map(|&p| {
            let facts = ledger.as_of(p, day);
            CountedEnterprise {
                id: ledger.enterprises()[p].id.as_str().to_owned(),
                tier: rules
                    .classify(&facts)
                    .map(|t| rules.tiers[usize::from(t.0)].key.clone()),
                reached: reached.first_day(p, tier_set.lowest),
                region: facts.region().map(|r| r.to_string()),
            }
        })
        .collect();
    Ok(TargetProgress {
        target: target.id.clone(),
        version: target.version.clone(),
        as_of: day,
        rules: rules.label(),
        counting: target.counting,
        count,
        status,
        pace,
        counted: counted_rows,
        candidates: candidates(
            ledger,
            rules,
            target,
            &tier_set,
            day,
            &counted,
            candidate_limit,
        ),
    })
}
