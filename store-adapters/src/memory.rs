//! In-memory order store, warehouse and sync state.
//!
//! Everything lives behind one mutex per instance, so every trait call is atomic (an
//! [`ImportCommit`] is applied all-or-nothing). Nothing survives the process: use these
//! for tests, demos and embedding where the host keeps its own copy.
//!
//! Beyond the traits, [`MemoryStore`] and [`MemoryWarehouse`] play "the host" in tests:
//! [`ship`](MemoryStore::ship) marks a package shipped with tracking, and
//! [`reject_orders`](MemoryStore::reject_orders) / [`set_unavailable`](MemoryStore::set_unavailable)
//! inject failures.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use time::OffsetDateTime;

use order_sync_core::error::{StateError, StoreError};
use order_sync_core::host::{
    FulfilmentRequest, HostOrder, HostOrderRef, OrderStore, ShipmentResult, UpsertAction,
    UpsertOutcome, Warehouse,
};
use order_sync_core::ids::{AccountId, AmazonOrderId, HostOrderId, PackageRef};
use order_sync_core::model::HostShipment;
use order_sync_core::outbox::transition;
use order_sync_core::report::RunReport;
use order_sync_core::state::{
    Claim, Cursor, Finish, IdMapEntry, ImportCommit, JobKind, Lease, Offered, Origin, OutboxEntry,
    OutboxKind, OutboxPayload, ParkedOrder, RunLock, SyncState,
};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

type OrderKey = (AccountId, AmazonOrderId);

/// A shipped package and what became of it.
#[derive(Debug, Clone)]
struct ShipmentRow {
    shipment: HostShipment,
    result: Option<ShipmentResult>,
    seq: u64,
}

/// Orders (or fulfilment requests) with their packages, shared by store and warehouse.
#[derive(Debug)]
struct HostTables<T> {
    orders: HashMap<OrderKey, (HostOrderId, T)>,
    shipments: BTreeMap<(AccountId, AmazonOrderId, PackageRef), ShipmentRow>,
    next_id: u64,
    next_seq: u64,
    rejected: BTreeMap<AmazonOrderId, String>,
    unavailable: bool,
    writes: u64,
}

impl<T> Default for HostTables<T> {
    fn default() -> Self {
        Self {
            orders: HashMap::new(),
            shipments: BTreeMap::new(),
            next_id: 0,
            next_seq: 0,
            rejected: BTreeMap::new(),
            unavailable: false,
            writes: 0,
        }
    }
}

impl<T> HostTables<T> {
    fn check(&self, id: Option<&AmazonOrderId>) -> Result<(), StoreError> {
        if self.unavailable {
            return Err(StoreError::unavailable("memory host switched off"));
        }
        if let Some(reason) = id.and_then(|id| self.rejected.get(id)) {
            return Err(StoreError::Rejected {
                reason: reason.clone(),
            });
        }
        Ok(())
    }

    fn upsert(
        &mut self,
        account: &AccountId,
        id: &AmazonOrderId,
        value: T,
        version: impl Fn(&T) -> OffsetDateTime,
        prefix: &str,
    ) -> Result<UpsertOutcome, StoreError> {
        self.check(Some(id))?;
        let key = (account.clone(), id.clone());
        let incoming = version(&value);
        if let Some((host_id, held)) = self.orders.get_mut(&key) {
            let held_version = version(held);
            let action = if incoming < held_version {
                UpsertAction::Stale
            } else if incoming == held_version {
                UpsertAction::Unchanged
            } else {
                *held = value;
                UpsertAction::Updated
            };
            if action == UpsertAction::Updated {
                self.writes += 1;
            }
            return Ok(UpsertOutcome {
                host_id: host_id.clone(),
                action,
            });
        }
        self.next_id += 1;
        let host_id = HostOrderId::new(format!("{prefix}{}", self.next_id));
        self.orders.insert(key, (host_id.clone(), value));
        self.writes += 1;
        Ok(UpsertOutcome {
            host_id,
            action: UpsertAction::Created,
        })
    }

    fn ship(&mut self, account: &AccountId, shipment: HostShipment) {
        self.next_seq += 1;
        let key = (
            account.clone(),
            shipment.amazon_order_id.clone(),
            shipment.package.clone(),
        );
        self.shipments.insert(
            key,
            ShipmentRow {
                shipment,
                result: None,
                seq: self.next_seq,
            },
        );
    }

    fn ready(&self, account: &AccountId, limit: usize) -> Result<Vec<HostShipment>, StoreError> {
        self.check(None)?;
        let mut rows: Vec<&ShipmentRow> = self
            .shipments
            .iter()
            .filter(|((a, _, _), row)| a == account && row.result.is_none())
            .map(|(_, row)| row)
            .collect();
        rows.sort_by_key(|r| r.seq);
        Ok(rows
            .into_iter()
            .take(limit)
            .map(|r| r.shipment.clone())
            .collect())
    }

    fn record(
        &mut self,
        account: &AccountId,
        shipment: &HostShipment,
        result: &ShipmentResult,
    ) -> Result<(), StoreError> {
        self.check(None)?;
        let (order, package) = (&shipment.amazon_order_id, &shipment.package);
        let key = (account.clone(), order.clone(), package.clone());
        match self.shipments.get_mut(&key) {
            // A result about content the host has since corrected is not this package's.
            Some(row) if row.shipment != *shipment => Ok(()),
            Some(row) => {
                row.result = Some(result.clone());
                Ok(())
            }
            None => Err(StoreError::NotFound {
                what: format!("package {package} of order {order}"),
            }),
        }
    }

    fn result(
        &self,
        account: &AccountId,
        order: &AmazonOrderId,
        package: &PackageRef,
    ) -> Option<ShipmentResult> {
        let key = (account.clone(), order.clone(), package.clone());
        self.shipments.get(&key).and_then(|r| r.result.clone())
    }
}

macro_rules! host_test_api {
    ($ty:ident, $value:ty) => {
        impl $ty {
            /// An empty host.
            pub fn new() -> Self {
                Self::default()
            }

            /// Marks a package shipped with tracking, as the host's user would; it is then
            /// reported by `shipments_ready`. Shipping the same package reference again
            /// replaces it and clears its previous result (the host changed the shipment).
            pub fn ship(&self, account: &AccountId, shipment: HostShipment) {
                lock(&self.tables).ship(account, shipment);
            }

            /// What became of a package, as recorded by the engine.
            pub fn shipment_result(
                &self,
                account: &AccountId,
                order: &AmazonOrderId,
                package: &PackageRef,
            ) -> Option<ShipmentResult> {
                lock(&self.tables).result(account, order, package)
            }

            /// Makes the host refuse the given orders with `reason` (they get parked).
            pub fn reject_orders<'a>(
                &self,
                ids: impl IntoIterator<Item = &'a AmazonOrderId>,
                reason: &str,
            ) {
                let mut t = lock(&self.tables);
                for id in ids {
                    t.rejected.insert(id.clone(), reason.to_owned());
                }
            }

            /// Accepts every order again.
            pub fn accept_all(&self) {
                lock(&self.tables).rejected.clear();
            }

            /// Makes every call fail as if the host were down (or brings it back).
            pub fn set_unavailable(&self, down: bool) {
                lock(&self.tables).unavailable = down;
            }

            /// How many orders the host holds, over all accounts.
            pub fn len(&self) -> usize {
                lock(&self.tables).orders.len()
            }

            /// Whether the host holds no order.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// How many creates and updates the host has applied.
            pub fn writes(&self) -> u64 {
                lock(&self.tables).writes
            }

            /// The Amazon ids of an account's orders, sorted.
            pub fn order_ids(&self, account: &AccountId) -> BTreeSet<AmazonOrderId> {
                lock(&self.tables)
                    .orders
                    .keys()
                    .filter(|(a, _)| a == account)
                    .map(|(_, id)| id.clone())
                    .collect()
            }

            /// The host's id for an order.
            pub fn host_id(&self, account: &AccountId, id: &AmazonOrderId) -> Option<HostOrderId> {
                lock(&self.tables)
                    .orders
                    .get(&(account.clone(), id.clone()))
                    .map(|(h, _)| h.clone())
            }

            fn get(&self, account: &AccountId, id: &AmazonOrderId) -> Option<$value> {
                lock(&self.tables)
                    .orders
                    .get(&(account.clone(), id.clone()))
                    .map(|(_, v)| v.clone())
            }
        }
    };
}

/// An in-memory cart: the [`OrderStore`] used by tests and demos.
#[derive(Debug, Default)]
pub struct MemoryStore {
    tables: Mutex<HostTables<HostOrder>>,
}

host_test_api!(MemoryStore, HostOrder);

impl MemoryStore {
    /// The order as the store holds it.
    pub fn order(&self, account: &AccountId, id: &AmazonOrderId) -> Option<HostOrder> {
        self.get(account, id)
    }

    /// Every order of an account, by Amazon id.
    pub fn orders(&self, account: &AccountId) -> Vec<HostOrder> {
        let t = lock(&self.tables);
        let mut out: Vec<HostOrder> = t
            .orders
            .iter()
            .filter(|((a, _), _)| a == account)
            .map(|(_, (_, o))| o.clone())
            .collect();
        out.sort_by(|a, b| a.order.id.cmp(&b.order.id));
        out
    }

    /// Removes an order, as if the host lost it (for reconciliation tests).
    pub fn forget(&self, account: &AccountId, id: &AmazonOrderId) -> bool {
        lock(&self.tables)
            .orders
            .remove(&(account.clone(), id.clone()))
            .is_some()
    }
}

#[async_trait]
impl OrderStore for MemoryStore {
    async fn upsert_order(&self, order: &HostOrder) -> Result<UpsertOutcome, StoreError> {
        lock(&self.tables).upsert(
            &order.account,
            &order.order.id,
            order.clone(),
            |o| o.order.last_updated_at,
            "H",
        )
    }

    async fn upsert_orders(
        &self,
        orders: &[HostOrder],
    ) -> Result<Vec<Result<UpsertOutcome, StoreError>>, StoreError> {
        // One lock for the whole batch, as a database would use one transaction.
        let mut t = lock(&self.tables);
        t.check(None)?;
        Ok(orders
            .iter()
            .map(|o| {
                t.upsert(
                    &o.account,
                    &o.order.id,
                    o.clone(),
                    |h| h.order.last_updated_at,
                    "H",
                )
            })
            .collect())
    }

    async fn find_order(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<Option<HostOrderRef>, StoreError> {
        let t = lock(&self.tables);
        t.check(None)?;
        Ok(t.orders
            .get(&(account.clone(), id.clone()))
            .map(|(host_id, o)| HostOrderRef {
                host_id: host_id.clone(),
                last_updated_at: o.order.last_updated_at,
            }))
    }

    async fn shipments_ready(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<HostShipment>, StoreError> {
        lock(&self.tables).ready(account, limit)
    }

    async fn record_shipment_result(
        &self,
        account: &AccountId,
        shipment: &HostShipment,
        result: &ShipmentResult,
    ) -> Result<(), StoreError> {
        lock(&self.tables).record(account, shipment, result)
    }

    async fn redact_pii(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
        marker: &str,
    ) -> Result<(), StoreError> {
        let mut t = lock(&self.tables);
        t.check(None)?;
        if let Some((_, o)) = t.orders.get_mut(&(account.clone(), id.clone())) {
            o.redact_pii(marker);
        }
        Ok(())
    }
}

/// An in-memory warehouse (3PL): records fulfilment requests, reports what it shipped.
#[derive(Debug, Default)]
pub struct MemoryWarehouse {
    tables: Mutex<HostTables<FulfilmentRequest>>,
}

host_test_api!(MemoryWarehouse, FulfilmentRequest);

impl MemoryWarehouse {
    /// The fulfilment request the warehouse holds for an order.
    pub fn request(&self, account: &AccountId, id: &AmazonOrderId) -> Option<FulfilmentRequest> {
        self.get(account, id)
    }
}

#[async_trait]
impl Warehouse for MemoryWarehouse {
    async fn submit(&self, request: &FulfilmentRequest) -> Result<UpsertOutcome, StoreError> {
        lock(&self.tables).upsert(
            &request.order.account,
            &request.order.order.id,
            request.clone(),
            |r| r.order.order.last_updated_at,
            "W",
        )
    }

    async fn shipments_ready(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<HostShipment>, StoreError> {
        lock(&self.tables).ready(account, limit)
    }

    async fn record_shipment_result(
        &self,
        account: &AccountId,
        shipment: &HostShipment,
        result: &ShipmentResult,
    ) -> Result<(), StoreError> {
        lock(&self.tables).record(account, shipment, result)
    }

    async fn redact_pii(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
        marker: &str,
    ) -> Result<(), StoreError> {
        let mut t = lock(&self.tables);
        t.check(None)?;
        if let Some((_, r)) = t.orders.get_mut(&(account.clone(), id.clone())) {
            r.order.redact_pii(marker);
        }
        Ok(())
    }
}

type OutboxKey = (AccountId, OutboxKind, String);

#[derive(Debug, Default)]
struct StateTables {
    cursors: HashMap<(AccountId, JobKind), Cursor>,
    id_map: HashMap<OrderKey, IdMapEntry>,
    parked: HashMap<OrderKey, ParkedOrder>,
    outbox: HashMap<OutboxKey, (u64, OutboxEntry)>,
    next_seq: u64,
    run_locks: HashMap<(AccountId, JobKind), Lease>,
    runs: Vec<RunReport>,
    markers: HashMap<OrderKey, String>,
}

impl StateTables {
    /// Stores an outbox entry, keeping its place in the insertion order.
    fn put_outbox(&mut self, key: OutboxKey, entry: OutboxEntry) {
        let seq = match self.outbox.get(&key) {
            Some((seq, _)) => *seq,
            None => {
                self.next_seq += 1;
                self.next_seq
            }
        };
        self.outbox.insert(key, (seq, entry));
    }
}

/// The engine's sync state in memory.
#[derive(Debug, Default)]
pub struct MemoryState {
    tables: Mutex<StateTables>,
}

impl MemoryState {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// The marker an order's PII was redacted with, if it was.
    pub fn redaction_marker(&self, account: &AccountId, id: &AmazonOrderId) -> Option<String> {
        lock(&self.tables)
            .markers
            .get(&(account.clone(), id.clone()))
            .cloned()
    }

    /// Every outbox entry of an account, confirmed ones included, oldest first.
    pub fn outbox_all(&self, account: &AccountId) -> Vec<OutboxEntry> {
        let t = lock(&self.tables);
        let mut rows: Vec<&(u64, OutboxEntry)> = t
            .outbox
            .iter()
            .filter(|((a, _, _), _)| a == account)
            .map(|(_, v)| v)
            .collect();
        rows.sort_by_key(|(seq, _)| *seq);
        rows.into_iter().map(|(_, e)| e.clone()).collect()
    }

    /// How many id map entries an account has.
    pub fn id_map_len(&self, account: &AccountId) -> usize {
        lock(&self.tables)
            .id_map
            .keys()
            .filter(|(a, _)| a == account)
            .count()
    }
}

fn merge_entry(held: Option<&IdMapEntry>, new: &IdMapEntry) -> Option<IdMapEntry> {
    match held {
        None => Some(new.clone()),
        Some(h) if new.last_updated_at < h.last_updated_at => None,
        Some(h) => {
            let mut merged = new.clone();
            merged.redacted_at = merged.redacted_at.or(h.redacted_at);
            merged.host_order_id = merged.host_order_id.or_else(|| h.host_order_id.clone());
            merged.warehouse_id = merged.warehouse_id.or_else(|| h.warehouse_id.clone());
            Some(merged)
        }
    }
}

#[async_trait]
impl SyncState for MemoryState {
    async fn cursor(
        &self,
        account: &AccountId,
        job: JobKind,
    ) -> Result<Option<Cursor>, StateError> {
        Ok(lock(&self.tables)
            .cursors
            .get(&(account.clone(), job))
            .copied())
    }

    async fn commit_import(
        &self,
        account: &AccountId,
        commit: &ImportCommit,
    ) -> Result<(), StateError> {
        let mut t = lock(&self.tables);
        // Check first, then apply: all or nothing.
        if let Some((job, advance)) = &commit.cursor {
            let found = t.cursors.get(&(account.clone(), *job)).map(|c| c.position);
            if found != advance.expected {
                return Err(StateError::CursorConflict {
                    expected: advance.expected,
                    found,
                });
            }
        }
        for e in &commit.entries {
            let key = (account.clone(), e.amazon_order_id.clone());
            if let Some(merged) = merge_entry(t.id_map.get(&key), e) {
                t.id_map.insert(key, merged);
            }
        }
        for id in &commit.resolved {
            t.parked.remove(&(account.clone(), id.clone()));
        }
        for p in &commit.parked {
            t.parked
                .insert((account.clone(), p.amazon_order_id.clone()), p.clone());
        }
        if let Some((job, advance)) = &commit.cursor {
            t.cursors.insert((account.clone(), *job), advance.new);
        }
        Ok(())
    }

    async fn id_map_get(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<Option<IdMapEntry>, StateError> {
        Ok(lock(&self.tables)
            .id_map
            .get(&(account.clone(), id.clone()))
            .cloned())
    }

    async fn parked(&self, account: &AccountId) -> Result<Vec<ParkedOrder>, StateError> {
        let t = lock(&self.tables);
        let mut out: Vec<ParkedOrder> = t
            .parked
            .iter()
            .filter(|((a, _), _)| a == account)
            .map(|(_, p)| p.clone())
            .collect();
        out.sort_by(|a, b| {
            (a.first_parked_at, &a.amazon_order_id).cmp(&(b.first_parked_at, &b.amazon_order_id))
        });
        Ok(out)
    }

    async fn outbox_get(
        &self,
        account: &AccountId,
        kind: OutboxKind,
        subject: &str,
    ) -> Result<Option<OutboxEntry>, StateError> {
        let key = (account.clone(), kind, subject.to_owned());
        Ok(lock(&self.tables).outbox.get(&key).map(|(_, e)| e.clone()))
    }

    async fn outbox_offer(
        &self,
        account: &AccountId,
        payload: &OutboxPayload,
        origin: Origin,
        now: OffsetDateTime,
    ) -> Result<Offered, StateError> {
        let mut t = lock(&self.tables);
        let key = (account.clone(), payload.kind(), payload.subject());
        let (answer, write) =
            transition::offer(t.outbox.get(&key).map(|(_, e)| e), payload, origin, now);
        if let Some(e) = write {
            t.put_outbox(key, e);
        }
        Ok(answer)
    }

    async fn outbox_claim(
        &self,
        account: &AccountId,
        kind: OutboxKind,
        subject: &str,
        owner: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Claim, StateError> {
        let mut t = lock(&self.tables);
        let key = (account.clone(), kind, subject.to_owned());
        let (answer, write) =
            transition::claim(t.outbox.get(&key).map(|(_, e)| e), owner, now, lease_until);
        if let Some(e) = write {
            t.put_outbox(key, e);
        }
        Ok(answer)
    }

    async fn outbox_finish(
        &self,
        account: &AccountId,
        kind: OutboxKind,
        subject: &str,
        owner: Option<&str>,
        finish: &Finish,
        now: OffsetDateTime,
    ) -> Result<bool, StateError> {
        let mut t = lock(&self.tables);
        let key = (account.clone(), kind, subject.to_owned());
        match transition::finish(t.outbox.get(&key).map(|(_, e)| e), owner, finish, now) {
            Some(e) => {
                t.put_outbox(key, e);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn outbox_release_owner(
        &self,
        account: &AccountId,
        owner: &str,
        now: OffsetDateTime,
    ) -> Result<u64, StateError> {
        let mut t = lock(&self.tables);
        let mut released = 0;
        for ((a, _, _), (_, e)) in t.outbox.iter_mut() {
            if a != account {
                continue;
            }
            if let Some(freed) = transition::release(e, owner, now) {
                *e = freed;
                released += 1;
            }
        }
        Ok(released)
    }

    async fn outbox_reported(
        &self,
        account: &AccountId,
        kind: OutboxKind,
        subject: &str,
        version: u32,
    ) -> Result<(), StateError> {
        let mut t = lock(&self.tables);
        let key = (account.clone(), kind, subject.to_owned());
        if let Some(e) = transition::reported(t.outbox.get(&key).map(|(_, e)| e), version) {
            t.put_outbox(key, e);
        }
        Ok(())
    }

    async fn outbox_due(
        &self,
        account: &AccountId,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StateError> {
        let t = lock(&self.tables);
        let mut due: Vec<&(u64, OutboxEntry)> = t
            .outbox
            .iter()
            .filter(|((a, _, _), (_, e))| a == account && transition::is_due(e, now))
            .map(|(_, v)| v)
            .collect();
        due.sort_by_key(|(seq, e)| (e.next_attempt_at, *seq));
        Ok(due
            .into_iter()
            .take(limit)
            .map(|(_, e)| e.clone())
            .collect())
    }

    async fn outbox_open(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StateError> {
        Ok(self
            .outbox_all(account)
            .into_iter()
            .filter(|e| !e.status.is_final())
            .take(limit)
            .collect())
    }

    async fn run_lock(
        &self,
        account: &AccountId,
        job: JobKind,
        owner: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
        take_over_from: Option<&str>,
    ) -> Result<RunLock, StateError> {
        let mut t = lock(&self.tables);
        let key = (account.clone(), job);
        let (answer, write) =
            transition::run_lock(t.run_locks.get(&key), owner, now, until, take_over_from);
        if let Some(l) = write {
            t.run_locks.insert(key, l);
        }
        Ok(answer)
    }

    async fn run_unlock(
        &self,
        account: &AccountId,
        job: JobKind,
        owner: &str,
    ) -> Result<(), StateError> {
        let mut t = lock(&self.tables);
        let key = (account.clone(), job);
        if t.run_locks.get(&key).is_some_and(|l| l.owner == owner) {
            t.run_locks.remove(&key);
        }
        Ok(())
    }

    async fn cancel_requests(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<IdMapEntry>, StateError> {
        let t = lock(&self.tables);
        let mut out: Vec<IdMapEntry> = t
            .id_map
            .iter()
            .filter(|((a, _), e)| a == account && !e.cancel_requested.is_empty())
            .map(|(_, e)| e.clone())
            .collect();
        out.sort_by(|a, b| a.amazon_order_id.cmp(&b.amazon_order_id));
        out.truncate(limit);
        Ok(out)
    }

    async fn due_for_redaction(
        &self,
        account: &AccountId,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<IdMapEntry>, StateError> {
        let t = lock(&self.tables);
        let mut due: Vec<IdMapEntry> = t
            .id_map
            .iter()
            .filter(|((a, _), e)| {
                a == account
                    && e.redacted_at.is_none()
                    && e.pii_expires_at.is_some_and(|x| x <= now)
            })
            .map(|(_, e)| e.clone())
            .collect();
        due.sort_by(|a, b| {
            (a.pii_expires_at, &a.amazon_order_id).cmp(&(b.pii_expires_at, &b.amazon_order_id))
        });
        due.truncate(limit);
        Ok(due)
    }

    async fn mark_redacted(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
        marker: &str,
        at: OffsetDateTime,
    ) -> Result<(), StateError> {
        let mut t = lock(&self.tables);
        let key = (account.clone(), id.clone());
        if let Some(e) = t.id_map.get_mut(&key) {
            e.redacted_at = Some(at);
        }
        t.markers.insert(key, marker.to_owned());
        Ok(())
    }

    async fn record_run(&self, report: &RunReport) -> Result<(), StateError> {
        lock(&self.tables).runs.push(report.clone());
        Ok(())
    }

    async fn recent_runs(
        &self,
        account: &AccountId,
        job: Option<JobKind>,
        limit: usize,
    ) -> Result<Vec<RunReport>, StateError> {
        let t = lock(&self.tables);
        let mut runs: Vec<RunReport> = t
            .runs
            .iter()
            .filter(|r| &r.account == account && job.is_none_or(|j| r.job == j))
            .cloned()
            .collect();
        runs.sort_by_key(|r| std::cmp::Reverse(r.started_at));
        runs.truncate(limit);
        Ok(runs)
    }
}
