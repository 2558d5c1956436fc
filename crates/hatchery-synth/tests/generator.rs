//! The generator's contract: deterministic and streamable, every row valid
//! interchange data, and the shape a national dataset should have.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use hatchery_core::date::{PartialDate, Precision, format_date, parse_date};
use hatchery_core::model::split_list;
use hatchery_core::{
    Amount, Country, Currency, Dataset, DivisionCode, EnterpriseId, EventKind, Exchange, FxTable,
    Uscc,
};
use hatchery_interchange::{NoProgress, read_dataset};
use hatchery_synth::{ConfigError, Generator, GeneratorConfig, fx_rates, generate, write_dataset};
use jiff::civil::date;
use rust_decimal::Decimal;

const ENTERPRISES: usize = 20_000;
const SEED: u64 = 7;

fn generator() -> &'static Generator {
    static GENERATOR: OnceLock<Generator> = OnceLock::new();
    GENERATOR.get_or_init(|| Generator::new(GeneratorConfig::new(ENTERPRISES, SEED)).unwrap())
}

fn dataset() -> &'static Dataset {
    static DATASET: OnceLock<Dataset> = OnceLock::new();
    DATASET.get_or_init(|| generator().dataset())
}

#[test]
fn the_same_seed_gives_the_same_dataset_and_another_seed_another() {
    let small = |seed| {
        Generator::new(GeneratorConfig::new(500, seed))
            .unwrap()
            .dataset()
    };
    assert_eq!(small(1), small(1));
    let (one, two) = (small(1), small(2));
    assert_ne!(one.events, two.events);
    assert_ne!(one.enterprises, two.enterprises);
    assert_eq!(one.fx, two.fx, "rates do not depend on the seed");
}

#[test]
fn an_enterprise_does_not_depend_on_what_else_is_generated() {
    let generator = generator();
    let dataset = dataset();
    // A smaller dataset is a prefix of a larger one with the same seed.
    let small = Generator::new(GeneratorConfig::new(300, SEED)).unwrap();
    for (index, generated) in small.iter().enumerate() {
        assert_eq!(generated.enterprise, dataset.enterprises[index]);
    }
    // Any enterprise can be generated alone, in any order.
    for index in [19_999, 0, 7_777, 12] {
        let alone = generator.enterprise(index);
        assert_eq!(alone.enterprise, dataset.enterprises[index]);
        let events: Vec<_> = dataset
            .events
            .iter()
            .filter(|e| e.enterprise == alone.enterprise.id)
            .cloned()
            .collect();
        assert_eq!(alone.events, events);
    }
    // The free function streams the same enterprises.
    let streamed = generate(&GeneratorConfig::new(300, SEED)).unwrap();
    assert_eq!(streamed.len(), 300);
    for (generated, expected) in streamed.zip(small.iter()) {
        assert_eq!(generated, expected);
    }
    assert_eq!(generator.iter().len(), ENTERPRISES);
}

#[test]
fn configurations_are_validated() {
    let reversed = GeneratorConfig {
        start_year: 2020,
        end_year: 2019,
        ..GeneratorConfig::default()
    };
    assert!(matches!(
        Generator::new(reversed),
        Err(ConfigError::YearsReversed { .. })
    ));
    let late = GeneratorConfig {
        end_year: 2031,
        ..GeneratorConfig::default()
    };
    assert!(matches!(
        generate(&late),
        Err(ConfigError::YearsOutOfRange { .. })
    ));
    let empty = Generator::new(GeneratorConfig::new(0, 1)).unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.iter().count(), 0);
    // A narrow window still has rates and keeps every date inside it.
    let narrow = GeneratorConfig {
        enterprises: 200,
        start_year: 2019,
        end_year: 2020,
        ..GeneratorConfig::default()
    };
    let dataset = Generator::new(narrow.clone()).unwrap().dataset();
    assert_eq!(dataset.fx, fx_rates(&narrow));
    assert!(
        dataset
            .fx
            .iter()
            .all(|r| (2019..=2020).contains(&r.date.year()))
    );
    assert!(dataset.events.iter().all(|e| e.date <= date(2020, 12, 31)));
    assert!(
        dataset
            .enterprises
            .iter()
            .all(|e| (2019..=2020).contains(&e.founded.first_day().year()))
    );
}

/// Every cell survives a trip through the parser of its column, and the
/// rules across rows hold.
#[test]
fn every_row_is_valid_interchange_data() {
    let dataset = dataset();
    let end = date(2023, 12, 31);
    let mut ids = HashSet::new();
    let mut usccs = HashSet::new();
    for e in &dataset.enterprises {
        assert_eq!(EnterpriseId::parse(e.id.as_str()).unwrap(), e.id);
        assert!(ids.insert(e.id.clone()), "{} twice", e.id);
        let name_chars = e.name.chars().count();
        assert!((1..=200).contains(&name_chars) && !e.name.chars().any(char::is_control));
        assert!(
            e.name_en
                .as_deref()
                .is_none_or(|n| !n.is_empty() && n.len() <= 200)
        );
        if let Some(uscc) = &e.uscc {
            assert_eq!(Uscc::parse(uscc.as_str()).unwrap(), *uscc);
            assert!(usccs.insert(uscc.clone()), "{uscc} twice");
            let region = e.region.expect("credit codes only with a region");
            assert_eq!(uscc.registration_division(), region.to_string());
        }
        assert_eq!(
            PartialDate::parse(&e.founded.to_string()).unwrap(),
            e.founded
        );
        assert!(e.founded.first_day() <= end);
        assert_eq!(Country::parse(e.country.as_str()).unwrap(), e.country);
        if let Some(region) = e.region {
            assert_eq!(DivisionCode::parse(&region.to_string()).unwrap(), region);
            assert!(
                region.name().is_some(),
                "{region} is not in the division table"
            );
            assert_eq!(e.country, Country::CN);
            assert!(e.city.is_none());
        } else {
            assert!(e.city.as_deref().is_some_and(|c| !c.is_empty()));
        }
        if let Some(zone) = &e.zone {
            assert!(e.region.is_some());
            // A real zone's one id, in the enterprise's city.
            let entry = hatchery_core::workflow::ZoneResolver::shipped()
                .get(zone)
                .unwrap_or_else(|| panic!("{zone} is no zone of the shipped table"));
            assert_eq!(e.region.map(|r| r.city()), Some(entry.city));
        }
        for list in [&e.industries, &e.tags] {
            assert_eq!(split_list(&list.join(";")), *list, "a list survives ';'");
        }
        assert!(!e.industries.is_empty());
    }
    let mut identities = HashSet::new();
    let mut last_date: HashMap<&str, jiff::civil::Date> = HashMap::new();
    for event in &dataset.events {
        assert!(ids.contains(&event.enterprise), "unknown enterprise");
        assert_eq!(parse_date(&format_date(event.date)).unwrap(), event.date);
        assert!(event.date <= end, "{event:?} is after the end of history");
        assert_eq!(
            event.kind.as_str().parse::<EventKind>().unwrap(),
            event.kind
        );
        for amount in [&event.amount, &event.valuation].into_iter().flatten() {
            let again = Amount::parse(amount.as_str()).unwrap();
            assert_eq!(again, *amount);
            assert!(amount.value() >= Decimal::ZERO);
        }
        let money = event.amount.is_some() || event.valuation.is_some();
        assert_eq!(event.currency.is_some(), money, "currency with money only");
        if let Some(currency) = event.currency {
            assert_eq!(Currency::parse(currency.as_str()).unwrap(), currency);
        }
        assert_eq!(event.exchange.is_some(), event.kind == EventKind::Listing);
        if let Some(exchange) = event.exchange {
            assert_eq!(Exchange::parse(exchange.as_str()).unwrap(), exchange);
        }
        assert_eq!(event.region.is_some(), event.kind == EventKind::Relocated);
        if let Some(region) = event.region {
            assert!(
                region.name().is_some(),
                "{region} is not in the division table"
            );
        }
        if let Some(investors) = &event.investors {
            assert!(!split_list(investors).is_empty());
        }
        assert_eq!(event.round.is_some(), event.kind == EventKind::Funding);
        assert!(
            identities.insert(event.identity_cells()),
            "an event twice: {event:?}"
        );
        // Each enterprise's rows are in date order.
        let previous = last_date.insert(event.enterprise.as_str(), event.date);
        assert!(previous.is_none_or(|p| p <= event.date));
    }
    let mut rates = HashSet::new();
    for rate in &dataset.fx {
        assert!(
            rates.insert((rate.currency, rate.date)),
            "two rates for one day"
        );
        assert!(rate.per_usd.value() > Decimal::ZERO);
    }
    let currencies: HashSet<Currency> = dataset.fx.iter().map(|r| r.currency).collect();
    for event in &dataset.events {
        if let Some(currency) = event.currency.filter(|&c| c != Currency::USD) {
            assert!(currencies.contains(&currency), "{currency} has no rates");
        }
    }
    let mut years = HashSet::new();
    for figures in &dataset.financials {
        assert!(ids.contains(&figures.enterprise));
        assert!(years.insert((figures.enterprise.clone(), figures.year)));
        assert!((2004..=2023).contains(&figures.year));
    }
}

#[test]
fn a_written_dataset_reads_back_equal() {
    let config = GeneratorConfig::new(2_000, 11);
    let dir = tempfile::tempdir().unwrap();
    let written = write_dataset(&config, dir.path()).unwrap();
    let expected = Generator::new(config).unwrap().dataset();
    assert_eq!(written.enterprises, 2_000);
    assert_eq!(written.events as usize, expected.events.len());
    assert_eq!(written.fx as usize, expected.fx.len());
    assert_eq!(written.financials as usize, expected.financials.len());
    let read = read_dataset(dir.path(), &mut NoProgress)
        .unwrap_or_else(|problems| panic!("the written dataset does not read: {problems:?}"));
    assert_eq!(read.duplicate_events_dropped, 0);
    assert!(read.external_refs.is_empty());
    assert_eq!(read.dataset, expected);
}

/// A dataset's largest valuations per enterprise, in dollars, at the
/// dataset's own rates.
fn peak_valuations(dataset: &Dataset) -> HashMap<&str, Decimal> {
    let fx = FxTable::new(&dataset.fx);
    let mut peaks: HashMap<&str, Decimal> = HashMap::new();
    for event in &dataset.events {
        let Some(money) = event.valuation_money() else {
            continue;
        };
        let rate = fx.per_usd(money.currency, event.date).expect("a rate");
        let usd = money.amount / rate;
        let peak = peaks.entry(event.enterprise.as_str()).or_default();
        *peak = (*peak).max(usd);
    }
    peaks
}

fn share(count: usize, of: usize) -> f64 {
    count as f64 / of as f64
}

#[test]
fn the_dataset_has_a_national_shape() {
    let dataset = dataset();
    let n = dataset.enterprises.len();
    let chinese: Vec<_> = dataset
        .enterprises
        .iter()
        .filter(|e| e.country == Country::CN)
        .collect();
    let cn_share = share(chinese.len(), n);
    assert!(
        (0.85..=0.91).contains(&cn_share),
        "Chinese share {cn_share}"
    );

    // Concentrated in the hubs, with a long tail of cities.
    let with_region: Vec<DivisionCode> = chinese.iter().filter_map(|e| e.region).collect();
    let hubs = ["1101", "3101", "4403", "3301", "4401"];
    let in_hubs = with_region
        .iter()
        .filter(|r| hubs.iter().any(|h| r.has_prefix(h)))
        .count();
    let hub_share = share(in_hubs, with_region.len());
    assert!((0.55..=0.70).contains(&hub_share), "hub share {hub_share}");
    let haidian = with_region
        .iter()
        .filter(|r| r.to_string() == "110108")
        .count();
    assert!(
        share(haidian, with_region.len()) > 0.05,
        "Haidian {haidian}"
    );
    let cities: HashSet<DivisionCode> = with_region.iter().map(|r| r.city()).collect();
    assert!(cities.len() >= 60, "only {} cities", cities.len());
    let city_only = chinese.iter().filter(|e| e.region.is_none()).count();
    assert!(
        city_only > 100,
        "{city_only} Chinese enterprises without a region"
    );
    let zoned = chinese.iter().filter(|e| e.zone.is_some()).count();
    assert!(
        (0.15..0.4).contains(&share(zoned, chinese.len())),
        "zones {zoned}"
    );
    let with_uscc = chinese.iter().filter(|e| e.uscc.is_some()).count();
    assert!(
        (0.6..0.75).contains(&share(with_uscc, chinese.len())),
        "credit codes {with_uscc}"
    );
    let abroad: HashSet<&str> = dataset
        .enterprises
        .iter()
        .filter(|e| e.country != Country::CN)
        .map(|e| e.country.as_str())
        .collect();
    for country in ["US", "GB", "SG", "IN"] {
        assert!(abroad.contains(country), "no enterprise in {country}");
    }

    // Founding: two decades, a few partial dates, some on 29 February.
    let founded_years: BTreeMap<i16, usize> =
        dataset
            .enterprises
            .iter()
            .fold(BTreeMap::new(), |mut years, e| {
                *years.entry(e.founded.first_day().year()).or_default() += 1;
                years
            });
    assert_eq!(
        founded_years.keys().copied().collect::<Vec<_>>(),
        (2004..=2023).collect::<Vec<_>>()
    );
    let partial = dataset
        .enterprises
        .iter()
        .filter(|e| e.founded.precision() != Precision::Day)
        .count();
    assert!(
        (0.03..0.06).contains(&share(partial, n)),
        "partial {partial}"
    );
    let leap = dataset
        .enterprises
        .iter()
        .filter(|e| e.founded.precision() == Precision::Day)
        .filter(|e| (e.founded.first_day().month(), e.founded.first_day().day()) == (2, 29))
        .count();
    assert!(leap >= 50, "{leap} founded on 29 February");

    // About six events each; valuations with a heavy tail.
    let per_enterprise = share(dataset.events.len(), n);
    assert!(
        (5.0..=7.0).contains(&per_enterprise),
        "{per_enterprise} events each"
    );
    let peaks = peak_valuations(dataset);
    let reaching = |usd: i64| peaks.values().filter(|&&v| v >= Decimal::from(usd)).count();
    let billion = share(reaching(1_000_000_000), n);
    assert!((0.01..=0.02).contains(&billion), "{billion} reach US$1bn");
    let ten_billion = reaching(10_000_000_000);
    assert!(
        (3..=60).contains(&ten_billion),
        "{ten_billion} reach US$10bn"
    );

    // Every kind of event, exchange and currency the data should carry.
    let count = |pred: &dyn Fn(&hatchery_core::Event) -> bool| {
        dataset.events.iter().filter(|e| pred(e)).count()
    };
    for kind in EventKind::ALL {
        assert!(count(&|e| e.kind == kind) > 100, "too few {kind} events");
    }
    for exchange in ["SSE", "SZSE", "BSE", "HKEX", "NASDAQ", "NYSE", "NEEQ"] {
        let exchange = Exchange::parse(exchange).unwrap();
        assert!(
            count(&|e| e.exchange == Some(exchange)) > 5,
            "too few {exchange} listings"
        );
    }
    let valuations = count(&|e| e.valuation.is_some());
    let in_currency = |code: &str| {
        let currency = Currency::parse(code).unwrap();
        count(&|e| e.valuation.is_some() && e.currency == Some(currency))
    };
    assert!(
        share(in_currency("CNY"), valuations) > 0.3,
        "yuan valuations"
    );
    assert!(in_currency("HKD") > 100, "Hong Kong dollar valuations");
    assert!(count(&|e| e.kind == EventKind::Funding && e.amount.is_none()) > 1_000);
    let rounds: HashSet<&str> = dataset
        .events
        .iter()
        .filter_map(|e| e.round.as_deref())
        .collect();
    for round in ["angel", "A", "B", "C", "D", "pre-IPO", "strategic", "B+"] {
        assert!(rounds.contains(round), "no {round} round");
    }

    // The quirks of merged data.
    let founded: HashMap<&str, jiff::civil::Date> = dataset
        .enterprises
        .iter()
        .map(|e| (e.id.as_str(), e.founded.first_day()))
        .collect();
    let early = count(&|e| e.date < founded[e.enterprise.as_str()]);
    assert!(
        (50..2_000).contains(&early),
        "{early} events before founding"
    );
    let mut valuation_days: HashMap<(&str, jiff::civil::Date), HashSet<Currency>> = HashMap::new();
    let mut relocation_days: HashMap<(&str, jiff::civil::Date), usize> = HashMap::new();
    for event in &dataset.events {
        let key = (event.enterprise.as_str(), event.date);
        if let (Some(_), Some(currency)) = (&event.valuation, event.currency) {
            valuation_days.entry(key).or_default().insert(currency);
        }
        if event.kind == EventKind::Relocated {
            *relocation_days.entry(key).or_default() += 1;
        }
    }
    let two_currency_days = valuation_days.values().filter(|c| c.len() >= 2).count();
    assert!(
        two_currency_days > 200,
        "{two_currency_days} days valued in two currencies"
    );
    let two_move_days = relocation_days.values().filter(|&&n| n >= 2).count();
    assert!(
        two_move_days > 20,
        "{two_move_days} days with two relocations"
    );
    let rewritten = count(&|e| {
        e.amount
            .as_ref()
            .is_some_and(|a| a.as_str().ends_with(".00"))
    });
    assert!(rewritten > 50, "{rewritten} amounts written with cents");
}
