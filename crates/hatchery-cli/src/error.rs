//! The one place where errors become messages and exit codes.
//!
//! The exit codes are those the README states: 0 success; 1 rejected input
//! or a failure (a database that cannot be opened or fails, an unsupported
//! `--db` URL, a taken username…); 2 a wrong command line (an unknown rule
//! set, a date that is not a date — clap's own usage errors exit 2 too).

use std::error::Error;

use hatchery_app::OpenError;
use hatchery_app::accounts::AccountError;
use hatchery_app::audit::keys::KeyFileError;
use hatchery_app::pool::PoolError;
use hatchery_core::criteria::RuleSetError;
use hatchery_store::StoreError;
use hatchery_store::workflow::WorkflowError;

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
    /// The command line asks for something that cannot be (exit 2).
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Pool(#[from] PoolError),
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl CliError {
    /// The process's exit code for this error.
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
            other => eprintln!("error: {}", chain(other)),
        }
    }
}

/// An error and its causes on one line, `outer: inner: innermost`. A cause
/// whose text the message before it already ends with is left out: some
/// libraries both print their cause and return it as the source, and the
/// OS's reason would otherwise be said twice.
pub fn chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let said = inner.to_string();
        if !text.ends_with(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = inner.source();
    }
    text
}

pub type CliResult<T = ()> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read x.toml: {0}")]
    struct Embeds(#[source] std::io::Error);

    #[derive(Debug, thiserror::Error)]
    #[error("reading the settings")]
    struct Outer(#[source] Embeds);

    #[test]
    fn a_cause_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        assert_eq!(
            chain(&Outer(Embeds(io))),
            "reading the settings: cannot read x.toml: no such file"
        );
    }

    #[test]
    fn database_failures_are_failures_and_bad_command_lines_usage() {
        let database = StoreError::Database("disk I/O error".into());
        assert_eq!(CliError::from(database).exit_code(), EXIT_FAILURE);
        let unsupported = OpenError::Unsupported("mysql://db".into());
        assert_eq!(CliError::from(unsupported).exit_code(), EXIT_FAILURE);
        let taken = AccountError::Invalid("the username is taken".into());
        assert_eq!(CliError::from(taken).exit_code(), EXIT_FAILURE);
        let rules = RuleSetError::Unknown("nope".into());
        assert_eq!(CliError::from(rules).exit_code(), EXIT_USAGE);
    }
}
