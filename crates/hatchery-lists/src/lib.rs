//! Importing real published unicorn lists (CB Insights, Hurun, …) into the
//! ledger.
//!
//! A TOML [`Profile`] says which column of the list holds what and how its
//! cells are written (`docs/LIST-PROFILES.md`). [`read_list`] reads the
//! file into rows, each a company or a rejected row with its reasons, with
//! a note on everything not taken exactly as written. [`plan()`] matches the
//! rows to stored enterprises by normalized name and country and builds the
//! dataset that records the list: what is new, updated, unchanged, and which
//! enterprises of earlier lists are absent. [`import_list`] does it all
//! against a store, all or nothing unless rejected rows are to be skipped.
//!
//! ```no_run
//! # async fn example(store: &dyn hatchery_store::Store) -> Result<(), hatchery_lists::ListError> {
//! use std::path::Path;
//! use hatchery_lists::{ListOptions, Profile, import_list};
//!
//! let profile = Profile::load("cbinsights-2022")?;
//! let options = ListOptions {
//!     list_date: jiff::civil::date(2022, 2, 28),
//!     source: None,
//!     skip_invalid: None,
//!     dry_run: true,
//!     now: jiff::Timestamp::UNIX_EPOCH,
//! };
//! let summary = import_list(store, Path::new("Unicorn_Companies.csv"), &profile, &options).await?;
//! println!("{summary}");
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

pub mod cells;
pub mod city;
pub mod country;
mod error;
mod findings;
pub mod fx;
pub mod industry;
pub mod names;
mod parse;
mod plan;
pub mod profile;
mod rejects;
mod summary;
pub mod table;

use std::path::Path;

use hatchery_core::Dataset;
use hatchery_store::workflow::Acting;
use hatchery_store::{ImportSource, Store};

pub use error::ListError;
pub use findings::{Note, Reason, Rejected, RowNote};
pub use parse::{ListOptions, ListRow, ParsedList, parse_table, read_list};
pub use plan::{
    Absent, Action, FOUNDED_ESTIMATED, FieldChange, ImportPlan, LIST_TAG_PREFIX, PlannedRow,
    TOTAL_RAISED, candidate_ids, list_tag, plan,
};
pub use profile::{Profile, ProfileError, builtin_profiles};
pub use rejects::write_rejects;
pub use summary::ListSummary;

/// Reads a list, plans it against the store and, unless this is a dry run,
/// imports it in one transaction, with its audit entry (`system:import-list`).
///
/// Without `skip_invalid`, a list with any rejected row imports nothing and
/// fails with [`ListError::Rejected`], whose summary names the rows. With
/// it, the rejected rows are written unchanged to that file and the rest
/// are imported. A dry run only plans: its summary says what would happen.
pub async fn import_list(
    store: &dyn Store,
    path: &Path,
    profile: &Profile,
    options: &ListOptions,
) -> Result<ListSummary, ListError> {
    let acting = Acting {
        at: options.now,
        actor: None,
        actor_name: "system:import-list".into(),
    };
    import_list_as(
        store,
        path,
        &path.display().to_string(),
        profile,
        options,
        &acting,
    )
    .await
}

/// [`import_list`] by an account: the import's audit entry names `acting`,
/// and its origin names the list as `label` (an uploaded file's own name
/// rather than where it was put to be read).
pub async fn import_list_as(
    store: &dyn Store,
    path: &Path,
    label: &str,
    profile: &Profile,
    options: &ListOptions,
    acting: &Acting,
) -> Result<ListSummary, ListError> {
    let parsed = read_list(path, profile, options)?;
    let stored = stored_state(store, &parsed).await?;
    let plan = plan::plan(&parsed, &stored);
    let mut summary = ListSummary::new(
        &parsed,
        &plan,
        options.dry_run,
        options.skip_invalid.is_some(),
    );
    if options.dry_run {
        return Ok(summary);
    }
    match &options.skip_invalid {
        None if !plan.rejected.is_empty() => return Err(ListError::Rejected(Box::new(summary))),
        None => {}
        Some(rejects) => {
            write_rejects(rejects, &parsed.header, &plan.rejected)?;
            summary.rejects_file = Some(rejects.clone());
        }
    }
    let dataset = &plan.dataset;
    if !(dataset.enterprises.is_empty() && dataset.events.is_empty() && dataset.fx.is_empty()) {
        let source = ImportSource {
            origin: format!("{label} (list {}, profile {})", plan.tag, profile.key),
            at: options.now.to_string(),
        };
        // Audited like every import, in the same transaction as its data.
        summary.outcome = Some(store.import_audited(dataset, &source, acting).await?);
    }
    Ok(summary)
}

/// What planning needs of the store: every enterprise and exchange rate, but
/// only the events of enterprises the list's rows could be, so that a list
/// of a thousand companies does not read a national store's every event.
async fn stored_state(store: &dyn Store, parsed: &ParsedList) -> Result<Dataset, ListError> {
    let enterprises = store.enterprises().await?;
    let fx = store.fx_rates().await?;
    let mut events = Vec::new();
    for id in candidate_ids(parsed, &enterprises) {
        if let Some((_, stored)) = store.enterprise(&id).await? {
            events.extend(stored);
        }
    }
    Ok(Dataset {
        enterprises,
        events,
        fx,
        financials: Vec::new(),
    })
}
