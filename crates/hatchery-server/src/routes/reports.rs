//! The tracking report over the API: the report `hatchery report` writes,
//! for the caller's jurisdiction, in any of its formats.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use hatchery_core::workflow::{Capability, Scope};
use hatchery_report::{Format, Lang, Report};
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Query;
use crate::routes::enterprises::{day, rule_set};
use crate::state::AppState;

/// The most as-of dates one report takes.
pub const MAX_DATES: usize = 12;

/// Which report.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// As-of dates, `YYYY-MM-DD`, comma-separated, at most 12 (default today).
    pub as_of: Option<String>,
    /// A rule set key (default the configured one).
    pub rules: Option<String>,
    /// `html`, `xlsx`, `csv` (a ZIP of one CSV file per table), `json` or `md` (default `json`).
    pub format: Option<String>,
    /// `zh` (default) or `en`.
    pub lang: Option<String>,
}

/// The report's bytes in the format asked for.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ReportFile(pub Vec<u8>);

/// The report's scope for the caller: the nation, a province, a city or a
/// national high-tech zone (the enterprises carrying it, as the CLI's
/// `--scope zone:ID`). A district or an enterprise has no report of its own.
fn report_scope(caller: &Caller) -> Result<Option<hatchery_report::Scope>, ApiError> {
    match &caller.scope {
        Scope::All => Ok(None),
        Scope::Province(code) => Ok(Some(hatchery_report::Scope::Province(*code))),
        Scope::City(code) => Ok(Some(hatchery_report::Scope::City(*code))),
        Scope::Zone(zone) => Ok(Some(hatchery_report::Scope::Zone(zone.as_str().to_owned()))),
        Scope::District(_) | Scope::Enterprise(_) => Err(ApiError::forbidden(
            "the tracking report covers the nation, a province, a city or a zone",
        )),
    }
}

/// The as-of dates: distinct, ascending, 1 to [`MAX_DATES`].
fn dates(state: &AppState, text: Option<&str>) -> Result<Vec<Date>, ApiError> {
    let mut dates = match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => vec![state.today()],
        Some(text) => text
            .split(',')
            .map(|d| day(state, Some(d.trim())))
            .collect::<Result<Vec<_>, _>>()?,
    };
    dates.sort_unstable();
    dates.dedup();
    if dates.len() > MAX_DATES {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("a report takes at most {MAX_DATES} dates"),
        ));
    }
    Ok(dates)
}

/// The tracking report for the caller's jurisdiction: what the route and
/// the web interface's report page show.
pub async fn tracking_report(
    state: &AppState,
    caller: &Caller,
    as_of: Option<&str>,
    rules: Option<&str>,
    lang: Lang,
) -> Result<Report, ApiError> {
    caller.require(Capability::ReadStatistics)?;
    let scope = report_scope(caller)?;
    let dates = dates(state, as_of)?;
    let rules = rule_set(state, rules, None).await?.rules;
    let view = state.ledger().await?;
    // Building is CPU work over the whole ledger: off the async workers.
    // The view keeps what it built, for the next request of the same report.
    let built = tokio::task::spawn_blocking(move || view.report(&rules, &dates, scope, lang))
        .await
        .map_err(ApiError::internal)?;
    match built.as_ref() {
        Ok(report) => Ok(report.clone()),
        Err(problem) => Err(ApiError::bad_request("invalid_query", problem.clone())),
    }
}

/// The tracking report (as `hatchery report` writes it) for the caller's
/// jurisdiction: a download.
#[utoipa::path(
    get, path = "/api/reports/tracking", tag = "statistics",
    params(ReportQuery),
    responses(
        (status = 200, description = "The report as a file", content(
            (ReportFile = "application/json"),
            (ReportFile = "text/html"),
            (ReportFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (ReportFile = "application/zip"),
            (ReportFile = "text/markdown"),
        )),
        (status = 400, description = "Bad dates, rule set, format or language", body = ErrorBody),
        (status = 403, description = "The role reads no statistics, or the jurisdiction is below a city", body = ErrorBody),
    )
)]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let format: Format = query.format.as_deref().unwrap_or("json").parse().map_err(
        |e: hatchery_report::FormatError| ApiError::bad_request("invalid_query", e.to_string()),
    )?;
    let lang: Lang = query.lang.as_deref().unwrap_or("zh").parse().map_err(
        |e: hatchery_report::LangError| ApiError::bad_request("invalid_query", e.to_string()),
    )?;
    let report = tracking_report(
        &state,
        &caller,
        query.as_of.as_deref(),
        query.rules.as_deref(),
        lang,
    )
    .await?;
    let bytes = hatchery_report::render_bytes(&report, format).map_err(ApiError::internal)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", format.file_name()))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
