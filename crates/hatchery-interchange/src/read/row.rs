//! One data row, read column by column, with every problem recorded.

use std::fmt;

use hatchery_core::model::{Extra, split_list};

use super::header::Header;
use crate::problem::{Problem, clip, message_for};

/// What a row holds in one column.
enum Cell<'a> {
    /// The header has no such column, or the cell is empty.
    Absent,
    /// The cell could not be read; that is already reported.
    Unreadable,
    Text(&'a str),
}

/// A column of a row, parsed.
enum Parsed<T> {
    Value(T),
    /// Why the text is not a value.
    Invalid(String),
    Unreadable,
    Absent,
}

/// One data row of a file, matched to its header. Reading a column that is
/// wrong records a problem at this row's line and that column, and marks the
/// row as failed, so that every problem of a row is found before it is
/// dropped.
pub(crate) struct RowReader<'a> {
    file: &'a str,
    line: u64,
    header: &'a Header,
    cells: Vec<Result<String, String>>,
    problems: &'a mut Vec<Problem>,
    failed: bool,
}

impl<'a> RowReader<'a> {
    /// Matches a row's cells to the header, reporting the cells that could
    /// not be read. The row must be as wide as the header.
    pub(crate) fn new(
        file: &'a str,
        line: u64,
        header: &'a Header,
        cells: Vec<Result<String, String>>,
        problems: &'a mut Vec<Problem>,
    ) -> Self {
        let mut failed = false;
        for (index, cell) in cells.iter().enumerate() {
            if let Err(reason) = cell {
                let column = clip(header.name(index));
                problems.push(Problem::cell(file, line, column, reason.clone()));
                failed = true;
            }
        }
        Self {
            file,
            line,
            header,
            cells,
            problems,
            failed,
        }
    }

    /// The row's physical line.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// The file as problems name it.
    pub(crate) fn file(&self) -> &str {
        self.file
    }

    /// Whether any problem was found in this row.
    pub(crate) fn failed(&self) -> bool {
        self.failed
    }

    fn cell(&self, column: &str) -> Cell<'_> {
        let Some(index) = self.header.cell(column) else {
            return Cell::Absent;
        };
        match self.cells.get(index) {
            Some(Ok(text)) if !text.is_empty() => Cell::Text(text),
            Some(Err(_)) => Cell::Unreadable,
            _ => Cell::Absent,
        }
    }

    /// Whether the row has something in a column (even something unreadable).
    pub(crate) fn present(&self, column: &str) -> bool {
        !matches!(self.cell(column), Cell::Absent)
    }

    /// Records a problem with a column of this row.
    pub(crate) fn problem(&mut self, column: &str, message: impl Into<String>) {
        self.problems
            .push(Problem::cell(self.file, self.line, column, message));
        self.failed = true;
    }

    /// Parses a column that must have a value.
    pub(crate) fn required<T, E: fmt::Display>(
        &mut self,
        column: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match self.parse(column, parse) {
            Parsed::Value(value) => return Some(value),
            Parsed::Invalid(message) => self.problem(column, message),
            Parsed::Unreadable => {}
            // A column missing from the header is reported once, at the header.
            Parsed::Absent if self.header.cell(column).is_none() => self.failed = true,
            Parsed::Absent => self.problem(column, "required, but the cell is empty"),
        }
        None
    }

    /// Parses a column that may be empty.
    pub(crate) fn optional<T, E: fmt::Display>(
        &mut self,
        column: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match self.parse(column, parse) {
            Parsed::Value(value) => return Some(value),
            Parsed::Invalid(message) => self.problem(column, message),
            Parsed::Unreadable | Parsed::Absent => {}
        }
        None
    }

    /// Free text in a column that may be empty.
    pub(crate) fn optional_text(&self, column: &str) -> Option<String> {
        match self.cell(column) {
            Cell::Text(text) => Some(text.to_owned()),
            Cell::Unreadable | Cell::Absent => None,
        }
    }

    /// A `;`-separated list, items trimmed, empty items dropped.
    pub(crate) fn list(&self, column: &str) -> Vec<String> {
        match self.cell(column) {
            Cell::Text(text) => split_list(text).into_iter().map(str::to_owned).collect(),
            Cell::Unreadable | Cell::Absent => Vec::new(),
        }
    }

    /// The non-empty `x_` cells, by column name.
    pub(crate) fn extra(&self) -> Extra {
        self.header
            .extras()
            .iter()
            .filter_map(|(name, index)| match self.cells.get(*index) {
                Some(Ok(text)) if !text.is_empty() => Some((name.clone(), text.clone())),
                _ => None,
            })
            .collect()
    }

    fn parse<T, E: fmt::Display>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Parsed<T> {
        match self.cell(column) {
            Cell::Text(text) => match parse(text) {
                Ok(value) => Parsed::Value(value),
                Err(e) => Parsed::Invalid(message_for(&e, text)),
            },
            Cell::Unreadable => Parsed::Unreadable,
            Cell::Absent => Parsed::Absent,
        }
    }
}
