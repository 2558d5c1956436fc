//! Where enterprises are registered: real district codes from the core's
//! division table, concentrated in the hub cities the way China's start-ups
//! are, with a long tail over dozens of other cities; and a minority abroad.

use hatchery_core::division::{DivisionLevel, all_divisions};
use hatchery_core::{Country, Currency, DivisionCode};

use crate::sample::{Draw, Weights};

/// A Chinese city the model places enterprises in.
#[derive(Debug)]
struct CitySpec {
    /// First four digits of the city's division codes.
    prefix: u32,
    name: &'static str,
    name_en: &'static str,
    /// Share of Chinese enterprises, in percent (the table need not sum to 100).
    weight: f64,
    /// Districts that draw more than their even share: (code, weight).
    hot: &'static [(u32, f64)],
    /// Weight shared evenly by the city's other districts.
    rest: f64,
    /// High-tech zones: (district code, or 0 for any district; the zone's
    /// one id in the shipped zone table, e.g. `hz-440300-1`; probability).
    zones: &'static [(u32, &'static str, f64)],
}

const fn city(prefix: u32, name: &'static str, name_en: &'static str, weight: f64) -> CitySpec {
    CitySpec {
        prefix,
        name,
        name_en,
        weight,
        hot: &[],
        rest: 1.0,
        zones: &[],
    }
}

/// The hubs first, then the long tail, with rough shares of China's funded
/// start-ups.
const CITIES: &[CitySpec] = &[
    CitySpec {
        prefix: 1101,
        name: "北京",
        name_en: "Beijing",
        weight: 22.0,
        hot: &[
            (110108, 40.0), // 海淀: Zhongguancun
            (110105, 22.0), // 朝阳
            (110101, 5.0),
            (110102, 5.0),
            (110114, 5.0),
            (110115, 4.0), // 大兴: Yizhuang
            (110106, 4.0),
            (110113, 3.0),
        ],
        rest: 12.0,
        zones: &[(110108, "hz-110000-1", 0.7), (0, "hz-110000-1", 0.25)],
    },
    CitySpec {
        prefix: 3101,
        name: "上海",
        name_en: "Shanghai",
        weight: 17.0,
        hot: &[
            (310115, 35.0), // 浦东: Zhangjiang
            (310104, 10.0),
            (310112, 10.0),
            (310106, 8.0),
            (310110, 8.0),
            (310105, 6.0),
            (310114, 5.0),
            (310117, 5.0),
        ],
        rest: 13.0,
        zones: &[(310115, "hz-310000-1", 0.6), (0, "hz-310000-1", 0.15)],
    },
    CitySpec {
        prefix: 4403,
        name: "深圳",
        name_en: "Shenzhen",
        weight: 12.0,
        hot: &[
            (440305, 45.0), // 南山: Shenzhen Hi-tech Industrial Park
            (440304, 18.0),
            (440307, 10.0),
            (440306, 10.0),
            (440309, 6.0),
        ],
        rest: 11.0,
        zones: &[(440305, "hz-440300-1", 0.6), (0, "hz-440300-1", 0.15)],
    },
    CitySpec {
        prefix: 3301,
        name: "杭州",
        name_en: "Hangzhou",
        weight: 8.0,
        hot: &[(330108, 35.0), (330110, 25.0), (330106, 20.0)],
        rest: 20.0,
        zones: &[(330108, "hz-330100-1", 0.7), (0, "hz-330100-1", 0.1)],
    },
    CitySpec {
        prefix: 4401,
        name: "广州",
        name_en: "Guangzhou",
        weight: 6.0,
        hot: &[
            (440106, 35.0),
            (440112, 25.0),
            (440105, 10.0),
            (440113, 10.0),
        ],
        rest: 20.0,
        zones: &[(440112, "hz-440100-1", 0.6), (440106, "hz-440100-1", 0.3)],
    },
    CitySpec {
        prefix: 4201,
        name: "武汉",
        name_en: "Wuhan",
        weight: 3.0,
        hot: &[(420111, 40.0)],
        rest: 60.0,
        zones: &[(420111, "hz-420100-1", 0.8), (0, "hz-420100-1", 0.2)],
    },
    CitySpec {
        prefix: 5101,
        name: "成都",
        name_en: "Chengdu",
        weight: 3.0,
        hot: &[(510107, 30.0), (510116, 15.0)],
        rest: 55.0,
        zones: &[(510107, "hz-510100-1", 0.5)],
    },
    CitySpec {
        prefix: 3201,
        name: "南京",
        name_en: "Nanjing",
        weight: 3.0,
        hot: &[(320115, 20.0), (320105, 20.0)],
        rest: 60.0,
        zones: &[(0, "hz-320100-1", 0.15)],
    },
    CitySpec {
        prefix: 3205,
        name: "苏州",
        name_en: "Suzhou",
        weight: 3.0,
        hot: &[(320576, 45.0), (320505, 15.0)],
        rest: 40.0,
        zones: &[(320576, "hz-320500-4", 0.9), (320505, "hz-320500-1", 0.6)],
    },
    CitySpec {
        prefix: 3401,
        name: "合肥",
        name_en: "Hefei",
        weight: 2.0,
        hot: &[(340176, 40.0), (340104, 20.0)],
        rest: 40.0,
        zones: &[(340176, "hz-340100-1", 0.9)],
    },
    CitySpec {
        prefix: 6101,
        name: "西安",
        name_en: "Xi'an",
        weight: 2.0,
        hot: &[(610113, 45.0)],
        rest: 55.0,
        zones: &[(610113, "hz-610100-1", 0.6)],
    },
    city(1201, "天津", "Tianjin", 2.0),
    city(5001, "重庆", "Chongqing", 2.0),
    city(4301, "长沙", "Changsha", 1.5),
    city(3502, "厦门", "Xiamen", 1.2),
    city(3702, "青岛", "Qingdao", 1.2),
    city(3701, "济南", "Jinan", 1.0),
    city(4101, "郑州", "Zhengzhou", 1.0),
    city(4419, "东莞", "Dongguan", 1.0),
    city(3302, "宁波", "Ningbo", 1.0),
    city(3202, "无锡", "Wuxi", 1.0),
    city(4406, "佛山", "Foshan", 0.8),
    city(3501, "福州", "Fuzhou", 0.6),
    city(2101, "沈阳", "Shenyang", 0.6),
    city(2102, "大连", "Dalian", 0.6),
    city(4404, "珠海", "Zhuhai", 0.6),
    city(3204, "常州", "Changzhou", 0.6),
    city(2301, "哈尔滨", "Harbin", 0.4),
    city(2201, "长春", "Changchun", 0.4),
    city(5301, "昆明", "Kunming", 0.4),
    city(3601, "南昌", "Nanchang", 0.4),
    city(5201, "贵阳", "Guiyang", 0.4),
    city(3303, "温州", "Wenzhou", 0.4),
    city(4501, "南宁", "Nanning", 0.3),
    city(1401, "太原", "Taiyuan", 0.3),
    city(1301, "石家庄", "Shijiazhuang", 0.3),
    city(4601, "海口", "Haikou", 0.3),
    city(3306, "绍兴", "Shaoxing", 0.3),
    city(3304, "嘉兴", "Jiaxing", 0.3),
    city(3706, "烟台", "Yantai", 0.3),
    city(3203, "徐州", "Xuzhou", 0.3),
    city(4103, "洛阳", "Luoyang", 0.2),
    city(5107, "绵阳", "Mianyang", 0.2),
    city(4302, "株洲", "Zhuzhou", 0.2),
    city(1501, "呼和浩特", "Hohhot", 0.2),
    city(6501, "乌鲁木齐", "Urumqi", 0.2),
    city(6201, "兰州", "Lanzhou", 0.2),
];

/// The share of Chinese enterprises placed in any district of the table,
/// beyond the listed cities.
const ANYWHERE_WEIGHT: f64 = 2.0;

/// Where relocating enterprises move to when they leave their city.
const MAGNETS: &[(f64, u32)] = &[
    (30.0, 4403),
    (25.0, 3101),
    (20.0, 1101),
    (12.0, 3301),
    (5.0, 4401),
    (4.0, 3401),
    (4.0, 3205),
];

/// Foreign enterprises: (country, city, weight, currency they raise in besides USD).
const ABROAD: &[(&str, &str, f64, Option<&str>)] = &[
    ("US", "San Francisco", 14.0, None),
    ("US", "Palo Alto", 6.0, None),
    ("US", "New York", 8.0, None),
    ("US", "Boston", 4.0, None),
    ("US", "Seattle", 3.0, None),
    ("US", "Austin", 2.0, None),
    ("GB", "London", 7.0, Some("EUR")),
    ("GB", "Cambridge", 1.5, None),
    ("SG", "Singapore", 9.0, Some("SGD")),
    ("IN", "Bengaluru", 7.0, Some("INR")),
    ("IN", "Mumbai", 3.0, Some("INR")),
    ("DE", "Berlin", 3.0, Some("EUR")),
    ("DE", "Munich", 2.0, Some("EUR")),
    ("FR", "Paris", 3.0, Some("EUR")),
    ("JP", "Tokyo", 3.0, Some("JPY")),
    ("KR", "Seoul", 3.0, None),
    ("IL", "Tel Aviv", 3.0, None),
    ("CA", "Toronto", 2.0, None),
    ("ID", "Jakarta", 2.0, None),
    ("AE", "Dubai", 1.0, None),
];

/// One place in China.
#[derive(Debug, Clone)]
struct Place {
    code: DivisionCode,
    /// Index into `cities` (the anywhere bucket has none).
    city: Option<usize>,
}

#[derive(Debug)]
struct CityPlaces {
    districts: Vec<DivisionCode>,
    weights: Weights,
}

/// Where an enterprise is registered at founding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    pub(crate) country: Country,
    pub(crate) region: Option<DivisionCode>,
    /// Chinese city name (for Chinese enterprises) or the foreign city.
    pub(crate) city: String,
    /// English city name, when the model knows one.
    pub(crate) city_en: Option<&'static str>,
    pub(crate) zone: Option<&'static str>,
    /// A currency the enterprise may raise in besides its home one.
    pub(crate) local_currency: Option<Currency>,
}

/// The geography of the model, laid out once per generator.
#[derive(Debug)]
pub(crate) struct Geography {
    cities: Vec<CityPlaces>,
    /// The listed cities, then the anywhere bucket last.
    city_weights: Weights,
    anywhere: Vec<DivisionCode>,
    magnets: Weights,
    abroad: Weights,
}

fn code(value: u32) -> DivisionCode {
    DivisionCode::from_value(value).expect("the model's codes have six digits")
}

impl Geography {
    pub(crate) fn new() -> Self {
        let districts: Vec<DivisionCode> = all_divisions()
            .filter(|d| d.level == DivisionLevel::District)
            // Taiwan, Hong Kong and Macao register companies under their own laws.
            .filter(|d| d.code.province_prefix() < 71)
            .map(|d| d.code)
            .collect();
        let cities = CITIES
            .iter()
            .map(|spec| {
                let mut own: Vec<DivisionCode> = districts
                    .iter()
                    .copied()
                    .filter(|d| d.value() / 100 == spec.prefix)
                    .collect();
                if own.is_empty() {
                    // Cities without districts (东莞, 中山) register at the city code.
                    own.push(code(spec.prefix * 100));
                }
                let others = own
                    .iter()
                    .filter(|d| !spec.hot.iter().any(|&(h, _)| h == d.value()))
                    .count()
                    .max(1) as f64;
                let weights = Weights::new(own.iter().map(|d| {
                    spec.hot
                        .iter()
                        .find(|&&(h, _)| h == d.value())
                        .map_or(spec.rest / others, |&(_, w)| w)
                }));
                CityPlaces {
                    districts: own,
                    weights,
                }
            })
            .collect();
        let city_weights = Weights::new(
            CITIES
                .iter()
                .map(|c| c.weight)
                .chain(std::iter::once(ANYWHERE_WEIGHT)),
        );
        Self {
            cities,
            city_weights,
            anywhere: districts,
            magnets: Weights::new(MAGNETS.iter().map(|&(w, _)| w)),
            abroad: Weights::new(ABROAD.iter().map(|&(_, _, w, _)| w)),
        }
    }

    fn place_in_city(&self, draw: &mut Draw, city: usize) -> Place {
        let places = &self.cities[city];
        Place {
            code: places.districts[draw.weighted(&places.weights)],
            city: Some(city),
        }
    }

    fn place(&self, draw: &mut Draw) -> Place {
        let city = draw.weighted(&self.city_weights);
        if city < self.cities.len() {
            self.place_in_city(draw, city)
        } else {
            Place {
                code: *draw.pick(&self.anywhere),
                city: None,
            }
        }
    }

    /// A Chinese location: a district, its city's names and perhaps a zone.
    pub(crate) fn china(&self, draw: &mut Draw) -> Location {
        let place = self.place(draw);
        let (city, city_en, zone) = match place.city {
            Some(at) => {
                let spec = &CITIES[at];
                let zone = spec
                    .zones
                    .iter()
                    .find(|&&(district, _, _)| district == 0 || district == place.code.value())
                    .filter(|&&(_, _, p)| draw.chance(p))
                    .map(|&(_, zone, _)| zone);
                (spec.name.to_owned(), Some(spec.name_en), zone)
            }
            None => (city_name(place.code), None, None),
        };
        Location {
            country: Country::CN,
            region: Some(place.code),
            city,
            city_en,
            zone,
            local_currency: None,
        }
    }

    /// A foreign location: a country and a city, no region.
    pub(crate) fn abroad(&self, draw: &mut Draw) -> Location {
        let (country, city, _, currency) = ABROAD[draw.weighted(&self.abroad)];
        Location {
            country: Country::parse(country).expect("the model's countries are valid"),
            region: None,
            city: city.to_owned(),
            city_en: Some(city),
            zone: None,
            local_currency: currency
                .map(|c| Currency::parse(c).expect("the model's currencies are valid")),
        }
    }

    /// Where an enterprise moves from `from`: another district of its city,
    /// or a district of one of the cities that draw enterprises.
    pub(crate) fn relocation(&self, draw: &mut Draw, from: Option<DivisionCode>) -> DivisionCode {
        let home = from.and_then(|f| {
            CITIES
                .iter()
                .position(|c| c.prefix == f.value() / 100)
                .filter(|&at| self.cities[at].districts.len() > 1)
        });
        if let (Some(at), Some(from)) = (home, from)
            && draw.chance(0.5)
        {
            let places = &self.cities[at];
            // Another district of the same city.
            for _ in 0..4 {
                let to = places.districts[draw.weighted(&places.weights)];
                if to != from {
                    return to;
                }
            }
            if let Some(&other) = places.districts.iter().find(|&&d| d != from) {
                return other;
            }
        }
        // A few tries to land somewhere new; a move onto the same code is harmless.
        let mut to = self.magnet(draw);
        for _ in 0..4 {
            if Some(to) != from {
                break;
            }
            to = self.magnet(draw);
        }
        to
    }

    fn magnet(&self, draw: &mut Draw) -> DivisionCode {
        let target = MAGNETS[draw.weighted(&self.magnets)].1;
        let at = CITIES
            .iter()
            .position(|c| c.prefix == target)
            .expect("every magnet is a listed city");
        self.place_in_city(draw, at).code
    }
}

/// The Chinese name of the city a district belongs to, without `市`.
fn city_name(district: DivisionCode) -> String {
    let name = district.city().name().unwrap_or("中国");
    name.strip_suffix('市').unwrap_or(name).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_in_the_model_is_in_the_division_table() {
        for spec in CITIES {
            for &(district, _) in spec.hot {
                assert_eq!(
                    district / 100,
                    spec.prefix,
                    "{district} is not in {}",
                    spec.name
                );
                assert!(code(district).name().is_some(), "{district} is unknown");
            }
            for &(district, _, _) in spec.zones {
                assert!(district == 0 || spec.hot.iter().any(|&(h, _)| h == district));
            }
            // Generated enterprises land in real zones of their own city.
            for &(_, zone, _) in spec.zones {
                let entry = hatchery_core::workflow::ZoneResolver::shipped()
                    .get(zone)
                    .unwrap_or_else(|| panic!("{zone} is no zone of the shipped table"));
                assert_eq!(
                    entry.city,
                    code(spec.hot[0].0).city(),
                    "{zone} is not in {}",
                    spec.name
                );
            }
            let city = code(spec.prefix * 100);
            assert!(
                city.name().is_some() || city.is_municipality(),
                "city {} is unknown",
                spec.prefix
            );
        }
        let geography = Geography::new();
        for (spec, places) in CITIES.iter().zip(&geography.cities) {
            assert!(!places.districts.is_empty(), "{}", spec.name);
            assert!(places.districts.iter().all(|d| d.name().is_some()));
        }
        assert!(CITIES.len() >= 40, "a long tail of cities");
    }

    #[test]
    fn relocations_stay_in_china_and_move() {
        let geography = Geography::new();
        let mut draw = Draw::new(&Draw::base(3), 0);
        let haidian = code(110108);
        let mut moved = 0;
        for _ in 0..1000 {
            let to = geography.relocation(&mut draw, Some(haidian));
            assert!(to.name().is_some());
            moved += usize::from(to != haidian);
        }
        assert!(moved > 995, "{moved}");
    }
}
