//! The clocks that time requests (诉求): for each class of request, how long
//! the office has to accept, answer and close it, and when an unaccepted
//! request goes one level up.
//!
//! The limits differ from place to place and none is national law (only
//! local rules were found), so they are data with a source, versioned like
//! rule sets: a [`ClockSet`] is read from TOML, and the national default
//! ships in the binary (`data/request-clocks.toml`). A request records the
//! set and version that timed it.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use std::sync::LazyLock;

use jiff::civil::{Date, Time};
use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use toml::de::{DeTable, DeValue};

use crate::workflow::calendar::{CalendarError, WorkingCalendar};
use crate::workflow::clock::china_today;

/// What kind of request it is: each kind has its own clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RequestClass {
    /// A question on a policy or a procedure (咨询, 政策解答).
    Consultation,
    /// An ordinary request for help or a matter to settle (求助, 业务对接).
    General,
    /// Urgent (紧急): answered within hours.
    Urgent,
    /// Needs several departments (复杂, 跨部门).
    Complex,
}

impl RequestClass {
    /// Every value, in the order the API lists them.
    pub const ALL: &'static [Self] = &[
        Self::Consultation,
        Self::General,
        Self::Urgent,
        Self::Complex,
    ];

    /// The key used in the API, the store and clock sets.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Consultation => "consultation",
            Self::General => "general",
            Self::Urgent => "urgent",
            Self::Complex => "complex",
        }
    }

    /// Parses [`Self::as_str`]'s output.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }
}

impl fmt::Display for RequestClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a limit or a clock set cannot be used. Every message names what is
/// wrong where, so that whoever edits a clock set can fix it from the
/// message alone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// Text that is not a limit.
    #[error("{text:?} is not a limit: {problem}")]
    Limit { text: String, problem: &'static str },
    /// A clock set that is not TOML at all.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// A field of a clock set that is missing, unknown, of the wrong type,
    /// or whose value makes no sense; `at` is its (line, column) when it is
    /// present in the text.
    #[error("{field}: {problem}{}", located(.at))]
    Field {
        field: String,
        problem: String,
        at: Option<(usize, usize)>,
    },
    /// The clock set shipped in the binary does not parse (a build defect).
    #[error("the shipped clock set does not parse: {0}")]
    Shipped(String),
}

fn located(at: &Option<(usize, usize)>) -> String {
    at.map(|(line, column)| format!(" (line {line}, column {column})"))
        .unwrap_or_default()
}

/// A time limit, written `30m`, `2h`, `5d` or `3wd`.
///
/// Minutes, hours and days are elapsed time from the start; working days
/// follow China's working-day calendar, because that is how the published
/// local rules count them ("3个工作日").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Limit {
    /// Elapsed minutes: `30m`.
    Minutes(u32),
    /// Elapsed hours: `2h`.
    Hours(u32),
    /// Calendar days of 24 hours, elapsed: `5d`. Weekends and holidays
    /// count, as in "5日内办结".
    Days(u32),
    /// Working days: `3wd`. Due at the end (24:00 China time) of the n-th
    /// working day after the day of the start, so a request filed on a
    /// weekend or a holiday starts counting on the next working day.
    /// [`Limit::parse`] refuses zero; a `WorkingDays(0)` built by hand
    /// counts as one.
    WorkingDays(u32),
}

/// The longest limit accepted: a year (366 days) in any unit, 366 working
/// days. A longer one is a typo, and refusing it keeps every deadline far
/// from the end of time.
const MAX_DAYS: u32 = 366;

/// How a limit is written, for the messages that refuse one.
const LIMIT_FORM: &str = "write a whole number and a unit: m (minutes), h (hours), d (days) or wd (working days), e.g. 3wd";

/// How many characters of a refused text a message repeats.
const ECHO: usize = 40;

/// A refused text as a message repeats it: whole when short, else cut.
fn echo(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(ECHO).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

impl Limit {
    /// Reads `30m`, `2h`, `5d` or `3wd`: a whole number from 1 up to a
    /// year's worth, then the unit, nothing else.
    pub fn parse(text: &str) -> Result<Self, ClockError> {
        let refuse = |problem| ClockError::Limit {
            text: echo(text),
            problem,
        };
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (digits, unit) = text.split_at(split);
        let make: fn(u32) -> Self = match unit {
            "m" => Self::Minutes,
            "h" => Self::Hours,
            "d" => Self::Days,
            "wd" => Self::WorkingDays,
            _ => return Err(refuse(LIMIT_FORM)),
        };
        if digits.is_empty() {
            return Err(refuse(LIMIT_FORM));
        }
        let count: u32 = digits
            .parse()
            .map_err(|_| refuse("at most a year: 527040m, 8784h, 366d or 366wd"))?;
        if count == 0 {
            return Err(refuse("a limit is at least 1 of its unit"));
        }
        let limit = make(count);
        if limit.count() > limit.max_count() {
            return Err(refuse("at most a year: 527040m, 8784h, 366d or 366wd"));
        }
        Ok(limit)
    }

    /// The number of units.
    pub fn count(self) -> u32 {
        match self {
            Self::Minutes(n) | Self::Hours(n) | Self::Days(n) | Self::WorkingDays(n) => n,
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Self::Minutes(_) => "m",
            Self::Hours(_) => "h",
            Self::Days(_) => "d",
            Self::WorkingDays(_) => "wd",
        }
    }

    fn max_count(self) -> u32 {
        match self {
            Self::Minutes(_) => MAX_DAYS * 24 * 60,
            Self::Hours(_) => MAX_DAYS * 24,
            Self::Days(_) | Self::WorkingDays(_) => MAX_DAYS,
        }
    }

    /// The limit as elapsed time, or `None` for working days, whose length
    /// depends on when they start.
    pub fn as_duration(self) -> Option<SignedDuration> {
        let n = i64::from(self.count());
        match self {
            Self::Minutes(_) => Some(SignedDuration::from_mins(n)),
            Self::Hours(_) => Some(SignedDuration::from_hours(n)),
            Self::Days(_) => Some(SignedDuration::from_hours(24 * n)),
            Self::WorkingDays(_) => None,
        }
    }

    /// Which of two limits is longer, when the answer is the same whatever
    /// the start: two elapsed times, or two counts of working days. An
    /// elapsed time against working days depends on the weekends and
    /// holidays in between, hence `None`.
    pub fn compare(self, other: Self) -> Option<Ordering> {
        match (self, other) {
            (Self::WorkingDays(a), Self::WorkingDays(b)) => Some(a.cmp(&b)),
            _ => Some(self.as_duration()?.cmp(&other.as_duration()?)),
        }
    }

    /// The deadline of a limit that starts at `start`: elapsed time added to
    /// it, or the end of the n-th working day after its day in China (the
    /// counting of [`WorkingCalendar::notice_window`]). Fails when the count
    /// reaches a year the calendar does not hold, naming the year.
    pub fn due(
        self,
        start: Timestamp,
        calendar: &WorkingCalendar,
    ) -> Result<Timestamp, CalendarError> {
        match self.as_duration() {
            Some(elapsed) => Ok(moved(start, elapsed)),
            None => {
                let (_, last) = calendar.notice_window(china_today(start), self.count())?;
                Ok(end_of_china_day(last))
            }
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.count(), self.unit())
    }
}

impl FromStr for Limit {
    type Err = ClockError;

    fn from_str(text: &str) -> Result<Self, ClockError> {
        Self::parse(text)
    }
}

impl TryFrom<String> for Limit {
    type Error = ClockError;

    fn try_from(text: String) -> Result<Self, ClockError> {
        Self::parse(&text)
    }
}

impl From<Limit> for String {
    fn from(limit: Limit) -> Self {
        limit.to_string()
    }
}

/// China's offset from UTC, the one [`china_today`] counts days in.
const CHINA: Offset = Offset::constant(8);

/// The instant `day` ends in China: the next day's 00:00 (UTC+8). Past
/// jiff's last day, the end of time: no deadline can be missed there.
fn end_of_china_day(day: Date) -> Timestamp {
    day.tomorrow()
        .ok()
        .and_then(|next| CHINA.to_timestamp(next.to_datetime(Time::midnight())).ok())
        .unwrap_or(Timestamp::MAX)
}

/// `instant` moved by `by`, stopping at the ends of time rather than
/// failing: a deadline there is never reached either way.
fn moved(instant: Timestamp, by: SignedDuration) -> Timestamp {
    instant.checked_add(by).unwrap_or(if by.is_negative() {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// The clocks of one class of request, each counted from filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassClock {
    /// To accept it (签收).
    pub accept: Limit,
    /// To give the enterprise a first answer.
    pub answer: Limit,
    /// To close it (办结).
    pub close: Limit,
}

/// Whether a clock set has been checked against its sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ClockStatus {
    /// Checked against the text of every source it cites.
    Verified,
    /// Transcribed, but some source is secondary or not yet checked: shown
    /// as such, so nobody mistakes it for an official limit.
    Unverified,
}

impl ClockStatus {
    /// Every value.
    pub const ALL: &'static [Self] = &[Self::Verified, Self::Unverified];

    /// The key used in clock sets and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Unverified => "unverified",
        }
    }

    /// Parses [`Self::as_str`]'s output.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }
}

impl fmt::Display for ClockStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One clock per class: every class has one, by construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct ClassClocks {
    consultation: ClassClock,
    general: ClassClock,
    urgent: ClassClock,
    complex: ClassClock,
}

impl ClassClocks {
    fn get(&self, class: RequestClass) -> &ClassClock {
        match class {
            RequestClass::Consultation => &self.consultation,
            RequestClass::General => &self.general,
            RequestClass::Urgent => &self.urgent,
            RequestClass::Complex => &self.complex,
        }
    }
}

/// The deadlines of one request, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dues {
    /// To be accepted (签收) by.
    pub accept: Timestamp,
    /// To be answered by.
    pub answer: Timestamp,
    /// To be closed by.
    pub close: Timestamp,
    /// Still not accepted at this instant, it goes one level up (提级).
    pub escalate: Timestamp,
}

impl Dues {
    /// Every deadline moved by `by`: a request that waited for the
    /// enterprise gets that time back when it resumes.
    pub fn shifted(self, by: SignedDuration) -> Self {
        Self {
            accept: moved(self.accept, by),
            answer: moved(self.answer, by),
            close: moved(self.close, by),
            escalate: moved(self.escalate, by),
        }
    }
}

/// A versioned set of clocks for every class of request, with where it
/// applies and what it follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockSet {
    id: String,
    version: String,
    name: String,
    jurisdiction: String,
    source: String,
    status: ClockStatus,
    escalate_unaccepted_after: Limit,
    /// The least share, in percent, of closed requests to revisit (回访).
    revisit_share: u8,
    classes: ClassClocks,
}

static SHIPPED: LazyLock<Result<ClockSet, ClockError>> = LazyLock::new(|| {
    ClockSet::parse(include_str!("../../data/request-clocks.toml"))
        .map_err(|e| ClockError::Shipped(e.to_string()))
});

const TOP_KEYS: &[&str] = &[
    "id",
    "version",
    "name",
    "jurisdiction",
    "source",
    "status",
    "escalate_unaccepted_after",
    "revisit_share",
    "classes",
];

/// The least share of closed requests revisited when a clock set names
/// none: 晴隆县 12345 (2023) revisits at least 10 % of its tickets each
/// month (research notes cultivation-services.md, §2.1).
pub const DEFAULT_REVISIT_SHARE: u8 = 10;

const CLOCK_KEYS: &[&str] = &["accept", "answer", "close"];

impl ClockSet {
    /// The national default shipped in the binary
    /// (`data/request-clocks.toml`), parsed once. It failing is a build
    /// defect a test catches; it is still an error, not a panic, like
    /// [`crate::workflow::calendar::official_years`].
    pub fn shipped() -> Result<&'static Self, ClockError> {
        SHIPPED.as_ref().map_err(Clone::clone)
    }

    /// Reads and checks a clock set written in TOML. Every error names the
    /// field (`classes.general.answer: ...`) and, when it is in the text,
    /// its line and column.
    pub fn parse(text: &str) -> Result<Self, ClockError> {
        let document = DeTable::parse(text).map_err(|error| {
            let (line, column) = position(text, error.span().map_or(text.len(), |s| s.start));
            ClockError::Syntax {
                line,
                column,
                message: error.message().trim_end().to_owned(),
            }
        })?;
        let reader = Reader { text };
        let root = document.get_ref();
        reader.known_keys(root, "", TOP_KEYS)?;
        let id = reader.string(root, "", "id")?.0;
        let valid_id = (1..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !valid_id {
            return Err(reader.value_error(
                root,
                "",
                "id",
                format!(
                    "{:?} is not a key: 1-64 lower-case letters, digits, '-' or '_'",
                    echo(id)
                ),
            ));
        }
        let status_text = reader.string(root, "", "status")?.0;
        let status = ClockStatus::parse(status_text).ok_or_else(|| {
            reader.value_error(
                root,
                "",
                "status",
                format!(
                    "{:?} is not a status: \"verified\" or \"unverified\"",
                    echo(status_text)
                ),
            )
        })?;
        let classes_table = reader.table(root, "", "classes")?;
        let class_keys: Vec<&str> = RequestClass::ALL.iter().map(|c| c.as_str()).collect();
        reader.known_keys(classes_table, "classes", &class_keys)?;
        let clock = |class: RequestClass| reader.class_clock(classes_table, class);
        Ok(Self {
            id: id.to_owned(),
            version: reader.text(root, "", "version")?.to_owned(),
            name: reader.text(root, "", "name")?.to_owned(),
            jurisdiction: reader.text(root, "", "jurisdiction")?.to_owned(),
            source: reader.text(root, "", "source")?.to_owned(),
            status,
            escalate_unaccepted_after: reader.limit(root, "", "escalate_unaccepted_after")?.0,
            revisit_share: reader.percent(root, "", "revisit_share", DEFAULT_REVISIT_SHARE)?,
            classes: ClassClocks {
                consultation: clock(RequestClass::Consultation)?,
                general: clock(RequestClass::General)?,
                urgent: clock(RequestClass::Urgent)?,
                complex: clock(RequestClass::Complex)?,
            },
        })
    }

    /// Its key, e.g. `national`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its version, e.g. `2025.1`: a request records the id and version
    /// that timed it.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Its name, for people.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where it applies, as written: `CN`, a six-digit division code, or
    /// `zone:ID`.
    pub fn jurisdiction(&self) -> &str {
        &self.jurisdiction
    }

    /// The documents it follows.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether it has been checked against those documents.
    pub fn status(&self) -> ClockStatus {
        self.status
    }

    /// How long a request may wait unaccepted before it goes one level up.
    pub fn escalate_unaccepted_after(&self) -> Limit {
        self.escalate_unaccepted_after
    }

    /// The least share, in percent, of the requests closed in a period that
    /// are revisited (回访); every unsatisfied one is revisited besides.
    pub fn revisit_share(&self) -> u8 {
        self.revisit_share
    }

    /// The clocks of `class`.
    pub fn clock(&self, class: RequestClass) -> &ClassClock {
        self.classes.get(class)
    }

    /// The deadlines of a request of `class` filed (or escalated, or
    /// reopened) at `start`.
    pub fn dues(
        &self,
        class: RequestClass,
        start: Timestamp,
        calendar: &WorkingCalendar,
    ) -> Result<Dues, CalendarError> {
        let clock = self.clock(class);
        Ok(Dues {
            accept: clock.accept.due(start, calendar)?,
            answer: clock.answer.due(start, calendar)?,
            close: clock.close.due(start, calendar)?,
            escalate: self.escalation_due(start, calendar)?,
        })
    }

    /// When a request that started waiting for acceptance at `start` goes
    /// one level up if still unaccepted.
    pub fn escalation_due(
        &self,
        start: Timestamp,
        calendar: &WorkingCalendar,
    ) -> Result<Timestamp, CalendarError> {
        self.escalate_unaccepted_after.due(start, calendar)
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = text.get(..end).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// `prefix.key`, or `key` at the top.
fn path(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Reads the fields of a parsed clock set, naming each in its errors.
struct Reader<'t> {
    text: &'t str,
}

impl Reader<'_> {
    fn error(&self, field: String, problem: String, span: Option<Range<usize>>) -> ClockError {
        ClockError::Field {
            field,
            problem,
            at: span.map(|s| position(self.text, s.start)),
        }
    }

    /// An error about the value of `key`, placed at it.
    fn value_error(
        &self,
        table: &DeTable<'_>,
        prefix: &str,
        key: &str,
        problem: String,
    ) -> ClockError {
        self.error(path(prefix, key), problem, table.get(key).map(|v| v.span()))
    }

    fn known_keys(
        &self,
        table: &DeTable<'_>,
        prefix: &str,
        known: &[&str],
    ) -> Result<(), ClockError> {
        for (key, _) in table.iter() {
            let name: &str = key.get_ref();
            if !known.contains(&name) {
                return Err(self.error(
                    path(prefix, &echo(name)),
                    format!("unknown key (known: {})", known.join(", ")),
                    Some(key.span()),
                ));
            }
        }
        Ok(())
    }

    fn value<'a, 'i>(
        &self,
        table: &'a DeTable<'i>,
        prefix: &str,
        key: &str,
    ) -> Result<&'a toml::Spanned<DeValue<'i>>, ClockError> {
        table
            .get(key)
            .ok_or_else(|| self.error(path(prefix, key), "missing".into(), None))
    }

    fn wrong_type(
        &self,
        prefix: &str,
        key: &str,
        expected: &str,
        found: &toml::Spanned<DeValue<'_>>,
    ) -> ClockError {
        let kind = found.get_ref().type_str();
        let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        self.error(
            path(prefix, key),
            format!("expected {expected}, found {article} {kind}"),
            Some(found.span()),
        )
    }

    /// A string and where it is.
    fn string<'a>(
        &self,
        table: &'a DeTable<'_>,
        prefix: &str,
        key: &str,
    ) -> Result<(&'a str, Range<usize>), ClockError> {
        let value = self.value(table, prefix, key)?;
        match value.get_ref() {
            DeValue::String(text) => Ok((text.as_ref(), value.span())),
            _ => Err(self.wrong_type(prefix, key, "a string", value)),
        }
    }

    /// A string with something in it, trimmed.
    fn text<'a>(
        &self,
        table: &'a DeTable<'_>,
        prefix: &str,
        key: &str,
    ) -> Result<&'a str, ClockError> {
        let (text, span) = self.string(table, prefix, key)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(self.error(path(prefix, key), "must not be empty".into(), Some(span)));
        }
        Ok(text)
    }

    fn limit(
        &self,
        table: &DeTable<'_>,
        prefix: &str,
        key: &str,
    ) -> Result<(Limit, Range<usize>), ClockError> {
        let (text, span) = self.string(table, prefix, key)?;
        let limit = Limit::parse(text)
            .map_err(|e| self.error(path(prefix, key), e.to_string(), Some(span.clone())))?;
        Ok((limit, span))
    }

    /// A whole percentage from 0 to 100, or `default` when the key is absent.
    fn percent(
        &self,
        table: &DeTable<'_>,
        prefix: &str,
        key: &str,
        default: u8,
    ) -> Result<u8, ClockError> {
        let Some(value) = table.get(key) else {
            return Ok(default);
        };
        let DeValue::Integer(number) = value.get_ref() else {
            return Err(self.wrong_type(prefix, key, "a whole percentage (0-100)", value));
        };
        u8::from_str_radix(number.as_str(), number.radix())
            .ok()
            .filter(|p| *p <= 100)
            .ok_or_else(|| {
                self.error(
                    path(prefix, key),
                    format!("{number} is not a percentage from 0 to 100"),
                    Some(value.span()),
                )
            })
    }

    fn table<'a, 'i>(
        &self,
        table: &'a DeTable<'i>,
        prefix: &str,
        key: &str,
    ) -> Result<&'a DeTable<'i>, ClockError> {
        let value = self.value(table, prefix, key)?;
        match value.get_ref() {
            DeValue::Table(inner) => Ok(inner),
            _ => Err(self.wrong_type(prefix, key, "a table", value)),
        }
    }

    /// `[classes.<class>]`: its three limits, none longer than the time to
    /// close where the two can be compared.
    fn class_clock(
        &self,
        classes: &DeTable<'_>,
        class: RequestClass,
    ) -> Result<ClassClock, ClockError> {
        let prefix = path("classes", class.as_str());
        if classes.get(class.as_str()).is_none() {
            let every: Vec<&str> = RequestClass::ALL.iter().map(|c| c.as_str()).collect();
            return Err(self.error(
                prefix,
                format!(
                    "missing: every class needs its clocks ({})",
                    every.join(", ")
                ),
                None,
            ));
        }
        let table = self.table(classes, "classes", class.as_str())?;
        self.known_keys(table, &prefix, CLOCK_KEYS)?;
        let (accept, accept_at) = self.limit(table, &prefix, "accept")?;
        let (answer, answer_at) = self.limit(table, &prefix, "answer")?;
        let (close, _) = self.limit(table, &prefix, "close")?;
        for (key, limit, at) in [("accept", accept, accept_at), ("answer", answer, answer_at)] {
            if limit.compare(close) == Some(Ordering::Greater) {
                return Err(self.error(
                    path(&prefix, key),
                    format!("{limit} is longer than the time to close ({close})"),
                    Some(at),
                ));
            }
        }
        Ok(ClassClock {
            accept,
            answer,
            close,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An instant written in RFC 3339, with its offset.
    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn official() -> WorkingCalendar {
        WorkingCalendar::official().unwrap()
    }

    const SAMPLE: &str = r#"id = "test"
version = "1"
name = "Test clocks"
jurisdiction = "440300"
status = "verified"
source = "a test"
escalate_unaccepted_after = "12h"

[classes.consultation]
accept = "2h"
answer = "24h"
close = "1wd"

[classes.general]
accept = "2h"
answer = "3wd"
close = "5d"

[classes.urgent]
accept = "30m"
answer = "2h"
close = "2d"

[classes.complex]
accept = "2h"
answer = "3wd"
close = "15wd"
"#;

    /// The sample with `from` replaced by `to` (which must be there).
    fn edited(from: &str, to: &str) -> Result<ClockSet, ClockError> {
        assert!(SAMPLE.contains(from), "{from}");
        ClockSet::parse(&SAMPLE.replacen(from, to, 1))
    }

    fn field_error(field: &str, problem: &str, at: Option<(usize, usize)>) -> ClockError {
        ClockError::Field {
            field: field.into(),
            problem: problem.into(),
            at,
        }
    }

    #[test]
    fn request_classes_read_back_their_keys() {
        for &class in RequestClass::ALL {
            assert_eq!(RequestClass::parse(class.as_str()), Some(class));
            assert_eq!(
                serde_json::to_string(&class).unwrap(),
                format!("\"{class}\"")
            );
        }
        assert_eq!(RequestClass::parse("Urgent"), None);
    }

    #[test]
    fn limits_print_as_they_parse() {
        for (text, limit) in [
            ("30m", Limit::Minutes(30)),
            ("2h", Limit::Hours(2)),
            ("5d", Limit::Days(5)),
            ("3wd", Limit::WorkingDays(3)),
            ("527040m", Limit::Minutes(527_040)),
            ("366wd", Limit::WorkingDays(366)),
        ] {
            assert_eq!(Limit::parse(text), Ok(limit));
            assert_eq!(limit.to_string(), text);
            assert_eq!(
                serde_json::to_string(&limit).unwrap(),
                format!("\"{text}\"")
            );
            assert_eq!(
                serde_json::from_str::<Limit>(&format!("\"{text}\"")).unwrap(),
                limit
            );
        }
        let clock: ClassClock =
            toml::from_str("accept = \"2h\"\nanswer = \"3wd\"\nclose = \"5d\"").unwrap();
        assert_eq!(clock.answer, Limit::WorkingDays(3));
        assert!(
            toml::from_str::<ClassClock>("accept = \"2h\"\nanswer = \"3x\"\nclose = \"5d\"")
                .is_err()
        );
        assert!(
            toml::from_str::<ClassClock>(
                "accept = \"2h\"\nanswer = \"3h\"\nclose = \"5d\"\nrevisit = \"1d\""
            )
            .is_err()
        );
    }

    #[test]
    fn junk_zero_and_overlong_limits_are_refused_naming_the_text() {
        for text in [
            "", "3", "h", "3x", "3 h", " 3h", "3h ", "-3h", "+3h", "3H", "3.5h", "3hh", "3dw",
            "３h", "wd3",
        ] {
            let error = Limit::parse(text).unwrap_err();
            assert_eq!(
                error,
                ClockError::Limit {
                    text: text.into(),
                    problem: LIMIT_FORM
                },
                "{text:?}"
            );
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("{text:?} is not a limit"))
            );
        }
        for text in ["0m", "0h", "0d", "0wd"] {
            assert_eq!(
                Limit::parse(text).unwrap_err().to_string(),
                format!("{text:?} is not a limit: a limit is at least 1 of its unit")
            );
        }
        for text in ["527041m", "8785h", "367d", "367wd", "99999999999h"] {
            assert!(
                Limit::parse(text)
                    .unwrap_err()
                    .to_string()
                    .ends_with("at most a year: 527040m, 8784h, 366d or 366wd"),
                "{text}"
            );
        }
        let long = "9".repeat(100);
        assert!(matches!(
            Limit::parse(&long),
            Err(ClockError::Limit { text, .. }) if text.chars().count() == ECHO + 1
        ));
    }

    #[test]
    fn elapsed_limits_run_through_nights_and_weekends() {
        let calendar = official();
        // Wednesday 22:30 in Beijing, two hours: 00:30 on Thursday.
        assert_eq!(
            Limit::Hours(2).due(at("2025-03-05T22:30:00+08:00"), &calendar),
            Ok(at("2025-03-06T00:30:00+08:00"))
        );
        assert_eq!(
            Limit::Minutes(90).due(at("2025-03-05T23:00:00+08:00"), &calendar),
            Ok(at("2025-03-06T00:30:00+08:00"))
        );
        // 24 hours from a Friday morning end on Saturday morning: elapsed
        // time does not stop for the weekend.
        assert_eq!(
            Limit::Hours(24).due(at("2025-03-07T10:00:00+08:00"), &calendar),
            Ok(at("2025-03-08T10:00:00+08:00"))
        );
        // Five days of 24 hours from Friday 10:00: Wednesday 10:00.
        assert_eq!(
            Limit::Days(5).due(at("2025-03-07T10:00:00+08:00"), &calendar),
            Ok(at("2025-03-12T10:00:00+08:00"))
        );
    }

    #[test]
    fn working_days_wait_for_the_national_day_holiday_2025() {
        // The official 2025 calendar: 1–8 October off; Sunday 28 September
        // and Saturday 11 October worked. Filed Tuesday 30 September 10:00:
        // counting starts the next working day, so the three working days
        // are Thursday 9, Friday 10 and Saturday 11 October (make-up day);
        // due at the end of the 11th, i.e. 2025-10-12 00:00 in Beijing.
        let filed = at("2025-09-30T10:00:00+08:00");
        assert_eq!(
            Limit::WorkingDays(3).due(filed, &official()),
            Ok(at("2025-10-12T00:00:00+08:00"))
        );
        // One filed during the holiday (Friday 3 October) counts from
        // Thursday 9 October: one working day ends at its end.
        assert_eq!(
            Limit::WorkingDays(1).due(at("2025-10-03T15:00:00+08:00"), &official()),
            Ok(at("2025-10-10T00:00:00+08:00"))
        );
    }

    #[test]
    fn a_request_filed_on_a_make_up_sunday_counts_from_monday() {
        // Sunday 28 September 2025 is a working day, but the count starts
        // on the next one, Monday 29th: 29th, 30th, then Thursday 9 October.
        let due = at("2025-10-10T00:00:00+08:00");
        assert_eq!(
            Limit::WorkingDays(3).due(at("2025-09-28T11:00:00+08:00"), &official()),
            Ok(due)
        );
        // 00:30 on that Sunday in Beijing is still Saturday 27th in UTC:
        // the day is China's, so the count is the same. (Counting from
        // Saturday 27th would have started on Sunday 28th and ended a week
        // and a half earlier, on 1 October.)
        let filed = at("2025-09-27T16:30:00Z");
        assert_eq!(china_today(filed), jiff::civil::date(2025, 9, 28));
        assert_eq!(Limit::WorkingDays(3).due(filed, &official()), Ok(due));
    }

    #[test]
    fn working_days_count_across_new_year_2026() {
        // Filed Wednesday 31 December 2025. 2026: 1–3 January off, Sunday
        // 4 January worked. Working days: 4 Jan (1), 5–9 (2–6), 12–16
        // (7–11), 19–22 (12–15): due at the end of Thursday 22 January.
        let shipped = ClockSet::shipped().unwrap();
        let dues = shipped
            .dues(
                RequestClass::Complex,
                at("2025-12-31T15:00:00+08:00"),
                &official(),
            )
            .unwrap();
        assert_eq!(dues.close, at("2026-01-23T00:00:00+08:00"));
        // Its answer (3 working days): 4, 5, 6 January.
        assert_eq!(dues.answer, at("2026-01-07T00:00:00+08:00"));
    }

    #[test]
    fn a_count_that_runs_into_2027_fails_naming_the_year() {
        // Filed Sunday 20 December 2026: 21–25 and 28–31 December are only
        // nine working days; the calendar holds no 2027.
        let error = Limit::WorkingDays(15)
            .due(at("2026-12-20T09:00:00+08:00"), &official())
            .unwrap_err();
        assert_eq!(error, CalendarError::YearMissing { year: 2027 });
        assert!(error.to_string().contains("2027"));
        // Elapsed time needs no calendar.
        assert_eq!(
            Limit::Days(15).due(at("2026-12-20T09:00:00+08:00"), &official()),
            Ok(at("2027-01-04T09:00:00+08:00"))
        );
    }

    #[test]
    fn the_shipped_clocks_parse_and_say_what_they_follow() {
        let shipped = ClockSet::shipped().unwrap();
        assert_eq!(shipped.id(), "national");
        assert_eq!(shipped.version(), "2025.1");
        assert_eq!(shipped.jurisdiction(), "CN");
        assert!(shipped.name().contains("national default request clocks"));
        // Compiled from local rules, two of them secondary: not verified.
        assert_eq!(shipped.status(), ClockStatus::Unverified);
        assert!(shipped.source().contains("No official national time limit"));
        assert_eq!(shipped.escalate_unaccepted_after(), Limit::Hours(12));
        let clock = |accept, answer, close| ClassClock {
            accept: Limit::parse(accept).unwrap(),
            answer: Limit::parse(answer).unwrap(),
            close: Limit::parse(close).unwrap(),
        };
        use RequestClass as C;
        assert_eq!(*shipped.clock(C::Consultation), clock("2h", "24h", "1wd"));
        assert_eq!(*shipped.clock(C::General), clock("2h", "3wd", "5wd"));
        assert_eq!(*shipped.clock(C::Urgent), clock("2h", "2h", "2d"));
        assert_eq!(*shipped.clock(C::Complex), clock("2h", "3wd", "15wd"));
    }

    #[test]
    fn the_shipped_clocks_time_each_class() {
        // Wednesday 5 March 2025, 10:00 in Beijing; no holiday in March.
        let shipped = ClockSet::shipped().unwrap();
        let calendar = official();
        let filed = at("2025-03-05T10:00:00+08:00");
        let dues = |class| shipped.dues(class, filed, &calendar).unwrap();
        let accept = at("2025-03-05T12:00:00+08:00");
        let escalate = at("2025-03-05T22:00:00+08:00");
        // Consultation: 2 h, 24 h, end of the next working day (Thursday).
        assert_eq!(
            dues(RequestClass::Consultation),
            Dues {
                accept,
                answer: at("2025-03-06T10:00:00+08:00"),
                close: at("2025-03-07T00:00:00+08:00"),
                escalate,
            }
        );
        // General: 3 working days are Thursday, Friday and Monday; 5 are
        // Thursday to Wednesday 12 March.
        assert_eq!(
            dues(RequestClass::General),
            Dues {
                accept,
                answer: at("2025-03-11T00:00:00+08:00"),
                close: at("2025-03-13T00:00:00+08:00"),
                escalate,
            }
        );
        // Urgent: 2 h, 2 h, 2 days.
        assert_eq!(
            dues(RequestClass::Urgent),
            Dues {
                accept,
                answer: accept,
                close: at("2025-03-07T10:00:00+08:00"),
                escalate,
            }
        );
        // Complex: 15 working days are 6–7, 10–14, 17–21, 24–26 March.
        assert_eq!(
            dues(RequestClass::Complex),
            Dues {
                accept,
                answer: at("2025-03-11T00:00:00+08:00"),
                close: at("2025-03-27T00:00:00+08:00"),
                escalate,
            }
        );
        assert_eq!(shipped.escalation_due(filed, &calendar), Ok(escalate));
    }

    #[test]
    fn shifted_dues_move_every_deadline() {
        let dues = Dues {
            accept: at("2025-03-05T12:00:00+08:00"),
            answer: at("2025-03-11T00:00:00+08:00"),
            close: at("2025-03-10T10:00:00+08:00"),
            escalate: at("2025-03-05T22:00:00+08:00"),
        };
        let waited = SignedDuration::from_hours(50);
        let shifted = dues.shifted(waited);
        assert_eq!(
            shifted,
            Dues {
                accept: at("2025-03-07T14:00:00+08:00"),
                answer: at("2025-03-13T02:00:00+08:00"),
                close: at("2025-03-12T12:00:00+08:00"),
                escalate: at("2025-03-08T00:00:00+08:00"),
            }
        );
        assert_eq!(shifted.shifted(-waited), dues);
        assert_eq!(dues.shifted(SignedDuration::ZERO), dues);
        // At the end of time a deadline stays there instead of failing.
        assert_eq!(dues.shifted(SignedDuration::MAX).close, Timestamp::MAX);
    }

    #[test]
    fn a_valid_clock_set_reads() {
        let set = ClockSet::parse(SAMPLE).unwrap();
        assert_eq!(set.id(), "test");
        assert_eq!(set.status(), ClockStatus::Verified);
        assert_eq!(set.jurisdiction(), "440300");
        assert_eq!(set.clock(RequestClass::Urgent).accept, Limit::Minutes(30));
        // Serialised as the file writes it.
        let json = serde_json::to_value(&set).unwrap();
        assert_eq!(json["classes"]["complex"]["close"], "15wd");
        assert_eq!(json["escalate_unaccepted_after"], "12h");
        // No revisit share written: the default.
        assert_eq!(set.revisit_share(), DEFAULT_REVISIT_SHARE);
        assert_eq!(json["revisit_share"], 10);
    }

    #[test]
    fn a_revisit_share_is_a_whole_percentage() {
        let set = edited("status", "revisit_share = 25\nstatus").unwrap();
        assert_eq!(set.revisit_share(), 25);
        for (written, problem) in [
            ("101", "101 is not a percentage from 0 to 100"),
            ("-5", "-5 is not a percentage from 0 to 100"),
            (
                "\"10%\"",
                "expected a whole percentage (0-100), found a string",
            ),
        ] {
            let error =
                edited("status", &format!("revisit_share = {written}\nstatus")).unwrap_err();
            let ClockError::Field {
                field,
                problem: found,
                ..
            } = error
            else {
                panic!("{error:?}");
            };
            assert_eq!((field.as_str(), found.as_str()), ("revisit_share", problem));
        }
    }

    #[test]
    fn a_bad_limit_names_its_field_and_line() {
        let error = edited("answer = \"3wd\"", "answer = \"3x\"").unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "classes.general.answer: \"3x\" is not a limit: {LIMIT_FORM} (line 16, column 10)"
            )
        );
        assert_eq!(
            edited("close = \"5d\"", "close = \"0d\"").unwrap_err(),
            field_error(
                "classes.general.close",
                "\"0d\" is not a limit: a limit is at least 1 of its unit",
                Some((17, 9))
            )
        );
        assert_eq!(
            edited(
                "escalate_unaccepted_after = \"12h\"",
                "escalate_unaccepted_after = 12"
            )
            .unwrap_err(),
            field_error(
                "escalate_unaccepted_after",
                "expected a string, found an integer",
                Some((7, 29))
            )
        );
    }

    #[test]
    fn a_missing_class_or_field_is_named() {
        let without_complex = SAMPLE.split("[classes.complex]").next().unwrap().to_owned();
        assert_eq!(
            ClockSet::parse(&without_complex).unwrap_err().to_string(),
            "classes.complex: missing: every class needs its clocks \
             (consultation, general, urgent, complex)"
        );
        assert_eq!(
            edited("close = \"2d\"\n", "").unwrap_err(),
            field_error("classes.urgent.close", "missing", None)
        );
        assert_eq!(
            edited("source = \"a test\"\n", "").unwrap_err(),
            field_error("source", "missing", None)
        );
        assert_eq!(
            edited("jurisdiction = \"440300\"", "jurisdiction = \"  \"").unwrap_err(),
            field_error("jurisdiction", "must not be empty", Some((4, 16)))
        );
    }

    #[test]
    fn an_unknown_key_is_named() {
        assert_eq!(
            edited("id = \"test\"\n", "id = \"test\"\ncolour = \"red\"\n").unwrap_err(),
            field_error(
                "colour",
                "unknown key (known: id, version, name, jurisdiction, source, status, \
                 escalate_unaccepted_after, revisit_share, classes)",
                Some((2, 1))
            )
        );
        assert_eq!(
            edited("close = \"5d\"\n", "close = \"5d\"\nrevisit = \"1d\"\n").unwrap_err(),
            field_error(
                "classes.general.revisit",
                "unknown key (known: accept, answer, close)",
                Some((18, 1))
            )
        );
        let complaint = format!("{SAMPLE}\n[classes.complaint]\naccept = \"2h\"\n");
        assert!(
            ClockSet::parse(&complaint)
                .unwrap_err()
                .to_string()
                .starts_with(
                    "classes.complaint: unknown key (known: consultation, general, urgent, complex)"
                )
        );
    }

    #[test]
    fn a_bad_status_or_id_is_named() {
        assert_eq!(
            edited("status = \"verified\"", "status = \"approved\"").unwrap_err(),
            field_error(
                "status",
                "\"approved\" is not a status: \"verified\" or \"unverified\"",
                Some((5, 10))
            )
        );
        assert!(
            edited("id = \"test\"", "id = \"Test Set\"")
                .unwrap_err()
                .to_string()
                .starts_with("id: \"Test Set\" is not a key")
        );
    }

    #[test]
    fn a_syntax_error_gives_line_and_column() {
        let error = edited("name = \"Test clocks\"", "name = Test clocks").unwrap_err();
        assert!(
            matches!(
                error,
                ClockError::Syntax {
                    line: 3,
                    column: 8,
                    ..
                }
            ),
            "{error}"
        );
        assert!(
            error.to_string().starts_with("line 3, column 8: "),
            "{error}"
        );
        // A key given twice is a TOML error too.
        let twice = edited("version = \"1\"\n", "version = \"1\"\nversion = \"2\"\n").unwrap_err();
        assert!(
            matches!(twice, ClockError::Syntax { line: 3, .. }),
            "{twice}"
        );
    }

    #[test]
    fn a_clock_longer_than_its_close_is_refused_when_comparable() {
        assert_eq!(
            edited("accept = \"30m\"", "accept = \"3d\"").unwrap_err(),
            field_error(
                "classes.urgent.accept",
                "3d is longer than the time to close (2d)",
                Some((20, 10))
            )
        );
        assert_eq!(
            edited(
                "answer = \"3wd\"\nclose = \"15wd\"",
                "answer = \"16wd\"\nclose = \"15wd\""
            )
            .unwrap_err()
            .to_string(),
            "classes.complex.answer: 16wd is longer than the time to close (15wd) (line 26, column 10)"
        );
        // Hours against working days depend on the weekend: not compared.
        assert!(edited("answer = \"24h\"", "answer = \"72h\"").is_ok());
        assert_eq!(Limit::Hours(72).compare(Limit::WorkingDays(1)), None);
        assert_eq!(
            Limit::Hours(48).compare(Limit::Days(2)),
            Some(Ordering::Equal)
        );
    }
}
