//! Storage adapters for the order sync engine: SQLite, PostgreSQL and in-memory.
//!
//! **Status: not yet implemented.**
