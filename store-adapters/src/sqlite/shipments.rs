//! The shipment tables: packages the host shipped (`shipments`, `shipment_items`) and
//! what the engine made of them.

use std::collections::{HashMap, HashSet};

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};

use order_sync_core::host::ShipmentResult;
use order_sync_core::ids::{AccountId, AmazonOrderId, OrderItemId, PackageRef};
use order_sync_core::model::{HostShipment, PackageItem};

use super::codec::{
    DbError, DbResult, int, json, limit, parse_ts, parse_ts_opt, parse_u32, ts, ts_opt,
};
use super::orders::{Kind, not_found};

/// Records `s` as shipped, replacing (and clearing the result of) a package with the same
/// reference. The order must exist and the items must name its lines.
pub(crate) async fn ship(
    conn: &mut SqliteConnection,
    kind: Kind,
    account: &AccountId,
    s: &HostShipment,
) -> DbResult<()> {
    if !s.package.is_valid() {
        return Err(DbError::Invalid(format!(
            "package reference {:?} is not a positive number",
            s.package.as_str()
        )));
    }
    let ship_date = ts(s.ship_date)?;
    let order_id: i64 = sqlx::query_scalar(
        "SELECT id FROM orders WHERE host = ? AND account = ? AND amazon_order_id = ?",
    )
    .bind(kind.as_str())
    .bind(account.as_str())
    .bind(s.amazon_order_id.as_str())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| not_found(account, &s.amazon_order_id))?;
    if s.items.is_empty() {
        return Err(DbError::Invalid("a package needs at least one item".into()));
    }
    if let Some(i) = s.items.iter().find(|i| i.quantity == 0) {
        return Err(DbError::Invalid(format!(
            "item {} has quantity 0",
            i.item_id
        )));
    }
    let known: HashSet<String> =
        sqlx::query_scalar::<_, String>("SELECT item_id FROM order_lines WHERE order_id = ?")
            .bind(order_id)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    if let Some(i) = s.items.iter().find(|i| !known.contains(i.item_id.as_str())) {
        return Err(DbError::Invalid(format!(
            "order {} has no line {}",
            s.amazon_order_id, i.item_id
        )));
    }
    sqlx::query(
        "DELETE FROM shipments \
         WHERE host = ? AND account = ? AND amazon_order_id = ? AND package_ref = ?",
    )
    .bind(kind.as_str())
    .bind(account.as_str())
    .bind(s.amazon_order_id.as_str())
    .bind(s.package.as_str())
    .execute(&mut *conn)
    .await?;
    let shipment_id: i64 = sqlx::query_scalar(
        "INSERT INTO shipments (order_id, host, account, amazon_order_id, package_ref, \
         carrier, service, tracking_number, ship_date, despite_cancel) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(order_id)
    .bind(kind.as_str())
    .bind(account.as_str())
    .bind(s.amazon_order_id.as_str())
    .bind(s.package.as_str())
    .bind(&s.carrier)
    .bind(s.service.as_deref())
    .bind(&s.tracking_number)
    .bind(ship_date)
    .bind(s.shipped_despite_cancellation)
    .fetch_one(&mut *conn)
    .await?;
    let items: Vec<serde_json::Value> = s
        .items
        .iter()
        .enumerate()
        .map(|(pos, item)| serde_json::json!([pos, item.item_id.as_str(), int(item.quantity)]))
        .collect();
    sqlx::query(
        "INSERT INTO shipment_items (shipment_id, position, item_id, quantity) \
         SELECT ?, j.value ->> 0, j.value ->> 1, j.value ->> 2 FROM json_each(?) AS j",
    )
    .bind(shipment_id)
    .bind(json(&items)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The next free numeric package reference of an order (`1`, `2`, ...).
pub(crate) async fn next_package_ref(
    conn: &mut SqliteConnection,
    kind: Kind,
    account: &AccountId,
    order: &AmazonOrderId,
) -> DbResult<PackageRef> {
    let refs: Vec<String> = sqlx::query_scalar(
        "SELECT package_ref FROM shipments \
         WHERE host = ? AND account = ? AND amazon_order_id = ?",
    )
    .bind(kind.as_str())
    .bind(account.as_str())
    .bind(order.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let max = refs
        .iter()
        .filter_map(|r| r.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    Ok(PackageRef::new((max + 1).to_string()))
}

/// The order's lines with their ordered quantities (for a package holding every line).
pub(crate) async fn all_items(
    conn: &mut SqliteConnection,
    kind: Kind,
    account: &AccountId,
    order: &AmazonOrderId,
) -> DbResult<Vec<PackageItem>> {
    let rows = sqlx::query(
        "SELECT l.item_id, l.quantity_ordered FROM order_lines l \
         JOIN orders o ON o.id = l.order_id \
         WHERE o.host = ? AND o.account = ? AND o.amazon_order_id = ? \
         AND l.quantity_ordered > 0 ORDER BY l.position",
    )
    .bind(kind.as_str())
    .bind(account.as_str())
    .bind(order.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PackageItem {
                item_id: OrderItemId::new(r.try_get::<String, _>("item_id")?),
                quantity: parse_u32(r.try_get("quantity_ordered")?, "quantity_ordered")?,
            })
        })
        .collect()
}

/// Packages of `account` with no result recorded, oldest first.
pub(crate) async fn ready(
    pool: &SqlitePool,
    kind: Kind,
    account: &AccountId,
    max: usize,
) -> DbResult<Vec<HostShipment>> {
    const OPEN: &str = "host = ? AND account = ? AND result IS NULL";
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(&format!(
        "SELECT * FROM shipments WHERE {OPEN} ORDER BY id LIMIT ?"
    ))
    .bind(kind.as_str())
    .bind(account.as_str())
    .bind(limit(max))
    .fetch_all(&mut *tx)
    .await?;
    let items = sqlx::query(&format!(
        "SELECT shipment_id, item_id, quantity FROM shipment_items WHERE shipment_id IN \
         (SELECT id FROM shipments WHERE {OPEN} ORDER BY id LIMIT ?) \
         ORDER BY shipment_id, position"
    ))
    .bind(kind.as_str())
    .bind(account.as_str())
    .bind(limit(max))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    decode_shipments(&rows, &items)
}

fn decode_shipments(rows: &[SqliteRow], items: &[SqliteRow]) -> DbResult<Vec<HostShipment>> {
    let mut by: HashMap<i64, Vec<PackageItem>> = HashMap::new();
    for r in items {
        by.entry(r.try_get("shipment_id")?)
            .or_default()
            .push(PackageItem {
                item_id: OrderItemId::new(r.try_get::<String, _>("item_id")?),
                quantity: parse_u32(r.try_get("quantity")?, "quantity")?,
            });
    }
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            Ok(HostShipment {
                amazon_order_id: AmazonOrderId::new(r.try_get::<String, _>("amazon_order_id")?),
                package: PackageRef::new(r.try_get::<String, _>("package_ref")?),
                carrier: r.try_get("carrier")?,
                service: r.try_get("service")?,
                tracking_number: r.try_get("tracking_number")?,
                ship_date: parse_ts(&r.try_get::<String, _>("ship_date")?, "ship_date")?,
                items: by.remove(&id).unwrap_or_default(),
                shipped_despite_cancellation: r.try_get("despite_cancel")?,
            })
        })
        .collect()
}

/// The columns `result`, `result_at`, `result_reason`, `result_until` for `r`.
type ResultColumns = (&'static str, Option<String>, Option<String>, Option<String>);

fn encode_result(r: &ShipmentResult) -> DbResult<ResultColumns> {
    Ok(match r {
        ShipmentResult::Confirmed { at } => ("confirmed", Some(ts(*at)?), None, None),
        ShipmentResult::Refused { reason } => ("refused", None, Some(reason.clone()), None),
        ShipmentResult::Held { reason, until } => {
            ("held", None, Some(reason.clone()), ts_opt(*until)?)
        }
        ShipmentResult::Rejected { message } => ("rejected", None, Some(message.clone()), None),
        ShipmentResult::Pending { note } => ("pending", None, note.clone(), None),
        other => {
            return Err(DbError::Invalid(format!(
                "unsupported shipment result {other:?}"
            )));
        }
    })
}

fn decode_result(r: &SqliteRow) -> DbResult<Option<ShipmentResult>> {
    let kind: Option<String> = r.try_get("result")?;
    let reason = || -> DbResult<String> {
        Ok(r.try_get::<Option<String>, _>("result_reason")?
            .unwrap_or_default())
    };
    Ok(match kind.as_deref() {
        None => None,
        Some("confirmed") => {
            let at: Option<String> = r.try_get("result_at")?;
            let at = parse_ts_opt(at, "result_at")?
                .ok_or_else(|| DbError::Corrupt("confirmed shipment without result_at".into()))?;
            Some(ShipmentResult::Confirmed { at })
        }
        Some("refused") => Some(ShipmentResult::Refused { reason: reason()? }),
        Some("held") => Some(ShipmentResult::Held {
            reason: reason()?,
            until: parse_ts_opt(r.try_get("result_until")?, "result_until")?,
        }),
        Some("rejected") => Some(ShipmentResult::Rejected { message: reason()? }),
        Some("pending") => Some(ShipmentResult::Pending {
            note: r.try_get("result_reason")?,
        }),
        Some(other) => {
            return Err(DbError::Corrupt(format!(
                "shipments.result: unknown value {other:?}"
            )));
        }
    })
}

/// Records what became of a package, if the host's package still has the content of
/// `shipment` (a result about content corrected since is ignored); [`DbError::NotFound`]
/// when the host has no such package.
pub(crate) async fn record(
    pool: &SqlitePool,
    kind: Kind,
    account: &AccountId,
    shipment: &HostShipment,
    result: &ShipmentResult,
) -> DbResult<()> {
    let (order, package) = (&shipment.amazon_order_id, &shipment.package);
    let (result_kind, at, reason, until) = encode_result(result)?;
    let mut tx = pool.begin_with(super::IMMEDIATE).await?;
    let rows = sqlx::query(
        "SELECT * FROM shipments WHERE host = ? AND account = ? AND amazon_order_id = ? \
         AND package_ref = ?",
    )
    .bind(kind.as_str())
    .bind(account.as_str())
    .bind(order.as_str())
    .bind(package.as_str())
    .fetch_all(&mut *tx)
    .await?;
    let items = sqlx::query(
        "SELECT i.shipment_id, i.item_id, i.quantity FROM shipment_items i \
         JOIN shipments s ON s.id = i.shipment_id \
         WHERE s.host = ? AND s.account = ? AND s.amazon_order_id = ? AND s.package_ref = ? \
         ORDER BY i.shipment_id, i.position",
    )
    .bind(kind.as_str())
    .bind(account.as_str())
    .bind(order.as_str())
    .bind(package.as_str())
    .fetch_all(&mut *tx)
    .await?;
    let held = decode_shipments(&rows, &items)?;
    let Some(current) = held.first() else {
        return Err(DbError::NotFound(format!(
            "package {package} of order {order}"
        )));
    };
    if current != shipment {
        return Ok(());
    }
    sqlx::query(
        "UPDATE shipments SET result = ?, result_at = ?, result_reason = ?, result_until = ? \
         WHERE host = ? AND account = ? AND amazon_order_id = ? AND package_ref = ?",
    )
    .bind(result_kind)
    .bind(at)
    .bind(reason)
    .bind(until)
    .bind(kind.as_str())
    .bind(account.as_str())
    .bind(order.as_str())
    .bind(package.as_str())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What became of a package (`None`: nothing recorded yet, or no such package).
pub(crate) async fn result(
    pool: &SqlitePool,
    kind: Kind,
    account: &AccountId,
    order: &AmazonOrderId,
    package: &PackageRef,
) -> DbResult<Option<ShipmentResult>> {
    let row = sqlx::query(
        "SELECT result, result_at, result_reason, result_until FROM shipments \
         WHERE host = ? AND account = ? AND amazon_order_id = ? AND package_ref = ?",
    )
    .bind(kind.as_str())
    .bind(account.as_str())
    .bind(order.as_str())
    .bind(package.as_str())
    .fetch_optional(pool)
    .await?;
    match row {
        Some(r) => decode_result(&r),
        None => Ok(None),
    }
}

/// Every package of an order with its result, by package reference order of shipping.
pub(crate) async fn of_order(
    pool: &SqlitePool,
    kind: Kind,
    account: &AccountId,
    order: &AmazonOrderId,
) -> DbResult<Vec<(HostShipment, Option<ShipmentResult>)>> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(
        "SELECT * FROM shipments WHERE host = ? AND account = ? AND amazon_order_id = ? \
         ORDER BY id",
    )
    .bind(kind.as_str())
    .bind(account.as_str())
    .bind(order.as_str())
    .fetch_all(&mut *tx)
    .await?;
    let items = sqlx::query(
        "SELECT i.shipment_id, i.item_id, i.quantity FROM shipment_items i \
         JOIN shipments s ON s.id = i.shipment_id \
         WHERE s.host = ? AND s.account = ? AND s.amazon_order_id = ? \
         ORDER BY i.shipment_id, i.position",
    )
    .bind(kind.as_str())
    .bind(account.as_str())
    .bind(order.as_str())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let shipments = decode_shipments(&rows, &items)?;
    rows.iter()
        .zip(shipments)
        .map(|(r, s)| Ok((s, decode_result(r)?)))
        .collect()
}
