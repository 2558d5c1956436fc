//! The age at which enterprises first reached each tier, to the day.
//!
//! An enterprise counts for a tier when it first held that tier or a higher
//! one on or before the report's last date, and was in the report's scope
//! on that first day. The intermediate as-of dates play no part: the
//! figure is one of the ledger, not of the dates sampled.
//!
//! Between an enterprise's founding and its event dates nothing the criteria
//! read changes except its age, and growing older only closes age windows.
//! So the first day it held a tier (or a higher one) is its founding day or
//! one of its event days: classifying it on those days, in order, finds the
//! day exactly, at a cost of a few evaluations per tiered enterprise.

use hatchery_core::Ledger;
use hatchery_core::criteria::RuleSet;
use jiff::civil::Date;

use super::arith::{in_years, quartiles};
use crate::error::ReportError;
use crate::model::{TierKeys, TimeToTier};
use crate::options::Scope;

/// The first day each enterprise held each tier or a higher one, over the
/// whole ledger: the same for every report under one rule set (whatever its
/// dates, scope and language), so a server computes it once per ledger and
/// rule set. A report on dates ending `last` reads the days on or before
/// `last`: the first day on or before `last` is the first day at all when
/// it is on or before `last`, and there is none otherwise.
#[derive(Debug)]
pub struct FirstReached {
    tiers: usize,
    /// `tiers` days per enterprise, by ledger position.
    days: Vec<Option<Date>>,
}

impl FirstReached {
    /// Classifies every enterprise on its founding day and its event days,
    /// in order, on all cores.
    pub fn compute(ledger: &Ledger, rules: &RuleSet) -> Self {
        let tiers = rules.tiers.len();
        let count = ledger.enterprises().len();
        let mut days = vec![None; count * tiers];
        if tiers == 0 || count == 0 {
            return Self { tiers, days };
        }
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let per_thread = count.div_ceil(threads);
        std::thread::scope(|scope| {
            for (chunk, slots) in days.chunks_mut(per_thread * tiers).enumerate() {
                scope.spawn(move || {
                    let mut candidates = Vec::new();
                    for (offset, first) in slots.chunks_mut(tiers).enumerate() {
                        let position = chunk * per_thread + offset;
                        first_days(ledger, rules, position, &mut candidates, first);
                    }
                });
            }
        });
        Self { tiers, days }
    }

    /// The first day the enterprise at ledger `position` held the tier at
    /// index `tier` or a higher one (`None`: never, or no such tier).
    pub fn first_day(&self, position: usize, tier: usize) -> Option<Date> {
        if tier >= self.tiers {
            return None;
        }
        self.days
            .get(position * self.tiers + tier)
            .copied()
            .flatten()
    }

    fn of(&self, position: usize) -> &[Option<Date>] {
        &self.days[position * self.tiers..(position + 1) * self.tiers]
    }
}

/// Fills `first` with the first day the enterprise at `position` held each
/// tier or a higher one (tier 0 is the highest).
fn first_days(
    ledger: &Ledger,
    rules: &RuleSet,
    position: usize,
    candidates: &mut Vec<Date>,
    first: &mut [Option<Date>],
) {
    let founded = ledger.enterprises()[position].founded;
    candidates.clear();
    candidates.push(founded);
    candidates.extend(
        ledger
            .events_of(position)
            .iter()
            .map(|e| e.date.max(founded)),
    );
    candidates.sort_unstable();
    candidates.dedup();
    for &day in candidates.iter() {
        let Some(tier) = rules.classify(&ledger.as_of(position, day)) else {
            continue;
        };
        for slot in &mut first[usize::from(tier.0)..] {
            slot.get_or_insert(day);
        }
        if first[0].is_some() {
            break;
        }
    }
}

/// Ages in days, per tier, of the enterprises that reached it.
#[derive(Debug)]
pub(super) struct TimeTally {
    ages: Vec<Vec<i64>>,
}

impl TimeTally {
    pub(super) fn new(tiers: usize) -> Self {
        Self {
            ages: vec![Vec::new(); tiers],
        }
    }

    /// Records the enterprise at `position`: for each tier it first reached
    /// (it or a higher one) on or before `last`, its age on that day, when
    /// it was in `scope` on that day. Nothing here depends on the report's
    /// other dates.
    pub(super) fn record(
        &mut self,
        ledger: &Ledger,
        reached: &FirstReached,
        position: usize,
        last: Date,
        scope: Option<&Scope>,
    ) -> Result<(), ReportError> {
        let enterprise = &ledger.enterprises()[position];
        let founded = enterprise.founded;
        for (ages, first) in self.ages.iter_mut().zip(reached.of(position)) {
            let Some(day) = first.filter(|&day| day <= last) else {
                continue;
            };
            let in_scope = scope.is_none_or(|s| {
                let region = if s.needs_region() {
                    ledger.as_of(position, day).region()
                } else {
                    None
                };
                s.contains(region, enterprise.zone.as_deref())
            });
            if in_scope {
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
