//! `amzsync demo`: the whole sync against an in-process sandbox, into a SQLite file.
//!
//! 1. starts the sandbox with generated orders (several marketplaces, FBA and FBM);
//! 2. imports them into the SQLite store through SP-API Orders v2026-01-01, FBA included;
//! 3. marks some merchant-fulfilled orders shipped in the store, as a host would: most
//!    with a known carrier, one with a carrier no rule maps (refused before it reaches
//!    Amazon) and one with a ship date in the future (held back);
//! 4. exports the tracking (`confirmShipment`) and prints what happened.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use amazon_sandbox::{Sandbox, SandboxConfig};
use indicatif::{ProgressBar, ProgressStyle};
use order_mapping::{Mapper, MappingConfig};
use order_sync_core::accounts::{AccountDirectory, AccountIdentity, TokenFingerprint};
use order_sync_core::config::AccountConfig;
use order_sync_core::engine::{Account, Engine};
use order_sync_core::host::ShipmentResult;
use order_sync_core::report::{NoopNotifier, RunOutcome, RunReport};
use order_sync_core::shutdown::Shutdown;
use order_sync_core::spapi::{ReadApi, SpApiAmazon};
use order_sync_core::state::{JobKind, OutboxStatus};
use order_sync_core::{AccountId, MarketplaceId};
use secrecy::SecretString;
use spapi_client::{Client, LwaCredentials, Marketplace};
use store_adapters::sqlite::{ShippedPackage, SqliteStore};

use crate::cli::{DemoArgs, EXIT_FAILED, EXIT_OK};

const ACCOUNT: &str = "demo";

fn bar(len: u64, msg: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg:<28} [{bar:30}] {pos}/{len} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(msg.to_owned());
    pb.enable_steady_tick(Duration::from_millis(100));
    pb
}

fn spinner(msg: &str) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_message(msg.to_owned());
    pb.enable_steady_tick(Duration::from_millis(100));
    pb
}

/// Removes an earlier demo file (and its WAL files); refuses any other existing file.
async fn prepare_db(path: &Path) -> Result<(), String> {
    if !path.exists() {
        return Ok(());
    }
    let store = SqliteStore::open(path).await.map_err(|e| {
        format!(
            "{} exists and is not a demo store ({e}); pass another --db",
            path.display()
        )
    })?;
    let accounts = store.accounts().await.map_err(|e| e.to_string())?;
    let known = store.list().await.map_err(|e| e.to_string())?;
    store.close().await;
    // The demo's data is keyed by the sandbox seller, labelled "demo".
    let demo_key = |a: &AccountId| {
        a.as_str() == ACCOUNT || known.iter().any(|k| &k.key == a && k.label == ACCOUNT)
    };
    if accounts.iter().any(|a| !demo_key(a)) || known.iter().any(|k| k.label != ACCOUNT) {
        return Err(format!(
            "{} holds data of other accounts; the demo only replaces its own file: pass another --db",
            path.display()
        ));
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot replace {}: {e}", path.display())),
        }
    }
    Ok(())
}

fn carrier_for(marketplace: &str) -> &'static str {
    match Marketplace::by_id(marketplace).map(|m| m.code) {
        Some("CA") => "Canada Post",
        Some("UK") => "Royal Mail",
        Some("DE" | "FR" | "IT" | "ES" | "NL") => "DHL",
        Some("JP") => "YamatoTransport",
        _ => "UPS",
    }
}

fn code_of(marketplace: &str) -> String {
    Marketplace::by_id(marketplace).map_or_else(|| marketplace.to_owned(), |m| m.code.to_owned())
}

/// Runs a job while a progress bar follows the store's order count.
async fn import_with_progress(
    engine: &Arc<Engine>,
    account: &Account,
    db: &SqliteStore,
    expected: u64,
) -> RunReport {
    let pb = bar(expected, "importing orders");
    let engine2 = engine.clone();
    let account2 = account.clone();
    let job = tokio::spawn(async move {
        engine2
            .run(&account2, JobKind::ImportOrders, &Shutdown::never())
            .await
    });
    let id = account.id().clone();
    let report = loop {
        if job.is_finished() {
            break job.await;
        }
        if let Ok(n) = db.count_orders(&id).await {
            pb.set_position(n.min(expected));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let n = db.count_orders(&id).await.unwrap_or(0);
    pb.set_length(n.max(expected));
    pb.set_position(n);
    pb.finish_with_message("orders imported");
    match report {
        Ok(r) => r,
        Err(e) => {
            let mut r =
                RunReport::start(id, JobKind::ImportOrders, time::OffsetDateTime::now_utc());
            r.outcome = RunOutcome::Failed;
            r.errors.push(format!("the import task stopped: {e}"));
            r
        }
    }
}

/// The client's rate limiter: Amazon's published limits, or (with `--no-rate-limits`,
/// when the sandbox enforces none either) limits high enough never to wait.
fn client_limiter(unlimited: bool) -> spapi_client::RateLimiter {
    let limiter = spapi_client::RateLimiter::new();
    if !unlimited {
        return limiter;
    }
    [
        "searchOrders",
        "getOrder",
        "getOrders",
        "getOrderItems",
        "createRestrictedDataToken",
        "confirmShipment",
    ]
    .into_iter()
    .fold(limiter, |l, op| {
        l.override_limit(op, spapi_client::RateLimit::new(10_000.0, 10_000))
    })
}

/// `amzsync demo`.
pub async fn run(args: DemoArgs) -> u8 {
    match demo(args).await {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("amzsync demo: {e}");
            EXIT_FAILED
        }
    }
}

async fn demo(args: DemoArgs) -> Result<(), String> {
    let started = Instant::now();
    prepare_db(&args.db).await?;

    // Amazon's searchOrders allows 20 pages of 100 orders at once, then one page every
    // three minutes: say so before a long wait.
    let pages = args.orders.div_ceil(100);
    if !args.no_rate_limits && pages > 20 {
        let minutes = (pages - 20) * 3;
        eprintln!(
            "note: {} orders take {pages} searchOrders pages; under Amazon's limits (20 at once, then one every 3 minutes) the import needs about {minutes} minutes. Pass --no-rate-limits to skip the limits.",
            args.orders
        );
    }

    // 1. The sandbox.
    let pb = spinner("starting the Amazon sandbox");
    let mut cfg = SandboxConfig::default();
    cfg.seed = args.seed;
    cfg.initial_orders = args.orders;
    cfg.orders_per_hour = 0.0;
    cfg.rate_limits = !args.no_rate_limits;
    let history = cfg.history;
    let sandbox = Sandbox::start(cfg).await.map_err(|e| e.to_string())?;
    pb.finish_with_message(format!(
        "sandbox ready at {} with {} orders",
        sandbox.base_url(),
        args.orders
    ));

    // 2. The pieces: client, Amazon side, store, engine.
    let creds = sandbox.credentials();
    let client = Client::builder()
        .credentials(LwaCredentials {
            client_id: creds.client_id.clone(),
            client_secret: SecretString::from(creds.client_secret.clone()),
            refresh_token: SecretString::from(creds.refresh_token.clone()),
        })
        .endpoint(sandbox.base_url())
        .lwa_endpoint(sandbox.lwa_url())
        .user_agent_app("amzsync-demo", env!("CARGO_PKG_VERSION"))
        .rate_limiter(client_limiter(args.no_rate_limits))
        .build()
        .map_err(|e| format!("SP-API client: {e}"))?;
    let marketplaces = creds.marketplace_ids.clone();
    let amazon = SpApiAmazon::new(client, ReadApi::V2026, marketplaces.iter().cloned());
    let db = SqliteStore::open(&args.db)
        .await
        .map_err(|e| format!("{}: {e}", args.db.display()))?;
    let engine = Arc::new(
        Engine::builder(Arc::new(db.clone()))
            .store(Arc::new(db.clone()))
            .notifier(Arc::new(NoopNotifier))
            .build()
            .map_err(|e| e.to_string())?,
    );
    let import_from = sandbox.now()
        - time::Duration::try_from(history).unwrap_or(time::Duration::days(14))
        - time::Duration::days(1);
    // The account's key comes from the seller the sandbox's credentials belong to (its
    // credentials print shows the same selling_partner_id); "demo" is only the label.
    let region = marketplaces
        .first()
        .and_then(|m| Marketplace::by_id(m))
        .map_or("na", |m| m.region.as_str());
    let identity = AccountIdentity::new(region, ACCOUNT)
        .selling_partner_id(creds.selling_partner_id.as_str())
        .token_fingerprint(TokenFingerprint::of_refresh_token(&creds.refresh_token));
    let id = db
        .resolve(&identity)
        .await
        .map_err(|e| format!("account key: {e}"))?;
    let mut config = AccountConfig::new(id.clone(), import_from);
    config.marketplaces = marketplaces
        .iter()
        .map(|m| MarketplaceId::new(m.as_str()))
        .collect();
    config.import.fba = true;
    config.import.max_window = time::Duration::days(30);
    let mapper = Mapper::new(MappingConfig::default()).map_err(|e| e.to_string())?;
    let account = Account::new(config, Arc::new(amazon), Arc::new(mapper));

    // 3. Import.
    let import = import_with_progress(&engine, &account, &db, args.orders as u64).await;
    if import.outcome == RunOutcome::Failed {
        return Err(format!("the import failed: {}", import.errors.join("; ")));
    }

    // 4. The host ships some orders.
    let orders = db.orders(&id).await.map_err(|e| e.to_string())?;
    let mut shippable: Vec<_> = orders
        .iter()
        .filter(|o| {
            !o.order.is_fba() && matches!(o.order.status.as_str(), "Unshipped" | "PartiallyShipped")
        })
        .collect();
    shippable.sort_by(|a, b| a.order.id.as_str().cmp(b.order.id.as_str()));
    let wanted = args.ship.min(shippable.len());
    let pb = bar(wanted as u64, "host ships orders");
    let now = time::OffsetDateTime::now_utc();
    let mut marked = 0usize;
    for (i, o) in shippable.iter().take(wanted).enumerate() {
        let mp = o.order.marketplace.as_str();
        let (carrier, ship_date) = match i {
            // One carrier nobody mapped: refused before it reaches Amazon.
            1 => ("Pigeon Post", now - time::Duration::hours(1)),
            // One ship date tomorrow: held until then.
            2 => (carrier_for(mp), now + time::Duration::days(1)),
            _ => (carrier_for(mp), now - time::Duration::hours(1)),
        };
        let tracking = format!("DEMO{:08}", i + 1);
        db.mark_shipped(
            &id,
            &o.order.id,
            ShippedPackage::new(carrier, tracking, ship_date),
        )
        .await
        .map_err(|e| format!("marking {} shipped: {e}", o.order.id))?;
        marked += 1;
        pb.inc(1);
    }
    pb.finish_with_message("shipments recorded");

    // 5. Export the tracking.
    let pb = spinner("confirming shipments to Amazon");
    let export = engine
        .run(&account, JobKind::ExportShipments, &Shutdown::never())
        .await;
    pb.finish_with_message("export done");

    // 6. What happened.
    let orders = db.orders(&id).await.map_err(|e| e.to_string())?;
    let mut by_mp: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let (mut fba, mut fbm) = (0u64, 0u64);
    for o in &orders {
        *by_mp
            .entry(code_of(o.order.marketplace.as_str()))
            .or_default()
            .entry(o.order.status.as_str().to_owned())
            .or_default() += 1;
        if o.order.is_fba() {
            fba += 1;
        } else {
            fbm += 1;
        }
    }
    let outbox = db.outbox_all(&id).await.map_err(|e| e.to_string())?;
    let confirmed_at_amazon = sandbox.confirmed_shipments().len();
    let elapsed = started.elapsed();

    println!();
    println!(
        "amzsync demo: {} orders in {}",
        orders.len(),
        args.db.display()
    );
    println!(
        "account {ACCOUNT}: stored under the key {id} (seller {} in the sandbox's credentials)",
        creds.selling_partner_id
    );
    println!();
    println!("orders per marketplace and status");
    for (mp, statuses) in &by_mp {
        let total: u64 = statuses.values().sum();
        let detail: Vec<String> = statuses.iter().map(|(s, n)| format!("{s} {n}")).collect();
        println!("  {mp:<4} {total:>6}   {}", detail.join(", "));
    }
    let in_sandbox = sandbox.orders();
    let held: std::collections::HashSet<&str> =
        orders.iter().map(|o| o.order.id.as_str()).collect();
    let missing: Vec<_> = in_sandbox
        .iter()
        .filter(|o| !held.contains(o.order_id.as_str()))
        .collect();
    if !missing.is_empty() {
        let cutoff = sandbox.now() - time::Duration::minutes(3);
        let recent = missing
            .iter()
            .filter(|o| o.last_update_date >= cutoff)
            .count();
        println!(
            "  ({} of the sandbox's {} orders not imported yet, {recent} of them changed in the last 3 minutes: the import stops 3 minutes before now because Amazon lists changes late; the next run takes them)",
            missing.len(),
            in_sandbox.len()
        );
    }
    println!();
    println!(
        "fulfilment      FBM {fbm}, FBA {fba} (FBA imported with a placeholder name, no address)"
    );
    let ic = &import.counts;
    println!(
        "import          fetched {}, created {}, updated {}, skipped {}, parked {} ({:?})",
        ic.fetched, ic.created, ic.updated, ic.skipped, ic.parked, import.outcome
    );
    let ec = &export.counts;
    println!(
        "shipments       {marked} marked shipped by the host; {} confirmed to Amazon (sandbox saw {confirmed_at_amazon}), {} refused, {} held, {} rejected",
        ec.exported, ec.refused, ec.held, ec.rejected
    );
    for e in &outbox {
        let Some(s) = e.payload.as_shipment() else {
            continue;
        };
        match &e.status {
            OutboxStatus::Refused { reason } => {
                println!(
                    "  refused  {} package {}: {reason}",
                    s.amazon_order_id, s.package
                )
            }
            OutboxStatus::Held { reason, .. } => {
                println!(
                    "  held     {} package {}: {reason}",
                    s.amazon_order_id, s.package
                )
            }
            OutboxStatus::Rejected { message } => {
                println!(
                    "  rejected {} package {}: {message}",
                    s.amazon_order_id, s.package
                )
            }
            _ => {}
        }
    }
    // Shipments the store knows about but the outbox never saw (should not happen).
    for o in shippable.iter().take(wanted) {
        if let Ok(list) = db.shipments(&id, &o.order.id).await {
            for (s, result) in list {
                if let Some(ShipmentResult::Refused { reason }) = result {
                    if !outbox.iter().any(|e| {
                        e.payload.as_shipment().is_some_and(|x| {
                            x.package == s.package && x.amazon_order_id == s.amazon_order_id
                        })
                    }) {
                        println!(
                            "  refused  {} package {}: {reason}",
                            s.amazon_order_id, s.package
                        );
                    }
                }
            }
        }
    }
    println!("time taken      {:.1} s", elapsed.as_secs_f64());
    println!();
    println!(
        "Next: `amzsync init > amzsync.toml` to connect a real account (see docs/getting-started.md)."
    );

    sandbox.shutdown().await;
    db.close().await;
    if export.outcome == RunOutcome::Failed {
        return Err(format!("the export failed: {}", export.errors.join("; ")));
    }
    Ok(())
}
