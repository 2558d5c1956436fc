//! Ranks and changes on the previous date: filled in once every snapshot is
//! counted, because each needs the snapshot before it.

use std::collections::BTreeMap;

use hatchery_core::DivisionCode;

use crate::model::{AreaRow, Change, ContextRow, KeyRow, Snapshot};

use super::share;
use crate::options::Scope;

/// Ordinal ranks of `(code, total)` pairs: most first, ties by code.
pub(super) fn rank_by_total<'a>(
    rows: impl Iterator<Item = (&'a str, u64)>,
) -> BTreeMap<&'a str, u64> {
    let mut rows: Vec<(&str, u64)> = rows.collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    rows.into_iter()
        .enumerate()
        .map(|(at, (code, _))| (code, at as u64 + 1))
        .collect()
}

/// The rank and total of each code on a date.
type Standing = BTreeMap<String, (u64, u64)>;

fn standing<'a>(rows: impl Iterator<Item = (&'a str, u64)> + Clone) -> Standing {
    let ranks = rank_by_total(rows.clone());
    rows.map(|(code, total)| (code.to_owned(), (ranks[code], total)))
        .collect()
}

/// Sets `rank`, `previous_rank`, `rank_change` and `change` of one row.
fn place(
    code: &str,
    total: u64,
    now: &Standing,
    before: Option<&Standing>,
) -> (u64, Option<u64>, Option<i64>, Option<Change>) {
    let rank = now.get(code).map_or(0, |&(rank, _)| rank);
    let was = before.and_then(|b| b.get(code));
    let previous_rank = was.map(|&(rank, _)| rank);
    let rank_change = previous_rank.map(|p| p as i64 - rank as i64);
    let change = before.map(|_| Change::between(was.map_or(0, |&(_, n)| n), total));
    (rank, previous_rank, rank_change, change)
}

fn areas(rows: &[AreaRow]) -> Standing {
    standing(rows.iter().map(|r| (r.code.as_str(), r.total)))
}

fn keyed(rows: &[KeyRow]) -> Standing {
    standing(rows.iter().map(|r| (r.key.as_str(), r.total)))
}

fn place_areas(rows: &mut [AreaRow], before: Option<&Standing>) {
    let now = areas(rows);
    for row in rows {
        (row.rank, row.previous_rank, row.rank_change, row.change) =
            place(&row.code, row.total, &now, before);
    }
}

fn place_keyed(rows: &mut [KeyRow], whole: u64, before: Option<&Standing>) {
    let now = keyed(rows);
    for row in rows {
        row.share = share(row.total, whole);
        (row.rank, row.previous_rank, row.rank_change, row.change) =
            place(&row.key, row.total, &now, before);
    }
}

/// Fills in every snapshot's ranks, changes and key shares.
pub(super) fn annotate(snapshots: &mut [Snapshot]) {
    let mut before: Option<[Standing; 5]> = None;
    let mut previous: Option<(u64, Vec<u64>)> = None;
    for snapshot in snapshots.iter_mut() {
        let standings = [
            areas(&snapshot.provinces),
            areas(&snapshot.cities),
            keyed(&snapshot.zones),
            keyed(&snapshot.industries),
            keyed(&snapshot.tags),
        ];
        let b = before.as_ref();
        place_areas(&mut snapshot.provinces, b.map(|b| &b[0]));
        place_areas(&mut snapshot.cities, b.map(|b| &b[1]));
        let whole = snapshot.total;
        place_keyed(&mut snapshot.zones, whole, b.map(|b| &b[2]));
        place_keyed(&mut snapshot.industries, whole, b.map(|b| &b[3]));
        place_keyed(&mut snapshot.tags, whole, b.map(|b| &b[4]));
        let cities = &snapshot.cities;
        for top in &mut snapshot.top_cities {
            if let Some(city) = cities.iter().find(|c| c.code == top.code) {
                top.clone_from(city);
            }
        }
        if let Some((total, tiers)) = &previous {
            snapshot.change = Some(Change::between(*total, snapshot.total));
            for (tier, &was) in snapshot.tiers.iter_mut().zip(tiers) {
                tier.change = Some(Change::between(was, tier.count));
            }
        }
        previous = Some((
            snapshot.total,
            snapshot.tiers.iter().map(|t| t.count).collect(),
        ));
        before = Some(standings);
    }
}

/// National counts of the scope's kind (province, city or zone) on one
/// date, to place a scoped report among its peers.
#[derive(Debug, Default)]
pub(super) struct NationalTally<'l> {
    /// Enterprises holding a tier per province or city code.
    divisions: BTreeMap<u32, u64>,
    /// Enterprises holding a tier per zone id.
    zones: BTreeMap<&'l str, u64>,
    /// The denominator of the share (see [`ContextRow::national`]).
    national: u64,
}

impl<'l> NationalTally<'l> {
    /// Counts an enterprise holding a tier, in scope or not.
    pub(super) fn record(
        &mut self,
        scope: &Scope,
        region: Option<DivisionCode>,
        zone: Option<&'l str>,
    ) {
        match scope {
            Scope::Province(_) | Scope::City(_) => {
                if let Some(region) = region {
                    let code = match scope {
                        Scope::Province(_) => region.province(),
                        _ => region.city(),
                    };
                    *self.divisions.entry(code.value()).or_default() += 1;
                    self.national += 1;
                }
            }
            Scope::Zone(_) => {
                if let Some(zone) = zone {
                    *self.zones.entry(zone).or_default() += 1;
                }
                self.national += 1;
            }
        }
    }

    fn counts(&self) -> BTreeMap<String, u64> {
        self.divisions
            .iter()
            .map(|(&code, &n)| (format!("{code:06}"), n))
            .chain(self.zones.iter().map(|(&zone, &n)| (zone.to_owned(), n)))
            .collect()
    }
}

/// The context rows of a scoped report whose scope is `code`.
pub(super) fn context(
    code: &str,
    snapshots: &[Snapshot],
    national: &[NationalTally],
) -> Vec<ContextRow> {
    let mut rows: Vec<ContextRow> = Vec::with_capacity(snapshots.len());
    for (snapshot, tally) in snapshots.iter().zip(national) {
        let counts = tally.counts();
        let ranks = rank_by_total(counts.iter().map(|(k, &n)| (k.as_str(), n)));
        let total = counts.get(code).copied().unwrap_or(0);
        let rank = ranks.get(code).copied();
        let before = rows.last();
        let previous_rank = before.and_then(|b| b.rank);
        rows.push(ContextRow {
            date: snapshot.date,
            total,
            rank,
            of: ranks.len() as u64,
            previous_rank,
            rank_change: rank
                .zip(previous_rank)
                .map(|(now, was)| was as i64 - now as i64),
            national: tally.national,
            share: share(total, tally.national),
            change: before.map(|b| Change::between(b.total, total)),
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_are_by_count_then_code() {
        let ranks = rank_by_total([("440000", 3), ("110000", 5), ("310000", 3)].into_iter());
        assert_eq!(ranks["110000"], 1);
        assert_eq!(ranks["310000"], 2);
        assert_eq!(ranks["440000"], 3);
    }

    #[test]
    fn changes_are_signed_and_relative_to_the_earlier_count() {
        let up = Change::between(160, 167);
        assert_eq!(
            (up.delta, up.ratio.unwrap().to_string()),
            (7, "0.043750".into())
        );
        let down = Change::between(3, 1);
        assert_eq!(down.ratio.unwrap().to_string(), "-0.666667");
        assert_eq!(Change::between(0, 4).ratio, None);
    }
}
