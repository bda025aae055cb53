//! The `amzsync` configuration file (TOML): accounts, jobs and intervals, sync settings,
//! mapping rules, notifications and the store path.
//!
//! Reading a file checks everything before anything else happens and reports **every**
//! problem at once, each with its key path, the bad value (never a secret) and a hint:
//! unknown keys (with "did you mean"), wrong types, bad durations and dates, marketplaces
//! that are not in the account's region, mapping rules the `order-mapping` crate refuses,
//! and credentials whose environment variable or secrets file is missing.
//!
//! Secrets (the LWA client secret and the refresh token) are never in the file: an account
//! names the environment variables that hold them, or a secrets file. A secret written in
//! the file itself is an error, and its value is never echoed.
//!
//! ```
//! use amzsync_cli::config::Config;
//!
//! let text = r#"
//! [store]
//! path = "shop.db"
//!
//! [[accounts]]
//! name = "eu-main"
//! region = "eu"
//! marketplaces = ["UK", "DE"]
//! credentials = { client_id_env = "ID", client_secret_env = "SECRET", refresh_token_env = "TOKEN" }
//! "#;
//! let config = Config::from_toml_str(text, std::path::Path::new("/etc/amzsync")).unwrap();
//! assert_eq!(config.accounts[0].marketplaces.len(), 2);
//! assert_eq!(config.store.path, std::path::Path::new("/etc/amzsync/shop.db"));
//!
//! let bad = Config::from_toml_str("[[accounts]]\nname = \"x\"\nregoin = \"eu\"\n", std::path::Path::new(".")).unwrap_err();
//! assert!(bad.to_string().contains(r#"accounts[0].regoin: unknown key "regoin""#));
//! assert!(bad.to_string().contains(r#"did you mean "region"?"#));
//! ```

mod problems;
mod reader;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use order_mapping::MappingConfig;
use order_sync_core::accounts::{AccountIdentity, TokenFingerprint};
use secrecy::SecretString;
use spapi_client::{Marketplace, Region};
use time::OffsetDateTime;
use toml::{Table, Value};
use url::Url;

pub use problems::{ConfigErrors, ConfigProblem};
use reader::{Problems, TableReader, join, show, type_name};

/// The commented template `amzsync init` writes. It validates as it is once the
/// environment variables it names are set.
pub const TEMPLATE: &str = include_str!("template.toml");

/// A whole configuration file, checked.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Where the data lives.
    pub store: StoreConfig,
    /// The seller accounts.
    pub accounts: Vec<AccountSettings>,
    /// Default job intervals (an account may override them).
    pub jobs: JobIntervals,
    /// Sync settings shared by every account.
    pub sync: SyncSettings,
    /// Where run reports go.
    pub notifications: NotificationsConfig,
    /// The mapping rules (`[mapping]`, the `order-mapping` crate's schema).
    pub mapping: MappingConfig,
}

/// `[store]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreConfig {
    /// The SQLite file (relative paths are relative to the config file's folder).
    /// Default `amzsync.db`.
    pub path: PathBuf,
    /// Environment variable holding the key (standard base64 of 32 bytes) that encrypts
    /// buyer PII at rest (XChaCha20-Poly1305); plain text when absent.
    pub pii_key_env: Option<String>,
}

/// Which Orders API reads an account's orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiFlavour {
    /// Orders API v2026-01-01 `searchOrders` (the default: items and PII inline).
    V2026,
    /// Orders API v0 `getOrders` + `getOrderItems` + restricted data tokens (deprecated by
    /// Amazon, removal announced for 2027-03-27).
    V0,
}

impl ApiFlavour {
    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiFlavour::V2026 => "v2026",
            ApiFlavour::V0 => "v0",
        }
    }
}

/// One `[[accounts]]` entry.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AccountSettings {
    /// Unique name, used on the command line and shown in `status`, logs and reports.
    /// Only a label: the data is keyed by the seller (see [`AccountSettings::identity`]),
    /// so renaming the entry keeps it.
    pub name: String,
    /// A display name.
    pub nickname: Option<String>,
    /// The SP-API region.
    pub region: Region,
    /// The selling partner id (merchant token, e.g. `A3SANDBOXSELLER`), when written.
    /// `amzsync onboard` prints it; with it, a new refresh token keeps the account's data.
    pub seller_id: Option<String>,
    /// The marketplaces to sync, all in `region`.
    pub marketplaces: Vec<&'static Marketplace>,
    /// The Orders API to read with.
    pub api: ApiFlavour,
    /// Whether the account is synced (default `true`).
    pub enabled: bool,
    /// Where the secrets come from.
    pub credentials: CredentialSource,
    /// SP-API endpoint override (https, or http on loopback, e.g. the sandbox).
    pub endpoint: Option<Url>,
    /// LWA token endpoint override.
    pub lwa_endpoint: Option<Url>,
    /// The application id (`amzn1.sp.solution.…`), needed by `amzsync onboard`.
    pub application_id: Option<String>,
    /// Seller Central base URL for the consent page (default by region).
    pub seller_central_url: Option<Url>,
    /// Start of the first import (overrides `sync.import_from`).
    pub import_from: Option<OffsetDateTime>,
    /// Import FBA orders (overrides `sync.fba`).
    pub fba: Option<bool>,
    /// Job intervals, the account's overrides merged over `[jobs]`.
    pub jobs: JobIntervals,
}

impl AccountSettings {
    /// Who this entry's seller is, for the account directory: region, the configured
    /// seller id, the refresh token's fingerprint (when `refresh_token` is given) and the
    /// name as the label.
    pub fn identity(&self, refresh_token: Option<&SecretString>) -> AccountIdentity {
        let mut id = AccountIdentity::new(self.region.as_str(), self.name.as_str());
        if let Some(s) = &self.seller_id {
            id = id.selling_partner_id(s.as_str());
        }
        if let Some(t) = refresh_token {
            id = id.token_fingerprint(TokenFingerprint::of_refresh_token(
                secrecy::ExposeSecret::expose_secret(t),
            ));
        }
        id
    }

    /// The fingerprint of the refresh token the environment or the secrets file holds
    /// for this entry, if any (problems reading it are reported elsewhere).
    pub fn refresh_token_fingerprint(&self, env: EnvLookup<'_>) -> Option<TokenFingerprint> {
        let c = &self.credentials;
        let token = c
            .refresh_token_env
            .as_deref()
            .and_then(env)
            .filter(|v| !v.trim().is_empty())
            .or_else(|| {
                c.secrets_file
                    .as_deref()
                    .and_then(|p| read_secrets_file(p, "").ok().flatten())
                    .and_then(|f| f.refresh_token)
            })?;
        Some(TokenFingerprint::of_refresh_token(&token))
    }

    /// The nickname, else the name.
    pub fn display_name(&self) -> &str {
        self.nickname.as_deref().unwrap_or(&self.name)
    }

    /// The Seller Central base URL for consent: the configured one, else the region's.
    pub fn seller_central(&self) -> Result<Url, url::ParseError> {
        if let Some(u) = &self.seller_central_url {
            return Ok(u.clone());
        }
        Url::parse(match self.region {
            Region::Eu => "https://sellercentral-europe.amazon.com",
            Region::Fe => "https://sellercentral-japan.amazon.com",
            _ => "https://sellercentral.amazon.com",
        })
    }
}

/// Where an account's credentials come from: environment variables and/or a secrets file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CredentialSource {
    /// The LWA client id written in the file (it is not a secret).
    pub client_id: Option<String>,
    /// Environment variable holding the client id.
    pub client_id_env: Option<String>,
    /// Environment variable holding the client secret.
    pub client_secret_env: Option<String>,
    /// Environment variable holding the refresh token.
    pub refresh_token_env: Option<String>,
    /// A TOML file with `client_id`, `client_secret` and/or `refresh_token`
    /// (`amzsync onboard` writes the refresh token there).
    pub secrets_file: Option<PathBuf>,
}

/// Credentials read from the environment or the secrets file.
#[derive(Clone)]
#[non_exhaustive]
pub struct ResolvedCredentials {
    /// The LWA client id.
    pub client_id: String,
    /// The LWA client secret.
    pub client_secret: SecretString,
    /// The refresh token, if there is one yet.
    pub refresh_token: Option<SecretString>,
}

impl std::fmt::Debug for ResolvedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolvedCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// How often each job runs; `None` disables it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct JobIntervals {
    /// Import orders. Default every minute.
    pub import_orders: Option<StdDuration>,
    /// Reconcile. Default daily.
    pub reconcile: Option<StdDuration>,
    /// Export shipments. Default every minute.
    pub export_shipments: Option<StdDuration>,
    /// Redact PII. Default daily.
    pub redact_pii: Option<StdDuration>,
}

impl Default for JobIntervals {
    fn default() -> Self {
        Self {
            import_orders: Some(StdDuration::from_secs(60)),
            reconcile: Some(StdDuration::from_secs(86_400)),
            export_shipments: Some(StdDuration::from_secs(60)),
            redact_pii: Some(StdDuration::from_secs(86_400)),
        }
    }
}

/// The job names of `[jobs]`, in order.
pub const JOB_NAMES: [&str; 4] = [
    "import_orders",
    "reconcile",
    "export_shipments",
    "redact_pii",
];

/// `[sync]`: settings shared by every account.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SyncSettings {
    /// Start of an account's first import; `None`: 7 days before the first run.
    pub import_from: Option<OffsetDateTime>,
    /// How far before the cursor each import starts again. Default 10 minutes.
    pub overlap: time::Duration,
    /// The longest window one listing covers. Default 1 day.
    pub max_window: time::Duration,
    /// How far back the reconcile job re-lists. Default 7 days.
    pub reconcile_window: time::Duration,
    /// Import FBA orders too. Default `false`.
    pub fba: bool,
    /// How long PII is kept after delivery. Default 30 days (Amazon's maximum).
    pub pii_retention: time::Duration,
    /// Assumed transit time when only a ship date is known. Default 7 days.
    pub transit_allowance: time::Duration,
    /// Shipments asked of the store per export run. Default 200.
    pub export_batch: usize,
    /// First backoff after a failed or unknown export attempt (doubles per attempt, at
    /// most an hour). Default 30 seconds.
    pub export_retry_backoff: time::Duration,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            import_from: None,
            overlap: time::Duration::minutes(10),
            max_window: time::Duration::days(1),
            reconcile_window: time::Duration::days(7),
            fba: false,
            pii_retention: time::Duration::days(30),
            transit_allowance: time::Duration::days(7),
            export_batch: 200,
            export_retry_backoff: time::Duration::seconds(30),
        }
    }
}

/// Which runs a notifier sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NotifyWhen {
    /// Only runs with new orders, parked orders, failures, errors, or refused or rejected
    /// exports (the default).
    #[default]
    Noteworthy,
    /// Every run.
    Always,
}

/// `[notifications]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotificationsConfig {
    /// Write each run report to the log. Default `true`.
    pub log: bool,
    /// The webhook, if configured.
    pub webhook: Option<WebhookConfig>,
    /// E-mail, if configured.
    pub email: Option<EmailConfig>,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        Self {
            log: true,
            webhook: None,
            email: None,
        }
    }
}

/// `[notifications.webhook]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookConfig {
    /// Where reports are POSTed as JSON.
    pub url: Url,
    /// Which runs are sent.
    pub when: NotifyWhen,
    /// Retries after the first attempt. Default 3.
    pub retries: u32,
    /// Per-attempt timeout. Default 10 seconds.
    pub timeout: StdDuration,
    /// Environment variable holding the shared secret that signs each request
    /// (`x-amzsync-signature`); no signature when absent.
    pub secret_env: Option<String>,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (default; port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption (port 25): only for a relay on localhost.
    None,
}

/// `[notifications.email]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EmailConfig {
    /// SMTP server host.
    pub smtp_host: String,
    /// SMTP port (default by `security`: 587, 465 or 25).
    pub smtp_port: u16,
    /// Connection security.
    pub security: SmtpSecurity,
    /// Environment variable holding the SMTP user name.
    pub username_env: Option<String>,
    /// Environment variable holding the SMTP password.
    pub password_env: Option<String>,
    /// The sender, e.g. `amzsync <sync@example.com>`.
    pub from: String,
    /// The recipients.
    pub to: Vec<String>,
    /// Which runs are sent (`always` sends every run's log, as the old seller plug-ins did).
    pub when: NotifyWhen,
    /// Subject prefix. Default `[amzsync]`.
    pub subject_prefix: String,
}

/// What a command needs from the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Needs {
    /// Nothing: structure only (e.g. `status`).
    Nothing,
    /// Client id and secret (e.g. `onboard`).
    AppCredentials,
    /// Client id, secret and refresh token (e.g. `run`, `verify`).
    SellerCredentials,
}

/// Reads environment variables; tests pass their own.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, as an [`EnvLookup`].
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

const TOP_KEYS: &[&str] = &[
    "store",
    "accounts",
    "jobs",
    "sync",
    "notifications",
    "mapping",
];
const ACCOUNT_KEYS: &[&str] = &[
    "name",
    "nickname",
    "region",
    "seller_id",
    "marketplaces",
    "api",
    "enabled",
    "credentials",
    "endpoint",
    "lwa_endpoint",
    "application_id",
    "seller_central_url",
    "import_from",
    "fba",
    "jobs",
];
const CREDENTIAL_KEYS: &[&str] = &[
    "client_id",
    "client_id_env",
    "client_secret_env",
    "refresh_token_env",
    "secrets_file",
];
const SYNC_KEYS: &[&str] = &[
    "import_from",
    "overlap",
    "max_window",
    "reconcile_window",
    "fba",
    "pii_retention",
    "transit_allowance",
    "export_batch",
    "export_retry_backoff",
];
const DURATION_HINT: &str =
    "write a number and a unit: \"90s\", \"5m\", \"2h\" or \"1d\" (or false to disable a job)";

impl Config {
    /// Reads and checks a configuration file, and the credentials the command `needs`.
    /// Nothing else is touched.
    pub fn load(path: &Path, needs: Needs, env: EnvLookup<'_>) -> Result<Config, ConfigErrors> {
        Self::load_for(path, needs, None, env)
    }

    /// Like [`load`](Self::load), but checks the credentials of the account called
    /// `only` (enabled or not) instead of every enabled account's.
    pub fn load_for(
        path: &Path,
        needs: Needs,
        only: Option<&str>,
        env: EnvLookup<'_>,
    ) -> Result<Config, ConfigErrors> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigErrors::new(vec![
                ConfigProblem::new("", format!("cannot read {}: {e}", path.display()))
                    .hint("pass an existing file with --config, or write one with `amzsync init`"),
            ])
        })?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let (config, mut problems) = Self::parse(&text, &base);
        if let Some(config) = &config {
            // The store key and the notifiers' secrets matter to commands that sync.
            if needs == Needs::SellerCredentials {
                if let Err(p) = config.store.pii_key(env) {
                    problems.push(p);
                }
                if let Some(var) = config
                    .notifications
                    .webhook
                    .as_ref()
                    .and_then(|w| w.secret_env.as_ref())
                {
                    if env(var).is_none_or(|v| v.is_empty()) {
                        problems.push(
                            ConfigProblem::new(
                                "notifications.webhook.secret_env",
                                format!("environment variable {var} is not set"),
                            )
                            .value(format!("{var:?}"))
                            .hint(format!(
                                "export {var}=... (the secret the receiver checks signatures with)"
                            )),
                        );
                    }
                }
                if let Some(email) = &config.notifications.email {
                    for (key, var) in [
                        ("username_env", &email.username_env),
                        ("password_env", &email.password_env),
                    ] {
                        if let Some(var) = var {
                            if env(var).is_none() {
                                problems.push(
                                    ConfigProblem::new(
                                        format!("notifications.email.{key}"),
                                        format!("environment variable {var} is not set"),
                                    )
                                    .value(format!("{var:?}"))
                                    .hint(format!("export {var}=... before running amzsync")),
                                );
                            }
                        }
                    }
                }
            }
            if needs == Needs::SellerCredentials {
                problems.extend(duplicate_tokens(&config.accounts, env));
            }
            if needs != Needs::Nothing {
                for (i, account) in config.accounts.iter().enumerate() {
                    let chosen = match only {
                        Some(name) => account.name == name,
                        None => account.enabled,
                    };
                    if !chosen {
                        continue;
                    }
                    if let Err(mut p) = account.resolve_credentials(i, needs, env) {
                        problems.append(&mut p);
                    }
                }
            }
        }
        match config {
            Some(config) if problems.is_empty() => Ok(config),
            _ => Err(ConfigErrors::new(problems)),
        }
    }

    /// Parses and checks a configuration (no environment or file checks). Relative paths
    /// are resolved against `base`.
    pub fn from_toml_str(text: &str, base: &Path) -> Result<Config, ConfigErrors> {
        match Self::parse(text, base) {
            (Some(c), p) if p.is_empty() => Ok(c),
            (_, p) => Err(ConfigErrors::new(p)),
        }
    }

    fn parse(text: &str, base: &Path) -> (Option<Config>, Vec<ConfigProblem>) {
        let table: Table = match text.parse() {
            Ok(t) => t,
            Err(e) => {
                let mut p =
                    ConfigProblem::new("", format!("TOML syntax error: {}", e.message().trim()));
                if let Some(span) = e.span() {
                    let before = text.get(..span.start).unwrap_or(text);
                    let line = before.matches('\n').count() + 1;
                    p.message = format!("TOML syntax error at line {line}: {}", e.message().trim());
                }
                return (None, vec![p]);
            }
        };
        let mut problems = Problems::default();
        let root = TableReader::new("", &table);
        root.check_keys(TOP_KEYS, &mut problems);

        let store = parse_store(&root, base, &mut problems);
        let jobs = match root.table("jobs", &mut problems) {
            Some(t) => parse_jobs(
                &TableReader::new("jobs", t),
                JobIntervals::default(),
                &mut problems,
            ),
            None => JobIntervals::default(),
        };
        let sync = match root.table("sync", &mut problems) {
            Some(t) => parse_sync(&TableReader::new("sync", t), &mut problems),
            None => SyncSettings::default(),
        };
        let accounts = parse_accounts(&root, base, jobs, &mut problems);
        let notifications = match root.table("notifications", &mut problems) {
            Some(t) => parse_notifications(&TableReader::new("notifications", t), &mut problems),
            None => NotificationsConfig::default(),
        };
        let mapping = match root.table("mapping", &mut problems) {
            Some(t) => match MappingConfig::from_toml_table(t.clone()) {
                Ok(m) => m,
                Err(e) => {
                    for err in e.with_prefix("mapping") {
                        problems.push(err.into());
                    }
                    MappingConfig::default()
                }
            },
            None => MappingConfig::default(),
        };
        let config = Config {
            store,
            accounts,
            jobs,
            sync,
            notifications,
            mapping,
        };
        (Some(config), problems.0)
    }

    /// The account called `name`, or a problem listing the names there are.
    pub fn account(&self, name: &str) -> Result<&AccountSettings, ConfigProblem> {
        self.accounts
            .iter()
            .find(|a| a.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.accounts.iter().map(|a| a.name.as_str()).collect();
                ConfigProblem::new("--account", format!("no account named {name:?}"))
                    .hint(problems::suggest(name, &names))
            })
    }
}

fn parse_store(root: &TableReader<'_>, base: &Path, problems: &mut Problems) -> StoreConfig {
    let mut path = base.join("amzsync.db");
    let mut pii_key_env = None;
    if let Some(t) = root.table("store", problems) {
        let r = TableReader::new("store", t);
        r.check_keys(&["path", "pii_key_env"], problems);
        pii_key_env = env_name(&r, "pii_key_env", problems);
        if let Some(p) = r.string("path", problems) {
            if p.trim().is_empty() {
                problems.push(
                    ConfigProblem::new("store.path", "must not be empty")
                        .hint("name the SQLite file, e.g. \"amzsync.db\""),
                );
            } else {
                path = base.join(p);
            }
        }
    }
    StoreConfig { path, pii_key_env }
}

impl StoreConfig {
    /// The PII key from the environment, if the store is configured with one. `Err` holds
    /// the problem (the key's value is never part of it).
    pub fn pii_key(&self, env: EnvLookup<'_>) -> Result<Option<SecretString>, ConfigProblem> {
        let Some(var) = &self.pii_key_env else {
            return Ok(None);
        };
        let Some(value) = env(var).filter(|v| !v.trim().is_empty()) else {
            return Err(ConfigProblem::new(
                "store.pii_key_env",
                format!("environment variable {var} is not set"),
            )
            .value(format!("{var:?}"))
            .hint(format!(
                "export {var}=<base64 of 32 random bytes>, e.g. from `openssl rand -base64 32`; the same key every time"
            )));
        };
        if let Err(e) = store_adapters::sqlite::XChaChaPii::from_base64(&value) {
            return Err(ConfigProblem::new(
                "store.pii_key_env",
                format!("the key in {var} is unusable: {} (value not shown)", e.0),
            )
            .hint("the key is standard base64 of exactly 32 bytes"));
        }
        Ok(Some(SecretString::from(value)))
    }
}

/// Parses `"90s"`, `"5m"`, `"2h"`, `"1d"` (also `"1h30m"`).
pub fn parse_duration(s: &str) -> Option<StdDuration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
        let n: u64 = number.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        number.clear();
    }
    if !number.is_empty() {
        return None;
    }
    Some(StdDuration::from_secs(total))
}

fn duration_value(r: &TableReader<'_>, key: &str, problems: &mut Problems) -> Option<StdDuration> {
    let v = r.raw(key)?;
    match v {
        Value::String(s) => match parse_duration(s) {
            Some(d) if !d.is_zero() => Some(d),
            _ => {
                problems.push(
                    ConfigProblem::new(r.key_path(key), "not a duration")
                        .value(show(v))
                        .hint(DURATION_HINT),
                );
                None
            }
        },
        other => {
            problems.push(
                ConfigProblem::new(
                    r.key_path(key),
                    format!("expected a duration string, found {}", type_name(other)),
                )
                .value(show(other))
                .hint(DURATION_HINT),
            );
            None
        }
    }
}

fn window(
    r: &TableReader<'_>,
    key: &str,
    default: time::Duration,
    problems: &mut Problems,
) -> time::Duration {
    duration_value(r, key, problems)
        .and_then(|d| time::Duration::try_from(d).ok())
        .unwrap_or(default)
}

fn parse_jobs(
    r: &TableReader<'_>,
    mut jobs: JobIntervals,
    problems: &mut Problems,
) -> JobIntervals {
    r.check_keys(&JOB_NAMES, problems);
    for name in JOB_NAMES {
        let Some(v) = r.raw(name) else { continue };
        let value = match v {
            Value::Boolean(false) => Some(None),
            Value::String(s) if s == "off" => Some(None),
            Value::Boolean(true) => {
                problems.push(
                    ConfigProblem::new(r.key_path(name), "`true` does not say how often")
                        .value("true")
                        .hint(DURATION_HINT),
                );
                None
            }
            _ => duration_value(r, name, problems).map(Some),
        };
        if let Some(value) = value {
            match name {
                "import_orders" => jobs.import_orders = value,
                "reconcile" => jobs.reconcile = value,
                "export_shipments" => jobs.export_shipments = value,
                _ => jobs.redact_pii = value,
            }
        }
    }
    jobs
}

fn parse_datetime(
    r: &TableReader<'_>,
    key: &str,
    problems: &mut Problems,
) -> Option<OffsetDateTime> {
    let v = r.raw(key)?;
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Datetime(d) => d.to_string(),
        other => {
            problems.push(
                ConfigProblem::new(
                    r.key_path(key),
                    format!("expected a date, found {}", type_name(other)),
                )
                .value(show(other))
                .hint("write a date (2026-11-01) or a UTC date-time (2026-11-01T00:00:00Z)"),
            );
            return None;
        }
    };
    match parse_date_or_datetime(&text) {
        Some(t) => Some(t),
        None => {
            problems.push(
                ConfigProblem::new(r.key_path(key), "not a date")
                    .value(show(v))
                    .hint("write a date (2026-11-01) or a date-time with offset (2026-11-01T00:00:00Z)"),
            );
            None
        }
    }
}

/// Parses `2026-11-01` (midnight UTC) or an RFC 3339 date-time.
pub fn parse_date_or_datetime(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Some(t.to_offset(time::UtcOffset::UTC));
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt)
        .ok()
        .map(|d| d.midnight().assume_utc())
}

fn parse_sync(r: &TableReader<'_>, problems: &mut Problems) -> SyncSettings {
    r.check_keys(SYNC_KEYS, problems);
    let d = SyncSettings::default();
    SyncSettings {
        import_from: parse_datetime(r, "import_from", problems),
        overlap: window(r, "overlap", d.overlap, problems),
        max_window: window(r, "max_window", d.max_window, problems),
        reconcile_window: window(r, "reconcile_window", d.reconcile_window, problems),
        fba: r.bool("fba", problems).unwrap_or(d.fba),
        pii_retention: window(r, "pii_retention", d.pii_retention, problems),
        transit_allowance: window(r, "transit_allowance", d.transit_allowance, problems),
        export_batch: r
            .integer("export_batch", 1, 10_000, problems)
            .and_then(|i| usize::try_from(i).ok())
            .unwrap_or(d.export_batch),
        export_retry_backoff: window(r, "export_retry_backoff", d.export_retry_backoff, problems),
    }
}

fn parse_region(r: &TableReader<'_>, problems: &mut Problems) -> Option<Region> {
    const NAMES: &[&str] = &["na", "eu", "fe"];
    let s = r.required_string("region", "write \"na\", \"eu\" or \"fe\"", problems)?;
    match s.to_ascii_lowercase().as_str() {
        "na" => Some(Region::Na),
        "eu" => Some(Region::Eu),
        "fe" => Some(Region::Fe),
        _ => {
            problems.push(
                ConfigProblem::new(r.key_path("region"), "unknown region")
                    .value(format!("{s:?}"))
                    .hint(problems::suggest(&s.to_ascii_lowercase(), NAMES)),
            );
            None
        }
    }
}

fn region_name(r: Region) -> &'static str {
    match r {
        Region::Na => "na (North America)",
        Region::Eu => "eu (Europe, Middle East, India)",
        Region::Fe => "fe (Far East)",
        _ => "another region",
    }
}

fn parse_marketplaces(
    r: &TableReader<'_>,
    region: Option<Region>,
    problems: &mut Problems,
) -> Vec<&'static Marketplace> {
    let mut out: Vec<&'static Marketplace> = Vec::new();
    if !r.table.contains_key("marketplaces") {
        problems.push(
            ConfigProblem::new(r.key_path("marketplaces"), "missing").hint(
                "list the marketplaces to sync, e.g. [\"US\", \"CA\"] (codes or marketplace ids)",
            ),
        );
        return out;
    }
    let Some(items) = r.strings("marketplaces", problems) else {
        return out;
    };
    if items.is_empty() {
        problems.push(
            ConfigProblem::new(r.key_path("marketplaces"), "must not be empty")
                .value("[]")
                .hint("list at least one marketplace, e.g. [\"US\"]"),
        );
    }
    for (path, s) in items {
        let found = Marketplace::by_id(&s).or_else(|| Marketplace::by_code(&s));
        let Some(m) = found else {
            let in_region: Vec<&'static Marketplace> = spapi_client::MARKETPLACES
                .iter()
                .filter(|m| region.is_none_or(|r| m.region == r))
                .collect();
            let labels: Vec<&str> = in_region.iter().flat_map(|m| [m.code, m.country]).collect();
            let hint = match problems::closest(&s, &labels) {
                Some(label) => {
                    let m = in_region
                        .iter()
                        .find(|m| m.code == label || m.country == label);
                    match m {
                        Some(m) => format!("did you mean {:?} ({})?", m.code, m.country),
                        None => format!("did you mean {label:?}?"),
                    }
                }
                None => {
                    let mut codes: Vec<&str> = in_region.iter().map(|m| m.code).collect();
                    codes.sort_unstable();
                    format!("expected a marketplace code or id: {}", codes.join(", "))
                }
            };
            problems.push(
                ConfigProblem::new(path, "unknown marketplace")
                    .value(format!("{s:?}"))
                    .hint(hint),
            );
            continue;
        };
        if let Some(region) = region {
            if m.region != region {
                let here: Vec<&str> = spapi_client::MARKETPLACES
                    .iter()
                    .filter(|x| x.region == region)
                    .map(|x| x.code)
                    .collect();
                problems.push(
                    ConfigProblem::new(
                        path,
                        format!(
                            "marketplace {} ({}) is in region {}, not in this account's region {}",
                            m.code,
                            m.country,
                            region_name(m.region),
                            region_name(region)
                        ),
                    )
                    .value(format!("{s:?}"))
                    .hint(format!(
                        "a refresh token works in one region: use a separate account entry for {}, or one of {}",
                        m.region.as_str(),
                        here.join(", ")
                    )),
                );
                continue;
            }
        }
        if out.iter().any(|x| x.id == m.id) {
            problems.push(
                ConfigProblem::new(path, format!("marketplace {} is listed twice", m.code))
                    .value(format!("{s:?}")),
            );
            continue;
        }
        out.push(m);
    }
    out
}

fn parse_url(r: &TableReader<'_>, key: &str, problems: &mut Problems) -> Option<Url> {
    let s = r.string(key, problems)?;
    match Url::parse(&s) {
        Ok(u) => {
            let loopback = matches!(
                u.host(),
                Some(url::Host::Ipv4(ip)) if ip.is_loopback()
            ) || matches!(u.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
                || u.host_str() == Some("localhost");
            if u.scheme() == "https" || (u.scheme() == "http" && loopback) {
                Some(u)
            } else {
                problems.push(
                    ConfigProblem::new(
                        r.key_path(key),
                        "must be https (plain http only on loopback)",
                    )
                    .value(format!("{s:?}")),
                );
                None
            }
        }
        Err(e) => {
            problems.push(
                ConfigProblem::new(r.key_path(key), format!("not a URL: {e}"))
                    .value(format!("{s:?}")),
            );
            None
        }
    }
}

fn env_name(r: &TableReader<'_>, key: &str, problems: &mut Problems) -> Option<String> {
    let s = r.string(key, problems)?;
    let ok = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Some(s)
    } else {
        problems.push(
            ConfigProblem::new(r.key_path(key), "not an environment variable name")
                .value(format!("{s:?}"))
                .hint(
                    "write the NAME of the variable (letters, digits, _), never the secret itself",
                ),
        );
        None
    }
}

fn parse_credentials(
    r: &TableReader<'_>,
    base: &Path,
    problems: &mut Problems,
) -> CredentialSource {
    // A secret written into the file: report it without echoing it.
    for (secret, instead) in [
        ("client_secret", "client_secret_env or secrets_file"),
        ("refresh_token", "refresh_token_env or secrets_file"),
    ] {
        if r.table.contains_key(secret) {
            problems.push(
                ConfigProblem::new(
                    r.key_path(secret),
                    "secrets must not be written in the configuration file (value not shown)",
                )
                .hint(format!("remove it and use {instead}")),
            );
        }
    }
    let allowed: Vec<&str> = CREDENTIAL_KEYS.to_vec();
    let others = TableReader::new(r.path.clone(), r.table);
    // check_keys would echo the secret values: check them without values above.
    for (key, value) in r.table {
        if allowed.contains(&key.as_str()) || key == "client_secret" || key == "refresh_token" {
            continue;
        }
        // Values in this table may be secrets under a misspelt key: never echo them.
        let _ = value;
        let mut p = ConfigProblem::new(
            others.key_path(key),
            format!("unknown key {key:?} (value not shown)"),
        );
        p = match problems::closest(key, &allowed) {
            Some(c) => p.hint(format!("did you mean {c:?}?")),
            None => p.hint(format!("the keys allowed here are {}", allowed.join(", "))),
        };
        problems.push(p);
    }
    let source = CredentialSource {
        client_id: r.string("client_id", problems),
        client_id_env: env_name(r, "client_id_env", problems),
        client_secret_env: env_name(r, "client_secret_env", problems),
        refresh_token_env: env_name(r, "refresh_token_env", problems),
        secrets_file: r.string("secrets_file", problems).map(|p| base.join(p)),
    };
    if source.secrets_file.is_none() {
        for (field, env) in [
            (
                "client_id",
                source.client_id_env.is_some() || source.client_id.is_some(),
            ),
            ("client_secret", source.client_secret_env.is_some()),
        ] {
            if !env && !r.table.contains_key(field) {
                problems.push(
                    ConfigProblem::new(r.key_path(&format!("{field}_env")), format!("no source for the {field}"))
                        .hint(format!("set {field}_env to the name of an environment variable, or name a secrets_file")),
                );
            }
        }
    }
    source
}

fn parse_accounts(
    root: &TableReader<'_>,
    base: &Path,
    default_jobs: JobIntervals,
    problems: &mut Problems,
) -> Vec<AccountSettings> {
    let mut out = Vec::new();
    let items = match root.raw("accounts") {
        None => return out,
        Some(Value::Array(items)) => items,
        Some(v) => {
            problems.push(
                ConfigProblem::new(
                    "accounts",
                    format!("expected an array of tables, found {}", type_name(v)),
                )
                .hint("write each account as an [[accounts]] table"),
            );
            return out;
        }
    };
    let mut names = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("accounts[{i}]");
        let Value::Table(t) = item else {
            problems.push(
                ConfigProblem::new(path, format!("expected a table, found {}", type_name(item)))
                    .hint("write each account as an [[accounts]] table"),
            );
            continue;
        };
        let r = TableReader::new(path.clone(), t);
        r.check_keys(ACCOUNT_KEYS, problems);
        let name = r.required_string(
            "name",
            "give the account a short unique name, e.g. \"us-main\"",
            problems,
        );
        if let Some(n) = &name {
            if !n
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                problems.push(
                    ConfigProblem::new(
                        r.key_path("name"),
                        "only letters, digits, '-' and '_' are allowed",
                    )
                    .value(format!("{n:?}"))
                    .hint("put a free-form name in `nickname`"),
                );
            } else if !names.insert(n.clone()) {
                problems.push(
                    ConfigProblem::new(
                        r.key_path("name"),
                        format!("another account is already named {n:?}"),
                    )
                    .value(format!("{n:?}")),
                );
            }
        }
        let region = parse_region(&r, problems);
        let seller_id = parse_seller_id(&r, problems);
        let marketplaces = parse_marketplaces(&r, region, problems);
        let api = match r.string("api", problems).as_deref() {
            None | Some("v2026") => ApiFlavour::V2026,
            Some("v0") => ApiFlavour::V0,
            Some(other) => {
                problems.push(
                    ConfigProblem::new(r.key_path("api"), "unknown Orders API")
                        .value(format!("{other:?}"))
                        .hint(problems::suggest(other, &["v2026", "v0"])),
                );
                ApiFlavour::V2026
            }
        };
        let credentials = if !t.contains_key("credentials") {
            problems.push(
                ConfigProblem::new(r.key_path("credentials"), "missing").hint(
                    "add credentials = { client_id_env = \"...\", client_secret_env = \"...\", refresh_token_env = \"...\" } or a secrets_file",
                ),
            );
            CredentialSource::default()
        } else {
            match r.table("credentials", problems) {
                Some(c) => parse_credentials(
                    &TableReader::new(r.key_path("credentials"), c),
                    base,
                    problems,
                ),
                None => CredentialSource::default(),
            }
        };
        let jobs = match r.table("jobs", problems) {
            Some(j) => parse_jobs(
                &TableReader::new(r.key_path("jobs"), j),
                default_jobs,
                problems,
            ),
            None => default_jobs,
        };
        let account = AccountSettings {
            name: name.unwrap_or_default(),
            nickname: r.string("nickname", problems),
            region: region.unwrap_or(Region::Na),
            seller_id,
            marketplaces,
            api,
            enabled: r.bool("enabled", problems).unwrap_or(true),
            credentials,
            endpoint: parse_url(&r, "endpoint", problems),
            lwa_endpoint: parse_url(&r, "lwa_endpoint", problems),
            application_id: r.string("application_id", problems),
            seller_central_url: parse_url(&r, "seller_central_url", problems),
            import_from: parse_datetime(&r, "import_from", problems),
            fba: r.bool("fba", problems),
            jobs,
        };
        out.push(account);
    }
    duplicate_sellers(&out, problems);
    out
}

fn parse_seller_id(r: &TableReader<'_>, problems: &mut Problems) -> Option<String> {
    let s = r.string("seller_id", problems)?;
    let id = s.trim();
    if !id.is_empty() && id.len() <= 32 && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Some(id.to_owned())
    } else {
        problems.push(
            ConfigProblem::new(r.key_path("seller_id"), "not a selling partner id")
                .value(format!("{s:?}"))
                .hint("the selling partner id (merchant token) is letters and digits, e.g. \"A3SANDBOXSELLER\"; `amzsync onboard` prints it"),
        );
        None
    }
}

/// Two entries with one region and seller id would sync one seller twice.
fn duplicate_sellers(accounts: &[AccountSettings], problems: &mut Problems) {
    for (j, b) in accounts.iter().enumerate() {
        let Some(id) = &b.seller_id else { continue };
        if let Some(i) = accounts[..j]
            .iter()
            .position(|a| a.region == b.region && a.seller_id.as_ref() == Some(id))
        {
            problems.push(
                ConfigProblem::new(
                    format!("accounts[{j}].seller_id"),
                    format!(
                        "the same seller as accounts[{i}].seller_id (region {}, seller {id}): both entries would sync one seller account",
                        b.region.as_str()
                    ),
                )
                .value(format!("{id:?}"))
                .hint(format!(
                    "keep one entry for this seller (accounts[{i}] {:?} or accounts[{j}] {:?}); renaming an entry keeps its data",
                    accounts[i].name, b.name
                )),
            );
        }
    }
}

/// Two entries with one refresh token would sync one seller twice. Only the tokens that
/// `env` and the secrets files provide are compared; the token is never shown.
pub fn duplicate_tokens(accounts: &[AccountSettings], env: EnvLookup<'_>) -> Vec<ConfigProblem> {
    let fingerprints: Vec<Option<TokenFingerprint>> = accounts
        .iter()
        .map(|a| a.refresh_token_fingerprint(env))
        .collect();
    let mut out = Vec::new();
    for (j, b) in fingerprints.iter().enumerate() {
        let Some(b) = b else { continue };
        if let Some(i) = fingerprints[..j].iter().position(|a| a.as_ref() == Some(b)) {
            out.push(
                ConfigProblem::new(
                    format!("accounts[{j}].credentials"),
                    format!(
                        "the same refresh token as accounts[{i}].credentials: both entries would sync one seller account (token not shown)"
                    ),
                )
                .hint(format!(
                    "keep one entry for this seller (accounts[{i}] {:?} or accounts[{j}] {:?}); renaming an entry keeps its data",
                    accounts[i].name, accounts[j].name
                )),
            );
        }
    }
    out
}

fn parse_when(r: &TableReader<'_>, problems: &mut Problems) -> NotifyWhen {
    match r.string("when", problems).as_deref() {
        None | Some("noteworthy") => NotifyWhen::Noteworthy,
        Some("always") => NotifyWhen::Always,
        Some(other) => {
            problems.push(
                ConfigProblem::new(r.key_path("when"), "unknown choice")
                    .value(format!("{other:?}"))
                    .hint(problems::suggest(other, &["noteworthy", "always"])),
            );
            NotifyWhen::Noteworthy
        }
    }
}

fn parse_notifications(r: &TableReader<'_>, problems: &mut Problems) -> NotificationsConfig {
    r.check_keys(&["log", "webhook", "email"], problems);
    let mut n = NotificationsConfig {
        log: r.bool("log", problems).unwrap_or(true),
        webhook: None,
        email: None,
    };
    if let Some(t) = r.table("webhook", problems) {
        let w = TableReader::new(r.key_path("webhook"), t);
        w.check_keys(
            &["url", "when", "retries", "timeout", "secret_env"],
            problems,
        );
        let url = if t.contains_key("url") {
            parse_url(&w, "url", problems)
        } else {
            problems.push(
                ConfigProblem::new(w.key_path("url"), "missing")
                    .hint("the URL reports are POSTed to"),
            );
            None
        };
        let when = parse_when(&w, problems);
        let retries = w
            .integer("retries", 0, 20, problems)
            .and_then(|i| u32::try_from(i).ok())
            .unwrap_or(3);
        let timeout = duration_value(&w, "timeout", problems).unwrap_or(StdDuration::from_secs(10));
        let secret_env = env_name(&w, "secret_env", problems);
        if let Some(url) = url {
            n.webhook = Some(WebhookConfig {
                url,
                when,
                retries,
                timeout,
                secret_env,
            });
        }
    }
    if let Some(t) = r.table("email", problems) {
        let e = TableReader::new(r.key_path("email"), t);
        e.check_keys(
            &[
                "smtp_host",
                "smtp_port",
                "security",
                "username_env",
                "password_env",
                "from",
                "to",
                "when",
                "subject_prefix",
            ],
            problems,
        );
        let host = e.required_string(
            "smtp_host",
            "the SMTP server, e.g. \"smtp.example.com\"",
            problems,
        );
        let security = match e.string("security", problems).as_deref() {
            None | Some("starttls") => SmtpSecurity::StartTls,
            Some("tls") => SmtpSecurity::Tls,
            Some("none") => SmtpSecurity::None,
            Some(other) => {
                problems.push(
                    ConfigProblem::new(e.key_path("security"), "unknown choice")
                        .value(format!("{other:?}"))
                        .hint(problems::suggest(other, &["starttls", "tls", "none"])),
                );
                SmtpSecurity::StartTls
            }
        };
        let default_port = match security {
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        };
        let port = e
            .integer("smtp_port", 1, 65_535, problems)
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(default_port);
        let check_mailbox = |path: String, s: &str, problems: &mut Problems| -> bool {
            match s.parse::<lettre::message::Mailbox>() {
                Ok(_) => true,
                Err(err) => {
                    problems.push(
                        ConfigProblem::new(path, format!("not an e-mail address: {err}"))
                            .value(format!("{s:?}"))
                            .hint("write \"name@example.com\" or \"Name <name@example.com>\""),
                    );
                    false
                }
            }
        };
        let from = e
            .required_string(
                "from",
                "the sender, e.g. \"amzsync <sync@example.com>\"",
                problems,
            )
            .filter(|f| check_mailbox(e.key_path("from"), f, problems));
        let mut to = Vec::new();
        if !t.contains_key("to") {
            problems.push(
                ConfigProblem::new(e.key_path("to"), "missing")
                    .hint("list the recipients, e.g. [\"ops@example.com\"]"),
            );
        } else if let Some(items) = e.strings("to", problems) {
            if items.is_empty() {
                problems
                    .push(ConfigProblem::new(e.key_path("to"), "must not be empty").value("[]"));
            }
            for (path, s) in items {
                if check_mailbox(path, &s, problems) {
                    to.push(s);
                }
            }
        }
        let when = parse_when(&e, problems);
        if t.contains_key("username_env") != t.contains_key("password_env") {
            problems.push(
                ConfigProblem::new(
                    e.key_path("password_env"),
                    "username_env and password_env go together",
                )
                .hint("set both (SMTP authentication) or neither (an open relay on localhost)"),
            );
        }
        let email = EmailConfig {
            smtp_host: host.unwrap_or_default(),
            smtp_port: port,
            security,
            username_env: env_name(&e, "username_env", problems),
            password_env: env_name(&e, "password_env", problems),
            from: from.unwrap_or_default(),
            to,
            when,
            subject_prefix: e
                .string("subject_prefix", problems)
                .unwrap_or_else(|| "[amzsync]".into()),
        };
        if !email.smtp_host.is_empty() && !email.from.is_empty() && !email.to.is_empty() {
            n.email = Some(email);
        }
    }
    n
}

/// The contents of a secrets file.
#[derive(Default)]
struct SecretsFile {
    client_id: Option<String>,
    client_secret: Option<String>,
    refresh_token: Option<String>,
}

fn read_secrets_file(path: &Path, key_path: &str) -> Result<Option<SecretsFile>, ConfigProblem> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(
                ConfigProblem::new(key_path, format!("cannot read the secrets file: {e}"))
                    .value(path.display().to_string()),
            );
        }
    };
    let table: Table = text.parse().map_err(|_| {
        ConfigProblem::new(
            key_path,
            "the secrets file is not valid TOML (contents not shown)",
        )
        .value(path.display().to_string())
        .hint("it holds client_id, client_secret and refresh_token as strings")
    })?;
    let mut out = SecretsFile::default();
    for (k, v) in table {
        let Value::String(s) = v else {
            return Err(ConfigProblem::new(
                key_path,
                format!("secrets file key {k:?} is not a string"),
            )
            .value(path.display().to_string()));
        };
        match k.as_str() {
            "client_id" => out.client_id = Some(s),
            "client_secret" => out.client_secret = Some(s),
            "refresh_token" => out.refresh_token = Some(s),
            other => {
                return Err(ConfigProblem::new(
                    key_path,
                    format!("unknown key {other:?} in the secrets file"),
                )
                .value(path.display().to_string())
                .hint(problems::suggest(
                    other,
                    &["client_id", "client_secret", "refresh_token"],
                )));
            }
        }
    }
    Ok(Some(out))
}

impl AccountSettings {
    /// Reads the account's credentials from the environment and the secrets file.
    /// `index` is the account's position in the file (for key paths).
    pub fn resolve_credentials(
        &self,
        index: usize,
        needs: Needs,
        env: EnvLookup<'_>,
    ) -> Result<ResolvedCredentials, Vec<ConfigProblem>> {
        let base = format!("accounts[{index}].credentials");
        let c = &self.credentials;
        let mut problems = Vec::new();
        let file = match &c.secrets_file {
            Some(p) => match read_secrets_file(p, &join(&base, "secrets_file")) {
                Ok(f) => f,
                Err(e) => {
                    problems.push(e);
                    None
                }
            },
            None => None,
        };
        let from_env = |key: &str,
                        var: &Option<String>,
                        problems: &mut Vec<ConfigProblem>|
         -> Option<String> {
            let var = var.as_ref()?;
            match env(var).filter(|v| !v.trim().is_empty()) {
                Some(v) => Some(v.trim().to_owned()),
                None => {
                    problems.push(
                        ConfigProblem::new(
                            join(&base, key),
                            format!("environment variable {var} is not set"),
                        )
                        .value(format!("{var:?}"))
                        .hint(format!(
                            "export {var}=... before running amzsync (e.g. in the service unit)"
                        )),
                    );
                    None
                }
            }
        };
        let missing = |field: &str, hint: &str| {
            ConfigProblem::new(join(&base, field), format!("no {field} found"))
                .hint(hint.to_owned())
        };
        let client_id = from_env("client_id_env", &c.client_id_env, &mut problems)
            .or_else(|| c.client_id.clone())
            .or_else(|| file.as_ref().and_then(|f| f.client_id.clone()));
        let client_secret = from_env("client_secret_env", &c.client_secret_env, &mut problems)
            .or_else(|| file.as_ref().and_then(|f| f.client_secret.clone()));
        let refresh_token = if needs == Needs::SellerCredentials {
            from_env("refresh_token_env", &c.refresh_token_env, &mut problems)
        } else {
            c.refresh_token_env.as_deref().and_then(env)
        }
        .or_else(|| file.as_ref().and_then(|f| f.refresh_token.clone()));
        let env_failed = !problems.is_empty();
        if client_id.is_none() && c.client_id_env.is_none() {
            problems.push(missing(
                "client_id",
                "set client_id, client_id_env, or client_id in the secrets file",
            ));
        }
        if client_secret.is_none() && c.client_secret_env.is_none() {
            let mut p = missing(
                "client_secret",
                "set client_secret_env, or client_secret in the secrets file",
            );
            if let Some(f) = &c.secrets_file {
                if file.is_none() {
                    p.message = format!(
                        "no client_secret found: the secrets file {} does not exist",
                        f.display()
                    );
                }
            }
            problems.push(p);
        }
        if needs == Needs::SellerCredentials
            && refresh_token.is_none()
            && !(env_failed && c.refresh_token_env.is_some())
        {
            problems.push(missing(
                "refresh_token",
                &format!(
                    "authorise the app first: `amzsync onboard --account {}` stores the refresh token, or set refresh_token_env",
                    self.name
                ),
            ));
        }
        match (client_id, client_secret) {
            (Some(client_id), Some(secret)) if problems.is_empty() => Ok(ResolvedCredentials {
                client_id,
                client_secret: SecretString::from(secret),
                refresh_token: refresh_token.map(SecretString::from),
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests;
