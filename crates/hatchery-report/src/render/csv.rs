//! The report as a folder of CSV files, one per table, each starting with
//! a UTF-8 byte-order mark so Excel reads the Chinese right.

use std::io::Write;
use std::path::Path;

use super::text::plain;
use crate::error::ReportError;
use crate::model::Report;
use crate::tables::{Table, highlights, tables};

/// Every CSV file's table: the highlights, then the report's tables.
fn all_tables(report: &Report) -> Vec<Table> {
    let mut all = vec![highlights(report)];
    all.extend(tables(report));
    all
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One table as CSV: a BOM, the headers, the rows, CRLF line ends.
fn write_table(table: &Table, out: impl Write) -> Result<(), csv::Error> {
    let mut out = out;
    out.write_all(BOM)?;
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(&table.headers)?;
    for row in &table.rows {
        writer.write_record(row.iter().map(plain))?;
    }
    writer.flush()?;
    Ok(())
}

/// Every table's CSV file in one ZIP archive (`<table>.csv` each), for a
/// download that is one file.
pub(super) fn zipped(report: &Report) -> Result<Vec<u8>, ReportError> {
    let path = Path::new("report.zip");
    let io = |source: std::io::Error| ReportError::Io {
        path: path.to_owned(),
        source,
    };
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for table in all_tables(report) {
        let name = format!("{}.csv", table.key);
        let mut bytes = Vec::new();
        write_table(&table, &mut bytes).map_err(|source| ReportError::Csv {
            path: Path::new(&name).to_owned(),
            source,
        })?;
        archive
            .start_file(name.as_str(), options)
            .map_err(|e| io(std::io::Error::other(e)))?;
        archive.write_all(&bytes).map_err(io)?;
    }
    let cursor = archive.finish().map_err(|e| io(std::io::Error::other(e)))?;
    Ok(cursor.into_inner())
}

/// Writes `<folder>/<table>.csv` for every table, creating the folder.
pub(super) fn write(report: &Report, folder: &Path) -> Result<(), ReportError> {
    std::fs::create_dir_all(folder).map_err(|source| ReportError::Io {
        path: folder.to_owned(),
        source,
    })?;
    for table in all_tables(report) {
        let path = folder.join(format!("{}.csv", table.key));
        let fail = |source: csv::Error| ReportError::Csv {
            path: path.clone(),
            source,
        };
        let out = super::create(&path)?;
        write_table(&table, out).map_err(fail)?;
    }
    Ok(())
}
