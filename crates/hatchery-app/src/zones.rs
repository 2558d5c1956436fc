//! Seeding the shipped list of national high-tech and development zones.

use hatchery_core::workflow::zone::{PlacementNote, Unplaced};
use hatchery_core::workflow::{seed_zones, shipped_zone_list};
use hatchery_store::workflow::{Acting, WorkflowError, WorkflowStore};
use serde::Serialize;

/// What seeding the shipped zone list did.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneSeedReport {
    /// Zones added (those already stored are left as they are).
    pub added: u64,
    /// Entries placed.
    pub placed: u64,
    /// Placed at city level only, with why.
    pub notes: Vec<PlacementNote>,
    /// Entries that could not be placed, with why.
    pub unplaced: Vec<Unplaced>,
}

/// Places the shipped list of national zones and adds those not stored yet.
pub async fn seed_shipped_zones(
    db: &dyn WorkflowStore,
    acting: &Acting,
) -> Result<ZoneSeedReport, WorkflowError> {
    let seed = seed_zones(&shipped_zone_list());
    let added = db.seed_zones(&seed.zones, acting).await?;
    Ok(ZoneSeedReport {
        added,
        placed: seed.zones.len() as u64,
        notes: seed.notes,
        unplaced: seed.unplaced,
    })
}
