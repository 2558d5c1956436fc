//! The one error shape of the API, and every library error mapped to it once.
//!
//! Every failure answers `{"error": {"code": …, "message": …, "details": …}}`
//! with a fitting status. A 5xx body never says what went wrong inside: the
//! cause chain goes to the log instead.

use axum::Json;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hatchery_app::pool::PoolError;
use hatchery_core::services::RequestError;
use hatchery_core::workflow::TransitionError;
use hatchery_store::StoreError;
use hatchery_store::workflow::WorkflowError;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `version_conflict`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// Structured context (the versions of a conflict, the problems of an import…).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<Value>,
}

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Option<Value>,
    retry_after: Option<u64>,
    /// The cause of a 5xx, logged and never sent.
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after: None,
            source: None,
        }
    }

    /// Adds structured details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// 400: the request is malformed.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 401: no valid credentials.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    /// 403: the account may never do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 404: no such thing, or not within the account's jurisdiction (the two
    /// are deliberately indistinguishable).
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such resource within your jurisdiction",
        )
    }

    /// 409: the request conflicts with the current state.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 422: well-formed but invalid.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 429: too many attempts; try again after `seconds`.
    pub fn too_many(message: impl Into<String>, seconds: u64) -> Self {
        let mut error = Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", message);
        error.retry_after = Some(seconds);
        error
    }

    /// 500: something failed inside; `source` is logged, not sent.
    pub fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        let mut error = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "something went wrong on our side; it has been logged",
        );
        error.source = Some(source.into());
        error
    }

    /// 503: not ready to serve.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// The response status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The sentence for people.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The structured details, when the error has any (e.g. `problems`:
    /// every field found wrong, each with its `field` and `problem`).
    pub fn details(&self) -> Option<&Value> {
        self.details.as_ref()
    }

    /// The seconds to wait before trying again, for a 429 or 503.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// Logs a 5xx with its cause chain (the body never carries it). Every
    /// edge that turns an `ApiError` into an answer calls this once: the JSON
    /// response here, the web pages in `hatchery-web`.
    pub fn log_if_server_error(&self) {
        if self.status.is_server_error() {
            match &self.source {
                Some(source) => {
                    tracing::error!(code = self.code, cause = %cause_chain(source.as_ref()), "request failed");
                }
                None => {
                    tracing::error!(code = self.code, message = %self.message, "request failed")
                }
            }
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

fn cause_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log_if_server_error();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                details: self.details,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<WorkflowError> for ApiError {
    fn from(error: WorkflowError) -> Self {
        match error {
            WorkflowError::NotFound => Self::not_found(),
            WorkflowError::VersionConflict { expected, actual } => Self::conflict(
                "version_conflict",
                format!(
                    "the record changed since you read it (you sent version {expected}, it is at {actual}): read it again"
                ),
            )
            .with_details(serde_json::json!({ "expected": expected, "actual": actual })),
            WorkflowError::Duplicate(message) => Self::conflict("duplicate", message),
            WorkflowError::QuotaExhausted { limit } => Self::conflict(
                "quota_exhausted",
                format!("the province's quota of {limit} recommendations is used up"),
            ),
            WorkflowError::LimitReached(message) => Self::invalid("limit_reached", message),
            WorkflowError::Refused { field, problem } => {
                Self::invalid("invalid_field", format!("{field}: {problem}"))
                    .with_details(serde_json::json!({ "field": field }))
            }
            error @ (WorkflowError::Corrupt(_) | WorkflowError::Database(_)) => {
                Self::internal(error)
            }
        }
    }
}

impl From<crate::password::PasswordError> for ApiError {
    fn from(error: crate::password::PasswordError) -> Self {
        use crate::password::PasswordError;
        match error {
            PasswordError::Busy { retry_after } => {
                let mut busy = Self::unavailable(error.to_string());
                busy.retry_after = Some(retry_after);
                busy
            }
            error if error.is_policy() => Self::invalid("weak_password", error.to_string()),
            error => Self::internal(error),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Rejected(rejections) => Self::invalid(
                "import_rejected",
                format!(
                    "the import conflicts with stored data in {} rows; nothing was written",
                    rejections.len()
                ),
            )
            .with_details(serde_json::to_value(&rejections).unwrap_or(Value::Null)),
            other => Self::internal(other),
        }
    }
}

impl From<PoolError> for ApiError {
    fn from(error: PoolError) -> Self {
        match error {
            PoolError::TooFarAhead { .. } => Self::invalid("invalid_date", error.to_string()),
            PoolError::Workflow(e) => e.into(),
            PoolError::Store(e) => e.into(),
        }
    }
}

impl From<TransitionError> for ApiError {
    fn from(error: TransitionError) -> Self {
        let message = error.to_string();
        match error {
            TransitionError::NotPermitted { .. }
            | TransitionError::OwnSubmission
            | TransitionError::OwnDeclaration => Self::forbidden(message),
            TransitionError::OutOfScope | TransitionError::NoSuchObjection(_) => Self::not_found(),
            TransitionError::InvalidState { .. } => Self::conflict("invalid_transition", message),
            TransitionError::ReasonRequired { .. } | TransitionError::ReasonTooLong => {
                Self::invalid("invalid_reason", message)
            }
            TransitionError::Incomplete(missing) => Self::invalid("incomplete", message)
                .with_details(serde_json::json!({ "missing": missing })),
            TransitionError::NoticeRunning { .. } => Self::conflict("notice_running", message),
            TransitionError::NoticeClosed { .. } => Self::conflict("notice_closed", message),
            TransitionError::OpenObjections(_) => Self::conflict("open_objections", message),
            TransitionError::QuotaExhausted { .. } => Self::conflict("quota_exhausted", message),
            // The operator must install the year's holidays: nobody else can fix it.
            TransitionError::Calendar(_) => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "calendar_missing", message)
            }
        }
    }
}

impl From<RequestError> for ApiError {
    fn from(error: RequestError) -> Self {
        let message = error.to_string();
        match error {
            RequestError::NotPermitted { .. } | RequestError::OtherLevel { .. } => {
                Self::forbidden(message)
            }
            RequestError::OutOfScope => Self::not_found(),
            RequestError::InvalidState { .. } | RequestError::TopLevel => {
                Self::conflict("invalid_transition", message)
            }
            RequestError::Field(problem) => Self::invalid("invalid_field", message)
                .with_details(serde_json::json!({ "field": problem.field })),
            RequestError::Satisfaction(_) => Self::invalid("invalid_field", message)
                .with_details(serde_json::json!({ "field": "satisfaction" })),
            // The operator must install the year's holidays: nobody else can fix it.
            RequestError::Calendar(_) => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "calendar_missing", message)
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let text = rejection.body_text();
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "the request body is larger than allowed",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ),
            StatusCode::UNPROCESSABLE_ENTITY => Self::invalid("invalid_body", text),
            _ => Self::bad_request("malformed_json", text),
        }
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "the request body is larger than allowed",
            )
        } else {
            Self::bad_request("unreadable_body", rejection.body_text())
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request("invalid_query", rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::bad_request("invalid_path", rejection.body_text())
    }
}
