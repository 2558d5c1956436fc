//! The fingerprint that decides whether two events are the same event.

use hatchery_core::Event;
use sha2::{Digest, Sha256};

/// Names the scheme, so that a future change of the identity columns cannot
/// collide with fingerprints written by this one.
const SCHEME: &[u8] = b"hatchery/event-identity/v1";

/// A SHA-256 fingerprint of an event's format columns
/// ([`Event::identity_cells`]): two events are the same event exactly when
/// their identities are equal. Backends keep it under a unique index, which
/// makes "drop rows equal to a stored one" a constraint instead of a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventIdentity([u8; 32]);

impl EventIdentity {
    /// The identity of `event`.
    pub fn of(event: &Event) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(SCHEME);
        // Each cell is prefixed with its length, so that moving text from one
        // cell to its neighbour (`"ab","c"` against `"a","bc"`) changes the hash.
        event.for_each_identity_cell(|cell| {
            hasher.update((cell.len() as u64).to_le_bytes());
            hasher.update(cell.as_bytes());
        });
        Self(hasher.finalize().into())
    }

    /// The 32 bytes, as stored.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hatchery_core::{Amount, EnterpriseId, EventKind};
    use jiff::civil::date;

    fn funding(round: Option<&str>, source: Option<&str>) -> Event {
        let id = EnterpriseId::parse("e1").unwrap();
        Event {
            round: round.map(str::to_owned),
            source: source.map(str::to_owned),
            ..Event::new(id, date(2023, 1, 1), EventKind::Funding)
        }
    }

    #[test]
    fn equal_events_have_equal_identities() {
        let a = funding(Some("A"), None);
        assert_eq!(EventIdentity::of(&a), EventIdentity::of(&a.clone()));
    }

    #[test]
    fn text_cannot_slide_between_cells() {
        // round "Ax" + empty investors… against round "A" + investors "x" would
        // hash alike if the cells were simply concatenated.
        let mut left = funding(Some("Ax"), None);
        let mut right = funding(Some("A"), None);
        right.investors = Some("x".to_owned());
        assert_ne!(EventIdentity::of(&left), EventIdentity::of(&right));
        left.investors = Some(String::new());
        right.round = Some("Ax".to_owned());
        right.investors = None;
        // An empty cell and an absent one are the same cell.
        assert_eq!(EventIdentity::of(&left), EventIdentity::of(&right));
    }

    #[test]
    fn amount_text_counts_and_extras_do_not() {
        let mut a = funding(None, None);
        a.amount = Some(Amount::parse("100").unwrap());
        let mut b = a.clone();
        b.amount = Some(Amount::parse("100.00").unwrap());
        assert_ne!(EventIdentity::of(&a), EventIdentity::of(&b));
        let mut c = a.clone();
        c.extra.insert("x_note".to_owned(), "seen".to_owned());
        assert_eq!(EventIdentity::of(&a), EventIdentity::of(&c));
    }
}
