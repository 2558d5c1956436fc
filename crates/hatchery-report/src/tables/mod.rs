//! The report laid out as tables, one module per table, in the report's
//! language: what the CSV, XLSX, Markdown and HTML renderers all write.

mod areas;
mod concentration;
mod context;
mod flows;
mod keyed;
pub(crate) mod labels;
mod regions;
mod tiers;
mod time_to_tier;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::model::{Change, Report};
pub(crate) use labels::{Labels, labels};

/// One cell: the renderers decide how each kind looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cell {
    Text(String),
    Int(u64),
    /// A decimal shown with `dp` decimals (money, years).
    Number {
        value: Decimal,
        dp: u32,
    },
    /// A fraction of one, shown as a percentage.
    Share(Decimal),
    Date(Date),
    /// A signed change of a count, shown with its sign (`+7`, `-3`).
    Signed(i64),
    /// A signed change as a fraction of one, shown as a signed percentage.
    SignedShare(Decimal),
    /// Nothing to show.
    Empty,
}

impl Cell {
    pub(crate) fn text(text: impl Into<String>) -> Self {
        Self::Text(text.into())
    }

    pub(crate) fn money(value: Decimal) -> Self {
        Self::Number { value, dp: 2 }
    }

    /// A rank, or nothing when there is none.
    pub(crate) fn rank(rank: Option<u64>) -> Self {
        rank.map_or(Self::Empty, Self::Int)
    }

    /// The two cells of a change on the previous date (`+N`, `+x %`), empty
    /// on the first date and the ratio empty when the earlier count is 0.
    pub(crate) fn change(change: Option<&Change>) -> [Self; 2] {
        match change {
            None => [Self::Empty, Self::Empty],
            Some(c) => [
                Self::Signed(c.delta),
                c.ratio.map_or(Self::Empty, Self::SignedShare),
            ],
        }
    }
}

/// A table of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Table {
    /// File and anchor name: ASCII, stable across languages.
    pub key: &'static str,
    /// Title in the report's language (also the XLSX sheet's name).
    pub title: String,
    /// What the figures mean, for readers.
    pub note: Option<&'static str>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Whether the first column is the as-of date the row belongs to, so a
    /// renderer may show one date at a time.
    pub dated: bool,
    /// Totals rows, one per as-of date (its first cell the date, for a
    /// dated table): HTML and Markdown print each under its date's rows;
    /// CSV and XLSX, read by programs and formulas, leave them out.
    pub totals: Vec<Vec<Cell>>,
}

impl Table {
    /// The rows of each as-of date, in date order (for a dated table).
    pub(crate) fn by_date(&self) -> Vec<(Date, Vec<&[Cell]>)> {
        Self::group(&self.rows)
    }

    /// The totals row of `date` (without its date cell), if the table has one.
    pub(crate) fn total_on(&self, date: Date) -> Option<&[Cell]> {
        self.totals
            .iter()
            .find(|row| row.first() == Some(&Cell::Date(date)))
            .map(|row| &row[1..])
    }

    fn group(rows: &[Vec<Cell>]) -> Vec<(Date, Vec<&[Cell]>)> {
        let mut groups: Vec<(Date, Vec<&[Cell]>)> = Vec::new();
        for row in rows {
            let Some(Cell::Date(date)) = row.first() else {
                continue;
            };
            match groups.last_mut() {
                Some((last, rows)) if last == date => rows.push(&row[1..]),
                _ => groups.push((*date, vec![&row[1..]])),
            }
        }
        groups
    }
}

/// Every table of the report, in reading order.
pub(crate) fn tables(report: &Report) -> Vec<Table> {
    let l = labels(report.lang);
    let mut tables = Vec::with_capacity(12);
    tables.extend(context::table(report, l));
    tables.extend([
        tiers::table(report, l),
        flows::table(report, l),
        areas::provinces(report, l),
        areas::cities(report, l),
        areas::top_cities(report, l),
        concentration::table(report, l),
        regions::table(report, l),
        keyed::zones(report, l),
        keyed::industries(report, l),
        keyed::tags(report, l),
        time_to_tier::table(report, l),
    ]);
    tables
}

/// The highlights as a table of topic and sentence (for CSV).
pub(crate) fn highlights(report: &Report) -> Table {
    context::highlights(report, labels(report.lang))
}

/// The tier names of the report, for per-tier column headers.
fn tier_headers(report: &Report) -> impl Iterator<Item = String> + '_ {
    report.tiers.iter().map(|t| t.name.clone())
}

/// The display name of a tier key.
fn tier_name<'r>(report: &'r Report, key: &'r str) -> &'r str {
    report
        .tiers
        .iter()
        .find(|t| t.key == key)
        .map_or(key, |t| t.name.as_str())
}
