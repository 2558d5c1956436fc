//! A list file (CSV in any encoding, or a spreadsheet) read as rows of text
//! cells, each row with the line or sheet row it came from.

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};

use crate::cells::fold_width;
use crate::error::ListError;
use crate::profile::FileLayout;

/// One row of the file, its cells as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// The physical line (CSV, header is line 1 when it is the first row)
    /// or the sheet row (XLSX) where the row starts.
    pub line: u64,
    pub cells: Vec<String>,
}

/// A list file read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The column names as written.
    pub header: Vec<String>,
    pub rows: Vec<RawRow>,
    /// Rows with nothing in any cell, which are skipped.
    pub blank_rows: usize,
    /// Rows dropped as `file.footer_rows`.
    pub footer_rows: usize,
}

/// The form header names are compared in: width-folded, case-folded, with
/// runs of white space as one space.
pub fn header_key(name: &str) -> String {
    fold_width(name)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads a CSV or spreadsheet file, chosen by its extension.
pub fn read_table(path: &Path, layout: &FileLayout) -> Result<Table, ListError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let rows = match extension.as_str() {
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => read_sheet(path, layout)?,
        "csv" | "tsv" | "txt" => {
            let bytes = std::fs::read(path).map_err(|source| ListError::Io {
                path: path.to_owned(),
                source,
            })?;
            csv_rows(&bytes, layout).map_err(|message| ListError::File {
                path: path.to_owned(),
                message,
            })?
        }
        _ => {
            return Err(ListError::File {
                path: path.to_owned(),
                message: "a list is a .csv, .tsv, .txt, .xlsx, .xlsm, .xlsb, .xls or .ods file"
                    .into(),
            });
        }
    };
    into_table(rows, layout).map_err(|message| ListError::File {
        path: path.to_owned(),
        message,
    })
}

/// Reads CSV bytes (UTF-8 with or without a BOM, or the profile's encoding).
pub fn csv_rows(bytes: &[u8], layout: &FileLayout) -> Result<Vec<RawRow>, String> {
    let text = decode(bytes, layout.encoding.as_deref())?;
    let delimiter = u8::try_from(layout.delimiter)
        .ok()
        .filter(u8::is_ascii)
        .ok_or_else(|| {
            format!(
                "the delimiter '{}' is not an ASCII character",
                layout.delimiter
            )
        })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| match e.position() {
            Some(p) => format!("line {}: not valid CSV: {e}", p.line()),
            None => format!("not valid CSV: {e}"),
        })?;
        let line = record
            .position()
            .map_or(0, |p| line_at(text.as_bytes(), p.byte()));
        rows.push(RawRow {
            line,
            cells: record.iter().map(str::to_owned).collect(),
        });
    }
    Ok(rows)
}

/// The line a record starting at `byte` is on. The csv crate's own count
/// is one short after a CRLF line end (it counts the LF as part of the next
/// record), so the line is counted here, past the line ends before the record.
fn line_at(text: &[u8], byte: u64) -> u64 {
    let mut at = usize::try_from(byte).unwrap_or(text.len()).min(text.len());
    while at < text.len() && matches!(text[at], b'\r' | b'\n') {
        at += 1;
    }
    let before = &text[..at];
    let newlines = before.iter().filter(|b| **b == b'\n').count();
    // Old Mac files end lines with CR alone.
    let ends = if newlines == 0 {
        before.iter().filter(|b| **b == b'\r').count()
    } else {
        newlines
    };
    ends as u64 + 1
}

fn decode(bytes: &[u8], label: Option<&str>) -> Result<String, String> {
    // A byte-order mark says the encoding (Excel's "Unicode text" is UTF-16).
    let label = label.or_else(|| {
        encoding_rs::Encoding::for_bom(bytes)
            .filter(|(e, _)| *e != encoding_rs::UTF_8)
            .map(|(e, _)| e.name())
    });
    match label {
        None => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            std::str::from_utf8(bytes).map(str::to_owned).map_err(|e| {
                format!(
                    "not UTF-8 (byte {}); a file saved by Chinese Excel is usually GB18030: set [file] encoding = \"gb18030\" in the profile",
                    e.valid_up_to() + 1
                )
            })
        }
        Some(label) => {
            let encoding = encoding_rs::Encoding::for_label(label.trim().as_bytes())
                .ok_or_else(|| format!("'{label}' is not a known text encoding"))?;
            let (text, used, had_errors) = encoding.decode(bytes);
            if had_errors {
                return Err(format!("not valid {}", used.name()));
            }
            Ok(text.into_owned())
        }
    }
}

/// Reads a spreadsheet; a panic in the reader (a damaged file can make
/// calamine 0.31 index its tables out of bounds) is an error with the file.
fn read_sheet(path: &Path, layout: &FileLayout) -> Result<Vec<RawRow>, ListError> {
    std::panic::catch_unwind(|| read_sheet_unguarded(path, layout)).unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("the spreadsheet reader stopped");
        Err(ListError::File {
            path: path.to_owned(),
            message: format!("the spreadsheet is damaged ({reason})"),
        })
    })
}

fn read_sheet_unguarded(path: &Path, layout: &FileLayout) -> Result<Vec<RawRow>, ListError> {
    let fail = |message: String| ListError::File {
        path: path.to_owned(),
        message,
    };
    let mut workbook = open_workbook_auto(path).map_err(|e| fail(e.to_string()))?;
    let names = workbook.sheet_names();
    let sheet = match &layout.sheet {
        Some(sheet) if names.contains(sheet) => sheet.clone(),
        Some(sheet) => {
            return Err(fail(format!(
                "no sheet named '{sheet}' (sheets: {})",
                names.join(", ")
            )));
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| fail("the workbook has no sheets".into()))?,
    };
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|e| fail(format!("sheet '{sheet}': {e}")))?;
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let lead = first_column as usize;
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| RawRow {
            line: u64::from(first_row) + i as u64 + 1,
            cells: std::iter::repeat_n(String::new(), lead)
                .chain(cells.iter().map(cell_text))
                .collect(),
        })
        .collect())
}

/// A spreadsheet cell as the text a person sees: whole numbers without
/// `.0`, dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
        // Rust prints the shortest text that reads back as the same binary
        // number, which is what the spreadsheet shows for a typed decimal.
        Data::Float(x) => x.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(dt) => {
            let (y, m, d, hh, mm, ss, ms) = dt.to_ymd_hms_milli();
            if (hh, mm, ss, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}")
            }
        }
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Splits the rows into header and data per the layout.
fn into_table(rows: Vec<RawRow>, layout: &FileLayout) -> Result<Table, String> {
    let mut rows = rows.into_iter();
    let header_row = rows
        .by_ref()
        .find(|row| row.line >= layout.header_row as u64 && !is_blank(row))
        .ok_or_else(|| {
            format!(
                "no header row: the file has nothing on or after row {}",
                layout.header_row
            )
        })?;
    let header: Vec<String> = header_row
        .cells
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut data = Vec::new();
    let mut blank_rows = 0;
    for row in rows {
        if is_blank(&row) {
            blank_rows += 1;
        } else {
            data.push(row);
        }
    }
    let footer_rows = layout.footer_rows.min(data.len());
    data.truncate(data.len() - footer_rows);
    Ok(Table {
        header,
        rows: data,
        blank_rows,
        footer_rows,
    })
}

fn is_blank(row: &RawRow) -> bool {
    row.cells.iter().all(|c| c.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &[u8], layout: &FileLayout) -> Result<Table, String> {
        into_table(csv_rows(text, layout)?, layout)
    }

    #[test]
    fn csv_rows_keep_their_lines_and_cells_as_written() {
        let text = b"\xEF\xBB\xBFCompany,City\nBytedance ,Beijing\n\n,\n\"Multi\nLine\",Shanghai\n";
        let t = table(text, &FileLayout::default()).unwrap();
        assert_eq!(t.header, ["Company", "City"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].line, 2);
        assert_eq!(t.rows[0].cells, ["Bytedance ", "Beijing"]);
        assert_eq!(t.rows[1].line, 5);
        assert_eq!(t.rows[1].cells[0], "Multi\nLine");
        // The csv crate passes over empty lines; a row of empty cells is counted.
        assert_eq!(t.blank_rows, 1);
    }

    #[test]
    fn crlf_lines_are_counted_like_lf_lines() {
        let text = b"Company,City\r\nBytedance,Beijing\r\n\r\n\"Multi\r\nLine\",Shanghai\r\nLast,X";
        let t = table(text, &FileLayout::default()).unwrap();
        let lines: Vec<u64> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4, 6]);
    }

    #[test]
    fn title_rows_footers_and_delimiters() {
        let layout = FileLayout {
            header_row: 2,
            footer_rows: 1,
            delimiter: ';',
            ..FileLayout::default()
        };
        let text = "2024 胡润全球独角兽榜\n企业名称;估值\n字节跳动;14000\n来源：胡润研究院;\n";
        let t = table(text.as_bytes(), &layout).unwrap();
        assert_eq!(t.header, ["企业名称", "估值"]);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].cells, ["字节跳动", "14000"]);
        assert_eq!(t.footer_rows, 1);
    }

    #[test]
    fn chinese_encodings_are_decoded_when_named() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("企业名称,城市\n字节跳动,北京\n");
        let error = table(&gbk, &FileLayout::default()).unwrap_err();
        assert!(error.contains("gb18030"), "{error}");
        let layout = FileLayout {
            encoding: Some("gb18030".into()),
            ..FileLayout::default()
        };
        let t = table(&gbk, &layout).unwrap();
        assert_eq!(t.rows[0].cells, ["字节跳动", "北京"]);
        let unknown = FileLayout {
            encoding: Some("klingon".into()),
            ..FileLayout::default()
        };
        assert!(table(&gbk, &unknown).unwrap_err().contains("klingon"));
    }

    #[test]
    fn a_byte_order_mark_names_the_encoding() {
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "企业\t城市\n字节跳动\t北京\n".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        let layout = FileLayout {
            delimiter: '\t',
            ..FileLayout::default()
        };
        let t = table(&utf16, &layout).unwrap();
        assert_eq!(t.header, ["企业", "城市"]);
        assert_eq!(t.rows[0].cells, ["字节跳动", "北京"]);
    }

    #[test]
    fn a_file_without_a_header_row_is_an_error() {
        assert!(
            table(b"", &FileLayout::default())
                .unwrap_err()
                .contains("no header")
        );
        assert!(
            table(b"\n,,\n", &FileLayout::default())
                .unwrap_err()
                .contains("no header")
        );
        let late = FileLayout {
            header_row: 5,
            ..FileLayout::default()
        };
        assert!(table(b"a\nb\n", &late).unwrap_err().contains("row 5"));
    }

    #[test]
    fn header_names_compare_loosely() {
        assert_eq!(
            header_key(" Valuation  ($B) "),
            header_key("valuation ($b)")
        );
        assert_eq!(header_key("估值（亿元）"), header_key("估值(亿元)"));
    }

    #[test]
    fn spreadsheets_are_read_as_people_see_them() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.xlsx");
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet().set_name("榜单").unwrap();
        sheet.write_string(0, 0, "2024 独角兽榜").unwrap();
        for (col, name) in ["企业", "估值", "入榜时间", "成立"].iter().enumerate() {
            sheet.write_string(1, col as u16, *name).unwrap();
        }
        sheet.write_string(2, 0, "字节跳动").unwrap();
        sheet.write_number(2, 1, 100.3).unwrap();
        let date_format = Format::new().set_num_format("yyyy-mm-dd");
        let joined = ExcelDateTime::from_ymd(2017, 4, 7).unwrap();
        sheet
            .write_datetime_with_format(2, 2, &joined, &date_format)
            .unwrap();
        sheet.write_number(2, 3, 2012.0).unwrap();
        workbook.save(&path).unwrap();

        let layout = FileLayout {
            header_row: 2,
            ..FileLayout::default()
        };
        let t = read_table(&path, &layout).unwrap();
        assert_eq!(t.header, ["企业", "估值", "入榜时间", "成立"]);
        assert_eq!(t.rows[0].line, 3);
        assert_eq!(t.rows[0].cells, ["字节跳动", "100.3", "2017-04-07", "2012"]);

        let wrong_sheet = FileLayout {
            sheet: Some("Sheet9".into()),
            ..layout
        };
        let error = read_table(&path, &wrong_sheet).unwrap_err().to_string();
        assert!(error.contains("榜单"), "{error}");
    }

    #[test]
    fn unknown_extensions_and_missing_files_are_errors() {
        let layout = FileLayout::default();
        assert!(matches!(
            read_table(Path::new("list.pdf"), &layout),
            Err(ListError::File { .. })
        ));
        assert!(matches!(
            read_table(Path::new("/nonexistent/list.csv"), &layout),
            Err(ListError::Io { .. })
        ));
    }
}
