//! Accounts, their credentials, login throttling and idempotency keys.

use hatchery_core::workflow::{AccountId, Role, Scope, Username};
use hatchery_store::workflow::{
    Account, AccountChange, Acting, AdmitAttempt, AttemptTally, Credential, CredentialKind,
    IdempotencyClaim, LoginAttempt, NewAccount, NewCredential, Page, Paged, StoredResponse,
    WorkflowError,
};
use jiff::Timestamp;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool};

use super::audit::append;
use super::codec::{
    Instant, cell, corrupt, db, filed_under, get_account, get_instant, get_jurisdiction,
    get_opt_instant, get_placement, placement_cells, record, unique, unsigned,
};
use super::{page_limit, scope_condition};

const ACCOUNT_COLUMNS: &str = "id, username, display_name, role, jurisdiction, enterprise, \
     province, city, district, zone, disabled, must_change_password, created_at, updated_at, \
     version";

fn decode(row: &PgRow) -> Result<Account, WorkflowError> {
    let username: &str = cell(row, "username")?;
    let role: &str = cell(row, "role")?;
    Ok(Account {
        id: get_account(row, "id")?,
        username: Username::parse(username).map_err(|_| corrupt("username", username))?,
        display_name: cell(row, "display_name")?,
        role: Role::parse(role).ok_or_else(|| corrupt("role", role))?,
        jurisdiction: get_jurisdiction(row, "jurisdiction")?,
        enterprise: cell::<Option<&str>>(row, "enterprise")?
            .map(|e| hatchery_core::EnterpriseId::parse(e).map_err(|_| corrupt("enterprise id", e)))
            .transpose()?,
        disabled: cell(row, "disabled")?,
        must_change_password: cell(row, "must_change_password")?,
        created_at: get_instant(row, "created_at")?,
        updated_at: get_instant(row, "updated_at")?,
        version: cell(row, "version")?,
    })
}

pub(crate) async fn fetch(
    conn: &mut PgConnection,
    id: AccountId,
) -> Result<Option<Account>, WorkflowError> {
    sqlx::query(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM wf_accounts WHERE id = $1"
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
async fn filed(conn: &mut PgConnection, id: AccountId) -> Result<String, WorkflowError> {
    let row = sqlx::query("SELECT province, city, district, zone FROM wf_accounts WHERE id = $1")
        .bind(id.0)
        .fetch_one(conn)
        .await
        .map_err(db)?;
    Ok(filed_under(&get_placement(&row)?))
}

pub(crate) async fn create(
    conn: &mut PgConnection,
    account: &NewAccount,
    acting: &Acting,
) -> Result<Account, WorkflowError> {
    let at = Instant(acting.at);
    let [province, city, district, zone] = placement_cells(&account.placement);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO wf_accounts (username, display_name, role, jurisdiction, enterprise, \
         province, city, district, zone, password_hash, disabled, created_at, updated_at, version, \
         must_change_password) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, FALSE, $11, $11, 1, $12) RETURNING id",
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
    .bind(at)
    .bind(set_by_another(acting, None))
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

pub(crate) async fn for_login(
    pool: &PgPool,
    username: &Username,
) -> Result<Option<(Account, String)>, WorkflowError> {
    let row = sqlx::query(&format!(
        "SELECT {ACCOUNT_COLUMNS}, password_hash FROM wf_accounts WHERE username = $1"
    ))
    .bind(username.as_str())
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.map(|row| Ok((decode(&row)?, cell(&row, "password_hash")?)))
        .transpose()
}

pub(crate) async fn list(
    pool: &PgPool,
    scope: &Scope,
    page: Page,
) -> Result<Paged<Account>, WorkflowError> {
    let (condition, value) = scope_condition(scope, "a", 1);
    let (limit, offset) = page_limit(page);
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM wf_accounts a WHERE {condition}"
    ))
    .bind(&value)
    .fetch_one(pool)
    .await
    .map_err(db)?;
    let rows = sqlx::query(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM wf_accounts a WHERE {condition} \
         ORDER BY id LIMIT $2 OFFSET $3"
    ))
    .bind(&value)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(Paged {
        items: rows.iter().map(decode).collect::<Result<_, _>>()?,
        total: unsigned("account count", total)?,
    })
}

pub(crate) async fn any(pool: &PgPool) -> Result<bool, WorkflowError> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM wf_accounts)")
        .fetch_one(pool)
        .await
        .map_err(db)
}

/// The version a row is at, for telling a conflict from a missing row.
/// `table` is one of ours, never input.
pub(crate) async fn version_of(
    conn: &mut PgConnection,
    table: &'static str,
    id: i64,
) -> Result<i64, WorkflowError> {
    sqlx::query_scalar::<_, i64>(&format!("SELECT version FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(db)?
        .ok_or(WorkflowError::NotFound)
}

pub(crate) async fn update(
    conn: &mut PgConnection,
    id: AccountId,
    expected_version: i64,
    change: &AccountChange,
    acting: &Acting,
) -> Result<Account, WorkflowError> {
    let before = fetch(conn, id).await?.ok_or(WorkflowError::NotFound)?;
    let at = Instant(acting.at);
    let updated = sqlx::query(
        "UPDATE wf_accounts SET display_name = COALESCE($1, display_name), \
         disabled = COALESCE($2, disabled), password_hash = COALESCE($3, password_hash), \
         updated_at = $4, version = version + 1, \
         must_change_password = COALESCE($7, must_change_password) \
         WHERE id = $5 AND version = $6",
    )
    .bind(&change.display_name)
    .bind(change.disabled)
    .bind(&change.password_hash)
    .bind(at)
    .bind(id.0)
    .bind(expected_version)
    .bind(
        change
            .password_hash
            .as_ref()
            .map(|_| set_by_another(acting, Some(id))),
    )
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
            "UPDATE wf_credentials SET revoked_at = $1 \
             WHERE account_id = $2 AND revoked_at IS NULL",
        )
        .bind(at)
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

fn decode_credential(row: &PgRow) -> Result<Credential, WorkflowError> {
    let kind: &str = cell(row, "kind")?;
    Ok(Credential {
        id: cell(row, "id")?,
        kind: match kind {
            "session" => CredentialKind::Session,
            "api_token" => CredentialKind::ApiToken,
            _ => return Err(corrupt("credential kind", kind)),
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
    pool: &PgPool,
    credential: &NewCredential,
) -> Result<Credential, WorkflowError> {
    // One statement, so the row read back is the row written.
    let row = sqlx::query(&format!(
        "WITH c AS (INSERT INTO wf_credentials (kind, account_id, secret_hash, csrf_hash, name, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *) \
         SELECT {CREDENTIAL_COLUMNS} FROM c"
    ))
    .bind(kind_text(credential.kind))
    .bind(credential.account.0)
    .bind(&credential.secret_hash)
    .bind(&credential.csrf_hash)
    .bind(&credential.name)
    .bind(Instant(credential.created_at))
    .bind(Instant(credential.expires_at))
    .fetch_one(pool)
    .await
    .map_err(unique("credential secret collision"))?;
    decode_credential(&row)
}

pub(crate) async fn credential(
    pool: &PgPool,
    secret_hash: &str,
) -> Result<Option<(Credential, Account)>, WorkflowError> {
    let mut conn = pool.acquire().await.map_err(db)?;
    let row = sqlx::query(&format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM wf_credentials c WHERE c.secret_hash = $1"
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
    pool: &PgPool,
    account: AccountId,
    now: Timestamp,
) -> Result<Vec<Credential>, WorkflowError> {
    let rows = sqlx::query(&format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM wf_credentials c WHERE c.account_id = $1 \
         AND c.kind = 'api_token' AND c.revoked_at IS NULL AND c.expires_at > $2 ORDER BY c.id"
    ))
    .bind(account.0)
    .bind(Instant(now))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(decode_credential).collect()
}

pub(crate) async fn revoke_credential(
    pool: &PgPool,
    account: AccountId,
    id: i64,
    at: Timestamp,
) -> Result<bool, WorkflowError> {
    let done = sqlx::query(
        "UPDATE wf_credentials SET revoked_at = $1 WHERE id = $2 AND account_id = $3 \
         AND revoked_at IS NULL",
    )
    .bind(Instant(at))
    .bind(id)
    .bind(account.0)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn purge_credentials(
    pool: &PgPool,
    before: Timestamp,
) -> Result<u64, WorkflowError> {
    let done = sqlx::query("DELETE FROM wf_credentials WHERE expires_at < $1")
        .bind(Instant(before))
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(done.rows_affected())
}

pub(crate) async fn login_failures(
    pool: &PgPool,
    key: &str,
    since: Timestamp,
) -> Result<u32, WorkflowError> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM wf_login_failures WHERE key = $1 AND at >= $2")
            .bind(key)
            .bind(Instant(since))
            .fetch_one(pool)
            .await
            .map_err(db)?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

pub(crate) async fn record_login_failure(
    pool: &PgPool,
    keys: &[String],
    at: Timestamp,
) -> Result<(), WorkflowError> {
    // One row per key, in one statement: the counters of every process add up.
    sqlx::query("INSERT INTO wf_login_failures (key, at) SELECT unnest($1::text[]), $2")
        .bind(keys)
        .bind(Instant(at))
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn clear_login_failures(pool: &PgPool, key: &str) -> Result<(), WorkflowError> {
    sqlx::query("DELETE FROM wf_login_failures WHERE key = $1")
        .bind(key)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

// ---- sign-in attempts (issue 20): counted before the password check.

/// The advisory lock of whoever purges old sign-in attempts ("hatchery"
/// "login" "purge" in ASCII, apart from the hashed keys of `lock_named`).
const PURGE_LOCK: i64 = 0x6861_7463_6c67_7075;

/// See [`hatchery_store::workflow::WorkflowStore::login_attempt`]; runs
/// inside the caller's write transaction. Each key's advisory lock (taken
/// in sorted order, so two attempts never wait on each other crosswise)
/// serialises the attempts under it across processes.
pub(crate) async fn login_attempt(
    conn: &mut PgConnection,
    attempt: &LoginAttempt<'_>,
    admit: &AdmitAttempt<'_>,
) -> Result<(bool, Vec<AttemptTally>), WorkflowError> {
    let mut locks: Vec<&String> = attempt.keys.iter().collect();
    locks.sort();
    locks.dedup();
    for key in locks {
        super::lock_named(conn, &format!("login:{key}")).await?;
    }
    // One purger at a time, and none waits for it: two transactions deleting
    // the same old rows in different orders could deadlock.
    let purger: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(PURGE_LOCK)
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    if purger {
        sqlx::query("DELETE FROM wf_login_failures WHERE at < $1")
            .bind(Instant(attempt.since))
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    let mut tallies = Vec::with_capacity(attempt.keys.len());
    for key in attempt.keys {
        let row = sqlx::query(
            "SELECT COUNT(*) AS attempts, MAX(at) AS latest FROM wf_login_failures \
             WHERE key = $1 AND at >= $2",
        )
        .bind(key)
        .bind(Instant(attempt.since))
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
    sqlx::query(
        "INSERT INTO wf_login_failures (key, at, attempt) SELECT unnest($1::text[]), $2, $3",
    )
    .bind(attempt.keys)
    .bind(Instant(attempt.at))
    .bind(attempt.ticket)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok((true, tallies))
}

/// See [`hatchery_store::workflow::WorkflowStore::forget_login_attempt`].
pub(crate) async fn forget_login_attempt(pool: &PgPool, ticket: &str) -> Result<(), WorkflowError> {
    sqlx::query("DELETE FROM wf_login_failures WHERE attempt = $1")
        .bind(ticket)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn claim_key(
    pool: &PgPool,
    account: AccountId,
    key: &str,
    fingerprint: &str,
    now: Timestamp,
) -> Result<IdempotencyClaim, WorkflowError> {
    // The insert is the claim: of two requests racing with one key, from
    // any processes, the primary key lets exactly one in (the other waits
    // for it to commit, then finds the conflict).
    let inserted = sqlx::query(
        "INSERT INTO wf_idempotency (account_id, key, fingerprint, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, key) DO NOTHING",
    )
    .bind(account.0)
    .bind(key)
    .bind(fingerprint)
    .bind(Instant(now))
    .execute(pool)
    .await
    .map_err(db)?;
    if inserted.rows_affected() == 1 {
        return Ok(IdempotencyClaim::Claimed);
    }
    let row = sqlx::query(
        "SELECT fingerprint, status, content_type, body FROM wf_idempotency \
         WHERE account_id = $1 AND key = $2",
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
    if cell::<&str>(&row, "fingerprint")? != fingerprint {
        return Ok(IdempotencyClaim::Mismatch);
    }
    match cell::<Option<i32>>(&row, "status")? {
        None => Ok(IdempotencyClaim::InProgress),
        Some(status) => Ok(IdempotencyClaim::Replay(StoredResponse {
            status: u16::try_from(status).map_err(|_| corrupt("status", &status.to_string()))?,
            content_type: cell(&row, "content_type")?,
            body: cell::<Option<Vec<u8>>>(&row, "body")?.unwrap_or_default(),
        })),
    }
}

pub(crate) async fn complete_key(
    pool: &PgPool,
    account: AccountId,
    key: &str,
    response: &StoredResponse,
) -> Result<(), WorkflowError> {
    sqlx::query(
        "UPDATE wf_idempotency SET status = $1, content_type = $2, body = $3 \
         WHERE account_id = $4 AND key = $5",
    )
    .bind(i32::from(response.status))
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
    pool: &PgPool,
    account: AccountId,
    key: &str,
) -> Result<(), WorkflowError> {
    sqlx::query("DELETE FROM wf_idempotency WHERE account_id = $1 AND key = $2 AND status IS NULL")
        .bind(account.0)
        .bind(key)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn purge_keys(pool: &PgPool, before: Timestamp) -> Result<u64, WorkflowError> {
    let done = sqlx::query("DELETE FROM wf_idempotency WHERE created_at < $1")
        .bind(Instant(before))
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(done.rows_affected())
}
