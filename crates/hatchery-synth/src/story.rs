//! What happens to one enterprise, in US dollars: funding rounds whose
//! post-money valuations grow round to round with a heavy tail, valuation
//! reports, listings, acquisitions, closures and relocations.
//!
//! The model is a random walk on the logarithm of the valuation. A latent
//! `quality` (raised in the hub cities) shifts both the growth per round and
//! the odds of raising another one, which is what gives the heavy tail:
//! between one and two enterprises in a hundred ever reach a US$1bn
//! valuation, and one or two in a thousand US$10bn.
//! How each happening is written down (currency, rounding, disclosure,
//! duplicate reports) is decided later, in [`crate::record`].

use hatchery_core::DivisionCode;
use jiff::ToSpan;
use jiff::civil::Date;

use crate::geography::Geography;
use crate::sample::Draw;

/// Valuations are capped here: the largest private companies stay below it.
const MAX_VALUATION_USD: f64 = 4.0e11;
/// The share of enterprises that ever raise.
const FUNDED_SHARE: f64 = 0.92;
/// The odds of raising another round, before quality and fatigue.
const KEEP_GOING: f64 = 0.82;
/// How quality and the number of rounds so far shift those odds.
const KEEP_GOING_PER_QUALITY: f64 = 0.06;
const FATIGUE_PER_ROUND: f64 = 0.015;
/// The median growth of the valuation from one round to the next, its
/// shift with quality and its spread (of the logarithm).
const GROWTH_MEDIAN: f64 = 1.5;
const GROWTH_PER_QUALITY: f64 = 0.04;
const GROWTH_SPREAD: f64 = 0.38;
/// The median time between rounds, in days.
const ROUND_GAP_DAYS: f64 = 300.0;
/// The odds of a valuation report after a round.
const REPORT_ODDS: f64 = 0.65;

/// A round's stage in the usual sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stage {
    Angel,
    A,
    B,
    C,
    D,
    E,
    F,
}

impl Stage {
    fn next(self) -> Self {
        match self {
            Self::Angel => Self::A,
            Self::A => Self::B,
            Self::B => Self::C,
            Self::C => Self::D,
            Self::D => Self::E,
            Self::E | Self::F => Self::F,
        }
    }

    fn label(self, plus: bool) -> &'static str {
        match (self, plus) {
            (Self::Angel, false) => "angel",
            (Self::Angel, true) => "angel+",
            (Self::A, false) => "A",
            (Self::A, true) => "A+",
            (Self::B, false) => "B",
            (Self::B, true) => "B+",
            (Self::C, false) => "C",
            (Self::C, true) => "C+",
            (Self::D, false) => "D",
            (Self::D, true) => "D+",
            (Self::E, false) => "E",
            (Self::E, true) => "E+",
            (Self::F, false) => "F",
            (Self::F, true) => "F+",
        }
    }

    /// The share of the post-money valuation a round of this stage raises.
    fn dilution(self, draw: &mut Draw) -> f64 {
        let (low, high) = match self {
            Self::Angel => (0.10, 0.25),
            Self::A => (0.12, 0.25),
            Self::B => (0.10, 0.20),
            _ => (0.06, 0.15),
        };
        low + (high - low) * draw.unit()
    }
}

/// Something that happened to the enterprise.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum What {
    /// A funding round: what it raised and the valuation after it.
    Round {
        label: &'static str,
        raised_usd: f64,
        post_usd: f64,
    },
    /// A valuation reported outside a round (a list, a secondary sale, a markdown).
    Valuation {
        usd: f64,
    },
    /// A listing, with the market value on the day when it is reported.
    Listing {
        exchange: &'static str,
        usd: Option<f64>,
    },
    /// Taken over, sometimes with the deal's price.
    Acquired {
        usd: Option<f64>,
    },
    Closed,
    /// Moved its registered address.
    Relocated {
        to: DivisionCode,
    },
}

/// One dated happening.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Happening {
    pub(crate) date: Date,
    pub(crate) what: What,
}

/// Who the story happens to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Protagonist<'a> {
    pub(crate) founded: Date,
    pub(crate) chinese: bool,
    pub(crate) region: Option<DivisionCode>,
    /// A shift of the latent quality: start-ups in the hubs raise more, sooner.
    pub(crate) edge: f64,
    /// The home exchange of a foreign enterprise, when it has one besides the US ones.
    pub(crate) home_exchange: Option<&'static str>,
    pub(crate) geography: &'a Geography,
}

/// The days lists of valuations are published each year.
const LIST_DAY: (i8, i8) = (4, 10);
/// The Beijing Stock Exchange opened on this day; the STAR market (SSE) on 2019-07-22.
const BSE_OPENED: (i16, i8, i8) = (2021, 11, 15);

fn after(date: Date, days: i64) -> Option<Date> {
    date.checked_add(days.days()).ok()
}

/// The history of one enterprise up to `end`, in date order (same-day
/// happenings keep the order in which they happened).
pub(crate) fn story(draw: &mut Draw, who: Protagonist<'_>, end: Date) -> Vec<Happening> {
    let mut story = Story {
        draw,
        who,
        end,
        out: Vec::new(),
        exited: None,
    };
    story.funding();
    story.relocations();
    let mut out = story.out;
    out.sort_by_key(|h| h.date);
    out
}

struct Story<'d, 'a> {
    draw: &'d mut Draw,
    who: Protagonist<'a>,
    end: Date,
    out: Vec<Happening>,
    /// When the enterprise stopped being private (listed, acquired, closed).
    exited: Option<Date>,
}

impl Story<'_, '_> {
    fn push(&mut self, date: Option<Date>, what: What) -> bool {
        match date {
            Some(date) if date <= self.end => {
                self.out.push(Happening { date, what });
                true
            }
            _ => false,
        }
    }

    fn funding(&mut self) {
        let quality = self.draw.normal() + self.who.edge;
        if !self.draw.chance(FUNDED_SHARE) {
            self.unfunded();
            return;
        }
        let mut date = after(self.who.founded, self.draw.days(240.0, 0.7, 15));
        if self.draw.chance(0.02) {
            // Money committed before the company was registered.
            date = after(self.who.founded, -self.draw.between(20, 400));
        }
        let mut stage = if self.draw.chance(0.7) {
            Stage::Angel
        } else {
            Stage::A
        };
        let median: f64 = if stage == Stage::Angel { 3.0e6 } else { 1.5e7 };
        let mut post = self.draw.log_normal(median.ln() + 0.3 * quality, 0.7);
        let mut rounds: Vec<(Date, f64)> = Vec::new();
        let mut neeq = false;
        // `stage` is the next regular round's; `last` the latest regular one's,
        // which a `+` round extends and a strategic round follows.
        let mut last: Option<Stage> = None;
        while let Some(day) = date.filter(|&d| d <= self.end) {
            let extends = last.filter(|_| self.draw.chance(0.12));
            let strategic =
                extends.is_none() && last.is_some_and(|s| s >= Stage::A) && self.draw.chance(0.08);
            let (label, of_stage) = match (extends, last) {
                (Some(previous), _) => (previous.label(true), previous),
                (None, Some(previous)) if strategic => ("strategic", previous),
                _ => (stage.label(false), stage),
            };
            let regular = extends.is_none() && !strategic;
            let raised = post * of_stage.dilution(self.draw);
            self.push(
                Some(day),
                What::Round {
                    label,
                    raised_usd: raised,
                    post_usd: post,
                },
            );
            rounds.push((day, post));
            self.valuation_report(day, post);
            if self.exit_after_round(day, post, of_stage, &mut neeq) {
                break;
            }
            let fatigue = FATIGUE_PER_ROUND * rounds.len() as f64;
            let keep_going =
                (KEEP_GOING + KEEP_GOING_PER_QUALITY * quality - fatigue).clamp(0.25, 0.92);
            if !self.draw.chance(keep_going) {
                self.wind_down(day, post);
                break;
            }
            date = after(day, self.draw.days(ROUND_GAP_DAYS, 0.45, 45));
            let growth = self.draw.log_normal(
                GROWTH_MEDIAN.ln() + GROWTH_PER_QUALITY * quality,
                GROWTH_SPREAD,
            );
            post = (post * growth).min(MAX_VALUATION_USD);
            if regular {
                last = Some(stage);
                stage = stage.next();
            }
        }
        self.published_lists(&rounds);
    }

    /// A few enterprises never raise: some still get a reported valuation.
    fn unfunded(&mut self) {
        if self.draw.chance(0.05) {
            let date = after(self.who.founded, self.draw.days(500.0, 0.5, 30));
            let usd = self.draw.log_normal(2.0e7f64.ln(), 1.0);
            self.push(date, What::Valuation { usd });
        }
        if self.draw.chance(0.3) {
            let date = after(self.who.founded, self.draw.days(1000.0, 0.5, 90));
            if self.push(date, What::Closed) {
                self.exited = date;
            }
        }
    }

    /// After a round, sometimes a valuation is reported on its own: a list,
    /// a secondary sale, a markdown.
    fn valuation_report(&mut self, round: Date, post: f64) {
        if self.draw.chance(REPORT_ODDS) {
            let date = after(round, self.draw.days(200.0, 0.5, 7));
            let usd = (post * self.draw.log_normal(0.0, 0.3)).min(MAX_VALUATION_USD);
            self.push(date, What::Valuation { usd });
        }
    }

    /// Whether the enterprise leaves the private market after this round.
    fn exit_after_round(&mut self, round: Date, post: f64, stage: Stage, neeq: &mut bool) -> bool {
        let later = |draw: &mut Draw, median| after(round, draw.days(median, 0.5, 30));
        // NEEQ quotation: small Chinese firms keep raising privately afterwards.
        if self.who.chinese && !*neeq && (5.0e6..3.0e8).contains(&post) && self.draw.chance(0.06) {
            let date = later(self.draw, 150.0);
            *neeq = self.push(
                date,
                What::Listing {
                    exchange: "NEEQ",
                    usd: None,
                },
            );
        }
        let bse_open = Date::new(BSE_OPENED.0, BSE_OPENED.1, BSE_OPENED.2).ok();
        if *neeq && post >= 5.0e7 && round >= bse_open.unwrap_or(round) && self.draw.chance(0.25) {
            let date = later(self.draw, 200.0);
            return self.list(date, "BSE", post);
        }
        // The largest private companies are in no hurry to list.
        let listing_odds = if post >= 5.0e9 {
            0.07
        } else if post >= 2.0e8 {
            0.14
        } else if post >= 5.0e7 && stage >= Stage::B {
            0.03
        } else {
            0.0
        };
        if self.draw.chance(listing_odds) {
            let exchange = self.exchange(round);
            if stage >= Stage::C && self.draw.chance(0.4) {
                self.relabel_last_round("pre-IPO");
            }
            let date = later(self.draw, 300.0);
            return self.list(date, exchange, post);
        }
        if stage >= Stage::A && self.draw.chance(0.03) {
            let usd = self
                .draw
                .chance(0.3)
                .then(|| post * self.draw.log_normal(0.2, 0.3));
            let date = later(self.draw, 250.0);
            if self.push(date, What::Acquired { usd }) {
                self.exited = date;
                return true;
            }
        }
        false
    }

    fn exchange(&mut self, round: Date) -> &'static str {
        if !self.who.chinese {
            return match self.who.home_exchange {
                Some(home) if self.draw.chance(0.4) => home,
                _ => self
                    .draw
                    .choose(&[(60.0, "NASDAQ"), (30.0, "NYSE"), (5.0, "HKEX")]),
            };
        }
        let star_open = Date::new(2019, 7, 22).is_ok_and(|open| round >= open);
        let sse = if star_open { 34.0 } else { 22.0 };
        self.draw.choose(&[
            (sse, "SSE"),
            (22.0, "SZSE"),
            (25.0, "HKEX"),
            (12.0, "NASDAQ"),
            (7.0, "NYSE"),
        ])
    }

    fn relabel_last_round(&mut self, new: &'static str) {
        if let Some(What::Round { label, .. }) = self
            .out
            .iter_mut()
            .rev()
            .map(|h| &mut h.what)
            .find(|w| matches!(w, What::Round { .. }))
        {
            *label = new;
        }
    }

    fn list(&mut self, date: Option<Date>, exchange: &'static str, post: f64) -> bool {
        let usd = self
            .draw
            .chance(0.7)
            .then(|| (post * self.draw.log_normal(1.2f64.ln(), 0.25)).min(MAX_VALUATION_USD));
        if !self.push(date, What::Listing { exchange, usd }) {
            return false;
        }
        self.exited = date;
        // Market values keep being reported after the listing.
        if let (Some(listed), true) = (date, self.draw.chance(0.3)) {
            let later = after(listed, self.draw.days(365.0, 0.4, 30));
            let usd = post * self.draw.log_normal(0.0, 0.4);
            self.push(later, What::Valuation { usd });
        }
        true
    }

    /// The money ran out: some close, a few are bought, the rest linger.
    fn wind_down(&mut self, last_round: Date, post: f64) {
        let roll = self.draw.unit();
        let date = after(last_round, self.draw.days(700.0, 0.5, 60));
        let what = if roll < 0.35 {
            What::Closed
        } else if roll < 0.42 {
            What::Acquired {
                usd: self.draw.chance(0.2).then_some(post * 0.5),
            }
        } else {
            return;
        };
        if self.push(date, what) {
            self.exited = date;
        }
    }

    /// Each year's published lists report the valuation of the large ones.
    fn published_lists(&mut self, rounds: &[(Date, f64)]) {
        let Some(&(first, _)) = rounds.first() else {
            return;
        };
        for year in first.year()..=self.end.year() {
            let Ok(list_day) = Date::new(year, LIST_DAY.0, LIST_DAY.1) else {
                continue;
            };
            if self.exited.is_some_and(|exit| exit <= list_day) {
                break;
            }
            let latest = rounds.iter().rev().find(|&&(d, _)| d <= list_day);
            if let Some(&(_, post)) = latest
                && post >= 1.0e8
                && self.draw.chance(0.5)
            {
                let usd = (post * self.draw.log_normal(0.0, 0.15)).min(MAX_VALUATION_USD);
                self.push(Some(list_day), What::Valuation { usd });
            }
        }
    }

    /// Some Chinese enterprises move their registered address, a few twice
    /// in one day (a correction filed the same day: the later row holds).
    fn relocations(&mut self) {
        if !self.who.chinese || !self.draw.chance(0.07) {
            return;
        }
        let horizon = self.exited.unwrap_or(self.end);
        let span = (horizon - self.who.founded).get_days().max(1);
        let mut date = after(self.who.founded, self.draw.between(30, i64::from(span)));
        let mut from = self.who.region;
        let moves = if self.draw.chance(0.12) { 2 } else { 1 };
        for _ in 0..moves {
            let to = self.who.geography.relocation(self.draw, from);
            if self.draw.chance(0.15) {
                let first = self.who.geography.relocation(self.draw, from);
                if first != to {
                    self.push(date, What::Relocated { to: first });
                }
            }
            self.push(date, What::Relocated { to });
            from = Some(to);
            date = date.and_then(|d| after(d, self.draw.days(600.0, 0.5, 30)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn run(seed: u64, n: u64) -> Vec<Vec<Happening>> {
        let geography = Geography::new();
        let base = Draw::base(seed);
        (0..n)
            .map(|i| {
                let mut draw = Draw::new(&base, i);
                let who = Protagonist {
                    founded: date(2012, 5, 17),
                    chinese: true,
                    region: DivisionCode::parse("110108").ok(),
                    edge: 0.0,
                    home_exchange: None,
                    geography: &geography,
                };
                story(&mut draw, who, date(2023, 12, 31))
            })
            .collect()
    }

    #[test]
    fn stories_are_ordered_and_end_at_the_horizon() {
        for story in run(1, 2000) {
            assert!(story.windows(2).all(|w| w[0].date <= w[1].date));
            assert!(story.iter().all(|h| h.date <= date(2023, 12, 31)));
        }
    }

    #[test]
    fn nothing_is_raised_after_leaving_the_private_market() {
        for story in run(2, 3000) {
            let exit = story.iter().position(|h| {
                matches!(h.what, What::Acquired { .. } | What::Closed)
                    || matches!(h.what, What::Listing { exchange, .. } if exchange != "NEEQ")
            });
            if let Some(exit) = exit {
                let after_exit = &story[exit + 1..];
                assert!(
                    !after_exit
                        .iter()
                        .any(|h| matches!(h.what, What::Round { .. }) && h.date > story[exit].date),
                    "{story:#?}"
                );
            }
        }
    }

    #[test]
    fn valuations_grow_with_a_heavy_tail() {
        let stories = run(3, 20_000);
        let peak = |story: &Vec<Happening>| {
            story
                .iter()
                .filter_map(|h| match h.what {
                    What::Round { post_usd, .. } => Some(post_usd),
                    _ => None,
                })
                .fold(0.0, f64::max)
        };
        let peaks: Vec<f64> = stories.iter().map(peak).collect();
        let share = |t: f64| peaks.iter().filter(|&&p| p >= t).count() as f64 / peaks.len() as f64;
        assert!(
            share(1.0e9) > 0.008 && share(1.0e9) < 0.04,
            "{}",
            share(1.0e9)
        );
        assert!(
            share(1.0e10) > 0.0002 && share(1.0e10) < 0.004,
            "{}",
            share(1.0e10)
        );
    }
}
