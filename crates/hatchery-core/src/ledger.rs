//! The whole ledger in memory, laid out for evaluating every enterprise on
//! many dates in one pass: enterprises sorted by id, each owning a contiguous
//! run of events in the order they happened.

use std::collections::HashMap;
use std::ops::Range;

use jiff::civil::Date;

use crate::criteria::{AsOf, LedgerEvent, RuleSet, Subject, TierIndex};
use crate::division::DivisionCode;
use crate::fx::FxTable;
use crate::ids::{Country, EnterpriseId};
use crate::model::{Dataset, Enterprise, Event};
use crate::repeats::EventSet;

/// What the engine and the statistics need of an enterprise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEnterprise {
    pub id: EnterpriseId,
    pub founded: Date,
    pub country: Country,
    pub region: Option<DivisionCode>,
    pub zone: Option<String>,
    pub industries: Vec<String>,
    pub tags: Vec<String>,
    events: Range<u32>,
}

impl LedgerEnterprise {
    /// An enterprise from its parts, for stores that read them straight from
    /// their rows; [`LedgerBuilder::build`] attaches its events.
    pub fn new(
        id: EnterpriseId,
        founded: Date,
        country: Country,
        region: Option<DivisionCode>,
        zone: Option<String>,
        industries: Vec<String>,
        tags: Vec<String>,
    ) -> Self {
        Self {
            id,
            founded,
            country,
            region,
            zone,
            industries,
            tags,
            events: 0..0,
        }
    }

    /// Attaches the enterprise's events, positions in the ledger's events.
    pub(crate) fn set_events(&mut self, events: Range<u32>) {
        self.events = events;
    }

    pub fn from_enterprise(enterprise: &Enterprise) -> Self {
        Self {
            id: enterprise.id.clone(),
            founded: enterprise.founded.first_day(),
            country: enterprise.country,
            region: enterprise.region,
            zone: enterprise.zone.clone(),
            industries: enterprise.industries.clone(),
            tags: enterprise.tags.clone(),
            events: 0..0,
        }
    }
}

impl LedgerEvent {
    pub fn from_event(event: &Event) -> Self {
        Self {
            date: event.date,
            kind: event.kind,
            amount: event.amount_money(),
            valuation: event.valuation_money(),
            exchange: event.exchange,
            region: event.region,
        }
    }
}

/// Every enterprise, every event and every exchange rate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    enterprises: Vec<LedgerEnterprise>,
    events: Vec<LedgerEvent>,
    pub fx: FxTable,
}

/// Collects enterprises and events in any order, then lays them out.
#[derive(Debug, Default)]
pub struct LedgerBuilder {
    enterprises: Vec<LedgerEnterprise>,
    index: HashMap<EnterpriseId, u32>,
    /// (enterprise, import order, event)
    events: Vec<(u32, u64, LedgerEvent)>,
    fx: FxTable,
}

impl LedgerBuilder {
    pub fn with_capacity(enterprises: usize, events: usize) -> Self {
        Self {
            enterprises: Vec::with_capacity(enterprises),
            index: HashMap::with_capacity(enterprises),
            events: Vec::with_capacity(events),
            fx: FxTable::default(),
        }
    }

    /// Adds an enterprise; a second one with the same id replaces the first.
    pub fn enterprise(&mut self, enterprise: LedgerEnterprise) {
        match self.index.get(&enterprise.id) {
            Some(&at) => self.enterprises[at as usize] = enterprise,
            None => {
                self.index
                    .insert(enterprise.id.clone(), self.enterprises.len() as u32);
                self.enterprises.push(enterprise);
            }
        }
    }

    /// Adds an event; `order` is its import order (later imports have larger
    /// numbers). Returns `false` when its enterprise is unknown.
    pub fn event(&mut self, enterprise: &str, order: u64, event: LedgerEvent) -> bool {
        match self.index.get(enterprise) {
            Some(&at) => {
                self.events.push((at, order, event));
                true
            }
            None => false,
        }
    }

    pub fn fx(&mut self, fx: FxTable) {
        self.fx = fx;
    }

    pub fn build(self) -> Ledger {
        let Self {
            enterprises,
            events: mut tagged,
            fx,
            ..
        } = self;
        // Order enterprises by id (byte order) and renumber events to match.
        let mut order: Vec<u32> = (0..enterprises.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            enterprises[a as usize]
                .id
                .as_str()
                .cmp(enterprises[b as usize].id.as_str())
        });
        let mut rank = vec![0u32; enterprises.len()];
        for (new, &old) in order.iter().enumerate() {
            rank[old as usize] = new as u32;
        }
        for (enterprise, _, _) in &mut tagged {
            *enterprise = rank[*enterprise as usize];
        }
        tagged.sort_unstable_by_key(|&(enterprise, seq, ref e)| (enterprise, e.date, seq));
        let mut slots: Vec<Option<LedgerEnterprise>> = enterprises.into_iter().map(Some).collect();
        let mut sorted: Vec<LedgerEnterprise> = order
            .iter()
            .map(|&old| slots[old as usize].take().expect("each taken once"))
            .collect();
        let mut events = Vec::with_capacity(tagged.len());
        let mut cursor = 0usize;
        for (at, enterprise) in sorted.iter_mut().enumerate() {
            let start = events.len() as u32;
            while cursor < tagged.len() && tagged[cursor].0 as usize == at {
                events.push(tagged[cursor].2);
                cursor += 1;
            }
            enterprise.events = start..events.len() as u32;
        }
        Ledger {
            enterprises: sorted,
            events,
            fx,
        }
    }
}

/// Tiers of every enterprise on every date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub dates: Vec<Date>,
    /// Row-major: enterprise by enterprise, one entry per date.
    tiers: Vec<Option<TierIndex>>,
}

impl Classification {
    /// The tier of the enterprise at `enterprise` (ledger position) on the `date`-th date.
    pub fn tier(&self, enterprise: usize, date: usize) -> Option<TierIndex> {
        self.tiers[enterprise * self.dates.len() + date]
    }

    /// The tiers of one enterprise, one per date.
    pub fn of(&self, enterprise: usize) -> &[Option<TierIndex>] {
        let n = self.dates.len();
        &self.tiers[enterprise * n..(enterprise + 1) * n]
    }
}

impl Ledger {
    /// Lays out a dataset: events keep the dataset's row order on equal dates,
    /// and a row equal to an earlier one is dropped.
    /// A ledger already laid out: enterprises in id order, each naming its
    /// events' range, events in the engine's order.
    pub(crate) fn from_parts(
        enterprises: Vec<LedgerEnterprise>,
        events: Vec<LedgerEvent>,
        fx: FxTable,
    ) -> Self {
        Self {
            enterprises,
            events,
            fx,
        }
    }

    pub fn from_dataset(dataset: &Dataset) -> Self {
        Self::build_from(dataset, true)
    }

    /// As [`Ledger::from_dataset`], for a dataset known to hold no two equal
    /// events (a store that dropped none while importing it, say): skips
    /// looking for them, which for millions of events costs time and memory.
    pub fn from_distinct_dataset(dataset: &Dataset) -> Self {
        Self::build_from(dataset, false)
    }

    fn build_from(dataset: &Dataset, drop_repeats: bool) -> Self {
        let mut builder =
            LedgerBuilder::with_capacity(dataset.enterprises.len(), dataset.events.len());
        for enterprise in &dataset.enterprises {
            builder.enterprise(LedgerEnterprise::from_enterprise(enterprise));
        }
        // The spec drops a row equal to an earlier one: it is the same event.
        let mut seen = EventSet::default();
        for (order, event) in dataset.events.iter().enumerate() {
            if drop_repeats && seen.is_repeat(&dataset.events, event, order) {
                continue;
            }
            builder.event(
                event.enterprise.as_str(),
                order as u64,
                LedgerEvent::from_event(event),
            );
        }
        builder.fx(FxTable::new(&dataset.fx));
        builder.build()
    }

    pub fn len(&self) -> usize {
        self.enterprises.len()
    }

    pub fn is_empty(&self) -> bool {
        self.enterprises.is_empty()
    }

    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Enterprises in id order.
    pub fn enterprises(&self) -> &[LedgerEnterprise] {
        &self.enterprises
    }

    /// The position of an enterprise, by id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.enterprises
            .binary_search_by(|e| e.id.as_str().cmp(id))
            .ok()
    }

    /// The events of the enterprise at `position`, in order.
    pub fn events_of(&self, position: usize) -> &[LedgerEvent] {
        let range = &self.enterprises[position].events;
        &self.events[range.start as usize..range.end as usize]
    }

    /// The enterprise at `position` as the engine sees it.
    pub fn subject(&self, position: usize) -> Subject<'_> {
        let e = &self.enterprises[position];
        Subject {
            founded: e.founded,
            country: e.country,
            region: e.region,
            industries: &e.industries,
            tags: &e.tags,
            events: self.events_of(position),
        }
    }

    /// The enterprise at `position` at the end of `date`.
    pub fn as_of(&self, position: usize, date: Date) -> AsOf<'_> {
        AsOf::new(self.subject(position), date, &self.fx)
    }

    /// Classifies every enterprise on every date, on all available cores.
    pub fn classify(&self, rules: &RuleSet, dates: &[Date]) -> Classification {
        let n = dates.len();
        let mut tiers = vec![None; self.enterprises.len() * n];
        if n == 0 || self.enterprises.is_empty() {
            return Classification {
                dates: dates.to_vec(),
                tiers,
            };
        }
        let workers = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(self.enterprises.len().div_ceil(4096))
            .max(1);
        let per_worker = self.enterprises.len().div_ceil(workers);
        std::thread::scope(|scope| {
            for (chunk, out) in tiers.chunks_mut(per_worker * n).enumerate() {
                scope.spawn(move || {
                    let first = chunk * per_worker;
                    for (offset, row) in out.chunks_mut(n).enumerate() {
                        let subject = self.subject(first + offset);
                        for (slot, &date) in row.iter_mut().zip(dates) {
                            *slot = rules.classify(&AsOf::new(subject, date, &self.fx));
                        }
                    }
                });
            }
        });
        Classification {
            dates: dates.to_vec(),
            tiers,
        }
    }
}
