//! 公示, the public notice list: every declaration under public notice, to
//! anyone, signed in or not — what the API's notices list shows.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hatchery_server::AppState;
use hatchery_server::extract::page_window;
use hatchery_server::routes::notices::public_notices;
use serde::{Deserialize, Serialize};

use super::{division_name, failure, link, tier_name, visitor_chrome};
use crate::format;
use crate::session::Visitor;
use crate::site::Site;

/// Rows per page.
const PER_PAGE: u64 = 20;

/// Which page.
#[derive(Debug, Default, Deserialize)]
pub struct PublicityQuery {
    #[serde(default)]
    pub page: String,
}

#[derive(Debug, Serialize)]
struct NoticeRow {
    declaration: i64,
    enterprise: String,
    tier: String,
    province: String,
    cycle: i16,
    first: String,
    last: String,
}

#[derive(Debug, Serialize)]
struct PublicityPage {
    rows: Vec<NoticeRow>,
    total: String,
    page: u64,
    pages: u64,
    previous: Option<String>,
    next: Option<String>,
}

/// `GET /publicity`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    visitor: Visitor,
    Query(query): Query<PublicityQuery>,
) -> Response {
    let lang = visitor.lang;
    let chrome = visitor_chrome(&visitor, "publicity.title", "publicity");
    let number = query
        .page
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    let window = match page_window(
        Some(number),
        Some(PER_PAGE),
        state.settings.limits.max_page_size.max(PER_PAGE),
    ) {
        Ok(window) => window,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let notices = match public_notices(&state, window).await {
        Ok(notices) => notices,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let rules = match hatchery_server::routes::enterprises::rule_set(&state, None, None).await {
        Ok(entry) => entry.rules,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let pages = notices.total.div_ceil(PER_PAGE).max(1);
    let page = PublicityPage {
        rows: notices
            .items
            .iter()
            .map(|n| NoticeRow {
                declaration: n.declaration,
                enterprise: n
                    .enterprise_name
                    .clone()
                    .unwrap_or_else(|| n.enterprise.clone()),
                tier: tier_name(&rules, &n.tier, lang),
                province: n
                    .province
                    .as_deref()
                    .map(|p| division_name(p, lang))
                    .unwrap_or_default(),
                cycle: n.cycle,
                first: n
                    .notice_first
                    .map(|d| format::date(d, lang))
                    .unwrap_or_default(),
                last: n
                    .notice_last
                    .map(|d| format::date(d, lang))
                    .unwrap_or_default(),
            })
            .collect(),
        total: format::count(notices.total),
        page: number,
        pages,
        previous: (number > 1).then(|| link("/publicity", &[("page", &(number - 1).to_string())])),
        next: (number < pages).then(|| link("/publicity", &[("page", &(number + 1).to_string())])),
    };
    site.page(StatusCode::OK, "publicity.html", &chrome, page)
}
