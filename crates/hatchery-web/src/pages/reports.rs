//! 跟踪报告, the tracking report of the member's jurisdiction: for the
//! chosen dates and rule set, enterprises per tier, its charts (ECharts,
//! loaded on this page only) and downloads in every format the command line
//! writes — all from the API's own `tracking_report`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hatchery_report::{Format, Report, chart_options};
use hatchery_server::AppState;
use hatchery_server::routes::reports::{MAX_DATES, tracking_report};
use serde::{Deserialize, Serialize};

use super::directory::rule_set_choices;
use super::{Choice, failure, link};
use crate::format;
use crate::i18n::Lang;
use crate::session::Member;
use crate::site::{Chrome, Site};

/// The report's query, as typed.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct ReportQuery {
    /// `YYYY-MM-DD`, comma-separated; empty: today.
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub rules: String,
}

/// The dates typed, checked (the API checks them again), or the problem.
fn check_dates(text: &str) -> Result<(), &'static str> {
    let dates: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    if dates.len() > MAX_DATES {
        return Err("reports.too_many_dates");
    }
    if dates
        .iter()
        .any(|d| hatchery_core::date::parse_date(d).is_err())
    {
        return Err("form.date_invalid");
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct DateRow {
    date: String,
    counts: Vec<String>,
    total: String,
}

#[derive(Debug, Serialize)]
struct Download {
    label: &'static str,
    href: String,
}

#[derive(Debug, Serialize)]
struct ChartBox {
    id: &'static str,
    title: &'static str,
}

#[derive(Debug, Serialize)]
struct ReportPage {
    query: ReportQuery,
    errors: BTreeMap<&'static str, &'static str>,
    rule_sets: Vec<Choice>,
    /// Whether the report was built.
    built: bool,
    scope: String,
    rule_set: String,
    tiers: Vec<String>,
    rows: Vec<DateRow>,
    charts: Vec<ChartBox>,
    /// The charts' ECharts options, as JSON for `charts.js`.
    chart_data: String,
    downloads: Vec<Download>,
}

/// JSON that is safe inside a `<script type="application/json">`.
pub(crate) fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn fill(page: &mut ReportPage, report: &Report, query: &ReportQuery, lang: Lang) {
    page.built = true;
    page.scope = report
        .scope
        .as_ref()
        .map_or_else(String::new, |s| s.name.clone());
    page.rule_set = format!(
        "{} ({}@{})",
        report.rule_set.title, report.rule_set.key, report.rule_set.version
    );
    page.tiers = report.tiers.iter().map(|t| t.name.clone()).collect();
    page.rows = report
        .snapshots
        .iter()
        .map(|s| DateRow {
            date: format::date(s.date, lang),
            counts: s.tiers.iter().map(|t| format::count(t.count)).collect(),
            total: format::count(s.total),
        })
        .collect();
    let charts = chart_options(report);
    page.charts = charts
        .iter()
        .map(|c| ChartBox {
            id: c.id,
            title: c.title,
        })
        .collect();
    let data: Vec<serde_json::Value> = charts
        .iter()
        .map(|c| serde_json::json!({ "id": c.id, "option": c.option }))
        .collect();
    page.chart_data = script_json(&serde_json::Value::Array(data));
    let report_lang = lang.report().to_string();
    page.downloads = [
        (Format::Html, "reports.html"),
        (Format::Xlsx, "reports.xlsx"),
        (Format::Csv, "reports.csv"),
        (Format::Json, "reports.json"),
        (Format::Md, "reports.md"),
    ]
    .into_iter()
    .map(|(format, label)| Download {
        label,
        href: link(
            "/api/reports/tracking",
            &[
                ("as_of", query.as_of.trim()),
                ("rules", query.rules.as_str()),
                ("format", format.as_str()),
                ("lang", report_lang.as_str()),
            ],
        ),
    })
    .collect();
}

/// `GET /reports`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<ReportQuery>,
) -> Response {
    let lang = member.lang;
    let mut chrome = Chrome::member(&member, "reports.title", "reports");
    let mut page = ReportPage {
        rule_sets: rule_set_choices(&state, &query.rules),
        query: query.clone(),
        errors: BTreeMap::new(),
        built: false,
        scope: String::new(),
        rule_set: String::new(),
        tiers: Vec::new(),
        rows: Vec::new(),
        charts: Vec::new(),
        chart_data: "[]".into(),
        downloads: Vec::new(),
    };
    if let Err(problem) = check_dates(&query.as_of) {
        page.errors.insert("as_of", problem);
    }
    if !query.rules.is_empty() && state.rules.find(&query.rules, None).is_none() {
        page.errors.insert("rules", "directory.rules_unknown");
    }
    if !page.errors.is_empty() {
        return site.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "reports.html",
            &chrome,
            page,
        );
    }
    let as_of = Some(query.as_of.trim()).filter(|d| !d.is_empty());
    let rules = Some(query.rules.as_str()).filter(|r| !r.is_empty());
    match tracking_report(&state, &member.caller, as_of, rules, lang.report()).await {
        Ok(report) => {
            fill(&mut page, &report, &query, lang);
            if page.scope.is_empty() {
                page.scope = crate::i18n::catalog(lang).format("reports.nationwide", &[]);
            }
            chrome.charts = true;
            site.page(StatusCode::OK, "reports.html", &chrome, page)
        }
        Err(error) => failure(&site, &chrome, &error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_one_by_one() {
        assert_eq!(check_dates(""), Ok(()));
        assert_eq!(check_dates("2024-12-31, 2025-06-30"), Ok(()));
        assert_eq!(
            check_dates("2024-12-31,2025-02-30"),
            Err("form.date_invalid")
        );
        let many = vec!["2024-01-01"; MAX_DATES + 1].join(",");
        assert_eq!(check_dates(&many), Err("reports.too_many_dates"));
    }

    #[test]
    fn chart_data_cannot_close_its_script() {
        let text = script_json(&serde_json::json!({"a": "</script><b>&"}));
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
    }
}
