//! 企业库, the enterprise directory: search by name (any part, Chinese
//! included), English name, id or credit code; filters by region, tier,
//! rule set and date; paged; the current view exported to CSV. The
//! matching is the API's own (`search_enterprises`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_core::division::DivisionLevel;
use hatchery_core::{DivisionCode, RuleSet};
use hatchery_server::extract::page_window;
use hatchery_server::routes::enterprises::{
    EnterpriseQuery, EnterpriseSummary, search_enterprises,
};
use hatchery_server::{ApiError, AppState};
use hatchery_store::workflow::Page;
use serde::{Deserialize, Serialize};

use super::{Choice, division_name, failure, link, tier_name};
use crate::format;
use crate::i18n::{Lang, catalog};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// Rows a page of the directory shows.
const PER_PAGE: u64 = 20;

/// The most rows one CSV export holds.
const EXPORT_ROWS: u64 = 100_000;

/// The directory's query, as typed (every field text, so that nothing typed
/// is lost when a field is wrong).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct DirectoryQuery {
    #[serde(default)]
    pub q: String,
    /// A province, city or district code.
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub tier: String,
    #[serde(default)]
    pub rules: String,
    /// `YYYY-MM-DD`; empty: today.
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub page: String,
}

impl DirectoryQuery {
    /// The query as link parameters, with another page.
    fn pairs<'a>(&'a self, page: &'a str) -> [(&'a str, &'a str); 6] {
        [
            ("q", self.q.as_str()),
            ("region", self.region.as_str()),
            ("tier", self.tier.as_str()),
            ("rules", self.rules.as_str()),
            ("as_of", self.as_of.as_str()),
            ("page", page),
        ]
    }
}

/// The API's query for what was typed, or the problems by field.
fn parse(
    query: &DirectoryQuery,
) -> Result<(EnterpriseQuery, u64), BTreeMap<&'static str, &'static str>> {
    let mut errors = BTreeMap::new();
    let region = query.region.trim();
    let mut api = EnterpriseQuery {
        q: Some(query.q.trim().to_owned()).filter(|q| !q.is_empty()),
        province: None,
        city: None,
        district: None,
        zone: None,
        tier: Some(query.tier.clone()).filter(|t| !t.is_empty()),
        as_of: None,
        rules: Some(query.rules.clone()).filter(|r| !r.is_empty()),
        page: None,
        per_page: None,
    };
    if !region.is_empty() {
        match DivisionCode::parse(region) {
            Ok(code) => {
                let text = Some(code.to_string());
                match code.level() {
                    DivisionLevel::Province => api.province = text,
                    DivisionLevel::City => api.city = text,
                    DivisionLevel::District => api.district = text,
                }
            }
            Err(_) => {
                errors.insert("region", "directory.region_invalid");
            }
        }
    }
    let as_of = query.as_of.trim();
    if !as_of.is_empty() {
        match hatchery_core::date::parse_date(as_of) {
            Ok(_) => api.as_of = Some(as_of.to_owned()),
            Err(_) => {
                errors.insert("as_of", "form.date_invalid");
            }
        }
    }
    let page = match query.page.trim() {
        "" => 1,
        text => match text.parse::<u64>() {
            Ok(n) if n >= 1 => n,
            _ => {
                errors.insert("page", "directory.page_invalid");
                1
            }
        },
    };
    if errors.is_empty() {
        Ok((api, page))
    } else {
        Err(errors)
    }
}

#[derive(Debug, Serialize)]
struct Row {
    name: String,
    name_en: String,
    href: String,
    region: String,
    tier: String,
    founded: String,
}

#[derive(Debug, Serialize)]
struct DirectoryPage {
    query: DirectoryQuery,
    errors: BTreeMap<&'static str, &'static str>,
    rule_sets: Vec<Choice>,
    tiers: Vec<Choice>,
    rows: Vec<Row>,
    /// Whether a search ran (no field was wrong).
    searched: bool,
    total: String,
    page: u64,
    pages: u64,
    previous: Option<String>,
    next: Option<String>,
    csv: String,
}

/// The rule sets to choose from, by key, `chosen` (or the default) selected.
pub(crate) fn rule_set_choices(state: &AppState, chosen: &str) -> Vec<Choice> {
    let default = &state.settings.workflow.default_rule_set;
    let mut keys: Vec<String> = state
        .rules
        .all()
        .into_iter()
        .map(|e| e.rules.key.clone())
        .collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|key| Choice {
            selected: if chosen.is_empty() {
                &key == default
            } else {
                key == chosen
            },
            label: key.clone(),
            value: key,
        })
        .collect()
}

fn tier_choices(rules: Option<&RuleSet>, chosen: &str, lang: Lang) -> Vec<Choice> {
    let mut choices = vec![Choice {
        value: String::new(),
        label: catalog(lang).format("directory.any_tier", &[]),
        selected: chosen.is_empty(),
    }];
    if let Some(rules) = rules {
        choices.extend(rules.tiers.iter().map(|t| Choice {
            value: t.key.clone(),
            label: tier_name(rules, &t.key, lang),
            selected: t.key == chosen,
        }));
    }
    choices.push(Choice {
        value: "none".into(),
        label: catalog(lang).format("directory.no_tier", &[]),
        selected: chosen == "none",
    });
    choices
}

fn region_text(summary: &EnterpriseSummary, lang: Lang) -> String {
    summary
        .region
        .as_deref()
        .map(|r| division_name(r, lang))
        .unwrap_or_default()
}

/// `GET /enterprises`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<DirectoryQuery>,
) -> Response {
    let lang = member.lang;
    let chrome = Chrome::member(&member, "directory.title", "directory");
    let chosen_rules = state
        .rules
        .find(
            if query.rules.is_empty() {
                &state.settings.workflow.default_rule_set
            } else {
                &query.rules
            },
            None,
        )
        .map(|e| e.rules);
    let mut page = DirectoryPage {
        rule_sets: rule_set_choices(&state, &query.rules),
        tiers: tier_choices(chosen_rules.as_deref(), &query.tier, lang),
        csv: link("/enterprises.csv", &query.pairs("")),
        query: query.clone(),
        errors: BTreeMap::new(),
        rows: Vec::new(),
        searched: false,
        total: String::new(),
        page: 1,
        pages: 1,
        previous: None,
        next: None,
    };
    let (api, number) = match parse(&query) {
        Ok(parsed) => parsed,
        Err(errors) => {
            page.errors = errors;
            return site.page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "directory.html",
                &chrome,
                page,
            );
        }
    };
    if chosen_rules.is_none() {
        page.errors.insert("rules", "directory.rules_unknown");
        return site.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "directory.html",
            &chrome,
            page,
        );
    }
    let window = match page_window(
        Some(number),
        Some(PER_PAGE),
        state.settings.limits.max_page_size.max(PER_PAGE),
    ) {
        Ok(window) => window,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let (items, total) = match search_enterprises(&state, &member.caller, &api, window).await {
        Ok(found) => found,
        Err(error) if error.code() == "invalid_query" => {
            page.errors.insert("tier", "directory.tier_unknown");
            return site.page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "directory.html",
                &chrome,
                page,
            );
        }
        Err(error) => return failure(&site, &chrome, &error),
    };
    let rules = chosen_rules.as_deref();
    page.rows = items
        .iter()
        .map(|s| Row {
            name: s.name.clone(),
            name_en: s.name_en.clone().unwrap_or_default(),
            href: format!("/enterprises/{}", s.id),
            region: region_text(s, lang),
            tier: match (&s.tier, rules) {
                (Some(t), Some(rules)) => tier_name(rules, t, lang),
                _ => String::new(),
            },
            founded: s.founded.clone(),
        })
        .collect();
    page.searched = true;
    page.total = format::count(total);
    page.page = number;
    page.pages = total.div_ceil(PER_PAGE).max(1);
    if number > 1 {
        page.previous = Some(link(
            "/enterprises",
            &query.pairs(&(number - 1).to_string()),
        ));
    }
    if number < page.pages {
        page.next = Some(link(
            "/enterprises",
            &query.pairs(&(number + 1).to_string()),
        ));
    }
    site.page(StatusCode::OK, "directory.html", &chrome, page)
}

/// `GET /enterprises.csv`: every row of the current view (up to
/// 100,000), with a BOM for Excel, headed in the page's language.
pub async fn export(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<DirectoryQuery>,
) -> Response {
    let lang = member.lang;
    let chrome = Chrome::member(&member, "directory.title", "directory");
    let Ok((api, _)) = parse(&query) else {
        // The directory shows what is wrong, beside its field.
        return Redirect::to(&link("/enterprises", &query.pairs(""))).into_response();
    };
    let rules =
        match hatchery_server::routes::enterprises::rule_set(&state, api.rules.as_deref(), None)
            .await
        {
            Ok(entry) => entry.rules,
            Err(_) => return Redirect::to(&link("/enterprises", &query.pairs(""))).into_response(),
        };
    let window = Page {
        offset: 0,
        limit: EXPORT_ROWS,
    };
    let (items, _) = match search_enterprises(&state, &member.caller, &api, window).await {
        Ok(found) => found,
        Err(error) if error.code() == "invalid_query" => {
            return Redirect::to(&link("/enterprises", &query.pairs(""))).into_response();
        }
        Err(error) => return failure(&site, &chrome, &error),
    };
    match csv_bytes(&items, &rules, lang) {
        Ok(bytes) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"enterprises.csv\""),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => failure(&site, &chrome, &error),
    }
}

/// The rows as CSV: a UTF-8 BOM, a header row in `lang`, one row each.
fn csv_bytes(
    items: &[EnterpriseSummary],
    rules: &RuleSet,
    lang: Lang,
) -> Result<Vec<u8>, ApiError> {
    let catalog = catalog(lang);
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        let header: Vec<String> = [
            "csv.id",
            "csv.name",
            "csv.name_en",
            "csv.founded",
            "csv.region",
            "csv.region_name",
            "csv.tier",
            "csv.tier_name",
        ]
        .iter()
        .map(|key| catalog.format(key, &[]))
        .collect();
        writer.write_record(&header).map_err(ApiError::internal)?;
        for s in items {
            let tier = s.tier.as_deref().map(|t| tier_name(rules, t, lang));
            writer
                .write_record([
                    s.id.as_str(),
                    s.name.as_str(),
                    s.name_en.as_deref().unwrap_or(""),
                    s.founded.as_str(),
                    s.region.as_deref().unwrap_or(""),
                    region_text(s, lang).as_str(),
                    s.tier.as_deref().unwrap_or(""),
                    tier.as_deref().unwrap_or(""),
                ])
                .map_err(ApiError::internal)?;
        }
        writer.flush().map_err(ApiError::internal)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wrong_field_is_named() {
        let query = DirectoryQuery {
            q: "字节".into(),
            region: "44AB".into(),
            as_of: "2024-13-01".into(),
            page: "0".into(),
            ..DirectoryQuery::default()
        };
        let errors = parse(&query).unwrap_err();
        assert_eq!(
            errors.keys().copied().collect::<Vec<_>>(),
            ["as_of", "page", "region"]
        );
    }

    #[test]
    fn a_region_code_filters_at_its_own_level() {
        let parsed = |region: &str| {
            parse(&DirectoryQuery {
                region: region.into(),
                ..DirectoryQuery::default()
            })
            .unwrap()
            .0
        };
        assert_eq!(parsed("440000").province.as_deref(), Some("440000"));
        assert_eq!(parsed("440300").city.as_deref(), Some("440300"));
        assert_eq!(parsed("440305").district.as_deref(), Some("440305"));
        assert_eq!(parsed("").province, None);
    }
}
