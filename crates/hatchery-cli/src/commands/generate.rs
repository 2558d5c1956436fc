//! `hatchery generate --enterprises N --seed S [--relocation-quirks] --out DIR`.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Context;
use hatchery_synth::{Generator, GeneratorConfig, Written};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::GenerateArgs;
use crate::error::{CliError, CliResult};

pub fn run(args: &GenerateArgs) -> CliResult {
    let config = GeneratorConfig {
        relocation_quirks: args.relocation_quirks,
        ..GeneratorConfig::new(args.enterprises, args.seed)
    };
    let written = write_config(config, &args.out)?;
    println!(
        "wrote {} enterprises, {} events, {} fx rates and {} financials rows (seed {}) to {}",
        written.enterprises,
        written.events,
        written.fx,
        written.financials,
        args.seed,
        args.out.display()
    );
    Ok(())
}

/// Writes a dataset of `enterprises` generated from `seed` to `out`, with a
/// progress bar on a terminal.
pub fn write(enterprises: usize, seed: u64, out: &Path) -> CliResult<Written> {
    write_config(GeneratorConfig::new(enterprises, seed), out)
}

/// Writes the dataset `config` describes to `out`, with a progress bar on a
/// terminal.
fn write_config(config: GeneratorConfig, out: &Path) -> CliResult<Written> {
    let enterprises = config.enterprises;
    let generator = Generator::new(config).map_err(|e| CliError::Usage(e.to_string()))?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(enterprises as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "generating [{bar:40.cyan/blue}] {human_pos}/{human_len} enterprises ({eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    });
    let written = generator
        .write(out, |done| {
            if let Some(bar) = &bar {
                bar.set_position(done as u64);
            }
        })
        .with_context(|| format!("cannot write {}", out.display()))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(written)
}
