//! The traits a host implements: an order store (cart, ERP) and a warehouse (3PL, WMS).
//!
//! Both are object-safe (`Arc<dyn OrderStore>`), with a small required surface; the
//! `...Ext` traits add conveniences built on it for every implementation.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::StoreError;
use crate::ids::{AccountId, AmazonOrderId, HostOrderId};
use crate::model::{HostShipment, Order};

/// The host's words for an order, produced by the mapping rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappedFields {
    /// The host's order number (e.g. `AMZ-902-3159896-1390916`).
    pub order_number: String,
    /// The host's order status.
    pub status: String,
    /// The host's payment method, when Amazon gave one.
    pub payment: Option<String>,
    /// The host's shipping method.
    pub shipping_method: Option<String>,
    /// The host's fulfilment priority value (e.g. `High` for Prime).
    pub priority: String,
    /// The customer name shaped for the host (buyer PII; hidden from `Debug`).
    pub customer: HostName,
}

/// A customer name shaped for the host: first and last name fields, or only `last` when
/// the host keeps one name field. Buyer PII: `Debug` shows no value.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostName {
    /// First (given) names; empty for a single-field name.
    pub first: String,
    /// Last name, or the whole name for a single-field name.
    pub last: String,
}

impl HostName {
    /// Replaces both fields with `marker` (an empty first name stays empty).
    pub fn redact(&mut self, marker: &str) {
        if !self.first.is_empty() {
            self.first = marker.to_owned();
        }
        if !self.last.is_empty() {
            self.last = marker.to_owned();
        }
    }
}

impl std::fmt::Debug for HostName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostName(<redacted>)")
    }
}

/// An Amazon order ready for the host: the order with names shaped, SKUs mapped and, for
/// FBA orders, the placeholder name and no address; plus the mapped words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostOrder {
    /// The seller account the order belongs to.
    pub account: AccountId,
    /// The order (the version is `order.last_updated_at`).
    pub order: Order,
    /// The host's words for it.
    pub mapped: MappedFields,
}

impl HostOrder {
    /// Replaces every piece of PII (buyer, recipient, gift messages, shaped customer
    /// name) with `marker`; amounts and items stay.
    pub fn redact_pii(&mut self, marker: &str) {
        self.order.redact_pii(marker);
        self.mapped.customer.redact(marker);
    }

    /// Whether every piece of PII is absent or equals `marker`.
    pub fn pii_is_redacted(&self, marker: &str) -> bool {
        let c = &self.mapped.customer;
        self.order.pii_is_redacted(marker)
            && (c.first.is_empty() || c.first == marker)
            && (c.last.is_empty() || c.last == marker)
    }
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum UpsertAction {
    /// The host did not have the order and created it.
    Created,
    /// The host had an older version and replaced it.
    Updated,
    /// The host already had this exact version; nothing changed.
    Unchanged,
    /// The host has a newer version; the incoming one was ignored (newer wins).
    Stale,
}

/// The result of accepting an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpsertOutcome {
    /// The host's id of the order (the same for every call with the same Amazon id).
    pub host_id: HostOrderId,
    /// What the call did.
    pub action: UpsertAction,
}

/// The host's view of an order it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostOrderRef {
    /// The host's id.
    pub host_id: HostOrderId,
    /// The Amazon version (`LastUpdateDate`) the host holds.
    #[serde(with = "time::serde::rfc3339")]
    pub last_updated_at: OffsetDateTime,
}

/// What became of a shipment the host reported.
///
/// Every result, [`Pending`](ShipmentResult::Pending) included, means the engine has taken
/// the shipment into its outbox: the host stops reporting it as ready until it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ShipmentResult {
    /// Taken into the outbox and not sent yet, or sent with an outcome still being
    /// settled (a retry after a transient error; an answer that was lost and is being
    /// verified). A final result follows.
    Pending {
        /// What it waits for, when there is something to say.
        note: Option<String>,
    },
    /// Amazon accepted the package.
    Confirmed {
        /// When the engine confirmed it.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// The engine refused to send it (unmapped carrier, empty tracking, ...). The host
    /// must fix the shipment; a changed shipment is reported again.
    Refused {
        /// Why.
        reason: String,
    },
    /// Held back for now (e.g. the ship date is in the future); it stays ready and will
    /// be sent once the reason is gone.
    Held {
        /// Why.
        reason: String,
        /// Until when, if known.
        #[serde(with = "time::serde::rfc3339::option")]
        until: Option<OffsetDateTime>,
    },
    /// Amazon rejected it.
    Rejected {
        /// Amazon's message.
        message: String,
    },
}

impl ShipmentResult {
    /// Whether the shipment is finished with (nothing more will be sent unless the host
    /// changes it).
    pub fn is_final(&self) -> bool {
        !matches!(
            self,
            ShipmentResult::Held { .. } | ShipmentResult::Pending { .. }
        )
    }
}

/// A cart or ERP that receives Amazon orders and reports shipments back.
///
/// Contract (checked by `conformance`):
/// - [`upsert_order`](OrderStore::upsert_order) is keyed by (account, Amazon order id):
///   one host order per key, whatever the number of calls, and the same `host_id` each
///   time;
/// - newer wins: an order whose `last_updated_at` is older than the held one is ignored
///   ([`UpsertAction::Stale`]), an equal one is [`UpsertAction::Unchanged`];
/// - once a call returns `Ok`, the order is durable;
/// - [`shipments_ready`](OrderStore::shipments_ready) returns packages with no result
///   recorded: new ones, and changed ones (changing a package clears its result);
/// - [`record_shipment_result`](OrderStore::record_shipment_result) applies only while the
///   package still has the content the result is about (a result for an older version of
///   a corrected package is ignored).
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// Creates or updates the order; returns the host's id.
    async fn upsert_order(&self, order: &HostOrder) -> Result<UpsertOutcome, StoreError>;

    /// Upserts a batch of orders (the engine passes one listing page at a time), with the
    /// contract of [`upsert_order`](Self::upsert_order) for each, and returns one result per
    /// order, in order: an order the host refuses is an `Err` in its slot. The outer `Err`
    /// means the whole batch failed (e.g. the host is down); the engine then retries
    /// every order of it later.
    ///
    /// The default calls `upsert_order` for each order. Adapters with transactions should
    /// override it to write the batch in one transaction: it is the import's hot path.
    async fn upsert_orders(
        &self,
        orders: &[HostOrder],
    ) -> Result<Vec<Result<UpsertOutcome, StoreError>>, StoreError> {
        let mut out = Vec::with_capacity(orders.len());
        for order in orders {
            match self.upsert_order(order).await {
                Err(StoreError::Unavailable(e)) => return Err(StoreError::Unavailable(e)),
                other => out.push(other),
            }
        }
        Ok(out)
    }

    /// The host's record of an Amazon order, if it has one.
    async fn find_order(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<Option<HostOrderRef>, StoreError>;

    /// Up to `limit` shipped packages with tracking and no result recorded yet, oldest
    /// first.
    async fn shipments_ready(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<HostShipment>, StoreError>;

    /// Records what became of `shipment` (as the host reported it). When the host's
    /// package no longer has this content (it was corrected since), nothing changes: the
    /// new content is reported again and gets its own result.
    async fn record_shipment_result(
        &self,
        account: &AccountId,
        shipment: &HostShipment,
        result: &ShipmentResult,
    ) -> Result<(), StoreError>;

    /// The buyer asked to cancel some lines of an order the host holds (the same request
    /// also arrives inside the order through [`upsert_order`](Self::upsert_order)). Called
    /// once per imported version that carries an open request; the default does nothing.
    async fn buyer_cancel_requested(
        &self,
        account: &AccountId,
        order: &Order,
    ) -> Result<(), StoreError> {
        let _ = (account, order);
        Ok(())
    }

    /// Replaces the buyer and recipient PII of the order with `marker`; amounts and items
    /// stay. Redacting an order twice, or one the host does not have, is not an error.
    async fn redact_pii(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
        marker: &str,
    ) -> Result<(), StoreError>;
}

/// Conveniences over any [`OrderStore`].
#[async_trait]
pub trait OrderStoreExt: OrderStore {
    /// Whether the host holds the order.
    async fn has_order(&self, account: &AccountId, id: &AmazonOrderId) -> Result<bool, StoreError> {
        Ok(self.find_order(account, id).await?.is_some())
    }
}

impl<T: OrderStore + ?Sized> OrderStoreExt for T {}

/// A request to a warehouse to fulfil a merchant-fulfilled order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FulfilmentRequest {
    /// The order, shaped for the host.
    pub order: HostOrder,
    /// The warehouse's shipping service, mapped from Amazon's service level.
    pub service: String,
}

/// A 3PL or WMS that fulfils merchant-fulfilled orders. Never receives FBA orders.
///
/// The same keying and newer-wins contract as [`OrderStore`] applies to
/// [`submit`](Warehouse::submit): a request for an order the warehouse already holds is an
/// update (e.g. a cancellation).
#[async_trait]
pub trait Warehouse: Send + Sync {
    /// Accepts (or updates) a fulfilment request; returns the warehouse's id for it.
    async fn submit(&self, request: &FulfilmentRequest) -> Result<UpsertOutcome, StoreError>;

    /// Up to `limit` packages the warehouse shipped with no result recorded yet, oldest
    /// first.
    async fn shipments_ready(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<HostShipment>, StoreError>;

    /// Records what became of `shipment`, with the contract of
    /// [`OrderStore::record_shipment_result`].
    async fn record_shipment_result(
        &self,
        account: &AccountId,
        shipment: &HostShipment,
        result: &ShipmentResult,
    ) -> Result<(), StoreError>;

    /// The buyer asked to cancel some lines of an order the warehouse holds: stop the pick
    /// if it has not shipped. Called once per imported version that carries an open
    /// request; the default does nothing.
    async fn buyer_cancel_requested(
        &self,
        account: &AccountId,
        order: &Order,
    ) -> Result<(), StoreError> {
        let _ = (account, order);
        Ok(())
    }

    /// Replaces the buyer and recipient PII of the order's fulfilment request with
    /// `marker`, like [`OrderStore::redact_pii`]. Redacting twice, or an order the
    /// warehouse does not have, is not an error.
    async fn redact_pii(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
        marker: &str,
    ) -> Result<(), StoreError>;
}

/// Conveniences over any [`Warehouse`].
#[async_trait]
pub trait WarehouseExt: Warehouse {
    /// Submits several requests in order, stopping at the first error.
    async fn submit_all(
        &self,
        requests: &[FulfilmentRequest],
    ) -> Result<Vec<UpsertOutcome>, StoreError> {
        let mut out = Vec::with_capacity(requests.len());
        for r in requests {
            out.push(self.submit(r).await?);
        }
        Ok(out)
    }
}

impl<T: Warehouse + ?Sized> WarehouseExt for T {}
