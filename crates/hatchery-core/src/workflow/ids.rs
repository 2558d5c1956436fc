//! The numbers the store assigns to the workflow's records, each its own
//! type so one cannot be passed where another is meant. On the wire they are
//! plain numbers.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Defines a store-assigned id: a transparent `i64` shown as its number.
macro_rules! store_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

store_id!(
    /// A cultivation-pool membership's number, as the store assigns it.
    PoolMemberId
);
store_id!(
    /// A re-evaluation proposal's number, as the store assigns it.
    ProposalId
);
store_id!(
    /// An evidence file's number, as the store assigns it.
    EvidenceId
);
store_id!(
    /// An objection's number, as the store assigns it.
    ObjectionId
);
store_id!(
    /// An enterprise's registration's number, as the store assigns it.
    RegistrationId
);
store_id!(
    /// A credential's (session's or API token's) number, as the store assigns it.
    CredentialId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_numbers_on_the_wire() {
        assert_eq!(serde_json::to_string(&ProposalId(42)).unwrap(), "42");
        assert_eq!(
            serde_json::from_str::<CredentialId>("7").unwrap(),
            CredentialId(7)
        );
        assert_eq!(PoolMemberId(3).to_string(), "3");
    }
}
