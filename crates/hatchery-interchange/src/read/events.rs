//! Rows of `events.csv`.

use hatchery_core::date::parse_date;
use hatchery_core::{
    Amount, Currency, DivisionCode, EnterpriseId, Event, EventKind, EventSet, Exchange,
};

use super::references::References;
use super::row::RowReader;
use crate::columns::FileKind;
use crate::rules::{self, EventCells};

/// The events read so far; a row equal to an earlier one is dropped.
#[derive(Debug, Default)]
pub(crate) struct Events {
    pub rows: Vec<Event>,
    pub lines: Vec<u64>,
    pub duplicates_dropped: u64,
    seen: EventSet,
}

impl Events {
    /// Reads one row.
    pub(crate) fn read(&mut self, mut row: RowReader<'_>, refs: &mut References) {
        let line = row.line();
        let enterprise = row.required("enterprise", EnterpriseId::parse);
        if let Some(id) = &enterprise {
            refs.used(id, FileKind::Events, line);
        }
        let date = row.required("date", parse_date);
        let kind = row.required("kind", str::parse::<EventKind>);
        let round = row.optional_text("round");
        let amount = row.optional("amount", Amount::parse);
        let valuation = row.optional("valuation", Amount::parse);
        let currency = row.optional("currency", Currency::parse);
        let investors = row.optional_text("investors");
        let exchange = row.optional("exchange", Exchange::parse);
        let region = row.optional("region", DivisionCode::parse);
        let source = row.optional_text("source");
        let extra = row.extra();
        if let Some(kind) = kind {
            let cells = EventCells {
                kind,
                amount: row.present("amount"),
                valuation: row.present("valuation"),
                currency: row.present("currency"),
                exchange: row.present("exchange"),
                region: row.present("region"),
            };
            for (column, message) in rules::event_missing(cells) {
                row.problem(column, message);
            }
        }
        let (Some(enterprise), Some(date), Some(kind)) = (enterprise, date, kind) else {
            return;
        };
        if row.failed() {
            return;
        }
        let event = Event {
            enterprise,
            date,
            kind,
            round,
            amount,
            valuation,
            currency,
            investors,
            exchange,
            region,
            source,
            extra,
        };
        if self.seen.is_repeat(&self.rows, &event, self.rows.len()) {
            self.duplicates_dropped += 1;
            return;
        }
        self.rows.push(event);
        self.lines.push(line);
    }
}
