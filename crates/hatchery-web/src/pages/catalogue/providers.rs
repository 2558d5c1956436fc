//! The providers the account sees, with their vetting flags (dishonest-entity
//! list, complaints, suspension) and whether enterprises see them; registering
//! one; setting a provider's flags with the reason — the API's own
//! `list_providers`, `create_provider` and `set_flags`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_core::services::catalogue::{self, ProviderKind};
use hatchery_core::workflow::Jurisdiction;
use hatchery_server::AppState;
use hatchery_server::extract::{Json, Path};
use hatchery_server::routes::catalogue::{
    FlagsBody, NewProviderBody, ProviderView, create_provider, list_providers, set_flags,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{Refusal, choices, kind_key, typed};
use crate::format;
use crate::i18n::catalog;
use crate::pages::requests::office_text;
use crate::pages::{Choice, failure, posted_pairs};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// The form setting one provider's flags.
#[derive(Debug, Serialize)]
struct FlagsForm {
    version: i64,
    dishonest: bool,
    checked_on: String,
    check_source: String,
    complaints: String,
    suspended_reason: String,
    reason: String,
    /// Shown open: it was just refused.
    open: bool,
    problem: Option<&'static str>,
    errors: BTreeMap<String, &'static str>,
}

#[derive(Debug, Serialize)]
struct ProviderRow {
    id: i64,
    name: String,
    kind: String,
    jurisdiction: String,
    uscc: String,
    contact: String,
    /// The dishonest-entity check in words.
    check: String,
    dishonest: bool,
    complaints: u32,
    suspended: Option<String>,
    /// Hidden from enterprises (flagged).
    hidden: bool,
    /// The written reason of the last change of flags.
    reason: String,
    /// The flags' form, for a provider of the account's jurisdiction.
    flags: Option<FlagsForm>,
}

/// The registration form.
#[derive(Debug, Serialize)]
struct RegisterForm {
    name: String,
    kinds: Vec<Choice>,
    uscc: String,
    contact: String,
    problem: Option<&'static str>,
    errors: BTreeMap<String, &'static str>,
}

#[derive(Debug, Serialize)]
struct ProvidersPage {
    rows: Vec<ProviderRow>,
    register: RegisterForm,
    /// `catalogue.done_registered` or `catalogue.done_flags`.
    done: Option<&'static str>,
}

/// What the page says after a step.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: String,
}

fn row(
    provider: &ProviderView,
    member: &Member,
    ledger: &hatchery_server::state::LedgerView,
    refused: Option<&Refusal>,
) -> ProviderRow {
    let lang = member.lang;
    let catalog = catalog(lang);
    let f = &provider.flags;
    let check = match (f.checked_on, f.check_source.as_deref()) {
        (Some(day), Some(source)) => catalog.format(
            if f.dishonest {
                "catalogue.check_found"
            } else {
                "catalogue.check_clean"
            },
            &[
                ("source", source.to_owned()),
                ("day", format::date(day, lang)),
            ],
        ),
        _ if f.dishonest => catalog.format("catalogue.check_found_undated", &[]),
        _ => catalog.format("catalogue.check_none", &[]),
    };
    let manages = Jurisdiction::parse(&provider.jurisdiction)
        .is_ok_and(|j| catalogue::manages(&member.caller.scope, &j));
    let form_name = format!("flags-{}", provider.id);
    let mine = refused.filter(|r| r.form == form_name);
    let flags = manages.then(|| match mine {
        Some(r) => FlagsForm {
            version: provider.version,
            dishonest: r.typed("dishonest") == "1",
            checked_on: r.typed("checked_on"),
            check_source: r.typed("check_source"),
            complaints: r.typed("complaints"),
            suspended_reason: r.typed("suspended_reason"),
            reason: r.typed("reason"),
            open: true,
            problem: (!r.problem.is_empty()).then_some(r.problem),
            errors: r.errors.clone(),
        },
        None => FlagsForm {
            version: provider.version,
            dishonest: f.dishonest,
            checked_on: f.checked_on.map(|d| d.to_string()).unwrap_or_default(),
            check_source: f.check_source.clone().unwrap_or_default(),
            complaints: f.complaints.to_string(),
            suspended_reason: f.suspended_reason.clone().unwrap_or_default(),
            reason: String::new(),
            open: false,
            problem: None,
            errors: BTreeMap::new(),
        },
    });
    ProviderRow {
        id: provider.id,
        name: provider.name.clone(),
        kind: kind_key(provider.kind),
        jurisdiction: office_text(&provider.jurisdiction, ledger, lang),
        uscc: provider.uscc.clone().unwrap_or_default(),
        contact: provider.contact.clone(),
        check,
        dishonest: f.dishonest,
        complaints: f.complaints,
        suspended: f.suspended_reason.clone(),
        hidden: f.hidden_because.is_some(),
        reason: f.reason.clone().unwrap_or_default(),
        flags,
    }
}

async fn render(
    state: &AppState,
    site: &Site,
    member: &Member,
    status: StatusCode,
    refused: Option<Refusal>,
    done: Option<&'static str>,
) -> Response {
    let lang = member.lang;
    let mut shown = member.clone();
    shown.path = "/services/providers".into();
    let chrome = Chrome::member(&shown, "catalogue.providers_title", "catalogue");
    let providers = match list_providers(State(state.clone()), member.caller.clone()).await {
        Ok(Json(providers)) => providers,
        Err(error) => return failure(site, &chrome, &error),
    };
    let ledger = match state.ledger().await {
        Ok(ledger) => ledger,
        Err(error) => return failure(site, &chrome, &error),
    };
    let registering = refused.as_ref().filter(|r| r.form == "register");
    let register = RegisterForm {
        name: registering.map(|r| r.typed("name")).unwrap_or_default(),
        kinds: choices(
            lang,
            ProviderKind::ALL,
            ProviderKind::as_str,
            kind_key,
            &registering.map(|r| r.typed("kind")).unwrap_or_default(),
        ),
        uscc: registering.map(|r| r.typed("uscc")).unwrap_or_default(),
        contact: registering.map(|r| r.typed("contact")).unwrap_or_default(),
        problem: registering.map(|r| r.problem).filter(|p| !p.is_empty()),
        errors: registering.map(|r| r.errors.clone()).unwrap_or_default(),
    };
    let page = ProvidersPage {
        rows: providers
            .iter()
            .map(|p| row(p, member, &ledger, refused.as_ref()))
            .collect(),
        register,
        done,
    };
    site.page(status, "catalogue/providers.html", &chrome, page)
}

/// `GET /services/providers[?done=registered|flags]`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<DoneQuery>,
) -> Response {
    let done = match query.done.as_str() {
        "registered" => Some("catalogue.done_registered"),
        "flags" => Some("catalogue.done_flags"),
        _ => None,
    };
    render(&state, &site, &member, StatusCode::OK, None, done).await
}

/// `POST /services/providers` (form: `csrf`, `name`, `kind`, `uscc`,
/// `contact`): the API's `create_provider`.
pub async fn register(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    body: Bytes,
) -> Response {
    let pairs = posted_pairs(&body);
    let mut refused = Refusal::new("register", &pairs);
    if !member.csrf_ok(&typed(&pairs, "csrf")) {
        refused.problem = "form.expired";
        return render(
            &state,
            &site,
            &member,
            StatusCode::FORBIDDEN,
            Some(refused),
            None,
        )
        .await;
    }
    let Some(kind) = ProviderKind::parse(typed(&pairs, "kind").trim()) else {
        refused.errors.insert("kind".into(), "catalogue.choose");
        refused.problem = "workflow.fix_below";
        return render(
            &state,
            &site,
            &member,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(refused),
            None,
        )
        .await;
    };
    let uscc = typed(&pairs, "uscc");
    let body = NewProviderBody {
        jurisdiction: None,
        name: typed(&pairs, "name"),
        kind,
        uscc: (!uscc.trim().is_empty()).then_some(uscc),
        contact: typed(&pairs, "contact"),
    };
    match create_provider(State(state.clone()), member.caller.clone(), Json(body)).await {
        Ok(_) => Redirect::to("/services/providers?done=registered").into_response(),
        Err(error) => {
            refused.note_api_refusal(&error, |_| None);
            render(&state, &site, &member, error.status(), Some(refused), None).await
        }
    }
}

/// Sets provider `id`'s flags from the posted form.
async fn flags_form(
    state: &AppState,
    site: &Site,
    member: &Member,
    id: i64,
    pairs: &[(String, String)],
) -> Response {
    let mut refused = Refusal::new(format!("flags-{id}"), pairs);
    if !member.csrf_ok(&typed(pairs, "csrf")) {
        refused.problem = "form.expired";
        return render(
            state,
            site,
            member,
            StatusCode::FORBIDDEN,
            Some(refused),
            None,
        )
        .await;
    }
    let Ok(version) = typed(pairs, "version").parse::<i64>() else {
        refused.problem = "error.bad_request_text";
        return render(
            state,
            site,
            member,
            StatusCode::BAD_REQUEST,
            Some(refused),
            None,
        )
        .await;
    };
    let checked_on = match typed(pairs, "checked_on").trim() {
        "" => Ok(None),
        text => text.parse::<Date>().map(Some),
    };
    if checked_on.is_err() {
        refused
            .errors
            .insert("checked_on".into(), "catalogue.date_invalid");
    }
    let complaints = match typed(pairs, "complaints").trim() {
        "" => Ok(0),
        text => text.parse::<u32>(),
    };
    if complaints.is_err() {
        refused
            .errors
            .insert("complaints".into(), "catalogue.complaints_invalid");
    }
    let (Ok(checked_on), Ok(complaints)) = (checked_on, complaints) else {
        refused.problem = "workflow.fix_below";
        return render(
            state,
            site,
            member,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(refused),
            None,
        )
        .await;
    };
    let check_source = typed(pairs, "check_source");
    let suspended = typed(pairs, "suspended_reason");
    let body = FlagsBody {
        version,
        dishonest: typed(pairs, "dishonest") == "1",
        checked_on,
        check_source: (!check_source.trim().is_empty()).then_some(check_source),
        complaints,
        suspended_reason: (!suspended.trim().is_empty()).then_some(suspended),
        reason: typed(pairs, "reason"),
    };
    match set_flags(
        State(state.clone()),
        member.caller.clone(),
        Path(id),
        Json(body),
    )
    .await
    {
        Ok(_) => {
            Redirect::to(&format!("/services/providers?done=flags#provider-{id}")).into_response()
        }
        Err(error) => {
            refused.note_api_refusal(&error, |_| None);
            render(state, site, member, error.status(), Some(refused), None).await
        }
    }
}

/// `POST /services/providers/{id}/flags` (form: `csrf`, `version`,
/// `dishonest`, `checked_on`, `check_source`, `complaints`,
/// `suspended_reason`, `reason`): the API's `set_flags`.
pub async fn flags(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    flags_form(&state, &site, &member, id, &posted_pairs(&body)).await
}
