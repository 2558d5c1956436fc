//! The fresh-database harness, shared with other crates' tests.

pub use hatchery_postgres::testing::*;
