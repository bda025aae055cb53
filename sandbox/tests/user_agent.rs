//! Amazon refuses SP-API and MWS requests without a User-Agent (or with one over 500
//! characters); the sandbox does too. LWA, the control API and document URLs do not ask.

mod common;

use common::{Env, manual};

const LIST: &str =
    "/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&CreatedAfter=2026-05-01T00:00:00Z";

#[tokio::test]
async fn sp_api_requests_need_a_user_agent() {
    let env = Env::new(manual(3, 5)).await;
    let bare = reqwest::Client::new();
    let send = |ua: Option<String>| {
        let mut rq = bare
            .get(env.url(LIST))
            .header("x-amz-access-token", &env.token);
        if let Some(ua) = ua {
            rq = rq.header("user-agent", ua);
        }
        rq.send()
    };
    let a = common::answer(send(None).await.unwrap()).await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(a.error().0, "InvalidInput");
    assert!(a.error().1.contains("User-Agent"), "{}", a.text);
    assert!(a.header("x-amzn-RequestId").is_some());
    let a = common::answer(send(Some(" ".into())).await.unwrap()).await;
    assert_eq!(a.status, 400);
    let a = common::answer(
        send(Some(format!("app/1 ({})", "x".repeat(493))))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, 400, "501 characters");
    let a = common::answer(
        send(Some(format!("app/1 ({})", "x".repeat(492))))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, 200, "500 characters: {}", a.text);
    // Refused before anything else: no bucket spent, counted as a 400.
    let s = &env.sb.stats()["getOrders"];
    assert_eq!((s.calls, s.by_status.get(&400)), (4, Some(&3)));

    // The token endpoint and the control API do not require one.
    let t = common::lwa_token(&bare, &env.sb).await;
    assert!(!t.is_empty());
    let c = bare.get(env.url("/_sandbox/clock")).send().await.unwrap();
    assert_eq!(c.status().as_u16(), 200);
}

#[tokio::test]
async fn mws_requests_need_a_user_agent() {
    let env = Env::new(manual(3, 0)).await;
    let r = reqwest::Client::new()
        .post(env.url("/Orders/2013-09-01"))
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body("Action=ListOrders&Version=2013-09-01")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("<Code>InvalidParameterValue</Code>"),
        "{body}"
    );
    assert!(body.contains("User-Agent"), "{body}");
}
