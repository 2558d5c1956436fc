//! An enterprise's services and yearly packages (服务包), and composing a
//! year's package from the items it may use — the API's own
//! `enterprise_services`, `list_packages` and `compose_package`. The
//! enterprise page's section carries the same form; a refused one comes
//! back here, beside its field, with what was ticked still ticked.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_core::workflow::Capability;
use hatchery_server::AppState;
use hatchery_server::extract::{Json, Path};
use hatchery_server::routes::catalogue::{PackageBody, ServicesView, compose_package};
use hatchery_server::routes::enterprises::get_enterprise;
use serde::{Deserialize, Serialize};

use super::{Refusal, Services, services_of, typed};
use crate::pages::{failure, posted_pairs};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// One item the enterprise may use, to tick.
#[derive(Debug, Serialize)]
struct Pick {
    id: i64,
    title: String,
    provider: String,
    menu: String,
    checked: bool,
}

/// The form composing a year's package.
#[derive(Debug, Serialize)]
pub(crate) struct PackageForm {
    enterprise: String,
    year: String,
    note: String,
    items: Vec<Pick>,
    problem: Option<&'static str>,
    errors: BTreeMap<String, &'static str>,
}

impl PackageForm {
    /// The form for the items of `view`, this year's, or as `refused` left it.
    pub(crate) fn new(state: &AppState, view: &ServicesView, refused: Option<&Refusal>) -> Self {
        let ticked: Vec<String> = refused
            .map(|r| {
                r.typed
                    .iter()
                    .filter(|(k, _)| k == "item")
                    .map(|(_, v)| v.clone())
                    .collect()
            })
            .unwrap_or_default();
        Self {
            enterprise: view.enterprise.clone(),
            year: refused.map_or_else(|| state.today().year().to_string(), |r| r.typed("year")),
            note: refused.map(|r| r.typed("note")).unwrap_or_default(),
            items: view
                .menus
                .iter()
                .flat_map(|m| {
                    m.items.iter().map(|i| Pick {
                        id: i.id,
                        title: i.title.clone(),
                        provider: i.provider_name.clone(),
                        menu: format!("{} {}", m.menu.title, m.menu.label),
                        checked: ticked.contains(&i.id.to_string()),
                    })
                })
                .collect(),
            problem: refused.map(|r| r.problem).filter(|p| !p.is_empty()),
            errors: refused.map(|r| r.errors.clone()).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Serialize)]
struct PackagePage {
    id: String,
    name: String,
    services: Services,
    compose: Option<PackageForm>,
    /// A refusal of the form, when this account is not offered it.
    problem: Option<&'static str>,
    done: bool,
}

/// What the page says after a package composed.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: String,
}

async fn render(
    state: &AppState,
    site: &Site,
    member: &Member,
    enterprise: &str,
    status: StatusCode,
    refused: Option<Refusal>,
    done: bool,
) -> Response {
    let mut shown = member.clone();
    shown.path = format!("/services/packages/{enterprise}");
    let chrome = Chrome::member(&shown, "catalogue.package_title", "catalogue");
    let name = match get_enterprise(
        State(state.clone()),
        member.caller.clone(),
        Path(enterprise.to_owned()),
    )
    .await
    {
        Ok(Json(detail)) => detail.summary.name,
        Err(error) => return failure(site, &chrome, &error),
    };
    let (services, view) = match services_of(state, member, enterprise).await {
        Ok(found) => found,
        Err(error) => return failure(site, &chrome, &error),
    };
    let compose = Capability::ComposePackages
        .granted_to(member.caller.account.role)
        .then(|| PackageForm::new(state, &view, refused.as_ref()));
    let problem = if compose.is_none() {
        refused.map(|r| r.problem).filter(|p| !p.is_empty())
    } else {
        None
    };
    let page = PackagePage {
        id: view.enterprise.clone(),
        name,
        services,
        compose,
        problem,
        done,
    };
    site.page(status, "catalogue/package.html", &chrome, page)
}

/// `GET /services/packages/{enterprise}[?done=composed]`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(enterprise): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let done = query.done == "composed";
    render(
        &state,
        &site,
        &member,
        &enterprise,
        StatusCode::OK,
        None,
        done,
    )
    .await
}

/// `POST /services/packages/{enterprise}` (form: `csrf`, `year`, `item`…,
/// `note`): the API's `compose_package`.
pub async fn compose(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(enterprise): Path<String>,
    body: Bytes,
) -> Response {
    let pairs = posted_pairs(&body);
    let mut refused = Refusal::new("package", &pairs);
    let again = |status, refused| {
        render(
            &state,
            &site,
            &member,
            &enterprise,
            status,
            Some(refused),
            false,
        )
    };
    if !member.csrf_ok(&typed(&pairs, "csrf")) {
        refused.problem = "form.expired";
        return again(StatusCode::FORBIDDEN, refused).await;
    }
    let year = typed(&pairs, "year").trim().parse::<i16>();
    if year.is_err() {
        refused
            .errors
            .insert("year".into(), "catalogue.year_invalid");
    }
    let items: Result<Vec<i64>, _> = pairs
        .iter()
        .filter(|(k, _)| k == "item")
        .map(|(_, v)| v.parse::<i64>())
        .collect();
    if items.is_err() {
        refused
            .errors
            .insert("items".into(), "catalogue.items_invalid");
    }
    let (Ok(year), Ok(items)) = (year, items) else {
        refused.problem = "workflow.fix_below";
        return again(StatusCode::UNPROCESSABLE_ENTITY, refused).await;
    };
    let note = typed(&pairs, "note");
    let body = PackageBody {
        year,
        items,
        note: (!note.trim().is_empty()).then_some(note),
    };
    match compose_package(
        State(state.clone()),
        member.caller.clone(),
        Path(enterprise.clone()),
        Json(body),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!(
            "/services/packages/{}?done=composed",
            form_urlencoded::byte_serialize(enterprise.as_bytes()).collect::<String>()
        ))
        .into_response(),
        Err(error) if error.code() == "duplicate" => {
            refused
                .errors
                .insert("year".into(), "catalogue.package_exists");
            refused.problem = "workflow.fix_below";
            again(error.status(), refused).await
        }
        Err(error) => {
            refused.note_api_refusal(&error, |_| None);
            again(error.status(), refused).await
        }
    }
}
