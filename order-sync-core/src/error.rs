//! Errors of the host, state and Amazon sides, and of the jobs.

use std::time::Duration;

/// A boxed error from an adapter's backend (database driver, HTTP client, ...).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What the caller can do about an error. Retry and job logic branch only on this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A network or availability hiccup: retry later.
    Transient,
    /// Rate limited: retry after the given time when known.
    Throttled {
        /// How long to wait, when the server said.
        retry_after: Option<Duration>,
    },
    /// The server failed (5xx): retry later.
    Server,
    /// The request was refused as invalid: retrying the same request will not help.
    Client,
    /// Credentials are missing, expired or lack a role.
    Auth,
}

impl ErrorKind {
    /// Whether the same request may succeed later.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::Transient | ErrorKind::Throttled { .. } | ErrorKind::Server
        )
    }
}

/// An error from the Amazon side.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Amazon {kind:?} error{}: {message}", code.as_deref().map(|c| format!(" {c}")).unwrap_or_default())]
pub struct AmazonError {
    /// What can be done about it.
    pub kind: ErrorKind,
    /// Amazon's error code (e.g. `InvalidInput`), when it sent one.
    pub code: Option<String>,
    /// Amazon's message (or a transport description).
    pub message: String,
    /// Amazon's request id, when known.
    pub request_id: Option<String>,
}

impl AmazonError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: None,
            message: message.into(),
            request_id: None,
        }
    }

    /// Adds Amazon's error code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// What can be done about it.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

/// An error from a host adapter (order store or warehouse).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The host refused this one order (bad data, unknown SKU, ...). The engine parks the
    /// order with this reason and carries on with the others.
    #[error("host rejected the order: {reason}")]
    Rejected {
        /// Why, in the host's words.
        reason: String,
    },
    /// The host referred to an order or shipment it does not have.
    #[error("not found in the host: {what}")]
    NotFound {
        /// What was missing.
        what: String,
    },
    /// The host is unavailable. The engine stops the run without moving any cursor.
    #[error("host unavailable: {0}")]
    Unavailable(#[source] BoxError),
}

impl StoreError {
    /// What can be done about it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::Rejected { .. } | StoreError::NotFound { .. } => ErrorKind::Client,
            StoreError::Unavailable(_) => ErrorKind::Transient,
        }
    }

    /// A host unavailable error from a message.
    pub fn unavailable(message: impl Into<String>) -> Self {
        StoreError::Unavailable(message.into().into())
    }
}

/// An error from the sync state adapter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// Another writer moved the cursor first (optimistic concurrency); nothing was applied.
    #[error("cursor conflict: expected {expected:?}, found {found:?}")]
    CursorConflict {
        /// The position this writer started from.
        expected: Option<time::OffsetDateTime>,
        /// The position found in the state.
        found: Option<time::OffsetDateTime>,
    },
    /// The state backend failed.
    #[error("sync state backend: {0}")]
    Backend(#[source] BoxError),
    /// An account identity cannot be resolved: it names no seller, or it contradicts what
    /// the account directory already knows (see [`crate::accounts`]). Nothing was stored.
    #[error("account identity: {0}")]
    Identity(String),
}

impl StateError {
    /// What can be done about it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            StateError::CursorConflict { .. } => ErrorKind::Client,
            StateError::Backend(_) => ErrorKind::Transient,
            StateError::Identity(_) => ErrorKind::Client,
        }
    }

    /// A backend error from a message.
    pub fn backend(message: impl Into<String>) -> Self {
        StateError::Backend(message.into().into())
    }
}

/// Why a job run stopped early.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// Amazon failed in a way that stops the run (listing, auth, throttling beyond the
    /// client's retries).
    #[error(transparent)]
    Amazon(#[from] AmazonError),
    /// The host is unavailable.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The sync state failed.
    #[error(transparent)]
    State(#[from] StateError),
    /// The account is configured so the job cannot run.
    #[error("configuration: {0}")]
    Config(String),
    /// Shutdown was requested; work in flight was finished or abandoned safely.
    #[error("cancelled by shutdown")]
    Cancelled,
}

impl SyncError {
    /// What can be done about it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            SyncError::Amazon(e) => e.kind(),
            SyncError::Store(e) => e.kind(),
            SyncError::State(e) => e.kind(),
            SyncError::Config(_) => ErrorKind::Client,
            SyncError::Cancelled => ErrorKind::Transient,
        }
    }
}

/// The result type of the engine.
pub type Result<T, E = SyncError> = std::result::Result<T, E>;
