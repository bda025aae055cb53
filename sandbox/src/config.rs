//! Configuration of a sandbox: seed, world size, clock, credentials, rate limits and faults.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use time::OffsetDateTime;

use crate::faults::FaultSpec;

/// How the sandbox clock moves.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum ClockMode {
    /// The clock follows real (tokio) time multiplied by the time-scale factor `K`.
    Scaled,
    /// The clock stands still and moves only when asked (`Sandbox::advance_clock` or
    /// `POST /_sandbox/clock/advance`). Use it for deterministic tests.
    Manual,
}

/// A published rate limit: `rate` requests per second refilled into a bucket of `burst`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per (sandbox) second.
    pub rate: f64,
    /// Bucket size.
    pub burst: u32,
}

/// The credentials the sandbox accepts. Secrets are redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// LWA client id of the application (`amzn1.application-oa2-client.…`).
    pub client_id: String,
    /// LWA client secret.
    pub client_secret: String,
    /// The seller's refresh token (`Atzr|…`).
    pub refresh_token: String,
    /// The selling partner (merchant) id the refresh token belongs to.
    pub selling_partner_id: String,
    /// An authorization code accepted once by the `authorization_code` grant.
    pub authorization_code: String,
    /// The application id, used as `targetApplication` and in rate-limit keys.
    pub application_id: String,
    /// MWS developer access key id (`AWSAccessKeyId`).
    pub mws_access_key_id: String,
    /// MWS secret key (signs requests with Signature Version 2).
    pub mws_secret_key: String,
    /// MWS delegation token (`MWSAuthToken`); requests may also omit it.
    pub mws_auth_token: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("refresh_token", &"[redacted]")
            .field("selling_partner_id", &self.selling_partner_id)
            .field("authorization_code", &"[redacted]")
            .field("application_id", &self.application_id)
            .field("mws_access_key_id", &self.mws_access_key_id)
            .field("mws_secret_key", &"[redacted]")
            .finish()
    }
}

impl Credentials {
    /// The credentials of seller `i` of a multi-seller sandbox: seller 0 is `self`; the
    /// others share the application (client id and secret) and get their own refresh
    /// token (`…-{i}`) and selling partner id (`…{i}`).
    pub fn for_seller(&self, i: usize) -> Credentials {
        if i == 0 {
            return self.clone();
        }
        Credentials {
            refresh_token: format!("{}-{i}", self.refresh_token),
            selling_partner_id: format!("{}{i}", self.selling_partner_id),
            ..self.clone()
        }
    }
}

impl Default for Credentials {
    fn default() -> Self {
        Self {
            client_id: "amzn1.application-oa2-client.sandbox0000000000000000000000".into(),
            client_secret: "amzn1.oa2-cs.v1.sandbox-secret-0000000000000000000000000000".into(),
            refresh_token: "Atzr|sandbox-refresh-token-0000000000000000000000000000".into(),
            selling_partner_id: "A3SANDBOXSELLER".into(),
            authorization_code: "ANsandboxAuthorizationCode0000".into(),
            application_id: "amzn1.sp.solution.sandbox-0000-0000-0000-000000000000".into(),
            mws_access_key_id: "AKIASANDBOX000000000".into(),
            mws_secret_key: "sandbox/MWS/secret/key/0000000000000000000".into(),
            mws_auth_token: "amzn.mws.00000000-0000-0000-0000-000000000000".into(),
        }
    }
}

/// Everything that shapes a sandbox. Start from `Default` and chain the setters (or set
/// the public fields):
///
/// ```
/// use amazon_sandbox::{ClockMode, SandboxConfig};
/// let config = SandboxConfig::default()
///     .seed(7)
///     .initial_orders(50)
///     .clock(ClockMode::Manual);
/// assert_eq!(config.token_lifetime.as_secs(), 3600);
/// assert_eq!(config.seed, 7);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SandboxConfig {
    /// Seed of every random choice (orders, ids, tokens, faults). Same seed, same world.
    pub seed: u64,
    /// Orders generated at start, spread over `history` before the start time.
    pub initial_orders: usize,
    /// How far back the initial orders reach.
    pub history: Duration,
    /// Marketplaces the seller participates in (ids from Amazon's table).
    pub marketplaces: Vec<String>,
    /// New orders per sandbox hour (a Poisson process); `0.0` stops arrivals.
    pub orders_per_hour: f64,
    /// Time-scale factor `K`: in [`ClockMode::Scaled`] the clock, arrivals, token
    /// lifetimes and rate-limit refill run `K` times faster than real time.
    pub time_scale: f64,
    /// Scaled (real time × K) or manual clock.
    pub clock: ClockMode,
    /// The sandbox time at start; `None` means the wall clock at start (whole seconds).
    pub start_time: Option<OffsetDateTime>,
    /// Lifetime of LWA access tokens and RDTs, in sandbox time.
    pub token_lifetime: Duration,
    /// Enforce per-operation token buckets (429 QuotaExceeded when empty).
    pub rate_limits: bool,
    /// Replace the published rate/burst of some operations (keyed by operation name, e.g.
    /// `getOrders`, `orders2026.getOrder`).
    pub rate_limit_overrides: BTreeMap<String, RateLimit>,
    /// Fault injection rules.
    pub faults: FaultSpec,
    /// Accepted credentials (of seller 0).
    pub credentials: Credentials,
    /// confirmShipment refuses carrier codes outside Amazon's list (use `Other` with a
    /// `carrierName` for the rest). On by default.
    pub strict_carrier_codes: bool,
    /// Number of sellers who authorised the application; each has its own refresh
    /// token, orders, seed and rate-limit buckets (see [`Credentials::for_seller`]).
    pub sellers: usize,
    /// Port to bind on 127.0.0.1; `0` picks a free port.
    pub port: u16,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            initial_orders: 100,
            history: Duration::from_secs(14 * 24 * 3600),
            marketplaces: crate::marketplaces::DEFAULT_MARKETPLACES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            orders_per_hour: 20.0,
            time_scale: 1.0,
            clock: ClockMode::Scaled,
            start_time: None,
            token_lifetime: Duration::from_secs(3600),
            rate_limits: true,
            rate_limit_overrides: BTreeMap::new(),
            faults: FaultSpec::default(),
            credentials: Credentials::default(),
            sellers: 1,
            strict_carrier_codes: true,
            port: 0,
        }
    }
}

macro_rules! setter {
    ($(#[$doc:meta])* $name:ident: $ty:ty) => {
        $(#[$doc])*
        #[must_use]
        pub fn $name(mut self, value: $ty) -> Self {
            self.$name = value;
            self
        }
    };
}

impl SandboxConfig {
    setter!(
        /// Sets the seed.
        seed: u64
    );
    setter!(
        /// Sets the number of orders generated at start.
        initial_orders: usize
    );
    setter!(
        /// Sets how far back the initial orders reach.
        history: Duration
    );
    setter!(
        /// Sets the seller's marketplaces.
        marketplaces: Vec<String>
    );
    setter!(
        /// Sets the arrival rate (orders per sandbox hour).
        orders_per_hour: f64
    );
    setter!(
        /// Sets the time-scale factor K.
        time_scale: f64
    );
    setter!(
        /// Sets the clock mode.
        clock: ClockMode
    );
    setter!(
        /// Sets the sandbox time at start.
        start_time: Option<OffsetDateTime>
    );
    setter!(
        /// Sets the token lifetime (sandbox time).
        token_lifetime: Duration
    );
    setter!(
        /// Turns the rate limits on or off.
        rate_limits: bool
    );
    setter!(
        /// Sets the fault rules.
        faults: FaultSpec
    );
    setter!(
        /// Sets the accepted credentials.
        credentials: Credentials
    );
    setter!(
        /// Sets the port (0 = any free port).
        port: u16
    );
    setter!(
        /// Sets the number of sellers.
        sellers: usize
    );
    setter!(
        /// Refuses (or accepts) carrier codes outside Amazon's list.
        strict_carrier_codes: bool
    );

    /// Overrides one operation's rate limit.
    #[must_use]
    pub fn rate_limit_override(mut self, operation: impl Into<String>, limit: RateLimit) -> Self {
        self.rate_limit_overrides.insert(operation.into(), limit);
        self
    }

    /// A manual clock starting at `start`: deterministic tests.
    #[must_use]
    pub fn manual_clock_at(self, start: OffsetDateTime) -> Self {
        self.clock(ClockMode::Manual).start_time(Some(start))
    }
}
