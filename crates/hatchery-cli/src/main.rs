//! `hatchery`: one binary for every role — import, classify, explain, export,
//! rules, demo. Argument parsing and error mapping live here; the work is in
//! the library crates.
#![forbid(unsafe_code)]

mod cli;
mod commands;
mod error;
mod output;
mod progress;
mod rules;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;

// A national import allocates and frees millions of small strings, and the
// server a few hundred bytes per request on every worker thread; glibc's
// allocator spent a fifth of both in its own bookkeeping (see
// docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(error::EXIT_FAILURE);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            e.report();
            ExitCode::from(e.exit_code())
        }
    }
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("HATCHERY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
