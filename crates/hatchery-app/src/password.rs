//! Passwords: Argon2id hashes in PHC strings, verified off the async threads.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;

use serde::Deserialize;

/// Shortest and longest password accepted.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 12..=128;

/// Why a password cannot be set.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("a password has 12 to 128 characters")]
    Length,
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

/// Hashes and checks passwords with one set of Argon2id parameters.
#[derive(Debug, Clone)]
pub struct Passwords {
    params: Params,
    /// A hash of a password no one has, checked when the username is
    /// unknown so that the answer takes as long as for a known one.
    decoy: String,
}

impl Passwords {
    /// Prepares hashing with these parameters.
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
        };
        passwords.decoy = passwords.hash_unchecked("no account has this password")?;
        Ok(passwords)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    fn hash_unchecked(&self, password: &str) -> Result<String, PasswordError> {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt =
            SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hashing(e.to_string()))?;
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| PasswordError::Hashing(e.to_string()))
    }

    /// Checks the policy and hashes. CPU-heavy: call from a blocking thread.
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        if !PASSWORD_CHARS.contains(&password.chars().count()) {
            return Err(PasswordError::Length);
        }
        self.hash_unchecked(password)
    }

    /// Whether `password` matches `phc` (or, for `None`, spends the same time
    /// and answers no). CPU-heavy: call from a blocking thread.
    pub fn verify(&self, password: &str, phc: Option<&str>) -> bool {
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

    /// [`Passwords::hash`] on a blocking thread.
    pub async fn hash_async(&self, password: String) -> Result<String, PasswordError> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.hash(&password))
            .await
            .map_err(|e| PasswordError::Hashing(e.to_string()))?
    }

    /// [`Passwords::verify`] on a blocking thread.
    pub async fn verify_async(&self, password: String, phc: Option<String>) -> bool {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.verify(&password, phc.as_deref()))
            .await
            .unwrap_or(false)
    }
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
    fn short_passwords_are_refused() {
        assert!(matches!(cheap().hash("short"), Err(PasswordError::Length)));
    }
}
