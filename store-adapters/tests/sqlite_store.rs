//! The SQLite store beyond the conformance suite: exact round trips, persistence across
//! reopen, migrations, the host API (`mark_shipped` and queries), failed writes leaving
//! the previous state intact, and PII kept in one table.

use std::path::Path;
use std::sync::Arc;

use order_mapping::vocab::{FulfillmentChannel, OrderProgram, OrderStatus};
use order_sync_core::error::{StateError, StoreError};
use order_sync_core::fixtures::{host_order, sample_order, shipment_for};
use order_sync_core::host::Warehouse;
use order_sync_core::host::{HostOrder, OrderStore, ShipmentResult, UpsertAction};
use order_sync_core::ids::{AccountId, AmazonOrderId, HostOrderId, MarketplaceId, PackageRef};
use order_sync_core::model::{Package, PackageItem};
use order_sync_core::money::Money;
use order_sync_core::report::{RunOutcome, RunReport};
use order_sync_core::state::{
    Cursor, CursorAdvance, IdMapEntry, ImportCommit, JobKind, SyncState, SyncStateExt,
};
use rust_decimal::Decimal;
use store_adapters::sqlite::{
    PiiCipher, PiiCipherError, ShippedPackage, SqliteConfig, SqliteError, SqliteStore, XChaChaPii,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

fn acct() -> AccountId {
    AccountId::new("seller-1")
}

async fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path).await.expect("open")
}

fn entry(id: &str, at: OffsetDateTime) -> IdMapEntry {
    IdMapEntry {
        amazon_order_id: AmazonOrderId::new(id),
        host_order_id: Some(HostOrderId::new("1")),
        warehouse_id: None,
        marketplace: MarketplaceId::new("ATVPDKIKX0DER"),
        channel: FulfillmentChannel::Merchant,
        status: OrderStatus::Unshipped,
        last_updated_at: at,
        imported_at: at,
        cancel_requested: Vec::new(),
        pii_expires_at: None,
        redacted_at: None,
    }
}

/// An FBA order with no PII, no lines, programs, Amazon packages and odd amounts.
fn unusual_order() -> HostOrder {
    let mut o = sample_order("111-0000000-0000002", T0);
    o.channel = FulfillmentChannel::Amazon;
    o.status = OrderStatus::Other("SOMETHING_NEW".into());
    o.buyer = None;
    o.recipient = None;
    o.ship_by = None;
    o.deliver_by = Some(order_sync_core::model::DateWindow {
        earliest: None,
        latest: None,
    });
    o.delivered_at = Some(datetime!(2026-06-05 08:30:15.123456789 UTC));
    o.lines.clear();
    o.programs = vec![
        OrderProgram::Prime,
        OrderProgram::Other("NEW_PROGRAM".into()),
    ];
    o.totals.order_total = Some(Money::new(Decimal::new(1_000_000_001, 8), "JPY"));
    o.totals.discounts = Some(Money::new(Decimal::new(-5, 0), "JPY"));
    o.payment.method = None;
    o.packages = vec![Package {
        reference: PackageRef::new("7"),
        carrier: Some("UPS".into()),
        tracking_number: Some("1Z".into()),
        shipped_at: Some(T0),
        items: vec![PackageItem {
            item_id: "x".into(),
            quantity: 1,
        }],
    }];
    let mut h = host_order(&acct(), o);
    h.mapped.customer.first = String::new();
    h.mapped.payment = Some("Amazon".into());
    h
}

#[tokio::test]
async fn orders_round_trip_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir.path().join("s.db")).await;
    let full = host_order(&acct(), sample_order("111-0000000-0000001", T0));
    let odd = unusual_order();
    for h in [&full, &odd] {
        let out = db.upsert_order(h).await.unwrap();
        assert_eq!(out.action, UpsertAction::Created);
        let back = db
            .order(&h.account, &h.order.id)
            .await
            .unwrap()
            .expect("stored");
        assert_eq!(&back, h, "round trip changed the order");
    }
    let all = db.orders(&acct()).await.unwrap();
    assert_eq!(all, vec![full.clone(), odd.clone()], "sorted by Amazon id");
    // Money keeps its scale as written.
    let back = db.order(&acct(), &full.order.id).await.unwrap().unwrap();
    let price = back.order.lines[0].line_price.as_ref().unwrap();
    assert_eq!(price.amount.to_string(), "39.98");
}

#[tokio::test]
async fn reopen_after_close_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let order = host_order(&acct(), sample_order("111-0000001-0000001", T0));
    let host_id = {
        let db = open(&path).await;
        let out = db.upsert_order(&order).await.unwrap();
        db.mark_shipped(
            &acct(),
            &order.order.id,
            ShippedPackage::new("UPS", "1Z1", T0 + Duration::hours(2)),
        )
        .await
        .unwrap();
        let commit = ImportCommit {
            entries: vec![entry("111-0000001-0000001", T0)],
            cursor: Some((
                JobKind::ImportOrders,
                CursorAdvance {
                    expected: None,
                    new: Cursor {
                        position: T0,
                        updated_at: T0,
                    },
                },
            )),
            ..Default::default()
        };
        db.commit_import(&acct(), &commit).await.unwrap();
        db.record_run(&RunReport::start(acct(), JobKind::ImportOrders, T0))
            .await
            .unwrap();
        db.close().await;
        assert!(
            db.count_orders(&acct()).await.is_err(),
            "a closed store must refuse calls"
        );
        out.host_id
    };
    let db = open(&path).await;
    assert_eq!(
        db.order(&acct(), &order.order.id).await.unwrap().as_ref(),
        Some(&order)
    );
    let found = db
        .find_order(&acct(), &order.order.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.host_id, host_id, "host ids survive a reopen");
    assert_eq!(
        db.cursor(&acct(), JobKind::ImportOrders)
            .await
            .unwrap()
            .map(|c| c.position),
        Some(T0)
    );
    assert!(db.knows_order(&acct(), &order.order.id).await.unwrap());
    assert_eq!(db.shipments_ready(&acct(), 10).await.unwrap().len(), 1);
    assert_eq!(db.recent_runs(&acct(), None, 10).await.unwrap().len(), 1);
    // A new order after reopen gets a new host id, never a reused one.
    let other = host_order(&acct(), sample_order("111-0000001-0000002", T0));
    let out = db.upsert_order(&other).await.unwrap();
    assert_ne!(out.host_id, host_id);
}

#[tokio::test]
async fn migrations_are_applied_once_and_reopen_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let db = open(&path).await;
    assert_eq!(db.applied_migrations().await.unwrap(), vec![1, 2, 3, 4]);
    let order = host_order(&acct(), sample_order("111-0000002-0000001", T0));
    db.upsert_order(&order).await.unwrap();
    db.close().await;
    for _ in 0..2 {
        let db = open(&path).await;
        assert_eq!(db.applied_migrations().await.unwrap(), vec![1, 2, 3, 4]);
        assert_eq!(db.count_orders(&acct()).await.unwrap(), 1);
        db.close().await;
    }
    // Two stores opening the same fresh file at once both succeed.
    let path2 = dir.path().join("t.db");
    let (a, b) = tokio::join!(SqliteStore::open(&path2), SqliteStore::open(&path2));
    assert_eq!(
        a.unwrap().applied_migrations().await.unwrap(),
        vec![1, 2, 3, 4]
    );
    assert_eq!(
        b.unwrap().applied_migrations().await.unwrap(),
        vec![1, 2, 3, 4]
    );
}

#[tokio::test]
async fn a_file_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let db = open(&path).await;
    db.close().await;
    // Pretend a later release applied migration 99.
    let url = format!("sqlite://{}", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99, 'future', 1, x'00', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let err = SqliteStore::open(&path).await.unwrap_err();
    assert!(matches!(err, SqliteError::Migrate(_)), "{err:?}");
}

#[tokio::test]
async fn mark_shipped_feeds_shipments_ready() {
    let db = SqliteStore::open_in_memory().await.unwrap();
    let order = sample_order("111-0000003-0000001", T0);
    db.upsert_order(&host_order(&acct(), order.clone()))
        .await
        .unwrap();
    assert!(db.shipments_ready(&acct(), 10).await.unwrap().is_empty());

    // A package with every line, then a partial one.
    let p1 = db
        .mark_shipped(
            &acct(),
            &order.id,
            ShippedPackage::new("UPS", "1Z-A", T0 + Duration::hours(1)).service("Ground"),
        )
        .await
        .unwrap();
    let second_line = order.lines[1].item_id.clone();
    let p2 = db
        .mark_shipped(
            &acct(),
            &order.id,
            ShippedPackage::new("USPS", "9400-B", T0 + Duration::hours(2))
                .item(second_line.clone(), 1),
        )
        .await
        .unwrap();
    assert_eq!((p1.as_str(), p2.as_str()), ("1", "2"));

    let ready = db.shipments_ready(&acct(), 10).await.unwrap();
    assert_eq!(ready.len(), 2);
    assert_eq!(ready[0].package, p1, "oldest first");
    assert_eq!(ready[0].carrier, "UPS");
    assert_eq!(ready[0].service.as_deref(), Some("Ground"));
    assert_eq!(ready[0].tracking_number, "1Z-A");
    assert_eq!(ready[0].ship_date, T0 + Duration::hours(1));
    let all_lines: Vec<PackageItem> = order
        .lines
        .iter()
        .map(|l| PackageItem {
            item_id: l.item_id.clone(),
            quantity: l.quantity_ordered,
        })
        .collect();
    assert_eq!(ready[0].items, all_lines);
    assert_eq!(
        ready[1].items,
        vec![PackageItem {
            item_id: second_line,
            quantity: 1
        }]
    );
    assert_eq!(ready[1].service, None);

    let ready_before = ready.clone();
    let first = ready_before
        .iter()
        .find(|s| s.package == p1)
        .unwrap()
        .clone();
    let second = ready_before
        .iter()
        .find(|s| s.package == p2)
        .unwrap()
        .clone();
    db.record_shipment_result(&acct(), &first, &ShipmentResult::Confirmed { at: T0 })
        .await
        .unwrap();
    let ready = db.shipments_ready(&acct(), 10).await.unwrap();
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0].package, p2);
    assert_eq!(
        db.shipment_result(&acct(), &order.id, &p1).await.unwrap(),
        Some(ShipmentResult::Confirmed { at: T0 })
    );
    let held = ShipmentResult::Held {
        reason: "ship date in the future".into(),
        until: Some(T0 + Duration::days(1)),
    };
    db.record_shipment_result(&acct(), &second, &held)
        .await
        .unwrap();
    let listed = db.shipments(&acct(), &order.id).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1].1.as_ref(), Some(&held));
    assert!(
        db.shipments_ready(&acct(), 10).await.unwrap().is_empty(),
        "a package with any result (held too) is the engine's now"
    );

    // Re-shipping a package replaces it and makes it ready again.
    let mut again = shipment_for(&order, "1", T0 + Duration::hours(5));
    again.tracking_number = "1Z-FIXED".into();
    db.ship(&acct(), &again).await.unwrap();
    let ready = db.shipments_ready(&acct(), 10).await.unwrap();
    assert_eq!(ready, vec![again.clone()]);
    // A late result about the old content does not stick to the corrected package.
    db.record_shipment_result(&acct(), &first, &ShipmentResult::Confirmed { at: T0 })
        .await
        .unwrap();
    assert_eq!(
        db.shipments_ready(&acct(), 10).await.unwrap(),
        vec![again.clone()]
    );
    assert_eq!(
        db.shipment_result(&acct(), &order.id, &p1).await.unwrap(),
        None
    );

    // What a host must not do.
    let unknown = AmazonOrderId::new("111-9999999-9999999");
    let err = db
        .mark_shipped(&acct(), &unknown, ShippedPackage::new("UPS", "1", T0))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let err = db
        .mark_shipped(
            &acct(),
            &order.id,
            ShippedPackage::new("UPS", "1", T0).item("no-such-line", 1),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Rejected { .. }), "{err:?}");
    let err = db
        .mark_shipped(
            &acct(),
            &order.id,
            ShippedPackage::new("UPS", "1", T0).item(order.lines[0].item_id.clone(), 0),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Rejected { .. }), "{err:?}");
    let mut bad_ref = shipment_for(&order, "A1", T0);
    bad_ref.package = PackageRef::new("A1");
    assert!(matches!(
        db.ship(&acct(), &bad_ref).await,
        Err(StoreError::Rejected { .. })
    ));
    let err = db
        .record_shipment_result(
            &acct(),
            &{
                let mut s = first.clone();
                s.package = PackageRef::new("99");
                s
            },
            &ShipmentResult::Confirmed { at: T0 },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert_eq!(db.shipments(&acct(), &order.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn queries_count_per_status_and_marketplace() {
    let db = SqliteStore::open_in_memory().await.unwrap();
    let other = AccountId::new("seller-2");
    for (i, (status, market)) in [
        (OrderStatus::Unshipped, "ATVPDKIKX0DER"),
        (OrderStatus::Unshipped, "A1F83G8C2ARO7P"),
        (OrderStatus::Shipped, "ATVPDKIKX0DER"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut o = sample_order(&format!("111-0000004-000000{i}"), T0);
        o.status = status;
        o.marketplace = MarketplaceId::new(market);
        db.upsert_order(&host_order(&acct(), o)).await.unwrap();
    }
    db.upsert_order(&host_order(&other, sample_order("111-0000004-0000009", T0)))
        .await
        .unwrap();
    assert_eq!(db.count_orders(&acct()).await.unwrap(), 3);
    let by_status = db.counts_by_status(&acct()).await.unwrap();
    assert_eq!(by_status.get("Unshipped"), Some(&2));
    assert_eq!(by_status.get("Shipped"), Some(&1));
    assert_eq!(by_status.len(), 2);
    let by_market = db.counts_by_marketplace(&acct()).await.unwrap();
    assert_eq!(by_market.get("ATVPDKIKX0DER"), Some(&2));
    assert_eq!(by_market.get("A1F83G8C2ARO7P"), Some(&1));
    let by_host = db.counts_by_host_status(&acct()).await.unwrap();
    assert_eq!(by_host.values().sum::<u64>(), 3);
    assert_eq!(db.accounts().await.unwrap(), vec![acct(), other.clone()]);
    let with_ids = db.orders_with_ids(&acct()).await.unwrap();
    assert_eq!(with_ids.len(), 3);
    let found = db
        .find_order(&acct(), &with_ids[0].1.order.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.host_id, with_ids[0].0);

    // A deleted order is gone with its shipments, and comes back with a new host id.
    let id = AmazonOrderId::new("111-0000004-0000009");
    let before = db.find_order(&other, &id).await.unwrap().unwrap();
    db.mark_shipped(&other, &id, ShippedPackage::new("UPS", "1Z", T0))
        .await
        .unwrap();
    assert!(db.delete_order(&other, &id).await.unwrap());
    assert!(!db.delete_order(&other, &id).await.unwrap());
    assert!(db.shipments_ready(&other, 10).await.unwrap().is_empty());
    let again = db
        .upsert_order(&host_order(&other, sample_order(id.as_str(), T0)))
        .await
        .unwrap();
    assert_eq!(again.action, UpsertAction::Created);
    assert_ne!(again.host_id, before.host_id, "host ids are never reused");
}

/// Makes the database fail any line insert whose SKU is `BOOM`, as a full disk or an
/// I/O error would fail a write in the middle of a transaction.
async fn install_failing_trigger(path: &Path) {
    let url = format!("sqlite://{}", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query(
        "CREATE TRIGGER boom BEFORE INSERT ON order_lines WHEN NEW.sku = 'BOOM' \
         BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
}

#[tokio::test]
async fn a_failed_upsert_leaves_the_previous_version_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let db = open(&path).await;
    install_failing_trigger(&path).await;
    let v1 = host_order(&acct(), sample_order("111-0000005-0000001", T0));
    db.upsert_order(&v1).await.unwrap();

    // v2 is newer: the order row is updated and its old lines and PII deleted, then
    // the line insert fails inside the same transaction.
    let mut v2 = host_order(
        &acct(),
        sample_order("111-0000005-0000001", T0 + Duration::hours(1)),
    );
    v2.order.lines[1].sku = Some("BOOM".into());
    v2.order.buyer.as_mut().unwrap().name = Some("Someone Else".into());
    v2.mapped.status = "cancelled".into();
    assert!(db.upsert_order(&v2).await.is_err());

    let held = db.order(&acct(), &v1.order.id).await.unwrap().unwrap();
    assert_eq!(held, v1, "the failed write changed the stored order");
    let found = db.find_order(&acct(), &v1.order.id).await.unwrap().unwrap();
    assert_eq!(found.last_updated_at, T0);

    // The same version, fixed, now applies.
    v2.order.lines[1].sku = Some("SKU-FIXED".into());
    assert_eq!(
        db.upsert_order(&v2).await.unwrap().action,
        UpsertAction::Updated
    );
    assert_eq!(db.order(&acct(), &v1.order.id).await.unwrap().unwrap(), v2);
}

#[tokio::test]
async fn a_batch_applies_all_or_nothing_and_refuses_bad_orders_in_their_slot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let db = open(&path).await;
    install_failing_trigger(&path).await;
    let order = |i: u32| host_order(&acct(), sample_order(&format!("111-0000010-{i:07}"), T0));

    // A database failure on the third order: the whole batch fails, nothing is applied.
    let mut boom = order(3);
    boom.order.lines[0].sku = Some("BOOM".into());
    let err = db
        .upsert_orders(&[order(1), order(2), boom, order(4)])
        .await;
    assert!(err.is_err(), "{err:?}");
    assert_eq!(db.count_orders(&acct()).await.unwrap(), 0);

    // An order the store cannot hold is refused alone; the others are written.
    let mut dup = order(3);
    dup.order.lines[1].item_id = dup.order.lines[0].item_id.clone();
    let out = db
        .upsert_orders(&[order(1), order(2), dup, order(4)])
        .await
        .unwrap();
    assert_eq!(out.len(), 4);
    assert!(
        matches!(out[2], Err(StoreError::Rejected { .. })),
        "{:?}",
        out[2]
    );
    for i in [0, 1, 3] {
        assert_eq!(out[i].as_ref().unwrap().action, UpsertAction::Created);
    }
    assert_eq!(db.count_orders(&acct()).await.unwrap(), 3);
    assert!(
        db.order(&acct(), &order(3).order.id)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_failed_commit_applies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir.path().join("s.db")).await;
    let cursor = |at| CursorAdvance {
        expected: None,
        new: Cursor {
            position: at,
            updated_at: at,
        },
    };
    // The second entry carries a time the store refuses; the cursor move and the first
    // entry were already written in the transaction when it fails.
    let bad = ImportCommit {
        entries: vec![
            entry("111-0000006-0000001", T0),
            entry("111-0000006-0000002", datetime!(-0001-01-01 0:00 UTC)),
        ],
        cursor: Some((JobKind::ImportOrders, cursor(T0))),
        ..Default::default()
    };
    let err = db.commit_import(&acct(), &bad).await.unwrap_err();
    assert!(matches!(err, StateError::Backend(_)), "{err:?}");
    assert!(
        !db.knows_order(&acct(), &AmazonOrderId::new("111-0000006-0000001"))
            .await
            .unwrap()
    );
    assert_eq!(
        db.cursor(&acct(), JobKind::ImportOrders).await.unwrap(),
        None
    );

    let good = ImportCommit {
        entries: vec![entry("111-0000006-0000001", T0)],
        cursor: Some((JobKind::ImportOrders, cursor(T0))),
        ..Default::default()
    };
    db.commit_import(&acct(), &good).await.unwrap();
    assert!(
        db.knows_order(&acct(), &AmazonOrderId::new("111-0000006-0000001"))
            .await
            .unwrap()
    );
}

/// A reversible stand-in for a real cipher: enough to show where sealing happens.
#[derive(Debug)]
struct Reverse;

impl PiiCipher for Reverse {
    fn seal(&self, plaintext: &str) -> Result<String, PiiCipherError> {
        Ok(format!(
            "sealed:{}",
            plaintext.chars().rev().collect::<String>()
        ))
    }

    fn open(&self, sealed: &str) -> Result<String, PiiCipherError> {
        sealed
            .strip_prefix("sealed:")
            .map(|s| s.chars().rev().collect())
            .ok_or_else(|| PiiCipherError("not sealed".into()))
    }
}

/// Every text value of every table but `order_pii`, and of `order_pii`.
async fn text_values(path: &Path) -> (Vec<String>, Vec<String>) {
    let url = format!("sqlite://{}", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let (mut other, mut pii) = (Vec::new(), Vec::new());
    for t in tables {
        let cols: Vec<String> =
            sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{t}')"))
                .fetch_all(&pool)
                .await
                .unwrap();
        for c in cols {
            let values: Vec<Option<String>> =
                sqlx::query_scalar(&format!("SELECT CAST({c} AS TEXT) FROM {t}"))
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            let sink = match (t.as_str(), c.as_str()) {
                ("order_pii", "value") => &mut pii,
                ("order_pii", _) => continue,
                _ => &mut other,
            };
            sink.extend(values.into_iter().flatten());
        }
    }
    pool.close().await;
    (other, pii)
}

const PII: [&str; 6] = [
    "Ada Lovelace",
    "ada@marketplace.amazon.com",
    "+1 206 555 0100",
    "12 Analytical Way",
    "98101",
    "Happy birthday, Ada!",
];

#[tokio::test]
async fn pii_lives_only_in_its_table_and_goes_through_the_cipher() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let config = SqliteConfig::default().pii_cipher(Arc::new(Reverse));
    let db = SqliteStore::open_with(&path, config.clone()).await.unwrap();
    let order = host_order(&acct(), sample_order("111-0000007-0000001", T0));
    db.upsert_order(&order).await.unwrap();
    db.record_entry(&acct(), entry("111-0000007-0000001", T0))
        .await
        .unwrap();
    assert_eq!(
        db.order(&acct(), &order.order.id).await.unwrap().as_ref(),
        Some(&order),
        "the cipher must round-trip"
    );
    db.close().await;

    let (other, pii) = text_values(&path).await;
    for secret in PII {
        assert!(
            !other.iter().any(|v| v.contains(secret)),
            "{secret} stored outside order_pii"
        );
        assert!(
            !pii.iter().any(|v| v.contains(secret)),
            "{secret} stored unsealed"
        );
    }
    assert!(pii.iter().all(|v| v.starts_with("sealed:")));
    assert!(other.iter().any(|v| v == "US"), "the country stays outside");

    // Opened without the cipher, the file is refused rather than read wrongly.
    let err = SqliteStore::open(&path).await.unwrap_err();
    assert!(matches!(err, SqliteError::PiiCipherMismatch(_)), "{err:?}");

    // Redaction overwrites every value; secure_delete leaves no copy in free pages.
    let db = SqliteStore::open_with(&path, config).await.unwrap();
    db.redact_pii(&acct(), &order.order.id, "Amazon Replaced")
        .await
        .unwrap();
    let held = db.order(&acct(), &order.order.id).await.unwrap().unwrap();
    assert!(held.pii_is_redacted("Amazon Replaced"));
    assert_eq!(held.order.totals, order.order.totals);
    db.close().await;
    let (_, pii) = text_values(&path).await;
    assert!(pii.iter().all(|v| v == "sealed:decalpeR nozamA"));
}

#[tokio::test]
async fn redacted_pii_leaves_no_trace_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let db = open(&path).await;
    let order = host_order(&acct(), sample_order("111-0000008-0000001", T0));
    db.upsert_order(&order).await.unwrap();
    // Updating the order rewrites its PII rows (old copies must not linger either).
    let v2 = host_order(
        &acct(),
        sample_order("111-0000008-0000001", T0 + Duration::minutes(1)),
    );
    db.upsert_order(&v2).await.unwrap();
    db.redact_pii(&acct(), &order.order.id, "Amazon Replaced")
        .await
        .unwrap();
    // Checked while the store is still open (no help from the checkpoint on close).
    let bytes = file_bytes(&path);
    let text = String::from_utf8_lossy(&bytes);
    for secret in PII {
        assert!(!text.contains(secret), "{secret} still in the files");
    }
    assert!(text.contains("Amazon Replaced"));
    db.close().await;
    assert!(
        !path.with_extension("db-wal").exists()
            || std::fs::metadata(path.with_extension("db-wal"))
                .unwrap()
                .len()
                == 0,
        "close leaves an empty WAL"
    );
}

/// The main file and its WAL and shared-memory files, concatenated.
fn file_bytes(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap();
    for ext in ["db-wal", "db-shm"] {
        if let Ok(more) = std::fs::read(path.with_extension(ext)) {
            bytes.extend(more);
        }
    }
    bytes
}

#[tokio::test]
async fn debug_output_shows_no_pii() {
    let db = SqliteStore::open_in_memory().await.unwrap();
    let order = host_order(&acct(), sample_order("111-0000009-0000001", T0));
    db.upsert_order(&order).await.unwrap();
    let out = format!("{db:?} {:?}", db.order(&acct(), &order.order.id).await);
    for secret in PII {
        assert!(!out.contains(secret), "{secret} in {out}");
    }
}

#[tokio::test]
async fn run_reports_keep_counts_errors_and_outcome() {
    let db = SqliteStore::open_in_memory().await.unwrap();
    let mut r = RunReport::start(acct(), JobKind::ExportShipments, T0);
    r.finished_at = T0 + Duration::seconds(2);
    r.outcome = RunOutcome::Cancelled;
    r.counts.exported = 4;
    r.counts.refused = 1;
    r.errors = vec!["carrier FooPost not mapped".into()];
    db.record_run(&r).await.unwrap();
    let back = db
        .recent_runs(&acct(), Some(JobKind::ExportShipments), 5)
        .await
        .unwrap();
    assert_eq!(back, vec![r]);
}

#[tokio::test]
async fn a_large_commit_with_repeated_orders_keeps_the_newest_of_each() {
    let db = SqliteStore::open_in_memory().await.unwrap();
    let id = |i: usize| format!("111-0000011-{i:07}");
    // 600 orders (more than one statement's worth), three versions each: newest first
    // for even orders, oldest first for odd ones; orders interleaved in groups of 50, so
    // an order's versions are 50 entries apart, inside one statement's window.
    let versions = [T0, T0 + Duration::minutes(2), T0 + Duration::minutes(1)];
    let order_of = |i: usize| -> [OffsetDateTime; 3] {
        if i % 2 == 0 {
            [versions[1], versions[0], versions[2]]
        } else {
            versions
        }
    };
    let mut entries = Vec::new();
    for group in (0..600).collect::<Vec<usize>>().chunks(50) {
        for round in 0..3 {
            for &i in group {
                let at = order_of(i)[round];
                let mut e = entry(&id(i), at);
                e.status = if at == versions[1] {
                    OrderStatus::Shipped
                } else {
                    OrderStatus::Unshipped
                };
                entries.push(e);
            }
        }
    }
    let commit = ImportCommit {
        entries,
        ..Default::default()
    };
    db.commit_import(&acct(), &commit).await.unwrap();
    let ids: Vec<AmazonOrderId> = (0..600).map(|i| AmazonOrderId::new(id(i))).collect();
    let held = db.id_map_get_many(&acct(), &ids).await.unwrap();
    assert_eq!(held.len(), 600);
    for e in held.values() {
        assert_eq!(e.last_updated_at, T0 + Duration::minutes(2), "{e:?}");
        assert_eq!(e.status, OrderStatus::Shipped);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_write_applies_all_or_nothing_and_frees_its_connection() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    let dir = tempfile::tempdir().unwrap();
    let db = SqliteStore::open_with(
        dir.path().join("s.db"),
        SqliteConfig::default().max_connections(1),
    )
    .await
    .unwrap();
    let batch: Vec<HostOrder> = (0..50)
        .map(|i| host_order(&acct(), sample_order(&format!("111-0000012-{i:07}"), T0)))
        .collect();
    let mut completed = 0;
    // Drop the batch write after more and more polls, as a crash or a cancelled job
    // would: each time the store must hold all of the batch or none of it.
    for polls in 1..40 {
        db.delete_all_for_test(&batch).await;
        {
            let mut fut = std::pin::pin!(db.upsert_orders(&batch));
            let mut cx = Context::from_waker(Waker::noop());
            for _ in 0..polls {
                if let Poll::Ready(r) = fut.as_mut().poll(&mut cx) {
                    r.unwrap();
                    completed += 1;
                    break;
                }
                tokio::task::yield_now().await;
            }
        }
        let n = db.count_orders(&acct()).await.unwrap();
        assert!(n == 0 || n == 50, "a dropped batch left {n} of 50 orders");
        // The connection came back clean: a new write transaction works.
        let one = host_order(&acct(), sample_order("111-0000012-9999999", T0));
        db.upsert_order(&one).await.unwrap();
        assert!(db.delete_order(&acct(), &one.order.id).await.unwrap());
    }
    assert!(
        completed < 39,
        "every write finished: nothing was dropped mid-way"
    );
}

trait DeleteAll {
    async fn delete_all_for_test(&self, orders: &[HostOrder]);
}

impl DeleteAll for SqliteStore {
    async fn delete_all_for_test(&self, orders: &[HostOrder]) {
        for o in orders {
            self.delete_order(&o.account, &o.order.id).await.unwrap();
        }
    }
}

#[tokio::test]
async fn the_file_is_in_wal_mode_with_its_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let db = open(&path).await;
    db.close().await;
    let url = format!("sqlite://{}", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        tables,
        [
            "_sqlx_migrations",
            "order_lines",
            "order_pii",
            "orders",
            "outbox",
            "shipment_items",
            "shipments",
            "store_meta",
            "sync_accounts",
            "sync_cursors",
            "sync_id_map",
            "sync_outbox",
            "sync_parked",
            "sync_run_locks",
            "sync_runs"
        ]
    );
    pool.close().await;
}

#[tokio::test]
async fn pii_is_encrypted_at_rest_with_xchacha() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let key = [42u8; 32];
    let config = SqliteConfig::default().pii_cipher(Arc::new(XChaChaPii::new(&key)));
    let db = SqliteStore::open_with(&path, config.clone()).await.unwrap();
    let order = host_order(&acct(), sample_order("111-0000013-0000001", T0));
    db.upsert_order(&order).await.unwrap();
    db.warehouse()
        .submit(&order_sync_core::host::FulfilmentRequest {
            order: order.clone(),
            service: "Ground".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        db.order(&acct(), &order.order.id).await.unwrap().as_ref(),
        Some(&order)
    );
    db.close().await;
    let bytes = file_bytes(&path);
    let text = String::from_utf8_lossy(&bytes);
    for secret in PII {
        assert!(!text.contains(secret), "{secret} readable in the file");
    }
    assert!(text.contains("SKU-RED"), "the rest of the order is plain");

    // Another key, or none, is refused at open: never wrong data, never a file whose
    // PII is sealed half with one key and half with another.
    for wrong in [
        SqliteConfig::default().pii_cipher(Arc::new(XChaChaPii::new(&[1; 32]))),
        SqliteConfig::default(),
    ] {
        let err = SqliteStore::open_with(&path, wrong).await.unwrap_err();
        assert!(matches!(err, SqliteError::PiiCipherMismatch(_)), "{err:?}");
    }
    // A value sealed under another key fails to open, as an error.
    let other_key = SqliteConfig::default().pii_cipher(Arc::new(XChaChaPii::new(&[1; 32])));
    let fresh = SqliteStore::open_with(dir.path().join("other.db"), other_key)
        .await
        .unwrap();
    fresh.close().await;
    let url = format!("sqlite://{}", path.display());
    let raw = sqlx::SqlitePool::connect(&url).await.unwrap();
    let sealed: String = sqlx::query_scalar("SELECT value FROM order_pii LIMIT 1")
        .fetch_one(&raw)
        .await
        .unwrap();
    raw.close().await;
    assert!(XChaChaPii::new(&[1; 32]).open(&sealed).is_err());
    assert!(XChaChaPii::new(&key).open(&sealed).is_ok());

    // Redaction still works through the cipher.
    let db = SqliteStore::open_with(&path, config).await.unwrap();
    db.redact_pii(&acct(), &order.order.id, "Amazon Replaced")
        .await
        .unwrap();
    let held = db.order(&acct(), &order.order.id).await.unwrap().unwrap();
    assert!(held.pii_is_redacted("Amazon Replaced"));
    let request = db
        .warehouse()
        .request(&acct(), &order.order.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !request.order.pii_is_redacted("Amazon Replaced"),
        "the warehouse's copy is redacted by the warehouse"
    );
}

/// A cipher that refuses to seal one value, to fail a re-seal half-way.
#[derive(Debug)]
struct RefusesSeattle(XChaChaPii);

impl PiiCipher for RefusesSeattle {
    fn seal(&self, plaintext: &str) -> Result<String, PiiCipherError> {
        if plaintext == "Seattle" {
            return Err(PiiCipherError("refused".into()));
        }
        self.0.seal(plaintext)
    }

    fn open(&self, sealed: &str) -> Result<String, PiiCipherError> {
        self.0.open(sealed)
    }
}

#[tokio::test]
async fn pii_can_be_resealed_to_turn_encryption_on_and_rotate_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let orders: Vec<HostOrder> = (0..30)
        .map(|i| host_order(&acct(), sample_order(&format!("111-0000014-{i:07}"), T0)))
        .collect();
    let db = open(&path).await;
    for o in orders.chunks(10) {
        db.upsert_orders(o).await.unwrap();
    }
    db.close().await;
    let with = |c: Arc<dyn PiiCipher>| SqliteConfig::default().pii_cipher(c);
    let key1: Arc<dyn PiiCipher> = Arc::new(XChaChaPii::new(&[1; 32]));
    let key2: Arc<dyn PiiCipher> = Arc::new(XChaChaPii::new(&[2; 32]));

    // A re-seal that fails half-way changes nothing.
    let err = SqliteStore::reseal_pii(
        &path,
        SqliteConfig::default(),
        Arc::new(RefusesSeattle(XChaChaPii::new(&[1; 32]))),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, SqliteError::Reseal(_)), "{err:?}");
    let db = open(&path).await;
    assert_eq!(db.orders(&acct()).await.unwrap(), orders);
    db.close().await;

    // Plain text -> key 1: encryption turned on.
    let n = SqliteStore::reseal_pii(&path, SqliteConfig::default(), key1.clone())
        .await
        .unwrap();
    assert_eq!(n, 30 * 11, "every PII value of every order");
    assert!(matches!(
        SqliteStore::open(&path).await,
        Err(SqliteError::PiiCipherMismatch(_))
    ));
    let text = String::from_utf8_lossy(&file_bytes(&path)).into_owned();
    assert!(!text.contains("Ada Lovelace"));
    let db = SqliteStore::open_with(&path, with(key1.clone()))
        .await
        .unwrap();
    assert_eq!(db.orders(&acct()).await.unwrap(), orders);
    db.close().await;

    // Key 1 -> key 2: rotation.
    SqliteStore::reseal_pii(&path, with(key1.clone()), key2.clone())
        .await
        .unwrap();
    assert!(matches!(
        SqliteStore::open_with(&path, with(key1)).await,
        Err(SqliteError::PiiCipherMismatch(_))
    ));
    let db = SqliteStore::open_with(&path, with(key2)).await.unwrap();
    assert_eq!(db.orders(&acct()).await.unwrap(), orders);
}

#[tokio::test]
async fn orders_can_be_walked_page_by_page() {
    let db = SqliteStore::open_in_memory().await.unwrap();
    let mut all: Vec<HostOrder> = (0..23)
        .map(|i| host_order(&acct(), sample_order(&format!("111-0000015-{i:07}"), T0)))
        .collect();
    db.upsert_orders(&all).await.unwrap();
    db.upsert_order(&host_order(
        &AccountId::new("other"),
        sample_order("111-0000015-9999999", T0),
    ))
    .await
    .unwrap();
    all.sort_by(|a, b| a.order.id.cmp(&b.order.id));
    let mut walked = Vec::new();
    let mut after: Option<AmazonOrderId> = None;
    loop {
        let page = db.orders_page(&acct(), after.as_ref(), 5).await.unwrap();
        assert!(page.len() <= 5);
        let Some(last) = page.last() else { break };
        after = Some(last.order.id.clone());
        walked.extend(page);
    }
    assert_eq!(
        walked, all,
        "every order once, in order, lines and PII included"
    );
    assert!(db.orders_page(&acct(), None, 0).await.unwrap().is_empty());
}
