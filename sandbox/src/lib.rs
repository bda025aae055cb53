//! A local Amazon emulator on loopback: Login with Amazon (LWA), SP-API Orders v0 and
//! v2026-01-01, Tokens (RDT), Sellers and Feeds 2021-06-30, legacy MWS Orders and Feeds
//! (Signature Version 2),
//! with Amazon's validation, rate limits, restricted
//! data, a seeded world of realistic orders that keeps moving, a time-scale factor, fault
//! injection and a control API. For demos, end-to-end tests and benchmarks.
//!
//! The responses are built from the shapes of Amazon's official models, never from the
//! project's client types, so a client bug cannot hide behind a sandbox wrong the same way.
//!
//! ```no_run
//! use amazon_sandbox::{ClockMode, Sandbox, SandboxConfig};
//!
//! # async fn demo() -> Result<(), amazon_sandbox::Error> {
//! let sandbox = Sandbox::start(
//!     SandboxConfig::default().seed(7).initial_orders(1000).clock(ClockMode::Manual),
//! )
//! .await?;
//! let creds = sandbox.credentials();
//! println!("SP-API at {}, LWA at {}", sandbox.base_url(), sandbox.lwa_url());
//! println!("client id {} for seller {}", creds.client_id, creds.selling_partner_id);
//! // Time only moves when the test says so.
//! sandbox.advance_clock(std::time::Duration::from_secs(300));
//! assert_eq!(sandbox.orders().len(), 1000);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Time
//!
//! The sandbox has its own clock. In [`ClockMode::Scaled`] it runs `time_scale` (K) times
//! faster than real time: orders arrive K times faster, token lifetimes are K times shorter
//! in real time (`expires_in` reports real seconds), rate-limit buckets refill K times faster
//! (and `x-amzn-RateLimit-Limit` reports the real-time rate, `rate × K`). The "two minutes
//! before now" rule, LastUpdateDate and the ship-date check all use the sandbox clock.
//! In [`ClockMode::Manual`] the clock stands still until [`Sandbox::advance_clock`] (or
//! `POST /_sandbox/clock/advance`) moves it; every due arrival and status change is then
//! applied in time order, so tests are deterministic. Like Amazon, listings lag: orders
//! changed within the last two minutes are not listed yet.
//!
//! # Sellers
//!
//! `SandboxConfig::sellers(n)` lets `n` sellers authorise the application: each has its own
//! refresh token ([`Credentials::for_seller`]), seeded orders and rate-limit buckets; the
//! `Sandbox` methods act on seller 0 and [`Sandbox::seller`] on the others.
//!
//! # Choices where Amazon's documents are silent
//!
//! * A repeated `confirmShipment` for a package reference id already confirmed on the
//!   order is an edit of that package (Amazon documents confirmShipment as usable to edit
//!   shipment details): identical repeats answer `204` and change nothing; a changed one
//!   replaces the earlier package (quantities are recomputed) and bumps LastUpdateDate.
//! * confirmShipment refuses carrier codes outside Amazon's list (the feed schema's
//!   `CarrierCode` values plus `Australia Post` and `Amazon Shipping`) with
//!   `400 InvalidInput`; other carriers go as `Other` with a `carrierName`.
//!   `SandboxConfig::strict_carrier_codes(false)` accepts any code.
//! * A well-formed but unknown order id answers `404 NotFound`; a malformed one
//!   `400 InvalidInput`.
//! * Without an RDT, v0 orders carry the non-identifying part of `ShippingAddress` (city,
//!   region, postal code, country) and no `BuyerInfo`; `getOrderAddress` and
//!   `getOrderBuyerInfo` answer the same redacted shape. An RDT used on a path it does not
//!   cover is refused with `403`.
//! * A `NextToken` may be sent with the original filters (current model) or with only
//!   `MarketplaceIds` (older documents); different filters are a `400`.

mod api;
mod auth;
mod cli;
mod clock;
mod config;
mod control;
mod faults;
mod generator;
mod marketplaces;
mod model;
mod mws;
mod ratelimit;
mod render;
mod server;
mod sp_feeds;
mod world;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use cli::{CliArgs, run_cli};
pub use config::{ClockMode, Credentials, RateLimit, SandboxConfig};
pub use control::{ItemSnapshot, OrderSnapshot};
pub use faults::{FaultKind, FaultSpec, FaultSpecError};
pub use marketplaces::{DEFAULT_MARKETPLACES, is_known_marketplace};
pub use model::OrderStatus;
pub use server::OperationStats;
pub use world::{ConfirmedShipment, PackageState, PackageTotals, PaymentAdjustment};

/// The published default usage plan of an operation as the sandbox enforces it (SP-API
/// names such as `getOrders`, `orders2026.getOrder`; MWS throttle buckets such as
/// `mws.ListOrders`), before any `rate_limit_overrides`.
///
/// ```
/// let l = amazon_sandbox::published_rate_limit("getOrders").unwrap();
/// assert_eq!((l.rate, l.burst), (0.0167, 20));
/// ```
pub fn published_rate_limit(operation: &str) -> Option<RateLimit> {
    ratelimit::published(operation)
}

/// Errors starting a sandbox.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is inconsistent.
    #[error("invalid sandbox configuration: {0}")]
    InvalidConfig(String),
    /// The listening socket could not be opened.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// What a client needs to talk to the sandbox. Secrets are redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SandboxCredentials {
    /// LWA client id.
    pub client_id: String,
    /// LWA client secret.
    pub client_secret: String,
    /// The seller's refresh token.
    pub refresh_token: String,
    /// The selling partner id the refresh token belongs to.
    pub selling_partner_id: String,
    /// The application id.
    pub application_id: String,
    /// Marketplaces the seller participates in.
    pub marketplace_ids: Vec<String>,
    /// MWS `AWSAccessKeyId` (MWS `SellerId` is the selling partner id).
    pub mws_access_key_id: String,
    /// MWS secret key for Signature Version 2.
    pub mws_secret_key: String,
    /// MWS `MWSAuthToken` (optional in requests).
    pub mws_auth_token: String,
}

impl fmt::Debug for SandboxCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("refresh_token", &"[redacted]")
            .field("selling_partner_id", &self.selling_partner_id)
            .field("application_id", &self.application_id)
            .field("marketplace_ids", &self.marketplace_ids)
            .field("mws_access_key_id", &self.mws_access_key_id)
            .field("mws_secret_key", &"[redacted]")
            .finish()
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    shared: Arc<server::Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

fn validate(cfg: &SandboxConfig) -> Result<Vec<&'static marketplaces::Marketplace>, Error> {
    const TEN_YEARS: Duration = Duration::from_secs(3650 * 86_400);
    if !(cfg.time_scale.is_finite() && cfg.time_scale > 0.0 && cfg.time_scale <= 1e6) {
        return Err(Error::InvalidConfig(format!(
            "time_scale must be in (0, 1e6], not {}",
            cfg.time_scale
        )));
    }
    if !(cfg.orders_per_hour.is_finite() && (0.0..=1e7).contains(&cfg.orders_per_hour)) {
        return Err(Error::InvalidConfig(
            "orders_per_hour must be in [0, 1e7]".into(),
        ));
    }
    if cfg.token_lifetime.is_zero() || cfg.token_lifetime > TEN_YEARS {
        return Err(Error::InvalidConfig(
            "token_lifetime must be between 1 s and ten years".into(),
        ));
    }
    if cfg.history > TEN_YEARS {
        return Err(Error::InvalidConfig(
            "history must be at most ten years".into(),
        ));
    }
    if cfg.sellers == 0 {
        return Err(Error::InvalidConfig("at least one seller is needed".into()));
    }
    if cfg.marketplaces.is_empty() {
        return Err(Error::InvalidConfig(
            "at least one marketplace is needed".into(),
        ));
    }
    cfg.marketplaces
        .iter()
        .map(|id| {
            marketplaces::by_id(id)
                .ok_or_else(|| Error::InvalidConfig(format!("unknown marketplace id {id}")))
        })
        .collect()
}

impl Sandbox {
    /// Generates the world and starts serving on `127.0.0.1:{config.port}`.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, Error> {
        let mps = validate(&config)?;
        let start = clock::trunc(config.start_time.unwrap_or_else(OffsetDateTime::now_utc));
        let worlds = (0..config.sellers)
            .map(|i| {
                let seed = if i == 0 {
                    config.seed
                } else {
                    faults::mix(config.seed ^ (i as u64))
                };
                let w = world::World::new(
                    seed,
                    mps.clone(),
                    config.initial_orders,
                    config.history,
                    config.orders_per_hour,
                    start,
                );
                (config.credentials.for_seller(i).selling_partner_id, w)
            })
            .collect();
        let clock = clock::Clock::new(start, config.time_scale, config.clock);
        let port = config.port;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|source| Error::Bind { port, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| Error::Bind { port, source })?;
        let shared = Arc::new(server::Shared::new(
            config,
            clock,
            worlds,
            format!("http://{addr}"),
        ));
        let app = axum::Router::new()
            .fallback(server::handle)
            .with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "sandbox server stopped with an error");
            }
        });
        tracing::info!(%addr, "amazon sandbox listening");
        Ok(Sandbox {
            shared,
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The SP-API base URL (`http://127.0.0.1:PORT`), used in place of
    /// `https://sellingpartnerapi-na.amazon.com`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The LWA token endpoint, used in place of `https://api.amazon.com/auth/o2/token`.
    pub fn lwa_url(&self) -> String {
        format!("http://{}/auth/o2/token", self.addr)
    }

    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The credentials of seller 0, and the seller's marketplaces.
    pub fn credentials(&self) -> SandboxCredentials {
        self.seller_credentials(0)
    }

    /// The credentials of every seller (index = seller number).
    pub fn all_credentials(&self) -> Vec<SandboxCredentials> {
        (0..self.shared.worlds.len())
            .map(|i| self.seller_credentials(i))
            .collect()
    }

    fn seller_credentials(&self, i: usize) -> SandboxCredentials {
        let c = self.shared.cfg.credentials.for_seller(i);
        SandboxCredentials {
            client_id: c.client_id,
            client_secret: c.client_secret,
            refresh_token: c.refresh_token,
            selling_partner_id: c.selling_partner_id,
            application_id: c.application_id,
            marketplace_ids: self.shared.cfg.marketplaces.clone(),
            mws_access_key_id: c.mws_access_key_id,
            mws_secret_key: c.mws_secret_key,
            mws_auth_token: c.mws_auth_token,
        }
    }

    /// The world of one seller (by selling partner id) in a multi-seller sandbox.
    pub fn seller(&self, selling_partner_id: &str) -> Option<SellerView<'_>> {
        self.shared
            .seller_index(selling_partner_id)
            .map(|ix| SellerView {
                shared: &self.shared,
                ix,
            })
    }

    fn first(&self) -> SellerView<'_> {
        SellerView {
            shared: &self.shared,
            ix: 0,
        }
    }

    /// The configuration the sandbox runs with.
    pub fn config(&self) -> &SandboxConfig {
        &self.shared.cfg
    }

    /// The sandbox's current time.
    pub fn now(&self) -> OffsetDateTime {
        self.shared.now()
    }

    /// Moves the sandbox clock forward and applies every arrival and status change that
    /// became due; returns the new time.
    pub fn advance_clock(&self, by: Duration) -> OffsetDateTime {
        self.shared.advance(by)
    }

    /// A snapshot of every order (no buyer PII).
    pub fn orders(&self) -> Vec<OrderSnapshot> {
        self.first().orders()
    }

    /// Creates `n` new orders placed now (Pending, random marketplace and channel).
    pub fn add_orders(&self, n: usize) -> Vec<String> {
        self.first().add_orders(n)
    }

    /// Creates `n` new merchant-fulfilled orders, already `Unshipped`, in `marketplace_id`
    /// (or a random one of the seller's).
    pub fn add_unshipped_mfn_orders(&self, n: usize, marketplace_id: Option<&str>) -> Vec<String> {
        self.first().add_unshipped_mfn_orders(n, marketplace_id)
    }

    /// Forces an order's status (as `POST /_sandbox/orders/{id}/status`).
    pub fn set_order_status(&self, order_id: &str, status: OrderStatus) -> Result<(), String> {
        self.first().set_order_status(order_id, status)
    }

    /// Marks a buyer cancellation request on an Unshipped order.
    pub fn buyer_cancel_request(&self, order_id: &str) -> Result<(), String> {
        self.first().buyer_cancel_request(order_id)
    }

    /// Every shipment confirmation accepted so far.
    pub fn confirmed_shipments(&self) -> Vec<ConfirmedShipment> {
        self.first().confirmed_shipments()
    }

    /// Every package held on seller 0's orders as Amazon now holds it (carrier, tracking,
    /// items), with the number of `confirmShipment` calls accepted for it (writes applied,
    /// whether or not the client saw the answer) and of feed messages applied to it.
    pub fn packages(&self) -> Vec<PackageState> {
        self.first().packages()
    }

    /// Totals over [`Sandbox::packages`].
    pub fn package_totals(&self) -> PackageTotals {
        self.first().package_totals()
    }

    /// Every refund or adjustment received through payment adjustment feeds (SP-API
    /// `POST_PAYMENT_ADJUSTMENT_DATA` or MWS `_POST_PAYMENT_ADJUSTMENT_DATA_`).
    pub fn payment_adjustments(&self) -> Vec<PaymentAdjustment> {
        self.first().payment_adjustments()
    }

    /// Per-operation statistics (operation names as in the models; the v2026 `getOrder`
    /// is `orders2026.getOrder`, the LWA endpoint `lwaToken`).
    pub fn stats(&self) -> std::collections::BTreeMap<String, OperationStats> {
        self.shared.stats_snapshot()
    }

    /// Forgets the statistics gathered so far.
    pub fn reset_stats(&self) {
        server::lock(&self.shared.stats).clear();
    }

    /// Replaces the fault rules.
    pub fn set_faults(&self, spec: FaultSpec) {
        self.shared.replace_faults(spec);
    }

    /// Stops the server and waits (briefly) for it to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(2), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

/// One seller's world in a sandbox (seller 0's is what the `Sandbox` methods use).
#[derive(Clone, Copy)]
pub struct SellerView<'a> {
    shared: &'a server::Shared,
    ix: usize,
}

impl fmt::Debug for SellerView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SellerView")
            .field("seller", &self.shared.worlds[self.ix].0)
            .finish()
    }
}

impl SellerView<'_> {
    /// The selling partner id.
    pub fn selling_partner_id(&self) -> &str {
        &self.shared.worlds[self.ix].0
    }

    /// A snapshot of this seller's orders (no buyer PII).
    pub fn orders(&self) -> Vec<OrderSnapshot> {
        self.shared.snapshot(self.ix)
    }

    /// Creates `n` new orders placed now (Pending, random marketplace and channel).
    pub fn add_orders(&self, n: usize) -> Vec<String> {
        self.shared
            .add(self.ix, n, &world::NewOrderOptions::default())
    }

    /// Creates `n` merchant-fulfilled orders, already `Unshipped`, in `marketplace_id` (or
    /// a random one of the seller's).
    pub fn add_unshipped_mfn_orders(&self, n: usize, marketplace_id: Option<&str>) -> Vec<String> {
        let opts = world::NewOrderOptions {
            marketplace: marketplace_id.and_then(marketplaces::by_id),
            afn: Some(false),
            unshipped: true,
        };
        self.shared.add(self.ix, n, &opts)
    }

    /// Forces an order's status.
    pub fn set_order_status(&self, order_id: &str, status: OrderStatus) -> Result<(), String> {
        let now = self.shared.now();
        self.shared.world(self.ix).set_status(order_id, status, now)
    }

    /// Marks a buyer cancellation request on an Unshipped order.
    pub fn buyer_cancel_request(&self, order_id: &str) -> Result<(), String> {
        let now = self.shared.now();
        self.shared
            .world(self.ix)
            .buyer_cancel_request(order_id, now)
    }

    /// The shipment confirmations accepted for this seller.
    pub fn confirmed_shipments(&self) -> Vec<ConfirmedShipment> {
        self.shared.shipments(self.ix)
    }

    /// This seller's packages and the writes that reached them (see
    /// [`Sandbox::packages`]).
    pub fn packages(&self) -> Vec<PackageState> {
        self.shared.world(self.ix).package_states()
    }

    /// Totals over [`SellerView::packages`].
    pub fn package_totals(&self) -> PackageTotals {
        PackageTotals::of(&self.packages())
    }

    /// The payment adjustments received for this seller.
    pub fn payment_adjustments(&self) -> Vec<PaymentAdjustment> {
        self.shared.world(self.ix).adjustments.clone()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn handles_are_thread_safe() {
        fn check<T: Send + Sync>() {}
        check::<super::Sandbox>();
        check::<super::SellerView<'static>>();
        check::<super::SandboxConfig>();
    }
}
