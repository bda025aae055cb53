//! A local Amazon emulator (Login with Amazon, SP-API, MWS) on loopback.
//!
//! **Status: not yet implemented.**
