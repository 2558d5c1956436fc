//! Verifying the audit log's hash chain, in batches.

use hatchery_core::workflow::Scope;
use hatchery_core::workflow::audit::{AuditBreak, ChainVerifier};
use hatchery_store::workflow::{AuditFilter, WorkflowError, WorkflowStore};
use serde::Serialize;

/// The verdict on the audit chain.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditVerification {
    /// Whether every entry is intact.
    pub ok: bool,
    /// Entries checked.
    pub entries: u64,
    /// The first bad entry and what is wrong with it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
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
