//! Values that parsers trip over: impossible and edge dates, numbers too
//! large for any type, quotes, invisible and direction-changing characters,
//! characters whose lower case is longer or shorter than they are, and
//! cells of hundreds of kilobytes.

use proptest::prelude::*;
use serde_json::{Map, Number, Value};

const ODD: &[&str] = &[
    "",
    " ",
    "  padded  ",
    "2023-02-29",
    "2024-02-29",
    "1900-02-29",
    "2023-02-30",
    "2023-13-01",
    "2023-00-10",
    "0000-01-01",
    "9999-12-31",
    "10000-01-01",
    "-0001-01-01",
    "2023-1-1",
    "20230101",
    "2023/01/01",
    "2023-01-01T00:00:00",
    "2023-01-01T12:30:00Z",
    "2023年2月29日",
    "29/02/2023",
    "12/31/99",
    "99999999999999999999999999999999999",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "-79228162514264337593543950336",
    "0.0000000000000000000000000001",
    "0.00000000000000000000000000001",
    "18446744073709551616",
    "9223372036854775808",
    "-9223372036854775809",
    "1e309",
    "1E8",
    "2.5E8",
    "-1",
    "-0",
    "+1",
    "0",
    "00",
    ".5",
    "5.",
    "1,000",
    "1,0000",
    "NaN",
    "inf",
    "-inf",
    "1_000",
    "0x10",
    "١٢٣",
    "１２３",
    "＄１２３Ｂ",
    "$7.44B",
    "¥70亿",
    "$1.5 trillion",
    "US$-5M",
    "\"",
    "\"\"",
    "\"a\"\"b\"",
    "a\"b",
    "'",
    "\\",
    "[\"a\", 'b']",
    "['unterminated",
    "x_",
    "x_x",
    "id",
    "name",
    "\u{FEFF}",
    "invoice\u{202E}fdp.exe",
    "\u{200B}",
    "\u{0}",
    "\r",
    "\n",
    "\r\n",
    "\t",
    ";",
    ";;",
    "a;;b",
    "CN",
    "XX",
    "cn",
    "USD",
    "usd",
    "NEEQ",
    "110108",
    "000000",
    "1101081",
    "11010",
    "91350100M000100Y43",
    "funding",
    "FUNDING",
    "listing",
    "字节跳动",
    "北京",
    "\u{20000}",
    "e\u{301}",
    "İ",
    "ẞ",
    "\u{212A}",
    "1\u{212A}",
    "ﬁ",
    "Ⅻ",
    "𝟙𝟚",
];

/// Text a cell may hold that parsers find hard.
pub fn odd_text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => proptest::sample::select(ODD).prop_map(str::to_owned),
        1 => "[0-9]{15,60}",
        1 => "[0-9]{1,4}\\.[0-9]{20,40}",
        1 => "-?[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}",
        1 => "[0-9]{4}-(0[0-9]|1[0-3])-(0[0-9]|[1-3][0-9])",
        2 => "\\PC{0,12}",
        1 => "[\\x00-\\x1f\\u{7f}-\\u{9f}\\u{2028}\\u{202a}-\\u{202e}]{1,3}",
        // A cell longer than any message may echo.
        1 => (1usize..4).prop_map(|k| "长".repeat(k * 30_000)),
    ]
}

/// JSON values of every kind, nested up to four levels, whose object keys
/// are drawn from `keys` (the fields a body expects) or odd text.
pub fn odd_json(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![
            Just(i64::MIN),
            Just(i64::MAX),
            Just(-1),
            Just(0),
            Just(1),
            Just(2025),
            any::<i64>()
        ]
        .prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        prop_oneof![
            Just(1e308),
            Just(-0.0),
            Just(1.5),
            Just(2f64.powi(53) + 2.0),
            any::<f64>()
        ]
        .prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        odd_text().prop_map(Value::String),
    ];
    let key = prop_oneof![
        3 => proptest::sample::select(keys).prop_map(str::to_owned),
        1 => odd_text(),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}
