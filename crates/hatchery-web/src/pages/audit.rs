//! 审计日志: the audit log within the member's jurisdiction, filtered by
//! action and account, paged by position; and the verification of the whole
//! chain — the API's own `audit_entries` and `verify`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hatchery_server::AppState;
use hatchery_server::routes::audit::{AuditQuery, audit_entries, verify};
use serde::{Deserialize, Serialize};

use super::{failure, link};
use crate::format;
use crate::i18n::catalog;
use crate::session::Member;
use crate::site::{Chrome, Site};

/// Entries a page shows.
const PER_PAGE: u64 = 50;

/// The filters, as typed.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct AuditPageQuery {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub actor: String,
    /// Entries after this position.
    #[serde(default)]
    pub after: String,
    /// `1`: verify the chain.
    #[serde(default)]
    pub verify: String,
}

#[derive(Debug, Serialize)]
struct EntryRow {
    seq: i64,
    at: String,
    actor: String,
    jurisdiction: String,
    action: String,
    subject: String,
    hash: String,
}

#[derive(Debug, Serialize)]
struct Verdict {
    ok: bool,
    text: String,
    problems: Vec<String>,
}

#[derive(Debug, Serialize)]
struct AuditPage {
    query: AuditPageQuery,
    errors: BTreeMap<&'static str, &'static str>,
    rows: Vec<EntryRow>,
    next: Option<String>,
    first: Option<String>,
    verdict: Option<Verdict>,
    verify_href: String,
}

/// `GET /admin/audit`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<AuditPageQuery>,
) -> Response {
    let lang = member.lang;
    let chrome = Chrome::member(&member, "audit.title", "audit");
    let filters = [
        ("action", query.action.as_str()),
        ("actor", query.actor.as_str()),
    ];
    let mut page = AuditPage {
        query: query.clone(),
        errors: BTreeMap::new(),
        rows: Vec::new(),
        next: None,
        first: None,
        verdict: None,
        verify_href: link("/admin/audit", &[filters[0], filters[1], ("verify", "1")]),
    };
    let after = match query.after.trim() {
        "" => 0,
        text => match text.parse::<i64>() {
            Ok(n) if n >= 0 => n,
            _ => {
                page.errors.insert("after", "audit.after_invalid");
                return site.page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "audit.html",
                    &chrome,
                    page,
                );
            }
        },
    };
    if query.verify == "1" {
        match verify(State(state.clone()), member.caller.clone()).await {
            Ok(found) => {
                let v = found.0;
                let c = catalog(lang);
                let mut problems = Vec::new();
                // The log's own words for what is wrong (data, not UI text).
                if let Some(bad) = &v.first_bad {
                    problems.push(format!(
                        "#{}: {}",
                        bad.seq,
                        serde_json::to_string(&bad.problem).unwrap_or_default()
                    ));
                }
                problems.extend(
                    v.unexplained
                        .iter()
                        .map(|u| format!("{}: {}", u.record, u.problem)),
                );
                page.verdict = Some(Verdict {
                    ok: v.ok,
                    text: c.format(
                        if v.ok {
                            "audit.verified"
                        } else {
                            "audit.broken"
                        },
                        &[("count", format::count(v.entries))],
                    ),
                    problems,
                });
            }
            Err(error) => return failure(&site, &chrome, &error),
        }
    }
    let api = AuditQuery {
        after: Some(after),
        limit: Some(PER_PAGE),
        action: Some(query.action.clone()),
        actor: Some(query.actor.clone()),
    };
    let entries = match audit_entries(&state, &member.caller, &api).await {
        Ok(entries) => entries,
        Err(error) if error.code() == "invalid_query" => {
            page.errors.insert("action", "audit.filter_invalid");
            return site.page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "audit.html",
                &chrome,
                page,
            );
        }
        Err(error) => return failure(&site, &chrome, &error),
    };
    if entries.len() as u64 == PER_PAGE
        && let Some(last) = entries.last()
    {
        page.next = Some(link(
            "/admin/audit",
            &[filters[0], filters[1], ("after", &last.seq.to_string())],
        ));
    }
    if after > 0 {
        page.first = Some(link("/admin/audit", &filters));
    }
    page.rows = entries
        .iter()
        .map(|e| EntryRow {
            seq: e.seq,
            at: format::instant(e.at, lang),
            actor: e.actor_name.clone(),
            jurisdiction: super::jurisdiction_text(&e.jurisdiction, lang),
            action: e.action.clone(),
            subject: e.subject.clone(),
            hash: e.hash.chars().take(12).collect(),
        })
        .collect();
    site.page(StatusCode::OK, "audit.html", &chrome, page)
}
