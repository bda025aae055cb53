//! The warehouse (3PL) in the same SQLite file: fulfilment requests and the packages the
//! warehouse ships.

use async_trait::async_trait;

use order_sync_core::error::StoreError;
use order_sync_core::host::{
    FulfilmentRequest, HostOrder, HostOrderRef, ShipmentResult, UpsertOutcome, Warehouse,
};
use order_sync_core::ids::{AccountId, AmazonOrderId, PackageRef};
use order_sync_core::model::HostShipment;

use super::orders::{Filter, Kind};
use super::{ShippedPackage, SqliteStore};

/// A warehouse (3PL, WMS) kept in a [`SqliteStore`]'s file, from
/// [`SqliteStore::warehouse`]: it receives fulfilment requests for merchant-fulfilled
/// orders ([`Warehouse::submit`], newer wins as for the store) and reports the packages
/// it ships ([`mark_shipped`](Self::mark_shipped), then
/// [`Warehouse::shipments_ready`]).
///
/// Its requests and shipments are apart from the store's: the same Amazon order can be
/// in both, with different host ids. PII of its requests sits in the same `order_pii`
/// table, sealed by the same cipher, and [`Warehouse::redact_pii`] replaces it in one
/// statement, as the store does.
#[derive(Debug, Clone)]
pub struct SqliteWarehouse {
    pub(super) store: SqliteStore,
}

impl SqliteWarehouse {
    /// The fulfilment request the warehouse holds for an order.
    pub async fn request(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<Option<FulfilmentRequest>, StoreError> {
        let mut v = self
            .store
            .h_load(Filter::One(Kind::Warehouse, account, id))
            .await?;
        Ok(v.pop().map(|l| FulfilmentRequest {
            order: l.order,
            service: l.service.unwrap_or_default(),
        }))
    }

    /// Every request of an account, sorted by Amazon order id.
    pub async fn requests(
        &self,
        account: &AccountId,
    ) -> Result<Vec<FulfilmentRequest>, StoreError> {
        let v = self
            .store
            .h_load(Filter::Account(Kind::Warehouse, account))
            .await?;
        Ok(v.into_iter()
            .map(|l| FulfilmentRequest {
                order: l.order,
                service: l.service.unwrap_or_default(),
            })
            .collect())
    }

    /// How many requests the warehouse holds for an account.
    pub async fn count_requests(&self, account: &AccountId) -> Result<u64, StoreError> {
        self.store.h_count(Kind::Warehouse, account).await
    }

    /// Records a package as shipped by the warehouse; see [`SqliteStore::ship`].
    pub async fn ship(
        &self,
        account: &AccountId,
        shipment: &HostShipment,
    ) -> Result<(), StoreError> {
        self.store.h_ship(Kind::Warehouse, account, shipment).await
    }

    /// Records a package of a request as shipped under the next free package reference;
    /// see [`SqliteStore::mark_shipped`].
    pub async fn mark_shipped(
        &self,
        account: &AccountId,
        order: &AmazonOrderId,
        package: ShippedPackage,
    ) -> Result<PackageRef, StoreError> {
        self.store
            .h_mark_shipped(Kind::Warehouse, account, order, package)
            .await
    }

    /// What the engine recorded for a package the warehouse shipped.
    pub async fn shipment_result(
        &self,
        account: &AccountId,
        order: &AmazonOrderId,
        package: &PackageRef,
    ) -> Result<Option<ShipmentResult>, StoreError> {
        self.store
            .h_result(Kind::Warehouse, account, order, package)
            .await
    }

    /// The warehouse's record of an order, if it has one.
    pub async fn find_request(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<Option<HostOrderRef>, StoreError> {
        self.store.h_find(Kind::Warehouse, account, id).await
    }

    /// Submits several requests in one transaction, with the batch semantics of
    /// [`OrderStore::upsert_orders`](order_sync_core::host::OrderStore::upsert_orders)
    /// on [`SqliteStore`].
    pub async fn submit_batch(
        &self,
        requests: &[FulfilmentRequest],
    ) -> Result<Vec<Result<UpsertOutcome, StoreError>>, StoreError> {
        let batch: Vec<(&HostOrder, Option<&str>)> = requests
            .iter()
            .map(|r| (&r.order, Some(r.service.as_str())))
            .collect();
        self.store.h_upsert_batch(Kind::Warehouse, &batch).await
    }
}

#[async_trait]
impl Warehouse for SqliteWarehouse {
    async fn submit(&self, request: &FulfilmentRequest) -> Result<UpsertOutcome, StoreError> {
        self.store
            .h_upsert(Kind::Warehouse, &request.order, Some(&request.service))
            .await
    }

    async fn shipments_ready(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<HostShipment>, StoreError> {
        self.store.h_ready(Kind::Warehouse, account, limit).await
    }

    async fn record_shipment_result(
        &self,
        account: &AccountId,
        shipment: &HostShipment,
        result: &ShipmentResult,
    ) -> Result<(), StoreError> {
        self.store
            .h_record(Kind::Warehouse, account, shipment, result)
            .await
    }

    async fn redact_pii(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
        marker: &str,
    ) -> Result<(), StoreError> {
        self.store
            .h_redact(Kind::Warehouse, account, id, marker)
            .await
    }
}
