//! Every backend-neutral story of `hatchery_store::conformance`, each on a
//! fresh PostgreSQL database of its own.

mod common;

hatchery_store::conformance_tests!(optional common::fresh_store);
