//! Passwords: Argon2id hashes in PHC strings, computed off the async
//! threads and a bounded number at a time, and the policy a new password
//! must meet.
//!
//! Each hash takes Argon2's memory (19 MiB by default), so unbounded
//! concurrent sign-ins would take the server's memory with them: a
//! semaphore sized to the CPU cores lets that many hash at once, and a
//! request that waits longer than `auth.hash_wait_ms` for a slot is
//! answered 503 with `Retry-After` ([`PasswordError::Busy`]).

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use serde::Deserialize;

/// Shortest and longest password accepted.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 12..=128;

/// Passwords too common to accept, lower case, one a line.
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Why a password cannot be set, or checked now.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("a password has 12 to 128 characters")]
    Length,
    #[error("a password must hold more than spaces")]
    Blank,
    #[error("a password must not contain the username")]
    HasUsername,
    #[error("that password is one of the most common ones; choose another")]
    Common,
    #[error("too many passwords are being checked; try again in {retry_after} s")]
    Busy { retry_after: u64 },
    #[error("the Argon2 parameters are invalid: {0}")]
    Parameters(String),
    #[error("hashing failed: {0}")]
    Hashing(String),
}

/// Argon2id cost parameters (OWASP's minimum by default).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Argon2Settings {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Settings {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl PasswordError {
    /// Whether the password itself was refused (rather than the server
    /// failing or being busy).
    pub fn is_policy(&self) -> bool {
        matches!(
            self,
            Self::Length | Self::Blank | Self::HasUsername | Self::Common
        )
    }
}

/// Checks a new password against the policy: 12 to 128 characters, not
/// only white space, not containing the username, not a common password.
pub fn check_policy(password: &str, username: Option<&str>) -> Result<(), PasswordError> {
    if !PASSWORD_CHARS.contains(&password.chars().count()) {
        return Err(PasswordError::Length);
    }
    if password.trim().is_empty() {
        return Err(PasswordError::Blank);
    }
    let folded = password.to_lowercase();
    if let Some(username) = username
        && folded.contains(&username.to_lowercase())
    {
        return Err(PasswordError::HasUsername);
    }
    if COMMON.contains(folded.trim()) {
        return Err(PasswordError::Common);
    }
    Ok(())
}

/// Counters of the hashing done, for tests and monitoring.
#[derive(Debug, Default)]
pub struct HashStats {
    running: AtomicUsize,
    peak: AtomicUsize,
    verifications: AtomicU64,
}

impl HashStats {
    /// The most hashes that ran at once.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// Password checks made (a decoy check for an unknown username included).
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::SeqCst)
    }

    fn start(&self) -> Running<'_> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        Running(self)
    }
}

/// One hash running; counted down when dropped.
struct Running<'a>(&'a HashStats);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A slot to hash in; another waiter gets it when this is dropped.
#[derive(Debug)]
pub struct HashSlot(#[allow(dead_code, reason = "held, not read")] OwnedSemaphorePermit);

/// Hashes and checks passwords with one set of Argon2id parameters.
#[derive(Debug, Clone)]
pub struct Passwords {
    params: Params,
    /// A hash of a password no one has, checked when the username is
    /// unknown so that the answer takes as long as for a known one.
    decoy: String,
    slots: Arc<Semaphore>,
    wait: Duration,
    stats: Arc<HashStats>,
}

impl Passwords {
    /// Prepares hashing with these parameters, one hash per CPU core at a
    /// time, waiting up to five seconds for a slot.
    pub fn new(settings: Argon2Settings) -> Result<Self, PasswordError> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(|e| PasswordError::Parameters(e.to_string()))?;
        let mut passwords = Self {
            params,
            decoy: String::new(),
            slots: Arc::new(Semaphore::new(cores())),
            wait: Duration::from_secs(5),
            stats: Arc::new(HashStats::default()),
        };
        passwords.decoy = passwords.hash_unchecked("no account has this password")?;
        Ok(passwords)
    }

    /// At most `slots` hashes at once (0: one per CPU core), waiting at
    /// most `wait` for a slot.
    pub fn with_limits(mut self, slots: usize, wait: Duration) -> Self {
        let slots = if slots == 0 { cores() } else { slots };
        self.slots = Arc::new(Semaphore::new(slots));
        self.wait = wait;
        self
    }

    /// The counters of hashing done.
    pub fn stats(&self) -> &HashStats {
        &self.stats
    }

    /// Waits for a slot to hash in, at most the configured time.
    pub async fn slot(&self) -> Result<HashSlot, PasswordError> {
        let busy = || PasswordError::Busy {
            retry_after: self.wait.as_secs().max(1),
        };
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(HashSlot(permit)),
            // Never closed; a closed semaphore would mean no slot ever.
            Ok(Err(_)) | Err(_) => Err(busy()),
        }
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    fn hash_unchecked(&self, password: &str) -> Result<String, PasswordError> {
        let _running = self.stats.start();
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt =
            SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hashing(e.to_string()))?;
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| PasswordError::Hashing(e.to_string()))
    }

    /// Checks the policy (without a username) and hashes. CPU-heavy: call
    /// from a blocking thread.
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        check_policy(password, None)?;
        self.hash_unchecked(password)
    }

    /// Whether `password` matches `phc` (or, for `None`, spends the same time
    /// and answers no). CPU-heavy: call from a blocking thread.
    pub fn verify(&self, password: &str, phc: Option<&str>) -> bool {
        let _running = self.stats.start();
        self.stats.verifications.fetch_add(1, Ordering::SeqCst);
        let target = phc.unwrap_or(&self.decoy);
        let Ok(parsed) = PasswordHash::new(target) else {
            return false;
        };
        // Parameters come from the stored hash, so changing the configured
        // cost does not lock anyone out.
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        matches && phc.is_some()
    }

    /// Checks the policy for `username`'s new password, then hashes it in a
    /// slot on a blocking thread.
    pub async fn hash_async(
        &self,
        password: String,
        username: &str,
    ) -> Result<String, PasswordError> {
        check_policy(&password, Some(username))?;
        let slot = self.slot().await?;
        let this = self.clone();
        let hashed = tokio::task::spawn_blocking(move || this.hash_unchecked(&password))
            .await
            .map_err(|e| PasswordError::Hashing(e.to_string()))?;
        drop(slot);
        hashed
    }

    /// [`Passwords::verify`] in a slot on a blocking thread; `Busy` when no
    /// slot came free in time.
    pub async fn verify_async(
        &self,
        password: String,
        phc: Option<String>,
    ) -> Result<bool, PasswordError> {
        let slot = self.slot().await?;
        let this = self.clone();
        let verified = tokio::task::spawn_blocking(move || this.verify(&password, phc.as_deref()))
            .await
            .unwrap_or(false);
        drop(slot);
        Ok(verified)
    }
}

/// The CPU cores available (1 when unknown).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Passwords {
        Passwords::new(Argon2Settings {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap()
    }

    #[test]
    fn hashes_verify_and_differ() {
        let passwords = cheap();
        let a = passwords.hash("correct horse battery").unwrap();
        let b = passwords.hash("correct horse battery").unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(passwords.verify("correct horse battery", Some(&a)));
        assert!(!passwords.verify("wrong horse battery", Some(&a)));
        assert!(!passwords.verify("correct horse battery", None));
        assert!(!passwords.verify("x", Some("not a hash")));
    }

    #[test]
    fn the_policy_refuses_short_blank_personal_and_common_passwords() {
        let refused = |password: &str| check_policy(password, Some("zhang.wei")).unwrap_err();
        assert!(matches!(refused("short"), PasswordError::Length));
        assert!(matches!(refused(&"x".repeat(129)), PasswordError::Length));
        assert!(matches!(refused("            "), PasswordError::Blank));
        assert!(matches!(refused("\t\n          "), PasswordError::Blank));
        assert!(matches!(refused("zhang.wei"), PasswordError::Length));
        assert!(matches!(
            refused("Zhang.Wei-2025!"),
            PasswordError::HasUsername
        ));
        assert!(matches!(refused("password1234"), PasswordError::Common));
        assert!(matches!(refused("QWERTYUIOPASDFGH"), PasswordError::Common));
        check_policy("a long and unusual phrase", Some("zhang.wei")).unwrap();
        assert!(COMMON.len() >= 1000, "{}", COMMON.len());
    }

    #[tokio::test]
    async fn hashing_waits_for_a_slot_and_gives_up_busy() {
        let passwords = cheap().with_limits(1, Duration::from_millis(50));
        let held = passwords.slot().await.unwrap();
        let busy = passwords.verify_async("x".into(), None).await.unwrap_err();
        assert!(matches!(busy, PasswordError::Busy { retry_after: 1 }));
        drop(held);
        assert!(!passwords.verify_async("x".into(), None).await.unwrap());
        assert_eq!(passwords.stats().verifications(), 1);
    }
}
