//! Working days, for the public notice (公示) period: weekends and public
//! holidays are not working days, except the weekend days officially moved
//! to make up for a holiday (调休).

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

/// Which days are working days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingCalendar {
    /// Public holidays falling on weekdays.
    #[serde(default)]
    pub holidays: BTreeSet<Date>,
    /// Weekend days that are working days (调休上班).
    #[serde(default)]
    pub make_up_days: BTreeSet<Date>,
}

impl WorkingCalendar {
    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: Date) -> bool {
        if self.make_up_days.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The first working day strictly after `day`.
    pub fn next_working_day(&self, day: Date) -> Date {
        let mut next = day;
        loop {
            next = next
                .tomorrow()
                .expect("the calendar ends long after any notice");
            if self.is_working_day(next) {
                return next;
            }
        }
    }

    /// A notice of `days` working days decided on `decided`: it opens on the
    /// next working day and closes at the end of its `days`-th working day.
    /// `days` is at least one.
    pub fn notice_window(&self, decided: Date, days: u32) -> (Date, Date) {
        let first = self.next_working_day(decided);
        let mut last = first;
        for _ in 1..days.max(1) {
            last = self.next_working_day(last);
        }
        (first, last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn five_working_days_skip_the_weekend() {
        let calendar = WorkingCalendar::default();
        // Friday 2025-03-07: opens Monday 10th, closes Friday 14th.
        assert_eq!(
            calendar.notice_window(date(2025, 3, 7), 5),
            (date(2025, 3, 10), date(2025, 3, 14))
        );
        // Wednesday: opens Thursday, closes the next Wednesday.
        assert_eq!(
            calendar.notice_window(date(2025, 3, 5), 5),
            (date(2025, 3, 6), date(2025, 3, 12))
        );
        assert_eq!(
            calendar.notice_window(date(2025, 3, 5), 0),
            (date(2025, 3, 6), date(2025, 3, 6))
        );
    }

    #[test]
    fn holidays_and_make_up_days_count_as_declared() {
        // National Day 2024: 1–7 October off, Sunday 29 September and
        // Saturday 12 October worked.
        let calendar = WorkingCalendar {
            holidays: (1..=7).map(|d| date(2024, 10, d)).collect(),
            make_up_days: [date(2024, 9, 29), date(2024, 10, 12)].into(),
        };
        assert!(calendar.is_working_day(date(2024, 9, 29)));
        assert!(!calendar.is_working_day(date(2024, 10, 4)));
        // Decided Saturday 28 September: Sunday 29th, Monday 30th, then 8, 9, 10 October.
        assert_eq!(
            calendar.notice_window(date(2024, 9, 28), 5),
            (date(2024, 9, 29), date(2024, 10, 10))
        );
    }
}
