//! The Amazon side over the legacy Marketplace Web Service (feature `mws`).
//!
//! [`MwsAmazon`] serves a host that still holds MWS-era credentials and data, or a test
//! double that speaks MWS (the workspace sandbox, wiremock), with the same engine as
//! SP-API:
//!
//! - **orders in:** `ListOrders` / `ListOrdersByNextToken` by `LastUpdatedAfter`/`Before`
//!   and marketplace, then `ListOrderItems` (every page) for each order; `GetOrder` +
//!   `ListOrderItems` for one order. The conversion ([`from_mws`]) agrees with the SP-API
//!   Orders v0 one (`spapi::from_v0`) on the same order.
//! - **shipments out:** one `_POST_ORDER_FULFILLMENT_DATA_` feed per call (or per batch with
//!   [`MwsAmazon::confirm_shipments`]), the package reference sent as
//!   `MerchantFulfillmentID`; then `GetFeedSubmissionList` is polled until `_DONE_` and the
//!   processing report (`GetFeedSubmissionResult`) is mapped back message by message: no
//!   error for a message is success, an error is an [`AmazonError`] of kind
//!   [`ErrorKind::Client`] with Amazon's numeric result code (`18028`, `18021`, ...) as
//!   `code`, its description as `message` and the feed submission id as `request_id`.
//!
//! # PII and `Include`
//!
//! MWS has no restricted data tokens: every order carries the buyer's name and e-mail and
//! the shipping address. The conversion keeps what MWS sent and the Amazon side then drops
//! what the query's [`Include`] did not ask for (buyer and gift messages without
//! `include.buyer`, the recipient without `include.recipient`), so an engine configured
//! for no PII stores none, whichever API it reads.
//!
//! # Latency of a shipment confirmation
//!
//! `confirmShipment` answers at once; a feed does not. A confirmation through MWS takes
//! the feed's processing time plus the polling granularity: with the defaults of
//! [`FeedPolling`] the first status check is 60 s after submission and then every 60 s
//! (`GetFeedSubmissionList` refills one request per 45 s), and a call gives up after
//! 30 minutes. Amazon processed feeds asynchronously (`_SUBMITTED_`, `_IN_PROGRESS_`,
//! then `_DONE_`) and advised sending a feed type at most every 20 minutes; the sandbox marks a feed `_DONE_`
//! two minutes after submission, so a confirmation there takes two minutes (two status
//! checks; measured in `store-adapters/tests/mws_sandbox.rs`: four packages one by one,
//! 480 s). Throughput is bounded by `SubmitFeed` (burst 15, then one per two minutes) when
//! packages are confirmed one by one, as the engine's export job does: where the caller
//! can, batch them with [`MwsAmazon::confirm_shipments`] (one feed, one wait).
//!
//! A call that gives up (timeout, throttling or a network failure while polling) returns a
//! retryable error and remembers the submission: the next call for the same package (same
//! data) resumes polling that feed instead of sending a second one. A feed that was
//! cancelled is forgotten and sent again on the next call. The memory lives in the value
//! (shared by clones); after a process restart, or when `SubmitFeed` itself failed in a way
//! that leaves open whether MWS received it (a connection lost after sending), a retried
//! package is submitted again, with the same `MerchantFulfillmentID` (the package
//! reference), as the trait's contract for a repeated confirmation allows.
//!
//! Waits use tokio time, so tests pause and advance the clock.
//!
//! ```no_run
//! use mws_legacy::{Client, Credentials, Endpoint};
//! use order_sync_core::amazon::{AmazonSide, Include};
//! use order_sync_core::mws::{FeedPolling, MwsAmazon};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder(Credentials::new("A1SELLER", "AKIDEXAMPLE", "secret"))
//!     .endpoint(Endpoint::custom("http://127.0.0.1:8088")?)
//!     .build()?;
//! let amazon = MwsAmazon::new(client, "A1SELLER", ["ATVPDKIKX0DER"])
//!     .with_feed_polling(FeedPolling::default());
//! let order = amazon
//!     .get_order(&"902-3159896-1390916".into(), Include::default())
//!     .await?;
//! println!("found: {}", order.is_some());
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use futures::TryStreamExt;
use mws_legacy::Client;
use mws_legacy::feeds::{
    CarrierCode, Envelope, FeedProcessingStatus, FeedSubmissionId, FulfillmentItem,
    GetFeedSubmissionList, OrderFulfillment, ProcessingReport, ReportStatus, ResultCode,
    SubmitFeed,
};
use mws_legacy::orders::{self as mo, GetOrder, ListOrderItems, ListOrders, NextToken};
use order_mapping::vocab::{
    FulfillmentChannel, OrderStatus, PaymentMethod, ServiceLevelCategory, V0OrderFlags,
};
use rust_decimal::Decimal;

use crate::amazon::{AmazonSide, Include, OrderPage, OrderQuery, PageToken, ShipmentConfirmation};
use crate::error::{AmazonError, ErrorKind};
use crate::ids::{AmazonOrderId, MarketplaceId, OrderItemId};
use crate::model::{
    BuyerCancelRequest, DateWindow, GiftOptions, Order, OrderLine, OrderTotals, Payment,
};
use crate::money::Money;
use crate::pii::{Address, AddressType, BuyerPii, Recipient};

/// How [`MwsAmazon`] waits for a fulfilment feed to be processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedPolling {
    /// Wait after `SubmitFeed` before the first status check. Default 60 s.
    pub first_check: Duration,
    /// Wait between status checks. Default 60 s (`GetFeedSubmissionList` refills one
    /// request per 45 s).
    pub interval: Duration,
    /// Longest wait for one feed within one call; then the call returns a retryable
    /// error and the next call resumes. Default 30 minutes.
    pub max_wait: Duration,
}

impl Default for FeedPolling {
    fn default() -> Self {
        Self {
            first_check: Duration::from_secs(60),
            interval: Duration::from_secs(60),
            max_wait: Duration::from_secs(30 * 60),
        }
    }
}

/// A feed submitted for a package whose outcome is not known yet.
#[derive(Debug, Clone)]
struct Pending {
    feed: FeedSubmissionId,
    message_id: u64,
    confirmation: ShipmentConfirmation,
}

type PendingKey = (String, String);

fn key(c: &ShipmentConfirmation) -> PendingKey {
    (
        c.order_id.as_str().to_owned(),
        c.package.as_str().to_owned(),
    )
}

/// [`AmazonSide`] over an [`mws_legacy::Client`] for one seller account.
#[derive(Debug, Clone)]
pub struct MwsAmazon {
    client: Client,
    merchant: String,
    marketplaces: Vec<String>,
    page_size: u32,
    polling: FeedPolling,
    pending: Arc<Mutex<HashMap<PendingKey, Pending>>>,
}

impl MwsAmazon {
    /// An Amazon side for the seller `merchant_id` (the `SellerId` the client signs with,
    /// written as the feeds' `MerchantIdentifier`), searching `marketplaces` when a query
    /// names none.
    pub fn new<I, S>(client: Client, merchant_id: impl Into<String>, marketplaces: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            client,
            merchant: merchant_id.into(),
            marketplaces: marketplaces.into_iter().map(Into::into).collect(),
            page_size: 100,
            polling: FeedPolling::default(),
            pending: Arc::default(),
        }
    }

    /// Orders per `ListOrders` page (1-100, default 100).
    pub fn with_page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, 100);
        self
    }

    /// How to wait for fulfilment feeds.
    pub fn with_feed_polling(mut self, polling: FeedPolling) -> Self {
        self.polling = polling;
        self
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// How many packages were submitted in a feed whose outcome is not known yet (a call
    /// gave up waiting); the next call for such a package resumes its feed.
    pub fn pending_feeds(&self) -> usize {
        self.lock_pending().len()
    }

    fn lock_pending(&self) -> std::sync::MutexGuard<'_, HashMap<PendingKey, Pending>> {
        // A panic while holding the lock cannot leave the map inconsistent (single inserts
        // and removals), so a poisoned lock is still usable.
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn marketplaces(&self, q: &OrderQuery) -> Vec<String> {
        if q.marketplaces.is_empty() {
            self.marketplaces.clone()
        } else {
            q.marketplaces
                .iter()
                .map(|m| m.as_str().to_owned())
                .collect()
        }
    }

    async fn items(&self, id: &mo::AmazonOrderId) -> Result<Vec<mo::OrderItem>, AmazonError> {
        self.client
            .list_order_items_stream(ListOrderItems::new(id.clone()))
            .try_collect()
            .await
            .map_err(convert_error)
    }

    async fn full(&self, o: mo::Order, include: Include) -> Result<Order, AmazonError> {
        let items = self.items(&o.amazon_order_id).await?;
        let mut order = from_mws(o, items);
        restrict(&mut order, include);
        Ok(order)
    }

    /// Confirms several packages with one fulfilment feed and returns one result per
    /// confirmation, in order. Packages whose earlier feed is still pending (an earlier
    /// call gave up waiting) are not sent again: their feed is awaited instead.
    pub async fn confirm_shipments(
        &self,
        confirmations: &[ShipmentConfirmation],
    ) -> Vec<Result<(), AmazonError>> {
        let mut results: Vec<Option<Result<(), AmazonError>>> = vec![None; confirmations.len()];
        // Feed id -> (index in `confirmations`, message id) of the packages it carries.
        let mut feeds: Vec<(FeedSubmissionId, Vec<(usize, u64)>)> = Vec::new();
        let mut fresh = Vec::new();
        {
            let pending = self.lock_pending();
            for (ix, c) in confirmations.iter().enumerate() {
                match pending.get(&key(c)) {
                    Some(p) if &p.confirmation == c => {
                        push_feed(&mut feeds, &p.feed, ix, p.message_id)
                    }
                    _ => fresh.push(ix),
                }
            }
        }
        if !fresh.is_empty() {
            let batch: Vec<&ShipmentConfirmation> =
                fresh.iter().map(|&ix| &confirmations[ix]).collect();
            match self.submit(&batch).await {
                Ok((feed, message_ids)) => {
                    let mut pending = self.lock_pending();
                    for (&ix, &mid) in fresh.iter().zip(&message_ids) {
                        let c = &confirmations[ix];
                        pending.insert(
                            key(c),
                            Pending {
                                feed: feed.clone(),
                                message_id: mid,
                                confirmation: c.clone(),
                            },
                        );
                        push_feed(&mut feeds, &feed, ix, mid);
                    }
                }
                Err(e) => {
                    for &ix in &fresh {
                        results[ix] = Some(Err(e.clone()));
                    }
                }
            }
        }
        for (feed, members) in feeds {
            let outcome = self.await_report(&feed).await;
            let mut pending = self.lock_pending();
            match outcome {
                Ok(report) => {
                    for (ix, mid) in members {
                        pending.remove(&key(&confirmations[ix]));
                        results[ix] = Some(message_result(&report, &feed, mid));
                    }
                }
                Err(Waited::Cancelled(e)) => {
                    for (ix, _) in members {
                        pending.remove(&key(&confirmations[ix]));
                        results[ix] = Some(Err(e.clone()));
                    }
                }
                Err(Waited::Failed(e)) => {
                    for (ix, _) in members {
                        results[ix] = Some(Err(e.clone()));
                    }
                }
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(AmazonError::new(ErrorKind::Server, "no result"))))
            .collect()
    }

    /// Writes and submits the feed; returns its id and the message id of each package.
    async fn submit(
        &self,
        batch: &[&ShipmentConfirmation],
    ) -> Result<(FeedSubmissionId, Vec<u64>), AmazonError> {
        let envelope = Envelope::order_fulfillment(
            self.merchant.clone(),
            batch.iter().map(|c| fulfillment(c)),
        );
        let message_ids: Vec<u64> = envelope.messages.iter().map(|m| m.message_id).collect();
        let mut request = SubmitFeed::from_envelope(&envelope).map_err(convert_error)?;
        let mut marketplaces: Vec<&str> = batch.iter().map(|c| c.marketplace.as_str()).collect();
        marketplaces.sort_unstable();
        marketplaces.dedup();
        for m in marketplaces {
            request = request.marketplace_id(m);
        }
        let submitted = self
            .client
            .submit_feed(&request)
            .await
            .map_err(convert_error)?;
        let feed = submitted.feed_submission_info.feed_submission_id;
        tracing::info!(feed = %feed, packages = batch.len(), "MWS fulfilment feed submitted");
        Ok((feed, message_ids))
    }

    /// Polls the feed until `_DONE_` and reads its processing report.
    async fn await_report(&self, feed: &FeedSubmissionId) -> Result<ProcessingReport, Waited> {
        let p = self.polling;
        let deadline = tokio::time::Instant::now() + p.max_wait;
        let mut wait = p.first_check;
        let mut last = String::from("not checked yet");
        loop {
            if tokio::time::Instant::now() + wait > deadline {
                return Err(Waited::Failed(
                    AmazonError::new(
                        ErrorKind::Transient,
                        format!(
                            "feed {feed} not processed within {:?} (last status: {last}); \
                             the next call resumes it",
                            p.max_wait
                        ),
                    )
                    .with_code("FeedProcessingPending"),
                ));
            }
            tokio::time::sleep(wait).await;
            wait = p.interval;
            let list = self
                .client
                .get_feed_submission_list(&GetFeedSubmissionList::new().id(feed.clone()))
                .await
                .map_err(|e| Waited::Failed(convert_error(e)))?;
            let Some(info) = list
                .feed_submission_info
                .iter()
                .find(|i| &i.feed_submission_id == feed)
            else {
                last = "not listed".into();
                continue;
            };
            match &info.feed_processing_status {
                FeedProcessingStatus::Done => {}
                FeedProcessingStatus::Cancelled => {
                    return Err(Waited::Cancelled(
                        AmazonError::new(
                            ErrorKind::Transient,
                            format!(
                                "feed {feed} was cancelled before processing; nothing was applied"
                            ),
                        )
                        .with_code("FeedCanceled"),
                    ));
                }
                other => {
                    last = other.as_str().to_owned();
                    continue;
                }
            }
            match self.client.get_feed_submission_result(feed.clone()).await {
                Ok(result) => {
                    return result
                        .processing_report()
                        .map_err(|e| Waited::Failed(convert_error(e)));
                }
                Err(e) if e.code() == Some("FeedProcessingResultNotReady") => {
                    last = "_DONE_ without a report yet".into();
                }
                Err(e) => return Err(Waited::Failed(convert_error(e))),
            }
        }
    }
}

/// Why waiting for a feed ended without a report.
enum Waited {
    /// The feed was cancelled: nothing was applied, sending again is safe.
    Cancelled(AmazonError),
    /// Polling failed or timed out: the feed may still be applied.
    Failed(AmazonError),
}

fn push_feed(
    feeds: &mut Vec<(FeedSubmissionId, Vec<(usize, u64)>)>,
    feed: &FeedSubmissionId,
    ix: usize,
    message_id: u64,
) {
    match feeds.iter_mut().find(|(f, _)| f == feed) {
        Some((_, members)) => members.push((ix, message_id)),
        None => feeds.push((feed.clone(), vec![(ix, message_id)])),
    }
}

/// The `OrderFulfillment` message of one package.
fn fulfillment(c: &ShipmentConfirmation) -> OrderFulfillment {
    let mut f = OrderFulfillment::new(c.order_id.as_str(), c.ship_date)
        .merchant_fulfillment_id(c.package.as_str())
        .tracking_number(c.tracking_number.clone());
    let code = CarrierCode::from(c.carrier_code.as_str());
    f = match (&code, c.carrier_name.as_deref().map(str::trim)) {
        // The schema allows a code or a name; an unlisted carrier is sent by its name.
        (CarrierCode::OtherCarrier, Some(name)) if !name.is_empty() => f.carrier_name(name),
        _ => f.carrier_code(code),
    };
    if let Some(method) = &c.shipping_method {
        f = f.shipping_method(method.clone());
    }
    for item in &c.items {
        f = f.item(FulfillmentItem::new(item.item_id.as_str(), item.quantity));
    }
    f
}

/// The outcome of message `message_id` in a processing report.
fn message_result(
    report: &ProcessingReport,
    feed: &FeedSubmissionId,
    message_id: u64,
) -> Result<(), AmazonError> {
    let error = report
        .results
        .iter()
        .filter(|r| r.message_id == message_id || r.message_id == 0)
        .find(|r| r.result_code == ResultCode::Error);
    if let Some(r) = error {
        let mut e = AmazonError::new(ErrorKind::Client, r.result_description.clone())
            .with_code(r.result_message_code.to_string());
        // A feed has no request id of its own; its submission id is what Amazon's support
        // asks for.
        e.request_id = Some(feed.to_string());
        return Err(e);
    }
    for w in report
        .results_for(message_id)
        .filter(|r| r.result_code == ResultCode::Warning)
    {
        tracing::warn!(feed = %feed, message_id, code = w.result_message_code, "MWS fulfilment feed warning");
    }
    match &report.status_code {
        Some(ReportStatus::Rejected) => Err(AmazonError::new(
            ErrorKind::Client,
            format!("feed {feed} was rejected"),
        )
        .with_code("Rejected")),
        Some(ReportStatus::Processing) => Err(AmazonError::new(
            ErrorKind::Transient,
            format!("feed {feed} is still processing"),
        )
        .with_code("FeedProcessingPending")),
        _ => match report.summary {
            Some(s) if s.messages_processed < message_id => Err(AmazonError::new(
                ErrorKind::Client,
                format!(
                    "feed {feed} processed {} messages; message {message_id} was not among them",
                    s.messages_processed
                ),
            )),
            _ => Ok(()),
        },
    }
}

/// Converts a client error to the engine's, keeping MWS's error code, message and request
/// id. A response that could not be read counts as a server failure (retried later).
pub fn convert_error(e: mws_legacy::Error) -> AmazonError {
    let kind = match e.kind() {
        mws_legacy::ErrorKind::Throttled { retry_after } => ErrorKind::Throttled { retry_after },
        mws_legacy::ErrorKind::Transient => ErrorKind::Transient,
        mws_legacy::ErrorKind::Server | mws_legacy::ErrorKind::Decode => ErrorKind::Server,
        mws_legacy::ErrorKind::Auth => ErrorKind::Auth,
        _ => ErrorKind::Client,
    };
    let first = e.api().and_then(|a| a.errors.first());
    AmazonError {
        kind,
        code: e.code().map(str::to_owned),
        message: first.map_or_else(|| e.to_string(), |m| m.message.clone()),
        request_id: e.request_id().map(str::to_owned),
    }
}

#[async_trait]
impl AmazonSide for MwsAmazon {
    async fn list_orders(
        &self,
        q: &OrderQuery,
        page: Option<&PageToken>,
    ) -> Result<OrderPage, AmazonError> {
        let resp = match page {
            Some(PageToken(t)) => self
                .client
                .list_orders_by_next_token(&NextToken(t.clone()))
                .await
                .map_err(convert_error)?,
            None => {
                let mut req = ListOrders::last_updated_after(q.updated_after)
                    .max_results_per_page(self.page_size);
                if let Some(b) = q.updated_before {
                    req = req.last_updated_before(b);
                }
                for m in self.marketplaces(q) {
                    req = req.marketplace_id(m);
                }
                if let Some(channels) = &q.channels {
                    let known: Vec<mo::FulfillmentChannel> = channels
                        .iter()
                        .map(|c| mo::FulfillmentChannel::from(c.as_v0()))
                        .filter(|c| !matches!(c, mo::FulfillmentChannel::Other(_)))
                        .collect();
                    if known.is_empty() && !channels.is_empty() {
                        // Only channels MWS does not know: no order can match.
                        return Ok(OrderPage {
                            orders: Vec::new(),
                            next_page: None,
                            updated_before: q.updated_before,
                        });
                    }
                    for c in known {
                        req = req.fulfillment_channel(c);
                    }
                }
                self.client.list_orders(&req).await.map_err(convert_error)?
            }
        };
        let mut orders = Vec::with_capacity(resp.orders.len());
        for o in resp.orders {
            orders.push(self.full(o, q.include).await?);
        }
        Ok(OrderPage {
            orders,
            next_page: resp
                .next_token
                .filter(|t| !t.0.is_empty())
                .map(|t| PageToken(t.0)),
            updated_before: resp.last_updated_before,
        })
    }

    async fn get_order(
        &self,
        id: &AmazonOrderId,
        include: Include,
    ) -> Result<Option<Order>, AmazonError> {
        let resp = self
            .client
            .get_order(&GetOrder::new([id.as_str()]))
            .await
            .map_err(convert_error)?;
        match resp
            .orders
            .into_iter()
            .find(|o| o.amazon_order_id.as_str() == id.as_str())
        {
            Some(o) => Ok(Some(self.full(o, include).await?)),
            None => Ok(None),
        }
    }

    async fn confirm_shipment(&self, c: &ShipmentConfirmation) -> Result<(), AmazonError> {
        self.confirm_shipments(std::slice::from_ref(c))
            .await
            .pop()
            .unwrap_or_else(|| Err(AmazonError::new(ErrorKind::Server, "no result")))
    }
}

// ------------------------------------------------------------------ conversion

fn money(m: &Option<mws_legacy::Money>) -> Option<Money> {
    let m = m.as_ref()?;
    let amount = m.value()?;
    let currency = m.currency_code.trim();
    (!currency.is_empty()).then(|| Money::new(amount, currency))
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

fn pii(p: &Option<mws_legacy::Pii<String>>) -> Option<String> {
    p.as_ref().map(|v| v.expose().clone())
}

fn line(i: &mo::OrderItem) -> OrderLine {
    let line = money(&i.item_price);
    let unit = line.as_ref().and_then(|l| {
        (i.quantity_ordered > 0).then(|| {
            Money::new(
                l.amount / Decimal::from(i.quantity_ordered),
                l.currency.clone(),
            )
        })
    });
    let gift = (i.is_gift == Some(true) || i.gift_message_text.is_some()).then(|| GiftOptions {
        message: nonempty(pii(&i.gift_message_text)),
        wrap_level: i.gift_wrap_level.clone(),
        wrap_price: money(&i.gift_wrap_price),
        wrap_tax: money(&i.gift_wrap_tax),
    });
    OrderLine {
        item_id: OrderItemId::new(i.order_item_id.clone()),
        sku: i.seller_sku.clone(),
        asin: i.asin.clone(),
        title: i.title.clone(),
        quantity_ordered: i.quantity_ordered,
        quantity_shipped: i.quantity_shipped.unwrap_or(0),
        unit_price: unit,
        line_price: line,
        tax: money(&i.item_tax),
        shipping_price: money(&i.shipping_price),
        shipping_tax: money(&i.shipping_tax),
        shipping_discount: money(&i.shipping_discount).map(Money::abs),
        promotion_discount: money(&i.promotion_discount).map(Money::abs),
        gift,
        buyer_cancel_request: (i.buyer_requested_cancel == Some(true)).then(|| {
            BuyerCancelRequest {
                reason: nonempty(i.buyer_cancel_reason.clone()),
            }
        }),
    }
}

fn recipient(a: &mo::Address) -> Recipient {
    Recipient {
        name: pii(&a.name),
        // MWS addresses have no company line (SP-API v0 added `CompanyName`).
        company: None,
        phone: pii(&a.phone),
        address: Address {
            lines: [&a.address_line1, &a.address_line2, &a.address_line3]
                .into_iter()
                .filter_map(pii)
                .filter(|l| !l.trim().is_empty())
                .collect(),
            city: a.city.clone(),
            county: a.county.clone().or_else(|| a.district.clone()),
            state_or_region: a.state_or_region.clone(),
            postal_code: pii(&a.postal_code),
            country_code: a.country_code.clone(),
            address_type: a.address_type.as_ref().and_then(|t| match t {
                mo::AddressType::Residential => Some(AddressType::Residential),
                mo::AddressType::Commercial => Some(AddressType::Commercial),
                _ => None,
            }),
        },
    }
}

/// Converts an MWS (Orders 2013-09-01) order and its items, keeping every piece of buyer
/// and address data MWS sent; [`restrict`] then drops what was not asked for.
///
/// Field by field this is the SP-API Orders v0 conversion (`spapi::from_v0`): v0 is
/// MWS's JSON successor with the same names. Where MWS placed a value elsewhere the
/// conversion looks there: buyer name, e-mail and purchase order number sit on the order
/// (v0: `BuyerInfo`), gift message and wrap on the item (v0: the item's `BuyerInfo`).
/// MWS addresses carry no company name, so `Recipient::company` is always `None`.
pub fn from_mws(o: mo::Order, items: Vec<mo::OrderItem>) -> Order {
    let lines: Vec<OrderLine> = items.iter().map(line).collect();
    let flags = V0OrderFlags {
        is_prime: o.is_prime == Some(true),
        is_premium_order: o.is_premium_order == Some(true),
        is_business_order: o.is_business_order == Some(true),
        is_ispu: o.is_ispu == Some(true),
        is_iba: o.is_iba == Some(true),
        is_preorder: o.order_type == Some(mo::OrderType::Preorder),
    };
    let totals = OrderTotals::from_lines(money(&o.order_total), &lines);
    let method = o
        .payment_execution_detail
        .first()
        .map(|p| PaymentMethod::from(p.payment_method.as_str()))
        .or_else(|| {
            o.payment_method
                .as_ref()
                .map(|m| PaymentMethod::from(m.as_str()))
        });
    let company = o
        .buyer_tax_info
        .as_ref()
        .and_then(|t| t.company_legal_name.clone());
    let buyer = (o.buyer_name.is_some()
        || o.buyer_email.is_some()
        || company.is_some()
        || o.purchase_order_number.is_some())
    .then(|| BuyerPii {
        name: pii(&o.buyer_name),
        email: pii(&o.buyer_email),
        company,
        tax_id: None,
        purchase_order_number: o.purchase_order_number.clone(),
    });
    Order {
        id: AmazonOrderId::new(o.amazon_order_id.0.clone()),
        seller_order_id: o.seller_order_id.clone(),
        marketplace: MarketplaceId::new(o.marketplace_id.clone().unwrap_or_default()),
        purchased_at: o.purchase_date,
        last_updated_at: o.last_update_date,
        ship_by: DateWindow::from_bounds(o.earliest_ship_date, o.latest_ship_date),
        deliver_by: DateWindow::from_bounds(o.earliest_delivery_date, o.latest_delivery_date),
        delivered_at: None,
        status: OrderStatus::from_v0(o.order_status.as_str()),
        channel: o
            .fulfillment_channel
            .as_ref()
            .map_or(FulfillmentChannel::Merchant, |c| {
                FulfillmentChannel::from(c.as_str())
            }),
        service_level: o
            .shipment_service_level_category
            .as_ref()
            .map(|c| ServiceLevelCategory::from(c.as_str())),
        ship_service_level: o.ship_service_level.clone(),
        programs: flags.programs(),
        lines,
        totals,
        payment: Payment {
            method,
            details: o.payment_method_details.clone(),
        },
        buyer,
        recipient: o.shipping_address.as_ref().map(recipient),
        packages: Vec::new(),
    }
}

/// Drops the restricted data `include` did not ask for: the buyer and gift messages
/// without `include.buyer`, the recipient without `include.recipient`. Gift wrap level
/// and price are not personal data and stay.
pub fn restrict(order: &mut Order, include: Include) {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PackageRef;
    use crate::model::PackageItem;
    use mws_legacy::orders::{GetOrderResponse, OrderItemsPage};
    use std::str::FromStr;
    use time::macros::datetime;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// The same order as MWS sent it (GetOrder + ListOrderItems, 2013-09-01).
    const MWS_ORDER: &str = r#"<?xml version="1.0"?>
<GetOrderResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01">
 <GetOrderResult><Orders><Order>
  <LatestShipDate>2026-05-03T06:59:59Z</LatestShipDate>
  <AmazonOrderId>028-1111111-2222222</AmazonOrderId>
  <SellerOrderId>SO-42</SellerOrderId>
  <PurchaseDate>2026-05-01T10:00:00Z</PurchaseDate>
  <LastUpdateDate>2026-05-01T12:00:00Z</LastUpdateDate>
  <OrderStatus>PartiallyShipped</OrderStatus>
  <FulfillmentChannel>MFN</FulfillmentChannel>
  <SalesChannel>Amazon.de</SalesChannel>
  <ShipServiceLevel>Exp DE Dom</ShipServiceLevel>
  <ShippingAddress>
   <Name>Grete Muster</Name>
   <AddressLine1>Weg 1</AddressLine1>
   <AddressLine2>Hinterhaus</AddressLine2>
   <AddressLine3></AddressLine3>
   <City>Berlin</City>
   <District>Mitte</District>
   <StateOrRegion>BE</StateOrRegion>
   <PostalCode>10115</PostalCode>
   <CountryCode>DE</CountryCode>
   <Phone>+49 30 1234567</Phone>
   <AddressType>Commercial</AddressType>
  </ShippingAddress>
  <OrderTotal><CurrencyCode>EUR</CurrencyCode><Amount>40.28</Amount></OrderTotal>
  <NumberOfItemsShipped>1</NumberOfItemsShipped>
  <NumberOfItemsUnshipped>3</NumberOfItemsUnshipped>
  <PaymentExecutionDetail><PaymentExecutionDetailItem>
   <Payment><Amount>40.28</Amount><CurrencyCode>EUR</CurrencyCode></Payment>
   <PaymentMethod>COD</PaymentMethod>
  </PaymentExecutionDetailItem></PaymentExecutionDetail>
  <PaymentMethod>Other</PaymentMethod>
  <PaymentMethodDetails><PaymentMethodDetail>CashOnDelivery</PaymentMethodDetail></PaymentMethodDetails>
  <MarketplaceId>A1PA6795UKMFR9</MarketplaceId>
  <BuyerEmail>g@marketplace.amazon.de</BuyerEmail>
  <BuyerName>Grete Muster</BuyerName>
  <BuyerTaxInfo><CompanyLegalName>Muster GmbH</CompanyLegalName></BuyerTaxInfo>
  <ShipmentServiceLevelCategory>Expedited</ShipmentServiceLevelCategory>
  <OrderType>Preorder</OrderType>
  <EarliestShipDate>2026-05-02T07:00:00Z</EarliestShipDate>
  <LatestDeliveryDate>2026-05-05T00:00:00Z</LatestDeliveryDate>
  <IsBusinessOrder>true</IsBusinessOrder>
  <PurchaseOrderNumber>PO-7</PurchaseOrderNumber>
  <IsPrime>true</IsPrime>
  <IsPremiumOrder>false</IsPremiumOrder>
 </Order></Orders></GetOrderResult>
 <ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>
</GetOrderResponse>"#;

    const MWS_ITEMS: &str = r#"<?xml version="1.0"?>
<ListOrderItemsResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01">
 <ListOrderItemsResult>
  <AmazonOrderId>028-1111111-2222222</AmazonOrderId>
  <OrderItems>
   <OrderItem>
    <ASIN>B00TEST002</ASIN>
    <OrderItemId>71</OrderItemId>
    <SellerSKU>TASSE</SellerSKU>
    <Title>Tasse</Title>
    <QuantityOrdered>3</QuantityOrdered>
    <QuantityShipped>1</QuantityShipped>
    <ItemPrice><CurrencyCode>EUR</CurrencyCode><Amount>30.00</Amount></ItemPrice>
    <ShippingPrice><CurrencyCode>EUR</CurrencyCode><Amount>4.90</Amount></ShippingPrice>
    <GiftWrapPrice><CurrencyCode>EUR</CurrencyCode><Amount>3.00</Amount></GiftWrapPrice>
    <ItemTax><CurrencyCode>EUR</CurrencyCode><Amount>4.79</Amount></ItemTax>
    <ShippingTax><CurrencyCode>EUR</CurrencyCode><Amount>0.78</Amount></ShippingTax>
    <GiftWrapTax><CurrencyCode>EUR</CurrencyCode><Amount>0.48</Amount></GiftWrapTax>
    <ShippingDiscount><CurrencyCode>EUR</CurrencyCode><Amount>-4.90</Amount></ShippingDiscount>
    <PromotionDiscount><CurrencyCode>EUR</CurrencyCode><Amount>-1.50</Amount></PromotionDiscount>
    <IsGift>true</IsGift>
    <GiftMessageText>Alles Gute</GiftMessageText>
    <GiftWrapLevel>Classic</GiftWrapLevel>
   </OrderItem>
   <OrderItem>
    <ASIN>B00TEST003</ASIN>
    <OrderItemId>72</OrderItemId>
    <SellerSKU>UNTERSETZER</SellerSKU>
    <QuantityOrdered>1</QuantityOrdered>
    <QuantityShipped>0</QuantityShipped>
    <ItemPrice><CurrencyCode>EUR</CurrencyCode><Amount>7.99</Amount></ItemPrice>
    <ItemTax><CurrencyCode>EUR</CurrencyCode><Amount>1.28</Amount></ItemTax>
    <IsGift>false</IsGift>
   </OrderItem>
  </OrderItems>
 </ListOrderItemsResult>
 <ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata>
</ListOrderItemsResponse>"#;

    fn mws_order() -> Order {
        let mut o = GetOrderResponse::from_xml(MWS_ORDER)
            .expect("order reads")
            .orders;
        let items = OrderItemsPage::from_xml(MWS_ITEMS).expect("items read");
        from_mws(o.remove(0), items.order_items)
    }

    /// The same order in Orders v0 JSON (`getOrder` with an RDT for buyer and address,
    /// `getOrderItems` with `BuyerInfo`), converted by the SP-API side.
    #[cfg(feature = "spapi")]
    fn v0_order() -> Order {
        use spapi_client::orders_v0 as v0;
        let o: v0::Order = serde_json::from_value(serde_json::json!({
            "AmazonOrderId": "028-1111111-2222222",
            "SellerOrderId": "SO-42",
            "PurchaseDate": "2026-05-01T10:00:00Z",
            "LastUpdateDate": "2026-05-01T12:00:00Z",
            "OrderStatus": "PartiallyShipped",
            "FulfillmentChannel": "MFN",
            "SalesChannel": "Amazon.de",
            "ShipServiceLevel": "Exp DE Dom",
            "OrderTotal": {"CurrencyCode": "EUR", "Amount": "40.28"},
            "NumberOfItemsShipped": 1,
            "NumberOfItemsUnshipped": 3,
            "PaymentExecutionDetail": [{
                "Payment": {"CurrencyCode": "EUR", "Amount": "40.28"},
                "PaymentMethod": "COD"
            }],
            "PaymentMethod": "Other",
            "PaymentMethodDetails": ["CashOnDelivery"],
            "MarketplaceId": "A1PA6795UKMFR9",
            "ShipmentServiceLevelCategory": "Expedited",
            "OrderType": "Preorder",
            "EarliestShipDate": "2026-05-02T07:00:00Z",
            "LatestShipDate": "2026-05-03T06:59:59Z",
            "LatestDeliveryDate": "2026-05-05T00:00:00Z",
            "IsBusinessOrder": true,
            "IsPrime": true,
            "IsPremiumOrder": false,
            "BuyerInfo": {
                "BuyerEmail": "g@marketplace.amazon.de",
                "BuyerName": "Grete Muster",
                "BuyerTaxInfo": {"CompanyLegalName": "Muster GmbH"},
                "PurchaseOrderNumber": "PO-7"
            },
            "ShippingAddress": {
                "Name": "Grete Muster",
                "AddressLine1": "Weg 1",
                "AddressLine2": "Hinterhaus",
                "AddressLine3": "",
                "City": "Berlin",
                "District": "Mitte",
                "StateOrRegion": "BE",
                "PostalCode": "10115",
                "CountryCode": "DE",
                "Phone": "+49 30 1234567",
                "AddressType": "Commercial"
            }
        }))
        .expect("a v0 order decodes");
        let items: Vec<v0::OrderItem> = serde_json::from_value(serde_json::json!([
            {
                "ASIN": "B00TEST002",
                "OrderItemId": "71",
                "SellerSKU": "TASSE",
                "Title": "Tasse",
                "QuantityOrdered": 3,
                "QuantityShipped": 1,
                "ItemPrice": {"CurrencyCode": "EUR", "Amount": "30.00"},
                "ShippingPrice": {"CurrencyCode": "EUR", "Amount": "4.90"},
                "ItemTax": {"CurrencyCode": "EUR", "Amount": "4.79"},
                "ShippingTax": {"CurrencyCode": "EUR", "Amount": "0.78"},
                "ShippingDiscount": {"CurrencyCode": "EUR", "Amount": "-4.90"},
                "PromotionDiscount": {"CurrencyCode": "EUR", "Amount": "-1.50"},
                "IsGift": "true",
                "BuyerInfo": {
                    "GiftMessageText": "Alles Gute",
                    "GiftWrapLevel": "Classic",
                    "GiftWrapPrice": {"CurrencyCode": "EUR", "Amount": "3.00"},
                    "GiftWrapTax": {"CurrencyCode": "EUR", "Amount": "0.48"}
                }
            },
            {
                "ASIN": "B00TEST003",
                "OrderItemId": "72",
                "SellerSKU": "UNTERSETZER",
                "QuantityOrdered": 1,
                "QuantityShipped": 0,
                "ItemPrice": {"CurrencyCode": "EUR", "Amount": "7.99"},
                "ItemTax": {"CurrencyCode": "EUR", "Amount": "1.28"},
                "IsGift": "false"
            }
        ]))
        .expect("v0 items decode");
        crate::spapi::from_v0(o, items)
    }

    #[cfg(feature = "spapi")]
    #[test]
    fn mws_and_v0_conversions_agree_on_the_same_order() {
        let mws = mws_order();
        let v0 = v0_order();
        // Field groups first, for a readable failure; then the whole order.
        assert_eq!(mws.id, v0.id);
        assert_eq!(mws.seller_order_id, v0.seller_order_id);
        assert_eq!(mws.marketplace, v0.marketplace);
        assert_eq!(
            (mws.purchased_at, mws.last_updated_at),
            (v0.purchased_at, v0.last_updated_at)
        );
        assert_eq!((mws.ship_by, mws.deliver_by), (v0.ship_by, v0.deliver_by));
        assert_eq!((&mws.status, &mws.channel), (&v0.status, &v0.channel));
        assert_eq!(mws.service_level, v0.service_level);
        assert_eq!(mws.ship_service_level, v0.ship_service_level);
        assert_eq!(mws.programs, v0.programs);
        assert_eq!(mws.lines, v0.lines);
        assert_eq!(mws.totals, v0.totals);
        assert_eq!(mws.payment, v0.payment);
        assert_eq!(mws.buyer, v0.buyer, "buyer PII");
        assert_eq!(mws.recipient, v0.recipient, "recipient PII");
        assert_eq!(mws, v0);

        // And the values are the ones the documents hold (not two equal mistakes).
        assert_eq!(mws.status, OrderStatus::PartiallyShipped);
        assert_eq!(mws.channel, FulfillmentChannel::Merchant);
        assert_eq!(mws.service_level, Some(ServiceLevelCategory::Expedited));
        assert_eq!(mws.payment.method, Some(PaymentMethod::Cod));
        assert_eq!(mws.programs.len(), 3, "{:?}", mws.programs);
        let l = &mws.lines[0];
        assert_eq!(l.unit_price, Some(Money::new(dec("10.00"), "EUR")));
        assert_eq!(l.shipping_discount, Some(Money::new(dec("4.90"), "EUR")));
        assert_eq!(
            l.gift.as_ref().and_then(|g| g.message.as_deref()),
            Some("Alles Gute")
        );
        assert_eq!(mws.totals.items, Some(Money::new(dec("37.99"), "EUR")));
        assert_eq!(mws.totals.discounts, Some(Money::new(dec("6.40"), "EUR")));
        let r = mws.recipient.as_ref().expect("recipient");
        assert_eq!(r.address.lines, ["Weg 1", "Hinterhaus"]);
        assert_eq!(r.address.county.as_deref(), Some("Mitte"));
        assert_eq!(r.address.address_type, Some(AddressType::Commercial));
        let b = mws.buyer.as_ref().expect("buyer");
        assert_eq!(b.company.as_deref(), Some("Muster GmbH"));
        assert_eq!(b.purchase_order_number.as_deref(), Some("PO-7"));
        assert!(!format!("{mws:?}").contains("Grete"), "PII in Debug");
    }

    /// A small deterministic generator (xorshift), for generated agreement cases.
    #[cfg(feature = "spapi")]
    struct Gen(u64);

    #[cfg(feature = "spapi")]
    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn chance(&mut self, percent: u64) -> bool {
            self.below(100) < percent
        }
        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len() as u64) as usize]
        }
        /// An amount in the currency's style, sometimes negative.
        fn amount(&mut self, currency: &str, negative: bool) -> String {
            let cents = self.below(100_000);
            let sign = if negative && cents > 0 { "-" } else { "" };
            if currency == "JPY" {
                format!("{sign}{}", cents / 10)
            } else if self.chance(20) {
                format!("{sign}{}.{}", cents / 100, (cents % 100) / 10)
            } else {
                format!("{sign}{}.{:02}", cents / 100, cents % 100)
            }
        }
    }

    /// One generated order as MWS XML (order, items) and as v0 JSON (order, items).
    #[cfg(feature = "spapi")]
    fn generated_case(
        g: &mut Gen,
        n: u64,
    ) -> (String, String, serde_json::Value, serde_json::Value) {
        use serde_json::{Map, Value, json};
        fn esc(s: &str) -> String {
            s.replace('&', "&amp;").replace('<', "&lt;")
        }
        let id = format!("{:03}-{:07}-{:07}", 100 + n % 900, n * 7919 % 10_000_000, n);
        let currency = g.pick(&["USD", "EUR", "JPY", "GBP"]);
        let mut xml = format!("<Order><AmazonOrderId>{id}</AmazonOrderId>");
        let mut js = Map::new();
        js.insert("AmazonOrderId".into(), json!(id));
        let both = |xml: &mut String, js: &mut Map<String, Value>, k: &str, v: &str| {
            xml.push_str(&format!("<{k}>{}</{k}>", esc(v)));
            js.insert(k.into(), json!(v));
        };
        let day = 1 + g.below(27);
        let purchase = format!("2026-04-{day:02}T{:02}:{:02}:00Z", g.below(24), g.below(60));
        both(&mut xml, &mut js, "PurchaseDate", &purchase);
        both(
            &mut xml,
            &mut js,
            "LastUpdateDate",
            &format!("2026-05-{day:02}T08:00:00Z"),
        );
        let status = g.pick(&[
            "Pending",
            "Unshipped",
            "PartiallyShipped",
            "Shipped",
            "Canceled",
            "Unfulfillable",
            "InvoiceUnconfirmed",
            "PendingAvailability",
        ]);
        both(&mut xml, &mut js, "OrderStatus", status);
        for (k, values, p) in [
            ("SellerOrderId", &["SO-1", "Müller & Co 7"][..], 50),
            ("FulfillmentChannel", &["AFN", "MFN"][..], 90),
            (
                "ShipServiceLevel",
                &["Std US D2D Dom", "Exp DE Dom", "NextDay"][..],
                70,
            ),
            (
                "MarketplaceId",
                &["ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1VC38T7YXB528"][..],
                90,
            ),
            (
                "ShipmentServiceLevelCategory",
                &[
                    "Expedited",
                    "FreeEconomy",
                    "NextDay",
                    "SameDay",
                    "SecondDay",
                    "Scheduled",
                    "Standard",
                ][..],
                80,
            ),
            (
                "OrderType",
                &[
                    "StandardOrder",
                    "Preorder",
                    "SourcingOnDemandOrder",
                    "LongLeadTimeOrder",
                ][..],
                60,
            ),
            ("PaymentMethod", &["COD", "CVS", "Other"][..], 60),
            ("EarliestShipDate", &["2026-05-02T07:00:00Z"][..], 50),
            ("LatestShipDate", &["2026-05-03T06:59:59Z"][..], 50),
            ("EarliestDeliveryDate", &["2026-05-04T00:00:00Z"][..], 40),
            ("LatestDeliveryDate", &["2026-05-06T00:00:00Z"][..], 40),
        ] {
            if g.chance(p) {
                let v = g.pick(values);
                both(&mut xml, &mut js, k, v);
            }
        }
        for k in [
            "IsPrime",
            "IsPremiumOrder",
            "IsBusinessOrder",
            "IsIBA",
            "IsISPU",
        ] {
            if g.chance(60) {
                let v = g.chance(50);
                xml.push_str(&format!("<{k}>{v}</{k}>"));
                js.insert(k.into(), json!(v));
            }
        }
        if g.chance(80) {
            let a = g.amount(currency, false);
            xml.push_str(&format!(
                "<OrderTotal><Amount>{a}</Amount><CurrencyCode>{currency}</CurrencyCode></OrderTotal>"
            ));
            js.insert(
                "OrderTotal".into(),
                json!({"CurrencyCode": currency, "Amount": a}),
            );
        }
        if g.chance(20) {
            let a = g.amount(currency, false);
            let m = g.pick(&["COD", "GC", "PointsAccount"]);
            xml.push_str(&format!(
                "<PaymentExecutionDetail><PaymentExecutionDetailItem><Payment><CurrencyCode>{currency}</CurrencyCode>\
                 <Amount>{a}</Amount></Payment><PaymentMethod>{m}</PaymentMethod></PaymentExecutionDetailItem>\
                 </PaymentExecutionDetail>"
            ));
            js.insert(
                "PaymentExecutionDetail".into(),
                json!([{"Payment": {"CurrencyCode": currency, "Amount": a}, "PaymentMethod": m}]),
            );
        }
        if g.chance(50) {
            let d = g.pick(&["Standard", "CashOnDelivery", "GiftCertificate"]);
            xml.push_str(&format!(
                "<PaymentMethodDetails><PaymentMethodDetail>{d}</PaymentMethodDetail></PaymentMethodDetails>"
            ));
            js.insert("PaymentMethodDetails".into(), json!([d]));
        }
        // Buyer: on the order in MWS, in BuyerInfo in v0.
        let mut buyer = Map::new();
        for (k, values) in [
            (
                "BuyerName",
                &["Käthe Groß", "山田 太郎", "Jane <Q> Roe"][..],
            ),
            ("BuyerEmail", &["x@marketplace.amazon.com"][..]),
            ("PurchaseOrderNumber", &["PO-1", "4500012345"][..]),
        ] {
            if g.chance(50) {
                let v = g.pick(values);
                xml.push_str(&format!("<{k}>{}</{k}>", esc(v)));
                buyer.insert(k.into(), json!(v));
            }
        }
        if g.chance(30) {
            let c = g.pick(&["Muster GmbH", "A & B Ltd"]);
            xml.push_str(&format!(
                "<BuyerTaxInfo><CompanyLegalName>{}</CompanyLegalName></BuyerTaxInfo>",
                esc(c)
            ));
            buyer.insert("BuyerTaxInfo".into(), json!({"CompanyLegalName": c}));
        }
        if !buyer.is_empty() {
            js.insert("BuyerInfo".into(), Value::Object(buyer));
        }
        if g.chance(70) {
            let mut a = Map::new();
            xml.push_str("<ShippingAddress>");
            for (k, values, p) in [
                ("Name", &["Käthe Groß", "Jane Roe"][..], 80),
                ("AddressLine1", &["Weg 1", "1 Main St"][..], 80),
                ("AddressLine2", &["Hinterhaus", "", "Apt 2"][..], 50),
                ("AddressLine3", &["c/o X", ""][..], 20),
                ("City", &["Düsseldorf", "Seattle"][..], 80),
                ("County", &["King"][..], 20),
                ("District", &["Mitte"][..], 20),
                ("StateOrRegion", &["NRW", "WA"][..], 60),
                ("PostalCode", &["40210", "98101"][..], 70),
                ("CountryCode", &["DE", "US", "JP"][..], 100),
                ("Phone", &["+1 206 555 0100"][..], 40),
                ("AddressType", &["Residential", "Commercial"][..], 50),
            ] {
                if g.chance(p) {
                    let v = g.pick(values);
                    xml.push_str(&format!("<{k}>{}</{k}>", esc(v)));
                    a.insert(k.into(), json!(v));
                }
            }
            xml.push_str("</ShippingAddress>");
            js.insert("ShippingAddress".into(), Value::Object(a));
        }
        xml.push_str("</Order>");
        let order_xml = format!(
            "<GetOrderResponse><GetOrderResult><Orders>{xml}</Orders></GetOrderResult></GetOrderResponse>"
        );

        let mut items_xml = String::new();
        let mut items_js = Vec::new();
        for i in 0..g.below(4) {
            let item_id = format!("{}{i}", 10_000_000_000_000 + n);
            let q = g.below(4) as u32;
            let mut x = format!(
                "<OrderItem><ASIN>B0{n:08}</ASIN><OrderItemId>{item_id}</OrderItemId><QuantityOrdered>{q}</QuantityOrdered>"
            );
            let mut j = Map::new();
            j.insert("ASIN".into(), json!(format!("B0{n:08}")));
            j.insert("OrderItemId".into(), json!(item_id));
            j.insert("QuantityOrdered".into(), json!(q));
            if g.chance(70) {
                let s = g.below(u64::from(q) + 1);
                x.push_str(&format!("<QuantityShipped>{s}</QuantityShipped>"));
                j.insert("QuantityShipped".into(), json!(s));
            }
            for (k, v) in [("SellerSKU", "SKU-ÄÖ"), ("Title", "Mug & Saucer")] {
                if g.chance(70) {
                    x.push_str(&format!("<{k}>{}</{k}>", esc(v)));
                    j.insert(k.into(), json!(v));
                }
            }
            for (k, negative) in [
                ("ItemPrice", false),
                ("ShippingPrice", false),
                ("ItemTax", false),
                ("ShippingTax", false),
                ("ShippingDiscount", true),
                ("PromotionDiscount", true),
            ] {
                if g.chance(60) {
                    let a = g.amount(currency, negative);
                    x.push_str(&format!(
                        "<{k}><CurrencyCode>{currency}</CurrencyCode><Amount>{a}</Amount></{k}>"
                    ));
                    j.insert(k.into(), json!({"CurrencyCode": currency, "Amount": a}));
                }
            }
            let is_gift = g.below(3);
            if is_gift < 2 {
                let v = is_gift == 1;
                x.push_str(&format!("<IsGift>{v}</IsGift>"));
                j.insert("IsGift".into(), json!(v.to_string()));
            }
            let mut b = Map::new();
            if g.chance(30) {
                x.push_str("<GiftMessageText>Alles Gute &amp; mehr</GiftMessageText>");
                b.insert("GiftMessageText".into(), json!("Alles Gute & mehr"));
            }
            if g.chance(30) {
                x.push_str("<GiftWrapLevel>Classic</GiftWrapLevel>");
                b.insert("GiftWrapLevel".into(), json!("Classic"));
            }
            for k in ["GiftWrapPrice", "GiftWrapTax"] {
                if g.chance(25) {
                    let a = g.amount(currency, false);
                    x.push_str(&format!(
                        "<{k}><CurrencyCode>{currency}</CurrencyCode><Amount>{a}</Amount></{k}>"
                    ));
                    b.insert(k.into(), json!({"CurrencyCode": currency, "Amount": a}));
                }
            }
            if !b.is_empty() {
                j.insert("BuyerInfo".into(), Value::Object(b));
            }
            x.push_str("</OrderItem>");
            items_xml.push_str(&x);
            items_js.push(Value::Object(j));
        }
        let items_xml = format!(
            "<ListOrderItemsResponse><ListOrderItemsResult><AmazonOrderId>{id}</AmazonOrderId>\
             <OrderItems>{items_xml}</OrderItems></ListOrderItemsResult></ListOrderItemsResponse>"
        );
        (
            order_xml,
            items_xml,
            Value::Object(js),
            Value::Array(items_js),
        )
    }

    #[cfg(feature = "spapi")]
    #[test]
    fn mws_and_v0_conversions_agree_on_generated_orders() {
        use spapi_client::orders_v0 as v0;
        let mut g = Gen(0x9E37_79B9_7F4A_7C15);
        let (mut gifts, mut buyers, mut recipients) = (0, 0, 0);
        for n in 1..=400 {
            let (order_xml, items_xml, order_js, items_js) = generated_case(&mut g, n);
            let mut orders = GetOrderResponse::from_xml(&order_xml)
                .unwrap_or_else(|e| panic!("case {n}: {e}\n{order_xml}"))
                .orders;
            let items = OrderItemsPage::from_xml(&items_xml)
                .unwrap_or_else(|e| panic!("case {n}: {e}\n{items_xml}"))
                .order_items;
            let mws = from_mws(orders.remove(0), items);
            let o: v0::Order = serde_json::from_value(order_js.clone())
                .unwrap_or_else(|e| panic!("case {n}: {e}\n{order_js}"));
            let i: Vec<v0::OrderItem> = serde_json::from_value(items_js.clone())
                .unwrap_or_else(|e| panic!("case {n}: {e}\n{items_js}"));
            let spapi = crate::spapi::from_v0(o, i);
            assert_eq!(
                mws, spapi,
                "case {n}\nMWS: {order_xml}\n{items_xml}\nv0: {order_js}\n{items_js}"
            );
            gifts += usize::from(mws.lines.iter().any(|l| l.gift.is_some()));
            buyers += usize::from(mws.buyer.is_some());
            recipients += usize::from(mws.recipient.is_some());
        }
        assert!(
            gifts > 50 && buyers > 100 && recipients > 100,
            "{gifts} {buyers} {recipients}"
        );
    }

    #[test]
    fn include_flags_drop_what_was_not_asked_for() {
        let full = mws_order();
        let mut none = full.clone();
        restrict(&mut none, Include::default());
        assert!(none.buyer.is_none() && none.recipient.is_none());
        let gift = none.lines[0].gift.as_ref().expect("gift options stay");
        assert_eq!(gift.message, None, "gift messages are buyer data");
        assert_eq!(gift.wrap_price, Some(Money::new(dec("3.00"), "EUR")));
        assert_eq!(none.lines.len(), full.lines.len());
        assert_eq!(none.totals, full.totals);

        let mut buyer_only = full.clone();
        restrict(
            &mut buyer_only,
            Include {
                buyer: true,
                recipient: false,
            },
        );
        assert_eq!(buyer_only.buyer, full.buyer);
        assert!(buyer_only.recipient.is_none());
        let mut all = full.clone();
        restrict(
            &mut all,
            Include {
                buyer: true,
                recipient: true,
            },
        );
        assert_eq!(all, full);
    }

    #[test]
    fn sparse_orders_convert_without_inventing_data() {
        // A Pending order: no prices, no buyer, no address (as MWS sends it).
        let xml = r#"<GetOrderResponse><GetOrderResult><Orders><Order>
            <AmazonOrderId>111-0000001-0000001</AmazonOrderId>
            <PurchaseDate>2020-05-01T10:00:00Z</PurchaseDate>
            <LastUpdateDate>2020-05-01T10:05:00Z</LastUpdateDate>
            <OrderStatus>Pending</OrderStatus>
            <FulfillmentChannel>AFN</FulfillmentChannel>
            </Order></Orders></GetOrderResult></GetOrderResponse>"#;
        let mut o = GetOrderResponse::from_xml(xml).unwrap().orders;
        let items = r#"<ListOrderItemsResponse><ListOrderItemsResult>
            <AmazonOrderId>111-0000001-0000001</AmazonOrderId><OrderItems><OrderItem>
            <ASIN>B0</ASIN><OrderItemId>1</OrderItemId><QuantityOrdered>0</QuantityOrdered>
            <ItemPrice><CurrencyCode>USD</CurrencyCode><Amount>FILTERED</Amount></ItemPrice>
            </OrderItem></OrderItems></ListOrderItemsResult></ListOrderItemsResponse>"#;
        let items = OrderItemsPage::from_xml(items).unwrap().order_items;
        let order = from_mws(o.remove(0), items);
        assert_eq!(order.status, OrderStatus::Pending);
        assert!(order.is_fba());
        assert!(order.buyer.is_none() && order.recipient.is_none());
        assert_eq!(order.marketplace.as_str(), "");
        assert_eq!(
            order.lines[0].line_price, None,
            "unreadable amount is unknown"
        );
        assert_eq!(order.lines[0].unit_price, None);
        assert_eq!(order.totals, OrderTotals::default());
        assert!(order.programs.is_empty());
    }

    fn confirmation(order: &str, package: &str) -> ShipmentConfirmation {
        ShipmentConfirmation {
            order_id: AmazonOrderId::new(order),
            marketplace: MarketplaceId::new("ATVPDKIKX0DER"),
            package: PackageRef::new(package),
            carrier_code: "UPS".into(),
            carrier_name: None,
            shipping_method: Some("UPS Ground".into()),
            tracking_number: "1Z999".into(),
            ship_date: datetime!(2026-05-02 09:00 UTC),
            items: vec![PackageItem {
                item_id: OrderItemId::new("12345678901234"),
                quantity: 2,
            }],
        }
    }

    #[test]
    fn fulfilment_messages_carry_the_package_and_carrier() {
        let c = confirmation("111-0000001-0000001", "7");
        let envelope = Envelope::order_fulfillment("A1SELLER", [fulfillment(&c)]);
        let xml = envelope.to_xml().expect("valid feed");
        for part in [
            "<AmazonOrderID>111-0000001-0000001</AmazonOrderID>",
            "<MerchantFulfillmentID>7</MerchantFulfillmentID>",
            "<CarrierCode>UPS</CarrierCode>",
            "<ShippingMethod>UPS Ground</ShippingMethod>",
            "<ShipperTrackingNumber>1Z999</ShipperTrackingNumber>",
            "<AmazonOrderItemCode>12345678901234</AmazonOrderItemCode>",
            "<Quantity>2</Quantity>",
        ] {
            assert!(xml.contains(part), "{part} missing in {xml}");
        }
        // An unlisted carrier goes by name (the schema takes a code or a name).
        let other = ShipmentConfirmation {
            carrier_code: "Other".into(),
            carrier_name: Some("Speedy Bikes".into()),
            ..c.clone()
        };
        let xml = Envelope::order_fulfillment("A1SELLER", [fulfillment(&other)])
            .to_xml()
            .unwrap();
        assert!(
            xml.contains("<CarrierName>Speedy Bikes</CarrierName>"),
            "{xml}"
        );
        assert!(!xml.contains("<CarrierCode>"), "{xml}");
    }

    const REPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope><Header><DocumentVersion>1.02</DocumentVersion>
<MerchantIdentifier>M_1</MerchantIdentifier></Header>
<MessageType>ProcessingReport</MessageType><Message><MessageID>1</MessageID>
<ProcessingReport><DocumentTransactionID>5001</DocumentTransactionID>
<StatusCode>Complete</StatusCode><ProcessingSummary><MessagesProcessed>3</MessagesProcessed>
<MessagesSuccessful>2</MessagesSuccessful><MessagesWithError>1</MessagesWithError>
<MessagesWithWarning>1</MessagesWithWarning></ProcessingSummary>
<Result><MessageID>2</MessageID><ResultCode>Error</ResultCode>
<ResultMessageCode>18021</ResultMessageCode>
<ResultDescription>The quantities you provided were larger than the quantities that could be fulfilled.</ResultDescription>
</Result>
<Result><MessageID>3</MessageID><ResultCode>Warning</ResultCode>
<ResultMessageCode>18200</ResultMessageCode><ResultDescription>noted</ResultDescription></Result>
</ProcessingReport></Message></AmazonEnvelope>"#;

    #[test]
    fn processing_report_results_map_to_each_package() {
        let report = ProcessingReport::from_xml(REPORT).unwrap();
        let feed = FeedSubmissionId::from("5001");
        assert_eq!(message_result(&report, &feed, 1), Ok(()));
        let e = message_result(&report, &feed, 2).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Client);
        assert_eq!(e.code.as_deref(), Some("18021"));
        assert!(e.message.starts_with("The quantities"), "{}", e.message);
        assert_eq!(e.request_id.as_deref(), Some("5001"));
        assert_eq!(
            message_result(&report, &feed, 3),
            Ok(()),
            "a warning is not an error"
        );
        let e = message_result(&report, &feed, 4).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Client, "message beyond those processed");

        // A document-level error (message 0) fails every message.
        let whole = REPORT.replace(
            "<MessageID>2</MessageID><ResultCode>Error</ResultCode>",
            "<MessageID>0</MessageID><ResultCode>Error</ResultCode>",
        );
        let report = ProcessingReport::from_xml(&whole).unwrap();
        assert_eq!(
            message_result(&report, &feed, 1)
                .unwrap_err()
                .code
                .as_deref(),
            Some("18021")
        );
        let rejected = REPORT.replace("Complete", "Rejected");
        let report = ProcessingReport::from_xml(&rejected).unwrap();
        assert_eq!(
            message_result(&report, &feed, 1).unwrap_err().kind,
            ErrorKind::Client
        );
    }

    #[test]
    fn invalid_requests_are_client_errors() {
        let e = convert_error(mws_legacy::Error::InvalidRequest("bad".into()));
        assert_eq!(e.kind, ErrorKind::Client);
        assert_eq!(e.code, None);
        assert!(e.message.contains("bad"));
        let e = convert_error(mws_legacy::Error::ContentMd5Mismatch {
            expected: "a".into(),
            actual: "b".into(),
        });
        assert_eq!(e.kind, ErrorKind::Transient);
        let e = convert_error(mws_legacy::Error::ContentMd5Missing);
        assert_eq!(
            e.kind,
            ErrorKind::Server,
            "unreadable answers are retried later"
        );
    }
}

/// The Amazon side against a loopback MWS stub: exact paging, error mapping and the feed
/// life cycle under paused tokio time.
#[cfg(test)]
mod http_tests {
    use super::*;
    use crate::ids::PackageRef;
    use crate::model::PackageItem;
    use mws_legacy::{Credentials, Endpoint, RetryConfig};
    use std::collections::BTreeMap;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    type Params = BTreeMap<String, String>;

    /// An answer: status, body, extra headers.
    struct Reply(u16, String, Vec<(String, String)>);

    fn ok(body: String) -> Reply {
        Reply(200, body, Vec::new())
    }

    type Handler = Arc<dyn Fn(&Params) -> Reply + Send + Sync>;

    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                    out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                    i += 2;
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    fn parse_params(into: &mut Params, s: &str) {
        for pair in s.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            into.insert(decode(k), decode(v));
        }
    }

    /// Serves MWS-shaped answers from `handler` on loopback; records every request's
    /// parameters. One request per connection.
    async fn stub(handler: Handler) -> (String, Arc<Mutex<Vec<Params>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log: Arc<Mutex<Vec<Params>>> = Arc::default();
        let seen = log.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let handler = handler.clone();
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let (head_end, length) = loop {
                        let n = sock.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..pos]).to_lowercase();
                            let length = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .unwrap_or(0);
                            break (pos + 4, length);
                        }
                    };
                    while buf.len() < head_end + length {
                        let n = sock.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                    let target = head.split_whitespace().nth(1).unwrap_or("/");
                    let mut params = Params::new();
                    if let Some((_, q)) = target.split_once('?') {
                        parse_params(&mut params, q);
                    }
                    let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
                    if head.to_lowercase().contains("x-www-form-urlencoded") {
                        parse_params(&mut params, &body);
                    }
                    let Reply(status, text, headers) = handler(&params);
                    seen.lock().unwrap().push(params);
                    let mut out = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n",
                        text.len()
                    );
                    for (k, v) in headers {
                        out.push_str(&format!("{k}: {v}\r\n"));
                    }
                    out.push_str("\r\n");
                    out.push_str(&text);
                    let _ = sock.write_all(out.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        (base, log)
    }

    fn amazon(base: &str, retry: RetryConfig) -> MwsAmazon {
        let client = Client::builder(Credentials::new("A1SELLER", "AKID", "secret"))
            .endpoint(Endpoint::custom(base).unwrap())
            .retry(retry)
            .timeout(None)
            .build()
            .unwrap();
        MwsAmazon::new(client, "A1SELLER", ["ATVPDKIKX0DER"]).with_page_size(1)
    }

    fn actions(log: &Mutex<Vec<Params>>) -> Vec<String> {
        log.lock()
            .unwrap()
            .iter()
            .map(|p| p.get("Action").cloned().unwrap_or_default())
            .collect()
    }

    fn order_xml(id: &str) -> String {
        format!(
            "<Order><AmazonOrderId>{id}</AmazonOrderId><PurchaseDate>2026-05-01T10:00:00Z</PurchaseDate>\
             <LastUpdateDate>2026-05-01T11:00:00Z</LastUpdateDate><OrderStatus>Unshipped</OrderStatus>\
             <FulfillmentChannel>MFN</FulfillmentChannel><MarketplaceId>ATVPDKIKX0DER</MarketplaceId>\
             <BuyerName>Jane Roe</BuyerName><ShippingAddress><Name>Jane Roe</Name>\
             <AddressLine1>1 Main St</AddressLine1><CountryCode>US</CountryCode></ShippingAddress></Order>"
        )
    }

    fn item_xml(id: &str) -> String {
        format!(
            "<OrderItem><ASIN>B0{id}</ASIN><OrderItemId>{id}</OrderItemId><QuantityOrdered>1</QuantityOrdered>\
             <ItemPrice><CurrencyCode>USD</CurrencyCode><Amount>5.00</Amount></ItemPrice></OrderItem>"
        )
    }

    fn orders_handler(p: &Params) -> Reply {
        let action = p.get("Action").map(String::as_str).unwrap_or("");
        match action {
            "ListOrders" => ok(format!(
                "<ListOrdersResponse><ListOrdersResult><NextToken>P2</NextToken>\
                 <LastUpdatedBefore>2026-05-02T00:00:00Z</LastUpdatedBefore><Orders>{}</Orders>\
                 </ListOrdersResult></ListOrdersResponse>",
                order_xml("111-0000001-0000001")
            )),
            "ListOrdersByNextToken" => ok(format!(
                "<ListOrdersByNextTokenResponse><ListOrdersByNextTokenResult>\
                 <LastUpdatedBefore>2026-05-02T00:00:00Z</LastUpdatedBefore><Orders>{}</Orders>\
                 </ListOrdersByNextTokenResult></ListOrdersByNextTokenResponse>",
                order_xml("111-0000002-0000002")
            )),
            "ListOrderItems" => {
                let id = p.get("AmazonOrderId").cloned().unwrap_or_default();
                let (items, next) = if id.starts_with("111-0000001") {
                    (item_xml("11"), "<NextToken>I2</NextToken>")
                } else {
                    (item_xml("21"), "")
                };
                ok(format!(
                    "<ListOrderItemsResponse><ListOrderItemsResult>{next}<AmazonOrderId>{id}</AmazonOrderId>\
                     <OrderItems>{items}</OrderItems></ListOrderItemsResult></ListOrderItemsResponse>"
                ))
            }
            "ListOrderItemsByNextToken" => ok(format!(
                "<ListOrderItemsByNextTokenResponse><ListOrderItemsByNextTokenResult>\
                 <AmazonOrderId>111-0000001-0000001</AmazonOrderId><OrderItems>{}</OrderItems>\
                 </ListOrderItemsByNextTokenResult></ListOrderItemsByNextTokenResponse>",
                item_xml("12")
            )),
            "GetOrder" => {
                let id = p.get("AmazonOrderId.Id.1").cloned().unwrap_or_default();
                let orders = if id == "111-0000002-0000002" {
                    order_xml(&id)
                } else {
                    String::new()
                };
                ok(format!(
                    "<GetOrderResponse><GetOrderResult><Orders>{orders}</Orders></GetOrderResult></GetOrderResponse>"
                ))
            }
            other => Reply(400, format!("unexpected action {other}"), Vec::new()),
        }
    }

    fn query(include: Include) -> OrderQuery {
        OrderQuery {
            marketplaces: vec![],
            updated_after: datetime_after(),
            updated_before: None,
            channels: Some(vec![FulfillmentChannel::Merchant]),
            include,
        }
    }

    fn datetime_after() -> time::OffsetDateTime {
        time::macros::datetime!(2026-05-01 00:00 UTC)
    }

    #[tokio::test]
    async fn pages_of_orders_and_of_items_are_all_followed() {
        let (base, log) = stub(Arc::new(orders_handler)).await;
        let a = amazon(&base, RetryConfig::none());
        let q = query(Include {
            buyer: false,
            recipient: true,
        });
        let first = a.list_orders(&q, None).await.expect("first page");
        assert_eq!(first.orders.len(), 1);
        assert_eq!(first.next_page, Some(PageToken("P2".into())));
        assert_eq!(
            first.updated_before,
            Some(time::macros::datetime!(2026-05-02 0:00 UTC))
        );
        let o = &first.orders[0];
        let items: Vec<&str> = o.lines.iter().map(|l| l.item_id.as_str()).collect();
        assert_eq!(items, ["11", "12"], "both item pages");
        assert!(o.buyer.is_none(), "buyer not asked for");
        assert_eq!(
            o.recipient.as_ref().and_then(|r| r.name.as_deref()),
            Some("Jane Roe")
        );
        let second = a
            .list_orders(&q, first.next_page.as_ref())
            .await
            .expect("second page");
        assert_eq!(second.orders.len(), 1);
        assert_eq!(second.orders[0].id.as_str(), "111-0000002-0000002");
        assert_eq!(second.next_page, None);
        assert_eq!(
            actions(&log),
            [
                "ListOrders",
                "ListOrderItems",
                "ListOrderItemsByNextToken",
                "ListOrdersByNextToken",
                "ListOrderItems"
            ]
        );
        let first_request = log.lock().unwrap()[0].clone();
        assert_eq!(
            first_request.get("LastUpdatedAfter").map(String::as_str),
            Some("2026-05-01T00:00:00.000Z")
        );
        assert_eq!(
            first_request.get("MarketplaceId.Id.1").map(String::as_str),
            Some("ATVPDKIKX0DER")
        );
        assert_eq!(
            first_request
                .get("FulfillmentChannel.Channel.1")
                .map(String::as_str),
            Some("MFN")
        );
        assert_eq!(
            first_request.get("MaxResultsPerPage").map(String::as_str),
            Some("1")
        );
        let by_token = log.lock().unwrap()[3].clone();
        assert_eq!(by_token.get("NextToken").map(String::as_str), Some("P2"));

        // GetOrder: found with items, or None when MWS leaves the id out.
        let found = a
            .get_order(&"111-0000002-0000002".into(), Include::default())
            .await
            .unwrap()
            .expect("found");
        assert_eq!(found.lines.len(), 1);
        assert!(found.recipient.is_none() && found.buyer.is_none());
        let missing = a
            .get_order(&"111-0000009-0000009".into(), Include::default())
            .await
            .unwrap();
        assert!(missing.is_none());
    }

    #[tokio::test]
    async fn channel_filters_are_sent_only_when_mws_knows_them() {
        let (base, log) = stub(Arc::new(orders_handler)).await;
        let a = amazon(&base, RetryConfig::none());
        let mut q = query(Include::default());
        q.channels = Some(vec![FulfillmentChannel::Other("LOCAL".into())]);
        let page = a.list_orders(&q, None).await.unwrap();
        assert!(page.orders.is_empty() && page.next_page.is_none());
        assert!(actions(&log).is_empty(), "nothing can match: no call");

        q.channels = None;
        q.marketplaces = vec!["A1PA6795UKMFR9".into(), "APJ6JRA9NG5V4".into()];
        q.updated_before = Some(time::macros::datetime!(2026-05-01 12:00 UTC));
        a.list_orders(&q, None).await.unwrap();
        let sent = log.lock().unwrap()[0].clone();
        assert!(!sent.keys().any(|k| k.starts_with("FulfillmentChannel")));
        assert_eq!(
            sent.get("MarketplaceId.Id.2").map(String::as_str),
            Some("APJ6JRA9NG5V4"),
            "the query's marketplaces replace the account's"
        );
        assert_eq!(
            sent.get("LastUpdatedBefore").map(String::as_str),
            Some("2026-05-01T12:00:00.000Z")
        );
    }

    fn error_reply(status: u16, code: &str) -> Reply {
        Reply(
            status,
            format!(
                "<ErrorResponse xmlns=\"https://mws.amazonservices.com/Orders/2013-09-01\">\
                 <Error><Type>Sender</Type><Code>{code}</Code><Message>says {code}</Message></Error>\
                 <RequestID>rid-{code}</RequestID></ErrorResponse>"
            ),
            Vec::new(),
        )
    }

    #[tokio::test]
    async fn client_errors_keep_kind_code_message_and_request_id() {
        for (status, code, kind) in [
            (
                503,
                "RequestThrottled",
                ErrorKind::Throttled { retry_after: None },
            ),
            (
                503,
                "QuotaExceeded",
                ErrorKind::Throttled { retry_after: None },
            ),
            (403, "SignatureDoesNotMatch", ErrorKind::Auth),
            (401, "AccessDenied", ErrorKind::Auth),
            (400, "InvalidParameterValue", ErrorKind::Client),
            (500, "InternalError", ErrorKind::Server),
        ] {
            let (base, _) = stub(Arc::new(move |_: &Params| error_reply(status, code))).await;
            let a = amazon(&base, RetryConfig::none());
            let e = a
                .get_order(&"111-0000001-0000001".into(), Include::default())
                .await
                .unwrap_err();
            assert_eq!(e.kind, kind, "{code}");
            assert_eq!(e.code.as_deref(), Some(code));
            assert_eq!(e.message, format!("says {code}"));
            assert_eq!(e.request_id, Some(format!("rid-{code}")));
        }
        // An answer that is not MWS XML: a server failure, retried later.
        let (base, _) = stub(Arc::new(|_: &Params| ok("<Nope/>".into()))).await;
        let e = amazon(&base, RetryConfig::none())
            .get_order(&"111-0000001-0000001".into(), Include::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Server, "{e}");
    }

    /// The feed side of the stub: statuses scripted per `GetFeedSubmissionList` call.
    #[derive(Default)]
    struct FeedScript {
        submits: usize,
        statuses: Vec<&'static str>,
        list_calls: usize,
        report_errors: Vec<(u64, u32)>,
    }

    fn feeds_handler(script: Arc<Mutex<FeedScript>>) -> Handler {
        Arc::new(move |p: &Params| {
            let mut s = script.lock().unwrap();
            match p.get("Action").map(String::as_str).unwrap_or("") {
                "SubmitFeed" => {
                    s.submits += 1;
                    ok(format!(
                        "<SubmitFeedResponse><SubmitFeedResult><FeedSubmissionInfo>\
                         <FeedSubmissionId>500{}</FeedSubmissionId>\
                         <FeedType>_POST_ORDER_FULFILLMENT_DATA_</FeedType>\
                         <SubmittedDate>2026-05-02T10:00:00Z</SubmittedDate>\
                         <FeedProcessingStatus>_SUBMITTED_</FeedProcessingStatus>\
                         </FeedSubmissionInfo></SubmitFeedResult></SubmitFeedResponse>",
                        s.submits
                    ))
                }
                "GetFeedSubmissionList" => {
                    let id = p
                        .get("FeedSubmissionIdList.Id.1")
                        .cloned()
                        .unwrap_or_default();
                    let status = s
                        .statuses
                        .get(s.list_calls)
                        .or(s.statuses.last())
                        .copied()
                        .unwrap_or("_DONE_");
                    s.list_calls += 1;
                    ok(format!(
                        "<GetFeedSubmissionListResponse><GetFeedSubmissionListResult><HasNext>false</HasNext>\
                         <FeedSubmissionInfo><FeedSubmissionId>{id}</FeedSubmissionId>\
                         <FeedType>_POST_ORDER_FULFILLMENT_DATA_</FeedType>\
                         <SubmittedDate>2026-05-02T10:00:00Z</SubmittedDate>\
                         <FeedProcessingStatus>{status}</FeedProcessingStatus></FeedSubmissionInfo>\
                         </GetFeedSubmissionListResult></GetFeedSubmissionListResponse>"
                    ))
                }
                "GetFeedSubmissionResult" => {
                    let id = p.get("FeedSubmissionId").cloned().unwrap_or_default();
                    let results: String = s
                        .report_errors
                        .iter()
                        .map(|(mid, code)| {
                            format!(
                                "<Result><MessageID>{mid}</MessageID><ResultCode>Error</ResultCode>\
                                 <ResultMessageCode>{code}</ResultMessageCode>\
                                 <ResultDescription>error {code}</ResultDescription></Result>"
                            )
                        })
                        .collect();
                    let body = format!(
                        "<AmazonEnvelope><Header><DocumentVersion>1.02</DocumentVersion>\
                         <MerchantIdentifier>M_1</MerchantIdentifier></Header>\
                         <MessageType>ProcessingReport</MessageType><Message><MessageID>1</MessageID>\
                         <ProcessingReport><DocumentTransactionID>{id}</DocumentTransactionID>\
                         <StatusCode>Complete</StatusCode><ProcessingSummary>\
                         <MessagesProcessed>2</MessagesProcessed><MessagesSuccessful>{}</MessagesSuccessful>\
                         <MessagesWithError>{}</MessagesWithError><MessagesWithWarning>0</MessagesWithWarning>\
                         </ProcessingSummary>{results}</ProcessingReport></Message></AmazonEnvelope>",
                        2 - s.report_errors.len(),
                        s.report_errors.len()
                    );
                    let md5 = mws_legacy::sign::content_md5(body.as_bytes());
                    Reply(200, body, vec![("Content-MD5".into(), md5)])
                }
                other => Reply(400, format!("unexpected action {other}"), Vec::new()),
            }
        })
    }

    fn confirmation(order: &str, package: &str) -> ShipmentConfirmation {
        ShipmentConfirmation {
            order_id: AmazonOrderId::new(order),
            marketplace: MarketplaceId::new("ATVPDKIKX0DER"),
            package: PackageRef::new(package),
            carrier_code: "UPS".into(),
            carrier_name: None,
            shipping_method: None,
            tracking_number: "1Z999".into(),
            ship_date: time::macros::datetime!(2026-05-02 09:00 UTC),
            items: vec![PackageItem {
                item_id: OrderItemId::new("11"),
                quantity: 1,
            }],
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_confirmation_waits_for_the_processing_report() {
        let script = Arc::new(Mutex::new(FeedScript {
            statuses: vec!["_SUBMITTED_", "_IN_PROGRESS_", "_DONE_"],
            ..Default::default()
        }));
        let (base, log) = stub(feeds_handler(script.clone())).await;
        let a = amazon(&base, RetryConfig::none());
        let started = tokio::time::Instant::now();
        a.confirm_shipment(&confirmation("111-0000001-0000001", "1"))
            .await
            .expect("confirmed");
        // 60 s to the first check, then two more at 60 s intervals.
        assert_eq!(started.elapsed(), Duration::from_secs(180));
        assert_eq!(
            actions(&log),
            [
                "SubmitFeed",
                "GetFeedSubmissionList",
                "GetFeedSubmissionList",
                "GetFeedSubmissionList",
                "GetFeedSubmissionResult"
            ]
        );
        let submit = log.lock().unwrap()[0].clone();
        assert_eq!(
            submit.get("FeedType").map(String::as_str),
            Some("_POST_ORDER_FULFILLMENT_DATA_")
        );
        assert_eq!(
            submit.get("MarketplaceIdList.Id.1").map(String::as_str),
            Some("ATVPDKIKX0DER")
        );
        assert_eq!(a.pending_feeds(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_maps_each_message_of_the_report_to_its_package() {
        let script = Arc::new(Mutex::new(FeedScript {
            statuses: vec!["_DONE_"],
            report_errors: vec![(2, 18028)],
            ..Default::default()
        }));
        let (base, _) = stub(feeds_handler(script.clone())).await;
        let a = amazon(&base, RetryConfig::none());
        let results = a
            .confirm_shipments(&[
                confirmation("111-0000001-0000001", "1"),
                confirmation("111-0000002-0000002", "1"),
            ])
            .await;
        assert_eq!(results[0], Ok(()));
        let e = results[1].clone().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Client);
        assert_eq!(e.code.as_deref(), Some("18028"));
        assert_eq!(e.message, "error 18028");
        assert_eq!(e.request_id.as_deref(), Some("5001"));
        assert_eq!(script.lock().unwrap().submits, 1, "one feed for the batch");
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_that_gives_up_waiting_resumes_the_same_feed() {
        let script = Arc::new(Mutex::new(FeedScript {
            statuses: vec!["_IN_PROGRESS_"],
            ..Default::default()
        }));
        let (base, _) = stub(feeds_handler(script.clone())).await;
        let a = amazon(&base, RetryConfig::none()).with_feed_polling(FeedPolling {
            first_check: Duration::from_secs(30),
            interval: Duration::from_secs(30),
            max_wait: Duration::from_secs(100),
        });
        let c = confirmation("111-0000001-0000001", "3");
        let e = a.confirm_shipment(&c).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Transient);
        assert!(e.kind.is_retryable());
        assert_eq!(e.code.as_deref(), Some("FeedProcessingPending"));
        assert_eq!(a.pending_feeds(), 1);
        assert_eq!(
            script.lock().unwrap().list_calls,
            3,
            "checks at 30, 60 and 90 s"
        );

        script.lock().unwrap().statuses = vec!["_DONE_"];
        script.lock().unwrap().list_calls = 0;
        a.clone().confirm_shipment(&c).await.expect("resumed");
        assert_eq!(script.lock().unwrap().submits, 1, "not sent twice");
        assert_eq!(a.pending_feeds(), 0);

        // Changed data is a new confirmation: it gets its own feed.
        let changed = ShipmentConfirmation {
            tracking_number: "1Z000".into(),
            ..c
        };
        a.confirm_shipment(&changed).await.expect("sent");
        assert_eq!(script.lock().unwrap().submits, 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_feed_is_forgotten_and_sent_again() {
        let script = Arc::new(Mutex::new(FeedScript {
            statuses: vec!["_CANCELLED_"],
            ..Default::default()
        }));
        let (base, _) = stub(feeds_handler(script.clone())).await;
        let a = amazon(&base, RetryConfig::none());
        let c = confirmation("111-0000001-0000001", "4");
        let e = a.confirm_shipment(&c).await.unwrap_err();
        assert_eq!(e.code.as_deref(), Some("FeedCanceled"));
        assert!(e.kind.is_retryable());
        assert_eq!(a.pending_feeds(), 0);
        script.lock().unwrap().statuses = vec!["_DONE_"];
        script.lock().unwrap().list_calls = 0;
        a.confirm_shipment(&c).await.expect("sent again");
        assert_eq!(script.lock().unwrap().submits, 2);
    }
}
