//! The report as a folder of CSV files, one per table, each starting with
//! a UTF-8 byte-order mark so Excel reads the Chinese right.

use std::path::Path;

use super::text::plain;
use crate::error::ReportError;
use crate::model::Report;
use crate::tables::tables;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes `<folder>/<table>.csv` for every table, creating the folder.
pub(super) fn write(report: &Report, folder: &Path) -> Result<(), ReportError> {
    std::fs::create_dir_all(folder).map_err(|source| ReportError::Io {
        path: folder.to_owned(),
        source,
    })?;
    for table in tables(report) {
        let path = folder.join(format!("{}.csv", table.key));
        let fail = |source: csv::Error| ReportError::Csv {
            path: path.clone(),
            source,
        };
        let mut out = super::create(&path)?;
        std::io::Write::write_all(&mut out, BOM).map_err(|e| fail(e.into()))?;
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        writer.write_record(&table.headers).map_err(fail)?;
        for row in &table.rows {
            writer.write_record(row.iter().map(plain)).map_err(fail)?;
        }
        writer.flush().map_err(|e| fail(e.into()))?;
    }
    Ok(())
}
