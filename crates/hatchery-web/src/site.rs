//! The templates, compiled into the binary, and what every page shares: the
//! `<html lang>`, the navigation, the signed-in account, the language switch
//! and the CSRF token of its forms.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hatchery_server::AppState;
use hatchery_server::routes::ClockOffset;
use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind, State, UndefinedBehavior};
use serde::Serialize;

use hatchery_core::workflow::Capability;

use crate::i18n::{Lang, catalog};
use crate::session::{IdleClock, Member};

/// Every template, by name, with its source.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("signin.html", include_str!("../templates/signin.html")),
    ("password.html", include_str!("../templates/password.html")),
    (
        "dashboard.html",
        include_str!("../templates/dashboard.html"),
    ),
    (
        "directory.html",
        include_str!("../templates/directory.html"),
    ),
    (
        "enterprise.html",
        include_str!("../templates/enterprise.html"),
    ),
    (
        "publicity.html",
        include_str!("../templates/publicity.html"),
    ),
    ("error.html", include_str!("../templates/error.html")),
    // Declarations, objections and the pool.
    (
        "declarations.html",
        include_str!("../templates/declarations.html"),
    ),
    (
        "declaration.html",
        include_str!("../templates/declaration.html"),
    ),
    (
        "declaration_form.html",
        include_str!("../templates/declaration_form.html"),
    ),
    ("batch.html", include_str!("../templates/batch.html")),
    (
        "objection.html",
        include_str!("../templates/objection.html"),
    ),
    ("pool.html", include_str!("../templates/pool.html")),
    (
        "proposals.html",
        include_str!("../templates/proposals.html"),
    ),
    // Operations: reports, rule sets, administration.
    ("reports.html", include_str!("../templates/reports.html")),
    ("lists.html", include_str!("../templates/lists.html")),
    ("rulesets.html", include_str!("../templates/rulesets.html")),
    ("ruleset.html", include_str!("../templates/ruleset.html")),
    (
        "ruleset_compare.html",
        include_str!("../templates/ruleset_compare.html"),
    ),
    ("accounts.html", include_str!("../templates/accounts.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    // Enterprises registering themselves.
    ("register.html", include_str!("../templates/register.html")),
    (
        "registrations.html",
        include_str!("../templates/registrations.html"),
    ),
    // Enterprises' requests (诉求).
    ("requests.html", include_str!("../templates/requests.html")),
    ("request.html", include_str!("../templates/request.html")),
    (
        "request_form.html",
        include_str!("../templates/request_form.html"),
    ),
    (
        "request_figures.html",
        include_str!("../templates/request_figures.html"),
    ),
];

/// The web interface's own state: templates and the idle clock.
#[derive(Debug)]
pub struct Site {
    templates: Environment<'static>,
    pub(crate) idle: IdleClock,
}

/// Why the site could not be assembled (a defect of the build).
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("template {name}: {source}")]
    Template {
        name: &'static str,
        #[source]
        source: Error,
    },
    #[error(transparent)]
    Catalog(#[from] crate::i18n::CatalogError),
}

/// `t("key", name=value…)`: the message in the page's language.
fn translate(state: &State, key: &str, arguments: Kwargs) -> Result<String, Error> {
    let lang = state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Lang::parse))
        .unwrap_or_default();
    let catalog = catalog(lang);
    if catalog.get(key).is_none() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            format!("no message '{key}' in the {} catalog", lang.tag()),
        ));
    }
    let mut values = Vec::new();
    for name in arguments.args() {
        let value: Value = arguments.get(name)?;
        values.push((name, value.to_string()));
    }
    Ok(catalog.format(key, &values))
}

impl Site {
    /// Compiles the templates and checks the catalogs.
    pub fn new() -> Result<Self, SiteError> {
        crate::i18n::check_catalogs()?;
        let mut templates = Environment::new();
        templates.set_undefined_behavior(UndefinedBehavior::Strict);
        templates.add_function("t", translate);
        let areas = [
            crate::pages::stewards::TEMPLATES,
            crate::pages::catalogue::TEMPLATES,
            crate::pages::policies::TEMPLATES,
            crate::pages::targets::TEMPLATES,
            crate::pages::profile::TEMPLATES,
        ];
        for (name, source) in TEMPLATES.iter().chain(areas.into_iter().flatten()) {
            templates
                .add_template(name, source)
                .map_err(|source| SiteError::Template { name, source })?;
        }
        Ok(Self {
            templates,
            idle: IdleClock::default(),
        })
    }

    /// A page whose form is posted before any session exists (sign-in,
    /// sign-up): its CSRF `token` goes into the form and into a cookie of its
    /// own (`cookie`, for an hour, on the form's `path` only).
    #[allow(clippy::too_many_arguments)]
    pub fn pre_session_form<P: Serialize>(
        &self,
        state: &AppState,
        status: StatusCode,
        template: &str,
        mut chrome: Chrome,
        page: P,
        token: &str,
        cookie: &str,
        path: &str,
    ) -> Response {
        chrome.csrf = token.to_owned();
        let mut response = self.page(status, template, &chrome, page);
        if let Some(value) = crate::session::set_cookie(state, cookie, token, path, 3600) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    }

    /// Renders `template` with `page` and the shared `chrome`, as an HTML
    /// response with `status`. A template that fails is a 500, logged.
    pub fn page<P: Serialize>(
        &self,
        status: StatusCode,
        template: &str,
        chrome: &Chrome,
        page: P,
    ) -> Response {
        let clock = ClockBanner::current(chrome.lang);
        let rendered = self.templates.get_template(template).and_then(|t| {
            t.render(minijinja::context! {
                lang => chrome.lang.tag(),
                chrome => Value::from_serialize(chrome),
                page => Value::from_serialize(&page),
                clock => Value::from_serialize(&clock),
            })
        });
        match rendered {
            Ok(html) => html_response(status, html),
            Err(error) => {
                tracing::error!(template, error = %error, detail = ?error.detail(), "a page failed to render");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }
}

tokio::task_local! {
    /// The offset clock of the request being answered, if the server runs
    /// with one: set by [`with_clock_banner`] around every page's handler, so
    /// that [`Site::page`] shows the banner on every page without each
    /// handler passing it along.
    static CLOCK_OFFSET: Option<ClockOffset>;
}

/// Middleware of every page: carries the offset clock the server noted on
/// the request (see [`ClockOffset`]) to the page's rendering.
pub(crate) async fn with_clock_banner(request: Request, next: Next) -> Response {
    let offset = request.extensions().get::<ClockOffset>().copied();
    CLOCK_OFFSET.scope(offset, next.run(request)).await
}

/// The banner of a server whose clock is offset (demos and staging): the
/// offset in days, signed, and the time the server takes to be now.
#[derive(Debug, Clone, Serialize)]
struct ClockBanner {
    days: String,
    now: String,
}

impl ClockBanner {
    /// The banner for the request being answered; none when the clock is
    /// true or outside a page's handler.
    fn current(lang: Lang) -> Option<Self> {
        let offset = CLOCK_OFFSET.try_with(|offset| *offset).ok().flatten()?;
        Some(Self {
            days: format!("{:+}", offset.days),
            now: crate::format::instant(offset.now, lang),
        })
    }
}

/// An HTML answer that is never cached and never framed.
pub fn html_response(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// What every page shows around its content.
#[derive(Debug, Clone, Serialize)]
pub struct Chrome {
    #[serde(skip)]
    pub lang: Lang,
    /// The page's title key in the catalog.
    pub title: &'static str,
    /// The navigation entry to mark as current.
    pub section: &'static str,
    /// The signed-in account's name and role key, when signed in.
    pub user: Option<UserChrome>,
    /// The CSRF token for the page's forms.
    pub csrf: String,
    /// The link to this page in the other language.
    pub switch_href: String,
    /// The other language's own name key.
    pub switch_label: &'static str,
    /// The other language's tag (for the link's `lang`/`hreflang`).
    pub switch_lang: &'static str,
    /// Whether the page draws charts (loads ECharts).
    pub charts: bool,
}

/// The signed-in account as the page header shows it.
#[derive(Debug, Clone, Serialize)]
pub struct UserChrome {
    pub name: String,
    pub role: String,
    /// Whether the navigation shows the signed-in pages.
    pub full: bool,
    /// Whether the role reads enterprises (the 企业库 entry): not an analyst,
    /// who reads only figures.
    pub directory: bool,
    /// Whether the role reads declarations (the 申报 entry).
    pub declarations: bool,
    /// Whether the role reads the pool (the 培育库 entry).
    pub pool: bool,
    /// Whether the role reads enterprises' requests (the 诉求 entry).
    pub requests: bool,
    /// Whether the role checks enterprises' registrations (the 企业注册审核 entry).
    pub registrations: bool,
    /// Whether the role reads stewards (the 服务管家 entry).
    pub stewards: bool,
    /// Whether the role reads the service catalogue (the 服务目录 entry).
    pub catalogue: bool,
    /// Whether the role reads policies (the 惠企政策 entry).
    pub policies: bool,
    /// Whether the account reads regional targets (the 培育目标 entry): officials and the ministry.
    pub targets: bool,
    /// The operations pages the role may open (by their capabilities).
    pub operations: Operations,
}

/// Which operations pages the navigation offers: the role's capabilities,
/// as the API checks them.
#[derive(Debug, Clone, Serialize)]
pub struct Operations {
    pub reports: bool,
    pub lists: bool,
    pub rulesets: bool,
    pub accounts: bool,
    pub audit: bool,
}

impl Operations {
    fn of(role: hatchery_core::workflow::Role) -> Self {
        use hatchery_core::workflow::Capability;
        Self {
            reports: Capability::ReadStatistics.granted_to(role),
            lists: Capability::ImportData.granted_to(role),
            rulesets: Capability::ReadEnterprises.granted_to(role),
            accounts: Capability::ReadAccounts.granted_to(role),
            audit: Capability::ReadAudit.granted_to(role),
        }
    }
}

impl Chrome {
    /// The chrome of a page at `path` (path and query) in `lang`.
    pub fn new(lang: Lang, title: &'static str, section: &'static str, path: &str) -> Self {
        let other = match lang {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        };
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("next", path);
        Self {
            lang,
            title,
            section,
            user: None,
            csrf: String::new(),
            switch_href: format!("/lang/{}?{}", other.tag(), query.finish()),
            switch_label: match other {
                Lang::Zh => "lang.zh",
                Lang::En => "lang.en",
            },
            switch_lang: other.tag(),
            charts: false,
        }
    }

    /// The chrome of a signed-in member's page.
    pub fn member(member: &Member, title: &'static str, section: &'static str) -> Self {
        let mut chrome = Self::new(member.lang, title, section, &member.path);
        chrome.user = Some(UserChrome {
            name: member.caller.account.display_name.clone(),
            role: format!("role.{}", member.caller.account.role.as_str()),
            full: !member.caller.account.must_change_password,
            directory: Capability::ReadEnterprises.granted_to(member.caller.account.role),
            declarations: Capability::ReadDeclarations.granted_to(member.caller.account.role),
            pool: Capability::ReadPool.granted_to(member.caller.account.role),
            requests: Capability::ReadRequests.granted_to(member.caller.account.role),
            registrations: Capability::CheckRegistrations.granted_to(member.caller.account.role),
            stewards: Capability::ReadStewards.granted_to(member.caller.account.role),
            catalogue: Capability::ReadCatalogue.granted_to(member.caller.account.role),
            policies: Capability::ReadPolicies.granted_to(member.caller.account.role),
            targets: Capability::ReadTargets.granted_to(member.caller.account.role),
            operations: Operations::of(member.caller.account.role),
        });
        chrome.csrf = member.csrf.clone();
        chrome
    }
}
