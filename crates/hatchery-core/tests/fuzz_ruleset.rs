//! Rule sets in TOML fuzzed on the stable toolchain: the shipped rule sets
//! with values replaced and their text damaged, and arbitrary text. Parsing
//! never panics; a rule set it refuses says where (the TOML line and column,
//! or the rule set, tier or key concerned); one it accepts can be asked
//! what it needs (its currencies, its label).
//!
//! `HATCHERY_FUZZ_CASES=100000 cargo test -p hatchery-core --test
//! fuzz_ruleset` is the long run (`docs/SECURITY.md`).

use hatchery_core::criteria::{RuleSet, RuleSetError, builtin_names, builtin_source};
use hatchery_fuzz::{config, damaged_toml};
use proptest::prelude::*;

/// Values a rule set's own keys take, in the wrong places.
const RULE_VALUES: &[&str] = &[
    "\"gei\"",
    "\"UNICORN\"",
    "\"potential\"",
    "[\"4403x\"]",
    "[\"\"]",
    "[\"1234567\"]",
    "[\"NEEQ\", \"neeq\"]",
    "[]",
    "[{ exists = true }]",
    "[{ age_within_years = 501 }]",
    "[{ age_within_years = -1 }]",
    "[{ age_within_years = 99999999999 }]",
    "[{ valuation_at_least = \"1e9 USD\" }]",
    "[{ valuation_at_least = \"-1 USD\" }]",
    "[{ valuation_at_least = \"79228162514264337593543950336 USD\" }]",
    "[{ raised_at_least = \"1000 XXX\" }]",
    "[{ listed_on = [] }]",
    "[{ region_prefix = [] }]",
    "[{ country = [\"ZZ\"] }]",
    "[{ industry = [] }]",
    "[{ shiny = true }]",
    "[{ label = \"a\", when = [] }]",
    "{ exists = true }",
];

fn check_refusal(error: &RuleSetError) -> Result<(), TestCaseError> {
    let message = error.to_string();
    match error {
        // The TOML parser's message points at the line and column.
        RuleSetError::Syntax(_) => prop_assert!(
            message.contains("line ") && message.contains("column "),
            "a syntax error without its place: {message}"
        ),
        RuleSetError::Invalid { problem, .. } => {
            prop_assert!(!problem.trim().is_empty(), "an empty problem");
            prop_assert!(problem.chars().count() <= 400, "a long problem: {problem}");
        }
        RuleSetError::Unknown(_) => prop_assert!(false, "from_toml cannot fail this way"),
    }
    Ok(())
}

/// A rule set that parses answers what the engine asks of it.
fn check_accepted(rules: &RuleSet) -> Result<(), TestCaseError> {
    let _ = (rules.currencies(), rules.label());
    Ok(())
}

fn damaged_builtin() -> impl Strategy<Value = String> {
    let sources: Vec<&'static str> = builtin_names()
        .into_iter()
        .filter_map(builtin_source)
        .collect();
    proptest::sample::select(sources).prop_flat_map(|base| damaged_toml(base, RULE_VALUES))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn damaged_rule_sets(text in damaged_builtin()) {
        match RuleSet::from_toml(&text) {
            Ok(rules) => check_accepted(&rules)?,
            Err(error) => check_refusal(&error)?,
        }
    }

    #[test]
    fn arbitrary_rule_sets(text in "\\PC{0,300}") {
        match RuleSet::from_toml(&text) {
            Ok(rules) => check_accepted(&rules)?,
            Err(error) => check_refusal(&error)?,
        }
    }
}
