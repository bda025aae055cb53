//! `amzsync outbox settle`: an operator's decision on an export whose outcome the engine
//! could not verify (an account that reads orders through Orders v0, which shows no
//! packages, after a timeout or a lost answer).

use order_sync_core::AccountId;
use order_sync_core::accounts::{AccountDirectory, find_known};
use order_sync_core::ids::{AmazonOrderId, PackageRef};
use order_sync_core::outbox::{Finish, OutboxKind, OutboxStatus, shipment_subject};
use order_sync_core::state::SyncState;

use crate::cli::{EXIT_CONFIG, EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, SettleArgs};
use crate::config::{Needs, process_env};

/// `amzsync outbox settle`.
pub async fn settle(args: SettleArgs) -> u8 {
    let config = match super::load(&args.config, Needs::Nothing) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(account) = config.accounts.iter().find(|a| a.name == args.account) else {
        let names: Vec<&str> = config.accounts.iter().map(|a| a.name.as_str()).collect();
        eprintln!(
            "amzsync outbox settle: no account {:?} in {} (accounts: {})",
            args.account,
            args.config.display(),
            names.join(", ")
        );
        return EXIT_UNAVAILABLE;
    };
    let pii_key = match config.store.pii_key(&process_env) {
        Ok(k) => k,
        Err(p) => {
            eprintln!("amzsync outbox settle: {}: {p}", args.config.display());
            return EXIT_CONFIG;
        }
    };
    let db = match crate::wiring::open_store(&config.store.path, pii_key.as_ref()).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("amzsync outbox settle: {e}");
            return EXIT_FAILED;
        }
    };
    let known = match db.list().await {
        Ok(k) => k,
        Err(e) => {
            eprintln!("amzsync outbox settle: {e}");
            return EXIT_FAILED;
        }
    };
    let mut identity = account.identity(None);
    if let Some(fp) = account.refresh_token_fingerprint(&process_env) {
        identity = identity.token_fingerprint(fp);
    }
    let key = find_known(&identity, &known)
        .map_or_else(|| AccountId::new(account.name.as_str()), |k| k.key.clone());
    let subject = shipment_subject(
        &AmazonOrderId::new(args.order.clone()),
        &PackageRef::new(args.package.clone()),
    );
    let code = settle_in(&db, &key, &subject, args.sent).await;
    db.close().await;
    code
}

async fn settle_in(db: &dyn SyncState, key: &AccountId, subject: &str, sent: bool) -> u8 {
    let entry = match db.outbox_get(key, OutboxKind::Shipment, subject).await {
        Ok(Some(e)) => e,
        Ok(None) => {
            eprintln!("amzsync outbox settle: no export of package {subject} in the store");
            return EXIT_FAILED;
        }
        Err(e) => {
            eprintln!("amzsync outbox settle: {e}");
            return EXIT_FAILED;
        }
    };
    if !matches!(entry.status, OutboxStatus::Unknown { .. }) {
        eprintln!(
            "amzsync outbox settle: package {subject} is {} (version {}), not waiting for a decision; nothing was changed",
            entry.status.name(),
            entry.version
        );
        return EXIT_FAILED;
    }
    let now = time::OffsetDateTime::now_utc();
    let status = if sent {
        OutboxStatus::Confirmed { at: now }
    } else {
        OutboxStatus::Pending
    };
    let finish = Finish {
        version: entry.version,
        status,
        next_attempt_at: now,
        last_error: entry.last_error.clone(),
    };
    match db
        .outbox_finish(key, entry.kind(), subject, None, &finish, now)
        .await
    {
        Ok(true) if sent => {
            println!(
                "package {subject}: recorded as on Amazon (version {}); the host is told at the next export",
                entry.version
            );
            EXIT_OK
        }
        Ok(true) => {
            println!(
                "package {subject}: will be sent again at the next export (version {})",
                entry.version
            );
            EXIT_OK
        }
        Ok(false) => {
            eprintln!(
                "amzsync outbox settle: package {subject} changed meanwhile (a new version arrived); nothing was changed"
            );
            EXIT_FAILED
        }
        Err(e) => {
            eprintln!("amzsync outbox settle: {e}");
            EXIT_FAILED
        }
    }
}
