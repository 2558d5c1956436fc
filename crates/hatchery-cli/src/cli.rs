//! The command line, as clap derives it.

use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use hatchery_app::DatabaseUrl;
use hatchery_app::backend::DEFAULT_DATABASE_URL;
use hatchery_core::workflow::Role;

/// Hatchery — the national unicorn enterprise cultivation system
/// (全国统一、部省联动的独角兽企业培育体系).
#[derive(Debug, Parser)]
#[command(name = "hatchery", version, about, long_about = None)]
pub struct Cli {
    /// The store: `sqlite://PATH` (embedded) or `postgres://…`. Without it,
    /// `sqlite://hatchery.db`; for `serve --config FILE`, the file's
    /// `database_url`.
    #[arg(long, global = true, env = "HATCHERY_DB")]
    pub db: Option<String>,

    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The store `--db` (or `HATCHERY_DB`) names, else the default file.
    pub fn db_url(&self) -> DatabaseUrl {
        DatabaseUrl::new(self.db.as_deref().unwrap_or(DEFAULT_DATABASE_URL))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import an interchange dataset (a folder of CSV or XLSX files), all or nothing.
    Import(ImportArgs),
    /// The tier of every enterprise as of a date.
    Classify(ClassifyArgs),
    /// One enterprise's decision with every reason.
    Explain(ExplainArgs),
    /// Write the whole store as an interchange dataset.
    Export(ExportArgs),
    /// The rule sets shipped with Hatchery.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// The tracking report for one or more dates: HTML, XLSX, CSV, JSON or Markdown.
    Report(ReportArgs),
    /// Regional cultivation targets and their progress, computed from the ledger.
    #[command(subcommand)]
    Targets(TargetsCommand),
    /// Write a deterministic, realistic national dataset in interchange format.
    Generate(GenerateArgs),
    /// Import a published unicorn list (CSV or XLSX) through a column profile.
    ImportList(ImportListArgs),
    /// Build a demo store from data shipped in the binary and show what it holds.
    Demo(DemoArgs),
    /// Serve the HTTP JSON API (OpenAPI at /api/openapi.json).
    Serve(ServeArgs),
    /// Apply the store's migrations (every command also does so on first use).
    Migrate,
    /// Accounts, for administrators.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The national cultivation pool.
    #[command(subcommand)]
    Pool(PoolCommand),
    /// Copy the SQLite store to a new file, consistent even while a server
    /// writes to it (PostgreSQL: use pg_dump, see docs/DEPLOY.md).
    Backup(BackupArgs),
    /// Replace the SQLite store with a backup, after checking the backup.
    Restore(RestoreArgs),
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to write; it must not exist yet.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file, as `hatchery backup` wrote it.
    pub file: PathBuf,
    /// Replace the store even if it holds data.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The dataset folder (enterprises.csv, events.csv, fx.csv, financials.csv).
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClassifyFormat {
    Table,
    Csv,
    Json,
    Xlsx,
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// The day to decide as of (end of day), YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub as_of: jiff::civil::Date,
    /// A built-in rule set name or a path to a rule set TOML file.
    #[arg(long, default_value = "gei")]
    pub rules: String,
    #[arg(long, value_enum, default_value_t = ClassifyFormat::Table)]
    pub format: ClassifyFormat,
    /// Write to this file instead of standard output (required for xlsx).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The enterprise's id.
    pub id: String,
    /// The day to decide as of (end of day), YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub as_of: jiff::civil::Date,
    /// A built-in rule set name or a path to a rule set TOML file.
    #[arg(long, default_value = "gei")]
    pub rules: String,
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The folder to write (created if missing), or a `.xlsx` file.
    pub dir: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Every built-in rule set.
    List,
    /// One rule set's definition, as TOML.
    Show {
        /// A built-in name or a path to a TOML file.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TargetsCommand {
    /// Each target's progress as of a day: count, status, pace, the
    /// enterprises that count and the nearest candidates.
    Progress(TargetsProgressArgs),
}

#[derive(Debug, Args)]
pub struct TargetsProgressArgs {
    /// The day, `YYYY-MM-DD`.
    #[arg(long, value_parser = parse_day)]
    pub as_of: jiff::civil::Date,
    /// Only targets within this area: `CN`, a province (`210000` or `21`),
    /// a city (`210100` or `2101`), a district, or `zone:ID`.
    #[arg(long)]
    pub scope: Option<String>,
    /// Only the target with this id.
    #[arg(long)]
    pub target: Option<String>,
    /// Targets from this TOML file instead of the shipped ones.
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// How many candidates to list per target.
    #[arg(long, default_value_t = 5)]
    pub candidates: usize,
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// One or more days, comma-separated: `2016-12-31,2017-12-31,…`.
    #[arg(long, value_delimiter = ',', required = true, value_parser = parse_day)]
    pub as_of: Vec<jiff::civil::Date>,
    /// A built-in rule set name or a path to a rule set TOML file.
    #[arg(long, default_value = "gei")]
    pub rules: String,
    /// Restrict to a province (`440000`, or its prefix `44`), a city
    /// (`440300`, or `4403`) or a national zone (`zone:ID`).
    #[arg(long)]
    pub scope: Option<String>,
    /// The report's language.
    #[arg(long, default_value = "zh", value_parser = ["zh", "en"])]
    pub lang: String,
    #[arg(long, value_parser = ["html", "xlsx", "csv", "json", "md"])]
    pub format: String,
    /// The file to write (a folder for csv).
    #[arg(long)]
    pub out: PathBuf,
    /// Region definitions (TOML) replacing the shipped ones.
    #[arg(long)]
    pub regions: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many enterprises.
    #[arg(long, default_value_t = 10_000)]
    pub enterprises: usize,
    /// The same seed gives the same dataset, byte for byte.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Add the rarer relocation cases of the interchange spec (repeated
    /// same-day rows, year-end, before founding, on the day of a listing or
    /// exit, to another province) to about a quarter of the Chinese
    /// enterprises; the rest of the dataset is unchanged.
    #[arg(long)]
    pub relocation_quirks: bool,
    /// The folder to write.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportListArgs {
    /// The list: a `.csv` or `.xlsx` file.
    pub file: PathBuf,
    /// A built-in profile name (`cbinsights-2022`) or a path to a profile TOML file.
    #[arg(long, default_value = "cbinsights-2022")]
    pub profile: String,
    /// The day the list describes, YYYY-MM-DD: its valuations are as of this day.
    #[arg(long, value_parser = parse_day)]
    pub list_date: jiff::civil::Date,
    /// Citation recorded on every event (default: the profile's source).
    #[arg(long)]
    pub source: Option<String>,
    /// Import the good rows and write the rejected ones, unchanged, to this CSV file.
    #[arg(long, value_name = "REJECTS.csv")]
    pub skip_invalid: Option<PathBuf>,
    /// Show what would be new, updated, unchanged and absent; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Also generate and import a national dataset of this many enterprises,
    /// to try Hatchery at scale (e.g. 1000000).
    #[arg(long)]
    pub enterprises: Option<usize>,
    /// The seed of that dataset.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the summary and exit, without adding the demo workflow and
    /// serving the web interface.
    #[arg(long)]
    pub no_serve: bool,
    /// Where to serve the web interface (default 127.0.0.1:8080, or the
    /// next free port).
    #[arg(long)]
    pub listen: Option<std::net::SocketAddr>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free one).
    #[arg(long, env = "HATCHERY_LISTEN")]
    pub listen: Option<std::net::SocketAddr>,
    /// A TOML settings file (`hatchery serve --print-config` prints a commented sample).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print a commented sample settings file and exit.
    #[arg(long)]
    pub print_config: bool,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account, e.g. the first ministry administrator. The password
    /// comes from the environment variable named by --password-env; else, on
    /// a terminal, from a prompt that does not echo it; else from the first
    /// line of standard input.
    CreateUser {
        #[arg(long)]
        username: String,
        /// What the account is for.
        #[arg(long, value_parser = PossibleValuesParser::new(Role::ALL.map(Role::as_str)))]
        role: String,
        /// `CN`, a six-digit division code (`440000`, `440300`, `440305`) or
        /// `zone:ID`.
        #[arg(long, default_value = "CN")]
        jurisdiction: String,
        #[arg(long)]
        display_name: Option<String>,
        /// The enterprise an enterprise account belongs to (it must be in the
        /// ledger).
        #[arg(long)]
        enterprise: Option<String>,
        #[arg(long, default_value = "HATCHERY_PASSWORD")]
        password_env: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain (names the first edited, deleted or reordered
    /// entry), the chain against signed checkpoints, and every workflow
    /// record against the log (names each row no logged step explains).
    Verify {
        /// A checkpoint file `audit checkpoint` wrote; repeat for several.
        /// The chain must still hold the hash each one vouches for.
        #[arg(long = "checkpoint", value_name = "FILE", requires = "public_key")]
        checkpoints: Vec<PathBuf>,
        /// The key the checkpoints must be signed with: its 64 hex digits,
        /// or the KEYFILE.pub that `audit keygen` wrote. Never taken from
        /// the checkpoint itself.
        #[arg(long, value_name = "KEY|FILE")]
        public_key: Option<String>,
    },
    /// Make a key for signing checkpoints: KEYFILE (readable by its owner
    /// only) and its public half KEYFILE.pub. Neither is overwritten. Keep
    /// the key away from the database.
    Keygen {
        #[arg(long, value_name = "KEYFILE")]
        out: PathBuf,
    },
    /// Verify the log (and the chain against earlier checkpoints), then
    /// write its last entry signed with KEYFILE to a new FILE, for an
    /// operator or an external witness to keep.
    Checkpoint {
        #[arg(long, value_name = "KEYFILE")]
        key: PathBuf,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// An earlier checkpoint the chain must still reproduce (signed
        /// with the same key); repeat for several.
        #[arg(long = "checkpoint", value_name = "FILE")]
        checkpoints: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PoolCommand {
    /// Re-run the criteria for every pool member and propose promotions, exits and re-reviews.
    Reevaluate {
        #[arg(long, value_parser = parse_day)]
        as_of: jiff::civil::Date,
    },
}

/// Parses `YYYY-MM-DD` with the same strictness as the interchange format.
fn parse_day(text: &str) -> Result<jiff::civil::Date, String> {
    hatchery_core::date::parse_date(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_roles_offered_are_the_roles_accepted() {
        let command = Cli::command();
        let create = command
            .find_subcommand("admin")
            .and_then(|admin| admin.find_subcommand("create-user"))
            .unwrap();
        let role = create
            .get_arguments()
            .find(|arg| arg.get_id() == "role")
            .unwrap();
        let offered: Vec<String> = role
            .get_possible_values()
            .iter()
            .map(|value| value.get_name().to_owned())
            .collect();
        assert_eq!(offered.len(), Role::ALL.len());
        for name in &offered {
            assert!(Role::parse(name).is_some(), "{name} is offered but refused");
        }
        let help = create.clone().render_long_help().to_string();
        assert!(!help.contains("enterprise_user"), "{help}");
    }
}
