//! Starting, stopping and dropping a sandbox.

mod common;

use amazon_sandbox::{Error, Sandbox, SandboxConfig};
use common::manual;

#[tokio::test]
async fn dropping_the_sandbox_stops_the_server() {
    let sb = Sandbox::start(manual(1, 10)).await.unwrap();
    let http = common::client();
    let clock = format!("{}/_sandbox/clock", sb.base_url());
    assert_eq!(
        http.get(&clock).send().await.unwrap().status().as_u16(),
        200
    );
    drop(sb);
    // Let the connection tasks see the shutdown.
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    assert!(
        http.get(&clock).send().await.is_err(),
        "no answer after drop"
    );

    let sb = Sandbox::start(manual(1, 10)).await.unwrap();
    let clock = format!("{}/_sandbox/clock", sb.base_url());
    assert_eq!(
        http.get(&clock).send().await.unwrap().status().as_u16(),
        200
    );
    sb.shutdown().await;
    assert!(
        http.get(&clock).send().await.is_err(),
        "no answer after shutdown"
    );
}

#[tokio::test]
async fn bad_configurations_are_refused() {
    for cfg in [
        SandboxConfig::default().time_scale(0.0),
        SandboxConfig::default().time_scale(f64::INFINITY),
        SandboxConfig::default().orders_per_hour(-1.0),
        SandboxConfig::default().history(std::time::Duration::from_secs(u64::MAX)),
        SandboxConfig::default().marketplaces(vec!["XX".into()]),
        SandboxConfig::default().marketplaces(vec![]),
        SandboxConfig::default().sellers(0),
        SandboxConfig::default().token_lifetime(std::time::Duration::ZERO),
    ] {
        assert!(matches!(
            Sandbox::start(cfg).await,
            Err(Error::InvalidConfig(_))
        ));
    }
    let taken = Sandbox::start(SandboxConfig::default().initial_orders(0))
        .await
        .unwrap();
    let again = Sandbox::start(
        SandboxConfig::default()
            .initial_orders(0)
            .port(taken.addr().port()),
    )
    .await;
    assert!(matches!(again, Err(Error::Bind { .. })));
}
