//! HTTP errors. Every error has the same JSON body, `{"error": {"code", "message", "field",
//! "reason"}}`, and no error ever carries personal data or internals: a 500 says only that it
//! happened. `reason` is a snake_case code of *why* for the refusals a console shows (`not_new`,
//! `closed`, `resource_busy`...), which it translates; `message` is English, for logs and people
//! reading the API.
//! [`CoreError`] is why the core refused a command; it maps onto an [`Error`].

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// The body is not JSON at all, or not the declared content type.
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A 409 with the code of why (`reason`), for a console to translate.
    #[error("{message}")]
    ConflictBecause {
        reason: &'static str,
        message: String,
    },
    /// A 422 naming the field, with the code of why (`no_number`...).
    #[error("{field}: {message}")]
    InvalidBecause {
        field: String,
        reason: &'static str,
        message: String,
    },
    /// A 403 with the code of why (`not_handler`...).
    #[error("{message}")]
    ForbiddenBecause {
        reason: &'static str,
        message: String,
    },
    #[error("{0}")]
    TooManyRequests(String),
    /// The caller's rate limit is spent; `Retry-After` tells when to try again.
    #[error("rate limit reached; retry in {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    /// The body is larger than `server.max_body_bytes`.
    #[error("request body larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// A dependency (storage) is down: try again; nothing was accepted.
    #[error("{0}")]
    Unavailable(String),
    /// The store failed (`impl From<StoreError>` is in `store`).
    #[error(transparent)]
    Store(Box<dyn std::error::Error + Send + Sync + 'static>),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Why a command was refused. The HTTP layer maps these to 4xx/503.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum CoreError {
    #[error("{0} not found")]
    NotFound(String),
    /// The state does not allow the command; `reason` is the code of why (`not_new`, `closed`,
    /// `not_acknowledged`, `wrong_status`, `resource_busy`, `resource_off_duty`,
    /// `resource_exists`, `resource_committed`).
    #[error("{message}")]
    Conflict {
        reason: &'static str,
        message: String,
    },
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// Storage could not commit; nothing was written.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A 409 the console explains by `reason`.
    pub fn conflict_because(reason: &'static str, message: impl Into<String>) -> Self {
        Error::ConflictBecause {
            reason,
            message: message.into(),
        }
    }

    /// A 422 naming `field`, which the console explains by `reason`.
    pub fn invalid_because(
        field: impl Into<String>,
        reason: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Error::InvalidBecause {
            field: field.into(),
            reason,
            message: message.into(),
        }
    }

    /// A 403 the console explains by `reason`.
    pub fn forbidden_because(reason: &'static str, message: impl Into<String>) -> Self {
        Error::ForbiddenBecause {
            reason,
            message: message.into(),
        }
    }

    /// The code of why, for the refusals that carry one.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            Error::ConflictBecause { reason, .. }
            | Error::InvalidBecause { reason, .. }
            | Error::ForbiddenBecause { reason, .. } => Some(reason),
            _ => None,
        }
    }

    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            Error::Validation { .. } | Error::InvalidBecause { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Invalid)
            }
            Error::ConflictBecause { .. } => (StatusCode::CONFLICT, ErrorCode::Conflict),
            Error::ForbiddenBecause { .. } => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            Error::BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            Error::Unauthorized => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized),
            Error::Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            Error::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            Error::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict),
            Error::TooManyRequests(_) | Error::RateLimited { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited)
            }
            Error::PayloadTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge),
            Error::Unavailable(_) | Error::Store(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable)
            }
            Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        }
    }
}

impl From<CoreError> for Error {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::NotFound(what) => Error::NotFound(what),
            CoreError::Conflict { reason, message } => Error::ConflictBecause { reason, message },
            CoreError::Validation { field, message } => Error::Validation { field, message },
            CoreError::Unavailable(m) => Error::Unavailable(m),
        }
    }
}

/// Every error: the same body, naming the offending field for a 422.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// What went wrong, for a person; never personal data or internals.
    pub message: String,
    /// The field at fault (`alarm_type`, `location.lat`, `Idempotency-Key`...), for a 422.
    pub field: Option<String>,
    /// Why, as a snake_case code a console translates (`not_new`, `closed`, `resource_busy`,
    /// `not_acknowledged`, `wrong_status`, `resource_off_duty`, `not_handler`,
    /// `contact_blocked`, `no_number`...), for the refusals that have one; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Machine-readable error codes.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Invalid,
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    TooLarge,
    Unavailable,
    Internal,
    /// The request did not complete within `server.request_timeout_ms` (408).
    Timeout,
}

/// The logged form of an error, kept in the response extensions for the logging middleware.
#[derive(Clone, Debug)]
pub(crate) struct LoggedError(pub String);

impl Error {
    /// The body's `error` object: what a client is told (never personal data or internals).
    pub fn detail(&self) -> ErrorDetail {
        let (_, code) = self.status_and_code();
        let field = match self {
            Error::Validation { field, .. } | Error::InvalidBecause { field, .. } => {
                Some(field.clone())
            }
            _ => None,
        };
        let message = match self {
            Error::Validation { message, .. } | Error::InvalidBecause { message, .. } => {
                message.clone()
            }
            Error::Store(_) => "storage unavailable; nothing was accepted, try again".into(),
            Error::Internal(_) => "internal error".into(),
            other => other.to_string(),
        };
        ErrorDetail {
            code,
            message,
            field,
            reason: self.reason().map(str::to_owned),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, _) = self.status_and_code();
        let body = ErrorBody {
            error: self.detail(),
        };
        let mut response = (status, Json(body)).into_response();
        response
            .extensions_mut()
            .insert(LoggedError(format!("{self:#}")));
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("1"));
        }
        if let Error::RateLimited { retry_after_s } = &self {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from(*retry_after_s));
        }
        response
    }
}
