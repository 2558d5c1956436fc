//! Deterministic, realistic national datasets in interchange format v1: for
//! trying Hatchery at scale, and as the data of the independent cross-check
//! of the criteria engine (`tests/cross_check.rs`).
//!
//! Every enterprise is generated from its own random stream, derived from the
//! seed and its index, so a dataset is the same on every run, enterprise `i`
//! is the same whatever else is generated, and a million enterprises stream
//! to disk without being held in memory.
//!
//! ```no_run
//! use std::path::Path;
//! use hatchery_synth::{Generator, GeneratorConfig};
//!
//! let generator = Generator::new(GeneratorConfig::new(1_000_000, 42))?;
//! let written = generator.write(Path::new("national"), |_| ())?;
//! println!("{} enterprises, {} events", written.enterprises, written.events);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What the data looks like: enterprises founded over the configured years
//! (a few on 29 February, a few known only to the month or the year); about
//! nine in ten Chinese, in real district codes concentrated in Beijing,
//! Shanghai, Shenzhen, Hangzhou and Guangzhou with a long tail over dozens of
//! cities, some in national high-tech zones and with valid credit codes; the
//! rest abroad with a city and no region. Funding rounds from angel to
//! pre-IPO whose valuations grow with a heavy tail (1–2% ever reach US$1bn,
//! about 0.15% US$10bn), in yuan, dollars and Hong Kong dollars at the shipped
//! exchange rates; valuation reports, same-day reports in two currencies,
//! listings on SSE, SZSE, BSE, HKEX, NASDAQ, NYSE and NEEQ, acquisitions,
//! closures and relocations; yearly financials for some. About six events
//! per enterprise.
#![forbid(unsafe_code)]

mod config;
mod financials;
mod fx;
mod generator;
mod geography;
mod identity;
mod money;
mod naming;
mod quirks;
mod record;
mod sample;
mod story;
mod write;

pub use config::{ConfigError, GeneratorConfig};
pub use fx::fx_rates;
pub use generator::{Generated, Generator, Iter};
pub use write::{SynthError, Written, write_dataset};

/// The enterprises `config` describes, generated one at a time in index order.
pub fn generate(config: &GeneratorConfig) -> Result<Enterprises, ConfigError> {
    Ok(Enterprises {
        generator: Generator::new(config.clone())?,
        next: 0,
    })
}

/// The enterprises of a dataset, owning their [`Generator`]; see [`generate`].
#[derive(Debug)]
pub struct Enterprises {
    generator: Generator,
    next: usize,
}

impl Enterprises {
    /// The generator behind the iterator, for the dataset's exchange rates.
    pub fn generator(&self) -> &Generator {
        &self.generator
    }
}

impl Iterator for Enterprises {
    type Item = Generated;

    fn next(&mut self) -> Option<Generated> {
        if self.next >= self.generator.len() {
            return None;
        }
        let generated = self.generator.enterprise(self.next);
        self.next += 1;
        Some(generated)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.generator.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Enterprises {}
