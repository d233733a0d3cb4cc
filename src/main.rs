// An import parses on one thread and writes on another, which frees what the first
// allocated: glibc's allocator takes a lock for most such frees, mimalloc does not
// (the national import: 9.6 s with glibc's, 8.3 s with mimalloc).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    kartlegg::cli::run(kartlegg::cli::Cli::parse())
}
