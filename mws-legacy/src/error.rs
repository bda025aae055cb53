//! Errors: MWS error responses with Amazon's type, code, message and request id; XML that
//! cannot be read (with the element path); transport failures; invalid requests.

use std::fmt;
use std::time::Duration;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong talking to MWS or reading its documents.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// MWS answered with an `ErrorResponse` (or a non-2xx status).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// A document could not be read; the error names the element path.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// The HTTP exchange failed (connect, timeout, body read).
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The `Content-MD5` MWS sent does not match the body received.
    #[error("Content-MD5 mismatch: header says {expected}, body hashes to {actual}")]
    ContentMd5Mismatch {
        /// The value of the response header.
        expected: String,
        /// Base64 MD5 of the body actually received.
        actual: String,
    },
    /// A response that must carry `Content-MD5` did not.
    #[error("the response carries no Content-MD5 header")]
    ContentMd5Missing,
    /// The request breaks a rule MWS enforces (checked before anything is sent).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The retry budget (attempts or total deadline) ran out; holds the last error.
    #[error("gave up after {attempts} attempts: {last}")]
    RetriesExhausted {
        /// How many requests were sent.
        attempts: u32,
        /// The error of the last attempt.
        last: Box<Error>,
    },
}

/// An MWS error response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The MWS operation (`ListOrders`).
    pub operation: &'static str,
    /// HTTP status.
    pub status: u16,
    /// The `<Error>` elements (usually one). Empty when the body was not an MWS error.
    pub errors: Vec<MwsError>,
    /// `RequestID` (or `RequestId`) of the response, or the `x-mws-request-id` header.
    pub request_id: Option<String>,
    /// The start of the body when it was not an MWS error document.
    pub body_excerpt: Option<String>,
}

impl ApiError {
    /// The code of the first error (`RequestThrottled`, `InvalidParameterValue`, ...).
    pub fn code(&self) -> Option<&str> {
        self.errors.first().map(|e| e.code.as_str())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MWS {} failed with HTTP {}", self.operation, self.status)?;
        for e in &self.errors {
            write!(f, "; {}: {}", e.code, e.message)?;
            if let Some(t) = &e.error_type {
                write!(f, " (type {t})")?;
            }
        }
        if let Some(body) = &self.body_excerpt {
            write!(f, "; body: {body}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

/// One `<Error>` of an MWS `ErrorResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MwsError {
    /// `Sender` or `Receiver`; `None` when MWS sent an empty `<Type/>` (throttling does).
    pub error_type: Option<String>,
    /// The error code.
    pub code: String,
    /// The human-readable message.
    pub message: String,
    /// The text of `<Detail>`, when not empty.
    pub detail: Option<String>,
}

/// A document that could not be read, with the path of the element at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read MWS XML at {path}: {message}")]
#[non_exhaustive]
pub struct XmlError {
    /// Element path such as `ListOrdersResponse/ListOrdersResult/Orders/Order[2]/PurchaseDate`.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

impl XmlError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// What a caller (or the retry loop) can do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// May succeed if tried again soon (connection reset, timeout, corrupted body).
    Transient,
    /// MWS throttled the call (`RequestThrottled`, `QuotaExceeded`); wait, then retry.
    Throttled {
        /// How long MWS said to wait, when it said so.
        retry_after: Option<Duration>,
    },
    /// MWS failed (HTTP 5xx other than throttling); retry with backoff.
    Server,
    /// The request is wrong; retrying the same request will fail the same way.
    Client,
    /// The credentials or signature were refused.
    Auth,
    /// A response arrived whole but does not match the model (XML that does not parse
    /// into the expected shape, a missing `Content-MD5`). Retrying the same call returns
    /// the same body, so this is not retryable. `spapi-client` has the same kind with the
    /// same meaning.
    Decode,
}

impl ErrorKind {
    /// Whether the retry loop tries again after this kind of error.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::Transient | ErrorKind::Throttled { .. } | ErrorKind::Server
        )
    }
}

const AUTH_CODES: &[&str] = &[
    "AccessDenied",
    "InvalidAccessKeyId",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

impl Error {
    /// Classifies the error for retry decisions.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api(api) => match api.code() {
                Some("RequestThrottled" | "QuotaExceeded") => {
                    ErrorKind::Throttled { retry_after: None }
                }
                Some(code) if AUTH_CODES.contains(&code) => ErrorKind::Auth,
                _ if api.status == 401 || api.status == 403 => ErrorKind::Auth,
                _ if api.status == 429 => ErrorKind::Throttled { retry_after: None },
                _ if api.status >= 500 => ErrorKind::Server,
                _ => ErrorKind::Client,
            },
            Error::Xml(_) => ErrorKind::Decode,
            Error::Transport(e) => {
                if e.is_builder() || e.is_redirect() {
                    ErrorKind::Client
                } else {
                    ErrorKind::Transient
                }
            }
            Error::ContentMd5Mismatch { .. } => ErrorKind::Transient,
            Error::ContentMd5Missing => ErrorKind::Decode,
            Error::InvalidRequest(_) => ErrorKind::Client,
            Error::RetriesExhausted { last, .. } => last.kind(),
        }
    }

    /// The MWS error code, if MWS sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.code(),
            Error::RetriesExhausted { last, .. } => last.code(),
            _ => None,
        }
    }

    /// The MWS request id, if known.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.request_id.as_deref(),
            Error::RetriesExhausted { last, .. } => last.request_id(),
            _ => None,
        }
    }

    /// The API error, if this is (or wraps) one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            Error::RetriesExhausted { last, .. } => last.api(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str) -> Error {
        Error::Api(Box::new(ApiError {
            operation: "ListOrders",
            status,
            errors: vec![MwsError {
                error_type: None,
                code: code.into(),
                message: "m".into(),
                detail: None,
            }],
            request_id: Some("rid".into()),
            body_excerpt: None,
        }))
    }

    #[test]
    fn kinds() {
        assert!(matches!(
            api(503, "RequestThrottled").kind(),
            ErrorKind::Throttled { .. }
        ));
        assert!(matches!(
            api(503, "QuotaExceeded").kind(),
            ErrorKind::Throttled { .. }
        ));
        assert_eq!(api(403, "SignatureDoesNotMatch").kind(), ErrorKind::Auth);
        assert_eq!(api(500, "InternalError").kind(), ErrorKind::Server);
        assert_eq!(api(400, "InvalidParameterValue").kind(), ErrorKind::Client);
        assert_eq!(
            api(404, "FeedProcessingResultNotReady").kind(),
            ErrorKind::Client
        );
        assert!(!ErrorKind::Client.is_retryable());
        assert!(ErrorKind::Server.is_retryable());
    }

    #[test]
    fn a_decode_failure_is_not_retryable() {
        assert_eq!(Error::ContentMd5Missing.kind(), ErrorKind::Decode);
        assert!(!ErrorKind::Decode.is_retryable());
    }

    #[test]
    fn display_has_code_message_and_request_id() {
        let s = api(503, "RequestThrottled").to_string();
        assert!(
            s.contains("RequestThrottled") && s.contains("rid") && s.contains("503"),
            "{s}"
        );
    }
}
