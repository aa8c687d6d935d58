use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    scholia::cli::run(scholia::cli::Cli::parse())
}
