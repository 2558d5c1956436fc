//! Generated datasets: every column, quoting, extra columns, all within
//! what the format can carry, so that writing one and reading it back gives
//! it again. The write tests check that; the fuzz tests mutate them.

use hatchery_core::date::PartialDate;
use hatchery_core::uscc::{organisation_code, with_check_symbol};
use hatchery_core::{
    Amount, Country, Currency, Dataset, DivisionCode, Enterprise, EnterpriseId, Event, EventKind,
    Exchange, Financials, FxRate, Uscc,
};
use jiff::civil::{Date, date};
use proptest::prelude::*;

/// Text that survives a trip through a cell: no surrounding spaces, and the
/// characters CSV must quote.
fn cell_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9\u{4e00}-\u{4e10},\"\n;:]{1,6}( [a-z,\"\r\n]{1,4})?"
}

fn item() -> impl Strategy<Value = String> {
    "[a-z0-9:\u{4e00}-\u{4e10}]{1,6}"
}

fn any_date() -> impl Strategy<Value = Date> {
    (1900i16..2100, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| date(y, m, d))
}

fn any_amount() -> impl Strategy<Value = Amount> {
    "[0-9]{1,12}(\\.[0-9]{1,4})?".prop_map(|t| Amount::parse(&t).unwrap())
}

fn any_enterprise(index: usize) -> impl Strategy<Value = Enterprise> {
    let founded = prop_oneof![
        any_date().prop_map(PartialDate::day),
        (1900i16..2100).prop_map(|y| PartialDate::year(y).unwrap()),
        (1900i16..2100, 1u8..=12)
            .prop_map(|(y, m)| PartialDate::parse(&format!("{y:04}-{m:02}")).unwrap()),
    ];
    (
        (
            cell_text(),
            proptest::option::of(cell_text()),
            any::<bool>(),
            founded,
        ),
        (
            "[A-Z]{2}",
            proptest::option::of(100_000u32..900_000),
            proptest::option::of(cell_text()),
        ),
        (
            // A text that names a national zone is stored as the zone's id,
            // so it would not read back as written.
            proptest::option::of(cell_text().prop_filter("names a zone", |z| {
                hatchery_core::workflow::ZoneResolver::shipped()
                    .resolve(z)
                    .is_none()
            })),
            proptest::collection::vec(item(), 0..3),
            proptest::collection::vec(item(), 0..3),
            proptest::collection::btree_map("x_[a-z]{1,3}", cell_text(), 0..3),
        ),
    )
        .prop_map(
            move |(
                (name, name_en, has_uscc, founded),
                (country, region, city),
                (zone, industries, tags, extra),
            )| {
                let org = organisation_code(&format!("{index:08}")).unwrap();
                let uscc = has_uscc.then(|| {
                    Uscc::parse(&with_check_symbol(&format!("91110108{org}")).unwrap()).unwrap()
                });
                Enterprise {
                    id: EnterpriseId::parse(&format!("e{index}")).unwrap(),
                    name,
                    name_en,
                    uscc,
                    founded,
                    country: Country::parse(&country).unwrap(),
                    region: region.and_then(DivisionCode::from_value),
                    city,
                    zone,
                    industries,
                    tags,
                    extra,
                }
            },
        )
}

fn any_event(enterprises: usize) -> impl Strategy<Value = Event> {
    (
        (
            0..enterprises + 1,
            any_date(),
            proptest::sample::select(EventKind::ALL.to_vec()),
        ),
        (
            proptest::option::of(cell_text()),
            proptest::option::of(any_amount()),
            proptest::option::of(any_amount()),
        ),
        (
            proptest::option::of(cell_text()),
            "[A-Z][A-Z0-9]{0,5}",
            100_000u32..900_000,
        ),
        proptest::collection::btree_map("x_[a-z]{1,3}", cell_text(), 0..2),
    )
        .prop_map(
            move |(
                (who, on, kind),
                (round, amount, valuation),
                (investors, exchange, region),
                extra,
            )| {
                let mut event =
                    Event::new(EnterpriseId::parse(&format!("e{who}")).unwrap(), on, kind);
                event.round = round;
                event.amount = amount;
                event.valuation = valuation;
                if kind == EventKind::Valuation && event.valuation.is_none() {
                    event.valuation = Amount::parse("1").ok();
                }
                if event.amount.is_some() || event.valuation.is_some() {
                    event.currency = Some(Currency::CNY);
                }
                event.investors = investors;
                event.exchange =
                    (kind == EventKind::Listing).then(|| Exchange::parse(&exchange).unwrap());
                event.region = (kind == EventKind::Relocated)
                    .then(|| DivisionCode::from_value(region).unwrap());
                event.extra = extra;
                event
            },
        )
}

pub fn any_dataset() -> impl Strategy<Value = Dataset> {
    (0usize..5)
        .prop_flat_map(|n| {
            let enterprises: Vec<_> = (0..n).map(any_enterprise).collect();
            (
                enterprises,
                proptest::collection::vec(any_event(n), 0..8),
                proptest::collection::btree_map(
                    (any_date(), "[A-TV-Z][A-Z]{2}"),
                    any_amount().prop_filter("rates are positive", |a| !a.value().is_zero()),
                    0..4,
                ),
                proptest::collection::btree_map(
                    (0..n + 1, 1990i16..2030),
                    (
                        proptest::option::of(any_amount()),
                        proptest::option::of(any::<u32>()),
                    ),
                    0..4,
                ),
            )
        })
        .prop_map(|(enterprises, mut events, rates, figures)| {
            // The format keeps only the first of equal events.
            let mut seen = std::collections::HashSet::new();
            events.retain(|e| seen.insert(e.identity_cells()));
            Dataset {
                enterprises,
                events,
                fx: rates
                    .into_iter()
                    .map(|((on, currency), per_usd)| FxRate {
                        date: on,
                        currency: Currency::parse(&currency).unwrap(),
                        per_usd,
                    })
                    .collect(),
                financials: figures
                    .into_iter()
                    .map(|((who, year), (revenue, employees))| Financials {
                        enterprise: EnterpriseId::parse(&format!("e{who}")).unwrap(),
                        year,
                        currency: Currency::USD,
                        revenue,
                        rd_expense: None,
                        employees: employees.map(u64::from),
                    })
                    .collect(),
            }
        })
}
