//! The host operations shared by the order store and the warehouse: the same tables,
//! told apart by the `host` column ([`Kind`]).

use std::collections::BTreeMap;

use sqlx::Row;

use order_sync_core::error::StoreError;
use order_sync_core::host::{HostOrder, HostOrderRef, ShipmentResult, UpsertOutcome};
use order_sync_core::ids::{AccountId, AmazonOrderId, PackageRef};
use order_sync_core::model::HostShipment;

use super::codec::{DbError, DbResult, parse_ts};
use super::orders::{self, Filter, Kind, Loaded};
use super::{ShippedPackage, SqliteStore, pii, shipments};

pub(super) fn store_err(e: DbError) -> StoreError {
    e.into()
}

pub(super) fn sql_err(e: sqlx::Error) -> StoreError {
    store_err(e.into())
}

impl SqliteStore {
    pub(super) async fn write(&self) -> DbResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with(super::IMMEDIATE).await?)
    }

    pub(super) async fn h_upsert(
        &self,
        kind: Kind,
        order: &HostOrder,
        service: Option<&str>,
    ) -> Result<UpsertOutcome, StoreError> {
        // Encode (and validate) before taking the write lock.
        let encoded = orders::encode(order, kind, service, &*self.cipher).map_err(store_err)?;
        let mut tx = self.write().await.map_err(store_err)?;
        let outcome = orders::upsert(&mut tx, encoded).await.map_err(store_err)?;
        tx.commit().await.map_err(sql_err)?;
        Ok(outcome)
    }

    /// One transaction for the batch; see `OrderStore::upsert_orders` on [`SqliteStore`].
    pub(super) async fn h_upsert_batch(
        &self,
        kind: Kind,
        batch: &[(&HostOrder, Option<&str>)],
    ) -> Result<Vec<Result<UpsertOutcome, StoreError>>, StoreError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let encoded: Vec<DbResult<orders::EncodedOrder>> = batch
            .iter()
            .map(|(o, service)| orders::encode(o, kind, *service, &*self.cipher))
            .collect();
        // Orders that cannot be encoded are refused in their slot; the others go to the
        // database together.
        let mut slots: Vec<Option<StoreError>> = Vec::with_capacity(encoded.len());
        let mut good = Vec::with_capacity(encoded.len());
        for e in encoded {
            match e {
                Ok(e) => {
                    good.push(e);
                    slots.push(None);
                }
                Err(e) => slots.push(Some(store_err(e))),
            }
        }
        let mut tx = self.write().await.map_err(store_err)?;
        let written = orders::upsert_batch(&mut tx, good)
            .await
            .map_err(store_err)?;
        tx.commit().await.map_err(sql_err)?;
        let mut written = written.into_iter();
        slots
            .into_iter()
            .map(|slot| match slot {
                Some(err) => Ok(Err(err)),
                None => written
                    .next()
                    .map(Ok)
                    .ok_or_else(|| StoreError::unavailable("batch result missing")),
            })
            .collect()
    }

    pub(super) async fn h_find(
        &self,
        kind: Kind,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<Option<HostOrderRef>, StoreError> {
        let row = sqlx::query(
            "SELECT id, last_updated_at FROM orders \
             WHERE host = ? AND account = ? AND amazon_order_id = ?",
        )
        .bind(kind.as_str())
        .bind(account.as_str())
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(sql_err)?;
        let Some(row) = row else { return Ok(None) };
        let decode = || -> DbResult<HostOrderRef> {
            let host: i64 = row.try_get("id")?;
            let at: String = row.try_get("last_updated_at")?;
            Ok(HostOrderRef {
                host_id: orders::host_id(host),
                last_updated_at: parse_ts(&at, "last_updated_at")?,
            })
        };
        decode().map(Some).map_err(store_err)
    }

    pub(super) async fn h_load(&self, filter: Filter<'_>) -> Result<Vec<Loaded>, StoreError> {
        orders::load(&self.pool, filter, &*self.cipher)
            .await
            .map_err(store_err)
    }

    pub(super) async fn h_ship(
        &self,
        kind: Kind,
        account: &AccountId,
        shipment: &HostShipment,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await.map_err(store_err)?;
        shipments::ship(&mut tx, kind, account, shipment)
            .await
            .map_err(store_err)?;
        tx.commit().await.map_err(sql_err)
    }

    pub(super) async fn h_mark_shipped(
        &self,
        kind: Kind,
        account: &AccountId,
        order: &AmazonOrderId,
        package: ShippedPackage,
    ) -> Result<PackageRef, StoreError> {
        let mut tx = self.write().await.map_err(store_err)?;
        let reference = shipments::next_package_ref(&mut tx, kind, account, order)
            .await
            .map_err(store_err)?;
        let items = if package.items.is_empty() {
            shipments::all_items(&mut tx, kind, account, order)
                .await
                .map_err(store_err)?
        } else {
            package.items
        };
        let shipment = HostShipment {
            amazon_order_id: order.clone(),
            package: reference.clone(),
            carrier: package.carrier,
            service: package.service,
            tracking_number: package.tracking_number,
            ship_date: package.ship_date,
            items,
            shipped_despite_cancellation: package.shipped_despite_cancellation,
        };
        shipments::ship(&mut tx, kind, account, &shipment)
            .await
            .map_err(store_err)?;
        tx.commit().await.map_err(sql_err)?;
        Ok(reference)
    }

    pub(super) async fn h_ready(
        &self,
        kind: Kind,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<HostShipment>, StoreError> {
        shipments::ready(&self.pool, kind, account, limit)
            .await
            .map_err(store_err)
    }

    pub(super) async fn h_record(
        &self,
        kind: Kind,
        account: &AccountId,
        shipment: &HostShipment,
        result: &ShipmentResult,
    ) -> Result<(), StoreError> {
        shipments::record(&self.pool, kind, account, shipment, result)
            .await
            .map_err(store_err)
    }

    pub(super) async fn h_result(
        &self,
        kind: Kind,
        account: &AccountId,
        order: &AmazonOrderId,
        package: &PackageRef,
    ) -> Result<Option<ShipmentResult>, StoreError> {
        shipments::result(&self.pool, kind, account, order, package)
            .await
            .map_err(store_err)
    }

    pub(super) async fn h_shipments(
        &self,
        kind: Kind,
        account: &AccountId,
        order: &AmazonOrderId,
    ) -> Result<Vec<(HostShipment, Option<ShipmentResult>)>, StoreError> {
        shipments::of_order(&self.pool, kind, account, order)
            .await
            .map_err(store_err)
    }

    pub(super) async fn h_count(&self, kind: Kind, account: &AccountId) -> Result<u64, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE host = ? AND account = ?")
                .bind(kind.as_str())
                .bind(account.as_str())
                .fetch_one(&self.pool)
                .await
                .map_err(sql_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub(super) async fn h_counts_by(
        &self,
        kind: Kind,
        account: &AccountId,
        column: &'static str,
    ) -> Result<BTreeMap<String, u64>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {column} AS k, COUNT(*) AS n FROM orders WHERE host = ? AND account = ? \
             GROUP BY {column}"
        ))
        .bind(kind.as_str())
        .bind(account.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(sql_err)?;
        rows.iter()
            .map(|r| {
                let k: String = r.try_get("k").map_err(sql_err)?;
                let n: i64 = r.try_get("n").map_err(sql_err)?;
                Ok((k, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }

    pub(super) async fn h_accounts(&self, kind: Kind) -> Result<Vec<AccountId>, StoreError> {
        let v: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT account FROM orders WHERE host = ? ORDER BY account",
        )
        .bind(kind.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(sql_err)?;
        Ok(v.into_iter().map(AccountId::new).collect())
    }

    pub(super) async fn h_delete(
        &self,
        kind: Kind,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "DELETE FROM orders WHERE host = ? AND account = ? AND amazon_order_id = ?",
        )
        .bind(kind.as_str())
        .bind(account.as_str())
        .bind(id.as_str())
        .execute(&self.pool)
        .await
        .map_err(sql_err)?;
        Ok(done.rows_affected() > 0)
    }

    /// Replaces every PII value of the host's copy of the order with the sealed marker:
    /// one statement.
    pub(super) async fn h_redact(
        &self,
        kind: Kind,
        account: &AccountId,
        id: &AmazonOrderId,
        marker: &str,
    ) -> Result<(), StoreError> {
        let sealed = pii::seal(&*self.cipher, marker).map_err(store_err)?;
        let done = sqlx::query(
            "UPDATE order_pii SET value = ? WHERE order_id IN \
             (SELECT id FROM orders WHERE host = ? AND account = ? AND amazon_order_id = ?)",
        )
        .bind(sealed)
        .bind(kind.as_str())
        .bind(account.as_str())
        .bind(id.as_str())
        .execute(&self.pool)
        .await
        .map_err(sql_err)?;
        if done.rows_affected() > 0 && self.path.is_some() {
            // secure_delete zeroes the old values in the main file, but the WAL still
            // holds the pages written before: checkpoint and truncate it. Best effort and
            // without waiting (an import may be writing): when it cannot complete now,
            // the next completed checkpoint erases them (at the latest on close).
            let _ = self.checkpoint_now().await;
        }
        Ok(())
    }
}
