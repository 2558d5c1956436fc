//! One identity for a national zone everywhere: the resolver that turns an
//! id, an official name, an English name or an alias (`中关村`, `深圳高新区`,
//! `shenzhen-hitech`…) into the zone's id (`hz-440300-1`), and names the
//! zones nearest to a text it cannot resolve.
//!
//! Pure: the shipped resolver is built from the zone list compiled into the
//! binary ([`shipped_zone_list`], placed by [`seed_zones`]) and a curated
//! table of English names and short names; [`ZoneResolver::new`] builds one
//! from any zones (a store's table, say).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

use super::zone::{Zone, ZoneId, ZoneKind, seed_zones, shipped_zone_list};
use crate::DivisionCode;

/// A zone as the resolver knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZoneEntry {
    /// The zone's one id (`hz-440300-1`).
    pub id: ZoneId,
    /// Official Chinese name (`深圳市高新技术产业园区`).
    pub name: String,
    /// English name, where known.
    pub name_en: Option<String>,
    /// National high-tech zone or national economic-technological development zone.
    pub kind: ZoneKind,
    /// The city the zone belongs to.
    pub city: DivisionCode,
    /// The district it lies in, when known.
    pub district: Option<DivisionCode>,
    /// Every other name it answers to: short names and legacy keys.
    pub aliases: Vec<String>,
}

/// English names and further short names of zones, by official name. The
/// legacy keys (`zgc`, `shenzhen-hitech`…) are those earlier datasets, the
/// demo and `hatchery generate` used before zones had one id.
const CURATED: &[(&str, &str, &[&str])] = &[
    (
        "中关村科技园区",
        "Zhongguancun Science Park",
        &[
            "中关村",
            "中关村示范区",
            "北京中关村示范区",
            "中关村国家自主创新示范区",
            "zgc",
            "zhongguancun",
        ],
    ),
    (
        "上海张江高新技术产业开发区",
        "Shanghai Zhangjiang High-tech Zone",
        &["张江", "上海张江", "zhangjiang"],
    ),
    (
        "深圳市高新技术产业园区",
        "Shenzhen High-tech Industrial Park",
        &[
            "深圳高新技术产业开发区",
            "深圳国家高新区",
            "shenzhen-hitech",
        ],
    ),
    (
        "武汉东湖新技术产业开发区",
        "Wuhan East Lake High-tech Zone",
        &[
            "武汉东湖新技术开发区",
            "东湖高新区",
            "武汉东湖高新区",
            "东湖",
            "光谷",
            "中国光谷",
            "donghu",
            "east-lake",
        ],
    ),
    ("苏州工业园区", "Suzhou Industrial Park", &["suzhou-sip"]),
    (
        "苏州高新技术产业开发区",
        "Suzhou High-tech Zone",
        &["suzhou-hitech"],
    ),
    (
        "杭州高新技术产业开发区",
        "Hangzhou High-tech Zone",
        &["杭州高新区（滨江）", "滨江高新区", "hangzhou-hitech"],
    ),
    (
        "广州高新技术产业开发区",
        "Guangzhou High-tech Zone",
        &["guangzhou-hitech"],
    ),
    (
        "成都高新技术产业开发区",
        "Chengdu High-tech Zone",
        &["chengdu-hitech"],
    ),
    (
        "南京高新技术产业开发区",
        "Nanjing High-tech Zone",
        &["nanjing-hitech"],
    ),
    (
        "合肥高新技术产业开发区",
        "Hefei High-tech Zone",
        &["hefei-hitech"],
    ),
    (
        "西安高新技术产业开发区",
        "Xi'an High-tech Zone",
        &["xian-hitech"],
    ),
    (
        "沈阳高新技术产业开发区",
        "Shenyang High-tech Zone",
        &["shenyang-hitech"],
    ),
    (
        "青岛高新技术产业开发区",
        "Qingdao High-tech Zone",
        &["qingdao-hitech"],
    ),
    (
        "天津滨海高新技术产业开发区",
        "Tianjin Binhai High-tech Zone",
        &["天津高新区", "tianjin-hitech"],
    ),
    (
        "常州高新技术产业开发区",
        "Changzhou High-tech Zone",
        &["changzhou-hitech"],
    ),
    (
        "宁波高新技术产业开发区",
        "Ningbo High-tech Zone",
        &["ningbo-hitech"],
    ),
    (
        "郑州高新技术产业开发区",
        "Zhengzhou High-tech Zone",
        &["zhengzhou-hitech"],
    ),
    (
        "淄博高新技术产业开发区",
        "Zibo High-tech Zone",
        &["zibo-hitech"],
    ),
    (
        "长沙高新技术产业开发区",
        "Changsha High-tech Zone",
        &["麓谷", "changsha-hitech"],
    ),
    (
        "济南高新技术产业开发区",
        "Jinan High-tech Zone",
        &["jinan-hitech"],
    ),
    (
        "厦门火炬高技术产业开发区",
        "Xiamen Torch High-tech Zone",
        &["厦门火炬高新区", "厦门高新区", "xiamen-torch"],
    ),
    (
        "大连高新技术产业园区",
        "Dalian High-tech Zone",
        &["dalian-hitech"],
    ),
    (
        "重庆高新技术产业开发区",
        "Chongqing High-tech Zone",
        &["chongqing-hitech"],
    ),
    (
        "东莞松山湖高新技术产业开发区",
        "Dongguan Songshan Lake High-tech Zone",
        &["松山湖"],
    ),
];

/// The normal form texts are compared in: no spaces, ASCII lower case,
/// full-width brackets as ASCII, and no `国家级`/`国家` (宁波国家高新区 is
/// 宁波高新区).
fn key(text: &str) -> String {
    text.trim()
        .replace("国家级", "")
        .replace("国家", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Resolves zone ids, names and aliases to one id.
#[derive(Debug, Clone, Default)]
pub struct ZoneResolver {
    entries: Vec<ZoneEntry>,
    /// Normalised id, name or alias → entry; texts that name two zones are
    /// in `ambiguous` instead.
    by_key: HashMap<String, usize>,
    /// Normalised alias → the zones it could mean.
    ambiguous: HashMap<String, Vec<usize>>,
}

/// How a text resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneMatch<'r> {
    /// The text is a zone's id, name or alias.
    Known(&'r ZoneEntry),
    /// The text is an alias of several zones.
    Ambiguous(&'r [usize]),
    /// No zone answers to the text.
    Unknown,
}

impl ZoneResolver {
    /// A resolver over `zones`, with the curated English and short names of
    /// those whose official name it knows.
    pub fn new(zones: impl IntoIterator<Item = Zone>) -> Self {
        let mut resolver = Self::default();
        for zone in zones {
            let curated = CURATED.iter().find(|(name, _, _)| *name == zone.name);
            let mut aliases = zone.aliases;
            if let Some((_, _, more)) = curated {
                for alias in *more {
                    if !aliases.iter().any(|a| a == alias) {
                        aliases.push((*alias).to_owned());
                    }
                }
            }
            resolver.entries.push(ZoneEntry {
                id: zone.id,
                name: zone.name,
                name_en: curated.map(|(_, en, _)| (*en).to_owned()),
                kind: zone.kind,
                city: zone.city,
                district: zone.district,
                aliases,
            });
        }
        resolver.index();
        resolver
    }

    /// The resolver over the zone list shipped in the binary, built once.
    pub fn shipped() -> &'static Self {
        static SHIPPED: OnceLock<ZoneResolver> = OnceLock::new();
        SHIPPED.get_or_init(|| Self::new(seed_zones(&shipped_zone_list()).zones))
    }

    fn index(&mut self) {
        let mut claims: HashMap<String, Vec<usize>> = HashMap::new();
        // Ids and official names first: they always win over an alias.
        let mut strong: HashMap<String, usize> = HashMap::new();
        for (at, entry) in self.entries.iter().enumerate() {
            strong.entry(key(entry.id.as_str())).or_insert(at);
            strong.entry(key(&entry.name)).or_insert(at);
            let weak = entry.aliases.iter().chain(entry.name_en.iter());
            for alias in weak {
                let list = claims.entry(key(alias)).or_default();
                if !list.contains(&at) {
                    list.push(at);
                }
            }
        }
        for (alias, zones) in claims {
            if strong.contains_key(&alias) || alias.is_empty() {
                continue;
            }
            if zones.len() == 1 {
                self.by_key.insert(alias, zones[0]);
            } else {
                self.ambiguous.insert(alias, zones);
            }
        }
        self.by_key.extend(strong);
    }

    /// Every zone, in the order given.
    pub fn entries(&self) -> &[ZoneEntry] {
        &self.entries
    }

    /// The zones of an ambiguous match.
    pub fn at(&self, positions: &[usize]) -> Vec<&ZoneEntry> {
        positions
            .iter()
            .filter_map(|&p| self.entries.get(p))
            .collect()
    }

    /// How `text` resolves.
    pub fn lookup(&self, text: &str) -> ZoneMatch<'_> {
        let wanted = key(text);
        if let Some(&at) = self.by_key.get(&wanted) {
            return ZoneMatch::Known(&self.entries[at]);
        }
        match self.ambiguous.get(&wanted) {
            Some(zones) => ZoneMatch::Ambiguous(zones),
            None => ZoneMatch::Unknown,
        }
    }

    /// The zone `text` names (its id, official or English name, or an
    /// alias that names one zone only).
    pub fn resolve(&self, text: &str) -> Option<&ZoneEntry> {
        match self.lookup(text) {
            ZoneMatch::Known(entry) => Some(entry),
            _ => None,
        }
    }

    /// The zone with this id.
    pub fn get(&self, id: &str) -> Option<&ZoneEntry> {
        self.resolve(id).filter(|e| e.id.as_str() == id)
    }

    /// The one id of the zone `text` names, or `text` itself (trimmed) when
    /// no zone answers to it: the key reports and scopes compare.
    pub fn canonical<'t>(&'t self, text: &'t str) -> &'t str {
        match self.resolve(text) {
            Some(entry) => entry.id.as_str(),
            None => text.trim(),
        }
    }

    /// The `n` zones nearest to `text` by edit distance to the id, the
    /// names or an alias (ties: by id).
    pub fn nearest(&self, text: &str, n: usize) -> Vec<&ZoneEntry> {
        let wanted = key(text);
        let mut ranked: Vec<(usize, &ZoneEntry)> = self
            .entries
            .iter()
            .map(|entry| {
                let distance = std::iter::once(entry.id.as_str())
                    .chain(std::iter::once(entry.name.as_str()))
                    .chain(entry.name_en.as_deref())
                    .chain(entry.aliases.iter().map(String::as_str))
                    .map(|candidate| edit_distance(&wanted, &key(candidate)))
                    .min()
                    .unwrap_or(usize::MAX);
                (distance, entry)
            })
            .collect();
        ranked.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        ranked.into_iter().take(n).map(|(_, e)| e).collect()
    }

    /// `id (name)` of the `n` zones nearest to `text`, joined by commas;
    /// `none` when no zone is known.
    pub fn nearest_text(&self, text: &str, n: usize) -> String {
        let nearest: Vec<String> = self
            .nearest(text, n)
            .iter()
            .map(|e| format!("{} ({})", e.id, e.name))
            .collect();
        if nearest.is_empty() {
            "none".to_owned()
        } else {
            nearest.join(", ")
        }
    }
}

/// Levenshtein distance over characters (not bytes: names are Chinese).
fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id_of(text: &str) -> Option<&'static str> {
        ZoneResolver::shipped().resolve(text).map(|e| e.id.as_str())
    }

    #[test]
    fn ids_are_accepted_as_they_are() {
        assert_eq!(id_of("hz-440300-1"), Some("hz-440300-1"));
        assert_eq!(id_of(" hz-110000-1 "), Some("hz-110000-1"));
        assert!(ZoneResolver::shipped().get("hz-440300-1").is_some());
        assert!(ZoneResolver::shipped().get("深圳高新区").is_none());
    }

    #[test]
    fn official_names_and_short_names_resolve_to_one_id() {
        for text in [
            "深圳市高新技术产业园区",
            "深圳高新区",
            "深圳市高新区",
            "深圳国家高新区",
            "shenzhen-hitech",
            "Shenzhen High-tech Industrial Park",
        ] {
            assert_eq!(id_of(text), Some("hz-440300-1"), "{text}");
        }
        for text in ["中关村", "中关村科技园区", "北京中关村示范区", "zgc", "ZGC"]
        {
            assert_eq!(id_of(text), Some("hz-110000-1"), "{text}");
        }
        for text in [
            "光谷",
            "东湖高新区",
            "武汉东湖新技术开发区",
            "donghu",
            "east-lake",
        ] {
            assert_eq!(id_of(text), Some("hz-420100-1"), "{text}");
        }
        assert_eq!(id_of("张江高新区"), id_of("上海张江高新技术产业开发区"));
        assert_eq!(id_of("宁波国家高新区"), id_of("宁波高新区"));
        assert_eq!(id_of("苏州工业园区"), Some("hz-320500-4"));
        assert_eq!(id_of("苏州高新区"), Some("hz-320500-1"));
        // Development zones answer to their names too.
        let wuhan = ZoneResolver::shipped().resolve("武汉经开区").unwrap();
        assert_eq!(wuhan.kind, ZoneKind::EconomicDevelopment);
    }

    #[test]
    fn entries_carry_kind_place_and_english_name() {
        let zgc = ZoneResolver::shipped().resolve("中关村").unwrap();
        assert_eq!(zgc.name, "中关村科技园区");
        assert_eq!(zgc.name_en.as_deref(), Some("Zhongguancun Science Park"));
        assert_eq!(zgc.kind, ZoneKind::HighTech);
        assert_eq!(zgc.city.to_string(), "110000");
        assert_eq!(
            zgc.district.map(|d| d.to_string()).as_deref(),
            Some("110108")
        );
    }

    #[test]
    fn unknown_texts_are_not_guessed_but_the_nearest_are_named() {
        let resolver = ZoneResolver::shipped();
        assert_eq!(resolver.lookup("shenzen-hitech"), ZoneMatch::Unknown);
        assert_eq!(resolver.canonical("shenzen-hitech"), "shenzen-hitech");
        assert_eq!(resolver.canonical("深圳高新区"), "hz-440300-1");
        let nearest = resolver.nearest("shenzen-hitech", 3);
        assert_eq!(nearest[0].id.as_str(), "hz-440300-1");
        let text = resolver.nearest_text("深圳高新技术区", 3);
        assert!(
            text.contains("hz-440300-1 (深圳市高新技术产业园区)"),
            "{text}"
        );
        assert_eq!(ZoneResolver::new([]).nearest_text("x", 3), "none");
        assert_eq!(resolver.resolve(""), None);
    }

    #[test]
    fn an_alias_of_two_zones_resolves_to_neither() {
        let zone = |id: &str, name: &str, alias: &str| Zone {
            id: ZoneId::parse(id).unwrap(),
            name: name.to_owned(),
            kind: ZoneKind::HighTech,
            city: DivisionCode::parse("440300").unwrap(),
            district: None,
            aliases: vec![alias.to_owned()],
        };
        let resolver = ZoneResolver::new([
            zone("a-1", "甲高新区", "同名"),
            zone("b-1", "乙高新区", "同名"),
        ]);
        assert!(matches!(resolver.lookup("同名"), ZoneMatch::Ambiguous(z) if z.len() == 2));
        assert_eq!(resolver.resolve("甲高新区").unwrap().id.as_str(), "a-1");
        assert_eq!(resolver.resolve("b-1").unwrap().name, "乙高新区");
    }

    #[test]
    fn every_curated_name_is_a_zone_of_the_shipped_list() {
        let resolver = ZoneResolver::shipped();
        for (name, _, aliases) in CURATED {
            let entry = resolver.resolve(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(entry.name, *name);
            for alias in *aliases {
                assert_eq!(
                    resolver.resolve(alias).map(|e| &e.id),
                    Some(&entry.id),
                    "{alias}"
                );
            }
        }
    }
}
