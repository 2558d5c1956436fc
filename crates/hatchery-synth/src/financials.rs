//! Yearly figures for the enterprises that report them.

use hatchery_core::{Amount, Currency, EnterpriseId, Financials};
use rust_decimal::Decimal;

use crate::sample::Draw;

/// What the figures of one enterprise are drawn from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reporter<'a> {
    pub(crate) id: &'a EnterpriseId,
    /// Yuan for Chinese enterprises, dollars for the others.
    pub(crate) currency: Currency,
    /// Units of `currency` per dollar, roughly.
    pub(crate) rate: f64,
    /// The enterprise's largest valuation, in dollars.
    pub(crate) scale_usd: f64,
    /// The years it existed and reported in.
    pub(crate) years: (i16, i16),
}

/// The last five years' figures of a quarter of the funded enterprises.
pub(crate) fn financials(draw: &mut Draw, reporter: &Reporter<'_>) -> Vec<Financials> {
    let (first, last) = reporter.years;
    if reporter.scale_usd <= 0.0 || first > last || !draw.chance(0.25) {
        return Vec::new();
    }
    // Price-to-sales of a growth company: valuations are about a dozen years of revenue.
    let mut revenue_usd = reporter.scale_usd * draw.log_normal(0.08f64.ln(), 0.8);
    let mut rows = Vec::new();
    for year in first.max(last - 4)..=last {
        let revenue = revenue_usd * reporter.rate;
        let rd_share = 0.05 + 0.3 * draw.unit();
        let employees = (revenue_usd / 80_000.0 * draw.log_normal(0.0, 0.3)).max(3.0);
        rows.push(Financials {
            enterprise: reporter.id.clone(),
            year,
            currency: reporter.currency,
            revenue: draw.chance(0.9).then(|| figure(draw, revenue)).flatten(),
            rd_expense: draw
                .chance(0.8)
                .then(|| figure(draw, revenue * rd_share))
                .flatten(),
            employees: draw.chance(0.85).then_some(employees.round() as u64),
        });
        revenue_usd *= draw.log_normal(0.25f64.ln_1p(), 0.3);
    }
    rows
}

/// A reported figure: whole units, or to the cent as audited statements are.
fn figure(draw: &mut Draw, value: f64) -> Option<Amount> {
    if !(0.0..=1.0e15).contains(&value) {
        return None;
    }
    let decimal = if draw.chance(0.5) {
        Decimal::new((value * 100.0).round() as i64, 2)
    } else {
        Decimal::from(value.round() as i64)
    };
    Amount::from_decimal(decimal).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_cover_the_last_five_reported_years() {
        let id = EnterpriseId::parse("x").unwrap();
        let reporter = Reporter {
            id: &id,
            currency: Currency::CNY,
            rate: 7.0,
            scale_usd: 2.0e8,
            years: (2012, 2020),
        };
        let mut draw = Draw::new(&Draw::base(4), 0);
        let mut reported = 0;
        for _ in 0..400 {
            let rows = financials(&mut draw, &reporter);
            if !rows.is_empty() {
                reported += 1;
                let years: Vec<i16> = rows.iter().map(|r| r.year).collect();
                assert_eq!(years, vec![2016, 2017, 2018, 2019, 2020]);
            }
        }
        assert!((60..140).contains(&reported), "{reported}");
        let none = Reporter {
            years: (2021, 2020),
            ..reporter
        };
        assert!(financials(&mut draw, &none).is_empty());
    }
}
