//! Test support for fuzzing the parsers that take outside input, on the
//! stable toolchain (`cargo fuzz` needs nightly): [`config`] sizes a
//! proptest run, [`Mutation`]s damage valid files the ways real files go
//! wrong, and [`odd_text`] holds the cell values parsers trip over.
//!
//! The harnesses live in each crate's `tests/fuzz*.rs`; a run of the
//! default size is part of `cargo test`, and `HATCHERY_FUZZ_CASES=100000`
//! makes a long one (see `docs/SECURITY.md`).
#![forbid(unsafe_code)]

mod mutate;
mod odd;
mod toml_text;
mod workbook;

pub use mutate::{Mutation, mutate, mutations};
pub use odd::{odd_json, odd_text};
pub use proptest;
pub use toml_text::damaged_toml;
pub use workbook::rewrite_workbook;

use proptest::test_runner::Config;

/// The environment variable that sets how many inputs each harness tries.
pub const CASES_VARIABLE: &str = "HATCHERY_FUZZ_CASES";

/// Proptest's settings for a harness: `HATCHERY_FUZZ_CASES` inputs when it
/// is set, else proptest's default (256, or `PROPTEST_CASES`), which keeps
/// an ordinary `cargo test` to seconds. Failures are not written to
/// `proptest-regressions` files: each one found becomes a named regression
/// test instead.
pub fn config() -> Config {
    let default = Config::default();
    let cases = std::env::var(CASES_VARIABLE)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(default.cases);
    Config {
        cases,
        failure_persistence: None,
        ..default
    }
}
