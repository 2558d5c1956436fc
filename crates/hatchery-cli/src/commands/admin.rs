//! The server and the workflow's operator commands: `serve`, `admin
//! create-user`, `audit verify`, `pool reevaluate`.

use std::io::BufRead;

use anyhow::Context;
use hatchery_server::admin::{NewUser, create_account, reevaluate};
use hatchery_server::service::verify_audit;
use hatchery_server::{Application, DatabaseUrl, Settings, SystemClock, open_backend};

use crate::cli::{AdminCommand, AuditCommand, PoolCommand, ServeArgs};
use crate::error::{CliError, CliResult};

pub async fn serve(db: &str, args: &ServeArgs) -> CliResult {
    if args.print_config {
        print!("{}", Settings::sample());
        return Ok(());
    }
    let mut settings = Settings::load(args.config.as_deref()).context("reading the settings")?;
    settings.database_url = DatabaseUrl::new(db);
    if let Some(listen) = args.listen {
        settings.listen = listen;
    }
    let application = Application::build(settings)
        .await
        .context("starting the server")?;
    let address = application.local_addr().context("the listening address")?;
    eprintln!("hatchery serving on http://{address}");
    application
        .run_until_stopped()
        .await
        .context("the server stopped")?;
    Ok(())
}

async fn backend(db: &str) -> CliResult<std::sync::Arc<dyn hatchery_server::Backend>> {
    Ok(open_backend(&DatabaseUrl::new(db))
        .await
        .context("opening the store")?)
}

pub async fn admin(db: &str, command: AdminCommand) -> CliResult {
    let AdminCommand::CreateUser {
        username,
        role,
        jurisdiction,
        display_name,
        enterprise,
        password_env,
    } = command;
    let password = match std::env::var(&password_env) {
        Ok(password) => password,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let db = backend(db).await?;
    let account = create_account(
        &*db,
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
    .await
    .map_err(|e| CliError::Usage(e.to_string()))?;
    println!(
        "created account {} ({}, {})",
        account.username, account.role, account.jurisdiction
    );
    Ok(())
}

pub async fn audit(db: &str, command: AuditCommand) -> CliResult {
    let AuditCommand::Verify = command;
    let db = backend(db).await?;
    let verification = verify_audit(&*db).await.context("reading the audit log")?;
    match verification.first_bad {
        None => {
            println!(
                "audit log intact: {} entries verified",
                verification.entries
            );
            Ok(())
        }
        Some(bad) => Err(CliError::Rejected {
            summary: format!(
                "the audit log has been tampered with; the first bad entry is #{}",
                bad.seq
            ),
            problems: vec![format!("entry #{}: {:?}", bad.seq, bad.problem)],
        }),
    }
}

pub async fn pool(db: &str, command: PoolCommand) -> CliResult {
    let PoolCommand::Reevaluate { as_of } = command;
    let db = backend(db).await?;
    let report = reevaluate(&*db, &SystemClock, as_of)
        .await
        .map_err(|e| CliError::Other(anyhow::anyhow!("{e}")))?;
    println!("{}", serde_json::to_string_pretty(&report).context("json")?);
    Ok(())
}
