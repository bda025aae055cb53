//! `amzsync`: the command line of the Amazon order sync crates.
//!
//! Not yet implemented: the demo, config, and daemon commands come with the engine.

fn main() {
    eprintln!("amzsync: not implemented yet (the demo sync arrives with the engine issue)");
    std::process::exit(2);
}
