//! The control API under `/_sandbox/` and the in-process equivalents it shares.
//!
//! | method and path | body | effect |
//! | --- | --- | --- |
//! | `GET /_sandbox` | | the list of control endpoints |
//! | `GET /_sandbox/clock` | | `{"now", "mode", "timeScale"}` |
//! | `POST /_sandbox/clock/advance` | `{"seconds": 90}` | moves the clock, applies due events |
//! | `GET /_sandbox/orders` | | snapshot of every order |
//! | `POST /_sandbox/orders` | `{"count": 3, "marketplaceId"?, "fulfillmentChannel"?: "MFN"\|"AFN", "status"?: "Pending"\|"Unshipped"}` | creates orders now; `{"orderIds": […]}` |
//! | `POST /_sandbox/orders/{id}/status` | `{"status": "Shipped"}` | forces a status change |
//! | `POST /_sandbox/orders/{id}/buyer-cancel-request` | | marks a buyer cancellation request |
//! | `GET /_sandbox/faults` / `PUT /_sandbox/faults` | `{"spec": "429=0.1;getOrders:drop=0.05"}` | reads / replaces the fault rules |
//! | `GET /_sandbox/stats` / `DELETE /_sandbox/stats` | | per-operation calls, 429s, faults, statuses, and package totals of every seller / reset (the counts of writes stay: they are the world's) |
//! | `GET /_sandbox/shipments` | | shipment confirmations accepted |
//! | `GET /_sandbox/packages` | | every package as held now, per (order, packageReferenceId), with accepted `confirmShipment` calls and feed messages; `totals` |
//! | `GET /_sandbox/adjustments` | | refunds/adjustments received through payment adjustment feeds |
//!
//! Order and shipment endpoints take `?sellerId=…` in a multi-seller sandbox (default: the
//! first seller).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::http::Method;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::clock::iso;
use crate::faults::FaultSpec;
use crate::marketplaces;
use crate::model::OrderStatus;
use crate::server::{OperationStats, Shared, lock};
use crate::world::{ConfirmedShipment, NewOrderOptions, PackageState, PackageTotals};

/// The largest clock step the control API accepts (one year).
const MAX_ADVANCE_SECS: u64 = 366 * 86_400;

/// One order line as the sandbox holds it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ItemSnapshot {
    /// `OrderItemId`.
    pub order_item_id: String,
    /// `SellerSKU`.
    pub seller_sku: String,
    /// `QuantityOrdered`.
    pub quantity_ordered: u32,
    /// `QuantityShipped`.
    pub quantity_shipped: u32,
    /// Whether the buyer asked to cancel.
    pub buyer_cancel_requested: bool,
    /// Whether Transparency codes are required when confirming the shipment.
    pub transparency: bool,
    /// `ItemPrice`: the line total (unit price × quantity), tax included where the
    /// marketplace quotes gross prices. Present once the order left Pending.
    pub item_price: Option<Decimal>,
    /// `ItemTax`.
    pub item_tax: Option<Decimal>,
    /// `ShippingPrice`.
    pub shipping_price: Option<Decimal>,
    /// `PromotionDiscount` (positive amount).
    pub promotion_discount: Option<Decimal>,
}

/// An order as the sandbox holds it (no buyer PII).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OrderSnapshot {
    /// `AmazonOrderId`.
    pub order_id: String,
    /// `MarketplaceId`.
    pub marketplace_id: String,
    /// Current status.
    pub status: OrderStatus,
    /// `true` for AFN (fulfilled by Amazon).
    pub amazon_fulfilled: bool,
    /// `PurchaseDate`.
    pub purchase_date: OffsetDateTime,
    /// `LastUpdateDate`.
    pub last_update_date: OffsetDateTime,
    /// `OrderTotal` amount (the wire omits `OrderTotal` while the order is Pending).
    pub total: Decimal,
    /// `OrderTotal` currency.
    pub currency: String,
    /// The lines.
    pub items: Vec<ItemSnapshot>,
}

impl Shared {
    pub(crate) fn snapshot(&self, ix: usize) -> Vec<OrderSnapshot> {
        let w = self.world(ix);
        w.orders
            .iter()
            .map(|o| OrderSnapshot {
                order_id: o.id.clone(),
                marketplace_id: o.mp.id.into(),
                status: o.status,
                amazon_fulfilled: o.afn,
                purchase_date: o.purchase,
                last_update_date: o.last_update,
                total: o.total(),
                currency: o.mp.currency.into(),
                items: o
                    .items
                    .iter()
                    .map(|i| {
                        let priced = !matches!(
                            o.status,
                            OrderStatus::Pending | OrderStatus::PendingAvailability
                        );
                        let a = o.amounts(i);
                        let p = |d: Decimal| priced.then(|| o.round(d));
                        ItemSnapshot {
                            item_price: p(a.item_price),
                            item_tax: p(a.item_tax),
                            shipping_price: p(a.shipping),
                            promotion_discount: p(a.promotion_discount),
                            order_item_id: i.id.clone(),
                            seller_sku: i.sku.clone(),
                            quantity_ordered: i.qty,
                            quantity_shipped: i.shipped,
                            buyer_cancel_requested: i.buyer_cancel.is_some(),
                            transparency: i.transparency,
                        }
                    })
                    .collect(),
            })
            .collect()
    }

    pub(crate) fn advance(&self, by: std::time::Duration) -> OffsetDateTime {
        self.clock.advance(by);
        let now = self.now();
        for (_, w) in &self.worlds {
            lock(w).catch_up(now);
        }
        now
    }

    pub(crate) fn add(&self, ix: usize, n: usize, opts: &NewOrderOptions) -> Vec<String> {
        let now = self.now();
        let mut w = self.world(ix);
        w.add_orders(n, now, opts)
    }

    pub(crate) fn shipments(&self, ix: usize) -> Vec<ConfirmedShipment> {
        self.world(ix).shipments.clone()
    }

    pub(crate) fn stats_snapshot(&self) -> BTreeMap<String, OperationStats> {
        lock(&self.stats)
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    pub(crate) fn replace_faults(&self, spec: FaultSpec) {
        let mut f = self
            .faults
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *f = spec;
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemJson<'a> {
    order_item_id: &'a str,
    seller_sku: &'a str,
    quantity_ordered: u32,
    quantity_shipped: u32,
    buyer_cancel_requested: bool,
    transparency: bool,
}

fn order_json(o: &OrderSnapshot) -> Value {
    let items: Vec<ItemJson<'_>> = o
        .items
        .iter()
        .map(|i| ItemJson {
            order_item_id: &i.order_item_id,
            seller_sku: &i.seller_sku,
            quantity_ordered: i.quantity_ordered,
            quantity_shipped: i.quantity_shipped,
            buyer_cancel_requested: i.buyer_cancel_requested,
            transparency: i.transparency,
        })
        .collect();
    json!({
        "orderId": o.order_id,
        "marketplaceId": o.marketplace_id,
        "orderStatus": o.status.v0(),
        "fulfillmentChannel": if o.amazon_fulfilled { "AFN" } else { "MFN" },
        "purchaseDate": iso(o.purchase_date),
        "lastUpdateDate": iso(o.last_update_date),
        "orderTotal": {"amount": o.total.to_string(), "currencyCode": o.currency},
        "items": items,
    })
}

fn shipment_json(s: &ConfirmedShipment) -> Value {
    json!({
        "orderId": s.order_id,
        "marketplaceId": s.marketplace_id,
        "packageReferenceId": s.package_reference_id,
        "carrierCode": s.carrier_code,
        "carrierName": s.carrier_name,
        "shippingMethod": s.shipping_method,
        "trackingNumber": s.tracking_number,
        "shipDate": iso(s.ship_date),
        "items": s.items.iter().map(|(i, q)| json!({"orderItemId": i, "quantity": q})).collect::<Vec<_>>(),
        "confirmedAt": iso(s.confirmed_at),
        "replacedEarlier": s.replaced_earlier,
    })
}

fn package_json(p: &PackageState) -> Value {
    json!({
        "orderId": p.order_id,
        "marketplaceId": p.marketplace_id,
        "packageReferenceId": p.package_reference_id,
        "carrierCode": p.carrier_code,
        "carrierName": p.carrier_name,
        "shippingMethod": p.shipping_method,
        "trackingNumber": p.tracking_number,
        "shipDate": iso(p.ship_date),
        "items": p.items.iter().map(|(i, q)| json!({"orderItemId": i, "quantity": q})).collect::<Vec<_>>(),
        "acceptedConfirmations": p.accepted_confirmations,
        "changes": p.changes,
        "feedMessages": p.feed_messages,
    })
}

fn bad(msg: impl Into<String>) -> (u16, Value) {
    (400, json!({"error": msg.into()}))
}

/// Parses the options of `POST /_sandbox/orders`.
pub(crate) fn new_order_options(v: &Value) -> Result<NewOrderOptions, String> {
    let mut o = NewOrderOptions::default();
    if let Some(m) = v.get("marketplaceId").and_then(Value::as_str) {
        o.marketplace =
            Some(marketplaces::by_id(m).ok_or_else(|| format!("unknown marketplace {m}"))?);
    }
    match v.get("fulfillmentChannel").and_then(Value::as_str) {
        None => {}
        Some("AFN") => o.afn = Some(true),
        Some("MFN") => o.afn = Some(false),
        Some(x) => return Err(format!("fulfillmentChannel must be AFN or MFN, not {x}")),
    }
    match v.get("status").and_then(Value::as_str) {
        None | Some("Pending") => {}
        Some("Unshipped") => o.unshipped = true,
        Some(x) => return Err(format!("status must be Pending or Unshipped, not {x}")),
    }
    Ok(o)
}

/// Handles `/_sandbox{rest}`.
pub(crate) fn handle(
    s: &Shared,
    method: &Method,
    rest: &str,
    query: &str,
    body: &Bytes,
) -> (u16, Value) {
    let seller = match serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "sellerId")
    {
        None => 0,
        Some((_, id)) => match s.seller_index(&id) {
            Some(ix) => ix,
            None => return (404, json!({"error": format!("no seller {id}")})),
        },
    };
    let v: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return bad(format!("body is not JSON: {e}")),
        }
    };
    let segs: Vec<&str> = rest
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match (method.as_str(), segs.as_slice()) {
        ("GET", []) => (
            200,
            json!({"endpoints": [
                "GET /_sandbox/clock",
                "POST /_sandbox/clock/advance {\"seconds\": n}",
                "GET /_sandbox/orders[?sellerId=]",
                "POST /_sandbox/orders[?sellerId=] {\"count\", \"marketplaceId\", \"fulfillmentChannel\", \"status\"}",
                "POST /_sandbox/orders/{id}/status[?sellerId=] {\"status\"}",
                "POST /_sandbox/orders/{id}/buyer-cancel-request[?sellerId=]",
                "GET /_sandbox/faults",
                "PUT /_sandbox/faults {\"spec\"}",
                "GET /_sandbox/stats",
                "DELETE /_sandbox/stats",
                "GET /_sandbox/shipments[?sellerId=]",
                "GET /_sandbox/packages[?sellerId=]",
                "GET /_sandbox/adjustments[?sellerId=]",
            ]}),
        ),
        ("GET", ["clock"]) => (200, clock_json(s, s.now())),
        ("POST", ["clock", "advance"]) => {
            let Some(secs) = v
                .get("seconds")
                .and_then(Value::as_f64)
                .filter(|x| *x >= 0.0 && x.is_finite())
            else {
                return bad("seconds (a non-negative number) is required");
            };
            let Ok(by) = std::time::Duration::try_from_secs_f64(secs) else {
                return bad("seconds is too large");
            };
            if by > std::time::Duration::from_secs(MAX_ADVANCE_SECS) {
                return bad(format!("at most {MAX_ADVANCE_SECS} seconds at a time"));
            }
            let now = s.advance(by);
            (200, clock_json(s, now))
        }
        ("GET", ["orders"]) => (
            200,
            json!({"orders": s.snapshot(seller).iter().map(order_json).collect::<Vec<_>>()}),
        ),
        ("POST", ["orders"]) => {
            let n = v.get("count").and_then(Value::as_u64).unwrap_or(1);
            if n > 100_000 {
                return bad("count must be at most 100000");
            }
            match new_order_options(&v) {
                Ok(opts) => (
                    200,
                    json!({"orderIds": s.add(seller, usize::try_from(n).unwrap_or(0), &opts)}),
                ),
                Err(e) => bad(e),
            }
        }
        ("POST", ["orders", id, "status"]) => {
            let Some(st) = v
                .get("status")
                .and_then(Value::as_str)
                .and_then(OrderStatus::parse)
            else {
                return bad("status must be an order status (e.g. Unshipped, Shipped, Canceled)");
            };
            let now = s.now();
            match s.world(seller).set_status(id, st, now) {
                Ok(()) => (200, json!({"orderId": id, "orderStatus": st.v0()})),
                Err(e) => bad(e),
            }
        }
        ("POST", ["orders", id, "buyer-cancel-request"]) => {
            let now = s.now();
            match s.world(seller).buyer_cancel_request(id, now) {
                Ok(()) => (200, json!({"orderId": id})),
                Err(e) => bad(e),
            }
        }
        ("GET", ["faults"]) => (
            200,
            json!({"spec": s.faults.read().map(|f| f.to_string()).unwrap_or_default()}),
        ),
        ("PUT" | "POST", ["faults"]) => {
            let spec = v.get("spec").and_then(Value::as_str).unwrap_or("");
            match spec.parse::<FaultSpec>() {
                Ok(f) => {
                    let text = f.to_string();
                    s.replace_faults(f);
                    (200, json!({"spec": text}))
                }
                Err(e) => bad(e.to_string()),
            }
        }
        ("GET", ["stats"]) => {
            let mut totals = PackageTotals::default();
            for ix in 0..s.worlds.len() {
                for p in s.world(ix).package_states() {
                    totals.add(&p);
                }
            }
            (
                200,
                json!({"operations": s.stats_snapshot(), "packages": totals}),
            )
        }
        ("GET", ["packages"]) => {
            let list = s.world(seller).package_states();
            let totals = PackageTotals::of(&list);
            (
                200,
                json!({"packages": list.iter().map(package_json).collect::<Vec<_>>(), "totals": totals}),
            )
        }
        ("DELETE", ["stats"]) => {
            lock(&s.stats).clear();
            (200, json!({"operations": {}}))
        }
        ("GET", ["adjustments"]) => {
            let list: Vec<Value> = s
                .world(seller)
                .adjustments
                .iter()
                .map(|a| {
                    json!({
                        "orderId": a.order_id,
                        "feedId": a.feed_id,
                        "currency": a.currency,
                        "appliedAt": iso(a.applied_at),
                        "items": a.items.iter().map(|(i, r, amt)| json!({"orderItemId": i, "reason": r, "amount": amt.to_string()})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            (200, json!({ "adjustments": list }))
        }
        ("GET", ["shipments"]) => (
            200,
            json!({"shipments": s.shipments(seller).iter().map(shipment_json).collect::<Vec<_>>()}),
        ),
        _ => (
            404,
            json!({"error": format!("no control endpoint {} /_sandbox{rest}", method)}),
        ),
    }
}

fn clock_json(s: &Shared, now: OffsetDateTime) -> Value {
    json!({
        "now": iso(now),
        "mode": match s.clock.mode() { crate::config::ClockMode::Manual => "manual", crate::config::ClockMode::Scaled => "scaled" },
        "timeScale": s.clock.scale(),
    })
}
