//! The client: one value that executes every operation (auth, rate limit, retry, decode).

use crate::clock::{Clock, SystemClock};
use crate::error::{ApiError, ApiFailure, Error, Result};
use crate::lwa::{self, AppCredentials, Credentials, GrantlessScope, LwaCredentials, TokenCache};
use crate::operation::{
    ApplicationLimit, Method, Operation, OperationInfo, RequestContext, RequestParts, ThrottleScope,
};
use crate::rate_limit::{PartitionKey, RateLimiter};
use crate::region::{self, Region};
use crate::retry::{Backoff, RetryConfig};
use crate::tokens::{CreateRestrictedDataTokenRequest, RestrictedResource};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

/// The SP-API client. Cheap to clone (`Arc` inside); clones share the token cache and the
/// rate-limit buckets.
///
/// Build one per (selling partner, region) with [`Client::builder`].
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    endpoint: Url,
    /// Where `createRestrictedDataToken` goes: production even for the static sandbox.
    rdt_endpoint: Url,
    lwa_endpoint: Url,
    credentials: Credentials,
    subject: u64,
    retry: RetryConfig,
    limiter: RateLimiter,
    tokens: TokenCache,
    rdts: TokenCache,
    refresh_margin: Duration,
    clock: Arc<dyn Clock>,
    user_agent: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint.as_str())
            .field("client_id", &self.inner.credentials.client_id())
            .field("user_agent", &self.inner.user_agent)
            .finish_non_exhaustive()
    }
}

/// Builder for [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    credentials: Option<Credentials>,
    region: Region,
    sandbox: bool,
    endpoint: Option<String>,
    rdt_endpoint: Option<String>,
    lwa_endpoint: Option<String>,
    retry: RetryConfig,
    limiter: Option<RateLimiter>,
    tokens: Option<TokenCache>,
    refresh_margin: Duration,
    clock: Option<Arc<dyn Clock>>,
    app: Option<(String, String)>,
    http: Option<reqwest::Client>,
    connect_timeout: Option<Duration>,
    pool_idle_timeout: Option<Duration>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            credentials: None,
            region: Region::Na,
            sandbox: false,
            endpoint: None,
            rdt_endpoint: None,
            lwa_endpoint: None,
            retry: RetryConfig::default(),
            limiter: None,
            tokens: None,
            refresh_margin: Duration::from_secs(60),
            clock: None,
            app: None,
            http: None,
            connect_timeout: Some(Duration::from_secs(10)),
            pool_idle_timeout: Some(Duration::from_secs(90)),
        }
    }
}

impl ClientBuilder {
    /// Seller-authorized credentials (refresh-token grant).
    pub fn credentials(mut self, credentials: LwaCredentials) -> Self {
        self.credentials = Some(Credentials::RefreshToken(credentials));
        self
    }

    /// Grantless credentials (client-credentials grant with `scope`).
    ///
    /// ```no_run
    /// use spapi_client::lwa::{AppCredentials, GrantlessScope};
    /// use secrecy::SecretString;
    /// let client = spapi_client::Client::builder()
    ///     .grantless(
    ///         AppCredentials { client_id: "id".into(), client_secret: SecretString::from("secret") },
    ///         GrantlessScope::Notifications,
    ///     )
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), spapi_client::Error>(())
    /// ```
    pub fn grantless(mut self, app: AppCredentials, scope: GrantlessScope) -> Self {
        self.credentials = Some(Credentials::Grantless { app, scope });
        self
    }

    /// The region whose endpoint to call (default NA).
    pub fn region(mut self, region: Region) -> Self {
        self.region = region;
        self
    }

    /// Use the region's static sandbox endpoint instead of production.
    ///
    /// Restricted data tokens still come from the region's *production* endpoint, as
    /// Amazon requires (the sandbox does not mint them); change that with
    /// [`rdt_endpoint`](Self::rdt_endpoint).
    pub fn sandbox(mut self, sandbox: bool) -> Self {
        self.sandbox = sandbox;
        self
    }

    /// A custom SP-API endpoint (a local sandbox, a mock). `http` is accepted only for
    /// loopback hosts. Overrides [`region`](Self::region) and [`sandbox`](Self::sandbox).
    ///
    /// ```no_run
    /// use spapi_client::{Client, LwaCredentials};
    /// use secrecy::SecretString;
    /// let client = Client::builder()
    ///     .credentials(LwaCredentials {
    ///         client_id: "id".into(),
    ///         client_secret: SecretString::from("secret"),
    ///         refresh_token: SecretString::from("Atzr|token"),
    ///     })
    ///     .endpoint("http://127.0.0.1:8080")
    ///     .lwa_endpoint("http://127.0.0.1:8080/auth/o2/token")
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), spapi_client::Error>(())
    /// ```
    pub fn endpoint(mut self, url: impl AsRef<str>) -> Self {
        self.endpoint = Some(url.as_ref().to_owned());
        self
    }

    /// Where `createRestrictedDataToken` is called (the base URL, like
    /// [`endpoint`](Self::endpoint)). Default: the region's production endpoint, also with
    /// [`sandbox(true)`](Self::sandbox); with a custom [`endpoint`](Self::endpoint), that
    /// endpoint.
    ///
    /// ```no_run
    /// use spapi_client::{Client, LwaCredentials, Region};
    /// use secrecy::SecretString;
    /// let client = Client::builder()
    ///     .credentials(LwaCredentials {
    ///         client_id: "id".into(),
    ///         client_secret: SecretString::from("secret"),
    ///         refresh_token: SecretString::from("Atzr|token"),
    ///     })
    ///     .region(Region::Eu)
    ///     .sandbox(true)
    ///     .rdt_endpoint("https://sellingpartnerapi-eu.amazon.com")
    ///     .build()?;
    /// assert_eq!(client.rdt_endpoint().as_str(), "https://sellingpartnerapi-eu.amazon.com/");
    /// # Ok::<(), spapi_client::Error>(())
    /// ```
    pub fn rdt_endpoint(mut self, url: impl AsRef<str>) -> Self {
        self.rdt_endpoint = Some(url.as_ref().to_owned());
        self
    }

    /// A custom LWA token endpoint (full URL, e.g. `http://127.0.0.1:9000/auth/o2/token`).
    pub fn lwa_endpoint(mut self, url: impl AsRef<str>) -> Self {
        self.lwa_endpoint = Some(url.as_ref().to_owned());
        self
    }

    /// Retry policy.
    ///
    /// ```no_run
    /// use spapi_client::RetryConfig;
    /// use std::time::Duration;
    /// let retry = RetryConfig {
    ///     max_retries: 8,
    ///     retry_timeout: Duration::from_secs(600),
    ///     // Fail fast (as Throttled) instead of queueing behind a slow operation.
    ///     max_rate_limit_wait: Some(Duration::from_secs(30)),
    ///     ..RetryConfig::default()
    /// };
    /// # let _ = retry;
    /// ```
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Share rate-limit buckets with other clients (default: a registry of this client and
    /// its clones only).
    ///
    /// ```no_run
    /// use spapi_client::{RateLimit, RateLimiter};
    /// // One registry for every client of this process; a higher plan granted by Amazon for getOrders.
    /// let shared = RateLimiter::new().override_limit("getOrders", RateLimit::new(0.0334, 20));
    /// # let _ = shared;
    /// ```
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Share access tokens with other clients.
    pub fn token_cache(mut self, cache: TokenCache) -> Self {
        self.tokens = Some(cache);
        self
    }

    /// Refresh access tokens this long before they expire (default 60 s).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// The wall clock used to clamp "before" bounds (default: system time).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Name your application in the User-Agent: `name/version (Language=Rust; ...)`.
    pub fn user_agent_app(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.app = Some((name.into(), version.into()));
        self
    }

    /// Use this reqwest client (its own timeouts and pool settings apply).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// How long idle pooled connections are kept (`None`: forever). Default 90 s.
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// Connection timeout (`None`: none). Default 10 s.
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let credentials = self.credentials.ok_or_else(|| {
            Error::Config("no credentials: call .credentials() or .grantless()".into())
        })?;
        if credentials.client_id().trim().is_empty() {
            return Err(Error::Config("LWA client id is empty".into()));
        }
        let endpoint_str = match &self.endpoint {
            Some(e) => e.clone(),
            None if self.sandbox => self.region.sandbox_endpoint().to_owned(),
            None => self.region.endpoint().to_owned(),
        };
        let endpoint = Url::parse(&endpoint_str)
            .map_err(|e| Error::Config(format!("endpoint {endpoint_str:?}: {e}")))?;
        region::check_endpoint(&endpoint).map_err(Error::Config)?;
        let rdt_endpoint = match (&self.rdt_endpoint, &self.endpoint) {
            (Some(e), _) => {
                Url::parse(e).map_err(|err| Error::Config(format!("RDT endpoint {e:?}: {err}")))?
            }
            (None, Some(_)) => endpoint.clone(),
            (None, None) => Url::parse(self.region.endpoint())
                .map_err(|err| Error::Config(format!("RDT endpoint: {err}")))?,
        };
        region::check_endpoint(&rdt_endpoint).map_err(Error::Config)?;
        let lwa_str = self
            .lwa_endpoint
            .unwrap_or_else(|| region::LWA_TOKEN_ENDPOINT.to_owned());
        let lwa_endpoint = Url::parse(&lwa_str)
            .map_err(|e| Error::Config(format!("LWA endpoint {lwa_str:?}: {e}")))?;
        region::check_endpoint(&lwa_endpoint).map_err(Error::Config)?;
        let user_agent =
            crate::user_agent::build(self.app.as_ref().map(|(n, v)| (n.as_str(), v.as_str())))
                .map_err(Error::Config)?;
        let http = match self.http {
            Some(h) => h,
            None => {
                let mut b = reqwest::Client::builder()
                    .user_agent(user_agent.clone())
                    .pool_idle_timeout(self.pool_idle_timeout);
                if let Some(t) = self.connect_timeout {
                    b = b.connect_timeout(t);
                }
                b.build()
                    .map_err(|e| Error::Config(format!("HTTP client: {e}")))?
            }
        };
        let subject = credentials.subject();
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                endpoint,
                rdt_endpoint,
                lwa_endpoint,
                credentials,
                subject,
                retry: self.retry,
                limiter: self.limiter.unwrap_or_default(),
                tokens: self.tokens.unwrap_or_default(),
                rdts: TokenCache::new(),
                refresh_margin: self.refresh_margin,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
                user_agent,
            }),
        })
    }
}

/// A raw answer from one HTTP exchange.
struct Answer {
    status: u16,
    request_id: Option<String>,
    error_type: Option<String>,
    /// `Retry-After` in seconds, when sent (SP-API does not document it; obeyed if present).
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    #[serde(default)]
    errors: Option<Vec<ApiError>>,
}

enum TokenSource<'a> {
    Lwa,
    Rdt(&'a RestrictedResource),
}

impl Client {
    /// Starts a builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The endpoint this client calls.
    pub fn endpoint(&self) -> &Url {
        &self.inner.endpoint
    }

    /// The endpoint `createRestrictedDataToken` is called on (see
    /// [`ClientBuilder::rdt_endpoint`]).
    pub fn rdt_endpoint(&self) -> &Url {
        &self.inner.rdt_endpoint
    }

    /// The User-Agent this client sends.
    pub fn user_agent(&self) -> &str {
        &self.inner.user_agent
    }

    /// The rate-limit registry (shared by clones).
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    /// The current wall-clock time of the client's [`Clock`].
    pub fn now(&self) -> time::OffsetDateTime {
        self.inner.clock.now_utc()
    }

    /// Orders API v0 (PascalCase, `payload` envelope; reads deprecated, writes current).
    pub fn orders_v0(&self) -> crate::orders_v0::OrdersV0 {
        crate::orders_v0::OrdersV0 {
            client: self.clone(),
        }
    }

    /// Orders API v2026-01-01 (`searchOrders`, `getOrder`).
    pub fn orders_v2026(&self) -> crate::orders_v2026::OrdersV2026 {
        crate::orders_v2026::OrdersV2026 {
            client: self.clone(),
        }
    }

    /// Sellers API v1.
    pub fn sellers(&self) -> crate::sellers::SellersApi {
        crate::sellers::SellersApi {
            client: self.clone(),
        }
    }

    /// Feeds API 2021-06-30 (documents, feeds, [`submit_feed`](crate::feeds::FeedsApi::submit_feed)).
    pub fn feeds(&self) -> crate::feeds::FeedsApi {
        crate::feeds::FeedsApi {
            client: self.clone(),
        }
    }

    /// Listings Items API 2021-08-01.
    pub fn listings(&self) -> crate::listings::ListingsApi {
        crate::listings::ListingsApi {
            client: self.clone(),
        }
    }

    /// Notifications API v1 (destinations and subscriptions).
    pub fn notifications(&self) -> crate::notifications::NotificationsApi {
        crate::notifications::NotificationsApi {
            client: self.clone(),
        }
    }

    /// Reports API 2021-06-30.
    pub fn reports(&self) -> crate::reports::ReportsApi {
        crate::reports::ReportsApi {
            client: self.clone(),
        }
    }

    /// Tokens API 2021-03-01.
    pub fn tokens(&self) -> crate::tokens::TokensApi {
        crate::tokens::TokensApi {
            client: self.clone(),
        }
    }

    /// The base URL an operation is sent to.
    fn base_for(&self, operation: &str) -> &Url {
        if operation == crate::tokens::CREATE_RESTRICTED_DATA_TOKEN.name {
            &self.inner.rdt_endpoint
        } else {
            &self.inner.endpoint
        }
    }

    fn partition(&self, operation: &str) -> PartitionKey {
        PartitionKey {
            application: self.inner.credentials.client_id().to_owned(),
            partner: self.inner.subject,
            endpoint: self.base_for(operation).as_str().to_owned(),
            operation: operation.to_owned(),
        }
    }

    /// How long the next call of `operation` (its `operationId`, e.g. `"getOrders"`) would
    /// wait for rate-limit capacity right now: its bucket for this selling partner, and
    /// the application-wide bucket of the same name where there is one (Listings). Zero
    /// when it could go at once.
    ///
    /// ```no_run
    /// # fn doc(client: spapi_client::Client) {
    /// let wait = client.wait_time("searchOrders");
    /// if wait > std::time::Duration::from_secs(60) {
    ///     println!("next searchOrders call would wait {wait:?}; do something else first");
    /// }
    /// # }
    /// ```
    pub fn wait_time(&self, operation: &str) -> Duration {
        // An operation with an application-wide limit (Listings) has a bucket of that
        // name shared by all sellers of the application: the call waits for both.
        let app = PartitionKey {
            application: self.inner.credentials.client_id().to_owned(),
            partner: 0,
            endpoint: self.inner.endpoint.as_str().to_owned(),
            operation: format!("app:{operation}"),
        };
        self.inner
            .limiter
            .wait_time(&self.partition(operation))
            .max(self.inner.limiter.wait_time(&app))
    }

    /// The (rate, burst) the client currently applies to `operation`, once it has been
    /// called at least once (rates adapt to `x-amzn-RateLimit-Limit` and 429s).
    pub fn current_rate_limit(&self, operation: &str) -> Option<crate::RateLimit> {
        self.inner.limiter.current(&self.partition(operation))
    }

    /// Executes any [`Operation`]: builds the request, gets a token (LWA or RDT), waits for
    /// rate-limit capacity, sends, retries per the [`RetryConfig`], decodes.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::sellers::GetMarketplaceParticipations;
    /// let participations = client.execute(&GetMarketplaceParticipations).await?;
    /// # let _ = participations;
    /// # Ok(()) }
    /// ```
    pub async fn execute<O: Operation>(&self, op: &O) -> Result<O::Output> {
        let ctx = RequestContext {
            now: self.inner.clock.now_utc(),
        };
        let parts = op.to_request(&ctx)?;
        let info = op.info();
        let span = tracing::info_span!(
            "spapi.call",
            operation = info.name,
            method = parts.method.as_str(),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let app_limits = op.application_limits();
        let answer = self
            .send_with_retries(info, &parts, &app_limits)
            .instrument(span)
            .await?;
        op.decode(answer.status, &answer.body).map_err(|e| match e {
            Error::Decode {
                operation,
                path,
                source,
                ..
            } => Error::Decode {
                operation,
                path,
                source,
                request_id: answer.request_id.clone(),
            },
            Error::Api(mut f) => {
                if f.request_id.is_none() {
                    f.request_id = answer.request_id.clone();
                }
                Error::Api(f)
            }
            other => other,
        })
    }

    async fn access_token(&self) -> Result<SecretString> {
        let inner = &self.inner;
        let key = format!(
            "lwa|{}|{}|{:x}",
            inner.lwa_endpoint,
            inner.credentials.client_id(),
            inner.subject
        );
        inner
            .tokens
            .get(&key, inner.refresh_margin, || async {
                let t = lwa::fetch_access_token(
                    &inner.http,
                    &inner.lwa_endpoint,
                    &inner.credentials,
                    &inner.retry,
                )
                .await?;
                tracing::debug!(expires_in = ?t.expires_in, "fetched LWA access token");
                Ok((t.access_token, t.expires_in))
            })
            .await
    }

    fn rdt_key(&self, resource: &RestrictedResource) -> String {
        format!(
            "rdt|{}|{}|{:x}|{}",
            self.inner.rdt_endpoint,
            self.inner.credentials.client_id(),
            self.inner.subject,
            RestrictedResource::cache_key(std::slice::from_ref(resource))
        )
    }

    fn restricted_token<'a>(
        &'a self,
        resource: &'a RestrictedResource,
    ) -> Pin<Box<dyn Future<Output = Result<SecretString>> + Send + 'a>> {
        Box::pin(async move {
            let key = self.rdt_key(resource);
            self.inner
                .rdts
                .get(&key, self.inner.refresh_margin, || async {
                    let req = CreateRestrictedDataTokenRequest::new(vec![resource.clone()]);
                    let rdt = self.execute(&req).await?;
                    tracing::debug!(path = %resource.path, "fetched restricted data token");
                    let ttl = rdt.lifetime();
                    Ok((rdt.restricted_data_token, ttl))
                })
                .await
        })
    }

    /// Mints **one** restricted data token covering up to 50 `resources` and caches it
    /// for each of them: the next calls of those operations (e.g. `getOrder`,
    /// `getOrderAddress` and `getOrderItems` with buyer info for one order) use it
    /// instead of minting one RDT each. Returns how long the token lives.
    ///
    /// Resources are matched as the operations request them: generic paths
    /// (`/orders/v0/orders/{orderId}`) and their data elements, in any order.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::orders_v0::GetOrder;
    /// use spapi_client::tokens::{DataElement, RestrictedResource};
    /// client
    ///     .mint_restricted_data_token(vec![
    ///         RestrictedResource::get("/orders/v0/orders/{orderId}", vec![DataElement::BuyerInfo, DataElement::ShippingAddress]),
    ///         RestrictedResource::get("/orders/v0/orders/{orderId}/orderItems", vec![DataElement::BuyerInfo]),
    ///         RestrictedResource::get("/orders/v0/orders/{orderId}/address", vec![]),
    ///     ])
    ///     .await?;
    /// // Uses the token minted above.
    /// let order = client.orders_v0().get_order(GetOrder::new("902-1845936-5435065")
    ///     .data_elements(vec![DataElement::ShippingAddress, DataElement::BuyerInfo])).await?;
    /// # let _ = order;
    /// # Ok(()) }
    /// ```
    pub async fn mint_restricted_data_token(
        &self,
        resources: Vec<RestrictedResource>,
    ) -> Result<Duration> {
        let fetched_at = Instant::now();
        let req = CreateRestrictedDataTokenRequest::new(resources);
        let rdt = self.execute(&req).await?;
        let ttl = rdt.lifetime();
        tracing::debug!(
            resources = req.restricted_resources.len(),
            "fetched one restricted data token for several resources"
        );
        for r in &req.restricted_resources {
            self.inner.rdts.put(
                &self.rdt_key(r),
                rdt.restricted_data_token.clone(),
                ttl,
                self.inner.refresh_margin,
                fetched_at,
            );
        }
        Ok(ttl)
    }

    async fn token(&self, source: &TokenSource<'_>) -> Result<SecretString> {
        match source {
            TokenSource::Lwa => self.access_token().await,
            TokenSource::Rdt(r) => self.restricted_token(r).await,
        }
    }

    fn invalidate(&self, source: &TokenSource<'_>) {
        let inner = &self.inner;
        match source {
            TokenSource::Lwa => inner.tokens.invalidate(&format!(
                "lwa|{}|{}|{:x}",
                inner.lwa_endpoint,
                inner.credentials.client_id(),
                inner.subject
            )),
            TokenSource::Rdt(r) => inner.rdts.invalidate(&self.rdt_key(r)),
        }
    }

    fn url(&self, info: &OperationInfo, parts: &RequestParts) -> Result<Url> {
        let mut url = self.base_for(info.name).clone();
        let base = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base}{}", parts.path));
        if parts.query.is_empty() {
            url.set_query(None);
        } else {
            url.set_query(Some(&parts.encoded_query()));
        }
        Ok(url)
    }

    /// The application-wide bucket of `limit`: the same for every seller of the
    /// application on this endpoint.
    fn app_partition(&self, limit: &ApplicationLimit) -> PartitionKey {
        PartitionKey {
            application: self.inner.credentials.client_id().to_owned(),
            partner: 0,
            endpoint: self.inner.endpoint.as_str().to_owned(),
            operation: format!("app:{}", limit.name),
        }
    }

    /// How long until every bucket of a call has capacity.
    fn capacity_wait(
        &self,
        key: &PartitionKey,
        apps: &[(PartitionKey, ApplicationLimit)],
    ) -> Duration {
        apps.iter()
            .map(|(k, _)| self.inner.limiter.wait_time(k))
            .fold(self.inner.limiter.wait_time(key), Duration::max)
    }

    /// Reserves one token in the per-seller bucket and in each application bucket; the
    /// call may go when all have granted theirs (the longest wait). `Err(wait)` when a
    /// wait would pass `max_wait` (tokens already granted by earlier buckets stay spent).
    fn reserve_all(
        &self,
        key: &PartitionKey,
        seed: crate::RateLimit,
        apps: &[(PartitionKey, ApplicationLimit)],
        max_wait: Option<Duration>,
    ) -> std::result::Result<Duration, Duration> {
        let limiter = &self.inner.limiter;
        let mut wait = limiter.reserve(key, seed, max_wait)?;
        for (k, a) in apps {
            wait = wait.max(limiter.reserve(k, a.limit, max_wait)?);
        }
        Ok(wait)
    }

    /// A 429 slows down the bucket whose limit it names: an application bucket of this
    /// call when the message names its scope, else the per-seller bucket.
    fn observe_throttle(
        &self,
        info: &'static OperationInfo,
        key: &PartitionKey,
        apps: &[(PartitionKey, ApplicationLimit)],
        scope: Option<ThrottleScope>,
    ) {
        let limiter = &self.inner.limiter;
        let named: Vec<&(PartitionKey, ApplicationLimit)> = match scope {
            Some(ThrottleScope::SellingPartner) | None => Vec::new(),
            Some(s) => apps.iter().filter(|(_, a)| a.scope == s).collect(),
        };
        if named.is_empty() {
            limiter.observe(key, info.limit, 429, None);
        } else {
            for (k, a) in named {
                limiter.observe(k, a.limit, 429, None);
            }
        }
    }

    async fn send_with_retries(
        &self,
        info: &'static OperationInfo,
        parts: &RequestParts,
        app_limits: &[ApplicationLimit],
    ) -> Result<Answer> {
        let inner = &self.inner;
        let cfg = inner.retry;
        let key = self.partition(info.name);
        let apps: Vec<(PartitionKey, ApplicationLimit)> = app_limits
            .iter()
            .map(|a| (self.app_partition(a), *a))
            .collect();
        let url = self.url(info, parts)?;
        let body = match &parts.body {
            Some(v) => {
                Some(serde_json::to_vec(v).map_err(|e| Error::InvalidRequest(e.to_string()))?)
            }
            None => None,
        };
        let source = match &parts.restricted {
            Some(r) => TokenSource::Rdt(r),
            None => TokenSource::Lwa,
        };
        let mut backoff = Backoff::new(cfg.backoff);
        let deadline_after = cfg.deadline_for(info.limit);
        let mut started: Option<Instant> = None;
        let mut attempt: u32 = 0;
        let mut refreshed_token = false;
        let mut last_err: Option<Error> = None;
        loop {
            attempt += 1;
            // Before the first send, waiting for capacity is queueing (bounded only by
            // `max_rate_limit_wait`). Before a retry, the wait counts against the deadline.
            let max_wait = match started {
                None => cfg.max_rate_limit_wait,
                Some(s) => {
                    let left = deadline_after.saturating_sub(s.elapsed());
                    Some(cfg.max_rate_limit_wait.map_or(left, |m| m.min(left)))
                }
            };
            match self.reserve_all(&key, info.limit, &apps, max_wait) {
                Ok(wait) if !wait.is_zero() => {
                    tracing::debug!(?wait, "waiting for rate-limit capacity");
                    tokio::time::sleep(wait).await;
                }
                Ok(_) => {}
                Err(wait) => {
                    return Err(match last_err {
                        Some(e) => with_retry_after(e, wait),
                        None => Error::RateLimited {
                            operation: info.name,
                            wait,
                        },
                    });
                }
            }
            // Fetched after the wait, so a long rate-limit pause cannot outlive the token.
            let token = self.token(&source).await?;
            let start = *started.get_or_insert_with(Instant::now);
            let result = self
                .send_once(info, parts.method, &url, body.as_deref(), &token)
                .await;
            let span = tracing::Span::current();
            span.record("attempts", attempt);
            let err = match result {
                Ok(answer) => {
                    span.record("status", answer.status);
                    if let Some(id) = &answer.request_id {
                        span.record("request_id", id.as_str());
                    }
                    if (200..300).contains(&answer.status) {
                        return Ok(answer);
                    }
                    let mut err = self.api_error(info, answer);
                    if let Error::Api(f) = &mut err {
                        if f.status == 429 {
                            self.observe_throttle(info, &key, &apps, f.throttle_scope());
                            if f.retry_after.is_none() {
                                f.retry_after = Some(self.capacity_wait(&key, &apps));
                            }
                        }
                    }
                    err
                }
                Err(e) => e,
            };
            if !refreshed_token && token_rejected(&err) {
                // The token expired or was revoked early: forget it and try once more.
                refreshed_token = true;
                self.invalidate(&source);
                tracing::debug!(error = %err, "access token rejected; refreshing");
                last_err = Some(err);
                continue;
            }
            let may_retry = match &err {
                Error::Api(f) if f.status == 429 => true,
                Error::Transport { not_sent: true, .. } => true,
                e => e.kind().is_retryable() && info.idempotent,
            };
            let elapsed = start.elapsed();
            if !may_retry || attempt > cfg.max_retries || elapsed >= deadline_after {
                return Err(err);
            }
            let mut delay = backoff.next_delay();
            if let Error::Api(f) = &err {
                // Obey Retry-After (or the throttled bucket's wait) when it is longer.
                delay = delay.max(
                    f.retry_after
                        .unwrap_or_default()
                        .min(cfg.backoff.max_backoff),
                );
            }
            // The retry goes out after the back-off and after the limiter has capacity,
            // whichever is later: both count against the deadline.
            let capacity = self.capacity_wait(&key, &apps);
            if elapsed + delay.max(capacity) > deadline_after {
                return Err(with_retry_after(err, delay.max(capacity)));
            }
            tracing::info!(attempt, ?delay, kind = ?err.kind(), error = %err, "retrying");
            last_err = Some(err);
            tokio::time::sleep(delay).await;
        }
    }

    fn api_error(&self, info: &'static OperationInfo, answer: Answer) -> Error {
        let errors = serde_json::from_slice::<ErrorEnvelope>(&answer.body)
            .ok()
            .and_then(|e| e.errors)
            .unwrap_or_default();
        let retry_after = answer.retry_after;
        Error::Api(Box::new(ApiFailure {
            operation: info.name,
            status: answer.status,
            request_id: answer.request_id,
            error_type: answer.error_type,
            errors,
            retry_after,
        }))
    }

    async fn send_once(
        &self,
        info: &'static OperationInfo,
        method: Method,
        url: &Url,
        body: Option<&[u8]>,
        token: &SecretString,
    ) -> Result<Answer> {
        let inner = &self.inner;
        let mut req = inner
            .http
            .request(method.to_reqwest(), url.clone())
            .header("x-amz-access-token", token.expose_secret())
            .header(reqwest::header::USER_AGENT, inner.user_agent.as_str())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(b) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(b.to_vec());
        }
        let key = self.partition(info.name);
        let exchange = async {
            let resp = req.send().await.map_err(|e| transport(info, e))?;
            let status = resp.status().as_u16();
            let headers = resp.headers();
            let header = |name: &str| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let request_id = header("x-amzn-RequestId");
            let limit = header("x-amzn-RateLimit-Limit").and_then(|v| v.trim().parse::<f64>().ok());
            let error_type = header("x-amzn-ErrorType");
            let retry_after = header("Retry-After")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            // A 429 is observed by the caller, once it knows which limit the body names.
            if status != 429 {
                inner.limiter.observe(&key, info.limit, status, limit);
            }
            tracing::debug!(
                status,
                request_id = request_id.as_deref(),
                rate_limit = limit,
                "response"
            );
            let body = resp.bytes().await.map_err(|e| transport(info, e))?.to_vec();
            Ok::<_, Error>(Answer {
                status,
                request_id,
                error_type,
                retry_after,
                body,
            })
        };
        match inner.retry.attempt_timeout {
            Some(t) => tokio::time::timeout(t, exchange)
                .await
                .map_err(|_| Error::Timeout {
                    operation: info.name,
                    after: t,
                })?,
            None => exchange.await,
        }
    }
}

/// A transport error without the request's query string: reqwest prints the URL in the
/// error's `Display` and `Debug`, which the retry loop and callers log, and the query can
/// hold buyer PII (`BuyerEmail` of getOrders).
fn transport(info: &'static OperationInfo, mut e: reqwest::Error) -> Error {
    if let Some(url) = e.url_mut() {
        url.set_query(None);
    }
    Error::Transport {
        operation: info.name,
        not_sent: e.is_connect(),
        source: e,
    }
}

/// A document downloaded from a pre-signed URL.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Document {
    /// The `Content-Type` the storage service sent (it names the charset of text
    /// documents, e.g. `text/tab-separated-values; charset=Cp1252`).
    pub content_type: Option<String>,
    /// The content, already decompressed when the document said `GZIP`.
    pub body: Vec<u8>,
}

impl Document {
    /// A document from its `Content-Type` and (decompressed) content, e.g. one read from
    /// a file saved earlier.
    pub fn new(content_type: Option<String>, body: Vec<u8>) -> Self {
        Document { content_type, body }
    }
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Reports hold buyer data: show the size, not the content.
        f.debug_struct("Document")
            .field("content_type", &self.content_type)
            .field("bytes", &self.body.len())
            .finish()
    }
}

/// Parses a pre-signed URL, refusing plain http off loopback; errors never show the
/// URL's query (its signature).
fn presigned_url(operation: &'static str, url: &str) -> Result<Url> {
    let parsed = Url::parse(url).map_err(|e| Error::Document {
        operation,
        status: None,
        message: format!("invalid pre-signed URL: {e}"),
    })?;
    let mut shown = parsed.clone();
    shown.set_query(None);
    region::check_endpoint(&shown).map_err(|message| Error::Document {
        operation,
        status: None,
        message,
    })?;
    Ok(parsed)
}

/// Decompresses a GZIP document.
pub(crate) fn gunzip(operation: &'static str, body: &[u8]) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::with_capacity(body.len().saturating_mul(4));
    flate2::read::MultiGzDecoder::new(body)
        .read_to_end(&mut out)
        .map_err(|e| Error::Report {
            operation,
            message: format!("the document says GZIP but does not decompress: {e}"),
        })?;
    Ok(out)
}

impl Client {
    /// One exchange with a pre-signed URL, retried per the [`RetryConfig`] on transient
    /// failures (uploads and downloads of the same document are safe to repeat).
    async fn transfer(
        &self,
        operation: &'static str,
        method: reqwest::Method,
        url: &Url,
        upload: Option<(&str, &[u8])>,
    ) -> Result<Document> {
        let cfg = self.inner.retry;
        let mut backoff = Backoff::new(cfg.backoff);
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let mut req = self.inner.http.request(method.clone(), url.clone());
            if let Some((content_type, body)) = upload {
                req = req
                    .header(reqwest::header::CONTENT_TYPE, content_type)
                    .body(body.to_vec());
            }
            let exchange = async {
                let resp = req
                    .send()
                    .await
                    .map_err(|e| document_transport(operation, e))?;
                let status = resp.status().as_u16();
                let content_type = resp
                    .headers()
                    .get(reqwest::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let body = resp
                    .bytes()
                    .await
                    .map_err(|e| document_transport(operation, e))?
                    .to_vec();
                if (200..300).contains(&status) {
                    Ok(Document { content_type, body })
                } else {
                    // Storage services answer errors in a short XML or text body.
                    let text = String::from_utf8_lossy(&body);
                    let message: String = text.trim().chars().take(300).collect();
                    Err(Error::Document {
                        operation,
                        status: Some(status),
                        message: if message.is_empty() {
                            "refused".into()
                        } else {
                            message
                        },
                    })
                }
            };
            let result = match cfg.attempt_timeout {
                Some(t) => tokio::time::timeout(t, exchange)
                    .await
                    .unwrap_or(Err(Error::Timeout {
                        operation,
                        after: t,
                    })),
                None => exchange.await,
            };
            let err = match result {
                Ok(doc) => return Ok(doc),
                Err(e) => e,
            };
            let delay = backoff.next_delay();
            if !err.kind().is_retryable()
                || attempt > cfg.max_retries
                || started.elapsed() + delay > cfg.retry_timeout
            {
                return Err(err);
            }
            tracing::info!(attempt, ?delay, error = %err, "retrying document transfer");
            tokio::time::sleep(delay).await;
        }
    }

    /// Uploads `body` to a pre-signed URL with `content_type` (which must be the one
    /// declared when the URL was made, or the storage service answers 403).
    pub(crate) async fn upload_document(
        &self,
        operation: &'static str,
        url: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<()> {
        let url = presigned_url(operation, url)?;
        self.transfer(
            operation,
            reqwest::Method::PUT,
            &url,
            Some((content_type, body)),
        )
        .await
        .map(|_| ())
    }

    /// Downloads a pre-signed URL, decompressing when `gzip`.
    pub(crate) async fn download_document(
        &self,
        operation: &'static str,
        url: &str,
        gzip: bool,
    ) -> Result<Document> {
        let url = presigned_url(operation, url)?;
        let mut doc = self
            .transfer(operation, reqwest::Method::GET, &url, None)
            .await?;
        if gzip {
            doc.body = gunzip(operation, &doc.body)?;
        }
        Ok(doc)
    }
}

/// A transport error of a document transfer, without the URL (its query is a signature).
fn document_transport(operation: &'static str, e: reqwest::Error) -> Error {
    Error::Document {
        operation,
        status: None,
        message: format!("transport error: {}", e.without_url()),
    }
}

/// `err` with its `retry_after` set to `wait` when it is a throttling answer (the caller
/// learns how long the limiter needs before the call can go out).
fn with_retry_after(err: Error, wait: Duration) -> Error {
    match err {
        Error::Api(mut f) if f.status == 429 => {
            f.retry_after = Some(f.retry_after.unwrap_or_default().max(wait));
            Error::Api(f)
        }
        other => other,
    }
}

/// Whether Amazon rejected the token itself (expired, revoked, malformed), as opposed to a
/// missing role.
///
/// Amazon answers both with 403 `"Access to requested resource is denied."`; for a bad
/// token it names the reason in `details` ("The access token you provided has expired.",
/// "... is revoked, malformed or invalid."), for a missing role `details` is empty. Both
/// fields are read, so a `message` that names the token is honoured as well.
fn token_rejected(err: &Error) -> bool {
    fn names_token_problem(text: &str) -> bool {
        let t = text.to_ascii_lowercase();
        t.contains("expired")
            || (t.contains("token")
                && (t.contains("invalid") || t.contains("revoked") || t.contains("malformed")))
    }
    match err {
        Error::Api(f) if f.status == 401 || f.status == 403 => f.errors.iter().any(|e| {
            names_token_problem(&e.message) || e.details.as_deref().is_some_and(names_token_problem)
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    fn forbidden(message: &str, details: Option<&str>) -> Error {
        Error::api(
            "getOrders",
            403,
            None,
            vec![ApiError {
                code: "Unauthorized".into(),
                message: message.into(),
                details: details.map(str::to_owned),
            }],
        )
    }

    #[test]
    fn the_reason_in_details_marks_a_rejected_token() {
        let denied = "Access to requested resource is denied.";
        assert!(token_rejected(&forbidden(
            denied,
            Some("The access token you provided has expired.")
        )));
        assert!(token_rejected(&forbidden(
            denied,
            Some("The access token you provided is revoked, malformed or invalid.")
        )));
        // A missing role: same message, no reason.
        assert!(!token_rejected(&forbidden(denied, Some(""))));
        assert!(!token_rejected(&forbidden(denied, None)));
    }
}
