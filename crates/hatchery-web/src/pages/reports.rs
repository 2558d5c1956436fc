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
use hatchery_report::{AreaRow, Change, Format, Report, ScopeKind, chart_options};
use hatchery_server::AppState;
use hatchery_server::routes::reports::{MAX_DATES, tracking_report};
use rust_decimal::{Decimal, RoundingStrategy};
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
    /// `1`: the rankings list every province and city, not the first ten.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub all: String,
}

/// How many provinces or cities a ranking shows before "show all".
const RANKING_TOP: usize = 10;

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
    /// The change of the total on the previous date: `+7`, `+4.4%`.
    delta: String,
    ratio: String,
}

/// One province or city in a ranking on the last date.
#[derive(Debug, Serialize)]
struct RankRow {
    rank: String,
    name: String,
    total: String,
    share: String,
    /// `↑2`, `↓1`, `–`, or "new" when it had no enterprise before.
    moved: String,
    delta: String,
}

#[derive(Debug, Serialize)]
struct Ranking {
    /// `provinces` or `cities`: the table's id and its message keys.
    id: &'static str,
    rows: Vec<RankRow>,
    /// How many areas the full ranking has.
    all: usize,
    /// The link that shows every row, when some are left off.
    more: Option<String>,
}

/// The scope among its peers nationally on one date.
#[derive(Debug, Serialize)]
struct ContextLine {
    date: String,
    total: String,
    rank: String,
    moved: String,
    share: String,
    national: String,
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
    /// `tall` or `taller` for a chart that needs more than the usual box
    /// (the page's CSP allows no inline style).
    size: &'static str,
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
    /// The headline sentences (要点), in the report's reading order.
    highlights: Vec<String>,
    /// The last date, as the rankings' caption says it.
    last_date: String,
    rankings: Vec<Ranking>,
    /// A scoped report: its national rank and share per date.
    context: Vec<ContextLine>,
    /// The last date's national position, as a sentence.
    context_summary: String,
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

/// A signed count: `+7`, `-3`, `0`.
fn signed(n: i64) -> String {
    match n {
        n if n > 0 => format!("+{}", format::count(n.unsigned_abs())),
        n if n < 0 => format!("-{}", format::count(n.unsigned_abs())),
        _ => "0".to_owned(),
    }
}

/// A fraction of one as a percentage with one decimal, half away from zero.
fn percent(share: Decimal, sign: bool) -> String {
    let p = (share * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    let p = format!("{p:.1}");
    if sign && share > Decimal::ZERO {
        format!("+{p}%")
    } else {
        format!("{p}%")
    }
}

/// The change of a count on the previous date: `+N` and `+x%`, empty on
/// the first date, the percentage empty when the earlier count was 0.
fn change_cells(change: Option<&Change>) -> (String, String) {
    match change {
        None => (String::new(), String::new()),
        Some(c) => (
            signed(c.delta),
            c.ratio.map_or_else(String::new, |r| percent(r, true)),
        ),
    }
}

/// A move in rank: `↑2`, `↓1`, `–`; new since the previous date; nothing
/// on the first date.
fn moved(first: bool, rank_change: Option<i64>, lang: Lang) -> String {
    match rank_change {
        _ if first => String::new(),
        None => crate::i18n::catalog(lang).format("reports.rank_new", &[]),
        Some(n) if n > 0 => format!("↑{n}"),
        Some(n) if n < 0 => format!("↓{}", n.unsigned_abs()),
        Some(_) => "–".to_owned(),
    }
}

fn ranking(
    id: &'static str,
    areas: &[AreaRow],
    first: bool,
    query: &ReportQuery,
    lang: Lang,
) -> Ranking {
    let mut areas: Vec<&AreaRow> = areas.iter().collect();
    areas.sort_by_key(|a| a.rank);
    let show_all = query.all == "1";
    let more = (!show_all && areas.len() > RANKING_TOP).then(|| {
        format!(
            "{}#{id}-h",
            link(
                "/reports",
                &[
                    ("as_of", query.as_of.trim()),
                    ("rules", query.rules.as_str()),
                    ("all", "1"),
                ],
            )
        )
    });
    let all = areas.len();
    if !show_all {
        areas.truncate(RANKING_TOP);
    }
    Ranking {
        id,
        rows: areas
            .into_iter()
            .map(|a| RankRow {
                rank: a.rank.to_string(),
                name: a.name.clone(),
                total: format::count(a.total),
                share: percent(a.share, false),
                moved: moved(first, a.rank_change, lang),
                delta: change_cells(a.change.as_ref()).0,
            })
            .collect(),
        all,
        more,
    }
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
            delta: change_cells(s.change.as_ref()).0,
            ratio: change_cells(s.change.as_ref()).1,
        })
        .collect();
    page.highlights = report.highlights.iter().map(|h| h.text.clone()).collect();
    if let Some(last) = report.snapshots.last() {
        let first = report.snapshots.len() == 1;
        page.last_date = format::date(last.date, lang);
        let kind = report.scope.as_ref().map(|s| s.kind);
        // A province's or city's own report ranks one province (one city):
        // its national position says more, below.
        if !matches!(kind, Some(ScopeKind::Province | ScopeKind::City)) {
            page.rankings
                .push(ranking("provinces", &last.provinces, first, query, lang));
        }
        if kind != Some(ScopeKind::City) {
            page.rankings
                .push(ranking("cities", &last.cities, first, query, lang));
        }
    }
    if let Some(context) = &report.context {
        let catalog = crate::i18n::catalog(lang);
        page.context = context
            .iter()
            .enumerate()
            .map(|(i, c)| ContextLine {
                date: format::date(c.date, lang),
                total: format::count(c.total),
                rank: c.rank.map_or_else(
                    || "–".to_owned(),
                    |r| {
                        catalog.format(
                            "reports.rank_of",
                            &[("rank", r.to_string()), ("of", c.of.to_string())],
                        )
                    },
                ),
                moved: if c.rank.is_some() {
                    moved(i == 0, c.rank_change, lang)
                } else {
                    String::new()
                },
                share: percent(c.share, false),
                national: format::count(c.national),
            })
            .collect();
        if let (Some(last), Some(scope)) = (context.last(), &report.scope) {
            page.context_summary = match last.rank {
                Some(rank) => catalog.format(
                    "reports.context_summary",
                    &[
                        ("scope", scope.name.clone()),
                        ("date", format::date(last.date, lang)),
                        ("rank", rank.to_string()),
                        ("of", last.of.to_string()),
                        ("share", percent(last.share, false)),
                        ("total", format::count(last.total)),
                        ("national", format::count(last.national)),
                    ],
                ),
                None => catalog.format(
                    "reports.context_none",
                    &[
                        ("scope", scope.name.clone()),
                        ("date", format::date(last.date, lang)),
                    ],
                ),
            };
        }
    }
    let charts = chart_options(report);
    page.charts = charts
        .iter()
        .map(|c| ChartBox {
            id: c.id,
            title: c.title,
            size: match c.height {
                None => "",
                Some(px) if px <= 640 => "tall",
                Some(_) => "taller",
            },
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
        highlights: Vec::new(),
        last_date: String::new(),
        rankings: Vec::new(),
        context: Vec::new(),
        context_summary: String::new(),
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
    fn changes_and_moves_read_as_the_report_writes_them() {
        let change = Change {
            previous: 160,
            delta: 7,
            ratio: Some(Decimal::new(43750, 6)),
        };
        assert_eq!(
            change_cells(Some(&change)),
            ("+7".to_owned(), "+4.4%".to_owned())
        );
        let fall = Change {
            previous: 2,
            delta: -1,
            ratio: Some(Decimal::new(-500_000, 6)),
        };
        assert_eq!(
            change_cells(Some(&fall)),
            ("-1".to_owned(), "-50.0%".to_owned())
        );
        let from_none = Change {
            previous: 0,
            delta: 3,
            ratio: None,
        };
        assert_eq!(
            change_cells(Some(&from_none)),
            ("+3".to_owned(), String::new())
        );
        assert_eq!(change_cells(None), (String::new(), String::new()));
        assert_eq!(percent(Decimal::new(185_185, 6), false), "18.5%");
        assert_eq!(moved(false, Some(2), Lang::Zh), "↑2");
        assert_eq!(moved(false, Some(-1), Lang::Zh), "↓1");
        assert_eq!(moved(false, Some(0), Lang::Zh), "–");
        assert_eq!(moved(false, None, Lang::Zh), "新进");
        assert_eq!(moved(false, None, Lang::En), "new");
        assert_eq!(moved(true, None, Lang::En), "");
    }

    #[test]
    fn chart_data_cannot_close_its_script() {
        let text = script_json(&serde_json::json!({"a": "</script><b>&"}));
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
    }
}
