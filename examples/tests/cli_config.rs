//! The command line's configuration handling, driven as a user would: `init` writes a
//! template that `check` accepts, and every kind of configuration error prints its key
//! path, exits with status 3 and leaves the data file untouched.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const ENV: [(&str, &str); 3] = [
    ("AMZSYNC_US_CLIENT_ID", "amzn1.application-oa2-client.test"),
    ("AMZSYNC_US_CLIENT_SECRET", "test-secret"),
    ("AMZSYNC_US_REFRESH_TOKEN", "Atzr|test"),
];

fn amzsync() -> Command {
    let mut c = Command::cargo_bin("amzsync").expect("the amzsync binary");
    c.env_remove("RUST_LOG").env_remove("AMZSYNC_CONFIG");
    for (k, _) in ENV {
        c.env_remove(k);
    }
    c
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn init_writes_a_template_that_checks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("amzsync.toml");
    let out = amzsync()
        .args(["init", "--output"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("[[accounts]]") && text.contains("[mapping]"));

    // Without the variables it names, `check` says which are missing.
    let out = amzsync()
        .args(["check", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("accounts[0].credentials.client_secret_env: environment variable AMZSYNC_US_CLIENT_SECRET is not set"), "{err}");

    let out = amzsync()
        .args(["check", "--config"])
        .arg(&path)
        .envs(ENV)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("OK (1 account"), "{}", stdout(&out));

    // stdout form is the same template; an existing file is never overwritten.
    let out = amzsync().arg("init").output().unwrap();
    assert_eq!(stdout(&out), text);
    let out = amzsync()
        .args(["init", "--output"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// A config whose store is `data.db` beside it, holding bytes that must not change.
fn setup(body: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.db");
    std::fs::write(&data, b"precious bytes").unwrap();
    let config = dir.path().join("amzsync.toml");
    std::fs::write(&config, format!("[store]\npath = \"data.db\"\n{body}")).unwrap();
    (dir, config, data)
}

const ACCOUNT: &str = r#"
[[accounts]]
name = "us-main"
region = "na"
marketplaces = ["US", "CA"]
credentials = { client_id_env = "AMZSYNC_US_CLIENT_ID", client_secret_env = "AMZSYNC_US_CLIENT_SECRET", refresh_token_env = "AMZSYNC_US_REFRESH_TOKEN" }
"#;

fn assert_untouched(dir: &Path, data: &Path) {
    assert_eq!(std::fs::read(data).unwrap(), b"precious bytes");
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with("-wal") || n.ends_with("-shm")),
        "{names:?}"
    );
}

/// Runs every data-touching command on a bad config: each must fail with status 3,
/// name every expected key path, and leave the data file as it was.
fn assert_rejected(body: &str, with_env: bool, wanted: &[&str]) -> String {
    let (dir, config, data) = setup(body);
    let mut last = String::new();
    for cmd in [
        vec!["once"],
        vec!["run"],
        vec!["check"],
        vec!["verify"],
        vec!["backfill", "--account", "us-main", "--from", "2026-01-01"],
        vec!["once", "--job", "export_shipments"],
    ] {
        let mut c = amzsync();
        c.args(&cmd).arg("--config").arg(&config);
        if with_env {
            c.envs(ENV);
        }
        let out = c
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(3), "{cmd:?}: {err}");
        for w in wanted {
            assert!(err.contains(w), "{cmd:?}: missing {w:?} in:\n{err}");
        }
        assert!(err.contains("nothing was changed"), "{err}");
        assert_untouched(dir.path(), &data);
        last = err;
    }
    last
}

#[test]
fn unknown_key_has_a_did_you_mean() {
    let body = ACCOUNT.replace("region = \"na\"", "regoin = \"na\"");
    assert_rejected(
        &body,
        true,
        &[
            "accounts[0].regoin: unknown key \"regoin\"",
            "did you mean \"region\"?",
            "accounts[0].region: missing",
        ],
    );
}

#[test]
fn wrong_type_names_the_expected_type() {
    let body = format!("{ACCOUNT}\n[sync]\nfba = \"yes\"\n[jobs]\nimport_orders = 60\n");
    assert_rejected(
        &body,
        true,
        &[
            "sync.fba: expected true or false, found a string",
            "jobs.import_orders: expected a duration string, found an integer",
        ],
    );
}

#[test]
fn missing_credentials_name_the_variable() {
    let err = assert_rejected(
        ACCOUNT,
        false,
        &[
            "accounts[0].credentials.client_id_env: environment variable AMZSYNC_US_CLIENT_ID is not set",
            "AMZSYNC_US_CLIENT_SECRET is not set",
            "AMZSYNC_US_REFRESH_TOKEN is not set",
        ],
    );
    assert!(err.contains("the configuration has 3 problems"), "{err}");
}

#[test]
fn marketplace_outside_the_region_is_refused() {
    let body = ACCOUNT.replace("[\"US\", \"CA\"]", "[\"US\", \"UK\"]");
    assert_rejected(
        &body,
        true,
        &[
            "accounts[0].marketplaces[1]: marketplace UK (United Kingdom) is in region eu",
            "not in this account's region na",
        ],
    );
}

#[test]
fn unknown_status_in_the_mapping_is_refused() {
    let body = format!("{ACCOUNT}\n[mapping.order_status.merchant]\nUnshiped = \"New\"\n");
    assert_rejected(
        &body,
        true,
        &[
            "mapping.order_status.merchant.Unshiped: unknown order status",
            "did you mean \"Unshipped\"?",
        ],
    );
}

#[test]
fn secrets_in_the_file_are_refused_and_never_echoed() {
    let body = ACCOUNT.replace(
        "client_secret_env = \"AMZSYNC_US_CLIENT_SECRET\"",
        "client_secret = \"do-not-print-me\"",
    );
    let err = assert_rejected(
        &body,
        true,
        &[
            "accounts[0].credentials.client_secret: secrets must not be written in the configuration file",
        ],
    );
    assert!(!err.contains("do-not-print-me"), "{err}");
}

#[test]
fn all_problems_come_together() {
    let body = format!(
        "{}\n[notifications.webhook]\nurl = \"http://hooks.example.com/x\"\n[mapping.carriers]\nhost_carrier = 1\n",
        ACCOUNT
            .replace("regoin", "region")
            .replace("[\"US\", \"CA\"]", "[\"US\", \"Canda\"]")
    );
    let err = assert_rejected(
        &body,
        true,
        &[
            "accounts[0].marketplaces[1]: unknown marketplace",
            "did you mean \"CA\" (Canada)?",
            "notifications.webhook.url: must be https",
            "mapping.carriers",
        ],
    );
    assert!(err.contains("problems"), "{err}");
}

#[test]
fn status_needs_no_credentials_but_an_existing_store() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("amzsync.toml");
    std::fs::write(
        &config,
        format!("[store]\npath = \"missing.db\"\n{ACCOUNT}"),
    )
    .unwrap();
    let out = amzsync()
        .args(["status", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("does not exist yet"),
        "{}",
        stderr(&out)
    );
    assert!(
        !dir.path().join("missing.db").exists(),
        "status must not create the store"
    );
}

#[test]
fn every_command_has_help_with_an_example() {
    for cmd in [
        "demo",
        "init",
        "check",
        "verify",
        "onboard",
        "run",
        "once",
        "backfill",
        "status",
        "reseal-pii",
        "sandbox",
    ] {
        let out = amzsync().args([cmd, "--help"]).output().unwrap();
        assert!(out.status.success(), "{cmd}");
        let text = stdout(&out);
        assert!(
            text.contains("Example"),
            "{cmd} --help has no example:\n{text}"
        );
        assert!(
            text.contains(&format!("amzsync {cmd}")),
            "{cmd} --help example does not use the command:\n{text}"
        );
    }
}
