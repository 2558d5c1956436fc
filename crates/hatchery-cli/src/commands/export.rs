//! `hatchery export DIR|FILE.xlsx`.

use anyhow::Context;
use hatchery_store::Store;

use crate::cli::ExportArgs;
use crate::error::CliResult;
use crate::progress::spinner;

pub async fn run(store: &dyn Store, args: &ExportArgs) -> CliResult {
    let working = spinner("exporting");
    let dataset = store.export().await?;
    let is_xlsx = args
        .dir
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        hatchery_interchange::write_dataset_xlsx(&args.dir, &dataset)
            .with_context(|| format!("cannot write {}", args.dir.display()))?;
    } else {
        hatchery_interchange::write_dataset(&args.dir, &dataset)
            .with_context(|| format!("cannot write {}", args.dir.display()))?;
    }
    if let Some(bar) = working {
        bar.finish_and_clear();
    }
    println!(
        "exported {} enterprises, {} events, {} fx rates, {} financials to {}",
        dataset.enterprises.len(),
        dataset.events.len(),
        dataset.fx.len(),
        dataset.financials.len(),
        args.dir.display()
    );
    Ok(())
}
