//! Rule sets: tiers in order, each with alternative clauses of conditions,
//! written as TOML and versioned.

use serde::{Deserialize, Serialize};

use super::condition::Condition;
use crate::ids::Exchange;
use crate::money::Currency;

/// A tier's position in its rule set: 0 is the first (highest) tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TierIndex(pub u8);

/// One alternative way to reach a tier: all its conditions must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub when: Vec<Condition>,
}

/// A tier and the clauses that reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    /// Machine key, e.g. `unicorn`.
    pub key: String,
    /// Chinese name, e.g. `独角兽`.
    pub name: String,
    /// English name.
    pub name_en: String,
    pub clauses: Vec<Clause>,
}

/// A versioned, declarative rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    /// Short name, e.g. `gei`.
    pub key: String,
    pub version: String,
    /// Chinese title.
    pub title: String,
    pub title_en: String,
    pub description: String,
    /// Where the definition comes from.
    pub source: String,
    /// Division-code prefixes a local rule set applies to (empty: everywhere).
    pub scope: Vec<String>,
    /// Exchanges whose listings do not count as "listed".
    pub unlisted_exchanges: Vec<Exchange>,
    /// Conditions every tier requires.
    pub requires: Vec<Condition>,
    /// Tiers, highest first: the first whose clause holds is the decision.
    pub tiers: Vec<Tier>,
}

/// Why a rule set cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleSetError {
    #[error("rule set is not valid TOML for a rule set: {0}")]
    Syntax(String),
    #[error("rule set '{key}': {problem}")]
    Invalid { key: String, problem: String },
    #[error("no rule set named '{0}' (built in: {list})", list = builtin_names().join(", "))]
    Unknown(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    key: String,
    name: String,
    name_en: String,
    #[serde(default)]
    when: Option<Vec<Condition>>,
    #[serde(default)]
    clauses: Option<Vec<Clause>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleSet {
    key: String,
    version: String,
    title: String,
    title_en: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    scope: Vec<String>,
    #[serde(default = "default_unlisted")]
    unlisted_exchanges: Vec<Exchange>,
    #[serde(default)]
    requires: Vec<Condition>,
    tiers: Vec<RawTier>,
}

fn default_unlisted() -> Vec<Exchange> {
    vec![Exchange::parse("NEEQ").expect("valid code")]
}

const BUILTIN: [(&str, &str); 6] = [
    ("gei", include_str!("../../rulesets/gei.toml")),
    ("gei-2024", include_str!("../../rulesets/gei-2024.toml")),
    ("cbinsights", include_str!("../../rulesets/cbinsights.toml")),
    ("hurun", include_str!("../../rulesets/hurun.toml")),
    ("shenzhen", include_str!("../../rulesets/shenzhen.toml")),
    (
        "wuhan-donghu",
        include_str!("../../rulesets/wuhan-donghu.toml"),
    ),
];

/// Names of the rule sets shipped inside the binary.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(name, _)| *name).collect()
}

/// The TOML text of a shipped rule set.
pub fn builtin_source(name: &str) -> Option<&'static str> {
    BUILTIN
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, text)| *text)
}

/// How many characters of a refused value a message repeats.
const ECHO: usize = 60;

/// A refused value as a message repeats it: whole when short, else cut,
/// so that a rule set posted with a megabyte key gets a short answer.
fn echo(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(ECHO).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl RuleSet {
    /// Parses and validates a rule set written in TOML.
    pub fn from_toml(text: &str) -> Result<Self, RuleSetError> {
        let raw: RawRuleSet =
            toml::from_str(text).map_err(|e| RuleSetError::Syntax(e.to_string()))?;
        let invalid = |problem: String| RuleSetError::Invalid {
            key: echo(&raw.key),
            problem,
        };
        if !valid_key(&raw.key) {
            return Err(invalid(
                "the key is 1-64 lower-case letters, digits, '-' or '_'".into(),
            ));
        }
        if raw.tiers.is_empty() {
            return Err(invalid("a rule set has at least one tier".into()));
        }
        if raw.tiers.len() > usize::from(u8::MAX) {
            return Err(invalid("a rule set has at most 255 tiers".into()));
        }
        for prefix in &raw.scope {
            if prefix.is_empty() || prefix.len() > 6 || !prefix.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(invalid(format!(
                    "scope '{}' is not a division-code prefix (1-6 digits)",
                    echo(prefix)
                )));
            }
        }
        let mut requires = raw.requires;
        if !raw.scope.is_empty() {
            requires.push(Condition::RegionPrefix(raw.scope.clone()));
        }
        let mut tiers = Vec::with_capacity(raw.tiers.len());
        for tier in raw.tiers {
            if !valid_key(&tier.key) {
                return Err(invalid(format!(
                    "tier key '{}' is not a valid key",
                    echo(&tier.key)
                )));
            }
            if tiers.iter().any(|t: &Tier| t.key == tier.key) {
                return Err(invalid(format!("tier '{}' is defined twice", tier.key)));
            }
            let clauses = match (tier.when, tier.clauses) {
                (Some(when), None) => vec![Clause { label: None, when }],
                (None, Some(clauses)) if !clauses.is_empty() => clauses,
                _ => {
                    return Err(invalid(format!(
                        "tier '{}' needs either `when = [...]` or a non-empty `clauses = [...]`",
                        tier.key
                    )));
                }
            };
            for clause in &clauses {
                for condition in &clause.when {
                    validate(condition)
                        .map_err(|p| invalid(format!("tier '{}': {p}", tier.key)))?;
                }
            }
            tiers.push(Tier {
                key: tier.key,
                name: tier.name,
                name_en: tier.name_en,
                clauses,
            });
        }
        for condition in &requires {
            validate(condition).map_err(&invalid)?;
        }
        Ok(Self {
            key: raw.key,
            version: raw.version,
            title: raw.title,
            title_en: raw.title_en,
            description: raw.description,
            source: raw.source,
            scope: raw.scope,
            unlisted_exchanges: raw.unlisted_exchanges,
            requires,
            tiers,
        })
    }

    /// A rule set shipped inside the binary.
    pub fn builtin(name: &str) -> Result<Self, RuleSetError> {
        let text = builtin_source(name).ok_or_else(|| RuleSetError::Unknown(name.to_owned()))?;
        Self::from_toml(text)
    }

    /// The tier at `index`.
    pub fn tier(&self, index: TierIndex) -> &Tier {
        &self.tiers[usize::from(index.0)]
    }

    /// The index of the tier with this key.
    pub fn tier_index(&self, key: &str) -> Option<TierIndex> {
        self.tiers
            .iter()
            .position(|t| t.key == key)
            .map(|i| TierIndex(i as u8))
    }

    /// Every currency a threshold of this rule set is stated in.
    pub fn currencies(&self) -> Vec<Currency> {
        let mut currencies: Vec<Currency> = self
            .requires
            .iter()
            .chain(
                self.tiers
                    .iter()
                    .flat_map(|t| t.clauses.iter().flat_map(|c| &c.when)),
            )
            .filter_map(Condition::currency)
            .collect();
        currencies.sort();
        currencies.dedup();
        currencies
    }

    /// The keys of the other rule sets its `tier` conditions read, sorted
    /// and distinct: what a caller classifies under before evaluating it.
    pub fn referenced_rule_sets(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .requires
            .iter()
            .chain(
                self.tiers
                    .iter()
                    .flat_map(|t| t.clauses.iter().flat_map(|c| &c.when)),
            )
            .filter_map(|c| match c {
                Condition::Tier(wanted) => Some(wanted.rules.clone()),
                _ => None,
            })
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// `key@version`, how decisions cite the rule set.
    pub fn label(&self) -> String {
        format!("{}@{}", self.key, self.version)
    }
}

fn needs_a_value(condition: &Condition) -> String {
    format!("`{}` needs at least one value", condition.key())
}

fn validate(condition: &Condition) -> Result<(), String> {
    match condition {
        Condition::AgeWithinYears(years) if !(0..=500).contains(years) => {
            Err(format!("age_within_years = {years} is outside 0..=500"))
        }
        Condition::Country(list) if list.is_empty() => Err(needs_a_value(condition)),
        Condition::ListedOn(list) if list.is_empty() => Err(needs_a_value(condition)),
        Condition::Industry(list) | Condition::Tag(list) | Condition::Zone(list)
            if list.is_empty() =>
        {
            Err(needs_a_value(condition))
        }
        Condition::Tier(wanted) if !valid_key(&wanted.rules) => Err(format!(
            "tier: rules = '{}' is not a rule set key",
            echo(&wanted.rules)
        )),
        Condition::Tier(wanted) if wanted.tiers.is_empty() => {
            Err("tier: `in` needs at least one tier key".into())
        }
        Condition::RegionPrefix(prefixes)
            if prefixes.is_empty()
                || prefixes.iter().any(|p| {
                    p.is_empty() || p.len() > 6 || !p.bytes().all(|b| b.is_ascii_digit())
                }) =>
        {
            Err("region_prefix takes 1-6 digit division-code prefixes".into())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses() {
        for name in builtin_names() {
            let rules = RuleSet::builtin(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(rules.key, name);
        }
    }

    /// Found by the `damaged_rule_sets` fuzz harness: a refused key was
    /// repeated whole in the message, however long.
    #[test]
    fn refused_values_are_cut_in_messages() {
        let long = "长".repeat(30_000);
        for text in [
            format!(
                "key='{long}'\nversion='1'\ntitle='x'\ntitle_en='x'\n[[tiers]]\nkey='a'\nname='a'\nname_en='a'\nwhen=[]"
            ),
            format!(
                "key='x'\nversion='1'\ntitle='x'\ntitle_en='x'\nscope=['{long}']\n[[tiers]]\nkey='a'\nname='a'\nname_en='a'\nwhen=[]"
            ),
            format!(
                "key='x'\nversion='1'\ntitle='x'\ntitle_en='x'\n[[tiers]]\nkey='{long}'\nname='a'\nname_en='a'\nwhen=[]"
            ),
        ] {
            let message = RuleSet::from_toml(&text).unwrap_err().to_string();
            assert!(
                message.chars().count() < 300,
                "{}",
                message.chars().take(300).collect::<String>()
            );
        }
    }

    #[test]
    fn unknown_names_and_bad_files_are_reported() {
        assert!(matches!(
            RuleSet::builtin("nope"),
            Err(RuleSetError::Unknown(_))
        ));
        assert!(matches!(
            RuleSet::from_toml("key = 1"),
            Err(RuleSetError::Syntax(_))
        ));
        let no_tiers = "key='x'\nversion='1'\ntitle='x'\ntitle_en='x'\ntiers=[]";
        assert!(matches!(
            RuleSet::from_toml(no_tiers),
            Err(RuleSetError::Invalid { .. })
        ));
        let bad_condition = "key='x'\nversion='1'\ntitle='x'\ntitle_en='x'\n[[tiers]]\nkey='a'\nname='a'\nname_en='a'\nwhen=[{ valuation_at_least = '1e9 USD' }]";
        assert!(RuleSet::from_toml(bad_condition).is_err());
        let unknown_condition = "key='x'\nversion='1'\ntitle='x'\ntitle_en='x'\n[[tiers]]\nkey='a'\nname='a'\nname_en='a'\nwhen=[{ shiny = true }]";
        assert!(RuleSet::from_toml(unknown_condition).is_err());
    }
}
