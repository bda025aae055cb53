//! Account identity through the command line: the data is keyed by the seller, so
//! renaming an account in the config keeps it; a store written when the name was the key
//! is adopted; two entries for one seller are refused with both key paths.

use std::path::{Path, PathBuf};
use std::time::Duration;

use amazon_sandbox::{Sandbox, SandboxConfig};
use assert_cmd::Command;
use order_sync_core::AccountId;
use order_sync_core::fixtures::{host_order, sample_order};
use order_sync_core::host::OrderStore;
use order_sync_core::state::{Cursor, CursorAdvance, ImportCommit, JobKind, SyncState};
use store_adapters::sqlite::SqliteStore;

fn amzsync() -> Command {
    let mut c = Command::cargo_bin("amzsync").expect("the amzsync binary");
    c.env_remove("RUST_LOG")
        .env_remove("AMZSYNC_CONFIG")
        .timeout(Duration::from_secs(120));
    c
}

async fn output(mut c: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || c.output().expect("run amzsync"))
        .await
        .expect("join")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

async fn sandbox(orders: usize) -> Sandbox {
    let mut cfg = SandboxConfig::default();
    cfg.initial_orders = orders;
    cfg.orders_per_hour = 0.0;
    cfg.seed = 11;
    cfg.marketplaces = vec!["ATVPDKIKX0DER".into()];
    Sandbox::start(cfg).await.expect("sandbox")
}

/// One `[[accounts]]` entry against `sb`, named `name`, its token in `token_env`.
fn account(sb: &Sandbox, name: &str, seller_id: Option<&str>, token_env: &str) -> String {
    format!(
        r#"
[[accounts]]
name = "{name}"
region = "na"
{seller}
marketplaces = ["US"]
endpoint = "{base}"
lwa_endpoint = "{lwa}"
import_from = "{from}"
credentials = {{ client_id_env = "SB_ID", client_secret_env = "SB_SECRET", refresh_token_env = "{token_env}" }}
"#,
        seller = seller_id
            .map(|s| format!("seller_id = \"{s}\""))
            .unwrap_or_default(),
        base = sb.base_url(),
        lwa = sb.lwa_url(),
        from = (sb.now() - time::Duration::days(20)).date(),
    )
}

fn write_config(dir: &Path, accounts: &[String]) -> PathBuf {
    let path = dir.join("amzsync.toml");
    let text = format!(
        "[store]\npath = \"sync.db\"\n\n[sync]\nmax_window = \"30d\"\n{}",
        accounts.concat()
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn with_creds(mut c: Command, sb: &Sandbox) -> Command {
    let creds = sb.credentials();
    c.env("SB_ID", &creds.client_id)
        .env("SB_SECRET", &creds.client_secret)
        .env("SB_TOKEN", &creds.refresh_token)
        .env("SB_TOKEN_COPY", &creds.refresh_token);
    c
}

async fn import_once(sb: &Sandbox, config: &Path) -> String {
    let mut c = amzsync();
    c.args(["once", "--config"])
        .arg(config)
        .args(["--job", "import_orders"]);
    let out = output(with_creds(c, sb)).await;
    let s = text(&out.stdout);
    assert!(out.status.success(), "{s}{}", text(&out.stderr));
    s
}

async fn status(sb: &Sandbox, config: &Path) -> serde_json::Value {
    let mut c = amzsync();
    c.args(["status", "--json", "--config"]).arg(config);
    let out = output(with_creds(c, sb)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("status --json is JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_an_account_keeps_its_data() {
    let sb = sandbox(40).await;
    let dir = tempfile::tempdir().unwrap();
    // First known by its token alone (no seller_id in the config).
    let config = write_config(dir.path(), &[account(&sb, "us-main", None, "SB_TOKEN")]);
    let s = import_once(&sb, &config).await;
    assert!(s.contains("us-main import_orders completed"), "{s}");
    let v = status(&sb, &config).await;
    let a = &v["accounts"][0];
    let held = a["orders_held"].as_u64().unwrap();
    assert!(held > 0, "{a}");
    let key = a["key"].as_str().expect("a key").to_owned();
    assert!(key.starts_with("na:tok-"), "{key}");

    // Renamed, and the seller id the sandbox prints added: same key, same data.
    let seller = sb.credentials().selling_partner_id;
    let config = write_config(
        dir.path(),
        &[account(&sb, "shop-us", Some(&seller), "SB_TOKEN")],
    );
    let v = status(&sb, &config).await;
    let a = &v["accounts"][0];
    assert_eq!(a["name"], "shop-us");
    assert_eq!(a["key"], key.as_str(), "{a}");
    assert_eq!(a["orders_held"].as_u64(), Some(held));
    let s = import_once(&sb, &config).await;
    assert!(s.contains("shop-us import_orders completed"), "{s}");
    assert!(!s.contains("new orders"), "nothing is imported twice: {s}");
    let v = status(&sb, &config).await;
    let a = &v["accounts"][0];
    assert_eq!(a["key"], key.as_str());
    assert_eq!(a["seller_id"], seller.as_str());
    assert_eq!(a["orders_held"].as_u64(), Some(held));

    let store = SqliteStore::open(dir.path().join("sync.db")).await.unwrap();
    assert_eq!(
        store.accounts().await.unwrap(),
        vec![AccountId::new(key.as_str())]
    );
    assert_eq!(
        store
            .count_orders(&AccountId::new("shop-us"))
            .await
            .unwrap(),
        0
    );
    store.close().await;
    sb.shutdown().await;
}

/// A store written when the configured name was the key (simulated through the library,
/// the way the engine wrote it) is adopted as it is, and survives a later rename.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_keyed_by_the_name_is_adopted_then_renamed() {
    let sb = sandbox(30).await;
    let dir = tempfile::tempdir().unwrap();
    let old = AccountId::new("legacy-shop");
    let t0 = sb.now() - time::Duration::days(20);
    {
        let db = SqliteStore::open(dir.path().join("sync.db")).await.unwrap();
        db.upsert_order(&host_order(&old, sample_order("111-0000009-0000009", t0)))
            .await
            .unwrap();
        let commit = ImportCommit {
            cursor: Some((
                JobKind::ImportOrders,
                CursorAdvance {
                    expected: None,
                    new: Cursor {
                        position: t0,
                        updated_at: t0,
                    },
                },
            )),
            ..ImportCommit::default()
        };
        db.commit_import(&old, &commit).await.unwrap();
        db.close().await;
    }
    let config = write_config(dir.path(), &[account(&sb, "legacy-shop", None, "SB_TOKEN")]);
    let v = status(&sb, &config).await;
    assert_eq!(v["accounts"][0]["orders_held"], 1, "{v}");
    import_once(&sb, &config).await;
    let v = status(&sb, &config).await;
    let a = &v["accounts"][0];
    assert_eq!(
        a["key"], "legacy-shop",
        "the name is adopted as the key: {a}"
    );
    let held = a["orders_held"].as_u64().unwrap();
    assert!(held > 1, "the import continued under the old key: {a}");

    let config = write_config(
        dir.path(),
        &[account(&sb, "renamed-shop", None, "SB_TOKEN")],
    );
    let v = status(&sb, &config).await;
    let a = &v["accounts"][0];
    assert_eq!(a["key"], "legacy-shop", "{a}");
    assert_eq!(a["orders_held"].as_u64(), Some(held));
    let s = import_once(&sb, &config).await;
    assert!(s.contains("renamed-shop import_orders completed"), "{s}");
    let store = SqliteStore::open(dir.path().join("sync.db")).await.unwrap();
    assert_eq!(store.accounts().await.unwrap(), vec![old]);
    store.close().await;
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_entries_for_one_seller_are_refused_naming_both() {
    let sb = sandbox(0).await;
    let dir = tempfile::tempdir().unwrap();
    let seller = sb.credentials().selling_partner_id;

    // Same region and seller id: refused by `check` (and by every command that loads it).
    let config = write_config(
        dir.path(),
        &[
            account(&sb, "one", Some(&seller), "SB_TOKEN"),
            account(&sb, "two", Some(&seller), "SB_TOKEN_OTHER"),
        ],
    );
    let mut c = amzsync();
    c.args(["check", "--config"])
        .arg(&config)
        .env("SB_TOKEN_OTHER", "Atzr|another-token");
    let out = output(with_creds(c, &sb)).await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("accounts[1].seller_id"), "{err}");
    assert!(err.contains("accounts[0].seller_id"), "{err}");

    // Same refresh token: refused naming both credentials, the token never shown.
    let config = write_config(
        dir.path(),
        &[
            account(&sb, "one", None, "SB_TOKEN"),
            account(&sb, "two", None, "SB_TOKEN_COPY"),
        ],
    );
    let mut c = amzsync();
    c.args(["check", "--config"]).arg(&config);
    let out = output(with_creds(c, &sb)).await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("accounts[1].credentials"), "{err}");
    assert!(err.contains("accounts[0].credentials"), "{err}");
    assert!(!err.contains(&sb.credentials().refresh_token), "{err}");
    // `once` refuses it too, before anything is touched.
    let mut c = amzsync();
    c.args(["once", "--config"]).arg(&config);
    let out = output(with_creds(c, &sb)).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(!dir.path().join("sync.db").exists());

    // One entry alone is fine.
    let config = write_config(
        dir.path(),
        &[account(&sb, "one", Some(&seller), "SB_TOKEN")],
    );
    let mut c = amzsync();
    c.args(["check", "--config"]).arg(&config);
    let out = output(with_creds(c, &sb)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    sb.shutdown().await;
}

/// `onboard` reads the seller from the redirect Amazon sends back and says what to add.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboard_learns_the_seller_id_from_the_redirect() {
    let sb = sandbox(0).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secrets.toml"), "").unwrap();
    // Credentials from a secrets file the code exchange fills, and the app id onboard needs.
    let entry = account(&sb, "us-main", None, "SB_TOKEN")
        .replace(
            r#"refresh_token_env = "SB_TOKEN" }"#,
            r#"secrets_file = "secrets.toml" }"#,
        )
        .replace(
            "credentials = ",
            &format!(
                "application_id = \"{}\"\ncredentials = ",
                sb.credentials().application_id
            ),
        );
    let config = write_config(dir.path(), &[entry]);
    let creds = sb.credentials();
    let code = sb.config().credentials.authorization_code.clone();
    let redirect = format!(
        "https://example.com/cb?spapi_oauth_code={code}&selling_partner_id={}\n",
        creds.selling_partner_id
    );
    let mut c = amzsync();
    c.args(["onboard", "--config"])
        .arg(&config)
        .args(["--account", "us-main"])
        .env("SB_ID", &creds.client_id)
        .env("SB_SECRET", &creds.client_secret)
        .write_stdin(redirect);
    let out = output(c).await;
    let s = text(&out.stdout);
    assert!(out.status.success(), "{s}{}", text(&out.stderr));
    assert!(
        s.contains(&format!(
            "seller {} authorised; add seller_id = \"{}\" to accounts[0] (us-main)",
            creds.selling_partner_id, creds.selling_partner_id
        )),
        "{s}"
    );
    sb.shutdown().await;
}
