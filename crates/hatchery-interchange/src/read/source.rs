//! Rows as they come out of a file, before any column means anything.

use crate::problem::Problem;

/// One row of a file: where it starts and its cells, trimmed of surrounding
/// spaces. A cell with no text to give (not UTF-8, a spreadsheet error) holds
/// the reason instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRow {
    /// The physical line the row starts on (the header is line 1), or the
    /// spreadsheet row number.
    pub line: u64,
    pub cells: Vec<Result<String, String>>,
}

/// The rows of one file, header first. Blank lines are skipped.
pub(crate) trait Rows {
    /// The next row, `None` at the end; a problem here ends the file.
    fn next_row(&mut self) -> Result<Option<RawRow>, Problem>;

    /// How many bytes of the file have been consumed.
    fn position(&self) -> u64;
}

/// Trims the format's padding: U+0020 only, not tabs or other white space.
pub(crate) fn trim(text: &str) -> &str {
    text.trim_matches(' ')
}
