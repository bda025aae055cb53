//! The HTTP front: routing, authentication, faults, rate limits, headers and statistics.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::auth::{Caller, Refusal, TokenStore};
use crate::clock::Clock;
use crate::config::SandboxConfig;
use crate::faults::{FaultKind, FaultSpec, draw, mix};
use crate::ratelimit::{Limiter, header_value};
use crate::world::World;

/// Call statistics of one operation.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OperationStats {
    /// Requests received.
    pub calls: u64,
    /// Throttled answers: SP-API `429`s (rate limit or injected) and MWS
    /// `503 RequestThrottled`.
    pub throttled: u64,
    /// Faults injected (any kind).
    pub faults_injected: u64,
    /// Answers per HTTP status (dropped connections count under `0`).
    pub by_status: BTreeMap<u16, u64>,
}

/// An hourly quota window: (sandbox hour since the epoch, calls in it).
type HourWindow = (i64, u32);

/// The state shared by all requests.
pub(crate) struct Shared {
    pub(crate) cfg: SandboxConfig,
    pub(crate) clock: Clock,
    /// One world per seller: (selling partner id, its orders).
    pub(crate) worlds: Vec<(String, Mutex<World>)>,
    /// (refresh token, selling partner id) of every seller.
    refresh_tokens: Vec<(String, String)>,
    pub(crate) tokens: Mutex<TokenStore>,
    pub(crate) limiter: Mutex<Limiter>,
    pub(crate) faults: RwLock<FaultSpec>,
    fault_counters: Mutex<HashMap<&'static str, u64>>,
    pub(crate) stats: Mutex<BTreeMap<&'static str, OperationStats>>,
    /// MWS hourly quotas: (seller, operation) → (sandbox hour, calls in it).
    hourly: Mutex<HashMap<(usize, &'static str), HourWindow>>,
    /// `http://127.0.0.1:PORT`, for URLs the sandbox hands out.
    pub(crate) base_url: String,
    requests: AtomicU64,
}

/// Locks a mutex, recovering the data if a holder panicked.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(
        cfg: SandboxConfig,
        clock: Clock,
        worlds: Vec<(String, World)>,
        base_url: String,
    ) -> Self {
        let seed = cfg.seed;
        let refresh_tokens = (0..worlds.len())
            .map(|i| {
                let c = cfg.credentials.for_seller(i);
                (c.refresh_token, c.selling_partner_id)
            })
            .collect();
        Self {
            limiter: Mutex::new(Limiter::new(cfg.rate_limit_overrides.clone())),
            faults: RwLock::new(cfg.faults.clone()),
            tokens: Mutex::new(TokenStore::new(seed)),
            cfg,
            clock,
            refresh_tokens,
            worlds: worlds
                .into_iter()
                .map(|(s, w)| (s, Mutex::new(w)))
                .collect(),
            fault_counters: Mutex::new(HashMap::new()),
            stats: Mutex::new(BTreeMap::new()),
            hourly: Mutex::new(HashMap::new()),
            base_url,
            requests: AtomicU64::new(0),
        }
    }

    pub(crate) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The index of a seller's world.
    pub(crate) fn seller_index(&self, seller: &str) -> Option<usize> {
        self.worlds.iter().position(|(s, _)| s == seller)
    }

    /// Seller `ix`'s world, caught up to the sandbox clock.
    pub(crate) fn world(&self, ix: usize) -> MutexGuard<'_, World> {
        let now = self.now();
        let ix = ix.min(self.worlds.len().saturating_sub(1));
        let mut w = lock(&self.worlds[ix].1);
        w.catch_up(now);
        w
    }

    fn request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        let a = mix(self.cfg.seed ^ 0x5EED ^ n);
        let b = mix(a);
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48 & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    fn fault_for(&self, op: &'static str) -> Option<FaultKind> {
        let spec = self
            .faults
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if spec.is_empty() {
            return None;
        }
        // Global rules cover the SP-API; the LWA endpoint fails only when named.
        if op == "lwaToken" && !spec.per_operation.contains_key(op) {
            return None;
        }
        let n = {
            let mut c = lock(&self.fault_counters);
            let e = c.entry(op).or_insert(0);
            *e += 1;
            *e - 1
        };
        spec.pick(op, draw(self.cfg.seed, op, n))
    }

    fn record(&self, op: &'static str, status: u16, fault: bool) {
        self.record_full(op, status, fault, status == 429);
    }

    fn record_full(&self, op: &'static str, status: u16, fault: bool, throttled: bool) {
        let mut s = lock(&self.stats);
        let e = s.entry(op).or_default();
        e.calls += 1;
        if throttled {
            e.throttled += 1;
        }
        if fault {
            e.faults_injected += 1;
        }
        *e.by_status.entry(status).or_insert(0) += 1;
    }

    /// Real seconds a sandbox lifetime lasts (what `expires_in` reports).
    pub(crate) fn real_secs(&self, sandbox: std::time::Duration) -> u64 {
        self.clock.to_real(sandbox).as_secs().max(1)
    }
}

/// `expr?` for handlers that answer a [`Reply`]: the `Ok` value, or the error reply
/// returned from the handler at once.
macro_rules! or_reply {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(reply) => return reply,
        }
    };
}
pub(crate) use or_reply;

/// An answer before headers are added.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
}

impl Reply {
    pub(crate) fn ok(body: Value) -> Self {
        Reply {
            status: 200,
            body: Some(body),
        }
    }
    pub(crate) fn empty(status: u16) -> Self {
        Reply { status, body: None }
    }
    pub(crate) fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        Reply {
            status,
            body: Some(json!({"errors": [{"code": code, "message": message.into()}]})),
        }
    }
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Reply::error(400, "InvalidInput", message)
    }
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Reply::error(404, "NotFound", message)
    }
}

/// Everything a handler needs to know about the request.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) caller: Caller,
    pub(crate) method: &'a Method,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) body: &'a Bytes,
    pub(crate) order_id: Option<&'a str>,
    /// Index of the caller's seller world.
    pub(crate) seller: usize,
}

/// The SP-API operations served, by route.
fn route(method: &Method, path: &str) -> Option<(&'static str, Option<String>)> {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let get = method == Method::GET;
    let post = method == Method::POST;
    let id = |s: &str| Some(s.to_owned());
    match segs.as_slice() {
        ["orders", "v0", "orders"] if get => Some(("getOrders", None)),
        ["orders", "v0", "orders", o] if get => Some(("getOrder", id(o))),
        ["orders", "v0", "orders", o, "buyerInfo"] if get => Some(("getOrderBuyerInfo", id(o))),
        ["orders", "v0", "orders", o, "address"] if get => Some(("getOrderAddress", id(o))),
        ["orders", "v0", "orders", o, "orderItems"] if get => Some(("getOrderItems", id(o))),
        ["orders", "v0", "orders", o, "orderItems", "buyerInfo"] if get => {
            Some(("getOrderItemsBuyerInfo", id(o)))
        }
        ["orders", "v0", "orders", o, "shipmentConfirmation"] if post => {
            Some(("confirmShipment", id(o)))
        }
        ["orders", "2026-01-01", "orders"] if get => Some(("searchOrders", None)),
        ["orders", "2026-01-01", "orders", o] if get => Some(("orders2026.getOrder", id(o))),
        ["tokens", "2021-03-01", "restrictedDataToken"] if post => {
            Some(("createRestrictedDataToken", None))
        }
        ["feeds", "2021-06-30", "documents"] if post => Some(("createFeedDocument", None)),
        ["feeds", "2021-06-30", "documents", d] if get => Some(("getFeedDocument", id(d))),
        ["feeds", "2021-06-30", "feeds"] if post => Some(("createFeed", None)),
        ["feeds", "2021-06-30", "feeds"] if get => Some(("getFeeds", None)),
        ["feeds", "2021-06-30", "feeds", f] if get => Some(("getFeed", id(f))),
        ["feeds", "2021-06-30", "feeds", f] if method == Method::DELETE => {
            Some(("cancelFeed", id(f)))
        }
        ["sellers", "v1", "marketplaceParticipations"] if get => {
            Some(("getMarketplaceParticipations", None))
        }
        _ => None,
    }
}

/// Operations whose data an RDT may unlock.
fn restricted(op: &str) -> bool {
    matches!(
        op,
        "getOrders"
            | "getOrder"
            | "getOrderBuyerInfo"
            | "getOrderAddress"
            | "getOrderItems"
            | "getOrderItemsBuyerInfo"
    )
}

fn json_response(status: u16, body: Option<&Value>) -> Response {
    let mut r = match body {
        Some(v) => {
            let bytes = serde_json::to_vec(v).unwrap_or_default();
            let mut r = Response::new(Body::from(bytes));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
        None => Response::new(Body::empty()),
    };
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r
}

fn set_header(r: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

/// A body that fails before its first byte: hyper closes the connection without an answer.
fn dropped() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox fault: drop",
        ))
    });
    Response::new(Body::from_stream(stream))
}

async fn corrupt(r: Response, kind: FaultKind) -> Response {
    let (parts, body) = r.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let new = match kind {
        FaultKind::Truncate => bytes.slice(..bytes.len() / 2),
        _ => {
            let mut v = bytes.to_vec();
            v.pop();
            v.extend_from_slice(b",\"");
            Bytes::from(v)
        }
    };
    let mut r = Response::from_parts(parts, Body::from(new));
    r.headers_mut().remove(header::CONTENT_LENGTH);
    r
}

/// The single entry point: control API, LWA, SP-API.
pub(crate) async fn handle(State(s): State<Arc<Shared>>, req: Request) -> Response {
    use futures::FutureExt;
    // A bug must not drop the connection: answer 500 as Amazon would.
    match std::panic::AssertUnwindSafe(route_request(s, req))
        .catch_unwind()
        .await
    {
        Ok(r) => r,
        Err(_) => {
            tracing::error!("sandbox handler panicked; answering 500");
            let r = Reply::error(
                500,
                "InternalFailure",
                "We encountered an internal error. Please try again.",
            );
            json_response(r.status, r.body.as_ref())
        }
    }
}

async fn route_request(s: Arc<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let body = match axum::body::to_bytes(body, 8 << 20).await {
        Ok(b) => b,
        Err(_) => {
            return json_response(
                413,
                Some(
                    &json!({"errors": [{"code": "RequestEntityTooLarge", "message": "The request is too large."}]}),
                ),
            );
        }
    };
    if let Some(doc) = path.strip_prefix("/_sandbox/feed-documents/") {
        return feed_document(&s, &parts.method, &parts.headers, doc, &body);
    }
    if let Some(rest) = path.strip_prefix("/_sandbox") {
        let (status, v) = crate::control::handle(&s, &parts.method, rest, &query, &body);
        return json_response(status, Some(&v));
    }
    if crate::mws::Section::of(&path).is_some()
        && (parts.method == Method::POST || parts.method == Method::GET)
    {
        return mws(&s, &parts.method, &parts.headers, &path, &query, &body).await;
    }
    if path == "/auth/o2/token" {
        return lwa(&s, &parts.method, &parts.headers, &query, &body).await;
    }
    let Some((op, order_id)) = route(&parts.method, &path) else {
        let r = Reply::error(404, "NotFound", "The requested resource was not found.");
        return json_response(r.status, r.body.as_ref());
    };
    sp_api(
        &s,
        op,
        &parts.method,
        &parts.headers,
        &path,
        &query,
        &body,
        order_id.as_deref(),
    )
    .await
}

async fn lwa(
    s: &Shared,
    method: &Method,
    headers: &HeaderMap,
    query: &str,
    body: &Bytes,
) -> Response {
    let op = "lwaToken";
    let fault = s.fault_for(op);
    if let Some(r) = pre_fault(s, op, fault).await {
        return r;
    }
    let (status, v) = if method != Method::POST {
        crate::auth::lwa_error(405, "invalid_request", "The request method must be POST")
    } else {
        let is_json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        let params: Option<HashMap<String, String>> = if is_json {
            serde_json::from_slice::<HashMap<String, Value>>(body)
                .ok()
                .map(|m| {
                    m.into_iter()
                        .map(|(k, v)| {
                            (
                                k,
                                v.as_str()
                                    .map(str::to_owned)
                                    .unwrap_or_else(|| v.to_string()),
                            )
                        })
                        .collect()
                })
        } else {
            let mut p: HashMap<String, String> =
                serde_urlencoded::from_str(query).unwrap_or_default();
            match serde_urlencoded::from_bytes::<HashMap<String, String>>(body) {
                Ok(b) => {
                    p.extend(b);
                    Some(p)
                }
                Err(_) => None,
            }
        };
        match params {
            None => crate::auth::lwa_error(
                400,
                "invalid_request",
                "The request body could not be parsed",
            ),
            Some(params) => {
                let now = s.now();
                let lifetime =
                    time::Duration::try_from(s.cfg.token_lifetime).unwrap_or(time::Duration::HOUR);
                let real = s.real_secs(s.cfg.token_lifetime);
                let mut store = lock(&s.tokens);
                store.sweep(now, time::Duration::days(1));
                crate::auth::token_endpoint(
                    &params,
                    &s.cfg.credentials,
                    &s.refresh_tokens,
                    &mut store,
                    now,
                    lifetime,
                    real,
                )
            }
        }
    };
    let mut r = json_response(status, Some(&v));
    set_header(&mut r, "x-amzn-RequestId", &s.request_id());
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    record_and_fault(s, op, status, r, fault, || {
        let (status, v) = crate::auth::lwa_error(
            500,
            "server_error",
            "The authorization server encountered an unexpected error.",
        );
        json_response(status, Some(&v))
    })
    .await
}

/// The SP-API's `500 InternalFailure` answer.
fn internal_failure(s: &Shared) -> Response {
    let reply = Reply::error(
        500,
        "InternalFailure",
        "We encountered an internal error. Please try again.",
    );
    let mut r = json_response(reply.status, reply.body.as_ref());
    set_header(&mut r, "x-amzn-RequestId", &s.request_id());
    r
}

/// Faults that replace the answer before the operation runs (429/500/503, a dropped
/// connection) or delay it.
async fn pre_fault(s: &Shared, op: &'static str, fault: Option<FaultKind>) -> Option<Response> {
    let reply = match fault? {
        FaultKind::Throttle => Reply::error(
            429,
            "QuotaExceeded",
            "You exceeded your quota for the requested resource.",
        ),
        FaultKind::InternalError => Reply::error(
            500,
            "InternalFailure",
            "We encountered an internal error. Please try again.",
        ),
        FaultKind::ServiceUnavailable => Reply::error(
            503,
            "ServiceUnavailable",
            "Service temporarily unavailable. Please try again later.",
        ),
        FaultKind::Slow => {
            let d = s.faults.read().map(|f| f.slow_delay).unwrap_or_default();
            tokio::time::sleep(d).await;
            return None;
        }
        FaultKind::Timeout => {
            let d = s.faults.read().map(|f| f.timeout_delay).unwrap_or_default();
            tokio::time::sleep(d).await;
            return None;
        }
        FaultKind::Drop => {
            s.record(op, 0, true);
            return Some(dropped());
        }
        FaultKind::Truncate
        | FaultKind::Malformed
        | FaultKind::CommitDrop
        | FaultKind::Commit500 => return None,
    };
    let mut r = json_response(reply.status, reply.body.as_ref());
    set_header(&mut r, "x-amzn-RequestId", &s.request_id());
    if reply.status == 429 {
        set_header(&mut r, "x-amzn-ErrorType", "TooManyRequestsException");
    }
    s.record(op, reply.status, true);
    Some(r)
}

/// Records the call (a dropped connection as status 0) and applies the faults that strike
/// after the operation ran: `commit_drop` closes the connection, `commit_500` answers
/// `internal()` instead, `truncate` and `malformed` spoil the body.
async fn record_and_fault(
    s: &Shared,
    op: &'static str,
    status: u16,
    r: Response,
    fault: Option<FaultKind>,
    internal: impl FnOnce() -> Response,
) -> Response {
    let recorded = match fault {
        Some(FaultKind::CommitDrop) => 0,
        Some(FaultKind::Commit500) => 500,
        _ => status,
    };
    s.record(op, recorded, fault.is_some());
    match fault {
        Some(FaultKind::CommitDrop) => dropped(),
        Some(FaultKind::Commit500) => internal(),
        Some(k @ (FaultKind::Truncate | FaultKind::Malformed)) => corrupt(r, k).await,
        _ => r,
    }
}

#[allow(clippy::too_many_arguments)]
async fn sp_api(
    s: &Shared,
    op: &'static str,
    method: &Method,
    headers: &HeaderMap,
    path: &str,
    query: &str,
    body: &Bytes,
    order_id: Option<&str>,
) -> Response {
    let now = s.now();
    let request_id = s.request_id();
    let token = headers
        .get("x-amz-access-token")
        .and_then(|v| v.to_str().ok());
    let checked = lock(&s.tokens).check(token, now);
    let caller = match checked {
        Ok(Caller::Lwa(t)) if t.seller.is_none() => Err(Refusal::Missing),
        Ok(Caller::Rdt(r))
            if !restricted(op)
                || !r.resources.iter().any(|res| {
                    res.method == method.as_str() && crate::auth::path_matches(&res.path, path)
                }) =>
        {
            Err(Refusal::Missing)
        }
        other => other,
    };
    let caller = match caller {
        Ok(c) => c,
        Err(refusal) => {
            let mut r = json_response(403, Some(&crate::auth::refusal_body(refusal)));
            set_header(&mut r, "x-amzn-RequestId", &request_id);
            set_header(&mut r, "x-amzn-ErrorType", "AccessDeniedException");
            s.record(op, 403, false);
            return r;
        }
    };
    let fault = s.fault_for(op);
    if let Some(r) = pre_fault(s, op, fault).await {
        return r;
    }
    let limit = lock(&s.limiter).limit(op);
    if s.cfg.rate_limits {
        let seller = caller.seller().unwrap_or_default().to_owned();
        let app = caller.client_id().to_owned();
        let now = s.now();
        if !lock(&s.limiter).try_take(&seller, &app, op, now) {
            let reply = Reply::error(
                429,
                "QuotaExceeded",
                "You exceeded your quota for the requested resource.",
            );
            let mut r = json_response(429, reply.body.as_ref());
            set_header(&mut r, "x-amzn-RequestId", &request_id);
            set_header(&mut r, "x-amzn-ErrorType", "TooManyRequestsException");
            s.record(op, 429, false);
            return r;
        }
    }
    let seller = caller
        .seller()
        .and_then(|id| s.seller_index(id))
        .unwrap_or(0);
    let ctx = Ctx {
        shared: s,
        caller,
        method,
        path,
        query,
        body,
        order_id,
        seller,
    };
    let reply = crate::api::dispatch(op, &ctx);
    let mut r = json_response(reply.status, reply.body.as_ref());
    set_header(&mut r, "x-amzn-RequestId", &request_id);
    // The Sellers model declares no x-amzn-RateLimit-Limit header.
    if let Some(l) = limit.filter(|_| op != "getMarketplaceParticipations") {
        if (200..300).contains(&reply.status) || reply.status == 400 || reply.status == 404 {
            let rate = match s.clock.mode() {
                crate::config::ClockMode::Scaled => l.rate * s.clock.scale(),
                crate::config::ClockMode::Manual => l.rate,
            };
            set_header(&mut r, "x-amzn-RateLimit-Limit", &header_value(rate));
        }
    }
    record_and_fault(s, op, reply.status, r, fault, || internal_failure(s)).await
}

/// `x-mws-quota-*` headers of the hourly-metered Feeds operations.
fn quota_headers(r: &mut Response, max: u32, remaining: u32, resets: OffsetDateTime) {
    set_header(r, "x-mws-quota-max", &format!("{max}.0"));
    set_header(r, "x-mws-quota-remaining", &format!("{remaining}.0"));
    set_header(
        r,
        "x-mws-quota-resetsOn",
        &crate::clock::iso(resets).replace('Z', ".000Z"),
    );
}

fn xml_response(s: &Shared, reply: &crate::mws::MwsReply, request_id: &str) -> Response {
    let mut r = Response::new(Body::from(reply.body.clone()));
    *r.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    set_header(&mut r, "content-type", reply.content_type);
    set_header(&mut r, "x-mws-request-id", request_id);
    set_header(&mut r, "x-mws-timestamp", &crate::clock::iso(s.now()));
    set_header(
        &mut r,
        "x-mws-response-context",
        &format!("sandbox/{request_id}"),
    );
    if reply.content_md5 {
        set_header(&mut r, "content-md5", &crate::mws::content_md5(&reply.body));
    }
    r
}

/// Legacy MWS: Orders and Feeds.
async fn mws(
    s: &Shared,
    method: &Method,
    headers: &HeaderMap,
    path: &str,
    query: &str,
    body: &Bytes,
) -> Response {
    use crate::mws::{MwsParams, Section, error, throttled};
    let rid = s.request_id();
    let Some(section) = Section::of(path) else {
        let r = error(
            crate::mws::ORDERS_NS,
            404,
            "Sender",
            "InvalidAddress",
            "Resource is not found.",
            &rid,
        );
        return xml_response(s, &r, &rid);
    };
    let ns = match section {
        Section::Orders => crate::mws::ORDERS_NS,
        Section::Feeds => crate::mws::FEEDS_NS,
    };
    let Some(params) = MwsParams::parse(headers, query, body) else {
        let r = error(
            ns,
            400,
            "Sender",
            "InvalidParameterValue",
            "The parameters could not be parsed.",
            &rid,
        );
        return xml_response(s, &r, &rid);
    };
    let action = params.get("Action").unwrap_or_default().to_owned();
    let Some((op, bucket)) = crate::mws::operation(section, &action) else {
        let r = error(
            ns,
            400,
            "Sender",
            "InvalidParameterValue",
            &format!("Invalid action {action:?} for this section."),
            &rid,
        );
        return xml_response(s, &r, &rid);
    };
    if action == "SubmitFeed" && method != Method::POST {
        let r = error(
            ns,
            400,
            "Sender",
            "InvalidParameterValue",
            "SubmitFeed must be sent with POST.",
            &rid,
        );
        s.record(op, 400, false);
        return xml_response(s, &r, &rid);
    }
    let seller = match crate::mws::authenticate(s, section, method, headers, path, &params, &rid) {
        Ok(ix) => ix,
        Err(r) => {
            s.record(op, r.status, false);
            return xml_response(s, &r, &rid);
        }
    };
    let fault = s.fault_for(op);
    let injected = match fault {
        Some(FaultKind::Throttle) => Some(throttled(ns, &rid)),
        Some(FaultKind::InternalError) => Some(error(
            ns,
            500,
            "Receiver",
            "InternalError",
            "We encountered an internal error. Please try again.",
            &rid,
        )),
        Some(FaultKind::ServiceUnavailable) => Some(error(
            ns,
            503,
            "Receiver",
            "ServiceUnavailable",
            "Service is temporarily unavailable. Please try again.",
            &rid,
        )),
        Some(FaultKind::Slow) => {
            let d = s.faults.read().map(|f| f.slow_delay).unwrap_or_default();
            tokio::time::sleep(d).await;
            None
        }
        Some(FaultKind::Timeout) => {
            let d = s.faults.read().map(|f| f.timeout_delay).unwrap_or_default();
            tokio::time::sleep(d).await;
            None
        }
        Some(FaultKind::Drop) => {
            s.record_full(op, 0, true, false);
            return dropped();
        }
        _ => None,
    };
    if let Some(r) = injected {
        s.record_full(op, r.status, true, fault == Some(FaultKind::Throttle));
        return xml_response(s, &r, &rid);
    }
    let mut quota = None;
    if let Some(max) = crate::mws::hourly_quota(op).filter(|_| s.cfg.rate_limits) {
        let now = s.now();
        let hour = now.unix_timestamp().div_euclid(3600);
        let resets = OffsetDateTime::from_unix_timestamp((hour + 1) * 3600).unwrap_or(now);
        let mut h = lock(&s.hourly);
        let e = h.entry((seller, op)).or_insert((hour, 0));
        if e.0 != hour {
            *e = (hour, 0);
        }
        if e.1 >= max {
            let msg = format!(
                "You exceeded your quota of {max}.0 requests per 1 hour for operation Feeds/2009-01-01/{action}. Your quota will reset on {}",
                crate::clock::iso(resets)
            );
            let r = error(ns, 503, "Sender", "QuotaExceeded", &msg, &rid);
            drop(h);
            s.record_full(op, 503, false, true);
            let mut resp = xml_response(s, &r, &rid);
            quota_headers(&mut resp, max, 0, resets);
            return resp;
        }
        e.1 += 1;
        quota = Some((max, max - e.1, resets));
    }
    if s.cfg.rate_limits {
        let seller_id = s.worlds[seller].0.clone();
        let key = s.cfg.credentials.mws_access_key_id.clone();
        let now = s.now();
        if !lock(&s.limiter).try_take(&seller_id, &key, bucket, now) {
            let r = throttled(ns, &rid);
            s.record_full(op, 503, false, true);
            return xml_response(s, &r, &rid);
        }
    }
    let reply = crate::mws::dispatch(s, seller, section, &params, body, headers, &rid);
    let mut r = xml_response(s, &reply, &rid);
    if let Some((max, left, resets)) = quota {
        quota_headers(&mut r, max, left, resets);
    }
    record_and_fault(s, op, reply.status, r, fault, || {
        let e = error(
            ns,
            500,
            "Receiver",
            "InternalError",
            "We encountered an internal error. Please try again.",
            &rid,
        );
        xml_response(s, &e, &rid)
    })
    .await
}

/// The presigned-style URL of SP-API feed documents: `PUT` uploads (with the content type
/// the document was created with), `GET` downloads (inputs and processing reports).
fn feed_document(
    s: &Shared,
    method: &Method,
    headers: &HeaderMap,
    id: &str,
    body: &Bytes,
) -> Response {
    let text = |status: u16, msg: &str| {
        let mut r = Response::new(Body::from(msg.to_owned()));
        *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
        r
    };
    for (_, world) in &s.worlds {
        let mut w = lock(world);
        let Some(doc) = w.feed_docs.get_mut(id) else {
            continue;
        };
        if *method == Method::PUT {
            let sent = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let norm = |t: &str| t.to_ascii_lowercase().replace(' ', "");
            if norm(sent) != norm(&doc.content_type) {
                return text(
                    403,
                    "SignatureDoesNotMatch: the Content-Type must be the one given to createFeedDocument",
                );
            }
            doc.body = Some(body.to_vec());
            return text(200, "");
        }
        if *method == Method::GET {
            let Some(content) = doc.body.clone() else {
                return text(404, "NoSuchKey");
            };
            let mut r = Response::new(Body::from(content));
            set_header(&mut r, "content-type", &doc.content_type);
            return r;
        }
        return text(405, "MethodNotAllowed");
    }
    text(404, "NoSuchKey")
}
