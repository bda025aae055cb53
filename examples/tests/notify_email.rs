//! The e-mail notifier against a real SMTP server on loopback (Python's `aiosmtpd`, whose
//! default handler prints each message it receives). Without aiosmtpd the test is skipped
//! loudly, except under `CI=true`, where it fails.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use amzsync_cli::config::{Config, EmailConfig};
use amzsync_cli::notify::EmailNotifier;
use order_sync_core::AccountId;
use order_sync_core::report::{Notifier, RunOutcome, RunReport};
use order_sync_core::state::JobKind;

struct Smtpd {
    child: Child,
    port: u16,
    lines: mpsc::Receiver<String>,
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Smtpd {
    /// Starts aiosmtpd, or returns `None` (after saying so) when it is not installed.
    fn start() -> Option<Smtpd> {
        let have = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !have {
            let msg = "aiosmtpd is not installed (python3 -m pip install aiosmtpd)";
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{msg}: required under CI=true");
            }
            eprintln!("SKIPPED e-mail notifier test: {msg}");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("python3")
            .args([
                "-u",
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3 -m aiosmtpd");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Wait until the server accepts connections (it takes a moment to start).
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start listening"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Smtpd { child, port, lines })
    }

    /// The next message received, as text (headers and body).
    fn next_message(&self) -> String {
        let mut text = String::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .expect("a message from aiosmtpd");
            if line.contains("END MESSAGE") {
                return text;
            }
            if !line.contains("MESSAGE FOLLOWS") {
                text.push_str(&line);
                text.push('\n');
            }
        }
    }
}

fn email_config(port: u16, when: &str) -> EmailConfig {
    let text = format!(
        r#"
[notifications.email]
smtp_host = "127.0.0.1"
smtp_port = {port}
security = "none"
from = "amzsync <sync@example.com>"
to = ["ops@example.com", "Boss <boss@example.com>"]
when = "{when}"
"#
    );
    let config = Config::from_toml_str(&text, std::path::Path::new(".")).unwrap();
    config.notifications.email.clone().unwrap()
}

fn report(created: u64, refused: u64) -> RunReport {
    let mut r = RunReport::start(
        AccountId::new("us-main"),
        JobKind::ExportShipments,
        time::macros::datetime!(2026-11-25 10:00 UTC),
    );
    r.counts.created = created;
    r.counts.refused = refused;
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_noteworthy_runs_by_default_and_every_run_when_asked() {
    let Some(smtpd) = Smtpd::start() else { return };
    let none = |_: &str| None;

    let default =
        EmailNotifier::from_config(&email_config(smtpd.port, "noteworthy"), &none).unwrap();
    // A quiet run is not sent; a run with a refused export is.
    default.notify(&report(0, 0)).await;
    let mut failed = report(0, 1);
    failed.outcome = RunOutcome::Failed;
    failed
        .errors
        .push("package 2: carrier \"Pigeon Post\" is not mapped".into());
    default.notify(&failed).await;
    let first = smtpd.next_message();
    assert!(
        first.contains("Subject: [amzsync] us-main export_shipments FAILED: 1 refused, 1 errors"),
        "{first}"
    );
    assert!(
        first.contains("From: amzsync <sync@example.com>"),
        "{first}"
    );
    assert!(
        first.contains("ops@example.com") && first.contains("boss@example.com"),
        "{first}"
    );
    assert!(first.contains("Pigeon Post"), "{first}");

    let always = EmailNotifier::from_config(&email_config(smtpd.port, "always"), &none).unwrap();
    always.notify(&report(0, 0)).await;
    let second = smtpd.next_message();
    assert!(
        second.contains("nothing to do"),
        "the quiet run came through: {second}"
    );
}
