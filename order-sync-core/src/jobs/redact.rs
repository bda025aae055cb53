//! Redact PII past the retention window.

use crate::engine::{Account, Engine};
use crate::error::SyncError;
use crate::report::RunReport;
use crate::shutdown::Shutdown;

use super::check_shutdown;

const BATCH: usize = 500;

/// Replaces buyer and recipient PII with the mapping's redaction marker, in the host
/// (order store and warehouse) and in the state, for every order whose retention window has passed
/// ([`RetentionConfig`](crate::config::RetentionConfig)). Amounts and items stay.
pub async fn redact_pii(
    engine: &Engine,
    account: &Account,
    shutdown: &Shutdown,
    report: &mut RunReport,
) -> Result<(), SyncError> {
    let marker = account.mapper.redaction_marker().to_owned();
    loop {
        check_shutdown(shutdown)?;
        let now = engine.clock.now();
        let due = engine
            .state
            .due_for_redaction(account.id(), now, BATCH)
            .await?;
        if due.is_empty() {
            return Ok(());
        }
        for entry in due {
            check_shutdown(shutdown)?;
            if let (Some(store), Some(_)) = (&engine.store, &entry.host_order_id) {
                store
                    .redact_pii(account.id(), &entry.amazon_order_id, &marker)
                    .await?;
            }
            if let (Some(wh), Some(_)) = (&engine.warehouse, &entry.warehouse_id) {
                wh.redact_pii(account.id(), &entry.amazon_order_id, &marker)
                    .await?;
            }
            engine
                .state
                .mark_redacted(account.id(), &entry.amazon_order_id, &marker, now)
                .await?;
            report.counts.redacted += 1;
        }
    }
}
