//! Accounts, their credentials, login throttling and idempotency keys.

use hatchery_core::EnterpriseId;
use hatchery_core::workflow::{AccountId, CredentialId, Language, Role, Scope, Username};
use jiff::Timestamp;

use super::audit::append;
use super::codec::{
    conflict, corrupt, count, filed_under, get_account, get_jurisdiction, get_key, get_opt_parsed,
    get_parsed, get_placement, page_limit, placement_values, record, scope_condition, unique,
};
use crate::binds;
use crate::workflow::engine::{Lock, Row, Session, Value};
use crate::workflow::{
    Account, AccountChange, Acting, AdmitAttempt, AttemptTally, Credential, CredentialKind,
    IdempotencyClaim, LoginAttempt, NewAccount, NewCredential, Page, Paged, StoredResponse,
    WorkflowError,
};

const ACCOUNT_COLUMNS: &str = "id, username, display_name, role, jurisdiction, enterprise, \
     province, city, district, zone, disabled, must_change_password, language, created_at, \
     updated_at, version";

fn decode(row: &impl Row) -> Result<Account, WorkflowError> {
    Ok(Account {
        id: get_account(row, "id")?,
        username: get_parsed(row, "username", "username", Username::parse)?,
        display_name: row.get("display_name")?,
        role: get_key(row, "role", "role", Role::parse)?,
        jurisdiction: get_jurisdiction(row, "jurisdiction")?,
        enterprise: get_opt_parsed(row, "enterprise", "enterprise id", EnterpriseId::parse)?,
        disabled: row.get("disabled")?,
        must_change_password: row.get("must_change_password")?,
        language: get_opt_parsed(row, "language", "language", |tag| {
            Language::parse(tag).ok_or(())
        })?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

#[tracing::instrument(skip_all, fields(id = id.0))]
pub(crate) async fn get(
    s: &mut impl Session,
    id: AccountId,
) -> Result<Option<Account>, WorkflowError> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM wf_accounts WHERE id = $1");
    s.fetch_optional(&sql, binds![id.0])
        .await?
        .as_ref()
        .map(decode)
        .transpose()
}

async fn must_get(s: &mut impl Session, id: AccountId) -> Result<Account, WorkflowError> {
    get(s, id).await?.ok_or(WorkflowError::NotFound)
}

/// The jurisdiction an account's audit entries are filed under.
async fn filed(s: &mut impl Session, id: AccountId) -> Result<String, WorkflowError> {
    let row = s
        .fetch_optional(
            "SELECT province, city, district, zone FROM wf_accounts WHERE id = $1",
            binds![id.0],
        )
        .await?
        .ok_or(WorkflowError::NotFound)?;
    Ok(filed_under(&get_placement(&row)?))
}

#[tracing::instrument(skip_all, fields(username = account.username.as_str()))]
pub(crate) async fn create(
    s: &mut impl Session,
    account: &NewAccount,
    acting: &Acting,
) -> Result<Account, WorkflowError> {
    let [province, city, district, zone] = placement_values(&account.placement);
    let binds = [
        account.username.as_str().into(),
        Value::from(&account.display_name),
        account.role.as_str().into(),
        account.jurisdiction.to_string().into(),
        account.enterprise.as_ref().map(|e| e.as_str()).into(),
        province,
        city,
        district,
        zone,
        (&account.password_hash).into(),
        acting.at.into(),
        account.must_change_password.into(),
    ];
    let row = s
        .fetch_optional(
            "INSERT INTO wf_accounts (username, display_name, role, jurisdiction, enterprise, \
             province, city, district, zone, password_hash, disabled, must_change_password, \
             created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, FALSE, $12, $11, $11, 1) \
             RETURNING id",
            &binds,
        )
        .await
        .map_err(unique("that username is taken"))?
        .ok_or(WorkflowError::NotFound)?;
    let id = AccountId(row.get("id")?);
    let created = must_get(s, id).await?;
    append(
        s,
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

/// Whether a password set by `acting` for account `owner` must be changed
/// by its owner: yes when another account set it; no when the owner did, or
/// the system. (A new account's says so itself: `must_change_password`.)
fn set_by_another(acting: &Acting, owner: AccountId) -> bool {
    acting.actor.is_some() && acting.actor != Some(owner)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn for_login(
    s: &mut impl Session,
    username: &Username,
) -> Result<Option<(Account, String)>, WorkflowError> {
    let sql =
        format!("SELECT {ACCOUNT_COLUMNS}, password_hash FROM wf_accounts WHERE username = $1");
    match s.fetch_optional(&sql, binds![username.as_str()]).await? {
        Some(row) => Ok(Some((decode(&row)?, row.get("password_hash")?))),
        None => Ok(None),
    }
}

#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    s: &mut impl Session,
    scope: &Scope,
    page: Page,
) -> Result<Paged<Account>, WorkflowError> {
    let (condition, value) = scope_condition(scope, "a", 1);
    let [limit, offset] = page_limit(page);
    let binds = [value, limit, offset];
    let total = count(
        s,
        &format!("SELECT COUNT(*) AS n FROM wf_accounts a WHERE {condition}"),
        &binds[..1],
    )
    .await?;
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM wf_accounts a WHERE {condition} \
         ORDER BY id LIMIT $2 OFFSET $3"
    );
    let rows = s.fetch_all(&sql, &binds).await?;
    Ok(Paged {
        items: rows.iter().map(decode).collect::<Result<_, _>>()?,
        total,
    })
}

#[tracing::instrument(skip_all)]
pub(crate) async fn any(s: &mut impl Session) -> Result<bool, WorkflowError> {
    let found = s
        .fetch_optional("SELECT id FROM wf_accounts LIMIT 1", &[])
        .await?;
    Ok(found.is_some())
}

#[tracing::instrument(skip_all, fields(id = id.0, expected_version))]
pub(crate) async fn update(
    s: &mut impl Session,
    id: AccountId,
    expected_version: i64,
    change: &AccountChange,
    acting: &Acting,
) -> Result<Account, WorkflowError> {
    let before = must_get(s, id).await?;
    let updated = s
        .execute(
            "UPDATE wf_accounts SET display_name = COALESCE($1, display_name), \
             disabled = COALESCE($2, disabled), password_hash = COALESCE($3, password_hash), \
             must_change_password = COALESCE($7, must_change_password), \
             language = CASE WHEN $8 THEN $9 ELSE language END, \
             updated_at = $4, version = version + 1 WHERE id = $5 AND version = $6",
            binds![
                &change.display_name,
                change.disabled,
                &change.password_hash,
                acting.at,
                id.0,
                expected_version,
                change
                    .password_hash
                    .as_ref()
                    .map(|_| set_by_another(acting, id)),
                change.language.is_some(),
                change.language.flatten().map(Language::tag),
            ],
        )
        .await?;
    if updated == 0 {
        return Err(conflict(s, "wf_accounts", id.0, expected_version).await);
    }
    // A disabled account, or one whose password changed, keeps no way in.
    if change.disabled == Some(true) || change.password_hash.is_some() {
        s.execute(
            "UPDATE wf_credentials SET revoked_at = $1 \
             WHERE account_id = $2 AND revoked_at IS NULL",
            binds![acting.at, id.0],
        )
        .await?;
    }
    let after = must_get(s, id).await?;
    let only_language = change.language.is_some()
        && change.display_name.is_none()
        && change.disabled.is_none()
        && change.password_hash.is_none();
    let action = match (change.password_hash.is_some(), change.disabled) {
        (true, _) => "account.password",
        (false, Some(true)) => "account.disable",
        (false, Some(false)) => "account.enable",
        (false, None) if only_language => "account.language",
        (false, None) => "account.update",
    };
    let jurisdiction = filed(s, id).await?;
    append(
        s,
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

fn kind_of(text: &str) -> Option<CredentialKind> {
    match text {
        "session" => Some(CredentialKind::Session),
        "api_token" => Some(CredentialKind::ApiToken),
        _ => None,
    }
}

const CREDENTIAL_COLUMNS: &str =
    "id, kind, account_id, csrf_hash, name, created_at, expires_at, revoked_at";

fn decode_credential(row: &impl Row) -> Result<Credential, WorkflowError> {
    Ok(Credential {
        id: CredentialId(row.get("id")?),
        kind: get_key(row, "kind", "credential kind", kind_of)?,
        account: get_account(row, "account_id")?,
        csrf_hash: row.get("csrf_hash")?,
        name: row.get("name")?,
        created_at: row.get("created_at")?,
        expires_at: row.get("expires_at")?,
        revoked_at: row.get("revoked_at")?,
    })
}

#[tracing::instrument(skip_all, fields(account = credential.account.0))]
pub(crate) async fn create_credential(
    s: &mut impl Session,
    credential: &NewCredential,
) -> Result<Credential, WorkflowError> {
    // One statement, so the row read back is the row written.
    let sql = format!(
        "INSERT INTO wf_credentials (kind, account_id, secret_hash, csrf_hash, name, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         RETURNING {CREDENTIAL_COLUMNS}"
    );
    let row = s
        .fetch_optional(
            &sql,
            binds![
                kind_text(credential.kind),
                credential.account.0,
                &credential.secret_hash,
                &credential.csrf_hash,
                &credential.name,
                credential.created_at,
                credential.expires_at,
            ],
        )
        .await
        .map_err(unique("credential secret collision"))?
        .ok_or(WorkflowError::NotFound)?;
    decode_credential(&row)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn credential(
    s: &mut impl Session,
    secret_hash: &str,
) -> Result<Option<(Credential, Account)>, WorkflowError> {
    let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM wf_credentials WHERE secret_hash = $1");
    let Some(row) = s.fetch_optional(&sql, binds![secret_hash]).await? else {
        return Ok(None);
    };
    let credential = decode_credential(&row)?;
    let account = must_get(s, credential.account).await?;
    Ok(Some((credential, account)))
}

#[tracing::instrument(skip_all, fields(account = account.0))]
pub(crate) async fn api_tokens(
    s: &mut impl Session,
    account: AccountId,
    now: Timestamp,
) -> Result<Vec<Credential>, WorkflowError> {
    let sql = format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM wf_credentials WHERE account_id = $1 \
         AND kind = 'api_token' AND revoked_at IS NULL AND expires_at > $2 ORDER BY id"
    );
    s.fetch_all(&sql, binds![account.0, now])
        .await?
        .iter()
        .map(decode_credential)
        .collect()
}

#[tracing::instrument(skip_all, fields(account = account.0, id))]
pub(crate) async fn revoke_credential(
    s: &mut impl Session,
    account: AccountId,
    id: CredentialId,
    at: Timestamp,
) -> Result<bool, WorkflowError> {
    let done = s
        .execute(
            "UPDATE wf_credentials SET revoked_at = $1 WHERE id = $2 AND account_id = $3 \
             AND revoked_at IS NULL",
            binds![at, id.0, account.0],
        )
        .await?;
    Ok(done > 0)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn purge_credentials(
    s: &mut impl Session,
    before: Timestamp,
) -> Result<u64, WorkflowError> {
    Ok(s.execute(
        "DELETE FROM wf_credentials WHERE expires_at < $1",
        binds![before],
    )
    .await?)
}

/// The lock every counting of sign-in attempts takes last, after its keys'
/// (one order for all, so two attempts cannot deadlock), before it purges
/// the attempts that fell out of the window under any key.
const PURGE_LOCK: &str = "login-purge";

#[tracing::instrument(skip_all, fields(keys = attempt.keys.len()))]
pub(crate) async fn login_attempt(
    s: &mut impl Session,
    attempt: &LoginAttempt<'_>,
    admit: &AdmitAttempt<'_>,
) -> Result<(bool, Vec<AttemptTally>), WorkflowError> {
    // Each key's lock makes count-check-record one step per account and per
    // address, across processes; sorted, so that attempts sharing keys take
    // them in the same order.
    let mut names: Vec<String> = attempt.keys.iter().map(|k| format!("login:{k}")).collect();
    names.sort();
    names.dedup();
    for name in &names {
        s.lock(Lock::Named(name)).await?;
    }
    s.lock(Lock::Named(PURGE_LOCK)).await?;
    s.execute(
        "DELETE FROM wf_login_failures WHERE at < $1",
        binds![attempt.since],
    )
    .await?;
    let mut tallies = Vec::with_capacity(attempt.keys.len());
    for key in attempt.keys {
        let row = s
            .fetch_optional(
                "SELECT COUNT(*) AS attempts, MAX(at) AS latest FROM wf_login_failures \
                 WHERE key = $1 AND at >= $2",
                binds![key, attempt.since],
            )
            .await?
            .ok_or(WorkflowError::NotFound)?;
        let attempts: i64 = row.get("attempts")?;
        tallies.push(AttemptTally {
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            latest: row.get("latest")?,
        });
    }
    if !admit(&tallies) {
        return Ok((false, tallies));
    }
    for key in attempt.keys {
        s.execute(
            "INSERT INTO wf_login_failures (key, at, attempt) VALUES ($1, $2, $3)",
            binds![key, attempt.at, attempt.ticket],
        )
        .await?;
    }
    Ok((true, tallies))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn forget_login_attempt(
    s: &mut impl Session,
    ticket: &str,
) -> Result<(), WorkflowError> {
    s.execute(
        "DELETE FROM wf_login_failures WHERE attempt = $1",
        binds![ticket],
    )
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(account = account.0))]
pub(crate) async fn claim_key(
    s: &mut impl Session,
    account: AccountId,
    key: &str,
    fingerprint: &str,
    now: Timestamp,
) -> Result<IdempotencyClaim, WorkflowError> {
    // The insert is the claim: of two requests racing with one key, from
    // any processes, the primary key lets exactly one in (the other waits
    // for it to commit, then finds the conflict).
    let inserted = s
        .execute(
            "INSERT INTO wf_idempotency (account_id, key, fingerprint, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, key) DO NOTHING",
            binds![account.0, key, fingerprint, now],
        )
        .await?;
    if inserted == 1 {
        return Ok(IdempotencyClaim::Claimed);
    }
    let row = s
        .fetch_optional(
            "SELECT fingerprint, status, content_type, body FROM wf_idempotency \
             WHERE account_id = $1 AND key = $2",
            binds![account.0, key],
        )
        .await?;
    let Some(row) = row else {
        // Released between the insert and the read: the caller may retry.
        return Ok(IdempotencyClaim::InProgress);
    };
    if row.get::<String>("fingerprint")? != fingerprint {
        return Ok(IdempotencyClaim::Mismatch);
    }
    match row.get::<Option<i64>>("status")? {
        None => Ok(IdempotencyClaim::InProgress),
        Some(status) => Ok(IdempotencyClaim::Replay(StoredResponse {
            status: u16::try_from(status).map_err(|_| corrupt("status", &status.to_string()))?,
            content_type: row.get("content_type")?,
            body: row.get::<Option<Vec<u8>>>("body")?.unwrap_or_default(),
        })),
    }
}

#[tracing::instrument(skip_all, fields(account = account.0))]
pub(crate) async fn complete_key(
    s: &mut impl Session,
    account: AccountId,
    key: &str,
    response: &StoredResponse,
) -> Result<(), WorkflowError> {
    s.execute(
        "UPDATE wf_idempotency SET status = $1, content_type = $2, body = $3 \
         WHERE account_id = $4 AND key = $5",
        binds![
            i64::from(response.status),
            &response.content_type,
            &response.body,
            account.0,
            key,
        ],
    )
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(account = account.0))]
pub(crate) async fn release_key(
    s: &mut impl Session,
    account: AccountId,
    key: &str,
) -> Result<(), WorkflowError> {
    s.execute(
        "DELETE FROM wf_idempotency WHERE account_id = $1 AND key = $2 AND status IS NULL",
        binds![account.0, key],
    )
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub(crate) async fn purge_keys(
    s: &mut impl Session,
    before: Timestamp,
) -> Result<u64, WorkflowError> {
    Ok(s.execute(
        "DELETE FROM wf_idempotency WHERE created_at < $1",
        binds![before],
    )
    .await?)
}
