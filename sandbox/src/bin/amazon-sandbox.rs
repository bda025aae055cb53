//! `amazon-sandbox`: run the local Amazon emulator and print how to reach it.

use clap::Parser;

/// A local Amazon emulator (LWA and SP-API) on loopback.
#[derive(Debug, Parser)]
#[command(name = "amazon-sandbox", version, about)]
struct Cli {
    #[command(flatten)]
    args: amazon_sandbox::CliArgs,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match amazon_sandbox::run_cli(cli.args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("amazon-sandbox: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
