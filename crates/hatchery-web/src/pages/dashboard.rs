//! 工作台, the dashboard of the signed-in jurisdiction: enterprises per tier
//! today, this year's entries and exits with their causes, and the
//! declarations waiting for this account.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use hatchery_core::workflow::{Capability, Scope, awaiting};
use hatchery_report::{ExitCause, ReportOptions, build};
use hatchery_server::extract::Query;
use hatchery_server::routes::declarations::{DeclarationQuery, list_declarations};
use hatchery_server::routes::enterprises::rule_set;
use hatchery_server::routes::statistics::{StatisticsQuery, tier_statistics};
use hatchery_server::{ApiError, AppState};
use jiff::civil::Date;
use serde::Serialize;

use super::{failure, tier_name};
use crate::format;
use crate::i18n::Lang;
use crate::session::Member;
use crate::site::{Chrome, Site};

#[derive(Debug, Serialize)]
struct TierCount {
    key: String,
    name: String,
    count: String,
    /// The directory filtered to this tier.
    href: String,
}

#[derive(Debug, Serialize)]
struct TierFlowRow {
    name: String,
    entries: String,
    exits: String,
}

#[derive(Debug, Serialize)]
struct CauseRow {
    /// The cause's message key.
    cause: String,
    count: String,
}

#[derive(Debug, Serialize)]
struct Flows {
    since: String,
    rows: Vec<TierFlowRow>,
    causes: Vec<CauseRow>,
    entries: String,
    exits: String,
}

#[derive(Debug, Serialize)]
struct QueueItem {
    id: i64,
    enterprise: String,
    enterprise_name: String,
    tier: String,
    /// The state's message key.
    state: String,
    updated: String,
    href: String,
}

#[derive(Debug, Serialize)]
struct DashboardPage {
    today: String,
    rule_set: String,
    /// `None` when the role reads no statistics.
    tiers: Option<Vec<TierCount>>,
    total: String,
    /// `None` when the role reads no statistics or the jurisdiction is one
    /// the report cannot be restricted to (a district, a zone).
    flows: Option<Flows>,
    /// `None` when the role takes no step on declarations.
    queue: Option<Vec<QueueItem>>,
    /// The jurisdiction's name.
    jurisdiction: String,
}

/// The report's restriction matching an account's scope, where it has one.
fn report_scope(scope: &Scope) -> Option<Option<hatchery_report::Scope>> {
    match scope {
        Scope::All => Some(None),
        Scope::Province(code) => Some(Some(hatchery_report::Scope::Province(*code))),
        Scope::City(code) => Some(Some(hatchery_report::Scope::City(*code))),
        Scope::District(_) | Scope::Zone(_) | Scope::Enterprise(_) => None,
    }
}

async fn gather(state: &AppState, member: &Member) -> Result<DashboardPage, ApiError> {
    let lang = member.lang;
    let caller = &member.caller;
    let today = state.today();
    let entry = rule_set(state, None, None).await?;
    let rules = entry.rules.clone();
    let reads_statistics = Capability::ReadStatistics.granted_to(caller.account.role);
    let (tiers, total) = if reads_statistics {
        let stats = tier_statistics(
            State(state.clone()),
            caller.clone(),
            Query(StatisticsQuery {
                as_of: None,
                rules: None,
            }),
        )
        .await?
        .0;
        let tiers = rules
            .tiers
            .iter()
            .map(|tier| {
                let count: u64 = stats
                    .rows
                    .iter()
                    .filter(|r| r.tier == tier.key)
                    .map(|r| r.count)
                    .sum();
                TierCount {
                    key: tier.key.clone(),
                    name: tier_name(&rules, &tier.key, lang),
                    count: format::count(count),
                    href: super::link("/enterprises", &[("tier", &tier.key)]),
                }
            })
            .collect();
        (Some(tiers), format::count(stats.total))
    } else {
        (None, String::new())
    };
    let flows = match report_scope(&caller.scope) {
        Some(scope) if reads_statistics => {
            let since = Date::new(today.year() - 1, 12, 31).map_err(ApiError::internal)?;
            if since < today {
                let view = state.ledger().await?;
                let options = ReportOptions {
                    scope,
                    lang: lang.report(),
                    ..ReportOptions::default()
                };
                let report = build(&view.ledger, &rules, &[since, today], &options)
                    .map_err(ApiError::internal)?;
                report.flows.last().map(|flow| Flows {
                    since: format::date(since, lang),
                    rows: flow
                        .tiers
                        .iter()
                        .map(|t| TierFlowRow {
                            name: tier_name(&rules, &t.tier, lang),
                            entries: format::count(t.entries),
                            exits: format::count(t.exits.total()),
                        })
                        .collect(),
                    causes: ExitCause::ALL
                        .iter()
                        .map(|&cause| CauseRow {
                            cause: format!("cause.{}", cause_key(cause)),
                            count: format::count(flow.exits.get(cause)),
                        })
                        .collect(),
                    entries: format::count(flow.new),
                    exits: format::count(flow.exits.total()),
                })
            } else {
                None
            }
        }
        _ => None,
    };
    let waiting = awaiting(caller.account.role);
    let queue =
        if waiting.is_empty() || !Capability::ReadDeclarations.granted_to(caller.account.role) {
            None
        } else {
            let mut items = Vec::new();
            for wanted in waiting {
                let page = list_declarations(
                    State(state.clone()),
                    caller.clone(),
                    Query(DeclarationQuery {
                        cycle: None,
                        state: Some(wanted),
                        tier: None,
                        enterprise: None,
                        page: None,
                        per_page: Some(20.min(state.settings.limits.max_page_size)),
                    }),
                )
                .await?
                .0;
                items.extend(page.items.into_iter().map(|d| {
                    QueueItem {
                        id: d.id,
                        enterprise_name: d
                            .enterprise_name
                            .clone()
                            .unwrap_or_else(|| d.enterprise.clone()),
                        href: format!("/declarations/{}", d.id),
                        enterprise: d.enterprise,
                        tier: tier_name(&rules, &d.tier, lang),
                        state: format!("state.{}", d.state.as_str()),
                        updated: format::instant(d.updated_at, lang),
                    }
                }));
            }
            Some(items)
        };
    Ok(DashboardPage {
        today: format::date(today, lang),
        rule_set: rules.label(),
        tiers,
        total,
        flows,
        queue,
        jurisdiction: jurisdiction_name(&caller.scope, lang),
    })
}

fn cause_key(cause: ExitCause) -> &'static str {
    match cause {
        ExitCause::Listed => "listed",
        ExitCause::Acquired => "acquired",
        ExitCause::Closed => "closed",
        ExitCause::MovedOut => "moved_out",
        ExitCause::AgedOut => "aged_out",
        ExitCause::BelowThreshold => "below_threshold",
    }
}

/// The name of what an account sees.
fn jurisdiction_name(scope: &Scope, lang: Lang) -> String {
    match scope {
        Scope::All => crate::i18n::catalog(lang).format("dashboard.nation", &[]),
        Scope::Province(c) | Scope::City(c) | Scope::District(c) => {
            super::division_name(&c.to_string(), lang)
        }
        Scope::Zone(z) => z.to_string(),
        Scope::Enterprise(e) => e.to_string(),
    }
}

/// `GET /`: the dashboard.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
) -> Response {
    let chrome = Chrome::member(&member, "dashboard.title", "dashboard");
    match gather(&state, &member).await {
        Ok(page) => site.page(StatusCode::OK, "dashboard.html", &chrome, page),
        Err(error) => failure(&site, &chrome, &error),
    }
}
