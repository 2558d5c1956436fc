//! `/enterprises/{id}/contacts/{contact}/correct`: correcting a contact
//! record (走访记录). The log is append-only: the form writes a new record
//! naming the one it corrects (the API's `record_contact` with
//! `corrects`), the old one is kept and shown as corrected, by whom and
//! when. The form starts from the old record as read (`get_contact`); a
//! refusal comes back here with every value typed and the problem beside
//! its field; a record corrected already is not offered again (its
//! correction is corrected instead).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_core::services::steward::ContactChannel;
use hatchery_core::workflow::{Capability, Role};
use hatchery_server::extract::{Json, Path, Query as ApiQuery};
use hatchery_server::routes::requests::{RequestQuery, list_requests};
use hatchery_server::routes::stewards::{
    ContactView, EnterpriseStewardsQuery, RecordContact, get_contact, list_enterprise_stewards,
    record_contact,
};
use hatchery_server::{ApiError, AppState};
use serde::Serialize;

use super::enterprise::{Posted, field_message, posted_contact};
use super::{ContactRow, channel_key, keyed_choices, role_key};
use crate::pages::{Choice, failure, link, refusal};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// The enterprise's requests offered as raised in the contact.
const REQUESTS_OFFERED: u64 = 50;

/// A request offered as raised in the contact.
#[derive(Debug, Serialize)]
struct RequestChoice {
    id: i64,
    title: String,
    checked: bool,
}

#[derive(Debug, Serialize)]
struct CorrectPage {
    enterprise_id: String,
    enterprise: String,
    /// The record being corrected, as the log shows it.
    old: ContactRow,
    /// Whether it may still be corrected (not corrected already, and the
    /// account records contacts).
    open: bool,
    stewards: Vec<Choice>,
    contacted_on: String,
    channels: Vec<Choice>,
    topics: String,
    follow_up: String,
    requests: Vec<RequestChoice>,
    errors: BTreeMap<String, &'static str>,
    problem: Option<&'static str>,
}

/// What was typed in a refused form: field → value, the requests ticked.
#[derive(Debug, Default)]
struct Typed {
    values: BTreeMap<String, String>,
    requests: Vec<String>,
    errors: BTreeMap<String, &'static str>,
    problem: Option<&'static str>,
}

async fn render(
    state: &AppState,
    site: &Site,
    member: &Member,
    (id, contact): (&str, i64),
    status: StatusCode,
    typed: Option<Typed>,
) -> Response {
    let lang = member.lang;
    let mut shown = member.clone();
    shown.path = format!("/enterprises/{id}/contacts/{contact}/correct");
    let chrome = Chrome::member(&shown, "stewards.correct_title", "stewards");
    let role = member.caller.account.role;
    if role == Role::Enterprise || !Capability::LogContacts.granted_to(role) {
        return failure(
            site,
            &chrome,
            &ApiError::forbidden("only officials who record contacts correct them"),
        );
    }
    let old: ContactView =
        match get_contact(State(state.clone()), member.caller.clone(), Path(contact)).await {
            Ok(Json(found)) if found.enterprise == id => found,
            Ok(_) => return failure(site, &chrome, &ApiError::not_found()),
            Err(error) => return failure(site, &chrome, &error),
        };
    let stewards = match list_enterprise_stewards(
        State(state.clone()),
        member.caller.clone(),
        Path(id.to_owned()),
        ApiQuery(EnterpriseStewardsQuery { all: Some(true) }),
    )
    .await
    {
        Ok(Json(found)) => found,
        Err(error) => return failure(site, &chrome, &error),
    };
    let requests = if Capability::ReadRequests.granted_to(role) {
        match list_requests(
            State(state.clone()),
            member.caller.clone(),
            ApiQuery(RequestQuery {
                enterprise: Some(id.to_owned()),
                per_page: Some(REQUESTS_OFFERED.min(state.settings.limits.max_page_size)),
                ..RequestQuery::default()
            }),
        )
        .await
        {
            Ok(Json(found)) => found.items,
            Err(error) => return failure(site, &chrome, &error),
        }
    } else {
        Vec::new()
    };
    let typed = typed.unwrap_or_default();
    let refused = !typed.values.is_empty() || typed.problem.is_some();
    // Until refused, the form holds the old record's values.
    let value = |name: &str, old: String| {
        if refused {
            typed.values.get(name).cloned().unwrap_or_default()
        } else {
            old
        }
    };
    let chosen_steward = value("steward", old.steward.to_string());
    let chosen_requests: Vec<String> = if refused {
        typed.requests.clone()
    } else {
        old.requests.iter().map(ToString::to_string).collect()
    };
    let page = CorrectPage {
        enterprise_id: id.to_owned(),
        enterprise: old
            .enterprise_name
            .clone()
            .unwrap_or_else(|| old.enterprise.clone()),
        open: old.corrected_by.is_none(),
        stewards: stewards
            .iter()
            .map(|s| Choice {
                value: s.id.to_string(),
                label: format!(
                    "{} · {} · {}",
                    s.name,
                    crate::i18n::catalog(lang).format(&role_key(s.role), &[]),
                    s.department
                ),
                selected: s.id.to_string() == chosen_steward,
            })
            .collect(),
        contacted_on: value("contacted_on", old.contacted_on.to_string()),
        channels: keyed_choices(
            lang,
            ContactChannel::ALL,
            |c| (c.as_str(), channel_key(c)),
            &value("channel", old.channel.as_str().to_owned()),
        ),
        topics: value("topics", old.topics.clone()),
        follow_up: value("follow_up", old.follow_up.clone().unwrap_or_default()),
        requests: requests
            .into_iter()
            .map(|r| RequestChoice {
                checked: chosen_requests.contains(&r.id.to_string()),
                id: r.id,
                title: r.title,
            })
            .collect(),
        errors: typed.errors,
        problem: typed.problem,
        old: ContactRow::of(&old, lang),
    };
    site.page(status, "stewards/correct.html", &chrome, page)
}

/// `GET /enterprises/{id}/contacts/{contact}/correct`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path((id, contact)): Path<(String, i64)>,
) -> Response {
    render(&state, &site, &member, (&id, contact), StatusCode::OK, None).await
}

/// `POST /enterprises/{id}/contacts/{contact}/correct` (form: `csrf`,
/// `steward`, `contacted_on`, `channel`, `topics`, `requests` (repeated),
/// `follow_up`): the API's `record_contact`, naming the record corrected.
pub async fn correct(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path((id, contact)): Path<(String, i64)>,
    body: Bytes,
) -> Response {
    let posted = Posted::new(&body);
    let mut typed = Typed {
        values: posted.typed(),
        requests: posted.all("requests"),
        ..Typed::default()
    };
    // Something typed is kept even when nothing was (an empty form).
    typed.values.entry("topics".into()).or_default();
    let again = |status, typed| render(&state, &site, &member, (&id, contact), status, Some(typed));
    if !member.csrf_ok(&posted.get("csrf")) {
        typed.problem = Some("form.expired");
        return again(StatusCode::FORBIDDEN, typed).await;
    }
    let Some(body) = posted_contact(&posted, &mut typed.errors) else {
        typed.problem = Some("workflow.fix_below");
        return again(StatusCode::UNPROCESSABLE_ENTITY, typed).await;
    };
    let body = RecordContact {
        corrects: Some(contact),
        ..body
    };
    match record_contact(
        State(state.clone()),
        member.caller.clone(),
        Path(id.clone()),
        Json(body),
    )
    .await
    {
        Ok(_) => {
            let page = link(
                &format!("/enterprises/{id}"),
                &[("done", "contact_corrected")],
            );
            Redirect::to(&format!("{page}#stewards")).into_response()
        }
        Err(error) => {
            let named = error
                .details()
                .and_then(|d| d.get("field"))
                .and_then(|f| f.as_str())
                .map(str::to_owned);
            typed.problem = Some(match (error.code(), named.as_deref()) {
                ("invalid_field", Some("corrects")) => "stewards.error.corrected_already",
                ("invalid_field", Some(name)) => {
                    typed
                        .errors
                        .insert(name.to_owned(), field_message(name, &posted));
                    "workflow.fix_below"
                }
                _ => refusal(&error),
            });
            again(error.status(), typed).await
        }
    }
}
