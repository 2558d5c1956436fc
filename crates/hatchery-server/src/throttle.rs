//! Sign-in throttling (and password-change throttling, the same way).
//!
//! - An attempt is counted **before** its password is checked, in one
//!   transaction with the check of the limit
//!   ([`WorkflowStore::login_attempt`]): of a hundred concurrent attempts at
//!   one account, only as many as the limit allows reach the password check.
//!   A success forgets its own row only, never concurrent failures.
//! - Attempts are counted per account and per client address (see
//!   [`crate::client`]). Past the limit an account is not locked: each
//!   further try must wait a delay that doubles with every failure
//!   (`backoff_seconds`, 2×, 4×…, at most the window), so a stranger's five
//!   wrong guesses cost the owner seconds, not a quarter of an hour.
//! - What is stored is an HMAC-SHA256, under a server key, of the trimmed,
//!   case-folded username (refused beyond the longest username before
//!   anything is stored) or of the address: never raw text, and never more
//!   than 64 hex digits a key. Attempts older than the window are purged.

use std::net::IpAddr;

use hatchery_store::workflow::{AttemptTally, LoginAttempt, WorkflowStore};
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use sha2::Sha256;

use crate::auth::new_secret;
use crate::error::ApiError;
use crate::settings::AuthSettings;

/// The longest username there is (see `hatchery_core::workflow::Username`).
pub const MAX_USERNAME_BYTES: usize = 64;

/// A username as given, trimmed and case-folded (usernames are lower case),
/// or 422 when it is longer than any username can be — before anything is
/// stored or logged.
pub fn normalise_username(raw: &str) -> Result<String, ApiError> {
    let trimmed = raw.trim();
    if trimmed.len() > MAX_USERNAME_BYTES {
        return Err(ApiError::invalid(
            "invalid_username",
            format!("a username has at most {MAX_USERNAME_BYTES} characters"),
        ));
    }
    Ok(trimmed.to_lowercase())
}

/// One key an attempt counts under, and the failures it may have within
/// the window before the back-off starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub key: String,
    pub free: u32,
}

/// An admitted attempt: forget it if the password turns out right.
#[derive(Debug)]
pub struct Ticket(String);

/// The throttling rule and the key it hashes under.
#[derive(Clone)]
pub struct Throttle {
    /// HMAC-SHA256 keyed with the server's throttling key, before any input.
    mac: Hmac<Sha256>,
    window: SignedDuration,
    backoff: SignedDuration,
    free_per_user: u32,
    free_per_address: u32,
    free_registrations: u32,
    free_public_objections: u32,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("window", &self.window)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

/// What the public may do without an account, each throttled per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnonymousAct {
    /// An enterprise registers itself.
    Registration,
    /// An objection to a public notice.
    PublicObjection,
}

impl Throttle {
    /// The rule the settings describe; without a configured key, a random one.
    pub fn new(auth: &AuthSettings) -> Result<Self, hmac::digest::InvalidLength> {
        let secret = match &auth.throttle_key {
            Some(key) => key.expose().to_vec(),
            None => {
                let mut key = vec![0u8; 32];
                rand::rng().fill_bytes(&mut key);
                key
            }
        };
        Ok(Self {
            mac: <Hmac<Sha256> as Mac>::new_from_slice(&secret)?,
            window: SignedDuration::from_mins(i64::from(auth.throttle_minutes)),
            backoff: SignedDuration::from_secs(i64::from(auth.backoff_seconds)),
            free_per_user: auth.max_failures_per_user,
            free_per_address: auth.max_failures_per_address,
            free_registrations: auth.max_registrations_per_address,
            free_public_objections: auth.max_public_objections_per_address,
        })
    }

    fn mac(&self, kind: &str, text: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(kind.as_bytes());
        mac.update(b"\0");
        mac.update(text.as_bytes());
        format!("{kind}:{}", hex::encode(mac.finalize().into_bytes()))
    }

    /// The keys of an attempt at `username` (normalised) from `client`.
    pub fn keys(&self, username: &str, client: Option<IpAddr>) -> Vec<Key> {
        let mut keys = vec![Key {
            key: self.mac("user", username),
            free: self.free_per_user,
        }];
        if let Some(ip) = client {
            keys.push(Key {
                key: self.mac("addr", &ip.to_string()),
                free: self.free_per_address,
            });
        }
        keys
    }

    /// The key `act`, done without an account from `client`, counts under
    /// (none without a known address).
    pub fn anonymous_keys(&self, act: AnonymousAct, client: Option<IpAddr>) -> Vec<Key> {
        let (kind, free) = match act {
            AnonymousAct::Registration => ("register", self.free_registrations),
            AnonymousAct::PublicObjection => ("object", self.free_public_objections),
        };
        client
            .map(|ip| Key {
                key: self.mac(kind, &ip.to_string()),
                free,
            })
            .into_iter()
            .collect()
    }

    /// How long an attempt must still wait given a key's tally, if at all.
    pub fn wait(&self, tally: &AttemptTally, free: u32, now: Timestamp) -> Option<SignedDuration> {
        if tally.attempts < free {
            return None;
        }
        let doublings = (tally.attempts - free).min(30);
        let delay = self
            .backoff
            .checked_mul(1_i32 << doublings)
            .unwrap_or(self.window)
            .min(self.window);
        let next = tally.latest?.checked_add(delay).ok()?;
        let left = next.duration_since(now);
        left.is_positive().then_some(left)
    }

    fn longest_wait(
        &self,
        keys: &[Key],
        tallies: &[AttemptTally],
        now: Timestamp,
    ) -> Option<SignedDuration> {
        keys.iter()
            .zip(tallies)
            .filter_map(|(key, tally)| self.wait(tally, key.free, now))
            .max()
    }

    /// Counts an attempt under `keys` before its password is checked, or
    /// refuses it with 429 and `Retry-After` while a back-off runs.
    pub async fn begin(
        &self,
        db: &dyn WorkflowStore,
        keys: &[Key],
        now: Timestamp,
    ) -> Result<Ticket, ApiError> {
        let ticket = new_secret();
        let names: Vec<String> = keys.iter().map(|k| k.key.clone()).collect();
        let attempt = LoginAttempt {
            ticket: &ticket,
            keys: &names,
            since: now.checked_sub(self.window).unwrap_or(now),
            at: now,
        };
        let admit = |tallies: &[AttemptTally]| self.longest_wait(keys, tallies, now).is_none();
        let (admitted, tallies) = db.login_attempt(&attempt, &admit).await?;
        if admitted {
            return Ok(Ticket(ticket));
        }
        let wait = self
            .longest_wait(keys, &tallies, now)
            .unwrap_or(self.backoff);
        // Whole seconds, rounded up: retrying after them is never too early.
        let millis = u64::try_from(wait.as_millis()).unwrap_or(0);
        let seconds = millis.div_ceil(1000).max(1);
        tracing::info!(key = %tag(&names[0]), retry_after = seconds, "sign-in attempt refused while backing off");
        Err(ApiError::too_many(
            "too many failed attempts; wait before trying again",
            seconds,
        ))
    }

    /// Forgets an attempt that was no failure (it succeeded, or no password
    /// was checked).
    pub async fn forget(&self, db: &dyn WorkflowStore, ticket: Ticket) -> Result<(), ApiError> {
        db.forget_login_attempt(&ticket.0).await?;
        Ok(())
    }
}

/// A short, stable name of a key for the log: enough to correlate lines,
/// nothing of the username.
pub fn tag(key: &str) -> &str {
    key.get(..17).unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hatchery_core::workflow::Username;

    fn throttle() -> Throttle {
        Throttle::new(&AuthSettings::default()).unwrap()
    }

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + second).unwrap()
    }

    #[test]
    fn the_username_bound_is_the_longest_username() {
        assert!(Username::parse(&"a".repeat(MAX_USERNAME_BYTES)).is_ok());
        assert!(Username::parse(&"a".repeat(MAX_USERNAME_BYTES + 1)).is_err());
        assert_eq!(normalise_username("  Zhang.Wei \n").unwrap(), "zhang.wei");
        let refused = normalise_username(&"x".repeat(10_000)).unwrap_err();
        assert_eq!(refused.code(), "invalid_username");
    }

    #[test]
    fn keys_are_keyed_hashes_of_the_normalised_name() {
        let throttle = throttle();
        let keys = throttle.keys("zhang.wei", Some("203.0.113.9".parse().unwrap()));
        assert_eq!(keys.len(), 2);
        assert!(keys[0].key.starts_with("user:") && keys[1].key.starts_with("addr:"));
        assert!(
            keys.iter()
                .all(|k| k.key.len() == 5 + 64 && !k.key.contains("zhang"))
        );
        assert_eq!(
            keys,
            throttle.keys("zhang.wei", Some("203.0.113.9".parse().unwrap()))
        );
        // Another server key, other hashes: the stored keys reveal nothing.
        assert_ne!(keys[0], self::throttle().keys("zhang.wei", None)[0]);
    }

    #[test]
    fn the_back_off_doubles_up_to_the_window() {
        let throttle = throttle();
        let tally = |attempts, latest| AttemptTally {
            attempts,
            latest: Some(at(latest)),
        };
        assert_eq!(throttle.wait(&tally(4, 0), 5, at(0)), None);
        assert_eq!(
            throttle.wait(&tally(5, 0), 5, at(0)),
            Some(SignedDuration::from_secs(1))
        );
        assert_eq!(throttle.wait(&tally(5, 0), 5, at(1)), None);
        assert_eq!(
            throttle.wait(&tally(7, 0), 5, at(1)),
            Some(SignedDuration::from_secs(3))
        );
        assert_eq!(
            throttle.wait(&tally(60, 0), 5, at(0)),
            Some(SignedDuration::from_mins(15))
        );
    }
}
