//! The criteria engine: declarative, versioned rule sets that decide an
//! enterprise's tier as of any date, each decision with its reasons.

mod condition;
mod decision;
mod facts;
mod ruleset;

pub use condition::{Condition, Threshold, TierCondition};
pub use decision::{Check, ClauseOutcome, Decision, TierOutcome};
pub use facts::{AsOf, LedgerEvent, PoolStanding, Standing, Subject, TierStanding, ValuationFact};
pub use ruleset::{Clause, RuleSet, RuleSetError, Tier, TierIndex, builtin_names, builtin_source};
