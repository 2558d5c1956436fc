//! 申报 inbox: the declarations waiting for this account, one table per
//! stage it acts on (the workflow's own `awaiting(role)`: an enterprise's
//! drafts and returned ones, the city's or zone's submitted ones, the
//! province's approved ones — selectable for a batch recommendation —, the
//! ministry's recommended ones and public notices), and every declaration
//! in scope, paged. Everything through the API's `list_declarations`.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hatchery_core::workflow::{Capability, DeclarationState, awaiting};
use hatchery_server::extract::Query as ApiQuery;
use hatchery_server::routes::declarations::{DeclarationQuery, list_declarations};
use hatchery_server::routes::enterprises::rule_set;
use hatchery_server::views::DeclarationView;
use hatchery_server::{ApiError, AppState};
use serde::{Deserialize, Serialize};

use super::{failure, link, state_key, tier_name};
use crate::format;
use crate::session::Member;
use crate::site::{Chrome, Site};

/// Rows per page of the full list.
const PER_PAGE: u64 = 20;

/// Which view: the inbox (default) or `all`, and the page of `all`.
#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    #[serde(default)]
    pub view: String,
    #[serde(default)]
    pub page: String,
}

/// One declaration in a table.
#[derive(Debug, Serialize)]
pub(crate) struct Row {
    pub id: i64,
    pub enterprise: String,
    pub tier: String,
    pub cycle: i16,
    /// The state's message key.
    pub state: String,
    pub updated: String,
    pub version: i64,
}

#[derive(Debug, Serialize)]
struct Stage {
    /// The state's message key.
    state: String,
    rows: Vec<Row>,
    /// Whether the rows can be recommended together (province, approved).
    batch: bool,
}

#[derive(Debug, Serialize)]
struct Everything {
    rows: Vec<Row>,
    total: String,
    page: u64,
    pages: u64,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Debug, Serialize)]
struct InboxPage {
    inbox: bool,
    stages: Vec<Stage>,
    all: Option<Everything>,
    can_declare: bool,
}

/// The rows of `views`, in the member's language.
pub(crate) async fn rows(
    state: &AppState,
    member: &Member,
    views: &[DeclarationView],
) -> Result<Vec<Row>, ApiError> {
    let rules = rule_set(state, None, None).await?.rules;
    Ok(views
        .iter()
        .map(|d| Row {
            id: d.id,
            enterprise: d
                .enterprise_name
                .clone()
                .unwrap_or_else(|| d.enterprise.clone()),
            tier: tier_name(&rules, &d.tier, member.lang),
            cycle: d.cycle,
            state: state_key(d.state),
            updated: format::instant(d.updated_at, member.lang),
            version: d.version,
        })
        .collect())
}

async fn listed(
    state: &AppState,
    member: &Member,
    wanted: Option<DeclarationState>,
    page: u64,
    per_page: u64,
) -> Result<hatchery_server::extract::Paged<DeclarationView>, ApiError> {
    list_declarations(
        State(state.clone()),
        member.caller.clone(),
        ApiQuery(DeclarationQuery {
            cycle: None,
            state: wanted,
            tier: None,
            enterprise: None,
            page: Some(page),
            per_page: Some(per_page.min(state.settings.limits.max_page_size)),
        }),
    )
    .await
    .map(|json| json.0)
}

/// `GET /declarations`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<InboxQuery>,
) -> Response {
    let chrome = Chrome::member(&member, "declare.inbox_title", "declarations");
    // A role with no stage to act on would otherwise see an empty inbox
    // rather than being told the page is not its own.
    if let Err(error) = member.caller.require(Capability::ReadDeclarations) {
        return failure(&site, &chrome, &error);
    }
    let role = member.caller.account.role;
    let inbox = query.view != "all";
    let mut page = InboxPage {
        inbox,
        stages: Vec::new(),
        all: None,
        can_declare: Capability::Declare.granted_to(role),
    };
    if inbox {
        for wanted in awaiting(role) {
            let listed = match listed(&state, &member, Some(wanted), 1, 100).await {
                Ok(listed) => listed,
                Err(error) => return failure(&site, &chrome, &error),
            };
            let rows = match rows(&state, &member, &listed.items).await {
                Ok(rows) => rows,
                Err(error) => return failure(&site, &chrome, &error),
            };
            page.stages.push(Stage {
                state: state_key(wanted),
                batch: wanted == DeclarationState::LocallyApproved
                    && Capability::Recommend.granted_to(role)
                    && !rows.is_empty(),
                rows,
            });
        }
    } else {
        let number = query
            .page
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n >= 1)
            .unwrap_or(1);
        let listed = match listed(&state, &member, None, number, PER_PAGE).await {
            Ok(listed) => listed,
            Err(error) => return failure(&site, &chrome, &error),
        };
        let pages = listed.total.div_ceil(PER_PAGE).max(1);
        let rows = match rows(&state, &member, &listed.items).await {
            Ok(rows) => rows,
            Err(error) => return failure(&site, &chrome, &error),
        };
        let at = |n: u64| {
            link(
                "/declarations",
                &[("view", "all"), ("page", &n.to_string())],
            )
        };
        page.all = Some(Everything {
            rows,
            total: format::count(listed.total),
            page: number,
            pages,
            previous: (number > 1).then(|| at(number - 1)),
            next: (number < pages).then(|| at(number + 1)),
        });
    }
    site.page(StatusCode::OK, "declarations.html", &chrome, page)
}
