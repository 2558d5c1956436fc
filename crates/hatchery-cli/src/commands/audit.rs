//! `hatchery audit verify | keygen | checkpoint`: the audit log checked, and
//! its head signed into checkpoint files kept outside the database.

use std::path::{Path, PathBuf};

use hatchery_app::audit::keys::{
    create_key_file, public_key_path, read_checkpoint, read_public_key, read_secret_key,
    write_checkpoint,
};
use hatchery_app::audit::{
    AuditVerification, CheckpointRefused, take_checkpoint, verify_audit_against,
};
use hatchery_app::{Backend, SystemClock};
use hatchery_core::workflow::Clock;
use hatchery_core::workflow::checkpoint::{Checkpoint, VerifyingKey, public_key_text};

use crate::cli::AuditCommand;
use crate::error::{CliError, CliResult};

/// `hatchery audit keygen --out KEYFILE`.
pub fn keygen(out: &Path) -> CliResult {
    let public = create_key_file(out)?;
    println!(
        "wrote the checkpoint key {} (keep it private, away from the database) and its public half {}",
        out.display(),
        public_key_path(out).display()
    );
    println!("public key: {}", public_key_text(&public));
    Ok(())
}

/// `hatchery audit verify` and `hatchery audit checkpoint`.
pub async fn run(db: &dyn Backend, command: AuditCommand) -> CliResult {
    match command {
        AuditCommand::Verify {
            checkpoints,
            public_key,
        } => {
            let trusted = public_key.as_deref().map(read_public_key).transpose()?;
            let checkpoints = checked(&checkpoints, trusted.as_ref())?;
            let verification = verify_audit_against(db, &checkpoints).await?;
            if !verification.ok {
                return Err(tampered(&verification));
            }
            println!(
                "audit log intact: {} entries verified{}; every workflow record explained by the log",
                verification.entries,
                match checkpoints.len() {
                    0 => String::new(),
                    1 => ", and the checkpoint reproduced".to_owned(),
                    n => format!(", and all {n} checkpoints reproduced"),
                }
            );
            Ok(())
        }
        AuditCommand::Checkpoint {
            key,
            out,
            checkpoints,
        } => {
            let key = read_secret_key(&key)?;
            let previous = checked(&checkpoints, Some(&key.verifying_key()))?;
            let signed = take_checkpoint(db, &previous, &key, SystemClock.now())
                .await
                .map_err(|refused| match refused {
                    CheckpointRefused::Store(error) => CliError::Workflow(error),
                    CheckpointRefused::Unverified(verification) => tampered(&verification),
                })?;
            write_checkpoint(&out, &signed)?;
            println!(
                "checkpoint {}: entry #{} hash {}, signed by {}",
                out.display(),
                signed.seq,
                signed.head,
                signed.public_key
            );
            Ok(())
        }
        AuditCommand::Keygen { out } => keygen(&out),
    }
}

/// The checkpoints in `files`, each refused unless `trusted` signed it.
fn checked(files: &[PathBuf], trusted: Option<&VerifyingKey>) -> CliResult<Vec<Checkpoint>> {
    let Some(trusted) = trusted else {
        return Ok(Vec::new());
    };
    let mut problems = Vec::new();
    let mut checkpoints = Vec::new();
    for file in files {
        match read_checkpoint(file) {
            Ok(signed) => match signed.verify(trusted) {
                Ok(checkpoint) => checkpoints.push(checkpoint),
                Err(refused) => problems.push(format!("{}: {refused}", file.display())),
            },
            Err(error) => problems.push(crate::error::chain(&error)),
        }
    }
    if problems.is_empty() {
        return Ok(checkpoints);
    }
    Err(CliError::Rejected {
        summary: format!(
            "{} checkpoint{} refused; nothing was verified",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ),
        problems,
    })
}

/// The failure that names everything verification found wrong.
fn tampered(verification: &AuditVerification) -> CliError {
    let mut problems = Vec::new();
    if let Some(bad) = &verification.first_bad {
        problems.push(format!("entry #{}: {:?}", bad.seq, bad.problem));
    }
    for check in verification.checkpoints.iter().filter(|c| !c.ok) {
        problems.push(format!(
            "checkpoint of entry #{} taken {}: {}",
            check.seq,
            check.at,
            check.problem.as_deref().unwrap_or("not reproduced")
        ));
    }
    for record in &verification.unexplained {
        problems.push(format!("{}: {}", record.record, record.problem));
    }
    let summary = match &verification.first_bad {
        Some(bad) => format!(
            "the audit log has been tampered with; the first bad entry is #{}",
            bad.seq
        ),
        None if verification.checkpoints.iter().any(|c| !c.ok) => {
            "the audit log has been rewritten since a checkpoint".to_owned()
        }
        None => format!(
            "{} workflow record{} not explained by the audit log",
            verification.unexplained.len(),
            if verification.unexplained.len() == 1 {
                " is"
            } else {
                "s are"
            }
        ),
    };
    CliError::Rejected { summary, problems }
}
