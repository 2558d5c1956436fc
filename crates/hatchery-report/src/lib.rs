//! The tracking report: for each as-of date, enterprises per tier with their
//! valuations and money raised; entries, promotions, demotions and exits by
//! cause since the previous date; counts by province, city, region,
//! high-tech zone, industry and tag, with the concentration over cities; and
//! the age at which enterprises reached each tier.
//!
//! [`build`] computes a [`Report`], every number of it, from a
//! [`Ledger`](hatchery_core::Ledger); [`render`] writes it as HTML (one file
//! that opens offline, charts included), XLSX, CSV (a folder), JSON (the
//! structure of `docs/REPORT-JSON.md`) or Markdown. The same inputs give the
//! same bytes: nothing reads the clock, and every collection is ordered.
//!
//! ```
//! use hatchery_core::{Ledger, RuleSet};
//! use hatchery_report::{Format, Lang, ReportOptions, Scope, build, render};
//! use jiff::civil::date;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ledger = Ledger::default();
//! let rules = RuleSet::builtin("gei")?;
//! let options = ReportOptions {
//!     scope: Some(Scope::parse("4403")?), // Shenzhen's own pipeline
//!     lang: Lang::En,
//!     ..ReportOptions::default()
//! };
//! let report = build(&ledger, &rules, &[date(2022, 12, 31), date(2023, 12, 31)], &options)?;
//! assert_eq!(report.snapshots.len(), 2);
//! let out = std::env::temp_dir().join("hatchery-report-doc");
//! render(&report, Format::Csv, &out)?; // a folder of CSV files
//! # std::fs::remove_dir_all(&out)?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod compute;
mod error;
mod highlights;
mod known;
mod model;
mod names;
mod options;
mod regions;
mod render;
mod tables;
mod targets;

pub use compute::{FirstReached, build, build_classified, build_reached};
pub use error::{ReportError, ScopeError};
pub use model::{
    AreaRow, Change, Concentration, ContextRow, ExitCause, ExitCauses, Flow, Highlight, KeyRow,
    PerTier, Quartiles, RegionInfo, RegionRow, Report, RuleSetInfo, SCHEMA, ScopeInfo, ScopeKind,
    Snapshot, TierFlow, TierInfo, TierKeys, TierTotals, TimeToTier, Transition,
};
pub use names::{KeyKind, division_name, key_name};
pub use options::{Lang, LangError, ReportOptions, Scope};
pub use regions::{Region, Regions};
pub use render::{
    Format, FormatError, ReportChart, chart_options, render, render_bytes, write_html, write_json,
    write_markdown,
};
pub use targets::{
    Candidate, CountedEnterprise, TargetProgress, TargetProgressError, counted_positions,
    target_progress,
};
