//! Export shipments: host packages with tracking to Amazon's `confirmShipment`.

use std::sync::Arc;

use super::check_shutdown;
use crate::amazon::{Include, ShipmentConfirmation};
use crate::engine::{Account, Engine};
use crate::error::{ErrorKind, StoreError, SyncError};
use crate::host::{OrderStore, ShipmentResult, Warehouse};
use crate::ids::{AccountId, AmazonOrderId, MarketplaceId, PackageRef};
use crate::model::HostShipment;
use crate::report::RunReport;
use crate::shutdown::Shutdown;
use crate::state::{Claim, OutboxEntry, OutboxStatus};

/// Where shipments come from: the order store or the warehouse.
#[derive(Clone)]
enum Source {
    Store(Arc<dyn OrderStore>),
    Warehouse(Arc<dyn Warehouse>),
}

impl Source {
    async fn ready(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<HostShipment>, StoreError> {
        match self {
            Source::Store(s) => s.shipments_ready(account, limit).await,
            Source::Warehouse(w) => w.shipments_ready(account, limit).await,
        }
    }

    async fn record(
        &self,
        account: &AccountId,
        order: &AmazonOrderId,
        package: &PackageRef,
        result: &ShipmentResult,
    ) -> Result<(), StoreError> {
        match self {
            Source::Store(s) => {
                s.record_shipment_result(account, order, package, result)
                    .await
            }
            Source::Warehouse(w) => {
                w.record_shipment_result(account, order, package, result)
                    .await
            }
        }
    }
}

/// What to do with one package, decided before anything is sent.
enum Decision {
    Send(ShipmentConfirmation),
    Refuse(String),
    Hold(String, time::OffsetDateTime),
}

async fn marketplace_of(
    engine: &Engine,
    account: &Account,
    order: &AmazonOrderId,
) -> Result<Option<MarketplaceId>, SyncError> {
    if let Some(e) = engine.state.id_map_get(account.id(), order).await? {
        return Ok(Some(e.marketplace));
    }
    Ok(account
        .amazon
        .get_order(order, Include::default())
        .await?
        .map(|o| o.marketplace))
}

async fn decide(
    engine: &Engine,
    account: &Account,
    s: &HostShipment,
) -> Result<Decision, SyncError> {
    if s.tracking_number.trim().is_empty() {
        return Ok(Decision::Refuse("tracking number is empty".into()));
    }
    if !s.package.is_valid() {
        return Ok(Decision::Refuse(format!(
            "package reference {:?} is not a positive number, as Amazon requires",
            s.package.as_str()
        )));
    }
    if s.items.is_empty() || s.items.iter().any(|i| i.quantity == 0) {
        return Ok(Decision::Refuse(
            "the package lists no items (or a zero quantity)".into(),
        ));
    }
    let shipping = match account
        .mapper
        .amazon_carrier(&s.carrier, s.service.as_deref())
    {
        Ok(shipping) => shipping,
        Err(unmapped) => return Ok(Decision::Refuse(unmapped.to_string())),
    };
    let now = engine.clock.now();
    if s.ship_date > now {
        return Ok(Decision::Hold(
            format!(
                "ship date {} is in the future; Amazon refuses future dates",
                s.ship_date
                    .to_offset(time::UtcOffset::UTC)
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_else(|_| s.ship_date.to_string())
            ),
            s.ship_date,
        ));
    }
    let Some(marketplace) = marketplace_of(engine, account, &s.amazon_order_id).await? else {
        return Ok(Decision::Refuse(format!(
            "order {} is unknown to Amazon",
            s.amazon_order_id
        )));
    };
    Ok(Decision::Send(ShipmentConfirmation {
        order_id: s.amazon_order_id.clone(),
        marketplace,
        package: s.package.clone(),
        carrier_code: shipping.carrier_code.as_str().to_owned(),
        carrier_name: shipping.carrier_name,
        shipping_method: shipping.shipping_method,
        tracking_number: s.tracking_number.trim().to_owned(),
        ship_date: s.ship_date,
        items: s.items.clone(),
    }))
}

/// After a crash mid-send, asks Amazon whether the package already arrived there (Orders
/// v2026 reports packages; v0 does not, and then the package is sent again, which Amazon
/// treats as an edit of the same package reference).
async fn already_on_amazon(account: &Account, c: &ShipmentConfirmation) -> Result<bool, SyncError> {
    let order = match account
        .amazon
        .get_order(&c.order_id, Include::default())
        .await
    {
        Ok(o) => o,
        Err(e) if e.kind().is_retryable() => return Err(e.into()),
        Err(_) => None,
    };
    Ok(order.is_some_and(|o| {
        o.packages.iter().any(|p| {
            p.reference == c.package
                && p.tracking_number.as_deref() == Some(c.tracking_number.as_str())
        })
    }))
}

async fn finish(
    engine: &Engine,
    account: &Account,
    source: &Source,
    entry: &OutboxEntry,
    status: OutboxStatus,
    result: ShipmentResult,
    last_error: Option<String>,
) -> Result<(), SyncError> {
    let s = &entry.shipment;
    let updated = OutboxEntry {
        status,
        last_error,
        updated_at: engine.clock.now(),
        ..entry.clone()
    };
    engine.state.outbox_put(account.id(), &updated).await?;
    source
        .record(account.id(), &s.amazon_order_id, &s.package, &result)
        .await?;
    Ok(())
}

async fn export_one(
    engine: &Engine,
    account: &Account,
    source: &Source,
    s: HostShipment,
    report: &mut RunReport,
) -> Result<(), SyncError> {
    let acct = account.id();
    let now = engine.clock.now();
    let held = engine
        .state
        .outbox_get(acct, &s.amazon_order_id, &s.package)
        .await?;
    let entry = match held {
        Some(e) => {
            if let OutboxStatus::Confirmed { at } = e.status {
                // Confirmed before a crash, but the host never heard: tell it, send nothing.
                source
                    .record(
                        acct,
                        &s.amazon_order_id,
                        &s.package,
                        &ShipmentResult::Confirmed { at },
                    )
                    .await?;
                return Ok(());
            }
            if e.shipment != s {
                // The host changed the shipment: start over with the new data.
                let fresh = OutboxEntry {
                    shipment: s.clone(),
                    status: OutboxStatus::Pending,
                    updated_at: now,
                    ..e
                };
                engine.state.outbox_put(acct, &fresh).await?;
                fresh
            } else {
                e
            }
        }
        None => {
            let fresh = OutboxEntry::pending(s.clone(), now);
            engine.state.outbox_put(acct, &fresh).await?;
            fresh
        }
    };

    let confirmation = match decide(engine, account, &s).await? {
        Decision::Refuse(reason) => {
            report.counts.refused += 1;
            report.errors.push(format!(
                "refused package {} of {}: {reason}",
                s.package, s.amazon_order_id
            ));
            let status = OutboxStatus::Refused {
                reason: reason.clone(),
            };
            return finish(
                engine,
                account,
                source,
                &entry,
                status,
                ShipmentResult::Refused { reason },
                None,
            )
            .await;
        }
        Decision::Hold(reason, until) => {
            report.counts.held += 1;
            let status = OutboxStatus::Held {
                reason: reason.clone(),
                until: Some(until),
            };
            let result = ShipmentResult::Held {
                reason,
                until: Some(until),
            };
            return finish(engine, account, source, &entry, status, result, None).await;
        }
        Decision::Send(c) => c,
    };

    let previous = match engine
        .state
        .outbox_claim(acct, &s.amazon_order_id, &s.package, now)
        .await?
    {
        Claim::Claimed { previous, .. } => previous,
        Claim::AlreadyConfirmed => {
            let at = now;
            source
                .record(
                    acct,
                    &s.amazon_order_id,
                    &s.package,
                    &ShipmentResult::Confirmed { at },
                )
                .await?;
            return Ok(());
        }
        Claim::Missing => {
            return Err(SyncError::State(crate::error::StateError::backend(
                format!(
                    "outbox entry for package {} of {} vanished",
                    s.package, s.amazon_order_id
                ),
            )));
        }
    };
    let entry = engine
        .state
        .outbox_get(acct, &s.amazon_order_id, &s.package)
        .await?
        .unwrap_or(entry);

    let recovered =
        previous == OutboxStatus::InFlight && already_on_amazon(account, &confirmation).await?;
    let sent = if recovered {
        Ok(())
    } else {
        account.amazon.confirm_shipment(&confirmation).await
    };
    match sent {
        Ok(()) => {
            report.counts.exported += 1;
            let at = engine.clock.now();
            finish(
                engine,
                account,
                source,
                &entry,
                OutboxStatus::Confirmed { at },
                ShipmentResult::Confirmed { at },
                None,
            )
            .await
        }
        Err(e) if e.kind() == ErrorKind::Client => {
            report.counts.rejected += 1;
            let message = match &e.code {
                Some(code) => format!("{code}: {}", e.message),
                None => e.message.clone(),
            };
            report.errors.push(format!(
                "Amazon rejected package {} of {}: {message}",
                s.package, s.amazon_order_id
            ));
            let status = OutboxStatus::Rejected {
                message: message.clone(),
            };
            finish(
                engine,
                account,
                source,
                &entry,
                status,
                ShipmentResult::Rejected { message },
                Some(e.to_string()),
            )
            .await
        }
        Err(e) => {
            // Not sent (or unknown): back to pending with the error; next run retries.
            let retry = OutboxEntry {
                status: OutboxStatus::Pending,
                last_error: Some(e.to_string()),
                updated_at: engine.clock.now(),
                ..entry
            };
            engine.state.outbox_put(acct, &retry).await?;
            Err(e.into())
        }
    }
}

/// Confirms the packages the host (store and warehouse) reports as shipped.
///
/// Each package is checked before anything is sent: empty tracking, an invalid package
/// reference or a carrier without an Amazon mapping refuse it (recorded on the host and in
/// the outbox with the reason); a ship date in the future holds it until that date. A
/// package is claimed in the outbox before `confirmShipment`; once confirmed it is never
/// sent again, and a claim left in flight by a crash is first checked against the
/// packages Amazon reports. Amazon's rejection is recorded with Amazon's message; a
/// transient failure leaves the package pending and stops the run.
pub async fn export_shipments(
    engine: &Engine,
    account: &Account,
    shutdown: &Shutdown,
    report: &mut RunReport,
) -> Result<(), SyncError> {
    let mut sources = Vec::new();
    if let Some(s) = &engine.store {
        sources.push(Source::Store(s.clone()));
    }
    if let Some(w) = &engine.warehouse {
        sources.push(Source::Warehouse(w.clone()));
    }
    for source in sources {
        check_shutdown(shutdown)?;
        let shipments = source
            .ready(account.id(), account.config.export.batch)
            .await?;
        report.counts.fetched += shipments.len() as u64;
        for s in shipments {
            check_shutdown(shutdown)?;
            export_one(engine, account, &source, s, report).await?;
        }
    }
    Ok(())
}
