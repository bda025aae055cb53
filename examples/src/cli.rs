//! The command line: arguments (clap), logging, and dispatch to the commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: a job failed, a check found problems, or an operation failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit status: the command (or part of it) is not available yet.
pub const EXIT_UNAVAILABLE: u8 = 2;
/// Exit status: the configuration file is invalid (nothing was touched).
pub const EXIT_CONFIG: u8 = 3;

/// amzsync: sync Amazon seller orders into a local SQLite store and push tracking back.
#[derive(Debug, Parser)]
#[command(
    name = "amzsync",
    version,
    about,
    long_about = "amzsync imports Amazon orders into a SQLite store (or your own host through \
the library), confirms shipments with tracking back to Amazon, and redacts buyer data on time.\n\n\
Start with `amzsync demo`: it runs the whole sync against a local Amazon sandbox, no account needed.",
    after_help = "Examples:\n  amzsync demo\n  amzsync init > amzsync.toml\n  amzsync verify --config amzsync.toml\n  amzsync run --config amzsync.toml\n\nExit status: 0 ok, 1 failure, 2 not available yet or a usage error, 3 invalid configuration."
)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Human, global = true)]
    pub log_format: LogFormat,
    /// Log filter (tracing-subscriber syntax, e.g. `info` or `debug,sqlx=warn`); the
    /// `RUST_LOG` variable is used when this is not given.
    #[arg(long, global = true)]
    pub log: Option<String>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Log output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Human,
    /// One JSON object per line.
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole sync against a local Amazon sandbox into a SQLite file: import, ship,
    /// export tracking, and print what happened. No account needed.
    #[command(
        after_help = "Examples:\n  amzsync demo\n  amzsync demo --orders 2000 --db /tmp/demo.db"
    )]
    Demo(DemoArgs),
    /// Write a commented configuration template (to stdout, or to --output).
    #[command(
        after_help = "Examples:\n  amzsync init > amzsync.toml\n  amzsync init --output amzsync.toml"
    )]
    Init(InitArgs),
    /// Check a configuration file without contacting Amazon or touching data: every
    /// problem is listed with its key path.
    #[command(after_help = "Example:\n  amzsync check --config amzsync.toml")]
    Check(ConfigArg),
    /// Test the credentials of every account: get a token, list the marketplaces the
    /// seller participates in, and say what to fix for each failure.
    #[command(after_help = "Example:\n  amzsync verify --config amzsync.toml")]
    Verify(ConfigArg),
    /// Authorise the application for a seller: print the consent URL, receive the code
    /// (on a loopback port, or pasted), exchange it, and store the refresh token.
    #[command(
        after_help = "Examples:\n  amzsync onboard --config amzsync.toml --account us-main --listen 8765\n  amzsync onboard --config amzsync.toml --account us-main --code ANxxxx"
    )]
    Onboard(OnboardArgs),
    /// Run every enabled job of every account on its schedule until Ctrl-C or SIGTERM.
    #[command(
        after_help = "Example:\n  amzsync run --config /etc/amzsync/amzsync.toml --log-format json"
    )]
    Run(ConfigArg),
    /// Run the chosen jobs once and exit (non-zero when a job failed).
    #[command(
        after_help = "Examples:\n  amzsync once --config amzsync.toml\n  amzsync once --config amzsync.toml --account us-main --job export_shipments"
    )]
    Once(OnceArgs),
    /// Import history for an account from a date, with progress.
    #[command(
        after_help = "Examples:\n  amzsync backfill --config amzsync.toml --account us-main --from 2026-09-01\n  amzsync backfill --config amzsync.toml --account us-main --from 2026-07-01 --to 2026-09-30"
    )]
    Backfill(BackfillArgs),
    /// Show, per account: orders held, cursors, the last run of each job, pending and
    /// refused exports, parked orders (`--json` for scripts; the schema is documented).
    #[command(
        after_help = "Examples:\n  amzsync status --config amzsync.toml\n  amzsync status --config amzsync.toml --json | jq '.accounts[0].parked'"
    )]
    Status(StatusArgs),
    /// Encrypt the store's PII with the key of `[store] pii_key_env` (a file written in
    /// plain text), or rotate to it from the key in `--old-key-env`. Stop `amzsync run`
    /// first: nothing else may use the file meanwhile.
    #[command(
        after_help = "Examples:\n  amzsync reseal-pii --config amzsync.toml\n  amzsync reseal-pii --config amzsync.toml --old-key-env AMZSYNC_OLD_PII_KEY"
    )]
    ResealPii(ResealArgs),
    /// Settle an export whose outcome the engine cannot verify (Orders v0 shows no
    /// packages): after checking the order in Seller Central, record it as on Amazon
    /// (`--sent`) or have it sent again (`--resend`).
    #[command(
        subcommand,
        after_help = "Example:\n  amzsync outbox settle --config amzsync.toml --account us-main --order 111-2223334-5556667 --package 1 --sent"
    )]
    Outbox(OutboxCommand),
    /// Run the local Amazon sandbox (LWA and SP-API on loopback) until Ctrl-C.
    #[command(after_help = "Example:\n  amzsync sandbox --port 8088 --orders 1000 --time-scale 60")]
    Sandbox(amazon_sandbox::CliArgs),
}

/// `--config FILE`.
#[derive(Debug, Args)]
pub struct ConfigArg {
    /// The configuration file (TOML).
    #[arg(long, short = 'c', env = "AMZSYNC_CONFIG")]
    pub config: PathBuf,
}

/// Arguments of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Orders the sandbox generates.
    #[arg(long, default_value_t = 500)]
    pub orders: usize,
    /// The SQLite file to sync into (replaced if it holds an earlier demo; any other
    /// existing file is refused).
    #[arg(long, default_value = "amzsync-demo.db")]
    pub db: PathBuf,
    /// Seed of the generated world.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// How many merchant-fulfilled orders the "host" ships.
    #[arg(long, default_value_t = 20)]
    pub ship: usize,
    /// Turn Amazon's rate limits off, in the sandbox and in the client (for large --orders).
    #[arg(long)]
    pub no_rate_limits: bool,
}

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Write here instead of stdout (an existing file is never overwritten).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

/// Arguments of `onboard`.
#[derive(Debug, Args)]
pub struct OnboardArgs {
    /// The configuration file.
    #[arg(long, short = 'c', env = "AMZSYNC_CONFIG")]
    pub config: PathBuf,
    /// The account to authorise.
    #[arg(long)]
    pub account: String,
    /// The authorization code (`spapi_oauth_code`), if you already have it.
    #[arg(long)]
    pub code: Option<String>,
    /// Receive the redirect on this loopback port (http://127.0.0.1:PORT/).
    #[arg(long)]
    pub listen: Option<u16>,
    /// The redirect URI registered for the app (sent with the code exchange).
    #[arg(long)]
    pub redirect_uri: Option<String>,
    /// The app is still in draft/beta (adds `version=beta` to the consent URL).
    #[arg(long)]
    pub beta: bool,
    /// Print the refresh token (otherwise it is only stored in the secrets file).
    #[arg(long)]
    pub print_token: bool,
}

/// Arguments of `once`.
#[derive(Debug, Args)]
pub struct OnceArgs {
    /// The configuration file.
    #[arg(long, short = 'c', env = "AMZSYNC_CONFIG")]
    pub config: PathBuf,
    /// Only this account (default: every enabled account).
    #[arg(long)]
    pub account: Option<String>,
    /// Only this job: import_orders, reconcile, export_shipments or redact_pii (default:
    /// every job enabled for the account).
    #[arg(long)]
    pub job: Option<String>,
}

/// Arguments of `backfill`.
#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// The configuration file.
    #[arg(long, short = 'c', env = "AMZSYNC_CONFIG")]
    pub config: PathBuf,
    /// The account.
    #[arg(long)]
    pub account: String,
    /// First day (2026-09-01) or date-time (RFC 3339).
    #[arg(long)]
    pub from: String,
    /// Last day (2026-09-30: that whole day) or date-time (RFC 3339, exclusive); must be
    /// after --from. With it, the backfill only re-lists orders last updated in the range
    /// and imports what the store lacks; it never moves the import cursor.
    #[arg(long)]
    pub to: Option<String>,
}

/// `amzsync outbox ...`.
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Record what Amazon did with a package whose outcome is unknown.
    Settle(SettleArgs),
}

/// Arguments of `outbox settle`.
#[derive(Debug, Args)]
pub struct SettleArgs {
    /// The configuration file.
    #[arg(long, short = 'c', env = "AMZSYNC_CONFIG")]
    pub config: PathBuf,
    /// The account (its name in the configuration).
    #[arg(long)]
    pub account: String,
    /// The Amazon order id.
    #[arg(long)]
    pub order: String,
    /// The package reference.
    #[arg(long)]
    pub package: String,
    /// The package is on Amazon (with this tracking): record it as confirmed.
    #[arg(long, conflicts_with = "resend", required_unless_present = "resend")]
    pub sent: bool,
    /// The package is not on Amazon: send it again.
    #[arg(long)]
    pub resend: bool,
}

/// Arguments of `reseal-pii`.
#[derive(Debug, Args)]
pub struct ResealArgs {
    /// The configuration file (its `[store] pii_key_env` names the new key).
    #[arg(long, short = 'c', env = "AMZSYNC_CONFIG")]
    pub config: PathBuf,
    /// Variable holding the key the file is encrypted with today (omit for a file in
    /// plain text).
    #[arg(long)]
    pub old_key_env: Option<String>,
}

/// Arguments of `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The configuration file.
    #[arg(long, short = 'c', env = "AMZSYNC_CONFIG")]
    pub config: PathBuf,
    /// Print JSON (schema version 1, documented in docs/operations.md).
    #[arg(long)]
    pub json: bool,
}

fn init_logging(cli: &Cli) {
    use tracing_subscriber::EnvFilter;
    let default = match cli.command {
        // The demo prints its own progress and summary; keep the log quiet.
        Command::Demo(_) => "warn",
        _ => "info,sqlx=warn",
    };
    let filter = match &cli.log {
        Some(f) => EnvFilter::try_new(f).unwrap_or_else(|_| EnvFilter::new(default)),
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default)),
    };
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match cli.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Human => builder.try_init(),
    };
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("amzsync: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let code = runtime.block_on(run(cli));
    // Do not wait for background tasks (e.g. a sandbox server) to wind down.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    ExitCode::from(code)
}

/// Runs a parsed command line; returns the exit status.
pub async fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Demo(a) => commands::demo::run(a).await,
        Command::Init(a) => commands::init(a),
        Command::Check(a) => commands::check(&a.config),
        Command::Verify(a) => commands::verify::run(&a.config).await,
        Command::Onboard(a) => commands::onboard::run(a).await,
        Command::Run(a) => commands::sync::run_daemon(&a.config).await,
        Command::Once(a) => commands::sync::once(a).await,
        Command::Backfill(a) => commands::sync::backfill(a).await,
        Command::Status(a) => commands::status::run(a).await,
        Command::ResealPii(a) => commands::reseal_pii(a).await,
        Command::Outbox(OutboxCommand::Settle(a)) => commands::outbox::settle(a).await,
        Command::Sandbox(a) => match amazon_sandbox::run_cli(a).await {
            Ok(()) => EXIT_OK,
            Err(e) => {
                eprintln!("amzsync sandbox: {e}");
                EXIT_FAILED
            }
        },
    }
}
