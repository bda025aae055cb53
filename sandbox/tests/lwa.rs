//! The LWA token endpoint and access-token checks on SP-API calls.

mod common;

use std::time::Duration;

use common::{Env, answer, manual};
use serde_json::json;

async fn token_call(env: &Env, form: &[(&str, &str)]) -> common::Answer {
    answer(
        env.http
            .post(env.sb.lwa_url())
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn grants_and_lwa_error_shapes() {
    let env = Env::new(manual(1, 3)).await;
    let c = env.sb.credentials();
    let (id, secret, rt) = (
        c.client_id.as_str(),
        c.client_secret.as_str(),
        c.refresh_token.as_str(),
    );

    let ok = token_call(
        &env,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", id),
            ("client_secret", secret),
        ],
    )
    .await;
    assert_eq!(ok.status, 200);
    let v = ok.json();
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 3600);
    assert_eq!(v["refresh_token"], rt);
    assert!(v["access_token"].as_str().unwrap().starts_with("Atza|"));

    let bad_secret = token_call(
        &env,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", id),
            ("client_secret", "nope"),
        ],
    )
    .await;
    assert_eq!(bad_secret.status, 401);
    assert_eq!(bad_secret.json()["error"], "invalid_client");

    let bad_rt = token_call(
        &env,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "Atzr|other"),
            ("client_id", id),
            ("client_secret", secret),
        ],
    )
    .await;
    assert_eq!(bad_rt.status, 400);
    assert_eq!(bad_rt.json()["error"], "invalid_grant");
    assert!(
        bad_rt.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("refresh_token")
    );

    let missing = token_call(
        &env,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", id),
            ("client_secret", secret),
        ],
    )
    .await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json()["error"], "invalid_request");

    let unsupported = token_call(
        &env,
        &[
            ("grant_type", "password"),
            ("client_id", id),
            ("client_secret", secret),
        ],
    )
    .await;
    assert_eq!(unsupported.json()["error"], "unsupported_grant_type");

    // Grantless: a scope is needed, and the token cannot read a seller's orders.
    let bad_scope = token_call(
        &env,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "sellingpartnerapi::orders"),
            ("client_id", id),
            ("client_secret", secret),
        ],
    )
    .await;
    assert_eq!(bad_scope.json()["error"], "invalid_scope");
    let grantless = token_call(
        &env,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "sellingpartnerapi::notifications"),
            ("client_id", id),
            ("client_secret", secret),
        ],
    )
    .await;
    assert_eq!(grantless.status, 200);
    let gt = grantless.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let denied = env
        .get_with("/sellers/v1/marketplaceParticipations", Some(&gt))
        .await;
    assert_eq!(denied.status, 403);

    // The authorization code works once.
    let code = "ANsandboxAuthorizationCode0000";
    let first = token_call(
        &env,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", id),
            ("client_secret", secret),
        ],
    )
    .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.json()["refresh_token"], rt);
    let again = token_call(
        &env,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", id),
            ("client_secret", secret),
        ],
    )
    .await;
    assert_eq!(again.json()["error"], "invalid_grant");

    // JSON bodies are accepted too (Amazon's Java helper sends JSON).
    let as_json = answer(
        env.http
            .post(env.sb.lwa_url())
            .json(&json!({"grant_type": "refresh_token", "refresh_token": rt, "client_id": id, "client_secret": secret}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(as_json.status, 200);
}

#[tokio::test]
async fn missing_invalid_and_expired_tokens() {
    let env = Env::new(manual(1, 3).token_lifetime(Duration::from_secs(600))).await;
    let path = "/sellers/v1/marketplaceParticipations";

    let none = env.get_with(path, None).await;
    assert_eq!(none.status, 403);
    assert_eq!(
        none.error(),
        (
            "Unauthorized".into(),
            "Access to requested resource is denied.".into()
        )
    );
    assert!(none.header("x-amzn-RequestId").is_some());
    assert!(none.header("x-amzn-RateLimit-Limit").is_none());

    let junk = env.get_with(path, Some("Atza|junk")).await;
    assert_eq!(junk.status, 403);
    assert!(
        junk.json()["errors"][0]["details"]
            .as_str()
            .unwrap()
            .contains("revoked, malformed or invalid")
    );

    assert_eq!(env.get(path).await.status, 200);
    env.sb.advance_clock(Duration::from_secs(599));
    assert_eq!(env.get(path).await.status, 200);
    env.sb.advance_clock(Duration::from_secs(1));
    let expired = env.get(path).await;
    assert_eq!(expired.status, 403);
    assert_eq!(
        expired.json()["errors"][0]["details"],
        "The access token you provided has expired."
    );

    // A fresh token works again.
    let fresh = common::lwa_token(&env.http, &env.sb).await;
    assert_eq!(env.get_with(path, Some(&fresh)).await.status, 200);
}

#[tokio::test]
async fn scaled_lifetimes_and_rates_report_real_time() {
    let cfg = amazon_sandbox::SandboxConfig::default()
        .initial_orders(0)
        .time_scale(60.0)
        .token_lifetime(Duration::from_secs(3600));
    let env = Env::new(cfg).await;
    let c = env.sb.credentials();
    let v = token_call(
        &env,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &c.refresh_token),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
        ],
    )
    .await
    .json();
    // One sandbox hour is one real minute at K = 60.
    assert_eq!(v["expires_in"], 60);
    let a = env.get("/orders/v0/orders/111-1111111-1111111").await;
    assert_eq!(a.status, 404);
    // 0.5 requests per sandbox second is 30 per real second.
    assert_eq!(a.header("x-amzn-RateLimit-Limit"), Some("30"));
    let s = env.get("/sellers/v1/marketplaceParticipations").await;
    assert_eq!(s.status, 200);
    assert!(
        s.header("x-amzn-RateLimit-Limit").is_none(),
        "the Sellers model declares no rate header"
    );
}
