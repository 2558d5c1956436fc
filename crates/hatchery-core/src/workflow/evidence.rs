//! Evidence files attached to a declaration: only document and image types
//! whose content matches what they claim to be, and a file name that is safe
//! to show and to offer for download.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A type of evidence file Hatchery accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EvidenceType {
    Pdf,
    Png,
    Jpeg,
}

impl EvidenceType {
    /// Every accepted type.
    pub const ALL: [Self; 3] = [Self::Pdf, Self::Png, Self::Jpeg];

    /// The media type, as sent in `Content-Type`.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    /// The type a `Content-Type` value names (parameters ignored).
    pub fn from_media_type(value: &str) -> Option<Self> {
        let essence = value.split(';').next().unwrap_or("").trim();
        Self::ALL
            .into_iter()
            .find(|t| t.media_type().eq_ignore_ascii_case(essence))
    }

    fn magic(self) -> &'static [u8] {
        match self {
            Self::Pdf => b"%PDF-",
            Self::Png => b"\x89PNG\r\n\x1a\n",
            Self::Jpeg => b"\xff\xd8\xff",
        }
    }

    /// Whether the content starts the way files of this type do.
    pub fn matches(self, content: &[u8]) -> bool {
        content.starts_with(self.magic())
    }
}

impl fmt::Display for EvidenceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.media_type())
    }
}

/// Why a file is refused as evidence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    #[error("evidence must be one of application/pdf, image/png, image/jpeg; found '{0}'")]
    UnsupportedType(String),
    #[error("the content is not a {0} file")]
    ContentMismatch(EvidenceType),
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error(
        "a file name is 1-200 characters without path separators, control or bidirectional formatting characters, found {0:?}"
    )]
    BadName(String),
}

/// A checked evidence file, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedEvidence {
    pub name: String,
    pub kind: EvidenceType,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    pub size: usize,
}

/// Checks an uploaded file: its declared type is accepted, its content is of
/// that type, it is neither empty nor larger than `limit`, and its name is safe.
pub fn check_evidence(
    name: &str,
    content_type: &str,
    content: &[u8],
    limit: usize,
) -> Result<CheckedEvidence, EvidenceError> {
    let name = name.trim();
    let name_ok = (1..=200).contains(&name.chars().count())
        && !name.contains(['/', '\\'])
        && !name.chars().any(crate::text::is_unsafe_in_name)
        && name != "."
        && name != "..";
    if !name_ok {
        return Err(EvidenceError::BadName(name.to_owned()));
    }
    let kind = EvidenceType::from_media_type(content_type)
        .ok_or_else(|| EvidenceError::UnsupportedType(content_type.to_owned()))?;
    if content.is_empty() {
        return Err(EvidenceError::Empty);
    }
    if content.len() > limit {
        return Err(EvidenceError::TooLarge { limit });
    }
    if !kind.matches(content) {
        return Err(EvidenceError::ContentMismatch(kind));
    }
    Ok(CheckedEvidence {
        name: name.to_owned(),
        kind,
        sha256: hex::encode(Sha256::digest(content)),
        size: content.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_files_are_hashed() {
        let checked =
            check_evidence("财务报表.pdf", "application/pdf", b"%PDF-1.7\n", 100).unwrap();
        assert_eq!(checked.kind, EvidenceType::Pdf);
        assert_eq!(checked.size, 9);
        assert_eq!(checked.sha256.len(), 64);
        assert!(check_evidence("a.png", "image/png; x=y", b"\x89PNG\r\n\x1a\nrest", 100).is_ok());
    }

    #[test]
    fn lies_and_oversize_are_refused() {
        assert_eq!(
            check_evidence("a.pdf", "application/pdf", b"MZ\x90\x00", 100),
            Err(EvidenceError::ContentMismatch(EvidenceType::Pdf))
        );
        assert!(matches!(
            check_evidence("a.exe", "application/x-msdownload", b"MZ", 100),
            Err(EvidenceError::UnsupportedType(_))
        ));
        assert_eq!(
            check_evidence("a.pdf", "application/pdf", b"%PDF-1234567", 5),
            Err(EvidenceError::TooLarge { limit: 5 })
        );
        assert_eq!(
            check_evidence("a.pdf", "application/pdf", b"", 5),
            Err(EvidenceError::Empty)
        );
        for bad in [
            "",
            "../x.pdf",
            "a\\b.pdf",
            "a\nb",
            "..",
            "invoice\u{202E}fdp.exe",
        ] {
            assert!(
                matches!(
                    check_evidence(bad, "application/pdf", b"%PDF-", 100),
                    Err(EvidenceError::BadName(_))
                ),
                "{bad:?}"
            );
        }
    }
}
