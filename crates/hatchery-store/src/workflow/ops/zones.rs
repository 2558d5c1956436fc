//! National zones and administrator-added rule sets.

use hatchery_core::DivisionCode;
use hatchery_core::workflow::{Placement, Zone, ZoneId, ZoneKind};

use super::audit::append;
use super::codec::{
    filed_under, get_json, get_key, get_opt_account, get_opt_parsed, get_parsed, json, record,
    unique,
};
use crate::binds;
use crate::workflow::engine::{Row, Session};
use crate::workflow::{Acting, StoredRuleSet, StoredZone, WorkflowError};

fn decode(row: &impl Row) -> Result<StoredZone, WorkflowError> {
    Ok(StoredZone {
        zone: Zone {
            id: get_parsed(row, "id", "zone id", ZoneId::parse)?,
            name: row.get("name")?,
            kind: get_key(row, "kind", "zone kind", ZoneKind::parse)?,
            city: get_parsed(row, "city", "division code", DivisionCode::parse)?,
            district: get_opt_parsed(row, "district", "division code", DivisionCode::parse)?,
            aliases: get_json(row, "aliases")?,
        },
        version: row.get("version")?,
    })
}

#[tracing::instrument(skip_all, fields(id = id.as_str()))]
pub(crate) async fn get(
    s: &mut impl Session,
    id: &ZoneId,
) -> Result<Option<StoredZone>, WorkflowError> {
    s.fetch_optional("SELECT * FROM wf_zones WHERE id = $1", binds![id.as_str()])
        .await?
        .as_ref()
        .map(decode)
        .transpose()
}

async fn must_get(s: &mut impl Session, id: &ZoneId) -> Result<StoredZone, WorkflowError> {
    get(s, id).await?.ok_or(WorkflowError::NotFound)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn list(s: &mut impl Session) -> Result<Vec<StoredZone>, WorkflowError> {
    s.fetch_all("SELECT * FROM wf_zones ORDER BY id", &[])
        .await?
        .iter()
        .map(decode)
        .collect()
}

fn where_it_is(zone: &Zone) -> String {
    filed_under(&Placement::of(
        Some(zone.district.unwrap_or(zone.city)),
        None,
    ))
}

async fn insert(s: &mut impl Session, zone: &Zone) -> Result<bool, WorkflowError> {
    let done = s
        .execute(
            "INSERT INTO wf_zones (id, name, kind, city, district, aliases, version) \
             VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (id) DO NOTHING",
            binds![
                zone.id.as_str(),
                &zone.name,
                zone.kind.as_str(),
                zone.city.to_string(),
                zone.district.map(|d| d.to_string()),
                json(&zone.aliases),
            ],
        )
        .await?;
    Ok(done == 1)
}

#[tracing::instrument(skip_all, fields(zones = zones.len()))]
pub(crate) async fn seed(
    s: &mut impl Session,
    zones: &[Zone],
    acting: &Acting,
) -> Result<u64, WorkflowError> {
    let mut added = Vec::new();
    for zone in zones {
        if insert(s, zone).await? {
            added.push(zone.id.as_str());
        }
    }
    if !added.is_empty() {
        // One entry for the whole seeding: the list of ids added.
        append(
            s,
            record(
                acting,
                "zone.seed",
                "zones".to_owned(),
                "CN".to_owned(),
                None::<&()>,
                Some(&added),
            ),
        )
        .await?;
    }
    Ok(added.len() as u64)
}

#[tracing::instrument(skip_all, fields(id = zone.id.as_str()))]
pub(crate) async fn create(
    s: &mut impl Session,
    zone: &Zone,
    acting: &Acting,
) -> Result<StoredZone, WorkflowError> {
    if !insert(s, zone).await? {
        return Err(WorkflowError::Duplicate(format!(
            "a zone with id {} exists",
            zone.id
        )));
    }
    let stored = must_get(s, &zone.id).await?;
    append(
        s,
        record(
            acting,
            "zone.create",
            format!("zone:{}", zone.id),
            where_it_is(zone),
            None::<&()>,
            Some(&stored),
        ),
    )
    .await?;
    Ok(stored)
}

#[tracing::instrument(skip_all, fields(id = zone.id.as_str(), expected_version))]
pub(crate) async fn update(
    s: &mut impl Session,
    zone: &Zone,
    expected_version: i64,
    acting: &Acting,
) -> Result<StoredZone, WorkflowError> {
    let before = must_get(s, &zone.id).await?;
    if before.version != expected_version {
        return Err(WorkflowError::VersionConflict {
            expected: expected_version,
            actual: before.version,
        });
    }
    let done = s
        .execute(
            "UPDATE wf_zones SET name = $1, kind = $2, city = $3, district = $4, aliases = $5, \
             version = version + 1 WHERE id = $6 AND version = $7",
            binds![
                &zone.name,
                zone.kind.as_str(),
                zone.city.to_string(),
                zone.district.map(|d| d.to_string()),
                json(&zone.aliases),
                zone.id.as_str(),
                expected_version,
            ],
        )
        .await?;
    if done == 0 {
        // Another writer changed it after the read above.
        let now = must_get(s, &zone.id).await?;
        return Err(WorkflowError::VersionConflict {
            expected: expected_version,
            actual: now.version,
        });
    }
    let after = must_get(s, &zone.id).await?;
    append(
        s,
        record(
            acting,
            "zone.update",
            format!("zone:{}", zone.id),
            where_it_is(zone),
            Some(&before),
            Some(&after),
        ),
    )
    .await?;
    Ok(after)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn rule_sets(s: &mut impl Session) -> Result<Vec<StoredRuleSet>, WorkflowError> {
    s.fetch_all("SELECT * FROM wf_rule_sets ORDER BY key, version", &[])
        .await?
        .iter()
        .map(|row| {
            Ok(StoredRuleSet {
                key: row.get("key")?,
                version: row.get("version")?,
                source: row.get("source")?,
                added_by: get_opt_account(row, "added_by")?,
                added_at: row.get("added_at")?,
            })
        })
        .collect()
}

#[tracing::instrument(skip_all, fields(key = %rule_set.key, version = %rule_set.version))]
pub(crate) async fn add_rule_set(
    s: &mut impl Session,
    rule_set: &StoredRuleSet,
    acting: &Acting,
) -> Result<(), WorkflowError> {
    s.execute(
        "INSERT INTO wf_rule_sets (key, version, source, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5)",
        binds![
            &rule_set.key,
            &rule_set.version,
            &rule_set.source,
            rule_set.added_by.map(|a| a.0),
            rule_set.added_at,
        ],
    )
    .await
    .map_err(unique("a rule set with that key and version exists"))?;
    append(
        s,
        record(
            acting,
            "rule_set.add",
            format!("rule_set:{}@{}", rule_set.key, rule_set.version),
            "CN".to_owned(),
            None::<&()>,
            Some(rule_set),
        ),
    )
    .await?;
    Ok(())
}
