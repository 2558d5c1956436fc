//! Stewards (服务管家 / 服务专员) assigned to enterprises of the cultivation
//! pool, and the contact log (走访记录) in which they show their work.
//!
//! An official of a city, zone, province or the ministry assigns one or
//! more stewards to a pool enterprise in its jurisdiction. Beijing pairs a
//! government steward with a market steward (双管家), so an enterprise may
//! have several assignments at once; what is refused is the same person
//! holding the same role for the same enterprise in overlapping periods.
//! An assignment ends by a versioned step (its end date is set), never by
//! deletion, so the record of who served whom stays.
//!
//! A contact (走访) is recorded against one assignment, dated no later than
//! today and not before the assignment started (nor after it ended). The
//! log is append-only: a wrong record is corrected by a new one naming the
//! record it corrects, and figures count the correction instead.
//!
//! Nothing here reads a clock: "today" is an argument.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::request::{FieldProblem, RequestId};
use crate::division::DivisionLevel;
use crate::ids::EnterpriseId;
use crate::workflow::account::{AccountId, Role};
use crate::workflow::jurisdiction::{Jurisdiction, Placement, Scope};
use crate::workflow::permission::Capability;

/// An enterprise with no contact for more than this many days is flagged
/// in the stewards' figures (counted from its last contact, or from the
/// start of its steward's assignment when it was never contacted). Ninety
/// days is a quarter: the local rules we read ask for visits "regularly"
/// without one national number (see docs/research, §9: unverified), so it
/// is a named choice of ours, not a published rule.
pub const STALE_CONTACT_DAYS: i64 = 90;

/// The longest topics, follow-up note or department accepted.
pub const MAX_TEXT_CHARS: usize = 4000;
/// The longest name or department accepted.
pub const MAX_NAME_CHARS: usize = 100;
/// The most requests one contact may name.
pub const MAX_LINKED_REQUESTS: usize = 20;

/// An assignment's number, as the store gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StewardId(pub i64);

/// A contact record's number, as the store gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContactId(pub i64);

impl fmt::Display for StewardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for ContactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

// The same keyed enums as the requests' (that macro is private to its
// module): a key for the API and the store, every value, and parsing.
macro_rules! steward_enum {
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

steward_enum! {
    /// What a steward is to the enterprise.
    StewardRole {
        /// 政府管家: an official who carries the enterprise's business
        /// through the government's departments.
        Government => "government",
        /// 市场管家: someone from the market (an investor, a service
        /// provider) who brings resources; usually without an account.
        Market => "market",
        /// 服务专员: the commissioner a city assigns to a pool enterprise.
        Commissioner => "commissioner",
        /// 首席服务官: the chief service officer, usually a senior official.
        ChiefServiceOfficer => "chief_service_officer",
    }
}

steward_enum! {
    /// The level of the jurisdiction that assigned a steward.
    StewardLevel {
        Nation => "nation",
        Province => "province",
        /// A city or one of its districts.
        City => "city",
        /// A national zone.
        Zone => "zone",
    }
}

impl StewardLevel {
    /// The level of an assigning official bound to `jurisdiction`.
    pub fn of(jurisdiction: &Jurisdiction) -> Self {
        match jurisdiction {
            Jurisdiction::Nation => Self::Nation,
            Jurisdiction::Division(code) => match code.level() {
                DivisionLevel::Province => Self::Province,
                DivisionLevel::City | DivisionLevel::District => Self::City,
            },
            Jurisdiction::Zone(_) => Self::Zone,
        }
    }
}

steward_enum! {
    /// How a contact was made.
    ContactChannel {
        /// 上门走访: at the enterprise.
        Visit => "visit",
        /// 电话.
        Phone => "phone",
        /// 视频.
        Video => "video",
        /// 座谈会: a meeting with several enterprises or departments.
        Meeting => "meeting",
        /// 线上: on the platform or by message.
        Online => "online",
    }
}

/// An assignment to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StewardForm {
    pub role: StewardRole,
    /// The steward's department or organisation (e.g. 市工信局).
    pub department: String,
    /// The steward's name.
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The steward's own official account, if the steward has one.
    pub account: Option<AccountId>,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

fn problem(field: &'static str, text: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field,
        problem: text.into(),
    }
}

fn check_text(
    field: &'static str,
    value: &str,
    limit: usize,
    required: bool,
) -> Option<FieldProblem> {
    if required && value.trim().is_empty() {
        return Some(problem(field, "required"));
    }
    let count = value.chars().count();
    if count > limit {
        return Some(problem(
            field,
            format!("at most {limit} characters, found {count}"),
        ));
    }
    value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        .then(|| problem(field, "control characters are not allowed"))
}

/// Whether `phone` looks like a telephone number: digits with the usual
/// separators, an optional leading `+`, 5 to 20 digits (an extension
/// line, a mobile, a landline with its area code).
pub fn phone_problem(phone: &str) -> Option<FieldProblem> {
    let body = phone.strip_prefix('+').unwrap_or(phone);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    let allowed = body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')'));
    (!allowed || !(5..=20).contains(&digits)).then(|| {
        problem(
            "phone",
            "digits with spaces, dashes or brackets, 5 to 20 digits, an optional leading +",
        )
    })
}

/// Whether `email` looks like an address: one `@`, something before it, a
/// dotted domain after it, no spaces.
pub fn email_problem(email: &str) -> Option<FieldProblem> {
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
                && email.chars().count() <= 254
        }
        None => false,
    };
    (!valid).then(|| problem("email", "an address like name@example.cn"))
}

fn end_problem(starts_on: Date, ends_on: Date) -> Option<FieldProblem> {
    (ends_on < starts_on).then(|| {
        problem(
            "ends_on",
            format!("the end ({ends_on}) is before the start ({starts_on})"),
        )
    })
}

impl StewardForm {
    /// The form with its texts trimmed and empty optional ones dropped.
    pub fn cleaned(mut self) -> Self {
        let trim =
            |text: Option<String>| text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        self.department = self.department.trim().to_owned();
        self.name = self.name.trim().to_owned();
        self.phone = trim(self.phone);
        self.email = trim(self.email);
        self
    }

    /// Every problem that keeps the assignment from being made, each
    /// naming its field.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut found: Vec<FieldProblem> = [
            check_text("department", &self.department, MAX_NAME_CHARS, true),
            check_text("name", &self.name, MAX_NAME_CHARS, true),
        ]
        .into_iter()
        .flatten()
        .collect();
        match (&self.phone, &self.email) {
            (None, None) => found.push(problem(
                "phone",
                "a telephone number or an e-mail address is required",
            )),
            (phone, email) => {
                found.extend(phone.as_deref().and_then(phone_problem));
                found.extend(email.as_deref().and_then(email_problem));
            }
        }
        found.extend(
            self.ends_on
                .and_then(|end| end_problem(self.starts_on, end)),
        );
        found
    }

    /// Who the steward is, for telling the same person in two assignments:
    /// the account when there is one, else the name with the telephone
    /// digits (or the e-mail address, in lower case).
    pub fn person(&self) -> String {
        person_key(
            self.account,
            &self.name,
            self.phone.as_deref(),
            self.email.as_deref(),
        )
    }
}

/// See [`StewardForm::person`].
pub fn person_key(
    account: Option<AccountId>,
    name: &str,
    phone: Option<&str>,
    email: Option<&str>,
) -> String {
    if let Some(account) = account {
        return format!("account:{}", account.0);
    }
    let name: String = name.split_whitespace().collect();
    match (phone, email) {
        (Some(phone), _) => {
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            format!("person:{name}|{digits}")
        }
        (None, Some(email)) => format!("person:{name}|{}", email.to_lowercase()),
        (None, None) => format!("person:{name}|"),
    }
}

/// Whether two periods (`None`: open-ended) share a day.
pub fn periods_overlap(a: (Date, Option<Date>), b: (Date, Option<Date>)) -> bool {
    let ends_before = |(_, end): (Date, Option<Date>), start: Date| end.is_some_and(|e| e < start);
    !ends_before(a, b.0) && !ends_before(b, a.0)
}

/// Whether an assignment running from `starts_on` to `ends_on` holds on `day`.
pub fn active_on(starts_on: Date, ends_on: Option<Date>, day: Date) -> bool {
    starts_on <= day && ends_on.is_none_or(|end| day <= end)
}

/// Why a steward cannot be assigned, ended or a contact recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StewardError {
    #[error("a {role} account cannot {what}")]
    NotPermitted { role: Role, what: &'static str },
    #[error("the enterprise is outside the account's jurisdiction")]
    OutOfScope,
    #[error(transparent)]
    Field(#[from] FieldProblem),
    #[error("the assignment ended on {0}: it cannot be ended again")]
    AlreadyEnded(Date),
}

/// Whether `role` in `scope` may assign stewards to (and end the
/// assignments of) the enterprise placed at `placement`.
pub fn may_manage(
    role: Role,
    scope: &Scope,
    enterprise: &EnterpriseId,
    placement: &Placement,
) -> Result<(), StewardError> {
    permitted(role, Capability::ManageStewards, "assign stewards")?;
    in_scope(scope, enterprise, placement)
}

/// Whether `role` in `scope` may record contacts with the enterprise
/// placed at `placement` (a steward with an account, or an official).
pub fn may_log(
    role: Role,
    scope: &Scope,
    enterprise: &EnterpriseId,
    placement: &Placement,
) -> Result<(), StewardError> {
    permitted(role, Capability::LogContacts, "record contacts")?;
    in_scope(scope, enterprise, placement)
}

fn permitted(role: Role, capability: Capability, what: &'static str) -> Result<(), StewardError> {
    if capability.granted_to(role) {
        Ok(())
    } else {
        Err(StewardError::NotPermitted { role, what })
    }
}

fn in_scope(
    scope: &Scope,
    enterprise: &EnterpriseId,
    placement: &Placement,
) -> Result<(), StewardError> {
    if scope.covers(enterprise, placement) {
        Ok(())
    } else {
        Err(StewardError::OutOfScope)
    }
}

/// Whether the account named as the steward's own may be: an enabled
/// official account whose jurisdiction covers the enterprise.
pub fn steward_account_problem(
    role: Role,
    scope: &Scope,
    disabled: bool,
    enterprise: &EnterpriseId,
    placement: &Placement,
) -> Option<FieldProblem> {
    let official = Capability::LogContacts.granted_to(role);
    if disabled || !official || !scope.covers(enterprise, placement) {
        Some(problem(
            "account",
            "not an enabled official account whose jurisdiction covers the enterprise",
        ))
    } else {
        None
    }
}

/// Whether an assignment that started on `starts_on` (and may already
/// have an end) can be ended on `ends_on`, as of `today`.
pub fn check_end(
    starts_on: Date,
    current_end: Option<Date>,
    ends_on: Date,
    today: Date,
) -> Result<(), StewardError> {
    if let Some(end) = current_end.filter(|end| *end < today) {
        return Err(StewardError::AlreadyEnded(end));
    }
    match end_problem(starts_on, ends_on) {
        Some(problem) => Err(problem.into()),
        None => Ok(()),
    }
}

/// A contact to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactForm {
    pub steward: StewardId,
    pub contacted_on: Date,
    pub channel: ContactChannel,
    /// What was discussed.
    pub topics: String,
    /// Requests (诉求) of the enterprise raised in the contact.
    pub requests: Vec<RequestId>,
    pub follow_up: Option<String>,
    /// The earlier record this one corrects.
    pub corrects: Option<ContactId>,
}

impl ContactForm {
    /// The form with its texts trimmed, an empty note dropped and the
    /// requests in order, each once.
    pub fn cleaned(mut self) -> Self {
        self.topics = self.topics.trim().to_owned();
        self.follow_up = self
            .follow_up
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        let unique: BTreeSet<RequestId> = self.requests.into_iter().collect();
        self.requests = unique.into_iter().collect();
        self
    }

    /// Every problem of the form itself, as of `today`.
    pub fn problems(&self, today: Date) -> Vec<FieldProblem> {
        let mut found: Vec<FieldProblem> = [
            check_text("topics", &self.topics, MAX_TEXT_CHARS, true),
            self.follow_up
                .as_deref()
                .and_then(|t| check_text("follow_up", t, MAX_TEXT_CHARS, false)),
        ]
        .into_iter()
        .flatten()
        .collect();
        if self.contacted_on > today {
            found.push(problem(
                "contacted_on",
                format!("{} is in the future (today is {today})", self.contacted_on),
            ));
        }
        if self.requests.len() > MAX_LINKED_REQUESTS {
            found.push(problem(
                "requests",
                format!("at most {MAX_LINKED_REQUESTS} requests"),
            ));
        }
        found
    }

    /// Whether the contact falls within its assignment's period.
    pub fn period_problem(&self, starts_on: Date, ends_on: Option<Date>) -> Option<FieldProblem> {
        if self.contacted_on < starts_on {
            Some(problem(
                "contacted_on",
                format!(
                    "{} is before the assignment started ({starts_on})",
                    self.contacted_on
                ),
            ))
        } else {
            ends_on.filter(|end| self.contacted_on > *end).map(|end| {
                problem(
                    "contacted_on",
                    format!(
                        "{} is after the assignment ended ({end})",
                        self.contacted_on
                    ),
                )
            })
        }
    }
}

/// What the figures need of an assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentFacts {
    pub id: StewardId,
    pub person: String,
    pub name: String,
    pub enterprise: EnterpriseId,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

/// What the figures need of a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactFacts {
    pub id: ContactId,
    pub steward: StewardId,
    pub contacted_on: Date,
    pub corrects: Option<ContactId>,
}

/// One enterprise a steward serves, and how long since the last contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServedEnterprise {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub enterprise: EnterpriseId,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub assignment: StewardId,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub last_contact: Option<Date>,
    /// Days from the last contact (or, with none, from the assignment's
    /// start) to today.
    pub days_since: i64,
    /// More than [`STALE_CONTACT_DAYS`] days.
    pub stale: bool,
}

/// One steward's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StewardFigures {
    /// Who the steward is ([`person_key`]).
    pub person: String,
    pub name: String,
    /// The enterprises served today, by id.
    pub served: Vec<ServedEnterprise>,
    /// Contacts dated within the period (corrected records not counted).
    pub contacts_in_period: u64,
    /// How many of the served enterprises are flagged.
    pub stale: u64,
}

/// The figures per steward (by [`person_key`], in name order): the
/// assignments active `today`, the contacts in `[from, to]` (a record
/// corrected by a later one does not count; the correction does), days
/// since the last contact per enterprise.
pub fn steward_figures(
    assignments: &[AssignmentFacts],
    contacts: &[ContactFacts],
    (from, to): (Date, Date),
    today: Date,
) -> Vec<StewardFigures> {
    let corrected: BTreeSet<ContactId> = contacts.iter().filter_map(|c| c.corrects).collect();
    let counted: Vec<&ContactFacts> = contacts
        .iter()
        .filter(|c| !corrected.contains(&c.id))
        .collect();
    let mut last: BTreeMap<StewardId, Date> = BTreeMap::new();
    let mut in_period: BTreeMap<StewardId, u64> = BTreeMap::new();
    for contact in &counted {
        let entry = last.entry(contact.steward).or_insert(contact.contacted_on);
        *entry = (*entry).max(contact.contacted_on);
        if (from..=to).contains(&contact.contacted_on) {
            *in_period.entry(contact.steward).or_default() += 1;
        }
    }
    let mut by_person: BTreeMap<&str, StewardFigures> = BTreeMap::new();
    for assignment in assignments {
        let figures = by_person
            .entry(&assignment.person)
            .or_insert_with(|| StewardFigures {
                person: assignment.person.clone(),
                name: assignment.name.clone(),
                served: Vec::new(),
                contacts_in_period: 0,
                stale: 0,
            });
        figures.contacts_in_period += in_period.get(&assignment.id).copied().unwrap_or(0);
        if !active_on(assignment.starts_on, assignment.ends_on, today) {
            continue;
        }
        let last_contact = last.get(&assignment.id).copied();
        let since = last_contact.unwrap_or(assignment.starts_on);
        let days_since = i64::from((today - since).get_days());
        let stale = days_since > STALE_CONTACT_DAYS;
        figures.stale += u64::from(stale);
        figures.served.push(ServedEnterprise {
            enterprise: assignment.enterprise.clone(),
            assignment: assignment.id,
            last_contact,
            days_since,
            stale,
        });
    }
    let mut list: Vec<StewardFigures> = by_person.into_values().collect();
    for figures in &mut list {
        figures
            .served
            .sort_by(|a, b| a.enterprise.cmp(&b.enterprise));
    }
    list.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.person.cmp(&b.person)));
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DivisionCode;
    use jiff::civil::date;

    fn form() -> StewardForm {
        StewardForm {
            role: StewardRole::Government,
            department: " 市工信局 ".into(),
            name: " 王敏 ".into(),
            phone: Some("0755-8888 6666".into()),
            email: Some("  ".into()),
            account: None,
            starts_on: date(2025, 3, 1),
            ends_on: None,
        }
        .cleaned()
    }

    fn fields(problems: &[FieldProblem]) -> Vec<&'static str> {
        problems.iter().map(|p| p.field).collect()
    }

    #[test]
    fn a_clean_form_has_no_problems_and_drops_empty_contacts() {
        let form = form();
        assert_eq!(form.department, "市工信局");
        assert_eq!(form.email, None);
        assert!(form.problems().is_empty(), "{:?}", form.problems());
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = StewardForm {
            department: String::new(),
            name: "x".repeat(MAX_NAME_CHARS + 1),
            phone: Some("call me".into()),
            email: Some("not-an-address".into()),
            ends_on: Some(date(2025, 2, 28)),
            ..form()
        };
        assert_eq!(
            fields(&bad.problems()),
            vec!["department", "name", "phone", "email", "ends_on"]
        );
        let silent = StewardForm {
            phone: None,
            email: None,
            ..form()
        };
        assert_eq!(fields(&silent.problems()), vec!["phone"]);
        let ends_the_day_it_starts = StewardForm {
            ends_on: Some(date(2025, 3, 1)),
            ..form()
        };
        assert!(ends_the_day_it_starts.problems().is_empty());
    }

    #[test]
    fn phones_and_addresses() {
        for good in [
            "13800138000",
            "+86 755 8888-6666",
            "(010) 6655 4433",
            "12345",
        ] {
            assert_eq!(phone_problem(good), None, "{good}");
        }
        for bad in ["1234", "138001380001380013800", "138-ABC", "+", ""] {
            assert!(phone_problem(bad).is_some(), "{bad}");
        }
        for good in ["wang.min@sz.gov.cn", "a@b.cn"] {
            assert_eq!(email_problem(good), None, "{good}");
        }
        for bad in ["a@b", "@b.cn", "a@@b.cn", "a b@c.cn", "a@.cn", "a@b.cn."] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn the_same_person_is_known_by_account_or_by_name_and_contact() {
        let form = form();
        assert_eq!(form.person(), "person:王敏|075588886666");
        let spaced = StewardForm {
            name: "王 敏".into(),
            phone: Some("0755 88886666".into()),
            ..form.clone()
        };
        assert_eq!(spaced.person(), form.person());
        let with_account = StewardForm {
            account: Some(AccountId(7)),
            ..form
        };
        assert_eq!(with_account.person(), "account:7");
    }

    #[test]
    fn periods_overlap_when_they_share_a_day() {
        let (a, b, c) = (date(2025, 1, 1), date(2025, 6, 30), date(2025, 7, 1));
        assert!(periods_overlap((a, None), (c, None)));
        assert!(periods_overlap((a, Some(b)), (b, None)));
        assert!(!periods_overlap((a, Some(b)), (c, None)));
        assert!(!periods_overlap((c, None), (a, Some(b))));
        assert!(active_on(a, Some(b), b));
        assert!(!active_on(a, Some(b), c));
        assert!(!active_on(c, None, b));
    }

    #[test]
    fn only_officials_in_scope_manage_and_log() {
        let enterprise = EnterpriseId::parse("alpha").unwrap();
        let shenzhen = Placement::of(Some(DivisionCode::parse("440305").unwrap()), None);
        let city = Scope::City(DivisionCode::parse("440300").unwrap());
        let beijing = Scope::City(DivisionCode::parse("110100").unwrap());
        assert_eq!(
            may_manage(Role::CityReviewer, &city, &enterprise, &shenzhen),
            Ok(())
        );
        assert_eq!(
            may_manage(Role::CityReviewer, &beijing, &enterprise, &shenzhen),
            Err(StewardError::OutOfScope)
        );
        for role in [
            Role::Enterprise,
            Role::Investor,
            Role::Analyst,
            Role::Auditor,
            Role::MinistryAdmin,
        ] {
            assert!(matches!(
                may_manage(role, &Scope::All, &enterprise, &shenzhen),
                Err(StewardError::NotPermitted { .. })
            ));
            assert!(matches!(
                may_log(role, &Scope::All, &enterprise, &shenzhen),
                Err(StewardError::NotPermitted { .. })
            ));
        }
        assert_eq!(
            steward_account_problem(Role::CityReviewer, &city, false, &enterprise, &shenzhen),
            None
        );
        for (role, scope, disabled) in [
            (Role::CityReviewer, &beijing, false),
            (Role::CityReviewer, &city, true),
            (Role::Investor, &city, false),
        ] {
            assert_eq!(
                steward_account_problem(role, scope, disabled, &enterprise, &shenzhen)
                    .map(|p| p.field),
                Some("account")
            );
        }
    }

    #[test]
    fn levels_follow_the_assigning_jurisdiction() {
        let level = |text: &str| StewardLevel::of(&Jurisdiction::parse(text).unwrap());
        assert_eq!(level("CN"), StewardLevel::Nation);
        assert_eq!(level("440000"), StewardLevel::Province);
        assert_eq!(level("440300"), StewardLevel::City);
        assert_eq!(level("440305"), StewardLevel::City);
        assert_eq!(level("zone:sz-hitech"), StewardLevel::Zone);
    }

    #[test]
    fn an_assignment_ends_on_or_after_its_start_and_once() {
        let start = date(2025, 3, 1);
        let today = date(2025, 6, 1);
        assert_eq!(check_end(start, None, start, today), Ok(()));
        assert!(matches!(
            check_end(start, None, date(2025, 2, 1), today),
            Err(StewardError::Field(p)) if p.field == "ends_on"
        ));
        // A planned end still ahead may be moved; a past one is final.
        assert_eq!(
            check_end(start, Some(date(2025, 12, 31)), today, today),
            Ok(())
        );
        assert_eq!(
            check_end(start, Some(date(2025, 5, 1)), today, today),
            Err(StewardError::AlreadyEnded(date(2025, 5, 1)))
        );
    }

    fn contact(on: Date) -> ContactForm {
        ContactForm {
            steward: StewardId(1),
            contacted_on: on,
            channel: ContactChannel::Visit,
            topics: " 中试场地 ".into(),
            requests: vec![RequestId(3), RequestId(1), RequestId(3)],
            follow_up: Some(" ".into()),
            corrects: None,
        }
        .cleaned()
    }

    #[test]
    fn a_contact_is_dated_within_its_assignment_and_not_ahead_of_today() {
        let today = date(2025, 6, 1);
        let form = contact(today);
        assert_eq!(form.requests, vec![RequestId(1), RequestId(3)]);
        assert_eq!(
            (form.topics.as_str(), form.follow_up.as_deref()),
            ("中试场地", None)
        );
        assert!(form.problems(today).is_empty());
        assert_eq!(
            fields(&contact(date(2025, 6, 2)).problems(today)),
            vec!["contacted_on"]
        );
        let empty = ContactForm {
            topics: "  ".into(),
            ..form.clone()
        }
        .cleaned();
        assert_eq!(fields(&empty.problems(today)), vec!["topics"]);
        let start = date(2025, 3, 1);
        assert_eq!(form.period_problem(start, None), None);
        assert_eq!(
            contact(date(2025, 2, 28))
                .period_problem(start, None)
                .map(|p| p.field),
            Some("contacted_on")
        );
        assert!(
            contact(date(2025, 5, 2))
                .period_problem(start, Some(date(2025, 5, 1)))
                .is_some()
        );
    }

    #[test]
    fn figures_count_contacts_in_the_period_and_flag_quiet_enterprises() {
        let id = |t: &str| EnterpriseId::parse(t).unwrap();
        let today = date(2025, 6, 30);
        let assignment = |n, enterprise: &str, starts_on, ends_on| AssignmentFacts {
            id: StewardId(n),
            person: "person:王敏|1380".into(),
            name: "王敏".into(),
            enterprise: id(enterprise),
            starts_on,
            ends_on,
        };
        let assignments = [
            assignment(1, "alpha", date(2025, 1, 1), None),
            assignment(2, "beta", date(2025, 1, 1), None),
            // Ended: its contacts count in the period, it serves no one now.
            assignment(3, "gamma", date(2025, 1, 1), Some(date(2025, 5, 31))),
            AssignmentFacts {
                person: "person:李雷|1390".into(),
                name: "李雷".into(),
                ..assignment(4, "alpha", date(2025, 6, 1), None)
            },
        ];
        let contact = |n, steward, on, corrects| ContactFacts {
            id: ContactId(n),
            steward: StewardId(steward),
            contacted_on: on,
            corrects,
        };
        let contacts = [
            contact(1, 1, date(2025, 6, 10), None),
            // Corrected by 3: counted as 3 only.
            contact(2, 1, date(2025, 6, 20), None),
            contact(3, 1, date(2025, 6, 21), Some(ContactId(2))),
            contact(4, 2, date(2025, 3, 1), None),
            contact(5, 3, date(2025, 5, 15), None),
        ];
        let figures = steward_figures(
            &assignments,
            &contacts,
            (date(2025, 5, 1), date(2025, 6, 30)),
            today,
        );
        let names: Vec<&str> = figures.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, vec!["李雷", "王敏"]);
        let wang = &figures[1];
        assert_eq!(wang.contacts_in_period, 3);
        let served: Vec<(&str, Option<Date>, i64, bool)> = wang
            .served
            .iter()
            .map(|s| (s.enterprise.as_str(), s.last_contact, s.days_since, s.stale))
            .collect();
        assert_eq!(
            served,
            vec![
                ("alpha", Some(date(2025, 6, 21)), 9, false),
                ("beta", Some(date(2025, 3, 1)), 121, true),
            ]
        );
        assert_eq!(wang.stale, 1);
        // Never contacted: counted from the start of the assignment.
        let li = &figures[0];
        assert_eq!(
            (li.served[0].last_contact, li.served[0].days_since),
            (None, 29)
        );
        assert_eq!(li.stale, 0);
    }
}
