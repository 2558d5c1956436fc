//! Declarations (申报) and their state machine:
//!
//! ```text
//! draft ─submit─► submitted ─approve─► locally_approved ─recommend─► recommended
//!   ▲                 │  ▲                    │                          │
//!   │            return  └──── submit ──── returned ◄── return ──────────┤
//!   │                 ▼                                                  │ accept
//! withdrawn       rejected ◄── reject (at any review stage) ── public_notice ─confirm─► confirmed
//! ```
//!
//! Each step names its actor, time and reason. Who may take it is decided by
//! the actor's role and scope; whether it can be taken now by the state, the
//! public-notice window, open objections and the province's quota.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::account::{AccountId, Role};
use super::calendar::{CalendarError, WorkingCalendar};
use super::ids::ObjectionId;
use super::jurisdiction::{Placement, Scope};
use super::permission::Capability;
use crate::date::anniversary;
use crate::ids::EnterpriseId;

/// A declaration's number, as the store assigns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeclarationId(pub i64);

impl fmt::Display for DeclarationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a declaration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeclarationState {
    /// Being filled in by the enterprise (or a zone on its behalf).
    Draft,
    /// Awaiting the city's or zone's review.
    Submitted,
    /// Sent back for revision, with reasons; the declarant edits and resubmits.
    Returned,
    /// Approved by the city or zone; awaiting the province.
    LocallyApproved,
    /// Recommended by the province; awaiting the ministry.
    Recommended,
    /// Passed the ministry's review; under public notice (公示).
    PublicNotice,
    /// Confirmed into the national cultivation pool.
    Confirmed,
    /// Rejected at some stage.
    Rejected,
    /// Withdrawn by the declarant before a decision.
    Withdrawn,
}

impl DeclarationState {
    /// Every state.
    pub const ALL: [Self; 9] = [
        Self::Draft,
        Self::Submitted,
        Self::Returned,
        Self::LocallyApproved,
        Self::Recommended,
        Self::PublicNotice,
        Self::Confirmed,
        Self::Rejected,
        Self::Withdrawn,
    ];

    /// The key used in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::LocallyApproved => "locally_approved",
            Self::Recommended => "recommended",
            Self::PublicNotice => "public_notice",
            Self::Confirmed => "confirmed",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Parses [`DeclarationState::as_str`]'s output.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the declaration can still change.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Confirmed | Self::Rejected | Self::Withdrawn)
    }

    /// Whether the declarant may edit the form and its evidence.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }

    /// Whether this declaration counts against the province's quota.
    pub fn counts_against_quota(self) -> bool {
        matches!(
            self,
            Self::Recommended | Self::PublicNotice | Self::Confirmed
        )
    }
}

impl fmt::Display for DeclarationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the declarant fills in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationForm {
    /// The enterprise's case: business, technology, growth (up to 4000 characters).
    #[serde(default)]
    pub summary: String,
    /// Who answers questions about the declaration (up to 100 characters).
    #[serde(default)]
    pub contact_name: String,
    /// Their telephone number (up to 32 characters).
    #[serde(default)]
    pub contact_phone: String,
}

/// A problem with a form's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FormProblem {
    pub field: &'static str,
    pub problem: String,
}

impl DeclarationForm {
    const LIMITS: [(&'static str, usize); 3] = [
        ("summary", 4000),
        ("contact_name", 100),
        ("contact_phone", 32),
    ];

    fn fields(&self) -> [&str; 3] {
        [&self.summary, &self.contact_name, &self.contact_phone]
    }

    /// Problems that make the form unsavable: over-long fields, control characters.
    pub fn problems(&self) -> Vec<FormProblem> {
        let mut problems = Vec::new();
        for ((field, limit), value) in Self::LIMITS.into_iter().zip(self.fields()) {
            let count = value.chars().count();
            if count > limit {
                problems.push(FormProblem {
                    field,
                    problem: format!("at most {limit} characters, found {count}"),
                });
            }
            if value
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
            {
                problems.push(FormProblem {
                    field,
                    problem: "control characters are not allowed".into(),
                });
            }
        }
        problems
    }

    /// What is still missing before the form can be submitted.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.summary.trim().is_empty() {
            missing.push("summary");
        }
        if self.contact_name.trim().is_empty() {
            missing.push("contact_name");
        }
        missing
    }
}

/// A step someone asks to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// The declarant submits (or resubmits after a return).
    Submit,
    /// The declarant withdraws before a decision.
    Withdraw { reason: Option<String> },
    /// The city or zone approves.
    Approve { reason: Option<String> },
    /// Sent back to the declarant for revision, at the actor's stage.
    Return { reason: String },
    /// Rejected at the actor's stage.
    Reject { reason: String },
    /// The province recommends to the ministry.
    Recommend { reason: Option<String> },
    /// The ministry's review passes: the public notice opens.
    Accept { reason: Option<String> },
    /// After the notice, with no open objection: into the pool.
    Confirm { reason: Option<String> },
    /// An objection during the public notice.
    Object { reason: String },
    /// The ministry settles an objection: upheld rejects the declaration.
    ResolveObjection {
        objection: ObjectionId,
        upheld: bool,
        reason: String,
    },
}

/// The kind of a step, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActionKind {
    Create,
    Edit,
    Submit,
    Withdraw,
    Approve,
    Return,
    Reject,
    Recommend,
    Accept,
    Confirm,
    Object,
    ResolveObjection,
}

impl ActionKind {
    /// Every kind.
    pub const ALL: [Self; 12] = [
        Self::Create,
        Self::Edit,
        Self::Submit,
        Self::Withdraw,
        Self::Approve,
        Self::Return,
        Self::Reject,
        Self::Recommend,
        Self::Accept,
        Self::Confirm,
        Self::Object,
        Self::ResolveObjection,
    ];

    /// The key used in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Edit => "edit",
            Self::Submit => "submit",
            Self::Withdraw => "withdraw",
            Self::Approve => "approve",
            Self::Return => "return",
            Self::Reject => "reject",
            Self::Recommend => "recommend",
            Self::Accept => "accept",
            Self::Confirm => "confirm",
            Self::Object => "object",
            Self::ResolveObjection => "resolve_objection",
        }
    }

    /// Parses [`ActionKind::as_str`]'s output.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Command {
    /// The kind of step.
    pub fn kind(&self) -> ActionKind {
        match self {
            Self::Submit => ActionKind::Submit,
            Self::Withdraw { .. } => ActionKind::Withdraw,
            Self::Approve { .. } => ActionKind::Approve,
            Self::Return { .. } => ActionKind::Return,
            Self::Reject { .. } => ActionKind::Reject,
            Self::Recommend { .. } => ActionKind::Recommend,
            Self::Accept { .. } => ActionKind::Accept,
            Self::Confirm { .. } => ActionKind::Confirm,
            Self::Object { .. } => ActionKind::Object,
            Self::ResolveObjection { .. } => ActionKind::ResolveObjection,
        }
    }

    fn reason(&self) -> Option<&str> {
        match self {
            Self::Submit => None,
            Self::Withdraw { reason }
            | Self::Approve { reason }
            | Self::Recommend { reason }
            | Self::Accept { reason }
            | Self::Confirm { reason } => reason.as_deref(),
            Self::Return { reason }
            | Self::Reject { reason }
            | Self::Object { reason }
            | Self::ResolveObjection { reason, .. } => Some(reason),
        }
    }

    fn needs_reason(&self) -> bool {
        matches!(
            self,
            Self::Return { .. }
                | Self::Reject { .. }
                | Self::Object { .. }
                | Self::ResolveObjection { .. }
        )
    }
}

/// The longest reason accepted.
pub const MAX_REASON_CHARS: usize = 2000;

/// What is known about a declaration when a step is asked for.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub state: DeclarationState,
    pub enterprise: &'a EnterpriseId,
    pub placement: &'a Placement,
    /// The account that last submitted it.
    pub submitted_by: Option<AccountId>,
    /// Whether the form has everything submission needs.
    pub form_missing: Vec<&'static str>,
    /// The public notice's first and last day, once opened.
    pub notice: Option<(Date, Date)>,
    /// Objections lodged and not yet resolved.
    pub open_objections: &'a [ObjectionId],
}

/// Who asks.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub account: AccountId,
    pub role: Role,
    pub scope: &'a Scope,
}

/// A province's quota for a cycle and tier, and how much of it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaUse {
    pub limit: u32,
    pub used: u32,
}

/// The circumstances of the step: the day, the notice rules, the quota.
#[derive(Debug, Clone, Copy)]
pub struct Circumstances<'a> {
    /// Today, in China.
    pub today: Date,
    /// Working days a public notice lasts.
    pub notice_days: u32,
    pub calendar: &'a WorkingCalendar,
    /// Years a pool membership is valid before re-review.
    pub validity_years: i16,
    /// The province's quota for this cycle and tier, when it has one.
    pub quota: Option<QuotaUse>,
}

/// What changes to an objection a step makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ObjectionChange {
    Lodge { text: String },
    Resolve { id: ObjectionId, upheld: bool },
}

/// A step that may be taken: what the store must write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub action: ActionKind,
    pub from: DeclarationState,
    pub to: DeclarationState,
    pub reason: Option<String>,
    /// The public notice window this step opens.
    pub notice: Option<(Date, Date)>,
    pub objection: Option<ObjectionChange>,
    /// The pool membership's validity this step starts (on confirmation).
    pub membership: Option<(Date, Date)>,
}

/// Why a step cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a {role} account cannot {action} declarations")]
    NotPermitted { role: Role, action: ActionKind },
    #[error("the declaration is outside the account's jurisdiction")]
    OutOfScope,
    #[error("the account that submitted a declaration cannot review it")]
    OwnSubmission,
    #[error("an enterprise cannot object to its own declaration")]
    OwnDeclaration,
    #[error("cannot {action} a declaration that is {state}")]
    InvalidState {
        action: ActionKind,
        state: DeclarationState,
    },
    #[error("{action} needs a reason")]
    ReasonRequired { action: ActionKind },
    #[error("the reason is longer than {MAX_REASON_CHARS} characters")]
    ReasonTooLong,
    #[error("the declaration is incomplete: {} missing", .0.join(", "))]
    Incomplete(Vec<&'static str>),
    #[error("the public notice runs until {last}: it cannot be confirmed before {after}")]
    NoticeRunning { last: Date, after: Date },
    #[error("objections are accepted from {first} to {last} only")]
    NoticeClosed { first: Date, last: Date },
    #[error("{0} objection(s) must be resolved first")]
    OpenObjections(usize),
    #[error("objection {0} is not open on this declaration")]
    NoSuchObjection(ObjectionId),
    #[error("the province's quota of {limit} recommendations is used up")]
    QuotaExhausted { limit: u32 },
    /// The notice's working days could not be counted.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

fn clean_reason(command: &Command) -> Result<Option<String>, TransitionError> {
    let reason = command
        .reason()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    if reason.is_none() && command.needs_reason() {
        return Err(TransitionError::ReasonRequired {
            action: command.kind(),
        });
    }
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
    {
        return Err(TransitionError::ReasonTooLong);
    }
    Ok(reason)
}

/// The capability the step needs in this state, or `None` when no one may
/// take it in this state.
fn stage_capability(action: ActionKind, state: DeclarationState) -> Option<Capability> {
    use ActionKind as A;
    use DeclarationState as S;
    Some(match (action, state) {
        (A::Submit, S::Draft | S::Returned) => Capability::Declare,
        (A::Withdraw, S::Draft | S::Submitted | S::Returned) => Capability::Declare,
        (A::Approve | A::Return | A::Reject, S::Submitted) => Capability::ReviewLocally,
        (A::Recommend | A::Return | A::Reject, S::LocallyApproved) => Capability::Recommend,
        (A::Accept | A::Return | A::Reject, S::Recommended) => Capability::ReviewNationally,
        (A::Confirm | A::Reject | A::ResolveObjection, S::PublicNotice) => {
            Capability::ReviewNationally
        }
        (A::Object, S::PublicNotice) => Capability::LodgeObjection,
        _ => return None,
    })
}

/// The states in which a declaration waits for an account of `role` to
/// move it on: the declarant's drafts and returned declarations, each
/// reviewer's own stage. Withdrawing and objecting move nothing on, so they
/// make no one's queue. Derived from the same table [`decide`] uses.
pub fn awaiting(role: Role) -> Vec<DeclarationState> {
    DeclarationState::ALL
        .into_iter()
        .filter(|&state| {
            ActionKind::ALL.into_iter().any(|action| {
                !matches!(action, ActionKind::Withdraw | ActionKind::Object)
                    && stage_capability(action, state).is_some_and(|c| c.granted_to(role))
            })
        })
        .collect()
}

/// Decides whether `actor` may take `command` on the declaration now, and
/// what it changes. Pure: the store applies the result, comparing versions.
pub fn decide(
    facts: &Facts<'_>,
    actor: Actor<'_>,
    command: &Command,
    now: Circumstances<'_>,
) -> Result<Transition, TransitionError> {
    let action = command.kind();
    let capability = stage_capability(action, facts.state);
    // Report a missing permission before a wrong state, so that an account
    // learns nothing about a step it could never take.
    let general = match action {
        ActionKind::Submit | ActionKind::Withdraw => Capability::Declare,
        ActionKind::Approve => Capability::ReviewLocally,
        ActionKind::Recommend => Capability::Recommend,
        ActionKind::Accept | ActionKind::Confirm | ActionKind::ResolveObjection => {
            Capability::ReviewNationally
        }
        ActionKind::Object => Capability::LodgeObjection,
        ActionKind::Return | ActionKind::Reject => capability.unwrap_or(Capability::ReviewLocally),
        ActionKind::Create | ActionKind::Edit => Capability::Declare,
    };
    let any_reviewer = matches!(action, ActionKind::Return | ActionKind::Reject)
        && [
            Capability::ReviewLocally,
            Capability::Recommend,
            Capability::ReviewNationally,
        ]
        .iter()
        .any(|c| c.granted_to(actor.role));
    if !general.granted_to(actor.role) && !any_reviewer {
        return Err(TransitionError::NotPermitted {
            role: actor.role,
            action,
        });
    }
    let Some(capability) = capability else {
        return Err(TransitionError::InvalidState {
            action,
            state: facts.state,
        });
    };
    if !capability.granted_to(actor.role) {
        // A reviewer of another stage: the declaration is not at their stage.
        return Err(TransitionError::InvalidState {
            action,
            state: facts.state,
        });
    }
    // Objections come from the public: the notice is public, scope does not apply.
    if action != ActionKind::Object && !actor.scope.covers(facts.enterprise, facts.placement) {
        return Err(TransitionError::OutOfScope);
    }
    let reason = clean_reason(command)?;
    let mut transition = Transition {
        action,
        from: facts.state,
        to: facts.state,
        reason,
        notice: None,
        objection: None,
        membership: None,
    };
    match command {
        Command::Submit => {
            if !facts.form_missing.is_empty() {
                return Err(TransitionError::Incomplete(facts.form_missing.clone()));
            }
            transition.to = DeclarationState::Submitted;
        }
        Command::Withdraw { .. } => transition.to = DeclarationState::Withdrawn,
        Command::Approve { .. } => {
            if facts.submitted_by == Some(actor.account) {
                return Err(TransitionError::OwnSubmission);
            }
            transition.to = DeclarationState::LocallyApproved;
        }
        Command::Return { .. } => {
            if facts.submitted_by == Some(actor.account) {
                return Err(TransitionError::OwnSubmission);
            }
            transition.to = DeclarationState::Returned;
        }
        Command::Reject { .. } => {
            if facts.submitted_by == Some(actor.account) {
                return Err(TransitionError::OwnSubmission);
            }
            transition.to = DeclarationState::Rejected;
        }
        Command::Recommend { .. } => {
            if let Some(quota) = now.quota
                && quota.used >= quota.limit
            {
                return Err(TransitionError::QuotaExhausted { limit: quota.limit });
            }
            transition.to = DeclarationState::Recommended;
        }
        Command::Accept { .. } => {
            transition.to = DeclarationState::PublicNotice;
            transition.notice = Some(now.calendar.notice_window(now.today, now.notice_days)?);
        }
        Command::Confirm { .. } => {
            let (_, last) = facts.notice.ok_or(TransitionError::InvalidState {
                action,
                state: facts.state,
            })?;
            if now.today <= last {
                return Err(TransitionError::NoticeRunning {
                    last,
                    after: last.tomorrow().unwrap_or(last),
                });
            }
            if !facts.open_objections.is_empty() {
                return Err(TransitionError::OpenObjections(facts.open_objections.len()));
            }
            transition.to = DeclarationState::Confirmed;
            transition.membership = Some((now.today, anniversary(now.today, now.validity_years)));
        }
        Command::Object { reason } => {
            if actor.scope == &Scope::Enterprise(facts.enterprise.clone()) {
                return Err(TransitionError::OwnDeclaration);
            }
            transition.objection = Some(lodge(facts, reason, now)?);
        }
        Command::ResolveObjection {
            objection, upheld, ..
        } => {
            if !facts.open_objections.contains(objection) {
                return Err(TransitionError::NoSuchObjection(*objection));
            }
            transition.objection = Some(ObjectionChange::Resolve {
                id: *objection,
                upheld: *upheld,
            });
            if *upheld {
                transition.to = DeclarationState::Rejected;
            }
        }
    }
    Ok(transition)
}

/// An objection lodged while the notice runs.
fn lodge(
    facts: &Facts<'_>,
    reason: &str,
    now: Circumstances<'_>,
) -> Result<ObjectionChange, TransitionError> {
    let (first, last) = facts.notice.ok_or(TransitionError::InvalidState {
        action: ActionKind::Object,
        state: facts.state,
    })?;
    if now.today < first || now.today > last {
        return Err(TransitionError::NoticeClosed { first, last });
    }
    Ok(ObjectionChange::Lodge {
        text: reason.trim().to_owned(),
    })
}

/// Decides whether a member of the public, without an account, may lodge
/// an objection now: the same rules as an account's objection (under notice,
/// inside its period, grounds given) but no role or scope to check — the
/// notice is public. Who objects is checked by [`PublicObjectorForm::check`].
pub fn decide_public_objection(
    facts: &Facts<'_>,
    grounds: &str,
    now: Circumstances<'_>,
) -> Result<Transition, TransitionError> {
    let command = Command::Object {
        reason: grounds.to_owned(),
    };
    if facts.state != DeclarationState::PublicNotice {
        return Err(TransitionError::InvalidState {
            action: ActionKind::Object,
            state: facts.state,
        });
    }
    let reason = clean_reason(&command)?;
    Ok(Transition {
        action: ActionKind::Object,
        from: facts.state,
        to: facts.state,
        objection: Some(lodge(facts, grounds, now)?),
        reason,
        notice: None,
        membership: None,
    })
}

/// Who objects without an account, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicObjectorForm {
    /// The objector's name, or the organisation's (up to 100 characters).
    pub name: String,
    /// A telephone number or an e-mail address to reach them at.
    pub contact: String,
    /// The objector declares that what they say is true (must be `true`).
    pub truthful: bool,
}

/// A member of the public who objected: shown to the officials who resolve
/// the objection, never to the enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicObjector {
    pub name: String,
    pub contact: String,
}

impl PublicObjectorForm {
    /// Every problem with who objects, each with its field, or the objector.
    pub fn check(&self) -> Result<PublicObjector, Vec<FormProblem>> {
        use super::registration::{email_ok, phone_ok, problem, text};
        let mut problems = Vec::new();
        let name = text("name", &self.name, 100, &mut problems);
        let contact = self.contact.trim().to_owned();
        if contact.is_empty() {
            problems.push(problem("contact", "required"));
        } else if !phone_ok(&contact) && !email_ok(&contact) {
            problems.push(problem(
                "contact",
                "a telephone number (6 to 20 digits) or an e-mail address",
            ));
        }
        if !self.truthful {
            problems.push(problem(
                "truthful",
                "the objector must declare that what they say is true",
            ));
        }
        if problems.is_empty() {
            Ok(PublicObjector { name, contact })
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::division::DivisionCode;
    use jiff::civil::date;

    #[test]
    fn each_role_awaits_its_own_stage() {
        use DeclarationState as S;
        assert_eq!(awaiting(Role::Enterprise), [S::Draft, S::Returned]);
        assert_eq!(awaiting(Role::CityReviewer), [S::Submitted]);
        assert_eq!(
            awaiting(Role::ZoneReviewer),
            [S::Draft, S::Submitted, S::Returned]
        );
        assert_eq!(awaiting(Role::ProvinceReviewer), [S::LocallyApproved]);
        assert_eq!(
            awaiting(Role::MinistryReviewer),
            [S::Recommended, S::PublicNotice]
        );
        assert!(awaiting(Role::Investor).is_empty());
        assert!(awaiting(Role::Analyst).is_empty());
    }

    struct World {
        enterprise: EnterpriseId,
        placement: Placement,
        calendar: WorkingCalendar,
        enterprise_scope: Scope,
        city_scope: Scope,
        province_scope: Scope,
        other_city: Scope,
    }

    fn world() -> World {
        let code = |t| DivisionCode::parse(t).unwrap();
        let enterprise = EnterpriseId::parse("e1").unwrap();
        World {
            placement: Placement::of(Some(code("440305")), None),
            calendar: WorkingCalendar::official().unwrap(),
            enterprise_scope: Scope::Enterprise(enterprise.clone()),
            city_scope: Scope::City(code("440300")),
            province_scope: Scope::Province(code("440000")),
            other_city: Scope::City(code("440100")),
            enterprise,
        }
    }

    fn facts<'a>(w: &'a World, state: DeclarationState, open: &'a [ObjectionId]) -> Facts<'a> {
        Facts {
            state,
            enterprise: &w.enterprise,
            placement: &w.placement,
            submitted_by: Some(AccountId(1)),
            form_missing: vec![],
            notice: Some((date(2025, 3, 10), date(2025, 3, 14))),
            open_objections: open,
        }
    }

    fn on(w: &World, day: Date) -> Circumstances<'_> {
        Circumstances {
            today: day,
            notice_days: 5,
            calendar: &w.calendar,
            validity_years: 3,
            quota: None,
        }
    }

    fn actor(role: Role, scope: &Scope) -> Actor<'_> {
        Actor {
            account: AccountId(match role {
                Role::Enterprise => 1,
                _ => 2,
            }),
            role,
            scope,
        }
    }

    #[test]
    fn the_happy_path_runs_from_draft_to_the_pool() {
        let w = world();
        let day = date(2025, 3, 5);
        let enterprise = actor(Role::Enterprise, &w.enterprise_scope);
        let city = actor(Role::CityReviewer, &w.city_scope);
        let province = actor(Role::ProvinceReviewer, &w.province_scope);
        let ministry = actor(Role::MinistryReviewer, &Scope::All);
        let step = |state, who, command: Command, today| {
            decide(&facts(&w, state, &[]), who, &command, on(&w, today)).map(|t| t.to)
        };
        use DeclarationState as S;
        assert_eq!(
            step(S::Draft, enterprise, Command::Submit, day),
            Ok(S::Submitted)
        );
        assert_eq!(
            step(
                S::Submitted,
                city,
                Command::Return {
                    reason: "补充材料".into()
                },
                day
            ),
            Ok(S::Returned)
        );
        assert_eq!(
            step(S::Returned, enterprise, Command::Submit, day),
            Ok(S::Submitted)
        );
        assert_eq!(
            step(S::Submitted, city, Command::Approve { reason: None }, day),
            Ok(S::LocallyApproved)
        );
        assert_eq!(
            step(
                S::LocallyApproved,
                province,
                Command::Recommend { reason: None },
                day
            ),
            Ok(S::Recommended)
        );
        let accepted = decide(
            &facts(&w, S::Recommended, &[]),
            ministry,
            &Command::Accept { reason: None },
            on(&w, day),
        )
        .unwrap();
        assert_eq!(accepted.to, S::PublicNotice);
        assert_eq!(accepted.notice, Some((date(2025, 3, 6), date(2025, 3, 12))));
        let confirmed = decide(
            &facts(&w, S::PublicNotice, &[]),
            ministry,
            &Command::Confirm { reason: None },
            on(&w, date(2025, 3, 15)),
        )
        .unwrap();
        assert_eq!(confirmed.to, S::Confirmed);
        assert_eq!(
            confirmed.membership,
            Some((date(2025, 3, 15), date(2028, 3, 15)))
        );
    }

    #[test]
    fn each_stage_belongs_to_its_level() {
        let w = world();
        let day = date(2025, 3, 5);
        let province = actor(Role::ProvinceReviewer, &w.province_scope);
        let city = actor(Role::CityReviewer, &w.city_scope);
        let investor = actor(Role::Investor, &Scope::All);
        use DeclarationState as S;
        let err = |state, who, command: Command| {
            decide(&facts(&w, state, &[]), who, &command, on(&w, day)).unwrap_err()
        };
        assert!(matches!(
            err(S::Submitted, province, Command::Approve { reason: None }),
            TransitionError::NotPermitted { .. }
        ));
        assert!(matches!(
            err(
                S::LocallyApproved,
                city,
                Command::Reject { reason: "x".into() }
            ),
            TransitionError::InvalidState { .. }
        ));
        assert!(matches!(
            err(
                S::Submitted,
                investor,
                Command::Reject { reason: "x".into() }
            ),
            TransitionError::NotPermitted { .. }
        ));
        assert!(matches!(
            err(S::Confirmed, city, Command::Approve { reason: None }),
            TransitionError::InvalidState { .. }
        ));
        let stranger = actor(Role::CityReviewer, &w.other_city);
        assert_eq!(
            err(S::Submitted, stranger, Command::Approve { reason: None }),
            TransitionError::OutOfScope
        );
        assert_eq!(
            err(
                S::Submitted,
                city,
                Command::Return {
                    reason: "  ".into()
                }
            ),
            TransitionError::ReasonRequired {
                action: ActionKind::Return
            }
        );
    }

    #[test]
    fn no_one_reviews_what_they_submitted() {
        let w = world();
        let zone_scope = Scope::City(DivisionCode::parse("440300").unwrap());
        let zone = Actor {
            account: AccountId(1),
            role: Role::ZoneReviewer,
            scope: &zone_scope,
        };
        let result = decide(
            &facts(&w, DeclarationState::Submitted, &[]),
            zone,
            &Command::Approve { reason: None },
            on(&w, date(2025, 3, 5)),
        );
        assert_eq!(result, Err(TransitionError::OwnSubmission));
    }

    #[test]
    fn incomplete_forms_cannot_be_submitted() {
        let w = world();
        let mut f = facts(&w, DeclarationState::Draft, &[]);
        f.form_missing = vec!["summary"];
        let result = decide(
            &f,
            actor(Role::Enterprise, &w.enterprise_scope),
            &Command::Submit,
            on(&w, date(2025, 3, 5)),
        );
        assert_eq!(result, Err(TransitionError::Incomplete(vec!["summary"])));
    }

    #[test]
    fn quotas_limit_recommendations() {
        let w = world();
        let mut now = on(&w, date(2025, 3, 5));
        now.quota = Some(QuotaUse { limit: 2, used: 2 });
        let result = decide(
            &facts(&w, DeclarationState::LocallyApproved, &[]),
            actor(Role::ProvinceReviewer, &w.province_scope),
            &Command::Recommend { reason: None },
            now,
        );
        assert_eq!(result, Err(TransitionError::QuotaExhausted { limit: 2 }));
        now.quota = Some(QuotaUse { limit: 2, used: 1 });
        assert!(
            decide(
                &facts(&w, DeclarationState::LocallyApproved, &[]),
                actor(Role::ProvinceReviewer, &w.province_scope),
                &Command::Recommend { reason: None },
                now,
            )
            .is_ok()
        );
    }

    #[test]
    fn the_public_notice_gates_objections_and_confirmation() {
        let w = world();
        let ministry = actor(Role::MinistryReviewer, &Scope::All);
        let investor = actor(Role::Investor, &w.other_city);
        let notice = DeclarationState::PublicNotice;
        // Objections during the window, from anyone but the enterprise itself.
        let lodged = decide(
            &facts(&w, notice, &[]),
            investor,
            &Command::Object {
                reason: "估值数据存疑".into(),
            },
            on(&w, date(2025, 3, 12)),
        )
        .unwrap();
        assert_eq!(lodged.to, notice);
        assert!(matches!(
            lodged.objection,
            Some(ObjectionChange::Lodge { .. })
        ));
        assert!(matches!(
            decide(
                &facts(&w, notice, &[]),
                investor,
                &Command::Object { reason: "x".into() },
                on(&w, date(2025, 3, 15)),
            ),
            Err(TransitionError::NoticeClosed { .. })
        ));
        assert_eq!(
            decide(
                &facts(&w, notice, &[]),
                actor(Role::Enterprise, &w.enterprise_scope),
                &Command::Object { reason: "x".into() },
                on(&w, date(2025, 3, 12)),
            ),
            Err(TransitionError::OwnDeclaration)
        );
        // No confirmation while the notice runs or an objection is open.
        assert!(matches!(
            decide(
                &facts(&w, notice, &[]),
                ministry,
                &Command::Confirm { reason: None },
                on(&w, date(2025, 3, 14)),
            ),
            Err(TransitionError::NoticeRunning { .. })
        ));
        assert_eq!(
            decide(
                &facts(&w, notice, &[ObjectionId(7)]),
                ministry,
                &Command::Confirm { reason: None },
                on(&w, date(2025, 3, 17)),
            ),
            Err(TransitionError::OpenObjections(1))
        );
        // Resolving: dismissed keeps the notice, upheld rejects.
        let resolve = |upheld| {
            decide(
                &facts(&w, notice, &[ObjectionId(7)]),
                ministry,
                &Command::ResolveObjection {
                    objection: ObjectionId(7),
                    upheld,
                    reason: "核实".into(),
                },
                on(&w, date(2025, 3, 17)),
            )
            .unwrap()
            .to
        };
        assert_eq!(resolve(false), notice);
        assert_eq!(resolve(true), DeclarationState::Rejected);
        assert_eq!(
            decide(
                &facts(&w, notice, &[ObjectionId(7)]),
                ministry,
                &Command::ResolveObjection {
                    objection: ObjectionId(8),
                    upheld: false,
                    reason: "x".into(),
                },
                on(&w, date(2025, 3, 17)),
            ),
            Err(TransitionError::NoSuchObjection(ObjectionId(8)))
        );
    }

    #[test]
    fn keys_round_trip() {
        for state in DeclarationState::ALL {
            assert_eq!(DeclarationState::parse(state.as_str()), Some(state));
        }
        for kind in ActionKind::ALL {
            assert_eq!(ActionKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn forms_are_bounded() {
        let form = DeclarationForm {
            summary: "x".repeat(4001),
            contact_name: "a\u{0}b".into(),
            contact_phone: String::new(),
        };
        let problems = form.problems();
        assert_eq!(problems.len(), 2);
        assert_eq!(
            DeclarationForm::default().missing(),
            vec!["summary", "contact_name"]
        );
    }

    #[test]
    fn the_public_objects_without_an_account_on_the_same_rules() {
        let w = world();
        let notice = DeclarationState::PublicNotice;
        let lodged = decide_public_objection(
            &facts(&w, notice, &[]),
            " 估值数据存疑 ",
            on(&w, date(2025, 3, 12)),
        )
        .unwrap();
        assert_eq!((lodged.from, lodged.to), (notice, notice));
        assert_eq!(
            lodged.objection,
            Some(ObjectionChange::Lodge {
                text: "估值数据存疑".into()
            })
        );
        assert!(matches!(
            decide_public_objection(&facts(&w, notice, &[]), "x", on(&w, date(2025, 3, 15))),
            Err(TransitionError::NoticeClosed { .. })
        ));
        assert!(matches!(
            decide_public_objection(&facts(&w, notice, &[]), "  ", on(&w, date(2025, 3, 12))),
            Err(TransitionError::ReasonRequired { .. })
        ));
        assert!(matches!(
            decide_public_objection(
                &facts(&w, DeclarationState::Recommended, &[]),
                "x",
                on(&w, date(2025, 3, 12))
            ),
            Err(TransitionError::InvalidState { .. })
        ));
    }

    #[test]
    fn a_public_objector_names_themselves_and_a_way_to_reach_them() {
        let objector = PublicObjectorForm {
            name: " 李四 ".into(),
            contact: "lisi@example.cn".into(),
            truthful: true,
        }
        .check()
        .unwrap();
        assert_eq!(objector.name, "李四");
        let by_phone = PublicObjectorForm {
            name: "李四".into(),
            contact: "+86 138 0000 0000".into(),
            truthful: true,
        };
        assert!(by_phone.check().is_ok());
        let problems = PublicObjectorForm {
            name: String::new(),
            contact: "not reachable".into(),
            truthful: false,
        }
        .check()
        .unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["name", "contact", "truthful"]);
    }
}
