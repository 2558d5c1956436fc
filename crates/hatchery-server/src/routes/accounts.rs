//! Accounts: the ministry administrator creates and changes them; auditors read them.

use axum::extract::State;
use axum::http::StatusCode;
use hatchery_core::EnterpriseId;
use hatchery_core::workflow::{AccountId, Capability, Jurisdiction, Placement, Role, Username};
use hatchery_store::workflow::{AccountChange, NewAccount};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Paged, Path, Query, page_window};
use crate::state::AppState;
use crate::views::AccountView;

/// An account to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    /// 3–64 lower-case letters, digits, `.`, `_` or `-`.
    pub username: String,
    /// A name for people (1–100 characters).
    pub display_name: String,
    /// One of the roles (see `AccountView.role`).
    pub role: String,
    /// `CN`, a division code or `zone:ID`; for an enterprise account, ignored
    /// (the enterprise's own place is used).
    #[serde(default)]
    pub jurisdiction: Option<String>,
    /// The enterprise an enterprise account belongs to.
    #[serde(default)]
    pub enterprise: Option<String>,
    /// 12 to 128 characters, not only spaces, not containing the username,
    /// not a common password. Temporary: the account must change it at its
    /// first sign-in.
    pub password: String,
}

/// Changes to an account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccount {
    /// The version read.
    pub version: i64,
    pub display_name: Option<String>,
    /// Disabling revokes every session and token.
    pub disabled: Option<bool>,
    /// A new password (revokes every session and token); the account must
    /// change it at its next sign-in.
    pub password: Option<String>,
}

/// Which accounts to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AccountQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

fn display_name(text: &str) -> Result<String, ApiError> {
    let name = text.trim();
    if (1..=100).contains(&name.chars().count()) && crate::text::is_safe_name(name) {
        Ok(name.to_owned())
    } else {
        Err(ApiError::invalid(
            "invalid_display_name",
            "a display name has 1 to 100 characters, without control or bidirectional formatting characters",
        ))
    }
}

/// Where an account bound to `jurisdiction` sits.
pub(crate) async fn placement_of(
    state: &AppState,
    jurisdiction: &Jurisdiction,
) -> Result<Placement, ApiError> {
    Ok(match jurisdiction {
        Jurisdiction::Nation => Placement::default(),
        Jurisdiction::Division(code) => Placement::of(Some(*code), None),
        Jurisdiction::Zone(id) => {
            let zone = state.db.zone(id).await?.ok_or_else(|| {
                ApiError::invalid("unknown_zone", format!("there is no zone {id}"))
            })?;
            let mut placement = Placement::of(None, Some(&zone.zone));
            placement.zone = Some(id.clone());
            placement
        }
    })
}

/// Checks a new account and works out where it sits.
pub(crate) async fn prepare_account(
    state: &AppState,
    request: CreateAccount,
) -> Result<NewAccount, ApiError> {
    let username = Username::parse(&request.username)
        .map_err(|e| ApiError::invalid("invalid_username", e.to_string()))?;
    let display_name = display_name(&request.display_name)?;
    let role = Role::parse(&request.role).ok_or_else(|| {
        ApiError::invalid(
            "invalid_role",
            format!(
                "'{}' is not a role ({})",
                request.role,
                Role::ALL.map(Role::as_str).join(", ")
            ),
        )
    })?;
    let enterprise = request
        .enterprise
        .as_deref()
        .map(EnterpriseId::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("invalid_enterprise", e.to_string()))?;
    let (jurisdiction, placement) = match &enterprise {
        Some(id) if role == Role::Enterprise => {
            let view = state.ledger().await?;
            let position = view.position(id).ok_or_else(|| {
                ApiError::invalid("unknown_enterprise", format!("there is no enterprise {id}"))
            })?;
            let placement = view.placement(position, state.today());
            let jurisdiction = placement
                .division()
                .map_or(Jurisdiction::Nation, Jurisdiction::Division);
            (jurisdiction, placement)
        }
        _ => {
            let text = request.jurisdiction.as_deref().ok_or_else(|| {
                ApiError::invalid("invalid_jurisdiction", "name the account's jurisdiction")
            })?;
            let jurisdiction = Jurisdiction::parse(text)
                .map_err(|e| ApiError::invalid("invalid_jurisdiction", e.to_string()))?;
            let placement = placement_of(state, &jurisdiction).await?;
            (jurisdiction, placement)
        }
    };
    role.check_binding(&jurisdiction, enterprise.as_ref())
        .map_err(|e| ApiError::invalid("invalid_binding", e.to_string()))?;
    let password_hash = state
        .passwords
        .hash_async(request.password, username.as_str())
        .await?;
    Ok(NewAccount {
        username,
        display_name,
        role,
        jurisdiction,
        enterprise,
        placement,
        password_hash,
        // The official chose it; its owner changes it at first sign-in.
        must_change_password: true,
    })
}

/// Creates an account.
#[utoipa::path(
    post, path = "/api/accounts", tag = "accounts",
    request_body = CreateAccount,
    responses(
        (status = 201, description = "Created", body = AccountView),
        (status = 403, description = "Only the ministry administrator creates accounts", body = ErrorBody),
        (status = 409, description = "The username is taken", body = ErrorBody),
        (status = 422, description = "Invalid field or role/jurisdiction binding", body = ErrorBody),
    )
)]
pub async fn create_account(
    State(state): State<AppState>,
    caller: Caller,
    Json(request): Json<CreateAccount>,
) -> Result<(StatusCode, Json<AccountView>), ApiError> {
    caller.require(Capability::ManageAccounts)?;
    let account = prepare_account(&state, request).await?;
    let created = state
        .db
        .create_account(&account, &caller.acting(state.clock.now()))
        .await?;
    Ok((StatusCode::CREATED, Json((&created).into())))
}

/// Accounts within the caller's jurisdiction.
#[utoipa::path(
    get, path = "/api/accounts", tag = "accounts",
    params(AccountQuery),
    responses(
        (status = 200, description = "A page of accounts", body = Paged<AccountView>),
        (status = 403, description = "Not an administrator or auditor", body = ErrorBody),
    )
)]
pub async fn list_accounts(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<AccountQuery>,
) -> Result<Json<Paged<AccountView>>, ApiError> {
    caller.require(Capability::ReadAccounts)?;
    let window = page_window(
        query.page,
        query.per_page,
        state.settings.limits.max_page_size,
    )?;
    let page = state.db.accounts(&caller.scope, window).await?;
    Ok(Json(Paged::new(
        page.items.iter().map(AccountView::from).collect(),
        page.total,
        window,
    )))
}

async fn visible_account(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<hatchery_store::workflow::Account, ApiError> {
    let account = state
        .db
        .account(AccountId(id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    // An account whose zone has gone is placed nowhere: only the ministry sees it.
    let placement = placement_of(state, &account.jurisdiction)
        .await
        .unwrap_or_default();
    if caller.scope.covers_place(&placement) {
        Ok(account)
    } else {
        Err(ApiError::not_found())
    }
}

/// One account.
#[utoipa::path(
    get, path = "/api/accounts/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "The account's id")),
    responses(
        (status = 200, description = "The account", body = AccountView),
        (status = 403, description = "Not an administrator or auditor", body = ErrorBody),
        (status = 404, description = "No such account within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<AccountView>, ApiError> {
    caller.require(Capability::ReadAccounts)?;
    let account = visible_account(&state, &caller, id).await?;
    Ok(Json((&account).into()))
}

/// Renames, disables, enables an account or resets its password.
#[utoipa::path(
    patch, path = "/api/accounts/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "The account's id")),
    request_body = UpdateAccount,
    responses(
        (status = 200, description = "Changed", body = AccountView),
        (status = 403, description = "Only the ministry administrator changes accounts", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 409, description = "The account changed since it was read", body = ErrorBody),
        (status = 422, description = "Invalid change", body = ErrorBody),
    )
)]
pub async fn update_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(request): Json<UpdateAccount>,
) -> Result<Json<AccountView>, ApiError> {
    caller.require(Capability::ManageAccounts)?;
    let account = visible_account(&state, &caller, id).await?;
    if account.id == caller.account.id && request.disabled == Some(true) {
        return Err(ApiError::invalid(
            "invalid_change",
            "an administrator cannot disable their own account",
        ));
    }
    let password_hash = match request.password {
        Some(password) => Some(
            state
                .passwords
                .hash_async(password, account.username.as_str())
                .await?,
        ),
        None => None,
    };
    let change = AccountChange {
        display_name: request
            .display_name
            .as_deref()
            .map(display_name)
            .transpose()?,
        disabled: request.disabled,
        password_hash,
        // One's language is one's own (`PUT /api/session/language`).
        language: None,
    };
    let updated = state
        .db
        .update_account(
            account.id,
            request.version,
            &change,
            &caller.acting(state.clock.now()),
        )
        .await?;
    // A disabled account's sessions end now, not when the cache forgets it.
    state.credentials.forget_all();
    Ok(Json((&updated).into()))
}
