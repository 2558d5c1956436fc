//! The three rule sets, transcribed by hand: `gei` and `gei-2024` from the
//! spec's tables, `shenzhen` from `rulesets/shenzhen.toml`.

use num_rational::BigRational;

use super::{Facts, Valuation, units};

/// The rule sets the reference knows.
pub const NAMES: [&str; 3] = ["gei", "gei-2024", "shenzhen"];

/// The tier `rule_set` gives, by key, or `None`.
pub fn tier(rule_set: &str, facts: &Facts) -> Option<&'static str> {
    match rule_set {
        "gei" => gei(facts, false),
        "gei-2024" => gei(facts, true),
        "shenzhen" => shenzhen(facts),
        other => panic!("the reference does not know rule set {other}"),
    }
}

/// Valuation in dollars ≥ `threshold`; an unknown valuation fails.
fn valued_usd(facts: &Facts, threshold: i64) -> bool {
    matches!(&facts.valuation, Valuation::Known { usd, .. } if *usd >= units(threshold))
}

/// Valuation in yuan (at its own date) ≥ `threshold`.
fn valued_cny(facts: &Facts, threshold: i64) -> bool {
    matches!(&facts.valuation, Valuation::Known { cny: Some(cny), .. } if *cny >= units(threshold))
}

fn at_least(value: &Option<BigRational>, threshold: i64) -> bool {
    value.as_ref().is_some_and(|v| *v >= units(threshold))
}

/// Exists, Chinese, funded, not listed (NEEQ does not count), not gone.
fn eligible(f: &Facts) -> bool {
    f.exists && f.country == "CN" && f.funded && !f.listed && !f.gone
}

fn gei(f: &Facts, floors: bool) -> Option<&'static str> {
    if !eligible(f) {
        return None;
    }
    let raised = |threshold| !floors || at_least(&f.raised_usd, threshold);
    if f.age_within(10) && valued_usd(f, 10_000_000_000) && raised(50_000_000) {
        return Some("super_unicorn");
    }
    if f.age_within(10) && valued_usd(f, 1_000_000_000) && raised(50_000_000) {
        return Some("unicorn");
    }
    let a = f.age_within(5) && valued_usd(f, 100_000_000) && raised(5_000_000);
    let b = f.age_within(9) && valued_usd(f, 500_000_000) && raised(25_000_000);
    if a || b {
        return Some("potential");
    }
    None
}

fn shenzhen(f: &Facts) -> Option<&'static str> {
    let in_shenzhen = f.region.as_deref().is_some_and(|r| r.starts_with("4403"));
    if !eligible(f) || !in_shenzhen {
        return None;
    }
    let raised = |threshold| at_least(&f.raised_cny, threshold);
    if f.age_within(10) && valued_cny(f, 70_000_000_000) && raised(350_000_000) {
        return Some("super_unicorn");
    }
    if f.age_within(10) && valued_cny(f, 7_000_000_000) && raised(350_000_000) {
        return Some("unicorn");
    }
    let a = f.age_within(5) && valued_cny(f, 700_000_000) && raised(35_000_000);
    let b = f.age_within(9) && valued_cny(f, 3_500_000_000) && raised(175_000_000);
    if a || b {
        return Some("potential");
    }
    if f.age_within(5) && valued_cny(f, 300_000_000) && raised(10_000_000) {
        return Some("seed");
    }
    None
}

/// Whether the valuation in force is exactly one of the rule sets' thresholds.
pub fn valuation_on_a_threshold(facts: &Facts) -> bool {
    let Valuation::Known { usd, cny, .. } = &facts.valuation else {
        return false;
    };
    let usd_hit = [100_000_000i64, 500_000_000, 1_000_000_000, 10_000_000_000]
        .iter()
        .any(|&t| *usd == units(t));
    let cny_hit = cny.as_ref().is_some_and(|cny| {
        [
            300_000_000i64,
            700_000_000,
            3_500_000_000,
            7_000_000_000,
            70_000_000_000,
        ]
        .iter()
        .any(|&t| *cny == units(t))
    });
    usd_hit || cny_hit
}

/// Whether the money raised is exactly one of the rule sets' floors.
pub fn raised_on_a_floor(facts: &Facts) -> bool {
    let usd_hit = facts.raised_usd.as_ref().is_some_and(|usd| {
        [5_000_000i64, 25_000_000, 50_000_000]
            .iter()
            .any(|&t| *usd == units(t))
    });
    let cny_hit = facts.raised_cny.as_ref().is_some_and(|cny| {
        [10_000_000i64, 35_000_000, 175_000_000, 350_000_000]
            .iter()
            .any(|&t| *cny == units(t))
    });
    usd_hit || cny_hit
}
