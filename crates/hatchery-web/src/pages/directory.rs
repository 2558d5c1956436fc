//! 企业库, the enterprise directory: search by name (any part, Chinese
//! included), English name, id or credit code; filters by region, high-tech
//! zone, industry, tier, rule set and date; sorted by a column header (a
//! plain link); paged; the current view, in its order, exported to CSV and
//! XLSX. The matching and the order are the API's own (`search_enterprises`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_core::division::DivisionLevel;
use hatchery_core::{DivisionCode, RuleSet};
use hatchery_server::directory::{SortKey, SortOrder};
use hatchery_server::extract::page_window;
use hatchery_server::routes::enterprises::{
    EnterpriseQuery, EnterpriseSummary, search_enterprises,
};
use hatchery_server::state::LedgerView;
use hatchery_server::{ApiError, AppState};
use hatchery_store::workflow::Page;
use rust_decimal::Decimal;
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
    /// A zone id.
    #[serde(default)]
    pub zone: String,
    /// An industry key.
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub tier: String,
    #[serde(default)]
    pub rules: String,
    /// `YYYY-MM-DD`; empty: today.
    #[serde(default)]
    pub as_of: String,
    /// A column: `name`, `region`, `founded`, `valuation` or `tier`.
    #[serde(default)]
    pub sort: String,
    /// `asc` or `desc`.
    #[serde(default)]
    pub order: String,
    #[serde(default)]
    pub page: String,
}

impl DirectoryQuery {
    /// The query as link parameters, with another page.
    fn pairs<'a>(&'a self, page: &'a str) -> [(&'a str, &'a str); 10] {
        self.sorted_pairs(&self.sort, &self.order, page)
    }

    /// The query as link parameters, in another order and page.
    fn sorted_pairs<'a>(
        &'a self,
        sort: &'a str,
        order: &'a str,
        page: &'a str,
    ) -> [(&'a str, &'a str); 10] {
        [
            ("q", self.q.as_str()),
            ("region", self.region.as_str()),
            ("zone", self.zone.as_str()),
            ("industry", self.industry.as_str()),
            ("tier", self.tier.as_str()),
            ("rules", self.rules.as_str()),
            ("as_of", self.as_of.as_str()),
            ("sort", sort),
            ("order", order),
            ("page", page),
        ]
    }
}

/// The column and order a query asks for; anything else is the default
/// order (by id), as links only ever carry these.
fn sort_of(query: &DirectoryQuery) -> Option<(SortKey, SortOrder)> {
    let key = SortKey::ALL
        .into_iter()
        .find(|k| k.as_str() == query.sort.trim())?;
    let order = if query.order.trim() == "desc" {
        SortOrder::Desc
    } else {
        SortOrder::Asc
    };
    Some((key, order))
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
        zone: Some(query.zone.trim().to_owned()).filter(|z| !z.is_empty()),
        industry: Some(query.industry.trim().to_owned()).filter(|i| !i.is_empty()),
        tier: Some(query.tier.clone()).filter(|t| !t.is_empty()),
        as_of: None,
        rules: Some(query.rules.clone()).filter(|r| !r.is_empty()),
        sort: sort_of(query).map(|(key, _)| key),
        order: sort_of(query).map(|(_, order)| order),
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
    valuation: String,
}

/// A sortable column's header: a link to the view sorted by it.
#[derive(Debug, Serialize)]
struct Column {
    /// The message key of its label.
    label: &'static str,
    href: String,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    sorted: &'static str,
}

#[derive(Debug, Serialize)]
struct DirectoryPage {
    query: DirectoryQuery,
    errors: BTreeMap<&'static str, &'static str>,
    rule_sets: Vec<Choice>,
    tiers: Vec<Choice>,
    zones: Vec<Choice>,
    industries: Vec<Choice>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    /// Whether a search ran (no field was wrong).
    searched: bool,
    total: String,
    page: u64,
    pages: u64,
    previous: Option<String>,
    next: Option<String>,
    csv: String,
    xlsx: String,
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

/// The zones to choose from, by name, `chosen` selected.
fn zone_choices(view: &LedgerView, chosen: &str, lang: Lang) -> Vec<Choice> {
    let mut zones: Vec<(&str, &str)> = view
        .zones
        .all()
        .iter()
        .map(|z| (z.zone.id.as_str(), z.zone.name.as_str()))
        .collect();
    zones.sort_by(|a, b| a.1.cmp(b.1));
    let mut choices = vec![Choice {
        value: String::new(),
        label: catalog(lang).format("directory.any_zone", &[]),
        selected: chosen.is_empty(),
    }];
    choices.extend(zones.into_iter().map(|(id, name)| Choice {
        value: id.to_owned(),
        label: name.to_owned(),
        selected: id == chosen,
    }));
    choices
}

/// The industries of the ledger to choose from, `chosen` selected.
fn industry_choices(view: &LedgerView, chosen: &str, lang: Lang) -> Vec<Choice> {
    let mut choices = vec![Choice {
        value: String::new(),
        label: catalog(lang).format("directory.any_industry", &[]),
        selected: chosen.is_empty(),
    }];
    choices.extend(view.industries().iter().map(|key| Choice {
        value: key.clone(),
        label: key.clone(),
        selected: key == chosen,
    }));
    choices
}

/// The sortable headers: a link to sort by each, ascending first, and
/// descending when it is sorted ascending already.
fn columns(query: &DirectoryQuery) -> Vec<Column> {
    let current = sort_of(query);
    [
        (SortKey::Name, "table.enterprise"),
        (SortKey::Region, "table.region"),
        (SortKey::Tier, "table.tier"),
        (SortKey::Founded, "table.founded"),
        (SortKey::Valuation, "directory.valuation"),
    ]
    .into_iter()
    .map(|(key, label)| {
        let (sorted, next) = match current {
            Some((k, SortOrder::Asc)) if k == key => ("ascending", SortOrder::Desc),
            Some((k, SortOrder::Desc)) if k == key => ("descending", SortOrder::Asc),
            _ => ("none", SortOrder::Asc),
        };
        Column {
            label,
            href: link(
                "/enterprises",
                &query.sorted_pairs(key.as_str(), next.as_str(), ""),
            ),
            sorted,
        }
    })
    .collect()
}

fn valuation_text(summary: &EnterpriseSummary, lang: Lang) -> String {
    summary
        .valuation_usd
        .as_deref()
        .and_then(|v| v.parse::<Decimal>().ok())
        .map(|v| format::money(v, "USD", lang))
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
    let view = match state.ledger().await {
        Ok(view) => view,
        Err(error) => return failure(&site, &chrome, &error),
    };
    let mut page = DirectoryPage {
        rule_sets: rule_set_choices(&state, &query.rules),
        tiers: tier_choices(chosen_rules.as_deref(), &query.tier, lang),
        zones: zone_choices(&view, &query.zone, lang),
        industries: industry_choices(&view, &query.industry, lang),
        columns: columns(&query),
        csv: link("/enterprises.csv", &query.pairs("")),
        xlsx: link("/enterprises.xlsx", &query.pairs("")),
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
            valuation: valuation_text(s, lang),
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

/// What a download holds.
#[derive(Debug, Clone, Copy)]
enum Download {
    Csv,
    Xlsx,
}

/// `GET /enterprises.csv`: every row of the current view (up to
/// 100,000), in its order, with a BOM for Excel, headed in the page's
/// language.
pub async fn export(
    state: State<AppState>,
    site: Extension<Arc<Site>>,
    member: Member,
    query: Query<DirectoryQuery>,
) -> Response {
    download(state, site, member, query, Download::Csv).await
}

/// `GET /enterprises.xlsx`: the same rows as the CSV export, as a workbook
/// of one sheet written the way the report's are (dates and valuations as
/// Excel values).
pub async fn export_xlsx(
    state: State<AppState>,
    site: Extension<Arc<Site>>,
    member: Member,
    query: Query<DirectoryQuery>,
) -> Response {
    download(state, site, member, query, Download::Xlsx).await
}

async fn download(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Query(query): Query<DirectoryQuery>,
    kind: Download,
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
    let (bytes, content_type, disposition) = match kind {
        Download::Csv => (
            csv_bytes(&items, &rules, lang),
            "text/csv; charset=utf-8",
            "attachment; filename=\"enterprises.csv\"",
        ),
        Download::Xlsx => (
            xlsx_bytes(&items, &rules, lang),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "attachment; filename=\"enterprises.xlsx\"",
        ),
    };
    match bytes {
        Ok(bytes) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static(disposition),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => failure(&site, &chrome, &error),
    }
}

/// The export's header row in `lang`.
fn export_header(lang: Lang) -> Vec<String> {
    let catalog = catalog(lang);
    [
        "csv.id",
        "csv.name",
        "csv.name_en",
        "csv.founded",
        "csv.region",
        "csv.region_name",
        "csv.tier",
        "csv.tier_name",
        "directory.export_valuation",
    ]
    .iter()
    .map(|key| catalog.format(key, &[]))
    .collect()
}

/// The rows as CSV: a UTF-8 BOM, a header row in `lang`, one row each.
fn csv_bytes(
    items: &[EnterpriseSummary],
    rules: &RuleSet,
    lang: Lang,
) -> Result<Vec<u8>, ApiError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer
            .write_record(export_header(lang))
            .map_err(ApiError::internal)?;
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
                    s.valuation_usd.as_deref().unwrap_or(""),
                ])
                .map_err(ApiError::internal)?;
        }
        writer.flush().map_err(ApiError::internal)?;
    }
    Ok(out)
}

/// The rows as an XLSX workbook of one sheet, laid out as the report's
/// sheets are (bold header row frozen, widths to fit, CJK counted double):
/// the same columns as the CSV, the founding day a date when it is a whole
/// one, the valuation a number.
fn xlsx_bytes(
    items: &[EnterpriseSummary],
    rules: &RuleSet,
    lang: Lang,
) -> Result<Vec<u8>, ApiError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let header_format = Format::new()
        .set_bold()
        .set_background_color(0xDDE4EE)
        .set_text_wrap();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let money_format = Format::new().set_num_format("#,##0");
    let width = |text: &str| -> f64 {
        text.chars()
            .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
            .sum()
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let title = catalog(lang).format("directory.title", &[]);
    sheet.set_name(&title).map_err(ApiError::internal)?;
    let header = export_header(lang);
    let mut widths: Vec<f64> = header.iter().map(|h| width(h)).collect();
    for (column, text) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, column as u16, text, &header_format)
            .map_err(ApiError::internal)?;
    }
    for (at, s) in items.iter().enumerate() {
        let row = at as u32 + 1;
        let tier = s.tier.as_deref().map(|t| tier_name(rules, t, lang));
        let region = region_text(s, lang);
        let texts = [
            (0, s.id.as_str()),
            (1, s.name.as_str()),
            (2, s.name_en.as_deref().unwrap_or("")),
            (4, s.region.as_deref().unwrap_or("")),
            (5, region.as_str()),
            (6, s.tier.as_deref().unwrap_or("")),
            (7, tier.as_deref().unwrap_or("")),
        ];
        for (column, text) in texts {
            if !text.is_empty() {
                sheet
                    .write_string(row, column, text)
                    .map_err(ApiError::internal)?;
                widths[usize::from(column)] = widths[usize::from(column)].max(width(text));
            }
        }
        match s.founded.parse::<jiff::civil::Date>() {
            Ok(day) => {
                let day =
                    ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)
                        .map_err(ApiError::internal)?;
                sheet
                    .write_datetime_with_format(row, 3, &day, &date_format)
                    .map_err(ApiError::internal)?;
            }
            Err(_) => {
                sheet
                    .write_string(row, 3, &s.founded)
                    .map_err(ApiError::internal)?;
            }
        }
        if let Some(value) = s
            .valuation_usd
            .as_deref()
            .and_then(|v| v.parse::<f64>().ok())
        {
            sheet
                .write_number_with_format(row, 8, value, &money_format)
                .map_err(ApiError::internal)?;
        }
    }
    for (column, longest) in widths.iter().enumerate() {
        sheet
            .set_column_width(column as u16, (longest + 2.0).clamp(12.0, 48.0))
            .map_err(ApiError::internal)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(ApiError::internal)?;
    book.save_to_buffer().map_err(ApiError::internal)
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
