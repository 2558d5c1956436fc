//! TOML documents (profiles, rule sets) damaged: values replaced by odd
//! ones, then the text mutated as any file is.

use proptest::prelude::*;
use proptest::sample::Index;

use crate::mutate::{mutate, mutations};
use crate::odd::odd_text;

/// Values a TOML key may wrongly be given, whatever the document.
const ODD_VALUES: &[&str] = &[
    "0",
    "-1",
    "1e400",
    "18446744073709551616",
    "99999999999999999999",
    "[]",
    "{}",
    "[[]]",
    "true",
    "'''",
    "\"\"\"",
    "2024-02-29",
    "2023-02-29",
    "'\u{0}'",
    "\"\\u0000\"",
    "\"\"",
];

/// `base` with up to three of its `key = value` lines given another value
/// (odd text as a TOML string or bare, a value from `ODD_VALUES` or from
/// `values`, which the caller draws from its own document's vocabulary),
/// then mutated.
pub fn damaged_toml(
    base: &'static str,
    values: &'static [&'static str],
) -> impl Strategy<Value = String> {
    let value = prop_oneof![
        odd_text().prop_map(|t| format!("{t:?}")),
        odd_text(),
        proptest::sample::select(ODD_VALUES).prop_map(str::to_owned),
        proptest::sample::select(values).prop_map(str::to_owned),
    ];
    (
        mutations(3),
        proptest::collection::vec((any::<Index>(), value), 0..3),
    )
        .prop_map(move |(mutations, values)| {
            let mut lines: Vec<String> = base.lines().map(str::to_owned).collect();
            for (at, value) in values {
                let at = at.index(lines.len());
                let line = &mut lines[at];
                if let Some((key, _)) = line.split_once('=') {
                    *line = format!("{key}= {value}");
                }
            }
            let text = lines.join("\n");
            String::from_utf8_lossy(&mutate(text.as_bytes(), &mutations, b'=')).into_owned()
        })
}
