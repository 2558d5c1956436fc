//! Enterprises' requests (诉求) and their steps: filed, moved along by the
//! domain's transitions (compare-and-set on the version), audited.

use hatchery_core::services::Dues;
use hatchery_core::services::request::{
    Level, RequestAction, RequestId, RequestState, RequestTransition,
};
use hatchery_core::services::{RequestClass, request::RequestChannel, request::RequestForm};
use jiff::Timestamp;

use super::audit::append;
use super::codec::{
    conflict, count, filed_under, get_account, get_enterprise, get_key, get_opt_account,
    get_placement, page_limit, placement_values, record, scope_condition, unsigned,
};
use crate::binds;
use crate::workflow::engine::{Row, Session, Value};
use crate::workflow::{
    Acting, NewServiceRequest, Paged, RequestFilter, RequestStep, ServiceRequest, WorkflowError,
};

fn dues(row: &impl Row, prefix: &str) -> Result<Dues, WorkflowError> {
    let at = |what: &str| row.get::<Timestamp>(&format!("{prefix}{what}_due"));
    Ok(Dues {
        accept: at("accept")?,
        answer: at("answer")?,
        close: at("close")?,
        escalate: at("escalate")?,
    })
}

fn decode(row: &impl Row) -> Result<ServiceRequest, WorkflowError> {
    let confirmation = match (
        row.get::<Option<bool>>("solved")?,
        row.get::<Option<i16>>("satisfaction")?,
    ) {
        (Some(solved), Some(satisfaction)) => Some((
            solved,
            u8::try_from(satisfaction)
                .map_err(|_| super::codec::corrupt("satisfaction", &satisfaction.to_string()))?,
        )),
        _ => None,
    };
    Ok(ServiceRequest {
        id: RequestId(row.get("id")?),
        enterprise: get_enterprise(row, "enterprise")?,
        placement: get_placement(row)?,
        form: RequestForm {
            class: get_key(row, "class", "request class", RequestClass::parse)?,
            channel: get_key(row, "channel", "request channel", RequestChannel::parse)?,
            title: row.get("title")?,
            body: row.get("body")?,
        },
        state: get_key(row, "state", "request state", RequestState::parse)?,
        level: get_key(row, "level", "request level", Level::parse)?,
        department: row.get("department")?,
        shared: row.get("shared")?,
        answer: row.get("answer")?,
        close_reason: row.get("close_reason")?,
        clock_set: row.get("clock_set")?,
        clock_version: row.get("clock_version")?,
        filed_dues: dues(row, "filed_")?,
        dues: dues(row, "")?,
        accepted_at: row.get("accepted_at")?,
        answered_at: row.get("answered_at")?,
        closed_at: row.get("closed_at")?,
        closed_due: row.get("closed_due")?,
        suspended_since: row.get("suspended_since")?,
        reopened: u32::try_from(unsigned("reopened", row.get("reopened")?)?).unwrap_or(u32::MAX),
        confirmation,
        catalogue_item: row
            .get::<Option<i64>>("catalogue_item")?
            .map(hatchery_core::services::catalogue::ItemId),
        created_by: get_account(row, "created_by")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

fn decode_step(row: &impl Row) -> Result<RequestStep, WorkflowError> {
    let state = |column| get_key(row, column, "request state", RequestState::parse);
    Ok(RequestStep {
        seq: row.get("id")?,
        action: get_key(row, "action", "request action", RequestAction::parse)?,
        from: state("from_state")?,
        to: state("to_state")?,
        level: get_key(row, "level", "request level", Level::parse)?,
        actor: get_opt_account(row, "actor_id")?,
        actor_name: row.get("actor_name")?,
        at: row.get("at")?,
        text: row.get("text")?,
        department: row.get("department")?,
    })
}

#[tracing::instrument(skip_all, fields(id = id.0))]
pub(crate) async fn get(
    s: &mut impl Session,
    id: RequestId,
) -> Result<Option<ServiceRequest>, WorkflowError> {
    s.fetch_optional("SELECT * FROM svc_requests WHERE id = $1", binds![id.0])
        .await?
        .as_ref()
        .map(decode)
        .transpose()
}

async fn must_get(s: &mut impl Session, id: RequestId) -> Result<ServiceRequest, WorkflowError> {
    get(s, id).await?.ok_or(WorkflowError::NotFound)
}

async fn audit(
    s: &mut impl Session,
    acting: &Acting,
    action: RequestAction,
    before: Option<&ServiceRequest>,
    after: &ServiceRequest,
) -> Result<(), WorkflowError> {
    append(
        s,
        record(
            acting,
            &format!("request.{action}"),
            format!("request:{}", after.id),
            filed_under(&after.placement),
            before,
            Some(after),
        ),
    )
    .await?;
    Ok(())
}

async fn add_step(
    s: &mut impl Session,
    id: RequestId,
    transition: &RequestTransition,
    acting: &Acting,
) -> Result<(), WorkflowError> {
    s.execute(
        "INSERT INTO svc_request_steps (request_id, action, from_state, to_state, level, \
         actor_id, actor_name, at, text, department) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        binds![
            id.0,
            transition.action.as_str(),
            transition.from.as_str(),
            transition.to.as_str(),
            transition.level.as_str(),
            acting.actor.map(|a| a.0),
            &acting.actor_name,
            acting.at,
            transition.text.as_deref(),
            transition.department.as_deref(),
        ],
    )
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(enterprise = new.enterprise.as_str()))]
pub(crate) async fn file(
    s: &mut impl Session,
    new: &NewServiceRequest,
    catalogue_item: Option<hatchery_core::services::catalogue::ItemId>,
    acting: &Acting,
) -> Result<ServiceRequest, WorkflowError> {
    let created_by = acting.actor.map(|a| a.0).ok_or_else(|| {
        WorkflowError::Corrupt("a request is filed only by a signed-in account".into())
    })?;
    if let Some(item) = catalogue_item {
        super::catalogue::check_offered(s, item, &new.placement, "catalogue_item").await?;
    }
    let [province, city, district, zone] = placement_values(&new.placement);
    let d = new.dues;
    let binds = [
        new.enterprise.as_str().into(),
        province,
        city,
        district,
        zone,
        new.form.class.as_str().into(),
        new.form.channel.as_str().into(),
        Value::from(&new.form.title),
        Value::from(&new.form.body),
        RequestState::Submitted.as_str().into(),
        Level::Local.as_str().into(),
        (&new.clock_set).into(),
        (&new.clock_version).into(),
        d.accept.into(),
        d.answer.into(),
        d.close.into(),
        d.escalate.into(),
        created_by.into(),
        acting.at.into(),
        false.into(),
        catalogue_item.map(|i| i.0).into(),
    ];
    let row = s
        .fetch_optional(
            "INSERT INTO svc_requests (enterprise, province, city, district, zone, class, \
             channel, title, body, state, level, shared, clock_set, clock_version, \
             filed_accept_due, filed_answer_due, filed_close_due, filed_escalate_due, \
             accept_due, answer_due, close_due, escalate_due, reopened, created_by, \
             created_at, updated_at, version, catalogue_item) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $20, $12, $13, \
             $14, $15, $16, $17, $14, $15, $16, $17, 0, $18, $19, $19, 1, $21) RETURNING id",
            &binds,
        )
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let id = RequestId(row.get("id")?);
    let filed = RequestTransition {
        action: RequestAction::File,
        from: RequestState::Submitted,
        to: RequestState::Submitted,
        level: Level::Local,
        text: None,
        department: None,
        shared: false,
        confirmation: None,
        dues: None,
    };
    add_step(s, id, &filed, acting).await?;
    let created = must_get(s, id).await?;
    audit(s, acting, RequestAction::File, None, &created).await?;
    Ok(created)
}

/// The condition "overdue at `$n`", written from the domain's own rule
/// ([`RequestState::is_overdue`]): each open state against its stage's
/// deadline, and every open state against its closing deadline. The keys
/// are ours, never input.
fn overdue_condition(n: usize) -> String {
    let mut parts = Vec::new();
    let mut open = Vec::new();
    for state in RequestState::ALL.iter().filter(|s| s.is_open()) {
        open.push(format!("'{state}'"));
        if let Some(deadline) = state.deadline() {
            parts.push(format!("(r.state = '{state}' AND r.{deadline}_due < ${n})"));
        }
    }
    parts.push(format!(
        "(r.state IN ({}) AND r.close_due < ${n})",
        open.join(", ")
    ));
    format!("({})", parts.join(" OR "))
}

/// "In one of `states`" (everything when there are none). The keys are
/// ours, never input.
fn states_condition(states: &[RequestState]) -> String {
    if states.is_empty() {
        return "TRUE".to_owned();
    }
    let keys: Vec<String> = states.iter().map(|s| format!("'{s}'")).collect();
    format!("r.state IN ({})", keys.join(", "))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    s: &mut impl Session,
    filter: &RequestFilter,
) -> Result<Paged<ServiceRequest>, WorkflowError> {
    let (scope, scope_value) = scope_condition(&filter.scope, "r", 1);
    let condition = format!(
        "{scope} AND {states} \
         AND (CAST($2 AS TEXT) IS NULL OR r.level = $2) \
         AND (CAST($3 AS TEXT) IS NULL OR r.class = $3) \
         AND (CAST($4 AS TEXT) IS NULL OR r.enterprise = $4) \
         AND ($5 IS NULL OR {overdue}) \
         AND ($6 IS NULL OR r.created_at >= $6) AND ($7 IS NULL OR r.created_at < $7)",
        overdue = overdue_condition(5),
        states = states_condition(&filter.states),
    );
    let [limit, offset] = page_limit(filter.page);
    let binds = [
        scope_value,
        filter.level.map(Level::as_str).into(),
        filter.class.map(RequestClass::as_str).into(),
        filter.enterprise.as_ref().map(|e| e.as_str()).into(),
        filter.overdue_at.into(),
        filter.filed.map(|(from, _)| from).into(),
        filter.filed.map(|(_, to)| to).into(),
        limit,
        offset,
    ];
    let total = count(
        s,
        &format!("SELECT COUNT(*) AS n FROM svc_requests r WHERE {condition}"),
        &binds[..7],
    )
    .await?;
    let rows = s
        .fetch_all(
            &format!(
                "SELECT * FROM svc_requests r WHERE {condition} \
                 ORDER BY r.id DESC LIMIT $8 OFFSET $9"
            ),
            &binds,
        )
        .await?;
    Ok(Paged {
        items: rows.iter().map(decode).collect::<Result<_, _>>()?,
        total,
    })
}

/// Every step of the requests filed in scope in `[from, to)`, in order:
/// what the performance figures are computed from.
#[tracing::instrument(skip_all)]
pub(crate) async fn steps_filed(
    s: &mut impl Session,
    scope: &hatchery_core::workflow::Scope,
    (from, to): (Timestamp, Timestamp),
) -> Result<Vec<(RequestId, RequestStep)>, WorkflowError> {
    let (scope, scope_value) = scope_condition(scope, "r", 1);
    let rows = s
        .fetch_all(
            &format!(
                "SELECT t.* FROM svc_request_steps t JOIN svc_requests r ON r.id = t.request_id \
                 WHERE {scope} AND r.created_at >= $2 AND r.created_at < $3 \
                 ORDER BY t.request_id, t.id"
            ),
            &[scope_value, from.into(), to.into()],
        )
        .await?;
    rows.iter()
        .map(|row| Ok((RequestId(row.get("request_id")?), decode_step(row)?)))
        .collect()
}

#[tracing::instrument(skip_all, fields(id = id.0))]
pub(crate) async fn steps(
    s: &mut impl Session,
    id: RequestId,
) -> Result<Vec<RequestStep>, WorkflowError> {
    s.fetch_all(
        "SELECT * FROM svc_request_steps WHERE request_id = $1 ORDER BY id",
        binds![id.0],
    )
    .await?
    .iter()
    .map(decode_step)
    .collect()
}

/// Requests waiting for acceptance past their escalation deadline, below
/// the ministry: what the system escalates.
#[tracing::instrument(skip_all)]
pub(crate) async fn due_for_escalation(
    s: &mut impl Session,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<ServiceRequest>, WorkflowError> {
    s.fetch_all(
        "SELECT * FROM svc_requests WHERE state IN ($1, $2) AND escalate_due < $3 \
         AND level <> $4 ORDER BY escalate_due LIMIT $5",
        binds![
            RequestState::Submitted.as_str(),
            RequestState::Escalated.as_str(),
            now,
            Level::Nation.as_str(),
            limit,
        ],
    )
    .await?
    .iter()
    .map(decode)
    .collect()
}

/// Applies a step the domain decided: the row moves from `expected_version`
/// or not at all, and its step and audit entry are written with it.
#[tracing::instrument(skip_all, fields(id = id.0, expected_version, action = %transition.action))]
pub(crate) async fn apply(
    s: &mut impl Session,
    id: RequestId,
    expected_version: i64,
    transition: &RequestTransition,
    acting: &Acting,
) -> Result<ServiceRequest, WorkflowError> {
    let before = must_get(s, id).await?;
    if before.version != expected_version || before.state != transition.from {
        return Err(WorkflowError::VersionConflict {
            expected: expected_version,
            actual: before.version,
        });
    }
    let after = moved(&before, transition, acting.at);
    let d = after.dues;
    let done = s
        .execute(
            "UPDATE svc_requests SET state = $1, level = $2, department = $3, shared = $4, \
             answer = $5, close_reason = $6, accept_due = $7, answer_due = $8, \
             close_due = $9, escalate_due = $10, accepted_at = $11, answered_at = $12, \
             closed_at = $13, suspended_since = $14, reopened = $15, solved = $16, \
             satisfaction = $17, updated_at = $18, closed_due = $21, version = version + 1 \
             WHERE id = $19 AND version = $20",
            binds![
                after.state.as_str(),
                after.level.as_str(),
                after.department.as_deref(),
                after.shared,
                after.answer.as_deref(),
                after.close_reason.as_deref(),
                d.accept,
                d.answer,
                d.close,
                d.escalate,
                after.accepted_at,
                after.answered_at,
                after.closed_at,
                after.suspended_since,
                after.reopened,
                after.confirmation.map(|(solved, _)| solved),
                after
                    .confirmation
                    .map(|(_, satisfaction)| i64::from(satisfaction)),
                acting.at,
                id.0,
                expected_version,
                after.closed_due,
            ],
        )
        .await?;
    if done != 1 {
        return Err(conflict(s, "svc_requests", id.0, expected_version).await);
    }
    add_step(s, id, transition, acting).await?;
    let stored = must_get(s, id).await?;
    audit(s, acting, transition.action, Some(&before), &stored).await?;
    Ok(stored)
}

/// The request after `transition`, taken at `at`.
fn moved(before: &ServiceRequest, transition: &RequestTransition, at: Timestamp) -> ServiceRequest {
    let mut after = before.clone();
    after.state = transition.to;
    after.level = transition.level;
    after.shared |= transition.shared;
    if let Some(dues) = transition.dues {
        after.dues = dues;
    }
    if let Some(department) = &transition.department {
        after.department = Some(department.clone());
    }
    match transition.action {
        RequestAction::Accept => {
            after.accepted_at.get_or_insert(at);
        }
        RequestAction::Answer => {
            after.answered_at.get_or_insert(at);
            after.answer = transition.text.clone();
        }
        RequestAction::Close => {
            after.closed_at.get_or_insert(at);
            after.closed_due.get_or_insert(after.dues.close);
            after.close_reason = transition.text.clone();
        }
        RequestAction::Reopen => after.reopened = after.reopened.saturating_add(1),
        RequestAction::Confirm => after.confirmation = transition.confirmation,
        _ => {}
    }
    after.suspended_since = (after.state == RequestState::Suspended).then_some(at);
    after
}
