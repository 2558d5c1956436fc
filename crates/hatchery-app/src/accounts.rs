//! Creating an account from outside the API: the first ministry
//! administrator (`hatchery admin create-user …`), and test fixtures.

use hatchery_core::EnterpriseId;
use hatchery_core::workflow::{Clock, Jurisdiction, Placement, Role, Username};
use hatchery_store::StoreError;
use hatchery_store::workflow::{Account, NewAccount, WorkflowError};

use crate::backend::Backend;
use crate::password::{Argon2Settings, PasswordError, Passwords, check_policy};
use crate::system;

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Something given is not acceptable (a malformed username, a role
    /// bound where it cannot be, an enterprise or zone that does not exist).
    #[error("{0}")]
    Invalid(String),
    /// The password breaks the policy, or hashing failed.
    #[error(transparent)]
    Password(#[from] PasswordError),
    /// The store refused (a username already taken) or failed.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    /// The ledger could not be read to check the enterprise.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An account to create from the command line.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    /// A role key, e.g. `ministry_admin`.
    pub role: String,
    /// `CN`, a division code or `zone:ID`.
    pub jurisdiction: String,
    /// For an enterprise account.
    pub enterprise: Option<String>,
    pub password: String,
}

/// Creates an account with an initial password, as the system (the audit
/// log names `system:cli`): `hatchery admin create-user`, meant for the
/// first ministry administrator (the others are made through the API). The
/// operator chose the password, so its owner must change it at first
/// sign-in, as with an account an official creates. An enterprise account's
/// enterprise must be in the ledger; its jurisdiction is taken as given here.
pub async fn create_initial_account(
    db: &dyn Backend,
    clock: &dyn Clock,
    argon2: Argon2Settings,
    user: NewUser,
) -> Result<Account, AccountError> {
    create(db, clock, argon2, user, true).await
}

/// Creates an account whose password is ready to use as given, as the
/// system: for the demo, whose printed accounts sign in straight away, and
/// for test fixtures. Checked as [`create_initial_account`] checks.
pub async fn create_account(
    db: &dyn Backend,
    clock: &dyn Clock,
    argon2: Argon2Settings,
    user: NewUser,
) -> Result<Account, AccountError> {
    create(db, clock, argon2, user, false).await
}

async fn create(
    db: &dyn Backend,
    clock: &dyn Clock,
    argon2: Argon2Settings,
    user: NewUser,
    must_change_password: bool,
) -> Result<Account, AccountError> {
    let invalid = |e: &dyn std::fmt::Display| AccountError::Invalid(e.to_string());
    let username = Username::parse(&user.username).map_err(|e| invalid(&e))?;
    let role = Role::parse(&user.role).ok_or_else(|| {
        AccountError::Invalid(format!(
            "'{}' is not a role ({})",
            user.role,
            Role::ALL.map(Role::as_str).join(", ")
        ))
    })?;
    let jurisdiction = Jurisdiction::parse(&user.jurisdiction).map_err(|e| invalid(&e))?;
    let enterprise = user
        .enterprise
        .as_deref()
        .map(EnterpriseId::parse)
        .transpose()
        .map_err(|e| invalid(&e))?;
    role.check_binding(&jurisdiction, enterprise.as_ref())
        .map_err(|e| invalid(&e))?;
    if let Some(id) = &enterprise
        && db.existing_ids(std::slice::from_ref(id)).await?.is_empty()
    {
        return Err(AccountError::Invalid(format!(
            "there is no enterprise {id} in the ledger; import it first"
        )));
    }
    let display_name = user.display_name.trim().to_owned();
    if !(1..=100).contains(&display_name.chars().count()) {
        return Err(AccountError::Invalid(
            "a display name has 1 to 100 characters".into(),
        ));
    }
    let placement = match &jurisdiction {
        Jurisdiction::Nation => Placement::default(),
        Jurisdiction::Division(code) => Placement::of(Some(*code), None),
        Jurisdiction::Zone(id) => {
            let zone = db
                .zone(id)
                .await?
                .ok_or_else(|| AccountError::Invalid(format!("there is no zone {id}")))?;
            Placement::of(None, Some(&zone.zone))
        }
    };
    let passwords = Passwords::new(argon2)?;
    check_policy(&user.password, Some(username.as_str()))?;
    let password_hash = passwords.hash(&user.password)?;
    Ok(db
        .create_account(
            &NewAccount {
                username,
                display_name,
                role,
                jurisdiction,
                enterprise,
                placement,
                password_hash,
                must_change_password,
            },
            &system(clock, "cli"),
        )
        .await?)
}
