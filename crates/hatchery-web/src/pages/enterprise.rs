//! One enterprise: identity, region, zone, industries; its tier decided for
//! a chosen day and rule set with every condition (required, found, pass);
//! its events with their sources; its declarations. Everything comes from
//! the API's own handlers, so another jurisdiction's enterprise is the
//! not-found page, as the API's 404.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hatchery_core::RuleSet;
use hatchery_core::workflow::Capability;
use hatchery_server::extract::{Path, Query as ApiQuery};
use hatchery_server::routes::declarations::{DeclarationQuery, list_declarations};
use hatchery_server::routes::enterprises::{TierQuery, get_enterprise, get_tier};
use hatchery_server::views::{CheckView, DecisionView};
use hatchery_server::{ApiError, AppState};
use serde::{Deserialize, Serialize};

use super::{division_name, failure, tier_name};
use crate::format;
use crate::i18n::{Lang, catalog};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// The day and rule set of the decision shown, as typed.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct DecisionQuery {
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub rules: String,
}

#[derive(Debug, Serialize)]
struct Fact {
    /// The label's message key.
    label: &'static str,
    value: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct CheckRow {
    condition: String,
    requirement: String,
    found: String,
    passed: bool,
}

#[derive(Debug, Serialize)]
pub(crate) struct ClauseRow {
    label: String,
    holds: bool,
    checks: Vec<CheckRow>,
}

#[derive(Debug, Serialize)]
pub(crate) struct TierRow {
    name: String,
    matched: bool,
    clauses: Vec<ClauseRow>,
}

/// The engine's decision as the `decision_panel` macro shows it.
#[derive(Debug, Serialize)]
pub(crate) struct DecisionPanel {
    as_of: String,
    rule_set: String,
    /// The tier's name, or `None` when no tier applies.
    tier: Option<String>,
    requirements: Vec<CheckRow>,
    tiers: Vec<TierRow>,
}

#[derive(Debug, Serialize)]
struct EventRow {
    date: String,
    /// The kind's message key.
    kind: String,
    round: String,
    amount: String,
    valuation: String,
    investors: String,
    source: String,
}

#[derive(Debug, Serialize)]
struct DeclarationRow {
    id: i64,
    cycle: i16,
    tier: String,
    state: String,
    updated: String,
}

#[derive(Debug, Serialize)]
struct EnterprisePage {
    id: String,
    name: String,
    name_en: String,
    facts: Vec<Fact>,
    industries: Vec<String>,
    query: DecisionQuery,
    errors: BTreeMap<&'static str, &'static str>,
    rule_sets: Vec<super::Choice>,
    decision: Option<DecisionPanel>,
    events: Vec<EventRow>,
    declarations: Option<Vec<DeclarationRow>>,
}

fn condition_name(kind: &str, lang: Lang) -> String {
    let key = format!("condition.{kind}");
    let catalog = catalog(lang);
    if catalog.get(&key).is_some() {
        catalog.format(&key, &[])
    } else {
        kind.to_owned()
    }
}

/// The engine's text in the page's language. A decision filed before the
/// engine spoke Chinese has English only; it is shown as it was filed.
fn in_language(en: &str, zh: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh if !zh.is_empty() => zh.to_owned(),
        _ => en.to_owned(),
    }
}

fn check_row(c: &CheckView, lang: Lang) -> CheckRow {
    CheckRow {
        condition: condition_name(&c.condition, lang),
        requirement: in_language(&c.requirement, &c.requirement_zh, lang),
        found: in_language(&c.found, &c.found_zh, lang),
        passed: c.passed,
    }
}

/// The panel of a decision (every condition: required, found, pass).
pub(crate) fn decision_panel(d: &DecisionView, rules: &RuleSet, lang: Lang) -> DecisionPanel {
    DecisionPanel {
        as_of: format::date(d.as_of, lang),
        rule_set: format!("{}@{}", d.rule_set, d.rule_set_version),
        tier: d.tier.as_deref().map(|t| tier_name(rules, t, lang)),
        requirements: d.requirements.iter().map(|c| check_row(c, lang)).collect(),
        tiers: d
            .tiers
            .iter()
            .map(|t| TierRow {
                name: tier_name(rules, &t.tier, lang),
                matched: t.matched,
                clauses: t
                    .clauses
                    .iter()
                    .map(|c| ClauseRow {
                        label: c.label.clone().unwrap_or_default(),
                        holds: c.holds,
                        checks: c.checks.iter().map(|k| check_row(k, lang)).collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// `GET /enterprises/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<String>,
    Query(query): Query<DecisionQuery>,
) -> Response {
    let lang = member.lang;
    let mut chrome = Chrome::member(&member, "enterprise.title", "directory");
    // Read first: out of scope is not found, before anything else is said.
    let detail = match get_enterprise(
        State(state.clone()),
        member.caller.clone(),
        Path(id.clone()),
    )
    .await
    {
        Ok(detail) => detail.0,
        Err(error) => return failure(&site, &chrome, &error),
    };
    chrome.title = "enterprise.title";
    let mut errors = BTreeMap::new();
    let as_of = query.as_of.trim();
    if !as_of.is_empty() && hatchery_core::date::parse_date(as_of).is_err() {
        errors.insert("as_of", "form.date_invalid");
    }
    let chosen = if query.rules.is_empty() {
        state.settings.workflow.default_rule_set.clone()
    } else {
        query.rules.clone()
    };
    let entry = state.rules.find(&chosen, None);
    if entry.is_none() {
        errors.insert("rules", "directory.rules_unknown");
    }
    let decision = match (&entry, errors.is_empty()) {
        (Some(entry), true) => {
            let asked = get_tier(
                State(state.clone()),
                member.caller.clone(),
                Path(id.clone()),
                ApiQuery(TierQuery {
                    as_of: Some(as_of.to_owned()).filter(|d| !d.is_empty()),
                    rules: Some(chosen.clone()),
                    version: None,
                }),
            )
            .await;
            match asked {
                Ok(view) => Some(decision_panel(&view.0, &entry.rules, lang)),
                Err(error) => return failure(&site, &chrome, &error),
            }
        }
        _ => None,
    };
    let declarations = if Capability::ReadDeclarations.granted_to(member.caller.account.role) {
        match declarations_of(&state, &member, &detail.summary.id).await {
            Ok(rows) => Some(rows),
            Err(error) => return failure(&site, &chrome, &error),
        }
    } else {
        None
    };
    let placement = &detail.summary.placement;
    let zone_name = match &placement.zone {
        Some(zone) => match state.ledger().await {
            Ok(view) => view
                .zones
                .all()
                .iter()
                .find(|z| z.zone.id.as_str() == zone)
                .map_or_else(|| zone.clone(), |z| z.zone.name.clone()),
            Err(error) => return failure(&site, &chrome, &error),
        },
        None => detail.zone_text.clone().unwrap_or_default(),
    };
    let region = detail
        .summary
        .region
        .as_deref()
        .map(|r| format!("{} ({r})", division_name(r, lang)))
        .unwrap_or_default();
    let facts = vec![
        Fact {
            label: "enterprise.id",
            value: detail.summary.id.clone(),
        },
        Fact {
            label: "enterprise.uscc",
            value: detail.uscc.clone().unwrap_or_default(),
        },
        Fact {
            label: "enterprise.founded",
            value: detail.summary.founded.clone(),
        },
        Fact {
            label: "enterprise.country",
            value: detail.summary.country.clone(),
        },
        Fact {
            label: "enterprise.region",
            value: region,
        },
        Fact {
            label: "enterprise.province",
            value: placement
                .province
                .as_deref()
                .map(|p| division_name(p, lang))
                .unwrap_or_default(),
        },
        Fact {
            label: "enterprise.city",
            value: placement
                .city
                .as_deref()
                .map(|c| division_name(c, lang))
                .unwrap_or_default(),
        },
        Fact {
            label: "enterprise.zone",
            value: zone_name,
        },
    ];
    let events = detail
        .events
        .iter()
        .map(|e| EventRow {
            date: format::date(e.date, lang),
            kind: format!("event.{}", e.kind),
            round: e.round.clone().unwrap_or_default(),
            amount: e
                .amount
                .as_deref()
                .map(|a| format::money_text(a, e.currency.as_deref(), lang))
                .unwrap_or_default(),
            valuation: e
                .valuation
                .as_deref()
                .map(|a| format::money_text(a, e.currency.as_deref(), lang))
                .unwrap_or_default(),
            investors: e.investors.clone().unwrap_or_default(),
            source: e.source.clone().unwrap_or_default(),
        })
        .collect();
    let rule_sets = super::directory::rule_set_choices(&state, &chosen);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EnterprisePage {
        id: detail.summary.id.clone(),
        name: detail.summary.name.clone(),
        name_en: detail.summary.name_en.clone().unwrap_or_default(),
        facts,
        industries: detail.industries.clone(),
        query,
        errors,
        rule_sets,
        decision,
        events,
        declarations,
    };
    site.page(status, "enterprise.html", &chrome, page)
}

async fn declarations_of(
    state: &AppState,
    member: &Member,
    enterprise: &str,
) -> Result<Vec<DeclarationRow>, ApiError> {
    let lang = member.lang;
    let page = list_declarations(
        State(state.clone()),
        member.caller.clone(),
        ApiQuery(DeclarationQuery {
            cycle: None,
            state: None,
            tier: None,
            enterprise: Some(enterprise.to_owned()),
            page: None,
            per_page: Some(50.min(state.settings.limits.max_page_size)),
        }),
    )
    .await?
    .0;
    let rules = hatchery_server::routes::enterprises::rule_set(state, None, None)
        .await?
        .rules;
    Ok(page
        .items
        .into_iter()
        .map(|d| DeclarationRow {
            id: d.id,
            cycle: d.cycle,
            tier: tier_name(&rules, &d.tier, lang),
            state: format!("state.{}", d.state.as_str()),
            updated: format::instant(d.updated_at, lang),
        })
        .collect())
}
