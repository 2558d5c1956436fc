//! Credentials checked a moment ago, so that a busy client's every request
//! does not ask the database who it is.
//!
//! An entry lives `auth.credential_cache_seconds` (0 turns the cache off).
//! A change made through this server — signing out, revoking a token,
//! changing or disabling an account — empties the cache at once; one made
//! through another server is seen here within that time. Expiry is checked
//! on every request whatever the cache holds.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hatchery_store::workflow::{Account, Credential, WorkflowError, WorkflowStore};

/// Entries kept at most; beyond this the cache starts afresh.
const MAX_ENTRIES: usize = 100_000;

type Entry = (Instant, Credential, Account);

/// Recently looked-up credentials by the hash of their secret.
#[derive(Debug)]
pub struct CredentialCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

impl CredentialCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The credential whose secret hashes to `secret_hash`, with its account.
    pub async fn lookup(
        &self,
        db: &dyn WorkflowStore,
        secret_hash: &str,
    ) -> Result<Option<(Credential, Account)>, WorkflowError> {
        if self.ttl.is_zero() {
            return db.credential(secret_hash).await;
        }
        if let Some((at, credential, account)) = self.lock().get(secret_hash)
            && at.elapsed() < self.ttl
        {
            return Ok(Some((credential.clone(), account.clone())));
        }
        let found = db.credential(secret_hash).await?;
        if let Some((credential, account)) = &found {
            let mut entries = self.lock();
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                secret_hash.to_owned(),
                (Instant::now(), credential.clone(), account.clone()),
            );
        }
        Ok(found)
    }

    /// Forgets everything: a credential or an account has changed.
    pub fn forget_all(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
