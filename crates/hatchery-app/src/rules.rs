//! The rule book: the built-in rule sets and those administrators added,
//! found by key and version.

use std::sync::{Arc, RwLock};

use hatchery_core::criteria::{RuleSet, builtin_names, builtin_source};
use hatchery_store::workflow::{StoredRuleSet, WorkflowError, WorkflowStore};

/// A rule set and where it came from.
#[derive(Debug, Clone)]
pub struct RuleEntry {
    pub rules: Arc<RuleSet>,
    /// `None` for a built-in rule set.
    pub stored: Option<StoredRuleSet>,
    pub source: String,
}

/// The built-in rule sets and those administrators added.
#[derive(Debug)]
pub struct RuleBook {
    entries: RwLock<Vec<RuleEntry>>,
}

impl RuleBook {
    /// The built-in rule sets and those stored in `db`.
    pub async fn load(db: &dyn WorkflowStore) -> Result<Self, WorkflowError> {
        let book = Self::new();
        book.refresh(db).await?;
        Ok(book)
    }

    fn new() -> Self {
        let entries = builtin_names()
            .into_iter()
            .filter_map(|name| {
                let source = builtin_source(name)?;
                let rules = RuleSet::from_toml(source).ok()?;
                Some(RuleEntry {
                    rules: Arc::new(rules),
                    stored: None,
                    source: source.to_owned(),
                })
            })
            .collect();
        Self {
            entries: RwLock::new(entries),
        }
    }

    /// Reads the added rule sets again.
    pub async fn refresh(&self, db: &dyn WorkflowStore) -> Result<(), WorkflowError> {
        let stored = db.rule_sets().await?;
        let mut added = Vec::with_capacity(stored.len());
        for entry in stored {
            match RuleSet::from_toml(&entry.source) {
                Ok(rules) => added.push(RuleEntry {
                    rules: Arc::new(rules),
                    source: entry.source.clone(),
                    stored: Some(entry),
                }),
                Err(error) => {
                    tracing::error!(key = %entry.key, version = %entry.version, %error, "a stored rule set no longer parses");
                }
            }
        }
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.retain(|e| e.stored.is_none());
        entries.extend(added);
        Ok(())
    }

    /// Every rule set: built-in first, then added ones by key and version.
    pub fn all(&self) -> Vec<RuleEntry> {
        self.entries
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The rule set `key` at `version`, or without a version the built-in one
    /// (else the latest added).
    pub fn find(&self, key: &str, version: Option<&str>) -> Option<RuleEntry> {
        let entries = self
            .entries
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut matching = entries.iter().filter(|e| e.rules.key == key);
        match version {
            Some(version) => matching.find(|e| e.rules.version == version).cloned(),
            None => {
                let all: Vec<_> = matching.collect();
                all.iter()
                    .find(|e| e.stored.is_none())
                    .or_else(|| all.last())
                    .map(|e| (*e).clone())
            }
        }
    }

    /// [`RuleBook::find`], reading added rule sets again on a miss (another
    /// server may have added it).
    pub async fn resolve(
        &self,
        db: &dyn WorkflowStore,
        key: &str,
        version: Option<&str>,
    ) -> Result<Option<RuleEntry>, WorkflowError> {
        if let Some(found) = self.find(key, version) {
            return Ok(Some(found));
        }
        self.refresh(db).await?;
        Ok(self.find(key, version))
    }
}
