//! `/policies/{id}`: a policy (the API's `get_policy`) with its items —
//! class, amount rule, redemption mode, payment limit, the eligibility rule
//! set as written —; for the publishing jurisdiction, the forms to add an
//! item (`add_item`: an eligibility that does not parse is said in words
//! naming its line), publish (`publish_policy`, which matches as of
//! today), withdraw with a reason (`withdraw_policy`) and run the matching
//! as of a day (`match_policy`: how many enterprises qualified); then its
//! matches (`list_matches`), filtered by state. Every form is checked for
//! the session's CSRF token first; a refusal comes back on this page, in
//! words, with what was typed, and nothing changed.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hatchery_core::services::policy::{
    AmountRule, ItemClass, ItemForm, MatchState, PolicyState, RedemptionMode,
};
use hatchery_core::workflow::Capability;
use hatchery_server::extract::{Json, Path, Query as ApiQuery};
use hatchery_server::routes::policies::{
    AddItemBody, MatchBody, MatchQuery, MatchRun, VersionBody, WithdrawBody, add_item as api_add,
    get_policy, list_matches, match_policy, publish_policy, withdraw_policy,
};
use hatchery_server::{ApiError, AppState};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::list::{named_fields, validity};
use super::{MatchRow, amount_text, class_key, match_state_key, mode_key, policy_state_key};
use crate::format;
use crate::i18n::catalog;
use crate::pages::{Choice, failure, jurisdiction_text, link, posted_pairs, refusal};
use crate::session::Member;
use crate::site::{Chrome, Site};

/// Matches per page.
const PER_PAGE: u64 = 20;

/// The item form's fields, in order.
const ITEM_FIELDS: [&str; 8] = [
    "title",
    "class",
    "amount_kind",
    "amount",
    "amount_rule",
    "mode",
    "payment_limit_days",
    "eligibility",
];

#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    #[serde(default)]
    pub done: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub page: String,
}

#[derive(Debug, Serialize)]
struct ItemRow {
    id: i64,
    title: String,
    class: String,
    amount: String,
    mode: String,
    limit: Option<u32>,
    eligibility: String,
}

/// What a matching run found, per item.
#[derive(Debug, Serialize)]
struct RunRow {
    title: String,
    eligible: u64,
    created: u64,
    already: u64,
}

#[derive(Debug, Serialize)]
struct RunView {
    as_of: String,
    items: Vec<RunRow>,
}

/// Which form a refusal belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum FormName {
    Item,
    Publish,
    Withdraw,
    Match,
}

/// A form refused: which, what went wrong, what was typed, each field's problem.
#[derive(Debug)]
struct Refused {
    form: FormName,
    problem: &'static str,
    typed: BTreeMap<String, String>,
    errors: BTreeMap<String, &'static str>,
    /// The rule engine's own words about an eligibility that does not parse.
    engine: Option<String>,
    /// The line it names, if it names one.
    line: Option<u64>,
}

#[derive(Debug, Serialize)]
struct DetailPage {
    id: i64,
    version: i64,
    title: String,
    issuer: String,
    document_number: String,
    source_url: Option<String>,
    published_on: String,
    validity: String,
    jurisdiction: String,
    state: String,
    withdraw_reason: Option<String>,
    draft: bool,
    published: bool,
    manageable: bool,
    items: Vec<ItemRow>,
    /// The forms' choices.
    classes: Vec<Choice>,
    modes: Vec<Choice>,
    amount_kinds: Vec<Choice>,
    /// The day the matching form offers (today, or what was typed).
    as_of: String,
    /// After a refusal: which form, what was typed, each field's problem.
    refused: Option<FormName>,
    /// The item form's values: as typed after its refusal, else empty.
    item: BTreeMap<String, String>,
    /// The withdrawal's reason as typed.
    reason: String,
    errors: BTreeMap<String, &'static str>,
    engine: Option<String>,
    line: Option<u64>,
    problem: Option<&'static str>,
    done: Option<String>,
    run: Option<RunView>,
    /// The matches, when the role reads them.
    matches_shown: bool,
    states: Vec<Choice>,
    matches: Vec<MatchRow>,
    matches_total: String,
    page: u64,
    pages: u64,
    previous: Option<String>,
    next: Option<String>,
}

fn choices<T: Copy>(
    all: &[T],
    key: impl Fn(T) -> (String, String),
    chosen: &str,
    lang: crate::i18n::Lang,
) -> Vec<Choice> {
    let catalog = catalog(lang);
    all.iter()
        .map(|&v| {
            let (value, message) = key(v);
            Choice {
                selected: value == chosen,
                value,
                label: catalog.format(&message, &[]),
            }
        })
        .collect()
}

/// Renders the policy as it stands, with what happened or went wrong.
#[allow(clippy::too_many_arguments)] // the page's inputs, each named at the call
async fn render(
    state: &AppState,
    site: &Site,
    member: &Member,
    id: i64,
    query: &DetailQuery,
    status: StatusCode,
    refused: Option<Refused>,
    run: Option<MatchRun>,
) -> Response {
    let lang = member.lang;
    let mut shown = member.clone();
    shown.path = format!("/policies/{id}");
    let chrome = Chrome::member(&shown, "policies.detail_title", "policies");
    let detail = match get_policy(State(state.clone()), member.caller.clone(), Path(id)).await {
        Ok(Json(detail)) => detail,
        Err(error) => return failure(site, &chrome, &error),
    };
    let wanted_state = MatchState::parse(query.state.trim());
    let number = query
        .page
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    // Investors read policies, not who matched them.
    let shown = Capability::ReadPolicyMatches.granted_to(member.caller.account.role);
    let listed = if shown {
        match list_matches(
            State(state.clone()),
            member.caller.clone(),
            ApiQuery(MatchQuery {
                policy: Some(id),
                state: wanted_state,
                page: Some(number),
                per_page: Some(PER_PAGE.min(state.settings.limits.max_page_size)),
            }),
        )
        .await
        {
            Ok(Json(listed)) => Some(listed),
            Err(error) => return failure(site, &chrome, &error),
        }
    } else {
        None
    };
    let p = &detail.policy;
    let today = state.today();
    let (form_name, problem, typed, errors, engine, line) = match refused {
        Some(r) => (
            Some(r.form),
            Some(r.problem),
            r.typed,
            r.errors,
            r.engine,
            r.line,
        ),
        None => (None, None, BTreeMap::new(), BTreeMap::new(), None, None),
    };
    let typed_or = |name: &str, default: &str| {
        typed
            .get(name)
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    };
    let total = listed.as_ref().map_or(0, |l| l.total);
    let pages = total.div_ceil(PER_PAGE).max(1);
    let at = |n: u64| {
        link(
            &format!("/policies/{id}"),
            &[("state", query.state.trim()), ("page", &n.to_string())],
        )
    };
    let mut states = vec![Choice {
        value: String::new(),
        label: catalog(lang).format("policies.any_state", &[]),
        selected: wanted_state.is_none(),
    }];
    states.extend(choices(
        MatchState::ALL,
        |s| (s.as_str().to_owned(), match_state_key(s)),
        query.state.trim(),
        lang,
    ));
    let page = DetailPage {
        id: p.id,
        version: p.version,
        title: p.form.title.clone(),
        issuer: p.form.issuer.clone(),
        document_number: p.form.document_number.clone(),
        source_url: p.form.source_url.clone(),
        published_on: format::date(p.form.published_on, lang),
        validity: validity(&p.form, lang),
        jurisdiction: jurisdiction_text(&p.jurisdiction, lang),
        state: policy_state_key(p.state),
        withdraw_reason: p.withdraw_reason.clone(),
        draft: p.state == PolicyState::Draft,
        published: p.state == PolicyState::Published,
        manageable: detail.manageable,
        items: detail
            .items
            .iter()
            .map(|i| ItemRow {
                id: i.id,
                title: i.title.clone(),
                class: class_key(i.class),
                amount: amount_text(&i.amount, lang),
                mode: mode_key(i.mode),
                limit: i.payment_limit_days,
                eligibility: i.eligibility.clone(),
            })
            .collect(),
        classes: choices(
            ItemClass::ALL,
            |c| (c.as_str().to_owned(), class_key(c)),
            &typed_or("class", "award"),
            lang,
        ),
        modes: choices(
            RedemptionMode::ALL,
            |m| (m.as_str().to_owned(), mode_key(m)),
            &typed_or("mode", "fast_application"),
            lang,
        ),
        amount_kinds: choices(
            &["fixed", "capped", "none"],
            |k| (k.to_owned(), format!("policies.amount_kind.{k}")),
            &typed_or("amount_kind", "capped"),
            lang,
        ),
        as_of: typed_or("as_of", &today.to_string()),
        item: ITEM_FIELDS
            .iter()
            .map(|&name| (name.to_owned(), typed_or(name, "")))
            .collect(),
        reason: typed_or("reason", ""),
        refused: form_name,
        errors,
        engine,
        line,
        problem,
        done: match query.done.as_str() {
            "create" | "item" | "publish" | "withdraw" => {
                Some(format!("policies.done.{}", query.done))
            }
            _ => None,
        },
        run: run.map(|r| RunView {
            as_of: format::date(r.as_of, lang),
            items: r
                .items
                .iter()
                .map(|i| RunRow {
                    title: i.title.clone(),
                    eligible: i.eligible,
                    created: i.created,
                    already: i.already,
                })
                .collect(),
        }),
        states,
        matches_shown: shown,
        matches: listed
            .iter()
            .flat_map(|l| l.items.iter())
            .map(|m| MatchRow::of(m, lang))
            .collect(),
        matches_total: format::count(total),
        page: number,
        pages,
        previous: (number > 1).then(|| at(number - 1)),
        next: (number < pages).then(|| at(number + 1)),
    };
    site.page(status, "policies/detail.html", &chrome, page)
}

/// `GET /policies/{id}[?done=…&state=…&page=N]`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    Query(query): Query<DetailQuery>,
) -> Response {
    render(
        &state,
        &site,
        &member,
        id,
        &query,
        StatusCode::OK,
        None,
        None,
    )
    .await
}

/// A posted form: its pairs, read by name (trimmed).
struct Posted(Vec<(String, String)>);

impl Posted {
    fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// The fields typed (all but the token and the version).
    fn typed(&self) -> BTreeMap<String, String> {
        self.0
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "version"))
            .cloned()
            .collect()
    }
}

/// The message key saying why the API refused a policy step, in words.
fn policy_refusal(error: &ApiError) -> &'static str {
    match error.code() {
        "version_conflict" => "policies.conflict",
        "invalid_transition" => "policies.invalid_transition",
        "no_items" => "policies.no_items",
        "unknown_rule_set" => "policies.unknown_rule_set",
        _ => refusal(error),
    }
}

/// The first line number a rule engine's message names (`… at line 3, …`).
fn line_named(text: &str) -> Option<u64> {
    let at = text.find("line ")? + "line ".len();
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// A refusal of `form` with `problem`, keeping what was typed.
fn refused(form: FormName, problem: &'static str, posted: &Posted) -> Refused {
    Refused {
        form,
        problem,
        typed: posted.typed(),
        errors: BTreeMap::new(),
        engine: None,
        line: None,
    }
}

/// The page again after a refusal of `form`.
async fn again(
    state: &AppState,
    site: &Site,
    member: &Member,
    id: i64,
    status: StatusCode,
    refusal: Refused,
) -> Response {
    let query = DetailQuery::default();
    render(state, site, member, id, &query, status, Some(refusal), None).await
}

/// The session's token and the version read, from a posted form; else the
/// page again, saying why.
async fn checked(
    state: &AppState,
    site: &Site,
    member: &Member,
    id: i64,
    form: FormName,
    posted: &Posted,
) -> Result<i64, Response> {
    if !member.csrf_ok(&posted.get("csrf")) {
        let refusal = refused(form, "form.expired", posted);
        return Err(again(state, site, member, id, StatusCode::FORBIDDEN, refusal).await);
    }
    match posted.get("version").parse::<i64>() {
        Ok(version) => Ok(version),
        Err(_) => {
            let refusal = refused(form, "error.bad_request_text", posted);
            Err(again(state, site, member, id, StatusCode::BAD_REQUEST, refusal).await)
        }
    }
}

/// The page again after the API refused `form`: each field it names beside
/// that field, else the refusal in words.
async fn refused_by_api(
    state: &AppState,
    site: &Site,
    member: &Member,
    id: i64,
    form: FormName,
    posted: &Posted,
    error: &ApiError,
) -> Response {
    let mut refusal = refused(form, policy_refusal(error), posted);
    let named = named_fields(error);
    if !named.is_empty() {
        refusal.problem = "workflow.fix_below";
        for name in named {
            let blank = posted.get(&name).is_empty();
            let message = match (name.as_str(), blank) {
                (_, true) if name != "payment_limit_days" => "policies.required",
                ("eligibility", false) => {
                    // The engine's own words, and the line they name.
                    let text = error
                        .details()
                        .and_then(|d| d.get("problems"))
                        .and_then(|p| p.as_array())
                        .and_then(|p| {
                            p.iter().find(|x| {
                                x.get("field").and_then(|f| f.as_str()) == Some("eligibility")
                            })
                        })
                        .and_then(|x| x.get("problem").and_then(|t| t.as_str()))
                        .map(str::to_owned)
                        .unwrap_or_else(|| error.message().to_owned());
                    refusal.line = line_named(&text);
                    refusal.engine = Some(text);
                    if refusal.line.is_some() {
                        "policies.eligibility_line"
                    } else {
                        "policies.eligibility_invalid"
                    }
                }
                ("amount", _) => "policies.amount_positive",
                ("payment_limit_days", _) => "policies.limit_invalid",
                ("reason", _) => "workflow.reason_required",
                _ => "policies.too_long",
            };
            refusal.errors.insert(name, message);
        }
    }
    again(state, site, member, id, error.status(), refusal).await
}

/// `POST /policies/{id}/items` (form: `csrf`, `version`, the item's
/// fields): the API's `add_item`, then the policy with the item.
pub async fn add_item(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let posted = Posted(posted_pairs(&body));
    let version = match checked(&state, &site, &member, id, FormName::Item, &posted).await {
        Ok(version) => version,
        Err(page) => return page,
    };
    // Choices and numbers are the page's to read; the rest is the API's.
    let mut errors: BTreeMap<String, &'static str> = BTreeMap::new();
    let class = ItemClass::parse(&posted.get("class"));
    if class.is_none() {
        errors.insert("class".into(), "policies.choose");
    }
    let mode = RedemptionMode::parse(&posted.get("mode"));
    if mode.is_none() {
        errors.insert("mode".into(), "policies.choose");
    }
    let money = |text: String| text.replace([',', '，'], "").parse::<Decimal>().ok();
    let amount = match posted.get("amount_kind").as_str() {
        "none" => Some(AmountRule::None),
        "fixed" => money(posted.get("amount")).map(|amount| AmountRule::Fixed { amount }),
        "capped" => money(posted.get("amount")).map(|cap| AmountRule::Capped {
            cap,
            rule: posted.get("amount_rule"),
        }),
        _ => {
            errors.insert("amount_kind".into(), "policies.choose");
            None
        }
    };
    if amount.is_none() && !errors.contains_key("amount_kind") {
        errors.insert("amount".into(), "policies.amount_invalid");
    }
    let limit = match posted.get("payment_limit_days").as_str() {
        "" => Ok(None),
        text => text.parse::<u32>().map(Some).map_err(|_| {
            errors.insert("payment_limit_days".into(), "policies.limit_invalid");
        }),
    };
    let (Some(class), Some(mode), Some(amount), Ok(payment_limit_days), true) =
        (class, mode, amount, limit, errors.is_empty())
    else {
        let mut refusal = refused(FormName::Item, "workflow.fix_below", &posted);
        refusal.errors = errors;
        return again(
            &state,
            &site,
            &member,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            refusal,
        )
        .await;
    };
    // The eligibility goes as typed (not trimmed): its line numbers are the author's.
    let eligibility = posted
        .0
        .iter()
        .find(|(k, _)| k == "eligibility")
        .map(|(_, v)| v.replace("\r\n", "\n"))
        .unwrap_or_default();
    let body = AddItemBody {
        version,
        item: ItemForm {
            title: posted.get("title"),
            class,
            amount,
            mode,
            payment_limit_days,
            eligibility,
        },
    };
    match api_add(
        State(state.clone()),
        member.caller.clone(),
        Path(id),
        Json(body),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/policies/{id}?done=item")).into_response(),
        Err(error) => {
            refused_by_api(&state, &site, &member, id, FormName::Item, &posted, &error).await
        }
    }
}

/// `POST /policies/{id}/publish` (form: `csrf`, `version`): the API's
/// `publish_policy`, which also matches it as of today.
pub async fn publish(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let posted = Posted(posted_pairs(&body));
    let version = match checked(&state, &site, &member, id, FormName::Publish, &posted).await {
        Ok(version) => version,
        Err(page) => return page,
    };
    match publish_policy(
        State(state.clone()),
        member.caller.clone(),
        Path(id),
        Json(VersionBody { version }),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/policies/{id}?done=publish")).into_response(),
        Err(error) => {
            refused_by_api(
                &state,
                &site,
                &member,
                id,
                FormName::Publish,
                &posted,
                &error,
            )
            .await
        }
    }
}

/// `POST /policies/{id}/withdraw` (form: `csrf`, `version`, `reason`): the
/// API's `withdraw_policy`.
pub async fn withdraw(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let posted = Posted(posted_pairs(&body));
    let version = match checked(&state, &site, &member, id, FormName::Withdraw, &posted).await {
        Ok(version) => version,
        Err(page) => return page,
    };
    let body = WithdrawBody {
        version,
        reason: posted.get("reason"),
    };
    match withdraw_policy(
        State(state.clone()),
        member.caller.clone(),
        Path(id),
        Json(body),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/policies/{id}?done=withdraw")).into_response(),
        Err(error) => {
            refused_by_api(
                &state,
                &site,
                &member,
                id,
                FormName::Withdraw,
                &posted,
                &error,
            )
            .await
        }
    }
}

/// `POST /policies/{id}/match` (form: `csrf`, `as_of`): the API's
/// `match_policy`; the page then says how many enterprises qualified for
/// each item as of that day, and how many of them are new matches.
pub async fn run_match(
    State(state): State<AppState>,
    Extension(site): Extension<Arc<Site>>,
    member: Member,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let posted = Posted(posted_pairs(&body));
    if !member.csrf_ok(&posted.get("csrf")) {
        let refusal = refused(FormName::Match, "form.expired", &posted);
        return again(&state, &site, &member, id, StatusCode::FORBIDDEN, refusal).await;
    }
    let as_of = match posted.get("as_of").as_str() {
        "" => None,
        text => match text.parse::<Date>() {
            Ok(day) => Some(day),
            Err(_) => {
                let mut refusal = refused(FormName::Match, "workflow.fix_below", &posted);
                refusal
                    .errors
                    .insert("as_of".into(), "policies.date_invalid");
                return again(
                    &state,
                    &site,
                    &member,
                    id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    refusal,
                )
                .await;
            }
        },
    };
    match match_policy(
        State(state.clone()),
        member.caller.clone(),
        Path(id),
        Json(MatchBody { as_of }),
    )
    .await
    {
        Ok(Json(run)) => {
            let query = DetailQuery::default();
            render(
                &state,
                &site,
                &member,
                id,
                &query,
                StatusCode::OK,
                None,
                Some(run),
            )
            .await
        }
        Err(error) => {
            refused_by_api(&state, &site, &member, id, FormName::Match, &posted, &error).await
        }
    }
}
