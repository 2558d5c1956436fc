//! The charts of the HTML report, as ECharts options built from the report's
//! numbers: tier counts over the dates, entries and exits per period, and
//! the latest date's top cities, regions and industries stacked by tier.

use serde_json::{Value, json};

use crate::model::{ExitCause, KeyRow, PerTier, Report, Snapshot, TierFlow};
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
    /// Its height in pixels when it needs more than the usual box (the
    /// per-tier flows draw one panel per tier).
    pub height: Option<u32>,
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
    /// Its height in pixels when not the usual one.
    pub height: Option<u32>,
}

/// Height of each tier's panel in the per-tier flows chart.
const PANEL_HEIGHT: u32 = 190;

/// A period's label: `2022–2023` between two year ends, else both dates.
fn period(from: Option<jiff::civil::Date>, to: jiff::civil::Date) -> String {
    let year_end = |d: jiff::civil::Date| d.month() == 12 && d.day() == 31;
    match from {
        None => to.to_string(),
        Some(from) if year_end(from) && year_end(to) => {
            format!("{}–{}", from.year(), to.year())
        }
        Some(from) => format!("{from}–{to}"),
    }
}

/// Per tier, one panel: entries above the axis (new, promoted in, demoted
/// in), leavers below it (exits, promoted out, demoted out), per period.
fn tier_flows(report: &Report) -> Value {
    let l = labels(report.lang);
    let skip = usize::from(report.flows.len() > 1);
    let flows = &report.flows[skip..];
    let periods: Vec<String> = flows.iter().map(|f| period(f.from, f.to)).collect();
    type Count = fn(&TierFlow) -> u64;
    // Name, colour, above the axis (entering) or below, and the count.
    let kinds: [(&str, &str, bool, Count); 6] = [
        (l.new, FLOW_COLOURS[0], true, |f| f.new),
        (l.promoted_in, "#6a4c93", true, |f| f.promoted_in),
        (l.demoted_in, "#adb5bd", true, |f| f.demoted_in),
        (l.exits, "#9d0208", false, |f| f.exits.total()),
        (l.promoted_out, "#b8a1d9", false, |f| f.promoted_out),
        (l.demoted_out, "#f4a261", false, |f| f.demoted_out),
    ];
    let legend_top = 36;
    let (mut grids, mut x_axes, mut y_axes, mut titles, mut series) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (t, tier) in report.tiers.iter().enumerate() {
        let top = legend_top + t as u32 * PANEL_HEIGHT;
        titles.push(json!({
            "text": tier.name, "top": top, "left": 8,
            "textStyle": { "fontSize": 13, "fontWeight": 600 },
        }));
        grids.push(json!({
            "left": 8, "right": 40, "top": top + 24, "height": PANEL_HEIGHT - 56,
            "containLabel": true,
        }));
        x_axes.push(json!({
            "type": "category", "gridIndex": t, "data": periods,
            "axisLabel": date_labels(periods.len()),
        }));
        y_axes.push(json!({ "type": "value", "gridIndex": t, "minInterval": 1 }));
        for (name, colour, entering, count) in kinds {
            let data: Vec<i64> = flows
                .iter()
                .map(|f| {
                    let n = f.tiers.get(t).map_or(0, count) as i64;
                    if entering { n } else { -n }
                })
                .collect();
            series.push(json!({
                "name": name, "type": "bar", "xAxisIndex": t, "yAxisIndex": t,
                "stack": if entering { format!("in{t}") } else { format!("out{t}") },
                "data": data, "barMaxWidth": 36, "itemStyle": { "color": colour },
            }));
        }
    }
    let legend: Vec<&str> = kinds.iter().map(|k| k.0).collect();
    json!({
        "animation": false,
        "textStyle": { "fontFamily": FONT },
        "tooltip": { "trigger": "axis", "confine": true, "axisPointer": { "type": "shadow" } },
        "legend": { "top": 0, "data": legend },
        "title": titles,
        "grid": grids,
        "xAxis": x_axes,
        "yAxis": y_axes,
        "series": series,
    })
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
    let dates: Vec<String> = flows.iter().map(|f| period(f.from, f.to)).collect();
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
    // Only regions with an enterprise: a province's report draws no empty
    // bars for the regions it is not in.
    let regions: Vec<(String, &PerTier<u64>)> = latest
        .regions
        .iter()
        .filter(|r| r.total > 0)
        .map(|r| (r.name.clone(), &r.counts))
        .collect();
    vec![
        Chart {
            id: "chart-tiers",
            title: l.c_tier_counts,
            option: tier_counts(report),
            height: None,
        },
        Chart {
            id: "chart-flows",
            title: l.c_flows,
            option: flows(report),
            height: None,
        },
        Chart {
            id: "chart-tier-flows",
            title: l.c_tier_flows,
            option: tier_flows(report),
            height: Some(36 + report.tiers.len() as u32 * PANEL_HEIGHT + 8),
        },
        Chart {
            id: "chart-cities",
            title: l.c_top_cities,
            option: stacked(report, &cities),
            height: None,
        },
        Chart {
            id: "chart-regions",
            title: l.c_regions,
            option: stacked(report, &regions),
            height: None,
        },
        Chart {
            id: "chart-industries",
            title: l.c_industries,
            option: stacked(report, &keyed(&latest.industries, TOP_INDUSTRIES)),
            height: None,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_labelled_by_their_years() {
        let d = |t: &str| t.parse::<jiff::civil::Date>().unwrap();
        assert_eq!(period(Some(d("2022-12-31")), d("2023-12-31")), "2022–2023");
        assert_eq!(period(Some(d("2019-12-31")), d("2021-12-31")), "2019–2021");
        assert_eq!(
            period(Some(d("2023-06-30")), d("2023-12-31")),
            "2023-06-30–2023-12-31"
        );
        assert_eq!(period(None, d("2023-12-31")), "2023-12-31");
    }
}
