//! Provinces, cities and the top cities.

use hatchery_core::DivisionCode;

use super::{Cell, Labels, Table, tier_headers};
use crate::model::{AreaRow, Report};
use crate::names::division_name;

fn counts(row: &AreaRow) -> impl Iterator<Item = Cell> + '_ {
    row.counts.values().iter().map(|&n| Cell::Int(n))
}

fn province_name(report: &Report, code: &str) -> String {
    DivisionCode::parse(code).map_or_else(|_| code.to_owned(), |c| division_name(c, report.lang))
}

pub(super) fn provinces(report: &Report, l: &Labels) -> Table {
    let rows = report
        .snapshots
        .iter()
        .flat_map(|s| {
            s.provinces.iter().map(|p| {
                let mut row = vec![Cell::Date(s.date), Cell::text(&p.code), Cell::text(&p.name)];
                row.extend(counts(p));
                row.extend([Cell::Int(p.total), Cell::Share(p.share)]);
                row
            })
        })
        .collect();
    let mut headers = vec![l.date.to_owned(), l.code.to_owned(), l.province.to_owned()];
    headers.extend(tier_headers(report));
    headers.extend([l.total.to_owned(), l.share.to_owned()]);
    Table {
        key: "provinces",
        title: l.t_provinces.to_owned(),
        note: Some(l.n_areas),
        headers,
        rows,
        dated: true,
    }
}

fn city_table(report: &Report, l: &Labels, top: bool) -> Table {
    let rows = report
        .snapshots
        .iter()
        .flat_map(|s| {
            let cities = if top { &s.top_cities } else { &s.cities };
            cities.iter().enumerate().map(move |(rank, c)| {
                let mut row = vec![Cell::Date(s.date)];
                if top {
                    row.push(Cell::Int(rank as u64 + 1));
                }
                row.extend([
                    Cell::text(&c.code),
                    Cell::text(&c.name),
                    Cell::text(province_name(report, &c.province)),
                ]);
                row.extend(counts(c));
                row.extend([Cell::Int(c.total), Cell::Share(c.share)]);
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
    Table {
        key: if top { "top_cities" } else { "cities" },
        title: if top { l.t_top_cities } else { l.t_cities }.to_owned(),
        note: Some(l.n_areas),
        headers,
        rows,
        dated: true,
    }
}

pub(super) fn cities(report: &Report, l: &Labels) -> Table {
    city_table(report, l, false)
}

pub(super) fn top_cities(report: &Report, l: &Labels) -> Table {
    city_table(report, l, true)
}
