//! 培育库, the national cultivation pool within the account's jurisdiction:
//! how many members each tier has, and the members (province, city,
//! validity, status), filtered by status, tier and province — the API's
//! `list_members`. The ministry starts the yearly re-evaluation here
//! (`run_reevaluation`); its proposals are decided on the proposals page.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use hatchery_core::workflow::Capability;
use hatchery_server::extract::{Json, Query as ApiQuery};
use hatchery_server::routes::enterprises::rule_set;
use hatchery_server::routes::pool::{
    MemberStatusFilter, PoolQuery, Reevaluate, list_members, run_reevaluation,
};
use hatchery_server::views::MemberView;
use hatchery_server::{ApiError, AppState};
use serde::{Deserialize, Serialize};

use super::{Choice, division_name, failure, link, refusal, tier_name};
use crate::format;
use crate::session::Member;
use crate::site::{Chrome, Site};

/// Rows per page.
const PER_PAGE: u64 = 20;

/// The filters, as typed.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct PoolFilters {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub tier: String,
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub page: String,
}

#[derive(Debug, Serialize)]
struct TierCount {
    name: String,
    count: String,
    href: String,
}

#[derive(Debug, Serialize)]
struct MemberRow {
    enterprise: String,
    enterprise_id: String,
    tier: String,
    province: String,
    city: String,
    cycle: i16,
    valid: String,
    /// The status's message key.
    status: String,
    /// The exit cause's message key, if it left.
    cause: Option<String>,
    declaration: Option<i64>,
}

#[derive(Debug, Serialize)]
struct PoolPage {
    filters: PoolFilters,
    errors: BTreeMap<&'static str, &'static str>,
    statuses: Vec<Choice>,
    tiers: Vec<Choice>,
    counts: Vec<TierCount>,
    rows: Vec<MemberRow>,
    total: String,
    page: u64,
    pages: u64,
    previous: Option<String>,
    next: Option<String>,
    reevaluate: bool,
    proposals: bool,
    problem: Option<&'static str>,
}

fn status_of(text: &str) -> Option<MemberStatusFilter> {
    Some(match text {
        "" | "active" => MemberStatusFilter::Active,
        "exited" => MemberStatusFilter::Exited,
        "superseded" => MemberStatusFilter::Superseded,
        "all" => MemberStatusFilter::All,
        _ => return None,
    })
}

async fn members(
    state: &AppState,
    member: &Member,
    status: MemberStatusFilter,
    tier: Option<String>,
    province: Option<String>,
    page: u64,
    per_page: u64,
) -> Result<hatchery_server::extract::Paged<MemberView>, ApiError> {
    list_members(
        State(state.clone()),
        member.caller.clone(),
        ApiQuery(PoolQuery {
            status: Some(status),
            tier,
            cycle: None,
            province,
            page: Some(page),
            per_page: Some(per_page),
        }),
    )
    .await
    .map(|Json(paged)| paged)
}

/// `GET /pool`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(filters): Query<PoolFilters>,
) -> Response {
    render(&state, &site, &member, filters, None).await
}

async fn render(
    state: &AppState,
    site: &Site,
    member: &Member,
    filters: PoolFilters,
    problem: Option<&'static str>,
) -> Response {
    let lang = member.lang;
    let chrome = Chrome::member(member, "pool.title", "pool");
    let rules = match rule_set(state, None, None).await {
        Ok(entry) => entry.rules,
        Err(error) => return failure(site, &chrome, &error),
    };
    let mut errors = BTreeMap::new();
    let status = status_of(&filters.status).unwrap_or_else(|| {
        errors.insert("status", "pool.status_invalid");
        MemberStatusFilter::Active
    });
    let tier = Some(filters.tier.trim().to_owned()).filter(|t| !t.is_empty());
    if tier.as_ref().is_some_and(|t| rules.tier_index(t).is_none()) {
        errors.insert("tier", "directory.tier_unknown");
    }
    let province = Some(filters.province.trim().to_owned()).filter(|p| !p.is_empty());
    let number = filters
        .page
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    let mut page = PoolPage {
        filters: filters.clone(),
        errors: BTreeMap::new(),
        statuses: ["active", "exited", "superseded", "all"]
            .into_iter()
            .map(|s| Choice {
                value: s.to_owned(),
                label: crate::i18n::catalog(lang).format(&format!("member.{s}"), &[]),
                selected: filters.status == s || (filters.status.is_empty() && s == "active"),
            })
            .collect(),
        tiers: std::iter::once(Choice {
            value: String::new(),
            label: crate::i18n::catalog(lang).format("directory.any_tier", &[]),
            selected: tier.is_none(),
        })
        .chain(rules.tiers.iter().map(|t| Choice {
            value: t.key.clone(),
            label: tier_name(&rules, &t.key, lang),
            selected: tier.as_deref() == Some(t.key.as_str()),
        }))
        .collect(),
        counts: Vec::new(),
        rows: Vec::new(),
        total: String::new(),
        page: number,
        pages: 1,
        previous: None,
        next: None,
        reevaluate: Capability::Reevaluate.granted_to(member.caller.account.role),
        proposals: Capability::ReadProposals.granted_to(member.caller.account.role),
        problem,
    };
    if errors.is_empty() {
        // Members per tier in this jurisdiction (and province, if chosen).
        for t in &rules.tiers {
            match members(
                state,
                member,
                status,
                Some(t.key.clone()),
                province.clone(),
                1,
                1,
            )
            .await
            {
                Ok(paged) => page.counts.push(TierCount {
                    name: tier_name(&rules, &t.key, lang),
                    count: format::count(paged.total),
                    href: link(
                        "/pool",
                        &[
                            ("status", &filters.status),
                            ("tier", &t.key),
                            ("province", &filters.province),
                        ],
                    ),
                }),
                Err(error) if error.code() == "invalid_query" => {
                    errors.insert("province", "directory.region_invalid");
                    break;
                }
                Err(error) => return failure(site, &chrome, &error),
            }
        }
    }
    if errors.is_empty() {
        let listed = match members(
            state,
            member,
            status,
            tier.clone(),
            province.clone(),
            number,
            PER_PAGE,
        )
        .await
        {
            Ok(listed) => listed,
            Err(error) => return failure(site, &chrome, &error),
        };
        page.pages = listed.total.div_ceil(PER_PAGE).max(1);
        page.total = format::count(listed.total);
        let at = |n: u64| {
            link(
                "/pool",
                &[
                    ("status", &filters.status),
                    ("tier", &filters.tier),
                    ("province", &filters.province),
                    ("page", &n.to_string()),
                ],
            )
        };
        page.previous = (number > 1).then(|| at(number - 1));
        page.next = (number < page.pages).then(|| at(number + 1));
        page.rows = listed
            .items
            .iter()
            .map(|m| MemberRow {
                enterprise: m
                    .enterprise_name
                    .clone()
                    .unwrap_or_else(|| m.enterprise.clone()),
                enterprise_id: m.enterprise.clone(),
                tier: tier_name(&rules, &m.tier, lang),
                province: m
                    .placement
                    .province
                    .as_deref()
                    .map(|p| division_name(p, lang))
                    .unwrap_or_default(),
                city: m
                    .placement
                    .city
                    .as_deref()
                    .map(|c| division_name(c, lang))
                    .unwrap_or_default(),
                cycle: m.cycle,
                valid: crate::i18n::catalog(lang).format(
                    "publicity.from_to",
                    &[
                        ("first", format::date(m.valid_from, lang)),
                        ("last", format::date(m.valid_until, lang)),
                    ],
                ),
                status: format!(
                    "member.{}",
                    serde_json::to_value(m.status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                ),
                cause: m.exit_cause.and_then(|c| {
                    serde_json::to_value(c)
                        .ok()
                        .and_then(|v| v.as_str().map(|s| format!("exit_cause.{s}")))
                }),
                declaration: m.declaration,
            })
            .collect();
    }
    let status_code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.errors = errors;
    site.page(status_code, "pool.html", &chrome, page)
}

/// The re-evaluation form: only the CSRF token (the API's default day).
#[derive(Debug, Default, Deserialize)]
pub struct ReevaluateForm {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /pool/reevaluate`: the ministry re-runs the engine over the pool.
pub async fn reevaluate(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Form(form): Form<ReevaluateForm>,
) -> Response {
    if !member.csrf_ok(&form.csrf) {
        return render(
            &state,
            &site,
            &member,
            PoolFilters::default(),
            Some("form.expired"),
        )
        .await;
    }
    match run_reevaluation(
        State(state.clone()),
        member.caller.clone(),
        Json(Reevaluate { as_of: None }),
    )
    .await
    {
        Ok(Json(report)) => {
            let proposed: u64 = report.proposed.values().sum();
            Redirect::to(&format!(
                "/pool/proposals?ran={proposed}&looked={}",
                report.members
            ))
            .into_response()
        }
        Err(error) => {
            let problem = refusal(&error);
            render(
                &state,
                &site,
                &member,
                PoolFilters::default(),
                Some(problem),
            )
            .await
        }
    }
}
