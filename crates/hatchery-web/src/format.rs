//! Numbers, money and dates as each language writes them: 亿元 and 万元 in
//! Chinese, US$ bn in English; `2024年12月31日` and `2024-12-31`. Money is
//! a decimal throughout, never a float.

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::i18n::Lang;

/// A day as the language writes it.
pub fn date(day: Date, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月{}日", day.year(), day.month(), day.day()),
        Lang::En => day.strftime("%Y-%m-%d").to_string(),
    }
}

/// An instant as a day and time in China (UTC+8), as the language writes it.
pub fn instant(at: Timestamp, lang: Lang) -> String {
    let local = at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    format!("{} {}", date(local.date(), lang), local.strftime("%H:%M"))
}

/// A length of time as the language writes it, to the minute: `2天3小时20分`,
/// `2 d 3 h 20 min`; under a minute, `不足1分钟` / `< 1 min`.
pub fn duration(length: jiff::SignedDuration, lang: Lang) -> String {
    let minutes = length.as_secs().max(0) / 60;
    if minutes == 0 {
        return match lang {
            Lang::Zh if length.is_zero() => "0分".to_owned(),
            Lang::En if length.is_zero() => "0 min".to_owned(),
            Lang::Zh => "不足1分钟".to_owned(),
            Lang::En => "< 1 min".to_owned(),
        };
    }
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let units: [(i64, &str, &str); 3] = [
        (days, "天", "d"),
        (hours, "小时", "h"),
        (minutes, "分", "min"),
    ];
    let parts: Vec<String> = units
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, zh, en)| match lang {
            Lang::Zh => format!("{n}{zh}"),
            Lang::En => format!("{n} {en}"),
        })
        .collect();
    match lang {
        Lang::Zh => parts.concat(),
        Lang::En => parts.join(" "),
    }
}

/// A time limit of a clock set as the language writes it: `2小时`,
/// `3个工作日`; `2 h`, `3 working days`.
pub fn limit(limit: hatchery_core::services::Limit, lang: Lang) -> String {
    use hatchery_core::services::Limit;
    let n = limit.count();
    match (limit, lang) {
        (Limit::Minutes(_), Lang::Zh) => format!("{n}分钟"),
        (Limit::Hours(_), Lang::Zh) => format!("{n}小时"),
        (Limit::Days(_), Lang::Zh) => format!("{n}天"),
        (Limit::WorkingDays(_), Lang::Zh) => format!("{n}个工作日"),
        (Limit::Minutes(_), Lang::En) => format!("{n} min"),
        (Limit::Hours(_), Lang::En) => format!("{n} h"),
        (Limit::Days(_), Lang::En) if n == 1 => "1 day".to_owned(),
        (Limit::Days(_), Lang::En) => format!("{n} days"),
        (Limit::WorkingDays(_), Lang::En) if n == 1 => "1 working day".to_owned(),
        (Limit::WorkingDays(_), Lang::En) => format!("{n} working days"),
    }
}

/// A share as `71.4% (5/7)`, or a dash when there is nothing to divide by.
pub fn rate(numerator: u32, denominator: u32, percent: Option<Decimal>) -> String {
    match percent {
        Some(p) if denominator > 0 => format!("{p}% ({numerator}/{denominator})"),
        _ => "—".to_owned(),
    }
}

/// A count with thousands separated: `1,234,567`.
pub fn count(n: u64) -> String {
    group(&n.to_string())
}

fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A decimal rounded to `places`, trailing zeros dropped, the integer part grouped.
fn plain(value: Decimal, places: u32) -> String {
    let text = value.round_dp(places).normalize().to_string();
    let (sign, text) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    match text.split_once('.') {
        Some((whole, fraction)) => format!("{sign}{}.{fraction}", group(whole)),
        None => format!("{sign}{}", group(text)),
    }
}

/// An amount of money in `currency` (an ISO 4217 code) as the language
/// writes it. Chinese counts in 亿 (10⁸) and 万 (10⁴): `12.5亿元`,
/// `3,000万美元`; English in billions and millions: `US$1.2 bn`,
/// `CN¥850 m`.
pub fn money(amount: Decimal, currency: &str, lang: Lang) -> String {
    let yi = Decimal::from(100_000_000u64);
    let wan = Decimal::from(10_000u64);
    let billion = Decimal::from(1_000_000_000u64);
    let million = Decimal::from(1_000_000u64);
    let size = amount.abs();
    match lang {
        Lang::Zh => {
            let unit = match currency {
                "CNY" => "元".to_owned(),
                "USD" => "美元".to_owned(),
                "HKD" => "港元".to_owned(),
                "EUR" => "欧元".to_owned(),
                other => format!(" {other}"),
            };
            if size >= yi {
                format!("{}亿{unit}", plain(amount / yi, 2))
            } else if size >= wan {
                format!("{}万{unit}", plain(amount / wan, 2))
            } else {
                format!("{}{unit}", plain(amount, 2))
            }
        }
        Lang::En => {
            let prefix = match currency {
                "USD" => "US$".to_owned(),
                "CNY" => "CN¥".to_owned(),
                "HKD" => "HK$".to_owned(),
                "EUR" => "€".to_owned(),
                other => format!("{other} "),
            };
            if size >= billion {
                format!("{prefix}{} bn", plain(amount / billion, 2))
            } else if size >= million {
                format!("{prefix}{} m", plain(amount / million, 2))
            } else {
                format!("{prefix}{}", plain(amount, 2))
            }
        }
    }
}

/// Money written as the ledger keeps it (a decimal string), or the text as
/// it is when it is not a decimal.
pub fn money_text(amount: &str, currency: Option<&str>, lang: Lang) -> String {
    match amount.parse::<Decimal>() {
        Ok(value) => money(value, currency.unwrap_or("CNY"), lang),
        Err(_) => amount.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date as day;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn dates_per_language() {
        assert_eq!(date(day(2024, 12, 31), Lang::Zh), "2024年12月31日");
        assert_eq!(date(day(2024, 12, 31), Lang::En), "2024-12-31");
        assert_eq!(date(day(2025, 3, 3), Lang::Zh), "2025年3月3日");
        assert_eq!(date(day(2025, 3, 3), Lang::En), "2025-03-03");
    }

    #[test]
    fn instants_are_shown_in_china() {
        let at: Timestamp = "2024-12-31T17:30:00Z".parse().unwrap();
        assert_eq!(instant(at, Lang::Zh), "2025年1月1日 01:30");
        assert_eq!(instant(at, Lang::En), "2025-01-01 01:30");
    }

    #[test]
    fn yuan_in_yi_and_wan() {
        assert_eq!(money(d("1250000000"), "CNY", Lang::Zh), "12.5亿元");
        assert_eq!(money(d("7082700000"), "CNY", Lang::Zh), "70.83亿元");
        assert_eq!(money(d("30000000"), "CNY", Lang::Zh), "3,000万元");
        assert_eq!(money(d("5000"), "CNY", Lang::Zh), "5,000元");
        assert_eq!(money(d("100000000"), "USD", Lang::Zh), "1亿美元");
        assert_eq!(money(d("123456789012"), "CNY", Lang::Zh), "1,234.57亿元");
    }

    #[test]
    fn dollars_in_billions() {
        assert_eq!(money(d("1000000000"), "USD", Lang::En), "US$1 bn");
        assert_eq!(money(d("1200000000"), "USD", Lang::En), "US$1.2 bn");
        assert_eq!(money(d("600000000"), "USD", Lang::En), "US$600 m");
        assert_eq!(money(d("7082700000"), "CNY", Lang::En), "CN¥7.08 bn");
        assert_eq!(money(d("12345.678"), "USD", Lang::En), "US$12,345.68");
    }

    #[test]
    fn exact_decimals_are_not_rounded_through_floats() {
        // 0.1 + 0.2 in binary floating point is not 0.3; in decimal it is.
        let sum = d("10000000.1") + d("20000000.2");
        assert_eq!(money(sum, "CNY", Lang::Zh), "3,000万元");
        assert_eq!(money(d("-25000000"), "CNY", Lang::Zh), "-2,500万元");
    }

    #[test]
    fn money_text_keeps_what_is_not_a_number() {
        assert_eq!(money_text("60000000", Some("USD"), Lang::En), "US$60 m");
        assert_eq!(money_text("n/a", Some("USD"), Lang::En), "n/a");
    }

    #[test]
    fn durations_per_language() {
        use jiff::SignedDuration;
        let d = SignedDuration::from_mins(3 * 60 + 20);
        assert_eq!(duration(d, Lang::Zh), "3小时20分");
        assert_eq!(duration(d, Lang::En), "3 h 20 min");
        let d = SignedDuration::from_mins(2 * 1440 + 5);
        assert_eq!(duration(d, Lang::Zh), "2天5分");
        assert_eq!(duration(d, Lang::En), "2 d 5 min");
        assert_eq!(duration(SignedDuration::ZERO, Lang::En), "0 min");
        assert_eq!(
            duration(SignedDuration::from_secs(20), Lang::Zh),
            "不足1分钟"
        );
    }

    #[test]
    fn limits_and_rates() {
        use hatchery_core::services::Limit;
        assert_eq!(limit(Limit::WorkingDays(3), Lang::Zh), "3个工作日");
        assert_eq!(limit(Limit::WorkingDays(1), Lang::En), "1 working day");
        assert_eq!(limit(Limit::Hours(2), Lang::En), "2 h");
        assert_eq!(rate(5, 7, Some(d("71.4"))), "71.4% (5/7)");
        assert_eq!(rate(0, 0, None), "—");
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }
}
