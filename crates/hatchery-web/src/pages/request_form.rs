//! Filing a request: an enterprise for itself, or its city or zone office
//! on its behalf (typing its id, or arriving from its page). The class
//! decides the clocks, shown beside it from the national clock set; the
//! API's `file_request` files it and names any field it refuses, which
//! comes back beside that field with everything typed. Once the enterprise
//! is known, the service items it may use (the API's `enterprise_services`)
//! are offered to name the one the request is about.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use hatchery_core::services::{RequestChannel, RequestClass};
use hatchery_core::workflow::{Capability, Placement, Scope};
use hatchery_server::AppState;
use hatchery_server::extract::{Json, Path};
use hatchery_server::routes::catalogue::enterprise_services;
use hatchery_server::routes::enterprises::get_enterprise;
use hatchery_server::routes::requests::{FileRequest, file_request};
use serde::{Deserialize, Serialize};

use super::catalogue::category_key;
use super::request::{field_message, request_refusal};
use super::requests::class_key;
use super::{Choice, error_page};
use crate::format;
use crate::i18n::{Lang, catalog};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// The form as posted (and as shown).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct RequestFields {
    #[serde(default)]
    pub enterprise: String,
    #[serde(default)]
    pub class: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    /// The catalogue item's id, or empty for none.
    #[serde(default)]
    pub catalogue_item: String,
    #[serde(default, skip_serializing)]
    pub csrf: String,
}

/// Which enterprise to file for (an official arriving from its page).
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub enterprise: String,
}

/// One class's clocks, as the hint beside the class shows them.
#[derive(Debug, Serialize)]
struct ClockRow {
    class: String,
    accept: String,
    answer: String,
    close: String,
}

/// The items of one menu the enterprise may use, as a `<optgroup>`.
#[derive(Debug, Serialize)]
struct ItemGroup {
    label: String,
    items: Vec<Choice>,
}

/// The national clocks, for the hint.
#[derive(Debug, Serialize)]
struct Clocks {
    set: String,
    escalate: String,
    rows: Vec<ClockRow>,
}

#[derive(Debug, Serialize)]
struct FormPage {
    /// The enterprise is the account's own (no field to type it).
    fixed_enterprise: bool,
    enterprise_name: String,
    classes: Vec<Choice>,
    /// The channels an official chooses from (none for an enterprise).
    channels: Vec<Choice>,
    clocks: Option<Clocks>,
    /// The catalogue items the enterprise may use, by menu (none offered
    /// before the enterprise is known, or for a role that does not read
    /// the catalogue).
    items: Vec<ItemGroup>,
    /// What the system holds about the enterprise, with source and date
    /// ("enter once"): confirmed or corrected here, never typed again.
    held: Vec<super::profile::HeldRow>,
    fields: RequestFields,
    problem: Option<&'static str>,
    errors: BTreeMap<String, &'static str>,
}

/// The account's own enterprise, when it is an enterprise's account.
fn own_enterprise(member: &Member) -> Option<String> {
    match &member.caller.scope {
        Scope::Enterprise(id) => Some(id.to_string()),
        _ => None,
    }
}

/// The national clock set's limits, in the language.
fn clocks(state: &AppState, lang: Lang) -> Option<Clocks> {
    let set = state
        .settings
        .services
        .clocks
        .for_placement(&Placement::default())
        .ok()?;
    let catalog = catalog(lang);
    Some(Clocks {
        // A set not checked against its sources says so wherever it is shown.
        set: match set.status() {
            hatchery_core::services::ClockStatus::Verified => {
                format!("{}@{}", set.id(), set.version())
            }
            hatchery_core::services::ClockStatus::Unverified => catalog.format(
                "requests.clocks_unverified",
                &[("set", format!("{}@{}", set.id(), set.version()))],
            ),
        },
        escalate: format::limit(set.escalate_unaccepted_after(), lang),
        rows: RequestClass::ALL
            .iter()
            .map(|&class| {
                let clock = set.clock(class);
                ClockRow {
                    class: catalog.format(&class_key(class), &[]),
                    accept: format::limit(clock.accept, lang),
                    answer: format::limit(clock.answer, lang),
                    close: format::limit(clock.close, lang),
                }
            })
            .collect(),
    })
}

/// The page for `fields`, its choices marked.
fn page(state: &AppState, member: &Member, fields: RequestFields) -> FormPage {
    let lang = member.lang;
    let catalog = catalog(lang);
    let own = own_enterprise(member);
    let class = if fields.class.is_empty() {
        RequestClass::General.as_str()
    } else {
        fields.class.as_str()
    };
    let channel = if fields.channel.is_empty() {
        RequestChannel::Steward.as_str()
    } else {
        fields.channel.as_str()
    };
    FormPage {
        fixed_enterprise: own.is_some(),
        enterprise_name: String::new(),
        classes: RequestClass::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str().to_owned(),
                label: catalog.format(&class_key(*c), &[]),
                selected: c.as_str() == class,
            })
            .collect(),
        channels: if own.is_some() {
            Vec::new()
        } else {
            RequestChannel::ALL
                .iter()
                .filter(|c| **c != RequestChannel::Platform)
                .map(|c| Choice {
                    value: c.as_str().to_owned(),
                    label: catalog.format(&format!("request_channel.{}", c.as_str()), &[]),
                    selected: c.as_str() == channel,
                })
                .collect()
        },
        clocks: clocks(state, lang),
        items: Vec::new(),
        held: Vec::new(),
        fields,
        problem: None,
        errors: BTreeMap::new(),
    }
}

/// The enterprise's name, when the account may read it.
async fn enterprise_name(state: &AppState, member: &Member, id: &str) -> Option<String> {
    get_enterprise(
        State(state.clone()),
        member.caller.clone(),
        Path(id.to_owned()),
    )
    .await
    .ok()
    .map(|Json(detail)| detail.summary.name)
}

/// The catalogue items `enterprise` may use, `chosen` marked; none when
/// the account does not read them.
async fn catalogue_items(
    state: &AppState,
    member: &Member,
    enterprise: &str,
    chosen: &str,
) -> Vec<ItemGroup> {
    if !Capability::ReadCatalogue.granted_to(member.caller.account.role) {
        return Vec::new();
    }
    let Ok(Json(services)) = enterprise_services(
        State(state.clone()),
        member.caller.clone(),
        Path(enterprise.to_owned()),
    )
    .await
    else {
        return Vec::new();
    };
    let catalog = catalog(member.lang);
    services
        .menus
        .iter()
        .map(|m| ItemGroup {
            label: format!("{} {}", m.menu.title, m.menu.label),
            items: m
                .items
                .iter()
                .map(|i| Choice {
                    value: i.id.to_string(),
                    label: format!(
                        "{} · {} · {}",
                        i.title,
                        catalog.format(&category_key(i.category), &[]),
                        i.provider_name
                    ),
                    selected: i.id.to_string() == chosen,
                })
                .collect(),
        })
        .collect()
}

fn chrome(member: &Member) -> Chrome {
    Chrome::member(member, "requests.new_title", "requests")
}

/// `GET /requests/new[?enterprise=ID]`.
pub async fn new_form(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<NewQuery>,
) -> Response {
    if !Capability::FileRequests.granted_to(member.caller.account.role) {
        return error_page(&site, &chrome(&member), StatusCode::FORBIDDEN);
    }
    let enterprise = own_enterprise(&member).unwrap_or(query.enterprise);
    let mut page = page(
        &state,
        &member,
        RequestFields {
            enterprise: enterprise.trim().to_owned(),
            ..RequestFields::default()
        },
    );
    if !enterprise.trim().is_empty() {
        page.enterprise_name = enterprise_name(&state, &member, enterprise.trim())
            .await
            .unwrap_or_default();
        page.items = catalogue_items(&state, &member, enterprise.trim(), "").await;
        page.held = super::profile::held_rows(&state, &member, enterprise.trim()).await;
    }
    site.page(StatusCode::OK, "request_form.html", &chrome(&member), page)
}

/// `POST /requests/new`: files it through the API, then shows it.
pub async fn create(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Form(fields): Form<RequestFields>,
) -> Response {
    let mut fields = fields;
    let own = own_enterprise(&member);
    if let Some(own) = &own {
        fields.enterprise.clone_from(own);
    }
    let mut page = page(&state, &member, fields.clone());
    let enterprise = fields.enterprise.trim().to_owned();
    if !enterprise.is_empty() {
        page.enterprise_name = enterprise_name(&state, &member, &enterprise)
            .await
            .unwrap_or_default();
        page.items =
            catalogue_items(&state, &member, &enterprise, fields.catalogue_item.trim()).await;
        page.held = super::profile::held_rows(&state, &member, &enterprise).await;
    }
    if !member.csrf_ok(&fields.csrf) {
        page.problem = Some("form.expired");
        return site.page(
            StatusCode::FORBIDDEN,
            "request_form.html",
            &chrome(&member),
            page,
        );
    }
    if enterprise.is_empty() {
        page.errors
            .insert("enterprise".into(), "declare.enterprise_required");
    }
    let class = RequestClass::parse(fields.class.trim());
    if class.is_none() {
        page.errors
            .insert("class".into(), "requests.class_required");
    }
    let channel = if own.is_some() {
        None
    } else {
        let channel = RequestChannel::parse(fields.channel.trim());
        if channel.is_none() {
            page.errors
                .insert("channel".into(), "requests.channel_invalid");
        }
        channel
    };
    let catalogue_item = match fields.catalogue_item.trim() {
        "" => None,
        text => {
            let item = text.parse::<i64>().ok();
            if item.is_none() {
                page.errors
                    .insert("catalogue_item".into(), "catalogue.item_unusable");
            }
            item
        }
    };
    if let (true, Some(class)) = (page.errors.is_empty(), class) {
        let request = FileRequest {
            enterprise,
            class,
            channel,
            title: fields.title.clone(),
            body: fields.body.clone(),
            catalogue_item,
        };
        match file_request(State(state.clone()), member.caller.clone(), Json(request)).await {
            Ok((_, Json(filed))) => {
                return Redirect::to(&format!("/requests/{}?done=file", filed.id)).into_response();
            }
            Err(error) => {
                let named = error
                    .details()
                    .and_then(|d| d.get("field"))
                    .and_then(|f| f.as_str())
                    .map(str::to_owned);
                match named {
                    Some(name) if name == "catalogue_item" => {
                        page.errors.insert(name, "catalogue.item_unusable");
                    }
                    Some(name) if error.code() == "invalid_field" => {
                        let typed = match name.as_str() {
                            "title" => &fields.title,
                            "body" => &fields.body,
                            _ => &fields.enterprise,
                        };
                        let message = field_message(&name, typed.trim().is_empty());
                        page.errors.insert(name, message);
                    }
                    _ if error.status() == StatusCode::NOT_FOUND => {
                        page.errors
                            .insert("enterprise".into(), "declare.enterprise_unknown");
                    }
                    _ => {
                        page.problem = Some(request_refusal(&error));
                        return site.page(
                            error.status(),
                            "request_form.html",
                            &chrome(&member),
                            page,
                        );
                    }
                }
            }
        }
    }
    page.problem = Some("workflow.fix_below");
    site.page(
        StatusCode::UNPROCESSABLE_ENTITY,
        "request_form.html",
        &chrome(&member),
        page,
    )
}
