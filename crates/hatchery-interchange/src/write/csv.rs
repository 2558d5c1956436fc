//! CSV folders: the whole dataset at once, or streamed record by record.

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use hatchery_core::{Dataset, Enterprise, Event, Financials, FxRate};

use super::WriteError;
use super::cells::{self, ExtraColumns};
use crate::columns::FileKind;

/// Writes a dataset as a folder of the four CSV files (created if missing):
/// a header row always, the format's columns in its order, then the `x_`
/// columns the records use, sorted; records in dataset order; no BOM; `\n`
/// line ends.
///
/// Reading the folder back gives an equal dataset whenever the dataset obeys
/// the format's rules across rows (unique ids and credit codes, one rate per
/// currency and day, one financials row per enterprise and year, no event
/// twice), as every dataset [`read_dataset`](crate::read_dataset) returns
/// does. Rows that could not read back equal are refused with
/// [`WriteError::Unrepresentable`].
pub fn write_dataset(dir: &Path, dataset: &Dataset) -> Result<(), WriteError> {
    let mut writer = DatasetWriter::with_extra_columns(dir, ExtraColumns::of(dataset))?;
    for enterprise in &dataset.enterprises {
        writer.enterprise(enterprise)?;
    }
    for event in &dataset.events {
        writer.event(event)?;
    }
    for rate in &dataset.fx {
        writer.fx(rate)?;
    }
    for financials in &dataset.financials {
        writer.financials(financials)?;
    }
    writer.finish()
}

/// Streams a dataset to a folder of CSV files, one record at a time, for
/// datasets too big to hold in memory. The files are created (with their
/// headers) at once; call [`finish`](Self::finish) to flush them and learn
/// of any error.
#[derive(Debug)]
pub struct DatasetWriter {
    extra: ExtraColumns,
    enterprises: Sink,
    events: Sink,
    fx: Sink,
    financials: Sink,
}

impl DatasetWriter {
    /// Creates the folder (if missing) and the four files, with the format's
    /// columns only: a record with an `x_` key is refused.
    pub fn create(dir: &Path) -> Result<Self, WriteError> {
        Self::with_extra_columns(dir, ExtraColumns::default())
    }

    /// Like [`create`](Self::create), with `x_` columns declared up front
    /// (they follow the format's columns in the given order).
    pub fn with_extra_columns(dir: &Path, extra: ExtraColumns) -> Result<Self, WriteError> {
        extra.check()?;
        fs::create_dir_all(dir).map_err(|source| WriteError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let sink = |kind| Sink::create(dir, kind, &cells::header(kind, &extra));
        Ok(Self {
            enterprises: sink(FileKind::Enterprises)?,
            events: sink(FileKind::Events)?,
            fx: sink(FileKind::Fx)?,
            financials: sink(FileKind::Financials)?,
            extra,
        })
    }

    /// Appends an enterprise to `enterprises.csv`.
    pub fn enterprise(&mut self, enterprise: &Enterprise) -> Result<(), WriteError> {
        let row = cells::enterprise(enterprise, &self.extra.enterprises);
        self.enterprises.write(row)
    }

    /// Appends an event to `events.csv`.
    pub fn event(&mut self, event: &Event) -> Result<(), WriteError> {
        let row = cells::event(event, &self.extra.events);
        self.events.write(row)
    }

    /// Appends an exchange rate to `fx.csv`.
    pub fn fx(&mut self, rate: &FxRate) -> Result<(), WriteError> {
        self.fx.write(cells::fx(rate))
    }

    /// Appends a year of figures to `financials.csv`.
    pub fn financials(&mut self, financials: &Financials) -> Result<(), WriteError> {
        self.financials.write(cells::financials(financials))
    }

    /// Flushes every file.
    pub fn finish(self) -> Result<(), WriteError> {
        for sink in [self.enterprises, self.events, self.fx, self.financials] {
            sink.finish()?;
        }
        Ok(())
    }
}

/// One CSV file being written.
#[derive(Debug)]
struct Sink {
    kind: FileKind,
    path: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
    records: u64,
}

impl Sink {
    fn create(dir: &Path, kind: FileKind, header: &[String]) -> Result<Self, WriteError> {
        let path = dir.join(kind.csv_name());
        let file = File::create(&path).map_err(|source| WriteError::Io {
            path: path.clone(),
            source,
        })?;
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(BufWriter::new(file));
        let mut sink = Self {
            kind,
            path,
            writer,
            records: 0,
        };
        sink.write_cells(header)?;
        Ok(sink)
    }

    fn write(&mut self, row: Result<Vec<String>, cells::Unfit>) -> Result<(), WriteError> {
        let row = row.map_err(|unfit| WriteError::unfit(self.kind, self.records + 1, unfit))?;
        self.write_cells(&row)?;
        self.records += 1;
        Ok(())
    }

    fn write_cells(&mut self, cells: &[String]) -> Result<(), WriteError> {
        self.writer
            .write_record(cells)
            .map_err(|source| WriteError::Csv {
                path: self.path.clone(),
                source,
            })
    }

    fn finish(mut self) -> Result<(), WriteError> {
        self.writer.flush().map_err(|source| WriteError::Io {
            path: self.path,
            source,
        })
    }
}
