//! The figures of request handling for the requests filed in a period
//! (default: this month to today) within the account's jurisdiction —
//! the API's own `request_figures`: overall, by class and by the level
//! that handles them now; each rate as "71.4% (5/7)", the time spent in
//! each state as a median and 90th percentile, each figure defined under
//! the tables.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hatchery_core::services::kpi::{Kpis, Rate};
use hatchery_server::AppState;
use hatchery_server::extract::{Json, Query as ApiQuery};
use hatchery_server::routes::requests::{KpiQuery, request_figures};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::failure;
use super::requests::{class_key, level_key, state_key};
use crate::format;
use crate::i18n::{Lang, catalog};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// The period, as typed (`YYYY-MM-DD`).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct PeriodQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// The figures, in the order of the tables' columns, by message key.
const FIGURES: [&str; 8] = [
    "requests",
    "response_in_time",
    "closed_on_time",
    "closure",
    "solved",
    "satisfaction",
    "reopen",
    "overdue",
];

#[derive(Debug, Serialize)]
struct Line {
    /// The row's label (a class or level, in words; or a figure's key).
    label: String,
    cells: Vec<String>,
}

#[derive(Debug, Serialize)]
struct StayRow {
    state: String,
    stays: u32,
    median: String,
    p90: String,
}

#[derive(Debug, Serialize)]
struct FiguresPage {
    query: PeriodQuery,
    errors: BTreeMap<&'static str, &'static str>,
    period: String,
    computed: String,
    /// Each figure's key and its value overall.
    overall: Vec<(String, String)>,
    withdrawn: u32,
    by_class: Vec<Line>,
    by_level: Vec<Line>,
    stays: Vec<StayRow>,
    figures: Vec<String>,
    shown: bool,
}

fn rate(r: &Rate) -> String {
    format::rate(r.numerator, r.denominator, r.percent())
}

/// The cells of `k`, in the order of [`FIGURES`].
fn cells(k: &Kpis) -> Vec<String> {
    vec![
        k.requests.to_string(),
        rate(&k.response_in_time),
        rate(&k.closed_on_time),
        rate(&k.closure),
        rate(&k.solved),
        rate(&k.satisfaction),
        rate(&k.reopen),
        k.overdue.to_string(),
    ]
}

fn day(text: &str) -> Option<Date> {
    text.trim().parse::<Date>().ok()
}

fn word(lang: Lang, key: &str) -> String {
    catalog(lang).format(key, &[])
}

/// `GET /requests/figures[?from=YYYY-MM-DD&to=YYYY-MM-DD]`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<PeriodQuery>,
) -> Response {
    let lang = member.lang;
    let chrome = Chrome::member(&member, "requests.figures_title", "requests");
    let today = state.today();
    let mut query = query;
    if query.from.trim().is_empty() {
        query.from = today.first_of_month().to_string();
    }
    if query.to.trim().is_empty() {
        query.to = today.to_string();
    }
    let mut page = FiguresPage {
        query: query.clone(),
        errors: BTreeMap::new(),
        period: String::new(),
        computed: String::new(),
        overall: Vec::new(),
        withdrawn: 0,
        by_class: Vec::new(),
        by_level: Vec::new(),
        stays: Vec::new(),
        figures: FIGURES.iter().map(|f| format!("kpi.{f}")).collect(),
        shown: false,
    };
    let from = day(&query.from);
    let to = day(&query.to);
    if from.is_none() {
        page.errors.insert("from", "form.date_invalid");
    }
    if to.is_none() {
        page.errors.insert("to", "form.date_invalid");
    }
    let (Some(from), Some(to)) = (from, to) else {
        return site.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "request_figures.html",
            &chrome,
            page,
        );
    };
    let figures = request_figures(
        State(state.clone()),
        member.caller.clone(),
        ApiQuery(KpiQuery { from, to }),
    )
    .await;
    let view = match figures {
        Ok(Json(view)) => view,
        Err(error) if error.code() == "invalid_query" => {
            page.errors.insert("to", "requests.to_before_from");
            return site.page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "request_figures.html",
                &chrome,
                page,
            );
        }
        Err(error) => return failure(&site, &chrome, &error),
    };
    page.shown = true;
    page.period = catalog(lang).format(
        "publicity.from_to",
        &[
            ("first", format::date(view.from, lang)),
            ("last", format::date(view.to, lang)),
        ],
    );
    page.computed = format::instant(view.computed_at, lang);
    page.overall = page.figures.iter().cloned().zip(cells(&view.all)).collect();
    page.withdrawn = view.all.withdrawn;
    page.by_class = view
        .by_class
        .iter()
        .map(|(class, k)| Line {
            label: word(lang, &class_key(*class)),
            cells: cells(k),
        })
        .collect();
    page.by_level = view
        .by_level
        .iter()
        .map(|(level, k)| Line {
            label: word(lang, &level_key(*level)),
            cells: cells(k),
        })
        .collect();
    page.stays = view
        .all
        .time_in_state
        .iter()
        .map(|s| StayRow {
            state: state_key(s.state),
            stays: s.stays,
            median: format::duration(s.median, lang),
            p90: format::duration(s.p90, lang),
        })
        .collect();
    site.page(StatusCode::OK, "request_figures.html", &chrome, page)
}
