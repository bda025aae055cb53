//! A fake Amazon side for tests: orders in memory, paging, injectable failures, and a
//! record of every confirmed package; and [`StallingStore`], an order store wrapper that
//! simulates a process dying in the middle of an import.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::amazon::{AmazonSide, Include, OrderPage, OrderQuery, PageToken, ShipmentConfirmation};
use crate::clock::Clock;
use crate::error::StoreError;
use crate::error::{AmazonError, ErrorKind};
use crate::host::{HostOrder, HostOrderRef, OrderStore, ShipmentResult, UpsertOutcome};
use crate::ids::{AccountId, AmazonOrderId};
use crate::model::{HostShipment, Order, Package};
use order_mapping::vocab::OrderStatus;

/// An operation of the fake, for failure injection and call counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FakeOp {
    /// `list_orders`.
    List,
    /// `get_order`.
    Get,
    /// `confirm_shipment`.
    Confirm,
}

#[derive(Debug, Default)]
struct Inner {
    orders: BTreeMap<AmazonOrderId, Order>,
    failures: BTreeMap<FakeOp, VecDeque<AmazonError>>,
    after_apply: BTreeMap<FakeOp, VecDeque<AmazonError>>,
    accepted: u64,
    rejections: BTreeMap<AmazonOrderId, String>,
    confirmations: Vec<ShipmentConfirmation>,
    calls: BTreeMap<FakeOp, u64>,
    queries: Vec<OrderQuery>,
    /// Orders sorted by (last update, id), rebuilt after a change.
    by_update: Option<Vec<(OffsetDateTime, AmazonOrderId)>>,
}

/// An in-memory [`AmazonSide`].
///
/// - `list_orders` returns the orders whose `last_updated_at` is in
///   `[updated_after, updated_before)` (default bound: the clock minus two minutes, as
///   Amazon does), sorted by update time then id, `page_size` per page; buyer and recipient
///   data only when included;
/// - `confirm_shipment` checks what Amazon checks (known order, positive numeric package
///   reference, non-empty tracking, known lines, ship date not in the future) and appends
///   the package to the order's `packages`, replacing one with the same reference;
/// - failures queued with [`fail_next`](Self::fail_next) are returned first, one per call.
#[derive(Debug, Clone)]
pub struct FakeAmazon {
    inner: Arc<Mutex<Inner>>,
    clock: Arc<dyn Clock>,
    page_size: usize,
    shows_packages: bool,
}

impl FakeAmazon {
    /// An empty fake whose "now" comes from `clock`, with pages of 100 orders.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::default(),
            clock,
            page_size: 100,
            shows_packages: true,
        }
    }

    /// Sets the page size (at least 1).
    pub fn with_page_size(mut self, size: usize) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// Behave like an account reading through Orders v0 or MWS, whose orders show no
    /// packages ([`AmazonSide::shows_packages`] is `false`); `get_order` then returns
    /// orders without packages.
    pub fn without_packages(mut self) -> Self {
        self.shows_packages = false;
        self
    }

    /// The next `times` calls of `op` apply their write and then fail with `error`: the
    /// fault where Amazon applied it and the answer was lost.
    pub fn fail_after_apply(&self, op: FakeOp, error: AmazonError, times: usize) {
        let mut inner = self.lock();
        let queue = inner.after_apply.entry(op).or_default();
        for _ in 0..times {
            queue.push_back(error.clone());
        }
    }

    /// How many `confirmShipment` calls were applied (accepted), lost answers included.
    pub fn accepted_confirmations(&self) -> u64 {
        self.lock().accepted
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds or replaces an order.
    pub fn put_order(&self, order: Order) {
        let mut inner = self.lock();
        inner.by_update = None;
        inner.orders.insert(order.id.clone(), order);
    }

    /// Changes an order in place (e.g. its status and `last_updated_at`).
    pub fn update_order(&self, id: &AmazonOrderId, change: impl FnOnce(&mut Order)) -> bool {
        let mut inner = self.lock();
        inner.by_update = None;
        match inner.orders.get_mut(id) {
            Some(o) => {
                change(o);
                true
            }
            None => false,
        }
    }

    /// The order as the fake holds it.
    pub fn order(&self, id: &AmazonOrderId) -> Option<Order> {
        self.lock().orders.get(id).cloned()
    }

    /// Makes the next call(s) of `op` fail with `error`, `times` times in a row.
    pub fn fail_next(&self, op: FakeOp, error: AmazonError, times: usize) {
        let mut inner = self.lock();
        let queue = inner.failures.entry(op).or_default();
        for _ in 0..times {
            queue.push_back(error.clone());
        }
    }

    /// Makes every confirmation for `order` fail as Amazon's validation would, with
    /// `message`.
    pub fn reject_confirmations_for(&self, order: &AmazonOrderId, message: impl Into<String>) {
        self.lock().rejections.insert(order.clone(), message.into());
    }

    /// Every accepted confirmation, in order.
    pub fn confirmations(&self) -> Vec<ShipmentConfirmation> {
        self.lock().confirmations.clone()
    }

    /// How many times `op` was called (failed calls included).
    pub fn calls(&self, op: FakeOp) -> u64 {
        self.lock().calls.get(&op).copied().unwrap_or(0)
    }

    /// Every query passed to `list_orders`, in order.
    pub fn queries(&self) -> Vec<OrderQuery> {
        self.lock().queries.clone()
    }

    fn begin(&self, op: FakeOp) -> Result<MutexGuard<'_, Inner>, AmazonError> {
        let mut inner = self.lock();
        *inner.calls.entry(op).or_default() += 1;
        if let Some(err) = inner.failures.get_mut(&op).and_then(VecDeque::pop_front) {
            return Err(err);
        }
        Ok(inner)
    }
}

fn strip(mut order: Order, include: Include) -> Order {
    if !include.buyer {
        order.buyer = None;
        for l in &mut order.lines {
            if let Some(g) = &mut l.gift {
                g.message = None;
            }
        }
    }
    if !include.recipient {
        order.recipient = None;
    }
    order
}

fn invalid(message: impl Into<String>) -> AmazonError {
    AmazonError::new(ErrorKind::Client, message).with_code("InvalidInput")
}

#[async_trait]
impl AmazonSide for FakeAmazon {
    async fn list_orders(
        &self,
        query: &OrderQuery,
        page: Option<&PageToken>,
    ) -> Result<OrderPage, AmazonError> {
        let now = self.clock.now();
        let mut inner = self.begin(FakeOp::List)?;
        inner.queries.push(query.clone());
        let latest = now - time::Duration::minutes(2);
        let before = match query.updated_before {
            Some(b) if b > latest => {
                return Err(invalid(
                    "LastUpdatedBefore must be at least 2 minutes before now",
                ));
            }
            Some(b) => b,
            None => latest,
        };
        if query.updated_after >= before {
            return Err(invalid("LastUpdatedAfter must be before LastUpdatedBefore"));
        }
        // The token is the position after the last order returned: (update time, id).
        let after: Option<(OffsetDateTime, AmazonOrderId)> = match page {
            None => None,
            Some(PageToken(t)) => {
                let parsed = t.split_once('|').and_then(|(nanos, id)| {
                    let nanos = nanos.parse::<i128>().ok()?;
                    let at = OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
                    Some((at, AmazonOrderId::new(id)))
                });
                Some(parsed.ok_or_else(|| invalid(format!("invalid NextToken {t}")))?)
            }
        };
        let inner = &mut *inner;
        let index = inner.by_update.get_or_insert_with(|| {
            let mut v: Vec<(OffsetDateTime, AmazonOrderId)> = inner
                .orders
                .values()
                .map(|o| (o.last_updated_at, o.id.clone()))
                .collect();
            v.sort();
            v
        });
        let from = match &after {
            Some(key) => index.partition_point(|k| k <= key),
            None => index.partition_point(|(at, _)| *at < query.updated_after),
        };
        let mut orders = Vec::new();
        let mut last = None;
        let mut more = false;
        for (at, id) in &index[from..] {
            if *at >= before {
                break;
            }
            let Some(o) = inner.orders.get(id) else {
                continue;
            };
            let wanted = (query.marketplaces.is_empty()
                || query.marketplaces.contains(&o.marketplace))
                && query
                    .channels
                    .as_ref()
                    .is_none_or(|c| c.contains(&o.channel));
            if !wanted {
                continue;
            }
            if orders.len() == self.page_size {
                more = true;
                break;
            }
            orders.push(strip(o.clone(), query.include));
            last = Some((*at, id.clone()));
        }
        let next_page = match (more, last) {
            (true, Some((at, id))) => {
                Some(PageToken(format!("{}|{}", at.unix_timestamp_nanos(), id)))
            }
            _ => None,
        };
        Ok(OrderPage {
            orders,
            next_page,
            updated_before: Some(before),
        })
    }

    async fn get_order(
        &self,
        id: &AmazonOrderId,
        include: Include,
    ) -> Result<Option<Order>, AmazonError> {
        let inner = self.begin(FakeOp::Get)?;
        let shows = self.shows_packages;
        Ok(inner.orders.get(id).cloned().map(|o| {
            let mut o = strip(o, include);
            if !shows {
                o.packages.clear();
            }
            o
        }))
    }

    async fn confirm_shipment(&self, c: &ShipmentConfirmation) -> Result<(), AmazonError> {
        let now: OffsetDateTime = self.clock.now();
        let mut inner = self.begin(FakeOp::Confirm)?;
        if let Some(message) = inner.rejections.get(&c.order_id) {
            return Err(invalid(message.clone()));
        }
        if !c.package.is_valid() {
            return Err(invalid("packageReferenceId must be a positive number"));
        }
        if c.tracking_number.trim().is_empty() {
            return Err(invalid("trackingNumber is required"));
        }
        if c.carrier_code.is_empty() {
            return Err(invalid("carrierCode is required"));
        }
        if c.ship_date > now {
            return Err(invalid("shipDate cannot be in the future"));
        }
        let Some(order) = inner.orders.get_mut(&c.order_id) else {
            return Err(
                AmazonError::new(ErrorKind::Client, "order not found").with_code("NotFound")
            );
        };
        if order.marketplace != c.marketplace {
            return Err(invalid("marketplaceId does not match the order"));
        }
        for item in &c.items {
            if !order.lines.iter().any(|l| l.item_id == item.item_id) {
                return Err(invalid(format!("unknown orderItemId {}", item.item_id)));
            }
        }
        let package = Package {
            reference: c.package.clone(),
            carrier: Some(c.carrier_code.clone()),
            tracking_number: Some(c.tracking_number.clone()),
            shipped_at: Some(c.ship_date),
            items: c.items.clone(),
        };
        order.packages.retain(|p| p.reference != c.package);
        order.packages.push(package);
        // As Amazon (and the sandbox) do: the shipped quantities, the status and the
        // version move with the confirmation.
        let shipped_now: Vec<_> = order
            .packages
            .iter()
            .flat_map(|p| p.items.iter())
            .map(|i| (i.item_id.clone(), i.quantity))
            .collect();
        for line in &mut order.lines {
            let q: u32 = shipped_now
                .iter()
                .filter(|(id, _)| *id == line.item_id)
                .map(|(_, q)| *q)
                .sum();
            line.quantity_shipped = q.min(line.quantity_ordered);
        }
        let all_shipped = order
            .lines
            .iter()
            .all(|l| l.quantity_shipped >= l.quantity_ordered);
        order.status = if all_shipped {
            OrderStatus::Shipped
        } else {
            OrderStatus::PartiallyShipped
        };
        order.last_updated_at = now.max(order.last_updated_at + time::Duration::seconds(1));
        inner.by_update = None;
        inner.confirmations.push(c.clone());
        inner.accepted += 1;
        if let Some(err) = inner
            .after_apply
            .get_mut(&FakeOp::Confirm)
            .and_then(VecDeque::pop_front)
        {
            return Err(err);
        }
        Ok(())
    }

    fn shows_packages(&self) -> bool {
        self.shows_packages
    }
}

/// An order store that passes `budget` order writes through to `inner` and then never
/// finishes the next one.
///
/// A process that dies between the host write and the state commit is, to the engine, a
/// future dropped at that point: run an import against this store under a timeout (or
/// drop it), then run again against `inner` and check nothing was lost or doubled.
pub struct StallingStore {
    inner: Arc<dyn OrderStore>,
    budget: AtomicUsize,
}

impl StallingStore {
    /// Wraps `inner`, letting `budget` order writes through.
    pub fn new(inner: Arc<dyn OrderStore>, budget: usize) -> Self {
        Self {
            inner,
            budget: AtomicUsize::new(budget),
        }
    }
}

#[async_trait]
impl OrderStore for StallingStore {
    async fn upsert_order(&self, order: &HostOrder) -> Result<UpsertOutcome, StoreError> {
        if self
            .budget
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| b.checked_sub(1))
            .is_err()
        {
            std::future::pending::<()>().await;
        }
        self.inner.upsert_order(order).await
    }
    async fn find_order(
        &self,
        a: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<Option<HostOrderRef>, StoreError> {
        self.inner.find_order(a, id).await
    }
    async fn shipments_ready(
        &self,
        a: &AccountId,
        l: usize,
    ) -> Result<Vec<HostShipment>, StoreError> {
        self.inner.shipments_ready(a, l).await
    }
    async fn record_shipment_result(
        &self,
        a: &AccountId,
        s: &HostShipment,
        r: &ShipmentResult,
    ) -> Result<(), StoreError> {
        self.inner.record_shipment_result(a, s, r).await
    }
    async fn redact_pii(
        &self,
        a: &AccountId,
        id: &AmazonOrderId,
        m: &str,
    ) -> Result<(), StoreError> {
        self.inner.redact_pii(a, id, m).await
    }
}
