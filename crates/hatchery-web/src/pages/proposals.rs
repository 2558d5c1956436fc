//! 重新评估建议: the re-evaluation's proposals for members within the
//! account's jurisdiction (promotion, demotion, exit, re-review), each with
//! the engine's decision behind it; the member's province accepts or
//! declines each (`decide_proposal`, at the version shown — a proposal
//! someone else decided first says so, with its state now).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use hatchery_core::criteria::Decision;
use hatchery_core::workflow::{Capability, ProposalId, ProposalKind};
use hatchery_server::AppState;
use hatchery_server::extract::{Json, Path, Query as ApiQuery};
use hatchery_server::routes::enterprises::rule_set;
use hatchery_server::routes::pool::{
    DecideProposal, ProposalQuery, decide_proposal, list_proposals,
};
use hatchery_server::views::DecisionView;
use serde::{Deserialize, Serialize};

use super::enterprise::{DecisionPanel, decision_panel};
use super::{division_name, failure, refusal, tier_name};
use crate::format;
use crate::i18n::{Lang, catalog};
use crate::session::Member;
use crate::site::{Chrome, Site};
use hatchery_core::RuleSet;

/// What the re-evaluation just did, if it ran.
#[derive(Debug, Default, Deserialize)]
pub struct ProposalsQuery {
    #[serde(default)]
    pub ran: String,
    #[serde(default)]
    pub looked: String,
    #[serde(default)]
    pub done: String,
}

/// The decision as posted.
#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub accept: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub csrf: String,
}

#[derive(Debug, Serialize)]
struct ProposalRow {
    id: i64,
    version: i64,
    enterprise: String,
    province: String,
    /// What is proposed, in words.
    what: String,
    as_of: String,
    /// The status's message key.
    status: String,
    reason: String,
    pending: bool,
    decision: Option<DecisionPanel>,
}

#[derive(Debug, Serialize)]
struct ProposalsPage {
    rows: Vec<ProposalRow>,
    decide: bool,
    ran: Option<(String, String)>,
    done: bool,
    problem: Option<&'static str>,
    /// The proposal a refused decision was about, with what was typed.
    failed: Option<i64>,
    typed: String,
    errors: BTreeMap<&'static str, &'static str>,
}

fn chrome(member: &Member) -> Chrome {
    Chrome::member(member, "proposals.title", "pool")
}

async fn render(
    state: &AppState,
    site: &Site,
    member: &Member,
    mut page: ProposalsPage,
    status: StatusCode,
) -> Response {
    let lang = member.lang;
    let chrome = chrome(member);
    let listed = match list_proposals(
        State(state.clone()),
        member.caller.clone(),
        ApiQuery(ProposalQuery {
            status: None,
            page: None,
            per_page: Some(100.min(state.settings.limits.max_page_size)),
        }),
    )
    .await
    {
        Ok(Json(listed)) => listed,
        Err(error) => return failure(site, &chrome, &error),
    };
    let rules = match rule_set(state, None, None).await {
        Ok(entry) => entry.rules,
        Err(error) => return failure(site, &chrome, &error),
    };
    page.rows = listed
        .items
        .iter()
        .map(|p| {
            let what = proposal_text(&p.proposal, &rules, lang);
            let decision = serde_json::from_value::<Decision>(p.decision.clone())
                .ok()
                .map(|d| decision_panel(&DecisionView::new(&p.enterprise, &d), &rules, lang));
            let status = serde_json::to_value(p.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            ProposalRow {
                id: p.id.0,
                version: p.version,
                enterprise: p
                    .enterprise_name
                    .clone()
                    .unwrap_or_else(|| p.enterprise.clone()),
                province: p
                    .placement
                    .province
                    .as_deref()
                    .map(|c| division_name(c, lang))
                    .unwrap_or_default(),
                what,
                as_of: format::date(p.as_of, lang),
                pending: status == "pending",
                status: format!("proposal.{status}"),
                reason: p.reason.clone().unwrap_or_default(),
                decision,
            }
        })
        .collect();
    page.decide = Capability::DecideProposals.granted_to(member.caller.account.role);
    site.page(status, "proposals.html", &chrome, page)
}

fn blank() -> ProposalsPage {
    ProposalsPage {
        rows: Vec::new(),
        decide: false,
        ran: None,
        done: false,
        problem: None,
        failed: None,
        typed: String::new(),
        errors: BTreeMap::new(),
    }
}

/// `GET /pool/proposals`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<ProposalsQuery>,
) -> Response {
    let mut page = blank();
    if !query.ran.is_empty() {
        page.ran = Some((query.ran, query.looked));
    }
    page.done = query.done == "1";
    render(&state, &site, &member, page, StatusCode::OK).await
}

/// `POST /pool/proposals/{id}/decide`: `accept` = `yes`/`no`, `reason`.
pub async fn decide(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let mut page = blank();
    page.failed = Some(id);
    page.typed.clone_from(&form.reason);
    if !member.csrf_ok(&form.csrf) {
        page.problem = Some("form.expired");
        return render(&state, &site, &member, page, StatusCode::FORBIDDEN).await;
    }
    let accept = match form.accept.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            page.problem = Some("error.bad_request_text");
            return render(&state, &site, &member, page, StatusCode::BAD_REQUEST).await;
        }
    };
    let request = DecideProposal {
        version: form.version.trim().parse().unwrap_or(-1),
        accept,
        reason: Some(form.reason),
    };
    match decide_proposal(
        State(state.clone()),
        member.caller.clone(),
        Path(ProposalId(id)),
        Json(request),
    )
    .await
    {
        Ok(_) => Redirect::to("/pool/proposals?done=1").into_response(),
        Err(error) => {
            let problem = refusal(&error);
            if error.code() == "invalid_reason" {
                page.errors.insert("reason", "proposals.reason_too_long");
            }
            page.problem = Some(problem);
            render(&state, &site, &member, page, error.status()).await
        }
    }
}

/// What a proposal proposes, in words (its JSON as it is when unreadable).
pub(crate) fn proposal_text(proposal: &serde_json::Value, rules: &RuleSet, lang: Lang) -> String {
    let words = catalog(lang);
    match serde_json::from_value::<ProposalKind>(proposal.clone()) {
        Ok(ProposalKind::Promotion { from, to }) => words.format(
            "proposals.promotion",
            &[
                ("from", tier_name(rules, &from, lang)),
                ("to", tier_name(rules, &to, lang)),
            ],
        ),
        Ok(ProposalKind::Demotion { from, to }) => words.format(
            "proposals.demotion",
            &[
                ("from", tier_name(rules, &from, lang)),
                ("to", tier_name(rules, &to, lang)),
            ],
        ),
        Ok(ProposalKind::Exit { cause }) => {
            let key = serde_json::to_value(cause)
                .ok()
                .and_then(|v| v.as_str().map(|s| format!("exit_cause.{s}")))
                .unwrap_or_default();
            words.format("proposals.exit", &[("cause", words.format(&key, &[]))])
        }
        Ok(ProposalKind::ReReview { due }) => {
            words.format("proposals.re_review", &[("due", format::date(due, lang))])
        }
        Err(_) => proposal.to_string(),
    }
}
