//! What can stop a list import as a whole (as opposed to one row, which is
//! rejected and reported; see [`crate::Rejected`]).

use std::path::PathBuf;

use hatchery_store::StoreError;

use crate::profile::ProfileError;
use crate::summary::ListSummary;

/// Why a list could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The profile cannot be used.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The list file could not be read.
    #[error("cannot read {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The list file is not what the profile describes.
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    /// A column the profile maps is not in the file.
    #[error(
        "{path}: the profile maps {field} to {column}, which the header row does not have (it has: {header})"
    )]
    MissingColumn {
        path: PathBuf,
        field: String,
        column: String,
        header: String,
    },
    /// Some rows cannot be taken as they are, and the import is all or
    /// nothing: nothing was imported. The summary says which rows and why.
    #[error(
        "{} of {} rows cannot be taken as they are, so nothing was imported (see the rows below, or import the others with --skip-invalid FILE)",
        .0.rejected.len(),
        .0.rows_read
    )]
    Rejected(Box<ListSummary>),
    /// The rejected rows could not be written.
    #[error("cannot write the rejected rows to {path}")]
    WriteRejects {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The store failed or refused the import.
    #[error(transparent)]
    Store(#[from] StoreError),
}
