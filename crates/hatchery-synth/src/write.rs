//! Writing a generated dataset to a folder in interchange format, one
//! enterprise at a time, so that a national-scale dataset never sits in memory.

use std::path::Path;
use std::sync::mpsc::{Receiver, sync_channel};

use hatchery_interchange::{DatasetWriter, WriteError};

use crate::config::{ConfigError, GeneratorConfig};
use crate::generator::{Generated, Generator};

/// Enterprises generated together by one worker.
const BATCH: usize = 1024;
/// Batches a worker may have ready before the writer takes them: bounds memory.
const QUEUED: usize = 2;

/// How many records of each file were written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Rows of `enterprises.csv`.
    pub enterprises: u64,
    /// Rows of `events.csv`.
    pub events: u64,
    /// Rows of `fx.csv`.
    pub fx: u64,
    /// Rows of `financials.csv`.
    pub financials: u64,
}

/// Why a dataset could not be generated and written.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The configuration cannot be generated.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

impl Generator {
    /// Writes the dataset to `dir` (created if missing) as the four CSV files
    /// of the interchange format, generating on every core while writing in
    /// index order. `progress` is told how many enterprises have been written
    /// so far, after each batch.
    pub fn write(
        &self,
        dir: &Path,
        mut progress: impl FnMut(usize),
    ) -> Result<Written, WriteError> {
        let mut writer = DatasetWriter::create(dir)?;
        let mut written = Written::default();
        for rate in self.fx_rates() {
            writer.fx(rate)?;
            written.fx += 1;
        }
        self.for_each_batch(|batch| {
            for generated in &batch {
                writer.enterprise(&generated.enterprise)?;
                written.enterprises += 1;
                for event in &generated.events {
                    writer.event(event)?;
                    written.events += 1;
                }
                for figures in &generated.financials {
                    writer.financials(figures)?;
                    written.financials += 1;
                }
            }
            progress(written.enterprises as usize);
            Ok(())
        })?;
        writer.finish()?;
        Ok(written)
    }

    /// Enterprises `batch * BATCH ..` up to `BATCH` of them.
    fn batch(&self, batch: usize) -> Vec<Generated> {
        let start = batch * BATCH;
        (start..(start + BATCH).min(self.len()))
            .map(|index| self.enterprise(index))
            .collect()
    }

    /// Hands every batch to `sink` in index order, generating them on all
    /// cores: worker `w` makes batches `w`, `w + workers`, … and the caller
    /// takes them from the workers in turn, which keeps the order.
    fn for_each_batch<E>(
        &self,
        mut sink: impl FnMut(Vec<Generated>) -> Result<(), E>,
    ) -> Result<(), E> {
        let batches = self.len().div_ceil(BATCH);
        let workers = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(batches);
        if workers <= 1 {
            return (0..batches).try_for_each(|batch| sink(self.batch(batch)));
        }
        std::thread::scope(|scope| {
            let queues: Vec<Receiver<Vec<Generated>>> = (0..workers)
                .map(|worker| {
                    let (sender, queue) = sync_channel(QUEUED);
                    scope.spawn(move || {
                        for batch in (worker..batches).step_by(workers) {
                            // The caller stopped (it failed): nothing more is wanted.
                            if sender.send(self.batch(batch)).is_err() {
                                break;
                            }
                        }
                    });
                    queue
                })
                .collect();
            for batch in 0..batches {
                // A worker that panicked closes its queue; the scope then
                // re-raises its panic.
                let Ok(generated) = queues[batch % workers].recv() else {
                    break;
                };
                sink(generated)?;
            }
            Ok(())
        })
    }
}

/// Generates the dataset `config` describes and writes it to `dir`.
pub fn write_dataset(config: &GeneratorConfig, dir: &Path) -> Result<Written, SynthError> {
    let generator = Generator::new(config.clone())?;
    Ok(generator.write(dir, |_| ())?)
}
