//! Profiles: a TOML description of one published list's layout — which
//! column holds which field, and how each field's cells are written. Every
//! key is documented in `docs/LIST-PROFILES.md`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use hatchery_core::{Country, Currency, DivisionCode, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

/// The profiles shipped inside the crate: `(key, TOML text)`.
const BUILTIN: [(&str, &str); 2] = [
    (
        "cbinsights-2022",
        include_str!("../profiles/cbinsights-2022.toml"),
    ),
    (
        "cbinsights-2021-07",
        include_str!("../profiles/cbinsights-2021-07.toml"),
    ),
];

/// Keys of the shipped profiles.
pub fn builtin_profiles() -> Vec<&'static str> {
    BUILTIN.iter().map(|(key, _)| *key).collect()
}

/// Why a profile cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The text is not TOML for a profile (unknown keys included).
    #[error("profile is not valid: {0}")]
    Syntax(String),
    /// The TOML parses but says something impossible.
    #[error("profile '{key}': {problem}")]
    Invalid { key: String, problem: String },
    /// Neither a shipped profile nor a readable file.
    #[error("no profile named '{name}' (shipped: {shipped}) and no such file")]
    Unknown { name: String, shipped: String },
    /// The profile file could not be read.
    #[error("cannot read profile {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// How to read one published list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Short name: lower-case letters, digits, `-`, `_` (e.g. `cbinsights-2022`).
    /// It names the list in the tag every imported enterprise gets.
    pub key: String,
    /// What the list is, for people.
    pub title: String,
    /// Citation written into every event's `source`; defaults to the title.
    #[serde(default)]
    pub source: Option<String>,
    /// Cell texts that mean "no value" (compared after trimming).
    #[serde(default = "default_missing")]
    pub missing: Vec<String>,
    /// Where the table sits in the file.
    #[serde(default)]
    pub file: FileLayout,
    /// Which column holds what.
    pub fields: Fields,
    /// A known layout fault: rows whose cells moved one column left.
    #[serde(default)]
    pub shifted: Option<ShiftRule>,
}

fn default_missing() -> Vec<String> {
    vec![String::new()]
}

/// Where the table sits in the file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileLayout {
    /// XLSX only: the sheet to read; the first sheet by default.
    #[serde(default)]
    pub sheet: Option<String>,
    /// The row holding the column names, counted from 1 (rows above it,
    /// such as a title, are skipped).
    #[serde(default = "one")]
    pub header_row: usize,
    /// Rows at the end to ignore (notes, sources, totals).
    #[serde(default)]
    pub footer_rows: usize,
    /// CSV only: the field separator.
    #[serde(default = "comma")]
    pub delimiter: char,
    /// CSV only: the text encoding, a WHATWG label (`utf-8`, `gb18030`, `gbk`…).
    #[serde(default)]
    pub encoding: Option<String>,
    /// Cells that hold two fields or more (`Beijing @ China`), each made
    /// into columns of their own that fields can map.
    #[serde(default)]
    pub split: Vec<SplitColumn>,
}

/// A column whose cells hold several values apart by a separator: each
/// part becomes a column named in `into`, after the file's own columns.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitColumn {
    /// The column whose cells are split.
    pub column: ColumnRef,
    /// The text between the parts (`"@"`), compared exactly.
    pub separator: String,
    /// The names of the parts, in order: fields map them as columns.
    pub into: Vec<String>,
}

fn one() -> usize {
    1
}

fn comma() -> char {
    ','
}

impl Default for FileLayout {
    fn default() -> Self {
        Self {
            sheet: None,
            header_row: 1,
            footer_rows: 0,
            delimiter: ',',
            encoding: None,
            split: Vec::new(),
        }
    }
}

/// A column, by its header text or by its position (1 is the first column).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ColumnRef {
    Header(String),
    Position(usize),
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Header(header) => write!(f, "'{header}'"),
            Self::Position(position) => write!(f, "column {position}"),
        }
    }
}

/// A field read as plain text.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextField {
    pub column: ColumnRef,
}

/// The multiplier a bare number in a money column stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Unit {
    #[serde(rename = "one")]
    One,
    #[serde(rename = "thousand")]
    Thousand,
    #[serde(rename = "million")]
    Million,
    #[serde(rename = "billion")]
    Billion,
    /// 万, ten thousand.
    #[serde(rename = "万", alias = "wan", alias = "ten-thousand")]
    Wan,
    /// 亿, a hundred million.
    #[serde(rename = "亿", alias = "yi", alias = "hundred-million")]
    Yi,
}

impl Unit {
    /// How many units of the currency one of this unit is.
    pub fn factor(self) -> Decimal {
        Decimal::from(match self {
            Self::One => 1_u64,
            Self::Thousand => 1_000,
            Self::Wan => 10_000,
            Self::Million => 1_000_000,
            Self::Yi => 100_000_000,
            Self::Billion => 1_000_000_000,
        })
    }
}

/// A money column: valuations, totals raised.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoneyField {
    pub column: ColumnRef,
    /// The currency of a number written without a symbol or code.
    #[serde(default = "usd")]
    pub currency: Currency,
    /// The multiplier of a number written without a suffix (`K`, `M`, `B`, `亿`…).
    #[serde(default = "unit_one")]
    pub unit: Unit,
    /// Values below this many units of `currency` are implausible for the
    /// list: a valuation below it rejects the row, a total raised below it is
    /// reported and left out.
    #[serde(default, deserialize_with = "optional_decimal")]
    pub at_least: Option<Decimal>,
    /// `total_raised` only: the total counts as money raised. The part of
    /// it that earlier funding events of the enterprise do not already
    /// account for is recorded as a `funding` event on the list's date, and
    /// a cell that cannot be read rejects the row naming `file:line:column`.
    #[serde(default)]
    pub counts_as_raised: bool,
}

fn usd() -> Currency {
    Currency::USD
}

fn unit_one() -> Unit {
    Unit::One
}

/// How a day-month-year date with a two-number start is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateOrder {
    /// `4/7/2017` is 7 April 2017 (US style).
    MonthFirst,
    /// `4/7/2017` is 4 July 2017.
    DayFirst,
}

/// The date a company joined the list (first reached the list's threshold).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinedField {
    pub column: ColumnRef,
    /// How `N/N/YYYY` dates are read; without it only year-first dates are accepted.
    #[serde(default)]
    pub order: Option<DateOrder>,
    /// The valuation a company is known to have reached on the date it joined.
    #[serde(default = "unicorn_threshold", deserialize_with = "money_text")]
    pub reached: Money,
}

fn unicorn_threshold() -> Money {
    Money::new(Decimal::from(1_000_000_000_u64), Currency::USD)
}

/// The country column, or one country for a whole list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountryField {
    #[serde(default)]
    pub column: Option<ColumnRef>,
    /// The country of rows whose cell is missing, or of every row without a column.
    #[serde(default)]
    pub default: Option<Country>,
    /// Extra names, e.g. `{ "大陆" = "CN" }`.
    #[serde(default)]
    pub aliases: BTreeMap<String, Country>,
}

/// The city column.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CityField {
    pub column: ColumnRef,
    /// Names resolved to a fixed division code, for Chinese cities whose
    /// romanization is ambiguous (`Suzhou` is 苏州 and 宿州).
    #[serde(default)]
    pub aliases: BTreeMap<String, DivisionCode>,
}

/// The industry column.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndustryField {
    pub column: ColumnRef,
    /// Known misspellings and the spelling meant, e.g. `{ Finttech = "Fintech" }`.
    /// Each use is reported.
    #[serde(default)]
    pub corrections: BTreeMap<String, String>,
}

/// How a cell lists several names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Split {
    /// A JSON array when the cell starts with `[`, otherwise comma-separated.
    #[default]
    Auto,
    /// Separated by `,` `，` or `、`.
    Comma,
    /// Separated by `;` or `；`.
    Semicolon,
    /// A JSON array of strings.
    Json,
}

/// The investors column.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvestorsField {
    pub column: ColumnRef,
    #[serde(default)]
    pub split: Split,
}

/// What to do with a row that gives no founding year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FoundedPolicy {
    /// The row is rejected.
    #[default]
    Reject,
    /// The row is taken with the latest year the company can have been
    /// founded in (the year it joined the list, else the list's year),
    /// reported, and marked `x_founded_estimated` on the enterprise.
    LatestPossible,
}

/// The founding date column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FoundedField {
    #[serde(default)]
    pub column: Option<ColumnRef>,
    #[serde(default)]
    pub if_missing: FoundedPolicy,
}

/// Which column holds what. Only `name` and `valuation` are required.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fields {
    pub name: TextField,
    #[serde(default)]
    pub name_en: Option<TextField>,
    pub valuation: MoneyField,
    #[serde(default)]
    pub date_joined: Option<JoinedField>,
    #[serde(default)]
    pub country: CountryField,
    #[serde(default)]
    pub city: Option<CityField>,
    #[serde(default)]
    pub industry: Option<IndustryField>,
    #[serde(default)]
    pub investors: Option<InvestorsField>,
    #[serde(default)]
    pub founded: FoundedField,
    #[serde(default)]
    pub total_raised: Option<MoneyField>,
}

/// A field of a list, as profiles name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldName {
    Name,
    NameEn,
    Valuation,
    DateJoined,
    Country,
    City,
    Industry,
    Investors,
    Founded,
    TotalRaised,
}

impl FieldName {
    /// The name as profiles write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::NameEn => "name_en",
            Self::Valuation => "valuation",
            Self::DateJoined => "date_joined",
            Self::Country => "country",
            Self::City => "city",
            Self::Industry => "industry",
            Self::Investors => "investors",
            Self::Founded => "founded",
            Self::TotalRaised => "total_raised",
        }
    }
}

impl fmt::Display for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Rows whose `missing` field is absent and whose cells, from that field's
/// column through `through`'s, each moved one column left. Such a row is
/// recognised when the `missing` field's cell holds a value found in the next
/// column elsewhere in the file and `through`'s cell is missing; it is read
/// at the shifted positions and reported.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftRule {
    pub missing: FieldName,
    pub through: FieldName,
}

impl Fields {
    /// The column of each mapped field.
    pub fn columns(&self) -> Vec<(FieldName, &ColumnRef)> {
        let mut columns = vec![
            (FieldName::Name, &self.name.column),
            (FieldName::Valuation, &self.valuation.column),
        ];
        let optional = [
            (FieldName::NameEn, self.name_en.as_ref().map(|f| &f.column)),
            (
                FieldName::DateJoined,
                self.date_joined.as_ref().map(|f| &f.column),
            ),
            (FieldName::Country, self.country.column.as_ref()),
            (FieldName::City, self.city.as_ref().map(|f| &f.column)),
            (
                FieldName::Industry,
                self.industry.as_ref().map(|f| &f.column),
            ),
            (
                FieldName::Investors,
                self.investors.as_ref().map(|f| &f.column),
            ),
            (FieldName::Founded, self.founded.column.as_ref()),
            (
                FieldName::TotalRaised,
                self.total_raised.as_ref().map(|f| &f.column),
            ),
        ];
        columns.extend(
            optional
                .into_iter()
                .filter_map(|(name, column)| Some((name, column?))),
        );
        columns
    }
}

impl Profile {
    /// Parses and checks a profile written in TOML.
    pub fn from_toml(text: &str) -> Result<Self, ProfileError> {
        let profile: Self =
            toml::from_str(text).map_err(|e| ProfileError::Syntax(e.to_string()))?;
        profile.validate()?;
        Ok(profile)
    }

    /// A shipped profile.
    pub fn builtin(key: &str) -> Option<Result<Self, ProfileError>> {
        BUILTIN
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, text)| Self::from_toml(text))
    }

    /// A shipped profile by key, or else a profile file at that path.
    pub fn load(name_or_path: &str) -> Result<Self, ProfileError> {
        if let Some(profile) = Self::builtin(name_or_path) {
            return profile;
        }
        let path = Path::new(name_or_path);
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_toml(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ProfileError::Unknown {
                name: name_or_path.to_owned(),
                shipped: builtin_profiles().join(", "),
            }),
            Err(source) => Err(ProfileError::Io {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// The citation events carry.
    pub fn source(&self) -> &str {
        self.source.as_deref().unwrap_or(&self.title)
    }

    fn validate(&self) -> Result<(), ProfileError> {
        let invalid = |problem: String| ProfileError::Invalid {
            key: self.key.clone(),
            problem,
        };
        let key_ok = !self.key.is_empty()
            && self.key.len() <= 64
            && self
                .key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !key_ok {
            return Err(invalid(
                "the key is 1-64 lower-case letters, digits, '-' or '_'".into(),
            ));
        }
        if self.title.trim().is_empty() {
            return Err(invalid("the title is empty".into()));
        }
        if self.file.header_row == 0 {
            return Err(invalid(
                "file.header_row counts from 1 (the first row)".into(),
            ));
        }
        for split in &self.file.split {
            if split.separator.is_empty() {
                return Err(invalid("file.split: the separator is empty".into()));
            }
            if split.into.len() < 2 || split.into.iter().any(|n| n.trim().is_empty()) {
                return Err(invalid(format!(
                    "file.split of column {}: into names two parts or more, none empty",
                    split.column
                )));
            }
            if let ColumnRef::Position(0) = split.column {
                return Err(invalid("file.split: column positions count from 1".into()));
            }
        }
        let fields = &self.fields;
        if fields.country.column.is_none() && fields.country.default.is_none() {
            return Err(invalid(
                "fields.country needs a column, a default, or both".into(),
            ));
        }
        if fields.founded.column.is_none() && fields.founded.if_missing == FoundedPolicy::Reject {
            return Err(invalid(
                "fields.founded has no column, so every row would be rejected: map a column or set if_missing = \"latest-possible\"".into(),
            ));
        }
        for (name, column) in fields.columns() {
            if let ColumnRef::Position(0) = column {
                return Err(invalid(format!(
                    "fields.{name}: column positions count from 1"
                )));
            }
        }
        let mut seen: Vec<&ColumnRef> = Vec::new();
        for (name, column) in fields.columns() {
            if seen.contains(&column) {
                return Err(invalid(format!(
                    "fields.{name}: column {column} is mapped to two fields"
                )));
            }
            seen.push(column);
        }
        if fields.valuation.counts_as_raised {
            return Err(invalid(
                "fields.valuation.counts_as_raised: only fields.total_raised counts as money raised".into(),
            ));
        }
        if let Some(joined) = &fields.date_joined
            && joined.reached.amount <= Decimal::ZERO
        {
            return Err(invalid(
                "fields.date_joined.reached must be more than zero".into(),
            ));
        }
        if let Some(rule) = &self.shifted {
            let mapped = |name: FieldName| fields.columns().iter().any(|(n, _)| *n == name);
            for name in [rule.missing, rule.through] {
                if !mapped(name) {
                    return Err(invalid(format!(
                        "shifted names the field '{name}', which has no column"
                    )));
                }
            }
            if rule.missing == rule.through {
                return Err(invalid(
                    "shifted.missing and shifted.through must be different fields".into(),
                ));
            }
            if matches!(rule.missing, FieldName::Name | FieldName::Valuation) {
                return Err(invalid(format!(
                    "shifted.missing cannot be '{}': a row without it cannot be taken",
                    rule.missing
                )));
            }
        }
        Ok(())
    }
}

/// Reads a decimal written as a TOML string (`"1000000"`) or integer.
fn optional_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Text(String),
        Integer(i64),
    }
    let value = match Number::deserialize(d)? {
        Number::Text(text) => Decimal::from_str_exact(text.trim())
            .map_err(|_| serde::de::Error::custom(format!("'{text}' is not a decimal number")))?,
        Number::Integer(n) => Decimal::from(n),
    };
    if value.is_sign_negative() {
        return Err(serde::de::Error::custom("a bound cannot be negative"));
    }
    Ok(Some(value))
}

/// Reads money written `"1000000000 USD"`.
fn money_text<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
    let text = String::deserialize(d)?;
    let (amount, currency) = text.trim().split_once(' ').ok_or_else(|| {
        serde::de::Error::custom(format!(
            "'{text}': write money as '<amount> <currency>', e.g. '1000000000 USD'"
        ))
    })?;
    let amount = Decimal::from_str_exact(amount.trim())
        .map_err(|_| serde::de::Error::custom(format!("'{amount}' is not a decimal amount")))?;
    let currency = Currency::parse(currency.trim()).map_err(serde::de::Error::custom)?;
    Ok(Money::new(amount, currency))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
        key = "mini"
        title = "A minimal list"
        [fields.name]
        column = "Name"
        [fields.valuation]
        column = "Valuation"
        [fields.country]
        default = "CN"
        [fields.founded]
        column = "Founded"
    "#;

    #[test]
    fn the_shipped_profile_parses() {
        let profile = Profile::builtin("cbinsights-2022").unwrap().unwrap();
        assert_eq!(profile.key, "cbinsights-2022");
        assert_eq!(profile.missing, ["", "None"]);
        assert_eq!(profile.fields.valuation.unit, Unit::Billion);
        let joined = profile.fields.date_joined.as_ref().unwrap();
        assert_eq!(joined.order, Some(DateOrder::MonthFirst));
        assert_eq!(joined.reached, unicorn_threshold());
        assert_eq!(
            profile.fields.founded.if_missing,
            FoundedPolicy::LatestPossible
        );
        assert_eq!(
            profile.shifted,
            Some(ShiftRule {
                missing: FieldName::City,
                through: FieldName::Investors
            })
        );
    }

    #[test]
    fn the_july_2021_profile_splits_its_location_cells() {
        let profile = Profile::builtin("cbinsights-2021-07").unwrap().unwrap();
        assert_eq!(
            profile.file.split,
            [SplitColumn {
                column: ColumnRef::Header("Location".into()),
                separator: "@".into(),
                into: vec!["City".into(), "Country".into()],
            }]
        );
        assert_eq!(
            builtin_profiles(),
            ["cbinsights-2022", "cbinsights-2021-07"]
        );
    }

    #[test]
    fn defaults_fill_what_a_profile_leaves_out() {
        let profile = Profile::from_toml(MINIMAL).unwrap();
        assert_eq!(profile.file, FileLayout::default());
        assert_eq!(profile.missing, [""]);
        assert_eq!(profile.fields.valuation.currency, Currency::USD);
        assert_eq!(profile.fields.valuation.unit, Unit::One);
        assert_eq!(profile.source(), "A minimal list");
        assert_eq!(profile.fields.columns().len(), 3);
    }

    #[test]
    fn units_accept_chinese_and_english_names() {
        for (name, factor) in [("亿", 100_000_000_u64), ("yi", 100_000_000), ("万", 10_000)] {
            let text = MINIMAL.replace(
                "column = \"Valuation\"",
                &format!("column = \"Valuation\"\nunit = \"{name}\"\ncurrency = \"CNY\""),
            );
            let profile = Profile::from_toml(&text).unwrap();
            assert_eq!(
                profile.fields.valuation.unit.factor(),
                Decimal::from(factor)
            );
            assert_eq!(profile.fields.valuation.currency, Currency::CNY);
        }
    }

    #[test]
    fn mistakes_are_refused_with_a_reason() {
        let cases = [
            (
                MINIMAL.replace("key = \"mini\"", "key = \"Mini List\""),
                "key",
            ),
            (MINIMAL.replace("default = \"CN\"", ""), "fields.country"),
            (MINIMAL.replace("column = \"Founded\"", ""), "if_missing"),
            (
                MINIMAL.replace("column = \"Founded\"", "column = \"Name\""),
                "two fields",
            ),
            (
                format!("{MINIMAL}\n[shifted]\nmissing = \"city\"\nthrough = \"founded\""),
                "no column",
            ),
            (
                MINIMAL.replace("column = \"Valuation\"", "column = 0"),
                "count from 1",
            ),
            (
                format!(
                    "{MINIMAL}\n[file]\nsplit = [{{ column = \"Location\", separator = \"\", into = [\"City\", \"Country\"] }}]"
                ),
                "separator is empty",
            ),
            (
                format!(
                    "{MINIMAL}\n[file]\nsplit = [{{ column = \"Location\", separator = \"@\", into = [\"City\"] }}]"
                ),
                "two parts or more",
            ),
        ];
        for (text, expected) in cases {
            let error = Profile::from_toml(&text).unwrap_err().to_string();
            assert!(error.contains(expected), "{expected}: {error}");
        }
        for text in [
            MINIMAL.replace("[fields.name]", "[fields.nmae]"),
            MINIMAL.replace(
                "column = \"Valuation\"",
                "column = \"Valuation\"\nunit = \"lakh\"",
            ),
            format!("{MINIMAL}\n[fields.date_joined]\ncolumn = \"J\"\nreached = \"1bn USD\""),
        ] {
            assert!(
                matches!(Profile::from_toml(&text), Err(ProfileError::Syntax(_))),
                "{text}"
            );
        }
    }

    #[test]
    fn load_finds_shipped_profiles_then_files() {
        assert_eq!(
            Profile::load("cbinsights-2022").unwrap().key,
            "cbinsights-2022"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mini.toml");
        std::fs::write(&path, MINIMAL).unwrap();
        assert_eq!(Profile::load(path.to_str().unwrap()).unwrap().key, "mini");
        let missing = dir.path().join("nope.toml");
        assert!(matches!(
            Profile::load(missing.to_str().unwrap()),
            Err(ProfileError::Unknown { .. })
        ));
    }
}
