//! Recognising an event already read: two rows are the same event when all
//! their format cells are equal as text (`Event::identity_key`).

use std::hash::BuildHasher;

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use hatchery_core::Event;

/// The events kept so far, as their positions in the kept list with the
/// hash of their identity: a large file costs two machine words and a
/// control byte per event on top of the events, with no allocation per
/// event, and growing the table never hashes an event again.
#[derive(Debug, Default)]
pub(crate) struct EventSet {
    kept: HashTable<(u64, usize)>,
    // Seeded per process, so crafted input cannot force collisions.
    hasher: foldhash::fast::RandomState,
}

impl EventSet {
    /// Whether `event` equals one of `kept`; if not, it is recorded as the
    /// event the caller is about to push at `kept.len()`.
    pub(crate) fn is_duplicate(&mut self, kept: &[Event], event: &Event) -> bool {
        let identity = event.identity_key();
        let hash = self.hasher.hash_one(&identity);
        // Equal hashes are compared in full: a collision is not a duplicate.
        let same = |&(other, at): &(u64, usize)| {
            other == hash && kept.get(at).is_some_and(|k| k.identity_key() == identity)
        };
        match self.kept.entry(hash, same, |&(hash, _)| hash) {
            Entry::Occupied(_) => true,
            Entry::Vacant(vacant) => {
                vacant.insert((hash, kept.len()));
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use hatchery_core::{EnterpriseId, EventKind};

    use super::*;

    fn event(id: &str, source: &str) -> Event {
        let on = jiff::civil::date(2020, 1, 2);
        Event {
            source: Some(source.to_owned()),
            ..Event::new(EnterpriseId::parse(id).unwrap(), on, EventKind::Funding)
        }
    }

    #[test]
    fn equal_rows_are_duplicates_and_differing_ones_are_not() {
        let mut set = EventSet::default();
        let mut kept = Vec::new();
        for (id, source) in [("E1", "a"), ("E1", "b"), ("E2", "a")] {
            let row = event(id, source);
            assert!(!set.is_duplicate(&kept, &row), "{id} {source} is new");
            kept.push(row);
        }
        assert!(set.is_duplicate(&kept, &event("E1", "b")));
        assert!(set.is_duplicate(&kept, &event("E2", "a")));
        assert!(!set.is_duplicate(&kept, &event("E2", "b")));
    }
}
