//! Enterprises per high-tech zone, industry and tag.

use super::{Cell, Labels, Table, tier_headers};
use crate::model::{KeyRow, Report, Snapshot};

fn keyed(
    report: &Report,
    l: &Labels,
    key: &'static str,
    title: &str,
    column: &str,
    note: Option<&'static str>,
    rows_of: impl Fn(&Snapshot) -> &[KeyRow],
) -> Table {
    let rows = report
        .snapshots
        .iter()
        .flat_map(|s| {
            rows_of(s).iter().map(|k| {
                let mut row = vec![Cell::Date(s.date), Cell::text(&k.name), Cell::text(&k.key)];
                row.extend(k.counts.values().iter().map(|&n| Cell::Int(n)));
                let [change, ratio] = Cell::change(k.change.as_ref());
                row.extend([
                    Cell::Int(k.total),
                    Cell::Share(k.share),
                    Cell::Int(k.rank),
                    Cell::rank(k.previous_rank),
                    k.rank_change.map_or(Cell::Empty, Cell::Signed),
                    change,
                    ratio,
                ]);
                row
            })
        })
        .collect();
    let mut headers = vec![l.date.to_owned(), column.to_owned(), l.key.to_owned()];
    headers.extend(tier_headers(report));
    headers.extend(
        [
            l.total,
            l.share_of_all,
            l.rank,
            l.previous_rank,
            l.rank_change,
            l.change,
            l.change_ratio,
        ]
        .map(str::to_owned),
    );
    Table {
        key,
        title: title.to_owned(),
        note,
        headers,
        rows,
        dated: true,
        totals: Vec::new(),
    }
}

pub(super) fn zones(report: &Report, l: &Labels) -> Table {
    keyed(report, l, "zones", l.t_zones, l.zone, None, |s| &s.zones)
}

pub(super) fn industries(report: &Report, l: &Labels) -> Table {
    keyed(
        report,
        l,
        "industries",
        l.t_industries,
        l.industry,
        Some(l.n_keyed),
        |s| &s.industries,
    )
}

pub(super) fn tags(report: &Report, l: &Labels) -> Table {
    keyed(report, l, "tags", l.t_tags, l.tag, Some(l.n_keyed), |s| {
        &s.tags
    })
}
