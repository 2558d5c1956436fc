//! A dataset assembled file by file: each file's header resolved, its rows
//! checked against it and handed to the reader of that file.

use std::fs;
use std::path::Path;

use hatchery_core::Dataset;

use super::ahead::read_ahead;
use super::enterprises::Enterprises;
use super::events::Events;
use super::financials::Figures;
use super::fx::Rates;
use super::header::Header;
use super::outcome::{DatasetRead, FileLines, RowLines};
use super::references::References;
use super::row::RowReader;
use super::source::Rows;
use super::{csv, xlsx};
use crate::columns::FileKind;
use crate::problem::{Problem, Problems};
use crate::progress::Progress;

/// How many bytes may pass between two reports of progress.
const PROGRESS_STEP: u64 = 64 * 1024;

/// A dataset being assembled, file by file.
#[derive(Debug)]
pub(super) struct Reading {
    problems: Vec<Problem>,
    names: [String; 4],
    refs: References,
    enterprises: Enterprises,
    events: Events,
    rates: Rates,
    figures: Figures,
}

impl Default for Reading {
    fn default() -> Self {
        Self {
            problems: Vec::new(),
            names: FileKind::ALL.map(|k| k.csv_name().to_owned()),
            refs: References::default(),
            enterprises: Enterprises::default(),
            events: Events::default(),
            rates: Rates::default(),
            figures: Figures::default(),
        }
    }
}

impl Reading {
    /// Records a problem found outside any one file's rows.
    pub(super) fn problem(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// Reads `kind` from a CSV file.
    pub(super) fn csv_file(&mut self, kind: FileKind, path: &Path, progress: &mut dyn Progress) {
        let name = kind.csv_name();
        let size = fs::metadata(path).map_or(0, |m| m.len());
        progress.file_started(name, size);
        match csv::CsvRows::open(path, name) {
            Ok(rows) => read_ahead(rows, name, |rows| self.table(kind, name, rows, progress)),
            Err(problem) => self.problems.push(problem),
        }
        progress.advanced(size);
        progress.file_finished();
    }

    /// Reads `kind` from the first worksheet of an XLSX file.
    pub(super) fn xlsx_file(&mut self, kind: FileKind, path: &Path, progress: &mut dyn Progress) {
        let name = kind.xlsx_name();
        let size = fs::metadata(path).map_or(0, |m| m.len());
        progress.file_started(name, size);
        let rows = xlsx::Workbook::open(path, name).and_then(|mut book| book.first_sheet());
        progress.advanced(size);
        match rows {
            Ok(mut rows) => self.table(kind, name, &mut rows, progress),
            Err(problem) => self.problems.push(problem),
        }
        progress.file_finished();
    }

    /// Reads one file's rows into the dataset.
    pub(super) fn table(
        &mut self,
        kind: FileKind,
        file: &str,
        rows: &mut dyn Rows,
        progress: &mut dyn Progress,
    ) {
        self.names[kind.position()] = file.to_owned();
        let header = match rows.next_row() {
            Ok(Some(row)) => Header::resolve(kind, file, row, &mut self.problems),
            Ok(None) => {
                let problem = Problem::file(file, "empty file: expected a header row");
                self.problems.push(problem);
                return;
            }
            Err(problem) => {
                self.problems.push(problem);
                return;
            }
        };
        let mut reported = 0;
        loop {
            let row = match rows.next_row() {
                Ok(Some(row)) => row,
                Ok(None) => break,
                Err(problem) => {
                    self.problems.push(problem);
                    break;
                }
            };
            let position = rows.position();
            if position >= reported + PROGRESS_STEP {
                progress.advanced(position);
                reported = position;
            }
            if row.cells.len() != header.width() {
                self.problems.push(Problem::line(
                    file,
                    row.line,
                    format!(
                        "the row has {}, the header has {}",
                        cells(row.cells.len()),
                        header.width()
                    ),
                ));
                continue;
            }
            let row = RowReader::new(file, row.line, &header, row.cells, &mut self.problems);
            match kind {
                FileKind::Enterprises => self.enterprises.read(row, &mut self.refs),
                FileKind::Events => self.events.read(row, &mut self.refs),
                FileKind::Fx => self.rates.read(row),
                FileKind::Financials => self.figures.read(row, &mut self.refs),
            }
        }
    }

    /// The dataset with where its records came from, or every problem found.
    pub(super) fn finish(self) -> Result<DatasetRead, Problems> {
        if !self.problems.is_empty() {
            return Err(Problems::new(self.problems));
        }
        let [enterprises, events, fx, financials] = self.names;
        let unresolved_zones = self.enterprises.unresolved_zones;
        Ok(DatasetRead {
            dataset: Dataset {
                enterprises: self.enterprises.rows,
                events: self.events.rows,
                fx: self.rates.rows,
                financials: self.figures.rows,
            },
            lines: RowLines {
                enterprises: FileLines {
                    file: enterprises,
                    lines: self.enterprises.lines,
                },
                events: FileLines {
                    file: events,
                    lines: self.events.lines,
                },
                fx: FileLines {
                    file: fx,
                    lines: self.rates.lines,
                },
                financials: FileLines {
                    file: financials,
                    lines: self.figures.lines,
                },
            },
            external_refs: self.refs.into_external(),
            duplicate_events_dropped: self.events.duplicates_dropped,
            unresolved_zones,
        })
    }
}

fn cells(n: usize) -> String {
    if n == 1 {
        "1 cell".to_owned()
    } else {
        format!("{n} cells")
    }
}
