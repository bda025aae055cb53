//! Speed of the sandbox: start-up with 1000 orders, and serving pages and items over HTTP.

use std::hint::black_box;

use amazon_sandbox::{Sandbox, SandboxConfig};
use criterion::{Criterion, Throughput, criterion_main};

fn config(orders: usize) -> SandboxConfig {
    SandboxConfig::default()
        .initial_orders(orders)
        .orders_per_hour(0.0)
        .rate_limits(false)
        .start_time(Some(time::macros::datetime!(2026-06-01 12:00 UTC)))
        .clock(amazon_sandbox::ClockMode::Manual)
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    c.bench_function("start_1000_orders", |b| {
        b.iter(|| {
            rt.block_on(async {
                let sb = Sandbox::start(config(1000)).await.expect("start");
                black_box(sb.base_url());
                sb.shutdown().await;
            })
        })
    });

    let (sb, http, token) = rt.block_on(async {
        let sb = Sandbox::start(config(5000)).await.expect("start");
        let http = reqwest::Client::builder()
            .user_agent("amazon-sandbox-bench/0.1 (Language=Rust)")
            .build()
            .expect("client");
        let c = sb.credentials();
        let v: serde_json::Value = http
            .post(sb.lwa_url())
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", c.refresh_token.as_str()),
                ("client_id", c.client_id.as_str()),
                ("client_secret", c.client_secret.as_str()),
            ])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("json");
        (
            sb,
            http,
            v["access_token"].as_str().expect("access token").to_owned(),
        )
    });
    let mps = sb.credentials().marketplace_ids.join(",");
    let page = format!(
        "{}/orders/v0/orders?MarketplaceIds={mps}&LastUpdatedAfter=2026-01-01T00:00:00Z&MaxResultsPerPage=100",
        sb.base_url()
    );
    let ids: Vec<String> = sb.orders().into_iter().map(|o| o.order_id).collect();

    let mut g = c.benchmark_group("serve");
    g.throughput(Throughput::Elements(100));
    g.bench_function("getOrders_page_of_100", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = http
                    .get(&page)
                    .header("x-amz-access-token", &token)
                    .send()
                    .await
                    .expect("send");
                black_box(r.bytes().await.expect("body"));
            })
        })
    });
    g.throughput(Throughput::Elements(1));
    let mut n = 0usize;
    g.bench_function("getOrderItems", |b| {
        b.iter(|| {
            n = (n + 1) % ids.len();
            let url = format!("{}/orders/v0/orders/{}/orderItems", sb.base_url(), ids[n]);
            rt.block_on(async {
                let r = http
                    .get(&url)
                    .header("x-amz-access-token", &token)
                    .send()
                    .await
                    .expect("send");
                black_box(r.bytes().await.expect("body"));
            })
        })
    });
    g.throughput(Throughput::Elements(256));
    g.bench_function("getOrderItems_256_with_16_in_flight", |b| {
        use futures::StreamExt;
        b.iter(|| {
            rt.block_on(async {
                let urls: Vec<String> = ids
                    .iter()
                    .take(256)
                    .map(|id| format!("{}/orders/v0/orders/{id}/orderItems", sb.base_url()))
                    .collect();
                futures::stream::iter(urls)
                    .map(|u| {
                        let rq = http.get(u).header("x-amz-access-token", &token);
                        async move {
                            rq.send()
                                .await
                                .expect("send")
                                .bytes()
                                .await
                                .expect("body")
                                .len()
                        }
                    })
                    .buffer_unordered(16)
                    .for_each(|n| {
                        black_box(n);
                        async {}
                    })
                    .await;
            })
        })
    });
    g.finish();
    drop(sb);
}

mod suite {
    //! The criterion group (its generated function carries no docs).
    #![allow(missing_docs, unreachable_pub)]
    use super::benches;
    criterion::criterion_group!(sandbox, benches);
}

criterion_main!(suite::sandbox);
