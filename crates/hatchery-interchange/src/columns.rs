//! The four files of a dataset and their columns, in the order the format
//! lists them (which is also the order the writers use).

use std::fmt;

/// One of the four files of a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// `enterprises.csv`: one enterprise per row.
    Enterprises,
    /// `events.csv`: one dated fact per row.
    Events,
    /// `fx.csv`: one exchange rate per row.
    Fx,
    /// `financials.csv`: one enterprise's year per row.
    Financials,
}

impl FileKind {
    /// Every file, in the order a dataset is read and written.
    pub const ALL: [Self; 4] = [Self::Enterprises, Self::Events, Self::Fx, Self::Financials];

    /// The file's place in [`ALL`](Self::ALL).
    pub(crate) fn position(self) -> usize {
        match self {
            Self::Enterprises => 0,
            Self::Events => 1,
            Self::Fx => 2,
            Self::Financials => 3,
        }
    }

    /// The file's name without extension, which is also its sheet's name in a workbook.
    pub fn stem(self) -> &'static str {
        match self {
            Self::Enterprises => "enterprises",
            Self::Events => "events",
            Self::Fx => "fx",
            Self::Financials => "financials",
        }
    }

    /// The CSV file's name, e.g. `events.csv`.
    pub fn csv_name(self) -> &'static str {
        match self {
            Self::Enterprises => "enterprises.csv",
            Self::Events => "events.csv",
            Self::Fx => "fx.csv",
            Self::Financials => "financials.csv",
        }
    }

    /// The XLSX file's name, e.g. `events.xlsx`.
    pub fn xlsx_name(self) -> &'static str {
        match self {
            Self::Enterprises => "enterprises.xlsx",
            Self::Events => "events.xlsx",
            Self::Fx => "fx.xlsx",
            Self::Financials => "financials.xlsx",
        }
    }

    /// Whether a dataset must have this file.
    pub fn is_required(self) -> bool {
        self == Self::Enterprises
    }

    /// The format's columns for this file, in the format's order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Self::Enterprises => ENTERPRISES,
            Self::Events => EVENTS,
            Self::Fx => FX,
            Self::Financials => FINANCIALS,
        }
    }

    /// The columns every file of this kind must have in its header.
    pub fn required_columns(self) -> &'static [&'static str] {
        match self {
            Self::Enterprises => &["id", "name", "founded"],
            Self::Events => &["enterprise", "date", "kind"],
            Self::Fx => FX,
            Self::Financials => &["enterprise", "year", "currency"],
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.stem())
    }
}

/// Columns of `enterprises.csv`.
pub const ENTERPRISES: &[&str] = &[
    "id",
    "name",
    "name_en",
    "uscc",
    "founded",
    "country",
    "region",
    "city",
    "zone",
    "industries",
    "tags",
];

/// Columns of `events.csv`.
pub const EVENTS: &[&str] = &[
    "enterprise",
    "date",
    "kind",
    "round",
    "amount",
    "valuation",
    "currency",
    "investors",
    "exchange",
    "region",
    "source",
];

/// Columns of `fx.csv`.
pub const FX: &[&str] = &["date", "currency", "per_usd"];

/// Columns of `financials.csv`.
pub const FINANCIALS: &[&str] = &[
    "enterprise",
    "year",
    "currency",
    "revenue",
    "rd_expense",
    "employees",
];

/// The prefix of the extra columns a file may carry beyond the format's own.
pub const EXTRA_PREFIX: &str = "x_";
