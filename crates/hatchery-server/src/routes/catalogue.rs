//! The service catalogue (服务菜单): providers with their vetting flags,
//! versioned menus per jurisdiction, what an enterprise may use, and its
//! yearly service packages (服务包). The rules are the domain's
//! (`hatchery_core::services::catalogue`); the store checks the ones that
//! protect enterprises again inside its transaction.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use hatchery_core::services::catalogue::{
    self, CatalogueError, DeliveryForm, FeeKind, FeeTerms, ItemForm, ItemId, MenuForm, MenuId,
    MenuState, PackageForm, ProviderFlags, ProviderForm, ProviderId, ProviderKind, ServiceCategory,
    ServiceTier,
};
use hatchery_core::services::policy::jurisdictions_over_zone;
use hatchery_core::workflow::{Capability, Jurisdiction, Placement, Role, Scope};
use hatchery_store::workflow::catalogue::{Menu, MenuItem, NewPackage, Package, Provider};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path};
use crate::routes::enterprises::{rule_set, visible};
use crate::state::AppState;

impl From<CatalogueError> for ApiError {
    fn from(error: CatalogueError) -> Self {
        let message = error.to_string();
        match error {
            CatalogueError::Field(problem) => Self::invalid("invalid_field", message)
                .with_details(serde_json::json!({ "field": problem.field })),
            CatalogueError::FlaggedProvider { .. } => Self::invalid("invalid_field", message)
                .with_details(serde_json::json!({ "field": "provider" })),
            CatalogueError::Frozen { .. }
            | CatalogueError::NotDraft { .. }
            | CatalogueError::DraftHasNoNext { .. }
            | CatalogueError::Empty { .. } => Self::conflict("invalid_transition", message),
            CatalogueError::OutOfScope => Self::not_found(),
        }
    }
}

// ------------------------------------------------------------ views

/// A provider's vetting flags, and why it is hidden from enterprises.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlagsView {
    pub dishonest: bool,
    #[schema(value_type = Option<String>, format = Date)]
    pub checked_on: Option<Date>,
    pub check_source: Option<String>,
    pub complaints: u32,
    pub suspended_reason: Option<String>,
    /// Why enterprises do not see it (`None`: they do).
    pub hidden_because: Option<String>,
    /// The written reason of the last change of flags.
    pub reason: Option<String>,
}

/// A service provider.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderView {
    pub id: i64,
    pub jurisdiction: String,
    pub name: String,
    pub kind: ProviderKind,
    pub uscc: Option<String>,
    pub contact: String,
    pub flags: FlagsView,
    pub version: i64,
}

impl From<&Provider> for ProviderView {
    fn from(p: &Provider) -> Self {
        Self {
            id: p.id.0,
            jurisdiction: p.jurisdiction.to_string(),
            name: p.form.name.clone(),
            kind: p.form.kind,
            uscc: p.form.uscc.as_ref().map(|u| u.as_str().to_owned()),
            contact: p.form.contact.clone(),
            flags: FlagsView {
                dishonest: p.flags.dishonest,
                checked_on: p.flags.checked_on,
                check_source: p.flags.check_source.clone(),
                complaints: p.flags.complaints,
                suspended_reason: p.flags.suspended.clone(),
                hidden_because: p.flags.withdrawal().map(|w| w.to_string()),
                reason: p.flags_reason.clone(),
            },
            version: p.version,
        }
    }
}

/// A menu version.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuView {
    pub id: i64,
    /// The id of the menu's first version, shared by all its versions.
    pub series: i64,
    pub number: i64,
    pub jurisdiction: String,
    pub title: String,
    pub label: String,
    pub state: MenuState,
    #[schema(value_type = Option<String>, format = Date)]
    pub published_on: Option<Date>,
    pub version: i64,
}

impl From<&Menu> for MenuView {
    fn from(m: &Menu) -> Self {
        Self {
            id: m.id.0,
            series: m.series.0,
            number: m.number,
            jurisdiction: m.jurisdiction.to_string(),
            title: m.form.title.clone(),
            label: m.form.label.clone(),
            state: m.state,
            published_on: m.published_on,
            version: m.version,
        }
    }
}

/// A service item.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    pub id: i64,
    pub menu: i64,
    pub category: ServiceCategory,
    pub title: String,
    pub description: String,
    pub provider: i64,
    pub provider_name: String,
    pub tiers: Vec<ServiceTier>,
    pub delivery: DeliveryForm,
    pub fee: FeeKind,
    /// A fixed fee in yuan, as a decimal string.
    #[schema(value_type = Option<String>)]
    pub fee_amount_cny: Option<Decimal>,
    pub fee_note: Option<String>,
    pub time_limit_days: Option<u16>,
    /// Why the item is withdrawn (its provider was flagged), if it is.
    pub withdrawn_because: Option<String>,
}

fn item_view(item: &MenuItem, providers: &HashMap<ProviderId, Provider>) -> ItemView {
    let provider = providers.get(&item.form.provider);
    ItemView {
        id: item.id.0,
        menu: item.menu.0,
        category: item.form.category,
        title: item.form.title.clone(),
        description: item.form.description.clone(),
        provider: item.form.provider.0,
        provider_name: provider.map(|p| p.form.name.clone()).unwrap_or_default(),
        tiers: item.form.tiers.clone(),
        delivery: item.form.delivery,
        fee: item.form.fee.kind(),
        fee_amount_cny: item.form.fee.amount(),
        fee_note: item.form.fee_note.clone(),
        time_limit_days: item.form.time_limit_days,
        withdrawn_because: provider
            .and_then(|p| p.flags.withdrawal())
            .map(|w| w.to_string()),
    }
}

/// A menu version with its items (for an enterprise: those it may use).
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuDetail {
    pub menu: MenuView,
    pub items: Vec<ItemView>,
}

/// What an enterprise may use today: its tier and the items of the
/// published menus of its jurisdiction chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServicesView {
    pub enterprise: String,
    /// Its tier under the default rule set today, if a menu targets it.
    pub tier: Option<ServiceTier>,
    pub menus: Vec<MenuDetail>,
}

/// A yearly service package.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackageView {
    pub id: i64,
    pub enterprise: String,
    pub year: i16,
    pub note: Option<String>,
    /// Its items; an item whose provider was flagged since says why.
    pub items: Vec<ItemView>,
}

// ------------------------------------------------------------ bodies

/// A provider to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProviderBody {
    /// The registering jurisdiction (default: the caller's).
    pub jurisdiction: Option<String>,
    pub name: String,
    pub kind: ProviderKind,
    /// The unified social credit code (checked).
    pub uscc: Option<String>,
    pub contact: String,
}

/// New vetting flags for a provider, with the reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagsBody {
    /// The version read.
    pub version: i64,
    pub dishonest: bool,
    #[schema(value_type = Option<String>, format = Date)]
    pub checked_on: Option<Date>,
    pub check_source: Option<String>,
    #[serde(default)]
    pub complaints: u32,
    /// Set to suspend, with the reason; absent to lift a suspension.
    pub suspended_reason: Option<String>,
    /// Why the flags change (required).
    pub reason: String,
}

/// A menu to create, or the next version's title and label.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MenuBody {
    /// The jurisdiction (default: the caller's); ignored for a new version.
    pub jurisdiction: Option<String>,
    pub title: String,
    pub label: String,
}

/// An item to add to a draft menu.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    /// The menu's version read.
    pub version: i64,
    pub category: ServiceCategory,
    pub title: String,
    pub description: String,
    pub provider: i64,
    pub tiers: Vec<ServiceTier>,
    pub delivery: DeliveryForm,
    pub fee: FeeKind,
    /// A fixed fee in yuan, e.g. "1999.90".
    #[schema(value_type = Option<String>)]
    pub fee_amount_cny: Option<Decimal>,
    pub fee_note: Option<String>,
    pub time_limit_days: Option<u16>,
}

/// The version of the draft to publish.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    pub version: i64,
}

/// A package to compose.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageBody {
    pub year: i16,
    pub items: Vec<i64>,
    pub note: Option<String>,
}

// ------------------------------------------------------------ helpers

fn jurisdiction_of(caller: &Caller, asked: Option<&str>) -> Result<Jurisdiction, ApiError> {
    let jurisdiction = match asked {
        Some(text) => Jurisdiction::parse(text).map_err(|e| {
            ApiError::invalid("invalid_field", format!("jurisdiction: {e}"))
                .with_details(serde_json::json!({ "field": "jurisdiction" }))
        })?,
        None => caller.account.jurisdiction.clone(),
    };
    if catalogue::manages(&caller.scope, &jurisdiction) {
        Ok(jurisdiction)
    } else {
        Err(ApiError::forbidden("that jurisdiction is outside yours"))
    }
}

/// What an official sees of the catalogue: the core's rule, and for a
/// zone's officials also what the district, city and province the zone lies
/// in registered (a zone's scope holds no division; its record places it).
struct View<'a> {
    caller: &'a Caller,
    zone_lies_in: Vec<Jurisdiction>,
}

impl<'a> View<'a> {
    async fn of(state: &AppState, caller: &'a Caller) -> Result<Self, ApiError> {
        let zone_lies_in = match &caller.scope {
            Scope::Zone(zone) => state
                .ledger()
                .await?
                .zones
                .resolve(zone.as_str())
                .map(jurisdictions_over_zone)
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        Ok(Self {
            caller,
            zone_lies_in,
        })
    }

    fn sees(&self, jurisdiction: &Jurisdiction) -> bool {
        catalogue::sees(&self.caller.scope, jurisdiction)
            || self.zone_lies_in.contains(jurisdiction)
    }
}

async fn providers_by_id(state: &AppState) -> Result<HashMap<ProviderId, Provider>, ApiError> {
    Ok(state
        .db
        .providers()
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// The menu `id` if the caller (an official) sees it: a draft only within
/// the caller's jurisdiction, as the list shows them.
async fn official_menu(state: &AppState, caller: &Caller, id: i64) -> Result<Menu, ApiError> {
    let menu = state
        .db
        .menu(MenuId(id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let shown =
        menu.state == MenuState::Published || catalogue::manages(&caller.scope, &menu.jurisdiction);
    if caller.account.role != Role::Enterprise
        && shown
        && View::of(state, caller).await?.sees(&menu.jurisdiction)
    {
        Ok(menu)
    } else {
        Err(ApiError::not_found())
    }
}

/// The menu `id` if the caller manages it.
async fn managed_menu(state: &AppState, caller: &Caller, id: i64) -> Result<Menu, ApiError> {
    caller.require(Capability::ManageCatalogue)?;
    let menu = official_menu(state, caller, id).await?;
    if catalogue::manages(&caller.scope, &menu.jurisdiction) {
        Ok(menu)
    } else {
        Err(ApiError::forbidden(
            "that menu belongs to a jurisdiction above yours",
        ))
    }
}

/// An enterprise the caller sees: its id, placement and service tier today.
/// A member of the cultivation pool is served at the tier it was confirmed
/// at (what the ministry decided, even where today's figures would say
/// less); any other enterprise at its tier today under the default rule set,
/// as the enterprise page decides it.
pub(crate) async fn enterprise_tier(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(hatchery_core::EnterpriseId, Placement, Option<ServiceTier>), ApiError> {
    let view = state.ledger().await?;
    let today = state.today();
    let (position, placement) = visible(&view, caller, id, today)?;
    let enterprise = view.ledger.enterprises()[position].id.clone();
    if let Some(tier) = pool_tier(state, &enterprise, today).await? {
        return Ok((enterprise, placement, Some(tier)));
    }
    let rules = rule_set(state, None, None).await?.rules;
    let facts = view.ledger.as_of(position, today);
    let tier = rules
        .classify(&facts)
        .and_then(|t| ServiceTier::of_key(&rules.tier(t).key));
    Ok((enterprise, placement, tier))
}

/// The tier at which `enterprise` is an active member of the pool on `day`.
async fn pool_tier(
    state: &AppState,
    enterprise: &hatchery_core::EnterpriseId,
    day: Date,
) -> Result<Option<ServiceTier>, ApiError> {
    let memberships = state
        .db
        .pool_members(&hatchery_store::workflow::PoolFilter {
            scope: hatchery_core::workflow::Scope::Enterprise(enterprise.clone()),
            status: Some(hatchery_store::workflow::MemberStatus::Active),
            tier: None,
            cycle: None,
            province: None,
            page: hatchery_store::workflow::Page {
                offset: 0,
                limit: 100,
            },
        })
        .await?;
    Ok(memberships
        .items
        .iter()
        .filter(|m| m.valid_from <= day && day <= m.valid_until)
        .find_map(|m| ServiceTier::of_key(&m.tier)))
}

/// The items an enterprise placed at `placement` of `tier` may use, by menu.
pub(crate) async fn services_for(
    state: &AppState,
    placement: &Placement,
    tier: Option<ServiceTier>,
) -> Result<Vec<MenuDetail>, ApiError> {
    let providers = providers_by_id(state).await?;
    let mut menus = Vec::new();
    for menu in state.db.menus().await? {
        if menu.state != MenuState::Published
            || !catalogue::jurisdiction_chain(placement).contains(&menu.jurisdiction)
        {
            continue;
        }
        let items: Vec<ItemView> = state
            .db
            .menu_items(menu.id)
            .await?
            .iter()
            .filter(|item| {
                providers.get(&item.form.provider).is_some_and(|p| {
                    catalogue::enterprise_may_use(
                        placement,
                        tier,
                        &menu.jurisdiction,
                        menu.state,
                        &item.form,
                        &p.flags,
                    )
                })
            })
            .map(|item| item_view(item, &providers))
            .collect();
        if !items.is_empty() {
            menus.push(MenuDetail {
                menu: MenuView::from(&menu),
                items,
            });
        }
    }
    Ok(menus)
}

/// Checks that `item` is one the enterprise may use today (for a request
/// naming it): a clear 422 on `field` otherwise.
pub(crate) async fn check_usable(
    state: &AppState,
    placement: &Placement,
    tier: Option<ServiceTier>,
    item: ItemId,
    field: &'static str,
) -> Result<(), ApiError> {
    let usable = services_for(state, placement, tier)
        .await?
        .iter()
        .any(|m| m.items.iter().any(|i| i.id == item.0));
    if usable {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "invalid_field",
            format!("{field}: item {item} is not a published service this enterprise may use"),
        )
        .with_details(serde_json::json!({ "field": field })))
    }
}

// ------------------------------------------------------------ providers

/// Providers the caller sees: its jurisdiction's, those below and above it.
#[utoipa::path(
    get, path = "/api/providers", tag = "catalogue",
    responses(
        (status = 200, description = "Providers with their flags", body = Vec<ProviderView>),
        (status = 403, description = "The role does not manage the catalogue", body = ErrorBody),
    )
)]
pub async fn list_providers(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ProviderView>>, ApiError> {
    caller.require(Capability::ManageCatalogue)?;
    let view = View::of(&state, &caller).await?;
    Ok(Json(
        state
            .db
            .providers()
            .await?
            .iter()
            .filter(|p| view.sees(&p.jurisdiction))
            .map(ProviderView::from)
            .collect(),
    ))
}

/// Registers a provider in the caller's jurisdiction (or one within it).
#[utoipa::path(
    post, path = "/api/providers", tag = "catalogue",
    request_body = NewProviderBody,
    responses(
        (status = 201, description = "Registered, without flags", body = ProviderView),
        (status = 403, description = "The role does not manage the catalogue, or the jurisdiction is outside yours", body = ErrorBody),
        (status = 422, description = "A field is missing or invalid (e.g. the credit code)", body = ErrorBody),
    )
)]
pub async fn create_provider(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewProviderBody>,
) -> Result<(StatusCode, Json<ProviderView>), ApiError> {
    caller.require(Capability::ManageCatalogue)?;
    let jurisdiction = jurisdiction_of(&caller, body.jurisdiction.as_deref())?;
    let form = ProviderForm::new(&body.name, body.kind, body.uscc.as_deref(), &body.contact)?;
    let created = state
        .db
        .create_provider(&jurisdiction, &form, &caller.acting(state.clock.now()))
        .await?;
    Ok((StatusCode::CREATED, Json(ProviderView::from(&created))))
}

/// Sets a provider's vetting flags, with the reason. A flagged provider's
/// items disappear from what enterprises see.
#[utoipa::path(
    post, path = "/api/providers/{id}/flags", tag = "catalogue",
    params(("id" = i64, Path, description = "The provider's id")),
    request_body = FlagsBody,
    responses(
        (status = 200, description = "The provider with its new flags", body = ProviderView),
        (status = 403, description = "The role does not manage the catalogue, or the provider is another jurisdiction's", body = ErrorBody),
        (status = 404, description = "No such provider within your view", body = ErrorBody),
        (status = 409, description = "The provider changed since it was read", body = ErrorBody),
        (status = 422, description = "A field is missing or invalid", body = ErrorBody),
    )
)]
pub async fn set_flags(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<FlagsBody>,
) -> Result<Json<ProviderView>, ApiError> {
    caller.require(Capability::ManageCatalogue)?;
    let view = View::of(&state, &caller).await?;
    let provider = state
        .db
        .provider(ProviderId(id))
        .await?
        .filter(|p| view.sees(&p.jurisdiction))
        .ok_or_else(ApiError::not_found)?;
    if !catalogue::manages(&caller.scope, &provider.jurisdiction) {
        return Err(ApiError::forbidden(
            "only the jurisdiction that registered the provider (or one above it) sets its flags",
        ));
    }
    let flags = ProviderFlags {
        dishonest: body.dishonest,
        checked_on: body.checked_on,
        check_source: body
            .check_source
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
        complaints: body.complaints,
        suspended: body.suspended_reason.map(|s| s.trim().to_owned()),
    };
    flags.validate()?;
    let reason = catalogue::check_reason(&body.reason)?;
    let changed = state
        .db
        .set_provider_flags(
            provider.id,
            body.version,
            &flags,
            &reason,
            &caller.acting(state.clock.now()),
        )
        .await?;
    Ok(Json(ProviderView::from(&changed)))
}

// ------------------------------------------------------------ menus

/// Menus the caller sees: its own with drafts, and those above it.
#[utoipa::path(
    get, path = "/api/menus", tag = "catalogue",
    responses(
        (status = 200, description = "Menu versions, newest version first per menu", body = Vec<MenuView>),
        (status = 403, description = "The role does not manage the catalogue", body = ErrorBody),
    )
)]
pub async fn list_menus(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<MenuView>>, ApiError> {
    caller.require(Capability::ManageCatalogue)?;
    let view = View::of(&state, &caller).await?;
    Ok(Json(
        state
            .db
            .menus()
            .await?
            .iter()
            .filter(|m| {
                catalogue::manages(&caller.scope, &m.jurisdiction)
                    || (m.state == MenuState::Published && view.sees(&m.jurisdiction))
            })
            .map(MenuView::from)
            .collect(),
    ))
}

/// Creates a menu's first version, as a draft.
#[utoipa::path(
    post, path = "/api/menus", tag = "catalogue",
    request_body = MenuBody,
    responses(
        (status = 201, description = "A draft", body = MenuView),
        (status = 403, description = "The role does not manage the catalogue, or the jurisdiction is outside yours", body = ErrorBody),
        (status = 422, description = "A field is missing or invalid", body = ErrorBody),
    )
)]
pub async fn create_menu(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<MenuBody>,
) -> Result<(StatusCode, Json<MenuView>), ApiError> {
    caller.require(Capability::ManageCatalogue)?;
    let jurisdiction = jurisdiction_of(&caller, body.jurisdiction.as_deref())?;
    let form = MenuForm::new(&body.title, &body.label)?;
    let created = state
        .db
        .create_menu(&jurisdiction, &form, &caller.acting(state.clock.now()))
        .await?;
    Ok((StatusCode::CREATED, Json(MenuView::from(&created))))
}

/// A menu version with its items, each saying whether it is withdrawn.
#[utoipa::path(
    get, path = "/api/menus/{id}", tag = "catalogue",
    params(("id" = i64, Path, description = "The menu version's id")),
    responses(
        (status = 200, description = "The menu and its items", body = MenuDetail),
        (status = 403, description = "The role does not manage the catalogue", body = ErrorBody),
        (status = 404, description = "No such menu within your view", body = ErrorBody),
    )
)]
pub async fn get_menu(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<MenuDetail>, ApiError> {
    caller.require(Capability::ManageCatalogue)?;
    let menu = official_menu(&state, &caller, id).await?;
    Ok(Json(menu_detail(&state, &menu).await?))
}

pub(crate) async fn menu_detail(state: &AppState, menu: &Menu) -> Result<MenuDetail, ApiError> {
    let providers = providers_by_id(state).await?;
    let items = state.db.menu_items(menu.id).await?;
    Ok(MenuDetail {
        menu: MenuView::from(menu),
        items: items.iter().map(|i| item_view(i, &providers)).collect(),
    })
}

/// Adds an item to a draft menu (a published one's items are frozen).
#[utoipa::path(
    post, path = "/api/menus/{id}/items", tag = "catalogue",
    params(("id" = i64, Path, description = "The menu version's id")),
    request_body = ItemBody,
    responses(
        (status = 201, description = "The menu with the item added", body = MenuDetail),
        (status = 403, description = "The role does not manage the catalogue, or the menu is above your jurisdiction", body = ErrorBody),
        (status = 404, description = "No such menu within your view", body = ErrorBody),
        (status = 409, description = "The menu is published (frozen) or changed since it was read", body = ErrorBody),
        (status = 422, description = "A field is missing or invalid, or the provider is flagged", body = ErrorBody),
    )
)]
pub async fn add_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<ItemBody>,
) -> Result<(StatusCode, Json<MenuDetail>), ApiError> {
    let menu = managed_menu(&state, &caller, id).await?;
    catalogue::may_change_items(menu.id, menu.state)?;
    let view = View::of(&state, &caller).await?;
    let provider = state
        .db
        .provider(ProviderId(body.provider))
        .await?
        .filter(|p| view.sees(&p.jurisdiction))
        .ok_or_else(|| {
            ApiError::invalid(
                "invalid_field",
                format!("provider: no provider {} within your view", body.provider),
            )
            .with_details(serde_json::json!({ "field": "provider" }))
        })?;
    catalogue::may_offer(provider.id, &provider.flags)?;
    let fee = FeeTerms::new(body.fee, body.fee_amount_cny).map_err(CatalogueError::Field)?;
    let form = ItemForm {
        category: body.category,
        title: body.title,
        description: body.description,
        provider: provider.id,
        tiers: body.tiers,
        delivery: body.delivery,
        fee,
        fee_note: body.fee_note,
        time_limit_days: body.time_limit_days,
    }
    .normalised()?;
    let (menu, _) = state
        .db
        .add_menu_item(
            menu.id,
            body.version,
            &form,
            &caller.acting(state.clock.now()),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(menu_detail(&state, &menu).await?)))
}

/// Publishes a draft today; the version of the same menu in force until
/// now is superseded.
#[utoipa::path(
    post, path = "/api/menus/{id}/publish", tag = "catalogue",
    params(("id" = i64, Path, description = "The menu version's id")),
    request_body = PublishBody,
    responses(
        (status = 200, description = "Published", body = MenuView),
        (status = 403, description = "The role does not manage the catalogue, or the menu is above your jurisdiction", body = ErrorBody),
        (status = 404, description = "No such menu within your view", body = ErrorBody),
        (status = 409, description = "Not a draft, no items, or changed since it was read", body = ErrorBody),
    )
)]
pub async fn publish_menu(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<PublishBody>,
) -> Result<Json<MenuView>, ApiError> {
    let menu = managed_menu(&state, &caller, id).await?;
    let items = state.db.menu_items(menu.id).await?.len();
    catalogue::may_publish(menu.id, menu.state, items)?;
    let published = state
        .db
        .publish_menu(
            menu.id,
            body.version,
            state.today(),
            &caller.acting(state.clock.now()),
        )
        .await?;
    Ok(Json(MenuView::from(&published)))
}

/// Makes the next version of a published (or superseded) menu: a draft
/// with copies of its items.
#[utoipa::path(
    post, path = "/api/menus/{id}/versions", tag = "catalogue",
    params(("id" = i64, Path, description = "The menu version to copy")),
    request_body = MenuBody,
    responses(
        (status = 201, description = "The new draft version", body = MenuView),
        (status = 403, description = "The role does not manage the catalogue, or the menu is above your jurisdiction", body = ErrorBody),
        (status = 404, description = "No such menu within your view", body = ErrorBody),
        (status = 409, description = "The menu is a draft, already has a draft, or the label is taken", body = ErrorBody),
        (status = 422, description = "A field is missing or invalid", body = ErrorBody),
    )
)]
pub async fn next_version(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<MenuBody>,
) -> Result<(StatusCode, Json<MenuView>), ApiError> {
    let menu = managed_menu(&state, &caller, id).await?;
    catalogue::may_make_next_version(menu.id, menu.state)?;
    let form = MenuForm::new(&body.title, &body.label)?;
    let created = state
        .db
        .next_menu_version(menu.id, &form, &caller.acting(state.clock.now()))
        .await?;
    Ok((StatusCode::CREATED, Json(MenuView::from(&created))))
}

// ------------------------------------------------------------ enterprises

/// The services an enterprise may use today: the published menus of its
/// jurisdiction chain, the items for its tier, never a flagged provider's.
#[utoipa::path(
    get, path = "/api/enterprises/{id}/services", tag = "catalogue",
    params(("id" = String, Path, description = "The enterprise's id")),
    responses(
        (status = 200, description = "Its tier and the items it may use, by menu", body = ServicesView),
        (status = 403, description = "The role does not read the catalogue", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn enterprise_services(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ServicesView>, ApiError> {
    caller.require(Capability::ReadCatalogue)?;
    let (enterprise, placement, tier) = enterprise_tier(&state, &caller, &id).await?;
    let menus = services_for(&state, &placement, tier).await?;
    Ok(Json(ServicesView {
        enterprise: enterprise.to_string(),
        tier,
        menus,
    }))
}

pub(crate) async fn package_views(
    state: &AppState,
    packages: &[Package],
) -> Result<Vec<PackageView>, ApiError> {
    let providers = providers_by_id(state).await?;
    let mut views = Vec::with_capacity(packages.len());
    for package in packages {
        let mut items = Vec::with_capacity(package.form.items.len());
        for id in &package.form.items {
            if let Some(item) = state.db.menu_item(*id).await? {
                items.push(item_view(&item, &providers));
            }
        }
        views.push(PackageView {
            id: package.id.0,
            enterprise: package.enterprise.to_string(),
            year: package.form.year,
            note: package.form.note.clone(),
            items,
        });
    }
    Ok(views)
}

/// An enterprise's service packages, newest year first; an item whose
/// provider was flagged since says it is withdrawn, and why.
#[utoipa::path(
    get, path = "/api/enterprises/{id}/packages", tag = "catalogue",
    params(("id" = String, Path, description = "The enterprise's id")),
    responses(
        (status = 200, description = "Its packages", body = Vec<PackageView>),
        (status = 403, description = "The role does not read the catalogue", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn list_packages(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<PackageView>>, ApiError> {
    caller.require(Capability::ReadCatalogue)?;
    let view = state.ledger().await?;
    let (position, _) = visible(&view, &caller, &id, state.today())?;
    let enterprise = view.ledger.enterprises()[position].id.clone();
    let packages = state.db.packages(&enterprise).await?;
    Ok(Json(package_views(&state, &packages).await?))
}

/// Composes an enterprise's package for a year from items it may use.
#[utoipa::path(
    post, path = "/api/enterprises/{id}/packages", tag = "catalogue",
    params(("id" = String, Path, description = "The enterprise's id")),
    request_body = PackageBody,
    responses(
        (status = 201, description = "Composed", body = PackageView),
        (status = 403, description = "The role does not compose packages", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
        (status = 409, description = "It already has a package for that year", body = ErrorBody),
        (status = 422, description = "A field is invalid, or an item is not one it may use", body = ErrorBody),
    )
)]
pub async fn compose_package(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<PackageBody>,
) -> Result<(StatusCode, Json<PackageView>), ApiError> {
    caller.require(Capability::ComposePackages)?;
    let (enterprise, placement, tier) = enterprise_tier(&state, &caller, &id).await?;
    let items: Vec<ItemId> = body.items.iter().copied().map(ItemId).collect();
    let form = PackageForm::new(body.year, &items, body.note.as_deref())?;
    for item in &form.items {
        check_usable(&state, &placement, tier, *item, "items").await?;
    }
    let composed = state
        .db
        .compose_package(
            &NewPackage {
                enterprise,
                placement,
                form,
            },
            &caller.acting(state.clock.now()),
        )
        .await?;
    let view = package_views(&state, std::slice::from_ref(&composed))
        .await?
        .pop()
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(view)))
}
