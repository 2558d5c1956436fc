//! Everything that can stop a report from being built or written.

use std::path::PathBuf;

/// Why a report could not be built or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A report needs at least one as-of date.
    #[error("a report needs at least one as-of date")]
    NoDates,
    /// A classification given to build from has dates out of order or
    /// repeated.
    #[error("a report's dates must ascend without repeats")]
    UnorderedDates,
    /// The rule set has no tiers to report on.
    #[error("rule set '{0}' has no tiers")]
    NoTiers(String),
    /// The `--scope` text names neither a province, a city nor a zone.
    #[error(transparent)]
    Scope(#[from] ScopeError),
    /// A region definition file is not valid.
    #[error("region definitions: {0}")]
    Regions(String),
    /// A sum of money overflowed the 96-bit decimal range.
    #[error("the total {what} on {date} is too large to add up exactly")]
    Overflow {
        /// Which total, e.g. `valuation`.
        what: &'static str,
        /// The as-of date of the total.
        date: jiff::civil::Date,
    },
    /// A calendar computation failed (dates outside jiff's range).
    #[error("date arithmetic")]
    Date(#[from] jiff::Error),
    /// Reading or writing a file or folder failed.
    #[error("{path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// Writing a CSV file failed.
    #[error("{path}")]
    Csv {
        /// The CSV file.
        path: PathBuf,
        /// What went wrong.
        source: csv::Error,
    },
    /// Writing the XLSX workbook failed.
    #[error("{path}")]
    Xlsx {
        /// The workbook.
        path: PathBuf,
        /// What went wrong.
        source: rust_xlsxwriter::XlsxError,
    },
    /// Serialising the report as JSON failed.
    #[error("{path}")]
    Json {
        /// The JSON file.
        path: PathBuf,
        /// What went wrong.
        source: serde_json::Error,
    },
}

/// Why a text is not a report scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// Empty text.
    #[error("a scope is a province (44 or 440000), a city (4403 or 440300) or a zone id")]
    Empty,
    /// Digits, but not a province or a city code.
    #[error(
        "'{0}' is not a province (2 digits or NN0000) or a city (4 digits or NNNN00); write zone:{0} for a zone id made of digits"
    )]
    NotProvinceOrCity(String),
    /// A province or city code the division table does not know.
    #[error("{code} is not a province or city of the division table; the nearest are {nearest}")]
    UnknownDivision {
        /// The six-digit code asked for.
        code: String,
        /// The nearest known codes with their names, comma-separated.
        nearest: String,
    },
    /// A zone that no enterprise carries and the zone catalog does not name.
    #[error(
        "no enterprise is registered in zone '{zone}' and the zone catalog does not name it; the nearest known zones are {nearest}"
    )]
    UnknownZone {
        /// The zone id asked for.
        zone: String,
        /// The nearest known zone ids with their names, comma-separated.
        nearest: String,
    },
}
