//! Company names brought to a comparable form, so that `ByteDance`,
//! `Bytedance Inc.`, `ＢｙｔｅＤａｎｃｅ` and `Byte Dance` are one name, and
//! `北京字节跳动科技有限公司` is `字节跳动`; and readable ids made from them.

use std::sync::OnceLock;

use hatchery_core::division::{DivisionLevel, all_divisions};
use pinyin::ToPinyin;

use crate::cells::fold_width;

/// Trailing words that say what kind of company it is, not which one.
const LATIN_SUFFIXES: [&str; 27] = [
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "llc",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "bv",
    "nv",
    "ab",
    "oy",
    "pte",
    "pty",
    "srl",
    "spa",
    "holdings",
    "holding",
    "group",
    "technology",
    "technologies",
];

/// Trailing words of Chinese company names (organisation form and the most
/// common industry words), longest first.
const CHINESE_SUFFIXES: [&str; 12] = [
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "信息技术",
    "网络科技",
    "公司",
    "集团",
    "控股",
    "科技",
    "网络",
    "技术",
    "股份",
];

/// Domain endings that some lists keep in names (`Pilot.com`).
const DOMAIN_ENDINGS: [&str; 3] = ["com", "cn", "io"];

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// Province and city names (`北京`, `北京市`, `江苏省`, `苏州`) that Chinese
/// company names start with.
fn place_prefixes() -> &'static [String] {
    static PREFIXES: OnceLock<Vec<String>> = OnceLock::new();
    PREFIXES.get_or_init(|| {
        let mut prefixes: Vec<String> = Vec::new();
        for division in all_divisions() {
            if division.level == DivisionLevel::District || division.name.contains("直辖") {
                continue;
            }
            let name = division.name;
            prefixes.push(name.to_owned());
            for suffix in ["省", "市"] {
                if let Some(stem) = name.strip_suffix(suffix)
                    && stem.chars().count() >= 2
                {
                    prefixes.push(stem.to_owned());
                }
            }
        }
        prefixes.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
        prefixes.dedup();
        prefixes
    })
}

/// Removes parenthesised parts (`(中国)`, `（北京）`), unless nothing else is left.
fn without_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0_usize;
    for c in text.chars() {
        match c {
            '(' | '（' | '[' => depth += 1,
            ')' | '）' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    if out.trim().is_empty() {
        text.to_owned()
    } else {
        out
    }
}

/// The words of a name, lower case, letters and digits only, with the
/// words that only describe the company's legal form taken off the end.
fn words(name: &str) -> Vec<String> {
    let folded = without_brackets(&fold_width(name)).to_lowercase();
    let mut words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    if words.len() > 1
        && words
            .last()
            .is_some_and(|w| DOMAIN_ENDINGS.contains(&w.as_str()))
        && folded.contains('.')
    {
        words.pop();
    }
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| LATIN_SUFFIXES.contains(&w.as_str()))
    {
        words.pop();
    }
    if let Some(last) = words.last_mut()
        && last.chars().any(is_han)
    {
        *last = chinese_core(last);
    }
    words
}

/// `北京字节跳动科技有限公司` → `字节跳动`: organisation form and industry
/// words off the end, a place name off the start, while two characters remain.
fn chinese_core(word: &str) -> String {
    let mut core = word.to_owned();
    let long_enough = |s: &str| s.chars().count() >= 2;
    'suffixes: loop {
        for suffix in CHINESE_SUFFIXES {
            if let Some(stem) = core.strip_suffix(suffix)
                && long_enough(stem)
            {
                core = stem.to_owned();
                continue 'suffixes;
            }
        }
        break;
    }
    for prefix in place_prefixes() {
        if let Some(rest) = core.strip_prefix(prefix.as_str())
            && long_enough(rest)
        {
            core = rest.to_owned();
            break;
        }
    }
    core
}

/// The form two names are compared in: equal keys (with equal countries)
/// are the same company.
pub fn match_key(name: &str) -> String {
    words(name).concat()
}

/// Every form a name is matched in: its key, and for a Chinese name also
/// the key's pinyin, since lists in English write many Chinese companies in
/// pinyin (`元气森林` is `Yuanqi Senlin`).
pub fn match_keys(name: &str) -> Vec<String> {
    let key = match_key(name);
    let mut keys = Vec::with_capacity(2);
    if key.chars().any(is_han) {
        let romanized: String = key
            .chars()
            .map(|c| match c.to_pinyin() {
                Some(p) if is_han(c) => p.plain().to_owned(),
                _ => c.to_string(),
            })
            .collect();
        keys.push(romanized);
    }
    if !key.is_empty() {
        keys.insert(0, key);
    }
    keys
}

/// A readable id part made of a name: its words joined by `-`
/// (`Epic Games` → `epic-games`, `字节跳动` → `字节跳动`), at most 100 characters.
pub fn slug(name: &str) -> String {
    let joined = words(name).join("-");
    let mut slug: String = joined.chars().take(100).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_name_share_a_key() {
        let key = match_key("ByteDance");
        for variant in [
            "Bytedance",
            "BYTEDANCE",
            "Byte Dance",
            "ByteDance Inc.",
            "ByteDance, Ltd",
            "ＢｙｔｅＤａｎｃｅ",
            " ByteDance  Technology ",
            "ByteDance Holdings Co., Ltd.",
        ] {
            assert_eq!(match_key(variant), key, "{variant}");
        }
        assert_eq!(match_key("Pilot.com"), match_key("Pilot"));
        assert_eq!(match_key("Tubatu.com"), "tubatu");
    }

    #[test]
    fn chinese_company_names_lose_form_and_place() {
        assert_eq!(match_key("北京字节跳动科技有限公司"), "字节跳动");
        assert_eq!(match_key("字节跳动"), "字节跳动");
        assert_eq!(match_key("深圳市大疆创新科技有限公司"), "大疆创新");
        assert_eq!(match_key("阿里巴巴(中国)网络技术有限公司"), "阿里巴巴");
        assert_eq!(match_key("江苏省苏宁控股集团"), "苏宁");
        // Never cut to a single character.
        assert_eq!(match_key("北京科技"), "北京");
    }

    #[test]
    fn chinese_names_also_match_their_pinyin() {
        assert_eq!(match_keys("元气森林"), ["元气森林", "yuanqisenlin"]);
        // A legal name with more words than the brand is not the brand.
        assert!(!match_keys("北京元气森林饮品有限公司").contains(&match_key("Yuanqi Senlin")));
        assert!(match_keys("元气森林有限公司").contains(&match_key("Yuanqi Senlin")));
        assert!(match_keys("小红书").contains(&match_key("Xiaohongshu")));
        assert_eq!(match_keys("Bytedance"), ["bytedance"]);
        assert!(match_keys("!!!").is_empty());
    }

    #[test]
    fn different_names_stay_different() {
        assert_ne!(match_key("Bolt"), match_key("Bolt Financial"));
        assert_ne!(match_key("Fabric"), match_key("Fabric Genomics"));
        assert_ne!(match_key("Group"), "");
        assert_eq!(match_key("Group"), "group");
        assert_ne!(match_key("Technology Inc"), "");
    }

    #[test]
    fn slugs_are_readable_and_bounded() {
        assert_eq!(slug("Epic Games"), "epic-games");
        assert_eq!(slug("Ola Cabs"), "ola-cabs");
        assert_eq!(slug("You & Mr Jones"), "you-mr-jones");
        assert_eq!(slug("北京字节跳动科技有限公司"), "字节跳动");
        assert_eq!(slug("!!!"), "");
        assert_eq!(slug(&"a ".repeat(300)).chars().count(), 99);
    }
}
