//! Recognising an event already read: two rows are the same event when all
//! their format cells are equal as text (`Event::identity_key`).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use hatchery_core::Event;

/// The events kept so far, by a hash of their identity. Only hashes and
/// positions are held (the events themselves stay in the dataset), so a
/// large file costs a few machine words per event on top of the events.
#[derive(Debug, Default)]
pub(crate) struct EventSet {
    by_hash: HashMap<u64, Vec<usize>>,
}

impl EventSet {
    /// Whether `event` equals one of `kept`; if not, it is recorded as the
    /// event the caller is about to push at `kept.len()`.
    pub(crate) fn is_duplicate(&mut self, kept: &[Event], event: &Event) -> bool {
        let identity = event.identity_key();
        let mut hasher = DefaultHasher::new();
        identity.hash(&mut hasher);
        let same = self.by_hash.entry(hasher.finish()).or_default();
        // Equal hashes are compared in full: a collision is not a duplicate.
        if same
            .iter()
            .any(|&i| kept.get(i).is_some_and(|k| k.identity_key() == identity))
        {
            return true;
        }
        same.push(kept.len());
        false
    }
}
