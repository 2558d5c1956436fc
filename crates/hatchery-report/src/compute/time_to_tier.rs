//! The age at which enterprises first reached each tier, to the day.
//!
//! Between an enterprise's founding and its event dates nothing the criteria
//! read changes except its age, and growing older only closes age windows.
//! So the first day it held a tier (or a higher one) is its founding day or
//! one of its event days: classifying it on those days, in order, finds the
//! day exactly, at a cost of a few evaluations per tiered enterprise.

use hatchery_core::Ledger;
use hatchery_core::criteria::{RuleSet, TierIndex};
use jiff::civil::Date;

use super::arith::{in_years, quartiles};
use crate::error::ReportError;
use crate::model::{TierKeys, TimeToTier};

/// Ages in days, per tier, of the enterprises that reached it.
#[derive(Debug)]
pub(super) struct TimeTally {
    ages: Vec<Vec<i64>>,
    /// Candidate days, reused from one enterprise to the next.
    days: Vec<Date>,
    /// First day per tier of the enterprise at hand.
    first: Vec<Option<Date>>,
}

impl TimeTally {
    pub(super) fn new(tiers: usize) -> Self {
        Self {
            ages: vec![Vec::new(); tiers],
            days: Vec::new(),
            first: vec![None; tiers],
        }
    }

    /// Records the enterprise at `position`, whose highest tier in scope on
    /// any as-of date was `best`, first held on the as-of date `held_on`.
    /// It counts for `best` and every lower tier.
    pub(super) fn record(
        &mut self,
        ledger: &Ledger,
        rules: &RuleSet,
        position: usize,
        best: TierIndex,
        held_on: Date,
    ) -> Result<(), ReportError> {
        let founded = ledger.enterprises()[position].founded;
        self.days.clear();
        self.days.push(founded);
        self.days.push(held_on);
        self.days.extend(
            ledger
                .events_of(position)
                .iter()
                .map(|e| e.date.max(founded))
                .filter(|&d| d < held_on),
        );
        self.days.sort_unstable();
        self.days.dedup();
        self.first.fill(None);
        let best = usize::from(best.0);
        for &day in self.days.iter().filter(|&&d| d <= held_on) {
            let Some(tier) = rules.classify(&ledger.as_of(position, day)) else {
                continue;
            };
            for slot in &mut self.first[usize::from(tier.0)..] {
                slot.get_or_insert(day);
            }
            if self.first[best].is_some() {
                break;
            }
        }
        // `held_on` is among the days and holds `best`, so every slot from
        // `best` down is filled by now.
        for (ages, first) in self.ages[best..].iter_mut().zip(&self.first[best..]) {
            if let Some(day) = *first {
                ages.push(i64::from(founded.until(day)?.get_days()));
            }
        }
        Ok(())
    }

    pub(super) fn finish(self, keys: &TierKeys) -> Vec<TimeToTier> {
        self.ages
            .into_iter()
            .zip(keys.as_slice())
            .map(|(mut ages, key)| {
                ages.sort_unstable();
                let days = quartiles(&ages);
                TimeToTier {
                    tier: key.clone(),
                    enterprises: ages.len() as u64,
                    years: days.as_ref().map(in_years),
                    days,
                }
            })
            .collect()
    }
}
