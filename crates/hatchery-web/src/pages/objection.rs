//! 异议: the objection form of a public notice. The API takes objections
//! from signed-in accounts (any role but the analyst's and the auditor's;
//! never the enterprise's own), so the form asks a visitor to sign in and
//! comes back here. The objector is the account — recorded, shown to the
//! officials who resolve it, never to the enterprise. Lodged through the
//! API's `lodge_objection`, at the version of the notice shown.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use hatchery_server::AppState;
use hatchery_server::extract::{Json, Path};
use hatchery_server::routes::enterprises::rule_set;
use hatchery_server::routes::notices::{LodgeObjection, lodge_objection, public_notice};
use hatchery_server::views::NoticeView;
use serde::{Deserialize, Serialize};

use super::{division_name, failure, refusal, tier_name};
use crate::format;
use crate::session::Member;
use crate::site::{Chrome, Site};

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct ObjectionForm {
    #[serde(default)]
    pub grounds: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub csrf: String,
}

/// Whether the objection was just lodged.
#[derive(Debug, Default, Deserialize)]
pub struct LodgedQuery {
    #[serde(default)]
    pub done: String,
}

#[derive(Debug, Serialize)]
struct ObjectionPage {
    id: i64,
    version: i64,
    enterprise: String,
    tier: String,
    province: String,
    cycle: i16,
    period: String,
    /// Who lodges it: the signed-in account.
    who: String,
    grounds: String,
    done: bool,
    problem: Option<&'static str>,
    errors: BTreeMap<&'static str, &'static str>,
}

async fn page_of(
    state: &AppState,
    member: &Member,
    notice: &NoticeView,
) -> Result<ObjectionPage, hatchery_server::ApiError> {
    let lang = member.lang;
    let rules = rule_set(state, None, None).await?.rules;
    Ok(ObjectionPage {
        id: notice.declaration,
        version: notice.version,
        enterprise: notice
            .enterprise_name
            .clone()
            .unwrap_or_else(|| notice.enterprise.clone()),
        tier: tier_name(&rules, &notice.tier, lang),
        province: notice
            .province
            .as_deref()
            .map(|p| division_name(p, lang))
            .unwrap_or_default(),
        cycle: notice.cycle,
        period: match (notice.notice_first, notice.notice_last) {
            (Some(first), Some(last)) => crate::i18n::catalog(lang).format(
                "publicity.from_to",
                &[
                    ("first", format::date(first, lang)),
                    ("last", format::date(last, lang)),
                ],
            ),
            _ => String::new(),
        },
        who: member.caller.account.display_name.clone(),
        grounds: String::new(),
        done: false,
        problem: None,
        errors: BTreeMap::new(),
    })
}

fn chrome(member: &Member) -> Chrome {
    Chrome::member(member, "objection.form_title", "publicity")
}

/// `GET /publicity/{id}/object`.
pub async fn form(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    Query(query): Query<LodgedQuery>,
) -> Response {
    let chrome = chrome(&member);
    let notice = match public_notice(&state, id).await {
        Ok(notice) => notice,
        Err(error) => return failure(&site, &chrome, &error),
    };
    match page_of(&state, &member, &notice).await {
        Ok(mut page) => {
            page.done = query.done == "1";
            site.page(StatusCode::OK, "objection.html", &chrome, page)
        }
        Err(error) => failure(&site, &chrome, &error),
    }
}

/// `POST /publicity/{id}/object`.
pub async fn lodge(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    Form(form): Form<ObjectionForm>,
) -> Response {
    let chrome = chrome(&member);
    let notice = match public_notice(&state, id).await {
        Ok(notice) => notice,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let mut page = match page_of(&state, &member, &notice).await {
        Ok(page) => page,
        Err(error) => return failure(&site, &chrome, &error),
    };
    page.grounds.clone_from(&form.grounds);
    if !member.csrf_ok(&form.csrf) {
        page.problem = Some("form.expired");
        return site.page(StatusCode::FORBIDDEN, "objection.html", &chrome, page);
    }
    let request = LodgeObjection {
        version: form.version.trim().parse().unwrap_or(-1),
        reason: form.grounds,
    };
    match lodge_objection(
        State(state.clone()),
        member.caller.clone(),
        Path(id),
        Json(request),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/publicity/{id}/object?done=1")).into_response(),
        Err(error) => {
            let problem = match error.code() {
                "forbidden" => "objection.not_yours",
                _ => refusal(&error),
            };
            if problem == "workflow.reason_required" {
                page.errors.insert("grounds", "objection.grounds_required");
                page.problem = Some("workflow.fix_below");
            } else {
                page.problem = Some(problem);
            }
            site.page(error.status(), "objection.html", &chrome, page)
        }
    }
}
