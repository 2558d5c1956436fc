//! Entries, promotions, demotions and exits between consecutive as-of
//! dates, and the cause of each exit.

use hatchery_core::criteria::{AsOf, Condition, RuleSet, TierIndex};
use hatchery_core::{EventKind, Exchange};
use jiff::civil::Date;

use crate::model::{ExitCause, ExitCauses, Flow, TierFlow, TierKeys, Transition};

/// Decides why an enterprise that held a tier holds none now, from the facts
/// as of the later date. The first cause that applies wins:
///
/// 1. listed on a counted exchange (a graduation);
/// 2. acquired, or closed (by the first such event);
/// 3. moved out: its effective region left the report's scope, or a region
///    requirement of the rule set;
/// 4. aged out: past an age window the rule set requires of every tier, or
///    past the age window of every clause of every tier;
/// 5. below threshold: anything else (valuation or amount raised no longer
///    enough, or no longer known).
#[derive(Debug)]
pub(super) struct CauseJudge<'r> {
    unlisted: &'r [Exchange],
    region_requirements: Vec<&'r Condition>,
    required_ages: Vec<i16>,
    /// The narrowest age window of each clause of each tier; `None` for a
    /// clause without one, which no enterprise ages out of.
    clause_ages: Vec<Option<i16>>,
}

fn age_limit(condition: &Condition) -> Option<i16> {
    match condition {
        Condition::AgeWithinYears(years) => Some(*years),
        _ => None,
    }
}

impl<'r> CauseJudge<'r> {
    pub(super) fn new(rules: &'r RuleSet) -> Self {
        Self {
            unlisted: &rules.unlisted_exchanges,
            region_requirements: rules
                .requires
                .iter()
                .filter(|c| matches!(c, Condition::RegionPrefix(_)))
                .collect(),
            required_ages: rules.requires.iter().filter_map(age_limit).collect(),
            clause_ages: rules
                .tiers
                .iter()
                .flat_map(|t| &t.clauses)
                .map(|clause| clause.when.iter().filter_map(age_limit).min())
                .collect(),
        }
    }

    /// The cause of an exit; `in_scope` tells whether the enterprise is in
    /// the report's scope on the later date.
    pub(super) fn judge(&self, facts: &AsOf<'_>, in_scope: bool) -> ExitCause {
        if facts.listing(self.unlisted).is_some() {
            return ExitCause::Listed;
        }
        if let Some(gone) = facts.gone() {
            return if gone.kind == EventKind::Acquired {
                ExitCause::Acquired
            } else {
                ExitCause::Closed
            };
        }
        let in_rule_region = self
            .region_requirements
            .iter()
            .all(|c| c.holds(facts, self.unlisted));
        if !in_scope || !in_rule_region {
            return ExitCause::MovedOut;
        }
        let past = |years: i16| !facts.age_within(years);
        let aged_out = self.required_ages.iter().any(|&y| past(y))
            || (!self.clause_ages.is_empty()
                && self.clause_ages.iter().all(|a| a.is_some_and(past)));
        if aged_out {
            ExitCause::AgedOut
        } else {
            ExitCause::BelowThreshold
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct TierCounts {
    start: u64,
    new: u64,
    promoted_in: u64,
    demoted_in: u64,
    promoted_out: u64,
    demoted_out: u64,
    exits: ExitCauses,
    end: u64,
}

/// Changes of state between two consecutive dates.
#[derive(Debug)]
pub(super) struct FlowTally {
    tiers: Vec<TierCounts>,
    /// `(tiers + 1)²` cells: state 0 is "no tier", state `t + 1` is tier `t`.
    matrix: Vec<u64>,
}

fn state(tier: Option<TierIndex>) -> usize {
    tier.map_or(0, |t| usize::from(t.0) + 1)
}

impl FlowTally {
    pub(super) fn new(tiers: usize) -> Self {
        Self {
            tiers: vec![TierCounts::default(); tiers],
            matrix: vec![0; (tiers + 1) * (tiers + 1)],
        }
    }

    /// Records one enterprise's state on the previous and on this date;
    /// `cause` is asked only for an exit.
    pub(super) fn record(
        &mut self,
        before: Option<TierIndex>,
        now: Option<TierIndex>,
        cause: impl FnOnce() -> ExitCause,
    ) {
        let states = self.tiers.len() + 1;
        if before != now {
            self.matrix[state(before) * states + state(now)] += 1;
        }
        match (before, now) {
            (None, None) => {}
            (None, Some(b)) => self.tiers[usize::from(b.0)].new += 1,
            (Some(a), None) => self.tiers[usize::from(a.0)].exits.add(cause()),
            // A smaller index is a higher tier.
            (Some(a), Some(b)) if b < a => {
                self.tiers[usize::from(b.0)].promoted_in += 1;
                self.tiers[usize::from(a.0)].promoted_out += 1;
            }
            (Some(a), Some(b)) if b > a => {
                self.tiers[usize::from(b.0)].demoted_in += 1;
                self.tiers[usize::from(a.0)].demoted_out += 1;
            }
            (Some(_), Some(_)) => {}
        }
        if let Some(a) = before {
            self.tiers[usize::from(a.0)].start += 1;
        }
        if let Some(b) = now {
            self.tiers[usize::from(b.0)].end += 1;
        }
    }

    pub(super) fn finish(self, from: Option<Date>, to: Date, keys: &TierKeys) -> Flow {
        let key = |state: usize| state.checked_sub(1).map(|t| keys.as_slice()[t].clone());
        let states = self.tiers.len() + 1;
        let matrix = self
            .matrix
            .iter()
            .enumerate()
            .filter(|&(_, &count)| count > 0)
            .map(|(cell, &count)| Transition {
                from: key(cell / states),
                to: key(cell % states),
                count,
            })
            .collect();
        let mut exits = ExitCauses::default();
        let mut new = 0;
        let tiers = self
            .tiers
            .iter()
            .zip(keys.as_slice())
            .map(|(c, key)| {
                new += c.new;
                exits += c.exits;
                TierFlow {
                    tier: key.clone(),
                    start: c.start,
                    entries: c.new + c.promoted_in,
                    new: c.new,
                    promoted_in: c.promoted_in,
                    demoted_in: c.demoted_in,
                    promoted_out: c.promoted_out,
                    demoted_out: c.demoted_out,
                    exits: c.exits,
                    end: c.end,
                }
            })
            .collect();
        Flow {
            from,
            to,
            tiers,
            new,
            exits,
            matrix,
        }
    }
}
