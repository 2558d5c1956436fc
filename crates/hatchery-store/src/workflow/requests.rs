//! Enterprises' requests (诉求) as stored: the request with its deadlines,
//! its steps, and what lists and figures select them by.

use hatchery_core::EnterpriseId;
use hatchery_core::services::request::{
    Level, RequestAction, RequestForm, RequestId, RequestState,
};
use hatchery_core::services::{Dues, RequestClass};
use hatchery_core::workflow::{AccountId, Placement, Scope};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::Page;

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRequest {
    pub id: RequestId,
    pub enterprise: EnterpriseId,
    /// Where the enterprise sat when the request was filed.
    pub placement: Placement,
    pub form: RequestForm,
    pub state: RequestState,
    /// The level that handles it now.
    pub level: Level,
    /// The department it was last dispatched to.
    pub department: Option<String>,
    /// Marked a problem many enterprises share (共性).
    pub shared: bool,
    /// The last answer.
    pub answer: Option<String>,
    /// The written reason of the last closure.
    pub close_reason: Option<String>,
    /// The clock set (id and version) that timed it.
    pub clock_set: String,
    pub clock_version: String,
    /// The deadlines set at filing: what the response and on-time figures judge.
    pub filed_dues: Dues,
    /// The deadlines in force now.
    pub dues: Dues,
    /// The first acceptance, answer and closure.
    pub accepted_at: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// The closing deadline in force at the first closure (what closing
    /// on time is judged against; a reopening sets new deadlines).
    pub closed_due: Option<Timestamp>,
    /// Since when it has waited for the enterprise, while it does.
    pub suspended_since: Option<Timestamp>,
    /// How many times the enterprise reopened it.
    pub reopened: u32,
    /// The enterprise's confirmation: solved, satisfaction (1–5).
    pub confirmation: Option<(bool, u8)>,
    /// The catalogue item the request is about, if it names one.
    pub catalogue_item: Option<hatchery_core::services::catalogue::ItemId>,
    pub created_by: AccountId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A request to file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewServiceRequest {
    pub enterprise: EnterpriseId,
    pub placement: Placement,
    pub form: RequestForm,
    pub clock_set: String,
    pub clock_version: String,
    pub dues: Dues,
}

/// Which requests to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFilter {
    pub scope: Scope,
    /// Only those in one of these states (empty: any state).
    pub states: Vec<RequestState>,
    pub level: Option<Level>,
    pub class: Option<RequestClass>,
    pub enterprise: Option<EnterpriseId>,
    /// Only those overdue at this instant
    /// ([`RequestState::is_overdue`](hatchery_core::services::RequestState::is_overdue)).
    pub overdue_at: Option<Timestamp>,
    /// Only those filed in `[from, to)`.
    pub filed: Option<(Timestamp, Timestamp)>,
    pub page: Page,
}

/// One step in a request's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestStep {
    pub seq: i64,
    pub action: RequestAction,
    pub from: RequestState,
    pub to: RequestState,
    /// The level that handles it after the step.
    pub level: Level,
    /// `None` for the system (an automatic escalation).
    pub actor: Option<AccountId>,
    pub actor_name: String,
    pub at: Timestamp,
    /// The reason, answer, note or comment, as written.
    pub text: Option<String>,
    pub department: Option<String>,
}
