//! Working days, for the public notice (公示) period: weekends and public
//! holidays are not working days, except the weekend days officially moved
//! to make up for a holiday (调休).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

/// Why a working day could not be counted, or a calendar is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Counting reached a year whose holidays the calendar does not hold:
    /// guessing from weekdays alone would end a notice too early over 春节 or
    /// 国庆, so the count stops and names the year.
    #[error(
        "the working-day calendar has no entry for {year}: add the State Council's holiday \
         arrangement for {year} to [workflow.calendar] (years, holidays, make_up_days)"
    )]
    YearMissing { year: i16 },
    /// A listed day lies in a year the calendar does not declare.
    #[error("{day} is listed, but {year} is not among the calendar's years")]
    OutsideYears { day: Date, year: i16 },
    /// A make-up working day that is not a weekend day.
    #[error("the make-up working day {0} is not a Saturday or a Sunday")]
    MakeUpOnWeekday(Date),
    /// A day listed as both kinds.
    #[error("{0} is listed both as a holiday and as a make-up working day")]
    BothKinds(Date),
    /// A day listed twice in one list: harmless as such, but usually a typo
    /// for the day that was meant, so it is refused rather than dropped.
    #[error("{0} is listed twice")]
    Repeated(Date),
    /// The calendar shipped in the binary does not read (a build defect).
    #[error("the shipped calendar does not read: {0}")]
    Shipped(String),
}

/// Which days are working days, for the years it declares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CalendarConfig")]
pub struct WorkingCalendar {
    /// The years whose holidays and make-up days this calendar holds.
    years: BTreeSet<i16>,
    /// Public holidays (days off; those on weekends may be listed too).
    holidays: BTreeSet<Date>,
    /// Weekend days that are working days (调休上班).
    make_up_days: BTreeSet<Date>,
}

/// One year of the official calendar shipped in the binary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficialYear {
    pub year: i16,
    /// The notice the year is transcribed from.
    pub source: String,
    /// `verified` once checked against the notice's text, else `unverified`.
    pub status: String,
    /// As listed (a list, not a set, so that a day listed twice is seen and
    /// refused by [`WorkingCalendar::official`]).
    pub holidays: Vec<Date>,
    pub make_up_days: Vec<Date>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficialFile {
    years: Vec<OfficialYear>,
}

static OFFICIAL: LazyLock<Result<Vec<OfficialYear>, CalendarError>> = LazyLock::new(|| {
    toml::from_str::<OfficialFile>(include_str!("../../data/calendar-cn.toml"))
        .map(|file| file.years)
        .map_err(|e| CalendarError::Shipped(e.to_string()))
});

/// The years of China's official calendar shipped in the binary, with their
/// sources and whether they have been checked against them.
pub fn official_years() -> Result<&'static [OfficialYear], CalendarError> {
    OFFICIAL.as_ref().map(Vec::as_slice).map_err(Clone::clone)
}

/// A `[workflow.calendar]` section: the official calendar (unless turned
/// off) plus years an operator adds or corrects.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// Start from the official calendar shipped in the binary.
    #[serde(default = "yes")]
    pub official: bool,
    /// Years the lists below describe completely; a year listed here
    /// replaces the shipped one.
    #[serde(default)]
    pub years: BTreeSet<i16>,
    /// As listed: a day listed twice is refused ([`CalendarError::Repeated`]).
    #[serde(default)]
    pub holidays: Vec<Date>,
    #[serde(default)]
    pub make_up_days: Vec<Date>,
}

fn yes() -> bool {
    true
}

/// The days of a list, refusing the first one listed twice.
fn distinct(days: &[Date]) -> Result<BTreeSet<Date>, CalendarError> {
    let mut set = BTreeSet::new();
    for &day in days {
        if !set.insert(day) {
            return Err(CalendarError::Repeated(day));
        }
    }
    Ok(set)
}

impl TryFrom<CalendarConfig> for WorkingCalendar {
    type Error = CalendarError;

    fn try_from(config: CalendarConfig) -> Result<Self, CalendarError> {
        let local = WorkingCalendar::new(
            config.years,
            distinct(&config.holidays)?,
            distinct(&config.make_up_days)?,
        )?;
        if !config.official {
            return Ok(local);
        }
        Ok(WorkingCalendar::official()?.overlaid_by(local))
    }
}

impl WorkingCalendar {
    /// A calendar of `years`, checked: every listed day lies in one of them,
    /// make-up days fall on weekends, no day is of both kinds.
    pub fn new(
        years: BTreeSet<i16>,
        holidays: BTreeSet<Date>,
        make_up_days: BTreeSet<Date>,
    ) -> Result<Self, CalendarError> {
        for &day in holidays.iter().chain(&make_up_days) {
            if !years.contains(&day.year()) {
                return Err(CalendarError::OutsideYears {
                    day,
                    year: day.year(),
                });
            }
        }
        if let Some(&day) = make_up_days.iter().find(|d| !is_weekend(**d)) {
            return Err(CalendarError::MakeUpOnWeekday(day));
        }
        if let Some(&day) = holidays.intersection(&make_up_days).next() {
            return Err(CalendarError::BothKinds(day));
        }
        Ok(Self {
            years,
            holidays,
            make_up_days,
        })
    }

    /// China's official calendar, as shipped in the binary.
    pub fn official() -> Result<Self, CalendarError> {
        let mut calendar = Self::default();
        for year in official_years()? {
            let one = Self::new(
                [year.year].into(),
                distinct(&year.holidays)?,
                distinct(&year.make_up_days)?,
            )?;
            calendar = calendar.overlaid_by(one);
        }
        Ok(calendar)
    }

    /// This calendar with `other`'s years taking the place of its own.
    pub fn overlaid_by(mut self, other: Self) -> Self {
        let replaced = |day: &Date| !other.years.contains(&day.year());
        self.holidays.retain(replaced);
        self.make_up_days.retain(replaced);
        self.years.extend(other.years);
        self.holidays.extend(other.holidays);
        self.make_up_days.extend(other.make_up_days);
        self
    }

    /// The years this calendar can judge.
    pub fn years(&self) -> &BTreeSet<i16> {
        &self.years
    }

    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: Date) -> Result<bool, CalendarError> {
        if !self.years.contains(&day.year()) {
            return Err(CalendarError::YearMissing { year: day.year() });
        }
        if self.make_up_days.contains(&day) {
            return Ok(true);
        }
        Ok(!self.holidays.contains(&day) && !is_weekend(day))
    }

    /// The first working day strictly after `day`.
    pub fn next_working_day(&self, day: Date) -> Result<Date, CalendarError> {
        let mut next = day;
        loop {
            // Past jiff's last day there is no calendar year to hold it.
            next = next
                .tomorrow()
                .map_err(|_| CalendarError::YearMissing { year: next.year() })?;
            if self.is_working_day(next)? {
                return Ok(next);
            }
        }
    }

    /// A notice of `days` working days decided on `decided`: it opens on the
    /// next working day and closes at the end of its `days`-th working day.
    /// `days` is at least one.
    pub fn notice_window(&self, decided: Date, days: u32) -> Result<(Date, Date), CalendarError> {
        let first = self.next_working_day(decided)?;
        let mut last = first;
        for _ in 1..days.max(1) {
            last = self.next_working_day(last)?;
        }
        Ok((first, last))
    }
}

fn is_weekend(day: Date) -> bool {
    matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn five_working_days_skip_the_weekend() {
        let calendar = WorkingCalendar::new([2025].into(), [].into(), [].into()).unwrap();
        // Friday 2025-03-07: opens Monday 10th, closes Friday 14th.
        assert_eq!(
            calendar.notice_window(date(2025, 3, 7), 5).unwrap(),
            (date(2025, 3, 10), date(2025, 3, 14))
        );
        // Wednesday: opens Thursday, closes the next Wednesday.
        assert_eq!(
            calendar.notice_window(date(2025, 3, 5), 5).unwrap(),
            (date(2025, 3, 6), date(2025, 3, 12))
        );
        assert_eq!(
            calendar.notice_window(date(2025, 3, 5), 0).unwrap(),
            (date(2025, 3, 6), date(2025, 3, 6))
        );
    }

    #[test]
    fn holidays_and_make_up_days_count_as_declared() {
        // National Day 2024: 1–7 October off, Sunday 29 September and
        // Saturday 12 October worked.
        let calendar = WorkingCalendar::new(
            [2024].into(),
            (1..=7).map(|d| date(2024, 10, d)).collect(),
            [date(2024, 9, 29), date(2024, 10, 12)].into(),
        )
        .unwrap();
        assert!(calendar.is_working_day(date(2024, 9, 29)).unwrap());
        assert!(!calendar.is_working_day(date(2024, 10, 4)).unwrap());
        // Decided Saturday 28 September: Sunday 29th, Monday 30th, then 8, 9, 10 October.
        assert_eq!(
            calendar.notice_window(date(2024, 9, 28), 5).unwrap(),
            (date(2024, 9, 29), date(2024, 10, 10))
        );
    }

    #[test]
    fn the_official_calendar_reads_and_every_year_is_consistent() {
        let years = official_years().unwrap();
        assert_eq!(
            years.iter().map(|y| y.year).collect::<Vec<_>>(),
            [2024, 2025, 2026]
        );
        for year in years {
            assert!(["verified", "unverified"].contains(&year.status.as_str()));
            assert!(!year.source.is_empty());
            // Checks the year's days against its year, weekends and each other.
            WorkingCalendar::new(
                [year.year].into(),
                distinct(&year.holidays).unwrap(),
                distinct(&year.make_up_days).unwrap(),
            )
            .unwrap();
        }
    }

    #[test]
    fn a_notice_over_the_spring_festival_waits_for_it_to_end() {
        let calendar = WorkingCalendar::official().unwrap();
        // Decided Friday 2026-02-13: Saturday 14th is worked, then 15–23
        // February are off; the notice runs to Friday 27th.
        assert_eq!(
            calendar.notice_window(date(2026, 2, 13), 5).unwrap(),
            (date(2026, 2, 14), date(2026, 2, 27))
        );
        // Counting weekdays alone would have closed it on 20 February.
        let weekdays = WorkingCalendar::new([2026].into(), [].into(), [].into()).unwrap();
        assert_eq!(
            weekdays.notice_window(date(2026, 2, 13), 5).unwrap().1,
            date(2026, 2, 20)
        );
    }

    #[test]
    fn a_count_that_reaches_a_year_without_its_holidays_fails_and_names_it() {
        let calendar = WorkingCalendar::official().unwrap();
        let error = calendar.notice_window(date(2026, 12, 28), 5).unwrap_err();
        assert_eq!(error, CalendarError::YearMissing { year: 2027 });
        assert!(error.to_string().contains("no entry for 2027"));
    }

    #[test]
    fn an_operator_adds_a_year_or_replaces_a_shipped_one() {
        let config: CalendarConfig = toml::from_str(
            r#"
            years = [2026, 2027]
            holidays = ["2027-01-01"]
            make_up_days = []
            "#,
        )
        .unwrap();
        let calendar = WorkingCalendar::try_from(config).unwrap();
        assert!(calendar.years().contains(&2024));
        assert!(!calendar.is_working_day(date(2027, 1, 1)).unwrap());
        // 2026 was replaced by the operator's (empty) year: 1 October is a weekday.
        assert!(calendar.is_working_day(date(2026, 10, 1)).unwrap());
        // Without the official calendar only the operator's years count.
        let config: CalendarConfig = toml::from_str("official = false\nyears = [2027]").unwrap();
        let calendar = WorkingCalendar::try_from(config).unwrap();
        assert_eq!(
            calendar.is_working_day(date(2026, 3, 2)),
            Err(CalendarError::YearMissing { year: 2026 })
        );
    }

    #[test]
    fn listed_days_are_checked() {
        let years = || BTreeSet::from([2027]);
        assert_eq!(
            WorkingCalendar::new(years(), [date(2028, 1, 3)].into(), [].into()),
            Err(CalendarError::OutsideYears {
                day: date(2028, 1, 3),
                year: 2028
            })
        );
        // 2027-01-04 is a Monday.
        assert_eq!(
            WorkingCalendar::new(years(), [].into(), [date(2027, 1, 4)].into()),
            Err(CalendarError::MakeUpOnWeekday(date(2027, 1, 4)))
        );
        assert_eq!(
            WorkingCalendar::new(
                years(),
                [date(2027, 1, 2)].into(),
                [date(2027, 1, 2)].into()
            ),
            Err(CalendarError::BothKinds(date(2027, 1, 2)))
        );
    }

    #[test]
    fn a_day_listed_twice_is_refused_and_named() {
        let twice = |list: &str| {
            let text = format!("official = false\nyears = [2027]\n{list}");
            let config: CalendarConfig = toml::from_str(&text).unwrap();
            WorkingCalendar::try_from(config)
        };
        let error = twice(r#"holidays = ["2027-01-01", "2027-02-06", "2027-01-01"]"#).unwrap_err();
        assert_eq!(error, CalendarError::Repeated(date(2027, 1, 1)));
        assert_eq!(error.to_string(), "2027-01-01 is listed twice");
        assert_eq!(
            twice(r#"make_up_days = ["2027-01-02", "2027-01-02"]"#),
            Err(CalendarError::Repeated(date(2027, 1, 2)))
        );
        // Through serde, as the server's configuration reads it, the
        // message survives with the position toml gives it.
        let error = toml::from_str::<WorkingCalendar>(
            "official = false\nyears = [2027]\nholidays = [\"2027-01-01\", \"2027-01-01\"]",
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("2027-01-01 is listed twice"),
            "{error}"
        );
    }
}
