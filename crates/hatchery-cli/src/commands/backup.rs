//! `hatchery backup` and `hatchery restore`: the SQLite store copied while
//! in use, and put back. PostgreSQL has its own tools, which this defers to.

use anyhow::anyhow;
use hatchery_app::DatabaseUrl;
use hatchery_app::backup::{self, BackupSummary};

use super::for_writing;
use crate::cli::{BackupArgs, RestoreArgs};
use crate::error::{CliError, CliResult};

/// What to do instead for a PostgreSQL store.
const POSTGRES: &str = "a PostgreSQL store is backed up with PostgreSQL's own tools: \
pg_dump --format=custom for a copy, pg_restore to put it back, and continuous WAL \
archiving for point-in-time recovery (see docs/DEPLOY.md, \"Backups\")";

fn refuse_postgres(db: &DatabaseUrl) -> CliResult {
    let url = db.expose();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Err(CliError::Other(anyhow!(POSTGRES)));
    }
    Ok(())
}

fn describe(summary: &BackupSummary) -> String {
    format!(
        "{} enterprises, {} audit entries, {} bytes",
        summary.enterprises, summary.audit_entries, summary.bytes
    )
}

/// Writes a backup of the store to `--out`.
pub async fn backup(db: &DatabaseUrl, args: &BackupArgs) -> CliResult {
    refuse_postgres(db)?;
    let summary = backup::backup(db.expose(), &args.out)
        .await
        .map_err(|e| CliError::Other(e.into()))?;
    println!(
        "backed up {} to {}: {}",
        db,
        summary.path.display(),
        describe(&summary)
    );
    Ok(())
}

/// Replaces the store with a backup.
pub async fn restore(db: &DatabaseUrl, args: &RestoreArgs) -> CliResult {
    refuse_postgres(db)?;
    let summary = backup::restore(&args.file, db.expose(), args.force)
        .await
        .map_err(|e| CliError::Other(e.into()))?;
    // Brings a backup of an older schema up to date, as any command would.
    for_writing(db).await?;
    println!(
        "restored {} into {}: {}",
        args.file.display(),
        db,
        describe(&summary)
    );
    Ok(())
}
