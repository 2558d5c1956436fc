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
use hatchery_server::routes::history::{
    TimelineQuery, enterprise_audit_trail, enterprise_pool_history, enterprise_timeline,
};
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

/// One cell of the tier timeline: the tier on a day under a rule set, and
/// the decision behind it.
#[derive(Debug, Serialize)]
struct TimelineCell {
    /// The tier's name, or `None` when no tier applies.
    tier: Option<String>,
    href: String,
}

#[derive(Debug, Serialize)]
struct TimelineRow {
    /// The rule set's title in the page's language.
    title: String,
    label: String,
    cells: Vec<TimelineCell>,
}

#[derive(Debug, Serialize)]
struct Timeline {
    /// Column heads: the year for a 31 December, the date for today.
    heads: Vec<String>,
    rows: Vec<TimelineRow>,
}

#[derive(Debug, Serialize)]
struct MembershipRow {
    cycle: i16,
    tier: String,
    valid_from: String,
    valid_until: String,
    /// The status's message key.
    status: String,
    /// The exit cause's message key, when it left.
    exit_cause: Option<String>,
    exited_on: String,
    declaration: Option<i64>,
}

#[derive(Debug, Serialize)]
struct ProposalRow {
    as_of: String,
    what: String,
    /// The status's message key.
    status: String,
    reason: String,
}

#[derive(Debug, Serialize)]
struct PoolHistory {
    memberships: Vec<MembershipRow>,
    /// `None` for a role that does not read proposals.
    proposals: Option<Vec<ProposalRow>>,
}

#[derive(Debug, Serialize)]
struct AuditRow {
    seq: i64,
    at: String,
    action: String,
    /// The declaration an entry is about, for a link.
    declaration: Option<String>,
    subject: String,
    actor: String,
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
    timeline: Timeline,
    /// `None` for a role that does not read the pool.
    pool: Option<PoolHistory>,
    audit: Vec<AuditRow>,
    /// The form to file a request (诉求) for it, when the account files them.
    file_request: Option<String>,
    /// Its stewards and contacts, its services and policies (issue 14).
    stewards: Option<super::stewards::EnterpriseSection>,
    catalogue: Option<super::catalogue::EnterpriseSection>,
    policies: Option<super::policies::EnterpriseSection>,
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
    let timeline = match timeline_of(&state, &member, &detail.summary.id).await {
        Ok(timeline) => timeline,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let pool = if Capability::ReadPool.granted_to(member.caller.account.role) {
        match pool_history_of(&state, &member, &detail.summary.id).await {
            Ok(pool) => Some(pool),
            Err(error) => return failure(&site, &chrome, &error),
        }
    } else {
        None
    };
    let audit = match enterprise_audit_trail(&state, &member.caller, &detail.summary.id).await {
        Ok(entries) => entries
            .into_iter()
            .map(|e| AuditRow {
                seq: e.seq,
                at: format::instant(e.at, lang),
                declaration: e.subject.strip_prefix("declaration:").map(str::to_owned),
                subject: e.subject,
                action: e.action,
                actor: e.actor_name.unwrap_or_default(),
            })
            .collect(),
        Err(error) => return failure(&site, &chrome, &error),
    };
    let id = detail.summary.id.as_str();
    let services = tokio::try_join!(
        super::stewards::enterprise_section(&state, &member, id),
        super::catalogue::enterprise_section(&state, &member, id),
        super::policies::enterprise_section(&state, &member, id),
    );
    let (stewards, catalogue, policies) = match services {
        Ok(sections) => sections,
        Err(error) => return failure(&site, &chrome, &error),
    };
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
        timeline,
        pool,
        audit,
        file_request: Capability::FileRequests
            .granted_to(member.caller.account.role)
            .then(|| super::link("/requests/new", &[("enterprise", &detail.summary.id)])),
        stewards,
        catalogue,
        policies,
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

/// The tier timeline: every rule set the server holds, each year's end.
async fn timeline_of(state: &AppState, member: &Member, id: &str) -> Result<Timeline, ApiError> {
    let lang = member.lang;
    let view = enterprise_timeline(state, &member.caller, id, &TimelineQuery::default()).await?;
    let today = state.today();
    let heads = view
        .dates
        .iter()
        .map(|d| {
            if *d == today {
                format::date(*d, lang)
            } else {
                d.year().to_string()
            }
        })
        .collect();
    let rows = view
        .rows
        .iter()
        .map(|row| {
            let rules = state.rules.find(&row.rule_set, Some(&row.version));
            TimelineRow {
                title: match lang {
                    Lang::Zh => row.title.clone(),
                    Lang::En => row.title_en.clone(),
                },
                label: format!("{}@{}", row.rule_set, row.version),
                cells: view
                    .dates
                    .iter()
                    .zip(&row.tiers)
                    .map(|(date, tier)| TimelineCell {
                        tier: tier.as_deref().map(|t| match &rules {
                            Some(entry) => tier_name(&entry.rules, t, lang),
                            None => t.to_owned(),
                        }),
                        href: format!(
                            "{}#decision-h",
                            super::link(
                                &format!("/enterprises/{id}"),
                                &[("as_of", &date.to_string()), ("rules", &row.rule_set)],
                            )
                        ),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(Timeline { heads, rows })
}

/// The memberships and, for those who read them, the proposals.
async fn pool_history_of(
    state: &AppState,
    member: &Member,
    id: &str,
) -> Result<PoolHistory, ApiError> {
    let lang = member.lang;
    let history = enterprise_pool_history(state, &member.caller, id).await?;
    let rules = hatchery_server::routes::enterprises::rule_set(state, None, None)
        .await?
        .rules;
    let key = |value: serde_json::Value| value.as_str().map(str::to_owned).unwrap_or_default();
    let memberships = history
        .memberships
        .iter()
        .map(|m| MembershipRow {
            cycle: m.cycle,
            tier: tier_name(&rules, &m.tier, lang),
            valid_from: format::date(m.valid_from, lang),
            valid_until: format::date(m.valid_until, lang),
            status: format!(
                "member.{}",
                key(serde_json::to_value(m.status).unwrap_or_default())
            ),
            exit_cause: m.exit_cause.map(|c| {
                format!(
                    "exit_cause.{}",
                    key(serde_json::to_value(c).unwrap_or_default())
                )
            }),
            exited_on: m
                .exited_on
                .map(|d| format::date(d, lang))
                .unwrap_or_default(),
            declaration: m.declaration,
        })
        .collect();
    let proposals = history.proposals.map(|proposals| {
        proposals
            .iter()
            .map(|p| ProposalRow {
                as_of: format::date(p.as_of, lang),
                what: super::proposals::proposal_text(&p.proposal, &rules, lang),
                status: format!(
                    "proposal.{}",
                    key(serde_json::to_value(p.status).unwrap_or_default())
                ),
                reason: p.reason.clone().unwrap_or_default(),
            })
            .collect()
    });
    Ok(PoolHistory {
        memberships,
        proposals,
    })
}
