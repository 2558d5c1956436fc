//! Policies for enterprises (惠企政策): a jurisdiction publishes a policy and
//! its items (事项); each item's eligibility is a rule set in the criteria
//! engine's own language, so "who qualifies for this item as of a day" is a
//! criteria run; a match then moves through redemption (兑现), whose time
//! from application (or, under 免申即享, from the push) to payment is
//! counted in China's working days.
//!
//! Sources (research/cultivation-services.md §2.1, §2.3, §9.2): Sichuan's
//! 川办函〔2024〕17号 names the classes 减免/奖补/权益/资质, the modes 免申即享 /
//! 快申快享 and the 60-working-day limit from application to payment under
//! 快申快享. The other modes have no published national limit: an item sets
//! its own, or has none.

use std::fmt;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::request::{FieldProblem, MAX_NAME_CHARS};
use crate::criteria::{AsOf, Decision, RuleSet, Standing};
use crate::ids::EnterpriseId;
use crate::ledger::Ledger;
use crate::workflow::account::Role;
use crate::workflow::calendar::{CalendarError, WorkingCalendar};
use crate::workflow::jurisdiction::{Jurisdiction, Placement, Scope};
use crate::workflow::permission::Capability;

macro_rules! keyed_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the order the API lists them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The key used in the API and the store.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $key),+
                }
            }

            /// Parses [`Self::as_str`]'s output.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

macro_rules! number {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

number!(
    /// A policy's number, as the store assigns it.
    PolicyId
);
number!(
    /// A policy item's number.
    PolicyItemId
);
number!(
    /// A match's number.
    PolicyMatchId
);

keyed_enum! {
    /// Where a policy stands.
    PolicyState {
        /// Being written: items may be added; nobody is matched.
        Draft => "draft",
        /// In force: matched and redeemed.
        Published => "published",
        /// Withdrawn with a reason; its matches stay on record.
        Withdrawn => "withdrawn",
    }
}

keyed_enum! {
    /// What an item gives (Sichuan's four classes).
    ItemClass {
        /// 减免: a reduction or exemption (taxes, fees, rent).
        Reduction => "reduction",
        /// 奖补: an award or subsidy paid out.
        Award => "award",
        /// 权益: an entitlement (a right, a service, a priority).
        Entitlement => "entitlement",
        /// 资质: a qualification or recognition.
        Qualification => "qualification",
    }
}

keyed_enum! {
    /// How an item is redeemed.
    RedemptionMode {
        /// 免申即享: granted from the data held, without an application.
        NoApplication => "no_application",
        /// 快申快享: a short application, paid within a published limit.
        FastApplication => "fast_application",
        /// 申报: a regular application and review.
        Regular => "regular",
    }
}

impl RedemptionMode {
    /// The payment limit in working days an item of this mode has unless it
    /// sets its own: 60 under 快申快享 (川办函〔2024〕17号); none otherwise.
    pub fn default_limit(self) -> Option<u32> {
        match self {
            Self::FastApplication => Some(60),
            Self::NoApplication | Self::Regular => None,
        }
    }

    /// Whether the enterprise applies (or is granted without applying).
    pub fn needs_application(self) -> bool {
        self != Self::NoApplication
    }
}

/// How much an item gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AmountRule {
    /// A fixed amount in yuan.
    Fixed {
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        amount: Decimal,
    },
    /// Up to a cap in yuan, by a rule written out.
    Capped {
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        cap: Decimal,
        rule: String,
    },
    /// No amount (an entitlement or a qualification).
    None,
}

/// The longest policy title, issuer, document number or rule text.
pub const MAX_POLICY_TEXT: usize = 2000;
/// The longest eligibility rule set accepted.
pub const MAX_ELIGIBILITY_CHARS: usize = 20_000;
/// The longest payment limit an item may set: a year of working days.
pub const MAX_LIMIT_DAYS: u32 = 366;

fn check_text(
    field: &'static str,
    value: &str,
    limit: usize,
    required: bool,
) -> Option<FieldProblem> {
    let problem = |problem: String| Some(FieldProblem { field, problem });
    if required && value.trim().is_empty() {
        return problem("required".into());
    }
    let count = value.chars().count();
    if count > limit {
        return problem(format!("at most {limit} characters, found {count}"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return problem("control characters are not allowed".into());
    }
    None
}

/// A policy as an official writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyForm {
    /// The issuing body, e.g. `沈阳市人民政府办公室`.
    pub issuer: String,
    /// The document number, e.g. `沈政办发〔2024〕12号`.
    pub document_number: String,
    pub title: String,
    /// Where the text is published (http or https), if anywhere.
    #[serde(default)]
    pub source_url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub published_on: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub valid_from: Date,
    /// The last day in force (none: until withdrawn).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_until: Option<Date>,
}

impl PolicyForm {
    /// Every problem that keeps the policy from being recorded, each naming its field.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut problems: Vec<FieldProblem> = [
            check_text("issuer", &self.issuer, MAX_NAME_CHARS, true),
            check_text(
                "document_number",
                &self.document_number,
                MAX_NAME_CHARS,
                true,
            ),
            check_text("title", &self.title, MAX_NAME_CHARS, true),
        ]
        .into_iter()
        .flatten()
        .collect();
        if let Some(url) = &self.source_url {
            let lower = url.to_ascii_lowercase();
            if !(lower.starts_with("https://") || lower.starts_with("http://"))
                || url.chars().any(char::is_whitespace)
                || url.len() > MAX_POLICY_TEXT
            {
                problems.push(FieldProblem {
                    field: "source_url",
                    problem: "an http(s) address without spaces".into(),
                });
            }
        }
        if self
            .valid_until
            .is_some_and(|until| until < self.valid_from)
        {
            problems.push(FieldProblem {
                field: "valid_until",
                problem: "ends before valid_from".into(),
            });
        }
        problems
    }

    /// Whether the policy is in force on `day`.
    pub fn in_force_on(&self, day: Date) -> bool {
        self.valid_from <= day && self.valid_until.is_none_or(|until| day <= until)
    }
}

/// An item as an official writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemForm {
    pub title: String,
    pub class: ItemClass,
    pub amount: AmountRule,
    pub mode: RedemptionMode,
    /// Working days from application (免申即享: from the push) to payment;
    /// none: the mode's default ([`RedemptionMode::default_limit`]).
    #[serde(default)]
    pub payment_limit_days: Option<u32>,
    /// Who is eligible: a rule set in the criteria engine's TOML language
    /// with exactly one tier (e.g. key `eligible`).
    pub eligibility: String,
}

/// An item checked: its form, its eligibility parsed, its limit settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedItem {
    pub form: ItemForm,
    pub rules: RuleSet,
    pub payment_limit_days: Option<u32>,
}

/// Parses an item's eligibility: a rule set with one tier. A text that does
/// not parse is refused with the rule-set error (which names the line and
/// column of a syntax error), under the field `eligibility`.
pub fn parse_eligibility(text: &str) -> Result<RuleSet, FieldProblem> {
    let problem = |problem: String| FieldProblem {
        field: "eligibility",
        problem,
    };
    if let Some(p) = check_text("eligibility", text, MAX_ELIGIBILITY_CHARS, true) {
        return Err(p);
    }
    let rules = RuleSet::from_toml(text).map_err(|e| problem(e.to_string()))?;
    if rules.tiers.len() != 1 {
        return Err(problem(format!(
            "an item's eligibility has exactly one tier (e.g. key = \"eligible\"), found {}",
            rules.tiers.len()
        )));
    }
    Ok(rules)
}

impl ItemForm {
    /// The item checked, or every problem, each naming its field.
    pub fn check(self) -> Result<CheckedItem, Vec<FieldProblem>> {
        let mut problems: Vec<FieldProblem> =
            check_text("title", &self.title, MAX_NAME_CHARS, true)
                .into_iter()
                .collect();
        match &self.amount {
            AmountRule::Fixed { amount } if amount.is_sign_negative() || amount.is_zero() => {
                problems.push(FieldProblem {
                    field: "amount",
                    problem: "a fixed amount is more than zero yuan".into(),
                });
            }
            AmountRule::Capped { cap, rule } => {
                if cap.is_sign_negative() || cap.is_zero() {
                    problems.push(FieldProblem {
                        field: "amount",
                        problem: "a cap is more than zero yuan".into(),
                    });
                }
                problems.extend(check_text("amount_rule", rule, MAX_POLICY_TEXT, true));
            }
            _ => {}
        }
        if let Some(days) = self.payment_limit_days
            && !(1..=MAX_LIMIT_DAYS).contains(&days)
        {
            problems.push(FieldProblem {
                field: "payment_limit_days",
                problem: format!("a whole number of working days from 1 to {MAX_LIMIT_DAYS}"),
            });
        }
        let rules = parse_eligibility(&self.eligibility);
        match rules {
            Ok(rules) if problems.is_empty() => Ok(CheckedItem {
                payment_limit_days: self
                    .payment_limit_days
                    .or_else(|| self.mode.default_limit()),
                form: self,
                rules,
            }),
            Ok(_) => Err(problems),
            Err(p) => {
                problems.push(p);
                Err(problems)
            }
        }
    }
}

/// Whether an enterprise qualifies for an item on the day: the item's rule
/// set decided over the facts, with every reason. It qualifies when the
/// decision has a tier ([`RuleSet::classify`] gives the same verdict).
pub fn eligibility_decision(rules: &RuleSet, facts: &AsOf<'_>) -> Decision {
    rules.decide(facts)
}

/// An enterprise found eligible for an item on a day, with the reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Eligible {
    /// Its position in the ledger.
    pub position: usize,
    pub decision: Decision,
}

/// Runs an item's eligibility over the ledger's enterprises at `positions`
/// on `day`, each with the standing `standing_of` gives it (its tiers
/// under other rule sets, pool membership, zone): the enterprises the
/// engine puts in the item's tier, each with its explained decision. The
/// fast verdict ([`RuleSet::classify`]) picks them; only those are explained.
pub fn run_eligibility(
    ledger: &Ledger,
    rules: &RuleSet,
    day: Date,
    positions: impl IntoIterator<Item = usize>,
    standing_of: impl Fn(usize) -> Standing,
) -> Vec<Eligible> {
    let mut found = Vec::new();
    for position in positions {
        let standing = standing_of(position);
        let facts = ledger.as_of(position, day).with_standing(&standing);
        if rules.classify(&facts).is_some() {
            found.push(Eligible {
                position,
                decision: rules.decide(&facts),
            });
        }
    }
    found
}

/// Every jurisdiction whose policies reach an enterprise placed here: the
/// nation, its province, city and district, and its zone.
pub fn jurisdictions_over(placement: &Placement) -> Vec<Jurisdiction> {
    let mut over = vec![Jurisdiction::Nation];
    over.extend(
        [placement.province, placement.city, placement.district]
            .into_iter()
            .flatten()
            .map(Jurisdiction::Division),
    );
    over.dedup();
    if let Some(zone) = &placement.zone {
        over.push(Jurisdiction::Zone(zone.clone()));
    }
    over
}

/// The jurisdictions whose policies reach everything in `zone`: the nation,
/// and the province, city and district the zone lies in. A zone official
/// reads them, as the zone's enterprises are matched by them.
pub fn jurisdictions_over_zone(zone: &crate::workflow::Zone) -> Vec<Jurisdiction> {
    let mut over = vec![
        Jurisdiction::Nation,
        Jurisdiction::Division(zone.province()),
        Jurisdiction::Division(zone.city),
    ];
    over.extend(zone.district.map(Jurisdiction::Division));
    over.dedup();
    over
}

/// The jurisdictions strictly above an official's scope, whose policies
/// reach everything in it (a zone's province is known only with the zone's
/// record: only the nation is listed here; see [`jurisdictions_over_zone`]).
pub fn jurisdictions_above(scope: &Scope) -> Vec<Jurisdiction> {
    match scope {
        Scope::All | Scope::Enterprise(_) => Vec::new(),
        Scope::Province(_) | Scope::Zone(_) => vec![Jurisdiction::Nation],
        Scope::City(code) => {
            let mut above = vec![
                Jurisdiction::Nation,
                Jurisdiction::Division(code.province()),
            ];
            above.dedup();
            above.retain(|j| *j != Jurisdiction::Division(*code));
            above
        }
        Scope::District(code) => {
            let mut above = vec![
                Jurisdiction::Nation,
                Jurisdiction::Division(code.province()),
                Jurisdiction::Division(code.city()),
            ];
            above.dedup();
            above.retain(|j| *j != Jurisdiction::Division(*code));
            above
        }
    }
}

keyed_enum! {
    /// Where a match stands in redemption.
    MatchState {
        /// Found eligible by the engine.
        Matched => "matched",
        /// Pushed to the enterprise by the jurisdiction (政策找企业).
        Pushed => "pushed",
        /// Granted without an application (免申即享).
        Granted => "granted",
        /// Applied for by the enterprise.
        Applied => "applied",
        /// Being reviewed.
        UnderReview => "under_review",
        /// Approved; awaiting payment.
        Approved => "approved",
        /// Rejected with a written reason the enterprise reads.
        Rejected => "rejected",
        /// Paid (or, for a reduction, applied).
        Paid => "paid",
    }
}

impl MatchState {
    /// Whether nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Rejected | Self::Paid)
    }
}

keyed_enum! {
    /// A step of redemption.
    RedemptionAction {
        Push => "push",
        Grant => "grant",
        Apply => "apply",
        Review => "review",
        Approve => "approve",
        Reject => "reject",
        Pay => "pay",
    }
}

/// A step someone asks to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedemptionCommand {
    /// The jurisdiction pushes the match to the enterprise.
    Push,
    /// Granted without an application (免申即享 only).
    Grant,
    /// The enterprise applies (快申快享, 申报).
    Apply {
        note: Option<String>,
    },
    /// The office starts reviewing the application.
    Review,
    Approve,
    /// Rejected: a written reason is required.
    Reject {
        reason: String,
    },
    /// Paid, after an approval or a grant.
    Pay,
}

impl RedemptionCommand {
    pub fn action(&self) -> RedemptionAction {
        match self {
            Self::Push => RedemptionAction::Push,
            Self::Grant => RedemptionAction::Grant,
            Self::Apply { .. } => RedemptionAction::Apply,
            Self::Review => RedemptionAction::Review,
            Self::Approve => RedemptionAction::Approve,
            Self::Reject { .. } => RedemptionAction::Reject,
            Self::Pay => RedemptionAction::Pay,
        }
    }
}

/// Who asks.
#[derive(Debug, Clone, Copy)]
pub struct RedemptionActor<'a> {
    pub role: Role,
    pub scope: &'a Scope,
}

/// What is known about a match when a step is asked for.
#[derive(Debug, Clone, Copy)]
pub struct MatchFacts<'a> {
    pub state: MatchState,
    pub mode: RedemptionMode,
    pub enterprise: &'a EnterpriseId,
    /// Where the enterprise sat when it was matched.
    pub placement: &'a Placement,
}

/// A step that may be taken: what the store must write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedemptionTransition {
    pub action: RedemptionAction,
    pub from: MatchState,
    pub to: MatchState,
    /// The reason or note, trimmed.
    pub text: Option<String>,
}

/// Why a step cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedemptionError {
    #[error("a {role} account cannot {action} policy matches")]
    NotPermitted {
        role: Role,
        action: RedemptionAction,
    },
    #[error("the match is outside the account's jurisdiction")]
    OutOfScope,
    #[error("cannot {action} a match that is {state}")]
    InvalidState {
        action: RedemptionAction,
        state: MatchState,
    },
    #[error("cannot {action} an item redeemed {mode}")]
    WrongMode {
        action: RedemptionAction,
        mode: RedemptionMode,
    },
    #[error(transparent)]
    Field(#[from] FieldProblem),
}

/// The longest reason or note.
pub const MAX_REASON_CHARS: usize = 4000;

/// Decides a step of redemption: who may take it, from which state, under
/// which mode; a rejection needs its written reason. The version check is
/// the store's (compare-and-set).
pub fn decide_redemption(
    facts: &MatchFacts<'_>,
    actor: &RedemptionActor<'_>,
    command: RedemptionCommand,
) -> Result<RedemptionTransition, RedemptionError> {
    use MatchState as S;
    use RedemptionAction as A;
    let action = command.action();
    let enterprise_step = action == A::Apply;
    let capability = if enterprise_step {
        Capability::ApplyForPolicies
    } else {
        Capability::RedeemPolicies
    };
    if !capability.granted_to(actor.role) {
        return Err(RedemptionError::NotPermitted {
            role: actor.role,
            action,
        });
    }
    if !actor.scope.covers(facts.enterprise, facts.placement) {
        return Err(RedemptionError::OutOfScope);
    }
    let application = facts.mode.needs_application();
    let mode_fits = match action {
        A::Grant => !application,
        A::Apply | A::Review | A::Approve | A::Reject => application,
        A::Push | A::Pay => true,
    };
    if !mode_fits {
        return Err(RedemptionError::WrongMode {
            action,
            mode: facts.mode,
        });
    }
    let (from, to): (&[MatchState], MatchState) = match action {
        A::Push => (&[S::Matched], S::Pushed),
        A::Grant => (&[S::Pushed], S::Granted),
        A::Apply => (&[S::Pushed], S::Applied),
        A::Review => (&[S::Applied], S::UnderReview),
        A::Approve => (&[S::UnderReview], S::Approved),
        A::Reject => (&[S::UnderReview], S::Rejected),
        A::Pay => (&[S::Approved, S::Granted], S::Paid),
    };
    if !from.contains(&facts.state) {
        return Err(RedemptionError::InvalidState {
            action,
            state: facts.state,
        });
    }
    let text = match command {
        RedemptionCommand::Reject { reason } => {
            if let Some(p) = check_text("reason", &reason, MAX_REASON_CHARS, true) {
                return Err(p.into());
            }
            Some(reason.trim().to_owned())
        }
        RedemptionCommand::Apply { note: Some(note) } if !note.trim().is_empty() => {
            if let Some(p) = check_text("note", &note, MAX_REASON_CHARS, false) {
                return Err(p.into());
            }
            Some(note.trim().to_owned())
        }
        _ => None,
    };
    Ok(RedemptionTransition {
        action,
        from: facts.state,
        to,
        text,
    })
}

/// The time from application (免申即享: from the push) to payment, on
/// China's working calendar, against the item's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentClock {
    /// The day the count starts after.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub started: Date,
    /// Working days after `started` up to payment, or up to today while unpaid.
    pub working_days: u32,
    /// The item's limit in working days, if it has one.
    pub limit_days: Option<u32>,
    /// The last day to pay on time: the limit's last working day.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due: Option<Date>,
    pub paid: bool,
    /// Paid after `due`, or unpaid with `due` past.
    pub overdue: bool,
}

/// Working days strictly after `from` up to and including `to`.
pub fn working_days_between(
    calendar: &WorkingCalendar,
    from: Date,
    to: Date,
) -> Result<u32, CalendarError> {
    let mut count = 0;
    let mut day = from;
    while day < to {
        day = day
            .tomorrow()
            .map_err(|_| CalendarError::YearMissing { year: day.year() })?;
        if calendar.is_working_day(day)? {
            count += 1;
        }
    }
    Ok(count)
}

/// The payment clock of a match: counting starts after the application day
/// (免申即享: the push day), so a step on a holiday starts counting on the
/// next working day; `None` before the count has started. A rejected match
/// has no clock running; it keeps the count up to nothing (`None`).
#[allow(clippy::too_many_arguments)] // one date per redemption step, each named at the call
pub fn payment_clock(
    mode: RedemptionMode,
    limit_days: Option<u32>,
    pushed_on: Option<Date>,
    applied_on: Option<Date>,
    paid_on: Option<Date>,
    rejected: bool,
    today: Date,
    calendar: &WorkingCalendar,
) -> Result<Option<PaymentClock>, CalendarError> {
    let started = if mode.needs_application() {
        applied_on
    } else {
        pushed_on
    };
    let Some(started) = started else {
        return Ok(None);
    };
    if rejected {
        return Ok(None);
    }
    let end = paid_on.unwrap_or(today).max(started);
    let working_days = working_days_between(calendar, started, end)?;
    let due = match limit_days {
        Some(days) => Some(calendar.notice_window(started, days)?.1),
        None => None,
    };
    Ok(Some(PaymentClock {
        started,
        working_days,
        limit_days,
        due,
        paid: paid_on.is_some(),
        overdue: due.is_some_and(|due| end > due),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::criteria::{PoolStanding, Standing, Subject, TierStanding};
    use crate::division::DivisionCode;
    use crate::fx::FxTable;
    use crate::ids::Country;
    use jiff::civil::date;

    fn eligibility(when: &str) -> String {
        format!(
            "key = \"item-1\"\nversion = \"1\"\ntitle = \"事项\"\ntitle_en = \"Item\"\n\
             [[tiers]]\nkey = \"eligible\"\nname = \"符合\"\nname_en = \"Eligible\"\nwhen = [{when}]\n"
        )
    }

    fn subject<'a>() -> Subject<'a> {
        Subject {
            founded: date(2018, 3, 1),
            country: Country::parse("CN").unwrap(),
            region: Some(DivisionCode::parse("210100").unwrap()),
            industries: &[],
            tags: &[],
            events: &[],
        }
    }

    fn standing() -> Standing {
        Standing {
            tiers: vec![TierStanding {
                rules: "gei".into(),
                label: "gei@2023".into(),
                tier: Some("unicorn".into()),
            }],
            pool: Some(PoolStanding {
                tier: "unicorn".into(),
                valid_until: date(2027, 12, 31),
            }),
            zone: Some("hz-shenyang".into()),
        }
    }

    fn check(when: &str, standing: Option<&Standing>) -> crate::criteria::Check {
        let rules = parse_eligibility(&eligibility(when)).unwrap();
        let fx = FxTable::default();
        let mut facts = AsOf::new(subject(), date(2025, 6, 30), &fx);
        if let Some(standing) = standing {
            facts = facts.with_standing(standing);
        }
        let decision = eligibility_decision(&rules, &facts);
        assert_eq!(
            decision.tier.is_some(),
            rules.classify(&facts).is_some(),
            "decide and classify agree"
        );
        decision.tiers[0].clauses[0].checks[0].clone()
    }

    #[test]
    fn tier_condition_reads_the_tier_under_another_rule_set() {
        let held = check(
            r#"{ tier = { rules = "gei", in = ["unicorn", "super_unicorn"] } }"#,
            Some(&standing()),
        );
        assert!(held.passed);
        assert_eq!(held.condition, "tier");
        assert_eq!(held.requirement, "tier under gei in unicorn, super_unicorn");
        assert_eq!(held.found, "unicorn under gei@2023");
        assert_eq!(held.found_zh, "gei@2023 下为 unicorn");
        let other = check(
            r#"{ tier = { rules = "gei", in = ["potential"] } }"#,
            Some(&standing()),
        );
        assert!(!other.passed);
        let not_given = check(
            r#"{ tier = { rules = "hurun", in = ["unicorn"] } }"#,
            Some(&standing()),
        );
        assert!(!not_given.passed);
        assert_eq!(not_given.found_zh, "未知：未提供 hurun 下的层级");
        let mut no_tier = standing();
        no_tier.tiers[0].tier = None;
        let none = check(
            r#"{ tier = { rules = "gei", in = ["unicorn"] } }"#,
            Some(&no_tier),
        );
        assert!(!none.passed);
        assert_eq!(none.found, "no tier under gei@2023");
    }

    #[test]
    fn in_pool_condition_reads_the_membership_of_the_day() {
        let member = check("{ in_pool = true }", Some(&standing()));
        assert!(member.passed);
        assert_eq!(member.found, "member as unicorn, valid until 2027-12-31");
        assert_eq!(member.requirement_zh, "2025年6月30日在国家培育库中");
        let mut outside = standing();
        outside.pool = None;
        assert!(!check("{ in_pool = true }", Some(&outside)).passed);
        assert!(check("{ in_pool = false }", Some(&outside)).passed);
        let unknown = check("{ in_pool = false }", None);
        assert!(!unknown.passed, "unknown never holds");
        assert_eq!(unknown.found, "unknown: pool membership was not given");
    }

    #[test]
    fn zone_condition_reads_the_zone() {
        let inside = check(
            r#"{ zone = ["hz-shenyang", "hz-dalian"] }"#,
            Some(&standing()),
        );
        assert!(inside.passed);
        assert_eq!(
            inside.requirement_zh,
            "位于国家级园区 hz-shenyang, hz-dalian"
        );
        assert!(!check(r#"{ zone = ["hz-dalian"] }"#, Some(&standing())).passed);
        let mut none = standing();
        none.zone = None;
        let outside = check(r#"{ zone = ["hz-dalian"] }"#, Some(&none));
        assert_eq!(outside.found_zh, "不在国家级园区");
        assert!(!check(r#"{ zone = ["hz-shenyang"] }"#, None).passed);
    }

    #[test]
    fn bad_eligibility_names_the_field_and_the_line() {
        let problem = parse_eligibility("key = \"x\"\nversion = \n").unwrap_err();
        assert_eq!(problem.field, "eligibility");
        assert!(problem.problem.contains("line 2"), "{}", problem.problem);
        let two_tiers = format!(
            "{}[[tiers]]\nkey = \"b\"\nname = \"b\"\nname_en = \"b\"\nwhen = []\n",
            eligibility("{ exists = true }")
        );
        let problem = parse_eligibility(&two_tiers).unwrap_err();
        assert!(
            problem.problem.contains("exactly one tier"),
            "{}",
            problem.problem
        );
        let empty_zone = parse_eligibility(&eligibility("{ zone = [] }")).unwrap_err();
        assert!(
            empty_zone
                .problem
                .contains("`zone` needs at least one value")
        );
        let no_tiers = parse_eligibility(&eligibility(r#"{ tier = { rules = "gei", in = [] } }"#))
            .unwrap_err();
        assert!(no_tiers.problem.contains("tier"), "{}", no_tiers.problem);
    }

    #[test]
    fn an_item_takes_its_modes_default_limit() {
        let form = ItemForm {
            title: "首贷贴息".into(),
            class: ItemClass::Award,
            amount: AmountRule::Capped {
                cap: Decimal::new(500_000, 0),
                rule: "贷款利息的 50%".into(),
            },
            mode: RedemptionMode::FastApplication,
            payment_limit_days: None,
            eligibility: eligibility("{ in_pool = true }"),
        };
        assert_eq!(form.clone().check().unwrap().payment_limit_days, Some(60));
        let own = ItemForm {
            payment_limit_days: Some(20),
            ..form.clone()
        };
        assert_eq!(own.check().unwrap().payment_limit_days, Some(20));
        let bad = ItemForm {
            payment_limit_days: Some(0),
            title: " ".into(),
            eligibility: "nonsense".into(),
            ..form
        };
        let fields: Vec<_> = bad.check().unwrap_err().iter().map(|p| p.field).collect();
        assert_eq!(fields, ["title", "payment_limit_days", "eligibility"]);
    }

    fn step(
        state: MatchState,
        mode: RedemptionMode,
        role: Role,
        command: RedemptionCommand,
    ) -> Result<RedemptionTransition, RedemptionError> {
        let enterprise = EnterpriseId::parse("E1").unwrap();
        let placement = Placement {
            province: Some(DivisionCode::parse("210000").unwrap()),
            city: Some(DivisionCode::parse("210100").unwrap()),
            ..Placement::default()
        };
        let scope = if role == Role::Enterprise {
            Scope::Enterprise(enterprise.clone())
        } else {
            Scope::City(DivisionCode::parse("210100").unwrap())
        };
        decide_redemption(
            &MatchFacts {
                state,
                mode,
                enterprise: &enterprise,
                placement: &placement,
            },
            &RedemptionActor {
                role,
                scope: &scope,
            },
            command,
        )
    }

    #[test]
    fn application_modes_go_through_review() {
        use MatchState as S;
        use RedemptionCommand as C;
        let fast = RedemptionMode::FastApplication;
        let city = Role::CityReviewer;
        let walk = [
            (S::Matched, city, C::Push, S::Pushed),
            (
                S::Pushed,
                Role::Enterprise,
                C::Apply { note: None },
                S::Applied,
            ),
            (S::Applied, city, C::Review, S::UnderReview),
            (S::UnderReview, city, C::Approve, S::Approved),
            (S::Approved, city, C::Pay, S::Paid),
        ];
        for (from, role, command, to) in walk {
            assert_eq!(step(from, fast, role, command).unwrap().to, to);
        }
        // Paid only after an approval (or a grant).
        for state in [
            S::Matched,
            S::Pushed,
            S::Applied,
            S::UnderReview,
            S::Rejected,
        ] {
            assert!(matches!(
                step(state, fast, city, C::Pay),
                Err(RedemptionError::InvalidState { .. })
            ));
        }
        // A rejection needs its written reason, which the enterprise reads.
        assert!(matches!(
            step(
                S::UnderReview,
                fast,
                city,
                C::Reject {
                    reason: "  ".into()
                }
            ),
            Err(RedemptionError::Field(FieldProblem {
                field: "reason",
                ..
            }))
        ));
        let rejected = step(
            S::UnderReview,
            fast,
            city,
            C::Reject {
                reason: " 营业收入未达标 ".into(),
            },
        )
        .unwrap();
        assert_eq!(rejected.to, S::Rejected);
        assert_eq!(rejected.text.as_deref(), Some("营业收入未达标"));
        // Only the enterprise applies; an office cannot, an enterprise cannot approve.
        assert!(matches!(
            step(S::Pushed, fast, city, C::Apply { note: None }),
            Err(RedemptionError::NotPermitted { .. })
        ));
        assert!(matches!(
            step(S::UnderReview, fast, Role::Enterprise, C::Approve),
            Err(RedemptionError::NotPermitted { .. })
        ));
        // No grant without 免申即享.
        assert!(matches!(
            step(S::Pushed, fast, city, C::Grant),
            Err(RedemptionError::WrongMode { .. })
        ));
    }

    #[test]
    fn no_application_is_granted_then_paid() {
        use MatchState as S;
        use RedemptionCommand as C;
        let auto = RedemptionMode::NoApplication;
        let city = Role::CityReviewer;
        assert_eq!(
            step(S::Pushed, auto, city, C::Grant).unwrap().to,
            S::Granted
        );
        assert_eq!(step(S::Granted, auto, city, C::Pay).unwrap().to, S::Paid);
        assert!(matches!(
            step(S::Pushed, auto, Role::Enterprise, C::Apply { note: None }),
            Err(RedemptionError::WrongMode { .. })
        ));
        assert!(matches!(
            step(S::Matched, auto, city, C::Pay),
            Err(RedemptionError::InvalidState { .. })
        ));
    }

    #[test]
    fn out_of_scope_officials_are_refused() {
        let enterprise = EnterpriseId::parse("E1").unwrap();
        let placement = Placement {
            city: Some(DivisionCode::parse("210100").unwrap()),
            ..Placement::default()
        };
        let other = Scope::City(DivisionCode::parse("210200").unwrap());
        let refused = decide_redemption(
            &MatchFacts {
                state: MatchState::Matched,
                mode: RedemptionMode::Regular,
                enterprise: &enterprise,
                placement: &placement,
            },
            &RedemptionActor {
                role: Role::CityReviewer,
                scope: &other,
            },
            RedemptionCommand::Push,
        );
        assert_eq!(refused, Err(RedemptionError::OutOfScope));
    }

    /// 国庆 2025: 1–8 October off; Sunday 28 September and Saturday
    /// 11 October worked.
    #[test]
    fn payment_time_counts_working_days_across_the_national_day_2025() {
        let calendar = WorkingCalendar::official().unwrap();
        // Applied Friday 26 September: 28, 29, 30 September, 9, 10, 11 and
        // 13 October are the first seven working days.
        let applied = date(2025, 9, 26);
        assert_eq!(
            working_days_between(&calendar, applied, date(2025, 10, 13)).unwrap(),
            7
        );
        assert_eq!(
            working_days_between(&calendar, applied, date(2025, 10, 8)).unwrap(),
            3
        );
        let paid = payment_clock(
            RedemptionMode::FastApplication,
            Some(5),
            Some(date(2025, 9, 20)),
            Some(applied),
            Some(date(2025, 10, 13)),
            false,
            date(2025, 12, 1),
            &calendar,
        )
        .unwrap()
        .unwrap();
        assert_eq!(paid.working_days, 7);
        // The fifth working day is Friday 10 October: paid late.
        assert_eq!(paid.due, Some(date(2025, 10, 10)));
        assert!(paid.overdue && paid.paid);
        // Under 60 working days it is on time, and an unpaid one counts to today.
        let on_time = payment_clock(
            RedemptionMode::FastApplication,
            Some(60),
            None,
            Some(applied),
            Some(date(2025, 10, 13)),
            false,
            date(2025, 12, 1),
            &calendar,
        )
        .unwrap()
        .unwrap();
        assert!(!on_time.overdue);
        let waiting = payment_clock(
            RedemptionMode::FastApplication,
            Some(5),
            None,
            Some(applied),
            None,
            false,
            date(2025, 10, 11),
            &calendar,
        )
        .unwrap()
        .unwrap();
        assert_eq!((waiting.working_days, waiting.overdue), (6, true));
        // 免申即享 counts from the push; before an application nothing counts.
        let granted = payment_clock(
            RedemptionMode::NoApplication,
            None,
            Some(date(2025, 9, 30)),
            None,
            Some(date(2025, 10, 9)),
            false,
            date(2025, 12, 1),
            &calendar,
        )
        .unwrap()
        .unwrap();
        assert_eq!((granted.working_days, granted.due), (1, None));
        assert_eq!(
            payment_clock(
                RedemptionMode::Regular,
                None,
                Some(applied),
                None,
                None,
                false,
                date(2025, 12, 1),
                &calendar
            ),
            Ok(None)
        );
    }

    /// The Done-when of issue 14: an item's matched set is what the
    /// engine's classification gives for the same conditions, as of two
    /// dates, and the two differ.
    #[test]
    fn matched_set_equals_classification_on_two_dates() {
        use crate::ledger::{LedgerBuilder, LedgerEnterprise};
        use crate::model::EventKind;
        use crate::money::{Currency, Money};
        let mut builder = LedgerBuilder::default();
        let cn = Country::parse("CN").unwrap();
        // (id, founded, region, valuation in US$bn on 2021-06-01)
        let rows = [
            ("A", date(2015, 1, 10), "210102", 2),
            ("B", date(2019, 5, 1), "210102", 3),
            ("C", date(2019, 5, 1), "330106", 3),
            ("D", date(2018, 2, 1), "210211", 0),
            ("E", date(2021, 1, 1), "210103", 1),
            ("F", date(2016, 7, 1), "210104", 12),
        ];
        for (id, founded, region, billions) in rows {
            builder.enterprise(LedgerEnterprise::new(
                EnterpriseId::parse(id).unwrap(),
                founded,
                cn,
                Some(DivisionCode::parse(region).unwrap()),
                None,
                vec![],
                vec![],
            ));
            let value = Money::new(
                Decimal::from(billions) * Decimal::from(1_000_000_000),
                Currency::USD,
            );
            builder.event(
                id,
                1,
                crate::criteria::LedgerEvent {
                    date: date(2021, 6, 1),
                    kind: EventKind::Funding,
                    amount: Some(Money::new(Decimal::from(1_000_000), Currency::USD)),
                    valuation: (billions > 0).then_some(value),
                    exchange: None,
                    region: None,
                },
            );
        }
        let ledger = builder.build();
        let gei = RuleSet::builtin("gei").unwrap();
        let item = parse_eligibility(&eligibility(
            r#"{ tier = { rules = "gei", in = ["unicorn", "super_unicorn"] } }, { age_within_years = 8 }, { region_prefix = ["2101"] }"#,
        ))
        .unwrap();
        // The same conditions, as a plain rule set classified over the ledger.
        let local = RuleSet::from_toml(&eligibility(
            r#"{ age_within_years = 8 }, { region_prefix = ["2101"] }"#,
        ))
        .unwrap();
        let days = [date(2022, 6, 30), date(2025, 6, 30)];
        let gei_tiers = ledger.classify(&gei, &days);
        let local_tiers = ledger.classify(&local, &days);
        let wanted = [gei.tier_index("unicorn"), gei.tier_index("super_unicorn")];
        let mut sets = Vec::new();
        for (d, &day) in days.iter().enumerate() {
            let standing_of = |position: usize| Standing {
                tiers: vec![crate::criteria::TierStanding {
                    rules: "gei".into(),
                    label: gei.label(),
                    tier: gei_tiers.tier(position, d).map(|t| gei.tier(t).key.clone()),
                }],
                ..Standing::default()
            };
            let matched: Vec<String> =
                run_eligibility(&ledger, &item, day, 0..ledger.len(), standing_of)
                    .iter()
                    .map(|e| ledger.enterprises()[e.position].id.to_string())
                    .collect();
            let classified: Vec<String> = (0..ledger.len())
                .filter(|&p| wanted.contains(&gei_tiers.tier(p, d)))
                .filter(|&p| local_tiers.tier(p, d).is_some())
                .map(|p| ledger.enterprises()[p].id.to_string())
                .collect();
            assert_eq!(matched, classified, "on {day}");
            sets.push(matched);
        }
        // 2022: A (7 years old), B, E and F; C is in Hangzhou, D has no
        // valuation. 2025: A is past gei's 10 years, F past the item's 8.
        assert_eq!(sets[0], ["A", "B", "E", "F"]);
        assert_eq!(sets[1], ["B", "E"]);
    }

    #[test]
    fn policies_reach_down_the_tree() {
        let placement = Placement {
            province: Some(DivisionCode::parse("210000").unwrap()),
            city: Some(DivisionCode::parse("210100").unwrap()),
            district: Some(DivisionCode::parse("210106").unwrap()),
            zone: None,
        };
        let over: Vec<String> = jurisdictions_over(&placement)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(over, ["CN", "210000", "210100", "210106"]);
        let above: Vec<String> =
            jurisdictions_above(&Scope::City(DivisionCode::parse("210100").unwrap()))
                .iter()
                .map(ToString::to_string)
                .collect();
        assert_eq!(above, ["CN", "210000"]);
    }

    #[test]
    fn a_zone_is_reached_by_its_district_city_province_and_the_nation() {
        let zone = crate::workflow::Zone {
            id: crate::workflow::ZoneId::parse("hunnan").unwrap(),
            name: "沈阳高新技术产业开发区".into(),
            kind: crate::workflow::ZoneKind::HighTech,
            city: DivisionCode::parse("210100").unwrap(),
            district: Some(DivisionCode::parse("210112").unwrap()),
            aliases: Vec::new(),
        };
        let over: Vec<String> = jurisdictions_over_zone(&zone)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(over, ["CN", "210000", "210100", "210112"]);
    }
}
