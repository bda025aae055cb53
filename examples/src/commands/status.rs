//! `amzsync status`: what the store and the sync state say about each account.
//!
//! The JSON form (`--json`) is stable: schema version 1, documented in
//! `docs/operations.md`. Fields are only ever added within a version.

use std::collections::BTreeMap;

use order_sync_core::AccountId;
use order_sync_core::accounts::{AccountDirectory, find_known};
use order_sync_core::report::RunReport;
use order_sync_core::state::{Cursor, JobKind, OutboxStatus, SyncState};
use serde::Serialize;
use store_adapters::sqlite::SqliteStore;
use time::OffsetDateTime;

use crate::cli::{EXIT_FAILED, EXIT_OK, StatusArgs};
use crate::config::Needs;

/// The whole status document.
#[derive(Debug, Serialize)]
pub struct Status {
    /// Always 1 for this layout.
    pub schema_version: u32,
    /// When the status was read.
    #[serde(with = "time::serde::rfc3339")]
    pub generated_at: OffsetDateTime,
    /// The SQLite file.
    pub store: String,
    /// One entry per configured account, in file order.
    pub accounts: Vec<AccountStatus>,
}

/// One account's status.
#[derive(Debug, Serialize)]
pub struct AccountStatus {
    /// The account's name in the configuration (a label).
    pub name: String,
    /// The key its data is stored under (`na:A1...`, or the name itself for data
    /// written before accounts had keys); `null` while the account never ran.
    pub key: Option<String>,
    /// The selling partner id, from the configuration or learned by the store.
    pub seller_id: Option<String>,
    /// Its nickname, if any.
    pub nickname: Option<String>,
    /// `na`, `eu` or `fe`.
    pub region: &'static str,
    /// Marketplace ids.
    pub marketplaces: Vec<&'static str>,
    /// Whether it is synced.
    pub enabled: bool,
    /// Orders held in the store.
    pub orders_held: u64,
    /// When the latest import run that created orders finished (among the last 50).
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_new_orders_at: Option<OffsetDateTime>,
    /// Cursor per job (`null` when the job has none yet).
    pub cursors: BTreeMap<&'static str, Option<CursorStatus>>,
    /// The last run per job (`null` when it never ran).
    pub last_runs: BTreeMap<&'static str, Option<RunReport>>,
    /// Shipment exports.
    pub exports: ExportStatus,
    /// Orders that could not be imported, with their reasons.
    pub parked: Vec<ParkedStatus>,
    /// Orders with an open buyer cancellation request.
    pub cancel_requests: Vec<CancelRequestStatus>,
}

/// A cursor.
#[derive(Debug, Serialize)]
pub struct CursorStatus {
    /// Everything Amazon changed before this time has been handled.
    #[serde(with = "time::serde::rfc3339")]
    pub position: OffsetDateTime,
    /// When it last moved.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<Cursor> for CursorStatus {
    fn from(c: Cursor) -> Self {
        Self {
            position: c.position,
            updated_at: c.updated_at,
        }
    }
}

/// Shipment exports by state.
#[derive(Debug, Default, Serialize)]
pub struct ExportStatus {
    /// Confirmed to Amazon.
    pub confirmed: u64,
    /// Waiting to be sent.
    pub pending: u64,
    /// Claimed by a running export (or left by a crash; verified before any resend).
    pub in_flight: u64,
    /// Sent with an outcome not known yet (a timeout, a lost answer): verified on Amazon
    /// before any resend; those that cannot be verified wait for an operator.
    pub unknown: Vec<ExportProblem>,
    /// Held back, with reasons.
    pub held: Vec<ExportProblem>,
    /// Refused before sending, with reasons.
    pub refused: Vec<ExportProblem>,
    /// Rejected by Amazon, with its message.
    pub rejected: Vec<ExportProblem>,
}

/// An order with an open buyer cancellation request.
#[derive(Debug, Serialize)]
pub struct CancelRequestStatus {
    /// Amazon order id.
    pub order: String,
    /// The order item ids the buyer asked to cancel.
    pub lines: Vec<String>,
}

/// One export that needs attention.
#[derive(Debug, Serialize)]
pub struct ExportProblem {
    /// Amazon order id.
    pub order: String,
    /// Package reference.
    pub package: String,
    /// Why.
    pub reason: String,
    /// Until when (held exports).
    #[serde(with = "time::serde::rfc3339::option")]
    pub until: Option<OffsetDateTime>,
    /// Attempts so far.
    pub attempts: u32,
}

/// One parked order.
#[derive(Debug, Serialize)]
pub struct ParkedStatus {
    /// Amazon order id.
    pub order: String,
    /// `Mapping`, `Host` or `Amazon`.
    pub kind: String,
    /// Why.
    pub reason: String,
    /// Failed attempts.
    pub attempts: u32,
    /// First parked.
    #[serde(with = "time::serde::rfc3339")]
    pub first_parked_at: OffsetDateTime,
    /// Last attempt.
    #[serde(with = "time::serde::rfc3339")]
    pub last_attempt_at: OffsetDateTime,
}

/// Reads the status of every configured account. Each entry's data is found through the
/// account directory (by seller id, refresh token, then label) without creating anything.
pub async fn read(
    config: &crate::config::Config,
    db: &SqliteStore,
    env: crate::config::EnvLookup<'_>,
) -> Result<Status, String> {
    let known = db.list().await.map_err(|e| e.to_string())?;
    let mut accounts = Vec::new();
    for a in &config.accounts {
        let mut identity = a.identity(None);
        if let Some(fp) = a.refresh_token_fingerprint(env) {
            identity = identity.token_fingerprint(fp);
        }
        let found = find_known(&identity, &known);
        let id = found.map_or_else(|| AccountId::new(a.name.as_str()), |k| k.key.clone());
        let e = |e: &dyn std::fmt::Display| format!("{}: {e}", a.name);
        let mut cursors = BTreeMap::new();
        let mut last_runs = BTreeMap::new();
        for job in JobKind::ALL {
            let c = db.cursor(&id, job).await.map_err(|x| e(&x))?;
            cursors.insert(job.as_str(), c.map(CursorStatus::from));
            let r = db.recent_runs(&id, Some(job), 1).await.map_err(|x| e(&x))?;
            last_runs.insert(job.as_str(), r.into_iter().next());
        }
        let recent = db
            .recent_runs(&id, Some(JobKind::ImportOrders), 50)
            .await
            .map_err(|x| e(&x))?;
        let last_new_orders_at = recent
            .iter()
            .find(|r| r.counts.created > 0)
            .map(|r| r.finished_at);
        let mut exports = ExportStatus::default();
        for entry in db.outbox_all(&id).await.map_err(|x| e(&x))? {
            let Some(shipment) = entry.payload.as_shipment() else {
                continue;
            };
            let problem = |reason: &str, until| ExportProblem {
                order: shipment.amazon_order_id.to_string(),
                package: shipment.package.to_string(),
                reason: reason.to_owned(),
                until,
                attempts: entry.attempts,
            };
            match &entry.status {
                OutboxStatus::Confirmed { .. } => exports.confirmed += 1,
                OutboxStatus::Pending => exports.pending += 1,
                OutboxStatus::Claimed => exports.in_flight += 1,
                OutboxStatus::Unknown { error } => exports.unknown.push(problem(error, None)),
                OutboxStatus::Held { reason, until } => exports.held.push(problem(reason, *until)),
                OutboxStatus::Refused { reason } => exports.refused.push(problem(reason, None)),
                OutboxStatus::Rejected { message } => exports.rejected.push(problem(message, None)),
                _ => exports.pending += 1,
            }
        }
        let parked = db
            .parked(&id)
            .await
            .map_err(|x| e(&x))?
            .into_iter()
            .map(|p| ParkedStatus {
                order: p.amazon_order_id.to_string(),
                kind: format!("{:?}", p.kind),
                reason: p.reason,
                attempts: p.attempts,
                first_parked_at: p.first_parked_at,
                last_attempt_at: p.last_attempt_at,
            })
            .collect();
        accounts.push(AccountStatus {
            name: a.name.clone(),
            key: found.map(|k| k.key.to_string()),
            seller_id: a
                .seller_id
                .clone()
                .or_else(|| found.and_then(|k| k.selling_partner_id.clone())),
            nickname: a.nickname.clone(),
            region: a.region.as_str(),
            marketplaces: a.marketplaces.iter().map(|m| m.id).collect(),
            enabled: a.enabled,
            orders_held: db.count_orders(&id).await.map_err(|x| e(&x))?,
            last_new_orders_at,
            cursors,
            last_runs,
            exports,
            parked,
            cancel_requests: db
                .cancel_requests(&id, 1000)
                .await
                .map_err(|x| e(&x))?
                .into_iter()
                .map(|c| CancelRequestStatus {
                    order: c.amazon_order_id.to_string(),
                    lines: c.cancel_requested.iter().map(|l| l.to_string()).collect(),
                })
                .collect(),
        });
    }
    Ok(Status {
        schema_version: 1,
        generated_at: OffsetDateTime::now_utc(),
        store: config.store.path.display().to_string(),
        accounts,
    })
}

fn ts(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn print_human(s: &Status) {
    println!("store {}", s.store);
    for a in &s.accounts {
        println!();
        println!(
            "{}{} [{}]{}",
            a.name,
            a.nickname
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            a.region,
            if a.enabled { "" } else { " disabled" }
        );
        match (&a.key, &a.seller_id) {
            (Some(key), Some(seller)) => println!("  account key        {key} (seller {seller})"),
            (Some(key), None) => println!("  account key        {key}"),
            (None, _) => println!("  account key        none yet (resolved on the first run)"),
        }
        println!("  orders held        {}", a.orders_held);
        println!(
            "  last new orders    {}",
            a.last_new_orders_at.map_or_else(|| "never".to_owned(), ts)
        );
        for job in JobKind::ALL.map(JobKind::as_str) {
            let Some(run) = a.last_runs.get(job) else {
                continue;
            };
            let cursor = a
                .cursors
                .get(job)
                .and_then(Option::as_ref)
                .map(|c| format!(", cursor {}", ts(c.position)))
                .unwrap_or_default();
            match run {
                Some(r) => println!(
                    "  {job:<18} {} at {}{cursor}",
                    crate::notify::summary(r)
                        .split_once(": ")
                        .map_or("", |(_, rest)| rest),
                    ts(r.finished_at)
                ),
                None => println!("  {job:<18} never ran{cursor}"),
            }
        }
        let x = &a.exports;
        println!(
            "  exports            {} confirmed, {} pending, {} in flight, {} unknown, {} held, {} refused, {} rejected",
            x.confirmed,
            x.pending,
            x.in_flight,
            x.unknown.len(),
            x.held.len(),
            x.refused.len(),
            x.rejected.len()
        );
        for (what, list) in [
            ("unknown", &x.unknown),
            ("held", &x.held),
            ("refused", &x.refused),
            ("rejected", &x.rejected),
        ] {
            for p in list {
                println!(
                    "    {what:<8} {} package {}: {}",
                    p.order, p.package, p.reason
                );
            }
        }
        if !a.cancel_requests.is_empty() {
            println!(
                "  buyer cancellation requests  {} (stop the pick; a package of such a line is not confirmed unless marked shipped anyway)",
                a.cancel_requests.len()
            );
            for c in &a.cancel_requests {
                println!("    {} lines {}", c.order, c.lines.join(", "));
            }
        }
        if !a.parked.is_empty() {
            println!("  parked orders      {}", a.parked.len());
            for p in &a.parked {
                println!(
                    "    {} ({}, {} attempts): {}",
                    p.order, p.kind, p.attempts, p.reason
                );
            }
        }
    }
}

/// `amzsync status`.
pub async fn run(args: StatusArgs) -> u8 {
    let config = match super::load(&args.config, Needs::Nothing) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let path = &config.store.path;
    if !path.exists() {
        eprintln!(
            "amzsync status: the store {} does not exist yet; run `amzsync once --config {}` first",
            path.display(),
            args.config.display()
        );
        return EXIT_FAILED;
    }
    // A store with encrypted PII opens only with its key.
    let pii_key = match config.store.pii_key(&crate::config::process_env) {
        Ok(k) => k,
        Err(p) => {
            super::report_config_errors(&args.config, &crate::config::ConfigErrors::new(vec![p]));
            return crate::cli::EXIT_CONFIG;
        }
    };
    let db = match crate::wiring::open_store(path, pii_key.as_ref()).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("amzsync status: {e}");
            return EXIT_FAILED;
        }
    };
    let status = read(&config, &db, &crate::config::process_env).await;
    db.close().await;
    match status {
        Ok(s) if args.json => match serde_json::to_string_pretty(&s) {
            Ok(text) => {
                println!("{text}");
                EXIT_OK
            }
            Err(e) => {
                eprintln!("amzsync status: {e}");
                EXIT_FAILED
            }
        },
        Ok(s) => {
            print_human(&s);
            EXIT_OK
        }
        Err(e) => {
            eprintln!("amzsync status: {e}");
            EXIT_FAILED
        }
    }
}
