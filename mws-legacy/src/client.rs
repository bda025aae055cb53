//! The MWS client: signs, throttles, sends, retries and decodes any [`Operation`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, Stream, TryStreamExt};
use rand::Rng;
use reqwest::header::{CONTENT_TYPE, HeaderValue, USER_AGENT};
use time::OffsetDateTime;

use crate::common::api_error;
use crate::credentials::Credentials;
use crate::endpoint::{Endpoint, Marketplace};
use crate::error::{Error, ErrorKind, Result};
use crate::feeds::{
    CancelFeedSubmissions, CancelledFeedSubmissions, FeedSubmissionCount, FeedSubmissionId,
    FeedSubmissionInfo, FeedSubmissionList, FeedSubmissionResult, GetFeedSubmissionCount,
    GetFeedSubmissionList, GetFeedSubmissionListByNextToken, GetFeedSubmissionResult, SubmitFeed,
    SubmitFeedResponse,
};
use crate::operation::{Operation, RawResponse, Section, ThrottleRule};
use crate::orders::{
    GetOrder, GetOrderResponse, GetServiceStatus, ListOrderItems, ListOrderItemsByNextToken,
    ListOrders, ListOrdersByNextToken, NextToken, Order, OrderItem, OrderItemsPage, OrdersPage,
    ServiceStatus,
};
use crate::sign::{SIGNATURE_METHOD, SIGNATURE_VERSION, SignedQuery, format_timestamp};
use crate::throttle::RateLimiter;

/// Wall-clock source for the signed `Timestamp` (injectable for tests).
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// Retry policy for throttled, failed and dropped calls (plain data).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Retries after the first attempt (MWS advises up to 4).
    pub max_retries: u32,
    /// First backoff.
    pub initial_backoff: Duration,
    /// Largest backoff.
    pub max_backoff: Duration,
    /// Growth factor of the decorrelated jitter.
    pub base: f64,
    /// Total time budget across all attempts, waits included.
    pub deadline: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_retries: 4,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            base: 3.0,
            deadline: Duration::from_secs(15 * 60),
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Sets the number of retries.
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Sets the backoff bounds.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Sets the total deadline.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Decorrelated jitter: a random wait between the initial backoff and `base` times the
    /// previous wait, capped.
    fn next_backoff(&self, previous: Duration) -> Duration {
        let cap = self.max_backoff.as_secs_f64();
        let low = self.initial_backoff.as_secs_f64().min(cap);
        let grown = previous.as_secs_f64() * self.base;
        // Any configuration (a negative or huge base) stays within [low, cap].
        let high = if grown.is_finite() {
            grown.clamp(low, cap)
        } else {
            cap
        };
        let pick = if high > low {
            rand::thread_rng().gen_range(low..high)
        } else {
            low
        };
        Duration::try_from_secs_f64(pick)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }
}

/// Builds a [`Client`].
pub struct ClientBuilder {
    credentials: Credentials,
    endpoint: Endpoint,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
    retry: RetryConfig,
    limiter: RateLimiter,
    throttling: bool,
    clock: Clock,
    feeds_path: &'static str,
    feeds_merchant_param: bool,
    user_agent: String,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("endpoint", &self.endpoint)
            .field("retry", &self.retry)
            .field("throttling", &self.throttling)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The endpoint (an Amazon region's host, or a custom one).
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// The endpoint that serves `marketplace`.
    pub fn marketplace(mut self, marketplace: Marketplace) -> Self {
        self.endpoint = marketplace.endpoint();
        self
    }

    /// Uses a prepared `reqwest` client (timeouts then are the caller's).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Per-request timeout (default 60 s); `None` for none.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retry policy.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Shares throttling state with other clients of the same seller.
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.limiter = limiter;
        self
    }

    /// Turns client-side throttling off (server throttling is still retried).
    pub fn throttling(mut self, enabled: bool) -> Self {
        self.throttling = enabled;
        self
    }

    /// The clock that stamps `Timestamp` (default: system time).
    pub fn clock(mut self, clock: impl Fn() -> OffsetDateTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Posts Feeds calls to the legacy path `/` instead of `/Feeds/2009-01-01` (both were
    /// accepted live).
    pub fn legacy_feeds_path(mut self, legacy: bool) -> Self {
        self.feeds_path = if legacy { "/" } else { Section::FEEDS.path };
        self
    }

    /// Names the seller `Merchant` instead of `SellerId` in Feeds calls, as Amazon's own
    /// Feeds client library did (both were accepted live).
    pub fn feeds_merchant_param(mut self, merchant: bool) -> Self {
        self.feeds_merchant_param = merchant;
        self
    }

    /// Prefixes the User-Agent with an application name and version (`MyApp/1.2`).
    pub fn application(mut self, name_and_version: &str) -> Self {
        self.user_agent = format!("{name_and_version} {}", default_user_agent());
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut b = reqwest::Client::builder();
                if let Some(t) = self.timeout {
                    b = b.timeout(t);
                }
                b.build().map_err(Error::Transport)?
            }
        };
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|e| Error::InvalidRequest(format!("User-Agent: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                credentials: self.credentials,
                endpoint: self.endpoint,
                retry: self.retry,
                limiter: self.limiter,
                throttling: self.throttling,
                clock: self.clock,
                feeds_path: self.feeds_path,
                feeds_merchant_param: self.feeds_merchant_param,
                user_agent,
            }),
        })
    }
}

fn default_user_agent() -> String {
    format!(
        "mws-legacy/{} (Language=Rust; Platform={})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS
    )
}

struct Inner {
    http: reqwest::Client,
    credentials: Credentials,
    endpoint: Endpoint,
    retry: RetryConfig,
    limiter: RateLimiter,
    throttling: bool,
    clock: Clock,
    feeds_path: &'static str,
    feeds_merchant_param: bool,
    user_agent: HeaderValue,
}

/// A typed MWS client. Cheap to clone; clones share throttling state.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("credentials", &self.inner.credentials)
            .field("endpoint", &self.inner.endpoint)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a builder (North America endpoint, default retries, throttling on).
    pub fn builder(credentials: Credentials) -> ClientBuilder {
        ClientBuilder {
            credentials,
            endpoint: Marketplace::US.endpoint(),
            http: None,
            timeout: Some(Duration::from_secs(60)),
            retry: RetryConfig::default(),
            limiter: RateLimiter::new(),
            throttling: true,
            clock: Arc::new(OffsetDateTime::now_utc),
            feeds_path: Section::FEEDS.path,
            feeds_merchant_param: false,
            user_agent: default_user_agent(),
        }
    }

    /// The throttling state (shared by clones).
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    /// How long the next call of `action` would wait for client-side throttling.
    pub fn wait_time(&self, action: &str) -> Duration {
        self.inner.limiter.wait_time(
            self.inner.credentials.seller_id(),
            &ThrottleRule::for_action(action),
        )
    }

    fn path_for(&self, section: Section) -> &'static str {
        if section == Section::FEEDS {
            self.inner.feeds_path
        } else {
            section.path
        }
    }

    /// The common and operation parameters of one attempt (fresh timestamp).
    fn all_params<O: Operation>(&self, op: &O, own: &[(String, String)]) -> Vec<(String, String)> {
        let c = &self.inner.credentials;
        let mut p = Vec::with_capacity(own.len() + 8);
        p.push(("AWSAccessKeyId".to_owned(), c.access_key_id().to_owned()));
        p.push(("Action".to_owned(), op.action().to_owned()));
        let seller_param = if self.inner.feeds_merchant_param && op.section() == Section::FEEDS {
            "Merchant"
        } else {
            "SellerId"
        };
        p.push((seller_param.to_owned(), c.seller_id().to_owned()));
        if let Some(token) = c.mws_auth_token() {
            p.push(("MWSAuthToken".to_owned(), token.to_owned()));
        }
        p.push(("SignatureMethod".to_owned(), SIGNATURE_METHOD.to_owned()));
        p.push(("SignatureVersion".to_owned(), SIGNATURE_VERSION.to_owned()));
        p.push((
            "Timestamp".to_owned(),
            format_timestamp((self.inner.clock)()),
        ));
        p.push(("Version".to_owned(), op.section().version.to_owned()));
        p.extend(own.iter().cloned());
        p
    }

    async fn send_once<O: Operation>(
        &self,
        op: &O,
        own: &[(String, String)],
    ) -> Result<RawResponse> {
        let inner = &self.inner;
        let mut url = inner.endpoint.url_for(self.path_for(op.section()));
        let params = self.all_params(op, own);
        let signed = SignedQuery::sign("POST", &url, &params, inner.credentials.secret_key());
        let request = match op.body() {
            Some(body) => {
                url.set_query(Some(&signed.to_query_string()));
                let md5 = crate::sign::content_md5(&body.bytes);
                inner
                    .http
                    .post(url)
                    .header(CONTENT_TYPE, body.content_type)
                    .header("Content-MD5", md5)
                    .body(body.bytes)
            }
            None => inner
                .http
                .post(url)
                .header(
                    CONTENT_TYPE,
                    "application/x-www-form-urlencoded; charset=utf-8",
                )
                .body(signed.to_query_string()),
        };
        let response = request
            .header(USER_AGENT, inner.user_agent.clone())
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport)?.to_vec();
        let raw = RawResponse {
            status,
            headers,
            body,
        };
        self.observe_quota_headers(op.action(), &op.throttle(), &raw);
        if (200..300).contains(&status) {
            Ok(raw)
        } else {
            let rid = raw.header("x-mws-request-id").map(str::to_owned);
            Err(api_error(op.action(), status, &raw.body, rid))
        }
    }

    /// `x-mws-quota-remaining: 0` blocks the bucket until `x-mws-quota-resetsOn`.
    fn observe_quota_headers(&self, action: &str, rule: &ThrottleRule, raw: &RawResponse) {
        if !self.inner.throttling {
            return;
        }
        let remaining = raw
            .header("x-mws-quota-remaining")
            .and_then(|v| v.trim().parse::<f64>().ok());
        if remaining.is_some_and(|r| r < 1.0) {
            let reset = raw
                .header("x-mws-quota-resetsOn")
                .and_then(|v| crate::xml::parse_datetime(v).ok());
            let now = (self.inner.clock)();
            // MWS quotas reset within the hour; a reset further away is a clock problem.
            let wait = match reset {
                Some(reset) if reset > now => Duration::try_from(reset - now)
                    .unwrap_or(Duration::from_secs(3600))
                    .min(Duration::from_secs(2 * 3600)),
                Some(_) => Duration::ZERO,
                None => Duration::from_secs(60),
            };
            tracing::warn!(
                action,
                wait_s = wait.as_secs(),
                "MWS hourly quota exhausted"
            );
            self.inner
                .limiter
                .block_for(self.inner.credentials.seller_id(), rule, wait);
        }
    }

    /// Executes an operation: validate, throttle, sign, send, retry, decode.
    pub async fn send<O: Operation>(&self, op: &O) -> Result<O::Output> {
        let own = op.params()?;
        let inner = &self.inner;
        let seller = inner.credentials.seller_id();
        let rule = op.throttle();
        let started = tokio::time::Instant::now();
        let mut backoff = Duration::ZERO;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            if inner.throttling {
                inner.limiter.acquire(seller, &rule).await;
            }
            let outcome = match self.send_once(op, &own).await {
                Ok(raw) => op.parse(raw),
                Err(e) => Err(e),
            };
            let err = match outcome {
                Ok(out) => return Ok(out),
                Err(e) => e,
            };
            let kind = err.kind();
            if matches!(kind, ErrorKind::Throttled { .. }) && inner.throttling {
                inner.limiter.drain(seller, &rule);
            }
            let may_retry = kind.is_retryable()
                && (op.idempotent()
                    || sent_nothing(&err)
                    || matches!(kind, ErrorKind::Throttled { .. }));
            if !may_retry {
                return Err(wrap(err, attempt));
            }
            if attempt > inner.retry.max_retries {
                return Err(wrap(err, attempt));
            }
            backoff = inner.retry.next_backoff(backoff);
            // The next attempt also waits for the local bucket (a throttle drained it; an
            // exhausted hourly quota blocks it until its reset): count that against the
            // deadline too, so a call never hangs far beyond it.
            let throttle_wait = if inner.throttling {
                inner.limiter.wait_time(seller, &rule)
            } else {
                Duration::ZERO
            };
            let elapsed = started.elapsed();
            if elapsed.saturating_add(backoff.max(throttle_wait)) > inner.retry.deadline {
                return Err(wrap(err, attempt));
            }
            tracing::info!(
                action = op.action(),
                attempt,
                code = err.code().unwrap_or(""),
                backoff_ms = backoff.as_millis() as u64,
                "retrying MWS call"
            );
            tokio::time::sleep(backoff).await;
        }
    }

    /// Pages of a list operation: the first page answers `first`; each following page
    /// answers `by_token` with the token that `next_of` finds on the page before it
    /// (`None` ends the stream).
    fn token_pages<F, N, P>(
        &self,
        first: F,
        by_token: fn(NextToken) -> N,
        next_of: fn(&P) -> Option<NextToken>,
    ) -> impl Stream<Item = Result<P>> + Send + 'static
    where
        F: Operation<Output = P> + Send + Sync + 'static,
        N: Operation<Output = P> + Send + Sync + 'static,
        P: Send + 'static,
    {
        enum State<F> {
            First(Box<F>),
            Next(NextToken),
        }
        let client = self.clone();
        stream::try_unfold(Some(State::First(Box::new(first))), move |state| {
            let client = client.clone();
            async move {
                let page = match state {
                    None => return Ok(None),
                    Some(State::First(req)) => client.send(&*req).await?,
                    Some(State::Next(token)) => client.send(&by_token(token)).await?,
                };
                let next = next_of(&page).map(State::Next);
                Ok::<_, Error>(Some((page, next)))
            }
        })
    }

    // ------------------------------------------------------------------ Orders

    /// `ListOrders`: the first page.
    pub async fn list_orders(&self, request: &ListOrders) -> Result<OrdersPage> {
        self.send(request).await
    }

    /// `ListOrdersByNextToken`.
    pub async fn list_orders_by_next_token(&self, token: &NextToken) -> Result<OrdersPage> {
        self.send(&ListOrdersByNextToken(token.clone())).await
    }

    /// Every page of a `ListOrders`, following `NextToken`.
    pub fn list_orders_pages(
        &self,
        request: ListOrders,
    ) -> impl Stream<Item = Result<OrdersPage>> + Send + 'static {
        self.token_pages(request, ListOrdersByNextToken, |page: &OrdersPage| {
            page.next_token.clone()
        })
    }

    /// Every order of a `ListOrders`, across pages.
    pub fn list_orders_stream(
        &self,
        request: ListOrders,
    ) -> impl Stream<Item = Result<Order>> + Send + 'static {
        self.list_orders_pages(request)
            .map_ok(|page| stream::iter(page.orders.into_iter().map(Ok)))
            .try_flatten()
    }

    /// `GetOrder` (1 to 50 ids).
    pub async fn get_order(&self, request: &GetOrder) -> Result<GetOrderResponse> {
        self.send(request).await
    }

    /// `ListOrderItems`: the first page.
    pub async fn list_order_items(&self, request: &ListOrderItems) -> Result<OrderItemsPage> {
        self.send(request).await
    }

    /// `ListOrderItemsByNextToken`.
    pub async fn list_order_items_by_next_token(
        &self,
        token: &NextToken,
    ) -> Result<OrderItemsPage> {
        self.send(&ListOrderItemsByNextToken(token.clone())).await
    }

    /// Every page of a `ListOrderItems`.
    pub fn list_order_items_pages(
        &self,
        request: ListOrderItems,
    ) -> impl Stream<Item = Result<OrderItemsPage>> + Send + 'static {
        self.token_pages(
            request,
            ListOrderItemsByNextToken,
            |page: &OrderItemsPage| page.next_token.clone(),
        )
    }

    /// Every item of an order, across pages.
    pub fn list_order_items_stream(
        &self,
        request: ListOrderItems,
    ) -> impl Stream<Item = Result<OrderItem>> + Send + 'static {
        self.list_order_items_pages(request)
            .map_ok(|page| stream::iter(page.order_items.into_iter().map(Ok)))
            .try_flatten()
    }

    /// `GetServiceStatus` of the Orders section.
    pub async fn get_service_status(&self) -> Result<ServiceStatus> {
        self.send(&GetServiceStatus::default()).await
    }
}

impl Client {
    // ------------------------------------------------------------------ Feeds

    /// `SubmitFeed`: uploads a document (`ContentMD5Value` and `Content-MD5` are set).
    pub async fn submit_feed(&self, request: &SubmitFeed) -> Result<SubmitFeedResponse> {
        self.send(request).await
    }

    /// `GetFeedSubmissionList`: the first page.
    pub async fn get_feed_submission_list(
        &self,
        request: &GetFeedSubmissionList,
    ) -> Result<FeedSubmissionList> {
        self.send(request).await
    }

    /// `GetFeedSubmissionListByNextToken`.
    pub async fn get_feed_submission_list_by_next_token(
        &self,
        token: &NextToken,
    ) -> Result<FeedSubmissionList> {
        self.send(&GetFeedSubmissionListByNextToken(token.clone()))
            .await
    }

    /// Every submission of a `GetFeedSubmissionList`, across pages.
    pub fn feed_submissions_stream(
        &self,
        request: GetFeedSubmissionList,
    ) -> impl Stream<Item = Result<FeedSubmissionInfo>> + Send + 'static {
        self.token_pages(
            request,
            GetFeedSubmissionListByNextToken,
            |page: &FeedSubmissionList| match (&page.next_token, page.has_next) {
                (Some(token), true) => Some(token.clone()),
                _ => None,
            },
        )
        .map_ok(|page| stream::iter(page.feed_submission_info.into_iter().map(Ok)))
        .try_flatten()
    }

    /// `GetFeedSubmissionCount`.
    pub async fn get_feed_submission_count(
        &self,
        request: &GetFeedSubmissionCount,
    ) -> Result<FeedSubmissionCount> {
        self.send(request).await
    }

    /// `CancelFeedSubmissions`.
    pub async fn cancel_feed_submissions(
        &self,
        request: &CancelFeedSubmissions,
    ) -> Result<CancelledFeedSubmissions> {
        self.send(request).await
    }

    /// `GetFeedSubmissionResult`: the report bytes, verified against `Content-MD5`
    /// (a mismatch is retried, then reported as [`Error::ContentMd5Mismatch`]).
    pub async fn get_feed_submission_result(
        &self,
        id: impl Into<FeedSubmissionId>,
    ) -> Result<FeedSubmissionResult> {
        self.send(&GetFeedSubmissionResult::new(id)).await
    }
}

/// A transport error without the request's query string. A call with a body (`SubmitFeed`)
/// carries its signed parameters there (`AWSAccessKeyId`, `MWSAuthToken`, `SellerId`,
/// `Signature`), and reqwest prints the URL in the error's `Display` and `Debug`, which
/// callers log.
fn transport(mut e: reqwest::Error) -> Error {
    if let Some(url) = e.url_mut() {
        url.set_query(None);
    }
    Error::Transport(e)
}

/// A connection that failed before the request went out cannot have been processed.
fn sent_nothing(err: &Error) -> bool {
    matches!(err, Error::Transport(e) if e.is_connect())
}

fn wrap(err: Error, attempts: u32) -> Error {
    if attempts > 1 {
        Error::RetriesExhausted {
            attempts,
            last: Box::new(err),
        }
    } else {
        err
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_retry_configs_do_not_panic() {
        for base in [-3.0, 0.0, f64::INFINITY, f64::NAN, 1e300] {
            let r = RetryConfig {
                base,
                ..RetryConfig::default()
            };
            let mut b = Duration::from_secs(u64::MAX / 2);
            for _ in 0..5 {
                b = r.next_backoff(b);
                assert!(b <= r.max_backoff);
            }
        }
        let inverted =
            RetryConfig::default().with_backoff(Duration::from_secs(10), Duration::from_secs(1));
        assert_eq!(
            inverted.next_backoff(Duration::ZERO),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn backoff_stays_in_bounds() {
        let r = RetryConfig::default();
        let mut b = Duration::ZERO;
        for _ in 0..50 {
            b = r.next_backoff(b);
            assert!(b >= r.initial_backoff && b <= r.max_backoff, "{b:?}");
        }
    }

    #[test]
    fn client_debug_hides_credentials() {
        let c = Client::builder(Credentials::new("SELLERX", "AKIDX", "SECRETX"))
            .build()
            .unwrap();
        let s = format!("{c:?}");
        assert!(
            !s.contains("SELLERX") && !s.contains("AKIDX") && !s.contains("SECRETX"),
            "{s}"
        );
    }
}
