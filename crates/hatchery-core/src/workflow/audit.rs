//! The audit log's hash chain. Every write appends an entry holding the hash
//! of the entry before it, so an edited, deleted or reordered row breaks the
//! chain at a place that can be named. The store appends; this module says
//! what the hashes are and checks them.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::account::AccountId;
use super::clock::format_instant;
use super::jurisdiction::{Jurisdiction, Placement, Scope};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, before it is chained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When, by the server's clock (kept to the microsecond).
    pub at: Timestamp,
    /// The account that acted; `None` for the system itself (CLI, seeding).
    pub actor: Option<AccountId>,
    /// The actor's username, or a `system:…` label.
    pub actor_name: String,
    /// The jurisdiction the subject belongs to (`CN`, a division code, `zone:ID`).
    pub jurisdiction: String,
    /// What was done, e.g. `declaration.approve`, `account.create`.
    pub action: String,
    /// What it was done to, e.g. `declaration:12`, `account:3`.
    pub subject: String,
    /// The subject before, as JSON text (absent for a creation).
    pub before: Option<String>,
    /// The subject after, as JSON text (absent for a deletion).
    pub after: Option<String>,
}

impl AuditRecord {
    /// Whether an auditor with `scope` sees this entry. Judged by the
    /// entry's own jurisdiction, which the chain hashes, so what a scoped
    /// auditor sees is what verification vouches for; entries filed under
    /// the nation (or unreadable ones) are the ministry's.
    pub fn visible_to(&self, scope: &Scope) -> bool {
        if *scope == Scope::All {
            return true;
        }
        let placement = match Jurisdiction::parse(&self.jurisdiction) {
            Ok(Jurisdiction::Division(code)) => Placement::of(Some(code), None),
            Ok(Jurisdiction::Zone(zone)) => Placement {
                zone: Some(zone),
                ..Placement::default()
            },
            Ok(Jurisdiction::Nation) | Err(_) => return false,
        };
        scope.covers_place(&placement)
    }
}

/// An entry of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    #[serde(flatten)]
    pub record: AuditRecord,
    /// The previous entry's hash ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// SHA-256 over this entry's fields and `prev_hash`, lower-case hex.
    pub hash: String,
}

fn field(hasher: &mut Sha256, value: Option<&[u8]>) {
    // Length-prefixed, with a distinct marker for an absent value, so no two
    // different entries hash the same bytes.
    match value {
        Some(bytes) => {
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
        None => hasher.update(u64::MAX.to_le_bytes()),
    }
}

/// The hash of entry `seq` with these contents after `prev_hash`.
pub fn entry_hash(seq: i64, record: &AuditRecord, prev_hash: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"hatchery-audit-v1");
    field(&mut hasher, Some(seq.to_string().as_bytes()));
    field(&mut hasher, Some(format_instant(record.at).as_bytes()));
    field(
        &mut hasher,
        record
            .actor
            .map(|a| a.0.to_string())
            .as_deref()
            .map(str::as_bytes),
    );
    field(&mut hasher, Some(record.actor_name.as_bytes()));
    field(&mut hasher, Some(record.jurisdiction.as_bytes()));
    field(&mut hasher, Some(record.action.as_bytes()));
    field(&mut hasher, Some(record.subject.as_bytes()));
    field(&mut hasher, record.before.as_deref().map(str::as_bytes));
    field(&mut hasher, record.after.as_deref().map(str::as_bytes));
    field(&mut hasher, Some(prev_hash.as_bytes()));
    hex::encode(hasher.finalize())
}

impl AuditEntry {
    /// Chains `record` after the entry `(seq, hash)`, or first when `None`.
    pub fn chain(previous: Option<(i64, &str)>, record: AuditRecord) -> Self {
        let (seq, prev_hash) = match previous {
            Some((seq, hash)) => (seq + 1, hash.to_owned()),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let hash = entry_hash(seq, &record, &prev_hash);
        Self {
            seq,
            record,
            prev_hash,
            hash,
        }
    }
}

/// What is wrong at the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum AuditProblem {
    /// The entry's contents do not match its hash: it was edited.
    Edited,
    /// The entry does not link to the one before it: a row before it was
    /// removed, or rows were reordered or replaced.
    BrokenLink,
    /// Entries are missing before this one.
    Missing { expected: i64 },
    /// The entry's position is out of order.
    OutOfOrder { expected: i64 },
    /// The chain ends before the recorded head: its last entries were removed.
    Truncated { head: i64 },
}

/// The first entry where the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("audit entry {seq} is bad: {problem:?}")]
pub struct AuditBreak {
    /// The first bad entry (for a truncated chain, the first missing one).
    pub seq: i64,
    #[serde(flatten)]
    pub problem: AuditProblem,
}

/// Checks a chain entry by entry, in `seq` order, without holding it all.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    /// Checks the next entry.
    pub fn feed(&mut self, entry: &AuditEntry) -> Result<(), AuditBreak> {
        let fail = |problem| AuditBreak {
            seq: entry.seq,
            problem,
        };
        if entry.seq > self.expected_seq {
            return Err(fail(AuditProblem::Missing {
                expected: self.expected_seq,
            }));
        }
        if entry.seq < self.expected_seq {
            return Err(fail(AuditProblem::OutOfOrder {
                expected: self.expected_seq,
            }));
        }
        if entry_hash(entry.seq, &entry.record, &entry.prev_hash) != entry.hash {
            return Err(fail(AuditProblem::Edited));
        }
        if entry.prev_hash != self.prev_hash {
            return Err(fail(AuditProblem::BrokenLink));
        }
        self.expected_seq += 1;
        self.prev_hash.clone_from(&entry.hash);
        Ok(())
    }

    /// The last entry checked so far, `(seq, hash)`: `(0, GENESIS_HASH)`
    /// before the first.
    pub fn last(&self) -> (i64, &str) {
        (self.expected_seq - 1, &self.prev_hash)
    }

    /// Ends the check: the chain must reach the head the store recorded
    /// beside it (`None` when it recorded none). Returns the number of entries.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<u64, AuditBreak> {
        let last = self.expected_seq - 1;
        if let Some((head_seq, head_hash)) = head {
            if head_seq > last {
                return Err(AuditBreak {
                    seq: last + 1,
                    problem: AuditProblem::Truncated { head: head_seq },
                });
            }
            if head_seq == last && head_hash != self.prev_hash {
                return Err(AuditBreak {
                    seq: last,
                    problem: AuditProblem::Edited,
                });
            }
        }
        Ok(last as u64)
    }
}

/// Checks a whole chain held in memory.
pub fn verify<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    head: Option<(i64, &str)>,
) -> Result<u64, AuditBreak> {
    let mut verifier = ChainVerifier::default();
    for entry in entries {
        verifier.feed(entry)?;
    }
    verifier.finish(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: u32) -> AuditRecord {
        AuditRecord {
            at: Timestamp::from_second(1_700_000_000 + i64::from(n)).unwrap(),
            actor: Some(AccountId(1)),
            actor_name: "admin".into(),
            jurisdiction: "CN".into(),
            action: "account.create".into(),
            subject: format!("account:{n}"),
            before: None,
            after: Some(format!(r#"{{"n":{n}}}"#)),
        }
    }

    fn chain(n: u32) -> Vec<AuditEntry> {
        let mut entries: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let previous = entries.last().map(|e| (e.seq, e.hash.as_str()));
            let entry = AuditEntry::chain(previous, record(i));
            entries.push(entry);
        }
        entries
    }

    fn head(entries: &[AuditEntry]) -> Option<(i64, &str)> {
        entries.last().map(|e| (e.seq, e.hash.as_str()))
    }

    #[test]
    fn an_honest_chain_verifies() {
        let entries = chain(5);
        assert_eq!(verify(&entries, head(&entries)), Ok(5));
        assert_eq!(verify(&[], None), Ok(0));
        assert_eq!(entries[0].prev_hash, GENESIS_HASH);
    }

    #[test]
    fn an_edit_is_found_where_it_was_made() {
        let mut entries = chain(5);
        let h = head(&entries).map(|(s, h)| (s, h.to_owned()));
        entries[2].record.after = Some(r#"{"n":99}"#.into());
        let head = h.as_ref().map(|(s, h)| (*s, h.as_str()));
        assert_eq!(
            verify(&entries, head),
            Err(AuditBreak {
                seq: 3,
                problem: AuditProblem::Edited
            })
        );
        // Rehashing the edited row does not help: the next link breaks.
        entries[2].hash = entry_hash(3, &entries[2].record, &entries[2].prev_hash);
        assert_eq!(
            verify(&entries, head),
            Err(AuditBreak {
                seq: 4,
                problem: AuditProblem::BrokenLink
            })
        );
    }

    #[test]
    fn deletions_and_reorderings_are_found() {
        let entries = chain(5);
        let h = head(&entries);
        let mut deleted = entries.clone();
        deleted.remove(1);
        assert_eq!(
            verify(&deleted, h),
            Err(AuditBreak {
                seq: 3,
                problem: AuditProblem::Missing { expected: 2 }
            })
        );
        let mut swapped = entries.clone();
        swapped.swap(1, 2);
        assert_eq!(verify(&swapped, h).unwrap_err().seq, 3);
        // Swapping the contents but keeping the positions breaks the hashes.
        let mut renumbered = entries.clone();
        renumbered.swap(1, 2);
        renumbered[1].seq = 2;
        renumbered[2].seq = 3;
        assert_eq!(
            verify(&renumbered, h),
            Err(AuditBreak {
                seq: 2,
                problem: AuditProblem::Edited
            })
        );
        let truncated = &entries[..3];
        assert_eq!(
            verify(truncated, h),
            Err(AuditBreak {
                seq: 4,
                problem: AuditProblem::Truncated { head: 5 }
            })
        );
    }

    #[test]
    fn scoped_auditors_see_their_own_divisions() {
        let filed_under = |jurisdiction: &str| AuditRecord {
            jurisdiction: jurisdiction.into(),
            ..record(1)
        };
        let guangdong = Scope::Province(crate::DivisionCode::parse("440000").unwrap());
        assert!(filed_under("440305").visible_to(&guangdong));
        assert!(filed_under("440000").visible_to(&guangdong));
        assert!(!filed_under("110108").visible_to(&guangdong));
        assert!(!filed_under("CN").visible_to(&guangdong));
        assert!(!filed_under("not a jurisdiction").visible_to(&guangdong));
        assert!(filed_under("CN").visible_to(&Scope::All));
    }
}
