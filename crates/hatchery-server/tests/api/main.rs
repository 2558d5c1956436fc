//! The API, exercised as its users would: through the real router (and a
//! few times over real HTTP), on a fresh database per test.

mod audit;
mod bad_input;
mod chain;
mod concurrency;
mod helpers;
mod http;
mod idempotency;
mod matrix;
mod openapi;
