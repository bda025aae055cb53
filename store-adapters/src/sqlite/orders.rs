//! The order tables: encoding a [`HostOrder`] into `orders`, `order_lines` and
//! `order_pii` rows, the newer-wins upsert, and loading orders back.

use std::collections::HashMap;

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, SqliteConnection, SqlitePool};

use order_mapping::vocab::{
    FulfillmentChannel, OrderProgram, OrderStatus, PaymentMethod, ServiceLevelCategory,
};
use order_sync_core::host::{HostName, HostOrder, MappedFields, UpsertAction, UpsertOutcome};
use order_sync_core::ids::{AccountId, AmazonOrderId, HostOrderId, MarketplaceId, OrderItemId};
use order_sync_core::model::{
    DateWindow, GiftOptions, Order, OrderLine, OrderTotals, Package, Payment,
};
use order_sync_core::pii::{Address, AddressType, BuyerPii, Recipient};

use super::codec::{
    DbError, DbResult, Param, arguments, enum_str, int, json, money, parse_enum, parse_json,
    parse_money, parse_ts, parse_ts_opt, parse_u32, ts, ts_opt,
};
use super::pii::{PiiCipher, PiiRow, pii_rows, read_pii};

/// Which host a row belongs to: the order store or the warehouse (same tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The cart: [`OrderStore`](order_sync_core::host::OrderStore).
    Store,
    /// The 3PL: [`Warehouse`](order_sync_core::host::Warehouse).
    Warehouse,
}

impl Kind {
    /// The value of the `host` columns.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Store => "store",
            Kind::Warehouse => "warehouse",
        }
    }
}

/// The columns of `orders` written on create and update, in the order of [`order_params`].
/// The first three are the key.
const ORDER_COLUMNS: [&str; 42] = [
    "host",
    "account",
    "amazon_order_id",
    "last_updated_at",
    "order_number",
    "host_status",
    "host_payment",
    "shipping_method",
    "priority",
    "seller_order_id",
    "marketplace",
    "purchased_at",
    "ship_by_set",
    "ship_by_earliest",
    "ship_by_latest",
    "deliver_by_set",
    "deliver_by_earliest",
    "deliver_by_latest",
    "delivered_at",
    "status",
    "channel",
    "service_level",
    "ship_service_level",
    "programs",
    "payment_method",
    "payment_details",
    "order_total_amount",
    "order_total_currency",
    "items_total_amount",
    "items_total_currency",
    "shipping_total_amount",
    "shipping_total_currency",
    "tax_total_amount",
    "tax_total_currency",
    "discounts_total_amount",
    "discounts_total_currency",
    "has_buyer",
    "has_recipient",
    "recipient_country",
    "recipient_address_type",
    "amazon_packages",
    "service",
];

/// The columns of `order_lines`, in the order of [`line_params`].
const LINE_COLUMNS: [&str; 30] = [
    "order_id",
    "position",
    "item_id",
    "sku",
    "asin",
    "title",
    "quantity_ordered",
    "quantity_shipped",
    "unit_price_amount",
    "unit_price_currency",
    "line_price_amount",
    "line_price_currency",
    "tax_amount",
    "tax_currency",
    "shipping_price_amount",
    "shipping_price_currency",
    "shipping_tax_amount",
    "shipping_tax_currency",
    "shipping_discount_amount",
    "shipping_discount_currency",
    "promotion_discount_amount",
    "promotion_discount_currency",
    "gift",
    "gift_wrap_level",
    "gift_wrap_price_amount",
    "gift_wrap_price_currency",
    "gift_wrap_tax_amount",
    "gift_wrap_tax_currency",
    "buyer_cancel",
    "buyer_cancel_reason",
];

fn push_money(p: &mut Vec<Param>, m: Option<&order_sync_core::money::Money>) {
    let (a, c) = money(m);
    p.push(a.into());
    p.push(c.into());
}

fn window(p: &mut Vec<Param>, w: Option<&DateWindow>) -> DbResult<()> {
    p.push(w.is_some().into());
    p.push(ts_opt(w.and_then(|w| w.earliest))?.into());
    p.push(ts_opt(w.and_then(|w| w.latest))?.into());
    Ok(())
}

/// The values of [`ORDER_COLUMNS`] for `h`.
fn order_params(h: &HostOrder, kind: Kind, service: Option<&str>) -> DbResult<Vec<Param>> {
    let o = &h.order;
    let m = &h.mapped;
    let mut p: Vec<Param> = Vec::with_capacity(ORDER_COLUMNS.len());
    p.push(kind.as_str().into());
    p.push(h.account.as_str().into());
    p.push(o.id.as_str().into());
    p.push(ts(o.last_updated_at)?.into());
    p.push(m.order_number.as_str().into());
    p.push(m.status.as_str().into());
    p.push(m.payment.as_deref().into());
    p.push(m.shipping_method.as_deref().into());
    p.push(m.priority.as_str().into());
    p.push(o.seller_order_id.as_deref().into());
    p.push(o.marketplace.as_str().into());
    p.push(ts(o.purchased_at)?.into());
    window(&mut p, o.ship_by.as_ref())?;
    window(&mut p, o.deliver_by.as_ref())?;
    p.push(ts_opt(o.delivered_at)?.into());
    p.push(o.status.as_str().into());
    p.push(o.channel.as_str().into());
    p.push(o.service_level.as_ref().map(|s| s.as_str()).into());
    p.push(o.ship_service_level.as_deref().into());
    let programs: Vec<&str> = o.programs.iter().map(OrderProgram::as_str).collect();
    p.push(json(&programs)?.into());
    p.push(o.payment.method.as_ref().map(|m| m.as_str()).into());
    p.push(json(&o.payment.details)?.into());
    let t = &o.totals;
    push_money(&mut p, t.order_total.as_ref());
    push_money(&mut p, t.items.as_ref());
    push_money(&mut p, t.shipping.as_ref());
    push_money(&mut p, t.tax.as_ref());
    push_money(&mut p, t.discounts.as_ref());
    p.push(o.buyer.is_some().into());
    p.push(o.recipient.is_some().into());
    let address = o.recipient.as_ref().map(|r| &r.address);
    p.push(address.and_then(|a| a.country_code.as_deref()).into());
    let address_type = match address.and_then(|a| a.address_type.as_ref()) {
        Some(t) => Some(enum_str(t)?),
        None => None,
    };
    p.push(address_type.into());
    p.push(json(&o.packages)?.into());
    p.push(service.into());
    debug_assert_eq!(p.len(), ORDER_COLUMNS.len());
    Ok(p)
}

/// The values of [`LINE_COLUMNS`] for line `position` of order `order_id`.
fn line_params(order_id: i64, position: usize, l: &OrderLine) -> Vec<Param> {
    let mut p: Vec<Param> = Vec::with_capacity(LINE_COLUMNS.len());
    p.push(order_id.into());
    p.push(i64::try_from(position).unwrap_or(i64::MAX).into());
    p.push(l.item_id.as_str().into());
    p.push(l.sku.as_deref().into());
    p.push(l.asin.as_str().into());
    p.push(l.title.as_deref().into());
    p.push(int(l.quantity_ordered).into());
    p.push(int(l.quantity_shipped).into());
    for m in [
        &l.unit_price,
        &l.line_price,
        &l.tax,
        &l.shipping_price,
        &l.shipping_tax,
        &l.shipping_discount,
        &l.promotion_discount,
    ] {
        push_money(&mut p, m.as_ref());
    }
    let g = l.gift.as_ref();
    p.push(g.is_some().into());
    p.push(g.and_then(|g| g.wrap_level.as_deref()).into());
    push_money(&mut p, g.and_then(|g| g.wrap_price.as_ref()));
    push_money(&mut p, g.and_then(|g| g.wrap_tax.as_ref()));
    let c = l.buyer_cancel_request.as_ref();
    p.push(c.is_some().into());
    p.push(c.and_then(|c| c.reason.as_deref()).into());
    debug_assert_eq!(p.len(), LINE_COLUMNS.len());
    p
}

/// An order encoded for the database: checked before any transaction starts.
pub(crate) struct EncodedOrder {
    order: Vec<Param>,
    lines: Vec<Vec<Param>>,
    pii: Vec<PiiRow>,
    last_updated_at: String,
}

/// Encodes `h` for host `kind` (with the warehouse's `service`); fails with
/// [`DbError::Invalid`] on values the store cannot hold.
pub(crate) fn encode(
    h: &HostOrder,
    kind: Kind,
    service: Option<&str>,
    cipher: &dyn PiiCipher,
) -> DbResult<EncodedOrder> {
    // Refused here rather than by the table's constraint, so that one bad order of a
    // batch fails alone, before the batch's transaction starts.
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = h.order.lines.iter().find(|l| !seen.insert(&l.item_id)) {
        return Err(DbError::Invalid(format!(
            "order {} has two lines with item id {}",
            h.order.id, dup.item_id
        )));
    }
    Ok(EncodedOrder {
        order: order_params(h, kind, service)?,
        // The order id is bound when known; the placeholder 0 is replaced then.
        lines: h
            .order
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| line_params(0, i, l))
            .collect(),
        pii: pii_rows(h, cipher)?,
        last_updated_at: ts(h.order.last_updated_at)?,
    })
}

fn insert_sql() -> &'static str {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let cols = ORDER_COLUMNS;
        let marks = vec!["?"; cols.len()].join(", ");
        format!(
            "INSERT INTO orders ({}) VALUES ({marks}) \
             ON CONFLICT (host, account, amazon_order_id) DO NOTHING RETURNING id",
            cols.join(", ")
        )
    });
    &SQL
}

/// Creates several orders given as one JSON array of rows (every column of
/// [`ORDER_COLUMNS`]); returns the key and id of each.
fn insert_many_sql() -> &'static str {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let picks: Vec<String> = (0..ORDER_COLUMNS.len())
            .map(|i| format!("j.value ->> {i}"))
            .collect();
        // `WHERE true` keeps SQLite from reading `ON CONFLICT` as a join constraint.
        format!(
            "INSERT INTO orders ({}) SELECT {} FROM json_each(?) AS j WHERE true \
             ON CONFLICT (host, account, amazon_order_id) DO NOTHING \
             RETURNING id, host, account, amazon_order_id",
            ORDER_COLUMNS.join(", "),
            picks.join(", ")
        )
    });
    &SQL
}

fn update_sql() -> &'static str {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let sets: Vec<String> = ORDER_COLUMNS
            .iter()
            .skip(3)
            .map(|c| format!("{c} = ?"))
            .collect();
        format!(
            "UPDATE orders SET {} WHERE id = ? AND last_updated_at < ?",
            sets.join(", ")
        )
    });
    &SQL
}

/// The host id as the trait shows it.
pub(crate) fn host_id(id: i64) -> HostOrderId {
    HostOrderId::new(id.to_string())
}

/// Creates or updates the order inside the caller's write transaction, newer wins.
///
/// The caller holds SQLite's write lock (`BEGIN IMMEDIATE`) from the first statement,
/// so nothing can change between the statements below; on top of that each write
/// carries its own guard (`ON CONFLICT DO NOTHING`, `WHERE last_updated_at < ?`), so an
/// older version can never replace a newer one whatever the isolation.
///
/// Round trips: a create is one `INSERT .. RETURNING` and one script for the lines and
/// PII; an unchanged or stale order is the `INSERT` (doing nothing) and one `SELECT`;
/// an update adds one script (update, replace lines and PII).
pub(crate) async fn upsert(
    conn: &mut SqliteConnection,
    e: EncodedOrder,
) -> DbResult<UpsertOutcome> {
    let inserted: Option<i64> =
        sqlx::query_scalar_with::<Sqlite, i64, _>(insert_sql(), arguments(e.order.clone())?)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(id) = inserted {
        write_children(conn, id, None, e.lines, e.pii).await?;
        return Ok(UpsertOutcome {
            host_id: host_id(id),
            action: UpsertAction::Created,
        });
    }
    let row = sqlx::query(
        "SELECT id, last_updated_at FROM orders \
         WHERE host = ? AND account = ? AND amazon_order_id = ?",
    )
    .bind(text_of(&e.order[0]))
    .bind(text_of(&e.order[1]))
    .bind(text_of(&e.order[2]))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| DbError::Corrupt("order vanished during its upsert".into()))?;
    let id: i64 = row.try_get("id")?;
    let held: String = row.try_get("last_updated_at")?;
    // Both sides are fixed-width UTC text: text order is time order.
    let action = match held.as_str().cmp(e.last_updated_at.as_str()) {
        std::cmp::Ordering::Equal => UpsertAction::Unchanged,
        std::cmp::Ordering::Greater => UpsertAction::Stale,
        std::cmp::Ordering::Less => {
            let mut update: Vec<Param> = e.order.iter().skip(3).cloned().collect();
            update.push(id.into());
            update.push(e.last_updated_at.clone().into());
            write_children(conn, id, Some(update), e.lines, e.pii).await?;
            UpsertAction::Updated
        }
    };
    Ok(UpsertOutcome {
        host_id: host_id(id),
        action,
    })
}

fn text_of(p: &Param) -> Option<String> {
    match p {
        Param::Text(t) => t.clone(),
        Param::Int(_) => None,
    }
}

/// A parameter as a JSON value, for rows passed as one JSON array.
fn json_value(p: Param) -> serde_json::Value {
    match p {
        Param::Text(Some(s)) => serde_json::Value::String(s),
        Param::Int(Some(i)) => serde_json::Value::from(i),
        Param::Text(None) | Param::Int(None) => serde_json::Value::Null,
    }
}

/// Inserts the lines given as one JSON array of rows (every column but `order_id`, in
/// [`LINE_COLUMNS`] order): one statement text whatever the number of lines, so it is
/// prepared once per connection.
fn lines_sql() -> &'static str {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let picks: Vec<String> = (0..LINE_COLUMNS.len() - 1)
            .map(|i| format!("j.value ->> {i}"))
            .collect();
        format!(
            "INSERT INTO order_lines ({}) SELECT ?, {} FROM json_each(?) AS j",
            LINE_COLUMNS.join(", "),
            picks.join(", ")
        )
    });
    &SQL
}

/// Inserts the PII rows given as one JSON array of `[field, ordinal, value]`.
const PII_SQL: &str = "INSERT INTO order_pii (order_id, field, ordinal, value) \
     SELECT ?, j.value ->> 0, j.value ->> 1, j.value ->> 2 FROM json_each(?) AS j";

/// The script that writes an order's lines and PII (after updating the order row and
/// removing its old lines and PII when `update`): a fixed text, one round trip.
fn children_sql(update: bool) -> &'static str {
    static CREATE: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| format!("{}; {PII_SQL}", lines_sql()));
    static UPDATE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "{}; DELETE FROM order_lines WHERE order_id = ?; \
             DELETE FROM order_pii WHERE order_id = ?; {}",
            update_sql(),
            CREATE.as_str()
        )
    });
    if update { &UPDATE } else { &CREATE }
}

/// Writes an order's lines and PII in one script (one round trip). With `update`, the
/// script first updates the order row with those parameters and removes the old lines
/// and PII.
async fn write_children(
    conn: &mut SqliteConnection,
    order_id: i64,
    update: Option<Vec<Param>>,
    lines: Vec<Vec<Param>>,
    pii: Vec<PiiRow>,
) -> DbResult<()> {
    let lines: Vec<serde_json::Value> = lines
        .into_iter()
        .map(|row| serde_json::Value::Array(row.into_iter().skip(1).map(json_value).collect()))
        .collect();
    let pii: Vec<serde_json::Value> = pii
        .into_iter()
        .map(|r| serde_json::json!([r.field, r.ordinal, r.value]))
        .collect();
    let mut params: Vec<Param> = Vec::new();
    let is_update = update.is_some();
    if let Some(update) = update {
        params.extend(update);
        params.push(order_id.into());
        params.push(order_id.into());
    }
    params.push(order_id.into());
    params.push(json(&lines)?.into());
    params.push(order_id.into());
    params.push(json(&pii)?.into());
    sqlx::query_with(children_sql(is_update), arguments(params)?)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Inserts lines of several orders given as one JSON array of full rows (every column
/// of [`LINE_COLUMNS`], `order_id` first).
fn all_lines_sql() -> &'static str {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let picks: Vec<String> = (0..LINE_COLUMNS.len())
            .map(|i| format!("j.value ->> {i}"))
            .collect();
        format!(
            "INSERT INTO order_lines ({}) SELECT {} FROM json_each(?) AS j",
            LINE_COLUMNS.join(", "),
            picks.join(", ")
        )
    });
    &SQL
}

/// Replaces the lines and PII of several orders at once: removes those of the orders in
/// the first array, then inserts the rows of the second and third.
static BATCH_CHILDREN_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "DELETE FROM order_lines WHERE order_id IN (SELECT value FROM json_each(?)); \
         DELETE FROM order_pii WHERE order_id IN (SELECT value FROM json_each(?)); \
         {}; \
         INSERT INTO order_pii (order_id, field, ordinal, value) \
         SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3 \
         FROM json_each(?) AS j",
        all_lines_sql()
    )
});

/// Creates or updates a batch of orders inside the caller's write transaction, with the
/// semantics of [`upsert`] applied order by order (a later entry for the same order sees
/// the earlier one).
///
/// Round trips: one `SELECT` for the versions held, one `INSERT` creating every order the
/// store lacks, one guarded `UPDATE` per order that gets newer (none for unchanged or
/// stale ones), and one script writing every changed order's lines and PII.
pub(crate) async fn upsert_batch(
    conn: &mut SqliteConnection,
    batch: Vec<EncodedOrder>,
) -> DbResult<Vec<UpsertOutcome>> {
    type Key = (Option<String>, Option<String>, Option<String>);
    let key_of = |e: &EncodedOrder| -> Key {
        (
            text_of(&e.order[0]),
            text_of(&e.order[1]),
            text_of(&e.order[2]),
        )
    };
    let keys: Vec<serde_json::Value> = batch
        .iter()
        .map(|e| {
            let (h, a, id) = key_of(e);
            serde_json::json!([h, a, id])
        })
        .collect();
    let rows = sqlx::query(
        "SELECT id, host, account, amazon_order_id, last_updated_at FROM orders \
         WHERE (host, account, amazon_order_id) IN \
         (SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2 FROM json_each(?) AS j)",
    )
    .bind(json(&keys)?)
    .fetch_all(&mut *conn)
    .await?;
    let mut held: HashMap<Key, (i64, String)> = HashMap::with_capacity(rows.len());
    for r in &rows {
        held.insert(
            (
                r.try_get("host")?,
                r.try_get("account")?,
                r.try_get("amazon_order_id")?,
            ),
            (r.try_get("id")?, r.try_get("last_updated_at")?),
        );
    }

    // Orders the store lacks are created together, by their first entry in the batch.
    let mut first_new: Vec<usize> = Vec::new();
    {
        let mut seen = std::collections::HashSet::new();
        for (i, e) in batch.iter().enumerate() {
            let key = key_of(e);
            if !held.contains_key(&key) && seen.insert(key) {
                first_new.push(i);
            }
        }
    }
    let mut created: HashMap<Key, i64> = HashMap::with_capacity(first_new.len());
    if !first_new.is_empty() {
        let rows: Vec<serde_json::Value> = first_new
            .iter()
            .map(|&i| {
                serde_json::Value::Array(batch[i].order.iter().cloned().map(json_value).collect())
            })
            .collect();
        for r in sqlx::query(insert_many_sql())
            .bind(json(&rows)?)
            .fetch_all(&mut *conn)
            .await?
        {
            created.insert(
                (
                    r.try_get("host")?,
                    r.try_get("account")?,
                    r.try_get("amazon_order_id")?,
                ),
                r.try_get("id")?,
            );
        }
        if created.len() != first_new.len() {
            return Err(DbError::Corrupt(
                "orders appeared during their upsert".into(),
            ));
        }
    }

    let mut out = Vec::with_capacity(batch.len());
    // The children to write, per order id; the last version of an order wins.
    let mut children: HashMap<i64, (Vec<Vec<Param>>, Vec<PiiRow>)> = HashMap::new();
    let mut replaced: Vec<i64> = Vec::new();
    for e in batch {
        let key = key_of(&e);
        let (id, action) = match held.get(&key) {
            None => {
                let id = *created
                    .get(&key)
                    .ok_or_else(|| DbError::Corrupt("a created order has no id".into()))?;
                (id, UpsertAction::Created)
            }
            Some((id, version)) => match version.as_str().cmp(e.last_updated_at.as_str()) {
                std::cmp::Ordering::Equal => {
                    out.push(UpsertOutcome {
                        host_id: host_id(*id),
                        action: UpsertAction::Unchanged,
                    });
                    continue;
                }
                std::cmp::Ordering::Greater => {
                    out.push(UpsertOutcome {
                        host_id: host_id(*id),
                        action: UpsertAction::Stale,
                    });
                    continue;
                }
                std::cmp::Ordering::Less => {
                    let id = *id;
                    let mut params: Vec<Param> = e.order.into_iter().skip(3).collect();
                    params.push(id.into());
                    params.push(e.last_updated_at.clone().into());
                    let done = sqlx::query_with(update_sql(), arguments(params)?)
                        .execute(&mut *conn)
                        .await?;
                    if done.rows_affected() != 1 {
                        return Err(DbError::Corrupt("order changed during its upsert".into()));
                    }
                    replaced.push(id);
                    (id, UpsertAction::Updated)
                }
            },
        };
        held.insert(key, (id, e.last_updated_at));
        children.insert(id, (e.lines, e.pii));
        out.push(UpsertOutcome {
            host_id: host_id(id),
            action,
        });
    }
    if children.is_empty() {
        return Ok(out);
    }
    let mut lines = Vec::new();
    let mut pii = Vec::new();
    for (id, (order_lines, order_pii)) in children {
        for row in order_lines {
            let mut values: Vec<serde_json::Value> = Vec::with_capacity(row.len());
            values.push(serde_json::Value::from(id));
            values.extend(row.into_iter().skip(1).map(json_value));
            lines.push(serde_json::Value::Array(values));
        }
        for r in order_pii {
            pii.push(serde_json::json!([id, r.field, r.ordinal, r.value]));
        }
    }
    sqlx::query(&BATCH_CHILDREN_SQL)
        .bind(json(&replaced)?)
        .bind(json(&replaced)?)
        .bind(json(&lines)?)
        .bind(json(&pii)?)
        .execute(&mut *conn)
        .await?;
    Ok(out)
}

/// Which orders to load.
pub(crate) enum Filter<'a> {
    /// Every order of an account.
    Account(Kind, &'a AccountId),
    /// One order.
    One(Kind, &'a AccountId, &'a AmazonOrderId),
    /// Up to `limit` orders of an account whose Amazon id sorts after `after`.
    Page(Kind, &'a AccountId, Option<&'a AmazonOrderId>, i64),
}

impl Filter<'_> {
    fn clause(&self) -> &'static str {
        match self {
            Filter::Account(..) => "o.host = ? AND o.account = ?",
            Filter::One(..) => "o.host = ? AND o.account = ? AND o.amazon_order_id = ?",
            Filter::Page(..) => {
                "o.id IN (SELECT id FROM orders WHERE host = ? AND account = ? \
                 AND amazon_order_id > ? ORDER BY amazon_order_id LIMIT ?)"
            }
        }
    }

    fn bind<'q>(
        &self,
        q: sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    ) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
        match self {
            Filter::Account(k, a) => q.bind(k.as_str()).bind(a.as_str().to_owned()),
            Filter::One(k, a, id) => q
                .bind(k.as_str())
                .bind(a.as_str().to_owned())
                .bind(id.as_str().to_owned()),
            Filter::Page(k, a, after, limit) => q
                .bind(k.as_str())
                .bind(a.as_str().to_owned())
                .bind(after.map(|id| id.as_str().to_owned()).unwrap_or_default())
                .bind(*limit),
        }
    }
}

/// An order as loaded: its host id, the order, and the warehouse's service if any.
pub(crate) struct Loaded {
    pub(crate) id: i64,
    pub(crate) order: HostOrder,
    pub(crate) service: Option<String>,
}

/// Loads the orders matching `filter`, sorted by Amazon order id, with lines and PII.
///
/// Runs in one read transaction so the three reads see the same snapshot.
pub(crate) async fn load(
    pool: &SqlitePool,
    filter: Filter<'_>,
    cipher: &dyn PiiCipher,
) -> DbResult<Vec<Loaded>> {
    let mut tx = pool.begin().await?;
    let clause = filter.clause();
    let orders = filter
        .bind(sqlx::query(&format!(
            "SELECT o.* FROM orders o WHERE {clause} ORDER BY o.amazon_order_id"
        )))
        .fetch_all(&mut *tx)
        .await?;
    let lines = filter
        .bind(sqlx::query(&format!(
            "SELECT l.* FROM order_lines l JOIN orders o ON o.id = l.order_id \
             WHERE {clause} ORDER BY l.order_id, l.position"
        )))
        .fetch_all(&mut *tx)
        .await?;
    let pii = filter
        .bind(sqlx::query(&format!(
            "SELECT p.order_id, p.field, p.ordinal, p.value FROM order_pii p \
             JOIN orders o ON o.id = p.order_id WHERE {clause} \
             ORDER BY p.order_id, p.field, p.ordinal"
        )))
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;

    let mut lines_by: HashMap<i64, Vec<OrderLine>> = HashMap::new();
    for row in &lines {
        let id: i64 = row.try_get("order_id")?;
        lines_by.entry(id).or_default().push(decode_line(row)?);
    }
    let mut pii_by: HashMap<i64, Vec<PiiRow>> = HashMap::new();
    for row in &pii {
        let id: i64 = row.try_get("order_id")?;
        pii_by.entry(id).or_default().push(PiiRow::from_row(row)?);
    }
    let mut out = Vec::with_capacity(orders.len());
    for row in &orders {
        let id: i64 = row.try_get("id")?;
        let lines = lines_by.remove(&id).unwrap_or_default();
        let pii = pii_by.remove(&id).unwrap_or_default();
        out.push(Loaded {
            id,
            order: decode_order(row, lines, pii, cipher)?,
            service: row.try_get("service")?,
        });
    }
    Ok(out)
}

fn get_money(row: &SqliteRow, name: &str) -> DbResult<Option<order_sync_core::money::Money>> {
    let a: Option<String> = row.try_get(format!("{name}_amount").as_str())?;
    let c: Option<String> = row.try_get(format!("{name}_currency").as_str())?;
    parse_money(a, c, name)
}

fn get_window(row: &SqliteRow, name: &str) -> DbResult<Option<DateWindow>> {
    let set: bool = row.try_get(format!("{name}_set").as_str())?;
    if !set {
        return Ok(None);
    }
    let earliest = format!("{name}_earliest");
    let latest = format!("{name}_latest");
    Ok(Some(DateWindow {
        earliest: parse_ts_opt(row.try_get(earliest.as_str())?, &earliest)?,
        latest: parse_ts_opt(row.try_get(latest.as_str())?, &latest)?,
    }))
}

fn decode_line(row: &SqliteRow) -> DbResult<OrderLine> {
    let gift = if row.try_get::<bool, _>("gift")? {
        Some(GiftOptions {
            // The message is PII: filled in from `order_pii`.
            message: None,
            wrap_level: row.try_get("gift_wrap_level")?,
            wrap_price: get_money(row, "gift_wrap_price")?,
            wrap_tax: get_money(row, "gift_wrap_tax")?,
        })
    } else {
        None
    };
    Ok(OrderLine {
        item_id: OrderItemId::new(row.try_get::<String, _>("item_id")?),
        sku: row.try_get("sku")?,
        asin: row.try_get("asin")?,
        title: row.try_get("title")?,
        quantity_ordered: parse_u32(row.try_get("quantity_ordered")?, "quantity_ordered")?,
        quantity_shipped: parse_u32(row.try_get("quantity_shipped")?, "quantity_shipped")?,
        unit_price: get_money(row, "unit_price")?,
        line_price: get_money(row, "line_price")?,
        tax: get_money(row, "tax")?,
        shipping_price: get_money(row, "shipping_price")?,
        shipping_tax: get_money(row, "shipping_tax")?,
        shipping_discount: get_money(row, "shipping_discount")?,
        promotion_discount: get_money(row, "promotion_discount")?,
        gift,
        buyer_cancel_request: if row.try_get::<bool, _>("buyer_cancel")? {
            Some(order_sync_core::model::BuyerCancelRequest {
                reason: row.try_get("buyer_cancel_reason")?,
            })
        } else {
            None
        },
    })
}

fn decode_order(
    row: &SqliteRow,
    mut lines: Vec<OrderLine>,
    pii: Vec<PiiRow>,
    cipher: &dyn PiiCipher,
) -> DbResult<HostOrder> {
    let programs: Vec<String> = parse_json(&row.try_get::<String, _>("programs")?, "programs")?;
    let details: Vec<String> = parse_json(
        &row.try_get::<String, _>("payment_details")?,
        "payment_details",
    )?;
    let packages: Vec<Package> = parse_json(
        &row.try_get::<String, _>("amazon_packages")?,
        "amazon_packages",
    )?;
    let has_buyer: bool = row.try_get("has_buyer")?;
    let has_recipient: bool = row.try_get("has_recipient")?;
    let pii = read_pii(pii, cipher)?;

    let buyer = has_buyer.then(|| BuyerPii {
        name: pii.get("buyer.name"),
        email: pii.get("buyer.email"),
        company: pii.get("buyer.company"),
        tax_id: pii.get("buyer.tax_id"),
        purchase_order_number: pii.get("buyer.purchase_order_number"),
    });
    let recipient = if has_recipient {
        let address_type: Option<String> = row.try_get("recipient_address_type")?;
        Some(Recipient {
            name: pii.get("recipient.name"),
            company: pii.get("recipient.company"),
            phone: pii.get("recipient.phone"),
            address: Address {
                lines: pii.all("address.line"),
                city: pii.get("address.city"),
                county: pii.get("address.county"),
                state_or_region: pii.get("address.state_or_region"),
                postal_code: pii.get("address.postal_code"),
                country_code: row.try_get("recipient_country")?,
                address_type: address_type
                    .map(|t| parse_enum::<AddressType>(t, "recipient_address_type"))
                    .transpose()?,
            },
        })
    } else {
        None
    };
    for (position, line) in lines.iter_mut().enumerate() {
        if let Some(g) = &mut line.gift {
            g.message = pii.get_at("gift.message", position);
        }
    }
    let customer = HostName {
        first: pii.get("customer.first").unwrap_or_default(),
        last: pii.get("customer.last").unwrap_or_default(),
    };

    let order = Order {
        id: AmazonOrderId::new(row.try_get::<String, _>("amazon_order_id")?),
        seller_order_id: row.try_get("seller_order_id")?,
        marketplace: MarketplaceId::new(row.try_get::<String, _>("marketplace")?),
        purchased_at: parse_ts(&row.try_get::<String, _>("purchased_at")?, "purchased_at")?,
        last_updated_at: parse_ts(
            &row.try_get::<String, _>("last_updated_at")?,
            "last_updated_at",
        )?,
        ship_by: get_window(row, "ship_by")?,
        deliver_by: get_window(row, "deliver_by")?,
        delivered_at: parse_ts_opt(row.try_get("delivered_at")?, "delivered_at")?,
        status: OrderStatus::from(row.try_get::<String, _>("status")?),
        channel: FulfillmentChannel::from(row.try_get::<String, _>("channel")?),
        service_level: row
            .try_get::<Option<String>, _>("service_level")?
            .map(ServiceLevelCategory::from),
        ship_service_level: row.try_get("ship_service_level")?,
        programs: programs.into_iter().map(OrderProgram::from).collect(),
        lines,
        totals: OrderTotals {
            order_total: get_money(row, "order_total")?,
            items: get_money(row, "items_total")?,
            shipping: get_money(row, "shipping_total")?,
            tax: get_money(row, "tax_total")?,
            discounts: get_money(row, "discounts_total")?,
        },
        payment: Payment {
            method: row
                .try_get::<Option<String>, _>("payment_method")?
                .map(PaymentMethod::from),
            details,
        },
        buyer,
        recipient,
        packages,
    };
    Ok(HostOrder {
        account: AccountId::new(row.try_get::<String, _>("account")?),
        mapped: MappedFields {
            order_number: row.try_get("order_number")?,
            status: row.try_get("host_status")?,
            payment: row.try_get("host_payment")?,
            shipping_method: row.try_get("shipping_method")?,
            priority: row.try_get("priority")?,
            customer,
        },
        order,
    })
}

/// Maps a missing order to [`DbError::NotFound`].
pub(crate) fn not_found(account: &AccountId, id: &AmazonOrderId) -> DbError {
    DbError::NotFound(format!("order {id} of account {account}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_lists_match_their_params() {
        let h = order_sync_core::host::HostOrder {
            account: AccountId::new("a"),
            mapped: MappedFields {
                order_number: "n".into(),
                status: "s".into(),
                payment: None,
                shipping_method: None,
                priority: "p".into(),
                customer: HostName::default(),
            },
            order: test_order(),
        };
        assert_eq!(
            order_params(&h, Kind::Store, None).unwrap().len(),
            ORDER_COLUMNS.len()
        );
        assert_eq!(
            line_params(1, 0, &h.order.lines[0]).len(),
            LINE_COLUMNS.len()
        );
        assert_eq!(&ORDER_COLUMNS[..3], &["host", "account", "amazon_order_id"]);
    }

    fn test_order() -> Order {
        use time::macros::datetime;
        Order {
            id: AmazonOrderId::new("1"),
            seller_order_id: None,
            marketplace: MarketplaceId::new("M"),
            purchased_at: datetime!(2026-01-01 0:00 UTC),
            last_updated_at: datetime!(2026-01-01 0:00 UTC),
            ship_by: None,
            deliver_by: None,
            delivered_at: None,
            status: OrderStatus::Unshipped,
            channel: FulfillmentChannel::Merchant,
            service_level: None,
            ship_service_level: None,
            programs: vec![],
            lines: vec![OrderLine {
                item_id: OrderItemId::new("i"),
                sku: None,
                asin: "B".into(),
                title: None,
                quantity_ordered: 1,
                quantity_shipped: 0,
                unit_price: None,
                line_price: None,
                tax: None,
                shipping_price: None,
                shipping_tax: None,
                shipping_discount: None,
                promotion_discount: None,
                gift: None,
                buyer_cancel_request: None,
            }],
            totals: OrderTotals::default(),
            payment: Payment::default(),
            buyer: None,
            recipient: None,
            packages: vec![],
        }
    }
}
