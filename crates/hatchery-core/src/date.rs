//! Civil dates as the interchange format writes them, and founding dates that
//! may be known only to the month or the year.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Why a text is not a date of the expected form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("'{0}' is not a date of the form YYYY-MM-DD")]
    Form(String),
    #[error("'{0}' is not a date of the form YYYY-MM-DD, YYYY-MM or YYYY")]
    PartialForm(String),
    #[error("'{0}' is not a day of the calendar")]
    NoSuchDay(String),
}

fn number(text: &str) -> Option<i16> {
    text.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| text.parse().ok())
        .flatten()
}

/// Parses exactly `YYYY-MM-DD` into a calendar day (so `2023-02-30` is refused).
pub fn parse_date(text: &str) -> Result<Date, DateError> {
    let form = || DateError::Form(text.to_owned());
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return Err(form());
    }
    let year = number(&text[0..4]).ok_or_else(form)?;
    let month = number(&text[5..7]).ok_or_else(form)?;
    let day = number(&text[8..10]).ok_or_else(form)?;
    Date::new(year, month as i8, day as i8).map_err(|_| DateError::NoSuchDay(text.to_owned()))
}

/// How much of a founding date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Year,
    Month,
    Day,
}

/// A date known to the day, the month or the year. A partial date stands for
/// the first day of its month or year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PartialDate {
    first_day: Date,
    precision: Precision,
}

impl PartialDate {
    /// Parses `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let form = || DateError::PartialForm(text.to_owned());
        let bytes = text.as_bytes();
        match bytes.len() {
            10 => parse_date(text).map(Self::day).map_err(|e| match e {
                DateError::Form(_) => form(),
                other => other,
            }),
            7 if bytes[4] == b'-' => {
                let year = number(&text[0..4]).ok_or_else(form)?;
                let month = number(&text[5..7]).ok_or_else(form)?;
                let first_day = Date::new(year, month as i8, 1)
                    .map_err(|_| DateError::NoSuchDay(text.to_owned()))?;
                Ok(Self {
                    first_day,
                    precision: Precision::Month,
                })
            }
            4 => {
                let year = number(text).ok_or_else(form)?;
                let first_day =
                    Date::new(year, 1, 1).map_err(|_| DateError::NoSuchDay(text.to_owned()))?;
                Ok(Self {
                    first_day,
                    precision: Precision::Year,
                })
            }
            _ => Err(form()),
        }
    }

    /// A date known to the day.
    pub fn day(date: Date) -> Self {
        Self {
            first_day: date,
            precision: Precision::Day,
        }
    }

    /// A date known only to the year.
    pub fn year(year: i16) -> Option<Self> {
        Date::new(year, 1, 1).ok().map(|first_day| Self {
            first_day,
            precision: Precision::Year,
        })
    }

    /// The day it stands for: itself, or the first day of its month or year.
    pub fn first_day(self) -> Date {
        self.first_day
    }

    pub fn precision(self) -> Precision {
        self.precision
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.first_day;
        match self.precision {
            Precision::Day => write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            Precision::Month => write!(f, "{:04}-{:02}", d.year(), d.month()),
            Precision::Year => write!(f, "{:04}", d.year()),
        }
    }
}

impl FromStr for PartialDate {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for PartialDate {
    type Error = DateError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PartialDate> for String {
    fn from(value: PartialDate) -> Self {
        value.to_string()
    }
}

/// The `years`-th anniversary of `date`: 29 February plus N years is
/// 28 February when that year has no 29 February.
pub fn anniversary(date: Date, years: i16) -> Date {
    let year = date.year().saturating_add(years).min(9999);
    Date::new(year, date.month(), date.day())
        .or_else(|_| Date::new(year, date.month(), 28))
        .expect("day 28 exists in every month")
}

/// Writes a date as `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn strict_iso_dates() {
        assert_eq!(parse_date("2023-12-29").unwrap(), date(2023, 12, 29));
        assert!(matches!(
            parse_date("2023-02-30"),
            Err(DateError::NoSuchDay(_))
        ));
        for bad in [
            "20230101",
            "2023-1-01",
            "2023/01/01",
            "2023-01-01T00:00",
            "",
            "２０２３-01-01",
        ] {
            assert!(matches!(parse_date(bad), Err(DateError::Form(_))), "{bad}");
        }
    }

    #[test]
    fn partial_dates_stand_for_their_first_day() {
        let year = PartialDate::parse("2015").unwrap();
        assert_eq!(year.first_day(), date(2015, 1, 1));
        assert_eq!(year.to_string(), "2015");
        let month = PartialDate::parse("2015-07").unwrap();
        assert_eq!(month.first_day(), date(2015, 7, 1));
        assert_eq!(month.to_string(), "2015-07");
        assert!(PartialDate::parse("2015-13").is_err());
        assert!(PartialDate::parse("15").is_err());
        assert!(PartialDate::parse("2015-02-29").is_err());
    }

    #[test]
    fn leap_day_anniversaries_fall_on_28_february() {
        let leap = date(2016, 2, 29);
        assert_eq!(anniversary(leap, 1), date(2017, 2, 28));
        assert_eq!(anniversary(leap, 4), date(2020, 2, 29));
        assert_eq!(anniversary(leap, 10), date(2026, 2, 28));
        assert_eq!(anniversary(date(2015, 6, 30), 10), date(2025, 6, 30));
    }

    proptest! {
        #[test]
        fn full_dates_round_trip(days in 0i32..80_000) {
            let d = date(1900, 1, 1).checked_add(jiff::Span::new().days(days)).unwrap();
            let text = format_date(d);
            prop_assert_eq!(parse_date(&text).unwrap(), d);
            prop_assert_eq!(PartialDate::parse(&text).unwrap().to_string(), text);
        }

        #[test]
        fn partial_dates_round_trip(year in 1900i16..2100, month in 1i8..=12) {
            let text = format!("{year:04}-{month:02}");
            prop_assert_eq!(PartialDate::parse(&text).unwrap().to_string(), text);
            let text = format!("{year:04}");
            prop_assert_eq!(PartialDate::parse(&text).unwrap().to_string(), text);
        }
    }
}
