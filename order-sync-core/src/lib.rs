//! The storage-agnostic order sync engine.
//!
//! Keeps a host (cart, ERP or warehouse) in sync with Amazon orders for many seller
//! accounts, without losing or doubling anything. The crate holds:
//!
//! - the neutral domain model ([`model`], [`pii`], [`money`], [`ids`]);
//! - the traits a host implements ([`host::OrderStore`], [`host::Warehouse`]), the
//!   engine's own state ([`state::SyncState`]), the Amazon side ([`amazon::AmazonSide`]),
//!   time ([`clock::Clock`]) and run-report sinks ([`report::Notifier`]);
//!
//! It never contains SQL: storage lives in the `store-adapters` crate.

pub mod amazon;
pub mod clock;
pub mod config;
#[cfg(feature = "test-util")]
pub mod conformance;
pub mod engine;
pub mod error;
#[cfg(feature = "test-util")]
pub mod fake;
#[cfg(feature = "test-util")]
pub mod fixtures;
pub mod host;
pub mod ids;
pub mod jobs;
pub mod model;
pub mod money;
pub mod pii;
pub mod report;
pub mod scheduler;
pub mod shutdown;
#[cfg(feature = "spapi")]
#[cfg_attr(docsrs, doc(cfg(feature = "spapi")))]
pub mod spapi;
pub mod state;

pub use error::{AmazonError, ErrorKind, Result, StateError, StoreError, SyncError};
pub use ids::{AccountId, AmazonOrderId, HostOrderId, MarketplaceId, OrderItemId, PackageRef};
pub use money::Money;
