//! Administration without a server, for the command line: the first
//! ministry account (`hatchery admin create-user …`), and the library calls
//! behind `hatchery audit verify` and `hatchery pool reevaluate --as-of`.

use hatchery_core::EnterpriseId;
use hatchery_core::workflow::{Clock, Jurisdiction, Placement, Role, Username};
use hatchery_store::workflow::{Account, NewAccount, WorkflowError};
use jiff::civil::Date;

use crate::password::{PasswordError, Passwords};
use crate::service::{ReevaluationReport, ServiceError, reevaluate_pool};
use crate::settings::Argon2Settings;
use crate::startup::system;
use crate::state::{Backend, RuleBook};

/// Why an administrative command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error(transparent)]
    Service(#[from] ServiceError),
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

/// Creates an account, as the system (the audit log names `system:cli`).
/// Meant for the first ministry administrator; the others are made through
/// the API. An enterprise account's jurisdiction is taken as given here.
pub async fn create_account(
    db: &dyn Backend,
    clock: &dyn Clock,
    argon2: Argon2Settings,
    user: NewUser,
) -> Result<Account, AdminError> {
    let invalid = |e: &dyn std::fmt::Display| AdminError::Invalid(e.to_string());
    let username = Username::parse(&user.username).map_err(|e| invalid(&e))?;
    let role = Role::parse(&user.role).ok_or_else(|| {
        AdminError::Invalid(format!(
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
    let display_name = user.display_name.trim().to_owned();
    if !(1..=100).contains(&display_name.chars().count()) {
        return Err(AdminError::Invalid(
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
                .ok_or_else(|| AdminError::Invalid(format!("there is no zone {id}")))?;
            Placement::of(None, Some(&zone.zone))
        }
    };
    let passwords = Passwords::new(argon2)?;
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
            },
            &system(clock, "cli"),
        )
        .await?)
}

/// Re-evaluates the pool as of `as_of` from the database (no server needed).
pub async fn reevaluate(
    db: &dyn Backend,
    clock: &dyn Clock,
    as_of: Date,
) -> Result<ReevaluationReport, AdminError> {
    let ledger = db.load_ledger().await.map_err(ServiceError::from)?;
    let rules = RuleBook::load(db).await.map_err(ServiceError::from)?;
    Ok(reevaluate_pool(db, &ledger, &rules, as_of, &system(clock, "cli")).await?)
}
