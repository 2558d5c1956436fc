//! Requests (诉求) as the API shows them: what the enterprise always sees
//! (state, who owns it, the next deadline), the steps, the figures.

use hatchery_core::services::kpi::Kpis;
use hatchery_core::services::revisit::RevisitReason;
use hatchery_core::services::{
    Deadline, Level, RequestAction, RequestChannel, RequestClass, RequestState,
};
use hatchery_core::workflow::Placement;
use hatchery_store::workflow::{RequestStep, ServiceRequest};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;

use super::PlacementView;

/// A request's deadlines.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuesView {
    pub accept: Timestamp,
    pub answer: Timestamp,
    pub close: Timestamp,
    /// Past it, a request still waiting for acceptance goes one level up.
    pub escalate: Timestamp,
}

impl From<&hatchery_core::services::Dues> for DuesView {
    fn from(d: &hatchery_core::services::Dues) -> Self {
        Self {
            accept: d.accept,
            answer: d.answer,
            close: d.close,
            escalate: d.escalate,
        }
    }
}

/// The deadline the request runs against now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NextDue {
    pub deadline: Deadline,
    pub at: Timestamp,
}

/// A request, with who owns it and what it waits for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestView {
    pub id: i64,
    pub enterprise: String,
    pub enterprise_name: Option<String>,
    pub placement: PlacementView,
    pub class: RequestClass,
    pub channel: RequestChannel,
    pub title: String,
    pub body: String,
    pub state: RequestState,
    /// The level that handles it now.
    pub level: Level,
    /// The office that owns it: `CN`, a division code or `zone:ID`.
    pub owner: String,
    /// The department it was last dispatched to.
    pub department: Option<String>,
    /// Marked a problem many enterprises share (共性).
    pub shared: bool,
    /// The last answer.
    pub answer: Option<String>,
    /// The written reason of the last closure.
    pub close_reason: Option<String>,
    /// The deadlines in force.
    pub dues: DuesView,
    /// The deadline of its current stage (none while it waits for the
    /// enterprise, or once closed).
    pub next_due: Option<NextDue>,
    /// Open and past a deadline now.
    pub overdue: bool,
    pub accepted_at: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub suspended_since: Option<Timestamp>,
    pub reopened: u32,
    /// The catalogue item the request is about, if it names one.
    pub catalogue_item: Option<i64>,
    /// The enterprise's confirmation.
    pub solved: Option<bool>,
    pub satisfaction: Option<u8>,
    /// The clock set that timed it.
    pub clock_set: String,
    pub clock_version: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Send it back with every step.
    pub version: i64,
}

/// The office that owns a request at `level`, for an enterprise placed so:
/// at the first level its city's (a zone's when it has no city).
pub fn owner(level: Level, placement: &Placement) -> String {
    let local = placement
        .city
        .or(placement.district)
        .map(|c| c.to_string())
        .or_else(|| placement.zone.as_ref().map(|z| format!("zone:{z}")));
    match level {
        Level::Local => local,
        Level::Province => placement.province.map(|c| c.to_string()),
        Level::Nation => None,
    }
    .unwrap_or_else(|| "CN".to_owned())
}

impl RequestView {
    /// The view of `r` at `now`, naming the enterprise when known.
    pub fn new(r: &ServiceRequest, enterprise_name: Option<String>, now: Timestamp) -> Self {
        Self {
            id: r.id.0,
            enterprise: r.enterprise.to_string(),
            enterprise_name,
            placement: (&r.placement).into(),
            class: r.form.class,
            channel: r.form.channel,
            title: r.form.title.clone(),
            body: r.form.body.clone(),
            state: r.state,
            level: r.level,
            owner: owner(r.level, &r.placement),
            department: r.department.clone(),
            shared: r.shared,
            answer: r.answer.clone(),
            close_reason: r.close_reason.clone(),
            dues: (&r.dues).into(),
            next_due: r.state.deadline().map(|deadline| NextDue {
                deadline,
                at: deadline.in_dues(&r.dues),
            }),
            overdue: r.state.is_overdue(&r.dues, now),
            accepted_at: r.accepted_at,
            answered_at: r.answered_at,
            closed_at: r.closed_at,
            suspended_since: r.suspended_since,
            reopened: r.reopened,
            catalogue_item: r.catalogue_item.map(|i| i.0),
            solved: r.confirmation.map(|(solved, _)| solved),
            satisfaction: r.confirmation.map(|(_, satisfaction)| satisfaction),
            clock_set: r.clock_set.clone(),
            clock_version: r.clock_version.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// One step of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestStepView {
    pub seq: i64,
    pub action: RequestAction,
    pub from: RequestState,
    pub to: RequestState,
    pub level: Level,
    /// `None` for the system (an automatic escalation).
    pub actor: Option<i64>,
    pub actor_name: String,
    pub at: Timestamp,
    /// The reason, answer, note or comment.
    pub text: Option<String>,
    pub department: Option<String>,
}

impl From<&RequestStep> for RequestStepView {
    fn from(s: &RequestStep) -> Self {
        Self {
            seq: s.seq,
            action: s.action,
            from: s.from,
            to: s.to,
            level: s.level,
            actor: s.actor.map(|a| a.0),
            actor_name: s.actor_name.clone(),
            at: s.at,
            text: s.text.clone(),
            department: s.department.clone(),
        }
    }
}

/// A request with its history and what the caller may do with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestDetail {
    pub request: RequestView,
    pub steps: Vec<RequestStepView>,
    /// The steps the caller may take now.
    pub actions: Vec<RequestAction>,
    /// The catalogue item it was filed against, if any.
    pub catalogue: Option<CatalogueItemRef>,
}

/// The catalogue item (服务菜单事项) a request was filed against: what it
/// is, the menu version that offers it, who provides it and its promised
/// time limit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogueItemRef {
    pub id: i64,
    pub title: String,
    pub category: hatchery_core::services::catalogue::ServiceCategory,
    pub menu: i64,
    /// `上海 独角兽服务菜单`.
    pub menu_title: String,
    /// `2.0`.
    pub menu_label: String,
    pub provider: i64,
    pub provider_name: String,
    /// The promised time limit, in working days.
    pub time_limit_days: Option<u16>,
}

/// A request still to be revisited (回访), and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisitView {
    pub request: RequestView,
    pub reason: RevisitReason,
}

/// The figures on the requests filed in a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KpiView {
    pub from: Date,
    pub to: Date,
    /// The instant "now" was for overdue requests and open deadlines.
    pub computed_at: Timestamp,
    /// Every request in the period.
    #[schema(value_type = Object)]
    pub all: Kpis,
    /// By class.
    #[schema(value_type = Object)]
    pub by_class: Vec<(RequestClass, Kpis)>,
    /// By the level that handles them now.
    #[schema(value_type = Object)]
    pub by_level: Vec<(Level, Kpis)>,
    /// By the province the enterprise sat in when it filed (a division
    /// code), most requests first.
    #[schema(value_type = Object)]
    pub by_province: Vec<(String, Kpis)>,
    /// By the city, likewise.
    #[schema(value_type = Object)]
    pub by_city: Vec<(String, Kpis)>,
    /// By the national high-tech zone (`zone:ID`), likewise; requests of
    /// enterprises outside every zone are not in this breakdown.
    #[schema(value_type = Object)]
    pub by_zone: Vec<(String, Kpis)>,
    /// By the department last dispatched to (`null`: never dispatched),
    /// most requests first.
    #[schema(value_type = Object)]
    pub by_department: Vec<(Option<String>, Kpis)>,
    /// By the steward (`person — name`) assigned to the enterprise on the
    /// day it filed; a request with two stewards counts for both, one
    /// with none is not in this breakdown. Empty for a role that does
    /// not read stewards.
    #[schema(value_type = Object)]
    pub by_steward: Vec<(String, Kpis)>,
}
