//! "Enter once" (issue 14): the dated facts an enterprise, its steward or an
//! official in its jurisdiction confirmed or corrected about what the
//! system holds, as stored. A fact is appended, never changed: the latest
//! fact of a field (by effective date, then by the order recorded) is the
//! value the profile shows.
//!
//! A correction that the ledger itself holds goes to the ledger in the same
//! transaction: a region as a `relocated` event dated the day of the move,
//! a financial figure as the financials row of its year. The fact records
//! who made it and, for financials, the value it replaced.

use std::fmt;
use std::str::FromStr;

use hatchery_core::workflow::AccountId;
use hatchery_core::{Dataset, EnterpriseId, Financials};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Which held value a fact is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileField {
    /// The English name.
    NameEn,
    /// Industry keys, `;`-separated.
    Industries,
    ContactName,
    ContactPhone,
    ContactEmail,
    /// A move: the division code of the registered address from the
    /// effective day (a `relocated` event in the ledger).
    Region,
    /// A financial figure of one year (the ledger's financials row).
    Revenue,
    RdExpense,
    Employees,
}

impl ProfileField {
    pub const ALL: [Self; 9] = [
        Self::NameEn,
        Self::Industries,
        Self::ContactName,
        Self::ContactPhone,
        Self::ContactEmail,
        Self::Region,
        Self::Revenue,
        Self::RdExpense,
        Self::Employees,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NameEn => "name_en",
            Self::Industries => "industries",
            Self::ContactName => "contact_name",
            Self::ContactPhone => "contact_phone",
            Self::ContactEmail => "contact_email",
            Self::Region => "region",
            Self::Revenue => "revenue",
            Self::RdExpense => "rd_expense",
            Self::Employees => "employees",
        }
    }

    /// A figure of the financials row of a year.
    pub fn is_financial(self) -> bool {
        matches!(self, Self::Revenue | Self::RdExpense | Self::Employees)
    }
}

impl fmt::Display for ProfileField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a text is not a correctable field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a field that can be corrected (name_en, industries, contact_name, contact_phone, contact_email, region, revenue, rd_expense, employees)"
)]
pub struct ProfileFieldError(pub String);

impl FromStr for ProfileField {
    type Err = ProfileFieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| ProfileFieldError(s.to_owned()))
    }
}

/// A fact as recorded (never changed afterwards).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileFact {
    pub id: i64,
    pub enterprise: EnterpriseId,
    pub field: ProfileField,
    /// The value as checked: a division code, an amount's text, a count,
    /// industry keys joined by `;`, or the text given.
    pub value: String,
    /// The value the fact replaced, as held when it was recorded.
    pub previous: Option<String>,
    /// The day the value holds from.
    pub effective_on: Date,
    /// The year of a financial figure.
    pub year: Option<i16>,
    /// The currency of a money figure.
    pub currency: Option<String>,
    /// The holder confirmed the value held (no change).
    pub confirms: bool,
    pub recorded_by: Option<AccountId>,
    pub recorded_name: String,
    pub recorded_at: Timestamp,
}

/// A fact to append, with what it changes in the ledger (an empty dataset
/// for the fields only the facts hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProfileFact {
    pub enterprise: EnterpriseId,
    pub field: ProfileField,
    pub value: String,
    pub previous: Option<String>,
    pub effective_on: Date,
    pub year: Option<i16>,
    pub currency: Option<String>,
    pub confirms: bool,
    /// Written to the ledger in the same transaction (a `relocated` event,
    /// or a financials row), as an import from `ledger_origin`.
    pub ledger: Dataset,
    /// The jurisdiction the audit entry is filed under.
    pub filed_under: String,
}

impl NewProfileFact {
    /// The origin of the import that carries the ledger part.
    pub fn ledger_origin(&self, actor_name: &str) -> String {
        format!("correction:{}:{actor_name}", self.field)
    }

    /// Whether the fact writes to the ledger too.
    pub fn has_ledger_part(&self) -> bool {
        !(self.ledger.enterprises.is_empty()
            && self.ledger.events.is_empty()
            && self.ledger.financials.is_empty())
    }

    /// The fact as stored under `id`, recorded by `acting` at `at`.
    pub fn stored(&self, id: i64, acting: &crate::workflow::Acting, at: Timestamp) -> ProfileFact {
        ProfileFact {
            id,
            enterprise: self.enterprise.clone(),
            field: self.field,
            value: self.value.clone(),
            previous: self.previous.clone(),
            effective_on: self.effective_on,
            year: self.year,
            currency: self.currency.clone(),
            confirms: self.confirms,
            recorded_by: acting.actor,
            recorded_name: acting.actor_name.clone(),
            recorded_at: at,
        }
    }
}

/// A financials row and the import that brought its current values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFinancials {
    pub row: Financials,
    /// The import's origin (`correction:…` for a correction).
    pub origin: String,
    /// When the import ran (RFC 3339).
    pub at: String,
}

/// What the store holds for an enterprise's profile beyond its row and
/// events: the facts in the order recorded and its financials by year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProfileRecords {
    pub facts: Vec<ProfileFact>,
    pub financials: Vec<StoredFinancials>,
    /// The origin and time of the import that brought the enterprise's
    /// current row.
    pub row_origin: Option<(String, String)>,
}

/// The audit record of a fact: `profile.correct` (or `profile.confirm`) of
/// `enterprise:ID`, the fact as the image after.
pub fn fact_audit_record(
    acting: &crate::workflow::Acting,
    fact: &ProfileFact,
    filed_under: &str,
) -> hatchery_core::workflow::audit::AuditRecord {
    hatchery_core::workflow::audit::AuditRecord {
        at: hatchery_core::workflow::truncate_instant(acting.at),
        actor: acting.actor,
        actor_name: acting.actor_name.clone(),
        jurisdiction: filed_under.to_owned(),
        action: if fact.confirms {
            "profile.confirm"
        } else {
            "profile.correct"
        }
        .into(),
        subject: format!("enterprise:{}", fact.enterprise),
        before: None,
        after: serde_json::to_string(fact).ok(),
    }
}
