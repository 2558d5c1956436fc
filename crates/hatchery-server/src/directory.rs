//! The enterprise directory's index: every enterprise's placement, tier and
//! latest valuation for one (rule set, as-of day, today), computed once from
//! the ledger held in memory, and the orders the directory sorts by, each
//! computed the first time it is asked for. Searching filters and pages
//! over these instead of deciding every enterprise's tier on each request.
//!
//! The indexes hang off the [`LedgerView`] they were computed from, so an
//! import (which replaces the view) drops them with it. A view keeps the
//! few most recently used indexes.

use std::sync::{Arc, OnceLock};

use hatchery_core::workflow::Placement;
use hatchery_core::{Currency, RuleSet, TierIndex};
use jiff::civil::Date;
use pinyin::ToPinyin;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kept::Kept;
use crate::state::LedgerView;

/// How many indexes a ledger view keeps (each about 100 bytes an
/// enterprise, orders included).
const KEPT: usize = 4;

/// What the directory sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// The Chinese name, in pinyin order (other characters as they are).
    Name,
    /// The effective region's division code.
    Region,
    /// The founding date.
    Founded,
    /// The latest valuation as of the day, in US dollars.
    Valuation,
    /// The tier, in the rule set's order (the highest first).
    Tier,
}

impl SortKey {
    /// Every key, in the order of [`DirectoryIndex`]'s slots.
    pub const ALL: [SortKey; 5] = [
        Self::Name,
        Self::Region,
        Self::Founded,
        Self::Valuation,
        Self::Tier,
    ];

    /// The key as the query writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Region => "region",
            Self::Founded => "founded",
            Self::Valuation => "valuation",
            Self::Tier => "tier",
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

impl SortOrder {
    /// The order as the query writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

/// Ledger positions in one key's ascending order: those with a value first
/// (ties in ledger order, i.e. by id), then those without, by id.
#[derive(Debug)]
pub struct Order {
    positions: Vec<u32>,
    /// How many of `positions` have a value.
    known: usize,
}

impl Order {
    /// The positions in `order`; descending reverses those with a value,
    /// and those without stay last either way.
    pub fn iter(&self, order: SortOrder) -> Box<dyn Iterator<Item = usize> + '_> {
        let (known, unknown) = self.positions.split_at(self.known);
        let unknown = unknown.iter().map(|&p| p as usize);
        match order {
            SortOrder::Asc => Box::new(known.iter().map(|&p| p as usize).chain(unknown)),
            SortOrder::Desc => Box::new(known.iter().rev().map(|&p| p as usize).chain(unknown)),
        }
    }

    /// Sorts positions by a key, stably (ties keep ledger order).
    fn by<K: Ord>(len: usize, key: impl Fn(usize) -> Option<K>) -> Self {
        let mut keyed: Vec<(K, u32)> = Vec::with_capacity(len);
        let mut unknown = Vec::new();
        for position in 0..len {
            let at = u32::try_from(position).unwrap_or(u32::MAX);
            match key(position) {
                Some(k) => keyed.push((k, at)),
                None => unknown.push(at),
            }
        }
        keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let known = keyed.len();
        let mut positions: Vec<u32> = keyed.into_iter().map(|(_, p)| p).collect();
        positions.extend(unknown);
        Self { positions, known }
    }
}

/// Which index: the rule set (by key and version) and the two days.
#[derive(Debug, Clone, PartialEq, Eq)]
struct IndexKey {
    rules: String,
    version: String,
    as_of: Date,
    today: Date,
}

/// Every enterprise of a ledger view as the directory filters and sorts it.
#[derive(Debug)]
pub struct DirectoryIndex {
    /// Where each enterprise sits today (jurisdictions and region filters),
    /// shared by every index of the view for that day.
    pub placements: Arc<Vec<Placement>>,
    /// Each enterprise's tier as of the day.
    pub tiers: Vec<Option<TierIndex>>,
    /// Each enterprise's latest valuation as of the day, in US dollars.
    pub valuations: Vec<Option<Decimal>>,
    /// The orders by [`SortKey`], each computed when first asked for.
    orders: [OnceLock<Order>; 5],
}

impl DirectoryIndex {
    /// Computes the index: the tiers on all cores, as a report does.
    fn build(view: &LedgerView, rules: &RuleSet, as_of: Date, today: Date) -> Self {
        let ledger = &view.ledger;
        let len = ledger.len();
        // Shared with the tracking report on the same day.
        let classified = view.classification(rules, &[as_of]);
        let tiers = (0..len).map(|p| classified.tier(p, 0)).collect();
        let valuations = (0..len)
            .map(|position| ledger.as_of(position, as_of).valuation_in(Currency::USD))
            .collect();
        Self {
            placements: view.placements(today),
            tiers,
            valuations,
            orders: Default::default(),
        }
    }

    /// The positions sorted by `key` (computed on first use).
    pub fn order(&self, view: &LedgerView, key: SortKey) -> &Order {
        self.orders[key.slot()].get_or_init(|| {
            let len = self.placements.len();
            match key {
                SortKey::Name => Order::by(len, |p| {
                    Some(
                        view.names(p)
                            .map(|n| sort_text(&n.name))
                            .unwrap_or_default(),
                    )
                }),
                SortKey::Region => Order::by(len, |p| {
                    let at = &self.placements[p];
                    at.district.or(at.city).or(at.province)
                }),
                SortKey::Founded => Order::by(len, |p| Some(view.ledger.enterprises()[p].founded)),
                SortKey::Valuation => Order::by(len, |p| self.valuations[p]),
                SortKey::Tier => Order::by(len, |p| self.tiers[p].map(|t| t.0)),
            }
        })
    }
}

/// A name's sort text: each Chinese character as its pinyin (then the
/// character, so that homophones keep an order), the rest lower-cased.
fn sort_text(name: &str) -> (String, String) {
    let mut key = String::with_capacity(name.len() * 2);
    for c in name.chars() {
        match c.to_pinyin() {
            Some(p) => {
                key.push_str(p.plain());
                key.push(' ');
            }
            None => key.extend(c.to_lowercase()),
        }
    }
    (key, name.to_owned())
}

/// The indexes of one ledger view, the most recently used kept.
#[derive(Debug, Default)]
pub struct DirectoryCache {
    kept: Kept<IndexKey, DirectoryIndex, KEPT>,
}

impl DirectoryCache {
    /// The index for `rules` on `as_of` (placements as of `today`), computed
    /// by the first caller while the others asking for it wait.
    pub fn get(
        &self,
        view: &LedgerView,
        rules: &RuleSet,
        as_of: Date,
        today: Date,
    ) -> Arc<DirectoryIndex> {
        let key = IndexKey {
            rules: rules.key.clone(),
            version: rules.version.clone(),
            as_of,
            today,
        };
        self.kept
            .get_or_build(key, || DirectoryIndex::build(view, rules, as_of, today))
    }

    /// The index for `rules` on `as_of` if it has been built.
    pub fn built(&self, rules: &RuleSet, as_of: Date, today: Date) -> Option<Arc<DirectoryIndex>> {
        self.kept.built(&IndexKey {
            rules: rules.key.clone(),
            version: rules.version.clone(),
            as_of,
            today,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descending_keeps_the_unknown_last() {
        let values = [Some(3), None, Some(1), Some(3), None];
        let order = Order::by(values.len(), |p| values[p]);
        assert_eq!(
            order.iter(SortOrder::Asc).collect::<Vec<_>>(),
            [2, 0, 3, 1, 4]
        );
        assert_eq!(
            order.iter(SortOrder::Desc).collect::<Vec<_>>(),
            [3, 0, 2, 1, 4]
        );
    }

    #[test]
    fn chinese_names_sort_by_pinyin() {
        let mut names = vec!["字节跳动", "阿里巴巴", "Bilibili", "蚂蚁集团"];
        names.sort_by_cached_key(|n| sort_text(n));
        assert_eq!(names, ["阿里巴巴", "Bilibili", "蚂蚁集团", "字节跳动"]);
    }
}
