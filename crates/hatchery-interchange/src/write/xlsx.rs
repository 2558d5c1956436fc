//! One XLSX workbook holding a whole dataset, a sheet per file.

use std::path::Path;

use hatchery_core::Dataset;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::WriteError;
use super::cells::{self, ExtraColumns, Unfit};
use crate::columns::FileKind;

/// Writes a dataset as one workbook with the sheets `enterprises`, `events`,
/// `fx` and `financials`, each with the CSV file's columns and a frozen header
/// row. Every cell is written as text, so that numbers keep their exact
/// written form (`100.00` stays `100.00`) and the workbook reads back equal
/// through [`read_dataset`](crate::read_dataset), under the same conditions
/// as [`write_dataset`](crate::write_dataset).
pub fn write_dataset_xlsx(path: &Path, dataset: &Dataset) -> Result<(), WriteError> {
    let extra = ExtraColumns::of(dataset);
    extra.check()?;
    let mut workbook = Workbook::new();
    let mut sheet = |kind: FileKind, rows: &mut dyn Iterator<Item = Result<Vec<String>, Unfit>>| {
        let worksheet = workbook.add_worksheet();
        fill(worksheet, path, kind, &cells::header(kind, &extra), rows)
    };
    sheet(
        FileKind::Enterprises,
        &mut dataset
            .enterprises
            .iter()
            .map(|e| cells::enterprise(e, &extra.enterprises)),
    )?;
    sheet(
        FileKind::Events,
        &mut dataset
            .events
            .iter()
            .map(|e| cells::event(e, &extra.events)),
    )?;
    sheet(FileKind::Fx, &mut dataset.fx.iter().map(cells::fx))?;
    sheet(
        FileKind::Financials,
        &mut dataset.financials.iter().map(cells::financials),
    )?;
    workbook.save(path).map_err(|source| WriteError::Xlsx {
        path: path.to_owned(),
        source,
    })
}

fn fill(
    worksheet: &mut Worksheet,
    path: &Path,
    kind: FileKind,
    header: &[String],
    rows: &mut dyn Iterator<Item = Result<Vec<String>, Unfit>>,
) -> Result<(), WriteError> {
    let xlsx = |source| WriteError::Xlsx {
        path: path.to_owned(),
        source,
    };
    worksheet.set_name(kind.stem()).map_err(xlsx)?;
    worksheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    write_row(worksheet, 0, header).map_err(|(_, source)| xlsx(source))?;
    for (index, row) in (1..).zip(rows) {
        let row = row.map_err(|unfit| WriteError::unfit(kind, index, unfit))?;
        // Spreadsheet rows count from 0 here and the header holds row 0, so a
        // record's row is its position; past the sheet's limit the write fails.
        let row_number = u32::try_from(index).unwrap_or(u32::MAX);
        write_row(worksheet, row_number, &row).map_err(|(column, source)| {
            WriteError::unfit(
                kind,
                index,
                Unfit {
                    column: header.get(column).cloned().unwrap_or_default(),
                    reason: format!("does not fit a worksheet: {source}"),
                },
            )
        })?;
    }
    Ok(())
}

/// Writes the non-empty cells of a row as strings; an absent cell stays blank.
/// A failure names the cell's position.
fn write_row(
    worksheet: &mut Worksheet,
    row: u32,
    cells: &[String],
) -> Result<(), (usize, XlsxError)> {
    for (column, text) in cells.iter().enumerate() {
        if text.is_empty() {
            continue;
        }
        let column_number =
            u16::try_from(column).map_err(|_| (column, XlsxError::RowColumnLimitError))?;
        worksheet
            .write_string(row, column_number, text)
            .map_err(|e| (column, e))?;
    }
    Ok(())
}
