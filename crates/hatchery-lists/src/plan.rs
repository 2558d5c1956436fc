//! Planning an import: each row of a list is matched to a stored enterprise
//! (same normalized name, same country; namesakes told apart by city) or
//! becomes a new one, and the dataset that records the list is built.
//!
//! A row means: as of the list date L the company is private and valued at
//! V; it first reached the list's threshold (US$1bn) on the date it joined,
//! J. It is recorded as the enterprise, a `funding` event on J (the company
//! was funded by then), a `valuation` event of exactly the threshold on J (a
//! lower bound: the list says only that it reached it), and a `valuation`
//! event of V on L carrying the investors. A row without J gets the funding
//! event on L.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use hatchery_core::date::format_date;
use hatchery_core::model::Extra;
use hatchery_core::{
    Amount, Country, Currency, Dataset, DivisionCode, Enterprise, EnterpriseId, Event, EventKind,
    FxRate, FxTable, Money,
};

use crate::findings::{Note, Reason, Rejected, RowNote};
use crate::fx::shipped_rates;
use crate::names::{match_key, match_keys, slug};
use crate::parse::{ListRow, ParsedList};

/// The extra column that marks a founding date the list did not give.
pub const FOUNDED_ESTIMATED: &str = "x_founded_estimated";
/// The extra column of a valuation event holding the list's total raised.
pub const TOTAL_RAISED: &str = "x_total_raised";
/// Tags that record which lists an enterprise was on start with this.
pub const LIST_TAG_PREFIX: &str = "list:";

/// A change a row makes to a stored enterprise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldChange {
    /// A field that had another value, or none.
    Set {
        field: &'static str,
        from: Option<String>,
        to: Option<String>,
    },
    /// An item added to a list (`industries`, `tags`).
    Added { field: &'static str, item: String },
}

impl FieldChange {
    /// The field changed.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Set { field, .. } | Self::Added { field, .. } => field,
        }
    }
}

impl std::fmt::Display for FieldChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_owned());
        match self {
            Self::Set { field, from, to } => {
                write!(f, "{field} {} → {}", or_none(from), or_none(to))
            }
            Self::Added { field, item } => write!(f, "{field} +{item}"),
        }
    }
}

/// What importing a row does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A new enterprise.
    New,
    /// A stored enterprise gets new facts.
    Updated {
        fields: Vec<FieldChange>,
        events: usize,
    },
    /// A stored enterprise already holds everything the row says.
    Unchanged,
}

/// A row of the list and what importing it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRow {
    pub line: u64,
    pub name: String,
    pub id: EnterpriseId,
    pub country: Country,
    pub region: Option<DivisionCode>,
    pub action: Action,
}

/// A stored enterprise of an earlier list that this list does not name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absent {
    pub id: EnterpriseId,
    pub name: String,
    /// The list tags it carries.
    pub lists: Vec<String>,
}

/// Everything an import of the list would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan {
    /// What to hand to the store: new and changed enterprises, new events,
    /// and the exchange rates the valuations need.
    pub dataset: Dataset,
    /// The rows taken, in file order.
    pub rows: Vec<PlannedRow>,
    /// Enterprises of earlier lists not on this one.
    pub absent: Vec<Absent>,
    /// Rows rejected while reading or planning, in file order.
    pub rejected: Vec<Rejected>,
    /// Notes from reading and planning, in file order.
    pub notes: Vec<RowNote>,
    /// Shipped rates added per currency.
    pub fx_added: BTreeMap<Currency, usize>,
    /// The tag every enterprise on this list carries.
    pub tag: String,
}

impl ImportPlan {
    /// How many rows do each thing: `(new, updated, unchanged)`.
    pub fn counts(&self) -> (usize, usize, usize) {
        count_actions(&self.rows)
    }
}

/// How many rows do each thing: `(new, updated, unchanged)`.
pub(crate) fn count_actions(rows: &[PlannedRow]) -> (usize, usize, usize) {
    let mut counts = (0, 0, 0);
    for row in rows {
        match row.action {
            Action::New => counts.0 += 1,
            Action::Updated { .. } => counts.1 += 1,
            Action::Unchanged => counts.2 += 1,
        }
    }
    counts
}

/// The tag recording that an enterprise was on a list.
pub fn list_tag(profile_key: &str, list_date: jiff::civil::Date) -> String {
    format!("{LIST_TAG_PREFIX}{profile_key}:{}", format_date(list_date))
}

/// Where a row lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A new enterprise; `namesake` when others share its name and country.
    New {
        namesake: bool,
    },
    Stored(usize),
}

/// The stored enterprises some row of the list could be: `plan` needs the
/// events of these (and of no others) to tell what is already recorded.
pub fn candidate_ids(parsed: &ParsedList, stored: &[Enterprise]) -> Vec<EnterpriseId> {
    let index = StoredIndex::new(stored);
    let mut found: Vec<usize> = parsed
        .rows
        .iter()
        .flat_map(|row| index.candidates(row))
        .collect();
    found.sort_unstable();
    found.dedup();
    found.into_iter().map(|i| stored[i].id.clone()).collect()
}

/// Plans the import of a parsed list into a store holding `stored`: every
/// stored enterprise and exchange rate, and the events of at least the
/// enterprises in [`candidate_ids`].
pub fn plan(parsed: &ParsedList, stored: &Dataset) -> ImportPlan {
    let tag = list_tag(&parsed.profile_key, parsed.list_date);
    let mut rejected = parsed.rejected.clone();
    let mut notes = parsed.notes.clone();

    // Exchange rates first: a row whose money cannot be converted is not planned.
    let (fx, fx_added, unconvertible) = rates_needed(parsed, stored);
    let mut rows: Vec<&ListRow> = Vec::new();
    for row in &parsed.rows {
        let currencies = row_currencies(row, parsed);
        match currencies.iter().find(|c| unconvertible.contains(c)) {
            Some(&currency) => rejected.push(reject(row, Reason::NoRates { currency })),
            None => rows.push(row),
        }
    }

    let index = StoredIndex::new(&stored.enterprises);
    let targets = match_rows(&rows, &index, &mut rejected, &mut notes);
    let ids = assign_ids(&rows, &targets, &stored.enterprises);

    let matched_ids: HashSet<&EnterpriseId> = targets
        .iter()
        .filter_map(|t| match t {
            Some(Target::Stored(i)) => Some(&stored.enterprises[*i].id),
            _ => None,
        })
        .collect();
    let mut known_events: HashSet<[String; 11]> = stored
        .events
        .iter()
        .filter(|e| matched_ids.contains(&e.enterprise))
        .map(Event::identity_cells)
        .collect();

    let fx_table = FxTable::new(stored.fx.iter().chain(&fx));
    let mut dataset = Dataset {
        fx,
        ..Dataset::default()
    };
    let mut planned = Vec::new();
    for ((row, target), id) in rows.iter().zip(&targets).zip(ids) {
        let (Some(target), Some(id)) = (target, id) else {
            if target.is_some() {
                let problem = "cannot be made into an enterprise id".to_owned();
                rejected.push(reject(row, Reason::BadName(problem)));
            }
            continue;
        };
        let mut events = events_for(row, &id, parsed);
        if parsed.raised_from_total
            && let Some(total) = &row.total_raised
        {
            let earlier = stored.events.iter().filter(|e| e.enterprise == id);
            match raised_from_total(&id, total, earlier, &fx_table, parsed) {
                Ok(derived) => events.extend(derived),
                Err(currency) => notes.push(RowNote {
                    line: row.line,
                    name: row.name.clone(),
                    note: Note::RaisedNotCounted {
                        total: *total,
                        currency,
                    },
                }),
            }
        }
        let events: Vec<Event> = events
            .into_iter()
            .filter(|e| known_events.insert(e.identity_cells()))
            .collect();
        let new_events = events.len();
        dataset.events.extend(events);
        let (enterprise, action) = match *target {
            Target::New { .. } => (Some(new_enterprise(row, id.clone(), &tag)), Action::New),
            Target::Stored(i) => {
                let current = &stored.enterprises[i];
                let mut row_notes = Vec::new();
                let (merged, fields) = merge(current, row, &tag, &mut row_notes);
                notes.extend(row_notes.into_iter().map(|note| RowNote {
                    line: row.line,
                    name: row.name.clone(),
                    note,
                }));
                let action = if fields.is_empty() && new_events == 0 {
                    Action::Unchanged
                } else {
                    Action::Updated {
                        fields,
                        events: new_events,
                    }
                };
                ((merged != *current).then_some(merged), action)
            }
        };
        let (country, region) = enterprise.as_ref().map_or_else(
            || match target {
                Target::Stored(i) => (
                    stored.enterprises[*i].country,
                    stored.enterprises[*i].region,
                ),
                Target::New { .. } => (row.country, row.region),
            },
            |e| (e.country, e.region),
        );
        dataset.enterprises.extend(enterprise);
        planned.push(PlannedRow {
            line: row.line,
            name: row.name.clone(),
            id,
            country,
            region,
            action,
        });
    }

    // Enterprises some row of this list could be are not absent from it,
    // even when that row was rejected; nor are those an earlier import of
    // this same list (date and profile) tagged: after a partial import,
    // the fixed rejected rows are imported alone.
    let touched: HashSet<usize> = parsed
        .rows
        .iter()
        .flat_map(|row| index.candidates(row))
        .collect();
    let absent = stored
        .enterprises
        .iter()
        .enumerate()
        .filter(|(i, e)| !touched.contains(i) && !e.tags.contains(&tag))
        .filter_map(|(_, e)| {
            let lists: Vec<String> = e
                .tags
                .iter()
                .filter(|t| t.starts_with(LIST_TAG_PREFIX))
                .cloned()
                .collect();
            (!lists.is_empty()).then(|| Absent {
                id: e.id.clone(),
                name: e.name.clone(),
                lists,
            })
        })
        .collect();

    rejected.sort_by_key(|r| r.line);
    notes.sort_by_key(|n| n.line);
    ImportPlan {
        dataset,
        rows: planned,
        absent,
        rejected,
        notes,
        fx_added,
        tag,
    }
}

fn reject(row: &ListRow, reason: Reason) -> Rejected {
    Rejected {
        line: row.line,
        name: Some(row.name.clone()),
        reasons: vec![reason],
        cells: row.cells.clone(),
    }
}

/// The currencies a row's events are stated in, other than the dollar.
fn row_currencies(row: &ListRow, parsed: &ParsedList) -> BTreeSet<Currency> {
    let mut currencies = BTreeSet::from([row.valuation.currency]);
    if row.joined.is_some()
        && let Some(reached) = parsed.reached
    {
        currencies.insert(reached.currency);
    }
    if parsed.raised_from_total
        && let Some(total) = &row.total_raised
    {
        currencies.insert(total.currency);
    }
    currencies.remove(&Currency::USD);
    currencies
}

/// The shipped rates to add for currencies the store has no rates for, how
/// many per currency, and the currencies that have rates nowhere.
fn rates_needed(
    parsed: &ParsedList,
    stored: &Dataset,
) -> (Vec<FxRate>, BTreeMap<Currency, usize>, BTreeSet<Currency>) {
    let stored_currencies: HashSet<Currency> = stored.fx.iter().map(|r| r.currency).collect();
    let needed: BTreeSet<Currency> = parsed
        .rows
        .iter()
        .flat_map(|row| row_currencies(row, parsed))
        .filter(|c| !stored_currencies.contains(c))
        .collect();
    let mut rates = Vec::new();
    let mut added = BTreeMap::new();
    let mut missing = BTreeSet::new();
    for currency in needed {
        let shipped = shipped_rates(currency);
        if shipped.is_empty() {
            missing.insert(currency);
        } else {
            added.insert(currency, shipped.len());
            rates.extend(shipped);
        }
    }
    (rates, added, missing)
}

/// Every match key of a name and an optional English name.
fn keys_of(name: &str, name_en: Option<&str>) -> Vec<String> {
    [Some(name), name_en]
        .into_iter()
        .flatten()
        .flat_map(match_keys)
        .collect()
}

/// Stored enterprises by match key and country.
struct StoredIndex<'a> {
    stored: &'a [Enterprise],
    by_key: HashMap<(String, Country), Vec<usize>>,
}

impl<'a> StoredIndex<'a> {
    fn new(stored: &'a [Enterprise]) -> Self {
        let mut by_key: HashMap<(String, Country), Vec<usize>> = HashMap::new();
        for (i, e) in stored.iter().enumerate() {
            for key in keys_of(&e.name, e.name_en.as_deref()) {
                let at = by_key.entry((key, e.country)).or_default();
                if !at.contains(&i) {
                    at.push(i);
                }
            }
        }
        Self { stored, by_key }
    }

    /// The stored enterprises that share a match key (of the name or the
    /// English name) and the country with the row, in store order.
    fn candidates(&self, row: &ListRow) -> Vec<usize> {
        let mut found: Vec<usize> = keys_of(&row.name, row.name_en.as_deref())
            .into_iter()
            .filter_map(|key| self.by_key.get(&(key, row.country)))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// The comparison form of a city name.
fn city_key(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Whether a row and a stored enterprise are known to be in the same place.
fn same_place(row: &ListRow, stored: &Enterprise) -> bool {
    let regions = row
        .region
        .zip(stored.region)
        .is_some_and(|(a, b)| a.city() == b.city());
    let cities = row
        .city_written
        .as_deref()
        .zip(stored.city.as_deref())
        .is_some_and(|(a, b)| !city_key(a).is_empty() && city_key(a) == city_key(b));
    regions || cities
}

/// A place for messages: the city text, else the division's name.
fn place_of(region: Option<DivisionCode>, city: Option<&str>) -> String {
    match (city, region) {
        (Some(city), _) => city.to_owned(),
        (None, Some(code)) => code.display_name(),
        (None, None) => "no city".to_owned(),
    }
}

/// Matches every row to a stored enterprise or to a new one. Rows of one
/// name and country form a group: one row and one stored enterprise match;
/// otherwise rows and enterprises pair up by city, leftover rows are new
/// when no enterprise is left to be them, and rejected as ambiguous when
/// one is.
fn match_rows(
    rows: &[&ListRow],
    index: &StoredIndex<'_>,
    rejected: &mut Vec<Rejected>,
    notes: &mut Vec<RowNote>,
) -> Vec<Option<Target>> {
    let stored = index.stored;
    let mut targets: Vec<Option<Target>> = vec![None; rows.len()];
    let mut groups: BTreeMap<(String, Country), Vec<usize>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        groups
            .entry((match_key(&row.name), row.country))
            .or_default()
            .push(i);
    }
    let mut claimed: HashMap<usize, u64> = HashMap::new();
    let mut note = |row: &ListRow, note: Note| {
        notes.push(RowNote {
            line: row.line,
            name: row.name.clone(),
            note,
        });
    };

    // Groups in the order of their first row, so that results follow the file.
    let mut ordered: Vec<&Vec<usize>> = groups.values().collect();
    ordered.sort_by_key(|members| members[0]);
    for members in ordered {
        let mut pool: Vec<usize> = members
            .iter()
            .flat_map(|&i| index.candidates(rows[i]))
            .collect();
        pool.sort_unstable();
        pool.dedup();

        let mut decided: Vec<(usize, Option<Target>, Option<Reason>)> = Vec::new();
        if pool.is_empty() {
            let namesake = members.len() > 1;
            decided.extend(
                members
                    .iter()
                    .map(|&i| (i, Some(Target::New { namesake }), None)),
            );
        } else if let ([only_row], [only]) = (members.as_slice(), pool.as_slice()) {
            let (row, e) = (rows[*only_row], &stored[*only]);
            let differs = (row.region.is_some() || row.city_written.is_some())
                && (e.region.is_some() || e.city.is_some())
                && !same_place(row, e);
            if differs {
                note(
                    row,
                    Note::PlaceDiffers {
                        id: e.id.clone(),
                        stored: place_of(e.region, e.city.as_deref()),
                        listed: place_of(row.region, row.city_written.as_deref()),
                    },
                );
            }
            decided.push((*only_row, Some(Target::Stored(*only)), None));
        } else {
            let mut left: Vec<usize> = pool.clone();
            let mut unpaired = Vec::new();
            for &i in members {
                let here: Vec<usize> = left
                    .iter()
                    .copied()
                    .filter(|&e| same_place(rows[i], &stored[e]))
                    .collect();
                match here.as_slice() {
                    [e] => {
                        left.retain(|x| x != e);
                        decided.push((i, Some(Target::Stored(*e)), None));
                    }
                    [] => unpaired.push(i),
                    several => {
                        let candidates = several.iter().map(|&e| stored[e].id.clone()).collect();
                        decided.push((i, None, Some(Reason::Ambiguous { candidates })));
                    }
                }
            }
            for i in unpaired {
                if left.is_empty() {
                    let others = pool.iter().map(|&e| stored[e].id.clone()).collect();
                    note(rows[i], Note::SharesName { others });
                    decided.push((i, Some(Target::New { namesake: true }), None));
                } else {
                    let candidates = left.iter().map(|&e| stored[e].id.clone()).collect();
                    decided.push((i, None, Some(Reason::Ambiguous { candidates })));
                }
            }
        }

        for (i, target, reason) in decided {
            let row = rows[i];
            let target = match (target, reason) {
                (_, Some(reason)) => {
                    rejected.push(reject(row, reason));
                    continue;
                }
                (Some(Target::Stored(e)), None) => match claimed.get(&e) {
                    Some(&line) => {
                        let id = stored[e].id.clone();
                        rejected.push(reject(row, Reason::MatchedTwice { id, line }));
                        continue;
                    }
                    None => {
                        claimed.insert(e, row.line);
                        Target::Stored(e)
                    }
                },
                (Some(target), None) => target,
                (None, None) => continue,
            };
            targets[i] = Some(target);
        }
    }
    targets
}

/// Ids for new enterprises: `<name>-<country>` (`bytedance-cn`), from the
/// English name when the list gives one; namesakes add their city
/// (`fabric-us-bellevue`), then a number; never an id already stored.
/// Matched rows keep the stored id.
fn assign_ids(
    rows: &[&ListRow],
    targets: &[Option<Target>],
    stored: &[Enterprise],
) -> Vec<Option<EnterpriseId>> {
    let mut taken: HashSet<String> = stored.iter().map(|e| e.id.to_string()).collect();
    let base = |row: &ListRow| {
        let name = row
            .name_en
            .as_deref()
            .map(slug)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| slug(&row.name));
        let name = if name.is_empty() {
            "company".to_owned()
        } else {
            name
        };
        format!("{name}-{}", row.country.as_str().to_lowercase())
    };
    let mut new_per_base: HashMap<String, usize> = HashMap::new();
    for (row, target) in rows.iter().zip(targets) {
        if let Some(Target::New { .. }) = target {
            *new_per_base.entry(base(row)).or_default() += 1;
        }
    }
    rows.iter()
        .zip(targets)
        .map(|(row, target)| match target {
            None => None,
            Some(Target::Stored(i)) => Some(stored[*i].id.clone()),
            Some(Target::New { namesake }) => {
                let base = base(row);
                let mut choices = Vec::new();
                if !namesake && new_per_base.get(&base) == Some(&1) {
                    choices.push(base.clone());
                }
                if let Some(city) = row.city_written.as_deref().map(slug)
                    && !city.is_empty()
                {
                    let city: String = city.chars().take(24).collect();
                    choices.push(format!("{base}-{}", city.trim_end_matches('-')));
                }
                let mut chosen = choices.into_iter().find(|id| !taken.contains(id));
                let mut n = 2;
                while chosen.is_none() {
                    chosen = Some(format!("{base}-{n}")).filter(|id| !taken.contains(id));
                    n += 1;
                }
                let chosen = chosen.unwrap_or(base);
                taken.insert(chosen.clone());
                // Slugs are at most 100 characters and hold no control
                // characters, so the id is valid; a failure is reported by the caller.
                EnterpriseId::parse(&chosen).ok()
            }
        })
        .collect()
}

fn new_enterprise(row: &ListRow, id: EnterpriseId, tag: &str) -> Enterprise {
    let mut extra = Extra::new();
    if row.founded_estimated {
        extra.insert(FOUNDED_ESTIMATED.to_owned(), estimate_note(row));
    }
    Enterprise {
        id,
        name: row.name.clone(),
        name_en: row.name_en.clone(),
        uscc: None,
        founded: row.founded,
        country: row.country,
        region: row.region,
        city: row.city.clone(),
        zone: None,
        industries: row.industry.iter().cloned().collect(),
        tags: vec![tag.to_owned()],
        extra,
    }
}

fn estimate_note(row: &ListRow) -> String {
    "the list gives no founding date; this is the latest it can be".to_owned()
        + if row.joined.is_some() {
            " (the year it joined the list)"
        } else {
            " (the list's year)"
        }
}

/// A stored enterprise updated with what the row adds. The stored row's
/// facts win; the list fills what is missing, replaces an estimated
/// founding date with a real one, adds its industry and its tag.
fn merge(
    stored: &Enterprise,
    row: &ListRow,
    tag: &str,
    notes: &mut Vec<Note>,
) -> (Enterprise, Vec<FieldChange>) {
    let mut merged = stored.clone();
    let mut changes = Vec::new();
    let mut change = |field: &'static str, from: Option<String>, to: Option<String>| {
        changes.push(FieldChange::Set { field, from, to });
    };
    let text = |d: hatchery_core::date::PartialDate| Some(d.to_string());

    if merged.name_en.is_none()
        && let Some(name_en) = row.name_en.as_ref().filter(|en| **en != merged.name)
    {
        change("name_en", None, Some(name_en.clone()));
        merged.name_en = Some(name_en.clone());
    }

    let stored_estimated = merged.extra.contains_key(FOUNDED_ESTIMATED);
    match (stored_estimated, row.founded_estimated) {
        (true, false) => {
            change("founded", text(merged.founded), text(row.founded));
            merged.founded = row.founded;
            merged.extra.remove(FOUNDED_ESTIMATED);
        }
        // Both are latest possible dates: the earlier one is the better bound.
        (true, true) if row.founded.first_day() < merged.founded.first_day() => {
            change("founded", text(merged.founded), text(row.founded));
            merged.founded = row.founded;
        }
        (false, false) if merged.founded != row.founded => notes.push(Note::FoundedDiffers {
            id: merged.id.clone(),
            stored: merged.founded,
            listed: row.founded,
        }),
        _ => {}
    }

    if merged.region.is_none()
        && let Some(region) = row.region
    {
        change("region", None, Some(region.to_string()));
        merged.region = Some(region);
        if merged.city != row.city {
            change("city", merged.city.clone(), row.city.clone());
            merged.city.clone_from(&row.city);
        }
    } else if merged.region.is_none()
        && merged.city.is_none()
        && let Some(city) = &row.city
    {
        change("city", None, Some(city.clone()));
        merged.city = Some(city.clone());
    }

    if let Some(industry) = &row.industry
        && !merged.industries.contains(industry)
    {
        merged.industries.push(industry.clone());
        changes.push(FieldChange::Added {
            field: "industries",
            item: industry.clone(),
        });
    }
    if !merged.tags.iter().any(|t| t == tag) {
        merged.tags.push(tag.to_owned());
        changes.push(FieldChange::Added {
            field: "tags",
            item: tag.to_owned(),
        });
    }
    (merged, changes)
}

fn amount(value: rust_decimal::Decimal) -> Option<Amount> {
    Amount::from_decimal(value.normalize()).ok()
}

/// The `funding` event on the list's date for the part of the list's
/// total raised that the enterprise's funding rounds up to that date do not
/// already account for (each converted into the total's currency at its own
/// date, as rules convert them); `None` when they reach the total. A part
/// computed through exchange rates is rounded up to the cent, so that
/// importing the list again finds the total reached. `Err` names a currency
/// of an earlier round that cannot be converted.
fn raised_from_total<'a>(
    id: &EnterpriseId,
    total: &Money,
    earlier: impl Iterator<Item = &'a Event>,
    fx: &FxTable,
    parsed: &ParsedList,
) -> Result<Option<Event>, Currency> {
    let mut known = rust_decimal::Decimal::ZERO;
    let mut converted = false;
    for event in earlier {
        if event.kind != EventKind::Funding || event.date > parsed.list_date {
            continue;
        }
        let Some(value) = &event.amount else { continue };
        let currency = event.currency.unwrap_or(total.currency);
        if currency == total.currency {
            known += value.value();
            continue;
        }
        let from = fx.per_usd(currency, event.date).ok_or(currency)?;
        let to = fx
            .per_usd(total.currency, event.date)
            .ok_or(total.currency)?;
        if from.is_zero() {
            return Err(currency);
        }
        known += value.value() * to / from;
        converted = true;
    }
    let mut part = total.amount - known;
    if converted {
        part = part.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::AwayFromZero);
    }
    if part <= rust_decimal::Decimal::ZERO {
        return Ok(None);
    }
    let list_day = format_date(parsed.list_date);
    let known_text = if known.is_zero() {
        "none known".to_owned()
    } else {
        format!("{} {} known", known.round_dp(2).normalize(), total.currency)
    };
    Ok(Some(Event {
        amount: amount(part),
        currency: Some(total.currency),
        source: Some(format!(
            "{}, list of {list_day}: derived from the list's total raised of {} {} (the part not already known from earlier funding events: {known_text})",
            parsed.source,
            total.amount.normalize(),
            total.currency
        )),
        ..Event::new(id.clone(), parsed.list_date, EventKind::Funding)
    }))
}

/// The events that record a row (see the module's documentation).
fn events_for(row: &ListRow, id: &EnterpriseId, parsed: &ParsedList) -> Vec<Event> {
    let list_day = format_date(parsed.list_date);
    let source = |what: &str| Some(format!("{}, list of {list_day}: {what}", parsed.source));
    let event = |date, kind| Event::new(id.clone(), date, kind);

    let mut events = Vec::with_capacity(3);
    match (row.joined, parsed.reached) {
        (Some(joined), Some(reached)) => {
            events.push(Event {
                source: source("funded by the day it joined the list"),
                ..event(joined, EventKind::Funding)
            });
            events.push(Event {
                valuation: amount(reached.amount),
                currency: Some(reached.currency),
                source: source(&format!(
                    "lower bound: the day it joined the list, having reached a valuation of {reached}"
                )),
                ..event(joined, EventKind::Valuation)
            });
        }
        _ => events.push(Event {
            source: source("funded by the list's date at the latest"),
            ..event(parsed.list_date, EventKind::Funding)
        }),
    }
    let mut extra = Extra::new();
    if let Some(total) = &row.total_raised {
        extra.insert(
            TOTAL_RAISED.to_owned(),
            format!("{} {}", total.amount.normalize(), total.currency),
        );
    }
    events.push(Event {
        valuation: amount(row.valuation.amount),
        currency: Some(row.valuation.currency),
        investors: (!row.investors.is_empty()).then(|| row.investors.join(";")),
        source: source("valuation on the list's date"),
        extra,
        ..event(parsed.list_date, EventKind::Valuation)
    });
    events
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use hatchery_core::date::PartialDate;
    use jiff::civil::date;

    fn row(line: u64, name: &str, country: &str, city: Option<&str>) -> ListRow {
        ListRow {
            line,
            cells: vec![name.to_owned()],
            name: name.to_owned(),
            name_en: None,
            country: Country::parse(country).unwrap(),
            region: None,
            city: city.map(str::to_owned),
            city_written: city.map(str::to_owned),
            industry: Some("fintech".into()),
            investors: Vec::new(),
            founded: PartialDate::parse("2015").unwrap(),
            founded_estimated: false,
            joined: Some(date(2020, 1, 5)),
            valuation: Money::new(2_000_000_000_u64.into(), Currency::USD),
            total_raised: None,
        }
    }

    fn parsed(rows: Vec<ListRow>) -> ParsedList {
        ParsedList {
            file: PathBuf::from("list.csv"),
            profile_key: "test".into(),
            list_date: date(2022, 2, 28),
            source: "A test list".into(),
            reached: Some(Money::new(1_000_000_000_u64.into(), Currency::USD)),
            header: vec!["Company".into()],
            rows,
            rejected: Vec::new(),
            notes: Vec::new(),
            unused_columns: Vec::new(),
            blank_rows: 0,
            footer_rows: 0,
            industry_spellings: BTreeMap::new(),
            raised_from_total: false,
        }
    }

    fn stored(id: &str, name: &str, country: &str) -> Enterprise {
        Enterprise {
            id: id.parse().unwrap(),
            name: name.to_owned(),
            name_en: None,
            uscc: None,
            founded: PartialDate::parse("2012").unwrap(),
            country: Country::parse(country).unwrap(),
            region: None,
            city: None,
            zone: None,
            industries: Vec::new(),
            tags: Vec::new(),
            extra: Extra::new(),
        }
    }

    fn with(enterprises: Vec<Enterprise>) -> Dataset {
        Dataset {
            enterprises,
            ..Dataset::default()
        }
    }

    #[test]
    fn new_ids_never_take_a_stored_id() {
        // `bolt-us` is already another company's id (not a namesake: another name).
        let store = with(vec![stored("bolt-us", "Bolt Threads", "US")]);
        let planned = plan(
            &parsed(vec![row(2, "Bolt", "US", Some("San Francisco"))]),
            &store,
        );
        assert_eq!(planned.rows[0].id.as_str(), "bolt-us-san-francisco");
        assert_eq!(planned.rows[0].action, Action::New);
        let no_city = plan(&parsed(vec![row(2, "Bolt", "US", None)]), &store);
        assert_eq!(no_city.rows[0].id.as_str(), "bolt-us-2");
    }

    #[test]
    fn a_real_founding_year_replaces_an_estimate() {
        let mut estimated = stored("acme-cn", "Acme", "CN");
        estimated.founded = PartialDate::parse("2020").unwrap();
        estimated.extra.insert(FOUNDED_ESTIMATED.into(), "…".into());
        let planned = plan(
            &parsed(vec![row(2, "ACME", "CN", None)]),
            &with(vec![estimated]),
        );
        let merged = &planned.dataset.enterprises[0];
        assert_eq!(merged.founded.to_string(), "2015");
        assert!(!merged.extra.contains_key(FOUNDED_ESTIMATED));
        let Action::Updated { fields, events } = &planned.rows[0].action else {
            panic!("expected an update");
        };
        let changed: Vec<&str> = fields.iter().map(FieldChange::field).collect();
        assert_eq!(changed, ["founded", "industries", "tags"]);
        assert_eq!(*events, 3);
    }

    #[test]
    fn stored_facts_win_and_gaps_are_filled() {
        let mut earlier = stored("acme-cn", "Acme", "CN");
        earlier.city = Some("Suzhou".into());
        earlier.industries = vec!["ai".into()];
        let mut listed = row(2, "Acme Technology Co., Ltd.", "CN", Some("Suzhou"));
        listed.region = DivisionCode::parse("320500").ok();
        listed.city = None;
        let planned = plan(&parsed(vec![listed]), &with(vec![earlier]));
        let merged = &planned.dataset.enterprises[0];
        assert_eq!(merged.name, "Acme");
        assert_eq!(
            merged.founded.to_string(),
            "2012",
            "the stored founding year is kept"
        );
        assert_eq!(merged.region, DivisionCode::parse("320500").ok());
        assert_eq!(merged.city, None);
        assert_eq!(merged.industries, ["ai", "fintech"]);
        assert!(
            matches!(planned.notes[..], [ref n] if matches!(n.note, Note::FoundedDiffers { .. }))
        );
    }

    #[test]
    fn two_rows_cannot_both_be_one_enterprise() {
        let mut bytedance = stored("bytedance-cn", "字节跳动", "CN");
        bytedance.name_en = Some("ByteDance".into());
        let mut chinese = row(3, "字节跳动", "CN", None);
        chinese.name_en = Some("ByteDance".into());
        let planned = plan(
            &parsed(vec![row(2, "Bytedance", "CN", None), chinese]),
            &with(vec![bytedance]),
        );
        assert_eq!(planned.rows.len(), 1);
        assert_eq!(
            planned.rejected[0].reasons,
            [Reason::MatchedTwice {
                id: "bytedance-cn".parse().unwrap(),
                line: 2
            }]
        );
    }

    #[test]
    fn a_row_without_a_joining_date_is_funded_by_the_list_date() {
        let mut undated = row(2, "Acme", "CN", None);
        undated.joined = None;
        let planned = plan(&parsed(vec![undated]), &Dataset::default());
        let kinds: Vec<(EventKind, jiff::civil::Date)> = planned
            .dataset
            .events
            .iter()
            .map(|e| (e.kind, e.date))
            .collect();
        assert_eq!(
            kinds,
            [
                (EventKind::Funding, date(2022, 2, 28)),
                (EventKind::Valuation, date(2022, 2, 28))
            ]
        );
    }
}
