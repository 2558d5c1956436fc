//! Configuration in layers: defaults, then a TOML file, then environment
//! variables (`HATCHERY_LISTEN`, `HATCHERY_DB`, `HATCHERY_COOKIE_SECURE`).
//! [`Settings::sample`] prints a commented file to start from.

use std::net::SocketAddr;
use std::path::Path;

pub use hatchery_app::DatabaseUrl;
pub use hatchery_app::password::Argon2Settings;
use hatchery_core::workflow::WorkingCalendar;
use serde::Deserialize;

/// Everything the server can be told.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// `sqlite://PATH` (the default backend).
    pub database_url: DatabaseUrl,
    pub workflow: WorkflowSettings,
    pub auth: AuthSettings,
    pub limits: LimitSettings,
    pub ledger: LedgerSettings,
}

/// The cultivation workflow's rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkflowSettings {
    /// The rule set declarations use unless they name one.
    pub default_rule_set: String,
    /// Working days a public notice (公示) lasts.
    pub notice_working_days: u32,
    /// Years a pool membership is valid before re-review.
    pub validity_years: i16,
    /// Public holidays and make-up working days: the official calendar plus
    /// the years the configuration adds.
    pub calendar: WorkingCalendar,
    /// Largest evidence file, in bytes.
    pub max_evidence_bytes: usize,
    /// Most evidence files per declaration.
    pub max_evidence_files: u32,
}

/// Sessions, tokens, passwords and login throttling.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// How long a browser session lasts.
    pub session_hours: u32,
    /// How long an API token lasts unless asked for less.
    pub token_days: u32,
    /// Whether the session cookie is `Secure` (HTTPS only). Turn off only for
    /// plain-HTTP development.
    pub cookie_secure: bool,
    /// The window failed logins are counted in.
    pub throttle_minutes: u32,
    /// Failed logins for one username within the window before it is locked.
    pub max_failures_per_user: u32,
    /// Failed logins from one address within the window before it is locked.
    pub max_failures_per_address: u32,
    /// How long a checked session or token is believed without asking the
    /// database again, in seconds (0: ask every time). A sign-out or
    /// revocation through another server takes effect here after at most
    /// this long; through this server, at once.
    pub credential_cache_seconds: u64,
    pub argon2: Argon2Settings,
}

/// Request limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSettings {
    /// Largest JSON body, in bytes (imports included).
    pub max_json_bytes: usize,
    /// Largest page a list returns.
    pub max_page_size: u64,
}

/// The in-memory ledger.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LedgerSettings {
    /// How often to look for imports made elsewhere (by the command line or
    /// another server), in seconds.
    pub refresh_seconds: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: DatabaseUrl::new(hatchery_app::backend::DEFAULT_DATABASE_URL),
            workflow: WorkflowSettings::default(),
            auth: AuthSettings::default(),
            limits: LimitSettings::default(),
            ledger: LedgerSettings::default(),
        }
    }
}

impl Default for WorkflowSettings {
    fn default() -> Self {
        Self {
            default_rule_set: "gei".into(),
            notice_working_days: 5,
            validity_years: 3,
            // The shipped calendar is checked by hatchery-core's tests; were it
            // unreadable, the empty calendar makes every count fail and say so.
            calendar: WorkingCalendar::official().unwrap_or_default(),
            max_evidence_bytes: 10 * 1024 * 1024,
            max_evidence_files: 20,
        }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session_hours: 8,
            token_days: 90,
            cookie_secure: true,
            throttle_minutes: 15,
            max_failures_per_user: 5,
            max_failures_per_address: 50,
            credential_cache_seconds: 2,
            argon2: Argon2Settings::default(),
        }
    }
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            max_json_bytes: 16 * 1024 * 1024,
            max_page_size: 500,
        }
    }
}

impl Default for LedgerSettings {
    fn default() -> Self {
        Self {
            refresh_seconds: 10,
        }
    }
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a valid settings file")]
    Parse {
        path: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("environment variable {name}: {problem}")]
    Environment { name: &'static str, problem: String },
    #[error("{0}")]
    Invalid(String),
}

impl Settings {
    /// Defaults, then the file at `path` (if any), then the environment.
    pub fn load(path: Option<&Path>) -> Result<Self, SettingsError> {
        let mut settings = match path {
            Some(path) => {
                let shown = path.display().to_string();
                let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
                    path: shown.clone(),
                    source,
                })?;
                Self::from_toml(&text).map_err(|source| SettingsError::Parse {
                    path: shown,
                    source,
                })?
            }
            None => Self::default(),
        };
        settings.apply_environment(|name| std::env::var(name).ok())?;
        settings.validate()?;
        Ok(settings)
    }

    /// Parses a TOML configuration over the defaults.
    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    /// Applies `HATCHERY_*` variables read through `var`.
    pub fn apply_environment(
        &mut self,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<(), SettingsError> {
        if let Some(listen) = var("HATCHERY_LISTEN") {
            self.listen = listen.parse().map_err(|_| SettingsError::Environment {
                name: "HATCHERY_LISTEN",
                problem: format!("'{listen}' is not an address such as 127.0.0.1:8080"),
            })?;
        }
        if let Some(url) = var("HATCHERY_DB") {
            self.database_url = DatabaseUrl::new(url);
        }
        if let Some(secure) = var("HATCHERY_COOKIE_SECURE") {
            self.auth.cookie_secure = match secure.as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => {
                    return Err(SettingsError::Environment {
                        name: "HATCHERY_COOKIE_SECURE",
                        problem: format!("'{secure}' is not true or false"),
                    });
                }
            };
        }
        Ok(())
    }

    /// Checks values that parse but make no sense.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let problems = [
            (
                self.workflow.notice_working_days == 0,
                "workflow.notice_working_days must be at least 1",
            ),
            (
                !(1..=10).contains(&self.workflow.validity_years),
                "workflow.validity_years must be 1 to 10",
            ),
            (
                self.workflow.max_evidence_bytes == 0,
                "workflow.max_evidence_bytes must be positive",
            ),
            (
                self.auth.session_hours == 0,
                "auth.session_hours must be at least 1",
            ),
            (
                self.auth.token_days == 0,
                "auth.token_days must be at least 1",
            ),
            (
                self.auth.max_failures_per_user == 0,
                "auth.max_failures_per_user must be at least 1",
            ),
            (
                self.limits.max_page_size == 0,
                "limits.max_page_size must be at least 1",
            ),
        ];
        match problems.iter().find(|(bad, _)| *bad) {
            Some((_, problem)) => Err(SettingsError::Invalid((*problem).to_owned())),
            None => Ok(()),
        }
    }

    /// A commented configuration file with every default.
    pub fn sample() -> &'static str {
        SAMPLE
    }
}

const SAMPLE: &str = r#"# Hatchery server configuration. Every value shown is the default.
# Environment variables override: HATCHERY_LISTEN, HATCHERY_DB, HATCHERY_COOKIE_SECURE.

# Address to listen on (port 0 picks a free port).
listen = "127.0.0.1:8080"
# The database: sqlite://PATH.
database_url = "sqlite://hatchery.db"

[workflow]
# Rule set used by declarations that do not name one.
default_rule_set = "gei"
# Working days a public notice (公示) lasts.
notice_working_days = 5
# Years a cultivation-pool membership is valid before re-review.
validity_years = 3
# Largest evidence file (bytes) and most files per declaration.
max_evidence_bytes = 10485760
max_evidence_files = 20

[workflow.calendar]
# China's official calendar (public holidays and the weekend days worked
# instead, 调休) ships for 2024-2026. A working-day count that reaches a year
# the calendar lacks fails and names it: add the State Council's arrangement
# for that year here. A year listed in `years` replaces the shipped one.
official = true
years = []
holidays = []
make_up_days = []

[auth]
session_hours = 8
token_days = 90
# Send the session cookie over HTTPS only. Turn off only for local plain HTTP.
cookie_secure = true
# Login throttling: failures counted within this window…
throttle_minutes = 15
# …lock a username after this many, an address after this many.
max_failures_per_user = 5
max_failures_per_address = 50
# Believe a checked session or token this many seconds before asking the
# database again; a revocation through another server waits at most this long.
credential_cache_seconds = 2

[auth.argon2]
memory_kib = 19456
iterations = 2
parallelism = 1

[limits]
# Largest JSON body in bytes (imports included) and largest page of a list.
max_json_bytes = 16777216
max_page_size = 500

[ledger]
# How often to look for imports made by the command line or another server.
refresh_seconds = 10
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_the_defaults() {
        let sample = Settings::from_toml(Settings::sample()).unwrap();
        let defaults = Settings::default();
        assert_eq!(format!("{sample:?}"), format!("{defaults:?}"));
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let mut settings = Settings::from_toml("listen = \"0.0.0.0:9000\"").unwrap();
        let env = |name: &str| match name {
            "HATCHERY_LISTEN" => Some("127.0.0.1:7000".to_owned()),
            "HATCHERY_DB" => Some("postgres://u:secret@db/h".to_owned()),
            _ => None,
        };
        settings.apply_environment(env).unwrap();
        assert_eq!(settings.listen.port(), 7000);
        assert_eq!(
            format!("{:?}", settings.database_url),
            "postgres://u:***@db/h"
        );
        let bad = |name: &str| (name == "HATCHERY_LISTEN").then(|| "nowhere".to_owned());
        assert!(settings.apply_environment(bad).is_err());
    }

    #[test]
    fn nonsense_is_refused() {
        assert!(Settings::from_toml("lisen = \"x\"").is_err());
        let settings = Settings::from_toml("[workflow]\nnotice_working_days = 0").unwrap();
        assert!(settings.validate().is_err());
    }
}
