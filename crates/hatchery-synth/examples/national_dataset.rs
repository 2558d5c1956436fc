//! Writes a national-scale dataset and reports how long it took:
//! `cargo run --release -p hatchery-synth --example national_dataset -- 1000000 /tmp/national [seed]`
use std::path::PathBuf;
use std::time::Instant;

use hatchery_synth::{Generator, GeneratorConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let enterprises = args.next().map_or(Ok(100_000), |n| n.parse())?;
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "national".to_owned()));
    let seed = args.next().map_or(Ok(2024), |s| s.parse())?;
    let started = Instant::now();
    let generator = Generator::new(GeneratorConfig::new(enterprises, seed))?;
    let written = generator.write(&dir, |_| ())?;
    println!(
        "{} enterprises, {} events, {} rates, {} financials in {:.1?} to {}",
        written.enterprises,
        written.events,
        written.fx,
        written.financials,
        started.elapsed(),
        dir.display()
    );
    Ok(())
}
