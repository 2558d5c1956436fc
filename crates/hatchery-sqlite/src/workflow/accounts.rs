//! Accounts, their credentials, login throttling and idempotency keys.

use hatchery_core::workflow::{AccountId, Role, Scope, Username};
use hatchery_store::workflow::{
    Account, AccountChange, Acting, AdmitAttempt, AttemptTally, Credential, CredentialKind,
    IdempotencyClaim, LoginAttempt, NewAccount, NewCredential, Page, Paged, StoredResponse,
    WorkflowError,
};
use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;
use sqlx::{SqliteConnection, SqlitePool};

use super::audit::append;
use super::codec::{
    cell, corrupt, db, filed_under, get_account, get_instant, get_jurisdiction, get_opt_instant,
    placement_cells, record, text_instant, unique,
};
use super::{page_limit, scope_condition};

const ACCOUNT_COLUMNS: &str = "id, username, display_name, role, jurisdiction, enterprise, \
     province, city, district, zone, disabled, must_change_password, created_at, updated_at, \
     version";

fn decode(row: &SqliteRow) -> Result<Account, WorkflowError> {
    let username: String = cell(row, "username")?;
    let role: String = cell(row, "role")?;
    Ok(Account {
        id: get_account(row, "id")?,
        username: Username::parse(&username).map_err(|_| corrupt("username", &username))?,
        display_name: cell(row, "display_name")?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        jurisdiction: get_jurisdiction(row, "jurisdiction")?,
        enterprise: cell::<Option<String>>(row, "enterprise")?
            .map(|e| {
                hatchery_core::EnterpriseId::parse(&e).map_err(|_| corrupt("enterprise id", &e))
            })
            .transpose()?,
        disabled: cell(row, "disabled")?,
        must_change_password: cell(row, "must_change_password")?,
        created_at: get_instant(row, "created_at")?,
        updated_at: get_instant(row, "updated_at")?,
        version: cell(row, "version")?,
    })
}

async fn fetch(
    conn: &mut SqliteConnection,
    id: AccountId,
) -> Result<Option<Account>, WorkflowError> {
    sqlx::query(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM wf_accounts WHERE id = ?"
    ))
    .bind(id.0)
    .fetch_optional(conn)
    .await
    .map_err(db)?
    .as_ref()
    .map(decode)
    .transpose()
}

/// The jurisdiction an account's audit entries are filed under.
async fn filed(conn: &mut SqliteConnection, id: AccountId) -> Result<String, WorkflowError> {
    let row = sqlx::query("SELECT province, city, district, zone FROM wf_accounts WHERE id = ?")
        .bind(id.0)
        .fetch_one(conn)
        .await
        .map_err(db)?;
    Ok(filed_under(&super::codec::get_placement(&row)?))
}

pub(crate) async fn create(
    conn: &mut SqliteConnection,
    account: &NewAccount,
    acting: &Acting,
) -> Result<Account, WorkflowError> {
    let at = text_instant(acting.at);
    let [province, city, district, zone] = placement_cells(&account.placement);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO wf_accounts (username, display_name, role, jurisdiction, enterprise, \
         province, city, district, zone, password_hash, disabled, must_change_password, \
         created_at, updated_at, version) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 1) RETURNING id",
    )
    .bind(account.username.as_str())
    .bind(&account.display_name)
    .bind(account.role.as_str())
    .bind(account.jurisdiction.to_string())
    .bind(account.enterprise.as_ref().map(|e| e.as_str()))
    .bind(province)
    .bind(city)
    .bind(district)
    .bind(zone)
    .bind(&account.password_hash)
    .bind(set_by_another(acting, None))
    .bind(&at)
    .bind(&at)
    .fetch_one(&mut *conn)
    .await
    .map_err(unique("that username is taken"))?;
    let created = fetch(conn, AccountId(id))
        .await?
        .ok_or(WorkflowError::NotFound)?;
    append(
        conn,
        record(
            acting,
            "account.create",
            format!("account:{id}"),
            filed_under(&account.placement),
            None::<&Account>,
            Some(&created),
        ),
    )
    .await?;
    Ok(created)
}

/// Whether a password set by `acting` for account `owner` (`None`: one
/// being created) must be changed by its owner: yes when another account
/// set it; no when the owner did, or the system (the command line).
pub(crate) fn set_by_another(acting: &Acting, owner: Option<AccountId>) -> bool {
    acting.actor.is_some() && acting.actor != owner
}

pub(crate) async fn get(
    pool: &SqlitePool,
    id: AccountId,
) -> Result<Option<Account>, WorkflowError> {
    let mut conn = pool.acquire().await.map_err(db)?;
    fetch(&mut conn, id).await
}

pub(crate) async fn for_login(
    pool: &SqlitePool,
    username: &Username,
) -> Result<Option<(Account, String)>, WorkflowError> {
    let row = sqlx::query(&format!(
        "SELECT {ACCOUNT_COLUMNS}, password_hash FROM wf_accounts WHERE username = ?"
    ))
    .bind(username.as_str())
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.map(|row| Ok((decode(&row)?, cell(&row, "password_hash")?)))
        .transpose()
}

pub(crate) async fn list(
    pool: &SqlitePool,
    scope: &Scope,
    page: Page,
) -> Result<Paged<Account>, WorkflowError> {
    let (condition, value) = scope_condition(scope, "a");
    let (limit, offset) = page_limit(page);
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM wf_accounts a WHERE {condition}"
    ))
    .bind(&value)
    .fetch_one(pool)
    .await
    .map_err(db)?;
    let rows = sqlx::query(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM wf_accounts a WHERE {condition} ORDER BY id LIMIT ? OFFSET ?"
    ))
    .bind(&value)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(Paged {
        items: rows.iter().map(decode).collect::<Result<_, _>>()?,
        total: total as u64,
    })
}

pub(crate) async fn any(pool: &SqlitePool) -> Result<bool, WorkflowError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM wf_accounts LIMIT 1")
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    Ok(found.is_some())
}

/// The version a row is at, for telling a conflict from a missing row.
pub(crate) async fn version_of(
    conn: &mut SqliteConnection,
    table: &str,
    id: i64,
) -> Result<i64, WorkflowError> {
    sqlx::query_scalar::<_, i64>(&format!("SELECT version FROM {table} WHERE id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(db)?
        .ok_or(WorkflowError::NotFound)
}

pub(crate) async fn update(
    conn: &mut SqliteConnection,
    id: AccountId,
    expected_version: i64,
    change: &AccountChange,
    acting: &Acting,
) -> Result<Account, WorkflowError> {
    let before = fetch(conn, id).await?.ok_or(WorkflowError::NotFound)?;
    let at = text_instant(acting.at);
    let updated = sqlx::query(
        "UPDATE wf_accounts SET display_name = COALESCE(?, display_name), \
         disabled = COALESCE(?, disabled), password_hash = COALESCE(?, password_hash), \
         must_change_password = COALESCE(?, must_change_password), \
         updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
    )
    .bind(&change.display_name)
    .bind(change.disabled)
    .bind(&change.password_hash)
    .bind(
        change
            .password_hash
            .as_ref()
            .map(|_| set_by_another(acting, Some(id))),
    )
    .bind(&at)
    .bind(id.0)
    .bind(expected_version)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    if updated.rows_affected() == 0 {
        return Err(WorkflowError::VersionConflict {
            expected: expected_version,
            actual: version_of(conn, "wf_accounts", id.0).await?,
        });
    }
    // A disabled account, or one whose password changed, keeps no way in.
    if change.disabled == Some(true) || change.password_hash.is_some() {
        sqlx::query(
            "UPDATE wf_credentials SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
        )
        .bind(&at)
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    let after = fetch(conn, id).await?.ok_or(WorkflowError::NotFound)?;
    let action = match (change.password_hash.is_some(), change.disabled) {
        (true, _) => "account.password",
        (false, Some(true)) => "account.disable",
        (false, Some(false)) => "account.enable",
        (false, None) => "account.update",
    };
    let jurisdiction = filed(conn, id).await?;
    append(
        conn,
        record(
            acting,
            action,
            format!("account:{id}"),
            jurisdiction,
            Some(&before),
            Some(&after),
        ),
    )
    .await?;
    Ok(after)
}

fn kind_text(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::Session => "session",
        CredentialKind::ApiToken => "api_token",
    }
}

const CREDENTIAL_COLUMNS: &str =
    "c.id, c.kind, c.account_id, c.csrf_hash, c.name, c.created_at, c.expires_at, c.revoked_at";

fn decode_credential(row: &SqliteRow) -> Result<Credential, WorkflowError> {
    let kind: String = cell(row, "kind")?;
    Ok(Credential {
        id: cell(row, "id")?,
        kind: match kind.as_str() {
            "session" => CredentialKind::Session,
            "api_token" => CredentialKind::ApiToken,
            _ => return Err(corrupt("credential kind", &kind)),
        },
        account: get_account(row, "account_id")?,
        csrf_hash: cell(row, "csrf_hash")?,
        name: cell(row, "name")?,
        created_at: get_instant(row, "created_at")?,
        expires_at: get_instant(row, "expires_at")?,
        revoked_at: get_opt_instant(row, "revoked_at")?,
    })
}

pub(crate) async fn create_credential(
    pool: &SqlitePool,
    credential: &NewCredential,
) -> Result<Credential, WorkflowError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO wf_credentials (kind, account_id, secret_hash, csrf_hash, name, \
         created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(kind_text(credential.kind))
    .bind(credential.account.0)
    .bind(&credential.secret_hash)
    .bind(&credential.csrf_hash)
    .bind(&credential.name)
    .bind(text_instant(credential.created_at))
    .bind(text_instant(credential.expires_at))
    .fetch_one(pool)
    .await
    .map_err(unique("credential secret collision"))?;
    let row = sqlx::query(&format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM wf_credentials c WHERE c.id = ?"
    ))
    .bind(id)
    .fetch_one(pool)
    .await
    .map_err(db)?;
    decode_credential(&row)
}

pub(crate) async fn credential(
    pool: &SqlitePool,
    secret_hash: &str,
) -> Result<Option<(Credential, Account)>, WorkflowError> {
    let mut conn = pool.acquire().await.map_err(db)?;
    let row = sqlx::query(&format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM wf_credentials c WHERE c.secret_hash = ?"
    ))
    .bind(secret_hash)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    let Some(row) = row else { return Ok(None) };
    let credential = decode_credential(&row)?;
    let account = fetch(&mut conn, credential.account)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    Ok(Some((credential, account)))
}

pub(crate) async fn api_tokens(
    pool: &SqlitePool,
    account: AccountId,
    now: Timestamp,
) -> Result<Vec<Credential>, WorkflowError> {
    let rows = sqlx::query(&format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM wf_credentials c WHERE c.account_id = ? \
         AND c.kind = 'api_token' AND c.revoked_at IS NULL AND c.expires_at > ? ORDER BY c.id"
    ))
    .bind(account.0)
    .bind(text_instant(now))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(decode_credential).collect()
}

pub(crate) async fn revoke_credential(
    pool: &SqlitePool,
    account: AccountId,
    id: i64,
    at: Timestamp,
) -> Result<bool, WorkflowError> {
    let done = sqlx::query(
        "UPDATE wf_credentials SET revoked_at = ? WHERE id = ? AND account_id = ? \
         AND revoked_at IS NULL",
    )
    .bind(text_instant(at))
    .bind(id)
    .bind(account.0)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn purge_credentials(
    pool: &SqlitePool,
    before: Timestamp,
) -> Result<u64, WorkflowError> {
    let done = sqlx::query("DELETE FROM wf_credentials WHERE expires_at < ?")
        .bind(text_instant(before))
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(done.rows_affected())
}

pub(crate) async fn login_failures(
    pool: &SqlitePool,
    key: &str,
    since: Timestamp,
) -> Result<u32, WorkflowError> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM wf_login_failures WHERE key = ? AND at >= ?")
            .bind(key)
            .bind(text_instant(since))
            .fetch_one(pool)
            .await
            .map_err(db)?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

pub(crate) async fn record_login_failure(
    pool: &SqlitePool,
    keys: &[String],
    at: Timestamp,
) -> Result<(), WorkflowError> {
    let at = text_instant(at);
    let mut tx = pool.begin().await.map_err(db)?;
    for key in keys {
        sqlx::query("INSERT INTO wf_login_failures (key, at) VALUES (?, ?)")
            .bind(key)
            .bind(&at)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

pub(crate) async fn clear_login_failures(
    pool: &SqlitePool,
    key: &str,
) -> Result<(), WorkflowError> {
    sqlx::query("DELETE FROM wf_login_failures WHERE key = ?")
        .bind(key)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

// ---- sign-in attempts (issue 20): counted before the password check.

/// See [`hatchery_store::workflow::WorkflowStore::login_attempt`]; runs
/// inside the caller's write transaction (the writer turn serialises it).
pub(crate) async fn login_attempt(
    conn: &mut SqliteConnection,
    attempt: &LoginAttempt<'_>,
    admit: &AdmitAttempt<'_>,
) -> Result<(bool, Vec<AttemptTally>), WorkflowError> {
    sqlx::query("DELETE FROM wf_login_failures WHERE at < ?")
        .bind(text_instant(attempt.since))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    let mut tallies = Vec::with_capacity(attempt.keys.len());
    for key in attempt.keys {
        let row = sqlx::query(
            "SELECT COUNT(*) AS attempts, MAX(at) AS latest FROM wf_login_failures \
             WHERE key = ? AND at >= ?",
        )
        .bind(key)
        .bind(text_instant(attempt.since))
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
        tallies.push(AttemptTally {
            attempts: u32::try_from(cell::<i64>(&row, "attempts")?).unwrap_or(u32::MAX),
            latest: get_opt_instant(&row, "latest")?,
        });
    }
    if !admit(&tallies) {
        return Ok((false, tallies));
    }
    let at = text_instant(attempt.at);
    for key in attempt.keys {
        sqlx::query("INSERT INTO wf_login_failures (key, at, attempt) VALUES (?, ?, ?)")
            .bind(key)
            .bind(&at)
            .bind(attempt.ticket)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    Ok((true, tallies))
}

/// See [`hatchery_store::workflow::WorkflowStore::forget_login_attempt`].
pub(crate) async fn forget_login_attempt(
    pool: &SqlitePool,
    ticket: &str,
) -> Result<(), WorkflowError> {
    sqlx::query("DELETE FROM wf_login_failures WHERE attempt = ?")
        .bind(ticket)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn claim_key(
    pool: &SqlitePool,
    account: AccountId,
    key: &str,
    fingerprint: &str,
    now: Timestamp,
) -> Result<IdempotencyClaim, WorkflowError> {
    // The insert is the claim: of two requests racing with one key, the
    // primary key lets exactly one in.
    let inserted = sqlx::query(
        "INSERT INTO wf_idempotency (account_id, key, fingerprint, created_at) \
         VALUES (?, ?, ?, ?) ON CONFLICT (account_id, key) DO NOTHING",
    )
    .bind(account.0)
    .bind(key)
    .bind(fingerprint)
    .bind(text_instant(now))
    .execute(pool)
    .await
    .map_err(db)?;
    if inserted.rows_affected() == 1 {
        return Ok(IdempotencyClaim::Claimed);
    }
    let row = sqlx::query(
        "SELECT fingerprint, status, content_type, body FROM wf_idempotency \
         WHERE account_id = ? AND key = ?",
    )
    .bind(account.0)
    .bind(key)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    let Some(row) = row else {
        // Released between the insert and the read: the caller may retry.
        return Ok(IdempotencyClaim::InProgress);
    };
    if cell::<String>(&row, "fingerprint")? != fingerprint {
        return Ok(IdempotencyClaim::Mismatch);
    }
    match cell::<Option<i64>>(&row, "status")? {
        None => Ok(IdempotencyClaim::InProgress),
        Some(status) => Ok(IdempotencyClaim::Replay(StoredResponse {
            status: u16::try_from(status).map_err(|_| corrupt("status", &status.to_string()))?,
            content_type: cell(&row, "content_type")?,
            body: cell::<Option<Vec<u8>>>(&row, "body")?.unwrap_or_default(),
        })),
    }
}

pub(crate) async fn complete_key(
    pool: &SqlitePool,
    account: AccountId,
    key: &str,
    response: &StoredResponse,
) -> Result<(), WorkflowError> {
    sqlx::query(
        "UPDATE wf_idempotency SET status = ?, content_type = ?, body = ? \
         WHERE account_id = ? AND key = ?",
    )
    .bind(i64::from(response.status))
    .bind(&response.content_type)
    .bind(&response.body)
    .bind(account.0)
    .bind(key)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn release_key(
    pool: &SqlitePool,
    account: AccountId,
    key: &str,
) -> Result<(), WorkflowError> {
    sqlx::query("DELETE FROM wf_idempotency WHERE account_id = ? AND key = ? AND status IS NULL")
        .bind(account.0)
        .bind(key)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn purge_keys(pool: &SqlitePool, before: Timestamp) -> Result<u64, WorkflowError> {
    let done = sqlx::query("DELETE FROM wf_idempotency WHERE created_at < ?")
        .bind(text_instant(before))
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(done.rows_affected())
}
