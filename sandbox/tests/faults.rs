//! Fault injection against the running server: rates, kinds and determinism under a seed.

mod common;

use amazon_sandbox::{FaultKind, FaultSpec};
use common::{Env, manual};

const LIST: &str =
    "/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&CreatedAfter=2026-05-01T00:00:00Z";

async fn statuses(seed: u64, spec: &str, n: usize) -> Vec<u16> {
    let env = Env::new(
        manual(seed, 20)
            .rate_limits(false)
            .faults(spec.parse().unwrap()),
    )
    .await;
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(
            env.get("/orders/v0/orders/111-1111111-1111111")
                .await
                .status,
        );
    }
    out
}

#[tokio::test]
async fn rates_are_respected_and_deterministic() {
    let spec = "500=0.2,503=0.1;getOrder:429=0.1";
    let a = statuses(9, spec, 400).await;
    let b = statuses(9, spec, 400).await;
    assert_eq!(a, b, "same seed, same faults");
    let c = statuses(10, spec, 400).await;
    assert_ne!(a, c, "another seed, other faults");
    let count = |s: u16| a.iter().filter(|x| **x == s).count();
    // 400 draws: expect ~80 / ~40 / ~40, the rest 404 (unknown order).
    assert!((50..=110).contains(&count(500)), "500s: {}", count(500));
    assert!((20..=60).contains(&count(503)), "503s: {}", count(503));
    assert!((20..=60).contains(&count(429)), "429s: {}", count(429));
    assert_eq!(count(404) + count(500) + count(503) + count(429), 400);
}

#[tokio::test]
async fn injected_errors_have_amazon_shapes_and_are_counted() {
    let env = Env::new(manual(1, 5).faults("getOrders:429=1".parse().unwrap())).await;
    let a = env.get(LIST).await;
    assert_eq!(a.status, 429);
    assert_eq!(a.error().0, "QuotaExceeded");
    assert!(a.header("x-amzn-RequestId").is_some());
    assert!(a.header("x-amzn-RateLimit-Limit").is_none());
    env.sb.set_faults("getOrders:500=1".parse().unwrap());
    let a = env.get(LIST).await;
    assert_eq!(a.status, 500);
    assert_eq!(a.error().0, "InternalFailure");
    env.sb.set_faults("503=1".parse().unwrap());
    assert_eq!(env.get(LIST).await.status, 503);
    env.sb.set_faults(FaultSpec::none());
    assert_eq!(env.get(LIST).await.status, 200);
    let stats = env.sb.stats();
    let s = &stats["getOrders"];
    assert_eq!(s.calls, 4);
    assert_eq!(s.throttled, 1);
    assert_eq!(s.faults_injected, 3);
    assert_eq!(s.by_status.get(&200), Some(&1));
}

#[tokio::test]
async fn dropped_truncated_and_malformed_bodies() {
    let env = Env::new(manual(1, 5).faults("getOrders:drop=1".parse().unwrap())).await;
    let r = env
        .http
        .get(env.url(LIST))
        .header("x-amz-access-token", &env.token)
        .send()
        .await;
    let failed = match r {
        Err(_) => true,
        Ok(resp) => resp.text().await.is_err(),
    };
    assert!(failed, "a dropped connection must fail on the client");

    for kind in ["truncate", "malformed"] {
        env.sb
            .set_faults(format!("getOrders:{kind}=1").parse().unwrap());
        let a = env.get(LIST).await;
        assert_eq!(a.status, 200);
        assert!(
            serde_json::from_str::<serde_json::Value>(&a.text).is_err(),
            "{kind}: {}",
            a.text
        );
    }
}

#[tokio::test]
async fn slow_answers_and_client_timeouts() {
    let env = Env::new(manual(1, 5).faults("getOrder:slow=1;slow_ms=20".parse().unwrap())).await;
    let a = env.get("/orders/v0/orders/111-1111111-1111111").await;
    assert_eq!(a.status, 404, "a slow answer is still the normal answer");

    assert_eq!(env.sb.stats()["getOrder"].faults_injected, 1);
    env.sb
        .set_faults("getOrder:timeout=1;timeout_ms=60000".parse().unwrap());
    let client = reqwest::Client::builder()
        .user_agent(common::USER_AGENT)
        .timeout(std::time::Duration::from_millis(200))
        .build()
        .unwrap();
    let r = client
        .get(env.url("/orders/v0/orders/111-1111111-1111111"))
        .header("x-amz-access-token", &env.token)
        .send()
        .await;
    match r {
        Err(e) => assert!(e.is_timeout(), "{e:?}"),
        Ok(resp) => panic!("answered {}", resp.status()),
    }
    assert_eq!(FaultKind::Timeout.name(), "timeout");
}
