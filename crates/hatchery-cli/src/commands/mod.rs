//! One module per subcommand; each takes parsed arguments and an open store.

mod admin;
mod audit;
mod backup;
mod classify;
mod demo;
mod demo_serve;
mod explain;
mod export;
mod generate;
mod import;
mod import_list;
mod report;
mod rules;
mod targets;

use std::sync::Arc;

use hatchery_app::{Backend, DatabaseUrl, Opening, open_backend};

use crate::cli::{AuditCommand, Cli, Command};
use crate::error::CliResult;

pub use import::import_dataset;

/// Opens the store for a command that writes: created if missing.
async fn for_writing(db: &DatabaseUrl) -> CliResult<Arc<dyn Backend>> {
    Ok(open_backend(db, Opening::CreateOrMigrate).await?)
}

/// Opens the store for a command that reads: a SQLite file that does not
/// exist is refused, not created empty (an empty store would answer "no
/// enterprises" to a mistyped path).
async fn for_reading(db: &DatabaseUrl) -> CliResult<Arc<dyn Backend>> {
    Ok(open_backend(db, Opening::Existing).await?)
}

/// Runs the command the user asked for.
pub async fn run(cli: Cli) -> CliResult {
    let db = cli.db_url();
    match cli.command {
        Command::Rules(command) => rules::run(&command),
        Command::Generate(args) => generate::run(&args),
        Command::Import(args) => import::run(&*for_writing(&db).await?, &args).await,
        Command::Classify(args) => classify::run(&*for_reading(&db).await?, &args).await,
        Command::Explain(args) => explain::run(&*for_reading(&db).await?, &args).await,
        Command::Export(args) => export::run(&*for_reading(&db).await?, &args).await,
        Command::Report(args) => report::run(&*for_reading(&db).await?, &args).await,
        Command::Targets(crate::cli::TargetsCommand::Progress(args)) => {
            targets::progress(&*for_reading(&db).await?, &args).await
        }
        Command::ImportList(args) => import_list::run(&*for_writing(&db).await?, &args).await,
        Command::Serve(args) => admin::serve(cli.db.as_deref(), &args).await,
        Command::Migrate => {
            for_writing(&db).await?;
            println!("{db} is migrated");
            Ok(())
        }
        Command::Admin(command) => admin::admin(&*for_writing(&db).await?, command).await,
        // A key is made without a store: it belongs nowhere near one.
        Command::Audit(AuditCommand::Keygen { out }) => audit::keygen(&out),
        Command::Audit(command) => audit::run(&*for_reading(&db).await?, command).await,
        Command::Pool(command) => admin::pool(&*for_reading(&db).await?, command).await,
        Command::Backup(args) => backup::backup(&db, &args).await,
        Command::Restore(args) => backup::restore(&db, &args).await,
        Command::Demo(args) => {
            demo::run(&*for_writing(&db).await?, &db, &args).await?;
            if args.no_serve {
                Ok(())
            } else {
                demo_serve::serve(&db, &args).await
            }
        }
    }
}
