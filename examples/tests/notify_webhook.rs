//! The webhook notifier against a real HTTP server on loopback: the JSON body, retries on
//! 5xx, no retry on 4xx, and the noteworthy filter.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use amzsync_cli::config::NotifyWhen;
use amzsync_cli::notify::{NotifyError, WebhookNotifier};
use axum::extract::State;
use axum::http::StatusCode;
use order_sync_core::AccountId;
use order_sync_core::report::{Notifier, RunReport};
use order_sync_core::state::JobKind;

#[derive(Clone, Default)]
struct Hook {
    /// Statuses to answer, in order; 200 once used up.
    script: Arc<Mutex<Vec<u16>>>,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
}

async fn receive(State(h): State<Hook>, body: String) -> StatusCode {
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
    h.bodies.lock().unwrap().push(json);
    let mut script = h.script.lock().unwrap();
    let code = if script.is_empty() {
        200
    } else {
        script.remove(0)
    };
    StatusCode::from_u16(code).unwrap()
}

async fn serve(script: Vec<u16>) -> (url::Url, Hook) {
    let hook = Hook {
        script: Arc::new(Mutex::new(script)),
        ..Hook::default()
    };
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(hook.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (
        url::Url::parse(&format!("http://{addr}/hook")).unwrap(),
        hook,
    )
}

fn report(created: u64) -> RunReport {
    let mut r = RunReport::start(
        AccountId::new("eu-main"),
        JobKind::ImportOrders,
        time::macros::datetime!(2026-11-25 10:00 UTC),
    );
    r.counts.created = created;
    r.counts.fetched = created + 2;
    r
}

fn notifier(url: url::Url, when: NotifyWhen, retries: u32) -> WebhookNotifier {
    WebhookNotifier::new(url, when, retries, Duration::from_secs(5))
        .with_backoff(Duration::from_millis(1))
}

#[tokio::test]
async fn posts_the_report_as_json_and_retries_server_errors() {
    let (url, hook) = serve(vec![500, 503]).await;
    let attempts = notifier(url, NotifyWhen::Noteworthy, 3)
        .send(&report(4))
        .await
        .unwrap();
    assert_eq!(attempts, 3);
    let bodies = hook.bodies.lock().unwrap();
    assert_eq!(bodies.len(), 3);
    let b = &bodies[2];
    assert_eq!(b["event"], "amzsync.run_report");
    assert_eq!(b["schema_version"], 1);
    assert_eq!(b["noteworthy"], true);
    assert_eq!(b["report"]["account"], "eu-main");
    assert_eq!(b["report"]["job"], "ImportOrders");
    assert_eq!(b["report"]["counts"]["created"], 4);
    assert_eq!(b["report"]["started_at"], "2026-11-25T10:00:00Z");
    assert!(b["summary"].as_str().unwrap().contains("4 new orders"));
}

#[tokio::test]
async fn gives_up_after_the_retries_and_never_retries_client_errors() {
    let (url, hook) = serve(vec![500, 500, 500]).await;
    let err = notifier(url, NotifyWhen::Always, 2)
        .send(&report(1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            NotifyError::WebhookStatus {
                status: 500,
                attempts: 3
            }
        ),
        "{err}"
    );
    assert_eq!(hook.bodies.lock().unwrap().len(), 3);

    let (url, hook) = serve(vec![400]).await;
    let err = notifier(url, NotifyWhen::Always, 5)
        .send(&report(1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            NotifyError::WebhookStatus {
                status: 400,
                attempts: 1
            }
        ),
        "{err}"
    );
    assert_eq!(hook.bodies.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn noteworthy_filter_skips_quiet_runs() {
    let (url, hook) = serve(vec![]).await;
    let quiet = notifier(url.clone(), NotifyWhen::Noteworthy, 0);
    quiet.notify(&report(0)).await;
    assert_eq!(
        hook.bodies.lock().unwrap().len(),
        0,
        "a quiet run is not sent"
    );
    quiet.notify(&report(2)).await;
    assert_eq!(hook.bodies.lock().unwrap().len(), 1);
    notifier(url, NotifyWhen::Always, 0)
        .notify(&report(0))
        .await;
    assert_eq!(
        hook.bodies.lock().unwrap().len(),
        2,
        "always sends every run"
    );
}

#[tokio::test]
async fn unreachable_webhook_is_a_transport_error() {
    // Bind and drop to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = url::Url::parse(&format!("http://127.0.0.1:{port}/hook")).unwrap();
    let err = notifier(url, NotifyWhen::Always, 1)
        .send(&report(1))
        .await
        .unwrap_err();
    assert!(
        matches!(err, NotifyError::WebhookTransport { attempts: 2, .. }),
        "{err}"
    );
}

/// A received request: its signature header and its body.
type Received = (Option<String>, Vec<u8>);

#[derive(Clone, Default)]
struct Signed {
    seen: Arc<Mutex<Vec<Received>>>,
}

async fn receive_signed(
    State(s): State<Signed>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let sig = headers
        .get("x-amzsync-signature")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    s.seen.lock().unwrap().push((sig, body.to_vec()));
    StatusCode::NO_CONTENT
}

#[tokio::test]
async fn signed_requests_verify_with_the_shared_secret() {
    let signed = Signed::default();
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive_signed))
        .with_state(signed.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let url = url::Url::parse(&format!("http://{addr}/hook")).unwrap();
    notifier(url, NotifyWhen::Always, 0)
        .with_secret(secrecy::SecretString::from("s3cret"))
        .send(&report(1))
        .await
        .unwrap();
    let seen = signed.seen.lock().unwrap();
    let (sig, body) = &seen[0];
    let sig = sig.as_deref().expect("a signature header");
    let t: i64 = sig
        .strip_prefix("t=")
        .and_then(|r| r.split(',').next())
        .and_then(|t| t.parse().ok())
        .expect("a timestamp");
    assert_eq!(sig, amzsync_cli::notify::signature(b"s3cret", t, body));
    assert_ne!(sig, amzsync_cli::notify::signature(b"other", t, body));
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((now - t).abs() < 300, "recent timestamp");
}
