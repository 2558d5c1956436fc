//! Hatchery's HTTP JSON API: the ministry–province workflow (accounts,
//! jurisdictions, declarations, public notices, the cultivation pool, the
//! audit log) and the ledger with its criteria engine, over axum.
//!
//! - [`Application::build`] opens the database and binds the address;
//!   `main` and the tests share it ([`Application::build_with`] takes a
//!   database and a clock of one's own).
//! - [`router`] is the whole application as an axum `Router`, for driving in
//!   process with `tower::ServiceExt::oneshot`.
//! - The work the command line shares with the API (opening a backend,
//!   re-evaluating the pool, verifying the audit chain, seeding zones,
//!   creating accounts, the rule book) lives in `hatchery-app`; it is
//!   re-exported here as [`service`], [`admin`], [`password`] and [`clock`].
//! - [`openapi`] is the OpenAPI 3.1 document served at `/api/openapi.json`.
#![forbid(unsafe_code)]

pub mod auth;
pub mod client;
pub mod credentials;
pub mod detach;
pub mod directory;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod kept;
pub mod routes;
pub mod settings;
pub mod startup;
pub mod state;
pub mod text;
pub mod throttle;
pub mod views;
pub mod warm;

pub use error::ApiError;
pub use hatchery_app::{Backend, DatabaseUrl, ManualClock, Opening, SystemClock, clock, password};
pub use routes::{openapi, router};
pub use settings::Settings;
pub use startup::{Application, StartupError};
pub use state::AppState;

/// Opens the backend a URL names, creating and migrating it
/// ([`hatchery_app::open_backend`] for the server's use).
pub async fn open_backend(
    url: &DatabaseUrl,
) -> Result<std::sync::Arc<dyn Backend>, hatchery_app::OpenError> {
    hatchery_app::open_backend(url, Opening::CreateOrMigrate).await
}

/// The shared services the API calls (re-exported from `hatchery-app`).
pub mod service {
    pub use hatchery_app::audit::{
        AuditVerification, CheckpointRefused, take_checkpoint, verify_audit, verify_audit_against,
    };
    pub use hatchery_app::pool::{
        PoolError, ReevaluationReport, SkippedMember, active_members, reevaluate_pool,
    };
    pub use hatchery_app::zones::{ZoneSeedReport, seed_shipped_zones};
}

/// Accounts made outside the API (re-exported from `hatchery-app`).
pub mod admin {
    pub use hatchery_app::accounts::{AccountError, NewUser, create_account};
}
