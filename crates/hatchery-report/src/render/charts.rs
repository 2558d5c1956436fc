//! The charts of the HTML report, as ECharts options built from the report's
//! numbers: tier counts over the dates, entries and exits per period, and
//! the latest date's top cities, regions and industries stacked by tier.

use serde_json::{Value, json};

use crate::model::{ExitCause, KeyRow, PerTier, Report, Snapshot};
use crate::tables::labels;

/// A chart for a page to draw: its element id, caption and ECharts option.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportChart {
    /// The id of the element it is drawn in.
    pub id: &'static str,
    /// Its caption, in the report's language.
    pub title: &'static str,
    /// The ECharts option.
    pub option: Value,
}

/// One colour per tier, highest first; tiers past the list reuse it.
const TIER_COLOURS: [&str; 6] = [
    "#6a4c93", "#c1121f", "#f77f00", "#2a9d8f", "#457b9d", "#8d99ae",
];
/// New entries, then exits by cause in `ExitCauses` order.
const FLOW_COLOURS: [&str; 7] = [
    "#2a9d8f", "#1d3557", "#6d597a", "#9d0208", "#e76f51", "#adb5bd", "#f4a261",
];
/// How many industries the industry chart shows.
const TOP_INDUSTRIES: usize = 15;
const FONT: &str = "\"Noto Sans CJK SC\", \"Source Han Sans SC\", \"PingFang SC\", \"Microsoft YaHei\", sans-serif";

/// A chart: where it goes, its caption and its ECharts option.
#[derive(Debug)]
pub(super) struct Chart {
    pub id: &'static str,
    pub title: &'static str,
    pub option: Value,
}

fn colour(tier: usize) -> &'static str {
    TIER_COLOURS[tier % TIER_COLOURS.len()]
}

fn base(legend: Vec<String>) -> Value {
    json!({
        "animation": false,
        "textStyle": { "fontFamily": FONT },
        // Kept inside the chart: its box clips what leaves it (site.css).
        "tooltip": { "trigger": "axis", "confine": true },
        "legend": { "top": 0, "data": legend },
        "grid": { "left": 8, "right": 40, "top": 40, "bottom": 8, "containLabel": true },
    })
}

/// Every date labelled, slanted when there are many of them.
fn date_labels(count: usize) -> Value {
    json!({ "interval": 0, "rotate": if count > 6 { 30 } else { 0 } })
}

fn merge(mut into: Value, extra: Value) -> Value {
    if let (Some(into), Value::Object(extra)) = (into.as_object_mut(), extra) {
        into.extend(extra);
    }
    into
}

fn tier_names(report: &Report) -> Vec<String> {
    report.tiers.iter().map(|t| t.name.clone()).collect()
}

fn tier_counts(report: &Report) -> Value {
    let dates: Vec<String> = report.dates.iter().map(ToString::to_string).collect();
    let series: Vec<Value> = report
        .tiers
        .iter()
        .enumerate()
        .map(|(t, tier)| {
            let counts: Vec<u64> = report.snapshots.iter().map(|s| s.tiers[t].count).collect();
            json!({
                "name": tier.name, "type": "line", "data": counts,
                "symbolSize": 8, "label": { "show": true, "position": "top" },
                "itemStyle": { "color": colour(t) },
            })
        })
        .collect();
    merge(
        base(tier_names(report)),
        json!({
            "xAxis": { "type": "category", "data": dates, "axisLabel": date_labels(report.dates.len()) },
            "yAxis": { "type": "value", "minInterval": 1 },
            "series": series,
        }),
    )
}

fn flows(report: &Report) -> Value {
    let l = labels(report.lang);
    // The first date's "new" is everyone: with several dates it would dwarf
    // the changes, so the chart starts at the second.
    let skip = usize::from(report.flows.len() > 1);
    let flows = &report.flows[skip..];
    let dates: Vec<String> = flows.iter().map(|f| f.to.to_string()).collect();
    let new: Vec<i64> = flows.iter().map(|f| f.new as i64).collect();
    let mut series = vec![json!({
        "name": l.new, "type": "bar", "stack": "in", "data": new, "barMaxWidth": 40,
        "itemStyle": { "color": FLOW_COLOURS[0] },
    })];
    let mut legend = vec![l.new.to_owned()];
    for (at, cause) in ExitCause::ALL.into_iter().enumerate() {
        let name = l.cause(cause);
        // Exits are drawn below the axis.
        let data: Vec<i64> = flows.iter().map(|f| -(f.exits.get(cause) as i64)).collect();
        series.push(json!({
            "name": name, "type": "bar", "stack": "out", "data": data, "barMaxWidth": 40,
            "itemStyle": { "color": FLOW_COLOURS[at + 1] },
        }));
        legend.push(name.to_owned());
    }
    merge(
        base(legend),
        json!({
            "grid": { "left": 8, "right": 40, "top": 64, "bottom": 8, "containLabel": true },
            "xAxis": { "type": "category", "data": dates, "axisLabel": date_labels(flows.len()) },
            "yAxis": { "type": "value", "minInterval": 1 },
            "series": series,
        }),
    )
}

/// Horizontal bars stacked by tier, one bar per labelled row, first on top.
fn stacked(report: &Report, rows: &[(String, &PerTier<u64>)]) -> Value {
    let labels: Vec<&str> = rows.iter().rev().map(|(name, _)| name.as_str()).collect();
    let series: Vec<Value> = report
        .tiers
        .iter()
        .enumerate()
        .map(|(t, tier)| {
            let data: Vec<u64> = rows.iter().rev().map(|(_, c)| c.values()[t]).collect();
            json!({
                "name": tier.name, "type": "bar", "stack": "tiers", "data": data, "barMaxWidth": 28,
                "itemStyle": { "color": colour(t) },
            })
        })
        .collect();
    merge(
        base(tier_names(report)),
        json!({
            "tooltip": { "trigger": "axis", "confine": true, "axisPointer": { "type": "shadow" } },
            "xAxis": { "type": "value", "minInterval": 1 },
            "yAxis": { "type": "category", "data": labels },
            "series": series,
        }),
    )
}

fn keyed(rows: &[KeyRow], limit: usize) -> Vec<(String, &PerTier<u64>)> {
    rows.iter()
        .take(limit)
        .map(|r| (r.name.clone(), &r.counts))
        .collect()
}

/// Every chart, or none when there is no snapshot to draw.
pub(super) fn charts(report: &Report) -> Vec<Chart> {
    let l = labels(report.lang);
    let Some(latest): Option<&Snapshot> = report.snapshots.last() else {
        return Vec::new();
    };
    let cities: Vec<(String, &PerTier<u64>)> = latest
        .top_cities
        .iter()
        .map(|c| (c.name.clone(), &c.counts))
        .collect();
    let regions: Vec<(String, &PerTier<u64>)> = latest
        .regions
        .iter()
        .map(|r| (r.name.clone(), &r.counts))
        .collect();
    vec![
        Chart {
            id: "chart-tiers",
            title: l.c_tier_counts,
            option: tier_counts(report),
        },
        Chart {
            id: "chart-flows",
            title: l.c_flows,
            option: flows(report),
        },
        Chart {
            id: "chart-cities",
            title: l.c_top_cities,
            option: stacked(report, &cities),
        },
        Chart {
            id: "chart-regions",
            title: l.c_regions,
            option: stacked(report, &regions),
        },
        Chart {
            id: "chart-industries",
            title: l.c_industries,
            option: stacked(report, &keyed(&latest.industries, TOP_INDUSTRIES)),
        },
    ]
}
