//! Helpers shared by the integration tests: a manual-clock sandbox and a plain HTTP client.

#![allow(dead_code)]

use amazon_sandbox::{OrderSnapshot, Sandbox, SandboxConfig};
use serde_json::Value;
use time::OffsetDateTime;

/// The fixed start of every manual-clock test world.
pub(crate) fn start() -> OffsetDateTime {
    time::macros::datetime!(2026-06-01 12:00 UTC)
}

/// A deterministic configuration: manual clock, fixed start, no arrivals.
pub(crate) fn manual(seed: u64, orders: usize) -> SandboxConfig {
    SandboxConfig::default()
        .seed(seed)
        .initial_orders(orders)
        .orders_per_hour(0.0)
        .manual_clock_at(start())
}

/// The User-Agent the tests send (Amazon refuses requests without one).
pub(crate) const USER_AGENT: &str = "amazon-sandbox-tests/0.1 (Language=Rust)";

/// An HTTP client that names itself, as Amazon requires.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .build()
        .expect("client builds")
}

/// A started sandbox with a client and a seller access token.
pub(crate) struct Env {
    pub(crate) sb: Sandbox,
    pub(crate) http: reqwest::Client,
    pub(crate) token: String,
}

/// An HTTP answer, read fully.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) text: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub(crate) fn header(&self, k: &str) -> Option<&str> {
        self.headers.get(k).and_then(|v| v.to_str().ok())
    }
    /// The first error's (code, message).
    pub(crate) fn error(&self) -> (String, String) {
        let v = self.json();
        (
            v["errors"][0]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            v["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    }
}

impl Env {
    pub(crate) async fn new(config: SandboxConfig) -> Env {
        let sb = Sandbox::start(config).await.expect("sandbox starts");
        let http = client();
        let token = lwa_token(&http, &sb).await;
        Env { sb, http, token }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.sb.base_url(), path)
    }

    pub(crate) async fn get_with(&self, path: &str, token: Option<&str>) -> Answer {
        let mut rq = self.http.get(self.url(path));
        if let Some(t) = token {
            rq = rq.header("x-amz-access-token", t);
        }
        answer(rq.send().await.expect("request sent")).await
    }

    pub(crate) async fn get(&self, path: &str) -> Answer {
        self.get_with(path, Some(&self.token.clone())).await
    }

    pub(crate) async fn post_with(&self, path: &str, body: &Value, token: Option<&str>) -> Answer {
        let mut rq = self.http.post(self.url(path)).json(body);
        if let Some(t) = token {
            rq = rq.header("x-amz-access-token", t);
        }
        answer(rq.send().await.expect("request sent")).await
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> Answer {
        self.post_with(path, body, Some(&self.token.clone())).await
    }

    /// Sends `method` with a JSON body (PUT, PATCH, DELETE…).
    pub(crate) async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Answer {
        let mut rq = self
            .http
            .request(method, self.url(path))
            .header("x-amz-access-token", &self.token);
        if let Some(b) = body {
            rq = rq.json(b);
        }
        answer(rq.send().await.expect("request sent")).await
    }

    /// Creates an RDT for the given resources.
    pub(crate) async fn rdt(&self, resources: Value) -> String {
        let a = self
            .post(
                "/tokens/2021-03-01/restrictedDataToken",
                &serde_json::json!({ "restrictedResources": resources }),
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.json()["restrictedDataToken"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// Sandbox time as the wire writes it.
    pub(crate) fn now_iso(&self) -> String {
        iso(self.sb.now())
    }
}

pub(crate) fn iso(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("formats")
}

pub(crate) async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body read");
    Answer {
        status,
        headers,
        text,
    }
}

/// Exchanges the sandbox's refresh token for an access token.
pub(crate) async fn lwa_token(http: &reqwest::Client, sb: &Sandbox) -> String {
    let c = sb.credentials();
    let r = http
        .post(sb.lwa_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", c.refresh_token.as_str()),
            ("client_id", c.client_id.as_str()),
            ("client_secret", c.client_secret.as_str()),
        ])
        .send()
        .await
        .expect("token request");
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.expect("json");
    v["access_token"].as_str().expect("access_token").to_owned()
}

/// The current snapshot of order `id` (panics when the sandbox has no such order).
pub(crate) fn order(sb: &Sandbox, id: &str) -> OrderSnapshot {
    sb.orders()
        .into_iter()
        .find(|o| o.order_id == id)
        .unwrap_or_else(|| panic!("no order {id} in the sandbox"))
}
