//! Policies for enterprises (惠企政策): a jurisdiction writes a policy and its
//! items, publishes it, and the criteria engine matches the enterprises of
//! its jurisdiction to each item as of a day (the server's own ledger view
//! and kept classifications: one engine); matched enterprises read their
//! matches with the reasons, and each match moves through redemption, its
//! time to payment counted in China's working days.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use hatchery_core::criteria::{PoolStanding, Standing, TierStanding};
use hatchery_core::services::policy::{
    self, AmountRule, ItemClass, ItemForm, MatchFacts, MatchState, PaymentClock, PolicyForm,
    PolicyId, PolicyItemId, PolicyMatchId, PolicyState, RedemptionAction, RedemptionActor,
    RedemptionCommand, RedemptionError, RedemptionMode, decide_redemption, jurisdictions_above,
    jurisdictions_over, jurisdictions_over_zone, parse_eligibility, payment_clock, run_eligibility,
};
use hatchery_core::services::request::FieldProblem;
use hatchery_core::workflow::{Capability, Jurisdiction, Scope};
use hatchery_core::{EnterpriseId, RuleSet};
use hatchery_store::workflow::{
    MatchFilter, MatchStep, MatchesRecorded, MemberStatus, NewPolicy, NewPolicyItem,
    NewPolicyMatch, Page, Policy, PolicyFilter, PolicyItem, PolicyMatch, PoolFilter, WorkflowError,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Paged, Path, Query, page_window};
use crate::routes::named::name_of;
use crate::state::AppState;

impl From<RedemptionError> for ApiError {
    fn from(error: RedemptionError) -> Self {
        let message = error.to_string();
        match error {
            RedemptionError::NotPermitted { .. } => Self::forbidden(message),
            RedemptionError::OutOfScope => Self::not_found(),
            RedemptionError::InvalidState { .. } | RedemptionError::WrongMode { .. } => {
                Self::conflict("invalid_transition", message)
            }
            RedemptionError::Field(problem) => field_error(&problem),
        }
    }
}

/// A problem with one field: 422 naming it.
pub(crate) fn field_error(problem: &FieldProblem) -> ApiError {
    ApiError::invalid("invalid_field", problem.to_string())
        .with_details(serde_json::json!({ "field": problem.field }))
}

fn field_errors(problems: &[FieldProblem]) -> ApiError {
    let first = problems
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    let fields: Vec<serde_json::Value> = problems
        .iter()
        .map(|p| serde_json::json!({ "field": p.field, "problem": p.problem }))
        .collect();
    ApiError::invalid("invalid_field", first).with_details(serde_json::json!({
        "field": problems.first().map(|p| p.field),
        "problems": fields,
    }))
}

// ------------------------------------------------------------------ views

/// A policy as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyView {
    pub id: i64,
    /// The publishing jurisdiction: `CN`, a division code or `zone:ID`.
    pub jurisdiction: String,
    #[serde(flatten)]
    pub form: PolicyForm,
    pub state: PolicyState,
    pub withdraw_reason: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub version: i64,
}

impl From<&Policy> for PolicyView {
    fn from(p: &Policy) -> Self {
        Self {
            id: p.id.0,
            jurisdiction: p.jurisdiction.to_string(),
            form: p.form.clone(),
            state: p.state,
            withdraw_reason: p.withdraw_reason.clone(),
            created_at: p.created_at,
            version: p.version,
        }
    }
}

/// An item as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    pub id: i64,
    pub policy: i64,
    pub title: String,
    pub class: ItemClass,
    pub amount: AmountRule,
    pub mode: RedemptionMode,
    /// The limit in force (the item's own, else its mode's default).
    pub payment_limit_days: Option<u32>,
    /// The eligibility rule set, as written (TOML).
    pub eligibility: String,
}

impl From<&PolicyItem> for ItemView {
    fn from(i: &PolicyItem) -> Self {
        Self {
            id: i.id.0,
            policy: i.policy.0,
            title: i.form.title.clone(),
            class: i.form.class,
            amount: i.form.amount.clone(),
            mode: i.form.mode,
            payment_limit_days: i.payment_limit_days,
            eligibility: i.form.eligibility.clone(),
        }
    }
}

/// A policy with its items.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyDetail {
    pub policy: PolicyView,
    pub items: Vec<ItemView>,
    /// Whether the caller may add items, publish, withdraw and match it.
    pub manageable: bool,
}

/// One match as the API shows it: the enterprise, the item, the reasons,
/// where redemption stands and its clock.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchView {
    pub id: i64,
    pub policy: i64,
    pub policy_title: String,
    pub document_number: String,
    pub item: i64,
    pub item_title: String,
    pub mode: RedemptionMode,
    pub amount: AmountRule,
    pub enterprise: String,
    pub enterprise_name: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub as_of: Date,
    /// The engine's explained decision: every condition, what it required
    /// and what was found, in English and Chinese.
    #[schema(value_type = Object)]
    pub decision: serde_json::Value,
    pub state: MatchState,
    /// The written reason of a rejection.
    pub reason: Option<String>,
    pub note: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub pushed_on: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub applied_on: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub decided_on: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub paid_on: Option<Date>,
    /// Working days to payment against the item's limit (from application;
    /// 免申即享: from the push), once counting has started.
    pub clock: Option<PaymentClock>,
    /// The steps the caller may take now.
    pub actions: Vec<RedemptionAction>,
    /// New to the caller (新推送): pushed, and not yet read by this account
    /// (opening the match, or `POST /api/policy-matches/{id}/read`).
    pub new: bool,
    pub version: i64,
}

/// A match with its steps.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchDetail {
    #[serde(flatten)]
    pub r#match: MatchView,
    pub steps: Vec<MatchStepView>,
}

/// One redemption step.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchStepView {
    pub action: RedemptionAction,
    pub from: MatchState,
    pub to: MatchState,
    pub actor: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub text: Option<String>,
}

impl From<&MatchStep> for MatchStepView {
    fn from(s: &MatchStep) -> Self {
        Self {
            action: s.action,
            from: s.from,
            to: s.to,
            actor: s.actor_name.clone(),
            at: s.at,
            text: s.text.clone(),
        }
    }
}

/// What a matching run of one item did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemRun {
    pub item: i64,
    pub title: String,
    /// Enterprises the engine found eligible on the day.
    pub eligible: u64,
    /// New matches recorded (the others were matched before).
    pub created: u64,
    pub already: u64,
}

/// What a matching run did.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchRun {
    #[schema(value_type = String, format = Date)]
    pub as_of: Date,
    pub items: Vec<ItemRun>,
}

// ----------------------------------------------------------------- bodies

/// A version read, for a step that needs nothing else.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    pub version: i64,
}

/// A withdrawal: the version read and the reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawBody {
    pub version: i64,
    pub reason: String,
}

/// An item to add to a draft policy.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddItemBody {
    /// The policy's version read.
    pub version: i64,
    #[serde(flatten)]
    pub item: ItemForm,
}

/// A matching run.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchBody {
    /// The day to match as of (default: today in China).
    #[schema(value_type = Option<String>, format = Date)]
    pub as_of: Option<Date>,
}

/// A redemption step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchActionBody {
    /// The match's version read.
    pub version: i64,
    pub action: RedemptionAction,
    /// Why: required to reject.
    pub reason: Option<String>,
    /// The enterprise's note with its application.
    pub note: Option<String>,
}

/// Filters of the policy list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PolicyQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// Filters of the match list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MatchQuery {
    pub policy: Option<i64>,
    pub state: Option<MatchState>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

// ------------------------------------------------------------------ reach

/// Whether an official may write `policy`: it is published by the
/// caller's jurisdiction or one below it.
fn manages(caller: &Caller, policy: &Policy) -> bool {
    Capability::ManagePolicies.granted_to(caller.account.role)
        && caller.scope.contains(&policy.jurisdiction.scope())
}

/// The jurisdictions whose policies reach an enterprise account's
/// enterprise, where it sits today.
fn enterprise_reach(
    state: &AppState,
    view: &crate::state::LedgerView,
    enterprise: &EnterpriseId,
) -> Vec<Jurisdiction> {
    match view.position(enterprise) {
        Some(position) => jurisdictions_over(&view.placement(position, state.today())),
        None => vec![Jurisdiction::Nation],
    }
}

/// The filter of the policies `caller` reads.
async fn reach(state: &AppState, caller: &Caller, page: Page) -> Result<PolicyFilter, ApiError> {
    let published_only = !Capability::ManagePolicies.granted_to(caller.account.role);
    Ok(match &caller.scope {
        Scope::Enterprise(id) => {
            let view = state.ledger().await?;
            PolicyFilter {
                within: None,
                above: enterprise_reach(state, &view, id),
                published_only: true,
                page,
            }
        }
        Scope::Zone(zone) => {
            // A zone's place is in its record: the policies of its district,
            // city and province reach it, as they reach its enterprises.
            let view = state.ledger().await?;
            let above = view
                .zones
                .resolve(zone.as_str())
                .map_or_else(|| vec![Jurisdiction::Nation], jurisdictions_over_zone);
            PolicyFilter {
                within: Some(caller.scope.clone()),
                above,
                published_only,
                page,
            }
        }
        scope => PolicyFilter {
            within: Some(scope.clone()),
            above: jurisdictions_above(scope),
            published_only,
            page,
        },
    })
}

/// The policy `id` if the caller reads it.
pub(crate) async fn visible_policy(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<Policy, ApiError> {
    caller.require(Capability::ReadPolicies)?;
    let policy = state
        .db
        .policy(PolicyId(id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let filter = reach(
        state,
        caller,
        Page {
            offset: 0,
            limit: 1,
        },
    )
    .await?;
    let inside = filter
        .within
        .as_ref()
        .is_some_and(|scope| scope.contains(&policy.jurisdiction.scope()));
    let above = filter.above.contains(&policy.jurisdiction);
    let shown = (inside || above) && (!filter.published_only || policy.state != PolicyState::Draft);
    if shown {
        Ok(policy)
    } else {
        Err(ApiError::not_found())
    }
}

async fn managed_policy(state: &AppState, caller: &Caller, id: i64) -> Result<Policy, ApiError> {
    caller.require(Capability::ManagePolicies)?;
    let policy = visible_policy(state, caller, id).await?;
    if !manages(caller, &policy) {
        return Err(ApiError::forbidden(
            "only the publishing jurisdiction (or one above it) writes this policy",
        ));
    }
    Ok(policy)
}

fn stale(policy: &Policy, version: i64) -> Result<(), ApiError> {
    if policy.version == version {
        Ok(())
    } else {
        Err(ApiError::from(WorkflowError::VersionConflict {
            expected: version,
            actual: policy.version,
        })
        .with_details(serde_json::json!({
            "expected": version,
            "actual": policy.version,
            "current": PolicyView::from(policy),
        })))
    }
}

fn not_in(policy: &Policy, wanted: PolicyState, doing: &str) -> Result<(), ApiError> {
    if policy.state == wanted {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "invalid_transition",
            format!("cannot {doing} a policy that is {}", policy.state),
        ))
    }
}

// --------------------------------------------------------------- policies

/// Policies the caller reads: an official's jurisdiction's, those below it
/// and those above it that reach it; an enterprise's: the published
/// policies of every jurisdiction it lies in.
#[utoipa::path(
    get, path = "/api/policies", tag = "policies",
    params(PolicyQuery),
    responses(
        (status = 200, description = "A page of policies", body = Paged<PolicyView>),
        (status = 403, description = "The role does not read policies", body = ErrorBody),
    )
)]
pub async fn list_policies(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<PolicyQuery>,
) -> Result<Json<Paged<PolicyView>>, ApiError> {
    caller.require(Capability::ReadPolicies)?;
    let window = page_window(
        query.page,
        query.per_page,
        state.settings.limits.max_page_size,
    )?;
    let filter = reach(&state, &caller, window).await?;
    let page = state.db.policies(&filter).await?;
    Ok(Json(Paged::new(
        page.items.iter().map(PolicyView::from).collect(),
        page.total,
        window,
    )))
}

/// Writes a draft policy of the caller's jurisdiction.
#[utoipa::path(
    post, path = "/api/policies", tag = "policies",
    request_body = PolicyForm,
    responses(
        (status = 201, description = "Recorded as a draft", body = PolicyView),
        (status = 403, description = "The role does not write policies", body = ErrorBody),
        (status = 422, description = "A field is missing or invalid", body = ErrorBody),
    )
)]
pub async fn create_policy(
    State(state): State<AppState>,
    caller: Caller,
    Json(form): Json<PolicyForm>,
) -> Result<(StatusCode, Json<PolicyView>), ApiError> {
    let created = create(&state, &caller, form).await?;
    Ok((StatusCode::CREATED, Json(PolicyView::from(&created))))
}

/// Writes `form` as a draft of the caller's jurisdiction (shared with the pages).
pub(crate) async fn create(
    state: &AppState,
    caller: &Caller,
    form: PolicyForm,
) -> Result<Policy, ApiError> {
    caller.require(Capability::ManagePolicies)?;
    let form = PolicyForm {
        issuer: form.issuer.trim().to_owned(),
        document_number: form.document_number.trim().to_owned(),
        title: form.title.trim().to_owned(),
        source_url: form
            .source_url
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty()),
        ..form
    };
    let problems = form.problems();
    if !problems.is_empty() {
        return Err(field_errors(&problems));
    }
    Ok(state
        .db
        .create_policy(
            &NewPolicy {
                jurisdiction: caller.account.jurisdiction.clone(),
                form,
            },
            &caller.acting(state.clock.now()),
        )
        .await?)
}

/// A policy with its items.
#[utoipa::path(
    get, path = "/api/policies/{id}", tag = "policies",
    params(("id" = i64, Path, description = "The policy's id")),
    responses(
        (status = 200, description = "The policy", body = PolicyDetail),
        (status = 403, description = "The role does not read policies", body = ErrorBody),
        (status = 404, description = "No such policy reaching you", body = ErrorBody),
    )
)]
pub async fn get_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<PolicyDetail>, ApiError> {
    let policy = visible_policy(&state, &caller, id).await?;
    Ok(Json(detail(&state, &caller, &policy).await?))
}

/// `policy` with its items, as `caller` sees it.
pub(crate) async fn detail(
    state: &AppState,
    caller: &Caller,
    policy: &Policy,
) -> Result<PolicyDetail, ApiError> {
    let items = state.db.policy_items(policy.id).await?;
    Ok(PolicyDetail {
        policy: PolicyView::from(policy),
        items: items.iter().map(ItemView::from).collect(),
        manageable: manages(caller, policy),
    })
}

/// Adds an item to a draft policy. Its eligibility is a rule set in the
/// criteria engine's TOML language with one tier; a text that does not
/// parse is refused naming the field and the line, and nothing is stored.
#[utoipa::path(
    post, path = "/api/policies/{id}/items", tag = "policies",
    params(("id" = i64, Path, description = "The policy's id")),
    request_body = AddItemBody,
    responses(
        (status = 201, description = "Added", body = ItemView),
        (status = 403, description = "Not the publishing jurisdiction", body = ErrorBody),
        (status = 404, description = "No such policy reaching you", body = ErrorBody),
        (status = 409, description = "Changed since read, or no longer a draft", body = ErrorBody),
        (status = 422, description = "A field is invalid (the eligibility names its line)", body = ErrorBody),
    )
)]
pub async fn add_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<AddItemBody>,
) -> Result<(StatusCode, Json<ItemView>), ApiError> {
    let item = add(&state, &caller, id, body).await?;
    Ok((StatusCode::CREATED, Json(ItemView::from(&item))))
}

/// Adds `body`'s item (shared with the pages).
pub(crate) async fn add(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: AddItemBody,
) -> Result<PolicyItem, ApiError> {
    let policy = managed_policy(state, caller, id).await?;
    let form = ItemForm {
        title: body.item.title.trim().to_owned(),
        ..body.item
    };
    let checked = form.check().map_err(|p| field_errors(&p))?;
    stale(&policy, body.version)?;
    not_in(&policy, PolicyState::Draft, "add an item to")?;
    Ok(state
        .db
        .add_policy_item(
            policy.id,
            body.version,
            &NewPolicyItem {
                form: checked.form,
                payment_limit_days: checked.payment_limit_days,
            },
            &caller.acting(state.clock.now()),
        )
        .await?)
}

/// Publishes a draft policy with at least one item, and matches it as of
/// today.
#[utoipa::path(
    post, path = "/api/policies/{id}/publish", tag = "policies",
    params(("id" = i64, Path, description = "The policy's id")),
    request_body = VersionBody,
    responses(
        (status = 200, description = "Published and matched as of today", body = PolicyView),
        (status = 403, description = "Not the publishing jurisdiction", body = ErrorBody),
        (status = 404, description = "No such policy reaching you", body = ErrorBody),
        (status = 409, description = "Changed since read, or not a draft", body = ErrorBody),
        (status = 422, description = "The policy has no item", body = ErrorBody),
    )
)]
pub async fn publish_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<VersionBody>,
) -> Result<Json<PolicyView>, ApiError> {
    Ok(Json(PolicyView::from(
        &publish(&state, &caller, id, body.version).await?,
    )))
}

/// Publishes policy `id` at `version` and matches it (shared with the pages).
pub(crate) async fn publish(
    state: &AppState,
    caller: &Caller,
    id: i64,
    version: i64,
) -> Result<Policy, ApiError> {
    let policy = managed_policy(state, caller, id).await?;
    stale(&policy, version)?;
    not_in(&policy, PolicyState::Draft, "publish")?;
    if state.db.policy_items(policy.id).await?.is_empty() {
        return Err(ApiError::invalid(
            "no_items",
            "a policy is published with at least one item",
        ));
    }
    let published = state
        .db
        .set_policy_state(
            policy.id,
            version,
            PolicyState::Published,
            None,
            &caller.acting(state.clock.now()),
        )
        .await?;
    run_matching(state, caller, &published, state.today()).await?;
    Ok(published)
}

/// Withdraws a published policy, with a reason; its matches stay on record.
#[utoipa::path(
    post, path = "/api/policies/{id}/withdraw", tag = "policies",
    params(("id" = i64, Path, description = "The policy's id")),
    request_body = WithdrawBody,
    responses(
        (status = 200, description = "Withdrawn", body = PolicyView),
        (status = 403, description = "Not the publishing jurisdiction", body = ErrorBody),
        (status = 404, description = "No such policy reaching you", body = ErrorBody),
        (status = 409, description = "Changed since read, or not published", body = ErrorBody),
        (status = 422, description = "No reason", body = ErrorBody),
    )
)]
pub async fn withdraw_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<WithdrawBody>,
) -> Result<Json<PolicyView>, ApiError> {
    Ok(Json(PolicyView::from(
        &withdraw(&state, &caller, id, body).await?,
    )))
}

/// Withdraws policy `id` (shared with the pages).
pub(crate) async fn withdraw(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: WithdrawBody,
) -> Result<Policy, ApiError> {
    let policy = managed_policy(state, caller, id).await?;
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > policy::MAX_REASON_CHARS {
        return Err(field_error(&FieldProblem {
            field: "reason",
            problem: format!("required, up to {} characters", policy::MAX_REASON_CHARS),
        }));
    }
    stale(&policy, body.version)?;
    not_in(&policy, PolicyState::Published, "withdraw")?;
    Ok(state
        .db
        .set_policy_state(
            policy.id,
            body.version,
            PolicyState::Withdrawn,
            Some(reason),
            &caller.acting(state.clock.now()),
        )
        .await?)
}

/// Matches every item of a published policy over the enterprises of its
/// jurisdiction as of a day (default today), through the criteria engine;
/// records the matches once each (running again adds no duplicates).
#[utoipa::path(
    post, path = "/api/policies/{id}/match", tag = "policies",
    params(("id" = i64, Path, description = "The policy's id")),
    request_body = MatchBody,
    responses(
        (status = 200, description = "What the run found and recorded", body = MatchRun),
        (status = 403, description = "Not the publishing jurisdiction", body = ErrorBody),
        (status = 404, description = "No such policy reaching you", body = ErrorBody),
        (status = 409, description = "Not published", body = ErrorBody),
        (status = 422, description = "An item names a rule set that does not exist", body = ErrorBody),
    )
)]
pub async fn match_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<MatchBody>,
) -> Result<Json<MatchRun>, ApiError> {
    let policy = managed_policy(&state, &caller, id).await?;
    not_in(&policy, PolicyState::Published, "match")?;
    let as_of = body.as_of.unwrap_or_else(|| state.today());
    Ok(Json(run_matching(&state, &caller, &policy, as_of).await?))
}

/// The pool memberships that hold on `day` in `scope`, by enterprise.
async fn pool_on(
    state: &AppState,
    scope: &Scope,
    day: Date,
) -> Result<HashMap<EnterpriseId, PoolStanding>, ApiError> {
    let mut members = HashMap::new();
    let mut offset = 0;
    loop {
        let page = state
            .db
            .pool_members(&PoolFilter {
                scope: scope.clone(),
                status: None,
                tier: None,
                cycle: None,
                province: None,
                page: Page {
                    offset,
                    limit: 1000,
                },
            })
            .await?;
        let read = page.items.len() as u64;
        for member in page.items {
            let holds = member.valid_from <= day
                && day <= member.valid_until
                && match member.status {
                    MemberStatus::Active => true,
                    MemberStatus::Exited => member.exited_on.is_some_and(|on| on > day),
                    MemberStatus::Superseded => false,
                };
            if holds {
                members.insert(
                    member.enterprise,
                    PoolStanding {
                        tier: member.tier,
                        valid_until: member.valid_until,
                    },
                );
            }
        }
        offset += read;
        if read == 0 || offset >= page.total {
            break;
        }
    }
    Ok(members)
}

/// Runs every item of `policy` as of `as_of` and records the matches.
pub(crate) async fn run_matching(
    state: &AppState,
    caller: &Caller,
    policy: &Policy,
    as_of: Date,
) -> Result<MatchRun, ApiError> {
    let items = state.db.policy_items(policy.id).await?;
    let view = state.ledger().await?;
    let scope = policy.jurisdiction.scope();
    let pool = pool_on(state, &scope, as_of).await?;
    // Parsed and looked up first: a bad rule is the caller's error, before
    // any work is done.
    let mut parsed = Vec::with_capacity(items.len());
    for item in &items {
        let rules = parse_eligibility(&item.form.eligibility).map_err(|p| field_error(&p))?;
        let mut others: Vec<(String, std::sync::Arc<RuleSet>)> = Vec::new();
        for key in rules.referenced_rule_sets() {
            let entry = state.rules.find(&key, None).ok_or_else(|| {
                ApiError::invalid(
                    "unknown_rule_set",
                    format!("item '{}': no rule set named '{key}'", item.form.title),
                )
            })?;
            others.push((key, entry.rules));
        }
        parsed.push((rules, others));
    }
    // Classifying the whole ledger is seconds of CPU at national scale: on a
    // blocking thread, never on the async workers that answer everyone else.
    let found: Vec<Vec<NewPolicyMatch>> = tokio::task::spawn_blocking(move || {
        let placements = view.placements(as_of);
        let candidates: Vec<usize> = (0..view.ledger.len())
            .filter(|&p| scope.covers_place(&placements[p]))
            .collect();
        parsed
            .iter()
            .map(|(rules, others)| {
                let classified: Vec<_> = others
                    .iter()
                    .map(|(key, rules)| (key, rules, view.classification(rules, &[as_of])))
                    .collect();
                let standing_of = |position: usize| Standing {
                    tiers: classified
                        .iter()
                        .map(|(key, rules, classification)| TierStanding {
                            rules: (*key).clone(),
                            label: rules.label(),
                            tier: classification
                                .tier(position, 0)
                                .map(|t| rules.tier(t).key.clone()),
                        })
                        .collect(),
                    pool: pool.get(&view.ledger.enterprises()[position].id).cloned(),
                    zone: placements[position].zone.as_ref().map(ToString::to_string),
                };
                run_eligibility(
                    &view.ledger,
                    rules,
                    as_of,
                    candidates.iter().copied(),
                    standing_of,
                )
                .iter()
                .map(|e| NewPolicyMatch {
                    enterprise: view.ledger.enterprises()[e.position].id.clone(),
                    placement: placements[e.position].clone(),
                    decision: serde_json::to_value(&e.decision).unwrap_or_default(),
                })
                .collect()
            })
            .collect()
    })
    .await
    .map_err(ApiError::internal)?;
    let acting = caller.acting(state.clock.now());
    let mut runs = Vec::new();
    for (item, new) in items.iter().zip(found) {
        let MatchesRecorded { created, already } = state
            .db
            .record_policy_matches(item.id, as_of, &new, &acting)
            .await?;
        runs.push(ItemRun {
            item: item.id.0,
            title: item.form.title.clone(),
            eligible: new.len() as u64,
            created,
            already,
        });
    }
    Ok(MatchRun { as_of, items: runs })
}

// ---------------------------------------------------------------- matches

/// The match `id` if the caller reads it.
pub(crate) async fn visible_match(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<PolicyMatch, ApiError> {
    caller.require(Capability::ReadPolicyMatches)?;
    let found = state
        .db
        .policy_match(PolicyMatchId(id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    if caller.sees(&found.enterprise, &found.placement) {
        Ok(found)
    } else {
        Err(ApiError::not_found())
    }
}

/// Policies and items by id, read once per list.
#[derive(Default)]
struct Lookups {
    policies: HashMap<PolicyId, Policy>,
    items: HashMap<PolicyItemId, PolicyItem>,
}

impl Lookups {
    async fn load(&mut self, state: &AppState, found: &PolicyMatch) -> Result<(), ApiError> {
        if !self.policies.contains_key(&found.policy) {
            let policy = state
                .db
                .policy(found.policy)
                .await?
                .ok_or_else(|| ApiError::internal("a match without its policy"))?;
            for item in state.db.policy_items(found.policy).await? {
                self.items.insert(item.id, item);
            }
            self.policies.insert(found.policy, policy);
        }
        Ok(())
    }
}

/// The steps `caller` may take on `found` now, as the domain decides them.
fn open_actions(
    caller: &Caller,
    found: &PolicyMatch,
    mode: RedemptionMode,
) -> Vec<RedemptionAction> {
    RedemptionAction::ALL
        .iter()
        .copied()
        .filter(|action| {
            let command = match action {
                RedemptionAction::Push => RedemptionCommand::Push,
                RedemptionAction::Grant => RedemptionCommand::Grant,
                RedemptionAction::Apply => RedemptionCommand::Apply { note: None },
                RedemptionAction::Review => RedemptionCommand::Review,
                RedemptionAction::Approve => RedemptionCommand::Approve,
                RedemptionAction::Reject => RedemptionCommand::Reject { reason: "-".into() },
                RedemptionAction::Pay => RedemptionCommand::Pay,
            };
            decide(caller, found, mode, command).is_ok()
        })
        .collect()
}

fn decide(
    caller: &Caller,
    found: &PolicyMatch,
    mode: RedemptionMode,
    command: RedemptionCommand,
) -> Result<policy::RedemptionTransition, RedemptionError> {
    decide_redemption(
        &MatchFacts {
            state: found.state,
            mode,
            enterprise: &found.enterprise,
            placement: &found.placement,
        },
        &RedemptionActor {
            role: caller.account.role,
            scope: &caller.scope,
        },
        command,
    )
}

/// `found` as `caller` sees it.
pub(crate) async fn match_view(
    state: &AppState,
    caller: &Caller,
    found: &PolicyMatch,
) -> Result<MatchView, ApiError> {
    let mut lookups = Lookups::default();
    let view = state.ledger().await?;
    let read = read_by(state, caller, std::slice::from_ref(found)).await?;
    view_with(state, caller, &mut lookups, &view, found, &read).await
}

/// Of `found`, those the caller's account has read.
async fn read_by(
    state: &AppState,
    caller: &Caller,
    found: &[PolicyMatch],
) -> Result<std::collections::HashSet<PolicyMatchId>, ApiError> {
    let pushed: Vec<PolicyMatchId> = found
        .iter()
        .filter(|m| m.pushed_on.is_some())
        .map(|m| m.id)
        .collect();
    if pushed.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    Ok(state
        .db
        .policy_matches_read(caller.account.id, &pushed)
        .await?
        .into_iter()
        .collect())
}

async fn view_with(
    state: &AppState,
    caller: &Caller,
    lookups: &mut Lookups,
    ledger: &crate::state::LedgerView,
    found: &PolicyMatch,
    read: &std::collections::HashSet<PolicyMatchId>,
) -> Result<MatchView, ApiError> {
    lookups.load(state, found).await?;
    let policy = &lookups.policies[&found.policy];
    let item = lookups
        .items
        .get(&found.item)
        .ok_or_else(|| ApiError::internal("a match without its item"))?;
    let clock = payment_clock(
        item.form.mode,
        item.payment_limit_days,
        found.pushed_on,
        found.applied_on,
        found.paid_on,
        found.state == MatchState::Rejected,
        state.today(),
        &state.settings.workflow.calendar,
    )
    // A year the calendar lacks: the clock is not shown rather than wrong.
    .unwrap_or(None);
    Ok(MatchView {
        id: found.id.0,
        policy: policy.id.0,
        policy_title: policy.form.title.clone(),
        document_number: policy.form.document_number.clone(),
        item: item.id.0,
        item_title: item.form.title.clone(),
        mode: item.form.mode,
        amount: item.form.amount.clone(),
        enterprise: found.enterprise.to_string(),
        enterprise_name: name_of(ledger, &found.enterprise),
        as_of: found.as_of,
        decision: found.decision.clone(),
        state: found.state,
        reason: found.reason.clone(),
        note: found.note.clone(),
        pushed_on: found.pushed_on,
        applied_on: found.applied_on,
        decided_on: found.decided_on,
        paid_on: found.paid_on,
        clock,
        actions: if policy.state == PolicyState::Published {
            open_actions(caller, found, item.form.mode)
        } else {
            Vec::new()
        },
        new: found.pushed_on.is_some() && !read.contains(&found.id),
        version: found.version,
    })
}

/// Matches within the caller's jurisdiction (an enterprise: its own, the
/// "policies for you"), newest first.
#[utoipa::path(
    get, path = "/api/policy-matches", tag = "policies",
    params(MatchQuery),
    responses(
        (status = 200, description = "A page of matches", body = Paged<MatchView>),
        (status = 403, description = "The role does not read matches", body = ErrorBody),
    )
)]
pub async fn list_matches(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<MatchQuery>,
) -> Result<Json<Paged<MatchView>>, ApiError> {
    let window = page_window(
        query.page,
        query.per_page,
        state.settings.limits.max_page_size,
    )?;
    let (views, total) = matches(&state, &caller, &query, None, window).await?;
    Ok(Json(Paged::new(views, total, window)))
}

/// The matches `query` selects for `caller`, of `enterprise` only if given
/// (shared with the pages).
pub(crate) async fn matches(
    state: &AppState,
    caller: &Caller,
    query: &MatchQuery,
    enterprise: Option<EnterpriseId>,
    window: Page,
) -> Result<(Vec<MatchView>, u64), ApiError> {
    caller.require(Capability::ReadPolicyMatches)?;
    let page = state
        .db
        .policy_matches(&MatchFilter {
            scope: caller.scope.clone(),
            enterprise,
            policy: query.policy.map(PolicyId),
            item: None,
            states: query.state.into_iter().collect(),
            page: window,
        })
        .await?;
    let ledger = state.ledger().await?;
    let read = read_by(state, caller, &page.items).await?;
    let mut lookups = Lookups::default();
    let mut views = Vec::with_capacity(page.items.len());
    for found in &page.items {
        views.push(view_with(state, caller, &mut lookups, &ledger, found, &read).await?);
    }
    Ok((views, page.total))
}

/// One enterprise's matches, newest first: its own account reads them as
/// its "policies for you"; officials those filed within their
/// jurisdiction.
#[utoipa::path(
    get, path = "/api/enterprises/{id}/policy-matches", tag = "policies",
    params(("id" = String, Path, description = "The enterprise's id"), MatchQuery),
    responses(
        (status = 200, description = "A page of the enterprise's matches", body = Paged<MatchView>),
        (status = 403, description = "The role does not read matches", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn list_enterprise_matches(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<MatchQuery>,
) -> Result<Json<Paged<MatchView>>, ApiError> {
    let window = page_window(
        query.page,
        query.per_page,
        state.settings.limits.max_page_size,
    )?;
    let (views, total) = enterprise_matches(&state, &caller, &id, &query, window).await?;
    Ok(Json(Paged::new(views, total, window)))
}

/// The matches of enterprise `id` that `query` selects for `caller`
/// (shared with the pages): 404 for an enterprise out of the caller's view.
pub(crate) async fn enterprise_matches(
    state: &AppState,
    caller: &Caller,
    id: &str,
    query: &MatchQuery,
    window: Page,
) -> Result<(Vec<MatchView>, u64), ApiError> {
    caller.require(Capability::ReadPolicyMatches)?;
    let enterprise = {
        let ledger = state.ledger().await?;
        let (position, _) =
            crate::routes::enterprises::visible(&ledger, caller, id, state.today())?;
        ledger.ledger.enterprises()[position].id.clone()
    };
    matches(state, caller, query, Some(enterprise), window).await
}

/// Marks a match read by the caller's account: once pushed, it is no
/// longer new (新推送) to this account. Opening the match's page does the
/// same. The first reading is audited; a later one changes nothing.
#[utoipa::path(
    post, path = "/api/policy-matches/{id}/read", tag = "policies",
    params(("id" = i64, Path, description = "The match's id")),
    responses(
        (status = 200, description = "Read; the match as the caller now sees it", body = MatchView),
        (status = 403, description = "The role does not read matches", body = ErrorBody),
        (status = 404, description = "No such match within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn read_match(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<MatchView>, ApiError> {
    let found = mark_read(&state, &caller, id).await?;
    Ok(Json(match_view(&state, &caller, &found).await?))
}

/// Marks match `id` read by `caller` (shared with the pages, which show
/// the match themselves): the match.
pub async fn mark_read(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<PolicyMatch, ApiError> {
    let found = visible_match(state, caller, id).await?;
    state
        .db
        .mark_policy_match_read(found.id, &caller.acting(state.clock.now()))
        .await?;
    Ok(found)
}

/// A match with its redemption steps.
#[utoipa::path(
    get, path = "/api/policy-matches/{id}", tag = "policies",
    params(("id" = i64, Path, description = "The match's id")),
    responses(
        (status = 200, description = "The match", body = MatchDetail),
        (status = 403, description = "The role does not read matches", body = ErrorBody),
        (status = 404, description = "No such match within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_match(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<MatchDetail>, ApiError> {
    let found = visible_match(&state, &caller, id).await?;
    let steps = state.db.policy_match_steps(found.id).await?;
    Ok(Json(MatchDetail {
        r#match: match_view(&state, &caller, &found).await?,
        steps: steps.iter().map(MatchStepView::from).collect(),
    }))
}

/// Takes a redemption step: the jurisdiction pushes, grants (免申即享),
/// reviews, approves, rejects with a written reason, records payment; the
/// enterprise applies. Of two officials at one version, one wins; the
/// other gets 409 with the match as it is now.
#[utoipa::path(
    post, path = "/api/policy-matches/{id}/actions", tag = "policies",
    params(("id" = i64, Path, description = "The match's id")),
    request_body = MatchActionBody,
    responses(
        (status = 200, description = "Taken; the match after it", body = MatchView),
        (status = 403, description = "The role cannot take this step", body = ErrorBody),
        (status = 404, description = "No such match within your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since read (details.current), or not at this step", body = ErrorBody),
        (status = 422, description = "A reason missing or too long", body = ErrorBody),
    )
)]
pub async fn act_on_match(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<MatchActionBody>,
) -> Result<Json<MatchView>, ApiError> {
    let moved = take_step(&state, &caller, id, body).await?;
    Ok(Json(match_view(&state, &caller, &moved).await?))
}

/// Decides and applies `body` on match `id` (shared with the pages).
pub(crate) async fn take_step(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: MatchActionBody,
) -> Result<PolicyMatch, ApiError> {
    let found = visible_match(state, caller, id).await?;
    let mut lookups = Lookups::default();
    lookups.load(state, &found).await?;
    let policy = &lookups.policies[&found.policy];
    if policy.state != PolicyState::Published {
        return Err(ApiError::conflict(
            "invalid_transition",
            format!("the policy is {}: its matches no longer move", policy.state),
        ));
    }
    let mode = lookups
        .items
        .get(&found.item)
        .map(|i| i.form.mode)
        .ok_or_else(|| ApiError::internal("a match without its item"))?;
    let command = match body.action {
        RedemptionAction::Push => RedemptionCommand::Push,
        RedemptionAction::Grant => RedemptionCommand::Grant,
        RedemptionAction::Apply => RedemptionCommand::Apply { note: body.note },
        RedemptionAction::Review => RedemptionCommand::Review,
        RedemptionAction::Approve => RedemptionCommand::Approve,
        RedemptionAction::Reject => RedemptionCommand::Reject {
            reason: body.reason.unwrap_or_default(),
        },
        RedemptionAction::Pay => RedemptionCommand::Pay,
    };
    let decided = decide(caller, &found, mode, command);
    // Who may act comes first, then whether they saw the current version,
    // then whether the step fits the match as it is.
    if let Err(error @ (RedemptionError::NotPermitted { .. } | RedemptionError::OutOfScope)) =
        decided
    {
        return Err(error.into());
    }
    let conflict = |actual: &PolicyMatch, current: MatchView| {
        ApiError::from(WorkflowError::VersionConflict {
            expected: body.version,
            actual: actual.version,
        })
        .with_details(serde_json::json!({
            "expected": body.version,
            "actual": actual.version,
            "current": current,
        }))
    };
    if found.version != body.version {
        let current = match_view(state, caller, &found).await?;
        return Err(conflict(&found, current));
    }
    let transition = decided?;
    match state
        .db
        .apply_policy_match_step(
            found.id,
            body.version,
            &transition,
            state.today(),
            &caller.acting(state.clock.now()),
        )
        .await
    {
        Ok(moved) => Ok(moved),
        Err(WorkflowError::VersionConflict { .. }) => {
            let now = visible_match(state, caller, id).await?;
            let current = match_view(state, caller, &now).await?;
            Err(conflict(&now, current))
        }
        Err(other) => Err(other.into()),
    }
}
