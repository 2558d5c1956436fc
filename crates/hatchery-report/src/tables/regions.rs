//! Enterprises per region (京津冀, 长三角, …).

use super::{Cell, Labels, Table, tier_headers};
use crate::model::Report;

pub(super) fn table(report: &Report, l: &Labels) -> Table {
    let rows = report
        .snapshots
        .iter()
        .flat_map(|s| {
            s.regions.iter().map(|r| {
                let mut row = vec![Cell::Date(s.date), Cell::text(&r.name)];
                row.extend(r.counts.values().iter().map(|&n| Cell::Int(n)));
                row.extend([Cell::Int(r.total), Cell::Share(r.share)]);
                row
            })
        })
        .collect();
    let mut headers = vec![l.date.to_owned(), l.region.to_owned()];
    headers.extend(tier_headers(report));
    headers.extend([l.total.to_owned(), l.share.to_owned()]);
    Table {
        key: "regions",
        title: l.t_regions.to_owned(),
        note: Some(l.n_regions),
        headers,
        rows,
        dated: true,
        totals: Vec::new(),
    }
}
