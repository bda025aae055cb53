//! Amazon order vocabulary and the configurable rules that map it to a host's own words.
//!
//! This crate is pure: no I/O, no async, no HTTP. The [`vocab`] module holds Amazon's
//! order vocabulary (order status, fulfilment channel, service level, payment method,
//! programs, carrier codes) as open enums that keep unknown values.

pub mod vocab;

mod suggest;
