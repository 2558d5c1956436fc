//! The national cultivation pool's dynamic management: re-running the engine
//! for a member and proposing what should change — a promotion, a demotion,
//! an exit with its cause, or a re-review once the membership's validity has
//! run out. Proposals are decided by the member's province, not applied here.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::criteria::{AsOf, Decision, RuleSet};

/// Why a member leaves the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ExitCause {
    /// Listed on an exchange: a graduation, not a failure.
    Listed,
    /// Too old for every tier.
    AgedOut,
    /// No longer meets the thresholds.
    BelowThresholds,
    /// Acquired or closed.
    Gone,
    /// The province did not renew it at re-review.
    ReReviewFailed,
}

impl ExitCause {
    /// Every cause.
    pub const ALL: [Self; 5] = [
        Self::Listed,
        Self::AgedOut,
        Self::BelowThresholds,
        Self::Gone,
        Self::ReReviewFailed,
    ];

    /// The key used in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Listed => "listed",
            Self::AgedOut => "aged_out",
            Self::BelowThresholds => "below_thresholds",
            Self::Gone => "gone",
            Self::ReReviewFailed => "re_review_failed",
        }
    }

    /// Parses [`ExitCause::as_str`]'s output.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// Whether leaving for this cause is a success (上市毕业).
    pub fn is_graduation(self) -> bool {
        self == Self::Listed
    }
}

impl fmt::Display for ExitCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a re-evaluation proposes for one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ProposalKind {
    /// Now qualifies for a higher tier (potential → unicorn).
    Promotion { from: String, to: String },
    /// Now qualifies only for a lower tier.
    Demotion { from: String, to: String },
    /// Should leave the pool.
    Exit { cause: ExitCause },
    /// The membership's validity has run out: the province re-reviews it.
    ReReview { due: Date },
}

impl ProposalKind {
    /// The kind's key, as stored.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Promotion { .. } => "promotion",
            Self::Demotion { .. } => "demotion",
            Self::Exit { .. } => "exit",
            Self::ReReview { .. } => "re_review",
        }
    }
}

/// A proposal with the engine's explained decision behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub kind: ProposalKind,
    pub decision: Decision,
}

/// Re-runs `rules` for a member holding `tier` until `valid_until`, as of
/// the day `facts` is for. `None`: nothing to change.
pub fn reevaluate(
    tier: &str,
    valid_until: Date,
    rules: &RuleSet,
    facts: &AsOf<'_>,
) -> Option<Proposal> {
    let decision = rules.decide(facts);
    let exit = |cause| ProposalKind::Exit { cause };
    let kind = if facts.gone().is_some() {
        Some(exit(ExitCause::Gone))
    } else if facts.listing(&rules.unlisted_exchanges).is_some() {
        Some(exit(ExitCause::Listed))
    } else {
        match &decision.tier {
            None if aged_out(
                &decision,
                rules.tier_index(tier).map_or(0, |t| usize::from(t.0)),
            ) =>
            {
                Some(exit(ExitCause::AgedOut))
            }
            None => Some(exit(ExitCause::BelowThresholds)),
            Some(found) => {
                // A tier the rule set no longer has ranks below all of its tiers.
                let held = rules
                    .tier_index(tier)
                    .map_or(usize::MAX, |t| usize::from(t.0));
                let now = rules
                    .tier_index(found)
                    .map_or(usize::MAX, |t| usize::from(t.0));
                let change = || (tier.to_owned(), found.clone());
                match now.cmp(&held) {
                    std::cmp::Ordering::Less => {
                        let (from, to) = change();
                        Some(ProposalKind::Promotion { from, to })
                    }
                    std::cmp::Ordering::Greater => {
                        let (from, to) = change();
                        Some(ProposalKind::Demotion { from, to })
                    }
                    std::cmp::Ordering::Equal => (facts.date >= valid_until)
                        .then_some(ProposalKind::ReReview { due: valid_until }),
                }
            }
        }
    };
    kind.map(|kind| Proposal { kind, decision })
}

/// Whether age alone rules out every clause of the held tier and of every
/// tier below it (the tiers above ask for more than age anyway).
fn aged_out(decision: &Decision, held: usize) -> bool {
    let age_fails = |checks: &[crate::criteria::Check]| {
        checks
            .iter()
            .any(|c| c.condition == "age_within_years" && !c.passed)
    };
    age_fails(&decision.requirements)
        || (decision.tiers.len() > held
            && decision.tiers[held..]
                .iter()
                .all(|t| t.clauses.iter().all(|c| age_fails(&c.checks))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Ledger;
    use crate::model::Dataset;
    use jiff::civil::date;

    fn ledger(events: &str) -> Ledger {
        let enterprises = "id,name,founded,region\ne1,甲,2018-01-01,440305\n";
        let mut dataset = Dataset::default();
        let mut read = csv::Reader::from_reader(enterprises.as_bytes());
        for row in read.records() {
            let row = row.unwrap();
            dataset.enterprises.push(crate::model::Enterprise {
                id: crate::ids::EnterpriseId::parse(&row[0]).unwrap(),
                name: row[1].to_owned(),
                name_en: None,
                uscc: None,
                founded: crate::date::PartialDate::parse(&row[2]).unwrap(),
                country: crate::ids::Country::CN,
                region: Some(crate::division::DivisionCode::parse(&row[3]).unwrap()),
                city: None,
                zone: None,
                industries: vec![],
                tags: vec![],
                extra: Default::default(),
            });
        }
        for line in events.lines().filter(|l| !l.is_empty()) {
            let cells: Vec<&str> = line.split(',').collect();
            let amount = |i: usize| {
                cells
                    .get(i)
                    .filter(|s| !s.is_empty())
                    .map(|s| crate::money::Amount::parse(s).unwrap())
            };
            dataset.events.push(crate::model::Event {
                enterprise: crate::ids::EnterpriseId::parse("e1").unwrap(),
                date: crate::date::parse_date(cells[0]).unwrap(),
                kind: cells[1].parse().unwrap(),
                round: None,
                amount: amount(2),
                valuation: amount(3),
                currency: Some(crate::money::Currency::USD),
                investors: None,
                exchange: cells
                    .get(4)
                    .filter(|s| !s.is_empty())
                    .map(|s| crate::ids::Exchange::parse(s).unwrap()),
                region: None,
                source: None,
                extra: Default::default(),
            });
        }
        Ledger::from_dataset(&dataset)
    }

    fn propose(events: &str, tier: &str, valid_until: Date, day: Date) -> Option<ProposalKind> {
        let ledger = ledger(events);
        let rules = RuleSet::builtin("gei").unwrap();
        reevaluate(tier, valid_until, &rules, &ledger.as_of(0, day)).map(|p| p.kind)
    }

    const POTENTIAL: &str = "2020-01-01,funding,10000000,200000000\n";

    #[test]
    fn a_member_that_grows_is_proposed_for_promotion() {
        let events = format!("{POTENTIAL}2024-06-01,valuation,,1500000000\n");
        assert_eq!(
            propose(&events, "potential", date(2027, 1, 1), date(2024, 12, 31)),
            Some(ProposalKind::Promotion {
                from: "potential".into(),
                to: "unicorn".into()
            })
        );
        assert_eq!(
            propose(
                &events,
                "super_unicorn",
                date(2027, 1, 1),
                date(2024, 12, 31)
            ),
            Some(ProposalKind::Demotion {
                from: "super_unicorn".into(),
                to: "unicorn".into()
            })
        );
    }

    #[test]
    fn exits_name_their_cause() {
        let listed = format!("{POTENTIAL}2024-06-01,listing,,,SSE\n");
        assert_eq!(
            propose(&listed, "potential", date(2027, 1, 1), date(2024, 12, 31)),
            Some(ProposalKind::Exit {
                cause: ExitCause::Listed
            })
        );
        // NEEQ does not count as listed under gei.
        let neeq = format!("{POTENTIAL}2024-06-01,listing,,,NEEQ\n");
        assert_eq!(
            propose(&neeq, "potential", date(2027, 1, 1), date(2022, 12, 31)),
            None
        );
        let gone = format!("{POTENTIAL}2024-06-01,acquired\n");
        assert_eq!(
            propose(&gone, "potential", date(2027, 1, 1), date(2024, 12, 31)),
            Some(ProposalKind::Exit {
                cause: ExitCause::Gone
            })
        );
        // Founded 2018: past 9 years in 2027, too old for any potential clause at $200m.
        assert_eq!(
            propose(POTENTIAL, "potential", date(2030, 1, 1), date(2027, 6, 1)),
            Some(ProposalKind::Exit {
                cause: ExitCause::AgedOut
            })
        );
        let fallen = format!("{POTENTIAL}2021-06-01,valuation,,50000000\n");
        assert_eq!(
            propose(&fallen, "potential", date(2030, 1, 1), date(2022, 6, 1)),
            Some(ProposalKind::Exit {
                cause: ExitCause::BelowThresholds
            })
        );
    }

    #[test]
    fn re_review_is_due_when_validity_runs_out() {
        assert_eq!(
            propose(POTENTIAL, "potential", date(2022, 6, 1), date(2022, 6, 1)),
            Some(ProposalKind::ReReview {
                due: date(2022, 6, 1)
            })
        );
        assert_eq!(
            propose(POTENTIAL, "potential", date(2022, 6, 2), date(2022, 6, 1)),
            None
        );
        for cause in ExitCause::ALL {
            assert_eq!(ExitCause::parse(cause.as_str()), Some(cause));
        }
        assert!(ExitCause::Listed.is_graduation());
    }
}
