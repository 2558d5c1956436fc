//! Interchange format v1 (`shared/spec/interchange-v1.md`): reading a dataset
//! folder of CSV (or XLSX) files into a [`Dataset`](hatchery_core::Dataset)
//! with every problem located as `FILE:LINE:COLUMN`, and writing datasets
//! back as CSV folders or one XLSX workbook.
//!
//! ```no_run
//! use std::collections::HashSet;
//! use std::path::Path;
//! use hatchery_interchange::{NoProgress, check_external_refs, read_dataset, write_dataset};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let read = match read_dataset(Path::new("data/import"), &mut NoProgress) {
//!     Ok(read) => read,
//!     Err(problems) => {
//!         problems.iter().for_each(|p| eprintln!("{p}")); // FILE:LINE:COLUMN: message
//!         return Err(problems.into());
//!     }
//! };
//! // Ids the dataset uses without defining them must already be stored.
//! let stored = HashSet::new();
//! for problem in check_external_refs(&read, &stored) {
//!     eprintln!("{problem}");
//! }
//! write_dataset(Path::new("data/export"), &read.dataset)?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod columns;
mod problem;
mod progress;
mod read;
mod rules;
mod write;

pub use columns::FileKind;
pub use problem::{ECHO_LIMIT, Problem, Problems, clip};
pub use progress::{NoProgress, Progress};
pub use read::{
    DatasetRead, ExternalRef, FileLines, Reference, RowLines, UnresolvedZone, check_external_refs,
    read_dataset,
};
pub use write::{DatasetWriter, ExtraColumns, WriteError, write_dataset, write_dataset_xlsx};
