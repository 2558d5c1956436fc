//! Which closed requests an office revisits (回访): every one the
//! enterprise left unsatisfied, and of the others enough, the earliest
//! closed first, that at least the clock set's share of the requests
//! closed in a period is revisited (晴隆县 12345: at least 10 % a month).
//!
//! A revisit is a step on the request
//! ([`RequestAction::Revisit`](super::RequestAction::Revisit)) with a
//! written note; this module only
//! says which ones are still due, so the list an office works from and the
//! figure that judges it ([`Kpis::revisit`](super::kpi::Kpis::revisit)) agree.

use jiff::Timestamp;
use serde::Serialize;

use super::RequestId;

/// What the choice needs to know of one request closed in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedRequest {
    pub id: RequestId,
    /// Its first closure.
    pub closed: Timestamp,
    /// Its confirmation leaves the enterprise unsatisfied
    /// ([`unsatisfied`](super::kpi::unsatisfied)).
    pub unsatisfied: bool,
    /// Already revisited at least once.
    pub revisited: bool,
}

/// Why a request is due for a revisit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RevisitReason {
    /// The enterprise confirmed it unsolved or gave it less than 4 of 5.
    Unsatisfied,
    /// Chosen so that the share of revisited requests reaches the least one.
    Share,
}

/// A request still to revisit, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RevisitDue {
    pub id: RequestId,
    pub reason: RevisitReason,
}

/// The requests of `closed` still to revisit so that every unsatisfied one
/// is, and at least `share_percent` % of them all (rounded up) are:
/// unsatisfied ones first (earliest closed first), then the earliest closed
/// of the others until the share is reached, counting those already
/// revisited. Requests already revisited are never due again.
pub fn due(closed: &[ClosedRequest], share_percent: u8) -> Vec<RevisitDue> {
    let mut open: Vec<&ClosedRequest> = closed.iter().filter(|r| !r.revisited).collect();
    open.sort_by_key(|r| (!r.unsatisfied, r.closed, r.id));
    let required = (closed.len() * usize::from(share_percent.min(100))).div_ceil(100);
    let already = closed.len() - open.len();
    let mut due = Vec::new();
    for (counted, request) in (already..).zip(open) {
        if request.unsatisfied {
            due.push(RevisitDue {
                id: request.id,
                reason: RevisitReason::Unsatisfied,
            });
        } else if counted < required {
            due.push(RevisitDue {
                id: request.id,
                reason: RevisitReason::Share,
            });
        } else {
            break;
        }
    }
    due
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: i8) -> Timestamp {
        jiff::civil::date(2025, 3, n)
            .at(9, 0, 0, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
    }

    fn closed(id: i64, on: i8, unsatisfied: bool, revisited: bool) -> ClosedRequest {
        ClosedRequest {
            id: RequestId(id),
            closed: day(on),
            unsatisfied,
            revisited,
        }
    }

    fn ids(due: &[RevisitDue]) -> Vec<(i64, RevisitReason)> {
        due.iter().map(|d| (d.id.0, d.reason)).collect()
    }

    #[test]
    fn every_unsatisfied_one_and_the_earliest_others_up_to_the_share() {
        use RevisitReason::{Share, Unsatisfied};
        // 25 closed requests, 10 %: ⌈2.5⌉ = 3 must be revisited. One was
        // (id 1); #7 and #20 are unsatisfied; so one more, the earliest
        // closed of the rest that is not revisited: #2 (closed the 2nd).
        let mut all: Vec<ClosedRequest> = (1..=25)
            .map(|n| closed(n, n as i8, false, n == 1))
            .collect();
        all[6].unsatisfied = true;
        all[19].unsatisfied = true;
        assert_eq!(
            ids(&due(&all, 10)),
            [(7, Unsatisfied), (20, Unsatisfied)],
            "1 revisited + 2 unsatisfied reach the 3 required"
        );
        all[19].unsatisfied = false;
        assert_eq!(ids(&due(&all, 10)), [(7, Unsatisfied), (2, Share)]);
        // At 0 % only the unsatisfied are due; at 100 % every one not yet
        // revisited.
        assert_eq!(ids(&due(&all, 0)), [(7, Unsatisfied)]);
        assert_eq!(due(&all, 100).len(), 24);
    }

    #[test]
    fn an_unsatisfied_one_already_revisited_is_not_due_again() {
        let all = [closed(1, 3, true, true), closed(2, 4, false, false)];
        // ⌈0.2⌉ = 1 required, met by #1.
        assert!(due(&all, 10).is_empty());
        assert!(due(&[], 10).is_empty());
    }
}
