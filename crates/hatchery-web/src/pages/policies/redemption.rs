//! `/policies/matches/{id}`: one match's redemption (the API's
//! `get_match`). What the enterprise always sees first: its state, who
//! acts next, the payment's last day and the working days counted from the
//! application (免申即享: from the push) to payment, and a rejection's
//! written reason; then the policy and item, the history, and one small
//! form per step the account may take now (the API's `actions`, at the
//! version read): push, grant, apply, review, approve, reject with a
//! reason, record payment — each through `act_on_match`. A refusal comes
//! back beside the match as it now stands, with what was typed. The apply
//! step shows what the system holds about the enterprise ("enter once"),
//! each value with its source and date and a correct / confirm action, the
//! same table as the request form's (`profile::held_rows`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_core::services::policy::RedemptionAction;
use hatchery_core::workflow::Capability;
use hatchery_server::extract::{Json, Path};
use hatchery_server::routes::policies::{
    MatchActionBody, act_on_match, get_match, get_policy, mark_read,
};
use hatchery_server::{ApiError, AppState};
use serde::{Deserialize, Serialize};

use super::{action_key, amount_text, match_state_key, mode_key, owner_text};
use crate::format;
use crate::pages::{failure, posted_pairs, refusal};
use crate::session::Member;
use crate::site::{Chrome, Site};

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: String,
}

/// A field of a step's form.
#[derive(Debug, Serialize)]
struct Field {
    name: &'static str,
    required: bool,
    value: String,
    error: Option<&'static str>,
}

/// The form of one step open to the account.
#[derive(Debug, Serialize)]
struct StepForm {
    action: &'static str,
    fields: Vec<Field>,
    primary: bool,
}

/// The fields a step asks for: name, required.
fn fields_of(action: RedemptionAction) -> &'static [(&'static str, bool)] {
    match action {
        RedemptionAction::Apply => &[("note", false)],
        RedemptionAction::Reject => &[("reason", true)],
        _ => &[],
    }
}

#[derive(Debug, Serialize)]
struct StepRow {
    at: String,
    action: String,
    who: String,
    from: String,
    to: String,
    text: String,
}

/// The payment clock in words.
#[derive(Debug, Serialize)]
struct Clock {
    started: String,
    working_days: u32,
    limit: Option<u32>,
    due: Option<String>,
    paid: bool,
    overdue: bool,
}

#[derive(Debug, Default)]
struct Refused {
    problem: &'static str,
    action: String,
    errors: BTreeMap<String, &'static str>,
    typed: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
struct MatchPage {
    id: i64,
    version: i64,
    policy: i64,
    policy_title: String,
    document_number: String,
    item_title: String,
    amount: String,
    mode: String,
    enterprise: String,
    enterprise_id: String,
    enterprise_link: bool,
    matched_on: String,
    state: String,
    /// Rejected: its clock no longer runs.
    rejected: bool,
    owner: String,
    clock: Option<Clock>,
    pushed_on: Option<String>,
    applied_on: Option<String>,
    decided_on: Option<String>,
    paid_on: Option<String>,
    reason: Option<String>,
    note: Option<String>,
    steps: Vec<StepRow>,
    forms: Vec<StepForm>,
    /// What the system holds about the enterprise, when the account may
    /// apply now: confirmed or corrected here, never typed again.
    held: Vec<crate::pages::profile::HeldRow>,
    done: Option<String>,
    problem: Option<&'static str>,
}

/// The message saying why a step was refused.
fn step_refusal(error: &ApiError) -> &'static str {
    match error.code() {
        "version_conflict" => "policies.match_conflict",
        "invalid_transition" => "policies.step_invalid",
        _ => refusal(error),
    }
}

async fn render(
    state: &AppState,
    site: &Site,
    member: &Member,
    id: i64,
    status: StatusCode,
    refused: Option<Refused>,
    done: Option<String>,
) -> Response {
    let lang = member.lang;
    let mut shown = member.clone();
    shown.path = format!("/policies/matches/{id}");
    let chrome = Chrome::member(&shown, "policies.match_title", "policies");
    let detail = match get_match(State(state.clone()), member.caller.clone(), Path(id)).await {
        Ok(Json(detail)) => detail,
        Err(error) => return failure(site, &chrome, &error),
    };
    let ledger = match state.ledger().await {
        Ok(ledger) => ledger,
        Err(error) => return failure(site, &chrome, &error),
    };
    let m = &detail.r#match;
    // The publishing office, when the account reads the policy (an
    // enterprise that has moved away may no longer).
    let office = get_policy(State(state.clone()), member.caller.clone(), Path(m.policy))
        .await
        .ok()
        .map(|Json(p)| p.policy.jurisdiction);
    let refused = refused.unwrap_or_default();
    let held = if m.actions.contains(&RedemptionAction::Apply) {
        crate::pages::profile::held_rows(state, member, &m.enterprise).await
    } else {
        Vec::new()
    };
    let forms = m
        .actions
        .iter()
        .map(|&action| {
            let mine = refused.action == action.as_str();
            StepForm {
                action: action.as_str(),
                primary: action != RedemptionAction::Reject,
                fields: fields_of(action)
                    .iter()
                    .map(|&(name, required)| Field {
                        name,
                        required,
                        value: if mine {
                            refused.typed.get(name).cloned().unwrap_or_default()
                        } else {
                            String::new()
                        },
                        error: if mine {
                            refused.errors.get(name).copied()
                        } else {
                            None
                        },
                    })
                    .collect(),
            }
        })
        .collect();
    let page = MatchPage {
        id: m.id,
        version: m.version,
        policy: m.policy,
        policy_title: m.policy_title.clone(),
        document_number: m.document_number.clone(),
        item_title: m.item_title.clone(),
        amount: amount_text(&m.amount, lang),
        mode: mode_key(m.mode),
        enterprise: m
            .enterprise_name
            .clone()
            .unwrap_or_else(|| m.enterprise.clone()),
        enterprise_id: m.enterprise.clone(),
        enterprise_link: Capability::ReadEnterprises.granted_to(member.caller.account.role),
        matched_on: format::date(m.as_of, lang),
        state: match_state_key(m.state),
        rejected: m.state == hatchery_core::services::policy::MatchState::Rejected,
        owner: owner_text(m, office.as_deref(), &ledger, lang),
        clock: m.clock.as_ref().map(|c| Clock {
            started: format::date(c.started, lang),
            working_days: c.working_days,
            limit: c.limit_days,
            due: c.due.map(|d| format::date(d, lang)),
            paid: c.paid,
            overdue: c.overdue,
        }),
        pushed_on: m.pushed_on.map(|d| format::date(d, lang)),
        applied_on: m.applied_on.map(|d| format::date(d, lang)),
        decided_on: m.decided_on.map(|d| format::date(d, lang)),
        paid_on: m.paid_on.map(|d| format::date(d, lang)),
        reason: m.reason.clone(),
        note: m.note.clone(),
        steps: detail
            .steps
            .iter()
            .map(|s| StepRow {
                at: format::instant(s.at, lang),
                action: action_key(s.action),
                who: s.actor.clone(),
                from: match_state_key(s.from),
                to: match_state_key(s.to),
                text: s.text.clone().unwrap_or_default(),
            })
            .collect(),
        forms,
        held,
        done,
        problem: (!refused.problem.is_empty()).then_some(refused.problem),
    };
    site.page(status, "policies/match.html", &chrome, page)
}

/// `GET /policies/matches/{id}[?done=ACTION]`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let done = RedemptionAction::parse(&query.done).map(action_key);
    // Opening the match is reading it: no longer new to this account. A
    // match out of view is the page's to say (render reads it again).
    let _ = mark_read(&state, &member.caller, id).await;
    render(&state, &site, &member, id, StatusCode::OK, None, done).await
}

/// `POST /policies/matches/{id}/act` (form: `csrf`, `version`, `action`,
/// and `reason` to reject or `note` to apply): the API's `act_on_match`.
pub async fn take(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let pairs = posted_pairs(&body);
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let action = field("action");
    let mut refused = Refused {
        action: action.clone(),
        typed: pairs
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "version" | "action"))
            .cloned()
            .collect(),
        ..Refused::default()
    };
    let again = |status, refused| render(&state, &site, &member, id, status, Some(refused), None);
    if !member.csrf_ok(&field("csrf")) {
        refused.problem = "form.expired";
        return again(StatusCode::FORBIDDEN, refused).await;
    }
    let (Ok(version), Some(step)) = (
        field("version").parse::<i64>(),
        RedemptionAction::parse(&action),
    ) else {
        refused.problem = "error.bad_request_text";
        return again(StatusCode::BAD_REQUEST, refused).await;
    };
    let text = |name: &str| Some(field(name)).filter(|t| !t.trim().is_empty());
    let request = MatchActionBody {
        version,
        action: step,
        reason: match step {
            // A rejection without a reason is the API's to refuse, by name.
            RedemptionAction::Reject => Some(field("reason")),
            _ => None,
        },
        note: match step {
            RedemptionAction::Apply => text("note"),
            _ => None,
        },
    };
    match act_on_match(
        State(state.clone()),
        member.caller.clone(),
        Path(id),
        Json(request),
    )
    .await
    {
        Ok(_) => {
            Redirect::to(&format!("/policies/matches/{id}?done={}", step.as_str())).into_response()
        }
        Err(error) => {
            let named = error
                .details()
                .and_then(|d| d.get("field"))
                .and_then(|f| f.as_str())
                .map(str::to_owned);
            match named {
                Some(name) if error.code() == "invalid_field" => {
                    let blank = field(&name).trim().is_empty();
                    let message = if blank {
                        "workflow.reason_required"
                    } else {
                        "policies.too_long"
                    };
                    refused.errors.insert(name, message);
                    refused.problem = "workflow.fix_below";
                }
                _ => refused.problem = step_refusal(&error),
            }
            again(error.status(), refused).await
        }
    }
}
