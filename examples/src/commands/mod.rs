//! The commands. Each returns its exit status (see [`crate::cli`]).

pub mod demo;
pub mod onboard;
pub mod outbox;
pub mod status;
pub mod sync;
pub mod verify;

use std::io::Write;
use std::path::Path;

use crate::cli::{EXIT_CONFIG, EXIT_FAILED, EXIT_OK, InitArgs, ResealArgs};
use crate::config::{Config, ConfigErrors, Needs, TEMPLATE, process_env};

/// Prints configuration problems to stderr.
pub(crate) fn report_config_errors(path: &Path, errors: &ConfigErrors) {
    eprintln!("amzsync: {}: {errors}", path.display());
    eprintln!(
        "nothing was changed; fix the file and run again (`amzsync check --config {}`)",
        path.display()
    );
}

/// Loads a configuration, printing its problems; `Err` holds the exit status.
pub(crate) fn load(path: &Path, needs: Needs) -> Result<Config, u8> {
    load_for(path, needs, None)
}

/// Like [`load`], checking only the credentials of `only` when given.
pub(crate) fn load_for(path: &Path, needs: Needs, only: Option<&str>) -> Result<Config, u8> {
    Config::load_for(path, needs, only, &process_env).map_err(|e| {
        report_config_errors(path, &e);
        EXIT_CONFIG
    })
}

/// `amzsync init`.
pub fn init(args: InitArgs) -> u8 {
    match args.output {
        None => {
            let mut out = std::io::stdout();
            if out.write_all(TEMPLATE.as_bytes()).is_err() {
                return EXIT_FAILED;
            }
            EXIT_OK
        }
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path);
            match file.and_then(|mut f| f.write_all(TEMPLATE.as_bytes())) {
                Ok(()) => {
                    eprintln!(
                        "wrote {}; set the environment variables it names, then run `amzsync check --config {}`",
                        path.display(),
                        path.display()
                    );
                    EXIT_OK
                }
                Err(e) => {
                    eprintln!(
                        "amzsync init: cannot create {}: {e} (an existing file is never overwritten)",
                        path.display()
                    );
                    EXIT_FAILED
                }
            }
        }
    }
}

/// `amzsync check`.
pub fn check(path: &Path) -> u8 {
    match load(path, Needs::SellerCredentials) {
        Ok(config) => {
            println!(
                "{}: OK ({} account{}, store {})",
                path.display(),
                config.accounts.len(),
                if config.accounts.len() == 1 { "" } else { "s" },
                config.store.path.display()
            );
            EXIT_OK
        }
        Err(code) => code,
    }
}

/// `amzsync reseal-pii`.
pub async fn reseal_pii(args: ResealArgs) -> u8 {
    use std::sync::Arc;
    use store_adapters::sqlite::{SqliteConfig, SqliteStore, XChaChaPii};

    let config = match load(&args.config, Needs::Nothing) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let new_key = match config.store.pii_key(&process_env) {
        Ok(Some(k)) => k,
        Ok(None) => {
            eprintln!(
                "amzsync reseal-pii: {}: store.pii_key_env: missing; hint: name the variable holding the new key first",
                args.config.display()
            );
            return EXIT_CONFIG;
        }
        Err(p) => {
            report_config_errors(&args.config, &ConfigErrors::new(vec![p]));
            return EXIT_CONFIG;
        }
    };
    let mut old = SqliteConfig::default();
    if let Some(var) = &args.old_key_env {
        let cipher = process_env(var)
            .ok_or_else(|| format!("environment variable {var} is not set"))
            .and_then(|k| XChaChaPii::from_base64(&k).map_err(|e| format!("{var}: {}", e.0)));
        match cipher {
            Ok(c) => old = old.pii_cipher(Arc::new(c)),
            Err(e) => {
                eprintln!("amzsync reseal-pii: --old-key-env: {e}");
                return EXIT_CONFIG;
            }
        }
    }
    let path = &config.store.path;
    if !path.exists() {
        eprintln!(
            "amzsync reseal-pii: the store {} does not exist",
            path.display()
        );
        return EXIT_FAILED;
    }
    let new = match XChaChaPii::from_base64(secrecy::ExposeSecret::expose_secret(&new_key)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("amzsync reseal-pii: store.pii_key_env: {}", e.0);
            return EXIT_CONFIG;
        }
    };
    match SqliteStore::reseal_pii(path, old, Arc::new(new)).await {
        Ok(n) => {
            println!("{}: {n} PII values sealed with the new key", path.display());
            EXIT_OK
        }
        Err(e) => {
            eprintln!("amzsync reseal-pii: {}: {e}", path.display());
            EXIT_FAILED
        }
    }
}
