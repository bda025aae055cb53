//! From a checked [`Config`] to running pieces: SP-API clients, the engine's accounts, the
//! SQLite store.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use order_mapping::Mapper;
use order_sync_core::AccountId;
use order_sync_core::accounts::AccountDirectory;
use order_sync_core::config::{AccountConfig, Schedule};
use order_sync_core::engine::Account;
use order_sync_core::spapi::{ReadApi, SpApiAmazon};
use secrecy::{ExposeSecret, SecretString};
use spapi_client::{Client, LwaCredentials};
use store_adapters::sqlite::{SqliteConfig, SqliteStore, XChaChaPii};
use time::OffsetDateTime;

use crate::config::{
    AccountSettings, ApiFlavour, Config, ConfigProblem, EnvLookup, Needs, ResolvedCredentials,
};

/// The SP-API client of an account.
pub fn client(
    account: &AccountSettings,
    creds: &ResolvedCredentials,
) -> Result<Client, spapi_client::Error> {
    let refresh_token = creds.refresh_token.clone().ok_or_else(|| {
        spapi_client::Error::Config(format!(
            "account {} has no refresh token yet (run `amzsync onboard`)",
            account.name
        ))
    })?;
    let mut b = Client::builder()
        .credentials(LwaCredentials {
            client_id: creds.client_id.clone(),
            client_secret: creds.client_secret.clone(),
            refresh_token,
        })
        .region(account.region)
        .user_agent_app("amzsync", env!("CARGO_PKG_VERSION"));
    if let Some(e) = &account.endpoint {
        b = b.endpoint(e.as_str());
    }
    if let Some(e) = &account.lwa_endpoint {
        b = b.lwa_endpoint(e.as_str());
    }
    b.build()
}

/// The engine's settings for an account.
pub fn account_config(config: &Config, a: &AccountSettings, now: OffsetDateTime) -> AccountConfig {
    let import_from = a
        .import_from
        .or(config.sync.import_from)
        .unwrap_or(now - time::Duration::days(7));
    let mut c = AccountConfig::new(a.name.as_str(), import_from);
    c.marketplaces = a
        .marketplaces
        .iter()
        .map(|m| order_sync_core::MarketplaceId::new(m.id))
        .collect();
    c.import.overlap = config.sync.overlap;
    c.import.max_window = config.sync.max_window;
    c.import.fba = a.fba.unwrap_or(config.sync.fba);
    c.reconcile.window = config.sync.reconcile_window;
    c.retention.after_delivery = config.sync.pii_retention;
    c.retention.transit_allowance = config.sync.transit_allowance;
    c.export.batch = config.sync.export_batch;
    c.export.retry_backoff = config.sync.export_retry_backoff;
    c.schedule = Schedule {
        import: a.jobs.import_orders,
        reconcile: a.jobs.reconcile,
        shipments: a.jobs.export_shipments,
        redaction: a.jobs.redact_pii,
    };
    c
}

/// Every enabled account (or only `only`), ready for the engine, with its SP-API client
/// (a clone sharing the rate limiter, for wait estimates). Credentials are resolved
/// through `env`; any problem is returned with its key path.
pub fn engine_accounts(
    config: &Config,
    only: Option<&str>,
    env: EnvLookup<'_>,
    now: OffsetDateTime,
) -> Result<Vec<(Account, Client)>, Vec<ConfigProblem>> {
    let mapper = Arc::new(Mapper::new(config.mapping.clone()).map_err(|e| {
        e.with_prefix("mapping")
            .into_iter()
            .map(ConfigProblem::from)
            .collect::<Vec<_>>()
    })?);
    if let Some(name) = only {
        config.account(name).map_err(|p| vec![p])?;
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, a) in config.accounts.iter().enumerate() {
        let chosen = match only {
            Some(name) => a.name == name,
            None => a.enabled,
        };
        if !chosen {
            continue;
        }
        let creds = match a.resolve_credentials(i, Needs::SellerCredentials, env) {
            Ok(c) => c,
            Err(mut p) => {
                problems.append(&mut p);
                continue;
            }
        };
        match client(a, &creds) {
            Ok(client) => {
                let read = match a.api {
                    ApiFlavour::V0 => ReadApi::V0,
                    _ => ReadApi::V2026,
                };
                let amazon =
                    SpApiAmazon::new(client.clone(), read, a.marketplaces.iter().map(|m| m.id));
                out.push((
                    Account::new(
                        account_config(config, a, now),
                        Arc::new(amazon),
                        mapper.clone(),
                    ),
                    client,
                ));
            }
            Err(e) => problems.push(ConfigProblem::new(
                format!("accounts[{i}]"),
                format!("cannot build the SP-API client: {e}"),
            )),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Opens (creating and migrating if needed) the SQLite store, with PII encrypted under
/// `pii_key` when given.
pub async fn open_store(
    path: &Path,
    pii_key: Option<&SecretString>,
) -> Result<SqliteStore, String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            return Err(format!(
                "the folder of the store file does not exist: {}",
                parent.display()
            ));
        }
    }
    let mut config = SqliteConfig::default();
    if let Some(key) = pii_key {
        let cipher = XChaChaPii::from_base64(key.expose_secret())
            .map_err(|e| format!("the PII key: {}", e.0))?;
        config = config.pii_cipher(Arc::new(cipher));
    }
    SqliteStore::open_with(path, config)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Gives each account its stable key from the account directory (the store's
/// `sync_accounts`): the engine's account id becomes that key, and the configured name
/// stays only a label. Returns key → label. Two entries that resolve to one key (one
/// seller, e.g. a token the directory already knows under another entry's seller id) are
/// refused, naming both key paths.
pub async fn resolve_keys(
    config: &Config,
    accounts: &mut [(Account, Client)],
    directory: &dyn AccountDirectory,
    env: EnvLookup<'_>,
) -> Result<BTreeMap<AccountId, String>, Vec<ConfigProblem>> {
    let mut labels: BTreeMap<AccountId, String> = BTreeMap::new();
    let mut paths: BTreeMap<AccountId, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    for (account, _) in accounts.iter_mut() {
        let name = account.id().as_str().to_owned();
        let Some((i, a)) = config
            .accounts
            .iter()
            .enumerate()
            .find(|(_, a)| a.name == name)
        else {
            continue;
        };
        let creds = match a.resolve_credentials(i, Needs::SellerCredentials, env) {
            Ok(c) => c,
            Err(mut p) => {
                problems.append(&mut p);
                continue;
            }
        };
        let identity = a.identity(creds.refresh_token.as_ref());
        let key = match directory.resolve(&identity).await {
            Ok(k) => k,
            Err(e @ order_sync_core::StateError::Identity(_)) => {
                problems.push(
                    ConfigProblem::new(format!("accounts[{i}]"), e.to_string()).hint(
                        "check seller_id against the seller the refresh token belongs to (`amzsync onboard` prints it)",
                    ),
                );
                continue;
            }
            Err(e) => {
                problems.push(ConfigProblem::new(
                    format!("accounts[{i}]"),
                    format!("cannot resolve the account's key in the store: {e}"),
                ));
                continue;
            }
        };
        if let Some(&first) = paths.get(&key) {
            problems.push(
                ConfigProblem::new(
                    format!("accounts[{i}]"),
                    format!(
                        "the same seller account (key {key}) as accounts[{first}]: both entries would sync one seller"
                    ),
                )
                .hint(format!(
                    "keep one entry for this seller (accounts[{first}] {:?} or accounts[{i}] {:?})",
                    config.accounts[first].name, a.name
                )),
            );
            continue;
        }
        tracing::debug!(label = %a.name, key = %key, "account key resolved");
        paths.insert(key.clone(), i);
        labels.insert(key.clone(), a.name.clone());
        account.config.id = key;
    }
    if problems.is_empty() {
        Ok(labels)
    } else {
        Err(problems)
    }
}
