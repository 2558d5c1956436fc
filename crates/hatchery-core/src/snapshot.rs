//! A ledger as bytes, which a store keeps beside its tables: loading a
//! million enterprises is then one pass over a few blobs instead of a parse
//! of every stored row. The tables stay the truth; a store writes a snapshot
//! for one revision and uses it only while that revision is the latest.
//!
//! The encoding is ours and versioned ([`FORMAT`]): a header part (counts and
//! exchange rates), then parts of whole enterprises with their events, each
//! part at most about [`PART_BYTES`], so that a reader holds one part at a
//! time. Every value is checked as it is read, like any stored text: a
//! damaged snapshot is an error, never a wrong ledger.

use std::ops::Range;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::criteria::LedgerEvent;
use crate::division::DivisionCode;
use crate::fx::FxTable;
use crate::ids::{Country, EnterpriseId, Exchange};
use crate::ledger::{Ledger, LedgerEnterprise};
use crate::model::EventKind;
use crate::money::{Currency, Money};

/// The version of the encoding; a snapshot of another version is not read.
pub const FORMAT: u32 = 1;

/// The size a part grows to before the next begins.
pub const PART_BYTES: usize = 16 << 20;

const MAGIC: &[u8; 8] = b"HATCHLDG";

/// Why a snapshot could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ledger snapshot: {0}")]
pub struct SnapshotError(String);

fn damaged(what: impl Into<String>) -> SnapshotError {
    SnapshotError(what.into())
}

/// The ledger in parts: the header first, then the enterprises.
pub fn encode(ledger: &Ledger) -> Vec<Vec<u8>> {
    let mut header = Writer::default();
    header.bytes(MAGIC);
    header.u32(FORMAT);
    header.u32(count(ledger.enterprises().len()));
    header.u32(count(ledger.event_count()));
    let rates: Vec<(Currency, Date, Decimal)> = ledger.fx.rows().collect();
    header.u32(count(rates.len()));
    for (currency, date, per_usd) in rates {
        header.bytes(currency.as_str().as_bytes());
        header.date(date);
        header.decimal(per_usd);
    }
    let mut parts = vec![header.0];
    let mut part = Writer::default();
    for (position, enterprise) in ledger.enterprises().iter().enumerate() {
        part.enterprise(enterprise, ledger.events_of(position));
        if part.0.len() >= PART_BYTES {
            parts.push(std::mem::take(&mut part.0));
        }
    }
    if !part.0.is_empty() {
        parts.push(part.0);
    }
    parts
}

fn count(n: usize) -> u32 {
    u32::try_from(n).expect("a ledger holds fewer than 2^32 enterprises and events")
}

/// Builds a ledger from a snapshot's parts, read one at a time.
#[derive(Debug)]
pub struct Decoder {
    enterprises: Vec<LedgerEnterprise>,
    events: Vec<LedgerEvent>,
    fx: FxTable,
    expected: (usize, usize),
}

impl Decoder {
    /// Starts from the header part.
    pub fn new(header: &[u8]) -> Result<Self, SnapshotError> {
        let mut r = Reader::new(header);
        if r.take(MAGIC.len())? != MAGIC {
            return Err(damaged("not a ledger snapshot"));
        }
        let format = r.u32()?;
        if format != FORMAT {
            return Err(damaged(format!(
                "format {format}, this version reads {FORMAT}"
            )));
        }
        let enterprises = r.u32()? as usize;
        let events = r.u32()? as usize;
        let mut fx = FxTable::default();
        for _ in 0..r.u32()? {
            let currency = r.currency()?;
            let date = r.date()?;
            fx.insert(currency, date, r.decimal()?);
        }
        r.end()?;
        Ok(Self {
            enterprises: Vec::with_capacity(enterprises),
            events: Vec::with_capacity(events),
            fx,
            expected: (enterprises, events),
        })
    }

    /// Reads one part of enterprises.
    pub fn part(&mut self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let mut r = Reader::new(bytes);
        while !r.is_empty() {
            let enterprise = r.enterprise(&mut self.events)?;
            if let Some(last) = self.enterprises.last()
                && last.id.as_str() >= enterprise.id.as_str()
            {
                return Err(damaged(format!("'{}' out of order", enterprise.id)));
            }
            self.enterprises.push(enterprise);
        }
        Ok(())
    }

    /// The ledger, once every part has been read.
    pub fn finish(self) -> Result<Ledger, SnapshotError> {
        let found = (self.enterprises.len(), self.events.len());
        if found != self.expected {
            return Err(damaged(format!(
                "{} enterprises and {} events, the header says {} and {}",
                found.0, found.1, self.expected.0, self.expected.1
            )));
        }
        Ok(Ledger::from_parts(self.enterprises, self.events, self.fx))
    }
}

/// Decodes a whole snapshot held in memory.
pub fn decode<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Result<Ledger, SnapshotError> {
    let mut parts = parts.into_iter();
    let header = parts.next().ok_or_else(|| damaged("no parts"))?;
    let mut decoder = Decoder::new(header)?;
    for part in parts {
        decoder.part(part)?;
    }
    decoder.finish()
}

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn bytes(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn u8(&mut self, value: u8) {
        self.0.push(value);
    }

    fn u32(&mut self, value: u32) {
        self.bytes(&value.to_le_bytes());
    }

    fn text(&mut self, text: &str) {
        self.u32(count(text.len()));
        self.bytes(text.as_bytes());
    }

    fn texts(&mut self, texts: &[String]) {
        self.u32(count(texts.len()));
        for text in texts {
            self.text(text);
        }
    }

    fn date(&mut self, date: Date) {
        self.bytes(&date.year().to_le_bytes());
        self.u8(date.month() as u8);
        self.u8(date.day() as u8);
    }

    fn decimal(&mut self, value: Decimal) {
        self.bytes(&value.serialize());
    }

    fn money(&mut self, money: Money) {
        self.decimal(money.amount);
        self.bytes(money.currency.as_str().as_bytes());
    }

    fn region(&mut self, region: Option<DivisionCode>) {
        self.u32(region.map_or(0, DivisionCode::value));
    }

    fn enterprise(&mut self, enterprise: &LedgerEnterprise, events: &[LedgerEvent]) {
        self.text(enterprise.id.as_str());
        self.date(enterprise.founded);
        self.bytes(enterprise.country.as_str().as_bytes());
        self.region(enterprise.region);
        match &enterprise.zone {
            Some(zone) => {
                self.u8(1);
                self.text(zone);
            }
            None => self.u8(0),
        }
        self.texts(&enterprise.industries);
        self.texts(&enterprise.tags);
        self.u32(count(events.len()));
        for event in events {
            self.event(event);
        }
    }

    fn event(&mut self, event: &LedgerEvent) {
        self.date(event.date);
        self.u8(kind_code(event.kind));
        let flags = u8::from(event.amount.is_some())
            | u8::from(event.valuation.is_some()) << 1
            | u8::from(event.exchange.is_some()) << 2;
        self.u8(flags);
        if let Some(amount) = event.amount {
            self.money(amount);
        }
        if let Some(valuation) = event.valuation {
            self.money(valuation);
        }
        if let Some(exchange) = event.exchange {
            let code = exchange.as_str();
            self.u8(code.len() as u8);
            self.bytes(code.as_bytes());
        }
        self.region(event.region);
    }
}

fn kind_code(kind: EventKind) -> u8 {
    match kind {
        EventKind::Funding => 0,
        EventKind::Valuation => 1,
        EventKind::Listing => 2,
        EventKind::Acquired => 3,
        EventKind::Closed => 4,
        EventKind::Relocated => 5,
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    fn is_empty(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn end(&self) -> Result<(), SnapshotError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(damaged("bytes after the end"))
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        let range: Range<usize> = self.at..self.at + n;
        let taken = self.bytes.get(range).ok_or_else(|| damaged("cut short"))?;
        self.at += n;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], SnapshotError> {
        Ok(self.take(N)?.try_into().expect("N bytes taken"))
    }

    fn u8(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32, SnapshotError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn str(&mut self) -> Result<&'a str, SnapshotError> {
        let len = self.u32()? as usize;
        std::str::from_utf8(self.take(len)?).map_err(|_| damaged("text is not UTF-8"))
    }

    fn texts(&mut self) -> Result<Vec<String>, SnapshotError> {
        let n = self.u32()? as usize;
        // Bounded by what is left, so a damaged count cannot ask for memory.
        let mut texts = Vec::with_capacity(n.min(self.bytes.len() - self.at));
        for _ in 0..n {
            texts.push(self.str()?.to_owned());
        }
        Ok(texts)
    }

    fn date(&mut self) -> Result<Date, SnapshotError> {
        let year = i16::from_le_bytes(self.array()?);
        let month = self.u8()? as i8;
        let day = self.u8()? as i8;
        Date::new(year, month, day).map_err(|e| damaged(format!("a date: {e}")))
    }

    fn decimal(&mut self) -> Result<Decimal, SnapshotError> {
        Ok(Decimal::deserialize(self.array()?))
    }

    fn currency(&mut self) -> Result<Currency, SnapshotError> {
        let code = self.take(3)?;
        std::str::from_utf8(code)
            .ok()
            .and_then(|code| Currency::parse(code).ok())
            .ok_or_else(|| damaged("a currency"))
    }

    fn money(&mut self) -> Result<Money, SnapshotError> {
        let amount = self.decimal()?;
        Ok(Money::new(amount, self.currency()?))
    }

    fn region(&mut self) -> Result<Option<DivisionCode>, SnapshotError> {
        match self.u32()? {
            0 => Ok(None),
            code => DivisionCode::from_value(code)
                .map(Some)
                .ok_or_else(|| damaged(format!("region {code}"))),
        }
    }

    fn enterprise(
        &mut self,
        events: &mut Vec<LedgerEvent>,
    ) -> Result<LedgerEnterprise, SnapshotError> {
        let id = EnterpriseId::parse(self.str()?).map_err(|e| damaged(format!("an id: {e}")))?;
        let founded = self.date()?;
        let country = std::str::from_utf8(self.take(2)?)
            .ok()
            .and_then(|code| Country::parse(code).ok())
            .ok_or_else(|| damaged(format!("{id}: a country")))?;
        let region = self.region()?;
        let zone = match self.u8()? {
            0 => None,
            _ => Some(self.str()?.to_owned()),
        };
        let industries = self.texts()?;
        let tags = self.texts()?;
        let start = events.len();
        for _ in 0..self.u32()? {
            events.push(self.event()?);
        }
        let end = events.len();
        let mut enterprise =
            LedgerEnterprise::new(id, founded, country, region, zone, industries, tags);
        enterprise.set_events(count(start)..count(end));
        Ok(enterprise)
    }

    fn event(&mut self) -> Result<LedgerEvent, SnapshotError> {
        let date = self.date()?;
        let kind = match self.u8()? {
            0 => EventKind::Funding,
            1 => EventKind::Valuation,
            2 => EventKind::Listing,
            3 => EventKind::Acquired,
            4 => EventKind::Closed,
            5 => EventKind::Relocated,
            other => return Err(damaged(format!("event kind {other}"))),
        };
        let flags = self.u8()?;
        let amount = if flags & 1 != 0 {
            Some(self.money()?)
        } else {
            None
        };
        let valuation = if flags & 2 != 0 {
            Some(self.money()?)
        } else {
            None
        };
        let exchange = if flags & 4 != 0 {
            let len = self.u8()? as usize;
            let code = std::str::from_utf8(self.take(len)?).map_err(|_| damaged("an exchange"))?;
            Some(Exchange::parse(code).map_err(|_| damaged(format!("exchange {code}")))?)
        } else {
            None
        };
        let region = self.region()?;
        Ok(LedgerEvent {
            date,
            kind,
            amount,
            valuation,
            exchange,
            region,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::LedgerBuilder;
    use jiff::civil::date;

    fn money(amount: i64, currency: &str) -> Option<Money> {
        Some(Money::new(
            Decimal::new(amount, 2),
            Currency::parse(currency).unwrap(),
        ))
    }

    /// Enterprises with and without every optional part, events of every
    /// kind, rates of two currencies.
    fn sample() -> Ledger {
        let mut builder = LedgerBuilder::default();
        let region = DivisionCode::parse("440305").ok();
        builder.enterprise(LedgerEnterprise::new(
            EnterpriseId::parse("深圳-α").unwrap(),
            date(2016, 2, 29),
            Country::CN,
            region,
            Some("shenzhen-hi-tech".into()),
            vec!["ai".into(), "robotics".into()],
            vec!["future:6g".into()],
        ));
        builder.enterprise(LedgerEnterprise::new(
            EnterpriseId::parse("b").unwrap(),
            date(1999, 1, 1),
            Country::parse("US").unwrap(),
            None,
            None,
            vec![],
            vec![],
        ));
        for (order, kind) in EventKind::ALL.into_iter().enumerate() {
            builder.event(
                "深圳-α",
                order as u64,
                LedgerEvent {
                    date: date(2020, 1, 1 + order as i8),
                    kind,
                    amount: money(123_456_789, "CNY"),
                    valuation: (kind != EventKind::Closed)
                        .then(|| money(708_270_000_000, "CNY"))
                        .flatten(),
                    exchange: (kind == EventKind::Listing)
                        .then(|| Exchange::parse("NEEQ").unwrap()),
                    region: (kind == EventKind::Relocated)
                        .then(|| DivisionCode::parse("110108").unwrap()),
                },
            );
        }
        let mut fx = FxTable::default();
        fx.insert(
            Currency::parse("CNY").unwrap(),
            date(2019, 12, 31),
            Decimal::new(70827, 4),
        );
        fx.insert(
            Currency::parse("HKD").unwrap(),
            date(2020, 6, 30),
            Decimal::new(7751, 3),
        );
        builder.fx(fx);
        builder.build()
    }

    #[test]
    fn a_ledger_survives_the_round_trip() {
        let ledger = sample();
        assert!(ledger.event_count() > 0);
        let parts = encode(&ledger);
        let decoded = decode(parts.iter().map(Vec::as_slice)).unwrap();
        assert_eq!(decoded, ledger);
    }

    #[test]
    fn damage_is_an_error_not_a_ledger() {
        let ledger = sample();
        let parts = encode(&ledger);
        // Cut short.
        let mut cut = parts.clone();
        let last = cut.last_mut().unwrap();
        last.truncate(last.len() - 3);
        assert!(decode(cut.iter().map(Vec::as_slice)).is_err());
        // A part missing.
        assert!(decode(parts[..1].iter().map(Vec::as_slice)).is_err());
        // Another format.
        let mut other = parts.clone();
        other[0][8] = 99;
        let error = decode(other.iter().map(Vec::as_slice)).unwrap_err();
        assert!(error.to_string().contains("format 99"), "{error}");
    }
}
