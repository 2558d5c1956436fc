//! Writing a report as HTML, XLSX, CSV, JSON or Markdown.

mod charts;
mod csv;
mod html;
mod json;
mod markdown;
mod text;
mod xlsx;

use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::str::FromStr;

use crate::error::ReportError;
use crate::model::Report;

pub use charts::ReportChart;
pub use html::write_html;
pub use json::write_json;
pub use markdown::write_markdown;

/// An output format of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// One self-contained HTML file with tables and charts; opens offline.
    Html,
    /// One workbook, one sheet per table.
    Xlsx,
    /// A folder with one UTF-8 (BOM) CSV file per table.
    Csv,
    /// Every number, in the structure of `docs/REPORT-JSON.md`.
    Json,
    /// Markdown, for pasting into documents.
    Md,
}

impl Format {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [Self; 5] = [Self::Html, Self::Xlsx, Self::Csv, Self::Json, Self::Md];

    /// The format's name, as `--format` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Md => "md",
        }
    }
}

/// Why a text is not an output format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a report format (html, xlsx, csv, json or md)")]
pub struct FormatError(pub String);

impl FromStr for Format {
    type Err = FormatError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "markdown" => Ok(Self::Md),
            name => Self::ALL
                .into_iter()
                .find(|f| f.as_str() == name)
                .ok_or_else(|| FormatError(text.to_owned())),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Creates `path`'s parent folders, then the file, buffered.
fn create(path: &Path) -> Result<BufWriter<File>, ReportError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    }
    File::create(path)
        .map(BufWriter::new)
        .map_err(io_error(path))
}

/// Writes `write`'s output to the file at `path`.
fn to_file(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), ReportError> {
    let mut out = create(path)?;
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(io_error(path))
}

/// Writes the report in `format` to `out`: a file for HTML, XLSX, JSON and
/// Markdown, a folder (created if missing) for CSV.
pub fn render(report: &Report, format: Format, out: &Path) -> Result<(), ReportError> {
    match format {
        Format::Html => to_file(out, |w| write_html(report, w)),
        Format::Json => {
            let mut file = create(out)?;
            write_json(report, &mut file).map_err(|source| ReportError::Json {
                path: out.to_owned(),
                source,
            })?;
            file.flush().map_err(io_error(out))
        }
        Format::Md => to_file(out, |w| write_markdown(report, w)),
        Format::Xlsx => xlsx::write(report, out),
        Format::Csv => csv::write(report, out),
    }
}

impl Format {
    /// The name a download of the report in this format gets (CSV comes
    /// as a ZIP archive of its tables).
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Html => "report.html",
            Self::Xlsx => "report.xlsx",
            Self::Csv => "report-csv.zip",
            Self::Json => "report.json",
            Self::Md => "report.md",
        }
    }

    /// The media type of [`render_bytes`]'s output in this format.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Html => "text/html; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Csv => "application/zip",
            Self::Json => "application/json",
            Self::Md => "text/markdown; charset=utf-8",
        }
    }
}

/// The report in `format` as the bytes of one file (named by
/// [`Format::file_name`]): the same bytes [`render`] writes, except that
/// CSV's folder of tables comes as one ZIP archive.
pub fn render_bytes(report: &Report, format: Format) -> Result<Vec<u8>, ReportError> {
    let path = Path::new(format.file_name());
    let mut out = Vec::new();
    match format {
        Format::Html => write_html(report, &mut out).map_err(io_error(path))?,
        Format::Json => write_json(report, &mut out).map_err(|source| ReportError::Json {
            path: path.to_owned(),
            source,
        })?,
        Format::Md => write_markdown(report, &mut out).map_err(io_error(path))?,
        Format::Xlsx => out = xlsx::bytes(report)?,
        Format::Csv => out = csv::zipped(report)?,
    }
    Ok(out)
}

/// The report's charts as ECharts options, as its HTML draws them, for a
/// page that draws them itself.
pub fn chart_options(report: &Report) -> Vec<ReportChart> {
    charts::charts(report)
        .into_iter()
        .map(|c| ReportChart {
            id: c.id,
            title: c.title,
            option: c.option,
            height: c.height,
        })
        .collect()
}
