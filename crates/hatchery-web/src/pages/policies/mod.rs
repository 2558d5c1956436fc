//! Policies (惠企政策, issue 14): policies and their items, matches pushed to
//! enterprises, and their redemption.
//!
//! - `/policies` ([`list`]): the policies that reach the account, and the
//!   form to write one (officials who manage policies);
//! - `/policies/{id}` ([`detail`]): its items with their eligibility rules,
//!   the forms to add an item, publish, withdraw and run the matching, and
//!   its matches;
//! - `/policies/matches/{id}` ([`redemption`]): one match's redemption —
//!   its state, who acts next, the payment clock — and the steps open to
//!   the account;
//! - the enterprise page's section and the enterprise account's dashboard
//!   card 可享政策: the matches pushed to it, the new ones (pushed, not yet
//!   read by the account) marked; on the enterprise page, officials see
//!   the enterprise's matches within their jurisdiction instead.
//!
//! Every page calls the API's own functions
//! (`hatchery_server::routes::policies`) with the signed-in caller.

mod detail;
mod list;
mod redemption;

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use hatchery_core::services::policy::{
    AmountRule, ItemClass, MatchState, PolicyState, RedemptionAction, RedemptionMode,
};
use hatchery_core::workflow::{Capability, Role};
use hatchery_server::extract::{Json, Path, Query as ApiQuery};
use hatchery_server::routes::policies::{
    MatchQuery, MatchView, list_enterprise_matches, list_matches,
};
use hatchery_server::state::LedgerView;
use hatchery_server::{ApiError, AppState};
use serde::Serialize;

use super::requests::office_text;
use crate::format;
use crate::i18n::{Lang, catalog};
use crate::session::Member;

/// This area's templates, by name (`policies/….html`), with their source.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "policies/enterprise_section.html",
        include_str!("../../../templates/policies/enterprise_section.html"),
    ),
    (
        "policies/dashboard_section.html",
        include_str!("../../../templates/policies/dashboard_section.html"),
    ),
    (
        "policies/list.html",
        include_str!("../../../templates/policies/list.html"),
    ),
    (
        "policies/detail.html",
        include_str!("../../../templates/policies/detail.html"),
    ),
    (
        "policies/match.html",
        include_str!("../../../templates/policies/match.html"),
    ),
    (
        "policies/macros.html",
        include_str!("../../../templates/policies/macros.html"),
    ),
];

/// This area's pages.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/policies", get(list::show).post(list::create))
        .route("/policies/{id}", get(detail::show))
        .route("/policies/{id}/items", post(detail::add_item))
        .route("/policies/{id}/publish", post(detail::publish))
        .route("/policies/{id}/withdraw", post(detail::withdraw))
        .route("/policies/{id}/match", post(detail::run_match))
        .route("/policies/matches/{id}", get(redemption::show))
        .route("/policies/matches/{id}/act", post(redemption::take))
}

/// The most matches a section or card lists.
const SECTION_ROWS: u64 = 50;

pub(crate) fn policy_state_key(state: PolicyState) -> String {
    format!("policies.policy_state.{}", state.as_str())
}

pub(crate) fn match_state_key(state: MatchState) -> String {
    format!("policies.match_state.{}", state.as_str())
}

pub(crate) fn class_key(class: ItemClass) -> String {
    format!("policies.class.{}", class.as_str())
}

pub(crate) fn mode_key(mode: RedemptionMode) -> String {
    format!("policies.mode.{}", mode.as_str())
}

pub(crate) fn action_key(action: RedemptionAction) -> String {
    format!("policies.action.{}", action.as_str())
}

/// An item's amount rule in words: a fixed sum, up to a cap by a rule, or
/// no amount.
pub(crate) fn amount_text(rule: &AmountRule, lang: Lang) -> String {
    let catalog = catalog(lang);
    match rule {
        AmountRule::Fixed { amount } => catalog.format(
            "policies.amount_fixed",
            &[("amount", format::money(*amount, "CNY", lang))],
        ),
        AmountRule::Capped { cap, rule } => catalog.format(
            "policies.amount_capped",
            &[
                ("cap", format::money(*cap, "CNY", lang)),
                ("rule", rule.clone()),
            ],
        ),
        AmountRule::None => catalog.format("policies.amount_none", &[]),
    }
}

/// Who acts next on a match, in words: the office (to push, grant, review,
/// decide or pay), the enterprise (to apply), or nobody (it is over).
/// `office` is the publishing jurisdiction as stored, when the account
/// reads the policy.
pub(crate) fn owner_text(
    view: &MatchView,
    office: Option<&str>,
    ledger: &LedgerView,
    lang: Lang,
) -> String {
    let catalog = catalog(lang);
    let enterprise = view
        .enterprise_name
        .clone()
        .unwrap_or_else(|| view.enterprise.clone());
    let office = || {
        office.map_or_else(
            || catalog.format("policies.owner_office", &[]),
            |o| office_text(o, ledger, lang),
        )
    };
    match view.state {
        MatchState::Rejected | MatchState::Paid => catalog.format("policies.owner_none", &[]),
        MatchState::Pushed if view.mode.needs_application() => {
            catalog.format("policies.owner_enterprise", &[("name", enterprise)])
        }
        _ => office(),
    }
}

/// A match in a short list: the enterprise's section, its dashboard card,
/// a policy's matches.
#[derive(Debug, Serialize)]
pub(crate) struct MatchRow {
    id: i64,
    version: i64,
    policy_title: String,
    document_number: String,
    item_title: String,
    enterprise: String,
    amount: String,
    mode: String,
    state: String,
    matched_on: String,
    pushed_on: Option<String>,
    /// The payment's last day, while it is counted.
    due: Option<String>,
    overdue: bool,
    /// Pushed and not yet read by the account (新推送).
    new: bool,
    /// Whether the account may apply from the list.
    apply: bool,
}

impl MatchRow {
    pub(crate) fn of(view: &MatchView, lang: Lang) -> Self {
        Self {
            id: view.id,
            version: view.version,
            policy_title: view.policy_title.clone(),
            document_number: view.document_number.clone(),
            item_title: view.item_title.clone(),
            enterprise: view
                .enterprise_name
                .clone()
                .unwrap_or_else(|| view.enterprise.clone()),
            amount: amount_text(&view.amount, lang),
            mode: mode_key(view.mode),
            state: match_state_key(view.state),
            matched_on: format::date(view.as_of, lang),
            pushed_on: view.pushed_on.map(|d| format::date(d, lang)),
            due: view
                .clock
                .as_ref()
                .filter(|c| !c.paid)
                .and_then(|c| c.due)
                .map(|d| format::date(d, lang)),
            overdue: view.clock.as_ref().is_some_and(|c| c.overdue),
            new: view.new,
            apply: view.actions.contains(&RedemptionAction::Apply),
        }
    }
}

/// The matches an enterprise account reads as its own, pushed to it
/// (those the office has not pushed yet are not its business yet).
async fn pushed_to_enterprise(
    state: &AppState,
    member: &Member,
) -> Result<Vec<MatchView>, ApiError> {
    let Json(listed) = list_matches(
        State(state.clone()),
        member.caller.clone(),
        ApiQuery(MatchQuery {
            per_page: Some(SECTION_ROWS.min(state.settings.limits.max_page_size)),
            ..MatchQuery::default()
        }),
    )
    .await?;
    Ok(listed
        .items
        .into_iter()
        .filter(|m| m.state != MatchState::Matched)
        .collect())
}

/// What the enterprise page shows of this area, rendered by
/// `policies/enterprise_section.html`.
#[derive(Debug, Serialize)]
pub(crate) struct EnterpriseSection {
    rows: Vec<MatchRow>,
    /// An official's view: every match of the enterprise within the
    /// jurisdiction, in any state; otherwise the enterprise's own pushed ones.
    official: bool,
    /// How many matches there are in all (the section lists the newest).
    total: u64,
}

/// This area's section of the enterprise page `id` (already read by the
/// member): its enterprise account reads the matches pushed to it; an
/// official who reads matches, every match of the enterprise within the
/// jurisdiction with its redemption state (`list_enterprise_matches`).
/// `None` for an account that does not read matches.
pub(crate) async fn enterprise_section(
    state: &AppState,
    member: &Member,
    id: &str,
) -> Result<Option<EnterpriseSection>, ApiError> {
    let caller = &member.caller;
    if !Capability::ReadPolicyMatches.granted_to(caller.account.role) {
        return Ok(None);
    }
    if caller.account.role == Role::Enterprise {
        if caller.account.enterprise.as_ref().map(|e| e.as_str()) != Some(id) {
            return Ok(None);
        }
        let rows: Vec<MatchRow> = pushed_to_enterprise(state, member)
            .await?
            .iter()
            .map(|m| MatchRow::of(m, member.lang))
            .collect();
        let total = rows.len() as u64;
        return Ok(Some(EnterpriseSection {
            rows,
            official: false,
            total,
        }));
    }
    let Json(listed) = list_enterprise_matches(
        State(state.clone()),
        caller.clone(),
        Path(id.to_owned()),
        ApiQuery(MatchQuery {
            per_page: Some(SECTION_ROWS.min(state.settings.limits.max_page_size)),
            ..MatchQuery::default()
        }),
    )
    .await?;
    Ok(Some(EnterpriseSection {
        rows: listed
            .items
            .iter()
            .map(|m| MatchRow::of(m, member.lang))
            .collect(),
        official: true,
        total: listed.total,
    }))
}

/// What an enterprise account's dashboard shows of this area, rendered by
/// `policies/dashboard_section.html`.
#[derive(Debug, Serialize)]
pub(crate) struct DashboardSection {
    rows: Vec<MatchRow>,
    /// How many are new.
    new: usize,
}

/// This area's card on the dashboard: the matches pushed to an enterprise
/// account's enterprise, the new ones first and marked; `None` for any
/// other account.
pub(crate) async fn dashboard_section(
    state: &AppState,
    member: &Member,
) -> Result<Option<DashboardSection>, ApiError> {
    let role = member.caller.account.role;
    if role != Role::Enterprise || !Capability::ReadPolicyMatches.granted_to(role) {
        return Ok(None);
    }
    let mut rows: Vec<MatchRow> = pushed_to_enterprise(state, member)
        .await?
        .iter()
        .map(|m| MatchRow::of(m, member.lang))
        .collect();
    rows.sort_by_key(|r| !r.new);
    let new = rows.iter().filter(|r| r.new).count();
    Ok(Some(DashboardSection { rows, new }))
}
