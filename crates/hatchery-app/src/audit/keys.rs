//! The files of the audit checkpoints: the Ed25519 key that signs them (a
//! secret file only its owner reads, and its public half beside it) and the
//! checkpoints themselves. None of them is ever in the database: that is
//! the point of a checkpoint.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use hatchery_core::workflow::checkpoint::{
    CheckpointError, SignedCheckpoint, SigningKey, VerifyingKey, parse_public_key,
    parse_secret_key, public_key_text, secret_key_text,
};
use rand::TryRngCore;
use rand::rngs::OsRng;

/// Why a key or checkpoint file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file could not be read or written.
    #[error("{}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is there already; it is never overwritten.
    #[error("{} exists; it is not overwritten", .0.display())]
    Exists(PathBuf),
    /// A secret key that others may read is no longer secret.
    #[error(
        "{} can be read by others than its owner; make it private (chmod 600) or make a new key",
        .0.display()
    )]
    NotPrivate(PathBuf),
    /// The file's content is not what it should be.
    #[error("{}", .path.display())]
    Invalid {
        path: PathBuf,
        #[source]
        source: CheckpointError,
    },
    /// The system gave no randomness for a new key.
    #[error("no randomness for a new key: {0}")]
    Random(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyFileError + '_ {
    move |source| KeyFileError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes `text` to a new file at `path` (refusing one that exists), private
/// to its owner when `private`.
fn create_new(path: &Path, text: &str, private: bool) -> Result<(), KeyFileError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(|error| {
        if error.kind() == std::io::ErrorKind::AlreadyExists {
            KeyFileError::Exists(path.to_owned())
        } else {
            io(path)(error)
        }
    })?;
    file.write_all(text.as_bytes()).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

/// Where the public half of the key at `path` is written: `PATH.pub`.
pub fn public_key_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Makes a new key from the system's randomness, writes it to `path`
/// (mode 0600) and its public half to `PATH.pub`; neither may exist.
pub fn create_key_file(path: &Path) -> Result<VerifyingKey, KeyFileError> {
    let public_path = public_key_path(path);
    if public_path.exists() {
        return Err(KeyFileError::Exists(public_path));
    }
    let mut secret = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut secret)
        .map_err(|e| KeyFileError::Random(e.to_string()))?;
    let key = SigningKey::from_bytes(&secret);
    create_new(path, &secret_key_text(&key), true)?;
    let public = key.verifying_key();
    create_new(
        &public_path,
        &format!("{}\n", public_key_text(&public)),
        false,
    )?;
    Ok(public)
}

/// Reads the secret key at `path`, refusing one that others may read.
pub fn read_secret_key(path: &Path) -> Result<SigningKey, KeyFileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(io(path))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(KeyFileError::NotPrivate(path.to_owned()));
        }
    }
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    parse_secret_key(&text).map_err(|source| KeyFileError::Invalid {
        path: path.to_owned(),
        source,
    })
}

/// The public key `given` as 64 hex digits, or read from the file it names
/// (a `.pub` file that `create_key_file` wrote).
pub fn read_public_key(given: &str) -> Result<VerifyingKey, KeyFileError> {
    if let Ok(key) = parse_public_key(given) {
        return Ok(key);
    }
    let path = Path::new(given);
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    parse_public_key(&text).map_err(|source| KeyFileError::Invalid {
        path: path.to_owned(),
        source,
    })
}

/// Reads the checkpoint file at `path` (its signature is not checked here).
pub fn read_checkpoint(path: &Path) -> Result<SignedCheckpoint, KeyFileError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    SignedCheckpoint::parse(&text).map_err(|source| KeyFileError::Invalid {
        path: path.to_owned(),
        source,
    })
}

/// Writes `checkpoint` to a new file at `path`; an existing one is kept.
pub fn write_checkpoint(path: &Path, checkpoint: &SignedCheckpoint) -> Result<(), KeyFileError> {
    create_new(path, &checkpoint.to_text(), false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hatchery_core::workflow::checkpoint::Checkpoint;

    #[test]
    fn a_new_key_is_private_refuses_to_be_overwritten_and_signs_checkpoints() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        let public = create_key_file(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let before = std::fs::read(&path).unwrap();
        assert!(matches!(
            create_key_file(&path),
            Err(KeyFileError::Exists(_))
        ));
        assert_eq!(std::fs::read(&path).unwrap(), before, "the key is kept");

        let secret = read_secret_key(&path).unwrap();
        assert_eq!(secret.verifying_key(), public);
        let from_file = read_public_key(public_key_path(&path).to_str().unwrap()).unwrap();
        assert_eq!(from_file, public);
        assert_eq!(read_public_key(&public_key_text(&public)).unwrap(), public);

        let signed = Checkpoint::empty("2025-03-06T08:00:00Z".parse().unwrap()).sign(&secret);
        let out = dir.path().join("checkpoint.json");
        write_checkpoint(&out, &signed).unwrap();
        assert!(matches!(
            write_checkpoint(&out, &signed),
            Err(KeyFileError::Exists(_))
        ));
        assert!(read_checkpoint(&out).unwrap().verify(&public).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_key_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        create_key_file(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            read_secret_key(&path),
            Err(KeyFileError::NotPrivate(_))
        ));
    }
}
