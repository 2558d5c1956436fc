//! 账户管理: the accounts within the member's jurisdiction, and — for the
//! ministry administrator — creating one, disabling or enabling one and
//! resetting its password. Every read and change is the accounts API's own
//! (`list_accounts`, `create_account`, `update_account`): who may, and
//! which accounts are visible, is decided there.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use hatchery_core::workflow::{Capability, Role};
use hatchery_server::extract::Json;
use hatchery_server::routes::accounts::{
    AccountQuery, CreateAccount, UpdateAccount, create_account, list_accounts, update_account,
};
use hatchery_server::{ApiError, AppState};
use serde::{Deserialize, Serialize};

use super::{Choice, failure, link};
use crate::format;
use crate::i18n::catalog;
use crate::session::Member;
use crate::site::{Chrome, Site};

/// Accounts a page lists.
const PER_PAGE: u64 = 50;

/// Which page, and what was just done.
#[derive(Debug, Default, Deserialize)]
pub struct AccountsQuery {
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub done: String,
}

/// The new-account form as posted (and shown again when it is wrong).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct NewAccountForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub jurisdiction: String,
    #[serde(default)]
    pub enterprise: String,
    #[serde(default, skip_serializing)]
    pub password: String,
    #[serde(default, skip_serializing)]
    pub csrf: String,
}

/// A change to one account, as posted by its row's form.
#[derive(Debug, Default, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    pub version: String,
    /// `disable`, `enable` or `reset`.
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub csrf: String,
}

#[derive(Debug, Serialize)]
struct AccountRow {
    id: i64,
    version: i64,
    username: String,
    display_name: String,
    role: String,
    jurisdiction: String,
    disabled: bool,
    must_change_password: bool,
    created: String,
    /// Whether the member may change it (not their own disabling).
    own: bool,
}

#[derive(Debug, Serialize)]
struct AccountsPage {
    rows: Vec<AccountRow>,
    total: String,
    page: u64,
    pages: u64,
    previous: Option<String>,
    next: Option<String>,
    manages: bool,
    roles: Vec<Choice>,
    form: NewAccountForm,
    errors: BTreeMap<&'static str, &'static str>,
    problem: Option<&'static str>,
    done: Option<&'static str>,
}

fn chrome(member: &Member) -> Chrome {
    Chrome::member(member, "accounts.title", "accounts")
}

fn role_choices(member: &Member, chosen: &str) -> Vec<Choice> {
    let c = catalog(member.lang);
    Role::ALL
        .iter()
        .map(|role| Choice {
            value: role.as_str().to_owned(),
            label: c.format(&format!("role.{}", role.as_str()), &[]),
            selected: role.as_str() == chosen,
        })
        .collect()
}

fn done_key(done: &str) -> Option<&'static str> {
    match done {
        "created" => Some("accounts.created"),
        "disable" => Some("accounts.disabled_done"),
        "enable" => Some("accounts.enabled_done"),
        "reset" => Some("accounts.reset_done"),
        _ => None,
    }
}

/// The page of accounts, with `form`, `errors` and `problem` as given.
async fn render(
    state: &AppState,
    site: &Site,
    member: &Member,
    number: u64,
    status: StatusCode,
    mut page: AccountsPage,
) -> Response {
    let chrome = chrome(member);
    let listed = list_accounts(
        State(state.clone()),
        member.caller.clone(),
        hatchery_server::extract::Query(AccountQuery {
            page: Some(number),
            per_page: Some(PER_PAGE),
        }),
    )
    .await;
    let listed = match listed {
        Ok(listed) => listed.0,
        Err(error) => return failure(site, &chrome, &error),
    };
    let lang = member.lang;
    page.rows = listed
        .items
        .iter()
        .map(|a| AccountRow {
            id: a.id,
            version: a.version,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: format!("role.{}", a.role.as_str()),
            jurisdiction: a
                .enterprise
                .clone()
                .unwrap_or_else(|| super::jurisdiction_text(&a.jurisdiction, lang)),
            disabled: a.disabled,
            must_change_password: a.must_change_password,
            created: format::instant(a.created_at, lang),
            own: a.id == member.caller.account.id.0,
        })
        .collect();
    page.total = format::count(listed.total);
    page.page = number;
    page.pages = listed.total.div_ceil(PER_PAGE).max(1);
    page.previous =
        (number > 1).then(|| link("/admin/accounts", &[("page", &(number - 1).to_string())]));
    page.next = (number < page.pages)
        .then(|| link("/admin/accounts", &[("page", &(number + 1).to_string())]));
    site.page(status, "accounts.html", &chrome, page)
}

fn empty_page(member: &Member, form: NewAccountForm) -> AccountsPage {
    AccountsPage {
        rows: Vec::new(),
        total: String::new(),
        page: 1,
        pages: 1,
        previous: None,
        next: None,
        manages: Capability::ManageAccounts.granted_to(member.caller.account.role),
        roles: role_choices(member, &form.role),
        form,
        errors: BTreeMap::new(),
        problem: None,
        done: None,
    }
}

/// `GET /admin/accounts`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<AccountsQuery>,
) -> Response {
    let number = query.page.trim().parse::<u64>().unwrap_or(1).max(1);
    let mut page = empty_page(&member, NewAccountForm::default());
    page.done = done_key(&query.done);
    render(&state, &site, &member, number, StatusCode::OK, page).await
}

/// The field an API error of the new-account form belongs to.
fn field_of(error: &ApiError) -> Option<(&'static str, &'static str)> {
    Some(match error.code() {
        "invalid_username" => ("username", "accounts.username_invalid"),
        "duplicate" => ("username", "accounts.username_taken"),
        "invalid_display_name" => ("display_name", "accounts.display_name_invalid"),
        "invalid_role" => ("role", "accounts.role_invalid"),
        "invalid_jurisdiction" | "unknown_zone" | "invalid_binding" => {
            ("jurisdiction", "accounts.binding_invalid")
        }
        "invalid_enterprise" | "unknown_enterprise" => {
            ("enterprise", "accounts.enterprise_invalid")
        }
        "weak_password" => ("password", "password.refused"),
        _ => return None,
    })
}

/// `POST /admin/accounts`: creates an account through the API.
pub async fn create(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Form(form): Form<NewAccountForm>,
) -> Response {
    let mut page = empty_page(&member, form.clone());
    if !member.csrf_ok(&form.csrf) {
        page.problem = Some("form.expired");
        return render(&state, &site, &member, 1, StatusCode::FORBIDDEN, page).await;
    }
    let blank = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    let request = CreateAccount {
        username: form.username.trim().to_owned(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        jurisdiction: blank(&form.jurisdiction),
        enterprise: blank(&form.enterprise),
        password: form.password.clone(),
    };
    match create_account(State(state.clone()), member.caller.clone(), Json(request)).await {
        Ok(_) => Redirect::to("/admin/accounts?done=created").into_response(),
        Err(error) => match field_of(&error) {
            Some((field, message)) => {
                page.errors.insert(field, message);
                render(&state, &site, &member, 1, error.status(), page).await
            }
            None => failure(&site, &chrome(&member), &error),
        },
    }
}

/// `POST /admin/accounts/{id}`: disables, enables or resets the password
/// of an account through the API.
pub async fn change(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    Form(form): Form<ChangeForm>,
) -> Response {
    let mut page = empty_page(&member, NewAccountForm::default());
    if !member.csrf_ok(&form.csrf) {
        page.problem = Some("form.expired");
        return render(&state, &site, &member, 1, StatusCode::FORBIDDEN, page).await;
    }
    let Ok(version) = form.version.trim().parse::<i64>() else {
        return super::error_page(&site, &chrome(&member), StatusCode::BAD_REQUEST);
    };
    let mut request = UpdateAccount {
        version,
        display_name: None,
        disabled: None,
        password: None,
    };
    match form.action.as_str() {
        "disable" => request.disabled = Some(true),
        "enable" => request.disabled = Some(false),
        "reset" => request.password = Some(form.password.clone()),
        _ => return super::error_page(&site, &chrome(&member), StatusCode::BAD_REQUEST),
    }
    let changed = update_account(
        State(state.clone()),
        member.caller.clone(),
        hatchery_server::extract::Path(id),
        Json(request),
    )
    .await;
    match changed {
        Ok(_) => Redirect::to(&format!("/admin/accounts?done={}", form.action)).into_response(),
        Err(error) => {
            page.problem = Some(match error.code() {
                "weak_password" => "accounts.reset_refused",
                "stale" | "conflict" | "version_conflict" => "accounts.stale",
                "invalid_change" => "accounts.not_own",
                _ => return failure(&site, &chrome(&member), &error),
            });
            render(&state, &site, &member, 1, error.status(), page).await
        }
    }
}
