//! The server and the workflow's operator commands: `serve`, `admin
//! create-user`, `pool reevaluate`.

use std::io::{BufRead, IsTerminal};

use anyhow::Context;
use hatchery_app::accounts::{NewUser, create_initial_account};
use hatchery_app::pool::reevaluate_stored;
use hatchery_app::{Backend, DatabaseUrl, SystemClock};
use hatchery_server::{Application, Settings};

use crate::cli::{AdminCommand, PoolCommand, ServeArgs};
use crate::error::{CliError, CliResult};

/// `hatchery serve`. The store is `--db` (or `HATCHERY_DB`) when given,
/// else the settings file's `database_url`, else the default file.
pub async fn serve(db: Option<&str>, args: &ServeArgs) -> CliResult {
    if args.print_config {
        print!("{}", Settings::sample());
        return Ok(());
    }
    let mut settings = Settings::load(args.config.as_deref()).context("reading the settings")?;
    if let Some(db) = db {
        settings.database_url = DatabaseUrl::new(db);
    }
    if let Some(listen) = args.listen {
        settings.listen = listen;
    }
    let pages = hatchery_web::pages().context("assembling the web pages")?;
    let application = Application::build(settings)
        .await
        .context("starting the server")?
        .with_pages(pages);
    let address = application.local_addr().context("the listening address")?;
    eprintln!("hatchery serving on http://{address}");
    application
        .run_until_stopped()
        .await
        .context("the server stopped")?;
    Ok(())
}

/// The new account's password: from the environment variable if set; else,
/// on a terminal, typed twice at a prompt that does not echo; else the
/// first line of standard input (a pipe).
fn read_password(variable: &str) -> CliResult<String> {
    if let Ok(password) = std::env::var(variable) {
        return Ok(password);
    }
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").context("reading the password")?;
        let again =
            rpassword::prompt_password("Password again: ").context("reading the password")?;
        if first != again {
            return Err(CliError::Rejected {
                summary: "the two passwords differ; nothing was created".into(),
                problems: Vec::new(),
            });
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// `hatchery admin create-user`.
pub async fn admin(db: &dyn Backend, command: AdminCommand) -> CliResult {
    let AdminCommand::CreateUser {
        username,
        role,
        jurisdiction,
        display_name,
        enterprise,
        password_env,
    } = command;
    let password = read_password(&password_env)?;
    let account = create_initial_account(
        db,
        &SystemClock,
        Default::default(),
        NewUser {
            display_name: display_name.unwrap_or_else(|| username.clone()),
            username,
            role,
            jurisdiction,
            enterprise,
            password,
        },
    )
    .await?;
    println!(
        "created account {} ({}, {}); its owner changes the password at first sign-in",
        account.username, account.role, account.jurisdiction
    );
    Ok(())
}

/// `hatchery pool reevaluate`.
pub async fn pool(db: &dyn Backend, command: PoolCommand) -> CliResult {
    let PoolCommand::Reevaluate { as_of } = command;
    let report = reevaluate_stored(db, &SystemClock, as_of).await?;
    println!("{}", serde_json::to_string_pretty(&report).context("json")?);
    Ok(())
}
