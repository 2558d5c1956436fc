//! Published lists over the API: a list file (CSV or a workbook) read with
//! a shipped profile, planned against the ledger — what is new, updated,
//! unchanged and absent, which rows are rejected and why — and, unless it
//! is a dry run, imported: the same audited import as `hatchery
//! import-list`, all or nothing, recorded as the caller's.

use std::path::Path;

use axum::extract::{Multipart, State};
use hatchery_core::workflow::Capability;
use hatchery_lists::{Action, ListError, ListOptions, ListSummary, Profile, import_list_as};
use hatchery_store::ImportOutcome;
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::state::AppState;

/// The extensions a list file may have (what the list reader takes).
const EXTENSIONS: [&str; 8] = ["csv", "tsv", "txt", "xlsx", "xlsm", "xlsb", "xls", "ods"];

/// A list upload: the multipart form's fields.
#[derive(Debug, ToSchema)]
#[allow(dead_code, reason = "documents the multipart form")]
pub struct ListForm {
    /// The list file (CSV, TSV, XLSX, XLS or ODS), named with its extension.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// A shipped profile, e.g. `cbinsights-2022`.
    profile: String,
    /// The day the list describes, `YYYY-MM-DD`.
    list_date: String,
    /// `true` (the default): plan and report only; `false`: import.
    dry_run: Option<bool>,
}

/// A list to read: what the form or a page hands over.
#[derive(Debug, Clone)]
pub struct ListUpload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub profile: String,
    pub list_date: Date,
    pub dry_run: bool,
}

/// A row of the list and what importing it does.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListRowView {
    /// The row's line in the file.
    pub line: u64,
    pub name: String,
    pub enterprise: String,
    /// `new`, `updated` or `unchanged`.
    pub action: String,
}

/// A stored enterprise of an earlier list that this list does not name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AbsentView {
    pub enterprise: String,
    pub name: String,
}

/// A row that cannot be taken as it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RejectedView {
    pub line: u64,
    pub name: Option<String>,
    pub reasons: Vec<String>,
}

/// What a list import did, or would do on a dry run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListImportView {
    pub file: String,
    pub profile: String,
    pub list_date: Date,
    pub dry_run: bool,
    /// Whether the store was written.
    pub imported: bool,
    pub rows_read: usize,
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rows: Vec<ListRowView>,
    pub absent: Vec<AbsentView>,
    pub rejected: Vec<RejectedView>,
    /// What the store did.
    #[schema(value_type = Option<Object>)]
    pub outcome: Option<ImportOutcome>,
}

fn view(summary: &ListSummary, file: &str) -> ListImportView {
    let (new, updated, unchanged) = summary.counts();
    ListImportView {
        file: file.to_owned(),
        profile: summary.profile_key.clone(),
        list_date: summary.list_date,
        dry_run: summary.dry_run,
        imported: summary.outcome.is_some(),
        rows_read: summary.rows_read,
        new,
        updated,
        unchanged,
        rows: summary
            .rows
            .iter()
            .map(|r| ListRowView {
                line: r.line,
                name: r.name.clone(),
                enterprise: r.id.to_string(),
                action: match r.action {
                    Action::New => "new",
                    Action::Updated { .. } => "updated",
                    Action::Unchanged => "unchanged",
                }
                .to_owned(),
            })
            .collect(),
        absent: summary
            .absent
            .iter()
            .map(|a| AbsentView {
                enterprise: a.id.to_string(),
                name: a.name.clone(),
            })
            .collect(),
        rejected: summary
            .rejected
            .iter()
            .map(|r| RejectedView {
                line: r.line,
                name: r.name.clone(),
                reasons: r.reasons.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        outcome: summary.outcome.clone(),
    }
}

/// Whether the caller may import lists (the pages ask before showing the
/// upload form).
pub fn may_import(caller: &Caller) -> Result<(), ApiError> {
    caller.require(Capability::ImportData)
}

/// The shipped profiles a list may be read with.
pub fn profiles() -> Vec<&'static str> {
    hatchery_lists::builtin_profiles()
}

/// The file's extension, if a list may have it.
fn extension(file_name: &str) -> Option<String> {
    let extension = Path::new(file_name)
        .extension()?
        .to_str()?
        .to_ascii_lowercase();
    EXTENSIONS
        .contains(&extension.as_str())
        .then_some(extension)
}

/// Reads a list and plans it; unless it is a dry run, imports it — all or
/// nothing, in one transaction with its audit entry naming the caller.
/// What the route and the web interface's list page both do.
pub async fn import_published_list(
    state: &AppState,
    caller: &Caller,
    upload: ListUpload,
) -> Result<ListImportView, ApiError> {
    may_import(caller)?;
    let invalid = |message: String| ApiError::invalid("invalid_list", message);
    let profile = Profile::builtin(upload.profile.trim())
        .ok_or_else(|| {
            ApiError::invalid(
                "unknown_profile",
                format!(
                    "no shipped profile '{}' ({})",
                    upload.profile,
                    hatchery_lists::builtin_profiles().join(", ")
                ),
            )
        })?
        .map_err(ApiError::internal)?;
    let extension = extension(&upload.file_name).ok_or_else(|| {
        invalid(format!(
            "a list is a file named .{}",
            EXTENSIONS.join(", .")
        ))
    })?;
    // The list reader reads files: the upload is put in one of its own.
    let folder = tempfile::tempdir().map_err(ApiError::internal)?;
    let path = folder.path().join(format!("list.{extension}"));
    std::fs::write(&path, &upload.bytes).map_err(ApiError::internal)?;
    let options = ListOptions {
        list_date: upload.list_date,
        source: None,
        skip_invalid: None,
        dry_run: upload.dry_run,
        now: state.clock.now(),
    };
    let label = format!("upload {}", upload.file_name);
    let acting = caller.acting(options.now);
    let summary = match import_list_as(
        state.db.as_ref(),
        &path,
        &label,
        &profile,
        &options,
        &acting,
    )
    .await
    {
        Ok(summary) => summary,
        Err(ListError::Rejected(summary)) => {
            let found = view(&summary, &upload.file_name);
            return Err(ApiError::invalid(
                "rejected_rows",
                format!(
                    "{} of {} rows cannot be taken as they are; nothing was imported",
                    found.rejected.len(),
                    found.rows_read
                ),
            )
            .with_details(serde_json::to_value(&found.rejected).unwrap_or_default()));
        }
        Err(ListError::Store(error)) => return Err(error.into()),
        Err(other @ (ListError::Profile(_) | ListError::WriteRejects { .. })) => {
            return Err(ApiError::internal(other));
        }
        // Unreadable, not what the profile describes, a column missing:
        // said in the words of the list reader, without the temporary path.
        Err(other) => {
            let text = other
                .to_string()
                .replace(&path.display().to_string(), &upload.file_name);
            return Err(invalid(text));
        }
    };
    if summary.outcome.is_some() {
        state.ledger.invalidate();
    }
    Ok(view(&summary, &upload.file_name))
}

/// The form's fields, and its file with its name.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub fields: std::collections::BTreeMap<String, String>,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Reads a multipart form: text fields, and one file in `file`.
pub async fn read_form(mut multipart: Multipart) -> Result<UploadForm, ApiError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError::new(e.status(), "invalid_form", e.body_text())
    };
    let mut form = UploadForm::default();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            form.file_name = field.file_name().unwrap_or_default().to_owned();
            form.bytes = field.bytes().await.map_err(bad)?.to_vec();
        } else {
            let text = field.text().await.map_err(bad)?;
            form.fields.insert(name, text);
        }
    }
    Ok(form)
}

/// Reads a published list with a shipped profile and plans it against the
/// ledger; with `dry_run=false`, imports it (all or nothing, audited as
/// the caller's).
#[utoipa::path(
    post, path = "/api/lists", tag = "imports",
    request_body(content = ListForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The plan, and what was imported", body = ListImportView),
        (status = 403, description = "Only the ministry administrator imports", body = ErrorBody),
        (status = 422, description = "Unknown profile, unreadable list, or rejected rows (listed in `details`); nothing was written", body = ErrorBody),
    )
)]
pub async fn upload_list(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Multipart,
) -> Result<Json<ListImportView>, ApiError> {
    // The right to import is checked before a possibly large body is read.
    may_import(&caller)?;
    let form = read_form(multipart).await?;
    let field = |name: &str| form.fields.get(name).map(|v| v.trim().to_owned());
    let list_date = hatchery_core::date::parse_date(&field("list_date").unwrap_or_default())
        .map_err(|e| ApiError::invalid("invalid_list_date", e.to_string()))?;
    let dry_run = match field("dry_run").as_deref() {
        None | Some("" | "true") => true,
        Some("false") => false,
        Some(_) => {
            return Err(ApiError::invalid(
                "invalid_form",
                "dry_run is true or false",
            ));
        }
    };
    let upload = ListUpload {
        file_name: form.file_name,
        bytes: form.bytes,
        profile: field("profile").unwrap_or_default(),
        list_date,
        dry_run,
    };
    Ok(Json(import_published_list(&state, &caller, upload).await?))
}
