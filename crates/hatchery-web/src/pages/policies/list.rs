//! `/policies`: the policies that reach the account (the API's
//! `list_policies`: an official's jurisdiction's, those below it and those
//! above it; an enterprise's: the published ones of every jurisdiction it
//! lies in), paged; and, for officials who manage policies, the form that
//! writes a draft (`create_policy`). A refused form comes back with every
//! problem beside its field and everything typed.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_core::services::policy::PolicyForm;
use hatchery_core::workflow::Capability;
use hatchery_server::AppState;
use hatchery_server::extract::{Json, Query as ApiQuery};
use hatchery_server::routes::policies::{PolicyQuery, create_policy, list_policies};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::policy_state_key;
use crate::format;
use crate::pages::{failure, jurisdiction_text, link, posted_pairs, refusal};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// Rows per page.
const PER_PAGE: u64 = 20;

/// The fields of the form, in order.
const FIELDS: [&str; 7] = [
    "title",
    "issuer",
    "document_number",
    "source_url",
    "published_on",
    "valid_from",
    "valid_until",
];

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub page: String,
}

#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    title: String,
    issuer: String,
    document_number: String,
    jurisdiction: String,
    state: String,
    validity: String,
}

#[derive(Debug, Serialize)]
struct ListPage {
    rows: Vec<Row>,
    total: String,
    page: u64,
    pages: u64,
    previous: Option<String>,
    next: Option<String>,
    /// Whether the account writes policies (the form).
    can_create: bool,
    /// What was typed, after a refusal.
    form: BTreeMap<String, String>,
    errors: BTreeMap<String, &'static str>,
    problem: Option<&'static str>,
}

/// A policy's validity in words: from a day, until a day or until withdrawn.
pub(crate) fn validity(form: &PolicyForm, lang: crate::i18n::Lang) -> String {
    let from = format::date(form.valid_from, lang);
    let catalog = crate::i18n::catalog(lang);
    match form.valid_until {
        Some(until) => catalog.format(
            "policies.valid_between",
            &[("from", from), ("until", format::date(until, lang))],
        ),
        None => catalog.format("policies.valid_open", &[("from", from)]),
    }
}

/// The form as refused: its values, its problems and what went wrong.
#[derive(Debug, Default)]
struct Refused {
    form: BTreeMap<String, String>,
    errors: BTreeMap<String, &'static str>,
    problem: Option<&'static str>,
}

async fn render(
    state: &AppState,
    site: &Site,
    member: &Member,
    number: u64,
    status: StatusCode,
    refused: Refused,
) -> Response {
    let lang = member.lang;
    let mut shown = member.clone();
    shown.path = "/policies".into();
    let chrome = Chrome::member(&shown, "policies.title", "policies");
    let listed = match list_policies(
        State(state.clone()),
        member.caller.clone(),
        ApiQuery(PolicyQuery {
            page: Some(number),
            per_page: Some(PER_PAGE.min(state.settings.limits.max_page_size)),
        }),
    )
    .await
    {
        Ok(Json(listed)) => listed,
        Err(error) => return failure(site, &chrome, &error),
    };
    let pages = listed.total.div_ceil(PER_PAGE).max(1);
    let at = |n: u64| link("/policies", &[("page", &n.to_string())]);
    let page = ListPage {
        rows: listed
            .items
            .iter()
            .map(|p| Row {
                id: p.id,
                title: p.form.title.clone(),
                issuer: p.form.issuer.clone(),
                document_number: p.form.document_number.clone(),
                jurisdiction: jurisdiction_text(&p.jurisdiction, lang),
                state: policy_state_key(p.state),
                validity: validity(&p.form, lang),
            })
            .collect(),
        total: format::count(listed.total),
        page: number,
        pages,
        previous: (number > 1).then(|| at(number - 1)),
        next: (number < pages).then(|| at(number + 1)),
        can_create: Capability::ManagePolicies.granted_to(member.caller.account.role),
        form: FIELDS
            .iter()
            .map(|&name| {
                let typed = refused.form.get(name).cloned().unwrap_or_default();
                (name.to_owned(), typed)
            })
            .collect(),
        errors: refused.errors,
        problem: refused.problem,
    };
    site.page(status, "policies/list.html", &chrome, page)
}

/// `GET /policies[?page=N]`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<ListQuery>,
) -> Response {
    let number = query
        .page
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    render(
        &state,
        &site,
        &member,
        number,
        StatusCode::OK,
        Refused::default(),
    )
    .await
}

/// The message of a policy field the API (or the page) refused.
fn field_message(field: &str, blank: bool) -> &'static str {
    match (field, blank) {
        (_, true) if field != "valid_until" && field != "source_url" => "policies.required",
        ("source_url", _) => "policies.url_invalid",
        ("valid_until", _) => "policies.until_before_from",
        ("published_on" | "valid_from", _) => "policies.date_invalid",
        _ => "policies.too_long",
    }
}

/// `POST /policies` (form: `csrf` and the policy's fields): the API's
/// `create_policy`; then the new draft's page.
pub async fn create(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    body: Bytes,
) -> Response {
    let pairs = posted_pairs(&body);
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut refused = Refused {
        form: FIELDS
            .iter()
            .map(|&name| (name.to_owned(), field(name)))
            .collect(),
        ..Refused::default()
    };
    if !member.csrf_ok(&field("csrf")) {
        refused.problem = Some("form.expired");
        return render(&state, &site, &member, 1, StatusCode::FORBIDDEN, refused).await;
    }
    // Dates are the page's to read: a day written otherwise is said beside
    // its field before the API is asked.
    let mut day = |name: &'static str, required: bool| -> Option<Date> {
        let text = field(name);
        if text.is_empty() {
            if required {
                refused.errors.insert(name.into(), "policies.required");
            }
            return None;
        }
        text.parse::<Date>()
            .map_err(|_| {
                refused.errors.insert(name.into(), "policies.date_invalid");
            })
            .ok()
    };
    let published_on = day("published_on", true);
    let valid_from = day("valid_from", true);
    let valid_until = day("valid_until", false);
    let (Some(published_on), Some(valid_from)) = (published_on, valid_from) else {
        refused.problem = Some("workflow.fix_below");
        return render(
            &state,
            &site,
            &member,
            1,
            StatusCode::UNPROCESSABLE_ENTITY,
            refused,
        )
        .await;
    };
    if !refused.errors.is_empty() {
        refused.problem = Some("workflow.fix_below");
        return render(
            &state,
            &site,
            &member,
            1,
            StatusCode::UNPROCESSABLE_ENTITY,
            refused,
        )
        .await;
    }
    let source_url = Some(field("source_url")).filter(|u| !u.is_empty());
    let form = PolicyForm {
        issuer: field("issuer"),
        document_number: field("document_number"),
        title: field("title"),
        source_url,
        published_on,
        valid_from,
        valid_until,
    };
    match create_policy(State(state.clone()), member.caller.clone(), Json(form)).await {
        Ok((_, Json(created))) => {
            Redirect::to(&format!("/policies/{}?done=create", created.id)).into_response()
        }
        Err(error) => {
            let named = named_fields(&error);
            if named.is_empty() {
                refused.problem = Some(refusal(&error));
            } else {
                for name in named {
                    let blank = field(&name).is_empty();
                    refused
                        .errors
                        .insert(name.clone(), field_message(&name, blank));
                }
                refused.problem = Some("workflow.fix_below");
            }
            render(&state, &site, &member, 1, error.status(), refused).await
        }
    }
}

/// The fields a 422 of the API names (`details.problems`, else `details.field`).
pub(crate) fn named_fields(error: &hatchery_server::ApiError) -> Vec<String> {
    if error.code() != "invalid_field" {
        return Vec::new();
    }
    let Some(details) = error.details() else {
        return Vec::new();
    };
    let mut named: Vec<String> = details
        .get("problems")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("field").and_then(|f| f.as_str()).map(str::to_owned))
        .collect();
    if named.is_empty()
        && let Some(field) = details.get("field").and_then(|f| f.as_str())
    {
        named.push(field.to_owned());
    }
    named
}
