//! The command line against a running sandbox and a SQLite file, as a user would run it:
//! `demo` end to end, `verify` with good and bad credentials, `onboard` with a code,
//! `once` then `status --json`, and SIGTERM during `run` followed by a run that continues.

use std::path::{Path, PathBuf};
use std::time::Duration;

use amazon_sandbox::{Sandbox, SandboxConfig};
use assert_cmd::Command;
use order_sync_core::AccountId;
use store_adapters::sqlite::SqliteStore;

fn amzsync() -> Command {
    let mut c = Command::cargo_bin("amzsync").expect("the amzsync binary");
    c.env_remove("RUST_LOG")
        .env_remove("AMZSYNC_CONFIG")
        .timeout(Duration::from_secs(120));
    c
}

/// Runs a command off the async runtime (the sandbox keeps serving meanwhile).
async fn output(mut c: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || c.output().expect("run amzsync"))
        .await
        .expect("join")
}

/// Kills a spawned `amzsync` if the test fails before waiting for it, so no process
/// outlives a failed test.
struct Reaper {
    pid: u32,
    waited: bool,
}

impl Reaper {
    fn new(child: &std::process::Child) -> Self {
        Self {
            pid: child.id(),
            waited: false,
        }
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        if !self.waited {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &self.pid.to_string()])
                .status();
        }
    }
}

/// The key the account "sb" of [`write_config`] is stored under: its region and the
/// sandbox seller's id (the name is only a label).
fn sb_key() -> AccountId {
    AccountId::new("na:A3SANDBOXSELLER")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

async fn sandbox(orders: usize, marketplaces: &[&str]) -> Sandbox {
    let mut cfg = SandboxConfig::default();
    cfg.initial_orders = orders;
    cfg.orders_per_hour = 0.0;
    cfg.seed = 7;
    if !marketplaces.is_empty() {
        cfg.marketplaces = marketplaces.iter().map(|s| (*s).to_owned()).collect();
    }
    Sandbox::start(cfg).await.expect("sandbox")
}

/// A config for one account against `sb`, its store in `dir`.
fn write_config(
    dir: &Path,
    sb: &Sandbox,
    region: &str,
    marketplaces: &str,
    extra: &str,
) -> PathBuf {
    let path = dir.join("amzsync.toml");
    let text = format!(
        r#"
[store]
path = "sync.db"

[[accounts]]
name = "sb"
nickname = "Sandbox seller"
region = "{region}"
seller_id = "{seller}"
marketplaces = {marketplaces}
endpoint = "{base}"
lwa_endpoint = "{lwa}"
application_id = "{app}"
import_from = "{from}"
fba = true
credentials = {{ client_id_env = "SB_ID", client_secret_env = "SB_SECRET", refresh_token_env = "SB_TOKEN" }}
{extra}
[sync]
max_window = "30d"

[notifications]
log = true
"#,
        // The sandbox's history is 14 days: one 30-day window covers it in one call.
        from = (sb.now() - time::Duration::days(20)).date(),
        base = sb.base_url(),
        lwa = sb.lwa_url(),
        app = sb.credentials().application_id,
        seller = sb.credentials().selling_partner_id,
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn with_creds(mut c: Command, sb: &Sandbox, secret: Option<&str>, token: Option<&str>) -> Command {
    let creds = sb.credentials();
    c.env("SB_ID", &creds.client_id)
        .env("SB_SECRET", secret.unwrap_or(&creds.client_secret))
        .env("SB_TOKEN", token.unwrap_or(&creds.refresh_token));
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let mut c = amzsync();
    c.args(["demo", "--orders", "150", "--ship", "8", "--db"])
        .arg(&db);
    let out = output(c).await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    for want in [
        "orders per marketplace and status",
        "fulfilment      FBM ",
        "8 marked shipped by the host",
        "confirmed to Amazon",
        "refused  ",
        "Pigeon Post",
        "held     ",
        "time taken",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in\n{stdout}");
    }
    // The file holds what the summary says.
    let store = SqliteStore::open(&db).await.unwrap();
    // Keyed by the sandbox seller (region + selling partner id), labelled "demo".
    let n = store
        .count_orders(&AccountId::new("na:A3SANDBOXSELLER"))
        .await
        .unwrap();
    assert!(
        stdout.contains(&format!("amzsync demo: {n} orders in")),
        "{n}\n{stdout}"
    );
    assert!(n >= 140, "{n}");
    store.close().await;

    // A second demo replaces its own file; another file is refused.
    let mut c = amzsync();
    c.args(["demo", "--orders", "20", "--ship", "2", "--db"])
        .arg(&db);
    assert!(output(c).await.status.success());
    let other = dir.path().join("other.db");
    std::fs::write(&other, b"not a database").unwrap();
    let mut c = amzsync();
    c.args(["demo", "--orders", "20", "--db"]).arg(&other);
    let out = output(c).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(&other).unwrap(), b"not a database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_reports_what_works_and_what_to_fix() {
    let sb = sandbox(5, &["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &sb, "na", r#"["US", "CA"]"#, "");
    let verify = |secret: Option<&str>, token: Option<&str>| {
        let mut c = amzsync();
        c.args(["verify", "--config"]).arg(&config);
        with_creds(c, &sb, secret, token)
    };

    let out = output(verify(None, None)).await;
    let s = text(&out.stdout);
    assert!(out.status.success(), "{s}{}", text(&out.stderr));
    assert!(
        s.contains("sb (Sandbox seller): OK: token issued; seller participates in US, CA"),
        "{s}"
    );

    let out = output(verify(Some("wrong-secret"), None)).await;
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(
        s.contains("FAILED: wrong client id or client secret"),
        "{s}"
    );
    assert!(
        !s.contains("wrong-secret"),
        "the secret is never echoed: {s}"
    );

    let out = output(verify(None, Some("Atzr|revoked"))).await;
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(
        s.contains("FAILED: the refresh token is revoked, expired or belongs to another app"),
        "{s}"
    );
    assert!(s.contains("amzsync onboard --account sb"), "{s}");

    // Region mismatch: the seller sells in NA only, the account says EU.
    let config_eu = write_config(dir.path(), &sb, "eu", r#"["UK"]"#, "");
    let mut c = amzsync();
    c.args(["verify", "--config"]).arg(&config_eu);
    let out = output(with_creds(c, &sb, None, None)).await;
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(
        s.contains("does not participate in UK (configured) but in US, CA"),
        "{s}"
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboard_exchanges_a_code_and_stores_the_refresh_token() {
    let sb = sandbox(5, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secrets.toml"), "").unwrap();
    let config = write_config(dir.path(), &sb, "na", r#"["US"]"#, "");
    let text_cfg = std::fs::read_to_string(&config).unwrap().replace(
        r#"credentials = { client_id_env = "SB_ID", client_secret_env = "SB_SECRET", refresh_token_env = "SB_TOKEN" }"#,
        r#"credentials = { client_id_env = "SB_ID", client_secret_env = "SB_SECRET", secrets_file = "secrets.toml" }"#,
    );
    std::fs::write(&config, text_cfg).unwrap();
    let creds = sb.credentials();
    let code = sb.config().credentials.authorization_code.clone();

    // Before onboarding, `verify` says what is missing.
    let mut c = amzsync();
    c.args(["verify", "--config"])
        .arg(&config)
        .env("SB_ID", &creds.client_id)
        .env("SB_SECRET", &creds.client_secret);
    let out = output(c).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("amzsync onboard --account sb"),
        "{}",
        text(&out.stderr)
    );

    let mut c = amzsync();
    c.args(["onboard", "--config"])
        .arg(&config)
        .args(["--account", "sb", "--code", &code])
        .env("SB_ID", &creds.client_id)
        .env("SB_SECRET", &creds.client_secret);
    let out = output(c).await;
    let s = text(&out.stdout);
    assert!(out.status.success(), "{s}{}", text(&out.stderr));
    assert!(s.contains("refresh token for sb stored in"), "{s}");
    assert!(
        !s.contains("Atzr|"),
        "the token is not printed unless asked: {s}"
    );
    let stored: toml::Table = std::fs::read_to_string(dir.path().join("secrets.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        stored["refresh_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );

    // The stored token works.
    let mut c = amzsync();
    c.args(["verify", "--config"])
        .arg(&config)
        .env("SB_ID", &creds.client_id)
        .env("SB_SECRET", &creds.client_secret);
    let out = output(c).await;
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    // A code works once.
    let mut c = amzsync();
    c.args(["onboard", "--config"])
        .arg(&config)
        .args(["--account", "sb", "--code", &code])
        .env("SB_ID", &creds.client_id)
        .env("SB_SECRET", &creds.client_secret);
    let out = output(c).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("code exchange failed"),
        "{}",
        text(&out.stderr)
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_then_status_json() {
    let sb = sandbox(120, &["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &sb, "na", r#"["US", "CA"]"#, "");

    let mut c = amzsync();
    c.args(["once", "--config"])
        .arg(&config)
        .args(["--job", "import_orders"]);
    let out = output(with_creds(c, &sb, None, None)).await;
    let s = text(&out.stdout);
    assert!(out.status.success(), "{s}{}", text(&out.stderr));
    assert!(s.contains("sb import_orders completed"), "{s}");

    let mut c = amzsync();
    c.args(["status", "--json", "--config"]).arg(&config);
    let out = output(c).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status --json is JSON");
    assert_eq!(v["schema_version"], 1);
    let a = &v["accounts"][0];
    assert_eq!(a["name"], "sb");
    assert_eq!(a["region"], "na");
    let held = a["orders_held"].as_u64().unwrap();
    let listable = sb
        .orders()
        .iter()
        .filter(|o| o.last_update_date < sb.now() - time::Duration::minutes(3))
        .count() as u64;
    assert_eq!(held, listable, "every order Amazon lists was imported");
    assert!(a["cursors"]["import_orders"]["position"].is_string(), "{a}");
    assert!(a["cursors"]["export_shipments"].is_null(), "{a}");
    assert_eq!(a["last_runs"]["import_orders"]["outcome"], "Completed");
    assert_eq!(
        a["last_runs"]["import_orders"]["counts"]["created"].as_u64(),
        Some(held)
    );
    assert!(a["last_runs"]["reconcile"].is_null());
    assert!(a["last_new_orders_at"].is_string());
    assert_eq!(a["exports"]["confirmed"], 0);
    assert_eq!(a["parked"].as_array().map(Vec::len), Some(0));

    // A second run changes nothing and still succeeds.
    let mut c = amzsync();
    c.args(["once", "--config"])
        .arg(&config)
        .args(["--account", "sb", "--job", "import_orders"]);
    let out = output(with_creds(c, &sb, None, None)).await;
    assert!(out.status.success(), "{}", text(&out.stdout));
    let store = SqliteStore::open(dir.path().join("sync.db")).await.unwrap();
    assert_eq!(store.count_orders(&sb_key()).await.unwrap(), held);
    store.close().await;

    // A failing job makes `once` exit non-zero.
    let mut c = amzsync();
    c.args(["once", "--config"])
        .arg(&config)
        .args(["--job", "import_orders"]);
    let out = output(with_creds(c, &sb, Some("wrong"), None)).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("FAILED"),
        "{}",
        text(&out.stdout)
    );
    sb.shutdown().await;
}

/// Stops `amzsync run` with `signal` in the middle of an import (every listing page is
/// slowed down by the sandbox), then checks that the store is consistent and that the
/// next run ends with every listable order exactly once.
#[cfg(unix)]
async fn interrupted_run_is_continued(signal: &str) {
    let mut cfg = SandboxConfig::default();
    // Five pages of one second each: a wide margin to stop the run between two pages
    // even on a loaded machine.
    cfg.initial_orders = 500;
    cfg.orders_per_hour = 0.0;
    cfg.seed = 11;
    cfg.marketplaces = vec!["ATVPDKIKX0DER".into(), "A2EUQ1WTGCTBG2".into()];
    cfg.faults = "searchOrders:slow=1;slow_ms=1000".parse().unwrap();
    let sb = Sandbox::start(cfg).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Only the import job, so that what is in the store after the stop is its work.
    let only_import =
        "[accounts.jobs]\nreconcile = false\nexport_shipments = false\nredact_pii = false\n";
    let config = write_config(dir.path(), &sb, "na", r#"["US", "CA"]"#, only_import);
    let creds = sb.credentials();
    let bin = assert_cmd::cargo::cargo_bin("amzsync");
    let child = std::process::Command::new(bin)
        .args(["run", "--config"])
        .arg(&config)
        .env("SB_ID", &creds.client_id)
        .env("SB_SECRET", &creds.client_secret)
        .env("SB_TOKEN", &creds.refresh_token)
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut reaper = Reaper::new(&child);
    let listable: std::collections::BTreeSet<String> = sb
        .orders()
        .iter()
        .filter(|o| o.last_update_date < sb.now() - time::Duration::minutes(3))
        .map(|o| o.order_id.clone())
        .collect();
    assert!(listable.len() > 100, "more than one page to import");
    // Wait until the daemon has committed its first page (polling the file it owns).
    let db = dir.path().join("sync.db");
    let account = sb_key();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        assert!(std::time::Instant::now() < deadline, "run imported nothing");
        if db.exists() {
            if let Ok(s) = SqliteStore::open(&db).await {
                let n = s.count_orders(&account).await.unwrap_or(0);
                s.close().await;
                if n > 0 {
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    reaper.waited = true;
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("stopping"), "{err}");

    // Stopped mid-import: some orders are in, not all, and none twice.
    let store = SqliteStore::open(&db).await.unwrap();
    let after_stop = store.count_orders(&account).await.unwrap();
    assert!(
        after_stop < listable.len() as u64,
        "the run was not interrupted: {after_stop}"
    );
    store.close().await;

    // The next run continues: every listable order exactly once.
    let mut c = amzsync();
    c.args(["once", "--config"])
        .arg(&config)
        .args(["--job", "import_orders"]);
    let out = output(with_creds(c, &sb, None, None)).await;
    assert!(out.status.success(), "{}", text(&out.stdout));
    let store = SqliteStore::open(&db).await.unwrap();
    let held: Vec<String> = store
        .orders(&account)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.order.id.to_string())
        .collect();
    let unique: std::collections::BTreeSet<String> = held.iter().cloned().collect();
    assert_eq!(held.len(), unique.len(), "an order was imported twice");
    assert_eq!(unique, listable);
    store.close().await;
    sb.shutdown().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_run_leaves_a_store_the_next_run_continues() {
    interrupted_run_is_continued("-TERM").await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_during_run_leaves_a_store_the_next_run_continues() {
    interrupted_run_is_continued("-INT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_imports_history() {
    let sb = sandbox(80, &["ATVPDKIKX0DER"]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &sb, "na", r#"["US"]"#, "");
    let from = (sb.now() - time::Duration::days(20)).date().to_string();
    let backfill = || {
        let mut c = amzsync();
        c.args(["backfill", "--config"])
            .arg(&config)
            .args(["--account", "sb", "--from", &from]);
        with_creds(c, &sb, None, None)
    };

    // A new account: the backfill is its first import, window by window.
    let out = output(backfill()).await;
    let (s, err) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{s}{err}");
    assert!(
        err.contains("as its first import: 1 window of at most 30 d"),
        "{err}"
    );
    assert!(
        err.contains("Amazon allows 20 calls at once, then one every 180 s"),
        "{err}"
    );
    assert!(s.contains("sb import_orders completed"), "{s}");
    let store = SqliteStore::open(dir.path().join("sync.db")).await.unwrap();
    let account = sb_key();
    let n = store.count_orders(&account).await.unwrap();
    assert!(n >= 75, "{n}");
    assert!(s.contains(&format!("{n} new orders")), "{s}");

    // The host loses two orders; a second backfill re-lists the range and finds them.
    let ids: Vec<_> = store
        .orders(&account)
        .await
        .unwrap()
        .into_iter()
        .take(2)
        .map(|o| o.order.id)
        .collect();
    for id in &ids {
        assert!(store.delete_order(&account, id).await.unwrap());
    }
    store.close().await;
    let out = output(backfill()).await;
    let (s, err) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{s}{err}");
    assert!(
        err.contains("one searchOrders listing over the whole range"),
        "{err}"
    );
    assert!(s.contains("sb reconcile completed: 2 new orders"), "{s}");
    assert!(s.contains("2 missing found"), "{s}");
    let store = SqliteStore::open(dir.path().join("sync.db")).await.unwrap();
    assert_eq!(store.count_orders(&account).await.unwrap(), n);
    store.close().await;

    // --to must come after --from (a date-time --to is exclusive): a usage error
    // (status 2), nothing runs.
    let mut c = amzsync();
    c.args(["backfill", "--config"]).arg(&config).args([
        "--account",
        "sb",
        "--from",
        &from,
        "--to",
        &format!("{from}T00:00:00Z"),
    ]);
    let out = output(with_creds(c, &sb, None, None)).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("must be later than --from"),
        "{}",
        text(&out.stderr)
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_with_to_imports_only_that_range_and_leaves_the_import_alone() {
    use order_sync_core::state::{JobKind, SyncState};
    // A still clock: no order changes while the test runs, so the expected set is exact.
    let mut cfg = SandboxConfig::default();
    cfg.initial_orders = 80;
    cfg.orders_per_hour = 0.0;
    cfg.seed = 7;
    cfg.marketplaces = vec!["ATVPDKIKX0DER".to_owned()];
    cfg.clock = amazon_sandbox::ClockMode::Manual;
    let sb = Sandbox::start(cfg).await.expect("sandbox");
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &sb, "na", r#"["US"]"#, "");
    let from_day = (sb.now() - time::Duration::days(12)).date();
    let to_day = (sb.now() - time::Duration::days(6)).date();
    // A date as --to includes that whole day.
    let (from, end) = (
        from_day.midnight().assume_utc(),
        to_day.next_day().unwrap().midnight().assume_utc(),
    );
    let all = sb.orders();
    let mut expected: Vec<String> = all
        .iter()
        .filter(|o| o.last_update_date >= from && o.last_update_date < end)
        .map(|o| o.order_id.clone())
        .collect();
    expected.sort();
    assert!(
        !expected.is_empty() && expected.len() < all.len(),
        "the seed must put orders inside and outside the range"
    );
    let backfill = |to: &str| {
        let mut c = amzsync();
        c.args(["backfill", "--config"]).arg(&config).args([
            "--account",
            "sb",
            "--from",
            &from_day.to_string(),
            "--to",
            to,
        ]);
        with_creds(c, &sb, None, None)
    };

    let out = output(backfill(&to_day.to_string())).await;
    let (s, err) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{s}{err}");
    assert!(
        err.contains("one searchOrders listing over the whole range"),
        "{err}"
    );
    assert!(err.contains("sb was never imported"), "{err}");
    assert!(
        s.contains(&format!(
            "sb reconcile completed: {} new orders",
            expected.len()
        )),
        "{s}"
    );
    let store = SqliteStore::open(dir.path().join("sync.db")).await.unwrap();
    let account = sb_key();
    let mut held: Vec<String> = store
        .orders(&account)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.order.id.as_str().to_owned())
        .collect();
    held.sort();
    assert_eq!(held, expected);
    // The import cursor was not started: the first import misses nothing.
    let cursor = store.cursor(&account, JobKind::ImportOrders).await.unwrap();
    assert_eq!(cursor, None);
    store.close().await;

    // A --to that is not a date is a usage error too.
    let out = output(backfill("next tuesday")).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--to: not a date"),
        "{}",
        text(&out.stderr)
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_per_line() {
    let sb = sandbox(30, &["ATVPDKIKX0DER"]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &sb, "na", r#"["US"]"#, "");
    let mut c = amzsync();
    c.args(["--log-format", "json", "--log", "info", "once", "--config"])
        .arg(&config)
        .args(["--job", "import_orders"]);
    let out = output(with_creds(c, &sb, None, None)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let finished = lines
        .iter()
        .find(|v| v["fields"]["message"] == "sync run finished")
        .unwrap_or_else(|| panic!("no run report in the log:\n{err}"));
    assert_eq!(finished["fields"]["account"], "sb");
    assert_eq!(finished["fields"]["job"], "import_orders");
    // No secret reaches the log.
    let creds = sb.credentials();
    assert!(!err.contains(&creds.client_secret) && !err.contains(&creds.refresh_token));
    sb.shutdown().await;
}

#[test]
fn sandbox_subcommand_serves_and_prints_its_credentials() {
    use std::io::{BufRead, BufReader};
    let bin = assert_cmd::cargo::cargo_bin("amzsync");
    let mut child = std::process::Command::new(bin)
        .args(["sandbox", "--port", "0", "--orders", "10"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut base = None;
    for line in lines.by_ref().take(12) {
        let line = line.unwrap();
        if let Some(url) = line.trim().strip_prefix("SP-API base URL") {
            base = Some(url.trim().to_owned());
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let base = base.expect("the base URL is printed");
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pii_is_encrypted_at_rest_with_a_configured_key() {
    use store_adapters::sqlite::{SqliteConfig, XChaChaPii};
    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let sb = sandbox(40, &["ATVPDKIKX0DER"]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &sb, "na", r#"["US"]"#, "");
    let text_cfg = std::fs::read_to_string(&config).unwrap().replace(
        "path = \"sync.db\"",
        "path = \"sync.db\"\npii_key_env = \"SB_PII_KEY\"",
    );
    std::fs::write(&config, text_cfg).unwrap();

    // Without the key the command refuses to start, and says why.
    let mut c = amzsync();
    c.args(["once", "--config"])
        .arg(&config)
        .args(["--job", "import_orders"]);
    let out = output(with_creds(c, &sb, None, None)).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("store.pii_key_env: environment variable SB_PII_KEY is not set")
    );
    assert!(!dir.path().join("sync.db").exists(), "nothing touched");
    // A malformed key is refused without being echoed.
    let mut c = amzsync();
    c.args(["once", "--config"])
        .arg(&config)
        .args(["--job", "import_orders"])
        .env("SB_PII_KEY", "not-a-key!");
    let out = output(with_creds(c, &sb, None, None)).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(
        !text(&out.stderr).contains("not-a-key!"),
        "{}",
        text(&out.stderr)
    );

    let mut c = amzsync();
    c.args(["once", "--config"])
        .arg(&config)
        .args(["--job", "import_orders"])
        .env("SB_PII_KEY", KEY);
    let out = output(with_creds(c, &sb, None, None)).await;
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    let name_of = |orders: Vec<order_sync_core::host::HostOrder>| {
        orders
            .into_iter()
            .find_map(|o| o.order.recipient.and_then(|r| r.name))
            .expect("an order with a recipient name")
    };
    let db = dir.path().join("sync.db");
    // Opening without the key is refused by the store itself.
    let err = SqliteStore::open(&db).await.unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("check value")
            || format!("{err:?}").contains("Mismatch"),
        "{err:?}"
    );
    // Every PII value in the file is sealed (read with the sqlite3 module of Python,
    // which the CI machine has).
    let script = format!(
        "import sqlite3; v=[r[0] for r in sqlite3.connect({:?}).execute('select value from order_pii')]; print(len(v), sum(1 for x in v if x.startswith('x1:')))",
        db.display().to_string()
    );
    let py = std::process::Command::new("python3")
        .args(["-c", &script])
        .output()
        .unwrap();
    let counts = text(&py.stdout);
    let mut it = counts.split_whitespace().map(|n| n.parse::<u64>().unwrap());
    let (all, sealed) = (it.next().unwrap(), it.next().unwrap());
    assert!(all > 0 && sealed == all, "{counts}");
    let cipher = XChaChaPii::from_base64(KEY).unwrap();
    let keyed = SqliteStore::open_with(
        &db,
        SqliteConfig::default().pii_cipher(std::sync::Arc::new(cipher)),
    )
    .await
    .unwrap();
    let name = name_of(keyed.orders(&sb_key()).await.unwrap());
    keyed.close().await;
    assert!(!name.starts_with("x1:") && !name.is_empty());

    // `status` opens the store with the key too.
    let mut c = amzsync();
    c.args(["status", "--json", "--config"])
        .arg(&config)
        .env("SB_PII_KEY", KEY);
    let out = output(c).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut c = amzsync();
    c.args(["status", "--config"]).arg(&config);
    let out = output(c).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reseal_pii_encrypts_an_existing_store_and_rotates_the_key() {
    const KEY1: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    const KEY2: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
    let sb = sandbox(30, &["ATVPDKIKX0DER"]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &sb, "na", r#"["US"]"#, "");
    // A plain-text store first.
    let mut c = amzsync();
    c.args(["once", "--config"])
        .arg(&config)
        .args(["--job", "import_orders"]);
    assert!(
        output(with_creds(c, &sb, None, None))
            .await
            .status
            .success()
    );
    let held = {
        let s = SqliteStore::open(dir.path().join("sync.db")).await.unwrap();
        let n = s.count_orders(&sb_key()).await.unwrap();
        s.close().await;
        n
    };
    assert!(held > 0);

    // Turn encryption on.
    let text_cfg = std::fs::read_to_string(&config).unwrap().replace(
        "path = \"sync.db\"",
        "path = \"sync.db\"\npii_key_env = \"SB_PII_KEY\"",
    );
    std::fs::write(&config, text_cfg).unwrap();
    let mut c = amzsync();
    c.args(["reseal-pii", "--config"])
        .arg(&config)
        .env("SB_PII_KEY", KEY1);
    let out = output(c).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("PII values sealed with the new key"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        SqliteStore::open(dir.path().join("sync.db")).await.is_err(),
        "no longer opens without a key"
    );

    // Rotate to a second key.
    let mut c = amzsync();
    c.args(["reseal-pii", "--config"])
        .arg(&config)
        .args(["--old-key-env", "SB_OLD_KEY"])
        .env("SB_OLD_KEY", KEY1)
        .env("SB_PII_KEY", KEY2);
    let out = output(c).await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The sync goes on with the new key; the old one no longer opens the file.
    let mut c = amzsync();
    c.args(["status", "--json", "--config"])
        .arg(&config)
        .env("SB_PII_KEY", KEY2);
    let out = output(c).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["accounts"][0]["orders_held"].as_u64(), Some(held));
    let mut c = amzsync();
    c.args(["status", "--config"])
        .arg(&config)
        .env("SB_PII_KEY", KEY1);
    let out = output(c).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    sb.shutdown().await;
}

/// A config for `onboard`: the account's refresh token goes to `secrets.toml`.
fn onboarding_config(dir: &Path, sb: &Sandbox) -> PathBuf {
    std::fs::write(dir.join("secrets.toml"), "").unwrap();
    let config = write_config(dir, sb, "na", r#"["US"]"#, "");
    let text_cfg = std::fs::read_to_string(&config).unwrap().replace(
        r#"refresh_token_env = "SB_TOKEN" }"#,
        r#"secrets_file = "secrets.toml" }"#,
    );
    std::fs::write(&config, text_cfg).unwrap();
    config
}

fn stored_token(dir: &Path) -> Option<String> {
    let t: toml::Table = std::fs::read_to_string(dir.join("secrets.toml"))
        .ok()?
        .parse()
        .ok()?;
    t.get("refresh_token")?.as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboard_accepts_a_pasted_code() {
    let sb = sandbox(5, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = onboarding_config(dir.path(), &sb);
    let creds = sb.credentials();
    let code = sb.config().credentials.authorization_code.clone();
    let mut c = amzsync();
    c.args(["onboard", "--config"])
        .arg(&config)
        .args(["--account", "sb"])
        .env("SB_ID", &creds.client_id)
        .env("SB_SECRET", &creds.client_secret)
        .write_stdin(format!("{code}\n"));
    let out = output(c).await;
    let s = text(&out.stdout);
    assert!(out.status.success(), "{s}{}", text(&out.stderr));
    assert!(s.contains("/apps/authorize/consent?application_id="), "{s}");
    assert!(s.contains("Then paste the address"), "{s}");
    assert!(stored_token(dir.path()).is_some_and(|t| !t.is_empty()));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboard_receives_the_redirect_on_a_loopback_port() {
    use std::io::{BufRead, BufReader, Read, Write};
    let sb = sandbox(5, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = onboarding_config(dir.path(), &sb);
    let creds = sb.credentials();
    let code = sb.config().credentials.authorization_code.clone();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bin = assert_cmd::cargo::cargo_bin("amzsync");
    let mut child = std::process::Command::new(bin)
        .args(["onboard", "--config"])
        .arg(&config)
        .args(["--account", "sb", "--listen", &port.to_string()])
        .env("SB_ID", &creds.client_id)
        .env("SB_SECRET", &creds.client_secret)
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut reaper = Reaper::new(&child);
    let stdout = child.stdout.take().unwrap();
    let forged_code = code.clone();
    tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        // The consent URL carries the state the redirect must echo.
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|l| l.contains("/apps/authorize/consent"))
            .expect("the consent URL");
        assert!(url.contains("state=amzsync-"), "{url}");
        let send = |query: String| {
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            let mut sock = loop {
                match std::net::TcpStream::connect(("127.0.0.1", port)) {
                    Ok(s) => break s,
                    Err(_) if std::time::Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(20))
                    }
                    Err(e) => panic!("onboard does not listen: {e}"),
                }
            };
            write!(sock, "GET /?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
            let mut answer = String::new();
            let _ = sock.read_to_string(&mut answer);
            answer
        };
        // A redirect with a wrong state is refused (and the flow stops).
        let forged = send(format!("spapi_oauth_code={forged_code}&state=forged"));
        assert!(forged.starts_with("HTTP/1.1 400"), "{forged}");
        let _: Vec<String> = lines.map_while(Result::ok).collect();
    })
    .await
    .unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    reaper.waited = true;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("state does not match"),
        "{}",
        text(&out.stderr)
    );
    assert!(stored_token(dir.path()).is_none());

    // Again, with the right state.
    let bin = assert_cmd::cargo::cargo_bin("amzsync");
    let mut child = std::process::Command::new(bin)
        .args(["onboard", "--config"])
        .arg(&config)
        .args(["--account", "sb", "--listen", &port.to_string()])
        .env("SB_ID", &creds.client_id)
        .env("SB_SECRET", &creds.client_secret)
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut reaper = Reaper::new(&child);
    let stdout = child.stdout.take().unwrap();
    let answer = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|l| l.contains("/apps/authorize/consent"))
            .expect("the consent URL");
        let url = url::Url::parse(url.trim()).unwrap();
        let state = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let mut sock = loop {
            match std::net::TcpStream::connect(("127.0.0.1", port)) {
                Ok(s) => break s,
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Err(e) => panic!("onboard does not listen: {e}"),
            }
        };
        write!(
            sock,
            "GET /?spapi_oauth_code={code}&state={state}&selling_partner_id=A3SANDBOXSELLER HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        let _ = sock.read_to_string(&mut answer);
        let _: Vec<String> = lines.map_while(Result::ok).collect();
        answer
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    reaper.waited = true;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stored_token(dir.path()).is_some_and(|t| !t.is_empty()));
    sb.shutdown().await;
}
