//! Re-evaluating the cultivation pool: each active member's rule set run
//! again as of a day, and what should change recorded as proposals for the
//! member's province to decide.

use std::collections::BTreeMap;

use hatchery_core::Ledger;
use hatchery_core::workflow::{Clock, PoolMemberId, Scope, china_today, reevaluate};
use hatchery_store::StoreError;
use hatchery_store::workflow::{
    Acting, MemberStatus, NewProposal, Page, PoolFilter, PoolMember, WorkflowError, WorkflowStore,
};
use jiff::Span;
use jiff::civil::Date;
use serde::Serialize;

use crate::backend::Backend;
use crate::rules::RuleBook;
use crate::system;

/// Why re-evaluating the pool failed.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// The day asked for is more than a year after today: a run as of
    /// 9999-12-31 would leave proposals that block every later run.
    #[error("as of {as_of} is more than a year after today ({today}); the latest is {latest}")]
    TooFarAhead {
        as_of: Date,
        today: Date,
        latest: Date,
    },
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A member the re-evaluation could not judge.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkippedMember {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub member: PoolMemberId,
    pub enterprise: String,
    pub reason: String,
}

/// What a re-evaluation of the pool proposed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// The latest day a re-evaluation may run as of, when today (in China) is
/// `today`: a year ahead.
pub fn latest_reevaluation_day(today: Date) -> Date {
    today.checked_add(Span::new().years(1)).unwrap_or(today)
}

/// Re-runs each active member's rule set as of `as_of` and records what
/// should change, for the member's province to decide. `as_of` may be at
/// most a year after the day of `acting` ([`PoolError::TooFarAhead`]).
pub async fn reevaluate_pool(
    db: &dyn WorkflowStore,
    ledger: &Ledger,
    rules: &RuleBook,
    as_of: Date,
    acting: &Acting,
) -> Result<ReevaluationReport, PoolError> {
    let today = china_today(acting.at);
    let latest = latest_reevaluation_day(today);
    if as_of > latest {
        return Err(PoolError::TooFarAhead {
            as_of,
            today,
            latest,
        });
    }
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

/// Re-evaluates the pool as of `as_of`, reading the ledger and the rule
/// sets from the backend (the command line's `pool reevaluate`; the server
/// passes the ledger and rule book it holds to [`reevaluate_pool`]).
pub async fn reevaluate_stored(
    db: &dyn Backend,
    clock: &dyn Clock,
    as_of: Date,
) -> Result<ReevaluationReport, PoolError> {
    let ledger = db.load_ledger().await?;
    let rules = RuleBook::load(db).await?;
    reevaluate_pool(db, &ledger, &rules, as_of, &system(clock, "cli")).await
}
