//! The engine's own memory: cursors, the id map, the outbox, parked orders, run reports.
//!
//! The trait is written for many workers sharing one database as much as for one process
//! with SQLite: every multi-part change is a single call
//! ([`commit_import`](SyncState::commit_import), [`outbox_claim`](SyncState::outbox_claim))
//! that a SQL adapter runs in one transaction, and the cursor moves by compare-and-set so
//! two workers can never both advance it.
//!
//! Two processes never run the same job of the same account at once: the state keeps a
//! lock per (account, job) with a lease ([`run_lock`](SyncState::run_lock)), which
//! [`Engine::run`](crate::engine::Engine::run) takes and renews. Were it lost anyway (a
//! lease that ran out under a stalled process), the cursor compare-and-set makes one import
//! fail cleanly, and each outbox entry has its own lease, so no message is sent by two
//! workers at once.

use std::collections::HashMap;

use async_trait::async_trait;
use order_mapping::vocab::{FulfillmentChannel, OrderStatus};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::StateError;
use crate::ids::{AccountId, AmazonOrderId, HostOrderId, MarketplaceId, OrderItemId};
pub use crate::outbox::{
    Claim, Finish, Lease, Offered, Origin, OutboxEntry, OutboxKind, OutboxPayload, OutboxStatus,
    RunLock,
};
use crate::report::RunReport;

/// The engine's jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum JobKind {
    /// Import new and changed orders.
    ImportOrders,
    /// Re-list a recent window and import what the host lacks.
    Reconcile,
    /// Confirm host shipments to Amazon.
    ExportShipments,
    /// Redact PII past the retention window.
    RedactPii,
}

impl JobKind {
    /// Every job, in scheduling order.
    pub const ALL: [JobKind; 4] = [
        JobKind::ImportOrders,
        JobKind::Reconcile,
        JobKind::ExportShipments,
        JobKind::RedactPii,
    ];

    /// A stable name (`import_orders`, ...), for storage and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::ImportOrders => "import_orders",
            JobKind::Reconcile => "reconcile",
            JobKind::ExportShipments => "export_shipments",
            JobKind::RedactPii => "redact_pii",
        }
    }

    /// Parses [`as_str`](Self::as_str) back.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|j| j.as_str() == s)
    }
}

impl std::fmt::Display for JobKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job's position: everything Amazon changed before `position` has been handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The bound (Amazon's `LastUpdatedBefore`) the job has covered.
    #[serde(with = "time::serde::rfc3339")]
    pub position: OffsetDateTime,
    /// When the cursor was last moved.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// One Amazon order the engine has imported: the id map Amazon order → host order, with
/// what the engine needs to know about it later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdMapEntry {
    /// Amazon's id.
    pub amazon_order_id: AmazonOrderId,
    /// The order store's id, when sent there.
    pub host_order_id: Option<HostOrderId>,
    /// The warehouse's id, when sent there.
    pub warehouse_id: Option<HostOrderId>,
    /// The marketplace (needed to confirm shipments).
    pub marketplace: MarketplaceId,
    /// Merchant or Amazon fulfilled.
    pub channel: FulfillmentChannel,
    /// The status of the imported version.
    pub status: OrderStatus,
    /// The imported version (`LastUpdateDate`).
    #[serde(with = "time::serde::rfc3339")]
    pub last_updated_at: OffsetDateTime,
    /// When this version was imported.
    #[serde(with = "time::serde::rfc3339")]
    pub imported_at: OffsetDateTime,
    /// When the PII must be redacted; `None` while the order is still being fulfilled.
    #[serde(with = "time::serde::rfc3339::option")]
    pub pii_expires_at: Option<OffsetDateTime>,
    /// When the PII was redacted.
    #[serde(with = "time::serde::rfc3339::option")]
    pub redacted_at: Option<OffsetDateTime>,
    /// The lines with an open buyer cancellation request in the imported version
    /// ([`Order::open_cancel_requests`](crate::model::Order::open_cancel_requests)).
    #[serde(default)]
    pub cancel_requested: Vec<OrderItemId>,
}

/// Why an order was parked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ParkKind {
    /// A mapping rule could not map the order.
    Mapping,
    /// The host (store or warehouse) rejected it.
    Host,
    /// Amazon could not return it (e.g. not found on retry).
    Amazon,
}

/// An order that could not be imported, kept with its reason and retried every run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedOrder {
    /// Amazon's id.
    pub amazon_order_id: AmazonOrderId,
    /// What failed.
    pub kind: ParkKind,
    /// Why, in words a person can act on.
    pub reason: String,
    /// How many import attempts failed.
    pub attempts: u32,
    /// When it was first parked.
    #[serde(with = "time::serde::rfc3339")]
    pub first_parked_at: OffsetDateTime,
    /// When the last attempt failed.
    #[serde(with = "time::serde::rfc3339")]
    pub last_attempt_at: OffsetDateTime,
}

/// A cursor move, conditional on the cursor still being where the writer found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CursorAdvance {
    /// The position the writer read (`None`: no cursor yet).
    #[serde(with = "time::serde::rfc3339::option")]
    pub expected: Option<OffsetDateTime>,
    /// The new cursor.
    pub new: Cursor,
}

/// Everything one step of an import changes in the state, applied all-or-nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportCommit {
    /// Id map entries to record (newer wins per order; a recorded redaction is kept).
    pub entries: Vec<IdMapEntry>,
    /// Orders to park (or whose parked record to replace).
    pub parked: Vec<ParkedOrder>,
    /// Orders that are no longer parked.
    pub resolved: Vec<AmazonOrderId>,
    /// The cursor move these orders complete, if any.
    pub cursor: Option<(JobKind, CursorAdvance)>,
}

/// The engine's own state, implemented by every storage adapter.
///
/// Contract (checked by `conformance`): [`commit_import`](Self::commit_import) applies all
/// or nothing and fails with [`StateError::CursorConflict`] when the cursor moved;
/// id map entries follow newer-wins; the outbox keeps the state machine of
/// [`outbox`](crate::outbox): a live lease has one holder, a version that is final is
/// never claimed again, and a finish applies only for the lease holder and the current
/// version.
#[async_trait]
pub trait SyncState: Send + Sync {
    /// The cursor of a job.
    async fn cursor(&self, account: &AccountId, job: JobKind)
    -> Result<Option<Cursor>, StateError>;

    /// Applies an import step atomically: id map entries, parked and resolved orders, and
    /// the cursor move (compare-and-set on `expected`).
    async fn commit_import(
        &self,
        account: &AccountId,
        commit: &ImportCommit,
    ) -> Result<(), StateError>;

    /// The id map entry of an Amazon order.
    async fn id_map_get(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<Option<IdMapEntry>, StateError>;

    /// The id map entries of several orders (those the state has), keyed by Amazon id.
    ///
    /// The default calls [`id_map_get`](Self::id_map_get) for each id; SQL adapters should
    /// override it with one query (the import reads one page of ids at a time).
    async fn id_map_get_many(
        &self,
        account: &AccountId,
        ids: &[AmazonOrderId],
    ) -> Result<HashMap<AmazonOrderId, IdMapEntry>, StateError> {
        let mut out = HashMap::with_capacity(ids.len());
        for id in ids {
            if let Some(e) = self.id_map_get(account, id).await? {
                out.insert(id.clone(), e);
            }
        }
        Ok(out)
    }

    /// The parked orders of an account, oldest first.
    async fn parked(&self, account: &AccountId) -> Result<Vec<ParkedOrder>, StateError>;

    /// The outbox entry of a subject.
    async fn outbox_get(
        &self,
        account: &AccountId,
        kind: OutboxKind,
        subject: &str,
    ) -> Result<Option<OutboxEntry>, StateError>;

    /// Offers a payload, atomically: a new subject becomes a pending entry (version 1); a
    /// payload whose content hash differs from the stored one becomes the next version,
    /// pending and due at `now`, whatever the stored status (a correction after
    /// confirmation is sent again); the same payload changes nothing. A live lease is kept:
    /// its holder's finish of the old version will then be ignored.
    async fn outbox_offer(
        &self,
        account: &AccountId,
        payload: &OutboxPayload,
        origin: Origin,
        now: OffsetDateTime,
    ) -> Result<Offered, StateError>;

    /// Claims an entry for `owner` until `lease_until`, atomically: succeeds when the entry
    /// is not final for its version, is due (`next_attempt_at <= now`), and no other owner
    /// holds a live lease (an expired one may be taken over). Counts the attempt and sets
    /// the status to `Claimed`.
    async fn outbox_claim(
        &self,
        account: &AccountId,
        kind: OutboxKind,
        subject: &str,
        owner: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Claim, StateError>;

    /// Records how an attempt ended and releases the lease, atomically, only if
    /// `finish.version` is still the current version and `owner` still holds the lease
    /// (`None`: an operator's decision, which applies whoever holds it). The entry is then
    /// not [`reported`](OutboxEntry::reported). Returns whether it applied.
    async fn outbox_finish(
        &self,
        account: &AccountId,
        kind: OutboxKind,
        subject: &str,
        owner: Option<&str>,
        finish: &Finish,
        now: OffsetDateTime,
    ) -> Result<bool, StateError>;

    /// Ends now every lease that `owner` holds on the account's entries (an owner known to
    /// be dead, e.g. a process killed with `kill -9`), so others can claim them at once;
    /// they then verify what became of its attempts. Returns how many were released.
    async fn outbox_release_owner(
        &self,
        account: &AccountId,
        owner: &str,
        now: OffsetDateTime,
    ) -> Result<u64, StateError>;

    /// Marks that the host was told the status of `version` (nothing happens when the
    /// version moved on).
    async fn outbox_reported(
        &self,
        account: &AccountId,
        kind: OutboxKind,
        subject: &str,
        version: u32,
    ) -> Result<(), StateError>;

    /// Up to `limit` entries with work to do at `now`, earliest next attempt first: those a
    /// claim could take (not final, due, no live lease), and final ones whose host was not
    /// told yet.
    async fn outbox_due(
        &self,
        account: &AccountId,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StateError>;

    /// Entries that are not final, oldest first, up to `limit` (for status output).
    async fn outbox_open(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StateError>;

    /// Takes or renews the lock of one job of one account for `owner` until `until`: it
    /// succeeds when nobody holds it, the holder's lease ended at or before `now`, the
    /// holder is `owner` (renewal), or the holder is `take_over_from` (a holder known to
    /// be dead).
    async fn run_lock(
        &self,
        account: &AccountId,
        job: JobKind,
        owner: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
        take_over_from: Option<&str>,
    ) -> Result<RunLock, StateError>;

    /// Releases the lock if `owner` holds it.
    async fn run_unlock(
        &self,
        account: &AccountId,
        job: JobKind,
        owner: &str,
    ) -> Result<(), StateError>;

    /// Id map entries with an open buyer cancellation request, up to `limit`.
    async fn cancel_requests(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<IdMapEntry>, StateError>;

    /// Id map entries whose PII expired at or before `now` and is not redacted yet.
    async fn due_for_redaction(
        &self,
        account: &AccountId,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<IdMapEntry>, StateError>;

    /// Records that the order's PII was replaced by `marker` everywhere (the state keeps
    /// no PII of its own besides this record).
    async fn mark_redacted(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
        marker: &str,
        at: OffsetDateTime,
    ) -> Result<(), StateError>;

    /// Stores a run report.
    async fn record_run(&self, report: &RunReport) -> Result<(), StateError>;

    /// The latest run reports of an account (newest first), optionally of one job.
    async fn recent_runs(
        &self,
        account: &AccountId,
        job: Option<JobKind>,
        limit: usize,
    ) -> Result<Vec<RunReport>, StateError>;
}

/// Conveniences over any [`SyncState`].
#[async_trait]
pub trait SyncStateExt: SyncState {
    /// Records one id map entry (newer wins).
    async fn record_entry(&self, account: &AccountId, entry: IdMapEntry) -> Result<(), StateError> {
        let commit = ImportCommit {
            entries: vec![entry],
            ..Default::default()
        };
        self.commit_import(account, &commit).await
    }

    /// Parks one order.
    async fn park(&self, account: &AccountId, parked: ParkedOrder) -> Result<(), StateError> {
        let commit = ImportCommit {
            parked: vec![parked],
            ..Default::default()
        };
        self.commit_import(account, &commit).await
    }

    /// Moves a cursor if it is still at `expected`.
    async fn advance_cursor(
        &self,
        account: &AccountId,
        job: JobKind,
        advance: CursorAdvance,
    ) -> Result<(), StateError> {
        let commit = ImportCommit {
            cursor: Some((job, advance)),
            ..Default::default()
        };
        self.commit_import(account, &commit).await
    }

    /// Whether the engine has imported this order.
    async fn knows_order(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<bool, StateError> {
        Ok(self.id_map_get(account, id).await?.is_some())
    }
}

impl<T: SyncState + ?Sized> SyncStateExt for T {}
