//! Chinese city names, in Chinese (`北京`, `北京市`), pinyin (`Luohe`) or
//! English (`Hong Kong`), resolved to GB/T 2260 division codes.
//!
//! The names come from the division table (`hatchery_core::division`) and
//! are romanized with the `pinyin` crate, so every city in the table is
//! found without a hand-made list of cities. A small table holds only the
//! English names that are not the pinyin of the Chinese one (`Harbin`,
//! `Urumqi`, `Hong Kong`…).
//!
//! A name is looked up as a prefecture-level city first (the four
//! municipalities, Hong Kong and Macao count as cities), then as a province,
//! then as a county-level city. Two divisions at the same level with the
//! same name (`Suzhou` is 苏州 and 宿州) make the name ambiguous unless a
//! qualifier (`Suzhou, Jiangsu`, `江苏苏州`) or a profile alias decides.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use hatchery_core::DivisionCode;
use hatchery_core::division::{DivisionLevel, all_divisions};
use pinyin::ToPinyinMulti;

use crate::cells::fold_width;

/// What a city name resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CityMatch {
    /// A city: prefecture level, a municipality, Hong Kong or Macao, or a
    /// county-level city (which keeps its own six-digit code).
    City(DivisionCode),
    /// A province given where a city was expected.
    Province(DivisionCode),
    /// Several divisions share the name; none was chosen.
    Ambiguous(Vec<DivisionCode>),
    /// Nothing in the table has that name.
    Unknown,
}

/// English names that are not the pinyin of the Chinese name, and the
/// Chinese name they stand for.
const EXONYMS: [(&str, &str); 12] = [
    ("Hong Kong", "香港"),
    ("Hongkong", "香港"),
    ("Macao", "澳门"),
    ("Macau", "澳门"),
    ("Harbin", "哈尔滨"),
    ("Urumqi", "乌鲁木齐"),
    ("Hohhot", "呼和浩特"),
    ("Lhasa", "拉萨"),
    ("Inner Mongolia", "内蒙古"),
    ("Tibet", "西藏"),
    ("Shaanxi", "陕西"),
    ("Kashgar", "喀什地区"),
];

/// Names whose pinyin is, by convention, spelled otherwise to keep them
/// apart from a namesake: 陕西 is written Shaanxi (above) so that Shanxi
/// means 山西 alone.
const NO_PLAIN_PINYIN: [&str; 2] = ["陕西", "陕西省"];

/// Suffixes that name the kind of division and are left out in common use.
const KIND_SUFFIXES: [&str; 6] = ["特别行政区", "自治区", "省", "市", "地区", "盟"];

/// What is left of an autonomous region's name once `自治区` is gone.
const ETHNIC_SUFFIXES: [&str; 3] = ["壮族", "回族", "维吾尔"];

/// English words that only say what kind of place a name is.
const KIND_WORDS: [&str; 7] = [
    " city",
    " shi",
    " prefecture",
    " province",
    " sheng",
    " municipality",
    " sar",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    City,
    Province,
    CountyCity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    code: DivisionCode,
    rank: Rank,
}

#[derive(Debug, Default)]
struct Index {
    chinese: HashMap<String, Vec<Entry>>,
    pinyin: HashMap<String, Vec<Entry>>,
    /// Other readings of characters with several (重庆 is also "zhongqing").
    pinyin_other: HashMap<String, Vec<Entry>>,
    /// Province names, full and short, longest first, for `江苏苏州`.
    province_prefixes: Vec<(String, DivisionCode)>,
}

/// The short forms of a division name: `江苏省` → `江苏`,
/// `广西壮族自治区` → `广西`, `香港特别行政区` → `香港`.
fn short_names(full: &str) -> Vec<String> {
    let Some(stem) = KIND_SUFFIXES.iter().find_map(|s| full.strip_suffix(s)) else {
        return Vec::new();
    };
    let stem = ETHNIC_SUFFIXES
        .iter()
        .find_map(|s| stem.strip_suffix(s))
        .unwrap_or(stem);
    if stem.chars().count() >= 2 {
        vec![stem.to_owned()]
    } else {
        Vec::new()
    }
}

/// The romanized comparison form: lower case, letters only, `ü` as `v`.
fn romanized(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            'ü' => Some('v'),
            c if c.is_ascii_alphabetic() => Some(c),
            _ => None,
        })
        .collect()
}

/// Every romanization of a Chinese name: the usual readings first, then the
/// others of characters with several readings (at most 64 in all).
fn romanizations(name: &str) -> Option<(String, Vec<String>)> {
    let mut readings: Vec<Vec<String>> = Vec::new();
    for c in name.chars() {
        let multi = c.to_pinyin_multi()?;
        let mut options: Vec<String> = (0..multi.count())
            .map(|i| multi.get(i).plain().replace('ü', "v"))
            .collect();
        options.dedup();
        readings.push(options);
    }
    let usual: String = readings.iter().map(|r| r[0].as_str()).collect();
    let mut all = vec![String::new()];
    for options in &readings {
        all = all
            .iter()
            .flat_map(|head| options.iter().map(move |o| format!("{head}{o}")))
            .take(64)
            .collect();
    }
    // Spellings with `u` for `ü` are what English texts mostly write (Lüliang, Luliang).
    let with_u: Vec<String> = all
        .iter()
        .filter(|s| s.contains('v'))
        .map(|s| s.replace('v', "u"))
        .collect();
    all.extend(with_u);
    all.retain(|s| *s != usual);
    all.sort();
    all.dedup();
    Some((usual, all))
}

fn add(map: &mut HashMap<String, Vec<Entry>>, key: String, entry: Entry) {
    let entries = map.entry(key).or_default();
    if !entries.contains(&entry) {
        entries.push(entry);
    }
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = Index::default();
        for division in all_divisions() {
            let code = division.code;
            let rank = match division.level {
                DivisionLevel::Province
                    if code.is_municipality() || matches!(code.province_prefix(), 81 | 82) =>
                {
                    Rank::City
                }
                DivisionLevel::Province => Rank::Province,
                DivisionLevel::City if division.name.contains("直辖") => continue,
                DivisionLevel::City => Rank::City,
                DivisionLevel::District if division.name.ends_with('市') => Rank::CountyCity,
                DivisionLevel::District => continue,
            };
            let entry = Entry { code, rank };
            let mut names = vec![division.name.to_owned()];
            names.extend(short_names(division.name));
            if division.level == DivisionLevel::Province {
                for name in &names {
                    index.province_prefixes.push((name.clone(), code));
                }
            }
            for name in names {
                if !NO_PLAIN_PINYIN.contains(&name.as_str())
                    && let Some((usual, others)) = romanizations(&name)
                {
                    add(&mut index.pinyin, usual, entry);
                    for other in others {
                        add(&mut index.pinyin_other, other, entry);
                    }
                }
                add(&mut index.chinese, name, entry);
            }
        }
        index
            .province_prefixes
            .sort_by_key(|(name, _)| std::cmp::Reverse(name.chars().count()));
        index
    })
}

fn has_han(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c))
}

/// Picks the best-ranked candidates inside an optional province.
fn choose(entries: Option<&Vec<Entry>>, province: Option<DivisionCode>) -> Option<CityMatch> {
    let inside: Vec<Entry> = entries?
        .iter()
        .filter(|e| province.is_none_or(|p| e.code.province() == p))
        .copied()
        .collect();
    let best = inside.iter().map(|e| e.rank).min()?;
    let mut codes: Vec<DivisionCode> = inside
        .iter()
        .filter(|e| e.rank == best)
        .map(|e| e.code)
        .collect();
    codes.sort();
    codes.dedup();
    Some(match (codes.as_slice(), best) {
        ([code], Rank::Province) => CityMatch::Province(*code),
        ([code], _) => CityMatch::City(*code),
        _ => CityMatch::Ambiguous(codes),
    })
}

fn match_of(code: DivisionCode) -> CityMatch {
    let is_city_like = code.is_municipality() || matches!(code.province_prefix(), 81 | 82);
    if code.level() == DivisionLevel::Province && !is_city_like {
        CityMatch::Province(code)
    } else {
        CityMatch::City(code)
    }
}

fn lookup(name: &str, province: Option<DivisionCode>) -> Option<CityMatch> {
    let index = index();
    if has_han(name) {
        return choose(index.chinese.get(name), province);
    }
    let mut key = name.to_lowercase();
    while let Some(stem) = KIND_WORDS.iter().find_map(|w| key.strip_suffix(w)) {
        key = stem.trim_end().to_owned();
    }
    let key = romanized(&key);
    if key.is_empty() {
        return None;
    }
    if let Some((_, chinese)) = EXONYMS.iter().find(|(e, _)| romanized(e) == key) {
        return choose(index.chinese.get(*chinese), province);
    }
    choose(index.pinyin.get(&key), province)
        .or_else(|| choose(index.pinyin_other.get(&key), province))
}

/// Resolves a city name. `aliases` (from the profile) are tried first.
pub fn resolve_city(name: &str, aliases: &BTreeMap<String, DivisionCode>) -> CityMatch {
    let folded = fold_width(name);
    let name = folded.trim();
    if name.is_empty() {
        return CityMatch::Unknown;
    }
    let key = romanized(name);
    if let Some((_, code)) = aliases
        .iter()
        .find(|(alias, _)| alias.trim() == name || (!key.is_empty() && romanized(alias) == key))
    {
        return match_of(*code);
    }
    if let Some(found) = lookup(name, None) {
        return found;
    }

    // `Suzhou, Jiangsu` or `Suzhou (Jiangsu)`: the second part names the province.
    if let Some((main, qualifier)) = name.split_once([',', '，', '(', '（']) {
        let qualifier = qualifier.trim_end_matches([')', '）']).trim();
        let province = match lookup(qualifier, None) {
            Some(CityMatch::Province(code)) => Some(code),
            Some(CityMatch::City(code)) if code.level() == DivisionLevel::Province => Some(code),
            _ => None,
        };
        return lookup(main.trim(), province)
            .or_else(|| province.map(match_of))
            .unwrap_or(CityMatch::Unknown);
    }

    // `江苏苏州`, `北京市海淀区`: a province name, then a place inside it.
    if has_han(name) {
        for (prefix, code) in &index().province_prefixes {
            if let Some(rest) = name.strip_prefix(prefix.as_str())
                && !rest.is_empty()
            {
                return lookup(rest, Some(*code)).unwrap_or_else(|| match_of(*code));
            }
        }
    }
    CityMatch::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    fn city(name: &str) -> CityMatch {
        resolve_city(name, &BTreeMap::new())
    }

    #[test]
    fn the_cities_of_the_2022_list() {
        let expected = [
            ("Beijing", "110000"),
            ("Shanghai", "310000"),
            ("Shenzhen", "440300"),
            ("Hangzhou", "330100"),
            ("Guangzhou", "440100"),
            ("Chengdu", "510100"),
            ("Changsha", "430100"),
            ("Wuhan", "420100"),
            ("Nanjing", "320100"),
            ("Changzhou", "320400"),
            ("Chongqing", "500000"),
            ("Luohe", "411100"),
            ("Zhuhai", "440400"),
            ("Hefei", "340100"),
            ("Qingdao", "370200"),
            ("Wuxi", "320200"),
            ("Tianjin", "120000"),
            ("Guiyang", "520100"),
            ("Dongguan", "441900"),
        ];
        for (name, division) in expected {
            assert_eq!(city(name), CityMatch::City(code(division)), "{name}");
        }
    }

    #[test]
    fn chinese_names_full_and_short() {
        for (name, division) in [
            ("北京", "110000"),
            ("北京市", "110000"),
            ("深圳市", "440300"),
            ("漯河", "411100"),
            ("香港", "810000"),
            ("澳门特别行政区", "820000"),
            ("北京市海淀区", "110000"),
            ("江苏苏州", "320500"),
            ("昆山市", "320583"),
        ] {
            assert_eq!(city(name), CityMatch::City(code(division)), "{name}");
        }
    }

    #[test]
    fn english_spellings_and_exonyms() {
        for (name, division) in [
            ("Hong Kong", "810000"),
            ("Macau", "820000"),
            ("Macao", "820000"),
            ("Xi'an", "610100"),
            ("Harbin", "230100"),
            ("  shenzhen city ", "440300"),
            ("ＳＨＥＮＺＨＥＮ", "440300"),
            ("Suzhou, Jiangsu", "320500"),
            ("Suzhou (Anhui)", "341300"),
            ("Kunshan", "320583"),
        ] {
            assert_eq!(city(name), CityMatch::City(code(division)), "{name}");
        }
    }

    #[test]
    fn provinces_given_as_cities_are_told_apart() {
        assert_eq!(city("Jiangsu"), CityMatch::Province(code("320000")));
        assert_eq!(city("Hunan"), CityMatch::Province(code("430000")));
        assert_eq!(city("Shanxi"), CityMatch::Province(code("140000")));
        assert_eq!(city("Shaanxi"), CityMatch::Province(code("610000")));
        assert_eq!(city("Guangxi"), CityMatch::Province(code("450000")));
        assert_eq!(city("江苏省"), CityMatch::Province(code("320000")));
        assert_eq!(
            city("Jiangsu Province"),
            CityMatch::Province(code("320000"))
        );
        // A city and its province share the name: the city column means the city.
        assert_eq!(city("Jilin"), CityMatch::City(code("220200")));
    }

    #[test]
    fn ambiguous_and_unknown_names_are_not_guessed() {
        assert_eq!(
            city("Suzhou"),
            CityMatch::Ambiguous(vec![code("320500"), code("341300")])
        );
        assert!(matches!(city("Taizhou"), CityMatch::Ambiguous(codes) if codes.len() == 2));
        assert_eq!(city("Atlantis"), CityMatch::Unknown);
        assert_eq!(city(""), CityMatch::Unknown);
        assert_eq!(city("Pudong"), CityMatch::Unknown);
    }

    #[test]
    fn profile_aliases_decide() {
        let aliases = BTreeMap::from([("Suzhou".to_owned(), code("320500"))]);
        assert_eq!(
            resolve_city("suzhou", &aliases),
            CityMatch::City(code("320500"))
        );
        let to_province = BTreeMap::from([("Sunan".to_owned(), code("320000"))]);
        assert_eq!(
            resolve_city("Sunan", &to_province),
            CityMatch::Province(code("320000"))
        );
    }

    #[test]
    fn characters_with_several_readings_still_match() {
        // 重 reads zhòng or chóng; the usual reading alone would miss Chongqing.
        assert_eq!(city("Chongqing"), CityMatch::City(code("500000")));
        assert_eq!(city("Lvliang"), CityMatch::City(code("141100")));
        assert_eq!(city("Luliang"), CityMatch::City(code("141100")));
    }
}
