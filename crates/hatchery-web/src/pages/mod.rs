//! The pages. Each handler gathers what it shows by calling the API's own
//! functions with the signed-in caller, then renders one template.

pub mod dashboard;
pub mod directory;
pub mod enterprise;
pub mod password;
pub mod publicity;
pub mod signin;

// Declarations, objections and the pool (issue 13, second slice).
pub mod batch;
pub mod declaration;
pub mod declaration_form;
pub mod declarations;
pub mod objection;
pub mod pool;
pub mod proposals;
pub mod register;

// Enterprises' requests (诉求, issue 14).
pub mod request;
pub mod request_figures;
pub mod request_form;
pub mod requests;

// Cultivation services (issue 14): each area has its routes, templates
// (`templates/<area>/`) and messages (`locales/<lang>/<area>.toml`).
pub mod catalogue;
pub mod policies;
pub mod profile;
pub mod stewards;
pub mod targets;

// Operations: reports, list imports, rule sets, administration.
pub mod accounts;
pub mod audit;
pub mod lists;
pub mod reports;
pub mod ruleset_compare;
pub mod rulesets;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hatchery_core::DivisionCode;
use hatchery_core::RuleSet;
use hatchery_server::ApiError;
use serde::Serialize;

use crate::i18n::Lang;
use crate::session::Visitor;
use crate::site::{Chrome, Site};

/// The chrome of a visitor's page (signed in or not).
pub(crate) fn visitor_chrome(
    visitor: &Visitor,
    title: &'static str,
    section: &'static str,
) -> Chrome {
    match &visitor.member {
        Some(member) => Chrome::member(member, title, section),
        None => Chrome::new(visitor.lang, title, section, &visitor.path),
    }
}

/// What the error page says.
#[derive(Debug, Serialize)]
struct ErrorPage {
    /// The heading's key.
    heading: &'static str,
    /// The explanation's key.
    text: &'static str,
}

/// The not-found page, for any path no page takes.
pub async fn not_found(Extension(site): Extension<Arc<Site>>, visitor: Visitor) -> Response {
    let chrome = visitor_chrome(&visitor, "error.not_found", "");
    error_page(&site, &chrome, StatusCode::NOT_FOUND)
}

/// A form's address opened as a page — a reload after a refusal, the
/// language switch on a form shown again with its problems — leads one
/// level up, to the page the form belongs to (`/requests/7/act` →
/// `/requests/7`), instead of "method not allowed". Any other method than
/// GET or HEAD still gets 405.
pub async fn to_the_form_page(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    if method != axum::http::Method::GET && method != axum::http::Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = uri.path().trim_end_matches('/');
    let parent = match path.rsplit_once('/') {
        Some((parent, _)) if !parent.is_empty() => parent,
        _ => "/",
    };
    axum::response::Redirect::to(parent).into_response()
}

/// The page for an error of `status`.
pub(crate) fn error_page(site: &Site, chrome: &Chrome, status: StatusCode) -> Response {
    let (heading, text) = match status {
        StatusCode::NOT_FOUND => ("error.not_found", "error.not_found_text"),
        StatusCode::FORBIDDEN => ("error.forbidden", "error.forbidden_text"),
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
            ("error.bad_request", "error.bad_request_text")
        }
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
            ("error.busy", "error.busy_text")
        }
        _ => ("error.internal", "error.internal_text"),
    };
    let mut chrome = chrome.clone();
    chrome.title = heading;
    site.page(status, "error.html", &chrome, ErrorPage { heading, text })
}

/// The page for an error the API's functions answered: the same status,
/// in words; a 5xx is logged with its cause, never shown.
pub(crate) fn failure(site: &Site, chrome: &Chrome, error: &ApiError) -> Response {
    error.log_if_server_error();
    error_page(site, chrome, error.status())
}

/// A tier's name in the language, from the rule set (its key if unknown).
pub(crate) fn tier_name(rules: &RuleSet, key: &str, lang: Lang) -> String {
    rules.tiers.iter().find(|t| t.key == key).map_or_else(
        || key.to_owned(),
        |t| match lang {
            Lang::Zh => t.name.clone(),
            Lang::En => t.name_en.clone(),
        },
    )
}

/// A division's name in the language (its code if the text is no code).
pub(crate) fn division_name(code: &str, lang: Lang) -> String {
    DivisionCode::parse(code).map_or_else(
        |_| code.to_owned(),
        |c| hatchery_report::division_name(c, lang.report()),
    )
}

/// A jurisdiction as stored (`CN`, a division code, `zone:ID`) in words:
/// the nation, the division's name, or the text itself.
pub(crate) fn jurisdiction_text(text: &str, lang: Lang) -> String {
    if text == "CN" {
        crate::i18n::catalog(lang).format("dashboard.nation", &[])
    } else {
        division_name(text, lang)
    }
}

/// One option of a `<select>`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A link to a page with `query` (its pairs URL-encoded).
pub(crate) fn link(path: &str, query: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (key, value) in query {
        if !value.is_empty() {
            serializer.append_pair(key, value);
        }
    }
    let query = serializer.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// The message key saying, in words, why the API refused a step or a form:
/// "someone else acted first", "not at this step", "the notice is still
/// running"… (`error.internal_text` for anything unexpected, logged).
pub(crate) fn refusal(error: &ApiError) -> &'static str {
    error.log_if_server_error();
    match error.code() {
        "version_conflict" => "workflow.conflict",
        "invalid_transition" => "workflow.invalid_transition",
        "notice_running" => "workflow.notice_running",
        "notice_closed" => "workflow.notice_closed",
        "open_objections" => "workflow.open_objections",
        "quota_exhausted" => "workflow.quota_exhausted",
        "incomplete" => "workflow.incomplete",
        "invalid_reason" => "workflow.reason_required",
        "invalid_evidence" => "workflow.invalid_evidence",
        "limit_reached" => "workflow.limit_reached",
        "body_too_large" => "workflow.too_large",
        "duplicate" => "workflow.duplicate",
        "already_decided" => "workflow.already_decided",
        "forbidden" => "error.forbidden_text",
        "not_found" => "error.not_found_text",
        _ if error.status().is_client_error() => "error.bad_request_text",
        _ => "error.internal_text",
    }
}

/// The fields a 422 from the API names in `details.problems` (or
/// `details.missing`), each with the message key of its problem.
pub(crate) fn field_problems(error: &ApiError) -> BTreeMap<String, &'static str> {
    let mut fields = BTreeMap::new();
    let Some(details) = error.details() else {
        return fields;
    };
    if let Some(problems) = details.get("problems").and_then(|p| p.as_array()) {
        for problem in problems {
            let field = problem.get("field").and_then(|f| f.as_str()).unwrap_or("");
            let key = match problem.get("code").and_then(|c| c.as_str()) {
                Some("invalid_cycle") => "declare.cycle_invalid",
                Some("invalid_tier") => "declare.tier_invalid",
                Some("unknown_rule_set") => "directory.rules_unknown",
                _ => "declare.field_invalid",
            };
            fields.entry(field.to_owned()).or_insert(key);
        }
    }
    if let Some(missing) = details.get("missing").and_then(|p| p.as_array()) {
        for field in missing.iter().filter_map(|f| f.as_str()) {
            fields.insert(field.to_owned(), "declare.required");
        }
    }
    fields
}

/// The pairs of a posted `application/x-www-form-urlencoded` body, keeping
/// repeated names (checkboxes).
pub(crate) fn posted_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The state's message key.
pub(crate) fn state_key(state: hatchery_core::workflow::DeclarationState) -> String {
    format!("state.{}", state.as_str())
}
