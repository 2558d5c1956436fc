//! Reading targets from TOML: every refusal names the file, the line and the
//! field.

use std::fmt;
use std::ops::Range;

use jiff::civil::Date;
use serde::Deserialize;
use toml::Spanned;

use super::{
    Cluster, CountingRule, Quantity, SourceDocument, SourceStatus, Target, TargetArea, TargetSet,
};
use crate::criteria::RuleSet;

/// The targets shipped inside the binary.
const BUILTIN: (&str, &str) = (
    "targets/published.toml",
    include_str!("../../targets/published.toml"),
);

/// The file name and the TOML text of the shipped targets.
pub fn builtin_source() -> (&'static str, &'static str) {
    BUILTIN
}

/// Why a targets file cannot be used: where, which field, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TargetError {
    pub file: String,
    /// 1-based; `None` when the problem has no place (an empty file).
    pub line: Option<usize>,
    /// The field, e.g. `quantity.max` (empty when the TOML itself is broken
    /// before any field).
    pub field: String,
    pub problem: String,
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if self.field.is_empty() {
            write!(f, ": {}", self.problem)
        } else {
            write!(f, ": field `{}`: {}", self.field, self.problem)
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    target: Vec<Spanned<RawTarget>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    id: Spanned<String>,
    version: String,
    title: String,
    title_en: String,
    jurisdiction: Spanned<String>,
    #[serde(default)]
    cluster: Option<Spanned<RawCluster>>,
    rules: Spanned<String>,
    tiers: Spanned<Vec<String>>,
    counting: Spanned<String>,
    quantity: Spanned<RawQuantity>,
    start: Spanned<String>,
    deadline: Spanned<String>,
    source: Spanned<RawSource>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    note_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCluster {
    key: String,
    name: String,
    name_en: String,
    industries: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuantity {
    min: Spanned<i64>,
    #[serde(default)]
    max: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    title: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    issued: Option<String>,
    status: Spanned<String>,
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The key written on the line at `offset`, if the line is `key = value`.
fn key_on_line(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("");
    match line.split_once('=') {
        Some((key, _)) => key.trim().trim_matches('"').to_owned(),
        None => String::new(),
    }
}

/// The field a serde message names (`missing field `x``, `unknown field `x``).
fn field_in_message(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_owned())
}

struct Reader<'a> {
    file: &'a str,
    text: &'a str,
}

impl Reader<'_> {
    fn error(&self, span: Range<usize>, field: &str, problem: impl Into<String>) -> TargetError {
        TargetError {
            file: self.file.to_owned(),
            line: Some(line_of(self.text, span.start)),
            field: field.to_owned(),
            problem: problem.into(),
        }
    }

    fn date(&self, value: &Spanned<String>, field: &str) -> Result<Date, TargetError> {
        value.get_ref().trim().parse::<Date>().map_err(|_| {
            self.error(
                value.span(),
                field,
                format!("'{}' is not a date (YYYY-MM-DD)", value.get_ref()),
            )
        })
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl TargetSet {
    /// Parses and checks the targets of a TOML file named `file` (the name
    /// only appears in messages). `rule_set` resolves a rule set's key to the
    /// rule set; a target whose rule set or tier does not exist is refused.
    pub fn from_toml(
        file: &str,
        text: &str,
        rule_set: &dyn Fn(&str) -> Option<RuleSet>,
    ) -> Result<Self, TargetError> {
        let reader = Reader { file, text };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().to_owned();
            let field = field_in_message(&message).unwrap_or_else(|| key_on_line(text, span.start));
            TargetError {
                file: file.to_owned(),
                line: e.span().map(|s| line_of(text, s.start)),
                field,
                problem: message,
            }
        })?;
        let mut set = TargetSet::default();
        for spanned in raw.target {
            let raw = spanned.into_inner();
            let id = raw.id.get_ref().clone();
            if !valid_key(&id) {
                return Err(reader.error(
                    raw.id.span(),
                    "id",
                    "an id is 1-64 lower-case letters, digits, '-' or '_'",
                ));
            }
            if set.get(&id).is_some() {
                return Err(reader.error(
                    raw.id.span(),
                    "id",
                    format!("target '{id}' is defined twice"),
                ));
            }
            let jurisdiction = TargetArea::parse(raw.jurisdiction.get_ref())
                .map_err(|p| reader.error(raw.jurisdiction.span(), "jurisdiction", p))?;
            let rules_key = raw.rules.get_ref().trim().to_owned();
            let Some(rules) = rule_set(&rules_key) else {
                return Err(reader.error(
                    raw.rules.span(),
                    "rules",
                    format!("no rule set named '{rules_key}'"),
                ));
            };
            if raw.tiers.get_ref().is_empty() {
                return Err(reader.error(
                    raw.tiers.span(),
                    "tiers",
                    "a target counts at least one tier",
                ));
            }
            for tier in raw.tiers.get_ref() {
                if rules.tier_index(tier).is_none() {
                    let known: Vec<&str> = rules.tiers.iter().map(|t| t.key.as_str()).collect();
                    return Err(reader.error(
                        raw.tiers.span(),
                        "tiers",
                        format!(
                            "rule set '{rules_key}' has no tier '{tier}' (its tiers: {})",
                            known.join(", ")
                        ),
                    ));
                }
            }
            let counting = CountingRule::parse(raw.counting.get_ref().trim()).ok_or_else(|| {
                reader.error(
                    raw.counting.span(),
                    "counting",
                    format!(
                        "unknown counting rule '{}' (standing, cumulative or new)",
                        raw.counting.get_ref()
                    ),
                )
            })?;
            let quantity_span = raw.quantity.span();
            let quantity = raw.quantity.into_inner();
            let count = |value: &Spanned<i64>, field: &str| {
                u32::try_from(*value.get_ref()).map_err(|_| {
                    reader.error(
                        value.span(),
                        field,
                        format!("{} is not a count (0 to {})", value.get_ref(), u32::MAX),
                    )
                })
            };
            let min = count(&quantity.min, "quantity.min")?;
            let max = quantity
                .max
                .as_ref()
                .map(|m| count(m, "quantity.max"))
                .transpose()?;
            if let Some(max) = max
                && max < min
            {
                return Err(reader.error(
                    quantity
                        .max
                        .as_ref()
                        .map_or(quantity_span.clone(), Spanned::span),
                    "quantity.max",
                    format!("the maximum {max} is below the minimum {min}"),
                ));
            }
            if max == Some(0) || (max.is_none() && min == 0) {
                return Err(reader.error(
                    quantity_span,
                    "quantity",
                    "a target asks for at least one enterprise",
                ));
            }
            let start = reader.date(&raw.start, "start")?;
            let deadline = reader.date(&raw.deadline, "deadline")?;
            if deadline < start {
                return Err(reader.error(
                    raw.deadline.span(),
                    "deadline",
                    format!("the deadline {deadline} is before the start {start}"),
                ));
            }
            let cluster = match raw.cluster {
                None => None,
                Some(cluster) => {
                    let span = cluster.span();
                    let cluster = cluster.into_inner();
                    if !valid_key(&cluster.key) {
                        return Err(reader.error(
                            span,
                            "cluster.key",
                            "a cluster key is 1-64 lower-case letters, digits, '-' or '_'",
                        ));
                    }
                    if cluster.industries.is_empty() {
                        return Err(reader.error(
                            span,
                            "cluster.industries",
                            "a cluster names at least one industry key",
                        ));
                    }
                    Some(Cluster {
                        key: cluster.key,
                        name: cluster.name,
                        name_en: cluster.name_en,
                        industries: cluster.industries,
                    })
                }
            };
            let source_span = raw.source.span();
            let source = raw.source.into_inner();
            let status = match source.status.get_ref().trim() {
                "verified" => SourceStatus::Verified,
                "unverified" => SourceStatus::Unverified,
                other => {
                    return Err(reader.error(
                        source.status.span(),
                        "source.status",
                        format!("'{other}' is not verified or unverified"),
                    ));
                }
            };
            if source.title.trim().is_empty() {
                return Err(reader.error(source_span, "source.title", "a source has a title"));
            }
            set.targets.push(Target {
                id,
                version: raw.version,
                title: raw.title,
                title_en: raw.title_en,
                jurisdiction,
                cluster,
                rules: rules_key,
                tiers: raw.tiers.into_inner(),
                counting,
                quantity: Quantity { min, max },
                start,
                deadline,
                source: SourceDocument {
                    title: source.title,
                    url: source.url.filter(|u| !u.trim().is_empty()),
                    issued: source.issued,
                    status,
                },
                note: raw.note,
                note_en: raw.note_en,
            });
        }
        Ok(set)
    }

    /// The targets shipped inside the binary, checked against the shipped
    /// rule sets.
    pub fn builtin() -> Result<Self, TargetError> {
        let (file, text) = BUILTIN;
        Self::from_toml(file, text, &|key| RuleSet::builtin(key).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<TargetSet, TargetError> {
        TargetSet::from_toml("mine.toml", text, &|key| RuleSet::builtin(key).ok())
    }

    const GOOD: &str = r#"
[[target]]
id = "t"
version = "1"
title = "目标"
title_en = "Target"
jurisdiction = "210100"
rules = "gei"
tiers = ["unicorn"]
counting = "cumulative"
quantity = { min = 1, max = 2 }
start = "2024-01-01"
deadline = "2025-12-31"
[target.source]
title = "文件"
status = "unverified"
"#;

    fn with(from: &str, to: &str) -> String {
        assert!(GOOD.contains(from), "{from}");
        GOOD.replacen(from, to, 1)
    }

    fn line_of_text(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn the_shipped_targets_parse() {
        let set = TargetSet::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert!(set.get("shenyang-2025-total").is_some());
        assert!(set.targets.len() >= 6);
    }

    #[test]
    fn a_good_file_parses() {
        let set = parse(GOOD).unwrap();
        assert_eq!(
            set.targets[0].quantity,
            Quantity {
                min: 1,
                max: Some(2)
            }
        );
        assert_eq!(set.targets[0].counting, CountingRule::Cumulative);
        assert_eq!(set.targets[0].source.status, SourceStatus::Unverified);
    }

    #[test]
    fn an_unknown_rule_set_names_file_line_and_field() {
        let text = with(r#"rules = "gei""#, r#"rules = "nope""#);
        let error = parse(&text).unwrap_err();
        assert_eq!(error.file, "mine.toml");
        assert_eq!(error.field, "rules");
        assert_eq!(error.line, Some(line_of_text(&text, "rules =")));
        assert!(error.to_string().starts_with(&format!(
            "mine.toml:{}: field `rules`: no rule set named 'nope'",
            line_of_text(&text, "rules =")
        )));
    }

    #[test]
    fn an_unknown_tier_is_refused() {
        let text = with(r#"tiers = ["unicorn"]"#, r#"tiers = ["seed"]"#);
        let error = parse(&text).unwrap_err();
        assert_eq!(error.field, "tiers");
        assert_eq!(error.line, Some(line_of_text(&text, "tiers =")));
        assert!(error.problem.contains("no tier 'seed'"), "{error}");
    }

    #[test]
    fn min_above_max_is_refused() {
        let text = with("min = 1, max = 2", "min = 3, max = 2");
        let error = parse(&text).unwrap_err();
        assert_eq!(error.field, "quantity.max");
        assert_eq!(error.line, Some(line_of_text(&text, "quantity =")));
        assert!(error.problem.contains("below the minimum 3"), "{error}");
    }

    #[test]
    fn an_unknown_counting_rule_is_refused() {
        let text = with(r#"counting = "cumulative""#, r#"counting = "rolling""#);
        let error = parse(&text).unwrap_err();
        assert_eq!(error.field, "counting");
        assert_eq!(error.line, Some(line_of_text(&text, "counting =")));
        assert!(error.problem.contains("unknown counting rule 'rolling'"));
    }

    #[test]
    fn other_bad_fields_are_named() {
        for (from, to, field) in [
            (
                r#"start = "2024-01-01""#,
                r#"start = "2024-13-01""#,
                "start",
            ),
            (
                r#"deadline = "2025-12-31""#,
                r#"deadline = "2023-12-31""#,
                "deadline",
            ),
            (
                r#"jurisdiction = "210100""#,
                r#"jurisdiction = "shenyang""#,
                "jurisdiction",
            ),
            (
                r#"status = "unverified""#,
                r#"status = "probably""#,
                "source.status",
            ),
            ("min = 1, max = 2", "min = -1", "quantity.min"),
            (
                r#"version = "1""#,
                r#"version = "1"
colour = "red""#,
                "colour",
            ),
        ] {
            let text = with(from, to);
            let error = parse(&text).unwrap_err();
            assert_eq!(error.field, field, "{error}");
            assert!(error.line.is_some(), "{error}");
        }
    }

    #[test]
    fn a_missing_field_and_broken_toml_are_reported() {
        let text = with("counting = \"cumulative\"\n", "");
        let error = parse(&text).unwrap_err();
        assert_eq!(error.field, "counting", "{error}");
        let error = parse("[[target]\nid = ").unwrap_err();
        assert_eq!(error.line, Some(1), "{error}");
        assert_eq!(error.file, "mine.toml");
    }

    #[test]
    fn an_id_twice_is_refused() {
        let text = format!("{GOOD}\n{}", GOOD.trim_start());
        let error = parse(&text).unwrap_err();
        assert_eq!(error.field, "id");
        assert!(error.problem.contains("defined twice"));
    }
}
