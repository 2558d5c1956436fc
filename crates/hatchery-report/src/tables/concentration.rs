//! How concentrated enterprises are over cities.

use super::{Cell, Labels, Table, tier_name};
use crate::model::Report;

pub(super) fn table(report: &Report, l: &Labels) -> Table {
    let rows = report
        .snapshots
        .iter()
        .flat_map(|s| {
            s.concentration.iter().map(|c| {
                let tier = c
                    .tier
                    .as_deref()
                    .map_or(l.all_tiers, |k| tier_name(report, k));
                vec![
                    Cell::Date(s.date),
                    Cell::text(tier),
                    Cell::Int(c.cities),
                    Cell::Int(c.enterprises),
                    Cell::Int(c.top5),
                    Cell::Share(c.top5_share),
                    Cell::Number {
                        value: c.hhi,
                        dp: 4,
                    },
                ]
            })
        })
        .collect();
    Table {
        key: "concentration",
        title: l.t_concentration.to_owned(),
        note: Some(l.n_concentration),
        headers: [
            l.date,
            l.tier,
            l.cities,
            l.enterprises,
            l.top5,
            l.top5_share,
            l.hhi,
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
        dated: true,
        totals: Vec::new(),
    }
}
