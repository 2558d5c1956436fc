//! Regions such as 京津冀 or 粤港澳大湾区: named sets of division-code
//! prefixes, read from TOML so their definitions stay data.

use hatchery_core::DivisionCode;
use serde::Deserialize;

use crate::error::ReportError;
use crate::options::Lang;

const BUILTIN: &str = include_str!("../data/regions.toml");

/// A division-code prefix of 2, 4 or 6 digits, held as a number and the
/// power of ten that cuts a six-digit code down to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Prefix {
    value: u32,
    divisor: u32,
    digits: u8,
}

impl Prefix {
    fn parse(text: &str) -> Option<Self> {
        let digits = text.len();
        if !matches!(digits, 2 | 4 | 6) || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Self {
            value: text.parse().ok()?,
            divisor: 10u32.pow(6 - digits as u32),
            digits: digits as u8,
        })
    }

    fn matches(self, code: DivisionCode) -> bool {
        code.value() / self.divisor == self.value
    }
}

impl std::fmt::Display for Prefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:0width$}",
            self.value,
            width = usize::from(self.digits)
        )
    }
}

/// One region: the divisions it includes, less those it excludes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Machine key, e.g. `greater-bay-area`.
    pub key: String,
    /// Chinese name, e.g. `粤港澳大湾区`.
    pub name: String,
    /// English name.
    pub name_en: String,
    include: Vec<Prefix>,
    exclude: Vec<Prefix>,
}

impl Region {
    /// Whether a division (an enterprise's effective region) lies in the region.
    pub fn contains(&self, code: DivisionCode) -> bool {
        self.include.iter().any(|p| p.matches(code))
            && !self.exclude.iter().any(|p| p.matches(code))
    }

    /// The name in `lang`.
    pub fn name_in(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.name,
            Lang::En => &self.name_en,
        }
    }

    /// The included prefixes, as written.
    pub fn include(&self) -> Vec<String> {
        self.include.iter().map(ToString::to_string).collect()
    }

    /// The excluded prefixes, as written.
    pub fn exclude(&self) -> Vec<String> {
        self.exclude.iter().map(ToString::to_string).collect()
    }
}

/// The regions a report counts enterprises in, in the order they were defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regions {
    regions: Vec<Region>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegion {
    key: String,
    name: String,
    name_en: String,
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegions {
    #[serde(default)]
    region: Vec<RawRegion>,
}

impl Regions {
    /// The regions shipped with the crate (`data/regions.toml`): 京津冀,
    /// 长三角, 粤港澳大湾区 and 成渝.
    pub fn builtin() -> Result<Self, ReportError> {
        Self::from_toml(BUILTIN)
    }

    /// Reads region definitions: `[[region]]` tables with `key`, `name`,
    /// `name_en`, `include` and optional `exclude` lists of 2, 4 or 6-digit
    /// division-code prefixes.
    pub fn from_toml(text: &str) -> Result<Self, ReportError> {
        let raw: RawRegions =
            toml::from_str(text).map_err(|e| ReportError::Regions(e.to_string()))?;
        let mut regions: Vec<Region> = Vec::with_capacity(raw.region.len());
        for region in raw.region {
            let problem = |what: String| ReportError::Regions(format!("{}: {what}", region.key));
            if region.key.is_empty() || regions.iter().any(|r| r.key == region.key) {
                return Err(problem("a region needs a key of its own".into()));
            }
            if region.include.is_empty() {
                return Err(problem("`include` lists at least one prefix".into()));
            }
            let parse = |list: &[String]| -> Result<Vec<Prefix>, ReportError> {
                list.iter()
                    .map(|p| {
                        Prefix::parse(p).ok_or_else(|| {
                            problem(format!("'{p}' is not a 2, 4 or 6-digit division prefix"))
                        })
                    })
                    .collect()
            };
            let include = parse(&region.include)?;
            let exclude = parse(&region.exclude)?;
            regions.push(Region {
                key: region.key,
                name: region.name,
                name_en: region.name_en,
                include,
                exclude,
            });
        }
        Ok(Self { regions })
    }

    /// The regions in definition order.
    pub fn iter(&self) -> impl Iterator<Item = &Region> {
        self.regions.iter()
    }

    /// How many regions there are.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// Whether no region is defined.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    fn region<'a>(regions: &'a Regions, key: &str) -> &'a Region {
        regions.iter().find(|r| r.key == key).unwrap()
    }

    #[test]
    fn shipped_regions_hold_the_documented_members() {
        let regions = Regions::builtin().unwrap();
        let keys: Vec<&str> = regions.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "jing-jin-ji",
                "yangtze-delta",
                "greater-bay-area",
                "chengdu-chongqing"
            ]
        );
        let jjj = region(&regions, "jing-jin-ji");
        assert!(jjj.contains(code("110108")));
        assert!(jjj.contains(code("130100")));
        assert!(!jjj.contains(code("140100")));
        let gba = region(&regions, "greater-bay-area");
        for member in [
            "440305", "440106", "441900", "442000", "810000", "820000", "441202",
        ] {
            assert!(gba.contains(code(member)), "{member}");
        }
        // Qingyuan, Shantou and Guangdong's own code are outside the bay area.
        for outsider in ["441802", "440500", "440000"] {
            assert!(!gba.contains(code(outsider)), "{outsider}");
        }
        let chengyu = region(&regions, "chengdu-chongqing");
        assert!(chengyu.contains(code("500101")));
        assert!(chengyu.contains(code("510104")));
        assert!(chengyu.contains(code("510703")));
        // Pingwu county (Mianyang) is left out; Panzhihua is not a member.
        assert!(!chengyu.contains(code("510727")));
        assert!(!chengyu.contains(code("510400")));
        let yrd = region(&regions, "yangtze-delta");
        assert_eq!(yrd.include(), ["31", "32", "33", "34"]);
        assert_eq!(yrd.name_in(Lang::Zh), "长三角");
    }

    #[test]
    fn malformed_definitions_are_refused() {
        for bad in [
            "[[region]]\nkey='a'\nname='a'\nname_en='a'\ninclude=[]",
            "[[region]]\nkey='a'\nname='a'\nname_en='a'\ninclude=['123']",
            "[[region]]\nkey='a'\nname='a'\nname_en='a'\ninclude=['12']\nexclude=['1x']",
            "[[region]]\nkey='a'\nname='a'\nname_en='a'\ninclude=['12']\n[[region]]\nkey='a'\nname='b'\nname_en='b'\ninclude=['13']",
            "[[region]]\nkey='a'\nname='a'\ninclude=['12']",
        ] {
            assert!(Regions::from_toml(bad).is_err(), "{bad}");
        }
    }
}
