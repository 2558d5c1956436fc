//! The jurisdiction tree (nation, provinces, cities, districts) and the
//! national zones, which administrators can add, rename and correct.

use axum::extract::State;
use axum::http::StatusCode;
use hatchery_core::DivisionCode;
use hatchery_core::division::{DivisionLevel, all_divisions};
use hatchery_core::workflow::{Capability, Zone, ZoneId, ZoneKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use crate::views::ZoneView;

/// A node of the jurisdiction tree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JurisdictionNode {
    /// `CN` or a six-digit division code.
    pub code: String,
    pub name: String,
    /// `nation`, `province`, `city` or `district`.
    pub level: String,
    /// Hong Kong, Macao and Taiwan are counted in statistics but take no accounts.
    pub statistics_only: bool,
}

/// A node with its parent, children and zones.
#[derive(Debug, Serialize, ToSchema)]
pub struct JurisdictionDetail {
    #[serde(flatten)]
    pub node: JurisdictionNode,
    pub parent: Option<JurisdictionNode>,
    pub children: Vec<JurisdictionNode>,
    /// National zones in this jurisdiction.
    pub zones: Vec<ZoneView>,
}

fn nation() -> JurisdictionNode {
    JurisdictionNode {
        code: "CN".into(),
        name: "全国".into(),
        level: "nation".into(),
        statistics_only: false,
    }
}

fn node(code: DivisionCode) -> JurisdictionNode {
    let level = match code.level() {
        DivisionLevel::Province => "province",
        DivisionLevel::City => "city",
        DivisionLevel::District => "district",
    };
    JurisdictionNode {
        code: code.to_string(),
        name: code.display_name(),
        level: level.into(),
        statistics_only: matches!(code.province_prefix(), 71 | 81 | 82),
    }
}

/// Whether `code` is a division the table knows.
fn known(code: DivisionCode) -> bool {
    code.name().is_some()
}

/// The divisions directly below `parent` (`None`: the provinces). A
/// municipality's districts hang directly below it.
fn children(parent: Option<DivisionCode>) -> Vec<DivisionCode> {
    all_divisions()
        .map(|d| d.code)
        .filter(|code| match parent {
            None => code.level() == DivisionLevel::Province && code.province_prefix() != 71,
            Some(p) => match p.level() {
                DivisionLevel::Province if p.is_municipality() => {
                    code.level() == DivisionLevel::District && code.province() == p
                }
                DivisionLevel::Province => {
                    code.level() == DivisionLevel::City && code.province() == p
                }
                DivisionLevel::City => code.level() == DivisionLevel::District && code.city() == p,
                DivisionLevel::District => false,
            },
        })
        .collect()
}

fn parent(code: DivisionCode) -> JurisdictionNode {
    match code.level() {
        DivisionLevel::Province => nation(),
        DivisionLevel::City => node(code.province()),
        DivisionLevel::District => {
            let city = code.city();
            if known(city) {
                node(city)
            } else {
                node(code.province())
            }
        }
    }
}

/// The nation and its provinces (with Hong Kong and Macao, for statistics).
#[utoipa::path(
    get, path = "/api/jurisdictions", tag = "jurisdictions",
    responses(
        (status = 200, description = "The nation, then each province", body = Vec<JurisdictionNode>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn list_jurisdictions(_caller: Caller) -> Json<Vec<JurisdictionNode>> {
    let mut nodes = vec![nation()];
    nodes.extend(children(None).into_iter().map(node));
    Json(nodes)
}

/// One jurisdiction with its parent, children and zones.
#[utoipa::path(
    get, path = "/api/jurisdictions/{code}", tag = "jurisdictions",
    params(("code" = String, Path, description = "`CN` or a division code")),
    responses(
        (status = 200, description = "The jurisdiction", body = JurisdictionDetail),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_jurisdiction(
    State(state): State<AppState>,
    _caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<JurisdictionDetail>, ApiError> {
    if code == "CN" {
        return Ok(Json(JurisdictionDetail {
            node: nation(),
            parent: None,
            children: children(None).into_iter().map(node).collect(),
            zones: vec![],
        }));
    }
    let code = DivisionCode::parse(&code)
        .ok()
        .filter(|c| known(*c))
        .ok_or_else(ApiError::not_found)?;
    let zones = state
        .db
        .zones()
        .await?
        .iter()
        .filter(|z| match code.level() {
            DivisionLevel::Province => z.zone.province() == code,
            DivisionLevel::City => z.zone.city == code,
            DivisionLevel::District => z.zone.district == Some(code),
        })
        .map(ZoneView::from)
        .collect();
    Ok(Json(JurisdictionDetail {
        node: node(code),
        parent: Some(parent(code)),
        children: children(Some(code)).into_iter().map(node).collect(),
        zones,
    }))
}

/// Which zones to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ZoneQuery {
    /// Only zones in this province (code).
    pub province: Option<String>,
    /// Only zones of this city (code).
    pub city: Option<String>,
    pub kind: Option<ZoneKind>,
}

/// National zones.
#[utoipa::path(
    get, path = "/api/zones", tag = "jurisdictions",
    params(ZoneQuery),
    responses(
        (status = 200, description = "Zones by id", body = Vec<ZoneView>),
        (status = 400, description = "Bad filter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn list_zones(
    State(state): State<AppState>,
    _caller: Caller,
    Query(query): Query<ZoneQuery>,
) -> Result<Json<Vec<ZoneView>>, ApiError> {
    let code = |text: &Option<String>| {
        text.as_deref()
            .map(DivisionCode::parse)
            .transpose()
            .map_err(|e| ApiError::bad_request("invalid_query", e.to_string()))
    };
    let province = code(&query.province)?;
    let city = code(&query.city)?;
    let kind = query.kind;
    let zones = state.db.zones().await?;
    Ok(Json(
        zones
            .iter()
            .filter(|z| province.is_none_or(|p| z.zone.province() == p))
            .filter(|z| city.is_none_or(|c| z.zone.city == c))
            .filter(|z| kind.is_none_or(|k| z.zone.kind == k))
            .map(ZoneView::from)
            .collect(),
    ))
}

fn zone_id(text: &str) -> Result<ZoneId, ApiError> {
    ZoneId::parse(text).map_err(|_| ApiError::not_found())
}

/// One zone.
#[utoipa::path(
    get, path = "/api/zones/{id}", tag = "jurisdictions",
    params(("id" = String, Path, description = "The zone's id")),
    responses(
        (status = 200, description = "The zone", body = ZoneView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such zone", body = ErrorBody),
    )
)]
pub async fn get_zone(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ZoneView>, ApiError> {
    let zone = state
        .db
        .zone(&zone_id(&id)?)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json((&zone).into()))
}

/// A zone to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateZone {
    /// 1–64 lower-case letters, digits or `-`.
    pub id: String,
    pub name: String,
    /// `high_tech` or `economic_development`.
    pub kind: String,
    /// The city's code (for a municipality, the municipality's).
    pub city: String,
    /// The district's code, when known.
    pub district: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// Corrections to a zone; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateZone {
    /// The version read.
    pub version: i64,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub city: Option<String>,
    /// A district code, or `""` to clear it.
    pub district: Option<String>,
    pub aliases: Option<Vec<String>>,
}

fn checked_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if (1..=100).contains(&name.chars().count()) && !name.chars().any(char::is_control) {
        Ok(name.to_owned())
    } else {
        Err(ApiError::invalid(
            "invalid_name",
            "a zone's name has 1 to 100 printable characters",
        ))
    }
}

fn checked_kind(kind: &str) -> Result<ZoneKind, ApiError> {
    ZoneKind::parse(kind).ok_or_else(|| {
        ApiError::invalid("invalid_kind", "kind is high_tech or economic_development")
    })
}

/// A city (or municipality) code the table knows.
fn checked_city(text: &str) -> Result<DivisionCode, ApiError> {
    let code =
        DivisionCode::parse(text).map_err(|e| ApiError::invalid("invalid_city", e.to_string()))?;
    let is_city = (code.level() == DivisionLevel::City && known(code))
        || (code.level() == DivisionLevel::Province && code.is_municipality());
    if is_city && !matches!(code.province_prefix(), 71 | 81 | 82) {
        Ok(code)
    } else {
        Err(ApiError::invalid(
            "invalid_city",
            format!("{code} is not a city of the division table"),
        ))
    }
}

fn checked_district(text: &str, city: DivisionCode) -> Result<DivisionCode, ApiError> {
    let code = DivisionCode::parse(text)
        .map_err(|e| ApiError::invalid("invalid_district", e.to_string()))?;
    if code.level() == DivisionLevel::District && known(code) && code.city() == city {
        Ok(code)
    } else {
        Err(ApiError::invalid(
            "invalid_district",
            format!("{code} is not a district of {city}"),
        ))
    }
}

fn checked_aliases(aliases: Vec<String>) -> Result<Vec<String>, ApiError> {
    if aliases.len() > 20 {
        return Err(ApiError::invalid("invalid_aliases", "at most 20 aliases"));
    }
    aliases.iter().map(|a| checked_name(a)).collect()
}

/// Adds a national zone.
#[utoipa::path(
    post, path = "/api/zones", tag = "jurisdictions",
    request_body = CreateZone,
    responses(
        (status = 201, description = "Added", body = ZoneView),
        (status = 403, description = "Only the ministry administrator manages zones", body = ErrorBody),
        (status = 409, description = "The id is taken", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    )
)]
pub async fn create_zone(
    State(state): State<AppState>,
    caller: Caller,
    Json(request): Json<CreateZone>,
) -> Result<(StatusCode, Json<ZoneView>), ApiError> {
    caller.require(Capability::ManageZones)?;
    let city = checked_city(&request.city)?;
    let zone = Zone {
        id: ZoneId::parse(&request.id)
            .map_err(|e| ApiError::invalid("invalid_id", e.to_string()))?,
        name: checked_name(&request.name)?,
        kind: checked_kind(&request.kind)?,
        city,
        district: request
            .district
            .as_deref()
            .map(|d| checked_district(d, city))
            .transpose()?,
        aliases: checked_aliases(request.aliases)?,
    };
    let stored = state
        .db
        .create_zone(&zone, &caller.acting(state.clock.now()))
        .await?;
    state.ledger.invalidate();
    Ok((StatusCode::CREATED, Json((&stored).into())))
}

/// Renames or corrects a national zone.
#[utoipa::path(
    patch, path = "/api/zones/{id}", tag = "jurisdictions",
    params(("id" = String, Path, description = "The zone's id")),
    request_body = UpdateZone,
    responses(
        (status = 200, description = "Changed", body = ZoneView),
        (status = 403, description = "Only the ministry administrator manages zones", body = ErrorBody),
        (status = 404, description = "No such zone", body = ErrorBody),
        (status = 409, description = "The zone changed since it was read", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    )
)]
pub async fn update_zone(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(request): Json<UpdateZone>,
) -> Result<Json<ZoneView>, ApiError> {
    caller.require(Capability::ManageZones)?;
    let current = state
        .db
        .zone(&zone_id(&id)?)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut zone = current.zone;
    if let Some(name) = &request.name {
        zone.name = checked_name(name)?;
    }
    if let Some(kind) = &request.kind {
        zone.kind = checked_kind(kind)?;
    }
    if let Some(city) = &request.city {
        let city = checked_city(city)?;
        if city != zone.city {
            zone.city = city;
            // A district of the old city cannot stay.
            zone.district = None;
        }
    }
    match request.district.as_deref() {
        Some("") => zone.district = None,
        Some(district) => zone.district = Some(checked_district(district, zone.city)?),
        None => {}
    }
    if let Some(aliases) = request.aliases {
        zone.aliases = checked_aliases(aliases)?;
    }
    let stored = state
        .db
        .update_zone(&zone, request.version, &caller.acting(state.clock.now()))
        .await?;
    state.ledger.invalidate();
    Ok(Json((&stored).into()))
}
