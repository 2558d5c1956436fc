//! 榜单导入: a published list uploaded with a profile, its dry run shown —
//! new, updated, unchanged and absent enterprises, rejected rows with their
//! line and reason — then, once confirmed, imported: the API's own
//! `import_published_list`, the audited all-or-nothing import of `hatchery
//! import-list`. The confirmation carries the file back (base64, in a
//! hidden field): nothing is kept on the server between the two steps.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hatchery_server::routes::lists::{
    ListImportView, ListUpload, import_published_list, may_import, read_form,
};
use hatchery_server::{ApiError, AppState};
use serde::{Deserialize, Serialize};

use super::{Choice, failure};
use crate::format;
use crate::session::Member;
use crate::site::{Chrome, Site};

/// The most rows of each kind the page lists (all are counted).
const SHOWN: usize = 200;

/// The form as typed, shown again when something is wrong.
#[derive(Debug, Default, Clone, Serialize)]
struct Typed {
    profile: String,
    list_date: String,
}

#[derive(Debug, Serialize)]
struct Row {
    line: u64,
    name: String,
    href: String,
    action: &'static str,
}

#[derive(Debug, Serialize)]
struct Rejected {
    line: u64,
    name: String,
    reasons: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Plan {
    file: String,
    counts: Vec<(&'static str, String)>,
    rows: Vec<Row>,
    absent: Vec<Row>,
    rejected: Vec<Rejected>,
    imported: bool,
    /// What the confirmation sends back (none once imported, or when rows
    /// are rejected: the import is all or nothing).
    confirm: Option<Confirm>,
}

#[derive(Debug, Serialize)]
struct Confirm {
    profile: String,
    list_date: String,
    file_name: String,
    data: String,
}

#[derive(Debug, Serialize)]
struct ListsPage {
    typed: Typed,
    profiles: Vec<Choice>,
    errors: BTreeMap<&'static str, &'static str>,
    problem: Option<&'static str>,
    plan: Option<Plan>,
}

fn chrome(member: &Member) -> Chrome {
    Chrome::member(member, "lists.title", "lists")
}

fn page(typed: Typed) -> ListsPage {
    ListsPage {
        profiles: hatchery_lists_profiles(&typed.profile),
        typed,
        errors: BTreeMap::new(),
        problem: None,
        plan: None,
    }
}

/// The shipped profiles, `chosen` selected.
fn hatchery_lists_profiles(chosen: &str) -> Vec<Choice> {
    hatchery_server::routes::lists::profiles()
        .into_iter()
        .enumerate()
        .map(|(i, key)| Choice {
            selected: key == chosen || (chosen.is_empty() && i == 0),
            label: key.to_owned(),
            value: key.to_owned(),
        })
        .collect()
}

/// Only roles that may import see the page: the API's own check.
fn allowed(member: &Member) -> Result<(), ApiError> {
    may_import(&member.caller)
}

/// `GET /lists`.
pub async fn form(Extension(site): Extension<Arc<Site>>, member: Member) -> Response {
    if let Err(error) = allowed(&member) {
        return failure(&site, &chrome(&member), &error);
    }
    site.page(
        StatusCode::OK,
        "lists.html",
        &chrome(&member),
        page(Typed::default()),
    )
}

fn plan_of(found: &ListImportView, confirm: Option<Confirm>) -> Plan {
    let action = |a: &str| match a {
        "new" => "lists.new",
        "updated" => "lists.updated",
        _ => "lists.unchanged",
    };
    Plan {
        file: found.file.clone(),
        counts: vec![
            ("lists.new", format::count(found.new as u64)),
            ("lists.updated", format::count(found.updated as u64)),
            ("lists.unchanged", format::count(found.unchanged as u64)),
            ("lists.absent", format::count(found.absent.len() as u64)),
            ("lists.rejected", format::count(found.rejected.len() as u64)),
        ],
        rows: found
            .rows
            .iter()
            .filter(|r| r.action != "unchanged")
            .take(SHOWN)
            .map(|r| Row {
                line: r.line,
                name: r.name.clone(),
                href: format!("/enterprises/{}", r.enterprise),
                action: action(&r.action),
            })
            .collect(),
        absent: found
            .absent
            .iter()
            .take(SHOWN)
            .map(|a| Row {
                line: 0,
                name: a.name.clone(),
                href: format!("/enterprises/{}", a.enterprise),
                action: "lists.absent",
            })
            .collect(),
        rejected: found
            .rejected
            .iter()
            .take(SHOWN)
            .map(|r| Rejected {
                line: r.line,
                name: r.name.clone().unwrap_or_default(),
                reasons: r.reasons.clone(),
            })
            .collect(),
        imported: found.imported,
        confirm: confirm.filter(|_| !found.imported && found.rejected.is_empty()),
    }
}

/// The field a problem of the API belongs to.
fn field_of(error: &ApiError) -> Option<(&'static str, &'static str)> {
    Some(match error.code() {
        "unknown_profile" => ("profile", "lists.profile_unknown"),
        "invalid_list" => ("file", "lists.file_invalid"),
        _ => return None,
    })
}

/// `POST /lists`: the dry run of an uploaded list.
pub async fn dry_run(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    multipart: Multipart,
) -> Response {
    let chrome = chrome(&member);
    if let Err(error) = allowed(&member) {
        return failure(&site, &chrome, &error);
    }
    let form = match read_form(multipart).await {
        Ok(form) => form,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let text = |name: &str| form.fields.get(name).cloned().unwrap_or_default();
    let typed = Typed {
        profile: text("profile"),
        list_date: text("list_date"),
    };
    let mut shown = page(typed.clone());
    if !member.csrf_ok(&text("csrf")) {
        shown.problem = Some("form.expired");
        return site.page(StatusCode::FORBIDDEN, "lists.html", &chrome, shown);
    }
    if form.file_name.is_empty() || form.bytes.is_empty() {
        shown.errors.insert("file", "lists.file_required");
    }
    let list_date = hatchery_core::date::parse_date(typed.list_date.trim());
    if list_date.is_err() {
        shown.errors.insert("list_date", "form.date_invalid");
    }
    let Ok(list_date) = list_date else {
        return site.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "lists.html",
            &chrome,
            shown,
        );
    };
    if !shown.errors.is_empty() {
        return site.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "lists.html",
            &chrome,
            shown,
        );
    }
    let confirm = Confirm {
        profile: typed.profile.clone(),
        list_date: typed.list_date.trim().to_owned(),
        file_name: form.file_name.clone(),
        data: STANDARD.encode(&form.bytes),
    };
    let upload = ListUpload {
        file_name: form.file_name,
        bytes: form.bytes,
        profile: typed.profile.clone(),
        list_date,
        dry_run: true,
    };
    match import_published_list(&state, &member.caller, upload).await {
        Ok(found) => {
            shown.plan = Some(plan_of(&found, Some(confirm)));
            site.page(StatusCode::OK, "lists.html", &chrome, shown)
        }
        Err(error) => match field_of(&error) {
            Some((field, message)) => {
                shown.errors.insert(field, message);
                site.page(error.status(), "lists.html", &chrome, shown)
            }
            None => failure(&site, &chrome, &error),
        },
    }
}

/// The confirmation as posted.
#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    pub profile: String,
    #[serde(default)]
    pub list_date: String,
    #[serde(default)]
    pub file_name: String,
    #[serde(default)]
    pub data: String,
    #[serde(default)]
    pub csrf: String,
}

/// `POST /lists/import`: the confirmed import.
pub async fn import(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let chrome = chrome(&member);
    if let Err(error) = allowed(&member) {
        return failure(&site, &chrome, &error);
    }
    let typed = Typed {
        profile: form.profile.clone(),
        list_date: form.list_date.clone(),
    };
    let mut shown = page(typed);
    if !member.csrf_ok(&form.csrf) {
        shown.problem = Some("form.expired");
        return site.page(StatusCode::FORBIDDEN, "lists.html", &chrome, shown);
    }
    let (Ok(bytes), Ok(list_date)) = (
        STANDARD.decode(form.data.as_bytes()),
        hatchery_core::date::parse_date(form.list_date.trim()),
    ) else {
        return super::error_page(&site, &chrome, StatusCode::BAD_REQUEST);
    };
    let upload = ListUpload {
        file_name: form.file_name.clone(),
        bytes,
        profile: form.profile.clone(),
        list_date,
        dry_run: false,
    };
    match import_published_list(&state, &member.caller, upload).await {
        Ok(found) => {
            shown.plan = Some(plan_of(&found, None));
            site.page(StatusCode::OK, "lists.html", &chrome, shown)
        }
        Err(error) if error.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            // Nothing was written: the import is all or nothing.
            shown.problem = Some("lists.refused");
            site.page(error.status(), "lists.html", &chrome, shown)
        }
        Err(error) => failure(&site, &chrome, &error),
    }
}
