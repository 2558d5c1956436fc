//! One request: what the enterprise always sees first (its state, who owns
//! it, the next deadline and whether it is overdue, the clocks that time
//! it), then what was asked, the answer and the closing reason, the
//! history, and one small form per step this account may take now — the
//! API's own `actions` list, each form with exactly the fields its step
//! needs. Every step goes through the API's `act_on_request` at the
//! version read; a refusal comes back beside the request as it now stands,
//! with what was typed still there.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_core::services::RequestAction;
use hatchery_core::workflow::Capability;
use hatchery_server::extract::{Json, Path};
use hatchery_server::routes::requests::{RequestActionBody, act_on_request, get_request};
use hatchery_server::{ApiError, AppState};
use serde::{Deserialize, Serialize};

use super::requests::{Due, Owner, class_key, level_key, next_due, state_key};
use super::{failure, posted_pairs, refusal};
use crate::format;
use crate::i18n::catalog;
use crate::session::Member;
use crate::site::{Chrome, Site};

/// What the page says after a step taken.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: String,
}

/// How a field of a step's form is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Text,
    Textarea,
    Checkbox,
    /// Solved or not: two radio buttons.
    Solved,
    /// 1–5: a select.
    Satisfaction,
}

/// A field of a step's form.
#[derive(Debug, Serialize)]
struct Field {
    /// The name posted (the API's field).
    name: &'static str,
    kind: Kind,
    /// The label's message key.
    label: String,
    required: bool,
    /// What was typed, after a refusal of this form.
    value: String,
    /// The problem's message key, after a refusal of this form.
    error: Option<&'static str>,
}

/// The form of one step open to the account.
#[derive(Debug, Serialize)]
struct StepForm {
    action: &'static str,
    fields: Vec<Field>,
    /// Whether the step moves the request on (its button stands out).
    primary: bool,
}

/// The fields a step asks for: name, kind, required.
fn fields_of(action: RequestAction) -> &'static [(&'static str, Kind, bool)] {
    use RequestAction as A;
    match action {
        A::File | A::Accept | A::Start => &[],
        A::Dispatch => &[
            ("department", Kind::Text, true),
            ("note", Kind::Textarea, false),
        ],
        A::Return | A::Suspend | A::Close | A::Reopen => &[("reason", Kind::Textarea, true)],
        A::Escalate => &[
            ("reason", Kind::Textarea, true),
            ("shared", Kind::Checkbox, false),
        ],
        A::Answer => &[("answer", Kind::Textarea, true)],
        A::Resume => &[("note", Kind::Textarea, false)],
        A::Withdraw => &[("reason", Kind::Textarea, false)],
        A::Revisit => &[("note", Kind::Textarea, true)],
        A::Confirm => &[
            ("solved", Kind::Solved, true),
            ("satisfaction", Kind::Satisfaction, true),
            ("comment", Kind::Textarea, false),
        ],
    }
}

#[derive(Debug, Serialize)]
struct StepRow {
    at: String,
    /// The action's message key.
    action: String,
    who: String,
    level: String,
    from: String,
    to: String,
    changed: bool,
    text: String,
    department: String,
}

/// A refused step: what went wrong and what was typed.
#[derive(Debug, Default)]
struct Refusal {
    problem: &'static str,
    action: String,
    errors: BTreeMap<String, &'static str>,
    typed: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
struct RequestPage {
    id: i64,
    version: i64,
    title: String,
    body: String,
    enterprise: String,
    enterprise_id: String,
    /// Whether the enterprise's page can be opened (officials).
    enterprise_link: bool,
    class: String,
    channel: String,
    state: String,
    owner: Owner,
    due: Option<Due>,
    /// Its clocks stand while it waits for the enterprise.
    paused: bool,
    overdue: bool,
    clock_set: String,
    filed: String,
    suspended_since: Option<String>,
    shared: bool,
    answer: Option<String>,
    answered_at: Option<String>,
    close_reason: Option<String>,
    closed_at: Option<String>,
    reopened: u32,
    /// `requests.confirmed_solved` or `…_unsolved`, with the score.
    confirmation: Option<(&'static str, u8)>,
    steps: Vec<StepRow>,
    forms: Vec<StepForm>,
    done: Option<String>,
    problem: Option<&'static str>,
    /// The catalogue item it was filed against.
    catalogue: Option<CatalogueItem>,
}

/// The catalogue item a request was filed against, as the page shows it.
#[derive(Debug, Serialize)]
struct CatalogueItem {
    title: String,
    category: String,
    menu: String,
    provider: String,
    /// In working days.
    time_limit: Option<u16>,
    /// Its menu's page (officials who manage the catalogue), else the
    /// services page that lists the menus' items (an enterprise), if any.
    link: Option<String>,
}

impl CatalogueItem {
    fn of(item: &hatchery_server::views::requests::CatalogueItemRef, member: &Member) -> Self {
        let role = member.caller.account.role;
        let link = if Capability::ManageCatalogue.granted_to(role) {
            Some(format!("/services/menus/{}", item.menu))
        } else if Capability::ReadCatalogue.granted_to(role) {
            Some("/services".to_owned())
        } else {
            None
        };
        Self {
            title: item.title.clone(),
            category: super::catalogue::category_key(item.category),
            menu: format!("{} {}", item.menu_title, item.menu_label)
                .trim()
                .to_owned(),
            provider: item.provider_name.clone(),
            time_limit: item.time_limit_days,
            link,
        }
    }
}

/// The message saying why a step was refused, for the request pages:
/// "someone else acted first", "not at this step"; else as for the other
/// pages.
pub(crate) fn request_refusal(error: &ApiError) -> &'static str {
    match error.code() {
        "version_conflict" => "requests.conflict",
        "invalid_transition" => "requests.invalid_transition",
        "calendar_missing" => "error.busy_text",
        _ => refusal(error),
    }
}

/// The message of a field the API refused, given whether it was left blank.
pub(crate) fn field_message(field: &str, blank: bool) -> &'static str {
    match (field, blank) {
        ("reason", true) => "workflow.reason_required",
        ("answer", true) => "requests.answer_required",
        ("department", true) => "requests.department_required",
        ("note", true) => "requests.note_required",
        ("title", true) => "requests.title_required",
        ("body", true) => "requests.body_required",
        ("solved", _) => "requests.choose_solved",
        ("satisfaction", _) => "requests.choose_satisfaction",
        (_, true) => "declare.required",
        (_, false) => "requests.too_long",
    }
}

/// Renders the request as it stands, with what went wrong, if anything.
async fn render(
    state: &AppState,
    site: &Site,
    member: &Member,
    id: i64,
    status: StatusCode,
    refused: Option<Refusal>,
    done: Option<String>,
) -> Response {
    let lang = member.lang;
    // After a step posted, the language switch leads back to the request.
    let mut shown = member.clone();
    shown.path = format!("/requests/{id}");
    let chrome = Chrome::member(&shown, "requests.detail_title", "requests");
    let detail = match get_request(State(state.clone()), member.caller.clone(), Path(id)).await {
        Ok(Json(detail)) => detail,
        Err(error) => return failure(site, &chrome, &error),
    };
    let ledger = match state.ledger().await {
        Ok(ledger) => ledger,
        Err(error) => return failure(site, &chrome, &error),
    };
    let r = &detail.request;
    let refused = refused.unwrap_or_default();
    let forms = detail
        .actions
        .iter()
        .filter(|a| **a != RequestAction::File)
        .map(|&action| {
            let mine = refused.action == action.as_str();
            StepForm {
                action: action.as_str(),
                primary: !matches!(
                    action,
                    RequestAction::Withdraw
                        | RequestAction::Return
                        | RequestAction::Suspend
                        | RequestAction::Escalate
                        | RequestAction::Revisit
                        | RequestAction::Reopen
                ),
                fields: fields_of(action)
                    .iter()
                    .map(|&(name, kind, required)| Field {
                        name,
                        kind,
                        label: format!("request_field.{}_{name}", action.as_str()),
                        required,
                        value: if mine {
                            refused.typed.get(name).cloned().unwrap_or_default()
                        } else {
                            String::new()
                        },
                        error: if mine {
                            refused.errors.get(name).copied()
                        } else {
                            None
                        },
                    })
                    .collect(),
            }
        })
        .collect();
    let system = catalog(lang).format("requests.system", &[]);
    let page = RequestPage {
        id: r.id,
        version: r.version,
        title: r.title.clone(),
        body: r.body.clone(),
        enterprise: r
            .enterprise_name
            .clone()
            .unwrap_or_else(|| r.enterprise.clone()),
        enterprise_id: r.enterprise.clone(),
        enterprise_link: Capability::ReadEnterprises.granted_to(member.caller.account.role),
        class: class_key(r.class),
        channel: format!("request_channel.{}", r.channel.as_str()),
        state: state_key(r.state),
        owner: Owner::of(r, &ledger, lang),
        due: next_due(r, lang),
        paused: r.state == hatchery_core::services::RequestState::Suspended,
        overdue: r.overdue,
        clock_set: format!("{}@{}", r.clock_set, r.clock_version),
        filed: format::instant(r.created_at, lang),
        suspended_since: r.suspended_since.map(|at| format::instant(at, lang)),
        shared: r.shared,
        answer: r.answer.clone(),
        answered_at: r.answered_at.map(|at| format::instant(at, lang)),
        close_reason: r.close_reason.clone(),
        closed_at: r.closed_at.map(|at| format::instant(at, lang)),
        reopened: r.reopened,
        confirmation: r.solved.zip(r.satisfaction).map(|(solved, score)| {
            (
                if solved {
                    "requests.confirmed_solved"
                } else {
                    "requests.confirmed_unsolved"
                },
                score,
            )
        }),
        steps: detail
            .steps
            .iter()
            .map(|s| StepRow {
                at: format::instant(s.at, lang),
                action: format!("request_action.{}", s.action.as_str()),
                who: if s.actor.is_none() {
                    system.clone()
                } else {
                    s.actor_name.clone()
                },
                level: level_key(s.level),
                from: if s.action == RequestAction::File {
                    String::new()
                } else {
                    state_key(s.from)
                },
                to: state_key(s.to),
                changed: s.from != s.to || s.action == RequestAction::File,
                text: s.text.clone().unwrap_or_default(),
                department: s.department.clone().unwrap_or_default(),
            })
            .collect(),
        forms,
        done,
        problem: (!refused.problem.is_empty()).then_some(refused.problem),
        catalogue: detail
            .catalogue
            .as_ref()
            .map(|c| CatalogueItem::of(c, member)),
    };
    site.page(status, "request.html", &chrome, page)
}

/// `GET /requests/{id}[?done=ACTION]`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let done = RequestAction::parse(&query.done).map(|a| format!("request_action.{}", a.as_str()));
    render(&state, &site, &member, id, StatusCode::OK, None, done).await
}

/// `POST /requests/{id}/act` (form: `csrf`, `version`, `action`, and the
/// step's own fields): the API's `act_on_request`.
pub async fn take(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let pairs = posted_pairs(&body);
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let action = field("action");
    let mut refused = Refusal {
        action: action.clone(),
        typed: pairs
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "version" | "action"))
            .cloned()
            .collect(),
        ..Refusal::default()
    };
    let again = |status, refused| render(&state, &site, &member, id, status, Some(refused), None);
    if !member.csrf_ok(&field("csrf")) {
        refused.problem = "form.expired";
        return again(StatusCode::FORBIDDEN, refused).await;
    }
    let Ok(version) = field("version").parse::<i64>() else {
        refused.problem = "error.bad_request_text";
        return again(StatusCode::BAD_REQUEST, refused).await;
    };
    let solved = match field("solved").as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let satisfaction = field("satisfaction").parse::<u8>().ok();
    // A confirmation is a choice of both: say so for each one missing.
    if action == RequestAction::Confirm.as_str() {
        if solved.is_none() {
            refused
                .errors
                .insert("solved".into(), "requests.choose_solved");
        }
        if satisfaction.is_none() {
            refused
                .errors
                .insert("satisfaction".into(), "requests.choose_satisfaction");
        }
        if !refused.errors.is_empty() {
            refused.problem = "workflow.fix_below";
            return again(StatusCode::UNPROCESSABLE_ENTITY, refused).await;
        }
    }
    let request = RequestActionBody {
        version,
        action: action.clone(),
        reason: Some(field("reason")),
        answer: Some(field("answer")),
        note: Some(field("note")),
        department: Some(field("department")),
        shared: Some(field("shared") == "1"),
        solved,
        satisfaction,
        comment: Some(field("comment")),
    };
    match act_on_request(
        State(state.clone()),
        member.caller.clone(),
        Path(id),
        Json(request),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/requests/{id}?done={action}")).into_response(),
        Err(error) => {
            let named = error
                .details()
                .and_then(|d| d.get("field"))
                .and_then(|f| f.as_str())
                .map(str::to_owned);
            match named {
                Some(name) if error.code() == "invalid_field" => {
                    let blank = field(&name).trim().is_empty();
                    refused
                        .errors
                        .insert(name.clone(), field_message(&name, blank));
                    refused.problem = "workflow.fix_below";
                }
                _ => refused.problem = request_refusal(&error),
            }
            again(error.status(), refused).await
        }
    }
}
