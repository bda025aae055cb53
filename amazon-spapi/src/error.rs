//! The crate's one error type, and the classification retry and engine code branch on.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One entry of Amazon's `errors[]` list, kept whole.
///
/// Codes are free text (the v0 sandbox uses both `InvalidInput` and `Invalid Input`), so
/// never match them exhaustively.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Amazon's error code, e.g. `InvalidInput`, `QuotaExceeded`, `Unauthorized`.
    pub code: String,
    /// Human-readable message.
    #[serde(default)]
    pub message: String,
    /// Extra details, when Amazon sends them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// What an error means for the caller: retry and job code branch only on this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Amazon throttled the call (HTTP 429, or the client's deadline ran out while waiting
    /// for rate-limit capacity). Retry later.
    Throttled {
        /// How long to wait, when known (SP-API does not send `Retry-After`; the client
        /// fills this from its rate limiter).
        retry_after: Option<Duration>,
    },
    /// A transient failure (timeout, connection reset, 503, LWA `temporarily_unavailable`):
    /// retrying the same call is expected to work.
    Transient,
    /// Amazon failed (5xx): retrying later is expected to work.
    Server,
    /// The request is wrong (4xx other than auth/throttling, or rejected before sending):
    /// retrying will not help until the input changes.
    Client,
    /// Credentials, consent or roles are wrong, expired or revoked: a human must act.
    Auth,
    /// A response arrived whole but does not match the model (the body is not the JSON
    /// the operation declares). Retrying the same call returns the same body, so this is
    /// not retryable; the error names the JSON path. `mws-legacy` has the same kind with
    /// the same meaning.
    Decode,
}

impl ErrorKind {
    /// Whether a retry of the same call can succeed without changing anything.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ErrorKind::Throttled { .. } | ErrorKind::Transient | ErrorKind::Server
        )
    }
}

/// An error answer from an SP-API operation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiFailure {
    /// The operation's id, e.g. `getOrders`.
    pub operation: &'static str,
    /// HTTP status.
    pub status: u16,
    /// `x-amzn-RequestId` of the response.
    pub request_id: Option<String>,
    /// `x-amzn-ErrorType` of the response, when sent (e.g. `TooManyRequestsException`).
    pub error_type: Option<String>,
    /// Amazon's `errors[]`, whole and in order (empty when the body had none).
    pub errors: Vec<ApiError>,
    /// How long the client expects the caller to wait before trying again (429 only).
    pub retry_after: Option<Duration>,
}

impl ApiFailure {
    /// For a 429, which limit Amazon says was exhausted, read from the messages (Listings
    /// names the application-wide ones); [`ThrottleScope::SellingPartner`](crate::ThrottleScope::SellingPartner) when the
    /// message names none. `None` for other statuses.
    pub fn throttle_scope(&self) -> Option<crate::operation::ThrottleScope> {
        if self.status != 429 {
            return None;
        }
        Some(
            self.errors
                .iter()
                .find_map(|e| crate::operation::ThrottleScope::from_message(&e.message))
                .unwrap_or(crate::operation::ThrottleScope::SellingPartner),
        )
    }
}

/// LWA (Login with Amazon) error codes, as Amazon's own clients enumerate them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LwaErrorCode {
    /// `access_denied`: the seller or Amazon refused the authorization.
    AccessDenied,
    /// `invalid_grant`: the refresh token (or authorization code) is revoked, expired or
    /// belongs to another application.
    InvalidGrant,
    /// `invalid_request`: a parameter is missing or malformed.
    InvalidRequest,
    /// `invalid_scope`: the grantless scope is unknown or not allowed for this app.
    InvalidScope,
    /// `server_error`: LWA failed.
    ServerError,
    /// `temporarily_unavailable`: LWA is overloaded; retry later.
    TemporarilyUnavailable,
    /// `unauthorized_client`: the application may not use this grant type.
    UnauthorizedClient,
    /// `invalid_client`: the client id or client secret is wrong.
    InvalidClient,
    /// Any other code, kept verbatim.
    Unknown(String),
}

impl LwaErrorCode {
    /// Parses LWA's `error` field.
    pub fn parse(code: &str) -> Self {
        match code {
            "access_denied" => Self::AccessDenied,
            "invalid_grant" => Self::InvalidGrant,
            "invalid_request" => Self::InvalidRequest,
            "invalid_scope" => Self::InvalidScope,
            "server_error" => Self::ServerError,
            "temporarily_unavailable" => Self::TemporarilyUnavailable,
            "unauthorized_client" => Self::UnauthorizedClient,
            "invalid_client" => Self::InvalidClient,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::AccessDenied => "access_denied",
            Self::InvalidGrant => "invalid_grant",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidScope => "invalid_scope",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::InvalidClient => "invalid_client",
            Self::Unknown(s) => s,
        }
    }

    /// What the user must do about it, in words.
    pub fn remedy(&self) -> &'static str {
        match self {
            Self::InvalidGrant => {
                "refresh token revoked or wrong (or authorization code expired): re-authorize the app in Seller Central and store the new refresh token"
            }
            Self::InvalidClient => {
                "client id/secret wrong: check the LWA credentials of the app in Developer Central (the secret may have been rotated)"
            }
            Self::UnauthorizedClient => {
                "this application may not use this grant type: check the app's registration"
            }
            Self::InvalidScope => "grantless scope unknown or not allowed for this application",
            Self::AccessDenied => {
                "access denied: the selling partner or Amazon refused the authorization"
            }
            Self::InvalidRequest => "malformed token request (a parameter is missing or wrong)",
            Self::ServerError => "Login with Amazon failed internally; retry later",
            Self::TemporarilyUnavailable => {
                "Login with Amazon is temporarily unavailable; retry later"
            }
            Self::Unknown(_) => "unrecognised Login with Amazon error",
        }
    }
}

impl fmt::Display for LwaErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed Login with Amazon token request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LwaFailure {
    /// LWA's `error` code.
    pub code: LwaErrorCode,
    /// LWA's `error_description` (never contains the secrets sent).
    pub description: Option<String>,
    /// HTTP status of the token endpoint.
    pub status: u16,
    /// `x-amzn-RequestId` of the LWA response, when sent.
    pub request_id: Option<String>,
}

/// Every error this crate returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Amazon answered an operation with an error status.
    #[error("{}: HTTP {}{}{}", .0.operation, .0.status, fmt_errors(&.0.errors), fmt_request_id(.0.request_id.as_deref()))]
    Api(Box<ApiFailure>),

    /// The Login with Amazon token endpoint refused to issue a token.
    #[error("Login with Amazon: {} ({}){}", .0.code.remedy(), .0.code, fmt_request_id(.0.request_id.as_deref()))]
    Lwa(Box<LwaFailure>),

    /// A response body did not match the model; `path` is the JSON path of the failure.
    #[error("{operation}: cannot decode response at `{path}`: {source}{}", fmt_request_id(.request_id.as_deref()))]
    Decode {
        /// The operation's id.
        operation: &'static str,
        /// JSON path of the offending value (e.g. `payload.Orders[3].OrderTotal.Amount`).
        path: String,
        /// `x-amzn-RequestId` of the response.
        request_id: Option<String>,
        /// The underlying serde error.
        #[source]
        source: serde_json::Error,
    },

    /// The HTTP exchange failed (connection, TLS, body read).
    #[error("{operation}: transport error: {source}")]
    Transport {
        /// The operation's id (or `lwa` for the token endpoint).
        operation: &'static str,
        /// Whether the request could not even be sent (safe to retry any method).
        not_sent: bool,
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },

    /// An attempt took longer than the configured per-attempt timeout.
    #[error("{operation}: no response within {after:?}")]
    Timeout {
        /// The operation's id.
        operation: &'static str,
        /// The timeout that expired.
        after: Duration,
    },

    /// Waiting for rate-limit capacity would pass the call's total deadline.
    #[error("{operation}: rate limit would delay the call by {wait:?}, past its deadline")]
    RateLimited {
        /// The operation's id.
        operation: &'static str,
        /// How long the call would have had to wait.
        wait: Duration,
    },

    /// An upload to or a download from a pre-signed document URL failed (feed and report
    /// documents). The URL is never part of the error: its query is a signature.
    #[error("{operation}: {message}{}", .status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Document {
        /// What was attempted (`uploadFeedDocument`, `downloadFeedDocument`,
        /// `downloadReportDocument`).
        operation: &'static str,
        /// HTTP status of the storage service's answer, when there was one.
        status: Option<u16>,
        /// What went wrong.
        message: String,
    },

    /// A document arrived whole but its content does not parse (a processing report, a
    /// report): the message names the place.
    #[error("{operation}: cannot read the document: {message}")]
    Report {
        /// What was being read (e.g. `feedProcessingReport`).
        operation: &'static str,
        /// What went wrong, and where.
        message: String,
    },

    /// The request was rejected before sending (contradictory or missing parameters).
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// The client was configured wrongly.
    #[error("invalid client configuration: {0}")]
    Config(String),
}

fn fmt_errors(errors: &[ApiError]) -> String {
    let mut out = String::new();
    for e in errors {
        out.push_str(&format!(" [{}: {}", e.code, e.message));
        if let Some(d) = &e.details {
            out.push_str(&format!(" ({d})"));
        }
        out.push(']');
    }
    out
}

fn fmt_request_id(id: Option<&str>) -> String {
    id.map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
}

impl Error {
    /// An [`Error::Api`] (for test doubles of code that calls this crate).
    ///
    /// ```
    /// use spapi_client::{ApiError, Error, ErrorKind};
    /// let e = Error::api("getOrders", 429, Some("rid-1".into()), vec![ApiError {
    ///     code: "QuotaExceeded".into(),
    ///     message: "You exceeded your quota for the requested resource.".into(),
    ///     details: None,
    /// }]);
    /// assert_eq!(e.kind(), ErrorKind::Throttled { retry_after: None });
    /// assert_eq!(e.request_id(), Some("rid-1"));
    /// ```
    pub fn api(
        operation: &'static str,
        status: u16,
        request_id: Option<String>,
        errors: Vec<ApiError>,
    ) -> Self {
        Error::Api(Box::new(ApiFailure {
            operation,
            status,
            request_id,
            error_type: None,
            errors,
            retry_after: None,
        }))
    }

    /// An [`Error::Lwa`] (for test doubles).
    pub fn lwa(code: LwaErrorCode, status: u16, description: Option<String>) -> Self {
        Error::Lwa(Box::new(LwaFailure {
            code,
            description,
            status,
            request_id: None,
        }))
    }

    /// How callers should treat this error. Retry and job code branch only on this.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api(f) => match f.status {
                429 => ErrorKind::Throttled {
                    retry_after: f.retry_after,
                },
                401 | 403 => ErrorKind::Auth,
                408 | 503 | 504 => ErrorKind::Transient,
                s if s >= 500 => ErrorKind::Server,
                _ => ErrorKind::Client,
            },
            Error::Lwa(f) => match f.code {
                LwaErrorCode::TemporarilyUnavailable => ErrorKind::Transient,
                LwaErrorCode::ServerError => ErrorKind::Server,
                LwaErrorCode::InvalidRequest => ErrorKind::Client,
                LwaErrorCode::Unknown(_) if f.status >= 500 => ErrorKind::Server,
                LwaErrorCode::Unknown(_) if f.status == 429 => {
                    ErrorKind::Throttled { retry_after: None }
                }
                _ => ErrorKind::Auth,
            },
            Error::Decode { .. } | Error::Report { .. } => ErrorKind::Decode,
            Error::Document { status, .. } => match status {
                None | Some(408 | 500..) => ErrorKind::Transient,
                Some(429) => ErrorKind::Throttled { retry_after: None },
                // 403: the pre-signed URL expired, or the Content-Type differs from the one
                // given to createFeedDocument; 404: no such document.
                Some(_) => ErrorKind::Client,
            },
            Error::Transport { .. } | Error::Timeout { .. } => ErrorKind::Transient,
            Error::RateLimited { wait, .. } => ErrorKind::Throttled {
                retry_after: Some(*wait),
            },
            Error::InvalidRequest(_) | Error::Config(_) => ErrorKind::Client,
        }
    }

    /// The `x-amzn-RequestId` of the response that caused this error, if there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(f) => f.request_id.as_deref(),
            Error::Lwa(f) => f.request_id.as_deref(),
            Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// HTTP status of the failed response, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(f) => Some(f.status),
            Error::Lwa(f) => Some(f.status),
            Error::Document { status, .. } => *status,
            _ => None,
        }
    }

    /// Amazon's `errors[]` (empty for errors that did not come from an SP-API answer).
    pub fn api_errors(&self) -> &[ApiError] {
        match self {
            Error::Api(f) => &f.errors,
            _ => &[],
        }
    }

    /// Whether Amazon's errors contain this code.
    pub fn has_code(&self, code: &str) -> bool {
        self.api_errors().iter().any(|e| e.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> Error {
        Error::Api(Box::new(ApiFailure {
            operation: "getOrders",
            status,
            request_id: Some("rid-1".into()),
            error_type: None,
            errors: vec![ApiError {
                code: "InvalidInput".into(),
                message: "Invalid Input".into(),
                details: Some("1001".into()),
            }],
            retry_after: None,
        }))
    }

    #[test]
    fn kinds_follow_status() {
        assert_eq!(api(429).kind(), ErrorKind::Throttled { retry_after: None });
        assert_eq!(api(403).kind(), ErrorKind::Auth);
        assert_eq!(api(400).kind(), ErrorKind::Client);
        assert_eq!(api(503).kind(), ErrorKind::Transient);
        assert_eq!(api(500).kind(), ErrorKind::Server);
        assert!(!api(400).kind().is_retryable());
    }

    #[test]
    fn a_decode_failure_is_not_retryable() {
        let source = serde_json::from_str::<u32>("\"x\"").expect_err("not a number");
        let e = Error::Decode {
            operation: "getOrders",
            path: "payload.Orders[0]".into(),
            request_id: None,
            source,
        };
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(!e.kind().is_retryable());
    }

    #[test]
    fn display_keeps_codes_and_request_id() {
        let s = api(400).to_string();
        assert!(s.contains("InvalidInput: Invalid Input (1001)"), "{s}");
        assert!(s.contains("rid-1"), "{s}");
        assert_eq!(api(400).request_id(), Some("rid-1"));
    }

    #[test]
    fn lwa_errors_say_what_to_fix() {
        let e = Error::Lwa(Box::new(LwaFailure {
            code: LwaErrorCode::parse("invalid_grant"),
            description: None,
            status: 400,
            request_id: None,
        }));
        assert!(e.to_string().contains("refresh token revoked or wrong"));
        assert_eq!(e.kind(), ErrorKind::Auth);
        let e = Error::Lwa(Box::new(LwaFailure {
            code: LwaErrorCode::parse("invalid_client"),
            description: None,
            status: 401,
            request_id: None,
        }));
        assert!(e.to_string().contains("client id/secret wrong"));
    }
}
