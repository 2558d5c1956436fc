//! "Now" comes from a clock the caller passes in: the domain never reads the
//! wall clock, so every decision can be replayed with the time it was made.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};

/// A source of the current instant.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> Timestamp;

    /// Today's date in China (UTC+8), the day workflow dates are counted in.
    fn today(&self) -> Date {
        china_today(self.now())
    }
}

/// The civil date in China (Asia/Shanghai has kept UTC+8, without daylight
/// saving, since 1991) at `instant`.
pub fn china_today(instant: Timestamp) -> Date {
    instant.to_zoned(china()).date()
}

/// The instant the next day begins in China after `instant`: when
/// [`china_today`] next changes. `None` past the end of the calendar.
pub fn next_china_midnight(instant: Timestamp) -> Option<Timestamp> {
    let tomorrow = china_today(instant).tomorrow().ok()?;
    Some(tomorrow.to_zoned(china()).ok()?.timestamp())
}

fn china() -> TimeZone {
    TimeZone::fixed(Offset::constant(8))
}

/// An instant as stored and hashed: UTC, RFC 3339, exactly six fractional
/// digits (`2025-03-06T08:00:00.000000Z`), so text order is time order and
/// every backend keeps the same precision.
pub fn format_instant(instant: Timestamp) -> String {
    instant.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Reads [`format_instant`]'s output (or any RFC 3339 instant).
pub fn parse_instant(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

/// `instant` truncated to the microsecond, the precision instants are kept at.
pub fn truncate_instant(instant: Timestamp) -> Timestamp {
    let micros = instant.as_microsecond();
    Timestamp::from_microsecond(micros).unwrap_or(instant)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_have_a_fixed_width() {
        let whole: Timestamp = "2025-03-06T08:00:00Z".parse().unwrap();
        let fraction: Timestamp = "2025-03-06T08:00:00.5Z".parse().unwrap();
        let nanos: Timestamp = "2025-03-06T08:00:00.123456789Z".parse().unwrap();
        assert_eq!(format_instant(whole), "2025-03-06T08:00:00.000000Z");
        assert_eq!(format_instant(fraction), "2025-03-06T08:00:00.500000Z");
        assert_eq!(format_instant(nanos), "2025-03-06T08:00:00.123456Z");
        assert!(format_instant(whole) < format_instant(fraction));
        let back = parse_instant(&format_instant(nanos)).unwrap();
        assert_eq!(back, truncate_instant(nanos));
        assert_eq!(format_instant(back), format_instant(nanos));
    }

    #[test]
    fn the_day_turns_at_midnight_in_beijing() {
        let before: Timestamp = "2025-03-06T15:59:59Z".parse().unwrap();
        let after: Timestamp = "2025-03-06T16:00:00Z".parse().unwrap();
        assert_eq!(china_today(before), jiff::civil::date(2025, 3, 6));
        assert_eq!(china_today(after), jiff::civil::date(2025, 3, 7));
        assert_eq!(next_china_midnight(before), Some(after));
        let next: Timestamp = "2025-03-07T16:00:00Z".parse().unwrap();
        assert_eq!(next_china_midnight(after), Some(next), "a whole day on");
    }
}
