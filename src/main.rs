use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    kartlegg::cli::run(kartlegg::cli::Cli::parse())
}
