//! "Enter once" (issue 14) in the pages: what the system holds about an
//! enterprise, each value with its source and date, from the API's
//! `enterprise_profile`, and a correct (or confirm) action beside each value
//! that may be corrected, through the API's `correct`. The same table (the
//! macro `held_table` of `profile/macros.html`) is shown on the profile page
//! (`/enterprises/{id}/profile`) and above the forms that would otherwise
//! ask for these values again (a request, a policy application, a
//! declaration: all three through `held_rows`).

use hatchery_report::{KeyKind, key_name};
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Form, Router};
use hatchery_core::RuleSet;
use hatchery_server::AppState;
use hatchery_server::extract::Path;
use hatchery_server::routes::enterprises::rule_set;
use hatchery_server::routes::profile::{
    Correction, HeldValue, ProfileView, SourceKind, correct, enterprise_profile,
};
use serde::{Deserialize, Serialize};

use super::{division_name, failure, refusal, tier_name};
use crate::format;
use crate::i18n::{Lang, catalog};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// This area's templates, by name (`profile/….html`), with their source.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "profile/page.html",
        include_str!("../../templates/profile/page.html"),
    ),
    (
        "profile/macros.html",
        include_str!("../../templates/profile/macros.html"),
    ),
];

/// This area's pages.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/enterprises/{id}/profile", get(show))
        .route(
            "/enterprises/{id}/profile/correct",
            get(back_to_profile).post(submit),
        )
}

/// One value held, as the table shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HeldRow {
    /// The API's field name (the form's `field`).
    pub field: String,
    /// The field's name in the language.
    pub label: String,
    /// The value in words (a division's name and code, an amount with its
    /// currency and year).
    pub value: String,
    /// The value as the API holds it (what a correction form starts from).
    pub raw: String,
    pub year: Option<i16>,
    /// Where it came from, in words.
    pub source: String,
    /// A correction or confirmation by an account.
    pub corrected: bool,
    pub date: String,
    pub correctable: bool,
}

fn row(v: &HeldValue, rules: Option<&RuleSet>, lang: Lang) -> HeldRow {
    let catalog = catalog(lang);
    let value = match v.field.as_str() {
        "region" if !v.value.is_empty() => {
            format!("{} ({})", division_name(&v.value, lang), v.value)
        }
        // A tier by its name (潜在独角兽 / Potential unicorn), not its key;
        // the key itself when the rule set does not know it.
        "tier" | "pool" if !v.value.is_empty() => match rules {
            Some(rules) => tier_name(rules, &v.value, lang),
            None => v.value.clone(),
        },
        "revenue" | "rd_expense" | "valuation" if !v.value.is_empty() => {
            format::money_text(&v.value, v.currency.as_deref(), lang)
        }
        // `B 60000000`: the round as written, its amount as money.
        "latest_round" => match v.value.rsplit_once(' ') {
            Some((round, amount)) if v.currency.is_some() => format!(
                "{round} {}",
                format::money_text(amount, v.currency.as_deref(), lang)
            ),
            _ if v.currency.is_some() && !v.value.is_empty() => {
                format::money_text(&v.value, v.currency.as_deref(), lang)
            }
            _ => v.value.clone(),
        },
        // Names, never keys: the zone's and the industries'.
        "zone" if !v.value.is_empty() => key_name(KeyKind::Zone, &v.value, lang.report())
            .unwrap_or(&v.value)
            .to_owned(),
        "industries" => v
            .value
            .split(';')
            .filter(|key| !key.is_empty())
            .map(|key| {
                key_name(KeyKind::Industry, key, lang.report())
                    .unwrap_or(key)
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join(match lang {
                Lang::Zh => "、",
                Lang::En => ", ",
            }),
        _ => v.value.clone(),
    };
    let value = match (v.year, v.field.as_str()) {
        (Some(year), "revenue" | "rd_expense" | "employees") => catalog.format(
            "profile.of_year",
            &[("value", value.clone()), ("year", year.to_string())],
        ),
        (Some(year), "pool") => catalog.format(
            "profile.of_cycle",
            &[("value", value.clone()), ("year", year.to_string())],
        ),
        _ => value,
    };
    let kind = match v.source {
        SourceKind::LedgerImport => "ledger_import",
        SourceKind::LedgerEvent => "ledger_event",
        SourceKind::Declaration => "declaration",
        SourceKind::Correction => "correction",
        SourceKind::Confirmation => "confirmation",
        SourceKind::Engine => "engine",
        SourceKind::Pool => "pool",
        SourceKind::Steward => "steward",
    };
    let source = if v.date.is_none() && v.value.is_empty() {
        String::new()
    } else {
        catalog.format(
            &format!("profile.source.{kind}"),
            &[(
                "label",
                v.source_label.trim_start_matches("declaration:").to_owned(),
            )],
        )
    };
    HeldRow {
        field: v.field.clone(),
        label: catalog.format(&format!("profile.field.{}", v.field), &[]),
        value,
        raw: v.value.clone(),
        year: v.year,
        source,
        corrected: matches!(v.source, SourceKind::Correction | SourceKind::Confirmation),
        date: v.date.map(|d| format::date(d, lang)).unwrap_or_default(),
        correctable: v.correctable,
    }
}

/// The profile's values as rows (the ones a form asks for first), a tier
/// named by `rules` (the configured rule set, the one the profile's tier
/// is decided under).
pub(crate) fn rows(profile: &ProfileView, rules: Option<&RuleSet>, lang: Lang) -> Vec<HeldRow> {
    profile.values.iter().map(|v| row(v, rules, lang)).collect()
}

/// The configured rule set (the profile's tier is the engine's decision
/// under it), to name tiers; none when it cannot be read (keys shown).
async fn configured_rules(state: &AppState) -> Option<Arc<RuleSet>> {
    rule_set(state, None, None)
        .await
        .ok()
        .map(|entry| entry.rules)
}

/// The held values of `enterprise` for the account, or none when it may
/// not read them (a form then asks as before). The one way every form gets
/// them: the request form, the policy application, the declaration form.
pub(crate) async fn held_rows(state: &AppState, member: &Member, enterprise: &str) -> Vec<HeldRow> {
    match enterprise_profile(state, &member.caller, enterprise).await {
        Ok(profile) => {
            let rules = configured_rules(state).await;
            rows(&profile, rules.as_deref(), member.lang)
        }
        Err(_) => Vec::new(),
    }
}

/// The correction form as posted.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CorrectFields {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub effective_on: String,
    #[serde(default)]
    pub currency: String,
    /// `confirm` records that the value held is right.
    #[serde(default)]
    pub action: String,
    /// Where to go back to (a path of this site).
    #[serde(default)]
    pub back: String,
    #[serde(default)]
    pub csrf: String,
}

#[derive(Debug, Serialize)]
struct ProfilePage {
    enterprise_id: String,
    enterprise: String,
    held: Vec<HeldRow>,
    facts: Vec<FactRow>,
    /// The problem of a refused correction, and its field.
    problem: Option<String>,
    problem_field: String,
    back: String,
}

#[derive(Debug, Serialize)]
struct FactRow {
    label: String,
    value: String,
    previous: String,
    effective_on: String,
    confirms: bool,
    by: String,
}

fn chrome(member: &Member) -> Chrome {
    Chrome::member(member, "profile.title", "directory")
}

async fn render(
    state: &AppState,
    site: &Site,
    member: &Member,
    id: &str,
    status: StatusCode,
    problem: Option<(String, String)>,
) -> Response {
    let lang = member.lang;
    let profile = match enterprise_profile(state, &member.caller, id).await {
        Ok(profile) => profile,
        Err(error) => return failure(site, &chrome(member), &error),
    };
    let rules = configured_rules(state).await;
    let catalog = catalog(lang);
    let (problem, problem_field) = match problem {
        Some((message, field)) => (Some(message), field),
        None => (None, String::new()),
    };
    let page = ProfilePage {
        enterprise_id: profile.enterprise.clone(),
        enterprise: profile
            .get("name")
            .map(|v| v.value.clone())
            .unwrap_or_default(),
        held: rows(&profile, rules.as_deref(), lang),
        facts: profile
            .facts
            .iter()
            .rev()
            .map(|f| FactRow {
                label: catalog.format(&format!("profile.field.{}", f.field), &[]),
                value: match f.year {
                    Some(year) => catalog.format(
                        "profile.of_year",
                        &[("value", f.value.clone()), ("year", year.to_string())],
                    ),
                    None => f.value.clone(),
                },
                previous: f.previous.clone().unwrap_or_default(),
                effective_on: format::date(f.effective_on, lang),
                confirms: f.confirms,
                by: f.recorded_by.clone(),
            })
            .collect(),
        problem,
        problem_field,
        back: format!("/enterprises/{}/profile", profile.enterprise),
    };
    site.page(status, "profile/page.html", &chrome(member), page)
}

/// `GET /enterprises/{id}/profile`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<String>,
) -> Response {
    render(&state, &site, &member, &id, StatusCode::OK, None).await
}

/// `GET /enterprises/{id}/profile/correct` (the language switch after a
/// refused correction): the profile page.
pub async fn back_to_profile(Path(id): Path<String>) -> Response {
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    Redirect::to(&format!("/enterprises/{id}/profile")).into_response()
}

/// Whether `back` is a path of this site (never another host).
fn local(back: &str) -> bool {
    back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && !back.chars().any(char::is_control)
}

/// `POST /enterprises/{id}/profile/correct`: records the correction through
/// the API, then goes back to the form it was made from (or the profile);
/// a refusal shows the profile with the problem and its field.
pub async fn submit(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<String>,
    Form(fields): Form<CorrectFields>,
) -> Response {
    if !member.csrf_ok(&fields.csrf) {
        let message = catalog(member.lang).format("form.expired", &[]);
        return render(
            &state,
            &site,
            &member,
            &id,
            StatusCode::FORBIDDEN,
            Some((message, String::new())),
        )
        .await;
    }
    let confirm = fields.action == "confirm";
    let year = match fields.year.trim() {
        "" => None,
        text => match text.parse::<i16>() {
            Ok(year) => Some(year),
            Err(_) => {
                let message = catalog(member.lang).format("profile.error.year", &[]);
                return render(
                    &state,
                    &site,
                    &member,
                    &id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some((message, "year".into())),
                )
                .await;
            }
        },
    };
    let blank = |text: &str| {
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    };
    let body = Correction {
        field: fields.field.clone(),
        value: if confirm {
            None
        } else {
            Some(fields.value.clone())
        },
        effective_on: blank(&fields.effective_on),
        year,
        currency: blank(&fields.currency),
        confirm,
    };
    match correct(&state, &member.caller, &id, body).await {
        Ok(_) => {
            let back = if local(&fields.back) {
                fields.back.clone()
            } else {
                format!("/enterprises/{id}/profile")
            };
            Redirect::to(&back).into_response()
        }
        Err(error) if error.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let field = error
                .details()
                .and_then(|d| d["field"].as_str())
                .unwrap_or_default()
                .to_owned();
            let label =
                catalog(member.lang).format(&format!("profile.field.{}", fields.field), &[]);
            let message = catalog(member.lang).format(
                "profile.error.refused",
                &[("field", label), ("reason", error.message().to_owned())],
            );
            render(
                &state,
                &site,
                &member,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((message, field)),
            )
            .await
        }
        Err(error)
            if error.status().is_client_error() && error.status() != StatusCode::NOT_FOUND =>
        {
            let message = catalog(member.lang).format(refusal(&error), &[]);
            render(
                &state,
                &site,
                &member,
                &id,
                error.status(),
                Some((message, String::new())),
            )
            .await
        }
        Err(error) => failure(&site, &chrome(&member), &error),
    }
}
