//! The one place where errors become messages and exit codes.

use hatchery_core::criteria::RuleSetError;
use hatchery_store::StoreError;

/// Something failed; more on stderr.
pub const EXIT_FAILURE: u8 = 1;
/// The command line itself was wrong (clap uses 2 as well).
pub const EXIT_USAGE: u8 = 2;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Input was rejected; each line is one problem, already located.
    #[error("{summary}")]
    Rejected {
        summary: String,
        problems: Vec<String>,
    },
    #[error(transparent)]
    Rules(#[from] RuleSetError),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) | Self::Rules(RuleSetError::Unknown(_)) => EXIT_USAGE,
            _ => EXIT_FAILURE,
        }
    }

    /// Prints the problem to stderr: located problems one per line, then a summary.
    pub fn report(&self) {
        match self {
            Self::Rejected { summary, problems } => {
                for problem in problems {
                    eprintln!("{problem}");
                }
                eprintln!("error: {summary}");
            }
            Self::Other(e) => eprintln!("error: {e:#}"),
            other => eprintln!("error: {other}"),
        }
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;
