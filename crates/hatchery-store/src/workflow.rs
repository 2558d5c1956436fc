//! The storage of the ministry–province workflow: accounts and their
//! credentials, zones, declarations and their steps, the cultivation pool,
//! quotas, idempotency keys, login throttling and the audit chain.
//!
//! A separate trait from [`crate::Store`] so the ledger can be used without
//! the workflow, but meant to live in the same database. Nothing here is
//! specific to one engine:
//!
//! - every change to a versioned row is a compare-and-set on its `version`
//!   (`UPDATE … WHERE id = ? AND version = ?`): of two writers that read the
//!   same version exactly one succeeds, the other gets
//!   [`WorkflowError::VersionConflict`];
//! - every write appends its audit entry in the same transaction, and appends
//!   are serialised so the hash chain stays linear;
//! - sessions, tokens, idempotency keys and throttling counters live in the
//!   database, so several stateless servers can share one.

use async_trait::async_trait;
use hatchery_core::date::PartialDate;
use hatchery_core::services::request::{RequestId, RequestTransition};
use hatchery_core::workflow::audit::{AuditEntry, AuditRecord};
use hatchery_core::workflow::declaration::{ActionKind, Transition};
use hatchery_core::workflow::{
    AccountId, CredentialId, DeclarationForm, DeclarationId, DeclarationState, EvidenceId,
    EvidenceType, ExitCause, Jurisdiction, Language, ObjectionId, Placement, PoolMemberId,
    ProposalId, ProposalKind, PublicObjector, RegistrationId, RegistrationState, Role, Scope,
    Username, Zone, ZoneId,
};
use hatchery_core::{DivisionCode, EnterpriseId, Uscc};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub mod catalogue;
pub mod engine;
mod ops;
pub mod policies;
pub mod requests;
mod sqlx_session;
pub mod stewards;

pub use policies::{
    MatchFilter, MatchRead, MatchStep, MatchesRecorded, NewPolicy, NewPolicyItem, NewPolicyMatch,
    Policy, PolicyFilter, PolicyItem, PolicyMatch,
};
pub use requests::{NewServiceRequest, RequestFilter, RequestStep, ServiceRequest};
pub use stewards::{
    ContactFilter, ContactRecord, NewContact, NewStewardAssignment, StewardAssignment,
    StewardFilter,
};

/// Why a workflow store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// The row changed since the caller read it; nothing was written.
    #[error("the record changed: expected version {expected}, it is at {actual}")]
    VersionConflict { expected: i64, actual: i64 },
    /// A uniqueness rule would be broken (a second active declaration for a
    /// cycle, a username taken, …); nothing was written.
    #[error("{0}")]
    Duplicate(String),
    /// The province's recommendation quota is used up.
    #[error("the quota of {limit} recommendations is used up")]
    QuotaExhausted { limit: u32 },
    /// A limit on stored data was reached (e.g. evidence files per declaration).
    #[error("{0}")]
    LimitReached(String),
    /// What is stored refuses the write (a steward for an enterprise outside
    /// the pool, a contact linking another enterprise's request, …): the
    /// field at fault and why; nothing was written.
    #[error("{field}: {problem}")]
    Refused {
        field: &'static str,
        problem: String,
    },
    /// Stored data is not what this version expects.
    #[error("stored workflow data is corrupt: {0}")]
    Corrupt(String),
    /// The database itself failed.
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Who acts, and when: the part of an audit entry the caller knows. The store
/// adds what was done, to what, and the before/after images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting {
    pub at: Timestamp,
    /// `None` for the system itself (command line, seeding).
    pub actor: Option<AccountId>,
    /// The actor's username, or a `system:…` label.
    pub actor_name: String,
}

/// A window of a longer list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: u64,
    pub limit: u64,
}

/// One window of a list, with the size of the whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
}

// ---------------------------------------------------------------- accounts

/// An account, without its password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub jurisdiction: Jurisdiction,
    /// The enterprise an enterprise account belongs to.
    pub enterprise: Option<EnterpriseId>,
    pub disabled: bool,
    /// Whether the password was set by someone else (an administrator) and
    /// must be changed by the account's owner before anything else is done.
    /// Set when an account is created or its password reset by another
    /// account; cleared when the owner changes it.
    #[serde(default)]
    pub must_change_password: bool,
    /// The language the account reads pages in; `None`: not chosen.
    #[serde(default)]
    pub language: Option<Language>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl Account {
    /// What this account's reads and writes are filtered by.
    pub fn scope(&self) -> Scope {
        self.role
            .scope(&self.jurisdiction, self.enterprise.as_ref())
    }
}

/// An account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub jurisdiction: Jurisdiction,
    pub enterprise: Option<EnterpriseId>,
    /// Where the account sits, for filtering account lists by scope.
    pub placement: Placement,
    /// An Argon2id PHC string.
    pub password_hash: String,
    /// Whether its owner must change the password before doing anything
    /// else: yes when someone else chose it (an official through the API,
    /// an operator with `hatchery admin create-user`); no for the password a
    /// registrant chose, and for test fixtures' and the demo's.
    pub must_change_password: bool,
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountChange {
    pub display_name: Option<String>,
    pub disabled: Option<bool>,
    /// A new Argon2id PHC string.
    pub password_hash: Option<String>,
    /// A language chosen (`Some(None)` forgets the choice).
    pub language: Option<Option<Language>>,
}

/// What kind of credential a bearer of a secret holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// A browser session (cookie), with a CSRF token for writes.
    Session,
    /// An API token for programs (`Authorization: Bearer`).
    ApiToken,
}

/// A credential to store. Only hashes of its secrets are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    pub kind: CredentialKind,
    pub account: AccountId,
    /// SHA-256 of the secret, hex.
    pub secret_hash: String,
    /// SHA-256 of the session's CSRF token, hex.
    pub csrf_hash: Option<String>,
    /// A label for an API token.
    pub name: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A stored credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credential {
    pub id: CredentialId,
    pub kind: CredentialKind,
    pub account: AccountId,
    #[serde(skip)]
    pub csrf_hash: Option<String>,
    pub name: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

impl Credential {
    /// Whether it can still be used at `now`.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

// ------------------------------------------------------------ sign-in attempts

/// What the store holds under one throttling key when a sign-in attempt
/// arrives: the attempts counted within the window, and the latest one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AttemptTally {
    pub attempts: u32,
    pub latest: Option<Timestamp>,
}

/// A sign-in (or password-change) attempt to count before its password is
/// checked. The keys are keyed hashes, never raw user text.
#[derive(Debug, Clone, Copy)]
pub struct LoginAttempt<'a> {
    /// A random id of this attempt, for forgetting it when it succeeds.
    pub ticket: &'a str,
    /// The throttling keys the attempt counts under.
    pub keys: &'a [String],
    /// The start of the counting window; attempts before it are purged.
    pub since: Timestamp,
    /// When the attempt is made.
    pub at: Timestamp,
}

/// The throttling rule: given the tally of each key (in the order of
/// [`LoginAttempt::keys`]), whether the attempt may go ahead.
pub type AdmitAttempt<'a> = dyn Fn(&[AttemptTally]) -> bool + Send + Sync + 'a;

// ------------------------------------------------------------ idempotency

/// A response kept for replaying to a retried request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// What claiming an idempotency key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is new and now held by this request: go ahead, then complete it.
    Claimed,
    /// A request with this key finished: send its response again.
    Replay(StoredResponse),
    /// A request with this key is still running.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

// ---------------------------------------------------------------- zones

/// A zone as stored, with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredZone {
    #[serde(flatten)]
    pub zone: Zone,
    pub version: i64,
}

// ------------------------------------------------------------ rule sets

/// A rule set added by an administrator, beside the built-in ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredRuleSet {
    pub key: String,
    pub version: String,
    /// Its TOML text, as submitted.
    pub source: String,
    pub added_by: Option<AccountId>,
    pub added_at: Timestamp,
}

// ---------------------------------------------------------- registrations

/// What [`WorkflowError::Duplicate`] says when a credit code already has a
/// pending or active registration.
pub const REGISTERED_USCC: &str = "that credit code is already registered";
/// What [`WorkflowError::Duplicate`] says when a registration's username is
/// an account's or another pending registration's.
pub const TAKEN_USERNAME: &str = "that username is taken";

/// An enterprise's registration as stored, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub id: RegistrationId,
    pub uscc: Uscc,
    pub name: String,
    pub region: DivisionCode,
    pub founded: PartialDate,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: Option<String>,
    /// The username the account will have.
    pub username: Username,
    /// Where it sits: the region's divisions and the zone it chose, if any.
    pub placement: Placement,
    pub state: RegistrationState,
    /// The official's written reason of a rejection.
    pub reason: Option<String>,
    /// The ledger record the account was bound to, once active.
    pub enterprise: Option<EnterpriseId>,
    /// The account created on activation.
    pub account: Option<AccountId>,
    /// The official who activated or rejected it.
    pub decided_by: Option<AccountId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A registration to file, pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRegistration {
    pub uscc: Uscc,
    pub name: String,
    pub region: DivisionCode,
    pub founded: PartialDate,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: Option<String>,
    pub username: Username,
    /// An Argon2id PHC string.
    pub password_hash: String,
    pub placement: Placement,
}

/// Which registrations to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationFilter {
    /// Only those placed within this scope.
    pub scope: Scope,
    /// Only those in this state.
    pub state: Option<RegistrationState>,
    pub page: Page,
}

/// An activation: the ledger record the account is bound to and where the
/// account sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activation {
    pub enterprise: EnterpriseId,
    /// The account's jurisdiction (the enterprise's division).
    pub jurisdiction: Jurisdiction,
    /// The account's placement (the enterprise's, as the ledger has it).
    pub placement: Placement,
}

// --------------------------------------------------------- declarations

/// A declaration as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    pub id: DeclarationId,
    pub enterprise: EnterpriseId,
    /// The cultivation cycle (year).
    pub cycle: i16,
    /// The tier declared for, a key of the rule set.
    pub tier: String,
    pub rule_set: String,
    pub rule_set_version: String,
    pub state: DeclarationState,
    pub form: DeclarationForm,
    /// Where the enterprise sat when the declaration was created.
    pub placement: Placement,
    /// The engine's explained decision attached at the last submission (JSON).
    pub precheck: Option<serde_json::Value>,
    /// First and last day of the public notice, once opened.
    pub notice: Option<(Date, Date)>,
    pub created_by: AccountId,
    pub submitted_by: Option<AccountId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A declaration to create, as a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeclaration {
    pub enterprise: EnterpriseId,
    pub cycle: i16,
    pub tier: String,
    pub rule_set: String,
    pub rule_set_version: String,
    pub form: DeclarationForm,
    pub placement: Placement,
}

/// Which declarations to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationFilter {
    pub scope: Scope,
    pub cycle: Option<i16>,
    pub state: Option<DeclarationState>,
    pub tier: Option<String>,
    pub enterprise: Option<EnterpriseId>,
    pub page: Page,
}

/// One step in a declaration's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub seq: i64,
    pub action: ActionKind,
    pub from: DeclarationState,
    pub to: DeclarationState,
    /// `None` for a member of the public (an objection without an account).
    pub actor: Option<AccountId>,
    pub actor_name: String,
    pub at: Timestamp,
    pub reason: Option<String>,
}

/// An objection lodged during a public notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Objection {
    pub id: ObjectionId,
    pub declaration: DeclarationId,
    /// The account that lodged it; `None` for a member of the public.
    pub lodged_by: Option<AccountId>,
    /// A member of the public who lodged it without an account.
    pub objector: Option<PublicObjector>,
    /// The file the objector attached (its content is fetched separately).
    pub attachment: Option<AttachmentRecord>,
    pub lodged_at: Timestamp,
    pub text: String,
    pub resolved_by: Option<AccountId>,
    pub resolved_at: Option<Timestamp>,
    pub upheld: Option<bool>,
    pub resolution: Option<String>,
}

/// A step to apply: the domain's decision and what goes with it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRequest {
    pub transition: Transition,
    /// The engine's explained decision, attached on submission.
    pub precheck: Option<serde_json::Value>,
    /// On a recommendation: the quota to re-check inside the transaction.
    pub quota_limit: Option<u32>,
    /// On an objection from the public: who objects and what they attach.
    pub public_objection: Option<PublicObjection>,
}

/// An objection lodged without an account: who, and an attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicObjection {
    pub objector: PublicObjector,
    pub attachment: Option<NewAttachment>,
}

/// A file attached to an objection, to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub name: String,
    pub kind: EvidenceType,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    pub content: Vec<u8>,
}

/// A file attached to an objection, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentRecord {
    pub name: String,
    pub kind: EvidenceType,
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// An evidence file's record (its content is fetched separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub id: EvidenceId,
    pub declaration: DeclarationId,
    pub name: String,
    pub kind: EvidenceType,
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    pub uploaded_by: AccountId,
    pub uploaded_at: Timestamp,
}

/// An evidence file to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    pub name: String,
    pub kind: EvidenceType,
    pub sha256: String,
    pub content: Vec<u8>,
}

/// A province's recommendation quota for a cycle and tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quota {
    pub province: hatchery_core::DivisionCode,
    pub cycle: i16,
    pub tier: String,
    pub limit: u32,
    /// Declarations recommended (or further) against it.
    pub used: u32,
}

// ----------------------------------------------------------------- pool

/// Whether a membership holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    /// Left the pool, with a cause.
    Exited,
    /// Replaced by a later confirmation for the same enterprise.
    Superseded,
}

impl MemberStatus {
    /// The key used in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Exited => "exited",
            Self::Superseded => "superseded",
        }
    }

    /// Parses [`MemberStatus::as_str`]'s output.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Active, Self::Exited, Self::Superseded]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A membership of the national cultivation pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolMember {
    pub id: PoolMemberId,
    pub enterprise: EnterpriseId,
    pub tier: String,
    pub rule_set: String,
    pub rule_set_version: String,
    pub cycle: i16,
    pub placement: Placement,
    /// The declaration it was confirmed from.
    pub declaration: Option<DeclarationId>,
    pub valid_from: Date,
    pub valid_until: Date,
    pub status: MemberStatus,
    pub exit_cause: Option<ExitCause>,
    pub exited_on: Option<Date>,
    pub version: i64,
}

/// Which members to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolFilter {
    pub scope: Scope,
    pub status: Option<MemberStatus>,
    pub tier: Option<String>,
    pub cycle: Option<i16>,
    pub province: Option<hatchery_core::DivisionCode>,
    pub page: Page,
}

/// Whether a proposal has been decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Pending,
    Accepted,
    Dismissed,
}

impl ProposalStatus {
    /// The key used in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Dismissed => "dismissed",
        }
    }

    /// Parses [`ProposalStatus::as_str`]'s output.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Accepted, Self::Dismissed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A re-evaluation's proposal for one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolProposal {
    pub id: ProposalId,
    pub member: PoolMemberId,
    pub enterprise: EnterpriseId,
    pub placement: Placement,
    pub kind: ProposalKind,
    /// The engine's explained decision behind it (JSON).
    pub decision: serde_json::Value,
    pub as_of: Date,
    pub status: ProposalStatus,
    pub created_at: Timestamp,
    pub decided_by: Option<AccountId>,
    pub decided_at: Option<Timestamp>,
    pub reason: Option<String>,
    pub version: i64,
}

/// A proposal to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProposal {
    pub member: PoolMemberId,
    pub kind: ProposalKind,
    pub decision: serde_json::Value,
}

/// What recording a re-evaluation's proposals did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProposalsRecorded {
    pub created: u64,
    /// Members that already had a pending proposal: left alone.
    pub already_pending: Vec<PoolMemberId>,
}

/// Which proposals to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalFilter {
    pub scope: Scope,
    pub status: Option<ProposalStatus>,
    pub page: Page,
}

/// What deciding a proposal does to its member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberEffect {
    /// Dismissed: the member stays as it is.
    None,
    /// Promoted or demoted to this tier.
    SetTier(String),
    /// Leaves the pool.
    Exit { cause: ExitCause, on: Date },
    /// Renewed at re-review until this day.
    Renew { valid_until: Date },
}

/// The decision on a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalDecision {
    pub status: ProposalStatus,
    pub reason: Option<String>,
    pub effect: MemberEffect,
}

// ---------------------------------------------------------------- audit

/// Which audit entries to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFilter {
    pub scope: Scope,
    /// Entries with `seq` greater than this.
    pub after: i64,
    pub limit: u64,
}

impl AuditFilter {
    /// Entries read per round trip while filtering by scope. The scope is
    /// judged by each entry's own jurisdiction
    /// ([`AuditRecord::visible_to`](hatchery_core::workflow::audit::AuditRecord::visible_to)),
    /// so it cannot be a condition of the query.
    pub const BATCH: i64 = 500;
}

/// Appends `record` to the audit chain through `session`, a transaction
/// that its owner commits: for a write made outside [`WorkflowStore`] (an
/// import) whose audit entry must commit with it, or not at all. Takes the
/// chain's lock like every other append, so call it last.
pub async fn append_audit_within<S: engine::Session>(
    session: &mut S,
    record: AuditRecord,
) -> Result<AuditEntry, WorkflowError> {
    ops::append_audit(session, record).await
}

/// The workflow's storage.
#[async_trait]
pub trait WorkflowStore: Send + Sync + std::fmt::Debug {
    // --- accounts

    /// Creates an account. A taken username is [`WorkflowError::Duplicate`].
    async fn create_account(
        &self,
        account: &NewAccount,
        acting: &Acting,
    ) -> Result<Account, WorkflowError>;

    /// One account.
    async fn account(&self, id: AccountId) -> Result<Option<Account>, WorkflowError>;

    /// One account by username, with its password hash.
    async fn account_for_login(
        &self,
        username: &Username,
    ) -> Result<Option<(Account, String)>, WorkflowError>;

    /// Accounts visible in `scope` (by their jurisdiction), by id.
    async fn accounts(&self, scope: &Scope, page: Page) -> Result<Paged<Account>, WorkflowError>;

    /// Whether any account exists (the first one is made from the command line).
    async fn has_accounts(&self) -> Result<bool, WorkflowError>;

    /// Changes an account at `expected_version`. Disabling it, or changing
    /// its password, also revokes its sessions and tokens.
    async fn update_account(
        &self,
        id: AccountId,
        expected_version: i64,
        change: &AccountChange,
        acting: &Acting,
    ) -> Result<Account, WorkflowError>;

    // --- credentials

    /// Stores a session or API token.
    async fn create_credential(
        &self,
        credential: &NewCredential,
    ) -> Result<Credential, WorkflowError>;

    /// The credential whose secret hashes to `secret_hash`, with its account.
    async fn credential(
        &self,
        secret_hash: &str,
    ) -> Result<Option<(Credential, Account)>, WorkflowError>;

    /// An account's live API tokens.
    async fn api_tokens(
        &self,
        account: AccountId,
        now: Timestamp,
    ) -> Result<Vec<Credential>, WorkflowError>;

    /// Revokes one of an account's credentials; `false` if it has no such live one.
    async fn revoke_credential(
        &self,
        account: AccountId,
        id: CredentialId,
        at: Timestamp,
    ) -> Result<bool, WorkflowError>;

    /// Removes credentials that expired before `before`.
    async fn purge_credentials(&self, before: Timestamp) -> Result<u64, WorkflowError>;

    // --- login throttling

    /// Counts a sign-in attempt before its password is checked, atomically:
    /// in one transaction, serialised per key across processes, it purges
    /// attempts older than `since` (under every key), tallies each key's
    /// attempts, and records this one under every key if `admit` agrees.
    /// Returns whether it was recorded, and the tallies it was judged on.
    /// Of concurrent attempts, each is judged on the tallies that include
    /// those admitted before it.
    async fn login_attempt(
        &self,
        attempt: &LoginAttempt<'_>,
        admit: &AdmitAttempt<'_>,
    ) -> Result<(bool, Vec<AttemptTally>), WorkflowError>;

    /// Forgets the rows of attempt `ticket`: it succeeded, so it was no
    /// failure. Other attempts (concurrent failures included) stay counted.
    async fn forget_login_attempt(&self, ticket: &str) -> Result<(), WorkflowError>;

    // --- idempotency

    /// Claims `key` for `account`'s request with this fingerprint.
    async fn claim_idempotency_key(
        &self,
        account: AccountId,
        key: &str,
        fingerprint: &str,
        now: Timestamp,
    ) -> Result<IdempotencyClaim, WorkflowError>;

    /// Keeps the response of a claimed key for replay.
    async fn complete_idempotency_key(
        &self,
        account: AccountId,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), WorkflowError>;

    /// Gives a claimed key up (the request failed in a way worth retrying).
    async fn release_idempotency_key(
        &self,
        account: AccountId,
        key: &str,
    ) -> Result<(), WorkflowError>;

    /// Forgets keys created before `before`.
    async fn purge_idempotency_keys(&self, before: Timestamp) -> Result<u64, WorkflowError>;

    // --- zones

    /// Every zone, by id.
    async fn zones(&self) -> Result<Vec<StoredZone>, WorkflowError>;

    /// One zone.
    async fn zone(&self, id: &ZoneId) -> Result<Option<StoredZone>, WorkflowError>;

    /// Adds zones whose ids are not stored yet; returns how many were added.
    async fn seed_zones(&self, zones: &[Zone], acting: &Acting) -> Result<u64, WorkflowError>;

    /// Adds a zone; a taken id is [`WorkflowError::Duplicate`].
    async fn create_zone(&self, zone: &Zone, acting: &Acting) -> Result<StoredZone, WorkflowError>;

    /// Renames or corrects a zone at `expected_version`.
    async fn update_zone(
        &self,
        zone: &Zone,
        expected_version: i64,
        acting: &Acting,
    ) -> Result<StoredZone, WorkflowError>;

    // --- rule sets

    /// Rule sets added beside the built-in ones, by key then version.
    async fn rule_sets(&self) -> Result<Vec<StoredRuleSet>, WorkflowError>;

    /// Adds a rule set; a taken key and version is [`WorkflowError::Duplicate`].
    async fn add_rule_set(
        &self,
        rule_set: &StoredRuleSet,
        acting: &Acting,
    ) -> Result<(), WorkflowError>;

    // --- registrations

    /// Files a pending registration. A credit code with a pending or active
    /// registration, or a username taken by an account or a pending
    /// registration, is [`WorkflowError::Duplicate`].
    async fn create_registration(
        &self,
        registration: &NewRegistration,
        acting: &Acting,
    ) -> Result<Registration, WorkflowError>;

    /// One registration.
    async fn registration(&self, id: RegistrationId)
    -> Result<Option<Registration>, WorkflowError>;

    /// Registrations placed within the filter's scope, oldest first.
    async fn registrations(
        &self,
        filter: &RegistrationFilter,
    ) -> Result<Paged<Registration>, WorkflowError>;

    /// The latest pending or rejected registration under `username`, with
    /// its password hash (so that its registrant signing in can be told
    /// where it stands).
    async fn registration_for_login(
        &self,
        username: &Username,
    ) -> Result<Option<(Registration, Option<String>)>, WorkflowError>;

    /// Activates a pending registration at `expected_version`: creates its
    /// enterprise account (the registrant's own password, no change forced)
    /// bound to `activation.enterprise`, in one transaction with both audit
    /// entries. A registration no longer pending is a version conflict.
    async fn activate_registration(
        &self,
        id: RegistrationId,
        expected_version: i64,
        activation: &Activation,
        acting: &Acting,
    ) -> Result<(Registration, Account), WorkflowError>;

    /// Rejects a pending registration at `expected_version` with a reason.
    /// Its password hash stays, so that its registrant signing in is told
    /// the reason; the credit code and username may register again.
    async fn reject_registration(
        &self,
        id: RegistrationId,
        expected_version: i64,
        reason: &str,
        acting: &Acting,
    ) -> Result<Registration, WorkflowError>;

    // --- declarations

    /// Creates a draft. A second declaration for the same enterprise and
    /// cycle that is not rejected or withdrawn is [`WorkflowError::Duplicate`].
    async fn create_declaration(
        &self,
        declaration: &NewDeclaration,
        acting: &Acting,
    ) -> Result<Declaration, WorkflowError>;

    /// One declaration.
    async fn declaration(&self, id: DeclarationId) -> Result<Option<Declaration>, WorkflowError>;

    /// Declarations in the filter's scope, newest first.
    async fn declarations(
        &self,
        filter: &DeclarationFilter,
    ) -> Result<Paged<Declaration>, WorkflowError>;

    /// Replaces the form of a draft or returned declaration at `expected_version`.
    async fn edit_declaration(
        &self,
        id: DeclarationId,
        expected_version: i64,
        form: &DeclarationForm,
        acting: &Acting,
    ) -> Result<Declaration, WorkflowError>;

    /// Applies a step at `expected_version`: the new state, the step in the
    /// history, an objection lodged or resolved, the quota re-checked, and on
    /// confirmation the pool membership (superseding an active one).
    async fn apply_step(
        &self,
        id: DeclarationId,
        expected_version: i64,
        step: &StepRequest,
        acting: &Acting,
    ) -> Result<Declaration, WorkflowError>;

    /// A declaration's history, oldest first.
    async fn steps(&self, id: DeclarationId) -> Result<Vec<Step>, WorkflowError>;

    /// A declaration's objections, oldest first.
    async fn objections(&self, id: DeclarationId) -> Result<Vec<Objection>, WorkflowError>;

    /// The file attached to one of a declaration's objections, with its content.
    async fn objection_attachment(
        &self,
        id: DeclarationId,
        objection: ObjectionId,
    ) -> Result<Option<(AttachmentRecord, Vec<u8>)>, WorkflowError>;

    /// Declarations under public notice, by notice end.
    async fn notices(&self, page: Page) -> Result<Paged<Declaration>, WorkflowError>;

    // --- evidence

    /// Attaches a file at `expected_version` (bumping it); at most `max_files` per declaration.
    async fn add_evidence(
        &self,
        id: DeclarationId,
        expected_version: i64,
        evidence: &NewEvidence,
        max_files: u32,
        acting: &Acting,
    ) -> Result<(Evidence, Declaration), WorkflowError>;

    /// A declaration's evidence files, oldest first.
    async fn evidence(&self, id: DeclarationId) -> Result<Vec<Evidence>, WorkflowError>;

    /// One evidence file and its content.
    async fn evidence_content(
        &self,
        id: DeclarationId,
        evidence: EvidenceId,
    ) -> Result<Option<(Evidence, Vec<u8>)>, WorkflowError>;

    // --- quotas

    /// Sets (or with `None` removes) a province's quota for a cycle and tier.
    async fn set_quota(
        &self,
        province: hatchery_core::DivisionCode,
        cycle: i16,
        tier: &str,
        limit: Option<u32>,
        acting: &Acting,
    ) -> Result<Option<Quota>, WorkflowError>;

    /// One quota with its use.
    async fn quota(
        &self,
        province: hatchery_core::DivisionCode,
        cycle: i16,
        tier: &str,
    ) -> Result<Option<Quota>, WorkflowError>;

    /// Every quota of a cycle with its use.
    async fn quotas(&self, cycle: i16) -> Result<Vec<Quota>, WorkflowError>;

    // --- pool

    /// Members in the filter's scope, by id.
    async fn pool_members(&self, filter: &PoolFilter) -> Result<Paged<PoolMember>, WorkflowError>;

    /// One member.
    async fn pool_member(&self, id: PoolMemberId) -> Result<Option<PoolMember>, WorkflowError>;

    /// Records a re-evaluation's proposals; a member with a pending proposal
    /// gets no second one.
    async fn record_proposals(
        &self,
        as_of: Date,
        proposals: &[NewProposal],
        acting: &Acting,
    ) -> Result<ProposalsRecorded, WorkflowError>;

    /// Proposals in the filter's scope, newest first.
    async fn proposals(
        &self,
        filter: &ProposalFilter,
    ) -> Result<Paged<PoolProposal>, WorkflowError>;

    /// One proposal.
    async fn proposal(&self, id: ProposalId) -> Result<Option<PoolProposal>, WorkflowError>;

    /// Decides a pending proposal at `expected_version` and applies its effect
    /// to the member.
    async fn decide_proposal(
        &self,
        id: ProposalId,
        expected_version: i64,
        decision: &ProposalDecision,
        acting: &Acting,
    ) -> Result<PoolProposal, WorkflowError>;

    // --- service requests (诉求)

    /// Files a request, with the deadlines its clock set gives it.
    async fn file_request(
        &self,
        request: &NewServiceRequest,
        acting: &Acting,
    ) -> Result<ServiceRequest, WorkflowError>;

    async fn service_request(&self, id: RequestId)
    -> Result<Option<ServiceRequest>, WorkflowError>;

    /// Requests in the filter's scope, newest first.
    async fn service_requests(
        &self,
        filter: &RequestFilter,
    ) -> Result<Paged<ServiceRequest>, WorkflowError>;

    /// A request's steps, oldest first.
    async fn request_steps(&self, id: RequestId) -> Result<Vec<RequestStep>, WorkflowError>;

    /// Applies a step the domain decided, from `expected_version`: exactly
    /// one of two writers at one version wins, the other gets a conflict.
    async fn apply_request_step(
        &self,
        id: RequestId,
        expected_version: i64,
        transition: &RequestTransition,
        acting: &Acting,
    ) -> Result<ServiceRequest, WorkflowError>;

    /// Requests waiting for acceptance past their escalation deadline, below
    /// the ministry, oldest deadline first.
    async fn requests_due_for_escalation(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<ServiceRequest>, WorkflowError>;

    /// Every step of the requests filed in `scope` in `[from, to)`, by
    /// request and in order.
    async fn request_steps_filed(
        &self,
        scope: &Scope,
        filed: (Timestamp, Timestamp),
    ) -> Result<Vec<(RequestId, RequestStep)>, WorkflowError>;

    // --- policies (惠企政策)

    /// Records a draft policy of its jurisdiction.
    async fn create_policy(
        &self,
        policy: &NewPolicy,
        acting: &Acting,
    ) -> Result<Policy, WorkflowError>;

    async fn policy(
        &self,
        id: hatchery_core::services::policy::PolicyId,
    ) -> Result<Option<Policy>, WorkflowError>;

    /// Policies the filter reaches, newest first.
    async fn policies(&self, filter: &PolicyFilter) -> Result<Paged<Policy>, WorkflowError>;

    /// Publishes or withdraws a policy, from `expected_version`.
    async fn set_policy_state(
        &self,
        id: hatchery_core::services::policy::PolicyId,
        expected_version: i64,
        state: hatchery_core::services::policy::PolicyState,
        reason: Option<&str>,
        acting: &Acting,
    ) -> Result<Policy, WorkflowError>;

    /// Adds an item to a policy, moving the policy's version on from
    /// `expected_version` (so an item cannot slip in beside a publication).
    async fn add_policy_item(
        &self,
        policy: hatchery_core::services::policy::PolicyId,
        expected_version: i64,
        item: &NewPolicyItem,
        acting: &Acting,
    ) -> Result<PolicyItem, WorkflowError>;

    /// A policy's items, in the order they were added.
    async fn policy_items(
        &self,
        policy: hatchery_core::services::policy::PolicyId,
    ) -> Result<Vec<PolicyItem>, WorkflowError>;

    /// Records a matching run of an item: one match per enterprise and
    /// item (a second run adds none for those already matched).
    async fn record_policy_matches(
        &self,
        item: hatchery_core::services::policy::PolicyItemId,
        as_of: Date,
        matches: &[NewPolicyMatch],
        acting: &Acting,
    ) -> Result<MatchesRecorded, WorkflowError>;

    async fn policy_match(
        &self,
        id: hatchery_core::services::policy::PolicyMatchId,
    ) -> Result<Option<PolicyMatch>, WorkflowError>;

    /// Matches in the filter's scope, newest first.
    async fn policy_matches(
        &self,
        filter: &MatchFilter,
    ) -> Result<Paged<PolicyMatch>, WorkflowError>;

    /// A match's redemption steps, oldest first.
    async fn policy_match_steps(
        &self,
        id: hatchery_core::services::policy::PolicyMatchId,
    ) -> Result<Vec<MatchStep>, WorkflowError>;

    /// Applies a redemption step the domain decided, on China's day `on`,
    /// from `expected_version`: of two writers, exactly one wins.
    async fn apply_policy_match_step(
        &self,
        id: hatchery_core::services::policy::PolicyMatchId,
        expected_version: i64,
        transition: &hatchery_core::services::policy::RedemptionTransition,
        on: Date,
        acting: &Acting,
    ) -> Result<PolicyMatch, WorkflowError>;

    /// Marks a match read by the acting account (the first reading is
    /// written and audited once; a later one changes nothing): whether this
    /// reading was the first.
    async fn mark_policy_match_read(
        &self,
        id: hatchery_core::services::policy::PolicyMatchId,
        acting: &Acting,
    ) -> Result<bool, WorkflowError>;

    /// Of `matches`, those `account` has read.
    async fn policy_matches_read(
        &self,
        account: AccountId,
        matches: &[hatchery_core::services::policy::PolicyMatchId],
    ) -> Result<Vec<hatchery_core::services::policy::PolicyMatchId>, WorkflowError>;

    // --- stewards (服务管家) and the contact log (走访记录)

    /// Assigns a steward to an enterprise of the pool: refused for an
    /// enterprise without an active membership, a duplicate when the same
    /// person already holds the same role for it in an overlapping period.
    async fn assign_steward(
        &self,
        assignment: &NewStewardAssignment,
        acting: &Acting,
    ) -> Result<StewardAssignment, WorkflowError>;

    async fn steward(
        &self,
        id: hatchery_core::services::steward::StewardId,
    ) -> Result<Option<StewardAssignment>, WorkflowError>;

    /// Assignments in the filter's scope, by enterprise and start.
    async fn stewards(
        &self,
        filter: &StewardFilter,
    ) -> Result<Paged<StewardAssignment>, WorkflowError>;

    /// Ends an assignment on `ends_on`, from `expected_version`.
    async fn end_steward(
        &self,
        id: hatchery_core::services::steward::StewardId,
        expected_version: i64,
        ends_on: Date,
        acting: &Acting,
    ) -> Result<StewardAssignment, WorkflowError>;

    /// Appends a contact to the log, against its assignment.
    async fn record_contact(
        &self,
        contact: &NewContact,
        acting: &Acting,
    ) -> Result<ContactRecord, WorkflowError>;

    /// Contacts in the filter's scope, newest first.
    async fn contacts(&self, filter: &ContactFilter)
    -> Result<Paged<ContactRecord>, WorkflowError>;

    /// One contact record (the caller checks scope).
    async fn contact(
        &self,
        id: hatchery_core::services::steward::ContactId,
    ) -> Result<Option<ContactRecord>, WorkflowError>;

    // --- service catalogue (服务菜单): providers, menus, packages

    /// Files a request naming a catalogue item: published in a menu of the
    /// enterprise's chain, from a provider not flagged (else refused, the
    /// field `catalogue_item`).
    async fn file_request_naming(
        &self,
        request: &NewServiceRequest,
        item: hatchery_core::services::catalogue::ItemId,
        acting: &Acting,
    ) -> Result<ServiceRequest, WorkflowError>;

    /// Registers a provider for `jurisdiction`, without flags.
    async fn create_provider(
        &self,
        jurisdiction: &Jurisdiction,
        form: &hatchery_core::services::catalogue::ProviderForm,
        acting: &Acting,
    ) -> Result<catalogue::Provider, WorkflowError>;

    async fn provider(
        &self,
        id: hatchery_core::services::catalogue::ProviderId,
    ) -> Result<Option<catalogue::Provider>, WorkflowError>;

    /// Every provider, by id (the caller filters by scope).
    async fn providers(&self) -> Result<Vec<catalogue::Provider>, WorkflowError>;

    /// Sets a provider's vetting flags from `expected_version`, with the
    /// written reason.
    async fn set_provider_flags(
        &self,
        id: hatchery_core::services::catalogue::ProviderId,
        expected_version: i64,
        flags: &hatchery_core::services::catalogue::ProviderFlags,
        reason: &str,
        acting: &Acting,
    ) -> Result<catalogue::Provider, WorkflowError>;

    /// Creates the first version of a menu, as a draft.
    async fn create_menu(
        &self,
        jurisdiction: &Jurisdiction,
        form: &hatchery_core::services::catalogue::MenuForm,
        acting: &Acting,
    ) -> Result<catalogue::Menu, WorkflowError>;

    async fn menu(
        &self,
        id: hatchery_core::services::catalogue::MenuId,
    ) -> Result<Option<catalogue::Menu>, WorkflowError>;

    /// Every menu version (the caller filters by scope).
    async fn menus(&self) -> Result<Vec<catalogue::Menu>, WorkflowError>;

    /// A menu version's items, in the order added.
    async fn menu_items(
        &self,
        id: hatchery_core::services::catalogue::MenuId,
    ) -> Result<Vec<catalogue::MenuItem>, WorkflowError>;

    async fn menu_item(
        &self,
        id: hatchery_core::services::catalogue::ItemId,
    ) -> Result<Option<catalogue::MenuItem>, WorkflowError>;

    /// Adds an item to a draft from `expected_version`: refused on a
    /// published or superseded menu, or from a flagged provider.
    async fn add_menu_item(
        &self,
        id: hatchery_core::services::catalogue::MenuId,
        expected_version: i64,
        form: &hatchery_core::services::catalogue::ItemForm,
        acting: &Acting,
    ) -> Result<(catalogue::Menu, catalogue::MenuItem), WorkflowError>;

    /// Publishes a draft from `expected_version`; the version in force
    /// before it is superseded.
    async fn publish_menu(
        &self,
        id: hatchery_core::services::catalogue::MenuId,
        expected_version: i64,
        on: Date,
        acting: &Acting,
    ) -> Result<catalogue::Menu, WorkflowError>;

    /// A new draft version copied from a published or superseded one.
    async fn next_menu_version(
        &self,
        from: hatchery_core::services::catalogue::MenuId,
        form: &hatchery_core::services::catalogue::MenuForm,
        acting: &Acting,
    ) -> Result<catalogue::Menu, WorkflowError>;

    /// Composes an enterprise's package for a year: each item published in
    /// its chain, from a provider not flagged.
    async fn compose_package(
        &self,
        package: &catalogue::NewPackage,
        acting: &Acting,
    ) -> Result<catalogue::Package, WorkflowError>;

    /// An enterprise's packages, newest year first.
    async fn packages(
        &self,
        enterprise: &EnterpriseId,
    ) -> Result<Vec<catalogue::Package>, WorkflowError>;

    // --- audit

    /// Appends an entry for a write made outside this trait (an import).
    async fn append_audit(&self, record: &AuditRecord) -> Result<AuditEntry, WorkflowError>;

    /// Entries in the filter's scope, in chain order.
    async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, WorkflowError>;

    /// The chain's last entry as recorded beside it: `(seq, hash)`.
    async fn audit_head(&self) -> Result<Option<(i64, String)>, WorkflowError>;

    /// Whether the database answers.
    async fn ping(&self) -> Result<(), WorkflowError>;

    /// Whether the database would take a write now (see
    /// [`WorkflowEngine::writable`](engine::WorkflowEngine::writable)).
    async fn writable(&self) -> Result<(), WorkflowError>;
}
