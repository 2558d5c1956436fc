//! What every request shares: the database, the clock, the settings, the
//! ledger held in memory for fast tier look-ups, and the rule sets.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use hatchery_app::password::{PasswordError, Passwords};
pub use hatchery_app::{Backend, RuleBook, RuleEntry};
use hatchery_core::date::PartialDate;
use hatchery_core::workflow::{Clock, Placement, Zone};
use hatchery_core::{Classification, Enterprise, EnterpriseId, Ledger, RuleSet, Uscc};
use hatchery_report::{
    FirstReached, Lang as ReportLang, Report, ReportOptions, Scope as ReportScope,
};
use hatchery_store::workflow::StoredZone;
use jiff::civil::Date;

use crate::clock::OffsetClock;
use crate::credentials::CredentialCache;
use crate::directory::{DirectoryCache, DirectoryIndex};
use crate::error::ApiError;
use crate::kept::Kept;
use crate::settings::Settings;
use crate::throttle::Throttle;

/// The state handlers share; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

/// The shared parts of [`AppState`].
#[derive(Debug)]
pub struct Shared {
    pub db: Arc<dyn Backend>,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    pub ledger: LedgerCache,
    pub rules: RuleBook,
    pub passwords: Passwords,
    pub credentials: CredentialCache,
    pub throttle: Throttle,
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.inner
    }
}

/// Why the state could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error("loading the ledger: {0}")]
    Ledger(String),
    #[error("loading rule sets: {0}")]
    Rules(String),
    #[error(transparent)]
    Settings(#[from] crate::settings::SettingsError),
    #[error("the throttling key cannot be used: {0}")]
    ThrottleKey(#[from] hmac::digest::InvalidLength),
}

impl AppState {
    /// Assembles the state and loads the ledger.
    pub async fn new(
        settings: Settings,
        db: Arc<dyn Backend>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StateError> {
        settings.validate()?;
        // Demos and staging may run ahead (validated: never in production).
        let clock: Arc<dyn Clock> = if settings.clock_offset_days == 0 {
            clock
        } else {
            tracing::warn!(days = settings.clock_offset_days, "the clock is offset");
            Arc::new(OffsetClock::new(clock, settings.clock_offset_days))
        };
        let passwords = Passwords::new(settings.auth.argon2)?.with_limits(
            settings.auth.max_concurrent_hashes,
            Duration::from_millis(settings.auth.hash_wait_ms),
        );
        let throttle = Throttle::new(&settings.auth)?;
        let view = LedgerView::load(db.as_ref())
            .await
            .map_err(|e| StateError::Ledger(e.to_string()))?;
        let rules = RuleBook::load(db.as_ref())
            .await
            .map_err(|e| StateError::Rules(e.to_string()))?;
        let ledger = LedgerCache::new(view, Duration::from_secs(settings.ledger.refresh_seconds));
        let credentials =
            CredentialCache::new(Duration::from_secs(settings.auth.credential_cache_seconds));
        Ok(Self {
            inner: Arc::new(Shared {
                db,
                clock,
                settings,
                ledger,
                rules,
                passwords,
                credentials,
                throttle,
            }),
        })
    }

    /// The ledger as of the latest import (refreshed when stale).
    pub async fn ledger(&self) -> Result<Arc<LedgerView>, ApiError> {
        self.ledger.current(self.db.as_ref()).await
    }

    /// Today in China, by the state's clock.
    pub fn today(&self) -> Date {
        self.clock.today()
    }
}

/// Zones by id, name and alias.
#[derive(Debug, Default)]
pub struct ZoneDirectory {
    zones: Vec<StoredZone>,
    by_name: HashMap<String, usize>,
}

impl ZoneDirectory {
    fn new(zones: Vec<StoredZone>) -> Self {
        let mut by_name = HashMap::new();
        for (at, stored) in zones.iter().enumerate() {
            let zone = &stored.zone;
            for key in std::iter::once(zone.id.as_str())
                .chain(std::iter::once(zone.name.as_str()))
                .chain(zone.aliases.iter().map(String::as_str))
            {
                by_name.entry(key.to_owned()).or_insert(at);
            }
        }
        Self { zones, by_name }
    }

    /// The zone an enterprise's `zone` cell names, by id, name or alias;
    /// failing that, by the one id the shipped zone resolver gives the text
    /// (a short name or a legacy key such as `shenzhen-hitech`).
    pub fn resolve(&self, text: &str) -> Option<&Zone> {
        self.by_name
            .get(text)
            .or_else(|| {
                self.by_name
                    .get(hatchery_core::workflow::ZoneResolver::shipped().canonical(text))
            })
            .map(|&at| &self.zones[at].zone)
    }

    /// Every zone.
    pub fn all(&self) -> &[StoredZone] {
        &self.zones
    }
}

/// What the API shows of an enterprise beside its ledger entry: its names
/// and founding date as written. The rest of its row (code, city, extras)
/// is read from the store when one enterprise is asked for; holding every
/// row whole would about double the server's memory at national scale.
#[derive(Debug, Clone)]
pub struct RowNames {
    pub name: Box<str>,
    pub name_en: Option<Box<str>>,
    /// The unified social credit code, for searching by it.
    pub uscc: Option<Uscc>,
    pub founded: PartialDate,
}

impl RowNames {
    /// A row's id, and the names kept of it.
    fn of(row: Enterprise) -> (EnterpriseId, Self) {
        let Enterprise {
            id,
            name,
            name_en,
            uscc,
            founded,
            ..
        } = row;
        let names = Self {
            name: name.into_boxed_str(),
            name_en: name_en.map(String::into_boxed_str),
            uscc,
            founded,
        };
        (id, names)
    }
}

/// The ledger, the enterprises' names and the zones, read together.
#[derive(Debug)]
pub struct LedgerView {
    pub ledger: Ledger,
    /// The names of each enterprise, by ledger position.
    names: Vec<Option<RowNames>>,
    pub zones: ZoneDirectory,
    /// The id of the latest import included.
    generation: Option<i64>,
    /// The directory's indexes of this view (dropped with it on import).
    directory: DirectoryCache,
    /// Every industry key of the ledger, sorted (listed on first use).
    industries: std::sync::OnceLock<Vec<String>>,
    /// Each enterprise's searchable text (made on first use).
    search_texts: std::sync::OnceLock<Vec<Box<str>>>,
    /// Tracking reports built from this view, the most recently used kept.
    reports: Kept<ReportKey, Result<Report, String>, REPORTS_KEPT>,
    /// Classifications on a report's dates, shared by every scope.
    classifications: Kept<ClassificationKey, Classification, CLASSIFICATIONS_KEPT>,
    /// Every enterprise's placement on a day, by ledger position.
    placements: Kept<Date, Vec<Placement>, 2>,
    /// The first days enterprises reached each tier, by rule set and version.
    first_reached: Kept<(String, String), FirstReached, 2>,
}

/// How many classifications a view keeps: two bytes per enterprise and
/// date (2 MB for one date at 1,000,000 enterprises, 24 MB for twelve).
/// Building ahead keeps up to eight in use (see `crate::warm`).
pub const CLASSIFICATIONS_KEPT: usize = 10;

/// What a classification depends on, besides the view.
#[derive(Debug, PartialEq)]
struct ClassificationKey {
    rules: String,
    version: String,
    dates: Vec<Date>,
}

/// How many tracking reports a view keeps (a report is tables of counts:
/// kilobytes, whatever the ledger's size).
const REPORTS_KEPT: usize = 16;

/// Everything a tracking report built by the server depends on, besides
/// the view itself.
#[derive(Debug, PartialEq)]
struct ReportKey {
    scope: Option<ReportScope>,
    lang: ReportLang,
    rules: String,
    version: String,
    dates: Vec<Date>,
}

impl ReportKey {
    /// The key of a report on `dates` in any order (a report sorts them
    /// and drops repeats).
    fn new(rules: &RuleSet, dates: &[Date], scope: Option<ReportScope>, lang: ReportLang) -> Self {
        let mut dates = dates.to_vec();
        dates.sort_unstable();
        dates.dedup();
        Self {
            scope,
            lang,
            rules: rules.key.clone(),
            version: rules.version.clone(),
            dates,
        }
    }
}

impl ClassificationKey {
    fn new(rules: &RuleSet, dates: &[Date]) -> Self {
        Self {
            rules: rules.key.clone(),
            version: rules.version.clone(),
            dates: dates.to_vec(),
        }
    }
}

impl LedgerView {
    async fn load(db: &dyn Backend) -> Result<Self, ApiError> {
        let generation = db.imports().await?.last().map(|i| i.id);
        // The rows are read whole and cut down to their names before the
        // ledger is loaded, so that the two never take memory at once.
        let by_id: Vec<(EnterpriseId, RowNames)> = db
            .enterprises()
            .await?
            .into_iter()
            .map(RowNames::of)
            .collect();
        let ledger = db.load_ledger().await?;
        let mut names: Vec<Option<RowNames>> = vec![None; ledger.len()];
        for (id, row) in by_id {
            if let Some(position) = ledger.position(id.as_str()) {
                names[position] = Some(row);
            }
        }
        let zones = ZoneDirectory::new(db.zones().await?);
        Ok(Self {
            ledger,
            names,
            zones,
            generation,
            directory: DirectoryCache::default(),
            industries: std::sync::OnceLock::new(),
            search_texts: std::sync::OnceLock::new(),
            reports: Kept::default(),
            classifications: Kept::default(),
            placements: Kept::default(),
            first_reached: Kept::default(),
        })
    }

    /// The names of the enterprise at `position`.
    pub fn names(&self, position: usize) -> Option<&RowNames> {
        self.names.get(position).and_then(Option::as_ref)
    }

    /// Where the enterprise at `position` sits on `day`: its effective region
    /// (after relocations) and its zone.
    pub fn placement(&self, position: usize, day: Date) -> Placement {
        let region = self.ledger.as_of(position, day).region();
        let zone = self.ledger.enterprises()[position]
            .zone
            .as_deref()
            .and_then(|text| self.zones.resolve(text));
        Placement::of(region, zone)
    }

    /// Every enterprise's [`LedgerView::placement`] on `day`, by ledger
    /// position: computed on first use, then kept (it does not depend on a
    /// rule set, so every directory index and comparison of the day shares
    /// it).
    pub fn placements(&self, day: Date) -> Arc<Vec<Placement>> {
        self.placements.get_or_build(day, || {
            (0..self.ledger.len())
                .map(|position| self.placement(position, day))
                .collect()
        })
    }

    /// The directory's index of this view for `rules` on `as_of`, with the
    /// placements of `today`: computed on first use, then kept.
    pub fn directory(&self, rules: &RuleSet, as_of: Date, today: Date) -> Arc<DirectoryIndex> {
        self.directory.get(self, rules, as_of, today)
    }

    /// The tracking report of `scope` (`None`: the nation) under `rules` on
    /// `dates`, in `lang`: built on first use, then kept (a build over the
    /// whole ledger takes seconds at national scale). Blocks while it is
    /// built: call it off the async workers. An error is the build's, kept
    /// too (the same inputs fail the same way).
    pub fn report(
        &self,
        rules: &RuleSet,
        dates: &[Date],
        scope: Option<ReportScope>,
        lang: ReportLang,
    ) -> Arc<Result<Report, String>> {
        let key = ReportKey::new(rules, dates, scope.clone(), lang);
        let key_dates = key.dates.clone();
        self.reports.get_or_build(key, || {
            let options = ReportOptions {
                scope,
                lang,
                ..ReportOptions::default()
            };
            let classification = self.classification(rules, &key_dates);
            let reached = self.first_reached(rules);
            hatchery_report::build_reached(&self.ledger, rules, &classification, &reached, &options)
                .map_err(|e| e.to_string())
        })
    }

    /// Every enterprise's tier under `rules` on each of `dates` (ascending,
    /// distinct): classified on all cores on first use, then kept. Most of
    /// a report's work, and the same whatever its scope and language: the
    /// reports of every jurisdiction on the same dates share it.
    pub fn classification(&self, rules: &RuleSet, dates: &[Date]) -> Arc<Classification> {
        self.classifications
            .get_or_build(ClassificationKey::new(rules, dates), || {
                self.ledger.classify(rules, dates)
            })
    }

    /// The first day each enterprise reached each tier under `rules` (for
    /// the reports' time to tier): computed on first use, then kept; the
    /// same for every report under the rule set.
    pub fn first_reached(&self, rules: &RuleSet) -> Arc<FirstReached> {
        self.first_reached
            .get_or_build((rules.key.clone(), rules.version.clone()), || {
                FirstReached::compute(&self.ledger, rules)
            })
    }

    /// The tracking report [`LedgerView::report`] would give, if it has
    /// been built.
    pub fn built_report(
        &self,
        rules: &RuleSet,
        dates: &[Date],
        scope: Option<ReportScope>,
        lang: ReportLang,
    ) -> Option<Arc<Result<Report, String>>> {
        self.reports
            .built(&ReportKey::new(rules, dates, scope, lang))
    }

    /// The classification [`LedgerView::classification`] would give, if it
    /// has been made.
    pub fn built_classification(
        &self,
        rules: &RuleSet,
        dates: &[Date],
    ) -> Option<Arc<Classification>> {
        self.classifications
            .built(&ClassificationKey::new(rules, dates))
    }

    /// The directory index [`LedgerView::directory`] would give, if it has
    /// been built.
    pub fn built_directory(
        &self,
        rules: &RuleSet,
        as_of: Date,
        today: Date,
    ) -> Option<Arc<DirectoryIndex>> {
        self.directory.built(rules, as_of, today)
    }

    /// Every industry key some enterprise has, sorted.
    pub fn industries(&self) -> &[String] {
        self.industries.get_or_init(|| {
            let keys: std::collections::BTreeSet<&str> = self
                .ledger
                .enterprises()
                .iter()
                .flat_map(|e| e.industries.iter().map(String::as_str))
                .collect();
            keys.into_iter().map(str::to_owned).collect()
        })
    }

    /// Each enterprise's id, name and English name in lower case, joined
    /// by a control character no search text holds, by ledger position:
    /// lower-casing once per view instead of once per search and enterprise
    /// is what makes a text search over a national ledger fast.
    pub fn search_texts(&self) -> &[Box<str>] {
        self.search_texts.get_or_init(|| {
            self.ledger
                .enterprises()
                .iter()
                .enumerate()
                .map(|(position, e)| {
                    let mut text = e.id.as_str().to_lowercase();
                    if let Some(names) = self.names(position) {
                        text.push(SEARCH_SEPARATOR);
                        text.push_str(&names.name.to_lowercase());
                        if let Some(english) = &names.name_en {
                            text.push(SEARCH_SEPARATOR);
                            text.push_str(&english.to_lowercase());
                        }
                    }
                    text.into_boxed_str()
                })
                .collect()
        })
    }

    /// The ledger position of an enterprise.
    pub fn position(&self, id: &EnterpriseId) -> Option<usize> {
        self.ledger.position(id.as_str())
    }
}

/// What separates the fields of a search text: a search's text never holds
/// it (the search drops control characters), so no match spans two fields.
pub const SEARCH_SEPARATOR: char = '\u{1f}';

/// The ledger in memory, replaced when an import lands.
///
/// A request that starts after a write of this process has returned reads
/// a view that includes it: writes are counted, the view records the count
/// it was loaded after, and a request that finds the view behind waits for
/// the reload (never reads the old view while another request reloads).
#[derive(Debug)]
pub struct LedgerCache {
    current: RwLock<Arc<LedgerView>>,
    /// How many writes in this process changed what the view holds.
    changes: AtomicU64,
    /// How many of those writes the current view was loaded after.
    included: AtomicU64,
    /// When the store was last asked for newer imports; held while the
    /// view is reloaded.
    checked: tokio::sync::Mutex<Instant>,
    refresh: Duration,
    /// Wakes whoever builds ahead for a new view (see `crate::warm`).
    stale_signal: tokio::sync::Notify,
}

impl LedgerCache {
    fn new(view: LedgerView, refresh: Duration) -> Self {
        Self {
            current: RwLock::new(Arc::new(view)),
            changes: AtomicU64::new(0),
            included: AtomicU64::new(0),
            checked: tokio::sync::Mutex::new(Instant::now()),
            refresh,
            stale_signal: tokio::sync::Notify::new(),
        }
    }

    fn snapshot(&self) -> Arc<LedgerView> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Marks the view stale: the next request reloads it. Called once the
    /// write has committed.
    pub fn invalidate(&self) {
        self.changes.fetch_add(1, Ordering::AcqRel);
        // A permit is kept when no one waits: a change made while the
        // builder is busy still wakes it once it waits again.
        self.stale_signal.notify_one();
    }

    /// Completes when the view is next marked stale (at once if it was
    /// since the last call).
    pub async fn invalidated(&self) {
        self.stale_signal.notified().await;
    }

    /// How often the store is asked for imports made elsewhere.
    pub fn refresh_period(&self) -> Duration {
        self.refresh
    }

    /// The current view. A stale one is reloaded first; otherwise, once per
    /// refresh period, one request checks for imports made elsewhere while
    /// the others go on with the view they have.
    pub async fn current(&self, db: &dyn Backend) -> Result<Arc<LedgerView>, ApiError> {
        let wanted = self.changes.load(Ordering::Acquire);
        if self.included.load(Ordering::Acquire) < wanted {
            let mut checked = self.checked.lock().await;
            // Another request may have reloaded while this one waited.
            if self.included.load(Ordering::Acquire) < wanted {
                // Every write counted here committed before the load starts.
                let loading_after = self.changes.load(Ordering::Acquire);
                let view = LedgerView::load(db).await?;
                *self.write() = Arc::new(view);
                self.included.fetch_max(loading_after, Ordering::AcqRel);
                *checked = Instant::now();
            }
            return Ok(self.snapshot());
        }
        if let Ok(mut checked) = self.checked.try_lock()
            && checked.elapsed() >= self.refresh
        {
            *checked = Instant::now();
            let latest = db.imports().await?.last().map(|i| i.id);
            if latest != self.snapshot().generation {
                let view = LedgerView::load(db).await?;
                *self.write() = Arc::new(view);
            }
        }
        Ok(self.snapshot())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Arc<LedgerView>> {
        self.current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
