//! The shared conformance suite against the in-memory store and state.

use async_trait::async_trait;
use order_sync_core::conformance::{self, StoreHarness};
use order_sync_core::host::{HostOrder, OrderStore};
use order_sync_core::ids::{AccountId, AmazonOrderId};
use order_sync_core::model::HostShipment;
use store_adapters::memory::{MemoryState, MemoryStore};

struct Harness(MemoryStore);

#[async_trait]
impl StoreHarness for Harness {
    fn store(&self) -> &dyn OrderStore {
        &self.0
    }

    async fn stored_order(&self, account: &AccountId, id: &AmazonOrderId) -> Option<HostOrder> {
        self.0.order(account, id)
    }

    async fn add_shipment(&self, account: &AccountId, shipment: HostShipment) {
        self.0.ship(account, shipment);
    }
}

#[tokio::test]
async fn memory_passes_the_whole_suite() {
    conformance::run_all(&Harness(MemoryStore::new()), &MemoryState::new()).await;
}

#[tokio::test]
async fn each_check_passes_on_a_fresh_instance() {
    let h = || Harness(MemoryStore::new());
    conformance::upsert_is_idempotent(&h()).await;
    conformance::newer_wins(&h()).await;
    conformance::accounts_are_isolated(&h()).await;
    conformance::shipments_ready_until_final(&h()).await;
    conformance::redaction_keeps_totals(&h()).await;
    conformance::batch_upsert_matches_single(&h()).await;
    let s = MemoryState::new;
    conformance::cursor_compare_and_set(&s()).await;
    conformance::commit_is_atomic(&s()).await;
    conformance::id_map_newer_wins(&s()).await;
    conformance::id_map_get_many_returns_known(&s()).await;
    conformance::parked_retry(&s()).await;
    conformance::outbox_offer_versions(&s()).await;
    conformance::outbox_lease_has_one_holder(&s()).await;
    conformance::outbox_racing_claims_one_winner(&s()).await;
    conformance::outbox_release_owner_frees_its_leases(&s()).await;
    conformance::outbox_finish_and_due(&s()).await;
    conformance::run_lock_one_holder(&s()).await;
    conformance::cancel_requests_listed(&s()).await;
    conformance::redaction_due(&s()).await;
    conformance::run_reports_listed(&s()).await;
}
