//! Names, industries, tags and investors. Every name is made up from
//! neutral syllables and words, so no generated record can be mistaken for a
//! real company or fund.

use crate::sample::Draw;

/// Brand syllables: (Chinese character, pinyin).
const SYLLABLES: &[(&str, &str)] = &[
    ("云", "Yun"),
    ("智", "Zhi"),
    ("芯", "Xin"),
    ("星", "Xing"),
    ("辰", "Chen"),
    ("光", "Guang"),
    ("远", "Yuan"),
    ("航", "Hang"),
    ("数", "Shu"),
    ("联", "Lian"),
    ("思", "Si"),
    ("达", "Da"),
    ("微", "Wei"),
    ("创", "Chuang"),
    ("新", "Xin"),
    ("元", "Yuan"),
    ("极", "Ji"),
    ("深", "Shen"),
    ("蓝", "Lan"),
    ("鲸", "Jing"),
    ("途", "Tu"),
    ("跃", "Yue"),
    ("腾", "Teng"),
    ("鹏", "Peng"),
    ("衡", "Heng"),
    ("宇", "Yu"),
    ("量", "Liang"),
    ("子", "Zi"),
    ("灵", "Ling"),
    ("犀", "Xi"),
    ("翼", "Yi"),
    ("源", "Yuan"),
    ("迈", "Mai"),
    ("驰", "Chi"),
    ("瞳", "Tong"),
    ("脉", "Mai"),
    ("启", "Qi"),
    ("明", "Ming"),
    ("澜", "Lan"),
    ("峰", "Feng"),
    ("禾", "He"),
    ("穹", "Qiong"),
    ("矩", "Ju"),
    ("阵", "Zhen"),
    ("弦", "Xian"),
    ("曜", "Yao"),
    ("纳", "Na"),
    ("拓", "Tuo"),
];

/// An industry: key, weight, Chinese and English words for the company name,
/// and tags it tends to carry with their probabilities.
#[derive(Debug)]
pub(crate) struct Industry {
    pub(crate) key: &'static str,
    weight: f64,
    zh: &'static str,
    en: &'static str,
    tags: &'static [(&'static str, f64)],
}

const fn industry(
    key: &'static str,
    weight: f64,
    zh: &'static str,
    en: &'static str,
    tags: &'static [(&'static str, f64)],
) -> Industry {
    Industry {
        key,
        weight,
        zh,
        en,
        tags,
    }
}

pub(crate) const INDUSTRIES: &[Industry] = &[
    industry(
        "ai",
        16.0,
        "智能科技",
        "Intelligence",
        &[("future:humanoid", 0.04), ("future:bci", 0.01)],
    ),
    industry(
        "enterprise-software",
        10.0,
        "软件",
        "Software",
        &[("specialised-sme", 0.1)],
    ),
    industry(
        "semiconductors",
        9.0,
        "半导体",
        "Semiconductor",
        &[
            ("future:atomic-manufacturing", 0.08),
            ("specialised-sme", 0.3),
        ],
    ),
    industry(
        "new-energy",
        8.0,
        "新能源",
        "New Energy",
        &[("future:hydrogen", 0.15), ("future:fusion", 0.01)],
    ),
    industry(
        "biotech",
        8.0,
        "生物科技",
        "Biotech",
        &[("future:synthetic-biology", 0.12)],
    ),
    industry(
        "healthcare",
        6.0,
        "医疗科技",
        "Health",
        &[("future:bci", 0.02)],
    ),
    industry("fintech", 6.0, "金融科技", "Fintech", &[]),
    industry("e-commerce", 7.0, "电子商务", "Commerce", &[]),
    industry(
        "robotics",
        5.0,
        "机器人",
        "Robotics",
        &[("future:humanoid", 0.2)],
    ),
    industry(
        "aerospace",
        2.0,
        "航天科技",
        "Aerospace",
        &[("future:commercial-space", 0.5), ("future:6g", 0.05)],
    ),
    industry(
        "advanced-manufacturing",
        5.0,
        "智能制造",
        "Manufacturing",
        &[
            ("future:atomic-manufacturing", 0.05),
            ("specialised-sme", 0.35),
        ],
    ),
    industry(
        "new-materials",
        3.0,
        "新材料",
        "Materials",
        &[("specialised-sme", 0.3)],
    ),
    industry(
        "auto-tech",
        4.0,
        "汽车科技",
        "Mobility",
        &[("future:autonomous-driving", 0.3)],
    ),
    industry("logistics", 3.0, "供应链", "Logistics", &[]),
    industry("edtech", 3.0, "教育科技", "Education", &[]),
    industry(
        "media",
        3.0,
        "文化传媒",
        "Media",
        &[("future:metaverse", 0.1)],
    ),
    industry("consumer", 4.0, "消费品", "Consumer", &[]),
    industry(
        "telecom",
        2.0,
        "通信技术",
        "Networks",
        &[("future:6g", 0.3)],
    ),
    industry(
        "quantum",
        0.6,
        "量子科技",
        "Quantum",
        &[("future:quantum", 0.9)],
    ),
    industry("agritech", 1.4, "农业科技", "Agritech", &[]),
];

/// Company forms abroad, by country.
fn legal_suffix(country: &str) -> &'static str {
    match country {
        "US" | "CA" => "Inc.",
        "GB" => "Ltd.",
        "SG" => "Pte. Ltd.",
        "IN" => "Pvt. Ltd.",
        "DE" => "GmbH",
        "FR" => "SAS",
        "JP" => "K.K.",
        "KR" => "Co., Ltd.",
        "ID" => "PT",
        _ => "Ltd.",
    }
}

/// English words for foreign brands.
const EN_WORDS: &[&str] = &[
    "Nova", "Orbit", "Lumen", "Vector", "Kite", "Atlas", "Quill", "Helix", "Pike", "Ember",
    "Tidal", "Cobalt", "Fathom", "Juniper", "Vertex", "Sable", "Zephyr", "Larch", "Onyx",
    "Meridian",
];

/// Made-up fund names, Chinese and English.
const FUNDS_ZH: &[&str] = &[
    "远山",
    "清源",
    "星河",
    "青松",
    "朗润",
    "明德",
    "和光",
    "澄湖",
    "北辰",
    "南岭",
    "峻岭",
    "浦江",
    "钱塘",
    "珠江",
    "长风",
    "弘毅远",
    "晨曦",
    "同舟",
];
const FUNDS_ZH_KIND: &[&str] = &["资本", "创投", "投资", "基金", "产业基金", "天使基金"];
const FUNDS_EN: &[&str] = &[
    "Harbor",
    "Summit",
    "Lakeside",
    "Northstar",
    "Jade",
    "Granite",
    "Bluewater",
    "Crescent",
    "Redwood Ridge",
    "Silver Birch",
    "Open Field",
    "Longview",
];
const FUNDS_EN_KIND: &[&str] = &["Capital", "Ventures", "Partners", "Growth Fund"];

/// A Chinese enterprise's names: legal name in Chinese and an English name.
pub(crate) fn chinese_names(
    draw: &mut Draw,
    city: &str,
    city_en: Option<&str>,
    industry: &Industry,
) -> (String, String) {
    let (a, a_en) = *draw.pick(SYLLABLES);
    let (b, b_en) = *draw.pick(SYLLABLES);
    let brand_en = format!("{a_en}{}", b_en.to_lowercase());
    let name = format!("{city}{a}{b}{}有限公司", industry.zh);
    let name_en = match city_en {
        Some(city_en) => format!("{city_en} {brand_en} {} Co., Ltd.", industry.en),
        None => format!("{brand_en} {} Co., Ltd.", industry.en),
    };
    (name, name_en)
}

/// A foreign enterprise's name.
pub(crate) fn foreign_name(draw: &mut Draw, country: &str, industry: &Industry) -> String {
    let word = draw.pick(EN_WORDS);
    format!("{word} {} {}", industry.en, legal_suffix(country))
}

/// One to four investors, `;`-separated.
pub(crate) fn investors(draw: &mut Draw, chinese: bool) -> String {
    let count = draw.between(1, 4) as usize;
    let mut names: Vec<String> = Vec::with_capacity(count);
    for _ in 0..count {
        let name = if chinese && draw.chance(0.75) {
            format!("{}{}", draw.pick(FUNDS_ZH), draw.pick(FUNDS_ZH_KIND))
        } else {
            format!("{} {}", draw.pick(FUNDS_EN), draw.pick(FUNDS_EN_KIND))
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.join(";")
}

/// The enterprise's tags, from its industries and a small chance of others.
pub(crate) fn tags(draw: &mut Draw, industries: &[&Industry]) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for industry in industries {
        for &(tag, p) in industry.tags {
            if draw.chance(p) && !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_owned());
            }
        }
    }
    if draw.chance(0.03) {
        tags.push("high-tech".to_owned());
    }
    tags
}

/// The weight of each industry, for drawing.
pub(crate) fn industry_weights() -> impl Iterator<Item = f64> {
    INDUSTRIES.iter().map(|i| i.weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_well_formed() {
        assert!(INDUSTRIES.iter().all(|i| i.weight > 0.0));
        let keys: std::collections::BTreeSet<_> = INDUSTRIES.iter().map(|i| i.key).collect();
        assert_eq!(keys.len(), INDUSTRIES.len(), "industry keys are unique");
        for industry in INDUSTRIES {
            for &(tag, p) in industry.tags {
                assert!(!tag.contains(';') && (0.0..=1.0).contains(&p));
            }
        }
        for name in FUNDS_ZH.iter().chain(FUNDS_EN).chain(EN_WORDS) {
            assert!(!name.contains(';') && !name.contains(','));
        }
    }

    #[test]
    fn investors_are_distinct_names() {
        let mut draw = Draw::new(&Draw::base(5), 0);
        for _ in 0..200 {
            let list = investors(&mut draw, true);
            let names: Vec<_> = list.split(';').collect();
            assert!((1..=4).contains(&names.len()));
            let mut unique = names.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), names.len(), "{list}");
        }
    }
}
