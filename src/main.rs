//! The `qualm` binary: parses the command line and hands over to `cli`.

use clap::Parser;

fn main() {
    let args = qualm::cli::Cli::parse();
    let code = qualm::cli::run(args);
    std::process::exit(code);
}
