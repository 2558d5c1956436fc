//! Parsers for the cells of published lists: money with symbols, units and
//! suffixes (`$140`, `$7.44B`, `¥70亿`), dates in the orders lists use,
//! founding years, and lists of names. Amounts are exact decimals throughout.

use std::fmt;

use hatchery_core::date::PartialDate;
use hatchery_core::{Currency, Money};
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::profile::{DateOrder, MoneyField, Split};

/// How many characters of a cell a message repeats.
const ECHO: usize = 60;

/// A cell's text cut to a length a message can repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Echo(pub String);

impl Echo {
    pub(crate) fn of(text: &str) -> Self {
        let mut chars = text.chars();
        let head: String = chars.by_ref().take(ECHO).collect();
        if chars.next().is_some() {
            Self(format!("{head}…"))
        } else {
            Self(head)
        }
    }
}

impl fmt::Display for Echo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}'", self.0)
    }
}

/// Why a cell cannot be read as its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CellError {
    #[error("{0} is not an amount of money (e.g. $140, $7.44B, $571M, ¥70亿, 1,400)")]
    Money(Echo),
    #[error("{text} names two currencies, {first} and {second}")]
    TwoCurrencies {
        text: Echo,
        first: Currency,
        second: Currency,
    },
    #[error("{0} is negative")]
    Negative(Echo),
    #[error("{0} is not a date (YYYY-MM-DD, YYYY年M月D日, or N/N/YYYY in the profile's order)")]
    Date(Echo),
    #[error(
        "{0} starts with day and month, and the profile does not say which comes first (fields.date_joined.order)"
    )]
    DateOrderNeeded(Echo),
    #[error("{0} has a two-digit year, which could be either century")]
    TwoDigitYear(Echo),
    #[error("{0} is not a day of the calendar")]
    NoSuchDay(Echo),
    #[error("{0} is not a founding date (YYYY, YYYY-MM or YYYY-MM-DD)")]
    Founded(Echo),
    #[error("{0} is not a list of names (a JSON array of strings)")]
    NameList(Echo),
    #[error("the name {0} contains ';', which separates names in the ledger")]
    Semicolon(Echo),
}

/// Full-width ASCII forms (`１２３`, `＄`, `Ａ`) and the ideographic space
/// become their ASCII forms, and `￥` becomes `¥`, so that text typed with a
/// Chinese input method reads like any other.
pub fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => {
                char::from_u32(u32::from(c) - 0xFEE0).expect("maps into printable ASCII")
            }
            '\u{3000}' => ' ',
            '\u{FFE5}' => '¥',
            other => other,
        })
        .collect()
}

/// Whether a cell means "no value" under the profile's `missing` markers.
pub fn is_missing(cell: &str, markers: &[String]) -> bool {
    let cell = cell.trim();
    cell.is_empty() || markers.iter().any(|m| m.trim() == cell)
}

/// Currency symbols and words written before an amount, longest first so
/// that `US$` wins over `$`.
const PREFIXES: [(&str, &str); 14] = [
    ("US$", "USD"),
    ("HK$", "HKD"),
    ("NT$", "TWD"),
    ("RMB", "CNY"),
    ("S$", "SGD"),
    ("A$", "AUD"),
    ("C$", "CAD"),
    ("R$", "BRL"),
    ("$", "USD"),
    ("¥", "CNY"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("₹", "INR"),
    ("₩", "KRW"),
];

/// Currency words written after an amount (`70亿元`, `10亿美元`).
const CURRENCY_WORDS: [(&str, &str); 6] = [
    ("元人民币", "CNY"),
    ("人民币", "CNY"),
    ("美元", "USD"),
    ("港元", "HKD"),
    ("港币", "HKD"),
    ("元", "CNY"),
];

/// Scale suffixes written after an amount, longest first.
const SCALES: [(&str, u64); 17] = [
    ("trillion", 1_000_000_000_000),
    ("billion", 1_000_000_000),
    ("million", 1_000_000),
    ("thousand", 1_000),
    ("万亿", 1_000_000_000_000),
    ("bn", 1_000_000_000),
    ("mn", 1_000_000),
    ("mm", 1_000_000),
    ("tn", 1_000_000_000_000),
    ("亿", 100_000_000),
    ("万", 10_000),
    ("t", 1_000_000_000_000),
    ("b", 1_000_000_000),
    ("m", 1_000_000),
    ("k", 1_000),
    ("千", 1_000),
    ("百万", 1_000_000),
];

fn currency_of(code: &str) -> Currency {
    Currency::parse(code).expect("the tables hold ISO codes")
}

/// Reads an amount of money as lists write it: an optional currency symbol
/// or code, a number (thousands separated by `,`), an optional scale (`K`,
/// `M`, `B`, `bn`, `万`, `亿`) and an optional currency word or code. A number
/// without a scale is in the field's `unit`; without a currency, in its
/// `currency`. `¥` is the yuan unless the field's currency is the yen.
pub fn parse_money(text: &str, field: &MoneyField) -> Result<Money, CellError> {
    let folded = fold_width(text);
    let bad = || CellError::Money(Echo::of(text));
    let mut rest = folded.trim();
    if rest.starts_with('-') || rest.starts_with('−') {
        return Err(CellError::Negative(Echo::of(text)));
    }

    let mut currency = None;
    if let Some((symbol, code)) = PREFIXES.iter().find(|(p, _)| rest.starts_with(p)) {
        let code = if *symbol == "¥" && field.currency.as_str() == "JPY" {
            "JPY"
        } else {
            code
        };
        currency = Some(currency_of(code));
        rest = rest[symbol.len()..].trim_start();
    } else if let Some(code) = leading_code(rest) {
        currency = Some(code);
        rest = rest[3..].trim_start();
    }
    if rest.starts_with('-') {
        return Err(CellError::Negative(Echo::of(text)));
    }

    let digits_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .unwrap_or(rest.len());
    let number = parse_number(&rest[..digits_end]).ok_or_else(bad)?;
    rest = rest[digits_end..].trim();

    let mut scale = None;
    // Compared in place, not by lower-casing the text: a character whose
    // lower case has another length (the Kelvin sign `K` is `k`) would put
    // the cut after the word inside a character.
    let starts_with_word = |word: &str| {
        rest.get(..word.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(word))
    };
    if let Some((word, factor)) = SCALES.iter().find(|(s, _)| starts_with_word(s)) {
        // `m` must not eat the start of a word such as `mil`; a scale is
        // followed by nothing, a space, or a currency.
        let after = &rest[word.len()..];
        let ends_word = after
            .chars()
            .next()
            .is_none_or(|c| !c.is_ascii_alphabetic() || word.chars().all(|w| !w.is_ascii()));
        if ends_word {
            scale = Some(Decimal::from(*factor));
            rest = after.trim_start();
        }
    }

    if !rest.is_empty() {
        let trailing = CURRENCY_WORDS
            .iter()
            .find(|(w, _)| rest == *w)
            .map(|(_, code)| currency_of(code))
            .or_else(|| {
                (rest.len() == 3)
                    .then(|| Currency::parse(rest).ok())
                    .flatten()
            })
            .ok_or_else(bad)?;
        match currency {
            Some(first) if first != trailing => {
                return Err(CellError::TwoCurrencies {
                    text: Echo::of(text),
                    first,
                    second: trailing,
                });
            }
            _ => currency = Some(trailing),
        }
    }

    let factor = scale.unwrap_or_else(|| field.unit.factor());
    let amount = number.checked_mul(factor).ok_or_else(bad)?.normalize();
    Ok(Money::new(amount, currency.unwrap_or(field.currency)))
}

/// A three-letter upper-case currency code at the start, followed by a
/// space or a digit (`USD 1.2B`, `CNY70`).
fn leading_code(text: &str) -> Option<Currency> {
    let head = text.get(..3)?;
    let next = text[3..].chars().next()?;
    if next == ' ' || next.is_ascii_digit() {
        Currency::parse(head).ok()
    } else {
        None
    }
}

/// Digits with an optional decimal part; thousands may be separated by `,`
/// in groups of three (`1,400.5`).
fn parse_number(text: &str) -> Option<Decimal> {
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped_ok = groups.len() == 1
        || (matches!(groups[0].len(), 1..=3) && groups[1..].iter().all(|g| g.len() == 3));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !grouped_ok || !groups.iter().all(|g| all_digits(g)) || !fraction.is_none_or(all_digits) {
        return None;
    }
    let plain = match fraction {
        Some(f) => format!("{}.{f}", groups.concat()),
        None => groups.concat(),
    };
    Decimal::from_str_exact(&plain).ok()
}

/// A date as precisely as a list gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListDate {
    Day(Date),
    Month(Date),
    Year(i16),
}

impl ListDate {
    /// The first day the date can stand for.
    pub fn first_day(self) -> Date {
        match self {
            Self::Day(day) | Self::Month(day) => day,
            Self::Year(year) => Date::new(year, 1, 1).expect("a valid year"),
        }
    }

    /// The last day the date can stand for.
    pub fn last_day(self) -> Date {
        match self {
            Self::Day(day) => day,
            Self::Month(first) => first.last_of_month(),
            Self::Year(year) => Date::new(year, 12, 31).expect("a valid year"),
        }
    }

    /// The same date as a founding date.
    pub fn as_partial(self) -> PartialDate {
        match self {
            Self::Day(day) => PartialDate::day(day),
            Self::Month(first) => {
                PartialDate::parse(&format!("{:04}-{:02}", first.year(), first.month()))
                    .expect("a valid month")
            }
            Self::Year(year) => PartialDate::year(year).expect("a valid year"),
        }
    }
}

fn small_number(text: &str, max_len: usize) -> Option<i16> {
    (!text.is_empty() && text.len() <= max_len && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// Reads a date: `YYYY-MM-DD` (also with `/` or `.`, or `YYYY年M月D日`), a
/// month (`YYYY-MM`, `YYYY年M月`), a year (`YYYY`, `YYYY年`), or `N/N/YYYY`
/// (also with `-` or `.`) in the given order. A time after the date (as
/// spreadsheets export it) is ignored when it is midnight.
pub fn parse_date(text: &str, order: Option<DateOrder>) -> Result<ListDate, CellError> {
    let folded = fold_width(text);
    let mut cell = folded.trim();
    for midnight in ["T00:00:00", " 00:00:00", " 0:00:00", " 00:00", " 0:00"] {
        if let Some(day) = cell.strip_suffix(midnight) {
            cell = day.trim_end();
        }
    }
    let bad = || CellError::Date(Echo::of(text));
    let no_such_day = || CellError::NoSuchDay(Echo::of(text));

    let chinese = cell.contains('年');
    let parts: Vec<&str> = if chinese {
        cell.trim_end_matches(['日', '号'])
            .split(['年', '月'])
            .filter(|p| !p.is_empty())
            .collect()
    } else {
        cell.split(['-', '/', '.']).collect()
    };

    let day = |y: i16, m: i16, d: i16| {
        let m = i8::try_from(m).map_err(|_| no_such_day())?;
        let d = i8::try_from(d).map_err(|_| no_such_day())?;
        Date::new(y, m, d)
            .map(ListDate::Day)
            .map_err(|_| no_such_day())
    };
    let month = |y: i16, m: i16| {
        let m = i8::try_from(m).map_err(|_| no_such_day())?;
        Date::new(y, m, 1)
            .map(ListDate::Month)
            .map_err(|_| no_such_day())
    };

    let year_first = parts.first().is_some_and(|p| p.len() == 4);
    if year_first {
        let y = small_number(parts[0], 4).ok_or_else(bad)?;
        let numbers: Option<Vec<i16>> = parts[1..].iter().map(|p| small_number(p, 2)).collect();
        return match numbers.ok_or_else(bad)?.as_slice() {
            [] => Ok(ListDate::Year(y)),
            [m] => month(y, *m),
            [m, d] => day(y, *m, *d),
            _ => Err(bad()),
        };
    }
    if chinese || parts.len() != 3 {
        return Err(bad());
    }
    let (a, b) = (
        small_number(parts[0], 2).ok_or_else(bad)?,
        small_number(parts[1], 2).ok_or_else(bad)?,
    );
    if parts[2].len() == 2 && parts[2].bytes().all(|c| c.is_ascii_digit()) {
        return Err(CellError::TwoDigitYear(Echo::of(text)));
    }
    let y = small_number(parts[2], 4)
        .filter(|_| parts[2].len() == 4)
        .ok_or_else(bad)?;
    match order {
        Some(DateOrder::MonthFirst) => day(y, a, b),
        Some(DateOrder::DayFirst) => day(y, b, a),
        None => Err(CellError::DateOrderNeeded(Echo::of(text))),
    }
}

/// Reads a founding date: a year (`2012`, `2012年`), a month or a day.
pub fn parse_founded(text: &str) -> Result<PartialDate, CellError> {
    match parse_date(text, None) {
        Ok(date) => Ok(date.as_partial()),
        Err(CellError::NoSuchDay(e)) => Err(CellError::NoSuchDay(e)),
        Err(_) => Err(CellError::Founded(Echo::of(text))),
    }
}

/// Names listed in one cell, and whether an empty name sat between two
/// separators (`A,, B`), which the caller reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub names: Vec<String>,
    pub had_empty: bool,
}

/// Splits a cell listing names: comma- or semicolon-separated, or a JSON
/// array (double- or single-quoted strings, as some exports write them).
pub fn split_names(text: &str, split: Split) -> Result<Names, CellError> {
    let cell = text.trim();
    let items: Vec<String> = match split {
        Split::Json => string_array(cell).ok_or_else(|| CellError::NameList(Echo::of(text)))?,
        Split::Auto if cell.starts_with('[') => {
            string_array(cell).ok_or_else(|| CellError::NameList(Echo::of(text)))?
        }
        Split::Auto | Split::Comma => cell.split([',', '，', '、']).map(str::to_owned).collect(),
        Split::Semicolon => cell.split([';', '；']).map(str::to_owned).collect(),
    };
    let mut names = Vec::with_capacity(items.len());
    let mut had_empty = false;
    for item in items {
        let name = item.trim();
        if name.is_empty() {
            had_empty = true;
        } else if name.contains(';') {
            return Err(CellError::Semicolon(Echo::of(name)));
        } else {
            names.push(name.to_owned());
        }
    }
    Ok(Names { names, had_empty })
}

/// Reads `["a", "b"]` (JSON) or `['a', "b's"]` (as Python prints a list).
fn string_array(text: &str) -> Option<Vec<String>> {
    if let Ok(items) = serde_json::from_str::<Vec<String>>(text) {
        return Some(items);
    }
    let inner = text.strip_prefix('[')?.strip_suffix(']')?.trim();
    let mut items = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(quote) = chars.next() else {
            return Some(items);
        };
        if quote != '\'' && quote != '"' {
            return None;
        }
        let mut item = String::new();
        loop {
            match chars.next()? {
                '\\' => item.push(chars.next()?),
                c if c == quote => break,
                c => item.push(c),
            }
        }
        items.push(item);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => return Some(items),
            Some(',') => {}
            Some(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{ColumnRef, Unit};

    fn field(currency: &str, unit: Unit) -> MoneyField {
        MoneyField {
            column: ColumnRef::Position(1),
            currency: Currency::parse(currency).unwrap(),
            unit,
            at_least: None,
            counts_as_raised: false,
        }
    }

    fn money(text: &str, currency: &str, unit: Unit) -> Result<(String, String), CellError> {
        parse_money(text, &field(currency, unit))
            .map(|m| (m.amount.to_string(), m.currency.to_string()))
    }

    fn ok(amount: &str, currency: &str) -> Result<(String, String), CellError> {
        Ok((amount.to_owned(), currency.to_owned()))
    }

    #[test]
    fn money_in_the_forms_lists_write() {
        use Unit::*;
        let cases = [
            ("$140 ", Billion, ok("140000000000", "USD")),
            ("$100.30 ", Billion, ok("100300000000", "USD")),
            ("140", Billion, ok("140000000000", "USD")),
            ("$7.44B", One, ok("7440000000", "USD")),
            ("$571M", One, ok("571000000", "USD")),
            ("$520K", One, ok("520000", "USD")),
            ("US$ 1.2 bn", One, ok("1200000000", "USD")),
            ("1,400", Yi, ok("140000000000", "USD")),
            ("USD 2.5 billion", One, ok("2500000000", "USD")),
            ("¥70亿", One, ok("7000000000", "CNY")),
            ("￥７０亿", One, ok("7000000000", "CNY")),
            ("70亿元", One, ok("7000000000", "CNY")),
            ("10亿美元", One, ok("1000000000", "USD")),
            ("RMB 5,000万", One, ok("50000000", "CNY")),
            ("HK$3bn", One, ok("3000000000", "HKD")),
            ("1.5 EUR", Billion, ok("1500000000", "EUR")),
            ("€2B", One, ok("2000000000", "EUR")),
        ];
        for (text, unit, expected) in cases {
            assert_eq!(money(text, "USD", unit), expected, "{text}");
        }
        assert_eq!(
            money("¥500", "JPY", Unit::Billion),
            ok("500000000000", "JPY")
        );
    }

    #[test]
    fn malformed_money_is_refused() {
        for bad in [
            "", "$", "abc", "1,40", "1.2.3", "$1e9", "1B B", "10-12", "<1", "$1 mil", "1,0000",
        ] {
            assert!(
                matches!(money(bad, "USD", Unit::One), Err(CellError::Money(_))),
                "{bad}: {:?}",
                money(bad, "USD", Unit::One)
            );
        }
        assert!(matches!(
            money("-$5B", "USD", Unit::One),
            Err(CellError::Negative(_))
        ));
        assert!(matches!(
            money("$-5B", "USD", Unit::One),
            Err(CellError::Negative(_))
        ));
        assert!(matches!(
            money("$5亿元", "USD", Unit::One),
            Err(CellError::TwoCurrencies { .. })
        ));
    }

    /// Found by the `money_cells` fuzz harness: the Kelvin sign lower-cases
    /// to the one-byte `k`, and the scale was cut off the text by the
    /// lower-cased length, inside the three-byte sign: a panic.
    #[test]
    fn characters_whose_lower_case_is_shorter_are_not_scales() {
        for text in ["1\u{212A}", "$5\u{212A}B", "7\u{130}"] {
            assert!(
                matches!(money(text, "USD", Unit::One), Err(CellError::Money(_))),
                "{text}: {:?}",
                money(text, "USD", Unit::One)
            );
        }
        assert_eq!(money("1K", "USD", Unit::One), ok("1000", "USD"));
    }

    #[test]
    fn dates_in_every_order_lists_use() {
        let d = |y, m, day| ListDate::Day(Date::new(y, m, day).unwrap());
        let mf = Some(DateOrder::MonthFirst);
        assert_eq!(parse_date("4/7/2017", mf), Ok(d(2017, 4, 7)));
        assert_eq!(parse_date("01/23/2024", mf), Ok(d(2024, 1, 23)));
        assert_eq!(
            parse_date("4/7/2017", Some(DateOrder::DayFirst)),
            Ok(d(2017, 7, 4))
        );
        assert_eq!(
            parse_date("23.01.2024", Some(DateOrder::DayFirst)),
            Ok(d(2024, 1, 23))
        );
        assert_eq!(parse_date("2017-04-07", None), Ok(d(2017, 4, 7)));
        assert_eq!(parse_date("2017/4/7", None), Ok(d(2017, 4, 7)));
        assert_eq!(parse_date("2017-04-07T00:00:00", None), Ok(d(2017, 4, 7)));
        assert_eq!(parse_date("2017年4月7日", None), Ok(d(2017, 4, 7)));
        assert_eq!(
            parse_date("2017年4月", None),
            Ok(ListDate::Month(Date::new(2017, 4, 1).unwrap()))
        );
        assert_eq!(parse_date("2017", None), Ok(ListDate::Year(2017)));
        assert_eq!(
            parse_date("2017-02", None).unwrap().last_day(),
            Date::new(2017, 2, 28).unwrap()
        );
        assert_eq!(
            parse_date("2016", None).unwrap().last_day(),
            Date::new(2016, 12, 31).unwrap()
        );
    }

    #[test]
    fn doubtful_dates_are_refused_not_guessed() {
        let mf = Some(DateOrder::MonthFirst);
        assert!(matches!(
            parse_date("4/7/2017", None),
            Err(CellError::DateOrderNeeded(_))
        ));
        assert!(matches!(
            parse_date("23/01/2024", mf),
            Err(CellError::NoSuchDay(_))
        ));
        assert!(matches!(
            parse_date("2/30/2021", mf),
            Err(CellError::NoSuchDay(_))
        ));
        assert!(matches!(
            parse_date("4/7/17", mf),
            Err(CellError::TwoDigitYear(_))
        ));
        for bad in [
            "",
            "yesterday",
            "2017-04-07-01",
            "4/2017",
            "2017-4-7x",
            "12:00",
        ] {
            assert!(
                matches!(parse_date(bad, mf), Err(CellError::Date(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn founding_dates_keep_their_precision() {
        assert_eq!(parse_founded("2012").unwrap().to_string(), "2012");
        assert_eq!(parse_founded("2012年").unwrap().to_string(), "2012");
        assert_eq!(parse_founded("2012-05").unwrap().to_string(), "2012-05");
        assert_eq!(
            parse_founded("2012-05-01").unwrap().to_string(),
            "2012-05-01"
        );
        assert!(matches!(
            parse_founded("twenty"),
            Err(CellError::Founded(_))
        ));
        assert!(matches!(parse_founded("12"), Err(CellError::Founded(_))));
        assert!(matches!(
            parse_founded("2012-13"),
            Err(CellError::NoSuchDay(_))
        ));
    }

    #[test]
    fn names_split_by_commas_or_from_arrays() {
        let names = |text, split| split_names(text, split).unwrap().names;
        assert_eq!(
            names("Sequoia Capital China, SIG Asia Investments", Split::Comma),
            ["Sequoia Capital China", "SIG Asia Investments"]
        );
        assert_eq!(
            names("红杉中国、高瓴资本，腾讯", Split::Auto),
            ["红杉中国", "高瓴资本", "腾讯"]
        );
        assert_eq!(
            names(r#"["Accel", "Monk's Hill Ventures"]"#, Split::Auto),
            ["Accel", "Monk's Hill Ventures"]
        );
        assert_eq!(
            names(r#"['Accel', "Monk's Hill"]"#, Split::Json),
            ["Accel", "Monk's Hill"]
        );
        assert_eq!(names("A; B", Split::Semicolon), ["A", "B"]);
        let gap = split_names("IDG Capital, Bank Of China,, SDIC", Split::Comma).unwrap();
        assert_eq!(gap.names, ["IDG Capital", "Bank Of China", "SDIC"]);
        assert!(gap.had_empty);
        assert!(!split_names("A, B", Split::Comma).unwrap().had_empty);
        assert!(matches!(
            split_names("[\"A\", ", Split::Auto),
            Err(CellError::NameList(_))
        ));
        assert!(matches!(
            split_names("A;B, C", Split::Comma),
            Err(CellError::Semicolon(_))
        ));
    }

    #[test]
    fn width_folding_and_missing_markers() {
        assert_eq!(fold_width("ＡＢＣ　１２３＄"), "ABC 123$");
        let markers = vec![String::new(), "None".to_owned()];
        assert!(is_missing(" None ", &markers));
        assert!(is_missing("  ", &markers));
        assert!(!is_missing("none", &markers));
        assert!(!is_missing("Nonesuch", &markers));
    }

    #[test]
    fn long_cells_are_cut_in_messages() {
        let long = "9".repeat(500);
        let message = parse_date(&long, None).unwrap_err().to_string();
        assert!(message.chars().count() < 200, "{message}");
    }
}
