//! A typed client for Amazon's legacy Marketplace Web Service (MWS).
//!
//! MWS was switched off in 2024, but systems still hold MWS-era credentials, recorded
//! responses and feed documents. This crate signs requests with Signature Version 2, talks to
//! the Orders 2013-09-01 and Feeds 2009-01-01 sections (or to a test double at a custom
//! endpoint), and reads their XML into typed values.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod client;
mod common;
pub mod credentials;
pub mod endpoint;
pub mod error;
mod feed_docs;
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
