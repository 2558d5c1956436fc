//! The HTTP API: every route, assembled with its OpenAPI description.

pub mod accounts;
pub mod audit;
pub mod catalogue;
pub mod declarations;
pub mod enterprises;
pub mod health;
pub mod history;
pub mod imports;
pub mod jurisdictions;
pub mod lists;
mod named;
pub mod notices;
pub mod policies;
pub mod pool;
pub mod profile;
pub mod quotas;
pub mod registrations;
pub mod reports;
pub mod requests;
pub mod rulesets;
pub mod session;
pub mod statistics;
pub mod stewards;
pub mod targets;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;
use crate::text::Logged;

/// The document's frame; the paths come from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hatchery",
        description = "The national unicorn-enterprise cultivation system (全国统一、部省联动的独角兽企业培育体系): the ledger, the criteria engine and the ministry–province workflow.\n\nErrors always answer `{\"error\": {\"code\", \"message\", \"details\"}}`. Sign in with `POST /api/session` (a cookie; send `X-CSRF-Token` on writes) or use `Authorization: Bearer TOKEN`. Writes may carry an `Idempotency-Key`.",
        license(name = "Apache-2.0")
    ),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "session", description = "Signing in, tokens"),
        (name = "accounts", description = "Accounts and roles"),
        (name = "jurisdictions", description = "Provinces, cities, districts and national zones"),
        (name = "rulesets", description = "The criteria rule sets"),
        (name = "enterprises", description = "The ledger and tiers with reasons"),
        (name = "statistics", description = "Counts by province and tier"),
        (name = "imports", description = "Ledger imports"),
        (name = "declarations", description = "Declaration → review → recommendation → confirmation"),
        (name = "policies", description = "Policies for enterprises (惠企政策): items whose eligibility the criteria engine runs, matches and redemption"),
        (name = "notices", description = "Public notices and objections"),
        (name = "registrations", description = "Enterprises register themselves; their city or zone official activates or rejects"),
        (name = "quotas", description = "Provincial recommendation quotas"),
        (name = "pool", description = "The national cultivation pool and its re-evaluation"),
        (name = "requests", description = "Enterprises' requests (诉求): filed, accepted, dispatched, answered and closed against the clocks, confirmed or reopened; figures from their timestamps"),
        (name = "catalogue", description = "The service catalogue (服务菜单): providers with vetting flags, versioned menus per jurisdiction, what an enterprise may use, yearly service packages (服务包)"),
        (name = "stewards", description = "Stewards (服务管家/服务专员) of pool enterprises and the contact log (走访记录)"),
        (name = "targets", description = "Regional cultivation targets (培育目标) and their progress as of a day, computed from the ledger"),
        (name = "audit", description = "The hash-chained audit log"),
    )
)]
struct ApiDoc;

/// The largest body of a sign-in or password change.
const SIGN_IN_BYTES: usize = 16 * 1024;

/// Every route with its OpenAPI description.
fn api(evidence_limit: usize) -> OpenApiRouter<AppState> {
    // Evidence uploads may be larger than the JSON limit: their own router.
    let uploads = OpenApiRouter::new()
        .routes(routes!(declarations::upload_evidence))
        .layer(DefaultBodyLimit::max(evidence_limit));
    // A sign-in or password change is a few hundred bytes: a larger body is
    // refused before it is read whole, whatever the JSON limit.
    let sign_in = OpenApiRouter::new()
        .routes(routes!(session::login, session::whoami, session::logout))
        .routes(routes!(session::change_password))
        .routes(routes!(session::choose_language))
        .layer(DefaultBodyLimit::max(SIGN_IN_BYTES));
    // A published list may be larger than a JSON body, as evidence may.
    let list_uploads = OpenApiRouter::new()
        .routes(routes!(lists::upload_list))
        .layer(DefaultBodyLimit::max(evidence_limit));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::live))
        .routes(routes!(health::ready))
        .merge(sign_in)
        .routes(routes!(session::list_tokens, session::create_token))
        .routes(routes!(session::revoke_token))
        .routes(routes!(accounts::list_accounts, accounts::create_account))
        .routes(routes!(accounts::get_account, accounts::update_account))
        .routes(routes!(jurisdictions::list_jurisdictions))
        .routes(routes!(jurisdictions::get_jurisdiction))
        .routes(routes!(
            jurisdictions::list_zones,
            jurisdictions::create_zone
        ))
        .routes(routes!(jurisdictions::get_zone, jurisdictions::update_zone))
        .routes(routes!(rulesets::list_rule_sets, rulesets::add_rule_set))
        .routes(routes!(rulesets::get_rule_set))
        .routes(routes!(rulesets::compare_rule_sets))
        .routes(routes!(enterprises::list_enterprises))
        .routes(routes!(enterprises::get_enterprise))
        .routes(routes!(enterprises::get_tier))
        .routes(routes!(history::get_timeline))
        .routes(routes!(history::get_pool_history))
        .routes(routes!(profile::get_profile))
        .routes(routes!(profile::correct_profile))
        .routes(routes!(history::get_audit_trail))
        .routes(routes!(statistics::tier_statistics))
        .routes(routes!(statistics::pool_statistics))
        .routes(routes!(reports::report))
        .routes(routes!(imports::import))
        .merge(list_uploads)
        .routes(routes!(
            declarations::list_declarations,
            declarations::create_declaration
        ))
        .routes(routes!(
            declarations::get_declaration,
            declarations::edit_declaration
        ))
        .routes(routes!(declarations::act))
        .routes(routes!(declarations::download_evidence))
        .routes(routes!(declarations::download_objection_attachment))
        .merge(uploads)
        .routes(routes!(notices::list_notices))
        .routes(routes!(notices::lodge_objection))
        .routes(routes!(notices::list_public_notices))
        .routes(routes!(notices::lodge_public_objection_route))
        .routes(routes!(quotas::list_quotas))
        .routes(routes!(quotas::set_quota))
        .routes(routes!(pool::list_members))
        .routes(routes!(pool::get_member))
        .routes(routes!(pool::run_reevaluation))
        .routes(routes!(pool::list_proposals))
        .routes(routes!(pool::get_proposal))
        .routes(routes!(pool::decide_proposal))
        .routes(routes!(
            registrations::list_registrations,
            registrations::create_registration
        ))
        .routes(routes!(registrations::get_registration))
        .routes(routes!(registrations::activate_registration))
        .routes(routes!(registrations::reject_registration))
        .routes(routes!(
            catalogue::list_providers,
            catalogue::create_provider
        ))
        .routes(routes!(catalogue::set_flags))
        .routes(routes!(catalogue::list_menus, catalogue::create_menu))
        .routes(routes!(catalogue::get_menu))
        .routes(routes!(catalogue::add_item))
        .routes(routes!(catalogue::publish_menu))
        .routes(routes!(catalogue::next_version))
        .routes(routes!(catalogue::enterprise_services))
        .routes(routes!(
            catalogue::list_packages,
            catalogue::compose_package
        ))
        .routes(routes!(requests::list_requests, requests::file_request))
        .routes(routes!(requests::request_figures))
        .routes(routes!(requests::request_revisits))
        .routes(routes!(requests::list_clocks))
        .routes(routes!(requests::get_request))
        .routes(routes!(requests::act_on_request))
        .routes(routes!(policies::list_policies, policies::create_policy))
        .routes(routes!(policies::get_policy))
        .routes(routes!(policies::add_item))
        .routes(routes!(policies::publish_policy))
        .routes(routes!(policies::withdraw_policy))
        .routes(routes!(policies::match_policy))
        .routes(routes!(policies::list_matches))
        .routes(routes!(policies::get_match))
        .routes(routes!(policies::act_on_match))
        .routes(routes!(policies::read_match))
        .routes(routes!(policies::list_enterprise_matches))
        .routes(routes!(
            stewards::list_enterprise_stewards,
            stewards::assign_steward
        ))
        .routes(routes!(stewards::end_steward))
        .routes(routes!(
            stewards::list_enterprise_contacts,
            stewards::record_contact
        ))
        .routes(routes!(stewards::list_stewards))
        .routes(routes!(stewards::list_contacts))
        .routes(routes!(stewards::get_contact))
        .routes(routes!(targets::list_targets))
        .routes(routes!(targets::get_progress))
        .routes(routes!(audit::list_audit))
        .routes(routes!(audit::verify))
}

/// The OpenAPI 3.1 document, as served at `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api(1).split_for_parts().1
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_route",
        "no such endpoint; see /api/openapi.json",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method; see /api/openapi.json",
    )
}

/// Where a request no API route takes goes: the API's JSON not-found
/// answer under `/api/` (or when there are no pages), the pages otherwise.
#[derive(Debug, Clone)]
struct Fallback {
    pages: Option<Router>,
}

impl tower::Service<Request> for Fallback {
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<Response, Self::Error>> + Send>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let path = request.uri().path();
        let api = path == "/api" || path.starts_with("/api/");
        match self.pages.clone() {
            Some(pages) if !api => Box::pin(tower::ServiceExt::oneshot(pages, request)),
            _ => Box::pin(async { Ok(not_found().await.into_response()) }),
        }
    }
}

/// Request ids: 16 random hex digits, unless the client sent one.
#[derive(Debug, Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let mut bytes = [0u8; 8];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        hex::encode(bytes).parse().ok().map(RequestId::new)
    }
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal(std::io::Error::other("a handler panicked")).into_response()
}

/// The header that says the server's clock is offset (demos and staging).
pub const CLOCK_HEADER: &str = "x-hatchery-clock";

/// Marks every response of a server whose clock is offset with the time it
/// shows: `X-Hatchery-Clock: 2025-04-02T01:00:00Z (offset +30d)`.
async fn clock_header(State(state): State<AppState>, mut response: Response) -> Response {
    let days = state.settings.clock_offset_days;
    if days != 0
        && let Ok(value) =
            HeaderValue::from_str(&format!("{} (offset {days:+}d)", state.clock.now()))
    {
        response
            .headers_mut()
            .insert(HeaderName::from_static(CLOCK_HEADER), value);
    }
    response
}

/// The offset clock as a page shows it, put in every request's extensions
/// when the server's clock is offset, so that the web pages can say so in
/// a banner as plainly as [`CLOCK_HEADER`] says it to programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockOffset {
    /// The instant the server takes to be now.
    pub now: jiff::Timestamp,
    /// How many days it runs ahead (negative: behind).
    pub days: i64,
}

async fn note_offset_clock(State(state): State<AppState>, mut request: Request) -> Request {
    let days = state.settings.clock_offset_days;
    if days != 0 {
        request.extensions_mut().insert(ClockOffset {
            now: state.clock.now(),
            days,
        });
    }
    request
}

/// The whole application: API, OpenAPI document, fallbacks and middleware.
/// Tests drive it in process with `tower::ServiceExt::oneshot`.
pub fn router(state: AppState) -> Router {
    router_with(state, None)
}

/// The application with web pages beside the API: a request the API does
/// not route and whose path is outside `/api/` goes to `pages` (which
/// answers its own not-found page); the same middleware (request ids,
/// tracing, body limits, panics caught) wraps both.
pub fn router_with(state: AppState, pages: Option<Router<AppState>>) -> Router {
    let (api, document) = api(state.settings.workflow.max_evidence_bytes).split_for_parts();
    let document = std::sync::Arc::new(document);
    let request_id = HeaderName::from_static("x-request-id");
    api.route(
        "/api/openapi.json",
        get(move || {
            let document = document.clone();
            async move { Json(document.as_ref().clone()) }
        }),
    )
    .fallback_service(Fallback {
        pages: pages.map(|pages| pages.with_state(state.clone())),
    })
    .method_not_allowed_fallback(method_not_allowed)
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        crate::idempotency::idempotency,
    ))
    // Outside the idempotency keys, so a key's reservation is completed or
    // released by the task too (see `crate::detach`).
    .layer(axum::middleware::from_fn(crate::detach::detach_writes))
    .layer(DefaultBodyLimit::max(state.settings.limits.max_json_bytes))
    .layer(axum::middleware::map_response_with_state(
        state.clone(),
        clock_header,
    ))
    .layer(axum::middleware::map_request_with_state(
        state.clone(),
        note_offset_clock,
    ))
    .layer(SetSensitiveRequestHeadersLayer::new([
        header::AUTHORIZATION,
        header::COOKIE,
        HeaderName::from_static(crate::auth::CSRF_HEADER),
    ]))
    .layer(PropagateRequestIdLayer::new(request_id.clone()))
    .layer(
        TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            // The route template (`/api/declarations/{id}`) groups requests
            // for one handler; the account is recorded once the caller is
            // known (see `Caller`'s extractor). The path and the client's
            // request id are user text: bounded, escaped.
            let route = request
                .extensions()
                .get::<MatchedPath>()
                .map_or("-", MatchedPath::as_str);
            tracing::info_span!(
                "request",
                method = %request.method(),
                route,
                path = %Logged(request.uri().path()),
                id = %Logged(id),
                account = tracing::field::Empty,
            )
        }),
    )
    .layer(SetRequestIdLayer::new(request_id, RandomRequestId))
    .layer(CatchPanicLayer::custom(panic_response))
    .with_state(state)
}
