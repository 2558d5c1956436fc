//! Regional cultivation targets (培育目标, issue 15), for officials and the
//! ministry:
//!
//! - `/targets[?as_of=D]`: the targets within the account's jurisdiction,
//!   each with its count, status and source as of the day;
//! - `/targets/{id}[?as_of=D]`: one target — its definition, source and
//!   counting rule, its progress (count, status, pace so far against the
//!   pace needed), the enterprises that count and the nearest candidates
//!   with what they lack, from the engine's reasons.
//!
//! Every page calls the API's own functions
//! (`hatchery_server::routes::targets`) with the signed-in caller.

use std::sync::Arc;

use axum::Extension;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use hatchery_core::RuleSet;
use hatchery_core::targets::{CountingRule, SourceStatus, TargetStatus};
use hatchery_server::AppState;
use hatchery_server::routes::targets::{ProgressView, TargetView, progress_of, visible_targets};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::format;
use crate::i18n::{Lang, catalog};
use crate::pages::{division_name, failure, jurisdiction_text, link, tier_name};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// This area's templates, by name (`targets/….html`), with their source.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "targets/list.html",
        include_str!("../../../templates/targets/list.html"),
    ),
    (
        "targets/detail.html",
        include_str!("../../../templates/targets/detail.html"),
    ),
];

/// This area's pages.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/targets", get(list))
        .route("/targets/{id}", get(detail))
}

/// Candidates shown on a target's page.
const CANDIDATES: usize = 10;

#[derive(Debug, Default, Deserialize)]
pub struct DayQuery {
    #[serde(default)]
    pub as_of: String,
}

fn status_key(status: TargetStatus) -> &'static str {
    match status {
        TargetStatus::Met => "targets.status_met",
        TargetStatus::OnTrack => "targets.status_on_track",
        TargetStatus::Behind => "targets.status_behind",
        TargetStatus::AboveRange => "targets.status_above_range",
    }
}

fn counting_key(counting: CountingRule) -> &'static str {
    match counting {
        CountingRule::Standing => "targets.counting_standing",
        CountingRule::Cumulative => "targets.counting_cumulative",
        CountingRule::New => "targets.counting_new",
    }
}

fn counting_rule_text(counting: CountingRule) -> &'static str {
    match counting {
        CountingRule::Standing => "targets.rule_standing",
        CountingRule::Cumulative => "targets.rule_cumulative",
        CountingRule::New => "targets.rule_new",
    }
}

fn pick(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En if en.is_empty() => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}

fn quantity_text(target: &TargetView, lang: Lang) -> String {
    let q = target.quantity;
    let catalog = catalog(lang);
    match q.max {
        Some(max) if max != q.min => catalog.format(
            "targets.quantity_range",
            &[("min", q.min.to_string()), ("max", max.to_string())],
        ),
        Some(max) => max.to_string(),
        None => catalog.format("targets.quantity_at_least", &[("min", q.min.to_string())]),
    }
}

/// The words shared by both pages about one target.
#[derive(Debug, Serialize)]
struct Facts {
    id: String,
    title: String,
    jurisdiction: String,
    cluster: Option<String>,
    cluster_industries: String,
    rules: String,
    tiers: String,
    counting: &'static str,
    counting_rule: &'static str,
    quantity: String,
    start: String,
    deadline: String,
    source_title: String,
    source_url: Option<String>,
    source_issued: Option<String>,
    verified: bool,
    note: String,
}

fn facts(target: &TargetView, lang: Lang) -> Facts {
    let rules = RuleSet::builtin(&target.rules).ok();
    let tiers = target
        .tiers
        .iter()
        .map(|t| {
            rules
                .as_ref()
                .map_or_else(|| t.clone(), |r| tier_name(r, t, lang))
        })
        .collect::<Vec<_>>()
        .join(match lang {
            Lang::Zh => "、",
            Lang::En => ", ",
        });
    let jurisdiction = match target.jurisdiction.strip_prefix("zone:") {
        Some(zone) => {
            hatchery_report::key_name(hatchery_report::KeyKind::Zone, zone, lang.report())
                .unwrap_or(zone)
                .to_owned()
        }
        None => jurisdiction_text(&target.jurisdiction, lang),
    };
    Facts {
        id: target.id.clone(),
        title: pick(lang, &target.title, &target.title_en),
        jurisdiction,
        cluster: target
            .cluster
            .as_ref()
            .map(|c| pick(lang, &c.name, &c.name_en)),
        cluster_industries: target
            .cluster
            .as_ref()
            .map_or(String::new(), |c| c.industries.join(", ")),
        rules: rules.as_ref().map_or_else(
            || target.rules.clone(),
            |r| format!("{} ({})", pick(lang, &r.title, &r.title_en), r.label()),
        ),
        tiers,
        counting: counting_key(target.counting),
        counting_rule: counting_rule_text(target.counting),
        quantity: quantity_text(target, lang),
        start: format::date(target.start, lang),
        deadline: format::date(target.deadline, lang),
        source_title: target.source.title.clone(),
        source_url: target.source.url.clone(),
        source_issued: target.source.issued.clone(),
        verified: target.source.status == SourceStatus::Verified,
        note: pick(lang, &target.note, &target.note_en),
    }
}

fn day_of(state: &AppState, text: &str) -> (Date, Option<&'static str>) {
    let text = text.trim();
    if text.is_empty() {
        return (state.today(), None);
    }
    match hatchery_core::date::parse_date(text) {
        Ok(day) => (day, None),
        Err(_) => (state.today(), Some("targets.bad_day")),
    }
}

#[derive(Debug, Serialize)]
struct ListRow {
    facts: Facts,
    href: String,
    count: u32,
    status: &'static str,
    status_class: &'static str,
}

#[derive(Debug, Serialize)]
struct ListPage {
    as_of: String,
    as_of_text: String,
    problem: Option<&'static str>,
    rows: Vec<ListRow>,
}

fn status_class(status: TargetStatus) -> &'static str {
    match status {
        TargetStatus::Met => "met",
        TargetStatus::OnTrack => "on-track",
        TargetStatus::Behind => "behind",
        TargetStatus::AboveRange => "above",
    }
}

/// `GET /targets[?as_of=D]`.
pub async fn list(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<DayQuery>,
) -> Response {
    let lang = member.lang;
    let chrome = Chrome::member(&member, "targets.title", "targets");
    let targets = match visible_targets(&member.caller) {
        Ok(targets) => targets,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let (as_of, problem) = day_of(&state, &query.as_of);
    let day = as_of.to_string();
    let mut rows = Vec::new();
    for target in &targets {
        let progress = match progress_of(&state, &member.caller, &target.id, Some(&day), 0).await {
            Ok(progress) => progress,
            Err(error) => return failure(&site, &chrome, &error),
        };
        rows.push(ListRow {
            facts: facts(target, lang),
            href: link(&format!("/targets/{}", target.id), &[("as_of", &day)]),
            count: progress.count,
            status: status_key(progress.status),
            status_class: status_class(progress.status),
        });
    }
    let page = ListPage {
        as_of: day,
        as_of_text: format::date(as_of, lang),
        problem,
        rows,
    };
    site.page(StatusCode::OK, "targets/list.html", &chrome, page)
}

#[derive(Debug, Serialize)]
struct CountedRow {
    href: String,
    name: String,
    tier: String,
    reached: String,
    region: String,
}

#[derive(Debug, Serialize)]
struct Lack {
    requirement: String,
    found: String,
}

#[derive(Debug, Serialize)]
struct CandidateRow {
    href: String,
    name: String,
    tier: String,
    failed: usize,
    lacking: Vec<Lack>,
}

#[derive(Debug, Serialize)]
struct DetailPage {
    facts: Facts,
    as_of: String,
    as_of_text: String,
    problem: Option<&'static str>,
    count: u32,
    status: &'static str,
    status_class: &'static str,
    baseline: u32,
    so_far: String,
    needed: String,
    months_left: String,
    counted: Vec<CountedRow>,
    candidates: Vec<CandidateRow>,
}

fn detail_page(progress: ProgressView, lang: Lang, problem: Option<&'static str>) -> DetailPage {
    let rules = RuleSet::builtin(&progress.target.rules).ok();
    let tier = |key: Option<&str>| match (key, &rules) {
        (Some(key), Some(rules)) => tier_name(rules, key, lang),
        (Some(key), None) => key.to_owned(),
        (None, _) => catalog(lang).format("targets.no_tier", &[]),
    };
    let name = |id: &str, zh: &Option<String>, en: &Option<String>| match (lang, zh, en) {
        (Lang::En, _, Some(en)) => en.clone(),
        (_, Some(zh), _) => zh.clone(),
        _ => id.to_owned(),
    };
    let dash = || "—".to_owned();
    DetailPage {
        facts: facts(&progress.target, lang),
        as_of: progress.as_of.to_string(),
        as_of_text: format::date(progress.as_of, lang),
        problem,
        count: progress.count,
        status: status_key(progress.status),
        status_class: status_class(progress.status),
        baseline: progress.pace.baseline,
        so_far: progress.pace.so_far.clone().unwrap_or_else(dash),
        needed: progress.pace.needed.clone().unwrap_or_else(dash),
        months_left: progress.pace.months_left.clone(),
        counted: progress
            .counted
            .iter()
            .map(|c| CountedRow {
                href: format!("/enterprises/{}", c.id),
                name: name(&c.id, &c.name, &c.name_en),
                tier: tier(c.tier.as_deref()),
                reached: c.reached.map_or_else(dash, |d| format::date(d, lang)),
                region: c
                    .region
                    .as_deref()
                    .map_or_else(dash, |r| region_text(r, lang)),
            })
            .collect(),
        candidates: progress
            .candidates
            .iter()
            .map(|c| CandidateRow {
                href: format!("/enterprises/{}", c.id),
                name: name(&c.id, &c.name, &c.name_en),
                tier: tier(c.tier.as_deref()),
                failed: c.failed,
                lacking: c
                    .lacking
                    .iter()
                    .map(|k| Lack {
                        requirement: pick(lang, &k.requirement_zh, &k.requirement),
                        found: pick(lang, &k.found_zh, &k.found),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// A region in words: the district's name in Chinese; in English (the
/// division table names districts in Chinese only) its city's name and the
/// district's code.
fn region_text(code: &str, lang: Lang) -> String {
    match (lang, hatchery_core::DivisionCode::parse(code)) {
        (Lang::En, Ok(division)) if division.city() != division => {
            format!(
                "{} ({code})",
                division_name(&division.city().to_string(), lang)
            )
        }
        _ => division_name(code, lang),
    }
}

/// `GET /targets/{id}[?as_of=D]`.
pub async fn detail(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<String>,
    Query(query): Query<DayQuery>,
) -> Response {
    let lang = member.lang;
    let chrome = Chrome::member(&member, "targets.detail_title", "targets");
    let (as_of, problem) = day_of(&state, &query.as_of);
    let day = as_of.to_string();
    match progress_of(&state, &member.caller, &id, Some(&day), CANDIDATES).await {
        Ok(progress) => site.page(
            StatusCode::OK,
            "targets/detail.html",
            &chrome,
            detail_page(progress, lang, problem),
        ),
        Err(error) => failure(&site, &chrome, &error),
    }
}
