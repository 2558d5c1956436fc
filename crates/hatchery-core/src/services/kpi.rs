//! Performance figures of request handling (及时响应率, 按时办结率, 办结率,
//! 解决率, 满意率, reopenings, overdue requests, time spent in each state),
//! computed from the requests' timestamps, never typed in: a figure anyone
//! can recompute from the record is a figure nobody can dress up.
//!
//! Each figure's definition is on its field of [`Kpis`]; the caller chooses
//! which requests to count (filed in a period, in a jurisdiction, by a
//! department…) and the instant `now` they are judged at.

use jiff::{SignedDuration, Timestamp};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::clocks::{Dues, RequestClass};
use super::request::RequestState;

/// What the figures need to know of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestTimeline {
    pub class: RequestClass,
    /// When it was filed.
    pub submitted: Timestamp,
    /// The deadlines set when it was filed. Acceptance is judged against
    /// these: suspensions, escalations and reopenings come later and do not
    /// move the promise made to the enterprise at filing.
    pub dues_at_filing: Dues,
    /// The close deadline in force at the first closure (or now, when it
    /// was never closed): the filing's, moved on by any time it waited for
    /// the enterprise. Closure on time is judged against this, since the
    /// office is not to blame for the enterprise's delay.
    pub close_due: Timestamp,
    /// The deadlines in force now (moved on by suspensions, set again by a
    /// reopening): what "overdue" is judged against.
    pub dues: Dues,
    /// Its first acceptance.
    pub accepted: Option<Timestamp>,
    /// Its first closure.
    pub closed: Option<Timestamp>,
    /// Where it stands now.
    pub state: RequestState,
    /// The enterprise's last confirmation: solved, satisfaction (1–5).
    pub confirmation: Option<(bool, u8)>,
    /// How many times the enterprise reopened it.
    pub reopened: u32,
    /// How many times an official revisited it (回访).
    pub revisited: u32,
    /// Each stay in a state: the state, when it was entered, and when it
    /// was left (`None` while it lasts).
    pub stays: Vec<(RequestState, Timestamp, Option<Timestamp>)>,
}

/// A share: how many of how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rate {
    pub numerator: u32,
    pub denominator: u32,
}

impl Rate {
    /// The share in percent, rounded to one decimal place, halves away from
    /// zero (四舍五入, as published figures are), always written with that
    /// one place; `None` when there is nothing to divide by, which is not
    /// the same as 0 %.
    pub fn percent(&self) -> Option<Decimal> {
        if self.denominator == 0 {
            return None;
        }
        (Decimal::from(self.numerator) * Decimal::ONE_HUNDRED)
            .checked_div(Decimal::from(self.denominator))
            .map(|p| {
                let mut p = p.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
                // Always one place, so that 100 % reads "100.0" like the rest.
                p.rescale(1);
                p
            })
    }
}

/// How long requests stayed in one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StateTime {
    pub state: RequestState,
    /// The number of finished stays in the state (a request may stay in
    /// it more than once).
    pub stays: u32,
    /// The median stay: the 50th percentile by nearest rank.
    pub median: SignedDuration,
    /// The 90th percentile by nearest rank: the value at rank ⌈0.9 × n⌉
    /// of the n finished stays sorted from shortest (ranks from 1).
    pub p90: SignedDuration,
}

/// The performance figures of a set of requests at an instant `now`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpis {
    /// The number of requests counted (the caller chooses them).
    pub requests: u32,
    /// Of those, how many are withdrawn.
    pub withdrawn: u32,
    /// 及时响应率: numerator, the requests first accepted at or before the
    /// accept deadline set at filing; denominator, the requests that were
    /// accepted, plus those never accepted whose accept deadline set at
    /// filing is before `now`. A request withdrawn without ever being
    /// accepted is left out: there was nothing left to respond to.
    pub response_in_time: Rate,
    /// 按时办结率: numerator, the requests first closed at or before
    /// `close_due` (the filing's close deadline moved on by the time spent
    /// waiting for the enterprise); denominator, the requests not
    /// withdrawn that were closed, or whose `close_due` is before `now`.
    pub closed_on_time: Rate,
    /// 办结率: numerator, the requests now closed or confirmed; denominator,
    /// the requests not withdrawn. A reopened request is not closed.
    pub closure: Rate,
    /// 解决率: numerator, the confirmed requests the enterprise says were
    /// solved; denominator, the requests now confirmed (with a
    /// confirmation).
    pub solved: Rate,
    /// 满意率: numerator, the confirmations with a satisfaction of 4 or 5;
    /// denominator, the confirmations.
    pub satisfaction: Rate,
    /// Reopening rate: numerator, the requests reopened at least once;
    /// denominator, the requests ever closed.
    pub reopen: Rate,
    /// 回访率: numerator, the requests ever closed that an official
    /// revisited at least once; denominator, the requests ever closed.
    pub revisit: Rate,
    /// Unsatisfied ones revisited: numerator, the requests whose
    /// confirmation is unsatisfied ([`unsatisfied`]) revisited at least
    /// once; denominator, the requests with an unsatisfied confirmation.
    /// Every one of them is to be revisited.
    pub unsatisfied_revisited: Rate,
    /// The requests overdue now, by the rule the lists use
    /// ([`RequestState::is_overdue`]): open (not suspended, closed,
    /// confirmed or withdrawn), and past the deadline in force of their
    /// stage (acceptance, the answer, the closure) or their closing one.
    pub overdue: u32,
    /// For each state with at least one finished stay, in the order of
    /// [`RequestState::ALL`]: the number of finished stays, their median
    /// and 90th percentile. Stays still running are left out, since their
    /// length is not known yet.
    pub time_in_state: Vec<StateTime>,
}

/// How many items match, saturating at `u32::MAX`.
fn count<T>(items: impl Iterator<Item = T>) -> u32 {
    u32::try_from(items.count()).unwrap_or(u32::MAX)
}

/// The timelines that pass `denominator`, and how many of them pass
/// `numerator` too.
fn rate(
    timelines: &[&RequestTimeline],
    denominator: impl Fn(&RequestTimeline) -> bool,
    numerator: impl Fn(&RequestTimeline) -> bool,
) -> Rate {
    let counted = || timelines.iter().filter(|t| denominator(t));
    Rate {
        numerator: count(counted().filter(|t| numerator(t))),
        denominator: count(counted()),
    }
}

/// The value at nearest rank ⌈p/100 × n⌉ (from 1) of `sorted`, which is
/// not empty.
fn nearest_rank(sorted: &[SignedDuration], p: usize) -> SignedDuration {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted
        .get(rank - 1)
        .or(sorted.last())
        .copied()
        .unwrap_or(SignedDuration::ZERO)
}

/// The figures of `timelines` at `now` (borrowed: a breakdown computes
/// each group's figures without copying its timelines).
pub fn compute<'a>(
    timelines: impl IntoIterator<Item = &'a RequestTimeline>,
    now: Timestamp,
) -> Kpis {
    let timelines: Vec<&RequestTimeline> = timelines.into_iter().collect();
    let timelines = timelines.as_slice();
    let withdrawn = |t: &RequestTimeline| t.state == RequestState::Withdrawn;
    let confirmed = |t: &RequestTimeline| t.state == RequestState::Confirmed;
    let response_in_time = rate(
        timelines,
        |t| match t.accepted {
            Some(_) => true,
            None => !withdrawn(t) && t.dues_at_filing.accept < now,
        },
        |t| t.accepted.is_some_and(|at| at <= t.dues_at_filing.accept),
    );
    let closed_on_time = rate(
        timelines,
        |t| !withdrawn(t) && (t.closed.is_some() || t.close_due < now),
        |t| t.closed.is_some_and(|at| at <= t.close_due),
    );
    let closure = rate(
        timelines,
        |t| !withdrawn(t),
        |t| matches!(t.state, RequestState::Closed | RequestState::Confirmed),
    );
    let solved = rate(
        timelines,
        |t| confirmed(t) && t.confirmation.is_some(),
        |t| matches!(t.confirmation, Some((true, _))),
    );
    let satisfaction = rate(
        timelines,
        |t| t.confirmation.is_some(),
        |t| matches!(t.confirmation, Some((_, score)) if score >= 4),
    );
    let reopen = rate(timelines, |t| t.closed.is_some(), |t| t.reopened > 0);
    let revisit = rate(timelines, |t| t.closed.is_some(), |t| t.revisited > 0);
    let unsatisfied_revisited = rate(
        timelines,
        |t| t.confirmation.is_some_and(unsatisfied),
        |t| t.revisited > 0,
    );
    let overdue = count(
        timelines
            .iter()
            .filter(|t| t.state.is_overdue(&t.dues, now)),
    );
    let time_in_state = RequestState::ALL
        .iter()
        .filter_map(|&state| {
            let mut lengths: Vec<SignedDuration> = timelines
                .iter()
                .flat_map(|t| &t.stays)
                .filter(|(s, _, _)| *s == state)
                .filter_map(|(_, entered, left)| left.map(|left| left.duration_since(*entered)))
                .collect();
            if lengths.is_empty() {
                return None;
            }
            lengths.sort();
            Some(StateTime {
                state,
                stays: count(lengths.iter()),
                median: nearest_rank(&lengths, 50),
                p90: nearest_rank(&lengths, 90),
            })
        })
        .collect();
    Kpis {
        requests: count(timelines.iter()),
        withdrawn: count(timelines.iter().filter(|t| withdrawn(t))),
        response_in_time,
        closed_on_time,
        closure,
        solved,
        satisfaction,
        reopen,
        revisit,
        unsatisfied_revisited,
        overdue,
        time_in_state,
    }
}

/// Whether an enterprise's confirmation (solved, satisfaction 1–5) leaves
/// it unsatisfied: not solved, or a satisfaction below the 4 that the
/// satisfaction rate counts as satisfied.
pub fn unsatisfied((solved, satisfaction): (bool, u8)) -> bool {
    !solved || satisfaction < 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestState as S;

    /// An instant in March 2025, Beijing time: `t(3, 9)` is 3 March 09:00.
    fn t(day: i8, hour: i8) -> Timestamp {
        tm(day, hour, 0)
    }

    fn tm(day: i8, hour: i8, minute: i8) -> Timestamp {
        jiff::civil::date(2025, 3, day)
            .at(hour, minute, 0, 0)
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
            .unwrap()
            .timestamp()
    }

    fn hours(n: i64) -> SignedDuration {
        SignedDuration::from_hours(n)
    }

    fn mins(n: i64) -> SignedDuration {
        SignedDuration::from_mins(n)
    }

    /// A general request filed at `submitted`, to be accepted within 2 h
    /// and closed by `close_due`; nothing has happened to it yet.
    fn filed(submitted: Timestamp, close_due: Timestamp) -> RequestTimeline {
        let dues = Dues {
            accept: submitted + hours(2),
            answer: submitted + hours(72),
            close: close_due,
            escalate: submitted + hours(12),
        };
        RequestTimeline {
            class: RequestClass::General,
            submitted,
            dues_at_filing: dues,
            close_due,
            dues,
            accepted: None,
            closed: None,
            state: S::Submitted,
            confirmation: None,
            reopened: 0,
            revisited: 0,
            stays: vec![(S::Submitted, submitted, None)],
        }
    }

    /// Judged at Thursday 20 March 2025, 12:00.
    fn now() -> Timestamp {
        t(20, 12)
    }

    /// Nine requests, each with the stays that matter to the figures.
    fn sample() -> Vec<RequestTimeline> {
        // A: accepted late (12:00, due 11:00), closed on time (6th, due
        // 8th), confirmed solved with 5.
        let a = RequestTimeline {
            accepted: Some(t(3, 12)),
            closed: Some(t(6, 9)),
            state: S::Confirmed,
            confirmation: Some((true, 5)),
            stays: vec![
                (S::Submitted, t(3, 9), Some(t(3, 12))),   // 3 h
                (S::InProgress, t(3, 13), Some(t(5, 13))), // 48 h
                (S::Closed, t(6, 9), Some(t(6, 18))),      // 9 h
                (S::Confirmed, t(6, 18), None),
            ],
            ..filed(t(3, 9), t(8, 9))
        };
        // B: accepted on time (10:00), closed late (11th, due 9th),
        // confirmed unsolved with 2, then revisited.
        let b = RequestTimeline {
            accepted: Some(t(4, 10)),
            closed: Some(t(11, 9)),
            state: S::Confirmed,
            confirmation: Some((false, 2)),
            revisited: 1,
            stays: vec![
                (S::Submitted, t(4, 9), Some(t(4, 10))),    // 1 h
                (S::InProgress, t(4, 11), Some(t(10, 11))), // 144 h
                (S::Closed, t(11, 9), Some(t(12, 9))),      // 24 h
                (S::Confirmed, t(12, 9), None),
            ],
            ..filed(t(4, 9), t(9, 9))
        };
        // C: accepted on time (09:30), suspended two days, so its close
        // deadline moved from the 10th to the 12th 09:00; closed on the
        // 11th 17:00: on time. Awaits the enterprise's confirmation.
        let c = RequestTimeline {
            close_due: t(12, 9),
            accepted: Some(tm(5, 9, 30)),
            closed: Some(t(11, 17)),
            state: S::Closed,
            stays: vec![
                (S::Submitted, t(5, 9), Some(tm(5, 9, 30))), // 30 min
                (S::InProgress, t(5, 10), Some(t(6, 10))),   // 24 h
                (S::Suspended, t(6, 10), Some(t(8, 10))),    // 48 h
                (S::InProgress, t(8, 10), Some(t(11, 10))),  // 72 h
                (S::Closed, t(11, 17), None),
            ],
            ..filed(t(5, 9), t(10, 9))
        };
        // D: accepted on time, closed on time (10th, due 11th), reopened
        // once and being handled again, within the new round's deadlines
        // (answer by the 21st, closure by the 26th).
        let d = RequestTimeline {
            dues: Dues {
                answer: t(21, 9),
                close: t(26, 9),
                ..filed(t(6, 9), t(11, 9)).dues
            },
            accepted: Some(t(6, 10)),
            closed: Some(t(10, 9)),
            state: S::InProgress,
            reopened: 1,
            stays: vec![
                (S::Submitted, t(6, 9), Some(t(6, 10))),   // 1 h
                (S::InProgress, t(6, 11), Some(t(9, 11))), // 72 h
                (S::Closed, t(10, 9), Some(t(12, 9))),     // 48 h
                (S::Reopened, t(12, 9), Some(t(12, 10))),  // 1 h
                (S::InProgress, t(12, 10), None),
            ],
            ..filed(t(6, 9), t(11, 9))
        };
        // E: withdrawn an hour after filing, before anyone accepted it.
        let e = RequestTimeline {
            state: S::Withdrawn,
            stays: vec![
                (S::Submitted, t(10, 9), Some(t(10, 10))), // 1 h
                (S::Withdrawn, t(10, 10), None),
            ],
            ..filed(t(10, 9), t(15, 9))
        };
        // F: filed on the 17th, never accepted (due 17th 11:00): overdue.
        let f = filed(t(17, 9), t(22, 9));
        // G: accepted on time (09:15), still in progress after its close
        // deadline (16th 09:00): overdue.
        let g = RequestTimeline {
            accepted: Some(tm(11, 9, 15)),
            state: S::InProgress,
            stays: vec![
                (S::Submitted, t(11, 9), Some(tm(11, 9, 15))), // 15 min
                (S::Dispatched, tm(11, 9, 30), Some(tm(11, 10, 30))), // 1 h
                (S::InProgress, tm(11, 10, 30), None),
            ],
            ..filed(t(11, 9), t(16, 9))
        };
        // H: filed this morning, accepted on time, within its deadlines.
        let h = RequestTimeline {
            accepted: Some(t(20, 9)),
            state: S::Dispatched,
            stays: vec![
                (S::Submitted, t(20, 8), Some(t(20, 9))),     // 1 h
                (S::Accepted, t(20, 9), Some(tm(20, 9, 10))), // 10 min
                (S::Dispatched, tm(20, 9, 10), None),
            ],
            ..filed(t(20, 8), t(25, 8))
        };
        // I: filed an hour ago, not accepted yet, due at 13:00.
        let i = filed(t(20, 11), t(25, 11));
        vec![a, b, c, d, e, f, g, h, i]
    }

    fn rate(numerator: u32, denominator: u32) -> Rate {
        Rate {
            numerator,
            denominator,
        }
    }

    #[test]
    fn every_figure_of_a_known_sample_is_as_computed_by_hand() {
        let kpis = compute(&sample(), now());
        assert_eq!(kpis.requests, 9);
        // E.
        assert_eq!(kpis.withdrawn, 1);
        // Denominator: accepted A B C D G H (6), plus F, unaccepted past
        // its deadline (I's is 13:00, after now; E withdrawn unaccepted is
        // left out): 7. Numerator: accepted in time B C D G H (A late): 5.
        assert_eq!(kpis.response_in_time, rate(5, 7));
        assert_eq!(
            kpis.response_in_time.percent(),
            Some("71.4".parse().unwrap())
        );
        // Denominator: not withdrawn, and closed (A B C D) or past close_due
        // (G; F's is the 22nd, H's and I's the 25th): 5. Numerator: A
        // (6th ≤ 8th), C (11th 17:00 ≤ 12th 09:00 after the suspension),
        // D (10th ≤ 11th); not B (11th > 9th) nor G (open): 3.
        assert_eq!(kpis.closed_on_time, rate(3, 5));
        assert_eq!(kpis.closed_on_time.percent(), Some("60.0".parse().unwrap()));
        // Closed or confirmed now: A B C (D was reopened) of the 8 not
        // withdrawn.
        assert_eq!(kpis.closure, rate(3, 8));
        assert_eq!(kpis.closure.percent(), Some("37.5".parse().unwrap()));
        // Confirmed: A (solved) and B (not).
        assert_eq!(kpis.solved, rate(1, 2));
        // Confirmations: A (5) and B (2); 4 or more: A.
        assert_eq!(kpis.satisfaction, rate(1, 2));
        // Ever closed: A B C D; reopened: D.
        assert_eq!(kpis.reopen, rate(1, 4));
        assert_eq!(kpis.reopen.percent(), Some("25.0".parse().unwrap()));
        // Ever closed: A B C D; revisited: B. Unsatisfied confirmations: B
        // (not solved, 2), revisited.
        assert_eq!(kpis.revisit, rate(1, 4));
        assert_eq!(kpis.unsatisfied_revisited, rate(1, 1));
        // Open now: D (in progress, its new round due the 21st and 26th),
        // F (submitted, acceptance due the 17th 11:00: overdue), G (in
        // progress, answer due the 14th and closure the 16th: overdue), H
        // (dispatched, answer due the 23rd), I (acceptance due 13:00, after
        // now). C is closed and E withdrawn: 2.
        assert_eq!(kpis.overdue, 2);
        let stay = |state, stays, median, p90| StateTime {
            state,
            stays,
            median,
            p90,
        };
        assert_eq!(
            kpis.time_in_state,
            [
                // G 15 min, C 30 min, B D E H 1 h, A 3 h: sorted
                // 15m 30m 1h 1h 1h 1h 3h; n = 7: median rank ⌈3.5⌉ = 4
                // → 1 h; p90 rank ⌈6.3⌉ = 7 → 3 h.
                stay(S::Submitted, 7, hours(1), hours(3)),
                // H's 10 min alone.
                stay(S::Accepted, 1, mins(10), mins(10)),
                // G's 1 h alone (H's is running).
                stay(S::Dispatched, 1, hours(1), hours(1)),
                // 24 48 72 72 144 h (C twice, D's second stay running);
                // n = 5: median rank ⌈2.5⌉ = 3 → 72 h; p90 ⌈4.5⌉ = 5 → 144 h.
                stay(S::InProgress, 5, hours(72), hours(144)),
                stay(S::Suspended, 1, hours(48), hours(48)),
                // 9 24 48 h (C's running); n = 3: median ⌈1.5⌉ = 2 → 24 h;
                // p90 ⌈2.7⌉ = 3 → 48 h.
                stay(S::Closed, 3, hours(24), hours(48)),
                stay(S::Reopened, 1, hours(1), hours(1)),
                // Confirmed and Withdrawn stays are all running: absent.
            ]
        );
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        // Ten stays of 1 to 10 hours, given out of order: median rank
        // ⌈5⌉ = 5 → 5 h; p90 rank ⌈9⌉ = 9 → 9 h.
        let submitted = t(3, 0);
        let stays = [7, 2, 10, 1, 9, 4, 6, 3, 8, 5]
            .into_iter()
            .map(|n| (S::Answered, submitted, Some(submitted + hours(n))))
            .collect();
        let timeline = RequestTimeline {
            stays,
            ..filed(submitted, t(8, 0))
        };
        let kpis = compute(&[timeline], now());
        assert_eq!(
            kpis.time_in_state,
            [StateTime {
                state: S::Answered,
                stays: 10,
                median: hours(5),
                p90: hours(9),
            }]
        );
        // Two values: median rank ⌈1⌉ = 1, p90 rank ⌈1.8⌉ = 2.
        let two = [hours(1), hours(3)];
        assert_eq!(nearest_rank(&two, 50), hours(1));
        assert_eq!(nearest_rank(&two, 90), hours(3));
    }

    #[test]
    fn nothing_to_count_gives_empty_rates_not_zero_percent() {
        let kpis = compute(&[], now());
        assert_eq!(kpis.requests, 0);
        assert_eq!(kpis.overdue, 0);
        assert!(kpis.time_in_state.is_empty());
        for figure in [
            kpis.response_in_time,
            kpis.closed_on_time,
            kpis.closure,
            kpis.solved,
            kpis.satisfaction,
            kpis.reopen,
        ] {
            assert_eq!(figure, rate(0, 0));
            assert_eq!(figure.percent(), None);
        }
        assert_eq!(rate(0, 3).percent().unwrap().to_string(), "0.0");
    }

    #[test]
    fn percentages_round_half_away_from_zero_to_one_place() {
        let percent = |n, d| rate(n, d).percent().unwrap().to_string();
        assert_eq!(percent(2, 3), "66.7");
        assert_eq!(percent(1, 16), "6.3"); // 6.25
        assert_eq!(percent(1, 8), "12.5");
        assert_eq!(percent(7, 7), "100.0");
    }
}
