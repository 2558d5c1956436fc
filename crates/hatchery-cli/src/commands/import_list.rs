//! `hatchery import-list FILE --list-date DATE [--profile NAME|PATH] …`.

use hatchery_lists::{ListError, ListOptions, Profile, ProfileError, import_list};
use hatchery_store::Store;

use crate::cli::ImportListArgs;
use crate::error::{CliError, CliResult};

pub async fn run(store: &dyn Store, args: &ImportListArgs) -> CliResult {
    // An unknown name is a wrong command line; a file that cannot be read
    // or says something impossible is rejected input.
    let profile = Profile::load(&args.profile).map_err(|e| match e {
        ProfileError::Unknown { .. } => CliError::Usage(e.to_string()),
        other => CliError::Other(other.into()),
    })?;
    let options = ListOptions {
        list_date: args.list_date,
        source: args.source.clone(),
        skip_invalid: args.skip_invalid.clone(),
        dry_run: args.dry_run,
        now: jiff::Timestamp::now(),
    };
    match import_list(store, &args.file, &profile, &options).await {
        Ok(summary) => {
            print!("{summary}");
            Ok(())
        }
        Err(ListError::Rejected(summary)) => Err(CliError::Rejected {
            summary: "the list has rows that cannot be taken as they are; nothing was imported \
                      (use --skip-invalid REJECTS.csv to import the rest)"
                .to_owned(),
            problems: vec![summary.to_string()],
        }),
        Err(other) => Err(CliError::Other(other.into())),
    }
}
