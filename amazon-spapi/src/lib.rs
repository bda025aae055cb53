//! A typed, rate-limited client for Amazon's Selling Partner API (SP-API): Login with
//! Amazon, restricted data tokens, Orders v0 and v2026-01-01, Sellers, Feeds, Reports,
//! Listings Items and Notifications (with an SQS consumer).
//!
//! One [`Client`] executes typed, I/O-free [`Operation`]s: it gets and caches access
//! tokens (and restricted data tokens for PII), waits for rate-limit capacity per
//! (selling partner, application, operation), retries throttling and transient failures
//! with jittered back-off under a deadline, and decodes responses into typed models
//! (money as [`rust_decimal::Decimal`], times as [`time::OffsetDateTime`]).
//!
//! ```no_run
//! use spapi_client::{Client, LwaCredentials, Region};
//! use spapi_client::orders_v2026::{IncludedData, SearchOrdersRequest};
//! use futures::TryStreamExt;
//! use secrecy::SecretString;
//! use time::macros::datetime;
//!
//! # async fn run() -> spapi_client::Result<()> {
//! let client = Client::builder()
//!     .credentials(LwaCredentials {
//!         client_id: "amzn1.application-oa2-client.example".into(),
//!         client_secret: SecretString::from("secret"),
//!         refresh_token: SecretString::from("Atzr|example"),
//!     })
//!     .region(Region::Na)
//!     .build()?;
//!
//! // A quick credentials check.
//! let marketplaces = client.sellers().get_marketplace_participations().await?;
//! println!("{} marketplaces", marketplaces.len());
//!
//! // Every order updated since a watermark, page after page, within Amazon's limits.
//! let request = SearchOrdersRequest::new(["ATVPDKIKX0DER"])
//!     .last_updated_after(datetime!(2026-01-01 0:00 UTC))
//!     .included_data(vec![IncludedData::Recipient, IncludedData::Proceeds]);
//! let mut orders = client.orders_v2026().search_orders_stream(request);
//! while let Some(order) = orders.try_next().await? {
//!     println!("{} {:?}", order.order_id, order.fulfillment.map(|f| f.fulfillment_status));
//! }
//! # Ok(()) }
//! ```
//!
//! Errors are one [`Error`] enum; branch on [`Error::kind`]. Secrets and buyer PII never
//! appear in `Debug` output or logs.
//!
//! # Entry points
//!
//! | Call | Operation |
//! | --- | --- |
//! | [`Client::orders_v0`] → [`get_orders`](orders_v0::OrdersV0::get_orders), [`get_orders_stream`](orders_v0::OrdersV0::get_orders_stream), [`get_order`](orders_v0::OrdersV0::get_order), [`get_order_items`](orders_v0::OrdersV0::get_order_items), [`get_order_address`](orders_v0::OrdersV0::get_order_address), [`get_order_buyer_info`](orders_v0::OrdersV0::get_order_buyer_info), [`get_order_items_buyer_info`](orders_v0::OrdersV0::get_order_items_buyer_info) | Orders v0 reads (deprecated by Amazon, removal 2027-03-27) |
//! | [`confirm_shipment`](orders_v0::OrdersV0::confirm_shipment), [`update_shipment_status`](orders_v0::OrdersV0::update_shipment_status), [`get_order_regulated_info`](orders_v0::OrdersV0::get_order_regulated_info), [`update_verification_status`](orders_v0::OrdersV0::update_verification_status) | Orders v0 writes (current) |
//! | [`Client::orders_v2026`] → [`search_orders`](orders_v2026::OrdersV2026::search_orders), [`search_orders_stream`](orders_v2026::OrdersV2026::search_orders_stream), [`get_order`](orders_v2026::OrdersV2026::get_order) | Orders v2026-01-01 |
//! | [`Client::sellers`] → [`get_marketplace_participations`](sellers::SellersApi::get_marketplace_participations) | Sellers v1 (credentials check) |
//! | [`Client::tokens`] → [`create_restricted_data_token`](tokens::TokensApi::create_restricted_data_token) | Tokens 2021-03-01 |
//! | [`Client::mint_restricted_data_token`] | one RDT for up to 50 resources, used by the calls it covers |
//! | [`Client::feeds`] → [`submit_feed`](feeds::FeedsApi::submit_feed) and every Feeds operation | Feeds 2021-06-30, processing reports parsed |
//! | [`Client::reports`] → reports, documents, schedules; [`reports::order_report_rows`] | Reports 2021-06-30 |
//! | [`Client::listings`] → get/put/patch/delete with `VALIDATION_PREVIEW` | Listings Items 2021-08-01 |
//! | [`Client::notifications`] → destinations, subscriptions; [`notifications::Notification::from_json`]; `sqs::SqsConsumer` (feature `sqs`) | Notifications v1 |
//! | [`Listing::position`] on the item streams | watermark and page token, to resume after a crash |
//! | [`Client::wait_time`] | how long the next call of an operation would wait |
//! | [`lwa::authorization_url`], [`lwa::exchange_authorization_code`] | seller onboarding |
//!
//! # Choices
//!
//! * **Unknown enum values** decode into `Unknown(String)`, not `Other`: some Amazon enums
//!   already have a real value `Other` (`PaymentMethod`).
//! * **"Before" bounds** (`CreatedBefore`, `LastUpdatedBefore`, and the v2026 spellings)
//!   later than two minutes before now are clamped to now − 2 min by the client's
//!   [`Clock`]; streams clamp once so every page sends identical filters.
//! * **Restricted data tokens** are requested for generic paths
//!   (`/orders/v0/orders/{orderId}`), so one RDT serves every order for its hour.
//! * **Retries:** 429 and connection failures are always retried; 5xx and timeouts only
//!   for operations that are safe to repeat. `confirmShipment` and `updateShipmentStatus`
//!   are not repeated after an ambiguous failure: the caller decides (a shipment is
//!   confirmed once).
//! * **Rate limits:** a bucket per (selling partner authorization, application, endpoint,
//!   operation), seeded from Amazon's published defaults (see each module's constants),
//!   shared by clones, and by other clients through [`ClientBuilder::rate_limiter`]. The
//!   v2026 `getOrder` bucket is named `getOrder_2026` to keep it apart from v0 `getOrder`.
//! * **Retry deadline:** [`RetryConfig::retry_timeout`] counts every wait before a retry,
//!   the rate limiter's included, with a floor per operation
//!   ([`RetryConfig::deadline_for`]); a 429 slows a bucket to no less than
//!   [`THROTTLE_FLOOR`] of its rate, so repeated 429s cannot starve a call without bound.
//! * **Application-wide limits** (Listings): operations declare [`ApplicationLimit`]s, one
//!   bucket per application shared by all its sellers through one [`RateLimiter`]; a 429
//!   slows the bucket whose limit its message names ([`ThrottleScope`]).
//! * **Restricted data tokens** come from the production endpoint even with
//!   [`ClientBuilder::sandbox`] (configurable with [`ClientBuilder::rdt_endpoint`]).
//! * **Time:** sleeps use `tokio::time` (tests pause and advance it); wall time comes from
//!   the injectable [`Clock`].

#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod clock;
mod error;
pub mod feeds;
pub mod listings;
pub mod lwa;
pub mod notifications;
mod operation;
pub mod orders_v0;
pub mod orders_v2026;
mod pagination;
mod rate_limit;
mod region;
pub mod reports;
mod retry;
pub mod sellers;
mod serde_util;
mod shared_model;
#[cfg(feature = "sqs")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqs")))]
pub mod sqs;
pub mod tokens;
mod user_agent;

pub use client::{Client, ClientBuilder, Document};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{ApiError, ApiFailure, Error, ErrorKind, LwaErrorCode, LwaFailure, Result};
pub use lwa::{AppCredentials, Credentials, GrantlessScope, LwaCredentials, TokenCache};
pub use operation::{
    ApplicationLimit, Method, Operation, OperationInfo, RequestContext, RequestParts,
    ThrottleScope, encode_component,
};
pub use pagination::{Listing, ListingPosition};
pub use rate_limit::{RateLimit, RateLimiter, THROTTLE_FLOOR, TokenBucket};
pub use region::{LWA_TOKEN_ENDPOINT, MARKETPLACES, Marketplace, Region};
pub use retry::{Backoff, BackoffConfig, RetryConfig};
pub use serde_util::{format_utc, parse_timestamp};
pub use user_agent::LIBRARY;

/// A string holding buyer PII (e.g. a `BuyerEmail` filter): `Debug` prints `<redacted>`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Pii(pub String);

impl std::fmt::Debug for Pii {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}
