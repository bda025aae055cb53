//! Token buckets per (selling partner, application, operation), refilled on sandbox time.

use std::collections::{BTreeMap, HashMap};

use time::OffsetDateTime;

use crate::config::RateLimit;

/// The published default usage plans (rate per second, burst), from the API models.
pub(crate) fn published(operation: &str) -> Option<RateLimit> {
    let (rate, burst) = match operation {
        "getOrders" => (0.0167, 20),
        "getOrder"
        | "getOrderBuyerInfo"
        | "getOrderAddress"
        | "getOrderItems"
        | "getOrderItemsBuyerInfo" => (0.5, 30),
        "confirmShipment" => (2.0, 10),
        "searchOrders" => (0.0056, 20),
        "orders2026.getOrder" => (0.5, 30),
        "createRestrictedDataToken" => (1.0, 10),
        "getMarketplaceParticipations" => (0.016, 15),
        "createFeedDocument" => (0.5, 15),
        "createFeed" => (0.0083, 15),
        "getFeed" | "cancelFeed" => (2.0, 15),
        "getFeeds" | "getFeedDocument" => (0.0222, 10),
        "getListingsItem" | "putListingsItem" => (5.0, 10),
        "patchListingsItem" | "deleteListingsItem" => (5.0, 5),
        // Listings' extra caps per application (all sellers together).
        "listingsApp.patchListingsItem" => (500.0, 500),
        "listingsApp.getListingsItem"
        | "listingsApp.putListingsItem"
        | "listingsApp.deleteListingsItem" => (100.0, 100),
        "listingsApp.validationPreview" => (20.0, 20),
        mws if mws.starts_with("mws.") => {
            return published_mws(mws).map(|(rate, burst)| RateLimit { rate, burst });
        }
        _ => return None,
    };
    Some(RateLimit { rate, burst })
}

/// MWS quotas as (restore rate per second, quota).
fn published_mws(bucket: &str) -> Option<(f64, u32)> {
    Some(match bucket {
        "mws.ListOrders" | "mws.GetOrder" => (1.0 / 60.0, 6),
        "mws.ListOrderItems" => (0.5, 30),
        "mws.Orders.GetServiceStatus" => (1.0 / 300.0, 2),
        "mws.SubmitFeed" => (1.0 / 120.0, 15),
        "mws.GetFeedSubmissionList"
        | "mws.GetFeedSubmissionCount"
        | "mws.CancelFeedSubmissions" => (1.0 / 45.0, 10),
        "mws.GetFeedSubmissionListByNextToken" => (0.5, 30),
        "mws.GetFeedSubmissionResult" => (1.0 / 60.0, 15),
        _ => return None,
    })
}

/// Hourly request quotas of the Feeds operations (by statistics name).
pub(crate) fn hourly_quota(op: &str) -> Option<u32> {
    Some(match op {
        "mws.SubmitFeed" => 30,
        "mws.GetFeedSubmissionList"
        | "mws.GetFeedSubmissionCount"
        | "mws.CancelFeedSubmissions" => 80,
        "mws.GetFeedSubmissionResult" => 60,
        "mws.GetFeedSubmissionListByNextToken" => 1800,
        _ => return None,
    })
}

/// Formats a rate the way the `x-amzn-RateLimit-Limit` header carries it.
pub(crate) fn header_value(rate: f64) -> String {
    let s = format!("{rate:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: OffsetDateTime,
}

/// All buckets of a sandbox.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    overrides: BTreeMap<String, RateLimit>,
    buckets: HashMap<(String, String, &'static str), Bucket>,
}

impl Limiter {
    pub(crate) fn new(overrides: BTreeMap<String, RateLimit>) -> Self {
        Self {
            overrides,
            buckets: HashMap::new(),
        }
    }

    /// The limit in force for an operation.
    pub(crate) fn limit(&self, operation: &str) -> Option<RateLimit> {
        self.overrides
            .get(operation)
            .copied()
            .or_else(|| published(operation))
    }

    /// Takes one token; `false` when the bucket is empty.
    pub(crate) fn try_take(
        &mut self,
        seller: &str,
        app: &str,
        operation: &'static str,
        now: OffsetDateTime,
    ) -> bool {
        let Some(limit) = self.limit(operation) else {
            return true;
        };
        let burst = f64::from(limit.burst);
        let bucket = self
            .buckets
            .entry((seller.to_owned(), app.to_owned(), operation))
            .or_insert(Bucket {
                tokens: burst,
                last: now,
            });
        let elapsed = (now - bucket.last).as_seconds_f64().max(0.0);
        bucket.tokens = (bucket.tokens + elapsed * limit.rate).min(burst);
        bucket.last = now.max(bucket.last);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let mut l = Limiter::default();
        let t0 = time::macros::datetime!(2026-01-01 0:00 UTC);
        for _ in 0..20 {
            assert!(l.try_take("s", "a", "getOrders", t0));
        }
        assert!(!l.try_take("s", "a", "getOrders", t0));
        // another seller has its own bucket
        assert!(l.try_take("s2", "a", "getOrders", t0));
        // 0.0167/s → one token after 60 s
        assert!(l.try_take("s", "a", "getOrders", t0 + time::Duration::seconds(60)));
        assert!(!l.try_take("s", "a", "getOrders", t0 + time::Duration::seconds(61)));
        assert_eq!(header_value(0.0167), "0.0167");
        assert_eq!(header_value(2.0), "2");
        assert_eq!(header_value(0.5), "0.5");
    }
}
