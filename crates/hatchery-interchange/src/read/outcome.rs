//! What a read gives back: the dataset, where each record came from, and the
//! enterprise ids left for the caller to resolve.

use std::collections::HashSet;

use hatchery_core::{Dataset, EnterpriseId};

use crate::columns::FileKind;
use crate::problem::{Problem, clip, sort_problems};

/// A dataset as read, with what the caller needs to finish checking and to
/// locate later complaints about its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetRead {
    /// The records, in file order.
    pub dataset: Dataset,
    /// Where each record came from.
    pub lines: RowLines,
    /// Enterprise ids that events or financials use but the dataset does not
    /// define: the caller checks them against its store
    /// (see [`check_external_refs`]).
    pub external_refs: Vec<ExternalRef>,
    /// Event rows dropped because an earlier row was the same event.
    pub duplicate_events_dropped: u64,
    /// `zone` cells that name no known national zone: kept as they are
    /// (the format allows any identifier) and reported in the summary.
    /// Cells that name a zone are stored as its one id.
    pub unresolved_zones: Vec<UnresolvedZone>,
}

/// A `zone` cell that resolved to no zone, kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnresolvedZone {
    /// The file as problems name it.
    pub file: String,
    /// The row's physical line.
    pub line: u64,
    /// The cell as written (trimmed).
    pub value: String,
    /// Why it did not resolve, with the nearest known zones.
    pub why: String,
}

impl std::fmt::Display for UnresolvedZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:zone: '{}' is no known national zone, kept as an unresolved zone ({})",
            self.file,
            self.line,
            clip(&self.value),
            self.why
        )
    }
}

impl DatasetRead {
    /// The ids in [`external_refs`](Self::external_refs), to look up in a store.
    pub fn external_ids(&self) -> Vec<EnterpriseId> {
        self.external_refs.iter().map(|r| r.id.clone()).collect()
    }
}

/// Where the records of one file came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLines {
    /// The file as problems name it: `events.csv`, `events.xlsx`, or
    /// `book.xlsx[events]` for a sheet of a workbook.
    pub file: String,
    /// The line (or spreadsheet row) of each record, in dataset order.
    pub lines: Vec<u64>,
}

/// Where every record of a dataset came from, so that a complaint about a
/// record by its position (as a store makes) can name `FILE:LINE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowLines {
    /// Records of `Dataset::enterprises`.
    pub enterprises: FileLines,
    /// Records of `Dataset::events` (dropped duplicates have none).
    pub events: FileLines,
    /// Records of `Dataset::fx`.
    pub fx: FileLines,
    /// Records of `Dataset::financials`.
    pub financials: FileLines,
}

impl RowLines {
    /// The lines of one file.
    pub fn of(&self, kind: FileKind) -> &FileLines {
        match kind {
            FileKind::Enterprises => &self.enterprises,
            FileKind::Events => &self.events,
            FileKind::Fx => &self.fx,
            FileKind::Financials => &self.financials,
        }
    }

    /// The line of the `index`-th record of a file (counting from 0).
    pub fn line(&self, kind: FileKind, index: usize) -> Option<u64> {
        self.of(kind).lines.get(index).copied()
    }

    /// A problem with a column of the `index`-th record of a file; without
    /// a line when there is no such record.
    pub fn problem(
        &self,
        kind: FileKind,
        index: usize,
        column: &str,
        message: impl Into<String>,
    ) -> Problem {
        let file = &self.of(kind).file;
        match self.line(kind, index) {
            Some(line) => Problem::cell(file, line, column, message),
            None => Problem::file(file, message),
        }
    }
}

/// One line that uses an enterprise id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// The file, events or financials.
    pub file: FileKind,
    /// The line (or spreadsheet row) in it.
    pub line: u64,
}

/// An enterprise id the dataset uses without defining it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalRef {
    /// The id, as written.
    pub id: EnterpriseId,
    /// Every line that uses it, events before financials, in file order.
    pub uses: Vec<Reference>,
}

/// Problems with the enterprise ids in `read.external_refs` that are not in
/// `stored` either: one per line that uses such an id.
pub fn check_external_refs(read: &DatasetRead, stored: &HashSet<EnterpriseId>) -> Vec<Problem> {
    let enterprises = &read.lines.enterprises.file;
    let mut problems: Vec<Problem> = read
        .external_refs
        .iter()
        .filter(|r| !stored.contains(&r.id))
        .flat_map(|r| {
            let message = format!(
                "unknown enterprise '{}' (not in {enterprises} nor in the store)",
                clip(r.id.as_str())
            );
            r.uses.iter().map(move |at| {
                Problem::cell(
                    &read.lines.of(at.file).file,
                    at.line,
                    "enterprise",
                    message.clone(),
                )
            })
        })
        .collect();
    sort_problems(&mut problems);
    problems
}
