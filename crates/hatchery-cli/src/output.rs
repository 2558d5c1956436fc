//! Plain-text tables for people, aligned by display width (CJK is two columns).

use std::fmt;

/// A table printed with aligned columns.
#[derive(Debug)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new<const N: usize>(header: [&str; N]) -> Self {
        Self {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row<const N: usize>(&mut self, cells: [String; N]) {
        self.rows.push(cells.into());
    }
}

/// Columns a character takes in a terminal: East Asian wide characters take two.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| {
            let wide = matches!(u32::from(c),
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
                | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6);
            if wide { 2 } else { 1 }
        })
        .sum()
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let columns = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| display_width(h)).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(display_width(cell));
            }
        }
        let line = |f: &mut fmt::Formatter<'_>, cells: &[String]| -> fmt::Result {
            for (i, cell) in cells.iter().enumerate() {
                if i + 1 == cells.len() {
                    write!(f, "{cell}")?;
                } else {
                    let pad = widths[i] - display_width(cell);
                    write!(f, "{cell}{:pad$}  ", "")?;
                }
            }
            writeln!(f)
        };
        line(f, &self.header)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(f, &rule)?;
        for row in &self.rows {
            line(f, row)?;
        }
        Ok(())
    }
}

/// Writes one sheet of text cells with a frozen header row.
pub fn write_xlsx<const N: usize>(
    path: &std::path::Path,
    sheet: &str,
    header: &[&str; N],
    rows: &[[String; N]],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (column, name) in header.iter().enumerate() {
        worksheet.write_string_with_format(0, column as u16, *name, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (column, cell) in row.iter().enumerate() {
            worksheet.write_string(r as u32 + 1, column as u16, cell)?;
        }
    }
    worksheet.set_freeze_panes(1, 0)?;
    worksheet.autofit();
    workbook.save(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_keep_columns_aligned() {
        let mut table = Table::new(["id", "tier"]);
        table.row(["字节跳动".to_owned(), "unicorn".to_owned()]);
        table.row(["abc".to_owned(), "potential".to_owned()]);
        let text = table.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], "字节跳动  unicorn");
        assert_eq!(lines[3], "abc       potential");
    }
}
