// An import parses on one thread and writes on another, which frees what the first
// allocated: glibc's allocator takes a lock for most such frees, mimalloc does not
// (the national import: 9.6 s with glibc's, 8.3 s with mimalloc).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;

use kartlegg::cli::{Cli, Command};
use kartlegg::start::Start;

/// Picks the face: the full-screen program, or the command the command line names.
fn main() -> ExitCode {
    let cli = Cli::parse();
    let screen = matches!(cli.command, None | Some(Command::Answer(_)));
    let start = match Start::new(cli.lang, cli.db, screen) {
        Ok(start) => start,
        Err(code) => return code,
    };
    match cli.command {
        None => kartlegg::ui::launch(start),
        Some(Command::Answer(args)) => kartlegg::ui::answer(start, args.code),
        Some(command) => kartlegg::cli::run(start, command),
    }
}
