//! The storage-agnostic order sync engine.
//!
//! **Status: not yet implemented.** This crate will hold the neutral order model, the host
//! traits (order store, warehouse, sync state), the jobs and the scheduler.
