//! The figures of request handling for the requests filed in a period
//! (default: this month to today) within the account's jurisdiction —
//! the API's own `request_figures`: overall, by class and by the level
//! that handles them now, by province, city, high-tech zone and department;
//! each rate as "71.4% (5/7)", the time spent in each state as a median and
//! 90th percentile, each figure defined under the tables — and the same
//! tables as a workbook (`/requests/figures.xlsx`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_core::services::kpi::{Kpis, Rate};
use hatchery_core::services::revisit::RevisitReason;
use hatchery_core::workflow::Capability;
use hatchery_server::AppState;
use hatchery_server::error::ApiError;
use hatchery_server::routes::requests::{FiledRequests, KpiQuery};
use hatchery_server::state::LedgerView;
use hatchery_server::views::requests::{KpiView, RevisitView};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::failure;
use super::requests::{class_key, level_key, office_text, state_key};
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
const FIGURES: [&str; 10] = [
    "requests",
    "response_in_time",
    "closed_on_time",
    "closure",
    "solved",
    "satisfaction",
    "reopen",
    "revisit",
    "unsatisfied_revisited",
    "overdue",
];

/// The figures of [`FIGURES`] that are rates: all but the first and last.
const RATES: std::ops::Range<usize> = 1..FIGURES.len() - 1;

#[derive(Debug, Serialize)]
struct Line {
    /// The row's label (a class or level, in words; or a figure's key).
    label: String,
    cells: Vec<String>,
}

/// One breakdown's table.
#[derive(Debug, Serialize)]
struct Table {
    /// The element id (`by_city`).
    id: &'static str,
    /// The message keys of the heading and of the first column.
    heading: &'static str,
    first: &'static str,
    rows: Vec<Line>,
}

/// A request still to revisit.
#[derive(Debug, Serialize)]
struct RevisitRow {
    id: i64,
    title: String,
    enterprise: String,
    closed: String,
    /// The reason's message key.
    reason: String,
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
    /// By class, by level, by place and by department, empty ones left out.
    tables: Vec<Table>,
    stays: Vec<StayRow>,
    /// The requests still to revisit (回访), for officials who handle them.
    revisits: Option<Vec<RevisitRow>>,
    xlsx: String,
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
        rate(&k.revisit),
        rate(&k.unsatisfied_revisited),
        k.overdue.to_string(),
    ]
}

fn day(text: &str) -> Option<Date> {
    text.trim().parse::<Date>().ok()
}

fn word(lang: Lang, key: &str) -> String {
    catalog(lang).format(key, &[])
}

/// The period asked for, defaulting to this month up to today: the dates,
/// or which field is wrong.
fn period(
    query: &mut PeriodQuery,
    today: Date,
) -> Result<(Date, Date), BTreeMap<&'static str, &'static str>> {
    if query.from.trim().is_empty() {
        query.from = today.first_of_month().to_string();
    }
    if query.to.trim().is_empty() {
        query.to = today.to_string();
    }
    let mut errors = BTreeMap::new();
    let from = day(&query.from);
    let to = day(&query.to);
    if from.is_none() {
        errors.insert("from", "form.date_invalid");
    }
    if to.is_none() {
        errors.insert("to", "form.date_invalid");
    }
    match (from, to) {
        (Some(from), Some(to)) if to >= from => Ok((from, to)),
        (Some(_), Some(_)) => {
            errors.insert("to", "requests.to_before_from");
            Err(errors)
        }
        _ => Err(errors),
    }
}

/// A breakdown's rows: each key in words, then its figures.
fn lines<K>(rows: &[(K, Kpis)], label: impl Fn(&K) -> String) -> Vec<Line> {
    rows.iter()
        .map(|(key, k)| Line {
            label: label(key),
            cells: cells(k),
        })
        .collect()
}

/// Every breakdown of `view` as (heading key, first column's key, rows),
/// in the order the page and the workbook show them; empty ones left out.
fn breakdowns(
    view: &KpiView,
    ledger: &LedgerView,
    lang: Lang,
) -> Vec<(&'static str, &'static str, Vec<Line>)> {
    let office = |code: &String| office_text(code, ledger, lang);
    let all = vec![
        (
            "requests.by_class",
            "requests.class",
            lines(&view.by_class, |class| word(lang, &class_key(*class))),
        ),
        (
            "requests.by_level",
            "requests.level",
            lines(&view.by_level, |level| word(lang, &level_key(*level))),
        ),
        (
            "requests.by_province",
            "requests.col_province",
            lines(&view.by_province, office),
        ),
        (
            "requests.by_city",
            "requests.col_city",
            lines(&view.by_city, office),
        ),
        (
            "requests.by_zone",
            "requests.col_zone",
            lines(&view.by_zone, office),
        ),
        (
            "requests.by_department",
            "requests.col_department",
            lines(&view.by_department, |department: &Option<String>| {
                department
                    .clone()
                    .unwrap_or_else(|| word(lang, "requests.not_dispatched"))
            }),
        ),
        (
            "requests.by_steward",
            "requests.col_steward",
            lines(&view.by_steward, |steward: &String| steward_name(steward)),
        ),
    ];
    all.into_iter()
        .filter(|(_, _, rows)| !rows.is_empty())
        .collect()
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
    let mut query = query;
    let asked = period(&mut query, state.today());
    let mut page = FiguresPage {
        query: query.clone(),
        errors: BTreeMap::new(),
        period: String::new(),
        computed: String::new(),
        overall: Vec::new(),
        withdrawn: 0,
        tables: Vec::new(),
        stays: Vec::new(),
        revisits: None,
        xlsx: format!(
            "/requests/figures.xlsx?from={}&to={}",
            query.from.trim(),
            query.to.trim()
        ),
        figures: FIGURES.iter().map(|f| format!("kpi.{f}")).collect(),
        shown: false,
    };
    let (from, to) = match asked {
        Ok(period) => period,
        Err(errors) => {
            page.errors = errors;
            return site.page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "request_figures.html",
                &chrome,
                page,
            );
        }
    };
    let revisits = member.caller.require(Capability::HandleRequests).is_ok();
    let (view, due, ledger) = match load(&state, &member, (from, to), revisits).await {
        Ok(loaded) => loaded,
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
    page.tables = breakdowns(&view, &ledger, lang)
        .into_iter()
        .map(|(heading, first, rows)| Table {
            id: heading.trim_start_matches("requests."),
            heading,
            first,
            rows,
        })
        .collect();
    page.stays = stays(&view, lang);
    if let Some(due) = due {
        page.revisits = Some(
            due.into_iter()
                .map(|d| RevisitRow {
                    id: d.request.id,
                    title: d.request.title,
                    enterprise: d.request.enterprise_name.unwrap_or(d.request.enterprise),
                    closed: d
                        .request
                        .closed_at
                        .map(|at| format::instant(at, lang))
                        .unwrap_or_default(),
                    reason: format!("requests.revisit_{}", revisit_key(d.reason)),
                })
                .collect(),
        );
    }
    site.page(StatusCode::OK, "request_figures.html", &chrome, page)
}

/// The figures of the period and the ledger view that names their places;
/// with `revisits`, the requests still to be revisited too (the period's
/// requests are loaded once for both).
async fn load(
    state: &AppState,
    member: &Member,
    (from, to): (Date, Date),
    revisits: bool,
) -> Result<(KpiView, Option<Vec<RevisitView>>, Arc<LedgerView>), ApiError> {
    let filed = FiledRequests::load(state, &member.caller, KpiQuery { from, to }).await?;
    let view = filed.figures(state, &member.caller).await?;
    let due = if revisits {
        Some(filed.revisits(state).await?)
    } else {
        None
    };
    let ledger = state.ledger().await?;
    Ok((view, due, ledger))
}

/// A steward of the steward breakdown (`person — name`) as people know
/// them: by name.
fn steward_name(steward: &str) -> String {
    steward
        .split_once(" — ")
        .map_or(steward, |(_, name)| name)
        .to_owned()
}

fn revisit_key(reason: RevisitReason) -> &'static str {
    match reason {
        RevisitReason::Unsatisfied => "unsatisfied",
        RevisitReason::Share => "share",
    }
}

fn stays(view: &KpiView, lang: Lang) -> Vec<StayRow> {
    view.all
        .time_in_state
        .iter()
        .map(|s| StayRow {
            state: state_key(s.state),
            stays: s.stays,
            median: format::duration(s.median, lang),
            p90: format::duration(s.p90, lang),
        })
        .collect()
}

/// `GET /requests/figures.xlsx[?from=…&to=…]`: the page's tables as a
/// workbook, a sheet each (overall, each breakdown, time in state,
/// definitions); rates as percentages Excel can compute with, each beside
/// its numerator and denominator. A wrong period goes back to the page,
/// which says what is wrong.
pub async fn export_xlsx(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<PeriodQuery>,
) -> Response {
    let lang = member.lang;
    let chrome = Chrome::member(&member, "requests.figures_title", "requests");
    let mut query = query;
    let Ok((from, to)) = period(&mut query, state.today()) else {
        let back = format!(
            "/requests/figures?from={}&to={}",
            urlencoding(&query.from),
            urlencoding(&query.to)
        );
        return Redirect::to(&back).into_response();
    };
    let (view, _, ledger) = match load(&state, &member, (from, to), false).await {
        Ok(loaded) => loaded,
        Err(error) => return failure(&site, &chrome, &error),
    };
    match workbook(&view, &ledger, lang) {
        Ok(bytes) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            );
            let name = format!("attachment; filename=\"request-figures-{from}-{to}.xlsx\"");
            if let Ok(value) = HeaderValue::from_str(&name) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(error) => failure(&site, &chrome, &error),
    }
}

/// What a typed date may carry into a link: digits and dashes stay, the
/// rest is percent-encoded.
fn urlencoding(text: &str) -> String {
    text.trim()
        .bytes()
        .map(|b| match b {
            b'0'..=b'9' | b'-' | b'a'..=b'z' | b'A'..=b'Z' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The rates of `k` in the order of [`FIGURES`]' rate columns.
fn rates(k: &Kpis) -> [&Rate; RATES.end - RATES.start] {
    [
        &k.response_in_time,
        &k.closed_on_time,
        &k.closure,
        &k.solved,
        &k.satisfaction,
        &k.reopen,
        &k.revisit,
        &k.unsatisfied_revisited,
    ]
}

fn workbook(view: &KpiView, ledger: &LedgerView, lang: Lang) -> Result<Vec<u8>, ApiError> {
    use rust_xlsxwriter::{Format, Workbook, Worksheet};
    let header_format = Format::new()
        .set_bold()
        .set_background_color(0xDDE4EE)
        .set_text_wrap();
    let percent_format = Format::new().set_num_format("0.0%");
    let text = |key: &str| word(lang, key);
    let head = |sheet: &mut Worksheet, first: &str| -> Result<(), ApiError> {
        let mut columns = vec![text(first), text("kpi.requests")];
        for figure in &FIGURES[RATES] {
            let name = text(&format!("kpi.{figure}"));
            columns.push(name.clone());
            columns.push(catalog(lang).format("requests.rate_count", &[("figure", name)]));
        }
        columns.push(text("kpi.overdue"));
        columns.push(text("kpi.withdrawn"));
        for (column, title) in columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, column as u16, title, &header_format)
                .map_err(ApiError::internal)?;
        }
        sheet.set_column_width(0, 24).map_err(ApiError::internal)?;
        sheet
            .set_column_range_width(1, columns.len() as u16, 14)
            .map_err(ApiError::internal)?;
        sheet.set_freeze_panes(1, 1).map_err(ApiError::internal)?;
        Ok(())
    };
    let row = |sheet: &mut Worksheet, at: u32, label: &str, k: &Kpis| -> Result<(), ApiError> {
        sheet
            .write_string(at, 0, label)
            .map_err(ApiError::internal)?;
        sheet
            .write_number(at, 1, f64::from(k.requests))
            .map_err(ApiError::internal)?;
        for (i, r) in rates(k).into_iter().enumerate() {
            let column = 2 + 2 * i as u16;
            if r.denominator > 0 {
                let share = f64::from(r.numerator) / f64::from(r.denominator);
                sheet
                    .write_number_with_format(at, column, share, &percent_format)
                    .map_err(ApiError::internal)?;
            }
            sheet
                .write_string(at, column + 1, format!("{}/{}", r.numerator, r.denominator))
                .map_err(ApiError::internal)?;
        }
        let after_rates = 2 + 2 * (RATES.end - RATES.start) as u16;
        sheet
            .write_number(at, after_rates, f64::from(k.overdue))
            .map_err(ApiError::internal)?;
        sheet
            .write_number(at, after_rates + 1, f64::from(k.withdrawn))
            .map_err(ApiError::internal)?;
        Ok(())
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .set_name(text("requests.overall"))
        .map_err(ApiError::internal)?;
    head(sheet, "requests.figure")?;
    let period = catalog(lang).format(
        "publicity.from_to",
        &[
            ("first", format::date(view.from, lang)),
            ("last", format::date(view.to, lang)),
        ],
    );
    row(sheet, 1, &period, &view.all)?;
    for (heading, first, _) in breakdowns(view, ledger, lang) {
        let rows: Vec<(String, &Kpis)> = match heading {
            "requests.by_class" => view
                .by_class
                .iter()
                .map(|(c, k)| (text(&class_key(*c)), k))
                .collect(),
            "requests.by_level" => view
                .by_level
                .iter()
                .map(|(l, k)| (text(&level_key(*l)), k))
                .collect(),
            "requests.by_province" => named(&view.by_province, ledger, lang),
            "requests.by_city" => named(&view.by_city, ledger, lang),
            "requests.by_zone" => named(&view.by_zone, ledger, lang),
            "requests.by_steward" => view
                .by_steward
                .iter()
                .map(|(steward, k)| (steward_name(steward), k))
                .collect(),
            _ => view
                .by_department
                .iter()
                .map(|(d, k)| {
                    (
                        d.clone().unwrap_or_else(|| text("requests.not_dispatched")),
                        k,
                    )
                })
                .collect(),
        };
        let sheet = book.add_worksheet();
        sheet.set_name(text(heading)).map_err(ApiError::internal)?;
        head(sheet, first)?;
        for (at, (label, k)) in rows.iter().enumerate() {
            row(sheet, at as u32 + 1, label, k)?;
        }
    }
    let sheet = book.add_worksheet();
    sheet
        .set_name(text("requests.time_in_state"))
        .map_err(ApiError::internal)?;
    for (column, key) in [
        "requests.state",
        "requests.stays",
        "requests.median",
        "requests.p90",
    ]
    .iter()
    .enumerate()
    {
        sheet
            .write_string_with_format(0, column as u16, text(key), &header_format)
            .map_err(ApiError::internal)?;
    }
    sheet
        .set_column_range_width(0, 3, 18)
        .map_err(ApiError::internal)?;
    for (at, stay) in stays(view, lang).iter().enumerate() {
        let at = at as u32 + 1;
        sheet
            .write_string(at, 0, text(&stay.state))
            .map_err(ApiError::internal)?;
        sheet
            .write_number(at, 1, f64::from(stay.stays))
            .map_err(ApiError::internal)?;
        sheet
            .write_string(at, 2, &stay.median)
            .map_err(ApiError::internal)?;
        sheet
            .write_string(at, 3, &stay.p90)
            .map_err(ApiError::internal)?;
    }
    let sheet = book.add_worksheet();
    sheet
        .set_name(text("requests.definitions"))
        .map_err(ApiError::internal)?;
    sheet.set_column_width(0, 24).map_err(ApiError::internal)?;
    sheet.set_column_width(1, 100).map_err(ApiError::internal)?;
    let mut at = 0;
    for figure in FIGURES {
        let key = format!("kpi.{figure}");
        sheet
            .write_string_with_format(at, 0, text(&key), &header_format)
            .map_err(ApiError::internal)?;
        sheet
            .write_string(at, 1, text(&format!("{key}_def")))
            .map_err(ApiError::internal)?;
        at += 1;
    }
    sheet
        .write_string_with_format(at, 0, text("requests.time_in_state"), &header_format)
        .map_err(ApiError::internal)?;
    sheet
        .write_string(at, 1, text("kpi.time_in_state_def"))
        .map_err(ApiError::internal)?;
    book.save_to_buffer().map_err(ApiError::internal)
}

/// Rows keyed by an office (a division code or `zone:ID`), in words.
fn named<'a>(
    rows: &'a [(String, Kpis)],
    ledger: &LedgerView,
    lang: Lang,
) -> Vec<(String, &'a Kpis)> {
    rows.iter()
        .map(|(code, k)| (office_text(code, ledger, lang), k))
        .collect()
}
