//! The report as JSON: `serde_json`'s pretty form of [`Report`], which
//! keeps field order, writes decimals as strings and ends with a newline.

use std::io::Write;

use crate::model::Report;

/// Writes every number of the report as JSON (`docs/REPORT-JSON.md`).
pub fn write_json(report: &Report, out: &mut impl Write) -> Result<(), serde_json::Error> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)
}
