//! Checkpoints of the audit chain: its head, signed with an Ed25519 key that
//! is kept outside the database.
//!
//! The hash chain alone ([`super::audit`]) shows a naive edit, but whoever
//! can write the database can also recompute every hash after the row they
//! changed, and the head beside them. A checkpoint fixes the chain's head
//! at one moment somewhere that writer cannot reach (a file an operator or
//! an external witness keeps); once signed, a chain that no longer
//! reproduces the checkpointed hash at the checkpointed position has been
//! rewritten. A witness checks a checkpoint with the public key alone.
//!
//! Only the format, the bytes that are signed and the check live here (no
//! I/O, no clock, no randomness): keys are generated and files written at
//! the edge.

use std::fmt;

use ed25519_dalek::{Signature, Signer};
/// The keys, re-exported so that callers name one version of them.
pub use ed25519_dalek::{SigningKey, VerifyingKey};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::audit::GENESIS_HASH;
use super::clock::{format_instant, parse_instant};

/// The `format` of a checkpoint file, and the first bytes signed.
pub const CHECKPOINT_FORMAT: &str = "hatchery-audit-checkpoint/v1";

/// The first word of a secret key file.
pub const SECRET_KEY_FORMAT: &str = "hatchery-audit-secret-key/v1";

/// What a checkpoint vouches for: the chain's entry `seq` had hash `head`
/// (so the chain then held `seq` entries), as seen at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The position of the last entry (0 for an empty chain).
    pub seq: i64,
    /// That entry's hash ([`GENESIS_HASH`] for an empty chain).
    pub head: String,
    /// When the checkpoint was taken, by the taker's clock (to the microsecond).
    pub at: Timestamp,
}

/// A checkpoint as it is kept and exchanged: JSON, with the signer's public
/// key and the signature, both lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCheckpoint {
    /// [`CHECKPOINT_FORMAT`].
    pub format: String,
    /// [`Checkpoint::seq`]; also the number of entries.
    pub seq: i64,
    /// [`Checkpoint::head`].
    pub head: String,
    /// [`Checkpoint::at`], RFC 3339 in UTC with six fractional digits.
    pub at: String,
    /// The Ed25519 public key that signed it.
    pub public_key: String,
    /// The Ed25519 signature of [`Checkpoint::signed_bytes`].
    pub signature: String,
}

/// Why a checkpoint or a key is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The text is not a checkpoint (or not a key) at all.
    #[error("not a checkpoint: {0}")]
    Malformed(String),
    /// A checkpoint of a format this version does not know.
    #[error("checkpoint format '{0}' is not {CHECKPOINT_FORMAT}")]
    Format(String),
    /// Signed by a key other than the one trusted.
    #[error("the checkpoint was signed by key {found}, not by the trusted key {trusted}")]
    OtherKey { found: String, trusted: String },
    /// The signature does not match what the checkpoint says: it was altered,
    /// or forged without the key.
    #[error("the checkpoint's signature does not match its contents: it was altered or forged")]
    BadSignature,
    /// A key that does not parse.
    #[error("not an audit key: {0}")]
    BadKey(String),
}

/// Appends `bytes` with its length, so no two field lists sign the same bytes.
fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

impl Checkpoint {
    /// The checkpoint of an empty chain at `at`.
    pub fn empty(at: Timestamp) -> Self {
        Self {
            seq: 0,
            head: GENESIS_HASH.to_owned(),
            at,
        }
    }

    /// The bytes the signature covers: the format, then each field
    /// length-prefixed (the instant as [`format_instant`] writes it).
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(160);
        field(&mut out, CHECKPOINT_FORMAT.as_bytes());
        field(&mut out, self.seq.to_string().as_bytes());
        field(&mut out, self.head.as_bytes());
        field(&mut out, format_instant(self.at).as_bytes());
        out
    }

    /// Signs the checkpoint with `key`.
    pub fn sign(&self, key: &SigningKey) -> SignedCheckpoint {
        let signature = key.sign(&self.signed_bytes());
        SignedCheckpoint {
            format: CHECKPOINT_FORMAT.to_owned(),
            seq: self.seq,
            head: self.head.clone(),
            at: format_instant(self.at),
            public_key: public_key_text(&key.verifying_key()),
            signature: hex::encode(signature.to_bytes()),
        }
    }
}

impl SignedCheckpoint {
    /// Reads a checkpoint file's text.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        serde_json::from_str(text).map_err(|e| CheckpointError::Malformed(e.to_string()))
    }

    /// The checkpoint file's text: pretty JSON ending with a newline.
    pub fn to_text(&self) -> String {
        // A struct of strings and an integer always serialises.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// What the checkpoint vouches for, if `trusted` signed exactly this.
    /// The public key the file names is only compared with `trusted`, never
    /// believed: a forger would name their own.
    pub fn verify(&self, trusted: &VerifyingKey) -> Result<Checkpoint, CheckpointError> {
        if self.format != CHECKPOINT_FORMAT {
            return Err(CheckpointError::Format(self.format.clone()));
        }
        let trusted_text = public_key_text(trusted);
        if self.public_key != trusted_text {
            return Err(CheckpointError::OtherKey {
                found: self.public_key.clone(),
                trusted: trusted_text,
            });
        }
        let at = parse_instant(&self.at).ok_or_else(|| {
            CheckpointError::Malformed(format!("'{}' is not an instant", self.at))
        })?;
        let checkpoint = Checkpoint {
            seq: self.seq,
            head: self.head.clone(),
            at,
        };
        let bytes: [u8; 64] = hex::decode(&self.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(CheckpointError::BadSignature)?;
        trusted
            .verify_strict(&checkpoint.signed_bytes(), &Signature::from_bytes(&bytes))
            .map_err(|_| CheckpointError::BadSignature)?;
        Ok(checkpoint)
    }
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "entry #{} hash {} at {}",
            self.seq,
            self.head,
            format_instant(self.at)
        )
    }
}

/// A public key as text: 64 lower-case hex digits.
pub fn public_key_text(key: &VerifyingKey) -> String {
    hex::encode(key.as_bytes())
}

/// Parses [`public_key_text`]'s output (surrounding blanks ignored).
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, CheckpointError> {
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            CheckpointError::BadKey("a public key is 64 hexadecimal digits".to_owned())
        })?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|_| CheckpointError::BadKey("not a point of Ed25519".to_owned()))
}

/// A secret key file's text: [`SECRET_KEY_FORMAT`], a space, 64 hex digits.
pub fn secret_key_text(key: &SigningKey) -> String {
    format!("{SECRET_KEY_FORMAT} {}\n", hex::encode(key.to_bytes()))
}

/// Parses [`secret_key_text`]'s output.
pub fn parse_secret_key(text: &str) -> Result<SigningKey, CheckpointError> {
    let hex_text = text.trim().strip_prefix(SECRET_KEY_FORMAT).ok_or_else(|| {
        CheckpointError::BadKey(format!("a secret key file starts with {SECRET_KEY_FORMAT}"))
    })?;
    let bytes: [u8; 32] = hex::decode(hex_text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            CheckpointError::BadKey("a secret key is 64 hexadecimal digits".to_owned())
        })?;
    Ok(SigningKey::from_bytes(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SigningKey {
        SigningKey::from_bytes(&[byte; 32])
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            seq: 42,
            head: "ab".repeat(32),
            at: "2025-03-06T08:00:00.123456Z".parse().unwrap(),
        }
    }

    #[test]
    fn a_signed_checkpoint_round_trips_and_verifies() {
        let signed = checkpoint().sign(&key(7));
        let read = SignedCheckpoint::parse(&signed.to_text()).unwrap();
        assert_eq!(read, signed);
        assert_eq!(read.verify(&key(7).verifying_key()), Ok(checkpoint()));
    }

    #[test]
    fn an_altered_checkpoint_is_refused() {
        let signed = checkpoint().sign(&key(7));
        let trusted = key(7).verifying_key();
        let mut other_head = signed.clone();
        other_head.head = "cd".repeat(32);
        assert_eq!(
            other_head.verify(&trusted),
            Err(CheckpointError::BadSignature)
        );
        let mut later = signed.clone();
        later.seq = 43;
        assert_eq!(later.verify(&trusted), Err(CheckpointError::BadSignature));
        let mut moved = signed.clone();
        moved.at = "2025-03-06T08:00:01.123456Z".into();
        assert_eq!(moved.verify(&trusted), Err(CheckpointError::BadSignature));
        let mut garbled = signed;
        garbled.signature = "00".into();
        assert_eq!(garbled.verify(&trusted), Err(CheckpointError::BadSignature));
    }

    #[test]
    fn a_checkpoint_signed_by_another_key_is_refused_even_if_it_names_it() {
        // A forger signs with their own key and names it in the file.
        let forged = checkpoint().sign(&key(9));
        assert!(matches!(
            forged.verify(&key(7).verifying_key()),
            Err(CheckpointError::OtherKey { .. })
        ));
        // Naming the trusted key does not help without its secret.
        let mut disguised = forged;
        disguised.public_key = public_key_text(&key(7).verifying_key());
        assert_eq!(
            disguised.verify(&key(7).verifying_key()),
            Err(CheckpointError::BadSignature)
        );
    }

    #[test]
    fn unknown_formats_and_fields_are_refused() {
        let mut signed = checkpoint().sign(&key(7));
        signed.format = "hatchery-audit-checkpoint/v9".into();
        assert!(matches!(
            signed.verify(&key(7).verifying_key()),
            Err(CheckpointError::Format(_))
        ));
        let text = checkpoint()
            .sign(&key(7))
            .to_text()
            .replacen('{', r#"{"extra": 1,"#, 1);
        assert!(matches!(
            SignedCheckpoint::parse(&text),
            Err(CheckpointError::Malformed(_))
        ));
    }

    #[test]
    fn keys_round_trip_through_their_text() {
        let secret = key(3);
        assert_eq!(
            parse_secret_key(&secret_key_text(&secret))
                .unwrap()
                .to_bytes(),
            secret.to_bytes()
        );
        let public = secret.verifying_key();
        assert_eq!(parse_public_key(&public_key_text(&public)).unwrap(), public);
        assert!(parse_secret_key(&public_key_text(&public)).is_err());
        assert!(parse_public_key("not hex").is_err());
    }
}
