//! `--rules NAME|PATH`: a built-in rule set, or one read from a TOML file.

use std::path::Path;

use anyhow::Context;
use hatchery_core::RuleSet;
use hatchery_core::criteria::{RuleSetError, builtin_source};

use crate::error::{CliError, CliResult};

/// Whether `spec` is written as a path rather than a rule set's name: it
/// has a folder separator or a `.toml` ending. Such a spec that names no
/// file is a missing file, not an unknown rule set.
fn looks_like_a_path(spec: &str) -> bool {
    spec.contains(['/', '\\']) || spec.ends_with(".toml")
}

/// The rule set named by `spec`: a built-in name, else a path to a file.
pub fn resolve(spec: &str) -> CliResult<RuleSet> {
    if builtin_source(spec).is_some() {
        return Ok(RuleSet::builtin(spec)?);
    }
    let path = Path::new(spec);
    if path.is_file() {
        let text = read(path)?;
        return RuleSet::from_toml(&text).map_err(|e| CliError::Rejected {
            summary: format!("rule set file {} is not valid", path.display()),
            problems: vec![format!("{}: {e}", path.display())],
        });
    }
    if looks_like_a_path(spec) {
        return Err(CliError::NotFound(format!(
            "rule set file {} does not exist",
            path.display()
        )));
    }
    Err(RuleSetError::Unknown(spec.to_owned()).into())
}

fn read(path: &Path) -> CliResult<String> {
    Ok(std::fs::read_to_string(path)
        .with_context(|| format!("cannot read rule set file {}", path.display()))?)
}

/// The TOML text behind `spec`, for `rules show`.
pub fn source(spec: &str) -> CliResult<String> {
    if let Some(text) = builtin_source(spec) {
        return Ok(text.to_owned());
    }
    resolve(spec)?;
    read(Path::new(spec))
}
