//! "Enter once" (issue 14): everything the system holds about an enterprise
//! that a form would ask, each value with its source and its date, and the
//! corrections that replace a value by a new dated fact.
//!
//! A correction is appended, never written over: a region is a move (a
//! `relocated` event in the ledger from its day, so tiers and reports see
//! it as of then and not before), a financial figure the financials row of
//! its year, every other field a fact of its own. Each is audited
//! (`profile.correct`, `profile.confirm`).

use std::str::FromStr;

use axum::extract::State;
use axum::http::StatusCode;
use hatchery_core::workflow::{Capability, Placement, Scope};
use hatchery_core::{
    Amount, Currency, Dataset, DivisionCode, EnterpriseId, Event, EventKind, Financials,
};
use hatchery_lists::industry::industry_key;
use hatchery_store::profile::{
    NewProfileFact, ProfileFact, ProfileField, ProfileRecords, StoredFinancials,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path};
use crate::routes::enterprises::{rule_set, visible};
use crate::routes::history::enterprise_pool_history;
use crate::routes::stewards::enterprise_stewards;
use crate::state::AppState;

/// Where a held value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A ledger import (the label is its origin).
    LedgerImport,
    /// A dated ledger event (the label is the event's source).
    LedgerEvent,
    /// A declaration the enterprise made (the label is its id).
    Declaration,
    /// A correction by an account (the label is its username).
    Correction,
    /// A confirmation by an account that the value held is right.
    Confirmation,
    /// The criteria engine's decision today (the label is the rule set).
    Engine,
    /// The cultivation pool.
    Pool,
    /// A steward's assignment (the label is the department).
    Steward,
}

/// One value held, with where it came from and its date.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HeldValue {
    /// `name`, `name_en`, `uscc`, `founded`, `region`, `city`, `zone`,
    /// `industries`, `revenue`, `rd_expense`, `employees`, `latest_round`,
    /// `valuation`, `tier`, `pool`, `steward`, `contact_name`,
    /// `contact_phone`, `contact_email`.
    pub field: String,
    /// The value as held: a division code, an amount's text, industry keys
    /// joined by `;`, a tier key, or text.
    pub value: String,
    /// The year of a financial figure, the cycle of a pool membership.
    pub year: Option<i16>,
    /// The currency of an amount.
    pub currency: Option<String>,
    pub source: SourceKind,
    /// The import's origin, the event's source, the account's username, the
    /// rule set, the declaration's id or the steward's department.
    pub source_label: String,
    /// The day the value holds from (an event's, a correction's effective
    /// day), or the day it was brought in.
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<Date>,
    /// Whether a correction may be made to it through this API.
    pub correctable: bool,
}

/// A correction or confirmation as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FactView {
    pub id: i64,
    pub field: String,
    pub value: String,
    pub previous: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub effective_on: Date,
    pub year: Option<i16>,
    pub currency: Option<String>,
    pub confirms: bool,
    pub recorded_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: jiff::Timestamp,
}

impl From<&ProfileFact> for FactView {
    fn from(f: &ProfileFact) -> Self {
        Self {
            id: f.id,
            field: f.field.to_string(),
            value: f.value.clone(),
            previous: f.previous.clone(),
            effective_on: f.effective_on,
            year: f.year,
            currency: f.currency.clone(),
            confirms: f.confirms,
            recorded_by: f.recorded_name.clone(),
            recorded_at: f.recorded_at,
        }
    }
}

/// What the system holds about an enterprise.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProfileView {
    pub enterprise: String,
    /// The day the values are as of (today).
    #[schema(value_type = String, format = Date)]
    pub as_of: Date,
    /// Every value held, in the order a form asks for them.
    pub values: Vec<HeldValue>,
    /// Every correction and confirmation, oldest first.
    pub facts: Vec<FactView>,
}

impl ProfileView {
    /// The value held for `field` (the first, for fields held several times).
    pub fn get(&self, field: &str) -> Option<&HeldValue> {
        self.values.iter().find(|v| v.field == field)
    }
}

/// A correction (or, with `confirm`, a confirmation) of a held value.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// `name_en`, `industries`, `contact_name`, `contact_phone`,
    /// `contact_email`, `region` (a move), `revenue`, `rd_expense` or
    /// `employees` (of `year`).
    pub field: String,
    /// The corrected value: a six-digit division code for `region`, an
    /// amount for `revenue` and `rd_expense`, a whole number for
    /// `employees`, industry keys separated by `;` for `industries`.
    /// Leave out with `confirm`.
    #[serde(default)]
    pub value: Option<String>,
    /// `YYYY-MM-DD`, the day the value holds from (default today; for
    /// `region`, the day of the move). Not before the founding, not after
    /// today.
    #[serde(default)]
    pub effective_on: Option<String>,
    /// The year of a financial figure.
    #[serde(default)]
    pub year: Option<i16>,
    /// The currency of `revenue` or `rd_expense` (default the year's
    /// stored currency, else CNY).
    #[serde(default)]
    pub currency: Option<String>,
    /// The value held is right: record that, change nothing else.
    #[serde(default)]
    pub confirm: bool,
}

fn field_error(field: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::invalid("invalid_field", message).with_details(json!({ "field": field }))
}

/// The day an import's RFC 3339 instant falls on (UTC).
fn import_day(at: &str) -> Option<Date> {
    at.get(..10)
        .and_then(|d| hatchery_core::date::parse_date(d).ok())
}

/// Files the audit entry under the enterprise's division, else its zone.
fn filed_under(placement: &Placement) -> String {
    match (placement.division(), &placement.zone) {
        (Some(code), _) => code.to_string(),
        (None, Some(zone)) => format!("zone:{zone}"),
        (None, None) => "CN".to_owned(),
    }
}

/// The source of a fact.
fn fact_source(fact: &ProfileFact) -> (SourceKind, String) {
    (
        if fact.confirms {
            SourceKind::Confirmation
        } else {
            SourceKind::Correction
        },
        fact.recorded_name.clone(),
    )
}

/// The latest fact of `field` (and `year`) in force on `today`.
fn latest_fact(
    facts: &[ProfileFact],
    field: ProfileField,
    year: Option<i16>,
    today: Date,
) -> Option<&ProfileFact> {
    facts
        .iter()
        .filter(|f| f.field == field && f.effective_on <= today)
        .filter(|f| year.is_none() || f.year == year)
        .max_by_key(|f| (f.effective_on, f.id))
}

/// The profile of an enterprise the caller may see.
pub async fn enterprise_profile(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<ProfileView, ApiError> {
    caller.require(Capability::ReadEnterprises)?;
    let view = state.ledger().await?;
    let today = state.today();
    let (position, _placement) = visible(&view, caller, id, today)?;
    let enterprise = view.ledger.enterprises()[position].id.clone();
    let (row, events) = state
        .db
        .enterprise(&enterprise)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let records = state.db.profile_records(&enterprise).await?;
    let facts = &records.facts;
    let may_correct = Capability::CorrectProfiles.granted_to(caller.account.role);
    let (row_label, row_day) = records
        .row_origin
        .as_ref()
        .map(|(origin, at)| (origin.clone(), import_day(at)))
        .unwrap_or_default();
    let mut values = Vec::new();
    let ledger_value = |field: &str, value: String, correctable: bool| HeldValue {
        field: field.to_owned(),
        value,
        year: None,
        currency: None,
        source: SourceKind::LedgerImport,
        source_label: row_label.clone(),
        date: row_day,
        correctable: correctable && may_correct,
    };
    let with_fact =
        |held: HeldValue, field: ProfileField| match latest_fact(facts, field, None, today) {
            Some(fact) => {
                let (source, label) = fact_source(fact);
                HeldValue {
                    value: fact.value.clone(),
                    source,
                    source_label: label,
                    date: Some(fact.effective_on),
                    ..held
                }
            }
            None => held,
        };
    values.push(ledger_value("name", row.name.clone(), false));
    values.push(with_fact(
        ledger_value("name_en", row.name_en.clone().unwrap_or_default(), true),
        ProfileField::NameEn,
    ));
    values.push(ledger_value(
        "uscc",
        row.uscc
            .as_ref()
            .map(|u| u.as_str().to_owned())
            .unwrap_or_default(),
        false,
    ));
    values.push(ledger_value("founded", row.founded.to_string(), false));
    values.push(region_value(
        &row.region,
        &events,
        facts,
        ledger_value("region", String::new(), true),
        today,
    ));
    if let Some(city) = &row.city {
        values.push(ledger_value("city", city.clone(), false));
    }
    if let Some(zone) = &row.zone {
        values.push(ledger_value("zone", zone.clone(), false));
    }
    values.push(with_fact(
        ledger_value("industries", row.industries.join(";"), true),
        ProfileField::Industries,
    ));
    values.extend(financial_values(&records, today, may_correct));
    // The latest round and the latest valuation as of today.
    let latest = |wanted: fn(&Event) -> bool| {
        events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.date <= today && wanted(e))
            .max_by_key(|(order, e)| (e.date, *order))
            .map(|(_, e)| e)
    };
    let event_value = |field: &str, e: &Event, value: String, amount: bool| HeldValue {
        field: field.to_owned(),
        value,
        year: None,
        currency: amount.then(|| e.currency.map(|c| c.to_string())).flatten(),
        source: SourceKind::LedgerEvent,
        source_label: e.source.clone().unwrap_or_default(),
        date: Some(e.date),
        correctable: false,
    };
    if let Some(e) = latest(|e| e.kind == EventKind::Funding) {
        let round = e.round.clone().unwrap_or_default();
        let amount = e.amount.as_ref().map(|a| a.as_str()).unwrap_or_default();
        values.push(event_value(
            "latest_round",
            e,
            format!("{round} {amount}").trim().to_owned(),
            true,
        ));
    }
    if let Some(e) = latest(|e| e.valuation.is_some()) {
        let valuation = e.valuation.as_ref().map(|a| a.as_str().to_owned());
        values.push(event_value(
            "valuation",
            e,
            valuation.unwrap_or_default(),
            true,
        ));
    }
    // The tier as of today under the configured rule set.
    let entry = rule_set(state, None, None).await?;
    let tier = entry.rules.classify(&view.ledger.as_of(position, today));
    values.push(HeldValue {
        field: "tier".into(),
        value: tier
            .map(|t| entry.rules.tier(t).key.clone())
            .unwrap_or_default(),
        year: None,
        currency: None,
        source: SourceKind::Engine,
        source_label: entry.rules.key.clone(),
        date: Some(today),
        correctable: false,
    });
    // Pool membership and stewards, for the roles that read them.
    if Capability::ReadPool.granted_to(caller.account.role)
        && let Ok(history) = enterprise_pool_history(state, caller, id).await
        && let Some(member) = history
            .memberships
            .iter()
            .find(|m| m.status == crate::views::MemberStatusKey::Active)
    {
        values.push(HeldValue {
            field: "pool".into(),
            value: member.tier.clone(),
            year: Some(member.cycle),
            currency: None,
            source: SourceKind::Pool,
            source_label: member
                .declaration
                .map(|d| format!("declaration:{d}"))
                .unwrap_or_default(),
            date: Some(member.valid_from),
            correctable: false,
        });
    }
    if Capability::ReadStewards.granted_to(caller.account.role) {
        for steward in enterprise_stewards(state, &enterprise, false).await? {
            values.push(HeldValue {
                field: "steward".into(),
                value: match &steward.phone {
                    Some(phone) => format!("{} {phone}", steward.name),
                    None => steward.name.clone(),
                },
                year: None,
                currency: None,
                source: SourceKind::Steward,
                source_label: steward.department.clone(),
                date: Some(steward.starts_on),
                correctable: false,
            });
        }
    }
    values.extend(contact_values(state, caller, &enterprise, facts, today, may_correct).await?);
    Ok(ProfileView {
        enterprise: enterprise.to_string(),
        as_of: today,
        values,
        facts: facts.iter().map(FactView::from).collect(),
    })
}

/// The region as of `today`: the latest move on or before it (a correction
/// when a region fact made it), else the region at founding.
fn region_value(
    founded_in: &Option<DivisionCode>,
    events: &[Event],
    facts: &[ProfileFact],
    held: HeldValue,
    today: Date,
) -> HeldValue {
    let moved = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EventKind::Relocated && e.region.is_some() && e.date <= today)
        .max_by_key(|(order, e)| (e.date, *order))
        .map(|(_, e)| e);
    match moved {
        Some(e) => {
            let region = e.region.map(|r| r.to_string()).unwrap_or_default();
            let fact = facts.iter().rev().find(|f| {
                f.field == ProfileField::Region && f.effective_on == e.date && f.value == region
            });
            let (source, source_label) = match fact {
                Some(fact) => fact_source(fact),
                None => (
                    SourceKind::LedgerEvent,
                    e.source.clone().unwrap_or_default(),
                ),
            };
            HeldValue {
                value: region,
                source,
                source_label,
                date: Some(e.date),
                ..held
            }
        }
        None => {
            let region = founded_in.map(|r| r.to_string()).unwrap_or_default();
            // A confirmation of the region at founding.
            match latest_fact(facts, ProfileField::Region, None, today)
                .filter(|f| f.confirms && f.value == region)
            {
                Some(fact) => {
                    let (source, source_label) = fact_source(fact);
                    HeldValue {
                        value: region,
                        source,
                        source_label,
                        date: Some(fact.effective_on),
                        ..held
                    }
                }
                None => HeldValue {
                    value: region,
                    ..held
                },
            }
        }
    }
}

/// Revenue, R&D expense and employees of the latest year held.
fn financial_values(records: &ProfileRecords, today: Date, may_correct: bool) -> Vec<HeldValue> {
    let Some(latest) = records.financials.iter().max_by_key(|f| f.row.year) else {
        return Vec::new();
    };
    let row = &latest.row;
    let figures: [(ProfileField, Option<String>, bool); 3] = [
        (
            ProfileField::Revenue,
            row.revenue.as_ref().map(|a| a.as_str().to_owned()),
            true,
        ),
        (
            ProfileField::RdExpense,
            row.rd_expense.as_ref().map(|a| a.as_str().to_owned()),
            true,
        ),
        (
            ProfileField::Employees,
            row.employees.map(|n| n.to_string()),
            false,
        ),
    ];
    figures
        .into_iter()
        .map(|(field, value, money)| {
            let fact = latest_fact(&records.facts, field, Some(row.year), today)
                .filter(|f| f.value == value.clone().unwrap_or_default());
            let (source, source_label, date) = match fact {
                Some(fact) => {
                    let (source, label) = fact_source(fact);
                    (source, label, Some(fact.effective_on))
                }
                None => (
                    SourceKind::LedgerImport,
                    latest.origin.clone(),
                    import_day(&latest.at),
                ),
            };
            HeldValue {
                field: field.to_string(),
                value: value.unwrap_or_default(),
                year: Some(row.year),
                currency: money.then(|| row.currency.to_string()),
                source,
                source_label,
                date,
                correctable: may_correct,
            }
        })
        .collect()
}

/// The contact: the latest correction of each part, else the enterprise's
/// latest declaration (for the roles that read declarations).
async fn contact_values(
    state: &AppState,
    caller: &Caller,
    enterprise: &EnterpriseId,
    facts: &[ProfileFact],
    today: Date,
    may_correct: bool,
) -> Result<Vec<HeldValue>, ApiError> {
    let declared = if Capability::ReadDeclarations.granted_to(caller.account.role) {
        state
            .db
            .declarations(&hatchery_store::workflow::DeclarationFilter {
                scope: Scope::Enterprise(enterprise.clone()),
                cycle: None,
                state: None,
                tier: None,
                enterprise: Some(enterprise.clone()),
                page: hatchery_store::workflow::Page {
                    offset: 0,
                    limit: 100,
                },
            })
            .await?
            .items
            .into_iter()
            .max_by_key(|d| d.updated_at)
    } else {
        None
    };
    let mut values = Vec::new();
    for field in [
        ProfileField::ContactName,
        ProfileField::ContactPhone,
        ProfileField::ContactEmail,
    ] {
        let held = match latest_fact(facts, field, None, today) {
            Some(fact) => {
                let (source, source_label) = fact_source(fact);
                Some((
                    fact.value.clone(),
                    source,
                    source_label,
                    Some(fact.effective_on),
                ))
            }
            None => declared.as_ref().and_then(|d| {
                let value = match field {
                    ProfileField::ContactName => d.form.contact_name.clone(),
                    ProfileField::ContactPhone => d.form.contact_phone.clone(),
                    _ => String::new(),
                };
                (!value.is_empty()).then(|| {
                    (
                        value,
                        SourceKind::Declaration,
                        format!("declaration:{}", d.id),
                        Some(
                            d.updated_at
                                .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                                .date(),
                        ),
                    )
                })
            }),
        };
        let (value, source, source_label, date) =
            held.unwrap_or((String::new(), SourceKind::LedgerImport, String::new(), None));
        values.push(HeldValue {
            field: field.to_string(),
            value,
            year: None,
            currency: None,
            source,
            source_label,
            date,
            correctable: may_correct,
        });
    }
    Ok(values)
}

/// Everything the system holds about an enterprise that a form would ask,
/// each value with its source and date.
#[utoipa::path(
    get, path = "/api/enterprises/{id}/profile", tag = "enterprises",
    params(("id" = String, Path, description = "The enterprise's id")),
    responses(
        (status = 200, description = "The values held, with source and date, and every correction", body = ProfileView),
        (status = 403, description = "The role reads statistics only", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
    )
)]
pub async fn get_profile(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ProfileView>, ApiError> {
    Ok(Json(enterprise_profile(&state, &caller, &id).await?))
}

/// Confirms or corrects a held value: a new dated fact, audited.
#[utoipa::path(
    post, path = "/api/enterprises/{id}/profile/corrections", tag = "enterprises",
    params(("id" = String, Path, description = "The enterprise's id")),
    request_body = Correction,
    responses(
        (status = 201, description = "Recorded; the fact", body = FactView),
        (status = 403, description = "Only the enterprise and the officials correct", body = ErrorBody),
        (status = 404, description = "No such enterprise within your jurisdiction", body = ErrorBody),
        (status = 422, description = "A field is wrong (named in `details.field`); nothing changed", body = ErrorBody),
    )
)]
pub async fn correct_profile(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<Correction>,
) -> Result<(StatusCode, Json<FactView>), ApiError> {
    let fact = correct(&state, &caller, &id, body).await?;
    Ok((StatusCode::CREATED, Json(FactView::from(&fact))))
}

/// Checks and records `body` for `caller` (shared with the pages).
pub async fn correct(
    state: &AppState,
    caller: &Caller,
    id: &str,
    body: Correction,
) -> Result<ProfileFact, ApiError> {
    caller.require(Capability::CorrectProfiles)?;
    let view = state.ledger().await?;
    let today = state.today();
    let (position, placement) = visible(&view, caller, id, today)?;
    let enterprise = view.ledger.enterprises()[position].id.clone();
    let founded = view.ledger.enterprises()[position].founded;
    let field = ProfileField::from_str(body.field.trim())
        .map_err(|e| field_error("field", e.to_string()))?;
    let effective_on = match body.effective_on.as_deref().map(str::trim) {
        None | Some("") => today,
        Some(text) => hatchery_core::date::parse_date(text)
            .map_err(|e| field_error("effective_on", format!("effective_on: {e}")))?,
    };
    if effective_on < founded {
        return Err(field_error(
            "effective_on",
            format!("effective_on {effective_on} is before the enterprise was founded ({founded})"),
        ));
    }
    if effective_on > today {
        return Err(field_error(
            "effective_on",
            format!("effective_on {effective_on} is after today ({today})"),
        ));
    }
    let profile = enterprise_profile(state, caller, id).await?;
    let records = state.db.profile_records(&enterprise).await?;
    let year = if field.is_financial() {
        let year = body
            .year
            .ok_or_else(|| field_error("year", "year is required for a financial figure"))?;
        if year < 1900 || year > today.year() {
            return Err(field_error(
                "year",
                format!("year {year} is not between 1900 and {}", today.year()),
            ));
        }
        if i32::from(year) < i32::from(founded.year()) {
            return Err(field_error(
                "year",
                format!("year {year} is before the enterprise was founded ({founded})"),
            ));
        }
        Some(year)
    } else if body.year.is_some() {
        return Err(field_error("year", format!("{field} has no year")));
    } else {
        None
    };
    let stored_year: Option<&StoredFinancials> =
        year.and_then(|y| records.financials.iter().find(|f| f.row.year == y));
    // The value held now, which the fact replaces (or confirms).
    let previous: Option<String> = if field.is_financial() {
        stored_year.and_then(|f| match field {
            ProfileField::Revenue => f.row.revenue.as_ref().map(|a| a.as_str().to_owned()),
            ProfileField::RdExpense => f.row.rd_expense.as_ref().map(|a| a.as_str().to_owned()),
            _ => f.row.employees.map(|n| n.to_string()),
        })
    } else if field == ProfileField::Region {
        // The region on the day of the move.
        view.ledger
            .as_of(position, effective_on)
            .region()
            .map(|r| r.to_string())
    } else {
        profile
            .get(field.as_str())
            .map(|v| v.value.clone())
            .filter(|v| !v.is_empty())
    };
    if body.confirm {
        if body.value.as_deref().is_some_and(|v| !v.trim().is_empty()) {
            return Err(field_error("value", "a confirmation takes no value"));
        }
        let value = previous
            .clone()
            .ok_or_else(|| field_error("field", format!("there is no {field} held to confirm")))?;
        let fact = NewProfileFact {
            enterprise,
            field,
            value,
            previous: previous.clone(),
            effective_on,
            year,
            currency: stored_year
                .filter(|_| field != ProfileField::Employees)
                .map(|f| f.row.currency.to_string()),
            confirms: true,
            ledger: Dataset::default(),
            filed_under: filed_under(&placement),
        };
        return Ok(state
            .db
            .append_profile_fact(&fact, &caller.acting(state.clock.now()))
            .await?);
    }
    let raw = body.value.as_deref().map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Err(field_error(
            "value",
            format!("a value for {field} is required"),
        ));
    }
    if raw.chars().count() > 200 || raw.chars().any(char::is_control) {
        return Err(field_error(
            "value",
            "the value is at most 200 printable characters",
        ));
    }
    let mut ledger = Dataset::default();
    let mut currency = None;
    let value = match field {
        ProfileField::NameEn | ProfileField::ContactName => raw.to_owned(),
        ProfileField::ContactPhone => {
            if raw.chars().count() > 32
                || !raw
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
            {
                return Err(field_error(
                    "value",
                    format!(
                        "'{raw}' is not a telephone number (digits, + - ( ) and spaces, at most 32)"
                    ),
                ));
            }
            raw.to_owned()
        }
        ProfileField::ContactEmail => {
            let parts: Vec<&str> = raw.split('@').collect();
            if parts.len() != 2
                || parts[0].is_empty()
                || !parts[1].contains('.')
                || raw.contains(char::is_whitespace)
            {
                return Err(field_error(
                    "value",
                    format!("'{raw}' is not an e-mail address"),
                ));
            }
            raw.to_owned()
        }
        ProfileField::Industries => {
            let mut keys = Vec::new();
            for part in raw.split([';', ',', '；', '，']).map(str::trim) {
                if part.is_empty() {
                    continue;
                }
                // An industry is one the ledger knows (its keys are open,
                // so a typo would otherwise make a new one).
                let key = industry_key(part)
                    .filter(|key| view.industries().iter().any(|known| known == key))
                    .ok_or_else(|| {
                        field_error("value", format!("'{part}' is no industry of the ledger"))
                    })?;
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            if keys.is_empty() {
                return Err(field_error("value", "name at least one industry"));
            }
            keys.join(";")
        }
        ProfileField::Region => {
            let code = DivisionCode::parse(raw)
                .ok()
                .filter(|c| c.name().is_some())
                .ok_or_else(|| {
                    field_error(
                        "value",
                        format!("'{raw}' is not a division code in the division table"),
                    )
                })?;
            let mut event = Event::new(enterprise.clone(), effective_on, EventKind::Relocated);
            event.region = Some(code);
            event.source = Some(format!("corrected by {}", caller.account.username));
            ledger.events.push(event);
            code.to_string()
        }
        ProfileField::Revenue | ProfileField::RdExpense | ProfileField::Employees => {
            let year = year.expect("checked above");
            let mut row = stored_year.map(|f| f.row.clone()).unwrap_or(Financials {
                enterprise: enterprise.clone(),
                year,
                currency: Currency::parse("CNY").expect("a currency code"),
                revenue: None,
                rd_expense: None,
                employees: None,
            });
            if field == ProfileField::Employees {
                let n: u64 = raw.parse().map_err(|_| {
                    field_error(
                        "value",
                        format!("'{raw}' is not a whole number of employees"),
                    )
                })?;
                row.employees = Some(n);
            } else {
                let amount = Amount::parse(raw)
                    .map_err(|e| field_error("value", format!("'{raw}': {e}")))?;
                if amount.value().is_sign_negative() {
                    return Err(field_error("value", format!("'{raw}' is below zero")));
                }
                if let Some(text) = body.currency.as_deref().map(str::trim)
                    && !text.is_empty()
                {
                    let wanted = Currency::parse(text)
                        .map_err(|e| field_error("currency", e.to_string()))?;
                    let others = row.revenue.is_some() && field != ProfileField::Revenue
                        || row.rd_expense.is_some() && field != ProfileField::RdExpense;
                    if wanted != row.currency && others && stored_year.is_some() {
                        return Err(field_error(
                            "currency",
                            format!(
                                "the figures of {year} are in {}; correct them in that currency",
                                row.currency
                            ),
                        ));
                    }
                    row.currency = wanted;
                }
                if field == ProfileField::Revenue {
                    row.revenue = Some(amount);
                } else {
                    row.rd_expense = Some(amount);
                }
                currency = Some(row.currency.to_string());
            }
            let value = match field {
                ProfileField::Employees => row.employees.map(|n| n.to_string()),
                ProfileField::Revenue => row.revenue.as_ref().map(|a| a.as_str().to_owned()),
                _ => row.rd_expense.as_ref().map(|a| a.as_str().to_owned()),
            }
            .unwrap_or_default();
            ledger.financials.push(row);
            value
        }
    };
    if body.currency.is_some() && currency.is_none() {
        return Err(field_error("currency", format!("{field} has no currency")));
    }
    let fact = NewProfileFact {
        enterprise,
        field,
        value,
        previous,
        effective_on,
        year,
        currency,
        confirms: false,
        ledger,
        filed_under: filed_under(&placement),
    };
    let touches_ledger = !(fact.ledger.events.is_empty() && fact.ledger.financials.is_empty());
    let stored = state
        .db
        .append_profile_fact(&fact, &caller.acting(state.clock.now()))
        .await?;
    if touches_ledger {
        state.ledger.invalidate();
    }
    Ok(stored)
}
