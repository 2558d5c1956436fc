//! 诉求: the enterprises' requests in the account's jurisdiction (an
//! enterprise: its own), newest first, filtered by state, class, overdue
//! and "waiting for me" — the API's own `list_requests`. Each row says who
//! owns the request now and its next deadline, in China time, with an
//! "overdue" marker in words.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hatchery_core::services::{Level, RequestClass, RequestState};
use hatchery_core::workflow::{Capability, Role};
use hatchery_server::AppState;
use hatchery_server::extract::{Json, Query as ApiQuery};
use hatchery_server::routes::requests::{RequestQuery, list_requests};
use hatchery_server::state::LedgerView;
use hatchery_server::views::requests::RequestView;
use serde::{Deserialize, Serialize};

use super::{Choice, failure, jurisdiction_text, link};
use crate::format;
use crate::i18n::{Lang, catalog};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// Rows per page.
const PER_PAGE: u64 = 20;

/// The state's message key.
pub(crate) fn state_key(state: RequestState) -> String {
    format!("request_state.{}", state.as_str())
}

/// The class's message key.
pub(crate) fn class_key(class: RequestClass) -> String {
    format!("request_class.{}", class.as_str())
}

/// The level's message key.
pub(crate) fn level_key(level: Level) -> String {
    format!("request_level.{}", level.as_str())
}

/// The office that owns a request (`CN`, a division code or `zone:ID`) in
/// words: the nation, the division's name, the zone's name.
pub(crate) fn office_text(owner: &str, ledger: &LedgerView, lang: Lang) -> String {
    match owner.strip_prefix("zone:") {
        Some(zone) => ledger
            .zones
            .resolve(zone)
            .map_or_else(|| zone.to_owned(), |z| z.name.clone()),
        None => jurisdiction_text(owner, lang),
    }
}

/// Who owns a request now: the level, the office, the department.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Owner {
    /// The level's message key.
    pub level: String,
    pub office: String,
    pub department: Option<String>,
}

impl Owner {
    pub(crate) fn of(view: &RequestView, ledger: &LedgerView, lang: Lang) -> Self {
        Self {
            level: level_key(view.level),
            office: office_text(&view.owner, ledger, lang),
            department: view.department.clone(),
        }
    }
}

/// The deadline a request runs against now.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Due {
    /// The deadline's message key.
    pub kind: String,
    pub at: String,
}

/// The next deadline of `view`, in China time, as the language writes it.
pub(crate) fn next_due(view: &RequestView, lang: Lang) -> Option<Due> {
    view.next_due.as_ref().map(|due| Due {
        kind: format!("deadline.{}", due.deadline.as_str()),
        at: format::instant(due.at, lang),
    })
}

/// The filters, as typed (checkboxes send `1`).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct RequestFilters {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub class: String,
    #[serde(default)]
    pub overdue: String,
    #[serde(default)]
    pub mine: String,
    #[serde(default)]
    pub page: String,
}

#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    title: String,
    enterprise: String,
    class: String,
    state: String,
    owner: Owner,
    due: Option<Due>,
    /// Its clocks stand while it waits for the enterprise.
    paused: bool,
    overdue: bool,
}

#[derive(Debug, Serialize)]
struct ListPage {
    filters: RequestFilters,
    errors: BTreeMap<&'static str, &'static str>,
    states: Vec<Choice>,
    classes: Vec<Choice>,
    overdue: bool,
    mine: bool,
    rows: Vec<Row>,
    total: String,
    page: u64,
    pages: u64,
    previous: Option<String>,
    next: Option<String>,
    /// Whether the role files requests (the "file a request" button).
    can_file: bool,
    /// Whether the figures are linked (officials).
    figures: bool,
}

/// A `<select>`'s choices: "any", then each value.
fn choices<T: Copy>(
    lang: Lang,
    any: &str,
    all: &[T],
    key: impl Fn(T) -> (String, String),
    chosen: &str,
) -> Vec<Choice> {
    let catalog = catalog(lang);
    std::iter::once(Choice {
        value: String::new(),
        label: catalog.format(any, &[]),
        selected: chosen.is_empty(),
    })
    .chain(all.iter().map(|&v| {
        let (value, message) = key(v);
        Choice {
            selected: value == chosen,
            value,
            label: catalog.format(&message, &[]),
        }
    }))
    .collect()
}

/// `GET /requests`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(filters): Query<RequestFilters>,
) -> Response {
    let lang = member.lang;
    let chrome = Chrome::member(&member, "requests.title", "requests");
    let role = member.caller.account.role;
    let mut errors = BTreeMap::new();
    let wanted_state = match filters.state.trim() {
        "" => None,
        text => RequestState::parse(text).or_else(|| {
            errors.insert("state", "requests.state_invalid");
            None
        }),
    };
    let wanted_class = match filters.class.trim() {
        "" => None,
        text => RequestClass::parse(text).or_else(|| {
            errors.insert("class", "requests.class_invalid");
            None
        }),
    };
    let overdue = filters.overdue == "1";
    let mine = filters.mine == "1";
    let number = filters
        .page
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    let mut page = ListPage {
        states: choices(
            lang,
            "requests.any_state",
            RequestState::ALL,
            |s| (s.as_str().to_owned(), state_key(s)),
            filters.state.trim(),
        ),
        classes: choices(
            lang,
            "requests.any_class",
            RequestClass::ALL,
            |c| (c.as_str().to_owned(), class_key(c)),
            filters.class.trim(),
        ),
        filters: filters.clone(),
        errors: BTreeMap::new(),
        overdue,
        mine,
        rows: Vec::new(),
        total: String::new(),
        page: number,
        pages: 1,
        previous: None,
        next: None,
        can_file: Capability::FileRequests.granted_to(role),
        figures: role != Role::Enterprise,
    };
    if !errors.is_empty() {
        page.errors = errors;
        return site.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "requests.html",
            &chrome,
            page,
        );
    }
    let listed = list_requests(
        State(state.clone()),
        member.caller.clone(),
        ApiQuery(RequestQuery {
            state: wanted_state,
            class: wanted_class,
            overdue: Some(overdue),
            mine: Some(mine),
            page: Some(number),
            per_page: Some(PER_PAGE.min(state.settings.limits.max_page_size)),
            ..RequestQuery::default()
        }),
    )
    .await;
    let listed = match listed {
        Ok(Json(listed)) => listed,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let ledger = match state.ledger().await {
        Ok(ledger) => ledger,
        Err(error) => return failure(&site, &chrome, &error),
    };
    page.pages = listed.total.div_ceil(PER_PAGE).max(1);
    page.total = format::count(listed.total);
    let at = |n: u64| {
        link(
            "/requests",
            &[
                ("state", filters.state.trim()),
                ("class", filters.class.trim()),
                ("overdue", if overdue { "1" } else { "" }),
                ("mine", if mine { "1" } else { "" }),
                ("page", &n.to_string()),
            ],
        )
    };
    page.previous = (number > 1).then(|| at(number - 1));
    page.next = (number < page.pages).then(|| at(number + 1));
    page.rows = listed
        .items
        .iter()
        .map(|r| Row {
            id: r.id,
            title: r.title.clone(),
            enterprise: r
                .enterprise_name
                .clone()
                .unwrap_or_else(|| r.enterprise.clone()),
            class: class_key(r.class),
            state: state_key(r.state),
            owner: Owner::of(r, &ledger, lang),
            due: next_due(r, lang),
            paused: r.state == RequestState::Suspended,
            overdue: r.overdue,
        })
        .collect();
    site.page(StatusCode::OK, "requests.html", &chrome, page)
}
