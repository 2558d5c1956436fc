//! `hatchery rules list|show`.

use hatchery_core::RuleSet;
use hatchery_core::criteria::builtin_names;

use crate::cli::RulesCommand;
use crate::error::CliResult;
use crate::output::Table;

pub fn run(command: &RulesCommand) -> CliResult {
    match command {
        RulesCommand::List => {
            let mut table = Table::new(["key", "version", "tiers", "title"]);
            for name in builtin_names() {
                let rules = RuleSet::builtin(name)?;
                let tiers: Vec<&str> = rules.tiers.iter().map(|t| t.key.as_str()).collect();
                table.row([
                    rules.key.clone(),
                    rules.version.clone(),
                    tiers.join(" > "),
                    format!("{} / {}", rules.title, rules.title_en),
                ]);
            }
            print!("{table}");
            Ok(())
        }
        RulesCommand::Show { name } => {
            print!("{}", crate::rules::source(name)?);
            Ok(())
        }
    }
}
