//! Hatchery's pure domain core: identifiers that can only hold valid values,
//! money as exact decimals, the ledger's records, and the criteria engine that
//! decides tiers as of any date. Nothing here does I/O or reads a clock.
#![forbid(unsafe_code)]

pub mod criteria;
pub mod date;
pub mod division;
pub mod exact;
pub mod fx;
pub mod ids;
pub mod ledger;
pub mod model;
pub mod money;
mod repeats;
pub mod services;
pub mod snapshot;
pub mod targets;
pub mod text;
pub mod uscc;
pub mod workflow;

pub use criteria::{Decision, RuleSet, TierIndex};
pub use division::DivisionCode;
pub use fx::FxTable;
pub use ids::{Country, EnterpriseId, Exchange};
pub use ledger::{Classification, Ledger, LedgerBuilder, LedgerEnterprise};
pub use model::{Dataset, Enterprise, Event, EventKind, Financials, FxRate};
pub use money::{Amount, Currency, Money};
pub use repeats::EventSet;
pub use uscc::Uscc;
