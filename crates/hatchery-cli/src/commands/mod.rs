//! One module per subcommand; each takes parsed arguments and an open store.

mod admin;
mod backup;
mod classify;
mod demo;
mod explain;
mod export;
mod generate;
mod import;
mod import_list;
mod report;
mod rules;

use crate::cli::{Cli, Command};
use crate::error::CliResult;
use crate::store;

pub use import::import_dataset;

/// Runs the command the user asked for.
pub async fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Rules(command) => rules::run(&command),
        Command::Generate(args) => generate::run(&args),
        Command::Import(args) => import::run(&*store::open(&cli.db).await?, &args).await,
        Command::Classify(args) => classify::run(&*store::open(&cli.db).await?, &args).await,
        Command::Explain(args) => explain::run(&*store::open(&cli.db).await?, &args).await,
        Command::Export(args) => export::run(&*store::open(&cli.db).await?, &args).await,
        Command::Report(args) => report::run(&*store::open(&cli.db).await?, &args).await,
        Command::ImportList(args) => import_list::run(&*store::open(&cli.db).await?, &args).await,
        Command::Serve(args) => admin::serve(&cli.db, &args).await,
        Command::Migrate => {
            store::open(&cli.db).await?;
            println!("{} is migrated", store::redact(&cli.db));
            Ok(())
        }
        Command::Admin(command) => admin::admin(&cli.db, command).await,
        Command::Audit(command) => admin::audit(&cli.db, command).await,
        Command::Pool(command) => admin::pool(&cli.db, command).await,
        Command::Backup(args) => backup::backup(&cli.db, &args).await,
        Command::Restore(args) => backup::restore(&cli.db, &args).await,
        Command::Demo(args) => demo::run(&*store::open(&cli.db).await?, &cli.db, &args).await,
    }
}
