//! The report as Markdown, for pasting into documents: a heading per table,
//! and for tables over dates a sub-heading per as-of date.

use std::io::{self, Write};

use super::text::{display, is_numeric};
use crate::model::Report;
use crate::tables::{Cell, Table, labels, tables};

/// A cell's text with the characters that would break a table escaped.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

fn write_rows(
    out: &mut impl Write,
    headers: &[String],
    rows: &[&[Cell]],
    total: Option<&[Cell]>,
) -> io::Result<()> {
    writeln!(
        out,
        "| {} |",
        headers
            .iter()
            .map(|h| escape(h))
            .collect::<Vec<_>>()
            .join(" | ")
    )?;
    let align: Vec<&str> = (0..headers.len())
        .map(|column| {
            let numeric = rows
                .iter()
                .any(|row| row.get(column).is_some_and(is_numeric));
            if numeric { "---:" } else { "---" }
        })
        .collect();
    writeln!(out, "| {} |", align.join(" | "))?;
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| escape(&display(c))).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    if let Some(total) = total {
        let cells: Vec<String> = total
            .iter()
            .map(|c| match c {
                Cell::Empty => display(c),
                _ => format!("**{}**", escape(&display(c))),
            })
            .collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}

fn write_table(out: &mut impl Write, table: &Table, empty: &str) -> io::Result<()> {
    writeln!(out, "## {}\n", table.title)?;
    if let Some(note) = table.note {
        writeln!(out, "> {note}\n")?;
    }
    if table.rows.is_empty() {
        return writeln!(out, "{empty}\n");
    }
    if table.dated {
        for (date, rows) in table.by_date() {
            writeln!(out, "### {date}\n")?;
            write_rows(out, &table.headers[1..], &rows, table.total_on(date))?;
            writeln!(out)?;
        }
    } else {
        let rows: Vec<&[Cell]> = table.rows.iter().map(Vec::as_slice).collect();
        write_rows(out, &table.headers, &rows, None)?;
        writeln!(out)?;
    }
    Ok(())
}

/// Writes the report as Markdown.
pub fn write_markdown(report: &Report, out: &mut impl Write) -> io::Result<()> {
    let l = labels(report.lang);
    writeln!(out, "# {}\n", l.report_title)?;
    writeln!(
        out,
        "- {}: {} ({}@{})",
        l.rule_set, report.rule_set.title, report.rule_set.key, report.rule_set.version
    )?;
    let scope = report.scope.as_ref().map_or_else(
        || l.nationwide.to_owned(),
        |s| format!("{} ({})", s.name, s.code),
    );
    writeln!(out, "- {}: {scope}", l.scope)?;
    let dates: Vec<String> = report.dates.iter().map(ToString::to_string).collect();
    writeln!(out, "- {}: {}\n", l.as_of_dates, dates.join(", "))?;
    writeln!(out, "## {}\n", l.highlights)?;
    for highlight in &report.highlights {
        writeln!(out, "- {}", highlight.text)?;
    }
    writeln!(out)?;
    for table in tables(report) {
        write_table(out, &table, l.no_rows)?;
    }
    Ok(())
}
