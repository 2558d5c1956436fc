//! Provinces, cities and the top cities.

use hatchery_core::DivisionCode;

use super::{Cell, Labels, Table, tier_headers};
use crate::compute::share;
use crate::model::{AreaRow, Change, Report, Snapshot};
use crate::names::division_name;

fn counts(row: &AreaRow) -> impl Iterator<Item = Cell> + '_ {
    row.counts.values().iter().map(|&n| Cell::Int(n))
}

/// The rows of a date by rank: most enterprises first, ties by code.
fn by_rank(rows: &[AreaRow]) -> Vec<&AreaRow> {
    let mut rows: Vec<&AreaRow> = rows.iter().collect();
    rows.sort_by_key(|r| r.rank);
    rows
}

/// Rank, previous rank, rank change, change and change ratio; `rank`
/// only when the table has no rank column of its own.
fn standing(row: &AreaRow, rank: bool) -> impl Iterator<Item = Cell> {
    let [change, ratio] = Cell::change(row.change.as_ref());
    rank.then_some(Cell::Int(row.rank)).into_iter().chain([
        Cell::rank(row.previous_rank),
        row.rank_change.map_or(Cell::Empty, Cell::Signed),
        change,
        ratio,
    ])
}

/// Headers of [`standing`]'s cells.
fn standing_headers(l: &Labels, rank: bool) -> impl Iterator<Item = String> {
    rank.then_some(l.rank)
        .into_iter()
        .chain([l.previous_rank, l.rank_change, l.change, l.change_ratio])
        .map(str::to_owned)
}

fn province_name(report: &Report, code: &str) -> String {
    DivisionCode::parse(code).map_or_else(|_| code.to_owned(), |c| division_name(c, report.lang))
}

pub(super) fn provinces(report: &Report, l: &Labels) -> Table {
    let rows = report
        .snapshots
        .iter()
        .flat_map(|s| {
            by_rank(&s.provinces).into_iter().map(|p| {
                let mut row = vec![Cell::Date(s.date), Cell::text(&p.code), Cell::text(&p.name)];
                row.extend(counts(p));
                row.extend([Cell::Int(p.total), Cell::Share(p.share)]);
                row.extend(standing(p, true));
                row
            })
        })
        .collect();
    let mut headers = vec![l.date.to_owned(), l.code.to_owned(), l.province.to_owned()];
    headers.extend(tier_headers(report));
    headers.extend([l.total.to_owned(), l.share.to_owned()]);
    headers.extend(standing_headers(l, true));
    Table {
        key: "provinces",
        title: l.t_provinces.to_owned(),
        note: Some(l.n_areas),
        headers,
        rows,
        dated: true,
        totals: totals(report, l, 1, |s| &s.provinces),
    }
}

fn city_table(report: &Report, l: &Labels, top: bool) -> Table {
    let rows = report
        .snapshots
        .iter()
        .flat_map(|s| {
            let cities = by_rank(if top { &s.top_cities } else { &s.cities });
            cities.into_iter().map(move |c| {
                let mut row = vec![Cell::Date(s.date)];
                if top {
                    row.push(Cell::Int(c.rank));
                }
                row.extend([
                    Cell::text(&c.code),
                    Cell::text(&c.name),
                    Cell::text(province_name(report, &c.province)),
                ]);
                row.extend(counts(c));
                row.extend([Cell::Int(c.total), Cell::Share(c.share)]);
                row.extend(standing(c, !top));
                row
            })
        })
        .collect();
    let mut headers = vec![l.date.to_owned()];
    if top {
        headers.push(l.rank.to_owned());
    }
    headers.extend([l.code, l.city, l.province].map(str::to_owned));
    headers.extend(tier_headers(report));
    headers.extend([l.total.to_owned(), l.share.to_owned()]);
    headers.extend(standing_headers(l, !top));
    Table {
        key: if top { "top_cities" } else { "cities" },
        title: if top { l.t_top_cities } else { l.t_cities }.to_owned(),
        note: Some(l.n_areas),
        headers,
        rows,
        dated: true,
        totals: if top {
            Vec::new()
        } else {
            totals(report, l, 2, |s| &s.cities)
        },
    }
}

/// Per date, the sums over `areas_of` a snapshot: a label under the code
/// column, `blank` empty cells after it, the counts per tier, the total
/// and a share of 100 % (or 0 with no area).
fn totals(
    report: &Report,
    l: &Labels,
    blank: usize,
    areas_of: impl Fn(&Snapshot) -> &[AreaRow],
) -> Vec<Vec<Cell>> {
    let sum = |s: &Snapshot| -> u64 { areas_of(s).iter().map(|a| a.total).sum() };
    report
        .snapshots
        .iter()
        .enumerate()
        .map(|(at, s)| {
            let areas = areas_of(s);
            let mut row = vec![Cell::Date(s.date), Cell::text(l.total)];
            row.extend(std::iter::repeat_n(Cell::Empty, blank));
            row.extend(
                (0..report.tiers.len())
                    .map(|t| Cell::Int(areas.iter().map(|a| a.counts.values()[t]).sum())),
            );
            let total: u64 = areas.iter().map(|a| a.total).sum();
            row.extend([Cell::Int(total), Cell::Share(share(total, total))]);
            // No rank, previous rank or rank change for the sum.
            row.extend([Cell::Empty, Cell::Empty, Cell::Empty]);
            let previous = at.checked_sub(1).map(|b| sum(&report.snapshots[b]));
            let change = previous.map(|p| Change::between(p, total));
            row.extend(Cell::change(change.as_ref()));
            row
        })
        .collect()
}

pub(super) fn cities(report: &Report, l: &Labels) -> Table {
    city_table(report, l, false)
}

pub(super) fn top_cities(report: &Report, l: &Labels) -> Table {
    city_table(report, l, true)
}
