//! The worked example of `docs/writing-an-adapter.md`: a small order store for a cart,
//! passing the engine's conformance suite and taking part in a real sync.
//!
//! The "cart" keeps its orders in a map guarded by a mutex, as a stand-in for your own
//! database; each trait method says what the real one would do.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use order_sync_core::conformance::{self, StoreHarness};
use order_sync_core::error::StoreError;
use order_sync_core::host::{
    HostOrder, HostOrderRef, OrderStore, ShipmentResult, UpsertAction, UpsertOutcome,
};
use order_sync_core::model::HostShipment;
use order_sync_core::{AccountId, AmazonOrderId, HostOrderId};

/// One cart order row: the cart's own id and the order as the engine shaped it.
struct Row {
    cart_id: u64,
    order: HostOrder,
}

/// One package the cart shipped, with what became of it.
struct ShipmentRow {
    account: AccountId,
    shipment: HostShipment,
    result: Option<ShipmentResult>,
}

#[derive(Default)]
struct Tables {
    next_id: u64,
    orders: BTreeMap<(AccountId, AmazonOrderId), Row>,
    shipments: Vec<ShipmentRow>,
}

/// The adapter: your cart, seen through the engine's `OrderStore` trait.
#[derive(Default)]
pub struct ToyCart {
    db: Mutex<Tables>,
}

impl ToyCart {
    fn db(&self) -> Result<MutexGuard<'_, Tables>, StoreError> {
        // A real adapter maps its driver's connection errors to `Unavailable`: the engine
        // then stops the run without moving any cursor and tries again next time.
        self.db
            .lock()
            .map_err(|_| StoreError::unavailable("cart database lock poisoned"))
    }

    /// What the cart's "mark shipped" screen does: record a package with tracking. Saving
    /// the same package again (a correction) replaces its row and clears its result, so the
    /// engine offers the corrected package again.
    pub fn ship(&self, account: &AccountId, shipment: HostShipment) {
        if let Ok(mut db) = self.db() {
            let row = ShipmentRow {
                account: account.clone(),
                shipment,
                result: None,
            };
            let same = |r: &ShipmentRow| {
                r.account == row.account
                    && r.shipment.amazon_order_id == row.shipment.amazon_order_id
                    && r.shipment.package == row.shipment.package
            };
            match db.shipments.iter_mut().find(|r| same(r)) {
                Some(existing) => *existing = row,
                None => db.shipments.push(row),
            }
        }
    }

    /// The order as the cart holds it.
    pub fn order(&self, account: &AccountId, id: &AmazonOrderId) -> Option<HostOrder> {
        let db = self.db().ok()?;
        db.orders
            .get(&(account.clone(), id.clone()))
            .map(|r| r.order.clone())
    }
}

#[async_trait]
impl OrderStore for ToyCart {
    async fn upsert_order(&self, order: &HostOrder) -> Result<UpsertOutcome, StoreError> {
        // In SQL: INSERT .. ON CONFLICT (account, amazon_order_id) DO NOTHING, then
        // UPDATE .. WHERE last_updated_at < ?, in one transaction.
        let mut db = self.db()?;
        let key = (order.account.clone(), order.order.id.clone());
        if let Some(row) = db.orders.get_mut(&key) {
            let held = row.order.order.last_updated_at;
            let incoming = order.order.last_updated_at;
            let action = if incoming > held {
                row.order = order.clone();
                UpsertAction::Updated
            } else if incoming == held {
                UpsertAction::Unchanged
            } else {
                // Newer wins: an older version never overwrites a newer one.
                UpsertAction::Stale
            };
            return Ok(UpsertOutcome {
                host_id: HostOrderId::new(row.cart_id.to_string()),
                action,
            });
        }
        db.next_id += 1;
        let cart_id = db.next_id;
        db.orders.insert(
            key,
            Row {
                cart_id,
                order: order.clone(),
            },
        );
        Ok(UpsertOutcome {
            host_id: HostOrderId::new(cart_id.to_string()),
            action: UpsertAction::Created,
        })
    }

    async fn find_order(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<Option<HostOrderRef>, StoreError> {
        let db = self.db()?;
        Ok(db
            .orders
            .get(&(account.clone(), id.clone()))
            .map(|r| HostOrderRef {
                host_id: HostOrderId::new(r.cart_id.to_string()),
                last_updated_at: r.order.order.last_updated_at,
            }))
    }

    async fn shipments_ready(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<HostShipment>, StoreError> {
        // Packages with tracking the engine has not taken yet: no result recorded. (A
        // correction replaces the row, clearing its result, so it is offered again.)
        let db = self.db()?;
        Ok(db
            .shipments
            .iter()
            .filter(|s| &s.account == account)
            .filter(|s| s.result.is_none())
            .take(limit)
            .map(|s| s.shipment.clone())
            .collect())
    }

    async fn record_shipment_result(
        &self,
        account: &AccountId,
        shipment: &HostShipment,
        result: &ShipmentResult,
    ) -> Result<(), StoreError> {
        // A real cart would also show refusals to the merchant ("carrier not mapped").
        let (order, package) = (&shipment.amazon_order_id, &shipment.package);
        let mut db = self.db()?;
        let row = db.shipments.iter_mut().find(|s| {
            &s.account == account
                && &s.shipment.amazon_order_id == order
                && &s.shipment.package == package
        });
        match row {
            // The merchant corrected the package since: this result is about old content.
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

    async fn redact_pii(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
        marker: &str,
    ) -> Result<(), StoreError> {
        // Replace names, addresses, e-mail and gift messages; keep amounts and items.
        let mut db = self.db()?;
        if let Some(row) = db.orders.get_mut(&(account.clone(), id.clone())) {
            row.order.redact_pii(marker);
        }
        Ok(())
    }
}

/// The conformance suite drives the store through this harness.
struct Harness(Arc<ToyCart>);

#[async_trait]
impl StoreHarness for Harness {
    fn store(&self) -> &dyn OrderStore {
        &*self.0
    }

    async fn stored_order(&self, account: &AccountId, id: &AmazonOrderId) -> Option<HostOrder> {
        self.0.order(account, id)
    }

    async fn add_shipment(&self, account: &AccountId, shipment: HostShipment) {
        self.0.ship(account, shipment);
    }
}

#[tokio::test]
async fn toy_cart_passes_the_conformance_suite() {
    conformance::run_all_store(&Harness(Arc::new(ToyCart::default()))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toy_cart_syncs_with_the_sandbox() {
    use amazon_sandbox::{Sandbox, SandboxConfig};
    use order_mapping::{Mapper, MappingConfig};
    use order_sync_core::MarketplaceId;
    use order_sync_core::config::AccountConfig;
    use order_sync_core::engine::{Account, Engine};
    use order_sync_core::report::RunOutcome;
    use order_sync_core::shutdown::Shutdown;
    use order_sync_core::spapi::{ReadApi, SpApiAmazon};
    use order_sync_core::state::JobKind;
    use secrecy::SecretString;
    use spapi_client::{Client, LwaCredentials};
    use store_adapters::memory::MemoryState;

    let mut cfg = SandboxConfig::default();
    cfg.initial_orders = 60;
    cfg.orders_per_hour = 0.0;
    let sandbox = Sandbox::start(cfg).await.unwrap();
    let creds = sandbox.credentials();
    let client = Client::builder()
        .credentials(LwaCredentials {
            client_id: creds.client_id.clone(),
            client_secret: SecretString::from(creds.client_secret.clone()),
            refresh_token: SecretString::from(creds.refresh_token.clone()),
        })
        .endpoint(sandbox.base_url())
        .lwa_endpoint(sandbox.lwa_url())
        .build()
        .unwrap();
    let amazon = SpApiAmazon::new(client, ReadApi::V2026, creds.marketplace_ids.clone());

    let cart = Arc::new(ToyCart::default());
    let engine = Engine::builder(Arc::new(MemoryState::new()))
        .store(cart.clone())
        .build()
        .unwrap();
    let mut config = AccountConfig::new("toy", sandbox.now() - time::Duration::days(15));
    config.marketplaces = creds
        .marketplace_ids
        .iter()
        .map(|m| MarketplaceId::new(m.as_str()))
        .collect();
    config.import.max_window = time::Duration::days(30);
    let account = Account::new(
        config,
        Arc::new(amazon),
        Arc::new(Mapper::new(MappingConfig::default()).unwrap()),
    );
    let report = engine
        .run(&account, JobKind::ImportOrders, &Shutdown::never())
        .await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{:?}", report.errors);
    assert!(report.counts.created > 0);
    let fbm = sandbox
        .orders()
        .iter()
        .filter(|o| !o.amazon_fulfilled)
        .count() as u64;
    assert!(
        report.counts.created <= fbm,
        "FBA orders stay out unless asked"
    );
    sandbox.shutdown().await;
}
