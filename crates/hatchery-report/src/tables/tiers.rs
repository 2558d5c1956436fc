//! Enterprises, valuations and money raised per tier and date.

use super::{Cell, Labels, Table, tier_name};
use rust_decimal::Decimal;

use crate::compute::share;
use crate::model::{Report, TierTotals};

pub(super) fn table(report: &Report, l: &Labels) -> Table {
    let rows = report
        .snapshots
        .iter()
        .flat_map(|s| {
            s.tiers.iter().map(|t| {
                let [change, ratio] = Cell::change(t.change.as_ref());
                vec![
                    Cell::Date(s.date),
                    Cell::text(tier_name(report, &t.tier)),
                    Cell::Int(t.count),
                    Cell::money(l.money(t.valuation_usd)),
                    Cell::Int(t.valuation_unknown),
                    Cell::money(l.money(t.raised_usd)),
                    Cell::Int(t.raised_unknown),
                    Cell::Int(t.provinces),
                    Cell::Int(t.cities),
                    Cell::Int(t.no_region),
                    Cell::Int(t.in_zones),
                    Cell::Share(t.in_zones_share),
                    change,
                    ratio,
                ]
            })
        })
        .collect();
    Table {
        key: "tiers",
        title: l.t_tiers.to_owned(),
        note: Some(l.n_tiers),
        headers: [
            l.date,
            l.tier,
            l.count,
            l.valuation,
            l.valuation_unknown,
            l.raised,
            l.raised_unknown,
            l.provinces_with,
            l.cities_with,
            l.no_region,
            l.in_zones,
            l.in_zones_share,
            l.change,
            l.change_ratio,
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
        dated: true,
        totals: report
            .snapshots
            .iter()
            .map(|s| {
                let sum = |f: fn(&TierTotals) -> u64| Cell::Int(s.tiers.iter().map(f).sum());
                let money = |f: fn(&TierTotals) -> Decimal| {
                    Cell::money(l.money(s.tiers.iter().map(f).sum()))
                };
                let in_zones: u64 = s.tiers.iter().map(|t| t.in_zones).sum();
                let [change, ratio] = Cell::change(s.change.as_ref());
                vec![
                    Cell::Date(s.date),
                    Cell::text(l.all_tiers),
                    Cell::Int(s.total),
                    money(|t| t.valuation_usd),
                    sum(|t| t.valuation_unknown),
                    money(|t| t.raised_usd),
                    sum(|t| t.raised_unknown),
                    Cell::Int(s.provinces.len() as u64),
                    Cell::Int(s.cities.len() as u64),
                    sum(|t| t.no_region),
                    Cell::Int(in_zones),
                    Cell::Share(share(in_zones, s.total)),
                    change,
                    ratio,
                ]
            })
            .collect(),
    }
}
