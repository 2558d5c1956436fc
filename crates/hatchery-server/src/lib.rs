//! Hatchery's HTTP JSON API: the ministry–province workflow (accounts,
//! jurisdictions, declarations, public notices, the cultivation pool, the
//! audit log) and the ledger with its criteria engine, over axum.
//!
//! - [`Application::build`] opens the database and binds the address;
//!   `main` and the tests share it ([`Application::build_with`] takes a
//!   database and a clock of one's own).
//! - [`router`] is the whole application as an axum `Router`, for driving in
//!   process with `tower::ServiceExt::oneshot`.
//! - [`service`] holds what the command line calls without a server:
//!   [`service::reevaluate_pool`], [`service::verify_audit`],
//!   [`service::seed_shipped_zones`], and [`admin::create_account`].
//! - [`openapi`] is the OpenAPI 3.1 document served at `/api/openapi.json`.
#![forbid(unsafe_code)]

pub mod admin;
pub mod auth;
pub mod client;
pub mod clock;
pub mod credentials;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod password;
pub mod routes;
pub mod service;
pub mod settings;
pub mod startup;
pub mod state;
pub mod text;
pub mod throttle;
pub mod views;

pub use clock::{ManualClock, SystemClock};
pub use error::ApiError;
pub use routes::{openapi, router};
pub use settings::{DatabaseUrl, Settings};
pub use startup::{Application, StartupError, open_backend};
pub use state::{AppState, Backend};
