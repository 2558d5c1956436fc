//! 规则集: every rule set, and one read whole — its tiers, highest first,
//! with each clause's conditions as the rule set declares them, and its
//! TOML source — from the API's `list_rule_sets` and `get_rule_set`.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hatchery_core::RuleSet;
use hatchery_core::criteria::Condition;
use hatchery_server::AppState;
use hatchery_server::routes::rulesets::{VersionQuery, get_rule_set, list_rule_sets};
use serde::Serialize;

use super::failure;
use crate::i18n::Lang;
use crate::session::Member;
use crate::site::{Chrome, Site};

#[derive(Debug, Serialize)]
struct RuleSetRow {
    href: String,
    label: String,
    title: String,
    builtin: bool,
    tiers: String,
}

#[derive(Debug, Serialize)]
struct RuleSetsPage {
    rows: Vec<RuleSetRow>,
}

fn title(title: &str, title_en: &str, lang: Lang) -> String {
    match lang {
        Lang::En if !title_en.is_empty() => title_en.to_owned(),
        _ => title.to_owned(),
    }
}

/// `GET /rulesets`.
pub async fn list(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
) -> Response {
    let lang = member.lang;
    let chrome = Chrome::member(&member, "rulesets.title", "rulesets");
    let all = match list_rule_sets(State(state), member.caller.clone()).await {
        Ok(all) => all.0,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let rows = all
        .iter()
        .map(|r| RuleSetRow {
            href: format!("/rulesets/{}?version={}", r.key, r.version),
            label: format!("{}@{}", r.key, r.version),
            title: title(&r.title, &r.title_en, lang),
            builtin: r.builtin,
            tiers: r
                .tiers
                .iter()
                .map(|t| title(&t.name, &t.name_en, lang))
                .collect::<Vec<_>>()
                .join(" › "),
        })
        .collect();
    site.page(
        StatusCode::OK,
        "rulesets.html",
        &chrome,
        RuleSetsPage { rows },
    )
}

#[derive(Debug, Serialize)]
struct ClauseView {
    label: String,
    conditions: Vec<String>,
}

#[derive(Debug, Serialize)]
struct TierView {
    key: String,
    name: String,
    clauses: Vec<ClauseView>,
}

#[derive(Debug, Serialize)]
struct RuleSetPage {
    label: String,
    title: String,
    description: String,
    scope: String,
    requires: Vec<String>,
    tiers: Vec<TierView>,
    source: String,
    compare: String,
}

/// A condition as the rule set declares it: `key = value`.
fn condition_text(condition: &Condition) -> String {
    match serde_json::to_value(condition) {
        Ok(serde_json::Value::Object(map)) if map.len() == 1 => map
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<String>(),
        Ok(other) => other.to_string(),
        Err(_) => condition.key().to_owned(),
    }
}

fn tiers(rules: &RuleSet, lang: Lang) -> Vec<TierView> {
    rules
        .tiers
        .iter()
        .map(|t| TierView {
            key: t.key.clone(),
            name: title(&t.name, &t.name_en, lang),
            clauses: t
                .clauses
                .iter()
                .map(|c| ClauseView {
                    label: c.label.clone().unwrap_or_default(),
                    conditions: c.when.iter().map(condition_text).collect(),
                })
                .collect(),
        })
        .collect()
}

/// `GET /rulesets/{key}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(key): Path<String>,
    Query(query): Query<VersionQuery>,
) -> Response {
    let lang = member.lang;
    let chrome = Chrome::member(&member, "rulesets.title", "rulesets");
    let detail = match get_rule_set(
        State(state),
        member.caller.clone(),
        hatchery_server::extract::Path(key),
        hatchery_server::extract::Query(query),
    )
    .await
    {
        Ok(detail) => detail.0,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let rules = match RuleSet::from_toml(&detail.source) {
        Ok(rules) => rules,
        Err(error) => {
            return failure(&site, &chrome, &hatchery_server::ApiError::internal(error));
        }
    };
    let s = &detail.summary;
    let page = RuleSetPage {
        label: format!("{}@{}", s.key, s.version),
        title: title(&s.title, &s.title_en, lang),
        description: s.description.clone(),
        scope: s.scope.join(", "),
        requires: rules.requires.iter().map(condition_text).collect(),
        tiers: tiers(&rules, lang),
        source: detail.source.clone(),
        compare: super::link("/rulesets/compare", &[("left", &s.key)]),
    };
    site.page(StatusCode::OK, "ruleset.html", &chrome, page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_read_as_declared() {
        let rules = RuleSet::builtin("gei").unwrap();
        let views = tiers(&rules, Lang::Zh);
        assert_eq!(views.len(), rules.tiers.len());
        let text: Vec<&String> = views
            .iter()
            .flat_map(|t| t.clauses.iter().flat_map(|c| c.conditions.iter()))
            .collect();
        assert!(
            text.iter().any(|c| c.starts_with("valuation_at_least = ")),
            "{text:?}"
        );
    }
}
