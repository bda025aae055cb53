//! Login with Amazon (LWA): credentials, token grants, the access-token cache and the
//! onboarding helpers (consent URL, authorization-code exchange).
//!
//! Grants:
//! * refresh token (`grant_type=refresh_token`): calls on behalf of one selling partner;
//! * client credentials (`grant_type=client_credentials` with a scope): grantless calls;
//! * authorization code (`grant_type=authorization_code`): turns the `spapi_oauth_code`
//!   Seller Central sends to your redirect URI into the seller's refresh token.
//!
//! Access tokens are cached per (LWA endpoint, client id, refresh token or scope) and
//! refreshed a margin before expiry; concurrent callers wait for one refresh in flight.

use crate::error::{Error, LwaErrorCode, LwaFailure, Result};
use crate::retry::{Backoff, RetryConfig};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;
use url::Url;

/// Credentials for calls on behalf of a selling partner (the refresh-token grant).
#[derive(Clone)]
pub struct LwaCredentials {
    /// The LWA client id of your application (`amzn1.application-oa2-client.…`).
    pub client_id: String,
    /// The LWA client secret.
    pub client_secret: SecretString,
    /// The selling partner's refresh token (`Atzr|…`), one per (seller, region).
    pub refresh_token: SecretString,
}

impl std::fmt::Debug for LwaCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LwaCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .finish()
    }
}

/// Your application's LWA client id and secret (grantless calls, code exchange).
#[derive(Clone)]
pub struct AppCredentials {
    /// The LWA client id.
    pub client_id: String,
    /// The LWA client secret.
    pub client_secret: SecretString,
}

impl std::fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// Scopes of the client-credentials (grantless) grant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GrantlessScope {
    /// `sellingpartnerapi::notifications` (destinations, subscriptions by id).
    Notifications,
    /// `sellingpartnerapi::client_credential:rotation` (rotate the client secret).
    ClientCredentialRotation,
    /// Any other scope string.
    Custom(String),
}

impl GrantlessScope {
    /// The scope string sent to LWA.
    pub fn as_str(&self) -> &str {
        match self {
            GrantlessScope::Notifications => "sellingpartnerapi::notifications",
            GrantlessScope::ClientCredentialRotation => {
                "sellingpartnerapi::client_credential:rotation"
            }
            GrantlessScope::Custom(s) => s,
        }
    }
}

/// How a client obtains its access tokens.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Credentials {
    /// Seller-authorized calls (refresh-token grant).
    RefreshToken(LwaCredentials),
    /// Grantless calls (client-credentials grant with a scope).
    Grantless {
        /// Application credentials.
        app: AppCredentials,
        /// Requested scope.
        scope: GrantlessScope,
    },
}

impl Credentials {
    pub(crate) fn client_id(&self) -> &str {
        match self {
            Credentials::RefreshToken(c) => &c.client_id,
            Credentials::Grantless { app, .. } => &app.client_id,
        }
    }

    /// A fingerprint of the authorization (refresh token or scope). Identifies the selling
    /// partner × application pair for caches and rate limits without keeping the secret.
    pub(crate) fn subject(&self) -> u64 {
        let mut h = DefaultHasher::new();
        match self {
            Credentials::RefreshToken(c) => {
                "refresh".hash(&mut h);
                c.refresh_token.expose_secret().hash(&mut h);
            }
            Credentials::Grantless { scope, .. } => {
                "scope".hash(&mut h);
                scope.as_str().hash(&mut h);
            }
        }
        h.finish()
    }

    fn form(&self) -> Vec<(&'static str, String)> {
        match self {
            Credentials::RefreshToken(c) => vec![
                ("grant_type", "refresh_token".into()),
                ("refresh_token", c.refresh_token.expose_secret().to_owned()),
                ("client_id", c.client_id.clone()),
                ("client_secret", c.client_secret.expose_secret().to_owned()),
            ],
            Credentials::Grantless { app, scope } => vec![
                ("grant_type", "client_credentials".into()),
                ("scope", scope.as_str().to_owned()),
                ("client_id", app.client_id.clone()),
                (
                    "client_secret",
                    app.client_secret.expose_secret().to_owned(),
                ),
            ],
        }
    }
}

/// A successful LWA token response.
#[derive(Debug)]
#[non_exhaustive]
pub struct LwaTokens {
    /// The access token (send as `x-amz-access-token`).
    pub access_token: SecretString,
    /// The refresh token (echoed for the refresh grant; new for the code exchange).
    pub refresh_token: Option<SecretString>,
    /// `bearer`.
    pub token_type: String,
    /// Lifetime of the access token (normally one hour).
    pub expires_in: Duration,
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

fn form_body(fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                crate::operation::encode_component(k),
                crate::operation::encode_component(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn post_once(
    http: &reqwest::Client,
    endpoint: &Url,
    body: String,
    timeout: Option<Duration>,
) -> Result<LwaTokens> {
    let request = http
        .post(endpoint.clone())
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded;charset=UTF-8",
        )
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body);
    let exchange = async {
        let resp = request.send().await.map_err(|e| Error::Transport {
            operation: "lwa",
            not_sent: e.is_connect(),
            source: e,
        })?;
        let status = resp.status().as_u16();
        let request_id = resp
            .headers()
            .get("x-amzn-RequestId")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = resp.bytes().await.map_err(|e| Error::Transport {
            operation: "lwa",
            not_sent: false,
            source: e,
        })?;
        Ok::<_, Error>((status, request_id, bytes))
    };
    let (status, request_id, bytes) = match timeout {
        Some(t) => tokio::time::timeout(t, exchange)
            .await
            .map_err(|_| Error::Timeout {
                operation: "lwa",
                after: t,
            })??,
        None => exchange.await?,
    };
    if (200..300).contains(&status) {
        let body: TokenBody = serde_json::from_slice(&bytes).map_err(|source| Error::Decode {
            operation: "lwa",
            path: ".".into(),
            request_id: request_id.clone(),
            source,
        })?;
        return Ok(LwaTokens {
            access_token: SecretString::from(body.access_token),
            refresh_token: body.refresh_token.map(SecretString::from),
            token_type: body.token_type.unwrap_or_else(|| "bearer".into()),
            expires_in: Duration::from_secs(body.expires_in.unwrap_or(3600)),
        });
    }
    let (code, description) = match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(b) => (LwaErrorCode::parse(&b.error), b.error_description),
        Err(_) => (LwaErrorCode::Unknown(format!("http_{status}")), None),
    };
    Err(Error::Lwa(Box::new(LwaFailure {
        code,
        description,
        status,
        request_id,
    })))
}

/// Posts a token request, retrying transient failures (5xx, `temporarily_unavailable`,
/// timeouts, connection errors) with back-off; at most 3 attempts.
pub(crate) async fn request_tokens(
    http: &reqwest::Client,
    endpoint: &Url,
    fields: &[(&str, String)],
    retry: &RetryConfig,
) -> Result<LwaTokens> {
    let body = form_body(fields);
    let mut backoff = Backoff::new(retry.backoff);
    let attempts = retry.max_retries.min(2) + 1;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match post_once(http, endpoint, body.clone(), retry.attempt_timeout).await {
            Ok(t) => return Ok(t),
            Err(e) if attempt < attempts && e.kind().is_retryable() => {
                let delay = backoff.next_delay();
                tracing::debug!(attempt, ?delay, error = %e, "retrying LWA token request");
                tokio::time::sleep(delay).await;
            }
            Err(e) => return Err(e),
        }
    }
}

pub(crate) async fn fetch_access_token(
    http: &reqwest::Client,
    endpoint: &Url,
    credentials: &Credentials,
    retry: &RetryConfig,
) -> Result<LwaTokens> {
    request_tokens(http, endpoint, &credentials.form(), retry).await
}

/// The Seller Central page where a seller authorizes your application (website flow).
///
/// `seller_central` is the Seller Central base URL of the seller's marketplace (for
/// example `https://sellercentral.amazon.com` or `https://sellercentral-europe.amazon.com`);
/// `state` is your anti-CSRF value, echoed back to your redirect URI; `beta` adds
/// `version=beta` for an application still in draft/beta.
///
/// ```
/// let base = url::Url::parse("https://sellercentral.amazon.com").unwrap();
/// let url = spapi_client::lwa::authorization_url(&base, "amzn1.sp.solution.abc", "st-1", true);
/// assert_eq!(
///     url.as_str(),
///     "https://sellercentral.amazon.com/apps/authorize/consent?application_id=amzn1.sp.solution.abc&state=st-1&version=beta"
/// );
/// ```
pub fn authorization_url(
    seller_central: &Url,
    application_id: &str,
    state: &str,
    beta: bool,
) -> Url {
    let mut url = seller_central.clone();
    url.set_path("/apps/authorize/consent");
    url.set_query(None);
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("application_id", application_id);
        q.append_pair("state", state);
        if beta {
            q.append_pair("version", "beta");
        }
    }
    url
}

/// Exchanges the `spapi_oauth_code` that Seller Central sent to your redirect URI for the
/// seller's refresh token (`grant_type=authorization_code`). The code is valid for five
/// minutes. `lwa_endpoint` defaults to Amazon's token endpoint.
///
/// An expired or reused code fails with [`Error::Lwa`] and
/// [`LwaErrorCode::InvalidGrant`].
///
/// ```no_run
/// # async fn doc() -> spapi_client::Result<()> {
/// use spapi_client::lwa::{self, AppCredentials};
/// use secrecy::{ExposeSecret, SecretString};
/// let app = AppCredentials { client_id: "id".into(), client_secret: SecretString::from("secret") };
/// // `spapi_oauth_code` from the query of your redirect URI.
/// let tokens = lwa::exchange_authorization_code(&app, "ANDMxqpCmqWHJeyzdbMH", None, None).await?;
/// let refresh_token = tokens.refresh_token.map(|t| t.expose_secret().to_owned());
/// # let _ = refresh_token;
/// # Ok(()) }
/// ```
pub async fn exchange_authorization_code(
    app: &AppCredentials,
    code: &str,
    redirect_uri: Option<&str>,
    lwa_endpoint: Option<&Url>,
) -> Result<LwaTokens> {
    let default;
    let endpoint = match lwa_endpoint {
        Some(u) => {
            crate::region::check_endpoint(u).map_err(Error::Config)?;
            u
        }
        None => {
            default = Url::parse(crate::region::LWA_TOKEN_ENDPOINT)
                .map_err(|e| Error::Config(e.to_string()))?;
            &default
        }
    };
    let http = reqwest::Client::builder()
        .user_agent(crate::user_agent::build(None).map_err(Error::Config)?)
        .build()
        .map_err(|e| Error::Config(e.to_string()))?;
    let mut fields = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("code", code.to_owned()),
        ("client_id", app.client_id.clone()),
        (
            "client_secret",
            app.client_secret.expose_secret().to_owned(),
        ),
    ];
    if let Some(r) = redirect_uri {
        fields.push(("redirect_uri", r.to_owned()));
    }
    request_tokens(&http, endpoint, &fields, &RetryConfig::default()).await
}

struct Cached {
    token: SecretString,
    /// Instant after which the token is no longer handed out (expiry minus margin).
    use_until: Instant,
}

#[derive(Default)]
struct Slot {
    current: Mutex<Option<Cached>>,
    refresh: tokio::sync::Mutex<()>,
}

impl Slot {
    fn fresh(&self) -> Option<SecretString> {
        let guard = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        guard
            .as_ref()
            .filter(|c| Instant::now() < c.use_until)
            .map(|c| c.token.clone())
    }
}

/// A cache of access tokens (or restricted data tokens) with single-flight refresh.
///
/// Cheap to clone; clones share entries. Pass one to several clients with
/// [`ClientBuilder::token_cache`](crate::ClientBuilder::token_cache) to share tokens.
#[derive(Clone, Default)]
pub struct TokenCache {
    slots: Arc<Mutex<HashMap<String, Arc<Slot>>>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.slots.lock().map(|s| s.len()).unwrap_or(0);
        f.debug_struct("TokenCache").field("entries", &n).finish()
    }
}

impl TokenCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(&self, key: &str) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.entry(key.to_owned()).or_default().clone()
    }

    /// Returns a token that stays valid for at least `margin` (or half its lifetime, if
    /// shorter), calling `fetch` at most once across concurrent callers.
    pub(crate) async fn get<F, Fut>(
        &self,
        key: &str,
        margin: Duration,
        fetch: F,
    ) -> Result<SecretString>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(SecretString, Duration)>>,
    {
        let slot = self.slot(key);
        if let Some(t) = slot.fresh() {
            return Ok(t);
        }
        let _gate = slot.refresh.lock().await;
        // Someone else may have refreshed while we waited for the gate.
        if let Some(t) = slot.fresh() {
            return Ok(t);
        }
        let started = Instant::now();
        let (token, ttl) = fetch().await?;
        // Count the lifetime from before the request; short-lived tokens keep half their
        // lifetime usable.
        let use_until = started + ttl - margin.min(ttl / 2);
        *slot.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(Cached {
            token: token.clone(),
            use_until,
        });
        Ok(token)
    }

    /// Stores a token fetched elsewhere (one RDT minted for several resources is stored
    /// under each resource's key), with the same margin rule as [`get`](Self::get).
    pub(crate) fn put(
        &self,
        key: &str,
        token: SecretString,
        ttl: Duration,
        margin: Duration,
        fetched_at: Instant,
    ) {
        let slot = self.slot(key);
        let use_until = fetched_at + ttl - margin.min(ttl / 2);
        *slot.current.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(Cached { token, use_until });
    }

    /// Forgets a cached token (after Amazon said it expired or is invalid).
    pub(crate) fn invalidate(&self, key: &str) {
        let slot = self.slot(key);
        *slot.current.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}
