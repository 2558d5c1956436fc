//! The pages. Each handler gathers what it shows by calling the API's own
//! functions with the signed-in caller, then renders one template.

pub mod dashboard;
pub mod directory;
pub mod enterprise;
pub mod password;
pub mod publicity;
pub mod signin;

// Operations: reports, list imports, rule sets, administration.
pub mod accounts;
pub mod audit;
pub mod lists;
pub mod reports;
pub mod ruleset_compare;
pub mod rulesets;

use std::sync::Arc;

use axum::Extension;
use axum::http::StatusCode;
use axum::response::Response;
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
