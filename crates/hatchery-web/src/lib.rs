//! Hatchery's web interface: server-rendered pages in Chinese (the default)
//! and English, served by `hatchery serve` at `/` beside the JSON API.
//!
//! - Pages call the same functions the API's handlers call
//!   (`hatchery_server::routes::*`: the same scoping, validation and audit);
//!   they never query the store themselves. Another jurisdiction's
//!   enterprise is the not-found page, exactly as the API answers 404.
//! - Every string lives in `locales/zh-CN.toml` and `locales/en.toml`
//!   ([`i18n`]); templates (`templates/*.html`, minijinja, compiled in) ask
//!   for messages by key. Money and dates are written per language
//!   ([`mod@format`]).
//! - Sessions are the API's own cookie, with a CSRF token in a hidden field
//!   of every form, an idle timeout and a remembered destination
//!   ([`session`]).
//! - CSS, JavaScript and ECharts are embedded ([`assets`]); ECharts loads
//!   only on pages that draw a chart.
//!
//! [`pages`] is the router to hand to
//! [`hatchery_server::Application::with_pages`].
#![forbid(unsafe_code)]

pub mod assets;
pub mod format;
pub mod i18n;
mod pages;
pub mod session;
pub mod site;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use hatchery_server::AppState;

pub use site::{Site, SiteError};

/// The operations pages: reports, list imports, rule sets, administration.
fn operations() -> Router<AppState> {
    Router::new()
        .route("/reports", get(pages::reports::show))
        .route(
            "/lists",
            get(pages::lists::form).post(pages::lists::dry_run),
        )
        .route("/lists/import", post(pages::lists::import))
        .route("/rulesets", get(pages::rulesets::list))
        .route("/rulesets/compare", get(pages::ruleset_compare::show))
        .route("/rulesets/{key}", get(pages::rulesets::show))
        .route(
            "/admin/accounts",
            get(pages::accounts::show).post(pages::accounts::create),
        )
        .route("/admin/accounts/{id}", post(pages::accounts::change))
        .route("/admin/audit", get(pages::audit::show))
}

/// Every page, asset and form of the web interface.
pub fn pages() -> Result<Router<AppState>, SiteError> {
    let site = Arc::new(Site::new()?);
    Ok(Router::new()
        .route("/", get(pages::dashboard::show))
        .route(
            "/signin",
            get(pages::signin::form).post(pages::signin::submit),
        )
        .route("/signout", post(pages::signin::sign_out))
        .route(
            "/register",
            get(pages::register::form).post(pages::register::submit),
        )
        .route("/registrations", get(pages::register::list))
        .route("/registrations/{id}", get(pages::register::show))
        .route("/registrations/{id}/decide", post(pages::register::decide))
        .route(
            "/account/password",
            get(pages::password::form).post(pages::password::submit),
        )
        .route("/lang/{tag}", get(pages::signin::switch_language))
        .route("/enterprises", get(pages::directory::show))
        .route("/enterprises.csv", get(pages::directory::export))
        .route("/enterprises.xlsx", get(pages::directory::export_xlsx))
        .route("/enterprises/{id}", get(pages::enterprise::show))
        .route("/publicity", get(pages::publicity::show))
        // Declarations, objections and the pool.
        .route("/declarations", get(pages::declarations::show))
        .route("/declarations/recommend", post(pages::batch::recommend))
        .route(
            "/declarations/new",
            get(pages::declaration_form::new_form).post(pages::declaration_form::create),
        )
        .route("/declarations/{id}", get(pages::declaration::show))
        .route(
            "/declarations/{id}/edit",
            get(pages::declaration_form::edit_form).post(pages::declaration_form::update),
        )
        .route("/declarations/{id}/act", post(pages::declaration::take))
        .route(
            "/declarations/{id}/evidence",
            post(pages::declaration::attach),
        )
        .route(
            "/declarations/{id}/evidence/{file}",
            get(pages::declaration::download),
        )
        .route(
            "/declarations/{id}/objections/{objection}/attachment",
            get(pages::declaration::download_objection_file),
        )
        .route(
            "/publicity/{id}/object",
            get(pages::objection::form).post(pages::objection::lodge),
        )
        // Enterprises' requests (诉求).
        .route("/requests", get(pages::requests::show))
        .route(
            "/requests/new",
            get(pages::request_form::new_form).post(pages::request_form::create),
        )
        .route("/requests/figures", get(pages::request_figures::show))
        .route(
            "/requests/figures.xlsx",
            get(pages::request_figures::export_xlsx),
        )
        .route("/requests/{id}", get(pages::request::show))
        .route("/requests/{id}/act", post(pages::request::take))
        .route("/pool", get(pages::pool::show))
        .route("/pool/reevaluate", post(pages::pool::reevaluate))
        .route("/pool/proposals", get(pages::proposals::show))
        .route(
            "/pool/proposals/{id}/decide",
            post(pages::proposals::decide),
        )
        .merge(operations())
        .merge(pages::stewards::routes())
        .merge(pages::catalogue::routes())
        .merge(pages::policies::routes())
        .merge(pages::targets::routes())
        .merge(pages::profile::routes())
        .route("/static/{file}", get(assets::serve))
        .method_not_allowed_fallback(pages::to_the_form_page)
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(site::with_clock_banner))
        .layer(axum::Extension(site)))
}
