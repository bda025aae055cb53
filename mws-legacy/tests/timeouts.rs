//! Timeouts under paused tokio time: reads are retried, `SubmitFeed` (not idempotent) is not.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mws_legacy::feeds::{FeedType, SubmitFeed};
use mws_legacy::orders::GetOrder;
use mws_legacy::{Client, Credentials, Endpoint, Error, ErrorKind, RetryConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const BODY: &str = r#"<?xml version="1.0"?><GetOrderResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01"><GetOrderResult><Orders><Order><AmazonOrderId>1</AmazonOrderId><PurchaseDate>2020-01-01T00:00:00Z</PurchaseDate><LastUpdateDate>2020-01-01T00:00:00Z</LastUpdateDate><OrderStatus>Shipped</OrderStatus></Order></Orders></GetOrderResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetOrderResponse>"#;

/// A server whose first connection never answers; later ones answer `BODY`.
async fn stalling_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let n = seen.fetch_add(1, Ordering::SeqCst);
            if n == 0 {
                held.push(socket); // keep it open, never answer
                continue;
            }
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let mut got = Vec::new();
                loop {
                    let Ok(read) = socket.read(&mut buf).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..read]);
                    let text = String::from_utf8_lossy(&got);
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if got.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{BODY}",
                    BODY.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    (format!("http://{addr}"), connections)
}

fn client(base: &str) -> Client {
    Client::builder(Credentials::new("S", "A", "K"))
        .endpoint(Endpoint::custom(base).unwrap())
        .http_client(
            reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .pool_idle_timeout(None)
                .build()
                .unwrap(),
        )
        .retry(
            RetryConfig::default().with_backoff(Duration::from_millis(100), Duration::from_secs(1)),
        )
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_read_that_times_out_is_retried() {
    let (base, connections) = stalling_server().await;
    let r = client(&base)
        .get_order(&GetOrder::new(["1"]))
        .await
        .unwrap();
    assert_eq!(r.orders.len(), 1);
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_submit_feed_that_times_out_is_not_sent_again() {
    let (base, connections) = stalling_server().await;
    let err = client(&base)
        .submit_feed(&SubmitFeed::new(
            FeedType::FlatFileFulfillment,
            b"order-id\n".to_vec(),
            "text/tab-separated-values; charset=iso-8859-1",
        ))
        .await
        .unwrap_err();
    match &err {
        Error::Transport(e) => assert!(e.is_timeout(), "{e}"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.kind(), ErrorKind::Transient);
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "the feed may have been received: no second upload"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_submit_feed_does_not_show_the_signed_query() {
    let (base, _connections) = stalling_server().await;
    let client = Client::builder(
        Credentials::new("SELLER-7Q2", "AKIA-ACCESS-9X", "K")
            .with_mws_auth_token("amzn.mws.tok-55"),
    )
    .endpoint(Endpoint::custom(&base).unwrap())
    .http_client(
        reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
    )
    .retry(RetryConfig::none())
    .build()
    .unwrap();
    let err = client
        .submit_feed(&SubmitFeed::new(
            FeedType::FlatFileFulfillment,
            b"order-id\n".to_vec(),
            "text/tab-separated-values; charset=iso-8859-1",
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(e) if e.is_timeout()),
        "{err:?}"
    );
    for shown in [err.to_string(), format!("{err:?}")] {
        for secret in [
            "SELLER-7Q2",
            "AKIA-ACCESS-9X",
            "amzn.mws.tok-55",
            "Signature",
        ] {
            assert!(!shown.contains(secret), "{secret} shown in {shown}");
        }
    }
}
