//! Exactly once under the faults that matter, with real processes: `amzsync run` twice on
//! one SQLite file while Amazon (the sandbox) applies writes and loses the answers, the host
//! corrects tracking numbers midway; and `amzsync run` killed with SIGKILL again and again
//! during the export. At the end the sandbox holds each package once, with the latest
//! tracking, and has accepted exactly one confirmation per package version.

#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use amazon_sandbox::{Sandbox, SandboxConfig};
use order_sync_core::AccountId;
use order_sync_core::host::ShipmentResult;
use order_sync_core::ids::AmazonOrderId;
use rand::{Rng, SeedableRng};
use store_adapters::sqlite::{ShippedPackage, SqliteStore};

/// Kills a spawned process if the test fails before it was waited for.
struct Reaper(Option<std::process::Child>);

impl Reaper {
    fn kill(&mut self, signal: &str) {
        if let Some(mut child) = self.0.take() {
            let _ = std::process::Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        self.kill("-KILL");
    }
}

async fn sandbox(orders: usize, seed: u64, faults: &str) -> Sandbox {
    let mut cfg = SandboxConfig::default();
    cfg.initial_orders = orders;
    // A short history: most merchant-fulfilled orders are still waiting to be shipped.
    cfg.history = std::time::Duration::from_secs(12 * 3600);
    cfg.orders_per_hour = 0.0;
    cfg.seed = seed;
    cfg.marketplaces = vec!["ATVPDKIKX0DER".into()];
    cfg.faults = faults.parse().expect("fault spec");
    Sandbox::start(cfg).await.expect("sandbox")
}

/// A config for one account against `sb`: only the export job runs under `amzsync run`,
/// every second, and a failed or unknown attempt is retried after `backoff`.
fn write_config(dir: &Path, sb: &Sandbox, backoff: &str) -> PathBuf {
    let path = dir.join("amzsync.toml");
    let text = format!(
        r#"
[store]
path = "sync.db"

[[accounts]]
name = "sb"
region = "na"
marketplaces = ["US"]
endpoint = "{base}"
lwa_endpoint = "{lwa}"
application_id = "{app}"
import_from = "{from}"
credentials = {{ client_id_env = "SB_ID", client_secret_env = "SB_SECRET", refresh_token_env = "SB_TOKEN" }}

[accounts.jobs]
import_orders = false
reconcile = false
redact_pii = false
export_shipments = "1s"

[sync]
max_window = "30d"
export_retry_backoff = "{backoff}"

[notifications]
log = true
"#,
        from = (sb.now() - time::Duration::days(20)).date(),
        base = sb.base_url(),
        lwa = sb.lwa_url(),
        app = sb.credentials().application_id,
    );
    std::fs::write(&path, text).expect("config");
    path
}

fn command(sb: &Sandbox, config: &Path, args: &[&str]) -> std::process::Command {
    let creds = sb.credentials();
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("amzsync"));
    c.args(args)
        .arg("--config")
        .arg(config)
        .env("SB_ID", &creds.client_id)
        .env("SB_SECRET", &creds.client_secret)
        .env("SB_TOKEN", &creds.refresh_token)
        .env_remove("RUST_LOG")
        .env_remove("AMZSYNC_CONFIG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    c
}

async fn once(sb: &Sandbox, config: &Path, job: &str) {
    let mut c = command(sb, config, &["once", "--job", job]);
    c.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let out = tokio::task::spawn_blocking(move || c.output().expect("amzsync once"))
        .await
        .expect("join");
    assert!(
        out.status.success(),
        "amzsync once --job {job}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn spawn_run(sb: &Sandbox, config: &Path) -> Reaper {
    Reaper(Some(
        command(sb, config, &["run"]).spawn().expect("amzsync run"),
    ))
}

/// The only account in the store (its key may be the config name or the seller's identity).
async fn the_account(db: &SqliteStore) -> AccountId {
    let accounts = db.accounts().await.expect("accounts");
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    accounts.into_iter().next().expect("one account")
}

/// Marks up to `n` packages shipped the way a host would, one per order, on orders a
/// warehouse would ship: merchant-fulfilled, unshipped, no Transparency items (the engine
/// sends no Transparency codes) and no open buyer cancellation request. Returns
/// (order, package) → tracking.
async fn ship(
    sb: &Sandbox,
    db: &SqliteStore,
    account: &AccountId,
    n: usize,
) -> BTreeMap<(String, String), String> {
    let transparency: BTreeSet<String> = sb
        .orders()
        .into_iter()
        .filter(|o| o.items.iter().any(|i| i.transparency))
        .map(|o| o.order_id)
        .collect();
    let orders = db.orders(account).await.expect("orders");
    let ship_date = time::OffsetDateTime::now_utc() - time::Duration::minutes(5);
    let mut marked = BTreeMap::new();
    for h in orders
        .iter()
        .filter(|h| !h.order.is_fba() && h.order.status.as_v0() == "Unshipped")
        .filter(|h| !transparency.contains(h.order.id.as_str()))
        .filter(|h| h.order.open_cancel_requests().is_empty())
        .take(n)
    {
        let tracking = format!("1Z{:016}", marked.len());
        let package = db
            .mark_shipped(
                account,
                &h.order.id,
                ShippedPackage::new("UPS", tracking.clone(), ship_date),
            )
            .await
            .expect("mark shipped");
        marked.insert(
            (h.order.id.to_string(), package.as_str().to_owned()),
            tracking,
        );
    }
    assert!(
        marked.len() >= n / 2,
        "only {} packages to ship",
        marked.len()
    );
    marked
}

/// Waits (polling, with a deadline) until `done` holds.
async fn until(what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + limit;
    loop {
        if done().await {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether the sandbox holds every expected package with its expected tracking.
fn sandbox_holds(sb: &Sandbox, expected: &BTreeMap<(String, String), String>) -> bool {
    let held: BTreeMap<(String, String), String> = sb
        .packages()
        .into_iter()
        .filter(|p| p.accepted_confirmations > 0)
        .map(|p| {
            (
                (p.order_id.clone(), p.package_reference_id.clone()),
                p.tracking_number.clone(),
            )
        })
        .collect();
    &held == expected
}

/// Whether the host holds a confirmed result for the current content of every package.
async fn host_confirmed_all(
    db_path: &Path,
    account: &AccountId,
    expected: &BTreeMap<(String, String), String>,
) -> bool {
    let Ok(db) = SqliteStore::open(db_path).await else {
        return false;
    };
    let mut all = true;
    for (order, package) in expected.keys() {
        let shipments = db
            .shipments(account, &AmazonOrderId::new(order.clone()))
            .await
            .unwrap_or_default();
        let confirmed = shipments.iter().any(|(s, r)| {
            s.package.as_str() == package
                && s.tracking_number == expected[&(order.clone(), package.clone())]
                && matches!(r, Some(ShipmentResult::Confirmed { .. }))
        });
        if !confirmed {
            all = false;
            break;
        }
    }
    db.close().await;
    all
}

/// The end state: each package once on Amazon with the latest tracking, and exactly
/// `versions[package]` accepted confirmations for it.
fn assert_exactly_once(
    sb: &Sandbox,
    expected: &BTreeMap<(String, String), String>,
    versions: &BTreeMap<(String, String), u32>,
) {
    let written: Vec<_> = sb
        .packages()
        .into_iter()
        .filter(|p| p.accepted_confirmations > 0)
        .collect();
    assert_eq!(written.len(), expected.len(), "packages on Amazon");
    for p in &written {
        let key = (p.order_id.clone(), p.package_reference_id.clone());
        assert_eq!(
            Some(&p.tracking_number),
            expected.get(&key),
            "{key:?} holds the latest tracking"
        );
        assert_eq!(
            p.accepted_confirmations,
            versions.get(&key).copied().unwrap_or(1),
            "{key:?}: one accepted confirmation per version"
        );
    }
    let totals = sb.package_totals();
    let want: u64 = expected
        .keys()
        .map(|k| u64::from(versions.get(k).copied().unwrap_or(1)))
        .sum();
    assert_eq!(totals.accepted_confirmations, want, "{totals:?}");
}

/// The dangerous fault happened: Amazon applied more confirmations than it answered with
/// success (the rest were applied and then dropped, or answered 500).
fn assert_answers_were_lost(sb: &Sandbox) {
    let stats = sb.stats();
    let confirm = stats.get("confirmShipment").expect("confirmShipment stats");
    let successes: u64 = confirm
        .by_status
        .iter()
        .filter(|(status, _)| (200..300).contains(*status))
        .map(|(_, n)| n)
        .sum();
    let applied = sb.package_totals().accepted_confirmations;
    assert!(
        successes < applied,
        "some applied writes must have lost their answer: {successes} successes, {applied} applied, {confirm:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_export_exactly_once_through_lost_answers_and_corrections() {
    let sb = sandbox(
        300,
        21,
        "confirmShipment:commit_drop=0.2,commit_500=0.1,429=0.1,drop=0.05",
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &sb, "1s");
    let db_path = dir.path().join("sync.db");
    once(&sb, &config, "import_orders").await;

    let db = SqliteStore::open(&db_path).await.expect("store");
    let account = the_account(&db).await;
    let mut expected = ship(&sb, &db, &account, 60).await;
    db.close().await;

    let mut first = spawn_run(&sb, &config);
    let mut second = spawn_run(&sb, &config);

    // Midway: once 20 packages are on Amazon, the host corrects their tracking numbers.
    until(
        "20 packages on Amazon",
        Duration::from_secs(120),
        async || {
            sb.packages()
                .iter()
                .filter(|p| p.accepted_confirmations > 0)
                .count()
                >= 20
        },
    )
    .await;
    let db = SqliteStore::open(&db_path).await.expect("store");
    let on_amazon: BTreeSet<(String, String)> = sb
        .packages()
        .into_iter()
        .filter(|p| p.accepted_confirmations > 0)
        .map(|p| (p.order_id, p.package_reference_id))
        .collect();
    let mut versions = BTreeMap::new();
    let to_correct: Vec<(String, String)> = on_amazon
        .into_iter()
        .filter(|k| expected.contains_key(k))
        .take(20)
        .collect();
    for key in &to_correct {
        let (order, package) = key;
        let mut shipment = db
            .shipments(&account, &AmazonOrderId::new(order.clone()))
            .await
            .expect("shipments")
            .into_iter()
            .map(|(s, _)| s)
            .find(|s| s.package.as_str() == package)
            .expect("the host's package");
        shipment.tracking_number = format!("{}-FIX", shipment.tracking_number);
        db.ship(&account, &shipment).await.expect("correct");
        expected.insert(key.clone(), shipment.tracking_number.clone());
        versions.insert(key.clone(), 2);
    }
    assert_eq!(versions.len(), 20, "20 corrections after confirmation");
    db.close().await;

    until(
        "every package on Amazon with its latest tracking and confirmed on the host",
        Duration::from_secs(180),
        async || {
            sandbox_holds(&sb, &expected) && host_confirmed_all(&db_path, &account, &expected).await
        },
    )
    .await;
    first.kill("-TERM");
    second.kill("-TERM");

    assert_exactly_once(&sb, &expected, &versions);
    assert_answers_were_lost(&sb);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_the_export_loses_and_doubles_nothing() {
    let sb = sandbox(
        200,
        33,
        "confirmShipment:commit_drop=0.1,slow=0.3;slow_ms=300",
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &sb, "1s");
    let db_path = dir.path().join("sync.db");
    once(&sb, &config, "import_orders").await;
    let db = SqliteStore::open(&db_path).await.expect("store");
    let account = the_account(&db).await;
    let expected = ship(&sb, &db, &account, 40).await;
    db.close().await;

    // Ten kills at random moments (seeded: the same moments every run).
    let mut rng = rand::rngs::SmallRng::seed_from_u64(9);
    let mut kills = 0;
    for _ in 0..10 {
        let mut run = spawn_run(&sb, &config);
        let ms = rng.gen_range(150..1200);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        run.kill("-KILL");
        kills += 1;
    }
    assert_eq!(kills, 10);

    // Clean runs until the host holds a result for everything (each run takes over the
    // dead process's lock and claims, and verifies what became of its attempts).
    // (An attempt whose outcome the kill left unknown is due again one second later.)
    for _ in 0..20 {
        once(&sb, &config, "export_shipments").await;
        if host_confirmed_all(&db_path, &account, &expected).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        host_confirmed_all(&db_path, &account, &expected).await,
        "every package confirmed on the host"
    );
    assert!(sandbox_holds(&sb, &expected));
    assert_exactly_once(&sb, &expected, &BTreeMap::new());
    assert_answers_were_lost(&sb);
    sb.shutdown().await;
}

/// An export whose outcome could not be verified (Orders v0) waits for the operator, who
/// settles it from the command line; anything else is left alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_settles_an_unverifiable_export() {
    use order_sync_core::fixtures::{sample_order, shipment_for};
    use order_sync_core::outbox::{Finish, OutboxKind, OutboxPayload, OutboxStatus};
    use order_sync_core::state::{Origin, SyncState};

    let sb = sandbox(5, 3, "").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &sb, "1s");
    let db_path = dir.path().join("sync.db");
    let db = SqliteStore::open(&db_path).await.expect("store");
    let account = AccountId::new("sb");
    let now = time::OffsetDateTime::now_utc();
    let mut subjects = Vec::new();
    for (order, tracking) in [
        ("111-0000001-0000001", "1Z-A"),
        ("111-0000002-0000001", "1Z-B"),
    ] {
        let mut s = shipment_for(&sample_order(order, now), "1", now);
        s.tracking_number = tracking.into();
        let payload = OutboxPayload::Shipment(s);
        db.outbox_offer(&account, &payload, Origin::Store, now)
            .await
            .expect("offer");
        let subject = payload.subject();
        db.outbox_claim(
            &account,
            OutboxKind::Shipment,
            &subject,
            "gone/1/x",
            now,
            now,
        )
        .await
        .expect("claim");
        let unknown = Finish {
            version: 1,
            status: OutboxStatus::Unknown {
                error: "awaiting operator: outcome cannot be verified".into(),
            },
            next_attempt_at: now + time::Duration::days(36500),
            last_error: None,
        };
        assert!(
            db.outbox_finish(
                &account,
                OutboxKind::Shipment,
                &subject,
                Some("gone/1/x"),
                &unknown,
                now
            )
            .await
            .expect("finish")
        );
        subjects.push(subject);
    }
    db.close().await;

    let settle = |order: &str, how: &str| {
        let mut c = command(
            &sb,
            &config,
            &[
                "outbox",
                "settle",
                "--account",
                "sb",
                "--order",
                order,
                "--package",
                "1",
                how,
            ],
        );
        c.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        c.output().expect("amzsync outbox settle")
    };
    let out = settle("111-0000001-0000001", "--sent");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = settle("111-0000002-0000001", "--resend");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Settled entries are not waiting any more: a second decision is refused.
    let out = settle("111-0000002-0000001", "--sent");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not waiting for a decision"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Neither or both flags: a usage error.
    let out = settle("111-0000002-0000001", "--package");
    assert_eq!(out.status.code(), Some(2));

    let db = SqliteStore::open(&db_path).await.expect("store");
    let sent = db
        .outbox_get(&account, OutboxKind::Shipment, &subjects[0])
        .await
        .expect("get")
        .expect("entry");
    assert!(
        matches!(sent.status, OutboxStatus::Confirmed { .. }),
        "{sent:?}"
    );
    let resend = db
        .outbox_get(&account, OutboxKind::Shipment, &subjects[1])
        .await
        .expect("get")
        .expect("entry");
    assert_eq!(resend.status, OutboxStatus::Pending);
    assert!(resend.next_attempt_at <= time::OffsetDateTime::now_utc());
    db.close().await;
    sb.shutdown().await;
}
