//! The conditions a rule set can state, and how each is checked and explained.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::decision::Check;
use super::facts::{AsOf, Standing, TierStanding, ValuationFact};
use crate::date::{PartialDate, format_date};
use crate::ids::{Country, Exchange};
use crate::money::{Currency, Money, group_thousands};

/// An amount of money a condition compares with, written `"1000000000 USD"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Threshold(pub Money);

impl FromStr for Threshold {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let (amount, currency) = text.trim().split_once(' ').ok_or_else(|| {
            format!("'{text}': write a threshold as '<amount> <currency>', e.g. '1000000000 USD'")
        })?;
        let amount = Decimal::from_str_exact(amount.trim())
            .map_err(|_| format!("'{amount}' is not a decimal amount"))?;
        if amount.is_sign_negative() {
            return Err(format!("threshold '{text}' is negative"));
        }
        let currency = Currency::parse(currency.trim()).map_err(|e| e.to_string())?;
        Ok(Self(Money::new(amount, currency)))
    }
}

impl TryFrom<String> for Threshold {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        value.parse()
    }
}

impl From<Threshold> for String {
    fn from(value: Threshold) -> Self {
        format!("{} {}", value.0.amount, value.0.currency)
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A `tier` condition's argument: the enterprise's tier under another rule
/// set, e.g. `{ tier = { rules = "gei", in = ["unicorn", "super_unicorn"] } }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierCondition {
    /// The other rule set's key.
    pub rules: String,
    /// The tiers (keys) that satisfy the condition.
    #[serde(rename = "in")]
    pub tiers: Vec<String>,
}

/// One condition of a rule set. In TOML each is a one-key inline table,
/// e.g. `{ age_within_years = 10 }` or `{ valuation_at_least = "1000000000 USD" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// Founded on or before the day (`true`), or not yet (`false`).
    Exists(bool),
    /// The enterprise's country is one of these.
    Country(Vec<Country>),
    /// The day is on or before the N-th anniversary of founding.
    AgeWithinYears(i16),
    /// Founded on or after this date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    FoundedFrom(PartialDate),
    /// At least one funding round on or before the day.
    Funded(bool),
    /// Listed on an exchange other than the rule set's `unlisted_exchanges`.
    Listed(bool),
    /// Listed on one of these exchanges.
    ListedOn(Vec<Exchange>),
    /// Acquired or closed.
    Gone(bool),
    /// The latest valuation is at least this much.
    ValuationAtLeast(Threshold),
    /// The latest valuation is known and below this much.
    ValuationBelow(Threshold),
    /// The money raised so far is at least this much.
    RaisedAtLeast(Threshold),
    /// The effective region's code starts with one of these prefixes.
    RegionPrefix(Vec<String>),
    /// The enterprise is in one of these industries.
    Industry(Vec<String>),
    /// The enterprise carries one of these tags.
    Tag(Vec<String>),
    /// Its tier under another rule set on the day is one of these (read
    /// from the [`Standing`](super::facts::Standing) the caller gives).
    Tier(TierCondition),
    /// A member of the national cultivation pool on the day (`true`), or not.
    InPool(bool),
    /// It lies in one of these national zones (zone ids).
    Zone(Vec<String>),
}

fn show_money(value: Decimal, currency: Currency) -> String {
    format!("{} {currency}", group_thousands(value.round_dp(2)))
}

fn show_list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Condition {
    /// A short machine name for the kind of condition.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Exists(_) => "exists",
            Self::Country(_) => "country",
            Self::AgeWithinYears(_) => "age_within_years",
            Self::FoundedFrom(_) => "founded_from",
            Self::Funded(_) => "funded",
            Self::Listed(_) => "listed",
            Self::ListedOn(_) => "listed_on",
            Self::Gone(_) => "gone",
            Self::ValuationAtLeast(_) => "valuation_at_least",
            Self::ValuationBelow(_) => "valuation_below",
            Self::RaisedAtLeast(_) => "raised_at_least",
            Self::RegionPrefix(_) => "region_prefix",
            Self::Industry(_) => "industry",
            Self::Tag(_) => "tag",
            Self::Tier(_) => "tier",
            Self::InPool(_) => "in_pool",
            Self::Zone(_) => "zone",
        }
    }

    /// Whether the condition holds. `unlisted` are the exchanges whose
    /// listings do not count as listed.
    pub fn holds(&self, facts: &AsOf<'_>, unlisted: &[Exchange]) -> bool {
        let at_least = |o: Option<Ordering>| o.is_some_and(Ordering::is_ge);
        match self {
            Self::Exists(want) => facts.exists() == *want,
            Self::Country(countries) => countries.contains(&facts.subject.country),
            Self::AgeWithinYears(years) => facts.age_within(*years),
            Self::FoundedFrom(from) => facts.subject.founded >= from.first_day(),
            Self::Funded(want) => facts.funded() == *want,
            Self::Listed(want) => facts.listing(unlisted).is_some() == *want,
            Self::ListedOn(exchanges) => facts.listing_on(exchanges).is_some(),
            Self::Gone(want) => facts.gone().is_some() == *want,
            Self::ValuationAtLeast(t) => at_least(facts.compare_valuation(t.0)),
            Self::ValuationBelow(t) => facts.compare_valuation(t.0) == Some(Ordering::Less),
            Self::RaisedAtLeast(t) => at_least(facts.compare_raised(t.0)),
            Self::RegionPrefix(prefixes) => facts
                .region()
                .is_some_and(|r| prefixes.iter().any(|p| r.has_prefix(p))),
            Self::Industry(keys) => facts.subject.industries.iter().any(|i| keys.contains(i)),
            Self::Tag(keys) => facts.subject.tags.iter().any(|t| keys.contains(t)),
            Self::Tier(wanted) => facts
                .standing()
                .and_then(|s| s.tier_under(&wanted.rules))
                .and_then(|t| t.tier.as_ref())
                .is_some_and(|tier| wanted.tiers.contains(tier)),
            Self::InPool(want) => facts.standing().is_some_and(|s| s.pool.is_some() == *want),
            Self::Zone(zones) => facts
                .standing()
                .and_then(|s| s.zone.as_ref())
                .is_some_and(|zone| zones.contains(zone)),
        }
    }

    /// The check with what was required and what was found, for people, in
    /// English and in Chinese (the engine says both, so that every
    /// interface shows the same reasons in either language).
    pub fn explain(&self, facts: &AsOf<'_>, unlisted: &[Exchange]) -> Check {
        let passed = self.holds(facts, unlisted);
        let (requirement, found) = self.describe(facts, unlisted);
        Check {
            condition: self.key().to_owned(),
            requirement: requirement.en,
            found: found.en,
            requirement_zh: requirement.zh,
            found_zh: found.zh,
            passed,
        }
    }

    fn describe(&self, facts: &AsOf<'_>, unlisted: &[Exchange]) -> (Said, Said) {
        let day = facts.date;
        let founded = facts.subject.founded;
        match self {
            Self::Exists(want) => (
                if *want {
                    Said::new(
                        format!("founded on or before {}", format_date(day)),
                        format!("{}或之前成立", date_zh(day)),
                    )
                } else {
                    Said::new(
                        format!("not yet founded on {}", format_date(day)),
                        format!("{}尚未成立", date_zh(day)),
                    )
                },
                founded_on(founded),
            ),
            Self::Country(countries) => (
                Said::new(
                    format!("country in {}", show_list(countries)),
                    format!("国别为 {}", show_list(countries)),
                ),
                Said::same(facts.subject.country.to_string()),
            ),
            Self::AgeWithinYears(years) => {
                let anniversary = crate::date::anniversary(founded, *years);
                (
                    Said::new(
                        format!(
                            "age within {years} years (on or before the {years}th anniversary)"
                        ),
                        format!("成立不超过 {years} 年（不晚于成立 {years} 周年当日）"),
                    ),
                    Said::new(
                        format!(
                            "founded {}, {years}th anniversary {}",
                            format_date(founded),
                            format_date(anniversary)
                        ),
                        format!(
                            "{}成立，{years} 周年为{}",
                            date_zh(founded),
                            date_zh(anniversary)
                        ),
                    ),
                )
            }
            Self::FoundedFrom(from) => (
                Said::new(
                    format!("founded on or after {}", format_date(from.first_day())),
                    format!("{}或之后成立", date_zh(from.first_day())),
                ),
                founded_on(founded),
            ),
            Self::Funded(want) => {
                let rounds = facts
                    .events()
                    .iter()
                    .filter(|e| e.kind == crate::model::EventKind::Funding)
                    .count();
                (
                    if *want {
                        Said::new("at least one funding round", "至少一轮融资")
                    } else {
                        Said::new("no funding round", "没有融资")
                    },
                    Said::new(
                        format!("{rounds} funding round(s)"),
                        format!("{rounds} 轮融资"),
                    ),
                )
            }
            Self::Listed(want) => (
                {
                    let state = if *want {
                        Said::new("listed", "已上市")
                    } else {
                        Said::new("not listed", "未上市")
                    };
                    if unlisted.is_empty() {
                        state
                    } else {
                        let exchanges = show_list(unlisted);
                        Said::new(
                            format!("{} (listings on {exchanges} do not count)", state.en),
                            format!("{}（在 {exchanges} 挂牌不计）", state.zh),
                        )
                    }
                },
                describe_listing(facts.listing(unlisted), facts, unlisted),
            ),
            Self::ListedOn(exchanges) => (
                Said::new(
                    format!("listed on {}", show_list(exchanges)),
                    format!("在 {} 上市", show_list(exchanges)),
                ),
                describe_listing(facts.listing_on(exchanges), facts, &[]),
            ),
            Self::Gone(want) => (
                if *want {
                    Said::new("acquired or closed", "已被收购或注销")
                } else {
                    Said::new("neither acquired nor closed", "未被收购或注销")
                },
                match facts.gone() {
                    Some(e) => {
                        let what_zh = match e.kind {
                            crate::model::EventKind::Acquired => "被收购",
                            _ => "注销",
                        };
                        Said::new(
                            format!("{} on {}", e.kind, format_date(e.date)),
                            format!("{}{what_zh}", date_zh(e.date)),
                        )
                    }
                    None => Said::new("neither acquired nor closed", "未被收购或注销"),
                },
            ),
            Self::ValuationAtLeast(t) | Self::ValuationBelow(t) => {
                let op = if matches!(self, Self::ValuationAtLeast(_)) {
                    "≥"
                } else {
                    "<"
                };
                (
                    Said::new(format!("valuation {op} {t}"), format!("估值 {op} {t}")),
                    describe_valuation(facts, t.0.currency),
                )
            }
            Self::RaisedAtLeast(t) => (
                Said::new(format!("raised ≥ {t}"), format!("累计融资 ≥ {t}")),
                match facts.raised_in(t.0.currency) {
                    Some(v) => {
                        let raised = show_money(v, t.0.currency);
                        Said::new(format!("raised {raised}"), format!("累计融资 {raised}"))
                    }
                    None => Said::new(
                        format!(
                            "unknown: a round's amount cannot be converted into {}",
                            t.0.currency
                        ),
                        format!("未知：有一轮融资金额无法换算为 {}", t.0.currency),
                    ),
                },
            ),
            Self::RegionPrefix(prefixes) => (
                Said::new(
                    format!("registered in {}", show_list(prefixes)),
                    format!("注册地属于 {}", show_list(prefixes)),
                ),
                match facts.region() {
                    Some(r) => Said::same(format!("{r} {}", r.display_name())),
                    None => Said::new("no region", "无注册地"),
                },
            ),
            Self::Industry(keys) => (
                Said::new(
                    format!("industry in {}", show_list(keys)),
                    format!("行业属于 {}", show_list(keys)),
                ),
                Said::same(show_list(facts.subject.industries)),
            ),
            Self::Tag(keys) => (
                Said::new(
                    format!("tag in {}", show_list(keys)),
                    format!("标签属于 {}", show_list(keys)),
                ),
                Said::same(show_list(facts.subject.tags)),
            ),
            Self::Tier(wanted) => (
                Said::new(
                    format!(
                        "tier under {} in {}",
                        wanted.rules,
                        show_list(&wanted.tiers)
                    ),
                    format!("{} 下的层级属于 {}", wanted.rules, show_list(&wanted.tiers)),
                ),
                match facts.standing().and_then(|s| s.tier_under(&wanted.rules)) {
                    Some(TierStanding {
                        label,
                        tier: Some(tier),
                        ..
                    }) => Said::new(
                        format!("{tier} under {label}"),
                        format!("{label} 下为 {tier}"),
                    ),
                    Some(TierStanding {
                        label, tier: None, ..
                    }) => Said::new(
                        format!("no tier under {label}"),
                        format!("{label} 下不属任何层级"),
                    ),
                    None => Said::new(
                        format!("unknown: the tier under {} was not given", wanted.rules),
                        format!("未知：未提供 {} 下的层级", wanted.rules),
                    ),
                },
            ),
            Self::InPool(want) => (
                if *want {
                    Said::new(
                        format!(
                            "a member of the national cultivation pool on {}",
                            format_date(day)
                        ),
                        format!("{}在国家培育库中", date_zh(day)),
                    )
                } else {
                    Said::new(
                        format!(
                            "not a member of the national cultivation pool on {}",
                            format_date(day)
                        ),
                        format!("{}不在国家培育库中", date_zh(day)),
                    )
                },
                match facts.standing() {
                    Some(Standing {
                        pool: Some(member), ..
                    }) => Said::new(
                        format!(
                            "member as {}, valid until {}",
                            member.tier,
                            format_date(member.valid_until)
                        ),
                        format!(
                            "在库（{}），有效期至{}",
                            member.tier,
                            date_zh(member.valid_until)
                        ),
                    ),
                    Some(_) => Said::new("not a member", "不在库中"),
                    None => Said::new(
                        "unknown: pool membership was not given",
                        "未知：未提供入库情况",
                    ),
                },
            ),
            Self::Zone(zones) => (
                Said::new(
                    format!("in national zone {}", show_list(zones)),
                    format!("位于国家级园区 {}", show_list(zones)),
                ),
                match facts.standing() {
                    Some(Standing {
                        zone: Some(zone), ..
                    }) => Said::same(zone.clone()),
                    Some(_) => Said::new("in no national zone", "不在国家级园区"),
                    None => Said::new("unknown: the zone was not given", "未知：未提供所在园区"),
                },
            ),
        }
    }

    /// Currencies this condition converts into.
    pub fn currency(&self) -> Option<Currency> {
        match self {
            Self::ValuationAtLeast(t) | Self::ValuationBelow(t) | Self::RaisedAtLeast(t) => {
                Some(t.0.currency)
            }
            _ => None,
        }
    }
}

/// One thing said in English and in Chinese.
struct Said {
    en: String,
    zh: String,
}

impl Said {
    fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            zh: zh.into(),
        }
    }

    /// Codes, names and amounts read the same in both languages.
    fn same(text: String) -> Self {
        Self {
            zh: text.clone(),
            en: text,
        }
    }
}

/// A date as Chinese writes it: `2024年12月31日`.
fn date_zh(date: jiff::civil::Date) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

fn founded_on(founded: jiff::civil::Date) -> Said {
    Said::new(
        format!("founded {}", format_date(founded)),
        format!("{}成立", date_zh(founded)),
    )
}

fn describe_listing(
    listing: Option<&super::facts::LedgerEvent>,
    facts: &AsOf<'_>,
    ignored: &[Exchange],
) -> Said {
    if let Some(e) = listing {
        let exchange = e.exchange.map(|x| x.to_string()).unwrap_or_default();
        return Said::new(
            format!("listed on {exchange} on {}", format_date(e.date)),
            format!("{}在 {exchange} 上市", date_zh(e.date)),
        );
    }
    let ignored_listings: Vec<(String, String)> = facts
        .events()
        .iter()
        .filter(|e| e.kind == crate::model::EventKind::Listing)
        .filter(|e| e.exchange.is_some_and(|x| ignored.contains(&x)))
        .map(|e| {
            let exchange = e.exchange.map(|x| x.to_string()).unwrap_or_default();
            (
                format!("{exchange} on {} (does not count)", format_date(e.date)),
                format!("{}在 {exchange} 挂牌（不计）", date_zh(e.date)),
            )
        })
        .collect();
    if ignored_listings.is_empty() {
        Said::new("not listed", "未上市")
    } else {
        let (en, zh): (Vec<_>, Vec<_>) = ignored_listings.into_iter().unzip();
        Said::new(
            format!("not listed; {}", en.join(", ")),
            format!("未上市；{}", zh.join("，")),
        )
    }
}

fn describe_valuation(facts: &AsOf<'_>, currency: Currency) -> Said {
    match facts.valuation() {
        ValuationFact::None => Said::new("no valuation on or before this date", "截至该日没有估值"),
        ValuationFact::Unconvertible { date } => Said::new(
            format!(
                "unknown: the valuations of {} have no exchange rate",
                format_date(date)
            ),
            format!("未知：{}的估值没有汇率", date_zh(date)),
        ),
        ValuationFact::Known { date, value } => {
            let original = show_money(value.amount, value.currency);
            match facts.valuation_in(currency) {
                Some(converted) if value.currency != currency => {
                    let converted = show_money(converted, currency);
                    Said::new(
                        format!("{original} on {} = {converted}", format_date(date)),
                        format!("{original}（{}）= {converted}", date_zh(date)),
                    )
                }
                Some(_) => Said::new(
                    format!("{original} on {}", format_date(date)),
                    format!("{original}（{}）", date_zh(date)),
                ),
                None => Said::new(
                    format!(
                        "{original} on {}; no exchange rate for {currency}",
                        format_date(date)
                    ),
                    format!("{original}（{}）；没有 {currency} 汇率", date_zh(date)),
                ),
            }
        }
    }
}
