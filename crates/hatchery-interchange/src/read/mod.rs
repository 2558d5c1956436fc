//! Reading a dataset: a folder of CSV (or XLSX) files, or one XLSX workbook
//! with a sheet per file.

mod ahead;
mod assemble;
mod csv;
mod enterprises;
mod events;
mod financials;
mod fx;
mod header;
mod outcome;
mod references;
mod row;
mod source;
mod xlsx;

use std::fs;
use std::io;
use std::path::Path;

use self::assemble::Reading;
pub use self::outcome::{
    DatasetRead, ExternalRef, FileLines, Reference, RowLines, UnresolvedZone, check_external_refs,
};
use crate::columns::{EXTRA_PREFIX, FileKind};
use crate::problem::{Problem, Problems, clip};
use crate::progress::Progress;

/// Reads and checks a dataset whole: a folder holding `enterprises.csv` and
/// optionally `events.csv`, `fx.csv` and `financials.csv` (each may instead be
/// an `.xlsx` file whose first worksheet has the same columns), or one `.xlsx`
/// workbook with the sheets `enterprises`, `events`, `fx` and `financials`
/// (other sheets must start with `x_`).
///
/// Every problem in every file is reported, located by file, line and column.
/// Events and financials of enterprises the dataset does not define are
/// returned in [`DatasetRead::external_refs`] for the caller to resolve.
/// Extra `x_` columns are kept on enterprises and events; `fx.csv` and
/// `financials.csv` may carry them too, but they are not kept.
///
/// Memory grows with the dataset and with its longest line; a line of
/// hundreds of megabytes is read whole, and messages echo at most
/// [`ECHO_LIMIT`](crate::ECHO_LIMIT) characters of any cell.
pub fn read_dataset(path: &Path, progress: &mut dyn Progress) -> Result<DatasetRead, Problems> {
    let name = path.display().to_string();
    let one = |message: String| Problems::new(vec![Problem::file(&name, message)]);
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(one("no such folder".to_owned()));
        }
        Err(e) => return Err(one(format!("cannot open the folder: {e}"))),
    };
    if metadata.is_dir() {
        read_folder(path, progress)
    } else if is_xlsx(path) {
        read_workbook(path, metadata.len(), progress)
    } else {
        Err(one(
            "not a folder: a dataset is a folder of CSV (or XLSX) files, or one XLSX workbook"
                .to_owned(),
        ))
    }
}

fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

fn read_folder(dir: &Path, progress: &mut dyn Progress) -> Result<DatasetRead, Problems> {
    let mut reading = Reading::default();
    for kind in FileKind::ALL {
        let csv = dir.join(kind.csv_name());
        let xlsx = dir.join(kind.xlsx_name());
        let (csv_exists, xlsx_exists) = (csv.exists(), xlsx.exists());
        if csv_exists && xlsx_exists {
            reading.problem(Problem::file(
                kind.xlsx_name(),
                format!("{} is also present; keep only one of them", kind.csv_name()),
            ));
        } else if csv_exists {
            reading.csv_file(kind, &csv, progress);
        } else if xlsx_exists {
            reading.xlsx_file(kind, &xlsx, progress);
        } else if kind.is_required() {
            reading.problem(Problem::file(
                kind.csv_name(),
                "missing: every dataset has this file",
            ));
        }
    }
    reading.finish()
}

fn read_workbook(
    path: &Path,
    size: u64,
    progress: &mut dyn Progress,
) -> Result<DatasetRead, Problems> {
    let book_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut reading = Reading::default();
    progress.file_started(&book_name, size);
    let opened = xlsx::Workbook::open(path, &book_name);
    progress.advanced(size);
    let mut book = match opened {
        Ok(book) => book,
        Err(problem) => {
            progress.file_finished();
            return Err(Problems::new(vec![problem]));
        }
    };
    let sheets = book.sheet_names();
    for sheet in &sheets {
        let known = FileKind::ALL.iter().any(|k| k.stem() == sheet);
        if !known && !sheet.starts_with(EXTRA_PREFIX) {
            reading.problem(Problem::file(
                &book_name,
                format!(
                    "unknown sheet '{}'; a dataset workbook has the sheets enterprises, events, fx and financials, and extra sheets start with '{EXTRA_PREFIX}'",
                    clip(sheet)
                ),
            ));
        }
    }
    for kind in FileKind::ALL {
        let name = format!("{book_name}[{}]", kind.stem());
        if sheets.iter().any(|s| s == kind.stem()) {
            match book.sheet(kind.stem(), &name) {
                Ok(mut rows) => reading.table(kind, &name, &mut rows, progress),
                Err(problem) => reading.problem(problem),
            }
        } else if kind.is_required() {
            reading.problem(Problem::file(
                &name,
                "missing: every dataset workbook has this sheet",
            ));
        }
    }
    progress.file_finished();
    reading.finish()
}
