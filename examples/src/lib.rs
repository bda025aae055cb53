//! The `amzsync` command line as a library: the configuration file, the notifiers and the
//! commands, so that tests and other binaries can reuse them.
//!
//! The binary is `src/bin/amzsync.rs`; run `amzsync --help` for the commands.
//!
//! ```no_run
//! use amzsync_cli::config::{Config, Needs, process_env};
//!
//! let config = Config::load(std::path::Path::new("amzsync.toml"), Needs::Nothing, &process_env)
//!     .map_err(|errors| eprintln!("{errors}"));
//! # let _ = config;
//! ```

pub mod cli;
pub mod commands;
pub mod config;
pub mod notify;
pub mod wiring;
