//! Filling a declaration (the yearly pool update): what the system already
//! holds is never typed again. The values held are the enterprise's profile
//! (`profile::held_rows`, the same table as the request form's and the
//! policy application's), each with its source and date and a correct /
//! confirm action; the tier is the engine's decision today (shown with
//! every condition before anything is saved); the contact starts from the
//! profile (the latest correction, else the last declaration) and the
//! summary from the enterprise's last declaration. The
//! draft is saved by the API's `create_declaration` (or edited by
//! `edit_declaration`), which names every problem with its field; the form
//! then comes back with each problem beside its field and everything typed.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use hatchery_core::workflow::Scope;
use hatchery_server::AppState;
use hatchery_server::extract::{Json, Path, Query as ApiQuery};
use hatchery_server::routes::declarations::{
    CreateDeclaration, DeclarationQuery, EditDeclaration, create_declaration, edit_declaration,
    get_declaration, list_declarations,
};
use hatchery_server::routes::enterprises::{TierQuery, get_enterprise, get_tier, rule_set};
use serde::{Deserialize, Serialize};

use super::enterprise::{DecisionPanel, decision_panel};
use super::{Choice, failure, field_problems, refusal, tier_name};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// The form as posted (and as shown).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct DeclarationFields {
    #[serde(default)]
    pub enterprise: String,
    #[serde(default)]
    pub cycle: String,
    #[serde(default)]
    pub tier: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub version: String,
    #[serde(default, skip_serializing)]
    pub csrf: String,
}

/// Which enterprise to declare for (a zone declares on an enterprise's behalf).
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub enterprise: String,
}

#[derive(Debug, Serialize)]
struct FormPage {
    /// A new declaration (else an edit of `id`).
    new: bool,
    id: i64,
    /// The enterprise is the account's own (no field to type it).
    fixed_enterprise: bool,
    enterprise_name: String,
    /// What the system holds about the enterprise, with source and date
    /// ("enter once"): the same rows and table as the request form's.
    held: Vec<super::profile::HeldRow>,
    /// Where a correction made from the table comes back to.
    back: String,
    precheck: Option<DecisionPanel>,
    tiers: Vec<Choice>,
    fields: DeclarationFields,
    problem: Option<&'static str>,
    errors: BTreeMap<String, &'static str>,
}

/// The account's own enterprise, when it is an enterprise's account.
fn own_enterprise(member: &Member) -> Option<String> {
    match &member.caller.scope {
        Scope::Enterprise(id) => Some(id.to_string()),
        _ => None,
    }
}

/// Fills `page` with what the system holds about `enterprise`; the fields
/// not yet typed start from it. `Err` is the page to answer instead.
async fn prefill(
    state: &AppState,
    site: &Site,
    member: &Member,
    enterprise: &str,
    page: &mut FormPage,
    fill_fields: bool,
) -> Result<(), Response> {
    let lang = member.lang;
    let chrome = chrome(member, page.new);
    let detail = match get_enterprise(
        State(state.clone()),
        member.caller.clone(),
        Path(enterprise.to_owned()),
    )
    .await
    {
        Ok(Json(detail)) => detail,
        Err(error) if error.status() == StatusCode::NOT_FOUND && page.new => {
            page.errors
                .insert("enterprise".into(), "declare.enterprise_unknown");
            return Ok(());
        }
        Err(error) => return Err(failure(site, &chrome, &error)),
    };
    page.enterprise_name = detail.summary.name.clone();
    page.held = super::profile::held_rows(state, member, enterprise).await;
    page.back = if page.new {
        format!("/declarations/new?enterprise={enterprise}")
    } else {
        format!("/declarations/{}/edit", page.id)
    };
    // The engine's decision today: the tier proposed, with every condition.
    let entry = match rule_set(state, None, None).await {
        Ok(entry) => entry,
        Err(error) => return Err(failure(site, &chrome, &error)),
    };
    let decision = match get_tier(
        State(state.clone()),
        member.caller.clone(),
        Path(enterprise.to_owned()),
        ApiQuery(TierQuery {
            as_of: None,
            rules: None,
            version: None,
        }),
    )
    .await
    {
        Ok(Json(decision)) => decision,
        Err(error) => return Err(failure(site, &chrome, &error)),
    };
    page.precheck = Some(decision_panel(&decision, &entry.rules, lang));
    // The contact and summary of the enterprise's last declaration.
    let last = list_declarations(
        State(state.clone()),
        member.caller.clone(),
        ApiQuery(DeclarationQuery {
            cycle: None,
            state: None,
            tier: None,
            enterprise: Some(enterprise.to_owned()),
            page: None,
            per_page: Some(1),
        }),
    )
    .await
    .ok()
    .and_then(|Json(page)| page.items.into_iter().next());
    if fill_fields {
        if page.fields.tier.is_empty() {
            page.fields.tier = decision.tier.clone().unwrap_or_default();
        }
        if let Some(last) = &last {
            page.fields.summary.clone_from(&last.summary);
        }
        // The contact as the profile holds it (a correction made from the
        // table above is what the form starts from).
        let held = |field: &str| {
            page.held
                .iter()
                .find(|h| h.field == field)
                .map(|h| h.raw.clone())
                .filter(|v| !v.is_empty())
        };
        let name = held("contact_name");
        let phone = held("contact_phone");
        page.fields.contact_name = name
            .or_else(|| last.as_ref().map(|l| l.contact_name.clone()))
            .unwrap_or_default();
        page.fields.contact_phone = phone
            .or_else(|| last.as_ref().map(|l| l.contact_phone.clone()))
            .unwrap_or_default();
    }
    page.tiers = entry
        .rules
        .tiers
        .iter()
        .map(|t| Choice {
            value: t.key.clone(),
            label: tier_name(&entry.rules, &t.key, lang),
            selected: t.key == page.fields.tier,
        })
        .collect();
    Ok(())
}

fn chrome(member: &Member, new: bool) -> Chrome {
    Chrome::member(
        member,
        if new {
            "declare.new_title"
        } else {
            "declare.edit_title"
        },
        "declarations",
    )
}

fn blank(new: bool, fields: DeclarationFields) -> FormPage {
    FormPage {
        new,
        id: 0,
        fixed_enterprise: false,
        enterprise_name: String::new(),
        held: Vec::new(),
        back: String::new(),
        precheck: None,
        tiers: Vec::new(),
        fields,
        problem: None,
        errors: BTreeMap::new(),
    }
}

/// `GET /declarations/new[?enterprise=ID]`.
pub async fn new_form(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<NewQuery>,
) -> Response {
    let own = own_enterprise(&member);
    let enterprise = own.clone().unwrap_or(query.enterprise);
    let fields = DeclarationFields {
        enterprise: enterprise.clone(),
        cycle: state.today().year().to_string(),
        ..DeclarationFields::default()
    };
    let mut page = blank(true, fields);
    page.fixed_enterprise = own.is_some();
    if !enterprise.is_empty()
        && let Err(response) = prefill(&state, &site, &member, &enterprise, &mut page, true).await
    {
        return response;
    }
    page.errors.clear();
    site.page(
        StatusCode::OK,
        "declaration_form.html",
        &chrome(&member, true),
        page,
    )
}

/// `POST /declarations/new`: drafts it through the API.
pub async fn create(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Form(fields): Form<DeclarationFields>,
) -> Response {
    let own = own_enterprise(&member);
    let mut fields = fields;
    if let Some(own) = &own {
        fields.enterprise.clone_from(own);
    }
    let mut page = blank(true, fields.clone());
    page.fixed_enterprise = own.is_some();
    let csrf_ok = member.csrf_ok(&fields.csrf);
    let enterprise = fields.enterprise.trim().to_owned();
    if enterprise.is_empty() {
        page.errors
            .insert("enterprise".into(), "declare.enterprise_required");
    } else if let Err(response) =
        prefill(&state, &site, &member, &enterprise, &mut page, false).await
    {
        return response;
    }
    if !csrf_ok {
        page.problem = Some("form.expired");
        return site.page(
            StatusCode::FORBIDDEN,
            "declaration_form.html",
            &chrome(&member, true),
            page,
        );
    }
    // A cycle that is no number goes to the API as 0, which it refuses as
    // a cycle — beside every other problem it finds.
    let cycle = fields.cycle.trim().parse::<i16>().unwrap_or(0);
    if page.errors.is_empty() {
        let request = CreateDeclaration {
            enterprise,
            cycle,
            tier: fields.tier.clone(),
            rule_set: None,
            rule_set_version: None,
            summary: fields.summary.clone(),
            contact_name: fields.contact_name.clone(),
            contact_phone: fields.contact_phone.clone(),
        };
        match create_declaration(State(state.clone()), member.caller.clone(), Json(request)).await {
            Ok((_, Json(created))) => {
                return Redirect::to(&format!("/declarations/{}", created.id)).into_response();
            }
            Err(error) => {
                page.errors = field_problems(&error);
                page.problem = Some(if page.errors.is_empty() {
                    refusal(&error)
                } else {
                    "workflow.fix_below"
                });
            }
        }
    }
    if page.problem.is_none() {
        page.problem = Some("workflow.fix_below");
    }
    site.page(
        StatusCode::UNPROCESSABLE_ENTITY,
        "declaration_form.html",
        &chrome(&member, true),
        page,
    )
}

/// `GET /declarations/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
) -> Response {
    let detail = match get_declaration(State(state.clone()), member.caller.clone(), Path(id)).await
    {
        Ok(Json(detail)) => detail,
        Err(error) => return failure(&site, &chrome(&member, false), &error),
    };
    // A declaration past its draft (or one this account may not edit) has
    // no form to offer: saving it could only be refused. Its page says why.
    let editable = detail.declaration.state.is_editable()
        && hatchery_core::workflow::Capability::Declare.granted_to(member.caller.account.role);
    if !editable {
        return Redirect::to(&format!("/declarations/{id}")).into_response();
    }
    let d = detail.declaration;
    let fields = DeclarationFields {
        enterprise: d.enterprise.clone(),
        cycle: d.cycle.to_string(),
        tier: d.tier.clone(),
        summary: d.summary,
        contact_name: d.contact_name,
        contact_phone: d.contact_phone,
        version: d.version.to_string(),
        csrf: String::new(),
    };
    let mut page = blank(false, fields);
    page.id = id;
    page.fixed_enterprise = true;
    if let Err(response) = prefill(&state, &site, &member, &d.enterprise, &mut page, false).await {
        return response;
    }
    site.page(
        StatusCode::OK,
        "declaration_form.html",
        &chrome(&member, false),
        page,
    )
}

/// `POST /declarations/{id}/edit`: the API's edit, at the version shown.
pub async fn update(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    Form(fields): Form<DeclarationFields>,
) -> Response {
    let detail = match get_declaration(State(state.clone()), member.caller.clone(), Path(id)).await
    {
        Ok(Json(detail)) => detail,
        Err(error) => return failure(&site, &chrome(&member, false), &error),
    };
    let d = detail.declaration;
    let mut fields = fields;
    fields.enterprise.clone_from(&d.enterprise);
    fields.cycle = d.cycle.to_string();
    fields.tier.clone_from(&d.tier);
    let mut page = blank(false, fields.clone());
    page.id = id;
    page.fixed_enterprise = true;
    if let Err(response) = prefill(&state, &site, &member, &d.enterprise, &mut page, false).await {
        return response;
    }
    if !member.csrf_ok(&fields.csrf) {
        page.problem = Some("form.expired");
        return site.page(
            StatusCode::FORBIDDEN,
            "declaration_form.html",
            &chrome(&member, false),
            page,
        );
    }
    let request = EditDeclaration {
        version: fields.version.trim().parse().unwrap_or(-1),
        summary: Some(fields.summary.clone()),
        contact_name: Some(fields.contact_name.clone()),
        contact_phone: Some(fields.contact_phone.clone()),
    };
    match edit_declaration(
        State(state.clone()),
        member.caller.clone(),
        Path(id),
        Json(request),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/declarations/{id}?done=edit")).into_response(),
        Err(error) => {
            page.errors = field_problems(&error);
            page.problem = Some(if page.errors.is_empty() {
                refusal(&error)
            } else {
                "workflow.fix_below"
            });
            site.page(
                error.status(),
                "declaration_form.html",
                &chrome(&member, false),
                page,
            )
        }
    }
}
