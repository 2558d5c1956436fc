//! Clocks for the services: the system's, one tests (and replays) can set,
//! and an offset one for demos and staging.

use std::sync::{Arc, Mutex};

use hatchery_core::workflow::Clock;
use jiff::{SignedDuration, Timestamp};

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still until told otherwise.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
}

impl ManualClock {
    /// A clock showing `now`.
    pub fn new(now: Timestamp) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    /// Sets the time.
    pub fn set(&self, now: Timestamp) {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = now;
    }

    /// Moves the time on by `by`.
    pub fn advance(&self, by: SignedDuration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now = now.checked_add(by).unwrap_or(*now);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Another clock moved by a fixed number of days: for demos and staging
/// checks that walk the publicity period without editing the database
/// (`clock_offset_days`, refused in production).
#[derive(Debug)]
pub struct OffsetClock {
    inner: Arc<dyn Clock>,
    days: i64,
}

impl OffsetClock {
    /// `inner` moved by `days`.
    pub fn new(inner: Arc<dyn Clock>, days: i64) -> Self {
        Self { inner, days }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        let now = self.inner.now();
        now.checked_add(SignedDuration::from_hours(24 * self.days))
            .unwrap_or(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_clock_moves_by_whole_days_and_says_so() {
        let start: Timestamp = "2025-03-03T01:00:00Z".parse().unwrap();
        let clock = OffsetClock::new(Arc::new(ManualClock::new(start)), 30);
        assert_eq!(clock.now().to_string(), "2025-04-02T01:00:00Z");
    }
}
