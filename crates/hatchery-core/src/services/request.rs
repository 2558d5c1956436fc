//! Enterprises' requests (诉求) and their state machine:
//!
//! ```text
//! submitted ─accept─► accepted ─dispatch─► dispatched ─start─► in_progress ─answer─► answered ─close─► closed ─confirm─► confirmed
//!     │                   ▲  ▲                │   ▲               │   ▲                                 │
//!     │ escalate          │  └── dispatch ── returned ◄─ return ──┤   └──── resume ── suspended ◄─ suspend
//!     ▼                   │                      (wrong department)   reopened ◄──── reopen ────────────┘
//! escalated ──accept──────┘                                              └─ start ─► in_progress
//! ```
//!
//! A request is handled at one level: the city or zone office first
//! ([`Level::Local`]), the province, then the ministry. Escalation (提级)
//! moves it one level up, by an official or by the system when nobody
//! accepted it in time; the higher level accepts it again. The enterprise
//! withdraws it, resumes it when it was waiting for the enterprise, and at
//! the end confirms it (solved or not, with a satisfaction of 1–5) or
//! reopens it. Each step names its actor, time and written reason where
//! one is required; every closure carries one the enterprise can read.
//!
//! Deadlines ([`Dues`]) are set when a request is filed, stop while it
//! waits for the enterprise (a resumed request's open deadlines move on by
//! the time it waited) and start again when it is reopened.

use std::fmt;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::clocks::{ClockSet, Dues, RequestClass};
use crate::ids::EnterpriseId;
use crate::workflow::account::{AccountId, Role};
use crate::workflow::calendar::{CalendarError, WorkingCalendar};
use crate::workflow::jurisdiction::{Placement, Scope};
use crate::workflow::permission::Capability;

/// A request's number, as the store assigns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub i64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

macro_rules! keyed_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the order the API lists them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The key used in the API and the store.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $key),+
                }
            }

            /// Parses [`Self::as_str`]'s output.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

keyed_enum! {
    /// Where a request stands.
    RequestState {
        /// Filed; awaiting acceptance (签收) at its level.
        Submitted => "submitted",
        /// Accepted by the office that owns it.
        Accepted => "accepted",
        /// Sent to a department (or a lower level) to handle.
        Dispatched => "dispatched",
        /// Being handled.
        InProgress => "in_progress",
        /// Waiting for the enterprise (more information); its clocks stop.
        Suspended => "suspended",
        /// Sent back by the department it was dispatched to, with a reason.
        Returned => "returned",
        /// Moved one level up (提级); awaiting acceptance there.
        Escalated => "escalated",
        /// Answered; awaiting closure.
        Answered => "answered",
        /// Closed with a written reason; awaiting the enterprise's confirmation.
        Closed => "closed",
        /// The enterprise was not satisfied; awaiting handling again.
        Reopened => "reopened",
        /// Confirmed by the enterprise, solved or not.
        Confirmed => "confirmed",
        /// Withdrawn by the enterprise.
        Withdrawn => "withdrawn",
    }
}

impl RequestState {
    /// Whether the request can still change (a confirmed one can still be
    /// revisited, which changes no state).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Confirmed | Self::Withdrawn)
    }

    /// Whether the office still owes the enterprise something: its
    /// deadlines run (a suspended request's are stopped).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Self::Closed | Self::Confirmed | Self::Withdrawn | Self::Suspended
        )
    }
}

keyed_enum! {
    /// A deadline of a request ([`Dues`] holds one of each).
    Deadline {
        /// To accept it (签收), at the first level.
        Accept => "accept",
        /// To accept it at the level it was escalated to (and, past it, the
        /// system escalates again).
        Escalate => "escalate",
        /// To answer it.
        Answer => "answer",
        /// To close it.
        Close => "close",
    }
}

impl Deadline {
    /// When this deadline falls in `dues`.
    pub fn in_dues(self, dues: &Dues) -> Timestamp {
        match self {
            Self::Accept => dues.accept,
            Self::Escalate => dues.escalate,
            Self::Answer => dues.answer,
            Self::Close => dues.close,
        }
    }
}

impl RequestState {
    /// The deadline a request in this state runs against: acceptance,
    /// then the answer, then the closure. `None` while its clocks stand
    /// (suspended: waiting for the enterprise) or once closed.
    pub fn deadline(self) -> Option<Deadline> {
        match self {
            Self::Submitted => Some(Deadline::Accept),
            Self::Escalated => Some(Deadline::Escalate),
            Self::Accepted
            | Self::Dispatched
            | Self::Returned
            | Self::InProgress
            | Self::Reopened => Some(Deadline::Answer),
            Self::Answered => Some(Deadline::Close),
            Self::Suspended | Self::Closed | Self::Confirmed | Self::Withdrawn => None,
        }
    }

    /// Whether a request in this state with these deadlines is overdue at
    /// `now`: its clocks run, and the deadline of its stage, or its closing
    /// deadline, has passed.
    pub fn is_overdue(self, dues: &Dues, now: Timestamp) -> bool {
        self.is_open()
            && (self.deadline().is_some_and(|d| d.in_dues(dues) < now) || dues.close < now)
    }
}

keyed_enum! {
    /// The level that handles a request.
    Level {
        /// The city (or district) or national zone office of the enterprise.
        Local => "local",
        /// The province.
        Province => "province",
        /// The ministry.
        Nation => "nation",
    }
}

impl Level {
    /// The level above, if any.
    pub fn above(self) -> Option<Self> {
        match self {
            Self::Local => Some(Self::Province),
            Self::Province => Some(Self::Nation),
            Self::Nation => None,
        }
    }

    /// The level an official of `role` handles requests at.
    pub fn of(role: Role) -> Option<Self> {
        // Kept in step with `Capability::HandleRequests`.
        match role {
            Role::CityReviewer | Role::ZoneReviewer => Some(Self::Local),
            Role::ProvinceReviewer => Some(Self::Province),
            Role::MinistryReviewer => Some(Self::Nation),
            _ => None,
        }
    }
}

keyed_enum! {
    /// How a request reached the office.
    RequestChannel {
        /// The enterprise filed it on the platform.
        Platform => "platform",
        /// Its steward (服务专员) recorded it.
        Steward => "steward",
        /// Raised during a visit (走访).
        Visit => "visit",
        /// A telephone line of the office.
        Hotline => "hotline",
        /// The 12345 government service line.
        Line12345 => "12345",
    }
}

keyed_enum! {
    /// A step of a request, as recorded.
    RequestAction {
        File => "file",
        Accept => "accept",
        Dispatch => "dispatch",
        Start => "start",
        Return => "return",
        Suspend => "suspend",
        Resume => "resume",
        Escalate => "escalate",
        Answer => "answer",
        Close => "close",
        Reopen => "reopen",
        Confirm => "confirm",
        Withdraw => "withdraw",
        Revisit => "revisit",
    }
}

/// The longest reason, answer or note accepted.
pub const MAX_TEXT_CHARS: usize = 4000;
/// The longest title or department name accepted.
pub const MAX_NAME_CHARS: usize = 200;

/// What the enterprise (or its steward) files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestForm {
    pub class: RequestClass,
    pub channel: RequestChannel,
    /// A line saying what is asked (up to 200 characters).
    pub title: String,
    /// The request in full (up to 4000 characters).
    pub body: String,
}

/// A problem with one field of something filed or asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FieldProblem {
    pub field: &'static str,
    pub problem: String,
}

fn check_text(
    field: &'static str,
    value: &str,
    limit: usize,
    required: bool,
) -> Result<(), FieldProblem> {
    let problem = |problem: String| FieldProblem { field, problem };
    if required && value.trim().is_empty() {
        return Err(problem("required".into()));
    }
    let count = value.chars().count();
    if count > limit {
        return Err(problem(format!(
            "at most {limit} characters, found {count}"
        )));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(problem("control characters are not allowed".into()));
    }
    Ok(())
}

impl RequestForm {
    /// Every problem that keeps the form from being filed, each naming its field.
    pub fn problems(&self) -> Vec<FieldProblem> {
        [
            check_text("title", &self.title, MAX_NAME_CHARS, true),
            check_text("body", &self.body, MAX_TEXT_CHARS, true),
        ]
        .into_iter()
        .filter_map(Result::err)
        .collect()
    }
}

/// A step someone asks to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestCommand {
    /// The office at the request's level accepts it (签收).
    Accept,
    /// Sent to a department to handle.
    Dispatch {
        department: String,
        note: Option<String>,
    },
    /// The department starts (or starts again, after a reopening).
    Start,
    /// The department sends it back: not its business.
    Return { reason: String },
    /// Waiting for the enterprise: what it must supply.
    Suspend { reason: String },
    /// The enterprise supplied it (or the office resumes).
    Resume { note: Option<String> },
    /// One level up; `shared` marks a problem many enterprises share (共性).
    Escalate { reason: String, shared: bool },
    /// The answer the enterprise reads.
    Answer { answer: String },
    /// Closed, with the written reason the enterprise reads.
    Close { reason: String },
    /// The enterprise is not satisfied with the closure.
    Reopen { reason: String },
    /// The enterprise confirms the closure.
    Confirm {
        solved: bool,
        satisfaction: u8,
        comment: Option<String>,
    },
    /// The enterprise no longer needs it.
    Withdraw { reason: Option<String> },
    /// The office calls back after closure (回访).
    Revisit { note: String },
}

impl RequestCommand {
    /// The kind of step.
    pub fn action(&self) -> RequestAction {
        match self {
            Self::Accept => RequestAction::Accept,
            Self::Dispatch { .. } => RequestAction::Dispatch,
            Self::Start => RequestAction::Start,
            Self::Return { .. } => RequestAction::Return,
            Self::Suspend { .. } => RequestAction::Suspend,
            Self::Resume { .. } => RequestAction::Resume,
            Self::Escalate { .. } => RequestAction::Escalate,
            Self::Answer { .. } => RequestAction::Answer,
            Self::Close { .. } => RequestAction::Close,
            Self::Reopen { .. } => RequestAction::Reopen,
            Self::Confirm { .. } => RequestAction::Confirm,
            Self::Withdraw { .. } => RequestAction::Withdraw,
            Self::Revisit { .. } => RequestAction::Revisit,
        }
    }

    /// The written text the step carries, and the field it is sent in.
    fn text(&self) -> Option<(&'static str, &str, bool)> {
        match self {
            Self::Accept | Self::Start => None,
            Self::Dispatch { note, .. } | Self::Resume { note } => {
                note.as_deref().map(|n| ("note", n, false))
            }
            Self::Return { reason }
            | Self::Suspend { reason }
            | Self::Escalate { reason, .. }
            | Self::Close { reason }
            | Self::Reopen { reason } => Some(("reason", reason, true)),
            Self::Withdraw { reason } => reason.as_deref().map(|r| ("reason", r, false)),
            Self::Answer { answer } => Some(("answer", answer, true)),
            Self::Confirm { comment, .. } => comment.as_deref().map(|c| ("comment", c, false)),
            Self::Revisit { note } => Some(("note", note, true)),
        }
    }
}

/// Who asks. (The system's own steps are [`due_escalation`]'s.)
#[derive(Debug, Clone, Copy)]
pub struct RequestActor<'a> {
    pub account: AccountId,
    pub role: Role,
    pub scope: &'a Scope,
}

/// What is known about a request when a step is asked for.
#[derive(Debug, Clone)]
pub struct RequestFacts<'a> {
    pub state: RequestState,
    pub level: Level,
    pub class: RequestClass,
    pub enterprise: &'a EnterpriseId,
    pub placement: &'a Placement,
    pub dues: Dues,
    /// When it was suspended, while it is.
    pub suspended_since: Option<Timestamp>,
}

/// The clocks and calendar in force, and the moment.
#[derive(Debug, Clone, Copy)]
pub struct RequestCircumstances<'a> {
    pub now: Timestamp,
    pub clocks: &'a ClockSet,
    pub calendar: &'a WorkingCalendar,
}

/// A step that may be taken: what the store must write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestTransition {
    pub action: RequestAction,
    pub from: RequestState,
    pub to: RequestState,
    /// The level that handles it after the step.
    pub level: Level,
    /// The reason, answer or note, trimmed.
    pub text: Option<String>,
    /// The department it was dispatched to.
    pub department: Option<String>,
    /// Set by an escalation that marks a shared problem.
    pub shared: bool,
    /// The enterprise's confirmation: solved, satisfaction.
    pub confirmation: Option<(bool, u8)>,
    /// The deadlines after the step, when it changes them.
    pub dues: Option<Dues>,
}

/// Why a step cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("a {role} account cannot {action} requests")]
    NotPermitted { role: Role, action: RequestAction },
    #[error("the request is outside the account's jurisdiction")]
    OutOfScope,
    #[error("the request is handled at the {level} level: a {role} account cannot {action} it")]
    OtherLevel {
        level: Level,
        role: Role,
        action: RequestAction,
    },
    #[error("cannot {action} a request that is {state}")]
    InvalidState {
        action: RequestAction,
        state: RequestState,
    },
    #[error("the request is at the ministry already: there is no level above")]
    TopLevel,
    #[error(transparent)]
    Field(#[from] FieldProblem),
    #[error("satisfaction: a whole number from 1 to 5, found {0}")]
    Satisfaction(u8),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// Who may take a step: the enterprise itself, or the office at the
/// request's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Party {
    Enterprise,
    Office,
    /// The enterprise, or the office on its behalf.
    Either,
}

/// Which party may take `action`, and in which states.
fn rule(action: RequestAction) -> (Party, &'static [RequestState]) {
    use RequestAction as A;
    use RequestState as S;
    match action {
        A::File => (Party::Either, &[]),
        A::Accept => (Party::Office, &[S::Submitted, S::Escalated]),
        A::Dispatch => (Party::Office, &[S::Accepted, S::Returned]),
        A::Start => (Party::Office, &[S::Dispatched, S::Reopened]),
        A::Return => (Party::Office, &[S::Dispatched, S::InProgress]),
        A::Suspend => (Party::Office, &[S::InProgress]),
        A::Resume => (Party::Either, &[S::Suspended]),
        A::Escalate => (
            Party::Office,
            &[
                S::Submitted,
                S::Accepted,
                S::Dispatched,
                S::InProgress,
                S::Returned,
                S::Reopened,
            ],
        ),
        A::Answer => (Party::Office, &[S::InProgress]),
        A::Close => (Party::Office, &[S::Answered]),
        A::Reopen | A::Confirm => (Party::Enterprise, &[S::Closed]),
        A::Withdraw => (
            Party::Enterprise,
            &[
                S::Submitted,
                S::Accepted,
                S::Dispatched,
                S::InProgress,
                S::Suspended,
                S::Returned,
                S::Escalated,
                S::Reopened,
            ],
        ),
        A::Revisit => (Party::Office, &[S::Closed, S::Confirmed]),
    }
}

/// The states in which a request waits for an account of `role`: the
/// office's queue, or the enterprise's.
pub fn awaiting(role: Role) -> Vec<RequestState> {
    let enterprise = role == Role::Enterprise;
    let office = Level::of(role).is_some();
    RequestState::ALL
        .iter()
        .copied()
        .filter(|&state| {
            RequestAction::ALL.iter().any(|&action| {
                let (party, states) = rule(action);
                // Withdrawing and revisiting move nothing on.
                !matches!(action, RequestAction::Withdraw | RequestAction::Revisit)
                    && states.contains(&state)
                    && match party {
                        Party::Enterprise => enterprise,
                        Party::Office => office,
                        Party::Either => enterprise || office,
                    }
            })
        })
        .filter(|&state| !(office && state == RequestState::Suspended))
        .collect()
}

/// Whether an account of `role` in `scope` may file a request for the
/// enterprise placed at `placement`: the enterprise itself, or its city or
/// zone office on its behalf (its steward).
pub fn may_file(
    role: Role,
    scope: &Scope,
    enterprise: &EnterpriseId,
    placement: &Placement,
) -> Result<(), RequestError> {
    if !Capability::FileRequests.granted_to(role) {
        return Err(RequestError::NotPermitted {
            role,
            action: RequestAction::File,
        });
    }
    if !scope.covers(enterprise, placement) {
        return Err(RequestError::OutOfScope);
    }
    Ok(())
}

fn clean(command: &RequestCommand) -> Result<Option<String>, RequestError> {
    let Some((field, text, required)) = command.text() else {
        return Ok(None);
    };
    check_text(field, text, MAX_TEXT_CHARS, required)?;
    Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty()))
}

/// Decides whether `actor` may take `command` on the request now, and what
/// it changes. Pure: the store applies the result, comparing versions.
pub fn decide_request(
    facts: &RequestFacts<'_>,
    actor: RequestActor<'_>,
    command: &RequestCommand,
    now: RequestCircumstances<'_>,
) -> Result<RequestTransition, RequestError> {
    let action = command.action();
    let (party, states) = rule(action);
    let RequestActor { role, scope, .. } = actor;
    {
        let office = Level::of(role);
        let permitted = match party {
            Party::Enterprise => role == Role::Enterprise,
            Party::Office => office.is_some(),
            Party::Either => role == Role::Enterprise || office.is_some(),
        };
        // A missing permission before a wrong state: an account learns
        // nothing about a step it could never take.
        if !permitted {
            return Err(RequestError::NotPermitted { role, action });
        }
        if !scope.covers(facts.enterprise, facts.placement) {
            return Err(RequestError::OutOfScope);
        }
        // Revisits are the closing office's, whichever level it was; every
        // other step of an office is the current level's alone.
        if let Some(level) = office
            && role != Role::Enterprise
            && action != RequestAction::Revisit
            && level != facts.level
        {
            return Err(RequestError::OtherLevel {
                level: facts.level,
                role,
                action,
            });
        }
    }
    if !states.contains(&facts.state) {
        return Err(RequestError::InvalidState {
            action,
            state: facts.state,
        });
    }
    let text = clean(command)?;
    let mut transition = RequestTransition {
        action,
        from: facts.state,
        to: facts.state,
        level: facts.level,
        text,
        department: None,
        shared: false,
        confirmation: None,
        dues: None,
    };
    use RequestState as S;
    transition.to = match command {
        RequestCommand::Accept => S::Accepted,
        RequestCommand::Dispatch { department, .. } => {
            check_text("department", department, MAX_NAME_CHARS, true)?;
            transition.department = Some(department.trim().to_owned());
            S::Dispatched
        }
        RequestCommand::Start => S::InProgress,
        RequestCommand::Return { .. } => S::Returned,
        RequestCommand::Suspend { .. } => S::Suspended,
        RequestCommand::Resume { .. } => {
            // The clocks stood still while the enterprise was asked.
            let since = facts.suspended_since.unwrap_or(now.now);
            let waited = now.now.duration_since(since).max(SignedDuration::ZERO);
            transition.dues = Some(facts.dues.shifted(waited));
            S::InProgress
        }
        RequestCommand::Escalate { shared, .. } => {
            transition.level = facts.level.above().ok_or(RequestError::TopLevel)?;
            transition.shared = *shared;
            transition.dues = Some(escalated_dues(facts, now)?);
            S::Escalated
        }
        RequestCommand::Answer { .. } => S::Answered,
        RequestCommand::Close { .. } => S::Closed,
        RequestCommand::Reopen { .. } => {
            // A new round: answered and closed within the class's limits again.
            let fresh = now.clocks.dues(facts.class, now.now, now.calendar)?;
            transition.dues = Some(Dues {
                accept: facts.dues.accept,
                escalate: facts.dues.escalate,
                ..fresh
            });
            S::Reopened
        }
        RequestCommand::Confirm {
            solved,
            satisfaction,
            ..
        } => {
            if !(1..=5).contains(satisfaction) {
                return Err(RequestError::Satisfaction(*satisfaction));
            }
            transition.confirmation = Some((*solved, *satisfaction));
            S::Confirmed
        }
        RequestCommand::Withdraw { .. } => S::Withdrawn,
        RequestCommand::Revisit { .. } => facts.state,
    };
    Ok(transition)
}

/// The higher level's own time to accept: its escalation deadline starts
/// again from the escalation.
fn escalated_dues(
    facts: &RequestFacts<'_>,
    now: RequestCircumstances<'_>,
) -> Result<Dues, RequestError> {
    Ok(Dues {
        escalate: now.clocks.escalation_due(now.now, now.calendar)?,
        ..facts.dues
    })
}

/// The escalation the system makes of a request nobody accepted by its
/// escalation deadline, or `None` when none is due (or it is at the
/// ministry already).
pub fn due_escalation(
    facts: &RequestFacts<'_>,
    now: RequestCircumstances<'_>,
) -> Result<Option<RequestTransition>, RequestError> {
    let waiting = matches!(
        facts.state,
        RequestState::Submitted | RequestState::Escalated
    );
    if !waiting || now.now <= facts.dues.escalate {
        return Ok(None);
    }
    let Some(level) = facts.level.above() else {
        return Ok(None);
    };
    Ok(Some(RequestTransition {
        action: RequestAction::Escalate,
        from: facts.state,
        to: RequestState::Escalated,
        level,
        text: Some(format!(
            "not accepted by {}",
            crate::workflow::clock::format_instant(facts.dues.escalate)
        )),
        department: None,
        shared: false,
        confirmation: None,
        dues: Some(escalated_dues(facts, now)?),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DivisionCode;
    use crate::services::ClockSet;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn shenzhen() -> Placement {
        Placement::of(Some(DivisionCode::parse("440305").unwrap()), None)
    }

    struct World {
        enterprise: EnterpriseId,
        placement: Placement,
        calendar: WorkingCalendar,
        clocks: &'static ClockSet,
    }

    fn world() -> World {
        World {
            enterprise: EnterpriseId::parse("alpha").unwrap(),
            placement: shenzhen(),
            calendar: WorkingCalendar::official().unwrap(),
            clocks: ClockSet::shipped().unwrap(),
        }
    }

    /// A request as the store would hold it.
    struct Held {
        state: RequestState,
        level: Level,
        dues: Dues,
        suspended_since: Option<Timestamp>,
    }

    impl World {
        fn filed(&self, now: Timestamp) -> Held {
            Held {
                state: RequestState::Submitted,
                level: Level::Local,
                dues: self
                    .clocks
                    .dues(RequestClass::General, now, &self.calendar)
                    .unwrap(),
                suspended_since: None,
            }
        }

        fn decide(
            &self,
            held: &Held,
            role: Role,
            scope: &Scope,
            command: RequestCommand,
            now: Timestamp,
        ) -> Result<RequestTransition, RequestError> {
            decide_request(
                &RequestFacts {
                    state: held.state,
                    level: held.level,
                    class: RequestClass::General,
                    enterprise: &self.enterprise,
                    placement: &self.placement,
                    dues: held.dues,
                    suspended_since: held.suspended_since,
                },
                RequestActor {
                    account: AccountId(1),
                    role,
                    scope,
                },
                &command,
                RequestCircumstances {
                    now,
                    clocks: self.clocks,
                    calendar: &self.calendar,
                },
            )
        }

        /// Takes the step and applies it as the store does.
        fn take(
            &self,
            held: &mut Held,
            role: Role,
            scope: &Scope,
            command: RequestCommand,
            now: Timestamp,
        ) -> RequestTransition {
            let step = self
                .decide(held, role, scope, command, now)
                .unwrap_or_else(|e| panic!("{e}"));
            held.state = step.to;
            held.level = step.level;
            if let Some(dues) = step.dues {
                held.dues = dues;
            }
            held.suspended_since = (step.to == RequestState::Suspended).then_some(now);
            step
        }
    }

    fn city() -> Scope {
        Scope::City(DivisionCode::parse("440300").unwrap())
    }

    fn province() -> Scope {
        Scope::Province(DivisionCode::parse("440000").unwrap())
    }

    fn own() -> Scope {
        Scope::Enterprise(EnterpriseId::parse("alpha").unwrap())
    }

    fn reason() -> String {
        "材料不全".to_owned()
    }

    #[test]
    fn a_request_lives_through_a_reopening_and_an_escalation() {
        use RequestCommand as C;
        use RequestState as S;
        let w = world();
        // Wednesday 5 March 2025, 10:00 in Beijing.
        let filed = at("2025-03-05T02:00:00Z");
        let mut held = w.filed(filed);
        let hour = |n: i64| filed + SignedDuration::from_hours(n);
        let (cr, pr, ent) = (Role::CityReviewer, Role::ProvinceReviewer, Role::Enterprise);
        w.take(&mut held, cr, &city(), C::Accept, hour(1));
        let dispatch = C::Dispatch {
            department: " 市工信局 ".into(),
            note: None,
        };
        let step = w.take(&mut held, cr, &city(), dispatch, hour(2));
        assert_eq!(step.department.as_deref(), Some("市工信局"));
        w.take(&mut held, cr, &city(), C::Start, hour(3));
        let answer = C::Answer {
            answer: "已协调".into(),
        };
        w.take(&mut held, cr, &city(), answer, hour(4));
        let close = C::Close { reason: reason() };
        let closed = w.take(&mut held, cr, &city(), close, hour(5));
        assert_eq!(closed.text.as_deref(), Some("材料不全"));
        assert_eq!(held.state, S::Closed);

        // Reopened by the enterprise: answered and closed within the
        // general limits again, counted from the reopening (Thursday 6
        // March, 10:00: 3 working days to the end of Tuesday 11th, 5 to the
        // end of Thursday 13th).
        let reopen = C::Reopen { reason: reason() };
        let reopened = w.take(&mut held, ent, &own(), reopen, hour(24));
        assert_eq!(reopened.to, S::Reopened);
        let dues = reopened.dues.unwrap();
        assert_eq!(dues.answer, at("2025-03-11T16:00:00Z"));
        assert_eq!(dues.close, at("2025-03-13T16:00:00Z"));
        assert_eq!(dues.accept, w.filed(filed).dues.accept, "accepted once");

        // Escalated to the province, which handles it from then on.
        w.take(&mut held, cr, &city(), C::Start, hour(25));
        let escalate = C::Escalate {
            reason: reason(),
            shared: true,
        };
        let escalated = w.take(&mut held, cr, &city(), escalate, hour(26));
        assert_eq!((escalated.level, escalated.shared), (Level::Province, true));
        assert_eq!(held.dues.escalate, hour(26 + 12), "the province's own 12 h");
        assert_eq!(
            w.decide(&held, cr, &city(), C::Accept, hour(27)),
            Err(RequestError::OtherLevel {
                level: Level::Province,
                role: cr,
                action: RequestAction::Accept
            })
        );
        for command in [
            C::Accept,
            C::Dispatch {
                department: "省工信厅".into(),
                note: None,
            },
            C::Start,
            C::Answer {
                answer: "已解决".into(),
            },
            C::Close { reason: reason() },
        ] {
            w.take(&mut held, pr, &province(), command, hour(28));
        }
        let confirm = C::Confirm {
            solved: false,
            satisfaction: 2,
            comment: Some("仍有问题".into()),
        };
        let confirmed = w.take(&mut held, ent, &own(), confirm, hour(30));
        assert_eq!(confirmed.confirmation, Some((false, 2)));
        assert_eq!(held.state, S::Confirmed);
        assert!(held.state.is_final());
        // The province revisits what it closed; nothing moves.
        let revisit = C::Revisit {
            note: "电话回访".into(),
        };
        let revisited = w.take(&mut held, pr, &province(), revisit, hour(31));
        assert_eq!((revisited.from, revisited.to), (S::Confirmed, S::Confirmed));
    }

    #[test]
    fn who_may_take_a_step_is_decided_before_its_state() {
        use RequestCommand as C;
        let w = world();
        let now = at("2025-03-05T02:00:00Z");
        let held = w.filed(now);
        // An enterprise never accepts; an investor never acts.
        assert!(matches!(
            w.decide(&held, Role::Enterprise, &own(), C::Accept, now),
            Err(RequestError::NotPermitted { .. })
        ));
        assert!(matches!(
            w.decide(
                &held,
                Role::Investor,
                &city(),
                C::Withdraw { reason: None },
                now
            ),
            Err(RequestError::NotPermitted { .. })
        ));
        // Beijing's office does not see a Shenzhen request.
        let beijing = Scope::City(DivisionCode::parse("110100").unwrap());
        assert_eq!(
            w.decide(&held, Role::CityReviewer, &beijing, C::Accept, now),
            Err(RequestError::OutOfScope)
        );
        // Nor does another enterprise.
        let other = Scope::Enterprise(EnterpriseId::parse("gamma").unwrap());
        assert_eq!(
            w.decide(
                &held,
                Role::Enterprise,
                &other,
                C::Withdraw { reason: None },
                now
            ),
            Err(RequestError::OutOfScope)
        );
        // The province does not act on a request still at the city.
        assert!(matches!(
            w.decide(&held, Role::ProvinceReviewer, &province(), C::Accept, now),
            Err(RequestError::OtherLevel { .. })
        ));
        // Right account, wrong state.
        assert_eq!(
            w.decide(&held, Role::CityReviewer, &city(), C::Start, now),
            Err(RequestError::InvalidState {
                action: RequestAction::Start,
                state: RequestState::Submitted
            })
        );
    }

    #[test]
    fn required_text_and_a_satisfaction_in_range_are_checked_naming_the_field() {
        use RequestCommand as C;
        let w = world();
        let now = at("2025-03-05T02:00:00Z");
        let mut held = w.filed(now);
        let escalate = C::Escalate {
            reason: "  ".into(),
            shared: false,
        };
        let error = w
            .decide(&held, Role::CityReviewer, &city(), escalate, now)
            .unwrap_err();
        assert!(
            matches!(&error, RequestError::Field(p) if p.field == "reason"),
            "{error}"
        );
        let nowhere = C::Dispatch {
            department: String::new(),
            note: None,
        };
        held.state = RequestState::Accepted;
        let error = w
            .decide(&held, Role::CityReviewer, &city(), nowhere, now)
            .unwrap_err();
        assert!(matches!(&error, RequestError::Field(p) if p.field == "department"));
        held.state = RequestState::Closed;
        let confirm = C::Confirm {
            solved: true,
            satisfaction: 6,
            comment: None,
        };
        assert_eq!(
            w.decide(&held, Role::Enterprise, &own(), confirm, now),
            Err(RequestError::Satisfaction(6))
        );
        let form = RequestForm {
            class: RequestClass::Urgent,
            channel: RequestChannel::Platform,
            title: "x".repeat(MAX_NAME_CHARS + 1),
            body: String::new(),
        };
        let fields: Vec<&str> = form.problems().iter().map(|p| p.field).collect();
        assert_eq!(fields, ["title", "body"]);
    }

    #[test]
    fn the_clocks_stop_while_the_enterprise_is_asked() {
        use RequestCommand as C;
        let w = world();
        let filed = at("2025-03-05T02:00:00Z");
        let hour = |n: i64| filed + SignedDuration::from_hours(n);
        let mut held = w.filed(filed);
        let before = held.dues;
        held.state = RequestState::InProgress;
        w.take(
            &mut held,
            Role::CityReviewer,
            &city(),
            C::Suspend { reason: reason() },
            hour(1),
        );
        assert!(!held.state.is_overdue(&held.dues, hour(500)), "stopped");
        let resumed = w.take(
            &mut held,
            Role::Enterprise,
            &own(),
            C::Resume { note: None },
            hour(49),
        );
        assert_eq!(
            resumed.dues,
            Some(before.shifted(SignedDuration::from_hours(48)))
        );
    }

    #[test]
    fn nobody_accepting_in_twelve_hours_escalates_up_to_the_ministry() {
        let w = world();
        let filed = at("2025-03-05T02:00:00Z");
        let hour = |n: i64| filed + SignedDuration::from_hours(n);
        let held = w.filed(filed);
        let check = |level: Level, state: RequestState, dues: Dues, now: Timestamp| {
            due_escalation(
                &RequestFacts {
                    state,
                    level,
                    class: RequestClass::General,
                    enterprise: &w.enterprise,
                    placement: &w.placement,
                    dues,
                    suspended_since: None,
                },
                RequestCircumstances {
                    now,
                    clocks: w.clocks,
                    calendar: &w.calendar,
                },
            )
            .unwrap()
        };
        let submitted = RequestState::Submitted;
        assert_eq!(check(Level::Local, submitted, held.dues, hour(12)), None);
        let up = check(Level::Local, submitted, held.dues, hour(13)).unwrap();
        assert_eq!(
            (up.to, up.level),
            (RequestState::Escalated, Level::Province)
        );
        let dues = up.dues.unwrap();
        assert_eq!(dues.escalate, hour(25));
        let escalated = RequestState::Escalated;
        assert_eq!(check(Level::Province, escalated, dues, hour(24)), None);
        let top = check(Level::Province, escalated, dues, hour(26)).unwrap();
        assert_eq!(top.level, Level::Nation);
        // The ministry has no level above; an accepted request never escalates.
        assert_eq!(check(Level::Nation, escalated, dues, hour(100)), None);
        assert_eq!(
            check(Level::Local, RequestState::Accepted, held.dues, hour(100)),
            None
        );
    }

    #[test]
    fn a_deadline_passes_per_stage_and_queues_follow_the_table() {
        use RequestState as S;
        let w = world();
        let filed = at("2025-03-05T02:00:00Z");
        let dues = w.filed(filed).dues;
        let after = |d: Timestamp| d + SignedDuration::from_secs(1);
        assert!(S::Submitted.is_overdue(&dues, after(dues.accept)));
        assert!(!S::InProgress.is_overdue(&dues, after(dues.accept)));
        assert!(S::InProgress.is_overdue(&dues, after(dues.answer)));
        assert!(!S::Answered.is_overdue(&dues, after(dues.answer)));
        assert!(S::Answered.is_overdue(&dues, after(dues.close)));
        assert!(!S::Closed.is_overdue(&dues, after(dues.close)));
        assert_eq!(awaiting(Role::Enterprise), [S::Suspended, S::Closed]);
        assert_eq!(
            awaiting(Role::CityReviewer),
            [
                S::Submitted,
                S::Accepted,
                S::Dispatched,
                S::InProgress,
                S::Returned,
                S::Escalated,
                S::Answered,
                S::Reopened,
            ]
        );
        assert!(awaiting(Role::Analyst).is_empty());
    }
}
