//! Hatchery's application services: the work the HTTP server and the
//! command line share, so that neither goes through the other.
//!
//! - [`backend`]: the [`Backend`] (ledger [`Store`](hatchery_store::Store)
//!   and [`WorkflowStore`](hatchery_store::workflow::WorkflowStore) in one)
//!   and [`open_backend`], the one place a database URL becomes a backend.
//! - [`pool`]: re-evaluating the cultivation pool as of a day.
//! - [`audit`]: verifying the audit chain.
//! - [`zones`]: seeding the shipped list of national zones.
//! - [`accounts`]: creating an account, its password hashed by [`password`].
//! - [`rules`]: the [`RuleBook`] of built-in and added rule sets.
//! - [`clock`]: the system clock and a manual one for tests.
//!
//! Each service takes the backend and the clock it needs and returns a
//! typed error; the server maps those to HTTP statuses and the command line
//! to exit codes, each in one place.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod audit;
pub mod backend;
pub mod clock;
pub mod password;
pub mod pool;
pub mod rules;
pub mod zones;

/// Online backups of the embedded SQLite store and their restoring (a
/// PostgreSQL store uses PostgreSQL's own tools).
pub use hatchery_sqlite::backup;

pub use backend::{Backend, DatabaseUrl, OpenError, Opening, open_backend};
pub use clock::{ManualClock, SystemClock};
pub use rules::{RuleBook, RuleEntry};

use hatchery_core::workflow::Clock;
use hatchery_store::workflow::Acting;

/// The actor of what the system does by itself, named `system:LABEL` in
/// the audit log (`system:cli`, `system:seed`).
pub fn system(clock: &dyn Clock, label: &str) -> Acting {
    Acting {
        at: clock.now(),
        actor: None,
        actor_name: format!("system:{label}"),
    }
}
