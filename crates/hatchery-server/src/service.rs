//! Work shared by the API and the command line: re-evaluating the pool,
//! verifying the audit chain, seeding zones and creating accounts. Each takes
//! the database and the clock it needs, so `hatchery` can call them without
//! a running server.

use std::collections::BTreeMap;

use hatchery_core::Ledger;
use hatchery_core::workflow::audit::{AuditBreak, ChainVerifier};
use hatchery_core::workflow::{Scope, reevaluate, seed_zones, shipped_zone_list};
use hatchery_store::StoreError;
use hatchery_store::workflow::{
    Acting, AuditFilter, MemberStatus, NewProposal, Page, PoolFilter, PoolMember, WorkflowError,
    WorkflowStore,
};
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::RuleBook;

/// Why a shared operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Workflow(e) => e.into(),
            ServiceError::Store(e) => e.into(),
        }
    }
}

/// A member the re-evaluation could not judge.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkippedMember {
    pub member: i64,
    pub enterprise: String,
    pub reason: String,
}

/// What a re-evaluation of the pool proposed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReevaluationReport {
    pub as_of: Date,
    /// Active members looked at.
    pub members: u64,
    /// New proposals, by kind (`promotion`, `demotion`, `exit`, `re_review`).
    pub proposed: BTreeMap<String, u64>,
    /// Members whose earlier proposal is still pending: left alone.
    pub already_pending: u64,
    /// Members nothing needs to change for.
    pub unchanged: u64,
    pub skipped: Vec<SkippedMember>,
}

/// Every active member of the pool.
pub async fn active_members(db: &dyn WorkflowStore) -> Result<Vec<PoolMember>, WorkflowError> {
    let mut members = Vec::new();
    loop {
        let page = db
            .pool_members(&PoolFilter {
                scope: Scope::All,
                status: Some(MemberStatus::Active),
                tier: None,
                cycle: None,
                province: None,
                page: Page {
                    offset: members.len() as u64,
                    limit: 1000,
                },
            })
            .await?;
        let done =
            page.items.is_empty() || members.len() as u64 + page.items.len() as u64 >= page.total;
        members.extend(page.items);
        if done {
            return Ok(members);
        }
    }
}

/// Re-runs each active member's rule set as of `as_of` and records what
/// should change, for the member's province to decide.
pub async fn reevaluate_pool(
    db: &dyn WorkflowStore,
    ledger: &Ledger,
    rules: &RuleBook,
    as_of: Date,
    acting: &Acting,
) -> Result<ReevaluationReport, ServiceError> {
    let members = active_members(db).await?;
    let mut report = ReevaluationReport {
        as_of,
        members: members.len() as u64,
        proposed: BTreeMap::new(),
        already_pending: 0,
        unchanged: 0,
        skipped: Vec::new(),
    };
    let mut proposals = Vec::new();
    for member in &members {
        let skip = |reason: String| SkippedMember {
            member: member.id,
            enterprise: member.enterprise.to_string(),
            reason,
        };
        let Some(entry) = rules.find(&member.rule_set, Some(&member.rule_set_version)) else {
            report.skipped.push(skip(format!(
                "rule set {}@{} is not available",
                member.rule_set, member.rule_set_version
            )));
            continue;
        };
        let Some(position) = ledger.position(member.enterprise.as_str()) else {
            report
                .skipped
                .push(skip("the enterprise is not in the ledger".into()));
            continue;
        };
        let facts = ledger.as_of(position, as_of);
        match reevaluate(&member.tier, member.valid_until, &entry.rules, &facts) {
            Some(proposal) => proposals.push(NewProposal {
                member: member.id,
                decision: serde_json::to_value(&proposal.decision)
                    .map_err(|e| WorkflowError::Corrupt(e.to_string()))?,
                kind: proposal.kind,
            }),
            None => report.unchanged += 1,
        }
    }
    let recorded = db.record_proposals(as_of, &proposals, acting).await?;
    report.already_pending = recorded.already_pending.len() as u64;
    for proposal in &proposals {
        if !recorded.already_pending.contains(&proposal.member) {
            *report
                .proposed
                .entry(proposal.kind.key().to_owned())
                .or_insert(0) += 1;
        }
    }
    Ok(report)
}

/// The verdict on the audit chain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditVerification {
    /// Whether every entry is intact.
    pub ok: bool,
    /// Entries checked.
    pub entries: u64,
    /// The first bad entry and what is wrong with it.
    #[schema(value_type = Option<Object>)]
    pub first_bad: Option<AuditBreak>,
}

/// Checks the whole audit chain, reading it in batches.
pub async fn verify_audit(db: &dyn WorkflowStore) -> Result<AuditVerification, WorkflowError> {
    let head = db.audit_head().await?;
    let mut verifier = ChainVerifier::default();
    let mut after = 0;
    let mut checked = 0u64;
    loop {
        let batch = db
            .audit_entries(&AuditFilter {
                scope: Scope::All,
                after,
                limit: 1000,
            })
            .await?;
        for entry in &batch {
            if let Err(broken) = verifier.feed(entry) {
                return Ok(AuditVerification {
                    ok: false,
                    entries: checked,
                    first_bad: Some(broken),
                });
            }
            checked += 1;
            after = entry.seq;
        }
        if batch.len() < 1000 {
            break;
        }
    }
    match verifier.finish(head.as_ref().map(|(s, h)| (*s, h.as_str()))) {
        Ok(entries) => Ok(AuditVerification {
            ok: true,
            entries,
            first_bad: None,
        }),
        Err(broken) => Ok(AuditVerification {
            ok: false,
            entries: checked,
            first_bad: Some(broken),
        }),
    }
}

/// What seeding the shipped zone list did.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneSeedReport {
    /// Zones added (those already stored are left as they are).
    pub added: u64,
    /// Entries placed.
    pub placed: u64,
    /// Placed at city level only, with why.
    pub notes: Vec<hatchery_core::workflow::zone::PlacementNote>,
    /// Entries that could not be placed, with why.
    pub unplaced: Vec<hatchery_core::workflow::zone::Unplaced>,
}

/// Places the shipped list of national zones and adds those not stored yet.
pub async fn seed_shipped_zones(
    db: &dyn WorkflowStore,
    acting: &Acting,
) -> Result<ZoneSeedReport, WorkflowError> {
    let seed = seed_zones(&shipped_zone_list());
    let added = db.seed_zones(&seed.zones, acting).await?;
    Ok(ZoneSeedReport {
        added,
        placed: seed.zones.len() as u64,
        notes: seed.notes,
        unplaced: seed.unplaced,
    })
}
