//! What reading and planning find about single rows: notes on rows that
//! were taken but not exactly as written, and reasons a row was rejected.
//! Every row that cannot be taken as it is gets one of these, with its line.

use std::fmt;

use hatchery_core::date::{PartialDate, format_date};
use hatchery_core::{Country, Currency, DivisionCode, EnterpriseId, Money};
use jiff::civil::Date;

use crate::cells::{CellError, Echo};
use crate::profile::FieldName;

fn division(code: DivisionCode) -> String {
    format!("{code} {}", code.display_name())
}

fn divisions(codes: &[DivisionCode]) -> String {
    codes
        .iter()
        .map(|c| division(*c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn money(m: &Money) -> String {
    m.to_string()
}

/// Something about a row that was taken: what the list says and what was
/// recorded differ, or the row says something doubtful.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The row lacks `missing` and its cells moved one column left.
    Shifted {
        missing: FieldName,
        column: String,
        holds: String,
    },
    /// A known misspelling of an industry was read as meant.
    IndustryCorrected { written: String, meant: String },
    /// The city column named a province; the province code was recorded.
    ProvinceAsCity {
        written: String,
        province: DivisionCode,
    },
    /// A Chinese city name that is not in the division table: kept as text.
    CityUnresolved { written: String },
    /// A Chinese city name shared by several divisions: kept as text.
    CityAmbiguous {
        written: String,
        candidates: Vec<DivisionCode>,
    },
    /// A city of Hong Kong, Macao or Taiwan under the country China: the
    /// enterprise's country is the region's own ISO code.
    CountryFromCity { written: String, country: Country },
    /// The country cell is empty; the city tells the country.
    CountryInferred {
        city: String,
        country: Country,
        /// A city-state or territory (else the gazetteer knew the name in
        /// one country only).
        city_state: bool,
    },
    /// The date joined is after the list's date: taken as the list says.
    JoinedAfterList { joined: Date, list: Date },
    /// No founding date: the latest it can be was recorded.
    FoundedEstimated { year: i16, because: &'static str },
    /// The founding date is after the date the company joined the list.
    FoundedAfterJoined { founded: PartialDate, joined: Date },
    /// A total raised too small to be true for the list: not recorded.
    TotalRaisedImplausible { written: String, at_least: Money },
    /// The total raised counts as money raised, but the part of it already
    /// known cannot be told: earlier funding cannot be converted.
    RaisedNotCounted { total: Money, currency: Currency },
    /// Two separators with no name between them (`A,, B`).
    EmptyName { field: FieldName },
    /// Matched an enterprise whose place differs from the row's.
    PlaceDiffers {
        id: EnterpriseId,
        stored: String,
        listed: String,
    },
    /// Matched an enterprise with another founding date, which was kept.
    FoundedDiffers {
        id: EnterpriseId,
        stored: PartialDate,
        listed: PartialDate,
    },
    /// Another enterprise of the same name and country exists; the row was
    /// told apart from it by its city and taken as a different company.
    SharesName { others: Vec<EnterpriseId> },
}

impl Note {
    /// What kind of note this is, for the summary's groups
    /// (`founding year estimated: 43 rows (…)`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Shifted { .. } => "shifted row read at the shifted places",
            Self::IndustryCorrected { .. } => "industry misspelling corrected",
            Self::ProvinceAsCity { .. } => "province given as the city",
            Self::CityUnresolved { .. } => "city not in the division table",
            Self::CityAmbiguous { .. } => "city of several divisions",
            Self::CountryFromCity { .. } => "Hong Kong or Macao city under China",
            Self::CountryInferred { .. } => "country told by the city",
            Self::JoinedAfterList { .. } => "joined after the list's date",
            Self::FoundedEstimated { .. } => "founding year estimated",
            Self::FoundedAfterJoined { .. } => "founded after joining the list",
            Self::TotalRaisedImplausible { .. } => "implausible total raised left out",
            Self::RaisedNotCounted { .. } => "total raised not counted as funding",
            Self::EmptyName { .. } => "empty name between separators skipped",
            Self::PlaceDiffers { .. } => "matched, stored place kept",
            Self::FoundedDiffers { .. } => "matched, stored founding date kept",
            Self::SharesName { .. } => "namesake told apart by city",
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Shifted {
                missing,
                column,
                holds,
            } => write!(
                f,
                "no {missing}: the cells from {column} on moved one column left ({column} holds '{holds}'); read at their shifted places, {missing} left empty"
            ),
            Self::IndustryCorrected { written, meant } => {
                write!(
                    f,
                    "industry '{written}' read as '{meant}' (a known misspelling)"
                )
            }
            Self::ProvinceAsCity { written, province } => write!(
                f,
                "city '{written}' is a province: recorded as {}",
                division(*province)
            ),
            Self::CityUnresolved { written } => write!(
                f,
                "city '{written}' is not in the division table: kept as text, no region"
            ),
            Self::CityAmbiguous {
                written,
                candidates,
            } => write!(
                f,
                "city '{written}' could be {}: kept as text, no region (a profile alias can decide)",
                divisions(candidates)
            ),
            Self::CountryFromCity { written, country } => write!(
                f,
                "city '{written}' is in {country}: recorded with country {country}"
            ),
            Self::CountryInferred {
                city,
                country,
                city_state: true,
            } => write!(
                f,
                "no country: city {} is a city-state or territory, recorded with country {country}",
                Echo::of(city)
            ),
            Self::CountryInferred {
                city,
                country,
                city_state: false,
            } => write!(
                f,
                "no country: the gazetteer knows city {} only in {country}, recorded with country {country}",
                Echo::of(city)
            ),
            Self::FoundedEstimated { year, because } => write!(
                f,
                "no founding year: recorded {year}, {because}, the latest it can be, and marked x_founded_estimated"
            ),
            Self::JoinedAfterList { joined, list } => write!(
                f,
                "joined the list on {}, after the list's date {}: taken as the list says (valued as of {}; the US$1bn events are dated {})",
                format_date(*joined),
                format_date(*list),
                format_date(*list),
                format_date(*joined)
            ),
            Self::FoundedAfterJoined { founded, joined } => write!(
                f,
                "founded {founded}, after it joined the list on {}: kept as the list says",
                format_date(*joined)
            ),
            Self::TotalRaisedImplausible { written, at_least } => write!(
                f,
                "total raised '{written}' is below {}, not believable for the list: not recorded",
                money(at_least)
            ),
            Self::RaisedNotCounted { total, currency } => write!(
                f,
                "total raised {} not counted as funding: an earlier funding round in {currency} cannot be converted to compare (import {currency} rates, fx.csv)",
                money(total)
            ),
            Self::EmptyName { field } => {
                write!(
                    f,
                    "{field}: an empty name between two separators was skipped"
                )
            }
            Self::PlaceDiffers { id, stored, listed } => write!(
                f,
                "matched {id}, which is in {stored}; the list says {listed}: the stored place was kept"
            ),
            Self::FoundedDiffers { id, stored, listed } => write!(
                f,
                "matched {id}, founded {stored}; the list says {listed}: the stored date was kept"
            ),
            Self::SharesName { others } => write!(
                f,
                "shares its name with {} in the same country, told apart by city: a different company",
                others
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// A note on one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowNote {
    /// The row's line (CSV) or sheet row (XLSX).
    pub line: u64,
    /// The company, as the list names it.
    pub name: String,
    pub note: Note,
}

impl fmt::Display for RowNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {} {}: {}", self.line, self.name, self.note)
    }
}

/// Why a row cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A field the import needs has no value.
    Missing { field: FieldName, column: String },
    /// A cell cannot be read as its field.
    Cell {
        field: FieldName,
        column: String,
        error: CellError,
    },
    /// A total raised that counts as money raised (`counts_as_raised`) and
    /// cannot be read; `at` is `file:line:column`.
    RaisedUnreadable {
        at: String,
        column: String,
        error: CellError,
    },
    /// A cell that `file.split` should split does not have as many parts
    /// as it names.
    Unsplit {
        column: String,
        written: String,
        separator: String,
        into: Vec<String>,
    },
    /// The row has cells beyond the header's columns.
    ExtraCells { found: usize, header: usize },
    /// The company's name is not usable (too long, control characters).
    BadName(String),
    /// A country name that is not known.
    UnknownCountry(String),
    /// The country cell is empty and the city is a place in several countries.
    CountryUnclear {
        column: String,
        city_column: String,
        city: String,
        countries: Vec<Country>,
    },
    /// The row looks shifted but not the way the profile describes.
    ShiftUnclear {
        column: String,
        holds: String,
        through: String,
    },
    /// Founded after the list's date.
    FoundedAfterList { founded: PartialDate, list: Date },
    /// A valuation too small to be true for the list.
    ValuationImplausible { value: Money, at_least: Money },
    /// The row repeats an earlier row cell for cell.
    Duplicate { line: u64 },
    /// Several stored enterprises could be this company.
    Ambiguous { candidates: Vec<EnterpriseId> },
    /// An earlier row of this list already matched the same enterprise.
    MatchedTwice { id: EnterpriseId, line: u64 },
    /// A currency with no exchange rates stored or shipped.
    NoRates { currency: Currency },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { field, column } => write!(f, "{column} ({field}) is missing"),
            Self::Cell {
                field,
                column,
                error,
            } => write!(f, "{column} ({field}): {error}"),
            Self::RaisedUnreadable { at, column, error } => write!(
                f,
                "{at}: {column} (total_raised, counted as money raised): {error}"
            ),
            Self::Unsplit {
                column,
                written,
                separator,
                into,
            } => write!(
                f,
                "{column} {} does not split at '{separator}' into {} parts ({})",
                Echo::of(written),
                into.len(),
                into.join(", ")
            ),
            Self::ExtraCells { found, header } => write!(
                f,
                "the row has {found} cells but the header has {header} columns"
            ),
            Self::BadName(problem) => write!(f, "the name {problem}"),
            Self::UnknownCountry(name) => write!(
                f,
                "country {} is not known (add it to fields.country.aliases)",
                Echo::of(name)
            ),
            Self::CountryUnclear {
                column,
                city_column,
                city,
                countries,
            } => write!(
                f,
                "{column} is empty and {city_column} {} is a place in {}: write the country",
                Echo::of(city),
                countries
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::ShiftUnclear {
                column,
                holds,
                through,
            } => write!(
                f,
                "{column} holds {}, which belongs to the next column, but {through} is not empty: cannot tell how the cells moved",
                Echo::of(holds)
            ),
            Self::FoundedAfterList { founded, list } => write!(
                f,
                "founded {founded}, after the list's date {}",
                format_date(*list)
            ),
            Self::ValuationImplausible { value, at_least } => write!(
                f,
                "valuation {} is below {}, not believable for the list",
                money(value),
                money(at_least)
            ),
            Self::Duplicate { line } => write!(f, "repeats row {line} cell for cell"),
            Self::Ambiguous { candidates } => write!(
                f,
                "could be any of {} (same name and country; the city does not tell them apart)",
                candidates
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::MatchedTwice { id, line } => {
                write!(f, "matches {id}, which row {line} already matched")
            }
            Self::NoRates { currency } => write!(
                f,
                "the valuation is in {currency}, which has no exchange rates stored or shipped: import {currency} rates (fx.csv) first"
            ),
        }
    }
}

/// A row that cannot be taken, with its cells as written (for the rejects file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub line: u64,
    /// The company's name, when the row has one.
    pub name: Option<String>,
    pub reasons: Vec<Reason>,
    pub cells: Vec<String>,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}", self.line)?;
        if let Some(name) = &self.name {
            write!(f, " {name}")?;
        }
        let reasons: Vec<String> = self.reasons.iter().map(ToString::to_string).collect();
        write!(f, ": {}", reasons.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `damaged_list_files` fuzz harness: a country cell of
    /// 30,000 characters was repeated whole in the row's reason.
    #[test]
    fn reasons_cut_the_cells_they_repeat() {
        let long = "长".repeat(30_000);
        let reasons = [
            Reason::UnknownCountry(long.clone()),
            Reason::ShiftUnclear {
                column: "City".into(),
                holds: long,
                through: "Industry".into(),
            },
        ];
        for reason in reasons {
            assert!(reason.to_string().chars().count() < 250, "{reason:?}");
        }
    }
}
