//! 工作台, the dashboard of the signed-in jurisdiction: enterprises per tier
//! today and at each year's end (a chart, with its table), this year's
//! entries and exits with their causes, the cities, zones and industries
//! with the most enterprises (all from the jurisdiction's tracking report),
//! and the declarations waiting for this account: overdue ones apart, and
//! the public notices ending soon; the requests (诉求) waiting for it and
//! those overdue.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use hatchery_core::workflow::{Capability, DeclarationState, Scope, awaiting};
use hatchery_report::{ExitCause, Report, chart_options};
use hatchery_server::extract::Query;
use hatchery_server::routes::declarations::{DeclarationQuery, list_declarations};
use hatchery_server::routes::enterprises::rule_set;
use hatchery_server::routes::reports::tracking_report;
use hatchery_server::routes::requests::{RequestQuery, list_requests};
use hatchery_server::routes::statistics::{StatisticsQuery, tier_statistics};
use hatchery_server::views::DeclarationView;
use hatchery_server::warm::dashboard_dates;
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
    /// The notice's last day, for a declaration under public notice.
    notice_last: String,
}

/// The counts per tier at each year's end, as a chart and as a table.
#[derive(Debug, Serialize)]
struct Trend {
    /// Column heads: the tiers' names.
    tiers: Vec<String>,
    rows: Vec<TrendRow>,
    /// The chart's ECharts options, for `charts.js`.
    chart_data: String,
}

#[derive(Debug, Serialize)]
struct TrendRow {
    date: String,
    counts: Vec<String>,
    total: String,
}

#[derive(Debug, Serialize)]
struct TopRow {
    name: String,
    count: String,
}

/// The cities, zones and industries with the most enterprises today.
#[derive(Debug, Serialize)]
struct Tops {
    cities: Vec<TopRow>,
    zones: Vec<TopRow>,
    industries: Vec<TopRow>,
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
    /// `None` when the role reads no statistics or the jurisdiction has no
    /// report of its own (a district).
    trend: Option<Trend>,
    tops: Option<Tops>,
    /// `None` when the role takes no step on declarations.
    queue: Option<Vec<QueueItem>>,
    /// Waiting for this account longer than [`OVERDUE_DAYS`], or a notice
    /// over and not yet confirmed.
    overdue: Option<Vec<QueueItem>>,
    /// Public notices within the jurisdiction ending within
    /// [`ENDING_DAYS`]; `None` when the role reads no declarations.
    ending: Option<Vec<QueueItem>>,
    /// The requests (诉求) waiting for this account and those overdue;
    /// `None` when the role reads no requests.
    requests: Option<RequestsCard>,
    /// Cultivation services' cards (issue 14): stewards, services, policies.
    stewards: Option<super::stewards::DashboardSection>,
    catalogue: Option<super::catalogue::DashboardSection>,
    policies: Option<super::policies::DashboardSection>,
    /// The jurisdiction's name.
    jurisdiction: String,
}

/// The requests card: how many wait for this account, how many are
/// overdue in its jurisdiction, and the first few waiting.
#[derive(Debug, Serialize)]
struct RequestsCard {
    waiting: String,
    overdue: String,
    items: Vec<RequestLine>,
}

#[derive(Debug, Serialize)]
struct RequestLine {
    id: i64,
    title: String,
    enterprise: String,
    /// The state's message key.
    state: String,
    due: Option<super::requests::Due>,
    overdue: bool,
}

/// How many waiting requests the card lists.
const REQUESTS_LISTED: u64 = 5;

/// Days a declaration may wait for its next step before the dashboard
/// calls it overdue.
const OVERDUE_DAYS: i64 = 30;

/// Days ahead within which a public notice is "ending soon".
const ENDING_DAYS: i64 = 7;

/// How many rows each top list shows.
const TOP: usize = 5;

fn trend(report: &Report, lang: Lang) -> Trend {
    let chart = chart_options(report)
        .into_iter()
        .filter(|c| c.id == "chart-tiers")
        .map(|c| serde_json::json!({ "id": "chart-trend", "option": c.option }))
        .collect();
    Trend {
        tiers: report.tiers.iter().map(|t| t.name.clone()).collect(),
        rows: report
            .snapshots
            .iter()
            .map(|s| TrendRow {
                date: format::date(s.date, lang),
                counts: s.tiers.iter().map(|t| format::count(t.count)).collect(),
                total: format::count(s.total),
            })
            .collect(),
        chart_data: super::reports::script_json(&serde_json::Value::Array(chart)),
    }
}

async fn tops(state: &AppState, report: &Report) -> Result<Option<Tops>, ApiError> {
    let Some(latest) = report.snapshots.last() else {
        return Ok(None);
    };
    let view = state.ledger().await?;
    let zone_name = |id: &str| {
        view.zones
            .all()
            .iter()
            .find(|z| z.zone.id.as_str() == id)
            .map_or_else(|| id.to_owned(), |z| z.zone.name.clone())
    };
    Ok(Some(Tops {
        cities: latest
            .top_cities
            .iter()
            .take(TOP)
            .map(|c| TopRow {
                name: c.name.clone(),
                count: format::count(c.total),
            })
            .collect(),
        zones: latest
            .zones
            .iter()
            .take(TOP)
            .map(|z| TopRow {
                // The report names a zone of the shipped table in the page's
                // language; a zone added later is named from the store.
                name: if z.name == z.key {
                    zone_name(&z.key)
                } else {
                    z.name.clone()
                },
                count: format::count(z.total),
            })
            .collect(),
        industries: latest
            .industries
            .iter()
            .take(TOP)
            .map(|i| TopRow {
                name: i.key.clone(),
                count: format::count(i.total),
            })
            .collect(),
    }))
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
    // The tracking report of the jurisdiction (a district has none): the
    // trend, this year's flows (since last 31 December) and the top lists.
    let report = if reads_statistics {
        let dates: Vec<String> = dashboard_dates(today).iter().map(Date::to_string).collect();
        match tracking_report(state, caller, Some(&dates.join(",")), None, lang.report()).await {
            Ok(report) => Some(report),
            Err(error) if error.status() == StatusCode::FORBIDDEN => None,
            Err(error) => return Err(error),
        }
    } else {
        None
    };
    let flows = report.as_ref().and_then(|report| {
        let since = report.dates.iter().rev().nth(1).copied()?;
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
    });
    let trend = report.as_ref().map(|r| trend(r, lang));
    let tops = match &report {
        Some(report) => tops(state, report).await?,
        None => None,
    };
    let reads_declarations = Capability::ReadDeclarations.granted_to(caller.account.role);
    let waiting = awaiting(caller.account.role);
    let (queue, overdue) = if waiting.is_empty() || !reads_declarations {
        (None, None)
    } else {
        let mut items = Vec::new();
        let mut overdue = Vec::new();
        let stale = state
            .clock
            .now()
            .checked_sub(jiff::SignedDuration::from_hours(OVERDUE_DAYS * 24))
            .map_err(ApiError::internal)?;
        for wanted in waiting {
            for d in declarations(state, member, Some(wanted), 20).await? {
                // A notice that is over waits for confirmation; anything
                // else waits too long after a month.
                let late = match d.notice_last {
                    Some(last) if d.state == DeclarationState::PublicNotice => last < today,
                    _ => d.updated_at < stale,
                };
                let item = queue_item(&d, &rules, lang);
                if late {
                    overdue.push(queue_item(&d, &rules, lang));
                }
                items.push(item);
            }
        }
        (Some(items), Some(overdue))
    };
    let ending = if reads_declarations {
        let horizon = today
            .checked_add(jiff::Span::new().days(ENDING_DAYS))
            .map_err(ApiError::internal)?;
        let mut ending: Vec<(Date, QueueItem)> =
            declarations(state, member, Some(DeclarationState::PublicNotice), 100)
                .await?
                .iter()
                .filter_map(|d| {
                    let last = d.notice_last?;
                    (today <= last && last <= horizon).then(|| (last, queue_item(d, &rules, lang)))
                })
                .collect();
        ending.sort_by_key(|(last, _)| *last);
        Some(ending.into_iter().map(|(_, item)| item).collect())
    } else {
        None
    };
    let requests = if Capability::ReadRequests.granted_to(caller.account.role) {
        Some(requests_card(state, member).await?)
    } else {
        None
    };
    let (stewards, catalogue, policies) = tokio::try_join!(
        super::stewards::dashboard_section(state, member),
        super::catalogue::dashboard_section(state, member),
        super::policies::dashboard_section(state, member),
    )?;
    Ok(DashboardPage {
        requests,
        stewards,
        catalogue,
        policies,
        today: format::date(today, lang),
        rule_set: rules.label(),
        tiers,
        total,
        flows,
        trend,
        tops,
        queue,
        overdue,
        ending,
        jurisdiction: jurisdiction_name(&caller.scope, lang),
    })
}

/// The requests waiting for this account (its queue) and the overdue ones
/// in its jurisdiction, through the API's own list.
async fn requests_card(state: &AppState, member: &Member) -> Result<RequestsCard, ApiError> {
    let ask = |mine: bool, overdue: bool, most: u64| {
        list_requests(
            State(state.clone()),
            member.caller.clone(),
            Query(RequestQuery {
                state: None,
                level: None,
                class: None,
                enterprise: None,
                overdue: overdue.then_some(true),
                mine: mine.then_some(true),
                page: None,
                per_page: Some(most),
            }),
        )
    };
    let waiting = ask(true, false, REQUESTS_LISTED).await?.0;
    let overdue = ask(false, true, 1).await?.0;
    let lang = member.lang;
    Ok(RequestsCard {
        waiting: format::count(waiting.total),
        overdue: format::count(overdue.total),
        items: waiting
            .items
            .iter()
            .map(|r| RequestLine {
                id: r.id,
                title: r.title.clone(),
                enterprise: r
                    .enterprise_name
                    .clone()
                    .unwrap_or_else(|| r.enterprise.clone()),
                state: super::requests::state_key(r.state),
                due: super::requests::next_due(r, lang),
                overdue: r.overdue,
            })
            .collect(),
    })
}

/// Declarations in the account's scope in `wanted` state, newest first.
async fn declarations(
    state: &AppState,
    member: &Member,
    wanted: Option<DeclarationState>,
    most: u64,
) -> Result<Vec<DeclarationView>, ApiError> {
    Ok(list_declarations(
        State(state.clone()),
        member.caller.clone(),
        Query(DeclarationQuery {
            cycle: None,
            state: wanted,
            tier: None,
            enterprise: None,
            page: None,
            per_page: Some(most.min(state.settings.limits.max_page_size)),
        }),
    )
    .await?
    .0
    .items)
}

fn queue_item(d: &DeclarationView, rules: &hatchery_core::RuleSet, lang: Lang) -> QueueItem {
    QueueItem {
        id: d.id,
        enterprise_name: d
            .enterprise_name
            .clone()
            .unwrap_or_else(|| d.enterprise.clone()),
        href: format!("/declarations/{}", d.id),
        enterprise: d.enterprise.clone(),
        tier: tier_name(rules, &d.tier, lang),
        state: format!("state.{}", d.state.as_str()),
        updated: format::instant(d.updated_at, lang),
        notice_last: d
            .notice_last
            .map(|n| format::date(n, lang))
            .unwrap_or_default(),
    }
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
    let mut chrome = Chrome::member(&member, "dashboard.title", "dashboard");
    match gather(&state, &member).await {
        Ok(page) => {
            // ECharts loads only when there is a chart to draw.
            chrome.charts = page.trend.is_some();
            site.page(StatusCode::OK, "dashboard.html", &chrome, page)
        }
        Err(error) => failure(&site, &chrome, &error),
    }
}
