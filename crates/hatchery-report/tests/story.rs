//! The report of the hand-written story in `common::story`, checked figure
//! by figure against values worked out by hand from the table in its docs.

mod common;

use std::collections::BTreeMap;

use common::{day, story, story_dates};
use hatchery_core::RuleSet;
use hatchery_report::{
    ExitCauses, Flow, Lang, Report, ReportOptions, Scope, Snapshot, Transition, build,
};
use rust_decimal::Decimal;

fn gei() -> RuleSet {
    RuleSet::builtin("gei").unwrap()
}

fn report_with(options: &ReportOptions) -> Report {
    build(&story().ledger(), &gei(), &story_dates(), options).unwrap()
}

fn report() -> Report {
    report_with(&ReportOptions::default())
}

fn scoped(scope: &str) -> Report {
    report_with(&ReportOptions {
        scope: Some(Scope::parse(scope).unwrap()),
        ..ReportOptions::default()
    })
}

fn snapshot<'r>(report: &'r Report, date: &str) -> &'r Snapshot {
    report
        .snapshots
        .iter()
        .find(|s| s.date == day(date))
        .unwrap()
}

fn flow<'r>(report: &'r Report, date: &str) -> &'r Flow {
    report.flows.iter().find(|f| f.to == day(date)).unwrap()
}

/// Counts per tier: super unicorn, unicorn, potential.
fn counts(snapshot: &Snapshot) -> Vec<u64> {
    snapshot.tiers.iter().map(|t| t.count).collect()
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn codes(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|&(c, n)| (c.to_owned(), n)).collect()
}

fn causes(pairs: &[(&str, u64)]) -> ExitCauses {
    let mut causes = ExitCauses::default();
    for &(cause, n) in pairs {
        let slot = match cause {
            "listed" => &mut causes.listed,
            "acquired" => &mut causes.acquired,
            "closed" => &mut causes.closed,
            "moved_out" => &mut causes.moved_out,
            "aged_out" => &mut causes.aged_out,
            "below_threshold" => &mut causes.below_threshold,
            other => panic!("no cause {other}"),
        };
        *slot = n;
    }
    causes
}

/// (start, new, promoted in, demoted in, promoted out, demoted out, end) of one tier.
fn moves(flow: &Flow, tier: &str) -> [u64; 7] {
    let t = flow.tiers.iter().find(|t| t.tier == tier).unwrap();
    assert_eq!(t.entries, t.new + t.promoted_in);
    [
        t.start,
        t.new,
        t.promoted_in,
        t.demoted_in,
        t.promoted_out,
        t.demoted_out,
        t.end,
    ]
}

fn exits(flow: &Flow, tier: &str) -> ExitCauses {
    flow.tiers.iter().find(|t| t.tier == tier).unwrap().exits
}

fn transition(from: Option<&str>, to: Option<&str>, count: u64) -> Transition {
    Transition {
        from: from.map(str::to_owned),
        to: to.map(str::to_owned),
        count,
    }
}

#[test]
fn tier_counts_on_each_date() {
    let r = report();
    // 2020: unicorns a, d, h; potential b, c, e, f, g, j, l.
    assert_eq!(counts(snapshot(&r, "2020-12-31")), [0, 3, 7]);
    // 2021: a listed, b acquired, d aged out, e revalued low, g promoted.
    assert_eq!(counts(snapshot(&r, "2021-12-31")), [0, 2, 4]);
    // 2022: i a super unicorn, h demoted, c closed.
    assert_eq!(counts(snapshot(&r, "2022-12-31")), [1, 1, 4]);
    assert_eq!(snapshot(&r, "2020-12-31").total, 10);
}

#[test]
fn valuations_and_money_raised_per_tier() {
    let r = report();
    let s = snapshot(&r, "2020-12-31");
    let [_, unicorn, potential] = &s.tiers[..] else {
        panic!("three tiers")
    };
    // a 2bn + d 1.5bn + h 1.2bn.
    assert_eq!(unicorn.valuation_usd, dec("4700000000"));
    assert_eq!(unicorn.valuation_usd.to_string(), "4700000000.00");
    // b, e, f, g, j, l at 200m and c at 300m.
    assert_eq!(potential.valuation_usd, dec("1500000000"));
    assert_eq!(unicorn.raised_usd, dec("30000000"));
    // b, e, f, g at US$10m, c at ¥70.827m = US$10m, j nothing; l unknown (EUR).
    assert_eq!(potential.raised_usd, dec("50000000"));
    assert_eq!(
        (potential.raised_unknown, potential.valuation_unknown),
        (1, 0)
    );
    assert_eq!(potential.no_region, 1);
    assert_eq!(
        (potential.in_zones, potential.in_zones_share),
        (2, dec("0.285714"))
    );
    assert_eq!((unicorn.provinces, unicorn.cities), (3, 3));
    assert_eq!((potential.provinces, potential.cities), (4, 4));
}

#[test]
fn counts_per_province_and_city_follow_relocations() {
    let r = report();
    let s = snapshot(&r, "2020-12-31");
    assert_eq!(s.by_province.get("super_unicorn"), Some(&codes(&[])));
    assert_eq!(
        s.by_province.get("unicorn"),
        Some(&codes(&[("110000", 1), ("440000", 1), ("500000", 1)]))
    );
    assert_eq!(
        s.by_province.get("potential"),
        Some(&codes(&[
            ("310000", 1),
            ("330000", 1),
            ("440000", 3),
            ("510000", 1)
        ]))
    );
    assert_eq!(
        s.by_city.get("unicorn"),
        Some(&codes(&[("110000", 1), ("440100", 1), ("500000", 1)]))
    );
    assert_eq!(
        s.by_city.get("potential"),
        Some(&codes(&[
            ("310000", 1),
            ("330100", 1),
            ("440300", 3),
            ("510100", 1)
        ]))
    );
    // f moved from Shenzhen to Shanghai in 2021.
    let s = snapshot(&r, "2021-12-31");
    assert_eq!(
        s.by_city.get("potential"),
        Some(&codes(&[("310000", 1), ("440300", 2)]))
    );
    assert_eq!(
        s.by_city.get("unicorn"),
        Some(&codes(&[("500000", 1), ("510100", 1)]))
    );
    let s = snapshot(&r, "2022-12-31");
    assert_eq!(
        s.by_city.get("super_unicorn"),
        Some(&codes(&[("810000", 1)]))
    );
    assert_eq!(
        s.by_province.get("potential"),
        Some(&codes(&[("310000", 1), ("440000", 1), ("500000", 1)]))
    );
}

#[test]
fn first_date_compares_with_no_tier() {
    let f = flow(&report(), "2020-12-31").clone();
    assert_eq!(f.from, None);
    assert_eq!(moves(&f, "unicorn"), [0, 3, 0, 0, 0, 0, 3]);
    assert_eq!(moves(&f, "potential"), [0, 7, 0, 0, 0, 0, 7]);
    assert_eq!(f.new, 10);
    assert_eq!(f.exits, ExitCauses::default());
}

#[test]
fn entries_and_exits_by_cause_in_2021() {
    let r = report();
    let f = flow(&r, "2021-12-31");
    assert_eq!(f.from, Some(day("2020-12-31")));
    // Unicorns: 3 at the start, g promoted in, a listed, d aged out.
    assert_eq!(moves(f, "unicorn"), [3, 0, 1, 0, 0, 0, 2]);
    assert_eq!(
        exits(f, "unicorn"),
        causes(&[("listed", 1), ("aged_out", 1)])
    );
    // Potential: 7, g promoted out, b acquired, e's valuation too low.
    assert_eq!(moves(f, "potential"), [7, 0, 0, 0, 1, 0, 4]);
    assert_eq!(
        exits(f, "potential"),
        causes(&[("acquired", 1), ("below_threshold", 1)])
    );
    assert_eq!(
        f.exits,
        causes(&[
            ("listed", 1),
            ("acquired", 1),
            ("aged_out", 1),
            ("below_threshold", 1)
        ])
    );
    assert_eq!(f.new, 0);
    assert_eq!(
        f.matrix,
        [
            transition(Some("unicorn"), None, 2),
            transition(Some("potential"), None, 2),
            transition(Some("potential"), Some("unicorn"), 1),
        ]
    );
}

#[test]
fn entries_and_exits_by_cause_in_2022() {
    let r = report();
    let f = flow(&r, "2022-12-31");
    assert_eq!(moves(f, "super_unicorn"), [0, 1, 0, 0, 0, 0, 1]);
    // h falls from unicorn to potential (clause b: nine years, US$500m).
    assert_eq!(moves(f, "unicorn"), [2, 0, 0, 0, 0, 1, 1]);
    assert_eq!(moves(f, "potential"), [4, 0, 0, 1, 0, 0, 4]);
    assert_eq!(exits(f, "potential"), causes(&[("closed", 1)]));
    assert_eq!(
        f.matrix,
        [
            transition(None, Some("super_unicorn"), 1),
            transition(Some("unicorn"), Some("potential"), 1),
            transition(Some("potential"), None, 1),
        ]
    );
}

#[test]
fn a_city_scope_sees_moves_out_as_exits() {
    let r = scoped("4403");
    let scope = r.scope.as_ref().unwrap();
    assert_eq!(
        (scope.code.as_str(), scope.name.as_str()),
        ("440300", "深圳市")
    );
    let totals: Vec<Vec<u64>> = r.snapshots.iter().map(counts).collect();
    // c, f, l; then f leaves for Shanghai; then c closes.
    assert_eq!(totals, [[0, 0, 3], [0, 0, 2], [0, 0, 1]]);
    assert_eq!(
        exits(flow(&r, "2021-12-31"), "potential"),
        causes(&[("moved_out", 1)])
    );
    assert_eq!(
        exits(flow(&r, "2022-12-31"), "potential"),
        causes(&[("closed", 1)])
    );
    assert_eq!(
        snapshot(&r, "2020-12-31").by_city.get("potential"),
        Some(&codes(&[("440300", 3)]))
    );
    // The GBA region holds everything; no other region holds anything.
    let regions: Vec<u64> = snapshot(&r, "2020-12-31")
        .regions
        .iter()
        .map(|x| x.total)
        .collect();
    assert_eq!(regions, [0, 0, 3, 0]);
}

#[test]
fn a_province_scope_moving_in_is_an_entry() {
    // Shanghai: b until acquired; f arrives from Shenzhen in 2021.
    let r = scoped("31");
    let totals: Vec<Vec<u64>> = r.snapshots.iter().map(counts).collect();
    assert_eq!(totals, [[0, 0, 1], [0, 0, 1], [0, 0, 1]]);
    let f = flow(&r, "2021-12-31");
    assert_eq!(moves(f, "potential"), [1, 1, 0, 0, 0, 0, 1]);
    assert_eq!(exits(f, "potential"), causes(&[("acquired", 1)]));

    // Guangdong: d (Guangzhou) ages out and f leaves; Hong Kong is not in it.
    let r = scoped("440000");
    let totals: Vec<Vec<u64>> = r.snapshots.iter().map(counts).collect();
    assert_eq!(totals, [[0, 1, 3], [0, 0, 2], [0, 0, 1]]);
    assert_eq!(
        flow(&r, "2021-12-31").exits,
        causes(&[("moved_out", 1), ("aged_out", 1)])
    );
}

#[test]
fn a_zone_scope_counts_the_enterprises_carrying_it() {
    let r = scoped("sz-hitech");
    let totals: Vec<Vec<u64>> = r.snapshots.iter().map(counts).collect();
    assert_eq!(totals, [[0, 0, 2], [0, 0, 2], [0, 0, 1]]);
    assert_eq!(snapshot(&r, "2020-12-31").zones[0].key, "sz-hitech");
    assert_eq!(snapshot(&r, "2020-12-31").tiers[2].in_zones_share, dec("1"));
}

#[test]
fn the_rule_sets_own_region_makes_moving_away_an_exit() {
    let r = build(
        &story().ledger(),
        &RuleSet::builtin("shenzhen").unwrap(),
        &story_dates(),
        &ReportOptions::default(),
    )
    .unwrap();
    // In yuan: c and f qualify as potential in 2020 (US$200m ≈ ¥1.4bn, US$10m
    // raised); l's amount raised is unknown (a EUR round without a rate).
    let potential = |s: &Snapshot| {
        s.tiers
            .iter()
            .find(|t| t.tier == "potential")
            .unwrap()
            .count
    };
    assert_eq!(potential(snapshot(&r, "2020-12-31")), 2);
    let f = flow(&r, "2021-12-31");
    assert_eq!(exits(f, "potential").moved_out, 1);
}

#[test]
fn regions_on_the_first_and_last_date() {
    let r = report();
    let row = |s: &Snapshot, key: &str| {
        let region = s.regions.iter().find(|x| x.key == key).unwrap();
        (region.counts.values().to_vec(), region.share)
    };
    let s = snapshot(&r, "2020-12-31");
    assert_eq!(row(s, "jing-jin-ji"), (vec![0, 1, 0], dec("0.1")));
    assert_eq!(row(s, "yangtze-delta"), (vec![0, 0, 2], dec("0.2")));
    assert_eq!(row(s, "greater-bay-area"), (vec![0, 1, 3], dec("0.4")));
    assert_eq!(row(s, "chengdu-chongqing"), (vec![0, 1, 1], dec("0.2")));
    let s = snapshot(&r, "2022-12-31");
    assert_eq!(row(s, "jing-jin-ji"), (vec![0, 0, 0], dec("0")));
    assert_eq!(row(s, "yangtze-delta"), (vec![0, 0, 1], dec("0.166667")));
    assert_eq!(row(s, "greater-bay-area"), (vec![1, 0, 1], dec("0.333333")));
    assert_eq!(
        row(s, "chengdu-chongqing"),
        (vec![0, 1, 1], dec("0.333333"))
    );
}

#[test]
fn concentration_over_cities_on_a_hand_computed_case() {
    let r = report_with(&ReportOptions {
        top_cities: 3,
        ..ReportOptions::default()
    });
    let s = snapshot(&r, "2020-12-31");
    // Cities: Shenzhen 3; Beijing, Shanghai, Hangzhou, Guangzhou, Chongqing,
    // Chengdu 1 each; j has no region. N = 9.
    let all = s.concentration.last().unwrap();
    assert_eq!(all.tier, None);
    assert_eq!((all.cities, all.enterprises, all.top5), (7, 9, 7));
    assert_eq!(all.top5_share, dec("0.777778")); // 7/9
    assert_eq!(all.hhi, dec("0.185185")); // (9 + 6·1) / 81
    let unicorn = &s.concentration[1];
    assert_eq!(unicorn.tier.as_deref(), Some("unicorn"));
    assert_eq!(
        (unicorn.cities, unicorn.enterprises, unicorn.top5),
        (3, 3, 3)
    );
    assert_eq!(
        (unicorn.top5_share, unicorn.hhi),
        (dec("1"), dec("0.333333"))
    );
    let potential = &s.concentration[2];
    // 1, 3, 1, 1: HHI = 12/36.
    assert_eq!((potential.cities, potential.enterprises), (4, 6));
    assert_eq!(potential.hhi, dec("0.333333"));
    let top: Vec<(&str, u64, Decimal)> = s
        .top_cities
        .iter()
        .map(|c| (c.code.as_str(), c.total, c.share))
        .collect();
    // Ties in code order.
    assert_eq!(
        top,
        [
            ("440300", 3, dec("0.333333")),
            ("110000", 1, dec("0.111111")),
            ("310000", 1, dec("0.111111")),
        ]
    );
}

#[test]
fn zones_industries_and_tags() {
    let r = report();
    let s = snapshot(&r, "2020-12-31");
    let rows = |rows: &[hatchery_report::KeyRow]| -> Vec<(String, Vec<u64>)> {
        rows.iter()
            .map(|r| (r.key.clone(), r.counts.values().to_vec()))
            .collect()
    };
    assert_eq!(rows(&s.zones), [("sz-hitech".to_owned(), vec![0, 0, 2])]);
    assert_eq!(
        rows(&s.industries),
        [
            ("ai".to_owned(), vec![0, 2, 2]),
            ("ev".to_owned(), vec![0, 1, 2]),
            ("fintech".to_owned(), vec![0, 0, 2]),
            ("chips".to_owned(), vec![0, 0, 1]),
        ]
    );
    assert_eq!(rows(&s.tags), [("gov:list".to_owned(), vec![0, 1, 1])]);
    let s = snapshot(&r, "2022-12-31");
    assert_eq!(
        rows(&s.tags),
        [
            ("future:6g".to_owned(), vec![1, 0, 0]),
            ("gov:list".to_owned(), vec![0, 0, 1]),
        ]
    );
}

#[test]
fn zones_industries_and_tags_are_shown_by_name() {
    let names = |r: &Report| -> Vec<(String, String)> {
        let s = r.snapshots.last().unwrap();
        s.industries
            .iter()
            .chain(&s.tags)
            .map(|k| (k.key.clone(), k.name.clone()))
            .collect()
    };
    let zh = names(&report());
    assert!(zh.contains(&("ai".into(), "人工智能".into())), "{zh:?}");
    assert!(
        zh.contains(&("future:6g".into(), "未来产业：6G".into())),
        "{zh:?}"
    );
    // A key the catalog lacks is shown as itself.
    assert!(zh.contains(&("ev".into(), "ev".into())), "{zh:?}");
    let en = names(&report_with(&ReportOptions {
        lang: Lang::En,
        ..ReportOptions::default()
    }));
    assert!(
        en.contains(&("ai".into(), "Artificial intelligence".into())),
        "{en:?}"
    );
}

#[test]
fn time_to_tier_in_days_and_years() {
    let r = report();
    let tier = |key: &str| r.time_to_tier.iter().find(|t| t.tier == key).unwrap();
    let quartiles = |key: &str| {
        let t = tier(key);
        let (d, y) = (t.days.unwrap(), t.years.unwrap());
        (
            t.enterprises,
            [d.min, d.q1, d.median, d.q3, d.max],
            [y.min, y.q1, y.median, y.q3, y.max],
        )
    };
    // Unicorn or higher, days from founding: i 762 (2020-01-01 → 2022-02-01),
    // g 1280, a 1461, h 2343, d 2771. Quartiles at positions 1, 2, 3.
    assert_eq!(
        quartiles("unicorn"),
        (
            5,
            ["762", "1280", "1461", "2343", "2771"].map(dec),
            ["2.09", "3.50", "4.00", "6.41", "7.59"].map(dec)
        )
    );
    // Potential or higher: j 151, g 306, c 365, f 365, l 425, e 730, i 762,
    // b 1096, a 1461, h 2343, d 2771. Positions 2.5, 5, 7.5.
    assert_eq!(
        quartiles("potential"),
        (
            11,
            ["151", "365", "730", "1278.5", "2771"].map(dec),
            ["0.41", "1.00", "2.00", "3.50", "7.59"].map(dec)
        )
    );
    assert_eq!(quartiles("super_unicorn").0, 1);
    assert_eq!(quartiles("super_unicorn").1, ["762"; 5].map(dec));

    // In Shenzhen: c 365, f 365, l 425; no unicorn.
    let r = scoped("4403");
    let potential = r
        .time_to_tier
        .iter()
        .find(|t| t.tier == "potential")
        .unwrap();
    let d = potential.days.unwrap();
    assert_eq!(
        [d.min, d.q1, d.median, d.q3, d.max],
        ["365", "365", "365", "395", "425"].map(dec)
    );
    let unicorn = r.time_to_tier.iter().find(|t| t.tier == "unicorn").unwrap();
    assert_eq!((unicorn.enterprises, unicorn.days), (0, None));
}

#[test]
fn names_follow_the_language() {
    let en = report_with(&ReportOptions {
        lang: Lang::En,
        ..ReportOptions::default()
    });
    let s = snapshot(&en, "2020-12-31");
    let city = |code: &str| {
        s.cities
            .iter()
            .find(|c| c.code == code)
            .unwrap()
            .name
            .clone()
    };
    assert_eq!(city("440300"), "Shenzhen");
    assert_eq!(city("110000"), "Beijing");
    assert_eq!(en.tiers[1].name, "Unicorn");
    assert_eq!(en.regions[2].name, "Greater Bay Area");
    let zh = report();
    let s = snapshot(&zh, "2020-12-31");
    assert_eq!(
        s.cities.iter().find(|c| c.code == "440300").unwrap().name,
        "深圳市"
    );
    assert_eq!(zh.tiers[1].name, "独角兽");
}

#[test]
fn dates_are_sorted_and_deduplicated_and_required() {
    let ledger = story().ledger();
    let mut dates = story_dates();
    dates.reverse();
    dates.push(dates[0]);
    let r = build(&ledger, &gei(), &dates, &ReportOptions::default()).unwrap();
    assert_eq!(r.dates, story_dates());
    assert_eq!(r, report());
    assert!(matches!(
        build(&ledger, &gei(), &[], &ReportOptions::default()),
        Err(hatchery_report::ReportError::NoDates)
    ));
}

#[test]
fn totals_rows_sum_each_dates_tiers_provinces_and_cities() {
    let r = report();
    let mut text = Vec::new();
    hatchery_report::write_markdown(&r, &mut text).unwrap();
    let md = String::from_utf8(text).unwrap();
    for s in &r.snapshots {
        // Each date's section of the tiers table ends with its totals row.
        let tiers = format!("| **全部层级** | **{}** |", s.total);
        assert!(md.contains(&tiers), "{tiers} in\n{md}");
        let in_provinces: u64 = s.provinces.iter().map(|p| p.total).sum();
        let in_cities: u64 = s.cities.iter().map(|c| c.total).sum();
        let sums = |rows: &[hatchery_report::AreaRow]| -> String {
            (0..r.tiers.len())
                .map(|t| {
                    format!(
                        "**{}**",
                        rows.iter().map(|a| a.counts.values()[t]).sum::<u64>()
                    )
                })
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let provinces = format!(
            "| **合计** | – | {} | **{in_provinces}** | **100.00%** |",
            sums(&s.provinces)
        );
        let cities = format!(
            "| **合计** | – | – | {} | **{in_cities}** | **100.00%** |",
            sums(&s.cities)
        );
        assert!(md.contains(&provinces), "{provinces} in\n{md}");
        assert!(md.contains(&cities), "{cities} in\n{md}");
    }
}
