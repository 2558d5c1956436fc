//! A scoped report's standing among its peers nationally, and the
//! highlights as a table.

use super::{Cell, Labels, Table};
use crate::model::Report;

/// The scope's national rank and share per date; `None` for a national report.
pub(super) fn table(report: &Report, l: &Labels) -> Option<Table> {
    let context = report.context.as_ref()?;
    let rows = context
        .iter()
        .map(|c| {
            let [change, ratio] = Cell::change(c.change.as_ref());
            vec![
                Cell::Date(c.date),
                Cell::Int(c.total),
                Cell::rank(c.rank),
                Cell::Int(c.of),
                Cell::rank(c.previous_rank),
                c.rank_change.map_or(Cell::Empty, Cell::Signed),
                change,
                ratio,
                Cell::Int(c.national),
                Cell::Share(c.share),
            ]
        })
        .collect();
    Some(Table {
        key: "context",
        title: l.t_context.to_owned(),
        note: Some(l.n_context),
        headers: [
            l.date,
            l.total,
            l.national_rank,
            l.ranked_of,
            l.previous_rank,
            l.rank_change,
            l.change,
            l.change_ratio,
            l.national,
            l.share_national,
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
        dated: false,
        totals: Vec::new(),
    })
}

/// The headline sentences, one row each, for CSV (HTML, Markdown and the
/// workbook's first sheet show them as text).
pub(crate) fn highlights(report: &Report, l: &Labels) -> Table {
    Table {
        key: "highlights",
        title: l.t_highlights.to_owned(),
        note: None,
        headers: vec![l.topic.to_owned(), l.t_highlights.to_owned()],
        rows: report
            .highlights
            .iter()
            .map(|h| vec![Cell::text(&h.topic), Cell::text(&h.text)])
            .collect(),
        dated: false,
        totals: Vec::new(),
    }
}
