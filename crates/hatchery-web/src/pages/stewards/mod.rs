//! Stewards (服务管家) and the contact log (走访, issue 14): the
//! jurisdiction's assignments and recent contacts (`/stewards`), an
//! enterprise's stewards and contacts on its page with the forms to assign,
//! end and record, the page correcting a contact record
//! (`/enterprises/{id}/contacts/{contact}/correct`), and the enterprise
//! account's card of its own stewards.
//! Everything comes from the API's own functions
//! (`hatchery_server::routes::stewards`) with the signed-in caller.

mod correct;
mod dashboard;
mod enterprise;
mod list;

use axum::Router;
use axum::routing::{get, post};
use hatchery_core::services::steward::{ContactChannel, StewardLevel, StewardRole};
use hatchery_server::AppState;
use hatchery_server::routes::stewards::{ContactView, StewardView};
use serde::Serialize;

pub(crate) use dashboard::{DashboardSection, dashboard_section};
pub(crate) use enterprise::{EnterpriseSection, enterprise_section};

use super::Choice;
use crate::format;
use crate::i18n::{Lang, catalog};

/// This area's templates, by name (`stewards/….html`), with their source.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "stewards/enterprise_section.html",
        include_str!("../../../templates/stewards/enterprise_section.html"),
    ),
    (
        "stewards/dashboard_section.html",
        include_str!("../../../templates/stewards/dashboard_section.html"),
    ),
    (
        "stewards/list.html",
        include_str!("../../../templates/stewards/list.html"),
    ),
    (
        "stewards/macros.html",
        include_str!("../../../templates/stewards/macros.html"),
    ),
    (
        "stewards/correct.html",
        include_str!("../../../templates/stewards/correct.html"),
    ),
];

/// This area's pages.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/stewards", get(list::show))
        .route("/enterprises/{id}/stewards", post(enterprise::assign))
        .route(
            "/enterprises/{id}/stewards/{steward}/end",
            post(enterprise::end),
        )
        .route("/enterprises/{id}/contacts", post(enterprise::record))
        .route(
            "/enterprises/{id}/contacts/{contact}/correct",
            get(correct::show).post(correct::correct),
        )
}

/// The role's message key.
fn role_key(role: StewardRole) -> String {
    format!("stewards.role.{}", role.as_str())
}

/// The level's message key.
fn level_key(level: StewardLevel) -> String {
    format!("stewards.level.{}", level.as_str())
}

/// The channel's message key.
fn channel_key(channel: ContactChannel) -> String {
    format!("stewards.channel.{}", channel.as_str())
}

/// A `<select>`'s choices of keyed values, `chosen` selected.
fn keyed_choices<T: Copy>(
    lang: Lang,
    all: &[T],
    key: impl Fn(T) -> (&'static str, String),
    chosen: &str,
) -> Vec<Choice> {
    let catalog = catalog(lang);
    all.iter()
        .map(|&v| {
            let (value, message) = key(v);
            Choice {
                value: value.to_owned(),
                label: catalog.format(&message, &[]),
                selected: value == chosen,
            }
        })
        .collect()
}

/// One assignment as a row of the tables.
#[derive(Debug, Clone, Serialize)]
struct StewardRow {
    id: i64,
    version: i64,
    enterprise_id: String,
    enterprise: String,
    name: String,
    /// The role's message key.
    role: String,
    /// The level's message key.
    level: String,
    department: String,
    phone: Option<String>,
    email: Option<String>,
    since: String,
    until: Option<String>,
    active: bool,
    /// Not started yet.
    upcoming: bool,
    /// The last contact under it (active assignments, from the figures).
    last_contact: Option<String>,
    /// Days since the last contact (or the start), past the limit.
    stale: bool,
}

impl StewardRow {
    fn of(view: &StewardView, today: jiff::civil::Date, lang: Lang) -> Self {
        Self {
            id: view.id,
            version: view.version,
            enterprise_id: view.enterprise.clone(),
            enterprise: view
                .enterprise_name
                .clone()
                .unwrap_or_else(|| view.enterprise.clone()),
            name: view.name.clone(),
            role: role_key(view.role),
            level: level_key(view.level),
            department: view.department.clone(),
            phone: view.phone.clone(),
            email: view.email.clone(),
            since: format::date(view.starts_on, lang),
            until: view.ends_on.map(|d| format::date(d, lang)),
            active: view.active,
            upcoming: view.starts_on > today,
            last_contact: None,
            stale: false,
        }
    }
}

/// One contact as a row of the log.
#[derive(Debug, Clone, Serialize)]
struct ContactRow {
    id: i64,
    enterprise_id: String,
    enterprise: String,
    steward: String,
    on: String,
    /// The channel's message key.
    channel: String,
    topics: String,
    requests: Vec<i64>,
    /// The internal note: officials only (the API leaves it out otherwise).
    follow_up: Option<String>,
    corrects: Option<i64>,
    corrected_by: Option<i64>,
    /// Who corrected it, and when.
    corrected_by_name: Option<String>,
    corrected_at: Option<String>,
    recorded_by: String,
    recorded_at: String,
}

impl ContactRow {
    fn of(view: &ContactView, lang: Lang) -> Self {
        Self {
            id: view.id,
            enterprise_id: view.enterprise.clone(),
            enterprise: view
                .enterprise_name
                .clone()
                .unwrap_or_else(|| view.enterprise.clone()),
            steward: view.steward_name.clone(),
            on: format::date(view.contacted_on, lang),
            channel: channel_key(view.channel),
            topics: view.topics.clone(),
            requests: view.requests.clone(),
            follow_up: view.follow_up.clone(),
            corrects: view.corrects,
            corrected_by: view.corrected_by,
            corrected_by_name: view.corrected_by_name.clone(),
            corrected_at: view.corrected_at.map(|at| format::instant(at, lang)),
            recorded_by: view.recorded_by.clone(),
            recorded_at: format::instant(view.recorded_at, lang),
        }
    }
}
