//! Building and running the server: one function that `hatchery serve` and
//! the tests both call, listening on the configured address (port 0 in tests).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
pub use hatchery_app::system;
use hatchery_app::zones::seed_shipped_zones;
use hatchery_app::{Backend, OpenError, Opening, SystemClock, open_backend};
use hatchery_core::workflow::Clock;
use hatchery_store::workflow::WorkflowError;
use jiff::SignedDuration;
use tokio::net::TcpListener;

use crate::routes::router;
use crate::settings::Settings;
use crate::state::{AppState, StateError};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error("preparing the workflow tables")]
    Workflow(#[from] WorkflowError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("listening on {address}")]
    Listen {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// A server bound to its address, ready to run.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Opens the configured database and binds the configured address.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let db = open_backend(&settings.database_url, Opening::CreateOrMigrate).await?;
        Self::build_with(settings, db, Arc::new(SystemClock)).await
    }

    /// Builds on a database and clock of the caller's choosing.
    pub async fn build_with(
        settings: Settings,
        db: Arc<dyn Backend>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        let report = seed_shipped_zones(db.as_ref(), &system(clock.as_ref(), "seed")).await?;
        if report.added > 0 {
            tracing::info!(added = report.added, "seeded the national zones");
            // The published list is messy: say what could not be placed, once.
            for entry in &report.unplaced {
                tracing::warn!(name = %entry.name, reason = %entry.reason, "a national zone could not be placed; add it with POST /api/zones");
            }
        }
        let address = settings.listen;
        let state = AppState::new(settings, db, clock).await?;
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| StartupError::Listen { address, source })?;
        Ok(Self {
            listener,
            router: router(state.clone()),
            state,
        })
    }

    /// Serves `pages` (the web interface) beside the API: see
    /// [`crate::routes::router_with`].
    pub fn with_pages(mut self, pages: Router<AppState>) -> Self {
        self.router = crate::routes::router_with(self.state.clone(), Some(pages));
        self
    }

    /// The address actually bound (the port is known even when 0 was asked for).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The shared state, e.g. to reach the database in tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let housekeeping = tokio::spawn(housekeeping(self.state.clone()));
        let building_ahead = tokio::spawn(crate::warm::keep_warm(self.state.clone()));
        let escalating = tokio::spawn(escalating(self.state.clone()));
        tracing::info!(address = ?self.listener.local_addr().ok(), "serving");
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        housekeeping.abort();
        building_ahead.abort();
        escalating.abort();
        served
    }
}

/// Drops expired sessions and tokens and day-old idempotency keys, hourly.
async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let now = state.clock.now();
        if let Err(error) = state.db.purge_credentials(now).await {
            tracing::warn!(%error, "purging expired credentials");
        }
        let day_ago = now
            .checked_sub(SignedDuration::from_hours(24))
            .unwrap_or(now);
        if let Err(error) = state.db.purge_idempotency_keys(day_ago).await {
            tracing::warn!(%error, "purging old idempotency keys");
        }
    }
}

/// Escalates, each minute, the requests nobody accepted by their escalation
/// deadline. Servers sharing a database may all run it: of two escalating
/// one request, one wins and the other leaves it.
async fn escalating(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        match crate::routes::requests::escalate_overdue(&state).await {
            Ok(0) => {}
            Ok(escalated) => tracing::info!(escalated, "requests escalated past their deadline"),
            Err(error) => tracing::warn!(error = %error.message(), "escalating overdue requests"),
        }
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
