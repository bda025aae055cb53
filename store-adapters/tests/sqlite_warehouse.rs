//! The warehouse kept in the SQLite file: its requests and shipments apart from the
//! store's, newer wins, redaction, persistence.

use order_sync_core::fixtures::{host_order, sample_order};
use order_sync_core::host::{
    FulfilmentRequest, OrderStore, ShipmentResult, UpsertAction, Warehouse,
};
use order_sync_core::ids::AccountId;
use store_adapters::sqlite::{ShippedPackage, SqliteStore};
use time::Duration;
use time::macros::datetime;

const T0: time::OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

fn acct() -> AccountId {
    AccountId::new("seller-1")
}

fn request(id: &str, at: time::OffsetDateTime, service: &str) -> FulfilmentRequest {
    FulfilmentRequest {
        order: host_order(&acct(), sample_order(id, at)),
        service: service.into(),
    }
}

#[tokio::test]
async fn requests_follow_newer_wins_and_round_trip() {
    let db = SqliteStore::open_in_memory().await.unwrap();
    let wh = db.warehouse();
    let v1 = request("444-0000001-0000001", T0, "Ground");
    let created = wh.submit(&v1).await.unwrap();
    assert_eq!(created.action, UpsertAction::Created);
    assert_eq!(
        wh.submit(&v1).await.unwrap().action,
        UpsertAction::Unchanged
    );
    let v2 = request("444-0000001-0000001", T0 + Duration::hours(1), "NextDay");
    let updated = wh.submit(&v2).await.unwrap();
    assert_eq!(updated.action, UpsertAction::Updated);
    assert_eq!(updated.host_id, created.host_id);
    assert_eq!(wh.submit(&v1).await.unwrap().action, UpsertAction::Stale);
    let held = wh.request(&acct(), &v1.order.order.id).await.unwrap();
    assert_eq!(held, Some(v2.clone()), "the newer request with its service");
    assert_eq!(wh.requests(&acct()).await.unwrap(), vec![v2]);
    assert_eq!(wh.count_requests(&acct()).await.unwrap(), 1);
    let found = wh
        .find_request(&acct(), &v1.order.order.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.host_id, created.host_id);
}

#[tokio::test]
async fn store_and_warehouse_are_apart_in_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let db = SqliteStore::open(&path).await.unwrap();
    let wh = db.warehouse();
    let req = request("444-0000002-0000001", T0, "Ground");
    let id = req.order.order.id.clone();
    let in_wh = wh.submit(&req).await.unwrap();
    assert!(db.order(&acct(), &id).await.unwrap().is_none());
    assert_eq!(db.count_orders(&acct()).await.unwrap(), 0);
    let in_store = db.upsert_order(&req.order).await.unwrap();
    assert_eq!(in_store.action, UpsertAction::Created, "a separate copy");
    assert_ne!(in_store.host_id, in_wh.host_id);

    // The warehouse ships; only the warehouse reports it.
    let pkg = wh
        .mark_shipped(&acct(), &id, ShippedPackage::new("UPS", "1Z-WH", T0))
        .await
        .unwrap();
    assert_eq!(pkg.as_str(), "1");
    let ready = Warehouse::shipments_ready(&wh, &acct(), 10).await.unwrap();
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0].tracking_number, "1Z-WH");
    assert!(
        OrderStore::shipments_ready(&db, &acct(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    Warehouse::record_shipment_result(
        &wh,
        &acct(),
        &ready[0],
        &ShipmentResult::Confirmed { at: T0 },
    )
    .await
    .unwrap();
    assert!(
        Warehouse::shipments_ready(&wh, &acct(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        wh.shipment_result(&acct(), &id, &pkg).await.unwrap(),
        Some(ShipmentResult::Confirmed { at: T0 })
    );
    // The store's copy can ship its own package 1 independently.
    let store_pkg = db
        .mark_shipped(&acct(), &id, ShippedPackage::new("USPS", "94-ST", T0))
        .await
        .unwrap();
    assert_eq!(store_pkg.as_str(), "1");
    assert_eq!(
        db.shipment_result(&acct(), &id, &store_pkg).await.unwrap(),
        None
    );

    // Redaction reaches only the copy it is asked for.
    Warehouse::redact_pii(&wh, &acct(), &id, "Amazon Replaced")
        .await
        .unwrap();
    let held = wh.request(&acct(), &id).await.unwrap().unwrap();
    assert!(held.order.pii_is_redacted("Amazon Replaced"));
    assert_eq!(held.order.order.totals, req.order.order.totals);
    let store_copy = db.order(&acct(), &id).await.unwrap().unwrap();
    assert!(!store_copy.pii_is_redacted("Amazon Replaced"));
    OrderStore::redact_pii(&db, &acct(), &id, "Amazon Replaced")
        .await
        .unwrap();
    assert!(
        db.order(&acct(), &id)
            .await
            .unwrap()
            .unwrap()
            .pii_is_redacted("Amazon Replaced")
    );

    // Everything survives a reopen.
    db.close().await;
    let db = SqliteStore::open(&path).await.unwrap();
    let wh = db.warehouse();
    assert_eq!(wh.count_requests(&acct()).await.unwrap(), 1);
    assert_eq!(
        wh.shipment_result(&acct(), &id, &pkg).await.unwrap(),
        Some(ShipmentResult::Confirmed { at: T0 })
    );
}

#[tokio::test]
async fn a_batch_of_requests_is_one_transaction() {
    let db = SqliteStore::open_in_memory().await.unwrap();
    let wh = db.warehouse();
    let a = request("444-0000003-0000001", T0, "Ground");
    let b = request("444-0000003-0000002", T0, "Ground");
    let out = wh.submit_batch(&[a.clone(), b, a]).await.unwrap();
    let actions: Vec<UpsertAction> = out.into_iter().map(|r| r.unwrap().action).collect();
    assert_eq!(
        actions,
        vec![
            UpsertAction::Created,
            UpsertAction::Created,
            UpsertAction::Unchanged
        ]
    );
    assert_eq!(wh.count_requests(&acct()).await.unwrap(), 2);
}

/// The warehouse seen as an order store (submit = upsert), so the store half of the
/// conformance suite runs against it too.
struct AsStore(store_adapters::sqlite::SqliteWarehouse);

#[async_trait::async_trait]
impl OrderStore for AsStore {
    async fn upsert_order(
        &self,
        order: &order_sync_core::host::HostOrder,
    ) -> Result<order_sync_core::host::UpsertOutcome, order_sync_core::error::StoreError> {
        self.0
            .submit(&FulfilmentRequest {
                order: order.clone(),
                service: "Ground".into(),
            })
            .await
    }

    async fn upsert_orders(
        &self,
        orders: &[order_sync_core::host::HostOrder],
    ) -> Result<
        Vec<Result<order_sync_core::host::UpsertOutcome, order_sync_core::error::StoreError>>,
        order_sync_core::error::StoreError,
    > {
        let requests: Vec<FulfilmentRequest> = orders
            .iter()
            .map(|o| FulfilmentRequest {
                order: o.clone(),
                service: "Ground".into(),
            })
            .collect();
        self.0.submit_batch(&requests).await
    }

    async fn find_order(
        &self,
        account: &AccountId,
        id: &order_sync_core::ids::AmazonOrderId,
    ) -> Result<Option<order_sync_core::host::HostOrderRef>, order_sync_core::error::StoreError>
    {
        self.0.find_request(account, id).await
    }

    async fn shipments_ready(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<order_sync_core::model::HostShipment>, order_sync_core::error::StoreError> {
        Warehouse::shipments_ready(&self.0, account, limit).await
    }

    async fn record_shipment_result(
        &self,
        account: &AccountId,
        shipment: &order_sync_core::model::HostShipment,
        result: &ShipmentResult,
    ) -> Result<(), order_sync_core::error::StoreError> {
        Warehouse::record_shipment_result(&self.0, account, shipment, result).await
    }

    async fn redact_pii(
        &self,
        account: &AccountId,
        id: &order_sync_core::ids::AmazonOrderId,
        marker: &str,
    ) -> Result<(), order_sync_core::error::StoreError> {
        Warehouse::redact_pii(&self.0, account, id, marker).await
    }
}

#[async_trait::async_trait]
impl order_sync_core::conformance::StoreHarness for AsStore {
    fn store(&self) -> &dyn OrderStore {
        self
    }

    async fn stored_order(
        &self,
        account: &AccountId,
        id: &order_sync_core::ids::AmazonOrderId,
    ) -> Option<order_sync_core::host::HostOrder> {
        self.0
            .request(account, id)
            .await
            .expect("read request")
            .map(|r| r.order)
    }

    async fn add_shipment(
        &self,
        account: &AccountId,
        shipment: order_sync_core::model::HostShipment,
    ) {
        self.0.ship(account, &shipment).await.expect("ship");
    }
}

#[tokio::test]
async fn the_warehouse_passes_the_store_half_of_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let db = SqliteStore::open(dir.path().join("wh.db")).await.unwrap();
    order_sync_core::conformance::run_all_store(&AsStore(db.warehouse())).await;
    // The store itself saw none of it.
    for name in ["idem", "newer", "ship", "redact", "batch"] {
        let account = AccountId::new(format!("conformance-{name}"));
        assert_eq!(db.count_orders(&account).await.unwrap(), 0);
    }
}
