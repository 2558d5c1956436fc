//! Located problems with a dataset: `FILE:LINE:COLUMN: message`.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

/// How many characters of a cell a message echoes before cutting it short,
/// so that a 200 MB cell cannot flood a terminal.
pub const ECHO_LIMIT: usize = 60;

/// One problem with a dataset, located as precisely as it can be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file's name inside the dataset, e.g. `events.csv`.
    pub file: String,
    /// The physical line (the header is line 1), or the spreadsheet row.
    pub line: Option<u64>,
    /// The column, by its header name.
    pub column: Option<String>,
    /// What is wrong, with the offending value cut to [`ECHO_LIMIT`] characters.
    pub message: String,
}

impl Problem {
    /// A problem with a whole file (or the folder).
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A problem with a whole line.
    pub fn line(file: impl Into<String>, line: u64, message: impl Into<String>) -> Self {
        Self {
            line: Some(line),
            ..Self::file(file, message)
        }
    }

    /// A problem with one cell.
    pub fn cell(
        file: impl Into<String>,
        line: u64,
        column: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            line: Some(line),
            column: Some(column.into()),
            ..Self::file(file, message)
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = &self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// Everything wrong with a dataset, sorted by file, then line; problems on
/// one line keep the order of their columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(transparent)]
#[error("{} in the dataset; the first is {}", count(.0.len()), first(.0))]
pub struct Problems(pub Vec<Problem>);

fn count(n: usize) -> String {
    if n == 1 {
        "1 problem".to_owned()
    } else {
        format!("{n} problems")
    }
}

fn first(problems: &[Problem]) -> String {
    problems
        .first()
        .map_or_else(|| "missing".to_owned(), ToString::to_string)
}

impl Problems {
    /// Collects problems, sorted by file, then line.
    pub fn new(mut problems: Vec<Problem>) -> Self {
        sort_problems(&mut problems);
        Self(problems)
    }

    /// The problems, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Problem> {
        self.0.iter()
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl IntoIterator for Problems {
    type Item = Problem;
    type IntoIter = std::vec::IntoIter<Problem>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Problems {
    type Item = &'a Problem;
    type IntoIter = std::slice::Iter<'a, Problem>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Sorts problems by file, then line; a stable sort keeps the problems of
/// one line in column order.
pub(crate) fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
}

/// A value as a message shows it: whole when short, else its first
/// [`ECHO_LIMIT`] characters and an ellipsis.
pub fn clip(value: &str) -> Cow<'_, str> {
    // A byte length within the limit cannot hold more characters than that.
    if value.len() <= ECHO_LIMIT {
        return Cow::Borrowed(value);
    }
    match value.char_indices().nth(ECHO_LIMIT) {
        Some((cut, _)) => Cow::Owned(format!("{}…", &value[..cut])),
        None => Cow::Borrowed(value),
    }
}

/// The message of a parse error, with any echo of an over-long `value` cut
/// short (the core's errors quote the whole text they refused).
pub(crate) fn message_for(error: &dyn fmt::Display, value: &str) -> String {
    let message = error.to_string();
    match clip(value) {
        Cow::Borrowed(_) => message,
        Cow::Owned(short) => message.replace(value, &short),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_degrades_with_what_is_known() {
        assert_eq!(
            Problem::cell("events.csv", 17, "valuation", "bad").to_string(),
            "events.csv:17:valuation: bad"
        );
        assert_eq!(
            Problem::line("events.csv", 17, "bad").to_string(),
            "events.csv:17: bad"
        );
        assert_eq!(
            Problem::file("enterprises.csv", "missing").to_string(),
            "enterprises.csv: missing"
        );
    }

    #[test]
    fn problems_sort_by_file_then_line_keeping_column_order() {
        let problems = Problems::new(vec![
            Problem::cell("fx.csv", 2, "date", "a"),
            Problem::cell("events.csv", 9, "kind", "b"),
            Problem::cell("events.csv", 3, "kind", "c"),
            Problem::cell("events.csv", 3, "date", "d"),
            Problem::file("events.csv", "e"),
        ]);
        let messages: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages, ["e", "c", "d", "b", "a"]);
        assert_eq!(
            problems.to_string(),
            "5 problems in the dataset; the first is events.csv: e"
        );
    }

    #[test]
    fn long_values_are_clipped_on_a_character_boundary() {
        assert_eq!(clip("short"), "short");
        let long = "字".repeat(100);
        let clipped = clip(&long);
        assert_eq!(clipped.chars().count(), ECHO_LIMIT + 1);
        assert!(clipped.ends_with('…'));
        let message = message_for(&format!("'{long}' is bad"), &long);
        assert!(message.len() < 300, "{message}");
    }
}
