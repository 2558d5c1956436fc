//! Enterprises from the ledger: lists with filters, one with its events, and
//! its tier as of a day with every reason. Reads the ledger held in memory,
//! so a tier look-up costs a binary search and one evaluation.

use std::sync::Arc;

use axum::extract::State;
use hatchery_core::workflow::{Capability, Placement};
use hatchery_core::{Currency, DivisionCode, EnterpriseId, Event, RuleSet, TierIndex};
use hatchery_lists::industry::industry_key;
use hatchery_store::workflow::Page;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::directory::{DirectoryIndex, SortKey, SortOrder};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Paged, Path, Query, page_window};
use crate::state::{AppState, LedgerView, RowNames, RuleEntry};
use crate::views::{DecisionView, PlacementView};

/// An enterprise in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseSummary {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub founded: String,
    pub country: String,
    /// The effective region today (after relocations).
    pub region: Option<String>,
    pub placement: PlacementView,
    /// The tier as of the requested day under the requested rule set.
    pub tier: Option<String>,
    /// The latest valuation as of the requested day, in US dollars at the
    /// rate of its own date, rounded to the dollar (none when there is none
    /// or it does not convert).
    pub valuation_usd: Option<String>,
}

/// A dated fact about an enterprise.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub date: Date,
    /// `funding`, `valuation`, `listing`, `acquired`, `closed` or `relocated`.
    pub kind: String,
    pub round: Option<String>,
    /// As written in the source, in `currency`.
    pub amount: Option<String>,
    pub valuation: Option<String>,
    pub currency: Option<String>,
    pub investors: Option<String>,
    pub exchange: Option<String>,
    pub region: Option<String>,
    pub source: Option<String>,
}

impl From<&Event> for EventView {
    fn from(e: &Event) -> Self {
        Self {
            date: e.date,
            kind: e.kind.to_string(),
            round: e.round.clone(),
            amount: e.amount.as_ref().map(|a| a.as_str().to_owned()),
            valuation: e.valuation.as_ref().map(|a| a.as_str().to_owned()),
            currency: e.currency.map(|c| c.to_string()),
            investors: e.investors.clone(),
            exchange: e.exchange.map(|x| x.to_string()),
            region: e.region.map(|r| r.to_string()),
            source: e.source.clone(),
        }
    }
}

/// An enterprise with its events.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseDetail {
    #[serde(flatten)]
    pub summary: EnterpriseSummary,
    pub uscc: Option<String>,
    pub city_text: Option<String>,
    pub zone_text: Option<String>,
    pub industries: Vec<String>,
    pub tags: Vec<String>,
    /// In import order.
    pub events: Vec<EventView>,
}

/// Filters and order of the enterprise list.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseQuery {
    /// Part of the id, the name or the English name (any case), or the
    /// whole unified social credit code.
    pub q: Option<String>,
    /// Province code.
    pub province: Option<String>,
    /// City code.
    pub city: Option<String>,
    /// District code.
    pub district: Option<String>,
    /// Zone id.
    pub zone: Option<String>,
    /// Only enterprises of this industry (its key, e.g. `fintech`; any
    /// case, spaces and punctuation as `-`).
    pub industry: Option<String>,
    /// Only enterprises of this tier (`none` for those without one).
    pub tier: Option<String>,
    /// The day tiers are decided as of (default today).
    pub as_of: Option<String>,
    /// The rule set (default the configured one).
    pub rules: Option<String>,
    /// Sort by `name` (pinyin order), `region` (division code), `founded`,
    /// `valuation` (the latest as of the day, in US dollars) or `tier` (the
    /// rule set's order, highest first); default: by id. Enterprises without
    /// the value come last in either order; ties keep id order.
    #[param(inline)]
    pub sort: Option<SortKey>,
    /// `asc` (default) or `desc`.
    #[param(inline)]
    pub order: Option<SortOrder>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// The day and rule set of a tier look-up.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TierQuery {
    /// `YYYY-MM-DD` (default today).
    pub as_of: Option<String>,
    /// A rule set key (default the configured one).
    pub rules: Option<String>,
    /// The rule set's version (default the built-in one).
    pub version: Option<String>,
}

/// Parses an optional `YYYY-MM-DD`, defaulting to today.
pub fn day(state: &AppState, text: Option<&str>) -> Result<Date, ApiError> {
    match text {
        Some(text) => hatchery_core::date::parse_date(text)
            .map_err(|e| ApiError::bad_request("invalid_query", e.to_string())),
        None => Ok(state.today()),
    }
}

/// The rule set named, or the configured default.
pub async fn rule_set(
    state: &AppState,
    key: Option<&str>,
    version: Option<&str>,
) -> Result<RuleEntry, ApiError> {
    let key = key.unwrap_or(&state.settings.workflow.default_rule_set);
    state
        .rules
        .resolve(state.db.as_ref(), key, version)
        .await?
        .ok_or_else(|| ApiError::bad_request("unknown_rule_set", format!("no rule set '{key}'")))
}

fn division(text: Option<&str>) -> Result<Option<DivisionCode>, ApiError> {
    text.map(DivisionCode::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request("invalid_query", e.to_string()))
}

fn summary(
    view: &LedgerView,
    position: usize,
    placement: &Placement,
    tier: Option<String>,
    valuation_usd: Option<Decimal>,
    today: Date,
) -> EnterpriseSummary {
    let e = &view.ledger.enterprises()[position];
    let row = view.names(position);
    EnterpriseSummary {
        id: e.id.to_string(),
        name: row.map(|r| r.name.to_string()).unwrap_or_default(),
        name_en: row.and_then(|r| r.name_en.as_deref().map(str::to_owned)),
        founded: row.map_or_else(
            || hatchery_core::date::format_date(e.founded),
            |r| r.founded.to_string(),
        ),
        country: e.country.to_string(),
        region: view
            .ledger
            .as_of(position, today)
            .region()
            .map(|r| r.to_string()),
        placement: placement.into(),
        tier,
        valuation_usd: valuation_usd.map(|v| v.round().normalize().to_string()),
    }
}

/// Finds an enterprise the caller may see.
pub fn visible(
    view: &LedgerView,
    caller: &Caller,
    id: &str,
    today: Date,
) -> Result<(usize, Placement), ApiError> {
    let id = EnterpriseId::parse(id).map_err(|_| ApiError::not_found())?;
    let position = view.position(&id).ok_or_else(ApiError::not_found)?;
    let placement = view.placement(position, today);
    if caller.sees(&id, &placement) {
        Ok((position, placement))
    } else {
        Err(ApiError::not_found())
    }
}

/// Enterprises within the caller's jurisdiction, with their tiers.
#[utoipa::path(
    get, path = "/api/enterprises", tag = "enterprises",
    params(EnterpriseQuery),
    responses(
        (status = 200, description = "A page of enterprises, by id or in the order asked for", body = Paged<EnterpriseSummary>),
        (status = 400, description = "Bad filter", body = ErrorBody),
        (status = 403, description = "The role reads statistics only", body = ErrorBody),
    )
)]
pub async fn list_enterprises(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<EnterpriseQuery>,
) -> Result<Json<Paged<EnterpriseSummary>>, ApiError> {
    caller.require(Capability::ReadEnterprises)?;
    let window = page_window(
        query.page,
        query.per_page,
        state.settings.limits.max_page_size,
    )?;
    let (items, total) = search_enterprises(&state, &caller, &query, window).await?;
    Ok(Json(Paged::new(items, total, window)))
}

/// The enterprises within the caller's jurisdiction that match `query`'s
/// filters (its `page` and `per_page` aside), in its order (by id unless
/// it says): the window's part of them and how many match in all.
/// `GET /api/enterprises` and the web directory (its pages and its CSV and
/// XLSX exports) both call this.
///
/// Tiers, placements and valuations come from the ledger view's directory
/// index for the rule set and day (computed once, dropped on import), so a
/// search is one pass over plain arrays.
pub async fn search_enterprises(
    state: &AppState,
    caller: &Caller,
    query: &EnterpriseQuery,
    window: Page,
) -> Result<(Vec<EnterpriseSummary>, u64), ApiError> {
    caller.require(Capability::ReadEnterprises)?;
    let as_of = day(state, query.as_of.as_deref())?;
    let rules = rule_set(state, query.rules.as_deref(), None).await?.rules;
    let filters = Filters::parse(query, &rules)?;
    let view: Arc<LedgerView> = state.ledger().await?;
    let today = state.today();
    let caller = caller.clone();
    let sort = query.sort.map(|key| (key, query.order.unwrap_or_default()));
    tokio::task::spawn_blocking(move || {
        let index = view.directory(&rules, as_of, today);
        search_index(
            &view, &index, &rules, &caller, &filters, sort, window, today,
        )
    })
    .await
    .map_err(ApiError::internal)
}

/// A search's filters, checked.
#[derive(Debug)]
struct Filters {
    province: Option<DivisionCode>,
    city: Option<DivisionCode>,
    district: Option<DivisionCode>,
    zone: Option<String>,
    industry: Option<String>,
    /// `Some(None)`: only those without a tier.
    tier: Option<Option<TierIndex>>,
    /// Lower-cased.
    needle: Option<String>,
}

impl Filters {
    fn parse(query: &EnterpriseQuery, rules: &RuleSet) -> Result<Self, ApiError> {
        let tier = match query.tier.as_deref() {
            None => None,
            Some("none") => Some(None),
            Some(tier) => match rules.tier_index(tier) {
                Some(index) => Some(Some(index)),
                None => {
                    return Err(ApiError::bad_request(
                        "invalid_query",
                        format!("rule set {} has no tier '{tier}'", rules.key),
                    ));
                }
            },
        };
        let industry = match query.industry.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(industry_key(text).ok_or_else(|| {
                ApiError::bad_request("invalid_query", format!("'{text}' is no industry"))
            })?),
        };
        Ok(Self {
            province: division(query.province.as_deref())?,
            city: division(query.city.as_deref())?,
            district: division(query.district.as_deref())?,
            // A zone's name or alias filters by its one id.
            zone: query.zone.as_deref().filter(|z| !z.is_empty()).map(|z| {
                hatchery_core::workflow::ZoneResolver::shipped()
                    .canonical(z)
                    .to_owned()
            }),
            industry,
            tier,
            needle: query
                .q
                .as_deref()
                .map(|q| q.chars().filter(|c| !c.is_control()).collect::<String>())
                .map(|q| q.trim().to_lowercase())
                .filter(|q| !q.is_empty()),
        })
    }
}

/// One pass over the index in the chosen order.
#[allow(clippy::too_many_arguments)]
fn search_index(
    view: &LedgerView,
    index: &DirectoryIndex,
    rules: &RuleSet,
    caller: &Caller,
    filters: &Filters,
    sort: Option<(SortKey, SortOrder)>,
    window: Page,
    today: Date,
) -> (Vec<EnterpriseSummary>, u64) {
    let enterprises = view.ledger.enterprises();
    let positions: Box<dyn Iterator<Item = usize>> = match sort {
        Some((key, order)) => index.order(view, key).iter(order),
        None => Box::new(0..enterprises.len()),
    };
    let mut matched = Vec::new();
    let mut total = 0u64;
    let end = window.offset.saturating_add(window.limit);
    for position in positions {
        let e = &enterprises[position];
        let placement = &index.placements[position];
        let tier = index.tiers[position];
        if filters.tier.is_some_and(|wanted| wanted != tier)
            || !caller.sees(&e.id, placement)
            || filters
                .province
                .is_some_and(|p| placement.province != Some(p))
            || filters.city.is_some_and(|c| placement.city != Some(c))
            || filters
                .district
                .is_some_and(|d| placement.district != Some(d))
            || filters
                .zone
                .as_deref()
                .is_some_and(|z| placement.zone.as_ref().map(|id| id.as_str()) != Some(z))
            || filters
                .industry
                .as_deref()
                .is_some_and(|i| !e.industries.iter().any(|have| have == i))
        {
            continue;
        }
        if let Some(needle) = &filters.needle
            && !matches_text(&view.search_texts()[position], view.names(position), needle)
        {
            continue;
        }
        if (window.offset..end).contains(&total) {
            let tier = tier.map(|t| rules.tier(t).key.clone());
            let valuation = index.valuations[position];
            matched.push(summary(view, position, placement, tier, valuation, today));
        }
        total += 1;
    }
    (matched, total)
}

/// Whether a lower-cased search text is part of the id, the name or the
/// English name (`text`: [`LedgerView::search_texts`]), or is the whole
/// credit code.
fn matches_text(text: &str, names: Option<&RowNames>, needle: &str) -> bool {
    text.contains(needle)
        || names.is_some_and(|n| {
            n.uscc
                .as_ref()
                .is_some_and(|u| u.as_str().eq_ignore_ascii_case(needle))
        })
}

/// One enterprise with its events.
#[utoipa::path(
    get, path = "/api/enterprises/{id}", tag = "enterprises",
    params(("id" = String, Path, description = "The enterprise's id")),
    responses(
        (status = 200, description = "The enterprise", body = EnterpriseDetail),
        (status = 403, description = "The role reads statistics only", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_enterprise(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<EnterpriseDetail>, ApiError> {
    caller.require(Capability::ReadEnterprises)?;
    let view = state.ledger().await?;
    let today = state.today();
    let (position, placement) = visible(&view, &caller, &id, today)?;
    let rules = rule_set(&state, None, None).await?.rules;
    let facts = view.ledger.as_of(position, today);
    let tier = rules.classify(&facts).map(|t| rules.tier(t).key.clone());
    let valuation = facts.valuation_in(Currency::USD);
    let summary = summary(&view, position, &placement, tier, valuation, today);
    let enterprise_id = &view.ledger.enterprises()[position].id;
    let (row, events) = state
        .db
        .enterprise(enterprise_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(EnterpriseDetail {
        summary,
        uscc: row.uscc.map(|u| u.as_str().to_owned()),
        city_text: row.city,
        zone_text: row.zone,
        industries: row.industries,
        tags: row.tags,
        events: events.iter().map(EventView::from).collect(),
    }))
}

/// An enterprise's tier as of a day, with every condition checked.
#[utoipa::path(
    get, path = "/api/enterprises/{id}/tier", tag = "enterprises",
    params(("id" = String, Path, description = "The enterprise's id"), TierQuery),
    responses(
        (status = 200, description = "The decision and its reasons", body = DecisionView),
        (status = 400, description = "Bad date or unknown rule set", body = ErrorBody),
        (status = 403, description = "The role reads statistics only", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_tier(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<TierQuery>,
) -> Result<Json<DecisionView>, ApiError> {
    caller.require(Capability::ReadEnterprises)?;
    let as_of = day(&state, query.as_of.as_deref())?;
    let rules = rule_set(&state, query.rules.as_deref(), query.version.as_deref())
        .await?
        .rules;
    let view = state.ledger().await?;
    let (position, _) = visible(&view, &caller, &id, state.today())?;
    let decision = rules.decide(&view.ledger.as_of(position, as_of));
    Ok(Json(DecisionView::new(&id, &decision)))
}
