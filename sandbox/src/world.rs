//! The world inside the sandbox: orders, their planned life cycles, arrivals, shipments.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use rand::SeedableRng;
use rand::rngs::SmallRng;
use time::OffsetDateTime;

use crate::clock::trunc;
use crate::generator::{EventKind, Generator};
use crate::marketplaces::Marketplace;
use crate::model::{CancelledBy, OrderStatus, SimOrder, SimPackage};

/// A shipment confirmation the sandbox accepted (via `confirmShipment`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConfirmedShipment {
    /// Amazon order id.
    pub order_id: String,
    /// Marketplace id sent in the request.
    pub marketplace_id: String,
    /// The seller's package reference id.
    pub package_reference_id: String,
    /// Carrier code as sent.
    pub carrier_code: String,
    /// Carrier name (with `Other`).
    pub carrier_name: Option<String>,
    /// Shipping method as sent.
    pub shipping_method: Option<String>,
    /// Tracking number as sent.
    pub tracking_number: String,
    /// Ship date as sent.
    pub ship_date: OffsetDateTime,
    /// (order item id, quantity) pairs.
    pub items: Vec<(String, u32)>,
    /// Sandbox time the confirmation was accepted.
    pub confirmed_at: OffsetDateTime,
    /// `true` when this confirmation replaced an earlier one with the same package id.
    pub replaced_earlier: bool,
}

/// Which write reached a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PackageWrite {
    /// An SP-API `confirmShipment` call.
    ConfirmShipment,
    /// A fulfilment feed message (SP-API or MWS `POST_ORDER_FULFILLMENT_DATA`).
    Feed,
}

/// How many writes reached one (order, package reference id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PackageWrites {
    /// `confirmShipment` calls accepted (answered or not), identical repeats included.
    pub(crate) accepted_confirmations: u32,
    /// Writes (from either source) that created or changed the package.
    pub(crate) changes: u32,
    /// Fulfilment feed messages applied, identical repeats included.
    pub(crate) feed_messages: u32,
}

/// A package as Amazon now holds it on an order, with the count of writes that reached it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PackageState {
    /// Amazon order id.
    pub order_id: String,
    /// The order's marketplace.
    pub marketplace_id: String,
    /// The seller's package reference id.
    pub package_reference_id: String,
    /// Carrier code as last accepted.
    pub carrier_code: String,
    /// Carrier name (with `Other`).
    pub carrier_name: Option<String>,
    /// Shipping method.
    pub shipping_method: Option<String>,
    /// Tracking number as last accepted.
    pub tracking_number: String,
    /// Ship date.
    pub ship_date: OffsetDateTime,
    /// (order item id, quantity) pairs.
    pub items: Vec<(String, u32)>,
    /// `confirmShipment` calls Amazon accepted for this package (the write was applied,
    /// whether or not the client saw the answer), identical repeats included. `0` for a
    /// package the world shipped itself (the seller shipped before the integration ran).
    pub accepted_confirmations: u32,
    /// Accepted writes that created the package or changed it (a repeat with the same
    /// contents changes nothing and is not counted here).
    pub changes: u32,
    /// Fulfilment feed messages applied to this package (SP-API or MWS feeds).
    pub feed_messages: u32,
}

/// Totals over [`PackageState`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PackageTotals {
    /// Packages held on orders.
    pub packages: u64,
    /// Packages written at least once through `confirmShipment` or a feed.
    pub written_packages: u64,
    /// Accepted `confirmShipment` calls (writes applied).
    pub accepted_confirmations: u64,
    /// Writes that created or changed a package.
    pub changes: u64,
    /// Fulfilment feed messages applied.
    pub feed_messages: u64,
}

impl PackageTotals {
    /// Adds one package.
    pub(crate) fn add(&mut self, p: &PackageState) {
        self.packages += 1;
        if p.accepted_confirmations + p.feed_messages > 0 {
            self.written_packages += 1;
        }
        self.accepted_confirmations += u64::from(p.accepted_confirmations);
        self.changes += u64::from(p.changes);
        self.feed_messages += u64::from(p.feed_messages);
    }

    /// Totals of a list.
    pub(crate) fn of(list: &[PackageState]) -> Self {
        let mut t = PackageTotals::default();
        for p in list {
            t.add(p);
        }
        t
    }
}

/// A refund or other adjustment received through a payment adjustment feed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PaymentAdjustment {
    /// Amazon order id.
    pub order_id: String,
    /// The feed (MWS feed submission id or SP-API feed id) that carried it.
    pub feed_id: String,
    /// (order item id, adjustment reason, sum of the adjustment components), as sent
    /// (refunds are negative amounts in Amazon's feed).
    pub items: Vec<(String, String, rust_decimal::Decimal)>,
    /// The order's currency.
    pub currency: String,
    /// Sandbox time the feed was processed.
    pub applied_at: OffsetDateTime,
}

/// An uploaded or generated feed document (SP-API Feeds 2021-06-30).
#[derive(Debug, Clone)]
pub(crate) struct FeedDoc {
    pub(crate) content_type: String,
    pub(crate) body: Option<Vec<u8>>,
}

/// SP-API details of a feed (absent for MWS submissions).
#[derive(Debug, Clone)]
pub(crate) struct SpFeedMeta {
    pub(crate) marketplace_ids: Vec<String>,
    pub(crate) result_doc: String,
    /// Removed feed types are accepted and end FATAL.
    pub(crate) fatal: bool,
}

/// An MWS feed submission and its processing report.
#[derive(Debug, Clone)]
pub(crate) struct MwsFeed {
    pub(crate) id: String,
    pub(crate) feed_type: String,
    pub(crate) submitted: OffsetDateTime,
    /// The feed document, until it is processed.
    pub(crate) body: String,
    pub(crate) merchant: String,
    pub(crate) strict_carrier_codes: bool,
    pub(crate) cancelled: bool,
    /// The processing report, once processed.
    pub(crate) report: Option<String>,
    /// Set for feeds created through SP-API Feeds 2021-06-30.
    pub(crate) sp: Option<SpFeedMeta>,
}

/// A filtered order listing (shared by getOrders and searchOrders).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct OrderQuery {
    pub(crate) created_after: Option<OffsetDateTime>,
    pub(crate) created_before: Option<OffsetDateTime>,
    pub(crate) updated_after: Option<OffsetDateTime>,
    pub(crate) updated_before: Option<OffsetDateTime>,
    pub(crate) marketplaces: Vec<String>,
    pub(crate) statuses: Option<Vec<OrderStatus>>,
    /// `Some(vec![true])` = AFN only.
    pub(crate) afn: Option<Vec<bool>>,
    pub(crate) payment_methods: Option<Vec<String>>,
    pub(crate) buyer_email: Option<String>,
    pub(crate) seller_order_id: Option<String>,
    pub(crate) order_ids: Option<Vec<String>>,
    pub(crate) is_ispu: Option<bool>,
    /// Easy Ship filter present: the sandbox has no Easy Ship orders.
    pub(crate) easy_ship: bool,
    pub(crate) invoice_statuses: Option<Vec<String>>,
    pub(crate) earliest_delivery_before: Option<OffsetDateTime>,
    pub(crate) earliest_delivery_after: Option<OffsetDateTime>,
    pub(crate) latest_delivery_before: Option<OffsetDateTime>,
    pub(crate) latest_delivery_after: Option<OffsetDateTime>,
}

impl OrderQuery {
    /// A query on the created or the last-updated window, other filters empty. The
    /// after-bounds are kept as given; the window that has an after-bound ends at its
    /// before-bound, or two minutes before `now` (whole seconds), whichever is earlier
    /// (Amazon's effective before-bound). Shared by getOrders, searchOrders and ListOrders.
    pub(crate) fn window(
        created_after: Option<OffsetDateTime>,
        created_before: Option<OffsetDateTime>,
        updated_after: Option<OffsetDateTime>,
        updated_before: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> OrderQuery {
        let latest = trunc(now - time::Duration::minutes(2));
        OrderQuery {
            created_after,
            created_before: created_after.map(|_| created_before.unwrap_or(latest).min(latest)),
            updated_after,
            updated_before: updated_after.map(|_| updated_before.unwrap_or(latest).min(latest)),
            ..OrderQuery::default()
        }
    }

    fn matches(&self, o: &SimOrder) -> bool {
        let within = |t: OffsetDateTime, a: Option<OffsetDateTime>, b: Option<OffsetDateTime>| {
            a.is_none_or(|a| t >= a) && b.is_none_or(|b| t <= b)
        };
        within(o.purchase, self.created_after, self.created_before)
            && within(o.last_update, self.updated_after, self.updated_before)
            && self.marketplaces.iter().any(|m| m == o.mp.id)
            && self.statuses.as_ref().is_none_or(|s| s.contains(&o.status))
            && self.afn.as_ref().is_none_or(|a| a.contains(&o.afn))
            && self
                .payment_methods
                .as_ref()
                .is_none_or(|p| p.iter().any(|m| m == if o.cod { "COD" } else { "Other" }))
            && self
                .buyer_email
                .as_ref()
                .is_none_or(|e| *e == o.buyer_email)
            && self
                .seller_order_id
                .as_ref()
                .is_none_or(|s| *s == o.seller_order_id)
            && self
                .order_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&o.id))
            && self.is_ispu.is_none_or(|b| !b)
            && !self.easy_ship
            && self
                .invoice_statuses
                .as_ref()
                .is_none_or(|s| s.iter().any(|x| x == "NotRequired"))
            && within(
                o.earliest_delivery,
                self.earliest_delivery_after,
                self.earliest_delivery_before,
            )
            && within(
                o.latest_delivery,
                self.latest_delivery_after,
                self.latest_delivery_before,
            )
    }
}

/// A saved listing position behind a NextToken / paginationToken.
#[derive(Debug, Clone)]
pub(crate) struct PageState {
    pub(crate) query: OrderQuery,
    pub(crate) after: (i64, u32),
    pub(crate) issued: OffsetDateTime,
    pub(crate) api: &'static str,
    /// The request's filters in canonical form, to check resent filters.
    pub(crate) canonical: String,
}

/// Options for orders created through the control API.
#[derive(Debug, Clone, Default)]
pub(crate) struct NewOrderOptions {
    pub(crate) marketplace: Option<&'static Marketplace>,
    pub(crate) afn: Option<bool>,
    /// Skip the Pending phase.
    pub(crate) unshipped: bool,
}

type Event = Reverse<(i64, u64, u32, EventKind)>;

/// Page tokens kept before old ones are forgotten.
const MAX_PAGE_TOKENS: usize = 20_000;

pub(crate) struct World {
    pub(crate) generator: Generator,
    pub(crate) orders: Vec<SimOrder>,
    pub(crate) by_id: HashMap<String, u32>,
    index: BTreeSet<(i64, u32)>,
    events: BinaryHeap<Event>,
    event_seq: u64,
    next_arrival: Option<OffsetDateTime>,
    orders_per_hour: f64,
    pub(crate) mps: Vec<&'static Marketplace>,
    pub(crate) shipments: Vec<ConfirmedShipment>,
    /// Writes per (order id, package reference id).
    pub(crate) package_writes: HashMap<(String, String), PackageWrites>,
    pub(crate) pages: HashMap<String, PageState>,
    pub(crate) feeds: Vec<MwsFeed>,
    pub(crate) feed_docs: HashMap<String, FeedDoc>,
    pub(crate) adjustments: Vec<PaymentAdjustment>,
    /// Refunded so far per (order id, order item id, component type).
    pub(crate) refunded: HashMap<(String, String, String), rust_decimal::Decimal>,
    /// The seller's listings.
    pub(crate) catalog: crate::catalog::Catalog,
    /// The first feed not yet processed (or skipped as cancelled).
    next_feed: usize,
    page_counter: u64,
    seed: u64,
    caught_up_to: OffsetDateTime,
}

fn key(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

impl World {
    pub(crate) fn new(
        seed: u64,
        mps: Vec<&'static Marketplace>,
        initial: usize,
        history: std::time::Duration,
        orders_per_hour: f64,
        start: OffsetDateTime,
    ) -> Self {
        let mut w = World {
            generator: Generator {
                rng: SmallRng::seed_from_u64(seed),
            },
            orders: Vec::with_capacity(initial + 64),
            by_id: HashMap::with_capacity(initial + 64),
            index: BTreeSet::new(),
            events: BinaryHeap::new(),
            event_seq: 0,
            next_arrival: None,
            orders_per_hour,
            mps,
            shipments: Vec::new(),
            package_writes: HashMap::new(),
            pages: HashMap::new(),
            feeds: Vec::new(),
            feed_docs: HashMap::new(),
            adjustments: Vec::new(),
            refunded: HashMap::new(),
            catalog: crate::catalog::Catalog::default(),
            next_feed: 0,
            page_counter: 0,
            seed,
            caught_up_to: start,
        };
        w.catalog = crate::catalog::Catalog::seed(seed, &w.mps, start);
        let span = i64::try_from(history.as_secs()).unwrap_or(i64::MAX).max(1);
        let mut times: Vec<OffsetDateTime> = (0..initial)
            .map(|_| {
                use rand::Rng;
                start - time::Duration::seconds(w.generator.rng.gen_range(1..=span))
            })
            .collect();
        times.sort();
        for t in times {
            w.create(t, &NewOrderOptions::default(), Some(start));
        }
        w.next_arrival = w
            .generator
            .inter_arrival(orders_per_hour)
            .map(|d| trunc(start + d));
        w.catch_up(start);
        w
    }

    fn schedule(&mut self, at: OffsetDateTime, order: u32, kind: EventKind) {
        self.event_seq += 1;
        self.events
            .push(Reverse((key(at), self.event_seq, order, kind)));
    }

    fn create(
        &mut self,
        at: OffsetDateTime,
        opts: &NewOrderOptions,
        backlog: Option<OffsetDateTime>,
    ) -> u32 {
        let at = trunc(at);
        let seq = u32::try_from(self.orders.len()).unwrap_or(u32::MAX);
        let mut id = self.generator.order_id();
        while self.by_id.contains_key(&id) {
            id = self.generator.order_id();
        }
        let single;
        let mps: &[&'static Marketplace] = match opts.marketplace {
            Some(m) => {
                single = [m];
                &single
            }
            None => &self.mps,
        };
        let mps = mps.to_vec();
        let (mut order, mut events) = self.generator.order(seq, id.clone(), at, &mps, backlog);
        if let Some(afn) = opts.afn {
            if afn != order.afn {
                order.afn = afn;
                events.retain(|(_, k)| {
                    !matches!(
                        k,
                        EventKind::AmazonShips
                            | EventKind::BuyerCancelRequest
                            | EventKind::SellerShippedBefore
                    )
                });
                if afn {
                    if let Some(auth) = events
                        .iter()
                        .find(|(_, k)| *k == EventKind::Authorize)
                        .map(|e| e.0)
                    {
                        events.push((auth + time::Duration::hours(6), EventKind::AmazonShips));
                    }
                }
                for item in &mut order.items {
                    item.sku = crate::catalog::switch_channel(&item.sku, afn);
                    if afn {
                        item.shipping = rust_decimal::Decimal::ZERO;
                        item.shipping_discount = rust_decimal::Decimal::ZERO;
                    }
                }
            }
        }
        if opts.unshipped {
            order.status = OrderStatus::Unshipped;
            order.preorder = false;
            events.retain(|(_, k)| {
                !matches!(
                    k,
                    EventKind::Release | EventKind::Authorize | EventKind::CancelUnpaid
                )
            });
        }
        self.by_id.insert(id, seq);
        self.index.insert((key(order.last_update), seq));
        self.orders.push(order);
        for (t, k) in events {
            self.schedule(trunc(t), seq, k);
        }
        seq
    }

    /// Sets an order's LastUpdateDate, keeping the index in step.
    pub(crate) fn touch(&mut self, seq: u32, at: OffsetDateTime) {
        let at = trunc(at);
        let o = &mut self.orders[seq as usize];
        if at <= o.last_update {
            return;
        }
        self.index.remove(&(key(o.last_update), seq));
        o.last_update = at;
        self.index.insert((key(at), seq));
    }

    /// Applies every arrival and planned event up to `now`, in time order.
    pub(crate) fn catch_up(&mut self, now: OffsetDateTime) {
        if now > self.caught_up_to {
            self.caught_up_to = now;
        }
        self.catalog.catch_up(now, &self.mps);
        loop {
            // MWS feeds start processing 30 s after submission, in submission order.
            while let Some(f) = self.feeds.get(self.next_feed) {
                let start = f.submitted + time::Duration::seconds(crate::feeds::FEED_START_SECS);
                let before_events = self
                    .events
                    .peek()
                    .is_none_or(|Reverse(e)| key(start) <= e.0);
                let before_arrival = self.next_arrival.is_none_or(|a| start <= a);
                if start > now || !(before_events && before_arrival) {
                    break;
                }
                let ix = self.next_feed;
                self.next_feed += 1;
                if !self.feeds[ix].cancelled {
                    crate::feeds::process_submission(self, ix, start);
                }
            }
            let ev = self
                .events
                .peek()
                .map(|Reverse(e)| e.0)
                .filter(|t| *t <= key(now));
            let arr = self.next_arrival.filter(|t| *t <= now);
            match (ev, arr) {
                (None, None) => break,
                (Some(e), Some(a)) if key(a) < e => self.arrive(a),
                (None, Some(a)) => self.arrive(a),
                _ => {
                    if let Some(Reverse((t, _, seq, kind))) = self.events.pop() {
                        let at = OffsetDateTime::from_unix_timestamp(t).unwrap_or(now);
                        self.apply(seq, kind, at);
                    }
                }
            }
        }
    }

    fn arrive(&mut self, at: OffsetDateTime) {
        self.create(at, &NewOrderOptions::default(), None);
        self.next_arrival = self
            .generator
            .inter_arrival(self.orders_per_hour)
            .map(|d| trunc(at + d));
    }

    fn apply(&mut self, seq: u32, kind: EventKind, at: OffsetDateTime) {
        let status = self.orders[seq as usize].status;
        match kind {
            EventKind::Release if status == OrderStatus::PendingAvailability => {
                self.orders[seq as usize].status = OrderStatus::Pending;
            }
            EventKind::Authorize
                if status == OrderStatus::Pending || status == OrderStatus::PendingAvailability =>
            {
                self.orders[seq as usize].status = OrderStatus::Unshipped;
            }
            EventKind::CancelUnpaid
                if status == OrderStatus::Pending || status == OrderStatus::PendingAvailability =>
            {
                let o = &mut self.orders[seq as usize];
                o.status = OrderStatus::Canceled;
                o.cancelled = Some((CancelledBy::Amazon, "Payment not authorized".into()));
            }
            EventKind::AmazonShips if status == OrderStatus::Unshipped => {
                let o = &mut self.orders[seq as usize];
                for i in &mut o.items {
                    i.shipped = i.qty;
                }
                o.status = OrderStatus::Shipped;
            }
            EventKind::BuyerCancelRequest if status == OrderStatus::Unshipped => {
                let reason = self.generator.cancel_reason();
                for i in &mut self.orders[seq as usize].items {
                    i.buyer_cancel = Some(reason.clone());
                }
            }
            EventKind::SellerShippedBefore if status == OrderStatus::Unshipped => {
                self.seller_ships_all(seq, at);
            }
            _ => return,
        }
        self.touch(seq, at);
    }

    /// Marks every remaining item shipped in one package with generated tracking.
    fn seller_ships_all(&mut self, seq: u32, at: OffsetDateTime) {
        let carrier = self.generator.carrier(self.orders[seq as usize].mp);
        let tracking = self.generator.tracking();
        let o = &mut self.orders[seq as usize];
        let items: Vec<(String, u32, Vec<String>)> = o
            .items
            .iter()
            .filter(|i| i.shipped < i.qty)
            .map(|i| (i.id.clone(), i.qty - i.shipped, Vec::new()))
            .collect();
        for i in &mut o.items {
            i.shipped = i.qty;
        }
        let reference_id = (o.packages.len() + 1).to_string();
        o.packages.push(SimPackage {
            reference_id,
            carrier_code: carrier,
            carrier_name: None,
            shipping_method: None,
            tracking,
            ship_date: at,
            created: at,
            ship_from_supply_source_id: None,
            items,
        });
        o.status = OrderStatus::Shipped;
    }

    /// Creates `n` orders placed at `now`.
    pub(crate) fn add_orders(
        &mut self,
        n: usize,
        now: OffsetDateTime,
        opts: &NewOrderOptions,
    ) -> Vec<String> {
        (0..n)
            .map(|_| {
                let seq = self.create(now, opts, None);
                self.orders[seq as usize].id.clone()
            })
            .collect()
    }

    /// Forces a status change (control API). Returns an error message when the transition
    /// makes no sense.
    pub(crate) fn set_status(
        &mut self,
        id: &str,
        status: OrderStatus,
        now: OffsetDateTime,
    ) -> Result<(), String> {
        let seq = *self.by_id.get(id).ok_or_else(|| format!("no order {id}"))?;
        let cur = self.orders[seq as usize].status;
        match (cur, status) {
            (a, b) if a == b => return Ok(()),
            (OrderStatus::Pending | OrderStatus::PendingAvailability, OrderStatus::Unshipped)
            | (OrderStatus::PendingAvailability, OrderStatus::Pending) => {
                self.orders[seq as usize].status = status;
            }
            (
                OrderStatus::Pending | OrderStatus::PendingAvailability | OrderStatus::Unshipped,
                OrderStatus::Canceled,
            ) => {
                let buyer = self.orders[seq as usize]
                    .items
                    .iter()
                    .any(|i| i.buyer_cancel.is_some());
                let o = &mut self.orders[seq as usize];
                o.status = OrderStatus::Canceled;
                o.cancelled = Some(if buyer {
                    (CancelledBy::Buyer, "Buyer canceled".into())
                } else {
                    (CancelledBy::Amazon, "Canceled by Amazon".into())
                });
            }
            (OrderStatus::Unshipped | OrderStatus::PartiallyShipped, OrderStatus::Shipped) => {
                self.seller_ships_all(seq, now);
            }
            (a, b) => {
                return Err(format!(
                    "cannot move order {id} from {} to {}",
                    a.v0(),
                    b.v0()
                ));
            }
        }
        self.touch(seq, now);
        Ok(())
    }

    /// Marks a buyer cancellation request on every item (control API).
    pub(crate) fn buyer_cancel_request(
        &mut self,
        id: &str,
        now: OffsetDateTime,
    ) -> Result<(), String> {
        let seq = *self.by_id.get(id).ok_or_else(|| format!("no order {id}"))?;
        if self.orders[seq as usize].status != OrderStatus::Unshipped {
            return Err(format!("order {id} is not Unshipped"));
        }
        let reason = self.generator.cancel_reason();
        for i in &mut self.orders[seq as usize].items {
            i.buyer_cancel = Some(reason.clone());
        }
        self.touch(seq, now);
        Ok(())
    }

    /// Orders matching `q` strictly after `after`, in (LastUpdateDate, creation) order.
    /// Returns the page and the position of its last order when more remain.
    pub(crate) fn query(
        &self,
        q: &OrderQuery,
        after: Option<(i64, u32)>,
        limit: usize,
    ) -> (Vec<u32>, Option<(i64, u32)>) {
        use std::ops::Bound;
        let lower = match (after, q.updated_after) {
            (Some(a), _) => Bound::Excluded(a),
            (None, Some(t)) => Bound::Included((key(t), 0)),
            (None, None) => Bound::Unbounded,
        };
        let upper = match q.updated_before {
            Some(t) => Bound::Included((key(t), u32::MAX)),
            None => Bound::Unbounded,
        };
        let mut out = Vec::with_capacity(limit.min(128));
        let mut last = None;
        let mut more = false;
        if let Some(ids) = &q.order_ids {
            // Direct lookups, then ordered like everything else.
            let mut keys: Vec<(i64, u32)> = ids
                .iter()
                .filter_map(|id| self.by_id.get(id))
                .map(|s| (key(self.orders[*s as usize].last_update), *s))
                .filter(|k| after.is_none_or(|a| *k > a))
                .collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                if q.matches(&self.orders[k.1 as usize]) {
                    if out.len() == limit {
                        more = true;
                        break;
                    }
                    out.push(k.1);
                    last = Some(k);
                }
            }
        } else {
            // An after-bound past the before-bound (say a cursor younger than the two-minute
            // lag) selects nothing; BTreeSet::range would panic on it.
            let start = match lower {
                Bound::Included(k) | Bound::Excluded(k) => Some(k),
                Bound::Unbounded => None,
            };
            let end = match upper {
                Bound::Included(k) | Bound::Excluded(k) => Some(k),
                Bound::Unbounded => None,
            };
            if let (Some(a), Some(b)) = (start, end) {
                if a > b
                    || (a == b
                        && !matches!((lower, upper), (Bound::Included(_), Bound::Included(_))))
                {
                    return (out, None);
                }
            }
            for k in self.index.range((lower, upper)) {
                if q.matches(&self.orders[k.1 as usize]) {
                    if out.len() == limit {
                        more = true;
                        break;
                    }
                    out.push(k.1);
                    last = Some(*k);
                }
            }
        }
        (out, if more { last } else { None })
    }

    /// Saves a page position and returns its opaque token.
    pub(crate) fn save_page(&mut self, state: PageState) -> String {
        if self.pages.len() >= MAX_PAGE_TOKENS {
            // Tokens live 24 hours; past the cap the older half goes too.
            let now = state.issued;
            self.pages
                .retain(|_, p| now - p.issued < time::Duration::hours(24));
            if self.pages.len() >= MAX_PAGE_TOKENS {
                let mut issued: Vec<OffsetDateTime> =
                    self.pages.values().map(|p| p.issued).collect();
                issued.sort();
                let cut = issued[issued.len() / 2];
                self.pages.retain(|_, p| p.issued > cut);
            }
        }
        self.page_counter += 1;
        let h = crate::hash::mix(self.seed ^ self.page_counter.wrapping_mul(0x9E37_79B9));
        let token = format!("{:016x}{:x}", h, self.page_counter);
        self.pages.insert(token.clone(), state);
        token
    }

    /// Records a shipped package on order `seq` (already validated), counting the write
    /// under `source`. A package with the same reference id is an edit: identical →
    /// nothing changes (returns `false`); different → the old one is replaced. Returns
    /// whether anything changed.
    pub(crate) fn apply_package(
        &mut self,
        seq: u32,
        marketplace_id: &str,
        package: SimPackage,
        now: OffsetDateTime,
        source: PackageWrite,
    ) -> bool {
        let write_key = (
            self.orders[seq as usize].id.clone(),
            package.reference_id.clone(),
        );
        let writes = self.package_writes.entry(write_key.clone()).or_default();
        match source {
            PackageWrite::ConfirmShipment => writes.accepted_confirmations += 1,
            PackageWrite::Feed => writes.feed_messages += 1,
        }
        let o = &mut self.orders[seq as usize];
        let mut replaced = false;
        if let Some(ix) = o
            .packages
            .iter()
            .position(|p| p.reference_id == package.reference_id)
        {
            let old = &o.packages[ix];
            let same = old.carrier_code == package.carrier_code
                && old.carrier_name == package.carrier_name
                && old.shipping_method == package.shipping_method
                && old.tracking == package.tracking
                && old.ship_date == package.ship_date
                && old.items == package.items;
            if same {
                return false;
            }
            let old = o.packages.remove(ix);
            for (id, q, _) in &old.items {
                if let Some(i) = o.items.iter_mut().find(|i| &i.id == id) {
                    i.shipped = i.shipped.saturating_sub(*q);
                }
            }
            replaced = true;
        }
        for (id, q, _) in &package.items {
            if let Some(i) = o.items.iter_mut().find(|i| &i.id == id) {
                i.shipped = (i.shipped + q).min(i.qty);
            }
        }
        o.status = if o.items.iter().all(|i| i.shipped >= i.qty) {
            OrderStatus::Shipped
        } else if o.items.iter().any(|i| i.shipped > 0) {
            OrderStatus::PartiallyShipped
        } else {
            OrderStatus::Unshipped
        };
        let record = ConfirmedShipment {
            order_id: o.id.clone(),
            marketplace_id: marketplace_id.to_owned(),
            package_reference_id: package.reference_id.clone(),
            carrier_code: package.carrier_code.clone(),
            carrier_name: package.carrier_name.clone(),
            shipping_method: package.shipping_method.clone(),
            tracking_number: package.tracking.clone(),
            ship_date: package.ship_date,
            items: package
                .items
                .iter()
                .map(|(i, q, _)| (i.clone(), *q))
                .collect(),
            confirmed_at: trunc(now),
            replaced_earlier: replaced,
        };
        o.packages.push(package);
        self.touch(seq, now);
        self.shipments.push(record);
        if let Some(w) = self.package_writes.get_mut(&write_key) {
            w.changes += 1;
        }
        true
    }

    /// Every package held on an order, with the writes that reached it, in order
    /// creation order.
    pub(crate) fn package_states(&self) -> Vec<PackageState> {
        let mut out = Vec::new();
        for o in &self.orders {
            for p in &o.packages {
                let writes = self
                    .package_writes
                    .get(&(o.id.clone(), p.reference_id.clone()))
                    .copied()
                    .unwrap_or_default();
                out.push(PackageState {
                    order_id: o.id.clone(),
                    marketplace_id: o.mp.id.to_owned(),
                    package_reference_id: p.reference_id.clone(),
                    carrier_code: p.carrier_code.clone(),
                    carrier_name: p.carrier_name.clone(),
                    shipping_method: p.shipping_method.clone(),
                    tracking_number: p.tracking.clone(),
                    ship_date: p.ship_date,
                    items: p.items.iter().map(|(i, q, _)| (i.clone(), *q)).collect(),
                    accepted_confirmations: writes.accepted_confirmations,
                    changes: writes.changes,
                    feed_messages: writes.feed_messages,
                });
            }
        }
        out
    }

    pub(crate) fn order(&self, id: &str) -> Option<&SimOrder> {
        self.by_id.get(id).map(|s| &self.orders[*s as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn world(seed: u64, n: usize) -> World {
        let mps: Vec<&'static Marketplace> = crate::marketplaces::MARKETPLACES.iter().collect();
        let start = time::macros::datetime!(2026-06-01 12:00 UTC);
        World::new(
            seed,
            mps,
            n,
            std::time::Duration::from_secs(10 * 86_400),
            30.0,
            start,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn generated_orders_are_consistent(seed: u64, hours in 0i64..200) {
            let mut w = world(seed, 60);
            let start = time::macros::datetime!(2026-06-01 12:00 UTC);
            w.catch_up(start + time::Duration::hours(hours));
            let mut ids = std::collections::HashSet::new();
            for o in &w.orders {
                prop_assert!(ids.insert(o.id.clone()));
                prop_assert!(crate::model::valid_order_id(&o.id));
                prop_assert!(o.last_update >= o.purchase);
                prop_assert!(!o.items.is_empty());
                prop_assert!(o.total() >= rust_decimal::Decimal::ZERO, "{}", o.total());
                let total = o.money_str(o.total());
                prop_assert_eq!(total.split('.').nth(1).map_or(0, str::len) as u32, o.mp.scale);
                for i in &o.items {
                    prop_assert!(i.shipped <= i.qty);
                }
                let shipped: u32 = o.items.iter().map(|i| i.shipped).sum();
                let all: u32 = o.items.iter().map(|i| i.qty).sum();
                match o.status {
                    OrderStatus::Shipped => prop_assert_eq!(shipped, all),
                    OrderStatus::PartiallyShipped => prop_assert!(shipped > 0 && shipped < all),
                    _ => prop_assert_eq!(shipped, 0),
                }
                if o.status == OrderStatus::Shipped && !o.afn {
                    prop_assert!(!o.packages.is_empty());
                }
            }
            // The index holds every order exactly once, at its LastUpdateDate.
            prop_assert_eq!(w.index.len(), w.orders.len());
            for (t, s) in &w.index {
                prop_assert_eq!(*t, w.orders[*s as usize].last_update.unix_timestamp());
            }
        }

        #[test]
        fn catching_up_in_steps_equals_one_jump(seed: u64, steps in 1usize..6) {
            let start = time::macros::datetime!(2026-06-01 12:00 UTC);
            let mut a = world(seed, 20);
            let mut b = world(seed, 20);
            for k in 1..=steps {
                a.catch_up(start + time::Duration::hours(8 * k as i64 / steps as i64));
            }
            b.catch_up(start + time::Duration::hours(8));
            prop_assert_eq!(a.orders.len(), b.orders.len());
            for (x, y) in a.orders.iter().zip(&b.orders) {
                prop_assert_eq!(&x.id, &y.id);
                prop_assert_eq!(x.status, y.status);
                prop_assert_eq!(x.last_update, y.last_update);
            }
        }
    }
}
