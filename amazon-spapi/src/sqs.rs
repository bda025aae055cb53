//! A small SQS consumer (feature `sqs`): receive (long polling), delete and change the
//! visibility of messages over the SQS JSON protocol, signed with AWS Signature Version 4,
//! and a `Stream` of typed [`Notification`]s.
//!
//! Why not `aws-sdk-sqs`: see `docs/decisions.md` (it adds 39 crates to the client's build,
//! among them `aws-lc-sys`, a C library, and the STS/SSO SDKs, for three calls). This
//! client covers what a notification consumer needs and nothing else: static credentials
//! (an access key, optionally a session token) and one queue.
//!
//! ```no_run
//! # async fn doc() -> spapi_client::Result<()> {
//! use spapi_client::sqs::{AwsCredentials, SqsConsumer};
//! use futures::TryStreamExt;
//! use secrecy::SecretString;
//! let consumer = SqsConsumer::new(
//!     "https://sqs.us-east-1.amazonaws.com/123456789012/sp-api",
//!     "us-east-1",
//!     AwsCredentials::new("AKIDEXAMPLE", SecretString::from("secret")),
//! )?;
//! let mut deliveries = std::pin::pin!(consumer.deliveries());
//! while let Some(delivery) = deliveries.try_next().await? {
//!     if let Ok(n) = &delivery.notification {
//!         println!("{} ({})", n.metadata.notification_id, n.notification_type());
//!     }
//!     consumer.delete(&delivery).await?;
//! }
//! # Ok(()) }
//! ```

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::notifications::Notification;
use futures::Stream;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use url::Url;

const OP: &str = "sqs";

/// AWS credentials for the queue. `Debug` shows the key id only.
#[derive(Clone)]
pub struct AwsCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: SecretString,
    /// Session token of temporary credentials.
    pub session_token: Option<SecretString>,
}

impl AwsCredentials {
    /// Long-term credentials.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: SecretString) -> Self {
        AwsCredentials {
            access_key_id: access_key_id.into(),
            secret_access_key,
            session_token: None,
        }
    }

    /// Adds the session token of temporary credentials.
    pub fn session_token(mut self, token: SecretString) -> Self {
        self.session_token = Some(token);
        self
    }
}

impl std::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// One message taken from the queue: its notification (or why it does not decode) and
/// the receipt handle to delete it or change its visibility.
#[derive(Debug)]
#[non_exhaustive]
pub struct Delivery {
    /// SQS's message id.
    pub message_id: String,
    /// The handle for [`SqsConsumer::delete`] and [`SqsConsumer::change_visibility`].
    pub receipt_handle: String,
    /// The typed notification; an undecodable body is an error here, so the message can
    /// still be deleted (or left to the queue's dead-letter policy).
    pub notification: Result<Notification>,
}

/// A consumer of one SQS queue.
#[derive(Clone)]
pub struct SqsConsumer {
    http: reqwest::Client,
    endpoint: Url,
    queue_url: String,
    region: String,
    credentials: AwsCredentials,
    clock: Arc<dyn Clock>,
    wait: Duration,
    max_messages: u8,
    visibility: Option<Duration>,
}

impl std::fmt::Debug for SqsConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqsConsumer")
            .field("endpoint", &self.endpoint.as_str())
            .field("queue_url", &self.queue_url)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct ReceiveAnswer {
    #[serde(rename = "Messages", default)]
    messages: Vec<RawMessage>,
}

#[derive(Deserialize)]
struct RawMessage {
    #[serde(rename = "MessageId")]
    message_id: String,
    #[serde(rename = "ReceiptHandle")]
    receipt_handle: String,
    #[serde(rename = "MD5OfBody", default)]
    md5_of_body: Option<String>,
    #[serde(rename = "Body")]
    body: String,
}

impl SqsConsumer {
    /// A consumer of `queue_url` in `region`, calling the region's SQS endpoint
    /// (`https://sqs.<region>.amazonaws.com/`).
    pub fn new(
        queue_url: impl Into<String>,
        region: impl Into<String>,
        credentials: AwsCredentials,
    ) -> Result<Self> {
        let region = region.into();
        let endpoint = format!("https://sqs.{region}.amazonaws.com/");
        let endpoint = Url::parse(&endpoint)
            .map_err(|e| Error::Config(format!("SQS endpoint {endpoint:?}: {e}")))?;
        let http = reqwest::Client::builder()
            .user_agent(crate::LIBRARY)
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(SqsConsumer {
            http,
            endpoint,
            queue_url: queue_url.into(),
            region,
            credentials,
            clock: Arc::new(SystemClock),
            wait: Duration::from_secs(20),
            max_messages: 10,
            visibility: None,
        })
    }

    /// Another SQS endpoint (a local emulator; `http` only on loopback).
    pub fn endpoint(mut self, url: &str) -> Result<Self> {
        let parsed = Url::parse(url).map_err(|e| Error::Config(format!("SQS endpoint: {e}")))?;
        crate::region::check_endpoint(&parsed).map_err(Error::Config)?;
        self.endpoint = parsed;
        Ok(self)
    }

    /// Long-poll wait per receive (0–20 s, default 20).
    pub fn wait_time(mut self, wait: Duration) -> Self {
        self.wait = wait.min(Duration::from_secs(20));
        self
    }

    /// Messages per receive (1–10, default 10).
    pub fn max_messages(mut self, n: u8) -> Self {
        self.max_messages = n.clamp(1, 10);
        self
    }

    /// Visibility timeout of received messages (default: the queue's).
    pub fn visibility_timeout(mut self, timeout: Duration) -> Self {
        self.visibility = Some(timeout);
        self
    }

    /// The clock for `X-Amz-Date` (default: system time).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// One `ReceiveMessage` (long polling).
    pub async fn receive(&self) -> Result<Vec<Delivery>> {
        let mut body = json!({
            "QueueUrl": self.queue_url,
            "MaxNumberOfMessages": self.max_messages,
            "WaitTimeSeconds": self.wait.as_secs(),
        });
        if let Some(v) = self.visibility {
            body["VisibilityTimeout"] = json!(v.as_secs());
        }
        let answer = self.call("ReceiveMessage", &body).await?;
        let parsed: ReceiveAnswer = crate::operation::decode_json(OP, &answer)?;
        Ok(parsed
            .messages
            .into_iter()
            .map(|m| {
                let notification = match &m.md5_of_body {
                    Some(sum) if !md5_matches(sum, m.body.as_bytes()) => Err(Error::Report {
                        operation: OP,
                        message: format!(
                            "message {}: MD5OfBody does not match its body",
                            m.message_id
                        ),
                    }),
                    _ => Notification::from_json(m.body.as_bytes()),
                };
                Delivery {
                    message_id: m.message_id,
                    receipt_handle: m.receipt_handle,
                    notification,
                }
            })
            .collect())
    }

    /// `DeleteMessage`: the delivery was handled.
    pub async fn delete(&self, delivery: &Delivery) -> Result<()> {
        self.call(
            "DeleteMessage",
            &json!({"QueueUrl": self.queue_url, "ReceiptHandle": delivery.receipt_handle}),
        )
        .await
        .map(|_| ())
    }

    /// `ChangeMessageVisibility`: keep the delivery hidden `timeout` longer (or make it
    /// visible again at once with zero).
    pub async fn change_visibility(&self, delivery: &Delivery, timeout: Duration) -> Result<()> {
        self.call(
            "ChangeMessageVisibility",
            &json!({"QueueUrl": self.queue_url, "ReceiptHandle": delivery.receipt_handle,
                    "VisibilityTimeout": timeout.as_secs()}),
        )
        .await
        .map(|_| ())
    }

    /// Receives forever, yielding each delivery. Delete each one once handled; one that is
    /// not comes back after its visibility timeout (at-least-once delivery).
    pub fn deliveries(&self) -> impl Stream<Item = Result<Delivery>> + Send + 'static {
        let this = self.clone();
        futures::stream::try_unfold(
            (this, std::collections::VecDeque::<Delivery>::new()),
            |(this, mut buffer)| async move {
                loop {
                    if let Some(d) = buffer.pop_front() {
                        return Ok(Some((d, (this, buffer))));
                    }
                    buffer.extend(this.receive().await?);
                }
            },
        )
    }

    async fn call(&self, action: &str, body: &serde_json::Value) -> Result<Vec<u8>> {
        let payload = serde_json::to_vec(body).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let now = self.clock.now_utc();
        let target = format!("AmazonSQS.{action}");
        let host = host_header(&self.endpoint)?;
        let amz_date = amz_date(now);
        let mut headers = vec![
            (
                "content-type".to_owned(),
                "application/x-amz-json-1.0".to_owned(),
            ),
            ("host".to_owned(), host),
            ("x-amz-date".to_owned(), amz_date.clone()),
            ("x-amz-target".to_owned(), target.clone()),
        ];
        if let Some(t) = &self.credentials.session_token {
            headers.push((
                "x-amz-security-token".to_owned(),
                t.expose_secret().to_owned(),
            ));
        }
        let authorization = sign_v4(
            &SigningInput {
                method: "POST",
                path: self.endpoint.path(),
                query: self.endpoint.query().unwrap_or(""),
                headers: &headers,
                payload: &payload,
            },
            &self.credentials,
            &self.region,
            "sqs",
            now,
        );
        let mut req = self
            .http
            .post(self.endpoint.clone())
            .header("authorization", authorization)
            .body(payload);
        for (k, v) in &headers {
            if k != "host" {
                req = req.header(k.as_str(), v.as_str());
            }
        }
        let resp = req.send().await.map_err(|e| Error::Document {
            operation: OP,
            status: None,
            message: format!("{action}: transport error: {}", e.without_url()),
        })?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(|e| Error::Document {
            operation: OP,
            status: Some(status),
            message: format!("{action}: {}", e.without_url()),
        })?;
        if (200..300).contains(&status) {
            return Ok(bytes.to_vec());
        }
        #[derive(Deserialize)]
        struct AwsError {
            #[serde(rename = "__type", default)]
            kind: String,
            #[serde(alias = "Message", default)]
            message: String,
        }
        let e: Option<AwsError> = serde_json::from_slice(&bytes).ok();
        let message = match e {
            Some(e) => format!(
                "{action}: {} {}",
                e.kind.rsplit('#').next().unwrap_or(&e.kind),
                e.message
            ),
            None => format!("{action}: refused"),
        };
        Err(Error::Document {
            operation: OP,
            status: Some(status),
            message,
        })
    }
}

fn md5_matches(expected_hex: &str, body: &[u8]) -> bool {
    use md5::Digest as _;
    hex(&md5::Md5::digest(body)).eq_ignore_ascii_case(expected_hex.trim())
}

fn host_header(url: &Url) -> Result<String> {
    let host = url
        .host_str()
        .ok_or_else(|| Error::Config("SQS endpoint has no host".into()))?;
    Ok(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    })
}

fn amz_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail for it.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// What Signature Version 4 signs.
struct SigningInput<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    /// Lower-case names; all of them are signed.
    headers: &'a [(String, String)],
    payload: &'a [u8],
}

/// The `Authorization` header of AWS Signature Version 4.
fn sign_v4(
    input: &SigningInput<'_>,
    credentials: &AwsCredentials,
    region: &str,
    service: &str,
    now: OffsetDateTime,
) -> String {
    let stamp = amz_date(now);
    let day = &stamp[..8];
    let mut headers: Vec<(String, String)> = input
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let path = if input.path.is_empty() {
        "/"
    } else {
        input.path
    };
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        input.method,
        path,
        input.query,
        canonical_headers,
        signed_headers,
        hex(&Sha256::digest(input.payload))
    );
    let scope = format!("{day}/{region}/{service}/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let secret = format!("AWS4{}", credentials.secret_access_key.expose_secret());
    let k_date = hmac(secret.as_bytes(), day.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    let signature = hex(&hmac(&k_signing, string_to_sign.as_bytes()));
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        credentials.access_key_id
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `get-vanilla` case of AWS's Signature Version 4 test suite.
    #[test]
    fn signs_the_get_vanilla_vector() {
        let creds = AwsCredentials::new(
            "AKIDEXAMPLE",
            SecretString::from("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        );
        let headers = vec![
            ("host".to_owned(), "example.amazonaws.com".to_owned()),
            ("x-amz-date".to_owned(), "20150830T123600Z".to_owned()),
        ];
        let auth = sign_v4(
            &SigningInput {
                method: "GET",
                path: "/",
                query: "",
                headers: &headers,
                payload: b"",
            },
            &creds,
            "us-east-1",
            "service",
            time::macros::datetime!(2015-08-30 12:36:00 UTC),
        );
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn debug_hides_the_secret() {
        let creds = AwsCredentials::new("AKID", SecretString::from("very-secret"))
            .session_token(SecretString::from("token-secret"));
        let s = format!("{creds:?}");
        assert!(
            !s.contains("very-secret") && !s.contains("token-secret"),
            "{s}"
        );
    }
}
