//! The ministry–province workflow (部省联动) as pure domain logic: who may do
//! what where, the declaration state machine, public-notice working days,
//! cultivation-pool re-evaluation, evidence checks, the audit hash chain and
//! its signed checkpoints.
//!
//! Nothing here touches a database or a clock: "now" and "today" are
//! arguments, so every decision can be replayed.

pub mod account;
pub mod audit;
pub mod calendar;
pub mod checkpoint;
pub mod clock;
pub mod declaration;
pub mod evidence;
pub mod ids;
pub mod jurisdiction;
pub mod permission;
pub mod pool;
pub mod registration;
pub mod zone;
pub mod zone_resolve;

pub use account::{AccountId, BindingError, Language, Role, Username, UsernameError};
pub use audit::{AuditBreak, AuditEntry, AuditProblem, AuditRecord, ChainVerifier, GENESIS_HASH};
pub use calendar::{CalendarConfig, CalendarError, WorkingCalendar};
pub use clock::{
    Clock, china_today, format_instant, next_china_midnight, parse_instant, truncate_instant,
};
pub use declaration::{
    ActionKind, Actor, Circumstances, Command, DeclarationForm, DeclarationId, DeclarationState,
    Facts, ObjectionChange, PublicObjector, PublicObjectorForm, QuotaUse, Transition,
    TransitionError, awaiting, decide_public_objection,
};
pub use evidence::{CheckedEvidence, EvidenceError, EvidenceType, check_evidence};
pub use ids::{CredentialId, EvidenceId, ObjectionId, PoolMemberId, ProposalId, RegistrationId};
pub use jurisdiction::{Jurisdiction, JurisdictionError, Placement, Scope};
pub use permission::Capability;
pub use pool::{ExitCause, Proposal, ProposalKind, reevaluate};
pub use registration::{CheckedRegistration, RegistrationForm, RegistrationState};
pub use zone::{
    RawZoneFile, Zone, ZoneId, ZoneIdError, ZoneKind, ZoneSeed, seed_zones, shipped_zone_list,
};
pub use zone_resolve::{ZoneEntry, ZoneMatch, ZoneResolver};
