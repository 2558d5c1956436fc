//! The format's rules about one row that tie several cells together. The
//! reader enforces them on what it reads; the writers refuse rows that break
//! them, so whatever they write reads back.

use hatchery_core::{Amount, Currency, EventKind};
use rust_decimal::Decimal;

use crate::problem::clip;

/// The longest `name`, in characters.
pub(crate) const NAME_MAX_CHARS: usize = 200;

/// Why an enterprise name is not acceptable, if it is not.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    let chars = name.chars().count();
    (chars > NAME_MAX_CHARS)
        .then(|| format!("a name has 1 to {NAME_MAX_CHARS} characters, found {chars}"))
}

/// Which cells an event row has, for the rules that depend on its kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventCells {
    pub kind: EventKind,
    pub amount: bool,
    pub valuation: bool,
    pub currency: bool,
    pub exchange: bool,
    pub region: bool,
}

/// The cells an event lacks, as `(column, message)`.
pub(crate) fn event_missing(cells: EventCells) -> Vec<(&'static str, &'static str)> {
    let mut missing = Vec::new();
    if cells.kind == EventKind::Valuation && !cells.valuation {
        missing.push(("valuation", "required for kind 'valuation'"));
    }
    if (cells.amount || cells.valuation) && !cells.currency {
        missing.push(("currency", "required when amount or valuation is given"));
    }
    if cells.kind == EventKind::Listing && !cells.exchange {
        missing.push(("exchange", "required for kind 'listing'"));
    }
    if cells.kind == EventKind::Relocated && !cells.region {
        missing.push((
            "region",
            "required for kind 'relocated' (the new division code)",
        ));
    }
    missing
}

/// Why a rate is not acceptable, if it is not.
pub(crate) fn per_usd_problem(currency: Option<Currency>, per_usd: &Amount) -> Option<String> {
    if per_usd.value() <= Decimal::ZERO {
        return Some(format!(
            "'{}' must be greater than zero",
            clip(per_usd.as_str())
        ));
    }
    // USD is the base every rate is quoted against.
    if currency == Some(Currency::USD) && per_usd.value() != Decimal::ONE {
        return Some(format!(
            "'{}' for USD: the US dollar is the base, its rate is 1",
            clip(per_usd.as_str())
        ));
    }
    None
}
