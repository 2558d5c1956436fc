//! `hatchery import DIR`: read and validate the whole dataset, check its
//! references against the store, then write it in one transaction.

use std::path::{Path, PathBuf};

use anyhow::Context;
use hatchery_app::{SystemClock, system};
use hatchery_core::EnterpriseId;
use hatchery_interchange::{
    DatasetRead, FileKind, UnresolvedZone, check_external_refs, read_dataset,
};
use hatchery_store::{ImportOutcome, ImportSource, Rejection, RowRef, Store, StoreError};

use crate::cli::ImportArgs;
use crate::error::{CliError, CliResult};
use crate::progress::FileProgress;

pub async fn run(store: &dyn Store, args: &ImportArgs) -> CliResult {
    let (outcome, unresolved) = import_dataset_zones(store, &args.dir, true).await?;
    println!("{}", summary(&outcome, &args.dir));
    if !unresolved.is_empty() {
        println!(
            "zones: {} value{} named no known national zone and {} kept as written:",
            unresolved.len(),
            if unresolved.len() == 1 { "" } else { "s" },
            if unresolved.len() == 1 { "is" } else { "are" }
        );
        for zone in &unresolved {
            println!("  {zone}");
        }
    }
    Ok(())
}

/// Imports the dataset in `dir`; on any problem nothing is written.
pub async fn import_dataset(
    store: &dyn Store,
    dir: &Path,
    show_progress: bool,
) -> CliResult<ImportOutcome> {
    Ok(import_dataset_zones(store, dir, show_progress).await?.0)
}

/// [`import_dataset`], with the `zone` cells that named no known zone
/// (stored as written; every other zone cell is stored as the zone's id).
pub async fn import_dataset_zones(
    store: &dyn Store,
    dir: &Path,
    show_progress: bool,
) -> CliResult<(ImportOutcome, Vec<UnresolvedZone>)> {
    let folder: PathBuf = dir.to_owned();
    let started = std::time::Instant::now();
    let read = tokio::task::spawn_blocking(move || {
        if show_progress {
            read_dataset(&folder, &mut FileProgress::new())
        } else {
            read_dataset(&folder, &mut hatchery_interchange::NoProgress)
        }
    })
    .await
    .context("the reader stopped unexpectedly")?;
    tracing::debug!(elapsed = ?started.elapsed(), "dataset read");
    let read =
        read.map_err(|problems| rejected(problems.0.iter().map(ToString::to_string).collect()))?;

    let referenced: Vec<EnterpriseId> = read.external_ids();
    if !referenced.is_empty() {
        let stored = store.existing_ids(&referenced).await?;
        let problems = check_external_refs(&read, &stored);
        if !problems.is_empty() {
            return Err(rejected(problems.iter().map(ToString::to_string).collect()));
        }
    }

    // Every import is audited, in the same transaction as its data.
    let acting = system(&SystemClock, "cli");
    let source = ImportSource {
        origin: dir.display().to_string(),
        at: acting.at.to_string(),
    };
    match store.import_audited(&read.dataset, &source, &acting).await {
        Ok(outcome) => Ok((outcome, read.unresolved_zones)),
        Err(StoreError::Rejected(rejections)) => Err(rejected(
            rejections.iter().map(|r| locate(&read, r)).collect(),
        )),
        Err(other) => Err(other.into()),
    }
}

fn rejected(problems: Vec<String>) -> CliError {
    CliError::Rejected {
        summary: format!(
            "{} problem{} found; nothing was imported",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ),
        problems,
    }
}

/// `FILE:LINE:COLUMN: message` for a row the store refused.
fn locate(read: &DatasetRead, rejection: &Rejection) -> String {
    let (kind, index) = match rejection.row {
        RowRef::Enterprise(i) => (FileKind::Enterprises, i),
        RowRef::Event(i) => (FileKind::Events, i),
        RowRef::Fx(i) => (FileKind::Fx, i),
        RowRef::Financials(i) => (FileKind::Financials, i),
    };
    read.lines
        .problem(kind, index, rejection.column, rejection.message.clone())
        .to_string()
}

fn summary(outcome: &ImportOutcome, dir: &Path) -> String {
    format!(
        "imported {}: enterprises {} new, {} updated, {} unchanged; events {} new, {} already stored; fx rates {} new, {} unchanged; financials {} new, {} updated, {} unchanged",
        dir.display(),
        outcome.enterprises_added,
        outcome.enterprises_updated,
        outcome.enterprises_unchanged,
        outcome.events_added,
        outcome.events_duplicate,
        outcome.fx_added,
        outcome.fx_unchanged,
        outcome.financials_added,
        outcome.financials_updated,
        outcome.financials_unchanged,
    )
}
