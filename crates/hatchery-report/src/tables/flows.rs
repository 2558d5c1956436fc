//! Entries, promotions, demotions and exits by cause between dates.

use super::{Cell, Labels, Table, tier_name};
use crate::model::Report;

pub(super) fn table(report: &Report, l: &Labels) -> Table {
    let rows = report
        .flows
        .iter()
        .flat_map(|f| {
            f.tiers.iter().map(|t| {
                vec![
                    Cell::Date(f.to),
                    f.from.map_or_else(|| Cell::text(l.first_date), Cell::Date),
                    Cell::text(tier_name(report, &t.tier)),
                    Cell::Int(t.start),
                    Cell::Int(t.entries),
                    Cell::Int(t.new),
                    Cell::Int(t.promoted_in),
                    Cell::Int(t.demoted_in),
                    Cell::Int(t.promoted_out),
                    Cell::Int(t.demoted_out),
                    Cell::Int(t.exits.total()),
                    Cell::Int(t.exits.listed),
                    Cell::Int(t.exits.acquired),
                    Cell::Int(t.exits.closed),
                    Cell::Int(t.exits.moved_out),
                    Cell::Int(t.exits.aged_out),
                    Cell::Int(t.exits.below_threshold),
                    Cell::Int(t.end),
                ]
            })
        })
        .collect();
    Table {
        key: "flows",
        title: l.t_flows.to_owned(),
        note: Some(l.n_flows),
        headers: [
            l.to,
            l.from,
            l.tier,
            l.start,
            l.entries,
            l.new,
            l.promoted_in,
            l.demoted_in,
            l.promoted_out,
            l.demoted_out,
            l.exits,
            l.listed,
            l.acquired,
            l.closed,
            l.moved_out,
            l.aged_out,
            l.below_threshold,
            l.end,
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
        dated: true,
        totals: Vec::new(),
    }
}
