//! What the API sends: response bodies, with the conversions from domain and
//! store types. Kept apart from the domain so the wire format is a contract
//! of its own (snapshot-tested through the OpenAPI document).

pub mod requests;

use hatchery_core::criteria::{Check, ClauseOutcome, Decision, TierOutcome};
use hatchery_core::workflow::{
    ActionKind, CredentialId, DeclarationState, EvidenceId, ExitCause, Language, ObjectionId,
    Placement, PoolMemberId, ProposalId, Role, Scope, ZoneKind,
};
use hatchery_store::workflow::{
    Account, Credential, Declaration, Evidence, MemberStatus, Objection, PoolMember, PoolProposal,
    ProposalStatus, Quota, Step, StoredZone,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

// The closed sets the store defines are mirrored here, with an exhaustive
// conversion each way, so that the OpenAPI document lists their values
// without the store crate depending on utoipa. The core's own sets (roles,
// states, actions, exit causes, zone kinds) derive `ToSchema` behind its
// `openapi` feature.

/// Whether a pool membership holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = MemberStatus)]
pub enum MemberStatusKey {
    Active,
    /// Left the pool, with a cause.
    Exited,
    /// Replaced by a later confirmation for the same enterprise.
    Superseded,
}

impl From<MemberStatus> for MemberStatusKey {
    fn from(status: MemberStatus) -> Self {
        match status {
            MemberStatus::Active => Self::Active,
            MemberStatus::Exited => Self::Exited,
            MemberStatus::Superseded => Self::Superseded,
        }
    }
}

impl From<MemberStatusKey> for MemberStatus {
    fn from(key: MemberStatusKey) -> Self {
        match key {
            MemberStatusKey::Active => Self::Active,
            MemberStatusKey::Exited => Self::Exited,
            MemberStatusKey::Superseded => Self::Superseded,
        }
    }
}

/// Whether a re-evaluation's proposal has been decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ProposalStatus)]
pub enum ProposalStatusKey {
    Pending,
    Accepted,
    Dismissed,
}

impl From<ProposalStatus> for ProposalStatusKey {
    fn from(status: ProposalStatus) -> Self {
        match status {
            ProposalStatus::Pending => Self::Pending,
            ProposalStatus::Accepted => Self::Accepted,
            ProposalStatus::Dismissed => Self::Dismissed,
        }
    }
}

impl From<ProposalStatusKey> for ProposalStatus {
    fn from(key: ProposalStatusKey) -> Self {
        match key {
            ProposalStatusKey::Pending => Self::Pending,
            ProposalStatusKey::Accepted => Self::Accepted,
            ProposalStatusKey::Dismissed => Self::Dismissed,
        }
    }
}

/// The kind of an account's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    All,
    Province,
    City,
    District,
    Zone,
    Enterprise,
}

/// Where something sits among the jurisdictions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlacementView {
    /// Province code, e.g. `440000`.
    pub province: Option<String>,
    /// City code, e.g. `440300` (for a municipality, the municipality).
    pub city: Option<String>,
    /// District code, e.g. `440305`.
    pub district: Option<String>,
    /// National zone id.
    pub zone: Option<String>,
}

impl From<&Placement> for PlacementView {
    fn from(p: &Placement) -> Self {
        Self {
            province: p.province.map(|c| c.to_string()),
            city: p.city.map(|c| c.to_string()),
            district: p.district.map(|c| c.to_string()),
            zone: p.zone.as_ref().map(ToString::to_string),
        }
    }
}

/// What an account may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScopeView {
    pub kind: ScopeKind,
    /// The code, zone id or enterprise id (absent for `all`).
    pub value: Option<String>,
}

impl From<&Scope> for ScopeView {
    fn from(scope: &Scope) -> Self {
        let (kind, value) = match scope {
            Scope::All => (ScopeKind::All, None),
            Scope::Province(c) => (ScopeKind::Province, Some(c.to_string())),
            Scope::City(c) => (ScopeKind::City, Some(c.to_string())),
            Scope::District(c) => (ScopeKind::District, Some(c.to_string())),
            Scope::Zone(z) => (ScopeKind::Zone, Some(z.to_string())),
            Scope::Enterprise(e) => (ScopeKind::Enterprise, Some(e.to_string())),
        };
        Self { kind, value }
    }
}

/// An account (never its password).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// `CN`, a division code or `zone:ID`.
    pub jurisdiction: String,
    /// The enterprise of an enterprise account.
    pub enterprise: Option<String>,
    pub disabled: bool,
    /// The password was set by someone else (an administrator, or the
    /// operator with `hatchery admin create-user`): until the account changes
    /// it, every request but the password change and sign-out answers 403
    /// `password_change_required`.
    pub must_change_password: bool,
    /// The language the account reads pages in (`zh-CN`, `en`); `null`:
    /// not chosen.
    pub language: Option<Language>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Send it back to change the account.
    pub version: i64,
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id.0,
            username: a.username.to_string(),
            display_name: a.display_name.clone(),
            role: a.role,
            jurisdiction: a.jurisdiction.to_string(),
            enterprise: a.enterprise.as_ref().map(ToString::to_string),
            disabled: a.disabled,
            must_change_password: a.must_change_password,
            language: a.language,
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
        }
    }
}

/// An API token (its secret is shown once, when it is created).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenView {
    #[schema(value_type = i64)]
    pub id: CredentialId,
    pub name: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl From<&Credential> for TokenView {
    fn from(c: &Credential) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            created_at: c.created_at,
            expires_at: c.expires_at,
        }
    }
}

/// A national zone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZoneView {
    pub id: String,
    pub name: String,
    pub kind: ZoneKind,
    pub city: String,
    pub city_name: String,
    pub province: String,
    pub district: Option<String>,
    pub aliases: Vec<String>,
    pub version: i64,
}

impl From<&StoredZone> for ZoneView {
    fn from(s: &StoredZone) -> Self {
        let z = &s.zone;
        Self {
            id: z.id.to_string(),
            name: z.name.clone(),
            kind: z.kind,
            city: z.city.to_string(),
            city_name: z.city.display_name(),
            province: z.province().to_string(),
            district: z.district.map(|d| d.to_string()),
            aliases: z.aliases.clone(),
            version: s.version,
        }
    }
}

/// One condition, checked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckView {
    /// The kind of condition, e.g. `valuation_at_least`.
    pub condition: String,
    /// What it requires, e.g. `valuation ≥ 1,000,000,000 USD`.
    pub requirement: String,
    /// What was found.
    pub found: String,
    /// What it requires, in Chinese (`估值 ≥ 1,000,000,000 USD`).
    pub requirement_zh: String,
    /// What was found, in Chinese.
    pub found_zh: String,
    pub passed: bool,
}

/// One clause of a tier, checked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClauseView {
    pub label: Option<String>,
    pub checks: Vec<CheckView>,
    pub holds: bool,
}

/// One tier, checked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TierCheckView {
    pub tier: String,
    pub name: String,
    pub name_en: String,
    pub clauses: Vec<ClauseView>,
    pub matched: bool,
}

/// An enterprise's tier as of a day under a rule set, with every reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    pub enterprise: String,
    pub rule_set: String,
    pub rule_set_version: String,
    pub as_of: Date,
    /// The tier's key, or null when no tier applies.
    pub tier: Option<String>,
    /// The conditions every tier requires.
    pub requirements: Vec<CheckView>,
    /// The tiers in order, down to the one that matched.
    pub tiers: Vec<TierCheckView>,
}

fn check(c: &Check) -> CheckView {
    CheckView {
        condition: c.condition.clone(),
        requirement: c.requirement.clone(),
        found: c.found.clone(),
        requirement_zh: c.requirement_zh.clone(),
        found_zh: c.found_zh.clone(),
        passed: c.passed,
    }
}

fn clause(c: &ClauseOutcome) -> ClauseView {
    ClauseView {
        label: c.label.clone(),
        checks: c.checks.iter().map(check).collect(),
        holds: c.holds,
    }
}

fn tier(t: &TierOutcome) -> TierCheckView {
    TierCheckView {
        tier: t.tier.clone(),
        name: t.name.clone(),
        name_en: t.name_en.clone(),
        clauses: t.clauses.iter().map(clause).collect(),
        matched: t.matched,
    }
}

impl DecisionView {
    /// The view of a decision about `enterprise`.
    pub fn new(enterprise: &str, d: &Decision) -> Self {
        Self {
            enterprise: enterprise.to_owned(),
            rule_set: d.rule_set.clone(),
            rule_set_version: d.rule_set_version.clone(),
            as_of: d.as_of,
            tier: d.tier.clone(),
            requirements: d.requirements.iter().map(check).collect(),
            tiers: d.tiers.iter().map(tier).collect(),
        }
    }
}

/// A declaration.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeclarationView {
    pub id: i64,
    pub enterprise: String,
    pub enterprise_name: Option<String>,
    /// The cultivation cycle (year).
    pub cycle: i16,
    pub tier: String,
    pub rule_set: String,
    pub rule_set_version: String,
    pub state: DeclarationState,
    pub summary: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub placement: PlacementView,
    /// The engine's explained decision attached at the last submission.
    #[schema(value_type = Option<Object>)]
    pub precheck: Option<serde_json::Value>,
    pub notice_first: Option<Date>,
    pub notice_last: Option<Date>,
    pub created_by: i64,
    pub submitted_by: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Send it back with every change.
    pub version: i64,
}

impl DeclarationView {
    /// The view of `d`, naming the enterprise when known.
    pub fn new(d: &Declaration, enterprise_name: Option<String>) -> Self {
        Self {
            id: d.id.0,
            enterprise: d.enterprise.to_string(),
            enterprise_name,
            cycle: d.cycle,
            tier: d.tier.clone(),
            rule_set: d.rule_set.clone(),
            rule_set_version: d.rule_set_version.clone(),
            state: d.state,
            summary: d.form.summary.clone(),
            contact_name: d.form.contact_name.clone(),
            contact_phone: d.form.contact_phone.clone(),
            placement: (&d.placement).into(),
            precheck: d.precheck.clone(),
            notice_first: d.notice.map(|(f, _)| f),
            notice_last: d.notice.map(|(_, l)| l),
            created_by: d.created_by.0,
            submitted_by: d.submitted_by.map(|a| a.0),
            created_at: d.created_at,
            updated_at: d.updated_at,
            version: d.version,
        }
    }
}

/// One step of a declaration's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepView {
    pub action: ActionKind,
    pub from: DeclarationState,
    pub to: DeclarationState,
    /// Who took the step; `null` for the enterprise's own view of an
    /// objection's steps (objectors are protected).
    pub actor: Option<i64>,
    pub actor_name: Option<String>,
    pub at: Timestamp,
    pub reason: Option<String>,
}

impl From<&Step> for StepView {
    fn from(s: &Step) -> Self {
        Self {
            action: s.action,
            from: s.from,
            to: s.to,
            actor: s.actor.map(|a| a.0),
            actor_name: Some(s.actor_name.clone()),
            at: s.at,
            reason: s.reason.clone(),
        }
    }
}

/// An evidence file's record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceView {
    #[schema(value_type = i64)]
    pub id: EvidenceId,
    pub name: String,
    /// The media type.
    pub content_type: String,
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    pub uploaded_by: i64,
    pub uploaded_at: Timestamp,
}

impl From<&Evidence> for EvidenceView {
    fn from(e: &Evidence) -> Self {
        Self {
            id: e.id,
            name: e.name.clone(),
            content_type: e.kind.media_type().to_owned(),
            size: e.size,
            sha256: e.sha256.clone(),
            uploaded_by: e.uploaded_by.0,
            uploaded_at: e.uploaded_at,
        }
    }
}

/// An objection lodged during a public notice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObjectionView {
    #[schema(value_type = i64)]
    pub id: ObjectionId,
    /// The account that lodged it: shown to officials; `null` for the
    /// enterprise, and for an objection from a member of the public.
    pub lodged_by: Option<i64>,
    /// A member of the public who lodged it without an account: shown to
    /// officials, `null` for the enterprise.
    pub objector: Option<ObjectorView>,
    /// The file the objector attached (`GET
    /// /api/declarations/{id}/objections/{objection}/attachment`): shown to
    /// officials, `null` for the enterprise.
    pub attachment: Option<AttachmentView>,
    pub lodged_at: Timestamp,
    /// The grounds as lodged: officials only. `null` for the enterprise,
    /// which reads instead what the officials decide to tell it of them:
    /// their written `resolution` (the grounds may name or betray the
    /// objector, so they never reach the enterprise verbatim).
    pub text: Option<String>,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<Timestamp>,
    /// Whether the objection was upheld (which rejects the declaration).
    pub upheld: Option<bool>,
    pub resolution: Option<String>,
}

/// A member of the public who objected.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObjectorView {
    pub name: String,
    /// A telephone number or an e-mail address.
    pub contact: String,
}

/// A file attached to an objection.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentView {
    pub name: String,
    /// `application/pdf`, `image/png` or `image/jpeg`.
    pub media_type: String,
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

impl From<&Objection> for ObjectionView {
    fn from(o: &Objection) -> Self {
        Self {
            id: o.id,
            lodged_by: o.lodged_by.map(|a| a.0),
            objector: o.objector.as_ref().map(|p| ObjectorView {
                name: p.name.clone(),
                contact: p.contact.clone(),
            }),
            attachment: o.attachment.as_ref().map(|a| AttachmentView {
                name: a.name.clone(),
                media_type: a.kind.media_type().to_owned(),
                size: a.size,
                sha256: a.sha256.clone(),
            }),
            lodged_at: o.lodged_at,
            text: Some(o.text.clone()),
            resolved_by: o.resolved_by.map(|a| a.0),
            resolved_at: o.resolved_at,
            upheld: o.upheld,
            resolution: o.resolution.clone(),
        }
    }
}

/// A declaration with its history, evidence and objections.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeclarationDetail {
    pub declaration: DeclarationView,
    /// The steps the caller may take now, as the workflow decides them
    /// (`return`, `reject` and `resolve_objection` need a reason; objecting
    /// is on the notice).
    pub actions: Vec<ActionKind>,
    pub steps: Vec<StepView>,
    pub evidence: Vec<EvidenceView>,
    pub objections: Vec<ObjectionView>,
}

impl DeclarationDetail {
    /// The view of the enterprise itself: it sees that each objection
    /// exists, when it was lodged, its outcome and the officials' written
    /// resolution, but never the grounds as lodged nor who lodged it — neither in the objection nor in the steps of
    /// objecting and resolving (objectors during publicity are protected).
    pub fn without_objectors(mut self) -> Self {
        let objection_steps = [ActionKind::Object, ActionKind::ResolveObjection];
        for step in &mut self.steps {
            if objection_steps.contains(&step.action) {
                step.actor = None;
                step.actor_name = None;
            }
            // The objecting step carries the grounds as lodged; the resolving
            // step's reason is the officials' resolution, which it reads.
            if step.action == ActionKind::Object {
                step.reason = None;
            }
        }
        for objection in &mut self.objections {
            objection.lodged_by = None;
            objection.text = None;
            objection.objector = None;
            objection.attachment = None;
            objection.resolved_by = None;
        }
        self
    }
}

/// A declaration under public notice, as the public sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeView {
    pub declaration: i64,
    pub enterprise: String,
    pub enterprise_name: Option<String>,
    pub cycle: i16,
    pub tier: String,
    pub province: Option<String>,
    pub notice_first: Option<Date>,
    pub notice_last: Option<Date>,
    /// Send it back when lodging an objection.
    pub version: i64,
}

impl NoticeView {
    /// The public view of `d`.
    pub fn new(d: &Declaration, enterprise_name: Option<String>) -> Self {
        Self {
            declaration: d.id.0,
            enterprise: d.enterprise.to_string(),
            enterprise_name,
            cycle: d.cycle,
            tier: d.tier.clone(),
            province: d.placement.province.map(|p| p.to_string()),
            notice_first: d.notice.map(|(f, _)| f),
            notice_last: d.notice.map(|(_, l)| l),
            version: d.version,
        }
    }
}

/// A province's recommendation quota.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuotaView {
    pub province: String,
    pub cycle: i16,
    pub tier: String,
    pub limit: u32,
    pub used: u32,
}

impl From<&Quota> for QuotaView {
    fn from(q: &Quota) -> Self {
        Self {
            province: q.province.to_string(),
            cycle: q.cycle,
            tier: q.tier.clone(),
            limit: q.limit,
            used: q.used,
        }
    }
}

/// A membership of the national cultivation pool.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    #[schema(value_type = i64)]
    pub id: PoolMemberId,
    pub enterprise: String,
    pub enterprise_name: Option<String>,
    pub tier: String,
    pub rule_set: String,
    pub rule_set_version: String,
    pub cycle: i16,
    pub placement: PlacementView,
    pub declaration: Option<i64>,
    pub valid_from: Date,
    pub valid_until: Date,
    pub status: MemberStatusKey,
    /// Why it left (`listed` is a graduation, not a failure).
    pub exit_cause: Option<ExitCause>,
    pub exited_on: Option<Date>,
    pub version: i64,
}

impl MemberView {
    /// The view of `m`.
    pub fn new(m: &PoolMember, enterprise_name: Option<String>) -> Self {
        Self {
            id: m.id,
            enterprise: m.enterprise.to_string(),
            enterprise_name,
            tier: m.tier.clone(),
            rule_set: m.rule_set.clone(),
            rule_set_version: m.rule_set_version.clone(),
            cycle: m.cycle,
            placement: (&m.placement).into(),
            declaration: m.declaration.map(|d| d.0),
            valid_from: m.valid_from,
            valid_until: m.valid_until,
            status: m.status.into(),
            exit_cause: m.exit_cause,
            exited_on: m.exited_on,
            version: m.version,
        }
    }
}

/// A re-evaluation's proposal for one member.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalView {
    #[schema(value_type = i64)]
    pub id: ProposalId,
    #[schema(value_type = i64)]
    pub member: PoolMemberId,
    pub enterprise: String,
    pub enterprise_name: Option<String>,
    pub placement: PlacementView,
    /// `promotion`, `demotion`, `exit` or `re_review`, with its particulars.
    #[schema(value_type = Object)]
    pub proposal: serde_json::Value,
    /// The engine's explained decision behind it.
    #[schema(value_type = Object)]
    pub decision: serde_json::Value,
    pub as_of: Date,
    pub status: ProposalStatusKey,
    pub created_at: Timestamp,
    pub decided_by: Option<i64>,
    pub decided_at: Option<Timestamp>,
    pub reason: Option<String>,
    pub version: i64,
}

impl ProposalView {
    /// The view of `p`.
    pub fn new(p: &PoolProposal, enterprise_name: Option<String>) -> Self {
        Self {
            id: p.id,
            member: p.member,
            enterprise: p.enterprise.to_string(),
            enterprise_name,
            placement: (&p.placement).into(),
            proposal: serde_json::to_value(&p.kind).unwrap_or(serde_json::Value::Null),
            decision: p.decision.clone(),
            as_of: p.as_of,
            status: p.status.into(),
            created_at: p.created_at,
            decided_by: p.decided_by.map(|a| a.0),
            decided_at: p.decided_at,
            reason: p.reason.clone(),
            version: p.version,
        }
    }
}
