//! Feed processing, shared by MWS `SubmitFeed` and SP-API Feeds 2021-06-30: the order
//! feeds (fulfilment, acknowledgement and cancellation, payment adjustment) applied to the
//! world message by message, and the processing report. It belongs to the world: it knows
//! no HTTP and no API module.

use rust_decimal::Decimal;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::catalog::{
    ListingChange, ListingIssue, Patch, PendingListingWrite, check_patch, check_put, parse_patches,
};
use crate::clock::{parse_iso, trunc};
use crate::model::{CancelledBy, OrderStatus, SimPackage};
use crate::world::{MwsFeed, World};
use crate::xml::{Node, X, parse_xml};

/// Sandbox seconds between a feed's submission and the start of its processing.
pub(crate) const FEED_START_SECS: i64 = 30;

/// Sandbox seconds between a feed's submission and the end of its processing.
pub(crate) const FEED_DONE_SECS: i64 = 120;

/// One result line of a processing report.
pub(crate) struct FeedResult {
    pub(crate) message_id: String,
    pub(crate) code: &'static str,
    pub(crate) message_code: u32,
    pub(crate) description: String,
    pub(crate) order_id: Option<String>,
}

/// Ship or cancel per one feed message; `Err` is (message code, description).
struct Fulfilment<'a> {
    order_id: &'a str,
    reference: String,
    date: Option<&'a str>,
    carrier_code: Option<&'a str>,
    carrier_name: Option<&'a str>,
    method: Option<&'a str>,
    tracking: Option<&'a str>,
    items: Vec<(String, Option<u32>)>,
}

fn fulfil(
    w: &mut World,
    f: &Fulfilment<'_>,
    strict: bool,
    now: OffsetDateTime,
) -> Result<(), (u32, String)> {
    let seq = *w
        .by_id
        .get(f.order_id)
        .ok_or((18028, format!("Order ID {} was not found.", f.order_id)))?;
    let o = &w.orders[seq as usize];
    if o.afn {
        return Err((
            18126,
            format!(
                "Order {} is fulfilled by Amazon and cannot be confirmed.",
                o.id
            ),
        ));
    }
    if !matches!(
        o.status,
        OrderStatus::Unshipped | OrderStatus::PartiallyShipped | OrderStatus::Shipped
    ) {
        return Err((
            18138,
            format!("Order {} is {} and cannot be shipped.", o.id, o.status.v0()),
        ));
    }
    let date = f.date.and_then(parse_iso).ok_or((
        5000,
        "FulfillmentDate is missing or not a valid dateTime.".to_owned(),
    ))?;
    if date > now {
        return Err((18057, "FulfillmentDate cannot be in the future.".to_owned()));
    }
    let (code, name) = match (f.carrier_code, f.carrier_name) {
        (Some(c), n) => {
            if strict && !crate::model::CARRIER_CODES.contains(&c) {
                return Err((5000, format!("CarrierCode {c:?} is not a valid value.")));
            }
            (c.to_owned(), n.map(str::to_owned))
        }
        (None, Some(n)) => ("Other".to_owned(), Some(n.to_owned())),
        (None, None) => {
            return Err((
                5000,
                "FulfillmentData needs a CarrierCode or a CarrierName.".to_owned(),
            ));
        }
    };
    let existing = o.packages.iter().find(|p| p.reference_id == f.reference);
    let mut items = Vec::new();
    if f.items.is_empty() {
        for i in &o.items {
            let left = i.qty - i.shipped.min(i.qty);
            if left > 0 {
                items.push((i.id.clone(), left, Vec::new()));
            }
        }
        if items.is_empty() && existing.is_none() {
            return Err((18021, format!("Order {} has nothing left to ship.", o.id)));
        }
    }
    for (id, q) in &f.items {
        let Some(item) = o.items.iter().find(|i| &i.id == id) else {
            return Err((
                18025,
                format!("Order item {id} does not belong to order {}.", o.id),
            ));
        };
        let in_this = existing
            .and_then(|p| p.items.iter().find(|x| &x.0 == id))
            .map(|x| x.1)
            .unwrap_or(0);
        let left = item.qty - item.shipped.min(item.qty) + in_this;
        let q = q.unwrap_or(left);
        if q == 0 || q > left {
            return Err((
                18021,
                format!(
                    "The quantities you provided for order id ({}) were larger than the quantities that could be fulfilled.",
                    o.id
                ),
            ));
        }
        items.push((id.clone(), q, Vec::new()));
    }
    let marketplace = o.mp.id;
    let package = SimPackage {
        reference_id: f.reference.clone(),
        carrier_code: code,
        carrier_name: name,
        shipping_method: f.method.map(str::to_owned),
        tracking: f.tracking.unwrap_or_default().to_owned(),
        ship_date: trunc(date),
        created: trunc(now),
        ship_from_supply_source_id: None,
        items,
    };
    w.apply_package(
        seq,
        marketplace,
        package,
        now,
        crate::world::PackageWrite::Feed,
    );
    Ok(())
}

/// Records a refund/adjustment message (`OrderAdjustment`).
fn adjust(
    w: &mut World,
    a: &Node,
    order_id: &str,
    feed_id: &str,
    now: OffsetDateTime,
) -> Result<(), (u32, String)> {
    let seq = *w
        .by_id
        .get(order_id)
        .ok_or((18028, format!("Order ID {order_id} was not found.")))?;
    let o = &w.orders[seq as usize];
    let mut items = Vec::new();
    // Refunds (negative amounts) per (item, component) in this message.
    let mut refunds: Vec<((String, String), Decimal)> = Vec::new();
    for it in a.all("AdjustedItem") {
        let code = it.text_of("AmazonOrderItemCode").unwrap_or_default();
        if !o.items.iter().any(|i| i.id == code) {
            return Err((
                18025,
                format!("Order item {code} does not belong to order {order_id}."),
            ));
        }
        let reason = it
            .text_of("AdjustmentReason")
            .unwrap_or_default()
            .to_owned();
        let mut amount = Decimal::ZERO;
        for group in it
            .children
            .iter()
            .filter(|c| c.name.ends_with("Adjustments"))
        {
            for comp in group.all("Component") {
                let value = comp
                    .text_of("Amount")
                    .and_then(|v| v.parse::<Decimal>().ok())
                    .ok_or((5000, format!("Invalid adjustment Amount for item {code}.")))?;
                amount += value;
                if value < Decimal::ZERO {
                    let kind = comp.text_of("Type").unwrap_or_default().to_owned();
                    let key = (code.to_owned(), kind);
                    match refunds.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, total)) => *total -= value,
                        None => refunds.push((key, -value)),
                    }
                }
            }
        }
        items.push((code.to_owned(), reason, amount));
    }
    if items.is_empty() {
        return Err((
            5000,
            "OrderAdjustment needs at least one AdjustedItem.".to_owned(),
        ));
    }
    // A refund cannot exceed what the buyer paid for that component of the line, counting
    // the refunds already made.
    for ((item_id, kind), amount) in &refunds {
        let Some(item) = o.items.iter().find(|i| &i.id == item_id) else {
            continue;
        };
        let a = o.amounts(item);
        let paid = match kind.as_str() {
            "Principal" => a.item_price,
            "Shipping" => a.shipping,
            "Tax" => a.item_tax,
            "ShippingTax" => a.shipping_tax,
            "GiftWrap" => a.gift_wrap,
            "GiftWrapTax" => a.gift_wrap_tax,
            _ => continue,
        };
        let key = (order_id.to_owned(), item_id.clone(), kind.clone());
        let before = w.refunded.get(&key).copied().unwrap_or_default();
        if before + amount > paid {
            return Err((
                18027,
                format!(
                    "The {kind} refund of {} for order item {item_id} exceeds what was paid ({}), {} already refunded.",
                    o.money_str(*amount),
                    o.money_str(paid),
                    o.money_str(before)
                ),
            ));
        }
    }
    for ((item_id, kind), amount) in refunds {
        *w.refunded
            .entry((order_id.to_owned(), item_id, kind))
            .or_default() += amount;
    }
    let o = &w.orders[seq as usize];
    w.adjustments.push(crate::world::PaymentAdjustment {
        order_id: order_id.to_owned(),
        feed_id: feed_id.to_owned(),
        items,
        currency: o.mp.currency.to_owned(),
        applied_at: trunc(now),
    });
    Ok(())
}

fn cancel(w: &mut World, order_id: &str, now: OffsetDateTime) -> Result<(), (u32, String)> {
    let seq = *w
        .by_id
        .get(order_id)
        .ok_or((18028, format!("Order ID {order_id} was not found.")))?;
    let o = &mut w.orders[seq as usize];
    match o.status {
        OrderStatus::Pending | OrderStatus::PendingAvailability | OrderStatus::Unshipped => {
            o.status = OrderStatus::Canceled;
            o.cancelled = Some((CancelledBy::Merchant, "Canceled by the seller".into()));
            w.touch(seq, now);
            Ok(())
        }
        OrderStatus::Canceled => Ok(()),
        s => Err((
            18138,
            format!("Order {order_id} is {} and cannot be canceled.", s.v0()),
        )),
    }
}

/// An `OrderAcknowledgement` message: `Success` records the merchant's order id (and item
/// ids); `Failure` cancels the order, or only the items listed with a `CancelReason`,
/// keeping the reason. A shipped item cannot be cancelled.
fn acknowledge(
    w: &mut World,
    a: &Node,
    order_id: &str,
    now: OffsetDateTime,
) -> Result<(), (u32, String)> {
    let seq = *w
        .by_id
        .get(order_id)
        .ok_or((18028, format!("Order ID {order_id} was not found.")))?;
    let items: Vec<(String, Option<String>)> = a
        .all("Item")
        .map(|i| {
            (
                i.text_of("AmazonOrderItemCode")
                    .unwrap_or_default()
                    .to_owned(),
                i.text_of("CancelReason").map(str::to_owned),
            )
        })
        .collect();
    let o = &w.orders[seq as usize];
    if let Some((bad, _)) = items
        .iter()
        .find(|(id, _)| !o.items.iter().any(|i| &i.id == id))
    {
        return Err((
            18029,
            format!("Order item {bad} does not belong to order {order_id}."),
        ));
    }
    match a.text_of("StatusCode") {
        Some("Success") => {
            if let Some(m) = a.text_of("MerchantOrderID") {
                w.orders[seq as usize].seller_order_id = m.to_owned();
                w.touch(seq, now);
            }
            Ok(())
        }
        Some("Failure") => {
            let cancelled: Vec<(String, String)> = items
                .iter()
                .filter_map(|(id, r)| r.clone().map(|r| (id.clone(), r)))
                .collect();
            if cancelled.is_empty() {
                return cancel(w, order_id, now);
            }
            let o = &mut w.orders[seq as usize];
            if !matches!(
                o.status,
                OrderStatus::Pending
                    | OrderStatus::PendingAvailability
                    | OrderStatus::Unshipped
                    | OrderStatus::PartiallyShipped
            ) {
                return Err((
                    18138,
                    format!(
                        "Order {order_id} is {} and cannot be canceled.",
                        o.status.v0()
                    ),
                ));
            }
            if let Some(shipped) = o
                .items
                .iter()
                .find(|i| i.shipped > 0 && cancelled.iter().any(|(id, _)| *id == i.id))
            {
                return Err((
                    18138,
                    format!(
                        "Order item {} has shipped and cannot be canceled.",
                        shipped.id
                    ),
                ));
            }
            for (id, reason) in &cancelled {
                if let Some(i) = o.items.iter_mut().find(|i| &i.id == id) {
                    i.seller_cancel = Some(reason.clone());
                }
            }
            if o.items.iter().all(|i| i.seller_cancel.is_some()) {
                let reason = cancelled[0].1.clone();
                o.status = OrderStatus::Canceled;
                o.cancelled = Some((CancelledBy::Merchant, reason));
            }
            w.touch(seq, now);
            Ok(())
        }
        _ => Err((5000, "StatusCode must be Success or Failure.".to_owned())),
    }
}

fn process_feed(
    w: &mut World,
    feed_type: &str,
    text: &str,
    feed_id: &str,
    strict: bool,
    now: OffsetDateTime,
) -> (usize, Vec<FeedResult>) {
    let mut results = Vec::new();
    let mut processed = 0;
    let mut push = |message_id: &str, order: Option<&str>, r: Result<(), (u32, String)>| {
        if let Err((code, description)) = r {
            results.push(FeedResult {
                message_id: message_id.to_owned(),
                code: "Error",
                message_code: code,
                description,
                order_id: order.map(str::to_owned),
            });
        }
    };
    match feed_type {
        "_POST_ORDER_FULFILLMENT_DATA_"
        | "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"
        | "_POST_PAYMENT_ADJUSTMENT_DATA_"
        | "_POST_INVENTORY_AVAILABILITY_DATA_" => {
            let root = match parse_xml(text) {
                Ok(r) if r.name == "AmazonEnvelope" => r,
                Ok(r) => {
                    push(
                        "0",
                        None,
                        Err((
                            5001,
                            format!("The root element is {}, not AmazonEnvelope.", r.name),
                        )),
                    );
                    return (0, results);
                }
                Err(e) => {
                    push(
                        "0",
                        None,
                        Err((5001, format!("XML Parsing Fatal Error: {e}"))),
                    );
                    return (0, results);
                }
            };
            for m in root.all("Message") {
                processed += 1;
                let mid = m.text_of("MessageID").unwrap_or("0").to_owned();
                if let Some(f) = m.child("OrderFulfillment") {
                    let order = f.text_of("AmazonOrderID").unwrap_or_default();
                    let data = f.child("FulfillmentData");
                    let items = f
                        .all("Item")
                        .map(|i| {
                            (
                                i.text_of("AmazonOrderItemCode")
                                    .unwrap_or_default()
                                    .to_owned(),
                                i.text_of("Quantity").and_then(|q| q.parse().ok()),
                            )
                        })
                        .collect();
                    let ff = Fulfilment {
                        order_id: order,
                        reference: f
                            .text_of("MerchantFulfillmentID")
                            .map(str::to_owned)
                            .unwrap_or_else(|| format!("{feed_id}-{mid}")),
                        date: f.text_of("FulfillmentDate"),
                        carrier_code: data.and_then(|d| d.text_of("CarrierCode")),
                        carrier_name: data.and_then(|d| d.text_of("CarrierName")),
                        method: data.and_then(|d| d.text_of("ShippingMethod")),
                        tracking: data.and_then(|d| d.text_of("ShipperTrackingNumber")),
                        items,
                    };
                    let r = fulfil(w, &ff, strict, now);
                    push(&mid, Some(order), r);
                } else if let Some(a) = m.child("OrderAcknowledgement") {
                    let order = a.text_of("AmazonOrderID").unwrap_or_default();
                    let r = acknowledge(w, a, order, now);
                    push(&mid, Some(order), r);
                } else if let Some(a) = m.child("OrderAdjustment") {
                    let order = a.text_of("AmazonOrderID").unwrap_or_default();
                    let r = adjust(w, a, order, feed_id, now);
                    push(&mid, Some(order), r);
                } else if m.child("Inventory").is_none() {
                    push(
                        &mid,
                        None,
                        Err((
                            5000,
                            "The message has no payload matching its MessageType.".to_owned(),
                        )),
                    );
                }
            }
        }
        _ => {
            // Tab-separated flat files: a header row, then one row per line or order.
            let mut lines = text
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with("TemplateType"));
            let header: Vec<&str> = lines
                .next()
                .unwrap_or_default()
                .split('\t')
                .map(str::trim)
                .collect();
            let col = |row: &[&str], name: &str| {
                header
                    .iter()
                    .position(|h| *h == name)
                    .and_then(|i| row.get(i).copied())
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            };
            for (n, line) in lines.enumerate() {
                processed += 1;
                let row: Vec<&str> = line.split('\t').collect();
                let mid = (n + 1).to_string();
                let order = col(&row, "order-id").unwrap_or_default();
                let r = if feed_type == "_POST_FLAT_FILE_FULFILLMENT_DATA_" {
                    let (item, qty, date, code, name, track, method) = (
                        col(&row, "order-item-id"),
                        col(&row, "quantity").and_then(|q| q.parse().ok()),
                        col(&row, "ship-date"),
                        col(&row, "carrier-code"),
                        col(&row, "carrier-name"),
                        col(&row, "tracking-number"),
                        col(&row, "ship-method"),
                    );
                    let ff = Fulfilment {
                        order_id: &order,
                        reference: format!("{feed_id}-{mid}"),
                        date: date.as_deref(),
                        carrier_code: code.as_deref(),
                        carrier_name: name.as_deref(),
                        method: method.as_deref(),
                        tracking: track.as_deref(),
                        items: item.map(|i| vec![(i, qty)]).unwrap_or_default(),
                    };
                    fulfil(w, &ff, strict, now)
                } else {
                    cancel(w, &order, now)
                };
                push(&mid, Some(&order), r);
            }
        }
    }
    (processed, results)
}

fn report_xml(merchant: &str, feed_id: &str, processed: usize, results: &[FeedResult]) -> String {
    let errors = results
        .iter()
        .map(|r| &r.message_id)
        .collect::<std::collections::HashSet<_>>()
        .len();
    let mut x = X::new();
    x.0.push_str("<AmazonEnvelope xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"amzn-envelope.xsd\">");
    x.open("Header")
        .leaf("DocumentVersion", "1.02")
        .leaf("MerchantIdentifier", merchant)
        .close("Header");
    x.leaf("MessageType", "ProcessingReport")
        .open("Message")
        .leaf("MessageID", "1")
        .open("ProcessingReport");
    x.leaf("DocumentTransactionID", feed_id)
        .leaf("StatusCode", "Complete");
    x.open("ProcessingSummary")
        .leaf("MessagesProcessed", processed.to_string())
        .leaf(
            "MessagesSuccessful",
            processed.saturating_sub(errors).to_string(),
        )
        .leaf("MessagesWithError", errors.to_string())
        .leaf("MessagesWithWarning", "0")
        .close("ProcessingSummary");
    for r in results {
        x.open("Result")
            .leaf("MessageID", &r.message_id)
            .leaf("ResultCode", r.code)
            .leaf("ResultMessageCode", r.message_code.to_string())
            .leaf("ResultDescription", &r.description);
        if let Some(o) = &r.order_id {
            x.open("AdditionalInfo")
                .leaf("AmazonOrderID", o)
                .close("AdditionalInfo");
        }
        x.close("Result");
    }
    x.close("ProcessingReport")
        .close("Message")
        .close("AmazonEnvelope");
    x.0
}

/// Processes feed `ix` of the world at sandbox time `at` (called from `World::catch_up`).
pub(crate) fn process_submission(w: &mut World, ix: usize, at: OffsetDateTime) {
    let f = &mut w.feeds[ix];
    let (id, feed_type, merchant, strict) = (
        f.id.clone(),
        f.feed_type.clone(),
        f.merchant.clone(),
        f.strict_carrier_codes,
    );
    let text = std::mem::take(&mut f.body);
    if w.feeds[ix].sp.as_ref().is_some_and(|m| m.fatal) {
        return;
    }
    let sp = w.feeds[ix].sp.is_some();
    let (report, content_type) = if feed_type == "_JSON_LISTINGS_FEED_" {
        let mps = w.feeds[ix]
            .sp
            .as_ref()
            .map(|m| m.marketplace_ids.clone())
            .unwrap_or_default();
        match json_listings(w, &text, &id, &merchant, &mps, at) {
            Some(r) => (r, "application/json; charset=UTF-8"),
            None => {
                // A document that cannot be read: the feed ends FATAL, without a report.
                if let Some(m) = w.feeds[ix].sp.as_mut() {
                    m.fatal = true;
                }
                return;
            }
        }
    } else {
        if sp && !feed_type.contains("FLAT_FILE") && parse_xml(&text).is_err() {
            if let Some(m) = w.feeds[ix].sp.as_mut() {
                m.fatal = true;
            }
            return;
        }
        let (processed, results) = process_feed(w, &feed_type, &text, &id, strict, at);
        (
            report_xml(&merchant, &id, processed, &results),
            "text/xml; charset=UTF-8",
        )
    };
    if let Some(meta) = &w.feeds[ix].sp {
        let doc = crate::world::FeedDoc {
            content_type: content_type.into(),
            body: Some(report.clone().into_bytes()),
        };
        let key = meta.result_doc.clone();
        w.feed_docs.insert(key, doc);
    }
    w.feeds[ix].report = Some(report);
}

/// `_SUBMITTED_` for 30 sandbox seconds (cancellable), `_IN_PROGRESS_` until two minutes,
/// then `_DONE_`; `_CANCELLED_` once cancelled.
pub(crate) fn feed_status(f: &MwsFeed, now: OffsetDateTime) -> &'static str {
    let age = now - f.submitted;
    if f.cancelled {
        "_CANCELLED_"
    } else if age < time::Duration::seconds(FEED_START_SECS) {
        "_SUBMITTED_"
    } else if age < time::Duration::seconds(FEED_DONE_SECS) {
        "_IN_PROGRESS_"
    } else {
        "_DONE_"
    }
}

/// The most messages a `JSON_LISTINGS_FEED` may hold.
pub(crate) const MAX_LISTINGS_MESSAGES: usize = 25_000;

/// One issue of a JSON listings processing report.
fn json_issue(message_id: Option<u64>, sku: Option<&str>, i: &ListingIssue) -> Value {
    let mut v = json!({"code": i.code, "severity": i.severity, "message": i.message});
    if let Some(m) = message_id {
        v["messageId"] = m.into();
    }
    if let Some(s) = sku {
        v["sku"] = s.into();
    }
    if let Some(a) = &i.attribute {
        v["attributeName"] = a.clone().into();
    }
    v
}

/// Processes a `JSON_LISTINGS_FEED` message by message: valid messages are queued as
/// listings writes (applied at once, their late issues on the listing), invalid ones get
/// Amazon's codes in the JSON processing report. `None` when the document cannot be read
/// (not JSON, no header or messages, more than 25,000 messages): the feed is `FATAL`.
pub(crate) fn json_listings(
    w: &mut World,
    text: &str,
    feed_id: &str,
    seller: &str,
    marketplace_ids: &[String],
    at: OffsetDateTime,
) -> Option<String> {
    let doc: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()?;
    let header = doc.get("header")?.as_object()?;
    let messages = doc.get("messages")?.as_array()?;
    if messages.is_empty() || messages.len() > MAX_LISTINGS_MESSAGES {
        return None;
    }
    let mp = marketplace_ids
        .first()
        .and_then(|m| w.mps.iter().find(|x| x.id == m))
        .copied()?;
    let mut issues = Vec::new();
    let (mut accepted, mut invalid) = (0u64, 0u64);
    let header_ok = header.get("sellerId").and_then(Value::as_str) == Some(seller)
        && header.get("version").and_then(Value::as_str) == Some("2.0");
    if !header_ok {
        issues.push(json_issue(
            None,
            None,
            &ListingIssue::error(
                "4002006",
                "The feed header must name this seller (sellerId) and version 2.0.",
                None,
                "INVALID_ATTRIBUTE",
            ),
        ));
    }
    for (ix, m) in messages.iter().enumerate() {
        let message_id = m.get("messageId").and_then(Value::as_u64);
        let sku = m
            .get("sku")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let op = m.get("operationType").and_then(Value::as_str);
        let product_type = m.get("productType").and_then(Value::as_str);
        let schema = |msg: String| ListingIssue::error("4002008", msg, None, "INVALID_ATTRIBUTE");
        let mut found: Vec<ListingIssue> = Vec::new();
        let mut change = None;
        if !header_ok {
            found.push(schema(
                "The message was not processed: the feed header is invalid.".into(),
            ));
        } else if message_id.is_none_or(|id| id == 0) || sku.is_none() {
            found.push(schema(format!(
                "Message {} fails schema validation: messageId (a positive integer) and sku are required.",
                ix + 1
            )));
        } else {
            let sku = sku.unwrap_or_default();
            let existing = w.catalog.get(mp.id, sku);
            match (op, product_type) {
                (Some("DELETE"), _) => {
                    if existing.is_none() {
                        found.push(ListingIssue::error(
                            "4000001",
                            format!("The SKU '{sku}' does not exist in marketplace {}.", mp.id),
                            None,
                            "INVALID_ATTRIBUTE",
                        ));
                    }
                    change = Some(ListingChange::Delete);
                }
                (Some("PATCH"), Some(pt)) => {
                    match parse_patches(m.get("patches").unwrap_or(&Value::Null)) {
                        Ok(patches) => {
                            found = check_patch(existing, sku, mp, pt, &patches);
                            change = Some(ListingChange::Patch { patches });
                        }
                        Err(e) => found.push(schema(e)),
                    }
                }
                (Some("UPDATE"), Some(pt)) => {
                    match m.get("attributes").and_then(Value::as_object) {
                        Some(a) => {
                            found = check_put(existing, mp, pt, a);
                            change = Some(ListingChange::Put {
                                product_type: pt.to_owned(),
                                attributes: a.clone(),
                            });
                        }
                        None => found.push(schema("'attributes' is required for UPDATE.".into())),
                    }
                }
                (Some("PARTIAL_UPDATE"), Some(pt)) => {
                    match m.get("attributes").and_then(Value::as_object) {
                        Some(a) => {
                            let patches: Vec<Patch> = a
                                .iter()
                                .map(|(k, v)| Patch {
                                    op: "replace".into(),
                                    attribute: k.clone(),
                                    value: v.as_array().cloned().unwrap_or_default(),
                                })
                                .collect();
                            found = check_patch(existing, sku, mp, pt, &patches);
                            change = Some(ListingChange::Patch { patches });
                        }
                        None => found.push(schema(
                            "'attributes' is required for PARTIAL_UPDATE.".into(),
                        )),
                    }
                }
                (Some("PATCH" | "UPDATE" | "PARTIAL_UPDATE"), None) => {
                    found.push(schema("'productType' is required.".into()));
                }
                _ => found.push(schema(format!(
                    "operationType {:?} is not one of UPDATE, PARTIAL_UPDATE, PATCH, DELETE.",
                    op.unwrap_or_default()
                ))),
            }
        }
        let errors = found.iter().any(|i| i.severity == "ERROR");
        issues.extend(found.iter().map(|i| json_issue(message_id, sku, i)));
        match change.filter(|_| !errors) {
            Some(change) => {
                accepted += 1;
                let submission_id = w.catalog.submission_id();
                w.catalog.queue(PendingListingWrite {
                    due: at,
                    marketplace_id: mp.id.to_owned(),
                    sku: sku.unwrap_or_default().to_owned(),
                    submission_id,
                    change,
                    source: feed_id.to_owned(),
                });
            }
            None => invalid += 1,
        }
    }
    let errors = issues.iter().filter(|i| i["severity"] == "ERROR").count();
    let report = json!({
        "header": {"sellerId": seller, "version": "2.0", "feedId": feed_id},
        "issues": issues,
        "summary": {
            "errors": errors,
            "warnings": issues.len() - errors,
            "messagesProcessed": messages.len(),
            "messagesAccepted": accepted,
            "messagesInvalid": invalid,
        },
    });
    serde_json::to_string_pretty(&report).ok()
}
