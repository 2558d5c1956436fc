//! Writing datasets: CSV folders (whole or streamed) and XLSX workbooks.

mod cells;
mod csv;
mod xlsx;

use std::path::PathBuf;

pub use self::cells::ExtraColumns;
pub use self::csv::{DatasetWriter, write_dataset};
pub use self::xlsx::write_dataset_xlsx;
use crate::columns::FileKind;

/// Why a dataset could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The file system refused.
    #[error("cannot write {}", path.display())]
    Io {
        /// The file or folder being written.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The CSV writer failed (in practice, on I/O).
    #[error("cannot write {}", path.display())]
    Csv {
        /// The file being written.
        path: PathBuf,
        #[source]
        source: ::csv::Error,
    },
    /// The workbook could not be built or saved.
    #[error("cannot write the workbook {}", path.display())]
    Xlsx {
        /// The workbook being written.
        path: PathBuf,
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
    /// A record holds something the format cannot carry so that it reads back
    /// equal (or that the reader would refuse).
    #[error("{file} record {record} (counting from 1), column {column}: {reason}")]
    Unrepresentable {
        /// The file the record belongs in.
        file: FileKind,
        /// The record's position in its file, counting from 1.
        record: u64,
        /// The offending column.
        column: String,
        /// Why the cell cannot be written.
        reason: String,
    },
    /// An extra column's name cannot be written as one.
    #[error("{file} extra column '{column}': {reason}")]
    ExtraColumn {
        /// The file the column was declared for.
        file: FileKind,
        /// The column's name.
        column: String,
        /// Why it cannot be a column.
        reason: String,
    },
}

impl WriteError {
    fn unfit(file: FileKind, record: u64, unfit: cells::Unfit) -> Self {
        Self::Unrepresentable {
            file,
            record,
            column: unfit.column,
            reason: unfit.reason,
        }
    }
}
