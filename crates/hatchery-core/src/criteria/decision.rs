//! Decisions and their reasons.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::facts::AsOf;
use super::ruleset::{RuleSet, TierIndex};

/// One condition, checked: what it required, what was found, whether it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// The condition's kind, e.g. `valuation_at_least`.
    pub condition: String,
    /// What the condition requires, e.g. `valuation ≥ 1,000,000,000 USD`.
    pub requirement: String,
    /// The value found, e.g. `1,200,000,000 USD on 2021-05-01`.
    pub found: String,
    /// What the condition requires, in Chinese.
    #[serde(default)]
    pub requirement_zh: String,
    /// The value found, in Chinese.
    #[serde(default)]
    pub found_zh: String,
    pub passed: bool,
}

/// One alternative clause of a tier, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseOutcome {
    pub label: Option<String>,
    pub checks: Vec<Check>,
    pub holds: bool,
}

/// One tier, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierOutcome {
    pub tier: String,
    pub name: String,
    pub name_en: String,
    pub clauses: Vec<ClauseOutcome>,
    pub matched: bool,
}

/// The tier of one enterprise as of one day under one rule set, with every reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub rule_set: String,
    pub rule_set_version: String,
    pub as_of: Date,
    /// The tier's key, or `None` when no tier applies.
    pub tier: Option<String>,
    /// The conditions every tier requires.
    pub requirements: Vec<Check>,
    /// Each tier in order, down to the one that matched (all of them when none did).
    pub tiers: Vec<TierOutcome>,
}

impl RuleSet {
    /// The tier as of the day, without reasons: the engine's fast path.
    pub fn classify(&self, facts: &AsOf<'_>) -> Option<TierIndex> {
        let unlisted = self.unlisted_exchanges.as_slice();
        if !self.requires.iter().all(|c| c.holds(facts, unlisted)) {
            return None;
        }
        self.tiers
            .iter()
            .position(|tier| {
                tier.clauses
                    .iter()
                    .any(|clause| clause.when.iter().all(|c| c.holds(facts, unlisted)))
            })
            .map(|i| TierIndex(i as u8))
    }

    /// The tier as of the day with every condition checked and explained.
    /// Its verdict is the one [`RuleSet::classify`] gives.
    pub fn decide(&self, facts: &AsOf<'_>) -> Decision {
        let unlisted = self.unlisted_exchanges.as_slice();
        let requirements: Vec<_> = self
            .requires
            .iter()
            .map(|c| c.explain(facts, unlisted))
            .collect();
        let eligible = requirements.iter().all(|c| c.passed);
        let mut tiers = Vec::new();
        let mut tier = None;
        for definition in &self.tiers {
            let clauses: Vec<_> = definition
                .clauses
                .iter()
                .map(|clause| {
                    let checks: Vec<_> = clause
                        .when
                        .iter()
                        .map(|c| c.explain(facts, unlisted))
                        .collect();
                    ClauseOutcome {
                        label: clause.label.clone(),
                        holds: checks.iter().all(|c| c.passed),
                        checks,
                    }
                })
                .collect();
            let matched = eligible && clauses.iter().any(|c| c.holds);
            tiers.push(TierOutcome {
                tier: definition.key.clone(),
                name: definition.name.clone(),
                name_en: definition.name_en.clone(),
                clauses,
                matched,
            });
            if matched {
                tier = Some(definition.key.clone());
                break;
            }
        }
        Decision {
            rule_set: self.key.clone(),
            rule_set_version: self.version.clone(),
            as_of: facts.date,
            tier,
            requirements,
            tiers,
        }
    }
}
