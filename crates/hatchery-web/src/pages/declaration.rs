//! One declaration: its form, the engine's pre-check (live while it is a
//! draft, as attached at submission afterwards), its evidence (with an
//! upload form while it can change), its history and objections, and the
//! steps this account may take now — the API's own `actions` list. Every
//! step goes through the API's `act`; a refusal comes back in words beside
//! the declaration as it now stands ("someone else acted first" when the
//! version moved on), with the reason typed still there.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_core::criteria::Decision;
use hatchery_core::workflow::{ActionKind, Capability, EvidenceId, ObjectionId};
use hatchery_server::AppState;
use hatchery_server::extract::{Json, Path, Query as ApiQuery};
use hatchery_server::routes::declarations::{
    ActionRequest, EvidenceQuery, PUBLIC_ACTOR, act, download_evidence,
    download_objection_attachment, get_declaration, upload_evidence,
};
use hatchery_server::routes::enterprises::{TierQuery, get_tier, rule_set};
use hatchery_server::views::{DecisionView, DeclarationDetail};
use serde::{Deserialize, Serialize};

use super::enterprise::{DecisionPanel, decision_panel};
use super::{division_name, failure, posted_pairs, refusal, state_key, tier_name};
use crate::format;
use crate::session::Member;
use crate::site::{Chrome, Site};

/// What the page says after a step taken.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: String,
}

#[derive(Debug, Serialize)]
struct StepRow {
    /// The action's message key.
    action: String,
    from: String,
    to: String,
    actor: String,
    at: String,
    reason: String,
}

#[derive(Debug, Serialize)]
struct EvidenceRow {
    id: i64,
    name: String,
    kind: String,
    size: String,
    at: String,
}

#[derive(Debug, Serialize)]
struct ObjectionRow {
    id: i64,
    /// The grounds as lodged; `None` for the enterprise (officials only).
    text: Option<String>,
    at: String,
    /// Who lodged it (officials only; empty for the enterprise).
    by: String,
    /// A member of the public who lodged it: name and contact (officials only).
    public: Option<(String, String)>,
    /// The name of the file the objector attached (officials only).
    attachment: Option<String>,
    open: bool,
    /// `objection.upheld` / `objection.dismissed`, once resolved.
    outcome: Option<&'static str>,
    resolution: String,
}

/// What was typed in the page's forms, to give back after a refusal.
#[derive(Debug, Default, Serialize)]
struct Typed {
    reason: String,
    /// The objection a resolution was about, and what was typed for it.
    objection: Option<i64>,
    resolution: String,
    /// The outcome chosen for it (`yes`/`no`), if any.
    upheld: String,
}

#[derive(Debug, Serialize)]
struct DeclarationPage {
    id: i64,
    version: i64,
    enterprise: String,
    enterprise_id: String,
    tier: String,
    cycle: i16,
    state: String,
    rule_set: String,
    province: String,
    summary: String,
    contact_name: String,
    contact_phone: String,
    notice: Option<String>,
    /// The pre-check: live (`live`) for a draft, else as attached.
    precheck: Option<DecisionPanel>,
    live: bool,
    evidence: Vec<EvidenceRow>,
    /// Whether evidence can be added and the form edited (a declarant's
    /// draft or returned declaration).
    editable: bool,
    steps: Vec<StepRow>,
    objections: Vec<ObjectionRow>,
    /// The steps open to this account, as the API lists them.
    actions: Vec<&'static str>,
    /// Steps that need a written reason among them.
    needs_reason: bool,
    resolve: bool,
    done: Option<String>,
    /// The refusal, in words.
    problem: Option<&'static str>,
    errors: BTreeMap<&'static str, &'static str>,
    typed: Typed,
}

/// Renders the declaration as it stands, with what went wrong, if anything.
async fn render(
    state: &AppState,
    site: &Site,
    member: &Member,
    id: i64,
    status: StatusCode,
    refusal: Option<(&'static str, BTreeMap<&'static str, &'static str>, Typed)>,
    done: Option<String>,
) -> Response {
    let lang = member.lang;
    let chrome = Chrome::member(member, "declare.detail_title", "declarations");
    let detail: DeclarationDetail =
        match get_declaration(State(state.clone()), member.caller.clone(), Path(id)).await {
            Ok(Json(detail)) => detail,
            Err(error) => return failure(site, &chrome, &error),
        };
    let d = &detail.declaration;
    let rules = match rule_set(state, Some(&d.rule_set), Some(&d.rule_set_version)).await {
        Ok(entry) => entry.rules,
        Err(error) => return failure(site, &chrome, &error),
    };
    let role = member.caller.account.role;
    let editable = d.state.is_editable() && Capability::Declare.granted_to(role);
    // While it can still change, the pre-check is the engine's today;
    // afterwards, the one attached at submission.
    let (precheck, live) = if editable && Capability::ReadEnterprises.granted_to(role) {
        let asked = get_tier(
            State(state.clone()),
            member.caller.clone(),
            Path(d.enterprise.clone()),
            ApiQuery(TierQuery {
                as_of: None,
                rules: Some(d.rule_set.clone()),
                version: Some(d.rule_set_version.clone()),
            }),
        )
        .await;
        match asked {
            Ok(Json(view)) => (Some(decision_panel(&view, &rules, lang)), true),
            Err(error) => return failure(site, &chrome, &error),
        }
    } else {
        let attached = d
            .precheck
            .clone()
            .and_then(|v| serde_json::from_value::<Decision>(v).ok())
            .map(|decision| {
                decision_panel(&DecisionView::new(&d.enterprise, &decision), &rules, lang)
            });
        (attached, false)
    };
    let (problem, errors, typed) = match refusal {
        Some((problem, errors, typed)) => (Some(problem), errors, typed),
        None => (None, BTreeMap::new(), Typed::default()),
    };
    let actions: Vec<&'static str> = detail
        .actions
        .iter()
        .filter(|a| **a != ActionKind::ResolveObjection)
        .map(|a| a.as_str())
        .collect();
    let page = DeclarationPage {
        id: d.id,
        version: d.version,
        enterprise: d
            .enterprise_name
            .clone()
            .unwrap_or_else(|| d.enterprise.clone()),
        enterprise_id: d.enterprise.clone(),
        tier: tier_name(&rules, &d.tier, lang),
        cycle: d.cycle,
        state: state_key(d.state),
        rule_set: format!("{}@{}", d.rule_set, d.rule_set_version),
        province: d
            .placement
            .province
            .as_deref()
            .map(|p| division_name(p, lang))
            .unwrap_or_default(),
        summary: d.summary.clone(),
        contact_name: d.contact_name.clone(),
        contact_phone: d.contact_phone.clone(),
        notice: d.notice_first.zip(d.notice_last).map(|(first, last)| {
            format!(
                "{} – {}",
                format::date(first, lang),
                format::date(last, lang)
            )
        }),
        precheck,
        live,
        evidence: detail
            .evidence
            .iter()
            .map(|e| EvidenceRow {
                id: e.id.0,
                name: e.name.clone(),
                kind: e.content_type.clone(),
                size: format::count(e.size),
                at: format::instant(e.uploaded_at, lang),
            })
            .collect(),
        editable,
        steps: detail
            .steps
            .iter()
            .map(|s| StepRow {
                action: format!("action.{}", s.action.as_str()),
                from: state_key(s.from),
                to: state_key(s.to),
                actor: match (s.actor, s.actor_name.as_deref()) {
                    (None, Some(PUBLIC_ACTOR)) => {
                        crate::i18n::catalog(lang).format("objection.public_actor", &[])
                    }
                    (_, name) => name.unwrap_or_default().to_owned(),
                },
                at: format::instant(s.at, lang),
                reason: s.reason.clone().unwrap_or_default(),
            })
            .collect(),
        objections: detail
            .objections
            .iter()
            .map(|o| ObjectionRow {
                id: o.id.0,
                text: o.text.clone(),
                at: format::instant(o.lodged_at, lang),
                by: o.lodged_by.map(|a| format!("#{a}")).unwrap_or_default(),
                public: o
                    .objector
                    .as_ref()
                    .map(|p| (p.name.clone(), p.contact.clone())),
                attachment: o.attachment.as_ref().map(|a| a.name.clone()),
                open: o.resolved_at.is_none(),
                outcome: o.upheld.map(|upheld| {
                    if upheld {
                        "objection.upheld"
                    } else {
                        "objection.dismissed"
                    }
                }),
                resolution: o.resolution.clone().unwrap_or_default(),
            })
            .collect(),
        needs_reason: detail
            .actions
            .iter()
            .any(|a| matches!(a, ActionKind::Return | ActionKind::Reject)),
        resolve: detail.actions.contains(&ActionKind::ResolveObjection),
        actions,
        done,
        problem,
        errors,
        typed,
    };
    site.page(status, "declaration.html", &chrome, page)
}

/// `GET /declarations/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let done = ActionKind::parse(&query.done)
        .map(|a| format!("action.{}", a.as_str()))
        .or_else(|| (query.done == "evidence").then(|| "evidence.added".to_owned()));
    render(&state, &site, &member, id, StatusCode::OK, None, done).await
}

/// `POST /declarations/{id}/act`: `action`, `version`, `reason`; for a
/// resolution also `objection` and `upheld` (`yes`/`no`).
pub async fn take(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let pairs = posted_pairs(&body);
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let action = field("action");
    let objection = field("objection").parse::<i64>().ok();
    let reason_field = if objection.is_some() {
        "resolution"
    } else {
        "reason"
    };
    let typed = Typed {
        reason: if objection.is_none() {
            field("reason")
        } else {
            String::new()
        },
        objection,
        resolution: if objection.is_some() {
            field("reason")
        } else {
            String::new()
        },
        upheld: field("upheld"),
    };
    if !member.csrf_ok(&field("csrf")) {
        let refused = ("form.expired", BTreeMap::new(), typed);
        return render(
            &state,
            &site,
            &member,
            id,
            StatusCode::FORBIDDEN,
            Some(refused),
            None,
        )
        .await;
    }
    let upheld = match field("upheld").as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let mut errors = BTreeMap::new();
    if objection.is_some() && upheld.is_none() {
        errors.insert("upheld", "objection.choose");
    }
    let Ok(version) = field("version").parse::<i64>() else {
        let refused = ("error.bad_request_text", errors, typed);
        return render(
            &state,
            &site,
            &member,
            id,
            StatusCode::BAD_REQUEST,
            Some(refused),
            None,
        )
        .await;
    };
    if !errors.is_empty() {
        let refused = ("workflow.fix_below", errors, typed);
        return render(
            &state,
            &site,
            &member,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(refused),
            None,
        )
        .await;
    }
    let request = ActionRequest {
        version,
        action: action.clone(),
        reason: Some(field("reason")),
        objection: objection.map(ObjectionId),
        upheld,
    };
    match act(
        State(state.clone()),
        member.caller.clone(),
        Path(id),
        Json(request),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/declarations/{id}?done={action}")).into_response(),
        Err(error) => {
            let problem = refusal(&error);
            if problem == "workflow.reason_required" {
                errors.insert(reason_field, "workflow.reason_required");
            }
            let refused = (problem, errors, typed);
            render(
                &state,
                &site,
                &member,
                id,
                error.status(),
                Some(refused),
                None,
            )
            .await
        }
    }
}

/// `POST /declarations/{id}/evidence` (multipart: `csrf`, `version`,
/// `file`): the API's own upload, with the file's name and type as sent.
pub async fn attach(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Response {
    let mut csrf = String::new();
    let mut version = None;
    let mut file: Option<(String, String, Bytes)> = None;
    let mut unreadable = false;
    loop {
        match multipart.next_field().await {
            Ok(Some(part)) => {
                let name = part.name().unwrap_or_default().to_owned();
                let filename = part.file_name().map(str::to_owned);
                let content_type = part.content_type().unwrap_or_default().to_owned();
                let Ok(bytes) = part.bytes().await else {
                    unreadable = true;
                    break;
                };
                match name.as_str() {
                    "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
                    "version" => version = String::from_utf8_lossy(&bytes).parse::<i64>().ok(),
                    "file" => {
                        if let Some(filename) = filename.filter(|f| !f.is_empty()) {
                            file = Some((filename, content_type, bytes));
                        }
                    }
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => {
                unreadable = true;
                break;
            }
        }
    }
    let refuse = |status, problem, field: Option<&'static str>| {
        let mut errors = BTreeMap::new();
        if let Some(field) = field {
            errors.insert(field, problem);
        }
        (status, (problem, errors, Typed::default()))
    };
    let refused = if !member.csrf_ok(&csrf) {
        Some(refuse(StatusCode::FORBIDDEN, "form.expired", None))
    } else if unreadable {
        Some(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "workflow.too_large",
            Some("file"),
        ))
    } else {
        None
    };
    if let Some((status, refused)) = refused {
        return render(&state, &site, &member, id, status, Some(refused), None).await;
    }
    let Some((name, content_type, bytes)) = file else {
        let (status, refused) = refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "evidence.choose",
            Some("file"),
        );
        return render(&state, &site, &member, id, status, Some(refused), None).await;
    };
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    let uploaded = upload_evidence(
        State(state.clone()),
        member.caller.clone(),
        Path(id),
        ApiQuery(EvidenceQuery {
            version: version.unwrap_or(-1),
            name,
        }),
        headers,
        Ok(bytes),
    )
    .await;
    match uploaded {
        Ok(_) => Redirect::to(&format!("/declarations/{id}?done=evidence")).into_response(),
        Err(error) => {
            let problem = refusal(&error);
            let mut errors = BTreeMap::new();
            if matches!(
                error.code(),
                "invalid_evidence" | "limit_reached" | "body_too_large"
            ) {
                errors.insert("file", problem);
            }
            let refused = (problem, errors, Typed::default());
            render(
                &state,
                &site,
                &member,
                id,
                error.status(),
                Some(refused),
                None,
            )
            .await
        }
    }
}

/// `GET /declarations/{id}/evidence/{file}`: the API's own download.
/// `GET /declarations/{id}/objections/{objection}/attachment`: the file a
/// member of the public attached, for the officials who see the declaration.
pub async fn download_objection_file(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path((id, objection)): Path<(i64, i64)>,
) -> Response {
    let file =
        download_objection_attachment(State(state), member.caller.clone(), Path((id, objection)))
            .await;
    file_or_failure(&site, &member, file)
}

/// `GET /declarations/{id}/evidence/{file}`.
pub async fn download(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path((id, file)): Path<(i64, i64)>,
) -> Response {
    let file = download_evidence(
        State(state),
        member.caller.clone(),
        Path((id, EvidenceId(file))),
    )
    .await;
    file_or_failure(&site, &member, file)
}

/// A download, or the page saying why not.
fn file_or_failure(
    site: &Site,
    member: &Member,
    file: Result<Response, hatchery_server::ApiError>,
) -> Response {
    match file {
        Ok(response) => response,
        Err(error) => failure(
            site,
            &Chrome::member(member, "declare.detail_title", "declarations"),
            &error,
        ),
    }
}
