//! Helpers shared by the integration tests: datasets written to temporary
//! folders, and their problems as the lines a user would see.

#![allow(dead_code, reason = "each test binary uses its own subset")]

use std::fs;
use std::path::Path;

pub mod generate;

use hatchery_interchange::{DatasetRead, NoProgress, Problems, read_dataset};
use tempfile::TempDir;

/// A folder holding the given files, written byte for byte.
pub fn folder(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, bytes) in files {
        fs::write(dir.path().join(name), bytes).expect("a test file");
    }
    dir
}

/// A folder holding text files.
pub fn text_folder(files: &[(&str, &str)]) -> TempDir {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    folder(&files)
}

/// Reads a folder that must be valid.
pub fn read_ok(dir: &Path) -> DatasetRead {
    match read_dataset(dir, &mut NoProgress) {
        Ok(read) => read,
        Err(problems) => panic!(
            "expected a valid dataset, got:\n{}",
            lines(&problems).join("\n")
        ),
    }
}

/// Reads a folder that must be refused, giving its problems as displayed.
pub fn read_err(dir: &Path) -> Vec<String> {
    match read_dataset(dir, &mut NoProgress) {
        Ok(read) => panic!("expected problems, read {:?}", read.dataset),
        Err(problems) => lines(&problems),
    }
}

pub fn lines(problems: &Problems) -> Vec<String> {
    problems.iter().map(ToString::to_string).collect()
}

/// The shortest valid `enterprises.csv`, defining `a` and `b`.
pub const ENTERPRISES: &str = "id,name,founded\na,Alpha,2015\nb,Beta,2016-07\n";
