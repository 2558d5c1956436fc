//! Enter once (issue 14): an enterprise's correction of a value the system
//! holds about it, validated per field before anything is stored.
//!
//! So far: the correction and its per-field validation, and two of the
//! profile's values as of a date with their source (region after relocations
//! and corrections, employees of the latest financial year). The rest of the
//! profile (name, USCC, founding, zone, industries, revenue, R&D, valuation,
//! listing) is still to be built the same way.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::date::parse_date;
use crate::division::DivisionCode;
use crate::money::{Amount, Currency};

/// A value of the profile an enterprise may correct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileField {
    Name,
    NameEn,
    Founded,
    Region,
    Zone,
    Revenue,
    RdExpense,
    Employees,
}

/// A corrected value, typed by its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum CorrectedValue {
    Name(String),
    NameEn(String),
    Founded(Date),
    Region(DivisionCode),
    Zone(String),
    Revenue { amount: Amount, currency: Currency },
    RdExpense { amount: Amount, currency: Currency },
    Employees(u64),
}

/// Why a correction was refused; each names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorrectionError {
    #[error("{field:?}: the value must not be empty")]
    Empty { field: ProfileField },
    #[error("{field:?}: {text:?} is not a real date")]
    NotADate { field: ProfileField, text: String },
    #[error("region: {0:?} is not a division code")]
    NotADivision(String),
    #[error("{field:?}: {text:?} is not an amount with a currency, like \"1200000 CNY\"")]
    NotMoney { field: ProfileField, text: String },
    #[error("employees: {0:?} is not a whole number")]
    NotAWholeNumber(String),
}

/// A correction as submitted: the field, the new value as text, the date from
/// which it holds and a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub value: CorrectedValue,
    pub effective: Date,
    pub note: Option<String>,
}

impl Correction {
    /// Parses `text` as the value of `field`, refusing anything that field cannot hold.
    pub fn parse(
        field: ProfileField,
        text: &str,
        effective: Date,
        note: Option<String>,
    ) -> Result<Self, CorrectionError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(CorrectionError::Empty { field });
        }
        let money = |field| -> Result<(Amount, Currency), CorrectionError> {
            let refused = || CorrectionError::NotMoney {
                field,
                text: text.to_owned(),
            };
            let (amount, currency) = text.split_once(char::is_whitespace).ok_or_else(refused)?;
            let amount = Amount::parse(amount.trim()).map_err(|_| refused())?;
            let currency = Currency::parse(currency.trim()).map_err(|_| refused())?;
            Ok((amount, currency))
        };
        let value = match field {
            ProfileField::Name => CorrectedValue::Name(text.to_owned()),
            ProfileField::NameEn => CorrectedValue::NameEn(text.to_owned()),
            ProfileField::Zone => CorrectedValue::Zone(text.to_owned()),
            ProfileField::Founded => CorrectedValue::Founded(parse_date(text).map_err(|_| {
                CorrectionError::NotADate {
                    field,
                    text: text.to_owned(),
                }
            })?),
            ProfileField::Region => CorrectedValue::Region(
                DivisionCode::parse(text)
                    .map_err(|_| CorrectionError::NotADivision(text.to_owned()))?,
            ),
            ProfileField::Revenue => {
                let (amount, currency) = money(field)?;
                CorrectedValue::Revenue { amount, currency }
            }
            ProfileField::RdExpense => {
                let (amount, currency) = money(field)?;
                CorrectedValue::RdExpense { amount, currency }
            }
            ProfileField::Employees => CorrectedValue::Employees(
                text.parse()
                    .map_err(|_| CorrectionError::NotAWholeNumber(text.to_owned()))?,
            ),
        };
        Ok(Self {
            value,
            effective,
            note,
        })
    }
}

/// Where a known value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// The ledger as imported; `name` is the import's source name.
    Import { name: String },
    /// A dated ledger event (e.g. a relocation), with the event's own source.
    Event { source: Option<String> },
    /// The enterprise's (or its official's) own correction.
    Correction,
}

/// A value with its source and the date from which it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known<T> {
    pub value: T,
    pub source: Source,
    pub since: Date,
}

/// The region as of `as_of`: the latest relocation or region correction on or
/// before that date wins over the imported value, a correction winning a tie
/// because it is the enterprise's own word.
pub fn region_as_of(
    imported: Option<Known<DivisionCode>>,
    events: &[crate::model::Event],
    corrections: &[Correction],
    as_of: Date,
) -> Option<Known<DivisionCode>> {
    let relocations = events.iter().filter_map(|event| {
        (event.kind == crate::model::EventKind::Relocated && event.date <= as_of)
            .then_some(event.region.map(|region| Known {
                value: region,
                source: Source::Event {
                    source: event.source.clone(),
                },
                since: event.date,
            }))
            .flatten()
    });
    let corrected = corrections
        .iter()
        .filter_map(|correction| match correction.value {
            CorrectedValue::Region(region) if correction.effective <= as_of => Some(Known {
                value: region,
                source: Source::Correction,
                since: correction.effective,
            }),
            _ => None,
        });
    imported
        .into_iter()
        .chain(relocations)
        .chain(corrected)
        .max_by_key(|known| (known.since, known.source == Source::Correction))
}

/// The employee count of the latest financial year known as of `as_of`: a
/// financials row counts from the end of its year; an employees correction
/// counts for the year of its effective date and wins over that year's row.
pub fn employees_as_of(
    financials: &[crate::model::Financials],
    import_name: &str,
    corrections: &[Correction],
    as_of: Date,
) -> Option<(i16, Known<u64>)> {
    let from_ledger = financials.iter().filter_map(|row| {
        let since = jiff::civil::date(row.year, 12, 31);
        let employees = row.employees?;
        (since <= as_of).then(|| {
            let known = Known {
                value: employees,
                source: Source::Import {
                    name: import_name.to_owned(),
                },
                since,
            };
            (row.year, known)
        })
    });
    let corrected = corrections
        .iter()
        .filter_map(|correction| match correction.value {
            CorrectedValue::Employees(employees) if correction.effective <= as_of => Some((
                correction.effective.year(),
                Known {
                    value: employees,
                    source: Source::Correction,
                    since: correction.effective,
                },
            )),
            _ => None,
        });
    from_ledger
        .chain(corrected)
        .max_by_key(|(year, known)| (*year, known.source == Source::Correction, known.since))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn parse(field: ProfileField, text: &str) -> Result<CorrectedValue, CorrectionError> {
        Correction::parse(field, text, date(2026, 12, 1), None).map(|c| c.value)
    }

    #[test]
    fn each_field_refuses_what_it_cannot_hold() {
        assert_eq!(
            parse(ProfileField::Employees, "12.5"),
            Err(CorrectionError::NotAWholeNumber("12.5".into()))
        );
        assert_eq!(
            parse(ProfileField::Employees, " 240 "),
            Ok(CorrectedValue::Employees(240))
        );
        assert!(matches!(
            parse(ProfileField::Region, "Haidian"),
            Err(CorrectionError::NotADivision(_))
        ));
        assert!(matches!(
            parse(ProfileField::Founded, "2021-02-30"),
            Err(CorrectionError::NotADate { .. })
        ));
        assert!(matches!(
            parse(ProfileField::Revenue, "1200000"),
            Err(CorrectionError::NotMoney {
                field: ProfileField::Revenue,
                ..
            })
        ));
        assert!(matches!(
            parse(ProfileField::Revenue, "1200000 CNY"),
            Ok(CorrectedValue::Revenue { .. })
        ));
        assert_eq!(
            parse(ProfileField::Zone, "  "),
            Err(CorrectionError::Empty {
                field: ProfileField::Zone
            })
        );
    }

    #[test]
    fn a_region_correction_holds_from_its_date_only() {
        let corrected =
            Correction::parse(ProfileField::Region, "110108", date(2026, 6, 1), None).unwrap();
        let imported = Known {
            value: DivisionCode::parse("310115").unwrap(),
            source: Source::Import {
                name: "seed".into(),
            },
            since: date(2020, 1, 1),
        };
        let before = region_as_of(
            Some(imported.clone()),
            &[],
            std::slice::from_ref(&corrected),
            date(2026, 5, 31),
        );
        assert_eq!(before, Some(imported.clone()));
        let after = region_as_of(Some(imported), &[], &[corrected], date(2026, 6, 1)).unwrap();
        assert_eq!(
            (after.value.to_string(), after.source, after.since),
            ("110108".to_owned(), Source::Correction, date(2026, 6, 1))
        );
    }

    #[test]
    fn an_employees_correction_wins_over_its_years_row() {
        let row = |year, employees| crate::model::Financials {
            enterprise: crate::ids::EnterpriseId::parse("e1").unwrap(),
            year,
            currency: Currency::parse("CNY").unwrap(),
            revenue: None,
            rd_expense: None,
            employees: Some(employees),
        };
        let rows = [row(2024, 100), row(2025, 180)];
        let (year, known) = employees_as_of(&rows, "seed", &[], date(2026, 3, 1)).unwrap();
        assert_eq!((year, known.value), (2025, 180));
        let corrected =
            Correction::parse(ProfileField::Employees, "240", date(2025, 12, 31), None).unwrap();
        let (year, known) = employees_as_of(&rows, "seed", &[corrected], date(2026, 3, 1)).unwrap();
        assert_eq!(
            (year, known.value, known.source),
            (2025, 240, Source::Correction)
        );
        assert_eq!(
            employees_as_of(&rows, "seed", &[], date(2024, 12, 30)),
            None
        );
    }
}
