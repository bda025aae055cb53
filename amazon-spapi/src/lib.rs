//! A typed, rate-limited client for Amazon's Selling Partner API (SP-API).
//!
//! **Status: not yet implemented.** This crate will hold Login with Amazon auth, restricted
//! data tokens, the Orders (v0 and v2026-01-01) and Sellers operations, per-operation rate
//! limiting and retries. Nothing here works yet; see the project's issue tracker.
