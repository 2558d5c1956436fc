//! The report as an XLSX workbook: an "about" sheet, then one sheet per
//! table with its header row frozen and every number stored as a number.

use std::collections::BTreeSet;
use std::path::Path;

use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::error::ReportError;
use crate::model::Report;
use crate::tables::{Cell, Table, labels, tables};

/// Excel's limit on a sheet name's length.
const SHEET_NAME_MAX: usize = 31;

/// A sheet name Excel accepts, unique in the workbook.
fn sheet_name(title: &str, taken: &mut BTreeSet<String>) -> String {
    let clean: String = title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\''))
        .take(SHEET_NAME_MAX)
        .collect();
    let mut name = clean.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        let suffix = format!(" {n}");
        let keep = SHEET_NAME_MAX - suffix.chars().count();
        name = clean.chars().take(keep).collect::<String>() + &suffix;
        n += 1;
    }
    name
}

struct Formats {
    header: Format,
    date: Format,
    int: Format,
    share: Format,
    two: Format,
    four: Format,
    note: Format,
    signed: Format,
    signed_share: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            header: Format::new()
                .set_bold()
                .set_background_color(0xDDE4EE)
                .set_text_wrap(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            int: Format::new().set_num_format("#,##0"),
            share: Format::new().set_num_format("0.00%"),
            two: Format::new().set_num_format("#,##0.00"),
            four: Format::new().set_num_format("0.0000"),
            note: Format::new().set_text_wrap(),
            signed: Format::new().set_num_format("+#,##0;-#,##0;0"),
            signed_share: Format::new().set_num_format("+0.0%;-0.0%;0.0%"),
        }
    }
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    cell: &Cell,
    f: &Formats,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(text) => sheet.write_string(row, column, text).map(drop),
        // Counts of enterprises are far below 2^53, exact as Excel numbers.
        Cell::Int(n) => sheet
            .write_number_with_format(row, column, *n as f64, &f.int)
            .map(drop),
        Cell::Number { value, dp } => {
            let format = if *dp > 2 { &f.four } else { &f.two };
            let number = value.to_f64().unwrap_or(f64::NAN);
            sheet
                .write_number_with_format(row, column, number, format)
                .map(drop)
        }
        Cell::Share(share) => {
            let number = share.to_f64().unwrap_or(f64::NAN);
            sheet
                .write_number_with_format(row, column, number, &f.share)
                .map(drop)
        }
        Cell::Date(date) => {
            let day =
                ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8)?;
            sheet
                .write_datetime_with_format(row, column, &day, &f.date)
                .map(drop)
        }
        Cell::Signed(n) => sheet
            .write_number_with_format(row, column, *n as f64, &f.signed)
            .map(drop),
        Cell::SignedShare(share) => {
            let number = share.to_f64().unwrap_or(f64::NAN);
            sheet
                .write_number_with_format(row, column, number, &f.signed_share)
                .map(drop)
        }
        Cell::Empty => Ok(()),
    }
}

/// Display width of a text in Excel's units: CJK characters count double.
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
        .sum()
}

fn write_table(sheet: &mut Worksheet, table: &Table, f: &Formats) -> Result<(), XlsxError> {
    for (column, header) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, header, &f.header)?;
        // Wide enough for the header, the longest text below it and a
        // ten-digit number.
        let longest = table
            .rows
            .iter()
            .filter_map(|row| match row.get(column) {
                Some(Cell::Text(text)) => Some(text_width(text)),
                _ => None,
            })
            .fold(text_width(header), f64::max);
        sheet.set_column_width(column as u16, (longest + 2.0).clamp(12.0, 48.0))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (at, row) in table.rows.iter().enumerate() {
        for (column, cell) in row.iter().enumerate() {
            write_cell(sheet, at as u32 + 1, column as u16, cell, f)?;
        }
    }
    Ok(())
}

fn workbook(report: &Report) -> Result<Workbook, XlsxError> {
    let l = labels(report.lang);
    let f = Formats::new();
    let mut book = Workbook::new();
    // The creation time is the last as-of date, not the clock: the same
    // report gives the same bytes.
    let last = report.dates.last().copied().unwrap_or_default();
    let created =
        ExcelDateTime::from_ymd(last.year() as u16, last.month() as u8, last.day() as u8)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(l.report_title)
            .set_creation_datetime(&created),
    );
    let tables = tables(report);
    let mut taken = BTreeSet::new();

    let about = book.add_worksheet();
    about.set_name(sheet_name(l.about, &mut taken))?;
    about.set_column_width(0, 24)?;
    about.set_column_width(1, 100)?;
    let scope = report.scope.as_ref().map_or_else(
        || l.nationwide.to_owned(),
        |s| format!("{} ({})", s.name, s.code),
    );
    let dates: Vec<String> = report.dates.iter().map(ToString::to_string).collect();
    let rule_set = format!(
        "{} ({}@{})",
        report.rule_set.title, report.rule_set.key, report.rule_set.version
    );
    let mut lines = vec![
        (l.rule_set.to_owned(), rule_set),
        (l.scope.to_owned(), scope),
        (l.as_of_dates.to_owned(), dates.join(", ")),
    ];
    lines.extend(
        report
            .highlights
            .iter()
            .map(|h| (l.highlights.to_owned(), h.text.clone())),
    );
    lines.extend(
        tables
            .iter()
            .filter_map(|t| t.note.map(|n| (t.title.clone(), n.to_owned()))),
    );
    for (row, (key, value)) in lines.iter().enumerate() {
        about.write_string_with_format(row as u32, 0, key, &f.header)?;
        about.write_string_with_format(row as u32, 1, value, &f.note)?;
    }

    for table in &tables {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(&table.title, &mut taken))?;
        write_table(sheet, table, &f)?;
    }
    Ok(book)
}

/// The workbook's bytes.
pub(super) fn bytes(report: &Report) -> Result<Vec<u8>, ReportError> {
    workbook(report)
        .and_then(|mut b| b.save_to_buffer())
        .map_err(|source| ReportError::Xlsx {
            path: Path::new("report.xlsx").to_owned(),
            source,
        })
}

/// Writes the workbook to `path`.
pub(super) fn write(report: &Report, path: &Path) -> Result<(), ReportError> {
    let fail = |source| ReportError::Xlsx {
        path: path.to_owned(),
        source,
    };
    let bytes = workbook(report)
        .and_then(|mut b| b.save_to_buffer())
        .map_err(fail)?;
    super::to_file(path, |out| std::io::Write::write_all(out, &bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_short_clean_and_unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(sheet_name("By city", &mut taken), "By city");
        assert_eq!(sheet_name("By city", &mut taken), "By city 2");
        assert_eq!(sheet_name("a/b:c", &mut taken), "abc");
        let long = "x".repeat(40);
        assert_eq!(sheet_name(&long, &mut taken).chars().count(), 31);
        let again = sheet_name(&long, &mut taken);
        assert_eq!(again.chars().count(), 31);
        assert!(again.ends_with(" 2"));
    }

    #[test]
    fn every_sheet_is_named_by_its_whole_title() {
        for lang in [crate::Lang::Zh, crate::Lang::En] {
            let l = labels(lang);
            let titles = [
                l.about,
                l.t_tiers,
                l.t_flows,
                l.t_provinces,
                l.t_cities,
                l.t_top_cities,
                l.t_concentration,
                l.t_regions,
                l.t_zones,
                l.t_industries,
                l.t_tags,
                l.t_time_to_tier,
                l.t_context,
            ];
            let mut taken = BTreeSet::new();
            for title in titles {
                assert!(title.chars().count() <= SHEET_NAME_MAX, "{title}");
                assert_eq!(sheet_name(title, &mut taken), title, "{lang}");
            }
        }
    }
}
