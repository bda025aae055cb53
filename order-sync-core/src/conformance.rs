//! The conformance suite every store and state adapter runs.
//!
//! Each check is a `pub async fn` that panics (like an assertion) when the adapter breaks
//! the contract of [`OrderStore`] or [`SyncState`]. Adapters call [`run_all`] (or the
//! single checks) from their tests with fresh, empty instances:
//!
//! ```no_run
//! # async fn demo(harness: &dyn order_sync_core::conformance::StoreHarness,
//! #               state: &dyn order_sync_core::state::SyncState) {
//! order_sync_core::conformance::run_all(harness, state).await;
//! # }
//! ```
//!
//! Checks use accounts named `conformance-*` and order ids that do not collide between
//! checks, so one instance can run all of them in sequence.

use async_trait::async_trait;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::error::StateError;
use crate::fixtures::{host_order, sample_order, shipment_for};
use crate::host::{HostOrder, OrderStore, ShipmentResult, UpsertAction};
use crate::ids::{AccountId, AmazonOrderId, HostOrderId};
use crate::model::HostShipment;
use crate::report::{RunOutcome, RunReport};
use crate::state::{
    Claim, Cursor, CursorAdvance, Finish, IdMapEntry, ImportCommit, JobKind, Lease, Offered,
    Origin, OutboxPayload, OutboxStatus, ParkKind, ParkedOrder, RunLock, SyncState, SyncStateExt,
};

const T0: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

/// What the suite needs to drive an order store: the store itself, plus two test hooks
/// that the trait deliberately lacks (read an order back, make the host ship a package).
#[async_trait]
pub trait StoreHarness: Send + Sync {
    /// The store under test.
    fn store(&self) -> &dyn OrderStore;

    /// The order as the host holds it, or `None`.
    async fn stored_order(&self, account: &AccountId, id: &AmazonOrderId) -> Option<HostOrder>;

    /// Makes the host report `shipment` as shipped (ready to export).
    async fn add_shipment(&self, account: &AccountId, shipment: HostShipment);
}

fn account(name: &str) -> AccountId {
    AccountId::new(format!("conformance-{name}"))
}

/// Upserting the same order twice creates one host order and returns the same id.
pub async fn upsert_is_idempotent(h: &dyn StoreHarness) {
    let acct = account("idem");
    let order = host_order(&acct, sample_order("900-0000001-0000001", T0));
    let first = h.store().upsert_order(&order).await.expect("first upsert");
    assert_eq!(
        first.action,
        UpsertAction::Created,
        "first upsert must create"
    );
    let second = h.store().upsert_order(&order).await.expect("second upsert");
    assert_eq!(
        second.action,
        UpsertAction::Unchanged,
        "same version must be unchanged"
    );
    assert_eq!(
        first.host_id, second.host_id,
        "same Amazon id must keep its host id"
    );
    let found = h
        .store()
        .find_order(&acct, &order.order.id)
        .await
        .expect("find")
        .expect("order must be found");
    assert_eq!(found.host_id, first.host_id);
    assert_eq!(found.last_updated_at, T0);
}

/// A newer version updates the order; an older one is ignored.
pub async fn newer_wins(h: &dyn StoreHarness) {
    let acct = account("newer");
    let id = "900-0000002-0000001";
    let v1 = host_order(&acct, sample_order(id, T0));
    let mut v2 = host_order(&acct, sample_order(id, T0 + Duration::minutes(5)));
    v2.order.status = order_mapping::vocab::OrderStatus::Canceled;
    v2.mapped.status = "cancelled".into();
    let created = h.store().upsert_order(&v1).await.expect("v1");
    let updated = h.store().upsert_order(&v2).await.expect("v2");
    assert_eq!(updated.action, UpsertAction::Updated);
    assert_eq!(updated.host_id, created.host_id);
    let stale = h.store().upsert_order(&v1).await.expect("v1 again");
    assert_eq!(
        stale.action,
        UpsertAction::Stale,
        "older version must be stale"
    );
    assert_eq!(stale.host_id, created.host_id);
    let held = h
        .stored_order(&acct, &v1.order.id)
        .await
        .expect("order held");
    assert_eq!(held.order.last_updated_at, T0 + Duration::minutes(5));
    assert_eq!(
        held.mapped.status, "cancelled",
        "older version overwrote newer"
    );
}

/// The same Amazon order id in two accounts is two host orders.
pub async fn accounts_are_isolated(h: &dyn StoreHarness) {
    let (a, b) = (account("iso-a"), account("iso-b"));
    let id = "900-0000003-0000001";
    let oa = h
        .store()
        .upsert_order(&host_order(&a, sample_order(id, T0)))
        .await
        .expect("a");
    let ob = h
        .store()
        .upsert_order(&host_order(&b, sample_order(id, T0)))
        .await
        .expect("b");
    assert_eq!(oa.action, UpsertAction::Created);
    assert_eq!(ob.action, UpsertAction::Created);
    assert_ne!(oa.host_id, ob.host_id);
    let none = h
        .store()
        .find_order(&account("iso-c"), &AmazonOrderId::new(id))
        .await
        .expect("find");
    assert!(none.is_none());
}

/// A shipment is ready until the engine records any result for it, and ready again once
/// the host corrects it; a result about older content is ignored.
pub async fn shipments_ready_until_final(h: &dyn StoreHarness) {
    let acct = account("ship");
    let order = sample_order("900-0000004-0000001", T0);
    h.store()
        .upsert_order(&host_order(&acct, order.clone()))
        .await
        .expect("upsert");
    let s1 = shipment_for(&order, "1", T0 + Duration::hours(1));
    let s2 = shipment_for(&order, "2", T0 + Duration::hours(1));
    h.add_shipment(&acct, s1.clone()).await;
    h.add_shipment(&acct, s2.clone()).await;
    let ready = h.store().shipments_ready(&acct, 100).await.expect("ready");
    assert_eq!(ready.len(), 2, "both packages must be ready");
    assert!(ready.contains(&s1) && ready.contains(&s2));
    let limited = h.store().shipments_ready(&acct, 1).await.expect("ready");
    assert_eq!(limited.len(), 1, "limit must be honoured");

    // Any result means the engine took the package: it is no longer ready.
    let pending = ShipmentResult::Pending { note: None };
    h.store()
        .record_shipment_result(&acct, &s1, &pending)
        .await
        .expect("pending");
    assert_eq!(
        h.store().shipments_ready(&acct, 100).await.expect("ready"),
        vec![s2.clone()],
        "a package with a result (even pending) must not be ready"
    );
    let held = ShipmentResult::Held {
        reason: "ship date in the future".into(),
        until: Some(T0 + Duration::hours(1)),
    };
    h.store()
        .record_shipment_result(&acct, &s2, &held)
        .await
        .expect("held");
    assert!(
        h.store()
            .shipments_ready(&acct, 100)
            .await
            .expect("ready")
            .is_empty()
    );

    let confirmed = ShipmentResult::Confirmed { at: T0 };
    h.store()
        .record_shipment_result(&acct, &s1, &confirmed)
        .await
        .expect("confirmed");
    // The host corrects the tracking of package 1: ready again, and a late result about
    // the old content must not stick to the new one.
    let mut corrected = s1.clone();
    corrected.tracking_number = format!("{}-FIX", s1.tracking_number);
    h.add_shipment(&acct, corrected.clone()).await;
    assert_eq!(
        h.store().shipments_ready(&acct, 100).await.expect("ready"),
        vec![corrected.clone()],
        "a corrected package must be ready again"
    );
    h.store()
        .record_shipment_result(&acct, &s1, &confirmed)
        .await
        .expect("stale result is not an error");
    assert_eq!(
        h.store().shipments_ready(&acct, 100).await.expect("ready"),
        vec![corrected.clone()],
        "a result about older content must be ignored"
    );
    let refused = ShipmentResult::Refused {
        reason: "carrier not mapped".into(),
    };
    h.store()
        .record_shipment_result(&acct, &corrected, &refused)
        .await
        .expect("refused");
    let ready = h.store().shipments_ready(&acct, 100).await.expect("ready");
    assert!(
        ready.is_empty(),
        "shipments with results must not be ready: {ready:?}"
    );
    let other = h
        .store()
        .shipments_ready(&account("ship-other"), 100)
        .await
        .expect("ready");
    assert!(other.is_empty());
}

/// Redaction replaces PII with the marker and keeps amounts, items and dates; it is
/// idempotent and harmless for unknown orders.
pub async fn redaction_keeps_totals(h: &dyn StoreHarness) {
    let acct = account("redact");
    let order = sample_order("900-0000005-0000001", T0);
    h.store()
        .upsert_order(&host_order(&acct, order.clone()))
        .await
        .expect("upsert");
    let marker = "Amazon Replaced";
    h.store()
        .redact_pii(&acct, &order.id, marker)
        .await
        .expect("redact");
    h.store()
        .redact_pii(&acct, &order.id, marker)
        .await
        .expect("redact twice");
    h.store()
        .redact_pii(&acct, &AmazonOrderId::new("900-9999999-9999999"), marker)
        .await
        .expect("redacting an unknown order is not an error");
    let held = h.stored_order(&acct, &order.id).await.expect("held");
    assert!(
        held.order.pii_is_redacted(marker),
        "PII left: {:?}",
        held.order
    );
    let name = held
        .order
        .recipient
        .as_ref()
        .and_then(|r| r.name.as_deref());
    assert_eq!(name, Some(marker), "recipient name must carry the marker");
    assert_eq!(held.order.totals, order.totals, "totals must stay");
    assert_eq!(held.order.lines.len(), order.lines.len());
    for (a, b) in held.order.lines.iter().zip(&order.lines) {
        assert_eq!(a.line_price, b.line_price);
        assert_eq!(a.quantity_ordered, b.quantity_ordered);
        assert_eq!(a.sku, b.sku);
    }
    assert_eq!(held.order.lines_total().ok(), order.lines_total().ok());
    assert_eq!(held.order.purchased_at, order.purchased_at);
}

/// A batch upsert behaves like single upserts, order by order: created, unchanged, stale
/// and updated in one batch, one result per order, the same host ids.
pub async fn batch_upsert_matches_single(h: &dyn StoreHarness) {
    let acct = account("batch");
    let a = host_order(&acct, sample_order("900-0000006-0000001", T0));
    let b = host_order(&acct, sample_order("900-0000006-0000002", T0));
    let first = h
        .store()
        .upsert_orders(&[a.clone(), b.clone()])
        .await
        .expect("first batch");
    assert_eq!(first.len(), 2);
    let ida = first[0].as_ref().expect("a").host_id.clone();
    let idb = first[1].as_ref().expect("b").host_id.clone();
    assert_ne!(ida, idb);
    let mut b_newer = b.clone();
    b_newer.order.last_updated_at = T0 + Duration::minutes(1);
    let mut a_older = a.clone();
    a_older.order.last_updated_at = T0 - Duration::minutes(1);
    let c = host_order(&acct, sample_order("900-0000006-0000003", T0));
    let second = h
        .store()
        .upsert_orders(&[a_older, b_newer, c.clone(), c])
        .await
        .expect("second batch");
    let actions: Vec<(UpsertAction, HostOrderId)> = second
        .into_iter()
        .map(|r| {
            let r = r.expect("accepted");
            (r.action, r.host_id)
        })
        .collect();
    assert_eq!(actions[0], (UpsertAction::Stale, ida));
    assert_eq!(actions[1], (UpsertAction::Updated, idb));
    assert_eq!(actions[2].0, UpsertAction::Created);
    assert_eq!(
        actions[3],
        (UpsertAction::Unchanged, actions[2].1.clone()),
        "a duplicate within one batch is one order"
    );
    assert!(
        h.store()
            .upsert_orders(&[])
            .await
            .expect("empty batch")
            .is_empty()
    );
}

fn entry(id: &str, updated: OffsetDateTime) -> IdMapEntry {
    IdMapEntry {
        amazon_order_id: AmazonOrderId::new(id),
        host_order_id: Some(HostOrderId::new(format!("H-{id}"))),
        warehouse_id: None,
        marketplace: crate::ids::MarketplaceId::new("ATVPDKIKX0DER"),
        channel: order_mapping::vocab::FulfillmentChannel::Merchant,
        status: order_mapping::vocab::OrderStatus::Unshipped,
        last_updated_at: updated,
        imported_at: updated,
        pii_expires_at: None,
        redacted_at: None,
        cancel_requested: Vec::new(),
    }
}

fn cursor_at(at: OffsetDateTime) -> Cursor {
    Cursor {
        position: at,
        updated_at: at,
    }
}

/// Cursors start empty and move only by compare-and-set.
pub async fn cursor_compare_and_set(s: &dyn SyncState) {
    let acct = account("cursor");
    let job = JobKind::ImportOrders;
    assert_eq!(s.cursor(&acct, job).await.expect("read"), None);
    s.advance_cursor(
        &acct,
        job,
        CursorAdvance {
            expected: None,
            new: cursor_at(T0),
        },
    )
    .await
    .expect("first move");
    assert_eq!(
        s.cursor(&acct, job).await.expect("read"),
        Some(cursor_at(T0))
    );
    let stale = s
        .advance_cursor(
            &acct,
            job,
            CursorAdvance {
                expected: None,
                new: cursor_at(T0 + Duration::hours(1)),
            },
        )
        .await;
    assert!(
        matches!(stale, Err(StateError::CursorConflict { .. })),
        "a stale expectation must conflict: {stale:?}"
    );
    s.advance_cursor(
        &acct,
        job,
        CursorAdvance {
            expected: Some(T0),
            new: cursor_at(T0 + Duration::hours(1)),
        },
    )
    .await
    .expect("second move");
    assert_eq!(
        s.cursor(&acct, job)
            .await
            .expect("read")
            .map(|c| c.position),
        Some(T0 + Duration::hours(1))
    );
    assert_eq!(
        s.cursor(&acct, JobKind::Reconcile).await.expect("read"),
        None
    );
    assert_eq!(
        s.cursor(&account("cursor-other"), job).await.expect("read"),
        None
    );
}

/// An import commit whose cursor move conflicts applies nothing: no entries, no parked
/// orders; a good commit applies everything together.
pub async fn commit_is_atomic(s: &dyn SyncState) {
    let acct = account("atomic");
    let job = JobKind::ImportOrders;
    let parked = ParkedOrder {
        amazon_order_id: AmazonOrderId::new("900-0000011-0000002"),
        kind: ParkKind::Mapping,
        reason: "carrier not mapped".into(),
        attempts: 1,
        first_parked_at: T0,
        last_attempt_at: T0,
    };
    let bad = ImportCommit {
        entries: vec![entry("900-0000011-0000001", T0)],
        parked: vec![parked.clone()],
        resolved: vec![],
        cursor: Some((
            job,
            CursorAdvance {
                expected: Some(T0 - Duration::days(1)),
                new: cursor_at(T0),
            },
        )),
    };
    let err = s.commit_import(&acct, &bad).await;
    assert!(
        matches!(err, Err(StateError::CursorConflict { .. })),
        "{err:?}"
    );
    assert!(
        s.id_map_get(&acct, &AmazonOrderId::new("900-0000011-0000001"))
            .await
            .expect("read")
            .is_none(),
        "a failed commit must not record its orders"
    );
    assert!(s.parked(&acct).await.expect("read").is_empty());
    assert_eq!(s.cursor(&acct, job).await.expect("read"), None);

    let good = ImportCommit {
        cursor: Some((
            job,
            CursorAdvance {
                expected: None,
                new: cursor_at(T0),
            },
        )),
        ..bad
    };
    s.commit_import(&acct, &good).await.expect("good commit");
    assert!(
        s.knows_order(&acct, &AmazonOrderId::new("900-0000011-0000001"))
            .await
            .expect("read")
    );
    assert_eq!(s.parked(&acct).await.expect("read"), vec![parked]);
    assert_eq!(
        s.cursor(&acct, job).await.expect("read"),
        Some(cursor_at(T0))
    );
}

/// Id map entries follow newer-wins, and a recorded redaction survives later versions.
pub async fn id_map_newer_wins(s: &dyn SyncState) {
    let acct = account("idmap");
    let id = "900-0000012-0000001";
    let mut newer = entry(id, T0 + Duration::minutes(10));
    newer.status = order_mapping::vocab::OrderStatus::Shipped;
    s.record_entry(&acct, newer.clone()).await.expect("newer");
    s.record_entry(&acct, entry(id, T0)).await.expect("older");
    let held = s
        .id_map_get(&acct, &AmazonOrderId::new(id))
        .await
        .expect("read")
        .expect("entry");
    assert_eq!(held, newer, "an older entry overwrote a newer one");

    s.mark_redacted(
        &acct,
        &AmazonOrderId::new(id),
        "Amazon Replaced",
        T0 + Duration::days(40),
    )
    .await
    .expect("mark");
    let newest = entry(id, T0 + Duration::minutes(20));
    s.record_entry(&acct, newest).await.expect("newest");
    let held = s
        .id_map_get(&acct, &AmazonOrderId::new(id))
        .await
        .expect("read")
        .expect("entry");
    assert_eq!(held.last_updated_at, T0 + Duration::minutes(20));
    assert_eq!(
        held.redacted_at,
        Some(T0 + Duration::days(40)),
        "a newer version must not forget the redaction"
    );
}

/// Parked orders are listed, re-parking replaces the record, resolving removes it.
pub async fn parked_retry(s: &dyn SyncState) {
    let acct = account("parked");
    let p = |id: &str, attempts: u32, reason: &str| ParkedOrder {
        amazon_order_id: AmazonOrderId::new(id),
        kind: ParkKind::Host,
        reason: reason.into(),
        attempts,
        first_parked_at: T0,
        last_attempt_at: T0 + Duration::minutes(i64::from(attempts)),
    };
    s.park(&acct, p("900-0000013-0000001", 1, "sku unknown"))
        .await
        .expect("park");
    s.park(&acct, p("900-0000013-0000002", 1, "sku unknown"))
        .await
        .expect("park");
    s.park(&acct, p("900-0000013-0000001", 2, "still unknown"))
        .await
        .expect("repark");
    let parked = s.parked(&acct).await.expect("list");
    assert_eq!(parked.len(), 2, "re-parking must not duplicate: {parked:?}");
    let first = parked
        .iter()
        .find(|x| x.amazon_order_id.as_str() == "900-0000013-0000001")
        .expect("first parked");
    assert_eq!(first.attempts, 2);
    assert_eq!(first.reason, "still unknown");
    let commit = ImportCommit {
        resolved: vec![AmazonOrderId::new("900-0000013-0000001")],
        ..Default::default()
    };
    s.commit_import(&acct, &commit).await.expect("resolve");
    let parked = s.parked(&acct).await.expect("list");
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].amazon_order_id.as_str(), "900-0000013-0000002");
    assert!(
        s.parked(&account("parked-other"))
            .await
            .expect("list")
            .is_empty()
    );
}

fn shipment_payload(order_id: &str, package: &str, tracking: &str) -> OutboxPayload {
    let order = sample_order(order_id, T0);
    let mut ship = shipment_for(&order, package, T0);
    ship.tracking_number = tracking.to_owned();
    OutboxPayload::Shipment(ship)
}

fn finish(version: u32, status: OutboxStatus, next: OffsetDateTime) -> Finish {
    Finish {
        version,
        status,
        next_attempt_at: next,
        last_error: None,
    }
}

/// Offering a payload creates version 1; the same payload changes nothing; a changed one
/// becomes the next version, pending again, even after it was confirmed (a correction).
pub async fn outbox_offer_versions(s: &dyn SyncState) {
    let acct = account("outbox-offer");
    let p1 = shipment_payload("900-0000014-0000001", "1", "1Z-A");
    let (kind, subject) = (p1.kind(), p1.subject());
    assert_eq!(
        s.outbox_get(&acct, kind, &subject).await.expect("get"),
        None
    );
    let first = s
        .outbox_offer(&acct, &p1, Origin::Store, T0)
        .await
        .expect("offer");
    assert!(
        matches!(first, Offered::New(ref e) if e.version == 1 && e.status == OutboxStatus::Pending)
    );
    let again = s
        .outbox_offer(&acct, &p1, Origin::Store, T0 + Duration::minutes(1))
        .await
        .expect("offer");
    assert!(
        matches!(again, Offered::Unchanged(ref e) if e.version == 1),
        "the same payload must not make a new version: {again:?}"
    );
    // Send and confirm version 1.
    let claim = s
        .outbox_claim(&acct, kind, &subject, "w1", T0, T0 + Duration::minutes(2))
        .await
        .expect("claim");
    assert!(matches!(claim, Claim::Claimed { .. }), "{claim:?}");
    let confirmed = OutboxStatus::Confirmed { at: T0 };
    assert!(
        s.outbox_finish(
            &acct,
            kind,
            &subject,
            Some("w1"),
            &finish(1, confirmed.clone(), T0),
            T0
        )
        .await
        .expect("finish")
    );
    assert_eq!(
        s.outbox_claim(&acct, kind, &subject, "w1", T0, T0 + Duration::minutes(2))
            .await
            .expect("claim"),
        Claim::Final(confirmed),
        "a confirmed version must never be claimed again"
    );
    // A tracking correction: version 2, pending, due now.
    let p2 = shipment_payload("900-0000014-0000001", "1", "1Z-B");
    let later = T0 + Duration::hours(1);
    let corrected = s
        .outbox_offer(&acct, &p2, Origin::Store, later)
        .await
        .expect("offer");
    match corrected {
        Offered::NewVersion(e) => {
            assert_eq!(e.version, 2);
            assert_eq!(e.status, OutboxStatus::Pending);
            assert_eq!(e.payload, p2);
            assert_eq!(e.attempts, 0);
            assert!(!e.reported);
        }
        other => panic!("a changed payload must be a new version: {other:?}"),
    }
    let due = s.outbox_due(&acct, later, 10).await.expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].version, 2);
    let stored = s
        .outbox_get(&acct, kind, &subject)
        .await
        .expect("get")
        .expect("entry");
    assert_eq!(stored.payload, p2);
    assert_eq!(stored.origin, Origin::Store);
}

/// A live lease has one holder; an expired one can be taken over, and the claimer then
/// sees that the earlier attempt's outcome is unknown.
pub async fn outbox_lease_has_one_holder(s: &dyn SyncState) {
    let acct = account("outbox-lease");
    let p = shipment_payload("900-0000014-0000002", "1", "1Z-C");
    let (kind, subject) = (p.kind(), p.subject());
    let lease_end = T0 + Duration::minutes(2);
    s.outbox_offer(&acct, &p, Origin::Warehouse, T0)
        .await
        .expect("offer");
    let a = s
        .outbox_claim(&acct, kind, &subject, "A", T0, lease_end)
        .await
        .expect("claim");
    match &a {
        Claim::Claimed { entry, previous } => {
            assert_eq!(*previous, OutboxStatus::Pending);
            assert_eq!(entry.status, OutboxStatus::Claimed);
            assert_eq!(entry.attempts, 1);
            assert_eq!(
                entry.lease,
                Some(Lease {
                    owner: "A".into(),
                    expires_at: lease_end
                })
            );
        }
        other => panic!("first claim must win: {other:?}"),
    }
    assert_eq!(
        s.outbox_claim(
            &acct,
            kind,
            &subject,
            "B",
            T0 + Duration::minutes(1),
            lease_end
        )
        .await
        .expect("claim"),
        Claim::Busy {
            owner: "A".into(),
            until: lease_end
        },
        "a live lease must not be claimed by another owner"
    );
    assert!(
        s.outbox_due(&acct, T0 + Duration::minutes(1), 10)
            .await
            .expect("due")
            .is_empty(),
        "a leased entry is not due"
    );
    assert!(
        !s.outbox_finish(
            &acct,
            kind,
            &subject,
            Some("B"),
            &finish(1, OutboxStatus::Confirmed { at: T0 }, T0),
            T0
        )
        .await
        .expect("finish"),
        "only the lease holder may finish"
    );
    // A process known dead: its leases can be ended at once (here on another account,
    // which must not be touched).
    assert_eq!(
        s.outbox_release_owner(&account("outbox-lease-other"), "A", T0)
            .await
            .expect("release"),
        0
    );
    // A dies; its lease runs out; B takes over and must verify.
    let after = lease_end + Duration::seconds(1);
    let due = s.outbox_due(&acct, after, 10).await.expect("due");
    assert_eq!(due.len(), 1, "an expired lease makes the entry due again");
    match s
        .outbox_claim(
            &acct,
            kind,
            &subject,
            "B",
            after,
            after + Duration::minutes(2),
        )
        .await
        .expect("claim")
    {
        Claim::Claimed { entry, previous } => {
            assert_eq!(previous, OutboxStatus::Claimed);
            assert!(previous.outcome_unknown());
            assert_eq!(entry.attempts, 2);
            assert_eq!(entry.lease.as_ref().map(|l| l.owner.as_str()), Some("B"));
        }
        other => panic!("an expired lease must be claimable: {other:?}"),
    }
    assert!(
        !s.outbox_finish(
            &acct,
            kind,
            &subject,
            Some("A"),
            &finish(1, OutboxStatus::Confirmed { at: T0 }, T0),
            after
        )
        .await
        .expect("finish"),
        "the old holder's late finish must be ignored"
    );
}

/// The leases of a process known to be dead can be ended at once; others then take its
/// entries and see the outcome as unknown.
pub async fn outbox_release_owner_frees_its_leases(s: &dyn SyncState) {
    let acct = account("outbox-release");
    let p = shipment_payload("900-0000014-0000006", "1", "1Z-G");
    let (kind, subject) = (p.kind(), p.subject());
    s.outbox_offer(&acct, &p, Origin::Store, T0)
        .await
        .expect("offer");
    let until = T0 + Duration::minutes(2);
    assert!(matches!(
        s.outbox_claim(&acct, kind, &subject, "dead", T0, until)
            .await
            .expect("claim"),
        Claim::Claimed { .. }
    ));
    let now = T0 + Duration::seconds(5);
    assert_eq!(
        s.outbox_release_owner(&acct, "someone-else", now)
            .await
            .expect("release"),
        0
    );
    assert!(matches!(
        s.outbox_claim(&acct, kind, &subject, "B", now, until)
            .await
            .expect("claim"),
        Claim::Busy { .. }
    ));
    assert_eq!(
        s.outbox_release_owner(&acct, "dead", now)
            .await
            .expect("release"),
        1
    );
    match s
        .outbox_claim(&acct, kind, &subject, "B", now, until)
        .await
        .expect("claim")
    {
        Claim::Claimed { previous, .. } => assert!(previous.outcome_unknown()),
        other => panic!("a released lease must be claimable at once: {other:?}"),
    }
}

/// Many claimers racing for one entry: exactly one wins.
pub async fn outbox_racing_claims_one_winner(s: &dyn SyncState) {
    let acct = account("outbox-race");
    let p = shipment_payload("900-0000014-0000003", "1", "1Z-D");
    let (kind, subject) = (p.kind(), p.subject());
    s.outbox_offer(&acct, &p, Origin::Store, T0)
        .await
        .expect("offer");
    let owners: Vec<String> = (0..10).map(|i| format!("worker-{i}")).collect();
    let claims = futures::future::join_all(
        owners
            .iter()
            .map(|o| s.outbox_claim(&acct, kind, &subject, o, T0, T0 + Duration::minutes(2))),
    )
    .await;
    let winners = claims
        .iter()
        .filter(|c| matches!(c, Ok(Claim::Claimed { .. })))
        .count();
    assert_eq!(winners, 1, "exactly one racing claim must win: {claims:?}");
    assert!(
        claims
            .iter()
            .all(|c| matches!(c, Ok(Claim::Claimed { .. }) | Ok(Claim::Busy { .. }))),
        "the others must see the entry busy: {claims:?}"
    );
    let e = s
        .outbox_get(&acct, kind, &subject)
        .await
        .expect("get")
        .expect("entry");
    assert_eq!(e.attempts, 1);
}

/// Finishing: only the current version; a backoff keeps an entry out of the due list until
/// its time; a final entry is due only until the host is told; entries are independent.
pub async fn outbox_finish_and_due(s: &dyn SyncState) {
    let acct = account("outbox-due");
    let a = shipment_payload("900-0000014-0000004", "1", "1Z-E");
    let b = shipment_payload("900-0000014-0000005", "1", "1Z-F");
    let lease = T0 + Duration::minutes(2);
    for p in [&a, &b] {
        s.outbox_offer(&acct, p, Origin::Store, T0)
            .await
            .expect("offer");
    }
    let (kind, sa) = (a.kind(), a.subject());
    let sb = b.subject();
    assert!(matches!(
        s.outbox_claim(&acct, kind, &sa, "W", T0, lease)
            .await
            .expect("claim"),
        Claim::Claimed { .. }
    ));
    assert!(
        !s.outbox_finish(
            &acct,
            kind,
            &sa,
            Some("W"),
            &finish(7, OutboxStatus::Pending, T0),
            T0
        )
        .await
        .expect("finish"),
        "a finish for another version must be ignored"
    );
    let retry = T0 + Duration::minutes(5);
    let unknown = OutboxStatus::Unknown {
        error: "timeout".into(),
    };
    assert!(
        s.outbox_finish(
            &acct,
            kind,
            &sa,
            Some("W"),
            &finish(1, unknown.clone(), retry),
            T0
        )
        .await
        .expect("finish")
    );
    let due: Vec<String> = s
        .outbox_due(&acct, T0, 10)
        .await
        .expect("due")
        .iter()
        .map(|e| e.subject())
        .collect();
    assert_eq!(
        due,
        vec![sb.clone()],
        "a backed-off entry must not block or be due"
    );
    assert_eq!(
        s.outbox_claim(&acct, kind, &sa, "W", T0, lease)
            .await
            .expect("claim"),
        Claim::NotDue { at: retry }
    );
    match s
        .outbox_claim(&acct, kind, &sa, "W", retry, retry + Duration::minutes(2))
        .await
        .expect("claim")
    {
        Claim::Claimed { previous, .. } => assert_eq!(previous, unknown),
        other => panic!("due again after the backoff: {other:?}"),
    }
    let rejected = OutboxStatus::Rejected {
        message: "InvalidInput: bad".into(),
    };
    assert!(
        s.outbox_finish(
            &acct,
            kind,
            &sa,
            Some("W"),
            &finish(1, rejected.clone(), retry),
            retry
        )
        .await
        .expect("finish")
    );
    let due = s.outbox_due(&acct, retry, 10).await.expect("due");
    assert!(
        due.iter()
            .any(|e| e.subject() == sa && e.status == rejected),
        "a final entry stays due until the host is told"
    );
    s.outbox_reported(&acct, kind, &sa, 1)
        .await
        .expect("reported");
    let due = s.outbox_due(&acct, retry, 10).await.expect("due");
    assert!(due.iter().all(|e| e.subject() != sa));
    let open: Vec<String> = s
        .outbox_open(&acct, 10)
        .await
        .expect("open")
        .iter()
        .map(|e| e.subject())
        .collect();
    assert_eq!(open, vec![sb], "final entries are not open");
    // An operator's decision applies without a lease.
    assert!(
        s.outbox_finish(
            &acct,
            kind,
            &b.subject(),
            None,
            &finish(1, OutboxStatus::Confirmed { at: retry }, retry),
            retry
        )
        .await
        .expect("operator finish")
    );
}

/// The run lock has one holder at a time; its holder renews it; it expires; a dead
/// holder can be taken over; only the holder releases it.
pub async fn run_lock_one_holder(s: &dyn SyncState) {
    let acct = account("run-lock");
    let job = JobKind::ExportShipments;
    let until = T0 + Duration::minutes(2);
    assert_eq!(
        s.run_lock(&acct, job, "A", T0, until, None)
            .await
            .expect("lock"),
        RunLock::Acquired { until }
    );
    assert_eq!(
        s.run_lock(&acct, job, "B", T0 + Duration::minutes(1), until, None)
            .await
            .expect("lock"),
        RunLock::Held {
            owner: "A".into(),
            until
        },
        "a second process must be told who holds the lock and until when"
    );
    assert_eq!(
        s.run_lock(&acct, JobKind::ImportOrders, "B", T0, until, None)
            .await
            .expect("lock"),
        RunLock::Acquired { until },
        "locks are per job"
    );
    let renewed = T0 + Duration::minutes(3);
    assert_eq!(
        s.run_lock(&acct, job, "A", T0 + Duration::minutes(1), renewed, None)
            .await
            .expect("renew"),
        RunLock::Acquired { until: renewed }
    );
    s.run_unlock(&acct, job, "B").await.expect("unlock");
    assert!(
        matches!(
            s.run_lock(&acct, job, "B", T0 + Duration::minutes(2), renewed, None)
                .await
                .expect("lock"),
            RunLock::Held { .. }
        ),
        "only the holder releases the lock"
    );
    assert_eq!(
        s.run_lock(
            &acct,
            job,
            "B",
            T0 + Duration::minutes(2),
            renewed,
            Some("A")
        )
        .await
        .expect("take over"),
        RunLock::Acquired { until: renewed },
        "a dead holder can be taken over"
    );
    s.run_unlock(&acct, job, "B").await.expect("unlock");
    assert!(matches!(
        s.run_lock(&acct, job, "C", T0, until, None)
            .await
            .expect("lock"),
        RunLock::Acquired { .. }
    ));
    // Expiry.
    assert!(
        matches!(
            s.run_lock(
                &acct,
                job,
                "D",
                until + Duration::seconds(1),
                until + Duration::minutes(2),
                None
            )
            .await
            .expect("lock"),
            RunLock::Acquired { .. }
        ),
        "an expired lock is free"
    );
}

/// Orders with an open buyer cancellation request are listed.
pub async fn cancel_requests_listed(s: &dyn SyncState) {
    let acct = account("cancel-req");
    let mut asked = entry("900-0000018-0000001", T0);
    asked.cancel_requested = vec![crate::ids::OrderItemId::new("11")];
    s.record_entry(&acct, asked.clone()).await.expect("record");
    s.record_entry(&acct, entry("900-0000018-0000002", T0))
        .await
        .expect("record");
    let got = s.cancel_requests(&acct, 10).await.expect("list");
    assert_eq!(got, vec![asked.clone()]);
    // A newer version without the request clears it.
    let mut later = asked.clone();
    later.last_updated_at = T0 + Duration::minutes(5);
    later.cancel_requested.clear();
    s.record_entry(&acct, later).await.expect("record");
    assert!(s.cancel_requests(&acct, 10).await.expect("list").is_empty());
}

/// A batched id map read returns exactly the known entries.
pub async fn id_map_get_many_returns_known(s: &dyn SyncState) {
    let acct = account("many");
    let e1 = entry("900-0000016-0000001", T0);
    let e2 = entry("900-0000016-0000002", T0 + Duration::minutes(1));
    s.record_entry(&acct, e1.clone()).await.expect("record");
    s.record_entry(&acct, e2.clone()).await.expect("record");
    let ids = [
        e1.amazon_order_id.clone(),
        AmazonOrderId::new("900-0000016-0000009"),
        e2.amazon_order_id.clone(),
    ];
    let got = s.id_map_get_many(&acct, &ids).await.expect("read");
    assert_eq!(got.len(), 2);
    assert_eq!(got.get(&e1.amazon_order_id), Some(&e1));
    assert_eq!(got.get(&e2.amazon_order_id), Some(&e2));
    let other = s
        .id_map_get_many(&account("many-other"), &ids)
        .await
        .expect("read");
    assert!(other.is_empty());
    assert!(
        s.id_map_get_many(&acct, &[])
            .await
            .expect("read")
            .is_empty()
    );
}

/// Orders whose PII expired (and only those) are due; marking them removes them.
pub async fn redaction_due(s: &dyn SyncState) {
    let acct = account("due");
    let now = T0 + Duration::days(60);
    let mut past = entry("900-0000015-0000001", T0);
    past.pii_expires_at = Some(now - Duration::days(1));
    let mut exact = entry("900-0000015-0000002", T0);
    exact.pii_expires_at = Some(now);
    let mut future = entry("900-0000015-0000003", T0);
    future.pii_expires_at = Some(now + Duration::days(1));
    let unknown = entry("900-0000015-0000004", T0);
    for e in [&past, &exact, &future, &unknown] {
        s.record_entry(&acct, e.clone()).await.expect("record");
    }
    let mut due: Vec<String> = s
        .due_for_redaction(&acct, now, 100)
        .await
        .expect("due")
        .into_iter()
        .map(|e| e.amazon_order_id.into_inner())
        .collect();
    due.sort();
    assert_eq!(due, vec!["900-0000015-0000001", "900-0000015-0000002"]);
    assert_eq!(
        s.due_for_redaction(&acct, now, 1).await.expect("due").len(),
        1
    );
    s.mark_redacted(&acct, &past.amazon_order_id, "Amazon Replaced", now)
        .await
        .expect("mark");
    let due = s.due_for_redaction(&acct, now, 100).await.expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].amazon_order_id, exact.amazon_order_id);
    let marked = s
        .id_map_get(&acct, &past.amazon_order_id)
        .await
        .expect("read")
        .expect("entry");
    assert_eq!(marked.redacted_at, Some(now));
    assert_eq!(
        marked.last_updated_at, past.last_updated_at,
        "only the mark changes"
    );
}

/// Run reports come back newest first, filtered by job, limited.
pub async fn run_reports_listed(s: &dyn SyncState) {
    let acct = account("runs");
    for (i, job) in [
        JobKind::ImportOrders,
        JobKind::ExportShipments,
        JobKind::ImportOrders,
    ]
    .into_iter()
    .enumerate()
    {
        let mut r = RunReport::start(acct.clone(), job, T0 + Duration::minutes(i as i64));
        r.finished_at = r.started_at + Duration::seconds(3);
        r.counts.fetched = i as u64;
        if i == 1 {
            r.outcome = RunOutcome::Failed;
            r.errors.push("Amazon Server error: boom".into());
        }
        s.record_run(&r).await.expect("record");
    }
    let all = s.recent_runs(&acct, None, 10).await.expect("list");
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].started_at, T0 + Duration::minutes(2), "newest first");
    assert_eq!(all[1].outcome, RunOutcome::Failed);
    assert_eq!(all[1].errors.len(), 1);
    let imports = s
        .recent_runs(&acct, Some(JobKind::ImportOrders), 10)
        .await
        .expect("list");
    assert_eq!(imports.len(), 2);
    assert!(imports.iter().all(|r| r.job == JobKind::ImportOrders));
    assert_eq!(s.recent_runs(&acct, None, 1).await.expect("list").len(), 1);
    assert!(
        s.recent_runs(&account("runs-other"), None, 10)
            .await
            .expect("list")
            .is_empty()
    );
}

/// Runs every store check.
pub async fn run_all_store(h: &dyn StoreHarness) {
    upsert_is_idempotent(h).await;
    newer_wins(h).await;
    accounts_are_isolated(h).await;
    shipments_ready_until_final(h).await;
    redaction_keeps_totals(h).await;
    batch_upsert_matches_single(h).await;
}

/// Runs every state check.
pub async fn run_all_state(s: &dyn SyncState) {
    cursor_compare_and_set(s).await;
    commit_is_atomic(s).await;
    id_map_newer_wins(s).await;
    id_map_get_many_returns_known(s).await;
    parked_retry(s).await;
    outbox_offer_versions(s).await;
    outbox_lease_has_one_holder(s).await;
    outbox_racing_claims_one_winner(s).await;
    outbox_release_owner_frees_its_leases(s).await;
    outbox_finish_and_due(s).await;
    run_lock_one_holder(s).await;
    cancel_requests_listed(s).await;
    redaction_due(s).await;
    run_reports_listed(s).await;
}

/// Runs the whole suite against a store and a state.
pub async fn run_all(store: &dyn StoreHarness, state: &dyn SyncState) {
    run_all_store(store).await;
    run_all_state(state).await;
}
