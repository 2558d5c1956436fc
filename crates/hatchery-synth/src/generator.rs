//! The generator: tables laid out once, then any enterprise on demand.

use hatchery_core::date::PartialDate;
use hatchery_core::{
    Country, Currency, Dataset, DivisionCode, Enterprise, EnterpriseId, Event, Financials, FxRate,
};
use jiff::ToSpan;
use jiff::civil::Date;
use rand_chacha::ChaCha8Rng;

use crate::config::{ConfigError, GeneratorConfig};
use crate::financials::{Reporter, financials};
use crate::fx::{Rates, fx_rates};
use crate::geography::{Geography, Location};
use crate::identity::credit_code;
use crate::money::Writer;
use crate::naming::{self, INDUSTRIES, Industry};
use crate::quirks;
use crate::record::{self, Books};
use crate::sample::{Draw, Weights};
use crate::story::{self, Happening, Protagonist, What};

/// The share of enterprises registered abroad.
const FOREIGN_SHARE: f64 = 0.12;
/// The share of Chinese enterprises known only by their city (no region).
const CITY_ONLY_SHARE: f64 = 0.02;
/// The share founded on 29 February (far above the natural 1 in 1461, so that
/// the anniversary rule is exercised).
const LEAP_DAY_SHARE: f64 = 0.008;
/// Founding dates known only to the month, and only to the year.
const MONTH_ONLY_SHARE: f64 = 0.03;
const YEAR_ONLY_SHARE: f64 = 0.015;
/// The share of Chinese enterprises with a credit code on record.
const USCC_SHARE: f64 = 0.7;
/// The quality shift of start-ups in Beijing, Shanghai, Shenzhen and Hangzhou.
const HUB_EDGE: f64 = 0.4;
/// Credit codes issued from this day on carry an `MA…` organisation code.
const USCC_REFORM: (i16, i8, i8) = (2015, 10, 1);

/// One generated enterprise with everything recorded about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The `enterprises.csv` row.
    pub enterprise: Enterprise,
    /// Its `events.csv` rows, in date order (same-day rows in the order
    /// they are meant to be imported).
    pub events: Vec<Event>,
    /// Its `financials.csv` rows, by year.
    pub financials: Vec<Financials>,
}

/// A validated configuration with its tables laid out, ready to produce any
/// enterprise by index. Cheap to share between threads.
#[derive(Debug)]
pub struct Generator {
    config: GeneratorConfig,
    base: ChaCha8Rng,
    geography: Geography,
    fx: Vec<FxRate>,
    rates: Rates,
    industries: Weights,
    founding_years: Weights,
    leap_years: Vec<i16>,
    id_width: usize,
}

impl Generator {
    /// Validates the configuration and lays out the tables.
    pub fn new(config: GeneratorConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let fx = fx_rates(&config);
        let rates = Rates::new(&fx);
        let years: Vec<i16> = (config.start_year..=config.end_year).collect();
        // Start-up formation rose into the mid-2010s and eased after.
        let peak =
            f64::from(config.start_year) + 0.55 * f64::from(config.end_year - config.start_year);
        let spread = f64::from(config.end_year - config.start_year).max(1.0);
        let founding_years = Weights::new(
            years
                .iter()
                .map(|&y| 1.0 + 2.0 * (1.0 - (f64::from(y) - peak).abs() / spread).max(0.0)),
        );
        let leap_years = years
            .iter()
            .copied()
            .filter(|&y| Date::new(y, 2, 29).is_ok())
            .collect();
        let digits = config.enterprises.saturating_sub(1).max(1).ilog10() as usize + 1;
        Ok(Self {
            base: Draw::base(config.seed),
            geography: Geography::new(),
            industries: Weights::new(naming::industry_weights()),
            founding_years,
            leap_years,
            id_width: digits.max(7),
            fx,
            rates,
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &GeneratorConfig {
        &self.config
    }

    /// How many enterprises the dataset has.
    pub fn len(&self) -> usize {
        self.config.enterprises
    }

    /// Whether the dataset has no enterprises.
    pub fn is_empty(&self) -> bool {
        self.config.enterprises == 0
    }

    /// The dataset's exchange rates (see [`crate::fx_rates`]).
    pub fn fx_rates(&self) -> &[FxRate] {
        &self.fx
    }

    /// The id of enterprise `index`: `syn-` and the zero-padded index, so
    /// that id order is index order.
    pub fn id(&self, index: usize) -> EnterpriseId {
        EnterpriseId::parse(&format!("syn-{index:0width$}", width = self.id_width))
            .expect("a short printable id")
    }

    /// Every enterprise in index order, generated one at a time.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            generator: self,
            next: 0,
        }
    }

    /// The whole dataset in memory, for tests and small datasets.
    pub fn dataset(&self) -> Dataset {
        let mut dataset = Dataset {
            fx: self.fx.clone(),
            ..Dataset::default()
        };
        dataset.enterprises.reserve(self.len());
        dataset.events.reserve(self.len() * 6);
        for generated in self.iter() {
            dataset.enterprises.push(generated.enterprise);
            dataset.events.extend(generated.events);
            dataset.financials.extend(generated.financials);
        }
        dataset
    }

    /// Enterprise `index`: the same whatever else is generated, and in
    /// whatever order. Indexes at or beyond [`Generator::len`] are generated too
    /// (as they would be in a larger dataset with the same seed).
    pub fn enterprise(&self, index: usize) -> Generated {
        let mut draw = Draw::new(&self.base, index as u64);
        let id = self.id(index);
        let foreign = draw.chance(FOREIGN_SHARE);
        let location = if foreign {
            self.geography.abroad(&mut draw)
        } else {
            self.geography.china(&mut draw)
        };
        let region = location
            .region
            .filter(|_| foreign || !draw.chance(CITY_ONLY_SHARE));
        let founded_on = self.founding_day(&mut draw);
        let founded = self.founding_record(&mut draw, founded_on);
        let industries = self.industries(&mut draw);
        let tags = naming::tags(&mut draw, &industries);
        let (name, name_en) = if foreign {
            (
                naming::foreign_name(&mut draw, location.country.as_str(), industries[0]),
                None,
            )
        } else {
            let (name, name_en) =
                naming::chinese_names(&mut draw, &location.city, location.city_en, industries[0]);
            (name, Some(name_en))
        };
        let reform = Date::new(USCC_REFORM.0, USCC_REFORM.1, USCC_REFORM.2).ok();
        let uscc = region
            .filter(|_| draw.chance(USCC_SHARE))
            .and_then(|r| credit_code(index as u64, r, Some(founded_on) >= reform));
        let end = self.end();
        let happenings = story::story(
            &mut draw,
            Protagonist {
                founded: founded_on,
                chinese: !foreign,
                region,
                edge: edge(region),
                home_exchange: home_exchange(location.country),
                geography: &self.geography,
            },
            end,
        );
        let books = Books {
            id: &id,
            chinese: !foreign,
            offshore: !foreign && draw.chance(0.3),
            local: location.local_currency,
            writer: Writer { rates: &self.rates },
        };
        let mut events = record::events(&mut draw, &books, &happenings);
        drop_repeated_rows(&mut events);
        let financials = self.financials(&mut draw, &id, &location, founded_on, &happenings);
        if self.config.relocation_quirks && !foreign {
            let mut quirks = Draw::new(&self.base, quirks::stream(index));
            let who = quirks::Subject {
                id: &id,
                founded: founded_on,
                region,
                end,
                geography: &self.geography,
            };
            quirks::relocations(&mut quirks, &who, &mut events);
        }
        let zone = location
            .zone
            .filter(|_| region.is_some())
            .map(str::to_owned);
        let enterprise = Enterprise {
            id: id.clone(),
            name,
            name_en,
            uscc,
            founded,
            country: location.country,
            region,
            city: region.is_none().then_some(location.city),
            zone,
            industries: industries.iter().map(|i| i.key.to_owned()).collect(),
            tags,
            extra: Default::default(),
        };
        Generated {
            enterprise,
            events,
            financials,
        }
    }

    /// The last day of history.
    fn end(&self) -> Date {
        Date::new(self.config.end_year, 12, 31).expect("validated year")
    }

    fn founding_day(&self, draw: &mut Draw) -> Date {
        if !self.leap_years.is_empty() && draw.chance(LEAP_DAY_SHARE) {
            let year = *draw.pick(&self.leap_years);
            return Date::new(year, 2, 29).expect("a leap year");
        }
        let year = self.config.start_year + draw.weighted(&self.founding_years) as i16;
        let first = Date::new(year, 1, 1).expect("validated year");
        let day = draw.between(0, i64::from(first.days_in_year()) - 1);
        first.checked_add(day.days()).unwrap_or(first)
    }

    /// How the founding date is recorded: mostly to the day, a few only to
    /// the month or the year (the first day of which it then stands for).
    fn founding_record(&self, draw: &mut Draw, day: Date) -> PartialDate {
        let leap_day = day.month() == 2 && day.day() == 29;
        let roll = draw.unit();
        let text = if leap_day || roll >= MONTH_ONLY_SHARE + YEAR_ONLY_SHARE {
            return PartialDate::day(day);
        } else if roll < MONTH_ONLY_SHARE {
            format!("{:04}-{:02}", day.year(), day.month())
        } else {
            format!("{:04}", day.year())
        };
        PartialDate::parse(&text).unwrap_or(PartialDate::day(day))
    }

    fn industries(&self, draw: &mut Draw) -> Vec<&'static Industry> {
        let first = &INDUSTRIES[draw.weighted(&self.industries)];
        let mut list = vec![first];
        if draw.chance(0.2) {
            let second = &INDUSTRIES[draw.weighted(&self.industries)];
            if second.key != first.key {
                list.push(second);
            }
        }
        list
    }

    fn financials(
        &self,
        draw: &mut Draw,
        id: &EnterpriseId,
        location: &Location,
        founded: Date,
        happenings: &[Happening],
    ) -> Vec<Financials> {
        let scale_usd = happenings
            .iter()
            .filter_map(|h| match h.what {
                What::Round { post_usd, .. } => Some(post_usd),
                _ => None,
            })
            .fold(0.0, f64::max);
        let gone = happenings
            .iter()
            .find(|h| matches!(h.what, What::Acquired { .. } | What::Closed))
            .map(|h| h.date.year());
        let currency = if location.country == Country::CN {
            Currency::CNY
        } else {
            Currency::USD
        };
        let rate = self.rates.per_usd_f64(currency, self.end()).unwrap_or(1.0);
        let reporter = Reporter {
            id,
            currency,
            rate,
            scale_usd,
            years: (
                founded.year(),
                gone.map_or(self.config.end_year, |g| g.min(self.config.end_year)),
            ),
        };
        financials(draw, &reporter)
    }
}

/// How much the place lifts an enterprise's prospects: the four hubs where
/// most of China's unicorns are registered lift them most.
fn edge(region: Option<DivisionCode>) -> f64 {
    const HUBS: [&str; 4] = ["1101", "3101", "4403", "3301"];
    match region {
        Some(r) if HUBS.iter().any(|hub| r.has_prefix(hub)) => HUB_EDGE,
        _ => 0.0,
    }
}

/// The exchange a foreign enterprise may list on at home.
fn home_exchange(country: Country) -> Option<&'static str> {
    match country.as_str() {
        "GB" => Some("LSE"),
        "SG" => Some("SGX"),
        "IN" => Some("NSE"),
        "JP" => Some("TSE"),
        "KR" => Some("KRX"),
        "DE" => Some("XETRA"),
        "FR" => Some("EURONEXT"),
        "CA" => Some("TSX"),
        _ => None,
    }
}

/// Rounding can make two reports of one day identical; the spec would drop
/// the second on import, so it is never written.
fn drop_repeated_rows(events: &mut Vec<Event>) {
    let mut kept: Vec<Event> = Vec::with_capacity(events.len());
    for event in events.drain(..) {
        let repeated = kept
            .iter()
            .rev()
            .take_while(|k| k.date == event.date)
            .any(|k| *k == event);
        if !repeated {
            kept.push(event);
        }
    }
    *events = kept;
}

/// The enterprises of a [`Generator`], in index order.
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    generator: &'a Generator,
    next: usize,
}

impl Iterator for Iter<'_> {
    type Item = Generated;

    fn next(&mut self) -> Option<Generated> {
        if self.next >= self.generator.len() {
            return None;
        }
        let generated = self.generator.enterprise(self.next);
        self.next += 1;
        Some(generated)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.generator.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Generator {
    type Item = Generated;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}
