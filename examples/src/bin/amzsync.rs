//! `amzsync`: the command line of the Amazon order sync crates. Run `amzsync --help`.

fn main() -> std::process::ExitCode {
    amzsync_cli::cli::main()
}
