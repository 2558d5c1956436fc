//! National zones and administrator-added rule sets.

use hatchery_core::workflow::{Placement, Zone, ZoneId, ZoneKind};
use hatchery_store::workflow::{Acting, StoredRuleSet, StoredZone, WorkflowError};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool};

use super::audit::append;
use super::codec::{
    Instant, cell, corrupt, db, division, filed_under, from_json, get_instant, get_opt_account,
    json, record, unique,
};

fn decode(row: &PgRow) -> Result<StoredZone, WorkflowError> {
    let id: &str = cell(row, "id")?;
    let kind: &str = cell(row, "kind")?;
    let aliases: &str = cell(row, "aliases")?;
    Ok(StoredZone {
        zone: Zone {
            id: ZoneId::parse(id).map_err(|_| corrupt("zone id", id))?,
            name: cell(row, "name")?,
            kind: ZoneKind::parse(kind).ok_or_else(|| corrupt("zone kind", kind))?,
            city: division(cell(row, "city")?)?,
            district: cell::<Option<&str>>(row, "district")?
                .map(division)
                .transpose()?,
            aliases: from_json("zone aliases", aliases)?,
        },
        version: cell(row, "version")?,
    })
}

pub(crate) async fn fetch(
    conn: &mut PgConnection,
    id: &ZoneId,
) -> Result<Option<StoredZone>, WorkflowError> {
    sqlx::query("SELECT * FROM wf_zones WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(conn)
        .await
        .map_err(db)?
        .as_ref()
        .map(decode)
        .transpose()
}

pub(crate) async fn list(pool: &PgPool) -> Result<Vec<StoredZone>, WorkflowError> {
    sqlx::query("SELECT * FROM wf_zones ORDER BY id")
        .fetch_all(pool)
        .await
        .map_err(db)?
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

async fn insert(conn: &mut PgConnection, zone: &Zone) -> Result<bool, WorkflowError> {
    let done = sqlx::query(
        "INSERT INTO wf_zones (id, name, kind, city, district, aliases, version) \
         VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (id) DO NOTHING",
    )
    .bind(zone.id.as_str())
    .bind(&zone.name)
    .bind(zone.kind.as_str())
    .bind(zone.city.to_string())
    .bind(zone.district.map(|d| d.to_string()))
    .bind(json(&zone.aliases))
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn seed(
    conn: &mut PgConnection,
    zones: &[Zone],
    acting: &Acting,
) -> Result<u64, WorkflowError> {
    let mut added = Vec::new();
    for zone in zones {
        if insert(conn, zone).await? {
            added.push(zone.id.as_str());
        }
    }
    if !added.is_empty() {
        // One entry for the whole seeding: the list of ids added.
        append(
            conn,
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

pub(crate) async fn create(
    conn: &mut PgConnection,
    zone: &Zone,
    acting: &Acting,
) -> Result<StoredZone, WorkflowError> {
    if !insert(conn, zone).await? {
        return Err(WorkflowError::Duplicate(format!(
            "a zone with id {} exists",
            zone.id
        )));
    }
    let stored = fetch(conn, &zone.id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    append(
        conn,
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

pub(crate) async fn update(
    conn: &mut PgConnection,
    zone: &Zone,
    expected_version: i64,
    acting: &Acting,
) -> Result<StoredZone, WorkflowError> {
    let before = fetch(conn, &zone.id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    if before.version != expected_version {
        return Err(WorkflowError::VersionConflict {
            expected: expected_version,
            actual: before.version,
        });
    }
    let done = sqlx::query(
        "UPDATE wf_zones SET name = $1, kind = $2, city = $3, district = $4, aliases = $5, \
         version = version + 1 WHERE id = $6 AND version = $7",
    )
    .bind(&zone.name)
    .bind(zone.kind.as_str())
    .bind(zone.city.to_string())
    .bind(zone.district.map(|d| d.to_string()))
    .bind(json(&zone.aliases))
    .bind(zone.id.as_str())
    .bind(expected_version)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 {
        // Another process changed it after the read above.
        let now = fetch(conn, &zone.id)
            .await?
            .ok_or(WorkflowError::NotFound)?;
        return Err(WorkflowError::VersionConflict {
            expected: expected_version,
            actual: now.version,
        });
    }
    let after = fetch(conn, &zone.id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    append(
        conn,
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

pub(crate) async fn rule_sets(pool: &PgPool) -> Result<Vec<StoredRuleSet>, WorkflowError> {
    let rows = sqlx::query("SELECT * FROM wf_rule_sets ORDER BY key, version")
        .fetch_all(pool)
        .await
        .map_err(db)?;
    rows.iter()
        .map(|row| {
            Ok(StoredRuleSet {
                key: cell(row, "key")?,
                version: cell(row, "version")?,
                source: cell(row, "source")?,
                added_by: get_opt_account(row, "added_by")?,
                added_at: get_instant(row, "added_at")?,
            })
        })
        .collect()
}

pub(crate) async fn add_rule_set(
    conn: &mut PgConnection,
    rule_set: &StoredRuleSet,
    acting: &Acting,
) -> Result<(), WorkflowError> {
    sqlx::query(
        "INSERT INTO wf_rule_sets (key, version, source, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&rule_set.key)
    .bind(&rule_set.version)
    .bind(&rule_set.source)
    .bind(rule_set.added_by.map(|a| a.0))
    .bind(Instant(rule_set.added_at))
    .execute(&mut *conn)
    .await
    .map_err(unique("a rule set with that key and version exists"))?;
    append(
        conn,
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
