//! The storage trait every Hatchery backend implements (SQLite embedded by
//! default, PostgreSQL at national scale), with the types that cross it.
//!
//! Backends share [`EventIdentity`], the fingerprint that tells events apart,
//! and prove themselves against the stories in `conformance` (feature
//! `conformance`).
#![forbid(unsafe_code)]

use std::collections::HashSet;

use async_trait::async_trait;
use hatchery_core::workflow::audit::AuditRecord;
use hatchery_core::workflow::truncate_instant;
use hatchery_core::{Dataset, Enterprise, EnterpriseId, Event, FxRate, Ledger};
use serde::{Deserialize, Serialize};

mod identity;
pub mod profile;
mod url;
pub mod workflow;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use identity::EventIdentity;
pub use url::redact_url;

/// Which part of an import a rejection is about, by its position in the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RowRef {
    /// `dataset.enterprises[i]`.
    Enterprise(usize),
    /// `dataset.events[i]`.
    Event(usize),
    /// `dataset.fx[i]`.
    Fx(usize),
    /// `dataset.financials[i]`.
    Financials(usize),
}

/// A row of an import that conflicts with what is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub row: RowRef,
    /// The offending column's name.
    pub column: &'static str,
    pub message: String,
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The import conflicts with stored data; nothing was written.
    #[error("the import conflicts with stored data ({} rows)", .0.len())]
    Rejected(Vec<Rejection>),
    /// The database URL is not one Hatchery can use.
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    /// The stored data is not what this version of Hatchery expects.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database itself failed.
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub enterprises_added: u64,
    pub enterprises_updated: u64,
    pub enterprises_unchanged: u64,
    pub events_added: u64,
    /// Rows equal to an event already stored (or earlier in the same dataset).
    pub events_duplicate: u64,
    pub fx_added: u64,
    pub fx_unchanged: u64,
    pub financials_added: u64,
    pub financials_updated: u64,
    pub financials_unchanged: u64,
}

impl ImportOutcome {
    /// Whether the import added or changed anything.
    pub fn changed_anything(&self) -> bool {
        self.enterprises_added
            + self.enterprises_updated
            + self.events_added
            + self.fx_added
            + self.financials_added
            + self.financials_updated
            > 0
    }
}

/// Where an import came from, recorded beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSource {
    /// e.g. the folder or file name.
    pub origin: String,
    /// When the import ran, RFC 3339, as the caller's clock says.
    pub at: String,
}

/// The audit record of a successful import: `ledger.import` of
/// `import:ORIGIN`, filed under the nation, its outcome as the image after.
pub fn import_audit_record(
    acting: &workflow::Acting,
    source: &ImportSource,
    outcome: &ImportOutcome,
) -> AuditRecord {
    AuditRecord {
        at: truncate_instant(acting.at),
        actor: acting.actor,
        actor_name: acting.actor_name.clone(),
        jurisdiction: "CN".into(),
        action: "ledger.import".into(),
        subject: format!("import:{}", source.origin),
        before: None,
        // An outcome is a struct of counts: it always serialises.
        after: serde_json::to_string(outcome).ok(),
    }
}

impl StoreError {
    /// An import's audit entry that could not be appended.
    pub fn from_audit(error: workflow::WorkflowError) -> Self {
        match error {
            workflow::WorkflowError::Database(cause) => Self::Database(cause),
            other => Self::Corrupt(format!("the audit chain: {other}")),
        }
    }
}

/// A successful import, as the store recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRecord {
    /// Increases with every import.
    pub id: i64,
    /// Where it came from, as the caller said.
    pub source: ImportSource,
    /// What it changed.
    pub outcome: ImportOutcome,
}

/// One version of an enterprise's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    /// 1 for the row first imported, then 2, 3, … for each differing row.
    pub number: u32,
    /// The [`ImportRecord::id`] of the import that brought it.
    pub import: i64,
    /// The row as that import brought it.
    pub enterprise: Enterprise,
}

/// Sizes of what is stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StoreCounts {
    pub enterprises: u64,
    pub events: u64,
    pub fx_rates: u64,
    pub financials: u64,
    pub imports: u64,
}

/// The ledger's storage. Every write is one transaction: it happens whole or
/// not at all.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Which of these ids are stored.
    async fn existing_ids(&self, ids: &[EnterpriseId])
    -> Result<HashSet<EnterpriseId>, StoreError>;

    /// Writes a dataset in one transaction. Enterprises are matched by id: a
    /// new id is added, an equal row changes nothing, a different row becomes
    /// the enterprise's new revision (the old one is kept). Events equal to a
    /// stored event are dropped; the rest are appended in dataset order. An fx
    /// row for a stored currency and date with another rate, or a credit code
    /// held by another enterprise, rejects the whole import.
    ///
    /// In detail, so that every backend agrees (the conformance stories pin it):
    ///
    /// - Two events are equal when their [`EventIdentity`] is (every format
    ///   column equal as text; `x_` extras do not count). A duplicate within
    ///   the dataset is dropped like a stored one.
    /// - An fx rate equal in value to the stored one (`7.08` and `7.080`)
    ///   changes nothing and the stored text stays; financials are matched by
    ///   enterprise and year and a differing row replaces the stored one.
    /// - The credit-code check looks at the result: the import is rejected when
    ///   two enterprises would hold one code, so a code may move from one
    ///   enterprise to another within one import.
    /// - Also rejected: an event or financials row for an id neither in the
    ///   dataset nor stored; one id, or one currency and date, or one
    ///   enterprise and year, given twice with different values; a value the
    ///   backend cannot hold. Every such row is reported, none is written.
    /// - A successful import is recorded (see [`Store::imports`]) even when it
    ///   changed nothing.
    async fn import(
        &self,
        dataset: &Dataset,
        source: &ImportSource,
    ) -> Result<ImportOutcome, StoreError>;

    /// [`Store::import`], and its entry in the workflow's audit chain
    /// ([`import_audit_record`], by `acting`) appended in the same
    /// transaction: the data and its audit entry are written together or
    /// not at all. A rejected import leaves no entry.
    async fn import_audited(
        &self,
        dataset: &Dataset,
        source: &ImportSource,
        acting: &workflow::Acting,
    ) -> Result<ImportOutcome, StoreError>;

    /// Everything the engine needs, in one read.
    async fn load_ledger(&self) -> Result<Ledger, StoreError>;

    /// The whole store as a dataset: enterprises by id (byte order), events in
    /// import order, fx rates by currency then date, financials by enterprise
    /// id then year. Amounts keep the text they were imported with.
    async fn export(&self) -> Result<Dataset, StoreError>;

    /// One enterprise and its events in import order.
    async fn enterprise(
        &self,
        id: &EnterpriseId,
    ) -> Result<Option<(Enterprise, Vec<Event>)>, StoreError>;

    /// Every enterprise's current row, by id.
    async fn enterprises(&self) -> Result<Vec<Enterprise>, StoreError>;

    /// Every exchange rate.
    async fn fx_rates(&self) -> Result<Vec<FxRate>, StoreError>;

    /// How much is stored.
    async fn counts(&self) -> Result<StoreCounts, StoreError>;

    /// Every version of one enterprise's row, oldest first; empty when the id
    /// is not stored.
    async fn revisions(&self, id: &EnterpriseId) -> Result<Vec<Revision>, StoreError>;

    /// Every successful import, oldest first. A rejected import leaves no
    /// record; an import that changed nothing does.
    async fn imports(&self) -> Result<Vec<ImportRecord>, StoreError>;

    /// The profile facts of an enterprise in the order recorded, its
    /// financials by year with the import that brought each, and the import
    /// of its current row ("enter once", [`profile`]).
    async fn profile_records(
        &self,
        id: &EnterpriseId,
    ) -> Result<profile::ProfileRecords, StoreError>;

    /// Appends a profile fact in one transaction with its ledger part (an
    /// import of `fact.ledger` when it is not empty, from
    /// [`profile::NewProfileFact::ledger_origin`]) and its audit entry
    /// ([`profile::fact_audit_record`]): all of it or nothing.
    async fn append_profile_fact(
        &self,
        fact: &profile::NewProfileFact,
        acting: &workflow::Acting,
    ) -> Result<profile::ProfileFact, StoreError>;
}
