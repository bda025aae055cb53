//! Run reports and the notifiers that receive them.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{AccountId, AmazonOrderId};
use crate::state::JobKind;

/// What a run did, in numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunCounts {
    /// Orders read from Amazon (or shipments read from the host, for exports).
    pub fetched: u64,
    /// Orders the host created.
    pub created: u64,
    /// Orders the host updated.
    pub updated: u64,
    /// Orders already up to date (same or newer version held).
    pub unchanged: u64,
    /// Orders skipped by configuration (e.g. FBA while FBA import is off).
    pub skipped: u64,
    /// Orders parked with a reason.
    pub parked: u64,
    /// Parked orders imported on retry.
    pub unparked: u64,
    /// Orders sent to the warehouse.
    pub sent_to_warehouse: u64,
    /// Packages confirmed to Amazon.
    pub exported: u64,
    /// Packages refused before sending.
    pub refused: u64,
    /// Packages held back (future ship date, ...).
    pub held: u64,
    /// Packages Amazon rejected.
    pub rejected: u64,
    /// Orders the host lacked, found by reconciliation.
    pub missing_found: u64,
    /// Orders whose PII was redacted.
    pub redacted: u64,
    /// Outbox attempts whose outcome is unknown (a timeout, a lost answer, a 5xx after the
    /// send); each is verified against Amazon before anything is sent again.
    #[serde(default)]
    pub unknown: u64,
    /// Unknown outcomes that verification found applied on Amazon (not sent again).
    #[serde(default)]
    pub verified: u64,
    /// Outbox attempts that failed without reaching Amazon (throttled) or whose
    /// verification failed, put back with a backoff.
    #[serde(default)]
    pub deferred: u64,
    /// Orders with an open buyer cancellation request seen in this run.
    #[serde(default)]
    pub cancel_requests: u64,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RunOutcome {
    /// The run did all its work (errors on single items are in `errors`).
    Completed,
    /// The run stopped early on an error; nothing it had not finished was committed.
    Failed,
    /// The run did not start: another process holds the job's lock (see `errors`).
    Skipped,
    /// Shutdown stopped the run; committed work stays, the rest runs next time.
    Cancelled,
}

/// The record every job run leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    /// The account.
    pub account: AccountId,
    /// The job.
    pub job: JobKind,
    /// When the run started.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// When the run ended.
    #[serde(with = "time::serde::rfc3339")]
    pub finished_at: OffsetDateTime,
    /// How it ended.
    pub outcome: RunOutcome,
    /// What it did.
    pub counts: RunCounts,
    /// Errors, one line each (never PII).
    pub errors: Vec<String>,
    /// Orders with an open buyer cancellation request that this run saw, for the host to
    /// act on (stop the pick).
    #[serde(default)]
    pub cancel_requests: Vec<AmazonOrderId>,
}

impl RunReport {
    /// A report for a run starting at `started_at`.
    pub fn start(account: AccountId, job: JobKind, started_at: OffsetDateTime) -> Self {
        Self {
            account,
            job,
            started_at,
            finished_at: started_at,
            outcome: RunOutcome::Completed,
            counts: RunCounts::default(),
            errors: Vec::new(),
            cancel_requests: Vec::new(),
        }
    }
}

/// Receives every run report (log, e-mail, webhook, ...).
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Called once per finished run. Must not fail the run: handle errors inside.
    async fn notify(&self, report: &RunReport);
}

/// A notifier that writes each report to `tracing` (warn when a run failed or had errors).
#[derive(Debug, Clone, Copy, Default)]
pub struct LogNotifier;

#[async_trait]
impl Notifier for LogNotifier {
    async fn notify(&self, r: &RunReport) {
        let c = &r.counts;
        let ms = (r.finished_at - r.started_at).whole_milliseconds();
        if r.outcome == RunOutcome::Completed && r.errors.is_empty() {
            tracing::info!(
                account = %r.account, job = %r.job, outcome = ?r.outcome, ms,
                fetched = c.fetched, created = c.created, updated = c.updated,
                parked = c.parked, exported = c.exported, refused = c.refused,
                held = c.held, redacted = c.redacted, missing = c.missing_found,
                "sync run finished"
            );
        } else {
            tracing::warn!(
                account = %r.account, job = %r.job, outcome = ?r.outcome, ms,
                fetched = c.fetched, created = c.created, updated = c.updated,
                parked = c.parked, exported = c.exported, refused = c.refused,
                errors = r.errors.len(), first_error = r.errors.first().map(String::as_str),
                "sync run finished with errors"
            );
        }
    }
}

/// A notifier that ignores reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopNotifier;

#[async_trait]
impl Notifier for NoopNotifier {
    async fn notify(&self, _report: &RunReport) {}
}
