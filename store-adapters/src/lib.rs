//! Storage adapters for the order sync engine, each behind its own feature: `sqlite` (the
//! embedded default, one file: [`sqlite::SqliteStore`]) and `memory` (tests and embedding:
//! [`memory::MemoryStore`]). A PostgreSQL adapter for many workers is planned.
//!
//! Each adapter implements the host traits ([`OrderStore`](order_sync_core::host::OrderStore),
//! [`Warehouse`](order_sync_core::host::Warehouse)) and the engine's
//! [`SyncState`](order_sync_core::state::SyncState), and passes the shared conformance
//! suite (`order_sync_core::conformance`).
//!
//! ```
//! # #[cfg(feature = "memory")] {
//! use std::sync::Arc;
//! use order_sync_core::host::OrderStore;
//! use order_sync_core::state::SyncState;
//! use store_adapters::memory::{MemoryState, MemoryStore};
//!
//! let store: Arc<dyn OrderStore> = Arc::new(MemoryStore::new());
//! let state: Arc<dyn SyncState> = Arc::new(MemoryState::new());
//! # let _ = (store, state);
//! # }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "memory")]
#[cfg_attr(docsrs, doc(cfg(feature = "memory")))]
pub mod memory;

#[cfg(feature = "memory")]
#[cfg_attr(docsrs, doc(cfg(feature = "memory")))]
pub mod memory_accounts;

#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub mod sqlite;
