//! The API, exercised as its users would: through the real router (and a
//! few times over real HTTP), on a fresh SQLite database per test. The
//! `api_postgres` binary runs these same tests on PostgreSQL.

/// The database every test of this binary runs on.
const BACKEND: helpers::BackendKind = helpers::BackendKind::Sqlite;

mod audit;
mod bad_input;
mod cancellation;
mod catalogue;
mod chain;
mod concurrency;
mod directory;
mod helpers;
mod http;
mod idempotency;
mod matrix;
mod openapi;
mod operations;
mod policies;
mod profile;
mod public;
mod registrations;
mod requests;
mod signin;
mod stewards;
mod targets;
mod warm;
mod zones;
