//! Stewards (服务管家) and their contact log (走访记录) as stored: the
//! assignments, the contacts, and what lists select them by.

use hatchery_core::EnterpriseId;
use hatchery_core::services::request::RequestId;
use hatchery_core::services::steward::{
    ContactChannel, ContactForm, ContactId, StewardForm, StewardId, StewardLevel, StewardRole,
    active_on,
};
use hatchery_core::workflow::{AccountId, Placement, Scope};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Page;

/// A steward's assignment to an enterprise, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StewardAssignment {
    pub id: StewardId,
    pub enterprise: EnterpriseId,
    /// Where the enterprise sat when the steward was assigned.
    pub placement: Placement,
    pub role: StewardRole,
    /// The level of the jurisdiction that assigned the steward.
    pub level: StewardLevel,
    pub department: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The steward's own official account, if any.
    pub account: Option<AccountId>,
    /// Who the steward is ([`person_key`](hatchery_core::services::steward::person_key)).
    pub person: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub created_by: AccountId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl StewardAssignment {
    /// Whether the assignment holds on `day`.
    pub fn is_active_on(&self, day: Date) -> bool {
        active_on(self.starts_on, self.ends_on, day)
    }
}

/// An assignment to make: the form as the domain checked it, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStewardAssignment {
    pub enterprise: EnterpriseId,
    pub placement: Placement,
    pub level: StewardLevel,
    pub form: StewardForm,
}

/// Which assignments to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StewardFilter {
    pub scope: Scope,
    pub enterprise: Option<EnterpriseId>,
    /// Only those that hold on this day.
    pub active_on: Option<Date>,
    /// Only those of this official account.
    pub account: Option<AccountId>,
    pub page: Page,
}

/// A contact as recorded (never changed afterwards).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRecord {
    pub id: ContactId,
    pub steward: StewardId,
    pub enterprise: EnterpriseId,
    pub placement: Placement,
    pub contacted_on: Date,
    pub channel: ContactChannel,
    pub topics: String,
    pub requests: Vec<RequestId>,
    pub follow_up: Option<String>,
    pub corrects: Option<ContactId>,
    /// A later record that corrects this one, if any.
    pub corrected_by: Option<ContactId>,
    /// Who recorded that correction, and when.
    pub corrected_name: Option<String>,
    pub corrected_at: Option<Timestamp>,
    pub recorded_by: AccountId,
    pub recorded_name: String,
    pub recorded_at: Timestamp,
}

/// Which contacts to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactFilter {
    pub scope: Scope,
    pub enterprise: Option<EnterpriseId>,
    pub steward: Option<StewardId>,
    /// Only those of assignments of this person.
    pub person: Option<String>,
    /// Only those dated within `[from, to]`.
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub page: Page,
}

/// What recording a contact needs beyond the form: none, the form names
/// its assignment, and the store takes the enterprise from it.
pub type NewContact = ContactForm;
