//! 服务目录: the jurisdiction's service menus and one menu version with its
//! items — the API's own `list_menus`, `create_menu`, `get_menu`,
//! `add_item`, `publish_menu` and `next_version`. An enterprise's account
//! sees here the items it may use and its packages instead.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_core::services::catalogue::{
    self, DeliveryForm, FeeKind, MenuState, ServiceCategory, ServiceTier,
};
use hatchery_core::workflow::{Capability, Jurisdiction};
use hatchery_server::extract::{Json, Path};
use hatchery_server::routes::catalogue::{
    ItemBody, MenuBody, MenuView, PublishBody, add_item as api_add_item, create_menu as api_create,
    get_menu, list_menus, list_providers, next_version as api_next, publish_menu,
};
use hatchery_server::{ApiError, AppState};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{
    ItemRow, Refusal, Services, category_key, choices, delivery_key, fee_key, menu_state_key,
    own_enterprise, services_of, tier_key, typed,
};
use crate::format;
use crate::i18n::catalog;
use crate::pages::requests::office_text;
use crate::pages::{Choice, failure, posted_pairs};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// What a page says after a step.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: String,
}

/// A menu's title and label, as typed (a new menu, or the next version).
#[derive(Debug, Default, Serialize)]
struct MenuForm {
    title: String,
    label: String,
    problem: Option<&'static str>,
    errors: BTreeMap<String, &'static str>,
}

impl MenuForm {
    fn from_refusal(refused: Option<&Refusal>, title: &str) -> Self {
        match refused {
            Some(r) => Self {
                title: r.typed("title"),
                label: r.typed("label"),
                problem: (!r.problem.is_empty()).then_some(r.problem),
                errors: r.errors.clone(),
            },
            None => Self {
                title: title.to_owned(),
                ..Self::default()
            },
        }
    }
}

#[derive(Debug, Serialize)]
struct MenuRow {
    id: i64,
    title: String,
    label: String,
    number: i64,
    state: String,
    published: String,
    jurisdiction: String,
    items: usize,
}

#[derive(Debug, Serialize)]
struct Manage {
    rows: Vec<MenuRow>,
    form: MenuForm,
}

#[derive(Debug, Serialize)]
struct OverviewPage {
    /// The menus and the form to create one (roles that manage the catalogue).
    manage: Option<Manage>,
    /// An enterprise's account: what it may use and its packages.
    services: Option<Services>,
    /// A refusal of a form this account is not offered, in words.
    problem: Option<&'static str>,
}

async fn menu_rows(
    state: &AppState,
    member: &Member,
    menus: &[MenuView],
) -> Result<Vec<MenuRow>, ApiError> {
    let lang = member.lang;
    let ledger = state.ledger().await?;
    let mut rows = Vec::with_capacity(menus.len());
    for m in menus {
        let Json(detail) =
            get_menu(State(state.clone()), member.caller.clone(), Path(m.id)).await?;
        rows.push(MenuRow {
            id: m.id,
            title: m.title.clone(),
            label: m.label.clone(),
            number: m.number,
            state: menu_state_key(m.state),
            published: m
                .published_on
                .map(|d| format::date(d, lang))
                .unwrap_or_default(),
            jurisdiction: office_text(&m.jurisdiction, &ledger, lang),
            items: detail.items.len(),
        });
    }
    Ok(rows)
}

async fn render_overview(
    state: &AppState,
    site: &Site,
    member: &Member,
    status: StatusCode,
    refused: Option<Refusal>,
) -> Response {
    let mut shown = member.clone();
    shown.path = "/services".into();
    let chrome = Chrome::member(&shown, "catalogue.title", "catalogue");
    let role = member.caller.account.role;
    if !Capability::ReadCatalogue.granted_to(role) {
        return failure(
            site,
            &chrome,
            &ApiError::forbidden("the catalogue is not read by this role"),
        );
    }
    let mut page = OverviewPage {
        manage: None,
        services: None,
        problem: None,
    };
    if let Some(own) = own_enterprise(member) {
        match services_of(state, member, &own).await {
            Ok((services, _)) => page.services = Some(services),
            Err(error) => return failure(site, &chrome, &error),
        }
    } else if Capability::ManageCatalogue.granted_to(role) {
        let rows = match list_menus(State(state.clone()), member.caller.clone()).await {
            Ok(Json(menus)) => menu_rows(state, member, &menus).await,
            Err(error) => Err(error),
        };
        match rows {
            Ok(rows) => {
                page.manage = Some(Manage {
                    rows,
                    form: MenuForm::from_refusal(refused.as_ref(), ""),
                });
            }
            Err(error) => return failure(site, &chrome, &error),
        }
    }
    if page.manage.is_none() {
        page.problem = refused.map(|r| r.problem).filter(|p| !p.is_empty());
    }
    site.page(status, "catalogue/services.html", &chrome, page)
}

/// `GET /services`.
pub async fn overview(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
) -> Response {
    render_overview(&state, &site, &member, StatusCode::OK, None).await
}

/// `POST /services/menus` (form: `csrf`, `title`, `label`): the API's
/// `create_menu`, in the account's jurisdiction.
pub async fn create(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    body: Bytes,
) -> Response {
    let pairs = posted_pairs(&body);
    let mut refused = Refusal::new("menu", &pairs);
    if !member.csrf_ok(&typed(&pairs, "csrf")) {
        refused.problem = "form.expired";
        return render_overview(&state, &site, &member, StatusCode::FORBIDDEN, Some(refused)).await;
    }
    let body = MenuBody {
        jurisdiction: None,
        title: typed(&pairs, "title"),
        label: typed(&pairs, "label"),
    };
    match api_create(State(state.clone()), member.caller.clone(), Json(body)).await {
        Ok((_, Json(created))) => {
            Redirect::to(&format!("/services/menus/{}?done=created", created.id)).into_response()
        }
        Err(error) => {
            refused.note_api_refusal(&error, |e| {
                (e.code() == "duplicate").then_some("catalogue.label_taken")
            });
            render_overview(&state, &site, &member, error.status(), Some(refused)).await
        }
    }
}

// ------------------------------------------------------------ one menu

/// A tier to tick.
#[derive(Debug, Serialize)]
struct TierPick {
    value: &'static str,
    label: String,
    checked: bool,
}

/// The form adding an item to a draft.
#[derive(Debug, Serialize)]
struct ItemForm {
    categories: Vec<Choice>,
    title: String,
    description: String,
    providers: Vec<Choice>,
    tiers: Vec<TierPick>,
    deliveries: Vec<Choice>,
    fees: Vec<Choice>,
    fee_amount: String,
    fee_note: String,
    time_limit_days: String,
    problem: Option<&'static str>,
    errors: BTreeMap<String, &'static str>,
}

/// The publish button's refusal, if any.
#[derive(Debug, Serialize)]
struct PublishForm {
    problem: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct MenuPage {
    id: i64,
    version: i64,
    title: String,
    label: String,
    number: i64,
    state: String,
    draft: bool,
    jurisdiction: String,
    published: String,
    items: Vec<ItemRow>,
    add: Option<ItemForm>,
    publish: Option<PublishForm>,
    next: Option<MenuForm>,
    done: Option<&'static str>,
}

fn refusal_of<'a>(refused: Option<&'a Refusal>, form: &str) -> Option<&'a Refusal> {
    refused.filter(|r| r.form == form)
}

/// The add-item form, blank or as `refused` left it.
async fn item_form(
    state: &AppState,
    member: &Member,
    refused: Option<&Refusal>,
) -> Result<ItemForm, ApiError> {
    let lang = member.lang;
    let catalog = catalog(lang);
    let Json(providers) = list_providers(State(state.clone()), member.caller.clone()).await?;
    let value = |name: &str| refused.map(|r| r.typed(name)).unwrap_or_default();
    let provider = value("provider");
    let ticked: Vec<String> = refused
        .map(|r| {
            r.typed
                .iter()
                .filter(|(k, _)| k == "tier")
                .map(|(_, v)| v.clone())
                .collect()
        })
        .unwrap_or_default();
    let fee = value("fee");
    Ok(ItemForm {
        categories: std::iter::once(Choice {
            value: String::new(),
            label: catalog.format("catalogue.choose_one", &[]),
            selected: value("category").is_empty(),
        })
        .chain(choices(
            lang,
            ServiceCategory::ALL,
            ServiceCategory::as_str,
            category_key,
            &value("category"),
        ))
        .collect(),
        title: value("title"),
        description: value("description"),
        providers: std::iter::once(Choice {
            value: String::new(),
            label: catalog.format("catalogue.choose_one", &[]),
            selected: provider.is_empty(),
        })
        .chain(
            providers
                .iter()
                .filter(|p| p.flags.hidden_because.is_none())
                .map(|p| Choice {
                    value: p.id.to_string(),
                    label: p.name.clone(),
                    selected: p.id.to_string() == provider,
                }),
        )
        .collect(),
        tiers: ServiceTier::ALL
            .iter()
            .map(|t| TierPick {
                value: t.as_str(),
                label: catalog.format(&tier_key(*t), &[]),
                checked: ticked.iter().any(|v| v == t.as_str()),
            })
            .collect(),
        deliveries: choices(
            lang,
            DeliveryForm::ALL,
            DeliveryForm::as_str,
            delivery_key,
            &value("delivery"),
        ),
        fees: choices(
            lang,
            FeeKind::ALL,
            FeeKind::as_str,
            fee_key,
            if fee.is_empty() { "free" } else { &fee },
        ),
        fee_amount: value("fee_amount"),
        fee_note: value("fee_note"),
        time_limit_days: value("time_limit_days"),
        problem: refused.map(|r| r.problem).filter(|p| !p.is_empty()),
        errors: refused.map(|r| r.errors.clone()).unwrap_or_default(),
    })
}

async fn render_menu(
    state: &AppState,
    site: &Site,
    member: &Member,
    id: i64,
    status: StatusCode,
    refused: Option<Refusal>,
    done: Option<&'static str>,
) -> Response {
    let lang = member.lang;
    let mut shown = member.clone();
    shown.path = format!("/services/menus/{id}");
    let chrome = Chrome::member(&shown, "catalogue.menu_title", "catalogue");
    let detail = match get_menu(State(state.clone()), member.caller.clone(), Path(id)).await {
        Ok(Json(detail)) => detail,
        Err(error) => return failure(site, &chrome, &error),
    };
    let ledger = match state.ledger().await {
        Ok(ledger) => ledger,
        Err(error) => return failure(site, &chrome, &error),
    };
    let m = &detail.menu;
    // The forms are offered where the API would take them: a menu of the
    // account's jurisdiction (or one within it), by its state.
    let manages = Capability::ManageCatalogue.granted_to(member.caller.account.role)
        && Jurisdiction::parse(&m.jurisdiction)
            .is_ok_and(|j| catalogue::manages(&member.caller.scope, &j));
    let draft = m.state == MenuState::Draft;
    let add = if manages && draft {
        match item_form(state, member, refusal_of(refused.as_ref(), "item")).await {
            Ok(form) => Some(form),
            Err(error) => return failure(site, &chrome, &error),
        }
    } else {
        None
    };
    let page = MenuPage {
        id: m.id,
        version: m.version,
        title: m.title.clone(),
        label: m.label.clone(),
        number: m.number,
        state: menu_state_key(m.state),
        draft,
        jurisdiction: office_text(&m.jurisdiction, &ledger, lang),
        published: m
            .published_on
            .map(|d| format::date(d, lang))
            .unwrap_or_default(),
        items: detail.items.iter().map(|i| ItemRow::of(i, lang)).collect(),
        add,
        publish: (manages && draft).then(|| PublishForm {
            problem: refusal_of(refused.as_ref(), "publish").map(|r| r.problem),
        }),
        next: (manages && !draft)
            .then(|| MenuForm::from_refusal(refusal_of(refused.as_ref(), "next"), &m.title)),
        done,
    };
    site.page(status, "catalogue/menu.html", &chrome, page)
}

/// `GET /services/menus/{id}[?done=…]`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let done = match query.done.as_str() {
        "created" => Some("catalogue.done_created"),
        "item" => Some("catalogue.done_item"),
        "published" => Some("catalogue.done_published"),
        "version" => Some("catalogue.done_version"),
        _ => None,
    };
    render_menu(&state, &site, &member, id, StatusCode::OK, None, done).await
}

/// Reads the posted form of `form` on menu `id`: its pairs and a refusal
/// ready to fill, or the page saying the form expired.
async fn posted(
    state: &AppState,
    site: &Site,
    member: &Member,
    id: i64,
    form: &str,
    body: &[u8],
) -> Result<(Vec<(String, String)>, Refusal, i64), Response> {
    let pairs = posted_pairs(body);
    let mut refused = Refusal::new(form, &pairs);
    if !member.csrf_ok(&typed(&pairs, "csrf")) {
        refused.problem = "form.expired";
        return Err(render_menu(
            state,
            site,
            member,
            id,
            StatusCode::FORBIDDEN,
            Some(refused),
            None,
        )
        .await);
    }
    let Ok(version) = typed(&pairs, "version").parse::<i64>() else {
        refused.problem = "error.bad_request_text";
        return Err(render_menu(
            state,
            site,
            member,
            id,
            StatusCode::BAD_REQUEST,
            Some(refused),
            None,
        )
        .await);
    };
    Ok((pairs, refused, version))
}

/// `POST /services/menus/{id}/items` (form: `csrf`, `version`, `category`,
/// `title`, `description`, `provider`, `tier`…, `delivery`, `fee`,
/// `fee_amount`, `fee_note`, `time_limit_days`): the API's `add_item`.
pub async fn add_item(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let (pairs, mut refused, version) =
        match posted(&state, &site, &member, id, "item", &body).await {
            Ok(posted) => posted,
            Err(page) => return page,
        };
    let field = |name: &str| typed(&pairs, name);
    let mut errors = BTreeMap::new();
    let category = ServiceCategory::parse(field("category").trim());
    if category.is_none() {
        errors.insert("category".to_owned(), "catalogue.choose");
    }
    let provider = field("provider").trim().parse::<i64>().ok();
    if provider.is_none() {
        errors.insert("provider".to_owned(), "catalogue.choose");
    }
    let tiers: Option<Vec<ServiceTier>> = pairs
        .iter()
        .filter(|(k, _)| k == "tier")
        .map(|(_, v)| ServiceTier::parse(v))
        .collect();
    if tiers.is_none() {
        errors.insert("tiers".to_owned(), "catalogue.tiers_required");
    }
    let delivery = DeliveryForm::parse(field("delivery").trim());
    if delivery.is_none() {
        errors.insert("delivery".to_owned(), "catalogue.choose");
    }
    let fee = FeeKind::parse(field("fee").trim());
    if fee.is_none() {
        errors.insert("fee".to_owned(), "catalogue.choose");
    }
    let amount = match field("fee_amount").trim() {
        "" => Ok(None),
        text => text.parse::<Decimal>().map(Some),
    };
    if amount.is_err() {
        errors.insert("fee_amount".to_owned(), "catalogue.fee_amount_invalid");
    }
    let days = match field("time_limit_days").trim() {
        "" => Ok(None),
        text => text.parse::<u16>().map(Some),
    };
    if days.is_err() {
        errors.insert("time_limit_days".to_owned(), "catalogue.time_limit_invalid");
    }
    let (
        Some(category),
        Some(provider),
        Some(tiers),
        Some(delivery),
        Some(fee),
        Ok(amount),
        Ok(days),
    ) = (category, provider, tiers, delivery, fee, amount, days)
    else {
        refused.errors = errors;
        refused.problem = "workflow.fix_below";
        return render_menu(
            &state,
            &site,
            &member,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(refused),
            None,
        )
        .await;
    };
    let note = field("fee_note");
    let body = ItemBody {
        version,
        category,
        title: field("title"),
        description: field("description"),
        provider,
        tiers,
        delivery,
        fee,
        fee_amount_cny: amount,
        fee_note: (!note.trim().is_empty()).then_some(note),
        time_limit_days: days,
    };
    match api_add_item(
        State(state.clone()),
        member.caller.clone(),
        Path(id),
        Json(body),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/services/menus/{id}?done=item")).into_response(),
        Err(error) => {
            refused.note_api_refusal(&error, |e| {
                (e.code() == "invalid_transition").then_some("catalogue.frozen")
            });
            render_menu(
                &state,
                &site,
                &member,
                id,
                error.status(),
                Some(refused),
                None,
            )
            .await
        }
    }
}

/// `POST /services/menus/{id}/publish` (form: `csrf`, `version`): the
/// API's `publish_menu`.
pub async fn publish(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let (_, mut refused, version) = match posted(&state, &site, &member, id, "publish", &body).await
    {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    match publish_menu(
        State(state.clone()),
        member.caller.clone(),
        Path(id),
        Json(PublishBody { version }),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/services/menus/{id}?done=published")).into_response(),
        Err(error) => {
            // A draft without items, or a menu no longer a draft.
            let empty = match get_menu(State(state.clone()), member.caller.clone(), Path(id)).await
            {
                Ok(Json(detail)) => detail.items.is_empty(),
                Err(_) => false,
            };
            refused.note_api_refusal(&error, |e| {
                (e.code() == "invalid_transition").then_some(if empty {
                    "catalogue.publish_empty"
                } else {
                    "catalogue.not_draft"
                })
            });
            render_menu(
                &state,
                &site,
                &member,
                id,
                error.status(),
                Some(refused),
                None,
            )
            .await
        }
    }
}

/// `POST /services/menus/{id}/versions` (form: `csrf`, `version`, `title`,
/// `label`): the API's `next_version`, then the new draft.
pub async fn next_version(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let (pairs, mut refused, _) = match posted(&state, &site, &member, id, "next", &body).await {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let body = MenuBody {
        jurisdiction: None,
        title: typed(&pairs, "title"),
        label: typed(&pairs, "label"),
    };
    match api_next(
        State(state.clone()),
        member.caller.clone(),
        Path(id),
        Json(body),
    )
    .await
    {
        Ok((_, Json(created))) => {
            Redirect::to(&format!("/services/menus/{}?done=version", created.id)).into_response()
        }
        Err(error) => {
            refused.note_api_refusal(&error, |e| match e.code() {
                "duplicate" => Some("catalogue.draft_exists"),
                "invalid_transition" => Some("catalogue.draft_has_no_next"),
                _ => None,
            });
            render_menu(
                &state,
                &site,
                &member,
                id,
                error.status(),
                Some(refused),
                None,
            )
            .await
        }
    }
}
