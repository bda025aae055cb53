//! Concurrent writers on one SQLite file: several stores (as separate processes would
//! be) and many tasks racing on the same orders, cursor and outbox entry.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use order_sync_core::error::StateError;
use order_sync_core::fixtures::{host_order, sample_order, shipment_for};
use order_sync_core::host::{OrderStore, UpsertAction};
use order_sync_core::ids::{AccountId, AmazonOrderId};
use order_sync_core::state::{
    Claim, Cursor, CursorAdvance, JobKind, Origin, OutboxKind, OutboxPayload, SyncState,
    SyncStateExt,
};
use store_adapters::sqlite::{SqliteConfig, SqliteStore};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);
const ORDERS: usize = 40;
const VERSIONS: i64 = 3;
const TASKS: usize = 6;

fn acct() -> AccountId {
    AccountId::new("seller-1")
}

fn order_id(i: usize) -> String {
    format!("222-{i:07}-0000001")
}

/// Two stores on one file, each with its own pool.
async fn two_stores(dir: &tempfile::TempDir) -> [Arc<SqliteStore>; 2] {
    let path = dir.path().join("shared.db");
    let config = SqliteConfig::default().max_connections(3);
    let a = SqliteStore::open_with(&path, config.clone()).await.unwrap();
    let b = SqliteStore::open_with(&path, config).await.unwrap();
    [Arc::new(a), Arc::new(b)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_upserts_keep_one_order_per_id_and_the_newest_version() {
    let dir = tempfile::tempdir().unwrap();
    let stores = two_stores(&dir).await;
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let store = stores[t % 2].clone();
        tasks.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            // Each task walks the orders and versions in its own order, so creates,
            // updates and stale writes interleave differently in every task.
            for k in 0..ORDERS * VERSIONS as usize {
                let i = (k * (2 * t + 1) + t) % ORDERS;
                let v = ((k / ORDERS) as i64 + t as i64) % VERSIONS;
                let mut order = sample_order(&order_id(i), T0 + Duration::minutes(v));
                order.ship_service_level = Some(format!("v{v}"));
                let out = store
                    .upsert_order(&host_order(&acct(), order))
                    .await
                    .expect("upsert under contention");
                outcomes.push((i, out));
            }
            outcomes
        }));
    }
    let mut created: BTreeMap<usize, usize> = BTreeMap::new();
    let mut host_ids: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for task in tasks {
        for (i, out) in task.await.unwrap() {
            if out.action == UpsertAction::Created {
                *created.entry(i).or_default() += 1;
            }
            host_ids
                .entry(i)
                .or_default()
                .insert(out.host_id.into_inner());
        }
    }
    assert_eq!(created.len(), ORDERS, "every order created");
    assert!(
        created.values().all(|&n| n == 1),
        "an order was created twice: {created:?}"
    );
    assert!(
        host_ids.values().all(|ids| ids.len() == 1),
        "one host id per order: {host_ids:?}"
    );
    let all_ids: BTreeSet<&String> = host_ids.values().flatten().collect();
    assert_eq!(all_ids.len(), ORDERS, "host ids are distinct");

    for store in &stores {
        assert_eq!(store.count_orders(&acct()).await.unwrap(), ORDERS as u64);
    }
    let newest = T0 + Duration::minutes(VERSIONS - 1);
    for held in stores[1].orders(&acct()).await.unwrap() {
        assert_eq!(held.order.last_updated_at, newest, "an older version won");
        assert_eq!(
            held.order.ship_service_level.as_deref(),
            Some(format!("v{}", VERSIONS - 1).as_str()),
            "the row and its version disagree"
        );
        assert_eq!(held.order.lines.len(), 2, "lines doubled or lost");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_one_racing_cursor_move_wins() {
    let dir = tempfile::tempdir().unwrap();
    let stores = two_stores(&dir).await;
    let mut tasks = Vec::new();
    for t in 0..8i64 {
        let store = stores[(t % 2) as usize].clone();
        tasks.push(tokio::spawn(async move {
            let at = T0 + Duration::minutes(t);
            let advance = CursorAdvance {
                expected: None,
                new: Cursor {
                    position: at,
                    updated_at: at,
                },
            };
            // Each move carries the order it covers: a loser must record nothing.
            let commit = order_sync_core::state::ImportCommit {
                entries: vec![entry(&order_id(t as usize), at)],
                cursor: Some((JobKind::ImportOrders, advance)),
                ..Default::default()
            };
            (t, store.commit_import(&acct(), &commit).await)
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            (t, Ok(())) => winners.push(t),
            (_, Err(StateError::CursorConflict { .. })) => {}
            (_, Err(e)) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let w = winners[0];
    let cursor = stores[0]
        .cursor(&acct(), JobKind::ImportOrders)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cursor.position, T0 + Duration::minutes(w));
    for t in 0..8 {
        let known = stores[1]
            .knows_order(&acct(), &AmazonOrderId::new(order_id(t)))
            .await
            .unwrap();
        assert_eq!(known, t as i64 == w, "order {t}");
    }
}

fn entry(id: &str, at: OffsetDateTime) -> order_sync_core::state::IdMapEntry {
    order_sync_core::state::IdMapEntry {
        amazon_order_id: AmazonOrderId::new(id),
        host_order_id: None,
        warehouse_id: None,
        marketplace: order_sync_core::ids::MarketplaceId::new("ATVPDKIKX0DER"),
        channel: order_mapping::vocab::FulfillmentChannel::Merchant,
        status: order_mapping::vocab::OrderStatus::Unshipped,
        last_updated_at: at,
        imported_at: at,
        pii_expires_at: None,
        redacted_at: None,
        cancel_requested: Vec::new(),
    }
}

/// Ten claimers on two connections pools (as two processes on one file would be) race
/// for one entry: exactly one wins the lease, the others see it busy.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_claims_have_exactly_one_winner() {
    let dir = tempfile::tempdir().unwrap();
    let stores = two_stores(&dir).await;
    let order = sample_order(&order_id(1), T0);
    let payload = OutboxPayload::Shipment(shipment_for(&order, "1", T0));
    stores[0]
        .outbox_offer(&acct(), &payload, Origin::Store, T0)
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for t in 0..10usize {
        let store = stores[t % 2].clone();
        let subject = payload.subject();
        tasks.push(tokio::spawn(async move {
            store
                .outbox_claim(
                    &acct(),
                    OutboxKind::Shipment,
                    &subject,
                    &format!("worker-{t}"),
                    T0,
                    T0 + Duration::minutes(2),
                )
                .await
                .unwrap()
        }));
    }
    let mut winners = 0;
    for task in tasks {
        match task.await.unwrap() {
            Claim::Claimed { .. } => winners += 1,
            Claim::Busy { .. } => {}
            other => panic!("unexpected claim {other:?}"),
        }
    }
    assert_eq!(winners, 1, "exactly one claimer may hold the lease");
    let held = stores[1]
        .outbox_get(&acct(), OutboxKind::Shipment, &payload.subject())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(held.attempts, 1);
}

#[tokio::test]
async fn a_writer_locked_out_past_the_busy_timeout_gets_a_retryable_error() {
    use order_sync_core::error::{ErrorKind, StoreError};
    use sqlx::Connection;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.db");
    let config = SqliteConfig::default().busy_timeout(std::time::Duration::from_millis(50));
    let db = SqliteStore::open_with(&path, config).await.unwrap();
    // Another process holds the write lock.
    let url = format!("sqlite://{}", path.display());
    let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    let order = host_order(&acct(), sample_order(&order_id(7), T0));
    let err = db.upsert_order(&order).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Transient);
    let err = db
        .commit_import(
            &acct(),
            &order_sync_core::state::ImportCommit {
                entries: vec![entry(&order_id(7), T0)],
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.kind().is_retryable(), "{err:?}");
    // Readers are not blocked by a writer (WAL).
    assert_eq!(db.count_orders(&acct()).await.unwrap(), 0);
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    other.close().await.unwrap();
    assert_eq!(
        db.upsert_order(&order).await.unwrap().action,
        UpsertAction::Created
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redaction_does_not_wait_for_a_reader_to_erase_the_wal() {
    use sqlx::Connection;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reader.db");
    // A long busy timeout: a redaction that waited for the reader would hang.
    let config = SqliteConfig::default().busy_timeout(std::time::Duration::from_secs(60));
    let db = SqliteStore::open_with(&path, config).await.unwrap();
    let order = host_order(&acct(), sample_order(&order_id(8), T0));
    db.upsert_order(&order).await.unwrap();
    // A reader holds an old snapshot (a report running, another process).
    let url = format!("sqlite://{}", path.display());
    let mut reader = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut reader).await.unwrap();
    let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(&mut reader)
        .await
        .unwrap();
    let account = acct();
    let redact = db.redact_pii(&account, &order.order.id, "Amazon Replaced");
    tokio::time::timeout(std::time::Duration::from_secs(10), redact)
        .await
        .expect("redaction waited for the reader")
        .unwrap();
    let held = db.order(&acct(), &order.order.id).await.unwrap().unwrap();
    assert!(held.pii_is_redacted("Amazon Replaced"));
    // Once the reader is gone, a checkpoint completes and the WAL is emptied.
    sqlx::query("ROLLBACK").execute(&mut reader).await.unwrap();
    reader.close().await.unwrap();
    assert!(db.checkpoint().await.unwrap());
    let wal = std::fs::metadata(path.with_extension("db-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert_eq!(wal, 0, "the WAL still holds pages");
}
