//! Per-account engine settings: what to import, windows, retention, job intervals.

use std::time::Duration as StdDuration;

use order_mapping::vocab::OrderStatus;
use time::{Duration, OffsetDateTime};

use crate::amazon::Include;
use crate::ids::{AccountId, MarketplaceId};
use crate::model::Order;

/// Everything the engine needs to know about one seller account (besides its Amazon side
/// and mapping rules).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountConfig {
    /// The account.
    pub id: AccountId,
    /// The marketplaces to sync (empty: whatever the Amazon side defaults to).
    pub marketplaces: Vec<MarketplaceId>,
    /// The import job.
    pub import: ImportConfig,
    /// The reconcile job.
    pub reconcile: ReconcileConfig,
    /// The shipment export job.
    pub export: ExportConfig,
    /// PII retention.
    pub retention: RetentionConfig,
    /// How often each job runs.
    pub schedule: Schedule,
}

impl AccountConfig {
    /// Defaults for an account whose first import starts at `import_from`.
    pub fn new(id: impl Into<AccountId>, import_from: OffsetDateTime) -> Self {
        Self {
            id: id.into(),
            marketplaces: Vec::new(),
            import: ImportConfig::new(import_from),
            reconcile: ReconcileConfig::default(),
            export: ExportConfig::default(),
            retention: RetentionConfig::default(),
            schedule: Schedule::default(),
        }
    }
}

/// Where imported merchant-fulfilled orders go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    /// Into the order store (cart/ERP).
    pub store: bool,
    /// To the warehouse for fulfilment (unshipped orders, and later updates of those).
    pub warehouse: bool,
}

impl Default for Targets {
    fn default() -> Self {
        Self {
            store: true,
            warehouse: false,
        }
    }
}

/// The import job's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportConfig {
    /// Where the first run starts (orders last updated at or after this time).
    pub import_from: OffsetDateTime,
    /// How far before the cursor each run starts again, to catch late-visible changes
    /// (Amazon's listings lag about two minutes). Default 10 minutes.
    pub overlap: Duration,
    /// How far behind "now" the window ends. Amazon refuses bounds less than two minutes
    /// old; default 3 minutes.
    pub lag: Duration,
    /// The longest window one listing covers; a longer catch-up is split into windows,
    /// each committing its cursor. Default 1 day.
    pub max_window: Duration,
    /// Import Amazon-fulfilled (FBA) orders too (placeholder name, no address, never to
    /// the warehouse). Default off.
    pub fba: bool,
    /// Where merchant-fulfilled orders go.
    pub targets: Targets,
    /// Restricted data to request.
    pub include: Include,
    /// How many parked orders to retry per run. Default 50.
    pub parked_retry_batch: usize,
}

impl ImportConfig {
    /// Defaults, starting at `import_from`.
    pub fn new(import_from: OffsetDateTime) -> Self {
        Self {
            import_from,
            overlap: Duration::minutes(10),
            lag: Duration::minutes(3),
            max_window: Duration::days(1),
            fba: false,
            targets: Targets::default(),
            include: Include {
                buyer: true,
                recipient: true,
            },
            parked_retry_batch: 50,
        }
    }
}

/// The reconcile job's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconcileConfig {
    /// How far back to re-list, counted back from the end of the range. Default 7 days.
    pub window: Duration,
    /// The end of the re-listed range (orders last updated before it); `None`, the
    /// default, re-lists up to now minus the import lag. A later time is clamped to that
    /// too. Used for a bounded backfill: `window = to - from`, `until = Some(to)`.
    pub until: Option<OffsetDateTime>,
}

impl Default for ReconcileConfig {
    fn default() -> Self {
        Self {
            window: Duration::days(7),
            until: None,
        }
    }
}

/// The shipment export job's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportConfig {
    /// How many shipments to ask each host for per call, and how many due outbox entries
    /// to take per pass. Default 200.
    pub batch: usize,
    /// How long a claim on an outbox entry lasts before another worker may take it over
    /// (and then verify what became of the attempt). Default 2 minutes: far longer than
    /// one `confirmShipment`, short enough that a crashed worker's entries move on.
    pub lease: Duration,
    /// The first backoff after a failed or unknown attempt of an entry; it doubles per
    /// attempt up to an hour. Default 30 seconds.
    pub retry_backoff: Duration,
}

impl Default for ExportConfig {
    fn default() -> Self {
        Self {
            batch: 200,
            lease: Duration::minutes(2),
            retry_backoff: Duration::seconds(30),
        }
    }
}

/// How long buyer and recipient PII may be kept.
///
/// Amazon's Data Protection Policy allows PII no longer than 30 days after delivery. When
/// the delivery date is unknown the engine uses a conservative proxy for it: the end of
/// the promised deliver-by window, else the last ship date Amazon knows (or the end of the
/// ship-by window) plus [`transit_allowance`](Self::transit_allowance), else the last
/// update plus the same allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionConfig {
    /// How long after delivery PII is kept. Default 30 days.
    pub after_delivery: Duration,
    /// How long a package is assumed to travel when only a ship date is known. Default
    /// 7 days.
    pub transit_allowance: Duration,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            after_delivery: Duration::days(30),
            transit_allowance: Duration::days(7),
        }
    }
}

impl RetentionConfig {
    /// When the order's PII must be redacted; `None` while items are still to ship (the
    /// PII is needed to fulfil the order; the date is computed again on the next update).
    pub fn pii_expires_at(&self, order: &Order) -> Option<OffsetDateTime> {
        let delivered = match &order.status {
            OrderStatus::Pending
            | OrderStatus::PendingAvailability
            | OrderStatus::Unshipped
            | OrderStatus::PartiallyShipped => return None,
            // Nothing will be delivered: the clock starts at the cancellation.
            OrderStatus::Canceled | OrderStatus::Unfulfillable => order.last_updated_at,
            _ => order
                .delivered_at
                .unwrap_or_else(|| self.delivery_proxy(order)),
        };
        Some(delivered + self.after_delivery)
    }

    fn delivery_proxy(&self, order: &Order) -> OffsetDateTime {
        if let Some(latest) = order.deliver_by.and_then(|w| w.latest) {
            return latest.max(self.shipped_proxy(order).unwrap_or(latest));
        }
        self.shipped_proxy(order)
            .unwrap_or(order.last_updated_at + self.transit_allowance)
    }

    fn shipped_proxy(&self, order: &Order) -> Option<OffsetDateTime> {
        let shipped = order.packages.iter().filter_map(|p| p.shipped_at).max();
        shipped
            .or_else(|| order.ship_by.and_then(|w| w.latest))
            .map(|t| t + self.transit_allowance)
    }
}

/// How often each job runs for an account; `None` disables a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Import orders. Default every minute.
    pub import: Option<StdDuration>,
    /// Reconcile. Default daily.
    pub reconcile: Option<StdDuration>,
    /// Export shipments. Default every minute.
    pub shipments: Option<StdDuration>,
    /// Redact PII. Default daily.
    pub redaction: Option<StdDuration>,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            import: Some(StdDuration::from_secs(60)),
            reconcile: Some(StdDuration::from_secs(24 * 3600)),
            shipments: Some(StdDuration::from_secs(60)),
            redaction: Some(StdDuration::from_secs(24 * 3600)),
        }
    }
}

impl Schedule {
    /// The interval of a job, if it is enabled.
    pub fn interval(&self, job: crate::state::JobKind) -> Option<StdDuration> {
        use crate::state::JobKind;
        match job {
            JobKind::ImportOrders => self.import,
            JobKind::Reconcile => self.reconcile,
            JobKind::ExportShipments => self.shipments,
            JobKind::RedactPii => self.redaction,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DateWindow, Package};
    use time::macros::datetime;

    #[test]
    fn retention_follows_delivery_or_a_conservative_proxy() {
        let r = RetentionConfig::default();
        let mut o = crate::model::tests::sample_order("1");
        let t = datetime!(2026-11-01 10:05 UTC);
        assert_eq!(r.pii_expires_at(&o), None, "unshipped keeps PII");

        o.status = OrderStatus::Shipped;
        o.delivered_at = Some(datetime!(2026-11-05 0:00 UTC));
        assert_eq!(r.pii_expires_at(&o), Some(datetime!(2026-12-05 0:00 UTC)));

        o.delivered_at = None;
        o.deliver_by = Some(DateWindow {
            earliest: None,
            latest: Some(datetime!(2026-11-10 0:00 UTC)),
        });
        assert_eq!(r.pii_expires_at(&o), Some(datetime!(2026-12-10 0:00 UTC)));

        o.packages.push(Package {
            reference: crate::PackageRef::new("1"),
            carrier: None,
            tracking_number: None,
            shipped_at: Some(datetime!(2026-11-08 0:00 UTC)),
            items: vec![],
        });
        // Shipped late: the ship date + transit (Nov 15) is later than the promise.
        assert_eq!(r.pii_expires_at(&o), Some(datetime!(2026-12-15 0:00 UTC)));

        o.deliver_by = None;
        o.packages.clear();
        assert_eq!(r.pii_expires_at(&o), Some(t + Duration::days(37)));

        o.status = OrderStatus::Canceled;
        assert_eq!(r.pii_expires_at(&o), Some(t + Duration::days(30)));
    }
}
