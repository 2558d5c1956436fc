//! Policies for enterprises (惠企政策) as stored: the policy, its items, the
//! matches the criteria engine found, and each match's redemption steps.

use hatchery_core::EnterpriseId;
use hatchery_core::services::policy::{
    ItemForm, MatchState, PolicyForm, PolicyId, PolicyItemId, PolicyMatchId, PolicyState,
    RedemptionAction,
};
use hatchery_core::workflow::{AccountId, Jurisdiction, Placement, Scope};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Page;

/// A policy as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub id: PolicyId,
    /// The jurisdiction that publishes it.
    pub jurisdiction: Jurisdiction,
    pub form: PolicyForm,
    pub state: PolicyState,
    /// Why it was withdrawn, once it is.
    pub withdraw_reason: Option<String>,
    pub created_by: AccountId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A policy to record (a draft).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPolicy {
    pub jurisdiction: Jurisdiction,
    pub form: PolicyForm,
}

/// Which policies to list: those inside `within` (a scope of an official;
/// `None`: none below) and those published by one of `above`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFilter {
    pub within: Option<Scope>,
    pub above: Vec<Jurisdiction>,
    /// Only published ones (what an enterprise reads).
    pub published_only: bool,
    pub page: Page,
}

/// An item as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyItem {
    pub id: PolicyItemId,
    pub policy: PolicyId,
    pub form: ItemForm,
    /// The limit in force: the item's own, else its mode's default.
    pub payment_limit_days: Option<u32>,
    pub created_at: Timestamp,
}

/// An item to add to a draft policy (checked by the domain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPolicyItem {
    pub form: ItemForm,
    pub payment_limit_days: Option<u32>,
}

/// One enterprise matched to one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyMatch {
    pub id: PolicyMatchId,
    pub policy: PolicyId,
    pub item: PolicyItemId,
    pub enterprise: EnterpriseId,
    /// Where the enterprise sat on the day it was matched as of.
    pub placement: Placement,
    /// The day the engine found it eligible as of (the first such run).
    pub as_of: Date,
    /// The engine's explained decision (a `Decision` as JSON).
    pub decision: serde_json::Value,
    pub state: MatchState,
    /// The written reason of a rejection.
    pub reason: Option<String>,
    /// The enterprise's note with its application.
    pub note: Option<String>,
    pub pushed_on: Option<Date>,
    pub applied_on: Option<Date>,
    /// The day of the approval, rejection or grant.
    pub decided_on: Option<Date>,
    pub paid_on: Option<Date>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A match to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPolicyMatch {
    pub enterprise: EnterpriseId,
    pub placement: Placement,
    pub decision: serde_json::Value,
}

/// What recording a matching run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MatchesRecorded {
    /// New matches.
    pub created: u64,
    /// Enterprises already matched to the item: left as they were.
    pub already: u64,
}

/// Which matches to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchFilter {
    pub scope: Scope,
    /// Only this enterprise's matches (within `scope` still).
    pub enterprise: Option<EnterpriseId>,
    pub policy: Option<PolicyId>,
    pub item: Option<PolicyItemId>,
    /// Only those in one of these states (empty: any).
    pub states: Vec<MatchState>,
    pub page: Page,
}

/// One step in a match's redemption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchStep {
    pub seq: i64,
    pub action: RedemptionAction,
    pub from: MatchState,
    pub to: MatchState,
    pub actor: Option<AccountId>,
    pub actor_name: String,
    pub at: Timestamp,
    /// The reason or note, as written.
    pub text: Option<String>,
}

/// An account's first reading of a pushed match: what makes it no longer
/// new (新推送) to that account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchRead {
    pub r#match: PolicyMatchId,
    pub account: AccountId,
    pub read_at: Timestamp,
}
