//! Recognising a repeated event: two rows are the same event when all their
//! format cells are equal as text (`Event::identity_key`), and the spec drops
//! the later one. Used by the reader on millions of rows and by the ledger.

use std::hash::BuildHasher;

use crate::model::Event;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

/// The distinct events seen so far, as their positions in a list the
/// caller keeps, with the hash of their identity: two machine words and a
/// control byte per event, no allocation per event, and growing the table
/// never hashes an event again.
#[derive(Debug, Default)]
pub struct EventSet {
    positions: HashTable<(u64, usize)>,
    // Seeded per process, so crafted input cannot force collisions.
    hasher: foldhash::fast::RandomState,
}

impl EventSet {
    /// Whether `event` equals an event already recorded, each recorded
    /// position being one of `events`; if not, it is recorded at `position`.
    pub fn is_repeat(&mut self, events: &[Event], event: &Event, position: usize) -> bool {
        let identity = event.identity_key();
        let hash = self.hasher.hash_one(&identity);
        // Equal hashes are compared in full: a collision is not a repeat.
        let same = |&(other, at): &(u64, usize)| {
            other == hash && events.get(at).is_some_and(|e| e.identity_key() == identity)
        };
        match self.positions.entry(hash, same, |&(hash, _)| hash) {
            Entry::Occupied(_) => true,
            Entry::Vacant(vacant) => {
                vacant.insert((hash, position));
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EnterpriseId, EventKind};

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
            assert!(
                !set.is_repeat(&kept, &row, kept.len()),
                "{id} {source} is new"
            );
            kept.push(row);
        }
        assert!(set.is_repeat(&kept, &event("E1", "b"), kept.len()));
        assert!(set.is_repeat(&kept, &event("E2", "a"), kept.len()));
        assert!(!set.is_repeat(&kept, &event("E2", "b"), kept.len()));
    }
}
