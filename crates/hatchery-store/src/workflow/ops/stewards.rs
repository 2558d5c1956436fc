//! Stewards' assignments (compare-and-set on the version to end one) and
//! the append-only contact log, each write audited. The rules that need
//! what is stored (a pool membership, no overlapping assignment of the
//! same person and role, a contact within its assignment's period, linked
//! requests and corrected records of the same enterprise) are checked here,
//! in the write's own transaction.

use hatchery_core::services::request::RequestId;
use hatchery_core::services::steward::{
    ContactChannel, ContactId, StewardId, StewardLevel, StewardRole, periods_overlap,
};
use jiff::civil::Date;

use super::audit::append;
use super::codec::{
    conflict, count, filed_under, get_account, get_enterprise, get_key, get_opt_account,
    get_placement, page_limit, placement_values, record, scope_condition, unique,
};
use crate::binds;
use crate::workflow::engine::{Lock, Row, Session, Value};
use crate::workflow::{
    Acting, ContactFilter, ContactRecord, NewContact, NewStewardAssignment, Paged,
    StewardAssignment, StewardFilter, WorkflowError,
};

fn refused(field: &'static str, problem: impl Into<String>) -> WorkflowError {
    WorkflowError::Refused {
        field,
        problem: problem.into(),
    }
}

fn decode(row: &impl Row) -> Result<StewardAssignment, WorkflowError> {
    Ok(StewardAssignment {
        id: StewardId(row.get("id")?),
        enterprise: get_enterprise(row, "enterprise")?,
        placement: get_placement(row)?,
        role: get_key(row, "role", "steward role", StewardRole::parse)?,
        level: get_key(row, "level", "steward level", StewardLevel::parse)?,
        department: row.get("department")?,
        name: row.get("name")?,
        phone: row.get("phone")?,
        email: row.get("email")?,
        account: get_opt_account(row, "account_id")?,
        person: row.get("person")?,
        starts_on: row.get("starts_on")?,
        ends_on: row.get("ends_on")?,
        created_by: get_account(row, "created_by")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

fn decode_contact(
    row: &impl Row,
    requests: Vec<RequestId>,
) -> Result<ContactRecord, WorkflowError> {
    Ok(ContactRecord {
        id: ContactId(row.get("id")?),
        steward: StewardId(row.get("steward_id")?),
        enterprise: get_enterprise(row, "enterprise")?,
        placement: get_placement(row)?,
        contacted_on: row.get("contacted_on")?,
        channel: get_key(row, "channel", "contact channel", ContactChannel::parse)?,
        topics: row.get("topics")?,
        requests,
        follow_up: row.get("follow_up")?,
        corrects: row.get::<Option<i64>>("corrects")?.map(ContactId),
        corrected_by: row.get::<Option<i64>>("corrected_by")?.map(ContactId),
        corrected_name: row.get("corrected_name")?,
        corrected_at: row.get("corrected_at")?,
        recorded_by: get_account(row, "recorded_by")?,
        recorded_name: row.get("recorded_name")?,
        recorded_at: row.get("recorded_at")?,
    })
}

#[tracing::instrument(skip_all, fields(id = id.0))]
pub(crate) async fn get(
    s: &mut impl Session,
    id: StewardId,
) -> Result<Option<StewardAssignment>, WorkflowError> {
    s.fetch_optional("SELECT * FROM svc_stewards WHERE id = $1", binds![id.0])
        .await?
        .as_ref()
        .map(decode)
        .transpose()
}

async fn must_get(s: &mut impl Session, id: StewardId) -> Result<StewardAssignment, WorkflowError> {
    get(s, id).await?.ok_or(WorkflowError::NotFound)
}

#[tracing::instrument(skip_all, fields(enterprise = new.enterprise.as_str()))]
pub(crate) async fn assign(
    s: &mut impl Session,
    new: &NewStewardAssignment,
    acting: &Acting,
) -> Result<StewardAssignment, WorkflowError> {
    let created_by = acting.actor.map(|a| a.0).ok_or_else(|| {
        WorkflowError::Corrupt("a steward is assigned only by a signed-in account".into())
    })?;
    // Two officials assigning at once take turns, so each sees the other's.
    let lock = format!("stewards:{}", new.enterprise);
    s.lock(Lock::Named(&lock)).await?;
    let members = count(
        s,
        "SELECT COUNT(*) AS n FROM wf_pool_members WHERE enterprise = $1 AND status = 'active'",
        binds![new.enterprise.as_str()],
    )
    .await?;
    if members == 0 {
        return Err(refused(
            "enterprise",
            "stewards are assigned to enterprises of the cultivation pool only",
        ));
    }
    let form = &new.form;
    let person = form.person();
    let others = s
        .fetch_all(
            "SELECT * FROM svc_stewards WHERE enterprise = $1 AND role = $2 AND person = $3",
            binds![new.enterprise.as_str(), form.role.as_str(), person.as_str()],
        )
        .await?;
    for other in others.iter().map(decode) {
        let other = other?;
        if periods_overlap(
            (other.starts_on, other.ends_on),
            (form.starts_on, form.ends_on),
        ) {
            return Err(WorkflowError::Duplicate(format!(
                "{} is already the enterprise's {} steward (assignment {}) in that period",
                form.name, form.role, other.id
            )));
        }
    }
    let [province, city, district, zone] = placement_values(&new.placement);
    let binds = [
        new.enterprise.as_str().into(),
        province,
        city,
        district,
        zone,
        form.role.as_str().into(),
        new.level.as_str().into(),
        Value::from(&form.department),
        Value::from(&form.name),
        Value::from(&form.phone),
        Value::from(&form.email),
        form.account.map(|a| a.0).into(),
        person.into(),
        form.starts_on.into(),
        form.ends_on.into(),
        created_by.into(),
        acting.at.into(),
    ];
    let row = s
        .fetch_optional(
            "INSERT INTO svc_stewards (enterprise, province, city, district, zone, role, level, \
             department, name, phone, email, account_id, person, starts_on, ends_on, \
             created_by, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $17, 1) RETURNING id",
            &binds,
        )
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let created = must_get(s, StewardId(row.get("id")?)).await?;
    audit(s, acting, "steward.assign", None, &created).await?;
    Ok(created)
}

async fn audit(
    s: &mut impl Session,
    acting: &Acting,
    action: &str,
    before: Option<&StewardAssignment>,
    after: &StewardAssignment,
) -> Result<(), WorkflowError> {
    append(
        s,
        record(
            acting,
            action,
            format!("steward:{}", after.id),
            filed_under(&after.placement),
            before,
            Some(after),
        ),
    )
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    s: &mut impl Session,
    filter: &StewardFilter,
) -> Result<Paged<StewardAssignment>, WorkflowError> {
    let (scope, scope_value) = scope_condition(&filter.scope, "t", 1);
    let condition = format!(
        "{scope} AND (CAST($2 AS TEXT) IS NULL OR t.enterprise = $2) \
         AND ($3 IS NULL OR (t.starts_on <= $3 AND (t.ends_on IS NULL OR t.ends_on >= $3))) \
         AND (CAST($4 AS BIGINT) IS NULL OR t.account_id = $4)"
    );
    let [limit, offset] = page_limit(filter.page);
    let binds = [
        scope_value,
        filter.enterprise.as_ref().map(|e| e.as_str()).into(),
        filter.active_on.into(),
        filter.account.map(|a| a.0).into(),
        limit,
        offset,
    ];
    let total = count(
        s,
        &format!("SELECT COUNT(*) AS n FROM svc_stewards t WHERE {condition}"),
        &binds[..4],
    )
    .await?;
    let rows = s
        .fetch_all(
            &format!(
                "SELECT * FROM svc_stewards t WHERE {condition} \
                 ORDER BY t.enterprise, t.starts_on, t.id LIMIT $5 OFFSET $6"
            ),
            &binds,
        )
        .await?;
    Ok(Paged {
        items: rows.iter().map(decode).collect::<Result<_, _>>()?,
        total,
    })
}

/// Ends an assignment on `ends_on`, from `expected_version` or not at all.
#[tracing::instrument(skip_all, fields(id = id.0, expected_version))]
pub(crate) async fn end(
    s: &mut impl Session,
    id: StewardId,
    expected_version: i64,
    ends_on: Date,
    acting: &Acting,
) -> Result<StewardAssignment, WorkflowError> {
    let before = must_get(s, id).await?;
    if before.version != expected_version {
        return Err(WorkflowError::VersionConflict {
            expected: expected_version,
            actual: before.version,
        });
    }
    if ends_on < before.starts_on {
        return Err(refused(
            "ends_on",
            format!(
                "the end ({ends_on}) is before the start ({})",
                before.starts_on
            ),
        ));
    }
    let done = s
        .execute(
            "UPDATE svc_stewards SET ends_on = $1, updated_at = $2, version = version + 1 \
             WHERE id = $3 AND version = $4",
            binds![ends_on, acting.at, id.0, expected_version],
        )
        .await?;
    if done != 1 {
        return Err(conflict(s, "svc_stewards", id.0, expected_version).await);
    }
    let after = must_get(s, id).await?;
    audit(s, acting, "steward.end", Some(&before), &after).await?;
    Ok(after)
}

const CONTACT_COLUMNS: &str = "c.*, (SELECT MIN(n.id) FROM svc_contacts n WHERE n.corrects = c.id) \
     AS corrected_by, (SELECT n.recorded_name FROM svc_contacts n WHERE n.corrects = c.id \
     ORDER BY n.id LIMIT 1) AS corrected_name, (SELECT n.recorded_at FROM svc_contacts n \
     WHERE n.corrects = c.id ORDER BY n.id LIMIT 1) AS corrected_at";

async fn linked_requests(
    s: &mut impl Session,
    contact: i64,
) -> Result<Vec<RequestId>, WorkflowError> {
    s.fetch_all(
        "SELECT request_id FROM svc_contact_requests WHERE contact_id = $1 ORDER BY request_id",
        binds![contact],
    )
    .await?
    .iter()
    .map(|row| Ok(RequestId(row.get("request_id")?)))
    .collect()
}

/// Contact `id`, if there is one.
pub(crate) async fn find_contact(
    s: &mut impl Session,
    id: ContactId,
) -> Result<Option<ContactRecord>, WorkflowError> {
    match contact(s, id.0).await {
        Ok(found) => Ok(Some(found)),
        Err(WorkflowError::NotFound) => Ok(None),
        Err(other) => Err(other),
    }
}

async fn contact(s: &mut impl Session, id: i64) -> Result<ContactRecord, WorkflowError> {
    let row = s
        .fetch_optional(
            &format!("SELECT {CONTACT_COLUMNS} FROM svc_contacts c WHERE c.id = $1"),
            binds![id],
        )
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let requests = linked_requests(s, id).await?;
    decode_contact(&row, requests)
}

/// Records a contact against its assignment: within the assignment's
/// period, linking requests of the same enterprise, correcting (if it
/// does) a record of the same enterprise.
#[tracing::instrument(skip_all, fields(steward = new.steward.0))]
pub(crate) async fn record_contact(
    s: &mut impl Session,
    new: &NewContact,
    acting: &Acting,
) -> Result<ContactRecord, WorkflowError> {
    let recorded_by = acting.actor.map(|a| a.0).ok_or_else(|| {
        WorkflowError::Corrupt("a contact is recorded only by a signed-in account".into())
    })?;
    let assignment = must_get(s, new.steward).await?;
    if let Some(problem) = new.period_problem(assignment.starts_on, assignment.ends_on) {
        return Err(refused(problem.field, problem.problem));
    }
    let enterprise = assignment.enterprise.as_str();
    for request in &new.requests {
        let theirs = count(
            s,
            "SELECT COUNT(*) AS n FROM svc_requests WHERE id = $1 AND enterprise = $2",
            binds![request.0, enterprise],
        )
        .await?;
        if theirs == 0 {
            return Err(refused(
                "requests",
                format!("request {request} is not one of this enterprise's"),
            ));
        }
    }
    if let Some(corrected) = new.corrects {
        let theirs = count(
            s,
            "SELECT COUNT(*) AS n FROM svc_contacts WHERE id = $1 AND enterprise = $2",
            binds![corrected.0, enterprise],
        )
        .await?;
        if theirs == 0 {
            return Err(refused(
                "corrects",
                format!("contact {corrected} is not one of this enterprise's"),
            ));
        }
        // Corrections form a chain: a record corrected already is
        // corrected again through the record that corrected it.
        if let Some(later) = s
            .fetch_optional(
                "SELECT MIN(id) AS id FROM svc_contacts WHERE corrects = $1",
                binds![corrected.0],
            )
            .await?
            .map(|row| row.get::<Option<i64>>("id"))
            .transpose()?
            .flatten()
        {
            return Err(refused(
                "corrects",
                format!("contact {corrected} was corrected already by contact {later}"),
            ));
        }
    }
    let [province, city, district, zone] = placement_values(&assignment.placement);
    let binds = [
        new.steward.0.into(),
        enterprise.into(),
        province,
        city,
        district,
        zone,
        new.contacted_on.into(),
        new.channel.as_str().into(),
        Value::from(&new.topics),
        Value::from(&new.follow_up),
        new.corrects.map(|c| c.0).into(),
        recorded_by.into(),
        Value::from(&acting.actor_name),
        acting.at.into(),
    ];
    let row = s
        .fetch_optional(
            "INSERT INTO svc_contacts (steward_id, enterprise, province, city, district, zone, \
             contacted_on, channel, topics, follow_up, corrects, recorded_by, recorded_name, \
             recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             RETURNING id",
            &binds,
        )
        .await
        .map_err(unique(
            "this contact record was corrected already, just now",
        ))?
        .ok_or(WorkflowError::NotFound)?;
    let id: i64 = row.get("id")?;
    for request in &new.requests {
        s.execute(
            "INSERT INTO svc_contact_requests (contact_id, request_id) VALUES ($1, $2)",
            binds![id, request.0],
        )
        .await?;
    }
    let recorded = contact(s, id).await?;
    append(
        s,
        record(
            acting,
            if recorded.corrects.is_some() {
                "contact.correct"
            } else {
                "contact.record"
            },
            format!("contact:{id}"),
            filed_under(&recorded.placement),
            None::<&ContactRecord>,
            Some(&recorded),
        ),
    )
    .await?;
    Ok(recorded)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn contacts(
    s: &mut impl Session,
    filter: &ContactFilter,
) -> Result<Paged<ContactRecord>, WorkflowError> {
    let (scope, scope_value) = scope_condition(&filter.scope, "c", 1);
    let condition = format!(
        "{scope} AND (CAST($2 AS TEXT) IS NULL OR c.enterprise = $2) \
         AND (CAST($3 AS BIGINT) IS NULL OR c.steward_id = $3) \
         AND (CAST($4 AS TEXT) IS NULL OR c.steward_id IN \
              (SELECT p.id FROM svc_stewards p WHERE p.person = $4)) \
         AND ($5 IS NULL OR c.contacted_on >= $5) AND ($6 IS NULL OR c.contacted_on <= $6)"
    );
    let [limit, offset] = page_limit(filter.page);
    let binds = [
        scope_value,
        filter.enterprise.as_ref().map(|e| e.as_str()).into(),
        filter.steward.map(|t| t.0).into(),
        filter.person.as_deref().into(),
        filter.from.into(),
        filter.to.into(),
        limit,
        offset,
    ];
    let total = count(
        s,
        &format!("SELECT COUNT(*) AS n FROM svc_contacts c WHERE {condition}"),
        &binds[..6],
    )
    .await?;
    let rows = s
        .fetch_all(
            &format!(
                "SELECT {CONTACT_COLUMNS} FROM svc_contacts c WHERE {condition} \
                 ORDER BY c.contacted_on DESC, c.id DESC LIMIT $7 OFFSET $8"
            ),
            &binds,
        )
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let requests = linked_requests(s, row.get("id")?).await?;
        items.push(decode_contact(row, requests)?);
    }
    Ok(Paged { items, total })
}
