//! `/stewards`: the assignments within the account's jurisdiction (ended
//! ones too, unless "serving now only" is ticked), each with the last
//! contact under it and a flag past the days allowed without one (the API's
//! figures), filtered by enterprise; then the recent contacts, paged.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hatchery_core::EnterpriseId;
use hatchery_core::services::steward::STALE_CONTACT_DAYS;
use hatchery_server::AppState;
use hatchery_server::extract::{Json, Query as ApiQuery};
use hatchery_server::routes::stewards::{
    ContactQuery, FiguresQuery, StewardView, list_contacts, list_stewards, scoped_stewards,
};
use serde::{Deserialize, Serialize};

use super::{ContactRow, StewardRow};
use crate::format;
use crate::i18n::catalog;
use crate::pages::{Choice, failure, link};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// Contacts per page.
const PER_PAGE: u64 = 20;

/// The filters, as typed (the checkbox sends `1`).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct StewardFilters {
    #[serde(default)]
    pub active: String,
    #[serde(default)]
    pub enterprise: String,
    #[serde(default)]
    pub page: String,
}

#[derive(Debug, Serialize)]
struct ListPage {
    filters: StewardFilters,
    errors: BTreeMap<&'static str, &'static str>,
    active: bool,
    enterprises: Vec<Choice>,
    stewards: Vec<StewardRow>,
    stale_after: i64,
    contacts: Vec<ContactRow>,
    contacts_total: String,
    page: u64,
    pages: u64,
    previous: Option<String>,
    next: Option<String>,
    /// Whether the enterprise pages can be opened.
    enterprise_links: bool,
}

/// `GET /stewards`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(filters): Query<StewardFilters>,
) -> Response {
    let lang = member.lang;
    let chrome = Chrome::member(&member, "stewards.title", "stewards");
    let caller = &member.caller;
    // The figures first: they are what checks that the role reads stewards.
    let figures = match list_stewards(
        State(state.clone()),
        caller.clone(),
        ApiQuery(FiguresQuery::default()),
    )
    .await
    {
        Ok(Json(report)) => report,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let assignments = match scoped_stewards(&state, caller).await {
        Ok(found) => found,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let ledger = match state.ledger().await {
        Ok(ledger) => ledger,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let today = figures.today;
    let last: HashMap<i64, (Option<jiff::civil::Date>, bool)> = figures
        .stewards
        .iter()
        .flat_map(|s| s.served.iter())
        .map(|s| (s.assignment.0, (s.last_contact, s.stale)))
        .collect();
    let views: Vec<StewardView> = assignments
        .iter()
        .map(|a| {
            let name = ledger
                .position(&a.enterprise)
                .and_then(|p| ledger.names(p))
                .map(|r| r.name.to_string());
            StewardView::new(a, name, today)
        })
        .collect();

    let mut errors = BTreeMap::new();
    let wanted = filters.enterprise.trim();
    if !wanted.is_empty() && EnterpriseId::parse(wanted).is_err() {
        errors.insert("enterprise", "stewards.enterprise_invalid");
    }
    let active = filters.active == "1";
    // Every enterprise with an assignment, by name, for the filter.
    let mut named: Vec<(String, String)> = views
        .iter()
        .map(|v| {
            (
                v.enterprise_name
                    .clone()
                    .unwrap_or_else(|| v.enterprise.clone()),
                v.enterprise.clone(),
            )
        })
        .collect();
    named.sort();
    named.dedup();
    let enterprises = std::iter::once(Choice {
        value: String::new(),
        label: catalog(lang).format("stewards.any_enterprise", &[]),
        selected: wanted.is_empty(),
    })
    .chain(named.into_iter().map(|(label, value)| Choice {
        selected: value == wanted,
        value,
        label,
    }))
    .collect();
    let mut stewards: Vec<StewardRow> = views
        .iter()
        .filter(|v| !active || v.active)
        .filter(|v| wanted.is_empty() || v.enterprise == wanted)
        .map(|v| {
            let mut row = StewardRow::of(v, today, lang);
            if let Some((on, stale)) = last.get(&v.id) {
                row.last_contact = on.map(|d| format::date(d, lang));
                row.stale = *stale;
            }
            row
        })
        .collect();
    stewards.sort_by(|a, b| {
        b.active
            .cmp(&a.active)
            .then_with(|| a.enterprise.cmp(&b.enterprise))
            .then_with(|| a.id.cmp(&b.id))
    });
    let number = filters
        .page
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    let mut page = ListPage {
        filters: filters.clone(),
        errors,
        active,
        enterprises,
        stewards,
        stale_after: STALE_CONTACT_DAYS,
        contacts: Vec::new(),
        contacts_total: String::new(),
        page: number,
        pages: 1,
        previous: None,
        next: None,
        enterprise_links: hatchery_core::workflow::Capability::ReadEnterprises
            .granted_to(caller.account.role),
    };
    if !page.errors.is_empty() {
        return site.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "stewards/list.html",
            &chrome,
            page,
        );
    }
    let contacts = match list_contacts(
        State(state.clone()),
        caller.clone(),
        ApiQuery(ContactQuery {
            enterprise: (!wanted.is_empty()).then(|| wanted.to_owned()),
            page: Some(number),
            per_page: Some(PER_PAGE.min(state.settings.limits.max_page_size)),
            ..ContactQuery::default()
        }),
    )
    .await
    {
        Ok(Json(found)) => found,
        Err(error) => return failure(&site, &chrome, &error),
    };
    page.contacts = contacts
        .items
        .iter()
        .map(|c| ContactRow::of(c, lang))
        .collect();
    page.contacts_total = format::count(contacts.total);
    page.pages = contacts.total.div_ceil(PER_PAGE).max(1);
    let at = |n: u64| {
        link(
            "/stewards",
            &[
                ("active", if active { "1" } else { "" }),
                ("enterprise", wanted),
                ("page", &n.to_string()),
            ],
        )
    };
    page.previous = (number > 1).then(|| at(number - 1));
    page.next = (number < page.pages).then(|| at(number + 1));
    site.page(StatusCode::OK, "stewards/list.html", &chrome, page)
}
