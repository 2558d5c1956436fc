//! Small hand-written datasets and builders for the stories. Everything here
//! panics on a typo, since it only ever builds test data.

use hatchery_core::date::PartialDate;
use hatchery_core::{
    Amount, Country, Currency, Dataset, DivisionCode, Enterprise, EnterpriseId, Event, EventKind,
    Exchange, Financials, FxRate, Uscc,
};
use jiff::civil::Date;

use crate::ImportSource;

/// An id with the characters that need escaping on their way through SQL,
/// JSON or CSV: a quote, a backslash, a comma, a space, a non-Latin letter.
pub const GAMMA: &str = r#"gamma "γ", \ labs"#;

/// Published credit codes with valid check symbols.
pub const CODES: [&str; 4] = [
    "914403001922038216",
    "91440300708461136T",
    "91330100716105852F",
    "91330782MAE50WWN6A",
];

/// An enterprise id.
pub fn id(text: &str) -> EnterpriseId {
    EnterpriseId::parse(text).expect("fixture id")
}

/// A `YYYY-MM-DD` date.
pub fn day(text: &str) -> Date {
    hatchery_core::date::parse_date(text).expect("fixture date")
}

/// An amount, keeping its text.
pub fn amount(text: &str) -> Amount {
    Amount::parse(text).expect("fixture amount")
}

/// A currency code.
pub fn currency(text: &str) -> Currency {
    Currency::parse(text).expect("fixture currency")
}

/// A division code.
pub fn region(text: &str) -> DivisionCode {
    DivisionCode::parse(text).expect("fixture region")
}

/// A credit code (one of [`CODES`]).
pub fn uscc(text: &str) -> Uscc {
    Uscc::parse(text).expect("fixture credit code")
}

/// Where the stories say their imports come from.
pub fn source(origin: &str) -> ImportSource {
    ImportSource {
        origin: origin.to_owned(),
        at: "2024-06-30T09:00:00+08:00".to_owned(),
    }
}

/// A Chinese enterprise with nothing but a name and a founding date.
pub fn enterprise(id_text: &str, name: &str, founded: &str) -> Enterprise {
    Enterprise {
        id: id(id_text),
        name: name.to_owned(),
        name_en: None,
        uscc: None,
        founded: PartialDate::parse(founded).expect("fixture founding date"),
        country: Country::CN,
        region: None,
        city: None,
        zone: None,
        industries: Vec::new(),
        tags: Vec::new(),
        extra: Default::default(),
    }
}

/// An event with only its enterprise, date and kind.
pub fn event(enterprise: &str, date: &str, kind: EventKind) -> Event {
    Event::new(id(enterprise), day(date), kind)
}

/// A funding round raising `raised` of `money`.
pub fn funding(enterprise: &str, date: &str, raised: &str, money: &str) -> Event {
    Event {
        amount: Some(amount(raised)),
        currency: Some(currency(money)),
        ..event(enterprise, date, EventKind::Funding)
    }
}

/// A valuation of `value` in `money`.
pub fn valuation(enterprise: &str, date: &str, value: &str, money: &str) -> Event {
    Event {
        valuation: Some(amount(value)),
        currency: Some(currency(money)),
        ..event(enterprise, date, EventKind::Valuation)
    }
}

/// A move to the division `to`.
pub fn relocated(enterprise: &str, date: &str, to: &str) -> Event {
    Event {
        region: Some(region(to)),
        ..event(enterprise, date, EventKind::Relocated)
    }
}

/// A listing on `exchange`.
pub fn listing(enterprise: &str, date: &str, exchange: &str) -> Event {
    Event {
        exchange: Some(Exchange::parse(exchange).expect("fixture exchange")),
        ..event(enterprise, date, EventKind::Listing)
    }
}

/// `per_usd` units of `money` per US dollar on `date`.
pub fn rate(money: &str, date: &str, per_usd: &str) -> FxRate {
    FxRate {
        date: day(date),
        currency: currency(money),
        per_usd: amount(per_usd),
    }
}

/// One year's revenue, and nothing else.
pub fn figures(enterprise: &str, year: i16, money: &str, revenue: &str) -> Financials {
    Financials {
        enterprise: id(enterprise),
        year,
        currency: currency(money),
        revenue: Some(amount(revenue)),
        rd_expense: None,
        employees: None,
    }
}

/// A dataset that uses every column, in the order an export writes it:
/// enterprises by id in byte order (`Zeta` < `alpha` < `字节跳动`), events in
/// an order that is not by date, fx by currency then date, financials by
/// enterprise then year. Its events include `100` and `100.00` (two events),
/// two relocations on one day, an event dated before its enterprise was
/// founded, `x_` extras, valuations in three currencies, and an id that needs
/// escaping ([`GAMMA`]).
pub fn sample() -> Dataset {
    let zeta = Enterprise {
        country: Country::parse("US").expect("fixture country"),
        city: Some("Palo Alto".to_owned()),
        industries: vec!["ai".to_owned()],
        ..enterprise("Zeta", "Zeta Robotics Inc.", "2016-03")
    };
    let alpha = Enterprise {
        name_en: Some("Alpha Technology".to_owned()),
        uscc: Some(uscc(CODES[0])),
        region: Some(region("110108")),
        zone: Some("zgc".to_owned()),
        industries: vec!["ai".to_owned(), "robotics".to_owned()],
        tags: vec!["future:6g".to_owned()],
        extra: [("x_note".to_owned(), "第一".to_owned())].into(),
        ..enterprise("alpha", "阿尔法科技有限公司", "2015-06-30")
    };
    let beta = Enterprise {
        uscc: Some(uscc(CODES[1])),
        region: Some(region("440305")),
        ..enterprise("beta", "贝塔智能", "2018")
    };
    let gamma = Enterprise {
        region: Some(region("330106")),
        ..enterprise(GAMMA, "伽马生物 \"Gamma\"\n(杭州)", "2012-01")
    };
    let bytedance = Enterprise {
        uscc: Some(uscc(CODES[2])),
        region: Some(region("110108")),
        industries: vec!["media".to_owned()],
        ..enterprise("字节跳动", "北京字节跳动科技有限公司", "2012-03-09")
    };

    let events = vec![
        Event {
            round: Some("A".to_owned()),
            investors: Some("Sequoia China;IDG Capital".to_owned()),
            source: Some("https://example.org/alpha-a".to_owned()),
            ..funding("alpha", "2016-01-10", "10000000", "USD")
        },
        valuation("beta", "2019-05-01", "7082700000", "CNY"),
        valuation("alpha", "2017-06-01", "1200000000", "USD"),
        relocated("alpha", "2017-06-01", "310115"),
        relocated("alpha", "2017-06-01", "440305"),
        Event {
            valuation: Some(amount("20000000000")),
            ..funding("字节跳动", "2017-08-01", "2000000000", "USD")
        },
        funding("beta", "2019-05-01", "100", "CNY"),
        funding("beta", "2019-05-01", "100.00", "CNY"),
        Event {
            round: Some("angel".to_owned()),
            ..funding("beta", "2017-12-01", "5000000", "CNY")
        },
        Event {
            valuation: Some(amount("800000000")),
            ..funding(GAMMA, "2013-01-01", "1000000", "HKD")
        },
        listing(GAMMA, "2020-07-01", "SSE"),
        event(GAMMA, "2022-01-01", EventKind::Acquired),
        Event {
            valuation: Some(amount("1500000000")),
            extra: [("x_deal".to_owned(), "seed+".to_owned())].into(),
            ..funding("Zeta", "2018-01-01", "300000000", "USD")
        },
        valuation("字节跳动", "2021-01-01", "180000000000", "USD"),
        event("alpha", "2023-03-01", EventKind::Closed),
    ];

    let fx = vec![
        rate("CNY", "2018-12-28", "6.8632"),
        rate("CNY", "2019-12-31", "6.9762"),
        rate("CNY", "2023-12-29", "7.0827"),
        rate("HKD", "2012-12-31", "7.7507"),
    ];

    let financials = vec![
        Financials {
            rd_expense: Some(amount("20000000")),
            employees: Some(320),
            ..figures("alpha", 2022, "CNY", "150000000.50")
        },
        figures("alpha", 2023, "CNY", "180000000"),
        Financials {
            revenue: None,
            employees: Some(150_000),
            ..figures("字节跳动", 2023, "USD", "0")
        },
    ];

    Dataset {
        enterprises: vec![zeta, alpha, beta, gamma, bytedance],
        events,
        fx,
        financials,
    }
}

/// `enterprises` generated enterprises with `per_enterprise` events each,
/// enough rows to span many of any backend's batched statements. Ids are
/// zero-padded so that the dataset is already in export order.
pub fn bulk(enterprises: usize, per_enterprise: usize) -> Dataset {
    let mut dataset = Dataset::default();
    for n in 0..enterprises {
        let name = format!("bulk-{n:06}");
        dataset.enterprises.push(Enterprise {
            region: Some(region(["110108", "440305", "330106"][n % 3])),
            ..enterprise(&name, &format!("批量企业 {n}"), "2016-01-01")
        });
        for k in 0..per_enterprise {
            // Alternating years keep import order apart from date order.
            let date = if k % 2 == 0 {
                "2020-03-01"
            } else {
                "2018-03-01"
            };
            let raised = format!("{}.{k:02}", 1_000_000 * (n + 1));
            dataset.events.push(funding(&name, date, &raised, "USD"));
        }
    }
    dataset
}
