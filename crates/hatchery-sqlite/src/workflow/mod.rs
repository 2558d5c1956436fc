//! The workflow's storage in SQLite ([`WorkflowStore`] for [`SqliteStore`]).
//!
//! Writes take the store's writer turn and run in one `BEGIN IMMEDIATE`
//! transaction that also appends the audit entry, so the chain is linear and
//! a write and its audit entry happen together or not at all. Versioned rows
//! change by compare-and-set on their `version`.

mod accounts;
mod audit;
mod codec;
mod declarations;
mod pool;
mod zones;

use async_trait::async_trait;
use hatchery_core::DivisionCode;
use hatchery_core::workflow::audit::{AuditEntry, AuditRecord};
use hatchery_core::workflow::{
    AccountId, DeclarationForm, DeclarationId, Scope, Username, Zone, ZoneId,
};
use hatchery_store::workflow::{
    Account, AccountChange, Acting, AdmitAttempt, AttemptTally, AuditFilter, Credential,
    Declaration, DeclarationFilter, Evidence, IdempotencyClaim, LoginAttempt, NewAccount,
    NewCredential, NewDeclaration, NewEvidence, NewProposal, Objection, Page, Paged, PoolFilter,
    PoolMember, PoolProposal, ProposalDecision, ProposalFilter, ProposalsRecorded, Quota, Step,
    StepRequest, StoredResponse, StoredRuleSet, StoredZone, WorkflowError, WorkflowStore,
};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::SqliteStore;
use codec::db;

/// A condition with one placeholder restricting rows to a scope, and the
/// value to bind to it: `ALIAS.COLUMN = ?`, or for everything `? IS NULL`
/// with `None` (one placeholder either way keeps the binds in step).
pub(crate) fn scope_condition(scope: &Scope, alias: &str) -> (String, Option<String>) {
    let (column, value) = match scope {
        Scope::All => return ("? IS NULL".to_owned(), None),
        Scope::Province(code) => ("province", code.to_string()),
        Scope::City(code) => ("city", code.to_string()),
        Scope::District(code) => ("district", code.to_string()),
        Scope::Zone(zone) => ("zone", zone.to_string()),
        Scope::Enterprise(id) => ("enterprise", id.to_string()),
    };
    (format!("{alias}.{column} = ?"), Some(value))
}

fn page_limit(page: Page) -> (i64, i64) {
    (
        i64::try_from(page.limit).unwrap_or(i64::MAX),
        i64::try_from(page.offset).unwrap_or(i64::MAX),
    )
}

impl SqliteStore {
    /// Begins a write: the writer turn, then an immediate transaction.
    async fn begin_write(
        &self,
    ) -> Result<
        (
            tokio::sync::MutexGuard<'_, ()>,
            Transaction<'static, Sqlite>,
        ),
        WorkflowError,
    > {
        let turn = self.writer.lock().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        Ok((turn, tx))
    }
}

/// Commits on success, rolls back on failure.
async fn finish<T>(
    tx: Transaction<'static, Sqlite>,
    result: Result<T, WorkflowError>,
) -> Result<T, WorkflowError> {
    match result {
        Ok(value) => {
            tx.commit().await.map_err(db)?;
            Ok(value)
        }
        Err(error) => {
            // The error that stopped the write is the one worth reporting.
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(%rollback, "rolling back a failed workflow write");
            }
            Err(error)
        }
    }
}

/// Runs `$body` (an expression using `$conn: &mut SqliteConnection`) as one write.
macro_rules! in_write {
    ($store:expr, |$conn:ident| $body:expr) => {{
        let (_turn, mut tx) = $store.begin_write().await?;
        let result = {
            let $conn: &mut SqliteConnection = &mut tx;
            $body.await
        };
        finish(tx, result).await
    }};
}

#[async_trait]
impl WorkflowStore for SqliteStore {
    async fn create_account(
        &self,
        account: &NewAccount,
        acting: &Acting,
    ) -> Result<Account, WorkflowError> {
        in_write!(self, |conn| accounts::create(conn, account, acting))
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, WorkflowError> {
        accounts::get(&self.pool, id).await
    }

    async fn account_for_login(
        &self,
        username: &Username,
    ) -> Result<Option<(Account, String)>, WorkflowError> {
        accounts::for_login(&self.pool, username).await
    }

    async fn accounts(&self, scope: &Scope, page: Page) -> Result<Paged<Account>, WorkflowError> {
        accounts::list(&self.pool, scope, page).await
    }

    async fn has_accounts(&self) -> Result<bool, WorkflowError> {
        accounts::any(&self.pool).await
    }

    async fn update_account(
        &self,
        id: AccountId,
        expected_version: i64,
        change: &AccountChange,
        acting: &Acting,
    ) -> Result<Account, WorkflowError> {
        in_write!(self, |conn| accounts::update(
            conn,
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
        accounts::create_credential(&self.pool, credential).await
    }

    async fn credential(
        &self,
        secret_hash: &str,
    ) -> Result<Option<(Credential, Account)>, WorkflowError> {
        accounts::credential(&self.pool, secret_hash).await
    }

    async fn api_tokens(
        &self,
        account: AccountId,
        now: Timestamp,
    ) -> Result<Vec<Credential>, WorkflowError> {
        accounts::api_tokens(&self.pool, account, now).await
    }

    async fn revoke_credential(
        &self,
        account: AccountId,
        id: i64,
        at: Timestamp,
    ) -> Result<bool, WorkflowError> {
        accounts::revoke_credential(&self.pool, account, id, at).await
    }

    async fn purge_credentials(&self, before: Timestamp) -> Result<u64, WorkflowError> {
        accounts::purge_credentials(&self.pool, before).await
    }

    async fn login_failures(&self, key: &str, since: Timestamp) -> Result<u32, WorkflowError> {
        accounts::login_failures(&self.pool, key, since).await
    }

    async fn record_login_failure(
        &self,
        keys: &[String],
        at: Timestamp,
    ) -> Result<(), WorkflowError> {
        accounts::record_login_failure(&self.pool, keys, at).await
    }

    async fn clear_login_failures(&self, key: &str) -> Result<(), WorkflowError> {
        accounts::clear_login_failures(&self.pool, key).await
    }

    async fn login_attempt(
        &self,
        attempt: &LoginAttempt<'_>,
        admit: &AdmitAttempt<'_>,
    ) -> Result<(bool, Vec<AttemptTally>), WorkflowError> {
        in_write!(self, |conn| accounts::login_attempt(conn, attempt, admit))
    }

    async fn forget_login_attempt(&self, ticket: &str) -> Result<(), WorkflowError> {
        accounts::forget_login_attempt(&self.pool, ticket).await
    }

    async fn claim_idempotency_key(
        &self,
        account: AccountId,
        key: &str,
        fingerprint: &str,
        now: Timestamp,
    ) -> Result<IdempotencyClaim, WorkflowError> {
        accounts::claim_key(&self.pool, account, key, fingerprint, now).await
    }

    async fn complete_idempotency_key(
        &self,
        account: AccountId,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), WorkflowError> {
        accounts::complete_key(&self.pool, account, key, response).await
    }

    async fn release_idempotency_key(
        &self,
        account: AccountId,
        key: &str,
    ) -> Result<(), WorkflowError> {
        accounts::release_key(&self.pool, account, key).await
    }

    async fn purge_idempotency_keys(&self, before: Timestamp) -> Result<u64, WorkflowError> {
        accounts::purge_keys(&self.pool, before).await
    }

    async fn zones(&self) -> Result<Vec<StoredZone>, WorkflowError> {
        zones::list(&self.pool).await
    }

    async fn zone(&self, id: &ZoneId) -> Result<Option<StoredZone>, WorkflowError> {
        zones::get(&self.pool, id).await
    }

    async fn seed_zones(&self, list: &[Zone], acting: &Acting) -> Result<u64, WorkflowError> {
        in_write!(self, |conn| zones::seed(conn, list, acting))
    }

    async fn create_zone(&self, zone: &Zone, acting: &Acting) -> Result<StoredZone, WorkflowError> {
        in_write!(self, |conn| zones::create(conn, zone, acting))
    }

    async fn update_zone(
        &self,
        zone: &Zone,
        expected_version: i64,
        acting: &Acting,
    ) -> Result<StoredZone, WorkflowError> {
        in_write!(self, |conn| zones::update(
            conn,
            zone,
            expected_version,
            acting
        ))
    }

    async fn rule_sets(&self) -> Result<Vec<StoredRuleSet>, WorkflowError> {
        zones::rule_sets(&self.pool).await
    }

    async fn add_rule_set(
        &self,
        rule_set: &StoredRuleSet,
        acting: &Acting,
    ) -> Result<(), WorkflowError> {
        in_write!(self, |conn| zones::add_rule_set(conn, rule_set, acting))
    }

    async fn create_declaration(
        &self,
        declaration: &NewDeclaration,
        acting: &Acting,
    ) -> Result<Declaration, WorkflowError> {
        in_write!(self, |conn| declarations::create(conn, declaration, acting))
    }

    async fn declaration(&self, id: DeclarationId) -> Result<Option<Declaration>, WorkflowError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        declarations::get(&mut conn, id).await
    }

    async fn declarations(
        &self,
        filter: &DeclarationFilter,
    ) -> Result<Paged<Declaration>, WorkflowError> {
        declarations::list(&self.pool, filter).await
    }

    async fn edit_declaration(
        &self,
        id: DeclarationId,
        expected_version: i64,
        form: &DeclarationForm,
        acting: &Acting,
    ) -> Result<Declaration, WorkflowError> {
        in_write!(self, |conn| declarations::edit(
            conn,
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
        in_write!(self, |conn| declarations::apply_step(
            conn,
            id,
            expected_version,
            step,
            acting
        ))
    }

    async fn steps(&self, id: DeclarationId) -> Result<Vec<Step>, WorkflowError> {
        declarations::steps(&self.pool, id).await
    }

    async fn objections(&self, id: DeclarationId) -> Result<Vec<Objection>, WorkflowError> {
        declarations::objections(&self.pool, id).await
    }

    async fn notices(&self, page: Page) -> Result<Paged<Declaration>, WorkflowError> {
        declarations::notices(&self.pool, page).await
    }

    async fn add_evidence(
        &self,
        id: DeclarationId,
        expected_version: i64,
        evidence: &NewEvidence,
        max_files: u32,
        acting: &Acting,
    ) -> Result<(Evidence, Declaration), WorkflowError> {
        in_write!(self, |conn| declarations::add_evidence(
            conn,
            id,
            expected_version,
            evidence,
            max_files,
            acting
        ))
    }

    async fn evidence(&self, id: DeclarationId) -> Result<Vec<Evidence>, WorkflowError> {
        declarations::evidence(&self.pool, id).await
    }

    async fn evidence_content(
        &self,
        id: DeclarationId,
        evidence: i64,
    ) -> Result<Option<(Evidence, Vec<u8>)>, WorkflowError> {
        declarations::evidence_content(&self.pool, id, evidence).await
    }

    async fn set_quota(
        &self,
        province: DivisionCode,
        cycle: i16,
        tier: &str,
        limit: Option<u32>,
        acting: &Acting,
    ) -> Result<Option<Quota>, WorkflowError> {
        in_write!(self, |conn| declarations::set_quota(
            conn, province, cycle, tier, limit, acting
        ))
    }

    async fn quota(
        &self,
        province: DivisionCode,
        cycle: i16,
        tier: &str,
    ) -> Result<Option<Quota>, WorkflowError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        declarations::quota(&mut conn, province, cycle, tier).await
    }

    async fn quotas(&self, cycle: i16) -> Result<Vec<Quota>, WorkflowError> {
        declarations::quotas(&self.pool, cycle).await
    }

    async fn pool_members(&self, filter: &PoolFilter) -> Result<Paged<PoolMember>, WorkflowError> {
        pool::members(&self.pool, filter).await
    }

    async fn pool_member(&self, id: i64) -> Result<Option<PoolMember>, WorkflowError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        pool::member(&mut conn, id).await
    }

    async fn record_proposals(
        &self,
        as_of: Date,
        proposals: &[NewProposal],
        acting: &Acting,
    ) -> Result<ProposalsRecorded, WorkflowError> {
        in_write!(self, |conn| pool::record_proposals(
            conn, as_of, proposals, acting
        ))
    }

    async fn proposals(
        &self,
        filter: &ProposalFilter,
    ) -> Result<Paged<PoolProposal>, WorkflowError> {
        pool::proposals(&self.pool, filter).await
    }

    async fn proposal(&self, id: i64) -> Result<Option<PoolProposal>, WorkflowError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        pool::proposal(&mut conn, id).await
    }

    async fn decide_proposal(
        &self,
        id: i64,
        expected_version: i64,
        decision: &ProposalDecision,
        acting: &Acting,
    ) -> Result<PoolProposal, WorkflowError> {
        in_write!(self, |conn| pool::decide(
            conn,
            id,
            expected_version,
            decision,
            acting
        ))
    }

    async fn append_audit(&self, record: &AuditRecord) -> Result<AuditEntry, WorkflowError> {
        in_write!(self, |conn| audit::append(conn, record.clone()))
    }

    async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, WorkflowError> {
        audit::entries(&self.pool, filter).await
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>, WorkflowError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        audit::head(&mut conn).await
    }

    async fn ping(&self) -> Result<(), WorkflowError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }
}
