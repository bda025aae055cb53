//! The command line of the `amazon-sandbox` binary, reusable by other binaries
//! (e.g. `amzsync sandbox`) through [`CliArgs`] and [`run_cli`].

use std::time::Duration;

use crate::config::{ClockMode, SandboxConfig};
use crate::faults::FaultSpec;
use crate::{Error, Sandbox};

/// Arguments of the sandbox command.
#[derive(Debug, Clone, clap::Args)]
#[non_exhaustive]
pub struct CliArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8088)]
    pub port: u16,
    /// Seed of the generated world, tokens and faults.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Orders generated at start.
    #[arg(long = "orders", default_value_t = 1000)]
    pub orders: usize,
    /// New orders per sandbox hour.
    #[arg(long, default_value_t = 20.0)]
    pub orders_per_hour: f64,
    /// Time-scale factor K: the clock, arrivals, token lifetimes and rate-limit refill run K
    /// times faster.
    #[arg(long = "time-scale", default_value_t = 1.0)]
    pub time_scale: f64,
    /// Stop the clock; move it with `POST /_sandbox/clock/advance`.
    #[arg(long)]
    pub manual_clock: bool,
    /// Fault rules, e.g. `429=0.05,500=0.01;getOrders:drop=0.1;slow_ms=300`.
    #[arg(long, default_value = "", value_parser = parse_faults)]
    pub faults: FaultSpec,
    /// Turn the per-operation rate limits off.
    #[arg(long)]
    pub no_rate_limits: bool,
    /// Access-token and RDT lifetime in sandbox seconds.
    #[arg(long, default_value_t = 3600)]
    pub token_lifetime_secs: u64,
    /// Sellers who authorised the application (each gets its own refresh token and orders).
    #[arg(long, default_value_t = 1)]
    pub sellers: usize,
    /// Marketplace ids, comma-separated (default: US, CA, UK, DE, FR, JP).
    #[arg(long, value_delimiter = ',')]
    pub marketplaces: Vec<String>,
}

fn parse_faults(s: &str) -> Result<FaultSpec, String> {
    s.parse::<FaultSpec>().map_err(|e| e.to_string())
}

impl CliArgs {
    /// The sandbox configuration these arguments describe.
    pub fn to_config(&self) -> SandboxConfig {
        let mut c = SandboxConfig {
            seed: self.seed,
            initial_orders: self.orders,
            orders_per_hour: self.orders_per_hour,
            time_scale: self.time_scale,
            clock: if self.manual_clock {
                ClockMode::Manual
            } else {
                ClockMode::Scaled
            },
            faults: self.faults.clone(),
            rate_limits: !self.no_rate_limits,
            token_lifetime: Duration::from_secs(self.token_lifetime_secs),
            port: self.port,
            sellers: self.sellers,
            ..SandboxConfig::default()
        };
        if !self.marketplaces.is_empty() {
            c.marketplaces = self.marketplaces.clone();
        }
        c
    }
}

/// Starts a sandbox from the arguments, prints how to reach it, and serves until Ctrl-C.
pub async fn run_cli(args: CliArgs) -> Result<(), Error> {
    let started = std::time::Instant::now();
    let sandbox = Sandbox::start(args.to_config()).await?;
    let all = sandbox.all_credentials();
    let c = sandbox.credentials();
    println!(
        "amazon-sandbox ready in {} ms",
        started.elapsed().as_millis()
    );
    println!("  SP-API base URL     {}", sandbox.base_url());
    println!("  LWA token URL       {}", sandbox.lwa_url());
    println!("  control API         {}/_sandbox/", sandbox.base_url());
    println!("  client_id           {}", c.client_id);
    println!("  client_secret       {}", c.client_secret);
    println!("  refresh_token       {}", c.refresh_token);
    println!("  selling_partner_id  {}", c.selling_partner_id);
    println!("  marketplace_ids     {}", c.marketplace_ids.join(","));
    println!(
        "  MWS endpoint        {} (Orders /Orders/2013-09-01, Feeds /Feeds/2009-01-01)",
        sandbox.base_url()
    );
    println!("  mws_access_key_id   {}", c.mws_access_key_id);
    println!("  mws_secret_key      {}", c.mws_secret_key);
    for other in all.iter().skip(1) {
        println!(
            "  seller {}  refresh_token {}",
            other.selling_partner_id, other.refresh_token
        );
    }
    println!(
        "  orders {} · seed {} · time scale {} · clock {} · rate limits {} · faults {}",
        args.orders,
        args.seed,
        args.time_scale,
        if args.manual_clock {
            "manual"
        } else {
            "scaled"
        },
        if args.no_rate_limits { "off" } else { "on" },
        if args.faults.is_empty() {
            "none".to_owned()
        } else {
            args.faults.to_string()
        }
    );
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::warn!(error = %e, "cannot wait for Ctrl-C; stopping");
    }
    sandbox.shutdown().await;
    Ok(())
}
