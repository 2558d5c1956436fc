//! The report's headline sentences ("要点"), written from its own figures
//! in its language: the kind a press release quotes.

use jiff::ToSpan;
use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::model::{Highlight, Report, Snapshot};
use crate::options::Lang;
use crate::tables::labels;

/// How many cities the geography sentence names.
const CITIES: usize = 3;

/// The tier the headline counts: `unicorn` when the rule set has it (its
/// count includes every higher tier), else the highest.
fn headline_tier(report: &Report) -> usize {
    report
        .tiers
        .iter()
        .position(|t| t.key == "unicorn")
        .unwrap_or(0)
}

/// A date as the report's language writes it in prose.
fn prose_date(date: Date, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月{}日", date.year(), date.month(), date.day()),
        Lang::En => date.to_string(),
    }
}

/// What a change is measured against: the previous date.
fn against(previous: Date, now: Date, lang: Lang) -> String {
    let a_year_before = now.checked_sub(1.year()).is_ok_and(|d| d == previous);
    match (lang, a_year_before) {
        (Lang::Zh, true) => "较上年".to_owned(),
        (Lang::Zh, false) => format!("较{}", prose_date(previous, lang)),
        (Lang::En, true) => "on a year earlier".to_owned(),
        (Lang::En, false) => format!("on {}", prose_date(previous, lang)),
    }
}

/// `now - before` as a percentage of `before`, one decimal, half away from
/// zero; `None` when `before` is 0.
pub(crate) fn percent_change(now: u64, before: u64) -> Option<Decimal> {
    if before == 0 {
        return None;
    }
    let change = Decimal::from(now) - Decimal::from(before);
    Some(
        (change * Decimal::ONE_HUNDRED / Decimal::from(before))
            .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero),
    )
}

/// The change from `before` to `now` in words: `增加 3 家（+33.3%）`, `down 2 (−10.0%)`.
fn change(now: u64, before: u64, lang: Lang) -> String {
    let percent = percent_change(now, before).map(|p| {
        let sign = if p.is_sign_negative() { "−" } else { "+" };
        format!("{sign}{:.1}%", p.abs())
    });
    let by = now.abs_diff(before);
    match lang {
        Lang::Zh => {
            let percent = percent.map(|p| format!("（{p}）")).unwrap_or_default();
            match now.cmp(&before) {
                std::cmp::Ordering::Greater => format!("增加 {by} 家{percent}"),
                std::cmp::Ordering::Less => format!("减少 {by} 家{percent}"),
                std::cmp::Ordering::Equal => "持平".to_owned(),
            }
        }
        Lang::En => {
            let percent = percent.map(|p| format!(" ({p})")).unwrap_or_default();
            match now.cmp(&before) {
                std::cmp::Ordering::Greater => format!("up {by}{percent}"),
                std::cmp::Ordering::Less => format!("down {by}{percent}"),
                std::cmp::Ordering::Equal => "unchanged".to_owned(),
            }
        }
    }
}

/// Enterprises holding tier `at` or a higher one.
fn at_or_above(snapshot: &Snapshot, at: usize) -> u64 {
    snapshot.tiers.iter().take(at + 1).map(|t| t.count).sum()
}

/// The headline sentences of `report`, in its language.
pub(crate) fn highlights(report: &Report) -> Vec<Highlight> {
    let lang = report.lang;
    let l = labels(lang);
    let Some(now) = report.snapshots.last() else {
        return Vec::new();
    };
    let before = report
        .snapshots
        .len()
        .checked_sub(2)
        .map(|at| &report.snapshots[at]);
    let date = prose_date(now.date, lang);
    let place = report
        .scope
        .as_ref()
        .map_or(l.nationwide, |s| s.name.as_str());
    let h = headline_tier(report);
    let name = |at: usize| report.tiers[at].name.as_str();
    let mut out = Vec::new();

    // The headline: the tier with every higher one, and its change.
    let count = at_or_above(now, h);
    let within: Vec<String> = (0..h)
        .map(|at| match lang {
            Lang::Zh => format!("含{} {} 家", name(at), now.tiers[at].count),
            Lang::En => format!("including {} {}", name(at), now.tiers[at].count),
        })
        .collect();
    let compared = before.map(|b| {
        (
            against(b.date, now.date, lang),
            change(count, at_or_above(b, h), lang),
        )
    });
    let text = match lang {
        Lang::Zh => {
            let within = if within.is_empty() {
                String::new()
            } else {
                format!("（{}）", within.join("、"))
            };
            let compared = compared
                .map(|(against, change)| format!("，{against}{change}"))
                .unwrap_or_default();
            format!(
                "截至{date}，{place}共有{} {count} 家{within}{compared}。",
                name(h)
            )
        }
        Lang::En => {
            let within = if within.is_empty() {
                String::new()
            } else {
                format!(" ({})", within.join(", "))
            };
            let compared = compared
                .map(|(against, change)| format!(", {change} {against}"))
                .unwrap_or_default();
            format!(
                "{place}, as of {date}: {} {count}{within}{compared}.",
                name(h)
            )
        }
    };
    out.push(Highlight {
        topic: "headline".to_owned(),
        text,
    });

    // What the headline tiers are worth.
    let tiers = &now.tiers[..=h];
    let valuation = l.money(tiers.iter().map(|t| t.valuation_usd).sum());
    let valuation = valuation.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let unknown: u64 = tiers.iter().map(|t| t.valuation_unknown).sum();
    let higher: Vec<&str> = (0..h).map(name).collect();
    let text = match lang {
        Lang::Zh => {
            let unknown = if unknown > 0 {
                format!("（另有 {unknown} 家估值未知，未计入）")
            } else {
                String::new()
            };
            let higher = if higher.is_empty() {
                String::new()
            } else {
                format!("（含{}）", higher.join("、"))
            };
            format!(
                "{}{higher}估值合计 {valuation:.2} 亿美元{unknown}。",
                name(h)
            )
        }
        Lang::En => {
            let unknown = if unknown > 0 {
                format!(" ({unknown} more of unknown valuation, not included)")
            } else {
                String::new()
            };
            let higher = if higher.is_empty() {
                String::new()
            } else {
                format!(" (including {})", higher.join(", "))
            };
            format!(
                "{}{higher}: valuation in total US$ {valuation:.2} bn{unknown}.",
                name(h)
            )
        }
    };
    out.push(Highlight {
        topic: "valuation".to_owned(),
        text,
    });

    // Each lower tier.
    for at in h + 1..report.tiers.len() {
        let n = now.tiers[at].count;
        let compared = before.map(|b| {
            (
                against(b.date, now.date, lang),
                change(n, b.tiers[at].count, lang),
            )
        });
        let text = match lang {
            Lang::Zh => {
                let compared = compared
                    .map(|(against, change)| format!("，{against}{change}"))
                    .unwrap_or_default();
                format!("{} {n} 家{compared}。", name(at))
            }
            Lang::En => {
                let compared = compared
                    .map(|(against, change)| format!(", {change} {against}"))
                    .unwrap_or_default();
                format!("{} {n}{compared}.", name(at))
            }
        };
        out.push(Highlight {
            topic: format!("tier:{}", report.tiers[at].key),
            text,
        });
    }

    // Entries and exits since the previous date.
    if let (Some(before), Some(flow)) = (before, report.flows.last()) {
        let promoted: u64 = flow.tiers.iter().map(|t| t.promoted_in).sum();
        let (new, exits, listed) = (flow.new, flow.exits.total(), flow.exits.listed);
        let from = prose_date(before.date, lang);
        let text = match lang {
            Lang::Zh => format!(
                "{from}至{date}，新进入 {new} 家，升级 {promoted} 家，退出 {exits} 家（其中上市 {listed} 家）。"
            ),
            Lang::En => format!(
                "From {from} to {date}: {new} new, {promoted} promoted, {exits} exits ({listed} of them listed)."
            ),
        };
        out.push(Highlight {
            topic: "flows".to_owned(),
            text,
        });
    }

    // Where they are.
    if now.top_cities.len() >= 2 {
        let cities: Vec<String> = now
            .top_cities
            .iter()
            .take(CITIES)
            .map(|c| match lang {
                Lang::Zh => format!("{} {} 家", c.name, c.total),
                Lang::En => format!("{} {}", c.name, c.total),
            })
            .collect();
        let text = match lang {
            Lang::Zh => format!("企业数居前的城市：{}。", cities.join("、")),
            Lang::En => format!("Leading cities: {}.", cities.join(", ")),
        };
        out.push(Highlight {
            topic: "cities".to_owned(),
            text,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_words_and_signed_percentages() {
        assert_eq!(change(12, 9, Lang::Zh), "增加 3 家（+33.3%）");
        assert_eq!(change(9, 10, Lang::En), "down 1 (−10.0%)");
        assert_eq!(change(3, 0, Lang::Zh), "增加 3 家");
        assert_eq!(change(4, 4, Lang::En), "unchanged");
        assert_eq!(percent_change(2, 3), Some(Decimal::new(-333, 1)));
    }

    #[test]
    fn a_year_earlier_is_said_so() {
        let now = jiff::civil::date(2023, 12, 31);
        assert_eq!(
            against(jiff::civil::date(2022, 12, 31), now, Lang::Zh),
            "较上年"
        );
        assert_eq!(
            against(jiff::civil::date(2021, 12, 31), now, Lang::Zh),
            "较2021年12月31日"
        );
    }
}
