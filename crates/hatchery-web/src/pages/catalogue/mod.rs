//! The service catalogue (issue 14): vetted providers, versioned service
//! menus, an enterprise's services and yearly packages (服务包). Every page
//! calls the API's own functions (`hatchery_server::routes::catalogue`)
//! with the signed-in caller; a refusal comes back in words beside the form
//! that was sent, with what was typed still in it.

mod menus;
mod packages;
mod providers;

use std::collections::BTreeMap;

use axum::Router;
use axum::routing::{get, post};
use hatchery_core::services::catalogue::{
    DeliveryForm, FeeKind, MenuState, ProviderKind, ServiceCategory, ServiceTier,
};
use hatchery_core::workflow::{Capability, Role, Scope};
use hatchery_server::extract::{Json, Path};
use hatchery_server::routes::catalogue::{
    ItemView, PackageView, ServicesView, enterprise_services, list_packages,
};
use hatchery_server::{ApiError, AppState};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::format;
use crate::i18n::{Lang, catalog};
use crate::session::Member;

pub(crate) use packages::PackageForm;

/// This area's templates, by name (`catalogue/….html`), with their source.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "catalogue/enterprise_section.html",
        include_str!("../../../templates/catalogue/enterprise_section.html"),
    ),
    (
        "catalogue/dashboard_section.html",
        include_str!("../../../templates/catalogue/dashboard_section.html"),
    ),
    (
        "catalogue/macros.html",
        include_str!("../../../templates/catalogue/macros.html"),
    ),
    (
        "catalogue/services.html",
        include_str!("../../../templates/catalogue/services.html"),
    ),
    (
        "catalogue/menu.html",
        include_str!("../../../templates/catalogue/menu.html"),
    ),
    (
        "catalogue/providers.html",
        include_str!("../../../templates/catalogue/providers.html"),
    ),
    (
        "catalogue/package.html",
        include_str!("../../../templates/catalogue/package.html"),
    ),
];

/// This area's pages.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/services", get(menus::overview))
        .route("/services/menus", post(menus::create))
        .route("/services/menus/{id}", get(menus::show))
        .route("/services/menus/{id}/items", post(menus::add_item))
        .route("/services/menus/{id}/publish", post(menus::publish))
        .route("/services/menus/{id}/versions", post(menus::next_version))
        .route(
            "/services/providers",
            get(providers::show).post(providers::register),
        )
        .route("/services/providers/{id}/flags", post(providers::flags))
        .route(
            "/services/packages/{enterprise}",
            get(packages::show).post(packages::compose),
        )
}

// ------------------------------------------------------------ words

pub(crate) fn category_key(c: ServiceCategory) -> String {
    format!("catalogue.category.{}", c.as_str())
}

pub(crate) fn tier_key(t: ServiceTier) -> String {
    format!("catalogue.tier.{}", t.as_str())
}

pub(crate) fn delivery_key(d: DeliveryForm) -> String {
    format!("catalogue.delivery.{}", d.as_str())
}

pub(crate) fn fee_key(f: FeeKind) -> String {
    format!("catalogue.fee.{}", f.as_str())
}

pub(crate) fn kind_key(k: ProviderKind) -> String {
    format!("catalogue.provider_kind.{}", k.as_str())
}

pub(crate) fn menu_state_key(s: MenuState) -> String {
    format!("catalogue.menu_state.{}", s.as_str())
}

/// A fee in yuan to the fen, as the language writes it: `1,200.50元`,
/// `CN¥1,200.50`.
pub(crate) fn yuan(amount: Decimal, lang: Lang) -> String {
    let text = format!("{:.2}", amount.round_dp(2));
    let (whole, fen) = text.split_once('.').unwrap_or((text.as_str(), "00"));
    let whole = whole
        .parse::<u64>()
        .map_or_else(|_| whole.to_owned(), format::count);
    match lang {
        Lang::Zh => format!("{whole}.{fen}元"),
        Lang::En => format!("CN¥{whole}.{fen}"),
    }
}

/// An item as the tables show it, in the language.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ItemRow {
    pub id: i64,
    pub title: String,
    pub description: String,
    /// The category's message key.
    pub category: String,
    pub provider: String,
    /// The tiers' names.
    pub tiers: String,
    /// The delivery form's message key.
    pub delivery: String,
    /// The fee terms in words (and the amount).
    pub fee: String,
    pub fee_note: String,
    /// The time limit in words (`—` when none is promised).
    pub time_limit: String,
    /// Its provider was flagged since: enterprises no longer see it.
    pub withdrawn: bool,
}

impl ItemRow {
    pub(crate) fn of(item: &ItemView, lang: Lang) -> Self {
        let catalog = catalog(lang);
        let fee = catalog.format(&fee_key(item.fee), &[]);
        Self {
            id: item.id,
            title: item.title.clone(),
            description: item.description.clone(),
            category: category_key(item.category),
            provider: item.provider_name.clone(),
            tiers: item
                .tiers
                .iter()
                .map(|t| catalog.format(&tier_key(*t), &[]))
                .collect::<Vec<_>>()
                .join(catalog.format("catalogue.list_separator", &[]).as_str()),
            delivery: delivery_key(item.delivery),
            fee: match item.fee_amount_cny {
                Some(amount) => format!("{fee} {}", yuan(amount, lang)),
                None => fee,
            },
            fee_note: item.fee_note.clone().unwrap_or_default(),
            time_limit: item.time_limit_days.map_or_else(
                || "—".to_owned(),
                |days| catalog.format("catalogue.working_days", &[("days", days.to_string())]),
            ),
            withdrawn: item.withdrawn_because.is_some(),
        }
    }
}

/// A menu's items an enterprise may use.
#[derive(Debug, Serialize)]
pub(crate) struct MenuItems {
    pub title: String,
    pub label: String,
    pub items: Vec<ItemRow>,
}

/// A yearly package.
#[derive(Debug, Serialize)]
pub(crate) struct PackageRow {
    pub year: i16,
    pub note: String,
    pub items: Vec<ItemRow>,
}

impl PackageRow {
    fn of(package: &PackageView, lang: Lang) -> Self {
        Self {
            year: package.year,
            note: package.note.clone().unwrap_or_default(),
            items: package.items.iter().map(|i| ItemRow::of(i, lang)).collect(),
        }
    }
}

/// What an enterprise may use, and its packages, for `member`.
#[derive(Debug, Serialize)]
pub(crate) struct Services {
    pub enterprise: String,
    /// Its tier's message key (`None`: no tier any menu targets).
    pub tier: Option<String>,
    pub menus: Vec<MenuItems>,
    pub packages: Vec<PackageRow>,
}

/// The services and packages of `enterprise`, through the API.
pub(crate) async fn services_of(
    state: &AppState,
    member: &Member,
    enterprise: &str,
) -> Result<(Services, ServicesView), ApiError> {
    let lang = member.lang;
    let Json(view) = enterprise_services(
        axum::extract::State(state.clone()),
        member.caller.clone(),
        Path(enterprise.to_owned()),
    )
    .await?;
    let Json(packages) = list_packages(
        axum::extract::State(state.clone()),
        member.caller.clone(),
        Path(enterprise.to_owned()),
    )
    .await?;
    let services = Services {
        enterprise: view.enterprise.clone(),
        tier: view.tier.map(tier_key),
        menus: view
            .menus
            .iter()
            .map(|m| MenuItems {
                title: m.menu.title.clone(),
                label: m.menu.label.clone(),
                items: m.items.iter().map(|i| ItemRow::of(i, lang)).collect(),
            })
            .collect(),
        packages: packages.iter().map(|p| PackageRow::of(p, lang)).collect(),
    };
    Ok((services, view))
}

/// The account's own enterprise, when it is an enterprise's account.
pub(crate) fn own_enterprise(member: &Member) -> Option<String> {
    match &member.caller.scope {
        Scope::Enterprise(id) => Some(id.to_string()),
        _ => None,
    }
}

// ------------------------------------------------------------ refusals

/// The message of a field the API (or the form's own parsing) refused,
/// given whether it was left blank.
pub(crate) fn field_message(field: &str, blank: bool) -> &'static str {
    match (field, blank) {
        ("uscc", false) => "catalogue.uscc_invalid",
        ("fee_amount", _) => "catalogue.fee_amount_invalid",
        ("time_limit_days", _) => "catalogue.time_limit_invalid",
        ("tiers", _) => "catalogue.tiers_required",
        ("provider", _) => "catalogue.provider_unusable",
        ("checked_on", _) => "catalogue.checked_on_required",
        ("check_source", true) => "catalogue.check_source_required",
        ("complaints", _) => "catalogue.complaints_invalid",
        ("items", _) => "catalogue.items_invalid",
        ("year", _) => "catalogue.year_invalid",
        ("reason", true) => "catalogue.reason_required",
        ("category" | "delivery" | "fee" | "kind", _) => "catalogue.choose",
        (_, true) => "catalogue.required",
        (_, false) => "catalogue.too_long",
    }
}

/// A refused form: which one, what went wrong and what was typed.
#[derive(Debug, Default)]
pub(crate) struct Refusal {
    /// The form's name (`item`, `publish`, `flags-3`…).
    pub form: String,
    pub problem: &'static str,
    pub errors: BTreeMap<String, &'static str>,
    pub typed: Vec<(String, String)>,
}

impl Refusal {
    pub(crate) fn new(form: impl Into<String>, typed: &[(String, String)]) -> Self {
        Self {
            form: form.into(),
            typed: typed.iter().filter(|(k, _)| k != "csrf").cloned().collect(),
            ..Self::default()
        }
    }

    /// The first value typed under `name`.
    pub(crate) fn typed(&self, name: &str) -> String {
        typed(&self.typed, name)
    }

    /// Records the API's refusal: a field it names, beside that field;
    /// anything else in words above the form (`problem` first asked of
    /// `special`, for the refusals this form words its own way).
    pub(crate) fn note_api_refusal(
        &mut self,
        error: &ApiError,
        special: impl Fn(&ApiError) -> Option<&'static str>,
    ) {
        let named = error
            .details()
            .and_then(|d| d.get("field"))
            .and_then(|f| f.as_str())
            .map(str::to_owned);
        match named {
            Some(name) if error.code() == "invalid_field" => {
                let blank = self.typed(&name).trim().is_empty();
                self.errors
                    .insert(name.clone(), field_message(&name, blank));
                self.problem = "workflow.fix_below";
            }
            _ => {
                self.problem = special(error).unwrap_or_else(|| match error.code() {
                    "version_conflict" => "catalogue.conflict",
                    _ => super::refusal(error),
                });
            }
        }
    }
}

/// The first value of `name` in posted pairs (empty if absent).
pub(crate) fn typed(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The choices of a select over a closed set, `chosen` marked.
pub(crate) fn choices<T: Copy>(
    lang: Lang,
    all: &[T],
    value: impl Fn(T) -> &'static str,
    key: impl Fn(T) -> String,
    chosen: &str,
) -> Vec<super::Choice> {
    let catalog = catalog(lang);
    all.iter()
        .map(|&v| super::Choice {
            value: value(v).to_owned(),
            label: catalog.format(&key(v), &[]),
            selected: value(v) == chosen,
        })
        .collect()
}

// ------------------------------------------------------------ sections

/// What the enterprise page shows of this area, rendered by
/// `catalogue/enterprise_section.html`: the services the enterprise may
/// use, its packages, and (for those who compose them) the form to compose
/// this year's.
#[derive(Debug, Serialize)]
pub(crate) struct EnterpriseSection {
    services: Services,
    /// The compose form, for roles that compose packages.
    compose: Option<PackageForm>,
}

/// This area's section of the enterprise page `id` (already read by the
/// member): `None` when the member's role reads nothing of it.
pub(crate) async fn enterprise_section(
    state: &AppState,
    member: &Member,
    id: &str,
) -> Result<Option<EnterpriseSection>, ApiError> {
    let role = member.caller.account.role;
    if !Capability::ReadCatalogue.granted_to(role) {
        return Ok(None);
    }
    let (services, view) = services_of(state, member, id).await?;
    let compose = Capability::ComposePackages
        .granted_to(role)
        .then(|| PackageForm::new(state, &view, None));
    Ok(Some(EnterpriseSection { services, compose }))
}

/// What an enterprise account's dashboard shows of this area, rendered by
/// `catalogue/dashboard_section.html`: its package of this year.
#[derive(Debug, Serialize)]
pub(crate) struct DashboardSection {
    year: i16,
    package: Option<PackageRow>,
    /// How many items it may use today.
    usable: usize,
}

/// This area's card on the dashboard: `None` when the member's role reads
/// nothing of it (only an enterprise's account has the card).
pub(crate) async fn dashboard_section(
    state: &AppState,
    member: &Member,
) -> Result<Option<DashboardSection>, ApiError> {
    if member.caller.account.role != Role::Enterprise
        || !Capability::ReadCatalogue.granted_to(member.caller.account.role)
    {
        return Ok(None);
    }
    let Some(own) = own_enterprise(member) else {
        return Ok(None);
    };
    let (services, _) = services_of(state, member, &own).await?;
    let year = state.today().year();
    let usable = services.menus.iter().map(|m| m.items.len()).sum();
    let package = services.packages.into_iter().find(|p| p.year == year);
    Ok(Some(DashboardSection {
        year,
        package,
        usable,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_are_written_to_the_fen() {
        let amount = |text: &str| text.parse::<Decimal>().unwrap();
        assert_eq!(yuan(amount("1200.5"), Lang::Zh), "1,200.50元");
        assert_eq!(yuan(amount("98000"), Lang::En), "CN¥98,000.00");
        assert_eq!(yuan(amount("0.05"), Lang::Zh), "0.05元");
    }
}
