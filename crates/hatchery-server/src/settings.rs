//! Configuration in layers: defaults, then a TOML file, then environment
//! variables (`HATCHERY_LISTEN`, `HATCHERY_DB`, `HATCHERY_COOKIE_SECURE`,
//! `HATCHERY_THROTTLE_KEY`, `HATCHERY_CLOCK_OFFSET_DAYS`).
//! [`Settings::sample`] prints a commented file to start from.

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;

pub use hatchery_app::DatabaseUrl;
pub use hatchery_app::password::Argon2Settings;
use hatchery_core::services::{ClockBook, ClockSet};
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
    pub services: ServiceSettings,
    pub auth: AuthSettings,
    pub limits: LimitSettings,
    pub ledger: LedgerSettings,
    /// Whether this is a production server. Settings meant for demos and
    /// staging only (a clock offset) are refused when it is.
    pub production: bool,
    /// Days added to the server's clock (negative: taken away), so that
    /// demos and staging checks can walk the publicity period without
    /// editing the database. Refused in production; when set, every response
    /// says so in `X-Hatchery-Clock`.
    pub clock_offset_days: i64,
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

/// The cultivation services' rules.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServiceSettings {
    /// Clock-set files of jurisdictions with their own published time
    /// limits for enterprises' requests (relative to the settings file).
    pub clock_files: Vec<std::path::PathBuf>,
    /// The shipped national clock set and those of `clock_files`, read
    /// when the settings are loaded.
    #[serde(skip)]
    pub clocks: ClockBook,
}

impl ServiceSettings {
    /// Reads `clock_files` (relative to `base`) into `clocks`: every problem
    /// names its file, field and line.
    fn read_clocks(&mut self, base: &Path) -> Result<(), SettingsError> {
        let mut sets = Vec::new();
        for file in &self.clock_files {
            let path = base.join(file);
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|source| SettingsError::Read {
                path: shown.clone(),
                source,
            })?;
            let set = ClockSet::parse(&text)
                .map_err(|e| SettingsError::Invalid(format!("{shown}: {e}")))?;
            sets.push(set);
        }
        self.clocks = ClockBook::new(sets)
            .map_err(|e| SettingsError::Invalid(format!("services.clock_files: {e}")))?;
        Ok(())
    }
}

/// Sessions, tokens, passwords and login throttling.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// How long a browser session lasts.
    pub session_hours: u32,
    /// The web pages end a session unused for this many minutes (the idle
    /// timeout; the JSON API's own sessions last `session_hours`).
    pub idle_minutes: u32,
    /// How long an API token lasts unless asked for less.
    pub token_days: u32,
    /// Whether the session cookie is `Secure` (HTTPS only). Turn off only for
    /// plain-HTTP development.
    pub cookie_secure: bool,
    /// The window failed sign-ins are counted in; also the longest back-off.
    pub throttle_minutes: u32,
    /// Failed sign-ins for one username within the window before each
    /// further try must wait (a back-off doubling from `backoff_seconds`).
    pub max_failures_per_user: u32,
    /// Failed sign-ins from one client address within the window before each
    /// further try from it must wait, likewise.
    pub max_failures_per_address: u32,
    /// Enterprise registrations filed from one client address within the
    /// window before each further one from it must wait, likewise.
    pub max_registrations_per_address: u32,
    /// Objections lodged without an account from one client address within
    /// the window before each further one from it must wait, likewise.
    pub max_public_objections_per_address: u32,
    /// The first wait once a limit is reached, in seconds; each further
    /// failure doubles it, up to the window.
    pub backoff_seconds: u32,
    /// The key of the HMAC under which usernames and addresses are stored
    /// for throttling (64 hex digits or more). Unset: a random key per
    /// process, so counts start afresh on a restart and servers sharing a
    /// database do not add theirs up; set it (`HATCHERY_THROTTLE_KEY`) when
    /// several servers share one database.
    pub throttle_key: Option<SecretKey>,
    /// Proxies (CIDR blocks, `10.0.0.5/32` for one address) whose `X-Forwarded-For` is
    /// believed: the client is the right-most address in it that is not one
    /// of them. From anyone else the header is ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Password hashes computed at once (each takes Argon2's memory);
    /// 0: one per CPU core.
    pub max_concurrent_hashes: usize,
    /// How long a sign-in waits for a hashing slot before the answer is 503
    /// with `Retry-After`, in milliseconds.
    pub hash_wait_ms: u64,
    /// How long a checked session or token is believed without asking the
    /// database again, in seconds (0: ask every time). A sign-out or
    /// revocation through another server takes effect here after at most
    /// this long; through this server, at once.
    pub credential_cache_seconds: u64,
    pub argon2: Argon2Settings,
}

/// A secret key given in hex, whose `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    /// Fewest bytes a key has.
    pub const MIN_BYTES: usize = 32;

    /// The key's bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl TryFrom<String> for SecretKey {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        match hex::decode(text.trim()) {
            Ok(bytes) if bytes.len() >= Self::MIN_BYTES => Ok(Self(bytes)),
            _ => Err(format!(
                "a key is at least {} hex digits (e.g. from `openssl rand -hex 32`)",
                2 * Self::MIN_BYTES
            )),
        }
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(***)")
    }
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
            services: ServiceSettings::default(),
            auth: AuthSettings::default(),
            limits: LimitSettings::default(),
            ledger: LedgerSettings::default(),
            production: true,
            clock_offset_days: 0,
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
            idle_minutes: 30,
            token_days: 90,
            cookie_secure: true,
            throttle_minutes: 15,
            max_failures_per_user: 5,
            max_failures_per_address: 50,
            max_registrations_per_address: 5,
            max_public_objections_per_address: 5,
            backoff_seconds: 1,
            throttle_key: None,
            trusted_proxies: Vec::new(),
            max_concurrent_hashes: 0,
            hash_wait_ms: 5000,
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
        let base = path.and_then(Path::parent).unwrap_or(Path::new("."));
        settings.services.read_clocks(base)?;
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
        if let Some(key) = var("HATCHERY_THROTTLE_KEY") {
            self.auth.throttle_key =
                Some(
                    SecretKey::try_from(key).map_err(|problem| SettingsError::Environment {
                        name: "HATCHERY_THROTTLE_KEY",
                        problem,
                    })?,
                );
        }
        if let Some(days) = var("HATCHERY_CLOCK_OFFSET_DAYS") {
            self.clock_offset_days =
                days.trim()
                    .parse()
                    .map_err(|_| SettingsError::Environment {
                        name: "HATCHERY_CLOCK_OFFSET_DAYS",
                        problem: format!("'{days}' is not a whole number of days"),
                    })?;
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
                self.auth.idle_minutes == 0,
                "auth.idle_minutes must be at least 1",
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
            (
                self.auth.max_failures_per_address == 0,
                "auth.max_failures_per_address must be at least 1",
            ),
            (
                self.auth.max_registrations_per_address == 0,
                "auth.max_registrations_per_address must be at least 1",
            ),
            (
                self.auth.max_public_objections_per_address == 0,
                "auth.max_public_objections_per_address must be at least 1",
            ),
            (
                self.auth.throttle_minutes == 0,
                "auth.throttle_minutes must be at least 1",
            ),
            (
                self.production && self.clock_offset_days != 0,
                "clock_offset_days is for demos and staging only: it is refused while production = true",
            ),
            (
                self.clock_offset_days.abs() > 36_600,
                "clock_offset_days must be within a century",
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
# Environment variables override: HATCHERY_LISTEN, HATCHERY_DB, HATCHERY_COOKIE_SECURE,
# HATCHERY_THROTTLE_KEY, HATCHERY_CLOCK_OFFSET_DAYS.

# Address to listen on (port 0 picks a free port).
listen = "127.0.0.1:8080"
# The database: sqlite://PATH.
database_url = "sqlite://hatchery.db"
# A production server refuses settings meant for demos and staging only.
production = true
# Days added to the server's clock (demos and staging only: refused while
# production = true). Every response then carries X-Hatchery-Clock.
clock_offset_days = 0

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

[services]
# The clocks of enterprises' requests (诉求): a national set ships (see
# GET /api/requests/clocks). A jurisdiction with its own published time
# limits gets a clock-set file (TOML: id, version, name, jurisdiction,
# source, status, escalate_unaccepted_after, optionally revisit_share (the
# least percentage of closed requests revisited, default 10), and
# [classes.consultation],
# [classes.general], [classes.urgent], [classes.complex] each with accept,
# answer and close); the requests of enterprises placed there follow it
# (the most specific wins: zone, district, city, province). Limits are
# "30m", "2h", "5d" (calendar days) or "3wd" (working days). Paths are
# relative to this file.
clock_files = []

[auth]
session_hours = 8
# The web pages sign a browser out after this many minutes without a request.
idle_minutes = 30
token_days = 90
# Send the session cookie over HTTPS only. Turn off only for local plain HTTP.
cookie_secure = true
# Sign-in throttling: failures counted within this window (also the longest
# wait)…
throttle_minutes = 15
# …after this many for one username, or from one client address, each
# further try waits: backoff_seconds, doubled with every failure after.
max_failures_per_user = 5
max_failures_per_address = 50
backoff_seconds = 1
# HMAC key under which usernames and addresses are kept for throttling (64+
# hex digits; better in HATCHERY_THROTTLE_KEY). Unset: random per process;
# set one when several servers share a database.
# throttle_key = "…"
# Proxies whose X-Forwarded-For is believed (CIDR blocks), e.g.
# ["10.0.0.5/32", "10.1.0.0/16"]. From anyone else the header is ignored.
trusted_proxies = []
# Password hashes computed at once (0: one per CPU core), and how long a
# sign-in waits for a slot (ms) before the answer is 503 with Retry-After.
max_concurrent_hashes = 0
hash_wait_ms = 5000
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
    fn a_clock_offset_is_refused_in_production() {
        let mut settings = Settings::from_toml("clock_offset_days = 30").unwrap();
        let refused = settings.validate().unwrap_err().to_string();
        assert!(refused.contains("production"), "{refused}");
        settings.production = false;
        settings.validate().unwrap();
        let env = |name: &str| (name == "HATCHERY_CLOCK_OFFSET_DAYS").then(|| "-3".to_owned());
        settings.apply_environment(env).unwrap();
        assert_eq!(settings.clock_offset_days, -3);
    }

    #[test]
    fn throttle_keys_and_proxies_parse_and_keys_stay_hidden() {
        let key = "ab".repeat(32);
        let settings = Settings::from_toml(&format!(
            "[auth]\nthrottle_key = \"{key}\"\ntrusted_proxies = [\"10.0.0.5/32\", \"fd00::/8\"]"
        ))
        .unwrap();
        assert_eq!(settings.auth.trusted_proxies.len(), 2);
        assert!(!format!("{settings:?}").contains(&key));
        assert!(Settings::from_toml("[auth]\nthrottle_key = \"abcd\"").is_err());
        assert!(Settings::from_toml("[auth]\ntrusted_proxies = [\"not an address\"]").is_err());
    }

    #[test]
    fn nonsense_is_refused() {
        assert!(Settings::from_toml("lisen = \"x\"").is_err());
        let settings = Settings::from_toml("[workflow]\nnotice_working_days = 0").unwrap();
        assert!(settings.validate().is_err());
    }
}
