//! A typed client for Amazon's legacy Marketplace Web Service (MWS).
//!
//! MWS was switched off in 2024, but systems still hold MWS-era credentials, recorded
//! responses and feed documents. This crate signs requests with Signature Version 2, talks to
//! the Orders 2013-09-01 and Feeds 2009-01-01 sections (or to a test double at a custom
//! endpoint), and reads their XML into typed values; the readers also work offline on
//! archived documents.
//!
//! - [`sign`]: Signature Version 2 (HmacSHA256), canonical query, `Content-MD5`.
//! - [`Client`]: validates, throttles (per seller and operation, Amazon's published quota and
//!   restore rate), signs, sends, retries `RequestThrottled`/`QuotaExceeded`/5xx with
//!   backoff, and decodes. Errors are [`Error`], classified by [`Error::kind`].
//! - [`orders`]: `ListOrders` (+ByNextToken, as a `Stream`), `GetOrder`, `ListOrderItems`
//!   (+ByNextToken), `GetServiceStatus`, and every field of the 2013-09-01 responses.
//! - [`feeds`]: `SubmitFeed`, `GetFeedSubmissionList` (+ByNextToken), `GetFeedSubmissionCount`,
//!   `CancelFeedSubmissions`, `GetFeedSubmissionResult` (Content-MD5 verified), typed order
//!   feeds ([`feeds::Envelope`]) and the processing report. The documents themselves live in
//!   the `amazon-feed-documents` crate, shared with the SP-API client, and are re-exported
//!   from [`feeds`].
//!
//! Buyer data is wrapped in [`Pii`] and credentials in [`Credentials`]: neither prints in
//! `Debug`. Money is [`rust_decimal::Decimal`]; times are [`time::OffsetDateTime`] in UTC.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use mws_legacy::feeds::{CarrierCode, Envelope, FulfillmentItem, OrderFulfillment, SubmitFeed};
//! use mws_legacy::orders::{ListOrders, OrderStatus};
//! use mws_legacy::{Client, Credentials, Endpoint, Marketplace};
//! use time::macros::datetime;
//!
//! # async fn run() -> mws_legacy::Result<()> {
//! let credentials = Credentials::new("A1SELLER", "AKIDEXAMPLE", "secret")
//!     .with_mws_auth_token("amzn.mws.00000000-0000-0000-0000-000000000000");
//! let client = Client::builder(credentials)
//!     // An Amazon endpoint (`.marketplace(Marketplace::US)`) or a test double:
//!     .endpoint(Endpoint::custom("http://127.0.0.1:8080")?)
//!     .build()?;
//!
//! let request = ListOrders::last_updated_after(datetime!(2023-06-01 00:00 UTC))
//!     .marketplace_id(Marketplace::US.id)
//!     .order_status(OrderStatus::Unshipped)
//!     .order_status(OrderStatus::PartiallyShipped);
//! let orders: Vec<_> = client.list_orders_stream(request).try_collect().await?;
//!
//! for order in &orders {
//!     let feed = Envelope::order_fulfillment(
//!         "A1SELLER",
//!         [OrderFulfillment::new(order.amazon_order_id.as_str(), datetime!(2023-06-02 10:00 UTC))
//!             .carrier_code(CarrierCode::Ups)
//!             .tracking_number("1Z999AA10123456784")
//!             .item(FulfillmentItem::new("12345678901234", 1))],
//!     );
//!     let submitted = client.submit_feed(&SubmitFeed::from_envelope(&feed)?).await?;
//!     let id = submitted.feed_submission_info.feed_submission_id;
//!     // ... later, once processed:
//!     let report = client.get_feed_submission_result(id).await?.processing_report()?;
//!     println!("{} errors", report.results.len());
//! }
//! # Ok(())
//! # }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod client;
mod common;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod feeds;
mod feeds_model;
pub mod operation;
pub mod orders;
mod orders_model;
pub mod sign;
pub mod throttle;
mod xml;

pub use client::{Client, ClientBuilder, Clock, RetryConfig};
pub use common::{Amount, Money, Pii, parse_error_response};
pub use credentials::Credentials;
pub use endpoint::{Endpoint, Marketplace, Region};
pub use error::{ApiError, Error, ErrorKind, MwsError, Result, XmlError};
pub use operation::{Operation, RawResponse, RequestBody, Section, ThrottleRule};
pub use throttle::RateLimiter;
