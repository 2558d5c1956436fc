//! Reading a list: every row of the file becomes a [`ListRow`] (a company,
//! with notes on whatever was not taken exactly as written) or a
//! [`Rejected`] row with its reasons. Nothing is repaired silently.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use hatchery_core::date::PartialDate;
use hatchery_core::{Country, DivisionCode, Money};
use jiff::civil::Date;

use crate::cells::{self, is_missing, parse_date, parse_founded, parse_money, split_names};
use crate::city::{CityMatch, resolve_city};
use crate::country::{CityCountry, country_of_city, resolve_country};
use crate::error::ListError;
use crate::findings::{Note, Reason, Rejected, RowNote};
use crate::industry::{industry_key, read_industry};
use crate::profile::{ColumnRef, FieldName, FoundedPolicy, Profile};
use crate::table::{RawRow, Table, header_key, read_table};

/// How a list is to be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOptions {
    /// The day the list describes: every row's valuation is as of this day.
    pub list_date: Date,
    /// Citation for the events; the profile's `source` by default.
    pub source: Option<String>,
    /// Import the rows that can be taken and write the others, unchanged,
    /// to this CSV file. Without it the import is all or nothing.
    pub skip_invalid: Option<PathBuf>,
    /// Plan and report only; write nothing.
    pub dry_run: bool,
    /// When the import runs (the caller's clock), recorded with it.
    pub now: jiff::Timestamp,
}

/// A row of the list, taken as a company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    /// The row's line (CSV) or sheet row (XLSX).
    pub line: u64,
    /// The cells as written, for the rejects file should planning reject it.
    pub cells: Vec<String>,
    pub name: String,
    pub name_en: Option<String>,
    pub country: Country,
    /// The division the city resolved to (Chinese cities, Hong Kong, Macao, Taiwan).
    pub region: Option<DivisionCode>,
    /// The city text to store: set when it is not what `region` came from.
    pub city: Option<String>,
    /// The city as the list writes it, for telling namesakes apart.
    pub city_written: Option<String>,
    pub industry: Option<String>,
    pub investors: Vec<String>,
    pub founded: PartialDate,
    /// The founding date is the latest possible, not the list's.
    pub founded_estimated: bool,
    /// The day the company joined the list.
    pub joined: Option<Date>,
    pub valuation: Money,
    pub total_raised: Option<Money>,
}

/// A whole list, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedList {
    /// The file, as given.
    pub file: PathBuf,
    pub profile_key: String,
    pub list_date: Date,
    /// The citation events carry.
    pub source: String,
    /// What a row's date joined says it reached, when the profile maps it.
    pub reached: Option<Money>,
    /// The header row as written, for the rejects file.
    pub header: Vec<String>,
    pub rows: Vec<ListRow>,
    pub rejected: Vec<Rejected>,
    pub notes: Vec<RowNote>,
    /// Columns the profile does not map.
    pub unused_columns: Vec<String>,
    pub blank_rows: usize,
    pub footer_rows: usize,
    /// Industry key → spelling as written → rows.
    pub industry_spellings: BTreeMap<String, BTreeMap<String, usize>>,
    /// Whether the totals raised count as money raised (the profile's
    /// `fields.total_raised.counts_as_raised`): the part not yet known
    /// becomes a `funding` event on the list's date.
    pub raised_from_total: bool,
}

impl ParsedList {
    /// Rows in the file, taken or not.
    pub fn rows_read(&self) -> usize {
        self.rows.len() + self.rejected.len()
    }
}

/// Reads a list file with a profile.
pub fn read_list(
    path: &Path,
    profile: &Profile,
    options: &ListOptions,
) -> Result<ParsedList, ListError> {
    let table = read_table(path, &profile.file)?;
    parse_table(path, table, profile, options)
}

/// Reads the rows of a table already loaded.
pub fn parse_table(
    path: &Path,
    table: Table,
    profile: &Profile,
    options: &ListOptions,
) -> Result<ParsedList, ListError> {
    let raw_header = table.header.clone();
    let (table, raw_rows, split_reasons) = split_columns(path, table, profile)?;
    let derived = table.header.len() - raw_header.len();
    let columns = Columns::resolve(path, &table.header, profile)?;
    let shift = match &profile.shifted {
        Some(rule) => Some(Shift::new(
            path,
            rule.missing,
            rule.through,
            &columns,
            &table,
            profile,
        )?),
        None => None,
    };
    let reader = RowReader {
        file: path,
        profile,
        columns: &columns,
        derived,
        shift: shift.as_ref(),
        list_date: options.list_date,
        city_aliases: profile
            .fields
            .city
            .as_ref()
            .map(|f| f.aliases.clone())
            .unwrap_or_default(),
    };

    let mut parsed = ParsedList {
        file: path.to_owned(),
        profile_key: profile.key.clone(),
        list_date: options.list_date,
        source: options
            .source
            .clone()
            .unwrap_or_else(|| profile.source().to_owned()),
        reached: profile.fields.date_joined.as_ref().map(|j| j.reached),
        header: raw_header,
        rows: Vec::new(),
        rejected: Vec::new(),
        notes: Vec::new(),
        unused_columns: columns.unused(&table.header, &split_sources(&table.header, profile)),
        blank_rows: table.blank_rows,
        footer_rows: table.footer_rows,
        industry_spellings: BTreeMap::new(),
        raised_from_total: profile
            .fields
            .total_raised
            .as_ref()
            .is_some_and(|f| f.counts_as_raised),
    };
    let mut seen: HashMap<Vec<String>, u64> = HashMap::new();
    for ((row, raw_cells), split_reasons) in table.rows.into_iter().zip(raw_rows).zip(split_reasons)
    {
        let mut notes = Vec::new();
        let result = match seen.get(&raw_cells) {
            Some(&line) => Err(vec![Reason::Duplicate { line }]),
            None if !split_reasons.is_empty() => Err(split_reasons),
            None => reader
                .read(row.line, &row.cells, &mut notes)
                .map(|(list_row, spelling)| {
                    (
                        ListRow {
                            cells: raw_cells.clone(),
                            ..list_row
                        },
                        spelling,
                    )
                }),
        };
        seen.entry(raw_cells.clone()).or_insert(row.line);
        let raw = RawRow {
            line: row.line,
            cells: raw_cells,
        };
        match result {
            Ok((row, spelling)) => {
                if let (Some(key), Some(spelling)) = (&row.industry, spelling) {
                    *parsed
                        .industry_spellings
                        .entry(key.clone())
                        .or_default()
                        .entry(spelling)
                        .or_default() += 1;
                }
                parsed.notes.extend(notes.into_iter().map(|note| RowNote {
                    line: row.line,
                    name: row.name.clone(),
                    note,
                }));
                parsed.rows.push(row);
            }
            Err(reasons) => {
                let name = columns
                    .cell(FieldName::Name, &row.cells)
                    .filter(|c| !is_missing(c, &profile.missing))
                    .map(|c| c.trim().to_owned());
                parsed.rejected.push(Rejected {
                    line: raw.line,
                    name,
                    reasons,
                    cells: raw.cells,
                });
            }
        }
    }
    Ok(parsed)
}

/// The positions of the columns `file.split` splits (found by
/// [`split_columns`] already).
fn split_sources(header: &[String], profile: &Profile) -> Vec<usize> {
    profile
        .file
        .split
        .iter()
        .filter_map(|split| column_position(header, &split.column))
        .collect()
}

fn column_position(header: &[String], column: &ColumnRef) -> Option<usize> {
    match column {
        ColumnRef::Header(name) => {
            let key = header_key(name);
            header.iter().position(|h| header_key(h) == key)
        }
        ColumnRef::Position(p) => (*p <= header.len()).then(|| p - 1),
    }
}

/// The rows of a table with the profile's `file.split` columns added: each
/// split column's parts go into new columns after the file's own (cells
/// beyond the header, which reject a row, after them). Returns that table,
/// every row's cells as written, and per row the reasons a cell would not
/// split. A missing cell gives empty parts.
type Split = (Table, Vec<Vec<String>>, Vec<Vec<Reason>>);

fn split_columns(path: &Path, table: Table, profile: &Profile) -> Result<Split, ListError> {
    let splits = &profile.file.split;
    let width = table.header.len();
    let mut sources = Vec::new();
    for split in splits {
        let at = column_position(&table.header, &split.column).ok_or_else(|| {
            ListError::MissingColumn {
                path: path.to_owned(),
                field: "file.split".into(),
                column: split.column.to_string(),
                header: table
                    .header
                    .iter()
                    .map(|h| format!("'{h}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })?;
        for name in &split.into {
            if table
                .header
                .iter()
                .any(|h| header_key(h) == header_key(name))
            {
                return Err(ListError::File {
                    path: path.to_owned(),
                    message: format!(
                        "file.split names a part '{name}', which is already a column of the file: give the part another name"
                    ),
                });
            }
        }
        sources.push(at);
    }
    let raw_rows: Vec<Vec<String>> = table.rows.iter().map(|r| r.cells.clone()).collect();
    if splits.is_empty() {
        let reasons = vec![Vec::new(); table.rows.len()];
        return Ok((table, raw_rows, reasons));
    }
    let mut header = table.header.clone();
    header.extend(splits.iter().flat_map(|s| s.into.iter().cloned()));
    let mut all_reasons = Vec::with_capacity(table.rows.len());
    let rows = table
        .rows
        .into_iter()
        .map(|row| {
            let mut reasons = Vec::new();
            let mut cells: Vec<String> = (0..width)
                .map(|i| row.cells.get(i).cloned().unwrap_or_default())
                .collect();
            for (split, &at) in splits.iter().zip(&sources) {
                let cell = row.cells.get(at).map_or("", String::as_str);
                let parts: Vec<&str> = if is_missing(cell, &profile.missing) {
                    vec![""; split.into.len()]
                } else {
                    cell.split(split.separator.as_str())
                        .map(str::trim)
                        .collect()
                };
                if parts.len() == split.into.len() {
                    cells.extend(parts.into_iter().map(str::to_owned));
                } else {
                    reasons.push(Reason::Unsplit {
                        column: header[at].clone(),
                        written: cell.trim().to_owned(),
                        separator: split.separator.clone(),
                        into: split.into.clone(),
                    });
                    cells.extend(split.into.iter().map(|_| String::new()));
                }
            }
            cells.extend(row.cells.iter().skip(width).cloned());
            all_reasons.push(reasons);
            RawRow {
                line: row.line,
                cells,
            }
        })
        .collect();
    let table = Table {
        header,
        rows,
        ..table
    };
    Ok((table, raw_rows, all_reasons))
}

/// Where each mapped field is in the file.
#[derive(Debug)]
struct Columns {
    index: HashMap<FieldName, usize>,
    /// A readable name per column: its header, or `column N`.
    labels: Vec<String>,
}

impl Columns {
    fn resolve(path: &Path, header: &[String], profile: &Profile) -> Result<Self, ListError> {
        let keys: Vec<String> = header.iter().map(|h| header_key(h)).collect();
        let mut index = HashMap::new();
        for (field, column) in profile.fields.columns() {
            let found = match column {
                ColumnRef::Header(name) => {
                    let key = header_key(name);
                    keys.iter().position(|k| *k == key)
                }
                ColumnRef::Position(p) => (*p <= header.len()).then(|| p - 1),
            };
            let at = found.ok_or_else(|| ListError::MissingColumn {
                path: path.to_owned(),
                field: field.to_string(),
                column: column.to_string(),
                header: header
                    .iter()
                    .map(|h| format!("'{h}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
            index.insert(field, at);
        }
        let labels = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                if h.is_empty() {
                    format!("column {}", i + 1)
                } else {
                    h.clone()
                }
            })
            .collect();
        Ok(Self { index, labels })
    }

    fn label(&self, field: FieldName) -> String {
        self.index
            .get(&field)
            .map_or_else(|| field.to_string(), |&i| self.labels[i].clone())
    }

    fn cell<'a>(&self, field: FieldName, cells: &'a [String]) -> Option<&'a str> {
        cells.get(*self.index.get(&field)?).map(String::as_str)
    }

    fn unused(&self, header: &[String], split: &[usize]) -> Vec<String> {
        let mut used: HashSet<usize> = self.index.values().copied().collect();
        used.extend(split);
        (0..header.len())
            .filter(|i| !used.contains(i))
            .map(|i| self.labels[i].clone())
            .collect()
    }
}

/// The profile's shifted-row rule, placed in this file.
#[derive(Debug)]
struct Shift {
    missing: FieldName,
    /// The missing field's column and the last column that moved.
    from: usize,
    to: usize,
    /// Values of the column after `from`, as industry keys.
    vocabulary: HashSet<String>,
}

impl Shift {
    fn new(
        path: &Path,
        missing: FieldName,
        through: FieldName,
        columns: &Columns,
        table: &Table,
        profile: &Profile,
    ) -> Result<Self, ListError> {
        let (Some(&from), Some(&to)) = (columns.index.get(&missing), columns.index.get(&through))
        else {
            return Err(ListError::File {
                path: path.to_owned(),
                message: format!("shifted: {missing} and {through} both need a column"),
            });
        };
        if from >= to {
            return Err(ListError::File {
                path: path.to_owned(),
                message: format!(
                    "shifted: {missing} must be left of {through} in the file for cells to move left from it"
                ),
            });
        }
        let mut vocabulary: HashSet<String> = table
            .rows
            .iter()
            .filter_map(|row| row.cells.get(from + 1))
            .filter(|cell| !is_missing(cell, &profile.missing))
            .filter_map(|cell| industry_key(cell))
            .collect();
        if columns.index.get(&FieldName::Industry) == Some(&(from + 1))
            && let Some(industry) = &profile.fields.industry
        {
            for (wrong, meant) in &industry.corrections {
                vocabulary.extend(industry_key(wrong));
                vocabulary.extend(industry_key(meant));
            }
        }
        Ok(Self {
            missing,
            from,
            to,
            vocabulary,
        })
    }
}

/// Reads single rows.
struct RowReader<'a> {
    /// The file, for locations (`file:line:column`).
    file: &'a Path,
    profile: &'a Profile,
    columns: &'a Columns,
    /// Columns made by splitting cells (`file.split`), after the file's own.
    derived: usize,
    shift: Option<&'a Shift>,
    list_date: Date,
    city_aliases: BTreeMap<String, DivisionCode>,
}

/// The row's cells, as the profile says to read them.
struct View<'a> {
    cells: &'a [String],
    /// `(from, to)` when the row is shifted.
    shifted: Option<(usize, usize)>,
}

impl View<'_> {
    /// The cell that field column `i` is read from.
    fn source(&self, i: usize) -> usize {
        match self.shifted {
            Some((from, to)) if i > from && i <= to => i - 1,
            _ => i,
        }
    }

    fn at(&self, i: usize) -> &str {
        let source = match self.shifted {
            Some((from, _)) if i == from => return "",
            Some((from, to)) if i > from && i <= to => i - 1,
            _ => i,
        };
        self.cells.get(source).map_or("", String::as_str)
    }
}

const MAX_NAME_CHARS: usize = 200;

/// One row's cells as its fields, with the messages that point at them.
struct Fielded<'a> {
    view: View<'a>,
    columns: &'a Columns,
    missing: &'a [String],
}

impl Fielded<'_> {
    /// A field's trimmed cell, or `None` when unmapped or missing.
    fn value(&self, field: FieldName) -> Option<&str> {
        let cell = self.view.at(*self.columns.index.get(&field)?);
        (!is_missing(cell, self.missing)).then(|| cell.trim())
    }

    fn bad(&self, field: FieldName, error: cells::CellError) -> Reason {
        Reason::Cell {
            field,
            column: self.columns.label(field),
            error,
        }
    }

    fn absent(&self, field: FieldName) -> Reason {
        Reason::Missing {
            field,
            column: self.columns.label(field),
        }
    }
}

/// Keeps a value, or records why there is none.
fn keep<T>(reasons: &mut Vec<Reason>, result: Result<T, Reason>) -> Option<T> {
    result.map_err(|reason| reasons.push(reason)).ok()
}

impl RowReader<'_> {
    /// A row as a company, or every reason it cannot be one. The second
    /// value is the industry as written, for the summary.
    fn read(
        &self,
        line: u64,
        cells: &[String],
        notes: &mut Vec<Note>,
    ) -> Result<(ListRow, Option<String>), Vec<Reason>> {
        let mut reasons = Vec::new();
        let header_len = self.columns.labels.len();
        let used_cells = cells
            .iter()
            .rposition(|c| !c.trim().is_empty())
            .map_or(0, |i| i + 1);
        if used_cells > header_len {
            // The split parts are not in the file: count what is.
            reasons.push(Reason::ExtraCells {
                found: used_cells - self.derived,
                header: header_len - self.derived,
            });
        }
        let row = Fielded {
            view: View {
                cells,
                shifted: self.shifted(cells, notes, &mut reasons),
            },
            columns: self.columns,
            missing: &self.profile.missing,
        };

        let name = keep(&mut reasons, self.name(&row));
        // An English name that is the name itself says nothing more.
        let name_en = row
            .value(FieldName::NameEn)
            .filter(|en| name.as_deref() != Some(*en))
            .map(str::to_owned);
        let valuation = keep(&mut reasons, self.valuation(&row));
        let joined = keep(&mut reasons, self.joined(&row, notes)).flatten();
        let country = keep(&mut reasons, self.country(&row, notes));
        let industry = self.industry(&row, notes);
        let investors = keep(&mut reasons, self.investors(&row, notes)).unwrap_or_default();
        let founded = keep(&mut reasons, self.founded(&row, joined, notes));
        let total_raised = keep(&mut reasons, self.total_raised(line, &row, notes)).flatten();
        let city_written = row.value(FieldName::City).map(str::to_owned);

        // Every value missing above has added a reason.
        let (Some(name), Some(valuation), Some(country), Some((founded, founded_estimated)), true) =
            (name, valuation, country, founded, reasons.is_empty())
        else {
            return Err(reasons);
        };
        let (country, region, city) = self.place(country, city_written.as_deref(), notes);
        let (industry, spelling) = industry.unzip();
        Ok((
            ListRow {
                line,
                cells: cells.to_vec(),
                name,
                name_en,
                country,
                region,
                city,
                city_written,
                industry,
                investors,
                founded,
                founded_estimated,
                joined,
                valuation,
                total_raised,
            },
            spelling,
        ))
    }

    fn name(&self, row: &Fielded<'_>) -> Result<String, Reason> {
        let name = row
            .value(FieldName::Name)
            .ok_or_else(|| row.absent(FieldName::Name))?;
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(Reason::BadName(format!(
                "has more than {MAX_NAME_CHARS} characters"
            )));
        }
        if name.chars().any(char::is_control) {
            return Err(Reason::BadName("holds control characters".into()));
        }
        Ok(name.to_owned())
    }

    /// V; below the field's `at_least` it is implausible and rejects the row.
    fn valuation(&self, row: &Fielded<'_>) -> Result<Money, Reason> {
        let field = &self.profile.fields.valuation;
        let text = row
            .value(FieldName::Valuation)
            .ok_or_else(|| row.absent(FieldName::Valuation))?;
        let value = parse_money(text, field).map_err(|e| row.bad(FieldName::Valuation, e))?;
        match field.at_least {
            Some(floor) if value.currency == field.currency && value.amount < floor => {
                Err(Reason::ValuationImplausible {
                    value,
                    at_least: Money::new(floor, field.currency),
                })
            }
            _ => Ok(value),
        }
    }

    /// J. A month or a year stands for its last day (the company was surely
    /// on the list by then), but not past the list's date. A J after the
    /// list's date contradicts the list: the row is taken as the list says
    /// (valued V as of L) and the contradiction is reported.
    fn joined(&self, row: &Fielded<'_>, notes: &mut Vec<Note>) -> Result<Option<Date>, Reason> {
        let (Some(field), Some(text)) = (
            &self.profile.fields.date_joined,
            row.value(FieldName::DateJoined),
        ) else {
            return Ok(None);
        };
        let date = parse_date(text, field.order).map_err(|e| row.bad(FieldName::DateJoined, e))?;
        if date.first_day() > self.list_date {
            notes.push(Note::JoinedAfterList {
                joined: date.first_day(),
                list: self.list_date,
            });
            return Ok(Some(date.first_day()));
        }
        Ok(Some(date.last_day().min(self.list_date)))
    }

    /// The country cell's country. When the cell is empty, the city's:
    /// a city-state or territory, or a place the gazetteer knows in one
    /// country only (reported); then the profile's default. A city of
    /// several countries with no default rejects the row.
    fn country(&self, row: &Fielded<'_>, notes: &mut Vec<Note>) -> Result<Country, Reason> {
        let field = &self.profile.fields.country;
        if let Some(text) = row.value(FieldName::Country) {
            return resolve_country(text, &field.aliases)
                .ok_or_else(|| Reason::UnknownCountry(text.to_owned()));
        }
        // Without a column the default is the list's one country.
        if field.column.is_some()
            && let Some(city) = row.value(FieldName::City)
        {
            let inferred = |country, city_state| {
                let note = Note::CountryInferred {
                    city: city.to_owned(),
                    country,
                    city_state,
                };
                (country, note)
            };
            let (country, note) = match country_of_city(city, &self.city_aliases) {
                CityCountry::CityState(country) => inferred(country, true),
                CityCountry::Gazetteer(country) => inferred(country, false),
                CityCountry::Ambiguous(countries) if field.default.is_none() => {
                    return Err(Reason::CountryUnclear {
                        column: row.columns.label(FieldName::Country),
                        city_column: row.columns.label(FieldName::City),
                        city: city.to_owned(),
                        countries,
                    });
                }
                CityCountry::Ambiguous(_) | CityCountry::Unknown => {
                    return field.default.ok_or_else(|| row.absent(FieldName::Country));
                }
            };
            notes.push(note);
            return Ok(country);
        }
        field.default.ok_or_else(|| row.absent(FieldName::Country))
    }

    /// The industry key and the spelling it came from.
    fn industry(&self, row: &Fielded<'_>, notes: &mut Vec<Note>) -> Option<(String, String)> {
        let field = self.profile.fields.industry.as_ref()?;
        let written = row.value(FieldName::Industry)?;
        let industry = read_industry(written, &field.corrections)?;
        if let Some((written, meant)) = industry.corrected {
            notes.push(Note::IndustryCorrected { written, meant });
        }
        Some((industry.key, written.to_owned()))
    }

    fn investors(&self, row: &Fielded<'_>, notes: &mut Vec<Note>) -> Result<Vec<String>, Reason> {
        let (Some(field), Some(text)) = (
            &self.profile.fields.investors,
            row.value(FieldName::Investors),
        ) else {
            return Ok(Vec::new());
        };
        let names = split_names(text, field.split).map_err(|e| row.bad(FieldName::Investors, e))?;
        if names.had_empty {
            notes.push(Note::EmptyName {
                field: FieldName::Investors,
            });
        }
        Ok(names.names)
    }

    /// The founding date, and whether it is the latest possible rather than
    /// the list's. After the list's date it rejects the row; after J it is
    /// reported and kept.
    fn founded(
        &self,
        row: &Fielded<'_>,
        joined: Option<Date>,
        notes: &mut Vec<Note>,
    ) -> Result<(PartialDate, bool), Reason> {
        let (date, estimated) = match row.value(FieldName::Founded) {
            Some(text) => (
                parse_founded(text).map_err(|e| row.bad(FieldName::Founded, e))?,
                false,
            ),
            None => match self.profile.fields.founded.if_missing {
                FoundedPolicy::Reject => return Err(row.absent(FieldName::Founded)),
                FoundedPolicy::LatestPossible => {
                    let (year, because) = match joined {
                        Some(j) => (j.year(), "the year it joined the list"),
                        None => (self.list_date.year(), "the year of the list"),
                    };
                    let date =
                        PartialDate::year(year).ok_or_else(|| row.absent(FieldName::Founded))?;
                    notes.push(Note::FoundedEstimated { year, because });
                    (date, true)
                }
            },
        };
        if date.first_day() > self.list_date {
            return Err(Reason::FoundedAfterList {
                founded: date,
                list: self.list_date,
            });
        }
        if let Some(j) = joined
            && date.first_day() > j
        {
            notes.push(Note::FoundedAfterJoined {
                founded: date,
                joined: j,
            });
        }
        Ok((date, estimated))
    }

    /// The total raised; below the field's `at_least` it is reported and dropped.
    /// When the total counts as money raised, a cell that cannot be read
    /// is named by `file:line:column`.
    fn total_raised(
        &self,
        line: u64,
        row: &Fielded<'_>,
        notes: &mut Vec<Note>,
    ) -> Result<Option<Money>, Reason> {
        let (Some(field), Some(text)) = (
            &self.profile.fields.total_raised,
            row.value(FieldName::TotalRaised),
        ) else {
            return Ok(None);
        };
        let total = parse_money(text, field).map_err(|error| {
            if !field.counts_as_raised {
                return row.bad(FieldName::TotalRaised, error);
            }
            let column = row
                .columns
                .index
                .get(&FieldName::TotalRaised)
                .map_or(0, |&i| row.view.source(i) + 1);
            Reason::RaisedUnreadable {
                at: format!("{}:{line}:{column}", self.file.display()),
                column: row.columns.label(FieldName::TotalRaised),
                error,
            }
        })?;
        match field.at_least {
            Some(floor) if total.currency == field.currency && total.amount < floor => {
                notes.push(Note::TotalRaisedImplausible {
                    written: text.to_owned(),
                    at_least: Money::new(floor, field.currency),
                });
                Ok(None)
            }
            _ => Ok(Some(total)),
        }
    }

    /// Whether the row is shifted per the profile's rule; `None` when the
    /// rule does not apply or the row cannot be read that way.
    fn shifted(
        &self,
        cells: &[String],
        notes: &mut Vec<Note>,
        reasons: &mut Vec<Reason>,
    ) -> Option<(usize, usize)> {
        let shift = self.shift?;
        let markers = &self.profile.missing;
        let cell = cells.get(shift.from)?;
        if is_missing(cell, markers) || !shift.vocabulary.contains(&industry_key(cell)?) {
            return None;
        }
        let column = self.columns.labels[shift.from].clone();
        if !cells.get(shift.to).is_none_or(|c| is_missing(c, markers)) {
            reasons.push(Reason::ShiftUnclear {
                column,
                holds: cell.trim().to_owned(),
                through: self.columns.labels[shift.to].clone(),
            });
            return None;
        }
        notes.push(Note::Shifted {
            missing: shift.missing,
            column,
            holds: cell.trim().to_owned(),
        });
        Some((shift.from, shift.to))
    }

    /// Country, region and city text of a row.
    fn place(
        &self,
        country: Country,
        city: Option<&str>,
        notes: &mut Vec<Note>,
    ) -> (Country, Option<DivisionCode>, Option<String>) {
        let territory = match country.as_str() {
            "HK" => Some(810_000),
            "MO" => Some(820_000),
            "TW" => Some(710_000),
            _ => None,
        }
        .and_then(DivisionCode::from_value);
        if let Some(territory) = territory {
            // The whole territory is one division: the city text stays when it
            // names a place inside it (Kowloon), not the territory itself.
            let names_territory = city
                .is_some_and(|c| resolve_city(c, &self.city_aliases) == CityMatch::City(territory));
            let text = city.filter(|_| !names_territory).map(str::to_owned);
            return (country, Some(territory), text);
        }
        let (Some(city), true) = (city, country == Country::CN) else {
            return (country, None, city.map(str::to_owned));
        };
        match resolve_city(city, &self.city_aliases) {
            CityMatch::City(code) => {
                let moved = match code.province_prefix() {
                    81 => Country::parse("HK").ok(),
                    82 => Country::parse("MO").ok(),
                    _ => None,
                };
                if let Some(moved) = moved {
                    notes.push(Note::CountryFromCity {
                        written: city.to_owned(),
                        country: moved,
                    });
                    return (moved, Some(code), None);
                }
                (country, Some(code), None)
            }
            CityMatch::Province(code) => {
                notes.push(Note::ProvinceAsCity {
                    written: city.to_owned(),
                    province: code,
                });
                (country, Some(code), None)
            }
            CityMatch::Ambiguous(candidates) => {
                notes.push(Note::CityAmbiguous {
                    written: city.to_owned(),
                    candidates,
                });
                (country, None, Some(city.to_owned()))
            }
            CityMatch::Unknown => {
                notes.push(Note::CityUnresolved {
                    written: city.to_owned(),
                });
                (country, None, Some(city.to_owned()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::RawRow;
    use jiff::civil::date;

    const PROFILE: &str = r#"
        key = "test"
        title = "A test list"
        missing = ["", "None"]
        [fields.name]
        column = "Company"
        [fields.valuation]
        column = "Valuation ($B)"
        unit = "billion"
        at_least = "100000000"
        [fields.date_joined]
        column = "Joined"
        order = "month-first"
        [fields.country]
        column = "Country"
        default = "CN"
        [fields.city]
        column = "City"
        [fields.industry]
        column = "Industry"
        [fields.investors]
        column = "Investors"
        [fields.founded]
        column = "Founded"
        [shifted]
        missing = "city"
        through = "investors"
    "#;

    const HEADER: [&str; 8] = [
        "Company",
        "Valuation ($B)",
        "Joined",
        "Country",
        "City",
        "Industry",
        "Investors",
        "Founded",
    ];

    fn parse(rows: &[&[&str]]) -> ParsedList {
        let table = Table {
            header: HEADER.iter().map(|h| (*h).to_owned()).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, cells)| RawRow {
                    line: i as u64 + 2,
                    cells: cells.iter().map(|c| (*c).to_owned()).collect(),
                })
                .collect(),
            blank_rows: 0,
            footer_rows: 0,
        };
        let options = ListOptions {
            list_date: date(2022, 2, 28),
            source: None,
            skip_invalid: None,
            dry_run: false,
            now: jiff::Timestamp::UNIX_EPOCH,
        };
        let profile = Profile::from_toml(PROFILE).unwrap();
        parse_table(Path::new("list.csv"), table, &profile, &options).unwrap()
    }

    const GOOD: [&str; 8] = [
        "Acme", "$2", "1/5/2020", "China", "Beijing", "Fintech", "A, B", "2015",
    ];

    fn reasons(parsed: &ParsedList) -> Vec<&Reason> {
        parsed.rejected.iter().flat_map(|r| &r.reasons).collect()
    }

    #[test]
    fn a_good_row_is_read_field_by_field() {
        let parsed = parse(&[&GOOD]);
        assert!(parsed.rejected.is_empty() && parsed.notes.is_empty());
        let row = &parsed.rows[0];
        assert_eq!(row.name, "Acme");
        assert_eq!(row.valuation.amount.to_string(), "2000000000");
        assert_eq!(row.joined, Some(date(2020, 1, 5)));
        assert_eq!(row.region, DivisionCode::parse("110000").ok());
        assert_eq!(
            (row.city.as_deref(), row.city_written.as_deref()),
            (None, Some("Beijing"))
        );
        assert_eq!(row.industry.as_deref(), Some("fintech"));
        assert_eq!(row.investors, ["A", "B"]);
        assert_eq!(
            (row.founded.to_string(), row.founded_estimated),
            ("2015".into(), false)
        );
    }

    #[test]
    fn every_problem_of_a_row_is_given() {
        let parsed = parse(&[&["", "$0.05", "13/1/2020", "Narnia", "", "", "", "2015x"]]);
        let row = &parsed.rejected[0];
        assert_eq!((row.line, row.name.as_deref()), (2, None));
        assert!(
            matches!(
                row.reasons[..],
                [
                    Reason::Missing {
                        field: FieldName::Name,
                        ..
                    },
                    Reason::ValuationImplausible { .. },
                    Reason::Cell {
                        field: FieldName::DateJoined,
                        ..
                    },
                    Reason::UnknownCountry(_),
                    Reason::Cell {
                        field: FieldName::Founded,
                        ..
                    },
                ]
            ),
            "{:?}",
            row.reasons
        );
    }

    #[test]
    fn a_founding_after_the_list_rejects_the_row_a_late_joining_is_reported() {
        let mut late_join = GOOD;
        late_join[2] = "3/1/2022";
        let mut late_founding = GOOD;
        late_founding[7] = "2023";
        let parsed = parse(&[&late_join, &late_founding]);
        assert!(matches!(
            reasons(&parsed)[..],
            [Reason::FoundedAfterList { .. }]
        ));
        assert_eq!(parsed.rows.len(), 1);
        assert!(
            parsed
                .notes
                .iter()
                .any(|n| matches!(n.note, Note::JoinedAfterList { .. }))
        );
    }

    #[test]
    fn shifted_rows_need_the_last_moved_cell_empty() {
        // City holds an industry another row has; Industry holds the investors.
        let shifted = [
            "Moved",
            "$1",
            "1/5/2020",
            "Singapore",
            "Fintech",
            "X, Y",
            "None",
            "2015",
        ];
        let unclear = [
            "Odd",
            "$1",
            "1/5/2020",
            "Singapore",
            "Fintech",
            "X, Y",
            "Z",
            "2015",
        ];
        let parsed = parse(&[&GOOD, &shifted, &unclear]);
        let moved = &parsed.rows[1];
        assert_eq!(
            (moved.city.as_deref(), moved.industry.as_deref()),
            (None, Some("fintech"))
        );
        assert_eq!(moved.investors, ["X", "Y"]);
        assert!(matches!(
            parsed.notes[0].note,
            Note::Shifted {
                missing: FieldName::City,
                ..
            }
        ));
        assert!(matches!(
            reasons(&parsed)[..],
            [Reason::ShiftUnclear { .. }]
        ));
    }

    #[test]
    fn repeated_rows_and_extra_cells_are_rejected() {
        let mut extra: Vec<&str> = GOOD.to_vec();
        extra[0] = "Wide";
        extra.push("surplus");
        let mut trailing_empty: Vec<&str> = GOOD.to_vec();
        trailing_empty[0] = "Trailing";
        trailing_empty.push(" ");
        let parsed = parse(&[&GOOD, &GOOD, &extra, &trailing_empty]);
        assert!(matches!(
            reasons(&parsed)[..],
            [
                Reason::Duplicate { line: 2 },
                Reason::ExtraCells {
                    found: 9,
                    header: 8
                }
            ]
        ));
        assert_eq!(parsed.rows.len(), 2);
    }

    #[test]
    fn places_in_china_and_its_regions() {
        let row = |name: &'static str, country: &'static str, city: &'static str| {
            [
                name, "$1", "1/5/2020", country, city, "Fintech", "None", "2015",
            ]
        };
        let parsed = parse(&[
            &row("NoCountry", "", "Shenzhen"),
            &row("InHK", "Hong Kong", "Kowloon"),
            &row("HKByName", "Hong Kong", "Hong Kong"),
            &row("Moved", "中国", "香港"),
            &row("Province", "China", "Jiangsu"),
            &row("Nowhere", "China", "Atlantis"),
            &row("Abroad", "United States", "Austin"),
        ]);
        let place: Vec<(String, Option<String>, Option<String>)> = parsed
            .rows
            .iter()
            .map(|r| {
                (
                    r.country.to_string(),
                    r.region.map(|c| c.to_string()),
                    r.city.clone(),
                )
            })
            .collect();
        let s = |t: &str| Some(t.to_owned());
        assert_eq!(
            place,
            [
                ("CN".into(), s("440300"), None),
                ("HK".into(), s("810000"), s("Kowloon")),
                ("HK".into(), s("810000"), None),
                ("HK".into(), s("810000"), None),
                ("CN".into(), s("320000"), None),
                ("CN".into(), None, s("Atlantis")),
                ("US".into(), None, s("Austin")),
            ]
        );
        let notes: Vec<&Note> = parsed.notes.iter().map(|n| &n.note).collect();
        assert!(
            matches!(
                notes[..],
                [
                    Note::CountryInferred {
                        city_state: false,
                        ..
                    },
                    Note::CountryFromCity { .. },
                    Note::ProvinceAsCity { .. },
                    Note::CityUnresolved { .. }
                ]
            ),
            "{notes:?}"
        );
    }

    #[test]
    fn an_empty_country_is_told_by_the_city_or_the_row_is_rejected() {
        let profile = Profile::from_toml(&PROFILE.replace("default = \"CN\"", "")).unwrap();
        let row = |name: &'static str, city: &'static str| {
            [name, "$1", "1/5/2020", "", city, "Fintech", "None", "2015"]
                .map(str::to_owned)
                .to_vec()
        };
        let table = Table {
            header: HEADER.iter().map(|h| (*h).to_owned()).collect(),
            rows: [
                row("Klook", "Hong Kong"),
                row("Carro", "Singapore"),
                row("Hopin", "Menlo Park"),
                row("Darktrace", "Cambridge"),
                row("Nowhere", "Cair Paravel"),
            ]
            .into_iter()
            .enumerate()
            .map(|(i, cells)| RawRow {
                line: i as u64 + 2,
                cells,
            })
            .collect(),
            blank_rows: 0,
            footer_rows: 0,
        };
        let options = ListOptions {
            list_date: date(2022, 2, 28),
            source: None,
            skip_invalid: None,
            dry_run: false,
            now: jiff::Timestamp::UNIX_EPOCH,
        };
        let parsed = parse_table(Path::new("list.csv"), table, &profile, &options).unwrap();
        let taken: Vec<(&str, String, Option<String>)> = parsed
            .rows
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.country.to_string(),
                    r.region.map(|c| c.to_string()),
                )
            })
            .collect();
        assert_eq!(
            taken,
            [
                ("Klook", "HK".into(), Some("810000".into())),
                ("Carro", "SG".into(), None),
                ("Hopin", "US".into(), None),
            ]
        );
        let notes: Vec<String> = parsed.notes.iter().map(ToString::to_string).collect();
        assert_eq!(
            notes,
            [
                "row 2 Klook: no country: city 'Hong Kong' is a city-state or territory, recorded with country HK",
                "row 3 Carro: no country: city 'Singapore' is a city-state or territory, recorded with country SG",
                "row 4 Hopin: no country: the gazetteer knows city 'Menlo Park' only in US, recorded with country US",
            ]
        );
        let rejected: Vec<String> = parsed.rejected.iter().map(ToString::to_string).collect();
        assert_eq!(
            rejected,
            [
                "row 5 Darktrace: Country is empty and City 'Cambridge' is a place in CA, GB, NZ, US: write the country",
                "row 6 Nowhere: Country (country) is missing",
            ]
        );
    }

    #[test]
    fn a_missing_column_names_what_the_header_has() {
        let profile =
            Profile::from_toml(&PROFILE.replace("\"Joined\"", "\"Date Joined\"")).unwrap();
        let table = Table {
            header: HEADER.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
            blank_rows: 0,
            footer_rows: 0,
        };
        let options = ListOptions {
            list_date: date(2022, 2, 28),
            source: None,
            skip_invalid: None,
            dry_run: false,
            now: jiff::Timestamp::UNIX_EPOCH,
        };
        let error = parse_table(Path::new("list.csv"), table, &profile, &options).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("'Date Joined'") && text.contains("'Joined'"),
            "{text}"
        );
    }
}
