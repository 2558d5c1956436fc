//! The province's batch recommendation: several approved declarations
//! selected in the inbox, recommended in one post. Each goes through the
//! API's own action (`act`, with the version the inbox showed), so each is
//! decided, quota-checked and audited on its own; the page reports every
//! item's outcome, with the current state of those that failed.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use hatchery_server::AppState;
use hatchery_server::extract::{Json, Path};
use hatchery_server::routes::declarations::{ActionRequest, act, get_declaration};
use serde::Serialize;

use super::{posted_pairs, refusal, state_key};
use crate::session::Member;
use crate::site::{Chrome, Site};

#[derive(Debug, Serialize)]
struct Outcome {
    id: i64,
    enterprise: String,
    done: bool,
    /// What happened, as a message key.
    message: &'static str,
    /// The state it is in now (its message key), when it can be read.
    state: Option<String>,
}

#[derive(Debug, Serialize)]
struct BatchPage {
    problem: Option<&'static str>,
    outcomes: Vec<Outcome>,
    done: usize,
    failed: usize,
}

/// `POST /declarations/recommend`: `pick` = `ID:VERSION`, repeated; `reason`.
pub async fn recommend(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    body: Bytes,
) -> Response {
    let chrome = Chrome::member(&member, "review.batch_title", "declarations");
    let pairs = posted_pairs(&body);
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut page = BatchPage {
        problem: None,
        outcomes: Vec::new(),
        done: 0,
        failed: 0,
    };
    if !member.csrf_ok(&field("csrf")) {
        page.problem = Some("form.expired");
        return site.page(StatusCode::FORBIDDEN, "batch.html", &chrome, page);
    }
    let reason = Some(field("reason").trim().to_owned()).filter(|r| !r.is_empty());
    let picks: Vec<(i64, i64)> = pairs
        .iter()
        .filter(|(k, _)| k == "pick")
        .filter_map(|(_, v)| {
            let (id, version) = v.split_once(':')?;
            Some((id.parse().ok()?, version.parse().ok()?))
        })
        .collect();
    if picks.is_empty() {
        page.problem = Some("review.none_selected");
        return site.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "batch.html",
            &chrome,
            page,
        );
    }
    for (id, version) in picks {
        let request = ActionRequest {
            version,
            action: "recommend".to_owned(),
            reason: reason.clone(),
            objection: None,
            upheld: None,
        };
        let outcome = match act(
            State(state.clone()),
            member.caller.clone(),
            Path(id),
            Json(request),
        )
        .await
        {
            Ok(Json(view)) => Outcome {
                id,
                enterprise: view.enterprise_name.unwrap_or(view.enterprise),
                done: true,
                message: "review.recommended",
                state: Some(state_key(view.state)),
            },
            Err(error) => {
                let message = refusal(&error);
                let now = get_declaration(State(state.clone()), member.caller.clone(), Path(id))
                    .await
                    .ok()
                    .map(|Json(detail)| detail.declaration);
                Outcome {
                    id,
                    enterprise: now
                        .as_ref()
                        .map(|d| d.enterprise_name.clone().unwrap_or(d.enterprise.clone()))
                        .unwrap_or_default(),
                    done: false,
                    message,
                    state: now.map(|d| state_key(d.state)),
                }
            }
        };
        if outcome.done {
            page.done += 1;
        } else {
            page.failed += 1;
        }
        page.outcomes.push(outcome);
    }
    site.page(StatusCode::OK, "batch.html", &chrome, page)
}
