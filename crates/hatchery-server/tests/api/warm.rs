//! Building ahead: the reports and the directory index that the first
//! requests of a ledger view or of a day need are built in the background,
//! before anyone asks for them.

use std::time::Duration;

use hatchery_report::Lang;
use hatchery_server::routes::enterprises::rule_set;
use hatchery_server::state::LedgerView;
use hatchery_server::warm::{dashboard_dates, keep_warm, warm};
use jiff::civil::Date;
use serde_json::json;

use crate::helpers::{TestApp, dataset, enterprise, event};

/// A unicorn under the default rule set (US$1.5bn, founded 2020).
fn unicorn(id: &str, name: &str) -> serde_json::Value {
    dataset(
        vec![enterprise(id, name, "2020-01-15", "440305", None)],
        vec![event(
            id,
            "2023-01-10",
            "funding",
            json!({"amount": "20000000", "valuation": "1500000000", "currency": "USD"}),
        )],
    )
}

/// Whether everything built ahead for `today` is built on `view`, and the
/// national total of the dashboard's report if so.
fn built_total(view: &LedgerView, rules: &hatchery_core::RuleSet, today: Date) -> Option<u64> {
    view.built_directory(rules, today, today)?;
    let mut total = None;
    for lang in [Lang::Zh, Lang::En] {
        view.built_report(rules, &[today], None, lang)?;
        let report = view.built_report(rules, &dashboard_dates(today), None, lang)?;
        let report = report.as_ref().as_ref().ok()?;
        total = Some(report.snapshots.last()?.total);
    }
    total
}

/// Polls until everything for today is built on the current view and its
/// total is `expected`; fails after 30 s.
async fn wait_for_total(app: &TestApp, expected: u64) {
    let rules = rule_set(&app.state, None, None).await.unwrap().rules;
    let today = app.state.today();
    for _ in 0..600 {
        let view = app.state.ledger().await.unwrap();
        if built_total(&view, &rules, today) == Some(expected) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the reports of {today} with {expected} unicorns were not built ahead within 30 s");
}

#[tokio::test]
async fn a_new_ledger_view_finds_its_reports_built_without_a_request() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    app.import(unicorn("alpha", "深圳甲")).await;
    let builder = tokio::spawn(keep_warm(app.state.clone()));
    wait_for_total(&app, 1).await;
    // An import replaces the view (dropping what was built on the old one):
    // the builder is woken and builds on the new one.
    app.import(unicorn("beta", "深圳乙")).await;
    wait_for_total(&app, 2).await;
    // What a request then gets is what was built ahead.
    let dates: Vec<String> = dashboard_dates(app.state.today())
        .iter()
        .map(Date::to_string)
        .collect();
    let report = app
        .get(
            &format!("/api/reports/tracking?as_of={}", dates.join(",")),
            &app.admin.auth(),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(report["snapshots"][11]["total"], 2);
    builder.abort();
}

#[tokio::test]
async fn a_new_day_has_its_own_reports_built() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    app.import(unicorn("alpha", "深圳甲")).await;
    warm(&app.state).await.unwrap();
    let rules = rule_set(&app.state, None, None).await.unwrap().rules;
    let view = app.state.ledger().await.unwrap();
    let yesterday = app.state.today();
    assert_eq!(built_total(&view, &rules, yesterday), Some(1));
    app.advance_hours(24);
    let today = app.state.today();
    assert_eq!(built_total(&view, &rules, today), None, "a new day");
    let hurun = rule_set(&app.state, Some("hurun"), None)
        .await
        .unwrap()
        .rules;
    assert!(view.built_classification(&hurun, &[today]).is_none());
    warm(&app.state).await.unwrap();
    assert_eq!(built_total(&view, &rules, today), Some(1));
    // Every other rule set's tiers of the day, for comparisons.
    let tiers = view
        .built_classification(&hurun, &[today])
        .expect("hurun's tiers of today");
    assert_eq!(tiers.dates, [today]);
}

#[tokio::test]
async fn a_request_after_an_import_reads_it_while_the_builder_reloads() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let builder = tokio::spawn(keep_warm(app.state.clone()));
    for n in 0..20 {
        let id = format!("e{n}");
        app.import(unicorn(&id, &format!("深圳{n}"))).await;
        // The builder, woken by the import, starts reloading the view
        // first; the request must wait for that reload, not read the view
        // from before the import it was told had landed.
        tokio::task::yield_now().await;
        app.get(&format!("/api/enterprises/{id}"), &app.admin.auth())
            .await
            .expect(200);
    }
    builder.abort();
}
