//! Stewards (服务管家/服务专员) of pool enterprises and the contact log
//! (走访记录): assigned and ended by the officials of the enterprise's
//! jurisdiction, contacts recorded by them (or by the steward's own
//! account), read by the enterprise itself (its active stewards, and the
//! dates, channels and topics of contacts, without the internal follow-up
//! notes), with per-steward figures for the officials.

use axum::extract::State;
use axum::http::StatusCode;
use hatchery_core::EnterpriseId;
use hatchery_core::services::request::RequestId;
use hatchery_core::services::steward::{
    AssignmentFacts, ContactChannel, ContactFacts, ContactForm, ContactId, STALE_CONTACT_DAYS,
    StewardError, StewardFigures, StewardForm, StewardId, StewardLevel, StewardRole, check_end,
    may_log, may_manage, steward_account_problem, steward_figures,
};
use hatchery_core::workflow::{AccountId, Capability, Placement, Role};
use hatchery_store::workflow::{
    ContactFilter, ContactRecord, NewStewardAssignment, Page, StewardAssignment, StewardFilter,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Paged, Path, Query, page_window};
use crate::routes::enterprises::visible;
use crate::routes::named::name_of;
use crate::state::AppState;
use crate::views::PlacementView;

/// Everything in scope, for the figures: at most this many assignments
/// and contacts are read at once.
const FIGURES_WINDOW: Page = Page {
    offset: 0,
    limit: 100_000,
};

/// A steward's assignment, as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StewardView {
    pub id: i64,
    pub enterprise: String,
    pub enterprise_name: Option<String>,
    pub role: StewardRole,
    /// The level of the jurisdiction that assigned the steward.
    pub level: StewardLevel,
    pub department: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The steward's own official account, if any.
    pub account: Option<i64>,
    #[schema(value_type = String, format = Date)]
    pub starts_on: Date,
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<Date>,
    /// Whether the assignment holds today.
    pub active: bool,
    pub placement: PlacementView,
    pub version: i64,
}

impl StewardView {
    pub fn new(s: &StewardAssignment, name: Option<String>, today: Date) -> Self {
        Self {
            id: s.id.0,
            enterprise: s.enterprise.to_string(),
            enterprise_name: name,
            role: s.role,
            level: s.level,
            department: s.department.clone(),
            name: s.name.clone(),
            phone: s.phone.clone(),
            email: s.email.clone(),
            account: s.account.map(|a| a.0),
            starts_on: s.starts_on,
            ends_on: s.ends_on,
            active: s.is_active_on(today),
            placement: PlacementView::from(&s.placement),
            version: s.version,
        }
    }
}

/// A contact, as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    pub id: i64,
    /// The assignment it was made under.
    pub steward: i64,
    pub steward_name: String,
    pub enterprise: String,
    pub enterprise_name: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub contacted_on: Date,
    pub channel: ContactChannel,
    pub topics: String,
    /// Requests (诉求) raised: `/api/requests/{id}`.
    pub requests: Vec<i64>,
    /// The internal follow-up note: not shown to the enterprise.
    pub follow_up: Option<String>,
    /// The record this one corrects.
    pub corrects: Option<i64>,
    /// A later record correcting this one.
    pub corrected_by: Option<i64>,
    /// Who recorded that correction, and when.
    pub corrected_by_name: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub corrected_at: Option<Timestamp>,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

impl ContactView {
    fn new(
        c: &ContactRecord,
        steward_name: String,
        enterprise_name: Option<String>,
        internal: bool,
    ) -> Self {
        Self {
            id: c.id.0,
            steward: c.steward.0,
            steward_name,
            enterprise: c.enterprise.to_string(),
            enterprise_name,
            contacted_on: c.contacted_on,
            channel: c.channel,
            topics: c.topics.clone(),
            requests: c.requests.iter().map(|r| r.0).collect(),
            follow_up: c.follow_up.clone().filter(|_| internal),
            corrects: c.corrects.map(|x| x.0),
            corrected_by: c.corrected_by.map(|x| x.0),
            corrected_by_name: c.corrected_name.clone(),
            corrected_at: c.corrected_at,
            recorded_by: c.recorded_name.clone(),
            recorded_at: c.recorded_at,
        }
    }
}

/// A steward to assign.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignSteward {
    /// `government` (政府管家), `market` (市场管家), `commissioner`
    /// (服务专员) or `chief_service_officer` (首席服务官).
    pub role: StewardRole,
    /// The steward's department or organisation, e.g. 市工信局.
    pub department: String,
    pub name: String,
    /// A telephone number or an e-mail address is required.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The steward's own official account (its jurisdiction must cover the enterprise).
    pub account: Option<i64>,
    /// Default: today.
    #[schema(value_type = Option<String>, format = Date)]
    pub starts_on: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<Date>,
}

/// Ending an assignment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndSteward {
    /// The version read: the assignment is ended only if it is still there.
    pub version: i64,
    /// The last day served (default: today); not before the start.
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<Date>,
}

/// A contact to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordContact {
    /// The assignment (of this enterprise) the contact was made under.
    pub steward: i64,
    /// Not in the future, not before the assignment started.
    #[schema(value_type = String, format = Date)]
    pub contacted_on: Date,
    /// `visit`, `phone`, `video`, `meeting` or `online`.
    pub channel: ContactChannel,
    pub topics: String,
    /// Requests of this enterprise raised in the contact.
    #[serde(default)]
    pub requests: Vec<i64>,
    pub follow_up: Option<String>,
    /// The earlier record (of this enterprise) that this one corrects.
    pub corrects: Option<i64>,
}

/// Which stewards of an enterprise to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseStewardsQuery {
    /// Officials: also the ended and future assignments.
    pub all: Option<bool>,
}

/// Filters of the contact lists.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ContactQuery {
    /// One assignment's contacts.
    pub steward: Option<i64>,
    /// The contacts of every assignment of one steward (as in the figures' `person`).
    pub person: Option<String>,
    pub enterprise: Option<String>,
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<Date>,
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<Date>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// The period of the figures (default: the last 90 days to today).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<Date>,
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<Date>,
}

/// The stewards in scope with their figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StewardReport {
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    #[schema(value_type = String, format = Date)]
    pub to: Date,
    #[schema(value_type = String, format = Date)]
    pub today: Date,
    /// An enterprise is flagged after this many days without contact.
    pub stale_after_days: i64,
    pub stewards: Vec<StewardFigures>,
}

impl From<StewardError> for ApiError {
    fn from(error: StewardError) -> Self {
        let message = error.to_string();
        match error {
            StewardError::NotPermitted { .. } => Self::forbidden(message),
            StewardError::OutOfScope => Self::not_found(),
            StewardError::Field(problem) => Self::invalid("invalid_field", message)
                .with_details(serde_json::json!({ "field": problem.field })),
            StewardError::AlreadyEnded(_) => Self::conflict("already_ended", message),
        }
    }
}

fn field(problem: hatchery_core::services::request::FieldProblem) -> ApiError {
    StewardError::Field(problem).into()
}

/// The enterprise `id` if the caller may read its stewards: its id and placement.
async fn enterprise_in_scope(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(EnterpriseId, Placement), ApiError> {
    caller.require(Capability::ReadStewards)?;
    let ledger = state.ledger().await?;
    let (position, placement) = visible(&ledger, caller, id, state.today())?;
    Ok((ledger.ledger.enterprises()[position].id.clone(), placement))
}

/// The stewards of an enterprise: for its own account, those serving it
/// today; for officials, every assignment with `all`.
#[utoipa::path(
    get, path = "/api/enterprises/{id}/stewards", tag = "stewards",
    params(("id" = String, Path, description = "The enterprise's id"), EnterpriseStewardsQuery),
    responses(
        (status = 200, description = "The stewards, by start", body = Vec<StewardView>),
        (status = 403, description = "The role does not read stewards", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn list_enterprise_stewards(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<EnterpriseStewardsQuery>,
) -> Result<Json<Vec<StewardView>>, ApiError> {
    let (enterprise, _) = enterprise_in_scope(&state, &caller, &id).await?;
    let all = query.all.unwrap_or(false) && caller.account.role != Role::Enterprise;
    Ok(Json(enterprise_stewards(&state, &enterprise, all).await?))
}

/// The stewards of `enterprise` (shared with the pages).
pub(crate) async fn enterprise_stewards(
    state: &AppState,
    enterprise: &EnterpriseId,
    all: bool,
) -> Result<Vec<StewardView>, ApiError> {
    let today = state.today();
    let found = state
        .db
        .stewards(&StewardFilter {
            scope: hatchery_core::workflow::Scope::Enterprise(enterprise.clone()),
            enterprise: Some(enterprise.clone()),
            active_on: (!all).then_some(today),
            account: None,
            page: FIGURES_WINDOW,
        })
        .await?;
    let ledger = state.ledger().await?;
    let name = name_of(&ledger, enterprise);
    Ok(found
        .items
        .iter()
        .map(|s| StewardView::new(s, name.clone(), today))
        .collect())
}

/// Assigns a steward to an enterprise of the cultivation pool.
#[utoipa::path(
    post, path = "/api/enterprises/{id}/stewards", tag = "stewards",
    params(("id" = String, Path, description = "The enterprise's id")),
    request_body = AssignSteward,
    responses(
        (status = 201, description = "Assigned", body = StewardView),
        (status = 403, description = "The role does not assign stewards", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
        (status = 409, description = "The same person already holds this role for the enterprise in that period", body = ErrorBody),
        (status = 422, description = "A field is wrong, or the enterprise is not in the pool", body = ErrorBody),
    )
)]
pub async fn assign_steward(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<AssignSteward>,
) -> Result<(StatusCode, Json<StewardView>), ApiError> {
    caller.require(Capability::ManageStewards)?;
    let assigned = assign(&state, &caller, &id, body).await?;
    let ledger = state.ledger().await?;
    let name = name_of(&ledger, &assigned.enterprise);
    Ok((
        StatusCode::CREATED,
        Json(StewardView::new(&assigned, name, state.today())),
    ))
}

/// Assigns `body` for `caller` (shared with the pages).
pub(crate) async fn assign(
    state: &AppState,
    caller: &Caller,
    id: &str,
    body: AssignSteward,
) -> Result<StewardAssignment, ApiError> {
    caller.require(Capability::ManageStewards)?;
    let ledger = state.ledger().await?;
    let (position, placement) = visible(&ledger, caller, id, state.today())?;
    let enterprise = ledger.ledger.enterprises()[position].id.clone();
    may_manage(caller.account.role, &caller.scope, &enterprise, &placement)?;
    let form = StewardForm {
        role: body.role,
        department: body.department,
        name: body.name,
        phone: body.phone,
        email: body.email,
        account: body.account.map(AccountId),
        starts_on: body.starts_on.unwrap_or_else(|| state.today()),
        ends_on: body.ends_on,
    }
    .cleaned();
    if let Some(problem) = form.problems().into_iter().next() {
        return Err(field(problem));
    }
    if let Some(account) = form.account {
        let problem = match state.db.account(account).await? {
            Some(found) => steward_account_problem(
                found.role,
                &found.scope(),
                found.disabled,
                &enterprise,
                &placement,
            ),
            None => steward_account_problem(
                Role::Investor,
                &hatchery_core::workflow::Scope::Enterprise(enterprise.clone()),
                true,
                &enterprise,
                &placement,
            ),
        };
        if let Some(problem) = problem {
            return Err(field(problem));
        }
    }
    Ok(state
        .db
        .assign_steward(
            &NewStewardAssignment {
                enterprise,
                placement,
                level: StewardLevel::of(&caller.account.jurisdiction),
                form,
            },
            &caller.acting(state.clock.now()),
        )
        .await?)
}

/// Ends an assignment (a versioned step: nothing is deleted).
#[utoipa::path(
    post, path = "/api/stewards/{id}/end", tag = "stewards",
    params(("id" = i64, Path, description = "The assignment's id")),
    request_body = EndSteward,
    responses(
        (status = 200, description = "Ended", body = StewardView),
        (status = 403, description = "The role does not manage stewards", body = ErrorBody),
        (status = 404, description = "No such assignment within your jurisdiction", body = ErrorBody),
        (status = 409, description = "The assignment changed since it was read, or it has ended already", body = ErrorBody),
        (status = 422, description = "The end is before the start", body = ErrorBody),
    )
)]
pub async fn end_steward(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<EndSteward>,
) -> Result<Json<StewardView>, ApiError> {
    let ended = end(&state, &caller, id, body).await?;
    let ledger = state.ledger().await?;
    let name = name_of(&ledger, &ended.enterprise);
    Ok(Json(StewardView::new(&ended, name, state.today())))
}

/// Ends `id` for `caller` (shared with the pages).
pub(crate) async fn end(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: EndSteward,
) -> Result<StewardAssignment, ApiError> {
    caller.require(Capability::ManageStewards)?;
    let assignment = state
        .db
        .steward(StewardId(id))
        .await?
        .filter(|s| caller.sees(&s.enterprise, &s.placement))
        .ok_or_else(ApiError::not_found)?;
    may_manage(
        caller.account.role,
        &caller.scope,
        &assignment.enterprise,
        &assignment.placement,
    )?;
    let today = state.today();
    let ends_on = body.ends_on.unwrap_or(today);
    if body.version == assignment.version {
        check_end(assignment.starts_on, assignment.ends_on, ends_on, today)?;
    }
    Ok(state
        .db
        .end_steward(
            assignment.id,
            body.version,
            ends_on,
            &caller.acting(state.clock.now()),
        )
        .await?)
}

/// The contacts with an enterprise, newest first.
#[utoipa::path(
    get, path = "/api/enterprises/{id}/contacts", tag = "stewards",
    params(("id" = String, Path, description = "The enterprise's id"), ContactQuery),
    responses(
        (status = 200, description = "A page of contacts", body = Paged<ContactView>),
        (status = 403, description = "The role does not read stewards", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn list_enterprise_contacts(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(mut query): Query<ContactQuery>,
) -> Result<Json<Paged<ContactView>>, ApiError> {
    let (enterprise, _) = enterprise_in_scope(&state, &caller, &id).await?;
    query.enterprise = Some(enterprise.to_string());
    list_contacts_of(&state, &caller, &query).await.map(Json)
}

/// Records a contact with an enterprise (append-only; a correction names
/// the record it corrects).
#[utoipa::path(
    post, path = "/api/enterprises/{id}/contacts", tag = "stewards",
    params(("id" = String, Path, description = "The enterprise's id")),
    request_body = RecordContact,
    responses(
        (status = 201, description = "Recorded", body = ContactView),
        (status = 403, description = "The role does not record contacts", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
        (status = 422, description = "A field is wrong: a date in the future or before the assignment, another enterprise's request…", body = ErrorBody),
    )
)]
pub async fn record_contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<RecordContact>,
) -> Result<(StatusCode, Json<ContactView>), ApiError> {
    let (recorded, steward) = record(&state, &caller, &id, body).await?;
    let ledger = state.ledger().await?;
    let name = name_of(&ledger, &recorded.enterprise);
    Ok((
        StatusCode::CREATED,
        Json(ContactView::new(&recorded, steward.name, name, true)),
    ))
}

/// Records `body` for `caller` (shared with the pages).
pub(crate) async fn record(
    state: &AppState,
    caller: &Caller,
    id: &str,
    body: RecordContact,
) -> Result<(ContactRecord, StewardAssignment), ApiError> {
    caller.require(Capability::LogContacts)?;
    let ledger = state.ledger().await?;
    let (position, placement) = visible(&ledger, caller, id, state.today())?;
    let enterprise = ledger.ledger.enterprises()[position].id.clone();
    may_log(caller.account.role, &caller.scope, &enterprise, &placement)?;
    let steward = state
        .db
        .steward(StewardId(body.steward))
        .await?
        .filter(|s| s.enterprise == enterprise)
        .ok_or_else(|| {
            field(hatchery_core::services::request::FieldProblem {
                field: "steward",
                problem: format!("{} is not an assignment of this enterprise", body.steward),
            })
        })?;
    let form = ContactForm {
        steward: steward.id,
        contacted_on: body.contacted_on,
        channel: body.channel,
        topics: body.topics,
        requests: body.requests.into_iter().map(RequestId).collect(),
        follow_up: body.follow_up,
        corrects: body.corrects.map(ContactId),
    }
    .cleaned();
    let today = state.today();
    if let Some(problem) = form.problems(today).into_iter().next() {
        return Err(field(problem));
    }
    let recorded = state
        .db
        .record_contact(&form, &caller.acting(state.clock.now()))
        .await?;
    Ok((recorded, steward))
}

/// One contact record with whether (and by whom, when) it was corrected:
/// what a correction form starts from.
#[utoipa::path(
    get, path = "/api/contacts/{id}", tag = "stewards",
    params(("id" = i64, Path, description = "The contact record's id")),
    responses(
        (status = 200, description = "The contact", body = ContactView),
        (status = 403, description = "The role does not read stewards", body = ErrorBody),
        (status = 404, description = "No such contact within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<ContactView>, ApiError> {
    contact_of(&state, &caller, id).await.map(Json)
}

/// Contact `id` as `caller` reads it (shared with the pages).
pub(crate) async fn contact_of(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<ContactView, ApiError> {
    caller.require(Capability::ReadStewards)?;
    let found = state
        .db
        .contact(ContactId(id))
        .await?
        .filter(|c| caller.sees(&c.enterprise, &c.placement))
        .ok_or_else(ApiError::not_found)?;
    let steward = state
        .db
        .steward(found.steward)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let ledger = state.ledger().await?;
    Ok(ContactView::new(
        &found,
        steward,
        name_of(&ledger, &found.enterprise),
        caller.account.role != Role::Enterprise,
    ))
}

/// Contacts within the caller's jurisdiction, filtered by steward and period.
#[utoipa::path(
    get, path = "/api/contacts", tag = "stewards",
    params(ContactQuery),
    responses(
        (status = 200, description = "A page of contacts, newest first", body = Paged<ContactView>),
        (status = 400, description = "Bad filter", body = ErrorBody),
        (status = 403, description = "The role does not read stewards", body = ErrorBody),
    )
)]
pub async fn list_contacts(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ContactQuery>,
) -> Result<Json<Paged<ContactView>>, ApiError> {
    caller.require(Capability::ReadStewards)?;
    list_contacts_of(&state, &caller, &query).await.map(Json)
}

/// The contacts `query` selects for `caller` (shared with the pages).
pub(crate) async fn list_contacts_of(
    state: &AppState,
    caller: &Caller,
    query: &ContactQuery,
) -> Result<Paged<ContactView>, ApiError> {
    let window = page_window(
        query.page,
        query.per_page,
        state.settings.limits.max_page_size,
    )?;
    let enterprise = match &query.enterprise {
        Some(text) => Some(
            EnterpriseId::parse(text)
                .map_err(|_| ApiError::bad_request("invalid_query", "enterprise: not an id"))?,
        ),
        None => None,
    };
    let found = state
        .db
        .contacts(&ContactFilter {
            scope: caller.scope.clone(),
            enterprise,
            steward: query.steward.map(StewardId),
            person: query.person.clone(),
            from: query.from,
            to: query.to,
            page: window,
        })
        .await?;
    let names = steward_names(state, caller).await?;
    let ledger = state.ledger().await?;
    let internal = caller.account.role != Role::Enterprise;
    let items = found
        .items
        .iter()
        .map(|c| {
            ContactView::new(
                c,
                names.get(&c.steward).cloned().unwrap_or_default(),
                name_of(&ledger, &c.enterprise),
                internal,
            )
        })
        .collect();
    Ok(Paged::new(items, found.total, window))
}

/// Every assignment within the caller's jurisdiction, ended ones too
/// (shared with the requests' figures and the pages; no capability check:
/// callers check `ReadStewards` first).
pub async fn scoped_stewards(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<StewardAssignment>, ApiError> {
    Ok(state
        .db
        .stewards(&StewardFilter {
            scope: caller.scope.clone(),
            enterprise: None,
            active_on: None,
            account: None,
            page: FIGURES_WINDOW,
        })
        .await?
        .items)
}

async fn steward_names(
    state: &AppState,
    caller: &Caller,
) -> Result<std::collections::HashMap<StewardId, String>, ApiError> {
    Ok(scoped_stewards(state, caller)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

/// The stewards within the caller's jurisdiction, each with the
/// enterprises served today, the contacts in the period and the days since
/// each enterprise's last contact (flagged past `stale_after_days`).
#[utoipa::path(
    get, path = "/api/stewards", tag = "stewards",
    params(FiguresQuery),
    responses(
        (status = 200, description = "The stewards with their figures", body = StewardReport),
        (status = 403, description = "The role does not read stewards", body = ErrorBody),
        (status = 422, description = "The period ends before it starts", body = ErrorBody),
    )
)]
pub async fn list_stewards(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<FiguresQuery>,
) -> Result<Json<StewardReport>, ApiError> {
    caller.require(Capability::ReadStewards)?;
    report(&state, &caller, &query).await.map(Json)
}

/// The report `query` asks for (shared with the pages).
pub(crate) async fn report(
    state: &AppState,
    caller: &Caller,
    query: &FiguresQuery,
) -> Result<StewardReport, ApiError> {
    let today = state.today();
    let to = query.to.unwrap_or(today);
    let from = match query.from {
        Some(from) => from,
        None => to
            .checked_sub(jiff::Span::new().days(STALE_CONTACT_DAYS))
            .map_err(ApiError::internal)?,
    };
    if to < from {
        return Err(ApiError::invalid(
            "invalid_field",
            format!("to: {to} is before from ({from})"),
        )
        .with_details(serde_json::json!({ "field": "to" })));
    }
    let assignments = scoped_stewards(state, caller).await?;
    let contacts = state
        .db
        .contacts(&ContactFilter {
            scope: caller.scope.clone(),
            enterprise: None,
            steward: None,
            person: None,
            from: None,
            to: None,
            page: FIGURES_WINDOW,
        })
        .await?;
    let facts: Vec<AssignmentFacts> = assignments
        .iter()
        .map(|s| AssignmentFacts {
            id: s.id,
            person: s.person.clone(),
            name: s.name.clone(),
            enterprise: s.enterprise.clone(),
            starts_on: s.starts_on,
            ends_on: s.ends_on,
        })
        .collect();
    let contact_facts: Vec<ContactFacts> = contacts
        .items
        .iter()
        .map(|c| ContactFacts {
            id: c.id,
            steward: c.steward,
            contacted_on: c.contacted_on,
            corrects: c.corrects,
        })
        .collect();
    Ok(StewardReport {
        from,
        to,
        today,
        stale_after_days: STALE_CONTACT_DAYS,
        stewards: steward_figures(&facts, &contact_facts, (from, to), today),
    })
}
