//! National high-tech zones (国家高新区) and economic-technological
//! development zones (国家经开区): identifiers, the city each belongs to, and
//! placing the published list — whose entries carry no usable id and often a
//! made-up district — onto the GB/T 2260 division table.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::division::{DivisionCode, DivisionLevel, all_divisions};

/// A zone's stable key: 1–64 lower-case ASCII letters, digits or `-`,
/// starting with a letter or digit (e.g. `hz-440300-1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ZoneId(String);

/// Why a text is not a zone id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a zone id is 1-64 lower-case letters, digits or '-', starting with a letter or digit (e.g. hz-440300-1), found '{0}'"
)]
pub struct ZoneIdError(pub String);

impl ZoneId {
    /// Parses a zone id.
    pub fn parse(text: &str) -> Result<Self, ZoneIdError> {
        let bytes = text.as_bytes();
        let valid = (1..=64).contains(&bytes.len())
            && bytes[0] != b'-'
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(ZoneIdError(text.to_owned()))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ZoneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ZoneId {
    type Err = ZoneIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ZoneId {
    type Error = ZoneIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ZoneId> for String {
    fn from(value: ZoneId) -> Self {
        value.0
    }
}

/// What kind of national zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ZoneKind {
    /// 国家高新技术产业开发区.
    HighTech,
    /// 国家级经济技术开发区.
    EconomicDevelopment,
}

impl ZoneKind {
    /// The key used in ids and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HighTech => "high_tech",
            Self::EconomicDevelopment => "economic_development",
        }
    }

    /// Parses [`ZoneKind::as_str`]'s output.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "high_tech" => Some(Self::HighTech),
            "economic_development" => Some(Self::EconomicDevelopment),
            _ => None,
        }
    }

    fn id_prefix(self) -> &'static str {
        match self {
            Self::HighTech => "hz",
            Self::EconomicDevelopment => "ez",
        }
    }
}

/// A national zone and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zone {
    pub id: ZoneId,
    /// Official name, e.g. `深圳市高新技术产业园区`.
    pub name: String,
    pub kind: ZoneKind,
    /// The city the zone belongs to (for a municipality, the municipality).
    pub city: DivisionCode,
    /// The district it lies in, when known.
    pub district: Option<DivisionCode>,
    /// Other names it is known by (`深圳高新区`…).
    pub aliases: Vec<String>,
}

impl Zone {
    /// The province of the zone's city.
    pub fn province(&self) -> DivisionCode {
        self.city.province()
    }

    /// Whether `text` is this zone's id, name or one of its aliases.
    pub fn answers_to(&self, text: &str) -> bool {
        self.id.as_str() == text || self.name == text || self.aliases.iter().any(|a| a == text)
    }
}

/// One entry of the published zone list, as loosely as it comes.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawZone {
    #[serde(default)]
    pub zone_id: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub district: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// The published list's file: `{ "zones": [...] }`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawZoneFile {
    pub zones: Vec<RawZone>,
}

/// An entry that could not be placed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unplaced {
    /// Position in the file, from 0.
    pub index: usize,
    pub name: String,
    pub reason: String,
}

/// An entry that was placed less precisely than the file claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlacementNote {
    pub id: ZoneId,
    pub name: String,
    pub note: String,
}

/// The outcome of placing the published list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ZoneSeed {
    pub zones: Vec<Zone>,
    /// Placed at city level only: the district named in the file is not in that city.
    pub notes: Vec<PlacementNote>,
    pub unplaced: Vec<Unplaced>,
    /// Entries that are not zones at all (a heading, a sentence of the
    /// source page), left out on purpose, with why.
    pub dropped: Vec<Unplaced>,
}

/// Why an entry of the published list is not a zone, if it is not: a bare
/// generic term with no place in it (`高新技术产业开发区`), or a sentence
/// of the page the list was scraped from (`全国共145家国家级经济技术开发区。`).
fn not_a_zone(name: &str) -> Option<&'static str> {
    const GENERIC: [&str; 6] = [
        "高新技术产业开发区",
        "高新区",
        "经济技术开发区",
        "经开区",
        "经济开发区",
        "开发区",
    ];
    if GENERIC.contains(&name) {
        return Some(
            "a generic term with no place in it, not a zone (a heading of the source list)",
        );
    }
    if name.contains('。') || name.starts_with("全国共") {
        return Some("a sentence of the source page (a count of zones), not a zone");
    }
    None
}

/// Entries the published list types wrongly: (name, the kind it is).
/// 武汉东湖新技术产业开发区 is one of the first national high-tech zones
/// (1991), typed `etdz` in the list.
const KIND_CORRECTIONS: [(&str, ZoneKind); 1] = [("武汉东湖新技术产业开发区", ZoneKind::HighTech)];

/// Where the entries go whose names carry no city and whose districts are
/// made up (`旅顺区`): (name, city, district). Each is a national
/// economic-technological development zone named after a town, a port or
/// a ministry; placed by hand from the zone's own administrative seat.
const PLACEMENTS: [(&str, u32, Option<u32>); 13] = [
    ("旅顺经济技术开发区", 210200, Some(210212)),
    ("宾西经济技术开发区", 230100, Some(230125)),
    ("虹桥经济技术开发区", 310000, Some(310105)),
    ("浒墅关经济技术开发区", 320500, Some(320505)),
    ("袍江经济开发区", 330600, Some(330602)),
    ("东侨经济技术开发区", 350900, Some(350902)),
    ("葛店经济技术开发区", 420700, Some(420703)),
    ("中国-马来西亚钦州产业园区", 450700, Some(450702)),
    ("洋浦经济开发区", 460400, None),
    ("陕西航空经济技术开发区", 610100, Some(610114)),
    ("陕西航天经济技术开发区", 610100, Some(610116)),
    ("神府经济技术开发区", 610800, Some(610881)),
    ("准东经济技术开发区", 652300, None),
];

fn placed_by_hand(name: &str) -> Option<Placed> {
    let &(_, city, district) = PLACEMENTS.iter().find(|(n, _, _)| *n == name)?;
    Some(Placed {
        city: DivisionCode::from_value(city)?,
        district: district.and_then(DivisionCode::from_value),
        note: None,
    })
}

/// Ethnic and administrative words after which a division's short name ends.
const NAME_CUTS: [&str; 20] = [
    "朝鲜族",
    "土家族",
    "藏族",
    "彝族",
    "布依族",
    "苗族",
    "哈尼族",
    "壮族",
    "傣族",
    "白族",
    "傈僳族",
    "回族",
    "蒙古",
    "柯尔克孜",
    "哈萨克",
    "维吾尔",
    "自治州",
    "自治区",
    "地区",
    "盟",
];

/// The short form a zone's name starts with: `石家庄市` → `石家庄`,
/// `延边朝鲜族自治州` → `延边`, `广西壮族自治区` → `广西`.
fn short_name(name: &str) -> &str {
    let mut end = name.len();
    for cut in NAME_CUTS {
        if let Some(at) = name.find(cut)
            && at > 0
        {
            end = end.min(at);
        }
    }
    let mut short = &name[..end];
    for suffix in ["省", "市", "区", "县", "旗"] {
        if let Some(stripped) = short.strip_suffix(suffix)
            && stripped.chars().count() >= 2
        {
            short = stripped;
            break;
        }
    }
    short
}

struct DivisionIndex {
    /// (short name, province code), longest first.
    provinces: Vec<(String, DivisionCode)>,
    /// (short name, city code), longest first.
    cities: Vec<(String, DivisionCode)>,
    /// Full district name → codes.
    districts: HashMap<String, Vec<DivisionCode>>,
    /// (short district name, code), longest first.
    district_shorts: Vec<(String, DivisionCode)>,
}

impl DivisionIndex {
    fn build() -> Self {
        let mut provinces = Vec::new();
        let mut cities = Vec::new();
        let mut districts: HashMap<String, Vec<DivisionCode>> = HashMap::new();
        let mut district_shorts = Vec::new();
        for division in all_divisions() {
            // Taiwan, Hong Kong and Macao have no national zones.
            if matches!(division.code.province_prefix(), 71 | 81 | 82) {
                continue;
            }
            match division.level {
                DivisionLevel::Province => {
                    provinces.push((short_name(division.name).to_owned(), division.code));
                }
                DivisionLevel::City => {
                    if !division.name.contains("直辖县级") {
                        cities.push((short_name(division.name).to_owned(), division.code));
                    }
                }
                DivisionLevel::District => {
                    districts
                        .entry(division.name.to_owned())
                        .or_default()
                        .push(division.code);
                    let short = short_name(division.name);
                    if short != division.name {
                        district_shorts.push((short.to_owned(), division.code));
                    }
                }
            }
        }
        let longest_first = |list: &mut Vec<(String, DivisionCode)>| {
            list.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
        };
        longest_first(&mut provinces);
        longest_first(&mut cities);
        longest_first(&mut district_shorts);
        Self {
            provinces,
            cities,
            districts,
            district_shorts,
        }
    }

    fn province_prefix<'n>(&self, name: &'n str) -> Option<(DivisionCode, &'n str)> {
        self.provinces
            .iter()
            .find_map(|(short, code)| name.strip_prefix(short.as_str()).map(|rest| (*code, rest)))
    }

    fn city_prefix(&self, name: &str, province: Option<DivisionCode>) -> Option<DivisionCode> {
        self.cities
            .iter()
            .filter(|(_, code)| province.is_none_or(|p| code.province() == p))
            .find(|(short, _)| name.starts_with(short.as_str()))
            .map(|(_, code)| *code)
    }

    /// The one district called `name` within `within` (a province or city), if exactly one.
    fn district(&self, name: &str, within: Option<DivisionCode>) -> Option<DivisionCode> {
        let inside = |code: &DivisionCode| match within {
            None => true,
            Some(w) if w.level() == DivisionLevel::Province => code.province() == w,
            Some(w) => code.city() == w,
        };
        let found: Vec<_> = self
            .districts
            .get(name)?
            .iter()
            .copied()
            .filter(inside)
            .collect();
        (found.len() == 1).then(|| found[0])
    }

    /// The one district whose short name the zone's name starts with.
    fn district_prefix(&self, name: &str, province: Option<DivisionCode>) -> Option<DivisionCode> {
        let mut found = self
            .district_shorts
            .iter()
            .filter(|(short, code)| {
                name.starts_with(short.as_str()) && province.is_none_or(|p| code.province() == p)
            })
            .map(|(short, code)| (short.len(), *code));
        let (len, code) = found.next()?;
        // Another district with an equally long matching name makes it ambiguous.
        match found.next() {
            Some((other, _)) if other == len => None,
            _ => Some(code),
        }
    }
}

/// Where one entry goes: its city and, when the file's district is real, the district.
fn place(index: &DivisionIndex, raw: &RawZone, name: &str) -> Result<Placed, String> {
    let district_name = raw.district.as_deref().map(str::trim).unwrap_or("");
    let (province, rest) = match index.province_prefix(name) {
        Some((province, rest)) => (Some(province), rest),
        None => (None, name),
    };
    let city = match province {
        Some(p) if p.is_municipality() => Some(p),
        _ => index
            .city_prefix(rest, province)
            .or_else(|| index.city_prefix(name, None)),
    };
    if let Some(city) = city {
        return Ok(match index.district(district_name, Some(city)) {
            Some(district) => Placed {
                city,
                district: Some(district),
                note: None,
            },
            None => Placed {
                city,
                district: None,
                note: Some(format!(
                    "district '{district_name}' is not in {}: placed at city level",
                    city.display_name()
                )),
            },
        });
    }
    let district = index
        .district(district_name, province)
        .or_else(|| index.district_prefix(name, province));
    match district {
        Some(district) => Ok(Placed {
            city: district.city(),
            district: Some(district),
            note: None,
        }),
        None => Err(match province {
            Some(p) => format!(
                "only the province ({}) is known: no city in the name and district '{district_name}' is unknown or ambiguous there",
                p.display_name()
            ),
            None => format!(
                "no city or province in the name, and district '{district_name}' is unknown or ambiguous"
            ),
        }),
    }
}

struct Placed {
    city: DivisionCode,
    district: Option<DivisionCode>,
    note: Option<String>,
}

const SHIPPED_ZONES: &str = include_str!("../../data/zones/functional_zones_national.json");

/// The published list of national zones shipped inside the binary (a copy of
/// `functional_zones_national.json`, messy as published).
pub fn shipped_zone_list() -> RawZoneFile {
    serde_json::from_str(SHIPPED_ZONES).expect("the shipped zone list is valid JSON")
}

/// Places the published list. Ids are made from the kind, the city and the
/// order within that city (`hz-130100-1`), so re-placing the same file gives
/// the same ids. Entries that cannot be placed, have no name or an unknown
/// type, or repeat an earlier name are reported, not guessed.
pub fn seed_zones(file: &RawZoneFile) -> ZoneSeed {
    let index = DivisionIndex::build();
    let mut seed = ZoneSeed::default();
    let mut per_city: BTreeMap<(ZoneKind, DivisionCode), u32> = BTreeMap::new();
    let mut seen_names: HashMap<String, usize> = HashMap::new();
    let mut by_hand = Vec::new();
    for (at, raw) in file.zones.iter().enumerate() {
        let name = raw.name.as_deref().map(str::trim).unwrap_or("").to_owned();
        let unplaced = |reason: String| Unplaced {
            index: at,
            name: name.clone(),
            reason,
        };
        if name.is_empty() {
            seed.unplaced.push(unplaced("the entry has no name".into()));
            continue;
        }
        if let Some(reason) = not_a_zone(&name) {
            seed.dropped.push(unplaced(reason.into()));
            continue;
        }
        let corrected = KIND_CORRECTIONS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, kind)| kind);
        let kind = match (corrected, raw.kind.as_deref().map(str::trim)) {
            (Some(kind), _) => kind,
            (None, Some("hitech")) => ZoneKind::HighTech,
            (None, Some("etdz")) => ZoneKind::EconomicDevelopment,
            (None, other) => {
                seed.unplaced.push(unplaced(format!(
                    "unknown zone type {other:?} (expected \"hitech\" or \"etdz\")"
                )));
                continue;
            }
        };
        if let Some(first) = seen_names.get(&name) {
            seed.unplaced
                .push(unplaced(format!("repeats entry {first} of the same name")));
            continue;
        }
        match place(&index, raw, &name) {
            Ok(placed) => {
                seen_names.insert(name.clone(), at);
                push_zone(&mut seed, &mut per_city, raw, name, kind, placed);
            }
            Err(reason) => match placed_by_hand(&name) {
                // Numbered after the entries placed from their names, so
                // that placing these changed no id given before.
                Some(placed) => {
                    seen_names.insert(name.clone(), at);
                    by_hand.push((raw, name, kind, placed));
                }
                None => seed.unplaced.push(unplaced(reason)),
            },
        }
    }
    for (raw, name, kind, placed) in by_hand {
        push_zone(&mut seed, &mut per_city, raw, name, kind, placed);
    }
    seed
}

fn push_zone(
    seed: &mut ZoneSeed,
    per_city: &mut BTreeMap<(ZoneKind, DivisionCode), u32>,
    raw: &RawZone,
    name: String,
    kind: ZoneKind,
    placed: Placed,
) {
    let ordinal = per_city.entry((kind, placed.city)).or_insert(0);
    *ordinal += 1;
    let id = ZoneId(format!("{}-{}-{}", kind.id_prefix(), placed.city, ordinal));
    let mut aliases: Vec<String> = raw
        .aliases
        .iter()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty() && *a != name)
        .collect();
    aliases.dedup();
    if let Some(note) = placed.note {
        seed.notes.push(PlacementNote {
            id: id.clone(),
            name: name.clone(),
            note,
        });
    }
    seed.zones.push(Zone {
        id,
        name,
        kind,
        city: placed.city,
        district: placed.district,
        aliases,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(kind: &str, name: &str, district: &str) -> RawZone {
        RawZone {
            zone_id: Some("_".into()),
            kind: Some(kind.into()),
            name: Some(name.into()),
            district: Some(district.into()),
            aliases: vec![name.into(), format!("{name}别名")],
        }
    }

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    #[test]
    fn zone_ids_are_slugs() {
        assert!(ZoneId::parse("hz-440300-1").is_ok());
        for bad in ["", "-a", "HZ", "hz_1", "高新区", &"a".repeat(65)] {
            assert!(ZoneId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn short_names_drop_suffixes_and_ethnic_names() {
        assert_eq!(short_name("石家庄市"), "石家庄");
        assert_eq!(short_name("延边朝鲜族自治州"), "延边");
        assert_eq!(short_name("广西壮族自治区"), "广西");
        assert_eq!(short_name("黔西南布依族苗族自治州"), "黔西南");
        assert_eq!(short_name("大兴安岭地区"), "大兴安岭");
        assert_eq!(short_name("河北省"), "河北");
        assert_eq!(short_name("昆山市"), "昆山");
    }

    #[test]
    fn real_districts_are_placed_within_the_city_the_name_gives() {
        let file = RawZoneFile {
            zones: vec![
                raw("hitech", "石家庄高新技术产业开发区", "裕华区"),
                raw("hitech", "天津滨海高新技术产业开发区", "滨海新区"),
                raw("hitech", "燕郊高新技术产业开发区", "三河市"),
                raw("etdz", "石家庄经济技术开发区", "石家庄区"),
                raw("hitech", "保定高新技术产业开发区", "竞秀区"),
            ],
        };
        let seed = seed_zones(&file);
        assert!(seed.unplaced.is_empty(), "{:?}", seed.unplaced);
        let z = &seed.zones;
        assert_eq!(z[0].id.as_str(), "hz-130100-1");
        assert_eq!(z[0].city, code("130100"));
        assert_eq!(z[0].district, Some(code("130108")));
        assert_eq!(z[0].aliases, vec!["石家庄高新技术产业开发区别名"]);
        assert_eq!(z[1].city, code("120000"));
        assert_eq!(z[1].district, Some(code("120116")));
        // No city in the name: the district alone, unique nationwide, places it.
        assert_eq!(z[2].city, code("131000"));
        assert_eq!(z[2].district, Some(code("131082")));
        // A made-up district: the city from the name, with a note.
        assert_eq!(z[3].id.as_str(), "ez-130100-1");
        assert_eq!(z[3].district, None);
        assert_eq!(seed.notes.len(), 1);
        assert_eq!(seed.notes[0].id, z[3].id);
        assert_eq!(z[4].id.as_str(), "hz-130600-1");
    }

    #[test]
    fn garbage_is_dropped_and_the_unplaceable_reported_not_guessed() {
        let file = RawZoneFile {
            zones: vec![
                raw("etdz", "高新技术产业开发区", "区"),
                raw(
                    "etdz",
                    "全国共145家国家级经济技术开发区。",
                    "全国共145家国家级经济技术开发区。区",
                ),
                raw("hitech", "宾西经济技术开发区", "宾西区"),
                raw("park", "某某园", "海淀区"),
                RawZone::default(),
                raw("hitech", "石家庄高新技术产业开发区", "裕华区"),
                raw("hitech", "石家庄高新技术产业开发区", "裕华区"),
                raw("etdz", "陕西航空经济技术开发区", "陕西航空区"),
                raw("etdz", "某某经济技术开发区", "某某区"),
            ],
        };
        let seed = seed_zones(&file);
        let dropped: Vec<_> = seed.dropped.iter().map(|u| u.index).collect();
        assert_eq!(dropped, vec![0, 1]);
        assert!(
            seed.dropped[1].reason.contains("sentence"),
            "{:?}",
            seed.dropped
        );
        let indexes: Vec<_> = seed.unplaced.iter().map(|u| u.index).collect();
        assert_eq!(indexes, vec![3, 4, 6, 8]);
        assert!(seed.unplaced[3].reason.contains("某某区"));
        // Placed by hand, numbered after those placed from their names.
        let names: Vec<_> = seed.zones.iter().map(|z| z.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "石家庄高新技术产业开发区",
                "宾西经济技术开发区",
                "陕西航空经济技术开发区"
            ]
        );
        assert_eq!(seed.zones[1].district, Some(code("230125")));
        assert_eq!(seed.zones[2].id.as_str(), "ez-610100-1");
        assert_eq!(seed.zones[2].district, Some(code("610114")));
    }

    #[test]
    fn a_mistyped_high_tech_zone_is_corrected() {
        let file = RawZoneFile {
            zones: vec![raw("etdz", "武汉东湖新技术产业开发区", "武汉东湖区")],
        };
        let seed = seed_zones(&file);
        assert_eq!(seed.zones[0].kind, ZoneKind::HighTech);
        assert_eq!(seed.zones[0].id.as_str(), "hz-420100-1");
    }

    #[test]
    fn every_real_entry_of_the_shipped_list_is_placed() {
        let file = shipped_zone_list();
        let seed = seed_zones(&file);
        // Nothing for `serve` to warn about: only the two non-zones are left out.
        assert!(seed.unplaced.is_empty(), "{:?}", seed.unplaced);
        let dropped: Vec<_> = seed.dropped.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(
            dropped,
            vec!["高新技术产业开发区", "全国共145家国家级经济技术开发区。"]
        );
        assert_eq!(seed.zones.len() + 2, file.zones.len());
        // 173 typed `hitech` in the list, and 东湖 typed `etdz`.
        let high_tech: Vec<_> = seed
            .zones
            .iter()
            .filter(|z| z.kind == ZoneKind::HighTech)
            .collect();
        assert_eq!(high_tech.len(), 174);
        let listed_high_tech = file
            .zones
            .iter()
            .filter(|z| z.kind.as_deref() == Some("hitech"))
            .count();
        assert_eq!(listed_high_tech, 173);
        // Ids given before these fixes are unchanged.
        let id_of = |name: &str| {
            seed.zones
                .iter()
                .find(|z| z.name == name)
                .map(|z| z.id.as_str().to_owned())
        };
        assert_eq!(
            id_of("深圳市高新技术产业园区").as_deref(),
            Some("hz-440300-1")
        );
        assert_eq!(id_of("中关村科技园区").as_deref(), Some("hz-110000-1"));
        assert_eq!(id_of("苏州工业园区").as_deref(), Some("hz-320500-4"));
        assert_eq!(
            id_of("武汉东湖新技术产业开发区").as_deref(),
            Some("hz-420100-1")
        );
    }

    #[test]
    fn the_shipped_list_places_most_entries() {
        let file = shipped_zone_list();
        let seed = seed_zones(&file);
        assert_eq!(
            seed.zones.len() + seed.unplaced.len() + seed.dropped.len(),
            file.zones.len()
        );
        assert!(seed.zones.len() > 350, "placed only {}", seed.zones.len());
        let high_tech = seed
            .zones
            .iter()
            .filter(|z| z.kind == ZoneKind::HighTech)
            .count();
        assert!(high_tech > 165, "{high_tech}");
        let mut ids: Vec<_> = seed.zones.iter().map(|z| &z.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), seed.zones.len());
        assert!(seed.zones.iter().any(|z| z.answers_to("深圳高新区")));
    }
}
