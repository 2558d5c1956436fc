//! The message catalogs: per language, `locales/<tag>.toml`, and files of
//! their own for areas that grow large (listed in `Lang::sources`), read
//! into the binary and merged; a key defined twice is an error. Templates never hold text of their own: they ask for a
//! message by key (`t("nav.dashboard")`), and a test fails when the two
//! catalogs' keys differ.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The languages pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Both, the default first.
    pub const ALL: [Self; 2] = [Self::Zh, Self::En];

    /// The BCP 47 tag, as `<html lang>` and the cookie carry it.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    /// The language a tag names (`zh-CN`, `zh`, `en`); `None` for others.
    pub fn parse(tag: &str) -> Option<Self> {
        match tag.trim() {
            "zh-CN" | "zh" | "zh-Hans" => Some(Self::Zh),
            "en" | "en-US" | "en-GB" => Some(Self::En),
            _ => None,
        }
    }

    /// The account setting of the same language.
    pub fn language(self) -> hatchery_core::workflow::Language {
        match self {
            Self::Zh => hatchery_core::workflow::Language::Chinese,
            Self::En => hatchery_core::workflow::Language::English,
        }
    }

    /// The page language of an account's setting.
    pub fn of(language: hatchery_core::workflow::Language) -> Self {
        match language {
            hatchery_core::workflow::Language::Chinese => Self::Zh,
            hatchery_core::workflow::Language::English => Self::En,
        }
    }

    /// The report's language of the same name (region names, tier names).
    pub fn report(self) -> hatchery_report::Lang {
        match self {
            Self::Zh => hatchery_report::Lang::Zh,
            Self::En => hatchery_report::Lang::En,
        }
    }

    /// The catalog's files: the general one, then one per area that has
    /// its own (under `locales/<tag>/`).
    fn sources(self) -> &'static [&'static str] {
        match self {
            Self::Zh => &[
                include_str!("../locales/zh-CN.toml"),
                include_str!("../locales/zh-CN/stewards.toml"),
                include_str!("../locales/zh-CN/catalogue.toml"),
                include_str!("../locales/zh-CN/policies.toml"),
                include_str!("../locales/zh-CN/targets.toml"),
                include_str!("../locales/zh-CN/profile.toml"),
            ],
            Self::En => &[
                include_str!("../locales/en.toml"),
                include_str!("../locales/en/stewards.toml"),
                include_str!("../locales/en/catalogue.toml"),
                include_str!("../locales/en/policies.toml"),
                include_str!("../locales/en/targets.toml"),
                include_str!("../locales/en/profile.toml"),
            ],
        }
    }
}

/// One language's messages by dotted key (`nav.dashboard`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    messages: BTreeMap<String, String>,
}

/// Why a catalog could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the {lang} catalog is not valid TOML: {message}")]
    Toml { lang: &'static str, message: String },
    #[error("the {lang} catalog's entry {key} is not text")]
    NotText { lang: &'static str, key: String },
    #[error("the {lang} catalog defines {key} twice")]
    Duplicate { lang: &'static str, key: String },
}

impl Catalog {
    /// Reads a catalog: tables nest, leaves are strings.
    pub fn parse(lang: &'static str, text: &str) -> Result<Self, CatalogError> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e: toml::de::Error| CatalogError::Toml {
                lang,
                message: e.to_string(),
            })?;
        let mut messages = BTreeMap::new();
        flatten(lang, "", &table, &mut messages)?;
        Ok(Self { messages })
    }

    /// Reads a catalog kept in several files, merged; a key in two files
    /// is an error (one would silently hide the other).
    pub fn parse_all(lang: &'static str, texts: &[&str]) -> Result<Self, CatalogError> {
        let mut merged = Self::default();
        for text in texts {
            for (key, message) in Self::parse(lang, text)?.messages {
                if merged.messages.contains_key(&key) {
                    return Err(CatalogError::Duplicate { lang, key });
                }
                merged.messages.insert(key, message);
            }
        }
        Ok(merged)
    }

    /// The message under `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.messages.get(key).map(String::as_str)
    }

    /// Every key, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }

    /// The message under `key` with each `{name}` replaced by its value; the
    /// key itself when the catalog lacks it (which the key test prevents).
    pub fn format(&self, key: &str, arguments: &[(&str, String)]) -> String {
        let Some(message) = self.get(key) else {
            return key.to_owned();
        };
        let mut text = message.to_owned();
        for (name, value) in arguments {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

fn flatten(
    lang: &'static str,
    prefix: &str,
    table: &toml::Table,
    into: &mut BTreeMap<String, String>,
) -> Result<(), CatalogError> {
    for (key, value) in table {
        let key = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::String(text) => {
                into.insert(key, text.clone());
            }
            toml::Value::Table(inner) => flatten(lang, &key, inner, into)?,
            _ => return Err(CatalogError::NotText { lang, key }),
        }
    }
    Ok(())
}

/// The shipped catalog of `lang` (read once).
pub fn catalog(lang: Lang) -> &'static Catalog {
    static ZH: OnceLock<Catalog> = OnceLock::new();
    static EN: OnceLock<Catalog> = OnceLock::new();
    let cell = match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    };
    cell.get_or_init(|| match Catalog::parse_all(lang.tag(), lang.sources()) {
        Ok(catalog) => catalog,
        Err(error) => {
            // The catalogs are compiled in and tested: this is a build defect.
            tracing::error!(%error, "a message catalog cannot be read");
            Catalog::default()
        }
    })
}

/// Every shipped catalog, parsed, or the first error.
pub fn check_catalogs() -> Result<(), CatalogError> {
    for lang in Lang::ALL {
        Catalog::parse_all(lang.tag(), lang.sources())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_have_the_same_keys() {
        check_catalogs().unwrap();
        let zh: Vec<&str> = catalog(Lang::Zh).keys().collect();
        let en: Vec<&str> = catalog(Lang::En).keys().collect();
        let only_zh: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "only in zh-CN: {only_zh:?}; only in en: {only_en:?}"
        );
        assert!(zh.len() > 50, "the catalogs hold the pages' text");
    }

    #[test]
    fn every_message_is_written_in_both_languages() {
        for key in catalog(Lang::Zh).keys() {
            let zh = catalog(Lang::Zh).get(key).unwrap();
            let en = catalog(Lang::En).get(key).unwrap();
            assert!(
                !zh.trim().is_empty() && !en.trim().is_empty(),
                "{key} is empty"
            );
        }
    }

    #[test]
    fn a_difference_in_keys_is_found() {
        let a = Catalog::parse("a", "[nav]\nx = \"1\"\ny = \"2\"").unwrap();
        let b = Catalog::parse("b", "[nav]\nx = \"1\"").unwrap();
        assert_ne!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
        assert!(Catalog::parse("c", "x = 1").is_err());
    }

    #[test]
    fn a_key_in_two_files_is_refused() {
        let merged = Catalog::parse_all("m", &["[a]\nx = \"1\"", "[b]\nx = \"2\""]).unwrap();
        assert_eq!(merged.get("b.x"), Some("2"));
        assert!(matches!(
            Catalog::parse_all("m", &["[a]\nx = \"1\"", "[a]\nx = \"2\""]),
            Err(CatalogError::Duplicate { key, .. }) if key == "a.x"
        ));
    }

    #[test]
    fn arguments_are_filled_in() {
        let c = Catalog::parse("c", "n = \"共 {count} 家\"").unwrap();
        assert_eq!(c.format("n", &[("count", "12".into())]), "共 12 家");
        assert_eq!(c.format("missing", &[]), "missing");
    }

    #[test]
    fn tags_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.tag()), Some(lang));
        }
        assert_eq!(Lang::parse("fr"), None);
    }
}
