//! The enterprise page's section: its stewards (officials: every
//! assignment, ended ones too; the enterprise: those serving it now) and
//! its contact log, with the forms the role may use — assign a steward
//! (`ManageStewards`), end an assignment at the version read, record a
//! contact (`LogContacts`). Each form posts to a handler here that calls
//! the API's own function; a refusal re-renders the enterprise page itself
//! (its handler, with the refusal carried in a task-local) with the
//! problem in words beside the form and everything typed still in it.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_core::services::steward::{ContactChannel, StewardRole};
use hatchery_core::workflow::{Capability, Role};
use hatchery_server::extract::{Json, Path, Query as ApiQuery};
use hatchery_server::routes::requests::{RequestQuery, list_requests};
use hatchery_server::routes::stewards::{
    AssignSteward, ContactQuery, EndSteward, EnterpriseStewardsQuery, RecordContact,
    assign_steward, end_steward, list_enterprise_contacts, list_enterprise_stewards,
    record_contact,
};
use hatchery_server::{ApiError, AppState};
use jiff::civil::Date;
use serde::Serialize;

use super::{ContactRow, StewardRow, channel_key, keyed_choices, role_key};
use crate::format;
use crate::pages::enterprise::DecisionQuery;
use crate::pages::{Choice, link, posted_pairs, refusal};
use crate::session::Member;
use crate::site::Site;

/// Contacts shown on the enterprise page (the rest on `/stewards`).
const CONTACTS_SHOWN: u64 = 10;
/// The enterprise's requests offered as "raised in the contact".
const REQUESTS_OFFERED: u64 = 50;

tokio::task_local! {
    /// A form of this section refused, while the enterprise page is
    /// rendered again around it.
    static REFUSED: Refused;
}

/// Which form was refused, why, and what was typed in it.
#[derive(Debug, Clone, Default)]
struct Refused {
    /// `assign`, `end` or `contact`.
    form: &'static str,
    /// The assignment whose end was refused.
    steward: i64,
    /// The message key of what went wrong.
    problem: &'static str,
    /// Field → message key.
    errors: BTreeMap<String, &'static str>,
    typed: BTreeMap<String, String>,
    /// The requests ticked.
    requests: Vec<String>,
}

impl Refused {
    fn typed(&self, form: &str, name: &str) -> Option<String> {
        (self.form == form).then(|| self.typed.get(name).cloned().unwrap_or_default())
    }

    fn errors(&self, form: &str) -> BTreeMap<String, &'static str> {
        if self.form == form {
            self.errors.clone()
        } else {
            BTreeMap::new()
        }
    }
}

/// The form to assign a steward.
#[derive(Debug, Serialize)]
struct AssignForm {
    roles: Vec<Choice>,
    department: String,
    name: String,
    phone: String,
    email: String,
    starts_on: String,
    ends_on: String,
    errors: BTreeMap<String, &'static str>,
    problem: Option<&'static str>,
}

/// A request of the enterprise offered as raised in a contact.
#[derive(Debug, Serialize)]
struct RequestChoice {
    id: i64,
    title: String,
    checked: bool,
}

/// The form to record a contact.
#[derive(Debug, Serialize)]
struct RecordForm {
    stewards: Vec<Choice>,
    contacted_on: String,
    channels: Vec<Choice>,
    topics: String,
    follow_up: String,
    requests: Vec<RequestChoice>,
    errors: BTreeMap<String, &'static str>,
    problem: Option<&'static str>,
}

/// An end form refused: the assignment, what was typed and why.
#[derive(Debug, Serialize)]
struct EndRefused {
    steward: i64,
    ends_on: String,
    error: Option<&'static str>,
    problem: &'static str,
}

/// What the enterprise page shows of its stewards and contacts, rendered
/// by `stewards/enterprise_section.html`.
#[derive(Debug, Serialize)]
pub(crate) struct EnterpriseSection {
    id: String,
    /// The enterprise's own account: only those serving it now.
    own: bool,
    stewards: Vec<StewardRow>,
    contacts: Vec<ContactRow>,
    contacts_total: String,
    /// The whole log, when more than is shown here (officials).
    contacts_link: Option<String>,
    assign: Option<AssignForm>,
    /// Whether active assignments carry an end form.
    can_end: bool,
    /// Whether contact records not yet corrected carry a link to correct
    /// them (officials who record contacts).
    can_correct: bool,
    /// The end forms' default: today, as a date input writes it.
    today: String,
    end_refused: Option<EndRefused>,
    record: Option<RecordForm>,
    /// What was just done (message key).
    done: Option<&'static str>,
    /// A refusal of a form this account is not shown (its role may not
    /// use it, or the assignment is no longer open to ending).
    problem: Option<&'static str>,
}

/// What the last step done was, from the page's query (`?done=…`).
fn done_of(path: &str) -> Option<&'static str> {
    let query = path.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "done")
        .and_then(|(_, v)| match v.as_ref() {
            "steward_assigned" => Some("stewards.done.assigned"),
            "steward_ended" => Some("stewards.done.ended"),
            "contact_recorded" => Some("stewards.done.recorded"),
            "contact_corrected" => Some("stewards.done.corrected"),
            _ => None,
        })
}

/// This area's section of the enterprise page `id` (already read by the
/// member): `None` when the member's role reads nothing of it.
pub(crate) async fn enterprise_section(
    state: &AppState,
    member: &Member,
    id: &str,
) -> Result<Option<EnterpriseSection>, ApiError> {
    let role = member.caller.account.role;
    if !Capability::ReadStewards.granted_to(role) {
        return Ok(None);
    }
    let lang = member.lang;
    let own = role == Role::Enterprise;
    let refused = REFUSED.try_with(Refused::clone).unwrap_or_default();
    let Json(views) = list_enterprise_stewards(
        State(state.clone()),
        member.caller.clone(),
        Path(id.to_owned()),
        ApiQuery(EnterpriseStewardsQuery { all: Some(!own) }),
    )
    .await?;
    let Json(contacts) = list_enterprise_contacts(
        State(state.clone()),
        member.caller.clone(),
        Path(id.to_owned()),
        ApiQuery(ContactQuery {
            per_page: Some(CONTACTS_SHOWN.min(state.settings.limits.max_page_size)),
            ..ContactQuery::default()
        }),
    )
    .await?;
    let today = state.today();
    let mut stewards: Vec<StewardRow> = views
        .iter()
        .map(|v| StewardRow::of(v, today, lang))
        .collect();
    stewards.sort_by(|a, b| b.active.cmp(&a.active).then_with(|| a.id.cmp(&b.id)));
    let assign = Capability::ManageStewards.granted_to(role).then(|| {
        let typed = |name: &str| refused.typed("assign", name).unwrap_or_default();
        AssignForm {
            roles: keyed_choices(
                lang,
                StewardRole::ALL,
                |r| (r.as_str(), role_key(r)),
                &refused
                    .typed("assign", "role")
                    .unwrap_or_else(|| StewardRole::Commissioner.as_str().to_owned()),
            ),
            department: typed("department"),
            name: typed("name"),
            phone: typed("phone"),
            email: typed("email"),
            starts_on: refused
                .typed("assign", "starts_on")
                .unwrap_or_else(|| today.to_string()),
            ends_on: typed("ends_on"),
            errors: refused.errors("assign"),
            problem: (refused.form == "assign").then_some(refused.problem),
        }
    });
    let serving: Vec<&StewardRow> = stewards.iter().filter(|s| s.active).collect();
    let record = if Capability::LogContacts.granted_to(role) && !serving.is_empty() {
        let requests = if Capability::ReadRequests.granted_to(role) {
            let Json(found) = list_requests(
                State(state.clone()),
                member.caller.clone(),
                ApiQuery(RequestQuery {
                    enterprise: Some(id.to_owned()),
                    per_page: Some(REQUESTS_OFFERED.min(state.settings.limits.max_page_size)),
                    ..RequestQuery::default()
                }),
            )
            .await?;
            found
                .items
                .into_iter()
                .map(|r| RequestChoice {
                    checked: refused.form == "contact"
                        && refused.requests.contains(&r.id.to_string()),
                    id: r.id,
                    title: r.title,
                })
                .collect()
        } else {
            Vec::new()
        };
        let chosen = refused.typed("contact", "steward").unwrap_or_default();
        let typed = |name: &str| refused.typed("contact", name).unwrap_or_default();
        Some(RecordForm {
            stewards: serving
                .iter()
                .map(|s| Choice {
                    value: s.id.to_string(),
                    label: format!("{} · {}", s.name, s.department),
                    selected: s.id.to_string() == chosen,
                })
                .collect(),
            contacted_on: refused
                .typed("contact", "contacted_on")
                .unwrap_or_else(|| today.to_string()),
            channels: keyed_choices(
                lang,
                ContactChannel::ALL,
                |c| (c.as_str(), channel_key(c)),
                &refused
                    .typed("contact", "channel")
                    .unwrap_or_else(|| ContactChannel::Visit.as_str().to_owned()),
            ),
            topics: typed("topics"),
            follow_up: typed("follow_up"),
            requests,
            errors: refused.errors("contact"),
            problem: (refused.form == "contact").then_some(refused.problem),
        })
    } else {
        None
    };
    let shown = contacts.items.len() as u64;
    let can_end = Capability::ManageStewards.granted_to(role);
    let form_shown = match refused.form {
        "assign" => assign.is_some(),
        "contact" => record.is_some(),
        "end" => {
            can_end
                && stewards
                    .iter()
                    .any(|s| s.id == refused.steward && (s.active || s.upcoming))
        }
        _ => true,
    };
    Ok(Some(EnterpriseSection {
        id: id.to_owned(),
        own,
        contacts: contacts
            .items
            .iter()
            .map(|c| ContactRow::of(c, lang))
            .collect(),
        contacts_total: format::count(contacts.total),
        contacts_link: (!own && contacts.total > shown)
            .then(|| link("/stewards", &[("enterprise", id)])),
        stewards,
        assign,
        can_end,
        can_correct: !own && Capability::LogContacts.granted_to(role),
        today: today.to_string(),
        end_refused: (refused.form == "end" && form_shown).then(|| EndRefused {
            steward: refused.steward,
            ends_on: refused.typed.get("ends_on").cloned().unwrap_or_default(),
            error: refused.errors.get("ends_on").copied(),
            problem: refused.problem,
        }),
        record,
        done: done_of(&member.path),
        problem: (!form_shown).then_some(refused.problem),
    }))
}

/// The enterprise page `id` again, with `refused` beside its form, at the
/// status the refusal had.
async fn again(
    state: AppState,
    site: Arc<Site>,
    member: &Member,
    id: &str,
    status: StatusCode,
    refused: Refused,
) -> Response {
    // The language switch leads back to the enterprise's page.
    let mut shown = member.clone();
    shown.path = format!("/enterprises/{id}");
    let mut response = REFUSED
        .scope(
            refused,
            super::super::enterprise::show(
                State(state),
                Extension(site),
                shown,
                Path(id.to_owned()),
                Query(DecisionQuery::default()),
            ),
        )
        .await;
    if response.status().is_success() {
        *response.status_mut() = status;
    }
    response
}

/// The posted fields, by name (the last of each), and every value of `many`.
pub(super) struct Posted {
    pairs: Vec<(String, String)>,
}

impl Posted {
    pub(super) fn new(body: &[u8]) -> Self {
        Self {
            pairs: posted_pairs(body),
        }
    }

    pub(super) fn get(&self, name: &str) -> String {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub(super) fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Everything typed but the token and the version.
    pub(super) fn typed(&self) -> BTreeMap<String, String> {
        self.pairs
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "version" | "requests"))
            .cloned()
            .collect()
    }

    /// An optional date: `None` when blank, `Err` when not a date.
    pub(super) fn date(&self, name: &str) -> Result<Option<Date>, ()> {
        match self.get(name).trim() {
            "" => Ok(None),
            text => text.parse::<Date>().map(Some).map_err(|_| ()),
        }
    }
}

/// A contact record (走访) as posted, as the API's body (`corrects` left
/// for the caller), or `None` with each problem put under its field in
/// `errors`. The one reading of the form for recording and correcting.
pub(super) fn posted_contact(
    posted: &Posted,
    errors: &mut BTreeMap<String, &'static str>,
) -> Option<RecordContact> {
    let steward = posted.get("steward").parse::<i64>().ok();
    if steward.is_none() {
        errors.insert("steward".into(), "stewards.error.choose_steward");
    }
    let contacted_on = match posted.date("contacted_on") {
        Ok(Some(day)) => Some(day),
        Ok(None) => {
            errors.insert("contacted_on".into(), "stewards.error.date_required");
            None
        }
        Err(()) => {
            errors.insert("contacted_on".into(), "stewards.error.date_invalid");
            None
        }
    };
    let channel = ContactChannel::parse(&posted.get("channel"));
    if channel.is_none() {
        errors.insert("channel".into(), "stewards.error.choose_channel");
    }
    let requests: Result<Vec<i64>, _> = posted.all("requests").iter().map(|r| r.parse()).collect();
    if requests.is_err() {
        errors.insert("requests".into(), "stewards.error.requests_invalid");
    }
    Some(RecordContact {
        steward: steward?,
        contacted_on: contacted_on?,
        channel: channel?,
        topics: posted.get("topics"),
        requests: requests.ok()?,
        follow_up: Some(posted.get("follow_up")).filter(|t| !t.trim().is_empty()),
        corrects: None,
    })
}

/// The message of a field the API refused, given what was typed.
pub(super) fn field_message(field: &str, posted: &Posted) -> &'static str {
    let blank = |name: &str| posted.get(name).trim().is_empty();
    match field {
        "department" if blank("department") => "stewards.error.department_required",
        "name" if blank("name") => "stewards.error.name_required",
        "topics" if blank("topics") => "stewards.error.topics_required",
        "department" | "name" | "topics" | "follow_up" => "stewards.error.too_long",
        "phone" if blank("phone") && blank("email") => "stewards.error.reach_required",
        "phone" => "stewards.error.phone_invalid",
        "email" => "stewards.error.email_invalid",
        "ends_on" => "stewards.error.ends_before_start",
        "contacted_on" => "stewards.error.contacted_on",
        "steward" => "stewards.error.choose_steward",
        "requests" => "stewards.error.requests_invalid",
        "corrects" => "stewards.error.corrected_already",
        _ => "declare.field_invalid",
    }
}

/// What a refusal of the API says, in words: a field beside it, else the
/// problem above the form.
fn refused_by(error: &ApiError, posted: &Posted, refused: &mut Refused) {
    let named = error
        .details()
        .and_then(|d| d.get("field"))
        .and_then(|f| f.as_str())
        .map(str::to_owned);
    refused.problem = match (error.code(), named.as_deref()) {
        ("invalid_field", Some("enterprise")) => "stewards.error.not_in_pool",
        ("invalid_field", Some(name)) => {
            refused
                .errors
                .insert(name.to_owned(), field_message(name, posted));
            "workflow.fix_below"
        }
        ("duplicate", _) => "stewards.error.duplicate",
        ("already_ended", _) => "stewards.error.already_ended",
        ("version_conflict", _) => "stewards.error.conflict",
        _ => refusal(error),
    };
}

/// `POST /enterprises/{id}/stewards` (form: `csrf`, `role`, `department`,
/// `name`, `phone`, `email`, `starts_on`, `ends_on`): the API's
/// `assign_steward`.
pub async fn assign(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let posted = Posted::new(&body);
    let mut refused = Refused {
        form: "assign",
        typed: posted.typed(),
        ..Refused::default()
    };
    if !member.csrf_ok(&posted.get("csrf")) {
        refused.problem = "form.expired";
        return again(state, site, &member, &id, StatusCode::FORBIDDEN, refused).await;
    }
    let role = StewardRole::parse(&posted.get("role"));
    if role.is_none() {
        refused
            .errors
            .insert("role".into(), "stewards.error.choose_role");
    }
    let starts_on = posted.date("starts_on").unwrap_or_else(|()| {
        refused
            .errors
            .insert("starts_on".into(), "stewards.error.date_invalid");
        None
    });
    let ends_on = posted.date("ends_on").unwrap_or_else(|()| {
        refused
            .errors
            .insert("ends_on".into(), "stewards.error.date_invalid");
        None
    });
    let (Some(role), true) = (role, refused.errors.is_empty()) else {
        refused.problem = "workflow.fix_below";
        return again(
            state,
            site,
            &member,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            refused,
        )
        .await;
    };
    let optional = |name: &str| Some(posted.get(name)).filter(|t| !t.trim().is_empty());
    let body = AssignSteward {
        role,
        department: posted.get("department"),
        name: posted.get("name"),
        phone: optional("phone"),
        email: optional("email"),
        account: None,
        starts_on,
        ends_on,
    };
    match assign_steward(
        State(state.clone()),
        member.caller.clone(),
        Path(id.clone()),
        Json(body),
    )
    .await
    {
        Ok(_) => done(&id, "steward_assigned"),
        Err(error) => {
            refused_by(&error, &posted, &mut refused);
            again(state, site, &member, &id, error.status(), refused).await
        }
    }
}

/// `POST /enterprises/{id}/stewards/{steward}/end` (form: `csrf`,
/// `version`, `ends_on`): the API's `end_steward`, at the version read.
pub async fn end(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path((id, steward)): Path<(String, i64)>,
    body: Bytes,
) -> Response {
    let posted = Posted::new(&body);
    let mut refused = Refused {
        form: "end",
        steward,
        typed: posted.typed(),
        ..Refused::default()
    };
    if !member.csrf_ok(&posted.get("csrf")) {
        refused.problem = "form.expired";
        return again(state, site, &member, &id, StatusCode::FORBIDDEN, refused).await;
    }
    let Ok(version) = posted.get("version").parse::<i64>() else {
        refused.problem = "error.bad_request_text";
        return again(state, site, &member, &id, StatusCode::BAD_REQUEST, refused).await;
    };
    let Ok(ends_on) = posted.date("ends_on") else {
        refused
            .errors
            .insert("ends_on".into(), "stewards.error.date_invalid");
        refused.problem = "workflow.fix_below";
        return again(
            state,
            site,
            &member,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            refused,
        )
        .await;
    };
    match end_steward(
        State(state.clone()),
        member.caller.clone(),
        Path(steward),
        Json(EndSteward { version, ends_on }),
    )
    .await
    {
        Ok(_) => done(&id, "steward_ended"),
        Err(error) => {
            refused_by(&error, &posted, &mut refused);
            again(state, site, &member, &id, error.status(), refused).await
        }
    }
}

/// `POST /enterprises/{id}/contacts` (form: `csrf`, `steward`,
/// `contacted_on`, `channel`, `topics`, `requests` (repeated),
/// `follow_up`): the API's `record_contact`.
pub async fn record(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let posted = Posted::new(&body);
    let mut refused = Refused {
        form: "contact",
        typed: posted.typed(),
        requests: posted.all("requests"),
        ..Refused::default()
    };
    if !member.csrf_ok(&posted.get("csrf")) {
        refused.problem = "form.expired";
        return again(state, site, &member, &id, StatusCode::FORBIDDEN, refused).await;
    }
    let Some(body) = posted_contact(&posted, &mut refused.errors) else {
        refused.problem = "workflow.fix_below";
        return again(
            state,
            site,
            &member,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            refused,
        )
        .await;
    };
    match record_contact(
        State(state.clone()),
        member.caller.clone(),
        Path(id.clone()),
        Json(body),
    )
    .await
    {
        Ok(_) => done(&id, "contact_recorded"),
        Err(error) => {
            refused_by(&error, &posted, &mut refused);
            again(state, site, &member, &id, error.status(), refused).await
        }
    }
}

/// Back to the enterprise's page, at this section, saying what was done.
fn done(id: &str, what: &str) -> Response {
    let page = link(&format!("/enterprises/{id}"), &[("done", what)]);
    Redirect::to(&format!("{page}#stewards")).into_response()
}
