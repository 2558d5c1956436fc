//! The classification semantics of the interchange spec, one rule at a time,
//! on small ledgers built in code.

use hatchery_core::criteria::ValuationFact;
use hatchery_core::date::{PartialDate, parse_date};
use hatchery_core::{
    Amount, Country, Currency, Dataset, DivisionCode, Enterprise, EnterpriseId, Event, EventKind,
    Exchange, FxRate, Ledger, Money, RuleSet,
};
use jiff::civil::Date;

fn day(text: &str) -> Date {
    parse_date(text).expect("test date")
}

fn enterprise(id: &str, founded: &str) -> Enterprise {
    Enterprise {
        id: EnterpriseId::parse(id).expect("id"),
        name: id.to_owned(),
        name_en: None,
        uscc: None,
        founded: PartialDate::parse(founded).expect("founded"),
        country: Country::CN,
        region: Some(DivisionCode::parse("110108").expect("region")),
        city: None,
        zone: None,
        industries: vec![],
        tags: vec![],
        extra: Default::default(),
    }
}

fn event(id: &str, date: &str, kind: EventKind) -> Event {
    Event::new(EnterpriseId::parse(id).expect("id"), day(date), kind)
}

fn funding(id: &str, date: &str, amount: &str, valuation: &str, currency: &str) -> Event {
    Event {
        amount: (!amount.is_empty()).then(|| Amount::parse(amount).expect("amount")),
        valuation: (!valuation.is_empty()).then(|| Amount::parse(valuation).expect("valuation")),
        currency: Some(Currency::parse(currency).expect("currency")),
        ..event(id, date, EventKind::Funding)
    }
}

fn valuation(id: &str, date: &str, value: &str, currency: &str) -> Event {
    Event {
        valuation: Some(Amount::parse(value).expect("valuation")),
        currency: Some(Currency::parse(currency).expect("currency")),
        ..event(id, date, EventKind::Valuation)
    }
}

fn listing(id: &str, date: &str, exchange: &str) -> Event {
    Event {
        exchange: Some(Exchange::parse(exchange).expect("exchange")),
        ..event(id, date, EventKind::Listing)
    }
}

fn relocated(id: &str, date: &str, region: &str) -> Event {
    Event {
        region: Some(DivisionCode::parse(region).expect("region")),
        ..event(id, date, EventKind::Relocated)
    }
}

fn fx(date: &str, currency: &str, per_usd: &str) -> FxRate {
    FxRate {
        date: day(date),
        currency: Currency::parse(currency).expect("currency"),
        per_usd: Amount::parse(per_usd).expect("rate"),
    }
}

/// The tier key of `id` as of `date` under a built-in rule set.
fn tier(dataset: &Dataset, rules: &str, id: &str, date: &str) -> Option<String> {
    let rules = RuleSet::builtin(rules).expect("rule set");
    let ledger = Ledger::from_dataset(dataset);
    let at = ledger.position(id).expect("enterprise");
    let classified = ledger.classify(&rules, &[day(date)]);
    let fast = classified.tier(at, 0).map(|t| rules.tier(t).key.clone());
    // The explained path must agree with the fast path, always.
    let decision = rules.decide(&ledger.as_of(at, day(date)));
    assert_eq!(
        fast, decision.tier,
        "classify and decide disagree for {id} on {date}"
    );
    fast
}

#[test]
fn age_windows_end_on_the_anniversary_and_leap_day_founders_on_28_february() {
    let dataset = Dataset {
        enterprises: vec![
            enterprise("leap", "2012-02-29"),
            enterprise("plain", "2013-06-15"),
        ],
        events: vec![
            funding("leap", "2013-01-01", "1", "2000000000", "USD"),
            funding("plain", "2014-01-01", "1", "2000000000", "USD"),
        ],
        ..Dataset::default()
    };
    assert_eq!(
        tier(&dataset, "gei", "leap", "2022-02-28").as_deref(),
        Some("unicorn")
    );
    assert_eq!(tier(&dataset, "gei", "leap", "2022-03-01"), None);
    assert_eq!(
        tier(&dataset, "gei", "plain", "2023-06-15").as_deref(),
        Some("unicorn")
    );
    assert_eq!(tier(&dataset, "gei", "plain", "2023-06-16"), None);
}

#[test]
fn partial_founding_dates_stand_for_the_first_day() {
    let dataset = Dataset {
        enterprises: vec![enterprise("year", "2013"), enterprise("month", "2013-07")],
        events: vec![
            funding("year", "2014-01-01", "1", "2000000000", "USD"),
            funding("month", "2014-01-01", "1", "2000000000", "USD"),
        ],
        ..Dataset::default()
    };
    assert_eq!(
        tier(&dataset, "gei", "year", "2023-01-01").as_deref(),
        Some("unicorn")
    );
    assert_eq!(tier(&dataset, "gei", "year", "2023-01-02"), None);
    assert_eq!(
        tier(&dataset, "gei", "month", "2023-07-01").as_deref(),
        Some("unicorn")
    );
    assert_eq!(tier(&dataset, "gei", "month", "2023-07-02"), None);
    // Not founded yet: events dated before founding only count once it exists.
    let early = Dataset {
        enterprises: vec![enterprise("early", "2015-06")],
        events: vec![funding("early", "2015-01-01", "1", "2000000000", "USD")],
        ..Dataset::default()
    };
    assert_eq!(tier(&early, "gei", "early", "2015-05-31"), None);
    assert_eq!(
        tier(&early, "gei", "early", "2015-06-01").as_deref(),
        Some("unicorn")
    );
}

#[test]
fn conversion_uses_the_latest_rate_else_the_earliest() {
    let dataset = Dataset {
        enterprises: vec![
            enterprise("before", "2015-01-01"),
            enterprise("after", "2015-01-01"),
        ],
        events: vec![
            // Before the first CNY row: converted at the earliest row (7.0).
            funding("before", "2016-01-01", "1", "7000000000", "CNY"),
            // After the second row: converted at 6.5, ¥6.5bn is exactly $1bn.
            funding("after", "2019-01-01", "1", "6500000000", "CNY"),
        ],
        fx: vec![
            fx("2017-01-01", "CNY", "7.0"),
            fx("2018-06-30", "CNY", "6.5"),
        ],
        ..Dataset::default()
    };
    assert_eq!(
        tier(&dataset, "gei", "before", "2016-12-31").as_deref(),
        Some("unicorn")
    );
    assert_eq!(
        tier(&dataset, "gei", "after", "2019-12-31").as_deref(),
        Some("unicorn")
    );
    // The spec's own example: ¥7,082,700,000 at 7.0827 meets US$1bn exactly.
    let exact = Dataset {
        enterprises: vec![enterprise("exact", "2015-01-01")],
        events: vec![funding("exact", "2020-01-01", "1", "7082700000", "CNY")],
        fx: vec![fx("2019-12-31", "CNY", "7.0827")],
        ..Dataset::default()
    };
    assert_eq!(
        tier(&exact, "gei", "exact", "2020-12-31").as_deref(),
        Some("unicorn")
    );
}

#[test]
fn a_currency_without_rates_leaves_the_valuation_unknown_without_fallback() {
    let dataset = Dataset {
        enterprises: vec![enterprise("e", "2015-01-01")],
        events: vec![
            funding("e", "2016-01-01", "1", "2000000000", "USD"),
            // The latest valuation is in a currency with no rows: unknown,
            // even though an earlier one would have qualified.
            valuation("e", "2017-01-01", "90000000000", "JPY"),
        ],
        ..Dataset::default()
    };
    let ledger = Ledger::from_dataset(&dataset);
    assert_eq!(
        ledger.as_of(0, day("2017-06-01")).valuation(),
        ValuationFact::Unconvertible {
            date: day("2017-01-01")
        }
    );
    assert_eq!(
        tier(&dataset, "gei", "e", "2016-06-01").as_deref(),
        Some("unicorn")
    );
    assert_eq!(tier(&dataset, "gei", "e", "2017-06-01"), None);
}

#[test]
fn on_one_day_the_highest_convertible_valuation_wins() {
    let dataset = Dataset {
        enterprises: vec![enterprise("e", "2015-01-01")],
        events: vec![
            funding("e", "2016-01-01", "1", "", "USD"),
            valuation("e", "2018-01-01", "900000000", "USD"),
            valuation("e", "2018-01-01", "7000000000", "CNY"),
            valuation("e", "2018-01-01", "99000000000", "JPY"),
        ],
        fx: vec![fx("2018-01-01", "CNY", "7")],
        ..Dataset::default()
    };
    let ledger = Ledger::from_dataset(&dataset);
    assert_eq!(
        ledger.as_of(0, day("2018-01-01")).valuation(),
        ValuationFact::Known {
            date: day("2018-01-01"),
            value: Money::new("7000000000".parse().expect("decimal"), Currency::CNY),
        }
    );
    assert_eq!(
        tier(&dataset, "gei", "e", "2018-01-01").as_deref(),
        Some("unicorn")
    );
    assert_eq!(
        tier(&dataset, "gei", "e", "2017-12-31"),
        None,
        "no valuation yet"
    );
}

#[test]
fn a_later_lower_valuation_replaces_an_earlier_higher_one() {
    let dataset = Dataset {
        enterprises: vec![enterprise("e", "2015-01-01")],
        events: vec![
            funding("e", "2016-01-01", "1", "2000000000", "USD"),
            valuation("e", "2019-01-01", "400000000", "USD"),
        ],
        ..Dataset::default()
    };
    assert_eq!(
        tier(&dataset, "gei", "e", "2018-12-31").as_deref(),
        Some("unicorn")
    );
    // $400m within 5 years of founding is still a potential unicorn.
    assert_eq!(
        tier(&dataset, "gei", "e", "2019-01-01").as_deref(),
        Some("potential")
    );
    assert_eq!(tier(&dataset, "gei", "e", "2020-01-02"), None);
}

#[test]
fn neeq_does_not_count_as_listed_but_other_exchanges_do() {
    let dataset = Dataset {
        enterprises: vec![
            enterprise("neeq", "2015-01-01"),
            enterprise("star", "2015-01-01"),
        ],
        events: vec![
            funding("neeq", "2016-01-01", "1", "2000000000", "USD"),
            listing("neeq", "2017-01-01", "NEEQ"),
            funding("star", "2016-01-01", "1", "2000000000", "USD"),
            listing("star", "2017-01-01", "SSE"),
        ],
        ..Dataset::default()
    };
    assert_eq!(
        tier(&dataset, "gei", "neeq", "2018-01-01").as_deref(),
        Some("unicorn")
    );
    assert_eq!(
        tier(&dataset, "gei", "star", "2016-12-31").as_deref(),
        Some("unicorn")
    );
    assert_eq!(tier(&dataset, "gei", "star", "2017-01-01"), None);
}

#[test]
fn gone_enterprises_have_no_tier() {
    let dataset = Dataset {
        enterprises: vec![enterprise("e", "2015-01-01")],
        events: vec![
            funding("e", "2016-01-01", "1", "2000000000", "USD"),
            event("e", "2018-05-05", EventKind::Acquired),
        ],
        ..Dataset::default()
    };
    assert_eq!(
        tier(&dataset, "gei", "e", "2018-05-04").as_deref(),
        Some("unicorn")
    );
    assert_eq!(tier(&dataset, "gei", "e", "2018-05-05"), None);
}

#[test]
fn relocations_move_the_region_and_the_last_imported_wins_on_one_day() {
    let mut moved = enterprise("moved", "2018-01-01");
    moved.region = Some(DivisionCode::parse("340104").expect("Hefei"));
    let dataset = Dataset {
        enterprises: vec![moved],
        events: vec![
            funding("moved", "2019-01-01", "50000000", "4000000000", "CNY"),
            relocated("moved", "2020-01-01", "440305"),
            relocated("moved", "2021-01-01", "110108"),
            relocated("moved", "2021-01-01", "440306"),
        ],
        fx: vec![fx("2015-01-01", "CNY", "7")],
        ..Dataset::default()
    };
    // Shenzhen's rules apply only while the effective region is in 4403.
    assert_eq!(tier(&dataset, "shenzhen", "moved", "2019-12-31"), None);
    assert_eq!(
        tier(&dataset, "shenzhen", "moved", "2020-06-01").as_deref(),
        Some("potential")
    );
    let ledger = Ledger::from_dataset(&dataset);
    assert_eq!(
        ledger.as_of(0, day("2021-01-01")).region(),
        Some(DivisionCode::parse("440306").expect("code"))
    );
    assert_eq!(
        tier(&dataset, "shenzhen", "moved", "2021-06-01").as_deref(),
        Some("potential")
    );
}

#[test]
fn raised_floors_and_unconvertible_amounts() {
    let dataset = Dataset {
        enterprises: vec![
            enterprise("thin", "2016-01-01"),
            enterprise("enough", "2016-01-01"),
            enterprise("unknown", "2016-01-01"),
        ],
        events: vec![
            funding("thin", "2017-01-01", "49999999.99", "2000000000", "USD"),
            funding("enough", "2017-01-01", "20000000", "", "USD"),
            // ¥210m at 7 = $30m, converted at its own date.
            funding("enough", "2018-01-01", "210000000", "14000000000", "CNY"),
            funding("unknown", "2017-01-01", "60000000", "2000000000", "USD"),
            funding("unknown", "2018-01-01", "1000", "", "JPY"),
        ],
        fx: vec![fx("2018-01-01", "CNY", "7")],
        ..Dataset::default()
    };
    assert_eq!(
        tier(&dataset, "gei", "thin", "2018-12-31").as_deref(),
        Some("unicorn")
    );
    // One cent short of the unicorn floor; potential clause a needs only $5m.
    assert_eq!(
        tier(&dataset, "gei-2024", "thin", "2018-12-31").as_deref(),
        Some("potential")
    );
    assert_eq!(
        tier(&dataset, "gei-2024", "enough", "2018-12-31").as_deref(),
        Some("unicorn")
    );
    assert_eq!(
        tier(&dataset, "gei-2024", "unknown", "2017-12-31").as_deref(),
        Some("unicorn")
    );
    assert_eq!(tier(&dataset, "gei-2024", "unknown", "2018-12-31"), None);
}

#[test]
fn the_first_matching_tier_wins() {
    let dataset = Dataset {
        enterprises: vec![enterprise("e", "2016-01-01")],
        events: vec![funding("e", "2017-01-01", "1", "20000000000", "USD")],
        ..Dataset::default()
    };
    // $20bn also meets the unicorn and potential thresholds; the first tier wins.
    assert_eq!(
        tier(&dataset, "gei", "e", "2018-01-01").as_deref(),
        Some("super_unicorn")
    );
    // Past 10 years nothing is left: potential's windows are shorter.
    assert_eq!(tier(&dataset, "gei", "e", "2026-01-02"), None);
    // Potential clause b (9 years, $500m) after clause a's 5 years have passed.
    let b = Dataset {
        enterprises: vec![enterprise("b", "2010-01-01")],
        events: vec![funding("b", "2011-01-01", "1", "600000000", "USD")],
        ..Dataset::default()
    };
    assert_eq!(
        tier(&b, "gei", "b", "2018-06-01").as_deref(),
        Some("potential")
    );
    let decision = RuleSet::builtin("gei")
        .expect("gei")
        .decide(&Ledger::from_dataset(&b).as_of(0, day("2018-06-01")));
    let potential = decision.tiers.last().expect("tiers");
    assert!(!potential.clauses[0].holds && potential.clauses[1].holds);
}

#[test]
fn foreign_enterprises_need_a_rule_set_without_a_country_condition() {
    let mut foreign = enterprise("f", "2015-01-01");
    foreign.country = Country::parse("US").expect("US");
    foreign.region = None;
    let dataset = Dataset {
        enterprises: vec![foreign],
        events: vec![funding("f", "2016-01-01", "1", "2000000000", "USD")],
        ..Dataset::default()
    };
    assert_eq!(tier(&dataset, "gei", "f", "2018-01-01"), None);
    assert_eq!(
        tier(&dataset, "cbinsights", "f", "2018-01-01").as_deref(),
        Some("unicorn")
    );
    assert_eq!(
        tier(&dataset, "hurun", "f", "2018-01-01").as_deref(),
        Some("unicorn")
    );
}

#[test]
fn a_repeated_event_row_counts_once() {
    let round = funding("e", "2020-06-01", "3000000", "150000000", "USD");
    let dataset = Dataset {
        enterprises: vec![enterprise("e", "2020-01-01")],
        events: vec![round.clone(), round],
        ..Dataset::default()
    };
    // $3m raised once is below gei-2024's $5m floor for potential clause a.
    assert_eq!(tier(&dataset, "gei-2024", "e", "2020-12-31"), None);
    assert_eq!(Ledger::from_dataset(&dataset).event_count(), 1);
}

#[test]
fn every_reason_is_given_in_chinese_too() {
    let dataset = Dataset {
        enterprises: vec![enterprise("neeq", "2015-01-01")],
        events: vec![
            funding("neeq", "2016-03-01", "1", "2000000000", "USD"),
            listing("neeq", "2017-01-01", "NEEQ"),
        ],
        ..Dataset::default()
    };
    let rules = RuleSet::builtin("gei").expect("rule set");
    let ledger = Ledger::from_dataset(&dataset);
    let decision = rules.decide(&ledger.as_of(0, day("2018-01-01")));
    let checks: Vec<_> = decision
        .requirements
        .iter()
        .chain(
            decision
                .tiers
                .iter()
                .flat_map(|t| t.clauses.iter().flat_map(|c| c.checks.iter())),
        )
        .collect();
    for check in &checks {
        assert!(
            !check.requirement_zh.is_empty() && !check.found_zh.is_empty(),
            "{check:?}"
        );
        assert_ne!(check.requirement_zh, check.requirement, "{check:?}");
    }
    let said = |kind: &str| {
        let check = checks
            .iter()
            .find(|c| c.condition == kind)
            .unwrap_or_else(|| panic!("a {kind} check"));
        (check.requirement_zh.as_str(), check.found_zh.as_str())
    };
    assert_eq!(
        said("exists"),
        ("2018年1月1日或之前成立", "2015年1月1日成立")
    );
    assert_eq!(
        said("listed"),
        (
            "未上市（在 NEEQ 挂牌不计）",
            "未上市；2017年1月1日在 NEEQ 挂牌（不计）"
        )
    );
    assert_eq!(said("funded"), ("至少一轮融资", "1 轮融资"));
    let (_, valuation) = said("valuation_at_least");
    assert!(valuation.ends_with("（2016年3月1日）"), "{valuation}");
}
