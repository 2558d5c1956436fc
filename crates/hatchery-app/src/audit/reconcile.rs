//! The workflow's tables against the log. Every write of the workflow
//! appends, in its own transaction, an entry holding the record's image
//! after the write; so each stored row must equal the last image the log
//! holds for it, changed only in the ways a later logged step is known to
//! change it without an image of its own (an evidence upload bumps its
//! declaration's version; a confirmation supersedes the enterprise's
//! earlier membership). A row that no logged step explains — changed,
//! added or removed behind the application's back — is reported by record.
//!
//! Images are compared field by field, on the fields the image has, so an
//! image written before a field existed still explains its record.
//! Account password hashes, sessions, tokens, throttling counters and
//! idempotency keys are not in the log and are not checked.
//!
//! Rows the log holds no image of are checked against the entries that made
//! them: each step of a service request against its entry (action, time,
//! actor), each objection against the entry that lodged it (time, and the
//! account or the public) and the one that resolved it (time, account). The
//! text of an objection or a step, the objector's name and contact and an
//! objection's resolution are not in the log, so an edit of those alone is
//! not seen.

use std::collections::{BTreeSet, HashMap, HashSet};

use hatchery_core::workflow::audit::AuditEntry;
use hatchery_core::workflow::{AccountId, Scope, truncate_instant};
use hatchery_store::workflow::{
    DeclarationFilter, Page, PoolFilter, ProposalFilter, RegistrationFilter, RequestFilter,
    WorkflowError, WorkflowStore,
};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

/// A workflow record whose stored row no logged step explains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unexplained {
    /// The record as the log names it: `account:3`, `declaration:12`,
    /// `pool_member:4`, `proposal:2`, `zone:ID`, `quota:P:C:T`, …
    pub record: String,
    /// What disagrees with the log.
    pub problem: String,
}

/// Who acted and when, as an entry of the log says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Signed {
    at: Timestamp,
    /// `None`: the system, or a member of the public.
    actor: Option<AccountId>,
}

impl Signed {
    fn of(entry: &AuditEntry) -> Self {
        Self {
            at: truncate_instant(entry.record.at),
            actor: entry.record.actor,
        }
    }

    fn shown(&self) -> String {
        match self.actor {
            Some(actor) => format!("at {} by account {actor}", self.at),
            None => format!("at {} by no account", self.at),
        }
    }
}

/// What the log says each record should be, gathered entry by entry.
#[derive(Debug, Default)]
pub(super) struct Images {
    /// The last image of each account, declaration, zone, rule set, quota,
    /// registration and service request by its subject; `None` when the
    /// last step removed it.
    latest: HashMap<String, Option<Value>>,
    /// Logged steps of each declaration (its history rows).
    steps: HashMap<i64, u64>,
    /// The objections lodged on each declaration, in order: when, and by
    /// which account (`None`: a member of the public).
    lodged: HashMap<i64, Vec<Signed>>,
    /// The objections resolved on each declaration: when, by whom.
    resolved: HashMap<i64, Vec<Signed>>,
    /// Each service request's logged steps, in order: the action (without
    /// its `request.` prefix), when, by whom.
    request_steps: HashMap<i64, Vec<(String, Signed)>>,
    /// Evidence uploaded to each declaration, in upload order.
    evidence: HashMap<i64, Vec<Value>>,
    /// The last image of each pool member a proposal decision changed.
    members: HashMap<i64, Value>,
    /// The image of each decided proposal.
    proposals: HashMap<i64, Value>,
    /// Proposals a re-evaluation recorded (pending until decided).
    proposed: HashSet<i64>,
    /// Zones added by seeding (their content is the shipped list's).
    seeded_zones: HashSet<String>,
    /// Cycles quotas were set for.
    quota_cycles: BTreeSet<i16>,
}

impl Images {
    /// Takes in one entry of an intact chain.
    pub(super) fn feed(&mut self, entry: &AuditEntry) {
        let record = &entry.record;
        let after: Option<Value> = record
            .after
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok());
        let subject = record.subject.as_str();
        let (kind, key) = subject.split_once(':').unwrap_or((subject, ""));
        let id = key.parse::<i64>().ok();
        match (kind, record.action.as_str(), id) {
            ("declaration", "declaration.evidence", Some(id)) => {
                self.evidence.entry(id).or_default().extend(after);
                // The upload moves the declaration's version and time on
                // without an image of the declaration itself.
                if let Some(Some(Value::Object(declaration))) = self.latest.get_mut(subject) {
                    let version = declaration.get("version").and_then(Value::as_i64);
                    if let Some(version) = version {
                        declaration.insert("version".into(), (version + 1).into());
                    }
                    if let Ok(at) = serde_json::to_value(record.at) {
                        declaration.insert("updated_at".into(), at);
                    }
                }
            }
            ("declaration", action, Some(id)) => {
                *self.steps.entry(id).or_default() += 1;
                match action {
                    "declaration.object" => {
                        self.lodged.entry(id).or_default().push(Signed::of(entry));
                    }
                    "declaration.resolve_objection" => {
                        self.resolved.entry(id).or_default().push(Signed::of(entry));
                    }
                    _ => {}
                }
                self.latest.insert(subject.to_owned(), after);
            }
            ("request", action, Some(id)) => {
                let action = action.strip_prefix("request.").unwrap_or(action);
                self.request_steps
                    .entry(id)
                    .or_default()
                    .push((action.to_owned(), Signed::of(entry)));
                self.latest.insert(subject.to_owned(), after);
            }
            ("account" | "zone" | "registration", _, _) => {
                self.latest.insert(subject.to_owned(), after);
            }
            ("rule_set", _, _) => {
                // Its image is the rule set as submitted, whose time may be
                // finer than the microseconds the database keeps.
                let after = after.map(|mut image| {
                    let stored = image
                        .get("added_at")
                        .and_then(Value::as_str)
                        .and_then(|at| at.parse::<Timestamp>().ok())
                        .and_then(|at| serde_json::to_value(truncate_instant(at)).ok());
                    if let (Some(stored), Value::Object(fields)) = (stored, &mut image) {
                        fields.insert("added_at".into(), stored);
                    }
                    image
                });
                self.latest.insert(subject.to_owned(), after);
            }
            ("quota", _, _) => {
                if let Some(cycle) = key.split(':').nth(1).and_then(|c| c.parse().ok()) {
                    self.quota_cycles.insert(cycle);
                }
                // How much of a quota is used moves with the declarations;
                // the limit is what the log sets.
                let after = after.map(|mut image| {
                    if let Value::Object(fields) = &mut image {
                        fields.remove("used");
                    }
                    image
                });
                self.latest.insert(subject.to_owned(), after);
            }
            ("proposal", _, Some(id)) => {
                let Some(after) = after else { return };
                if let Some(member) = after.get("member")
                    && let Some(member_id) = member.get("id").and_then(Value::as_i64)
                {
                    self.members.insert(member_id, member.clone());
                }
                if let Some(proposal) = after.get("proposal") {
                    self.proposals.insert(id, proposal.clone());
                }
            }
            ("zones", "zone.seed", _) => {
                let ids = after.as_ref().and_then(Value::as_array);
                self.seeded_zones.extend(
                    ids.into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(str::to_owned)),
                );
            }
            ("pool", "pool.reevaluate", _) => {
                let ids = after
                    .as_ref()
                    .and_then(|a| a.get("proposals"))
                    .and_then(Value::as_array);
                self.proposed
                    .extend(ids.into_iter().flatten().filter_map(Value::as_i64));
            }
            _ => {}
        }
    }
}

/// Short text of a JSON value for a report.
fn shown(value: Option<&Value>) -> String {
    let text = value.map_or_else(|| "absent".to_owned(), Value::to_string);
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

/// The fields of `image` that `current` does not hold equal, said as
/// "FIELD is NOW, the log says THEN".
fn differences(image: &Value, current: &Value) -> Vec<String> {
    match (image, current) {
        (Value::Object(image), Value::Object(current)) => image
            .iter()
            .filter(|(field, then)| current.get(*field) != Some(*then))
            .map(|(field, then)| {
                format!(
                    "{field} is {}, the log says {}",
                    shown(current.get(field)),
                    shown(Some(then))
                )
            })
            .collect(),
        _ if image == current => Vec::new(),
        _ => vec![format!(
            "it is {}, the log says {}",
            shown(Some(current)),
            shown(Some(image))
        )],
    }
}

/// Collects what is unexplained, record by record.
#[derive(Debug, Default)]
struct Findings {
    found: Vec<Unexplained>,
    /// Subjects with a row, to find the rows that went missing.
    seen: HashSet<String>,
}

impl Findings {
    fn report(&mut self, record: &str, problem: String) {
        self.found.push(Unexplained {
            record: record.to_owned(),
            problem,
        });
    }

    /// `current`, the row of `record`, against `image`, what the log says.
    fn compare(&mut self, record: &str, image: Option<&Value>, current: &Value) {
        match image {
            None => self.report(record, "no logged step created it".to_owned()),
            Some(image) => {
                let differences = differences(image, current);
                if !differences.is_empty() {
                    self.report(record, differences.join("; "));
                }
            }
        }
    }

    /// A row of `record` against the last image in `images.latest`.
    fn against_latest(&mut self, images: &Images, record: String, current: &impl Serialize) {
        let current = to_value(current);
        match images.latest.get(&record) {
            Some(None) => self.report(
                &record,
                "the log records it removed, yet it is stored".to_owned(),
            ),
            Some(Some(image)) => self.compare(&record, Some(image), &current),
            None => self.compare(&record, None, &current),
        }
        self.seen.insert(record);
    }

    /// Records of `prefix` the log leaves in place that have no row.
    fn missing(&mut self, images: &Images, prefix: &str) {
        let mut gone: Vec<&String> = images
            .latest
            .iter()
            .filter(|(subject, image)| {
                subject.starts_with(prefix) && image.is_some() && !self.seen.contains(*subject)
            })
            .map(|(subject, _)| subject)
            .collect();
        gone.sort();
        for subject in gone {
            self.report(
                subject,
                "the log leaves it in place, but it is not stored: removed without a logged step"
                    .to_owned(),
            );
        }
    }
}

fn to_value(value: &impl Serialize) -> Value {
    // The workflow's records are plain data: they always serialise.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Rows read per page.
const PAGE: u64 = 500;

fn page(offset: u64) -> Page {
    Page {
        offset,
        limit: PAGE,
    }
}

/// Every stored workflow record against `images`.
pub(super) async fn check(
    db: &dyn WorkflowStore,
    images: &Images,
) -> Result<Vec<Unexplained>, WorkflowError> {
    let mut findings = Findings::default();

    let mut offset = 0;
    loop {
        let accounts = db.accounts(&Scope::All, page(offset)).await?;
        for account in &accounts.items {
            findings.against_latest(images, format!("account:{}", account.id), account);
        }
        offset += PAGE;
        if offset >= accounts.total {
            break;
        }
    }
    findings.missing(images, "account:");

    let mut cycles = images.quota_cycles.clone();
    let mut declarations = Vec::new();
    let mut offset = 0;
    loop {
        let listed = db
            .declarations(&DeclarationFilter {
                scope: Scope::All,
                cycle: None,
                state: None,
                tier: None,
                enterprise: None,
                page: page(offset),
            })
            .await?;
        declarations.extend(listed.items);
        offset += PAGE;
        if offset >= listed.total {
            break;
        }
    }
    for declaration in &declarations {
        let id = declaration.id.0;
        cycles.insert(declaration.cycle);
        let record = format!("declaration:{id}");
        findings.against_latest(images, record.clone(), declaration);
        let counted = |map: &HashMap<i64, u64>| map.get(&id).copied().unwrap_or(0);
        let steps = db.steps(declaration.id).await?.len() as u64;
        if steps != counted(&images.steps) {
            findings.report(
                &record,
                format!(
                    "its history has {steps} steps, the log {}",
                    counted(&images.steps)
                ),
            );
        }
        check_objections(db, images, &mut findings, declaration.id).await?;
        let stored = db.evidence(declaration.id).await?;
        let logged = images.evidence.get(&id).map_or(&[][..], Vec::as_slice);
        for (n, evidence) in stored.iter().enumerate() {
            findings.compare(
                &format!("evidence:{}", evidence.id),
                logged.get(n),
                &to_value(evidence),
            );
        }
        if logged.len() > stored.len() {
            findings.report(
                &record,
                format!(
                    "it has {} evidence files, the log records {} uploaded",
                    stored.len(),
                    logged.len()
                ),
            );
        }
    }
    findings.missing(images, "declaration:");

    for zone in db.zones().await? {
        let record = format!("zone:{}", zone.zone.id);
        if !images.latest.contains_key(&record)
            && images.seeded_zones.contains(zone.zone.id.as_str())
        {
            // Seeded from the shipped list, never changed since.
            if zone.version != 1 {
                findings.report(
                    &record,
                    format!(
                        "it is at version {}, but no logged step changed it after seeding",
                        zone.version
                    ),
                );
            }
            findings.seen.insert(record);
            continue;
        }
        findings.against_latest(images, record, &zone);
    }
    findings.missing(images, "zone:");

    for rule_set in db.rule_sets().await? {
        let record = format!("rule_set:{}@{}", rule_set.key, rule_set.version);
        findings.against_latest(images, record, &rule_set);
    }
    findings.missing(images, "rule_set:");

    for cycle in cycles {
        for quota in db.quotas(cycle).await? {
            let record = format!("quota:{}:{}:{}", quota.province, quota.cycle, quota.tier);
            findings.against_latest(
                images,
                record,
                &serde_json::json!({ "province": quota.province, "cycle": quota.cycle,
                    "tier": quota.tier, "limit": quota.limit }),
            );
        }
    }
    findings.missing(images, "quota:");

    check_pool(db, images, &mut findings).await?;
    check_registrations(db, images, &mut findings).await?;
    check_requests(db, images, &mut findings).await?;
    Ok(findings.found)
}

/// A declaration's objections against the entries that lodged and resolved
/// them: the n-th objection was lodged by the n-th `declaration.object`
/// entry (its time, its account or none for the public), and the resolved
/// ones are exactly those the `declaration.resolve_objection` entries
/// resolved (time and account).
async fn check_objections(
    db: &dyn WorkflowStore,
    images: &Images,
    findings: &mut Findings,
    declaration: hatchery_core::workflow::DeclarationId,
) -> Result<(), WorkflowError> {
    let stored = db.objections(declaration).await?;
    let lodged = images
        .lodged
        .get(&declaration.0)
        .map_or(&[][..], Vec::as_slice);
    if stored.len() != lodged.len() {
        findings.report(
            &format!("declaration:{declaration}"),
            format!(
                "it has {} objections, the log records {} lodged",
                stored.len(),
                lodged.len()
            ),
        );
    }
    let mut resolutions: Vec<Signed> = images
        .resolved
        .get(&declaration.0)
        .cloned()
        .unwrap_or_default();
    for (objection, logged) in stored.iter().zip(lodged) {
        let record = format!("objection:{}", objection.id);
        let row = Signed {
            at: truncate_instant(objection.lodged_at),
            actor: objection.lodged_by,
        };
        if row != *logged {
            findings.report(
                &record,
                format!(
                    "it was lodged {}, the log says {}",
                    row.shown(),
                    logged.shown()
                ),
            );
        }
        if let Some(at) = objection.resolved_at {
            let row = Signed {
                at: truncate_instant(at),
                actor: objection.resolved_by,
            };
            match resolutions.iter().position(|r| *r == row) {
                Some(n) => {
                    resolutions.swap_remove(n);
                }
                None => findings.report(
                    &record,
                    format!(
                        "it is resolved {}, but no logged step resolved it so",
                        row.shown()
                    ),
                ),
            }
        }
    }
    if !resolutions.is_empty() {
        findings.report(
            &format!("declaration:{declaration}"),
            format!(
                "the log records {} objection resolutions that no stored objection shows",
                resolutions.len()
            ),
        );
    }
    Ok(())
}

/// Enterprises' registrations against their last images.
async fn check_registrations(
    db: &dyn WorkflowStore,
    images: &Images,
    findings: &mut Findings,
) -> Result<(), WorkflowError> {
    let mut offset = 0;
    loop {
        let listed = db
            .registrations(&RegistrationFilter {
                scope: Scope::All,
                state: None,
                page: page(offset),
            })
            .await?;
        for registration in &listed.items {
            findings.against_latest(
                images,
                format!("registration:{}", registration.id),
                registration,
            );
        }
        offset += PAGE;
        if offset >= listed.total {
            break;
        }
    }
    findings.missing(images, "registration:");
    Ok(())
}

/// Enterprises' service requests against their last images, and each
/// request's steps against the entries that made them.
async fn check_requests(
    db: &dyn WorkflowStore,
    images: &Images,
    findings: &mut Findings,
) -> Result<(), WorkflowError> {
    let mut offset = 0;
    loop {
        let listed = db
            .service_requests(&RequestFilter {
                scope: Scope::All,
                states: Vec::new(),
                level: None,
                class: None,
                enterprise: None,
                overdue_at: None,
                filed: None,
                page: page(offset),
            })
            .await?;
        for request in &listed.items {
            let record = format!("request:{}", request.id);
            findings.against_latest(images, record.clone(), request);
            let stored = db.request_steps(request.id).await?;
            let logged = images
                .request_steps
                .get(&request.id.0)
                .map_or(&[][..], Vec::as_slice);
            if stored.len() != logged.len() {
                findings.report(
                    &record,
                    format!(
                        "its history has {} steps, the log {}",
                        stored.len(),
                        logged.len()
                    ),
                );
            }
            for (step, (action, signed)) in stored.iter().zip(logged) {
                let row = Signed {
                    at: truncate_instant(step.at),
                    actor: step.actor,
                };
                if step.action.as_str() != action || row != *signed {
                    findings.report(
                        &record,
                        format!(
                            "its step {} is {} {}, the log says {action} {}",
                            step.seq,
                            step.action.as_str(),
                            row.shown(),
                            signed.shown()
                        ),
                    );
                }
            }
        }
        offset += PAGE;
        if offset >= listed.total {
            break;
        }
    }
    findings.missing(images, "request:");
    Ok(())
}

/// Pool members and proposals.
async fn check_pool(
    db: &dyn WorkflowStore,
    images: &Images,
    findings: &mut Findings,
) -> Result<(), WorkflowError> {
    let mut offset = 0;
    loop {
        let members = db
            .pool_members(&PoolFilter {
                scope: Scope::All,
                status: None,
                tier: None,
                cycle: None,
                province: None,
                page: page(offset),
            })
            .await?;
        for member in &members.items {
            let record = format!("pool_member:{}", member.id);
            let current = to_value(member);
            // A later confirmation for the same enterprise supersedes a
            // membership without an image of it.
            let superseded = |mut expected: Value| {
                if current.get("status") == Some(&Value::from("superseded"))
                    && expected.get("status") == Some(&Value::from("active"))
                {
                    let version = expected.get("version").and_then(Value::as_i64);
                    expected["status"] = "superseded".into();
                    expected["version"] = version.map_or(Value::Null, |v| (v + 1).into());
                }
                expected
            };
            if let Some(image) = images.members.get(&member.id.0) {
                findings.compare(&record, Some(&superseded(image.clone())), &current);
                continue;
            }
            // Otherwise only its confirmation explains it: the confirmed
            // declaration's image says what it holds, created active at 1.
            let confirmed = member
                .declaration
                .and_then(|d| images.latest.get(&format!("declaration:{d}")))
                .and_then(Option::as_ref)
                .filter(|d| d.get("state") == Some(&Value::from("confirmed")));
            match confirmed {
                Some(declaration) => {
                    let mut expected = serde_json::Map::new();
                    for field in [
                        "enterprise",
                        "tier",
                        "rule_set",
                        "rule_set_version",
                        "cycle",
                        "placement",
                    ] {
                        if let Some(value) = declaration.get(field) {
                            expected.insert(field.into(), value.clone());
                        }
                    }
                    expected.insert("status".into(), "active".into());
                    expected.insert("version".into(), 1.into());
                    expected.insert("exit_cause".into(), Value::Null);
                    expected.insert("exited_on".into(), Value::Null);
                    let expected = superseded(Value::Object(expected));
                    findings.compare(&record, Some(&expected), &current);
                }
                None => findings.report(
                    &record,
                    "no logged confirmation or proposal decision explains it".to_owned(),
                ),
            }
        }
        offset += PAGE;
        if offset >= members.total {
            break;
        }
    }

    let mut offset = 0;
    loop {
        let proposals = db
            .proposals(&ProposalFilter {
                scope: Scope::All,
                status: None,
                page: page(offset),
            })
            .await?;
        for proposal in &proposals.items {
            let record = format!("proposal:{}", proposal.id);
            let current = to_value(proposal);
            match images.proposals.get(&proposal.id.0) {
                Some(image) => findings.compare(&record, Some(image), &current),
                None if images.proposed.contains(&proposal.id.0) => {
                    let expected = serde_json::json!({ "status": "pending", "version": 1,
                        "decided_by": null, "decided_at": null, "reason": null });
                    findings.compare(&record, Some(&expected), &current);
                }
                None => findings.compare(&record, None, &current),
            }
        }
        offset += PAGE;
        if offset >= proposals.total {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_name_each_field_that_moved() {
        let image = json!({ "tier": "unicorn", "version": 3, "form": { "a": 1 } });
        assert!(differences(&image, &image).is_empty());
        // A field the image does not have is not judged.
        let newer = json!({ "tier": "unicorn", "version": 3, "form": { "a": 1 }, "new": true });
        assert!(differences(&image, &newer).is_empty());
        let edited = json!({ "tier": "gazelle", "version": 3, "form": { "a": 2 } });
        let mut said = differences(&image, &edited);
        said.sort();
        assert_eq!(
            said,
            vec![
                r#"form is {"a":2}, the log says {"a":1}"#.to_owned(),
                r#"tier is "gazelle", the log says "unicorn""#.to_owned(),
            ]
        );
    }
}
