//! Records as the cells of a row, refusing what would not read back equal:
//! text with surrounding spaces (the reader trims them), empty optional text
//! (the reader takes an empty cell as absent), list items that would split or
//! vanish, and rows that break a rule of the format.

use std::collections::BTreeSet;

use hatchery_core::date::format_date;
use hatchery_core::{Amount, Dataset, Enterprise, Event, Financials, FxRate};
use jiff::civil::Date;

use super::WriteError;
use crate::columns::{EXTRA_PREFIX, FileKind};
use crate::rules::{self, EventCells};

/// Why one cell of a record cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unfit {
    pub column: String,
    pub reason: String,
}

impl Unfit {
    fn new(column: &str, reason: impl Into<String>) -> Self {
        Self {
            column: column.to_owned(),
            reason: reason.into(),
        }
    }
}

/// The `x_` columns written after the format's own, per file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtraColumns {
    /// Extra columns of `enterprises.csv`, each starting with `x_`.
    pub enterprises: Vec<String>,
    /// Extra columns of `events.csv`, each starting with `x_`.
    pub events: Vec<String>,
}

impl ExtraColumns {
    /// The union of the extra keys a dataset uses, sorted.
    pub fn of(dataset: &Dataset) -> Self {
        fn union<'a>(maps: impl Iterator<Item = &'a hatchery_core::model::Extra>) -> Vec<String> {
            let keys: BTreeSet<&String> = maps.flat_map(|m| m.keys()).collect();
            keys.into_iter().cloned().collect()
        }
        Self {
            enterprises: union(dataset.enterprises.iter().map(|e| &e.extra)),
            events: union(dataset.events.iter().map(|e| &e.extra)),
        }
    }

    /// The extra columns of one file (only enterprises and events have any).
    pub(crate) fn of_file(&self, kind: FileKind) -> &[String] {
        match kind {
            FileKind::Enterprises => &self.enterprises,
            FileKind::Events => &self.events,
            FileKind::Fx | FileKind::Financials => &[],
        }
    }

    /// Checks that every name reads back as the same extra column.
    pub(crate) fn check(&self) -> Result<(), WriteError> {
        for kind in [FileKind::Enterprises, FileKind::Events] {
            let mut seen = BTreeSet::new();
            for name in self.of_file(kind) {
                let unfit = |reason: &str| WriteError::ExtraColumn {
                    file: kind,
                    column: name.clone(),
                    reason: reason.to_owned(),
                };
                if !name.starts_with(EXTRA_PREFIX) {
                    return Err(unfit("an extra column's name starts with 'x_'"));
                }
                if name.trim_matches(' ') != name {
                    return Err(unfit("an extra column's name has no surrounding spaces"));
                }
                if !seen.insert(name) {
                    return Err(unfit("the column is declared twice"));
                }
            }
        }
        Ok(())
    }
}

/// The header row of a file.
pub(crate) fn header(kind: FileKind, extra: &ExtraColumns) -> Vec<String> {
    kind.columns()
        .iter()
        .map(|c| (*c).to_owned())
        .chain(extra.of_file(kind).iter().cloned())
        .collect()
}

/// Cells of one row, built column by column; an empty string is an absent cell.
struct Row(Vec<String>);

impl Row {
    fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    /// A value whose text always reads back as itself.
    fn value(&mut self, value: impl ToString) {
        self.0.push(value.to_string());
    }

    fn into_cells(self) -> Vec<String> {
        self.0
    }

    fn text(&mut self, column: &str, value: &str) -> Result<(), Unfit> {
        if value.is_empty() {
            return Err(Unfit::new(column, "empty text reads back as absent"));
        }
        if value.trim_matches(' ') != value {
            return Err(Unfit::new(
                column,
                "leading or trailing spaces are trimmed when read",
            ));
        }
        self.0.push(value.to_owned());
        Ok(())
    }

    fn optional_text(&mut self, column: &str, value: Option<&str>) -> Result<(), Unfit> {
        match value {
            Some(value) => self.text(column, value),
            None => {
                self.0.push(String::new());
                Ok(())
            }
        }
    }

    fn optional(&mut self, value: Option<impl ToString>) {
        self.0
            .push(value.map(|v| v.to_string()).unwrap_or_default());
    }

    fn date(&mut self, column: &str, date: Date) -> Result<(), Unfit> {
        // The format writes four-digit years only.
        if date.year() < 0 {
            return Err(Unfit::new(column, "a year before 0000 has no YYYY form"));
        }
        self.0.push(format_date(date));
        Ok(())
    }

    fn amount(&mut self, column: &str, amount: Option<&Amount>) -> Result<(), Unfit> {
        let Some(amount) = amount else {
            self.0.push(String::new());
            return Ok(());
        };
        // An amount built from a decimal may not be written plainly (e.g. a
        // negative zero); only texts the reader takes back are written.
        Amount::parse(amount.as_str()).map_err(|e| Unfit::new(column, e.to_string()))?;
        self.0.push(amount.as_str().to_owned());
        Ok(())
    }

    fn list(&mut self, column: &str, items: &[String]) -> Result<(), Unfit> {
        for item in items {
            // The reader trims list items of any white space, not only spaces.
            if item.is_empty() || item.trim() != item || item.contains(';') {
                return Err(Unfit::new(
                    column,
                    format!(
                        "list item '{}' would not read back: items are non-empty, without ';' or surrounding white space",
                        crate::problem::clip(item)
                    ),
                ));
            }
        }
        self.0.push(items.join(";"));
        Ok(())
    }

    fn extra(
        &mut self,
        declared: &[String],
        extra: &hatchery_core::model::Extra,
    ) -> Result<(), Unfit> {
        if let Some(undeclared) = extra.keys().find(|k| !declared.contains(k)) {
            return Err(Unfit::new(
                undeclared,
                "extra column not declared when the writer was created",
            ));
        }
        for column in declared {
            self.optional_text(column, extra.get(column).map(String::as_str))?;
        }
        Ok(())
    }
}

/// The cells of an enterprise row, then its declared extra columns.
pub(crate) fn enterprise(e: &Enterprise, extra: &[String]) -> Result<Vec<String>, Unfit> {
    let mut row = Row::with_capacity(FileKind::Enterprises.columns().len() + extra.len());
    row.text("id", e.id.as_str())?;
    row.text("name", &e.name)?;
    if let Some(reason) = rules::name_problem(&e.name) {
        return Err(Unfit::new("name", reason));
    }
    row.optional_text("name_en", e.name_en.as_deref())?;
    row.optional(e.uscc.as_ref());
    if e.founded.first_day().year() < 0 {
        return Err(Unfit::new("founded", "a year before 0000 has no YYYY form"));
    }
    row.value(e.founded);
    row.value(e.country);
    row.optional(e.region);
    row.optional_text("city", e.city.as_deref())?;
    row.optional_text("zone", e.zone.as_deref())?;
    row.list("industries", &e.industries)?;
    row.list("tags", &e.tags)?;
    row.extra(extra, &e.extra)?;
    Ok(row.into_cells())
}

/// The cells of an event row, then its declared extra columns.
pub(crate) fn event(e: &Event, extra: &[String]) -> Result<Vec<String>, Unfit> {
    let cells = EventCells {
        kind: e.kind,
        amount: e.amount.is_some(),
        valuation: e.valuation.is_some(),
        currency: e.currency.is_some(),
        exchange: e.exchange.is_some(),
        region: e.region.is_some(),
    };
    if let Some((column, reason)) = rules::event_missing(cells).into_iter().next() {
        return Err(Unfit::new(column, reason));
    }
    let mut row = Row::with_capacity(FileKind::Events.columns().len() + extra.len());
    row.text("enterprise", e.enterprise.as_str())?;
    row.date("date", e.date)?;
    row.value(e.kind);
    row.optional_text("round", e.round.as_deref())?;
    row.amount("amount", e.amount.as_ref())?;
    row.amount("valuation", e.valuation.as_ref())?;
    row.optional(e.currency);
    row.optional_text("investors", e.investors.as_deref())?;
    row.optional(e.exchange);
    row.optional(e.region);
    row.optional_text("source", e.source.as_deref())?;
    row.extra(extra, &e.extra)?;
    Ok(row.into_cells())
}

/// The cells of an exchange-rate row.
pub(crate) fn fx(r: &FxRate) -> Result<Vec<String>, Unfit> {
    let mut row = Row::with_capacity(FileKind::Fx.columns().len());
    row.date("date", r.date)?;
    row.value(r.currency);
    row.amount("per_usd", Some(&r.per_usd))?;
    if let Some(reason) = rules::per_usd_problem(Some(r.currency), &r.per_usd) {
        return Err(Unfit::new("per_usd", reason));
    }
    Ok(row.into_cells())
}

/// The cells of a financials row.
pub(crate) fn financials(f: &Financials) -> Result<Vec<String>, Unfit> {
    let mut row = Row::with_capacity(FileKind::Financials.columns().len());
    row.text("enterprise", f.enterprise.as_str())?;
    if !(0..=9999).contains(&f.year) {
        return Err(Unfit::new(
            "year",
            format!("{} is not a four-digit year", f.year),
        ));
    }
    row.value(format!("{:04}", f.year));
    row.value(f.currency);
    row.amount("revenue", f.revenue.as_ref())?;
    row.amount("rd_expense", f.rd_expense.as_ref())?;
    row.optional(f.employees);
    Ok(row.into_cells())
}
