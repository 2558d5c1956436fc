//! The reader fuzzed on the stable toolchain: valid datasets written as CSV
//! or XLSX, then damaged the ways real files are (see
//! [`hatchery_fuzz::Mutation`]), and arbitrary bytes. Whatever it is given,
//! the reader never panics and stops (inputs are bounded); each problem
//! names its file, and its line when it is about the file's content, with a
//! message that echoes at most a short cut of any cell; and a dataset it
//! accepts writes back and reads again as the same dataset.
//!
//! `HATCHERY_FUZZ_CASES=100000 cargo test -p hatchery-interchange
//! --test fuzz` is the long run (`docs/SECURITY.md`).

mod common;

use std::fs;
use std::path::Path;

use common::generate::any_dataset;
use hatchery_core::Dataset;
use hatchery_fuzz::{Mutation, config, mutate, mutations, odd_text, rewrite_workbook};
use hatchery_interchange::{
    ECHO_LIMIT, FileKind, NoProgress, Problem, read_dataset, write_dataset, write_dataset_xlsx,
};
use proptest::prelude::*;
use proptest::sample::Index;

/// Messages that concern a whole file or the folder, so have no line.
const WHOLE_FILE: &[&str] = &[
    "missing",
    "empty file",
    "cannot open",
    "cannot read the workbook",
    "cannot read the worksheet",
    "the workbook has no worksheet",
    "unknown sheet",
    "no such folder",
    "not a folder",
];

/// Longest message a problem may have: its own words and one cut cell.
const MESSAGE_LIMIT: usize = 600;

fn check_located(problem: &Problem) -> Result<(), TestCaseError> {
    prop_assert!(!problem.file.is_empty(), "no file: {problem:?}");
    prop_assert!(
        !problem.message.trim().is_empty(),
        "no message: {problem:?}"
    );
    prop_assert!(
        problem.line.is_some() || WHOLE_FILE.iter().any(|m| problem.message.starts_with(m)),
        "a problem with the content has no line: {problem}"
    );
    if let Some(column) = &problem.column {
        prop_assert!(!column.is_empty(), "an empty column name: {problem:?}");
    }
    prop_assert!(
        problem.message.chars().count() <= MESSAGE_LIMIT,
        "the message echoes too much ({} characters, the cut is {ECHO_LIMIT}): {}…",
        problem.message.chars().count(),
        problem.message.chars().take(200).collect::<String>()
    );
    Ok(())
}

/// Reads `path` and checks what came out: problems located, or a dataset
/// that survives a trip through the writer and the reader.
fn check(path: &Path) -> Result<Option<Dataset>, TestCaseError> {
    match read_dataset(path, &mut NoProgress) {
        Ok(read) => {
            let again = tempfile::tempdir().unwrap();
            if let Err(e) = write_dataset(again.path(), &read.dataset) {
                return Err(TestCaseError::fail(format!(
                    "the reader accepted what the writer cannot write: {e}"
                )));
            }
            match read_dataset(again.path(), &mut NoProgress) {
                Ok(reread) => prop_assert_eq!(&reread.dataset, &read.dataset),
                Err(problems) => prop_assert!(
                    false,
                    "written back, the dataset is refused: {}",
                    common::lines(&problems).join("\n")
                ),
            }
            Ok(Some(read.dataset))
        }
        Err(problems) => {
            prop_assert!(!problems.is_empty());
            for problem in &problems {
                check_located(problem)?;
            }
            Ok(None)
        }
    }
}

/// A file of the dataset and what is done to it.
fn damage() -> impl Strategy<Value = (Index, Vec<Mutation>)> {
    (any::<Index>(), mutations(4))
}

proptest! {
    #![proptest_config(config())]

    /// A valid dataset with one or two of its files damaged.
    #[test]
    fn damaged_csv_datasets(
        dataset in any_dataset(),
        damages in proptest::collection::vec(damage(), 1..3),
    ) {
        let dir = tempfile::tempdir().unwrap();
        write_dataset(dir.path(), &dataset).unwrap();
        for (file, mutations) in &damages {
            let kind = FileKind::ALL[file.index(FileKind::ALL.len())];
            let path = dir.path().join(kind.csv_name());
            // A file the dataset lacks starts as a header of its own kind's columns.
            let bytes = fs::read(&path).unwrap_or_else(|_| b"enterprise,date,kind\n".to_vec());
            fs::write(&path, mutate(&bytes, mutations, b',')).unwrap();
        }
        check(dir.path())?;
    }

    /// Arbitrary bytes as one file of an otherwise valid dataset, or after
    /// its header row.
    #[test]
    fn arbitrary_bytes_in_a_file(
        file in any::<Index>(),
        after_header in any::<bool>(),
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
    ) {
        let dir = common::text_folder(&[("enterprises.csv", common::ENTERPRISES)]);
        let kind = FileKind::ALL[file.index(FileKind::ALL.len())];
        let path = dir.path().join(kind.csv_name());
        let mut content = Vec::new();
        if after_header {
            let header = match kind {
                FileKind::Enterprises => "id,name,founded\n",
                FileKind::Events => "enterprise,date,kind,amount,valuation,currency\n",
                FileKind::Fx => "date,currency,per_usd\n",
                FileKind::Financials => "enterprise,year,currency,revenue,employees\n",
            };
            content.extend_from_slice(header.as_bytes());
        }
        content.extend_from_slice(&bytes);
        fs::write(&path, content).unwrap();
        check(dir.path())?;
    }

    /// Odd text in each cell of a one-row file of each kind: every value
    /// is either taken (and round-trips) or refused with its cell named.
    #[test]
    fn odd_values_in_every_column(
        file in any::<Index>(),
        values in proptest::collection::vec(odd_text(), 12),
        quoted in any::<bool>(),
    ) {
        let kind = FileKind::ALL[file.index(FileKind::ALL.len())];
        let columns: &[&str] = match kind {
            FileKind::Enterprises => &[
                "id", "name", "name_en", "uscc", "founded", "country", "region", "city", "zone",
                "industries", "tags", "x_note",
            ],
            FileKind::Events => &[
                "enterprise", "date", "kind", "round", "amount", "valuation", "currency",
                "investors", "exchange", "region", "source", "x_note",
            ],
            FileKind::Fx => &["date", "currency", "per_usd"],
            FileKind::Financials => &[
                "enterprise", "year", "currency", "revenue", "rd_expense", "employees",
            ],
        };
        let cell = |text: &str| if quoted {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        };
        let row: Vec<String> = values.iter().take(columns.len()).map(|v| cell(v)).collect();
        let text = format!("{}\n{}\n", columns.join(","), row.join(","));
        let mut files = vec![(kind.csv_name(), text.as_bytes())];
        if kind != FileKind::Enterprises {
            files.push(("enterprises.csv", common::ENTERPRISES.as_bytes()));
        }
        let dir = common::folder(&files);
        check(dir.path())?;
    }

    /// A valid dataset as one workbook, with bytes of the file changed or
    /// the file cut short: a damaged ZIP or XML part is refused, never a panic.
    #[test]
    fn damaged_workbooks(
        dataset in any_dataset(),
        flips in proptest::collection::vec((any::<Index>(), 1u8..=255), 0..4),
        cut in proptest::option::of(any::<Index>()),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dataset.xlsx");
        write_dataset_xlsx(&path, &dataset).unwrap();
        let mut bytes = fs::read(&path).unwrap();
        for (at, mask) in &flips {
            let at = at.index(bytes.len());
            bytes[at] ^= mask;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        fs::write(&path, &bytes).unwrap();
        let read = check(&path)?;
        if flips.is_empty() && cut.is_none() {
            prop_assert_eq!(read, Some(dataset));
        }
    }

    /// A workbook with typed cells of every kind under the dataset's
    /// columns, and sheets the format does not know.
    #[test]
    fn workbooks_with_typed_cells(
        cells in proptest::collection::vec(
            proptest::collection::vec(typed_cell(), 1..8),
            0..6,
        ),
        header in proptest::sample::subsequence(
            vec!["id", "name", "founded", "country", "region", "uscc", "x_note", "id", "tags"],
            0..9,
        ),
        extra_sheet in proptest::option::of("[a-z_]{1,8}"),
    ) {
        use rust_xlsxwriter::Workbook;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dataset.xlsx");
        let mut book = Workbook::new();
        let sheet = book.add_worksheet().set_name("enterprises").unwrap();
        for (col, name) in header.iter().enumerate() {
            sheet.write_string(0, col as u16, *name).unwrap();
        }
        for (row, values) in cells.iter().enumerate() {
            for (col, value) in values.iter().enumerate() {
                value.write(sheet, row as u32 + 1, col as u16);
            }
        }
        if let Some(name) = extra_sheet {
            book.add_worksheet().set_name(name).unwrap();
        }
        book.save(&path).unwrap();
        check(&path)?;
    }
}

/// A spreadsheet cell of one of the types a worksheet holds.
#[derive(Debug, Clone)]
enum Typed {
    Number(f64),
    Text(String),
    Bool(bool),
    Date(u16, u8, u8),
    Formula(String),
    Blank,
}

impl Typed {
    fn write(&self, sheet: &mut rust_xlsxwriter::Worksheet, row: u32, col: u16) {
        use rust_xlsxwriter::{ExcelDateTime, Format, Formula};
        // A value the writer itself refuses (NaN, a too-long string) is not
        // written: the harness is about the reader.
        let _ = match self {
            Self::Number(n) => sheet.write_number(row, col, *n).map(drop),
            Self::Text(t) => sheet.write_string(row, col, t).map(drop),
            Self::Bool(b) => sheet.write_boolean(row, col, *b).map(drop),
            Self::Date(y, m, d) => ExcelDateTime::from_ymd(*y, *m, *d).and_then(|date| {
                let format = Format::new().set_num_format("yyyy-mm-dd");
                sheet
                    .write_datetime_with_format(row, col, &date, &format)
                    .map(drop)
            }),
            Self::Formula(f) => sheet.write_formula(row, col, Formula::new(f)).map(drop),
            Self::Blank => Ok(()),
        };
    }
}

fn typed_cell() -> impl Strategy<Value = Typed> {
    prop_oneof![
        prop_oneof![
            any::<f64>(),
            Just(1e300),
            Just(-1.0),
            Just(0.1),
            Just(2015.0),
            Just(45_289.5),
            Just(1e15 + 0.5),
        ]
        .prop_map(Typed::Number),
        odd_text().prop_map(|t| Typed::Text(t.chars().take(32_767).collect())),
        any::<bool>().prop_map(Typed::Bool),
        (1900u16..2100, 1u8..=12, 1u8..=31).prop_map(|(y, m, d)| Typed::Date(y, m, d)),
        prop_oneof![Just("=1/0"), Just("=NA()"), Just("=\"2015\""), Just("=A1")]
            .prop_map(|f| Typed::Formula(f.to_owned())),
        Just(Typed::Blank),
    ]
}

// Regressions: each input a harness found, fixed, kept as a named test.

/// Found by `damaged_workbooks`: a cell naming a shared string the workbook
/// does not have made calamine 0.31 index out of bounds and panic.
#[test]
fn a_cell_naming_a_missing_shared_string_is_a_problem_with_the_sheet() {
    let source = common::text_folder(&[("enterprises.csv", common::ENTERPRISES)]);
    let dataset = common::read_ok(source.path()).dataset;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.xlsx");
    write_dataset_xlsx(&good, &dataset).unwrap();
    let bad = dir.path().join("bad.xlsx");
    rewrite_workbook(&good, &bad, |name, xml| {
        if name.starts_with("xl/worksheets/") {
            xml.replace("t=\"s\"><v>0</v>", "t=\"s\"><v>999</v>")
        } else {
            xml
        }
    })
    .unwrap();
    let problems = common::read_err(&bad);
    assert!(
        problems.iter().any(|p| p
            .starts_with("bad.xlsx[enterprises]: cannot read the worksheet: the file is damaged")),
        "{problems:?}"
    );
}
