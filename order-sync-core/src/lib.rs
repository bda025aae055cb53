//! The storage-agnostic order sync engine.
//!
//! Keeps a host (a cart, an ERP or a warehouse) in sync with Amazon orders for any number
//! of seller accounts, without losing or doubling anything, whatever crashes, overlaps and
//! retries happen. The crate holds no SQL and no HTTP of its own:
//!
//! - the neutral domain model: [`model::Order`] with its lines, totals and packages,
//!   buyer and recipient PII in their own types ([`pii::BuyerPii`], [`pii::Recipient`])
//!   whose `Debug` never shows a value, exact [`Money`], newtype [`ids`];
//! - the traits around the engine, all object-safe (`Arc<dyn ...>`), each with a small
//!   required surface and an `...Ext` trait of conveniences:
//!   [`host::OrderStore`] and [`host::Warehouse`] (the host), [`state::SyncState`] (the
//!   engine's memory: cursors, id map, outbox, parked orders, run reports),
//!   [`amazon::AmazonSide`] (implemented over SP-API in [`spapi`], feature `spapi`, and over
//!   legacy MWS in [`mws`], feature `mws`),
//!   [`clock::Clock`] and [`report::Notifier`];
//! - account identity ([`accounts`]): an [`accounts::AccountDirectory`] gives each seller
//!   account (region and selling partner id) a stable [`AccountId`], so the name in a
//!   configuration is only a label;
//! - the [`jobs`] (import orders, reconcile, export shipments, redact PII), plain async
//!   functions over one account, wrapped by [`engine::Engine::run`];
//! - the [`scheduler::Scheduler`] that runs every job of every account on its interval;
//! - behind the `test-util` feature: the adapters' conformance suite (`conformance`,
//!   and `conformance_accounts` for account directories),
//!   a fake Amazon side (`fake`) and sample data (`fixtures`).
//!
//! Storage adapters (memory, SQLite, later PostgreSQL) live in the `store-adapters` crate.
//!
//! # Wiring an engine
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use order_mapping::{Mapper, MappingConfig};
//! use order_sync_core::config::AccountConfig;
//! use order_sync_core::engine::{Account, Engine};
//! use order_sync_core::host::OrderStore;
//! use order_sync_core::scheduler::Scheduler;
//! use order_sync_core::shutdown::Shutdown;
//! use order_sync_core::spapi::{ReadApi, SpApiAmazon};
//! use order_sync_core::state::{JobKind, SyncState};
//!
//! # async fn wire(
//! #     store: Arc<dyn OrderStore>,
//! #     state: Arc<dyn SyncState>,
//! #     client: spapi_client::Client,
//! # ) -> Result<(), Box<dyn std::error::Error>> {
//! // The host's order store and the engine's state come from an adapter (e.g. the
//! // `store-adapters` crate's SQLite or memory adapters); the client from `spapi-client`.
//! let engine = Arc::new(Engine::builder(state).store(store).build()?);
//!
//! let mut config = AccountConfig::new("seller-1", time::macros::datetime!(2026-01-01 0:00 UTC));
//! config.marketplaces = vec!["ATVPDKIKX0DER".into()];
//! config.import.fba = true; // FBA orders too: placeholder name, no address
//! let amazon = SpApiAmazon::new(client, ReadApi::V2026, ["ATVPDKIKX0DER"]);
//! let mapping = MappingConfig::from_toml_str(r#"order_number_prefix = "AMZ-""#)?;
//! let account = Account::new(config, Arc::new(amazon), Arc::new(Mapper::new(mapping)?));
//!
//! // One run on demand...
//! let report = engine.run(&account, JobKind::ImportOrders, &Shutdown::never()).await;
//! println!("{} created, {} parked", report.counts.created, report.counts.parked);
//!
//! // ...or every job on its interval until Ctrl-C, with 30 s to finish work in flight.
//! let (trigger, shutdown) = Shutdown::new();
//! tokio::spawn(async move {
//!     let _ = tokio::signal::ctrl_c().await;
//!     trigger.trigger();
//! });
//! let mut scheduler = Scheduler::new(engine.clone());
//! scheduler.add_account(account);
//! let summary = scheduler.run(shutdown, Duration::from_secs(30)).await;
//! println!("{} runs abandoned at shutdown", summary.abandoned);
//! # Ok(()) }
//! ```
//!
//! # How the invariants are kept
//!
//! 1. *One host order per (account, Amazon order id):* hosts upsert by that key
//!    ([`host::OrderStore::upsert_order`], checked by the conformance suite), so repeating
//!    any import step is harmless.
//! 2. *No order is lost:* the import commits each page's id map entries and parked orders
//!    ([`state::ImportCommit`]) only after the host accepted them, and moves the cursor to
//!    the window's bound only after the window's last page, by compare-and-set
//!    ([`state::CursorAdvance`]). An order that cannot be mapped or that the host refuses
//!    is parked with its reason (shown in the run report) and retried every run.
//! 3. *Newer wins:* the state and the hosts ignore a version whose `last_updated_at` is
//!    older than the one they hold.
//! 4. *A package is confirmed once:* each package is claimed in the outbox before
//!    `confirmShipment`; a confirmed entry is never sent again, and a claim left in flight
//!    by a crash is checked against the packages Amazon reports before resending (Orders
//!    v2026 reports them; with v0 the resend is an edit of the same package reference).
//! 5. *Future ship dates* are held (with the reason on the host's shipment) until due.
//! 6. *Unmapped carriers, empty tracking, bad package references* are refused before
//!    anything reaches Amazon, with the mapping's reason.
//! 7. *FBA orders* are imported only when `import.fba` is on, with the placeholder name and
//!    no address, and never reach the warehouse.
//! 8. *PII* never reaches `Debug` output or logs; the redaction job replaces it with the
//!    marker in the host once [`config::RetentionConfig`] says so, and records it in the
//!    state (which holds no PII of its own); a later update of a redacted order is
//!    imported already redacted.
//! 9. *Every run leaves a report* ([`report::RunReport`]) in the state and at the
//!    [`report::Notifier`].
//!
//! Time comes from an injected [`clock::Clock`]; waits use tokio time, so tests pause and
//! advance it.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod accounts;
pub mod amazon;
pub mod clock;
pub mod config;
#[cfg(feature = "test-util")]
pub mod conformance;
#[cfg(feature = "test-util")]
pub mod conformance_accounts;
pub mod engine;
pub mod error;
#[cfg(any(test, feature = "test-util"))]
pub mod fake;
#[cfg(any(test, feature = "test-util"))]
pub mod fixtures;
pub mod host;
pub mod ids;
pub mod jobs;
pub mod model;
pub mod money;
#[cfg(feature = "mws")]
#[cfg_attr(docsrs, doc(cfg(feature = "mws")))]
pub mod mws;
pub mod outbox;
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
