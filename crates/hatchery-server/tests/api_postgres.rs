//! The API tests of `tests/api`, every one on a fresh PostgreSQL database of
//! its own (dropped afterwards). Without a reachable server they pass
//! saying they were skipped, unless `HATCHERY_REQUIRE_POSTGRES=1` (as in CI),
//! where they fail. The OpenAPI snapshot does not depend on the database and
//! runs in `api` only.

/// The database every test of this binary runs on.
const BACKEND: helpers::BackendKind = helpers::BackendKind::Postgres;

#[path = "api/audit.rs"]
mod audit;
#[path = "api/bad_input.rs"]
mod bad_input;
#[path = "api/cancellation.rs"]
mod cancellation;
#[path = "api/catalogue.rs"]
mod catalogue;
#[path = "api/chain.rs"]
mod chain;
#[path = "api/concurrency.rs"]
mod concurrency;
#[path = "api/directory.rs"]
mod directory;
#[path = "api/helpers.rs"]
mod helpers;
#[path = "api/http.rs"]
mod http;
#[path = "api/idempotency.rs"]
mod idempotency;
#[path = "api/matrix.rs"]
mod matrix;
#[path = "api/policies.rs"]
mod policies;
#[path = "api/profile.rs"]
mod profile;
#[path = "api/public.rs"]
mod public;
#[path = "api/registrations.rs"]
mod registrations;
#[path = "api/requests.rs"]
mod requests;
#[path = "api/signin.rs"]
mod signin;
#[path = "api/stewards.rs"]
mod stewards;
#[path = "api/targets.rs"]
mod targets;
#[path = "api/warm.rs"]
mod warm;
#[path = "api/zones.rs"]
mod zones;
