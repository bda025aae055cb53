//! The jobs, each a plain async function over one account.
//!
//! Each takes the [`Engine`](crate::engine::Engine), the
//! [`Account`](crate::engine::Account), a [`Shutdown`] signal
//! and the [`RunReport`](crate::report::RunReport) to fill. They check the signal only at
//! safe points (between orders, pages and packages), so a cancelled run leaves nothing
//! half-done that the next run cannot finish. [`Engine::run`](crate::engine::Engine::run)
//! wraps them with locking, reporting and notification; a job system (e.g. one queue per
//! account on PostgreSQL) may call them directly.

mod export;
mod import;
mod redact;

pub use export::export_shipments;
pub use import::{import_orders, reconcile};
pub use redact::redact_pii;

use crate::error::SyncError;
use crate::shutdown::Shutdown;

pub(crate) fn check_shutdown(shutdown: &Shutdown) -> Result<(), SyncError> {
    if shutdown.is_requested() {
        Err(SyncError::Cancelled)
    } else {
        Ok(())
    }
}
