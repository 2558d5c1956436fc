//! The workflow's operations, written once over any [`WorkflowEngine`]: every
//! rule (compare-and-set on versions, the audit entry of every write, the
//! quota re-checked under its lock, …) lives here, in one module per part of
//! the workflow, and every engine gets them through the one blanket
//! implementation of [`WorkflowStore`] below.
//!
//! A write runs in one [`Access::Write`] session: its changes and its audit
//! entry commit together or not at all. Versioned rows change by
//! compare-and-set (`UPDATE … WHERE id = $1 AND version = $2`): of two
//! writers at one version, the second (waiting on the row in PostgreSQL, on
//! the writer turn in SQLite) finds the version moved on and gets a
//! conflict. Uniqueness rules (one live declaration per enterprise and
//! cycle, one active membership, one pending proposal, one claim of an
//! idempotency key) are unique indexes, whichever process writes.

mod accounts;
mod audit;
mod catalogue;
mod codec;
mod declarations;
mod policies;
mod pool;
mod registrations;
mod requests;
mod stewards;
mod zones;

pub(crate) use audit::append as append_audit;

use async_trait::async_trait;
use hatchery_core::DivisionCode;
use hatchery_core::services::request::{RequestId, RequestTransition};
use hatchery_core::workflow::audit::{AuditEntry, AuditRecord};
use hatchery_core::workflow::{
    AccountId, CredentialId, DeclarationForm, DeclarationId, EvidenceId, ObjectionId, PoolMemberId,
    ProposalId, RegistrationId, Scope, Username, Zone, ZoneId,
};
use jiff::Timestamp;
use jiff::civil::Date;

use super::engine::{Access, Session, WorkflowEngine};
use super::{
    Account, AccountChange, Acting, Activation, AdmitAttempt, AttachmentRecord, AttemptTally,
    AuditFilter, Credential, Declaration, DeclarationFilter, Evidence, IdempotencyClaim,
    LoginAttempt, NewAccount, NewCredential, NewDeclaration, NewEvidence, NewProposal,
    NewRegistration, Objection, Page, Paged, PoolFilter, PoolMember, PoolProposal,
    ProposalDecision, ProposalFilter, ProposalsRecorded, Quota, Registration, RegistrationFilter,
    Step, StepRequest, StoredResponse, StoredRuleSet, StoredZone, WorkflowError, WorkflowStore,
};
use super::{
    ContactFilter, ContactRecord, NewContact, NewStewardAssignment, StewardAssignment,
    StewardFilter,
};
use super::{NewServiceRequest, RequestFilter, RequestStep, ServiceRequest};

/// Commits `session` if `result` is a success, rolls it back if not.
async fn finish<S: Session, T>(
    session: S,
    result: Result<T, WorkflowError>,
) -> Result<T, WorkflowError> {
    match result {
        Ok(value) => {
            session.commit().await?;
            Ok(value)
        }
        Err(error) => {
            // The error that stopped the work is the one worth reporting.
            if let Err(rollback) = session.rollback().await {
                tracing::warn!(%rollback, "rolling back a failed workflow write");
            }
            Err(error)
        }
    }
}

/// Runs `$body` (using `$s: &mut E::Session`) in a session of `$access`.
macro_rules! in_session {
    ($access:expr, $engine:expr, |$s:ident| $body:expr) => {{
        let mut session = $engine.session($access).await?;
        let result = {
            let $s = &mut session;
            $body.await
        };
        finish(session, result).await
    }};
}

/// One write: a transaction, serialised as the engine requires.
macro_rules! in_write {
    ($engine:expr, |$s:ident| $body:expr) => {
        in_session!(Access::Write, $engine, |$s| $body)
    };
}

/// Statements on their own, each seeing (and committing) by itself.
macro_rules! direct {
    ($engine:expr, |$s:ident| $body:expr) => {
        in_session!(Access::Direct, $engine, |$s| $body)
    };
}

/// Reads of one moment.
macro_rules! in_snapshot {
    ($engine:expr, |$s:ident| $body:expr) => {
        in_session!(Access::Snapshot, $engine, |$s| $body)
    };
}

#[async_trait]
impl<E: WorkflowEngine> WorkflowStore for E {
    async fn create_account(
        &self,
        account: &NewAccount,
        acting: &Acting,
    ) -> Result<Account, WorkflowError> {
        in_write!(self, |s| accounts::create(s, account, acting))
    }

    async fn create_registration(
        &self,
        registration: &NewRegistration,
        acting: &Acting,
    ) -> Result<Registration, WorkflowError> {
        in_write!(self, |s| registrations::create(s, registration, acting))
    }

    async fn registration(
        &self,
        id: RegistrationId,
    ) -> Result<Option<Registration>, WorkflowError> {
        direct!(self, |s| registrations::get(s, id))
    }

    async fn registrations(
        &self,
        filter: &RegistrationFilter,
    ) -> Result<Paged<Registration>, WorkflowError> {
        in_snapshot!(self, |s| registrations::list(s, filter))
    }

    async fn registration_for_login(
        &self,
        username: &Username,
    ) -> Result<Option<(Registration, Option<String>)>, WorkflowError> {
        direct!(self, |s| registrations::for_login(s, username))
    }

    async fn activate_registration(
        &self,
        id: RegistrationId,
        expected_version: i64,
        activation: &Activation,
        acting: &Acting,
    ) -> Result<(Registration, Account), WorkflowError> {
        in_write!(self, |s| registrations::activate(
            s,
            id,
            expected_version,
            activation,
            acting
        ))
    }

    async fn reject_registration(
        &self,
        id: RegistrationId,
        expected_version: i64,
        reason: &str,
        acting: &Acting,
    ) -> Result<Registration, WorkflowError> {
        in_write!(self, |s| registrations::reject(
            s,
            id,
            expected_version,
            reason,
            acting
        ))
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, WorkflowError> {
        direct!(self, |s| accounts::get(s, id))
    }

    async fn account_for_login(
        &self,
        username: &Username,
    ) -> Result<Option<(Account, String)>, WorkflowError> {
        direct!(self, |s| accounts::for_login(s, username))
    }

    async fn accounts(&self, scope: &Scope, page: Page) -> Result<Paged<Account>, WorkflowError> {
        direct!(self, |s| accounts::list(s, scope, page))
    }

    async fn has_accounts(&self) -> Result<bool, WorkflowError> {
        direct!(self, |s| accounts::any(s))
    }

    async fn update_account(
        &self,
        id: AccountId,
        expected_version: i64,
        change: &AccountChange,
        acting: &Acting,
    ) -> Result<Account, WorkflowError> {
        in_write!(self, |s| accounts::update(
            s,
            id,
            expected_version,
            change,
            acting
        ))
    }

    async fn create_credential(
        &self,
        credential: &NewCredential,
    ) -> Result<Credential, WorkflowError> {
        direct!(self, |s| accounts::create_credential(s, credential))
    }

    async fn credential(
        &self,
        secret_hash: &str,
    ) -> Result<Option<(Credential, Account)>, WorkflowError> {
        direct!(self, |s| accounts::credential(s, secret_hash))
    }

    async fn api_tokens(
        &self,
        account: AccountId,
        now: Timestamp,
    ) -> Result<Vec<Credential>, WorkflowError> {
        direct!(self, |s| accounts::api_tokens(s, account, now))
    }

    async fn revoke_credential(
        &self,
        account: AccountId,
        id: CredentialId,
        at: Timestamp,
    ) -> Result<bool, WorkflowError> {
        direct!(self, |s| accounts::revoke_credential(s, account, id, at))
    }

    async fn purge_credentials(&self, before: Timestamp) -> Result<u64, WorkflowError> {
        direct!(self, |s| accounts::purge_credentials(s, before))
    }

    async fn login_attempt(
        &self,
        attempt: &LoginAttempt<'_>,
        admit: &AdmitAttempt<'_>,
    ) -> Result<(bool, Vec<AttemptTally>), WorkflowError> {
        in_write!(self, |s| accounts::login_attempt(s, attempt, admit))
    }

    async fn forget_login_attempt(&self, ticket: &str) -> Result<(), WorkflowError> {
        direct!(self, |s| accounts::forget_login_attempt(s, ticket))
    }

    async fn claim_idempotency_key(
        &self,
        account: AccountId,
        key: &str,
        fingerprint: &str,
        now: Timestamp,
    ) -> Result<IdempotencyClaim, WorkflowError> {
        direct!(self, |s| accounts::claim_key(
            s,
            account,
            key,
            fingerprint,
            now
        ))
    }

    async fn complete_idempotency_key(
        &self,
        account: AccountId,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), WorkflowError> {
        direct!(self, |s| accounts::complete_key(s, account, key, response))
    }

    async fn release_idempotency_key(
        &self,
        account: AccountId,
        key: &str,
    ) -> Result<(), WorkflowError> {
        direct!(self, |s| accounts::release_key(s, account, key))
    }

    async fn purge_idempotency_keys(&self, before: Timestamp) -> Result<u64, WorkflowError> {
        direct!(self, |s| accounts::purge_keys(s, before))
    }

    async fn zones(&self) -> Result<Vec<StoredZone>, WorkflowError> {
        direct!(self, |s| zones::list(s))
    }

    async fn zone(&self, id: &ZoneId) -> Result<Option<StoredZone>, WorkflowError> {
        direct!(self, |s| zones::get(s, id))
    }

    async fn seed_zones(&self, list: &[Zone], acting: &Acting) -> Result<u64, WorkflowError> {
        in_write!(self, |s| zones::seed(s, list, acting))
    }

    async fn create_zone(&self, zone: &Zone, acting: &Acting) -> Result<StoredZone, WorkflowError> {
        in_write!(self, |s| zones::create(s, zone, acting))
    }

    async fn update_zone(
        &self,
        zone: &Zone,
        expected_version: i64,
        acting: &Acting,
    ) -> Result<StoredZone, WorkflowError> {
        in_write!(self, |s| zones::update(s, zone, expected_version, acting))
    }

    async fn rule_sets(&self) -> Result<Vec<StoredRuleSet>, WorkflowError> {
        direct!(self, |s| zones::rule_sets(s))
    }

    async fn add_rule_set(
        &self,
        rule_set: &StoredRuleSet,
        acting: &Acting,
    ) -> Result<(), WorkflowError> {
        in_write!(self, |s| zones::add_rule_set(s, rule_set, acting))
    }

    async fn create_declaration(
        &self,
        declaration: &NewDeclaration,
        acting: &Acting,
    ) -> Result<Declaration, WorkflowError> {
        in_write!(self, |s| declarations::create(s, declaration, acting))
    }

    async fn declaration(&self, id: DeclarationId) -> Result<Option<Declaration>, WorkflowError> {
        direct!(self, |s| declarations::get(s, id))
    }

    async fn declarations(
        &self,
        filter: &DeclarationFilter,
    ) -> Result<Paged<Declaration>, WorkflowError> {
        direct!(self, |s| declarations::list(s, filter))
    }

    async fn edit_declaration(
        &self,
        id: DeclarationId,
        expected_version: i64,
        form: &DeclarationForm,
        acting: &Acting,
    ) -> Result<Declaration, WorkflowError> {
        in_write!(self, |s| declarations::edit(
            s,
            id,
            expected_version,
            form,
            acting
        ))
    }

    async fn apply_step(
        &self,
        id: DeclarationId,
        expected_version: i64,
        step: &StepRequest,
        acting: &Acting,
    ) -> Result<Declaration, WorkflowError> {
        in_write!(self, |s| declarations::apply_step(
            s,
            id,
            expected_version,
            step,
            acting
        ))
    }

    async fn steps(&self, id: DeclarationId) -> Result<Vec<Step>, WorkflowError> {
        direct!(self, |s| declarations::steps(s, id))
    }

    async fn objections(&self, id: DeclarationId) -> Result<Vec<Objection>, WorkflowError> {
        direct!(self, |s| declarations::objections(s, id))
    }

    async fn objection_attachment(
        &self,
        id: DeclarationId,
        objection: ObjectionId,
    ) -> Result<Option<(AttachmentRecord, Vec<u8>)>, WorkflowError> {
        direct!(self, |s| declarations::objection_attachment(
            s, id, objection
        ))
    }

    async fn notices(&self, page: Page) -> Result<Paged<Declaration>, WorkflowError> {
        direct!(self, |s| declarations::notices(s, page))
    }

    async fn add_evidence(
        &self,
        id: DeclarationId,
        expected_version: i64,
        evidence: &NewEvidence,
        max_files: u32,
        acting: &Acting,
    ) -> Result<(Evidence, Declaration), WorkflowError> {
        in_write!(self, |s| declarations::add_evidence(
            s,
            id,
            expected_version,
            evidence,
            max_files,
            acting
        ))
    }

    async fn evidence(&self, id: DeclarationId) -> Result<Vec<Evidence>, WorkflowError> {
        direct!(self, |s| declarations::evidence(s, id))
    }

    async fn evidence_content(
        &self,
        id: DeclarationId,
        evidence: EvidenceId,
    ) -> Result<Option<(Evidence, Vec<u8>)>, WorkflowError> {
        direct!(self, |s| declarations::evidence_content(s, id, evidence))
    }

    async fn set_quota(
        &self,
        province: DivisionCode,
        cycle: i16,
        tier: &str,
        limit: Option<u32>,
        acting: &Acting,
    ) -> Result<Option<Quota>, WorkflowError> {
        in_write!(self, |s| declarations::set_quota(
            s, province, cycle, tier, limit, acting
        ))
    }

    async fn quota(
        &self,
        province: DivisionCode,
        cycle: i16,
        tier: &str,
    ) -> Result<Option<Quota>, WorkflowError> {
        direct!(self, |s| declarations::quota(s, province, cycle, tier))
    }

    async fn quotas(&self, cycle: i16) -> Result<Vec<Quota>, WorkflowError> {
        in_snapshot!(self, |s| declarations::quotas(s, cycle))
    }

    async fn pool_members(&self, filter: &PoolFilter) -> Result<Paged<PoolMember>, WorkflowError> {
        direct!(self, |s| pool::members(s, filter))
    }

    async fn pool_member(&self, id: PoolMemberId) -> Result<Option<PoolMember>, WorkflowError> {
        direct!(self, |s| pool::member(s, id))
    }

    async fn record_proposals(
        &self,
        as_of: Date,
        proposals: &[NewProposal],
        acting: &Acting,
    ) -> Result<ProposalsRecorded, WorkflowError> {
        in_write!(self, |s| pool::record_proposals(
            s, as_of, proposals, acting
        ))
    }

    async fn proposals(
        &self,
        filter: &ProposalFilter,
    ) -> Result<Paged<PoolProposal>, WorkflowError> {
        direct!(self, |s| pool::proposals(s, filter))
    }

    async fn proposal(&self, id: ProposalId) -> Result<Option<PoolProposal>, WorkflowError> {
        direct!(self, |s| pool::proposal(s, id))
    }

    async fn decide_proposal(
        &self,
        id: ProposalId,
        expected_version: i64,
        decision: &ProposalDecision,
        acting: &Acting,
    ) -> Result<PoolProposal, WorkflowError> {
        in_write!(self, |s| pool::decide(
            s,
            id,
            expected_version,
            decision,
            acting
        ))
    }

    async fn file_request(
        &self,
        request: &NewServiceRequest,
        acting: &Acting,
    ) -> Result<ServiceRequest, WorkflowError> {
        in_write!(self, |s| requests::file(s, request, None, acting))
    }

    async fn service_request(
        &self,
        id: RequestId,
    ) -> Result<Option<ServiceRequest>, WorkflowError> {
        direct!(self, |s| requests::get(s, id))
    }

    async fn service_requests(
        &self,
        filter: &RequestFilter,
    ) -> Result<Paged<ServiceRequest>, WorkflowError> {
        in_snapshot!(self, |s| requests::list(s, filter))
    }

    async fn request_steps(&self, id: RequestId) -> Result<Vec<RequestStep>, WorkflowError> {
        direct!(self, |s| requests::steps(s, id))
    }

    async fn apply_request_step(
        &self,
        id: RequestId,
        expected_version: i64,
        transition: &RequestTransition,
        acting: &Acting,
    ) -> Result<ServiceRequest, WorkflowError> {
        in_write!(self, |s| requests::apply(
            s,
            id,
            expected_version,
            transition,
            acting
        ))
    }

    async fn requests_due_for_escalation(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<ServiceRequest>, WorkflowError> {
        direct!(self, |s| requests::due_for_escalation(s, now, limit))
    }

    async fn assign_steward(
        &self,
        assignment: &NewStewardAssignment,
        acting: &Acting,
    ) -> Result<StewardAssignment, WorkflowError> {
        in_write!(self, |s| stewards::assign(s, assignment, acting))
    }

    async fn steward(
        &self,
        id: hatchery_core::services::steward::StewardId,
    ) -> Result<Option<StewardAssignment>, WorkflowError> {
        direct!(self, |s| stewards::get(s, id))
    }

    async fn stewards(
        &self,
        filter: &StewardFilter,
    ) -> Result<Paged<StewardAssignment>, WorkflowError> {
        in_snapshot!(self, |s| stewards::list(s, filter))
    }

    async fn end_steward(
        &self,
        id: hatchery_core::services::steward::StewardId,
        expected_version: i64,
        ends_on: Date,
        acting: &Acting,
    ) -> Result<StewardAssignment, WorkflowError> {
        in_write!(self, |s| stewards::end(
            s,
            id,
            expected_version,
            ends_on,
            acting
        ))
    }

    async fn record_contact(
        &self,
        contact: &NewContact,
        acting: &Acting,
    ) -> Result<ContactRecord, WorkflowError> {
        in_write!(self, |s| stewards::record_contact(s, contact, acting))
    }

    async fn contacts(
        &self,
        filter: &ContactFilter,
    ) -> Result<Paged<ContactRecord>, WorkflowError> {
        in_snapshot!(self, |s| stewards::contacts(s, filter))
    }

    async fn contact(
        &self,
        id: hatchery_core::services::steward::ContactId,
    ) -> Result<Option<ContactRecord>, WorkflowError> {
        in_snapshot!(self, |s| stewards::find_contact(s, id))
    }

    async fn create_provider(
        &self,
        jurisdiction: &hatchery_core::workflow::Jurisdiction,
        form: &hatchery_core::services::catalogue::ProviderForm,
        acting: &Acting,
    ) -> Result<super::catalogue::Provider, WorkflowError> {
        in_write!(self, |s| catalogue::create_provider(
            s,
            jurisdiction,
            form,
            acting
        ))
    }

    async fn provider(
        &self,
        id: hatchery_core::services::catalogue::ProviderId,
    ) -> Result<Option<super::catalogue::Provider>, WorkflowError> {
        direct!(self, |s| catalogue::provider(s, id))
    }

    async fn providers(&self) -> Result<Vec<super::catalogue::Provider>, WorkflowError> {
        direct!(self, |s| catalogue::providers(s))
    }

    async fn set_provider_flags(
        &self,
        id: hatchery_core::services::catalogue::ProviderId,
        expected_version: i64,
        flags: &hatchery_core::services::catalogue::ProviderFlags,
        reason: &str,
        acting: &Acting,
    ) -> Result<super::catalogue::Provider, WorkflowError> {
        in_write!(self, |s| catalogue::set_flags(
            s,
            id,
            expected_version,
            flags,
            reason,
            acting
        ))
    }

    async fn create_menu(
        &self,
        jurisdiction: &hatchery_core::workflow::Jurisdiction,
        form: &hatchery_core::services::catalogue::MenuForm,
        acting: &Acting,
    ) -> Result<super::catalogue::Menu, WorkflowError> {
        in_write!(self, |s| catalogue::create_menu(
            s,
            jurisdiction,
            form,
            acting
        ))
    }

    async fn menu(
        &self,
        id: hatchery_core::services::catalogue::MenuId,
    ) -> Result<Option<super::catalogue::Menu>, WorkflowError> {
        direct!(self, |s| catalogue::menu(s, id))
    }

    async fn menus(&self) -> Result<Vec<super::catalogue::Menu>, WorkflowError> {
        direct!(self, |s| catalogue::menus(s))
    }

    async fn menu_items(
        &self,
        id: hatchery_core::services::catalogue::MenuId,
    ) -> Result<Vec<super::catalogue::MenuItem>, WorkflowError> {
        direct!(self, |s| catalogue::items(s, id))
    }

    async fn menu_item(
        &self,
        id: hatchery_core::services::catalogue::ItemId,
    ) -> Result<Option<super::catalogue::MenuItem>, WorkflowError> {
        direct!(self, |s| catalogue::item(s, id))
    }

    async fn add_menu_item(
        &self,
        id: hatchery_core::services::catalogue::MenuId,
        expected_version: i64,
        form: &hatchery_core::services::catalogue::ItemForm,
        acting: &Acting,
    ) -> Result<(super::catalogue::Menu, super::catalogue::MenuItem), WorkflowError> {
        in_write!(self, |s| catalogue::add_item(
            s,
            id,
            expected_version,
            form,
            acting
        ))
    }

    async fn publish_menu(
        &self,
        id: hatchery_core::services::catalogue::MenuId,
        expected_version: i64,
        on: Date,
        acting: &Acting,
    ) -> Result<super::catalogue::Menu, WorkflowError> {
        in_write!(self, |s| catalogue::publish(
            s,
            id,
            expected_version,
            on,
            acting
        ))
    }

    async fn next_menu_version(
        &self,
        from: hatchery_core::services::catalogue::MenuId,
        form: &hatchery_core::services::catalogue::MenuForm,
        acting: &Acting,
    ) -> Result<super::catalogue::Menu, WorkflowError> {
        in_write!(self, |s| catalogue::next_version(s, from, form, acting))
    }

    async fn compose_package(
        &self,
        package: &super::catalogue::NewPackage,
        acting: &Acting,
    ) -> Result<super::catalogue::Package, WorkflowError> {
        in_write!(self, |s| catalogue::compose_package(s, package, acting))
    }

    async fn packages(
        &self,
        enterprise: &hatchery_core::EnterpriseId,
    ) -> Result<Vec<super::catalogue::Package>, WorkflowError> {
        in_snapshot!(self, |s| catalogue::packages(s, enterprise))
    }

    async fn file_request_naming(
        &self,
        request: &NewServiceRequest,
        item: hatchery_core::services::catalogue::ItemId,
        acting: &Acting,
    ) -> Result<ServiceRequest, WorkflowError> {
        in_write!(self, |s| requests::file(s, request, Some(item), acting))
    }

    async fn request_steps_filed(
        &self,
        scope: &Scope,
        filed: (Timestamp, Timestamp),
    ) -> Result<Vec<(RequestId, RequestStep)>, WorkflowError> {
        in_snapshot!(self, |s| requests::steps_filed(s, scope, filed))
    }

    async fn create_policy(
        &self,
        policy: &super::NewPolicy,
        acting: &Acting,
    ) -> Result<super::Policy, WorkflowError> {
        in_write!(self, |s| policies::create(s, policy, acting))
    }

    async fn policy(
        &self,
        id: hatchery_core::services::policy::PolicyId,
    ) -> Result<Option<super::Policy>, WorkflowError> {
        direct!(self, |s| policies::get(s, id))
    }

    async fn policies(
        &self,
        filter: &super::PolicyFilter,
    ) -> Result<Paged<super::Policy>, WorkflowError> {
        in_snapshot!(self, |s| policies::list(s, filter))
    }

    async fn set_policy_state(
        &self,
        id: hatchery_core::services::policy::PolicyId,
        expected_version: i64,
        state: hatchery_core::services::policy::PolicyState,
        reason: Option<&str>,
        acting: &Acting,
    ) -> Result<super::Policy, WorkflowError> {
        in_write!(self, |s| policies::set_state(
            s,
            id,
            expected_version,
            state,
            reason,
            acting
        ))
    }

    async fn add_policy_item(
        &self,
        policy: hatchery_core::services::policy::PolicyId,
        expected_version: i64,
        item: &super::NewPolicyItem,
        acting: &Acting,
    ) -> Result<super::PolicyItem, WorkflowError> {
        in_write!(self, |s| policies::add_item(
            s,
            policy,
            expected_version,
            item,
            acting
        ))
    }

    async fn policy_items(
        &self,
        policy: hatchery_core::services::policy::PolicyId,
    ) -> Result<Vec<super::PolicyItem>, WorkflowError> {
        direct!(self, |s| policies::items(s, policy))
    }

    async fn record_policy_matches(
        &self,
        item: hatchery_core::services::policy::PolicyItemId,
        as_of: Date,
        matches: &[super::NewPolicyMatch],
        acting: &Acting,
    ) -> Result<super::MatchesRecorded, WorkflowError> {
        in_write!(self, |s| policies::record_matches(
            s, item, as_of, matches, acting
        ))
    }

    async fn policy_match(
        &self,
        id: hatchery_core::services::policy::PolicyMatchId,
    ) -> Result<Option<super::PolicyMatch>, WorkflowError> {
        direct!(self, |s| policies::get_match(s, id))
    }

    async fn policy_matches(
        &self,
        filter: &super::MatchFilter,
    ) -> Result<Paged<super::PolicyMatch>, WorkflowError> {
        in_snapshot!(self, |s| policies::list_matches(s, filter))
    }

    async fn policy_match_steps(
        &self,
        id: hatchery_core::services::policy::PolicyMatchId,
    ) -> Result<Vec<super::MatchStep>, WorkflowError> {
        direct!(self, |s| policies::match_steps(s, id))
    }

    async fn apply_policy_match_step(
        &self,
        id: hatchery_core::services::policy::PolicyMatchId,
        expected_version: i64,
        transition: &hatchery_core::services::policy::RedemptionTransition,
        on: Date,
        acting: &Acting,
    ) -> Result<super::PolicyMatch, WorkflowError> {
        in_write!(self, |s| policies::apply_step(
            s,
            id,
            expected_version,
            transition,
            on,
            acting
        ))
    }

    async fn mark_policy_match_read(
        &self,
        id: hatchery_core::services::policy::PolicyMatchId,
        acting: &Acting,
    ) -> Result<bool, WorkflowError> {
        in_write!(self, |s| policies::mark_read(s, id, acting))
    }

    async fn policy_matches_read(
        &self,
        account: AccountId,
        matches: &[hatchery_core::services::policy::PolicyMatchId],
    ) -> Result<Vec<hatchery_core::services::policy::PolicyMatchId>, WorkflowError> {
        direct!(self, |s| policies::read_by(s, account, matches))
    }

    async fn append_audit(&self, record: &AuditRecord) -> Result<AuditEntry, WorkflowError> {
        in_write!(self, |s| audit::append(s, record.clone()))
    }

    async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, WorkflowError> {
        direct!(self, |s| audit::entries(s, filter))
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>, WorkflowError> {
        direct!(self, |s| audit::head(s))
    }

    async fn ping(&self) -> Result<(), WorkflowError> {
        let mut s = self.session(Access::Direct).await?;
        s.execute("SELECT 1", &[]).await?;
        Ok(s.commit().await?)
    }

    async fn writable(&self) -> Result<(), WorkflowError> {
        WorkflowEngine::writable(self).await
    }
}
