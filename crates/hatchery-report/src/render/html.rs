//! The report as one HTML file that opens offline: the tables, and charts
//! drawn by the Apache ECharts library written into the page itself (no CDN:
//! these systems run on intranets).

use std::io::{self, Write};

use super::charts::{Chart, charts};
use super::text::{display, is_numeric};
use crate::model::Report;
use crate::tables::{Cell, Labels, Table, labels, tables};

/// Apache ECharts 6.1.0 (`dist/echarts.min.js` of the npm package `echarts`),
/// Apache-2.0; see `assets/echarts.LICENSE` and `assets/echarts.NOTICE`.
const ECHARTS: &str = include_str!("../../assets/echarts.min.js");

const STYLE: &str = r#"
:root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --head: #f0f4f8; --accent: #c1121f; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 14px/1.6 "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif; }
header { padding: 28px 40px 18px; border-bottom: 4px solid var(--accent); background: #fbfcfd; }
h1 { margin: 0 0 10px; font-size: 26px; }
header dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; color: var(--muted); }
header dt { font-weight: 600; }
header dd { margin: 0; }
nav { padding: 10px 40px; border-bottom: 1px solid var(--line); font-size: 13px; }
nav a { margin-right: 14px; color: var(--muted); text-decoration: none; white-space: nowrap; }
nav a:hover { color: var(--accent); }
main { padding: 8px 40px 40px; max-width: 1400px; }
h2 { margin: 32px 0 6px; font-size: 20px; border-left: 4px solid var(--accent); padding-left: 10px; }
h3 { margin: 18px 0 6px; font-size: 15px; color: var(--muted); }
p.note { margin: 0 0 10px; color: var(--muted); font-size: 13px; max-width: 1000px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 20px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
.chart { width: 100%; height: 360px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; margin-bottom: 6px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; white-space: nowrap; }
th { background: var(--head); font-weight: 600; position: sticky; top: 0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) td { background: #fafbfc; }
tfoot td { font-weight: 600; background: var(--head); border-top: 2px solid var(--muted); }
ul.highlights { margin: 6px 0 0; padding-left: 20px; font-size: 15px; max-width: 1000px; }
ul.highlights li { margin: 4px 0; }
details { margin: 8px 0; }
summary { cursor: pointer; color: var(--muted); }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 11px; }
  header { padding: 0 0 8px; background: none; }
  h1 { font-size: 20px; }
  nav, details > summary { display: none; }
  main { padding: 0; max-width: none; }
  h2, h3 { break-after: avoid; }
  h2 { margin-top: 18px; }
  .charts { display: block; }
  figure { break-inside: avoid; margin: 0 0 12px; }
  figcaption { break-after: avoid; }
  .scroll { overflow: visible; }
  table { width: 100%; font-size: 10px; }
  th, td { white-space: normal; padding: 2px 4px; }
  td.d { white-space: nowrap; }
  th { position: static; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
}
"#;

const INIT: &str = r#"
(function () {
  var drawn = [];
  if (typeof echarts !== "undefined") {
    var charts = JSON.parse(document.getElementById("chart-data").textContent);
    charts.forEach(function (c) {
      var el = document.getElementById(c.id);
      if (!el) { return; }
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(c.option);
      drawn.push(chart);
    });
  }
  function resize() { drawn.forEach(function (c) { c.resize(); }); }
  window.addEventListener("resize", resize);
  // Printing: every earlier date's tables open, charts redrawn to the page.
  var opened = [];
  function beforePrint() {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.open = true; opened.push(d);
    });
    resize();
  }
  function afterPrint() {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
    resize();
  }
  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    var follow = function (m) { if (m.matches) { beforePrint(); } else { afterPrint(); } };
    if (print.addEventListener) { print.addEventListener("change", follow); }
  }
})();
"#;

/// Text with HTML's special characters escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON that is safe inside a `<script>` element.
fn script_json(text: &str) -> String {
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// A numeric cell is aligned right; a date never wraps.
fn cell_class(cell: &Cell) -> &'static str {
    match cell {
        Cell::Date(_) => " class=\"d\"",
        c if is_numeric(c) => " class=\"n\"",
        _ => "",
    }
}

fn write_rows(
    out: &mut impl Write,
    headers: &[String],
    rows: &[&[Cell]],
    total: Option<&[Cell]>,
) -> io::Result<()> {
    write!(out, "<div class=\"scroll\"><table><thead><tr>")?;
    for header in headers {
        write!(out, "<th>{}</th>", escape(header))?;
    }
    write!(out, "</tr></thead><tbody>")?;
    for row in rows {
        write!(out, "<tr>")?;
        for cell in row.iter() {
            let class = cell_class(cell);
            write!(out, "<td{class}>{}</td>", escape(&display(cell)))?;
        }
        write!(out, "</tr>")?;
    }
    write!(out, "</tbody>")?;
    if let Some(total) = total {
        write!(out, "<tfoot><tr>")?;
        for cell in total {
            let class = cell_class(cell);
            write!(out, "<td{class}>{}</td>", escape(&display(cell)))?;
        }
        write!(out, "</tr></tfoot>")?;
    }
    writeln!(out, "</table></div>")
}

fn write_table(out: &mut impl Write, table: &Table, l: &Labels) -> io::Result<()> {
    writeln!(out, "<section id=\"{}\">", table.key)?;
    writeln!(out, "<h2>{}</h2>", escape(&table.title))?;
    if let Some(note) = table.note {
        writeln!(out, "<p class=\"note\">{}</p>", escape(note))?;
    }
    if table.rows.is_empty() {
        writeln!(out, "<p>{}</p>", escape(l.no_rows))?;
    } else if table.dated {
        // The latest date in full; earlier dates folded away.
        let groups = table.by_date();
        let headers = &table.headers[1..];
        if let Some(((date, rows), earlier)) = groups.split_last() {
            writeln!(out, "<h3>{} {date}</h3>", escape(&table.headers[0]))?;
            write_rows(out, headers, rows, table.total_on(*date))?;
            if !earlier.is_empty() {
                writeln!(
                    out,
                    "<details><summary>{}</summary>",
                    escape(l.show_earlier)
                )?;
                for (date, rows) in earlier.iter().rev() {
                    writeln!(out, "<h3>{} {date}</h3>", escape(&table.headers[0]))?;
                    write_rows(out, headers, rows, table.total_on(*date))?;
                }
                writeln!(out, "</details>")?;
            }
        }
    } else {
        let rows: Vec<&[Cell]> = table.rows.iter().map(Vec::as_slice).collect();
        write_rows(out, &table.headers, &rows, None)?;
    }
    writeln!(out, "</section>")
}

fn write_charts(out: &mut impl Write, charts: &[Chart], l: &Labels) -> io::Result<()> {
    writeln!(
        out,
        "<section id=\"charts\"><h2>{}</h2><div class=\"charts\">",
        escape(l.charts)
    )?;
    for chart in charts {
        writeln!(
            out,
            "<figure><figcaption>{}</figcaption><div class=\"chart\" id=\"{}\"{}></div></figure>",
            escape(chart.title),
            chart.id,
            chart
                .height
                .map(|h| format!(" style=\"height: {h}px\""))
                .unwrap_or_default()
        )?;
    }
    writeln!(out, "</div></section>")
}

/// A scoped report's national rank and share on its last date, in words.
fn standing(report: &Report) -> Option<String> {
    let last = report.context.as_ref()?.last()?;
    let share = display(&Cell::Share(last.share));
    let date = last.date;
    Some(match (report.lang, last.rank) {
        (crate::Lang::Zh, Some(rank)) => {
            let before = last
                .previous_rank
                .map(|p| format!("，上期第 {p} 位"))
                .unwrap_or_default();
            format!(
                "{date}：第 {rank} 位（共 {} 个）{before}；占全国 {share}",
                last.of
            )
        }
        (crate::Lang::En, Some(rank)) => {
            let before = last
                .previous_rank
                .map(|p| format!(" (previously no. {p})"))
                .unwrap_or_default();
            format!(
                "{date}: no. {rank} of {}{before}; {share} of the national total",
                last.of
            )
        }
        (crate::Lang::Zh, None) => format!("{date}：无企业"),
        (crate::Lang::En, None) => format!("{date}: no enterprise"),
    })
}

/// Writes the report as one self-contained HTML page.
pub fn write_html(report: &Report, out: &mut impl Write) -> io::Result<()> {
    let l = labels(report.lang);
    let tables = tables(report);
    let charts = charts(report);
    let scope = report.scope.as_ref().map_or_else(
        || l.nationwide.to_owned(),
        |s| format!("{} ({})", s.name, s.code),
    );
    let title = format!("{} · {scope}", l.report_title);
    let dates: Vec<String> = report.dates.iter().map(ToString::to_string).collect();

    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>",
        report.lang.tag()
    )?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        out,
        "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        escape(&title)
    )?;
    writeln!(out, "<header><h1>{}</h1><dl>", escape(&title))?;
    let rule_set = format!(
        "{} ({}@{})",
        report.rule_set.title, report.rule_set.key, report.rule_set.version
    );
    let mut terms = vec![
        (l.rule_set, rule_set),
        (l.scope, scope),
        (l.as_of_dates, dates.join(", ")),
    ];
    terms.extend(standing(report).map(|s| (l.national_rank, s)));
    for (term, value) in terms {
        writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(&value))?;
    }
    writeln!(out, "</dl></header>")?;
    write!(
        out,
        "<nav aria-label=\"{}\"><a href=\"#highlights\">{}</a><a href=\"#charts\">{}</a>",
        escape(l.contents),
        escape(l.highlights),
        escape(l.charts)
    )?;
    for table in &tables {
        write!(
            out,
            "<a href=\"#{}\">{}</a>",
            table.key,
            escape(&table.title)
        )?;
    }
    writeln!(out, "</nav>\n<main>")?;
    writeln!(
        out,
        "<section id=\"highlights\"><h2>{}</h2><ul class=\"highlights\">",
        escape(l.highlights)
    )?;
    for highlight in &report.highlights {
        writeln!(out, "<li>{}</li>", escape(&highlight.text))?;
    }
    writeln!(out, "</ul></section>")?;
    write_charts(out, &charts, l)?;
    for table in &tables {
        write_table(out, table, l)?;
    }
    writeln!(out, "</main>")?;
    let data: Vec<serde_json::Value> = charts
        .iter()
        .map(|c| serde_json::json!({ "id": c.id, "option": c.option }))
        .collect();
    let data = serde_json::to_string(&data).map_err(io::Error::other)?;
    writeln!(out, "<script>{ECHARTS}</script>")?;
    writeln!(
        out,
        "<script type=\"application/json\" id=\"chart-data\">{}</script>",
        script_json(&data)
    )?;
    writeln!(out, "<script>{INIT}</script>\n</body>\n</html>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_script_data_are_escaped() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(script_json("\"</script>\""), "\"\\u003c/script\\u003e\"");
    }
}
