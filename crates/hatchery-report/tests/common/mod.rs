//! Hand-written datasets for the report's tests.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the fixtures"
)]

use hatchery_core::date::PartialDate;
use hatchery_core::money::Amount;
use hatchery_core::{
    Country, Currency, Dataset, DivisionCode, Enterprise, EnterpriseId, Event, EventKind, Exchange,
    FxRate, Ledger,
};
use jiff::civil::Date;

/// `YYYY-MM-DD` as a date.
pub fn day(text: &str) -> Date {
    text.parse().expect("test dates are valid")
}

/// Builds a dataset one enterprise and one event at a time.
#[derive(Debug, Default)]
pub struct Fixture {
    pub dataset: Dataset,
}

impl Fixture {
    pub fn new() -> Self {
        Self::default()
    }

    /// A Chinese enterprise founded on `founded`, registered in `region`.
    pub fn enterprise(&mut self, id: &str, founded: &str, region: Option<&str>) -> &mut Enterprise {
        self.dataset.enterprises.push(Enterprise {
            id: EnterpriseId::parse(id).expect("valid id"),
            name: id.to_owned(),
            name_en: None,
            uscc: None,
            founded: PartialDate::day(day(founded)),
            country: Country::CN,
            region: region.map(|r| DivisionCode::parse(r).expect("valid region")),
            city: None,
            zone: None,
            industries: Vec::new(),
            tags: Vec::new(),
            extra: Default::default(),
        });
        self.dataset.enterprises.last_mut().expect("just pushed")
    }

    fn event(&mut self, id: &str, date: &str, kind: EventKind) -> &mut Event {
        self.dataset.events.push(Event::new(
            EnterpriseId::parse(id).expect("valid id"),
            day(date),
            kind,
        ));
        self.dataset.events.last_mut().expect("just pushed")
    }

    /// A funding round of `amount` in `currency` (no amount when `None`).
    pub fn funding(&mut self, id: &str, date: &str, amount: Option<(&str, &str)>) -> &mut Self {
        let event = self.event(id, date, EventKind::Funding);
        if let Some((amount, currency)) = amount {
            event.amount = Some(Amount::parse(amount).expect("valid amount"));
            event.currency = Some(Currency::parse(currency).expect("valid currency"));
        }
        self
    }

    /// A valuation in US dollars.
    pub fn valuation(&mut self, id: &str, date: &str, usd: &str) -> &mut Self {
        let event = self.event(id, date, EventKind::Valuation);
        event.valuation = Some(Amount::parse(usd).expect("valid amount"));
        event.currency = Some(Currency::USD);
        self
    }

    pub fn listing(&mut self, id: &str, date: &str, exchange: &str) -> &mut Self {
        let event = self.event(id, date, EventKind::Listing);
        event.exchange = Some(Exchange::parse(exchange).expect("valid exchange"));
        self
    }

    pub fn acquired(&mut self, id: &str, date: &str) -> &mut Self {
        self.event(id, date, EventKind::Acquired);
        self
    }

    pub fn closed(&mut self, id: &str, date: &str) -> &mut Self {
        self.event(id, date, EventKind::Closed);
        self
    }

    pub fn relocated(&mut self, id: &str, date: &str, region: &str) -> &mut Self {
        let event = self.event(id, date, EventKind::Relocated);
        event.region = Some(DivisionCode::parse(region).expect("valid region"));
        self
    }

    pub fn fx(&mut self, date: &str, currency: &str, per_usd: &str) -> &mut Self {
        self.dataset.fx.push(FxRate {
            date: day(date),
            currency: Currency::parse(currency).expect("valid currency"),
            per_usd: Amount::parse(per_usd).expect("valid rate"),
        });
        self
    }

    pub fn ledger(&self) -> Ledger {
        Ledger::from_dataset(&self.dataset)
    }
}

/// The three as-of dates of [`story`].
pub const STORY_DATES: [&str; 3] = ["2020-12-31", "2021-12-31", "2022-12-31"];

pub fn story_dates() -> Vec<Date> {
    STORY_DATES.iter().map(|d| day(d)).collect()
}

/// A small national story under `gei`, every figure of which is worked out
/// by hand in `tests/story.rs`. One enterprise per way of entering or
/// leaving a tier:
///
/// | id | founded | region | what happens |
/// |---|---|---|---|
/// | a-listed | 2015-01-01 | 110108 Beijing | unicorn (US$2bn, 2019); lists on SSE 2021-06-01 |
/// | b-acquired | 2016-01-01 | 310104 Shanghai | potential (US$200m, 2019); acquired 2021-03-01 |
/// | c-closed | 2018-01-01 | 440305 Shenzhen, zone | potential (US$300m); closed 2022-05-01 |
/// | d-aged | 2011-06-01 | 440106 Guangzhou | unicorn (US$1.5bn); ten years old 2021-06-01 |
/// | e-dropped | 2017-01-01 | 330106 Hangzhou | potential; revalued at US$50m 2021-05-01 |
/// | f-moved | 2018-01-01 | 440305 Shenzhen | potential; moves to 310115 Shanghai 2021-07-01 |
/// | g-promoted | 2018-03-01 | 510107 Chengdu | potential; US$1.2bn 2021-09-01 |
/// | h-demoted | 2014-01-01 | 500103 Chongqing | unicorn (US$1.2bn, 2020-06-01); US$600m 2022-03-01 |
/// | i-new | 2020-01-01 | 810000 Hong Kong | US$11bn 2022-02-01: super unicorn |
/// | j-noregion | 2019-01-01 | none | potential (US$200m, 2019-06-01); round without amount |
/// | k-never | 2019-01-01 | 440305 Shenzhen | US$50m: never a tier |
/// | l-neeq | 2019-01-01 | 440305 Shenzhen, zone | potential (2020-03-01); NEEQ listing 2021, a EUR round |
pub fn story() -> Fixture {
    let mut f = Fixture::new();
    f.fx("2015-01-01", "CNY", "7.0827");
    let ten_million = Some(("10000000", "USD"));

    let a = f.enterprise("a-listed", "2015-01-01", Some("110108"));
    a.industries = vec!["ai".into()];
    a.tags = vec!["gov:list".into()];
    f.funding("a-listed", "2015-06-01", ten_million)
        .valuation("a-listed", "2019-01-01", "2000000000")
        .listing("a-listed", "2021-06-01", "SSE");

    f.enterprise("b-acquired", "2016-01-01", Some("310104"))
        .industries = vec!["ai".into(), "fintech".into()];
    f.funding("b-acquired", "2016-01-01", ten_million)
        .valuation("b-acquired", "2019-01-01", "200000000")
        .acquired("b-acquired", "2021-03-01");

    let c = f.enterprise("c-closed", "2018-01-01", Some("440305"));
    c.industries = vec!["ev".into()];
    c.zone = Some("sz-hitech".into());
    // ¥70,827,000 at 7.0827 is exactly US$10m.
    f.funding("c-closed", "2018-01-01", Some(("70827000", "CNY")))
        .valuation("c-closed", "2019-01-01", "300000000")
        .closed("c-closed", "2022-05-01");

    f.enterprise("d-aged", "2011-06-01", Some("440106"))
        .industries = vec!["ai".into()];
    f.funding("d-aged", "2011-06-01", ten_million)
        .valuation("d-aged", "2019-01-01", "1500000000");

    f.enterprise("e-dropped", "2017-01-01", Some("330106"))
        .industries = vec!["fintech".into()];
    f.funding("e-dropped", "2017-01-01", ten_million)
        .valuation("e-dropped", "2019-01-01", "200000000")
        .valuation("e-dropped", "2021-05-01", "50000000");

    f.enterprise("f-moved", "2018-01-01", Some("440305"))
        .industries = vec!["ev".into()];
    f.funding("f-moved", "2018-01-01", ten_million)
        .valuation("f-moved", "2019-01-01", "200000000")
        .relocated("f-moved", "2021-07-01", "310115");

    // The industry is listed twice on purpose: it counts once.
    f.enterprise("g-promoted", "2018-03-01", Some("510107"))
        .industries = vec!["ai".into(), "ai".into()];
    f.funding("g-promoted", "2018-03-01", ten_million)
        .valuation("g-promoted", "2019-01-01", "200000000")
        .valuation("g-promoted", "2021-09-01", "1200000000");

    f.enterprise("h-demoted", "2014-01-01", Some("500103"))
        .industries = vec!["ev".into()];
    f.funding("h-demoted", "2014-01-01", ten_million)
        .valuation("h-demoted", "2020-06-01", "1200000000")
        .valuation("h-demoted", "2022-03-01", "600000000");

    let i = f.enterprise("i-new", "2020-01-01", Some("810000"));
    i.industries = vec!["ai".into()];
    i.tags = vec!["future:6g".into()];
    f.funding("i-new", "2020-06-01", ten_million)
        .valuation("i-new", "2022-02-01", "11000000000");

    f.enterprise("j-noregion", "2019-01-01", None);
    f.funding("j-noregion", "2019-01-01", None)
        .valuation("j-noregion", "2019-06-01", "200000000");

    f.enterprise("k-never", "2019-01-01", Some("440305"));
    f.funding("k-never", "2019-01-01", ten_million)
        .valuation("k-never", "2019-06-01", "50000000");

    let l = f.enterprise("l-neeq", "2019-01-01", Some("440305"));
    l.industries = vec!["chips".into()];
    l.tags = vec!["gov:list".into()];
    l.zone = Some("sz-hitech".into());
    // No rate for EUR: the amount raised becomes unknown.
    f.funding("l-neeq", "2019-01-01", ten_million)
        .funding("l-neeq", "2019-06-01", Some(("5000000", "EUR")))
        .valuation("l-neeq", "2020-03-01", "200000000")
        .listing("l-neeq", "2021-04-01", "NEEQ");
    f
}
