//! Policies (惠企政策), their items, the matches the engine found and each
//! match's redemption: written once, compare-and-set on versions, audited.

use hatchery_core::services::policy::{
    AmountRule, ItemClass, ItemForm, MatchState, PolicyForm, PolicyId, PolicyItemId, PolicyMatchId,
    PolicyState, RedemptionAction, RedemptionMode, RedemptionTransition,
};
use hatchery_core::workflow::{Jurisdiction, Placement, Scope};
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::audit::append;
use super::codec::{
    conflict, count, filed_under, get_account, get_enterprise, get_json, get_jurisdiction, get_key,
    get_opt_account, get_placement, json, page_limit, placement_values, record, scope_condition,
    unsigned,
};
use crate::binds;
use crate::workflow::engine::{Row, Session, Value};
use crate::workflow::{
    Acting, MatchFilter, MatchRead, MatchStep, MatchesRecorded, NewPolicy, NewPolicyItem,
    NewPolicyMatch, Paged, Policy, PolicyFilter, PolicyItem, PolicyMatch, WorkflowError,
};

/// Where a policy of `jurisdiction` sits, for officials' scopes to read it.
fn placement_of(jurisdiction: &Jurisdiction) -> Placement {
    match jurisdiction {
        Jurisdiction::Nation => Placement::default(),
        Jurisdiction::Division(code) => Placement::of(Some(*code), None),
        Jurisdiction::Zone(zone) => Placement {
            zone: Some(zone.clone()),
            ..Placement::default()
        },
    }
}

fn decode_policy(row: &impl Row) -> Result<Policy, WorkflowError> {
    Ok(Policy {
        id: PolicyId(row.get("id")?),
        jurisdiction: get_jurisdiction(row, "jurisdiction")?,
        form: PolicyForm {
            issuer: row.get("issuer")?,
            document_number: row.get("document_number")?,
            title: row.get("title")?,
            source_url: row.get("source_url")?,
            published_on: row.get("published_on")?,
            valid_from: row.get("valid_from")?,
            valid_until: row.get("valid_until")?,
        },
        state: get_key(row, "state", "policy state", PolicyState::parse)?,
        withdraw_reason: row.get("withdraw_reason")?,
        created_by: get_account(row, "created_by")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

fn decimal(row: &impl Row, column: &str) -> Result<Decimal, WorkflowError> {
    let text: Option<String> = row.get(column)?;
    let text = text.unwrap_or_default();
    Decimal::from_str_exact(&text).map_err(|_| super::codec::corrupt("amount", &text))
}

fn decode_item(row: &impl Row) -> Result<PolicyItem, WorkflowError> {
    let amount = match row.get::<String>("amount_kind")?.as_str() {
        "fixed" => AmountRule::Fixed {
            amount: decimal(row, "amount")?,
        },
        "capped" => AmountRule::Capped {
            cap: decimal(row, "amount")?,
            rule: row
                .get::<Option<String>>("amount_rule")?
                .unwrap_or_default(),
        },
        "none" => AmountRule::None,
        other => return Err(super::codec::corrupt("amount kind", other)),
    };
    let limit = |column: &str| -> Result<Option<u32>, WorkflowError> {
        row.get::<Option<i64>>(column)?
            .map(|days| {
                u32::try_from(unsigned(column, days)?)
                    .map_err(|_| super::codec::corrupt(column, &days.to_string()))
            })
            .transpose()
    };
    Ok(PolicyItem {
        id: PolicyItemId(row.get("id")?),
        policy: PolicyId(row.get("policy_id")?),
        form: ItemForm {
            title: row.get("title")?,
            class: get_key(row, "class", "item class", ItemClass::parse)?,
            amount,
            mode: get_key(row, "mode", "redemption mode", RedemptionMode::parse)?,
            payment_limit_days: limit("own_limit_days")?,
            eligibility: row.get("eligibility")?,
        },
        payment_limit_days: limit("payment_limit_days")?,
        created_at: row.get("created_at")?,
    })
}

fn decode_match(row: &impl Row) -> Result<PolicyMatch, WorkflowError> {
    Ok(PolicyMatch {
        id: PolicyMatchId(row.get("id")?),
        policy: PolicyId(row.get("policy_id")?),
        item: PolicyItemId(row.get("item_id")?),
        enterprise: get_enterprise(row, "enterprise")?,
        placement: get_placement(row)?,
        as_of: row.get("as_of")?,
        decision: get_json(row, "decision")?,
        state: get_key(row, "state", "match state", MatchState::parse)?,
        reason: row.get("reason")?,
        note: row.get("note")?,
        pushed_on: row.get("pushed_on")?,
        applied_on: row.get("applied_on")?,
        decided_on: row.get("decided_on")?,
        paid_on: row.get("paid_on")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

fn decode_step(row: &impl Row) -> Result<MatchStep, WorkflowError> {
    let state = |column| get_key(row, column, "match state", MatchState::parse);
    Ok(MatchStep {
        seq: row.get("id")?,
        action: get_key(row, "action", "redemption action", RedemptionAction::parse)?,
        from: state("from_state")?,
        to: state("to_state")?,
        actor: get_opt_account(row, "actor_id")?,
        actor_name: row.get("actor_name")?,
        at: row.get("at")?,
        text: row.get("text")?,
    })
}

pub(crate) async fn get(
    s: &mut impl Session,
    id: PolicyId,
) -> Result<Option<Policy>, WorkflowError> {
    s.fetch_optional("SELECT * FROM pol_policies WHERE id = $1", binds![id.0])
        .await?
        .as_ref()
        .map(decode_policy)
        .transpose()
}

async fn must_get(s: &mut impl Session, id: PolicyId) -> Result<Policy, WorkflowError> {
    get(s, id).await?.ok_or(WorkflowError::NotFound)
}

async fn audit_policy(
    s: &mut impl Session,
    acting: &Acting,
    action: &str,
    before: Option<&Policy>,
    after: &Policy,
) -> Result<(), WorkflowError> {
    append(
        s,
        record(
            acting,
            &format!("policy.{action}"),
            format!("policy:{}", after.id),
            after.jurisdiction.to_string(),
            before,
            Some(after),
        ),
    )
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub(crate) async fn create(
    s: &mut impl Session,
    new: &NewPolicy,
    acting: &Acting,
) -> Result<Policy, WorkflowError> {
    let created_by = acting.actor.map(|a| a.0).ok_or_else(|| {
        WorkflowError::Corrupt("a policy is written only by a signed-in account".into())
    })?;
    let [province, city, district, zone] = placement_values(&placement_of(&new.jurisdiction));
    let f = &new.form;
    let binds = [
        new.jurisdiction.to_string().into(),
        province,
        city,
        district,
        zone,
        Value::from(&f.issuer),
        Value::from(&f.document_number),
        Value::from(&f.title),
        Value::from(&f.source_url),
        f.published_on.into(),
        f.valid_from.into(),
        f.valid_until.into(),
        PolicyState::Draft.as_str().into(),
        created_by.into(),
        acting.at.into(),
    ];
    let row = s
        .fetch_optional(
            "INSERT INTO pol_policies (jurisdiction, province, city, district, zone, issuer, \
             document_number, title, source_url, published_on, valid_from, valid_until, state, \
             created_by, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, 1) \
             RETURNING id",
            &binds,
        )
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let created = must_get(s, PolicyId(row.get("id")?)).await?;
    audit_policy(s, acting, "create", None, &created).await?;
    Ok(created)
}

/// "In one of `keys`" on `column` (everything when there are none). The
/// keys are ours, never input.
fn keys_condition(column: &str, keys: &[&str]) -> String {
    if keys.is_empty() {
        return "TRUE".to_owned();
    }
    let keys: Vec<String> = keys.iter().map(|k| format!("'{k}'")).collect();
    format!("{column} IN ({})", keys.join(", "))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    s: &mut impl Session,
    filter: &PolicyFilter,
) -> Result<Paged<Policy>, WorkflowError> {
    let (within, mut binds) = match &filter.within {
        None | Some(Scope::Enterprise(_)) => ("FALSE".to_owned(), Vec::new()),
        Some(scope) => {
            let (condition, value) = scope_condition(scope, "p", 1);
            (condition, vec![value])
        }
    };
    let mut above = Vec::new();
    for jurisdiction in &filter.above {
        binds.push(jurisdiction.to_string().into());
        above.push(format!("${}", binds.len()));
    }
    let above = if above.is_empty() {
        "FALSE".to_owned()
    } else {
        format!("p.jurisdiction IN ({})", above.join(", "))
    };
    let published = if filter.published_only {
        keys_condition("p.state", &[PolicyState::Published.as_str()])
    } else {
        "TRUE".to_owned()
    };
    let condition = format!("({within} OR {above}) AND {published}");
    let counted = binds.len();
    let total = count(
        s,
        &format!("SELECT COUNT(*) AS n FROM pol_policies p WHERE {condition}"),
        &binds,
    )
    .await?;
    binds.extend(page_limit(filter.page));
    let rows = s
        .fetch_all(
            &format!(
                "SELECT * FROM pol_policies p WHERE {condition} ORDER BY p.id DESC \
                 LIMIT ${} OFFSET ${}",
                counted + 1,
                counted + 2
            ),
            &binds,
        )
        .await?;
    Ok(Paged {
        items: rows.iter().map(decode_policy).collect::<Result<_, _>>()?,
        total,
    })
}

/// Moves the policy's version on from `expected_version` (its state, when
/// `to` is given), or not at all.
async fn bump(
    s: &mut impl Session,
    id: PolicyId,
    expected_version: i64,
    to: Option<(PolicyState, Option<&str>)>,
    acting: &Acting,
) -> Result<(), WorkflowError> {
    let done = match to {
        Some((state, reason)) => {
            s.execute(
                "UPDATE pol_policies SET state = $1, withdraw_reason = $2, updated_at = $3, \
                 version = version + 1 WHERE id = $4 AND version = $5",
                binds![state.as_str(), reason, acting.at, id.0, expected_version],
            )
            .await?
        }
        None => {
            s.execute(
                "UPDATE pol_policies SET updated_at = $1, version = version + 1 \
                 WHERE id = $2 AND version = $3",
                binds![acting.at, id.0, expected_version],
            )
            .await?
        }
    };
    if done != 1 {
        return Err(conflict(s, "pol_policies", id.0, expected_version).await);
    }
    Ok(())
}

#[tracing::instrument(skip_all, fields(id = id.0, expected_version))]
pub(crate) async fn set_state(
    s: &mut impl Session,
    id: PolicyId,
    expected_version: i64,
    state: PolicyState,
    reason: Option<&str>,
    acting: &Acting,
) -> Result<Policy, WorkflowError> {
    let before = must_get(s, id).await?;
    bump(s, id, expected_version, Some((state, reason)), acting).await?;
    let after = must_get(s, id).await?;
    let action = match state {
        PolicyState::Published => "publish",
        PolicyState::Withdrawn => "withdraw",
        PolicyState::Draft => "draft",
    };
    audit_policy(s, acting, action, Some(&before), &after).await?;
    Ok(after)
}

#[tracing::instrument(skip_all, fields(policy = policy.0, expected_version))]
pub(crate) async fn add_item(
    s: &mut impl Session,
    policy: PolicyId,
    expected_version: i64,
    item: &NewPolicyItem,
    acting: &Acting,
) -> Result<PolicyItem, WorkflowError> {
    let before = must_get(s, policy).await?;
    bump(s, policy, expected_version, None, acting).await?;
    let f = &item.form;
    let (kind, amount, rule) = match &f.amount {
        AmountRule::Fixed { amount } => ("fixed", Some(amount.normalize().to_string()), None),
        AmountRule::Capped { cap, rule } => (
            "capped",
            Some(cap.normalize().to_string()),
            Some(rule.clone()),
        ),
        AmountRule::None => ("none", None, None),
    };
    let row = s
        .fetch_optional(
            "INSERT INTO pol_items (policy_id, title, class, amount_kind, amount, amount_rule, \
             mode, own_limit_days, payment_limit_days, eligibility, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            binds![
                policy.0,
                &f.title,
                f.class.as_str(),
                kind,
                amount,
                rule,
                f.mode.as_str(),
                f.payment_limit_days.map(i64::from),
                item.payment_limit_days.map(i64::from),
                &f.eligibility,
                acting.at,
            ],
        )
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let id = PolicyItemId(row.get("id")?);
    let stored = s
        .fetch_optional("SELECT * FROM pol_items WHERE id = $1", binds![id.0])
        .await?
        .as_ref()
        .map(decode_item)
        .transpose()?
        .ok_or(WorkflowError::NotFound)?;
    append(
        s,
        record(
            acting,
            "policy.add_item",
            format!("policy:{policy}"),
            before.jurisdiction.to_string(),
            None::<&PolicyItem>,
            Some(&stored),
        ),
    )
    .await?;
    Ok(stored)
}

#[tracing::instrument(skip_all, fields(policy = policy.0))]
pub(crate) async fn items(
    s: &mut impl Session,
    policy: PolicyId,
) -> Result<Vec<PolicyItem>, WorkflowError> {
    s.fetch_all(
        "SELECT * FROM pol_items WHERE policy_id = $1 ORDER BY id",
        binds![policy.0],
    )
    .await?
    .iter()
    .map(decode_item)
    .collect()
}

async fn add_step(
    s: &mut impl Session,
    id: PolicyMatchId,
    action: RedemptionAction,
    (from, to): (MatchState, MatchState),
    text: Option<&str>,
    acting: &Acting,
) -> Result<(), WorkflowError> {
    s.execute(
        "INSERT INTO pol_match_steps (match_id, action, from_state, to_state, actor_id, \
         actor_name, at, text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        binds![
            id.0,
            action.as_str(),
            from.as_str(),
            to.as_str(),
            acting.actor.map(|a| a.0),
            &acting.actor_name,
            acting.at,
            text,
        ],
    )
    .await?;
    Ok(())
}

/// Records a matching run of `item` as of `as_of`: one match per
/// enterprise and item, so a second run adds nothing for the enterprises
/// already matched (whatever day the first run was as of). One audit entry
/// names the run and the matches it created.
#[tracing::instrument(skip_all, fields(item = item.0, n = matches.len()))]
pub(crate) async fn record_matches(
    s: &mut impl Session,
    item: PolicyItemId,
    as_of: Date,
    matches: &[NewPolicyMatch],
    acting: &Acting,
) -> Result<MatchesRecorded, WorkflowError> {
    let row = s
        .fetch_optional(
            "SELECT i.policy_id, p.jurisdiction FROM pol_items i \
             JOIN pol_policies p ON p.id = i.policy_id WHERE i.id = $1",
            binds![item.0],
        )
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let policy = PolicyId(row.get("policy_id")?);
    let jurisdiction: String = row.get("jurisdiction")?;
    let mut recorded = MatchesRecorded::default();
    let mut created = Vec::new();
    for new in matches {
        let [province, city, district, zone] = placement_values(&new.placement);
        let inserted = s
            .fetch_optional(
                "INSERT INTO pol_matches (policy_id, item_id, enterprise, province, city, \
                 district, zone, as_of, decision, state, created_at, updated_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, 1) \
                 ON CONFLICT (item_id, enterprise) DO NOTHING RETURNING id",
                &[
                    policy.0.into(),
                    item.0.into(),
                    new.enterprise.as_str().into(),
                    province,
                    city,
                    district,
                    zone,
                    as_of.into(),
                    json(&new.decision).into(),
                    MatchState::Matched.as_str().into(),
                    acting.at.into(),
                ],
            )
            .await?;
        match inserted {
            Some(row) => {
                let id = PolicyMatchId(row.get("id")?);
                created.push((id, new.enterprise.clone()));
                recorded.created += 1;
            }
            None => recorded.already += 1,
        }
    }
    #[derive(serde::Serialize)]
    struct Run<'a> {
        item: PolicyItemId,
        as_of: Date,
        recorded: MatchesRecorded,
        created: &'a [(PolicyMatchId, hatchery_core::EnterpriseId)],
    }
    append(
        s,
        record(
            acting,
            "policy.match",
            format!("policy:{policy}"),
            jurisdiction,
            None::<&Run<'_>>,
            Some(&Run {
                item,
                as_of,
                recorded,
                created: &created,
            }),
        ),
    )
    .await?;
    Ok(recorded)
}

pub(crate) async fn get_match(
    s: &mut impl Session,
    id: PolicyMatchId,
) -> Result<Option<PolicyMatch>, WorkflowError> {
    s.fetch_optional("SELECT * FROM pol_matches WHERE id = $1", binds![id.0])
        .await?
        .as_ref()
        .map(decode_match)
        .transpose()
}

#[tracing::instrument(skip_all)]
pub(crate) async fn list_matches(
    s: &mut impl Session,
    filter: &MatchFilter,
) -> Result<Paged<PolicyMatch>, WorkflowError> {
    let (scope, scope_value) = scope_condition(&filter.scope, "m", 1);
    let states: Vec<&str> = filter.states.iter().map(|s| s.as_str()).collect();
    let condition = format!(
        "{scope} AND {states} AND ($2 IS NULL OR m.policy_id = $2) \
         AND ($3 IS NULL OR m.item_id = $3) \
         AND (CAST($4 AS TEXT) IS NULL OR m.enterprise = $4)",
        states = keys_condition("m.state", &states),
    );
    let [limit, offset] = page_limit(filter.page);
    let binds = [
        scope_value,
        filter.policy.map(|p| p.0).into(),
        filter.item.map(|i| i.0).into(),
        filter.enterprise.as_ref().map(|e| e.as_str()).into(),
        limit,
        offset,
    ];
    let total = count(
        s,
        &format!("SELECT COUNT(*) AS n FROM pol_matches m WHERE {condition}"),
        &binds[..4],
    )
    .await?;
    let rows = s
        .fetch_all(
            &format!(
                "SELECT * FROM pol_matches m WHERE {condition} \
                 ORDER BY m.id DESC LIMIT $5 OFFSET $6"
            ),
            &binds,
        )
        .await?;
    Ok(Paged {
        items: rows.iter().map(decode_match).collect::<Result<_, _>>()?,
        total,
    })
}

pub(crate) async fn match_steps(
    s: &mut impl Session,
    id: PolicyMatchId,
) -> Result<Vec<MatchStep>, WorkflowError> {
    s.fetch_all(
        "SELECT * FROM pol_match_steps WHERE match_id = $1 ORDER BY id",
        binds![id.0],
    )
    .await?
    .iter()
    .map(decode_step)
    .collect()
}

/// Applies a redemption step the domain decided, on `on` (China's day):
/// the match moves from `expected_version` or not at all; its step and
/// audit entry are written with it.
#[tracing::instrument(skip_all, fields(id = id.0, expected_version, action = %transition.action))]
pub(crate) async fn apply_step(
    s: &mut impl Session,
    id: PolicyMatchId,
    expected_version: i64,
    transition: &RedemptionTransition,
    on: Date,
    acting: &Acting,
) -> Result<PolicyMatch, WorkflowError> {
    let before = get_match(s, id).await?.ok_or(WorkflowError::NotFound)?;
    if before.version != expected_version || before.state != transition.from {
        return Err(WorkflowError::VersionConflict {
            expected: expected_version,
            actual: before.version,
        });
    }
    let mut after = before.clone();
    after.state = transition.to;
    let text = transition.text.clone();
    match transition.action {
        RedemptionAction::Push => after.pushed_on = Some(on),
        RedemptionAction::Apply => {
            after.applied_on = Some(on);
            after.note = text.clone();
        }
        RedemptionAction::Grant | RedemptionAction::Approve => after.decided_on = Some(on),
        RedemptionAction::Reject => {
            after.decided_on = Some(on);
            after.reason = text.clone();
        }
        RedemptionAction::Pay => after.paid_on = Some(on),
        RedemptionAction::Review => {}
    }
    let done = s
        .execute(
            "UPDATE pol_matches SET state = $1, reason = $2, note = $3, pushed_on = $4, \
             applied_on = $5, decided_on = $6, paid_on = $7, updated_at = $8, \
             version = version + 1 WHERE id = $9 AND version = $10",
            binds![
                after.state.as_str(),
                after.reason.as_deref(),
                after.note.as_deref(),
                after.pushed_on,
                after.applied_on,
                after.decided_on,
                after.paid_on,
                acting.at,
                id.0,
                expected_version,
            ],
        )
        .await?;
    if done != 1 {
        return Err(conflict(s, "pol_matches", id.0, expected_version).await);
    }
    add_step(
        s,
        id,
        transition.action,
        (transition.from, transition.to),
        text.as_deref(),
        acting,
    )
    .await?;
    let stored = get_match(s, id).await?.ok_or(WorkflowError::NotFound)?;
    append(
        s,
        record(
            acting,
            &format!("policy_match.{}", transition.action),
            format!("policy_match:{id}"),
            filed_under(&stored.placement),
            Some(&before),
            Some(&stored),
        ),
    )
    .await?;
    Ok(stored)
}

/// Marks match `id` read by the acting account: the first reading is
/// written (and audited) once; a later one changes nothing. Whether this
/// reading was the first.
#[tracing::instrument(skip_all, fields(id = id.0))]
pub(crate) async fn mark_read(
    s: &mut impl Session,
    id: PolicyMatchId,
    acting: &Acting,
) -> Result<bool, WorkflowError> {
    let account = acting.actor.ok_or_else(|| {
        WorkflowError::Corrupt("a match is read only by a signed-in account".into())
    })?;
    let found = get_match(s, id).await?.ok_or(WorkflowError::NotFound)?;
    let inserted = s
        .fetch_optional(
            "INSERT INTO pol_match_reads (match_id, account_id, read_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, match_id) DO NOTHING RETURNING match_id",
            binds![id.0, account.0, acting.at],
        )
        .await?
        .is_some();
    if inserted {
        let read = MatchRead {
            r#match: id,
            account,
            read_at: acting.at,
        };
        append(
            s,
            record(
                acting,
                "policy_match.read",
                format!("policy_match:{id}"),
                filed_under(&found.placement),
                None::<&MatchRead>,
                Some(&read),
            ),
        )
        .await?;
    }
    Ok(inserted)
}

/// Of `matches`, those `account` has read.
pub(crate) async fn read_by(
    s: &mut impl Session,
    account: hatchery_core::workflow::AccountId,
    matches: &[PolicyMatchId],
) -> Result<Vec<PolicyMatchId>, WorkflowError> {
    let (Some(low), Some(high)) = (
        matches.iter().map(|m| m.0).min(),
        matches.iter().map(|m| m.0).max(),
    ) else {
        return Ok(Vec::new());
    };
    let wanted: std::collections::HashSet<i64> = matches.iter().map(|m| m.0).collect();
    let mut read = Vec::new();
    for row in s
        .fetch_all(
            "SELECT match_id FROM pol_match_reads \
             WHERE account_id = $1 AND match_id >= $2 AND match_id <= $3",
            binds![account.0, low, high],
        )
        .await?
    {
        let id: i64 = row.get("match_id")?;
        if wanted.contains(&id) {
            read.push(PolicyMatchId(id));
        }
    }
    Ok(read)
}
