//! `amzsync verify`: for each account, get a token and list the seller's marketplaces.

use std::path::Path;

use spapi_client::{Error, ErrorKind, LwaErrorCode, Marketplace};

use crate::cli::{EXIT_FAILED, EXIT_OK};
use crate::config::{AccountSettings, Needs, process_env};
use crate::wiring;

/// What to tell the user about a failed check.
pub fn advice(account: &AccountSettings, e: &Error) -> String {
    match e {
        Error::Lwa(f) => match f.code {
            LwaErrorCode::InvalidClient => format!(
                "wrong client id or client secret: copy both again from Developer Central (the secret may have been rotated) into the variables or secrets file of account {}",
                account.name
            ),
            LwaErrorCode::InvalidGrant => format!(
                "the refresh token is revoked, expired or belongs to another app: authorise again (`amzsync onboard --account {}`, or self-authorise in Seller Central) and store the new token",
                account.name
            ),
            ref other => other.remedy().to_owned(),
        },
        Error::Api(f) if f.status == 403 || f.status == 401 => format!(
            "access denied (HTTP {}): the refresh token may belong to another region than `{}` (a token works in one region only), or the app lacks a role this call needs (Inventory and Order Tracking for orders); check the region, then the app's roles, then re-authorise",
            f.status,
            account.region.as_str()
        ),
        other => match other.kind() {
            ErrorKind::Throttled { .. } => {
                "Amazon throttled the check; try again in a minute".into()
            }
            ErrorKind::Transient | ErrorKind::Server => {
                format!("Amazon could not be reached or failed ({other}); try again later")
            }
            _ => other.to_string(),
        },
    }
}

/// `amzsync verify`.
pub async fn run(path: &Path) -> u8 {
    let config = match super::load(path, Needs::SellerCredentials) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut failures = 0;
    for (i, account) in config.accounts.iter().enumerate() {
        if !account.enabled {
            println!("{}: disabled, skipped", account.name);
            continue;
        }
        let creds = match account.resolve_credentials(i, Needs::SellerCredentials, &process_env) {
            Ok(c) => c,
            Err(p) => {
                failures += 1;
                for p in p {
                    println!("{}: FAILED: {p}", account.name);
                }
                continue;
            }
        };
        let client = match wiring::client(account, &creds) {
            Ok(c) => c,
            Err(e) => {
                failures += 1;
                println!("{}: FAILED: {e}", account.name);
                continue;
            }
        };
        match client.sellers().get_marketplace_participations().await {
            Ok(list) => {
                let participating: Vec<&str> = list
                    .iter()
                    .filter(|p| p.participation.is_participating != Some(false))
                    .map(|p| p.marketplace.id.as_str())
                    .collect();
                let names: Vec<String> = participating
                    .iter()
                    .map(|id| {
                        Marketplace::by_id(id)
                            .map_or_else(|| (*id).to_owned(), |m| m.code.to_owned())
                    })
                    .collect();
                let missing: Vec<&str> = account
                    .marketplaces
                    .iter()
                    .filter(|m| !participating.contains(&m.id))
                    .map(|m| m.code)
                    .collect();
                if missing.is_empty() {
                    println!(
                        "{} ({}): OK: token issued; seller participates in {}",
                        account.name,
                        account.display_name(),
                        names.join(", ")
                    );
                } else {
                    failures += 1;
                    println!(
                        "{} ({}): FAILED: the seller does not participate in {} (configured) but in {}; fix `marketplaces` or the region",
                        account.name,
                        account.display_name(),
                        missing.join(", "),
                        names.join(", ")
                    );
                }
            }
            Err(e) => {
                failures += 1;
                println!(
                    "{} ({}): FAILED: {}",
                    account.name,
                    account.display_name(),
                    advice(account, &e)
                );
                tracing::debug!(account = %account.name, error = %e, "verify failed");
            }
        }
    }
    if failures == 0 { EXIT_OK } else { EXIT_FAILED }
}
