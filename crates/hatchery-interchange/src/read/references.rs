//! Enterprise ids used by events and financials, resolved against the
//! dataset's own enterprises; the rest are left for the caller's store.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use hatchery_core::EnterpriseId;

use super::{ExternalRef, Reference};
use crate::columns::FileKind;

/// The ids `enterprises.csv` defines, and the references to any other id.
#[derive(Debug, Default)]
pub(crate) struct References {
    // foldhash, seeded per process: a million ids are looked up several
    // times each, and SipHash was a visible share of reading a dataset.
    defined: HashMap<EnterpriseId, u64, RandomState>,
    external: Vec<ExternalRef>,
    external_index: HashMap<EnterpriseId, usize, RandomState>,
}

impl References {
    /// Records an id defined at `line` of the enterprises file; returns the
    /// line that defined it first when it is already defined.
    pub(crate) fn define(&mut self, id: &EnterpriseId, line: u64) -> Option<u64> {
        match self.defined.get(id) {
            Some(&first) => Some(first),
            None => {
                self.defined.insert(id.clone(), line);
                None
            }
        }
    }

    /// Records a use of `id`; one the dataset does not define is kept for the caller.
    pub(crate) fn used(&mut self, id: &EnterpriseId, file: FileKind, line: u64) {
        if self.defined.contains_key(id) {
            return;
        }
        let reference = Reference { file, line };
        match self.external_index.get(id) {
            Some(&index) => self.external[index].uses.push(reference),
            None => {
                self.external_index.insert(id.clone(), self.external.len());
                self.external.push(ExternalRef {
                    id: id.clone(),
                    uses: vec![reference],
                });
            }
        }
    }

    /// The ids used but not defined, in order of first use.
    pub(crate) fn into_external(self) -> Vec<ExternalRef> {
        self.external
    }
}
