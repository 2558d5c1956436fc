//! Counting one as-of date: every enterprise that holds a tier in scope adds
//! itself to the totals, its province and city, its regions, its zone, its
//! industries and tags. Keys borrow from the ledger, so adding allocates only
//! when a key is seen for the first time.

use std::collections::BTreeMap;

use hatchery_core::criteria::AsOf;
use hatchery_core::{Currency, DivisionCode, LedgerEnterprise};
use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};

use super::arith::{ratio, share};
use crate::error::ReportError;
use crate::model::{
    AreaRow, Concentration, KeyRow, PerTier, RegionRow, Snapshot, TierKeys, TierTotals,
};
use crate::names::{KeyKind, division_name, shown_name};
use crate::options::Lang;
use crate::regions::Regions;

/// How many of the largest cities the concentration ratio adds up.
const TOP_N_CONCENTRATION: usize = 5;

/// Per-tier counts under some key.
type Counts = Vec<u64>;

fn bump<K: Ord>(map: &mut BTreeMap<K, Counts>, key: K, tier: usize, tiers: usize) {
    map.entry(key).or_insert_with(|| vec![0; tiers])[tier] += 1;
}

/// Everything counted on one as-of date.
#[derive(Debug)]
pub(super) struct DateTally<'l> {
    date: Date,
    tiers: usize,
    counts: Counts,
    valuation: Vec<Decimal>,
    valuation_unknown: Counts,
    raised: Vec<Decimal>,
    raised_unknown: Counts,
    no_region: Counts,
    in_zones: Counts,
    provinces: BTreeMap<u32, Counts>,
    cities: BTreeMap<u32, Counts>,
    /// Region by region, one count per tier.
    regions: Vec<Counts>,
    zones: BTreeMap<&'l str, Counts>,
    industries: BTreeMap<&'l str, Counts>,
    tags: BTreeMap<&'l str, Counts>,
}

/// A money amount as the totals add it: rounded to the cent, half away from zero.
fn cents(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A sum of cents written with exactly two decimals.
fn in_cents(mut sum: Decimal) -> Decimal {
    sum.rescale(2);
    sum
}

/// Adds each distinct key of `keys` once.
fn bump_distinct<'l>(
    map: &mut BTreeMap<&'l str, Counts>,
    keys: &'l [String],
    tier: usize,
    tiers: usize,
) {
    for (at, key) in keys.iter().enumerate() {
        // Lists are short: a linear look-back is cheaper than a set.
        if !keys[..at].contains(key) {
            bump(map, key.as_str(), tier, tiers);
        }
    }
}

impl<'l> DateTally<'l> {
    pub(super) fn new(date: Date, tiers: usize, regions: usize) -> Self {
        Self {
            date,
            tiers,
            counts: vec![0; tiers],
            valuation: vec![Decimal::ZERO; tiers],
            valuation_unknown: vec![0; tiers],
            raised: vec![Decimal::ZERO; tiers],
            raised_unknown: vec![0; tiers],
            no_region: vec![0; tiers],
            in_zones: vec![0; tiers],
            provinces: BTreeMap::new(),
            cities: BTreeMap::new(),
            regions: vec![vec![0; tiers]; regions],
            zones: BTreeMap::new(),
            industries: BTreeMap::new(),
            tags: BTreeMap::new(),
        }
    }

    /// Counts an enterprise holding `tier` in scope; `region` is its
    /// effective region on this date.
    pub(super) fn add(
        &mut self,
        tier: usize,
        enterprise: &'l LedgerEnterprise,
        facts: &AsOf<'_>,
        region: Option<DivisionCode>,
        regions: &Regions,
    ) -> Result<(), ReportError> {
        let tiers = self.tiers;
        self.counts[tier] += 1;
        let overflow = |what| ReportError::Overflow {
            what,
            date: self.date,
        };
        match facts.valuation_in(Currency::USD) {
            Some(value) => {
                self.valuation[tier] = self.valuation[tier]
                    .checked_add(cents(value))
                    .ok_or_else(|| overflow("valuation"))?;
            }
            None => self.valuation_unknown[tier] += 1,
        }
        match facts.raised_in(Currency::USD) {
            Some(value) => {
                self.raised[tier] = self.raised[tier]
                    .checked_add(cents(value))
                    .ok_or_else(|| overflow("amount raised"))?;
            }
            None => self.raised_unknown[tier] += 1,
        }
        match region {
            Some(code) => {
                bump(&mut self.provinces, code.province().value(), tier, tiers);
                bump(&mut self.cities, code.city().value(), tier, tiers);
                for (counts, definition) in self.regions.iter_mut().zip(regions.iter()) {
                    if definition.contains(code) {
                        counts[tier] += 1;
                    }
                }
            }
            None => self.no_region[tier] += 1,
        }
        if let Some(zone) = enterprise.zone.as_deref() {
            self.in_zones[tier] += 1;
            // One key per zone, however the enterprise's row spelt it.
            bump(&mut self.zones, crate::names::zone_key(zone), tier, tiers);
        }
        bump_distinct(&mut self.industries, &enterprise.industries, tier, tiers);
        bump_distinct(&mut self.tags, &enterprise.tags, tier, tiers);
        Ok(())
    }

    /// Turns the counts into the date's snapshot.
    pub(super) fn finish(
        self,
        keys: &TierKeys,
        lang: Lang,
        regions: &Regions,
        top_cities: usize,
    ) -> Snapshot {
        let tiers = self.tiers;
        let total: u64 = self.counts.iter().sum();
        let with_tier = |map: &BTreeMap<u32, Counts>, tier: usize| -> u64 {
            map.values().filter(|c| c[tier] > 0).count() as u64
        };
        let tier_totals = (0..tiers)
            .map(|t| TierTotals {
                tier: keys.as_slice()[t].clone(),
                count: self.counts[t],
                valuation_usd: in_cents(self.valuation[t]),
                valuation_unknown: self.valuation_unknown[t],
                raised_usd: in_cents(self.raised[t]),
                raised_unknown: self.raised_unknown[t],
                no_region: self.no_region[t],
                provinces: with_tier(&self.provinces, t),
                cities: with_tier(&self.cities, t),
                in_zones: self.in_zones[t],
                in_zones_share: share(self.in_zones[t], self.counts[t]),
                change: None,
            })
            .collect();
        let by_code = |map: &BTreeMap<u32, Counts>| -> PerTier<BTreeMap<String, u64>> {
            let per_tier = (0..tiers)
                .map(|t| {
                    map.iter()
                        .filter(|(_, c)| c[t] > 0)
                        .map(|(&code, c)| (format!("{code:06}"), c[t]))
                        .collect()
                })
                .collect();
            PerTier::new(keys, per_tier)
        };
        let by_province = by_code(&self.provinces);
        let by_city = by_code(&self.cities);
        let provinces = area_rows(&self.provinces, keys, lang);
        let cities = area_rows(&self.cities, keys, lang);
        let mut top = cities.clone();
        // Most enterprises first; equal totals in code order, so ties are stable.
        top.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.code.cmp(&b.code)));
        top.truncate(top_cities);
        let mut concentration: Vec<Concentration> = (0..tiers)
            .map(|t| {
                let sizes = self.cities.values().map(|c| c[t]);
                concentrate(Some(keys.as_slice()[t].clone()), sizes)
            })
            .collect();
        concentration.push(concentrate(
            None,
            self.cities.values().map(|c| c.iter().sum()),
        ));
        let region_rows = regions
            .iter()
            .zip(self.regions)
            .map(|(region, counts)| {
                let region_total = counts.iter().sum();
                RegionRow {
                    key: region.key.clone(),
                    name: region.name_in(lang).to_owned(),
                    counts: PerTier::new(keys, counts),
                    total: region_total,
                    share: share(region_total, total),
                }
            })
            .collect();
        Snapshot {
            date: self.date,
            total,
            tiers: tier_totals,
            by_province,
            by_city,
            provinces,
            cities,
            top_cities: top,
            concentration,
            regions: region_rows,
            zones: key_rows(self.zones, keys, KeyKind::Zone, lang),
            industries: key_rows(self.industries, keys, KeyKind::Industry, lang),
            tags: key_rows(self.tags, keys, KeyKind::Tag, lang),
            change: None,
        }
    }
}

/// Rows for provinces or cities, in code order, with their shares.
fn area_rows(map: &BTreeMap<u32, Counts>, keys: &TierKeys, lang: Lang) -> Vec<AreaRow> {
    let whole: u64 = map.values().flatten().sum();
    map.iter()
        .filter_map(|(&code, counts)| {
            let code = DivisionCode::from_value(code)?;
            let total = counts.iter().sum();
            Some(AreaRow {
                code: code.to_string(),
                name: division_name(code, lang),
                province: code.province().to_string(),
                counts: PerTier::new(keys, counts.clone()),
                total,
                share: share(total, whole),
                rank: 0,
                previous_rank: None,
                rank_change: None,
                change: None,
            })
        })
        .collect()
}

/// Rows for zones, industries or tags: most enterprises first, then by key.
fn key_rows(
    map: BTreeMap<&str, Counts>,
    keys: &TierKeys,
    kind: KeyKind,
    lang: Lang,
) -> Vec<KeyRow> {
    let mut rows: Vec<KeyRow> = map
        .into_iter()
        .map(|(key, counts)| KeyRow {
            key: key.to_owned(),
            name: shown_name(kind, key, lang),
            total: counts.iter().sum(),
            counts: PerTier::new(keys, counts),
            share: Decimal::ZERO,
            rank: 0,
            previous_rank: None,
            rank_change: None,
            change: None,
        })
        .collect();
    // The map iterates in key order and the sort is stable: ties stay by key.
    rows.sort_by_key(|row| std::cmp::Reverse(row.total));
    rows
}

/// Concentration of enterprises over cities with these sizes.
fn concentrate(tier: Option<String>, sizes: impl Iterator<Item = u64>) -> Concentration {
    let mut sizes: Vec<u64> = sizes.filter(|&n| n > 0).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let enterprises: u64 = sizes.iter().sum();
    let top5: u64 = sizes.iter().take(TOP_N_CONCENTRATION).sum();
    let squares: u128 = sizes.iter().map(|&n| u128::from(n) * u128::from(n)).sum();
    let whole = u128::from(enterprises);
    Concentration {
        tier,
        cities: sizes.len() as u64,
        enterprises,
        top5,
        top5_share: share(top5, enterprises),
        hhi: ratio(squares, whole * whole, super::arith::SHARE_DP),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concentration_of_a_hand_computed_case() {
        // Cities of 3, 2, 1, 1, 1, 1, 1: N = 10, top five = 8,
        // HHI = (9 + 4 + 1 + 1 + 1 + 1 + 1) / 100 = 0.18.
        let c = concentrate(None, [1, 3, 1, 0, 2, 1, 1, 1].into_iter());
        assert_eq!(c.cities, 7);
        assert_eq!(c.enterprises, 10);
        assert_eq!(c.top5, 8);
        assert_eq!(c.top5_share.to_string(), "0.800000");
        assert_eq!(c.hhi.to_string(), "0.180000");
        let empty = concentrate(Some("unicorn".into()), std::iter::empty());
        assert_eq!((empty.cities, empty.enterprises, empty.top5), (0, 0, 0));
        assert_eq!(empty.hhi.to_string(), "0.000000");
    }
}
