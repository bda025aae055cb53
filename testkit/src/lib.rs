//! Test-only helpers shared by the crates of this workspace. Not published.
//!
//! The reference data in `../shared/` (Amazon's API models, recorded MWS responses) is not
//! part of the project. Tests that read it find it through the `AMZ_SHARED_DIR` environment
//! variable, which `.ci/run` sets. Without it a test says loudly that it skipped; under
//! `CI=true` a missing directory is a failure, so CI can never pass by skipping.
//!
//! ```
//! if let Some(dir) = amz_testkit::shared_dir("doc example") {
//!     assert!(dir.is_dir());
//! }
//! ```

use std::path::PathBuf;

/// The environment variable naming the `shared/` reference directory.
pub const SHARED_DIR_VAR: &str = "AMZ_SHARED_DIR";

/// Returns the shared reference directory, or `None` (after printing a loud skip notice)
/// when it is not configured outside CI.
///
/// # Panics
///
/// Panics when `CI=true` and the variable is missing or does not name a directory: a test
/// that needs the reference data must not pass silently in CI.
pub fn shared_dir(test: &str) -> Option<PathBuf> {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    match std::env::var_os(SHARED_DIR_VAR).map(PathBuf::from) {
        Some(dir) if dir.is_dir() => Some(dir),
        other => {
            let why = match other {
                Some(dir) => format!("{SHARED_DIR_VAR}={} is not a directory", dir.display()),
                None => format!("{SHARED_DIR_VAR} is not set"),
            };
            if in_ci {
                panic!("{test}: needs the shared reference data, but {why} (CI=true)");
            }
            eprintln!("SKIPPED {test}: {why}; set it to the path of ../shared to run this test");
            None
        }
    }
}

/// Returns `dir/relative`, panicking with a clear message if it does not exist.
///
/// # Panics
///
/// Panics when the file is missing, naming the path.
pub fn shared_file(dir: &std::path::Path, relative: &str) -> PathBuf {
    let path = dir.join(relative);
    assert!(
        path.exists(),
        "reference file {} is missing",
        path.display()
    );
    path
}

/// The environment variable naming the PostgreSQL server that tests may use.
pub const DATABASE_URL_VAR: &str = "DATABASE_URL";

/// Returns the PostgreSQL connection URL for tests, or `None` (after printing a loud skip
/// notice) when `DATABASE_URL` is not set outside CI.
///
/// # Panics
///
/// Panics when `CI=true` and `DATABASE_URL` is missing: `.ci/run` always starts a server, so
/// a PostgreSQL test must never pass by skipping there.
pub fn database_url(test: &str) -> Option<String> {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    match std::env::var(DATABASE_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if in_ci => {
            panic!("{test}: needs PostgreSQL, but {DATABASE_URL_VAR} is not set (CI=true)")
        }
        _ => {
            eprintln!(
                "SKIPPED {test}: {DATABASE_URL_VAR} is not set; point it at a PostgreSQL server to run this test"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_dir_is_found_or_skipped_loudly() {
        // Under CI the variable is set by .ci/run, so this must find the directory.
        if let Some(dir) = shared_dir("testkit self-test") {
            assert!(
                dir.join("DESIGN.md").is_file(),
                "{} lacks DESIGN.md",
                dir.display()
            );
        }
    }
}
