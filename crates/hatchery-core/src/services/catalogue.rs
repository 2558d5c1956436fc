//! The service catalogue (服务菜单): providers with their vetting flags,
//! versioned menus of service items per jurisdiction, and service packages
//! (服务包) bundling published items for one enterprise for one year.
//!
//! A menu is a series of versions (`上海 独角兽服务菜单 1.0`, `2.0`, …):
//!
//! ```text
//! draft ─publish─► published ─(the next version is published)─► superseded
//! ```
//!
//! A published menu's items are frozen: a change is a new version, a draft
//! copied from the last one. Which items an enterprise may use is decided
//! here, once: the published menus of its jurisdiction chain, the items
//! whose eligible tiers include its tier, never an item of a flagged
//! provider (on the dishonest-entity list, or suspended).

use std::collections::BTreeSet;
use std::fmt;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::request::FieldProblem;
use crate::uscc::Uscc;
use crate::workflow::jurisdiction::{Jurisdiction, Placement, Scope};

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A provider's number, as the store assigns it.
    ProviderId
);
id_type!(
    /// A menu version's number, as the store assigns it.
    MenuId
);
id_type!(
    /// A menu item's number, as the store assigns it (each version's items
    /// have their own: a copy is a new item).
    ItemId
);
id_type!(
    /// A service package's number, as the store assigns it.
    PackageId
);

/// A closed set with API keys and names in both languages.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => ($key:literal, $zh:literal, $en:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the order lists show them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The key used in the API and the store.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $key),+
                }
            }

            /// Parses [`Self::as_str`]'s output.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }

            /// The name in Chinese.
            pub fn name_zh(self) -> &'static str {
                match self {
                    $(Self::$variant => $zh),+
                }
            }

            /// The name in English.
            pub fn name_en(self) -> &'static str {
                match self {
                    $(Self::$variant => $en),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum! {
    /// What a service item is about: the union of the published menus'
    /// categories (research §9.3).
    ServiceCategory {
        Policy => ("policy", "政策服务", "Policy"),
        Financing => ("financing", "融资服务", "Financing"),
        Listing => ("listing", "上市服务", "Listing"),
        Restructuring => ("restructuring", "并购重组", "Mergers and restructuring"),
        Space => ("space", "空间保障", "Space"),
        Talent => ("talent", "人才服务", "Talent"),
        Market => ("market", "市场与场景", "Markets and scenarios"),
        InnovationPlatform => ("innovation_platform", "创新平台", "Innovation platforms"),
        IntellectualProperty => ("intellectual_property", "知识产权", "Intellectual property"),
        Digital => ("digital", "数字化转型", "Digital transformation"),
        Green => ("green", "绿色低碳", "Green and low-carbon"),
        Quality => ("quality", "质量标准品牌", "Quality, standards and brands"),
        IndustrialDesign => ("industrial_design", "工业设计", "Industrial design"),
        Collaboration => ("collaboration", "大中小企业融通", "Large and small firms together"),
        Overseas => ("overseas", "出海服务", "Going abroad"),
        Publicity => ("publicity", "媒体宣传", "Publicity"),
        Legal => ("legal", "法律服务", "Legal"),
    }
}

named_enum! {
    /// The tiers an item may be meant for. The keys are the tier keys of
    /// the shipped rule sets, so an enterprise's tier under a rule set maps
    /// onto them by key ([`ServiceTier::of_key`]).
    ServiceTier {
        Seed => ("seed", "种子独角兽", "Seed unicorn"),
        Potential => ("potential", "潜在独角兽", "Potential unicorn"),
        Unicorn => ("unicorn", "独角兽", "Unicorn"),
        SuperUnicorn => ("super_unicorn", "超级独角兽", "Super unicorn"),
    }
}

impl ServiceTier {
    /// The service tier of a rule set's tier key (`None` for a tier no
    /// menu targets, e.g. a list's `gazelle`).
    pub fn of_key(key: &str) -> Option<Self> {
        Self::parse(key)
    }
}

named_enum! {
    /// How a service is delivered.
    DeliveryForm {
        Online => ("online", "线上", "Online"),
        Offline => ("offline", "线下", "At an office"),
        OnSite => ("on_site", "上门", "On site"),
        Referral => ("referral", "转介", "Referral"),
    }
}

named_enum! {
    /// What kind of body a provider is.
    ProviderKind {
        Government => ("government", "政府部门", "Government department"),
        PublicInstitution => ("public_institution", "事业单位", "Public institution"),
        Firm => ("firm", "企业", "Firm"),
        Association => ("association", "协会/联盟", "Association"),
    }
}

named_enum! {
    /// Where a menu version stands.
    MenuState {
        /// Being composed; its items may change.
        Draft => ("draft", "草稿", "Draft"),
        /// In force; its items are frozen.
        Published => ("published", "已发布", "Published"),
        /// Replaced by a later published version of the same menu.
        Superseded => ("superseded", "已被替代", "Superseded"),
    }
}

named_enum! {
    /// The kinds of fee terms ([`FeeTerms`]).
    FeeKind {
        Free => ("free", "免费", "Free"),
        Fixed => ("fixed", "固定收费", "Fixed fee"),
        Negotiated => ("negotiated", "协商收费", "Negotiated"),
    }
}

/// What a service costs the enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FeeTerms {
    Free,
    /// A fixed fee in yuan (CNY), up to two decimal places.
    Fixed {
        amount_cny: Decimal,
    },
    Negotiated,
}

impl FeeTerms {
    pub fn kind(&self) -> FeeKind {
        match self {
            Self::Free => FeeKind::Free,
            Self::Fixed { .. } => FeeKind::Fixed,
            Self::Negotiated => FeeKind::Negotiated,
        }
    }

    /// Terms of `kind` with `amount` (required for a fixed fee, refused
    /// otherwise): the amount is positive yuan with at most two decimals.
    pub fn new(kind: FeeKind, amount: Option<Decimal>) -> Result<Self, FieldProblem> {
        let problem = |text: &str| FieldProblem {
            field: "fee_amount",
            problem: text.to_owned(),
        };
        match (kind, amount) {
            (FeeKind::Fixed, None) => Err(problem("a fixed fee needs its amount in yuan")),
            (FeeKind::Fixed, Some(amount)) => {
                if amount <= Decimal::ZERO {
                    Err(problem("a fixed fee is more than 0 yuan"))
                } else if amount.normalize().scale() > 2 {
                    Err(problem("yuan have at most two decimal places (fen)"))
                } else if amount > Decimal::from(100_000_000) {
                    Err(problem("at most 100,000,000 yuan"))
                } else {
                    Ok(Self::Fixed {
                        amount_cny: amount.normalize(),
                    })
                }
            }
            (_, Some(_)) => Err(problem("only a fixed fee has an amount")),
            (FeeKind::Free, None) => Ok(Self::Free),
            (FeeKind::Negotiated, None) => Ok(Self::Negotiated),
        }
    }

    pub fn amount(&self) -> Option<Decimal> {
        match self {
            Self::Fixed { amount_cny } => Some(*amount_cny),
            Self::Free | Self::Negotiated => None,
        }
    }
}

/// Most characters of a name or title.
pub const MAX_NAME_CHARS: usize = 200;
/// Most characters of a description, a note or a reason.
pub const MAX_TEXT_CHARS: usize = 2000;
/// The longest time limit an item may promise, in working days.
pub const MAX_TIME_LIMIT_DAYS: u16 = 250;
/// Most items of one menu version or one package.
pub const MAX_ITEMS: usize = 500;

fn check_text(
    field: &'static str,
    value: &str,
    limit: usize,
    required: bool,
) -> Option<FieldProblem> {
    let problem = |problem: String| FieldProblem { field, problem };
    if required && value.trim().is_empty() {
        return Some(problem("required".into()));
    }
    let count = value.chars().count();
    (count > limit).then(|| problem(format!("at most {limit} characters, found {count}")))
}

/// Why a catalogue step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    /// A field is missing, too long or not valid.
    #[error("{}: {}", .0.field, .0.problem)]
    Field(FieldProblem),
    /// The menu is published or superseded: its items are frozen.
    #[error("menu {menu} is {state}: its items are frozen; make a new version to change them")]
    Frozen { menu: MenuId, state: MenuState },
    /// Only a draft is published.
    #[error("menu {menu} is {state}; only a draft is published")]
    NotDraft { menu: MenuId, state: MenuState },
    /// A new version is made from a menu already in force (or replaced).
    #[error("menu {menu} is a draft; publish it before making its next version")]
    DraftHasNoNext { menu: MenuId },
    /// A draft without items is not published.
    #[error("menu {menu} has no items; add at least one before publishing")]
    Empty { menu: MenuId },
    /// The provider is flagged: it is not put in a new item or package.
    #[error("provider {provider} is flagged ({reason}); it cannot be offered")]
    FlaggedProvider {
        provider: ProviderId,
        reason: String,
    },
    /// The jurisdiction is outside the caller's.
    #[error("that jurisdiction is outside yours")]
    OutOfScope,
}

impl CatalogueError {
    fn field(field: &'static str, problem: impl Into<String>) -> Self {
        Self::Field(FieldProblem {
            field,
            problem: problem.into(),
        })
    }
}

/// A provider's vetting flags. A provider on the dishonest-entity list
/// (失信被执行人 / 严重失信主体名单) or suspended by its jurisdiction is
/// flagged: hidden from enterprises, refused in new items and packages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderFlags {
    /// Found on the dishonest-entity list at the last check.
    pub dishonest: bool,
    /// When the list was last checked, and where (e.g. 信用中国).
    pub checked_on: Option<Date>,
    pub check_source: Option<String>,
    /// Complaints received about it.
    pub complaints: u32,
    /// Suspended by the jurisdiction, with the reason.
    pub suspended: Option<String>,
}

/// Why a provider is hidden from enterprises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum Withdrawal {
    /// On the dishonest-entity list: the source and the day it was checked.
    Dishonest { source: String, checked_on: Date },
    /// Suspended by the jurisdiction, with its reason.
    Suspended { reason: String },
}

impl fmt::Display for Withdrawal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dishonest { source, checked_on } => {
                write!(f, "on the dishonest-entity list ({source}, {checked_on})")
            }
            Self::Suspended { reason } => write!(f, "suspended: {reason}"),
        }
    }
}

impl ProviderFlags {
    /// Checks the flags as set by an official: a dishonest finding names
    /// its source and date, a check names both or neither, a suspension
    /// its reason.
    pub fn validate(&self) -> Result<(), CatalogueError> {
        match (&self.checked_on, self.check_source.as_deref()) {
            (Some(_), Some(source)) => {
                if let Some(problem) = check_text("check_source", source, MAX_NAME_CHARS, true) {
                    return Err(CatalogueError::Field(problem));
                }
            }
            (None, None) if !self.dishonest => {}
            (None, _) => {
                return Err(CatalogueError::field(
                    "checked_on",
                    "the day the dishonest-entity list was checked is required",
                ));
            }
            (Some(_), None) => {
                return Err(CatalogueError::field(
                    "check_source",
                    "the list checked is required (e.g. 信用中国)",
                ));
            }
        }
        if let Some(reason) = &self.suspended
            && let Some(problem) = check_text("suspended_reason", reason, MAX_TEXT_CHARS, true)
        {
            return Err(CatalogueError::Field(problem));
        }
        Ok(())
    }

    /// Why the provider is hidden from enterprises, if it is.
    pub fn withdrawal(&self) -> Option<Withdrawal> {
        if let Some(reason) = &self.suspended {
            return Some(Withdrawal::Suspended {
                reason: reason.clone(),
            });
        }
        match (self.dishonest, self.checked_on, &self.check_source) {
            (true, Some(checked_on), Some(source)) => Some(Withdrawal::Dishonest {
                source: source.clone(),
                checked_on,
            }),
            // Validation keeps these together; a dishonest flag stays one
            // even if its details were lost.
            (true, _, _) => Some(Withdrawal::Dishonest {
                source: String::new(),
                checked_on: Date::constant(1970, 1, 1),
            }),
            (false, _, _) => None,
        }
    }

    pub fn is_flagged(&self) -> bool {
        self.withdrawal().is_some()
    }
}

/// A provider as registered: who offers a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderForm {
    pub name: String,
    pub kind: ProviderKind,
    /// The unified social credit code, checked (a government department
    /// may be registered without one).
    pub uscc: Option<Uscc>,
    /// A telephone, address or person to contact.
    pub contact: String,
}

impl ProviderForm {
    /// The form from what was typed: trims, checks lengths and the credit
    /// code's check character.
    pub fn new(
        name: &str,
        kind: ProviderKind,
        uscc: Option<&str>,
        contact: &str,
    ) -> Result<Self, CatalogueError> {
        let name = name.trim();
        let contact = contact.trim();
        if let Some(problem) = [
            check_text("name", name, MAX_NAME_CHARS, true),
            check_text("contact", contact, MAX_NAME_CHARS, true),
        ]
        .into_iter()
        .flatten()
        .next()
        {
            return Err(CatalogueError::Field(problem));
        }
        let uscc = match uscc.map(str::trim).filter(|u| !u.is_empty()) {
            Some(text) => {
                Some(Uscc::parse(text).map_err(|e| CatalogueError::field("uscc", e.to_string()))?)
            }
            None => None,
        };
        Ok(Self {
            name: name.to_owned(),
            kind,
            uscc,
            contact: contact.to_owned(),
        })
    }
}

/// What a menu version is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuForm {
    /// `上海 独角兽服务菜单`.
    pub title: String,
    /// `2.0`.
    pub label: String,
}

impl MenuForm {
    pub fn new(title: &str, label: &str) -> Result<Self, CatalogueError> {
        let (title, label) = (title.trim(), label.trim());
        if let Some(problem) = [
            check_text("title", title, MAX_NAME_CHARS, true),
            check_text("label", label, 20, true),
        ]
        .into_iter()
        .flatten()
        .next()
        {
            return Err(CatalogueError::Field(problem));
        }
        Ok(Self {
            title: title.to_owned(),
            label: label.to_owned(),
        })
    }
}

/// A service item of a menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemForm {
    pub category: ServiceCategory,
    pub title: String,
    pub description: String,
    pub provider: ProviderId,
    /// The tiers it is meant for, in order, each once.
    pub tiers: Vec<ServiceTier>,
    pub delivery: DeliveryForm,
    pub fee: FeeTerms,
    /// What the fee covers, discounts, who pays.
    pub fee_note: Option<String>,
    /// The promised time limit, in working days.
    pub time_limit_days: Option<u16>,
}

impl ItemForm {
    /// Checks what was typed and puts the tiers in order, each once.
    pub fn normalised(mut self) -> Result<Self, CatalogueError> {
        self.title = self.title.trim().to_owned();
        self.description = self.description.trim().to_owned();
        self.fee_note = self
            .fee_note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        if let Some(problem) = [
            check_text("title", &self.title, MAX_NAME_CHARS, true),
            check_text("description", &self.description, MAX_TEXT_CHARS, true),
            check_text(
                "fee_note",
                self.fee_note.as_deref().unwrap_or(""),
                MAX_TEXT_CHARS,
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .next()
        {
            return Err(CatalogueError::Field(problem));
        }
        let tiers: BTreeSet<ServiceTier> = self.tiers.iter().copied().collect();
        if tiers.is_empty() {
            return Err(CatalogueError::field(
                "tiers",
                "name at least one tier the item is for",
            ));
        }
        self.tiers = tiers.into_iter().collect();
        if let Some(days) = self.time_limit_days
            && !(1..=MAX_TIME_LIMIT_DAYS).contains(&days)
        {
            return Err(CatalogueError::field(
                "time_limit_days",
                format!("from 1 to {MAX_TIME_LIMIT_DAYS} working days"),
            ));
        }
        Ok(self)
    }

    /// Whether an enterprise of `tier` is eligible.
    pub fn is_for(&self, tier: Option<ServiceTier>) -> bool {
        tier.is_some_and(|t| self.tiers.contains(&t))
    }
}

/// May an item be added to (or changed in) a menu in `state`?
pub fn may_change_items(menu: MenuId, state: MenuState) -> Result<(), CatalogueError> {
    match state {
        MenuState::Draft => Ok(()),
        state => Err(CatalogueError::Frozen { menu, state }),
    }
}

/// May a menu in `state` with `items` items be published?
pub fn may_publish(menu: MenuId, state: MenuState, items: usize) -> Result<(), CatalogueError> {
    if state != MenuState::Draft {
        return Err(CatalogueError::NotDraft { menu, state });
    }
    if items == 0 {
        return Err(CatalogueError::Empty { menu });
    }
    Ok(())
}

/// May the next version be made from a menu in `state`? Only from one
/// published or superseded: a draft is still changed in place.
pub fn may_make_next_version(menu: MenuId, state: MenuState) -> Result<(), CatalogueError> {
    match state {
        MenuState::Draft => Err(CatalogueError::DraftHasNoNext { menu }),
        MenuState::Published | MenuState::Superseded => Ok(()),
    }
}

/// May a provider with these flags be put in a new item or package?
pub fn may_offer(provider: ProviderId, flags: &ProviderFlags) -> Result<(), CatalogueError> {
    match flags.withdrawal() {
        Some(reason) => Err(CatalogueError::FlaggedProvider {
            provider,
            reason: reason.to_string(),
        }),
        None => Ok(()),
    }
}

/// The jurisdictions whose menus an enterprise placed there sees: the
/// nation, its province, its city, its district and its zone.
pub fn jurisdiction_chain(placement: &Placement) -> Vec<Jurisdiction> {
    let mut chain = vec![Jurisdiction::Nation];
    let divisions = [placement.province, placement.city, placement.district];
    for code in divisions.into_iter().flatten() {
        let jurisdiction = Jurisdiction::Division(code);
        if !chain.contains(&jurisdiction) {
            chain.push(jurisdiction);
        }
    }
    if let Some(zone) = &placement.zone {
        chain.push(Jurisdiction::Zone(zone.clone()));
    }
    chain
}

/// Whether an official of `scope` manages what `jurisdiction` registered
/// (its menus, its providers' flags): the jurisdiction lies within the scope.
pub fn manages(scope: &Scope, jurisdiction: &Jurisdiction) -> bool {
    // A municipality (上海 310000) is a province and a city at once: its
    // city office manages what the municipality registered.
    let municipality = matches!(
        (scope, jurisdiction),
        (Scope::City(city), Jurisdiction::Division(code))
            if code.is_municipality() && city == code
    );
    municipality || scope.contains(&jurisdiction.scope())
}

/// Whether an official of `scope` sees what `jurisdiction` registered: it
/// lies within the scope, or above it (a city office sees the nation's
/// and its province's menus and providers, which its own menus may use).
pub fn sees(scope: &Scope, jurisdiction: &Jurisdiction) -> bool {
    manages(scope, jurisdiction) || jurisdiction.scope().contains(scope)
}

/// Whether an enterprise of `tier`, placed at `placement`, may use an item
/// of a menu of `jurisdiction` in `state` from a provider with `flags`.
pub fn enterprise_may_use(
    placement: &Placement,
    tier: Option<ServiceTier>,
    jurisdiction: &Jurisdiction,
    state: MenuState,
    item: &ItemForm,
    flags: &ProviderFlags,
) -> bool {
    state == MenuState::Published
        && jurisdiction_chain(placement).contains(jurisdiction)
        && item.is_for(tier)
        && !flags.is_flagged()
}

/// A package as composed: published items for one enterprise for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageForm {
    pub year: i16,
    pub items: Vec<ItemId>,
    pub note: Option<String>,
}

impl PackageForm {
    /// Checks the year (2000–2100), the items (at least one, each once,
    /// in order) and the note.
    pub fn new(year: i16, items: &[ItemId], note: Option<&str>) -> Result<Self, CatalogueError> {
        if !(2000..=2100).contains(&year) {
            return Err(CatalogueError::field("year", "a year from 2000 to 2100"));
        }
        let items: BTreeSet<ItemId> = items.iter().copied().collect();
        if items.is_empty() {
            return Err(CatalogueError::field("items", "choose at least one item"));
        }
        if items.len() > MAX_ITEMS {
            return Err(CatalogueError::field(
                "items",
                format!("at most {MAX_ITEMS} items"),
            ));
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if let Some(problem) = check_text("note", note.unwrap_or(""), MAX_TEXT_CHARS, false) {
            return Err(CatalogueError::Field(problem));
        }
        Ok(Self {
            year,
            items: items.into_iter().collect(),
            note: note.map(str::to_owned),
        })
    }
}

/// Checks the written reason of a flag change.
pub fn check_reason(reason: &str) -> Result<String, CatalogueError> {
    let reason = reason.trim();
    match check_text("reason", reason, MAX_TEXT_CHARS, true) {
        Some(problem) => Err(CatalogueError::Field(problem)),
        None => Ok(reason.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::division::DivisionCode;
    use crate::workflow::zone::ZoneId;

    fn item(tiers: &[ServiceTier]) -> ItemForm {
        ItemForm {
            category: ServiceCategory::Financing,
            title: " 科创贷 ".into(),
            description: "首贷贴息".into(),
            provider: ProviderId(1),
            tiers: tiers.to_vec(),
            delivery: DeliveryForm::Online,
            fee: FeeTerms::Free,
            fee_note: Some("  ".into()),
            time_limit_days: Some(5),
        }
    }

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    #[test]
    fn fee_terms_take_an_amount_only_when_fixed_and_in_fen() {
        let fixed = FeeTerms::new(FeeKind::Fixed, Some("1200.50".parse().unwrap())).unwrap();
        assert_eq!(fixed.amount(), Some("1200.5".parse().unwrap()));
        assert_eq!(FeeTerms::new(FeeKind::Free, None).unwrap(), FeeTerms::Free);
        assert_eq!(
            FeeTerms::new(FeeKind::Negotiated, None).unwrap(),
            FeeTerms::Negotiated
        );
        for (kind, amount) in [
            (FeeKind::Fixed, None),
            (FeeKind::Fixed, Some("0")),
            (FeeKind::Fixed, Some("-5")),
            (FeeKind::Fixed, Some("10.005")),
            (FeeKind::Free, Some("10")),
            (FeeKind::Negotiated, Some("10")),
        ] {
            let error = FeeTerms::new(kind, amount.map(|a| a.parse().unwrap())).unwrap_err();
            assert_eq!(error.field, "fee_amount", "{kind} {amount:?}");
        }
        // Trailing zeros are not extra precision.
        assert!(FeeTerms::new(FeeKind::Fixed, Some("99.9000".parse().unwrap())).is_ok());
        let json = serde_json::to_value(&fixed).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "fixed", "amount_cny": "1200.5"})
        );
    }

    #[test]
    fn items_are_trimmed_need_a_tier_and_keep_tiers_once_in_order() {
        use ServiceTier::*;
        let ok = item(&[Unicorn, Seed, Unicorn]).normalised().unwrap();
        assert_eq!(ok.title, "科创贷");
        assert_eq!(ok.tiers, vec![Seed, Unicorn]);
        assert_eq!(ok.fee_note, None);
        let Err(CatalogueError::Field(problem)) = item(&[]).normalised() else {
            panic!("an item without tiers was accepted");
        };
        assert_eq!(problem.field, "tiers");
        let mut slow = item(&[Seed]);
        slow.time_limit_days = Some(0);
        let Err(CatalogueError::Field(problem)) = slow.normalised() else {
            panic!("a time limit of 0 days was accepted");
        };
        assert_eq!(problem.field, "time_limit_days");
        let mut untitled = item(&[Seed]);
        untitled.title = "  ".into();
        assert!(matches!(
            untitled.normalised(),
            Err(CatalogueError::Field(FieldProblem { field: "title", .. }))
        ));
    }

    #[test]
    fn only_a_draft_changes_is_published_and_a_published_one_has_a_next_version() {
        let menu = MenuId(7);
        assert!(may_change_items(menu, MenuState::Draft).is_ok());
        for frozen in [MenuState::Published, MenuState::Superseded] {
            assert_eq!(
                may_change_items(menu, frozen),
                Err(CatalogueError::Frozen {
                    menu,
                    state: frozen
                })
            );
            assert!(may_publish(menu, frozen, 3).is_err());
            assert!(may_make_next_version(menu, frozen).is_ok());
        }
        assert_eq!(
            may_publish(menu, MenuState::Draft, 0),
            Err(CatalogueError::Empty { menu })
        );
        assert!(may_publish(menu, MenuState::Draft, 1).is_ok());
        assert_eq!(
            may_make_next_version(menu, MenuState::Draft),
            Err(CatalogueError::DraftHasNoNext { menu })
        );
    }

    #[test]
    fn flags_need_their_source_date_and_reason_and_hide_the_provider() {
        let clean = ProviderFlags::default();
        assert!(clean.validate().is_ok());
        assert!(!clean.is_flagged());
        let checked_clean = ProviderFlags {
            checked_on: Some(Date::constant(2026, 11, 2)),
            check_source: Some("信用中国".into()),
            ..ProviderFlags::default()
        };
        assert!(checked_clean.validate().is_ok());
        assert!(!checked_clean.is_flagged());
        assert!(may_offer(ProviderId(1), &checked_clean).is_ok());

        let dishonest = ProviderFlags {
            dishonest: true,
            ..checked_clean.clone()
        };
        assert!(dishonest.validate().is_ok());
        assert_eq!(
            dishonest.withdrawal(),
            Some(Withdrawal::Dishonest {
                source: "信用中国".into(),
                checked_on: Date::constant(2026, 11, 2)
            })
        );
        assert!(matches!(
            may_offer(ProviderId(1), &dishonest),
            Err(CatalogueError::FlaggedProvider { .. })
        ));
        let undated = ProviderFlags {
            dishonest: true,
            ..ProviderFlags::default()
        };
        assert!(matches!(
            undated.validate(),
            Err(CatalogueError::Field(FieldProblem {
                field: "checked_on",
                ..
            }))
        ));
        let unsourced = ProviderFlags {
            checked_on: Some(Date::constant(2026, 11, 2)),
            ..ProviderFlags::default()
        };
        assert!(matches!(
            unsourced.validate(),
            Err(CatalogueError::Field(FieldProblem {
                field: "check_source",
                ..
            }))
        ));
        let suspended = ProviderFlags {
            suspended: Some("  ".into()),
            ..ProviderFlags::default()
        };
        assert!(suspended.validate().is_err());
        let suspended = ProviderFlags {
            suspended: Some("多次投诉未整改".into()),
            complaints: 4,
            ..ProviderFlags::default()
        };
        assert!(suspended.validate().is_ok());
        assert_eq!(
            suspended.withdrawal().unwrap().to_string(),
            "suspended: 多次投诉未整改"
        );
        // Complaints alone are shown, not a reason to hide.
        let complained = ProviderFlags {
            complaints: 12,
            ..ProviderFlags::default()
        };
        assert!(!complained.is_flagged());
    }

    #[test]
    fn an_enterprise_sees_published_items_of_its_chain_for_its_tier_from_clean_providers() {
        use ServiceTier::*;
        let zone = ZoneId::parse("hz-310000-1").unwrap();
        let mut placement = Placement::of(Some(code("310115")), None);
        placement.zone = Some(zone.clone());
        let chain = jurisdiction_chain(&placement);
        assert_eq!(
            chain,
            vec![
                Jurisdiction::Nation,
                Jurisdiction::Division(code("310000")),
                Jurisdiction::Division(code("310115")),
                Jurisdiction::Zone(zone),
            ]
        );
        let shanghai = Jurisdiction::Division(code("310000"));
        let beijing = Jurisdiction::Division(code("110000"));
        let for_unicorns = item(&[Unicorn, SuperUnicorn]).normalised().unwrap();
        let clean = ProviderFlags::default();
        let may = |j: &Jurisdiction, state, tier, flags: &ProviderFlags| {
            enterprise_may_use(&placement, tier, j, state, &for_unicorns, flags)
        };
        assert!(may(&shanghai, MenuState::Published, Some(Unicorn), &clean));
        assert!(may(
            &Jurisdiction::Nation,
            MenuState::Published,
            Some(SuperUnicorn),
            &clean
        ));
        assert!(!may(&shanghai, MenuState::Draft, Some(Unicorn), &clean));
        assert!(!may(
            &shanghai,
            MenuState::Superseded,
            Some(Unicorn),
            &clean
        ));
        assert!(!may(&beijing, MenuState::Published, Some(Unicorn), &clean));
        assert!(!may(&shanghai, MenuState::Published, Some(Seed), &clean));
        assert!(!may(&shanghai, MenuState::Published, None, &clean));
        let suspended = ProviderFlags {
            suspended: Some("资质过期".into()),
            ..clean
        };
        assert!(!may(
            &shanghai,
            MenuState::Published,
            Some(Unicorn),
            &suspended
        ));
        assert_eq!(ServiceTier::of_key("super_unicorn"), Some(SuperUnicorn));
        assert_eq!(ServiceTier::of_key("gazelle"), None);
    }

    #[test]
    fn officials_manage_within_their_scope_and_see_above_it() {
        let city = Scope::City(code("310000"));
        let shanghai = Jurisdiction::Division(code("310000"));
        let pudong = Jurisdiction::Division(code("310115"));
        let beijing = Jurisdiction::Division(code("110000"));
        assert!(manages(&city, &shanghai));
        assert!(manages(&city, &pudong));
        assert!(!manages(&city, &Jurisdiction::Nation));
        assert!(sees(&city, &Jurisdiction::Nation));
        assert!(!sees(&city, &beijing));
        assert!(manages(&Scope::All, &beijing));
    }

    #[test]
    fn packages_need_a_year_and_items_once() {
        let form =
            PackageForm::new(2026, &[ItemId(3), ItemId(1), ItemId(3)], Some(" 重点 ")).unwrap();
        assert_eq!(form.items, vec![ItemId(1), ItemId(3)]);
        assert_eq!(form.note.as_deref(), Some("重点"));
        assert!(matches!(
            PackageForm::new(1999, &[ItemId(1)], None),
            Err(CatalogueError::Field(FieldProblem { field: "year", .. }))
        ));
        assert!(matches!(
            PackageForm::new(2026, &[], None),
            Err(CatalogueError::Field(FieldProblem { field: "items", .. }))
        ));
    }

    #[test]
    fn providers_check_the_credit_code() {
        assert!(
            ProviderForm::new(
                "上海市科创服务中心",
                ProviderKind::PublicInstitution,
                None,
                "021-1"
            )
            .is_ok()
        );
        let Err(CatalogueError::Field(problem)) = ProviderForm::new(
            "某公司",
            ProviderKind::Firm,
            Some("91310000MA1FL0000X"),
            "021-2",
        ) else {
            panic!("a bad credit code was accepted");
        };
        assert_eq!(problem.field, "uscc");
        assert!(ProviderForm::new(" ", ProviderKind::Firm, None, "x").is_err());
    }
}
