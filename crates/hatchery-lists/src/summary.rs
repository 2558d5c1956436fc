//! The human summary of a list import: what was read, what would be or was
//! imported, and every row that could not be taken as it is.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use hatchery_core::date::format_date;
use hatchery_core::{Country, Currency, DivisionCode};
use hatchery_store::ImportOutcome;
use jiff::civil::Date;

use crate::findings::{Note, Rejected, RowNote};
use crate::parse::ParsedList;
use crate::plan::{Absent, Action, ImportPlan, PlannedRow, count_actions};

/// What an import of a list did, or would do on a dry run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSummary {
    pub file: PathBuf,
    pub profile_key: String,
    pub list_date: Date,
    /// Nothing was written.
    pub dry_run: bool,
    /// Rejected rows are skipped rather than failing the import.
    pub skip_invalid: bool,
    /// Rows of companies in the file (taken or rejected).
    pub rows_read: usize,
    pub blank_rows: usize,
    pub footer_rows: usize,
    pub unused_columns: Vec<String>,
    /// The rows taken and what each does.
    pub rows: Vec<PlannedRow>,
    pub absent: Vec<Absent>,
    pub rejected: Vec<Rejected>,
    pub notes: Vec<RowNote>,
    /// Industry key → spelling → rows.
    pub industry_spellings: BTreeMap<String, BTreeMap<String, usize>>,
    pub fx_added: BTreeMap<Currency, usize>,
    /// Enterprises and events the import hands to the store.
    pub enterprises_planned: usize,
    pub events_planned: usize,
    /// What the store did (none on a dry run or a refused import).
    pub outcome: Option<ImportOutcome>,
    /// Where the rejected rows were written.
    pub rejects_file: Option<PathBuf>,
    /// The tag every enterprise on the list carries.
    pub tag: String,
}

impl ListSummary {
    /// The summary of a plan, before anything is written.
    pub fn new(parsed: &ParsedList, plan: &ImportPlan, dry_run: bool, skip_invalid: bool) -> Self {
        Self {
            file: parsed.file.clone(),
            profile_key: parsed.profile_key.clone(),
            list_date: parsed.list_date,
            dry_run,
            skip_invalid,
            rows_read: parsed.rows_read(),
            blank_rows: parsed.blank_rows,
            footer_rows: parsed.footer_rows,
            unused_columns: parsed.unused_columns.clone(),
            rows: plan.rows.clone(),
            absent: plan.absent.clone(),
            rejected: plan.rejected.clone(),
            notes: plan.notes.clone(),
            industry_spellings: parsed.industry_spellings.clone(),
            fx_added: plan.fx_added.clone(),
            enterprises_planned: plan.dataset.enterprises.len(),
            events_planned: plan.dataset.events.len(),
            outcome: None,
            rejects_file: None,
            tag: plan.tag.clone(),
        }
    }

    /// `(new, updated, unchanged)` rows.
    pub fn counts(&self) -> (usize, usize, usize) {
        count_actions(&self.rows)
    }

    /// Rows taken per country.
    pub fn countries(&self) -> BTreeMap<Country, usize> {
        let mut countries = BTreeMap::new();
        for row in &self.rows {
            *countries.entry(row.country).or_default() += 1;
        }
        countries
    }

    /// Chinese rows taken per city (the region's city-level code; a
    /// province for rows that named only a province).
    pub fn cities(&self) -> BTreeMap<DivisionCode, usize> {
        let mut cities = BTreeMap::new();
        for row in &self.rows {
            if let Some(region) = row.region {
                *cities.entry(region.city()).or_default() += 1;
            }
        }
        cities
    }

    /// Chinese city names left unresolved, with the rows that give them.
    pub fn unresolved_cities(&self) -> BTreeMap<String, Vec<u64>> {
        let mut unresolved: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for row in &self.notes {
            if let Note::CityUnresolved { written } | Note::CityAmbiguous { written, .. } =
                &row.note
            {
                unresolved
                    .entry(written.clone())
                    .or_default()
                    .push(row.line);
            }
        }
        unresolved
    }

    /// Whether every row can be taken.
    pub fn is_clean(&self) -> bool {
        self.rejected.is_empty()
    }
}

fn list<T>(f: &mut fmt::Formatter<'_>, title: &str, items: &[T]) -> fmt::Result
where
    T: fmt::Display,
{
    if items.is_empty() {
        return Ok(());
    }
    writeln!(f, "{title} ({}):", items.len())?;
    for item in items {
        writeln!(f, "  {item}")?;
    }
    Ok(())
}

/// How many notes of a kind are shown in full under its count.
const NOTES_SHOWN: usize = 3;
/// How many row numbers a kind's count line names.
const LINES_SHOWN: usize = 10;

/// A count with thousands separated: `1,231`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The notes grouped by kind, the rarest kinds first (the one note that
/// matters is not lost among a thousand alike), each with its count, its
/// first rows, and its first notes in full.
fn notes_by_kind(f: &mut fmt::Formatter<'_>, notes: &[RowNote]) -> fmt::Result {
    if notes.is_empty() {
        return Ok(());
    }
    let mut kinds: Vec<(&str, Vec<&RowNote>)> = Vec::new();
    for note in notes {
        let kind = note.note.kind();
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, group)) => group.push(note),
            None => kinds.push((kind, vec![note])),
        }
    }
    // Stable: kinds of one size keep the order of their first row.
    kinds.sort_by_key(|(_, group)| group.len());
    writeln!(
        f,
        "Rows taken with notes ({} notes of {} kinds, the rarest first):",
        thousands(notes.len()),
        kinds.len()
    )?;
    for (kind, group) in kinds {
        let mut lines: Vec<u64> = group.iter().map(|n| n.line).collect();
        lines.dedup();
        let rows = if lines.len() == 1 { "row" } else { "rows" };
        let mut shown: Vec<String> = lines.iter().take(LINES_SHOWN).map(u64::to_string).collect();
        if lines.len() > LINES_SHOWN {
            shown.push("…".to_owned());
        }
        writeln!(
            f,
            "  {kind}: {} {rows} ({})",
            thousands(lines.len()),
            shown.join(", ")
        )?;
        for note in group.iter().take(NOTES_SHOWN) {
            writeln!(f, "    {note}")?;
        }
        if group.len() > NOTES_SHOWN {
            writeln!(
                f,
                "    … and {} more alike",
                thousands(group.len() - NOTES_SHOWN)
            )?;
        }
    }
    Ok(())
}

impl fmt::Display for ListSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (new, updated, unchanged) = self.counts();
        let mode = if self.dry_run {
            " — dry run, nothing written"
        } else {
            ""
        };
        writeln!(
            f,
            "List {} (profile {}, list date {}){mode}",
            self.file.display(),
            self.profile_key,
            format_date(self.list_date)
        )?;
        write!(
            f,
            "Rows: {} read, {} taken, {} rejected",
            self.rows_read,
            self.rows.len(),
            self.rejected.len()
        )?;
        if self.blank_rows + self.footer_rows > 0 {
            write!(
                f,
                " ({} blank and {} footer rows skipped)",
                self.blank_rows, self.footer_rows
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "Enterprises: {new} new, {updated} updated, {unchanged} unchanged; {} of earlier lists absent from this one",
            self.absent.len()
        )?;
        let countries: Vec<String> = {
            let mut by_count: Vec<(Country, usize)> = self.countries().into_iter().collect();
            by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            by_count.iter().map(|(c, n)| format!("{c} {n}")).collect()
        };
        if !countries.is_empty() {
            writeln!(f, "Countries: {}", countries.join(", "))?;
        }
        let cities: Vec<String> = {
            let mut by_count: Vec<(DivisionCode, usize)> = self.cities().into_iter().collect();
            by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            by_count
                .iter()
                .map(|(c, n)| format!("{} {c} {n}", c.display_name()))
                .collect()
        };
        if !cities.is_empty() {
            writeln!(f, "Regions (GB/T 2260): {}", cities.join(", "))?;
        }
        let unresolved: Vec<String> = self
            .unresolved_cities()
            .iter()
            .map(|(name, lines)| {
                let rows = if lines.len() == 1 { "row" } else { "rows" };
                let lines: Vec<String> = lines.iter().map(u64::to_string).collect();
                format!("'{name}' ({rows} {})", lines.join(", "))
            })
            .collect();
        if !unresolved.is_empty() {
            writeln!(
                f,
                "Chinese cities not resolved (kept as text): {}",
                unresolved.join(", ")
            )?;
        }
        if !self.industry_spellings.is_empty() {
            let industries: Vec<String> = self
                .industry_spellings
                .iter()
                .map(|(key, spellings)| {
                    let total: usize = spellings.values().sum();
                    if spellings.len() == 1 {
                        format!("{key} {total}")
                    } else {
                        let variants: Vec<String> = spellings
                            .iter()
                            .map(|(s, n)| format!("'{s}' {n}"))
                            .collect();
                        format!("{key} {total} ({})", variants.join(", "))
                    }
                })
                .collect();
            writeln!(f, "Industries: {}", industries.join(", "))?;
        }
        if !self.unused_columns.is_empty() {
            writeln!(f, "Columns not used: {}", self.unused_columns.join(", "))?;
        }
        if !self.fx_added.is_empty() {
            let rates: Vec<String> = self
                .fx_added
                .iter()
                .map(|(c, n)| format!("{c} ({n} yearly rates)"))
                .collect();
            writeln!(
                f,
                "Exchange rates added from the shipped table: {}",
                rates.join(", ")
            )?;
        }
        writeln!(f, "Tag: {}", self.tag)?;

        notes_by_kind(f, &self.notes)?;
        list(f, "Rows rejected", &self.rejected)?;

        let new_rows: Vec<String> = self
            .rows
            .iter()
            .filter(|r| r.action == Action::New)
            .map(|r| format!("+ {} ({}, row {})", r.id, r.name, r.line))
            .collect();
        list(f, "New", &new_rows)?;
        let updated_rows: Vec<String> = self
            .rows
            .iter()
            .filter_map(|r| match &r.action {
                Action::Updated { fields, events } => {
                    let mut what: Vec<String> = fields.iter().map(ToString::to_string).collect();
                    if *events > 0 {
                        what.push(format!("{events} new events"));
                    }
                    Some(format!(
                        "~ {} ({}, row {}): {}",
                        r.id,
                        r.name,
                        r.line,
                        what.join("; ")
                    ))
                }
                _ => None,
            })
            .collect();
        list(f, "Updated", &updated_rows)?;
        let absent: Vec<String> = self
            .absent
            .iter()
            .map(|a| format!("- {} ({}; on {})", a.id, a.name, a.lists.join(", ")))
            .collect();
        list(f, "Absent from this list", &absent)?;
        if !self.absent.is_empty() && !self.rejected.is_empty() {
            writeln!(
                f,
                "{} rows were rejected: an absent company may be one of them until its row is fixed and imported.",
                self.rejected.len()
            )?;
        }

        if let Some(path) = &self.rejects_file {
            writeln!(f, "Rejected rows written unchanged to {}", path.display())?;
        }
        match (&self.outcome, self.dry_run) {
            (Some(o), _) => writeln!(
                f,
                "Imported: {} enterprises added, {} updated, {} unchanged; {} events added, {} already stored; {} exchange rates added",
                o.enterprises_added,
                o.enterprises_updated,
                o.enterprises_unchanged,
                o.events_added,
                o.events_duplicate,
                o.fx_added
            ),
            (None, true) if !self.rejected.is_empty() && !self.skip_invalid => writeln!(
                f,
                "The import would be refused: {} rows cannot be taken (fix them, or use --skip-invalid FILE)",
                self.rejected.len()
            ),
            (None, true) => writeln!(
                f,
                "Would import {} enterprise rows and {} events",
                self.enterprises_planned, self.events_planned
            ),
            (None, false) if !self.rejected.is_empty() && !self.skip_invalid => {
                writeln!(f, "Nothing was imported.")
            }
            (None, false) => writeln!(f, "Nothing to import: the store already holds all of it."),
        }
    }
}
