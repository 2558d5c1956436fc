//! Declarations: drafted by an enterprise (or a zone on its behalf), then
//! moved along the chain by actions, each stating the version it expects.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hatchery_core::EnterpriseId;
use hatchery_core::workflow::declaration::{
    Actor, Circumstances, Facts, QuotaUse, decide, decide_public_objection,
};
use hatchery_core::workflow::{
    ActionKind, Capability, Command, DeclarationForm, DeclarationId, DeclarationState, EvidenceId,
    EvidenceType, ObjectionId, Role, Transition, TransitionError, check_evidence,
};
use hatchery_store::workflow::{
    Acting, Declaration, DeclarationFilter, NewDeclaration, NewEvidence, PublicObjection,
    StepRequest,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Paged, Path, Query, page_window};
use crate::routes::enterprises::{rule_set, visible};
use crate::routes::named::{named, named_page};
use crate::state::AppState;
use crate::views::{DeclarationDetail, DeclarationView, EvidenceView, ObjectionView, StepView};

/// A declaration to draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDeclaration {
    /// The enterprise's id.
    pub enterprise: String,
    /// The cultivation cycle (year, 2000–2100).
    pub cycle: i16,
    /// The tier declared for, a key of the rule set.
    pub tier: String,
    /// The rule set (default the configured one).
    pub rule_set: Option<String>,
    /// Its version (default the built-in one).
    pub rule_set_version: Option<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
}

/// New contents for a draft or returned declaration; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditDeclaration {
    /// The version read.
    pub version: i64,
    pub summary: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

/// A step to take.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// The version read: the step is taken only if the declaration is still there.
    pub version: i64,
    /// `submit`, `withdraw`, `approve`, `return`, `reject`, `recommend`,
    /// `accept` (the ministry's review passes: public notice opens),
    /// `confirm` (into the pool) or `resolve_objection`.
    pub action: String,
    /// Why; required to return, reject or resolve an objection.
    pub reason: Option<String>,
    /// The objection to resolve.
    #[schema(value_type = Option<i64>)]
    pub objection: Option<ObjectionId>,
    /// Whether the objection is upheld (which rejects the declaration).
    pub upheld: Option<bool>,
}

/// Filters of the declaration list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeclarationQuery {
    pub cycle: Option<i16>,
    pub state: Option<DeclarationState>,
    pub tier: Option<String>,
    pub enterprise: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// Where and how to attach an evidence file.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EvidenceQuery {
    /// The declaration's version read.
    pub version: i64,
    /// The file's name.
    pub name: String,
}

/// A declaration the caller may read, or 404.
pub(crate) async fn visible_declaration(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<Declaration, ApiError> {
    caller.require(Capability::ReadDeclarations)?;
    let declaration = state
        .db
        .declaration(DeclarationId(id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    if caller.sees(&declaration.enterprise, &declaration.placement) {
        Ok(declaration)
    } else {
        Err(ApiError::not_found())
    }
}

/// A 422 naming every problem: the first one's code, all the messages, and
/// `details.problems` with each problem's field.
fn problems_error(problems: &[(&'static str, &'static str, String)]) -> ApiError {
    let code = problems.first().map_or("invalid_form", |p| p.1);
    ApiError::invalid(
        code,
        problems
            .iter()
            .map(|p| p.2.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    )
    .with_details(serde_json::json!({
        "problems": problems
            .iter()
            .map(|(field, code, problem)| serde_json::json!({"field": field, "code": code, "problem": problem}))
            .collect::<Vec<_>>(),
    }))
}

fn checked_form(form: DeclarationForm) -> Result<DeclarationForm, ApiError> {
    let problems: Vec<_> = form
        .problems()
        .into_iter()
        .map(|p| (p.field, "invalid_form", p.to_string()))
        .collect();
    if problems.is_empty() {
        Ok(form)
    } else {
        Err(problems_error(&problems))
    }
}

async fn view(state: &AppState, declaration: &Declaration) -> Result<DeclarationView, ApiError> {
    named(state, declaration, DeclarationView::new).await
}

/// Drafts a declaration for an enterprise within the caller's jurisdiction.
#[utoipa::path(
    post, path = "/api/declarations", tag = "declarations",
    request_body = CreateDeclaration,
    responses(
        (status = 201, description = "Drafted", body = DeclarationView),
        (status = 403, description = "The role does not declare", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
        (status = 409, description = "The enterprise already has a live declaration for the cycle", body = ErrorBody),
        (status = 422, description = "Invalid cycle, tier or form", body = ErrorBody),
    )
)]
pub async fn create_declaration(
    State(state): State<AppState>,
    caller: Caller,
    Json(request): Json<CreateDeclaration>,
) -> Result<(StatusCode, Json<DeclarationView>), ApiError> {
    caller.require(Capability::Declare)?;
    let ledger = state.ledger().await?;
    let (position, placement) = visible(&ledger, &caller, &request.enterprise, state.today())?;
    // Every problem is reported at once, each with its field (`details.problems`);
    // the code is the first problem's.
    let mut problems: Vec<(&'static str, &'static str, String)> = Vec::new();
    if !(2000..=2100).contains(&request.cycle) {
        problems.push((
            "cycle",
            "invalid_cycle",
            "a cycle is a year from 2000 to 2100".to_owned(),
        ));
    }
    let rules = match rule_set(
        &state,
        request.rule_set.as_deref(),
        request.rule_set_version.as_deref(),
    )
    .await
    {
        Ok(entry) => Some(entry.rules),
        Err(e) => {
            problems.push(("rule_set", "unknown_rule_set", e.to_string()));
            None
        }
    };
    if let Some(rules) = &rules
        && rules.tier_index(&request.tier).is_none()
    {
        problems.push((
            "tier",
            "invalid_tier",
            format!("rule set {} has no tier '{}'", rules.label(), request.tier),
        ));
    }
    let form = DeclarationForm {
        summary: request.summary,
        contact_name: request.contact_name,
        contact_phone: request.contact_phone,
    };
    for problem in form.problems() {
        problems.push((problem.field, "invalid_form", problem.to_string()));
    }
    let (Some(rules), None) = (rules, problems.first()) else {
        return Err(problems_error(&problems));
    };
    let created = state
        .db
        .create_declaration(
            &NewDeclaration {
                enterprise: ledger.ledger.enterprises()[position].id.clone(),
                cycle: request.cycle,
                tier: request.tier,
                rule_set: rules.key.clone(),
                rule_set_version: rules.version.clone(),
                form,
                placement,
            },
            &caller.acting(state.clock.now()),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(view(&state, &created).await?)))
}

/// Declarations within the caller's jurisdiction, newest first.
#[utoipa::path(
    get, path = "/api/declarations", tag = "declarations",
    params(DeclarationQuery),
    responses(
        (status = 200, description = "A page of declarations", body = Paged<DeclarationView>),
        (status = 400, description = "Bad filter", body = ErrorBody),
        (status = 403, description = "The role does not read declarations", body = ErrorBody),
    )
)]
pub async fn list_declarations(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<DeclarationQuery>,
) -> Result<Json<Paged<DeclarationView>>, ApiError> {
    caller.require(Capability::ReadDeclarations)?;
    let window = page_window(
        query.page,
        query.per_page,
        state.settings.limits.max_page_size,
    )?;
    let wanted = query.state;
    let enterprise = query
        .enterprise
        .as_deref()
        .map(EnterpriseId::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request("invalid_query", e.to_string()))?;
    let page = state
        .db
        .declarations(&DeclarationFilter {
            scope: caller.scope.clone(),
            cycle: query.cycle,
            state: wanted,
            tier: query.tier,
            enterprise,
            page: window,
        })
        .await?;
    named_page(&state, page, window, DeclarationView::new).await
}

/// One declaration with its history, evidence and objections.
#[utoipa::path(
    get, path = "/api/declarations/{id}", tag = "declarations",
    params(("id" = i64, Path, description = "The declaration's id")),
    responses(
        (status = 200, description = "The declaration", body = DeclarationDetail),
        (status = 403, description = "The role does not read declarations", body = ErrorBody),
        (status = 404, description = "No such declaration within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_declaration(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<DeclarationDetail>, ApiError> {
    let declaration = visible_declaration(&state, &caller, id).await?;
    let steps = state.db.steps(declaration.id).await?;
    let evidence = state.db.evidence(declaration.id).await?;
    let objections = state.db.objections(declaration.id).await?;
    let detail = DeclarationDetail {
        actions: open_actions(&state, &caller, &declaration).await?,
        declaration: view(&state, &declaration).await?,
        steps: steps.iter().map(StepView::from).collect(),
        evidence: evidence.iter().map(EvidenceView::from).collect(),
        objections: objections.iter().map(ObjectionView::from).collect(),
    };
    // Officials in scope see who objected; the enterprise never does.
    Ok(Json(if caller.account.role == Role::Enterprise {
        detail.without_objectors()
    } else {
        detail
    }))
}

fn editable(declaration: &Declaration, what: &str) -> Result<(), ApiError> {
    if declaration.state.is_editable() {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "invalid_transition",
            format!(
                "cannot {what} a declaration that is {}: only drafts and returned ones change",
                declaration.state
            ),
        ))
    }
}

fn current_version(declaration: &Declaration, sent: i64) -> Result<(), ApiError> {
    if declaration.version == sent {
        Ok(())
    } else {
        Err(hatchery_store::workflow::WorkflowError::VersionConflict {
            expected: sent,
            actual: declaration.version,
        }
        .into())
    }
}

/// Edits a draft or returned declaration.
#[utoipa::path(
    patch, path = "/api/declarations/{id}", tag = "declarations",
    params(("id" = i64, Path, description = "The declaration's id")),
    request_body = EditDeclaration,
    responses(
        (status = 200, description = "Edited", body = DeclarationView),
        (status = 403, description = "The role does not declare", body = ErrorBody),
        (status = 404, description = "No such declaration within your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since read, or no longer editable", body = ErrorBody),
        (status = 422, description = "Invalid form", body = ErrorBody),
    )
)]
pub async fn edit_declaration(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(request): Json<EditDeclaration>,
) -> Result<Json<DeclarationView>, ApiError> {
    let declaration = visible_declaration(&state, &caller, id).await?;
    caller.require(Capability::Declare)?;
    current_version(&declaration, request.version)?;
    editable(&declaration, "edit")?;
    let mut form = declaration.form.clone();
    if let Some(summary) = request.summary {
        form.summary = summary;
    }
    if let Some(name) = request.contact_name {
        form.contact_name = name;
    }
    if let Some(phone) = request.contact_phone {
        form.contact_phone = phone;
    }
    let form = checked_form(form)?;
    let edited = state
        .db
        .edit_declaration(
            declaration.id,
            request.version,
            &form,
            &caller.acting(state.clock.now()),
        )
        .await?;
    Ok(Json(view(&state, &edited).await?))
}

fn command(request: &ActionRequest) -> Result<Command, ApiError> {
    let reason = request.reason.clone();
    let needs = |field: &str| {
        ApiError::invalid(
            "invalid_action",
            format!("action '{}' needs '{field}'", request.action),
        )
    };
    if request.action != "resolve_objection"
        && (request.objection.is_some() || request.upheld.is_some())
    {
        return Err(ApiError::invalid(
            "invalid_action",
            "'objection' and 'upheld' belong to resolve_objection only",
        ));
    }
    let required = || reason.clone().ok_or_else(|| needs("reason"));
    Ok(match request.action.as_str() {
        "submit" => Command::Submit,
        "withdraw" => Command::Withdraw { reason },
        "approve" => Command::Approve { reason },
        "return" => Command::Return {
            reason: required()?,
        },
        "reject" => Command::Reject {
            reason: required()?,
        },
        "recommend" => Command::Recommend { reason },
        "accept" => Command::Accept { reason },
        "confirm" => Command::Confirm { reason },
        "resolve_objection" => Command::ResolveObjection {
            objection: request.objection.ok_or_else(|| needs("objection"))?,
            upheld: request.upheld.ok_or_else(|| needs("upheld"))?,
            reason: required()?,
        },
        other => {
            return Err(ApiError::invalid(
                "invalid_action",
                format!(
                    "'{other}' is not an action (submit, withdraw, approve, return, reject, recommend, accept, confirm, resolve_objection)"
                ),
            ));
        }
    })
}

/// What the workflow needs to know beyond the declaration itself: its open
/// objections and, for a recommendation, the province's quota.
struct Situation {
    open: Vec<ObjectionId>,
    quota: Option<hatchery_store::workflow::Quota>,
}

async fn situation(
    state: &AppState,
    declaration: &Declaration,
    recommending: bool,
) -> Result<Situation, ApiError> {
    let open: Vec<ObjectionId> = state
        .db
        .objections(declaration.id)
        .await?
        .iter()
        .filter(|o| o.resolved_at.is_none())
        .map(|o| o.id)
        .collect();
    let quota = match (recommending, declaration.placement.province) {
        (true, Some(province)) => {
            state
                .db
                .quota(province, declaration.cycle, &declaration.tier)
                .await?
        }
        _ => None,
    };
    Ok(Situation { open, quota })
}

/// The workflow's decision on `command` by `caller`, today.
fn decide_now(
    state: &AppState,
    caller: &Caller,
    declaration: &Declaration,
    situation: &Situation,
    command: &Command,
) -> Result<Transition, TransitionError> {
    decide(
        &facts(declaration, situation),
        Actor {
            account: caller.account.id,
            role: caller.account.role,
            scope: &caller.scope,
        },
        command,
        circumstances(state, situation),
    )
}

/// What the workflow knows of `declaration`.
fn facts<'a>(declaration: &'a Declaration, situation: &'a Situation) -> Facts<'a> {
    Facts {
        state: declaration.state,
        enterprise: &declaration.enterprise,
        placement: &declaration.placement,
        submitted_by: declaration.submitted_by,
        form_missing: declaration.form.missing(),
        notice: declaration.notice,
        open_objections: &situation.open,
    }
}

/// Today, the settings' notice rules, and the quota in `situation`.
fn circumstances<'a>(state: &'a AppState, situation: &Situation) -> Circumstances<'a> {
    let workflow = &state.settings.workflow;
    Circumstances {
        today: state.today(),
        notice_days: workflow.notice_working_days,
        calendar: &workflow.calendar,
        validity_years: workflow.validity_years,
        quota: situation.quota.as_ref().map(|q| QuotaUse {
            limit: q.limit,
            used: q.used,
        }),
    }
}

/// Lodges an objection from a member of the public on `declaration` at
/// `version`: the workflow's rules for objections (under notice, within its
/// period, grounds given), no account; the objector and attachment are kept
/// with the objection.
pub(crate) async fn take_public_objection(
    state: &AppState,
    declaration: &Declaration,
    version: i64,
    grounds: &str,
    public: PublicObjection,
) -> Result<Declaration, ApiError> {
    let situation = situation(state, declaration, false).await?;
    let decided = decide_public_objection(
        &facts(declaration, &situation),
        grounds,
        circumstances(state, &situation),
    );
    current_version(declaration, version)?;
    let transition = decided?;
    let applied = state
        .db
        .apply_step(
            declaration.id,
            version,
            &StepRequest {
                transition,
                precheck: None,
                quota_limit: None,
                public_objection: Some(public),
            },
            &Acting {
                at: state.clock.now(),
                actor: None,
                actor_name: PUBLIC_ACTOR.to_owned(),
            },
        )
        .await?;
    Ok(applied)
}

/// How the steps and the audit log name a member of the public.
pub const PUBLIC_ACTOR: &str = "public";

/// The steps `caller` may take on `declaration` now, as the workflow
/// decides them (a reason assumed where one is required; objecting, which
/// is the public's, and resolving a particular objection left out).
pub async fn open_actions(
    state: &AppState,
    caller: &Caller,
    declaration: &Declaration,
) -> Result<Vec<ActionKind>, ApiError> {
    let situation = situation(state, declaration, true).await?;
    let reason = || "—".to_owned();
    let candidates = [
        Command::Submit,
        Command::Withdraw { reason: None },
        Command::Approve { reason: None },
        Command::Return { reason: reason() },
        Command::Reject { reason: reason() },
        Command::Recommend { reason: None },
        Command::Accept { reason: None },
        Command::Confirm { reason: None },
    ];
    let mut open: Vec<ActionKind> = candidates
        .iter()
        .filter(|command| decide_now(state, caller, declaration, &situation, command).is_ok())
        .map(Command::kind)
        .collect();
    if let Some(objection) = situation.open.first() {
        let resolve = Command::ResolveObjection {
            objection: *objection,
            upheld: false,
            reason: reason(),
        };
        if decide_now(state, caller, declaration, &situation, &resolve).is_ok() {
            open.push(ActionKind::ResolveObjection);
        }
    }
    Ok(open)
}

/// Decides `command` for `caller` on `declaration` and applies it at `version`.
pub(crate) async fn take_step(
    state: &AppState,
    caller: &Caller,
    declaration: &Declaration,
    version: i64,
    command: &Command,
) -> Result<Declaration, ApiError> {
    let situation = situation(
        state,
        declaration,
        matches!(command, Command::Recommend { .. }),
    )
    .await?;
    let today = state.today();
    let decided = decide_now(state, caller, declaration, &situation, command);
    let quota = situation.quota;
    // Who may act comes first, then whether they saw the current version,
    // then whether the step fits the declaration as it is.
    if let Err(
        error @ (TransitionError::NotPermitted { .. }
        | TransitionError::OutOfScope
        | TransitionError::OwnDeclaration
        | TransitionError::OwnSubmission),
    ) = decided
    {
        return Err(error.into());
    }
    current_version(declaration, version)?;
    let transition = decided?;
    // The engine's explained pre-check goes with every submission.
    let precheck = if matches!(command, Command::Submit) {
        let entry = rule_set(
            state,
            Some(&declaration.rule_set),
            Some(&declaration.rule_set_version),
        )
        .await?;
        let ledger = state.ledger().await?;
        match ledger.position(&declaration.enterprise) {
            Some(position) => {
                let decision = entry.rules.decide(&ledger.ledger.as_of(position, today));
                Some(serde_json::to_value(&decision).map_err(ApiError::internal)?)
            }
            None => None,
        }
    } else {
        None
    };
    let applied = state
        .db
        .apply_step(
            declaration.id,
            version,
            &StepRequest {
                transition,
                precheck,
                quota_limit: quota.map(|q| q.limit),
                public_objection: None,
            },
            &caller.acting(state.clock.now()),
        )
        .await?;
    Ok(applied)
}

/// Takes a step: submit, approve, return, recommend, accept, confirm…
#[utoipa::path(
    post, path = "/api/declarations/{id}/actions", tag = "declarations",
    params(("id" = i64, Path, description = "The declaration's id")),
    request_body = ActionRequest,
    responses(
        (status = 200, description = "Taken; the declaration after it", body = DeclarationView),
        (status = 403, description = "The role cannot take this step", body = ErrorBody),
        (status = 404, description = "No such declaration (or objection) within your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since read, not at this step, notice running, objections open or quota used up", body = ErrorBody),
        (status = 422, description = "Missing reason, incomplete form or unknown action", body = ErrorBody),
    )
)]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(request): Json<ActionRequest>,
) -> Result<Json<DeclarationView>, ApiError> {
    let declaration = visible_declaration(&state, &caller, id).await?;
    let command = command(&request)?;
    let applied = take_step(&state, &caller, &declaration, request.version, &command).await?;
    Ok(Json(view(&state, &applied).await?))
}

/// Attaches an evidence file (PDF, PNG or JPEG; the body is the file).
#[utoipa::path(
    post, path = "/api/declarations/{id}/evidence", tag = "declarations",
    params(("id" = i64, Path, description = "The declaration's id"), EvidenceQuery),
    request_body(content = Vec<u8>, content_type = "application/pdf", description = "The file; Content-Type application/pdf, image/png or image/jpeg"),
    responses(
        (status = 201, description = "Attached", body = EvidenceView),
        (status = 403, description = "The role does not declare", body = ErrorBody),
        (status = 404, description = "No such declaration within your jurisdiction", body = ErrorBody),
        (status = 409, description = "Changed since read, or no longer editable", body = ErrorBody),
        (status = 413, description = "Larger than allowed", body = ErrorBody),
        (status = 422, description = "Not an accepted type, content not of the type claimed, bad name or too many files", body = ErrorBody),
    )
)]
pub async fn upload_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(query): Query<EvidenceQuery>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<EvidenceView>), ApiError> {
    let declaration = visible_declaration(&state, &caller, id).await?;
    caller.require(Capability::Declare)?;
    let body = body?;
    current_version(&declaration, query.version)?;
    editable(&declaration, "add evidence to")?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let workflow = &state.settings.workflow;
    let checked = check_evidence(
        &query.name,
        content_type,
        &body,
        workflow.max_evidence_bytes,
    )
    .map_err(|e| ApiError::invalid("invalid_evidence", e.to_string()))?;
    let (evidence, _) = state
        .db
        .add_evidence(
            declaration.id,
            query.version,
            &NewEvidence {
                name: checked.name,
                kind: checked.kind,
                sha256: checked.sha256,
                content: body.to_vec(),
            },
            workflow.max_evidence_files,
            &caller.acting(state.clock.now()),
        )
        .await?;
    Ok((StatusCode::CREATED, Json((&evidence).into())))
}

/// Percent-encodes a file name for `Content-Disposition` (RFC 5987).
fn encode_filename(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Downloads an evidence file.
#[utoipa::path(
    get, path = "/api/declarations/{id}/evidence/{evidence}", tag = "declarations",
    params(
        ("id" = i64, Path, description = "The declaration's id"),
        ("evidence" = i64, Path, description = "The file's id"),
    ),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 403, description = "The role does not read declarations", body = ErrorBody),
        (status = 404, description = "No such file within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn download_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, evidence)): Path<(i64, EvidenceId)>,
) -> Result<Response, ApiError> {
    let declaration = visible_declaration(&state, &caller, id).await?;
    let (record, content) = state
        .db
        .evidence_content(declaration.id, evidence)
        .await?
        .ok_or_else(ApiError::not_found)?;
    file_response(&record.name, record.kind, content)
}

/// A stored file as a download: never shown inline, never sniffed.
fn file_response(name: &str, kind: EvidenceType, content: Vec<u8>) -> Result<Response, ApiError> {
    let mut response = content.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(kind.media_type()),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename*=UTF-8''{}",
            encode_filename(name)
        ))
        .map_err(ApiError::internal)?,
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// Downloads the file a member of the public attached to an objection:
/// for the officials who see the declaration, never for the enterprise
/// (it could name the objector).
#[utoipa::path(
    get, path = "/api/declarations/{id}/objections/{objection}/attachment", tag = "declarations",
    params(
        ("id" = i64, Path, description = "The declaration's id"),
        ("objection" = i64, Path, description = "The objection's id"),
    ),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 403, description = "The role does not read declarations", body = ErrorBody),
        (status = 404, description = "No such attachment within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn download_objection_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, objection)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let declaration = visible_declaration(&state, &caller, id).await?;
    if caller.account.role == Role::Enterprise {
        return Err(ApiError::not_found());
    }
    let (record, content) = state
        .db
        .objection_attachment(declaration.id, ObjectionId(objection))
        .await?
        .ok_or_else(ApiError::not_found)?;
    file_response(&record.name, record.kind, content)
}
