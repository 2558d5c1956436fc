//! Verifying the audit log: its hash chain, read in batches; the chain
//! against signed checkpoints kept outside the database; and the workflow's
//! tables against the images the log records (the `reconcile` module). Also taking
//! a checkpoint, and the key files that sign them ([`keys`]).
//!
//! The chain alone catches a naive edit. Someone who can write the database
//! can also recompute every hash after the row they changed; a checkpoint
//! (the head at one moment, signed with a key the database never holds)
//! catches that: the rewritten chain no longer reproduces the checkpointed
//! hash. And a table row changed without a log entry at all is caught by
//! the reconciliation, whatever the chain says.

pub mod keys;
mod reconcile;

use std::collections::{HashMap, HashSet};

use hatchery_core::workflow::audit::{AuditBreak, ChainVerifier};
use hatchery_core::workflow::checkpoint::{Checkpoint, SignedCheckpoint, SigningKey};
use hatchery_core::workflow::{GENESIS_HASH, Scope, format_instant, truncate_instant};
use hatchery_store::workflow::{AuditFilter, WorkflowError, WorkflowStore};
use jiff::Timestamp;
use serde::Serialize;

pub use reconcile::Unexplained;

/// The verdict on the audit log.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditVerification {
    /// Whether every entry is intact, every checkpoint reproduced and every
    /// workflow record explained by the log.
    pub ok: bool,
    /// Entries checked.
    pub entries: u64,
    /// The first bad entry and what is wrong with it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub first_bad: Option<AuditBreak>,
    /// Each checkpoint checked against the chain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checkpoints: Vec<CheckpointCheck>,
    /// Workflow records whose stored row no logged step explains (checked
    /// only when the chain itself is intact).
    pub unexplained: Vec<Unexplained>,
}

/// Whether the chain still holds, at a checkpoint's position, the hash the
/// checkpoint vouches for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckpointCheck {
    /// The checkpointed position.
    pub seq: i64,
    /// The checkpointed hash.
    pub head: String,
    /// When the checkpoint was taken.
    pub at: String,
    /// Whether the chain reproduces it.
    pub ok: bool,
    /// What the chain holds instead.
    pub problem: Option<String>,
}

impl CheckpointCheck {
    fn of(checkpoint: &Checkpoint, problem: Option<String>) -> Self {
        Self {
            seq: checkpoint.seq,
            head: checkpoint.head.clone(),
            at: format_instant(checkpoint.at),
            ok: problem.is_none(),
            problem,
        }
    }
}

/// Entries read per batch.
const BATCH: u64 = 1000;

/// Checks the whole audit chain, reading it in batches, and the workflow's
/// tables against it.
pub async fn verify_audit(db: &dyn WorkflowStore) -> Result<AuditVerification, WorkflowError> {
    Ok(verify(db, &[]).await?.0)
}

/// [`verify_audit`], and the chain against each of `checkpoints` (whose
/// signatures the caller has checked: see [`SignedCheckpoint::verify`]).
pub async fn verify_audit_against(
    db: &dyn WorkflowStore,
    checkpoints: &[Checkpoint],
) -> Result<AuditVerification, WorkflowError> {
    Ok(verify(db, checkpoints).await?.0)
}

/// Where a reading of the chain has got to.
#[derive(Debug, Default)]
struct Reading {
    verifier: ChainVerifier,
    images: reconcile::Images,
    /// The hashes found at the checkpointed positions.
    hashes_at: HashMap<i64, String>,
    /// The last entry read.
    after: i64,
    first_bad: Option<AuditBreak>,
}

impl Reading {
    /// Reads and checks the entries after the last one read, to the end
    /// of the chain or its first bad entry.
    async fn read_on(
        &mut self,
        db: &dyn WorkflowStore,
        wanted: &HashSet<i64>,
    ) -> Result<(), WorkflowError> {
        while self.first_bad.is_none() {
            let batch = db
                .audit_entries(&AuditFilter {
                    scope: Scope::All,
                    after: self.after,
                    limit: BATCH,
                })
                .await?;
            for entry in &batch {
                if let Err(broken) = self.verifier.feed(entry) {
                    self.first_bad = Some(broken);
                    return Ok(());
                }
                if wanted.contains(&entry.seq) {
                    self.hashes_at.insert(entry.seq, entry.hash.clone());
                }
                self.images.feed(entry);
                self.after = entry.seq;
            }
            if (batch.len() as u64) < BATCH {
                break;
            }
        }
        Ok(())
    }
}

/// How many times the tables are read against the log before a
/// disagreement is reported: a write that commits between the reading of
/// the log and of its table is explained by the entries read next time.
const TABLE_READINGS: usize = 3;

/// The verification, and the last entry it found good `(seq, hash)`.
async fn verify(
    db: &dyn WorkflowStore,
    checkpoints: &[Checkpoint],
) -> Result<(AuditVerification, (i64, String)), WorkflowError> {
    let head = db.audit_head().await?;
    let wanted: HashSet<i64> = checkpoints.iter().map(|c| c.seq).collect();
    let mut reading = Reading::default();
    reading.read_on(db, &wanted).await?;
    // Images from a broken chain explain nothing: the break is the finding.
    let mut unexplained = Vec::new();
    for attempt in 1..=TABLE_READINGS {
        if reading.first_bad.is_some() {
            unexplained.clear();
            break;
        }
        unexplained = reconcile::check(db, &reading.images).await?;
        if unexplained.is_empty() || attempt == TABLE_READINGS {
            break;
        }
        reading.read_on(db, &wanted).await?;
    }
    let (last_seq, last_hash) = reading.verifier.last();
    let last = (last_seq, last_hash.to_owned());
    let entries = u64::try_from(last_seq).unwrap_or(0);
    let mut first_bad = reading.first_bad;
    if first_bad.is_none()
        && let Err(broken) = reading
            .verifier
            .finish(head.as_ref().map(|(s, h)| (*s, h.as_str())))
    {
        first_bad = Some(broken);
        unexplained.clear();
    }
    let checks: Vec<CheckpointCheck> = checkpoints
        .iter()
        .map(|checkpoint| {
            let problem = checkpoint_problem(
                checkpoint,
                &reading.hashes_at,
                last_seq,
                first_bad.is_some(),
            );
            CheckpointCheck::of(checkpoint, problem)
        })
        .collect();
    let ok = first_bad.is_none() && checks.iter().all(|c| c.ok) && unexplained.is_empty();
    Ok((
        AuditVerification {
            ok,
            entries,
            first_bad,
            checkpoints: checks,
            unexplained,
        },
        last,
    ))
}

/// What is wrong with `checkpoint`, given the hashes found at the
/// checkpointed positions and the last good entry.
fn checkpoint_problem(
    checkpoint: &Checkpoint,
    hashes_at: &HashMap<i64, String>,
    last_seq: i64,
    broken: bool,
) -> Option<String> {
    if checkpoint.seq == 0 {
        return (checkpoint.head != GENESIS_HASH)
            .then(|| "a checkpoint of an empty chain names no entry's hash".to_owned());
    }
    match hashes_at.get(&checkpoint.seq) {
        Some(hash) if *hash == checkpoint.head => None,
        Some(hash) => Some(format!(
            "entry #{} now hashes to {hash}, not to the checkpointed {}: the log was rewritten at or before it",
            checkpoint.seq, checkpoint.head
        )),
        None if broken => Some(format!(
            "the chain breaks at entry #{}, before the checkpointed entry #{}",
            last_seq + 1,
            checkpoint.seq
        )),
        None => Some(format!(
            "the chain ends at entry #{last_seq}, before the checkpointed entry #{}: entries were removed",
            checkpoint.seq
        )),
    }
}

/// Why no checkpoint was taken.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointRefused {
    /// The store could not be read.
    #[error("reading the audit log")]
    Store(#[source] WorkflowError),
    /// The log does not verify: a checkpoint would vouch for tampering.
    #[error("the audit log does not verify; no checkpoint was taken")]
    Unverified(Box<AuditVerification>),
}

/// Verifies the log (against `previous` checkpoints too), then signs its
/// last entry with `key` as seen `at`. The checkpoint names exactly the
/// entry that verification reached, so it never vouches for an entry that
/// was not checked.
pub async fn take_checkpoint(
    db: &dyn WorkflowStore,
    previous: &[Checkpoint],
    key: &SigningKey,
    at: Timestamp,
) -> Result<SignedCheckpoint, CheckpointRefused> {
    let (verification, (seq, head)) = verify(db, previous)
        .await
        .map_err(CheckpointRefused::Store)?;
    if !verification.ok {
        return Err(CheckpointRefused::Unverified(Box::new(verification)));
    }
    let checkpoint = Checkpoint {
        seq,
        head,
        at: truncate_instant(at),
    };
    Ok(checkpoint.sign(key))
}
