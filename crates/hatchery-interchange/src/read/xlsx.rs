//! Rows of an XLSX worksheet, as text.
//!
//! Cells become the text a CSV cell would hold: strings as they are; whole
//! numbers without a decimal point (`150000000`, not `150000000.0`); other
//! numbers in the shortest form that reads back as the same binary value
//! (`7.0827`), never with an exponent; booleans as `TRUE` or `FALSE`; date
//! cells as `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS` when they carry a time
//! (which a date column then refuses). A spreadsheet keeps numbers as binary
//! floating point with about 15 significant digits, so amounts that must stay
//! exact beyond that (or keep trailing zeros, like `100.00`) belong in text
//! cells.

use std::any::Any;
use std::fs::File;
use std::io::BufReader;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use calamine::{Data, ExcelDateTime, Range, Reader, Xlsx};

use super::source::{RawRow, Rows, trim};
use crate::problem::Problem;

/// An open workbook.
pub(crate) struct Workbook {
    name: String,
    book: Xlsx<BufReader<File>>,
}

impl Workbook {
    /// Opens a workbook; `name` is how problems refer to it.
    pub(crate) fn open(path: &Path, name: &str) -> Result<Self, Problem> {
        let book = guarded(name, "cannot read the workbook", || {
            calamine::open_workbook(path)
                .map_err(|e| Problem::file(name, format!("cannot read the workbook: {e}")))
        })?;
        Ok(Self {
            name: name.to_owned(),
            book,
        })
    }

    /// The names of its sheets, in order.
    pub(crate) fn sheet_names(&self) -> Vec<String> {
        self.book.sheet_names()
    }

    /// The rows of a sheet; `name` is how problems refer to the sheet.
    pub(crate) fn sheet(&mut self, sheet: &str, name: &str) -> Result<SheetRows, Problem> {
        guarded(name, "cannot read the worksheet", || {
            let range = self
                .book
                .worksheet_range(sheet)
                .map_err(|e| Problem::file(name, format!("cannot read the worksheet: {e}")))?;
            Ok(SheetRows::new(range))
        })
    }

    /// The rows of the first sheet.
    pub(crate) fn first_sheet(&mut self) -> Result<SheetRows, Problem> {
        let name = &self.name;
        let book = &mut self.book;
        guarded(name, "cannot read the worksheet", || {
            let range = book
                .worksheet_range_at(0)
                .ok_or_else(|| Problem::file(name, "the workbook has no worksheet"))?
                .map_err(|e| Problem::file(name, format!("cannot read the worksheet: {e}")))?;
            Ok(SheetRows::new(range))
        })
    }
}

/// Runs a step of the spreadsheet reader, making a panic in it a problem
/// with the file: calamine indexes tables by numbers the file gives, so a
/// damaged workbook can make it panic (0.31 indexes the shared strings with
/// a cell's number unchecked).
fn guarded<T>(
    name: &str,
    what: &str,
    step: impl FnOnce() -> Result<T, Problem>,
) -> Result<T, Problem> {
    catch_unwind(AssertUnwindSafe(step)).unwrap_or_else(|panic| {
        Err(Problem::file(
            name,
            format!(
                "{what}: the file is damaged ({})",
                panic_text(panic.as_ref())
            ),
        ))
    })
}

fn panic_text(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("the spreadsheet reader stopped")
}

/// The rows of a worksheet, converted to text when the sheet is opened. Its
/// first row is the header: cells past the header's last named column must be
/// blank, and rows with no value at all are skipped, as blank lines are in CSV.
pub(crate) struct SheetRows {
    rows: std::vec::IntoIter<RawRow>,
}

impl SheetRows {
    fn new(range: Range<Data>) -> Self {
        let first_row = range.start().map_or(0, |(row, _)| u64::from(row));
        let mut header_width = None;
        let mut rows = Vec::with_capacity(range.height());
        // Spreadsheet rows are numbered from 1.
        for (line, cells) in (first_row + 1..).zip(range.rows()) {
            let Some(last_value) = cells.iter().rposition(|c| !is_blank(c)) else {
                continue;
            };
            let width = *header_width.get_or_insert(last_value + 1);
            // A value past the header's last column keeps the row wider than
            // the header, which the caller reports with the row's line.
            let kept = width.max(last_value + 1);
            let cells = cells.iter().take(kept).map(cell_text).collect();
            rows.push(RawRow { line, cells });
        }
        Self {
            rows: rows.into_iter(),
        }
    }
}

impl Rows for SheetRows {
    fn next_row(&mut self) -> Result<Option<RawRow>, Problem> {
        Ok(self.rows.next())
    }

    fn position(&self) -> u64 {
        // The whole sheet is read when it is opened.
        0
    }
}

fn is_blank(data: &Data) -> bool {
    match data {
        Data::Empty => true,
        Data::String(s) => trim(s).is_empty(),
        _ => false,
    }
}

/// The text of a cell, or why it has none.
fn cell_text(data: &Data) -> Result<String, String> {
    Ok(match data {
        Data::Empty => String::new(),
        Data::String(s) => trim(s).to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(dt) if dt.is_datetime() => date_time_text(dt),
        Data::DateTime(dt) => number_text(dt.as_f64()),
        Data::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("the cell holds the spreadsheet error {e}")),
    })
}

/// Rust prints a float in the shortest form that reads back as the same
/// value, without an exponent, and whole values without a fraction.
fn number_text(value: f64) -> String {
    // -0 would read as a negative number.
    if value == 0.0 {
        return "0".to_owned();
    }
    value.to_string()
}

fn date_time_text(dt: &ExcelDateTime) -> String {
    let (year, month, day, hour, minute, second, milli) = dt.to_ymd_hms_milli();
    if (hour, minute, second, milli) == (0, 0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn numbers_read_as_plain_decimals() {
        assert_eq!(number_text(150_000_000.0), "150000000");
        assert_eq!(number_text(7.0827), "7.0827");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(2.5e8), "250000000");
        assert_eq!(number_text(1e-7), "0.0000001");
        assert_eq!(cell_text(&Data::Int(42)), Ok("42".to_owned()));
    }

    #[test]
    fn date_cells_read_as_iso_dates() {
        let date = ExcelDateTime::new(45289.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(
            cell_text(&Data::DateTime(date)),
            Ok("2023-12-29".to_owned())
        );
        let noon = ExcelDateTime::new(45289.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(
            cell_text(&Data::DateTime(noon)),
            Ok("2023-12-29T12:00:00".to_owned())
        );
        assert_eq!(
            cell_text(&Data::DateTimeIso("2023-12-29T00:00:00".to_owned())),
            Ok("2023-12-29".to_owned())
        );
    }

    #[test]
    fn error_cells_have_no_text() {
        let error = cell_text(&Data::Error(calamine::CellErrorType::Div0));
        assert!(error.is_err_and(|e| e.contains("#DIV/0!")));
    }
}
