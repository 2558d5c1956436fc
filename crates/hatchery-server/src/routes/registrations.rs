//! Enterprises register themselves: anyone files a registration (no
//! sign-in, throttled per client address); the enterprise's city or zone
//! official checks it and activates it — its enterprise account is created,
//! bound to the ledger record holding its credit code, or to a record
//! created for it — or rejects it with a written reason.

use std::net::{IpAddr, SocketAddr};

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use hatchery_core::workflow::{
    Capability, Jurisdiction, Placement, RegistrationForm, RegistrationId, RegistrationState,
    Username,
};
use hatchery_core::{Dataset, Enterprise, EnterpriseId};
use hatchery_store::ImportSource;
use hatchery_store::workflow::{
    Activation, NewRegistration, REGISTERED_USCC, Registration, RegistrationFilter, TAKEN_USERNAME,
    WorkflowError,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Paged, Path, Query, page_window};
use crate::password::PasswordError;
use crate::routes::session::client_of;
use crate::state::AppState;
use crate::throttle::AnonymousAct;
use crate::views::AccountView;

/// A registration, as its registrant fills it in.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Register {
    /// The unified social credit code: 18 symbols, its GB 32100-2015 check symbol valid.
    #[serde(default)]
    pub uscc: String,
    /// The enterprise's registered name (up to 200 characters).
    #[serde(default)]
    pub name: String,
    /// Its region: a city or district division code (GB/T 2260) the system knows.
    #[serde(default)]
    pub region: String,
    /// The national high-tech zone it sits in, by id (`GET /api/zones`), if any;
    /// it must lie in the region's city.
    #[serde(default)]
    pub zone: Option<String>,
    /// When it was founded: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (for its ledger record).
    #[serde(default)]
    pub founded: String,
    /// Who answers for the registration.
    #[serde(default)]
    pub contact_name: String,
    /// Their telephone number.
    #[serde(default)]
    pub contact_phone: String,
    /// Their e-mail address, optional.
    #[serde(default)]
    pub contact_email: Option<String>,
    /// The account's username: 3–64 lower-case letters, digits, `.`, `_` or `-`.
    #[serde(default)]
    pub username: String,
    /// 12 to 128 characters, not containing the username, not a common password.
    #[serde(default)]
    pub password: String,
    /// The registrant declares that everything given is true (must be `true`).
    #[serde(default)]
    pub truthful: bool,
}

/// A registration (never its password).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationView {
    pub id: i64,
    pub uscc: String,
    pub name: String,
    /// Division code.
    pub region: String,
    /// The zone's id, if one was chosen.
    pub zone: Option<String>,
    pub founded: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: Option<String>,
    pub username: String,
    /// Where the registration stands.
    pub state: RegistrationState,
    /// The official's reason for a rejection.
    pub reason: Option<String>,
    /// The ledger record the account is bound to, once active.
    pub enterprise: Option<String>,
    /// The account created on activation.
    pub account: Option<i64>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
    /// Send it back to activate or reject.
    pub version: i64,
}

impl From<&Registration> for RegistrationView {
    fn from(r: &Registration) -> Self {
        Self {
            id: r.id.0,
            uscc: r.uscc.to_string(),
            name: r.name.clone(),
            region: r.region.to_string(),
            zone: r.placement.zone.as_ref().map(ToString::to_string),
            founded: r.founded.to_string(),
            contact_name: r.contact_name.clone(),
            contact_phone: r.contact_phone.clone(),
            contact_email: r.contact_email.clone(),
            username: r.username.to_string(),
            state: r.state,
            reason: r.reason.clone(),
            enterprise: r.enterprise.as_ref().map(ToString::to_string),
            account: r.account.map(|a| a.0),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// An activated registration and the account it made.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Activated {
    pub registration: RegistrationView,
    pub account: AccountView,
}

/// Which registrations to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RegistrationQuery {
    /// Only registrations in this state; all when absent.
    pub state: Option<RegistrationState>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// The version an activation acts on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Activate {
    /// The version read.
    pub version: i64,
}

/// A rejection, with its reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reject {
    /// The version read.
    pub version: i64,
    /// Why (1–2000 characters); the registrant is told it.
    pub reason: String,
}

/// One problem with a registration: its field, a stable code, the text.
pub(crate) type Problem = (&'static str, &'static str, String);

/// A 422 (or 409 for a code or username taken) naming every problem with
/// its field in `details.problems`.
pub(crate) fn problems_error(status: StatusCode, problems: &[Problem]) -> ApiError {
    let code = problems.first().map_or("invalid_form", |p| p.1);
    let message = problems
        .iter()
        .map(|p| p.2.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    ApiError::new(status, code, message).with_details(serde_json::json!({
        "problems": problems
            .iter()
            .map(|(field, code, problem)| serde_json::json!({"field": field, "code": code, "problem": problem}))
            .collect::<Vec<_>>(),
    }))
}

fn form_code(field: &'static str, text: &str) -> &'static str {
    if text == "required" {
        return "required";
    }
    match field {
        "uscc" => "invalid_uscc",
        "name" => "invalid_name",
        "region" => "invalid_region",
        "founded" => "invalid_founded",
        "contact_name" => "invalid_contact_name",
        "contact_phone" => "invalid_phone",
        "contact_email" => "invalid_email",
        _ => "invalid_form",
    }
}

/// Checks a registration whole: every problem, each with its field, or the
/// registration to file (its password not yet hashed).
async fn check(
    state: &AppState,
    request: &Register,
) -> Result<(NewRegistration, String), ApiError> {
    let form = RegistrationForm {
        uscc: request.uscc.clone(),
        name: request.name.clone(),
        region: request.region.clone(),
        founded: request.founded.clone(),
        contact_name: request.contact_name.clone(),
        contact_phone: request.contact_phone.clone(),
        contact_email: request.contact_email.clone().unwrap_or_default(),
    };
    let mut problems: Vec<Problem> = Vec::new();
    let checked = match form.check() {
        Ok(checked) => Some(checked),
        Err(found) => {
            for p in found {
                problems.push((p.field, form_code(p.field, &p.problem), p.problem));
            }
            None
        }
    };
    let zone_text = request.zone.as_deref().map(str::trim).unwrap_or("");
    let zone = if zone_text.is_empty() {
        None
    } else {
        let zone = match hatchery_core::workflow::ZoneId::parse(zone_text) {
            Ok(id) => state.db.zone(&id).await?.map(|z| z.zone),
            Err(_) => None,
        };
        match (&zone, checked.as_ref()) {
            (None, _) => problems.push((
                "zone",
                "invalid_zone",
                format!("there is no zone {zone_text}"),
            )),
            (Some(z), Some(c)) if z.city != c.region.city() => problems.push((
                "zone",
                "invalid_zone",
                format!("zone {zone_text} is not in the region's city"),
            )),
            _ => {}
        }
        zone
    };
    let username = match Username::parse(request.username.trim()) {
        Ok(name) => Some(name),
        Err(e) => {
            problems.push(("username", "invalid_username", e.to_string()));
            None
        }
    };
    let policy_name = username.as_ref().map(Username::as_str);
    if let Err(e) = crate::password::check_policy(&request.password, policy_name) {
        problems.push(("password", "weak_password", e.to_string()));
    }
    if !request.truthful {
        problems.push((
            "truthful",
            "declaration_required",
            "declare that what you gave is true".to_owned(),
        ));
    }
    let (Some(checked), Some(username), true) = (checked, username, problems.is_empty()) else {
        return Err(problems_error(StatusCode::UNPROCESSABLE_ENTITY, &problems));
    };
    let placement = Placement::of(Some(checked.region), zone.as_ref());
    Ok((
        NewRegistration {
            uscc: checked.uscc,
            name: checked.name,
            region: checked.region,
            founded: checked.founded,
            contact_name: checked.contact_name,
            contact_phone: checked.contact_phone,
            contact_email: checked.contact_email,
            username,
            password_hash: String::new(),
            placement,
        },
        request.password.clone(),
    ))
}

/// Files a registration from `client`: the API's and the sign-up page's one
/// way in. Every problem comes back at once with its field (422), a credit
/// code or username already registered as 409 with its field; past the
/// limit of registrations from one address, 429.
pub async fn register(
    state: &AppState,
    client: Option<IpAddr>,
    request: Register,
) -> Result<Registration, ApiError> {
    let now = state.clock.now();
    let keys = state
        .throttle
        .anonymous_keys(AnonymousAct::Registration, client);
    // Counted before anything is checked, so that no one hashes passwords
    // for free; a registration that never reached the store is forgotten.
    let ticket = if keys.is_empty() {
        None
    } else {
        Some(state.throttle.begin(state.db.as_ref(), &keys, now).await?)
    };
    let forget = |ticket| async {
        if let Some(ticket) = ticket {
            state.throttle.forget(state.db.as_ref(), ticket).await?;
        }
        Ok::<_, ApiError>(())
    };
    let (mut registration, password) = match check(state, &request).await {
        Ok(checked) => checked,
        Err(error) => {
            forget(ticket).await?;
            return Err(error);
        }
    };
    registration.password_hash = match state
        .passwords
        .hash_async(password, registration.username.as_str())
        .await
    {
        Ok(hash) => hash,
        Err(error) => {
            forget(ticket).await?;
            return Err(match error {
                e @ PasswordError::Busy { .. } => e.into(),
                e if e.is_policy() => problems_error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &[("password", "weak_password", e.to_string())],
                ),
                e => e.into(),
            });
        }
    };
    let acting = hatchery_store::workflow::Acting {
        at: now,
        actor: None,
        actor_name: format!("registrant:{}", registration.username),
    };
    match state.db.create_registration(&registration, &acting).await {
        Ok(created) => Ok(created),
        Err(WorkflowError::Duplicate(message)) => {
            let (field, code) = if message == TAKEN_USERNAME {
                ("username", "taken_username")
            } else if message == REGISTERED_USCC {
                ("uscc", "registered_uscc")
            } else {
                ("uscc", "duplicate")
            };
            Err(problems_error(
                StatusCode::CONFLICT,
                &[(field, code, message)],
            ))
        }
        Err(error) => Err(error.into()),
    }
}

/// Registers an enterprise (no sign-in): a pending registration its city or
/// zone official will check.
#[utoipa::path(
    post, path = "/api/registrations", tag = "registrations",
    request_body = Register,
    responses(
        (status = 201, description = "Filed, pending the official's check", body = RegistrationView),
        (status = 409, description = "The credit code is already registered or the username taken (`details.problems`)", body = ErrorBody),
        (status = 422, description = "Every problem, each with its field (`details.problems`)", body = ErrorBody),
        (status = 429, description = "Too many registrations from this address; wait `Retry-After` seconds", body = ErrorBody),
    )
)]
pub async fn create_registration(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Json(request): Json<Register>,
) -> Result<(StatusCode, Json<RegistrationView>), ApiError> {
    let client = client_of(&state, connect, &headers);
    let created = register(&state, client, request).await?;
    Ok((StatusCode::CREATED, Json((&created).into())))
}

/// A registration the caller may check, or 404.
async fn visible(state: &AppState, caller: &Caller, id: i64) -> Result<Registration, ApiError> {
    caller.require(Capability::CheckRegistrations)?;
    let registration = state
        .db
        .registration(RegistrationId(id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    if caller.scope.covers_place(&registration.placement) {
        Ok(registration)
    } else {
        Err(ApiError::not_found())
    }
}

/// Registrations within the caller's city, district or zone, oldest first.
#[utoipa::path(
    get, path = "/api/registrations", tag = "registrations",
    params(RegistrationQuery),
    responses(
        (status = 200, description = "A page of registrations", body = Paged<RegistrationView>),
        (status = 400, description = "Bad filter: an unknown state or page", body = ErrorBody),
        (status = 403, description = "Only city and zone officials check registrations", body = ErrorBody),
    )
)]
pub async fn list_registrations(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<RegistrationQuery>,
) -> Result<Json<Paged<RegistrationView>>, ApiError> {
    caller.require(Capability::CheckRegistrations)?;
    let window = page_window(
        query.page,
        query.per_page,
        state.settings.limits.max_page_size,
    )?;
    let page = state
        .db
        .registrations(&RegistrationFilter {
            scope: caller.scope.clone(),
            state: query.state,
            page: window,
        })
        .await?;
    Ok(Json(Paged::new(
        page.items.iter().map(RegistrationView::from).collect(),
        page.total,
        window,
    )))
}

/// One registration within the caller's jurisdiction.
#[utoipa::path(
    get, path = "/api/registrations/{id}", tag = "registrations",
    params(("id" = i64, Path, description = "The registration's id")),
    responses(
        (status = 200, description = "The registration", body = RegistrationView),
        (status = 403, description = "Only city and zone officials check registrations", body = ErrorBody),
        (status = 404, description = "No such registration within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_registration(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<RegistrationView>, ApiError> {
    let registration = visible(&state, &caller, id).await?;
    Ok(Json((&registration).into()))
}

/// The ledger record a registration binds to: the one holding its credit
/// code, else one created for it now (id = the credit code), audited as an
/// import. Where the account sits follows the record.
async fn ledger_record(
    state: &AppState,
    caller: &Caller,
    registration: &Registration,
) -> Result<Activation, ApiError> {
    let today = state.today();
    let view = state.ledger().await?;
    let held = (0..view.ledger.len()).find(|&position| {
        view.names(position)
            .and_then(|names| names.uscc.as_ref())
            .is_some_and(|uscc| *uscc == registration.uscc)
    });
    let (enterprise, placement) = match held {
        Some(position) => (
            view.ledger.enterprises()[position].id.clone(),
            view.placement(position, today),
        ),
        None => {
            let id = EnterpriseId::parse(registration.uscc.as_str()).map_err(ApiError::internal)?;
            if view.position(&id).is_some() {
                return Err(ApiError::conflict(
                    "ledger_conflict",
                    format!(
                        "the ledger holds an enterprise {id} under another credit code; correct the ledger first"
                    ),
                ));
            }
            let dataset = Dataset {
                enterprises: vec![Enterprise {
                    id: id.clone(),
                    name: registration.name.clone(),
                    name_en: None,
                    uscc: Some(registration.uscc.clone()),
                    founded: registration.founded,
                    country: Default::default(),
                    region: Some(registration.region),
                    city: None,
                    zone: registration
                        .placement
                        .zone
                        .as_ref()
                        .map(ToString::to_string),
                    industries: Vec::new(),
                    tags: Vec::new(),
                    extra: Default::default(),
                }],
                ..Dataset::default()
            };
            let acting = caller.acting(state.clock.now());
            state
                .db
                .import_audited(
                    &dataset,
                    &ImportSource {
                        origin: format!("registration:{}", registration.id),
                        at: acting.at.to_string(),
                    },
                    &acting,
                )
                .await?;
            state.ledger.invalidate();
            (id, registration.placement.clone())
        }
    };
    let jurisdiction = placement
        .division()
        .map_or(Jurisdiction::Nation, Jurisdiction::Division);
    Ok(Activation {
        enterprise,
        jurisdiction,
        placement,
    })
}

/// Activates a pending registration: its enterprise account is created
/// (with the password its registrant chose), bound to the ledger record
/// holding its credit code, or to one created for it.
#[utoipa::path(
    post, path = "/api/registrations/{id}/activate", tag = "registrations",
    params(("id" = i64, Path, description = "The registration's id")),
    request_body = Activate,
    responses(
        (status = 200, description = "Activated: the registration and its account", body = Activated),
        (status = 403, description = "Only city and zone officials check registrations", body = ErrorBody),
        (status = 404, description = "No such registration within your jurisdiction", body = ErrorBody),
        (status = 409, description = "Decided already, or changed since read; or the username was taken meanwhile", body = ErrorBody),
    )
)]
pub async fn activate_registration(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(request): Json<Activate>,
) -> Result<Json<Activated>, ApiError> {
    let registration = visible(&state, &caller, id).await?;
    if registration.state != RegistrationState::Pending || registration.version != request.version {
        return Err(WorkflowError::VersionConflict {
            expected: request.version,
            actual: registration.version,
        }
        .into());
    }
    let activation = ledger_record(&state, &caller, &registration).await?;
    let (registration, account) = state
        .db
        .activate_registration(
            registration.id,
            request.version,
            &activation,
            &caller.acting(state.clock.now()),
        )
        .await?;
    Ok(Json(Activated {
        registration: (&registration).into(),
        account: (&account).into(),
    }))
}

/// Rejects a pending registration with a written reason, which its
/// registrant is told when signing in.
#[utoipa::path(
    post, path = "/api/registrations/{id}/reject", tag = "registrations",
    params(("id" = i64, Path, description = "The registration's id")),
    request_body = Reject,
    responses(
        (status = 200, description = "Rejected", body = RegistrationView),
        (status = 403, description = "Only city and zone officials check registrations", body = ErrorBody),
        (status = 404, description = "No such registration within your jurisdiction", body = ErrorBody),
        (status = 409, description = "Decided already, or changed since read", body = ErrorBody),
        (status = 422, description = "No reason given", body = ErrorBody),
    )
)]
pub async fn reject_registration(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(request): Json<Reject>,
) -> Result<Json<RegistrationView>, ApiError> {
    let registration = visible(&state, &caller, id).await?;
    let reason = request.reason.trim();
    if !(1..=2000).contains(&reason.chars().count())
        || reason
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(problems_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &[(
                "reason",
                "invalid_reason",
                "a reason has 1 to 2000 characters".to_owned(),
            )],
        ));
    }
    let rejected = state
        .db
        .reject_registration(
            registration.id,
            request.version,
            reason,
            &caller.acting(state.clock.now()),
        )
        .await?;
    Ok(Json((&rejected).into()))
}
