//! Rows of `enterprises.csv`.

use std::collections::HashMap;

use hatchery_core::date::PartialDate;
use hatchery_core::workflow::{ZoneMatch, ZoneResolver};
use hatchery_core::{Country, DivisionCode, Enterprise, EnterpriseId, Uscc};

use super::outcome::UnresolvedZone;
use super::references::References;
use super::row::RowReader;
use crate::problem::clip;
use crate::rules;

/// The enterprises read so far, with what makes them unique.
#[derive(Debug, Default)]
pub(crate) struct Enterprises {
    pub rows: Vec<Enterprise>,
    pub lines: Vec<u64>,
    usccs: HashMap<Uscc, u64>,
    /// `zone` cells that name no known zone, kept as they are.
    pub unresolved_zones: Vec<UnresolvedZone>,
}

impl Enterprises {
    /// Reads one row; its id counts as defined even when another cell is
    /// wrong, so that events for it are not reported as unknown as well.
    pub(crate) fn read(&mut self, mut row: RowReader<'_>, refs: &mut References) {
        let line = row.line();
        let id = row.required("id", EnterpriseId::parse);
        if let Some(id) = &id
            && let Some(first) = refs.define(id, line)
        {
            row.problem(
                "id",
                format!(
                    "duplicate id '{}' (first on line {first})",
                    clip(id.as_str())
                ),
            );
        }
        let name = row.required("name", |text| match rules::name_problem(text) {
            Some(problem) => Err(problem),
            None => Ok(text.to_owned()),
        });
        let name_en = row.optional_text("name_en");
        let uscc = row.optional("uscc", Uscc::parse);
        if let Some(uscc) = &uscc {
            if let Some(first) = self.usccs.get(uscc) {
                row.problem(
                    "uscc",
                    format!("duplicate credit code '{uscc}' (first on line {first})"),
                );
            } else {
                self.usccs.insert(uscc.clone(), line);
            }
        }
        let founded = row.required("founded", PartialDate::parse);
        let country = row.optional("country", Country::parse);
        let region = row.optional("region", DivisionCode::parse);
        let city = row.optional_text("city");
        let zone = row
            .optional_text("zone")
            .map(|text| self.resolve_zone(&row, text));
        let industries = row.list("industries");
        let tags = row.list("tags");
        let extra = row.extra();
        let (Some(id), Some(name), Some(founded)) = (id, name, founded) else {
            return;
        };
        if row.failed() {
            return;
        }
        self.rows.push(Enterprise {
            id,
            name,
            name_en,
            uscc,
            founded,
            country: country.unwrap_or_default(),
            region,
            city,
            zone,
            industries,
            tags,
            extra,
        });
        self.lines.push(line);
    }

    /// The one id of the zone a `zone` cell names (an id, an official name
    /// or an alias); a text no zone answers to is kept as it is, since the
    /// format allows any identifier, and listed for the import summary.
    fn resolve_zone(&mut self, row: &RowReader<'_>, text: String) -> String {
        let resolver = ZoneResolver::shipped();
        let why = match resolver.lookup(&text) {
            ZoneMatch::Known(entry) => return entry.id.as_str().to_owned(),
            ZoneMatch::Ambiguous(zones) => format!(
                "names several zones: {}",
                resolver
                    .at(zones)
                    .iter()
                    .map(|e| format!("{} ({})", e.id, e.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ZoneMatch::Unknown => format!("nearest: {}", resolver.nearest_text(&text, 3)),
        };
        self.unresolved_zones.push(UnresolvedZone {
            file: row.file().to_owned(),
            line: row.line(),
            value: text.clone(),
            why,
        });
        text
    }
}
