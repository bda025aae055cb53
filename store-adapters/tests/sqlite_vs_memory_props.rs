//! Property: the SQLite adapter behaves exactly like the in-memory one (the reference)
//! under any sequence of sync state and order store calls: same results call by call,
//! same state at the end.

use order_mapping::vocab::{FulfillmentChannel, OrderStatus};
use order_sync_core::error::StateError;
use order_sync_core::fixtures::{host_order, sample_order, shipment_for};
use order_sync_core::host::{OrderStore, ShipmentResult, UpsertOutcome};
use order_sync_core::ids::{AccountId, AmazonOrderId, HostOrderId, MarketplaceId, PackageRef};
use order_sync_core::state::{
    Claim, Cursor, CursorAdvance, Finish, IdMapEntry, ImportCommit, JobKind, Origin, OutboxKind,
    OutboxPayload, OutboxStatus, ParkKind, ParkedOrder, SyncState,
};
use proptest::prelude::*;
use store_adapters::memory::{MemoryState, MemoryStore};
use store_adapters::sqlite::SqliteStore;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);
const IDS: usize = 4;

fn acct() -> AccountId {
    AccountId::new("diff")
}

fn oid(i: usize) -> AmazonOrderId {
    AmazonOrderId::new(format!("901-{i:07}-0000001"))
}

fn at(minutes: i64) -> OffsetDateTime {
    T0 + Duration::minutes(minutes)
}

#[derive(Debug, Clone)]
enum Op {
    Commit {
        entries: Vec<(usize, i64, bool, bool)>,
        parked: Vec<(usize, u32)>,
        resolved: Vec<usize>,
        cursor: Option<(Option<i64>, i64)>,
    },
    OutboxPut(usize, u8, u8, u32),
    OutboxClaim(usize, u8),
    MarkRedacted(usize, i64),
    Upsert(usize, i64, bool),
    UpsertBatch(Vec<(usize, i64, bool)>),
    Ship(usize, u8, i64),
    Record(usize, u8, u8),
    Redact(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let id = 0..IDS;
    prop_oneof![
        (
            proptest::collection::vec((0..IDS, 0i64..5, any::<bool>(), any::<bool>()), 0..4),
            proptest::collection::vec((0..IDS, 1u32..4), 0..2),
            proptest::collection::vec(0..IDS, 0..2),
            proptest::option::of((proptest::option::of(0i64..4), 0i64..4)),
        )
            .prop_map(|(entries, parked, resolved, cursor)| Op::Commit {
                entries,
                parked,
                resolved,
                cursor,
            }),
        (id.clone(), 1u8..3, 0u8..6, 0u32..3).prop_map(|(i, p, s, a)| Op::OutboxPut(i, p, s, a)),
        (id.clone(), 1u8..4).prop_map(|(i, p)| Op::OutboxClaim(i, p)),
        (id.clone(), 0i64..3).prop_map(|(i, m)| Op::MarkRedacted(i, m)),
        (id.clone(), 0i64..4, any::<bool>()).prop_map(|(i, v, c)| Op::Upsert(i, v, c)),
        proptest::collection::vec((0..IDS, 0i64..4, any::<bool>()), 0..6).prop_map(Op::UpsertBatch),
        (id.clone(), 1u8..3, 0i64..3).prop_map(|(i, p, d)| Op::Ship(i, p, d)),
        (id.clone(), 1u8..3, 0u8..4).prop_map(|(i, p, r)| Op::Record(i, p, r)),
        id.prop_map(Op::Redact),
    ]
}

fn entry(i: usize, version: i64, expires: bool, redacted: bool) -> IdMapEntry {
    IdMapEntry {
        amazon_order_id: oid(i),
        host_order_id: (version % 2 == 0).then(|| HostOrderId::new(format!("H{i}-{version}"))),
        warehouse_id: None,
        marketplace: MarketplaceId::new("ATVPDKIKX0DER"),
        channel: FulfillmentChannel::Merchant,
        status: if version % 3 == 0 {
            OrderStatus::Shipped
        } else {
            OrderStatus::Unshipped
        },
        last_updated_at: at(version),
        imported_at: at(version + 1),
        cancel_requested: Vec::new(),
        pii_expires_at: expires.then(|| at(60 * 24 * 30 + version)),
        redacted_at: redacted.then(|| at(100)),
    }
}

fn status(s: u8) -> OutboxStatus {
    match s {
        0 => OutboxStatus::Pending,
        1 => OutboxStatus::Held {
            reason: "future ship date".into(),
            until: Some(at(90)),
        },
        2 => OutboxStatus::Unknown {
            error: "timeout".into(),
        },
        3 => OutboxStatus::Confirmed { at: at(7) },
        4 => OutboxStatus::Refused {
            reason: "carrier not mapped".into(),
        },
        _ => OutboxStatus::Rejected {
            message: "InvalidInput".into(),
        },
    }
}

fn result(r: u8) -> ShipmentResult {
    match r {
        0 => ShipmentResult::Confirmed { at: at(3) },
        1 => ShipmentResult::Refused {
            reason: "no carrier".into(),
        },
        2 => ShipmentResult::Held {
            reason: "later".into(),
            until: None,
        },
        _ => ShipmentResult::Rejected {
            message: "no".into(),
        },
    }
}

/// A comparable summary of a call's result (errors by kind, not by message).
fn state_result<T: std::fmt::Debug>(r: Result<T, StateError>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}"),
        Err(StateError::CursorConflict { expected, found }) => {
            format!("conflict {expected:?} {found:?}")
        }
        Err(e) => format!("error {e}"),
    }
}

/// Host ids differ between adapters by design: compare the action only.
fn upsert_result(r: Result<UpsertOutcome, order_sync_core::error::StoreError>) -> String {
    match r {
        Ok(o) => format!("ok {:?}", o.action),
        Err(e) => format!("error {:?}", e.kind()),
    }
}

fn store_result<T: std::fmt::Debug>(r: Result<T, order_sync_core::error::StoreError>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}"),
        Err(e) => format!("error {:?}", e.kind()),
    }
}

async fn apply_state(s: &dyn SyncState, op: &Op) -> Option<String> {
    let a = acct();
    Some(match op {
        Op::Commit {
            entries,
            parked,
            resolved,
            cursor,
        } => {
            let commit = ImportCommit {
                entries: entries
                    .iter()
                    .map(|&(i, v, e, r)| entry(i, v, e, r))
                    .collect(),
                parked: parked
                    .iter()
                    .map(|&(i, n)| ParkedOrder {
                        amazon_order_id: oid(i),
                        kind: ParkKind::Host,
                        reason: format!("attempt {n}"),
                        attempts: n,
                        first_parked_at: at(i as i64),
                        last_attempt_at: at(10 + i64::from(n)),
                    })
                    .collect(),
                resolved: resolved.iter().map(|&i| oid(i)).collect(),
                cursor: cursor.map(|(expected, new)| {
                    (
                        JobKind::ImportOrders,
                        CursorAdvance {
                            expected: expected.map(at),
                            new: Cursor {
                                position: at(new),
                                updated_at: at(new),
                            },
                        },
                    )
                }),
            };
            state_result(s.commit_import(&a, &commit).await)
        }
        Op::OutboxPut(i, p, st, attempts) => {
            // Offer a version (the tracking varies), then, for a non-zero status, claim it
            // and finish the attempt with that status.
            let order = sample_order(oid(*i).as_str(), T0);
            let mut ship = shipment_for(&order, &p.to_string(), T0);
            ship.tracking_number = format!("1Z-{}", attempts % 3);
            let payload = OutboxPayload::Shipment(ship);
            let offered = state_result(s.outbox_offer(&a, &payload, Origin::Store, at(1)).await);
            if *st == 0 {
                return Some(offered);
            }
            let subject = payload.subject();
            let claim = s
                .outbox_claim(&a, OutboxKind::Shipment, &subject, "w", at(2), at(5))
                .await;
            let version = match &claim {
                Ok(Claim::Claimed { entry, .. }) => entry.version,
                _ => 0,
            };
            let finish = Finish {
                version,
                status: status(*st),
                next_attempt_at: at(3),
                last_error: (*st == 5).then(|| "rejected".to_owned()),
            };
            let finished = s
                .outbox_finish(
                    &a,
                    OutboxKind::Shipment,
                    &subject,
                    Some("w"),
                    &finish,
                    at(2),
                )
                .await;
            format!(
                "{offered} | {} | {}",
                state_result(claim),
                state_result(finished)
            )
        }
        Op::OutboxClaim(i, p) => state_result(
            s.outbox_claim(
                &a,
                OutboxKind::Shipment,
                &format!("{}/{p}", oid(*i)),
                "w2",
                at(3),
                at(4),
            )
            .await,
        ),
        Op::MarkRedacted(i, m) => state_result(
            s.mark_redacted(&a, &oid(*i), "Amazon Replaced", at(200 + m))
                .await,
        ),
        _ => return None,
    })
}

async fn apply_store(
    s: &dyn OrderStore,
    ship: impl AsyncFn(&AccountId, order_sync_core::model::HostShipment) -> String,
    op: &Op,
) -> Option<String> {
    let a = acct();
    Some(match op {
        Op::Upsert(i, v, cancelled) => {
            let mut h = host_order(&a, sample_order(oid(*i).as_str(), at(*v)));
            if *cancelled {
                h.mapped.status = "cancelled".into();
            }
            upsert_result(s.upsert_order(&h).await)
        }
        Op::UpsertBatch(items) => {
            let orders: Vec<_> = items
                .iter()
                .map(|(i, v, cancelled)| {
                    let mut h = host_order(&a, sample_order(oid(*i).as_str(), at(*v)));
                    if *cancelled {
                        h.mapped.status = "cancelled".into();
                    }
                    h
                })
                .collect();
            match s.upsert_orders(&orders).await {
                Ok(results) => results
                    .into_iter()
                    .map(upsert_result)
                    .collect::<Vec<_>>()
                    .join(", "),
                Err(e) => format!("batch error {:?}", e.kind()),
            }
        }
        Op::Ship(i, p, d) => {
            let order = sample_order(oid(*i).as_str(), T0);
            ship(&a, shipment_for(&order, &p.to_string(), at(*d))).await
        }
        Op::Record(i, p, r) => {
            let order = sample_order(oid(*i).as_str(), T0);
            let shipment = shipment_for(&order, &p.to_string(), T0);
            store_result(s.record_shipment_result(&a, &shipment, &result(*r)).await)
        }
        Op::Redact(i) => store_result(s.redact_pii(&a, &oid(*i), "Amazon Replaced").await),
        _ => return None,
    })
}

async fn state_snapshot(s: &dyn SyncState) -> String {
    let a = acct();
    let mut out = Vec::new();
    out.push(state_result(s.cursor(&a, JobKind::ImportOrders).await));
    for i in 0..IDS {
        out.push(state_result(s.id_map_get(&a, &oid(i)).await));
        for p in 1..4 {
            let got = s
                .outbox_get(&a, OutboxKind::Shipment, &format!("{}/{p}", oid(i)))
                .await;
            out.push(state_result(got));
        }
    }
    out.push(state_result(s.parked(&a).await));
    out.push(state_result(s.outbox_open(&a, 100).await));
    out.push(state_result(
        s.due_for_redaction(&a, at(60 * 24 * 40), 100).await,
    ));
    out.join("\n")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn sqlite_state_matches_memory(ops in proptest::collection::vec(op(), 1..25)) {
        runtime().block_on(async {
            let sqlite = SqliteStore::open_in_memory().await.expect("open");
            let memory = MemoryState::new();
            for (n, op) in ops.iter().enumerate() {
                let want = apply_state(&memory, op).await;
                let got = apply_state(&sqlite, op).await;
                prop_assert_eq!(got, want, "call {} {:?}", n, op);
            }
            prop_assert_eq!(state_snapshot(&sqlite).await, state_snapshot(&memory).await);
            Ok(())
        })?;
    }

    #[test]
    fn sqlite_store_matches_memory(ops in proptest::collection::vec(op(), 1..25)) {
        runtime().block_on(async {
            let sqlite = SqliteStore::open_in_memory().await.expect("open");
            let memory = MemoryStore::new();
            for (n, op) in ops.iter().enumerate() {
                // Shipping an order the host lacks: SQLite refuses, the memory host
                // accepts anything. Only ship what both hold.
                if let Op::Ship(i, ..) = op {
                    if memory.order(&acct(), &oid(*i)).is_none() {
                        continue;
                    }
                }
                let want = apply_store(
                    &memory,
                    async |a: &AccountId, s| {
                        memory.ship(a, s);
                        "ok ()".to_owned()
                    },
                    op,
                )
                .await;
                let got = apply_store(
                    &sqlite,
                    async |a: &AccountId, s| store_result(sqlite.ship(a, &s).await),
                    op,
                )
                .await;
                prop_assert_eq!(got, want, "call {} {:?}", n, op);
            }
            for i in 0..IDS {
                let a = acct();
                prop_assert_eq!(
                    sqlite.order(&a, &oid(i)).await.expect("read"),
                    memory.order(&a, &oid(i)),
                    "order {}", i
                );
                for p in 1..3u8 {
                    let pkg = PackageRef::new(p.to_string());
                    prop_assert_eq!(
                        sqlite.shipment_result(&a, &oid(i), &pkg).await.expect("read"),
                        memory.shipment_result(&a, &oid(i), &pkg),
                        "package {} of {}", p, i
                    );
                }
            }
            prop_assert_eq!(
                sqlite.shipments_ready(&acct(), 100).await.expect("ready"),
                memory.shipments_ready(&acct(), 100).await.expect("ready")
            );
            prop_assert_eq!(sqlite.count_orders(&acct()).await.expect("count"), memory.len() as u64);
            Ok(())
        })?;
    }
}
