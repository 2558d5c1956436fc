//! A seeded random dataset that exercises every path of the report:
//! relocations (some on one day), listings on counted and uncounted
//! exchanges, acquisitions, closures, rounds before founding, rounds without
//! an amount or in a currency without rates, several valuations on one day,
//! enterprises without a region, foreign enterprises, zones, industries, tags.

use hatchery_core::date::PartialDate;
use hatchery_core::division::{DivisionLevel, all_divisions};
use hatchery_core::money::Amount;
use hatchery_core::{
    Country, Currency, Dataset, DivisionCode, Enterprise, EnterpriseId, Event, EventKind, Exchange,
    FxRate,
};
use jiff::ToSpan;
use jiff::civil::{Date, date};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Registered regions to draw from: municipalities, Hong Kong and Macao,
/// cities in and out of the regions, and districts a region leaves out.
pub const REGIONS: [&str; 26] = [
    "110108", "110105", "120101", "130102", "310104", "310115", "320505", "330106", "340104",
    "440305", "440106", "440402", "441802", "441900", "442000", "500103", "510107", "510727",
    "511781", "513401", "810000", "820000", "420111", "610113", "350203", "440304",
];
const ZONES: [&str; 4] = ["z-zgc", "z-zj", "z-sz", "z-donghu"];
const INDUSTRIES: [&str; 6] = ["ai", "ev", "fintech", "chips", "biotech", "saas"];
const TAGS: [&str; 3] = ["future:6g", "gov:list", "spin-off"];
const EXCHANGES: [&str; 4] = ["SSE", "HKEX", "NEEQ", "NASDAQ"];

fn blank(id: &EnterpriseId, date: Date, kind: EventKind) -> Event {
    Event::new(id.clone(), date, kind)
}

fn some_day(rng: &mut ChaCha8Rng, from: Date, days: i64) -> Date {
    from.checked_add(rng.random_range(0..days).days())
        .expect("in range")
}

fn money(rng: &mut ChaCha8Rng, low: f64, high: f64) -> Amount {
    // Between `low` and `high` on a log scale, skewed towards `low` as real
    // valuations are, then written as a whole number: a plain decimal.
    let position = rng.random::<f64>().powi(3);
    let value = (low.ln() + position * (high.ln() - low.ln())).exp();
    Amount::parse(&format!("{}", value.round() as u64)).expect("plain decimal")
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// Every district of the shipped division table.
fn districts() -> Vec<DivisionCode> {
    all_divisions()
        .filter(|d| d.level == DivisionLevel::District)
        .map(|d| d.code)
        .collect()
}

/// A region: half the time one of [`REGIONS`], else any district.
fn some_region(rng: &mut ChaCha8Rng, districts: &[DivisionCode]) -> DivisionCode {
    if rng.random_bool(0.5) {
        DivisionCode::parse(pick(rng, &REGIONS)).expect("code")
    } else {
        districts[rng.random_range(0..districts.len())]
    }
}

/// `enterprises` enterprises and their events, the same for the same seed.
pub fn dataset(seed: u64, enterprises: usize) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let districts = districts();
    let mut data = Dataset::default();
    for (day, rate) in [
        (date(2010, 1, 1), "6.8282"),
        (date(2015, 1, 1), "6.2040"),
        (date(2017, 1, 1), "6.9370"),
        (date(2020, 1, 1), "6.9762"),
        (date(2022, 1, 1), "6.3757"),
    ] {
        data.fx.push(FxRate {
            date: day,
            currency: Currency::CNY,
            per_usd: Amount::parse(rate).expect("rate"),
        });
    }
    let epoch = date(2008, 1, 1);
    for n in 0..enterprises {
        let id = EnterpriseId::parse(&format!("e{n:07}")).expect("id");
        let founded = some_day(&mut rng, epoch, 5300);
        let foreign = rng.random_bool(0.02);
        let region =
            (!foreign && !rng.random_bool(0.04)).then(|| some_region(&mut rng, &districts));
        let zone = rng
            .random_bool(0.2)
            .then(|| pick(&mut rng, &ZONES).to_owned());
        let list = |rng: &mut ChaCha8Rng, items: &[&str], most: usize| -> Vec<String> {
            (0..rng.random_range(0..=most))
                .map(|_| pick(rng, items).to_owned())
                .collect()
        };
        let industries = list(&mut rng, &INDUSTRIES, 3);
        let tags = list(&mut rng, &TAGS, 2);
        data.enterprises.push(Enterprise {
            id: id.clone(),
            name: id.to_string(),
            name_en: None,
            uscc: None,
            founded: PartialDate::day(founded),
            country: if foreign {
                Country::parse("US").expect("US")
            } else {
                Country::CN
            },
            region,
            city: None,
            zone,
            industries,
            tags,
            extra: Default::default(),
        });
        // Rounds may predate founding by a little.
        let start = founded.checked_sub(60.days()).expect("in range");
        for _ in 0..rng.random_range(0..=3) {
            let mut event = blank(&id, some_day(&mut rng, start, 4000), EventKind::Funding);
            let roll: f64 = rng.random();
            if roll < 0.6 {
                event.amount = Some(money(&mut rng, 1e6, 3e8));
                event.currency = Some(Currency::USD);
            } else if roll < 0.9 {
                event.amount = Some(money(&mut rng, 7e6, 2e9));
                event.currency = Some(Currency::CNY);
            } else if roll < 0.93 {
                event.amount = Some(money(&mut rng, 1e6, 1e8));
                event.currency = Some(Currency::parse("EUR").expect("EUR"));
            }
            data.events.push(event);
        }
        for _ in 0..rng.random_range(0..=4) {
            let day = some_day(&mut rng, founded, 4500);
            // Now and then two valuations on one day.
            for _ in 0..if rng.random_bool(0.1) { 2 } else { 1 } {
                let mut event = blank(&id, day, EventKind::Valuation);
                if rng.random_bool(0.7) {
                    event.valuation = Some(money(&mut rng, 3e7, 3e10));
                    event.currency = Some(Currency::USD);
                } else {
                    event.valuation = Some(money(&mut rng, 2e8, 2e11));
                    event.currency = Some(Currency::CNY);
                }
                data.events.push(event);
            }
        }
        let later = |rng: &mut ChaCha8Rng| some_day(rng, founded, 5000);
        if rng.random_bool(0.08) {
            let mut event = blank(&id, later(&mut rng), EventKind::Listing);
            event.exchange = Some(Exchange::parse(pick(&mut rng, &EXCHANGES)).expect("exchange"));
            data.events.push(event);
        }
        if rng.random_bool(0.04) {
            data.events
                .push(blank(&id, later(&mut rng), EventKind::Acquired));
        }
        if rng.random_bool(0.04) {
            data.events
                .push(blank(&id, later(&mut rng), EventKind::Closed));
        }
        for _ in 0..if rng.random_bool(0.12) {
            rng.random_range(1..=2)
        } else {
            0
        } {
            let day = later(&mut rng);
            // Sometimes two moves on one day: the later row wins.
            for _ in 0..if rng.random_bool(0.2) { 2 } else { 1 } {
                let mut event = blank(&id, day, EventKind::Relocated);
                event.region = Some(some_region(&mut rng, &districts));
                data.events.push(event);
            }
        }
    }
    data
}
