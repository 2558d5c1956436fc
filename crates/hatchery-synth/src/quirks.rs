//! The rarer relocation cases of the interchange spec, added on request
//! ([`GeneratorConfig::relocation_quirks`](crate::GeneratorConfig)) to some
//! Chinese enterprises after their story is written down: a relocation row
//! repeated, equal in every cell, after another relocation of the same day
//! (the repeat is the same event as its first row and is dropped on import,
//! so the other one holds), or repeated with a different source (then it is
//! another event and holds); relocations on a year-end (a count date),
//! before founding, on the day of a listing, acquisition or closure, on the
//! day of a round or valuation report, and to another province.
//!
//! The cases draw from a stream of their own, so the rest of each enterprise
//! is exactly what the default configuration generates.

use hatchery_core::{DivisionCode, EnterpriseId, Event, EventKind};
use jiff::ToSpan;
use jiff::civil::Date;

use crate::geography::Geography;
use crate::sample::Draw;

/// The share of Chinese enterprises that get one or two of the cases.
const SHARE: f64 = 0.25;

/// The stream of enterprise `index`'s cases: far above any enterprise index.
pub(crate) fn stream(index: usize) -> u64 {
    (1 << 63) | index as u64
}

/// Who the cases happen to.
pub(crate) struct Subject<'a> {
    pub(crate) id: &'a EnterpriseId,
    pub(crate) founded: Date,
    pub(crate) region: Option<DivisionCode>,
    pub(crate) end: Date,
    pub(crate) geography: &'a Geography,
}

/// Adds the cases to `events` (in date order, same-day rows in import
/// order), keeping that order.
pub(crate) fn relocations(draw: &mut Draw, who: &Subject<'_>, events: &mut Vec<Event>) {
    if !draw.chance(SHARE) {
        return;
    }
    let cases = 1 + draw.index(2);
    for _ in 0..cases {
        match draw.index(6) {
            0 => repeated(draw, who, events),
            1 => {
                let first = who.founded.year().max(who.end.year() - 12);
                let year = draw.between(i64::from(first), i64::from(who.end.year()));
                if let Ok(day) = Date::new(year as i16, 12, 31) {
                    let to = destination(draw, who, events, day, false);
                    insert(events, moved(who, day, to), draw.chance(0.5));
                }
            }
            2 => {
                let day = who
                    .founded
                    .checked_sub(draw.between(1, 400).days())
                    .unwrap_or(who.founded);
                let to = destination(draw, who, events, day, false);
                insert(events, moved(who, day, to), draw.chance(0.5));
            }
            3 => same_day_as(draw, who, events, |kind| {
                matches!(
                    kind,
                    EventKind::Listing | EventKind::Acquired | EventKind::Closed
                )
            }),
            4 => same_day_as(draw, who, events, |kind| {
                matches!(kind, EventKind::Funding | EventKind::Valuation)
            }),
            _ => {
                let day = some_day(draw, who);
                let to = destination(draw, who, events, day, true);
                insert(events, moved(who, day, to), false);
            }
        }
    }
}

/// A, B, A on one day: on a day that already has a relocation if there is
/// one (then that one comes first), else on any day. The repeat is equal to
/// the first A in every cell, or (one time in three) carries a source.
fn repeated(draw: &mut Draw, who: &Subject<'_>, events: &mut Vec<Event>) {
    let days: Vec<Date> = events
        .iter()
        .filter(|e| e.kind == EventKind::Relocated)
        .map(|e| e.date)
        .collect();
    let day = if days.is_empty() || draw.chance(0.3) {
        some_day(draw, who)
    } else {
        *draw.pick(&days)
    };
    let a = destination(draw, who, events, day, false);
    let mut b = destination(draw, who, events, day, false);
    for _ in 0..4 {
        if b != a {
            break;
        }
        b = destination(draw, who, events, day, false);
    }
    let first = moved(who, day, a);
    let mut again = first.clone();
    if draw.chance(1.0 / 3.0) {
        again.source = Some("https://example.org/filings/correction".to_owned());
    }
    insert(events, first, false);
    insert(events, moved(who, day, b), false);
    insert(events, again, false);
}

/// A relocation on the day of an event of a kind `wanted` accepts, before or
/// after its rows; none such: nothing.
fn same_day_as(
    draw: &mut Draw,
    who: &Subject<'_>,
    events: &mut Vec<Event>,
    wanted: impl Fn(EventKind) -> bool,
) {
    let days: Vec<Date> = events
        .iter()
        .filter(|e| wanted(e.kind))
        .map(|e| e.date)
        .collect();
    if days.is_empty() {
        return;
    }
    let day = *draw.pick(&days);
    let to = destination(draw, who, events, day, false);
    insert(events, moved(who, day, to), draw.chance(0.5));
}

/// A day between founding and the end of history.
fn some_day(draw: &mut Draw, who: &Subject<'_>) -> Date {
    let span = (who.end - who.founded).get_days().max(0);
    who.founded
        .checked_add(draw.between(0, i64::from(span)).days())
        .unwrap_or(who.founded)
}

/// Where the enterprise moves on `day` from where it is then; with
/// `elsewhere`, to another province when a few draws find one.
fn destination(
    draw: &mut Draw,
    who: &Subject<'_>,
    events: &[Event],
    day: Date,
    elsewhere: bool,
) -> DivisionCode {
    let from = events
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::Relocated && e.date <= day)
        .and_then(|e| e.region)
        .or(who.region);
    let mut to = who.geography.relocation(draw, from);
    if elsewhere {
        for _ in 0..8 {
            if from.is_none_or(|f| f.province() != to.province()) {
                break;
            }
            to = who.geography.relocation(draw, from);
        }
    }
    to
}

fn moved(who: &Subject<'_>, day: Date, to: DivisionCode) -> Event {
    let mut event = Event::new(who.id.clone(), day, EventKind::Relocated);
    event.region = Some(to);
    event
}

/// Inserts `event` among the rows of its day: first or last.
fn insert(events: &mut Vec<Event>, event: Event, first_of_day: bool) {
    let at = if first_of_day {
        events.partition_point(|e| e.date < event.date)
    } else {
        events.partition_point(|e| e.date <= event.date)
    };
    events.insert(at, event);
}
