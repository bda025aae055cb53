//! The shared conformance suite against the SQLite store, each on a fresh file.

use async_trait::async_trait;
use order_sync_core::conformance::{self, StoreHarness};
use order_sync_core::host::{HostOrder, OrderStore};
use order_sync_core::ids::{AccountId, AmazonOrderId};
use order_sync_core::model::HostShipment;
use store_adapters::sqlite::SqliteStore;
use tempfile::TempDir;

/// A store in a fresh file; the directory lives as long as the harness.
struct Harness {
    store: SqliteStore,
    _dir: TempDir,
}

impl Harness {
    async fn fresh() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path().join("store.db"))
            .await
            .expect("open");
        Self { store, _dir: dir }
    }
}

#[async_trait]
impl StoreHarness for Harness {
    fn store(&self) -> &dyn OrderStore {
        &self.store
    }

    async fn stored_order(&self, account: &AccountId, id: &AmazonOrderId) -> Option<HostOrder> {
        self.store.order(account, id).await.expect("read order")
    }

    async fn add_shipment(&self, account: &AccountId, shipment: HostShipment) {
        self.store.ship(account, &shipment).await.expect("ship");
    }
}

#[tokio::test]
async fn sqlite_file_passes_the_whole_suite_on_one_file() {
    let h = Harness::fresh().await;
    conformance::run_all(&h, &h.store).await;
}

#[tokio::test]
async fn sqlite_in_memory_passes_the_whole_suite() {
    let store = SqliteStore::open_in_memory().await.expect("open");
    struct Mem(SqliteStore);
    #[async_trait]
    impl StoreHarness for Mem {
        fn store(&self) -> &dyn OrderStore {
            &self.0
        }
        async fn stored_order(&self, a: &AccountId, id: &AmazonOrderId) -> Option<HostOrder> {
            self.0.order(a, id).await.expect("read order")
        }
        async fn add_shipment(&self, a: &AccountId, s: HostShipment) {
            self.0.ship(a, &s).await.expect("ship");
        }
    }
    let h = Mem(store.clone());
    conformance::run_all(&h, &store).await;
}

macro_rules! store_checks {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let h = Harness::fresh().await;
            conformance::$name(&h).await;
        }
    )*};
}

macro_rules! state_checks {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let h = Harness::fresh().await;
            conformance::$name(&h.store).await;
        }
    )*};
}

store_checks!(
    upsert_is_idempotent,
    newer_wins,
    accounts_are_isolated,
    shipments_ready_until_final,
    redaction_keeps_totals,
    batch_upsert_matches_single,
);

state_checks!(
    cursor_compare_and_set,
    commit_is_atomic,
    id_map_newer_wins,
    id_map_get_many_returns_known,
    parked_retry,
    outbox_offer_versions,
    outbox_lease_has_one_holder,
    outbox_racing_claims_one_winner,
    outbox_release_owner_frees_its_leases,
    outbox_finish_and_due,
    run_lock_one_holder,
    cancel_requests_listed,
    redaction_due,
    run_reports_listed,
);
