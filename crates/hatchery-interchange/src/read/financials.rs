//! Rows of `financials.csv`.

use std::collections::HashMap;

use hatchery_core::{Amount, Currency, EnterpriseId, Financials};

use super::references::References;
use super::row::RowReader;
use crate::columns::FileKind;
use crate::problem::clip;

/// The yearly figures read so far; one row per enterprise and year.
#[derive(Debug, Default)]
pub(crate) struct Figures {
    pub rows: Vec<Financials>,
    pub lines: Vec<u64>,
    seen: HashMap<(EnterpriseId, i16), u64>,
}

impl Figures {
    /// Reads one row.
    pub(crate) fn read(&mut self, mut row: RowReader<'_>, refs: &mut References) {
        let line = row.line();
        let enterprise = row.required("enterprise", EnterpriseId::parse);
        if let Some(id) = &enterprise {
            refs.used(id, FileKind::Financials, line);
        }
        let year = row.required("year", parse_year);
        if let (Some(id), Some(year)) = (&enterprise, year) {
            let key = (id.clone(), year);
            if let Some(first) = self.seen.get(&key) {
                row.problem(
                    "year",
                    format!(
                        "a second row for '{}' in {year:04}; the first is on line {first}",
                        clip(id.as_str())
                    ),
                );
            } else {
                self.seen.insert(key, line);
            }
        }
        let currency = row.required("currency", Currency::parse);
        let revenue = row.optional("revenue", Amount::parse);
        let rd_expense = row.optional("rd_expense", Amount::parse);
        let employees = row.optional("employees", parse_whole);
        let (Some(enterprise), Some(year), Some(currency)) = (enterprise, year, currency) else {
            return;
        };
        if row.failed() {
            return;
        }
        self.rows.push(Financials {
            enterprise,
            year,
            currency,
            revenue,
            rd_expense,
            employees,
        });
        self.lines.push(line);
    }
}

/// Exactly four digits.
fn parse_year(text: &str) -> Result<i16, String> {
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse()
            .map_err(|_| format!("'{text}' is not a year of the form YYYY"))
    } else {
        Err(format!("'{}' is not a year of the form YYYY", clip(text)))
    }
}

/// Digits only: no sign, separator or decimal point.
fn parse_whole(text: &str) -> Result<u64, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse()
            .map_err(|_| format!("'{}' is too large a count", clip(text)))
    } else {
        Err(format!(
            "'{}' is not a whole number (digits only, no separators)",
            clip(text)
        ))
    }
}
