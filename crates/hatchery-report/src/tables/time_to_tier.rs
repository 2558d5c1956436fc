//! The age at which enterprises first reached each tier.

use super::{Cell, Labels, Table, tier_name};
use crate::model::Report;

pub(super) fn table(report: &Report, l: &Labels) -> Table {
    let years = |value| Cell::Number { value, dp: 2 };
    let rows = report
        .time_to_tier
        .iter()
        .map(|t| {
            let mut row = vec![
                Cell::text(tier_name(report, &t.tier)),
                Cell::Int(t.enterprises),
            ];
            match &t.years {
                Some(q) => row.extend([q.min, q.q1, q.median, q.q3, q.max].map(years)),
                None => row.extend(std::iter::repeat_n(Cell::Empty, 5)),
            }
            row
        })
        .collect();
    Table {
        key: "time_to_tier",
        title: l.t_time_to_tier.to_owned(),
        note: Some(l.n_time_to_tier),
        headers: [
            l.tier,
            l.enterprises,
            l.min_years,
            l.q1_years,
            l.median_years,
            l.q3_years,
            l.max_years,
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
        dated: false,
        totals: Vec::new(),
    }
}
