//! Export shipments: host packages with tracking, through the outbox, to Amazon's
//! `confirmShipment`.
//!
//! The job has two passes. *Intake* offers every package the hosts report as ready to the
//! outbox (a changed package becomes the next version of its entry) and tells the host it
//! was taken. *Send* takes the due entries one by one: claim with a lease, decide, verify
//! an unknown outcome against Amazon's view, send, and record the result in the outbox and
//! on the host. See [`crate::outbox`] for the state machine.

use std::collections::HashSet;
use std::sync::Arc;

use time::OffsetDateTime;

use super::check_shutdown;
use crate::amazon::{Include, ShipmentConfirmation};
use crate::engine::{Account, Engine};
use crate::error::{AmazonError, ErrorKind, StoreError, SyncError};
use crate::host::{OrderStore, ShipmentResult, Warehouse};
use crate::ids::{AccountId, AmazonOrderId, MarketplaceId};
use crate::model::HostShipment;
use crate::outbox::{
    Claim, Finish, Origin, OutboxEntry, OutboxKind, OutboxPayload, OutboxStatus, backoff,
};
use crate::report::RunReport;
use crate::shutdown::Shutdown;

/// Where shipments come from: the order store or the warehouse.
#[derive(Clone)]
enum Source {
    Store(Arc<dyn OrderStore>),
    Warehouse(Arc<dyn Warehouse>),
}

impl Source {
    fn of(engine: &Engine, origin: Origin) -> Option<Source> {
        match origin {
            Origin::Store => engine.store.clone().map(Source::Store),
            Origin::Warehouse => engine.warehouse.clone().map(Source::Warehouse),
        }
    }

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
        shipment: &HostShipment,
        result: &ShipmentResult,
    ) -> Result<(), StoreError> {
        match self {
            Source::Store(s) => s.record_shipment_result(account, shipment, result).await,
            Source::Warehouse(w) => w.record_shipment_result(account, shipment, result).await,
        }
    }
}

/// What the host is told about an entry in `status`.
fn host_result(status: &OutboxStatus) -> ShipmentResult {
    match status {
        OutboxStatus::Confirmed { at } => ShipmentResult::Confirmed { at: *at },
        OutboxStatus::Refused { reason } => ShipmentResult::Refused {
            reason: reason.clone(),
        },
        OutboxStatus::Rejected { message } => ShipmentResult::Rejected {
            message: message.clone(),
        },
        OutboxStatus::Held { reason, until } => ShipmentResult::Held {
            reason: reason.clone(),
            until: *until,
        },
        OutboxStatus::Unknown { error } => ShipmentResult::Pending {
            note: Some(format!(
                "the last attempt's outcome is unknown ({error}); it is verified on Amazon before any resend"
            )),
        },
        _ => ShipmentResult::Pending { note: None },
    }
}

/// What to do with one package, decided before anything is sent.
enum Decision {
    Send(ShipmentConfirmation),
    Refuse(String),
    Hold(String, OffsetDateTime),
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

fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
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
                rfc3339(s.ship_date)
            ),
            s.ship_date,
        ));
    }
    let known = engine
        .state
        .id_map_get(account.id(), &s.amazon_order_id)
        .await?;
    if !s.shipped_despite_cancellation
        && let Some(entry) = &known
        && let Some(item) = s
            .items
            .iter()
            .find(|i| entry.cancel_requested.contains(&i.item_id))
    {
        return Ok(Decision::Refuse(format!(
            "the buyer asked to cancel line {} of order {}; cancel it, or report the package \
             again marked as shipped despite the cancellation request",
            item.item_id, s.amazon_order_id
        )));
    }
    let marketplace = match known {
        Some(e) => Some(e.marketplace),
        None => marketplace_of(engine, account, &s.amazon_order_id).await?,
    };
    let Some(marketplace) = marketplace else {
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

/// What Amazon's view says of an attempt whose outcome is unknown.
enum Verified {
    /// The package is on Amazon with this version's tracking and items.
    Applied,
    /// It is not (or has other content): send.
    Absent,
    /// This account's Amazon side shows no packages (Orders v0, MWS).
    CannotTell,
}

async fn verify(account: &Account, c: &ShipmentConfirmation) -> Result<Verified, AmazonError> {
    if !account.amazon.shows_packages() {
        return Ok(Verified::CannotTell);
    }
    // Any failure to read Amazon's view (an unreadable answer included) leaves the outcome
    // unknown: the attempt is deferred, never resent blind. A missing order is `Ok(None)`.
    let order = account
        .amazon
        .get_order(&c.order_id, Include::default())
        .await?;
    let same_items = |items: &[crate::model::PackageItem]| {
        let mut a: Vec<_> = items.iter().map(|i| (&i.item_id, i.quantity)).collect();
        let mut b: Vec<_> = c.items.iter().map(|i| (&i.item_id, i.quantity)).collect();
        a.sort();
        b.sort();
        a == b
    };
    let applied = order.is_some_and(|o| {
        o.packages.iter().any(|p| {
            p.reference == c.package
                && p.tracking_number.as_deref() == Some(c.tracking_number.as_str())
                && same_items(&p.items)
        })
    });
    Ok(if applied {
        Verified::Applied
    } else {
        Verified::Absent
    })
}

/// One pass's shared context.
struct Pass<'a> {
    engine: &'a Engine,
    account: &'a Account,
    owner: &'a str,
}

impl Pass<'_> {
    fn acct(&self) -> &AccountId {
        self.account.id()
    }

    /// Records how the attempt ended (if this worker still holds the entry and the version
    /// is current), then tells the host.
    async fn finish(
        &self,
        entry: &OutboxEntry,
        status: OutboxStatus,
        next_attempt_at: OffsetDateTime,
        last_error: Option<String>,
    ) -> Result<(), SyncError> {
        let finish = Finish {
            version: entry.version,
            status,
            next_attempt_at,
            last_error,
        };
        let now = self.engine.clock.now();
        let applied = self
            .engine
            .state
            .outbox_finish(
                self.acct(),
                entry.kind(),
                &entry.subject(),
                Some(self.owner),
                &finish,
                now,
            )
            .await?;
        if !applied {
            // A newer version arrived, or the lease was lost to another worker: that one
            // owns the entry now and reports its own result.
            tracing::info!(
                account = %self.acct(), subject = %entry.subject(), version = entry.version,
                "outbox entry changed hands or versions during the attempt; its result is left to the newer attempt"
            );
            return Ok(());
        }
        let updated = OutboxEntry {
            status: finish.status,
            ..entry.clone()
        };
        self.tell_host(&updated).await
    }

    /// Tells the entry's host what became of it and marks it reported.
    async fn tell_host(&self, entry: &OutboxEntry) -> Result<(), SyncError> {
        let Some(s) = entry.payload.as_shipment() else {
            return Ok(());
        };
        if let Some(source) = Source::of(self.engine, entry.origin) {
            source
                .record(self.acct(), s, &host_result(&entry.status))
                .await?;
        }
        self.engine
            .state
            .outbox_reported(self.acct(), entry.kind(), &entry.subject(), entry.version)
            .await?;
        Ok(())
    }

    /// One claimed shipment entry, from decision to recorded result. Only errors that
    /// concern the whole run (the state or host unavailable, credentials) are returned.
    async fn attempt(
        &self,
        entry: OutboxEntry,
        previous: OutboxStatus,
        report: &mut RunReport,
    ) -> Result<(), SyncError> {
        let Some(s) = entry.payload.as_shipment().cloned() else {
            return Ok(());
        };
        let now = self.engine.clock.now();
        let retry_at = now + backoff(entry.attempts, self.account.config.export.retry_backoff);
        let decision = match decide(self.engine, self.account, &s).await {
            Ok(d) => d,
            Err(SyncError::Amazon(e)) if e.kind().is_retryable() => {
                report.counts.deferred += 1;
                let status = if previous.outcome_unknown() {
                    previous.clone()
                } else {
                    OutboxStatus::Pending
                };
                return self
                    .finish(&entry, status, retry_at, Some(e.to_string()))
                    .await;
            }
            Err(e) => return Err(e),
        };
        let c = match decision {
            Decision::Refuse(reason) => {
                report.counts.refused += 1;
                report.errors.push(format!(
                    "refused package {} of {}: {reason}",
                    s.package, s.amazon_order_id
                ));
                return self
                    .finish(&entry, OutboxStatus::Refused { reason }, now, None)
                    .await;
            }
            Decision::Hold(reason, until) => {
                report.counts.held += 1;
                let status = OutboxStatus::Held {
                    reason,
                    until: Some(until),
                };
                return self.finish(&entry, status, until, None).await;
            }
            Decision::Send(c) => c,
        };

        if previous.outcome_unknown() {
            match verify(self.account, &c).await {
                Ok(Verified::Applied) => {
                    report.counts.verified += 1;
                    report.counts.exported += 1;
                    let at = self.engine.clock.now();
                    return self
                        .finish(&entry, OutboxStatus::Confirmed { at }, at, None)
                        .await;
                }
                Ok(Verified::Absent) => {}
                Ok(Verified::CannotTell) => {
                    let error = String::from(
                        "an earlier attempt's outcome is unknown and this account reads orders through an API \
                         that shows no packages (Orders v0 or MWS), so the engine cannot verify it; it will not \
                         resend on its own: check the order in Seller Central, then settle it with \
                         `amzsync outbox settle --sent` (it is there) or `--resend` (library: \
                         SyncState::outbox_finish with no owner)",
                    );
                    report.errors.push(format!(
                        "package {} of {}: {error}",
                        s.package, s.amazon_order_id
                    ));
                    let status = OutboxStatus::Unknown {
                        error: "awaiting operator: outcome cannot be verified".into(),
                    };
                    return self
                        .finish(&entry, status, far_future(now), Some(error))
                        .await;
                }
                Err(e) if e.kind() == ErrorKind::Auth => {
                    self.finish(&entry, previous, retry_at, Some(e.to_string()))
                        .await?;
                    return Err(e.into());
                }
                Err(e) => {
                    report.counts.deferred += 1;
                    return self
                        .finish(&entry, previous, retry_at, Some(e.to_string()))
                        .await;
                }
            }
        }

        match self.account.amazon.confirm_shipment(&c).await {
            Ok(()) => {
                report.counts.exported += 1;
                let at = self.engine.clock.now();
                self.finish(&entry, OutboxStatus::Confirmed { at }, at, None)
                    .await
            }
            Err(e) => match e.kind() {
                ErrorKind::Client => {
                    report.counts.rejected += 1;
                    let message = match &e.code {
                        Some(code) => format!("{code}: {}", e.message),
                        None => e.message.clone(),
                    };
                    report.errors.push(format!(
                        "Amazon rejected package {} of {}: {message}",
                        s.package, s.amazon_order_id
                    ));
                    self.finish(
                        &entry,
                        OutboxStatus::Rejected { message },
                        now,
                        Some(e.to_string()),
                    )
                    .await
                }
                ErrorKind::Throttled { .. } => {
                    // Refused before it was applied: send again after the backoff.
                    report.counts.deferred += 1;
                    let status = if previous.outcome_unknown() {
                        previous
                    } else {
                        OutboxStatus::Pending
                    };
                    self.finish(&entry, status, retry_at, Some(e.to_string()))
                        .await
                }
                ErrorKind::Auth => {
                    let status = if previous.outcome_unknown() {
                        previous
                    } else {
                        OutboxStatus::Pending
                    };
                    self.finish(&entry, status, retry_at, Some(e.to_string()))
                        .await?;
                    Err(e.into())
                }
                _ => {
                    // A timeout, a dropped connection or a 5xx: Amazon may have applied it.
                    report.counts.unknown += 1;
                    let status = OutboxStatus::Unknown {
                        error: e.to_string(),
                    };
                    self.finish(&entry, status, retry_at, Some(e.to_string()))
                        .await
                }
            },
        }
    }
}

/// A next-attempt time that is never reached by itself (an entry only an operator settles).
fn far_future(now: OffsetDateTime) -> OffsetDateTime {
    now + time::Duration::days(365 * 100)
}

/// Intake: offers every ready package of one host to the outbox and tells the host it was
/// taken (or, for a package whose version the outbox already settled, its result).
async fn intake(
    pass: &Pass<'_>,
    origin: Origin,
    source: &Source,
    shutdown: &Shutdown,
    report: &mut RunReport,
) -> Result<(), SyncError> {
    let batch_size = pass.account.config.export.batch.max(1);
    let mut seen = HashSet::new();
    loop {
        check_shutdown(shutdown)?;
        let batch = source.ready(pass.acct(), batch_size).await?;
        let full = batch.len() >= batch_size;
        let mut fresh = 0;
        for s in batch {
            let payload = OutboxPayload::Shipment(s);
            if !seen.insert(payload.subject()) {
                continue;
            }
            fresh += 1;
            report.counts.fetched += 1;
            let now = pass.engine.clock.now();
            let offered = pass
                .engine
                .state
                .outbox_offer(pass.acct(), &payload, origin, now)
                .await?;
            pass.tell_host(offered.entry()).await?;
        }
        // A host that keeps reporting what it was told about would loop: stop at a batch
        // with nothing new.
        if !full || fresh == 0 {
            return Ok(());
        }
    }
}

/// Confirms the packages the host (store and warehouse) reports as shipped, through the
/// outbox.
///
/// Each package is checked before anything is sent: empty tracking, an invalid package
/// reference, a carrier without an Amazon mapping, or a line the buyer asked to cancel
/// (unless the host says it shipped anyway) refuse it, with the reason; a ship date in the
/// future holds it until that date. An entry is claimed with a lease before
/// `confirmShipment`; an attempt whose outcome is unknown is verified against the packages
/// Amazon reports before anything is resent, and where the account's API shows no
/// packages it waits for an operator instead. A confirmed version is never sent again; a
/// corrected package is the next version and is sent as an edit of the same package
/// reference. Each entry has its own next-attempt time: a held, refused or failing entry
/// never blocks the others, and a transient error on one entry does not end the run.
pub async fn export_shipments(
    engine: &Engine,
    account: &Account,
    shutdown: &Shutdown,
    report: &mut RunReport,
) -> Result<(), SyncError> {
    let owner = engine.owner().to_owned();
    let pass = Pass {
        engine,
        account,
        owner: &owner,
    };
    for origin in [Origin::Store, Origin::Warehouse] {
        if let Some(source) = Source::of(engine, origin) {
            intake(&pass, origin, &source, shutdown, report).await?;
        }
    }
    let batch = account.config.export.batch.max(1);
    let mut done = HashSet::new();
    loop {
        check_shutdown(shutdown)?;
        let now = engine.clock.now();
        let due = engine.state.outbox_due(account.id(), now, batch).await?;
        let mut progressed = false;
        for entry in due {
            check_shutdown(shutdown)?;
            if entry.kind() != OutboxKind::Shipment {
                continue;
            }
            let key = (entry.subject(), entry.version, entry.status.is_final());
            if !done.insert(key) {
                continue;
            }
            progressed = true;
            if entry.status.is_final() {
                pass.tell_host(&entry).await?;
                continue;
            }
            let now = engine.clock.now();
            let claim = engine
                .state
                .outbox_claim(
                    account.id(),
                    entry.kind(),
                    &entry.subject(),
                    &owner,
                    now,
                    now + account.config.export.lease,
                )
                .await?;
            match claim {
                Claim::Claimed { entry, previous } => {
                    pass.attempt(*entry, previous, report).await?;
                }
                Claim::Busy { .. } | Claim::NotDue { .. } | Claim::Final(_) | Claim::Missing => {}
            }
        }
        if !progressed {
            return Ok(());
        }
    }
}
