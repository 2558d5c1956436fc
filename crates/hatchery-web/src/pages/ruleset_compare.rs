//! Two rule sets compared on one day: how many of the member's enterprises
//! change tier, and which — the API's own comparison (`rulesets::compare`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hatchery_server::AppState;
use hatchery_server::routes::rulesets::{CompareQuery, TierSummary, compare};
use serde::{Deserialize, Serialize};

use super::directory::rule_set_choices;
use super::{Choice, failure};
use crate::format;
use crate::i18n::{Lang, catalog};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// The comparison's query, as typed.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct ComparisonQuery {
    #[serde(default)]
    pub left: String,
    #[serde(default)]
    pub right: String,
    /// `YYYY-MM-DD`; empty: today.
    #[serde(default)]
    pub as_of: String,
}

#[derive(Debug, Serialize)]
struct ChangeRow {
    name: String,
    href: String,
    from: String,
    to: String,
}

#[derive(Debug, Serialize)]
struct Outcome {
    summary: String,
    left: String,
    right: String,
    rows: Vec<ChangeRow>,
    /// Set when more changed than are listed.
    more: Option<String>,
}

#[derive(Debug, Serialize)]
struct ComparisonPage {
    query: ComparisonQuery,
    errors: BTreeMap<&'static str, &'static str>,
    lefts: Vec<Choice>,
    rights: Vec<Choice>,
    outcome: Option<Outcome>,
}

fn tier_text(tier: Option<&TierSummary>, lang: Lang) -> String {
    match tier {
        Some(t) if lang == Lang::En => t.name_en.clone(),
        Some(t) => t.name.clone(),
        None => catalog(lang).format("compare.no_tier", &[]),
    }
}

/// `GET /rulesets/compare`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<ComparisonQuery>,
) -> Response {
    let lang = member.lang;
    let chrome = Chrome::member(&member, "compare.title", "rulesets");
    let mut page = ComparisonPage {
        lefts: rule_set_choices(&state, &query.left),
        rights: rule_set_choices(&state, &query.right),
        query: query.clone(),
        errors: BTreeMap::new(),
        outcome: None,
    };
    // The form alone until both rule sets are chosen.
    if query.left.is_empty() || query.right.is_empty() {
        return site.page(StatusCode::OK, "ruleset_compare.html", &chrome, page);
    }
    for (field, key) in [("left", &query.left), ("right", &query.right)] {
        if state.rules.find(key, None).is_none() {
            page.errors.insert(field, "directory.rules_unknown");
        }
    }
    let as_of = query.as_of.trim();
    if !as_of.is_empty() && hatchery_core::date::parse_date(as_of).is_err() {
        page.errors.insert("as_of", "form.date_invalid");
    }
    if !page.errors.is_empty() {
        return site.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "ruleset_compare.html",
            &chrome,
            page,
        );
    }
    let api = CompareQuery {
        with: query.right.clone(),
        as_of: Some(as_of.to_owned()).filter(|d| !d.is_empty()),
    };
    let found = match compare(&state, &member.caller, &query.left, &api).await {
        Ok(found) => found,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let c = catalog(lang);
    let listed = found.changes.len() as u64;
    page.outcome = Some(Outcome {
        summary: c.format(
            "compare.summary",
            &[
                ("day", format::date(found.as_of, lang)),
                ("compared", format::count(found.compared)),
                ("changed", format::count(found.changed)),
            ],
        ),
        left: format!("{}@{}", found.left.key, found.left.version),
        right: format!("{}@{}", found.right.key, found.right.version),
        rows: found
            .changes
            .iter()
            .map(|change| ChangeRow {
                name: change.name.clone(),
                href: format!("/enterprises/{}", change.enterprise),
                from: tier_text(change.from.as_ref(), lang),
                to: tier_text(change.to.as_ref(), lang),
            })
            .collect(),
        more: (found.changed > listed)
            .then(|| c.format("compare.more", &[("listed", format::count(listed))])),
    });
    site.page(StatusCode::OK, "ruleset_compare.html", &chrome, page)
}
