//! The engine's own memory: cursors, the id map, the outbox, parked orders, run reports.
//!
//! The trait is written for many workers sharing one database as much as for one process
//! with SQLite: every multi-part change is a single call
//! ([`commit_import`](SyncState::commit_import), [`outbox_claim`](SyncState::outbox_claim))
//! that a SQL adapter runs in one transaction, and the cursor moves by compare-and-set so
//! two workers can never both advance it.
//!
//! What the state does not do is lock a job: running the same job of the same account in
//! two places at once is prevented by the runner ([`Engine::run`](crate::engine::Engine::run)
//! in one process; one queue per account in a shared job system). Were it to happen
//! anyway, the cursor compare-and-set makes one import fail cleanly, and two exports could
//! at worst send the same package twice, which Amazon treats as an edit of that package.

use std::collections::HashMap;

use async_trait::async_trait;
use order_mapping::vocab::{FulfillmentChannel, OrderStatus};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::StateError;
use crate::ids::{AccountId, AmazonOrderId, HostOrderId, MarketplaceId, PackageRef};
use crate::model::HostShipment;
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

/// Where an export stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum OutboxStatus {
    /// Waiting to be sent.
    Pending,
    /// Held back for a reason that will pass (e.g. a future ship date).
    Held {
        /// Why.
        reason: String,
        /// Until when, if known.
        #[serde(with = "time::serde::rfc3339::option")]
        until: Option<OffsetDateTime>,
    },
    /// Claimed for sending; the outcome is not recorded yet (a crash leaves it here).
    InFlight,
    /// Amazon accepted it. Final: never sent again.
    Confirmed {
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// Refused by the engine before sending.
    Refused {
        /// Why.
        reason: String,
    },
    /// Rejected by Amazon.
    Rejected {
        /// Amazon's message.
        message: String,
    },
}

/// One package to confirm to Amazon, with its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The shipment as the host reported it.
    pub shipment: HostShipment,
    /// Where it stands.
    pub status: OutboxStatus,
    /// How many times it was claimed for sending.
    pub attempts: u32,
    /// The last error, if an attempt failed.
    pub last_error: Option<String>,
    /// When the entry last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl OutboxEntry {
    /// A new pending entry for `shipment`.
    pub fn pending(shipment: HostShipment, now: OffsetDateTime) -> Self {
        Self {
            shipment,
            status: OutboxStatus::Pending,
            attempts: 0,
            last_error: None,
            updated_at: now,
        }
    }
}

/// The result of claiming an outbox entry for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Claim {
    /// Claimed; this is attempt number `attempt` (1-based). `previous` is the status
    /// before the claim: `InFlight` means an earlier attempt's outcome is unknown.
    Claimed {
        /// The attempt number.
        attempt: u32,
        /// The status before the claim.
        previous: OutboxStatus,
    },
    /// Already confirmed: do not send.
    AlreadyConfirmed,
    /// No such entry.
    Missing,
}

/// The engine's own state, implemented by every storage adapter.
///
/// Contract (checked by `conformance`): [`commit_import`](Self::commit_import) applies all
/// or nothing and fails with [`StateError::CursorConflict`] when the cursor moved;
/// id map entries follow newer-wins; a confirmed outbox entry is never overwritten nor
/// claimed again.
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

    /// The outbox entry of a package.
    async fn outbox_get(
        &self,
        account: &AccountId,
        order: &AmazonOrderId,
        package: &PackageRef,
    ) -> Result<Option<OutboxEntry>, StateError>;

    /// Inserts or replaces an entry, unless the stored one is confirmed: then nothing
    /// changes and `false` is returned.
    async fn outbox_put(
        &self,
        account: &AccountId,
        entry: &OutboxEntry,
    ) -> Result<bool, StateError>;

    /// Atomically marks an entry in flight and counts the attempt, unless it is confirmed.
    async fn outbox_claim(
        &self,
        account: &AccountId,
        order: &AmazonOrderId,
        package: &PackageRef,
        now: OffsetDateTime,
    ) -> Result<Claim, StateError>;

    /// Entries that are not confirmed, oldest first, up to `limit`.
    async fn outbox_open(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StateError>;

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
