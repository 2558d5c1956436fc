//! Enterprises' requests (诉求): filed by the enterprise or its city or zone
//! office on its behalf, handled level by level against the clocks of the
//! jurisdiction, confirmed or reopened by the enterprise; and the figures
//! computed from their timestamps.

use axum::extract::State;
use axum::http::StatusCode;
use hatchery_core::services::kpi::{self, Kpis, RequestTimeline};
use hatchery_core::services::request::{RequestCommand, awaiting};
use hatchery_core::services::revisit::{self, ClosedRequest, RevisitDue, RevisitReason};
use hatchery_core::services::{
    ClockSet, Level, RequestAction, RequestActor, RequestChannel, RequestCircumstances,
    RequestClass, RequestError, RequestFacts, RequestForm, RequestId, RequestState, decide_request,
    due_escalation, may_file,
};
use hatchery_core::workflow::{Capability, Role};
use hatchery_store::workflow::{
    Acting, NewServiceRequest, RequestFilter, RequestStep, ServiceRequest, WorkflowError,
};
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Paged, Path, Query, page_window};
use crate::routes::enterprises::visible;
use crate::routes::named::{name_of, named, named_page};
use crate::state::AppState;
use crate::views::requests::{KpiView, RequestDetail, RequestStepView, RequestView, RevisitView};

/// A request to file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileRequest {
    /// The enterprise's id.
    pub enterprise: String,
    /// `consultation`, `general`, `urgent` or `complex`: it decides the clocks.
    pub class: RequestClass,
    /// How it reached the office (default: `platform` from the enterprise,
    /// `steward` from an official).
    pub channel: Option<RequestChannel>,
    /// A line saying what is asked (up to 200 characters).
    pub title: String,
    /// The request in full (up to 4000 characters).
    pub body: String,
    /// The id of the catalogue item it is about: a published service the
    /// enterprise may use (else 422 naming `catalogue_item`).
    #[serde(default)]
    pub catalogue_item: Option<i64>,
}

/// A step to take on a request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestActionBody {
    /// The version read: the step is taken only if the request is still there.
    pub version: i64,
    /// `accept`, `dispatch`, `start`, `return`, `suspend`, `resume`,
    /// `escalate`, `answer`, `close`, `reopen`, `confirm`, `withdraw` or
    /// `revisit`.
    pub action: String,
    /// Why: required to return, suspend, escalate, close and reopen.
    pub reason: Option<String>,
    /// The answer the enterprise reads (required to answer).
    pub answer: Option<String>,
    /// A note: required for a revisit; optional on dispatch and resume.
    pub note: Option<String>,
    /// The department to dispatch to (required to dispatch).
    pub department: Option<String>,
    /// On an escalation: a problem many enterprises share (共性).
    pub shared: Option<bool>,
    /// On a confirmation: whether the problem was solved.
    pub solved: Option<bool>,
    /// On a confirmation: 1 (very dissatisfied) to 5 (very satisfied).
    pub satisfaction: Option<u8>,
    /// On a confirmation: a comment.
    pub comment: Option<String>,
}

/// Filters of the request list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RequestQuery {
    pub state: Option<RequestState>,
    pub level: Option<Level>,
    pub class: Option<RequestClass>,
    pub enterprise: Option<String>,
    /// Only the requests overdue now.
    pub overdue: Option<bool>,
    /// Only the requests waiting for the caller (the caller's queue).
    pub mine: Option<bool>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// The period the figures cover: requests filed from `from` to `to`
/// (inclusive days, China time).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct KpiQuery {
    #[param(value_type = String, format = Date)]
    pub from: jiff::civil::Date,
    #[param(value_type = String, format = Date)]
    pub to: jiff::civil::Date,
}

/// The request `id` if the caller may read it.
pub(crate) async fn visible_request(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<ServiceRequest, ApiError> {
    caller.require(Capability::ReadRequests)?;
    let request = state
        .db
        .service_request(RequestId(id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    if caller.sees(&request.enterprise, &request.placement) {
        Ok(request)
    } else {
        Err(ApiError::not_found())
    }
}

/// The request as the API shows it, naming its enterprise.
pub(crate) async fn request_view(
    state: &AppState,
    request: &ServiceRequest,
) -> Result<RequestView, ApiError> {
    let now = state.clock.now();
    named(state, request, |r, name| RequestView::new(r, name, now)).await
}

/// Files a request for an enterprise: its own account, or its city or zone
/// office on its behalf. Its deadlines come from the clocks of the
/// enterprise's jurisdiction.
#[utoipa::path(
    post, path = "/api/requests", tag = "requests",
    request_body = FileRequest,
    responses(
        (status = 201, description = "Filed; it awaits acceptance", body = RequestView),
        (status = 403, description = "The role does not file requests", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
        (status = 422, description = "A field is missing or too long", body = ErrorBody),
    )
)]
pub async fn file_request(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<FileRequest>,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    caller.require(Capability::FileRequests)?;
    let filed = file(&state, &caller, body).await?;
    Ok((
        StatusCode::CREATED,
        Json(request_view(&state, &filed).await?),
    ))
}

/// Files `body` for `caller` (shared with the pages).
pub(crate) async fn file(
    state: &AppState,
    caller: &Caller,
    body: FileRequest,
) -> Result<ServiceRequest, ApiError> {
    let ledger = state.ledger().await?;
    let (position, placement) = visible(&ledger, caller, &body.enterprise, state.today())?;
    let enterprise = ledger.ledger.enterprises()[position].id.clone();
    may_file(caller.account.role, &caller.scope, &enterprise, &placement)?;
    let channel = body
        .channel
        .unwrap_or(if caller.account.role == Role::Enterprise {
            RequestChannel::Platform
        } else {
            RequestChannel::Steward
        });
    let form = RequestForm {
        class: body.class,
        channel,
        title: body.title.trim().to_owned(),
        body: body.body.trim().to_owned(),
    };
    if let Some(problem) = form.problems().into_iter().next() {
        return Err(RequestError::Field(problem).into());
    }
    let now = state.clock.now();
    let clocks = state
        .settings
        .services
        .clocks
        .for_placement(&placement)
        .map_err(ApiError::internal)?;
    let dues = clocks
        .dues(form.class, now, &state.settings.workflow.calendar)
        .map_err(RequestError::from)?;
    let item = match body.catalogue_item {
        Some(id) => {
            let item = hatchery_core::services::catalogue::ItemId(id);
            let (_, _, tier) =
                crate::routes::catalogue::enterprise_tier(state, caller, &body.enterprise).await?;
            crate::routes::catalogue::check_usable(state, &placement, tier, item, "catalogue_item")
                .await?;
            Some(item)
        }
        None => None,
    };
    let new = NewServiceRequest {
        enterprise,
        placement,
        form,
        clock_set: clocks.id().to_owned(),
        clock_version: clocks.version().to_owned(),
        dues,
    };
    let acting = caller.acting(now);
    let filed = match item {
        Some(item) => state.db.file_request_naming(&new, item, &acting).await?,
        None => state.db.file_request(&new, &acting).await?,
    };
    Ok(filed)
}

/// Requests within the caller's jurisdiction (an enterprise: its own),
/// newest first.
#[utoipa::path(
    get, path = "/api/requests", tag = "requests",
    params(RequestQuery),
    responses(
        (status = 200, description = "A page of requests", body = Paged<RequestView>),
        (status = 403, description = "The role does not read requests", body = ErrorBody),
    )
)]
pub async fn list_requests(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<RequestQuery>,
) -> Result<Json<Paged<RequestView>>, ApiError> {
    caller.require(Capability::ReadRequests)?;
    let window = page_window(
        query.page,
        query.per_page,
        state.settings.limits.max_page_size,
    )?;
    let page = list(&state, &caller, &query, window).await?;
    let now = state.clock.now();
    named_page(&state, page, window, |r, name| {
        RequestView::new(r, name, now)
    })
    .await
}

/// The requests `query` selects for `caller` (shared with the pages). With
/// `mine`, those waiting for the caller: the states the caller's role moves
/// on, at the caller's level.
pub(crate) async fn list(
    state: &AppState,
    caller: &Caller,
    query: &RequestQuery,
    window: hatchery_store::workflow::Page,
) -> Result<hatchery_store::workflow::Paged<ServiceRequest>, ApiError> {
    let enterprise = match &query.enterprise {
        Some(text) => Some(
            hatchery_core::EnterpriseId::parse(text)
                .map_err(|_| ApiError::bad_request("invalid_query", "enterprise: not an id"))?,
        ),
        None => None,
    };
    let mine = query.mine.unwrap_or(false);
    // The caller's queue: the states the caller's role moves on (at the
    // caller's level, for an office).
    let states: Vec<RequestState> = match (mine, query.state) {
        (false, asked) => asked.into_iter().collect(),
        (true, asked) => awaiting(caller.account.role)
            .into_iter()
            .filter(|s| asked.is_none_or(|a| a == *s))
            .collect(),
    };
    let queue_without_states = mine && states.is_empty();
    let filter = RequestFilter {
        scope: caller.scope.clone(),
        states,
        level: match mine {
            true => query.level.or(Level::of(caller.account.role)),
            false => query.level,
        },
        class: query.class,
        enterprise,
        overdue_at: query.overdue.unwrap_or(false).then(|| state.clock.now()),
        filed: None,
        page: window,
    };
    if queue_without_states {
        // Nothing waits for a role that moves nothing on.
        return Ok(hatchery_store::workflow::Paged {
            items: Vec::new(),
            total: 0,
        });
    }
    Ok(state.db.service_requests(&filter).await?)
}

/// A request with its steps and the steps the caller may take now.
#[utoipa::path(
    get, path = "/api/requests/{id}", tag = "requests",
    params(("id" = i64, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The request", body = RequestDetail),
        (status = 403, description = "The role does not read requests", body = ErrorBody),
        (status = 404, description = "No such request within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<RequestDetail>, ApiError> {
    let request = visible_request(&state, &caller, id).await?;
    Ok(Json(detail(&state, &caller, &request).await?))
}

/// `request` with its steps and open actions, as `caller` sees it.
pub(crate) async fn detail(
    state: &AppState,
    caller: &Caller,
    request: &ServiceRequest,
) -> Result<RequestDetail, ApiError> {
    let steps = state.db.request_steps(request.id).await?;
    let ledger = state.ledger().await?;
    let now = state.clock.now();
    Ok(RequestDetail {
        request: RequestView::new(request, name_of(&ledger, &request.enterprise), now),
        steps: steps.iter().map(RequestStepView::from).collect(),
        actions: open_actions(state, caller, request)?,
        catalogue: match request.catalogue_item {
            Some(item) => catalogue_ref(state, item).await?,
            None => None,
        },
    })
}

/// The catalogue item `item` with its menu and provider, as a request that
/// names it shows it (whoever reads the request reads what it was filed
/// against, even once the menu is superseded or the provider flagged).
async fn catalogue_ref(
    state: &AppState,
    item: hatchery_core::services::catalogue::ItemId,
) -> Result<Option<crate::views::requests::CatalogueItemRef>, ApiError> {
    let Some(found) = state.db.menu_item(item).await? else {
        return Ok(None);
    };
    let menu = state.db.menu(found.menu).await?;
    let provider = state.db.provider(found.form.provider).await?;
    Ok(Some(crate::views::requests::CatalogueItemRef {
        id: found.id.0,
        title: found.form.title.clone(),
        category: found.form.category,
        menu: found.menu.0,
        menu_title: menu
            .as_ref()
            .map(|m| m.form.title.clone())
            .unwrap_or_default(),
        menu_label: menu.map(|m| m.form.label).unwrap_or_default(),
        provider: found.form.provider.0,
        provider_name: provider.map(|p| p.form.name).unwrap_or_default(),
        time_limit_days: found.form.time_limit_days,
    }))
}

/// The steps `caller` may take on `request` now, as the domain decides them
/// (with placeholder text where text is required).
pub fn open_actions(
    state: &AppState,
    caller: &Caller,
    request: &ServiceRequest,
) -> Result<Vec<RequestAction>, ApiError> {
    let clocks = clocks_of(state, request)?;
    let text = || "—".to_owned();
    let candidates = [
        RequestCommand::Accept,
        RequestCommand::Dispatch {
            department: text(),
            note: None,
        },
        RequestCommand::Start,
        RequestCommand::Return { reason: text() },
        RequestCommand::Suspend { reason: text() },
        RequestCommand::Resume { note: None },
        RequestCommand::Escalate {
            reason: text(),
            shared: false,
        },
        RequestCommand::Answer { answer: text() },
        RequestCommand::Close { reason: text() },
        RequestCommand::Reopen { reason: text() },
        RequestCommand::Confirm {
            solved: true,
            satisfaction: 5,
            comment: None,
        },
        RequestCommand::Withdraw { reason: None },
        RequestCommand::Revisit { note: text() },
    ];
    Ok(candidates
        .iter()
        .filter(|command| decide_now(clocks, state, caller, request, command).is_ok())
        .map(RequestCommand::action)
        .collect())
}

/// The clocks of a request's jurisdiction: those it was timed by, or their
/// later version.
fn clocks_of<'a>(state: &'a AppState, request: &ServiceRequest) -> Result<&'a ClockSet, ApiError> {
    state
        .settings
        .services
        .clocks
        .for_placement(&request.placement)
        .map_err(ApiError::internal)
}

fn facts(request: &ServiceRequest) -> RequestFacts<'_> {
    RequestFacts {
        state: request.state,
        level: request.level,
        class: request.form.class,
        enterprise: &request.enterprise,
        placement: &request.placement,
        dues: request.dues,
        suspended_since: request.suspended_since,
    }
}

fn decide_now(
    clocks: &ClockSet,
    state: &AppState,
    caller: &Caller,
    request: &ServiceRequest,
    command: &RequestCommand,
) -> Result<hatchery_core::services::RequestTransition, RequestError> {
    decide_request(
        &facts(request),
        RequestActor {
            account: caller.account.id,
            role: caller.account.role,
            scope: &caller.scope,
        },
        command,
        RequestCircumstances {
            now: state.clock.now(),
            clocks,
            calendar: &state.settings.workflow.calendar,
        },
    )
}

/// The command an action body asks for.
pub(crate) fn command(body: &RequestActionBody) -> Result<RequestCommand, ApiError> {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let action = RequestAction::parse(&body.action).ok_or_else(|| {
        ApiError::invalid(
            "unknown_action",
            format!("'{}' is not a step of a request", body.action),
        )
    })?;
    Ok(match action {
        RequestAction::Accept => RequestCommand::Accept,
        RequestAction::Dispatch => RequestCommand::Dispatch {
            department: text(&body.department),
            note: body.note.clone(),
        },
        RequestAction::Start => RequestCommand::Start,
        RequestAction::Return => RequestCommand::Return {
            reason: text(&body.reason),
        },
        RequestAction::Suspend => RequestCommand::Suspend {
            reason: text(&body.reason),
        },
        RequestAction::Resume => RequestCommand::Resume {
            note: body.note.clone(),
        },
        RequestAction::Escalate => RequestCommand::Escalate {
            reason: text(&body.reason),
            shared: body.shared.unwrap_or(false),
        },
        RequestAction::Answer => RequestCommand::Answer {
            answer: text(&body.answer),
        },
        RequestAction::Close => RequestCommand::Close {
            reason: text(&body.reason),
        },
        RequestAction::Reopen => RequestCommand::Reopen {
            reason: text(&body.reason),
        },
        RequestAction::Confirm => RequestCommand::Confirm {
            solved: body.solved.ok_or_else(|| {
                ApiError::invalid("invalid_field", "solved: say whether it was solved")
                    .with_details(serde_json::json!({ "field": "solved" }))
            })?,
            satisfaction: body.satisfaction.unwrap_or(0),
            comment: body.comment.clone(),
        },
        RequestAction::Withdraw => RequestCommand::Withdraw {
            reason: body.reason.clone(),
        },
        RequestAction::Revisit => RequestCommand::Revisit {
            note: text(&body.note),
        },
        RequestAction::File => {
            return Err(ApiError::invalid(
                "unknown_action",
                "a request is filed with POST /api/requests",
            ));
        }
    })
}

/// Decides `command` for `caller` on `request` and applies it at `version`.
pub(crate) async fn take_step(
    state: &AppState,
    caller: &Caller,
    request: &ServiceRequest,
    version: i64,
    command: &RequestCommand,
) -> Result<ServiceRequest, ApiError> {
    let decided = decide_now(clocks_of(state, request)?, state, caller, request, command);
    // Who may act comes first, then whether they saw the current version,
    // then whether the step fits the request as it is.
    if let Err(
        error @ (RequestError::NotPermitted { .. }
        | RequestError::OutOfScope
        | RequestError::OtherLevel { .. }),
    ) = decided
    {
        return Err(error.into());
    }
    if request.version != version {
        return Err(WorkflowError::VersionConflict {
            expected: version,
            actual: request.version,
        }
        .into());
    }
    let transition = decided?;
    Ok(state
        .db
        .apply_request_step(
            request.id,
            version,
            &transition,
            &caller.acting(state.clock.now()),
        )
        .await?)
}

/// Takes a step on a request: accept, dispatch, answer, close, escalate…;
/// the enterprise resumes, confirms, reopens or withdraws.
#[utoipa::path(
    post, path = "/api/requests/{id}/actions", tag = "requests",
    params(("id" = i64, Path, description = "The request's id")),
    request_body = RequestActionBody,
    responses(
        (status = 200, description = "Taken; the request after it", body = RequestView),
        (status = 403, description = "The role cannot take this step, or not at the request's level", body = ErrorBody),
        (status = 404, description = "No such request within your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since read, or not at this step", body = ErrorBody),
        (status = 422, description = "A reason, answer or field missing or invalid, or an unknown action", body = ErrorBody),
    )
)]
pub async fn act_on_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<RequestActionBody>,
) -> Result<Json<RequestView>, ApiError> {
    let request = visible_request(&state, &caller, id).await?;
    let command = command(&body)?;
    let applied = take_step(&state, &caller, &request, body.version, &command).await?;
    Ok(Json(request_view(&state, &applied).await?))
}

/// Escalates every request nobody accepted by its escalation deadline, one
/// level up, as the system: what the server's housekeeping runs. Returns
/// how many it escalated. A request changed meanwhile by someone else is
/// left to the next round.
pub async fn escalate_overdue(state: &AppState) -> Result<u64, ApiError> {
    let now = state.clock.now();
    let mut escalated = 0;
    for request in state.db.requests_due_for_escalation(now, 500).await? {
        let circumstances = RequestCircumstances {
            now,
            clocks: clocks_of(state, &request)?,
            calendar: &state.settings.workflow.calendar,
        };
        let Some(transition) = due_escalation(&facts(&request), circumstances)? else {
            continue;
        };
        let acting = Acting {
            at: now,
            actor: None,
            actor_name: "system:clock".to_owned(),
        };
        match state
            .db
            .apply_request_step(request.id, request.version, &transition, &acting)
            .await
        {
            Ok(_) => escalated += 1,
            Err(WorkflowError::VersionConflict { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(escalated)
}

/// The request's timeline, for the figures.
fn timeline(request: &ServiceRequest, steps: &[&RequestStep]) -> RequestTimeline {
    let revisited = steps
        .iter()
        .filter(|step| step.action == RequestAction::Revisit)
        .count();
    let mut stays: Vec<(RequestState, Timestamp, Option<Timestamp>)> = Vec::new();
    for step in steps {
        if step.from == step.to && step.action != RequestAction::File {
            continue;
        }
        if let Some(last) = stays.last_mut() {
            last.2 = Some(step.at);
        }
        stays.push((step.to, step.at, None));
    }
    RequestTimeline {
        class: request.form.class,
        submitted: request.created_at,
        dues_at_filing: request.filed_dues,
        close_due: request.closed_due.unwrap_or(request.dues.close),
        dues: request.dues,
        accepted: request.accepted_at,
        closed: request.closed_at,
        state: request.state,
        confirmation: request.confirmation,
        reopened: request.reopened,
        revisited: u32::try_from(revisited).unwrap_or(u32::MAX),
        stays,
    }
}

/// The requests filed in `[from, to]` (China days) within `caller`'s
/// jurisdiction, each with its timeline.
async fn filed_in_period(
    state: &AppState,
    caller: &Caller,
    query: &KpiQuery,
) -> Result<Vec<(ServiceRequest, RequestTimeline)>, ApiError> {
    caller.require(Capability::ReadRequests)?;
    if query.to < query.from {
        return Err(ApiError::bad_request(
            "invalid_query",
            "to: the period ends before it starts",
        ));
    }
    let start = |day: jiff::civil::Date| {
        day.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8)))
            .map(|z| z.timestamp())
            .map_err(|e| ApiError::bad_request("invalid_query", e.to_string()))
    };
    let from = start(query.from)?;
    let to = start(
        query
            .to
            .tomorrow()
            .map_err(|e| ApiError::bad_request("invalid_query", e.to_string()))?,
    )?;
    let requests = state
        .db
        .service_requests(&RequestFilter {
            scope: caller.scope.clone(),
            states: Vec::new(),
            level: None,
            class: None,
            enterprise: None,
            overdue_at: None,
            filed: Some((from, to)),
            page: hatchery_store::workflow::Page {
                offset: 0,
                limit: u64::MAX >> 1,
            },
        })
        .await?
        .items;
    let steps = state
        .db
        .request_steps_filed(&caller.scope, (from, to))
        .await?;
    let mut steps_of: std::collections::HashMap<RequestId, Vec<&RequestStep>> =
        std::collections::HashMap::new();
    for (id, step) in &steps {
        steps_of.entry(*id).or_default().push(step);
    }
    Ok(requests
        .into_iter()
        .map(|request| {
            let own = steps_of.get(&request.id).map_or(&[][..], Vec::as_slice);
            let timeline = timeline(&request, own);
            (request, timeline)
        })
        .collect())
}

/// The requests filed in a period within a caller's jurisdiction, each
/// with its timeline: loaded once, read by the figures and the revisits.
#[derive(Debug)]
pub struct FiledRequests {
    query: KpiQuery,
    requests: Vec<(ServiceRequest, RequestTimeline)>,
}

impl FiledRequests {
    /// Loads the requests filed in the period `query` names within
    /// `caller`'s jurisdiction.
    pub async fn load(
        state: &AppState,
        caller: &Caller,
        query: KpiQuery,
    ) -> Result<Self, ApiError> {
        let requests = filed_in_period(state, caller, &query).await?;
        Ok(Self { query, requests })
    }

    /// The figures on these requests (shared with the pages): the whole,
    /// and by class, level, place, department and steward. The steward
    /// breakdown counts a request for every steward assigned to its
    /// enterprise on the day it was filed (Beijing's 双管家 pair counts
    /// for both), and is empty for a role that does not read stewards.
    pub async fn figures(&self, state: &AppState, caller: &Caller) -> Result<KpiView, ApiError> {
        let now = state.clock.now();
        let all = &self.requests;
        let of = |pick: &dyn Fn(&ServiceRequest) -> bool| -> Kpis {
            kpi::compute(all.iter().filter(|(r, _)| pick(r)).map(|(_, t)| t), now)
        };
        let stewards = stewards_on_filing(state, caller, all).await?;
        Ok(KpiView {
            from: self.query.from,
            to: self.query.to,
            computed_at: now,
            all: of(&|_| true),
            by_class: RequestClass::ALL
                .iter()
                .map(|&class| (class, of(&|r| r.form.class == class)))
                .collect(),
            by_level: Level::ALL
                .iter()
                .map(|&level| (level, of(&|r| r.level == level)))
                .collect(),
            by_province: breakdown(all, now, |r| {
                r.placement
                    .province
                    .map(|code| code.to_string())
                    .into_iter()
                    .collect()
            }),
            by_city: breakdown(all, now, |r| {
                r.placement
                    .city
                    .map(|code| code.to_string())
                    .into_iter()
                    .collect()
            }),
            by_zone: breakdown(all, now, |r| {
                r.placement
                    .zone
                    .as_ref()
                    .map(|zone| format!("zone:{zone}"))
                    .into_iter()
                    .collect()
            }),
            by_department: breakdown(all, now, |r| vec![r.department.clone()]),
            by_steward: breakdown(all, now, |r| {
                stewards.get(&r.id).cloned().unwrap_or_default()
            }),
        })
    }

    /// The requests still to be revisited (回访) among these (shared with
    /// the pages): every one the enterprise left unsatisfied, and enough
    /// of the rest that each clock set's least share of the closed
    /// requests it timed is revisited (earliest closed first).
    pub async fn revisits(&self, state: &AppState) -> Result<Vec<RevisitView>, ApiError> {
        let sets = state.settings.services.clocks.sets();
        let share_of = |id: &str| {
            sets.iter().find(|set| set.id() == id).map_or(
                hatchery_core::services::clocks::DEFAULT_REVISIT_SHARE,
                ClockSet::revisit_share,
            )
        };
        let mut by_set: std::collections::BTreeMap<&str, Vec<ClosedRequest>> =
            std::collections::BTreeMap::new();
        for (request, timeline) in &self.requests {
            if let Some(closed) = timeline.closed {
                by_set
                    .entry(request.clock_set.as_str())
                    .or_default()
                    .push(ClosedRequest {
                        id: request.id,
                        closed,
                        unsatisfied: timeline.confirmation.is_some_and(kpi::unsatisfied),
                        revisited: timeline.revisited > 0,
                    });
            }
        }
        let mut due: Vec<RevisitDue> = by_set
            .iter()
            .flat_map(|(set, closed)| revisit::due(closed, share_of(set)))
            .collect();
        due.sort_by_key(|d| (d.reason != RevisitReason::Unsatisfied, d.id));
        let requests: std::collections::HashMap<RequestId, &ServiceRequest> =
            self.requests.iter().map(|(r, _)| (r.id, r)).collect();
        let ledger = state.ledger().await?;
        let now = state.clock.now();
        Ok(due
            .into_iter()
            .filter_map(|d| {
                requests.get(&d.id).map(|request| RevisitView {
                    request: RequestView::new(request, name_of(&ledger, &request.enterprise), now),
                    reason: d.reason,
                })
            })
            .collect())
    }
}

/// For each request, the stewards (`person — name`) assigned to its
/// enterprise on the China day it was filed; empty when the caller does
/// not read stewards.
async fn stewards_on_filing(
    state: &AppState,
    caller: &Caller,
    requests: &[(ServiceRequest, RequestTimeline)],
) -> Result<std::collections::HashMap<RequestId, Vec<String>>, ApiError> {
    if caller.require(Capability::ReadStewards).is_err() {
        return Ok(std::collections::HashMap::new());
    }
    let assignments = super::stewards::scoped_stewards(state, caller).await?;
    let mut by_enterprise: std::collections::HashMap<
        &hatchery_core::EnterpriseId,
        Vec<&hatchery_store::workflow::stewards::StewardAssignment>,
    > = std::collections::HashMap::new();
    for assignment in &assignments {
        by_enterprise
            .entry(&assignment.enterprise)
            .or_default()
            .push(assignment);
    }
    let china = jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8));
    Ok(requests
        .iter()
        .map(|(request, _)| {
            let filed_on = request.created_at.to_zoned(china.clone()).date();
            let mut names: Vec<String> = by_enterprise
                .get(&request.enterprise)
                .into_iter()
                .flatten()
                .filter(|a| a.is_active_on(filed_on))
                .map(|a| format!("{} — {}", a.person, a.name))
                .collect();
            names.sort();
            names.dedup();
            (request.id, names)
        })
        .collect())
}

/// The figures of `requests` grouped by `keys` (a request counts in every
/// group it names, in none when it names none), the group with most
/// requests first, then by key.
fn breakdown<K: Ord + Clone>(
    requests: &[(ServiceRequest, RequestTimeline)],
    now: Timestamp,
    keys: impl Fn(&ServiceRequest) -> Vec<K>,
) -> Vec<(K, Kpis)> {
    let mut groups: std::collections::BTreeMap<K, Vec<&RequestTimeline>> =
        std::collections::BTreeMap::new();
    for (request, timeline) in requests {
        for k in keys(request) {
            groups.entry(k).or_default().push(timeline);
        }
    }
    let mut figures: Vec<(K, Kpis)> = groups
        .into_iter()
        .map(|(k, group)| (k, kpi::compute(group, now)))
        .collect();
    figures.sort_by(|a, b| b.1.requests.cmp(&a.1.requests).then_with(|| a.0.cmp(&b.0)));
    figures
}

/// Performance figures on the requests filed in a period within the
/// caller's jurisdiction, computed from their timestamps: in time, on
/// time, closed, solved, satisfied, reopened, overdue, time in each state.
#[utoipa::path(
    get, path = "/api/requests/figures", tag = "requests",
    params(KpiQuery),
    responses(
        (status = 200, description = "The figures, overall and by class and level", body = KpiView),
        (status = 400, description = "Bad period", body = ErrorBody),
        (status = 403, description = "The role does not read requests", body = ErrorBody),
    )
)]
pub async fn request_figures(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<KpiQuery>,
) -> Result<Json<KpiView>, ApiError> {
    let filed = FiledRequests::load(&state, &caller, query).await?;
    Ok(Json(filed.figures(&state, &caller).await?))
}

/// The requests filed in a period still to be revisited (回访), every
/// unsatisfied one first, then those that bring the revisited share up to
/// the clock set's least share.
#[utoipa::path(
    get, path = "/api/requests/revisits", tag = "requests",
    params(KpiQuery),
    responses(
        (status = 200, description = "The requests to revisit, and why", body = Vec<RevisitView>),
        (status = 400, description = "Bad period", body = ErrorBody),
        (status = 403, description = "The role does not read requests", body = ErrorBody),
    )
)]
pub async fn request_revisits(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<KpiQuery>,
) -> Result<Json<Vec<RevisitView>>, ApiError> {
    caller.require(Capability::HandleRequests)?;
    let filed = FiledRequests::load(&state, &caller, query).await?;
    Ok(Json(filed.revisits(&state).await?))
}

/// The clock sets in force: the shipped national one and those configured
/// for jurisdictions.
#[utoipa::path(
    get, path = "/api/requests/clocks", tag = "requests",
    responses(
        (status = 200, description = "Every clock set, national first", body = Vec<Object>),
        (status = 403, description = "The role does not read requests", body = ErrorBody),
    )
)]
pub async fn list_clocks(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ClockSet>>, ApiError> {
    caller.require(Capability::ReadRequests)?;
    Ok(Json(state.settings.services.clocks.sets().to_vec()))
}
