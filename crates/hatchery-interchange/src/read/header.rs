//! A file's header row: which cell holds which column.

use crate::columns::{EXTRA_PREFIX, FileKind};
use crate::problem::{Problem, clip};

use super::source::RawRow;

/// The columns of one file, resolved from its header row.
#[derive(Debug)]
pub(crate) struct Header {
    kind: FileKind,
    /// For each of the format's columns (in `kind.columns()` order), its cell.
    cells: Vec<Option<usize>>,
    /// The `x_` columns, with their cells, in header order.
    extras: Vec<(String, usize)>,
    /// How each cell's column is named in problems.
    names: Vec<String>,
}

impl Header {
    /// Resolves a header row, reporting unknown, duplicate, unnamed and missing
    /// required columns at the header's line.
    pub(crate) fn resolve(
        kind: FileKind,
        file: &str,
        row: RawRow,
        problems: &mut Vec<Problem>,
    ) -> Self {
        let line = row.line;
        let mut header = Self {
            kind,
            cells: vec![None; kind.columns().len()],
            extras: Vec::new(),
            names: Vec::with_capacity(row.cells.len()),
        };
        // Named cells only: an unnamed cell's stand-in name is no column.
        let mut named: Vec<(String, usize)> = Vec::new();
        for (index, cell) in row.cells.into_iter().enumerate() {
            let position = index + 1;
            let name = match cell {
                Ok(name) if name.is_empty() => {
                    problems.push(Problem::line(
                        file,
                        line,
                        format!("header cell {position} is empty; every column needs a name"),
                    ));
                    header.names.push(format!("column {position}"));
                    continue;
                }
                Ok(name) => name,
                Err(reason) => {
                    problems.push(Problem::line(
                        file,
                        line,
                        format!("header cell {position}: {reason}"),
                    ));
                    header.names.push(format!("column {position}"));
                    continue;
                }
            };
            let earlier = named.iter().find(|(n, _)| *n == name).map(|(_, i)| *i);
            if let Some(earlier) = earlier {
                problems.push(Problem::cell(
                    file,
                    line,
                    clip(&name),
                    format!(
                        "the column appears twice in the header (cells {} and {position})",
                        earlier + 1
                    ),
                ));
            } else if let Some(slot) = kind.columns().iter().position(|c| *c == name) {
                header.cells[slot] = Some(index);
            } else if name.starts_with(EXTRA_PREFIX) {
                header.extras.push((name.clone(), index));
            } else {
                problems.push(Problem::cell(
                    file,
                    line,
                    clip(&name),
                    format!(
                        "unknown column; {} has {}, and extra columns start with '{EXTRA_PREFIX}'",
                        kind.csv_name(),
                        kind.columns().join(", ")
                    ),
                ));
            }
            named.push((name.clone(), index));
            header.names.push(name);
        }
        for required in kind.required_columns() {
            if header.cell(required).is_none() {
                problems.push(Problem::cell(
                    file,
                    line,
                    *required,
                    "required column is missing from the header",
                ));
            }
        }
        header
    }

    /// How many cells every row must have.
    pub(crate) fn width(&self) -> usize {
        self.names.len()
    }

    /// The cell holding one of the format's columns, if the header has it.
    pub(crate) fn cell(&self, column: &str) -> Option<usize> {
        let slot = self.kind.columns().iter().position(|c| *c == column)?;
        self.cells.get(slot).copied().flatten()
    }

    /// The `x_` columns and their cells.
    pub(crate) fn extras(&self) -> &[(String, usize)] {
        &self.extras
    }

    /// The name of the column in a cell, for problems.
    pub(crate) fn name(&self, cell: usize) -> &str {
        self.names.get(cell).map_or("", String::as_str)
    }
}
