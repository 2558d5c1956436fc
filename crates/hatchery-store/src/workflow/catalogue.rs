//! The service catalogue as stored: providers with their flags, menu
//! versions and their items, yearly service packages.

use hatchery_core::EnterpriseId;
use hatchery_core::services::catalogue::{
    ItemForm, ItemId, MenuForm, MenuId, MenuState, PackageForm, PackageId, ProviderFlags,
    ProviderForm, ProviderId,
};
use hatchery_core::workflow::{AccountId, Jurisdiction, Placement};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A provider as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    pub id: ProviderId,
    /// The jurisdiction that registered it (and manages its flags).
    pub jurisdiction: Jurisdiction,
    pub form: ProviderForm,
    pub flags: ProviderFlags,
    /// The written reason of the last change of flags.
    pub flags_reason: Option<String>,
    pub created_by: AccountId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A menu version as stored (its items apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Menu {
    pub id: MenuId,
    /// The id of the menu's first version: every version shares it.
    pub series: MenuId,
    /// 1 for the first version, then 2, 3, …
    pub number: i64,
    pub jurisdiction: Jurisdiction,
    pub form: MenuForm,
    pub state: MenuState,
    pub published_on: Option<Date>,
    pub created_by: AccountId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// An item of a menu version as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuItem {
    pub id: ItemId,
    pub menu: MenuId,
    pub form: ItemForm,
}

/// A yearly service package as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub id: PackageId,
    pub enterprise: EnterpriseId,
    /// Where the enterprise sat when the package was composed.
    pub placement: Placement,
    pub form: PackageForm,
    pub created_by: AccountId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A package to compose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPackage {
    pub enterprise: EnterpriseId,
    pub placement: Placement,
    pub form: PackageForm,
}
