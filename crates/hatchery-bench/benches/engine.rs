//! `cargo bench -p hatchery-bench`: the criteria engine and the SQLite import.
//!
//! - `classify_gei_8_dates/N`: the `gei` tier of every enterprise of a
//!   generated ledger of N enterprises on the 8 year-ends 2016–2023
//!   (`Ledger::classify`, on all cores), N = 10,000 and 100,000.
//! - `sqlite_import/10000`: a dataset of 10,000 enterprises (about 60,000
//!   events) imported into a fresh SQLite file, validation included
//!   (`Store::import`, as `hatchery import` does after reading the CSV).
//! - `interchange_read/10000`: reading and validating the same dataset's CSV
//!   files (the other half of `hatchery import`).
//!
//! Sample sizes are small so that the whole run takes a few minutes on two
//! cores. Pick one with `cargo bench -p hatchery-bench -- classify`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hatchery_core::{Dataset, Ledger, RuleSet};
use hatchery_store::{ImportSource, Store};
use hatchery_synth::{Generator, GeneratorConfig};
use jiff::civil::{Date, date};

/// The seed of every generated dataset, as `bench/compare.sh` uses.
const SEED: u64 = 42;

fn dataset(enterprises: usize) -> Dataset {
    Generator::new(GeneratorConfig::new(enterprises, SEED))
        .expect("a valid generator configuration")
        .dataset()
}

fn year_ends() -> Vec<Date> {
    (2016..=2023).map(|year| date(year, 12, 31)).collect()
}

fn classify(c: &mut Criterion) {
    let rules = RuleSet::builtin("gei").expect("gei is built in");
    let dates = year_ends();
    let mut group = c.benchmark_group("classify_gei_8_dates");
    for enterprises in [10_000usize, 100_000] {
        let ledger = Ledger::from_dataset(&dataset(enterprises));
        group.throughput(Throughput::Elements((enterprises * dates.len()) as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(enterprises),
            &ledger,
            |b, ledger| b.iter(|| black_box(ledger.classify(&rules, &dates))),
        );
    }
    group.finish();
}

fn sqlite_import(c: &mut Criterion) {
    let enterprises = 10_000usize;
    let data = dataset(enterprises);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let source = ImportSource {
        origin: "hatchery-bench".to_owned(),
        at: "2024-01-01T00:00:00Z".to_owned(),
    };
    let mut group = c.benchmark_group("sqlite_import");
    // Ten imports of 10,000 enterprises take longer than the default window.
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(enterprises as u64));
    group.bench_function(BenchmarkId::from_parameter(enterprises), |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("a temporary folder");
                let url = format!("sqlite://{}", dir.path().join("bench.db").display());
                let store = runtime
                    .block_on(hatchery_sqlite::SqliteStore::open(&url))
                    .expect("a fresh SQLite store");
                (dir, store)
            },
            |(dir, store)| {
                let outcome = runtime
                    .block_on(store.import(&data, &source))
                    .expect("the generated dataset imports");
                runtime.block_on(store.close());
                (dir, outcome)
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn interchange_read(c: &mut Criterion) {
    let enterprises = 10_000usize;
    let dir = tempfile::tempdir().expect("a temporary folder");
    Generator::new(GeneratorConfig::new(enterprises, SEED))
        .expect("a valid generator configuration")
        .write(dir.path(), |_| ())
        .expect("the dataset is written");
    let mut group = c.benchmark_group("interchange_read");
    group.throughput(Throughput::Elements(enterprises as u64));
    group.bench_function(BenchmarkId::from_parameter(enterprises), |b| {
        b.iter(|| {
            black_box(
                hatchery_interchange::read_dataset(
                    dir.path(),
                    &mut hatchery_interchange::NoProgress,
                )
                .expect("the generated dataset is valid"),
            )
        });
    });
    group.finish();
}

/// Small samples, so that the whole run takes a few minutes on two cores.
fn settings() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
}

criterion_group! {
    name = benches;
    config = settings();
    targets = classify, sqlite_import, interchange_read
}
criterion_main!(benches);
