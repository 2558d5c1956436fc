//! A temporary workspace with its own store, for driving the `hatchery`
//! binary as a user does; one per backend, so that every story runs on the
//! embedded SQLite store and on PostgreSQL alike.
//!
//! PostgreSQL comes from `HATCHERY_TEST_POSTGRES` (default: the local server
//! on 127.0.0.1:5432). When it cannot be reached the stories run on SQLite
//! only, saying so, unless `HATCHERY_REQUIRE_POSTGRES=1` (CI), where that
//! fails the test.
#![allow(dead_code, reason = "each test binary uses part of the support")]

pub mod server;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use hatchery_postgres::testing::{TestDatabase, fresh_database};
use tempfile::TempDir;

/// The backends a story can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

enum Db {
    Sqlite,
    Postgres(TestDatabase),
}

/// A temporary folder and a fresh store of one backend.
pub struct Workspace {
    dir: TempDir,
    db: Db,
}

/// A fresh PostgreSQL database, or `None` (having said why) when none can
/// be had and none is required.
fn fresh_postgres() -> Option<TestDatabase> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(fresh_database())
}

impl Workspace {
    /// A workspace on the embedded store.
    pub fn sqlite() -> Self {
        Self {
            dir: TempDir::new().expect("temp dir"),
            db: Db::Sqlite,
        }
    }

    /// A workspace on a fresh PostgreSQL database, if one can be had.
    pub fn postgres() -> Option<Self> {
        Some(Self {
            dir: TempDir::new().expect("temp dir"),
            db: Db::Postgres(fresh_postgres()?),
        })
    }

    /// One workspace per backend that can be had: SQLite always,
    /// PostgreSQL when reachable (or required).
    pub fn each_backend() -> Vec<Self> {
        let mut all = vec![Self::sqlite()];
        all.extend(Self::postgres());
        all
    }

    /// Another fresh workspace on the same backend.
    pub fn sibling(&self) -> Self {
        match self.backend() {
            Backend::Sqlite => Self::sqlite(),
            Backend::Postgres => Self::postgres().expect("PostgreSQL was reachable a moment ago"),
        }
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The `--db` URL of the workspace's store.
    pub fn db(&self) -> String {
        match &self.db {
            Db::Sqlite => format!("sqlite://{}", self.dir.path().join("hatchery.db").display()),
            Db::Postgres(database) => database.url().to_owned(),
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The binary, pointed at this workspace's store.
    pub fn hatchery(&self) -> Command {
        let mut command = Command::cargo_bin("hatchery").expect("binary built");
        command
            .env_remove("HATCHERY_DB")
            .arg("--db")
            .arg(self.db())
            .current_dir(self.dir.path());
        command
    }

    /// Writes a dataset folder from (file name, contents) pairs.
    pub fn dataset(&self, name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = self.path(name);
        fs::create_dir_all(&dir).expect("dataset dir");
        for (file, text) in files {
            fs::write(dir.join(file), text).expect("dataset file");
        }
        dir
    }

    /// What a successful run printed.
    #[track_caller]
    pub fn stdout(&self, args: &[&str]) -> String {
        let output = self.hatchery().args(args).output().expect("runs");
        assert!(
            output.status.success(),
            "hatchery {args:?} on {:?} failed: {}",
            self.backend(),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }
}
