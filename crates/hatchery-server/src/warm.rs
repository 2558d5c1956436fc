//! Building ahead: what the first request after an import, or on a new
//! day, would otherwise wait for. At national scale the nation's dashboard
//! report takes seconds to build and the directory's index half a second;
//! the ledger view keeps both once built (see [`crate::kept`]), so a
//! background task builds them whenever the view or the day changes and
//! the first user finds them ready. A request arriving during a build
//! waits for that same build, never starts a second one.

use std::time::Duration;

use hatchery_core::workflow::next_china_midnight;
use hatchery_report::Lang;
use jiff::civil::Date;

use crate::error::ApiError;
use crate::routes::enterprises::rule_set;
use crate::routes::reports::MAX_DATES;
use crate::state::{AppState, CLASSIFICATIONS_KEPT};

/// The as-of dates of a dashboard's trend: 31 December of each of the last
/// years, then today (as many as one report takes).
pub fn dashboard_dates(today: Date) -> Vec<Date> {
    let years = (MAX_DATES - 1) as i16;
    let mut dates: Vec<Date> = (today.year() - years..today.year())
        .filter_map(|y| Date::new(y, 12, 31).ok())
        .collect();
    dates.push(today);
    dates
}

/// The languages reports are built in ahead: those of the web interface.
const LANGUAGES: [Lang; 2] = [Lang::Zh, Lang::En];

/// How many rule sets besides the default get today's classification built
/// ahead (for comparisons): the built-in ones and a few added, within what
/// the view keeps beside the default's two.
const COMPARED_AHEAD: usize = CLASSIFICATIONS_KEPT - 4;

/// Builds, on the current ledger view: under the default rule set, the
/// directory's index for today and the nation's tracking report on the
/// dashboard's dates and on today alone (the report page's default), in
/// each language; under every other rule set (the latest version of each
/// key, six at most), today's tiers, which a comparison of two
/// rule sets reads. What is already built is only looked up.
pub async fn warm(state: &AppState) -> Result<(), ApiError> {
    let view = state.ledger().await?;
    let today = state.today();
    let rules = rule_set(state, None, None).await?.rules;
    let mut seen = std::collections::HashSet::new();
    let others: Vec<_> = state
        .rules
        .all()
        .into_iter()
        .map(|entry| entry.rules.key.clone())
        .filter(|key| *key != rules.key && seen.insert(key.clone()))
        .take(COMPARED_AHEAD)
        .filter_map(|key| state.rules.find(&key, None))
        .map(|entry| entry.rules)
        .collect();
    tokio::task::spawn_blocking(move || {
        view.directory(&rules, today, today);
        for other in &others {
            view.classification(other, &[today]);
        }
        let dashboard = dashboard_dates(today);
        for lang in LANGUAGES {
            for dates in [&dashboard[..], &[today][..]] {
                // A failed build is kept like a report and shown to the
                // request that asks for it; nothing to do with it here.
                let _ = view.report(&rules, dates, None, lang);
            }
        }
    })
    .await
    .map_err(ApiError::internal)
}

/// Keeps building ahead until dropped: at once, then whenever the view is
/// marked stale (an import through this server), once per ledger refresh
/// period (imports made through another server on the same store), and
/// when the day changes in China.
pub async fn keep_warm(state: AppState) {
    loop {
        let started = std::time::Instant::now();
        match warm(&state).await {
            Ok(()) => tracing::debug!(elapsed = ?started.elapsed(), "built ahead"),
            Err(error) => tracing::warn!(%error, "building ahead"),
        }
        let wait = until_next_day(&state)
            .min(state.ledger.refresh_period())
            .max(MIN_WAIT);
        tokio::select! {
            () = state.ledger.invalidated() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// The shortest pause between two rounds (a refresh period of 0, which
/// asks the store on every request, must not make this loop spin).
const MIN_WAIT: Duration = Duration::from_secs(1);

/// The time until the day changes in China (a second after, so that
/// "today" has moved when the builder wakes).
fn until_next_day(state: &AppState) -> Duration {
    let now = state.clock.now();
    next_china_midnight(now)
        .and_then(|midnight| Duration::try_from(midnight.duration_since(now)).ok())
        .map_or(Duration::from_secs(3600), |left| {
            left + Duration::from_secs(1)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dashboard_reads_eleven_year_ends_then_today() {
        let today = jiff::civil::date(2026, 12, 5);
        let dates = dashboard_dates(today);
        assert_eq!(dates.len(), MAX_DATES);
        assert_eq!(dates[0], jiff::civil::date(2015, 12, 31));
        assert_eq!(dates[10], jiff::civil::date(2025, 12, 31));
        assert_eq!(dates[11], today);
    }
}
