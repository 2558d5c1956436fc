//! Cultivation services as pure domain logic: enterprises' requests (诉求)
//! and their state machine, the clocks that time them on China's working
//! calendar, and the performance figures computed from their timestamps.
//!
//! As in [`crate::workflow`], nothing here touches a database or a clock:
//! "now" is an argument, so every decision and every figure can be replayed.

pub mod book;
pub mod catalogue;
pub mod clocks;
pub mod kpi;
pub mod policy;
pub mod profile;
pub mod request;
pub mod revisit;
pub mod steward;

pub use book::{ClockBook, ClockBookError};
pub use clocks::{ClassClock, ClockError, ClockSet, ClockStatus, Dues, Limit, RequestClass};
pub use request::{
    Deadline, Level, RequestAction, RequestActor, RequestChannel, RequestCircumstances,
    RequestCommand, RequestError, RequestFacts, RequestForm, RequestId, RequestState,
    RequestTransition, decide_request, due_escalation, may_file,
};
